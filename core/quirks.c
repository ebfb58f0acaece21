// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's PCI quirks that decide IOMMU grouping, carried as data.
 *
 * Read from Linux 6.18 (drivers/pci/quirks.c: pci_dev_acs_enabled[],
 * pci_quirk_intel_pch_acs_ids[], the Intel SPT/UPT ID ranges, and the
 * DECLARE_PCI_FIXUP_HEADER lines of the DMA-alias quirks). A newer kernel may
 * know more devices: the explanation then says "unexplained" and names this
 * version (VS_QUIRKS_KERNEL_VERSION in vfioscope/diag.h).
 *
 * The ACS table is evaluated like pci_dev_specific_acs_enabled(): entries in
 * kernel order, the first one that answers decides. The out-of-tree
 * pcie_acs_override patch appends a catch-all entry; it is modelled here when
 * the option is on the kernel command line.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "vfioscope/diag.h"
#include "diag_priv.h"

#define ANY VS_PCI_ANY

static const struct vs_acs_quirk acs_quirks[] = {
	{ .vendor = 0x1002, .device = 0x4385, .kind = VS_ACSQ_AMD_SB, .name = "pci_quirk_amd_sb_acs" },
	{ .vendor = 0x1002, .device = 0x439c, .kind = VS_ACSQ_AMD_SB, .name = "pci_quirk_amd_sb_acs" },
	{ .vendor = 0x1002, .device = 0x4383, .kind = VS_ACSQ_AMD_SB, .name = "pci_quirk_amd_sb_acs" },
	{ .vendor = 0x1002, .device = 0x439d, .kind = VS_ACSQ_AMD_SB, .name = "pci_quirk_amd_sb_acs" },
	{ .vendor = 0x1002, .device = 0x4384, .kind = VS_ACSQ_AMD_SB, .name = "pci_quirk_amd_sb_acs" },
	{ .vendor = 0x1002, .device = 0x4399, .kind = VS_ACSQ_AMD_SB, .name = "pci_quirk_amd_sb_acs" },
	{ .vendor = 0x1022, .device = 0x780f, .kind = VS_ACSQ_AMD_SB, .name = "pci_quirk_amd_sb_acs" },
	{ .vendor = 0x1022, .device = 0x7809, .kind = VS_ACSQ_AMD_SB, .name = "pci_quirk_amd_sb_acs" },
#define MF(v, d) { .vendor = (v), .device = (d), .kind = VS_ACSQ_MF_ENDPOINT, .name = "pci_quirk_mf_endpoint_acs" }
	/* Solarflare */
	MF(0x1924, 0x0903), MF(0x1924, 0x0923), MF(0x1924, 0x0a03),
	/* Intel 8257x/8259x/X5xx-class NICs */
	MF(0x8086, 0x10c6), MF(0x8086, 0x10db), MF(0x8086, 0x10dd), MF(0x8086, 0x10e1),
	MF(0x8086, 0x10f1), MF(0x8086, 0x10f7), MF(0x8086, 0x10f8), MF(0x8086, 0x10f9),
	MF(0x8086, 0x10fa), MF(0x8086, 0x10fb), MF(0x8086, 0x10fc), MF(0x8086, 0x1507),
	MF(0x8086, 0x1514), MF(0x8086, 0x151c), MF(0x8086, 0x1529), MF(0x8086, 0x152a),
	MF(0x8086, 0x154d), MF(0x8086, 0x154f), MF(0x8086, 0x1551), MF(0x8086, 0x1558),
	/* 82580 */
	MF(0x8086, 0x1509), MF(0x8086, 0x150e), MF(0x8086, 0x150f), MF(0x8086, 0x1510),
	MF(0x8086, 0x1511), MF(0x8086, 0x1516), MF(0x8086, 0x1527),
	/* 82576 */
	MF(0x8086, 0x10c9), MF(0x8086, 0x10e6), MF(0x8086, 0x10e7), MF(0x8086, 0x10e8),
	MF(0x8086, 0x150a), MF(0x8086, 0x150d), MF(0x8086, 0x1518), MF(0x8086, 0x1526),
	/* 82575 */
	MF(0x8086, 0x10a7), MF(0x8086, 0x10a9), MF(0x8086, 0x10d6),
	/* I350 */
	MF(0x8086, 0x1521), MF(0x8086, 0x1522), MF(0x8086, 0x1523), MF(0x8086, 0x1524),
	/* 82571 (quads omitted upstream: non-ACS switch) */
	MF(0x8086, 0x105e), MF(0x8086, 0x105f), MF(0x8086, 0x1060), MF(0x8086, 0x10d9),
	/* I219 */
	MF(0x8086, 0x15b7), MF(0x8086, 0x15b8),
	{ .vendor = 0x8086, .device = ANY, .kind = VS_ACSQ_RCIEP, .name = "pci_quirk_rciep_acs" },
	/* QCOM QDF2xxx, SA8775P; HXT SD4800 */
	{ .vendor = 0x17cb, .device = 0x0400, .kind = VS_ACSQ_QCOM_RP, .name = "pci_quirk_qcom_rp_acs" },
	{ .vendor = 0x17cb, .device = 0x0401, .kind = VS_ACSQ_QCOM_RP, .name = "pci_quirk_qcom_rp_acs" },
	{ .vendor = 0x17cb, .device = 0x0115, .kind = VS_ACSQ_QCOM_RP, .name = "pci_quirk_qcom_rp_acs" },
	{ .vendor = 0x1dbf, .device = 0x0401, .kind = VS_ACSQ_QCOM_RP, .name = "pci_quirk_qcom_rp_acs" },
	/* Intel PCH root ports */
	{ .vendor = 0x8086, .device = ANY, .kind = VS_ACSQ_INTEL_PCH, .name = "pci_quirk_intel_pch_acs" },
	{ .vendor = 0x8086, .device = ANY, .kind = VS_ACSQ_INTEL_SPT, .name = "pci_quirk_intel_spt_pch_acs" },
	MF(0x19a2, 0x0710),	/* Emulex BE3-R */
	MF(0x10df, 0x0720),	/* Emulex Skyhawk-R */
	{ .vendor = 0x177d, .device = ANY, .kind = VS_ACSQ_CAVIUM, .name = "pci_quirk_cavium_acs" },
	MF(0x177d, 0xa026), MF(0x177d, 0xa059), MF(0x177d, 0xa060),
#define XG(v, d) { .vendor = (v), .device = (d), .kind = VS_ACSQ_XGENE, .name = "pci_quirk_xgene_acs" }
	XG(0x10e8, 0xe004),	/* APM X-Gene */
	XG(0x1def, 0xe005), XG(0x1def, 0xe006), XG(0x1def, 0xe007), XG(0x1def, 0xe008),	/* Ampere */
	XG(0x1def, 0xe009), XG(0x1def, 0xe00a), XG(0x1def, 0xe00b), XG(0x1def, 0xe00c),
	/* Broadcom multi-function devices */
	MF(0x14e4, 0x16d7), MF(0x14e4, 0x1750), MF(0x14e4, 0x1751), MF(0x14e4, 0x1752),
	MF(0x14e4, 0x1760), MF(0x14e4, 0x1761), MF(0x14e4, 0x1762), MF(0x14e4, 0x1763),
	{ .vendor = 0x14e4, .device = 0xd714, .kind = VS_ACSQ_BRCM, .name = "pci_quirk_brcm_acs" },
#define LS(d) { .vendor = 0x0014, .device = (d), .kind = VS_ACSQ_LOONGSON, .name = "pci_quirk_loongson_acs" }
	LS(0x3c09), LS(0x3c19), LS(0x3c29), LS(0x7a09), LS(0x7a19), LS(0x7a29), LS(0x7a39),
	LS(0x7a49), LS(0x7a59), LS(0x7a69),
	{ .vendor = 0x1c36, .device = 0x0031, .kind = VS_ACSQ_AL, .name = "pci_quirk_al_acs" },
	/* Zhaoxin multi-function devices */
	MF(0x1d17, 0x3038), MF(0x1d17, 0x3104), MF(0x1d17, 0x9083),
#define NXP(d) { .vendor = 0x1957, .device = (d), .kind = VS_ACSQ_NXP_RP, .name = "pci_quirk_nxp_rp_acs" }
	/* NXP LX2xx0/LX2xx2 root ports */
	NXP(0x8d81), NXP(0x8da1), NXP(0x8d83), NXP(0x8d80), NXP(0x8da0), NXP(0x8d82),
	NXP(0x8d90), NXP(0x8db0), NXP(0x8d92), NXP(0x8d91), NXP(0x8db1), NXP(0x8d93),
	NXP(0x8d89), NXP(0x8da9), NXP(0x8d8b), NXP(0x8d88), NXP(0x8da8), NXP(0x8d8a),
	NXP(0x8d98), NXP(0x8db8), NXP(0x8d9a), NXP(0x8d99), NXP(0x8db9), NXP(0x8d9b),
	{ .vendor = 0x1d17, .device = ANY, .kind = VS_ACSQ_ZHAOXIN_PORTS, .name = "pci_quirk_zhaoxin_pcie_ports_acs" },
	{ .vendor = 0x8088, .device = ANY, .kind = VS_ACSQ_WANGXUN, .name = "pci_quirk_wangxun_nic_acs" },
#undef MF
#undef XG
#undef LS
#undef NXP
};

