// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The clipboard through the terminal: OSC 52 ("ESC ] 52 ; c ; BASE64 BEL")
 * reaches the user's clipboard over SSH and, with `set-clipboard on`, from
 * inside tmux. Terminals without it ignore the sequence; the text is also
 * shown in a window for them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

char *vs_base64(const void *data, size_t len)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = abc[(v >> 18) & 63];
		*o++ = abc[(v >> 12) & 63];
		*o++ = i + 1 < len ? abc[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? abc[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

int vs_tui_osc52(struct vs_tui *t, const char *text)
{
	char *b64 = vs_base64(text, strlen(text));
	int ret = 0;

	if (!b64)
		return -ENOMEM;
	if (!t->term_out || fprintf(t->term_out, "\033]52;c;%s\a", b64) < 0 ||
	    fflush(t->term_out))
		ret = -EIO;
	free(b64);
	return ret;
}
