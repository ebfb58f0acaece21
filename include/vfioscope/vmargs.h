/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Arguments for a VM: which host devices go to the guest, and the text that
 * passes them (QEMU -device arguments, libvirt <hostdev> XML, a shell script).
 *
 * vs_vmargs_build() turns a selection into a struct vs_vmargs: the list of
 * devices to pass (a device named alone stands for the endpoints of its whole
 * IOMMU group, since the group goes to one VM; bridges never), their guest
 * placement and the QEMU argument words, plus notes (warnings and hints) as
 * data. The formatters only turn that into text; they never look at the
 * system again.
 *
 * Guest placement of PCI functions (q35 and the ARM "virt" machine, whose
 * root bus is "pcie.0"): one pcie-root-port per host slot, id
 * "vfio-rp-DDDD-BB-DD", chassis VS_VMARGS_CHASSIS, slot 1, 2, ... in order;
 * each function of that slot sits behind it at addr=00.F with the host's
 * function number, multifunction=on on function 0 when the slot has more than
 * one. VFs are never merged into one slot (each is its own device). Function
 * ids are "hostdev-DDDD-BB-DD-F", stable for a given host device.
 */
#ifndef VFIOSCOPE_VMARGS_H
#define VFIOSCOPE_VMARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "vfioscope/bind.h"
#include "vfioscope/topology.h"
#include "vfioscope/util.h"

/*
 * The chassis number of the root ports vfioscope adds. One chassis for all of
 * them, slots counting from 1, so that they do not collide with ports numbered
 * the libvirt way (chassis 1, 2, 3 ... with slot 0).
 */
#define VS_VMARGS_CHASSIS 86

/* First libvirt controller index used for multi-function slots. */
#define VS_VMARGS_LIBVIRT_BUS 0x10

enum vs_vm_format {
	VS_VM_FORMAT_QEMU,	/* -device arguments */
	VS_VM_FORMAT_LIBVIRT,	/* <hostdev> elements (and <qemu:commandline>) */
	VS_VM_FORMAT_SHELL,	/* bind plan, then exec QEMU with the arguments */
};
/** vs_vm_format_name() - "qemu", "libvirt", "shell". */
const char *vs_vm_format_name(enum vs_vm_format f);
/** vs_vm_format_parse() - the reverse; Return: 0 or -EINVAL. */
int vs_vm_format_parse(const char *name, enum vs_vm_format *out);

/* How QEMU takes the device. */
enum vs_vm_kind {
	VS_VM_PCI,		/* -device vfio-pci,host=DDDD:BB:DD.F */
	VS_VM_PLATFORM,		/* -device vfio-platform,host=NAME */
	VS_VM_AMBA,		/* -device vfio-platform,sysfsdev=/sys/bus/amba/devices/NAME */
	VS_VM_FSL_MC,		/* -device vfio-fsl-mc,host=dprc.N */
};

/**
 * struct vs_vm_port - a guest pcie-root-port holding the functions of one
 * host slot.
 * @id: "vfio-rp-DDDD-BB-DD"
 * @chassis: VS_VMARGS_CHASSIS
 * @slot: 1, 2, ... in the order of the ports
 * @arg: the -device value: "pcie-root-port,id=...,bus=pcie.0,chassis=86,slot=N"
 * @n_functions: how many passed functions sit behind it
 * @libvirt_bus: the libvirt controller index the libvirt form gives the
 *               functions of this slot (only when @n_functions > 1, else -1:
 *               libvirt places a single function on a root port of its own)
 */
struct vs_vm_port {
	char *id;
	unsigned chassis;
	unsigned slot;
	char *arg;
	size_t n_functions;
	int libvirt_bus;
};

/**
 * struct vs_vm_entry - one host device passed to the guest.
 * @device: the device (borrowed from the topology)
 * @kind: how QEMU takes it
 * @named: the selection named it (false: brought along by its IOMMU group,
 *         the container of a named fsl-mc object, or the VMD controller of
 *         a named device behind it)
 * @id: QEMU device id: "hostdev-" and the sysfs name with characters outside
 *      [A-Za-z0-9._-] and the PCI ':' and '.' turned into '-' for PCI,
 *      '_' for other buses ("hostdev-0001-03-00-0", "hostdev-e6055400.gpio")
 * @arg: the -device value, unquoted ("vfio-pci,host=0001:03:00.0,id=...")
 * @port: index into vs_vmargs.ports (PCI), else -1
 * @guest_fn: guest function number behind the port (PCI)
 * @multifunction: this function carries multifunction=on
 */
struct vs_vm_entry {
	const struct vs_device *device;
	enum vs_vm_kind kind;
	bool named;
	char *id;
	char *arg;
	int port;
	unsigned guest_fn;
	bool multifunction;
};

