/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A scan for questions about IOMMU groups only, made for hosts with
 * thousands of functions (SR-IOV): it reads links and nothing else.
 */
#ifndef VFIOSCOPE_GROUPSCAN_H
#define VFIOSCOPE_GROUPSCAN_H

#include "vfioscope/topology.h"

/**
 * vs_groups_scan() - scan a system root for its IOMMU groups.
 * @sysroot: system root directory; NULL means "/"
 *
 * The result is a normal topology (free it with vs_topology_free()) holding
 * every PCI, platform, AMBA and fsl-mc device and every group, but each
 * device carries only name, bus, driver and iommu_group (from the group's
 * devices/ listing). PCI drivers come from listing sys/bus/pci/drivers/X
 * (one listing per driver instead of one readlink per device); a device
 * no driver lists is confirmed with its own `driver` link. PCI devices have
 * no syspath, parent or children, and one that vanishes mid-scan is not
 * noticed (it is then in no group). IDs are not read (pci->ids_valid is
 * false), config space is not read (pci->cfg is VS_CFG_NONE, with no
 * problem recorded), nor are driver_override, SR-IOV links, attributes or
 * names. Groups are complete: type, name, members, unknown members,
 * viability and blocking members. Use vs_topology_scan() for anything else.
 *
 * Return: 0; -ENOENT when the root has no sys/bus/pci; -ENOMEM. @err gets
 * a sentence.
 */
int vs_groups_scan(const char *sysroot, struct vs_topology **out, struct vs_err *err);

#endif
