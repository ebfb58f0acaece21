// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dependency closure: what seed 001 did "in several passes" by reading
 * the whole host tree. Breadth first from the devices to pass: every phandle
 * reference of a node (and of the nodes inside it) is followed; a referenced
 * node brings its subtree and the ancestors that provide it (the SCU above
 * its power-domain and clock children) up to the nearest bus. Interrupt
 * controllers, MSI controllers and IOMMUs end the walk: the VM has its own.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/dt.h"
#include "dt-internal.h"

struct cstate {
	const struct vs_dt *dt;
	struct vs_dt_closure *c;
	size_t *slot;		/* per node index: dep index + 1, 0 when absent */
	bool *passed;		/* per node index: a start node or inside one */
	const struct vs_dt_node *const *start;
	size_t n_start;
	size_t alloc;
	/* reverse references: for node i, referrers[rev_off[i] .. rev_off[i+1]) */
	size_t *rev_off;
	const struct vs_dt_node **referrers;
};

const char *vs_dt_dep_kind_name(enum vs_dt_dep_kind kind)
{
	switch (kind) {
	case VS_DT_DEP_DEVICE: return "device";
	case VS_DT_DEP_PART: return "part";
	case VS_DT_DEP_REF: return "reference";
	case VS_DT_DEP_CONTAINER: return "container";
	}
	return "?";
}

const char *vs_dt_dep_role_name(enum vs_dt_dep_role role)
{
	switch (role) {
	case VS_DT_ROLE_PASSED: return "passed";
	case VS_DT_ROLE_COPY: return "copy";
	case VS_DT_ROLE_VM: return "vm";
	case VS_DT_ROLE_PASS_TOO: return "pass-too";
	case VS_DT_ROLE_HOST_SHARED: return "host-shared";
	}
	return "?";
}

static bool is_vm_node(const struct vs_dt_node *n)
{
	return vs_dt_is_gic(n) || n->msi_controller || n->iommu_provider;
}

static bool has_mmio(const struct vs_dt_node *n)
{
	size_t i;

	for (i = 0; i < n->n_reg; i++)
		if (n->reg[i].mmio)
			return true;
	return false;
}

static int add_dep(struct cstate *s, const struct vs_dt_node *n, enum vs_dt_dep_kind kind,
		   const struct vs_dt_node *from, const char *prop, unsigned depth)
{
	struct vs_dt_closure *c = s->c;
	struct vs_dt_dep *nd, *d;

	if (s->slot[n->index])
		return 0;
	if (c->n_deps == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 32;
		nd = realloc(c->deps, s->alloc * sizeof(*nd));
		if (!nd)
			return -ENOMEM;
		c->deps = nd;
	}
	d = &c->deps[c->n_deps];
	memset(d, 0, sizeof(*d));
	d->node = n;
	d->kind = kind;
	d->from = from;
	d->prop = prop;
	d->depth = depth;
	s->slot[n->index] = ++c->n_deps;
	return 0;
}

