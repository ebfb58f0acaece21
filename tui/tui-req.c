// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Request handlers. A key is looked up in the keymap of where the user is
 * (list, window, confirmation, search prompt); the request's handler does
 * its work and returns what must happen next as VS_TUI_* flags.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui-int.h"

typedef unsigned req_fn(struct vs_tui *t, enum vs_req req);

#define VS_REQ(m, id, fn, k, hi, h) static req_fn fn;
#include "keys.def"
#undef VS_REQ

static req_fn *const handlers[] = {
#define VS_REQ(m, id, fn, k, hi, h) [VS_REQ_##id] = fn,
#include "keys.def"
#undef VS_REQ
};

/* ---- moving ---- */

static unsigned req_move(struct vs_tui *t, enum vs_req req)
{
	size_t page = t->list_page ? t->list_page : 1, last = t->n_rows ? t->n_rows - 1 : 0;
	size_t old = t->cursor;

	switch (req) {
	case VS_REQ_MOVE_UP:
		if (t->cursor)
			t->cursor--;
		break;
	case VS_REQ_MOVE_DOWN:
		if (t->cursor < last)
			t->cursor++;
		break;
	case VS_REQ_PAGE_UP:
		t->cursor = t->cursor > page ? t->cursor - page : 0;
		t->top = t->top > page ? t->top - page : 0;
		break;
	case VS_REQ_PAGE_DOWN:
		t->cursor = t->cursor + page < last ? t->cursor + page : last;
		t->top += page;
		break;
	case VS_REQ_MOVE_FIRST:
		t->cursor = 0;
		break;
	case VS_REQ_MOVE_LAST:
		t->cursor = last;
		break;
	default:
		break;
	}
	return t->cursor != old || req == VS_REQ_PAGE_UP || req == VS_REQ_PAGE_DOWN ?
	       VS_TUI_REDRAW : VS_TUI_OK;
}

static unsigned set_fold(struct vs_tui *t, const struct vs_tui_row *row, bool fold)
{
	char *key = vs_tui_fold_key(t, row);
	int ret;

	if (!key)
		return VS_TUI_OK;
	if (fold)
		ret = vs_tui_names_add(&t->collapsed, key);
	else
		vs_tui_names_del(&t->collapsed, key), ret = 0;
	free(key);
	return ret ? VS_TUI_OK : VS_TUI_REBUILD;
}

static unsigned req_fold(struct vs_tui *t, enum vs_req req)
{
	const struct vs_tui_row *row = vs_tui_cursor_row(t);

	if (!row)
		return VS_TUI_OK;
	switch (req) {
	case VS_REQ_EXPAND:
		if (row->has_children && row->collapsed)
			return set_fold(t, row, false);
		if (row->has_children && t->cursor + 1 < t->n_rows) {
			t->cursor++;
			return VS_TUI_REDRAW;
		}
		return VS_TUI_OK;
	case VS_REQ_COLLAPSE:
		if (row->has_children && !row->collapsed)
			return set_fold(t, row, true);
		if (row->parent != SIZE_MAX) {
			t->cursor = row->parent;
			return VS_TUI_REDRAW;
		}
		return VS_TUI_OK;
	case VS_REQ_TOGGLE:
		if (row->has_children)
			return set_fold(t, row, !row->collapsed);
		vs_tui_status(t, VS_STYLE_NORMAL, "Nothing below this row: press e to explain it");
		return VS_TUI_REDRAW;
	default:
		return VS_TUI_OK;
	}
}

static unsigned req_view(struct vs_tui *t, enum vs_req req)
{
	(void)req;
	/* Tree -> Groups -> Platform (only with platform, AMBA or fsl-mc devices) -> Tree */
	if (t->view == VS_VIEW_TREE)
		t->view = VS_VIEW_GROUPS;
	else if (t->view == VS_VIEW_GROUPS && vs_tui_has_platform(t))
		t->view = VS_VIEW_PLATFORM;
	else
		t->view = VS_VIEW_TREE;
	return VS_TUI_REBUILD;
}

/* ---- search ---- */

static unsigned do_search(struct vs_tui *t, bool forward)
{
	int ret = vs_tui_search(t, t->search, forward);

	if (ret == -ENOENT) {
		char *s = vs_tui_sanitize(t, t->search);

		vs_tui_status(t, VS_STYLE_WARN, "Not found: %s", s ? s : "");
		free(s);
	} else if (ret < 0) {
		vs_tui_status(t, VS_STYLE_BAD, "Search failed: %s", strerror(-ret));
	} else if (ret == 1) {
		vs_tui_status(t, VS_STYLE_NORMAL, "Search wrapped around to the %s",
			      forward ? "top" : "bottom");
	}
	return VS_TUI_REDRAW;
}

static unsigned req_search(struct vs_tui *t, enum vs_req req)
{
	if (req == VS_REQ_SEARCH) {
		vs_strbuf_reset(&t->prompt);
		t->prompting = true;
		return VS_TUI_REDRAW;
	}
	if (!t->search) {
		vs_tui_status(t, VS_STYLE_NORMAL, "No search yet: press / to search");
		return VS_TUI_REDRAW;
	}
	return do_search(t, req == VS_REQ_SEARCH_NEXT);
}

