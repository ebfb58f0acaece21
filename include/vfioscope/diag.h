/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Diagnosis: why devices share an IOMMU group, whether a selection of devices
 * can be given to one VM safely, and whether the host is ready for VFIO.
 *
 * The explanation runs a userspace copy of the kernel's pci_device_group()
 * (Linux 6.18) as union-find over the model and compares its partition with
 * the kernel's real groups. The kernel is the truth: where they differ the
 * member's reason is VS_REASON_UNEXPLAINED with the likely causes.
 *
 * Facts that cannot be read (config space beyond 64 bytes without root, the
 * kernel log) are never guessed: a decision that needs one is taken from the
 * kernel's grouping and marked "inferred", and the explanation lists what is
 * unknown and how to learn it.
 *
 * All results own their strings and arrays; device pointers are borrowed
 * from the topology and valid until it is freed.
 */
#ifndef VFIOSCOPE_DIAG_H
#define VFIOSCOPE_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfioscope/dt.h"
#include "vfioscope/hostcrit.h"
#include "vfioscope/topology.h"
#include "vfioscope/util.h"

struct json_object;

/* The kernel release the ACS and DMA-alias quirk tables were read from. */
#define VS_QUIRKS_KERNEL_VERSION "6.18"
/** vs_quirks_kernel_version() - VS_QUIRKS_KERNEL_VERSION. */
const char *vs_quirks_kernel_version(void);

/*
 * Why a member is in its group. The JSON names are the lower-case enum
 * suffixes ("no_acs_upstream"); see docs/json-diag.md.
 */
enum vs_reason_code {
	VS_REASON_ISOLATED,		/* own group: path enforces ACS, no alias */
	VS_REASON_NO_ACS_UPSTREAM,	/* a bridge above (culprit) does not enforce ACS */
	VS_REASON_MFD_NO_ACS,		/* multifunction sibling (culprit) without ACS isolation */
	VS_REASON_BRIDGE_ALIAS,		/* behind a PCIe-to-PCI / conventional bridge (culprit) */
	VS_REASON_DMA_ALIAS_QUIRK,	/* kernel DMA-alias quirk or logged fixed alias with culprit */
	VS_REASON_REAL_DMA_DEV,		/* behind a VMD controller (culprit) */
	VS_REASON_QUIRK_ISOLATED,	/* alone only because a kernel ACS quirk vouches for culprit */
	VS_REASON_OVERRIDE_ISOLATED,	/* alone only because of the out-of-tree pcie_acs_override */
	VS_REASON_UNEXPLAINED,		/* the kernel grouped differently than the rules predict */
	VS_REASON_PLATFORM_OWN_GROUP,	/* non-PCI device alone in its group */
	VS_REASON_PLATFORM_SHARED,	/* non-PCI device sharing its group (shared stream ID/devid) */
	VS_REASON_FSLMC_CONTAINER,	/* fsl-mc object: the whole DPRC container is one group */
};
/** vs_reason_code_name() - the stable JSON name of @code. */
const char *vs_reason_code_name(enum vs_reason_code code);

/* What the culprit lacks, for the ACS reasons. */
enum vs_missing {
	VS_MISSING_NONE,		/* not an ACS matter (JSON null) */
	VS_MISSING_FLAGS,		/* ACS capability present, @missing_flags off */
	VS_MISSING_NO_CAPABILITY,	/* no ACS capability (or not PCI Express at all) */
	VS_MISSING_UNKNOWN,		/* not readable without root (JSON null) */
};

/**
 * struct vs_reason - the rule tying one member into its group.
 * @device: the member
 * @code: the rule
 * @culprit: the device it is tied to: the highest bridge without ACS for
 *           NO_ACS_UPSTREAM, the aliasing bridge, the sibling function, the
 *           VMD controller, the quirked or overridden device; itself when it
 *           is the anchor others are tied to; NULL for ISOLATED/UNEXPLAINED
 * @missing: what the culprit lacks (ACS reasons only)
 * @missing_flags: VS_ACS_* required bits that are off, with VS_MISSING_FLAGS
 * @predicted: for UNEXPLAINED, the rule the kernel's 6.18 logic would apply
 * @inferred: a fact this decision needs was unreadable; the decision was
 *            taken from the kernel's grouping
 * @text: one sentence for people (system strings not yet sanitized)
 */
struct vs_reason {
	const struct vs_device *device;
	enum vs_reason_code code;
	const struct vs_device *culprit;
	enum vs_missing missing;
	uint16_t missing_flags;
	enum vs_reason_code predicted;
	bool inferred;
	char *text;
};

