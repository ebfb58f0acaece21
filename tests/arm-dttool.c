// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test driver for the device-tree layer, linked with core/ only:
 *   arm-dttool dump ROOT                  every node: path, label, devname, reg, irqs, refs
 *   arm-dttool closure ROOT NODE...       the closure of the nodes (path, devname or label)
 *   arm-dttool guest ROOT [--base DTB] NODE...   the guest DTS
 *   arm-dttool load ROOT                  load only: prints "ok N nodes" or the error
 *   arm-dttool fuzz BLOB ROUNDS SEED      mutate/truncate the blob, parse each variant
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/dt.h"

static int load(const char *rootpath, struct vs_root **root, struct vs_dt **dt)
{
	struct vs_err err = VS_ERR_INIT;
	int r;

	r = vs_root_open(rootpath, root, &err);
	if (r == 0)
		r = vs_dt_load(*root, dt, &err);
	if (r < 0)
		printf("error %d: %s\n", r, vs_err_msg(&err));
	vs_err_release(&err);
	return r;
}

static void dump(const struct vs_dt *dt)
{
	const struct vs_dt_node *n;
	size_t i, k, a;
	char *dn;

	for (i = 0; i < dt->n_nodes; i++) {
		n = dt->nodes[i];
		dn = vs_dt_devname(n);
		printf("%s label=%s devname=%s compat=%s status=%s phandle=0x%" PRIx32 "\n",
		       n->path, n->label ? n->label : "-", dn ? dn : "-",
		       n->n_compatible ? n->compatible[0] : "-", n->status ? n->status : "-",
		       n->phandle);
		free(dn);
		for (k = 0; k < n->n_reg; k++)
			printf("  reg 0x%" PRIx64 " size 0x%" PRIx64 " %s 0x%" PRIx64 "\n",
			       n->reg[k].addr, n->reg[k].size, n->reg[k].mmio ? "cpu" : "not-mmio",
			       n->reg[k].cpu_addr);
		for (k = 0; k < n->n_irqs; k++)
			printf("  irq %s %" PRIu32 " %s ctrl=%s\n", vs_dt_irq_kind_name(n->irqs[k].kind),
			       n->irqs[k].number, vs_dt_trigger_name(n->irqs[k].flags),
			       n->irqs[k].ctrl ? n->irqs[k].ctrl->path : "-");
		for (k = 0; k < n->n_refs; k++) {
			printf("  ref %s[%zu] -> %s", n->refs[k].prop, n->refs[k].index,
			       n->refs[k].target ? n->refs[k].target->path : "(unresolved)");
			for (a = 0; a < n->refs[k].n_args; a++)
				printf(" 0x%" PRIx32, n->refs[k].args[a]);
			printf("\n");
		}
		if (n->msi_parent)
			printf("  msi-parent %s\n", n->msi_parent->path);
		for (k = 0; k < n->n_problems; k++)
			printf("  problem %s\n", n->problems[k]);
	}
}

static int nodes_from_args(const struct vs_dt *dt, int argc, char **argv,
			   const struct vs_dt_node ***out)
{
	struct vs_err err = VS_ERR_INIT;
	const struct vs_dt_node **v;
	int i;

	v = calloc((size_t)argc + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < argc; i++) {
		if (vs_dt_lookup(dt, argv[i], &v[i], &err) < 0) {
			printf("error: %s\n", vs_err_msg(&err));
			vs_err_release(&err);
			free(v);
			return -ENOENT;
		}
	}
	*out = v;
	return 0;
}

static int closure(const struct vs_dt *dt, int argc, char **argv)
{
	struct vs_err err = VS_ERR_INIT;
	const struct vs_dt_node **v;
	struct vs_dt_closure *c;
	const struct vs_dt_dep *d;
	size_t i;

	if (nodes_from_args(dt, argc, argv, &v) < 0)
		return 1;
	if (vs_dt_closure(dt, v, (size_t)argc, &c, &err) < 0) {
		printf("error: %s\n", vs_err_msg(&err));
		free(v);
		return 1;
	}
	for (i = 0; i < c->n_deps; i++) {
		d = &c->deps[i];
		printf("%s %s %s", d->node->label ? d->node->label : d->node->path,
		       vs_dt_dep_kind_name(d->kind), vs_dt_dep_role_name(d->role));
		if (d->prop)
			printf(" %s", d->prop);
		if (d->from)
			printf(" from=%s", d->from->label ? d->from->label : d->from->path);
		if (d->replacement)
			printf(" replacement=%s", d->replacement->label ? d->replacement->label :
			       d->replacement->path);
		if (d->host_user)
			printf(" host-user=%s", d->host_user->label ? d->host_user->label :
			       d->host_user->path);
		printf("\n");
	}
	for (i = 0; i < c->n_users; i++)
		printf("user %s %s of %s\n", c->users[i].node->label ? c->users[i].node->label :
		       c->users[i].node->path, c->users[i].prop,
		       c->users[i].device ? c->users[i].device->path : "-");
	vs_dt_closure_free(c);
	free(v);
	return 0;
}

