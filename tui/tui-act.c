// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The actions that change something or leave the program: bind, restore
 * and copying VM arguments. The TUI only asks and shows; the writes are the
 * bind area's plan and executor, the text is the vmargs area's. A bind or
 * restore goes plan → confirmation window → execution → result window
 * (ncdu's delete.c states); without the right to write, the plan is shown
 * as commands to run and nothing is written.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfioscope/bind.h"
#include "vfioscope/vmargs.h"

#include "tui-int.h"

/* ---- what an action applies to ---- */

/*
 * The devices an action applies to: the selection, else the device under
 * the cursor, else the members of the group under the cursor. *@out is
 * malloc'd (free it). Return: 0, or -ENOENT with a status line set.
 */
static int action_devices(struct vs_tui *t, const struct vs_device ***out, size_t *n)
{
	const struct vs_tui_row *row = vs_tui_cursor_row(t);
	const struct vs_device **v;

	*out = NULL;
	*n = 0;
	if (t->selected.n) {
		vs_tui_selected_devices(t, out, n);
		return *out ? 0 : -ENOMEM;
	}
	if (!row || row->kind == VS_ROW_SECTION) {
		vs_tui_status(t, VS_STYLE_NORMAL, "Move to a device or a group, or select devices with Space");
		return -ENOENT;
	}
	if (row->kind == VS_ROW_DEVICE) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[0] = row->dev;
		*out = v;
		*n = 1;
		return 0;
	}
	v = calloc(row->group->n_members + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < row->group->n_members; i++)
		v[i] = row->group->members[i];
	*out = v;
	*n = row->group->n_members;
	return 0;
}

static bool in_list(const struct vs_device *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i]->name, name))
			return true;
	}
	return false;
}

static void status_err(struct vs_tui *t, const char *what, const struct vs_err *err)
{
	char *msg = vs_tui_sanitize(t, vs_err_msg(err));

	vs_tui_status(t, VS_STYLE_BAD, "%s: %s", what, msg ? msg : "");
	free(msg);
}

/* A sanitized copy of a system string, or "none" for NULL. */
static char *sys_or_none(const struct vs_tui *t, const char *s)
{
	return vs_tui_sanitize(t, s ? s : "none");
}

/* ---- bind and restore ---- */

struct plan_job {
	struct vs_plan *plan;
	struct vs_bind_opts opts;
	bool restore;
};

static void plan_job_free(void *data)
{
	struct plan_job *job = data;

	if (!job)
		return;
	vs_plan_free(job->plan);
	free(job);
}

static void add_plan_devices(struct vs_tui *t, const struct vs_plan *plan,
			     const struct vs_device *const *named, size_t n_named,
			     struct vs_tui_text *txt)
{
	for (size_t i = 0; i < plan->n_devices; i++) {
		const struct vs_plan_device *d = &plan->devices[i];
		char *name = vs_tui_sanitize(t, d->name), *from = sys_or_none(t, d->driver);
		char *to = d->target_any ? strdup("the kernel's choice") : sys_or_none(t, d->target);

		if (d->nothing_to_do)
			vs_tui_text_add(txt, VS_STYLE_DIM, "  %-13s already on %s: nothing to do",
					name ? name : "?", from ? from : "?");
		else
			vs_tui_text_add(txt, VS_STYLE_NORMAL, "  %-13s %s -> %s%s", name ? name : "?",
					from ? from : "?", to ? to : "?",
					in_list(named, n_named, d->name) ? "" :
					"   (comes along: same IOMMU group)");
		vs_tui_text_hang(txt, 16);
		free(name);
		free(from);
		free(to);
	}
}

static void add_notes(struct vs_tui *t, const struct vs_plan_note *notes, size_t n,
		      enum vs_tui_style style, const char *heading, struct vs_tui_text *txt)
{
	if (!n)
		return;
	vs_tui_text_add(txt, VS_STYLE_HEAD, "%s", heading);
	for (size_t i = 0; i < n; i++) {
		char *name = vs_tui_sanitize(t, notes[i].name);
		char *why = vs_tui_sanitize(t, notes[i].reason);

		vs_tui_text_add(txt, style, "  %-13s %s", name ? name : "?", why ? why : "?");
		vs_tui_text_hang(txt, 16);
		free(name);
		free(why);
	}
}

