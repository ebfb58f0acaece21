// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which host devices go to a VM, where they sit in the guest, and what the
 * user must know first (notes). Text forms are in vmargs_format.c.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/bind.h"
#include "vfioscope/vmargs.h"

static const char *const format_names[] = {
	[VS_VM_FORMAT_QEMU] = "qemu",
	[VS_VM_FORMAT_LIBVIRT] = "libvirt",
	[VS_VM_FORMAT_SHELL] = "shell",
};

const char *vs_vm_format_name(enum vs_vm_format f)
{
	if ((size_t)f < sizeof(format_names) / sizeof(format_names[0]))
		return format_names[f];
	return "unknown";
}

int vs_vm_format_parse(const char *name, enum vs_vm_format *out)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (name && strcmp(name, format_names[i]) == 0) {
			*out = (enum vs_vm_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *const note_names[] = {
	[VS_VMN_NOT_VIABLE] = "not_viable",
	[VS_VMN_NOT_BOUND] = "not_bound",
	[VS_VMN_GROUP_SPLIT] = "group_split",
	[VS_VMN_VF_TOKEN] = "vf_token",
	[VS_VMN_BOOT_VGA] = "boot_vga",
	[VS_VMN_NOIOMMU] = "noiommu",
	[VS_VMN_FN_RENUMBERED] = "function_renumbered",
	[VS_VMN_PLATFORM_ORDER] = "platform_order",
	[VS_VMN_PLATFORM_REMOVED] = "platform_removed_from_qemu",
	[VS_VMN_AMBA_SYSFSDEV] = "amba_sysfsdev",
	[VS_VMN_FSLMC_QEMU] = "fslmc_needs_patched_qemu",
	[VS_VMN_FSLMC_IRQ_CFG] = "fslmc_irq_cfg_allowed",
	[VS_VMN_FSLMC_CONTAINER] = "fslmc_container",
	[VS_VMN_VMD_DOMAIN] = "vmd_domain",
};

const char *vs_vm_note_code_name(enum vs_vm_note_code code)
{
	if ((size_t)code < sizeof(note_names) / sizeof(note_names[0]) && note_names[code])
		return note_names[code];
	return "unknown";
}

bool vs_vm_note_bind_fixes(enum vs_vm_note_code code)
{
	return code == VS_VMN_NOT_VIABLE || code == VS_VMN_NOT_BOUND;
}

/* ---- building blocks ------------------------------------------------- */

/* Working state of one build. */
struct build {
	const struct vs_topology *topo;
	struct vs_vmargs *va;
	bool *taken;		/* by vs_device.index */
	bool *named;		/* by vs_device.index */
	size_t alloc_entries, alloc_notes;
	bool oom;
};

static bool pci_passable(const struct vs_device *d)
{
	return d->bus == VS_BUS_PCI && d->pci && !vs_pci_is_bridge(d);
}

/* A member a group brings along: PCI endpoints outside VMD domains, platform
 * and AMBA devices (fsl-mc objects go with their container, devices behind
 * VMD with their controller). */
static bool member_passable(const struct vs_device *d)
{
	if (d->bus == VS_BUS_PCI)
		return pci_passable(d) && !d->pci->vmd;
	return d->bus != VS_BUS_FSL_MC;
}

static enum vs_vm_kind kind_of(const struct vs_device *d)
{
	switch (d->bus) {
	case VS_BUS_PLATFORM:
		return VS_VM_PLATFORM;
	case VS_BUS_AMBA:
		return VS_VM_AMBA;
	case VS_BUS_FSL_MC:
		return VS_VM_FSL_MC;
	case VS_BUS_PCI:
	default:
		return VS_VM_PCI;
	}
}

static void add_entry(struct build *b, const struct vs_device *d)
{
	struct vs_vmargs *va = b->va;

	if (b->taken[d->index])
		return;
	if (va->n_entries == b->alloc_entries) {
		size_t n = b->alloc_entries ? 2 * b->alloc_entries : 8;
		struct vs_vm_entry *e = realloc(va->entries, n * sizeof(*e));

		if (!e) {
			b->oom = true;
			return;
		}
		va->entries = e;
		b->alloc_entries = n;
	}
	b->taken[d->index] = true;
	va->entries[va->n_entries++] = (struct vs_vm_entry){
		.device = d,
		.kind = kind_of(d),
		.named = b->named[d->index],
		.id = NULL,
		.arg = NULL,
		.port = -1,
		.guest_fn = 0,
		.multifunction = false,
	};
}

static void add_note(struct build *b, enum vs_vm_note_code code, bool warning,
		     const struct vs_device *dev, struct vs_strbuf *text)
{
	struct vs_vmargs *va = b->va;
	char *s = vs_strbuf_detach(text);

	if (!s) {
		b->oom = true;
		return;
	}
	if (va->n_notes == b->alloc_notes) {
		size_t n = b->alloc_notes ? 2 * b->alloc_notes : 8;
		struct vs_vm_note *nn = realloc(va->notes, n * sizeof(*nn));

		if (!nn) {
			free(s);
			b->oom = true;
			return;
		}
		va->notes = nn;
		b->alloc_notes = n;
	}
	va->notes[va->n_notes++] = (struct vs_vm_note){
		.code = code,
		.warning = warning,
		.device = dev,
		.text = s,
	};
}

static void add_note_str(struct build *b, enum vs_vm_note_code code, bool warning,
			 const struct vs_device *dev, const char *text)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;

	vs_strbuf_add(&sb, text);
	add_note(b, code, warning, dev, &sb);
}

/* "a, b and c" */
static void add_list_sep(struct vs_strbuf *sb, size_t i, size_t n)
{
	if (i == 0)
		return;
	vs_strbuf_add(sb, i + 1 == n ? " and " : ", ");
}

static const struct vs_group *group_of(const struct vs_topology *topo,
				       const struct vs_device *d)
{
	return d->iommu_group >= 0 ? vs_device_group(topo, d) : NULL;
}

/* ---- the selection ---------------------------------------------------- */

static const struct vs_device *fslmc_container(const struct vs_device *d)
{
	if (d->mc && vs_streq(d->mc->obj_type, "dprc"))
		return d;
	if (d->mc && d->mc->container)
		return d->mc->container;
	/* An object whose container the scan did not see: take its parent. */
	if (d->parent && d->parent->bus == VS_BUS_FSL_MC)
		return d->parent;
	return d;
}

static bool fslmc_is_root(const struct vs_device *c)
{
	return c->mc && vs_streq(c->mc->obj_type, "dprc") && !c->mc->container &&
	       !(c->parent && c->parent->bus == VS_BUS_FSL_MC);
}

/*
 * Pass 1 adds what the user named (for fsl-mc: the container), pass 2 what
 * their groups bring along. PCI is sorted by address afterwards.
 */
static int select_named(struct build *b, const struct vs_device *const *sel, size_t n_sel,
			bool only, struct vs_err *err)
{
	for (size_t i = 0; i < n_sel; i++) {
		const struct vs_device *d = sel[i];

		if (d->bus == VS_BUS_PCI && vs_pci_is_bridge(d)) {
			const struct vs_group *g = group_of(b->topo, d);
			bool endpoint = false;

			if (only)
				return vs_err_set(err, -EPERM,
						  "%s is a PCI bridge: vfio-pci never takes bridges "
						  "(header type 1); name the devices behind it",
						  d->name);
			for (size_t m = 0; g && m < g->n_members; m++)
				endpoint |= pci_passable(g->members[m]);
			if (!endpoint)
				return vs_err_set(err, -EPERM,
						  "%s is a PCI bridge and %s holds no device to pass: "
						  "vfio-pci never takes bridges; name the devices behind it",
						  d->name, g ? "its IOMMU group" : "it has no IOMMU group and");
			continue;	/* its group's endpoints come in pass 2 */
		}
		if (d->bus == VS_BUS_PCI && d->pci && d->pci->vmd) {
			const struct vs_device *vmd = d->pci->vmd;
			struct vs_strbuf sb = VS_STRBUF_INIT;

			if (only)
				return vs_err_set(err, -EPERM,
						  "%s is behind VMD controller %s: binding the controller "
						  "to vfio-pci removes its whole domain from the host, so "
						  "no device behind it can be passed alone; pass %s (the "
						  "guest then needs the vmd driver)",
						  d->name, vmd->name, vmd->name);
			vs_strbuf_addf(&sb, "%s is behind VMD controller %s: the controller goes "
				       "to the VM with every device behind it (binding it to "
				       "vfio-pci removes the domain from the host), and the guest "
				       "needs the vmd driver.", d->name, vmd->name);
			add_note(b, VS_VMN_VMD_DOMAIN, false, d, &sb);
			add_entry(b, vmd);
			continue;
		}
		if (d->bus == VS_BUS_FSL_MC) {
			const struct vs_device *c = fslmc_container(d);

			if (fslmc_is_root(c))
				return vs_err_set(err, -EPERM,
						  "%s is the root DPRC container, which the host itself "
						  "uses: create a child container (restool dprc create) "
						  "and pass that",
						  c->name);
			if (c != d) {
				struct vs_strbuf sb = VS_STRBUF_INIT;

				vs_strbuf_addf(&sb, "%s is an object of container %s: vfio-fsl-mc "
					       "passes whole containers, so %s goes to the VM "
					       "with all its objects.", d->name, c->name, c->name);
				add_note(b, VS_VMN_FSLMC_CONTAINER, false, d, &sb);
			}
			b->named[c->index] = true;
			add_entry(b, c);
			continue;
		}
		add_entry(b, d);
	}
	return 0;
}

static void select_groups(struct build *b, const struct vs_device *const *sel, size_t n_sel)
{
	for (size_t i = 0; i < n_sel; i++) {
		const struct vs_device *d = sel[i];
		const struct vs_group *g;

		if (d->bus == VS_BUS_FSL_MC)
			continue;	/* a container's group is the container */
		g = group_of(b->topo, d);
		for (size_t m = 0; g && m < g->n_members; m++) {
			const struct vs_device *mem = g->members[m];

			if (member_passable(mem))
				add_entry(b, mem);
		}
	}
}

static int cmp_entry_index(const void *a, const void *b)
{
	const struct vs_vm_entry *x = a, *y = b;
	bool xp = x->kind == VS_VM_PCI, yp = y->kind == VS_VM_PCI;
	bool xf = x->kind == VS_VM_FSL_MC, yf = y->kind == VS_VM_FSL_MC;

	/* PCI by address (model order), then the others in selection order. */
	if (xp != yp)
		return xp ? -1 : 1;
	if (xp)
		return x->device->index < y->device->index ? -1 :
		       x->device->index > y->device->index;
	if (xf != yf)
		return xf ? 1 : -1;
	return 0;
}

/* Stable sort: qsort is not, so sort an index permutation by (key, position). */
struct keyed {
	struct vs_vm_entry e;
	size_t pos;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = cmp_entry_index(&x->e, &y->e);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int sort_entries(struct vs_vmargs *va)
{
	struct keyed *k;

	if (va->n_entries < 2)
		return 0;
	k = calloc(va->n_entries, sizeof(*k));
	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < va->n_entries; i++) {
		k[i].e = va->entries[i];
		k[i].pos = i;
	}
	qsort(k, va->n_entries, sizeof(*k), cmp_keyed);
	for (size_t i = 0; i < va->n_entries; i++)
		va->entries[i] = k[i].e;
	free(k);
	return 0;
}

/* ---- IOMMU presence --------------------------------------------------- */

static bool noiommu_mode(const struct vs_topology *topo)
{
	char *v = NULL;
	bool on;

	if (!topo->root)
		return false;
	if (vs_read_attr(topo->root->fd, "sys/module/vfio/parameters/enable_unsafe_noiommu_mode",
			 &v) < 0)
		return false;
	on = v[0] == 'Y' || v[0] == 'y' || v[0] == '1';
	free(v);
	return on;
}

static const char noiommu_facts[] =
	"no isolation (the device can reach all host memory by DMA), the kernel is "
	"tainted, and QEMU 7.2 refused such groups in our tests (\"failed to setup "
	"container for group N: ... No such device\").";

static int check_groups(struct build *b, struct vs_err *err)
{
	const struct vs_vmargs *va = b->va;
	bool noiommu = false, noiommu_read = false;

	for (size_t i = 0; i < va->n_entries; i++) {
		const struct vs_device *d = va->entries[i].device;
		const struct vs_group *g = group_of(b->topo, d);
		struct vs_strbuf sb = VS_STRBUF_INIT;

		if (g && vs_streq(g->name, "vfio-noiommu")) {
			vs_strbuf_addf(&sb, "%s is in a vfio no-IOMMU group (group %d): ",
				       d->name, g->id);
			vs_strbuf_add(&sb, noiommu_facts);
			add_note(b, VS_VMN_NOIOMMU, true, d, &sb);
			continue;
		}
		if (g || d->iommu_group >= 0)
			continue;
		if (!noiommu_read) {
			noiommu = noiommu_mode(b->topo);
			noiommu_read = true;
		}
		if (noiommu) {
			vs_strbuf_addf(&sb, "%s has no IOMMU group; vfio's unsafe no-IOMMU mode is "
				       "on, so binding it to %s makes a \"vfio-noiommu\" group: ",
				       d->name, vs_vfio_driver(d->bus));
			vs_strbuf_add(&sb, noiommu_facts);
			add_note(b, VS_VMN_NOIOMMU, true, d, &sb);
			continue;
		}
		return vs_err_set(err, -ENODEV,
				  "%s has no IOMMU group: %s, so VFIO cannot give it to a VM. "
				  "(Only vfio's unsafe no-IOMMU mode, "
				  "echo 1 > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode "
				  "with CONFIG_VFIO_NOIOMMU, lets a vfio driver take a device "
				  "without an IOMMU: %s)",
				  d->name,
				  b->topo->iommu ? "no IOMMU translates this device (firmware ties "
						   "it to none: no DT \"iommus\", no IORT/DMAR entry)"
						 : "this system has no IOMMU groups at all (IOMMU off "
						   "or missing: intel_iommu=on / amd_iommu=on, SMMU "
						   "in the device tree)",
				  noiommu_facts);
	}
	return 0;
}

/* ---- notes ------------------------------------------------------------ */

static void collect_groups(struct build *b)
{
	struct vs_vmargs *va = b->va;

	va->groups = calloc(va->n_entries ? va->n_entries : 1, sizeof(*va->groups));
	if (!va->groups) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; i < va->n_entries; i++) {
		int id = va->entries[i].device->iommu_group;
		size_t j;

		if (id < 0)
			continue;
		for (j = 0; j < va->n_groups && va->groups[j] < id; j++)
			;
		if (j < va->n_groups && va->groups[j] == id)
			continue;
		memmove(&va->groups[j + 1], &va->groups[j],
			(va->n_groups - j) * sizeof(*va->groups));
		va->groups[j] = id;
		va->n_groups++;
	}
}

