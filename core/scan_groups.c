// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOMMU groups from sys/kernel/iommu_groups/N: type, name, members, and
 * whether VFIO could use the group right now (every member unbound or on a
 * driver that does not use the kernel DMA API on it).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"

#define GROUPS_DIR "sys/kernel/iommu_groups"

static int dev_index_cmp(const void *a, const void *b)
{
	const struct vs_device *x = *(struct vs_device *const *)a;
	const struct vs_device *y = *(struct vs_device *const *)b;

	return (x->index > y->index) - (x->index < y->index);
}

static int add_member(struct vs_group *g, struct vs_device *dev)
{
	struct vs_device **nm = realloc(g->members, (g->n_members + 1) * sizeof(*nm));

	if (!nm)
		return -ENOMEM;
	g->members = nm;
	g->members[g->n_members++] = dev;
	return 0;
}

/* The driver of a member the model does not hold, read through the group's link. */
static bool unknown_member_blocks(int gdir, int id, const char *name)
{
	char *rel, *drv = NULL;
	bool blocks;

	if (asprintf(&rel, "%d/devices/%s/driver", id, name) < 0)
		return false;
	blocks = vs_link_basename(gdir, rel, &drv) == 0 && !vs_driver_managed_dma(drv);
	free(drv);
	free(rel);
	return blocks;
}

static int add_unknown(struct vs_group *g, char *name)
{
	char **nu = realloc(g->unknown_members, (g->n_unknown_members + 1) * sizeof(*nu));

	if (!nu)
		return -ENOMEM;
	g->unknown_members = nu;
	nu[g->n_unknown_members++] = name;
	return 0;
}

/* A group's files as read (on worker threads), before membership is resolved. */
struct group_raw {
	int id;
	char **names;		/* devices/ listing */
	size_t n_names;
	int list_err;		/* negative errno of the listing */
	char *type, *name;
};

struct raw_ctx {
	int gdir;
	bool fills;		/* vs_readdir_fills(gdir) */
	struct group_raw *raw;
};

/*
 * Paths relative to the groups directory: one listing (one getdents64 on
 * sysfs, which fills the buffer) and two small reads.
 */
static int read_group_files(void *ctx, size_t i)
{
	struct raw_ctx *c = ctx;
	struct group_raw *g = &c->raw[i];
	char rel[48];
	ssize_t len;
	int r;

	snprintf(rel, sizeof(rel), "%d/devices", g->id);
	r = vs_list_dir_ex(c->gdir, rel, c->fills, &g->names, &g->n_names);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		g->list_err = r;
		return 0;
	}
	snprintf(rel, sizeof(rel), "%d/type", g->id);
	len = vs_scan_attr(c->gdir, rel, &g->type);
	if (len == -ENOMEM)
		return -ENOMEM;
	snprintf(rel, sizeof(rel), "%d/name", g->id);
	len = vs_scan_attr(c->gdir, rel, &g->name);
	return len == -ENOMEM ? -ENOMEM : 0;
}

/* Members named by the group's listing that the device side does not give. */
static int resolve_listing(struct vs_scan *sc, int gdir, struct vs_group *g,
			   struct group_raw *raw, bool *unknown_blocks)
{
	size_t i;
	int r = 0;

	*unknown_blocks = false;
	for (i = 0; i < raw->n_names && r == 0; i++) {
		struct vs_device *dev = vs_strmap_get(&sc->priv->by_name, raw->names[i]);

		if (!dev) {
			if (unknown_member_blocks(gdir, g->id, raw->names[i]))
				*unknown_blocks = true;
			r = add_unknown(g, raw->names[i]);
			if (r == 0)
				raw->names[i] = NULL;	/* now owned by the group */
			continue;
		}
		if (dev->iommu_group < 0 && (sc->what & VS_SCAN_LINKS_ONLY))
			dev->iommu_group = g->id;	/* the listing is all that is read */
		if (dev->iommu_group == g->id || (dev->errors & VS_DEVERR_PATH))
			continue;	/* added from the device side */
		if (dev->iommu_group < 0) {
			r = vs_device_problem(dev, VS_DEVERR_GROUP,
				"listed in IOMMU group %d but has no iommu_group link", g->id);
			if (r == 0)
				r = add_member(g, dev);
		} else {
			r = vs_device_problem(dev, VS_DEVERR_GROUP,
				"listed in IOMMU group %d but its iommu_group link says %d",
				g->id, dev->iommu_group);
		}
	}
	return r;
}