static void add_sys_lines(struct vs_tui *t, char *const *lines, size_t n, enum vs_tui_style style,
			  const char *heading, struct vs_tui_text *txt)
{
	if (!n)
		return;
	vs_tui_text_add(txt, VS_STYLE_HEAD, "%s", heading);
	for (size_t i = 0; i < n; i++)
		vs_tui_text_add_sys(txt, style, t->utf8, "  ", lines[i]);
}

/* The plan's steps as the commands a user would type, each after its reason. */
static void add_steps(struct vs_tui *t, const struct vs_plan *plan, struct vs_tui_text *txt)
{
	vs_tui_text_add(txt, VS_STYLE_HEAD, "The writes, in order:");
	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct vs_step *s = &plan->steps[i];
		struct vs_strbuf sb = VS_STRBUF_INIT;

		vs_tui_text_add_sys(txt, VS_STYLE_DIM, t->utf8, "  # ", s->reason);
		vs_tui_text_hang(txt, 4);
		vs_step_shell(&sb, s, s->dev >= 0 ? plan->devices[s->dev].name : NULL);
		vs_tui_text_add_sys(txt, VS_STYLE_NORMAL, t->utf8, "  ", vs_strbuf_cstr(&sb));
		vs_tui_text_hang(txt, 4);
		vs_strbuf_release(&sb);
	}
}

/* "IOMMU group N is/will be viable", or not and why, for each group. */
static void add_viability(struct vs_tui *t, const struct vs_group_viability *groups, size_t n,
			  const char *verb, struct vs_tui_text *txt)
{
	for (size_t i = 0; i < n; i++) {
		const struct vs_group_viability *g = &groups[i];
		struct vs_strbuf sb = VS_STRBUF_INIT;

		vs_strbuf_addf(&sb, "IOMMU group %d %s %s", g->id, verb,
			       g->viable ? "viable" : "NOT viable");
		for (size_t j = 0; j < g->n_blocking; j++) {
			char *b = vs_tui_sanitize(t, g->blocking[j]);

			vs_strbuf_addf(&sb, "%s%s", j ? ", " : ": blocked by ", b ? b : "?");
			free(b);
		}
		vs_tui_text_add(txt, g->viable ? VS_STYLE_GOOD : VS_STYLE_WARN, "%s", vs_strbuf_cstr(&sb));
		vs_strbuf_release(&sb);
	}
}

static void on_progress(void *ctx, const struct vs_step_result *r)
{
	struct vs_tui *t = ctx;
	char *dev = r->device ? vs_tui_sanitize(t, r->device) : NULL;

	vs_tui_status(t, r->status == VS_STEP_OK ? VS_STYLE_NORMAL : VS_STYLE_BAD, "%s%s%s: %s %s",
		      r->phase == VS_PHASE_ROLLBACK ? "rolling back " : "", dev ? dev : "",
		      dev ? "" : "module", vs_step_action_name(r->step.action),
		      vs_step_status_name(r->status));
	free(dev);
	vs_tui_draw(t);
}

static const char *outcome_text(enum vs_outcome o)
{
	switch (o) {
	case VS_OUTCOME_DONE:
		return "done";
	case VS_OUTCOME_UNCHANGED:
		return "unchanged (already there)";
	case VS_OUTCOME_NOT_RUN:
		return "not run";
	case VS_OUTCOME_ROLLED_BACK:
		return "failed, rolled back";
	case VS_OUTCOME_STRANDED:
		return "FAILED, NOT rolled back";
	case VS_OUTCOME_VANISHED:
		return "vanished from the bus";
	case VS_OUTCOME_REFUSED:
		return "refused";
	}
	return "?";
}