static const struct vs_acs_quirk override_quirk = {
	.vendor = ANY, .device = ANY, .kind = VS_ACSQ_OVERRIDE, .name = "pcie_acs_overrides",
};

/* pci_quirk_intel_pch_acs_ids[] */
static const uint16_t intel_pch_ids[] = {
	/* Ibexpeak */
	0x3b42, 0x3b43, 0x3b44, 0x3b45, 0x3b46, 0x3b47, 0x3b48, 0x3b49,
	0x3b4a, 0x3b4b, 0x3b4c, 0x3b4d, 0x3b4e, 0x3b4f, 0x3b50, 0x3b51,
	/* Cougarpoint */
	0x1c10, 0x1c11, 0x1c12, 0x1c13, 0x1c14, 0x1c15, 0x1c16, 0x1c17,
	0x1c18, 0x1c19, 0x1c1a, 0x1c1b, 0x1c1c, 0x1c1d, 0x1c1e, 0x1c1f,
	/* Pantherpoint */
	0x1e10, 0x1e11, 0x1e12, 0x1e13, 0x1e14, 0x1e15, 0x1e16, 0x1e17,
	0x1e18, 0x1e19, 0x1e1a, 0x1e1b, 0x1e1c, 0x1e1d, 0x1e1e, 0x1e1f,
	/* Lynxpoint-H */
	0x8c10, 0x8c11, 0x8c12, 0x8c13, 0x8c14, 0x8c15, 0x8c16, 0x8c17,
	0x8c18, 0x8c19, 0x8c1a, 0x8c1b, 0x8c1c, 0x8c1d, 0x8c1e, 0x8c1f,
	/* Lynxpoint-LP */
	0x9c10, 0x9c11, 0x9c12, 0x9c13, 0x9c14, 0x9c15, 0x9c16, 0x9c17,
	0x9c18, 0x9c19, 0x9c1a, 0x9c1b,
	/* Wildcat */
	0x9c90, 0x9c91, 0x9c92, 0x9c93, 0x9c94, 0x9c95, 0x9c96, 0x9c97,
	0x9c98, 0x9c99, 0x9c9a, 0x9c9b,
	/* Patsburg (X79) */
	0x1d10, 0x1d12, 0x1d14, 0x1d16, 0x1d18, 0x1d1a, 0x1d1c, 0x1d1e,
	/* Wellsburg (X99) */
	0x8d10, 0x8d11, 0x8d12, 0x8d13, 0x8d14, 0x8d15, 0x8d16, 0x8d17,
	0x8d18, 0x8d19, 0x8d1a, 0x8d1b, 0x8d1c, 0x8d1d, 0x8d1e,
	/* Lynx Point (9 series) */
	0x8c90, 0x8c92, 0x8c94, 0x8c96, 0x8c98, 0x8c9a, 0x8c9c, 0x8c9e,
};

