// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ARM readiness findings: what stops a platform, AMBA or fsl-mc device from
 * reaching a VM, read from the kernel (config, drivers, module parameters,
 * kernel log) and the device tree before anything is written. Facts:
 * iommu-grouping.md §3.4 and §4, seeds 000, 001, 002 and 004.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <zlib.h>

#include "vfioscope/dt.h"
#include "dt-internal.h"

const char *vs_arm_severity_name(enum vs_arm_severity s)
{
	switch (s) {
	case VS_ARM_INFO: return "info";
	case VS_ARM_WARN: return "warning";
	case VS_ARM_BLOCK: return "blocker";
	}
	return "?";
}

struct json_object *vs_arm_findings_json(const struct vs_arm_findings *f)
{
	struct json_object *a = json_object_new_array(), *e;
	const struct vs_arm_finding *it;
	size_t i;

	for (i = 0; a && i < f->n; i++) {
		it = &f->items[i];
		e = json_object_new_object();
		if (!e) {
			json_object_put(a);
			return NULL;
		}
		json_object_object_add(e, "code", json_object_new_string(it->code));
		json_object_object_add(e, "severity",
				       json_object_new_string(vs_arm_severity_name(it->severity)));
		json_object_object_add(e, "subject", json_object_new_string(it->subject));
		json_object_object_add(e, "text", json_object_new_string(it->text));
		json_object_object_add(e, "fix", it->fix ? json_object_new_string(it->fix) : NULL);
		json_object_array_add(a, e);
	}
	return a;
}

void vs_arm_findings_release(struct vs_arm_findings *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->items[i].subject);
		free(f->items[i].text);
		free(f->items[i].fix);
	}
	free(f->items);
	f->items = NULL;
	f->n = 0;
}

static int add_finding(struct vs_arm_findings *f, const char *code, enum vs_arm_severity sev,
		       const char *subject, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int add_finding(struct vs_arm_findings *f, const char *code, enum vs_arm_severity sev,
		       const char *subject, const char *fix, const char *fmt, ...)
{
	struct vs_arm_finding *ni, *it;
	struct vs_strbuf sb = VS_STRBUF_INIT;
	va_list ap;

	ni = realloc(f->items, (f->n + 1) * sizeof(*ni));
	if (!ni)
		return -ENOMEM;
	f->items = ni;
	it = &f->items[f->n];
	memset(it, 0, sizeof(*it));
	va_start(ap, fmt);
	vs_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	it->code = code;
	it->severity = sev;
	it->subject = strdup(subject ? subject : "");
	it->text = vs_strbuf_detach(&sb);
	it->fix = fix ? strdup(fix) : NULL;
	if (!it->subject || !it->text || (fix && !it->fix)) {
		free(it->subject);
		free(it->text);
		free(it->fix);
		return -ENOMEM;
	}
	f->n++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The kernel                                                          */

static char *read_gz(int rootfd, const char *rel)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	char buf[8192];
	gzFile gz;
	int fd, n;

	fd = openat(rootfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return NULL;
	}
	while ((n = gzread(gz, buf, sizeof(buf))) > 0 && sb.len < 64u * 1024 * 1024)
		vs_strbuf_addn(&sb, buf, (size_t)n);
	gzclose(gz);
	if (n < 0) {
		vs_strbuf_release(&sb);
		return NULL;
	}
	return vs_strbuf_detach(&sb);
}

static char *read_text(int rootfd, const char *rel)
{
	unsigned char *buf, *nb;
	ssize_t n;

	n = vs_dt_read_file(rootfd, rel, &buf);
	if (n < 0)
		return NULL;
	nb = realloc(buf, (size_t)n + 1);
	if (!nb) {
		free(buf);
		return NULL;
	}
	nb[n] = '\0';
	return (char *)nb;
}

/* 'y', 'm', 'n' for CONFIG_@name in @config, 'n' when absent from a readable config. */
static char config_value(const char *config, const char *name)
{
	const char *p = config;
	size_t len = strlen(name);

	while ((p = strstr(p, name))) {
		if ((p == config || p[-1] == '\n') && p[len] == '=')
			return p[len + 1] == 'y' || p[len + 1] == 'm' ? p[len + 1] : 'n';
		p += len;
	}
	return 'n';
}

static enum vs_tristate param_bool(const char *s)
{
	if (!s || !*s)
		return VS_UNKNOWN;
	if (*s == 'Y' || *s == 'y' || *s == '1')
		return VS_YES;
	if (*s == 'N' || *s == 'n' || *s == '0')
		return VS_NO;
	return VS_UNKNOWN;
}

/* "module.param=VALUE" on the command line, for either spelling of the module name. */
static enum vs_tristate cmdline_param(const char *cmdline, const char *mod, const char *param)
{
	enum vs_tristate v = VS_UNKNOWN;
	char *copy, *tok, *save = NULL, *eq;
	size_t ml = strlen(mod);
	size_t i;

	if (!cmdline || !(copy = strdup(cmdline)))
		return VS_UNKNOWN;
	for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		eq = strchr(tok, '=');
		if (!eq || (size_t)(eq - tok) != ml + 1 + strlen(param))
			continue;
		for (i = 0; i < ml; i++) {
			char a = tok[i] == '-' ? '_' : tok[i];
			char b = mod[i] == '-' ? '_' : mod[i];

			if (a != b)
				break;
		}
		if (i == ml && tok[ml] == '.' && strncmp(tok + ml + 1, param, strlen(param)) == 0)
			v = param_bool(eq + 1);
	}
	free(copy);
	return v;
}

