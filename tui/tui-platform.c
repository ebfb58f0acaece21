// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The details of the Platform view: for a platform or AMBA device its
 * device-tree node (compatible, reg, interrupts, iommus) and its dependency
 * closure with the role of each node; for an fsl-mc container its objects;
 * for both the ARM readiness findings. The device tree is the one the
 * diagnosis read (vs_diag_dt()); the closure is computed once per device.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/diag.h"
#include "vfioscope/dt.h"

#include "tui-int.h"

static const struct vs_dt_closure *closure_of(struct vs_tui *t, const struct vs_dt *dt,
					      const struct vs_dt_node *node,
					      const struct vs_device *dev)
{
	if (t->closure_dev == dev && t->closure)
		return t->closure;
	vs_dt_closure_free(t->closure);
	t->closure = NULL;
	t->closure_dev = NULL;
	if (vs_dt_closure(dt, &node, 1, &t->closure, NULL) < 0)
		return NULL;
	t->closure_dev = dev;
	return t->closure;
}

/* "a, b" of a node's compatible strings. */
static void add_compatible(struct vs_strbuf *sb, const struct vs_dt_node *n)
{
	for (size_t i = 0; i < n->n_compatible; i++)
		vs_strbuf_addf(sb, "%s%s", i ? ", " : "", n->compatible[i]);
	if (!n->n_compatible)
		vs_strbuf_add(sb, "none");
}

static void add_regs(struct vs_strbuf *sb, const struct vs_dt_node *n)
{
	for (size_t i = 0; i < n->n_reg; i++) {
		const struct vs_dt_reg *r = &n->reg[i];

		vs_strbuf_addf(sb, "%s0x%" PRIx64, i ? ", " : "", r->mmio ? r->cpu_addr : r->addr);
		if (r->size)
			vs_strbuf_addf(sb, " size 0x%" PRIx64, r->size);
	}
	if (!n->n_reg)
		vs_strbuf_add(sb, "none");
}

static void add_irqs(struct vs_strbuf *sb, const struct vs_dt_node *n)
{
	for (size_t i = 0; i < n->n_irqs; i++) {
		const struct vs_dt_irq *q = &n->irqs[i];

		if (q->gic)
			vs_strbuf_addf(sb, "%s%s %" PRIu32 " %s", i ? ", " : "",
				       vs_dt_irq_kind_name(q->kind), q->number,
				       vs_dt_trigger_name(q->flags));
		else
			vs_strbuf_addf(sb, "%s%" PRIu32 " of %s", i ? ", " : "", q->number,
				       q->ctrl ? q->ctrl->path : "an unresolved controller");
	}
	if (!n->n_irqs)
		vs_strbuf_add(sb, "none");
}

static void add_iommus(struct vs_strbuf *sb, const struct vs_dt_node *n)
{
	size_t k = 0;

	for (size_t i = 0; i < n->n_refs; i++) {
		const struct vs_dt_ref *r = &n->refs[i];

		if (strcmp(r->prop, "iommus"))
			continue;
		vs_strbuf_addf(sb, "%s%s", k++ ? ", " : "", r->target ? r->target->path : "(unresolved)");
		for (size_t a = 0; a < r->n_args; a++)
			vs_strbuf_addf(sb, "%s0x%" PRIx32, a ? " " : " stream ", r->args[a]);
	}
	if (!k)
		vs_strbuf_add(sb, "none (no IOMMU translates it)");
}

/* A line of system text (DT strings): sanitized, continuation lines hung. */
static void sys_line(struct vs_tui *t, struct vs_tui_text *out, enum vs_tui_style st,
		     const char *lead, struct vs_strbuf *sb, int hang)
{
	vs_tui_text_add_sys(out, st, t->utf8, lead, vs_strbuf_cstr(sb));
	vs_tui_text_hang(out, hang);
	vs_strbuf_reset(sb);
}