struct id_range {
	uint16_t lo, hi;
};

/* pci_quirk_intel_spt_pch_acs_match(): Sunrise Point, Union Point, 7th/8th gen mobile. */
static const struct id_range intel_spt_ranges[] = {
	{ .lo = 0xa110, .hi = 0xa11f }, { .lo = 0xa167, .hi = 0xa16a },
	{ .lo = 0xa290, .hi = 0xa29f }, { .lo = 0xa2e7, .hi = 0xa2ee },
	{ .lo = 0x9d10, .hi = 0x9d1b },
};

static const struct id_range cavium_ranges[] = {
	{ .lo = 0xa000, .hi = 0xa7ff },	/* ThunderX1 */
	{ .lo = 0xaf84, .hi = 0xaf84 },	/* ThunderX2 */
	{ .lo = 0xb884, .hi = 0xb884 },	/* ThunderX3 */
};

static const struct id_range zhaoxin_ranges[] = {
	{ .lo = 0x0710, .hi = 0x071e }, { .lo = 0x0721, .hi = 0x0721 },
	{ .lo = 0x0723, .hi = 0x0752 },
};

static const struct id_range wangxun_ranges[] = {
	{ .lo = 0x0100, .hi = 0x010f },	/* EM */
	{ .lo = 0x1001, .hi = 0x1001 }, { .lo = 0x2001, .hi = 0x2001 },	/* SP */
	{ .lo = 0x5010, .hi = 0x5010 }, { .lo = 0x5025, .hi = 0x5025 },	/* AML */
	{ .lo = 0x5040, .hi = 0x5040 }, { .lo = 0x5110, .hi = 0x5110 },
	{ .lo = 0x5125, .hi = 0x5125 }, { .lo = 0x5140, .hi = 0x5140 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool in_ranges(const struct id_range *r, size_t n, uint16_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= r[i].lo && id <= r[i].hi)
			return true;
	return false;
}

bool vs_acs_quirk_is_intel_pch(uint16_t vendor, uint16_t device)
{
	if (vendor != 0x8086)
		return false;
	for (size_t i = 0; i < NELEM(intel_pch_ids); i++)
		if (intel_pch_ids[i] == device)
			return true;
	return false;
}

bool vs_acs_quirk_is_mf_endpoint(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < NELEM(acs_quirks); i++)
		if (acs_quirks[i].kind == VS_ACSQ_MF_ENDPOINT && acs_quirks[i].vendor == vendor &&
		    acs_quirks[i].device == device)
			return true;
	return false;
}