static const char *driver_or_none(const struct vs_device *d)
{
	return d->driver ? d->driver : "no driver";
}

static void note_viability(struct build *b)
{
	const struct vs_vmargs *va = b->va;

	for (size_t i = 0; i < va->n_groups; i++) {
		const struct vs_group *g = vs_topology_group(b->topo, va->groups[i]);
		struct vs_strbuf sb = VS_STRBUF_INIT;

		if (!g || g->viable || g->n_blocking == 0)
			continue;
		vs_strbuf_addf(&sb, "IOMMU group %d is not viable: ", g->id);
		for (size_t m = 0; m < g->n_blocking; m++) {
			add_list_sep(&sb, m, g->n_blocking);
			vs_strbuf_addf(&sb, "%s (%s)", g->blocking[m]->name,
				       driver_or_none(g->blocking[m]));
		}
		vs_strbuf_addf(&sb, " %s the kernel's DMA API, and QEMU will fail with "
			       "\"group %d is not viable\". Bind these first: ",
			       g->n_blocking == 1 ? "is on a host driver that uses"
						  : "are on host drivers that use", g->id);
		for (size_t m = 0; m < g->n_blocking; m++) {
			add_list_sep(&sb, m, g->n_blocking);
			vs_strbuf_add(&sb, g->blocking[m]->name);
		}
		vs_strbuf_add(&sb, ".");
		add_note(b, VS_VMN_NOT_VIABLE, true, NULL, &sb);
	}
}

