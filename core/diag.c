// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Why devices share an IOMMU group: a userspace copy of the kernel's
 * pci_device_group() (Linux 6.18, iommu-grouping.md §1 and §6.1) run as
 * union-find over the model, compared with the kernel's real groups.
 *
 * Per PCI device X (bridges too, since they are group members):
 *  A. behind VMD: union(X, VMD), done. Else the first upstream bridge that
 *     aliases (PCIe-to-PCI, PCI-to-PCIe, conventional; the walk stops at an
 *     XLATE_ROOT bridge) gives union(X, B), done.
 *  B. P = X's upstream bridge; if !path_isolated(P): union(X, P), done.
 *  C. union(X, Y) for same-bus DMA-alias partners (quirk list, kernel log).
 *  D. X multifunction and !isolated(X): union(X, S) for each same-slot
 *     sibling S with !isolated(S).
 * isolated() follows pci_acs_enabled(REQ_ACS_FLAGS): quirk table first
 * (plus the pcie_acs_override catch-all when on the command line), then the
 * port type, then the ACS registers.
 *
 * A decision that needs an unreadable fact (non-root config space, the
 * kernel log) is taken from the kernel's grouping and marked inferred.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/diag.h"
#include "diag_priv.h"

enum basis {
	B_QUIRK,	/* the ACS quirk table decided */
	B_OVERRIDE,	/* pcie_acs_override decided */
	B_NOT_PCIE,	/* conventional PCI: never isolated */
	B_BRIDGE_TYPE,	/* PCIe-to-PCI, PCI-to-PCIe, RC event collector */
	B_REGS,		/* ACS register test */
	B_NO_CAP,	/* register test, but no ACS capability */
	B_SINGLE_FN,	/* endpoint/upstream port that is not multifunction */
	B_OTHER_TYPE,	/* any other port type: isolated */
	B_UNKNOWN,	/* a fact is unreadable */
};

struct iso {
	enum vs_tristate v;
	enum basis b;
	struct vs_quirk_verdict q;
	uint16_t missing;	/* B_REGS: required bits off */
	bool trivial;		/* capability advertises none of the required controls */
};

enum bkind { BK_PORT, BK_PCIE2PCI, BK_PCI2PCIE, BK_CONV, BK_OTHER, BK_UNKNOWN };

struct node {
	size_t uf;
	bool iso_done;
	struct iso iso;
	uint64_t alias_mask[4];
	bool has_alias_mask;
	const char *alias_src;		/* quirk name or "kernel log" */
	const char *alias_product;
	bool tied;
	enum vs_reason_code tie;
	const struct vs_device *culprit;
	bool inferred;
	bool anchor_vmd, anchor_alias, anchor_acs;
	bool type_guessed;		/* an upstream bridge's type was unreadable */
};

struct vs_diag {
	const struct vs_topology *topo;
	struct vs_sysfacts facts;
	struct vs_hostcrit_list *hc;
	struct node *nodes;		/* indexed by vs_device.index, PCI only */
	size_t n;
	struct vs_dt *dt;		/* NULL without a device tree */
	char *dt_error;			/* why a device tree present could not be read */
};

static const char *const reason_names[] = {
	[VS_REASON_ISOLATED] = "isolated",
	[VS_REASON_NO_ACS_UPSTREAM] = "no_acs_upstream",
	[VS_REASON_MFD_NO_ACS] = "mfd_no_acs",
	[VS_REASON_BRIDGE_ALIAS] = "bridge_alias",
	[VS_REASON_DMA_ALIAS_QUIRK] = "dma_alias_quirk",
	[VS_REASON_REAL_DMA_DEV] = "real_dma_dev",
	[VS_REASON_QUIRK_ISOLATED] = "quirk_isolated",
	[VS_REASON_OVERRIDE_ISOLATED] = "override_isolated",
	[VS_REASON_UNEXPLAINED] = "unexplained",
	[VS_REASON_PLATFORM_OWN_GROUP] = "platform_own_group",
	[VS_REASON_PLATFORM_SHARED] = "platform_shared_group",
	[VS_REASON_FSLMC_CONTAINER] = "fslmc_container",
};

const char *vs_reason_code_name(enum vs_reason_code code)
{
	if ((size_t)code < sizeof(reason_names) / sizeof(reason_names[0]) && reason_names[code])
		return reason_names[code];
	return "unknown";
}

static const char *const remedy_names[] = {
	[VS_REMEDY_OTHER_SLOT] = "other_slot",
	[VS_REMEDY_CONFIG_ACS] = "config_acs",
	[VS_REMEDY_KERNEL_QUIRK] = "kernel_quirk",
	[VS_REMEDY_DISABLE_VMD] = "disable_vmd",
	[VS_REMEDY_FSLMC_CONTAINER] = "fslmc_container",
	[VS_REMEDY_NO_SOFTWARE_FIX] = "no_software_fix",
	[VS_REMEDY_ACS_OVERRIDE] = "acs_override",
};

const char *vs_remedy_kind_name(enum vs_remedy_kind kind)
{
	if ((size_t)kind < sizeof(remedy_names) / sizeof(remedy_names[0]) && remedy_names[kind])
		return remedy_names[kind];
	return "unknown";
}

static const char *const action_names[] = {
	[VS_ACTION_SELECTED] = "selected",
	[VS_ACTION_STAYS] = "stays",
	[VS_ACTION_IDLE] = "idle",
	[VS_ACTION_UNBIND] = "unbind",
	[VS_ACTION_BLOCKED] = "blocked",
};

const char *vs_member_action_name(enum vs_member_action action)
{
	if ((size_t)action < sizeof(action_names) / sizeof(action_names[0]) && action_names[action])
		return action_names[action];
	return "unknown";
}

/* ---- model helpers ---- */

static bool is_pci(const struct vs_diag *d, const struct vs_device *dev)
{
	return dev && dev->bus == VS_BUS_PCI && dev->pci && dev->index < d->n &&
	       d->topo->devices[dev->index] == dev;
}

static struct node *node_of(const struct vs_diag *d, const struct vs_device *dev)
{
	return &d->nodes[dev->index];
}

/* bus->self of the device's bus: NULL on a root bus (VMD root buses too). */
static const struct vs_device *upstream(const struct vs_device *dev)
{
	if (!dev->pci || dev->pci->on_root_bus || !dev->parent)
		return NULL;
	if (dev->parent->bus != VS_BUS_PCI || !dev->parent->pci)
		return NULL;
	if (dev->pci->vmd && dev->parent == dev->pci->vmd)
		return NULL;
	return dev->parent;
}

static unsigned devfn(const struct vs_device *dev)
{
	return ((unsigned)dev->pci->dev << 3) | dev->pci->fn;
}

static bool same_bus(const struct vs_device *a, const struct vs_device *b)
{
	return a->pci->domain == b->pci->domain && a->pci->bus == b->pci->bus;
}

static bool same_kgroup(const struct vs_device *a, const struct vs_device *b)
{
	return a->iommu_group >= 0 && a->iommu_group == b->iommu_group;
}

static const char *type_label(const struct vs_device *dev)
{
	if (!dev->pci)
		return vs_bus_name(dev->bus);
	if (dev->pci->pcie == VS_NO)
		return vs_pci_is_bridge(dev) ? "PCI-PCI bridge" : "conventional PCI";
	if (dev->pci->pcie == VS_UNKNOWN || dev->pci->port_type == VS_PORT_UNKNOWN)
		return vs_pci_is_bridge(dev) ? "bridge, type unreadable" : "type unreadable";
	return vs_port_type_label(dev->pci->port_type);
}

/* ---- isolated(): pci_acs_enabled(dev, REQ_ACS_FLAGS) ---- */

static void reg_test(const struct vs_device *dev, struct iso *r)
{
	const struct vs_acs *a = &dev->pci->acs;
	uint16_t flags;

	if (a->present == VS_UNKNOWN) {
		r->v = VS_UNKNOWN;
		r->b = B_UNKNOWN;
		return;
	}
	if (a->present == VS_NO) {
		r->v = VS_NO;
		r->b = B_NO_CAP;
		return;
	}
	/* unimplemented controls count as hard-wired on (pci_acs_flags_enabled) */
	flags = VS_ACS_REQUIRED & (a->cap | VS_ACS_EC);
	r->b = B_REGS;
	r->trivial = flags == 0;
	r->missing = flags & (uint16_t)~a->ctrl;
	r->v = r->missing ? VS_NO : VS_YES;
}

static const struct iso *isolated(const struct vs_diag *d, const struct vs_device *dev)
{
	struct node *n = node_of(d, dev);
	struct iso *r = &n->iso;
	const struct vs_pci *p = dev->pci;

	if (n->iso_done)
		return r;
	n->iso_done = true;
	memset(r, 0, sizeof(*r));

	vs_acs_quirk_eval(&d->facts, dev, &r->q);
	if (r->q.res != VS_QRES_NONE) {
		r->b = r->q.quirk && r->q.quirk->kind == VS_ACSQ_OVERRIDE ? B_OVERRIDE : B_QUIRK;
		if (r->q.res == VS_QRES_ISOLATED) {
			r->v = VS_YES;
		} else if (r->q.res == VS_QRES_NOT_ISOLATED) {
			r->v = VS_NO;
			if (r->q.spt)
				r->missing = r->q.spt_missing;
			else if (p->acs.present == VS_YES)
				r->missing = VS_ACS_REQUIRED & p->acs.cap & (uint16_t)~p->acs.ctrl;
		} else {
			r->v = VS_UNKNOWN;
		}
		return r;
	}
	if (p->pcie == VS_UNKNOWN) {
		r->v = VS_UNKNOWN;
		r->b = B_UNKNOWN;
		return r;
	}
	if (p->pcie == VS_NO) {
		r->v = VS_NO;
		r->b = B_NOT_PCIE;
		return r;
	}
	switch (p->port_type) {
	case VS_PORT_PCIE_TO_PCI:
	case VS_PORT_PCI_TO_PCIE:
	case VS_PORT_RCEC:
		r->v = VS_NO;
		r->b = B_BRIDGE_TYPE;
		break;
	case VS_PORT_ROOT_PORT:
	case VS_PORT_DOWNSTREAM:
		reg_test(dev, r);
		break;
	case VS_PORT_ENDPOINT:
	case VS_PORT_LEGACY_ENDPOINT:
	case VS_PORT_UPSTREAM:
	case VS_PORT_RCIEP:
		if (!p->multifunction) {
			r->v = VS_YES;
			r->b = B_SINGLE_FN;
		} else {
			reg_test(dev, r);
		}
		break;
	case VS_PORT_UNKNOWN:
		r->v = VS_UNKNOWN;
		r->b = B_UNKNOWN;
		break;
	default:
		r->v = VS_YES;
		r->b = B_OTHER_TYPE;
		break;
	}
	return r;
}