/* The port type as pci_pcie_type() sees it; VS_PORT_UNKNOWN when unreadable. */
static enum vs_port_type ptype(const struct vs_device *dev)
{
	if (dev->pci->pcie == VS_UNKNOWN)
		return VS_PORT_UNKNOWN;
	if (dev->pci->pcie == VS_NO)
		return VS_PORT_PCI;
	return dev->pci->port_type;
}

/* One table entry: VS_QRES_NONE means "-ENOTTY/-ENODEV: keep looking". */
static enum vs_qres eval_one(const struct vs_sysfacts *facts, const struct vs_acs_quirk *q,
			     const struct vs_device *dev, struct vs_quirk_verdict *out)
{
	const struct vs_pci *p = dev->pci;
	enum vs_port_type t = ptype(dev);

	switch (q->kind) {
	case VS_ACSQ_AMD_SB:
		if (!p->multifunction || !p->on_root_bus)
			return VS_QRES_NONE;
		if (facts->ivrs == VS_NO)
			return VS_QRES_NONE;
		if (facts->ivrs == VS_UNKNOWN) {
			out->detail = "applies only when the ACPI IVRS table exists, which could not be checked";
			return VS_QRES_UNKNOWN;
		}
		out->detail = "AMD southbridge function on the root bus with an AMD IOMMU (IVRS): RR and CR equivalent";
		return VS_QRES_ISOLATED;
	case VS_ACSQ_MF_ENDPOINT:
		out->detail = "the vendor confirmed that the functions do no peer-to-peer among themselves";
		return VS_QRES_ISOLATED;
	case VS_ACSQ_RCIEP:
		if (t == VS_PORT_UNKNOWN)
			return VS_QRES_UNKNOWN;
		if (t != VS_PORT_RCIEP)
			return VS_QRES_NONE;
		out->detail = "Intel root-complex integrated endpoint: VT-d allows RC peer traffic only on translated addresses";
		return VS_QRES_ISOLATED;
	case VS_ACSQ_QCOM_RP:
	case VS_ACSQ_XGENE:
	case VS_ACSQ_BRCM:
	case VS_ACSQ_LOONGSON:
	case VS_ACSQ_NXP_RP:
		out->detail = "the vendor states the port blocks peer-to-peer (SV/RR/CR/UF equivalent) without an ACS capability";
		return VS_QRES_ISOLATED;
	case VS_ACSQ_INTEL_PCH:
		if (!vs_acs_quirk_is_intel_pch(p->vendor, p->device))
			return VS_QRES_NONE;
		if (t == VS_PORT_UNKNOWN)
			return VS_QRES_UNKNOWN;
		if (t != VS_PORT_ROOT_PORT)
			return VS_QRES_NONE;
		if (vs_strv_has(facts->kmsg.pch_enabled, facts->kmsg.n_pch_enabled, dev->name)) {
			out->detail = "enabled at boot by pci_quirk_enable_intel_pch_acs (kernel log: \"Intel PCH root port ACS workaround enabled\")";
			return VS_QRES_ISOLATED;
		}
		if (vs_strv_has(facts->kmsg.pch_failed, facts->kmsg.n_pch_failed, dev->name)) {
			out->detail = "but the enable step failed at boot (kernel log: \"Failed to enable Intel PCH ACS quirk\")";
			return VS_QRES_NOT_ISOLATED;
		}
		if (facts->kmsg.complete) {
			out->detail = "but the kernel log since boot shows no \"Intel PCH root port ACS workaround enabled\" for it";
			return VS_QRES_NOT_ISOLATED;
		}
		out->detail = "but whether the enable step succeeded is only in the kernel log, which was not readable from boot on";
		return VS_QRES_UNKNOWN;
	case VS_ACSQ_INTEL_SPT: {
		uint16_t flags;

		if (!in_ranges(intel_spt_ranges, NELEM(intel_spt_ranges), p->device))
			return VS_QRES_NONE;
		if (t == VS_PORT_UNKNOWN)
			return VS_QRES_UNKNOWN;
		if (t != VS_PORT_ROOT_PORT)
			return VS_QRES_NONE;
		if (p->acs.present == VS_UNKNOWN)
			return VS_QRES_UNKNOWN;
		if (p->acs.present == VS_NO)
			return VS_QRES_NONE;
		out->spt = true;
		flags = VS_ACS_REQUIRED & (p->acs.cap | VS_ACS_EC);
		out->spt_missing = flags & (uint16_t)~(p->acs.dword8 & 0xffffu);
		if (out->spt_missing) {
			out->detail = "Intel SPT/UPT erratum: the real ACS Control register is the dword at +8, and it lacks required bits";
			return VS_QRES_NOT_ISOLATED;
		}
		out->detail = "Intel SPT/UPT erratum: ACS Control read as the dword at +8 (lspci's ACSCtl is wrong for this port)";
		return VS_QRES_ISOLATED;
	}
	case VS_ACSQ_CAVIUM:
		if (!in_ranges(cavium_ranges, NELEM(cavium_ranges), p->device))
			return VS_QRES_NONE;
		if (t == VS_PORT_UNKNOWN)
			return VS_QRES_UNKNOWN;
		if (t != VS_PORT_ROOT_PORT)
			return VS_QRES_NONE;
		out->detail = "Cavium root ports implement SV/RR/CR/UF-equivalent protection without an ACS capability";
		return VS_QRES_ISOLATED;
	case VS_ACSQ_AL:
		if (t == VS_PORT_UNKNOWN)
			return VS_QRES_UNKNOWN;
		if (t != VS_PORT_ROOT_PORT)
			return VS_QRES_NONE;
		out->detail = "Annapurna Labs root ports cannot send traffic to each other";
		return VS_QRES_ISOLATED;
	case VS_ACSQ_ZHAOXIN_PORTS:
		if (t == VS_PORT_UNKNOWN)
			return VS_QRES_UNKNOWN;
		if (t != VS_PORT_ROOT_PORT && t != VS_PORT_DOWNSTREAM)
			return VS_QRES_NONE;
		if (in_ranges(zhaoxin_ranges, NELEM(zhaoxin_ranges), p->device)) {
			out->detail = "Zhaoxin ports block peer-to-peer without an ACS capability";
			return VS_QRES_ISOLATED;
		}
		out->detail = "the Zhaoxin port quirk answers \"not isolated\" for port IDs outside its list, whatever the registers say";
		return VS_QRES_NOT_ISOLATED;
	case VS_ACSQ_WANGXUN:
		if (in_ranges(wangxun_ranges, NELEM(wangxun_ranges), p->device)) {
			out->detail = "Wangxun NIC functions direct peer traffic upstream (RR/CR equivalent)";
			return VS_QRES_ISOLATED;
		}
		out->detail = "the Wangxun quirk answers \"not isolated\" for IDs outside its list, whatever the registers say";
		return VS_QRES_NOT_ISOLATED;
	case VS_ACSQ_OVERRIDE: {
		const struct vs_acs_override *o = &facts->override;

		if (!o->present)
			return VS_QRES_NONE;
		if (p->pcie == VS_UNKNOWN || (p->pcie == VS_YES && p->acs.present == VS_UNKNOWN))
			return VS_QRES_UNKNOWN;
		/* never for conventional PCI or devices with an ACS capability */
		if (p->pcie == VS_NO || p->acs.present == VS_YES)
			return VS_QRES_NONE;
		for (size_t i = 0; i < o->n_ids; i++)
			if (o->ids[i][0] == p->vendor && o->ids[i][1] == p->device) {
				out->detail = "listed by id: in pcie_acs_override";
				return VS_QRES_ISOLATED;
			}
		switch (t) {
		case VS_PORT_DOWNSTREAM:
		case VS_PORT_ROOT_PORT:
			if (o->downstream) {
				out->detail = "pcie_acs_override=downstream claims every root and downstream port without ACS is isolated";
				return VS_QRES_ISOLATED;
			}
			break;
		case VS_PORT_ENDPOINT:
		case VS_PORT_UPSTREAM:
		case VS_PORT_LEGACY_ENDPOINT:
		case VS_PORT_RCIEP:
			if (o->multifunction && p->multifunction) {
				out->detail = "pcie_acs_override=multifunction claims every multifunction device without ACS is isolated";
				return VS_QRES_ISOLATED;
			}
			break;
		default:
			break;
		}
		return VS_QRES_NONE;
	}
	}
	return VS_QRES_NONE;
}

