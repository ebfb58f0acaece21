// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vfioscope tree [--json]`: the PCI hierarchy, one line per function, root
 * buses as tree roots, VFs under their PF, VMD domains under their
 * controller.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "devfmt.h"
#include "jsonout.h"
#include "vfioscope/topojson.h"

/* One entry of a level: a device, or a root-bus heading with devices below it. */
struct entry {
	const struct vs_device *dev;
	const char *bus;	/* "pci0001:00"-style heading when dev is NULL */
	const struct vs_device **kids;
	size_t n_kids;
};

struct level {
	struct entry *v;
	size_t n;
};

struct tree {
	struct vs_cli *cli;
	const struct vs_topology *topo;
	struct vs_strbuf line;
	const char *branch, *last, *pipe, *space;
	bool oom;
};

static void level_release(struct level *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].kids);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static struct entry *level_entry(struct tree *t, struct level *l, const struct vs_device *dev,
				 const char *bus)
{
	struct entry *ne;
	size_t i;

	/* Headings collect their devices: reuse one with the same bus name. */
	for (i = 0; bus && i < l->n; i++)
		if (!l->v[i].dev && strcmp(l->v[i].bus, bus) == 0)
			return &l->v[i];
	ne = realloc(l->v, (l->n + 1) * sizeof(*ne));
	if (!ne) {
		t->oom = true;
		return NULL;
	}
	l->v = ne;
	memset(&ne[l->n], 0, sizeof(*ne));
	ne[l->n].dev = dev;
	ne[l->n].bus = bus;
	return &ne[l->n++];
}

static void entry_add_kid(struct tree *t, struct entry *e, const struct vs_device *dev)
{
	const struct vs_device **nk;

	if (!e)
		return;
	nk = realloc(e->kids, (e->n_kids + 1) * sizeof(*nk));
	if (!nk) {
		t->oom = true;
		return;
	}
	e->kids = nk;
	e->kids[e->n_kids++] = dev;
}

static bool is_listed_vf(const struct vs_device *dev)
{
	return dev->pci && dev->pci->physfn;
}

/* What is shown below @dev: its children (VFs moved under their PF), VMD domains last. */
static void build_level(struct tree *t, const struct vs_device *dev, struct level *l)
{
	size_t i;

	for (i = 0; i < dev->n_children; i++) {
		const struct vs_device *c = dev->children[i];

		if (!c->pci || is_listed_vf(c))
			continue;
		if (c->pci->vmd == dev && c->pci->on_root_bus && c->pci->root_bus)
			continue;
		level_entry(t, l, c, NULL);
	}
	for (i = 0; dev->pci && i < dev->pci->n_vfs; i++)
		level_entry(t, l, dev->pci->vfs[i], NULL);
	for (i = 0; i < dev->n_children; i++) {
		const struct vs_device *c = dev->children[i];

		if (c->pci && !is_listed_vf(c) && c->pci->vmd == dev && c->pci->on_root_bus &&
		    c->pci->root_bus)
			entry_add_kid(t, level_entry(t, l, NULL, c->pci->root_bus), c);
	}
}

static void print_entries(struct tree *t, const struct level *l, const char *prefix);

static void print_heading(struct tree *t, const char *bus, bool vmd)
{
	const char *b = strncmp(bus, "pci", 3) == 0 ? bus + 3 : bus;

	vs_strbuf_addf(&t->line, "[%s]%s", vs_cli_term(t->cli, b),
		       vmd ? " VMD domain" : "");
}

