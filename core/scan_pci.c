// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PCI enumeration: every entry of sys/bus/pci/devices, each small file read
 * once, config space once (64 bytes unless VS_SCAN_CONFIG asks for all of
 * it). Linking (parents, VMD, VFs, the port type correction) runs after the
 * name and path maps exist, so every lookup is O(1).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan.h"

#define PCI_DEVICES "sys/bus/pci/devices"
#define PCI_DRIVERS "sys/bus/pci/drivers"
#define CFG_MAX 4096

struct pci_ent {
	char *name;
	unsigned domain, bus, dev, fn;
};

static int ent_cmp(const void *a, const void *b)
{
	const struct pci_ent *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->fn != y->fn)
		return x->fn < y->fn ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Read a hex attribute the kernel prints as "0x%0<digits>x". Return: 1 read,
 * 0 missing or malformed (flagged with @bit unless @bit is 0 and the file is
 * simply absent), -ENOMEM.
 */
static int read_hex(struct vs_device *dev, int fd, const char *attr, int digits,
		    unsigned bit, unsigned long *out)
{
	ssize_t n;
	char *s;
	int r;

	n = vs_scan_attr(fd, attr, &s);
	if (n == -ENOMEM)
		return -ENOMEM;
	if (n < 0) {
		if (n == -ENOENT && !bit)
			return 0;
		r = vs_device_problem(dev, bit ? bit : VS_DEVERR_ATTR, "%s: cannot read (%s)",
				      attr, strerror((int)-n));
		return r < 0 ? r : 0;
	}
	if (strspn(s + (strncmp(s, "0x", 2) == 0 ? 2 : 0), "0123456789abcdefABCDEF") ==
	    (size_t)digits && vs_parse_hex_attr(s, (1ul << (4 * digits)) - 1, out) == 0) {
		free(s);
		return 1;
	}
	r = vs_device_bad_value(dev, bit ? bit : VS_DEVERR_ATTR, attr, s);
	return r < 0 ? r : 0;
}

/* A string attribute; absent leaves *@out NULL. Return: 0 or -ENOMEM. */
static int read_str(struct vs_device *dev, int fd, const char *attr, char **out)
{
	ssize_t n;

	n = vs_scan_attr(fd, attr, out);
	if (n == -ENOMEM)
		return -ENOMEM;
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return vs_device_problem(dev, VS_DEVERR_ATTR, "%s: cannot read (%s)",
					 attr, strerror((int)-n));
	return 0;
}

/* A decimal attribute; absent leaves *@out alone. Return: 0 or -ENOMEM. */
static int read_int(struct vs_device *dev, int fd, const char *attr, int *out)
{
	char *s;
	int r = read_str(dev, fd, attr, &s);

	if (r < 0 || !s)
		return r;
	if (vs_parse_int(s, -1, 0x7fffffff, out) == 0) {
		free(s);
		return 0;
	}
	return vs_device_bad_value(dev, VS_DEVERR_ATTR, attr, s);
}

static int read_virtfns(struct vs_scan *sc, struct vs_device *dev, int fd)
{
	struct vs_pci_scratch *s = &sc->scratch[dev->index];
	char attr[32];
	size_t i;

	s->virtfn_read = true;
	/* virtfnN links are contiguous; the bound only guards a hostile tree. */
	for (i = 0; i < 65536; i++) {
		char *name, **nv;
		int r;

		snprintf(attr, sizeof(attr), "virtfn%zu", i);
		r = vs_link_basename(fd, attr, &name);
		if (r == -ENOENT)
			break;
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return vs_device_problem(dev, VS_DEVERR_ATTR, "%s: cannot read link (%s)",
						 attr, strerror(-r));
		nv = realloc(s->virtfn, (s->n_virtfn + 1) * sizeof(*nv));
		if (!nv) {
			free(name);
			return -ENOMEM;
		}
		s->virtfn = nv;
		s->virtfn[s->n_virtfn++] = name;
	}
	return 0;
}

