// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device tree loading and parsing: the blob is checked with fdt_check_full()
 * before anything else reads it, then unflattened into owned nodes, then
 * every node's reg, interrupts and phandle references are decoded against
 * the whole tree (the providers' #x-cells are needed for that).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>

#include "vfioscope/dt.h"
#include "dt-internal.h"

#define BLOB_MAX (64u * 1024u * 1024u)

ssize_t vs_dt_read_file(int dirfd, const char *rel, unsigned char **out)
{
	return vs_read_file(dirfd, rel, BLOB_MAX, (char **)out);
}

/* ------------------------------------------------------------------ */

uint32_t vs_dt_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int vs_dt_node_problem(struct vs_dt_node *n, const char *fmt, ...)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	char **np;
	va_list ap;

	va_start(ap, fmt);
	vs_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	np = realloc(n->problems, (n->n_problems + 1) * sizeof(*np));
	if (!np) {
		vs_strbuf_release(&sb);
		return -ENOMEM;
	}
	n->problems = np;
	n->problems[n->n_problems] = vs_strbuf_detach(&sb);
	if (!n->problems[n->n_problems])
		return -ENOMEM;
	n->n_problems++;
	return 0;
}

static void node_free(struct vs_dt_node *n)
{
	size_t i;

	if (!n)
		return;
	free(n->name);
	free(n->path);
	free(n->label);
	free(n->children);
	for (i = 0; i < n->n_props; i++) {
		free(n->props[i].name);
		free(n->props[i].val);
	}
	free(n->props);
	for (i = 0; i < n->n_compatible; i++)
		free(n->compatible[i]);
	free(n->compatible);
	free(n->reg);
	for (i = 0; i < n->n_irqs; i++)
		free(n->irqs[i].cells);
	free(n->irqs);
	for (i = 0; i < n->n_refs; i++)
		free(n->refs[i].args);
	free(n->refs);
	for (i = 0; i < n->n_problems; i++)
		free(n->problems[i]);
	free(n->problems);
	free(n);
}

void vs_dt_free(struct vs_dt *dt)
{
	struct vs_dt_priv *priv;
	size_t i;

	if (!dt)
		return;
	for (i = 0; i < dt->n_nodes; i++)
		node_free(dt->nodes[i]);
	free(dt->nodes);
	free(dt->source);
	priv = dt->priv;
	if (priv) {
		free(priv->by_phandle);
		free(priv);
	}
	free(dt);
}

static int add_node(struct vs_dt *dt, struct vs_dt_node *parent, const char *name,
		    struct vs_dt_node **out)
{
	struct vs_dt_node *n, **nn;
	int r;

