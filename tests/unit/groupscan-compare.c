// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * groupscan-compare ROOT...: the fast links-only scan behind `groups --json`
 * (vs_groups_scan) must say what the full scan says about every IOMMU group
 * of each system root: ids, type, name, members with their drivers,
 * unknown members, viability and the blocking members. Run by
 * tests/groupscan.sh over every fixture.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "vfioscope/groupscan.h"
#include "vfioscope/topology.h"

static const char *s(const char *v)
{
	return v ? v : "(null)";
}

static void compare_group(const char *root, const struct vs_group *f, const struct vs_group *g)
{
	size_t i;

	if (strcmp(s(f->type), s(g->type)) || strcmp(s(f->name), s(g->name)) ||
	    f->viable != g->viable || f->n_members != g->n_members ||
	    f->n_unknown_members != g->n_unknown_members || f->n_blocking != g->n_blocking) {
		fprintf(stderr, "%s: group %d: full scan type %s name %s viable %d, %zu members, "
			"%zu unknown, %zu blocking; fast scan type %s name %s viable %d, %zu members, "
			"%zu unknown, %zu blocking\n", root, f->id, s(f->type), s(f->name),
			f->viable, f->n_members, f->n_unknown_members, f->n_blocking, s(g->type),
			s(g->name), g->viable, g->n_members, g->n_unknown_members, g->n_blocking);
		check_failures++;
		return;
	}
	for (i = 0; i < f->n_members; i++) {
		const struct vs_device *a = f->members[i], *b = g->members[i];

		if (strcmp(a->name, b->name) || a->bus != b->bus ||
		    strcmp(s(a->driver), s(b->driver))) {
			fprintf(stderr, "%s: group %d member %zu: full scan %s on %s, fast scan %s "
				"on %s\n", root, f->id, i, a->name, s(a->driver), b->name,
				s(b->driver));
			check_failures++;
		}
	}
	for (i = 0; i < f->n_unknown_members; i++)
		if (strcmp(f->unknown_members[i], g->unknown_members[i])) {
			fprintf(stderr, "%s: group %d: unknown member %s / %s\n", root, f->id,
				f->unknown_members[i], g->unknown_members[i]);
			check_failures++;
		}
	for (i = 0; i < f->n_blocking; i++)
		if (strcmp(f->blocking[i]->name, g->blocking[i]->name)) {
			fprintf(stderr, "%s: group %d: blocking %s / %s\n", root, f->id,
				f->blocking[i]->name, g->blocking[i]->name);
			check_failures++;
		}
}

static void compare_root(const char *root)
{
	struct vs_scan_opts opts = { .sysroot = root, .what = VS_SCAN_PLATFORM | VS_SCAN_CONFIG };
	struct vs_topology *full = NULL, *fast = NULL;
	struct vs_err err = VS_ERR_INIT;
	size_t i;

	if (vs_topology_scan(&opts, &full, &err) < 0) {
		fprintf(stderr, "%s: full scan: %s\n", root, vs_err_msg(&err));
		check_failures++;
		vs_err_release(&err);
		return;
	}
	if (vs_groups_scan(root, &fast, &err) < 0) {
		fprintf(stderr, "%s: groups scan: %s\n", root, vs_err_msg(&err));
		check_failures++;
		vs_err_release(&err);
		vs_topology_free(full);
		return;
	}
	CHECK_INT(fast->iommu, full->iommu);
	CHECK_INT(fast->n_groups, full->n_groups);
	for (i = 0; i < full->n_groups && i < fast->n_groups; i++) {
		CHECK_INT(fast->groups[i].id, full->groups[i].id);
		if (fast->groups[i].id == full->groups[i].id)
			compare_group(root, &full->groups[i], &fast->groups[i]);
	}
	/* Every device either scan holds, with the same driver. */
	CHECK_INT(fast->n_devices, full->n_devices);
	for (i = 0; i < full->n_devices; i++) {
		const struct vs_device *a = full->devices[i];
		const struct vs_device *b = vs_topology_find(fast, a->name);

		if (!b || strcmp(s(a->driver), s(b->driver))) {
			fprintf(stderr, "%s: %s: full scan driver %s, fast scan %s\n", root, a->name,
				s(a->driver), b ? s(b->driver) : "(device missing)");
			check_failures++;
		}
	}
	vs_topology_free(fast);
	vs_topology_free(full);
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: groupscan-compare ROOT...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		compare_root(argv[i]);
	return check_result("groupscan-compare");
}
