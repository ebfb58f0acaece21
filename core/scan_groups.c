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
static bool unknown_member_blocks(int gfd, const char *name)
{
	char *rel, *drv = NULL;
	bool blocks;

	if (asprintf(&rel, "devices/%s/driver", name) < 0)
		return false;
	blocks = vs_link_basename(gfd, rel, &drv) == 0 && !vs_driver_managed_dma(drv);
	free(drv);
	free(rel);
	return blocks;
}

static int read_group(struct vs_scan *sc, int gdir, struct vs_group *g, bool *unknown_blocks)
{
	char idstr[16], *s;
	struct dirent *de;
	ssize_t n;
	DIR *d;
	int gfd, dfd, r = 0;

	*unknown_blocks = false;
	snprintf(idstr, sizeof(idstr), "%d", g->id);
	gfd = openat(gdir, idstr, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (gfd < 0)
		return vs_topology_warn(sc->topo, "IOMMU group %d: cannot open (%s)", g->id,
					strerror(errno));
	n = vs_read_attr(gfd, "type", &s);
	if (n == -ENOMEM)
		goto oom;
	if (n >= 0)
		g->type = s;
	n = vs_read_attr(gfd, "name", &s);
	if (n == -ENOMEM)
		goto oom;
	if (n >= 0)
		g->name = s;
	dfd = openat(gfd, "devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		close(gfd);
		return vs_topology_warn(sc->topo, "IOMMU group %d: cannot list its devices", g->id);
	}
	while ((de = readdir(d))) {
		struct vs_device *dev;
		char **nu;

		if (de->d_name[0] == '.')
			continue;
		dev = vs_strmap_get(&sc->priv->by_name, de->d_name);
		if (dev) {
			if (dev->iommu_group == g->id)
				continue;	/* added from the device side below */
			if (dev->iommu_group < 0 && !(dev->errors & VS_DEVERR_PATH)) {
				r = vs_device_problem(dev, VS_DEVERR_GROUP,
					"listed in IOMMU group %d but has no iommu_group link", g->id);
				if (r < 0 || (r = add_member(g, dev)) < 0)
					break;
			} else if (!(dev->errors & VS_DEVERR_PATH)) {
				r = vs_device_problem(dev, VS_DEVERR_GROUP,
					"listed in IOMMU group %d but its iommu_group link says %d",
					g->id, dev->iommu_group);
				if (r < 0)
					break;
			}
			continue;
		}
		nu = realloc(g->unknown_members, (g->n_unknown_members + 1) * sizeof(*nu));
		if (!nu) {
			r = -ENOMEM;
			break;
		}
		g->unknown_members = nu;
		if (!(nu[g->n_unknown_members] = strdup(de->d_name))) {
			r = -ENOMEM;
			break;
		}
		g->n_unknown_members++;
		if (unknown_member_blocks(gfd, de->d_name))
			*unknown_blocks = true;
	}
	closedir(d);
	close(gfd);
	return r;
oom:
	close(gfd);
	return -ENOMEM;
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
	t->n_groups = n;
	t->iommu = n > 0;
	for (i = 0; i < n && r == 0; i++) {
		t->groups[i].id = ids[i];
		r = read_group(sc, dirfd(d), &t->groups[i], &unknown_blocks[i]);
	}
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
