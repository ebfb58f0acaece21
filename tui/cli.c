// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers every command uses: messages, the scan, device names, JSON
 * output, and terminal-safe strings.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void vmessage(struct vs_cli *cli, const char *prefix, const char *fmt, va_list ap)
{
	char *msg, *safe;

	if (vasprintf(&msg, fmt, ap) < 0) {
		fprintf(cli->err, "%s: out of memory\n", cli->prog);
		return;
	}
	/* Messages quote device names and user input: keep the terminal safe. */
	safe = vs_sanitize_term(msg, cli->utf8);
	fprintf(cli->err, "%s: %s%s\n", cli->prog, prefix, safe ? safe : msg);
	free(safe);
	free(msg);
}

void vs_cli_error(struct vs_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(cli, "", fmt, ap);
	va_end(ap);
}

int vs_cli_usage(struct vs_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(cli, "", fmt, ap);
	va_end(ap);
	fprintf(cli->err, "Try '%s --help' for more information.\n", cli->prog);
	return VS_EXIT_USAGE;
}

int vs_cli_scan(struct vs_cli *cli, unsigned what, struct vs_topology **out)
{
	struct vs_scan_opts opts = {
		.sysroot = cli->sysroot,
		.what = what,
		.pci_ids = NULL,
	};
	struct vs_err err = VS_ERR_INIT;
	int r;

	r = vs_topology_scan(&opts, out, &err);
	if (r < 0) {
		vs_cli_error(cli, "%s", vs_err_msg(&err));
		vs_err_release(&err);
		return VS_EXIT_FAIL;
	}
	vs_err_release(&err);
	return VS_EXIT_OK;
}

int vs_cli_resolve(struct vs_cli *cli, const struct vs_topology *topo,
		   const char *spec, const struct vs_device **out)
{
	struct vs_err err = VS_ERR_INIT;
	int r;

	r = vs_topology_resolve(topo, spec, out, &err);
	if (r < 0) {
		vs_cli_error(cli, "%s", vs_err_msg(&err));
		vs_err_release(&err);
		return VS_EXIT_FAIL;
	}
	return VS_EXIT_OK;
}

int vs_cli_print_json(struct vs_cli *cli, struct json_object *obj)
{
	const char *s;
	int r = VS_EXIT_OK;

	if (!obj) {
		vs_cli_error(cli, "out of memory");
		return VS_EXIT_FAIL;
	}
	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || fprintf(cli->out, "%s\n", s) < 0 || fflush(cli->out) != 0) {
		vs_cli_error(cli, "cannot write the output: %s", s ? strerror(errno) : "out of memory");
		r = VS_EXIT_FAIL;
	}
	json_object_put(obj);
	return r;
}

const char *vs_cli_term(struct vs_cli *cli, const char *s)
{
	/* A ring, so that several results can sit in one printf. */
	static __thread char *ring[8];
	static __thread unsigned next;
	char **slot = &ring[next++ % 8];

	free(*slot);
	*slot = vs_sanitize_term(s ? s : "", cli->utf8);
	return *slot ? *slot : "?";
}
