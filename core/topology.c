// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The topology: the scan's stages in order, the owner's free, and the
 * lookups callers use (by name, by user spec, by group).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "vfioscope/groupscan.h"

const char *vs_bus_name(enum vs_bus bus)
{
	switch (bus) {
	case VS_BUS_PCI: return "pci";
	case VS_BUS_PLATFORM: return "platform";
	case VS_BUS_AMBA: return "amba";
	case VS_BUS_FSL_MC: return "fsl-mc";
	}
	return "unknown";
}

/* Each port type's stable JSON name and its human label. */
static const struct {
	const char *name, *label;
} port_types[] = {
	[VS_PORT_UNKNOWN] = { "unknown", "Unknown" },
	[VS_PORT_PCI] = { "pci", "PCI" },
	[VS_PORT_ENDPOINT] = { "endpoint", "Endpoint" },
	[VS_PORT_LEGACY_ENDPOINT] = { "legacy_endpoint", "Legacy Endpoint" },
	[VS_PORT_ROOT_PORT] = { "root_port", "Root Port" },
	[VS_PORT_UPSTREAM] = { "upstream_port", "Upstream Port" },
	[VS_PORT_DOWNSTREAM] = { "downstream_port", "Downstream Port" },
	[VS_PORT_PCIE_TO_PCI] = { "pcie_to_pci_bridge", "PCIe-to-PCI Bridge" },
	[VS_PORT_PCI_TO_PCIE] = { "pci_to_pcie_bridge", "PCI-to-PCIe Bridge" },
	[VS_PORT_RCIEP] = { "rc_integrated_endpoint", "RC Integrated Endpoint" },
	[VS_PORT_RCEC] = { "rc_event_collector", "RC Event Collector" },
	[VS_PORT_OTHER] = { "unknown", "Reserved Type" },
};

const char *vs_port_type_name(enum vs_port_type t)
{
	return (unsigned)t < sizeof(port_types) / sizeof(port_types[0]) ? port_types[t].name
									: "unknown";
}

const char *vs_port_type_label(enum vs_port_type t)
{
	return (unsigned)t < sizeof(port_types) / sizeof(port_types[0]) ? port_types[t].label
									: "Unknown";
}

size_t vs_acs_names_add(struct vs_strbuf *sb, unsigned flags, const char *sep)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ .bit = VS_ACS_SV, .name = "SV" }, { .bit = VS_ACS_TB, .name = "TB" },
		{ .bit = VS_ACS_RR, .name = "RR" }, { .bit = VS_ACS_CR, .name = "CR" },
		{ .bit = VS_ACS_UF, .name = "UF" }, { .bit = VS_ACS_EC, .name = "EC" },
		{ .bit = VS_ACS_DT, .name = "DT" },
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		if (n++)
			vs_strbuf_add(sb, sep);
		vs_strbuf_add(sb, names[i].name);
	}
	return n;
}

bool vs_driver_managed_dma(const char *driver)
{
	static const char *const managed[] = {
		"vfio-pci", "pci-stub", "pcieport", "vfio-platform", "vfio-amba",
		"vfio-fsl-mc", "vfio-cdx",
	};
	static const char suffix[] = "-vfio-pci";
	static const char suffix_us[] = "_vfio_pci";
	size_t i, len;

	if (!driver)
		return true;
	for (i = 0; i < sizeof(managed) / sizeof(managed[0]); i++)
		if (strcmp(driver, managed[i]) == 0)
			return true;
	/*
	 * Variant drivers built on vfio-pci-core (mlx5_vfio_pci,
	 * hisi_acc_vfio_pci, nvgrace_gpu_vfio_pci, ...) register with a
	 * "-vfio-pci" suffix; the module names use underscores.
	 */
	len = strlen(driver);
	if (len > sizeof(suffix) - 1 &&
	    (strcmp(driver + len - (sizeof(suffix) - 1), suffix) == 0 ||
	     strcmp(driver + len - (sizeof(suffix_us) - 1), suffix_us) == 0))
		return true;
	return false;
}

bool vs_pci_is_bridge(const struct vs_device *dev)
{
	const struct vs_pci *pci = dev->pci;

	if (!pci)
		return false;
	if (pci->header_layout == 1 || pci->header_layout == 2)
		return true;
	return pci->ids_valid &&
	       ((pci->class_code >> 8) == 0x0604 || (pci->class_code >> 8) == 0x0609);
}

void vs_device_free(struct vs_device *dev)
{
	size_t i;

	if (!dev)
		return;
	free(dev->name);
	free(dev->syspath);
	free(dev->driver);
	free(dev->driver_override);
	for (i = 0; i < dev->n_problems; i++)
		free(dev->problems[i]);
	free(dev->problems);
	free(dev->children);
	if (dev->pci) {
		struct vs_pci *p = dev->pci;

		free(p->root_bus);
		free(p->vfs);
		free(p->reset_method);
		free(p->link_speed);
		free(p->link_width);
		free(p->max_link_speed);
		free(p->max_link_width);
		free(p->vendor_name);
		free(p->device_name);
		free(p);
	}
	if (dev->plat) {
		free(dev->plat->of_node);
		free(dev->plat->compatible);
		free(dev->plat->modalias);
		free(dev->plat);
	}
	if (dev->mc) {
		free(dev->mc->obj_type);
		free(dev->mc);
	}
	free(dev);
}