static int compute_viability(struct vs_group *g, bool unknown_blocks)
{
	size_t i;

	g->viable = !unknown_blocks;
	for (i = 0; i < g->n_members; i++) {
		struct vs_device *dev = g->members[i];
		struct vs_device **nb;

		if (vs_driver_managed_dma(dev->driver))
			continue;
		g->viable = false;
		nb = realloc(g->blocking, (g->n_blocking + 1) * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		g->blocking = nb;
		g->blocking[g->n_blocking++] = dev;
	}
	return 0;
}

static int raw_cmp(const void *a, const void *b)
{
	const struct group_raw *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static void raw_free(struct group_raw *raw, size_t n)
{
	size_t i;

	for (i = 0; raw && i < n; i++) {
		vs_free_names(raw[i].names, raw[i].n_names);
		free(raw[i].type);
		free(raw[i].name);
	}
	free(raw);
}

int vs_scan_groups(struct vs_scan *sc)
{
	struct vs_topology *t = sc->topo;
	struct group_raw *raw = NULL;
	bool *unknown_blocks = NULL;
	char **entries = NULL;
	size_t n_entries = 0, n = 0, i;
	int gdir, r;

	gdir = openat(t->root->fd, GROUPS_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = gdir < 0 ? -errno : vs_list_dir(gdir, ".", &entries, &n_entries);
	if (r < 0) {
		if (gdir >= 0)
			close(gdir);
		if (r == -ENOMEM)
			return r;
		if (r == -ENOENT)
			return 0;	/* no IOMMU: a normal state */
		return vs_topology_warn(t, "cannot read %s: %s", GROUPS_DIR, strerror(-r));
	}
	raw = calloc(n_entries ? n_entries : 1, sizeof(*raw));
	unknown_blocks = calloc(n_entries ? n_entries : 1, sizeof(*unknown_blocks));
	t->groups = calloc(n_entries ? n_entries : 1, sizeof(*t->groups));
	if (!raw || !unknown_blocks || !t->groups) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n_entries; i++) {
		int id;

		if (vs_parse_int(entries[i], 0, 0x7fffffff, &id) == 0)
			raw[n++].id = id;
	}
	if (n)
		qsort(raw, n, sizeof(*raw), raw_cmp);
	{
		struct raw_ctx c = { .gdir = gdir, .fills = vs_readdir_fills(gdir), .raw = raw };

		r = vs_parallel_for(n, read_group_files, &c);
	}
	for (i = 0; i < n && r == 0; i++) {
		struct vs_group *g = &t->groups[t->n_groups];

		if (raw[i].list_err) {
			r = vs_topology_warn(t, "IOMMU group %d: cannot list its devices (%s); ignored",
					     raw[i].id, strerror(-raw[i].list_err));
			continue;
		}
		g->id = raw[i].id;
		g->type = raw[i].type;
		g->name = raw[i].name;
		raw[i].type = raw[i].name = NULL;
		t->n_groups++;
		r = resolve_listing(sc, gdir, g, &raw[i], &unknown_blocks[t->n_groups - 1]);
	}
	n = t->n_groups;
	t->iommu = n > 0;
	/* Members from the device side: each device's iommu_group link. */
	for (i = 0; i < t->n_devices && r == 0; i++) {
		struct vs_device *dev = t->devices[i];
		struct vs_group *g;

		if (dev->iommu_group < 0)
			continue;
		g = (struct vs_group *)vs_topology_group(t, dev->iommu_group);
		if (!g) {
			r = vs_device_problem(dev, VS_DEVERR_GROUP,
				"iommu_group link names group %d, which %s does not have",
				dev->iommu_group, GROUPS_DIR);
			continue;
		}
		r = add_member(g, dev);
	}
	for (i = 0; i < n && r == 0; i++) {
		struct vs_group *g = &t->groups[i];

		if (g->n_members > 1)
			qsort(g->members, g->n_members, sizeof(*g->members), dev_index_cmp);
		r = compute_viability(g, unknown_blocks[i]);
	}
out:
	raw_free(raw, n_entries);
	vs_free_names(entries, n_entries);
	free(unknown_blocks);
	close(gdir);
	return r;
}