/* Kinds of notes. A note is a warning when the VM will not start (or not
 * safely) unless the user acts; else a hint. */
enum vs_vm_note_code {
	VS_VMN_NOT_VIABLE,	  /* a group has members on host DMA drivers: bind these first */
	VS_VMN_NOT_BOUND,	  /* a passed device is not on its vfio driver yet */
	VS_VMN_GROUP_SPLIT,	  /* --only left group members out; they must still leave the host */
	VS_VMN_VF_TOKEN,	  /* VF whose PF is on vfio-pci: QEMU needs vf-token=UUID */
	VS_VMN_BOOT_VGA,	  /* the host's boot VGA device: x-vga=on hint */
	VS_VMN_NOIOMMU,		  /* no-IOMMU mode: no isolation, taints the kernel */
	VS_VMN_FN_RENUMBERED,	  /* function 0 of a slot not passed: lowest becomes guest fn 0 */
	VS_VMN_PLATFORM_ORDER,	  /* -device order fixes the guest's interrupt numbers */
	VS_VMN_PLATFORM_REMOVED,  /* QEMU 10.0 deprecated, 10.2 removed vfio-platform */
	VS_VMN_AMBA_SYSFSDEV,	  /* AMBA devices use sysfsdev= (host= looks in bus/platform) */
	VS_VMN_FSLMC_QEMU,	  /* vfio-fsl-mc needs NXP's patched QEMU */
	VS_VMN_FSLMC_IRQ_CFG,	  /* container needs DPRC_CFG_OPT_IRQ_CFG_ALLOWED */
	VS_VMN_FSLMC_CONTAINER,	  /* a named fsl-mc object goes as its container */
	VS_VMN_VMD_DOMAIN,	  /* a device behind VMD goes as its VMD controller */
};
/** vs_vm_note_code_name() - stable name: "not_viable", "not_bound", ... */
const char *vs_vm_note_code_name(enum vs_vm_note_code code);
/**
 * vs_vm_note_bind_fixes() - true for the notes a bind plan of the whole
 * groups (vs_vmargs_bind_plan()) takes care of: not viable, not bound. The
 * shell form leaves them out.
 */
bool vs_vm_note_bind_fixes(enum vs_vm_note_code code);

/**
 * struct vs_vm_note - a warning or hint for the user, as data.
 * @code: what it is about
 * @warning: true: the VM will fail or be unsafe unless the user acts
 * @device: the device it is about, or NULL (about the whole set)
 * @text: one or two sentences; names from the system appear raw (sanitize
 *        before showing on a terminal)
 */
struct vs_vm_note {
	enum vs_vm_note_code code;
	bool warning;
	const struct vs_device *device;
	char *text;
};

/**
 * struct vs_vmargs - the devices for one VM and how to pass them.
 * @topo: the topology it was built from (borrowed)
 * @entries: devices to pass: PCI in address order, then platform and AMBA
 *           devices in the order the selection named them (group members
 *           brought along follow the named device, by name), then fsl-mc
 *           containers in the order named
 * @ports: guest root ports for the PCI entries, in address order
 * @argv: the QEMU argument words, unquoted: "-device", value, "-device", ...
 *        (each port's argument precedes the functions behind it)
 * @notes: warnings and hints, warnings first
 * @groups: IOMMU group numbers involved, ascending (-1 never appears)
 */
struct vs_vmargs {
	const struct vs_topology *topo;
	struct vs_vm_entry *entries;
	size_t n_entries;
	struct vs_vm_port *ports;
	size_t n_ports;
	char **argv;
	size_t argc;
	struct vs_vm_note *notes;
	size_t n_notes;
	int *groups;
	size_t n_groups;
};

/**
 * struct vs_vmargs_opts - how to read the selection.
 * @only: pass exactly the named devices, not the rest of their groups (the
 *        rest must still be bound to vfio or unbound: a VS_VMN_GROUP_SPLIT note)
 */
struct vs_vmargs_opts {
	bool only;
};

/**
 * vs_vmargs_build() - compute the devices to pass for a selection.
 * @topo: scanned topology (VS_SCAN_PLATFORM for non-PCI devices,
 *        VS_SCAN_ATTRS for the boot VGA hint)
 * @sel: the devices the user named, in the user's order (duplicates are fine)
 * @n_sel: how many; 0 is an error
 * @opts: NULL for the defaults
 * @out: receives the result (vs_vmargs_free())
 * @err: gets a sentence on failure
 *
 * Reads sys/module/vfio/parameters/enable_unsafe_noiommu_mode through the
 * topology's root when a device has no IOMMU group.
 *
 * Return: 0;
 * -EINVAL nothing selected;
 * -ENODEV a device has no IOMMU group and the system is not in no-IOMMU mode
 *  (the message says why, and how no-IOMMU mode would change it);
 * -EPERM a device cannot be passed at all: a PCI bridge named with --only,
 *  a bridge whose group has no endpoint, the root fsl-mc container, a
 *  device behind a VMD controller named with --only (binding the controller
 *  to vfio-pci removes its whole domain from the host, so only the
 *  controller can go; without --only it goes in the device's place);
 * -ENOMEM.
 */
