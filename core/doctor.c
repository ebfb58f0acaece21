// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host readiness for VFIO, everything read through the system root so that
 * fixtures test it: IOMMU and groups, the kernel command line, the vfio
 * modules, dev/vfio/vfio, interrupt remapping and allow_unsafe_interrupts,
 * no-IOMMU mode, the kernel configuration, and on device-tree systems the
 * ARM findings of vs_arm_check_system() (vfio-platform, no-IOMMU, MSI).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "vfioscope/diag.h"
#include "vfioscope/dt.h"
#include "diag_priv.h"

enum arch { ARCH_UNKNOWN, ARCH_INTEL, ARCH_AMD, ARCH_ARM };

struct doc {
	const struct vs_topology *topo;
	const struct vs_root *root;
	struct vs_sysfacts facts;
	struct vs_doctor *out;
	enum arch arch;
	char **iommus;		/* sys/class/iommu entries */
	size_t n_iommus;
	char *config;		/* kernel configuration text, NULL when not found */
	char *config_src;
	int err;
};

static const char *const status_names[] = {
	[VS_CHECK_OK] = "OK",
	[VS_CHECK_WARN] = "WARN",
	[VS_CHECK_FAIL] = "FAIL",
};

const char *vs_check_status_name(enum vs_check_status status)
{
	if ((size_t)status < sizeof(status_names) / sizeof(status_names[0]))
		return status_names[status];
	return "?";
}

static void check(struct doc *d, const char *id, enum vs_check_status st, const char *fix,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void check(struct doc *d, const char *id, enum vs_check_status st, const char *fix,
		  const char *fmt, ...)
{
	struct vs_check *nc;
	va_list ap;
	char *summary;
	int r;

	if (d->err)
		return;
	va_start(ap, fmt);
	r = vasprintf(&summary, fmt, ap);
	va_end(ap);
	if (r < 0) {
		d->err = -ENOMEM;
		return;
	}
	nc = realloc(d->out->checks, (d->out->n_checks + 1) * sizeof(*nc));
	if (!nc) {
		free(summary);
		d->err = -ENOMEM;
		return;
	}
	d->out->checks = nc;
	nc += d->out->n_checks;
	nc->id = strdup(id);
	nc->status = st;
	nc->summary = summary;
	nc->fix = fix ? strdup(fix) : NULL;
	d->out->n_checks++;
	if (!nc->id || (fix && !nc->fix))
		d->err = -ENOMEM;
	if (st == VS_CHECK_WARN)
		d->out->n_warn++;
	else if (st == VS_CHECK_FAIL)
		d->out->n_fail++;
}

static bool exists(const struct doc *d, const char *rel)
{
	struct stat st;

	return fstatat(d->root->fd, rel, &st, 0) == 0;
}

/* "Y"/"1" of a module parameter, or the same option on the command line. */
static enum vs_tristate param_on(const struct doc *d, const char *module, const char *param)
{
	char *rel, *v = NULL, *key;
	enum vs_tristate res = VS_UNKNOWN;

	if (asprintf(&rel, "sys/module/%s/parameters/%s", module, param) < 0)
		return VS_UNKNOWN;
	if (vs_read_attr(d->root->fd, rel, &v) >= 0)
		res = (v[0] == 'Y' || v[0] == 'y' || v[0] == '1') ? VS_YES : VS_NO;
	free(v);
	free(rel);
	if (res != VS_UNKNOWN)
		return res;
	if (asprintf(&key, "%s.%s", module, param) < 0)
		return VS_UNKNOWN;
	v = vs_cmdline_get(d->facts.cmdline, key);
	free(key);
	if (v) {
		res = (v[0] == '1' || v[0] == 'Y' || v[0] == 'y' || v[0] == '\0') ? VS_YES : VS_NO;
		free(v);
	}
	return res;
}

static enum arch detect_arch(const struct doc *d)
{
	char *cpu = NULL;
	enum arch a = ARCH_UNKNOWN;

	if (vs_read_file_at(d->root, "proc/cpuinfo", 8u << 20, &cpu) == 0) {
		if (strstr(cpu, "GenuineIntel"))
			a = ARCH_INTEL;
		else if (strstr(cpu, "AuthenticAMD") || strstr(cpu, "HygonGenuine"))
			a = ARCH_AMD;
		else if (strstr(cpu, "CPU implementer") || strstr(cpu, "AArch64"))
			a = ARCH_ARM;
	}
	free(cpu);
	if (a != ARCH_UNKNOWN)
		return a;
	for (size_t i = 0; i < d->n_iommus; i++) {
		if (strncmp(d->iommus[i], "dmar", 4) == 0)
			return ARCH_INTEL;
		if (strncmp(d->iommus[i], "ivhd", 4) == 0)
			return ARCH_AMD;
		if (strstr(d->iommus[i], "smmu"))
			return ARCH_ARM;
	}
	if (exists(d, "sys/firmware/devicetree/base"))
		return ARCH_ARM;
	return ARCH_UNKNOWN;
}

/* ---- kernel configuration ---- */

static void read_config(struct doc *d)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	char buf[16384], *rel;
	int fd;

	fd = openat(d->root->fd, "proc/config.gz", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		gzFile gz = gzdopen(fd, "rb");

		if (!gz) {
			close(fd);
		} else {
			int n;

			while ((n = gzread(gz, buf, sizeof(buf))) > 0 && sb.len < (64u << 20))
				vs_strbuf_addn(&sb, buf, (size_t)n);
			gzclose(gz);
			if (sb.len) {
				d->config = vs_strbuf_detach(&sb);
				d->config_src = strdup("/proc/config.gz");
				return;
			}
		}
	}
	vs_strbuf_release(&sb);
	if (!d->facts.release)
		return;
	if (asprintf(&rel, "boot/config-%s", d->facts.release) < 0)
		return;
	if (vs_read_file_at(d->root, rel, 64u << 20, &d->config) == 0) {
		if (asprintf(&d->config_src, "/%s", rel) < 0)
			d->config_src = NULL;
	}
	free(rel);
}