/* pci_acs_path_enabled(start, NULL, REQ_ACS_FLAGS) */
static enum vs_tristate path_isolated(const struct vs_diag *d, const struct vs_device *b)
{
	enum vs_tristate res = VS_YES;

	for (; b; b = upstream(b)) {
		enum vs_tristate v = isolated(d, b)->v;

		if (v == VS_NO)
			return VS_NO;
		if (v == VS_UNKNOWN)
			res = VS_UNKNOWN;
	}
	return res;
}

/*
 * path_isolated() with an unreadable answer taken from the kernel: the path
 * does not isolate iff the kernel put @x into @b's group. Without kernel
 * groups, assume it does not isolate (the kernel's default with no ACS).
 */
static bool path_open(const struct vs_diag *d, const struct vs_device *x,
		      const struct vs_device *b, bool *inferred)
{
	enum vs_tristate v = path_isolated(d, b);

	if (v != VS_UNKNOWN)
		return v == VS_NO;
	*inferred = true;
	if (x->iommu_group < 0 || b->iommu_group < 0)
		return true;
	return same_kgroup(x, b);
}

static enum bkind bridge_kind(const struct vs_device *b)
{
	if (b->pci->pcie == VS_NO)
		return BK_CONV;
	if (b->pci->pcie == VS_YES) {
		switch (b->pci->port_type) {
		case VS_PORT_ROOT_PORT:
		case VS_PORT_UPSTREAM:
		case VS_PORT_DOWNSTREAM:
			return BK_PORT;
		case VS_PORT_PCIE_TO_PCI:
			return BK_PCIE2PCI;
		case VS_PORT_PCI_TO_PCIE:
			return BK_PCI2PCIE;
		case VS_PORT_UNKNOWN:
			break;
		default:
			return BK_OTHER;
		}
	}
	/* pcieport binds only root, switch and event-collector ports */
	if (vs_streq(b->driver, "pcieport"))
		return BK_PORT;
	return BK_UNKNOWN;
}

/*
 * Without config space: a bridge that pcieport left alone and whose children
 * all lack PCIe link attributes is most likely a PCIe-to-PCI bridge.
 */
static bool guess_pcie2pci(const struct vs_device *b)
{
	if (b->driver || !b->n_children)
		return false;
	for (size_t i = 0; i < b->n_children; i++) {
		const struct vs_device *c = b->children[i];

		if (!c->pci || c->pci->link_speed || c->pci->pcie == VS_YES)
			return false;
	}
	return true;
}

/* ---- union-find ---- */

static size_t uf_find(struct node *nodes, size_t i)
{
	while (nodes[i].uf != i) {
		nodes[i].uf = nodes[nodes[i].uf].uf;
		i = nodes[i].uf;
	}
	return i;
}

static void uf_union(struct node *nodes, size_t a, size_t b)
{
	a = uf_find(nodes, a);
	b = uf_find(nodes, b);
	if (a == b)
		return;
	/* keep the lower index (the upstream device, model order) as root */
	if (a < b)
		nodes[b].uf = a;
	else
		nodes[a].uf = b;
}

static void tie(struct vs_diag *d, const struct vs_device *x, const struct vs_device *to,
		enum vs_reason_code code, const struct vs_device *culprit, bool inferred)
{
	struct node *n = node_of(d, x);

	uf_union(d->nodes, x->index, to->index);
	if (inferred)
		n->inferred = true;
	if (n->tied)
		return;
	n->tied = true;
	n->tie = code;
	n->culprit = culprit;
}

static void build_alias_masks(struct vs_diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct vs_device *dev = d->topo->devices[i];
		struct node *n = &d->nodes[i];
		const struct vs_alias_quirk *q = vs_alias_quirk_find(dev);

		if (q) {
			uint64_t before = n->alias_mask[0] | n->alias_mask[1] |
					  n->alias_mask[2] | n->alias_mask[3];

			vs_alias_quirk_mask(q, dev, n->alias_mask);
			if ((n->alias_mask[0] | n->alias_mask[1] | n->alias_mask[2] |
			     n->alias_mask[3]) != before) {
				n->has_alias_mask = true;
				n->alias_src = q->name;
				n->alias_product = q->product;
			}
		}
		for (size_t k = 0; k < d->facts.kmsg.n_aliases; k++) {
			const struct vs_alias_fact *a = &d->facts.kmsg.aliases[k];

			if (strcmp(a->dev, dev->name) != 0)
				continue;
			for (unsigned f = a->devfn; f < a->devfn + a->nr && f < 256; f++)
				n->alias_mask[f / 64] |= 1ull << (f % 64);
			n->has_alias_mask = true;
			if (!n->alias_src)
				n->alias_src = "kernel log";
		}
	}
}

static bool mask_has(const struct node *n, unsigned fn)
{
	return n->has_alias_mask && (n->alias_mask[fn / 64] & (1ull << (fn % 64)));
}

static bool dma_aliases(const struct vs_diag *d, const struct vs_device *a, const struct vs_device *b)
{
	return mask_has(node_of(d, a), devfn(b)) || mask_has(node_of(d, b), devfn(a));
}

/* The index range [*lo, *hi) of PCI devices on @x's bus (model order is by address). */
static void bus_range(const struct vs_diag *d, const struct vs_device *x, size_t *lo, size_t *hi)
{
	size_t i = x->index, j = x->index + 1;

	while (i > 0 && same_bus(d->topo->devices[i - 1], x))
		i--;
	while (j < d->n && same_bus(d->topo->devices[j], x))
		j++;
	*lo = i;
	*hi = j;
}

/* Whether @x and sibling @s are joined by step D; resolves unreadable ACS by the kernel. */
static bool mfd_joined(const struct vs_diag *d, const struct vs_device *x,
		       const struct vs_device *s, bool *inferred)
{
	enum vs_tristate vx = isolated(d, x)->v, vs = isolated(d, s)->v;

	if (vx == VS_YES || vs == VS_YES)
		return false;
	if (vx == VS_NO && vs == VS_NO)
		return true;
	*inferred = true;
	if (x->iommu_group < 0 || s->iommu_group < 0)
		return true;
	return same_kgroup(x, s);
}

/* The highest bridge from @p up whose path does not isolate (step B's anchor). */
static const struct vs_device *acs_culprit(const struct vs_diag *d, const struct vs_device *x,
					   const struct vs_device *p, bool *inferred)
{
	const struct vs_device *h = p, *b;

	for (b = upstream(p); b; b = upstream(b)) {
		if (!path_open(d, x, b, inferred))
			break;
		h = b;
	}
	return h;
}

static void group_one(struct vs_diag *d, const struct vs_device *x)
{
	struct node *nx = node_of(d, x);
	const struct vs_device *b, *p;
	size_t lo, hi;
	bool inferred = false;

	/* A: VMD, then the alias walk */
	if (x->pci->vmd && is_pci(d, x->pci->vmd)) {
		tie(d, x, x->pci->vmd, VS_REASON_REAL_DMA_DEV, x->pci->vmd, false);
		node_of(d, x->pci->vmd)->anchor_vmd = true;
		return;
	}
	for (b = upstream(x); b; b = upstream(b)) {
		const struct vs_alias_quirk *q = vs_alias_quirk_find(b);
		enum bkind k;

		if (q && q->kind == VS_ALIASQ_XLATE_ROOT)
			break;
		k = bridge_kind(b);
		if (k == BK_UNKNOWN) {
			nx->type_guessed = true;
			if (guess_pcie2pci(b) && (x->iommu_group < 0 || same_kgroup(x, b))) {
				tie(d, x, b, VS_REASON_BRIDGE_ALIAS, b, true);
				node_of(d, b)->anchor_alias = true;
				return;
			}
		}
		if (k == BK_PCIE2PCI || k == BK_PCI2PCIE || k == BK_CONV) {
			tie(d, x, b, VS_REASON_BRIDGE_ALIAS, b, false);
			node_of(d, b)->anchor_alias = true;
			return;
		}
	}

	/* B: upward ACS walk */
	p = upstream(x);
	if (p && path_open(d, x, p, &inferred)) {
		const struct vs_device *h = acs_culprit(d, x, p, &inferred);

		tie(d, x, p, VS_REASON_NO_ACS_UPSTREAM, h, inferred);
		node_of(d, h)->anchor_acs = true;
		return;
	}
	if (inferred)
		nx->inferred = true;

	/* C: same-bus DMA aliases */
	bus_range(d, x, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct vs_device *y = d->topo->devices[i];

		if (y != x && dma_aliases(d, x, y))
			tie(d, x, y, VS_REASON_DMA_ALIAS_QUIRK, y, false);
	}
	if (nx->tied)
		return;

	/* D: multifunction siblings without ACS */
	if (!x->pci->multifunction || isolated(d, x)->v == VS_YES)
		return;
	for (size_t i = lo; i < hi; i++) {
		const struct vs_device *s = d->topo->devices[i];
		bool inf = false;

		if (s == x || s->pci->dev != x->pci->dev)
			continue;
		if (mfd_joined(d, x, s, &inf))
			tie(d, x, s, VS_REASON_MFD_NO_ACS, s, inf);
		else if (inf)
			nx->inferred = true;
	}
}

