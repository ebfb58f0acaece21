// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the diagnosis says, in the TUI's words: host-critical marks, the
 * doctor's worst finding for the header, the explanation of a group for
 * the pane and the explain window, and the live check of the selection.
 * The analysis is the diag area's; it runs once per scan, never per key.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/diag.h"
#include "vfioscope/hostcrit.h"

#include "tui-int.h"

void vs_tui_diag_free(struct vs_tui *t)
{
	vs_explain_free(t->ex);
	t->ex = NULL;
	t->ex_dev = NULL;
	vs_dt_closure_free(t->closure);
	t->closure = NULL;
	t->closure_dev = NULL;
	vs_selection_free(t->sel);
	t->sel = NULL;
	vs_doctor_free(t->doctor);
	t->doctor = NULL;
	vs_diag_free(t->diag);
	t->diag = NULL;
}

int vs_tui_diag_build(struct vs_tui *t, struct vs_err *err)
{
	const struct vs_hostcrit_list *crit;
	int ret;

	ret = vs_diag_new(t->topo, &t->diag, err);
	if (!ret)
		ret = vs_doctor_run(t->topo, &t->doctor, err);
	if (ret)
		return ret;
	crit = vs_diag_hostcrit(t->diag);
	for (size_t i = 0; i < t->topo->n_devices; i++) {
		const struct vs_device *dev = t->topo->devices[i];
		const char *ev = crit ? vs_hostcrit_find(crit, dev) : NULL;

		if (ev && !(t->devs[dev->index].hostcrit = vs_tui_sanitize(t, ev)))
			return -ENOMEM;
	}
	return vs_tui_selection_check(t);
}

void vs_tui_doctor_summary(const struct vs_tui *t, struct vs_strbuf *sb)
{
	const struct vs_doctor *doc = t->doctor;
	enum vs_check_status worst = doc && doc->n_fail ? VS_CHECK_FAIL : VS_CHECK_WARN;

	if (!doc)
		return;
	if (!doc->n_fail && !doc->n_warn) {
		vs_strbuf_add(sb, "doctor: ready");
		return;
	}
	for (size_t i = 0; i < doc->n_checks; i++) {
		if (doc->checks[i].status != worst)
			continue;
		/* The check ids are the diag area's fixed names, not system strings. */
		vs_strbuf_addf(sb, "doctor: %zu %s, %s", worst == VS_CHECK_FAIL ? doc->n_fail : doc->n_warn,
			       vs_check_status_name(worst), doc->checks[i].id);
		return;
	}
}

void vs_tui_doctor_text(struct vs_tui *t, struct vs_tui_text *out)
{
	const struct vs_doctor *doc = t->doctor;

	if (!doc)
		return;
	vs_tui_text_add(out, VS_STYLE_HEAD, "Is this host ready for VFIO? %zu checks: %zu OK, %zu WARN, %zu FAIL",
			doc->n_checks, doc->n_checks - doc->n_warn - doc->n_fail, doc->n_warn,
			doc->n_fail);
	for (size_t i = 0; i < doc->n_checks; i++) {
		const struct vs_check *c = &doc->checks[i];
		enum vs_tui_style st = c->status == VS_CHECK_FAIL ? VS_STYLE_BAD :
				       c->status == VS_CHECK_WARN ? VS_STYLE_WARN : VS_STYLE_NORMAL;
		struct vs_strbuf lead = VS_STRBUF_INIT;

		vs_strbuf_addf(&lead, "%-5s %s: ", vs_check_status_name(c->status), c->id);
		vs_tui_text_add_sys(out, st, t->utf8, vs_strbuf_cstr(&lead), c->summary);
		vs_tui_text_hang(out, 6);
		vs_strbuf_release(&lead);
		if (c->fix) {
			vs_tui_text_add_sys(out, VS_STYLE_NORMAL, t->utf8,
					    c->status == VS_CHECK_OK ? "      hint: " : "      fix: ", c->fix);
			vs_tui_text_hang(out, c->status == VS_CHECK_OK ? 12 : 11);
		}
	}
}

