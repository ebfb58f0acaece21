// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vfioscope dt [--json] DEVICE...`: the device-tree node behind platform
 * devices (reg, interrupts, IOMMU stream IDs, MSI parent, references) and
 * the dependency closure of the set, i.e. what a guest tree must describe.
 *
 * `vfioscope arm-check [--json] [DEVICE...]`: the ARM readiness findings
 * (vfio-platform in the kernel, no-IOMMU, reset, MSI, host tree, groups,
 * dependencies); without devices, the system-wide ones.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_arm.h"

int arm_env_open(struct vs_cli *cli, bool need_dt, struct arm_env *env)
{
	struct vs_err err = VS_ERR_INIT;
	int r;

	env->topo = NULL;
	env->dt = NULL;
	r = vs_cli_scan(cli, VS_SCAN_PLATFORM, &env->topo);
	if (r != VS_EXIT_OK)
		return r;
	r = vs_dt_load(env->topo->root, &env->dt, &err);
	if (r < 0 && (need_dt || r != -ENOENT)) {
		vs_cli_error(cli, "%s", vs_err_msg(&err));
		vs_err_release(&err);
		vs_topology_free(env->topo);
		env->topo = NULL;
		return VS_EXIT_FAIL;
	}
	vs_err_release(&err);
	return VS_EXIT_OK;
}

void arm_env_close(struct arm_env *env)
{
	vs_dt_free(env->dt);
	vs_topology_free(env->topo);
	env->dt = NULL;
	env->topo = NULL;
}

int arm_resolve(struct vs_cli *cli, const struct arm_env *env, const char *spec,
		const struct vs_device **dev, const struct vs_dt_node **node)
{
	struct vs_err err = VS_ERR_INIT, derr = VS_ERR_INIT;
	char *dn;
	int r;

	*dev = NULL;
	*node = NULL;
	r = vs_topology_resolve(env->topo, spec, dev, &err);
	if (r == 0) {
		*node = vs_dt_node_for_device(env->dt, *dev);
		vs_err_release(&err);
		return VS_EXIT_OK;
	}
	if (env->dt && r != -EEXIST && vs_dt_lookup(env->dt, spec, node, &derr) == 0) {
		dn = vs_dt_devname(*node);
		*dev = dn ? vs_topology_find(env->topo, dn) : NULL;
		free(dn);
		vs_err_release(&err);
		return VS_EXIT_OK;
	}
	vs_cli_error(cli, "%s", vs_err_msg(r == -EEXIST || !env->dt ? &err : &derr));
	vs_err_release(&err);
	vs_err_release(&derr);
	return VS_EXIT_FAIL;
}

int arm_resolve_nodes(struct vs_cli *cli, const struct arm_env *env,
		      const char *const *specs, size_t n,
		      const struct vs_device ***devs, const struct vs_dt_node ***nodes)
{
	size_t i;
	int r;

	*nodes = calloc(n ? n : 1, sizeof(**nodes));
	*devs = calloc(n ? n : 1, sizeof(**devs));
	if (!*nodes || !*devs) {
		vs_cli_error(cli, "out of memory");
		return VS_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		r = arm_resolve(cli, env, specs[i], &(*devs)[i], &(*nodes)[i]);
		if (r != VS_EXIT_OK)
			return r;
		if (!(*nodes)[i]) {
			vs_cli_error(cli, "%s: not a platform device with a device-tree node%s", specs[i],
				     (*devs)[i] && (*devs)[i]->bus == VS_BUS_FSL_MC ?
				     " (DPAA2 containers need no guest tree node: the guest's fsl-mc bus finds them)" : "");
			return VS_EXIT_FAIL;
		}
	}
	return VS_EXIT_OK;
}

/* ------------------------------------------------------------------ */