/* Remove the last UTF-8 character of the prompt. */
static void prompt_erase(struct vs_strbuf *sb)
{
	while (sb->len) {
		unsigned char c = (unsigned char)sb->buf[--sb->len];

		if ((c & 0xc0) != 0x80)
			break;
	}
	if (sb->buf)
		sb->buf[sb->len] = '\0';
}

static unsigned req_prompt(struct vs_tui *t, enum vs_req req)
{
	switch (req) {
	case VS_REQ_PROMPT_OK:
		t->prompting = false;
		if (t->prompt.len) {
			char *s = strdup(vs_strbuf_cstr(&t->prompt));

			if (!s)
				return VS_TUI_REDRAW;
			free(t->search);
			t->search = s;
		}
		if (!t->search)
			return VS_TUI_REDRAW;
		return do_search(t, true);
	case VS_REQ_PROMPT_ERASE:
		if (!t->prompt.len) {
			t->prompting = false;
			return VS_TUI_REDRAW;
		}
		prompt_erase(&t->prompt);
		return VS_TUI_REDRAW;
	default:
		t->prompting = false;
		return VS_TUI_REDRAW;
	}
}

static unsigned prompt_type(struct vs_tui *t, int key)
{
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	size_t n;

	if ((key & VS_KEY_FN) || key < ' ' || key == 127)
		return VS_TUI_OK;
	memset(&st, 0, sizeof(st));
	n = wcrtomb(mb, (wchar_t)key, &st);
	if (n == (size_t)-1 || t->prompt.len > 200)
		return VS_TUI_OK;
	vs_strbuf_addn(&t->prompt, mb, n);
	return VS_TUI_REDRAW;
}

/* ---- selection ---- */

static bool selectable(const struct vs_device *dev)
{
	return !(dev->bus == VS_BUS_PCI && vs_pci_is_bridge(dev));
}

static unsigned req_select(struct vs_tui *t, enum vs_req req)
{
	const struct vs_tui_row *row = vs_tui_cursor_row(t);

	if (req == VS_REQ_UNSELECT) {
		vs_tui_names_clear(&t->selected);
		vs_tui_selection_check(t);
		vs_tui_status(t, VS_STYLE_NORMAL, "Selection cleared");
		return VS_TUI_REDRAW;
	}
	if (!row || row->kind == VS_ROW_SECTION) {
		vs_tui_status(t, VS_STYLE_NORMAL, "Select a device or a group");
		return VS_TUI_REDRAW;
	}
	if (row->kind == VS_ROW_DEVICE) {
		const struct vs_tui_dev *d = &t->devs[row->dev->index];

		if (vs_tui_names_has(&t->selected, row->dev->name)) {
			vs_tui_names_del(&t->selected, row->dev->name);
		} else if (!selectable(row->dev)) {
			vs_tui_status(t, VS_STYLE_WARN,
				      "%s is a bridge: bridges stay with the host", d->name);
			return VS_TUI_REDRAW;
		} else if (vs_tui_names_add(&t->selected, row->dev->name)) {
			return VS_TUI_OK;
		}
	} else {
		const struct vs_group *g = row->group;
		bool all = true;

		for (size_t i = 0; i < g->n_members; i++) {
			if (selectable(g->members[i]) &&
			    !vs_tui_names_has(&t->selected, g->members[i]->name))
				all = false;
		}
		for (size_t i = 0; i < g->n_members; i++) {
			if (!selectable(g->members[i]))
				continue;
			if (all)
				vs_tui_names_del(&t->selected, g->members[i]->name);
			else if (vs_tui_names_add(&t->selected, g->members[i]->name))
				return VS_TUI_OK;
		}
	}
	vs_tui_selection_check(t);
	vs_tui_status(t, VS_STYLE_SEL, "%zu device%s selected for the VM", t->selected.n,
		      t->selected.n == 1 ? "" : "s");
	return VS_TUI_REDRAW;
}

/* ---- windows ---- */

static unsigned req_explain(struct vs_tui *t, enum vs_req req)
{
	const struct vs_tui_row *row = vs_tui_cursor_row(t);
	struct vs_tui_win *win;
	struct vs_strbuf title = VS_STRBUF_INIT;

	(void)req;
	if (!row)
		return VS_TUI_OK;
	if (row->kind == VS_ROW_DEVICE)
		vs_strbuf_addf(&title, "Explain %s", t->devs[row->dev->index].name);
	else if (row->kind == VS_ROW_GROUP)
		vs_strbuf_addf(&title, "Explain IOMMU group %d", row->group->id);
	else
		vs_strbuf_add(&title, row->title);
	win = vs_tui_win_new(t, VS_KEYMAP_WINDOW, vs_strbuf_cstr(&title));
	vs_strbuf_release(&title);
	if (!win)
		return VS_TUI_OK;
	vs_tui_describe_row(t, row, true, &win->text);
	return VS_TUI_REDRAW;
}