/* 'y', 'm', or 0 when not set. */
static char config_value(const struct doc *d, const char *sym)
{
	const char *p = d->config;
	size_t l = strlen(sym);

	while (p && (p = strstr(p, "CONFIG_"))) {
		if ((p == d->config || p[-1] == '\n') && strncmp(p + 7, sym, l) == 0 && p[7 + l] == '=')
			return p[8 + l];
		p += 7;
	}
	return 0;
}

/* ---- modules ---- */

static char *modules_text(const struct doc *d, const char *file)
{
	char *rel, *text = NULL;

	if (!d->facts.release)
		return NULL;
	if (asprintf(&rel, "lib/modules/%s/%s", d->facts.release, file) < 0)
		return NULL;
	if (vs_read_file_at(d->root, rel, 64u << 20, &text) < 0)
		text = NULL;
	free(rel);
	return text;
}

/* Whether a module file named @mod (dashes or underscores) is listed in @text. */
static bool module_listed(const char *text, const char *mod)
{
	char *dash, *under;
	bool found;

	if (!text)
		return false;
	if (asprintf(&dash, "/%s.ko", mod) < 0)
		return false;
	if (asprintf(&under, "/%s.ko", mod) < 0) {
		free(dash);
		return false;
	}
	for (char *c = dash; *c; c++)
		if (*c == '_')
			*c = '-';
	for (char *c = under; *c; c++)
		if (*c == '-')
			*c = '_';
	found = strstr(text, dash) || strstr(text, under);
	free(dash);
	free(under);
	return found;
}

