// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Planning a bind or a restore: which devices, which writes in which order,
 * and why. Nothing here writes; vs_plan_execute() (bind_exec.c) runs a plan
 * and vs_plan_shell() prints it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfioscope/bind.h"
#include "vfioscope/dt.h"

const char *vs_vfio_driver(enum vs_bus bus)
{
	switch (bus) {
	case VS_BUS_PCI:
		return "vfio-pci";
	case VS_BUS_PLATFORM:
		return "vfio-platform";
	case VS_BUS_AMBA:
		return "vfio-amba";
	case VS_BUS_FSL_MC:
		return "vfio-fsl-mc";
	}
	return "vfio-pci";
}

bool vs_is_vfio_driver(const char *driver)
{
	/* vfio-pci, vfio-platform, ... and the variant drivers (mlx5_vfio_pci, ...) */
	return driver && strstr(driver, "vfio") != NULL;
}

const char *vs_step_action_name(enum vs_step_action a)
{
	switch (a) {
	case VS_STEP_LOAD_MODULE:
		return "load_module";
	case VS_STEP_SET_OVERRIDE:
		return "set_override";
	case VS_STEP_UNBIND:
		return "unbind";
	case VS_STEP_BIND:
		return "bind";
	case VS_STEP_PROBE:
		return "probe";
	case VS_STEP_VERIFY:
		return "verify";
	}
	return "unknown";
}

int vs_bind_check_privilege(const struct vs_root *root, uid_t euid, struct vs_err *err)
{
	if (root->live && euid != 0)
		return vs_err_set(err, -EPERM,
				  "changing driver bindings needs root (euid 0); nothing was changed");
	return 0;
}

/* ---- plan construction ---------------------------------------------------- */

struct builder {
	const struct vs_topology *topo;
	const struct vs_bind_opts *opts;
	struct vs_plan *plan;
	struct vs_vfio_holders *holders;
	struct vs_journal *journal;
	const struct vs_device *const *devs;	/* the devices the user named */
	size_t n_devs;
	const struct vs_device **seen;	/* devices already considered */
	size_t n_seen;
	int r;				/* first allocation failure */
};

static char *xstrdup_opt(struct builder *b, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		b->r = -ENOMEM;
	return d;
}

static char *vfmt(struct builder *b, const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0) {
		b->r = -ENOMEM;
		return NULL;
	}
	return s;
}

