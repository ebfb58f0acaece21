// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From the model to the rows of a view. The rows are rebuilt only when the
 * scan, the view or the fold state changes; drawing then touches only the
 * rows on the screen. Rows are identified by keys ("d:NAME", "g:12",
 * "s:pci0000:00") so that the cursor, the folds and the selection survive a
 * rebuild and a rescan.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

static bool is_vfio_driver(const char *driver)
{
	return driver && !strncmp(driver, "vfio", 4);
}

static char *make_label(const struct vs_device *dev)
{
	char *s = NULL;
	int ret = 0;

	switch (dev->bus) {
	case VS_BUS_PCI:
		if (dev->pci->device_name)
			return strdup(dev->pci->device_name);
		if (dev->pci->vendor_name)
			ret = asprintf(&s, "Device %04x (%s)", dev->pci->device,
				       dev->pci->vendor_name);
		else if (dev->pci->ids_valid)
			ret = asprintf(&s, "Device %04x:%04x", dev->pci->vendor,
				       dev->pci->device);
		else
			return strdup("(IDs unreadable)");
		break;
	case VS_BUS_PLATFORM:
	case VS_BUS_AMBA:
		if (dev->plat && dev->plat->compatible)
			return strdup(dev->plat->compatible);
		if (dev->plat && dev->plat->of_node)
			return strdup(dev->plat->of_node);
		return strdup(vs_bus_name(dev->bus));
	case VS_BUS_FSL_MC:
		if (dev->mc && dev->mc->obj_type)
			return strdup(dev->mc->obj_type);
		return strdup("fsl-mc object");
	}
	return ret < 0 ? NULL : s;
}

static bool group_partial(const struct vs_group *g)
{
	bool vfio = false, other = false;

	for (size_t i = 0; i < g->n_members; i++) {
		const struct vs_device *m = g->members[i];

		if (m->bus == VS_BUS_PCI && vs_pci_is_bridge(m))
			continue;
		if (is_vfio_driver(m->driver))
			vfio = true;
		else
			other = true;
	}
	return vfio && other;
}