static int read_attrs(struct vs_scan *sc, struct vs_device *dev, int fd)
{
	struct vs_pci *pci = dev->pci;
	unsigned long v;
	int r;

	if ((r = read_hex(dev, fd, "revision", 2, 0, &v)) < 0)
		return r;
	if (r)
		pci->revision = (int)v;
	if ((r = read_hex(dev, fd, "subsystem_vendor", 4, 0, &v)) < 0)
		return r;
	if (r)
		pci->subvendor = (uint16_t)v;
	if ((r = read_hex(dev, fd, "subsystem_device", 4, 0, &v)) < 0)
		return r;
	if (r)
		pci->subdevice = (uint16_t)v;
	if ((r = read_str(dev, fd, "reset_method", &pci->reset_method)) < 0 ||
	    (r = read_int(dev, fd, "boot_vga", &pci->boot_vga)) < 0 ||
	    (r = read_int(dev, fd, "numa_node", &pci->numa_node)) < 0 ||
	    (r = read_str(dev, fd, "current_link_speed", &pci->link_speed)) < 0 ||
	    (r = read_str(dev, fd, "current_link_width", &pci->link_width)) < 0 ||
	    (r = read_str(dev, fd, "max_link_speed", &pci->max_link_speed)) < 0 ||
	    (r = read_str(dev, fd, "max_link_width", &pci->max_link_width)) < 0 ||
	    (r = read_int(dev, fd, "sriov_totalvfs", &pci->sriov_totalvfs)) < 0 ||
	    (r = read_int(dev, fd, "sriov_numvfs", &pci->sriov_numvfs)) < 0)
		return r;
	if (pci->sriov_totalvfs >= 0)
		return read_virtfns(sc, dev, fd);
	return 0;
}

static int read_config(struct vs_scan *sc, struct vs_device *dev, int fd)
{
	struct vs_pci *pci = dev->pci;
	size_t want = (sc->what & VS_SCAN_CONFIG) ? CFG_MAX : 64;
	uint8_t buf[CFG_MAX];
	struct stat st;
	ssize_t n;
	int r;

	/* The file size says 256 or 4096 even when a non-root read stops at 64. */
	if ((sc->what & VS_SCAN_CONFIG) && fstatat(fd, "config", &st, 0) == 0)
		pci->cfg_size = (size_t)st.st_size;
	n = vs_read_bytes(fd, "config", buf, want);
	if (n < 0) {
		r = vs_device_problem(dev, VS_DEVERR_CONFIG, n == -ENOENT ? "config: missing"
				      : "config: cannot read (%s)", strerror((int)-n));
		if (r < 0)
			return r;
		n = 0;
	}
	r = vs_pci_parse_config(dev, buf, (size_t)n, want, &sc->scratch[dev->index].restricted);
	if (r < 0)
		return r;
	if (!sc->scratch[dev->index].class_read && pci->cfg != VS_CFG_NONE && n >= 12)
		pci->class_code = (uint32_t)buf[9] | (uint32_t)buf[10] << 8 | (uint32_t)buf[11] << 16;
	if (pci->cfg == VS_CFG_NONE)
		pci->multifunction = !pci->is_vf && pci->fn > 0;
	return 0;
}

static int read_ids(struct vs_scan *sc, struct vs_device *dev, int fd)
{
	struct vs_pci *pci = dev->pci;
	unsigned long vendor, device, cls;
	int rv, rd, rc;

	if ((rv = read_hex(dev, fd, "vendor", 4, VS_DEVERR_IDS, &vendor)) < 0 ||
	    (rd = read_hex(dev, fd, "device", 4, VS_DEVERR_IDS, &device)) < 0 ||
	    (rc = read_hex(dev, fd, "class", 6, VS_DEVERR_IDS, &cls)) < 0)
		return -ENOMEM;
	if (rv && rd) {
		pci->vendor = (uint16_t)vendor;
		pci->device = (uint16_t)device;
		pci->ids_valid = true;
	}
	if (rc) {
		pci->class_code = (uint32_t)cls;
		sc->scratch[dev->index].class_read = true;
	}
	return 0;
}

static int read_physfn(struct vs_scan *sc, struct vs_device *dev, int fd)
{
	char *name;
	int r;

	r = vs_link_basename(fd, "physfn", &name);
	if (r == -ENOENT)
		return 0;
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return vs_device_problem(dev, VS_DEVERR_ATTR, "physfn: cannot read link (%s)",
					 strerror(-r));
	dev->pci->is_vf = true;
	sc->scratch[dev->index].physfn = name;
	return 0;
}

static struct vs_pci *new_pci(const struct pci_ent *e)
{
	struct vs_pci *pci = calloc(1, sizeof(*pci));

	if (!pci)
		return NULL;
	pci->domain = e->domain;
	pci->bus = (uint8_t)e->bus;
	pci->dev = (uint8_t)e->dev;
	pci->fn = (uint8_t)e->fn;
	pci->revision = -1;
	pci->header_layout = -1;
	pci->pcie = VS_UNKNOWN;
	pci->port_type_raw = VS_PORT_UNKNOWN;
	pci->port_type = VS_PORT_UNKNOWN;
	pci->acs.present = VS_UNKNOWN;
	pci->secondary_bus = -1;
	pci->subordinate_bus = -1;
	pci->sriov_totalvfs = -1;
	pci->sriov_numvfs = -1;
	pci->boot_vga = -1;
	pci->numa_node = -1;
	return pci;
}

