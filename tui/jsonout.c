// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jsonout.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)
/* the text is handed to stdio in pieces of about this size */
#define FLUSH_AT 65536

static void flush(struct vs_jsonout *jo)
{
	if (jo->buf.oom)
		jo->failed = true;
	if (jo->buf.len)
		fwrite(jo->buf.buf, 1, jo->buf.len, jo->cli->out);
	vs_strbuf_reset(&jo->buf);
}

/* Hand the text to stdio once a piece is big enough. */
static void maybe_flush(struct vs_jsonout *jo)
{
	if (jo->buf.len >= FLUSH_AT)
		flush(jo);
}

static void emit(struct vs_jsonout *jo, const char *s, size_t n)
{
	vs_strbuf_addn(&jo->buf, s, n);
	maybe_flush(jo);
}

static void indent(struct vs_jsonout *jo)
{
	static const char pad[] = "                                ";
	int left = jo->depth * 2;

	for (; left > 0; left -= (int)sizeof(pad) - 1)
		emit(jo, pad, left < (int)sizeof(pad) - 1 ? (size_t)left : sizeof(pad) - 1);
}

/* Start an entry of the innermost container: separator, newline, indent, key. */
static void next_entry(struct vs_jsonout *jo, const char *key)
{
	emit(jo, jo->first ? "\n" : ",\n", jo->first ? 1 : 2);
	jo->first = false;
	indent(jo);
	if (key) {
		emit(jo, "\"", 1);
		emit(jo, key, strlen(key));
		emit(jo, "\":", 2);
	}
}

/* json-c's pretty text of @value, every line after the first indented to the current depth. */
static void put_value(struct vs_jsonout *jo, struct json_object *value)
{
	const char *s, *nl;

	if (!value) {
		jo->failed = true;
		emit(jo, "null", 4);
		return;
	}
	s = json_object_to_json_string_ext(value, JSON_FLAGS);
	if (!s) {
		jo->failed = true;
		s = "null";
	}
	while ((nl = strchr(s, '\n'))) {
		emit(jo, s, (size_t)(nl - s) + 1);
		indent(jo);
		s = nl + 1;
	}
	emit(jo, s, strlen(s));
	json_object_put(value);
}

void vs_jsonout_begin(struct vs_jsonout *jo, struct vs_cli *cli)
{
	jo->cli = cli;
	jo->buf = (struct vs_strbuf)VS_STRBUF_INIT;
	jo->depth = 1;
	jo->first = true;
	jo->failed = false;
	emit(jo, "{", 1);
}

void vs_jsonout_member(struct vs_jsonout *jo, const char *key, struct json_object *value)
{
	next_entry(jo, key);
	if (value)
		put_value(jo, value);
	else
		emit(jo, "null", 4);
}

void vs_jsonout_open(struct vs_jsonout *jo, const char *key, char open)
{
	next_entry(jo, key);
	emit(jo, &open, 1);
	jo->depth++;
	jo->first = true;
}

void vs_jsonout_close(struct vs_jsonout *jo, char close)
{
	jo->depth--;
	/* json-c writes an empty container as "[", newline, indent, "]" too. */
	emit(jo, "\n", 1);
	indent(jo);
	emit(jo, &close, 1);
	jo->first = false;
}

void vs_jsonout_array_begin(struct vs_jsonout *jo, const char *key)
{
	vs_jsonout_open(jo, key, '[');
}

void vs_jsonout_element(struct vs_jsonout *jo, struct json_object *value)
{
	next_entry(jo, NULL);
	put_value(jo, value);
}

void vs_jsonout_array_end(struct vs_jsonout *jo)
{
	vs_jsonout_close(jo, ']');
}

void vs_jsonout_key_str(struct vs_jsonout *jo, const char *key, const char *value)
{
	next_entry(jo, key);
	vs_json_quote(&jo->buf, value);
	maybe_flush(jo);
}

void vs_jsonout_key_int(struct vs_jsonout *jo, const char *key, long long value)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%lld", value);

	next_entry(jo, key);
	emit(jo, num, (size_t)n);
}

void vs_jsonout_key_bool(struct vs_jsonout *jo, const char *key, bool value)
{
	next_entry(jo, key);
	emit(jo, value ? "true" : "false", value ? 4 : 5);
}

int vs_jsonout_end(struct vs_jsonout *jo)
{
	emit(jo, "\n}\n", 3);
	flush(jo);
	vs_strbuf_release(&jo->buf);
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