static int run_rules(struct vs_diag *d)
{
	d->n = d->topo->n_pci;
	d->nodes = calloc(d->n ? d->n : 1, sizeof(*d->nodes));
	if (!d->nodes)
		return -ENOMEM;
	for (size_t i = 0; i < d->n; i++)
		d->nodes[i].uf = i;
	build_alias_masks(d);
	for (size_t i = 0; i < d->n; i++) {
		const struct vs_device *x = d->topo->devices[i];

		if (x->pci)
			group_one(d, x);
	}
	return 0;
}

/* The device tree, for the ARM findings; a corrupt one is a note, not an error. */
static int load_dt(struct vs_diag *d)
{
	struct vs_err e = VS_ERR_INIT;
	int r = vs_dt_load(d->topo->root, &d->dt, &e);

	if (r < 0 && r != -ENOENT && r != -ENOMEM) {
		d->dt_error = strdup(vs_err_msg(&e));
		r = d->dt_error ? 0 : -ENOMEM;
	} else if (r == -ENOENT) {
		r = 0;
	}
	vs_err_release(&e);
	return r;
}

int vs_diag_new(const struct vs_topology *topo, struct vs_diag **out, struct vs_err *err)
{
	struct vs_diag *d;
	int r;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return vs_err_set(err, -ENOMEM, "out of memory");
	d->topo = topo;
	r = vs_sysfacts_read(topo->root, &d->facts);
	if (r < 0)
		goto fail;
	r = vs_hostcrit_scan(topo, &d->hc, err);
	if (r < 0)
		goto fail;
	r = run_rules(d);
	if (r < 0)
		goto fail;
	r = load_dt(d);
	if (r < 0)
		goto fail;
	*out = d;
	return 0;
fail:
	vs_diag_free(d);
	return vs_err_set(err, r, "cannot analyse the topology: %s", strerror(-r));
}

void vs_diag_free(struct vs_diag *d)
{
	if (!d)
		return;
	vs_sysfacts_release(&d->facts);
	vs_hostcrit_free(d->hc);
	free(d->nodes);
	vs_dt_free(d->dt);
	free(d->dt_error);
	free(d);
}

const struct vs_dt *vs_diag_dt(const struct vs_diag *d)
{
	return d->dt;
}

const struct vs_hostcrit_list *vs_diag_hostcrit(const struct vs_diag *d)
{
	return d->hc;
}

/* ---- comparing with the kernel ---- */

struct devlist {
	const struct vs_device **v;
	size_t n;
	bool oom;
};
#define DEVLIST_INIT { .v = NULL, .n = 0, .oom = false }

static void dl_add(struct devlist *l, const struct vs_device *dev)
{
	const struct vs_device **nv;

	if (l->oom)
		return;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == dev)
			return;
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv) {
		l->oom = true;
		return;
	}
	nv[l->n++] = dev;
	l->v = nv;
}

static bool dl_has(const struct devlist *l, const struct vs_device *dev)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == dev)
			return true;
	return false;
}

static int cmp_index(const void *a, const void *b)
{
	const struct vs_device *x = *(const struct vs_device *const *)a;
	const struct vs_device *y = *(const struct vs_device *const *)b;

	return x->index < y->index ? -1 : x->index > y->index;
}

static void dl_sort(struct devlist *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_index);
}

/* The predicted group of PCI device @x, model order. */
static void predicted_of(const struct vs_diag *d, const struct vs_device *x, struct devlist *out)
{
	size_t root = uf_find(d->nodes, x->index);

	for (size_t i = 0; i < d->n; i++)
		if (uf_find(d->nodes, i) == root)
			dl_add(out, d->topo->devices[i]);
}

static bool same_set(const struct devlist *a, const struct vs_device *const *b, size_t nb)
{
	if (a->n != nb)
		return false;
	for (size_t i = 0; i < nb; i++)
		if (!dl_has(a, b[i]))
			return false;
	return true;
}

static bool pred_matches_group(const struct vs_diag *d, const struct vs_device *m,
			       const struct vs_group *g)
{
	struct devlist p = DEVLIST_INIT;
	bool same;

	predicted_of(d, m, &p);
	same = !p.oom && same_set(&p, (const struct vs_device *const *)g->members, g->n_members);
	free(p.v);
	return same;
}

enum vs_tristate vs_diag_group_matches(const struct vs_diag *d, const struct vs_group *g)
{
	bool inferred = false;

	if (!g || !g->n_members || g->n_unknown_members)
		return VS_UNKNOWN;
	for (size_t i = 0; i < g->n_members; i++) {
		const struct vs_device *m = g->members[i];

		if (!is_pci(d, m))
			return VS_UNKNOWN;
		if (node_of(d, m)->inferred)
			inferred = true;
	}
	if (!pred_matches_group(d, g->members[0], g))
		return VS_NO;
	return inferred ? VS_UNKNOWN : VS_YES;
}

/* ---- sentences ---- */

static void add_dev_list(struct vs_strbuf *sb, const struct vs_device *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			vs_strbuf_add(sb, i + 1 == n ? " and " : ", ");
		vs_strbuf_add(sb, v[i]->name);
	}
}

/* Why @dev does not isolate: "has no ACS capability and no kernel quirk", ... */
static void why_not_isolated(const struct vs_diag *d, const struct vs_device *dev,
			     struct vs_strbuf *sb)
{
	const struct iso *r = isolated(d, dev);
	char *flags;

	switch (r->b) {
	case B_QUIRK:
		if (r->q.res == VS_QRES_UNKNOWN) {
			vs_strbuf_addf(sb, "is covered by kernel quirk %s, %s", r->q.quirk->name,
				       r->q.detail ? r->q.detail : "whose answer could not be determined");
			return;
		}
		if (r->q.spt) {
			flags = vs_acs_flags_text(r->missing, ",");
			vs_strbuf_addf(sb, "does not enforce ACS: its real ACS Control (the dword at +8, "
				       "Intel SPT/UPT erratum) lacks %s", flags ? flags : "?");
			free(flags);
			return;
		}
		vs_strbuf_addf(sb, "%s; kernel quirk %s applies, %s",
			       dev->pci->acs.present == VS_YES ? "has an ACS capability" :
			       "has no ACS capability", r->q.quirk->name,
			       r->q.detail ? r->q.detail : "and answers \"not isolated\"");
		return;
	case B_OVERRIDE:
		vs_strbuf_add(sb, "is declared isolated by pcie_acs_override");
		return;
	case B_NOT_PCIE:
		vs_strbuf_add(sb, "is conventional PCI (no PCI Express capability, so no ACS)");
		return;
	case B_BRIDGE_TYPE:
		vs_strbuf_addf(sb, "is a %s, which the kernel never counts as isolating",
			       vs_port_type_label(dev->pci->port_type));
		return;
	case B_NO_CAP:
		vs_strbuf_add(sb, "has no ACS capability and no kernel quirk");
		return;
	case B_REGS:
		flags = vs_acs_flags_text(r->missing, ",");
		vs_strbuf_addf(sb, "does not enforce ACS (missing: %s)", flags ? flags : "?");
		free(flags);
		return;
	case B_UNKNOWN:
		vs_strbuf_add(sb, "has ACS registers that are not readable without root");
		return;
	case B_SINGLE_FN:
	case B_OTHER_TYPE:
		vs_strbuf_add(sb, "isolates");
		return;
	}
}

/* missing_acs for the JSON from the culprit's isolation verdict. */
static void set_missing(const struct vs_diag *d, const struct vs_device *c, bool inferred,
			struct vs_reason *r)
{
	const struct iso *i;

	r->missing = VS_MISSING_NONE;
	if (!c || !is_pci(d, c))
		return;
	i = isolated(d, c);
	if (i->v == VS_UNKNOWN || (inferred && i->v != VS_NO)) {
		r->missing = VS_MISSING_UNKNOWN;
		return;
	}
	if (i->v != VS_NO)
		return;
	switch (i->b) {
	case B_NO_CAP:
	case B_NOT_PCIE:
		r->missing = VS_MISSING_NO_CAPABILITY;
		break;
	case B_REGS:
		r->missing = VS_MISSING_FLAGS;
		r->missing_flags = i->missing;
		break;
	case B_QUIRK:
		if (i->missing) {
			r->missing = VS_MISSING_FLAGS;
			r->missing_flags = i->missing;
		} else if (c->pci->acs.present == VS_NO || c->pci->pcie == VS_NO) {
			r->missing = VS_MISSING_NO_CAPABILITY;
		}
		break;
	default:
		break;
	}
}

static void path_text(const struct vs_diag *d, const struct vs_device *x, struct vs_strbuf *sb)
{
	const struct vs_device *b = upstream(x);
	bool first = true;

	if (!b) {
		vs_strbuf_add(sb, "it is on the root bus");
		return;
	}
	vs_strbuf_add(sb, "upstream path ");
	for (; b; b = upstream(b)) {
		const struct iso *i = isolated(d, b);

		vs_strbuf_addf(sb, "%s%s (%s%s)", first ? "" : " -> ", b->name, type_label(b),
			       i->b == B_SINGLE_FN ? ", single function" :
			       i->b == B_QUIRK ? ", by quirk" :
			       i->b == B_OVERRIDE ? ", by override" : "");
		first = false;
	}
	vs_strbuf_add(sb, " enforces ACS SV+RR+CR+UF");
}

/* The device a lone member's isolation rests on: an override first, then a quirk. */
static bool leans_on(const struct iso *i, enum basis want)
{
	if (i->b != want)
		return false;
	/* the kernel split it, and only the quirk could: the quirk took effect */
	return i->v == VS_YES || (i->v == VS_UNKNOWN && i->q.res == VS_QRES_UNKNOWN && i->q.quirk);
}

