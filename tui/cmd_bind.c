// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vfioscope bind DEVICE... [--group] [--dry-run] [--force] [--json] [--timeout SEC]`
 * `vfioscope restore DEVICE...|--group DEVICE...|--all [--dry-run] [--json] [--timeout SEC]`
 *
 * Both make a plan with the core engine (vfioscope/bind.h), print it as a
 * shell script for --dry-run, and otherwise run it, printing each step as
 * it completes and then where every device ended. Exit 0 only when every
 * device ends where asked.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vfioscope/bind.h"
#include "vfioscope/hostcrit.h"

struct bind_args {
	bool group, dry_run, force, json, all;
	unsigned timeout_ms;
	char **specs;
	size_t n_specs;
};

static int parse_timeout(struct vs_cli *cli, const char *cmd, const char *s, unsigned *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 3600)
		return vs_cli_usage(cli, "%s: --timeout takes seconds between 0 and 3600, not '%s'",
				    cmd, s);
	*out = (unsigned)(v * 1000 + 0.5);
	if (*out == 0)
		*out = 1;
	return VS_EXIT_OK;
}

static int parse_args(struct vs_cli *cli, int argc, char **argv, bool restore,
		      struct bind_args *a)
{
	bool opts_done = false;
	int i, r;

	memset(a, 0, sizeof(*a));
	a->specs = calloc((size_t)argc + 1, sizeof(*a->specs));
	if (!a->specs) {
		vs_cli_error(cli, "out of memory");
		return VS_EXIT_FAIL;
	}
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (opts_done || s[0] != '-') {
			a->specs[a->n_specs++] = argv[i];
		} else if (strcmp(s, "--") == 0) {
			opts_done = true;
		} else if (strcmp(s, "--group") == 0) {
			a->group = true;
		} else if (strcmp(s, "--dry-run") == 0) {
			a->dry_run = true;
		} else if (strcmp(s, "--json") == 0) {
			a->json = true;
		} else if (!restore && strcmp(s, "--force") == 0) {
			a->force = true;
		} else if (restore && strcmp(s, "--all") == 0) {
			a->all = true;
		} else if (strcmp(s, "--timeout") == 0 || strncmp(s, "--timeout=", 10) == 0) {
			const char *v = s[9] == '=' ? s + 10 : (i + 1 < argc ? argv[++i] : "");

			r = parse_timeout(cli, argv[0], v, &a->timeout_ms);
			if (r != VS_EXIT_OK)
				return r;
		} else {
			return vs_cli_usage(cli, "%s: unknown option '%s'", argv[0], s);
		}
	}
	if (restore && a->all && (a->n_specs || a->group))
		return vs_cli_usage(cli, "restore: --all takes no device and no --group");
	if (!a->all && !a->n_specs)
		return vs_cli_usage(cli, restore ? "restore: name the devices, or give --all"
						 : "bind: name the devices to bind");
	return VS_EXIT_OK;
}

/* ---- host-critical check (the diagnosis area's evidence) ------------------- */

static const char *hostcrit_lookup(void *ctx, const struct vs_device *dev)
{
	return vs_hostcrit_find(ctx, dev);
}

/* ---- text output -------------------------------------------------------------- */

/* stderr lines between stdout lines: keep them in order when both are piped */
static void say_err(struct vs_cli *cli, const char *prefix, const char *msg)
{
	fflush(cli->out);
	vs_cli_error(cli, "%s%s", prefix, msg);
}

static const char *or_none(const char *s)
{
	return s ? s : "no driver";
}

static void describe_step(struct vs_cli *cli, struct vs_strbuf *sb, const struct vs_step *s,
			  const char *device)
{
	if (device)
		vs_strbuf_addf(sb, "%s: ", vs_cli_term(cli, device));
	switch (s->action) {
	case VS_STEP_LOAD_MODULE:
		vs_strbuf_addf(sb, "modprobe %s", vs_cli_term(cli, s->value));
		break;
	case VS_STEP_SET_OVERRIDE:
		if (s->driver)
			vs_strbuf_addf(sb, "set driver_override to %s", vs_cli_term(cli, s->driver));
		else
			vs_strbuf_add(sb, "clear driver_override");
		break;
	case VS_STEP_UNBIND:
		vs_strbuf_addf(sb, "unbind from %s", vs_cli_term(cli, s->driver));
		break;
	case VS_STEP_BIND:
		vs_strbuf_addf(sb, "bind to %s", vs_cli_term(cli, s->driver));
		break;
	case VS_STEP_PROBE:
		vs_strbuf_add(sb, "drivers_probe");
		break;
	case VS_STEP_VERIFY:
		vs_strbuf_addf(sb, "verify: on %s", vs_cli_term(cli, or_none(s->driver)));
		break;
	}
}

