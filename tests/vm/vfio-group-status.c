/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio-group-status N: ask VFIO itself whether IOMMU group N is usable, the
 * oracle of the VM tests (tests/vm/guest.py). Binding one member of a shared
 * group "succeeds" and /dev/vfio/N even opens; only the group status ioctl
 * and attaching the group to a container tell the truth.
 *
 * Prints one line:
 *   viable=1 container=ok              usable by a VM
 *   viable=0 container=EPERM           some member is on a DMA-API driver
 *   error: open /dev/vfio/N: ENOENT    no member is bound to vfio-pci
 * Exit status: 0 viable and attached, 1 not, 2 the question could not be asked.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case EACCES: return "EACCES";
	case ENODEV: return "ENODEV";
	default: return strerror(e);
	}
}

int main(int argc, char **argv)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char *path = NULL, *end = NULL;
	int group, container, viable, attached;
	long n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s GROUP\n", argv[0]);
		return 2;
	}
	n = strtol(argv[1], &end, 10);
	if (!*argv[1] || *end || n < 0) {
		fprintf(stderr, "%s: bad group number '%s'\n", argv[0], argv[1]);
		return 2;
	}
	if (asprintf(&path, "/dev/vfio/%ld", n) < 0)
		return 2;
	group = open(path, O_RDWR | O_CLOEXEC);
	if (group < 0) {
		printf("error: open %s: %s\n", path, errname(errno));
		free(path);
		return 2;
	}
	free(path);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) < 0) {
		printf("error: VFIO_GROUP_GET_STATUS: %s\n", errname(errno));
		close(group);
		return 2;
	}
	viable = !!(status.flags & VFIO_GROUP_FLAGS_VIABLE);

	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0) {
		printf("error: open /dev/vfio/vfio: %s\n", errname(errno));
		close(group);
		return 2;
	}
	attached = ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) == 0;
	printf("viable=%d container=%s\n", viable, attached ? "ok" : errname(errno));
	if (attached)
		ioctl(group, VFIO_GROUP_UNSET_CONTAINER);
	close(container);
	close(group);
	return viable && attached ? 0 : 1;
}
