// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vfioscope groups [--json]`: IOMMU groups in numeric order with their
 * members and drivers, and whether VFIO can use each group right now.
 */
#include "config.h"

#include <string.h>

#include "cli.h"
#include "devfmt.h"
#include "jsonout.h"
#include "vfioscope/groupscan.h"
#include "vfioscope/topojson.h"

static void print_group(struct vs_cli *cli, const struct vs_topology *topo,
			const struct vs_group *g, struct vs_strbuf *sb)
{
	size_t i;

	vs_strbuf_reset(sb);
	vs_strbuf_addf(sb, "IOMMU group %d", g->id);
	if (g->type || g->name) {
		vs_strbuf_addf(sb, " (%s", g->type ? vs_cli_term(cli, g->type) : "type unknown");
		if (g->name)
			vs_strbuf_addf(sb, ", %s", vs_cli_term(cli, g->name));
		vs_strbuf_add(sb, ")");
	}
	if (g->viable) {
		vs_strbuf_add(sb, ": viable");
	} else {
		vs_strbuf_addf(sb, ": %snot viable%s", vs_cli_red(cli), vs_cli_plain(cli));
		for (i = 0; i < g->n_blocking; i++)
			vs_strbuf_addf(sb, "%s %s (%s)", i ? "," : ", blocked by",
				       vs_cli_term(cli, g->blocking[i]->name),
				       vs_cli_term(cli, g->blocking[i]->driver));
		if (!g->n_blocking)
			vs_strbuf_add(sb, ", blocked by a member this scan did not find");
	}
	fprintf(cli->out, "%s\n", vs_strbuf_cstr(sb));
	for (i = 0; i < g->n_members; i++) {
		const struct vs_device *dev = g->members[i];

		vs_strbuf_reset(sb);
		vs_strbuf_add(sb, "  ");
		vs_cli_device_line(cli, sb, dev, VS_DEVLINE_VF);
		if (!vs_driver_managed_dma(dev->driver))
			vs_strbuf_addf(sb, " %s<- blocks%s", vs_cli_red(cli), vs_cli_plain(cli));
		fprintf(cli->out, "%s\n", vs_strbuf_cstr(sb));
	}
	for (i = 0; i < g->n_unknown_members; i++)
		fprintf(cli->out, "  %s (listed in the group, but not a device this scan found)\n",
			vs_cli_term(cli, g->unknown_members[i]));
	(void)topo;
}

/*
 * One group, written directly (no json-c objects: on a host with thousands
 * of groups they would cost more than the scan). docs/json.md has the keys.
 */
static void write_group_json(struct vs_jsonout *jo, const struct vs_group *g)
{
	size_t i;

	vs_jsonout_open(jo, NULL, '{');
	vs_jsonout_key_int(jo, "id", g->id);
	vs_jsonout_key_str(jo, "type", g->type);
	vs_jsonout_key_str(jo, "name", g->name);
	vs_jsonout_key_bool(jo, "viable", g->viable);
	vs_jsonout_open(jo, "blocking", '[');
	for (i = 0; i < g->n_blocking; i++)
		vs_jsonout_key_str(jo, NULL, g->blocking[i]->name);
	vs_jsonout_close(jo, ']');
	vs_jsonout_open(jo, "devices", '[');
	for (i = 0; i < g->n_members; i++)
		vs_jsonout_key_str(jo, NULL, g->members[i]->name);
	vs_jsonout_close(jo, ']');
	vs_jsonout_open(jo, "members", '[');
	for (i = 0; i < g->n_members; i++) {
		const struct vs_device *dev = g->members[i];

		vs_jsonout_open(jo, NULL, '{');
		vs_jsonout_key_str(jo, "name", dev->name);
		vs_jsonout_key_str(jo, "bus", vs_bus_name(dev->bus));
		vs_jsonout_key_str(jo, "driver", dev->driver);
		vs_jsonout_key_bool(jo, "blocking", !vs_driver_managed_dma(dev->driver));
		vs_jsonout_close(jo, '}');
	}
	vs_jsonout_close(jo, ']');
	vs_jsonout_open(jo, "unknown_devices", '[');
	for (i = 0; i < g->n_unknown_members; i++)
		vs_jsonout_key_str(jo, NULL, g->unknown_members[i]);
	vs_jsonout_close(jo, ']');
	vs_jsonout_close(jo, '}');
}

static int print_groups_json(struct vs_cli *cli, const struct vs_topology *topo)
{
	struct vs_jsonout jo;
	size_t i;

	vs_jsonout_begin(&jo, cli);
	vs_jsonout_key_bool(&jo, "iommu", topo->iommu);
	vs_jsonout_open(&jo, "groups", '[');
	for (i = 0; i < topo->n_groups; i++)
		write_group_json(&jo, &topo->groups[i]);
	vs_jsonout_close(&jo, ']');
	vs_jsonout_member(&jo, "warnings", vs_json_warnings(topo));
	return vs_jsonout_end(&jo);
}

int cmd_groups(struct vs_cli *cli, int argc, char **argv)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	struct vs_topology *topo;
	bool json = false;
	size_t i;
	int r;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--") == 0)
			continue;
		else
			return vs_cli_usage(cli, "groups: unexpected argument '%s'", argv[i]);
	}
	if (json) {
		/* Names and drivers are all the JSON holds: read links only, fast on big hosts. */
		struct vs_err err = VS_ERR_INIT;

		if (vs_groups_scan(cli->sysroot, &topo, &err) < 0) {
			vs_cli_error(cli, "%s", vs_err_msg(&err));
			vs_err_release(&err);
			return VS_EXIT_FAIL;
		}
	} else {
		r = vs_cli_scan(cli, VS_SCAN_PLATFORM | VS_SCAN_CONFIG | VS_SCAN_NAMES, &topo);
		if (r != VS_EXIT_OK)
			return r;
	}
	for (i = 0; i < topo->n_warnings; i++)
		vs_cli_error(cli, "warning: %s", topo->warnings[i]);
	if (json) {
		r = print_groups_json(cli, topo);
		vs_topology_free(topo);
		return r;
	}
	if (!topo->iommu) {
		fprintf(cli->out, "no IOMMU groups: the kernel has no IOMMU enabled "
			"(/sys/kernel/iommu_groups is empty). Enable VT-d, AMD-Vi or the SMMU "
			"in the firmware; on Intel also boot with intel_iommu=on.\n");
	}
	for (i = 0; i < topo->n_groups; i++)
		print_group(cli, topo, &topo->groups[i], &sb);
	if (sb.oom) {
		vs_cli_error(cli, "out of memory");
		r = VS_EXIT_FAIL;
	}
	vs_strbuf_release(&sb);
	vs_topology_free(topo);
	return r;
}
