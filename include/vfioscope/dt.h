/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device tree of an ARM host, parsed once with libfdt into an owned
 * tree of nodes; the dependency closure of platform devices; the guest
 * device-tree fragment for QEMU's virt board; and the ARM readiness findings
 * (vfio-platform, no-IOMMU, reset, MSI, host DT, shared SMMU stream IDs).
 *
 * Where the tree comes from: ROOT/sys/firmware/fdt (the blob the kernel
 * booted with), else ROOT/sys/firmware/devicetree/base (one directory per
 * node, one file per property), assembled into a blob with libfdt's
 * sequential-write API and parsed the same way. A blob that fails
 * fdt_check_full() is refused with a sentence naming the file and libfdt's
 * reason; nothing in it is trusted before that check.
 *
 * Lifetime: vs_dt_load() returns an owned struct vs_dt; every node, property
 * and decoded value is borrowed from it until vs_dt_free().
 */
#ifndef VFIOSCOPE_DT_H
#define VFIOSCOPE_DT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfioscope/sysroot.h"
#include "vfioscope/topology.h"
#include "vfioscope/util.h"

struct vs_dt_node;

/** struct vs_dt_prop - one property, raw big-endian bytes as in the blob. */
struct vs_dt_prop {
	char *name;
	unsigned char *val;	/* NULL when @len is 0 */
	size_t len;
};

/**
 * struct vs_dt_reg - one `reg` window.
 * @addr: address in the parent's address space (low 64 bits)
 * @size: size (0 when the parent's #size-cells is 0)
 * @cpu_addr: @addr translated through every ancestor's `ranges`
 * @mmio: @cpu_addr is valid: every ancestor below the root has `ranges`
 *        (false for MDIO/I2C/nvmem children, whose reg is not an address)
 */
struct vs_dt_reg {
	uint64_t addr;
	uint64_t size;
	uint64_t cpu_addr;
	bool mmio;
};

enum vs_dt_irq_kind {
	VS_DT_IRQ_SPI,		/* GIC shared peripheral interrupt (cell 0 = 0) */
	VS_DT_IRQ_PPI,		/* GIC private peripheral interrupt (cell 0 = 1) */
	VS_DT_IRQ_ESPI,		/* GICv3 extended SPI (2) */
	VS_DT_IRQ_EPPI,		/* GICv3 extended PPI (3) */
	VS_DT_IRQ_OTHER,	/* not a GIC, or an unknown GIC cell 0 */
};

/* Trigger bits of a GIC specifier's third cell (dt-bindings/interrupt-controller/irq.h). */
#define VS_DT_IRQ_EDGE_RISING	1u
#define VS_DT_IRQ_EDGE_FALLING	2u
#define VS_DT_IRQ_LEVEL_HIGH	4u
#define VS_DT_IRQ_LEVEL_LOW	8u
#define VS_DT_IRQ_TRIGGER_MASK	0xfu

/**
 * struct vs_dt_irq - one interrupt of `interrupts` or `interrupts-extended`.
 * @ctrl: the interrupt controller, NULL when it could not be resolved
 * @cells: the specifier, @n_cells of the controller's #interrupt-cells
 * @gic: @ctrl is an ARM GIC and the specifier has 3+ cells
 * @kind: SPI/PPI/... for a GIC, else VS_DT_IRQ_OTHER
 * @number: SPI/PPI number for a GIC (INTID minus 32 or 16), else cells[0]
 * @flags: trigger bits (VS_DT_IRQ_*) for a GIC, else 0
 */
struct vs_dt_irq {
	const struct vs_dt_node *ctrl;
	uint32_t *cells;
	size_t n_cells;
	bool gic;
	enum vs_dt_irq_kind kind;
	uint32_t number;
	uint32_t flags;
};

/**
 * struct vs_dt_ref - one phandle reference in a property.
 * @prop: the property name ("clocks", "pinctrl-0", "vddio-supply")
 * @index: entry number within the property
 * @phandle: the value written
 * @target: the node with that phandle; NULL when none has it
 * @args: the specifier cells after the phandle (#clock-cells etc. of the
 *        provider), @n_args of them
 */
struct vs_dt_ref {
	const char *prop;
	size_t index;
	uint32_t phandle;
	const struct vs_dt_node *target;
	uint32_t *args;
	size_t n_args;
};

