// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the detail pane and the explain window say about a row. Text is
 * built as lines with a style; every string from the system goes through
 * vs_sanitize_term() on its way in, so drawing never sees raw system bytes.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tui-int.h"

char *vs_tui_sanitize(const struct vs_tui *t, const char *s)
{
	return vs_sanitize_term(s ? s : "", t->utf8);
}

static void text_push(struct vs_tui_text *txt, enum vs_tui_style style, char *line)
{
	if (!line)
		return;
	if (txt->n == txt->alloc) {
		size_t alloc = txt->alloc ? txt->alloc * 2 : 16;
		struct vs_tui_line *v = realloc(txt->v, alloc * sizeof(*v));

		if (!v) {
			free(line);
			return;
		}
		txt->v = v;
		txt->alloc = alloc;
	}
	/* Continuation lines line up with the text after the indentation. */
	txt->v[txt->n++] = (struct vs_tui_line){ .text = line, .style = style,
						 .hang = (int)strspn(line, " ") };
}

/* Set the hanging indent of the last line (e.g. past a column of keys). */
void vs_tui_text_hang(struct vs_tui_text *txt, int hang)
{
	if (txt->n)
		txt->v[txt->n - 1].hang = hang;
}

/* Our own text, which holds only sanitized pieces; one line per '\n'. */
void vs_tui_text_add(struct vs_tui_text *txt, enum vs_tui_style style, const char *fmt, ...)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	va_list ap;
	const char *p;

	va_start(ap, fmt);
	vs_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	p = vs_strbuf_cstr(&sb);
	for (;;) {
		size_t n = strcspn(p, "\n");

		text_push(txt, style, strndup(p, n));
		if (!p[n])
			break;
		p += n + 1;
	}
	vs_strbuf_release(&sb);
}

/* @prefix (ours) followed by a system string, sanitized; the string's own
 * newlines (e.g. a multi-line explanation from the core) start new lines. */
void vs_tui_text_add_sys(struct vs_tui_text *txt, enum vs_tui_style style, bool utf8,
			 const char *prefix, const char *sys)
{
	const char *p = sys ? sys : "";

	for (;;) {
		size_t n = strcspn(p, "\n");
		char *piece = strndup(p, n);
		char *clean = piece ? vs_sanitize_term(piece, utf8) : NULL;
		struct vs_strbuf sb = VS_STRBUF_INIT;

		vs_strbuf_add(&sb, prefix ? prefix : "");
		vs_strbuf_add(&sb, clean ? clean : "?");
		text_push(txt, style, vs_strbuf_detach(&sb));
		free(piece);
		free(clean);
		if (!p[n])
			break;
		p += n + 1;
	}
}

/* Mark lines @from..end as code (QEMU arguments, XML): wrapped at the edge. */
void vs_tui_text_code(struct vs_tui_text *txt, size_t from)
{
	for (size_t i = from; i < txt->n; i++)
		txt->v[i].code = true;
}

void vs_tui_text_release(struct vs_tui_text *txt)
{
	for (size_t i = 0; i < txt->n; i++)
		free(txt->v[i].text);
	free(txt->v);
	txt->v = NULL;
	txt->n = txt->alloc = 0;
}

static void add_acs_bits(struct vs_strbuf *sb, unsigned bits)
{
	if (!vs_acs_names_add(sb, bits, " "))
		vs_strbuf_add(sb, "none");
}

/* The one-line state of a device within its group. */
static const char *member_state(const struct vs_tui *t, const struct vs_device *dev)
{
	if (t->devs[dev->index].blocking)
		return "blocks the group";
	if (!dev->driver)
		return "no driver";
	if (!strncmp(dev->driver, "vfio", 4))
		return "on vfio";
	if (vs_driver_managed_dma(dev->driver))
		return "ok (driver does no DMA)";
	return "";
}

/*
 * The group: its state, then its members with driver and state. In the
 * pane (@full false) bridges on drivers that do no DMA, which never change
 * anything, are one summary line, so that the endpoints fit.
 */