int vs_tui_devs_build(struct vs_tui *t)
{
	const struct vs_topology *topo = t->topo;
	struct vs_tui_dev *devs = calloc(topo->n_devices ? topo->n_devices : 1, sizeof(*devs));

	if (!devs)
		return -ENOMEM;
	t->devs = devs;
	for (size_t i = 0; i < topo->n_devices; i++) {
		const struct vs_device *dev = topo->devices[i];
		struct vs_tui_dev *d = &devs[dev->index];
		char *label = make_label(dev);
		struct vs_strbuf hay = VS_STRBUF_INIT;

		d->name = vs_tui_sanitize(t, dev->name);
		d->label = vs_tui_sanitize(t, label ? label : "");
		free(label);
		if (dev->driver)
			d->driver = vs_tui_sanitize(t, dev->driver);
		if (!d->name || !d->label || (dev->driver && !d->driver))
			return -ENOMEM;
		vs_strbuf_addf(&hay, "%s %s %s", d->name, d->label, d->driver ? d->driver : "");
		d->haystack = vs_strbuf_detach(&hay);
		if (!d->haystack)
			return -ENOMEM;
		for (char *p = d->haystack; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	t->n_viable = 0;
	for (size_t g = 0; g < topo->n_groups; g++) {
		const struct vs_group *grp = &topo->groups[g];
		bool partial = group_partial(grp);

		if (grp->viable)
			t->n_viable++;
		for (size_t i = 0; i < grp->n_blocking; i++)
			devs[grp->blocking[i]->index].blocking = true;
		for (size_t i = 0; i < grp->n_members; i++)
			devs[grp->members[i]->index].partial = partial;
	}
	return 0;
}

/* ---- rows ---- */

struct builder {
	struct vs_tui *t;
	struct vs_tui_row *rows;
	size_t n, alloc;
	bool oom;
	char prefix;		/* 't', 'g' or 'p': fold keys are per view */
	/* Search order mode: no rows; every row of the view as if nothing were
	 * folded, devices by pointer, headings by key. */
	bool order_only;
	struct order_entry {
		const struct vs_device *dev;
		char *key;
	} *order;
	size_t n_order, alloc_order;
};

static bool is_folded(struct builder *b, const char *key)
{
	struct vs_strbuf k = VS_STRBUF_INIT;
	bool folded;

	vs_strbuf_addch(&k, b->prefix);
	vs_strbuf_add(&k, key);
	folded = vs_tui_names_has(&b->t->collapsed, vs_strbuf_cstr(&k));
	vs_strbuf_release(&k);
	return folded;
}

static void add_order(struct builder *b, const struct vs_device *dev, const char *heading)
{
	char *key = NULL;

	if (heading && !(key = strdup(heading))) {
		b->oom = true;
		return;
	}
	if (b->n_order == b->alloc_order) {
		size_t alloc = b->alloc_order ? b->alloc_order * 2 : 64;
		struct order_entry *v = realloc(b->order, alloc * sizeof(*v));

		if (!v) {
			free(key);
			b->oom = true;
			return;
		}
		b->order = v;
		b->alloc_order = alloc;
	}
	b->order[b->n_order++] = (struct order_entry){ .dev = dev, .key = key };
}

/* Append a row; @guides_parent are the parent's guides (NULL at the top). */
static struct vs_tui_row *add_row(struct builder *b, enum vs_tui_row_kind kind,
				  const char *key, size_t parent, bool last)
{
	struct vs_tui_row *row;
	const struct vs_tui_row *up = parent == SIZE_MAX ? NULL : &b->rows[parent];
	unsigned depth = up ? up->depth + 1 : 0;

	if (b->oom)
		return NULL;
	if (b->n == b->alloc) {
		size_t alloc = b->alloc ? b->alloc * 2 : 64;
		struct vs_tui_row *v = realloc(b->rows, alloc * sizeof(*v));

		if (!v) {
			b->oom = true;
			return NULL;
		}
		b->rows = v;
		b->alloc = alloc;
		up = parent == SIZE_MAX ? NULL : &b->rows[parent];
	}
	row = &b->rows[b->n];
	*row = (struct vs_tui_row){ .kind = kind, .depth = depth, .parent = parent };
	row->key = strdup(key);
	row->guides = malloc(depth + 1);
	if (!row->key || !row->guides) {
		free(row->key);
		free(row->guides);
		b->oom = true;
		return NULL;
	}
	/* Ancestors' guides below the top level continue as '|' or stop as ' '. */
	for (unsigned i = 0; up && i + 1 < depth; i++)
		row->guides[i] = (up->guides[i] == '+' || up->guides[i] == '|') ? '|' : ' ';
	if (depth)
		row->guides[depth - 1] = last ? '`' : '+';
	row->guides[depth] = '\0';
	b->n++;
	return row;
}

/* Children of @dev in the tree: its children without the VFs, then its VFs. */
static size_t tree_children(const struct vs_device *dev, const struct vs_device **out)
{
	size_t n = 0;

	for (size_t i = 0; i < dev->n_children; i++) {
		const struct vs_device *c = dev->children[i];

		if (c->pci && c->pci->is_vf && c->pci->physfn)
			continue;
		if (out)
			out[n] = c;
		n++;
	}
	if (dev->pci) {
		for (size_t i = 0; i < dev->pci->n_vfs; i++) {
			if (out)
				out[n] = dev->pci->vfs[i];
			n++;
		}
	}
	return n;
}

static void tree_device(struct builder *b, const struct vs_device *dev, size_t parent,
			bool last, unsigned depth)
{
	size_t nc = tree_children(dev, NULL);
	const struct vs_device **kids;
	struct vs_strbuf key = VS_STRBUF_INIT;
	size_t me = b->n;
	bool folded;

	if (b->oom || depth > 512)
		return;
	vs_strbuf_addf(&key, "d:%s", dev->name);
	folded = nc && is_folded(b, vs_strbuf_cstr(&key));
	if (b->order_only) {
		add_order(b, dev, NULL);
	} else {
		struct vs_tui_row *row = add_row(b, VS_ROW_DEVICE, vs_strbuf_cstr(&key), parent, last);

		if (row) {
			row->dev = dev;
			row->group = vs_device_group(b->t->topo, dev);
			row->has_children = nc > 0;
			row->collapsed = folded;
		}
	}
	vs_strbuf_release(&key);
	if (!nc || (folded && !b->order_only))
		return;
	kids = calloc(nc, sizeof(*kids));
	if (!kids) {
		b->oom = true;
		return;
	}
	tree_children(dev, kids);
	for (size_t i = 0; i < nc; i++)
		tree_device(b, kids[i], me, i + 1 == nc, depth + 1);
	free(kids);
}

/* The section a top-level device is listed under: key and heading. */
static void section_of(const struct vs_device *dev, struct vs_strbuf *key, struct vs_strbuf *title)
{
	switch (dev->bus) {
	case VS_BUS_PCI:
		if (dev->pci->root_bus) {
			vs_strbuf_addf(key, "s:%s", dev->pci->root_bus);
			vs_strbuf_addf(title, "PCI domain %04x (%s)", dev->pci->domain,
				       dev->pci->root_bus);
		} else {
			vs_strbuf_addf(key, "s:pci%04x", dev->pci->domain);
			vs_strbuf_addf(title, "PCI domain %04x", dev->pci->domain);
		}
		return;
	case VS_BUS_PLATFORM:
		vs_strbuf_add(key, "s:platform");
		vs_strbuf_add(title, "Platform devices");
		return;
	case VS_BUS_AMBA:
		vs_strbuf_add(key, "s:amba");
		vs_strbuf_add(title, "AMBA devices");
		return;
	case VS_BUS_FSL_MC:
		vs_strbuf_add(key, "s:fsl-mc");
		vs_strbuf_add(title, "fsl-mc (DPAA2) objects");
		return;
	}
}

static bool is_top(const struct vs_device *dev)
{
	return !dev->parent && !(dev->pci && dev->pci->is_vf && dev->pci->physfn);
}

struct top {
	const struct vs_device *dev;
	char *key;		/* section key */
	bool done;
};

/* The Tree view lists every bus; the Platform view only the non-PCI ones. */
static void build_tree(struct builder *b, bool platform_only)
{
	const struct vs_topology *topo = b->t->topo;
	struct top *tops = calloc(topo->n_devices + 1, sizeof(*tops));
	size_t n_tops = 0;

	if (!tops) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; i < topo->n_devices && !b->oom; i++) {
		struct vs_strbuf key = VS_STRBUF_INIT, title = VS_STRBUF_INIT;

		if (!is_top(topo->devices[i]) ||
		    (platform_only && topo->devices[i]->bus == VS_BUS_PCI))
			continue;
		section_of(topo->devices[i], &key, &title);
		vs_strbuf_release(&title);
		tops[n_tops].dev = topo->devices[i];
		if (!(tops[n_tops++].key = vs_strbuf_detach(&key)))
			b->oom = true;
	}
	/* Sections in the order of their first device; the model's order keeps
	 * a section's devices together except for odd root-bus layouts. */
	for (size_t i = 0; i < n_tops && !b->oom; i++) {
		struct vs_strbuf key = VS_STRBUF_INIT, title = VS_STRBUF_INIT;
		size_t members = 0, seen = 0, sec = b->n;
		bool folded;

		if (tops[i].done)
			continue;
		for (size_t j = i; j < n_tops; j++)
			members += !strcmp(tops[j].key, tops[i].key);
		section_of(tops[i].dev, &key, &title);
		folded = is_folded(b, tops[i].key);
		if (b->order_only) {
			add_order(b, NULL, tops[i].key);
		} else {
			struct vs_tui_row *row = add_row(b, VS_ROW_SECTION, tops[i].key, SIZE_MAX, true);

			if (row) {
				row->title = vs_tui_sanitize(b->t, vs_strbuf_cstr(&title));
				row->has_children = members > 0;
				row->collapsed = folded;
				if (!row->title)
					b->oom = true;
			}
		}
		vs_strbuf_release(&key);
		vs_strbuf_release(&title);
		for (size_t j = i; j < n_tops && seen < members; j++) {
			if (strcmp(tops[j].key, tops[i].key))
				continue;
			tops[j].done = true;
			seen++;
			if (!folded || b->order_only)
				tree_device(b, tops[j].dev, sec, seen == members, 1);
		}
	}
	for (size_t i = 0; i < n_tops; i++)
		free(tops[i].key);
	free(tops);
}

static void build_groups(struct builder *b)
{
	const struct vs_topology *topo = b->t->topo;
	size_t n_nogroup = 0;

	for (size_t g = 0; g < topo->n_groups && !b->oom; g++) {
		const struct vs_group *grp = &topo->groups[g];
		struct vs_strbuf key = VS_STRBUF_INIT;
		size_t me = b->n;
		bool folded;

		vs_strbuf_addf(&key, "g:%d", grp->id);
		folded = is_folded(b, vs_strbuf_cstr(&key));
		if (b->order_only) {
			add_order(b, NULL, vs_strbuf_cstr(&key));
		} else {
			struct vs_tui_row *row = add_row(b, VS_ROW_GROUP, vs_strbuf_cstr(&key),
							 SIZE_MAX, true);

			if (row) {
				row->group = grp;
				row->has_children = grp->n_members > 0;
				row->collapsed = folded;
			}
		}
		vs_strbuf_release(&key);
		if (folded && !b->order_only)
			continue;
		for (size_t i = 0; i < grp->n_members && !b->oom; i++) {
			const struct vs_device *dev = grp->members[i];

			if (b->order_only) {
				add_order(b, dev, NULL);
				continue;
			}
			struct vs_strbuf dk = VS_STRBUF_INIT;
			struct vs_tui_row *row;

			vs_strbuf_addf(&dk, "d:%s", dev->name);
			row = add_row(b, VS_ROW_DEVICE, vs_strbuf_cstr(&dk), me,
				      i + 1 == grp->n_members);
			vs_strbuf_release(&dk);
			if (row) {
				row->dev = dev;
				row->group = grp;
			}
		}
	}
	for (size_t i = 0; i < topo->n_devices; i++) {
		if (topo->devices[i]->iommu_group < 0)
			n_nogroup++;
	}
	if (!n_nogroup || b->oom)
		return;

	size_t sec = b->n, seen = 0;
	bool folded = is_folded(b, "s:nogroup");

	if (b->order_only) {
		add_order(b, NULL, "s:nogroup");
	} else {
		struct vs_tui_row *row = add_row(b, VS_ROW_SECTION, "s:nogroup", SIZE_MAX, true);

		if (row) {
			row->title = strdup(topo->iommu ? "Devices without an IOMMU group"
						       : "No IOMMU groups: the kernel runs without an IOMMU");
			row->has_children = true;
			row->collapsed = folded;
			if (!row->title)
				b->oom = true;
		}
		if (folded)
			return;
	}
	for (size_t i = 0; i < topo->n_devices && !b->oom; i++) {
		const struct vs_device *dev = topo->devices[i];
		struct vs_strbuf dk = VS_STRBUF_INIT;
		struct vs_tui_row *row;

		if (dev->iommu_group >= 0)
			continue;
		seen++;
		if (b->order_only) {
			add_order(b, dev, NULL);
			continue;
		}
		vs_strbuf_addf(&dk, "d:%s", dev->name);
		row = add_row(b, VS_ROW_DEVICE, vs_strbuf_cstr(&dk), sec, seen == n_nogroup);
		vs_strbuf_release(&dk);
		if (row)
			row->dev = dev;
	}
}

static void rows_release(struct vs_tui_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].title);
		free(rows[i].key);
		free(rows[i].guides);
	}
	free(rows);
}

