/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rebinding: plan, then act. A bind or a restore first becomes a struct
 * vs_plan, the exact sysfs writes in order with the reason for each. The
 * plan prints as a shell script (vs_plan_shell) for --dry-run and for the
 * TUI's confirmation, and runs with vs_plan_execute(): every write in a
 * child process with a timeout, the driver link verified after each probe,
 * everything rolled back on any failure, and a journal under the system
 * root's run/vfioscope/ written before the first write so that a restore
 * works after a crash.
 *
 * The engine is bus-generic: PCI devices go to vfio-pci, platform devices
 * to vfio-platform, AMBA devices to vfio-amba and fsl-mc containers (dprc)
 * to vfio-fsl-mc, all with the same override → unbind → probe → verify
 * sequence (iommu-grouping.md §3.2, §4.1, §4.2).
 */
#ifndef VFIOSCOPE_BIND_H
#define VFIOSCOPE_BIND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vfioscope/sysroot.h"
#include "vfioscope/topology.h"
#include "vfioscope/util.h"

/** vs_vfio_driver() - "vfio-pci", "vfio-platform", "vfio-amba", "vfio-fsl-mc". */
const char *vs_vfio_driver(enum vs_bus bus);
/** vs_is_vfio_driver() - true for a driver name starting with "vfio" (variant drivers too). */
bool vs_is_vfio_driver(const char *driver);

enum vs_step_action {
	VS_STEP_LOAD_MODULE,	/* run `modprobe VALUE` (live system only) */
	VS_STEP_SET_OVERRIDE,	/* write VALUE to DEV/driver_override ("\n" clears) */
	VS_STEP_UNBIND,		/* write the device name to bus/BUS/drivers/DRIVER/unbind */
	VS_STEP_BIND,		/* write the device name to bus/BUS/drivers/DRIVER/bind */
	VS_STEP_PROBE,		/* write the device name to bus/BUS/drivers_probe */
	VS_STEP_VERIFY,		/* read DEV/driver: must be DRIVER (NULL: no driver) */
};
/** vs_step_action_name() - stable JSON name: "load_module", "set_override", ... */
const char *vs_step_action_name(enum vs_step_action a);

/**
 * struct vs_step - one action of a plan.
 * @action: what to do
 * @dev: index into vs_plan.devices, or -1 for a step of no device (module load)
 * @rel: path relative to the root; for VS_STEP_VERIFY the device's
 *       `driver` link; for VS_STEP_LOAD_MODULE the driver directory the
 *       module must make appear (sys/bus/pci/drivers/vfio-pci)
 * @path: @rel as the user types it (vs_root_abspath)
 * @value: the bytes written; the module name for VS_STEP_LOAD_MODULE; NULL
 *         for VS_STEP_VERIFY
 * @driver: the driver unbound from, bound to, or expected by VS_STEP_VERIFY
 *          (NULL there means "no driver")
 * @reason: one sentence saying why
 */
struct vs_step {
	enum vs_step_action action;
	int dev;
	char *rel;
	char *path;
	char *value;
	char *driver;
	char *reason;
};

enum vs_bind_op { VS_OP_BIND, VS_OP_RESTORE };

/**
 * struct vs_plan_device - a device the plan changes (or finds already done).
 * @name, @bus, @group: identity (group -1 when none)
 * @driver, @override: state when the plan was made (NULL = none)
 * @target: driver the device must end on; NULL = no driver
 * @target_any: restore without journal entry: whatever driver the kernel
 *              picks once the override is cleared (then @target is NULL)
 * @target_override: the override it must end with (NULL = cleared)
 * @journaled: restore: the targets come from a journal entry
 * @nothing_to_do: already where asked; the plan has no step for it
 */
struct vs_plan_device {
	char *name;
	enum vs_bus bus;
	int group;
	char *driver;
	char *override;
	char *target;
	bool target_any;
	char *target_override;
	bool journaled;
	bool nothing_to_do;
};

/**
 * struct vs_plan_note - a device left out of the plan, or refused.
 * @name: device name
 * @code: stable reason code for JSON: skipped "bridge", "fslmc_object";
 *        refused "host_critical", "held", "bridge", "sriov_enabled",
 *        "denylisted", "no_iommu_group", "no_vfio_driver", "fslmc_object", "not_bound_by_us",
 *        "absent", "unknown_driver"
 * @reason: one sentence for the user
 */
struct vs_plan_note {
	char *name;
	char *code;
	char *reason;
};

/**
 * struct vs_group_viability - whether a group VFIO can use: predicted by a
 * bind plan, read back after it ran.
 * @viable: every member unbound or on a managed-DMA driver
 * @blocking: "NAME (DRIVER)" of each member that blocks it
 */
struct vs_group_viability {
	int id;
	bool viable;
	char **blocking;
	size_t n_blocking;
};