static void describe_group(struct vs_tui *t, const struct vs_group *grp,
			   const struct vs_device *why, bool full, struct vs_tui_text *out)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	char *type = grp->type ? vs_tui_sanitize(t, grp->type) : NULL;

	vs_strbuf_addf(&sb, "IOMMU group %d%s%s%s: %zu device%s, ", grp->id,
		       type ? " (" : "", type ? type : "", type ? ")" : "",
		       grp->n_members, grp->n_members == 1 ? "" : "s");
	free(type);
	if (grp->viable) {
		vs_strbuf_add(&sb, "viable: every member is unbound or on a driver that does no DMA");
		vs_tui_text_add(out, VS_STYLE_GOOD, "%s", vs_strbuf_cstr(&sb));
	} else {
		vs_strbuf_add(&sb, "not viable: blocked by");
		for (size_t i = 0; i < grp->n_blocking; i++) {
			const struct vs_tui_dev *d = &t->devs[grp->blocking[i]->index];

			vs_strbuf_addf(&sb, "%s %s (%s)", i ? "," : "", d->name,
				       d->driver ? d->driver : "no driver");
		}
		vs_tui_text_add(out, VS_STYLE_BAD, "%s", vs_strbuf_cstr(&sb));
	}
	vs_strbuf_release(&sb);
	/* The pane: why the group is what it is, before the members. */
	if (!full && why)
		vs_tui_explain_text(t, why, false, out);
	size_t quiet_bridges = 0;

	for (size_t i = 0; i < grp->n_members; i++) {
		const struct vs_device *m = grp->members[i];
		const struct vs_tui_dev *d = &t->devs[m->index];
		bool sel = vs_tui_names_has(&t->selected, m->name);

		if (!full && m->bus == VS_BUS_PCI && vs_pci_is_bridge(m) && !d->blocking &&
		    !d->hostcrit) {
			quiet_bridges++;
			continue;
		}
		vs_tui_text_add(out, d->blocking ? VS_STYLE_BAD : VS_STYLE_NORMAL,
				"  %c %-12s %-14s %s%s%s", sel ? '*' : ' ', d->name,
				d->driver ? d->driver : "-", member_state(t, m),
				d->hostcrit ? ", host-critical: " : "", d->hostcrit ? d->hostcrit : "");
	}
	if (quiet_bridges)
		vs_tui_text_add(out, VS_STYLE_DIM, "    and %zu bridge%s that stay%s with the host", quiet_bridges,
				quiet_bridges == 1 ? "" : "s", quiet_bridges == 1 ? "s" : "");
	for (size_t i = 0; i < grp->n_unknown_members; i++)
		vs_tui_text_add_sys(out, VS_STYLE_DIM, t->utf8, "    also listed: ",
				    grp->unknown_members[i]);
}

static void describe_pci_facts(struct vs_tui *t, const struct vs_device *dev,
			       struct vs_tui_text *out)
{
	const struct vs_pci *p = dev->pci;
	struct vs_strbuf sb = VS_STRBUF_INIT;

	if (p->vendor_name || p->device_name) {
		vs_tui_text_add_sys(out, VS_STYLE_NORMAL, t->utf8, "Vendor: ", p->vendor_name ? p->vendor_name : "unknown");
		vs_tui_text_add_sys(out, VS_STYLE_NORMAL, t->utf8, "Device: ", p->device_name ? p->device_name : "unknown");
	}
	if (p->ids_valid) {
		vs_strbuf_addf(&sb, "IDs %04x:%04x, subsystem %04x:%04x, class %06x", p->vendor,
			       p->device, p->subvendor, p->subdevice, p->class_code);
		if (p->revision >= 0)
			vs_strbuf_addf(&sb, ", rev %02x", p->revision);
		vs_tui_text_add(out, VS_STYLE_NORMAL, "%s", vs_strbuf_cstr(&sb));
		vs_strbuf_reset(&sb);
	}
	vs_strbuf_addf(&sb, "Type: %s", vs_port_type_label(p->port_type));
	if (p->port_type != p->port_type_raw)
		vs_strbuf_addf(&sb, " (register says %s)", vs_port_type_label(p->port_type_raw));
	if (p->multifunction)
		vs_strbuf_add(&sb, ", multifunction");
	if (p->secondary_bus >= 0)
		vs_strbuf_addf(&sb, ", buses %02x-%02x", p->secondary_bus, p->subordinate_bus);
	vs_tui_text_add(out, VS_STYLE_NORMAL, "%s", vs_strbuf_cstr(&sb));
	vs_strbuf_reset(&sb);