/* "options MODULE PARAM=VALUE" in etc/modprobe.d/NAME.conf. */
static enum vs_tristate modprobe_param(int rootfd, const char *mod, const char *param)
{
	static const char *const files[] = {
		"etc/modprobe.d/vfio.conf", "etc/modprobe.d/vfio-platform.conf",
		"etc/modprobe.d/vfio_platform.conf", "etc/modprobe.d/vfio_iommu_type1.conf",
		"etc/modprobe.d/vfioscope.conf",
	};
	enum vs_tristate v = VS_UNKNOWN;
	struct vs_strbuf key = VS_STRBUF_INIT;
	char *text, *line, *save = NULL, *p;
	size_t i;

	vs_strbuf_addf(&key, "%s=", param);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		text = read_text(rootfd, files[i]);
		if (!text)
			continue;
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (strncmp(line, "options", 7) != 0)
				continue;
			p = line + 7;
			while (*p == ' ' || *p == '\t')
				p++;
			if (strncmp(p, mod, strlen(mod)) != 0) {
				char alt[64];
				size_t k;

				for (k = 0; mod[k] && k < sizeof(alt) - 1; k++)
					alt[k] = mod[k] == '_' ? '-' : mod[k];
				alt[k] = '\0';
				if (strncmp(p, alt, strlen(alt)) != 0)
					continue;
			}
			p = strstr(p, vs_strbuf_cstr(&key));
			if (p)
				v = param_bool(p + key.len);
		}
		free(text);
	}
	vs_strbuf_release(&key);
	return v;
}

static bool exists(int rootfd, const char *rel)
{
	struct stat st;

	return fstatat(rootfd, rel, &st, 0) == 0;
}

int vs_arm_kernel_read(const struct vs_root *root, struct vs_arm_kernel *k)
{
	char *config = NULL, *cmdline = NULL, *s = NULL, *rel = NULL;

	memset(k, 0, sizeof(*k));
	if (vs_read_attr(root->fd, "proc/sys/kernel/osrelease", &k->release) < 0)
		k->release = NULL;
	if (vs_read_attr(root->fd, "proc/version", &k->version) < 0)
		k->version = NULL;
	config = read_gz(root->fd, "proc/config.gz");
	if (config) {
		k->config_source = strdup("proc/config.gz");
	} else if (k->release && asprintf(&rel, "boot/config-%s", k->release) >= 0) {
		config = read_text(root->fd, rel);
		if (config)
			k->config_source = rel;
		else
			free(rel);
	}
	if (config) {
		k->cfg_vfio_platform = config_value(config, "CONFIG_VFIO_PLATFORM");
		k->cfg_vfio_amba = config_value(config, "CONFIG_VFIO_AMBA");
		k->cfg_vfio_fsl_mc = config_value(config, "CONFIG_VFIO_FSL_MC");
		k->cfg_vfio_noiommu = config_value(config, "CONFIG_VFIO_NOIOMMU");
		free(config);
	}
	k->drv_vfio_platform = exists(root->fd, "sys/bus/platform/drivers/vfio-platform");
	k->drv_vfio_amba = exists(root->fd, "sys/bus/amba/drivers/vfio-amba");
	k->drv_vfio_fsl_mc = exists(root->fd, "sys/bus/fsl-mc/drivers/vfio-fsl-mc");
	k->noiommu_param = VS_UNKNOWN;
	if (vs_read_attr(root->fd, "sys/module/vfio/parameters/enable_unsafe_noiommu_mode", &s) >= 0)
		k->noiommu_param = param_bool(s);
	free(s);
	s = NULL;
	if (vs_read_attr(root->fd, "proc/cmdline", &cmdline) < 0)
		cmdline = NULL;
	k->reset_required = VS_UNKNOWN;
	if (vs_read_attr(root->fd, "sys/module/vfio_platform/parameters/reset_required", &s) >= 0)
		k->reset_required = param_bool(s);
	free(s);
	s = NULL;
	if (k->reset_required == VS_UNKNOWN)
		k->reset_required = cmdline_param(cmdline, "vfio_platform", "reset_required");
	if (k->reset_required == VS_UNKNOWN)
		k->reset_required = modprobe_param(root->fd, "vfio_platform", "reset_required");
	if (k->reset_required == VS_UNKNOWN)
		k->reset_required = VS_YES;	/* the module's default */
	k->allow_unsafe_interrupts = VS_UNKNOWN;
	if (vs_read_attr(root->fd, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
			 &s) >= 0)
		k->allow_unsafe_interrupts = param_bool(s);
	free(s);
	if (k->allow_unsafe_interrupts == VS_UNKNOWN)
		k->allow_unsafe_interrupts = cmdline_param(cmdline, "vfio_iommu_type1",
							   "allow_unsafe_interrupts");
	if (k->allow_unsafe_interrupts == VS_UNKNOWN)
		k->allow_unsafe_interrupts = modprobe_param(root->fd, "vfio_iommu_type1",
							    "allow_unsafe_interrupts");
	if (k->allow_unsafe_interrupts == VS_UNKNOWN)
		k->allow_unsafe_interrupts = VS_NO;
	free(cmdline);
	k->debian_61 = k->version && strstr(k->version, " Debian 6.1.");
	return 0;
}

