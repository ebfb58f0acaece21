// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The keymap is the request table itself: a lookup walks the table and
 * parses its key names, so there is no second copy of the bindings that could
 * drift from the help or the man page.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "keys.h"

static const struct vs_req_info req_table[] = {
#define VS_REQ(m, id, fn, k, hi, h) \
	{ .map = VS_KEYMAP_##m, .name = #id, .keys = k, .hint = hi, .help = h },
#include "keys.def"
#undef VS_REQ
};

const struct vs_req_info *vs_req_info(enum vs_req req)
{
	if (req <= VS_REQ_NONE || req >= VS_REQ_N)
		return NULL;
	return &req_table[req];
}

const char *vs_keymap_name(enum vs_keymap map)
{
	switch (map) {
	case VS_KEYMAP_LIST:
		return "list";
	case VS_KEYMAP_WINDOW:
		return "window";
	case VS_KEYMAP_CONFIRM:
		return "confirm";
	case VS_KEYMAP_PROMPT:
		return "prompt";
	case VS_KEYMAP_N:
		break;
	}
	return "?";
}

const char *vs_keymap_title(enum vs_keymap map)
{
	switch (map) {
	case VS_KEYMAP_LIST:
		return "In the device list";
	case VS_KEYMAP_WINDOW:
		return "In a window (help, explanation, copied text, results)";
	case VS_KEYMAP_CONFIRM:
		return "In a plan waiting for confirmation (bind, restore)";
	case VS_KEYMAP_PROMPT:
		return "While typing a search";
	case VS_KEYMAP_N:
		break;
	}
	return "?";
}

struct key_name {
	const char *name;
	int key;
};

static const struct key_name key_names[] = {
	{ .name = "Up", .key = KEY_UP | VS_KEY_FN },
	{ .name = "Down", .key = KEY_DOWN | VS_KEY_FN },
	{ .name = "Left", .key = KEY_LEFT | VS_KEY_FN },
	{ .name = "Right", .key = KEY_RIGHT | VS_KEY_FN },
	{ .name = "PgUp", .key = KEY_PPAGE | VS_KEY_FN },
	{ .name = "PgDn", .key = KEY_NPAGE | VS_KEY_FN },
	{ .name = "Home", .key = KEY_HOME | VS_KEY_FN },
	{ .name = "End", .key = KEY_END | VS_KEY_FN },
	{ .name = "Enter", .key = '\n' },
	{ .name = "Esc", .key = 27 },
	{ .name = "Tab", .key = '\t' },
	{ .name = "Space", .key = ' ' },
	{ .name = "Backspace", .key = KEY_BACKSPACE | VS_KEY_FN },
};

int vs_key_parse(const char *name, int *key)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		if (!strcmp(name, key_names[i].name)) {
			*key = key_names[i].key;
			return 0;
		}
	}
	if (len == 1 && name[0] > ' ' && name[0] < 127) {
		*key = (unsigned char)name[0];
		return 0;
	}
	if (len == 2 && name[0] == '^' && name[1] >= '@' && name[1] <= '_') {
		*key = VS_KEY_CTRL(name[1]);
		return 0;
	}
	if (name[0] == 'F' && len >= 2 && len <= 3) {
		char *end;
		long n = strtol(name + 1, &end, 10);

		if (!*end && n >= 1 && n <= 12) {
			*key = KEY_F(n) | VS_KEY_FN;
			return 0;
		}
	}
	return -1;
}

/* The other codes terminals send for the same key. */
static int key_canonical(int key)
{
	switch (key) {
	case '\r':
	case KEY_ENTER | VS_KEY_FN:
		return '\n';
	case 127:
	case VS_KEY_CTRL('H'):
		return KEY_BACKSPACE | VS_KEY_FN;
	default:
		return key;
	}
}

/* Call @fn for each key name of @keys; stops at the first nonzero return. */
static int for_each_key_name(const char *keys, int (*fn)(const char *name, void *data),
			     void *data)
{
	const char *p = keys;

	while (*p) {
		size_t n = strcspn(p, " ");
		char name[16];
		int ret;

		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			ret = fn(name, data);
		} else {
			ret = n ? fn("", data) : 0;
		}
		if (ret)
			return ret;
		p += n;
		p += strspn(p, " ");
	}
	return 0;
}

static int match_key(const char *name, void *data)
{
	int key;

	if (vs_key_parse(name, &key))
		return 0;
	return key == *(const int *)data;
}

static enum vs_req lookup_in(enum vs_keymap map, int key)
{
	for (size_t i = 0; i < VS_REQ_N; i++) {
		if (req_table[i].map != map)
			continue;
		if (for_each_key_name(req_table[i].keys, match_key, &key))
			return (enum vs_req)i;
	}
	return VS_REQ_NONE;
}

enum vs_req vs_keymap_lookup(enum vs_keymap map, int key)
{
	enum vs_req req;