static void show_result(struct vs_tui *t, const struct vs_bind_result *res, bool restore)
{
	struct vs_tui_win *win;
	size_t done = 0;

	for (size_t i = 0; i < res->n_devices; i++)
		done += res->devices[i].outcome == VS_OUTCOME_DONE;
	if (res->ok)
		vs_tui_status(t, VS_STYLE_GOOD, "%s: %zu device%s changed", restore ? "Restored" : "Bound",
			      done, done == 1 ? "" : "s");
	else
		vs_tui_status(t, VS_STYLE_BAD, "%s failed: see the result", restore ? "Restore" : "Bind");
	win = vs_tui_win_new(t, VS_KEYMAP_WINDOW, restore ? "Restore: result" : "Bind: result");
	if (!win)
		return;
	vs_tui_text_add(&win->text, res->ok ? VS_STYLE_GOOD : VS_STYLE_BAD, "%s",
			res->ok ? (restore ? "Every device is back on its driver."
					   : "Every device is on its vfio driver.")
				: "Not every device ended where asked.");
	for (size_t i = 0; i < res->n_devices; i++) {
		const struct vs_result_device *d = &res->devices[i];
		char *name = vs_tui_sanitize(t, d->name), *before = sys_or_none(t, d->driver_before);
		char *after = sys_or_none(t, d->driver_after);
		bool bad = d->outcome == VS_OUTCOME_STRANDED || d->outcome == VS_OUTCOME_ROLLED_BACK ||
			   d->outcome == VS_OUTCOME_VANISHED;

		vs_tui_text_add(&win->text, bad ? VS_STYLE_BAD : VS_STYLE_NORMAL,
				"  %-13s %s -> %s: %s", name ? name : "?", before ? before : "?",
				after ? after : "?", outcome_text(d->outcome));
		if (d->message) {
			vs_tui_text_add_sys(&win->text, VS_STYLE_WARN, t->utf8, "    ", d->message);
			vs_tui_text_hang(&win->text, 4);
		}
		free(name);
		free(before);
		free(after);
	}
	add_viability(t, res->groups, res->n_groups, "is", &win->text);
	add_sys_lines(t, res->warnings, res->n_warnings, VS_STYLE_WARN, "Warnings:", &win->text);
	vs_tui_text_add(&win->text, VS_STYLE_HEAD, "What was done:");
	for (size_t i = 0; i < res->n_steps; i++) {
		const struct vs_step_result *r = &res->steps[i];
		struct vs_strbuf sb = VS_STRBUF_INIT;

		vs_strbuf_addf(&sb, "%-7s ", vs_step_status_name(r->status));
		if (r->phase != VS_PHASE_PLAN)
			vs_strbuf_addf(&sb, "(%s) ", vs_step_phase_name(r->phase));
		vs_step_shell(&sb, &r->step, r->device);
		vs_tui_text_add_sys(&win->text, r->status == VS_STEP_OK ? VS_STYLE_NORMAL : VS_STYLE_BAD,
				    t->utf8, "  ", vs_strbuf_cstr(&sb));
		vs_tui_text_hang(&win->text, 10);
		vs_strbuf_release(&sb);
		if (r->message) {
			vs_tui_text_add_sys(&win->text, VS_STYLE_BAD, t->utf8, "          ", r->message);
			vs_tui_text_hang(&win->text, 10);
		}
	}
}

static unsigned run_plan(struct vs_tui *t)
{
	struct plan_job *job = t->win->data;
	struct vs_bind_result *res = NULL;
	struct vs_err err = VS_ERR_INIT;
	bool restore = job->restore;
	int ret;

	/* The job stays alive until the window closes; keep it past the result window. */
	t->win->data = NULL;
	t->win->free_data = NULL;
	vs_tui_win_close(t);
	job->opts.progress = on_progress;
	job->opts.progress_ctx = t;
	ret = vs_plan_execute(t->topo, job->plan, &job->opts, &res, &err);
	if (ret) {
		status_err(t, restore ? "Restore not run" : "Bind not run", &err);
	} else {
		show_result(t, res, restore);
	}
	vs_bind_result_free(res);
	vs_err_release(&err);
	plan_job_free(job);
	/* The system changed (or might have): read it again. */
	return VS_TUI_RESCAN | VS_TUI_REDRAW;
}

