// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guest device tree for QEMU's virt board, as seed 001 wrote it by
 * hand: the passed devices inside the platform bus node, their host `reg`
 * windows mapped by `ranges` into the slots QEMU's platform bus gives them,
 * interrupts renumbered from the first platform-bus SPI in -device order,
 * and their dependencies copied with phandles turned into labels.
 *
 * QEMU's allocation (hw/core/platform-bus.c): for each dynamic sysbus
 * device in creation order, each MMIO region goes to the first free offset
 * that is a multiple of the region size rounded up to a power of two; each
 * interrupt takes the first free platform-bus interrupt.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/dt.h"
#include "dt-internal.h"

static uint64_t pow2_ceil(uint64_t v)
{
	uint64_t p = 1;

	while (p < v && p)
		p <<= 1;
	return p;
}

int vs_guest_layout(const struct vs_dt_node *const *devs, size_t n,
		    const struct vs_guest_opts *opts, struct vs_guest_layout **out,
		    struct vs_err *err)
{
	struct vs_guest_layout *l;
	struct vs_guest_window *w;
	size_t i, k, j, nw = 0, ni = 0;
	uint64_t align, off, size;
	bool clash;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (!devs[i]->n_reg)
			return vs_err_set(err, -EINVAL, "%s has no reg: it is not a memory-mapped device",
					  devs[i]->path);
		for (k = 0; k < devs[i]->n_reg; k++)
			if (!devs[i]->reg[k].mmio || !devs[i]->reg[k].size)
				return vs_err_set(err, -EINVAL,
						  "%s: reg window %zu is not a CPU address range",
						  devs[i]->path, k);
		nw += devs[i]->n_reg;
		ni += devs[i]->n_irqs;
	}
	l = calloc(1, sizeof(*l));
	if (l) {
		l->windows = calloc(nw ? nw : 1, sizeof(*l->windows));
		l->irqs = calloc(ni ? ni : 1, sizeof(*l->irqs));
	}
	if (!l || !l->windows || !l->irqs) {
		vs_guest_layout_free(l);
		return vs_err_set(err, -ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < devs[i]->n_reg; k++) {
			size = devs[i]->reg[k].size;
			align = pow2_ceil(size);
			for (off = 0; align && off + size <= opts->bus_size; off += align) {
				clash = false;
				for (j = 0; j < l->n_windows && !clash; j++) {
					w = &l->windows[j];
					clash = off < w->guest_addr - opts->bus_addr + w->size &&
						w->guest_addr - opts->bus_addr < off + size;
				}
				if (!clash)
					break;
			}
			if (!align || off + size > opts->bus_size) {
				vs_guest_layout_free(l);
				return vs_err_set(err, -E2BIG,
						  "%s: no room for a 0x%" PRIx64 "-byte window in the 0x%" PRIx64
						  "-byte platform bus", devs[i]->path, size, opts->bus_size);
			}
			w = &l->windows[l->n_windows++];
			w->device = devs[i];
			w->reg_index = k;
			w->host_addr = devs[i]->reg[k].cpu_addr;
			w->size = size;
			w->guest_addr = opts->bus_addr + off;
		}
		for (k = 0; k < devs[i]->n_irqs; k++) {
			if (l->n_irqs >= opts->n_irqs) {
				vs_guest_layout_free(l);
				return vs_err_set(err, -E2BIG,
						  "%s: more than the platform bus's %" PRIu32 " interrupts",
						  devs[i]->path, opts->n_irqs);
			}
			l->irqs[l->n_irqs].device = devs[i];
			l->irqs[l->n_irqs].irq_index = k;
			l->irqs[l->n_irqs].guest_spi = opts->first_spi + (uint32_t)l->n_irqs;
			l->irqs[l->n_irqs].flags = devs[i]->irqs[k].gic ? devs[i]->irqs[k].flags :
				VS_DT_IRQ_LEVEL_HIGH;
			if (!l->irqs[l->n_irqs].flags)
				l->irqs[l->n_irqs].flags = VS_DT_IRQ_LEVEL_HIGH;
			l->n_irqs++;
		}
	}
	*out = l;
	return 0;
}