enum vs_remedy_kind {
	VS_REMEDY_OTHER_SLOT,		/* move the card below a port that isolates */
	VS_REMEDY_CONFIG_ACS,		/* pci=config_acs= enables bits the port has */
	VS_REMEDY_KERNEL_QUIRK,		/* a kernel/firmware with an ACS quirk for the culprit */
	VS_REMEDY_DISABLE_VMD,		/* turn VMD off in the firmware */
	VS_REMEDY_FSLMC_CONTAINER,	/* a DPRC container holding only what the VM needs */
	VS_REMEDY_NO_SOFTWARE_FIX,	/* hardware alias: nothing in software splits it */
	VS_REMEDY_ACS_OVERRIDE,		/* out-of-tree pcie_acs_override: UNSAFE, always last */
};
/** vs_remedy_kind_name() - "other_slot", "config_acs", ... (JSON). */
const char *vs_remedy_kind_name(enum vs_remedy_kind kind);

/**
 * struct vs_remedy - something that could split the group, most honest first.
 * @safe: false for the override (isolation not guaranteed by hardware)
 * @param: the kernel parameter to add, or NULL
 */
struct vs_remedy {
	enum vs_remedy_kind kind;
	bool safe;
	char *param;
	char *text;
};

/**
 * struct vs_explain - the answer to "why is DEVICE not alone in its group?".
 * @device: the device asked about
 * @group: its kernel group, NULL when it has none (no IOMMU, not translated)
 * @members: the kernel group's members (all buses), model order; empty
 *           without a group
 * @predicted: the group the 6.18 rules give @device (PCI only; for other
 *             buses the kernel group)
 * @splittable: @device is alone in its kernel group
 * @matches_kernel: VS_YES/VS_NO; VS_UNKNOWN when a decision was inferred
 *                  or there is no kernel group to compare with
 * @reasons: one per member (per predicted member when there is no group)
 * @p2p_peers: endpoints in other groups that can reach @device peer-to-peer
 *             inside a switch whose ports lack ACS (iommu-grouping.md E1)
 * @host_critical: members with host-critical evidence (copies)
 * @remedies: what could split the group, most honest first, the unsafe
 *            override last; empty when @splittable
 * @unknown: facts that could not be read, what is still derived, how to
 *           learn the rest
 * @notes: caveats (override in effect, SPT register, trivially passing ACS,
 *         no IOMMU, post-2025 switch groups, peer-to-peer, unreadable
 *         device tree)
 * @findings: for a platform, AMBA or fsl-mc device, its ARM readiness
 *            findings (vs_arm_check(): no-IOMMU, vfio-platform missing,
 *            reset, MSI, host DT, dependencies); empty for PCI
 */
struct vs_explain {
	const struct vs_device *device;
	const struct vs_group *group;
	const struct vs_device **members;
	size_t n_members;
	const struct vs_device **predicted;
	size_t n_predicted;
	bool splittable;
	enum vs_tristate matches_kernel;
	struct vs_reason *reasons;
	size_t n_reasons;
	const struct vs_device **p2p_peers;
	size_t n_p2p_peers;
	struct vs_hostcrit *host_critical;
	size_t n_host_critical;
	struct vs_remedy *remedies;
	size_t n_remedies;
	char **unknown;
	size_t n_unknown;
	char **notes;
	size_t n_notes;
	struct vs_arm_findings findings;
};

/* What the selection check says about one member of a touched group. */
enum vs_member_action {
	VS_ACTION_SELECTED,	/* in the selection: goes to vfio-pci */
	VS_ACTION_STAYS,	/* a bridge (or device) whose driver keeps the group viable */
	VS_ACTION_IDLE,		/* no driver or a vfio/stub driver: viable, but unusable by the host */
	VS_ACTION_UNBIND,	/* on a DMA-API driver: must come along or be unbound */
	VS_ACTION_BLOCKED,	/* host-critical: cannot be unbound, the selection is unsafe */
};
/** vs_member_action_name() - "selected", "stays", "idle", "unbind", "blocked". */
const char *vs_member_action_name(enum vs_member_action action);

struct vs_selection_member {
	const struct vs_device *device;
	int group;
	enum vs_member_action action;
	char *evidence;		/* host-critical evidence, or NULL */
	char *text;
};

/**
 * struct vs_selection - a check of the devices a user means to give one VM.
 * @selected: the devices as given (duplicates removed)
 * @members: every member of every touched group, selected ones included,
 *           model order
 * @safe: no touched group holds a host-critical device (selected or not),
 *        and every selected device has an IOMMU group
 * @warnings: sentences: peer-to-peer reach to devices left behind, bridges
 *            selected, devices without a group
 * @explains: one explanation per selected device (their @findings empty)
 * @findings: the ARM findings of the non-PCI devices selected, checked
 *            together (vs_arm_check()); blockers do not change @safe,
 *            which is about isolation
 */