void vs_acs_quirk_eval(const struct vs_sysfacts *facts, const struct vs_device *dev,
		       struct vs_quirk_verdict *out)
{
	memset(out, 0, sizeof(*out));
	out->res = VS_QRES_NONE;
	if (!dev->pci || !dev->pci->ids_valid)
		return;
	for (size_t i = 0; i <= NELEM(acs_quirks); i++) {
		const struct vs_acs_quirk *q = i < NELEM(acs_quirks) ? &acs_quirks[i] : &override_quirk;
		enum vs_qres r;

		if (q->vendor != ANY && q->vendor != dev->pci->vendor)
			continue;
		if (q->device != ANY && q->device != dev->pci->device)
			continue;
		out->detail = NULL;
		r = eval_one(facts, q, dev, out);
		if (r != VS_QRES_NONE) {
			out->res = r;
			out->quirk = q;
			return;
		}
		out->spt = false;
		out->spt_missing = 0;
	}
	out->detail = NULL;
}

/* ---- DMA-alias quirks ---- */

#define F0(v, d, prod) { .vendor = (v), .device = (d), .subvendor = ANY, .subdevice = ANY, \
	.kind = VS_ALIASQ_FUNC0, .name = "quirk_dma_func0_alias", .product = (prod) }
#define F1(v, d, prod) { .vendor = (v), .device = (d), .subvendor = ANY, .subdevice = ANY, \
	.kind = VS_ALIASQ_FUNC1, .name = "quirk_dma_func1_alias", .product = (prod) }