static void dt_text(struct vs_tui *t, const struct vs_device *dev, struct vs_tui_text *out)
{
	const struct vs_dt *dt = t->diag ? vs_diag_dt(t->diag) : NULL;
	const struct vs_dt_node *node = vs_dt_node_for_device(dt, dev);
	const struct vs_dt_closure *c;
	struct vs_strbuf sb = VS_STRBUF_INIT;
	size_t n_deps = 0;

	if (!node) {
		vs_tui_text_add(out, VS_STYLE_DIM, dt ? "No device-tree node found for it" :
				"No device tree readable on this system");
		return;
	}
	vs_strbuf_addf(&sb, "%s%s%s%s", node->path, node->label ? " (" : "",
		       node->label ? node->label : "", node->label ? ")" : "");
	if (!node->enabled)
		vs_strbuf_addf(&sb, ", status \"%s\"", node->status ? node->status : "");
	sys_line(t, out, VS_STYLE_HEAD, "DT node ", &sb, 4);
	add_compatible(&sb, node);
	sys_line(t, out, VS_STYLE_NORMAL, "  compatible: ", &sb, 4);
	add_regs(&sb, node);
	sys_line(t, out, VS_STYLE_NORMAL, "  reg: ", &sb, 4);
	add_irqs(&sb, node);
	sys_line(t, out, VS_STYLE_NORMAL, "  interrupts: ", &sb, 4);
	add_iommus(&sb, node);
	sys_line(t, out, VS_STYLE_NORMAL, "  iommus: ", &sb, 4);

	c = closure_of(t, dt, node, dev);
	if (!c) {
		vs_tui_text_add(out, VS_STYLE_BAD, "Dependencies: could not be computed (out of memory)");
		vs_strbuf_release(&sb);
		return;
	}
	for (size_t i = 0; i < c->n_deps; i++)
		n_deps += c->deps[i].kind != VS_DT_DEP_DEVICE && c->deps[i].kind != VS_DT_DEP_PART;
	vs_tui_text_add(out, VS_STYLE_HEAD, "Dependencies: %zu node%s%s", n_deps,
			n_deps == 1 ? "" : "s", n_deps ? " (role: what the guest needs)" : "");
	for (size_t i = 0; i < c->n_deps; i++) {
		const struct vs_dt_dep *d = &c->deps[i];
		enum vs_tui_style st = d->role == VS_DT_ROLE_PASS_TOO ||
				       d->role == VS_DT_ROLE_HOST_SHARED ? VS_STYLE_WARN : VS_STYLE_NORMAL;

		if (d->kind == VS_DT_DEP_DEVICE || d->kind == VS_DT_DEP_PART)
			continue;
		vs_strbuf_addf(&sb, "%s  %s", d->node->path, vs_dt_dep_role_name(d->role));
		if (d->prop && d->from)
			vs_strbuf_addf(&sb, " (%s of %s)", d->prop, d->from->name);
		else if (d->from)
			vs_strbuf_addf(&sb, " (%s of %s)", vs_dt_dep_kind_name(d->kind), d->from->name);
		sys_line(t, out, st, "  ", &sb, 6);
	}
	for (size_t i = 0; i < c->n_users; i++) {
		vs_strbuf_addf(&sb, "%s (%s)", c->users[i].node->path, c->users[i].prop);
		sys_line(t, out, VS_STYLE_WARN, "  used by the host node ", &sb, 6);
	}
	vs_strbuf_release(&sb);
}

static void fslmc_text(struct vs_tui *t, const struct vs_device *dev, struct vs_tui_text *out)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;

	/* a DPRC is its own container (fsl_mc_cont_dev()), nested or not */
	if (dev->mc && dev->mc->container && !vs_streq(dev->mc->obj_type, "dprc")) {
		vs_tui_text_add(out, VS_STYLE_NORMAL, "Object of container %s: it goes with the container",
				t->devs[dev->mc->container->index].name);
		return;
	}
	for (size_t i = 0; i < dev->n_children; i++)
		vs_strbuf_addf(&sb, "%s%s", i ? ", " : "", t->devs[dev->children[i]->index].name);
	vs_tui_text_add(out, VS_STYLE_NORMAL, "DPRC container, %zu object%s%s%s", dev->n_children,
			dev->n_children == 1 ? "" : "s", dev->n_children ? ": " : "",
			vs_strbuf_cstr(&sb));
	vs_tui_text_hang(out, 4);
	vs_strbuf_release(&sb);
}