static void note_unbound(struct build *b)
{
	const struct vs_vmargs *va = b->va;
	struct vs_strbuf sb = VS_STRBUF_INIT;
	const struct vs_device *only_one = NULL;
	size_t n = 0, k = 0;

	for (size_t i = 0; i < va->n_entries; i++) {
		if (!vs_is_vfio_driver(va->entries[i].device->driver)) {
			n++;
			only_one = va->entries[i].device;
		}
	}
	if (!n)
		return;
	vs_strbuf_add(&sb, "QEMU opens only devices bound to their vfio driver; ");
	for (size_t i = 0; i < va->n_entries; i++) {
		const struct vs_device *d = va->entries[i].device;

		if (vs_is_vfio_driver(d->driver))
			continue;
		add_list_sep(&sb, k++, n);
		vs_strbuf_addf(&sb, "%s (%s, needs %s)", d->name, driver_or_none(d),
			       vs_vfio_driver(d->bus));
	}
	vs_strbuf_addf(&sb, " %s not: bind %s first (vfioscope bind --group, or the "
		       "shell form of qemu-args).", n == 1 ? "is" : "are", n == 1 ? "it" : "them");
	add_note(b, VS_VMN_NOT_BOUND, true, n == 1 ? only_one : NULL, &sb);
}