/* Whether this process may write the system root; @why gets the reason when not. */
bool vs_tui_can_write(const struct vs_tui *t, struct vs_err *why)
{
	if (t->opts->dry_run) {
		vs_err_set(why, -EPERM, "--dry-run");
		return false;
	}
	return !vs_bind_check_privilege(t->topo->root, geteuid(), why);
}

unsigned vs_tui_bind(struct vs_tui *t, bool restore)
{
	const struct vs_device **devs;
	struct plan_job *job;
	struct vs_err err = VS_ERR_INIT, why = VS_ERR_INIT;
	struct vs_tui_win *win;
	struct vs_strbuf title = VS_STRBUF_INIT;
	size_t n, changing = 0;
	int ret;

	if (action_devices(t, &devs, &n))
		return VS_TUI_REDRAW;
	job = calloc(1, sizeof(*job));
	if (!job) {
		free(devs);
		return VS_TUI_REDRAW;
	}
	job->restore = restore;
	/* A device stands for its group: the group goes to one VM. */
	job->opts.group = true;
	job->opts.hostcrit = vs_tui_hostcrit_fn;
	job->opts.hostcrit_ctx = t;
	ret = restore ? vs_restore_plan(t->topo, devs, n, &job->opts, &job->plan, &err)
		      : vs_bind_plan(t->topo, devs, n, &job->opts, &job->plan, &err);
	if (ret) {
		status_err(t, restore ? "Cannot plan the restore" : "Cannot plan the bind", &err);
		vs_err_release(&err);
		plan_job_free(job);
		free(devs);
		return VS_TUI_REDRAW;
	}
	for (size_t i = 0; i < job->plan->n_devices; i++)
		changing += !job->plan->devices[i].nothing_to_do;

	bool refused = !restore && job->plan->n_refused;
	bool writable = vs_tui_can_write(t, &why);

	if (!job->plan->n_steps && !refused) {
		vs_tui_status(t, VS_STYLE_NORMAL, "%s", restore ? "Nothing to restore"
					: "Already on vfio: nothing to bind");
		plan_job_free(job);
		free(devs);
		vs_err_release(&why);
		return VS_TUI_REDRAW;
	}
	if (refused)
		vs_strbuf_add(&title, "Bind to vfio: refused");
	else
		vs_strbuf_addf(&title, "%s %zu device%s%s", restore ? "Restore" : "Bind to vfio:",
			       changing, changing == 1 ? "" : "s",
			       !writable ? ": commands to run as root" : "");
	win = vs_tui_win_new(t, refused || !writable ? VS_KEYMAP_WINDOW : VS_KEYMAP_CONFIRM,
			     vs_strbuf_cstr(&title));
	vs_strbuf_release(&title);
	if (!win) {
		plan_job_free(job);
		free(devs);
		vs_err_release(&why);
		return VS_TUI_REDRAW;
	}
	if (refused)
		vs_tui_text_add(&win->text, VS_STYLE_BAD, "Nothing will be written: %s",
				"some devices cannot be bound (below).");
	else if (!writable)
	{
		struct vs_strbuf sb = VS_STRBUF_INIT;

		vs_strbuf_addf(&sb, "Nothing will be written (%s). To do it, run the writes below as root.",
			       t->opts->dry_run ? "--dry-run" : vs_err_msg(&why));
		vs_tui_text_add_sys(&win->text, VS_STYLE_WARN, t->utf8, "", vs_strbuf_cstr(&sb));
		vs_strbuf_release(&sb);
	}
	if (job->plan->n_devices) {
		vs_tui_text_add(&win->text, VS_STYLE_HEAD, "%s", restore ? "Back to their drivers:"
							       : "These devices change driver:");
		add_plan_devices(t, job->plan, devs, n, &win->text);
	}
	add_notes(t, job->plan->refused, job->plan->n_refused, VS_STYLE_BAD,
		  restore ? "Not restored:" : "Refused:", &win->text);
	add_notes(t, job->plan->skipped, job->plan->n_skipped, VS_STYLE_DIM, "Left alone:",
		  &win->text);
	if (!refused && !restore)
		add_viability(t, job->plan->groups, job->plan->n_groups, "will be", &win->text);
	add_sys_lines(t, job->plan->warnings, job->plan->n_warnings, VS_STYLE_WARN, "Warnings:",
		      &win->text);
	if (!refused)
		add_steps(t, job->plan, &win->text);
	if (win->map == VS_KEYMAP_CONFIRM) {
		vs_tui_text_add(&win->text, VS_STYLE_HEAD, "y or Enter: write these now.  "
				"n or Esc: cancel, nothing is written.");
		win->confirm = run_plan;
		win->data = job;
		win->free_data = plan_job_free;
	} else {
		plan_job_free(job);
	}
	vs_err_release(&why);
	free(devs);
	return VS_TUI_REDRAW;
}