void vs_guest_layout_free(struct vs_guest_layout *layout)
{
	if (!layout)
		return;
	free(layout->windows);
	free(layout->irqs);
	free(layout);
}

/* ------------------------------------------------------------------ */

struct gctx {
	const struct vs_dt *dt;
	const struct vs_dt_node *const *devs;
	size_t n;
	const struct vs_guest_opts *opts;
	struct vs_guest_layout *lay;
	struct vs_dt_closure *c;
	char **labels;		/* per node index */
	bool *emit;		/* per node index: written into the guest tree */
	bool *passed;		/* per node index: a passed device or inside one */
	struct vs_strbuf *sb;
	bool oom;
	const char *label_prefix;	/* for the base tree: "virt_" */
	bool phandle_only;		/* label only nodes that have a phandle */
	struct gctx *base;		/* the base tree's context, or NULL */
};

static void indent(struct vs_strbuf *sb, unsigned depth)
{
	while (depth--)
		vs_strbuf_addch(sb, '\t');
}

static void add_hex64_cells(struct vs_strbuf *sb, uint64_t v)
{
	vs_strbuf_addf(sb, "0x%" PRIx32 " 0x%" PRIx32, (uint32_t)(v >> 32), (uint32_t)v);
}

static const struct vs_dt_dep *dep_of(const struct gctx *g, const struct vs_dt_node *n)
{
	return vs_dt_closure_find(g->c, n);
}

