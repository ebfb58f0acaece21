/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the diag area of the core (core/diag*.c, core/quirks.c,
 * core/hostcrit.c, core/doctor.c): system facts read through the root, the
 * versioned kernel quirk tables, and the ACS decision of one device.
 */
#ifndef VFIOSCOPE_DIAG_PRIV_H
#define VFIOSCOPE_DIAG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfioscope/sysroot.h"
#include "vfioscope/topology.h"
#include "vfioscope/util.h"

#define VS_PCI_ANY 0xffffu

/* ---- facts from proc/cmdline, the kernel log and firmware tables ---- */

/* The out-of-tree pcie_acs_override= option as the kernel would parse it. */
struct vs_acs_override {
	bool present;
	bool downstream;
	bool multifunction;
	uint16_t ids[16][2];	/* vendor, device ("id:vvvv:dddd"), at most 16 like the patch */
	size_t n_ids;
	char *value;		/* the option's value as written */
};

/* One "Enabling fixed DMA alias" line: @dev aliases devfns [from, from+nr). */
struct vs_alias_fact {
	char *dev;
	unsigned devfn;
	unsigned nr;
};

struct vs_kmsg {
	bool readable;		/* some log could be read */
	bool complete;		/* it starts at boot ("Linux version" line present) */
	char *why_unreadable;	/* sentence when !readable */
	char **pch_enabled;	/* devices with "Intel PCH root port ACS workaround enabled" */
	size_t n_pch_enabled;
	char **pch_failed;	/* devices with "Failed to enable Intel PCH ACS quirk" */
	size_t n_pch_failed;
	char **spt_enabled;	/* "Intel SPT PCH root port ACS workaround enabled" */
	size_t n_spt_enabled;
	struct vs_alias_fact *aliases;
	size_t n_aliases;
	bool override_warning;	/* "PCIe ACS overrides enabled" */
	bool ir_enabled;	/* "Enabled IRQ remapping" / "Interrupt remapping enabled" */
	bool ir_disabled;	/* "IRQ remapping was disabled" / "Not enabling interrupt remapping" */
	bool unsafe_irq_msg;	/* "No interrupt remapping support" (vfio refused a group) */
};

struct vs_sysfacts {
	char *cmdline;			/* proc/cmdline, NULL if unreadable */
	struct vs_acs_override override;
	struct vs_kmsg kmsg;
	enum vs_tristate ivrs;		/* ACPI IVRS table present (AMD IOMMU) */
	char *release;			/* proc/sys/kernel/osrelease */
};

/** vs_sysfacts_read() - read cmdline, kernel log, IVRS, release. Return 0 or -ENOMEM. */
int vs_sysfacts_read(const struct vs_root *root, struct vs_sysfacts *facts);
void vs_sysfacts_release(struct vs_sysfacts *facts);

/**
 * vs_cmdline_get() - value of kernel parameter @key in @cmdline.
 * Return: a new string ("" for a bare flag), or NULL when absent. The last
 * occurrence wins, as for the kernel's own parameters.
 */
char *vs_cmdline_get(const char *cmdline, const char *key);