/**
 * struct vs_dt_node - one node.
 * @name: "ethernet@5b040000" ("" for the root)
 * @path: "/bus@5b000000/ethernet@5b040000" ("/" for the root)
 * @label: label from /__symbols__ when the blob has one (dtc -@), else NULL
 * @phandle: 0 when the node has none
 * @compatible: the `compatible` strings, @n_compatible of them
 * @status: `status` value, NULL when absent
 * @enabled: status absent, "okay" or "ok"
 * @addr_cells, @size_cells: the cells this node's `reg` uses (its parent's
 *                           #address-cells / #size-cells, defaults 2 / 1)
 * @reg: decoded `reg`; @irqs: decoded interrupts
 * @irq_parent: the effective interrupt parent (own or inherited
 *              `interrupt-parent`, else the parent node), NULL for none
 * @refs: every phandle reference of the node's own properties, in property
 *        order (see vs_dt_ref_props() for which properties are read)
 * @msi_parent: first node of `msi-parent`, NULL when absent
 * @interrupt_controller, @msi_controller: the node has that property
 * @iommu_provider: the node has #iommu-cells
 * @problems: one sentence per property that could not be decoded
 */
struct vs_dt_node {
	char *name;
	char *path;
	char *label;
	struct vs_dt_node *parent;
	struct vs_dt_node **children;
	size_t n_children;
	size_t index;		/* position in vs_dt.nodes (tree order) */
	size_t depth;		/* 0 for the root */
	struct vs_dt_prop *props;
	size_t n_props;

	uint32_t phandle;
	char **compatible;
	size_t n_compatible;
	const char *status;
	bool enabled;
	int addr_cells, size_cells;
	struct vs_dt_reg *reg;
	size_t n_reg;
	struct vs_dt_irq *irqs;
	size_t n_irqs;
	const struct vs_dt_node *irq_parent;
	struct vs_dt_ref *refs;
	size_t n_refs;
	const struct vs_dt_node *msi_parent;
	bool interrupt_controller;
	bool msi_controller;
	bool iommu_provider;
	char **problems;
	size_t n_problems;
};

/**
 * struct vs_dt - a parsed device tree.
 * @source: where it came from, relative to the system root
 *          ("sys/firmware/fdt" or "sys/firmware/devicetree/base") or the
 *          file name given to vs_dt_parse_blob()
 * @nodes: every node in tree order; nodes[0] is the root
 */
struct vs_dt {
	char *source;
	struct vs_dt_node **nodes;
	size_t n_nodes;
	void *priv;
};

/**
 * vs_dt_load() - read the device tree of a system root.
 * @root: system root
 * @out: receives the tree
 * @err: receives a sentence on failure
 *
 * Return: 0; -ENOENT when the root has neither sys/firmware/fdt nor
 * sys/firmware/devicetree/base (x86 machines); -EINVAL for a corrupt or
 * truncated blob or an unreadable tree (@err names the file and the reason);
 * -EFBIG for a blob over 64 MiB; -ENOMEM.
 */
int vs_dt_load(const struct vs_root *root, struct vs_dt **out, struct vs_err *err);

/**
 * vs_dt_parse_blob() - parse a flattened device tree held in memory.
 * @blob: the bytes (need not be aligned; copied)
 * @len: their number
 * @source: name for messages and vs_dt.source
 *
 * Return: 0; -EINVAL when fdt_check_full() refuses the blob (@err says
 * "SOURCE: not a valid device tree blob: <libfdt reason>"); -ENOMEM.
 */
int vs_dt_parse_blob(const void *blob, size_t len, const char *source,
		     struct vs_dt **out, struct vs_err *err);

/**
 * vs_dt_read_file() - read a whole file below @dirfd (no 64 KiB limit, for
 * blobs). Return: bytes read, or -errno; -EFBIG past 64 MiB.
 */
ssize_t vs_dt_read_file(int dirfd, const char *rel, unsigned char **out);

/** vs_dt_free() - free the tree; accepts NULL. */
void vs_dt_free(struct vs_dt *dt);