	key = key_canonical(key);
	req = lookup_in(map, key);
	if (req == VS_REQ_NONE && map == VS_KEYMAP_CONFIRM)
		req = lookup_in(VS_KEYMAP_WINDOW, key);
	return req;
}

struct join_state {
	struct vs_strbuf *sb;
	const char *sep;
	bool roff;
	bool first;
};

static void add_roff_text(struct vs_strbuf *sb, const char *s);

static int join_key(const char *name, void *data)
{
	struct join_state *js = data;

	if (!js->first)
		vs_strbuf_add(js->sb, js->sep);
	js->first = false;
	if (js->roff)
		add_roff_text(js->sb, name);
	else
		vs_strbuf_add(js->sb, name);
	return 0;
}

/* "Up, k" (help) or "Up, k" with roff escapes (man page). */
static void add_keys(struct vs_strbuf *sb, const char *keys, bool roff)
{
	struct join_state js = { .sb = sb, .sep = ", ", .roff = roff, .first = true };

	for_each_key_name(keys, join_key, &js);
}

void vs_keys_help(struct vs_strbuf *sb)
{
	for (int m = 0; m < VS_KEYMAP_N; m++) {
		bool any = false;

		for (size_t i = 0; i < VS_REQ_N; i++) {
			struct vs_strbuf keys = VS_STRBUF_INIT;

			if (req_table[i].map != (enum vs_keymap)m)
				continue;
			if (!any)
				vs_strbuf_addf(sb, "%s%s\n", m ? "\n" : "",
					       vs_keymap_title((enum vs_keymap)m));
			any = true;
			add_keys(&keys, req_table[i].keys, false);
			vs_strbuf_addf(sb, "  %-16s %s\n", vs_strbuf_cstr(&keys), req_table[i].help);
			vs_strbuf_release(&keys);
		}
	}
}

/* Roff text: a leading dot or quote must not start a request; backslashes doubled. */
static void add_roff_text(struct vs_strbuf *sb, const char *s)
{
	if (*s == '.' || *s == '\'')
		vs_strbuf_add(sb, "\\&");
	for (; *s; s++) {
		if (*s == '\\')
			vs_strbuf_add(sb, "\\e");
		else if (*s == '-')
			vs_strbuf_add(sb, "\\-");
		else if (*s == '^')
			vs_strbuf_add(sb, "\\(ha");
		else
			vs_strbuf_addch(sb, *s);
	}
}

void vs_keys_man(struct vs_strbuf *sb)
{
	vs_strbuf_add(sb, ".\\\" Generated from tui/keys.def by tui/keys-man.c: "
		      "run `make update-man-keys` after changing the table.\n");
	for (int m = 0; m < VS_KEYMAP_N; m++) {
		bool any = false;

		for (size_t i = 0; i < VS_REQ_N; i++) {
			if (req_table[i].map != (enum vs_keymap)m)
				continue;
			if (!any)
				vs_strbuf_addf(sb, ".SS %s\n", vs_keymap_title((enum vs_keymap)m));
			any = true;
			vs_strbuf_add(sb, ".TP\n.B ");
			add_keys(sb, req_table[i].keys, true);
			vs_strbuf_addch(sb, '\n');
			add_roff_text(sb, req_table[i].help);
			vs_strbuf_addch(sb, '\n');
		}
	}
}

struct check_state {
	struct vs_err *err;
	const char *req;
};

static int check_key(const char *name, void *data)
{
	struct check_state *cs = data;
	int key;

	if (vs_key_parse(name, &key))
		return vs_err_set(cs->err, -EINVAL, "request %s: \"%s\" is not a key name",
				  cs->req, name);
	return 0;
}

struct dup_state {
	struct vs_err *err;
	size_t self;
	int ret;
};

/* A key bound twice in one keymap would make the later binding dead. */
static int check_dup(const char *name, void *data)
{
	struct dup_state *ds = data;
	int key;

	if (vs_key_parse(name, &key))
		return 0;
	for (size_t j = 0; j < ds->self; j++) {
		if (req_table[j].map == req_table[ds->self].map &&
		    for_each_key_name(req_table[j].keys, match_key, &key))
			return ds->ret = vs_err_set(ds->err, -EEXIST, "%s and %s both use the key %s",
						    req_table[j].name, req_table[ds->self].name, name);
	}
	return 0;
}

int vs_keys_check(struct vs_err *err)
{
	for (size_t i = 0; i < VS_REQ_N; i++) {
		struct check_state cs = { .err = err, .req = req_table[i].name };
		struct dup_state ds = { .err = err, .self = i };
		int ret = for_each_key_name(req_table[i].keys, check_key, &cs);

		if (ret)
			return ret;
		for_each_key_name(req_table[i].keys, check_dup, &ds);
		if (ds.ret)
			return ds.ret;
	}
	return 0;
}
