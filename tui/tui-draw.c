// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Drawing. Everything is drawn on stdscr each time (curses sends only the
 * difference), but only the rows that are on the screen are formatted, so a
 * keystroke costs the same on a 4,000-function tree as on a laptop's.
 * Meaning never rests on colour alone: markers are letters, the cursor is
 * reverse video, and colours are added only when the terminal has them and
 * NO_COLOR is unset.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <curses.h>

#include "tui-int.h"

enum { PAIR_GOOD = 1, PAIR_BAD, PAIR_WARN, PAIR_CRIT, PAIR_SEL, PAIR_BAR };

void vs_tui_colors_init(struct vs_tui *t)
{
	if (!t->color || !has_colors() || start_color() == ERR) {
		t->color = false;
		return;
	}
	use_default_colors();
	init_pair(PAIR_GOOD, COLOR_GREEN, -1);
	init_pair(PAIR_BAD, COLOR_RED, -1);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_CRIT, COLOR_MAGENTA, -1);
	init_pair(PAIR_SEL, COLOR_CYAN, -1);
	init_pair(PAIR_BAR, COLOR_WHITE, COLOR_BLUE);
}

static attr_t style_attr(const struct vs_tui *t, enum vs_tui_style s)
{
	switch (s) {
	case VS_STYLE_NORMAL:
	case VS_STYLE_N:
		return A_NORMAL;
	case VS_STYLE_HEAD:
		return A_BOLD;
	case VS_STYLE_GOOD:
		return t->color ? COLOR_PAIR(PAIR_GOOD) : A_NORMAL;
	case VS_STYLE_BAD:
		return A_BOLD | (t->color ? COLOR_PAIR(PAIR_BAD) : 0);
	case VS_STYLE_WARN:
		return t->color ? COLOR_PAIR(PAIR_WARN) : A_NORMAL;
	case VS_STYLE_CRIT:
		return A_BOLD | (t->color ? COLOR_PAIR(PAIR_CRIT) : 0);
	case VS_STYLE_SEL:
		return A_BOLD | (t->color ? COLOR_PAIR(PAIR_SEL) : 0);
	case VS_STYLE_DIM:
		return A_DIM;
	case VS_STYLE_BAR:
		return A_REVERSE | (t->color ? COLOR_PAIR(PAIR_BAR) : 0);
	}
	return A_NORMAL;
}

/*
 * Put @s at (@y, @x), at most @width columns. Returns the columns used.
 * @s is sanitized text: in ASCII mode every byte is printable ASCII.
 */
static int put(int y, int x, int width, const char *s, attr_t attr)
{
	mbstate_t st;
	wchar_t buf[256];
	int used = 0;
	size_t nb = 0;

	if (width <= 0 || !s)
		return 0;
	memset(&st, 0, sizeof(st));
	attrset(attr);
	move(y, x);
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, strlen(s), &st);
		int w;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			wc = L'?';
			n = 1;
			memset(&st, 0, sizeof(st));
		}
		w = wcwidth(wc);
		if (w < 0)
			w = 1, wc = L'?';
		if (used + w > width)
			break;
		buf[nb++] = wc;
		used += w;
		s += n;
		if (nb == sizeof(buf) / sizeof(buf[0]) - 1) {
			addnwstr(buf, (int)nb);
			nb = 0;
		}
	}
	if (nb)
		addnwstr(buf, (int)nb);
	attrset(A_NORMAL);
	return used;
}

static void fill(int y, int x, int width, attr_t attr)
{
	attrset(attr);
	for (int i = 0; i < width; i++)
		mvaddch(y, x + i, ' ');
	attrset(A_NORMAL);
}

/* Line-drawing pieces, UTF-8 or ASCII. */
struct glyphs {
	const char *vert, *tee, *last, *blank, *open, *closed, *leaf, *hline, *corner_tl,
		*corner_tr, *corner_bl, *corner_br, *side;
};