/** vs_dt_root() - the root node. */
const struct vs_dt_node *vs_dt_root(const struct vs_dt *dt);
/** vs_dt_find_path() - node by full path ("/soc/gpio@e6055400"); NULL when absent. */
const struct vs_dt_node *vs_dt_find_path(const struct vs_dt *dt, const char *path);
/** vs_dt_find_phandle() - node by phandle; NULL for 0, 0xffffffff or none. */
const struct vs_dt_node *vs_dt_find_phandle(const struct vs_dt *dt, uint32_t phandle);
/** vs_dt_find_label() - node by /__symbols__ label; NULL when absent. */
const struct vs_dt_node *vs_dt_find_label(const struct vs_dt *dt, const char *label);
/**
 * vs_dt_find_devname() - the node the kernel names @devname
 * ("5b040000.ethernet", see vs_dt_devname()); NULL when none.
 */
const struct vs_dt_node *vs_dt_find_devname(const struct vs_dt *dt, const char *devname);

/**
 * vs_dt_lookup() - find a node the user named: a path ("/..."), a platform
 * device name ("e6055400.gpio"), or a label ("fec1").
 * Return: 0; -ENOENT with a sentence in @err.
 */
int vs_dt_lookup(const struct vs_dt *dt, const char *spec,
		 const struct vs_dt_node **out, struct vs_err *err);

/**
 * vs_dt_devname() - the platform device name the kernel gives the node
 * (of_device_make_bus_id): "<first reg cpu address in hex>.<name without
 * unit address>", e.g. "5b040000.ethernet"; NULL when the node has no MMIO
 * reg or on allocation failure. Caller frees.
 */
char *vs_dt_devname(const struct vs_dt_node *node);

/** vs_dt_prop() - property by name; NULL when absent. */
const struct vs_dt_prop *vs_dt_prop(const struct vs_dt_node *node, const char *name);
/** vs_dt_prop_u32() - first cell of a property; false when absent or short. */
bool vs_dt_prop_u32(const struct vs_dt_node *node, const char *name, uint32_t *out);
/** vs_dt_is_compatible() - @compat is one of the node's compatible strings. */
bool vs_dt_is_compatible(const struct vs_dt_node *node, const char *compat);
/** vs_dt_is_gic() - the node is an ARM GIC (v1/v2/v3/v4 distributor). */
bool vs_dt_is_gic(const struct vs_dt_node *node);
/** vs_dt_is_bus() - a node whose children are independent devices (simple-bus and kin). */
bool vs_dt_is_bus(const struct vs_dt_node *node);
/** vs_dt_irq_kind_name() - "SPI", "PPI", "ESPI", "EPPI", "IRQ". */
const char *vs_dt_irq_kind_name(enum vs_dt_irq_kind kind);
/** vs_dt_trigger_name() - "level-high", "edge-rising", ... for trigger bits; "none" for 0. */
const char *vs_dt_trigger_name(uint32_t flags);

/**
 * vs_dt_is_ref_prop() - whether vfioscope reads @name as phandle references,
 * and with which provider cells property: sets *@cells_prop to
 * "#clock-cells" etc., or NULL for a plain list of phandles. The table
 * follows dtc's checks (clocks, power-domains, resets, pinctrl-N, mboxes,
 * phys, dmas, iommus, interrupt-parent, interrupts-extended, nvmem-cells,
 * *-supply, gpios and *-gpios, phy-handle, msi-parent, ...).
 */
bool vs_dt_is_ref_prop(const char *name, const char **cells_prop);

/* ------------------------------------------------------------------ */
/* Dependency closure                                                  */

enum vs_dt_dep_kind {
	VS_DT_DEP_DEVICE,	/* one of the start nodes */
	VS_DT_DEP_PART,		/* inside a device's or a dependency's subtree */
	VS_DT_DEP_REF,		/* referenced by phandle */
	VS_DT_DEP_CONTAINER,	/* ancestor that provides a dependency (the SCU above pd/clk) */
};

enum vs_dt_dep_role {
	VS_DT_ROLE_PASSED,	/* a passed device or part of one */
	VS_DT_ROLE_COPY,	/* no MMIO registers: copy into the guest tree as it is */
	VS_DT_ROLE_VM,		/* interrupt controller, MSI controller or IOMMU: the VM has its own */
	VS_DT_ROLE_PASS_TOO,	/* has registers, nothing else on the host uses it: pass it too */
	VS_DT_ROLE_HOST_SHARED,	/* has registers the host uses too: hand one over to the guest */
};