static void add_note(struct builder *b, struct vs_plan_note **arr, size_t *n,
		     const char *name, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void add_note(struct builder *b, struct vs_plan_note **arr, size_t *n,
		     const char *name, const char *code, const char *fmt, ...)
{
	struct vs_plan_note *na, *it;
	va_list ap;

	na = realloc(*arr, (*n + 1) * sizeof(*na));
	if (!na) {
		b->r = -ENOMEM;
		return;
	}
	*arr = na;
	it = &na[(*n)++];
	it->name = xstrdup_opt(b, name);
	it->code = xstrdup_opt(b, code);
	va_start(ap, fmt);
	it->reason = vfmt(b, fmt, ap);
	va_end(ap);
}

static void add_warning(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_warning(struct builder *b, const char *fmt, ...)
{
	struct vs_plan *p = b->plan;
	char **nw, *s;
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	s = vfmt(b, fmt, ap);
	va_end(ap);
	if (!s)
		return;
	for (i = 0; i < p->n_warnings; i++) {
		if (strcmp(p->warnings[i], s) == 0) {
			free(s);
			return;
		}
	}
	nw = realloc(p->warnings, (p->n_warnings + 1) * sizeof(*nw));
	if (!nw) {
		free(s);
		b->r = -ENOMEM;
		return;
	}
	p->warnings = nw;
	p->warnings[p->n_warnings++] = s;
}

static int add_device(struct builder *b, const struct vs_device *dev)
{
	struct vs_plan *p = b->plan;
	struct vs_plan_device *nd, *d;

	nd = realloc(p->devices, (p->n_devices + 1) * sizeof(*nd));
	if (!nd) {
		b->r = -ENOMEM;
		return -1;
	}
	p->devices = nd;
	d = &nd[p->n_devices];
	memset(d, 0, sizeof(*d));
	d->name = xstrdup_opt(b, dev->name);
	d->bus = dev->bus;
	d->group = dev->iommu_group;
	d->driver = xstrdup_opt(b, dev->driver);
	d->override = xstrdup_opt(b, dev->driver_override);
	return (int)p->n_devices++;
}

static void add_step(struct builder *b, enum vs_step_action action, int dev, const char *rel,
		     const char *value, const char *driver, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static void add_step(struct builder *b, enum vs_step_action action, int dev, const char *rel,
		     const char *value, const char *driver, const char *fmt, ...)
{
	struct vs_plan *p = b->plan;
	struct vs_step *ns, *s;
	va_list ap;

	ns = realloc(p->steps, (p->n_steps + 1) * sizeof(*ns));
	if (!ns) {
		b->r = -ENOMEM;
		return;
	}
	p->steps = ns;
	s = &ns[p->n_steps++];
	memset(s, 0, sizeof(*s));
	s->action = action;
	s->dev = dev;
	if (rel) {
		s->rel = xstrdup_opt(b, rel);
		s->path = vs_root_abspath(b->topo->root, rel);
		if (!s->path)
			b->r = -ENOMEM;
	}
	s->value = xstrdup_opt(b, value);
	s->driver = xstrdup_opt(b, driver);
	va_start(ap, fmt);
	s->reason = vfmt(b, fmt, ap);
	va_end(ap);
}

static char *relf(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *relf(struct builder *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vfmt(b, fmt, ap);
	va_end(ap);
	return s;
}

/* Steps that move one device: override, unbind, probe, verify. Shared with
 * the rollback code through the same sysfs paths (see vs_bind_rel_*). */
static void step_override(struct builder *b, int di, const char *value, const char *fmt_reason)
{
	const struct vs_plan_device *d = &b->plan->devices[di];
	char *rel = relf(b, "sys/bus/%s/devices/%s/driver_override", vs_bus_name(d->bus), d->name);

	if (rel)
		add_step(b, VS_STEP_SET_OVERRIDE, di, rel, value ? value : "\n", value, "%s",
			 fmt_reason);
	free(rel);
}

static void step_unbind(struct builder *b, int di, const char *driver)
{
	const struct vs_plan_device *d = &b->plan->devices[di];
	char *rel = relf(b, "sys/bus/%s/drivers/%s/unbind", vs_bus_name(d->bus), driver);

	if (rel)
		add_step(b, VS_STEP_UNBIND, di, rel, d->name, driver, "detach it from %s", driver);
	free(rel);
}

static void step_probe(struct builder *b, int di, const char *why)
{
	const struct vs_plan_device *d = &b->plan->devices[di];
	char *rel = relf(b, "sys/bus/%s/drivers_probe", vs_bus_name(d->bus));

	if (rel)
		add_step(b, VS_STEP_PROBE, di, rel, d->name, NULL, "%s", why);
	free(rel);
}

static void step_verify(struct builder *b, int di, const char *driver)
{
	const struct vs_plan_device *d = &b->plan->devices[di];
	char *rel = relf(b, "sys/bus/%s/devices/%s/driver", vs_bus_name(d->bus), d->name);

	if (!rel)
		return;
	if (driver)
		add_step(b, VS_STEP_VERIFY, di, rel, NULL, driver,
			 "check that it is on %s: drivers_probe reports success even when no "
			 "driver binds", driver);
	else
		add_step(b, VS_STEP_VERIFY, di, rel, NULL, NULL,
			 "check that it is on no driver, as it was before");
	free(rel);
}

static bool seen(struct builder *b, const struct vs_device *dev)
{
	const struct vs_device **n;
	size_t i;

	for (i = 0; i < b->n_seen; i++)
		if (b->seen[i] == dev)
			return true;
	n = realloc(b->seen, (b->n_seen + 1) * sizeof(*n));
	if (!n) {
		b->r = -ENOMEM;
		return true;
	}
	b->seen = n;
	b->seen[b->n_seen++] = dev;
	return false;
}

static bool param_enabled(const struct vs_root *root, const char *rel)
{
	char *v = NULL;
	bool on;

	if (vs_read_attr(root->fd, rel, &v) < 0)
		return false;
	on = v[0] == 'Y' || v[0] == 'y' || v[0] == '1';
	free(v);
	return on;
}

/* vfio_pci.c:vfio_pci_dev_in_denylist (Intel QAT C3xxx/C62x/DH895xCC and their
 * VFs, DSA and IAX on Sapphire Rapids). */
static bool pci_denylisted(const struct vs_device *dev)
{
	static const uint16_t ids[] = { 0x19e2, 0x19e3, 0x37c8, 0x37c9, 0x0435, 0x0443,
					0x0b25, 0x0cfe };
	size_t i;

	if (!dev->pci || !dev->pci->ids_valid || dev->pci->vendor != 0x8086)
		return false;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (dev->pci->device == ids[i])
			return true;
	return false;
}

static bool is_bridge(const struct vs_device *dev)
{
	return dev->bus == VS_BUS_PCI &&
	       (vs_pci_is_bridge(dev) || (dev->pci && dev->pci->header_layout > 0));
}

static bool is_fslmc_object(const struct vs_device *dev)
{
	return dev->bus == VS_BUS_FSL_MC && dev->mc && dev->mc->obj_type &&
	       strcmp(dev->mc->obj_type, "dprc") != 0;
}

static bool in_list(const struct vs_device *const *devs, size_t n, const struct vs_device *d)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (devs[i] == d)
			return true;
	return false;
}

static void refuse_held(struct builder *b, const struct vs_device *dev,
			const struct vs_vfio_holder *h, bool bind)
{
	add_note(b, &b->plan->refused, &b->plan->n_refused, dev->name, "held",
		 "%s is held open by process %ld (%s): %s; stop that process first",
		 h->node, (long)h->pid, h->comm ? h->comm : "unknown program",
		 bind ? "changing drivers in its group now would block or leave a device on no driver"
		      : "unbinding vfio now would block until it lets go");
}

static void driver_needed(struct builder *b, enum vs_bus bus, const char *driver)
{
	char *rel = relf(b, "sys/bus/%s/drivers/%s", vs_bus_name(bus), driver);
	size_t i;

	if (!rel)
		return;
	if (faccessat(b->topo->root->fd, rel, F_OK, 0) < 0) {
		for (i = 0; i < b->plan->n_steps; i++)
			if (b->plan->steps[i].action == VS_STEP_LOAD_MODULE &&
			    vs_streq(b->plan->steps[i].value, driver))
				break;
		if (i == b->plan->n_steps) {
			/* module loads go first: insert at the front */
			add_step(b, VS_STEP_LOAD_MODULE, -1, rel, driver, driver,
				 "%s is not loaded (no /%s)", driver, rel);
			if (b->r == 0 && b->plan->n_steps > 1) {
				struct vs_step s = b->plan->steps[b->plan->n_steps - 1];

				memmove(&b->plan->steps[1], &b->plan->steps[0],
					(b->plan->n_steps - 1) * sizeof(s));
				b->plan->steps[0] = s;
			}
		}
	}
	free(rel);
}

/*
 * A platform, AMBA or fsl-mc device whose vfio driver is neither registered
 * nor in the kernel configuration: modprobe cannot help and a bind would
 * leave the device on no driver (Debian's arm64 kernels lack
 * CONFIG_VFIO_PLATFORM). Refused before anything is written; a module that
 * is merely not loaded, or an unreadable configuration, is left to the
 * module-load step.
 */
static bool kernel_lacks_driver(struct builder *b, const struct vs_device *dev, const char *target)
{
	struct vs_arm_kernel k;
	const char *option;
	char *rel, cfg;
	bool lacks = false;

	if (dev->bus != VS_BUS_PLATFORM && dev->bus != VS_BUS_AMBA && dev->bus != VS_BUS_FSL_MC)
		return false;
	rel = relf(b, "sys/bus/%s/drivers/%s", vs_bus_name(dev->bus), target);
	if (!rel || faccessat(b->topo->root->fd, rel, F_OK, 0) == 0) {
		free(rel);
		return false;
	}
	if (vs_arm_kernel_read(b->topo->root, &k) < 0) {
		b->r = -ENOMEM;
		free(rel);
		return false;
	}
	cfg = dev->bus == VS_BUS_PLATFORM ? k.cfg_vfio_platform :
	      dev->bus == VS_BUS_AMBA ? k.cfg_vfio_amba : k.cfg_vfio_fsl_mc;
	option = dev->bus == VS_BUS_PLATFORM ? "CONFIG_VFIO_PLATFORM" :
		 dev->bus == VS_BUS_AMBA ? "CONFIG_VFIO_AMBA" : "CONFIG_VFIO_FSL_MC";
	if (cfg == 'n') {
		add_note(b, &b->plan->refused, &b->plan->n_refused, dev->name, "no_vfio_driver",
			 "%s needs %s, but the kernel %s is built without %s (%s) and /%s is "
			 "missing: a bind would leave the device with no driver; build a kernel with "
			 "%s=m (Debian's arm64 kernels ship without it)", dev->name, target,
			 k.release ? k.release : "(unknown release)", option, k.config_source, rel,
			 option);
		lacks = true;
	}
	vs_arm_kernel_release(&k);
	free(rel);
	return lacks;
}

static void plan_bind_device(struct builder *b, const struct vs_device *dev, bool explicit)
{
	const char *target = vs_vfio_driver(dev->bus);
	const struct vs_vfio_holder *h;
	bool refused = false;
	const char *crit;
	int di;

	if (seen(b, dev))
		return;
	if (is_bridge(dev)) {
		if (explicit && !b->opts->group) {
			add_note(b, &b->plan->refused, &b->plan->n_refused, dev->name, "bridge",
				 "%s is a bridge (header layout %d): vfio-pci never binds bridges; "
				 "they stay on pcieport or on no driver, which keeps a group viable",
				 dev->name, dev->pci ? dev->pci->header_layout : 1);
		} else {
			/* one on a DMA-API driver (shpchp) shows in the group's blockers */
			add_note(b, &b->plan->skipped, &b->plan->n_skipped, dev->name, "bridge",
				 "bridge: stays on %s", dev->driver ? dev->driver : "no driver");
		}
		return;
	}
	if (is_fslmc_object(dev)) {
		const struct vs_device *c = dev->mc->container;

		if (b->opts->group || (c && in_list(b->devs, b->n_devs, c)))
			add_note(b, &b->plan->skipped, &b->plan->n_skipped, dev->name, "fslmc_object",
				 "follows its container %s: vfio-fsl-mc binds the objects of a container "
				 "it takes", c ? c->name : "(none)");
		else
			add_note(b, &b->plan->refused, &b->plan->n_refused, dev->name, "fslmc_object",
				 "vfio-fsl-mc takes whole containers: bind %s (its objects follow)",
				 c ? c->name : "the dprc that holds it");
		return;
	}
	if (dev->driver && (strcmp(dev->driver, target) == 0 || vs_is_vfio_driver(dev->driver))) {
		di = add_device(b, dev);
		if (di >= 0) {
			b->plan->devices[di].target = xstrdup_opt(b, dev->driver);
			b->plan->devices[di].target_override = xstrdup_opt(b, dev->driver_override);
			b->plan->devices[di].nothing_to_do = true;
		}
		return;
	}

	if (dev->bus == VS_BUS_PCI && dev->pci && dev->pci->sriov_numvfs > 0) {
		add_note(b, &b->plan->refused, &b->plan->n_refused, dev->name, "sriov_enabled",
			 "%s is an SR-IOV PF with %d VFs enabled, and vfio-pci refuses such a PF; "
			 "write 0 to /sys/bus/pci/devices/%s/sriov_numvfs first (the VFs go away)",
			 dev->name, dev->pci->sriov_numvfs, dev->name);
		refused = true;
	}
	if (dev->bus == VS_BUS_PCI && pci_denylisted(dev) &&
	    !param_enabled(b->topo->root, "sys/module/vfio_pci/parameters/disable_denylist")) {
		add_note(b, &b->plan->refused, &b->plan->n_refused, dev->name, "denylisted",
			 "%s (8086:%04x) is on vfio-pci's denylist; load vfio-pci with "
			 "disable_denylist=1 to bind it anyway", dev->name, dev->pci->device);
		refused = true;
	}
	if (kernel_lacks_driver(b, dev, target))
		refused = true;
	if (dev->iommu_group < 0) {
		if (param_enabled(b->topo->root, "sys/module/vfio/parameters/enable_unsafe_noiommu_mode")) {
			add_warning(b, "%s has no IOMMU group: vfio's no-IOMMU mode gives it a "
				    "vfio-noiommu group without any isolation, and taints the kernel",
				    dev->name);
		} else {
			add_note(b, &b->plan->refused, &b->plan->n_refused, dev->name, "no_iommu_group",
				 "%s has no IOMMU group (no IOMMU covers it, or the IOMMU is off), so %s "
				 "cannot take it; turn the IOMMU on (intel_iommu=on, amd_iommu=on, the "
				 "SMMU) or, without isolation, vfio's enable_unsafe_noiommu_mode",
				 dev->name, target);
			refused = true;
		}
	}
	crit = b->opts->hostcrit ? b->opts->hostcrit(b->opts->hostcrit_ctx, dev) : NULL;
	if (crit && !b->opts->force) {
		add_note(b, &b->plan->refused, &b->plan->n_refused, dev->name, "host_critical",
			 "%s is host-critical: %s; --force binds it anyway", dev->name, crit);
		refused = true;
	} else if (crit) {
		add_warning(b, "%s is host-critical (%s) and is bound because of --force",
			    dev->name, crit);
	}
	h = vs_vfio_holder_for(b->holders, b->topo, dev);
	if (h) {
		refuse_held(b, dev, h, true);
		refused = true;
	}
	if (refused)
		return;

	di = add_device(b, dev);
	if (di < 0)
		return;
	b->plan->devices[di].target = xstrdup_opt(b, target);
	b->plan->devices[di].target_override = xstrdup_opt(b, target);
	driver_needed(b, dev->bus, target);
	if (!vs_streq(dev->driver_override, target)) {
		char *why = relf(b, "from now on only %s may bind it (the override alone "
				 "unbinds and loads nothing)", target);

		if (why)
			step_override(b, di, target, why);
		free(why);
	}
	if (dev->driver)
		step_unbind(b, di, dev->driver);
	{
		char *why = relf(b, "ask the kernel to bind it: with the override only %s matches",
				 target);

		if (why)
			step_probe(b, di, why);
		free(why);
	}
	step_verify(b, di, target);
}

static bool planned(const struct vs_plan *p, const struct vs_device *dev)
{
	size_t i;

	for (i = 0; i < p->n_devices; i++)
		if (p->devices[i].bus == dev->bus && strcmp(p->devices[i].name, dev->name) == 0)
			return true;
	return false;
}

static int add_blocker(struct vs_group_viability *g, const struct vs_device *m)
{
	char **n = realloc(g->blocking, (g->n_blocking + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	g->blocking = n;
	if (asprintf(&g->blocking[g->n_blocking], "%s (%s)", m->name,
		     m->driver ? m->driver : "no driver") < 0)
		return -ENOMEM;
	g->n_blocking++;
	return 0;
}

/* Which members will keep each touched group from being viable after the bind. */
static void predict_viability(struct builder *b)
{
	struct vs_plan *p = b->plan;
	size_t i, j, k;

	for (i = 0; i < p->n_devices; i++) {
		struct vs_group_viability *ng, *gv;
		const struct vs_group *g;
		int id = p->devices[i].group;
		bool dup = false;

		for (k = 0; k < p->n_groups; k++)
			dup |= p->groups[k].id == id;
		g = id >= 0 && !dup ? vs_topology_group(b->topo, id) : NULL;
		if (!g)
			continue;
		ng = realloc(p->groups, (p->n_groups + 1) * sizeof(*ng));
		if (!ng) {
			b->r = -ENOMEM;
			return;
		}
		p->groups = ng;
		gv = &ng[p->n_groups++];
		memset(gv, 0, sizeof(*gv));
		gv->id = id;
		for (j = 0; j < g->n_members; j++) {
			const struct vs_device *m = g->members[j];

			if (planned(p, m) || vs_driver_managed_dma(m->driver) ||
			    (is_fslmc_object(m) && m->mc->container && planned(p, m->mc->container)))
				continue;
			if (add_blocker(gv, m) < 0)
				b->r = -ENOMEM;
		}
		gv->viable = gv->n_blocking == 0 && g->n_unknown_members == 0;
		for (j = 0; j < g->n_unknown_members; j++)
			add_warning(b, "group %d also holds %s, which vfioscope does not read; check "
				    "its driver by hand", id, g->unknown_members[j]);
	}
}

static int builder_start(struct builder *b, const struct vs_topology *topo,
			 const struct vs_bind_opts *opts, enum vs_bind_op op,
			 const struct vs_device *const *devs, size_t n, struct vs_err *err)
{
	static const struct vs_bind_opts defaults = { .group = false };

	memset(b, 0, sizeof(*b));
	b->topo = topo;
	b->devs = devs;
	b->n_devs = n;
	b->opts = opts ? opts : &defaults;
	b->plan = calloc(1, sizeof(*b->plan));
	if (!b->plan)
		return vs_err_set(err, -ENOMEM, "out of memory");
	b->plan->op = op;
	b->plan->live = topo->root->live;
	b->plan->root_path = strdup(topo->root->path);
	if (!b->plan->root_path || vs_vfio_holders_scan(topo->root, &b->holders) < 0)
		return vs_err_set(err, -ENOMEM, "out of memory");
	if (b->holders->unreadable && topo->root->live)
		add_warning(b, "%zu processes could not be checked for open /dev/vfio nodes "
			    "(run as root to check them all)", b->holders->unreadable);
	return 0;
}

static int builder_finish(struct builder *b, int r, struct vs_plan **out, struct vs_err *err)
{
	if (r == 0 && b->r)
		r = vs_err_set(err, b->r, "out of memory");
	free(b->seen);
	vs_vfio_holders_free(b->holders);
	vs_journal_free(b->journal);
	if (r < 0) {
		vs_plan_free(b->plan);
		return r;
	}
	*out = b->plan;
	return 0;
}

/* Each device the user named, or with --group each member of its group. */
static void for_each_target(struct builder *b,
			    void (*fn)(struct builder *b, const struct vs_device *dev, bool explicit))
{
	size_t i, j;

	for (i = 0; b->r == 0 && i < b->n_devs; i++) {
		const struct vs_device *dev = b->devs[i];
		const struct vs_group *g = b->opts->group ? vs_device_group(b->topo, dev) : NULL;

		if (!g) {
			fn(b, dev, true);
			continue;
		}
		for (j = 0; j < g->n_members; j++)
			fn(b, g->members[j], g->members[j] == dev);
	}
}

int vs_bind_plan(const struct vs_topology *topo, const struct vs_device *const *devs,
		 size_t n, const struct vs_bind_opts *opts, struct vs_plan **out,
		 struct vs_err *err)
{
	struct builder b;
	int r;

	*out = NULL;
	r = builder_start(&b, topo, opts, VS_OP_BIND, devs, n, err);
	if (r == 0) {
		for_each_target(&b, plan_bind_device);
		predict_viability(&b);
	}
	return builder_finish(&b, r, out, err);
}

/* ---- restore -------------------------------------------------------------- */

static void plan_restore_device(struct builder *b, const struct vs_device *dev, bool explicit)
{
	const struct vs_journal_entry *e = vs_journal_find(b->journal, dev->bus, dev->name);
	const struct vs_vfio_holder *h;
	struct vs_plan_device *d;
	const char *want_override;
	const char *cur;
	int di;

	if (seen(b, dev))
		return;
	if (!e && !explicit && (is_bridge(dev) || is_fslmc_object(dev))) {
		add_note(b, &b->plan->skipped, &b->plan->n_skipped, dev->name,
			 is_bridge(dev) ? "bridge" : "fslmc_object",
			 is_bridge(dev) ? "bridge: left on %s" : "follows its container (%s)",
			 is_bridge(dev) ? (dev->driver ? dev->driver : "no driver")
					: (dev->mc->container ? dev->mc->container->name : "none"));
		return;
	}
	/* only the override may change while a process holds the group: an unbind
	 * of vfio blocks, a probe fails and leaves the device on no driver */
	h = vs_vfio_holder_for(b->holders, b->topo, dev);
	if (h && (e ? !vs_streq(dev->driver, e->driver)
		    : !dev->driver || vs_is_vfio_driver(dev->driver))) {
		refuse_held(b, dev, h, false);
		return;
	}
	di = add_device(b, dev);
	if (di < 0)
		return;
	d = &b->plan->devices[di];
	cur = dev->driver;
	if (e) {
		d->journaled = true;
		d->target = xstrdup_opt(b, e->driver);
		d->target_override = xstrdup_opt(b, e->override);
	} else {
		d->target_any = true;
		d->target = NULL;
	}
	want_override = d->target_override;
	if (!vs_streq(dev->driver_override, want_override)) {
		char *why = want_override
			? relf(b, "put back the override it had before: %s", want_override)
			: relf(b, "clear the override so that its own driver may bind again");

		if (why)
			step_override(b, di, want_override, why);
		free(why);
	}
	if (e) {
		if (cur && !vs_streq(cur, e->driver)) {
			step_unbind(b, di, cur);
			cur = NULL;
		}
		if (e->driver && !vs_streq(cur, e->driver)) {
			char *why = relf(b, "let the kernel give it back to %s", e->driver);

			if (why)
				step_probe(b, di, why);
			free(why);
			step_verify(b, di, e->driver);
		} else if (!e->driver && dev->driver) {
			step_verify(b, di, NULL);
		}
	} else if (!cur || vs_is_vfio_driver(cur)) {
		char *why = relf(b, "let the kernel bind the driver of its choice");

		if (cur)
			step_unbind(b, di, cur);
		if (why)
			step_probe(b, di, why);
		free(why);
	}
	d->nothing_to_do = b->plan->n_steps == 0 || b->plan->steps[b->plan->n_steps - 1].dev != di;
	if (d->nothing_to_do && d->target_any) {
		/* on its own driver with no override: that is where restore leads */
		free(d->target);
		d->target = xstrdup_opt(b, dev->driver);
		d->target_any = false;
	}
}

int vs_restore_plan(const struct vs_topology *topo, const struct vs_device *const *devs,
		    size_t n, const struct vs_bind_opts *opts, struct vs_plan **out,
		    struct vs_err *err)
{
	struct builder b;
	size_t i;
	int r;

	*out = NULL;
	r = builder_start(&b, topo, opts, VS_OP_RESTORE, devs, n, err);
	if (r == 0)
		r = vs_journal_read(topo->root, &b.journal, err);
	if (r == 0 && b.opts->all) {
		for (i = 0; i < b.journal->n; i++) {
			const struct vs_journal_entry *e = &b.journal->entries[i];
			const struct vs_device *dev = vs_topology_find(topo, e->name);

			if (dev && dev->bus == e->bus)
				plan_restore_device(&b, dev, true);
			else
				add_note(&b, &b.plan->refused, &b.plan->n_refused, e->name, "absent",
					 "%s is in the journal but not on the %s bus now; its entry "
					 "is kept (rescan the bus, then restore it)", e->name,
					 vs_bus_name(e->bus));
		}
	} else if (r == 0) {
		for_each_target(&b, plan_restore_device);
	}
	return builder_finish(&b, r, out, err);
}

/* ---- freeing -------------------------------------------------------------- */

static void notes_free(struct vs_plan_note *n, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(n[i].name);
		free(n[i].code);
		free(n[i].reason);
	}
	free(n);
}

void vs_step_release(struct vs_step *s)
{
	free(s->rel);
	free(s->path);
	free(s->value);
	free(s->driver);
	free(s->reason);
}

void vs_group_viability_release(struct vs_group_viability *g)
{
	size_t i;

	for (i = 0; i < g->n_blocking; i++)
		free(g->blocking[i]);
	free(g->blocking);
	g->blocking = NULL;
	g->n_blocking = 0;
}

void vs_plan_free(struct vs_plan *plan)
{
	size_t i;

	if (!plan)
		return;
	for (i = 0; i < plan->n_devices; i++) {
		struct vs_plan_device *d = &plan->devices[i];

		free(d->name);
		free(d->driver);
		free(d->override);
		free(d->target);
		free(d->target_override);
	}
	free(plan->devices);
	for (i = 0; i < plan->n_steps; i++)
		vs_step_release(&plan->steps[i]);
	free(plan->steps);
	notes_free(plan->skipped, plan->n_skipped);
	notes_free(plan->refused, plan->n_refused);
	for (i = 0; i < plan->n_groups; i++)
		vs_group_viability_release(&plan->groups[i]);
	free(plan->groups);
	for (i = 0; i < plan->n_warnings; i++)
		free(plan->warnings[i]);
	free(plan->warnings);
	free(plan->root_path);
	free(plan);
}