static void note_split(struct build *b)
{
	const struct vs_vmargs *va = b->va;

	for (size_t i = 0; i < va->n_groups; i++) {
		const struct vs_group *g = vs_topology_group(b->topo, va->groups[i]);
		struct vs_strbuf sb = VS_STRBUF_INIT;
		size_t n = 0, k = 0;

		for (size_t m = 0; g && m < g->n_members; m++) {
			const struct vs_device *mem = g->members[m];

			n += !b->taken[mem->index] && member_passable(mem);
		}
		if (!n)
			continue;
		vs_strbuf_addf(&sb, "--only: IOMMU group %d also holds ", g->id);
		for (size_t m = 0; m < g->n_members; m++) {
			const struct vs_device *mem = g->members[m];

			if (b->taken[mem->index] || !member_passable(mem))
				continue;
			add_list_sep(&sb, k++, n);
			vs_strbuf_add(&sb, mem->name);
		}
		vs_strbuf_addf(&sb, ", which stay%s out of the VM but must be bound to a vfio "
			       "driver or left without a driver while it runs: the group goes to "
			       "one VM, so neither the host nor another VM can use %s.",
			       n == 1 ? "s" : "", n == 1 ? "it" : "them");
		add_note(b, VS_VMN_GROUP_SPLIT, false, NULL, &sb);
	}
}