/**
 * struct vs_plan - the writes of one bind or restore, in order.
 * @op: bind or restore
 * @root_path, @live: the system root the plan is for
 * @devices: devices in the order they are changed
 * @steps: the steps, devices' steps contiguous, module loads first
 * @skipped: group members deliberately left alone (bridges stay on pcieport)
 * @refused: devices that cannot be changed. A bind with refusals does not
 *           run at all; a restore restores the others.
 * @groups: bind: the groups of the devices as they will be after the plan
 *          (a group stays not viable while a member it does not bind is on a
 *          DMA-API driver)
 * @warnings: sentences: a host-critical device bound with --force, no-IOMMU
 *            mode, group members vfioscope does not read
 */
struct vs_plan {
	enum vs_bind_op op;
	char *root_path;
	bool live;
	struct vs_plan_device *devices;
	size_t n_devices;
	struct vs_step *steps;
	size_t n_steps;
	struct vs_plan_note *skipped;
	size_t n_skipped;
	struct vs_plan_note *refused;
	size_t n_refused;
	struct vs_group_viability *groups;
	size_t n_groups;
	char **warnings;
	size_t n_warnings;
};

/**
 * vs_hostcrit_fn - host-critical lookup supplied by the caller (the
 * diagnosis area's vs_hostcrit_find() over a vs_hostcrit_scan() list).
 * Return: one sentence of evidence ("nvme0n1p2 mounted on /"), or NULL.
 */
typedef const char *vs_hostcrit_fn(void *ctx, const struct vs_device *dev);

struct vs_step_result;
/** vs_progress_fn - called after each executed step (the TUI's progress view). */
typedef void vs_progress_fn(void *ctx, const struct vs_step_result *r);

/**
 * struct vs_bind_opts - how to plan and run.
 * @group: bind/restore every member of the devices' groups except bridges
 * @force: bind host-critical devices anyway (never overrides other refusals)
 * @all: restore every device of the journal
 * @timeout_ms: limit for each write and module load; 0 means 10 s
 * @hostcrit, @hostcrit_ctx: host-critical lookup; NULL checks nothing
 * @progress, @progress_ctx: optional progress callback
 */
struct vs_bind_opts {
	bool group;
	bool force;
	bool all;
	unsigned timeout_ms;
	vs_hostcrit_fn *hostcrit;
	void *hostcrit_ctx;
	vs_progress_fn *progress;
	void *progress_ctx;
};
#define VS_BIND_TIMEOUT_MS 10000u

/**
 * vs_bind_plan() - plan binding @devs to their bus's vfio driver.
 * @topo: a scan with VS_SCAN_CONFIG|VS_SCAN_ATTRS (header layout, SR-IOV),
 *        plus VS_SCAN_PLATFORM for non-PCI devices
 * @devs, @n: devices named by the user (with @opts->group: their groups)
 *
 * Devices that cannot be bound land in @out->refused with the reason:
 * host-critical (unless @opts->force), a holder of /dev/vfio/N, a bridge
 * (header layout != 0), a PF with VFs enabled, vfio-pci's denylist, no
 * IOMMU group outside no-IOMMU mode, an fsl-mc object whose container is
 * not bound with it. A device already on its vfio driver needs nothing.
 * Return: 0 (the plan may hold refusals); -ENOMEM; -EBADMSG when the
 * journal is unreadable (@err says which file).
 */
int vs_bind_plan(const struct vs_topology *topo, const struct vs_device *const *devs,
		 size_t n, const struct vs_bind_opts *opts, struct vs_plan **out,
		 struct vs_err *err);

/**
 * vs_restore_plan() - plan giving devices back to their drivers.
 * @devs, @n: devices named by the user; ignored with @opts->all (every
 *            journal entry); with @opts->group their groups' members
 *
 * A device with a journal entry goes back to the driver and override it had
 * before the bind. Without an entry the override is cleared and, when the
 * device is on a vfio driver or on none, it is re-probed so the kernel picks
 * its own driver. A device on another driver without an override needs
 * nothing. Journal entries for devices no longer present are refused
 * ("absent") and kept.
 * Return: 0; -ENOMEM; -EBADMSG for an unreadable journal.
 */
int vs_restore_plan(const struct vs_topology *topo, const struct vs_device *const *devs,
		    size_t n, const struct vs_bind_opts *opts, struct vs_plan **out,
		    struct vs_err *err);

/**
 * vs_plan_shell() - the plan as a POSIX shell script a user could run.
 * Every path and value is quoted with vs_shell_quote(); the verify steps
 * become tests that stop the script. Return: malloc'd text, NULL on ENOMEM.
 */
char *vs_plan_shell(const struct vs_plan *plan);