/* Host-critical evidence for the bind engine's refusals. */
const char *vs_tui_hostcrit_fn(void *ctx, const struct vs_device *dev)
{
	const struct vs_tui *t = ctx;

	return t->devs[dev->index].hostcrit;
}

/* ---- copying VM arguments ---- */

unsigned vs_tui_copy(struct vs_tui *t, bool libvirt)
{
	const struct vs_device **devs;
	struct vs_vmargs *va = NULL;
	struct vs_err err = VS_ERR_INIT;
	struct vs_tui_win *win;
	char *text = NULL, *lines = NULL;
	size_t n;
	int ret;

	if (action_devices(t, &devs, &n))
		return VS_TUI_REDRAW;
	ret = vs_vmargs_build(t->topo, devs, n, NULL, &va, &err);
	free(devs);
	if (ret) {
		status_err(t, "No VM arguments", &err);
		vs_err_release(&err);
		return VS_TUI_REDRAW;
	}
	if (libvirt) {
		ret = vs_vmargs_libvirt(va, &text, &err);
		if (ret) {
			status_err(t, "No libvirt XML", &err);
			goto out;
		}
	} else {
		/* One line on the clipboard, ready to paste on a command line;
		 * one device per line in the window, easier to read and select. */
		text = vs_vmargs_qemu(va, true);
		lines = vs_vmargs_qemu(va, false);
		if (!text || !lines)
			goto out;
		text[strcspn(text, "\n")] = '\0';
	}
	ret = vs_tui_osc52(t, text);
	win = vs_tui_win_new(t, VS_KEYMAP_WINDOW, libvirt ? "libvirt <hostdev> XML" : "QEMU arguments");
	if (!win)
		goto out;
	win->plain = true;
	vs_tui_text_add_sys(&win->text, VS_STYLE_NORMAL, t->utf8, "", libvirt ? text : lines);
	if (win->text.n && !win->text.v[win->text.n - 1].text[0])
		free(win->text.v[--win->text.n].text);
	vs_tui_text_code(&win->text, 0);
	vs_tui_text_add(&win->text, VS_STYLE_NORMAL, "%s", "");
	for (size_t i = 0; i < va->n_notes; i++) {
		vs_tui_text_add_sys(&win->text, va->notes[i].warning ? VS_STYLE_WARN : VS_STYLE_DIM,
				    t->utf8, va->notes[i].warning ? "Warning: " : "Note: ",
				    va->notes[i].text);
	}
	if (ret)
		vs_tui_status(t, VS_STYLE_BAD, "Could not write to the terminal: select the text to copy it");
	else
		vs_tui_status(t, VS_STYLE_GOOD, "Copied %s to the clipboard (OSC 52); also shown here",
			      libvirt ? "the XML" : "the QEMU arguments");
out:
	vs_err_release(&err);
	free(text);
	free(lines);
	vs_vmargs_free(va);
	return VS_TUI_REDRAW;
}
