// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioscope qemu-args DEVICE... [--only] [--format qemu|libvirt|shell]
 *                     [--one-line] [--selection] [--json]
 * (--help is the CLI framework's: it points to the man page.)
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vfioscope/bind.h"
#include "vfioscope/vmargs.h"
#if __has_include("vfioscope/hostcrit.h")
#include "vfioscope/hostcrit.h"
#define VS_HAVE_HOSTCRIT 1
#endif

/* Control characters other than newline and tab. */
static bool has_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f || *p == 0x1b)
			return true;
	return false;
}

/*
 * The exact text goes to files and pipes. A terminal gets it sanitized line
 * by line, because a device name full of escape sequences must not reach it.
 */
static int emit(struct vs_cli *cli, const char *text)
{
	if (!isatty(fileno(cli->out)) || !has_controls(text)) {
		fputs(text, cli->out);
		return VS_EXIT_OK;
	}
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *raw = strndup(line, len), *clean;

		if (!raw)
			return VS_EXIT_FAIL;
		clean = vs_sanitize_term(raw, cli->utf8);
		free(raw);
		if (!clean)
			return VS_EXIT_FAIL;
		fprintf(cli->out, "%s%s", clean, nl ? "\n" : "");
		free(clean);
		line += len + (nl ? 1 : 0);
	}
	vs_cli_error(cli, "note: control characters in device names were shown as '?'; "
		     "redirect the output to a file for the exact text");
	return VS_EXIT_OK;
}

static const char *const kind_names[] = {
	[VS_VM_PCI] = "pci",
	[VS_VM_PLATFORM] = "platform",
	[VS_VM_AMBA] = "amba",
	[VS_VM_FSL_MC] = "fsl-mc",
};

static struct json_object *jstr_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *jint_or_null(int v, bool present)
{
	return present ? json_object_new_int(v) : NULL;
}

static struct json_object *vmargs_json(const struct vs_vmargs *va)
{
	struct json_object *root = json_object_new_object();
	struct json_object *devs = json_object_new_array();
	struct json_object *ports = json_object_new_array();
	struct json_object *argv = json_object_new_array();
	struct json_object *groups = json_object_new_array();
	struct json_object *notes = json_object_new_array();

	for (size_t i = 0; i < va->n_entries; i++) {
		const struct vs_vm_entry *e = &va->entries[i];
		struct json_object *o = json_object_new_object();
		bool pci = e->port >= 0;

		json_object_object_add(o, "name", json_object_new_string(e->device->name));
		json_object_object_add(o, "kind", json_object_new_string(kind_names[e->kind]));
		json_object_object_add(o, "iommu_group", jint_or_null(e->device->iommu_group,
								     e->device->iommu_group >= 0));
		json_object_object_add(o, "driver", jstr_or_null(e->device->driver));
		json_object_object_add(o, "named", json_object_new_boolean(e->named));
		json_object_object_add(o, "id", json_object_new_string(e->id));
		json_object_object_add(o, "arg", json_object_new_string(e->arg));
		json_object_object_add(o, "port", pci ? json_object_new_string(
						  va->ports[e->port].id) : NULL);
		json_object_object_add(o, "guest_function", jint_or_null((int)e->guest_fn, pci));
		json_object_object_add(o, "multifunction", json_object_new_boolean(e->multifunction));
		json_object_array_add(devs, o);
	}
	for (size_t i = 0; i < va->n_ports; i++) {
		const struct vs_vm_port *p = &va->ports[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(p->id));
		json_object_object_add(o, "chassis", json_object_new_int((int)p->chassis));
		json_object_object_add(o, "slot", json_object_new_int((int)p->slot));
		json_object_object_add(o, "arg", json_object_new_string(p->arg));
		json_object_object_add(o, "functions", json_object_new_int((int)p->n_functions));
		json_object_object_add(o, "libvirt_bus", jint_or_null(p->libvirt_bus,
								     p->libvirt_bus >= 0));
		json_object_array_add(ports, o);
	}
	for (size_t i = 0; i < va->argc; i++)
		json_object_array_add(argv, json_object_new_string(va->argv[i]));
	for (size_t i = 0; i < va->n_groups; i++)
		json_object_array_add(groups, json_object_new_int(va->groups[i]));
	for (size_t i = 0; i < va->n_notes; i++) {
		const struct vs_vm_note *n = &va->notes[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "code", json_object_new_string(
					       vs_vm_note_code_name(n->code)));
		json_object_object_add(o, "severity", json_object_new_string(
					       n->warning ? "warning" : "note"));
		json_object_object_add(o, "device", n->device ?
				       json_object_new_string(n->device->name) : NULL);
		json_object_object_add(o, "text", json_object_new_string(n->text));
		json_object_array_add(notes, o);
	}
	json_object_object_add(root, "devices", devs);
	json_object_object_add(root, "ports", ports);
	json_object_object_add(root, "argv", argv);
	json_object_object_add(root, "groups", groups);
	json_object_object_add(root, "notes", notes);
	return root;
}