/** vs_plan_free() - accepts NULL. */
void vs_plan_free(struct vs_plan *plan);
/** vs_group_viability_release() - free the strings of an entry. */
void vs_group_viability_release(struct vs_group_viability *g);

/**
 * vs_step_shell() - append the shell command of one step (one line, no
 * comment) to @sb: `printf '%s' VALUE > PATH`, `echo > PATH` to clear an
 * override, `modprobe NAME`, or a test of the driver link for a verify.
 * @device: the device name, used in the verify step's message
 */
void vs_step_shell(struct vs_strbuf *sb, const struct vs_step *s, const char *device);
/** vs_step_release() - free the strings of a step (not the step itself). */
void vs_step_release(struct vs_step *s);

enum vs_step_status {
	VS_STEP_OK,
	VS_STEP_FAILED,		/* the write or the check failed (@error) */
	VS_STEP_TIMEOUT,	/* did not return in time; the kernel may still finish it */
};
/** vs_step_status_name() - "ok", "failed", "timeout". */
const char *vs_step_status_name(enum vs_step_status s);

enum vs_step_phase {
	VS_PHASE_PLAN,		/* a step of the plan */
	VS_PHASE_ROLLBACK,	/* undoing after a failure */
	VS_PHASE_FALLBACK,	/* explicit bind to the original driver when a probe did not bring it back */
};
/** vs_step_phase_name() - "plan", "rollback", "fallback". */
const char *vs_step_phase_name(enum vs_step_phase p);

/**
 * struct vs_step_result - what one executed step did.
 * @step: the step (owned copy; rollback steps exist only here)
 * @device: device name (NULL for a module load)
 * @phase: plan, rollback or fallback
 * @status: ok, failed or timeout
 * @error: negative errno of a failed write (0 otherwise, also for a failed
 *         verify)
 * @message: a sentence when not ok, else NULL
 * @found: for VS_STEP_VERIFY, the driver found (NULL = none)
 */
struct vs_step_result {
	struct vs_step step;
	char *device;
	enum vs_step_phase phase;
	enum vs_step_status status;
	int error;
	char *message;
	char *found;
};

enum vs_outcome {
	VS_OUTCOME_DONE,	/* ended where asked */
	VS_OUTCOME_UNCHANGED,	/* was already where asked */
	VS_OUTCOME_NOT_RUN,	/* untouched: the operation stopped before it */
	VS_OUTCOME_ROLLED_BACK,	/* failed, and back on its original driver and override */
	VS_OUTCOME_STRANDED,	/* failed and not back: @message says how to fix it by hand */
	VS_OUTCOME_VANISHED,	/* disappeared from the bus during the operation */
	VS_OUTCOME_REFUSED,	/* restore: refused (see the plan's refusals) */
};
/** vs_outcome_name() - "done", "unchanged", "not_run", "rolled_back", "stranded", "vanished", "refused". */
const char *vs_outcome_name(enum vs_outcome o);

/**
 * struct vs_result_device - before and after of one device.
 * @driver_after, @override_after: read back at the end (NULL = none)
 * @message: what went wrong and, when stranded, the commands to fix it
 */
struct vs_result_device {
	char *name;
	enum vs_bus bus;
	int group;
	char *driver_before, *override_before;
	char *driver_after, *override_after;
	char *target;
	bool target_any;
	enum vs_outcome outcome;
	char *message;
};

/**
 * struct vs_bind_result - what vs_plan_execute() did.
 * @ok: every device ended where asked (the exit status)
 * @devices: in plan order, then the plan's refusals for a restore
 * @steps: every executed step in order, rollback included
 * @groups: touched groups, read after a successful bind
 * @warnings: sentences (a group not viable yet, journal trouble)
 */
struct vs_bind_result {
	bool ok;
	struct vs_result_device *devices;
	size_t n_devices;
	struct vs_step_result *steps;
	size_t n_steps;
	struct vs_group_viability *groups;
	size_t n_groups;
	char **warnings;
	size_t n_warnings;
};

/**
 * vs_bind_check_privilege() - may this process write the root's sysfs?
 * Writes to the live system need euid 0; fixture roots take any user.
 * Return: 0, or -EPERM with a sentence in @err.
 */
int vs_bind_check_privilege(const struct vs_root *root, uid_t euid, struct vs_err *err);

/**
 * vs_plan_execute() - run a plan: verify, roll back, journal.
 * @topo: the scan the plan was made from (its root is written)
 *
 * Nothing is written when: the process may not write (-EPERM, see
 * vs_bind_check_privilege); a bind plan holds refusals (-ECANCELED); a
 * vfio driver is missing under a --sysroot root, where no program is ever
 * run (-ENOENT); another vfioscope holds the lock (-EBUSY); a device
 * changed since the plan was made or a process now holds its /dev/vfio/N
 * (-EAGAIN); the journal cannot be written (-errno).
 * Each write runs in a forked child that the caller's SIGCHLD disposition
 * must let it reap (do not set SIGCHLD to SIG_IGN); a module load runs
 * `modprobe` the same way, on the live system only.
 * Return: 0 when the plan ran (@out says whether it succeeded), or the
 * negative errno above with a sentence in @err and @out NULL.
 */
