/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State of the interactive mode, shared by tui/tui*.c. One struct vs_tui
 * owns everything: the topology of the last scan, the rows of the current
 * view, the selection, the open window.
 */
#ifndef VFIOSCOPE_TUI_INT_H
#define VFIOSCOPE_TUI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vfioscope/topology.h"
#include "vfioscope/util.h"

#include "cli.h"
#include "keys.h"
#include "tui.h"

struct vs_tui;

/* PLATFORM: the Tree's platform, AMBA and fsl-mc sections alone, with the
 * device tree in the details; offered only when the system has such devices. */
enum vs_tui_view { VS_VIEW_TREE, VS_VIEW_GROUPS, VS_VIEW_PLATFORM, VS_VIEW_N };

/* What a request handler asks the main loop to do next (htop's Htop_Reaction). */
enum {
	VS_TUI_OK	= 0,
	VS_TUI_REDRAW	= 1u << 0,	/* draw again */
	VS_TUI_REBUILD	= 1u << 1,	/* rows changed: fold, view, search jump */
	VS_TUI_RESCAN	= 1u << 2,	/* read the system again */
	VS_TUI_QUIT	= 1u << 3,
	VS_TUI_CLEAR	= 1u << 4,	/* repaint the whole terminal (^L, resize) */
};

enum vs_tui_style {
	VS_STYLE_NORMAL,
	VS_STYLE_HEAD,		/* headings, titles */
	VS_STYLE_GOOD,		/* viable, done */
	VS_STYLE_BAD,		/* blocking, failed */
	VS_STYLE_WARN,		/* partial, unsafe */
	VS_STYLE_CRIT,		/* host-critical */
	VS_STYLE_SEL,		/* selected */
	VS_STYLE_DIM,		/* secondary facts */
	VS_STYLE_BAR,		/* header and status bars */
	VS_STYLE_N,
};

/* Lines of text with a style each; every line is already sanitized. */
struct vs_tui_line {
	char *text;
	enum vs_tui_style style;
	int hang;		/* columns continuation lines are indented by */
	bool code;		/* break at the edge, not at spaces, and no indent */
};

struct vs_tui_text {
	struct vs_tui_line *v;
	size_t n, alloc;
};

/* A sorted set of strings (fold state, selection): small, kept by name so
 * that it survives rescans. */
struct vs_tui_names {
	char **v;
	size_t n, alloc;
};

enum vs_tui_row_kind { VS_ROW_SECTION, VS_ROW_DEVICE, VS_ROW_GROUP };

struct vs_tui_row {
	enum vs_tui_row_kind kind;
	const struct vs_device *dev;	/* DEVICE */
	const struct vs_group *group;	/* GROUP; DEVICE rows of the Groups view */
	char *title;			/* SECTION: sanitized heading */
	char *key;			/* fold key: "s:pci0000:00", "d:NAME", "g:12" */
	unsigned depth;
	char *guides;			/* @depth bytes: '|' or ' ' per ancestor, then '+' or '`' */
	bool has_children;
	bool collapsed;
	size_t parent;			/* row index, SIZE_MAX at the top */
};

/* Per device of the scan (by vs_device.index): sanitized strings and marks. */
struct vs_tui_dev {
	char *name;		/* sysfs name */
	char *label;		/* short name: pci.ids device name, compatible, object type */
	char *driver;		/* NULL when none */
	char *hostcrit;		/* evidence sentence, NULL when not host-critical */
	char *haystack;		/* lowercase "name label driver" for search */
	bool blocking;		/* its driver keeps its group from being viable */
	bool partial;		/* its group is partly on vfio, partly not */
};

/* A window over the list: help, explanation, copied text, a plan, a result. */
struct vs_tui_win {
	enum vs_keymap map;		/* WINDOW or CONFIRM */
	char *title;
	struct vs_tui_text text;
	size_t scroll;
	size_t n_display;		/* wrapped lines at the last draw */
	size_t page;			/* lines shown at the last draw */
	/* CONFIRM: called on confirmation; owns @data (freed by @free_data). */
	unsigned (*confirm)(struct vs_tui *t);
	void *data;
	void (*free_data)(void *data);
	bool plain;			/* text to select with the mouse: no side borders */
};

struct vs_tui_monitor;
struct vs_diag;
struct vs_doctor;
struct vs_explain;
struct vs_selection;
struct vs_dt_closure;

struct vs_tui {
	struct vs_cli *cli;
	const struct vs_tui_opts *opts;
	bool utf8;			/* UTF-8 text and line drawing */
	bool color;			/* colours in use */
	bool writable;			/* writes allowed: root on the live system, or a fixture */

	struct vs_topology *topo;
	struct vs_tui_dev *devs;	/* topo->n_devices */
	int n_viable;			/* groups that are viable */

	enum vs_tui_view view;
	struct vs_tui_row *rows;
	size_t n_rows;
	size_t cursor, top;
	/* A view without the cursor's row (a PCI device in the Platform view):
	 * @anchor is that row's key, @landed where the cursor went instead;
	 * the next view that has @anchor returns to it unless the cursor moved. */
	char *anchor, *landed;
	struct vs_tui_names collapsed;	/* fold keys, prefixed "t", "g" or "p" by view */
	struct vs_tui_names selected;	/* device names */

