/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model: one owned struct vs_topology holding every device the scan
 * found (PCI functions, platform/AMBA devices, fsl-mc objects) and every
 * IOMMU group. The topology owns every node; vs_topology_free() frees all.
 * Everything a caller gets is a borrowed const pointer, valid until the free.
 *
 * The structs are public and read-only for callers: fields are documented
 * here. A field the scan could not read is marked, never guessed (see
 * vs_device.errors and the VS_UNKNOWN / -1 conventions below).
 */
#ifndef VFIOSCOPE_TOPOLOGY_H
#define VFIOSCOPE_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfioscope/sysroot.h"
#include "vfioscope/util.h"

enum vs_tristate {
	VS_UNKNOWN = -1,	/* could not be read (e.g. needs root) */
	VS_NO = 0,
	VS_YES = 1,
};

enum vs_bus {
	VS_BUS_PCI,
	VS_BUS_PLATFORM,
	VS_BUS_AMBA,
	VS_BUS_FSL_MC,
};
/** vs_bus_name() - "pci", "platform", "amba", "fsl-mc" (the sysfs bus name). */
const char *vs_bus_name(enum vs_bus bus);

/* PCI Express Device/Port Type, plus "conventional PCI" and "unknown". */
enum vs_port_type {
	VS_PORT_UNKNOWN,		/* config space not readable */
	VS_PORT_PCI,			/* no PCI Express capability */
	VS_PORT_ENDPOINT,		/* type 0 */
	VS_PORT_LEGACY_ENDPOINT,	/* type 1 */
	VS_PORT_ROOT_PORT,		/* type 4 */
	VS_PORT_UPSTREAM,		/* type 5 */
	VS_PORT_DOWNSTREAM,		/* type 6 */
	VS_PORT_PCIE_TO_PCI,		/* type 7 */
	VS_PORT_PCI_TO_PCIE,		/* type 8 */
	VS_PORT_RCIEP,			/* type 9 */
	VS_PORT_RCEC,			/* type 10 */
	VS_PORT_OTHER,			/* reserved type values */
};
/**
 * vs_port_type_name() - the stable JSON name: "endpoint", "legacy_endpoint",
 * "root_port", "upstream_port", "downstream_port", "pcie_to_pci_bridge",
 * "pci_to_pcie_bridge", "rc_integrated_endpoint", "rc_event_collector",
 * "pci", "unknown" (VS_PORT_OTHER is also "unknown").
 */
const char *vs_port_type_name(enum vs_port_type t);
/** vs_port_type_label() - short human label: "Endpoint", "Root Port", ... */
const char *vs_port_type_label(enum vs_port_type t);

/* How much of config space the scan could read. */
enum vs_cfg_access {
	VS_CFG_NONE,	/* missing, unreadable, or all-ones (device in D3cold) */
	VS_CFG_HEADER,	/* fewer than 256 bytes: non-root sees 64 */
	VS_CFG_FULL,	/* 256 bytes or more; extended caps need 4096 */
};

/* ACS Capability / Control bits (PCIe spec, pci_regs.h PCI_ACS_*). */
#define VS_ACS_SV 0x0001u	/* Source Validation */
#define VS_ACS_TB 0x0002u	/* Translation Blocking */
#define VS_ACS_RR 0x0004u	/* P2P Request Redirect */
#define VS_ACS_CR 0x0008u	/* P2P Completion Redirect */
#define VS_ACS_UF 0x0010u	/* Upstream Forwarding */
#define VS_ACS_EC 0x0020u	/* P2P Egress Control */
#define VS_ACS_DT 0x0040u	/* Direct Translated P2P */
#define VS_ACS_REQUIRED (VS_ACS_SV | VS_ACS_RR | VS_ACS_CR | VS_ACS_UF)

/**
 * vs_acs_names_add() - append the short names ("SV", "TB", "RR", "CR", "UF",
 * "EC", "DT", in register order) of the VS_ACS_* bits set in @flags to @sb,
 * separated by @sep. Return: how many names were appended.
 */
size_t vs_acs_names_add(struct vs_strbuf *sb, unsigned flags, const char *sep);

/**
 * struct vs_acs - the ACS extended capability as read from config space.
 * @present: VS_YES capability found, VS_NO not in the extended list,
 *           VS_UNKNOWN extended config not readable (non-root, 256-byte
 *           config, unreadable): never report VS_UNKNOWN as "no ACS"
 * @offset: config offset of the capability header (0 when not present)
 * @cap: ACS Capability register (cap+4, 16 bit)
 * @ctrl: ACS Control register (cap+6, 16 bit)
 * @dword8: the dword at cap+8 (Egress Control Vector, or on Intel SPT/UPT
 *          root ports the real Control register: see the quirk table)
 */
struct vs_acs {
	enum vs_tristate present;
	uint16_t offset;
	uint16_t cap;
	uint16_t ctrl;
	uint32_t dword8;
};

struct vs_device;

