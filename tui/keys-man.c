// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Print the KEYS section of docs/vfioscope.1 from the request table
 * (tui/keys.def), after checking the table: every key name parses and no
 * key is bound twice in one keymap. `make update-man-keys` splices the
 * output into the page; tests/tui-man.sh fails when they differ.
 */
#include "config.h"

#include <stdio.h>

#include "keys.h"

int main(void)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	struct vs_err err = VS_ERR_INIT;

	if (vs_keys_check(&err)) {
		fprintf(stderr, "keys-man: tui/keys.def: %s\n", vs_err_msg(&err));
		vs_err_release(&err);
		return 1;
	}
	vs_keys_man(&sb);
	fputs(vs_strbuf_cstr(&sb), stdout);
	vs_strbuf_release(&sb);
	return sb.oom ? 1 : 0;
}