/* A label unique in the host tree: the host's own, else made from the name. */
static int make_labels(struct gctx *g)
{
	const struct vs_dt *dt = g->dt;
	struct vs_strbuf sb = VS_STRBUF_INIT;
	const struct vs_dt_node *n;
	size_t i, k, len;
	unsigned suffix;
	char *base;
	bool taken;

	for (i = 0; i < dt->n_nodes; i++) {
		n = dt->nodes[i];
		if (g->phandle_only ? !n->phandle : !g->emit[i] && !g->passed[i])
			continue;
		if (n->label && !g->label_prefix) {
			g->labels[i] = strdup(n->label);
			if (!g->labels[i])
				return -ENOMEM;
			continue;
		}
		vs_strbuf_reset(&sb);
		if (g->label_prefix)
			vs_strbuf_add(&sb, g->label_prefix);
		else if (n->name[0] >= '0' && n->name[0] <= '9')
			vs_strbuf_add(&sb, "n_");
		for (k = 0; n->name[k]; k++) {
			char ch = n->name[k];

			vs_strbuf_addch(&sb, (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
					(ch >= '0' && ch <= '9') || ch == '_' ? ch : '_');
		}
		base = vs_strbuf_detach(&sb);
		if (!base)
			return -ENOMEM;
		len = strlen(base);
		for (suffix = 1;; suffix++) {
			vs_strbuf_reset(&sb);
			vs_strbuf_add(&sb, base);
			if (suffix > 1)
				vs_strbuf_addf(&sb, "_%u", suffix);
			taken = vs_dt_find_label(dt, vs_strbuf_cstr(&sb)) != NULL;
			for (k = 0; k < dt->n_nodes && !taken; k++)
				taken = g->labels[k] && strcmp(g->labels[k], vs_strbuf_cstr(&sb)) == 0;
			if (!taken)
				break;
		}
		(void)len;
		free(base);
		g->labels[i] = vs_strbuf_detach(&sb);
		if (!g->labels[i])
			return -ENOMEM;
	}
	vs_strbuf_release(&sb);
	return 0;
}

/* Which closure nodes are copied: COPY nodes whose closure ancestors are copied too. */
static void choose_emitted(struct gctx *g)
{
	const struct vs_dt_dep *d, *pd;
	const struct vs_dt_node *p;
	size_t i;
	bool ok;

	for (i = 0; i < g->c->n_deps; i++) {
		d = &g->c->deps[i];
		if (d->role == VS_DT_ROLE_PASSED) {
			g->passed[d->node->index] = true;
			continue;
		}
		if (d->role != VS_DT_ROLE_COPY)
			continue;
		ok = true;
		for (p = d->node->parent; p && ok; p = p->parent) {
			pd = dep_of(g, p);
			if (!pd)
				break;
			ok = pd->role == VS_DT_ROLE_COPY;
		}
		g->emit[d->node->index] = ok;
	}
}

/* What a reference to @t becomes in the guest: a label, or NULL and why not. */
static const char *ref_label(const struct gctx *g, const struct vs_dt_node *t,
			     struct vs_strbuf *why)
{
	const struct vs_dt_dep *d;
	char *dn;

	if (!t) {
		vs_strbuf_add(why, "a phandle that does not resolve in the host tree");
		return NULL;
	}
	if (g->emit[t->index] || g->passed[t->index])
		return g->labels[t->index];
	d = dep_of(g, t);
	if (d && d->replacement)
		return g->labels[d->replacement->index];
	dn = vs_dt_devname(t);
	if (d && d->role == VS_DT_ROLE_PASS_TOO)
		vs_strbuf_addf(why, "%s (%s) has registers and is not passed: pass it too", t->path,
			       dn ? dn : "no device name");
	else if (d && d->role == VS_DT_ROLE_HOST_SHARED)
		vs_strbuf_addf(why, "%s (%s) stays with the host, which uses it too (%s)", t->path,
			       dn ? dn : "no device name", d->host_user ? d->host_user->path : "?");
	else if (d && d->role == VS_DT_ROLE_VM)
		vs_strbuf_addf(why, "%s is the host's interrupt/MSI controller or IOMMU", t->path);
	else
		vs_strbuf_addf(why, "%s sits inside a node that stays with the host", t->path);
	free(dn);
	return NULL;
}

static const char *companion(const char *prop)
{
	static const char *const pairs[][2] = {
		{ "clocks", "clock-names" }, { "power-domains", "power-domain-names" },
		{ "resets", "reset-names" }, { "mboxes", "mbox-names" }, { "dmas", "dma-names" },
		{ "phys", "phy-names" }, { "nvmem-cells", "nvmem-cell-names" },
		{ "io-channels", "io-channel-names" }, { "interconnects", "interconnect-names" },
		{ "interrupts", "interrupt-names" }, { "interrupts-extended", "interrupt-names" },
		{ "assigned-clocks", "assigned-clock-rates" },
	};
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (strcmp(prop, pairs[i][0]) == 0)
			return pairs[i][1];
	return NULL;
}

static void add_quoted(struct vs_strbuf *sb, const char *s)
{
	vs_strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			vs_strbuf_addch(sb, '\\');
		vs_strbuf_addch(sb, *s);
	}
	vs_strbuf_addch(sb, '"');
}

/* A property as dtc would print it. */
static void add_value(struct vs_strbuf *sb, const struct vs_dt_prop *p)
{
	const char *s;
	size_t i;

	if (!p->len) {
		vs_strbuf_addf(sb, "%s;\n", p->name);
		return;
	}
	vs_strbuf_addf(sb, "%s = ", p->name);
	if (vs_dt_is_stringlist(p->val, p->len)) {
		for (s = (const char *)p->val; s < (const char *)p->val + p->len; s += strlen(s) + 1) {
			if (s != (const char *)p->val)
				vs_strbuf_add(sb, ", ");
			add_quoted(sb, s);
		}
	} else if (p->len % 4 == 0) {
		vs_strbuf_addch(sb, '<');
		for (i = 0; i < p->len; i += 4)
			vs_strbuf_addf(sb, "%s0x%" PRIx32, i ? " " : "", vs_dt_be32(p->val + i));
		vs_strbuf_addch(sb, '>');
	} else {
		vs_strbuf_addch(sb, '[');
		for (i = 0; i < p->len; i++)
			vs_strbuf_addf(sb, "%s%02x", i ? " " : "", p->val[i]);
		vs_strbuf_addch(sb, ']');
	}
	vs_strbuf_add(sb, ";\n");
}

