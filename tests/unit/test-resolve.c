// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device names as a user types them (vs_topology_resolve), on a small
 * system root written here by hand: two domains that both have a 03:00.0,
 * a platform device, one IOMMU group. Also the scan's answer to a directory
 * that is not a system root.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "vfioscope/topology.h"

static char root[] = "/tmp/vs-test-resolve-XXXXXX";

static void mkdirs(const char *rel)
{
	char path[4096], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static void put(const char *rel, const char *content)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static void link_to(const char *rel, const char *target)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CHECK(symlink(target, path) == 0);
}

/* A PCI function at sys/devices/DIR with its bus link and ID files. */
static void pci(const char *dir, const char *name, const char *cls, int group)
{
	char rel[512], target[512];

	snprintf(rel, sizeof(rel), "sys/devices/%s", dir);
	mkdirs(rel);
	snprintf(rel, sizeof(rel), "sys/devices/%s/vendor", dir);
	put(rel, "0x8086\n");
	snprintf(rel, sizeof(rel), "sys/devices/%s/device", dir);
	put(rel, "0x1234\n");
	snprintf(rel, sizeof(rel), "sys/devices/%s/class", dir);
	put(rel, cls);
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s", name);
	snprintf(target, sizeof(target), "../../../devices/%s", dir);
	link_to(rel, target);
	if (group >= 0) {
		char gdir[128];

		snprintf(gdir, sizeof(gdir), "sys/kernel/iommu_groups/%d/devices", group);
		mkdirs(gdir);
		snprintf(rel, sizeof(rel), "sys/devices/%s/iommu_group", dir);
		snprintf(target, sizeof(target), "/sys/kernel/iommu_groups/%d", group);
		link_to(rel, target);
		snprintf(rel, sizeof(rel), "%s/%s", gdir, name);
		snprintf(target, sizeof(target), "/sys/devices/%s", dir);
		link_to(rel, target);
	}
}

static void build_root(void)
{
	CHECK(mkdtemp(root) != NULL);
	mkdirs("sys/bus/pci/devices");
	mkdirs("sys/bus/platform/devices");
	mkdirs("sys/kernel/iommu_groups");
	pci("pci0000:00/0000:00:1c.0", "0000:00:1c.0", "0x060400\n", 5);
	pci("pci0000:00/0000:00:1c.0/0000:03:00.0", "0000:03:00.0", "0x020000\n", 5);
	pci("pci0000:00/0000:00:1f.2", "0000:00:1f.2", "0x010601\n", -1);
	pci("pci0001:00/0001:00:00.0", "0001:00:00.0", "0x060400\n", -1);
	pci("pci0001:00/0001:00:00.0/0001:03:00.0", "0001:03:00.0", "0x020000\n", -1);
	put("sys/kernel/iommu_groups/5/type", "DMA\n");
	mkdirs("sys/devices/platform/soc/e6055400.gpio");
	link_to("sys/bus/platform/devices/e6055400.gpio",
		"../../../devices/platform/soc/e6055400.gpio");
	mkdirs("sys/firmware/devicetree/base/soc/gpio@e6055400");
	put("sys/firmware/devicetree/base/soc/gpio@e6055400/compatible", "");
	{
		/* compatible is NUL-separated: the most specific string first. */
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", root,
			 "sys/firmware/devicetree/base/soc/gpio@e6055400/compatible");
		f = fopen(path, "w");
		CHECK(f != NULL);
		if (f) {
			fwrite("renesas,gpio-r8a7795\0renesas,rcar-gen3-gpio\0", 1, 44, f);
			fclose(f);
		}
	}
	link_to("sys/devices/platform/soc/e6055400.gpio/of_node",
		"../../../../firmware/devicetree/base/soc/gpio@e6055400");
	put("sys/devices/platform/soc/e6055400.gpio/modalias",
	    "of:NgpioT(null)Crenesas,gpio-r8a7795\n");
	/* fsl-mc: objects nested in their containers, numbers sorting naturally. */
	mkdirs("sys/bus/fsl-mc/devices");
	mkdirs("sys/devices/platform/soc/80c000000.fsl-mc/dprc.1/dprc.2/dpni.1");
	mkdirs("sys/devices/platform/soc/80c000000.fsl-mc/dprc.1/dprc.10");
	link_to("sys/bus/fsl-mc/devices/dprc.1",
		"../../../devices/platform/soc/80c000000.fsl-mc/dprc.1");
	link_to("sys/bus/fsl-mc/devices/dprc.2",
		"../../../devices/platform/soc/80c000000.fsl-mc/dprc.1/dprc.2");
	link_to("sys/bus/fsl-mc/devices/dprc.10",
		"../../../devices/platform/soc/80c000000.fsl-mc/dprc.1/dprc.10");
	link_to("sys/bus/fsl-mc/devices/dpni.1",
		"../../../devices/platform/soc/80c000000.fsl-mc/dprc.1/dprc.2/dpni.1");
}

static void expect(const struct vs_topology *t, const char *spec, const char *want)
{
	struct vs_err err = VS_ERR_INIT;
	const struct vs_device *dev = NULL;
	int r = vs_topology_resolve(t, spec, &dev, &err);

	CHECK_INT(r, 0);
	CHECK_STR(dev ? dev->name : NULL, want);
	vs_err_release(&err);
}