int vs_vmargs_build(const struct vs_topology *topo,
		    const struct vs_device *const *sel, size_t n_sel,
		    const struct vs_vmargs_opts *opts,
		    struct vs_vmargs **out, struct vs_err *err);

/** vs_vmargs_free() - free the result; accepts NULL. */
void vs_vmargs_free(struct vs_vmargs *va);

/** vs_vmargs_has_warning() - true when some note is a warning. */
bool vs_vmargs_has_warning(const struct vs_vmargs *va);

/**
 * vs_vmargs_qemu() - the QEMU arguments as shell-quoted text.
 * @one_line: all words on one line separated by spaces (for scripts and
 *            $(...)); else one "-device VALUE" pair per line
 *
 * Every line ends with a newline. Return: a new string, or NULL (ENOMEM).
 */
char *vs_vmargs_qemu(const struct vs_vmargs *va, bool one_line);

/**
 * vs_vmargs_libvirt() - libvirt domain XML for the devices.
 *
 * One <hostdev mode='subsystem' type='pci' managed='yes'> per PCI function
 * (source address, and for slots with several functions a guest address on
 * controller index @ports[].libvirt_bus with multifunction='on' on function
 * 0); platform, AMBA and fsl-mc devices, which libvirt has no hostdev type
 * for, in one <qemu:commandline> element carrying its namespace declaration.
 * Elements follow each other with no enclosing root (paste the hostdevs into
 * <devices>, the commandline after it); XML comments before a multi-function
 * slot and before the commandline say what the user must check. Every value
 * from the system is XML-escaped.
 *
 * Return: 0; -EILSEQ a name holds characters XML 1.0 cannot carry (control
 * characters, invalid UTF-8): @err names the device; -ENOMEM.
 */
int vs_vmargs_libvirt(const struct vs_vmargs *va, char **out, struct vs_err *err);

/**
 * vs_vmargs_bind_plan() - the bind plan that makes the devices usable by
 * QEMU: every device to pass, and the rest of their IOMMU groups (bridges
 * stay on their drivers), to its bus's vfio driver. A thin wrapper of
 * vs_bind_plan() with @opts->group forced on (--only never leaves a group
 * member on a host driver: the group would not be viable).
 * @opts: hostcrit callback, force, ...; NULL for the defaults
 * Return: as vs_bind_plan(): 0 (the plan may hold refusals), -ENOMEM,
 * -EBADMSG.
 */
int vs_vmargs_bind_plan(const struct vs_vmargs *va, const struct vs_bind_opts *opts,
			struct vs_plan **out, struct vs_err *err);

/**
 * vs_vmargs_shell() - a shell script: the bind plan, then QEMU with the
 * arguments.
 * @plan_script: the bind plan as a script (vs_plan_shell() of
 *               vs_vmargs_bind_plan()) or NULL; a leading "#!" line is
 *               dropped, the rest is included verbatim
 *
 * The script starts with "#!/bin/sh", lists the notes as comments (but
 * those vs_vm_note_bind_fixes()), runs the plan (or "set -e" without one)
 * and ends with
 *   exec "${QEMU:-qemu-system-$(uname -m)}" "$@" -device ... -device ...
 * so that `sh SCRIPT -machine q35 -m 4G ...` binds and starts the VM. Every
 * word is shell-quoted.
 *
 * Return: a new string, or NULL (ENOMEM).
 */
char *vs_vmargs_shell(const struct vs_vmargs *va, const char *plan_script);

/**
 * vs_qemu_opt_escape() - append @s to @sb as a QEMU option value: commas
 * doubled (QEMU's QemuOpts escaping).
 */
void vs_qemu_opt_escape(struct vs_strbuf *sb, const char *s);

/**
 * vs_xml_escape() - append @s to @sb escaped for an XML attribute or text
 * (& < > ' ").
 * Return: 0; -EILSEQ when @s holds control characters (C0 including tab
 * and newline, which attribute values would turn into spaces, DEL, C1) or
 * invalid UTF-8: nothing is appended then; -ENOMEM.
 */
int vs_xml_escape(struct vs_strbuf *sb, const char *s);

#endif