#define KIND(v, d, k, fn, prod) { .vendor = (v), .device = (d), .subvendor = ANY, .subdevice = ANY, \
	.kind = (k), .name = (fn), .product = (prod) }
#define STEC(v, d) KIND((v), (d), VS_ALIASQ_SWITCHTEC, "quirk_switchtec_ntb_dma_alias", "Microsemi Switchtec NTB")

static const struct vs_alias_quirk alias_quirks[] = {
	F0(0x1180, 0xe832, "Ricoh"), F0(0x1180, 0xe476, "Ricoh"),
	F0(0x6766, 0x3d40, "Glenfly"), F0(0x6766, 0x3d41, "Glenfly"),
	F1(0x1b4b, 0x9120, "Marvell 88SE9120"), F1(0x1b4b, 0x9123, "Marvell 88SE9123"),
	F1(0x1b4b, 0x9125, "Marvell 88SE9125"), F1(0x1b4b, 0x9128, "Marvell 88SE9128"),
	F1(0x1b4b, 0x9130, "Marvell 88SE9130"), F1(0x1b4b, 0x9170, "Marvell 88SE9170"),
	F1(0x1b4b, 0x9172, "Marvell 88SE9172"), F1(0x1b4b, 0x917a, "Marvell 88SE917A"),
	F1(0x1b4b, 0x9182, "Marvell 88SE9182"), F1(0x1b4b, 0x9183, "Marvell 88SE9183"),
	F1(0x1b4b, 0x91a0, "Marvell 88SE91A0"), F1(0x1b4b, 0x9215, "Marvell 88SE9215"),
	F1(0x1b4b, 0x9220, "Marvell 88SE9220"), F1(0x1b4b, 0x9230, "Marvell 88SE9230"),
	F1(0x1b4b, 0x9235, "Marvell 88SE9235"),
	F1(0x1103, 0x0642, "HighPoint (TTI)"), F1(0x1103, 0x0645, "HighPoint (TTI)"),
	F1(0x197b, 0x2393, "JMicron JMB388 ESD"),
	F1(0x1c28, 0x0122, "Plextor M6E (Marvell 88SS9183)"),
	{ .vendor = 0x9005, .device = 0x0285, .subvendor = 0x9005, .subdevice = 0x02bb,
	  .kind = VS_ALIASQ_FIXED, .devfn = 0x08, .name = "quirk_fixed_dma_alias", .product = "Adaptec 3405" },
	{ .vendor = 0x9005, .device = 0x0285, .subvendor = 0x9005, .subdevice = 0x02bc,
	  .kind = VS_ALIASQ_FIXED, .devfn = 0x08, .name = "quirk_fixed_dma_alias", .product = "Adaptec 3805" },
	KIND(0x1b21, 0x1080, VS_ALIASQ_PCIE_BRIDGE, "quirk_use_pcie_bridge_dma_alias", "ASMedia ASM1083/1085"),
	KIND(0x10e3, 0x8113, VS_ALIASQ_PCIE_BRIDGE, "quirk_use_pcie_bridge_dma_alias", "Tundra 8113"),
	KIND(0x1283, 0x8892, VS_ALIASQ_PCIE_BRIDGE, "quirk_use_pcie_bridge_dma_alias", "ITE 8892"),
	KIND(0x1283, 0x8893, VS_ALIASQ_PCIE_BRIDGE, "quirk_use_pcie_bridge_dma_alias", "ITE 8893"),
	KIND(0x8086, 0x244e, VS_ALIASQ_PCIE_BRIDGE, "quirk_use_pcie_bridge_dma_alias", "Intel 82801"),
	KIND(0x8086, 0x2260, VS_ALIASQ_MIC_X200, "quirk_mic_x200_dma_alias", "Intel MIC x200 NTB"),
	KIND(0x8086, 0x2264, VS_ALIASQ_MIC_X200, "quirk_mic_x200_dma_alias", "Intel MIC x200 NTB"),
	KIND(0x8086, 0x2954, VS_ALIASQ_PEX_VCA, "quirk_pex_vca_alias", "Intel VCA"),
	KIND(0x8086, 0x2955, VS_ALIASQ_PEX_VCA, "quirk_pex_vca_alias", "Intel VCA"),
	KIND(0x8086, 0x2956, VS_ALIASQ_PEX_VCA, "quirk_pex_vca_alias", "Intel VCA"),
	KIND(0x8086, 0x2958, VS_ALIASQ_PEX_VCA, "quirk_pex_vca_alias", "Intel VCA"),
	KIND(0x8086, 0x2959, VS_ALIASQ_PEX_VCA, "quirk_pex_vca_alias", "Intel VCA"),
	KIND(0x8086, 0x295a, VS_ALIASQ_PEX_VCA, "quirk_pex_vca_alias", "Intel VCA"),
	KIND(0x14e4, 0x9000, VS_ALIASQ_XLATE_ROOT, "quirk_bridge_cavm_thrx2_pcie_root", "Broadcom Vulcan/Cavium ThunderX2"),
	KIND(0x14e4, 0x9084, VS_ALIASQ_XLATE_ROOT, "quirk_bridge_cavm_thrx2_pcie_root", "Broadcom Vulcan/Cavium ThunderX2"),
	KIND(0x10b5, 0x87b0, VS_ALIASQ_PLX_NTB, "quirk_plx_ntb_dma_alias", "PLX NTB"),
	KIND(0x10b5, 0x87b1, VS_ALIASQ_PLX_NTB, "quirk_plx_ntb_dma_alias", "PLX NTB"),
	/* Switchtec NTB: the aliases come from the device's MMIO; only the kernel log tells them */
	STEC(0x11f8, 0x8531), STEC(0x11f8, 0x8532), STEC(0x11f8, 0x8533), STEC(0x11f8, 0x8534),
	STEC(0x11f8, 0x8535), STEC(0x11f8, 0x8536), STEC(0x11f8, 0x8541), STEC(0x11f8, 0x8542),
	STEC(0x11f8, 0x8543), STEC(0x11f8, 0x8544), STEC(0x11f8, 0x8545), STEC(0x11f8, 0x8546),
	STEC(0x11f8, 0x8551), STEC(0x11f8, 0x8552), STEC(0x11f8, 0x8553), STEC(0x11f8, 0x8554),
	STEC(0x11f8, 0x8555), STEC(0x11f8, 0x8556), STEC(0x11f8, 0x8561), STEC(0x11f8, 0x8562),
	STEC(0x11f8, 0x8563), STEC(0x11f8, 0x8564), STEC(0x11f8, 0x8565), STEC(0x11f8, 0x8566),
	STEC(0x11f8, 0x8571), STEC(0x11f8, 0x8572), STEC(0x11f8, 0x8573), STEC(0x11f8, 0x8574),
	STEC(0x11f8, 0x8575), STEC(0x11f8, 0x8576),
	STEC(0x11f8, 0x4000), STEC(0x11f8, 0x4084), STEC(0x11f8, 0x4068), STEC(0x11f8, 0x4052),
	STEC(0x11f8, 0x4036), STEC(0x11f8, 0x4028), STEC(0x11f8, 0x4100), STEC(0x11f8, 0x4184),
	STEC(0x11f8, 0x4168), STEC(0x11f8, 0x4152), STEC(0x11f8, 0x4136), STEC(0x11f8, 0x4128),
	STEC(0x11f8, 0x4200), STEC(0x11f8, 0x4284), STEC(0x11f8, 0x4268), STEC(0x11f8, 0x4252),
	STEC(0x11f8, 0x4236), STEC(0x11f8, 0x4228), STEC(0x11f8, 0x4352), STEC(0x11f8, 0x4336),
	STEC(0x11f8, 0x4328), STEC(0x11f8, 0x4452), STEC(0x11f8, 0x4436), STEC(0x11f8, 0x4428),
	STEC(0x11f8, 0x4552), STEC(0x11f8, 0x4536), STEC(0x11f8, 0x4528),
	STEC(0x11f8, 0x5000), STEC(0x11f8, 0x5084), STEC(0x11f8, 0x5068), STEC(0x11f8, 0x5052),
	STEC(0x11f8, 0x5036), STEC(0x11f8, 0x5028), STEC(0x11f8, 0x5100), STEC(0x11f8, 0x5184),
	STEC(0x11f8, 0x5168), STEC(0x11f8, 0x5152), STEC(0x11f8, 0x5136), STEC(0x11f8, 0x5128),
	STEC(0x11f8, 0x5200), STEC(0x11f8, 0x5284), STEC(0x11f8, 0x5268), STEC(0x11f8, 0x5252),
	STEC(0x11f8, 0x5236), STEC(0x11f8, 0x5228), STEC(0x11f8, 0x5300), STEC(0x11f8, 0x5384),
	STEC(0x11f8, 0x5368), STEC(0x11f8, 0x5352), STEC(0x11f8, 0x5336), STEC(0x11f8, 0x5328),
	STEC(0x11f8, 0x5400), STEC(0x11f8, 0x5484), STEC(0x11f8, 0x5468), STEC(0x11f8, 0x5452),
	STEC(0x11f8, 0x5436), STEC(0x11f8, 0x5428), STEC(0x11f8, 0x5500), STEC(0x11f8, 0x5584),
	STEC(0x11f8, 0x5568), STEC(0x11f8, 0x5552), STEC(0x11f8, 0x5536), STEC(0x11f8, 0x5528),
	STEC(0x1055, 0x1001), STEC(0x1055, 0x1002), STEC(0x1055, 0x1003),
	STEC(0x1055, 0x1004), STEC(0x1055, 0x1005), STEC(0x1055, 0x1006),
};
#undef F0
#undef F1
#undef KIND
#undef STEC

