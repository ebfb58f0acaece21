/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interactive mode (what `vfioscope` runs with no command). Entry points
 * only; the state shared by tui/tui*.c is in tui/tui-int.h.
 */
#ifndef VFIOSCOPE_TUI_H
#define VFIOSCOPE_TUI_H

#include "cli.h"

/**
 * struct vs_tui_opts - how to run the interactive mode.
 * @script: file of scripted keys (see docs/vfioscope.1, INTERACTIVE MODE);
 *          NULL reads the keyboard
 * @dump_dir: where the script's `:dump NAME` writes screens
 * @output: terminal output of a scripted run (NULL: /dev/null)
 * @no_monitor: do not watch the live system for hot-plug and rebinds
 * @dry_run: bind and restore only show the writes as commands, as without root
 * @implicit: started because no command was given (changes the message
 *            when there is no terminal)
 */
struct vs_tui_opts {
	const char *script;
	const char *dump_dir;
	const char *output;
	bool no_monitor;
	bool dry_run;
	bool implicit;
};

/**
 * vs_tui_main() - run the interactive mode until the user quits.
 * Return: an exit status (VS_EXIT_OK, or VS_EXIT_FAIL after a message on
 * stderr, printed once the terminal is restored).
 */
int vs_tui_main(struct vs_cli *cli, const struct vs_tui_opts *opts);

#endif
