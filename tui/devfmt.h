/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One device as one line of text, the same in `tree`, `groups` and any
 * command that lists devices: address, port type, [vendor:device], names,
 * then driver/group facts and any problems the scan flagged. Every string
 * from the system goes through vs_cli_term().
 */
#ifndef VFIOSCOPE_TUI_DEVFMT_H
#define VFIOSCOPE_TUI_DEVFMT_H

#include "cli.h"
#include "vfioscope/util.h"

enum {
	VS_DEVLINE_GROUP = 1u << 0,	/* append ", group N" / ", no group" */
	VS_DEVLINE_VF = 1u << 1,	/* say "VF of PF" for SR-IOV VFs */
};

/** vs_cli_device_line() - append the line for @dev (no newline) to @sb. */
void vs_cli_device_line(struct vs_cli *cli, struct vs_strbuf *sb,
			const struct vs_device *dev, unsigned flags);

/** vs_cli_red() / vs_cli_plain() - colour escapes when cli->color, else "". */
const char *vs_cli_red(const struct vs_cli *cli);
const char *vs_cli_plain(const struct vs_cli *cli);

#endif