/**
 * struct vs_dt_dep - one node of a closure.
 * @node: the node
 * @kind: why it is in
 * @role: what the guest needs to do about it
 * @from: the node whose property referenced it (REF), the dependency it
 *        contains (CONTAINER), the subtree top (PART); NULL for DEVICE
 * @prop: the referencing property (REF), else NULL
 * @depth: number of hops from the nearest start node
 * @replacement: for HOST_SHARED nodes, a passed device that can stand in
 *               for it in the guest (same first compatible), else NULL
 * @host_user: for HOST_SHARED nodes, one enabled host node outside the
 *             closure that depends on it (the evidence), else NULL
 */
struct vs_dt_dep {
	const struct vs_dt_node *node;
	enum vs_dt_dep_kind kind;
	enum vs_dt_dep_role role;
	const struct vs_dt_node *from;
	const char *prop;
	unsigned depth;
	const struct vs_dt_node *replacement;
	const struct vs_dt_node *host_user;
};

/**
 * struct vs_dt_user - an enabled node outside the passed set that references
 * a passed device (or a node inside it).
 */
struct vs_dt_user {
	const struct vs_dt_node *node;
	const char *prop;
	const struct vs_dt_node *device;
};

/**
 * struct vs_dt_closure - what a set of devices needs from the device tree.
 * @deps: the start nodes, their subtrees and every dependency, in discovery
 *        order (breadth first)
 * @users: nodes that reference the passed devices
 */
struct vs_dt_closure {
	struct vs_dt_dep *deps;
	size_t n_deps;
	struct vs_dt_user *users;
	size_t n_users;
};

/**
 * vs_dt_closure() - the dependency closure of @n_start device nodes.
 *
 * Every phandle reference of a node and of the nodes inside it is followed
 * (arguments parsed with the provider's #x-cells), transitively; a
 * referenced node brings its subtree and the ancestors that provide it up to
 * the nearest bus (vs_dt_is_bus()) or the root. Interrupt controllers, MSI
 * controllers and IOMMUs are recorded (role VM) but not followed.
 * Return: 0 or -ENOMEM.
 */
int vs_dt_closure(const struct vs_dt *dt, const struct vs_dt_node *const *start,
		  size_t n_start, struct vs_dt_closure **out, struct vs_err *err);
/** vs_dt_closure_find() - the dep entry of @node; NULL when not in the closure. */
const struct vs_dt_dep *vs_dt_closure_find(const struct vs_dt_closure *c,
					   const struct vs_dt_node *node);
void vs_dt_closure_free(struct vs_dt_closure *c);
/** vs_dt_dep_kind_name() - "device", "part", "reference", "container". */
const char *vs_dt_dep_kind_name(enum vs_dt_dep_kind kind);
/** vs_dt_dep_role_name() - "passed", "copy", "vm", "pass-too", "host-shared". */
const char *vs_dt_dep_role_name(enum vs_dt_dep_role role);

/* ------------------------------------------------------------------ */
/* Guest device tree for QEMU's virt board                             */

/*
 * QEMU's virt board (hw/arm/virt.c): the platform bus window at 0xc000000,
 * 32 MiB, interrupts from SPI 112 (0x70), 64 of them.
 */
#define VS_VIRT_PLATFORM_BASE	0xc000000ull
#define VS_VIRT_PLATFORM_SIZE	0x2000000ull
#define VS_VIRT_PLATFORM_SPI	0x70u
#define VS_VIRT_PLATFORM_NIRQS	64u

/**
 * struct vs_guest_opts - how to lay out the guest tree.
 * @base: QEMU's own tree (-M virt,dumpdtb=FILE) or NULL; when given, the
 *        output is that whole tree plus the additions, the platform bus
 *        node keeps the base's name and `interrupt-parent` is the base's GIC
 * @bus_addr, @bus_size: platform bus window (VS_VIRT_PLATFORM_*)
 * @first_spi, @n_irqs: platform bus interrupts (VS_VIRT_PLATFORM_*)
 * @command: the command line to quote in the header comment, or NULL
 */
