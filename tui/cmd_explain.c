// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vfioscope explain DEVICE... [--json]`: why a device shares its IOMMU
 * group, rule by rule, and what could split it. With several devices it is
 * a selection check (--select forces it for one device): what else must
 * come along, and whether the host can spare it all. Exit status: 0, or 1
 * when a selection is unsafe.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_diag.h"
#include "devfmt.h"
#include "vfioscope/diag.h"

#define WIDTH 80

static size_t cols(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

static void print_wrapped(struct vs_cli *cli, const char *lead, int indent, const char *safe)
{
	size_t col = cols(lead, strlen(lead));
	const char *p = safe;

	fputs(lead, cli->out);
	while (*p) {
		const char *end = p;
		size_t w;

		while (*end && *end != ' ')
			end++;
		w = cols(p, (size_t)(end - p));
		if (col > (size_t)indent && col + 1 + w > WIDTH) {
			fprintf(cli->out, "\n%*s", indent, "");
			col = (size_t)indent;
		} else if (col > cols(lead, strlen(lead)) || (col > (size_t)indent && p != safe)) {
			fputc(' ', cli->out);
			col++;
		}
		fwrite(p, 1, (size_t)(end - p), cli->out);
		col += w;
		p = end;
		while (*p == ' ')
			p++;
	}
	fputc('\n', cli->out);
}

void vs_diag_print_wrapped(struct vs_cli *cli, const char *lead, int indent, const char *text)
{
	print_wrapped(cli, lead, indent, vs_cli_term(cli, text));
}

static const char *missing_text(const struct vs_reason *r, char *buf, size_t n)
{
	static const char *const names[] = { "SV", "TB", "RR", "CR", "UF", "EC", "DT" };
	size_t len = 0;

	switch (r->missing) {
	case VS_MISSING_NO_CAPABILITY:
		return "no ACS capability";
	case VS_MISSING_UNKNOWN:
		return "ACS unreadable";
	case VS_MISSING_FLAGS:
		len = (size_t)snprintf(buf, n, "missing ");
		for (unsigned bit = 0; bit < 7 && len < n; bit++)
			if (r->missing_flags & (1u << bit))
				len += (size_t)snprintf(buf + len, n - len, "%s%s",
							len > 8 ? "," : "", names[bit]);
		return buf;
	default:
		return NULL;
	}
}

static void reason_head(struct vs_cli *cli, const struct vs_reason *r)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	char buf[64];
	const char *miss = missing_text(r, buf, sizeof(buf));

	vs_strbuf_addf(&sb, "  %s  %s", r->device->name, vs_reason_code_name(r->code));
	if (r->culprit && r->culprit != r->device)
		vs_strbuf_addf(&sb, " via %s", r->culprit->name);
	else if (r->culprit)
		vs_strbuf_add(&sb, " (itself)");
	if (miss)
		vs_strbuf_addf(&sb, " [%s]", miss);
	if (r->inferred)
		vs_strbuf_add(&sb, " (from the kernel's grouping)");
	fprintf(cli->out, "%s\n", vs_cli_term(cli, vs_strbuf_cstr(&sb)));
	vs_strbuf_release(&sb);
}

/* Members whose sentence is the same are listed together, the sentence once. */
static void print_reasons(struct vs_cli *cli, const struct vs_explain *ex)
{
	bool *done = calloc(ex->n_reasons ? ex->n_reasons : 1, sizeof(*done));

	for (size_t i = 0; i < ex->n_reasons; i++) {
		if (done && done[i])
			continue;
		reason_head(cli, &ex->reasons[i]);
		for (size_t k = i + 1; done && k < ex->n_reasons; k++)
			if (!done[k] && vs_streq(ex->reasons[k].text, ex->reasons[i].text)) {
				reason_head(cli, &ex->reasons[k]);
				done[k] = true;
			}
		vs_diag_print_wrapped(cli, "      ", 6, ex->reasons[i].text);
	}
	free(done);
}

/* The ARM readiness findings, worst first as vs_arm_check() orders them. */
static void print_findings(struct vs_cli *cli, const struct vs_arm_findings *f)
{
	if (!f->n)
		return;
	fprintf(cli->out, "\nARM readiness (vfioscope arm-check):\n");
	for (size_t i = 0; i < f->n; i++) {
		const struct vs_arm_finding *a = &f->items[i];
		bool bad = a->severity == VS_ARM_BLOCK;
		char *lead;

		if (asprintf(&lead, "  %-8s %s%s%s: ", vs_arm_severity_name(a->severity), a->code,
			     a->subject[0] ? " " : "", a->subject) < 0)
			continue;
		if (bad)
			fprintf(cli->out, "%s", vs_cli_red(cli));
		vs_diag_print_wrapped(cli, lead, 6, a->text);
		if (bad)
			fprintf(cli->out, "%s", vs_cli_plain(cli));
		if (a->fix)
			vs_diag_print_wrapped(cli, "      fix: ", 11, a->fix);
		free(lead);
	}
}