static const struct vs_device *lone_dependency(const struct vs_diag *d, const struct vs_device *x,
					       enum basis want)
{
	const struct vs_device *b;

	if (x->pci->multifunction && leans_on(isolated(d, x), want))
		return x;
	for (b = upstream(x); b; b = upstream(b))
		if (leans_on(isolated(d, b), want))
			return b;
	return NULL;
}

static char *sec_bus(const struct vs_device *b)
{
	char *s;

	if (b->pci->secondary_bus < 0)
		return strdup("its secondary bus");
	if (asprintf(&s, "bus %02x", (unsigned)b->pci->secondary_bus) < 0)
		return NULL;
	return s;
}

static char *alias_text(const struct vs_diag *d, const struct vs_device *b, const struct vs_device *x)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	char *bus = sec_bus(b);
	const struct vs_alias_quirk *q = vs_alias_quirk_find(b);
	enum bkind k = bridge_kind(b);

	(void)d;
	if (x != b)
		vs_strbuf_addf(&sb, "behind %s (%s): ", b->name, type_label(b));
	else
		vs_strbuf_addf(&sb, "%s is a %s: ", b->name, type_label(b));
	if (q && q->kind == VS_ALIASQ_PCIE_BRIDGE &&
	    (b->pci->on_root_bus || !upstream(b) || upstream(b)->pci->pcie != VS_YES ||
	     upstream(b)->pci->port_type == VS_PORT_PCIE_TO_PCI))
		q = NULL;	/* quirk_use_pcie_bridge_dma_alias sets the flag only below a PCIe port */
	if (k == BK_UNKNOWN)
		vs_strbuf_addf(&sb, "requests from %s reach the IOMMU with an alias requester ID, so "
			       "the IOMMU cannot tell the devices below it apart (the bridge type is not "
			       "readable without root; pcieport does not drive it and everything below "
			       "it is conventional PCI, so it is most likely a PCIe-to-PCI bridge)",
			       bus ? bus : "its secondary bus");
	else if (k == BK_PCIE2PCI || (q && q->kind == VS_ALIASQ_PCIE_BRIDGE))
		vs_strbuf_addf(&sb, "requests from %s reach the IOMMU with the alias requester ID "
			       "%02x:00.0%s, so the IOMMU cannot tell the devices below it apart; "
			       "a conventional PCI bus has no ACS either",
			       bus ? bus : "its secondary bus",
			       b->pci->secondary_bus >= 0 ? (unsigned)b->pci->secondary_bus : 0u,
			       q && q->kind == VS_ALIASQ_PCIE_BRIDGE ?
			       " (kernel quirk quirk_use_pcie_bridge_dma_alias)" : "");
	else
		vs_strbuf_addf(&sb, "requests from %s reach the IOMMU with the bridge's own requester "
			       "ID %s, so the IOMMU cannot tell the devices below it apart",
			       bus ? bus : "its secondary bus", b->name);
	if (x == b)
		vs_strbuf_add(&sb, "; the bridge and everything below it share one group");
	free(bus);
	return vs_strbuf_detach(&sb);
}

static void mfd_list(const struct vs_diag *d, const struct vs_device *x, struct devlist *out)
{
	size_t lo, hi, root = uf_find(d->nodes, x->index);

	bus_range(d, x, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct vs_device *s = d->topo->devices[i];

		if (s->pci->dev == x->pci->dev && uf_find(d->nodes, i) == root &&
		    isolated(d, s)->v != VS_YES)
			dl_add(out, s);
	}
}

/* The rule reason of member @m from the predicted grouping. */
static int rule_reason(const struct vs_diag *d, const struct vs_device *m, struct vs_reason *r)
{
	const struct node *n = node_of(d, m);
	struct vs_strbuf sb = VS_STRBUF_INIT;
	const struct vs_device *c;

	memset(r, 0, sizeof(*r));
	r->device = m;
	r->inferred = n->inferred;

	if (n->tied) {
		r->code = n->tie;
		r->culprit = n->culprit;
		switch (n->tie) {
		case VS_REASON_REAL_DMA_DEV:
			vs_strbuf_addf(&sb, "behind VMD controller %s: all DMA is issued with the VMD's "
				       "requester ID", n->culprit->name);
			break;
		case VS_REASON_BRIDGE_ALIAS: {
			char *t = alias_text(d, n->culprit, m);

			vs_strbuf_add(&sb, t ? t : "");
			free(t);
			break;
		}
		case VS_REASON_NO_ACS_UPSTREAM:
			set_missing(d, n->culprit, n->inferred, r);
			vs_strbuf_addf(&sb, "%s (%s) ", n->culprit->name, type_label(n->culprit));
			if (n->inferred && isolated(d, n->culprit)->v != VS_NO)
				vs_strbuf_add(&sb, "has ACS registers that are not readable without root; "
					      "the kernel's grouping shows it does not isolate");
			else
				why_not_isolated(d, n->culprit, &sb);
			vs_strbuf_addf(&sb, ": devices below it can reach each other without passing the "
				       "IOMMU, so everything below %s shares its group", n->culprit->name);
			break;
		case VS_REASON_MFD_NO_ACS: {
			struct devlist fl = DEVLIST_INIT;

			set_missing(d, n->culprit, n->inferred, r);
			mfd_list(d, m, &fl);
			vs_strbuf_add(&sb, "functions ");
			add_dev_list(&sb, fl.v, fl.n);
			vs_strbuf_addf(&sb, " of multifunction device %04x:%02x:%02x lack ACS isolation "
				       "between functions (", m->pci->domain, m->pci->bus, m->pci->dev);
			for (size_t i = 0; i < fl.n; i++) {
				if (i)
					vs_strbuf_add(&sb, "; ");
				vs_strbuf_addf(&sb, "%s ", fl.v[i]->name);
				if (n->inferred && isolated(d, fl.v[i])->v != VS_NO)
					vs_strbuf_add(&sb, "has ACS not readable without root");
				else
					why_not_isolated(d, fl.v[i], &sb);
			}
			vs_strbuf_add(&sb, "): one function could DMA into another without passing the IOMMU");
			free(fl.v);
			break;
		}
		case VS_REASON_DMA_ALIAS_QUIRK: {
			const struct node *nm = node_of(d, m), *nc = node_of(d, n->culprit);
			const struct vs_device *issuer = mask_has(nm, devfn(n->culprit)) ? m : n->culprit;
			const struct vs_device *other = issuer == m ? n->culprit : m;
			const struct node *ni = issuer == m ? nm : nc;

			vs_strbuf_addf(&sb, "%s issues DMA as %02x.%u (%s%s%s%s): shares translation "
				       "with %s", issuer->name, other->pci->dev, other->pci->fn,
				       strcmp(ni->alias_src, "kernel log") == 0 ?
				       "kernel log: \"Enabling fixed DMA alias\"" : "kernel DMA-alias quirk ",
				       strcmp(ni->alias_src, "kernel log") == 0 ? "" : ni->alias_src,
				       ni->alias_product ? ", " : "", ni->alias_product ? ni->alias_product : "",
				       other->name);
			break;
		}
		default:
			break;
		}
	} else if (n->anchor_vmd) {
		r->code = VS_REASON_REAL_DMA_DEV;
		r->culprit = m;
		vs_strbuf_addf(&sb, "%s is a VMD controller: every device in its PCI domain issues DMA "
			       "with its requester ID, so they all share its group", m->name);
	} else if (n->anchor_alias) {
		char *t = alias_text(d, m, m);

		r->code = VS_REASON_BRIDGE_ALIAS;
		r->culprit = m;
		vs_strbuf_add(&sb, t ? t : "");
		free(t);
	} else if (n->anchor_acs) {
		r->code = VS_REASON_NO_ACS_UPSTREAM;
		r->culprit = m;
		set_missing(d, m, false, r);
		vs_strbuf_addf(&sb, "%s (%s) ", m->name, type_label(m));
		if (isolated(d, m)->v == VS_UNKNOWN)
			vs_strbuf_add(&sb, "has ACS registers that are not readable without root; the "
				      "kernel's grouping shows it does not isolate");
		else
			why_not_isolated(d, m, &sb);
		vs_strbuf_addf(&sb, ": devices below it can reach each other without passing the IOMMU, "
			       "so everything below %s shares its group", m->name);
		for (size_t i = 0; i < d->n; i++)
			if (d->nodes[i].culprit == m && d->nodes[i].inferred)
				r->inferred = true;
	} else if ((c = lone_dependency(d, m, B_OVERRIDE))) {
		r->code = VS_REASON_OVERRIDE_ISOLATED;
		r->culprit = c;
		vs_strbuf_addf(&sb, "split only because of the out-of-tree pcie_acs_override=%s, which "
			       "declares %s (%s) isolated: isolation NOT guaranteed by hardware, devices "
			       "can still reach each other without passing the IOMMU",
			       d->facts.override.value ? d->facts.override.value : "", c->name,
			       type_label(c));
	} else if ((c = lone_dependency(d, m, B_QUIRK))) {
		const struct iso *i = isolated(d, c);

		r->code = VS_REASON_QUIRK_ISOLATED;
		r->culprit = c;
		if (i->v == VS_UNKNOWN) {
			r->inferred = true;
			vs_strbuf_addf(&sb, "%s has no ACS capability; kernel quirk %s can declare it "
				       "isolated, and the kernel's grouping shows it did (%s)", c->name,
				       i->q.quirk->name, i->q.detail ? i->q.detail :
				       "the evidence could not be read");
		} else if (i->q.spt)
			vs_strbuf_addf(&sb, "%s is an Intel SPT/UPT root port whose ACS Control sits at +8 "
				       "(kernel quirk %s); read there it enforces SV+RR+CR+UF",
				       c->name, i->q.quirk->name);
		else
			vs_strbuf_addf(&sb, "%s %s, but kernel quirk %s declares it isolated%s%s",
				       c->name, c->pci->acs.present == VS_YES ?
				       "has no usable ACS" : "has no ACS capability", i->q.quirk->name,
				       i->q.detail ? ": " : "", i->q.detail ? i->q.detail : "");
	} else {
		r->code = VS_REASON_ISOLATED;
		vs_strbuf_add(&sb, "own group: ");
		path_text(d, m, &sb);
		vs_strbuf_addf(&sb, "; no DMA alias; %s",
			       m->pci->is_vf ? "a VF (never multifunction)" :
			       !m->pci->multifunction ? "single function" :
			       "multifunction, with ACS between its functions");
		for (const struct vs_device *b = upstream(m); b; b = upstream(b))
			if (isolated(d, b)->v == VS_UNKNOWN)
				r->inferred = true;
	}
	if (sb.oom)
		return -ENOMEM;
	r->text = vs_strbuf_detach(&sb);
	return r->text ? 0 : -ENOMEM;
}