	switch (p->acs.present) {
	case VS_YES:
		vs_strbuf_add(&sb, "ACS: capable of ");
		add_acs_bits(&sb, p->acs.cap);
		vs_strbuf_add(&sb, "; enabled ");
		add_acs_bits(&sb, p->acs.ctrl);
		break;
	case VS_NO:
		vs_strbuf_add(&sb, "ACS: no ACS capability");
		break;
	case VS_UNKNOWN:
		vs_strbuf_add(&sb, "ACS: unknown (extended config space not readable; run as root)");
		break;
	}
	vs_tui_text_add(out, VS_STYLE_NORMAL, "%s", vs_strbuf_cstr(&sb));
	vs_strbuf_reset(&sb);

	if (p->reset_method)
		vs_tui_text_add_sys(out, VS_STYLE_NORMAL, t->utf8, "Reset methods: ", p->reset_method);
	else
		vs_tui_text_add(out, VS_STYLE_WARN, "Reset methods: none (no reset_method file)");
	if (p->link_speed) {
		char *ls = vs_tui_sanitize(t, p->link_speed), *lw = vs_tui_sanitize(t, p->link_width);
		char *ms = vs_tui_sanitize(t, p->max_link_speed), *mw = vs_tui_sanitize(t, p->max_link_width);

		vs_tui_text_add(out, VS_STYLE_NORMAL, "Link: %s x%s (max %s x%s)", ls ? ls : "?",
				lw ? lw : "?", ms ? ms : "?", mw ? mw : "?");
		free(ls);
		free(lw);
		free(ms);
		free(mw);
	}
	if (p->is_vf && p->physfn)
		vs_tui_text_add(out, VS_STYLE_NORMAL, "SR-IOV: virtual function of %s",
				t->devs[p->physfn->index].name);
	if (p->sriov_totalvfs >= 0)
		vs_tui_text_add(out, VS_STYLE_NORMAL, "SR-IOV: physical function, %d of %d VFs enabled",
				p->sriov_numvfs, p->sriov_totalvfs);
	if (p->numa_node >= 0)
		vs_tui_text_add(out, VS_STYLE_NORMAL, "NUMA node %d", p->numa_node);
	if (p->boot_vga == 1)
		vs_tui_text_add(out, VS_STYLE_WARN, "Boot VGA: the firmware's console display");
	if (p->cfg == VS_CFG_HEADER)
		vs_tui_text_add(out, VS_STYLE_DIM, "Config space: %zu bytes readable (run as root for all)",
				p->cfg_size);
	vs_strbuf_release(&sb);
}

static void describe_device(struct vs_tui *t, const struct vs_device *dev, bool full,
			    struct vs_tui_text *out)
{
	const struct vs_tui_dev *d = &t->devs[dev->index];
	const struct vs_group *grp = vs_device_group(t->topo, dev);
	bool platform = t->view == VS_VIEW_PLATFORM && dev->bus != VS_BUS_PCI;
	struct vs_strbuf sb = VS_STRBUF_INIT;