void vs_arm_kernel_release(struct vs_arm_kernel *k)
{
	if (!k)
		return;
	free(k->release);
	free(k->version);
	free(k->config_source);
	memset(k, 0, sizeof(*k));
}

/*
 * The kernel log as dev/kmsg gives it (one record per read, EAGAIN at the
 * end; a fixture's plain file reads to EOF). NULL when unreadable (root only
 * with kernel.dmesg_restrict=1).
 */
static char *read_kmsg(int rootfd)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	char buf[8192];
	ssize_t n;
	int fd;

	fd = openat(rootfd, "dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue;
		if (n <= 0 || sb.len > 16u * 1024 * 1024)
			break;
		vs_strbuf_addn(&sb, buf, (size_t)n);
		if (sb.len && sb.buf[sb.len - 1] != '\n')
			vs_strbuf_addch(&sb, '\n');
	}
	close(fd);
	return vs_strbuf_detach(&sb);
}

/* The kernel log line of a failed vfio-platform probe with -2 for @name. */
static char *probe_enoent_line(const char *klog, const char *name)
{
	const char *line, *end;
	char *s;

	for (line = klog; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		s = strndup(line, end ? (size_t)(end - line) : strlen(line));
		if (!s)
			return NULL;
		if (strstr(s, name) && strstr(s, "vfio-platform") &&
		    strstr(s, "failed with error -2")) {
			char *msg = strchr(s, ';');

			if (msg) {
				memmove(s, msg + 1, strlen(msg + 1) + 1);
			}
			return s;
		}
		free(s);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Findings                                                            */

struct ctx {
	const struct vs_topology *topo;
	const struct vs_dt *dt;
	struct vs_arm_kernel k;
	struct vs_arm_findings *out;
	char *klog;
	bool klog_read;
};

static const char *cfg_words(char v)
{
	switch (v) {
	case 'y': return "built in";
	case 'm': return "a module";
	case 'n': return "not set";
	}
	return "unknown (no kernel config readable)";
}

static int kernel_driver(struct ctx *c, const char *subject, const char *bus, const char *drv,
			 const char *option, char cfg, bool present)
{
	struct vs_strbuf fix = VS_STRBUF_INIT;
	int r = 0;

	if (present)
		return 0;
	if (cfg == 'n') {
		vs_strbuf_addf(&fix, "build a kernel with %s=m (Debian: rebuild its source package with the option set)",
			       option);
		r = add_finding(c->out, strcmp(drv, "vfio-platform") == 0 ? "ARM_NO_VFIO_PLATFORM" :
				strcmp(drv, "vfio-amba") == 0 ? "ARM_NO_VFIO_AMBA" : "ARM_NO_VFIO_FSL_MC",
				VS_ARM_BLOCK, subject, vs_strbuf_cstr(&fix),
				"The kernel %s is built without %s (%s): there is no %s driver, so binding would leave the device with no driver at all. Debian's arm64 kernels (bookworm 6.1, bookworm-backports, trixie 6.12) ship without CONFIG_VFIO_PLATFORM and CONFIG_VFIO_NOIOMMU.",
				c->k.release ? c->k.release : "(unknown release)", option,
				c->k.config_source, drv);
	} else if (cfg == 'm') {
		vs_strbuf_addf(&fix, "modprobe %s", drv);
		r = add_finding(c->out, strcmp(drv, "vfio-platform") == 0 ? "ARM_NO_VFIO_PLATFORM" :
				strcmp(drv, "vfio-amba") == 0 ? "ARM_NO_VFIO_AMBA" : "ARM_NO_VFIO_FSL_MC",
				VS_ARM_WARN, subject, vs_strbuf_cstr(&fix),
				"%s is a module (%s=m) that is not loaded: sys/bus/%s/drivers/%s does not exist yet.",
				drv, option, bus, drv);
	} else {
		vs_strbuf_addf(&fix, "modprobe %s; if that fails, the kernel lacks %s", drv, option);
		r = add_finding(c->out, strcmp(drv, "vfio-platform") == 0 ? "ARM_NO_VFIO_PLATFORM" :
				strcmp(drv, "vfio-amba") == 0 ? "ARM_NO_VFIO_AMBA" : "ARM_NO_VFIO_FSL_MC",
				VS_ARM_WARN, subject, vs_strbuf_cstr(&fix),
				"No %s driver is registered (sys/bus/%s/drivers/%s is missing) and %s is %s; Debian's arm64 kernels ship without CONFIG_VFIO_PLATFORM.",
				drv, bus, drv, option, cfg_words(cfg));
	}
	vs_strbuf_release(&fix);
	return r;
}

static bool in_list(const struct vs_device *const *devs, size_t n, const struct vs_device *d)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (devs[i] == d)
			return true;
	return false;
}

const struct vs_dt_node *vs_dt_node_for_device(const struct vs_dt *dt,
					       const struct vs_device *dev)
{
	const struct vs_dt_node *n = NULL;

	if (!dt || !dev || (dev->bus != VS_BUS_PLATFORM && dev->bus != VS_BUS_AMBA))
		return NULL;
	if (dev->plat && dev->plat->of_node)
		n = vs_dt_find_path(dt, dev->plat->of_node);
	if (!n)
		n = vs_dt_find_devname(dt, dev->name);
	return n;
}

static int check_group(struct ctx *c, const struct vs_device *dev,
		       const struct vs_device *const *devs, size_t n)
{
	const struct vs_group *g = vs_device_group(c->topo, dev);
	struct vs_strbuf others = VS_STRBUF_INIT;
	size_t i, cnt = 0;
	int r = 0;

	if (!g)
		return 0;
	for (i = 0; i < g->n_members; i++) {
		if (g->members[i] == dev || in_list(devs, n, g->members[i]))
			continue;
		vs_strbuf_addf(&others, "%s%s", cnt++ ? ", " : "", g->members[i]->name);
	}
	if (cnt)
		r = add_finding(c->out, "ARM_GROUP_SHARED", VS_ARM_WARN, dev->name,
				"pass them together (every member bound to its vfio driver), or remove `iommus` from the others in the host device tree (seed 001 did so for usdhc1-3, sata and usbotg3)",
				"%s is in IOMMU group %d with %s (the SMMU gives devices that share a stream ID one group): all of them must be bound to vfio drivers and go to the same VM.",
				dev->name, g->id, vs_strbuf_cstr(&others));
	vs_strbuf_release(&others);
	return r;
}

static bool same_iommus(const struct vs_dt_ref *a, const struct vs_dt_ref *b)
{
	return a->target == b->target && a->n_args == b->n_args &&
	       (!a->n_args || memcmp(a->args, b->args, a->n_args * sizeof(*a->args)) == 0);
}

/* Stream IDs from the DT, for devices the kernel gave no group (yet). */
static int check_stream_ids(struct ctx *c, const struct vs_device *dev, const struct vs_dt_node *node)
{
	struct vs_strbuf others = VS_STRBUF_INIT;
	const struct vs_dt_node *o;
	size_t i, j, k, cnt = 0;
	int r = 0;

	for (i = 0; i < node->n_refs; i++) {
		if (strcmp(node->refs[i].prop, "iommus") != 0)
			continue;
		for (j = 0; j < c->dt->n_nodes; j++) {
			o = c->dt->nodes[j];
			if (o == node || !o->enabled)
				continue;
			for (k = 0; k < o->n_refs; k++)
				if (strcmp(o->refs[k].prop, "iommus") == 0 &&
				    same_iommus(&node->refs[i], &o->refs[k]))
					break;
			if (k < o->n_refs)
				vs_strbuf_addf(&others, "%s%s", cnt++ ? ", " : "", o->label ? o->label : o->path);
		}
		break;
	}
	if (cnt)
		r = add_finding(c->out, "ARM_STREAM_ID_SHARED", VS_ARM_WARN, dev->name,
				"pass them together, or delete `iommus` from the others in the host device tree",
				"%s's `iommus` names the same IOMMU and stream ID as %s: an SMMUv2 puts them in one IOMMU group, so they go together.",
				dev->name, vs_strbuf_cstr(&others));
	vs_strbuf_release(&others);
	return r;
}

static bool has_reset_handler(const struct vs_dt_node *node, const struct vs_device *dev)
{
	static const char *const handlers[] = {
		"calxeda,hb-xgmac", "amd,xgbe-seattle-v1a", "brcm,iproc-flexrm-mbox",
	};
	size_t i;

	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (node && vs_dt_is_compatible(node, handlers[i]))
			return true;
		if (!node && dev->plat && vs_streq(dev->plat->compatible, handlers[i]))
			return true;
	}
	return false;
}