static void note_pci(struct build *b)
{
	const struct vs_vmargs *va = b->va;

	for (size_t i = 0; i < va->n_entries; i++) {
		const struct vs_device *d = va->entries[i].device;
		struct vs_strbuf sb = VS_STRBUF_INIT;

		if (d->bus != VS_BUS_PCI || !d->pci)
			continue;
		if (d->pci->is_vf && d->pci->physfn && vs_is_vfio_driver(d->pci->physfn->driver)) {
			vs_strbuf_addf(&sb, "%s is a VF of %s, which is bound to %s: QEMU must add "
				       "vf-token=UUID to this device's -device, with the UUID the "
				       "PF's user set (VFIO_DEVICE_FEATURE_PCI_VF_TOKEN), or vfio-pci "
				       "refuses to open it.",
				       d->name, d->pci->physfn->name, d->pci->physfn->driver);
			add_note(b, VS_VMN_VF_TOKEN, true, d, &sb);
		}
		if (d->pci->boot_vga == 1) {
			vs_strbuf_addf(&sb, "%s is the host's boot VGA device: add x-vga=on to its "
				       "-device for the legacy VGA ranges (needs vfio-pci.disable_vga=0, "
				       "the default); the host console goes away with it.", d->name);
			add_note(b, VS_VMN_BOOT_VGA, false, d, &sb);
		}
	}
}