static const char *node_name(const struct vs_dt_node *n)
{
	return n->label ? n->label : n->path;
}

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *jhex(uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

static struct json_object *node_json(const struct vs_dt_node *n)
{
	struct json_object *o = json_object_new_object(), *a, *e, *args;
	size_t i, k;
	char *dn = vs_dt_devname(n);

	json_object_object_add(o, "path", jstr(n->path));
	json_object_object_add(o, "label", jstr(n->label));
	json_object_object_add(o, "device", jstr(dn));
	free(dn);
	a = json_object_new_array();
	for (i = 0; i < n->n_compatible; i++)
		json_object_array_add(a, json_object_new_string(n->compatible[i]));
	json_object_object_add(o, "compatible", a);
	json_object_object_add(o, "status", jstr(n->status));
	json_object_object_add(o, "enabled", json_object_new_boolean(n->enabled));
	a = json_object_new_array();
	for (i = 0; i < n->n_reg; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "addr", jhex(n->reg[i].addr));
		json_object_object_add(e, "size", jhex(n->reg[i].size));
		json_object_object_add(e, "cpu_addr", n->reg[i].mmio ? jhex(n->reg[i].cpu_addr) : NULL);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "reg", a);
	a = json_object_new_array();
	for (i = 0; i < n->n_irqs; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "kind", json_object_new_string(vs_dt_irq_kind_name(n->irqs[i].kind)));
		json_object_object_add(e, "number", json_object_new_int64(n->irqs[i].number));
		json_object_object_add(e, "trigger", n->irqs[i].gic ?
				       json_object_new_string(vs_dt_trigger_name(n->irqs[i].flags)) : NULL);
		json_object_object_add(e, "controller", jstr(n->irqs[i].ctrl ? n->irqs[i].ctrl->path : NULL));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "interrupts", a);
	a = json_object_new_array();
	for (i = 0; i < n->n_refs; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "property", json_object_new_string(n->refs[i].prop));
		json_object_object_add(e, "index", json_object_new_int64((int64_t)n->refs[i].index));
		json_object_object_add(e, "target", jstr(n->refs[i].target ? n->refs[i].target->path : NULL));
		args = json_object_new_array();
		for (k = 0; k < n->refs[i].n_args; k++)
			json_object_array_add(args, json_object_new_int64(n->refs[i].args[k]));
		json_object_object_add(e, "args", args);
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "references", a);
	json_object_object_add(o, "msi_parent", jstr(n->msi_parent ? n->msi_parent->path : NULL));
	a = json_object_new_array();
	for (i = 0; i < n->n_problems; i++)
		json_object_array_add(a, json_object_new_string(n->problems[i]));
	json_object_object_add(o, "problems", a);
	return o;
}

static struct json_object *closure_json(const struct vs_dt_closure *c)
{
	struct json_object *o = json_object_new_object(), *a, *e;
	const struct vs_dt_dep *d;
	size_t i;
	char *dn;

	a = json_object_new_array();
	for (i = 0; i < c->n_deps; i++) {
		d = &c->deps[i];
		e = json_object_new_object();
		dn = vs_dt_devname(d->node);
		json_object_object_add(e, "path", jstr(d->node->path));
		json_object_object_add(e, "label", jstr(d->node->label));
		json_object_object_add(e, "device", jstr(dn));
		free(dn);
		json_object_object_add(e, "kind", json_object_new_string(vs_dt_dep_kind_name(d->kind)));
		json_object_object_add(e, "role", json_object_new_string(vs_dt_dep_role_name(d->role)));
		json_object_object_add(e, "property", jstr(d->prop));
		json_object_object_add(e, "from", jstr(d->from ? d->from->path : NULL));
		json_object_object_add(e, "depth", json_object_new_int64(d->depth));
		json_object_object_add(e, "replacement", jstr(d->replacement ? d->replacement->path : NULL));
		json_object_object_add(e, "host_user", jstr(d->host_user ? d->host_user->path : NULL));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "nodes", a);
	a = json_object_new_array();
	for (i = 0; i < c->n_users; i++) {
		e = json_object_new_object();
		json_object_object_add(e, "path", jstr(c->users[i].node->path));
		json_object_object_add(e, "property", jstr(c->users[i].prop));
		json_object_object_add(e, "device", jstr(c->users[i].device ? c->users[i].device->path : NULL));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "users", a);
	return o;
}