static void check_modules(struct doc *d, bool want_platform)
{
	static const char *const mods[] = { "vfio", "vfio_iommu_type1", "vfio_pci", "vfio_platform" };
	static const char *const syms[] = { "VFIO", "VFIO_IOMMU_TYPE1", "VFIO_PCI", "VFIO_PLATFORM" };
	char *dep = modules_text(d, "modules.dep"), *builtin = modules_text(d, "modules.builtin");
	struct vs_strbuf missing = VS_STRBUF_INIT, absent = VS_STRBUF_INIT, loaded = VS_STRBUF_INIT;
	struct vs_strbuf platform_note = VS_STRBUF_INIT;
	size_t n = want_platform ? 4 : 3;

	for (size_t i = 0; i < n; i++) {
		char *rel;
		bool is_loaded, avail;

		if (asprintf(&rel, "sys/module/%s", mods[i]) < 0) {
			d->err = -ENOMEM;
			break;
		}
		is_loaded = exists(d, rel);
		free(rel);
		avail = module_listed(dep, mods[i]) || module_listed(builtin, mods[i]);
		/* no module lists: the kernel configuration tells whether it exists */
		if (!dep && !builtin && d->config && !is_loaded && config_value(d, syms[i]))
			avail = true;
		if (i == 3 && !is_loaded) {
			vs_strbuf_addf(&platform_note, "%s", avail ? "vfio_platform is available but not "
				       "loaded (modprobe vfio-platform for platform devices)" :
				       "vfio_platform is not in this kernel (CONFIG_VFIO_PLATFORM, "
				       "for platform devices)");
			continue;
		}
		if (is_loaded)
			vs_strbuf_addf(&loaded, "%s%s", loaded.len ? ", " : "", mods[i]);
		else if (avail)
			vs_strbuf_addf(&missing, "%s%s", missing.len ? ", " : "", mods[i]);
		else
			vs_strbuf_addf(&absent, "%s%s", absent.len ? ", " : "", mods[i]);
	}
	if (!missing.len && !absent.len && platform_note.len) {
		check(d, "vfio_modules", VS_CHECK_WARN, "load or build vfio-platform to pass platform "
		      "devices", "loaded: %s; %s", vs_strbuf_cstr(&loaded), vs_strbuf_cstr(&platform_note));
	} else if (!missing.len && !absent.len) {
		check(d, "vfio_modules", VS_CHECK_OK, NULL, "loaded: %s", vs_strbuf_cstr(&loaded));
	} else if (absent.len && (dep || builtin || d->config)) {
		check(d, "vfio_modules", VS_CHECK_FAIL,
		      "use a kernel built with CONFIG_VFIO, CONFIG_VFIO_IOMMU_TYPE1 and CONFIG_VFIO_PCI "
		      "(or install its modules package)",
		      "not in this kernel (%s): %s%s%s", dep || builtin ? "lib/modules" :
		      d->config_src,
		      vs_strbuf_cstr(&absent), missing.len ? "; available but not loaded: " : "",
		      vs_strbuf_cstr(&missing));
	} else if (absent.len) {
		check(d, "vfio_modules", VS_CHECK_WARN,
		      "modprobe vfio-pci (it pulls in vfio and vfio_iommu_type1); if that fails, the "
		      "kernel lacks CONFIG_VFIO_PCI",
		      "not loaded: %s%s%s (whether they are available is unknown: no lib/modules/%s)",
		      vs_strbuf_cstr(&absent), missing.len ? ", " : "", vs_strbuf_cstr(&missing),
		      d->facts.release ? d->facts.release : "RELEASE");
	} else {
		check(d, "vfio_modules", VS_CHECK_WARN,
		      "modprobe vfio-pci (it pulls in vfio and vfio_iommu_type1)",
		      "available but not loaded: %s", vs_strbuf_cstr(&missing));
	}
	vs_strbuf_release(&missing);
	vs_strbuf_release(&absent);
	vs_strbuf_release(&loaded);
	vs_strbuf_release(&platform_note);
	free(dep);
	free(builtin);
}

/* ---- the checks ---- */

static const char *iommu_fix(enum arch a)
{
	switch (a) {
	case ARCH_INTEL:
		return "enable VT-d in the firmware setup and boot with intel_iommu=on";
	case ARCH_AMD:
		return "enable the IOMMU (AMD-Vi) in the firmware setup; do not boot with amd_iommu=off";
	case ARCH_ARM:
		return "describe the SMMU in the device tree (iommus/iommu-map) or IORT and use a kernel "
		       "with CONFIG_ARM_SMMU_V3 (or CONFIG_ARM_SMMU)";
	default:
		return "enable the IOMMU in the firmware setup and the kernel (intel_iommu=on on Intel)";
	}
}