struct vs_guest_opts {
	const struct vs_dt *base;
	uint64_t bus_addr;
	uint64_t bus_size;
	uint32_t first_spi;
	uint32_t n_irqs;
	const char *command;
};
#define VS_GUEST_OPTS_INIT { .base = NULL, .bus_addr = VS_VIRT_PLATFORM_BASE, \
	.bus_size = VS_VIRT_PLATFORM_SIZE, .first_spi = VS_VIRT_PLATFORM_SPI, \
	.n_irqs = VS_VIRT_PLATFORM_NIRQS, .command = NULL }

/** struct vs_guest_window - one reg window on the guest's platform bus. */
struct vs_guest_window {
	const struct vs_dt_node *device;
	size_t reg_index;
	uint64_t host_addr;	/* CPU address on the host */
	uint64_t size;
	uint64_t guest_addr;	/* address on the guest */
};

/** struct vs_guest_irq - one interrupt of a passed device in the guest. */
struct vs_guest_irq {
	const struct vs_dt_node *device;
	size_t irq_index;
	uint32_t guest_spi;	/* SPI number in the guest's GIC specifier */
	uint32_t flags;		/* trigger bits kept from the host */
};

/**
 * struct vs_guest_layout - where QEMU puts each passed device, in -device
 * order: memory windows first-fit at natural (power of two) alignment like
 * hw/core/platform-bus.c, interrupts from @first_spi on.
 */
struct vs_guest_layout {
	struct vs_guest_window *windows;
	size_t n_windows;
	struct vs_guest_irq *irqs;
	size_t n_irqs;
};

/**
 * vs_guest_layout() - compute the guest addresses and interrupts of the
 * devices @devs in -device order.
 * Return: 0; -E2BIG when they do not fit the bus window or its interrupts;
 * -EINVAL when a device has no MMIO window (@err names it); -ENOMEM.
 */
int vs_guest_layout(const struct vs_dt_node *const *devs, size_t n,
		    const struct vs_guest_opts *opts, struct vs_guest_layout **out,
		    struct vs_err *err);
void vs_guest_layout_free(struct vs_guest_layout *layout);

/**
 * vs_guest_dts() - the guest DTS for passing @devs (in -device order).
 *
 * Returns a DTS that `dtc -I dts -O dtb` compiles: the passed devices inside
 * the platform bus node with `ranges` mapping their host windows, interrupts
 * renumbered, `iommus`/`interrupt-parent` dropped; their dependencies
 * (vs_dt_closure()) copied with phandle references turned into labels;
 * comments where a node must be passed too or handed over.
 * Return: 0 with *@out a malloc'd string; -E2BIG, -EINVAL, -ENOMEM as
 * vs_guest_layout().
 */
int vs_guest_dts(const struct vs_dt *dt, const struct vs_dt_node *const *devs,
		 size_t n, const struct vs_guest_opts *opts, char **out,
		 struct vs_err *err);

/* ------------------------------------------------------------------ */
/* ARM readiness findings                                              */

enum vs_arm_severity {
	VS_ARM_INFO,
	VS_ARM_WARN,	/* works, with a cost or a manual step */
	VS_ARM_BLOCK,	/* passthrough fails until fixed */
};

/**
 * struct vs_arm_finding - one finding.
 * @code: stable identifier ("ARM_NOIOMMU", ...; docs/json-arm.md lists them)
 * @severity: how bad
 * @subject: device name or DT path it is about ("" for the system)
 * @text: what is wrong and why, one to three sentences
 * @fix: what to do, or NULL
 */
struct vs_arm_finding {
	const char *code;
	enum vs_arm_severity severity;
	char *subject;
	char *text;
	char *fix;
};

struct vs_arm_findings {
	struct vs_arm_finding *items;
	size_t n;
};

