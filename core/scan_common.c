// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What every bus's scan does the same way: follow the bus link to the
 * device directory (resolving the path ourselves instead of a realpath per
 * device), and read driver, driver_override and iommu_group.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan.h"

struct vs_device *vs_scan_add_device(struct vs_scan *sc, enum vs_bus bus, const char *name)
{
	struct vs_topology *t = sc->topo;
	struct vs_device *dev;

	if (t->n_devices == sc->alloc_devices) {
		size_t nc = sc->alloc_devices ? sc->alloc_devices * 2 : 64;
		struct vs_device **nd = realloc(t->devices, nc * sizeof(*nd));

		if (!nd)
			return NULL;
		t->devices = nd;
		sc->alloc_devices = nc;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	dev->name = strdup(name);
	if (!dev->name) {
		free(dev);
		return NULL;
	}
	dev->bus = bus;
	dev->iommu_group = -1;
	dev->index = t->n_devices;
	t->devices[t->n_devices++] = dev;
	return dev;
}

int vs_scan_resolve_link(int busdir_fd, const char *busdir, const char *name,
			 char **syspath)
{
	char *target;
	int r;

	*syspath = NULL;
	r = vs_readlink_at(busdir_fd, name, &target);
	if (r == -ENOENT || r == -ENOMEM)
		return r;
	if (r < 0) {
		/* Not a link (or unreadable): keep the bus entry itself as the path. */
		if (asprintf(syspath, "%s/%s", busdir, name) < 0) {
			*syspath = NULL;
			return -ENOMEM;
		}
		return -EINVAL;
	}
	*syspath = vs_path_join_link(busdir, target);
	free(target);
	return *syspath ? 0 : -ENOMEM;
}

int vs_scan_open_device(struct vs_device *dev, int busdir_fd, const char *name)
{
	int fd, e, r;

	fd = openat(busdir_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	e = errno;
	switch (e) {
	case ELOOP:
		r = vs_device_problem(dev, VS_DEVERR_PATH,
				      "sysfs link loops (too many levels of symbolic links)");
		break;
	case ENOENT:
		r = vs_device_problem(dev, VS_DEVERR_PATH,
				      "sysfs link dangles: %s does not exist", dev->syspath);
		break;
	case ENOTDIR:
		r = vs_device_problem(dev, VS_DEVERR_PATH,
				      "sysfs link does not lead to a directory");
		break;
	default:
		r = vs_device_problem(dev, VS_DEVERR_PATH, "cannot open the device directory (%s)",
				      strerror(e));
		break;
	}
	return r < 0 ? r : -e;
}

static int read_driver(struct vs_device *dev, int fd)
{
	int r;

	r = vs_link_basename(fd, "driver", &dev->driver);
	if (r == -ENOENT || r == -ENOMEM)
		return r == -ENOMEM ? r : 0;
	if (r < 0)
		return vs_device_problem(dev, VS_DEVERR_DRIVER, "driver: cannot read link (%s)",
					 strerror(-r));
	return 0;
}

static int read_override(struct vs_device *dev, int fd)
{
	char *s;
	ssize_t n;

	n = vs_scan_attr(fd, "driver_override", &s);
	if (n == -ENOENT)
		return 0;
	if (n == -ENOMEM)
		return -ENOMEM;
	if (n < 0)
		return vs_device_problem(dev, VS_DEVERR_OVERRIDE, "driver_override: cannot read (%s)",
					 strerror((int)-n));
	if (!*s || strcmp(s, "(null)") == 0) {
		free(s);
		return 0;
	}
	dev->driver_override = s;
	return 0;
}

static int read_group(struct vs_device *dev, int fd)
{
	char *s;
	int r;

	r = vs_link_basename(fd, "iommu_group", &s);
	if (r == -ENOENT || r == -ENOMEM)
		return r == -ENOMEM ? r : 0;
	if (r < 0)
		return vs_device_problem(dev, VS_DEVERR_GROUP, "iommu_group: cannot read link (%s)",
					 strerror(-r));
	if (vs_parse_int(s, 0, 0x7fffffff, &dev->iommu_group) == 0) {
		free(s);
		return 0;
	}
	return vs_device_bad_value(dev, VS_DEVERR_GROUP, "iommu_group link", s);
}

int vs_scan_driver_link(struct vs_device *dev, int busdir_fd, const char *name)
{
	char *rel;
	int r;

	if (asprintf(&rel, "%s/driver", name) < 0)
		return -ENOMEM;
	r = vs_link_basename(busdir_fd, rel, &dev->driver);
	free(rel);
	if (r == -ENOENT || r == -ENOMEM)
		return r == -ENOMEM ? r : 0;
	if (r < 0)
		return vs_device_problem(dev, VS_DEVERR_DRIVER, "driver: cannot read link (%s)",
					 strerror(-r));
	return 0;
}

int vs_scan_common_attrs(struct vs_device *dev, int fd)
{
	int r;

	if ((r = read_driver(dev, fd)) < 0 || (r = read_override(dev, fd)) < 0)
		return r;
	return read_group(dev, fd);
}

struct vs_device *vs_scan_parent_by_path(struct vs_scan *sc, const struct vs_device *dev,
					 bool bus_only)
{
	char *path, *slash;
	struct vs_device *up = NULL;

	if (!dev->syspath || !(path = strdup(dev->syspath)))
		return NULL;
	while (!up && (slash = strrchr(path, '/'))) {
		*slash = '\0';
		up = vs_strmap_get(&sc->priv->by_path, path);
		if (up && (up == dev || (bus_only && up->bus != dev->bus)))
			up = NULL;
	}
	free(path);
	return up;
}

int vs_scan_check_drivers(struct vs_scan *sc)
{
	struct vs_topology *t = sc->topo;
	struct vs_strmap seen;
	char **keys = NULL;
	size_t n_keys = 0, i;
	int r = 0;

	vs_strmap_init(&seen);
	for (i = 0; i < t->n_devices && r == 0; i++) {
		struct vs_device *dev = t->devices[i];
		char *key, **nk;
		struct stat st;
		void *known;

		if (!dev->driver)
			continue;
		/* The driver link leads to sys/bus/BUS/drivers/NAME on any real system. */
		if (asprintf(&key, "sys/bus/%s/drivers/%s", vs_bus_name(dev->bus), dev->driver) < 0) {
			r = -ENOMEM;
			break;
		}
		known = vs_strmap_get(&seen, key);
		if (known) {
			free(key);
		} else {
			bool ok = strcmp(dev->driver, ".") && strcmp(dev->driver, "..") &&
				  fstatat(t->root->fd, key, &st, 0) == 0 && S_ISDIR(st.st_mode);

			nk = realloc(keys, (n_keys + 1) * sizeof(*nk));
			if (!nk) {
				free(key);
				r = -ENOMEM;
				break;
			}
			keys = nk;
			keys[n_keys++] = key;
			/* Any non-NULL pointer will do as the value: one for yes, one for no. */
			known = ok ? (void *)&seen : (void *)&keys;
			if (vs_strmap_put(&seen, key, known) < 0) {
				r = -ENOMEM;
				break;
			}
		}
		if (known == (void *)&keys)
			r = vs_device_problem(dev, VS_DEVERR_DRIVER,
				"driver: the %s bus has no driver of that name (the driver link dangles)",
				vs_bus_name(dev->bus));
	}
	vs_strmap_release(&seen);
	vs_free_names(keys, n_keys);
	return r;
}
