// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PCI config space as the kernel interprets it: header type, the standard
 * capability list (for the PCI Express capability and its port type) and the
 * extended capability list (for ACS). Pure functions over a buffer, so the
 * unit tests can feed crafted and hostile bytes. Every pointer is checked
 * against the bytes actually read; every list walk has a loop guard.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "scan.h"

#define CFG_HEADER_SIZE 64
#define CFG_SPACE_SIZE 256
#define CFG_EXP_SIZE 4096

#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_HEADER_TYPE 0x0e
#define PCI_CAPABILITY_LIST 0x34
#define PCI_CB_CAPABILITY_LIST 0x14
#define PCI_CAP_ID_EXP 0x10
#define PCI_EXT_CAP_ID_ACS 0x000d

/* The kernel gives up after this many standard capabilities (PCI_FIND_CAP_TTL). */
#define CAP_TTL 48
/* ...and after this many extended ones: (4096 - 256) / 8. */
#define EXT_CAP_TTL 480

static unsigned rd8(const uint8_t *c, size_t off)
{
	return c[off];
}

static unsigned rd16(const uint8_t *c, size_t off)
{
	return (unsigned)c[off] | (unsigned)c[off + 1] << 8;
}

static uint32_t rd32(const uint8_t *c, size_t off)
{
	return (uint32_t)c[off] | (uint32_t)c[off + 1] << 8 |
	       (uint32_t)c[off + 2] << 16 | (uint32_t)c[off + 3] << 24;
}

enum vs_port_type vs_port_type_from_reg(unsigned type)
{
	switch (type) {
	case 0: return VS_PORT_ENDPOINT;
	case 1: return VS_PORT_LEGACY_ENDPOINT;
	case 4: return VS_PORT_ROOT_PORT;
	case 5: return VS_PORT_UPSTREAM;
	case 6: return VS_PORT_DOWNSTREAM;
	case 7: return VS_PORT_PCIE_TO_PCI;
	case 8: return VS_PORT_PCI_TO_PCIE;
	case 9: return VS_PORT_RCIEP;
	case 10: return VS_PORT_RCEC;
	default: return VS_PORT_OTHER;
	}
}

enum vs_port_type vs_pci_correct_port_type(enum vs_port_type raw,
					   enum vs_port_type parent)
{
	/*
	 * probe.c:set_pcie_port_type(): a "downstream port" below a port that
	 * is itself downstream-facing (root port, downstream port, PCI-to-PCIe
	 * bridge) must be an upstream port, and an "upstream port" below an
	 * upstream port must be a downstream port.
	 */
	if (raw == VS_PORT_DOWNSTREAM &&
	    (parent == VS_PORT_ROOT_PORT || parent == VS_PORT_DOWNSTREAM ||
	     parent == VS_PORT_PCI_TO_PCIE))
		return VS_PORT_UPSTREAM;
	if (raw == VS_PORT_UPSTREAM && parent == VS_PORT_UPSTREAM)
		return VS_PORT_DOWNSTREAM;
	return raw;
}

static bool all_ones(const uint8_t *cfg, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (cfg[i] != 0xff)
			return false;
	return true;
}

static void set_unknown_caps(struct vs_pci *pci)
{
	pci->pcie = VS_UNKNOWN;
	pci->pcie_cap_offset = 0;
	pci->port_type_raw = VS_PORT_UNKNOWN;
	pci->port_type = VS_PORT_UNKNOWN;
	memset(&pci->acs, 0, sizeof(pci->acs));
	pci->acs.present = VS_UNKNOWN;
}

/*
 * Walk the standard list for the PCI Express capability. The whole list is
 * walked (it is in memory) so that a malformed list is flagged even when
 * the PCIe capability comes before the damage; what was found stays valid.
 */
