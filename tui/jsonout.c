// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jsonout.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)

static void indent(struct vs_jsonout *jo, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		fputs("  ", jo->cli->out);
}

/* Start an entry of the innermost container: separator, newline, indent. */
static void next_entry(struct vs_jsonout *jo)
{
	fputs(jo->first ? "\n" : ",\n", jo->cli->out);
	jo->first = false;
	indent(jo, jo->depth);
}

/* json-c's pretty text of @value, every line after the first indented to the current depth. */
static void put_value(struct vs_jsonout *jo, struct json_object *value)
{
	static const char PAD[] = "                                ";
	size_t pad = (size_t)jo->depth * 2 < sizeof(PAD) - 1 ? (size_t)jo->depth * 2 : sizeof(PAD) - 1;
	const char *s, *nl;

	if (!value) {
		jo->failed = true;
		fputs("null", jo->cli->out);
		return;
	}
	s = json_object_to_json_string_ext(value, JSON_FLAGS);
	if (!s) {
		jo->failed = true;
		s = "null";
	}
	while ((nl = strchr(s, '\n'))) {
		fwrite(s, 1, (size_t)(nl - s) + 1, jo->cli->out);
		fwrite(PAD, 1, pad, jo->cli->out);
		s = nl + 1;
	}
	fputs(s, jo->cli->out);
	json_object_put(value);
}

void vs_jsonout_begin(struct vs_jsonout *jo, struct vs_cli *cli)
{
	jo->cli = cli;
	jo->depth = 1;
	jo->first = true;
	jo->failed = false;
	fputc('{', cli->out);
}

void vs_jsonout_member(struct vs_jsonout *jo, const char *key, struct json_object *value)
{
	next_entry(jo);
	fprintf(jo->cli->out, "\"%s\":", key);
	if (value)
		put_value(jo, value);
	else
		fputs("null", jo->cli->out);
}

void vs_jsonout_array_begin(struct vs_jsonout *jo, const char *key)
{
	next_entry(jo);
	fprintf(jo->cli->out, "\"%s\":[", key);
	jo->depth++;
	jo->first = true;
}

void vs_jsonout_element(struct vs_jsonout *jo, struct json_object *value)
{
	next_entry(jo);
	put_value(jo, value);
}

void vs_jsonout_array_end(struct vs_jsonout *jo)
{
	jo->depth--;
	/* json-c writes an empty array as "[", newline, indent, "]" too. */
	fputc('\n', jo->cli->out);
	indent(jo, jo->depth);
	fputc(']', jo->cli->out);
	jo->first = false;
}

int vs_jsonout_end(struct vs_jsonout *jo)
{
	fputs("\n}\n", jo->cli->out);
	if (fflush(jo->cli->out) != 0 || ferror(jo->cli->out)) {
		vs_cli_error(jo->cli, "cannot write the output");
		return VS_EXIT_FAIL;
	}
	if (jo->failed) {
		vs_cli_error(jo->cli, "out of memory");
		return VS_EXIT_FAIL;
	}
	return VS_EXIT_OK;
}