struct vs_selection {
	const struct vs_device **selected;
	size_t n_selected;
	struct vs_selection_member *members;
	size_t n_members;
	bool safe;
	char **warnings;
	size_t n_warnings;
	struct vs_explain **explains;
	size_t n_explains;
	struct vs_arm_findings findings;
};

struct vs_diag;

/**
 * vs_diag_new() - analyse a topology: read the kernel command line, the
 * kernel log (dev/kmsg under the root: a device on the live system, a file
 * in fixtures), firmware facts, host-critical evidence and the device tree
 * (for the ARM findings of non-PCI devices); run the grouping rules over
 * every PCI device.
 * Return: 0, or -ENOMEM. Unreadable facts (a corrupt device tree too) are
 * not errors.
 */
int vs_diag_new(const struct vs_topology *topo, struct vs_diag **out, struct vs_err *err);
/** vs_diag_free() - accepts NULL. */
void vs_diag_free(struct vs_diag *diag);

/**
 * vs_diag_dt() - the device tree read with the diagnosis (borrowed, valid
 * until vs_diag_free()); NULL on systems without one or when it could not
 * be parsed.
 */
const struct vs_dt *vs_diag_dt(const struct vs_diag *diag);

/** vs_diag_hostcrit() - the host-critical verdicts (borrowed). */
const struct vs_hostcrit_list *vs_diag_hostcrit(const struct vs_diag *diag);

/**
 * vs_diag_group_matches() - whether the rules predict kernel group @group
 * exactly: VS_YES, VS_NO, or VS_UNKNOWN (inferred decisions, non-PCI members).
 */
enum vs_tristate vs_diag_group_matches(const struct vs_diag *diag, const struct vs_group *group);

/**
 * vs_diag_explain() - explain @dev's group.
 * Return: 0, -EINVAL (@dev not from this topology), -ENOMEM.
 */
int vs_diag_explain(const struct vs_diag *diag, const struct vs_device *dev,
		    struct vs_explain **out, struct vs_err *err);
void vs_explain_free(struct vs_explain *ex);

/**
 * vs_diag_select() - check a selection of devices for one VM.
 * Return: 0, -EINVAL (no device, or one not from this topology), -ENOMEM.
 */
int vs_diag_select(const struct vs_diag *diag, const struct vs_device *const *devs, size_t n,
		   struct vs_selection **out, struct vs_err *err);
void vs_selection_free(struct vs_selection *sel);

/** vs_explain_json() - the documented JSON object (docs/json-diag.md); NULL on ENOMEM. */
struct json_object *vs_explain_json(const struct vs_explain *ex);
/** vs_selection_json() - the documented JSON object; NULL on ENOMEM. */
struct json_object *vs_selection_json(const struct vs_selection *sel);

/* ---- doctor ---- */

enum vs_check_status {
	VS_CHECK_OK,
	VS_CHECK_WARN,
	VS_CHECK_FAIL,
};
/** vs_check_status_name() - "OK", "WARN", "FAIL". */
const char *vs_check_status_name(enum vs_check_status status);

/**
 * struct vs_check - one host-readiness check.
 * @id: stable name ("iommu", "cmdline", "vfio_modules", ...)
 * @status: the verdict
 * @summary: what was found, one line
 * @fix: one line telling what to do, NULL when nothing is to be done
 */
struct vs_check {
	char *id;
	enum vs_check_status status;
	char *summary;
	char *fix;
};

struct vs_doctor {
	struct vs_check *checks;
	size_t n_checks;
	size_t n_warn, n_fail;
};

/**
 * vs_doctor_run() - check host readiness for VFIO through @topo's root:
 * IOMMU and groups, kernel command line, vfio modules, dev/vfio/vfio,
 * interrupt remapping and allow_unsafe_interrupts, no-IOMMU mode, kernel
 * configuration (proc/config.gz or boot/config-RELEASE).
 * Return: 0, or -ENOMEM.
 */
int vs_doctor_run(const struct vs_topology *topo, struct vs_doctor **out, struct vs_err *err);
void vs_doctor_free(struct vs_doctor *doc);
/** vs_doctor_json() - {"checks":[...],"ok":N,"warn":N,"fail":N}; NULL on ENOMEM. */
struct json_object *vs_doctor_json(const struct vs_doctor *doc);

#endif