/*
 * A phandle property with labels. Returns false (nothing written) when an
 * entry cannot be expressed in the guest; @why says which.
 */
static bool add_ref_value(const struct gctx *g, struct vs_strbuf *out,
			  const struct vs_dt_node *n, const struct vs_dt_prop *p,
			  struct vs_strbuf *why)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	const struct vs_dt_ref *ref;
	const char *label;
	size_t pos = 0, ri = 0, a, cells = p->len / 4;
	uint32_t ph;
	bool ok = true;

	if (p->len % 4 || !p->len) {
		vs_strbuf_add(why, "it could not be decoded");
		return false;
	}
	vs_strbuf_addf(&sb, "%s = ", p->name);
	while (pos < cells && ok) {
		if (pos)
			vs_strbuf_add(&sb, ", ");
		ph = vs_dt_be32(p->val + 4 * pos);
		if (ph == 0 || ph == 0xffffffffu) {
			vs_strbuf_addf(&sb, "<0x%" PRIx32 ">", ph);
			pos++;
			continue;
		}
		while (ri < n->n_refs && (n->refs[ri].prop != p->name && strcmp(n->refs[ri].prop, p->name)))
			ri++;
		ref = ri < n->n_refs ? &n->refs[ri] : NULL;
		if (!ref || ref->phandle != ph || !ref->target) {
			vs_strbuf_add(why, "it could not be decoded");
			ok = false;
			break;
		}
		label = ref_label(g, ref->target, why);
		if (!label) {
			ok = false;
			break;
		}
		vs_strbuf_addf(&sb, "<&%s", label);
		for (a = 0; a < ref->n_args; a++)
			vs_strbuf_addf(&sb, " 0x%" PRIx32, ref->args[a]);
		vs_strbuf_addch(&sb, '>');
		pos += 1 + ref->n_args;
		ri++;
	}
	if (ok) {
		vs_strbuf_add(&sb, ";\n");
		vs_strbuf_add(out, vs_strbuf_cstr(&sb));
	}
	vs_strbuf_release(&sb);
	return ok;
}

static bool is_pinctrl_n(const char *name)
{
	const char *d;

	if (strncmp(name, "pinctrl-", 8) || !name[8])
		return false;
	for (d = name + 8; *d; d++)
		if (*d < '0' || *d > '9')
			return false;
	return true;
}

static const struct vs_dt_dep *replaced_by(const struct gctx *g, const struct vs_dt_node *dev)
{
	size_t i;

	for (i = 0; i < g->c->n_deps; i++)
		if (g->c->deps[i].replacement == dev)
			return &g->c->deps[i];
	return NULL;
}

static void emit_node(struct gctx *g, const struct vs_dt_node *n, unsigned depth, bool top_passed);