static int guest(const struct vs_dt *dt, const char *base_path, int argc, char **argv)
{
	struct vs_guest_opts opts = VS_GUEST_OPTS_INIT;
	struct vs_err err = VS_ERR_INIT;
	const struct vs_dt_node **v;
	struct vs_dt *base = NULL;
	unsigned char *blob;
	char *dts;
	ssize_t n;
	int r;

	if (base_path) {
		n = vs_dt_read_file(-100 /* AT_FDCWD */, base_path, &blob);
		if (n < 0 || vs_dt_parse_blob(blob, (size_t)n, base_path, &base, &err) < 0) {
			printf("error: %s\n", n < 0 ? strerror((int)-n) : vs_err_msg(&err));
			return 1;
		}
		free(blob);
		opts.base = base;
	}
	if (nodes_from_args(dt, argc, argv, &v) < 0)
		return 1;
	opts.command = "arm-dttool guest";
	r = vs_guest_dts(dt, v, (size_t)argc, &opts, &dts, &err);
	if (r < 0)
		printf("error %d: %s\n", r, vs_err_msg(&err));
	else
		fputs(dts, stdout);
	free(dts);
	free(v);
	vs_dt_free(base);
	vs_err_release(&err);
	return r < 0;
}

static int fuzz(const char *path, long rounds, unsigned seed)
{
	struct vs_err err = VS_ERR_INIT;
	unsigned char *blob, *m;
	struct vs_dt *dt;
	struct vs_dt_closure *c;
	size_t len, i, k, cut, ok = 0, bad = 0;
	long round;
	ssize_t n;

	n = vs_dt_read_file(-100, path, &blob);
	if (n <= 0)
		return 1;
	len = (size_t)n;
	m = malloc(len);
	if (!m)
		return 1;
	srand(seed);
	for (round = 0; round < rounds; round++) {
		memcpy(m, blob, len);
		cut = len;
		switch (round % 4) {
		case 0:		/* truncate */
			cut = (size_t)rand() % len;
			break;
		case 1:		/* flip a few bytes */
			for (k = 0; k < 1 + (size_t)rand() % 8; k++)
				m[(size_t)rand() % len] ^= (unsigned char)(1u << (rand() % 8));
			break;
		case 2:		/* overwrite a cell with a boundary value */
			i = ((size_t)rand() % (len / 4)) * 4;
			k = (size_t)rand() % 4;
			m[i] = k == 0 ? 0xff : 0;
			m[i + 1] = k == 1 ? 0xff : 0;
			m[i + 2] = 0;
			m[i + 3] = (unsigned char)(k == 3 ? 0x20 : rand());
			break;
		default:	/* shuffle a byte range inside the struct block */
			i = (size_t)rand() % len;
			k = (size_t)rand() % len;
			m[i] = blob[k];
			m[k] = blob[i];
			break;
		}
		if (vs_dt_parse_blob(m, cut, "fuzz", &dt, &err) < 0) {
			bad++;
			if (!err.msg || !strstr(err.msg, "fuzz")) {
				printf("error without a message in round %ld\n", round);
				return 1;
			}
			vs_err_release(&err);
			continue;
		}
		ok++;
		/* Walk everything a user would: closure of every node with reg. */
		for (i = 0; i < dt->n_nodes; i++) {
			const struct vs_dt_node *one = dt->nodes[i];
			char *s = vs_dt_devname(one), *dts = NULL;
			struct vs_guest_opts opts = VS_GUEST_OPTS_INIT;

			free(s);
			if (!one->n_reg)
				continue;
			if (vs_dt_closure(dt, &one, 1, &c, &err) == 0)
				vs_dt_closure_free(c);
			if (vs_guest_dts(dt, &one, 1, &opts, &dts, &err) == 0)
				free(dts);
			vs_err_release(&err);
		}
		vs_dt_free(dt);
	}
	printf("fuzz: %zu parsed, %zu refused\n", ok, bad);
	free(m);
	free(blob);
	return 0;
}

int main(int argc, char **argv)
{
	struct vs_root *root = NULL;
	struct vs_dt *dt = NULL;
	const char *base = NULL;
	int r = 1, first = 3;

	if (argc >= 5 && strcmp(argv[1], "fuzz") == 0)
		return fuzz(argv[2], strtol(argv[3], NULL, 10), (unsigned)strtoul(argv[4], NULL, 10));
	if (argc < 3) {
		fprintf(stderr, "usage: arm-dttool dump|load|closure|guest ROOT [NODE...]\n");
		return 2;
	}
	if (load(argv[2], &root, &dt) < 0) {
		vs_root_free(root);
		return 1;
	}
	if (strcmp(argv[1], "load") == 0) {
		printf("ok %zu nodes from %s\n", dt->n_nodes, dt->source);
		r = 0;
	} else if (strcmp(argv[1], "dump") == 0) {
		dump(dt);
		r = 0;
	} else if (strcmp(argv[1], "closure") == 0) {
		r = closure(dt, argc - 3, argv + 3);
	} else if (strcmp(argv[1], "guest") == 0) {
		if (argc > 4 && strcmp(argv[3], "--base") == 0) {
			base = argv[4];
			first = 5;
		}
		r = guest(dt, base, argc - first, argv + first);
	}
	vs_dt_free(dt);
	vs_root_free(root);
	return r;
}
