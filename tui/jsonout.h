/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON output one element at a time, in json-c's pretty layout (the layout
 * of vs_cli_print_json()): a 4,000-device document never exists as one
 * json-c tree, which keeps the peak memory small. An element is either a
 * json-c object (printed and freed at once) or written directly with the
 * vs_jsonout_open/key_.../close calls, which build no objects at all: for
 * the documents of thousands of elements on the hot path (groups --json),
 * where json-c's objects cost more than the scan itself.
 */
#ifndef VFIOSCOPE_TUI_JSONOUT_H
#define VFIOSCOPE_TUI_JSONOUT_H

#include <stdbool.h>

#include "cli.h"
#include "vfioscope/util.h"

struct vs_jsonout {
	struct vs_cli *cli;
	struct vs_strbuf buf;	/* text not yet written to cli->out */
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

/*
 * Direct writing. @key is a constant member name, or NULL for an element
 * of the open array; @open is '{' or '['. Strings are escaped as json-c
 * escapes them (vs_json_quote()); a NULL string is written as null.
 */
void vs_jsonout_open(struct vs_jsonout *jo, const char *key, char open);
void vs_jsonout_close(struct vs_jsonout *jo, char close);
void vs_jsonout_key_str(struct vs_jsonout *jo, const char *key, const char *value);
void vs_jsonout_key_int(struct vs_jsonout *jo, const char *key, long long value);
void vs_jsonout_key_bool(struct vs_jsonout *jo, const char *key, bool value);

#endif