static const struct glyphs glyphs_utf8 = {
	.vert = "\xe2\x94\x82 ", .tee = "\xe2\x94\x9c\xe2\x94\x80", .last = "\xe2\x94\x94\xe2\x94\x80",
	.blank = "  ", .open = "\xe2\x96\xbe ", .closed = "\xe2\x96\xb8 ", .leaf = "\xe2\x94\x80 ",
	.hline = "\xe2\x94\x80", .corner_tl = "\xe2\x94\x8c", .corner_tr = "\xe2\x94\x90",
	.corner_bl = "\xe2\x94\x94", .corner_br = "\xe2\x94\x98", .side = "\xe2\x94\x82",
};

static const struct glyphs glyphs_ascii = {
	.vert = "| ", .tee = "|-", .last = "`-", .blank = "  ", .open = "- ", .closed = "+ ",
	.leaf = "- ", .hline = "-", .corner_tl = "+", .corner_tr = "+", .corner_bl = "+",
	.corner_br = "+", .side = "|",
};

static const struct glyphs *glyphs(const struct vs_tui *t)
{
	return t->utf8 ? &glyphs_utf8 : &glyphs_ascii;
}

static void draw_hline(const struct vs_tui *t, int y, int x, int width, attr_t attr)
{
	for (int i = 0; i < width; i++)
		put(y, x + i, 1, glyphs(t)->hline, attr);
}

/* ---- layout ---- */

struct layout {
	int list_y, list_h;	/* rows of the list */
	int detail_y, detail_h;	/* text lines of the pane, below its title line */
	int status_y;
};

static struct layout layout(void)
{
	struct layout l = { .list_y = 2, .status_y = LINES - 1 };
	int avail = LINES - 3;

	if (LINES >= 16) {
		int pane = avail * 2 / 5;

		l.list_h = avail - pane;
		l.detail_y = l.list_y + l.list_h + 1;
		l.detail_h = pane - 1;
	} else {
		l.list_h = avail > 0 ? avail : 0;
	}
	return l;
}

/* ---- the list ---- */

/* The four markers of a device or group row. */
static void row_marks(const struct vs_tui *t, const struct vs_tui_row *row, char m[5],
		      enum vs_tui_style st[4])
{
	memcpy(m, "    ", 5);
	for (int i = 0; i < 4; i++)
		st[i] = VS_STYLE_NORMAL;
	if (row->kind == VS_ROW_DEVICE) {
		const struct vs_tui_dev *d = &t->devs[row->dev->index];
		const struct vs_group *g = vs_device_group(t->topo, row->dev);

		if (vs_tui_names_has(&t->selected, row->dev->name))
			m[0] = '*', st[0] = VS_STYLE_SEL;
		if (d->blocking)
			m[1] = 'B', st[1] = VS_STYLE_BAD;
		else if (g && g->viable)
			m[1] = 'V', st[1] = VS_STYLE_GOOD;
		else if (g)
			m[1] = 'x', st[1] = VS_STYLE_WARN;
		if (d->hostcrit)
			m[2] = 'H', st[2] = VS_STYLE_CRIT;
		if (d->partial)
			m[3] = 'P', st[3] = VS_STYLE_WARN;
	} else if (row->kind == VS_ROW_GROUP) {
		const struct vs_group *g = row->group;
		size_t sel = 0, selectable = 0;
		bool crit = false;

		/* Bridges are never selected: a group is whole without them. */
		for (size_t i = 0; i < g->n_members; i++) {
			const struct vs_device *m_dev = g->members[i];

			if (!(m_dev->bus == VS_BUS_PCI && vs_pci_is_bridge(m_dev)))
				selectable++;
			if (vs_tui_names_has(&t->selected, m_dev->name))
				sel++;
			if (t->devs[m_dev->index].hostcrit)
				crit = true;
		}
		if (sel)
			m[0] = sel >= selectable ? '*' : '+', st[0] = VS_STYLE_SEL;
		m[1] = g->viable ? 'V' : 'x';
		st[1] = g->viable ? VS_STYLE_GOOD : VS_STYLE_WARN;
		if (crit)
			m[2] = 'H', st[2] = VS_STYLE_CRIT;
		if (g->n_members && t->devs[g->members[0]->index].partial)
			m[3] = 'P', st[3] = VS_STYLE_WARN;
	}
}