void vs_tui_rows_free(struct vs_tui *t)
{
	rows_release(t->rows, t->n_rows);
	t->rows = NULL;
	t->n_rows = 0;
}

static char view_prefix(enum vs_tui_view view)
{
	return view == VS_VIEW_TREE ? 't' : view == VS_VIEW_GROUPS ? 'g' : 'p';
}

bool vs_tui_has_platform(const struct vs_tui *t)
{
	return t->topo && t->topo->n_pci < t->topo->n_devices;
}

static void build(struct builder *b)
{
	/* a rescan may take the last platform device away */
	if (b->t->view == VS_VIEW_PLATFORM && !vs_tui_has_platform(b->t))
		b->t->view = VS_VIEW_TREE;
	b->prefix = view_prefix(b->t->view);
	if (b->t->view == VS_VIEW_GROUPS)
		build_groups(b);
	else
		build_tree(b, b->t->view == VS_VIEW_PLATFORM);
}

static bool find_key(const struct vs_tui_row *rows, size_t n, const char *key, size_t *out)
{
	for (size_t i = 0; key && i < n; i++) {
		if (!strcmp(rows[i].key, key)) {
			*out = i;
			return true;
		}
	}
	return false;
}

int vs_tui_rows_build(struct vs_tui *t)
{
	struct builder b = { .t = t };
	char *cur_key = NULL, *parent_key = NULL, *group_key = NULL;
	size_t old_cursor = t->cursor, old_offset = t->cursor - t->top, pos;
	const struct vs_tui_row *cur = vs_tui_cursor_row(t);

	/* Remember where the cursor was by key: the row itself, its parent,
	 * or (a group row, for the Tree view) the group's first member. */
	if (cur) {
		cur_key = strdup(cur->key);
		if (cur->parent != SIZE_MAX)
			parent_key = strdup(t->rows[cur->parent].key);
		if (cur->kind == VS_ROW_GROUP && cur->group->n_members) {
			struct vs_strbuf gk = VS_STRBUF_INIT;

			vs_strbuf_addf(&gk, "d:%s", cur->group->members[0]->name);
			group_key = vs_strbuf_detach(&gk);
		}
	}
	build(&b);
	if (b.oom) {
		rows_release(b.rows, b.n);
		free(cur_key);
		free(parent_key);
		free(group_key);
		return -ENOMEM;
	}
	vs_tui_rows_free(t);
	t->rows = b.rows;
	t->n_rows = b.n;
	/* the cursor moved since it lost its row: that row is forgotten */
	if (t->anchor && !vs_streq(cur_key, t->landed)) {
		free(t->anchor);
		t->anchor = NULL;
	}
	if (find_key(t->rows, t->n_rows, t->anchor, &pos)) {
		t->cursor = pos;
		free(t->anchor);
		t->anchor = NULL;
	} else if (find_key(t->rows, t->n_rows, cur_key, &pos)) {
		t->cursor = pos;
	} else {
		if (!t->anchor && cur_key) {
			t->anchor = cur_key;
			cur_key = NULL;
		}
		if (find_key(t->rows, t->n_rows, group_key, &pos) ||
		    find_key(t->rows, t->n_rows, parent_key, &pos))
			t->cursor = pos;
		else
			t->cursor = old_cursor < t->n_rows ? old_cursor : (t->n_rows ? t->n_rows - 1 : 0);
	}
	free(t->landed);
	t->landed = t->anchor && t->cursor < t->n_rows ? strdup(t->rows[t->cursor].key) : NULL;
	if (t->anchor && !t->landed) {
		free(t->anchor);
		t->anchor = NULL;
	}
	/* Keep the cursor at the same height on the screen when possible. */
	t->top = t->cursor >= old_offset ? t->cursor - old_offset : 0;
	free(cur_key);
	free(parent_key);
	free(group_key);
	return 0;
}