static void check_iommu(struct doc *d)
{
	struct vs_strbuf units = VS_STRBUF_INIT;
	char *ii = vs_cmdline_get(d->facts.cmdline, "intel_iommu");
	char *ai = vs_cmdline_get(d->facts.cmdline, "amd_iommu");
	char *io = vs_cmdline_get(d->facts.cmdline, "iommu");
	bool off = (ii && strstr(ii, "off")) || (ai && strstr(ai, "off")) || (io && strcmp(io, "off") == 0);

	for (size_t i = 0; i < d->n_iommus; i++)
		vs_strbuf_addf(&units, "%s%s", i ? ", " : "", d->iommus[i]);
	if (d->topo->n_groups) {
		check(d, "iommu", VS_CHECK_OK, NULL, "%zu IOMMU groups%s%s", d->topo->n_groups,
		      units.len ? "; IOMMU units: " : "", vs_strbuf_cstr(&units));
	} else if (off) {
		check(d, "iommu", VS_CHECK_FAIL, d->arch == ARCH_AMD ?
		      "remove amd_iommu=off / iommu=off from the kernel command line" :
		      "replace intel_iommu=off / iommu=off with intel_iommu=on on the kernel command line",
		      "no IOMMU groups: the IOMMU is turned off on the kernel command line");
	} else if (units.len) {
		check(d, "iommu", VS_CHECK_FAIL, iommu_fix(d->arch),
		      "IOMMU units found (%s) but no IOMMU groups: DMA translation is not enabled",
		      vs_strbuf_cstr(&units));
	} else {
		check(d, "iommu", VS_CHECK_FAIL, iommu_fix(d->arch),
		      "no IOMMU groups and no IOMMU in sys/class/iommu: VFIO cannot isolate devices");
	}

	if (d->arch == ARCH_INTEL && !d->topo->n_groups && !(ii && strstr(ii, "on")))
		check(d, "cmdline_iommu", VS_CHECK_FAIL,
		      "add intel_iommu=on to the kernel command line (and iommu=pt to keep host "
		      "devices on identity mapping)",
		      "intel_iommu=on is missing; unless the kernel has CONFIG_INTEL_IOMMU_DEFAULT_ON "
		      "the Intel IOMMU stays off");
	else if (off)
		check(d, "cmdline_iommu", VS_CHECK_FAIL, "remove the option turning the IOMMU off",
		      "the kernel command line turns the IOMMU off (%s%s%s%s%s%s)",
		      ii ? "intel_iommu=" : "", ii ? ii : "", ai ? " amd_iommu=" : "", ai ? ai : "",
		      io ? " iommu=" : "", io ? io : "");
	else
		check(d, "cmdline_iommu", VS_CHECK_OK, NULL, "%s%s%s%s%s",
		      ii ? "intel_iommu=" : "", ii ? ii : "",
		      io && strcmp(io, "pt") == 0 ? (ii ? ", iommu=pt (host devices use identity "
						  "mapping; groups unchanged)" :
						  "iommu=pt (host devices use identity mapping; groups "
						  "unchanged)") : "",
		      ai ? " amd_iommu=" : "", ai ? ai : "");
	/* an empty OK summary reads badly: say what the default is */
	if (!d->err && d->out->n_checks && d->out->checks[d->out->n_checks - 1].summary[0] == '\0') {
		free(d->out->checks[d->out->n_checks - 1].summary);
		d->out->checks[d->out->n_checks - 1].summary =
			strdup("no IOMMU options on the kernel command line (kernel defaults)");
		if (!d->out->checks[d->out->n_checks - 1].summary)
			d->err = -ENOMEM;
	}
	vs_strbuf_release(&units);
	free(ii);
	free(ai);
	free(io);
}

static void check_acs_options(struct doc *d)
{
	char *pci = vs_cmdline_get(d->facts.cmdline, "pci");

	if (d->facts.override.present)
		check(d, "acs_override", VS_CHECK_WARN,
		      "remove pcie_acs_override unless you accept that devices in the groups it splits "
		      "can reach each other without passing the IOMMU",
		      "pcie_acs_override=%s (out-of-tree patch) splits groups by assertion: isolation is "
		      "NOT guaranteed by hardware", d->facts.override.value);
	else if (d->facts.kmsg.override_warning)
		check(d, "acs_override", VS_CHECK_WARN,
		      "find where the kernel gets pcie_acs_override (built-in command line?) and remove it",
		      "the kernel log says \"PCIe ACS overrides enabled\" although the command line does "
		      "not show pcie_acs_override");
	else
		check(d, "acs_override", VS_CHECK_OK, NULL, "pcie_acs_override is not in use");

	if (pci && strstr(pci, "noacs"))
		check(d, "pci_acs_options", VS_CHECK_WARN, "drop pci=noacs: it has no effect",
		      "pci=noacs is not a kernel option (the kernel logs \"PCI: Unknown option\")");
	else if (pci && strstr(pci, "disable_acs_redir"))
		check(d, "pci_acs_options", VS_CHECK_WARN,
		      "remove pci=disable_acs_redir= unless peer-to-peer DMA between those devices is "
		      "the point",
		      "pci=%s turns ACS redirect off on the listed devices, which makes groups larger", pci);
	else if (pci && strstr(pci, "config_acs"))
		check(d, "pci_acs_options", VS_CHECK_OK, NULL, "pci=%s sets ACS bits at boot", pci);
	free(pci);
}