static void print_explain(struct vs_cli *cli, const struct vs_explain *ex)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;

	/* the device line is already made safe for the terminal */
	vs_cli_device_line(cli, &sb, ex->device, 0);
	print_wrapped(cli, "", 4, vs_strbuf_cstr(&sb));
	vs_strbuf_reset(&sb);
	if (ex->group) {
		vs_strbuf_addf(&sb, "IOMMU group %d, %zu member%s: %s", ex->group->id, ex->n_members,
			       ex->n_members == 1 ? "" : "s",
			       ex->splittable ? "alone in its group" : "cannot be split");
		if (ex->matches_kernel == VS_YES)
			vs_strbuf_addf(&sb, " (the Linux %s rules predict exactly this group)",
				       VS_QUIRKS_KERNEL_VERSION);
		else if (ex->matches_kernel == VS_NO)
			vs_strbuf_addf(&sb, " (%sthe kernel grouped differently than the Linux %s rules "
				       "predict%s)", vs_cli_red(cli), VS_QUIRKS_KERNEL_VERSION,
				       vs_cli_plain(cli));
		else if (ex->device->bus != VS_BUS_PCI)
			vs_strbuf_addf(&sb, " (%s: grouped by the IOMMU driver, not by the PCI rules)",
				       vs_bus_name(ex->device->bus));
		else
			vs_strbuf_add(&sb, " (not every rule could be checked: see below)");
	} else {
		vs_strbuf_add(&sb, "no IOMMU group");
		if (ex->n_predicted)
			vs_strbuf_addf(&sb, "; the rules would put it with %zu device%s", ex->n_predicted,
				       ex->n_predicted == 1 ? "" : "s");
	}
	vs_diag_print_wrapped(cli, "", 0, vs_strbuf_cstr(&sb));

	if (ex->n_reasons) {
		fprintf(cli->out, "\nWhy each member is there:\n");
		print_reasons(cli, ex);
	}
	print_findings(cli, &ex->findings);

	if (ex->n_host_critical) {
		fprintf(cli->out, "\nHost-critical members (the host needs them):\n");
		for (size_t i = 0; i < ex->n_host_critical; i++) {
			char *lead;

			if (asprintf(&lead, "  %s  ", ex->host_critical[i].device->name) < 0)
				continue;
			vs_diag_print_wrapped(cli, lead, 6, ex->host_critical[i].evidence);
			free(lead);
		}
	}
	if (ex->n_remedies) {
		fprintf(cli->out, "\nWhat could split it, most honest first:\n");
		for (size_t i = 0; i < ex->n_remedies; i++) {
			const struct vs_remedy *m = &ex->remedies[i];
			char *lead;

			if (asprintf(&lead, "  %zu. ", i + 1) < 0)
				continue;
			if (!m->safe)
				fprintf(cli->out, "%s", vs_cli_red(cli));
			vs_diag_print_wrapped(cli, lead, 5, m->text);
			if (m->param)
				fprintf(cli->out, "     kernel parameter: %s\n", vs_cli_term(cli, m->param));
			if (!m->safe)
				fprintf(cli->out, "%s", vs_cli_plain(cli));
			free(lead);
		}
	}
	if (ex->n_notes) {
		fprintf(cli->out, "\nNotes:\n");
		for (size_t i = 0; i < ex->n_notes; i++)
			vs_diag_print_wrapped(cli, "  - ", 4, ex->notes[i]);
	}
	if (ex->n_unknown) {
		fprintf(cli->out, "\nNot known:\n");
		for (size_t i = 0; i < ex->n_unknown; i++)
			vs_diag_print_wrapped(cli, "  - ", 4, ex->unknown[i]);
	}
	vs_strbuf_release(&sb);
}