enum { DRIVER_W = 14, GROUP_W = 5 };

static void draw_row(struct vs_tui *t, const struct vs_tui_row *row, int y, bool cursor)
{
	const struct glyphs *g = glyphs(t);
	attr_t base = cursor ? A_REVERSE : A_NORMAL;
	bool columns = COLS >= 60;
	int right = columns ? DRIVER_W + 1 + GROUP_W : 0;
	int x = 0, left_end = COLS - right - (columns ? 1 : 0);
	char m[5];
	enum vs_tui_style st[4];

	if (cursor)
		fill(y, 0, COLS, base);
	row_marks(t, row, m, st);
	for (int i = 0; i < 4; i++) {
		char c[2] = { m[i], '\0' };

		put(y, i, 1, c, base | style_attr(t, st[i]));
	}
	/* The cursor is also a character, for terminals without reverse video. */
	if (cursor)
		put(y, 4, 1, ">", base);
	x = 5;
	for (unsigned i = 0; i < row->depth && x < left_end; i++) {
		const char *piece = row->guides[i] == '|' ? g->vert :
				    row->guides[i] == '+' ? g->tee :
				    row->guides[i] == '`' ? g->last : g->blank;

		x += put(y, x, left_end - x, piece, base | A_DIM);
	}
	if (x < left_end)
		x += put(y, x, left_end - x, !row->has_children ? (row->depth ? g->leaf : "  ") :
				row->collapsed ? g->closed : g->open, base);

	switch (row->kind) {
	case VS_ROW_SECTION:
		put(y, x, left_end - x, row->title, base | A_BOLD);
		break;
	case VS_ROW_GROUP: {
		struct vs_strbuf sb = VS_STRBUF_INIT;
		const struct vs_group *grp = row->group;

		vs_strbuf_addf(&sb, "Group %d", grp->id);
		x += put(y, x, left_end - x, vs_strbuf_cstr(&sb), base | A_BOLD);
		vs_strbuf_reset(&sb);
		vs_strbuf_addf(&sb, "  %zu device%s, %s", grp->n_members,
			       grp->n_members == 1 ? "" : "s", grp->viable ? "viable" : "not viable");
		put(y, x, left_end - x, vs_strbuf_cstr(&sb), base);
		vs_strbuf_release(&sb);
		if (columns) {
			char num[16];

			snprintf(num, sizeof(num), "%*d", GROUP_W, grp->id);
			put(y, COLS - GROUP_W, GROUP_W, num, base);
		}
		break;
	}
	case VS_ROW_DEVICE: {
		const struct vs_tui_dev *d = &t->devs[row->dev->index];

		x += put(y, x, left_end - x, d->name, base | (d->blocking ? style_attr(t, VS_STYLE_BAD) : 0));
		if (x + 2 < left_end)
			put(y, x + 2, left_end - x - 2, d->label, base);
		if (columns) {
			char num[16];

			put(y, COLS - right, DRIVER_W, d->driver ? d->driver : "-", base);
			if (row->dev->iommu_group >= 0)
				snprintf(num, sizeof(num), "%*d", GROUP_W, row->dev->iommu_group);
			else
				snprintf(num, sizeof(num), "%*s", GROUP_W, "-");
			put(y, COLS - GROUP_W, GROUP_W, num, base);
		}
		break;
	}
	}
}