const struct vs_alias_quirk *vs_alias_quirk_find(const struct vs_device *dev)
{
	const struct vs_pci *p = dev->pci;

	if (!p || !p->ids_valid)
		return NULL;
	for (size_t i = 0; i < NELEM(alias_quirks); i++) {
		const struct vs_alias_quirk *q = &alias_quirks[i];

		if (q->vendor != p->vendor || q->device != p->device)
			continue;
		if (q->subvendor != ANY && (q->subvendor != p->subvendor || q->subdevice != p->subdevice))
			continue;
		/* Switchtec: DECLARE_PCI_FIXUP_CLASS_FINAL on PCI_CLASS_BRIDGE_OTHER */
		if (q->kind == VS_ALIASQ_SWITCHTEC && (p->class_code >> 8) != 0x0680)
			continue;
		return q;
	}
	return NULL;
}

static void set_bit256(uint64_t mask[4], unsigned devfn)
{
	devfn &= 0xff;
	mask[devfn / 64] |= 1ull << (devfn % 64);
}

void vs_alias_quirk_mask(const struct vs_alias_quirk *q, const struct vs_device *dev,
			 uint64_t mask[4])
{
	unsigned slot = dev->pci->dev, fn = dev->pci->fn;

	switch (q->kind) {
	case VS_ALIASQ_FUNC0:
		if (fn != 0)
			set_bit256(mask, slot << 3);
		break;
	case VS_ALIASQ_FUNC1:
		if (fn != 1)
			set_bit256(mask, (slot << 3) | 1);
		break;
	case VS_ALIASQ_FIXED:
		set_bit256(mask, q->devfn);
		break;
	case VS_ALIASQ_MIC_X200:
		set_bit256(mask, 0x10 << 3);
		set_bit256(mask, 0x11 << 3);
		set_bit256(mask, (0x12 << 3) | 3);
		break;
	case VS_ALIASQ_PEX_VCA:
		for (unsigned s = 0; s < 0x20; s++)
			for (unsigned f = 0; f < 5; f++)
				set_bit256(mask, (s << 3) | f);
		break;
	case VS_ALIASQ_PLX_NTB:
		for (unsigned d = 0; d < 256; d++)
			set_bit256(mask, d);
		break;
	case VS_ALIASQ_SWITCHTEC:
	case VS_ALIASQ_PCIE_BRIDGE:
	case VS_ALIASQ_XLATE_ROOT:
		break;
	}
}

const char *vs_quirks_kernel_version(void)
{
	return VS_QUIRKS_KERNEL_VERSION;
}
