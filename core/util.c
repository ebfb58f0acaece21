// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/util.h"

int vs_err_set(struct vs_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->code)
		return code;
	err->code = code;
	va_start(ap, fmt);
	if (vasprintf(&err->msg, fmt, ap) < 0)
		err->msg = NULL;
	va_end(ap);
	return code;
}

void vs_err_release(struct vs_err *err)
{
	if (!err)
		return;
	free(err->msg);
	err->msg = NULL;
	err->code = 0;
}

const char *vs_err_msg(const struct vs_err *err)
{
	if (!err || !err->code)
		return "no error";
	if (err->msg)
		return err->msg;
	return strerror(-err->code);
}

static bool strbuf_grow(struct vs_strbuf *sb, size_t extra)
{
	size_t want;
	char *p;

	if (sb->oom)
		return false;
	if (sb->len + extra + 1 <= sb->alloc)
		return true;
	want = sb->alloc ? sb->alloc : 64;
	while (want < sb->len + extra + 1)
		want *= 2;
	p = realloc(sb->buf, want);
	if (!p) {
		sb->oom = true;
		return false;
	}
	sb->buf = p;
	sb->alloc = want;
	return true;
}

void vs_strbuf_addn(struct vs_strbuf *sb, const char *s, size_t n)
{
	if (!strbuf_grow(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void vs_strbuf_add(struct vs_strbuf *sb, const char *s)
{
	vs_strbuf_addn(sb, s, strlen(s));
}

void vs_strbuf_addch(struct vs_strbuf *sb, char c)
{
	vs_strbuf_addn(sb, &c, 1);
}

void vs_strbuf_vaddf(struct vs_strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || !strbuf_grow(sb, (size_t)n))
		return;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void vs_strbuf_addf(struct vs_strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vs_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

const char *vs_strbuf_cstr(const struct vs_strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

char *vs_strbuf_detach(struct vs_strbuf *sb)
{
	char *p = NULL;

	if (!sb->oom)
		p = sb->buf ? sb->buf : strdup("");
	else
		free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	sb->oom = false;
	return p;
}

void vs_strbuf_reset(struct vs_strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void vs_strbuf_release(struct vs_strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	sb->oom = false;
}

/* Length of the valid UTF-8 sequence at @s, or 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls (U+0080..U+009F) act as escape introducers on some terminals. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return n;
}

char *vs_sanitize_term(const char *s, bool utf8)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	struct vs_strbuf sb = VS_STRBUF_INIT;

	vs_strbuf_add(&sb, "");
	while (*p) {
		size_t n = utf8_len(p);

		if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
			vs_strbuf_addch(&sb, '?');
			p++;
		} else if (n == 1) {
			vs_strbuf_addch(&sb, (char)*p++);
		} else if (n == 0) {
			vs_strbuf_addch(&sb, '?');
			p++;
		} else {
			if (utf8)
				vs_strbuf_addn(&sb, (const char *)p, n);
			else
				vs_strbuf_addch(&sb, '?');
			p += n;
		}
	}
	return vs_strbuf_detach(&sb);
}

void vs_shell_quote(struct vs_strbuf *sb, const char *s)
{
	const char *p;
	bool plain = *s != '\0';

	for (p = s; *p && plain; p++)
		plain = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			       "0123456789_./:@%+=,-", *p) != NULL;
	if (plain) {
		vs_strbuf_add(sb, s);
		return;
	}
	vs_strbuf_addch(sb, '\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			vs_strbuf_add(sb, "'\\''");
		else
			vs_strbuf_addch(sb, *p);
	}
	vs_strbuf_addch(sb, '\'');
}

void vs_json_quote(struct vs_strbuf *sb, const char *s)
{
	/* the two-character escapes, indexed by the byte they stand for */
	static const char two[0x60] = {
		['"'] = '"', ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f',
		['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
	};
	static const char hex[] = "0123456789abcdef";
	const char *run;

	if (!s) {
		vs_strbuf_addn(sb, "null", 4);
		return;
	}
	vs_strbuf_addch(sb, '"');
	for (run = s; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\', two[c < 0x60 ? c : 0], 0 };

		if (c >= 0x20 && !esc[1])
			continue;
		vs_strbuf_addn(sb, run, (size_t)(s - run));
		run = s + 1;
		if (esc[1]) {
			vs_strbuf_addn(sb, esc, 2);
			continue;
		}
		memcpy(esc + 1, "u00", 3);
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 0xf];
		vs_strbuf_addn(sb, esc, 6);
	}
	vs_strbuf_addn(sb, run, (size_t)(s - run));
	vs_strbuf_addch(sb, '"');
}

bool vs_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}
