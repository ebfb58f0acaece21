// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A plan as a shell script: what --dry-run prints and what the TUI shows
 * before it acts. Device names, driver names and paths come from the system
 * and are data: every one is quoted (vs_shell_quote), and comments are
 * sanitized so that a newline in a name cannot end a comment.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "vfioscope/bind.h"

static void add_quoted(struct vs_strbuf *sb, const char *s)
{
	vs_shell_quote(sb, s ? s : "");
}

static void add_comment(struct vs_strbuf *sb, const char *prefix, const char *text)
{
	char *clean = vs_sanitize_term(text, true);

	vs_strbuf_add(sb, prefix);
	vs_strbuf_add(sb, clean ? clean : "?");
	vs_strbuf_addch(sb, '\n');
	free(clean);
}

void vs_step_shell(struct vs_strbuf *sb, const struct vs_step *s, const char *device)
{
	struct vs_strbuf msg = VS_STRBUF_INIT;

	switch (s->action) {
	case VS_STEP_LOAD_MODULE:
		vs_strbuf_add(sb, "modprobe ");
		add_quoted(sb, s->value);
		break;
	case VS_STEP_SET_OVERRIDE:
	case VS_STEP_UNBIND:
	case VS_STEP_BIND:
	case VS_STEP_PROBE:
		if (s->value && strcmp(s->value, "\n") == 0) {
			vs_strbuf_add(sb, "echo > ");
		} else {
			vs_strbuf_add(sb, "printf '%s' ");
			add_quoted(sb, s->value);
			vs_strbuf_add(sb, " > ");
		}
		add_quoted(sb, s->path);
		break;
	case VS_STEP_VERIFY:
		if (s->driver)
			vs_strbuf_addf(&msg, "vfioscope: %s is not on %s", device ? device : "the device",
				       s->driver);
		else
			vs_strbuf_addf(&msg, "vfioscope: %s is still on a driver",
				       device ? device : "the device");
		if (s->driver) {
			vs_strbuf_add(sb, "case \"$(readlink ");
			add_quoted(sb, s->path);
			vs_strbuf_add(sb, ")\" in */");
			add_quoted(sb, s->driver);
			vs_strbuf_add(sb, ") ;; *) echo ");
		} else {
			vs_strbuf_add(sb, "if [ -L ");
			add_quoted(sb, s->path);
			vs_strbuf_add(sb, " ]; then echo ");
		}
		add_quoted(sb, vs_strbuf_cstr(&msg));
		vs_strbuf_add(sb, s->driver ? " >&2; exit 1 ;; esac" : " >&2; exit 1; fi");
		break;
	}
	vs_strbuf_release(&msg);
}

static const char *state_text(const char *driver)
{
	return driver ? driver : "no driver";
}

static void summary(struct vs_strbuf *sb, const struct vs_plan *plan)
{
	struct vs_strbuf line = VS_STRBUF_INIT;
	size_t i;

	for (i = 0; i < plan->n_devices; i++) {
		const struct vs_plan_device *d = &plan->devices[i];

		vs_strbuf_reset(&line);
		vs_strbuf_addf(&line, "%s (%s): %s -> ", d->name, vs_bus_name(d->bus),
			       state_text(d->driver));
		if (d->target_any)
			vs_strbuf_add(&line, "the driver the kernel picks");
		else
			vs_strbuf_add(&line, state_text(d->target));
		if (d->nothing_to_do)
			vs_strbuf_add(&line, " (already there: nothing to do)");
		add_comment(sb, "#   ", vs_strbuf_cstr(&line));
	}
	for (i = 0; i < plan->n_skipped; i++) {
		vs_strbuf_reset(&line);
		vs_strbuf_addf(&line, "%s: left alone: %s", plan->skipped[i].name,
			       plan->skipped[i].reason);
		add_comment(sb, "#   ", vs_strbuf_cstr(&line));
	}
	for (i = 0; i < plan->n_refused; i++) {
		vs_strbuf_reset(&line);
		vs_strbuf_addf(&line, "%s: REFUSED: %s", plan->refused[i].name,
			       plan->refused[i].reason);
		add_comment(sb, "#   ", vs_strbuf_cstr(&line));
	}
	for (i = 0; i < plan->n_groups; i++) {
		const struct vs_group_viability *g = &plan->groups[i];
		size_t j;

		vs_strbuf_reset(&line);
		vs_strbuf_addf(&line, "IOMMU group %d: ", g->id);
		if (g->viable) {
			vs_strbuf_add(&line, "viable after this plan");
		} else {
			vs_strbuf_add(&line, "NOT viable after this plan: ");
			for (j = 0; j < g->n_blocking; j++)
				vs_strbuf_addf(&line, "%s%s", j ? ", " : "", g->blocking[j]);
			vs_strbuf_add(&line, g->n_blocking == 1 ? " blocks it" : " block it");
			vs_strbuf_add(&line, "; QEMU will refuse it (bind the whole group with --group)");
		}
		add_comment(sb, "#   ", vs_strbuf_cstr(&line));
	}
	for (i = 0; i < plan->n_warnings; i++)
		add_comment(sb, "# warning: ", plan->warnings[i]);
	vs_strbuf_release(&line);
}

char *vs_plan_shell(const struct vs_plan *plan)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	size_t i;

	vs_strbuf_add(&sb, "#!/bin/sh\n");
	add_comment(&sb, "# vfioscope ",
		    plan->op == VS_OP_BIND ? "bind plan" : "restore plan");
	if (!plan->live)
		add_comment(&sb, "# for the system root ", plan->root_path);
	vs_strbuf_add(&sb, "# Run as root. The script stops at the first failing command; vfioscope\n"
			   "# itself also rolls every device back when a step fails.\n");
	vs_strbuf_add(&sb, "#\n");
	summary(&sb, plan);
	if (plan->op == VS_OP_BIND && plan->n_refused)
		vs_strbuf_add(&sb, "# vfioscope refuses to run this plan (see REFUSED above).\n");
	vs_strbuf_add(&sb, "set -e\n");
	for (i = 0; i < plan->n_steps; i++) {
		const struct vs_step *s = &plan->steps[i];
		const char *dev = s->dev >= 0 ? plan->devices[s->dev].name : NULL;
		struct vs_strbuf c = VS_STRBUF_INIT;

		if (dev)
			vs_strbuf_addf(&c, "%s: %s", dev, s->reason);
		else
			vs_strbuf_add(&c, s->reason);
		vs_strbuf_addch(&sb, '\n');
		add_comment(&sb, "# ", vs_strbuf_cstr(&c));
		vs_strbuf_release(&c);
		vs_step_shell(&sb, s, dev);
		vs_strbuf_addch(&sb, '\n');
	}
	if (plan->n_steps == 0)
		vs_strbuf_add(&sb, "# nothing to do\n");
	return vs_strbuf_detach(&sb);
}
