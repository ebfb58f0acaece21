/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command-line front end. Each command is a function
 *   int cmd_NAME(struct vs_cli *cli, int argc, char **argv)
 * (argv[0] is the command name, global options already removed) returning
 * the exit status: 0 success, 1 failure (one clear message on stderr),
 * 2 usage error. Commands are listed in tui/commands-*.def, one file per area,
 * as VS_CMD(name, function, "one-line summary") lines.
 */
#ifndef VFIOSCOPE_CLI_H
#define VFIOSCOPE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "vfioscope/topology.h"

enum { VS_EXIT_OK = 0, VS_EXIT_FAIL = 1, VS_EXIT_USAGE = 2 };

struct vs_cli {
	const char *prog;	/* "vfioscope" */
	const char *sysroot;	/* --sysroot DIR, NULL for the live system */
	FILE *out;		/* stdout */
	FILE *err;		/* stderr */
	bool utf8;		/* the locale's charset is UTF-8 */
	bool color;		/* stdout is a terminal, NO_COLOR unset, TERM not dumb */
};

typedef int vs_cmd_fn(struct vs_cli *cli, int argc, char **argv);

/** vs_cli_error() - "vfioscope: MESSAGE\n" on stderr. */
void vs_cli_error(struct vs_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** vs_cli_usage() - a usage error: message, a hint to --help; returns VS_EXIT_USAGE. */
int vs_cli_usage(struct vs_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/**
 * vs_cli_scan() - scan the system root with VS_SCAN_* bits @what.
 * Return: VS_EXIT_OK with *@out set, or VS_EXIT_FAIL after printing why.
 */
int vs_cli_scan(struct vs_cli *cli, unsigned what, struct vs_topology **out);
/**
 * vs_cli_resolve() - resolve a user's device name; prints the error
 * (ambiguous names list the candidates). Return: VS_EXIT_OK or VS_EXIT_FAIL.
 */
int vs_cli_resolve(struct vs_cli *cli, const struct vs_topology *topo,
		   const char *spec, const struct vs_device **out);
/**
 * vs_cli_print_json() - print @obj (pretty, "/" not escaped, trailing
 * newline) and drop the reference. Return: VS_EXIT_OK or VS_EXIT_FAIL.
 */
int vs_cli_print_json(struct vs_cli *cli, struct json_object *obj);
/** vs_cli_term() - sanitize a system string for this terminal; static ring buffer of 8. */
const char *vs_cli_term(struct vs_cli *cli, const char *s);

#define VS_CMD(name, fn, summary) vs_cmd_fn fn;
#include "commands-foundation.def"
#include "commands-diag.def"
#include "commands-bind.def"
#include "commands-tui.def"
#include "commands-arm.def"
#include "commands-vmargs.def"
#undef VS_CMD

#endif