static void progress(void *ctx, const struct vs_step_result *r)
{
	struct vs_cli *cli = ctx;
	struct vs_strbuf sb = VS_STRBUF_INIT;

	vs_strbuf_addf(&sb, "%-8s ", r->status == VS_STEP_OK ? "ok"
				    : r->status == VS_STEP_TIMEOUT ? "TIMEOUT" : "FAILED");
	if (r->phase != VS_PHASE_PLAN)
		vs_strbuf_addf(&sb, "(%s) ", vs_step_phase_name(r->phase));
	describe_step(cli, &sb, &r->step, r->device);
	if (r->message)
		vs_strbuf_addf(&sb, ": %s", vs_cli_term(cli, r->message));
	fprintf(cli->out, "%s\n", vs_strbuf_cstr(&sb));
	fflush(cli->out);
	vs_strbuf_release(&sb);
}

static void print_result(struct vs_cli *cli, const struct vs_plan *plan,
			 const struct vs_bind_result *res)
{
	size_t i;

	if (res->n_devices == 0)
		fprintf(cli->out, "nothing to do: %s\n", plan->op == VS_OP_RESTORE
			? "no device to restore (the journal has no entry for it)"
			: "no device to bind");
	for (i = 0; i < res->n_devices; i++) {
		const struct vs_result_device *d = &res->devices[i];

		fprintf(cli->out, "%s: %s -> %s: %s\n", vs_cli_term(cli, d->name),
			vs_cli_term(cli, or_none(d->driver_before)),
			vs_cli_term(cli, or_none(d->driver_after)),
			vs_outcome_name(d->outcome));
		if (!d->message || d->outcome == VS_OUTCOME_REFUSED)	/* refusals: printed before */
			continue;
		if (d->outcome == VS_OUTCOME_STRANDED || d->outcome == VS_OUTCOME_VANISHED ||
		    d->outcome == VS_OUTCOME_ROLLED_BACK)
			say_err(cli, "", d->message);
		else
			fprintf(cli->out, "  %s\n", vs_cli_term(cli, d->message));
	}
	for (i = 0; i < plan->n_skipped; i++)
		fprintf(cli->out, "%s: left alone: %s\n", vs_cli_term(cli, plan->skipped[i].name),
			vs_cli_term(cli, plan->skipped[i].reason));
	for (i = 0; i < res->n_groups; i++)
		if (res->groups[i].viable)
			fprintf(cli->out, "IOMMU group %d: viable\n", res->groups[i].id);
	for (i = 0; i < res->n_warnings; i++)
		say_err(cli, "warning: ", res->warnings[i]);
}

static void print_refusals(struct vs_cli *cli, const struct vs_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n_refused; i++)
		say_err(cli, "refused: ", plan->refused[i].reason);
}

/* ---- JSON ----------------------------------------------------------------- */

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *jstate(const char *driver, const char *override)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "driver", jstr(driver));
	json_object_object_add(o, "driver_override", jstr(override));
	return o;
}

/* One device; takes the references of @before, @target and @after. */
static struct json_object *jdevice(const char *name, enum vs_bus bus, int group,
				   struct json_object *before, struct json_object *target,
				   struct json_object *after, const char *outcome,
				   const char *message)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", jstr(name));
	json_object_object_add(o, "bus", json_object_new_string(vs_bus_name(bus)));
	json_object_object_add(o, "iommu_group", group >= 0 ? json_object_new_int(group) : NULL);
	json_object_object_add(o, "before", before);
	json_object_object_add(o, "target", target);
	json_object_object_add(o, "after", after);
	json_object_object_add(o, "outcome", json_object_new_string(outcome));
	json_object_object_add(o, "message", jstr(message));
	return o;
}

static struct json_object *jstep(const struct vs_step *s, const char *device)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "device", jstr(device));
	json_object_object_add(o, "action", json_object_new_string(vs_step_action_name(s->action)));
	json_object_object_add(o, "path", jstr(s->path));
	json_object_object_add(o, "value", jstr(s->value));
	json_object_object_add(o, "driver", jstr(s->driver));
	json_object_object_add(o, "reason", jstr(s->reason));
	return o;
}

