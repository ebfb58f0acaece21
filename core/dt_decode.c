// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Second pass over an unflattened tree: what the properties mean. Values
 * are untrusted: every length is checked against the cell counts the
 * providers declare, and a property that does not fit is recorded as a
 * problem of its node instead of being guessed.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/dt.h"
#include "dt-internal.h"

/* Nobody declares more cells than this; larger values are corrupt. */
#define MAX_CELLS 32u

void vs_dt_child_cells(const struct vs_dt_node *n, int *ac, int *sc)
{
	uint32_t v;

	*ac = 2;
	*sc = 1;
	if (vs_dt_prop_u32(n, "#address-cells", &v) && v <= 4)
		*ac = (int)v;
	if (vs_dt_prop_u32(n, "#size-cells", &v) && v <= 4)
		*sc = (int)v;
}

bool vs_dt_is_stringlist(const unsigned char *val, size_t len)
{
	size_t i, start = 0;

	if (!len || val[len - 1] != '\0')
		return false;
	for (i = 0; i < len; i++) {
		if (val[i] == '\0') {
			if (i == start)
				return false;	/* empty string */
			start = i + 1;
		} else if (val[i] < 0x20 || val[i] > 0x7e) {
			return false;
		}
	}
	return true;
}

/* @n (at most 2) cells at @p as one number. */
static uint64_t read_cells(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 32 | vs_dt_be32(p + 4 * i);
	return v;
}