	*out = NULL;
	if (dt->n_nodes % 64 == 0) {
		nn = realloc(dt->nodes, (dt->n_nodes + 64) * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		dt->nodes = nn;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->name = strdup(name);
	if (!parent)
		r = asprintf(&n->path, "/");
	else if (!parent->parent)
		r = asprintf(&n->path, "/%s", name);
	else
		r = asprintf(&n->path, "%s/%s", parent->path, name);
	if (r < 0)
		n->path = NULL;
	if (!n->name || !n->path) {
		node_free(n);
		return -ENOMEM;
	}
	if (parent) {
		nn = realloc(parent->children, (parent->n_children + 1) * sizeof(*nn));
		if (!nn) {
			node_free(n);
			return -ENOMEM;
		}
		parent->children = nn;
		parent->children[parent->n_children++] = n;
		n->depth = parent->depth + 1;
	}
	n->parent = parent;
	n->index = dt->n_nodes;
	dt->nodes[dt->n_nodes++] = n;
	*out = n;
	return 0;
}

static int add_prop(struct vs_dt_node *n, const char *name, const void *val, size_t len)
{
	struct vs_dt_prop *np;

	np = realloc(n->props, (n->n_props + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	n->props = np;
	np = &n->props[n->n_props];
	np->name = strdup(name);
	np->len = len;
	np->val = NULL;
	if (len) {
		np->val = malloc(len);
		if (np->val)
			memcpy(np->val, val, len);
	}
	if (!np->name || (len && !np->val)) {
		free(np->name);
		free(np->val);
		return -ENOMEM;
	}
	n->n_props++;
	return 0;
}

/* Unflatten a checked blob. */
static int unflatten(struct vs_dt *dt, const void *fdt)
{
	struct vs_dt_node **stack = NULL, **ns, *node;
	size_t stack_alloc = 0;
	int off = 0, depth = 0, poff, len, r = 0;
	const char *name;
	const void *val;

	for (off = 0; off >= 0 && depth >= 0; off = fdt_next_node(fdt, off, &depth)) {
		name = fdt_get_name(fdt, off, &len);
		if (!name) {
			r = -EINVAL;
			break;
		}
		if ((size_t)depth >= stack_alloc) {
			stack_alloc = (size_t)depth + 16;
			ns = realloc(stack, stack_alloc * sizeof(*ns));
			if (!ns) {
				r = -ENOMEM;
				break;
			}
			stack = ns;
		}
		/* fdt_next_node never skips a level: depth-1 is on the stack. */
		if (depth > 0 && !stack[depth - 1]) {
			r = -EINVAL;
			break;
		}
		r = add_node(dt, depth ? stack[depth - 1] : NULL, depth ? name : "", &node);
		if (r < 0)
			break;
		stack[depth] = node;
		fdt_for_each_property_offset(poff, fdt, off) {
			val = fdt_getprop_by_offset(fdt, poff, &name, &len);
			if (!val || !name || len < 0) {
				r = -EINVAL;
				break;
			}
			r = add_prop(node, name, val, (size_t)len);
			if (r < 0)
				break;
		}
		if (r < 0)
			break;
	}
	free(stack);
	if (r == 0 && dt->n_nodes == 0)
		r = -EINVAL;
	return r;
}

int vs_dt_parse_blob(const void *blob, size_t len, const char *source,
		     struct vs_dt **out, struct vs_err *err)
{
	struct vs_dt *dt;
	void *copy;
	int r;

	*out = NULL;
	if (len < sizeof(struct fdt_header))
		return vs_err_set(err, -EINVAL,
				  "%s: not a valid device tree blob: truncated (%zu bytes)",
				  source, len);
	if (len > INT32_MAX)
		return vs_err_set(err, -EFBIG, "%s: device tree blob too large", source);
	/* libfdt wants 8-byte alignment on some builds: work on a malloc'd copy. */
	copy = malloc(len);
	if (!copy)
		return vs_err_set(err, -ENOMEM, "out of memory");
	memcpy(copy, blob, len);
	r = fdt_check_full(copy, len);
	if (r < 0) {
		free(copy);
		return vs_err_set(err, -EINVAL, "%s: not a valid device tree blob: %s",
				  source, fdt_strerror(r));
	}
	dt = calloc(1, sizeof(*dt));
	if (!dt || !(dt->source = strdup(source))) {
		free(dt);
		free(copy);
		return vs_err_set(err, -ENOMEM, "out of memory");
	}
	r = unflatten(dt, copy);
	free(copy);
	if (r == 0)
		r = vs_dt_decode(dt);
	if (r < 0) {
		vs_dt_free(dt);
		if (r == -ENOMEM)
			return vs_err_set(err, r, "out of memory");
		return vs_err_set(err, r, "%s: malformed device tree structure", source);
	}
	*out = dt;
	return 0;
}

int vs_dt_load(const struct vs_root *root, struct vs_dt **out, struct vs_err *err)
{
	static const char blob_rel[] = "sys/firmware/fdt";
	static const char dir_rel[] = "sys/firmware/devicetree/base";
	unsigned char *blob = NULL;
	size_t blen = 0;
	ssize_t n;
	int r;

	*out = NULL;
	n = vs_dt_read_file(root->fd, blob_rel, &blob);
	if (n >= 0) {
		r = vs_dt_parse_blob(blob, (size_t)n, blob_rel, out, err);
		free(blob);
		return r;
	}
	if (n == -EFBIG)
		return vs_err_set(err, -EFBIG, "%s: larger than 64 MiB", blob_rel);
	if (n == -ENOMEM)
		return vs_err_set(err, -ENOMEM, "out of memory");
	if (n != -ENOENT && n != -EACCES && n != -EPERM)
		return vs_err_set(err, -EINVAL, "%s: %s", blob_rel, strerror((int)-n));
	/* No blob (or root-only): assemble one from the unpacked tree. */
	r = vs_dt_blob_from_dir(root->fd, dir_rel, &blob, &blen, err);
	if (r == -ENOENT && n != -ENOENT)
		return vs_err_set(err, (int)n, "%s: %s", blob_rel, strerror((int)-n));
	if (r == -ENOENT)
		return vs_err_set(err, -ENOENT,
				  "no device tree: neither %s nor %s exists (not a device-tree system)",
				  blob_rel, dir_rel);
	if (r < 0)
		return r;
	r = vs_dt_parse_blob(blob, blen, dir_rel, out, err);
	free(blob);
	return r;
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */

const struct vs_dt_node *vs_dt_root(const struct vs_dt *dt)
{
	return dt->n_nodes ? dt->nodes[0] : NULL;
}

const struct vs_dt_node *vs_dt_find_path(const struct vs_dt *dt, const char *path)
{
	size_t i, len;

	if (!path)
		return NULL;
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	for (i = 0; i < dt->n_nodes; i++)
		if (strlen(dt->nodes[i]->path) == len &&
		    strncmp(dt->nodes[i]->path, path, len) == 0)
			return dt->nodes[i];
	return NULL;
}

const struct vs_dt_node *vs_dt_find_phandle(const struct vs_dt *dt, uint32_t phandle)
{
	const struct vs_dt_priv *priv = dt->priv;
	size_t lo = 0, hi, mid;

	if (!priv || phandle == 0 || phandle == 0xffffffffu)
		return NULL;
	hi = priv->n_by_phandle;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (priv->by_phandle[mid]->phandle == phandle)
			return priv->by_phandle[mid];
		if (priv->by_phandle[mid]->phandle < phandle)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct vs_dt_node *vs_dt_find_label(const struct vs_dt *dt, const char *label)
{
	size_t i;

	for (i = 0; i < dt->n_nodes; i++)
		if (vs_streq(dt->nodes[i]->label, label))
			return dt->nodes[i];
	return NULL;
}

char *vs_dt_devname(const struct vs_dt_node *node)
{
	const char *at;
	char *s;
	int len;

	if (!node->n_reg || !node->reg[0].mmio)
		return NULL;
	at = strchr(node->name, '@');
	len = at ? (int)(at - node->name) : (int)strlen(node->name);
	if (asprintf(&s, "%" PRIx64 ".%.*s", node->reg[0].cpu_addr, len, node->name) < 0)
		return NULL;
	return s;
}

const struct vs_dt_node *vs_dt_find_devname(const struct vs_dt *dt, const char *devname)
{
	const struct vs_dt_node *found = NULL;
	const char *dot;
	size_t i;
	char *s;

	dot = devname ? strchr(devname, '.') : NULL;
	if (!dot)
		return NULL;
	for (i = 0; i < dt->n_nodes && !found; i++) {
		if (!dt->nodes[i]->n_reg)
			continue;
		s = vs_dt_devname(dt->nodes[i]);
		if (s && strcmp(s, devname) == 0)
			found = dt->nodes[i];
		free(s);
	}
	return found;
}

int vs_dt_lookup(const struct vs_dt *dt, const char *spec,
		 const struct vs_dt_node **out, struct vs_err *err)
{
	const struct vs_dt_node *n = NULL;

	*out = NULL;
	if (spec && spec[0] == '/')
		n = vs_dt_find_path(dt, spec);
	else if (spec) {
		n = vs_dt_find_devname(dt, spec);
		if (!n)
			n = vs_dt_find_label(dt, spec);
	}
	if (!n)
		return vs_err_set(err, -ENOENT,
				  "%s: no such node in the device tree (give a path, a platform device name or a label)",
				  spec ? spec : "(null)");
	*out = n;
	return 0;
}

const struct vs_dt_prop *vs_dt_prop(const struct vs_dt_node *node, const char *name)
{
	size_t i;

	for (i = 0; i < node->n_props; i++)
		if (strcmp(node->props[i].name, name) == 0)
			return &node->props[i];
	return NULL;
}

bool vs_dt_prop_u32(const struct vs_dt_node *node, const char *name, uint32_t *out)
{
	const struct vs_dt_prop *p = vs_dt_prop(node, name);

	if (!p || p->len < 4)
		return false;
	*out = vs_dt_be32(p->val);
	return true;
}

bool vs_dt_is_compatible(const struct vs_dt_node *node, const char *compat)
{
	size_t i;

	for (i = 0; i < node->n_compatible; i++)
		if (strcmp(node->compatible[i], compat) == 0)
			return true;
	return false;
}

bool vs_dt_is_gic(const struct vs_dt_node *node)
{
	static const char *const gics[] = {
		"arm,gic-v3", "arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic",
		"arm,cortex-a7-gic", "arm,arm11mp-gic", "arm,arm1176jzf-devchip-gic",
		"arm,eb11mp-gic", "arm,pl390", "arm,tc11mp-gic", "qcom,msm-8660-qgic",
		"qcom,msm-qgic2", "arm,gic-v5",
	};
	size_t i;

	for (i = 0; i < sizeof(gics) / sizeof(gics[0]); i++)
		if (vs_dt_is_compatible(node, gics[i]))
			return true;
	return false;
}

bool vs_dt_is_bus(const struct vs_dt_node *node)
{
	static const char *const buses[] = {
		"simple-bus", "simple-pm-bus", "arm,amba-bus", "qemu,platform",
		"fsl,qoriq-mc",
	};
	size_t i;

	if (!node->parent)
		return true;
	for (i = 0; i < sizeof(buses) / sizeof(buses[0]); i++)
		if (vs_dt_is_compatible(node, buses[i]))
			return true;
	return false;
}

const char *vs_dt_irq_kind_name(enum vs_dt_irq_kind kind)
{
	switch (kind) {
	case VS_DT_IRQ_SPI: return "SPI";
	case VS_DT_IRQ_PPI: return "PPI";
	case VS_DT_IRQ_ESPI: return "ESPI";
	case VS_DT_IRQ_EPPI: return "EPPI";
	case VS_DT_IRQ_OTHER: break;
	}
	return "IRQ";
}

const char *vs_dt_trigger_name(uint32_t flags)
{
	switch (flags & VS_DT_IRQ_TRIGGER_MASK) {
	case 0: return "none";
	case VS_DT_IRQ_EDGE_RISING: return "edge-rising";
	case VS_DT_IRQ_EDGE_FALLING: return "edge-falling";
	case VS_DT_IRQ_EDGE_RISING | VS_DT_IRQ_EDGE_FALLING: return "edge-both";
	case VS_DT_IRQ_LEVEL_HIGH: return "level-high";
	case VS_DT_IRQ_LEVEL_LOW: return "level-low";
	}
	return "mixed";
}