/**
 * struct vs_pci - PCI facts of one function (vs_device.pci).
 *
 * IDs come from the sysfs attributes `vendor`, `device`, `class` (the
 * kernel's view, right for SR-IOV VFs); revision, subsystem IDs and header
 * type from the attributes when present, else from config space.
 * Integers that could not be read are -1.
 */
struct vs_pci {
	unsigned domain;	/* any width: VMD domains are 0x10000 and up */
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint16_t subvendor, subdevice;
	uint32_t class_code;	/* 24 bit: class, subclass, prog-if */
	int revision;		/* -1 unknown */
	int header_layout;	/* header type bits 6:0: 0 normal, 1 bridge, 2 CardBus; -1 unknown */
	bool multifunction;	/* the kernel's view: fn 0 header bit 7; fn > 0 always; VFs never */
	bool ids_valid;		/* vendor/device/class were read */

	enum vs_cfg_access cfg;
	size_t cfg_size;	/* size of the config file (stat) */
	enum vs_tristate pcie;	/* PCI Express capability present */
	uint8_t pcie_cap_offset;
	enum vs_port_type port_type_raw;	/* as the register says */
	enum vs_port_type port_type;		/* after the kernel's type correction */
	struct vs_acs acs;

	int secondary_bus, subordinate_bus;	/* bridges only, else -1 */

	/* Topology. */
	bool on_root_bus;		/* parent directory is a host bridge pciDDDD:BB */
	char *root_bus;			/* "pci0000:00" style name of the host bridge above, if any */
	struct vs_device *vmd;		/* VMD controller when this device is in a VMD domain */
	bool is_vf;
	struct vs_device *physfn;	/* VF -> PF */
	struct vs_device **vfs;		/* PF -> VFs in virtfnN order */
	size_t n_vfs;
	int sriov_totalvfs, sriov_numvfs;	/* -1 when not a PF */

	/* Attributes (NULL / -1 when absent). */
	char *reset_method;		/* "flr bus", or NULL when the file is absent */
	int boot_vga;			/* 0/1, -1 absent (not VGA class) */
	int numa_node;			/* -1 none or absent */
	char *link_speed, *link_width;		/* current_link_* */
	char *max_link_speed, *max_link_width;

	/* pci.ids names through libpci (NULL when unknown or not loaded). */
	char *vendor_name, *device_name;
};

/**
 * struct vs_dt_ref - link from a device to its device-tree node (platform
 * buses). Filled by the platform scan.
 */
struct vs_platform {
	char *of_node;		/* DT path like "/soc/ethernet@5b040000", or NULL */
	char *compatible;	/* first compatible string, or NULL */
	char *modalias;
};

struct vs_fslmc {
	char *obj_type;		/* "dprc", "dpni", "dpmac", ... */
	int obj_id;
	struct vs_device *container;	/* the dprc.N holding this object; NULL for the root dprc */
};

/* vs_device.errors: which fields could not be read. */
enum {
	VS_DEVERR_IDS		= 1u << 0,	/* vendor/device/class */
	VS_DEVERR_CONFIG	= 1u << 1,	/* config unreadable, short, malformed */
	VS_DEVERR_DRIVER	= 1u << 2,
	VS_DEVERR_OVERRIDE	= 1u << 3,
	VS_DEVERR_GROUP		= 1u << 4,
	VS_DEVERR_PATH		= 1u << 5,	/* sysfs link dangling or looping */
	VS_DEVERR_ATTR		= 1u << 6,	/* another attribute */
};

/**
 * struct vs_device - one device of any bus.
 * @bus: which bus
 * @name: the sysfs name: "0000:01:00.0", "e6055400.gpio", "dprc.2"
 * @syspath: resolved path relative to the root ("sys/devices/...")
 * @driver: bound driver name, NULL when none
 * @driver_override: NULL when none (sysfs "(null)")
 * @iommu_group: group number, -1 when the device has none
 * @errors: VS_DEVERR_* bits of fields that could not be read
 * @problems: one sentence per problem found ("config: short read, 12 bytes")
 * @parent: nearest ancestor that is a device of the model (upstream bridge
 *          for PCI, the VMD controller for a VMD root bus, the container for
 *          fsl-mc), NULL at the top
 * @children: direct children in address order (for PCI: functions whose
 *            parent is this device; VFs are children of the PF's parent,
 *            like in sysfs, and listed again in pci->vfs)
 */
struct vs_device {
	enum vs_bus bus;
	char *name;
	char *syspath;
	char *driver;
	char *driver_override;
	int iommu_group;
	unsigned errors;
	char **problems;
	size_t n_problems;
	struct vs_device *parent;
	struct vs_device **children;
	size_t n_children;
	size_t index;		/* position in vs_topology.devices */

	struct vs_pci *pci;		/* bus == VS_BUS_PCI */
	struct vs_platform *plat;	/* bus == VS_BUS_PLATFORM or VS_BUS_AMBA */
	struct vs_fslmc *mc;		/* bus == VS_BUS_FSL_MC */
};

