// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host-critical devices, by evidence (see vfioscope/hostcrit.h). Every
 * verdict names what was seen; nothing is decided from class names, only
 * from mounts, swap, block holders, network state, the console, and the
 * three PCI class codes whose devices the platform itself relies on.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/hostcrit.h"
#include "diag_priv.h"

struct mount {
	unsigned major, minor;
	char *point;
	char *source;
	char *fstype;
};

struct hc {
	const struct vs_topology *topo;
	const struct vs_root *root;
	struct vs_hostcrit_list *list;
	struct mount *mounts;
	size_t n_mounts;
	int err;
};

/* A physical device under a block device: the PCI (or other bus) ancestor and the disk name. */
struct leaf {
	const struct vs_device *dev;
	char *name;
};

struct leaves {
	struct leaf *v;
	size_t n;
};
#define LEAVES_INIT { .v = NULL, .n = 0 }

static void add(struct hc *h, const struct vs_device *dev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct hc *h, const struct vs_device *dev, const char *fmt, ...)
{
	struct vs_hostcrit *ni;
	va_list ap;
	char *s;
	int r;

	if (h->err)
		return;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0) {
		h->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < h->list->n; i++)
		if (h->list->items[i].device == dev && strcmp(h->list->items[i].evidence, s) == 0) {
			free(s);
			return;
		}
	ni = realloc(h->list->items, (h->list->n + 1) * sizeof(*ni));
	if (!ni) {
		free(s);
		h->err = -ENOMEM;
		return;
	}
	h->list->items = ni;
	ni[h->list->n].device = dev;
	ni[h->list->n].evidence = s;
	h->list->n++;
}