/* @shell: the script binds the groups, so leave out what it fixes. */
static void print_notes(struct vs_cli *cli, const struct vs_vmargs *va, bool shell)
{
	for (size_t i = 0; i < va->n_notes; i++) {
		char *t;

		if (shell && vs_vm_note_bind_fixes(va->notes[i].code))
			continue;
		t = vs_sanitize_term(va->notes[i].text, cli->utf8);

		vs_cli_error(cli, "%s: %s", va->notes[i].warning ? "warning" : "note",
			     t ? t : "(out of memory)");
		free(t);
	}
}

#ifdef VS_HAVE_HOSTCRIT
static const char *hostcrit_lookup(void *ctx, const struct vs_device *dev)
{
	return vs_hostcrit_find(ctx, dev);
}
#endif

/*
 * The shell form: the bind plan for the devices and the rest of their
 * groups, then QEMU. A plan with refusals (a device the host needs, a
 * bridge, ...) gives no script: it could not make the groups usable.
 */
static int shell_text(struct vs_cli *cli, const struct vs_vmargs *va, char **text)
{
	struct vs_bind_opts opts = { .group = true };
	struct vs_plan *plan = NULL;
	struct vs_err err = VS_ERR_INIT;
	char *script = NULL;
	int rc = VS_EXIT_OK;
#ifdef VS_HAVE_HOSTCRIT
	struct vs_hostcrit_list *crit = NULL;

	if (vs_hostcrit_scan(va->topo, &crit, &err) < 0) {
		vs_cli_error(cli, "cannot tell which devices the host needs: %s",
			     vs_cli_term(cli, vs_err_msg(&err)));
		rc = VS_EXIT_FAIL;
		goto out;
	}
	opts.hostcrit = hostcrit_lookup;
	opts.hostcrit_ctx = crit;
#endif
	if (vs_vmargs_bind_plan(va, &opts, &plan, &err) < 0) {
		vs_cli_error(cli, "%s", vs_cli_term(cli, vs_err_msg(&err)));
		rc = VS_EXIT_FAIL;
		goto out;
	}
	if (plan->n_refused) {
		for (size_t i = 0; i < plan->n_refused; i++)
			vs_cli_error(cli, "cannot bind %s: %s",
				     vs_cli_term(cli, plan->refused[i].name),
				     vs_cli_term(cli, plan->refused[i].reason));
		vs_cli_error(cli, "no script: the devices' groups cannot all be bound to vfio");
		rc = VS_EXIT_FAIL;
		goto out;
	}
	script = vs_plan_shell(plan);
	*text = script ? vs_vmargs_shell(va, script) : NULL;
out:
	free(script);
	vs_plan_free(plan);
#ifdef VS_HAVE_HOSTCRIT
	vs_hostcrit_free(crit);
#endif
	vs_err_release(&err);
	return rc;
}