/**
 * struct vs_group - an IOMMU group, read from sys/kernel/iommu_groups/N.
 * @id: N
 * @type: contents of `type` ("DMA", "DMA-FQ", "identity", ...), NULL if unreadable
 * @name: contents of `name` when present ("vfio-noiommu"), else NULL
 * @members: member devices in model order
 * @unknown_members: names listed in devices/ that the scan did not find
 *                   as devices (a bus the model does not read)
 * @viable: every member is unbound or on a driver that manages its own DMA
 *          (vs_driver_managed_dma())
 * @blocking: the members that make it not viable
 */
struct vs_group {
	int id;
	char *type;
	char *name;
	struct vs_device **members;
	size_t n_members;
	char **unknown_members;
	size_t n_unknown_members;
	bool viable;
	struct vs_device **blocking;
	size_t n_blocking;
};

struct vs_topology {
	struct vs_root *root;		/* owned */
	struct vs_device **devices;	/* PCI in (domain, bus, dev, fn) order, then
					 * platform, AMBA, fsl-mc by name */
	size_t n_devices;
	size_t n_pci;			/* devices[0 .. n_pci) are PCI */
	struct vs_group *groups;	/* by id */
	size_t n_groups;
	bool iommu;			/* the kernel has IOMMU groups */
	bool cfg_restricted;		/* some config space was cut to 64 bytes */
	char **warnings;		/* scan-level sentences (vanished devices, ...) */
	size_t n_warnings;
	void *priv;			/* private lookup state */
};

/* What a scan reads beyond the basics (addresses, hierarchy, drivers, groups). */
enum {
	VS_SCAN_CONFIG	= 1u << 0,	/* config space: caps, port type, ACS */
	VS_SCAN_ATTRS	= 1u << 1,	/* reset_method, link, numa, boot_vga, sriov */
	VS_SCAN_NAMES	= 1u << 2,	/* pci.ids names through libpci */
	VS_SCAN_PLATFORM = 1u << 3,	/* platform, AMBA and fsl-mc buses */
	VS_SCAN_ALL	= 0xffu,
};

/**
 * struct vs_scan_opts - what to scan.
 * @sysroot: system root directory; NULL means "/"
 * @what: VS_SCAN_* bits
 * @pci_ids: pci.ids file for names; NULL means libpci's default lookup under
 *           the system root's usr/share/misc/pci.ids, then the host's
 */
struct vs_scan_opts {
	const char *sysroot;
	unsigned what;
	const char *pci_ids;
};

/**
 * vs_topology_scan() - scan a system into a new topology.
 *
 * Unreadable or malformed files mark the field (vs_device.errors and
 * .problems) and the scan goes on; a device that vanishes mid-scan is skipped
 * with a warning. A system with no IOMMU is normal (@iommu false, no groups).
 *
 * Return: 0; -ENOENT when the root has no sys/bus/pci (not a Linux system
 * root); -ENOMEM. @err gets a sentence.
 */
int vs_topology_scan(const struct vs_scan_opts *opts, struct vs_topology **out,
		     struct vs_err *err);
/** vs_topology_free() - free everything; accepts NULL. */
void vs_topology_free(struct vs_topology *topo);

/** vs_topology_find() - exact sysfs name lookup, any bus; NULL when absent. O(1). */
const struct vs_device *vs_topology_find(const struct vs_topology *topo, const char *name);

/**
 * vs_topology_resolve() - find a device named by the user.
 *
 * Accepts a full name ("0001:03:00.0", "e6055400.gpio", "dprc.2"), a PCI
 * address without domain ("03:00.0", unambiguous only if one domain has it),
 * and is case-insensitive for hex digits.
 * Return: 0; -ENOENT no such device; -EEXIST ambiguous: @err lists the
 * candidates; -EINVAL not a device name.
 */
int vs_topology_resolve(const struct vs_topology *topo, const char *spec,
			const struct vs_device **out, struct vs_err *err);

/** vs_topology_group() - group by number; NULL when absent. */
const struct vs_group *vs_topology_group(const struct vs_topology *topo, int id);
/** vs_device_group() - the device's group, NULL when it has none. */
const struct vs_group *vs_device_group(const struct vs_topology *topo,
				       const struct vs_device *dev);

/**
 * vs_driver_managed_dma() - true for drivers that do not use the kernel DMA
 * API on the device and so keep a group viable: vfio-pci and its variant
 * drivers, pci-stub, pcieport, vfio-platform, vfio-amba, vfio-fsl-mc,
 * vfio-cdx (iommu-grouping.md §3.3). NULL (no driver) is also true.
 */
bool vs_driver_managed_dma(const char *driver);

/** vs_pci_is_bridge() - header layout 1 or 2, or class 0x0604/0x0609. */
bool vs_pci_is_bridge(const struct vs_device *dev);

#endif
