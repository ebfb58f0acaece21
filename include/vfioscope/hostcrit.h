/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host-critical devices: the PCI devices the running host needs, decided by
 * evidence read through the system root, never by class-name substrings.
 *
 * Evidence sources (all relative to topo->root):
 *  - proc/self/mountinfo: block devices of mounted filesystems (the root
 *    filesystem first), resolved through sys/dev/block/MAJ:MIN (or the mount
 *    source under dev/) to the PCI ancestor; dm/md/LVM devices are followed
 *    through their `slaves/` to the disks below;
 *  - proc/swaps: swap partitions and swap files (through the filesystem that
 *    holds the file);
 *  - sys/class/block/NAME/holders: a disk or partition holding an md/LVM/dm
 *    stack;
 *  - sys/class/net/IFACE: an interface that is up (flags, operstate) and has
 *    a route (proc/net/route, proc/net/ipv6_route) or a global IPv6 address
 *    (proc/net/if_inet6), directly or as a port of an upper device (bridge,
 *    bond, VLAN) that has;
 *  - the boot VGA device (boot_vga = 1) while a framebuffer console or a DRM
 *    driver uses it (sys/class/graphics, sys/class/vtconsole, sys/class/drm);
 *  - PCI class codes of host bridges (0600), ISA/LPC bridges (0601) and SMBus
 *    controllers (0c05).
 */
#ifndef VFIOSCOPE_HOSTCRIT_H
#define VFIOSCOPE_HOSTCRIT_H

#include <stddef.h>

#include "vfioscope/topology.h"
#include "vfioscope/util.h"

/**
 * struct vs_hostcrit - one verdict.
 * @device: the PCI device the host needs (borrowed from the topology)
 * @evidence: one sentence, e.g. "nvme0n1p2 mounted on /"; raw system
 *            strings inside it are not sanitized (do that when printing)
 */
struct vs_hostcrit {
	const struct vs_device *device;
	char *evidence;
};

/**
 * struct vs_hostcrit_list - every verdict; a device may appear more than
 * once, with its strongest evidence (root filesystem, swap, ...) first.
 */
struct vs_hostcrit_list {
	struct vs_hostcrit *items;
	size_t n;
};

/**
 * vs_hostcrit_scan() - find the host-critical devices of @topo.
 * @topo: a scanned topology; its root is where proc/ and sys/ are read
 * @out: receives a new list (vs_hostcrit_free())
 * @err: receives a sentence on failure
 *
 * Missing or unreadable evidence files are not errors: they simply give no
 * verdict (a fixture without proc/swaps has no swap).
 *
 * Return: 0, or -ENOMEM.
 */
int vs_hostcrit_scan(const struct vs_topology *topo, struct vs_hostcrit_list **out,
		     struct vs_err *err);

/**
 * vs_hostcrit_find() - the first (strongest) evidence that @dev is
 * host-critical, or NULL when it is not. @list may be NULL.
 */
const char *vs_hostcrit_find(const struct vs_hostcrit_list *list,
			     const struct vs_device *dev);

/** vs_hostcrit_free() - free the list; accepts NULL. */
void vs_hostcrit_free(struct vs_hostcrit_list *list);

#endif