static void emit_props(struct gctx *g, const struct vs_dt_node *n, unsigned depth, bool top_passed)
{
	struct vs_strbuf *sb = g->sb;
	struct vs_strbuf why = VS_STRBUF_INIT, body = VS_STRBUF_INIT;
	const struct vs_dt_prop *p;
	const struct vs_dt_dep *rep;
	const char *cells, *comp;
	bool *dropped, pinctrl_left = false, has_status = false;
	size_t i, k, w;

	dropped = calloc(n->n_props ? n->n_props : 1, sizeof(*dropped));
	if (!dropped) {
		g->oom = true;
		return;
	}
	/* First pass: which phandle properties cannot follow the node into the guest. */
	for (i = 0; i < n->n_props; i++) {
		p = &n->props[i];
		if (!vs_dt_is_ref_prop(p->name, &cells))
			continue;
		if (strcmp(p->name, "interrupt-parent") == 0 || strcmp(p->name, "iommus") == 0 ||
		    strcmp(p->name, "msi-parent") == 0 || strcmp(p->name, "interrupts-extended") == 0)
			continue;	/* handled below */
		vs_strbuf_reset(&why);
		vs_strbuf_reset(&body);
		if (add_ref_value(g, &body, n, p, &why))
			continue;
		dropped[i] = true;
		indent(sb, depth);
		vs_strbuf_addf(sb, "/* %s dropped: %s */\n", p->name, vs_strbuf_cstr(&why));
		comp = companion(p->name);
		for (k = 0; comp && k < n->n_props; k++)
			if (strcmp(n->props[k].name, comp) == 0)
				dropped[k] = true;
	}
	for (i = 0; i < n->n_props; i++)
		if (is_pinctrl_n(n->props[i].name) && !dropped[i])
			pinctrl_left = true;
	for (i = 0; i < n->n_props; i++) {
		p = &n->props[i];
		if (dropped[i] || strcmp(p->name, "phandle") == 0 ||
		    strcmp(p->name, "linux,phandle") == 0 ||
		    (strcmp(p->name, "pinctrl-names") == 0 && !pinctrl_left))
			continue;
		if (strcmp(p->name, "interrupt-parent") == 0 || strcmp(p->name, "iommus") == 0 ||
		    strcmp(p->name, "msi-parent") == 0)
			continue;	/* the VM's own GIC, SMMU and MSI controller apply */
		if (strcmp(p->name, "interrupts") == 0 || strcmp(p->name, "interrupts-extended") == 0) {
			if (!top_passed) {
				indent(sb, depth);
				vs_strbuf_addf(sb, "/* %s dropped: the host's interrupt lines do not reach the guest */\n",
					       p->name);
				continue;
			}
			indent(sb, depth);
			vs_strbuf_add(sb, "/* host:");
			for (k = 0; k < n->n_irqs; k++)
				vs_strbuf_addf(sb, "%s %s %" PRIu32, k ? "," : "",
					       vs_dt_irq_kind_name(n->irqs[k].kind), n->irqs[k].number);
			vs_strbuf_add(sb, " */\n");
			indent(sb, depth);
			vs_strbuf_add(sb, "interrupts = ");
			for (k = 0, w = 0; k < g->lay->n_irqs; k++) {
				if (g->lay->irqs[k].device != n)
					continue;
				vs_strbuf_addf(sb, "%s<0x0 0x%" PRIx32 " 0x%" PRIx32 ">", w++ ? ", " : "",
					       g->lay->irqs[k].guest_spi, g->lay->irqs[k].flags);
			}
			vs_strbuf_add(sb, ";\n");
			continue;
		}
		if (strcmp(p->name, "interrupt-names") == 0 && !top_passed)
			continue;
		if (top_passed && strcmp(p->name, "reg") == 0 && n->n_reg) {
			indent(sb, depth);
			vs_strbuf_add(sb, "reg = ");
			for (k = 0; k < n->n_reg; k++) {
				vs_strbuf_add(sb, k ? ", <" : "<");
				add_hex64_cells(sb, n->reg[k].cpu_addr);
				vs_strbuf_addch(sb, ' ');
				add_hex64_cells(sb, n->reg[k].size);
				vs_strbuf_addch(sb, '>');
			}
			vs_strbuf_add(sb, ";\n");
			continue;
		}
		if (top_passed && strcmp(p->name, "status") == 0) {
			has_status = true;
			indent(sb, depth);
			vs_strbuf_add(sb, "status = \"okay\";\n");
			continue;
		}
		if (top_passed && strcmp(p->name, "compatible") == 0 && (rep = replaced_by(g, n))) {
			indent(sb, depth);
			vs_strbuf_addf(sb, "/* compatible of %s, whose place this device takes */\n",
				       rep->node->path);
			indent(sb, depth);
			add_value(sb, vs_dt_prop(rep->node, "compatible"));
			continue;
		}
		if (top_passed && strcmp(p->name, "compatible") == 0 && n->n_compatible &&
		    strstr(n->compatible[0], "dummy")) {
			indent(sb, depth);
			vs_strbuf_add(sb, "/* the host tree has a placeholder compatible: put the device's real one here */\n");
		}
		indent(sb, depth);
		if (vs_dt_is_ref_prop(p->name, &cells)) {
			vs_strbuf_reset(&why);
			add_ref_value(g, sb, n, p, &why);
		} else {
			add_value(sb, p);
		}
	}
	if (top_passed && !has_status) {
		indent(sb, depth);
		vs_strbuf_add(sb, "status = \"okay\";\n");
	}
	vs_strbuf_release(&why);
	vs_strbuf_release(&body);
	free(dropped);
}