static void draw_header(struct vs_tui *t)
{
	attr_t bar = style_attr(t, VS_STYLE_BAR);
	struct vs_strbuf sb = VS_STRBUF_INIT;
	/* The views Tab cycles through, the current one in brackets. */
	bool plat = vs_tui_has_platform(t);
	const char *views = t->view == VS_VIEW_TREE ? (plat ? "[Tree] Groups Platform" : "[Tree] Groups") :
			    t->view == VS_VIEW_GROUPS ? (plat ? "Tree [Groups] Platform" : "Tree [Groups]") :
			    "Tree Groups [Platform]";
	const char *heading = t->view == VS_VIEW_GROUPS ? "     GROUP / DEVICE" : "     DEVICE";
	int vw = (int)strlen(views);

	/* The host at a glance, most important first: what is cut is the tail. */
	fill(0, 0, COLS, bar);
	vs_strbuf_add(&sb, " vfioscope  ");
	if (t->topo->iommu)
		vs_strbuf_addf(&sb, "IOMMU on, %zu groups, %d viable", t->topo->n_groups, t->n_viable);
	else
		vs_strbuf_add(&sb, "IOMMU off");
	vs_strbuf_addf(&sb, "  %s  ", t->opts->dry_run ? "dry run" : !t->topo->root->live ? "sysroot" :
		       t->writable ? "root" : "read-only (not root)");
	vs_tui_doctor_summary(t, &sb);
	put(0, 0, COLS, vs_strbuf_cstr(&sb), bar | A_BOLD);
	vs_strbuf_release(&sb);

	/* Column headings, and which view this is. */
	fill(1, 0, COLS, A_NORMAL);
	put(1, 0, COLS, heading, A_BOLD);
	/* too narrow for every view's name: only the current one */
	if (COLS - DRIVER_W - 2 - GROUP_W - 1 - vw <= (int)strlen(heading)) {
		views = strchr(views, '[');
		vw = (int)(strchr(views, ']') - views) + 1;
	}
	if (COLS >= 60)
		put(1, COLS - DRIVER_W - 2 - GROUP_W - 1 - vw, vw, views, A_BOLD);
	if (COLS >= 60) {
		put(1, COLS - DRIVER_W - 1 - GROUP_W, DRIVER_W, "DRIVER", A_BOLD);
		put(1, COLS - GROUP_W, GROUP_W, "GROUP", A_BOLD);
	}
}

/* ---- wrapped text ---- */

/*
 * Split @s into screen lines of at most @width columns, breaking at spaces
 * when a word fits, and call @emit for each piece (a byte range of @s).
 */
static size_t wrap(const char *s, int width, int hang, bool words,
		   void (*emit)(const char *p, size_t n, int indent, void *data), void *data)
{
	size_t lines = 0;
	int indent = 0;

	if (hang > width / 2)
		hang = width / 2;
	do {
		int avail = width - indent > 0 ? width - indent : 1;

		mbstate_t st;
		const char *p = s, *brk = NULL;
		int cols = 0;

		memset(&st, 0, sizeof(st));
		while (*p) {
			wchar_t wc;
			size_t n = mbrtowc(&wc, p, strlen(p), &st);
			int w;

			if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
				n = 1;
				wc = L'?';
				memset(&st, 0, sizeof(st));
			}
			w = wcwidth(wc);
			if (w < 0)
				w = 1;
			if (cols + w > avail)
				break;
			if (wc == L' ' && words)
				brk = p;
			cols += w;
			p += n;
		}
		if (*p && brk && brk > s)
			p = brk;
		if (p == s && *p)	/* a character wider than the line */
			p++;
		if (emit)
			emit(s, (size_t)(p - s), indent, data);
		lines++;
		s = p;
		if (words && *s == ' ' && s[1])
			s++;
		indent = hang;
	} while (*s);
	return lines;
}

struct draw_text {
	const struct vs_tui *t;
	int y, x, width;
	size_t skip, left;	/* lines to skip, lines still to draw */
	attr_t attr;
};