/* ---- unexplained: likely causes ---- */

static bool below(const struct vs_device *x, const struct vs_device *anc)
{
	for (const struct vs_device *p = x->parent; p; p = p->parent)
		if (p == anc)
			return true;
	return false;
}

/* A kernel group holding two or more downstream ports of one switch and what is below them. */
static const struct vs_device *switch_wide(const struct vs_group *g)
{
	for (size_t i = 0; i < g->n_members; i++) {
		const struct vs_device *a = g->members[i], *usp;
		size_t ports = 0;
		bool all_below = true;

		if (!a->pci || a->pci->port_type != VS_PORT_DOWNSTREAM || !a->parent)
			continue;
		usp = a->parent;
		for (size_t j = 0; j < g->n_members; j++) {
			const struct vs_device *b = g->members[j];

			if (b->parent == usp && b->pci && b->pci->port_type == VS_PORT_DOWNSTREAM)
				ports++;
			if (!below(b, usp))
				all_below = false;
		}
		if (ports >= 2 && all_below)
			return usp;
	}
	return NULL;
}

static char *unexplained_causes(const struct vs_diag *d, const struct vs_device *m,
				const struct vs_group *g, const struct devlist *pred)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	bool larger = false, smaller = false;
	const struct vs_device *usp;

	for (size_t i = 0; i < g->n_members; i++)
		if (!dl_has(pred, g->members[i]))
			larger = true;
	for (size_t i = 0; i < pred->n; i++) {
		bool in = false;

		for (size_t j = 0; j < g->n_members; j++)
			if (g->members[j] == pred->v[i])
				in = true;
		if (!in)
			smaller = true;
	}
	vs_strbuf_addf(&sb, "the kernel grouped %s differently than the %s rules predict (they "
		       "predict {", m->name, VS_QUIRKS_KERNEL_VERSION);
	add_dev_list(&sb, pred->v, pred->n);
	vs_strbuf_add(&sb, "}); likely cause: ");
	if (larger) {
		if ((usp = switch_wide(g))) {
			vs_strbuf_addf(&sb, "switch-wide group (post-2025 grouping policy): the kernel has the "
				       "2025 pcie_switch_groups rework (not in 6.18; carried by vendor "
				       "kernels such as Ubuntu linux-nvidia), which groups everything below "
				       "switch %s when its ports lack ACS", usp->name);
		} else {
			if (d->facts.ivrs == VS_YES)
				vs_strbuf_add(&sb, "an IVRS alias from the ACPI tables (AMD IOMMU); ");
			vs_strbuf_addf(&sb, "a DMA-alias quirk newer than the %s table (look for \"Enabling "
				       "fixed DMA alias\" in the kernel log); ACS enabled after boot "
				       "(groups are computed once, at boot); probe order",
				       VS_QUIRKS_KERNEL_VERSION);
		}
	}
	if (smaller) {
		if (larger)
			vs_strbuf_add(&sb, "; and it is split where the rules join: ");
		if (d->facts.kmsg.override_warning && !d->facts.override.present)
			vs_strbuf_add(&sb, "pcie_acs_override is active (kernel log: \"PCIe ACS overrides "
				      "enabled\") though not on this command line; ");
		for (size_t i = 0; i < pred->n; i++) {
			const struct vs_device *p = pred->v[i];
			bool in = false;

			for (size_t j = 0; j < g->n_members; j++)
				if (g->members[j] == p)
					in = true;
			if (!in && p->pci && p->pci->port_type == VS_PORT_PCIE_TO_PCI) {
				vs_strbuf_add(&sb, "the 2025 switch-group rework leaves PCIe-to-PCI bridges "
					      "out of their group; ");
				break;
			}
		}
		vs_strbuf_addf(&sb, "an ACS quirk newer than the %s table or a vendor kernel patch; ACS "
			       "bits changed since boot", VS_QUIRKS_KERNEL_VERSION);
	}
	if (sb.oom)
		return NULL;
	return vs_strbuf_detach(&sb);
}

/* ---- peer-to-peer reach (E1) ---- */

static void p2p_collect(const struct vs_diag *d, const struct vs_device *x,
			const struct vs_device *sub, struct devlist *out)
{
	if (is_pci(d, sub) && !vs_pci_is_bridge(sub) && sub != x &&
	    !(x->iommu_group >= 0 && sub->iommu_group == x->iommu_group))
		dl_add(out, sub);
	for (size_t i = 0; i < sub->n_children; i++)
		p2p_collect(d, x, sub->children[i], out);
}

static void p2p_peers(const struct vs_diag *d, const struct vs_device *x, struct devlist *out,
		      bool *unknown)
{
	const struct vs_device *a, *u;

	for (a = upstream(x); a; a = upstream(a)) {
		enum vs_tristate va;

		u = upstream(a);
		if (!u)
			break;	/* the root bus counts as isolating */
		va = isolated(d, a)->v;
		for (size_t i = 0; i < u->n_children; i++) {
			const struct vs_device *s = u->children[i];
			enum vs_tristate vs_;

			if (s == a || !is_pci(d, s))
				continue;
			vs_ = vs_pci_is_bridge(s) ? isolated(d, s)->v : VS_NO;
			if (va == VS_UNKNOWN || vs_ == VS_UNKNOWN) {
				*unknown = true;
				continue;
			}
			if (va == VS_NO || vs_ == VS_NO)
				p2p_collect(d, x, s, out);
		}
	}
	dl_sort(out);
}

/* ---- remedies ---- */

static int add_remedy(struct vs_explain *ex, enum vs_remedy_kind kind, bool safe,
		      char *param, char *text)
{
	struct vs_remedy *nr;

	if (!text) {
		free(param);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ex->n_remedies; i++)
		if (ex->remedies[i].kind == kind && vs_streq(ex->remedies[i].text, text)) {
			free(param);
			free(text);
			return 0;
		}
	nr = realloc(ex->remedies, (ex->n_remedies + 1) * sizeof(*nr));
	if (!nr) {
		free(param);
		free(text);
		return -ENOMEM;
	}
	ex->remedies = nr;
	nr[ex->n_remedies].kind = kind;
	nr[ex->n_remedies].safe = safe;
	nr[ex->n_remedies].param = param;
	nr[ex->n_remedies].text = text;
	ex->n_remedies++;
	return 0;
}

static char *config_acs_bits(uint16_t missing)
{
	char s[8];

	for (int bit = 6; bit >= 0; bit--)
		s[6 - bit] = (missing & (1u << bit)) ? '1' : 'x';
	s[7] = '\0';
	return strdup(s);
}

/*
 * Where else a card could go: below a root or downstream port whose path
 * enforces ACS (the card gets a group of its own), else below a port whose
 * would-be group holds no endpoint today (the card shares it only with
 * bridges, which stay on pcieport and keep the group viable).
 */
static bool subtree_has_endpoint(const struct vs_device *b)
{
	for (size_t i = 0; i < b->n_children; i++) {
		const struct vs_device *c = b->children[i];

		if (!vs_pci_is_bridge(c) || subtree_has_endpoint(c))
			return true;
	}
	return false;
}

static int remedy_other_slot(const struct vs_diag *d, struct vs_explain *ex,
			     const struct vs_device *culprit)
{
	struct vs_strbuf alone = VS_STRBUF_INIT, bridges = VS_STRBUF_INIT;
	size_t n_alone = 0, n_bridges = 0;
	bool unknown = false;
	char *t = NULL;
	int rc;

	for (size_t i = 0; i < d->n; i++) {
		const struct vs_device *p = d->topo->devices[i];
		const struct vs_device *h;
		bool inf = false, mine = false;

		if (p->pci->pcie != VS_YES || (p->pci->port_type != VS_PORT_ROOT_PORT &&
					       p->pci->port_type != VS_PORT_DOWNSTREAM)) {
			if (p->pci->pcie == VS_UNKNOWN && vs_pci_is_bridge(p))
				unknown = true;
			continue;
		}
		if (p == culprit || below(p, culprit))
			continue;
		for (size_t k = 0; k < ex->n_members; k++)
			if (ex->members[k] == p)
				mine = true;
		if (mine)
			continue;
		switch (path_isolated(d, p)) {
		case VS_UNKNOWN:
			unknown = true;
			break;
		case VS_YES:
			if (n_alone < 6)
				vs_strbuf_addf(&alone, "%s%s (%s, %s%s)", n_alone ? ", " : "", p->name,
					       type_label(p), p->n_children ? "holds " : "empty",
					       p->n_children ? p->children[0]->name : "");
			n_alone++;
			break;
		case VS_NO:
			h = p;
			for (const struct vs_device *b = upstream(p); b; b = upstream(b))
				if (path_open(d, p, b, &inf))
					h = b;
			if (!subtree_has_endpoint(h) && n_bridges < 6) {
				vs_strbuf_addf(&bridges, "%s%s (%s, empty)", n_bridges ? ", " : "", p->name,
					       type_label(p));
				n_bridges++;
			}
			break;
		}
	}
	if (n_alone || n_bridges) {
		if (asprintf(&t, "move the card to another slot: %s%s%s%s%s",
			     n_alone ? "below a port whose path enforces ACS it gets its own group: " : "",
			     vs_strbuf_cstr(&alone), n_alone && n_bridges ? "; " : "",
			     n_bridges ? "below a port without ACS but with no other endpoint, the "
			     "card's group holds only bridges, which stay on pcieport: " : "",
			     vs_strbuf_cstr(&bridges)) < 0)
			t = NULL;
	} else {
		t = strdup(unknown ? "a slot below a port that enforces ACS would give the card its own "
			   "group; which ports do cannot be read without root" :
			   "a slot below a port that enforces ACS would give the card its own group, "
			   "but no such port, and no empty port, was found on this system");
	}
	vs_strbuf_release(&alone);
	vs_strbuf_release(&bridges);
	rc = add_remedy(ex, VS_REMEDY_OTHER_SLOT, true, NULL, t);
	return rc;
}