int vs_plan_execute(const struct vs_topology *topo, const struct vs_plan *plan,
		    const struct vs_bind_opts *opts, struct vs_bind_result **out,
		    struct vs_err *err);

/** vs_bind_result_free() - accepts NULL. */
void vs_bind_result_free(struct vs_bind_result *res);

/**
 * struct vs_vfio_holder - a process holding a VFIO node open.
 * @pid, @comm: the process (comm NULL when unreadable)
 * @node: the link target, "/dev/vfio/7", "/dev/vfio/noiommu-0",
 *        "/dev/vfio/devices/vfio0"
 * @group: the group of the node (-1 for a device cdev or noiommu node)
 * @device: for a device cdev, the device's sysfs name, else NULL
 */
struct vs_vfio_holder {
	pid_t pid;
	char *comm;
	char *node;
	int group;
	char *device;
};
struct vs_vfio_holders {
	struct vs_vfio_holder *items;
	size_t n;
	size_t unreadable;	/* processes whose fd/ could not be read */
};

/**
 * vs_vfio_holders_scan() - find processes holding /dev/vfio/ nodes by
 * reading proc/PID/fd links under the root.
 * Return: 0; -ENOMEM. A missing proc/ gives an empty list.
 */
int vs_vfio_holders_scan(const struct vs_root *root, struct vs_vfio_holders **out);
/**
 * vs_vfio_holder_for() - the first process holding @dev's group node, its
 * device cdev or the cdev of another member of its group: any of them makes
 * an unbind block or a probe fail. NULL when none.
 */
const struct vs_vfio_holder *vs_vfio_holder_for(const struct vs_vfio_holders *h,
						const struct vs_topology *topo,
						const struct vs_device *dev);
/** vs_vfio_holders_free() - accepts NULL. */
void vs_vfio_holders_free(struct vs_vfio_holders *h);

/*
 * The journal: ROOT/run/vfioscope/journal.json, one entry per device that
 * a bind changed, with the driver and override it had before. Written
 * atomically (temporary file, fsync, rename, fsync of the directory)
 * before the first write of a bind; an entry goes when its device is
 * restored or rolled back.
 */
#define VS_JOURNAL_DIR "run/vfioscope"
#define VS_JOURNAL_FILE "run/vfioscope/journal.json"
#define VS_JOURNAL_LOCK "run/vfioscope/lock"
/* how long vs_journal_lock() waits for a holder to let go */
#define VS_JOURNAL_LOCK_WAIT_MS 2000u

struct vs_journal_entry {
	char *name;
	enum vs_bus bus;
	char *driver;		/* original driver, NULL = none */
	char *override;		/* original override, NULL = none */
	char *target;		/* driver the bind asked for */
	long long since;	/* seconds since the epoch */
};
struct vs_journal {
	struct vs_journal_entry *entries;
	size_t n;
};

/**
 * vs_journal_read() - read the journal; a missing file is an empty journal.
 * Return: 0; -EBADMSG malformed (@err names the file); -ENOMEM; -errno.
 */
int vs_journal_read(const struct vs_root *root, struct vs_journal **out, struct vs_err *err);
/**
 * vs_journal_write() - replace the journal atomically; an empty journal
 * removes the file. Return: 0 or -errno with a sentence in @err.
 */
int vs_journal_write(const struct vs_root *root, const struct vs_journal *j,
		     struct vs_err *err);
/** vs_journal_find() - the entry of a device, or NULL. */
const struct vs_journal_entry *vs_journal_find(const struct vs_journal *j, enum vs_bus bus,
					       const char *name);
/** vs_journal_add() - add an entry (copies the strings). Return: 0 or -ENOMEM. */
int vs_journal_add(struct vs_journal *j, const struct vs_journal_entry *e);
/** vs_journal_remove() - drop a device's entry. Return: true when there was one. */
bool vs_journal_remove(struct vs_journal *j, enum vs_bus bus, const char *name);
/** vs_journal_free() - accepts NULL. */
void vs_journal_free(struct vs_journal *j);
/**
 * vs_journal_lock() - take the rebinding lock (run/vfioscope/lock, flock).
 * A holder is waited for up to VS_JOURNAL_LOCK_WAIT_MS (a writer process a
 * killed vfioscope left behind lets go once its write returns).
 * Return: a descriptor to close to unlock, -EBUSY when another process
 * still holds it, or -errno; @err gets a sentence.
 */
int vs_journal_lock(const struct vs_root *root, struct vs_err *err);

#endif