void vs_topology_free(struct vs_topology *topo)
{
	struct vs_topo_priv *priv;
	size_t i, j;

	if (!topo)
		return;
	for (i = 0; i < topo->n_devices; i++)
		vs_device_free(topo->devices[i]);
	free(topo->devices);
	for (i = 0; i < topo->n_groups; i++) {
		struct vs_group *g = &topo->groups[i];

		free(g->type);
		free(g->name);
		free(g->members);
		for (j = 0; j < g->n_unknown_members; j++)
			free(g->unknown_members[j]);
		free(g->unknown_members);
		free(g->blocking);
	}
	free(topo->groups);
	for (i = 0; i < topo->n_warnings; i++)
		free(topo->warnings[i]);
	free(topo->warnings);
	priv = topo->priv;
	if (priv) {
		vs_strmap_release(&priv->by_name);
		vs_strmap_release(&priv->by_path);
		free(priv);
	}
	vs_root_free(topo->root);
	free(topo);
}

static int build_maps(struct vs_scan *sc)
{
	struct vs_topology *t = sc->topo;
	size_t i;

	for (i = 0; i < t->n_devices; i++) {
		struct vs_device *dev = t->devices[i];

		if (vs_strmap_put(&sc->priv->by_name, dev->name, dev) < 0 ||
		    (dev->syspath && vs_strmap_put(&sc->priv->by_path, dev->syspath, dev) < 0))
			return -ENOMEM;
	}
	return 0;
}

static int build_children(struct vs_topology *t)
{
	size_t i;

	for (i = 0; i < t->n_devices; i++) {
		struct vs_device *dev = t->devices[i], *up = dev->parent, **nc;

		if (!up)
			continue;
		nc = realloc(up->children, (up->n_children + 1) * sizeof(*nc));
		if (!nc)
			return -ENOMEM;
		up->children = nc;
		up->children[up->n_children++] = dev;
	}
	return 0;
}

int vs_scan_names(struct vs_scan *sc)
{
	struct vs_topology *t = sc->topo;
	struct vs_names *names;
	char *why = NULL;
	size_t i;
	int r;

	r = vs_names_open(t->root, sc->opts->pci_ids, &names);
	if (r < 0)
		return r;
	for (i = 0; i < t->n_pci; i++) {
		struct vs_pci *pci = t->devices[i]->pci;

		if (!pci->ids_valid)
			continue;
		r = vs_names_lookup(names, pci->vendor, pci->device, &pci->vendor_name,
				    &pci->device_name, &why);
		if (r == -ENOENT) {
			/* No ID list: names stay unknown, which the output shows plainly. */
			r = vs_topology_warn(t, "no device names: %s",
					     why ? why : "the PCI ID list could not be read");
			break;
		}
		if (r < 0)
			break;
	}
	free(why);
	vs_names_free(names);
	return r;
}

static int scan_topology(const struct vs_scan_opts *opts, unsigned what,
			 struct vs_topology **out, struct vs_err *err)
{
	struct vs_scan sc;
	size_t i, j;
	int r;

	*out = NULL;
	memset(&sc, 0, sizeof(sc));
	sc.opts = opts;
	sc.what = what;
	sc.err = err;
	sc.topo = calloc(1, sizeof(*sc.topo));
	sc.priv = calloc(1, sizeof(*sc.priv));
	if (!sc.topo || !sc.priv) {
		free(sc.topo);
		free(sc.priv);
		return vs_err_set(err, -ENOMEM, "out of memory");
	}
	vs_strmap_init(&sc.priv->by_name);
	vs_strmap_init(&sc.priv->by_path);
	sc.priv->what = what;
	sc.topo->priv = sc.priv;
	r = vs_root_open(opts->sysroot, &sc.topo->root, err);
	if (r < 0)
		goto fail;
	r = vs_scan_pci(&sc);
	if (r == 0 && (sc.what & VS_SCAN_PLATFORM))
		r = vs_scan_platform(&sc);
	if (r == 0)
		r = vs_scan_check_drivers(&sc);
	if (r == 0)
		r = build_maps(&sc);
	if (r == 0)
		r = vs_scan_link_pci(&sc);
	if (r == 0)
		r = vs_scan_link_platform(&sc);
	if (r == 0)
		r = build_children(sc.topo);
	if (r == 0 && (sc.what & VS_SCAN_NAMES))
		r = vs_scan_names(&sc);
	if (r == 0)
		r = vs_scan_groups(&sc);
	if (r < 0)
		goto fail;
	for (i = 0; i < sc.n_scratch; i++) {
		free(sc.scratch[i].physfn);
		for (j = 0; j < sc.scratch[i].n_virtfn; j++)
			free(sc.scratch[i].virtfn[j]);
		free(sc.scratch[i].virtfn);
	}
	free(sc.scratch);
	*out = sc.topo;
	return 0;
fail:
	for (i = 0; i < sc.n_scratch; i++) {
		free(sc.scratch[i].physfn);
		for (j = 0; j < sc.scratch[i].n_virtfn; j++)
			free(sc.scratch[i].virtfn[j]);
		free(sc.scratch[i].virtfn);
	}
	free(sc.scratch);
	vs_topology_free(sc.topo);
	if (r == -ENOMEM)
		return vs_err_set(err, r, "out of memory");
	return vs_err_set(err, r, "scan failed: %s", strerror(-r));
}