	vs_tui_text_add(out, VS_STYLE_HEAD, "%s  %s", d->name, d->label);
	if (dev->bus == VS_BUS_PCI)
		vs_strbuf_addf(&sb, "%s, ", vs_port_type_label(dev->pci->port_type));
	else
		vs_strbuf_addf(&sb, "%s device, ", vs_bus_name(dev->bus));
	vs_strbuf_addf(&sb, "driver %s", d->driver ? d->driver : "none");
	if (dev->driver_override) {
		char *o = vs_tui_sanitize(t, dev->driver_override);

		vs_strbuf_addf(&sb, ", override %s", o ? o : "?");
		free(o);
	}
	vs_tui_text_add(out, VS_STYLE_NORMAL, "%s", vs_strbuf_cstr(&sb));
	vs_strbuf_release(&sb);
	if (vs_tui_names_has(&t->selected, dev->name))
		vs_tui_text_add(out, VS_STYLE_SEL, "Selected for the VM");
	if (d->hostcrit)
		vs_tui_text_add(out, VS_STYLE_CRIT, "Host-critical: %s", d->hostcrit);
	if (platform) {
		/* the DT node, its dependencies and the ARM findings first */
		vs_tui_platform_text(t, dev, full, out);
		if (full)
			vs_tui_explain_text(t, dev, full, out);
	} else {
		if (grp)
			describe_group(t, grp, dev, full, out);
		else if (t->topo->iommu)
			vs_tui_text_add(out, VS_STYLE_WARN, "No IOMMU group: this device cannot be passed to a VM");
		else
			vs_tui_text_add(out, VS_STYLE_WARN, "No IOMMU groups on this system: the kernel runs without an IOMMU");
		if (full || !grp)
			vs_tui_explain_text(t, dev, full, out);
	}

	/* the Platform view showed the DT node already */
	if (!platform) {
		switch (dev->bus) {
		case VS_BUS_PCI:
			describe_pci_facts(t, dev, out);
			break;
		case VS_BUS_PLATFORM:
		case VS_BUS_AMBA:
			if (dev->plat && dev->plat->of_node)
				vs_tui_text_add_sys(out, VS_STYLE_NORMAL, t->utf8, "Device tree node: ", dev->plat->of_node);
			if (dev->plat && dev->plat->compatible)
				vs_tui_text_add_sys(out, VS_STYLE_NORMAL, t->utf8, "Compatible: ", dev->plat->compatible);
			if (dev->plat && dev->plat->modalias)
				vs_tui_text_add_sys(out, VS_STYLE_DIM, t->utf8, "Modalias: ", dev->plat->modalias);
			break;
		case VS_BUS_FSL_MC:
			if (dev->mc && dev->mc->container)
				vs_tui_text_add(out, VS_STYLE_NORMAL, "Container: %s",
						t->devs[dev->mc->container->index].name);
			break;
		}
	}
	vs_tui_text_add_sys(out, VS_STYLE_DIM, t->utf8, "sysfs: /", dev->syspath);
	for (size_t i = 0; i < dev->n_problems; i++)
		vs_tui_text_add_sys(out, VS_STYLE_BAD, t->utf8, "Problem: ", dev->problems[i]);
}

void vs_tui_describe_row(struct vs_tui *t, const struct vs_tui_row *row, bool full,
			 struct vs_tui_text *out)
{
	switch (row->kind) {
	case VS_ROW_DEVICE:
		describe_device(t, row->dev, full, out);
		break;
	case VS_ROW_GROUP:
		describe_group(t, row->group, row->group->n_members ? row->group->members[0] : NULL,
			       full, out);
		if (full && row->group->n_members)
			vs_tui_explain_text(t, row->group->members[0], full, out);
		break;
	case VS_ROW_SECTION: {
		size_t n = 0;

		for (size_t i = (size_t)(row - t->rows) + 1; i < t->n_rows && t->rows[i].depth > 0; i++)
			n += t->rows[i].kind == VS_ROW_DEVICE;
		vs_tui_text_add(out, VS_STYLE_HEAD, "%s", row->title);
		if (row->collapsed)
			vs_tui_text_add(out, VS_STYLE_NORMAL, "Folded: press Right or + to unfold it");
		else
			vs_tui_text_add(out, VS_STYLE_NORMAL, "%zu device%s", n, n == 1 ? "" : "s");
		break;
	}
	}
}