struct read_ctx {
	struct vs_scan *sc;
	int dfd;
};

/*
 * Everything of one function that lives in its own directory. Runs on
 * worker threads: touches only device @i and its scratch entry.
 */
static int read_one(void *ctx, size_t i)
{
	struct read_ctx *c = ctx;
	struct vs_scan *sc = c->sc;
	struct vs_device *dev = sc->topo->devices[i];
	int r, fd;

	r = vs_scan_resolve_link(c->dfd, PCI_DEVICES, dev->name, &dev->syspath);
	if (r == -ENOMEM)
		return r;
	if (r == -ENOENT) {
		sc->scratch[i].vanished = true;
		return 0;
	}
	if (r == -EINVAL &&
	    vs_device_problem(dev, VS_DEVERR_PATH, "%s/%s is not a symlink to the device",
			      PCI_DEVICES, dev->name) < 0)
		return -ENOMEM;
	fd = vs_scan_open_device(dev, c->dfd, dev->name);
	if (fd == -ENOMEM)
		return fd;
	if (fd < 0)
		return 0;	/* flagged; nothing more to read */
	r = read_ids(sc, dev, fd);
	if (!r)
		r = read_physfn(sc, dev, fd);
	if (!r && (sc->what & VS_SCAN_ATTRS))
		r = read_attrs(sc, dev, fd);
	if (!r)
		r = read_config(sc, dev, fd);
	if (!r)
		r = vs_scan_common_attrs(dev, fd);
	close(fd);
	return r;
}

/* Drop the functions whose link vanished mid-scan, keeping indexes dense. */
static int drop_vanished(struct vs_scan *sc)
{
	struct vs_topology *t = sc->topo;
	size_t i, j = 0;
	int r = 0;

	for (i = 0; i < t->n_devices; i++) {
		struct vs_device *dev = t->devices[i];

		if (sc->scratch[i].vanished) {
			if (r == 0)
				r = vs_topology_warn(t, "%s vanished during the scan; skipped", dev->name);
			vs_device_free(dev);
			continue;
		}
		if (sc->scratch[i].restricted)
			t->cfg_restricted = true;
		dev->index = j;
		sc->scratch[j] = sc->scratch[i];
		t->devices[j++] = dev;
	}
	t->n_devices = j;
	sc->n_scratch = j;
	return r;
}

/* bsearch() order of the devices (ent_cmp()'s): @key is a struct pci_ent. */
static int ent_dev_cmp(const void *key, const void *elem)
{
	const struct vs_device *dev = *(struct vs_device *const *)elem;
	struct pci_ent e = {
		.name = dev->name, .domain = dev->pci->domain, .bus = dev->pci->bus,
		.dev = dev->pci->dev, .fn = dev->pci->fn,
	};

	return ent_cmp(key, &e);
}

/*
 * The links-only scan's bindings, read from the driver side: the kernel
 * links every bound device into sys/bus/pci/drivers/DRIVER under its own
 * name when it makes the device's `driver` link (driver_sysfs_add), so one
 * listing per driver replaces one readlink per device: dozens of listings
 * instead of thousands of readlinks on an SR-IOV host. Entries that are not
 * PCI addresses of this scan (bind, unbind, new_id, module, ...) are
 * skipped. A device no driver lists (also when the driver directories
 * cannot be listed) is read from its own `driver` link through @devfd, the
 * devices directory: a dangling link or a half-done unbind still counts as
 * bound, the safe reading for viability.
 */