static bool has_evidence(const struct hc *h, const struct vs_device *dev, const char *prefix)
{
	for (size_t i = 0; i < h->list->n; i++)
		if (h->list->items[i].device == dev &&
		    strncmp(h->list->items[i].evidence, prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

static char *path_join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s/%s", a, b) < 0)
		return NULL;
	return s;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* ---- block devices ---- */

static void leaves_free(struct leaves *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void leaves_add(struct hc *h, struct leaves *l, const struct vs_device *dev, const char *name)
{
	struct leaf *nv;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].dev == dev && strcmp(l->v[i].name, name) == 0)
			return;
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv) {
		h->err = -ENOMEM;
		return;
	}
	l->v = nv;
	nv[l->n].dev = dev;
	nv[l->n].name = strdup(name);
	if (!nv[l->n].name) {
		h->err = -ENOMEM;
		return;
	}
	l->n++;
}

/* The resolved directory of block device @name, or NULL. */
static char *block_dir(const struct hc *h, const char *name)
{
	char *rel, *canon;

	if (!name[0] || strchr(name, '/') || strcmp(name, "..") == 0 || strcmp(name, ".") == 0)
		return NULL;
	if (asprintf(&rel, "sys/class/block/%s", name) < 0)
		return NULL;
	canon = vs_root_canon(h->root, rel);
	free(rel);
	if (!canon) {
		if (asprintf(&rel, "sys/block/%s", name) < 0)
			return NULL;
		canon = vs_root_canon(h->root, rel);
		free(rel);
	}
	return canon;
}

/* Walk from block device @name down through slaves/ to the devices holding the data. */
static void block_leaves(struct hc *h, const char *name, int depth, struct leaves *out)
{
	char *dir, *link, *canon, **slaves = NULL;
	const struct vs_device *dev;
	size_t n = 0;

	if (depth > 8 || h->err)
		return;
	dir = block_dir(h, name);
	if (!dir)
		return;
	dev = vs_device_by_path(h->topo, dir);
	if (!dev) {
		/* a block directory outside the device tree that names its device */
		link = path_join(dir, "device");
		canon = link ? vs_root_canon(h->root, link) : NULL;
		if (canon)
			dev = vs_device_by_path(h->topo, canon);
		free(link);
		free(canon);
	}
	if (dev) {
		leaves_add(h, out, dev, name);
		free(dir);
		return;
	}
	link = path_join(dir, "slaves");
	if (link && vs_diag_list_dir(h->root, link, &slaves, &n) == 0)
		for (size_t i = 0; i < n; i++)
			block_leaves(h, slaves[i], depth + 1, out);
	vs_strv_free(slaves, n);
	free(link);
	free(dir);
}

/* The block device name of MAJ:MIN: sys/dev/block/MAJ:MIN, else a scan of sys/class/block. */
static char *devnum_name(const struct hc *h, unsigned major, unsigned minor)
{
	char *rel, *canon, **names = NULL, *found = NULL, want[32];
	size_t n = 0;

	if (asprintf(&rel, "sys/dev/block/%u:%u", major, minor) < 0)
		return NULL;
	canon = vs_root_canon(h->root, rel);
	free(rel);
	if (canon) {
		found = strdup(base_name(canon));
		free(canon);
		return found;
	}
	snprintf(want, sizeof(want), "%u:%u", major, minor);
	if (vs_diag_list_dir(h->root, "sys/class/block", &names, &n) < 0)
		return NULL;
	for (size_t i = 0; i < n && !found; i++) {
		char *v = NULL;

		if (asprintf(&rel, "sys/class/block/%s/dev", names[i]) < 0)
			break;
		if (vs_read_attr(h->root->fd, rel, &v) >= 0 && strcmp(v, want) == 0)
			found = strdup(names[i]);
		free(v);
		free(rel);
	}
	vs_strv_free(names, n);
	return found;
}

/* The block device name behind a path like /dev/nvme0n1p2 or /dev/mapper/vg-root. */
static char *source_name(const struct hc *h, const char *source)
{
	char *canon, *name, **names = NULL;
	size_t n = 0;

	if (strncmp(source, "/dev/", 5) != 0)
		return NULL;
	canon = vs_root_canon(h->root, source + 1);
	name = strdup(base_name(canon ? canon : source));
	free(canon);
	if (!name)
		return NULL;
	canon = block_dir(h, name);
	if (canon) {
		free(canon);
		return name;
	}
	/* device-mapper names: sys/class/block/dm-N/dm/name */
	if (vs_diag_list_dir(h->root, "sys/class/block", &names, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			char *rel, *v = NULL;

			if (asprintf(&rel, "sys/class/block/%s/dm/name", names[i]) < 0)
				break;
			if (vs_read_attr(h->root->fd, rel, &v) >= 0 && strcmp(v, name) == 0) {
				free(name);
				name = strdup(names[i]);
				free(v);
				free(rel);
				break;
			}
			free(v);
			free(rel);
		}
	}
	vs_strv_free(names, n);
	return name;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static char *unescape(const char *s)
{
	char *o = malloc(strlen(s) + 1), *p = o;

	if (!o)
		return NULL;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*p++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*p++ = *s++;
		}
	}
	*p = '\0';
	return o;
}

static void read_mounts(struct hc *h)
{
	char *text = NULL, *save = NULL;

	if (vs_read_file_at(h->root, "proc/self/mountinfo", 16u << 20, &text) < 0)
		return;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[12] = { 0 }, *fsave = NULL, *dash;
		struct mount *nm;
		unsigned maj, min;
		size_t nf = 0;

		dash = strstr(line, " - ");
		if (!dash)
			continue;
		*dash = '\0';
		for (char *t = strtok_r(line, " ", &fsave); t && nf < 5; t = strtok_r(NULL, " ", &fsave))
			f[nf++] = t;
		if (nf < 5 || sscanf(f[2], "%u:%u", &maj, &min) != 2)
			continue;
		fsave = NULL;
		f[5] = strtok_r(dash + 3, " ", &fsave);	/* fstype */
		f[6] = f[5] ? strtok_r(NULL, " ", &fsave) : NULL;	/* source */
		nm = realloc(h->mounts, (h->n_mounts + 1) * sizeof(*nm));
		if (!nm) {
			h->err = -ENOMEM;
			break;
		}
		h->mounts = nm;
		nm[h->n_mounts].major = maj;
		nm[h->n_mounts].minor = min;
		nm[h->n_mounts].point = unescape(f[4]);
		nm[h->n_mounts].source = unescape(f[6] ? f[6] : "");
		nm[h->n_mounts].fstype = strdup(f[5] ? f[5] : "");
		h->n_mounts++;
	}
	free(text);
}

