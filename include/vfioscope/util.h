/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small shared helpers of the core: error values, a growable string, and the
 * three ways a string from the system must be treated before it leaves the
 * program (terminal, shell, JSON is json-c's job).
 *
 * Errors are values: functions return 0 or a negative errno, and may fill a
 * struct vs_err with a sentence for the user. The core never prints.
 */
#ifndef VFIOSCOPE_UTIL_H
#define VFIOSCOPE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/**
 * struct vs_err - an error with a sentence for the user.
 * @code: negative errno (0 when no error was set)
 * @msg: heap-allocated message, or NULL; owned by the struct
 *
 * Initialise with VS_ERR_INIT; release with vs_err_release().
 */
struct vs_err {
	int code;
	char *msg;
};
#define VS_ERR_INIT { .code = 0, .msg = NULL }

/**
 * vs_err_set() - record an error (the first one recorded wins).
 * @err: may be NULL, then nothing is recorded
 * @code: negative errno
 * Return: @code, so that callers can write `return vs_err_set(err, -EIO, ...)`.
 */
int vs_err_set(struct vs_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vs_err_release(struct vs_err *err);
/** vs_err_msg() - the message, or strerror(-code), or "no error". Never NULL. */
const char *vs_err_msg(const struct vs_err *err);

/**
 * struct vs_strbuf - growable NUL-terminated string.
 *
 * Allocation failure is sticky: @oom is set, later appends do nothing, and
 * vs_strbuf_detach() returns NULL.
 */
struct vs_strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	bool oom;
};
#define VS_STRBUF_INIT { .buf = NULL, .len = 0, .alloc = 0, .oom = false }

void vs_strbuf_add(struct vs_strbuf *sb, const char *s);
void vs_strbuf_addn(struct vs_strbuf *sb, const char *s, size_t n);
void vs_strbuf_addch(struct vs_strbuf *sb, char c);
void vs_strbuf_addf(struct vs_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vs_strbuf_vaddf(struct vs_strbuf *sb, const char *fmt, va_list ap);
/** vs_strbuf_cstr() - the contents, "" when empty. Borrowed. */
const char *vs_strbuf_cstr(const struct vs_strbuf *sb);
/** vs_strbuf_detach() - hand the buffer to the caller (free()) and reset. */
char *vs_strbuf_detach(struct vs_strbuf *sb);
void vs_strbuf_reset(struct vs_strbuf *sb);
void vs_strbuf_release(struct vs_strbuf *sb);

/**
 * vs_sanitize_term() - make a system string safe to put on a terminal.
 *
 * Control characters (C0, DEL, C1 and the ESC that starts every escape
 * sequence) become `?`; invalid UTF-8 bytes become `?`; valid UTF-8 is kept
 * when @utf8 is true and replaced by `?` otherwise.
 * Return: a new string (free()), or NULL on allocation failure.
 */
char *vs_sanitize_term(const char *s, bool utf8);

/**
 * vs_shell_quote() - append @s to @sb quoted for a POSIX shell.
 *
 * Strings of only [A-Za-z0-9_./:@%+=,-] are appended as they are; anything
 * else is wrapped in single quotes with embedded quotes as '\''.
 */
void vs_shell_quote(struct vs_strbuf *sb, const char *s);

/**
 * vs_json_quote() - append @s to @sb as a JSON string literal, quotes
 * included, escaped exactly as json-c does with JSON_C_TO_STRING_NOSLASHESCAPE
 * (\" \\ \b \f \n \r \t, other bytes below 0x20 as \u00xx, everything
 * else as it is); NULL appends null. For documents written without json-c
 * objects, which must read the same as those written with them.
 */
void vs_json_quote(struct vs_strbuf *sb, const char *s);

/** vs_streq() - NULL-safe string equality. */
bool vs_streq(const char *a, const char *b);

#endif