static int read_driver_dirs(struct vs_scan *sc, int devfd)
{
	struct vs_topology *t = sc->topo;
	char **drivers = NULL;
	size_t n_drivers = 0, i, j;
	int ddir, r = 0;

	ddir = openat(t->root->fd, PCI_DRIVERS, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ddir >= 0 && vs_list_dir(ddir, ".", &drivers, &n_drivers) == -ENOMEM)
		r = -ENOMEM;
	for (i = 0; i < n_drivers && r == 0; i++) {
		char **bound = NULL;
		size_t n_bound = 0;

		if (vs_list_dir(ddir, drivers[i], &bound, &n_bound) == -ENOMEM)
			r = -ENOMEM;
		for (j = 0; j < n_bound && r == 0; j++) {
			struct pci_ent key = { .name = bound[j] };
			struct vs_device **found, *dev;

			if (!vs_parse_pci_name(bound[j], &key.domain, &key.bus, &key.dev, &key.fn))
				continue;
			found = bsearch(&key, t->devices, t->n_devices, sizeof(*t->devices),
					ent_dev_cmp);
			if (!found)
				continue;
			dev = *found;
			if (dev->driver)
				r = vs_device_problem(dev, VS_DEVERR_DRIVER,
					"bound to %s and to %s at once", dev->driver, drivers[i]);
			else if (!(dev->driver = strdup(drivers[i])))
				r = -ENOMEM;
		}
		vs_free_names(bound, n_bound);
	}
	vs_free_names(drivers, n_drivers);
	if (ddir >= 0)
		close(ddir);
	for (i = 0; i < t->n_devices && r == 0; i++) {
		struct vs_device *dev = t->devices[i];

		/* The kernel's multifunction rule as far as it goes without config space. */
		dev->pci->multifunction = dev->pci->fn > 0;
		if (!dev->driver)
			r = vs_scan_driver_link(dev, devfd, dev->name);
	}
	return r;
}