	char *search;			/* the last search, as typed */
	bool prompting;
	struct vs_strbuf prompt;

	char *status;			/* last action's result, sanitized */
	enum vs_tui_style status_style;

	struct vs_tui_win *win;
	size_t list_page;		/* rows of the list at the last draw */

	/* The diagnosis of the scan (tui-diag.c). */
	struct vs_diag *diag;
	struct vs_doctor *doctor;
	struct vs_explain *ex;		/* cache: the explanation of @ex_dev */
	const struct vs_device *ex_dev;
	struct vs_selection *sel;	/* the check of the selection, NULL when empty */
	struct vs_dt_closure *closure;	/* cache: the DT closure of @closure_dev */
	const struct vs_device *closure_dev;

	struct vs_tui_monitor *mon;
	FILE *term_out;			/* the terminal curses writes to (OSC 52 goes there too) */
};

/* tui.c */
void vs_tui_status(struct vs_tui *t, enum vs_tui_style style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vs_tui_rescan(struct vs_tui *t, struct vs_err *err);

/* tui-names.c */
bool vs_tui_names_has(const struct vs_tui_names *set, const char *name);
int vs_tui_names_add(struct vs_tui_names *set, const char *name);
void vs_tui_names_del(struct vs_tui_names *set, const char *name);
void vs_tui_names_clear(struct vs_tui_names *set);

/* tui-text.c */
void vs_tui_text_add(struct vs_tui_text *txt, enum vs_tui_style style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vs_tui_text_add_sys(struct vs_tui_text *txt, enum vs_tui_style style, bool utf8,
			 const char *prefix, const char *sys);
void vs_tui_text_hang(struct vs_tui_text *txt, int hang);
void vs_tui_text_code(struct vs_tui_text *txt, size_t from);
void vs_tui_text_release(struct vs_tui_text *txt);
char *vs_tui_sanitize(const struct vs_tui *t, const char *s);
void vs_tui_describe_row(struct vs_tui *t, const struct vs_tui_row *row, bool full,
			 struct vs_tui_text *out);

/* tui-rows.c */
int vs_tui_devs_build(struct vs_tui *t);
void vs_tui_devs_free(struct vs_tui *t);
int vs_tui_rows_build(struct vs_tui *t);
void vs_tui_rows_free(struct vs_tui *t);
const struct vs_tui_row *vs_tui_cursor_row(const struct vs_tui *t);
bool vs_tui_has_platform(const struct vs_tui *t);
char *vs_tui_fold_key(const struct vs_tui *t, const struct vs_tui_row *row);
int vs_tui_find_device_row(const struct vs_tui *t, const char *name, size_t *out);
bool vs_tui_search_match(const struct vs_tui *t, const struct vs_device *dev, const char *needle);
/* Return: 0 found, 1 found after wrapping around, -ENOENT, -ENOMEM. */
int vs_tui_search(struct vs_tui *t, const char *needle, bool forward);
void vs_tui_selected_devices(const struct vs_tui *t, const struct vs_device ***out, size_t *n);

/* tui-draw.c */
void vs_tui_draw(struct vs_tui *t);
void vs_tui_colors_init(struct vs_tui *t);

/* tui-win.c */
struct vs_tui_win *vs_tui_win_new(struct vs_tui *t, enum vs_keymap map, const char *title);
void vs_tui_win_close(struct vs_tui *t);

/* tui-req.c */
unsigned vs_tui_handle_key(struct vs_tui *t, int key);

/* tui-act.c */
bool vs_tui_can_write(const struct vs_tui *t, struct vs_err *why);
unsigned vs_tui_bind(struct vs_tui *t, bool restore);
unsigned vs_tui_copy(struct vs_tui *t, bool libvirt);
const char *vs_tui_hostcrit_fn(void *ctx, const struct vs_device *dev);

/* tui-diag.c */
int vs_tui_diag_build(struct vs_tui *t, struct vs_err *err);
void vs_tui_diag_free(struct vs_tui *t);
void vs_tui_doctor_summary(const struct vs_tui *t, struct vs_strbuf *sb);
void vs_tui_doctor_text(struct vs_tui *t, struct vs_tui_text *out);
const struct vs_explain *vs_tui_explain(struct vs_tui *t, const struct vs_device *dev);
void vs_tui_explain_text(struct vs_tui *t, const struct vs_device *dev, bool full,
			 struct vs_tui_text *out);
int vs_tui_selection_check(struct vs_tui *t);
void vs_tui_selection_text(struct vs_tui *t, struct vs_tui_text *out);

/* tui-platform.c */
void vs_tui_platform_text(struct vs_tui *t, const struct vs_device *dev, bool full,
			  struct vs_tui_text *out);
void vs_tui_findings_text(struct vs_tui *t, const struct vs_device *dev, bool detail,
			  struct vs_tui_text *out);

/* tui-clip.c */
char *vs_base64(const void *data, size_t len);
int vs_tui_osc52(struct vs_tui *t, const char *text);

/* tui-monitor.c */
int vs_tui_monitor_open(struct vs_tui_monitor **out, struct vs_err *err);
int vs_tui_monitor_fd(const struct vs_tui_monitor *mon);
int vs_tui_monitor_drain(struct vs_tui_monitor *mon);
void vs_tui_monitor_free(struct vs_tui_monitor *mon);

#endif