static int cmp_phandle(const void *a, const void *b)
{
	const struct vs_dt_node *x = *(struct vs_dt_node *const *)a;
	const struct vs_dt_node *y = *(struct vs_dt_node *const *)b;

	if (x->phandle != y->phandle)
		return x->phandle < y->phandle ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int index_phandles(struct vs_dt *dt)
{
	struct vs_dt_priv *priv;
	struct vs_dt_node *n;
	size_t i, k;
	uint32_t v;
	int r;

	priv = calloc(1, sizeof(*priv));
	if (!priv)
		return -ENOMEM;
	dt->priv = priv;
	priv->by_phandle = calloc(dt->n_nodes ? dt->n_nodes : 1, sizeof(*priv->by_phandle));
	if (!priv->by_phandle)
		return -ENOMEM;
	for (i = 0; i < dt->n_nodes; i++) {
		n = dt->nodes[i];
		if (!vs_dt_prop_u32(n, "phandle", &v) && !vs_dt_prop_u32(n, "linux,phandle", &v))
			continue;
		if (v == 0 || v == 0xffffffffu) {
			r = vs_dt_node_problem(n, "phandle: invalid value 0x%" PRIx32, v);
			if (r < 0)
				return r;
			continue;
		}
		n->phandle = v;
		priv->by_phandle[priv->n_by_phandle++] = n;
	}
	qsort(priv->by_phandle, priv->n_by_phandle, sizeof(*priv->by_phandle), cmp_phandle);
	/* Duplicates: the first node in tree order keeps the phandle. */
	for (i = 1, k = 1; i < priv->n_by_phandle; i++) {
		if (priv->by_phandle[i]->phandle == priv->by_phandle[k - 1]->phandle) {
			r = vs_dt_node_problem(priv->by_phandle[i],
					       "phandle 0x%" PRIx32 " is also used by %s",
					       priv->by_phandle[i]->phandle,
					       priv->by_phandle[k - 1]->path);
			if (r < 0)
				return r;
			priv->by_phandle[i]->phandle = 0;
			continue;
		}
		priv->by_phandle[k++] = priv->by_phandle[i];
	}
	if (priv->n_by_phandle)
		priv->n_by_phandle = k;
	return 0;
}

static int read_labels(struct vs_dt *dt)
{
	const struct vs_dt_node *sym = vs_dt_find_path(dt, "/__symbols__");
	struct vs_dt_node *target;
	const struct vs_dt_prop *p;
	size_t i;

	if (!sym)
		return 0;
	for (i = 0; i < sym->n_props; i++) {
		p = &sym->props[i];
		if (!vs_dt_is_stringlist(p->val, p->len) || strlen((char *)p->val) + 1 != p->len)
			continue;
		target = (struct vs_dt_node *)vs_dt_find_path(dt, (const char *)p->val);
		if (!target || target->label)
			continue;
		target->label = strdup(p->name);
		if (!target->label)
			return -ENOMEM;
	}
	return 0;
}

static int decode_basic(struct vs_dt_node *n)
{
	const struct vs_dt_prop *p;
	const char *s;
	size_t cnt = 0, i;
	int r;

	p = vs_dt_prop(n, "compatible");
	if (p && p->len && !vs_dt_is_stringlist(p->val, p->len)) {
		r = vs_dt_node_problem(n, "compatible: not a list of strings");
		if (r < 0)
			return r;
	} else if (p && p->len) {
		for (i = 0; i < p->len; i++)
			cnt += p->val[i] == '\0';
		n->compatible = calloc(cnt, sizeof(*n->compatible));
		if (!n->compatible)
			return -ENOMEM;
		for (s = (const char *)p->val; s < (const char *)p->val + p->len; s += strlen(s) + 1) {
			n->compatible[n->n_compatible] = strdup(s);
			if (!n->compatible[n->n_compatible])
				return -ENOMEM;
			n->n_compatible++;
		}
	}
	p = vs_dt_prop(n, "status");
	n->enabled = true;
	if (p && !vs_dt_is_stringlist(p->val, p->len)) {
		r = vs_dt_node_problem(n, "status: not a string");
		if (r < 0)
			return r;
	} else if (p) {
		n->status = (const char *)p->val;
		n->enabled = strcmp(n->status, "okay") == 0 || strcmp(n->status, "ok") == 0;
	}
	n->interrupt_controller = vs_dt_prop(n, "interrupt-controller") != NULL;
	n->msi_controller = vs_dt_prop(n, "msi-controller") != NULL;
	n->iommu_provider = vs_dt_prop(n, "#iommu-cells") != NULL;
	if (n->parent)
		vs_dt_child_cells(n->parent, &n->addr_cells, &n->size_cells);
	else {
		n->addr_cells = 2;
		n->size_cells = 1;
	}
	return 0;
}

/* Translate @addr, an address in @bus's children's space, to a CPU address. */
static bool translate(const struct vs_dt_node *bus, uint64_t addr, uint64_t *out)
{
	const struct vs_dt_prop *ranges;
	int cac, csc, pac, psc;
	size_t entry, i, cnt;
	uint64_t c = 0, p = 0, s = 0;
	unsigned hops = 0;

	for (; bus && bus->parent; bus = bus->parent) {
		if (++hops > 256)
			return false;
		ranges = vs_dt_prop(bus, "ranges");
		if (!ranges)
			return false;
		if (ranges->len == 0)
			continue;	/* identity */
		vs_dt_child_cells(bus, &cac, &csc);
		vs_dt_child_cells(bus->parent, &pac, &psc);
		if (cac > 2 || pac > 2 || csc > 2 || cac == 0)
			return false;	/* PCI-style spaces: not translated here */
		entry = 4u * (size_t)(cac + pac + csc);
		if (ranges->len % entry)
			return false;
		cnt = ranges->len / entry;
		for (i = 0; i < cnt; i++) {
			c = read_cells(ranges->val + i * entry, cac);
			p = read_cells(ranges->val + i * entry + 4u * (size_t)cac, pac);
			s = read_cells(ranges->val + i * entry + 4u * (size_t)(cac + pac), csc);
			if (addr >= c && addr - c < s)
				break;
		}
		if (i == cnt)
			return false;
		addr = p + (addr - c);
	}
	*out = addr;
	return true;
}

static int decode_reg(struct vs_dt_node *n)
{
	const struct vs_dt_prop *p = vs_dt_prop(n, "reg");
	size_t entry, cnt, i;
	int ac = n->addr_cells, sc = n->size_cells;

	if (!p || !n->parent)
		return 0;
	entry = 4u * (size_t)(ac + sc);
	if (entry == 0)
		return 0;
	if (p->len % entry)
		return vs_dt_node_problem(n, "reg: %zu bytes is not a multiple of %d+%d cells",
					  p->len, ac, sc);
	cnt = p->len / entry;
	n->reg = calloc(cnt ? cnt : 1, sizeof(*n->reg));
	if (!n->reg)
		return -ENOMEM;
	for (i = 0; i < cnt; i++) {
		struct vs_dt_reg *r = &n->reg[i];

		const unsigned char *e = p->val + i * entry;

		/* Wider than 64 bits (PCI): the low two cells carry the address. */
		r->addr = read_cells(e + 4u * (size_t)(ac > 2 ? ac - 2 : 0), ac > 2 ? 2 : ac);
		r->size = read_cells(e + 4u * (size_t)ac + 4u * (size_t)(sc > 2 ? sc - 2 : 0),
				     sc > 2 ? 2 : sc);
		r->mmio = ac > 0 && ac <= 2 && translate(n->parent, r->addr, &r->cpu_addr);
	}
	n->n_reg = cnt;
	return 0;
}

/* of_irq_find_parent(): own or inherited interrupt-parent, else the parent. */
static const struct vs_dt_node *find_irq_parent(const struct vs_dt *dt,
						const struct vs_dt_node *n)
{
	const struct vs_dt_node *p = n;
	unsigned hops = 0;
	uint32_t ph;

	do {
		if (++hops > 256)
			return NULL;
		if (vs_dt_prop_u32(p, "interrupt-parent", &ph))
			p = vs_dt_find_phandle(dt, ph);
		else
			p = p->parent;
	} while (p && !vs_dt_prop(p, "#interrupt-cells"));
	return p;
}

static int add_irq(struct vs_dt_node *n, const struct vs_dt_node *ctrl,
		   const unsigned char *cells, size_t ncells)
{
	struct vs_dt_irq *irq, *ni;
	size_t i;

	ni = realloc(n->irqs, (n->n_irqs + 1) * sizeof(*ni));
	if (!ni)
		return -ENOMEM;
	n->irqs = ni;
	irq = &n->irqs[n->n_irqs];
	memset(irq, 0, sizeof(*irq));
	irq->cells = calloc(ncells ? ncells : 1, sizeof(uint32_t));
	if (!irq->cells)
		return -ENOMEM;
	for (i = 0; i < ncells; i++)
		irq->cells[i] = vs_dt_be32(cells + 4 * i);
	irq->n_cells = ncells;
	irq->ctrl = ctrl;
	irq->kind = VS_DT_IRQ_OTHER;
	irq->number = ncells ? irq->cells[0] : 0;
	if (ctrl && vs_dt_is_gic(ctrl) && ncells >= 3 && irq->cells[0] <= 3) {
		static const enum vs_dt_irq_kind kinds[] = {
			VS_DT_IRQ_SPI, VS_DT_IRQ_PPI, VS_DT_IRQ_ESPI, VS_DT_IRQ_EPPI,
		};

		irq->gic = true;
		irq->kind = kinds[irq->cells[0]];
		irq->number = irq->cells[1];
		irq->flags = irq->cells[2] & VS_DT_IRQ_TRIGGER_MASK;
	}
	n->n_irqs++;
	return 0;
}

static int decode_irqs(const struct vs_dt *dt, struct vs_dt_node *n)
{
	const struct vs_dt_prop *p = vs_dt_prop(n, "interrupts");
	const struct vs_dt_prop *ext = vs_dt_prop(n, "interrupts-extended");
	const struct vs_dt_node *ctrl;
	uint32_t cells, ph;
	size_t off;
	int r;

	if (p || ext)
		n->irq_parent = find_irq_parent(dt, n);
	else if (vs_dt_prop(n, "interrupt-parent"))
		n->irq_parent = find_irq_parent(dt, n);
	if (ext) {
		for (off = 0; off + 4 <= ext->len; off += 4 + 4u * cells) {
			ph = vs_dt_be32(ext->val + off);
			ctrl = vs_dt_find_phandle(dt, ph);
			if (!ctrl)
				return vs_dt_node_problem(n, "interrupts-extended: phandle 0x%" PRIx32
							  " does not resolve", ph);
			if (!vs_dt_prop_u32(ctrl, "#interrupt-cells", &cells) || cells > MAX_CELLS)
				return vs_dt_node_problem(n, "interrupts-extended: %s has no usable #interrupt-cells",
							  ctrl->path);
			if (off + 4 + 4u * cells > ext->len)
				return vs_dt_node_problem(n, "interrupts-extended: truncated specifier");
			r = add_irq(n, ctrl, ext->val + off + 4, cells);
			if (r < 0)
				return r;
		}
		return 0;
	}
	if (!p)
		return 0;
	ctrl = n->irq_parent;
	if (!ctrl)
		return vs_dt_node_problem(n, "interrupts: no interrupt parent");
	if (!vs_dt_prop_u32(ctrl, "#interrupt-cells", &cells) || cells == 0 || cells > MAX_CELLS)
		return vs_dt_node_problem(n, "interrupts: %s has no usable #interrupt-cells", ctrl->path);
	if (p->len % (4u * cells))
		return vs_dt_node_problem(n, "interrupts: %zu bytes is not a multiple of %" PRIu32 " cells",
					  p->len, cells);
	for (off = 0; off < p->len; off += 4u * cells) {
		r = add_irq(n, ctrl, p->val + off, cells);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Phandle references                                                  */

struct ref_prop {
	const char *name;
	const char *cells;	/* NULL: every cell is a phandle */
};

static const struct ref_prop ref_props[] = {
	{ .name = "clocks", .cells = "#clock-cells" },
	{ .name = "assigned-clocks", .cells = "#clock-cells" },
	{ .name = "assigned-clock-parents", .cells = "#clock-cells" },
	{ .name = "power-domains", .cells = "#power-domain-cells" },
	{ .name = "resets", .cells = "#reset-cells" },
	{ .name = "mboxes", .cells = "#mbox-cells" },
	{ .name = "phys", .cells = "#phy-cells" },
	{ .name = "dmas", .cells = "#dma-cells" },
	{ .name = "iommus", .cells = "#iommu-cells" },
	{ .name = "interrupts-extended", .cells = "#interrupt-cells" },
	{ .name = "io-channels", .cells = "#io-channel-cells" },
	{ .name = "pwms", .cells = "#pwm-cells" },
	{ .name = "thermal-sensors", .cells = "#thermal-sensor-cells" },
	{ .name = "interconnects", .cells = "#interconnect-cells" },
	{ .name = "hwlocks", .cells = "#hwlock-cells" },
	{ .name = "mux-controls", .cells = "#mux-control-cells" },
	{ .name = "sound-dai", .cells = "#sound-dai-cells" },
	{ .name = "nvmem-cells", .cells = "#nvmem-cell-cells" },
	{ .name = "msi-parent", .cells = "#msi-cells" },
	{ .name = "access-controllers", .cells = "#access-controller-cells" },
	{ .name = "gpio-ranges", .cells = "#gpio-range-cells" },
	{ .name = "interrupt-parent", .cells = NULL },
	{ .name = "phy-handle", .cells = NULL },
	{ .name = "phy", .cells = NULL },
	{ .name = "pcs-handle", .cells = NULL },
	{ .name = "memory-region", .cells = NULL },
	{ .name = "sram", .cells = NULL },
	{ .name = "nvmem", .cells = NULL },
	{ .name = "operating-points-v2", .cells = NULL },
	{ .name = "remote-endpoint", .cells = NULL },
};

/* Provider cells that may be absent, and what absence means. */
static bool optional_cells(const char *cells, uint32_t *def)
{
	if (strcmp(cells, "#nvmem-cell-cells") == 0 || strcmp(cells, "#msi-cells") == 0) {
		*def = 0;
		return true;
	}
	if (strcmp(cells, "#gpio-range-cells") == 0) {
		*def = 3;
		return true;
	}
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}

bool vs_dt_is_ref_prop(const char *name, const char **cells_prop)
{
	size_t i;
	const char *d;

	*cells_prop = NULL;
	if (name[0] == '#')
		return false;
	for (i = 0; i < sizeof(ref_props) / sizeof(ref_props[0]); i++) {
		if (strcmp(name, ref_props[i].name) == 0) {
			*cells_prop = ref_props[i].cells;
			return true;
		}
	}
	if (strncmp(name, "pinctrl-", 8) == 0 && name[8]) {
		for (d = name + 8; *d; d++)
			if (*d < '0' || *d > '9')
				return false;
		return true;
	}
	if (ends_with(name, "-supply"))
		return true;
	if (strcmp(name, "nr-gpios") == 0)
		return false;
	if (strcmp(name, "gpios") == 0 || strcmp(name, "gpio") == 0 ||
	    ends_with(name, "-gpios") || ends_with(name, "-gpio")) {
		*cells_prop = "#gpio-cells";
		return true;
	}
	return false;
}

static int add_ref(struct vs_dt_node *n, const char *prop, size_t index, uint32_t ph,
		   const struct vs_dt_node *target, const unsigned char *args, size_t nargs)
{
	struct vs_dt_ref *nr, *ref;
	size_t i;

	nr = realloc(n->refs, (n->n_refs + 1) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	n->refs = nr;
	ref = &n->refs[n->n_refs];
	memset(ref, 0, sizeof(*ref));
	ref->prop = prop;
	ref->index = index;
	ref->phandle = ph;
	ref->target = target;
	if (nargs) {
		ref->args = calloc(nargs, sizeof(uint32_t));
		if (!ref->args)
			return -ENOMEM;
		for (i = 0; i < nargs; i++)
			ref->args[i] = vs_dt_be32(args + 4 * i);
		ref->n_args = nargs;
	}
	n->n_refs++;
	return 0;
}

static int decode_ref_prop(const struct vs_dt *dt, struct vs_dt_node *n,
			   const struct vs_dt_prop *p, const char *cells_prop)
{
	const struct vs_dt_node *target;
	size_t off, index = 0;
	uint32_t ph, nargs;
	int r;

	if (p->len % 4)
		return vs_dt_node_problem(n, "%s: %zu bytes is not a whole number of cells",
					  p->name, p->len);
	for (off = 0; off < p->len; off += 4 + 4u * nargs, index++) {
		ph = vs_dt_be32(p->val + off);
		nargs = 0;
		if (ph == 0 || ph == 0xffffffffu)
			continue;	/* an empty slot, as dtc treats it */
		target = vs_dt_find_phandle(dt, ph);
		if (!target) {
			r = add_ref(n, p->name, index, ph, NULL, NULL, 0);
			if (r < 0)
				return r;
			return vs_dt_node_problem(n, "%s: phandle 0x%" PRIx32 " does not resolve",
						  p->name, ph);
		}
		if (cells_prop && !vs_dt_prop_u32(target, cells_prop, &nargs) &&
		    !optional_cells(cells_prop, &nargs))
			return vs_dt_node_problem(n, "%s: provider %s has no %s", p->name,
						  target->path, cells_prop);
		if (nargs > MAX_CELLS)
			return vs_dt_node_problem(n, "%s: provider %s declares %" PRIu32 " %s",
						  p->name, target->path, nargs, cells_prop);
		if (off + 4 + 4u * nargs > p->len)
			return vs_dt_node_problem(n, "%s: entry %zu is truncated (%s of %s is %" PRIu32 ")",
						  p->name, index, cells_prop, target->path, nargs);
		r = add_ref(n, p->name, index, ph, target, p->val + off + 4, nargs);
		if (r < 0)
			return r;
		if (strcmp(p->name, "interrupt-parent") == 0)
			break;
	}
	return 0;
}

static int decode_refs(const struct vs_dt *dt, struct vs_dt_node *n)
{
	const char *cells;
	size_t i;
	int r;

	if (strcmp(n->path, "/__symbols__") == 0 || strcmp(n->path, "/__fixups__") == 0 ||
	    strcmp(n->path, "/__local_fixups__") == 0 || strcmp(n->path, "/aliases") == 0)
		return 0;
	for (i = 0; i < n->n_props; i++) {
		if (!vs_dt_is_ref_prop(n->props[i].name, &cells))
			continue;
		r = decode_ref_prop(dt, n, &n->props[i], cells);
		if (r < 0)
			return r;
	}
	for (i = 0; i < n->n_refs; i++) {
		if (strcmp(n->refs[i].prop, "msi-parent") == 0 && n->refs[i].target) {
			n->msi_parent = n->refs[i].target;
			break;
		}
	}
	return 0;
}

int vs_dt_decode(struct vs_dt *dt)
{
	size_t i;
	int r;

	r = index_phandles(dt);
	if (r == 0)
		r = read_labels(dt);
	for (i = 0; r == 0 && i < dt->n_nodes; i++)
		r = decode_basic(dt->nodes[i]);
	for (i = 0; r == 0 && i < dt->n_nodes; i++)
		r = decode_reg(dt->nodes[i]);
	for (i = 0; r == 0 && i < dt->n_nodes; i++)
		r = decode_irqs(dt, dt->nodes[i]);
	for (i = 0; r == 0 && i < dt->n_nodes; i++)
		r = decode_refs(dt, dt->nodes[i]);
	return r;
}