static void print_node(struct vs_cli *cli, const struct vs_dt_node *n, const struct vs_device *dev)
{
	FILE *f = cli->out;
	size_t i, k;

	fprintf(f, "%s", vs_cli_term(cli, n->path));
	if (n->label)
		fprintf(f, " (%s)", vs_cli_term(cli, n->label));
	if (dev) {
		fprintf(f, ": %s device %s, driver %s, ", vs_bus_name(dev->bus),
			vs_cli_term(cli, dev->name), dev->driver ? vs_cli_term(cli, dev->driver) : "none");
		if (dev->iommu_group < 0)
			fprintf(f, "no IOMMU group\n");
		else
			fprintf(f, "IOMMU group %d\n", dev->iommu_group);
	} else {
		fprintf(f, ": no device on the host%s\n", n->enabled ? "" : " (status disabled)");
	}
	fprintf(f, "  compatible:");
	for (i = 0; i < n->n_compatible; i++)
		fprintf(f, "%s \"%s\"", i ? "," : "", vs_cli_term(cli, n->compatible[i]));
	fprintf(f, "%s\n  status: %s\n", n->n_compatible ? "" : " none",
		n->status ? vs_cli_term(cli, n->status) : "(none: okay)");
	for (i = 0; i < n->n_reg; i++) {
		fprintf(f, "  reg[%zu]: 0x%" PRIx64 " size 0x%" PRIx64, i, n->reg[i].addr, n->reg[i].size);
		if (n->reg[i].mmio && n->reg[i].cpu_addr != n->reg[i].addr)
			fprintf(f, " (CPU address 0x%" PRIx64 ")", n->reg[i].cpu_addr);
		else if (!n->reg[i].mmio)
			fprintf(f, " (not a CPU address)");
		fputc('\n', f);
	}
	for (i = 0; i < n->n_irqs; i++) {
		fprintf(f, "  interrupt[%zu]: %s %" PRIu32, i, vs_dt_irq_kind_name(n->irqs[i].kind),
			n->irqs[i].number);
		if (n->irqs[i].gic)
			fprintf(f, " %s", vs_dt_trigger_name(n->irqs[i].flags));
		fprintf(f, " on %s\n", n->irqs[i].ctrl ? vs_cli_term(cli, n->irqs[i].ctrl->path) : "?");
	}
	for (i = 0; i < n->n_refs; i++) {
		if (strcmp(n->refs[i].prop, "iommus") != 0)
			continue;
		fprintf(f, "  iommus: %s", n->refs[i].target ? vs_cli_term(cli, node_name(n->refs[i].target)) : "?");
		for (k = 0; k < n->refs[i].n_args; k++)
			fprintf(f, " 0x%" PRIx32, n->refs[i].args[k]);
		fputc('\n', f);
	}
	fprintf(f, "  msi-parent: %s\n", n->msi_parent ? vs_cli_term(cli, n->msi_parent->path) : "none");
	for (i = 0; i < n->n_problems; i++)
		fprintf(f, "  problem: %s\n", vs_cli_term(cli, n->problems[i]));
}