/* The block device a mount lives on: by device number, else by its /dev source (btrfs). */
static char *mount_block(const struct hc *h, const struct mount *m)
{
	if (m->major != 0) {
		char *n = devnum_name(h, m->major, m->minor);

		if (n)
			return n;
	}
	if (m->source)
		return source_name(h, m->source);
	return NULL;
}

static void evidence_mount(struct hc *h, const struct mount *m)
{
	struct leaves l = LEAVES_INIT;
	char *name = mount_block(h, m);

	if (!name || !m->point)
		goto out;
	block_leaves(h, name, 0, &l);
	for (size_t i = 0; i < l.n; i++) {
		char *prefix;

		/* one sentence per disk partition, for its first (strongest) mount point */
		if (asprintf(&prefix, "%s%s", l.v[i].name, strcmp(l.v[i].name, name) ? " (under " : " mounted") < 0) {
			h->err = -ENOMEM;
			break;
		}
		if (!has_evidence(h, l.v[i].dev, prefix)) {
			if (strcmp(l.v[i].name, name) == 0)
				add(h, l.v[i].dev, "%s mounted on %s", name, m->point);
			else
				add(h, l.v[i].dev, "%s (under %s) mounted on %s", l.v[i].name, name, m->point);
		}
		free(prefix);
	}
out:
	leaves_free(&l);
	free(name);
}

static void evidence_mounts(struct hc *h)
{
	read_mounts(h);
	/* the root filesystem above all */
	for (size_t i = 0; i < h->n_mounts; i++)
		if (h->mounts[i].point && strcmp(h->mounts[i].point, "/") == 0)
			evidence_mount(h, &h->mounts[i]);
	for (size_t i = 0; i < h->n_mounts; i++)
		if (h->mounts[i].point && strcmp(h->mounts[i].point, "/") != 0)
			evidence_mount(h, &h->mounts[i]);
}

static const struct mount *mount_of_path(const struct hc *h, const char *path)
{
	const struct mount *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < h->n_mounts; i++) {
		const char *p = h->mounts[i].point;
		size_t l;

		if (!p)
			continue;
		l = strlen(p);
		if (strncmp(path, p, l) != 0 || (l > 1 && path[l] != '/' && path[l] != '\0'))
			continue;
		if (l >= best_len) {
			best = &h->mounts[i];
			best_len = l;
		}
	}
	return best;
}

static void evidence_swaps(struct hc *h)
{
	char *text = NULL, *save = NULL;
	bool header = true;

	if (vs_read_file_at(h->root, "proc/swaps", 1u << 20, &text) < 0)
		return;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *fsave = NULL, *file, *type, *fname, *name = NULL;
		struct leaves l = LEAVES_INIT;

		if (header) {
			header = false;
			if (strncmp(line, "Filename", 8) == 0)
				continue;
		}
		file = strtok_r(line, " \t", &fsave);
		type = file ? strtok_r(NULL, " \t", &fsave) : NULL;
		if (!file || !type)
			continue;
		fname = unescape(file);
		if (!fname) {
			h->err = -ENOMEM;
			break;
		}
		if (strcmp(type, "partition") == 0) {
			name = source_name(h, fname);
			if (name)
				block_leaves(h, name, 0, &l);
			for (size_t i = 0; i < l.n; i++)
				if (strcmp(l.v[i].name, name) == 0)
					add(h, l.v[i].dev, "%s used as swap", name);
				else
					add(h, l.v[i].dev, "%s (under %s) used as swap", l.v[i].name, name);
		} else {
			const struct mount *m = mount_of_path(h, fname);

			name = m ? mount_block(h, m) : NULL;
			if (name)
				block_leaves(h, name, 0, &l);
			for (size_t i = 0; i < l.n; i++)
				add(h, l.v[i].dev, "swap file %s on %s", fname, l.v[i].name);
		}
		leaves_free(&l);
		free(name);
		free(fname);
	}
	free(text);
}

