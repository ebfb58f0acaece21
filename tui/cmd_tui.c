// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vfioscope tui`: the interactive mode by name (what no command runs), with
 * the options of the scripted screen tests.
 */
#include "config.h"

#include <string.h>

#include "cli.h"
#include "tui.h"

/* "--name VALUE" or "--name=VALUE"; advances *@i past what it took. */
static const char *opt_value(struct vs_cli *cli, int argc, char **argv, int *i,
			     const char *name, bool *bad)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n])
		return NULL;
	if (*i + 1 >= argc) {
		vs_cli_usage(cli, "%s needs a value", name);
		*bad = true;
		return NULL;
	}
	return argv[++*i];
}

int cmd_tui(struct vs_cli *cli, int argc, char **argv)
{
	struct vs_tui_opts opts = { .script = NULL };

	for (int i = 1; i < argc; i++) {
		bool bad = false;
		const char *v;

		if ((v = opt_value(cli, argc, argv, &i, "--script", &bad)))
			opts.script = v;
		else if ((v = opt_value(cli, argc, argv, &i, "--dump-dir", &bad)))
			opts.dump_dir = v;
		else if ((v = opt_value(cli, argc, argv, &i, "--output", &bad)))
			opts.output = v;
		else if (bad)
			return VS_EXIT_USAGE;
		else if (!strcmp(argv[i], "--no-monitor"))
			opts.no_monitor = true;
		else if (!strcmp(argv[i], "--dry-run"))
			opts.dry_run = true;
		else
			return vs_cli_usage(cli, "tui: unknown argument \"%s\"", argv[i]);
	}
	if ((opts.dump_dir || opts.output) && !opts.script)
		return vs_cli_usage(cli, "tui: --dump-dir and --output go with --script");
	return vs_tui_main(cli, &opts);
}