const struct vs_tui_row *vs_tui_cursor_row(const struct vs_tui *t)
{
	return t->cursor < t->n_rows ? &t->rows[t->cursor] : NULL;
}

char *vs_tui_fold_key(const struct vs_tui *t, const struct vs_tui_row *row)
{
	char *k = NULL;

	if (asprintf(&k, "%c%s", view_prefix(t->view), row->key) < 0)
		return NULL;
	return k;
}

int vs_tui_find_device_row(const struct vs_tui *t, const char *name, size_t *out)
{
	for (size_t i = 0; i < t->n_rows; i++) {
		if (t->rows[i].kind == VS_ROW_DEVICE && !strcmp(t->rows[i].dev->name, name)) {
			*out = i;
			return 0;
		}
	}
	return -ENOENT;
}

bool vs_tui_search_match(const struct vs_tui *t, const struct vs_device *dev, const char *needle)
{
	return strstr(t->devs[dev->index].haystack, needle) != NULL;
}

/* Unfold every ancestor of @dev in the current view. */
static int unfold_to(struct vs_tui *t, const struct vs_device *dev)
{
	char pfx = view_prefix(t->view);
	struct vs_strbuf k = VS_STRBUF_INIT;
	const struct vs_device *top = dev;

	if (t->view == VS_VIEW_GROUPS) {
		if (dev->iommu_group >= 0)
			vs_strbuf_addf(&k, "gg:%d", dev->iommu_group);
		else
			vs_strbuf_add(&k, "gs:nogroup");
		vs_tui_names_del(&t->collapsed, vs_strbuf_cstr(&k));
		vs_strbuf_release(&k);
		return 0;
	}
	for (const struct vs_device *a = dev; a;) {
		const struct vs_device *up = (a->pci && a->pci->is_vf && a->pci->physfn) ?
					     a->pci->physfn : a->parent;

		if (up) {
			vs_strbuf_reset(&k);
			vs_strbuf_addf(&k, "%cd:%s", pfx, up->name);
			vs_tui_names_del(&t->collapsed, vs_strbuf_cstr(&k));
		}
		top = a;
		a = up;
	}
	struct vs_strbuf key = VS_STRBUF_INIT, title = VS_STRBUF_INIT;

	section_of(top, &key, &title);
	vs_strbuf_reset(&k);
	vs_strbuf_addf(&k, "%c%s", pfx, vs_strbuf_cstr(&key));
	vs_tui_names_del(&t->collapsed, vs_strbuf_cstr(&k));
	vs_strbuf_release(&key);
	vs_strbuf_release(&title);
	vs_strbuf_release(&k);
	return 0;
}