static void evidence_holders(struct hc *h)
{
	char **names = NULL;
	size_t n = 0;

	if (vs_diag_list_dir(h->root, "sys/class/block", &names, &n) < 0)
		return;
	for (size_t i = 0; i < n && !h->err; i++) {
		char *rel, **holders = NULL;
		size_t nh = 0;
		struct leaves l = LEAVES_INIT;

		if (asprintf(&rel, "sys/class/block/%s/holders", names[i]) < 0) {
			h->err = -ENOMEM;
			break;
		}
		if (vs_diag_list_dir(h->root, rel, &holders, &nh) == 0 && nh) {
			struct vs_strbuf sb = VS_STRBUF_INIT;

			for (size_t k = 0; k < nh; k++)
				vs_strbuf_addf(&sb, "%s%s", k ? ", " : "", holders[k]);
			block_leaves(h, names[i], 0, &l);
			for (size_t k = 0; k < l.n; k++)
				add(h, l.v[k].dev, "%s holds %s (md/LVM/dm stack)", names[i],
				    vs_strbuf_cstr(&sb));
			vs_strbuf_release(&sb);
		}
		leaves_free(&l);
		vs_strv_free(holders, nh);
		free(rel);
	}
	vs_strv_free(names, n);
}

/* ---- network ---- */

static char *ipv4(const char *hex)
{
	unsigned long x = strtoul(hex, NULL, 16);
	char *s;

	/* /proc/net/route prints the address in host (little-endian) order */
	if (asprintf(&s, "%lu.%lu.%lu.%lu", x & 0xff, (x >> 8) & 0xff, (x >> 16) & 0xff,
		     (x >> 24) & 0xff) < 0)
		return NULL;
	return s;
}

static int prefix_len(unsigned long mask)
{
	int n = 0;

	for (; mask; mask >>= 1)
		n += (int)(mask & 1);
	return n;
}

/* Why interface @ifname matters to the host, or NULL: up with a route or a global address. */
static char *iface_use(const struct hc *h, const char *ifname)
{
	char *rel, *v = NULL, *text = NULL, *save = NULL, *why = NULL;
	bool up = false;

	if (asprintf(&rel, "sys/class/net/%s/flags", ifname) < 0)
		return NULL;
	if (vs_read_attr(h->root->fd, rel, &v) >= 0) {
		up = strtoul(v, NULL, 16) & 0x1;	/* IFF_UP */
	} else {
		free(rel);
		if (asprintf(&rel, "sys/class/net/%s/operstate", ifname) < 0)
			return NULL;
		if (vs_read_attr(h->root->fd, rel, &v) >= 0)
			up = strcmp(v, "up") == 0;
	}
	free(v);
	free(rel);
	if (!up)
		return NULL;

	if (vs_read_file_at(h->root, "proc/net/route", 4u << 20, &text) == 0) {
		char *route_to = NULL;

		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *f[8] = { 0 }, *fs = NULL;
			size_t nf = 0;

			for (char *t = strtok_r(line, " \t", &fs); t && nf < 8; t = strtok_r(NULL, " \t", &fs))
				f[nf++] = t;
			if (nf < 8 || strcmp(f[0], ifname) != 0)
				continue;
			if (strtoul(f[1], NULL, 16) == 0 && strtoul(f[7], NULL, 16) == 0) {
				char *gw = ipv4(f[2]);

				if (asprintf(&why, "is up with the default route%s%s", gw ? " via " : "",
					     gw ? gw : "") < 0)
					why = NULL;
				free(gw);
				break;
			}
			if (!route_to) {
				char *dst = ipv4(f[1]);

				if (dst && asprintf(&route_to, "is up with a route to %s/%d", dst,
						    prefix_len(strtoul(f[7], NULL, 16))) < 0)
					route_to = NULL;
				free(dst);
			}
		}
		if (!why)
			why = route_to;
		else
			free(route_to);
		free(text);
		text = NULL;
	}
	if (!why && vs_read_file_at(h->root, "proc/net/ipv6_route", 4u << 20, &text) == 0) {
		save = NULL;
		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *f[10] = { 0 }, *fs = NULL;
			size_t nf = 0;

			for (char *t = strtok_r(line, " \t", &fs); t && nf < 10; t = strtok_r(NULL, " \t", &fs))
				f[nf++] = t;
			if (nf < 10 || strcmp(f[9], ifname) != 0)
				continue;
			if (strspn(f[0], "0") == 32 && strcmp(f[1], "00") == 0 &&
			    strspn(f[4], "0") != 32) {
				why = strdup("is up with the IPv6 default route");
				break;
			}
		}
		free(text);
		text = NULL;
	}
	if (!why && vs_read_file_at(h->root, "proc/net/if_inet6", 1u << 20, &text) == 0) {
		save = NULL;
		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *f[6] = { 0 }, *fs = NULL;
			size_t nf = 0;

			for (char *t = strtok_r(line, " \t", &fs); t && nf < 6; t = strtok_r(NULL, " \t", &fs))
				f[nf++] = t;
			/* scope 00 is global */
			if (nf < 6 || strcmp(f[5], ifname) != 0 || strcmp(f[3], "00") != 0 ||
			    strlen(f[0]) != 32)
				continue;
			{
				struct vs_strbuf sb = VS_STRBUF_INIT;

				for (int i = 0; i < 8; i++)
					vs_strbuf_addf(&sb, "%s%.4s", i ? ":" : "", f[0] + 4 * i);
				if (asprintf(&why, "is up with the global address %s", vs_strbuf_cstr(&sb)) < 0)
					why = NULL;
				vs_strbuf_release(&sb);
			}
			break;
		}
		free(text);
	}
	return why;
}

