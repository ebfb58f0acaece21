// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the vmargs core (links only core/): escaping helpers, and
 * the data vs_vmargs_build() returns for fixture roots built at test time
 * with tests/fixtures/mkfixture.py ($top_srcdir, $PYTHON3).
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vfioscope/topology.h"
#include "vfioscope/vmargs.h"
#include "../unit/check.h"

static void test_escapes(void)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;

	vs_qemu_opt_escape(&sb, "a,b,,c");
	CHECK_STR(vs_strbuf_cstr(&sb), "a,,b,,,,c");
	vs_strbuf_reset(&sb);

	CHECK(vs_xml_escape(&sb, "x<&>'\"y\xc3\xa9") == 0);
	CHECK_STR(vs_strbuf_cstr(&sb), "x&lt;&amp;&gt;&apos;&quot;y\xc3\xa9");
	vs_strbuf_reset(&sb);
	/* XML cannot carry these: nothing is appended. */
	CHECK(vs_xml_escape(&sb, "esc\x1b[31m") == -EILSEQ);
	CHECK(vs_xml_escape(&sb, "new\nline") == -EILSEQ);
	CHECK(vs_xml_escape(&sb, "bad\xff") == -EILSEQ);
	CHECK_STR(vs_strbuf_cstr(&sb), "");
	vs_strbuf_release(&sb);
}

static void test_names(void)
{
	enum vs_vm_format f = VS_VM_FORMAT_QEMU;

	CHECK(vs_vm_format_parse("libvirt", &f) == 0 && f == VS_VM_FORMAT_LIBVIRT);
	CHECK(vs_vm_format_parse("shell", &f) == 0 && f == VS_VM_FORMAT_SHELL);
	CHECK(vs_vm_format_parse("qemu", &f) == 0 && f == VS_VM_FORMAT_QEMU);
	CHECK(vs_vm_format_parse("xml", &f) == -EINVAL);
	CHECK(vs_vm_format_parse(NULL, &f) == -EINVAL);
	CHECK_STR(vs_vm_format_name(VS_VM_FORMAT_SHELL), "shell");
	for (int c = VS_VMN_NOT_VIABLE; c <= VS_VMN_VMD_DOMAIN; c++) {
		CHECK(strcmp(vs_vm_note_code_name((enum vs_vm_note_code)c), "unknown") != 0);
		for (int d = VS_VMN_NOT_VIABLE; d < c; d++)
			CHECK(strcmp(vs_vm_note_code_name((enum vs_vm_note_code)c),
				     vs_vm_note_code_name((enum vs_vm_note_code)d)) != 0);
	}
}

/* ---- fixtures ---------------------------------------------------------- */

static char *tmpdir;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static struct vs_topology *fixture(const char *name)
{
	const char *src = getenv("top_srcdir"), *py = getenv("PYTHON3");
	char *fx = NULL, *out = NULL, *mk = NULL;
	struct vs_scan_opts opts = { .sysroot = NULL, .what = VS_SCAN_ALL & ~VS_SCAN_NAMES,
				     .pci_ids = NULL };
	struct vs_topology *topo = NULL;
	struct vs_err err = VS_ERR_INIT;
	pid_t pid;
	int status = 0;

	if (!src)
		src = ".";
	if (!py || !*py)
		py = "python3";
	if (asprintf(&fx, "%s/tests/fixtures/%s.fx", src, name) < 0 ||
	    asprintf(&mk, "%s/tests/fixtures/mkfixture.py", src) < 0 ||
	    asprintf(&out, "%s/%s", tmpdir, name) < 0)
		abort();
	pid = fork();
	if (pid == 0) {
		execlp(py, py, mk, fx, out, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "cannot build fixture %s\n", name);
		exit(99);
	}
	opts.sysroot = out;
	if (vs_topology_scan(&opts, &topo, &err) < 0) {
		fprintf(stderr, "scan of %s failed: %s\n", name, vs_err_msg(&err));
		exit(99);
	}
	vs_err_release(&err);
	free(fx);
	free(mk);
	free(out);
	return topo;
}

static const struct vs_device *dev(const struct vs_topology *topo, const char *name)
{
	const struct vs_device *d = vs_topology_find(topo, name);

	if (!d) {
		fprintf(stderr, "fixture lacks %s\n", name);
		exit(99);
	}
	return d;
}

static bool has_note(const struct vs_vmargs *va, enum vs_vm_note_code code, bool warning)
{
	for (size_t i = 0; i < va->n_notes; i++)
		if (va->notes[i].code == code && va->notes[i].warning == warning)
			return true;
	return false;
}