/* A replaced host-only node gets a comment where its users now point. */
static void emit_handover_comments(struct gctx *g, const struct vs_dt_node *n, unsigned depth)
{
	const struct vs_dt_dep *d;
	size_t i;
	char *from, *to;

	for (i = 0; i < n->n_refs; i++) {
		d = n->refs[i].target ? dep_of(g, n->refs[i].target) : NULL;
		if (!d || !d->replacement || (i && n->refs[i - 1].target == n->refs[i].target))
			continue;
		from = vs_dt_devname(d->node);
		to = vs_dt_devname(d->replacement);
		indent(g->sb, depth);
		vs_strbuf_addf(g->sb,
			       "/* host-only: %s (%s) is the host's; the guest uses the passed %s (%s)"
			       " instead. Hand that resource to the guest's partition first%s. */\n",
			       d->node->path, from ? from : "?", d->replacement->path, to ? to : "?",
			       vs_dt_is_compatible(d->node, "fsl,imx8-mu-scu") ?
			       " (i.MX 8: list it in the partition's rsrcs and run U-Boot's `scu_rm`)" : "");
		free(from);
		free(to);
	}
}

static void emit_node(struct gctx *g, const struct vs_dt_node *n, unsigned depth, bool top_passed)
{
	struct vs_strbuf *sb = g->sb;
	size_t i;

	indent(sb, depth);
	if (g->labels[n->index])
		vs_strbuf_addf(sb, "%s: ", g->labels[n->index]);
	vs_strbuf_addf(sb, "%s {\n", n->name);
	emit_handover_comments(g, n, depth + 1);
	emit_props(g, n, depth + 1, top_passed);
	for (i = 0; i < n->n_children; i++) {
		if (!g->emit[n->children[i]->index] && !g->passed[n->children[i]->index])
			continue;
		vs_strbuf_addch(sb, '\n');
		emit_node(g, n->children[i], depth + 1, false);
	}
	indent(sb, depth);
	vs_strbuf_add(sb, "};\n");
}

/* The base tree (QEMU's own), phandles written as labels so dtc checks them. */
static void emit_base(struct gctx *b, const struct vs_dt_node *n, unsigned depth)
{
	struct vs_strbuf *sb = b->sb;
	struct vs_strbuf why = VS_STRBUF_INIT;
	const char *cells;
	size_t i;

	if (n->parent && (strcmp(n->name, "__symbols__") == 0 || strcmp(n->name, "__fixups__") == 0 ||
			  strcmp(n->name, "__local_fixups__") == 0))
		return;
	indent(sb, depth);
	if (b->labels[n->index])
		vs_strbuf_addf(sb, "%s: ", b->labels[n->index]);
	vs_strbuf_addf(sb, "%s {\n", n->parent ? n->name : "/");
	for (i = 0; i < n->n_props; i++) {
		if (strcmp(n->props[i].name, "phandle") == 0 ||
		    strcmp(n->props[i].name, "linux,phandle") == 0)
			continue;
		indent(sb, depth + 1);
		vs_strbuf_reset(&why);
		if (!vs_dt_is_ref_prop(n->props[i].name, &cells) ||
		    !add_ref_value(b, sb, n, &n->props[i], &why))
			add_value(sb, &n->props[i]);
	}
	for (i = 0; i < n->n_children; i++) {
		vs_strbuf_addch(sb, '\n');
		emit_base(b, n->children[i], depth + 1);
	}
	indent(sb, depth);
	vs_strbuf_add(sb, "};\n");
	vs_strbuf_release(&why);
}

static const struct vs_dt_node *base_platform(const struct vs_dt *base)
{
	size_t i;

	for (i = 0; i < base->n_nodes; i++)
		if (vs_dt_is_compatible(base->nodes[i], "qemu,platform"))
			return base->nodes[i];
	return NULL;
}