static struct json_object *jnotes(const struct vs_plan_note *n, size_t count)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < count; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", jstr(n[i].name));
		json_object_object_add(o, "code", jstr(n[i].code));
		json_object_object_add(o, "reason", jstr(n[i].reason));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *jstrings(char *const *s, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, jstr(s[i]));
	return a;
}

static struct json_object *jgroups(const struct vs_group_viability *g, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int(g[i].id));
		json_object_object_add(o, "viable", json_object_new_boolean(g[i].viable));
		json_object_object_add(o, "blocking", jstrings(g[i].blocking, g[i].n_blocking));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *json_report(struct vs_cli *cli, const struct vs_plan *plan,
				       const struct vs_bind_result *res, bool dry_run,
				       const char *error)
{
	struct json_object *top = json_object_new_object(), *devs, *steps, *groups, *warn;
	char *script = vs_plan_shell(plan);
	size_t i;

	json_object_object_add(top, "command",
			       json_object_new_string(plan->op == VS_OP_BIND ? "bind" : "restore"));
	json_object_object_add(top, "sysroot", plan->live ? NULL : jstr(plan->root_path));
	json_object_object_add(top, "dry_run", json_object_new_boolean(dry_run));
	json_object_object_add(top, "executed", json_object_new_boolean(res != NULL));
	json_object_object_add(top, "ok", json_object_new_boolean(res ? res->ok : false));
	json_object_object_add(top, "error", jstr(error));

	devs = json_object_new_array();
	for (i = 0; i < plan->n_devices; i++) {
		const struct vs_plan_device *pd = &plan->devices[i];
		const struct vs_result_device *rd = res && i < res->n_devices ? &res->devices[i] : NULL;

		json_object_array_add(devs, jdevice(pd->name, pd->bus, pd->group,
			jstate(pd->driver, pd->override),
			pd->target_any ? json_object_new_string("any")
				       : jstate(pd->target, pd->target_override),
			rd ? jstate(rd->driver_after, rd->override_after) : NULL,
			rd ? vs_outcome_name(rd->outcome) : pd->nothing_to_do ? "unchanged" : "planned",
			rd ? rd->message : NULL));
	}
	/* a restore's refused devices follow the plan's in the result */
	for (i = plan->n_devices; res && i < res->n_devices; i++) {
		const struct vs_result_device *rd = &res->devices[i];

		json_object_array_add(devs, jdevice(rd->name, rd->bus, rd->group,
			jstate(rd->driver_before, rd->override_before), NULL,
			jstate(rd->driver_after, rd->override_after),
			vs_outcome_name(rd->outcome), rd->message));
	}
	json_object_object_add(top, "devices", devs);

	steps = json_object_new_array();
	if (res) {
		for (i = 0; i < res->n_steps; i++) {
			const struct vs_step_result *r = &res->steps[i];
			struct json_object *o = jstep(&r->step, r->device);
			const char *ename = r->error ? strerrorname_np(-r->error) : NULL;

			json_object_object_add(o, "phase", json_object_new_string(vs_step_phase_name(r->phase)));
			json_object_object_add(o, "result", json_object_new_string(vs_step_status_name(r->status)));
			json_object_object_add(o, "error", jstr(ename));
			json_object_object_add(o, "message", jstr(r->message));
			if (r->step.action == VS_STEP_VERIFY)
				json_object_object_add(o, "found", jstr(r->found));
			json_object_array_add(steps, o);
		}
	} else {
		for (i = 0; i < plan->n_steps; i++) {
			const struct vs_step *s = &plan->steps[i];
			struct json_object *o = jstep(s, s->dev >= 0 ? plan->devices[s->dev].name : NULL);

			json_object_object_add(o, "phase", json_object_new_string("plan"));
			json_object_object_add(o, "result", json_object_new_string("planned"));
			json_object_array_add(steps, o);
		}
	}
	json_object_object_add(top, "steps", steps);
	json_object_object_add(top, "skipped", jnotes(plan->skipped, plan->n_skipped));
	json_object_object_add(top, "refused", jnotes(plan->refused, plan->n_refused));

	groups = jgroups(res ? res->groups : plan->groups, res ? res->n_groups : plan->n_groups);
	json_object_object_add(top, "groups", groups);
	warn = jstrings(plan->warnings, plan->n_warnings);
	for (i = 0; res && i < res->n_warnings; i++)
		json_object_array_add(warn, jstr(res->warnings[i]));
	json_object_object_add(top, "warnings", warn);
	json_object_object_add(top, "script", jstr(script));
	free(script);
	(void)cli;
	return top;
}