static void check_vfio_cmdline(struct doc *d)
{
	char *ids = vs_cmdline_get(d->facts.cmdline, "vfio-pci.ids");
	enum vs_tristate d3 = param_on(d, "vfio_pci", "disable_idle_d3");

	if (ids)
		check(d, "vfio_pci_ids", VS_CHECK_OK, NULL,
		      "vfio-pci.ids=%s binds every device with these IDs at boot (identical cards "
		      "cannot be told apart; vfioscope bind works by address)", ids);
	else
		check(d, "vfio_pci_ids", VS_CHECK_OK, NULL,
		      "vfio-pci.ids is not set: devices are bound by address (driver_override)");
	free(ids);
	if (d3 == VS_YES)
		check(d, "disable_idle_d3", VS_CHECK_OK, NULL,
		      "vfio-pci.disable_idle_d3 is on: idle devices on vfio-pci stay in D0");
	else
		check(d, "disable_idle_d3", VS_CHECK_OK,
		      "if a passed-through device fails after the VM starts or restarts (seen on boards "
		      "such as the Ten64), boot with vfio-pci.disable_idle_d3=1",
		      "vfio-pci.disable_idle_d3 is off: vfio-pci puts idle devices into D3");
}

static void check_dev_vfio(struct doc *d)
{
	bool loaded = exists(d, "sys/module/vfio");

	if (exists(d, "dev/vfio/vfio"))
		check(d, "dev_vfio", VS_CHECK_OK, NULL, "/dev/vfio/vfio exists");
	else if (loaded)
		check(d, "dev_vfio", VS_CHECK_FAIL,
		      "mount devtmpfs on /dev (or create the node: mknod /dev/vfio/vfio c 10 196)",
		      "/dev/vfio/vfio is missing although the vfio module is loaded");
	else
		check(d, "dev_vfio", VS_CHECK_WARN, "modprobe vfio",
		      "/dev/vfio/vfio is missing: it appears when the vfio module is loaded");
}

