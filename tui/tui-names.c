// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sorted string sets for the fold state and the selection. They hold names,
 * not pointers into the topology, so a rescan keeps them.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

/* Index of @name, or of where it would go; *@found tells which. */
static size_t names_pos(const struct vs_tui_names *set, const char *name, bool *found)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(set->v[mid], name);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

bool vs_tui_names_has(const struct vs_tui_names *set, const char *name)
{
	bool found;

	names_pos(set, name, &found);
	return found;
}

int vs_tui_names_add(struct vs_tui_names *set, const char *name)
{
	bool found;
	size_t pos = names_pos(set, name, &found);
	char *copy;

	if (found)
		return 0;
	if (set->n == set->alloc) {
		size_t alloc = set->alloc ? set->alloc * 2 : 8;
		char **v = realloc(set->v, alloc * sizeof(*v));

		if (!v)
			return -ENOMEM;
		set->v = v;
		set->alloc = alloc;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	memmove(set->v + pos + 1, set->v + pos, (set->n - pos) * sizeof(*set->v));
	set->v[pos] = copy;
	set->n++;
	return 0;
}

void vs_tui_names_del(struct vs_tui_names *set, const char *name)
{
	bool found;
	size_t pos = names_pos(set, name, &found);

	if (!found)
		return;
	free(set->v[pos]);
	memmove(set->v + pos, set->v + pos + 1, (set->n - pos - 1) * sizeof(*set->v));
	set->n--;
}

void vs_tui_names_clear(struct vs_tui_names *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = set->alloc = 0;
}