static void print_selection(struct vs_cli *cli, const struct vs_selection *sel)
{
	int last_group = -2;

	fprintf(cli->out, "Selection:");
	for (size_t i = 0; i < sel->n_selected; i++)
		fprintf(cli->out, " %s", vs_cli_term(cli, sel->selected[i]->name));
	fprintf(cli->out, "\nVerdict: %s%s%s\n", sel->safe ? "" : vs_cli_red(cli),
		sel->safe ? "safe: the host can give all of this to one VM" :
		"UNSAFE: the host needs a device this selection takes", sel->safe ? "" :
		vs_cli_plain(cli));
	for (size_t i = 0; i < sel->n_members; i++) {
		const struct vs_selection_member *m = &sel->members[i];
		char *lead;

		if (m->group != last_group) {
			if (m->group >= 0)
				fprintf(cli->out, "\nIOMMU group %d:\n", m->group);
			else
				fprintf(cli->out, "\nNo IOMMU group:\n");
			last_group = m->group;
		}
		if (asprintf(&lead, "  %s  %-8s ", m->device->name, vs_member_action_name(m->action)) < 0)
			continue;
		vs_diag_print_wrapped(cli, vs_cli_term(cli, lead), 6, m->text);
		free(lead);
	}
	if (sel->n_warnings) {
		fprintf(cli->out, "\nWarnings:\n");
		for (size_t i = 0; i < sel->n_warnings; i++)
			vs_diag_print_wrapped(cli, "  - ", 4, sel->warnings[i]);
	}
	for (size_t i = 0; i < sel->n_explains; i++) {
		bool seen = false;

		for (size_t k = 0; k < i; k++)
			if (sel->explains[k]->group && sel->explains[k]->group == sel->explains[i]->group)
				seen = true;
		if (seen)
			continue;
		fprintf(cli->out, "\n");
		print_explain(cli, sel->explains[i]);
	}
	print_findings(cli, &sel->findings);
}

int cmd_explain(struct vs_cli *cli, int argc, char **argv)
{
	const struct vs_device **devs = NULL;
	struct vs_topology *topo = NULL;
	struct vs_diag *diag = NULL;
	struct vs_err err = VS_ERR_INIT;
	bool json = false, select = false, opts_done = false;
	char **specs;
	size_t n = 0;
	int r;

	/* the device names, in order; options may come anywhere before "--" */
	specs = calloc((size_t)argc, sizeof(*specs));
	if (!specs) {
		vs_cli_error(cli, "out of memory");
		return VS_EXIT_FAIL;
	}
	for (int i = 1; i < argc; i++) {
		if (!opts_done && strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (!opts_done && strcmp(argv[i], "--select") == 0) {
			select = true;
		} else if (!opts_done && strcmp(argv[i], "--") == 0) {
			opts_done = true;
		} else if (!opts_done && argv[i][0] == '-' && argv[i][1]) {
			free(specs);
			return vs_cli_usage(cli, "explain: unknown option '%s'", argv[i]);
		} else {
			specs[n++] = argv[i];
		}
	}
	if (!n) {
		free(specs);
		return vs_cli_usage(cli, "explain: name at least one device (e.g. 0000:01:00.0)");
	}

	r = vs_cli_scan(cli, VS_SCAN_ALL, &topo);
	if (r != VS_EXIT_OK) {
		free(specs);
		return r;
	}
	for (size_t i = 0; i < topo->n_warnings; i++)
		vs_cli_error(cli, "warning: %s", topo->warnings[i]);
	devs = calloc(n, sizeof(*devs));
	if (!devs) {
		vs_cli_error(cli, "out of memory");
		r = VS_EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		r = vs_cli_resolve(cli, topo, specs[i], &devs[i]);
		if (r != VS_EXIT_OK)
			goto out;
	}
	if (vs_diag_new(topo, &diag, &err) < 0) {
		vs_cli_error(cli, "%s", vs_err_msg(&err));
		r = VS_EXIT_FAIL;
		goto out;
	}
	if (n == 1 && !select) {
		struct vs_explain *ex;

		if (vs_diag_explain(diag, devs[0], &ex, &err) < 0) {
			vs_cli_error(cli, "%s", vs_err_msg(&err));
			r = VS_EXIT_FAIL;
			goto out;
		}
		if (json)
			r = vs_cli_print_json(cli, vs_explain_json(ex));
		else
			print_explain(cli, ex);
		vs_explain_free(ex);
	} else {
		struct vs_selection *sel;

		if (vs_diag_select(diag, devs, n, &sel, &err) < 0) {
			vs_cli_error(cli, "%s", vs_err_msg(&err));
			r = VS_EXIT_FAIL;
			goto out;
		}
		if (json)
			r = vs_cli_print_json(cli, vs_selection_json(sel));
		else
			print_selection(cli, sel);
		if (r == VS_EXIT_OK && !sel->safe)
			r = VS_EXIT_FAIL;
		vs_selection_free(sel);
	}
out:
	vs_err_release(&err);
	vs_diag_free(diag);
	free(specs);
	free(devs);
	vs_topology_free(topo);
	return r;
}