static int remedies_for_culprit(const struct vs_diag *d, struct vs_explain *ex,
				const struct vs_device *c, bool mfd, struct vs_strbuf *override_ids)
{
	const struct iso *i = isolated(d, c);
	char *t = NULL, *param = NULL, *bits;
	int r = 0;

	if (i->v != VS_NO)
		return 0;
	if ((i->b == B_REGS || (i->b == B_QUIRK && c->pci->acs.present == VS_YES && !i->q.spt)) &&
	    i->missing) {
		char *names = vs_acs_flags_text(i->missing, "+");

		bits = config_acs_bits(i->missing);
		if (bits && asprintf(&param, "pci=config_acs=%s@%s", bits, c->name) < 0)
			param = NULL;
		if (asprintf(&t, "%s has an ACS capability with %s turned off: kernels from 2024 on "
			     "(pci=config_acs, bit order DT EC UF CR RR TB SV; fixed for several "
			     "devices in 6.15) can turn them on at boot; groups are computed at boot, so "
			     "reboot", c->name, names ? names : "bits") < 0)
			t = NULL;
		free(names);
		free(bits);
		r = add_remedy(ex, VS_REMEDY_CONFIG_ACS, true, param, t);
	} else if (i->b == B_QUIRK && i->q.spt) {
		if (asprintf(&t, "%s is an Intel SPT/UPT root port: the kernel's SPT quirk enables its "
			     "ACS at +8 at boot unless firmware or pci=disable_acs_redir turned bits "
			     "off; check for pci=disable_acs_redir on the command line", c->name) < 0)
			t = NULL;
		r = add_remedy(ex, VS_REMEDY_KERNEL_QUIRK, true, NULL, t);
	} else if (i->b == B_QUIRK && i->q.quirk && i->q.quirk->kind == VS_ACSQ_INTEL_PCH) {
		if (asprintf(&t, "%s is an Intel PCH root port covered by the kernel's ACS quirk, %s; a "
			     "firmware update or setting that leaves the chipset's RCBA enabled lets the "
			     "quirk work", c->name, i->q.detail ? i->q.detail : "which did not apply") < 0)
			t = NULL;
		r = add_remedy(ex, VS_REMEDY_KERNEL_QUIRK, true, NULL, t);
	} else if (i->b == B_NO_CAP || (i->b == B_QUIRK && c->pci->acs.present == VS_NO)) {
		if (asprintf(&t, "%s (%04x:%04x) has no ACS capability and the kernel %s quirk table has "
			     "no entry for it; pci=config_acs cannot add a capability. Only a kernel "
			     "with an ACS quirk for it (pci_dev_acs_enabled[] in drivers/pci/quirks.c, "
			     "after the vendor confirms %s) would split the group: check a newer "
			     "kernel or ask the vendor", c->name, c->pci->vendor, c->pci->device,
			     VS_QUIRKS_KERNEL_VERSION,
			     mfd ? "its functions do no peer-to-peer" :
			     "the port blocks peer-to-peer") < 0)
			t = NULL;
		r = add_remedy(ex, VS_REMEDY_KERNEL_QUIRK, true, NULL, t);
	}
	if (r < 0)
		return r;
	/* the override only claims isolation for PCIe devices without an ACS capability */
	if (c->pci->pcie == VS_YES && c->pci->acs.present == VS_NO) {
		char id[16];

		snprintf(id, sizeof(id), "id:%04x:%04x", c->pci->vendor, c->pci->device);
		if (!strstr(vs_strbuf_cstr(override_ids), id))
			vs_strbuf_addf(override_ids, "%s%s", override_ids->len ? "," : "", id);
	}
	return 0;
}

static int build_remedies(const struct vs_diag *d, struct vs_explain *ex)
{
	struct vs_strbuf ids = VS_STRBUF_INIT;
	bool slot_done = false;
	int r = 0;

	for (size_t k = 0; k < ex->n_reasons && r >= 0; k++) {
		const struct vs_reason *re = &ex->reasons[k];

		switch (re->code) {
		case VS_REASON_NO_ACS_UPSTREAM:
			if (!slot_done) {
				r = remedy_other_slot(d, ex, re->culprit);
				slot_done = true;
			}
			if (r >= 0 && re->culprit)
				r = remedies_for_culprit(d, ex, re->culprit, false, &ids);
			break;
		case VS_REASON_MFD_NO_ACS:
			if (re->culprit)
				r = remedies_for_culprit(d, ex, re->culprit, true, &ids);
			if (r >= 0)
				r = remedies_for_culprit(d, ex, re->device, true, &ids);
			break;
		case VS_REASON_BRIDGE_ALIAS:
			r = add_remedy(ex, VS_REMEDY_NO_SOFTWARE_FIX, true, NULL,
				       strdup("devices behind a PCIe-to-PCI or conventional PCI bridge "
					      "share a requester ID: no kernel option splits them (the "
					      "override cannot either); only a card in a PCIe slot that "
					      "is not behind the bridge gets its own group"));
			break;
		case VS_REASON_DMA_ALIAS_QUIRK:
			r = add_remedy(ex, VS_REMEDY_NO_SOFTWARE_FIX, true, NULL,
				       strdup("the hardware issues DMA with another function's requester "
					      "ID: nothing in software splits these functions; pass them "
					      "together"));
			break;
		case VS_REASON_REAL_DMA_DEV:
			r = add_remedy(ex, VS_REMEDY_DISABLE_VMD, true, NULL,
				       strdup("turn Intel VMD off in the firmware setup (often called "
					      "\"VMD controller\" or the RAID/RST storage mode): the "
					      "devices then appear in their own PCI domain with their "
					      "own requester IDs"));
			break;
		case VS_REASON_FSLMC_CONTAINER:
			r = add_remedy(ex, VS_REMEDY_FSLMC_CONTAINER, true, NULL,
				       strdup("create a DPRC container holding only the objects the VM "
					      "needs (restool dprc create / dprc assign) and pass that "
					      "container with vfio-fsl-mc"));
			break;
		default:
			break;
		}
	}
	if (r >= 0 && ids.len) {
		char *param, *t;

		if (asprintf(&param, "pcie_acs_override=%s", vs_strbuf_cstr(&ids)) < 0)
			param = NULL;
		if (asprintf(&t, "UNSAFE, last resort: the out-of-tree pcie_acs_override patch (in "
			     "kernels such as linux-zen, CachyOS or Proxmox; not in mainline) makes the "
			     "kernel pretend these devices isolate (%s). Devices can still DMA to each "
			     "other without passing the IOMMU, so a guest could read or corrupt memory "
			     "of the host or another guest through them", vs_strbuf_cstr(&ids)) < 0)
			t = NULL;
		r = add_remedy(ex, VS_REMEDY_ACS_OVERRIDE, false, param, t);
	}
	vs_strbuf_release(&ids);
	return r;
}

/* ---- explain ---- */

static int cmp_remedy(const void *a, const void *b)
{
	const struct vs_remedy *x = a, *y = b;

	return (int)x->kind - (int)y->kind;
}

