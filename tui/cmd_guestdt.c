// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vfioscope guest-dt [--base FILE] [--first-spi N] [--bus-addr ADDR]
 * DEVICE...`: the guest device tree for passing platform devices to QEMU's
 * virt board with vfio-platform, in -device order (seed 001's hand-written
 * tree, made from the host tree).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_arm.h"

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || !*s || *end ? -EINVAL : 0;
}

static int load_base(struct vs_cli *cli, const char *path, struct vs_dt **out)
{
	struct vs_err err = VS_ERR_INIT;
	unsigned char *blob;
	ssize_t n;
	int r;

	n = vs_dt_read_file(AT_FDCWD, path, &blob);
	if (n < 0) {
		vs_cli_error(cli, "%s: %s", path, strerror((int)-n));
		return VS_EXIT_FAIL;
	}
	r = vs_dt_parse_blob(blob, (size_t)n, path, out, &err);
	free(blob);
	if (r < 0) {
		vs_cli_error(cli, "%s", vs_err_msg(&err));
		vs_err_release(&err);
		return VS_EXIT_FAIL;
	}
	return VS_EXIT_OK;
}

/* Group members that are not passed: QEMU needs the whole group bound. */
static void warn_groups(struct vs_cli *cli, const struct vs_topology *topo,
			const struct vs_device *const *devs, size_t n)
{
	const struct vs_group *g;
	size_t i, k, m;
	bool listed;

	for (i = 0; i < n; i++) {
		if (!devs[i])
			continue;
		if (devs[i]->iommu_group < 0) {
			vs_cli_error(cli, "warning: %s has no IOMMU group: see `vfioscope arm-check %s`",
				     devs[i]->name, devs[i]->name);
			continue;
		}
		g = vs_device_group(topo, devs[i]);
		for (listed = false, k = 0; k < i && !listed; k++)
			listed = devs[k] && devs[k]->iommu_group == devs[i]->iommu_group;
		if (listed)
			continue;	/* this group was checked */
		for (m = 0; g && m < g->n_members; m++) {
			for (listed = false, k = 0; k < n && !listed; k++)
				listed = devs[k] == g->members[m];
			if (!listed)
				vs_cli_error(cli, "warning: IOMMU group %d also holds %s, which is not passed: bind it to its vfio driver too",
					     g->id, g->members[m]->name);
		}
	}
}

int cmd_guest_dt(struct vs_cli *cli, int argc, char **argv)
{
	struct vs_guest_opts opts = VS_GUEST_OPTS_INIT;
	struct vs_strbuf cmdline = VS_STRBUF_INIT;
	const struct vs_dt_node **nodes = NULL;
	const struct vs_device **devs = NULL;
	struct vs_err err = VS_ERR_INIT;
	struct vs_dt *base = NULL;
	const char *base_path = NULL;
	struct arm_env env = { .topo = NULL, .dt = NULL };
	char **specs;
	char *dts = NULL;
	uint64_t v;
	size_t n = 0;
	int r = VS_EXIT_OK, k;

	specs = calloc((size_t)argc, sizeof(*specs));
	if (!specs) {
		vs_cli_error(cli, "out of memory");
		return VS_EXIT_FAIL;
	}
	vs_strbuf_add(&cmdline, "vfioscope guest-dt");
	for (k = 1; k < argc; k++) {
		if ((strcmp(argv[k], "--base") == 0 || strcmp(argv[k], "--first-spi") == 0 ||
		     strcmp(argv[k], "--bus-addr") == 0) && k + 1 >= argc) {
			r = vs_cli_usage(cli, "guest-dt: %s needs a value", argv[k]);
			goto out;
		}
		if (strcmp(argv[k], "--base") == 0) {
			base_path = argv[++k];
			continue;
		}
		if (strcmp(argv[k], "--first-spi") == 0 || strcmp(argv[k], "--bus-addr") == 0) {
			if (parse_u64(argv[k + 1], &v) < 0 ||
			    (argv[k][2] == 'f' && v > 987)) {
				r = vs_cli_usage(cli, "guest-dt: %s: bad value '%s'", argv[k], argv[k + 1]);
				goto out;
			}
			if (argv[k][2] == 'f')
				opts.first_spi = (uint32_t)v;
			else
				opts.bus_addr = v;
			k++;
			continue;
		}
		if (argv[k][0] == '-' && argv[k][1] == '-' && argv[k][2]) {
			r = vs_cli_usage(cli, "guest-dt: unknown option '%s'", argv[k]);
			goto out;
		}
		if (strcmp(argv[k], "--") == 0)
			continue;
		specs[n++] = argv[k];
		vs_strbuf_addch(&cmdline, ' ');
		vs_shell_quote(&cmdline, argv[k]);
	}
	if (!n) {
		r = vs_cli_usage(cli, "guest-dt: name the platform devices to pass, in -device order");
		goto out;
	}
	if (base_path && (r = load_base(cli, base_path, &base)) != VS_EXIT_OK)
		goto out;
	r = arm_env_open(cli, true, &env);
	if (r != VS_EXIT_OK)
		goto out;
	r = arm_resolve_nodes(cli, &env, (const char *const *)specs, n, &devs, &nodes);
	if (r != VS_EXIT_OK)
		goto out;
	opts.base = base;
	opts.command = vs_strbuf_cstr(&cmdline);
	if (vs_guest_dts(env.dt, nodes, n, &opts, &dts, &err) < 0) {
		vs_cli_error(cli, "%s", vs_err_msg(&err));
		r = VS_EXIT_FAIL;
		goto out;
	}
	warn_groups(cli, env.topo, devs, n);
	fputs(dts, cli->out);
	r = VS_EXIT_OK;
out:
	free(dts);
	free(nodes);
	free(devs);
	free(specs);
	vs_err_release(&err);
	vs_strbuf_release(&cmdline);
	vs_dt_free(base);
	arm_env_close(&env);
	return r;
}
