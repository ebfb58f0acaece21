// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A fake kernel for fixture roots, after libvirt's tests/virpcimock.c: an
 * LD_PRELOAD library that gives writes to sysfs attributes under
 * $FAKEKERNEL_ROOT/sys their kernel effect on the fixture tree.
 *
 *   DEV/driver_override          store the name; "" or "\n" clears it
 *   bus/B/drivers/D/unbind       remove DEV/driver and D/DEV (ENODEV if not on D)
 *   DEV/driver/unbind            the same (the link resolves to it)
 *   bus/B/drivers/D/bind         bind if D matches (override, else the native
 *                                driver), ENODEV otherwise, EBUSY when bound
 *   bus/B/drivers_probe          bind the override's driver when its directory
 *                                exists, else the native driver from
 *                                .fakekernel/B/DEV/native unless the override
 *                                names another; success even if nothing binds
 *
 * Binding a vfio driver needs an IOMMU group (or vfio's no-IOMMU mode) and
 * creates dev/vfio/N; vfio-pci refuses header types other than 0 and a PF
 * with VFs enabled, as the real one does. While a process holds
 * dev/vfio/N (a proc/PID/fd link), unbinding vfio from a member blocks and
 * probing a member fails with EINVAL, as on the real kernel. An fsl-mc dprc
 * bound to vfio-fsl-mc takes its objects along.
 *
 * Writes are recognised by the path of the descriptor (/proc/self/fd), so
 * descriptors dup'ed by a shell's redirection work too. Opens of files
 * under $FAKEKERNEL_ROOT/sys lose O_TRUNC, which sysfs ignores (a shell's
 * ">" would otherwise empty the fixture's file before a write that fails).
 * Everything else passes through. Writes through stdio (fwrite, coreutils'
 * printf) bypass any preload: drive the fake kernel with write(2).
 *
 * Fault injection: FAKEKERNEL_FAULTS="OP:KIND[:WHEN],..." with OP one of
 * override, unbind, bind, probe, any; KIND an errno name (EBUSY, ENODEV,
 * EINVAL, EACCES, EIO, EPERM, ENOENT), nobind (success, nothing happens),
 * vanish (the device disappears, ENODEV), block (sleep
 * $FAKEKERNEL_BLOCK_SECONDS, default 30, then act), kill (act, then SIGKILL
 * the process that loaded the library: a write made in a forked child kills
 * its parent too); WHEN the Nth write of that OP (default 1, fires once) or
 * "always". Counts persist in $FAKEKERNEL_ROOT/.fakekernel/faultcount so
 * that they span processes (writes made in forked children), and start again
 * when FAKEKERNEL_FAULTS changes.
 */
#define _GNU_SOURCE 1

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum op { OP_NONE, OP_OVERRIDE, OP_UNBIND, OP_BIND, OP_PROBE };
static const char *const op_names[] = { "none", "override", "unbind", "bind", "probe" };

static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static char root_real[PATH_MAX];
static pid_t loader_pid;
static __thread int busy;

__attribute__((constructor)) static void fk_init(void)
{
	const char *root = getenv("FAKEKERNEL_ROOT");

	real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	real_open64 = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open64");
	real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	real_openat64 = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat64");
	loader_pid = getpid();
	if (!root || !realpath(root, root_real))
		root_real[0] = '\0';
}

/* ---- small file helpers (never through the interposed write) --------------- */

static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *pathf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* First line of a small file, without its newline; NULL when unreadable. */
static char *read_line(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

static int write_file(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = real_write(fd, s, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static char *link_base(const char *path)
{
	char buf[PATH_MAX], *slash;
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	return strdup(slash ? slash + 1 : buf);
}

/* A relative symlink at @at pointing to the absolute @target, as sysfs has. */
static int make_rel_link(const char *target, const char *at)
{
	char dir[PATH_MAX], rel[PATH_MAX * 2] = "";
	const char *t = target, *d;
	size_t common = 0, i;
	char *slash;
	int r;

	snprintf(dir, sizeof(dir), "%s", at);
	slash = strrchr(dir, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	/* longest common directory prefix */
	for (i = 0; dir[i] && dir[i] == target[i]; i++)
		if (dir[i] == '/')
			common = i;
	if (!dir[i] && (target[i] == '/' || !target[i]))
		common = i;
	d = dir + common;
	t = target + common;
	for (; *d; d++)
		if (*d == '/')
			strcat(rel, "../");
	if (*t == '/')
		t++;
	strcat(rel, t);
	unlink(at);
	r = symlink(rel, at);
	return r < 0 ? -errno : 0;
}

/* ---- the fixture's devices ------------------------------------------------ */

static char *dev_dir(const char *bus, const char *name)
{
	char *p = pathf("%s/sys/bus/%s/devices/%s", root_real, bus, name), *real;

	if (!p)
		return NULL;
	real = realpath(p, NULL);
	free(p);
	return real;
}

static char *dev_driver(const char *devdir)
{
	char *p = pathf("%s/driver", devdir), *d;

	d = p ? link_base(p) : NULL;
	free(p);
	return d;
}

static char *dev_override(const char *devdir)
{
	char *p = pathf("%s/driver_override", devdir), *o;

	o = p ? read_line(p) : NULL;
	free(p);
	if (o && (!strcmp(o, "(null)") || !*o)) {
		free(o);
		o = NULL;
	}
	return o;
}

static int dev_group(const char *devdir)
{
	char *p = pathf("%s/iommu_group", devdir), *g;
	int n = -1;

	g = p ? link_base(p) : NULL;
	if (g)
		n = atoi(g);
	free(g);
	free(p);
	return n;
}

static bool is_vfio(const char *drv)
{
	return drv && strstr(drv, "vfio");
}

static bool driver_exists(const char *bus, const char *drv)
{
	char *p = pathf("%s/sys/bus/%s/drivers/%s", root_real, bus, drv);
	bool ok = p && exists(p);

	free(p);
	return ok;
}

/* Some process has dev/vfio/N open (a proc/PID/fd/M link to /dev/vfio/N). */
static bool group_held(int group)
{
	char *procdir = pathf("%s/proc", root_real), want[64];
	struct dirent *pe, *fe;
	bool held = false;
	DIR *pd, *fd;

	snprintf(want, sizeof(want), "/dev/vfio/%d", group);
	pd = procdir ? opendir(procdir) : NULL;
	while (pd && !held && (pe = readdir(pd))) {
		char *fdd = pathf("%s/%s/fd", procdir, pe->d_name);

		fd = fdd ? opendir(fdd) : NULL;
		while (fd && !held && (fe = readdir(fd))) {
			char *l = pathf("%s/%s", fdd, fe->d_name), buf[PATH_MAX];
			ssize_t n = l ? readlink(l, buf, sizeof(buf) - 1) : -1;

			if (n > 0) {
				buf[n] = '\0';
				held = strcmp(buf, want) == 0;
			}
			free(l);
		}
		if (fd)
			closedir(fd);
		free(fdd);
	}
	if (pd)
		closedir(pd);
	free(procdir);
	return held;
}

/* Another member of the group is still on a vfio driver. */
static bool group_has_vfio(int group, const char *except)
{
	char *gd = pathf("%s/sys/kernel/iommu_groups/%d/devices", root_real, group);
	struct dirent *de;
	bool any = false;
	DIR *d;

	d = gd ? opendir(gd) : NULL;
	while (d && !any && (de = readdir(d))) {
		char *l, *drv;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, except))
			continue;
		l = pathf("%s/%s/driver", gd, de->d_name);
		drv = l ? link_base(l) : NULL;
		any = is_vfio(drv);
		free(drv);
		free(l);
	}
	if (d)
		closedir(d);
	free(gd);
	return any;
}

static bool noiommu_enabled(void)
{
	char *p = pathf("%s/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", root_real);
	char *v = p ? read_line(p) : NULL;
	bool on = v && (v[0] == 'Y' || v[0] == '1');

	free(v);
	free(p);
	return on;
}

static int vfio_pci_accepts(const char *devdir)
{
	char *p = pathf("%s/config", devdir), *nv;
	unsigned char hdr = 0;
	int fd, numvfs = 0;

	fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -1;
	if (fd >= 0 && pread(fd, &hdr, 1, 0x0e) == 1 && (hdr & 0x7f) != 0) {
		close(fd);
		free(p);
		return -EINVAL;		/* vfio_pci_probe: not a normal header */
	}
	if (fd >= 0)
		close(fd);
	free(p);
	p = pathf("%s/sriov_numvfs", devdir);
	nv = p ? read_line(p) : NULL;
	if (nv)
		numvfs = atoi(nv);
	free(nv);
	free(p);
	return numvfs > 0 ? -EBUSY : 0;	/* "Cannot bind to PF with SR-IOV enabled" */
}

static int bind_dev(const char *bus, const char *name, const char *drv);
static int unbind_dev(const char *bus, const char *name, const char *expect);
static int probe_dev(const char *bus, const char *name);

/* fsl-mc: the objects of a dprc follow it to vfio-fsl-mc and back. */
static void fslmc_children(const char *devdir, const char *drv, bool bound)
{
	struct dirent *de;
	DIR *d = opendir(devdir);

	while (d && (de = readdir(d))) {
		char *child, *cdir;

		if (de->d_name[0] == '.')
			continue;
		cdir = dev_dir("fsl-mc", de->d_name);
		child = pathf("%s/%s", devdir, de->d_name);
		if (cdir && child && !strcmp(cdir, child)) {
			char *ov = pathf("%s/driver_override", cdir);

			if (bound && !strcmp(drv, "vfio-fsl-mc")) {
				if (ov)
					write_file(ov, "vfio-fsl-mc\n");
				bind_dev("fsl-mc", de->d_name, "vfio-fsl-mc");
			} else if (bound) {
				if (ov)
					write_file(ov, "(null)\n");
				probe_dev("fsl-mc", de->d_name);
			} else {
				char *cur = dev_driver(cdir);

				if (cur)
					unbind_dev("fsl-mc", de->d_name, cur);
				free(cur);
			}
			free(ov);
		}
		free(cdir);
		free(child);
	}
	if (d)
		closedir(d);
}

static int bind_dev(const char *bus, const char *name, const char *drv)
{
	char *devdir = dev_dir(bus, name), *cur = NULL, *drvdir = NULL, *l = NULL;
	int group, r = 0;

	if (!devdir)
		return -ENODEV;
	cur = dev_driver(devdir);
	drvdir = pathf("%s/sys/bus/%s/drivers/%s", root_real, bus, drv);
	group = dev_group(devdir);
	if (cur)
		r = -EBUSY;
	else if (!drvdir || !exists(drvdir))
		r = -ENODEV;
	else if (is_vfio(drv) && group < 0 && !noiommu_enabled())
		r = -EINVAL;		/* vfio_group_find_or_alloc: no group */
	else if (!strcmp(bus, "pci") && !strcmp(drv, "vfio-pci"))
		r = vfio_pci_accepts(devdir);
	if (r == 0 && !is_vfio(drv) && group >= 0 && group_held(group))
		r = -EINVAL;		/* the group's DMA is owned by a vfio user */
	if (r == 0) {
		l = pathf("%s/driver", devdir);
		r = l ? make_rel_link(drvdir, l) : -ENOMEM;
		free(l);
		l = pathf("%s/%s", drvdir, name);
		if (r == 0)
			r = l ? make_rel_link(devdir, l) : -ENOMEM;
	}
	if (r == 0 && is_vfio(drv) && group >= 0) {
		char *vdir = pathf("%s/dev/vfio", root_real), *node;
		int fd;

		if (vdir)
			mkdir(vdir, 0755);
		node = pathf("%s/dev/vfio/%d", root_real, group);
		fd = node ? open(node, O_WRONLY | O_CREAT | O_CLOEXEC, 0600) : -1;
		if (fd >= 0)
			close(fd);
		free(node);
		free(vdir);
	}
	if (r == 0 && !strcmp(bus, "fsl-mc") && !strncmp(name, "dprc.", 5))
		fslmc_children(devdir, drv, true);
	free(l);
	free(drvdir);
	free(cur);
	free(devdir);
	return r;
}

static int unbind_dev(const char *bus, const char *name, const char *expect)
{
	char *devdir = dev_dir(bus, name), *cur = NULL, *l = NULL;
	int group, r = 0;

	if (!devdir)
		return -ENODEV;
	cur = dev_driver(devdir);
	group = dev_group(devdir);
	if (!cur || (expect && strcmp(cur, expect)))
		r = -ENODEV;
	if (r == 0 && is_vfio(cur) && group >= 0) {
		/* vfio_unregister_group_dev waits for the user to let go */
		while (group_held(group))
			sleep(1);
	}
	if (r == 0) {
		l = pathf("%s/driver", devdir);
		if (l)
			unlink(l);
		free(l);
		l = pathf("%s/sys/bus/%s/drivers/%s/%s", root_real, bus, cur, name);
		if (l)
			unlink(l);
		if (!strcmp(bus, "fsl-mc") && !strncmp(name, "dprc.", 5))
			fslmc_children(devdir, cur, false);
	}
	if (r == 0 && is_vfio(cur) && group >= 0 && !group_has_vfio(group, name)) {
		char *node = pathf("%s/dev/vfio/%d", root_real, group);

		if (node)
			unlink(node);
		free(node);
	}
	free(l);
	free(cur);
	free(devdir);
	return r;
}

static char *native_driver(const char *bus, const char *name)
{
	char *p = pathf("%s/.fakekernel/%s/%s/native", root_real, bus, name), *n;

	n = p ? read_line(p) : NULL;
	free(p);
	if (n && !*n) {
		free(n);
		n = NULL;
	}
	return n;
}

/* Does @drv match the device: the override decides, else the native driver. */
static bool matches(const char *bus, const char *name, const char *devdir, const char *drv)
{
	char *ov = dev_override(devdir), *nat;
	bool m;

	if (ov) {
		m = !strcmp(ov, drv);
		free(ov);
		return m;
	}
	nat = native_driver(bus, name);
	m = nat && !strcmp(nat, drv);
	free(nat);
	return m;
}

static int probe_dev(const char *bus, const char *name)
{
	char *devdir = dev_dir(bus, name), *cur, *ov, *cand = NULL;
	int r = 0;

	if (!devdir)
		return -ENODEV;
	cur = dev_driver(devdir);
	if (cur) {
		free(cur);
		free(devdir);
		return 0;
	}
	ov = dev_override(devdir);
	if (ov && strcmp(ov, "none"))
		cand = strdup(ov);
	else if (!ov)
		cand = native_driver(bus, name);
	if (cand && driver_exists(bus, cand)) {
		r = bind_dev(bus, name, cand);
		/* a probe failure is not the write's failure: drivers_probe still
		 * succeeds, only a held group's EINVAL comes back */
		if (r != -EINVAL || is_vfio(cand))
			r = 0;
	}
	free(cand);
	free(ov);
	free(devdir);
	return r;
}

static int set_override(const char *devdir, const char *value)
{
	char *p = pathf("%s/driver_override", devdir), *v;
	size_t len = strlen(value);
	int r;

	if (!p)
		return -ENOMEM;
	if (len && value[len - 1] == '\n')
		len--;		/* the kernel drops one trailing newline; empty clears */
	v = len ? pathf("%.*s\n", (int)len, value) : strdup("(null)\n");
	r = v ? write_file(p, v) : -ENOMEM;
	free(v);
	free(p);
	return r;
}

/* ---- the vanishing device ------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void vanish(const char *bus, const char *name)
{
	char *devdir = dev_dir(bus, name), *p;
	char *drv;
	int group;

	if (!devdir)
		return;
	drv = dev_driver(devdir);
	group = dev_group(devdir);
	if (drv) {
		p = pathf("%s/sys/bus/%s/drivers/%s/%s", root_real, bus, drv, name);
		if (p)
			unlink(p);
		free(p);
	}
	if (group >= 0) {
		p = pathf("%s/sys/kernel/iommu_groups/%d/devices/%s", root_real, group, name);
		if (p)
			unlink(p);
		free(p);
	}
	p = pathf("%s/sys/bus/%s/devices/%s", root_real, bus, name);
	if (p)
		unlink(p);
	free(p);
	nftw(devdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(drv);
	free(devdir);
}

/* ---- faults --------------------------------------------------------------- */

enum fault_kind { F_NONE, F_ERRNO, F_NOBIND, F_VANISH, F_BLOCK, F_KILL };

struct fault {
	enum fault_kind kind;
	int err;
};

static const struct { const char *name; int err; } errnos[] = {
	{ "EBUSY", EBUSY }, { "ENODEV", ENODEV }, { "EINVAL", EINVAL }, { "EACCES", EACCES },
	{ "EIO", EIO }, { "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EAGAIN", EAGAIN },
};

/*
 * Count this write of @op (and of "any"); return the updated counts. The
 * counts belong to one FAKEKERNEL_FAULTS value: another value (or none)
 * starts from zero, so that a test's next command is not hit by the faults
 * of the one before.
 */
static void bump_counts(enum op op, const char *spec, long *n_op, long *n_any)
{
	char *p = pathf("%s/.fakekernel/faultcount", root_real), *out = NULL;
	long counts[5] = { 0 }, anyc = 0, v;
	char name[32], line[4096];
	bool same = false;
	FILE *f;
	int fd, i;

	*n_op = *n_any = 0;
	if (!p)
		return;
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(p);
	if (fd < 0)
		return;
	flock(fd, LOCK_EX);
	f = fdopen(dup(fd), "r");
	if (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		same = !strncmp(line, "spec ", 5) && !strcmp(line + 5, spec);
	}
	while (same && f && fscanf(f, "%31s %ld", name, &v) == 2) {
		for (i = 1; i < 5; i++)
			if (!strcmp(name, op_names[i]))
				counts[i] = v;
		if (!strcmp(name, "any"))
			anyc = v;
	}
	if (f)
		fclose(f);
	counts[op]++;
	anyc++;
	out = pathf("spec %s\noverride %ld\nunbind %ld\nbind %ld\nprobe %ld\nany %ld\n", spec,
		    counts[OP_OVERRIDE], counts[OP_UNBIND], counts[OP_BIND], counts[OP_PROBE], anyc);
	if (out && ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0)
		real_write(fd, out, strlen(out));
	free(out);
	flock(fd, LOCK_UN);
	close(fd);
	*n_op = counts[op];
	*n_any = anyc;
}

static struct fault fault_for(enum op op)
{
	struct fault f = { .kind = F_NONE, .err = 0 };
	const char *spec = getenv("FAKEKERNEL_FAULTS");
	char *copy, *item, *save = NULL;
	long n_op, n_any;

	if (!spec)
		spec = "";
	bump_counts(op, spec, &n_op, &n_any);
	if (!*spec)
		return f;
	copy = strdup(spec);
	for (item = copy ? strtok_r(copy, ", \t\n", &save) : NULL; item && f.kind == F_NONE;
	     item = strtok_r(NULL, ", \t\n", &save)) {
		char *opname = item, *kind = strchr(item, ':'), *when;
		long n, nth = 1;
		bool always = false;
		size_t i;

		if (!kind)
			continue;
		*kind++ = '\0';
		when = strchr(kind, ':');
		if (when) {
			*when++ = '\0';
			always = !strcmp(when, "always");
			nth = always ? 0 : atol(when);
		}
		if (!strcmp(opname, "any"))
			n = n_any;
		else if (!strcmp(opname, op_names[op]))
			n = n_op;
		else
			continue;
		if (!always && n != nth)
			continue;
		if (!strcmp(kind, "nobind"))
			f.kind = F_NOBIND;
		else if (!strcmp(kind, "vanish"))
			f.kind = F_VANISH;
		else if (!strcmp(kind, "block"))
			f.kind = F_BLOCK;
		else if (!strcmp(kind, "kill"))
			f.kind = F_KILL;
		for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
			if (!strcmp(kind, errnos[i].name)) {
				f.kind = F_ERRNO;
				f.err = errnos[i].err;
			}
		}
	}
	free(copy);
	return f;
}

static void kill_loader(void)
{
	if (getpid() != loader_pid)
		kill(loader_pid, SIGKILL);
	raise(SIGKILL);
}

/* ---- classification and the interposed write -------------------------------- */

struct target {
	enum op op;
	char bus[64];
	char drv[256];
	char devdir[PATH_MAX];
};

static bool classify(const char *path, struct target *t)
{
	size_t rl = strlen(root_real);
	const char *rest, *slash;
	char *dir, *sub;

	memset(t, 0, sizeof(*t));
	if (!rl || strncmp(path, root_real, rl) || path[rl] != '/')
		return false;
	rest = path + rl;
	if (!strncmp(rest, "/sys/devices/", 13) && (slash = strrchr(rest, '/')) &&
	    !strcmp(slash, "/driver_override")) {
		snprintf(t->devdir, sizeof(t->devdir), "%.*s", (int)(slash - path), path);
		dir = pathf("%s/subsystem", t->devdir);
		sub = dir ? link_base(dir) : NULL;
		free(dir);
		if (!sub)
			return false;
		snprintf(t->bus, sizeof(t->bus), "%s", sub);
		free(sub);
		t->op = OP_OVERRIDE;
		return true;
	}
	if (strncmp(rest, "/sys/bus/", 9))
		return false;
	rest += 9;
	slash = strchr(rest, '/');
	if (!slash || (size_t)(slash - rest) >= sizeof(t->bus))
		return false;
	snprintf(t->bus, sizeof(t->bus), "%.*s", (int)(slash - rest), rest);
	rest = slash;
	if (!strcmp(rest, "/drivers_probe")) {
		t->op = OP_PROBE;
		return true;
	}
	if (strncmp(rest, "/drivers/", 9))
		return false;
	rest += 9;
	slash = strchr(rest, '/');
	if (!slash || (size_t)(slash - rest) >= sizeof(t->drv))
		return false;
	snprintf(t->drv, sizeof(t->drv), "%.*s", (int)(slash - rest), rest);
	if (!strcmp(slash, "/unbind"))
		t->op = OP_UNBIND;
	else if (!strcmp(slash, "/bind"))
		t->op = OP_BIND;
	return t->op != OP_NONE;
}

static int act(struct target *t, const char *value)
{
	char *devdir;
	int r;

	switch (t->op) {
	case OP_OVERRIDE:
		return exists(t->devdir) ? set_override(t->devdir, value) : -ENODEV;
	case OP_UNBIND:
		return unbind_dev(t->bus, value, t->drv);
	case OP_PROBE:
		return probe_dev(t->bus, value);
	case OP_BIND:
		devdir = dev_dir(t->bus, value);
		if (!devdir)
			return -ENODEV;
		r = matches(t->bus, value, devdir, t->drv) ? bind_dev(t->bus, value, t->drv) : -ENODEV;
		free(devdir);
		return r;
	case OP_NONE:
		break;
	}
	return 0;
}

ssize_t write(int fd, const void *buf, size_t count)
{
	char link[64], path[PATH_MAX], *value, *name;
	struct target t;
	struct fault f;
	ssize_t n;
	int r;

	if (busy || !root_real[0] || !real_write)
		return real_write ? real_write(fd, buf, count) : -1;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return real_write(fd, buf, count);
	path[n] = '\0';
	if (!classify(path, &t))
		return real_write(fd, buf, count);

	busy = 1;
	value = strndup(buf, count);
	if (!value) {
		busy = 0;
		errno = ENOMEM;
		return -1;
	}
	/* device names: the kernel ignores one trailing newline (sysfs_streq) */
	if (t.op != OP_OVERRIDE && count && value[count - 1] == '\n')
		value[count - 1] = '\0';
	name = t.op == OP_OVERRIDE ? strrchr(t.devdir, '/') + 1 : value;
	f = fault_for(t.op);
	r = 0;
	switch (f.kind) {
	case F_ERRNO:
		r = -f.err;
		break;
	case F_NOBIND:
		break;
	case F_VANISH:
		vanish(t.bus, name);
		r = -ENODEV;
		break;
	case F_BLOCK: {
		const char *s = getenv("FAKEKERNEL_BLOCK_SECONDS");

		sleep(s ? (unsigned)atoi(s) : 30);
		r = act(&t, value);
		break;
	}
	case F_KILL:
		act(&t, value);
		kill_loader();
		break;
	case F_NONE:
		r = act(&t, value);
		break;
	}
	free(value);
	busy = 0;
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return (ssize_t)count;
}

/* ---- opens: sysfs ignores O_TRUNC ------------------------------------------- */

static int strip_trunc(int dirfd, const char *path, int flags)
{
	char *abs = NULL, real[PATH_MAX], dirp[64];
	size_t rl = strlen(root_real);

	if (!(flags & O_TRUNC) || !root_real[0] || busy)
		return flags;
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		abs = realpath(path, NULL);
	} else {
		ssize_t n;

		snprintf(dirp, sizeof(dirp), "/proc/self/fd/%d", dirfd);
		n = readlink(dirp, real, sizeof(real) - 1);
		if (n > 0) {
			real[n] = '\0';
			abs = pathf("%s/%s", real, path);
			if (abs) {
				char *r = realpath(abs, NULL);

				free(abs);
				abs = r;
			}
		}
	}
	if (abs && !strncmp(abs, root_real, rl) && !strncmp(abs + rl, "/sys/", 5))
		flags &= ~O_TRUNC;
	free(abs);
	return flags;
}

#define MODE_ARG(flags, mode)                                   \
	do {                                                    \
		if ((flags) & (O_CREAT | __O_TMPFILE)) {        \
			va_list ap;                             \
			va_start(ap, flags);                    \
			mode = va_arg(ap, int);                 \
			va_end(ap);                             \
		}                                               \
	} while (0)

int open(const char *path, int flags, ...)
{
	int mode = 0;

	MODE_ARG(flags, mode);
	return real_open(path, strip_trunc(AT_FDCWD, path, flags), mode);
}

int open64(const char *path, int flags, ...)
{
	int mode = 0;

	MODE_ARG(flags, mode);
	return real_open64(path, strip_trunc(AT_FDCWD, path, flags), mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	int mode = 0;

	MODE_ARG(flags, mode);
	return real_openat(dirfd, path, strip_trunc(dirfd, path, flags), mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	int mode = 0;

	MODE_ARG(flags, mode);
	return real_openat64(dirfd, path, strip_trunc(dirfd, path, flags), mode);
}