static void note_buses(struct build *b)
{
	const struct vs_vmargs *va = b->va;
	bool amba = false, mc = false;
	size_t plat = 0;

	for (size_t i = 0; i < va->n_entries; i++) {
		plat += va->entries[i].kind == VS_VM_PLATFORM || va->entries[i].kind == VS_VM_AMBA;
		amba |= va->entries[i].kind == VS_VM_AMBA;
		mc |= va->entries[i].kind == VS_VM_FSL_MC;
	}
	if (plat) {
		add_note_str(b, VS_VMN_PLATFORM_REMOVED, true, NULL,
			     "QEMU deprecated vfio-platform in 10.0 and removed it in 10.2: "
			     "these arguments need QEMU 10.1 or older, on the ARM \"virt\" machine.");
	}
	if (plat > 1) {
		add_note_str(b, VS_VMN_PLATFORM_ORDER, false, NULL,
			     "The order of the vfio-platform devices fixes their interrupt numbers "
			     "in the guest (QEMU hands out the platform bus's interrupts in -device "
			     "order): keep this order, and write the guest device tree to match "
			     "(vfioscope guest-dt with the same devices in the same order).");
	}
	if (amba)
		add_note_str(b, VS_VMN_AMBA_SYSFSDEV, false, NULL,
			     "AMBA devices are given by sysfsdev=/sys/bus/amba/devices/NAME: QEMU's "
			     "host= looks only under /sys/bus/platform/devices. vfio-amba is "
			     "deprecated in the kernel.");
	if (mc) {
		add_note_str(b, VS_VMN_FSLMC_QEMU, true, NULL,
			     "vfio-fsl-mc is not in upstream QEMU: it needs NXP's patched QEMU "
			     "(NXP's qemu repository, or the squashed patch set in muVirt); the "
			     "kernel's vfio-fsl-mc is deprecated since Linux 6.18.");
		add_note_str(b, VS_VMN_FSLMC_IRQ_CFG, false, NULL,
			     "A DPRC container passed to a VM must have been created with "
			     "DPRC_CFG_OPT_IRQ_CFG_ALLOWED (restool) so the management complex can "
			     "route its interrupts to the guest; containers made for DPDK lack it.");
	}
}

/* Warnings first, each kind keeping its order. */
static int sort_notes(struct vs_vmargs *va)
{
	struct vs_vm_note *n;
	size_t k = 0;

	if (va->n_notes < 2)
		return 0;
	n = calloc(va->n_notes, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < va->n_notes; i++)
			if (va->notes[i].warning == (pass == 0))
				n[k++] = va->notes[i];
	memcpy(va->notes, n, va->n_notes * sizeof(*n));
	free(n);
	return 0;
}

/* ---- guest placement and QEMU words ----------------------------------- */

/* "hostdev-" + name; PCI ':' and '.' become '-', other odd characters '_'. */
static char *make_id(const char *prefix, const char *name, bool pci, size_t cut)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	size_t len = strlen(name);

	if (cut && cut < len)
		len = cut;
	vs_strbuf_add(&sb, prefix);
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (pci && (c == ':' || c == '.'))
			c = '-';
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
			c = '_';
		vs_strbuf_addch(&sb, c);
	}
	return vs_strbuf_detach(&sb);
}

static bool same_slot(const struct vs_device *a, const struct vs_device *b)
{
	if (a->pci->is_vf || b->pci->is_vf)
		return false;
	return a->pci->domain == b->pci->domain && a->pci->bus == b->pci->bus &&
	       a->pci->dev == b->pci->dev;
}

static int add_port(struct build *b, const struct vs_device *first)
{
	struct vs_vmargs *va = b->va;
	struct vs_vm_port *p = realloc(va->ports, (va->n_ports + 1) * sizeof(*p));
	struct vs_strbuf sb = VS_STRBUF_INIT;
	size_t cut;

	if (!p)
		return -ENOMEM;
	va->ports = p;
	p = &va->ports[va->n_ports];
	/* A VF's port is named after the VF, others after the slot (name
	 * without ".F"). */
	cut = first->pci->is_vf ? 0 : strlen(first->name) - 2;
	*p = (struct vs_vm_port){
		.id = make_id("vfio-rp-", first->name, true, cut),
		.chassis = VS_VMARGS_CHASSIS,
		.slot = (unsigned)va->n_ports + 1,
		.arg = NULL,
		.n_functions = 0,
		.libvirt_bus = -1,
	};
	va->n_ports++;
	if (!p->id)
		return -ENOMEM;
	vs_strbuf_addf(&sb, "pcie-root-port,id=%s,bus=pcie.0,chassis=%u,slot=%u",
		       p->id, p->chassis, p->slot);
	p->arg = vs_strbuf_detach(&sb);
	return p->arg ? 0 : -ENOMEM;
}

