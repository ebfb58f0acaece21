// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IOMMU groups from sys/kernel/iommu_groups/N: type, name, members, and
 * whether VFIO could use the group right now (every member unbound or on a
 * driver that does not use the kernel DMA API on it).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"

#define GROUPS_DIR "sys/kernel/iommu_groups"

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

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

/*
 * Read group @g->id: paths relative to the groups directory, so a group
 * costs one listing and two small reads.
 * Return: 0, 1 when the entry is not a usable group directory (dropped), -ENOMEM.
 */
static int read_group(struct vs_scan *sc, int gdir, struct vs_group *g, bool *unknown_blocks)
{
	char rel[48], **names;
	size_t n, i;
	ssize_t len;
	char *s;
	int r;

	*unknown_blocks = false;
	snprintf(rel, sizeof(rel), "%d/devices", g->id);
	r = vs_list_dir(gdir, rel, &names, &n);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		r = vs_topology_warn(sc->topo, "IOMMU group %d: cannot list its devices (%s); ignored",
				     g->id, strerror(-r));
		return r < 0 ? r : 1;
	}
	snprintf(rel, sizeof(rel), "%d/type", g->id);
	len = vs_scan_attr(gdir, rel, &s);
	if (len >= 0)
		g->type = s;
	snprintf(rel, sizeof(rel), "%d/name", g->id);
	if (len != -ENOMEM && (len = vs_scan_attr(gdir, rel, &s)) >= 0)
		g->name = s;
	r = len == -ENOMEM ? -ENOMEM : 0;
	for (i = 0; i < n && r == 0; i++) {
		struct vs_device *dev = vs_strmap_get(&sc->priv->by_name, names[i]);

		if (!dev) {
			if (unknown_member_blocks(gdir, g->id, names[i]))
				*unknown_blocks = true;
			r = add_unknown(g, names[i]);
			if (r == 0)
				names[i] = NULL;	/* now owned by the group */
			continue;
		}
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
	vs_free_names(names, n);
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

int vs_scan_groups(struct vs_scan *sc)
{
	struct vs_topology *t = sc->topo;
	int *ids = NULL, gdir, r = 0;
	bool *unknown_blocks = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;

	gdir = openat(t->root->fd, GROUPS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (gdir < 0) {
		if (errno == ENOENT)
			return 0;	/* no IOMMU: a normal state */
		return vs_topology_warn(t, "cannot read %s: %s", GROUPS_DIR, strerror(errno));
	}
	d = fdopendir(gdir);
	if (!d) {
		close(gdir);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		char *end;
		long v;

		if (de->d_name[0] == '.')
			continue;
		errno = 0;
		v = strtol(de->d_name, &end, 10);
		if (end == de->d_name || *end || errno || v < 0 || v > 0x7fffffff)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			int *ni = realloc(ids, nc * sizeof(*ni));

			if (!ni) {
				r = -ENOMEM;
				goto out;
			}
			ids = ni;
			cap = nc;
		}
		ids[n++] = (int)v;
	}
	if (n)
		qsort(ids, n, sizeof(*ids), int_cmp);
	t->groups = calloc(n ? n : 1, sizeof(*t->groups));
	unknown_blocks = calloc(n ? n : 1, sizeof(*unknown_blocks));
	if (!t->groups || !unknown_blocks) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n && r >= 0; i++) {
		struct vs_group *g = &t->groups[t->n_groups];

		g->id = ids[i];
		r = read_group(sc, dirfd(d), g, &unknown_blocks[t->n_groups]);
		if (r != 1)
			t->n_groups++;	/* also on failure, so that the free sees it */
		else
			memset(g, 0, sizeof(*g));
	}
	if (r == 1)
		r = 0;
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
	free(ids);
	free(unknown_blocks);
	closedir(d);
	return r;
}