static void emit_line(const char *p, size_t n, int indent, void *data)
{
	struct draw_text *dt = data;
	char *piece;

	if (dt->skip) {
		dt->skip--;
		return;
	}
	if (!dt->left)
		return;
	piece = strndup(p, n);
	put(dt->y++, dt->x + indent, dt->width - indent, piece ? piece : "", dt->attr);
	free(piece);
	dt->left--;
}

/*
 * Draw @txt wrapped into the box (@y, @x, @w, @h) from wrapped line @skip:
 * prose at spaces, code at the edge. Return all wrapped lines.
 */
static size_t draw_text(const struct vs_tui *t, const struct vs_tui_text *txt, int y, int x,
			int w, int h, size_t skip)
{
	struct draw_text dt = { .t = t, .y = y, .x = x, .width = w, .skip = skip,
				.left = h > 0 ? (size_t)h : 0 };
	size_t total = 0;

	for (size_t i = 0; i < txt->n; i++) {
		dt.attr = style_attr(t, txt->v[i].style);
		const struct vs_tui_line *l = &txt->v[i];

		total += wrap(l->text, w, l->code ? 0 : l->hang, !l->code, emit_line, &dt);
	}
	return total;
}

static void draw_detail(struct vs_tui *t, const struct layout *l)
{
	const struct vs_tui_row *row = vs_tui_cursor_row(t);
	struct vs_tui_text txt = { 0 };
	int y = l->detail_y - 1;

	draw_hline(t, y, 0, COLS, A_DIM);
	put(y, 2, COLS - 4, " Details ", A_BOLD);
	if (!row)
		return;
	vs_tui_selection_text(t, &txt);
	vs_tui_describe_row(t, row, false, &txt);
	draw_text(t, &txt, l->detail_y, 1, COLS - 2, l->detail_h, 0);
	vs_tui_text_release(&txt);
}

/* ---- status line ---- */

/* "KEY hint" for the requests of @map that have a hint, as many as fit in @width. */
static void hints(enum vs_keymap map, int width, struct vs_strbuf *sb)
{
	for (int r = 0; r < VS_REQ_N; r++) {
		const struct vs_req_info *ri = vs_req_info((enum vs_req)r);
		size_t k, len;

		if (ri->map != map || !ri->hint[0])
			continue;
		k = strcspn(ri->keys, " ");
		len = (sb->len ? 2 : 0) + k + 1 + strlen(ri->hint);
		if (sb->len + len > (size_t)width)
			break;
		vs_strbuf_addf(sb, "%s%.*s %s", sb->len ? "  " : "", (int)k, ri->keys, ri->hint);
	}
}

static void draw_status(struct vs_tui *t, const struct layout *l)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	int y = l->status_y, used, posw = 0;
	char pos[32] = "";

	fill(y, 0, COLS, A_NORMAL);
	if (t->prompting) {
		char *p = vs_tui_sanitize(t, vs_strbuf_cstr(&t->prompt));

		vs_strbuf_addf(&sb, "/%s", p ? p : "");
		free(p);
		used = put(y, 0, COLS - 1, vs_strbuf_cstr(&sb), A_NORMAL);
		move(y, used);
		vs_strbuf_release(&sb);
		return;
	}
	if (!t->win && t->n_rows) {
		posw = snprintf(pos, sizeof(pos), " %zu/%zu", t->cursor + 1, t->n_rows);
		if (posw >= COLS / 3)
			posw = 0;
		else
			put(y, COLS - posw, posw, pos, A_NORMAL);
	}
	if (t->status) {
		put(y, 0, COLS - posw, t->status, style_attr(t, t->status_style));
	} else {
		hints(t->win ? t->win->map : VS_KEYMAP_LIST, COLS - posw - 1, &sb);
		put(y, 0, COLS - posw, vs_strbuf_cstr(&sb), A_DIM);
	}
	vs_strbuf_release(&sb);
}

/* ---- windows ---- */

