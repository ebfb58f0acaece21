// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Platform, AMBA and fsl-mc devices (VS_SCAN_PLATFORM): the buses that VFIO
 * serves on ARM boards. Each device gets its driver, override and group like
 * a PCI function, plus its device-tree node (platform, AMBA) or its DPRC
 * container (fsl-mc).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan.h"

#define DT_BASE "sys/firmware/devicetree/base"

static int name_cmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

static int read_of_node(struct vs_device *dev, int fd)
{
	struct vs_platform *plat = dev->plat;
	char *target, *path, *s;
	size_t blen = strlen(DT_BASE);
	ssize_t n;
	int r;

	r = vs_readlink_at(fd, "of_node", &target);
	if (r == -ENOENT || r == -ENOMEM)
		return r == -ENOMEM ? r : 0;
	if (r < 0)
		return vs_device_problem(dev, VS_DEVERR_ATTR, "of_node: cannot read link (%s)",
					 strerror(-r));
	path = vs_path_join_link(dev->syspath, target);
	free(target);
	if (!path)
		return -ENOMEM;
	if (strncmp(path, DT_BASE, blen) != 0 || (path[blen] && path[blen] != '/')) {
		char *esc = vs_escape_value(path, 120);

		free(path);
		if (!esc)
			return -ENOMEM;
		r = vs_device_problem(dev, VS_DEVERR_ATTR,
				      "of_node: link points outside the device tree (%s)", esc);
		free(esc);
		return r;
	}
	plat->of_node = strdup(path[blen] ? path + blen : "/");
	free(path);
	if (!plat->of_node)
		return -ENOMEM;
	/* compatible is a list of NUL-terminated strings: the first is the most specific. */
	n = vs_scan_attr(fd, "of_node/compatible", &s);
	if (n == -ENOMEM)
		return -ENOMEM;
	if (n >= 0) {
		plat->compatible = strdup(s);
		free(s);
		if (!plat->compatible)
			return -ENOMEM;
	}
	return 0;
}

static int read_modalias(struct vs_device *dev, int fd)
{
	ssize_t n = vs_scan_attr(fd, "modalias", &dev->plat->modalias);

	return n == -ENOMEM ? -ENOMEM : 0;
}

static int scan_one(struct vs_scan *sc, int dfd, const char *busdir, enum vs_bus bus,
		    const char *name)
{
	struct vs_device *dev;
	char *syspath;
	int r, fd;

	r = vs_scan_resolve_link(dfd, busdir, name, &syspath);
	if (r == -ENOMEM)
		return r;
	if (r == -ENOENT)
		return vs_topology_warn(sc->topo, "%s vanished during the scan; skipped", name);
	dev = vs_scan_add_device(sc, bus, name);
	if (!dev) {
		free(syspath);
		return -ENOMEM;
	}
	dev->syspath = syspath;
	if (bus == VS_BUS_FSL_MC) {
		const char *dot = strrchr(name, '.');

		dev->mc = calloc(1, sizeof(*dev->mc));
		if (!dev->mc)
			return -ENOMEM;
		dev->mc->obj_type = dot ? strndup(name, (size_t)(dot - name)) : strdup(name);
		if (!dev->mc->obj_type)
			return -ENOMEM;
		dev->mc->obj_id = dot ? atoi(dot + 1) : -1;
	} else {
		dev->plat = calloc(1, sizeof(*dev->plat));
		if (!dev->plat)
			return -ENOMEM;
	}
	if (r == -EINVAL &&
	    vs_device_problem(dev, VS_DEVERR_PATH, "%s/%s is not a symlink to the device",
			      busdir, name) < 0)
		return -ENOMEM;
	if (sc->what & VS_SCAN_LINKS_ONLY)
		return vs_scan_driver_link(dev, dfd, name);
	fd = vs_scan_open_device(dev, dfd, name);
	if (fd == -ENOMEM)
		return fd;
	if (fd < 0)
		return 0;
	r = vs_scan_common_attrs(dev, fd);
	if (!r && dev->plat)
		r = read_of_node(dev, fd);
	if (!r && dev->plat)
		r = read_modalias(dev, fd);
	close(fd);
	return r;
}

static int scan_bus(struct vs_scan *sc, enum vs_bus bus)
{
	char *busdir, **names = NULL;
	size_t n = 0, i;
	int fd, r = 0;

	if (asprintf(&busdir, "sys/bus/%s/devices", vs_bus_name(bus)) < 0)
		return -ENOMEM;
	fd = openat(sc->topo->root->fd, busdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		r = vs_list_dir(fd, ".", &names, &n);
	if (fd < 0 || r < 0) {
		int e = fd < 0 ? errno : -r;

		/* No such bus on this system: normal (x86 has no AMBA, most have no fsl-mc). */
		if (e == ENOMEM)
			r = -ENOMEM;
		else
			r = e == ENOENT ? 0 : vs_topology_warn(sc->topo, "cannot read %s: %s",
							       busdir, strerror(e));
		if (fd >= 0)
			close(fd);
		free(busdir);
		return r;
	}
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n && r == 0; i++)
		r = scan_one(sc, fd, busdir, bus, names[i]);
	vs_free_names(names, n);
	close(fd);
	free(busdir);
	return r;
}

int vs_scan_platform(struct vs_scan *sc)
{
	int r;

	if ((r = scan_bus(sc, VS_BUS_PLATFORM)) < 0 || (r = scan_bus(sc, VS_BUS_AMBA)) < 0)
		return r;
	return scan_bus(sc, VS_BUS_FSL_MC);
}

int vs_scan_link_platform(struct vs_scan *sc)
{
	struct vs_topology *t = sc->topo;
	size_t i;

	for (i = t->n_pci; i < t->n_devices; i++)
		t->devices[i]->parent = vs_scan_parent_by_path(sc, t->devices[i], false);
	for (i = t->n_pci; i < t->n_devices; i++) {
		struct vs_device *dev = t->devices[i], *up;

		if (dev->bus != VS_BUS_FSL_MC)
			continue;
		/* The container is the nearest DPRC above: fsl-mc nests objects in their dprc. */
		for (up = dev->parent; up && up->bus == VS_BUS_FSL_MC; up = up->parent) {
			if (up->mc && vs_streq(up->mc->obj_type, "dprc")) {
				dev->mc->container = up;
				break;
			}
		}
	}
	return 0;
}
