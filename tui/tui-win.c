// SPDX-License-Identifier: GPL-2.0-or-later
/* Windows over the list: one at a time; opening one closes the last. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

struct vs_tui_win *vs_tui_win_new(struct vs_tui *t, enum vs_keymap map, const char *title)
{
	struct vs_tui_win *win = calloc(1, sizeof(*win));

	if (!win)
		return NULL;
	win->map = map;
	win->title = strdup(title);
	if (!win->title) {
		free(win);
		return NULL;
	}
	vs_tui_win_close(t);
	t->win = win;
	return win;
}

void vs_tui_win_close(struct vs_tui *t)
{
	struct vs_tui_win *win = t->win;

	if (!win)
		return;
	if (win->free_data)
		win->free_data(win->data);
	vs_tui_text_release(&win->text);
	free(win->title);
	free(win);
	t->win = NULL;
}