/** vs_strv_has() - whether @s is one of @v[0..n). */
bool vs_strv_has(char *const *v, size_t n, const char *s);
/** vs_strv_push() - append a copy of @s. Return 0 or -ENOMEM. */
int vs_strv_push(char ***v, size_t *n, const char *s);
/** vs_strv_pushf() - append a formatted string. Return 0 or -ENOMEM. */
int vs_strv_pushf(char ***v, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vs_strv_free(char **v, size_t n);

/**
 * vs_root_canon() - resolve @rel under @root like realpath(3) would inside a
 * chroot: symlinks are followed (absolute targets restart at the root),
 * "." and ".." are folded, the result never leaves the root.
 * Return: a new path relative to the root ("sys/devices/..."), or NULL when
 * a component does not exist, a loop is found, or memory runs out.
 */
char *vs_root_canon(const struct vs_root *root, const char *rel);

/**
 * vs_device_by_path() - the device whose syspath is the longest prefix of
 * the resolved path @canon (component-wise), or NULL.
 */
const struct vs_device *vs_device_by_path(const struct vs_topology *topo, const char *canon);

/**
 * vs_diag_list_dir() - the entry names of directory @rel under @root, sorted
 * (the scan's vs_list_dir(), then sorted: output order must not depend on
 * the directory order). Return: 0, or -errno (-ENOENT when missing).
 */
int vs_diag_list_dir(const struct vs_root *root, const char *rel, char ***names, size_t *n);

/** vs_read_file_at() - read a whole file (up to @max bytes) relative to @root. */
int vs_read_file_at(const struct vs_root *root, const char *rel, size_t max, char **out);

/** vs_acs_flags_text() - "SV,RR" style list of the VS_ACS_* bits in @flags. */
char *vs_acs_flags_text(uint16_t flags, const char *sep);

/* ---- the ACS quirk table and the DMA-alias quirk list (kernel 6.18) ---- */

enum vs_acsq_kind {
	VS_ACSQ_AMD_SB,
	VS_ACSQ_MF_ENDPOINT,
	VS_ACSQ_RCIEP,
	VS_ACSQ_QCOM_RP,
	VS_ACSQ_INTEL_PCH,
	VS_ACSQ_INTEL_SPT,
	VS_ACSQ_CAVIUM,
	VS_ACSQ_XGENE,
	VS_ACSQ_BRCM,
	VS_ACSQ_LOONGSON,
	VS_ACSQ_AL,
	VS_ACSQ_NXP_RP,
	VS_ACSQ_ZHAOXIN_PORTS,
	VS_ACSQ_WANGXUN,
	VS_ACSQ_OVERRIDE,	/* the out-of-tree pcie_acs_override catch-all */
};

struct vs_acs_quirk {
	uint16_t vendor;	/* VS_PCI_ANY matches all */
	uint16_t device;
	enum vs_acsq_kind kind;
	const char *name;	/* the kernel function, e.g. "pci_quirk_intel_pch_acs" */
};

/* What a quirk said about one device. */
enum vs_qres {
	VS_QRES_NONE,		/* no entry applies: fall through to the registers */
	VS_QRES_ISOLATED,
	VS_QRES_NOT_ISOLATED,
	VS_QRES_UNKNOWN,	/* an entry applies but a fact it needs is unreadable */
};

struct vs_quirk_verdict {
	enum vs_qres res;
	const struct vs_acs_quirk *quirk;
	const char *detail;	/* static sentence fragment, may be NULL */
	bool spt;		/* Intel SPT/UPT: Control read as a dword at +8 */
	uint16_t spt_missing;	/* SPT: required bits off in the +8 register */
};

/** vs_acs_quirk_eval() - run the quirk table (and the override when on) for @dev. */
void vs_acs_quirk_eval(const struct vs_sysfacts *facts, const struct vs_device *dev,
		       struct vs_quirk_verdict *out);

/** vs_acs_quirk_lookup_pch() - whether vendor/device is in the Intel PCH quirk list. */
bool vs_acs_quirk_is_intel_pch(uint16_t vendor, uint16_t device);

/** vs_acs_quirk_is_mf_endpoint() - in the pci_quirk_mf_endpoint_acs list. */
bool vs_acs_quirk_is_mf_endpoint(uint16_t vendor, uint16_t device);

enum vs_aliasq_kind {
	VS_ALIASQ_FUNC0,	/* quirk_dma_func0_alias */
	VS_ALIASQ_FUNC1,	/* quirk_dma_func1_alias */
	VS_ALIASQ_FIXED,	/* quirk_fixed_dma_alias: fixed devfn (subsystem-matched) */
	VS_ALIASQ_MIC_X200,	/* quirk_mic_x200_dma_alias */
	VS_ALIASQ_PEX_VCA,	/* quirk_pex_vca_alias: every slot, functions 0-4 */
	VS_ALIASQ_PLX_NTB,	/* quirk_plx_ntb_dma_alias: all 256 devfns */
	VS_ALIASQ_SWITCHTEC,	/* quirk_switchtec_ntb_dma_alias: from MMIO, kernel log only */
	VS_ALIASQ_PCIE_BRIDGE,	/* quirk_use_pcie_bridge_dma_alias: alias is (secondary, 00.0) */
	VS_ALIASQ_XLATE_ROOT,	/* quirk_bridge_cavm_thrx2_pcie_root: walk stops here */
};

struct vs_alias_quirk {
	uint16_t vendor, device;
	uint16_t subvendor, subdevice;	/* VS_PCI_ANY when not matched */
	enum vs_aliasq_kind kind;
	uint8_t devfn;			/* VS_ALIASQ_FIXED */
	const char *name;
	const char *product;
};

/** vs_alias_quirk_find() - the first DMA-alias list entry of @kind class matching @dev. */
const struct vs_alias_quirk *vs_alias_quirk_find(const struct vs_device *dev);

/**
 * vs_alias_quirk_mask() - set bit devfn in @mask (256 bits) for every devfn the
 * quirk entry @q makes @dev alias (empty for log-only and bridge flags).
 */
void vs_alias_quirk_mask(const struct vs_alias_quirk *q, const struct vs_device *dev,
			 uint64_t mask[4]);

#endif