static int push_note(struct vs_explain *ex, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int push_note(struct vs_explain *ex, int r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (r < 0)
		return r;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (vs_strv_has(ex->notes, ex->n_notes, s)) {
		free(s);
		return 0;
	}
	r = vs_strv_push(&ex->notes, &ex->n_notes, s);
	free(s);
	return r;
}

static int explain_nonpci(const struct vs_diag *d, const struct vs_device *dev, struct vs_explain *ex)
{
	ex->reasons = calloc(ex->n_members ? ex->n_members : 1, sizeof(*ex->reasons));
	if (!ex->reasons)
		return -ENOMEM;
	for (size_t i = 0; i < ex->n_members; i++) {
		const struct vs_device *m = ex->members[i];
		struct vs_reason *r = &ex->reasons[ex->n_reasons++];
		int rc;

		r->device = m;
		if (m->bus == VS_BUS_FSL_MC) {
			/* fsl_mc_cont_dev(): a DPRC is its own container */
			const struct vs_device *c = m->mc && m->mc->container &&
				!vs_streq(m->mc->obj_type, "dprc") ? m->mc->container : m;

			r->code = VS_REASON_FSLMC_CONTAINER;
			r->culprit = c;
			rc = asprintf(&r->text, "member of fsl-mc container %s: every object of a DPRC "
				      "container shares the container's group", c->name);
		} else if (ex->n_members == 1) {
			r->code = VS_REASON_PLATFORM_OWN_GROUP;
			rc = asprintf(&r->text, "non-PCI device in its own group (the IOMMU driver gives "
				      "each %s device a group of its own)", vs_bus_name(m->bus));
		} else {
			r->code = VS_REASON_PLATFORM_SHARED;
			r->culprit = ex->members[i == 0 ? 1 : 0];
			rc = asprintf(&r->text, "shares its group with %s: the IOMMU sees them with a "
				      "shared stream ID or device ID (firmware description: DT "
				      "iommus / IORT / IVRS)", r->culprit->name);
		}
		if (rc < 0) {
			r->text = NULL;
			return -ENOMEM;
		}
	}
	(void)d;
	(void)dev;
	return 0;
}

static int add_hostcrit(const struct vs_diag *d, struct vs_explain *ex, const struct vs_device *m)
{
	for (size_t i = 0; d->hc && i < d->hc->n; i++) {
		struct vs_hostcrit *nh;

		if (d->hc->items[i].device != m)
			continue;
		nh = realloc(ex->host_critical, (ex->n_host_critical + 1) * sizeof(*nh));
		if (!nh)
			return -ENOMEM;
		ex->host_critical = nh;
		nh[ex->n_host_critical].device = m;
		nh[ex->n_host_critical].evidence = strdup(d->hc->items[i].evidence);
		if (!nh[ex->n_host_critical].evidence)
			return -ENOMEM;
		ex->n_host_critical++;
	}
	return 0;
}

static int unknown_facts(const struct vs_diag *d, struct vs_explain *ex, bool cfg_unknown,
			 bool log_needed, bool type_guessed)
{
	int r = 0;

	if (cfg_unknown) {
		r = vs_strv_push(&ex->unknown, &ex->n_unknown,
				 "ACS capability and control registers, and PCI Express port types: "
				 "config space past the first 64 bytes needs root (CAP_SYS_ADMIN)");
		if (r >= 0)
			r = vs_strv_push(&ex->unknown, &ex->n_unknown,
					 "still derived without root: the kernel's groups, the tree, "
					 "drivers and multifunction bits; a member that shares the "
					 "group of the bridge above it is tied by that bridge (missing "
					 "ACS or a bridge alias), taken from the kernel's grouping");
		if (r >= 0)
			r = vs_strv_push(&ex->unknown, &ex->n_unknown,
					 "to learn the rest, run as root (e.g. sudo vfioscope explain "
					 "DEVICE)");
	}
	if (r >= 0 && type_guessed)
		r = vs_strv_push(&ex->unknown, &ex->n_unknown,
				 "the type of a bridge above (PCIe port or PCIe-to-PCI bridge) is not "
				 "readable; without pcieport bound to it, a bridge alias cannot be "
				 "told from a port without ACS");
	if (r >= 0 && log_needed)
		r = vs_strv_pushf(&ex->unknown, &ex->n_unknown,
				  "the kernel log (%s): it holds the evidence of the Intel PCH ACS "
				  "quirk and DMA-alias lines; readable by root or with CAP_SYSLOG",
				  d->facts.kmsg.why_unreadable ? d->facts.kmsg.why_unreadable :
				  "boot messages no longer in the ring buffer");
	return r;
}

int vs_diag_explain(const struct vs_diag *d, const struct vs_device *dev,
		    struct vs_explain **out, struct vs_err *err)
{
	struct vs_explain *ex;
	struct devlist members = DEVLIST_INIT, pred = DEVLIST_INIT, peers = DEVLIST_INIT;
	const struct vs_group *g;
	bool cfg_unknown = false, log_needed = false, type_guessed = false, peers_unknown = false;
	bool pci;
	int r = 0;

	*out = NULL;
	if (!dev || dev->index >= d->topo->n_devices || d->topo->devices[dev->index] != dev)
		return vs_err_set(err, -EINVAL, "device is not part of this topology");
	ex = calloc(1, sizeof(*ex));
	if (!ex)
		return vs_err_set(err, -ENOMEM, "out of memory");
	ex->device = dev;
	pci = is_pci(d, dev);
	g = vs_device_group(d->topo, dev);
	ex->group = g;
	if (g)
		for (size_t i = 0; i < g->n_members; i++)
			dl_add(&members, g->members[i]);
	dl_sort(&members);
	if (pci)
		predicted_of(d, dev, &pred);
	else
		for (size_t i = 0; i < members.n; i++)
			dl_add(&pred, members.v[i]);
	if (members.oom || pred.oom) {
		r = -ENOMEM;
		goto out;
	}
	ex->members = members.v;
	ex->n_members = members.n;
	members.v = NULL;
	ex->predicted = pred.v;
	ex->n_predicted = pred.n;
	pred.v = NULL;
	ex->splittable = g && g->n_members == 1 && !g->n_unknown_members;

	if (!pci) {
		ex->matches_kernel = VS_UNKNOWN;
		r = explain_nonpci(d, dev, ex);
		if (r >= 0)
			r = vs_arm_check(d->topo, d->dt, &dev, 1, &ex->findings, err) < 0 ? -ENOMEM : 0;
		if (r >= 0 && d->dt_error && dev->bus != VS_BUS_FSL_MC)
			r = push_note(ex, r, "%s; the findings that need the device tree are missing",
				      d->dt_error);
		goto finish;
	}

	ex->matches_kernel = g ? vs_diag_group_matches(d, g) : VS_UNKNOWN;
	{
		const struct vs_device *const *list = g ? ex->members : ex->predicted;
		size_t n = g ? ex->n_members : ex->n_predicted;
		struct devlist pl = DEVLIST_INIT;

		ex->reasons = calloc(n ? n : 1, sizeof(*ex->reasons));
		if (!ex->reasons) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n && r >= 0; i++) {
			const struct vs_device *m = list[i];
			struct vs_reason *re = &ex->reasons[ex->n_reasons];

			if (!is_pci(d, m)) {
				re->device = m;
				re->code = VS_REASON_UNEXPLAINED;
				re->predicted = VS_REASON_UNEXPLAINED;
				if (asprintf(&re->text, "%s device in a PCI device's group: the rules for "
					     "PCI do not cover it", vs_bus_name(m->bus)) < 0) {
					re->text = NULL;
					r = -ENOMEM;
				}
				ex->n_reasons++;
				continue;
			}
			r = rule_reason(d, m, re);
			ex->n_reasons++;
			if (r < 0)
				break;
			if (m->pci->pcie == VS_UNKNOWN || isolated(d, m)->b == B_UNKNOWN)
				cfg_unknown = true;
			if (node_of(d, m)->type_guessed)
				type_guessed = true;
			if (g && !pred_matches_group(d, m, g)) {
				char *t;

				pl.n = 0;
				predicted_of(d, m, &pl);
				t = pl.oom ? NULL : unexplained_causes(d, m, g, &pl);
				if (!t) {
					r = -ENOMEM;
					break;
				}
				re->predicted = re->code;
				re->code = VS_REASON_UNEXPLAINED;
				re->culprit = NULL;
				re->missing = VS_MISSING_NONE;
				re->missing_flags = 0;
				free(re->text);
				re->text = t;
				if (switch_wide(g))
					r = push_note(ex, r, "switch-wide group (post-2025 grouping policy)");
			}
		}
		free(pl.v);
		if (r < 0)
			goto out;
	}

	/* which facts were missing along the way */
	for (size_t i = 0; i < ex->n_reasons; i++) {
		const struct vs_reason *re = &ex->reasons[i];
		const struct vs_device *c = re->culprit;

		if (c && is_pci(d, c)) {
			const struct iso *ci = isolated(d, c);

			if (ci->q.res == VS_QRES_UNKNOWN && ci->q.quirk &&
			    ci->q.quirk->kind == VS_ACSQ_INTEL_PCH)
				log_needed = true;
			if (ci->b == B_UNKNOWN)
				cfg_unknown = true;
			if (ci->q.spt)
				r = push_note(ex, r, "%s is an Intel SPT/UPT root port: its real ACS Control "
					      "is the dword at +8 (kernel quirk pci_quirk_intel_spt_pch_acs); "
					      "lspci's ACSCtl line is wrong for it", c->name);
			if (ci->trivial)
				r = push_note(ex, r, "%s advertises an ACS capability without any of "
					      "SV/RR/CR/UF: the kernel counts unimplemented controls as "
					      "hard-wired on, so it passes trivially", c->name);
		}
	}
	{
		struct vs_strbuf ov = VS_STRBUF_INIT;
		size_t n_ov = 0;

		for (const struct vs_device *b = upstream(dev); b; b = upstream(b))
			if (isolated(d, b)->v == VS_YES && isolated(d, b)->b == B_OVERRIDE)
				vs_strbuf_addf(&ov, "%s%s", n_ov++ ? ", " : "", b->name);
		if (n_ov)
			r = push_note(ex, r, "%s is separated from what is above it only because "
				      "pcie_acs_override declares %s isolated: NOT guaranteed by hardware",
				      dev->name, vs_strbuf_cstr(&ov));
		vs_strbuf_release(&ov);
	}
	for (const struct vs_device *b = upstream(dev); b; b = upstream(b)) {
		const struct iso *bi = isolated(d, b);

		if (bi->q.res == VS_QRES_UNKNOWN && bi->q.quirk &&
		    bi->q.quirk->kind == VS_ACSQ_INTEL_PCH)
			log_needed = true;
		if (bi->b == B_UNKNOWN)
			cfg_unknown = true;
		if (bi->trivial)
			r = push_note(ex, r, "%s advertises an ACS capability without any of "
				      "SV/RR/CR/UF: the kernel counts unimplemented controls as "
				      "hard-wired on, so it passes trivially", b->name);
	}
	if (d->facts.override.present)
		r = push_note(ex, r, "pcie_acs_override=%s is on the kernel command line (out-of-tree "
			      "patch): groups below devices without ACS are split by assertion, not "
			      "by hardware", d->facts.override.value);
	else if (d->facts.kmsg.override_warning)
		r = push_note(ex, r, "the kernel log says \"PCIe ACS overrides enabled\": groups may be "
			      "split by assertion, not by hardware");
	if (!d->topo->iommu)
		r = push_note(ex, r, "no IOMMU is active: there are no groups; the predicted group is "
			      "what the rules would give once the IOMMU is on (see vfioscope doctor)");
	else if (!g)
		r = push_note(ex, r, "%s has no IOMMU group: the IOMMU does not translate it, so it "
			      "cannot be assigned with VFIO", dev->name);
	if (r < 0)
		goto out;

	p2p_peers(d, dev, &peers, &peers_unknown);
	if (peers.oom) {
		r = -ENOMEM;
		goto out;
	}
	ex->p2p_peers = peers.v;
	ex->n_p2p_peers = peers.n;
	peers.v = NULL;
	if (ex->n_p2p_peers) {
		struct vs_strbuf sb = VS_STRBUF_INIT;

		add_dev_list(&sb, ex->p2p_peers, ex->n_p2p_peers);
		r = push_note(ex, r, "peer-to-peer: %s can reach %s inside a switch whose ports do not "
			      "redirect peer traffic (no ACS), although their groups differ; do not "
			      "give them to different VMs or leave one with the host if that matters",
			      dev->name, vs_strbuf_cstr(&sb));
		vs_strbuf_release(&sb);
	} else if (peers_unknown) {
		cfg_unknown = true;
	}
	if (r < 0)
		goto out;
	r = unknown_facts(d, ex, cfg_unknown, log_needed, type_guessed);
	if (r < 0)
		goto out;

finish:
	if (r < 0)
		goto out;
	for (size_t i = 0; i < ex->n_members && r >= 0; i++)
		r = add_hostcrit(d, ex, ex->members[i]);
	if (r >= 0 && !ex->splittable && g)
		r = build_remedies(d, ex);
	/* stable: within a kind, culprits keep the order of the members */
	for (size_t i = 1; r >= 0 && i < ex->n_remedies; i++)
		for (size_t k = i; k > 0 && cmp_remedy(&ex->remedies[k - 1], &ex->remedies[k]) > 0; k--) {
			struct vs_remedy t = ex->remedies[k];

			ex->remedies[k] = ex->remedies[k - 1];
			ex->remedies[k - 1] = t;
		}
out:
	free(members.v);
	free(pred.v);
	free(peers.v);
	if (r < 0) {
		vs_explain_free(ex);
		return vs_err_set(err, r, "cannot explain %s: %s", dev->name, strerror(-r));
	}
	*out = ex;
	return 0;
}