static int walk_caps(struct vs_device *dev, const uint8_t *cfg, size_t len)
{
	struct vs_pci *pci = dev->pci;
	uint8_t seen[CFG_SPACE_SIZE / 4];
	unsigned ptr;
	int ttl = CAP_TTL;

	pci->pcie = VS_NO;
	pci->port_type_raw = VS_PORT_PCI;
	if (!(rd16(cfg, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	memset(seen, 0, sizeof(seen));
	ptr = rd8(cfg, pci->header_layout == 2 ? PCI_CB_CAPABILITY_LIST
					       : PCI_CAPABILITY_LIST);
	while (ptr) {
		unsigned id;

		ptr &= 0xfc;
		if (ptr < CFG_HEADER_SIZE || ptr + 4 > len) {
			if (pci->pcie == VS_NO) {
				pci->pcie = VS_UNKNOWN;
				pci->port_type_raw = VS_PORT_UNKNOWN;
			}
			return vs_device_problem(dev, VS_DEVERR_CONFIG,
				"config: capability pointer 0x%02x is outside the capability area", ptr);
		}
		if (seen[ptr / 4] || --ttl < 0) {
			/* A loop: what was found so far is real, the rest unknown. */
			if (pci->pcie == VS_NO) {
				pci->pcie = VS_UNKNOWN;
				pci->port_type_raw = VS_PORT_UNKNOWN;
			}
			return vs_device_problem(dev, VS_DEVERR_CONFIG,
				"config: capability list loops at 0x%02x", ptr);
		}
		seen[ptr / 4] = 1;
		id = rd8(cfg, ptr);
		if (id == 0xff)
			break;
		/* Like pci_find_capability(): the first PCIe capability counts. */
		if (id == PCI_CAP_ID_EXP && pci->pcie != VS_YES) {
			pci->pcie = VS_YES;
			pci->pcie_cap_offset = (uint8_t)ptr;
			pci->port_type_raw = vs_port_type_from_reg((rd16(cfg, ptr + 2) >> 4) & 0xf);
		}
		ptr = rd8(cfg, ptr + 1);
	}
	return 0;
}

/*
 * Walk the extended list from 0x100 for the ACS capability, with the stop
 * rules of lspci's ls-ecaps.c. As above, the whole list is checked; damage
 * after the ACS capability is flagged but keeps what was found.
 */
static int walk_ext_caps(struct vs_device *dev, const uint8_t *cfg, size_t len)
{
	struct vs_acs *acs = &dev->pci->acs;
	uint8_t seen[CFG_EXP_SIZE / 4];
	unsigned off = CFG_SPACE_SIZE;
	int ttl = EXT_CAP_TTL;

	memset(acs, 0, sizeof(*acs));
	memset(seen, 0, sizeof(seen));
	acs->present = VS_NO;
	for (;;) {
		uint32_t hdr;
		unsigned next;

		if (off + 4 > len) {
			if (acs->present != VS_YES)
				acs->present = VS_UNKNOWN;
			return vs_device_problem(dev, VS_DEVERR_CONFIG,
				"config: extended capability at 0x%03x lies beyond the %zu bytes read",
				off, len);
		}
		if (seen[off / 4] || --ttl < 0) {
			if (acs->present != VS_YES)
				acs->present = VS_UNKNOWN;
			return vs_device_problem(dev, VS_DEVERR_CONFIG,
				"config: extended capability list loops at 0x%03x", off);
		}
		seen[off / 4] = 1;
		hdr = rd32(cfg, off);
		if (hdr == 0 || hdr == 0xffffffffu)
			return 0;
		if ((hdr & 0xffff) == PCI_EXT_CAP_ID_ACS && acs->present != VS_YES) {
			if (off + 8 > len) {
				acs->present = VS_UNKNOWN;
				return vs_device_problem(dev, VS_DEVERR_CONFIG,
					"config: ACS capability at 0x%03x is cut off", off);
			}
			acs->present = VS_YES;
			acs->offset = (uint16_t)off;
			acs->cap = (uint16_t)rd16(cfg, off + 4);
			acs->ctrl = (uint16_t)rd16(cfg, off + 6);
			acs->dword8 = off + 12 <= len ? rd32(cfg, off + 8) : 0;
		}
		next = (hdr >> 20) & 0xffc;
		if (!next)
			return 0;
		if (next < CFG_SPACE_SIZE) {
			if (acs->present != VS_YES)
				acs->present = VS_UNKNOWN;
			return vs_device_problem(dev, VS_DEVERR_CONFIG,
				"config: extended capability at 0x%03x points back to 0x%03x",
				off, next);
		}
		off = next;
	}
}

int vs_pci_parse_config(struct vs_device *dev, const uint8_t *cfg, size_t len,
			size_t wanted, bool *restricted)
{
	struct vs_pci *pci = dev->pci;
	unsigned cvendor, cdevice;
	int r;

	set_unknown_caps(pci);
	pci->cfg = VS_CFG_NONE;
	if (len < CFG_HEADER_SIZE) {
		if (!len)
			return 0;
		return vs_device_problem(dev, VS_DEVERR_CONFIG,
					 "config: short read, %zu bytes", len);
	}
	if (all_ones(cfg, CFG_HEADER_SIZE))
		return vs_device_problem(dev, VS_DEVERR_CONFIG,
			"config: reads as all ones (device powered off or gone)");
	cvendor = rd16(cfg, 0);
	cdevice = rd16(cfg, 2);
	/*
	 * A VF's own Vendor/Device registers read 0xffff; anything else that
	 * disagrees with the kernel's view means the file is not this device's
	 * config space, and nothing in it can be trusted.
	 */
	if (pci->ids_valid && !(cvendor == 0xffff && cdevice == 0xffff) &&
	    (cvendor != pci->vendor || cdevice != pci->device))
		return vs_device_problem(dev, VS_DEVERR_CONFIG,
			"config: IDs %04x:%04x in config space do not match sysfs %04x:%04x (malformed config)",
			cvendor, cdevice, pci->vendor, pci->device);
	if (!pci->ids_valid && cvendor != 0xffff) {
		pci->vendor = (uint16_t)cvendor;
		pci->device = (uint16_t)cdevice;
		pci->class_code = rd32(cfg, 8) >> 8;
		pci->ids_valid = true;
		r = vs_device_problem(dev, 0, "IDs taken from config space");
		if (r < 0)
			return r;
	}

	pci->cfg = VS_CFG_HEADER;
	pci->header_layout = (int)(rd8(cfg, PCI_HEADER_TYPE) & 0x7f);
	/* probe.c: function 0's header bit; any other function found by the slot scan; never a VF. */
	if (pci->is_vf)
		pci->multifunction = false;
	else if (pci->fn > 0)
		pci->multifunction = true;
	else
		pci->multifunction = (rd8(cfg, PCI_HEADER_TYPE) & 0x80) != 0;
	if (pci->revision < 0)
		pci->revision = (int)rd8(cfg, 8);
	if (pci->header_layout == 0 && !pci->subvendor && !pci->subdevice) {
		pci->subvendor = (uint16_t)rd16(cfg, 0x2c);
		pci->subdevice = (uint16_t)rd16(cfg, 0x2e);
	}
	if (pci->header_layout == 1 || pci->header_layout == 2) {
		pci->secondary_bus = (int)rd8(cfg, 0x19);
		pci->subordinate_bus = (int)rd8(cfg, 0x1a);
		if (pci->secondary_bus > pci->subordinate_bus) {
			r = vs_device_problem(dev, VS_DEVERR_CONFIG,
				"config: bridge bus numbers make no sense (secondary %02x above subordinate %02x)",
				(unsigned)pci->secondary_bus, (unsigned)pci->subordinate_bus);
			if (r < 0)
				return r;
		}
	}

	if (len < CFG_SPACE_SIZE) {
		/* Cut at 64 (128 for CardBus) while more was asked: a non-root read. */
		if (wanted > len && restricted)
			*restricted = true;
		return 0;
	}
	pci->cfg = VS_CFG_FULL;
	r = walk_caps(dev, cfg, len);
	if (r < 0)
		return r;
	pci->port_type = pci->port_type_raw;
	if (pci->pcie == VS_NO) {
		/* Conventional PCI has no extended config space, hence no ACS. */
		pci->acs.present = VS_NO;
		return 0;
	}
	if (pci->pcie != VS_YES || len <= CFG_SPACE_SIZE)
		return 0;	/* ACS stays unknown: no extended config to read */
	return walk_ext_caps(dev, cfg, len);
}