static void expect_error(const struct vs_topology *t, const char *spec, int code,
			 const char *in_msg)
{
	struct vs_err err = VS_ERR_INIT;
	const struct vs_device *dev = NULL;
	int r = vs_topology_resolve(t, spec, &dev, &err);

	CHECK_INT(r, code);
	CHECK(dev == NULL);
	if (in_msg && !strstr(vs_err_msg(&err), in_msg)) {
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", vs_err_msg(&err), in_msg);
		check_failures++;
	}
	vs_err_release(&err);
}

static void test_resolve(void)
{
	struct vs_scan_opts opts = { .sysroot = root, .what = VS_SCAN_PLATFORM, .pci_ids = NULL };
	struct vs_err err = VS_ERR_INIT;
	struct vs_topology *t = NULL;
	const struct vs_device *d;
	const struct vs_group *g;

	CHECK_INT(vs_topology_scan(&opts, &t, &err), 0);
	vs_err_release(&err);
	if (!t)
		return;
	CHECK_INT(t->n_pci, 5);
	CHECK_INT(t->n_devices, 10);

	expect(t, "0000:03:00.0", "0000:03:00.0");
	expect(t, "00:1f.2", "0000:00:1f.2");
	expect(t, "0000:00:1F.2", "0000:00:1f.2");
	expect(t, "0:00:1f.2", "0000:00:1f.2");
	expect(t, "1:03:00.0", "0001:03:00.0");
	expect(t, "e6055400.gpio", "e6055400.gpio");
	expect(t, "E6055400.GPIO", "e6055400.gpio");
	expect_error(t, "03:00.0", -EEXIST, "0000:03:00.0, 0001:03:00.0");
	expect_error(t, "05:00.0", -ENOENT, "05:00.0");
	expect_error(t, "0002:03:00.0", -ENOENT, NULL);
	expect_error(t, "", -EINVAL, NULL);
	expect_error(t, "a b", -EINVAL, NULL);
	expect_error(t, "../etc", -EINVAL, NULL);
	expect_error(t, "nosuch.gpio", -ENOENT, NULL);

	d = vs_topology_find(t, "0000:03:00.0");
	CHECK(d && d->parent && strcmp(d->parent->name, "0000:00:1c.0") == 0);
	CHECK(d && d->pci && !d->pci->on_root_bus);
	CHECK(d && d->pci && d->pci->root_bus && strcmp(d->pci->root_bus, "pci0000:00") == 0);
	CHECK(vs_topology_find(t, "0000:03:00.1") == NULL);

	CHECK(t->iommu);
	g = vs_topology_group(t, 5);
	CHECK(g != NULL);
	if (g) {
		CHECK_INT(g->n_members, 2);
		CHECK_STR(g->type, "DMA");
		CHECK(g->viable);
		CHECK(g->n_members == 2 && strcmp(g->members[0]->name, "0000:00:1c.0") == 0);
	}
	CHECK(vs_device_group(t, d) == g);
	CHECK(vs_topology_group(t, 6) == NULL);

	/* Platform device: its device-tree node and first compatible string. */
	d = vs_topology_find(t, "e6055400.gpio");
	CHECK(d && d->bus == VS_BUS_PLATFORM && d->plat);
	if (d && d->plat) {
		CHECK_STR(d->plat->of_node, "/soc/gpio@e6055400");
		CHECK_STR(d->plat->compatible, "renesas,gpio-r8a7795");
		CHECK_STR(d->plat->modalias, "of:NgpioT(null)Crenesas,gpio-r8a7795");
		CHECK_INT(d->errors, 0);
	}
	/* fsl-mc: model order by name with numbers in order, containers by nesting. */
	CHECK_STR(t->devices[6]->name, "dpni.1");
	CHECK_STR(t->devices[7]->name, "dprc.1");
	CHECK_STR(t->devices[8]->name, "dprc.2");
	CHECK_STR(t->devices[9]->name, "dprc.10");
	d = vs_topology_find(t, "dpni.1");
	CHECK(d && d->mc && d->mc->container && strcmp(d->mc->container->name, "dprc.2") == 0);
	CHECK(d && d->mc && strcmp(d->mc->obj_type, "dpni") == 0 && d->mc->obj_id == 1);
	d = vs_topology_find(t, "dprc.2");
	CHECK(d && d->mc && d->mc->container && strcmp(d->mc->container->name, "dprc.1") == 0);
	CHECK(d && d->parent && strcmp(d->parent->name, "dprc.1") == 0);
	d = vs_topology_find(t, "dprc.1");
	CHECK(d && d->mc && d->mc->container == NULL);
	CHECK(d && d->n_children == 2);
	expect(t, "dprc.10", "dprc.10");
	vs_topology_free(t);
}

static void test_not_a_root(void)
{
	struct vs_scan_opts opts = { .sysroot = "/tmp", .what = 0, .pci_ids = NULL };
	struct vs_err err = VS_ERR_INIT;
	struct vs_topology *t = NULL;
	char path[4096];

	snprintf(path, sizeof(path), "%s/sys/kernel", root);
	opts.sysroot = path;
	CHECK_INT(vs_topology_scan(&opts, &t, &err), -ENOENT);
	CHECK(t == NULL);
	CHECK(strstr(vs_err_msg(&err), "not a Linux system root") != NULL);
	vs_err_release(&err);

	opts.sysroot = "/nonexistent/vfioscope";
	CHECK(vs_topology_scan(&opts, &t, &err) < 0);
	CHECK(t == NULL);
	vs_err_release(&err);
	vs_topology_free(NULL);
}

int main(void)
{
	char cmd[4200];
	int r;

	build_root();
	test_resolve();
	test_not_a_root();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	r = system(cmd);
	CHECK_INT(r, 0);
	return check_result("test-resolve");
}
