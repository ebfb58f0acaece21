/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text helpers shared by the diag area's commands (explain, doctor). */
#ifndef VFIOSCOPE_TUI_CMD_DIAG_H
#define VFIOSCOPE_TUI_CMD_DIAG_H

#include <stdio.h>

#include "cli.h"

/**
 * vs_diag_print_wrapped() - print @text (a system-derived sentence: it is
 * sanitized here) word-wrapped at 80 columns: the first line after @lead,
 * the next ones indented by @indent spaces.
 */
void vs_diag_print_wrapped(struct vs_cli *cli, const char *lead, int indent, const char *text);

#endif