static void print_entry(struct tree *t, const struct entry *e, const char *prefix, bool last,
			bool top)
{
	struct level sub = { .v = NULL, .n = 0 };
	struct vs_strbuf np = VS_STRBUF_INIT;
	size_t i;

	vs_strbuf_reset(&t->line);
	vs_strbuf_add(&t->line, prefix);
	if (!top)
		vs_strbuf_add(&t->line, last ? t->last : t->branch);
	if (e->dev)
		vs_cli_device_line(t->cli, &t->line, e->dev, VS_DEVLINE_GROUP);
	else
		print_heading(t, e->bus, !top);
	fprintf(t->cli->out, "%s\n", vs_strbuf_cstr(&t->line));

	vs_strbuf_add(&np, prefix);
	if (!top)
		vs_strbuf_add(&np, last ? t->space : t->pipe);
	if (e->dev) {
		build_level(t, e->dev, &sub);
	} else {
		for (i = 0; i < e->n_kids; i++)
			level_entry(t, &sub, e->kids[i], NULL);
	}
	print_entries(t, &sub, vs_strbuf_cstr(&np));
	level_release(&sub);
	if (np.oom)
		t->oom = true;
	vs_strbuf_release(&np);
}

static void print_entries(struct tree *t, const struct level *l, const char *prefix)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		print_entry(t, &l->v[i], prefix, i + 1 == l->n, false);
}

static int print_tree(struct vs_cli *cli, const struct vs_topology *topo)
{
	struct tree t = {
		.cli = cli,
		.topo = topo,
		.line = VS_STRBUF_INIT,
		.branch = cli->utf8 ? "├── " : "|-- ",
		.last = cli->utf8 ? "└── " : "`-- ",
		.pipe = cli->utf8 ? "│   " : "|   ",
		.space = "    ",
		.oom = false,
	};
	struct level roots = { .v = NULL, .n = 0 };
	size_t i;

	/* Tree roots: the host bridges, in the order of their first device. */
	for (i = 0; i < topo->n_pci; i++) {
		const struct vs_device *dev = topo->devices[i];

		if (dev->parent || is_listed_vf(dev))
			continue;
		entry_add_kid(&t, level_entry(&t, &roots, NULL,
					      dev->pci->root_bus ? dev->pci->root_bus
								 : "?: position unknown"),
			      dev);
	}
	for (i = 0; i < roots.n; i++)
		print_entry(&t, &roots.v[i], "", true, true);
	if (!topo->n_pci)
		fprintf(cli->out, "no PCI devices\n");
	level_release(&roots);
	if (t.line.oom)
		t.oom = true;
	vs_strbuf_release(&t.line);
	if (t.oom) {
		vs_cli_error(cli, "out of memory");
		return VS_EXIT_FAIL;
	}
	return VS_EXIT_OK;
}

/* The document of vs_json_tree(), written one device at a time. */
static int print_tree_json(struct vs_cli *cli, const struct vs_topology *topo)
{
	struct vs_jsonout jo;
	size_t i;

	vs_jsonout_begin(&jo, cli);
	vs_jsonout_array_begin(&jo, "devices");
	for (i = 0; i < topo->n_pci; i++)
		vs_jsonout_element(&jo, vs_json_device(topo, topo->devices[i]));
	vs_jsonout_array_end(&jo);
	vs_jsonout_member(&jo, "config_restricted", json_object_new_boolean(topo->cfg_restricted));
	vs_jsonout_member(&jo, "warnings", vs_json_warnings(topo));
	return vs_jsonout_end(&jo);
}

static void print_warnings(struct vs_cli *cli, const struct vs_topology *topo)
{
	size_t i;

	for (i = 0; i < topo->n_warnings; i++)
		vs_cli_error(cli, "warning: %s", topo->warnings[i]);
}

int cmd_tree(struct vs_cli *cli, int argc, char **argv)
{
	struct vs_topology *topo;
	bool json = false;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--") == 0)
			continue;
		else
			return vs_cli_usage(cli, "tree: unexpected argument '%s'", argv[i]);
	}
	r = vs_cli_scan(cli, VS_SCAN_CONFIG | VS_SCAN_ATTRS | VS_SCAN_NAMES, &topo);
	if (r != VS_EXIT_OK)
		return r;
	print_warnings(cli, topo);
	if (json)
		r = print_tree_json(cli, topo);
	else
		r = print_tree(cli, topo);
	if (!json && topo->cfg_restricted)
		fprintf(cli->out, "\nPort types and ACS need the full config space: run as root to see them.\n");
	vs_topology_free(topo);
	return r;
}