/**
 * struct vs_arm_kernel - what the running kernel offers for non-PCI VFIO,
 * read before anything is written.
 * @release: proc/sys/kernel/osrelease, NULL when unreadable
 * @version: proc/version, NULL when unreadable
 * @config_source: "proc/config.gz" or "boot/config-RELEASE", NULL when none
 * @cfg_vfio_platform, @cfg_vfio_amba, @cfg_vfio_fsl_mc, @cfg_vfio_noiommu:
 *        'y', 'm', 'n' (not set), or 0 when no config was readable
 * @drv_vfio_platform, @drv_vfio_amba, @drv_vfio_fsl_mc: the driver directory
 *        exists under sys/bus/BUS/drivers
 * @noiommu_param: sys/module/vfio/parameters/enable_unsafe_noiommu_mode:
 *        VS_YES "Y", VS_NO "N", VS_UNKNOWN absent
 * @reset_required: vfio_platform.reset_required in effect (module
 *        parameter, else kernel command line, else etc/modprobe.d,
 *        else the default VS_YES)
 * @allow_unsafe_interrupts: vfio_iommu_type1 parameter or command line
 * @debian_61: proc/version names a Debian 6.1 kernel
 */
struct vs_arm_kernel {
	char *release;
	char *version;
	char *config_source;
	char cfg_vfio_platform, cfg_vfio_amba, cfg_vfio_fsl_mc, cfg_vfio_noiommu;
	bool drv_vfio_platform, drv_vfio_amba, drv_vfio_fsl_mc;
	enum vs_tristate noiommu_param;
	enum vs_tristate reset_required;
	enum vs_tristate allow_unsafe_interrupts;
	bool debian_61;
};

/** vs_arm_kernel_read() - fill @k from the root. Return: 0 or -ENOMEM. */
int vs_arm_kernel_read(const struct vs_root *root, struct vs_arm_kernel *k);
void vs_arm_kernel_release(struct vs_arm_kernel *k);

/**
 * vs_arm_check() - readiness findings for passing @devs (platform, AMBA or
 * fsl-mc devices of @topo; PCI devices are skipped).
 * @topo: the scanned system (root, groups)
 * @dt: its device tree, or NULL (the DT findings are then skipped)
 * @devs: the devices the user wants to pass, @n of them
 * @out: findings are appended here (initialise with { 0 })
 *
 * Nothing is written. Findings: ARM_NO_VFIO_PLATFORM / _AMBA / _FSL_MC,
 * ARM_NOIOMMU, ARM_NOIOMMU_UNAVAILABLE, ARM_RESET_REQUIRED,
 * ARM_RESET_BUG_DEBIAN61, ARM_MSI_UNSAFE, ARM_MSI_ITS, ARM_HOST_DT_KEEPS,
 * ARM_HOST_DRIVER, ARM_GROUP_SHARED, ARM_STREAM_ID_SHARED, ARM_DEP_PASS_TOO,
 * ARM_DEP_HOST_SHARED, ARM_USED_BY_HOST, ARM_DT_DISABLED, ARM_FSLMC_CONTAINER.
 * Return: 0 or -ENOMEM.
 */
int vs_arm_check(const struct vs_topology *topo, const struct vs_dt *dt,
		 const struct vs_device *const *devs, size_t n,
		 struct vs_arm_findings *out, struct vs_err *err);

/**
 * vs_arm_check_system() - system-wide ARM findings for `doctor`: the kernel's
 * vfio-platform/no-IOMMU support when the system has platform devices, and
 * the MSI controller kind of the tree. Return: 0 or -ENOMEM.
 */
int vs_arm_check_system(const struct vs_topology *topo, const struct vs_dt *dt,
			struct vs_arm_findings *out, struct vs_err *err);

struct json_object;
/**
 * vs_arm_findings_json() - the findings as the documented JSON array
 * (docs/json-arm.md): [{"code","severity","subject","text","fix"}], fix
 * null when there is none. Return: a new array, NULL on ENOMEM.
 */
struct json_object *vs_arm_findings_json(const struct vs_arm_findings *f);

/** vs_arm_findings_release() - free the items; @f itself is the caller's. */
void vs_arm_findings_release(struct vs_arm_findings *f);
/** vs_arm_severity_name() - "info", "warning", "blocker". */
const char *vs_arm_severity_name(enum vs_arm_severity s);

/**
 * vs_dt_node_for_device() - the DT node behind a platform/AMBA device:
 * dev->plat->of_node when the scan set it, else the node the kernel would
 * name dev->name. NULL when none.
 */
const struct vs_dt_node *vs_dt_node_for_device(const struct vs_dt *dt,
					       const struct vs_device *dev);

#endif