int vs_scan_pci(struct vs_scan *sc)
{
	struct vs_root *root = sc->topo->root;
	struct pci_ent *ents = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	fd = openat(root->fd, PCI_DEVICES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT || r == -ENOTDIR)
			return vs_err_set(sc->err, -ENOENT,
				"%s has no sys/bus/pci/devices: not a Linux system root",
				root->path);
		return vs_err_set(sc->err, r, "cannot read %s/%s: %s", root->live ? "" : root->path,
				  PCI_DEVICES, strerror(-r));
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return vs_err_set(sc->err, -ENOMEM, "out of memory");
	}
	while ((de = readdir(d))) {
		struct pci_ent e;

		if (de->d_name[0] == '.')
			continue;
		if (!vs_parse_pci_name(de->d_name, &e.domain, &e.bus, &e.dev, &e.fn)) {
			char *esc = vs_escape_value(de->d_name, 64);

			r = esc ? vs_topology_warn(sc->topo, "%s/%s is not a PCI address; ignored",
						   PCI_DEVICES, esc) : -ENOMEM;
			free(esc);
			if (r < 0)
				goto out;
			continue;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct pci_ent *ne = realloc(ents, nc * sizeof(*ne));

			if (!ne) {
				r = -ENOMEM;
				goto out;
			}
			ents = ne;
			cap = nc;
		}
		e.name = strdup(de->d_name);
		if (!e.name) {
			r = -ENOMEM;
			goto out;
		}
		ents[n++] = e;
	}
	if (n)
		qsort(ents, n, sizeof(*ents), ent_cmp);
	sc->scratch = calloc(n ? n : 1, sizeof(*sc->scratch));
	if (!sc->scratch) {
		r = -ENOMEM;
		goto out;
	}
	sc->n_scratch = n;
	for (i = 0; i < n; i++) {
		struct vs_device *dev = vs_scan_add_device(sc, VS_BUS_PCI, ents[i].name);

		if (!dev || !(dev->pci = new_pci(&ents[i]))) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (sc->what & VS_SCAN_LINKS_ONLY) {
		r = read_driver_dirs(sc, dirfd(d));
	} else {
		struct read_ctx c = { .sc = sc, .dfd = dirfd(d) };

		r = vs_parallel_for(n, read_one, &c);
		if (r == 0)
			r = drop_vanished(sc);
	}
	sc->topo->n_pci = sc->topo->n_devices;
out:
	for (i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
	closedir(d);
	if (r == -ENOMEM)
		return vs_err_set(sc->err, r, "out of memory");
	return r;
}

static bool is_host_bridge_name(const char *s)
{
	unsigned dom, bus;
	int end = 0;

	return strncmp(s, "pci", 3) == 0 &&
	       sscanf(s + 3, "%x:%2x%n", &dom, &bus, &end) == 2 && s[3 + end] == '\0';
}

/*
 * Walk the syspath upward: the parent is the nearest ancestor directory that
 * is a PCI device of the model; the nearest pciDDDD:BB directory is the root
 * bus; a host bridge with a PCI device above it is a VMD domain, whose
 * controller is that device.
 */
static int link_parent(struct vs_scan *sc, struct vs_device *dev)
{
	struct vs_pci *pci = dev->pci;
	char *path = strdup(dev->syspath), *slash, *comp;
	bool bridge_seen = false, first = true;

	if (!path)
		return -ENOMEM;
	while ((slash = strrchr(path, '/'))) {
		struct vs_device *up;

		*slash = '\0';
		comp = strrchr(path, '/');
		comp = comp ? comp + 1 : path;
		if (is_host_bridge_name(comp)) {
			pci->on_root_bus |= first;
			if (!pci->root_bus && !(pci->root_bus = strdup(comp))) {
				free(path);
				return -ENOMEM;
			}
			bridge_seen = true;
			first = false;
			continue;
		}
		first = false;
		up = vs_strmap_get(&sc->priv->by_path, path);
		if (!up || up->bus != VS_BUS_PCI)
			continue;
		if (!dev->parent)
			dev->parent = up;
		if (bridge_seen) {
			/* A host bridge inside a PCI device: a VMD domain and its controller. */
			pci->vmd = up;
			break;
		}
	}
	free(path);
	return 0;
}

static enum vs_port_type corrected_type(struct vs_device *dev, unsigned depth)
{
	struct vs_pci *pci = dev->pci;
	struct vs_device *up = dev->parent;
	enum vs_port_type ptype = VS_PORT_UNKNOWN;

	if (pci->pcie != VS_YES)
		return pci->port_type;
	if (pci->port_type != pci->port_type_raw || depth > 256)
		return pci->port_type;
	/* pci_upstream_bridge(): none on a root bus, including a VMD root bus. */
	if (up && !(pci->vmd == up) && up->pci)
		ptype = corrected_type(up, depth + 1);
	pci->port_type = vs_pci_correct_port_type(pci->port_type_raw, ptype);
	return pci->port_type;
}

static int link_vfs(struct vs_scan *sc)
{
	struct vs_topology *t = sc->topo;
	size_t i, j;
	int r;

	for (i = 0; i < t->n_pci; i++) {
		struct vs_device *vf = t->devices[i], *pf;
		struct vs_pci_scratch *s = &sc->scratch[i];
		struct vs_device **nv;

		if (!s->physfn)
			continue;
		pf = vs_strmap_get(&sc->priv->by_name, s->physfn);
		if (!pf || pf->bus != VS_BUS_PCI || pf == vf) {
			char *esc = vs_escape_value(s->physfn, 64);

			r = esc ? vs_device_problem(vf, VS_DEVERR_ATTR,
				"physfn: %s is not a PCI device of this system", esc) : -ENOMEM;
			free(esc);
			if (r < 0)
				return r;
			continue;
		}
		vf->pci->physfn = pf;
		nv = realloc(pf->pci->vfs, (pf->pci->n_vfs + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		pf->pci->vfs = nv;
		nv[pf->pci->n_vfs++] = vf;
	}
	/* With the PF's virtfnN links read, list the VFs in that order. */
	for (i = 0; i < t->n_pci; i++) {
		struct vs_device *pf = t->devices[i];
		struct vs_pci_scratch *s = &sc->scratch[i];
		struct vs_device **ordered;
		size_t n = 0;

		if (!s->virtfn_read)
			continue;
		ordered = calloc(s->n_virtfn + pf->pci->n_vfs + 1, sizeof(*ordered));
		if (!ordered)
			return -ENOMEM;
		for (j = 0; j < s->n_virtfn; j++) {
			struct vs_device *vf = vs_strmap_get(&sc->priv->by_name, s->virtfn[j]);

			if (vf && vf->bus == VS_BUS_PCI && vf->pci->physfn == pf) {
				ordered[n++] = vf;
				continue;
			}
			r = vs_device_problem(pf, VS_DEVERR_ATTR,
				"virtfn%zu: does not point to a VF of this device", j);
			if (r < 0) {
				free(ordered);
				return r;
			}
		}
		/* VFs that name this PF but have no virtfn link come last. */
		for (j = 0; j < pf->pci->n_vfs; j++) {
			size_t k;

			for (k = 0; k < n && ordered[k] != pf->pci->vfs[j]; k++)
				;
			if (k == n)
				ordered[n++] = pf->pci->vfs[j];
		}
		free(pf->pci->vfs);
		pf->pci->vfs = ordered;
		pf->pci->n_vfs = n;
	}
	return 0;
}

int vs_scan_link_pci(struct vs_scan *sc)
{
	struct vs_topology *t = sc->topo;
	size_t i;
	int r;

	if (sc->what & VS_SCAN_LINKS_ONLY)
		return 0;	/* no syspaths: nothing to link */
	for (i = 0; i < t->n_pci; i++) {
		r = link_parent(sc, t->devices[i]);
		if (r < 0)
			return r;
	}
	for (i = 0; i < t->n_pci; i++)
		corrected_type(t->devices[i], 0);
	return link_vfs(sc);
}