/* ---- the commands ----------------------------------------------------------- */

static int print_script(struct vs_cli *cli, const struct vs_plan *plan)
{
	char *script = vs_plan_shell(plan);

	if (!script) {
		vs_cli_error(cli, "out of memory");
		return VS_EXIT_FAIL;
	}
	fputs(script, cli->out);
	free(script);
	return VS_EXIT_OK;
}

static int run(struct vs_cli *cli, int argc, char **argv, bool restore)
{
	struct vs_bind_opts opts = { .group = false };
	const struct vs_device **devs = NULL;
	struct vs_topology *topo = NULL;
	struct vs_bind_result *res = NULL;
	struct vs_err err = VS_ERR_INIT;
	struct vs_plan *plan = NULL;
	struct bind_args a;
	struct vs_hostcrit_list *crit = NULL;
	size_t i;
	int r, status;

	status = parse_args(cli, argc, argv, restore, &a);
	if (status != VS_EXIT_OK)
		goto out;
	status = vs_cli_scan(cli, VS_SCAN_CONFIG | VS_SCAN_ATTRS | VS_SCAN_PLATFORM, &topo);
	if (status != VS_EXIT_OK)
		goto out;
	devs = calloc(a.n_specs + 1, sizeof(*devs));
	if (!devs) {
		vs_cli_error(cli, "out of memory");
		status = VS_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < a.n_specs; i++) {
		status = vs_cli_resolve(cli, topo, a.specs[i], &devs[i]);
		if (status != VS_EXIT_OK)
			goto out;
	}
	opts.group = a.group;
	opts.force = a.force;
	opts.all = a.all;
	opts.timeout_ms = a.timeout_ms;
	if (!restore) {
		if (vs_hostcrit_scan(topo, &crit, &err) < 0) {
			vs_cli_error(cli, "cannot tell which devices the host needs: %s; nothing was "
				     "changed", vs_err_msg(&err));
			status = VS_EXIT_FAIL;
			goto out;
		}
		opts.hostcrit = hostcrit_lookup;
		opts.hostcrit_ctx = crit;
	}
	r = restore ? vs_restore_plan(topo, devs, a.n_specs, &opts, &plan, &err)
		    : vs_bind_plan(topo, devs, a.n_specs, &opts, &plan, &err);
	if (r < 0) {
		vs_cli_error(cli, "%s", vs_err_msg(&err));
		status = VS_EXIT_FAIL;
		goto out;
	}
	if (a.dry_run) {
		status = plan->n_refused ? VS_EXIT_FAIL : VS_EXIT_OK;
		if (a.json) {
			r = vs_cli_print_json(cli, json_report(cli, plan, NULL, true, NULL));
		} else {
			print_refusals(cli, plan);
			r = print_script(cli, plan);
		}
		if (r != VS_EXIT_OK)
			status = r;
		goto out;
	}
	if (!a.json) {
		print_refusals(cli, plan);
		for (i = 0; i < plan->n_warnings; i++)
			say_err(cli, "warning: ", plan->warnings[i]);
		opts.progress = progress;
		opts.progress_ctx = cli;
	}
	r = vs_plan_execute(topo, plan, &opts, &res, &err);
	if (r < 0) {
		status = VS_EXIT_FAIL;
		if (a.json) {
			vs_cli_print_json(cli, json_report(cli, plan, NULL, false, vs_err_msg(&err)));
		} else if (r == -EPERM) {
			vs_cli_error(cli, "%s. This is what would run:", vs_err_msg(&err));
			print_script(cli, plan);
		} else if (r != -ECANCELED) {
			/* refusals were printed above */
			vs_cli_error(cli, "%s", vs_err_msg(&err));
		} else {
			vs_cli_error(cli, "nothing was changed");
		}
		goto out;
	}
	status = res->ok ? VS_EXIT_OK : VS_EXIT_FAIL;
	if (a.json) {
		r = vs_cli_print_json(cli, json_report(cli, plan, res, false, NULL));
		if (r != VS_EXIT_OK)
			status = r;
	} else {
		print_result(cli, plan, res);
		if (!res->ok)
			say_err(cli, restore ? "restore" : "bind", " did not finish as asked: see above");
	}
out:
	vs_bind_result_free(res);
	vs_plan_free(plan);
	vs_hostcrit_free(crit);
	vs_topology_free(topo);
	vs_err_release(&err);
	free(devs);
	free(a.specs);
	return status;
}

int cmd_bind(struct vs_cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, false);
}

int cmd_restore(struct vs_cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, true);
}
