/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON output one element at a time: the envelope is written here, each
 * element is built with json-c, printed (same flags and layout as
 * vs_cli_print_json()) and freed at once. A 4,000-device document then
 * never exists as one json-c tree, which keeps the peak memory small.
 */
#ifndef VFIOSCOPE_TUI_JSONOUT_H
#define VFIOSCOPE_TUI_JSONOUT_H

#include <stdbool.h>

#include "cli.h"

struct vs_jsonout {
	struct vs_cli *cli;
	int depth;		/* nesting of open containers */
	bool first;		/* nothing written yet in the innermost container */
	bool failed;		/* allocation or write failure: the exit status must say so */
};

/** vs_jsonout_begin() - start the top-level object. */
void vs_jsonout_begin(struct vs_jsonout *jo, struct vs_cli *cli);
/** vs_jsonout_member() - write "key": @value at the current level and drop the reference. */
void vs_jsonout_member(struct vs_jsonout *jo, const char *key, struct json_object *value);
/** vs_jsonout_array_begin() - open "key":[ in the top-level object. */
void vs_jsonout_array_begin(struct vs_jsonout *jo, const char *key);
/** vs_jsonout_element() - append @value to the open array and drop the reference. */
void vs_jsonout_element(struct vs_jsonout *jo, struct json_object *value);
void vs_jsonout_array_end(struct vs_jsonout *jo);
/** vs_jsonout_end() - close the top-level object. Return: VS_EXIT_OK or VS_EXIT_FAIL. */
int vs_jsonout_end(struct vs_jsonout *jo);

#endif