/* Search the unpacked device tree for a compatible string (bounded walk). */
static bool dt_compatible(const struct doc *d, const char *dir, const char *compat, int depth)
{
	char **names = NULL, *rel, *text = NULL;
	size_t n = 0;
	bool found = false;

	if (depth > 6)
		return false;
	if (asprintf(&rel, "%s/compatible", dir) < 0)
		return false;
	if (vs_read_file_at(d->root, rel, 4096, &text) == 0) {
		/* NUL-separated list */
		struct stat st;

		if (fstatat(d->root->fd, rel, &st, 0) == 0)
			for (off_t o = 0; o < st.st_size && !found;) {
				if (strcmp(text + o, compat) == 0)
					found = true;
				o += (off_t)strlen(text + o) + 1;
			}
	}
	free(text);
	free(rel);
	if (found || vs_diag_list_dir(d->root, dir, &names, &n) < 0)
		return found;
	for (size_t i = 0; i < n && !found; i++) {
		char *sub;
		struct stat st;

		if (asprintf(&sub, "%s/%s", dir, names[i]) < 0)
			break;
		if (fstatat(d->root->fd, sub, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
			found = dt_compatible(d, sub, compat, depth + 1);
		free(sub);
	}
	vs_strv_free(names, n);
	return found;
}

/* Whether interrupts are remapped / MSIs isolated: VS_UNKNOWN when there is no evidence. */
static enum vs_tristate msi_isolated(const struct doc *d, const char **how)
{
	char *irqs = NULL, *intremap = vs_cmdline_get(d->facts.cmdline, "intremap");
	enum vs_tristate res = VS_UNKNOWN;

	if (vs_read_file_at(d->root, "proc/interrupts", 8u << 20, &irqs) == 0) {
		if (strstr(irqs, "IR-PCI-MSI") || strstr(irqs, "IR-IO-APIC")) {
			*how = "remapped interrupts in /proc/interrupts (IR-PCI-MSI)";
			res = VS_YES;
		} else if (strstr(irqs, "ITS-")) {
			*how = "GICv3 ITS MSIs in /proc/interrupts";
			res = VS_YES;
		}
	}
	free(irqs);
	if (res == VS_UNKNOWN && d->facts.kmsg.ir_enabled) {
		*how = "kernel log: interrupt remapping enabled";
		res = VS_YES;
	}
	if (res == VS_UNKNOWN && intremap && strcmp(intremap, "off") == 0) {
		*how = "intremap=off on the kernel command line";
		res = VS_NO;
	}
	if (res == VS_UNKNOWN && d->facts.kmsg.ir_disabled) {
		*how = "kernel log: interrupt remapping disabled";
		res = VS_NO;
	}
	if (res == VS_UNKNOWN && d->facts.kmsg.unsafe_irq_msg) {
		*how = "kernel log: vfio found \"No interrupt remapping support\"";
		res = VS_NO;
	}
	if (res == VS_UNKNOWN && d->arch == ARCH_INTEL) {
		for (size_t i = 0; i < d->n_iommus && res == VS_UNKNOWN; i++) {
			char *rel, *v = NULL;

			if (asprintf(&rel, "sys/class/iommu/%s/intel-iommu/ecap", d->iommus[i]) < 0)
				break;
			if (vs_read_attr(d->root->fd, rel, &v) >= 0) {
				bool ir = strtoull(v, NULL, 16) & 0x8;	/* ECAP.IR */

				*how = ir ? "the VT-d unit supports interrupt remapping (ecap IR)" :
					    "the VT-d unit has no interrupt remapping (ecap IR clear)";
				res = ir ? VS_YES : VS_NO;
			}
			free(v);
			free(rel);
		}
	}
	if (res == VS_UNKNOWN && exists(d, "sys/firmware/devicetree/base")) {
		if (dt_compatible(d, "sys/firmware/devicetree/base", "arm,gic-v3-its", 0)) {
			*how = "the device tree has a GICv3 ITS";
			res = VS_YES;
		} else if (dt_compatible(d, "sys/firmware/devicetree/base", "arm,gic-v2m-frame", 0)) {
			*how = "the device tree has a GICv2m MSI frame and no ITS";
			res = VS_NO;
		}
	}
	free(intremap);
	return res;
}

static void check_interrupts(struct doc *d)
{
	const char *how = NULL;
	enum vs_tristate iso = msi_isolated(d, &how);
	enum vs_tristate unsafe = param_on(d, "vfio_iommu_type1", "allow_unsafe_interrupts");

	if (iso == VS_YES && unsafe == VS_YES)
		check(d, "interrupt_remapping", VS_CHECK_WARN,
		      "drop vfio_iommu_type1.allow_unsafe_interrupts=1: it is not needed here",
		      "MSIs are isolated (%s), yet allow_unsafe_interrupts is on", how);
	else if (iso == VS_YES)
		check(d, "interrupt_remapping", VS_CHECK_OK, NULL, "MSIs are isolated: %s", how);
	else if (iso == VS_NO && unsafe == VS_YES)
		check(d, "interrupt_remapping", VS_CHECK_WARN,
		      "enable interrupt remapping if the hardware has it; otherwise accept that a guest "
		      "can send arbitrary MSIs",
		      "no interrupt remapping (%s); vfio_iommu_type1.allow_unsafe_interrupts is on, so "
		      "VFIO works without MSI isolation", how);
	else if (iso == VS_NO)
		check(d, "interrupt_remapping", VS_CHECK_FAIL,
		      d->arch == ARCH_ARM ?
		      "GICv2m cannot isolate MSIs: boot with vfio_iommu_type1.allow_unsafe_interrupts=1, "
		      "accepting that a guest can forge MSIs (GICv3 ITS needs no option)" :
		      "enable interrupt remapping (x2APIC/VT-d IR in the firmware, no intremap=off), or "
		      "accept the risk with vfio_iommu_type1.allow_unsafe_interrupts=1",
		      "no interrupt remapping (%s): VFIO refuses to attach groups (\"No interrupt "
		      "remapping support\")", how);
	else
		check(d, "interrupt_remapping", VS_CHECK_WARN,
		      "look for IR-PCI-MSI (x86) or ITS-MSI (ARM) in /proc/interrupts, or \"remapping\" "
		      "in dmesg",
		      "could not tell whether MSIs are isolated (interrupt remapping or GICv3 ITS); "
		      "allow_unsafe_interrupts is %s", unsafe == VS_YES ? "on" :
		      unsafe == VS_NO ? "off" : "unknown (vfio_iommu_type1 not loaded)");
}

static void check_noiommu(struct doc *d)
{
	enum vs_tristate on = param_on(d, "vfio", "enable_unsafe_noiommu_mode");
	size_t noiommu_groups = 0;

	for (size_t i = 0; i < d->topo->n_groups; i++)
		if (vs_streq(d->topo->groups[i].name, "vfio-noiommu"))
			noiommu_groups++;
	if (on == VS_YES || noiommu_groups)
		check(d, "noiommu", VS_CHECK_WARN,
		      "turn it off (echo 0 > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode) "
		      "unless a userspace driver such as DPDK needs it; never use it for VMs",
		      "no-IOMMU mode is on (%zu vfio-noiommu group%s): devices are used without any "
		      "isolation and the kernel is tainted", noiommu_groups,
		      noiommu_groups == 1 ? "" : "s");
	else
		check(d, "noiommu", VS_CHECK_OK, NULL, "no-IOMMU mode is off");
}

static void check_config(struct doc *d)
{
	struct vs_strbuf missing = VS_STRBUF_INIT, soft = VS_STRBUF_INIT, have = VS_STRBUF_INIT;
	static const char *const required[] = { "VFIO", "VFIO_IOMMU_TYPE1", "VFIO_PCI" };

	if (!d->config) {
		check(d, "kernel_config", VS_CHECK_WARN,
		      "enable CONFIG_IKCONFIG_PROC or install /boot/config-RELEASE to let this be checked",
		      "kernel configuration not found (/proc/config.gz, /boot/config-%s)",
		      d->facts.release ? d->facts.release : "RELEASE");
		return;
	}
	for (size_t i = 0; i < 3; i++) {
		char v = config_value(d, required[i]);

		if (v == 'y' || v == 'm')
			vs_strbuf_addf(&have, "%sCONFIG_%s=%c", have.len ? " " : "", required[i], v);
		else
			vs_strbuf_addf(&missing, "%sCONFIG_%s", missing.len ? ", " : "", required[i]);
	}
	if (d->arch == ARCH_ARM) {
		if (!config_value(d, "VFIO_PLATFORM"))
			vs_strbuf_addf(&soft, "%sCONFIG_VFIO_PLATFORM (platform devices)", soft.len ? ", " : "");
		if (!config_value(d, "ARM_SMMU_V3") && !config_value(d, "ARM_SMMU"))
			vs_strbuf_addf(&soft, "%sCONFIG_ARM_SMMU_V3 (the IOMMU)", soft.len ? ", " : "");
	} else if (d->arch == ARCH_INTEL || d->arch == ARCH_AMD) {
		if (!config_value(d, "IRQ_REMAP"))
			vs_strbuf_addf(&soft, "%sCONFIG_IRQ_REMAP (interrupt remapping)", soft.len ? ", " : "");
		if (!config_value(d, d->arch == ARCH_INTEL ? "INTEL_IOMMU" : "AMD_IOMMU"))
			vs_strbuf_addf(&missing, "%sCONFIG_%s", missing.len ? ", " : "",
				       d->arch == ARCH_INTEL ? "INTEL_IOMMU" : "AMD_IOMMU");
	}
	if (config_value(d, "VFIO_NOIOMMU"))
		vs_strbuf_addf(&have, "%sCONFIG_VFIO_NOIOMMU=y (unsafe no-IOMMU mode available)",
			       have.len ? " " : "");
	if (missing.len)
		check(d, "kernel_config", VS_CHECK_FAIL,
		      "use a kernel built with the missing options", "%s lacks %s", d->config_src,
		      vs_strbuf_cstr(&missing));
	else if (soft.len)
		check(d, "kernel_config", VS_CHECK_WARN, "use a kernel built with these options",
		      "%s: %s; not set: %s", d->config_src, vs_strbuf_cstr(&have), vs_strbuf_cstr(&soft));
	else
		check(d, "kernel_config", VS_CHECK_OK, NULL, "%s: %s", d->config_src, vs_strbuf_cstr(&have));
	vs_strbuf_release(&missing);
	vs_strbuf_release(&soft);
	vs_strbuf_release(&have);
}

/*
 * The ARM findings for the whole system, one check each, named after the
 * finding's code ("ARM_NO_VFIO_PLATFORM" -> "arm_no_vfio_platform"). Whether
 * a finding applies (device tree present, platform or fsl-mc devices) is
 * vs_arm_check_system()'s decision; a tree that cannot be parsed is a WARN.
 */
static void check_arm(struct doc *d)
{
	struct vs_arm_findings f = { .items = NULL, .n = 0 };
	struct vs_err err = VS_ERR_INIT;
	struct vs_dt *dt = NULL;
	int r;

	r = vs_dt_load(d->root, &dt, &err);
	if (r == -ENOMEM) {
		d->err = r;
	} else if (r < 0 && r != -ENOENT) {
		check(d, "device_tree", VS_CHECK_WARN,
		      "check the firmware's device tree (dtc -I fs /sys/firmware/devicetree/base)",
		      "%s; the ARM checks that need the device tree were skipped", vs_err_msg(&err));
	}
	vs_err_release(&err);
	if (!d->err && vs_arm_check_system(d->topo, dt, &f, &err) < 0)
		d->err = -ENOMEM;
	for (size_t i = 0; i < f.n && !d->err; i++) {
		const struct vs_arm_finding *a = &f.items[i];
		enum vs_check_status st = a->severity == VS_ARM_BLOCK ? VS_CHECK_FAIL :
					  a->severity == VS_ARM_WARN ? VS_CHECK_WARN : VS_CHECK_OK;
		char *id = strdup(a->code);

		if (!id) {
			d->err = -ENOMEM;
			break;
		}
		for (char *c = id; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		check(d, id, st, a->fix ? a->fix : st == VS_CHECK_OK ? NULL :
		      "run vfioscope arm-check DEVICE for the device you mean to pass", "%s", a->text);
		free(id);
	}
	vs_err_release(&err);
	vs_arm_findings_release(&f);
	vs_dt_free(dt);
}

int vs_doctor_run(const struct vs_topology *topo, struct vs_doctor **out, struct vs_err *err)
{
	struct doc d = { .topo = topo, .root = topo->root };
	bool platform = false;
	int r;

	*out = NULL;
	d.out = calloc(1, sizeof(*d.out));
	if (!d.out)
		return vs_err_set(err, -ENOMEM, "out of memory");
	r = vs_sysfacts_read(topo->root, &d.facts);
	if (r < 0)
		d.err = r;
	if (vs_diag_list_dir(topo->root, "sys/class/iommu", &d.iommus, &d.n_iommus) == -ENOMEM)
		d.err = -ENOMEM;
	d.arch = detect_arch(&d);
	read_config(&d);
	/* vfio-platform matters where platform devices are behind an IOMMU */
	for (size_t i = topo->n_pci; i < topo->n_devices; i++)
		if ((topo->devices[i]->bus == VS_BUS_PLATFORM || topo->devices[i]->bus == VS_BUS_AMBA) &&
		    topo->devices[i]->iommu_group >= 0)
			platform = true;

	check_iommu(&d);
	check_acs_options(&d);
	check_vfio_cmdline(&d);
	check_modules(&d, platform);
	check_dev_vfio(&d);
	check_interrupts(&d);
	check_noiommu(&d);
	check_config(&d);
	check_arm(&d);

	vs_sysfacts_release(&d.facts);
	vs_strv_free(d.iommus, d.n_iommus);
	free(d.config);
	free(d.config_src);
	if (d.err) {
		vs_doctor_free(d.out);
		return vs_err_set(err, d.err, "cannot check the host: %s", strerror(-d.err));
	}
	*out = d.out;
	return 0;
}

void vs_doctor_free(struct vs_doctor *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->n_checks; i++) {
		free(doc->checks[i].id);
		free(doc->checks[i].summary);
		free(doc->checks[i].fix);
	}
	free(doc->checks);
	free(doc);
}