/* The explanation of @dev's group, computed once per device and scan. */
const struct vs_explain *vs_tui_explain(struct vs_tui *t, const struct vs_device *dev)
{
	if (t->ex_dev == dev && t->ex)
		return t->ex;
	vs_explain_free(t->ex);
	t->ex = NULL;
	t->ex_dev = NULL;
	if (!t->diag || vs_diag_explain(t->diag, dev, &t->ex, NULL))
		return NULL;
	t->ex_dev = dev;
	return t->ex;
}

static const struct vs_reason *reason_of(const struct vs_explain *ex, const struct vs_device *dev)
{
	for (size_t i = 0; i < ex->n_reasons; i++) {
		if (ex->reasons[i].device == dev)
			return &ex->reasons[i];
	}
	return NULL;
}

/* Reasons @from..@to-1 share one sentence: the members, then the sentence once. */
static void add_reasons(struct vs_tui *t, const struct vs_reason *r, size_t n,
			struct vs_tui_text *out)
{
	struct vs_strbuf lead = VS_STRBUF_INIT;

	vs_strbuf_add(&lead, "  ");
	for (size_t i = 0; i < n; i++)
		vs_strbuf_addf(&lead, "%s%s", i ? ", " : "", t->devs[r[i].device->index].name);
	vs_strbuf_add(&lead, r->inferred ? " (from the kernel's grouping): " : ": ");
	vs_tui_text_add_sys(out, VS_STYLE_NORMAL, t->utf8, vs_strbuf_cstr(&lead), r->text);
	vs_tui_text_hang(out, 4);
	vs_strbuf_release(&lead);
}

void vs_tui_explain_text(struct vs_tui *t, const struct vs_device *dev, bool full,
			 struct vs_tui_text *out)
{
	const struct vs_explain *ex = vs_tui_explain(t, dev);
	const struct vs_reason *mine;

	if (!ex)
		return;
	mine = reason_of(ex, dev);
	if (!full) {
		/* The pane: the one reason that ties this device in. */
		if (ex->splittable)
			vs_tui_text_add(out, VS_STYLE_GOOD, "Alone in its group: it can go to a VM by itself");
		else if (mine)
			vs_tui_text_add_sys(out, VS_STYLE_NORMAL, t->utf8, "Why it cannot be split: ",
					    mine->text);
		return;
	}
	if (ex->group) {
		vs_tui_text_add(out, ex->splittable ? VS_STYLE_GOOD : VS_STYLE_HEAD,
				"%s%s", ex->splittable ? "Alone in its IOMMU group" :
				"The group cannot be split",
				ex->matches_kernel == VS_YES ? " (the kernel's rules predict exactly this group)" :
				ex->matches_kernel == VS_NO ? " (the kernel grouped differently than its rules predict)" :
				" (not every rule could be checked)");
	}
	if (ex->n_reasons) {
		vs_tui_text_add(out, VS_STYLE_HEAD, "Why each member is there:");
		for (size_t i = 0, j; i < ex->n_reasons; i = j) {
			for (j = i + 1; j < ex->n_reasons; j++) {
				if (!vs_streq(ex->reasons[j].text, ex->reasons[i].text) ||
				    ex->reasons[j].inferred != ex->reasons[i].inferred)
					break;
			}
			add_reasons(t, &ex->reasons[i], j - i, out);
		}
	}
	if (ex->n_p2p_peers) {
		vs_tui_text_add(out, VS_STYLE_WARN, "Can reach it peer-to-peer inside a switch without ACS:");
		for (size_t i = 0; i < ex->n_p2p_peers; i++)
			vs_tui_text_add(out, VS_STYLE_WARN, "  %s", t->devs[ex->p2p_peers[i]->index].name);
	}
	if (ex->n_host_critical) {
		vs_tui_text_add(out, VS_STYLE_CRIT, "Host-critical members (the host needs them):");
		for (size_t i = 0; i < ex->n_host_critical; i++) {
			struct vs_strbuf lead = VS_STRBUF_INIT;

			vs_strbuf_addf(&lead, "  %s  ", t->devs[ex->host_critical[i].device->index].name);
			vs_tui_text_add_sys(out, VS_STYLE_CRIT, t->utf8, vs_strbuf_cstr(&lead),
					    ex->host_critical[i].evidence);
			vs_strbuf_release(&lead);
		}
	}
	if (ex->n_remedies) {
		vs_tui_text_add(out, VS_STYLE_HEAD, "What could split it, most honest first:");
		for (size_t i = 0; i < ex->n_remedies; i++) {
			const struct vs_remedy *m = &ex->remedies[i];
			struct vs_strbuf lead = VS_STRBUF_INIT;

			vs_strbuf_addf(&lead, "  %zu. ", i + 1);
			vs_tui_text_add_sys(out, m->safe ? VS_STYLE_NORMAL : VS_STYLE_BAD, t->utf8,
					    vs_strbuf_cstr(&lead), m->text);
			vs_tui_text_hang(out, 5);
			if (m->param) {
				vs_tui_text_add_sys(out, m->safe ? VS_STYLE_NORMAL : VS_STYLE_BAD, t->utf8,
						    "     kernel parameter: ", m->param);
				vs_tui_text_hang(out, 5);
			}
			vs_strbuf_release(&lead);
		}
	}
	vs_tui_findings_text(t, dev, true, out);
	for (size_t i = 0; i < ex->n_unknown; i++) {
		vs_tui_text_add_sys(out, VS_STYLE_DIM, t->utf8, "Unknown: ", ex->unknown[i]);
		vs_tui_text_hang(out, 2);
	}
	for (size_t i = 0; i < ex->n_notes; i++) {
		vs_tui_text_add_sys(out, VS_STYLE_DIM, t->utf8, "Note: ", ex->notes[i]);
		vs_tui_text_hang(out, 2);
	}
}