static int check_reset(struct ctx *c, const struct vs_device *dev, const struct vs_dt_node *node)
{
	const char *compat = node && node->n_compatible ? node->compatible[0] :
		dev->plat ? dev->plat->compatible : NULL;
	char *line = NULL;
	int r;

	if (has_reset_handler(node, dev))
		return 0;
	if (c->k.reset_required == VS_YES)
		return add_finding(c->out, "ARM_RESET_REQUIRED", VS_ARM_BLOCK, dev->name,
				   "load vfio-platform with reset_required=0 (`modprobe vfio-platform reset_required=0`, or vfio_platform.reset_required=0 on the kernel command line when it is built in); the device is then not reset between users",
				   "vfio-platform has no reset handler for \"%s\" (it has them only for calxeda,hb-xgmac, amd,xgbe-seattle-v1a and brcm,iproc-flexrm-mbox) and vfio_platform.reset_required is on: the probe fails with `No reset function found for device %s`.",
				   compat ? compat : "(no compatible)", dev->name);
	if (!c->klog_read) {
		c->klog = read_kmsg(c->topo->root->fd);
		c->klog_read = true;
	}
	if (c->klog)
		line = probe_enoent_line(c->klog, dev->name);
	if (!line && !c->k.debian_61 &&
	    !(vs_streq(dev->driver_override, "vfio-platform") && !dev->driver))
		return 0;
	if (line || (vs_streq(dev->driver_override, "vfio-platform") && !dev->driver && c->k.debian_61))
		r = add_finding(c->out, "ARM_RESET_BUG_DEBIAN61", VS_ARM_BLOCK, dev->name,
				"use a kernel with the upstream fix \"vfio: platform: ignore missing reset if disabled at module init\" (or apply it to the Debian source)",
				"The symptoms match the missing-reset bug: reset_required=0 is set, yet %s. In Debian's 6.1 source (checked: 6.1.192) vfio-platform returns the missing-reset error anyway, so the probe fails with error -2 (ENOENT) and the device stays without a driver.",
				line ? line : "the device has driver_override=vfio-platform and no driver after the bind");
	else if (c->k.debian_61)
		r = add_finding(c->out, "ARM_RESET_BUG_DEBIAN61", VS_ARM_WARN, dev->name,
				"use a kernel with the upstream fix \"vfio: platform: ignore missing reset if disabled at module init\"",
				"This is a Debian 6.1 kernel: in its source (checked: 6.1.192) vfio-platform fails the probe with error -2 for a device without a reset handler even with reset_required=0; expect %s to stay without a driver after the bind.",
				dev->name);
	else
		r = 0;
	free(line);
	return r;
}