void vs_explain_free(struct vs_explain *ex)
{
	if (!ex)
		return;
	free(ex->members);
	free(ex->predicted);
	for (size_t i = 0; i < ex->n_reasons; i++)
		free(ex->reasons[i].text);
	free(ex->reasons);
	free(ex->p2p_peers);
	for (size_t i = 0; i < ex->n_host_critical; i++)
		free(ex->host_critical[i].evidence);
	free(ex->host_critical);
	for (size_t i = 0; i < ex->n_remedies; i++) {
		free(ex->remedies[i].param);
		free(ex->remedies[i].text);
	}
	free(ex->remedies);
	vs_strv_free(ex->unknown, ex->n_unknown);
	vs_strv_free(ex->notes, ex->n_notes);
	vs_arm_findings_release(&ex->findings);
	free(ex);
}

/* ---- selection check ---- */

static int sel_member(const struct vs_diag *d, struct vs_selection *sel, const struct vs_device *m,
		      bool selected)
{
	struct vs_selection_member *nm, *sm;
	const char *ev = vs_hostcrit_find(d->hc, m);
	int rc;

	for (size_t i = 0; i < sel->n_members; i++)
		if (sel->members[i].device == m)
			return 0;
	nm = realloc(sel->members, (sel->n_members + 1) * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	sel->members = nm;
	sm = &nm[sel->n_members++];
	memset(sm, 0, sizeof(*sm));
	sm->device = m;
	sm->group = m->iommu_group;
	if (ev) {
		sm->evidence = strdup(ev);
		if (!sm->evidence)
			return -ENOMEM;
	}
	if (ev) {
		sm->action = VS_ACTION_BLOCKED;
		rc = asprintf(&sm->text, "%s: the host needs it (%s)", selected ?
			      "selected, but cannot be taken from the host" :
			      "must come along or be unbound, but cannot", ev);
	} else if (selected) {
		sm->action = VS_ACTION_SELECTED;
		rc = asprintf(&sm->text, "selected: bind to %s", m->bus == VS_BUS_PCI ? "vfio-pci" :
			      m->bus == VS_BUS_PLATFORM ? "vfio-platform" :
			      m->bus == VS_BUS_AMBA ? "vfio-amba" : "vfio-fsl-mc");
	} else if (m->pci && vs_pci_is_bridge(m) && vs_driver_managed_dma(m->driver)) {
		sm->action = VS_ACTION_STAYS;
		rc = m->driver ? asprintf(&sm->text, "bridge on %s, which manages its own DMA: stays, "
					  "the group remains viable", m->driver) :
				 asprintf(&sm->text, "bridge without a driver: stays, the group remains viable");
	} else if (vs_driver_managed_dma(m->driver)) {
		sm->action = VS_ACTION_IDLE;
		rc = m->driver ? asprintf(&sm->text, "on %s: keeps the group viable, but no host driver "
					  "can use it while the VM runs", m->driver) :
				 asprintf(&sm->text, "no driver: keeps the group viable, but the host "
					  "cannot use it while the VM runs");
	} else {
		sm->action = VS_ACTION_UNBIND;
		rc = asprintf(&sm->text, "bound to %s, which uses the DMA API: must come along to the "
			      "VM or be unbound, or the group is not viable", m->driver);
	}
	if (rc < 0) {
		sm->text = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int cmp_member(const void *a, const void *b)
{
	const struct vs_selection_member *x = a, *y = b;

	return x->device->index < y->device->index ? -1 : x->device->index > y->device->index;
}

int vs_diag_select(const struct vs_diag *d, const struct vs_device *const *devs, size_t n,
		   struct vs_selection **out, struct vs_err *err)
{
	struct vs_selection *sel;
	struct devlist chosen = DEVLIST_INIT;
	int r = 0;

	*out = NULL;
	if (!n)
		return vs_err_set(err, -EINVAL, "no device selected");
	for (size_t i = 0; i < n; i++) {
		const struct vs_device *dev = devs[i];

		if (!dev || dev->index >= d->topo->n_devices || d->topo->devices[dev->index] != dev) {
			free(chosen.v);
			return vs_err_set(err, -EINVAL, "device is not part of this topology");
		}
		dl_add(&chosen, dev);
	}
	sel = calloc(1, sizeof(*sel));
	if (!sel || chosen.oom) {
		free(sel);
		free(chosen.v);
		return vs_err_set(err, -ENOMEM, "out of memory");
	}
	sel->selected = chosen.v;
	sel->n_selected = chosen.n;
	sel->safe = true;
	sel->explains = calloc(chosen.n, sizeof(*sel->explains));
	if (!sel->explains)
		r = -ENOMEM;

	for (size_t i = 0; i < sel->n_selected && r >= 0; i++) {
		const struct vs_device *dev = sel->selected[i];
		const struct vs_group *g = vs_device_group(d->topo, dev);
		struct vs_explain *ex = NULL;

		r = vs_diag_explain(d, dev, &ex, err);
		if (r < 0)
			break;
		sel->explains[sel->n_explains++] = ex;
		if (!g) {
			sel->safe = false;
			r = vs_strv_pushf(&sel->warnings, &sel->n_warnings, "%s has no IOMMU group: it "
					  "cannot be assigned with VFIO", dev->name);
			if (r >= 0)
				r = sel_member(d, sel, dev, true);
			continue;
		}
		for (size_t k = 0; k < g->n_members && r >= 0; k++) {
			const struct vs_device *m = g->members[k];

			r = sel_member(d, sel, m, dl_has(&chosen, m));
		}
		for (size_t k = 0; k < g->n_unknown_members && r >= 0; k++)
			r = vs_strv_pushf(&sel->warnings, &sel->n_warnings, "group %d also holds %s, which "
					  "vfioscope does not read: check it yourself", g->id,
					  g->unknown_members[k]);
		if (r >= 0 && dev->pci && vs_pci_is_bridge(dev))
			r = vs_strv_pushf(&sel->warnings, &sel->n_warnings, "%s is a bridge: vfio-pci "
					  "cannot bind it (header type 1); it stays on its driver",
					  dev->name);
		for (size_t k = 0; k < ex->n_p2p_peers && r >= 0; k++)
			if (!dl_has(&chosen, ex->p2p_peers[k]))
				r = vs_strv_pushf(&sel->warnings, &sel->n_warnings, "%s can reach %s "
						  "peer-to-peer inside a switch without ACS, and %s "
						  "is not in the selection: they are not isolated "
						  "from each other", dev->name, ex->p2p_peers[k]->name,
						  ex->p2p_peers[k]->name);
	}
	/*
	 * ARM findings once for the whole selection: a dependency selected too
	 * is then no finding, as it would be for each device alone.
	 */
	for (size_t i = 0; i < sel->n_explains; i++)
		vs_arm_findings_release(&sel->explains[i]->findings);
	if (r >= 0)
		r = vs_arm_check(d->topo, d->dt, sel->selected, sel->n_selected, &sel->findings,
				 err) < 0 ? -ENOMEM : 0;
	if (r >= 0) {
		for (size_t i = 0; i < sel->n_members; i++)
			if (sel->members[i].action == VS_ACTION_BLOCKED)
				sel->safe = false;
		if (sel->n_members > 1)
			qsort(sel->members, sel->n_members, sizeof(*sel->members), cmp_member);
	}
	if (r < 0) {
		vs_selection_free(sel);
		if (err && !err->code)
			vs_err_set(err, r, "cannot check the selection: %s", strerror(-r));
		return r;
	}
	*out = sel;
	return 0;
}

void vs_selection_free(struct vs_selection *sel)
{
	if (!sel)
		return;
	free(sel->selected);
	for (size_t i = 0; i < sel->n_members; i++) {
		free(sel->members[i].evidence);
		free(sel->members[i].text);
	}
	free(sel->members);
	vs_strv_free(sel->warnings, sel->n_warnings);
	for (size_t i = 0; i < sel->n_explains; i++)
		vs_explain_free(sel->explains[i]);
	free(sel->explains);
	vs_arm_findings_release(&sel->findings);
	free(sel);
}