static void draw_box(const struct vs_tui *t, int y, int x, int h, int w)
{
	const struct glyphs *g = glyphs(t);

	for (int i = 0; i < h; i++)
		fill(y + i, x, w, A_NORMAL);
	put(y, x, 1, g->corner_tl, A_NORMAL);
	draw_hline(t, y, x + 1, w - 2, A_NORMAL);
	put(y, x + w - 1, 1, g->corner_tr, A_NORMAL);
	for (int i = 1; i < h - 1; i++) {
		put(y + i, x, 1, g->side, A_NORMAL);
		put(y + i, x + w - 1, 1, g->side, A_NORMAL);
	}
	put(y + h - 1, x, 1, g->corner_bl, A_NORMAL);
	draw_hline(t, y + h - 1, x + 1, w - 2, A_NORMAL);
	put(y + h - 1, x + w - 1, 1, g->corner_br, A_NORMAL);
}

static void draw_window(struct vs_tui *t)
{
	struct vs_tui_win *win = t->win;
	int y = 1, x = COLS >= 84 && !win->plain ? 2 : 0, h = LINES - 2, w = COLS - 2 * x;
	int inner_h = h - 2, inner_w = win->plain ? w : w - 4, text_x = win->plain ? 0 : x + 2;
	size_t total, max_scroll;

	if (h < 3 || w < 8)
		return;
	if (win->plain) {
		/* Rules above and below only: a mouse selection then takes the text alone. */
		for (int i = 0; i < h; i++)
			fill(y + i, 0, COLS, A_NORMAL);
		draw_hline(t, y, 0, COLS, A_NORMAL);
		draw_hline(t, y + h - 1, 0, COLS, A_NORMAL);
	} else {
		draw_box(t, y, x, h, w);
	}
	put(y, x + 2, w - 4, " ", A_NORMAL);
	put(y, x + 3 + put(y, x + 3, w - 7, win->title, A_BOLD), 1, " ", A_NORMAL);
	total = draw_text(t, &win->text, y + 1, text_x, inner_w, 0, 0);
	max_scroll = total > (size_t)inner_h ? total - (size_t)inner_h : 0;
	if (win->scroll > max_scroll)
		win->scroll = max_scroll;
	win->n_display = total;
	win->page = inner_h > 0 ? (size_t)inner_h : 1;
	draw_text(t, &win->text, y + 1, text_x, inner_w, inner_h, win->scroll);
	if (total > (size_t)inner_h) {
		char pos[48];
		int n = snprintf(pos, sizeof(pos), " lines %zu-%zu of %zu ", win->scroll + 1,
				 win->scroll + (size_t)inner_h, total);

		if (n < w - 4)
			put(y + h - 1, x + w - 2 - n, n, pos, A_NORMAL);
	}
}

void vs_tui_draw(struct vs_tui *t)
{
	struct layout l = layout();

	erase();
	if (LINES < 5 || COLS < 30) {
		put(0, 0, COLS, "vfioscope: the terminal is too small", A_BOLD);
		refresh();
		return;
	}
	draw_header(t);
	if (t->cursor < t->top)
		t->top = t->cursor;
	if (l.list_h > 0 && t->cursor >= t->top + (size_t)l.list_h)
		t->top = t->cursor - (size_t)l.list_h + 1;
	if (t->top + (size_t)l.list_h > t->n_rows)
		t->top = t->n_rows > (size_t)l.list_h ? t->n_rows - (size_t)l.list_h : 0;
	t->list_page = l.list_h > 0 ? (size_t)l.list_h : 1;
	for (int i = 0; i < l.list_h && t->top + (size_t)i < t->n_rows; i++)
		draw_row(t, &t->rows[t->top + (size_t)i], l.list_y + i, t->top + (size_t)i == t->cursor);
	if (!t->n_rows)
		put(l.list_y, 2, COLS - 4, "No devices found.", A_NORMAL);
	if (l.detail_h > 0)
		draw_detail(t, &l);
	if (t->win)
		draw_window(t);
	draw_status(t, &l);
	if (!t->prompting)
		move(l.status_y, COLS - 1);
	refresh();
}