static int check_noiommu(struct ctx *c, const struct vs_device *dev)
{
	int r;

	r = add_finding(c->out, "ARM_NOIOMMU", VS_ARM_BLOCK, dev->name,
			"give the device an IOMMU (an `iommus` property in the host device tree, as seed 001 did); for a test without a VM only: echo 1 > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode",
			"%s has no IOMMU group: VFIO can take it only in no-IOMMU mode, which taints the kernel and gives no isolation (the device can reach all memory), and QEMU 7.2 refused no-IOMMU groups in our tests (`failed to setup container for group N: ... No such device`).",
			dev->name);
	if (r < 0)
		return r;
	if (c->k.cfg_vfio_noiommu == 'n')
		return add_finding(c->out, "ARM_NOIOMMU_UNAVAILABLE", VS_ARM_BLOCK, dev->name,
				   "build a kernel with CONFIG_VFIO_NOIOMMU=y, or give the device an IOMMU",
				   "The kernel is built without CONFIG_VFIO_NOIOMMU (%s): vfio-platform cannot register %s at all without an IOMMU group.",
				   c->k.config_source, dev->name);
	if (c->k.noiommu_param == VS_NO)
		return add_finding(c->out, "ARM_NOIOMMU_UNAVAILABLE", VS_ARM_WARN, dev->name,
				   "echo 1 > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode (taints the kernel)",
				   "vfio's enable_unsafe_noiommu_mode is off: binding %s to vfio-platform fails until it is on.",
				   dev->name);
	return 0;
}

static int check_msi(struct ctx *c, const struct vs_device *dev, const struct vs_dt_node *node)
{
	const struct vs_dt_node *m = node->msi_parent;
	bool allowed = c->k.allow_unsafe_interrupts == VS_YES;
	const char *fix = "vfio_iommu_type1.allow_unsafe_interrupts=1 on the kernel command line (or `options vfio_iommu_type1 allow_unsafe_interrupts=1` in /etc/modprobe.d)";

	if (m && vs_dt_is_compatible(m, "arm,gic-v3-its"))
		return add_finding(c->out, "ARM_MSI_ITS", VS_ARM_INFO, dev->name, NULL,
				   "%s's MSIs go to the GICv3 ITS %s, which isolates them: no allow_unsafe_interrupts needed.",
				   dev->name, m->path);
	if (m && vs_dt_is_compatible(m, "arm,gic-v2m-frame"))
		return add_finding(c->out, "ARM_MSI_UNSAFE", allowed ? VS_ARM_INFO : VS_ARM_BLOCK,
				   dev->name, allowed ? NULL : fix,
				   "%s's MSIs go to the GICv2m frame %s, which does not isolate them: vfio_iommu_type1 refuses the group (`No interrupt remapping support`) unless allow_unsafe_interrupts=1%s.",
				   dev->name, m->path, allowed ? ", which is set" : "");
	if (dev->iommu_group < 0)
		return 0;	/* no type1 container in no-IOMMU mode */
	return add_finding(c->out, "ARM_MSI_UNSAFE", allowed ? VS_ARM_INFO : VS_ARM_WARN, dev->name,
			   allowed ? NULL : fix,
			   "%s has no MSI controller (no msi-parent): the kernel checks MSI isolation per device and finds none, so vfio_iommu_type1 refuses to attach the group (`No interrupt remapping support`) unless allow_unsafe_interrupts=1%s.",
			   dev->name, allowed ? ", which is set" : "");
}

