// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the diag area's tables and parsers, linking only core/: the
 * 6.18 ACS quirk table (Intel SPT/UPT Control at +8, the Intel PCH quirk's
 * log evidence, the out-of-tree override, Zhaoxin, RCiEP, AMD southbridge),
 * the DMA-alias quirk list, kernel command-line parsing, ACS flag names.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/diag.h"
#include "diag_priv.h"

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		failures++; \
		printf("FAIL %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

static struct vs_pci pci_port(uint16_t vendor, uint16_t device, enum vs_port_type t)
{
	struct vs_pci p = {
		.vendor = vendor, .device = device, .ids_valid = true,
		.pcie = VS_YES, .port_type = t, .port_type_raw = t, .cfg = VS_CFG_FULL,
		.acs = { .present = VS_NO },
		.secondary_bus = -1, .subordinate_bus = -1, .revision = 0,
	};
	return p;
}

static enum vs_qres eval(const struct vs_sysfacts *f, const char *name, struct vs_pci *p,
			 struct vs_quirk_verdict *v)
{
	struct vs_device d = { .bus = VS_BUS_PCI, .name = (char *)name, .pci = p, .iommu_group = -1 };

	vs_acs_quirk_eval(f, &d, v);
	return v->res;
}

static void test_spt(void)
{
	struct vs_sysfacts f = { .ivrs = VS_NO };
	struct vs_quirk_verdict v;
	struct vs_pci p = pci_port(0x8086, 0xa110, VS_PORT_ROOT_PORT);

	/* the +6 word says nothing is on; the real Control at +8 has SV RR CR UF */
	p.acs = (struct vs_acs){ .present = VS_YES, .offset = 0x140, .cap = 0x1f, .ctrl = 0,
				 .dword8 = 0x1d };
	CHECK(eval(&f, "0000:00:1c.0", &p, &v) == VS_QRES_ISOLATED, "SPT +8 enabled: isolated");
	CHECK(v.spt && v.quirk && strcmp(v.quirk->name, "pci_quirk_intel_spt_pch_acs") == 0,
	      "SPT quirk named");
	/* +8 lacks RR and CR although +6 claims everything */
	p.acs.ctrl = 0x1f;
	p.acs.dword8 = 0x11;
	CHECK(eval(&f, "0000:00:1c.0", &p, &v) == VS_QRES_NOT_ISOLATED, "SPT +8 missing RR/CR");
	CHECK(v.spt_missing == (VS_ACS_RR | VS_ACS_CR), "SPT missing = RR|CR, got %#x", v.spt_missing);
	/* Union Point and 7th/8th gen mobile ranges; a downstream port is not covered */
	p = pci_port(0x8086, 0xa2e9, VS_PORT_ROOT_PORT);
	p.acs = (struct vs_acs){ .present = VS_YES, .cap = 0x1f, .dword8 = 0x1f };
	CHECK(eval(&f, "0000:00:1b.0", &p, &v) == VS_QRES_ISOLATED, "UPT range");
	p = pci_port(0x8086, 0x9d14, VS_PORT_DOWNSTREAM);
	p.acs = (struct vs_acs){ .present = VS_YES, .cap = 0x1f, .dword8 = 0 };
	CHECK(eval(&f, "0000:00:1d.0", &p, &v) == VS_QRES_NONE, "SPT quirk is for root ports only");
	/* without readable config space the answer is unknown, never "no" */
	p = pci_port(0x8086, 0xa110, VS_PORT_ROOT_PORT);
	p.acs.present = VS_UNKNOWN;
	CHECK(eval(&f, "0000:00:1c.0", &p, &v) == VS_QRES_UNKNOWN, "SPT with ACS unreadable");
}

static void test_pch(void)
{
	char *enabled[] = { (char *)"0000:00:1c.0" };
	char *failed[] = { (char *)"0000:00:1c.2" };
	struct vs_sysfacts f = { .ivrs = VS_NO };
	struct vs_quirk_verdict v;
	struct vs_pci p = pci_port(0x8086, 0x8c10, VS_PORT_ROOT_PORT);

	CHECK(eval(&f, "0000:00:1c.0", &p, &v) == VS_QRES_UNKNOWN, "PCH without a log: unknown");
	f.kmsg.complete = true;
	CHECK(eval(&f, "0000:00:1c.0", &p, &v) == VS_QRES_NOT_ISOLATED,
	      "PCH with a log since boot and no workaround line: not isolated");
	f.kmsg.pch_enabled = enabled;
	f.kmsg.n_pch_enabled = 1;
	f.kmsg.pch_failed = failed;
	f.kmsg.n_pch_failed = 1;
	CHECK(eval(&f, "0000:00:1c.0", &p, &v) == VS_QRES_ISOLATED, "PCH workaround enabled");
	CHECK(strcmp(v.quirk->name, "pci_quirk_intel_pch_acs") == 0, "PCH quirk named");
	p.device = 0x8c14;
	CHECK(eval(&f, "0000:00:1c.2", &p, &v) == VS_QRES_NOT_ISOLATED, "PCH enable failed");
	CHECK(vs_acs_quirk_is_intel_pch(0x8086, 0x9c9b) && !vs_acs_quirk_is_intel_pch(0x8086, 0x9c9c),
	      "PCH ID list edges (Wildcat)");
	p.device = 0x1234;
	CHECK(eval(&f, "0000:00:1c.4", &p, &v) == VS_QRES_NONE, "Intel root port not in any list");
}

static void test_override(void)
{
	struct vs_sysfacts f = { .ivrs = VS_NO };
	struct vs_quirk_verdict v;
	struct vs_pci p = pci_port(0x1957, 0x80c0, VS_PORT_ROOT_PORT);

	CHECK(eval(&f, "0001:00:00.0", &p, &v) == VS_QRES_NONE, "Ten64 root port: no quirk");
	f.override.present = true;
	f.override.downstream = true;
	CHECK(eval(&f, "0001:00:00.0", &p, &v) == VS_QRES_ISOLATED && v.quirk &&
	      v.quirk->kind == VS_ACSQ_OVERRIDE, "override=downstream isolates a root port");
	p.acs = (struct vs_acs){ .present = VS_YES, .cap = 0x1f, .ctrl = 0 };
	CHECK(eval(&f, "0001:00:00.0", &p, &v) == VS_QRES_NONE,
	      "the override never applies to a device with an ACS capability");
	f.override.downstream = false;
	f.override.ids[0][0] = 0x1957;
	f.override.ids[0][1] = 0x80c0;
	f.override.n_ids = 1;
	p.acs.present = VS_NO;
	CHECK(eval(&f, "0001:00:00.0", &p, &v) == VS_QRES_ISOLATED, "override id:1957:80c0");
	p = pci_port(0x10de, 0x1b80, VS_PORT_ENDPOINT);
	p.multifunction = true;
	CHECK(eval(&f, "0000:01:00.0", &p, &v) == VS_QRES_NONE, "id: does not cover other devices");
	f.override.multifunction = true;
	CHECK(eval(&f, "0000:01:00.0", &p, &v) == VS_QRES_ISOLATED, "override=multifunction");
	p.pcie = VS_NO;
	CHECK(eval(&f, "0000:01:00.0", &p, &v) == VS_QRES_NONE, "never for conventional PCI");
}

static void test_vendors(void)
{
	struct vs_sysfacts f = { .ivrs = VS_NO };
	struct vs_quirk_verdict v;
	struct vs_pci p = pci_port(0x1d17, 0x0799, VS_PORT_DOWNSTREAM);

	p.acs = (struct vs_acs){ .present = VS_YES, .cap = 0x1f, .ctrl = 0x1f };
	CHECK(eval(&f, "0000:02:00.0", &p, &v) == VS_QRES_NOT_ISOLATED,
	      "Zhaoxin port outside the list: the quirk answers no whatever the registers say");
	p.device = 0x0721;
	CHECK(eval(&f, "0000:02:00.0", &p, &v) == VS_QRES_ISOLATED, "Zhaoxin port in the list");
	p = pci_port(0x8086, 0x0bad, VS_PORT_RCIEP);
	CHECK(eval(&f, "0000:00:17.0", &p, &v) == VS_QRES_ISOLATED, "Intel RCiEP");
	p.pcie = VS_UNKNOWN;
	p.port_type = VS_PORT_UNKNOWN;
	CHECK(eval(&f, "0000:00:17.0", &p, &v) == VS_QRES_UNKNOWN, "Intel device, type unreadable");
	p = pci_port(0x8086, 0x1521, VS_PORT_ENDPOINT);
	p.multifunction = true;
	CHECK(eval(&f, "0000:05:00.0", &p, &v) == VS_QRES_ISOLATED, "I350 multifunction quirk");
	CHECK(vs_acs_quirk_is_mf_endpoint(0x8086, 0x15b8), "I219 in the mf list");
	p = pci_port(0x1002, 0x4385, VS_PORT_PCI);
	p.pcie = VS_NO;
	p.multifunction = true;
	p.on_root_bus = true;
	CHECK(eval(&f, "0000:00:14.0", &p, &v) == VS_QRES_NONE, "AMD SB quirk needs IVRS");
	f.ivrs = VS_YES;
	CHECK(eval(&f, "0000:00:14.0", &p, &v) == VS_QRES_ISOLATED, "AMD SB quirk with IVRS");
	p = pci_port(0x1957, 0x8d81, VS_PORT_ROOT_PORT);
	CHECK(eval(&f, "0000:00:00.0", &p, &v) == VS_QRES_ISOLATED, "NXP LX2160A root port quirk");
}

static void test_alias(void)
{
	struct vs_pci p = pci_port(0x1b4b, 0x9123, VS_PORT_ENDPOINT);
	struct vs_device d = { .bus = VS_BUS_PCI, .name = (char *)"0000:03:00.0", .pci = &p };
	const struct vs_alias_quirk *q;
	uint64_t mask[4] = { 0 };

	p.dev = 0;
	p.fn = 0;
	q = vs_alias_quirk_find(&d);
	CHECK(q && q->kind == VS_ALIASQ_FUNC1, "Marvell 88SE9123 uses function 1");
	if (q)
		vs_alias_quirk_mask(q, &d, mask);
	CHECK(mask[0] == 2, "alias mask holds devfn 00.1 only, got %#llx", (unsigned long long)mask[0]);
	p.vendor = 0x9005;
	p.device = 0x0285;
	p.subvendor = 0x9005;
	p.subdevice = 0x02bb;
	q = vs_alias_quirk_find(&d);
	CHECK(q && q->kind == VS_ALIASQ_FIXED && q->devfn == 0x08, "Adaptec 3405 fixed alias 01.0");
	p.subdevice = 0x0001;
	CHECK(!vs_alias_quirk_find(&d), "Adaptec 0285 with another subsystem: no alias");
	p.vendor = 0x11f8;
	p.device = 0x8531;
	p.class_code = 0x058000;
	CHECK(!vs_alias_quirk_find(&d), "Switchtec quirk only for class 0680");
	p.class_code = 0x068000;
	CHECK(vs_alias_quirk_find(&d) != NULL, "Switchtec NTB function");
}

static void test_cmdline(void)
{
	const char *cl = "BOOT_IMAGE=/vmlinuz quiet vfio_pci.ids=10de:1b80 "
			 "opt=\"a b\" vfio-pci.ids=8086:1533 pci=noats,config_acs=1111111@0000:00:1c.0";
	char *s;

	s = vs_cmdline_get(cl, "vfio-pci.ids");
	CHECK(s && strcmp(s, "8086:1533") == 0, "last occurrence wins, - and _ alike: %s", s ? s : "NULL");
	free(s);
	s = vs_cmdline_get(cl, "quiet");
	CHECK(s && strcmp(s, "") == 0, "a bare flag is the empty string");
	free(s);
	s = vs_cmdline_get(cl, "opt");
	CHECK(s && strcmp(s, "a b") == 0, "quoted value");
	free(s);
	s = vs_cmdline_get(cl, "pci");
	CHECK(s && strcmp(s, "noats,config_acs=1111111@0000:00:1c.0") == 0, "value with '='");
	free(s);
	CHECK(vs_cmdline_get(cl, "intel_iommu") == NULL, "absent key");
	CHECK(vs_cmdline_get(NULL, "x") == NULL, "no command line");
	s = vs_acs_flags_text(VS_ACS_RR | VS_ACS_CR | VS_ACS_SV, ",");
	CHECK(s && strcmp(s, "SV,RR,CR") == 0, "flag names in bit order: %s", s ? s : "NULL");
	free(s);
	CHECK(strcmp(vs_quirks_kernel_version(), "6.18") == 0, "table version");
	CHECK(strcmp(vs_reason_code_name(VS_REASON_NO_ACS_UPSTREAM), "no_acs_upstream") == 0 &&
	      strcmp(vs_reason_code_name(VS_REASON_OVERRIDE_ISOLATED), "override_isolated") == 0,
	      "reason code names");
}

int main(void)
{
	test_spt();
	test_pch();
	test_override();
	test_vendors();
	test_alias();
	test_cmdline();
	if (failures) {
		printf("%d failure(s)\n", failures);
		return 1;
	}
	printf("all unit checks passed\n");
	return 0;
}