static struct vs_vmargs *build(const struct vs_topology *topo, bool only, int want,
			       const char *a, const char *b)
{
	const struct vs_device *sel[2];
	struct vs_vmargs_opts opts = { .only = only };
	struct vs_vmargs *va = NULL;
	struct vs_err err = VS_ERR_INIT;
	size_t n = 0;
	int r;

	sel[n++] = dev(topo, a);
	if (b)
		sel[n++] = dev(topo, b);
	r = vs_vmargs_build(topo, sel, n, &opts, &va, &err);
	if (r != want) {
		fprintf(stderr, "build %s%s%s: %d (%s), want %d\n", a, b ? " " : "",
			b ? b : "", r, vs_err_msg(&err), want);
		check_failures++;
	}
	CHECK((r == 0) == (va != NULL));
	CHECK(r == 0 || (err.msg && strstr(err.msg, a)));
	vs_err_release(&err);
	return va;
}

static void test_q35(void)
{
	struct vs_topology *topo = fixture("q35");
	struct vs_vmargs *va;
	struct vs_err err = VS_ERR_INIT;

	CHECK(vs_vmargs_build(topo, NULL, 0, NULL, &va, &err) == -EINVAL && !va);
	vs_err_release(&err);

	/* The multifunction group: naming function 1 brings function 0. */
	va = build(topo, false, 0, "0000:09:00.1", NULL);
	if (va) {
		CHECK(va->n_entries == 2 && va->n_ports == 1 && va->argc == 6);
		CHECK_STR(va->entries[0].device->name, "0000:09:00.0");
		CHECK(!va->entries[0].named && va->entries[1].named);
		CHECK(va->entries[0].multifunction && !va->entries[1].multifunction);
		CHECK(va->entries[0].guest_fn == 0 && va->entries[1].guest_fn == 1);
		CHECK(va->ports[0].libvirt_bus == VS_VMARGS_LIBVIRT_BUS);
		CHECK_STR(va->argv[1], "pcie-root-port,id=vfio-rp-0000-09-00,bus=pcie.0,"
			  "chassis=86,slot=1");
		CHECK_STR(va->argv[3], "vfio-pci,host=0000:09:00.0,id=hostdev-0000-09-00-0,"
			  "bus=vfio-rp-0000-09-00,addr=00.0,multifunction=on");
		CHECK(va->n_groups == 1 && va->groups[0] == 14);
		CHECK(has_note(va, VS_VMN_NOT_VIABLE, true));
		CHECK(has_note(va, VS_VMN_NOT_BOUND, true));
		CHECK(!has_note(va, VS_VMN_GROUP_SPLIT, false));
		CHECK(va->notes[0].warning);
	}
	vs_vmargs_free(va);

	/* --only function 1: it becomes guest function 0, and the split is said. */
	va = build(topo, true, 0, "0000:09:00.1", NULL);
	if (va) {
		CHECK(va->n_entries == 1 && va->entries[0].guest_fn == 0);
		CHECK(!va->entries[0].multifunction && va->ports[0].libvirt_bus == -1);
		CHECK(has_note(va, VS_VMN_FN_RENUMBERED, false));
		CHECK(has_note(va, VS_VMN_GROUP_SPLIT, false));
	}
	vs_vmargs_free(va);

	/* The bridge group: endpoints only, each slot its own port. */
	va = build(topo, false, 0, "0000:07:00.0", NULL);
	if (va) {
		CHECK(va->n_entries == 2 && va->n_ports == 2);
		CHECK_STR(va->entries[0].device->name, "0000:08:01.0");
		CHECK_STR(va->entries[1].device->name, "0000:08:02.0");
		CHECK(va->ports[1].slot == 2 && !va->entries[0].multifunction);
	}
	vs_vmargs_free(va);
	vs_vmargs_free(build(topo, true, -EPERM, "0000:07:00.0", NULL));
	vs_vmargs_free(build(topo, false, -EPERM, "0000:00:04.0", NULL));
	vs_topology_free(topo);
}

static void test_misc(void)
{
	struct vs_topology *topo = fixture("vmargs-misc");
	struct vs_vmargs *va;

	vs_vmargs_free(build(topo, false, -ENODEV, "0000:00:1f.3", NULL));

	va = build(topo, false, 0, "0000:02:10.4", "0000:02:10.0");
	if (va) {
		/* VFs: address order, one port each even in one "slot". */
		CHECK(va->n_entries == 2 && va->n_ports == 2);
		CHECK_STR(va->entries[0].device->name, "0000:02:10.0");
		CHECK_STR(va->ports[1].id, "vfio-rp-0000-02-10-4");
		CHECK(va->entries[1].guest_fn == 0);
		CHECK(has_note(va, VS_VMN_VF_TOKEN, true));
		CHECK(!has_note(va, VS_VMN_FN_RENUMBERED, false));
	}
	vs_vmargs_free(va);

	va = build(topo, false, 0, "0000:01:00.1", NULL);
	if (va) {
		CHECK(va->n_entries == 2 && has_note(va, VS_VMN_BOOT_VGA, false));
	}
	vs_vmargs_free(va);

	/* Platform after PCI; AMBA by sysfsdev. */
	va = build(topo, false, 0, "9030000.pl061", "0000:01:00.0");
	if (va) {
		CHECK(va->n_entries == 3 && va->entries[2].kind == VS_VM_AMBA);
		CHECK_STR(va->entries[2].arg, "vfio-platform,sysfsdev=/sys/bus/amba/devices/"
			  "9030000.pl061,id=hostdev-9030000.pl061");
		CHECK(has_note(va, VS_VMN_PLATFORM_REMOVED, true));
		CHECK(has_note(va, VS_VMN_AMBA_SYSFSDEV, false));
	}
	vs_vmargs_free(va);

	va = build(topo, false, 0, "q'$(touch pwned)`touch pwned2`;x,y.gpio", NULL);
	if (va) {
		char *q = vs_vmargs_qemu(va, true);

		CHECK_STR(va->entries[0].arg, "vfio-platform,host=q'$(touch pwned)`touch pwned2`"
			  ";x,,y.gpio,id=hostdev-q___touch_pwned__touch_pwned2__x_y.gpio");
		CHECK_STR(q, "-device 'vfio-platform,host=q'\\''$(touch pwned)`touch pwned2`"
			  ";x,,y.gpio,id=hostdev-q___touch_pwned__touch_pwned2__x_y.gpio'\n");
		free(q);
	}
	vs_vmargs_free(va);
	vs_topology_free(topo);
}