static void evidence_net(struct hc *h)
{
	char **ifs = NULL;
	size_t n = 0;

	if (vs_diag_list_dir(h->root, "sys/class/net", &ifs, &n) < 0)
		return;
	for (size_t i = 0; i < n && !h->err; i++) {
		char *rel, *canon, *why, **entries = NULL;
		const struct vs_device *dev;
		size_t ne = 0;

		if (asprintf(&rel, "sys/class/net/%s/device", ifs[i]) < 0) {
			h->err = -ENOMEM;
			break;
		}
		canon = vs_root_canon(h->root, rel);
		free(rel);
		dev = canon ? vs_device_by_path(h->topo, canon) : NULL;
		free(canon);
		if (!dev)
			continue;	/* virtual interface */
		why = iface_use(h, ifs[i]);
		if (why) {
			add(h, dev, "%s %s", ifs[i], why);
			free(why);
			continue;
		}
		/* a port of a bridge or bond, or the lower device of a VLAN, that is in use */
		if (asprintf(&rel, "sys/class/net/%s", ifs[i]) < 0) {
			h->err = -ENOMEM;
			break;
		}
		if (vs_diag_list_dir(h->root, rel, &entries, &ne) == 0) {
			for (size_t k = 0; k < ne; k++) {
				const char *upper = NULL;
				char *mlink = NULL, *mcanon = NULL;

				if (strcmp(entries[k], "master") == 0) {
					mlink = path_join(rel, "master");
					mcanon = mlink ? vs_root_canon(h->root, mlink) : NULL;
					upper = mcanon ? base_name(mcanon) : NULL;
				} else if (strncmp(entries[k], "upper_", 6) == 0) {
					upper = entries[k] + 6;
				}
				if (upper && (why = iface_use(h, upper))) {
					add(h, dev, "%s is a port of %s, which %s", ifs[i], upper, why);
					free(why);
				}
				free(mlink);
				free(mcanon);
			}
		}
		vs_strv_free(entries, ne);
		free(rel);
	}
	vs_strv_free(ifs, n);
}

/* ---- boot VGA ---- */

static bool fbcon_bound(const struct hc *h)
{
	char **vts = NULL;
	size_t n = 0;
	bool bound = false;

	if (vs_diag_list_dir(h->root, "sys/class/vtconsole", &vts, &n) < 0)
		return false;
	for (size_t i = 0; i < n && !bound; i++) {
		char *rel, *name = NULL, *b = NULL;

		if (asprintf(&rel, "sys/class/vtconsole/%s/name", vts[i]) < 0)
			break;
		if (vs_read_attr(h->root->fd, rel, &name) >= 0 && strstr(name, "frame buffer")) {
			free(rel);
			if (asprintf(&rel, "sys/class/vtconsole/%s/bind", vts[i]) < 0) {
				free(name);
				break;
			}
			if (vs_read_attr(h->root->fd, rel, &b) >= 0 && strcmp(b, "1") == 0)
				bound = true;
		}
		free(b);
		free(name);
		free(rel);
	}
	vs_strv_free(vts, n);
	return bound;
}

