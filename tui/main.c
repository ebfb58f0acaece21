// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioscope's entry point: global options (anywhere on the line), then
 * dispatch to a command from the tables in tui/commands-*.def. The help
 * text's command list is generated from the same tables.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tui.h"

struct vs_command {
	const char *name;
	vs_cmd_fn *fn;
	const char *summary;
};

static const struct vs_command commands[] = {
#define VS_CMD(name, fn, summary) { name, fn, summary },
#include "commands-foundation.def"
#include "commands-diag.def"
#include "commands-bind.def"
#include "commands-tui.def"
#include "commands-arm.def"
#include "commands-vmargs.def"
#undef VS_CMD
};

static const size_t n_commands = sizeof(commands) / sizeof(commands[0]);

static const struct vs_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < n_commands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_global_options(FILE *f)
{
	fputs("Global options (before or after the command):\n"
	      "  --sysroot DIR  read DIR/sys, DIR/proc and DIR/dev instead of the running system\n"
	      "  --help         show this help, or the command's\n"
	      "  --version      print the version and exit\n", f);
}

static void print_help(struct vs_cli *cli, FILE *f)
{
	size_t i, width = 0;

	fprintf(f, "Usage: %s [--sysroot DIR] [COMMAND [OPTIONS]]\n\n"
		"Inspect PCI topology and IOMMU groups, and rebind devices for VFIO passthrough.\n\n"
		"Commands:\n", cli->prog);
	for (i = 0; i < n_commands; i++)
		if (strlen(commands[i].name) > width)
			width = strlen(commands[i].name);
	for (i = 0; i < n_commands; i++)
		fprintf(f, "  %-*s  %s\n", (int)width, commands[i].name, commands[i].summary);
	fputc('\n', f);
	print_global_options(f);
	fprintf(f, "\nSee %s(1) for each command's options and the JSON output.\n", cli->prog);
}

static void print_command_help(struct vs_cli *cli, const struct vs_command *cmd)
{
	fprintf(cli->out, "Usage: %s %s [OPTIONS]\n\n%s.\n\n", cli->prog, cmd->name, cmd->summary);
	print_global_options(cli->out);
	fprintf(cli->out, "\nSee %s(1) for the options of '%s'.\n", cli->prog, cmd->name);
}

/* No command: the interactive view (tui area, tui/tui.c). */
static int run_interactive(struct vs_cli *cli)
{
	struct vs_tui_opts opts = { .implicit = true };

	return vs_tui_main(cli, &opts);
}

static bool want_color(void)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");

	if (no_color && *no_color)
		return false;
	if (!term || !*term || strcmp(term, "dumb") == 0)
		return false;
	return isatty(STDOUT_FILENO) == 1;
}

int main(int argc, char **argv)
{
	struct vs_cli cli = {
		.prog = "vfioscope",
		.sysroot = NULL,
		.out = stdout,
		.err = stderr,
		.utf8 = false,
		.color = false,
	};
	const struct vs_command *cmd;
	bool help = false, version = false, no_more_globals = false;
	char **args;
	int i, nargs = 0, status;

	setlocale(LC_ALL, "");
	cli.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	cli.color = want_color();

	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args) {
		vs_cli_error(&cli, "out of memory");
		return VS_EXIT_FAIL;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!no_more_globals && strcmp(a, "--") == 0) {
			/* Everything after "--" belongs to the command. */
			no_more_globals = true;
		} else if (!no_more_globals && strcmp(a, "--sysroot") == 0) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				free(args);
				return vs_cli_usage(&cli, "--sysroot needs a directory");
			}
			cli.sysroot = argv[++i];
			continue;
		} else if (!no_more_globals && strncmp(a, "--sysroot=", 10) == 0) {
			if (!a[10]) {
				free(args);
				return vs_cli_usage(&cli, "--sysroot needs a directory");
			}
			cli.sysroot = a + 10;
			continue;
		} else if (!no_more_globals && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			help = true;
			continue;
		} else if (!no_more_globals && strcmp(a, "--version") == 0) {
			version = true;
			continue;
		}
		args[nargs++] = argv[i];
	}

	if (version) {
		fprintf(cli.out, "%s %s\n", cli.prog, PACKAGE_VERSION);
		free(args);
		return VS_EXIT_OK;
	}
	if (nargs == 0) {
		free(args);
		if (help) {
			print_help(&cli, cli.out);
			return VS_EXIT_OK;
		}
		return run_interactive(&cli);
	}
	cmd = find_command(args[0]);
	if (!cmd) {
		status = args[0][0] == '-'
			? vs_cli_usage(&cli, "unknown option '%s'", args[0])
			: vs_cli_usage(&cli, "unknown command '%s'", args[0]);
		free(args);
		return status;
	}
	if (help) {
		print_command_help(&cli, cmd);
		free(args);
		return VS_EXIT_OK;
	}
	status = cmd->fn(&cli, nargs, args);
	free(args);
	if (fflush(cli.out) != 0 && status == VS_EXIT_OK) {
		vs_cli_error(&cli, "cannot write the output");
		status = VS_EXIT_FAIL;
	}
	return status;
}