static void test_arm(void)
{
	struct vs_topology *topo = fixture("vmargs-imx8qm");
	struct vs_vmargs *va;
	const struct vs_device *sel[3];
	struct vs_err err = VS_ERR_INIT;

	/* Seed 001's order is kept, not sorted. */
	sel[0] = dev(topo, "5b230000.clock-controller");
	sel[1] = dev(topo, "5b040000.ethernet");
	sel[2] = dev(topo, "5d1d0000.mailbox");
	CHECK(vs_vmargs_build(topo, sel, 3, NULL, &va, &err) == 0);
	if (va) {
		CHECK(va->argc == 6);
		CHECK_STR(va->argv[1], "vfio-platform,host=5b230000.clock-controller,"
			  "id=hostdev-5b230000.clock-controller");
		CHECK_STR(va->argv[3], "vfio-platform,host=5b040000.ethernet,"
			  "id=hostdev-5b040000.ethernet");
		CHECK_STR(va->argv[5], "vfio-platform,host=5d1d0000.mailbox,"
			  "id=hostdev-5d1d0000.mailbox");
		CHECK(has_note(va, VS_VMN_PLATFORM_ORDER, false));
		CHECK(has_note(va, VS_VMN_NOT_BOUND, true));	/* the mailbox */
	}
	vs_vmargs_free(va);
	vs_err_release(&err);
	vs_topology_free(topo);

	topo = fixture("vmargs-rcar");
	va = build(topo, false, 0, "e6055400.gpio", NULL);
	if (va)
		CHECK(has_note(va, VS_VMN_NOIOMMU, true) && va->n_groups == 0);
	vs_vmargs_free(va);
	vs_topology_free(topo);

	topo = fixture("vmargs-rcar-base");
	vs_vmargs_free(build(topo, false, -ENODEV, "e6055400.gpio", NULL));
	va = build(topo, false, 0, "e6e68000.serial", NULL);
	if (va)
		CHECK(has_note(va, VS_VMN_NOIOMMU, true));
	vs_vmargs_free(va);
	vs_topology_free(topo);

	topo = fixture("vmargs-ls1088");
	va = build(topo, false, 0, "dpni.1", NULL);
	if (va) {
		CHECK(va->n_entries == 1 && va->entries[0].kind == VS_VM_FSL_MC);
		CHECK_STR(va->entries[0].arg, "vfio-fsl-mc,host=dprc.2,id=hostdev-dprc.2");
		CHECK(has_note(va, VS_VMN_FSLMC_CONTAINER, false));
		CHECK(has_note(va, VS_VMN_FSLMC_QEMU, true));
		CHECK(has_note(va, VS_VMN_FSLMC_IRQ_CFG, false));
	}
	vs_vmargs_free(va);
	vs_vmargs_free(build(topo, false, -EPERM, "dprc.1", NULL));
	vs_topology_free(topo);
}

static void test_vmd(void)
{
	struct vs_topology *topo = fixture("vmd");
	struct vs_vmargs *va = build(topo, false, 0, "10000:01:00.0", NULL);

	/* Only the controller can go: binding it removes the domain. */
	if (va) {
		CHECK(va->n_entries == 1 && !va->entries[0].named);
		CHECK_STR(va->entries[0].device->name, "0000:00:0e.0");
		CHECK(has_note(va, VS_VMN_VMD_DOMAIN, false));
	}
	vs_vmargs_free(va);
	vs_vmargs_free(build(topo, true, -EPERM, "10000:01:00.0", NULL));
	vs_topology_free(topo);
}

int main(void)
{
	char tmpl[] = "/tmp/vs-vmargs-unit.XXXXXX";

	test_escapes();
	test_names();
	tmpdir = mkdtemp(tmpl);
	if (!tmpdir)
		return 99;
	test_q35();
	test_misc();
	test_arm();
	test_vmd();
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return check_result("test-vmargs-unit");
}