static unsigned req_doctor(struct vs_tui *t, enum vs_req req)
{
	struct vs_tui_win *win = vs_tui_win_new(t, VS_KEYMAP_WINDOW, "Doctor: host readiness");

	(void)req;
	if (win)
		vs_tui_doctor_text(t, &win->text);
	return VS_TUI_REDRAW;
}

static unsigned req_help(struct vs_tui *t, enum vs_req req)
{
	struct vs_tui_win *win = vs_tui_win_new(t, VS_KEYMAP_WINDOW, "Help");
	struct vs_strbuf sb = VS_STRBUF_INIT;

	(void)req;
	if (!win)
		return VS_TUI_OK;
	vs_tui_text_add(&win->text, VS_STYLE_HEAD, "Markers before each row");
	vs_tui_text_add(&win->text, VS_STYLE_NORMAL,
			"  *  selected for the VM (+ on a group: some members)\n"
			"  V  its IOMMU group is viable: every member is unbound or on a driver\n"
			"     that does no DMA, so the group can go to a VM\n"
			"  B  blocks its group: bound to a host driver that does DMA\n"
			"  x  its group is not viable because of another member\n"
			"  H  host-critical: the host needs it (root disk, network in use)\n"
			"  P  its group is partly on vfio and partly not\n");
	vs_keys_help(&sb);
	for (const char *p = vs_strbuf_cstr(&sb); *p;) {
		size_t n = strcspn(p, "\n");

		vs_tui_text_add(&win->text, *p == ' ' ? VS_STYLE_NORMAL : VS_STYLE_HEAD, "%.*s",
				(int)n, p);
		/* Past the column of keys ("  %-16s "). */
		if (*p == ' ')
			vs_tui_text_hang(&win->text, 19);
		p += n + (p[n] == '\n');
	}
	vs_strbuf_release(&sb);
	return VS_TUI_REDRAW;
}

static unsigned req_scroll(struct vs_tui *t, enum vs_req req)
{
	struct vs_tui_win *win = t->win;
	size_t page = win->page ? win->page : 1;
	size_t max = win->n_display > page ? win->n_display - page : 0;

	switch (req) {
	case VS_REQ_WIN_UP:
		if (win->scroll)
			win->scroll--;
		break;
	case VS_REQ_WIN_DOWN:
		if (win->scroll < max)
			win->scroll++;
		break;
	case VS_REQ_WIN_PGUP:
		win->scroll = win->scroll > page ? win->scroll - page : 0;
		break;
	case VS_REQ_WIN_PGDN:
		win->scroll = win->scroll + page < max ? win->scroll + page : max;
		break;
	case VS_REQ_WIN_FIRST:
		win->scroll = 0;
		break;
	case VS_REQ_WIN_LAST:
		win->scroll = max;
		break;
	default:
		break;
	}
	return VS_TUI_REDRAW;
}

static unsigned req_close(struct vs_tui *t, enum vs_req req)
{
	(void)req;
	vs_tui_win_close(t);
	return VS_TUI_REDRAW;
}

/* ---- actions (tui/tui-act.c) ---- */

static unsigned req_act(struct vs_tui *t, enum vs_req req)
{
	switch (req) {
	case VS_REQ_BIND:
		return vs_tui_bind(t, false);
	case VS_REQ_RESTORE:
		return vs_tui_bind(t, true);
	case VS_REQ_COPY_QEMU:
		return vs_tui_copy(t, false);
	case VS_REQ_COPY_LIBVIRT:
		return vs_tui_copy(t, true);
	default:
		return VS_TUI_OK;
	}
}

static unsigned req_confirm(struct vs_tui *t, enum vs_req req)
{
	(void)req;
	return t->win && t->win->confirm ? t->win->confirm(t) : VS_TUI_OK;
}

/* ---- the rest ---- */

static unsigned req_rescan(struct vs_tui *t, enum vs_req req)
{
	(void)req;
	(void)t;
	return VS_TUI_RESCAN;
}

static unsigned req_redraw(struct vs_tui *t, enum vs_req req)
{
	(void)req;
	(void)t;
	return VS_TUI_CLEAR;
}

static unsigned req_quit(struct vs_tui *t, enum vs_req req)
{
	(void)req;
	(void)t;
	return VS_TUI_QUIT;
}

unsigned vs_tui_handle_key(struct vs_tui *t, int key)
{
	enum vs_keymap map = t->prompting ? VS_KEYMAP_PROMPT :
			     t->win ? t->win->map : VS_KEYMAP_LIST;
	enum vs_req req = vs_keymap_lookup(map, key);

	free(t->status);
	t->status = NULL;
	if (req == VS_REQ_NONE) {
		if (t->prompting)
			return prompt_type(t, key);
		if (t->win)
			vs_tui_status(t, VS_STYLE_NORMAL, "Esc or q closes the window");
		else
			vs_tui_status(t, VS_STYLE_NORMAL, "Unknown key: press ? for help");
		return VS_TUI_REDRAW;
	}
	return handlers[req](t, req);
}