int vs_tui_selection_check(struct vs_tui *t)
{
	const struct vs_device **devs;
	size_t n;
	int ret;

	vs_selection_free(t->sel);
	t->sel = NULL;
	if (!t->selected.n || !t->diag)
		return 0;
	vs_tui_selected_devices(t, &devs, &n);
	if (!devs)
		return -ENOMEM;
	ret = n ? vs_diag_select(t->diag, devs, n, &t->sel, NULL) : 0;
	free(devs);
	return ret;
}

void vs_tui_selection_text(struct vs_tui *t, struct vs_tui_text *out)
{
	const struct vs_selection *sel = t->sel;

	if (!sel)
		return;
	bool unbound = false;

	for (size_t i = 0; i < sel->n_selected; i++) {
		const char *drv = sel->selected[i]->driver;

		if (!drv || strncmp(drv, "vfio", 4))
			unbound = true;
	}
	vs_tui_text_add(out, sel->safe ? VS_STYLE_SEL : VS_STYLE_BAD, "Selection: %zu device%s, %s",
			sel->n_selected, sel->n_selected == 1 ? "" : "s",
			!sel->safe ? "NOT safe to give to a VM" :
			unbound ? "can go to one VM once bound to vfio (b)" : "can go to one VM");
	for (size_t i = 0; i < sel->n_members; i++) {
		const struct vs_selection_member *m = &sel->members[i];

		if (m->action != VS_ACTION_UNBIND && m->action != VS_ACTION_BLOCKED)
			continue;
		vs_tui_text_add_sys(out, m->action == VS_ACTION_BLOCKED ? VS_STYLE_BAD : VS_STYLE_WARN,
				    t->utf8, "  ", m->text);
		vs_tui_text_hang(out, 4);
	}
	for (size_t i = 0; i < sel->n_warnings; i++) {
		vs_tui_text_add_sys(out, VS_STYLE_WARN, t->utf8, "  ", sel->warnings[i]);
		vs_tui_text_hang(out, 4);
	}
}