static void emit_header(struct gctx *g)
{
	struct vs_strbuf *sb = g->sb;
	size_t i;
	char *dn;

	vs_strbuf_add(sb, "/dts-v1/;\n\n/*\n * Guest device tree for QEMU's virt board (arm64)");
	if (g->opts->command)
		vs_strbuf_addf(sb, ", made by `%s`", g->opts->command);
	vs_strbuf_addf(sb, "\n * from the host tree %s.\n", g->dt->source);
	vs_strbuf_add(sb, " *\n * Start QEMU with the devices in this order: the order fixes the addresses\n"
		      " * and interrupts below (QEMU 10.1 or older: 10.2 removed vfio-platform).\n");
	for (i = 0; i < g->n; i++) {
		dn = vs_dt_devname(g->devs[i]);
		if (vs_dt_is_compatible(g->devs[i], "arm,primecell"))
			vs_strbuf_addf(sb, " *   -device vfio-platform,sysfsdev=/sys/bus/amba/devices/%s\n",
				       dn ? dn : "?");
		else
			vs_strbuf_addf(sb, " *   -device vfio-platform,host=%s\n", dn ? dn : "?");
		free(dn);
	}
	vs_strbuf_addf(sb, " *\n * Platform bus window 0x%" PRIx64 " (0x%" PRIx64 " bytes), interrupts from SPI 0x%"
		       PRIx32 ".\n", g->opts->bus_addr, g->opts->bus_size, g->opts->first_spi);
	if (!g->opts->base)
		vs_strbuf_add(sb, " * This is a fragment: add its root node to the tree QEMU makes\n"
			      " * (-M virt,...,dumpdtb=virt.dtb; dtc -I dtb -O dts virt.dtb), or run\n"
			      " * `vfioscope guest-dt --base virt.dtb ...` to get the whole tree.\n");
	vs_strbuf_add(sb, " */\n\n");
}

static void emit_fragment(struct gctx *g)
{
	struct vs_strbuf *sb = g->sb;
	const struct vs_dt_node *bp = g->opts->base ? base_platform(g->opts->base) : NULL;
	const struct vs_dt_node *broot = g->opts->base ? vs_dt_root(g->opts->base) : NULL;
	const struct vs_dt_node *n, *gicnode;
	struct vs_guest_window *w;
	uint32_t gic;
	size_t i;

	vs_strbuf_add(sb, "/ {\n");
	if (!g->opts->base)
		vs_strbuf_add(sb, "\t#address-cells = <0x2>;\n\t#size-cells = <0x2>;\n");
	for (i = 0; i < g->dt->n_nodes; i++) {
		n = g->dt->nodes[i];
		if (!g->emit[i] || (n->parent && g->emit[n->parent->index]))
			continue;
		vs_strbuf_addch(sb, '\n');
		emit_node(g, n, 1, false);
	}
	vs_strbuf_addf(sb, "\n\t%s {\n", bp ? bp->name : "platform@c000000");
	vs_strbuf_add(sb, "\t\tcompatible = \"qemu,platform\", \"simple-bus\";\n");
	gicnode = NULL;
	if (broot && vs_dt_prop_u32(bp ? bp : broot, "interrupt-parent", &gic))
		gicnode = vs_dt_find_phandle(g->opts->base, gic);
	if (gicnode && g->base->labels[gicnode->index])
		vs_strbuf_addf(sb, "\t\tinterrupt-parent = <&%s>;\n", g->base->labels[gicnode->index]);
	else
		vs_strbuf_add(sb, "\t\t/* interrupt-parent: inherited from the root, the virt board's GIC */\n");
	vs_strbuf_add(sb, "\t\t#address-cells = <0x2>;\n\t\t#size-cells = <0x2>;\n");
	vs_strbuf_add(sb, "\t\tranges = ");
	for (i = 0; i < g->lay->n_windows; i++) {
		w = &g->lay->windows[i];
		vs_strbuf_add(sb, i ? ",\n\t\t\t <" : "<");
		add_hex64_cells(sb, w->host_addr);
		vs_strbuf_addch(sb, ' ');
		add_hex64_cells(sb, w->guest_addr);
		vs_strbuf_addch(sb, ' ');
		add_hex64_cells(sb, w->size);
		vs_strbuf_addch(sb, '>');
	}
	vs_strbuf_add(sb, g->lay->n_windows ? ";\n" : "<>;\n");
	for (i = 0; i < g->n; i++) {
		vs_strbuf_addch(sb, '\n');
		emit_node(g, g->devs[i], 2, true);
	}
	vs_strbuf_add(sb, "\t};\n};\n");
}

