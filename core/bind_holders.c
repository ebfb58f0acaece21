// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who holds /dev/vfio/N. Unbinding vfio-pci from a device that a running
 * QEMU holds blocks in the kernel until QEMU lets go, and probing a member
 * of a held group fails leaving the device on no driver (qemu-lab.md), so
 * the bind refuses such devices up front and names the process.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfioscope/bind.h"

void vs_vfio_holders_free(struct vs_vfio_holders *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++) {
		free(h->items[i].comm);
		free(h->items[i].node);
		free(h->items[i].device);
	}
	free(h->items);
	free(h);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The device a /dev/vfio/devices/vfioX cdev stands for: sys/class/vfio-dev/vfioX
 * links to DEVICE/vfio-dev/vfioX. */
static char *cdev_device(const struct vs_root *root, const char *cdev)
{
	char *rel = NULL, *target = NULL, *dev = NULL, *end, *start;

	if (asprintf(&rel, "sys/class/vfio-dev/%s", cdev) < 0)
		return NULL;
	if (vs_readlink_at(root->fd, rel, &target) == 0) {
		end = strstr(target, "/vfio-dev/");
		if (end) {
			*end = '\0';
			start = strrchr(target, '/');
			dev = strdup(start ? start + 1 : target);
		}
	}
	free(rel);
	free(target);
	return dev;
}

static bool already_listed(const struct vs_vfio_holders *h, pid_t pid, const char *node)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->items[i].pid == pid && strcmp(h->items[i].node, node) == 0)
			return true;
	return false;
}

static int add_holder(const struct vs_root *root, struct vs_vfio_holders *h, int procfd,
		      pid_t pid, const char *node)
{
	struct vs_vfio_holder *n, *it;
	const char *rest = node + strlen("/dev/vfio/");
	char *comm_rel = NULL;

	if (already_listed(h, pid, node))
		return 0;
	n = realloc(h->items, (h->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	h->items = n;
	it = &h->items[h->n];
	memset(it, 0, sizeof(*it));
	it->pid = pid;
	it->group = -1;
	it->node = strdup(node);
	if (!it->node)
		return -ENOMEM;
	if (all_digits(rest))
		it->group = atoi(rest);
	else if (strncmp(rest, "noiommu-", 8) == 0 && all_digits(rest + 8))
		it->group = atoi(rest + 8);
	else if (strncmp(rest, "devices/", 8) == 0)
		it->device = cdev_device(root, rest + 8);
	if (asprintf(&comm_rel, "%ld/comm", (long)pid) >= 0) {
		if (vs_read_attr(procfd, comm_rel, &it->comm) < 0)
			it->comm = NULL;
		free(comm_rel);
	}
	h->n++;
	return 0;
}

static int scan_pid(const struct vs_root *root, struct vs_vfio_holders *h, int procfd,
		    const char *pidname)
{
	char *fdrel = NULL, *target;
	struct dirent *de;
	int fdfd, r = 0;
	DIR *d;

	if (asprintf(&fdrel, "%s/fd", pidname) < 0)
		return -ENOMEM;
	fdfd = openat(procfd, fdrel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(fdrel);
	if (fdfd < 0) {
		if (errno == EACCES || errno == EPERM)
			h->unreadable++;
		return 0;	/* gone, or a kernel thread without fd/ */
	}
	d = fdopendir(fdfd);
	if (!d) {
		close(fdfd);
		return 0;
	}
	while (r == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (vs_readlink_at(dirfd(d), de->d_name, &target) < 0)
			continue;
		if (strncmp(target, "/dev/vfio/", 10) == 0 && strcmp(target, "/dev/vfio/vfio") != 0)
			r = add_holder(root, h, procfd, (pid_t)atol(pidname), target);
		free(target);
	}
	closedir(d);
	return r;
}

int vs_vfio_holders_scan(const struct vs_root *root, struct vs_vfio_holders **out)
{
	struct vs_vfio_holders *h;
	struct dirent *de;
	int procfd, r = 0;
	DIR *d;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	procfd = openat(root->fd, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0) {
		*out = h;
		return 0;
	}
	d = fdopendir(procfd);
	if (!d) {
		close(procfd);
		*out = h;
		return 0;
	}
	while (r == 0 && (de = readdir(d)))
		if (all_digits(de->d_name))
			r = scan_pid(root, h, dirfd(d), de->d_name);
	closedir(d);
	if (r < 0) {
		vs_vfio_holders_free(h);
		return r;
	}
	*out = h;
	return 0;
}

static const struct vs_vfio_holder *holder_of(const struct vs_vfio_holders *h, int group,
					     const char *dev)
{
	size_t i;

	for (i = 0; h && i < h->n; i++) {
		if (group >= 0 && h->items[i].group == group)
			return &h->items[i];
		if (dev && vs_streq(h->items[i].device, dev))
			return &h->items[i];
	}
	return NULL;
}

const struct vs_vfio_holder *vs_vfio_holder_for(const struct vs_vfio_holders *h,
						const struct vs_topology *topo,
						const struct vs_device *dev)
{
	const struct vs_group *g = vs_device_group(topo, dev);
	const struct vs_vfio_holder *it;
	size_t i;

	it = holder_of(h, dev->iommu_group, dev->name);
	for (i = 0; !it && g && i < g->n_members; i++)
		it = holder_of(h, -1, g->members[i]->name);
	return it;
}