static void print_closure(struct vs_cli *cli, const struct vs_dt_closure *c)
{
	const struct vs_dt_dep *d;
	FILE *f = cli->out;
	size_t i, parts = 0;
	char *dn;

	fprintf(f, "\nDependency closure:\n");
	for (i = 0; i < c->n_deps; i++) {
		d = &c->deps[i];
		if (d->kind == VS_DT_DEP_PART && d->role == VS_DT_ROLE_PASSED) {
			parts++;
			continue;
		}
		if (d->kind == VS_DT_DEP_DEVICE)
			continue;
		dn = vs_dt_devname(d->node);
		fprintf(f, "  %-11s %s", vs_dt_dep_role_name(d->role), vs_cli_term(cli, d->node->path));
		if (d->node->label)
			fprintf(f, " (%s)", vs_cli_term(cli, d->node->label));
		if (dn)
			fprintf(f, " [%s]", vs_cli_term(cli, dn));
		free(dn);
		if (d->kind == VS_DT_DEP_CONTAINER)
			fprintf(f, ": contains %s", vs_cli_term(cli, node_name(d->from)));
		else if (d->kind == VS_DT_DEP_PART)
			fprintf(f, ": inside %s", vs_cli_term(cli, node_name(d->from)));
		else
			fprintf(f, ": %s of %s", vs_cli_term(cli, d->prop), vs_cli_term(cli, node_name(d->from)));
		if (d->replacement)
			fprintf(f, "; the guest uses %s instead", vs_cli_term(cli, node_name(d->replacement)));
		if (d->host_user)
			fprintf(f, "; the host uses it too (%s)", vs_cli_term(cli, node_name(d->host_user)));
		fputc('\n', f);
	}
	if (parts)
		fprintf(f, "  (%zu node%s inside the devices themselves)\n", parts, parts == 1 ? "" : "s");
	if (c->n_users)
		fprintf(f, "\nUsed by host nodes:\n");
	for (i = 0; i < c->n_users; i++)
		fprintf(f, "  %s (%s) -> %s\n", vs_cli_term(cli, node_name(c->users[i].node)),
			vs_cli_term(cli, c->users[i].prop),
			c->users[i].device ? vs_cli_term(cli, node_name(c->users[i].device)) : "?");
	fprintf(f, "\nRoles: passed = the device; copy = no registers, copied into the guest tree;\n"
		"vm = the VM's own GIC/ITS/SMMU; pass-too = a device nothing else uses, pass it too;\n"
		"host-shared = the host needs it as well.\n");
}

/*
 * The arguments of dt and arm-check: --json, then device names. Returns
 * VS_EXIT_OK with *@specs (free()) holding @*n names, or a usage error.
 */
static int arm_args(struct vs_cli *cli, const char *cmd, int argc, char **argv,
		    bool *json, const char ***specs, size_t *n)
{
	int k;

	*json = false;
	*n = 0;
	*specs = calloc((size_t)argc + 1, sizeof(**specs));
	if (!*specs) {
		vs_cli_error(cli, "out of memory");
		return VS_EXIT_FAIL;
	}
	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--json") == 0) {
			*json = true;
		} else if (argv[k][0] == '-' && argv[k][1] == '-' && argv[k][2]) {
			free(*specs);
			*specs = NULL;
			return vs_cli_usage(cli, "%s: unknown option '%s'", cmd, argv[k]);
		} else if (strcmp(argv[k], "--") != 0) {
			(*specs)[(*n)++] = argv[k];
		}
	}
	return VS_EXIT_OK;
}

int cmd_dt(struct vs_cli *cli, int argc, char **argv)
{
	const struct vs_dt_node **nodes = NULL;
	const struct vs_device **devs = NULL;
	struct vs_err err = VS_ERR_INIT;
	struct vs_dt_closure *c = NULL;
	struct json_object *o, *a;
	struct arm_env env = { .topo = NULL, .dt = NULL };
	const char **specs;
	bool json;
	size_t n, i;
	int r;

	r = arm_args(cli, "dt", argc, argv, &json, &specs, &n);
	if (r != VS_EXIT_OK)
		return r;
	if (!n) {
		free(specs);
		return vs_cli_usage(cli, "dt: name at least one device or device-tree node");
	}
	r = arm_env_open(cli, true, &env);
	if (r != VS_EXIT_OK) {
		free(specs);
		return r;
	}
	r = arm_resolve_nodes(cli, &env, specs, n, &devs, &nodes);
	if (r != VS_EXIT_OK)
		goto out;
	if (vs_dt_closure(env.dt, nodes, n, &c, &err) < 0) {
		vs_cli_error(cli, "%s", vs_err_msg(&err));
		r = VS_EXIT_FAIL;
		goto out;
	}
	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "source", json_object_new_string(env.dt->source));
		a = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(a, node_json(nodes[i]));
		json_object_object_add(o, "nodes", a);
		json_object_object_add(o, "closure", closure_json(c));
		r = vs_cli_print_json(cli, o);
	} else {
		for (i = 0; i < n; i++) {
			if (i)
				fputc('\n', cli->out);
			print_node(cli, nodes[i], devs[i]);
		}
		print_closure(cli, c);
		r = VS_EXIT_OK;
	}
