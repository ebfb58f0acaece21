/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keys of the interactive mode: the request table of tui/keys.def turned into
 * an enum, key-name parsing, lookup, and the two documents made from the
 * table (the help window's text and the man page's KEYS section).
 */
#ifndef VFIOSCOPE_TUI_KEYS_H
#define VFIOSCOPE_TUI_KEYS_H

#include <stdbool.h>

#include "vfioscope/util.h"

enum vs_keymap {
	VS_KEYMAP_LIST,
	VS_KEYMAP_WINDOW,
	VS_KEYMAP_CONFIRM,
	VS_KEYMAP_PROMPT,
	VS_KEYMAP_N,
};

enum vs_req {
	VS_REQ_NONE = -1,
#define VS_REQ(map, id, fn, keys, hint, help) VS_REQ_##id,
#include "keys.def"
#undef VS_REQ
	VS_REQ_N,
};

struct vs_req_info {
	enum vs_keymap map;
	const char *name;	/* "MOVE_UP" */
	const char *keys;	/* "Up k" */
	const char *hint;	/* "select", or "" */
	const char *help;
};

/* A key: a character (Unicode code point) or a curses key code | VS_KEY_FN. */
#define VS_KEY_FN 0x01000000
#define VS_KEY_CTRL(c) ((c) & 0x1f)

/** vs_req_info() - the table row of @req (VS_REQ_NONE < @req < VS_REQ_N). */
const struct vs_req_info *vs_req_info(enum vs_req req);

/** vs_keymap_name() - "list", "window", "confirm", "prompt". */
const char *vs_keymap_name(enum vs_keymap map);
/** vs_keymap_title() - the heading of the keymap in the help and man page. */
const char *vs_keymap_title(enum vs_keymap map);

/**
 * vs_key_parse() - a key name of the table ("k", "^B", "PgUp", "F1") as a key.
 * Return: the key, or -1 when the name is not a key name.
 */
int vs_key_parse(const char *name, int *key);

/**
 * vs_keymap_lookup() - the request bound to @key in @map; the CONFIRM map
 * falls back to WINDOW. Enter, Backspace and Esc also match their other
 * codes (\r and KEY_ENTER; 127, ^H and KEY_BACKSPACE).
 */
enum vs_req vs_keymap_lookup(enum vs_keymap map, int key);

/**
 * vs_keys_help() - the help text: for each keymap a heading, then one line
 * per request: the keys, padded, and the help. Lines end with '\n'.
 */
void vs_keys_help(struct vs_strbuf *sb);

/** vs_keys_man() - the KEYS section of the man page in roff, without the .SH line. */
void vs_keys_man(struct vs_strbuf *sb);

/** vs_keys_check() - -EINVAL (with the bad name in @err) if a key name of the table does not parse. */
int vs_keys_check(struct vs_err *err);

#endif
