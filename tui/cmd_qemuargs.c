// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioscope qemu-args DEVICE... [--only] [--format qemu|libvirt|shell] [--one-line]
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vfioscope/vmargs.h"

static const char usage_text[] =
	"usage: vfioscope qemu-args DEVICE... [--only] [--format qemu|libvirt|shell]\n"
	"                           [--one-line] [--selection]\n"
	"\n"
	"Print what passes DEVICE (and the rest of its IOMMU group) to a VM.\n"
	"  --only            pass only the devices named, not their whole groups\n"
	"  --format FORMAT   qemu (default): -device arguments, one per line;\n"
	"                    libvirt: <hostdev> elements; shell: a script that\n"
	"                    binds the devices and starts QEMU with them\n"
	"  --one-line        qemu format on one line, for scripts\n"
	"  --selection       the devices given are the TUI's selection (same meaning)\n";

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

static void print_notes(struct vs_cli *cli, const struct vs_vmargs *va)
{
	for (size_t i = 0; i < va->n_notes; i++) {
		char *t = vs_sanitize_term(va->notes[i].text, cli->utf8);

		vs_cli_error(cli, "%s: %s", va->notes[i].warning ? "warning" : "note",
			     t ? t : "(out of memory)");
		free(t);
	}
}

int cmd_qemuargs(struct vs_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ .name = "only", .has_arg = no_argument, .flag = NULL, .val = 'o' },
		{ .name = "format", .has_arg = required_argument, .flag = NULL, .val = 'f' },
		{ .name = "one-line", .has_arg = no_argument, .flag = NULL, .val = '1' },
		{ .name = "selection", .has_arg = no_argument, .flag = NULL, .val = 's' },
		{ .name = "help", .has_arg = no_argument, .flag = NULL, .val = 'h' },
		{ .name = NULL, .has_arg = 0, .flag = NULL, .val = 0 },
	};
	struct vs_vmargs_opts opts = { .only = false };
	enum vs_vm_format format = VS_VM_FORMAT_QEMU;
	bool one_line = false;
	struct vs_topology *topo = NULL;
	const struct vs_device **sel = NULL;
	struct vs_vmargs *va = NULL;
	struct vs_err err = VS_ERR_INIT;
	char *text = NULL;
	size_t n_sel;
	int c, rc;

	optind = 0;	/* glibc: full reinitialisation for a second getopt run */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hf:", longopts, NULL)) != -1) {
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
		case 's':
			/* The TUI's selection is just the devices named here. */
			break;
		case 'h':
			fputs(usage_text, cli->out);
			return VS_EXIT_OK;
		default:
			return vs_cli_usage(cli, "qemu-args: unknown option '%s'",
					    vs_cli_term(cli, argv[optind - 1]));
		}
	}
	if (optind >= argc)
		return vs_cli_usage(cli, "qemu-args: name at least one device");
	if (one_line && format != VS_VM_FORMAT_QEMU)
		return vs_cli_usage(cli, "qemu-args: --one-line goes with --format qemu");

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
		text = vs_vmargs_shell(va, NULL);
		break;
	}
	if (!text) {
		vs_cli_error(cli, "out of memory");
		rc = VS_EXIT_FAIL;
		goto out;
	}
	rc = emit(cli, text);
	print_notes(cli, va);
out:
	free(text);
	vs_vmargs_free(va);
	free(sel);
	vs_err_release(&err);
	vs_topology_free(topo);
	return rc;
}