static int check_host_dt(struct ctx *c, const struct vs_device *dev, const struct vs_dt_node *node)
{
	static const char *const props[] = {
		"power-domains", "clocks", "clock-names", "assigned-clocks",
		"assigned-clock-rates", "pinctrl-0",
	};
	struct vs_strbuf have = VS_STRBUF_INIT;
	bool scu = false;
	size_t i, cnt = 0;
	int r = 0;

	for (i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		if (vs_dt_prop(node, props[i]))
			vs_strbuf_addf(&have, "%s%s", cnt++ ? ", " : "", props[i]);
	for (i = 0; i < c->dt->n_nodes && !scu; i++)
		scu = vs_dt_is_compatible(c->dt->nodes[i], "fsl,imx-scu");
	if (cnt)
		r = add_finding(c->out, "ARM_HOST_DT_KEEPS", VS_ARM_WARN, dev->name,
				"in the host tree delete these properties from the node and give it a placeholder compatible (seed 001: \"fsl,dummy\"); describe them in the guest tree instead (vfioscope guest-dt)",
				"The host tree gives %s %s: the host keeps these resources (vfio-platform switches no clock or power domain on, the host may turn them off as unused)%s.",
				dev->name, vs_strbuf_cstr(&have),
				scu ? ", and on i.MX 8 U-Boot's `scu_rm` removes a node that still lists them when its resource is handed to the guest's partition" : "");
	vs_strbuf_release(&have);
	if (r == 0 && dev->driver && strncmp(dev->driver, "vfio", 4) != 0)
		r = add_finding(c->out, "ARM_HOST_DRIVER", VS_ARM_INFO, dev->name,
				"bind unbinds it now; to keep the host off it at boot, give the node a placeholder compatible in the host tree",
				"%s is bound to the host driver %s, which claims it again at every boot (compatible \"%s\").",
				dev->name, dev->driver, node->n_compatible ? node->compatible[0] : "");
	return r;
}

static int check_closure(struct ctx *c, const struct vs_device *const *devs, size_t n,
			 const struct vs_dt_node *const *nodes, size_t nn)
{
	struct vs_err err = VS_ERR_INIT;
	struct vs_dt_closure *cl;
	const struct vs_dt_dep *d;
	char *dn, *rn;
	size_t i;
	int r;

	(void)devs;
	(void)n;
	r = vs_dt_closure(c->dt, nodes, nn, &cl, &err);
	vs_err_release(&err);
	if (r < 0)
		return r;
	for (i = 0; r == 0 && i < cl->n_deps; i++) {
		d = &cl->deps[i];
		dn = vs_dt_devname(d->node);
		if (d->role == VS_DT_ROLE_PASS_TOO) {
			struct vs_strbuf fix = VS_STRBUF_INIT;

			vs_strbuf_addf(&fix, "pass %s too (vfio-platform), before the device that needs it in -device order if you follow seed 001",
				       dn ? dn : d->node->path);
			r = add_finding(c->out, "ARM_DEP_PASS_TOO", VS_ARM_WARN, dn ? dn : d->node->path,
					vs_strbuf_cstr(&fix),
					"%s needs %s (through `%s`), a device with its own registers that nothing else on the host uses: the guest cannot reach it unless it is passed too (seed 001 passed enet0_lpcg with fec1).",
					d->from ? d->from->path : "?", d->node->path,
					d->prop ? d->prop : "its subtree");
			vs_strbuf_release(&fix);
		} else if (d->role == VS_DT_ROLE_HOST_SHARED) {
			rn = d->replacement ? vs_dt_devname(d->replacement) : NULL;
			if (d->replacement)
				r = add_finding(c->out, "ARM_DEP_HOST_SHARED", VS_ARM_INFO,
						dn ? dn : d->node->path,
						"hand the passed one to the guest's partition (i.MX 8: list it in the partition's rsrcs and run U-Boot's `scu_rm`); guest-dt points the guest's users at it",
						"%s (%s of %s) is the host's own and stays with the host (%s uses it too); the passed %s takes its place in the guest.",
						d->node->path, d->prop ? d->prop : "container", d->from ? d->from->path : "?",
						d->host_user ? d->host_user->path : "?", rn ? rn : d->replacement->path);
			else
				r = add_finding(c->out, "ARM_DEP_HOST_SHARED", VS_ARM_WARN,
						dn ? dn : d->node->path,
						"keep it configured for the device on the host (e.g. clk_ignore_unused pd_ignore_unused on the host's command line), or pass a free instance of the same block",
						"%s (%s of %s) stays with the host, which uses it too (%s): the guest cannot control it, and guest-dt drops the properties that point at it.",
						d->node->path, d->prop ? d->prop : "container", d->from ? d->from->path : "?",
						d->host_user ? d->host_user->path : "?");
			free(rn);
		}
		free(dn);
	}
	for (i = 0; r == 0 && i < cl->n_users; i++)
		r = add_finding(c->out, "ARM_USED_BY_HOST", VS_ARM_WARN,
				cl->users[i].device ? cl->users[i].device->path : "",
				"disable that node in the host tree (seed 001 disabled fec2) or pass it as well",
				"The host node %s uses %s through `%s`: passing the device takes it away from that node (seed 001: fec2's PHY sits on fec1's MDIO bus).",
				cl->users[i].node->path,
				cl->users[i].device ? cl->users[i].device->path : "the device",
				cl->users[i].prop);
	vs_dt_closure_free(cl);
	return r;
}

static int check_fslmc(struct ctx *c, const struct vs_device *dev)
{
	struct vs_strbuf objs = VS_STRBUF_INIT, fix = VS_STRBUF_INIT;
	size_t i;
	int r;

	if (!dev->mc || !vs_streq(dev->mc->obj_type, "dprc")) {
		const struct vs_device *cont = dev->mc ? dev->mc->container : NULL;

		vs_strbuf_addf(&fix, "pass the container instead: -device vfio-fsl-mc,host=%s",
			       cont ? cont->name : "dprc.N");
		r = add_finding(c->out, "ARM_FSLMC_CONTAINER", VS_ARM_BLOCK, dev->name,
				vs_strbuf_cstr(&fix),
				"%s is an object inside %s: vfio-fsl-mc takes whole DPRC containers, and every object of a container shares its IOMMU group.",
				dev->name, cont ? cont->name : "a container");
		vs_strbuf_release(&fix);
		return r;
	}
	if (!dev->mc->container)
		return add_finding(c->out, "ARM_FSLMC_CONTAINER", VS_ARM_BLOCK, dev->name,
				   "make a child container with restool (with DPRC_CFG_OPT_IRQ_CFG_ALLOWED) and pass that",
				   "%s is the root container: it holds the host's own DPAA2 objects.", dev->name);
	for (i = 0; i < dev->n_children; i++)
		vs_strbuf_addf(&objs, "%s%s", i ? ", " : "", dev->children[i]->name);
	vs_strbuf_addf(&fix, "QEMU (NXP's patched build): -device vfio-fsl-mc,host=%s", dev->name);
	r = add_finding(c->out, "ARM_FSLMC_CONTAINER", VS_ARM_INFO, dev->name,
			vs_strbuf_cstr(&fix),
			"%s goes as a whole%s%s%s: vfio-fsl-mc binds its objects itself. It must have been created with DPRC_CFG_OPT_IRQ_CFG_ALLOWED so the MC firmware can route its interrupts to a VM (seed 000); mainline QEMU has no vfio-fsl-mc device, and the kernel driver is deprecated in 6.18.",
			dev->name, objs.len ? " with " : "", vs_strbuf_cstr(&objs),
			dev->iommu_group >= 0 ? " (one IOMMU group)" : "");
	vs_strbuf_release(&objs);
	vs_strbuf_release(&fix);
	return r;
}

int vs_arm_check(const struct vs_topology *topo, const struct vs_dt *dt,
		 const struct vs_device *const *devs, size_t n,
		 struct vs_arm_findings *out, struct vs_err *err)
{
	struct ctx c = { .topo = topo, .dt = dt, .out = out };
	const struct vs_dt_node **nodes = NULL, *node;
	bool plat = false, amba = false, mc = false;
	size_t i, nn = 0;
	int r;

	r = vs_arm_kernel_read(topo->root, &c.k);
	for (i = 0; i < n; i++) {
		plat |= devs[i]->bus == VS_BUS_PLATFORM;
		amba |= devs[i]->bus == VS_BUS_AMBA;
		mc |= devs[i]->bus == VS_BUS_FSL_MC;
	}
	if (r == 0 && plat)
		r = kernel_driver(&c, "kernel", "platform", "vfio-platform", "CONFIG_VFIO_PLATFORM",
				  c.k.cfg_vfio_platform, c.k.drv_vfio_platform);
	if (r == 0 && amba)
		r = kernel_driver(&c, "kernel", "amba", "vfio-amba", "CONFIG_VFIO_AMBA",
				  c.k.cfg_vfio_amba, c.k.drv_vfio_amba);
	if (r == 0 && mc)
		r = kernel_driver(&c, "kernel", "fsl-mc", "vfio-fsl-mc", "CONFIG_VFIO_FSL_MC",
				  c.k.cfg_vfio_fsl_mc, c.k.drv_vfio_fsl_mc);
	nodes = calloc(n ? n : 1, sizeof(*nodes));
	if (!nodes)
		r = -ENOMEM;
	for (i = 0; r == 0 && i < n; i++) {
		if (devs[i]->bus == VS_BUS_PCI)
			continue;
		if (devs[i]->bus == VS_BUS_FSL_MC) {
			r = check_fslmc(&c, devs[i]);
			continue;
		}
		if (devs[i]->iommu_group < 0)
			r = check_noiommu(&c, devs[i]);
		else
			r = check_group(&c, devs[i], devs, n);
		node = vs_dt_node_for_device(dt, devs[i]);
		if (r == 0)
			r = check_reset(&c, devs[i], node);
		if (!node)
			continue;
		nodes[nn++] = node;
		if (r == 0 && devs[i]->iommu_group < 0)
			r = check_stream_ids(&c, devs[i], node);
		if (r == 0)
			r = check_msi(&c, devs[i], node);
		if (r == 0)
			r = check_host_dt(&c, devs[i], node);
	}
	if (r == 0 && nn)
		r = check_closure(&c, devs, n, nodes, nn);
	free(nodes);
	free(c.klog);
	vs_arm_kernel_release(&c.k);
	if (r < 0)
		return vs_err_set(err, r, "out of memory");
	return 0;
}

int vs_arm_check_system(const struct vs_topology *topo, const struct vs_dt *dt,
			struct vs_arm_findings *out, struct vs_err *err)
{
	struct ctx c = { .topo = topo, .dt = dt, .out = out };
	const struct vs_dt_node *its = NULL, *v2m = NULL;
	size_t i, plat = 0, nogroup = 0, mc = 0;
	int r;

	r = vs_arm_kernel_read(topo->root, &c.k);
	for (i = 0; i < topo->n_devices; i++) {
		if (topo->devices[i]->bus == VS_BUS_PLATFORM || topo->devices[i]->bus == VS_BUS_AMBA) {
			plat++;
			nogroup += topo->devices[i]->iommu_group < 0;
		}
		mc += topo->devices[i]->bus == VS_BUS_FSL_MC;
	}
	/* vfio-platform exists for ARM only: without a device tree it is no finding. */
	if (!dt)
		plat = nogroup = 0;
	if (r == 0 && plat)
		r = kernel_driver(&c, "kernel", "platform", "vfio-platform", "CONFIG_VFIO_PLATFORM",
				  c.k.cfg_vfio_platform, c.k.drv_vfio_platform);
	if (r == 0 && mc)
		r = kernel_driver(&c, "kernel", "fsl-mc", "vfio-fsl-mc", "CONFIG_VFIO_FSL_MC",
				  c.k.cfg_vfio_fsl_mc, c.k.drv_vfio_fsl_mc);
	if (r == 0 && nogroup)
		r = add_finding(out, "ARM_NOIOMMU", VS_ARM_INFO, "", NULL,
				"%zu of %zu platform/AMBA devices have no IOMMU group: they can go to VFIO only in no-IOMMU mode (kernel taint, no isolation, not for VMs).",
				nogroup, plat);
	for (i = 0; dt && i < dt->n_nodes; i++) {
		if (!its && vs_dt_is_compatible(dt->nodes[i], "arm,gic-v3-its"))
			its = dt->nodes[i];
		if (!v2m && vs_dt_is_compatible(dt->nodes[i], "arm,gic-v2m-frame"))
			v2m = dt->nodes[i];
	}
	if (r == 0 && its)
		r = add_finding(out, "ARM_MSI_ITS", VS_ARM_INFO, its->path, NULL,
				"The MSI controller is a GICv3 ITS (%s): it isolates MSIs, so devices that use it need no allow_unsafe_interrupts.",
				its->path);
	else if (r == 0 && v2m)
		r = add_finding(out, "ARM_MSI_UNSAFE",
				c.k.allow_unsafe_interrupts == VS_YES ? VS_ARM_INFO : VS_ARM_WARN, v2m->path,
				c.k.allow_unsafe_interrupts == VS_YES ? NULL :
				"vfio_iommu_type1.allow_unsafe_interrupts=1 on the kernel command line",
				"The MSI controller is a GICv2m frame (%s): it does not isolate MSIs, so VFIO needs vfio_iommu_type1.allow_unsafe_interrupts=1 for devices that use it (seed 004)%s.",
				v2m->path, c.k.allow_unsafe_interrupts == VS_YES ? "; it is set" : "");
	vs_arm_kernel_release(&c.k);
	if (r < 0)
		return vs_err_set(err, r, "out of memory");
	return 0;
}