int vs_guest_dts(const struct vs_dt *dt, const struct vs_dt_node *const *devs,
		 size_t n, const struct vs_guest_opts *opts, char **out,
		 struct vs_err *err)
{
	struct vs_guest_opts local;
	struct vs_strbuf sb = VS_STRBUF_INIT;
	struct gctx g = { .dt = dt, .devs = devs, .n = n, .opts = opts, .sb = &sb };
	struct gctx b = { .dt = NULL };
	const struct vs_dt_node *bp;
	size_t i, k;
	uint64_t a;
	int r;

	*out = NULL;
	for (i = 0; i < n; i++)
		for (k = 0; k < i; k++)
			if (devs[i] == devs[k])
				return vs_err_set(err, -EINVAL, "%s is given twice", devs[i]->path);
	if (opts->base && (bp = base_platform(opts->base)) && bp->n_props) {
		/* The base tree says where its platform bus is. */
		local = *opts;
		if (strchr(bp->name, '@') && sscanf(strchr(bp->name, '@') + 1, "%" SCNx64, &a) == 1)
			local.bus_addr = a;
		opts = &local;
		g.opts = opts;
	}
	r = vs_guest_layout(devs, n, opts, &g.lay, err);
	if (r < 0)
		return r;
	r = vs_dt_closure(dt, devs, n, &g.c, err);
	if (r < 0) {
		vs_guest_layout_free(g.lay);
		return r;
	}
	g.labels = calloc(dt->n_nodes, sizeof(*g.labels));
	g.emit = calloc(dt->n_nodes, sizeof(*g.emit));
	g.passed = calloc(dt->n_nodes, sizeof(*g.passed));
	r = !g.labels || !g.emit || !g.passed ? -ENOMEM : 0;
	if (r == 0 && opts->base) {
		b.dt = opts->base;
		b.sb = &sb;
		b.label_prefix = "virt_";
		b.phandle_only = true;
		b.labels = calloc(opts->base->n_nodes, sizeof(*b.labels));
		b.emit = calloc(opts->base->n_nodes, sizeof(*b.emit));
		b.passed = calloc(opts->base->n_nodes, sizeof(*b.passed));
		r = !b.labels || !b.emit || !b.passed ? -ENOMEM : 0;
		for (i = 0; r == 0 && i < opts->base->n_nodes; i++)
			b.emit[i] = true;
		if (r == 0)
			r = make_labels(&b);
		g.base = &b;
	}
	if (r == 0) {
		choose_emitted(&g);
		r = make_labels(&g);
	}
	if (r == 0) {
		emit_header(&g);
		if (opts->base) {
			emit_base(&b, vs_dt_root(opts->base), 0);
			vs_strbuf_addch(&sb, '\n');
		}
		emit_fragment(&g);
		*out = vs_strbuf_detach(&sb);
		if (g.oom || b.oom || !*out) {
			free(*out);
			*out = NULL;
			r = -ENOMEM;
		}
	}
	vs_strbuf_release(&sb);
	for (i = 0; g.labels && i < dt->n_nodes; i++)
		free(g.labels[i]);
	for (i = 0; b.labels && i < b.dt->n_nodes; i++)
		free(b.labels[i]);
	free(g.labels);
	free(g.emit);
	free(g.passed);
	free(b.labels);
	free(b.emit);
	free(b.passed);
	vs_dt_closure_free(g.c);
	vs_guest_layout_free(g.lay);
	if (r < 0)
		return vs_err_set(err, r, "out of memory");
	return 0;
}