/* The first entry of sys/class/@cls whose device is @dev (or a firmware framebuffer). */
static char *class_user(const struct hc *h, const char *cls, const char *prefix,
			const struct vs_device *dev, bool firmware_fb)
{
	char *dir, **names = NULL, *found = NULL;
	size_t n = 0;

	if (asprintf(&dir, "sys/class/%s", cls) < 0)
		return NULL;
	if (vs_diag_list_dir(h->root, dir, &names, &n) < 0) {
		free(dir);
		return NULL;
	}
	for (size_t i = 0; i < n && !found; i++) {
		char *rel, *canon;
		const char *bn;

		if (strncmp(names[i], prefix, strlen(prefix)) != 0 || strchr(names[i], '-'))
			continue;
		if (asprintf(&rel, "%s/%s/device", dir, names[i]) < 0)
			break;
		canon = vs_root_canon(h->root, rel);
		free(rel);
		if (!canon)
			continue;
		bn = base_name(canon);
		if (vs_device_by_path(h->topo, canon) == dev ||
		    (firmware_fb && (strncmp(bn, "efi-framebuffer", 15) == 0 ||
				     strncmp(bn, "vesa-framebuffer", 16) == 0 ||
				     strncmp(bn, "simple-framebuffer", 18) == 0)))
			found = strdup(names[i]);
		free(canon);
	}
	vs_strv_free(names, n);
	free(dir);
	return found;
}

static void evidence_vga(struct hc *h)
{
	bool fbcon = fbcon_bound(h);

	for (size_t i = 0; i < h->topo->n_pci && !h->err; i++) {
		const struct vs_device *dev = h->topo->devices[i];
		char *fb, *drm;

		if (!dev->pci || dev->pci->boot_vga != 1)
			continue;
		fb = class_user(h, "graphics", "fb", dev, true);
		drm = dev->driver ? class_user(h, "drm", "card", dev, false) : NULL;
		if (fb && fbcon)
			add(h, dev, "boot VGA device with the framebuffer console on %s", fb);
		else if (drm)
			add(h, dev, "boot VGA device driven by %s (DRM %s): the console or a display "
			    "server uses it", dev->driver, drm);
		else if (fb)
			add(h, dev, "boot VGA device scanning out framebuffer %s", fb);
		free(fb);
		free(drm);
	}
}

/* ---- platform devices by class code ---- */

static void evidence_class(struct hc *h)
{
	for (size_t i = 0; i < h->topo->n_pci; i++) {
		const struct vs_device *dev = h->topo->devices[i];
		unsigned cls;

		if (!dev->pci || !dev->pci->ids_valid)
			continue;
		cls = dev->pci->class_code >> 8;
		if (cls == 0x0600)
			add(h, dev, "host bridge (PCI class 0600): the root complex itself");
		else if (cls == 0x0601)
			add(h, dev, "ISA/LPC bridge (PCI class 0601): firmware, TPM and legacy devices "
			    "hang off it");
		else if (cls == 0x0c05)
			add(h, dev, "SMBus controller (PCI class 0c05): sensors, SPD and platform "
			    "management use it");
	}
}

int vs_hostcrit_scan(const struct vs_topology *topo, struct vs_hostcrit_list **out,
		     struct vs_err *err)
{
	struct hc h = { .topo = topo, .root = topo->root };

	*out = NULL;
	h.list = calloc(1, sizeof(*h.list));
	if (!h.list)
		return vs_err_set(err, -ENOMEM, "out of memory");
	evidence_mounts(&h);
	evidence_swaps(&h);
	evidence_holders(&h);
	evidence_net(&h);
	evidence_vga(&h);
	evidence_class(&h);
	for (size_t i = 0; i < h.n_mounts; i++) {
		free(h.mounts[i].point);
		free(h.mounts[i].source);
		free(h.mounts[i].fstype);
	}
	free(h.mounts);
	if (h.err) {
		vs_hostcrit_free(h.list);
		return vs_err_set(err, h.err, "cannot read host-critical evidence: %s", strerror(-h.err));
	}
	*out = h.list;
	return 0;
}

const char *vs_hostcrit_find(const struct vs_hostcrit_list *list, const struct vs_device *dev)
{
	for (size_t i = 0; list && i < list->n; i++)
		if (list->items[i].device == dev)
			return list->items[i].evidence;
	return NULL;
}

void vs_hostcrit_free(struct vs_hostcrit_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++)
		free(list->items[i].evidence);
	free(list->items);
	free(list);
}