static void order_free(struct builder *b)
{
	for (size_t i = 0; i < b->n_order; i++)
		free(b->order[i].key);
	free(b->order);
}

/* Where the cursor row is in the unfolded order (n_order when not found). */
static size_t order_index(const struct builder *b, const struct vs_tui_row *row)
{
	for (size_t i = 0; row && i < b->n_order; i++) {
		const struct order_entry *e = &b->order[i];

		if (row->kind == VS_ROW_DEVICE ? e->dev == row->dev : e->key && !strcmp(e->key, row->key))
			return i;
	}
	return b->n_order;
}

int vs_tui_search(struct vs_tui *t, const char *needle, bool forward)
{
	struct builder b = { .t = t, .order_only = true };
	size_t n, pos, first, found = SIZE_MAX;
	bool wrapped = false;
	char *low = strdup(needle);
	int ret = -ENOENT;

	if (!low)
		return -ENOMEM;
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	build(&b);
	n = b.n_order;
	if (b.oom || !n) {
		order_free(&b);
		free(low);
		return b.oom ? -ENOMEM : -ENOENT;
	}
	/* Search from the row after the cursor's, folded rows included: a
	 * folded heading's devices come right after it. */
	pos = order_index(&b, vs_tui_cursor_row(t));
	if (pos == n)
		pos = forward ? n - 1 : 0;
	first = forward ? pos + 1 : pos + n - 1;
	for (size_t step = 0; step < n; step++) {
		size_t i = forward ? (first + step) % n : (first + n - step) % n;

		if (b.order[i].dev && vs_tui_search_match(t, b.order[i].dev, low)) {
			found = i;
			wrapped = forward ? first + step >= n : first - step < n;
			break;
		}
	}
	if (found != SIZE_MAX) {
		const struct vs_device *dev = b.order[found].dev;
		size_t row;

		unfold_to(t, dev);
		ret = vs_tui_rows_build(t);
		if (!ret && !vs_tui_find_device_row(t, dev->name, &row))
			t->cursor = row;
		if (!ret && wrapped)
			ret = 1;
	}
	order_free(&b);
	free(low);
	return ret;
}

void vs_tui_selected_devices(const struct vs_tui *t, const struct vs_device ***out, size_t *n)
{
	const struct vs_device **v = calloc(t->selected.n + 1, sizeof(*v));
	size_t k = 0;

	*out = v;
	*n = 0;
	if (!v)
		return;
	/* In model order, which is address order for PCI. */
	for (size_t i = 0; i < t->topo->n_devices; i++) {
		if (vs_tui_names_has(&t->selected, t->topo->devices[i]->name))
			v[k++] = t->topo->devices[i];
	}
	*n = k;
}