static int place_pci(struct build *b)
{
	struct vs_vmargs *va = b->va;
	size_t i = 0;
	int libvirt_bus = VS_VMARGS_LIBVIRT_BUS;

	while (i < va->n_entries && va->entries[i].kind == VS_VM_PCI) {
		size_t j = i + 1;
		bool has_fn0;
		unsigned lowest;
		struct vs_vm_port *p;
		int r = add_port(b, va->entries[i].device);

		if (r)
			return r;
		while (j < va->n_entries && va->entries[j].kind == VS_VM_PCI &&
		       same_slot(va->entries[i].device, va->entries[j].device))
			j++;
		p = &va->ports[va->n_ports - 1];
		p->n_functions = j - i;
		has_fn0 = va->entries[i].device->pci->fn == 0;
		lowest = va->entries[i].device->pci->fn;
		for (size_t k = i; k < j; k++) {
			struct vs_vm_entry *e = &va->entries[k];

			e->port = (int)va->n_ports - 1;
			e->guest_fn = e->device->pci->fn;
			if (!has_fn0 && k == i)
				e->guest_fn = 0;
			e->multifunction = e->guest_fn == 0 && j - i > 1;
		}
		if (j - i > 1)
			p->libvirt_bus = libvirt_bus++;
		if (!has_fn0 && !va->entries[i].device->pci->is_vf) {
			struct vs_strbuf sb = VS_STRBUF_INIT;

			vs_strbuf_addf(&sb, "Function 0 of slot %.*s is not passed; a guest scans "
				       "a slot only when it has a function 0, so %s sits at guest "
				       "function 0 (host function %u).",
				       (int)(strlen(va->entries[i].device->name) - 2),
				       va->entries[i].device->name, va->entries[i].device->name,
				       lowest);
			add_note(b, VS_VMN_FN_RENUMBERED, false, va->entries[i].device, &sb);
		}
		i = j;
	}
	return 0;
}

static int make_args(struct build *b)
{
	struct vs_vmargs *va = b->va;

	for (size_t i = 0; i < va->n_entries; i++) {
		struct vs_vm_entry *e = &va->entries[i];
		const struct vs_device *d = e->device;
		struct vs_strbuf sb = VS_STRBUF_INIT;

		e->id = make_id("hostdev-", d->name, e->kind == VS_VM_PCI, 0);
		if (!e->id)
			return -ENOMEM;
		switch (e->kind) {
		case VS_VM_PCI:
			/* QEMU's host= takes a 16-bit domain; VMD domains
			 * (0x10000 and up) need the sysfs path. */
			if (d->pci->domain > 0xffff) {
				vs_strbuf_add(&sb, "vfio-pci,sysfsdev=/sys/bus/pci/devices/");
				vs_qemu_opt_escape(&sb, d->name);
			} else {
				vs_strbuf_addf(&sb, "vfio-pci,host=%04x:%02x:%02x.%x",
					       d->pci->domain, d->pci->bus, d->pci->dev,
					       d->pci->fn);
			}
			vs_strbuf_addf(&sb, ",id=%s,bus=%s,addr=00.%x%s", e->id,
				       va->ports[e->port].id, e->guest_fn,
				       e->multifunction ? ",multifunction=on" : "");
			break;
		case VS_VM_PLATFORM:
		case VS_VM_AMBA:
		case VS_VM_FSL_MC:
			/* QEMU's vfio-platform host= looks only under
			 * /sys/bus/platform/devices: AMBA needs the path. */
			vs_strbuf_add(&sb, e->kind == VS_VM_PLATFORM ? "vfio-platform,host=" :
				      e->kind == VS_VM_AMBA ?
				      "vfio-platform,sysfsdev=/sys/bus/amba/devices/" :
				      "vfio-fsl-mc,host=");
			vs_qemu_opt_escape(&sb, d->name);
			vs_strbuf_addf(&sb, ",id=%s", e->id);
			break;
		}
		e->arg = vs_strbuf_detach(&sb);
		if (!e->arg)
			return -ENOMEM;
	}
	return 0;
}