int cmd_qemuargs(struct vs_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ .name = "only", .has_arg = no_argument, .flag = NULL, .val = 'o' },
		{ .name = "format", .has_arg = required_argument, .flag = NULL, .val = 'f' },
		{ .name = "one-line", .has_arg = no_argument, .flag = NULL, .val = '1' },
		{ .name = "selection", .has_arg = no_argument, .flag = NULL, .val = 's' },
		{ .name = "json", .has_arg = no_argument, .flag = NULL, .val = 'j' },
		{ .name = NULL, .has_arg = 0, .flag = NULL, .val = 0 },
	};
	struct vs_vmargs_opts opts = { .only = false };
	enum vs_vm_format format = VS_VM_FORMAT_QEMU;
	bool one_line = false, json = false;
	struct vs_topology *topo = NULL;
	const struct vs_device **sel = NULL;
	struct vs_vmargs *va = NULL;
	struct vs_err err = VS_ERR_INIT;
	char *text = NULL;
	size_t n_sel;
	int c, rc;

	optind = 0;	/* glibc: full reinitialisation for a second getopt run */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opts.only = true;
			break;
		case 'f':
			if (vs_vm_format_parse(optarg, &format) < 0)
				return vs_cli_usage(cli, "qemu-args: unknown format '%s' "
						    "(qemu, libvirt or shell)",
						    vs_cli_term(cli, optarg));
			break;
		case '1':
			one_line = true;
			break;
		case 'j':
			json = true;
			break;
		case 's':
			/* The TUI's selection is just the devices named here. */
			break;
		default:
			return vs_cli_usage(cli, "qemu-args: unknown option '%s'",
					    vs_cli_term(cli, argv[optind - 1]));
		}
	}
	if (optind >= argc)
		return vs_cli_usage(cli, "qemu-args: name at least one device");
	if (one_line && format != VS_VM_FORMAT_QEMU)
		return vs_cli_usage(cli, "qemu-args: --one-line goes with --format qemu");
	if (json && (one_line || format != VS_VM_FORMAT_QEMU))
		return vs_cli_usage(cli, "qemu-args: --json goes with no --format or --one-line");

	rc = vs_cli_scan(cli, VS_SCAN_CONFIG | VS_SCAN_ATTRS | VS_SCAN_PLATFORM, &topo);
	if (rc != VS_EXIT_OK)
		return rc;
	n_sel = (size_t)(argc - optind);
	sel = calloc(n_sel, sizeof(*sel));
	if (!sel) {
		vs_cli_error(cli, "out of memory");
		rc = VS_EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < n_sel; i++) {
		rc = vs_cli_resolve(cli, topo, argv[optind + (int)i], &sel[i]);
		if (rc != VS_EXIT_OK)
			goto out;
	}
	if (vs_vmargs_build(topo, sel, n_sel, &opts, &va, &err) < 0) {
		char *t = vs_sanitize_term(vs_err_msg(&err), cli->utf8);

		vs_cli_error(cli, "%s", t ? t : vs_err_msg(&err));
		free(t);
		rc = VS_EXIT_FAIL;
		goto out;
	}

	if (json) {
		rc = vs_cli_print_json(cli, vmargs_json(va));
		goto out;
	}
	switch (format) {
	case VS_VM_FORMAT_QEMU:
		text = vs_vmargs_qemu(va, one_line);
		break;
	case VS_VM_FORMAT_LIBVIRT:
		if (vs_vmargs_libvirt(va, &text, &err) < 0) {
			char *t = vs_sanitize_term(vs_err_msg(&err), cli->utf8);

			vs_cli_error(cli, "%s", t ? t : vs_err_msg(&err));
			free(t);
			rc = VS_EXIT_FAIL;
			goto out;
		}
		break;
	case VS_VM_FORMAT_SHELL:
		rc = shell_text(cli, va, &text);
		if (rc != VS_EXIT_OK)
			goto out;
		break;
	}
	if (!text) {
		vs_cli_error(cli, "out of memory");
		rc = VS_EXIT_FAIL;
		goto out;
	}
	rc = emit(cli, text);
	print_notes(cli, va, format == VS_VM_FORMAT_SHELL);
out:
	free(text);
	vs_vmargs_free(va);
	free(sel);
	vs_err_release(&err);
	vs_topology_free(topo);
	return rc;
}