int vs_topology_scan(const struct vs_scan_opts *opts, struct vs_topology **out,
		     struct vs_err *err)
{
	return scan_topology(opts, opts->what & VS_SCAN_ALL, out, err);
}

int vs_groups_scan(const char *sysroot, struct vs_topology **out, struct vs_err *err)
{
	struct vs_scan_opts opts = {
		.sysroot = sysroot,
		.what = VS_SCAN_PLATFORM,
		.pci_ids = NULL,
	};

	return scan_topology(&opts, VS_SCAN_PLATFORM | VS_SCAN_LINKS_ONLY, out, err);
}

const struct vs_device *vs_topology_find(const struct vs_topology *topo, const char *name)
{
	const struct vs_topo_priv *priv = topo ? topo->priv : NULL;

	return priv ? vs_strmap_get(&priv->by_name, name) : NULL;
}

const struct vs_group *vs_topology_group(const struct vs_topology *topo, int id)
{
	size_t lo = 0, hi = topo->n_groups;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (topo->groups[mid].id == id)
			return &topo->groups[mid];
		if (topo->groups[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct vs_group *vs_device_group(const struct vs_topology *topo,
				       const struct vs_device *dev)
{
	if (!dev || dev->iommu_group < 0)
		return NULL;
	return vs_topology_group(topo, dev->iommu_group);
}

/* "bb:dd.f" with optional domain; fills the canonical lower-case name parts. */
static bool parse_short_pci(const char *s, unsigned *bus, unsigned *dev, unsigned *fn)
{
	unsigned domain;
	char *full;
	bool ok;

	if (asprintf(&full, "0:%s", s) < 0)
		return false;
	ok = vs_parse_pci_name(full, &domain, bus, dev, fn);
	free(full);
	return ok;
}

static bool plausible_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!*p)
		return false;
	for (; *p; p++)
		if (*p <= 0x20 || *p == '/' || *p >= 0x7f)
			return false;
	return true;
}

int vs_topology_resolve(const struct vs_topology *topo, const char *spec,
			const struct vs_device **out, struct vs_err *err)
{
	unsigned domain, bus, dev, fn;
	const struct vs_device *found;
	struct vs_strbuf sb = VS_STRBUF_INIT;
	size_t i, n = 0;

	*out = NULL;
	found = vs_topology_find(topo, spec);
	if (found) {
		*out = found;
		return 0;
	}
	if (vs_parse_pci_name(spec, &domain, &bus, &dev, &fn)) {
		char *canon;

		if (asprintf(&canon, "%04x:%02x:%02x.%x", domain, bus, dev, fn) < 0)
			return vs_err_set(err, -ENOMEM, "out of memory");
		found = vs_topology_find(topo, canon);
		free(canon);
		if (found) {
			*out = found;
			return 0;
		}
		return vs_err_set(err, -ENOENT, "no PCI device %s on this system", spec);
	}
	if (parse_short_pci(spec, &bus, &dev, &fn)) {
		for (i = 0; i < topo->n_pci; i++) {
			const struct vs_pci *p = topo->devices[i]->pci;

			if (p->bus != bus || p->dev != dev || p->fn != fn)
				continue;
			if (n++)
				vs_strbuf_add(&sb, ", ");
			vs_strbuf_add(&sb, topo->devices[i]->name);
			found = topo->devices[i];
		}
		if (n == 1) {
			vs_strbuf_release(&sb);
			*out = found;
			return 0;
		}
		if (n == 0)
			return vs_err_set(err, -ENOENT, "no PCI device %s on this system", spec);
		vs_err_set(err, -EEXIST, "%s is ambiguous: it matches %s; give the domain too",
			   spec, vs_strbuf_cstr(&sb));
		vs_strbuf_release(&sb);
		return -EEXIST;
	}
	if (!plausible_name(spec))
		return vs_err_set(err, -EINVAL, "not a device name: give a PCI address such as 0000:01:00.0 or a sysfs device name");
	/* Platform names are case-sensitive, but a user may type hex in upper case. */
	for (i = topo->n_pci; i < topo->n_devices; i++) {
		if (strcasecmp(topo->devices[i]->name, spec) == 0) {
			*out = topo->devices[i];
			return 0;
		}
	}
	return vs_err_set(err, -ENOENT, "no device %s on this system", spec);
}