static int make_argv(struct vs_vmargs *va)
{
	size_t n = 2 * (va->n_entries + va->n_ports), k = 0;
	int last_port = -1;

	va->argv = calloc(n + 1, sizeof(*va->argv));
	if (!va->argv)
		return -ENOMEM;
	for (size_t i = 0; i < va->n_entries; i++) {
		const struct vs_vm_entry *e = &va->entries[i];

		if (e->port >= 0 && e->port != last_port) {
			last_port = e->port;
			va->argv[k++] = strdup("-device");
			va->argv[k++] = strdup(va->ports[e->port].arg);
		}
		va->argv[k++] = strdup("-device");
		va->argv[k++] = strdup(e->arg);
	}
	va->argc = k;
	for (size_t i = 0; i < k; i++)
		if (!va->argv[i])
			return -ENOMEM;
	return 0;
}

/* ---- the whole ------------------------------------------------------- */

int vs_vmargs_build(const struct vs_topology *topo,
		    const struct vs_device *const *sel, size_t n_sel,
		    const struct vs_vmargs_opts *opts,
		    struct vs_vmargs **out, struct vs_err *err)
{
	struct build b = {
		.topo = topo,
		.va = NULL,
		.taken = NULL,
		.named = NULL,
		.alloc_entries = 0,
		.alloc_notes = 0,
		.oom = false,
	};
	bool only = opts && opts->only;
	int r;

	*out = NULL;
	if (!n_sel)
		return vs_err_set(err, -EINVAL, "no device given");
	b.va = calloc(1, sizeof(*b.va));
	b.taken = calloc(topo->n_devices + 1, sizeof(*b.taken));
	b.named = calloc(topo->n_devices + 1, sizeof(*b.named));
	if (!b.va || !b.taken || !b.named) {
		r = -ENOMEM;
		goto fail;
	}
	b.va->topo = topo;
	for (size_t i = 0; i < n_sel; i++)
		b.named[sel[i]->index] = true;

	r = select_named(&b, sel, n_sel, only, err);
	if (r)
		goto fail;
	if (!only)
		select_groups(&b, sel, n_sel);
	if (b.oom) {
		r = -ENOMEM;
		goto fail;
	}
	r = sort_entries(b.va);
	if (r)
		goto fail;
	r = check_groups(&b, err);
	if (r)
		goto fail;

	collect_groups(&b);
	if (b.oom) {
		r = -ENOMEM;
		goto fail;
	}
	note_viability(&b);
	note_unbound(&b);
	if (only)
		note_split(&b);
	note_pci(&b);
	note_buses(&b);
	r = place_pci(&b);
	if (!r)
		r = make_args(&b);
	if (!r)
		r = make_argv(b.va);
	if (!r && b.oom)
		r = -ENOMEM;
	if (!r)
		r = sort_notes(b.va);
	if (r)
		goto fail;
	free(b.taken);
	free(b.named);
	*out = b.va;
	return 0;

fail:
	if (r == -ENOMEM)
		vs_err_set(err, r, "out of memory");
	free(b.taken);
	free(b.named);
	vs_vmargs_free(b.va);
	return r;
}

void vs_vmargs_free(struct vs_vmargs *va)
{
	if (!va)
		return;
	for (size_t i = 0; i < va->n_entries; i++) {
		free(va->entries[i].id);
		free(va->entries[i].arg);
	}
	free(va->entries);
	for (size_t i = 0; i < va->n_ports; i++) {
		free(va->ports[i].id);
		free(va->ports[i].arg);
	}
	free(va->ports);
	for (size_t i = 0; i < va->argc; i++)
		free(va->argv[i]);
	free(va->argv);
	for (size_t i = 0; i < va->n_notes; i++)
		free(va->notes[i].text);
	free(va->notes);
	free(va->groups);
	free(va);
}

bool vs_vmargs_has_warning(const struct vs_vmargs *va)
{
	for (size_t i = 0; va && i < va->n_notes; i++)
		if (va->notes[i].warning)
			return true;
	return false;
}

int vs_vmargs_bind_plan(const struct vs_vmargs *va, const struct vs_bind_opts *opts,
			struct vs_plan **out, struct vs_err *err)
{
	struct vs_bind_opts o = { .group = true };
	const struct vs_device **devs;
	int r;

	*out = NULL;
	if (opts)
		o = *opts;
	o.group = true;
	devs = calloc(va->n_entries + 1, sizeof(*devs));
	if (!devs)
		return vs_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < va->n_entries; i++)
		devs[i] = va->entries[i].device;
	r = vs_bind_plan(va->topo, devs, va->n_entries, &o, out, err);
	free(devs);
	return r;
}