/* "1 blocker (ARM_RESET_REQUIRED)" for one severity; nothing when none. */
static void add_severity(struct vs_strbuf *sb, const struct vs_arm_findings *f,
			 enum vs_arm_severity sev, const char *one, const char *many)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->items[i].severity == sev;
	if (!n)
		return;
	vs_strbuf_addf(sb, "%s%zu %s (", sb->len ? "; " : "", n, n == 1 ? one : many);
	for (size_t i = 0; i < f->n; i++)
		if (f->items[i].severity == sev)
			vs_strbuf_addf(sb, "%s%s", k++ ? ", " : "", f->items[i].code);
	vs_strbuf_add(sb, ")");
}

void vs_tui_findings_text(struct vs_tui *t, const struct vs_device *dev, bool detail,
			  struct vs_tui_text *out)
{
	const struct vs_explain *ex = vs_tui_explain(t, dev);
	const struct vs_arm_findings *f = ex ? &ex->findings : NULL;
	struct vs_strbuf sb = VS_STRBUF_INIT;
	bool block = false, warn = false;

	if (!f || !f->n)
		return;
	for (size_t i = 0; i < f->n; i++) {
		block |= f->items[i].severity == VS_ARM_BLOCK;
		warn |= f->items[i].severity == VS_ARM_WARN;
	}
	add_severity(&sb, f, VS_ARM_BLOCK, "blocker", "blockers");
	add_severity(&sb, f, VS_ARM_WARN, "warning", "warnings");
	add_severity(&sb, f, VS_ARM_INFO, "note", "notes");
	vs_tui_text_add(out, block ? VS_STYLE_BAD : warn ? VS_STYLE_WARN : VS_STYLE_HEAD,
			"ARM readiness: %s%s", vs_strbuf_cstr(&sb), detail ? "" : "; e explains");
	vs_tui_text_hang(out, 4);
	vs_strbuf_release(&sb);
	for (size_t i = 0; detail && i < f->n; i++) {
		const struct vs_arm_finding *a = &f->items[i];
		struct vs_strbuf lead = VS_STRBUF_INIT;

		vs_strbuf_addf(&lead, "  %s %s%s%s: ", vs_arm_severity_name(a->severity), a->code,
			       a->subject[0] ? " " : "", a->subject);
		vs_tui_text_add_sys(out, a->severity == VS_ARM_BLOCK ? VS_STYLE_BAD :
				    a->severity == VS_ARM_WARN ? VS_STYLE_WARN : VS_STYLE_NORMAL,
				    t->utf8, vs_strbuf_cstr(&lead), a->text);
		vs_tui_text_hang(out, 4);
		if (a->fix) {
			vs_tui_text_add_sys(out, VS_STYLE_NORMAL, t->utf8, "    fix: ", a->fix);
			vs_tui_text_hang(out, 9);
		}
		vs_strbuf_release(&lead);
	}
}

void vs_tui_platform_text(struct vs_tui *t, const struct vs_device *dev, bool full,
			  struct vs_tui_text *out)
{
	const struct vs_group *grp = vs_device_group(t->topo, dev);

	if (grp) {
		struct vs_strbuf sb = VS_STRBUF_INIT;

		for (size_t i = 0; i < grp->n_members; i++)
			vs_strbuf_addf(&sb, "%s%s", i ? ", " : "", t->devs[grp->members[i]->index].name);
		vs_tui_text_add(out, grp->n_members == 1 ? VS_STYLE_GOOD : VS_STYLE_NORMAL,
				"IOMMU group %d: %s", grp->id, vs_strbuf_cstr(&sb));
		vs_tui_text_hang(out, 4);
		vs_strbuf_release(&sb);
	} else {
		vs_tui_text_add(out, VS_STYLE_WARN, "No IOMMU group: only vfio's no-IOMMU mode could take it");
	}
	/* The pane: the verdict in one line; the explain window lists each with its fix. */
	if (!full)
		vs_tui_findings_text(t, dev, false, out);
	if (dev->bus == VS_BUS_FSL_MC)
		fslmc_text(t, dev, out);
	else
		dt_text(t, dev, out);
}