static int add_subtree(struct cstate *s, const struct vs_dt_node *top,
		       const struct vs_dt_node *n, unsigned depth)
{
	size_t i;
	int r;

	for (i = 0; i < n->n_children; i++) {
		r = add_dep(s, n->children[i], VS_DT_DEP_PART, top, NULL, depth);
		if (r == 0)
			r = add_subtree(s, top, n->children[i], depth);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A node without compatible directly under a bus only groups its children. */
static bool is_grouping(const struct vs_dt_node *n)
{
	return !n->n_compatible && n->parent && vs_dt_is_bus(n->parent);
}

static int add_target(struct cstate *s, const struct vs_dt_node *t,
		      const struct vs_dt_node *from, const char *prop, unsigned depth)
{
	const struct vs_dt_node *a;
	int r;

	if (!t || !t->parent || s->slot[t->index])
		return 0;
	r = add_dep(s, t, VS_DT_DEP_REF, from, prop, depth);
	if (r < 0 || is_vm_node(t))
		return r;
	r = add_subtree(s, t, t, depth);
	for (a = t->parent; r == 0 && a && !vs_dt_is_bus(a) && !is_grouping(a); a = a->parent) {
		if (s->slot[a->index])
			break;
		r = add_dep(s, a, VS_DT_DEP_CONTAINER, t, NULL, depth);
	}
	return r;
}

static int follow(struct cstate *s, size_t di)
{
	const struct vs_dt_dep d = s->c->deps[di];
	const struct vs_dt_node *n = d.node;
	bool explicit_parent = false;
	size_t i;
	int r;

	if (d.kind != VS_DT_DEP_DEVICE && is_vm_node(n))
		return 0;
	for (i = 0; i < n->n_refs; i++) {
		if (strcmp(n->refs[i].prop, "interrupt-parent") == 0)
			explicit_parent = true;
		r = add_target(s, n->refs[i].target, n, n->refs[i].prop, d.depth + 1);
		if (r < 0)
			return r;
	}
	/* An inherited interrupt parent is a dependency too. */
	if (!explicit_parent) {
		for (i = 0; i < n->n_irqs; i++) {
			r = add_target(s, n->irqs[i].ctrl, n, "interrupts", d.depth + 1);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int build_reverse(struct cstate *s)
{
	const struct vs_dt *dt = s->dt;
	size_t i, j, total = 0, *fill;
	const struct vs_dt_node *t;

	s->rev_off = calloc(dt->n_nodes + 1, sizeof(*s->rev_off));
	if (!s->rev_off)
		return -ENOMEM;
	for (i = 0; i < dt->n_nodes; i++)
		for (j = 0; j < dt->nodes[i]->n_refs; j++)
			if ((t = dt->nodes[i]->refs[j].target)) {
				s->rev_off[t->index + 1]++;
				total++;
			}
	for (i = 0; i < dt->n_nodes; i++)
		s->rev_off[i + 1] += s->rev_off[i];
	s->referrers = calloc(total ? total : 1, sizeof(*s->referrers));
	fill = calloc(dt->n_nodes ? dt->n_nodes : 1, sizeof(*fill));
	if (!s->referrers || !fill) {
		free(fill);
		return -ENOMEM;
	}
	for (i = 0; i < dt->n_nodes; i++)
		for (j = 0; j < dt->nodes[i]->n_refs; j++)
			if ((t = dt->nodes[i]->refs[j].target))
				s->referrers[s->rev_off[t->index] + fill[t->index]++] = dt->nodes[i];
	free(fill);
	return 0;
}

static bool inside(const struct vs_dt_node *n, const struct vs_dt_node *top)
{
	for (; n; n = n->parent)
		if (n == top)
			return true;
	return false;
}

/*
 * An enabled node outside the closure that depends on @d: through a
 * reference to @d or to a node inside it, directly or through closure
 * nodes that are themselves used (lsio_mu1 <- scu <- pd <- usdhc1).
 */
static int find_host_user(struct cstate *s, const struct vs_dt_node *d,
			  const struct vs_dt_node **out)
{
	const struct vs_dt *dt = s->dt;
	const struct vs_dt_node **queue, *y, *z, *x;
	bool *seen;
	size_t head = 0, tail = 0, i, k;

	*out = NULL;
	queue = calloc(dt->n_nodes, sizeof(*queue));
	seen = calloc(dt->n_nodes, sizeof(*seen));
	if (!queue || !seen) {
		free(queue);
		free(seen);
		return -ENOMEM;
	}
	queue[tail++] = d;
	seen[d->index] = true;
	while (head < tail && !*out) {
		y = queue[head++];
		/* y and its subtree: nodes with indices y->index .. end of subtree */
		for (i = y->index; i < dt->n_nodes && !*out; i++) {
			z = dt->nodes[i];
			if (!inside(z, y))
				break;
			for (k = s->rev_off[z->index]; k < s->rev_off[z->index + 1]; k++) {
				x = s->referrers[k];
				if (inside(x, y) || s->passed[x->index] || !x->enabled ||
				    seen[x->index])
					continue;
				seen[x->index] = true;
				if (s->slot[x->index]) {
					queue[tail++] = x;
					continue;
				}
				*out = x;
				break;
			}
		}
	}
	free(queue);
	free(seen);
	return 0;
}

static bool share_compatible(const struct vs_dt_node *a, const struct vs_dt_node *b)
{
	size_t i;

	for (i = 0; i < a->n_compatible; i++)
		if (vs_dt_is_compatible(b, a->compatible[i]))
			return true;
	return false;
}

static int assign_roles(struct cstate *s)
{
	struct vs_dt_closure *c = s->c;
	struct vs_dt_dep *d;
	size_t i, k;
	int r;

	for (i = 0; i < c->n_deps; i++) {
		d = &c->deps[i];
		if (s->passed[d->node->index])
			d->role = VS_DT_ROLE_PASSED;
		else if (is_vm_node(d->node))
			d->role = VS_DT_ROLE_VM;
		else if (!has_mmio(d->node))
			d->role = VS_DT_ROLE_COPY;
		else {
			r = find_host_user(s, d->node, &d->host_user);
			if (r < 0)
				return r;
			d->role = d->host_user ? VS_DT_ROLE_HOST_SHARED : VS_DT_ROLE_PASS_TOO;
		}
		if (d->role != VS_DT_ROLE_HOST_SHARED)
			continue;
		for (k = 0; k < s->n_start; k++) {
			if (s->start[k] != d->node && share_compatible(d->node, s->start[k])) {
				d->replacement = s->start[k];
				break;
			}
		}
	}
	return 0;
}

static int find_users(struct cstate *s)
{
	const struct vs_dt *dt = s->dt;
	struct vs_dt_closure *c = s->c;
	const struct vs_dt_node *x, *t, *dev;
	struct vs_dt_user *nu;
	size_t i, j, k;

	for (i = 0; i < dt->n_nodes; i++) {
		x = dt->nodes[i];
		if (s->passed[x->index] || !x->enabled)
			continue;
		for (j = 0; j < x->n_refs; j++) {
			t = x->refs[j].target;
			if (!t || !s->passed[t->index])
				continue;
			for (dev = NULL, k = 0; k < s->n_start && !dev; k++)
				if (inside(t, s->start[k]))
					dev = s->start[k];
			nu = realloc(c->users, (c->n_users + 1) * sizeof(*nu));
			if (!nu)
				return -ENOMEM;
			c->users = nu;
			nu[c->n_users].node = x;
			nu[c->n_users].prop = x->refs[j].prop;
			nu[c->n_users].device = dev;
			c->n_users++;
			break;
		}
	}
	return 0;
}

int vs_dt_closure(const struct vs_dt *dt, const struct vs_dt_node *const *start,
		  size_t n_start, struct vs_dt_closure **out, struct vs_err *err)
{
	struct cstate s = { .dt = dt, .start = start, .n_start = n_start };
	size_t i, k;
	int r = 0;

	*out = NULL;
	s.c = calloc(1, sizeof(*s.c));
	s.slot = calloc(dt->n_nodes + 1, sizeof(*s.slot));
	s.passed = calloc(dt->n_nodes + 1, sizeof(*s.passed));
	if (!s.c || !s.slot || !s.passed)
		r = -ENOMEM;
	for (i = 0; r == 0 && i < n_start; i++)
		for (k = start[i]->index; k < dt->n_nodes && inside(dt->nodes[k], start[i]); k++)
			s.passed[k] = true;
	for (i = 0; r == 0 && i < n_start; i++) {
		r = add_dep(&s, start[i], VS_DT_DEP_DEVICE, NULL, NULL, 0);
		if (r == 0)
			r = add_subtree(&s, start[i], start[i], 0);
	}
	for (i = 0; r == 0 && i < s.c->n_deps; i++)
		r = follow(&s, i);
	if (r == 0)
		r = build_reverse(&s);
	if (r == 0)
		r = assign_roles(&s);
	if (r == 0)
		r = find_users(&s);
	free(s.slot);
	free(s.passed);
	free(s.rev_off);
	free(s.referrers);
	if (r < 0) {
		vs_dt_closure_free(s.c);
		return vs_err_set(err, r, "out of memory");
	}
	*out = s.c;
	return 0;
}

const struct vs_dt_dep *vs_dt_closure_find(const struct vs_dt_closure *c,
					   const struct vs_dt_node *node)
{
	size_t i;

	for (i = 0; i < c->n_deps; i++)
		if (c->deps[i].node == node)
			return &c->deps[i];
	return NULL;
}

void vs_dt_closure_free(struct vs_dt_closure *c)
{
	if (!c)
		return;
	free(c->deps);
	free(c->users);
	free(c);
}