out:
	vs_err_release(&err);
	vs_dt_closure_free(c);
	free(nodes);
	free(devs);
	free(specs);
	arm_env_close(&env);
	return r;
}

/* ------------------------------------------------------------------ */

int cmd_arm_check(struct vs_cli *cli, int argc, char **argv)
{
	struct vs_arm_findings f = { .items = NULL, .n = 0 };
	const struct vs_device **devs = NULL;
	const struct vs_dt_node *node;
	struct vs_err err = VS_ERR_INIT;
	struct json_object *o, *a;
	struct arm_env env = { .topo = NULL, .dt = NULL };
	const char **specs;
	bool json, blocked = false;
	size_t n, i;
	int r;

	r = arm_args(cli, "arm-check", argc, argv, &json, &specs, &n);
	if (r != VS_EXIT_OK)
		return r;
	r = arm_env_open(cli, false, &env);
	devs = calloc(n ? n : 1, sizeof(*devs));
	if (r == VS_EXIT_OK && !devs) {
		vs_cli_error(cli, "out of memory");
		r = VS_EXIT_FAIL;
	}
	if (r != VS_EXIT_OK)
		goto out;
	for (i = 0; i < n; i++) {
		r = arm_resolve(cli, &env, specs[i], &devs[i], &node);
		if (r == VS_EXIT_OK && !devs[i]) {
			vs_cli_error(cli, "%s: the host has no device for %s (disabled, or no driver created one)",
				     specs[i], node ? node->path : "it");
			r = VS_EXIT_FAIL;
		}
		if (r != VS_EXIT_OK)
			goto out;
	}
	if (n)
		r = vs_arm_check(env.topo, env.dt, devs, n, &f, &err);
	else
		r = vs_arm_check_system(env.topo, env.dt, &f, &err);
	if (r < 0) {
		vs_cli_error(cli, "%s", vs_err_msg(&err));
		r = VS_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < f.n; i++)
		blocked |= f.items[i].severity == VS_ARM_BLOCK;
	if (json) {
		o = json_object_new_object();
		a = vs_arm_findings_json(&f);
		json_object_object_add(o, "findings", a);
		json_object_object_add(o, "ready", json_object_new_boolean(!blocked));
		r = vs_cli_print_json(cli, o);
	} else {
		if (!f.n)
			fprintf(cli->out, "no ARM findings\n");
		for (i = 0; i < f.n; i++) {
			fprintf(cli->out, "%s%-8s %s %s\n", i ? "\n" : "",
				vs_arm_severity_name(f.items[i].severity), f.items[i].code,
				vs_cli_term(cli, f.items[i].subject));
			fprintf(cli->out, "  %s\n", vs_cli_term(cli, f.items[i].text));
			if (f.items[i].fix)
				fprintf(cli->out, "  fix: %s\n", vs_cli_term(cli, f.items[i].fix));
		}
		r = VS_EXIT_OK;
	}
	if (r == VS_EXIT_OK && blocked)
		r = VS_EXIT_FAIL;
out:
	vs_err_release(&err);
	vs_arm_findings_release(&f);
	free(devs);
	free(specs);
	arm_env_close(&env);
	return r;
}
