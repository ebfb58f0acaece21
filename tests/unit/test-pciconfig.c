// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Config space parsing against crafted bytes: header fields and the
 * kernel's multifunction rules, the PCIe capability and port type (with the
 * kernel's type correction), the ACS walk, and hostile lists (loops,
 * pointers out of range, truncation, all-ones, foreign IDs).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "scan.h"

struct fixture {
	struct vs_device dev;
	struct vs_pci pci;
	uint8_t cfg[4096];
};

static void put16(uint8_t *c, unsigned off, unsigned v)
{
	c[off] = (uint8_t)v;
	c[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *c, unsigned off, uint32_t v)
{
	put16(c, off, v & 0xffff);
	put16(c, off + 2, v >> 16);
}

/* A device 8086:1234, header type 0 or 1, with a capability list at 0x40. */
static void setup(struct fixture *f, unsigned header, unsigned fn)
{
	memset(f, 0, sizeof(*f));
	f->dev.pci = &f->pci;
	f->dev.name = "0000:01:00.0";
	f->pci.fn = (uint8_t)fn;
	f->pci.vendor = 0x8086;
	f->pci.device = 0x1234;
	f->pci.ids_valid = true;
	f->pci.revision = -1;
	f->pci.header_layout = -1;
	f->pci.secondary_bus = f->pci.subordinate_bus = -1;
	put16(f->cfg, 0, 0x8086);
	put16(f->cfg, 2, 0x1234);
	put16(f->cfg, 6, 0x0010);		/* status: capability list */
	f->cfg[8] = 0x32;			/* revision */
	put16(f->cfg, 0x0a, 0x0200);		/* class: Ethernet */
	f->cfg[0x0e] = (uint8_t)header;
	f->cfg[0x34] = 0x40;
	if ((header & 0x7f) == 0) {
		put16(f->cfg, 0x2c, 0x1ac1);
		put16(f->cfg, 0x2e, 0x089a);
	} else {
		f->cfg[0x19] = 0x02;
		f->cfg[0x1a] = 0x04;
	}
}

/* PCIe capability at @off with port type @type, next pointer @next. */
static void pcie_cap(struct fixture *f, unsigned off, unsigned type, unsigned next)
{
	f->cfg[off] = 0x10;
	f->cfg[off + 1] = (uint8_t)next;
	put16(f->cfg, off + 2, 0x0002 | type << 4);
}

static void ext_cap(struct fixture *f, unsigned off, unsigned id, unsigned next)
{
	put32(f->cfg, off, id | 1u << 16 | (uint32_t)next << 20);
}

static void release(struct fixture *f)
{
	size_t i;

	for (i = 0; i < f->dev.n_problems; i++)
		free(f->dev.problems[i]);
	free(f->dev.problems);
	f->dev.problems = NULL;
	f->dev.n_problems = 0;
}

static bool has_problem(const struct fixture *f, const char *needle)
{
	size_t i;

	for (i = 0; i < f->dev.n_problems; i++)
		if (strstr(f->dev.problems[i], needle))
			return true;
	return false;
}

static void test_header_only(void)
{
	struct fixture f;
	bool restricted = false;

	/* A non-root reader: 64 bytes although the file is bigger. */
	setup(&f, 0x80, 0);
	CHECK_INT(vs_pci_parse_config(&f.dev, f.cfg, 64, 4096, &restricted), 0);
	CHECK_INT(f.pci.cfg, VS_CFG_HEADER);
	CHECK(restricted);
	CHECK_INT(f.pci.header_layout, 0);
	CHECK(f.pci.multifunction);
	CHECK_INT(f.pci.revision, 0x32);
	CHECK_INT(f.pci.subvendor, 0x1ac1);
	CHECK_INT(f.pci.subdevice, 0x089a);
	/* Never "no ACS": unknown. */
	CHECK_INT(f.pci.pcie, VS_UNKNOWN);
	CHECK_INT(f.pci.acs.present, VS_UNKNOWN);
	CHECK_INT(f.pci.port_type, VS_PORT_UNKNOWN);
	CHECK_INT(f.dev.errors, 0);
	release(&f);

	/* 64 bytes because only 64 were asked for: not a restriction. */
	setup(&f, 0x00, 0);
	restricted = false;
	vs_pci_parse_config(&f.dev, f.cfg, 64, 64, &restricted);
	CHECK(!restricted);
	CHECK_INT(f.pci.cfg, VS_CFG_HEADER);
	CHECK(!f.pci.multifunction);
	release(&f);
}

static void test_multifunction_rules(void)
{
	struct fixture f;
	bool restricted = false;

	/* Function 1 is multifunction whatever its header says. */
	setup(&f, 0x00, 1);
	vs_pci_parse_config(&f.dev, f.cfg, 64, 64, &restricted);
	CHECK(f.pci.multifunction);
	release(&f);

	/* A VF never is, and its own ID registers read ffff. */
	setup(&f, 0x80, 0);
	f.pci.is_vf = true;
	put16(f.cfg, 0, 0xffff);
	put16(f.cfg, 2, 0xffff);
	vs_pci_parse_config(&f.dev, f.cfg, 64, 64, &restricted);
	CHECK(!f.pci.multifunction);
	CHECK_INT(f.pci.cfg, VS_CFG_HEADER);
	CHECK_INT(f.dev.errors, 0);
	release(&f);
}

static void test_pcie_and_acs(void)
{
	struct fixture f;
	bool restricted = false;

	/* Root port: PM cap at 0x40 -> PCIe at 0x50; AER at 0x100 -> ACS at 0x148. */
	setup(&f, 0x01, 0);
	f.cfg[0x40] = 0x01;
	f.cfg[0x41] = 0x50;
	pcie_cap(&f, 0x50, 4, 0);
	ext_cap(&f, 0x100, 0x0001, 0x148);
	ext_cap(&f, 0x148, 0x000d, 0);
	put16(f.cfg, 0x14c, 0x005f);
	put16(f.cfg, 0x14e, 0x001d);
	put32(f.cfg, 0x150, 0xdeadbeef);
	CHECK_INT(vs_pci_parse_config(&f.dev, f.cfg, 4096, 4096, &restricted), 0);
	CHECK_INT(f.pci.cfg, VS_CFG_FULL);
	CHECK_INT(f.pci.pcie, VS_YES);
	CHECK_INT(f.pci.pcie_cap_offset, 0x50);
	CHECK_INT(f.pci.port_type_raw, VS_PORT_ROOT_PORT);
	CHECK_INT(f.pci.port_type, VS_PORT_ROOT_PORT);
	CHECK_INT(f.pci.acs.present, VS_YES);
	CHECK_INT(f.pci.acs.offset, 0x148);
	CHECK_INT(f.pci.acs.cap, 0x5f);
	CHECK_INT(f.pci.acs.ctrl, 0x1d);
	CHECK_INT(f.pci.acs.dword8, 0xdeadbeef);
	CHECK_INT(f.pci.secondary_bus, 2);
	CHECK_INT(f.pci.subordinate_bus, 4);
	CHECK_INT(f.dev.errors, 0);
	CHECK(!restricted);
	release(&f);

	/* Extended list empty: a PCIe device with no ACS. */
	setup(&f, 0x00, 0);
	pcie_cap(&f, 0x40, 0, 0);
	vs_pci_parse_config(&f.dev, f.cfg, 4096, 4096, &restricted);
	CHECK_INT(f.pci.port_type, VS_PORT_ENDPOINT);
	CHECK_INT(f.pci.acs.present, VS_NO);
	CHECK_INT(f.dev.errors, 0);
	release(&f);

	/* 256 bytes: the extended space cannot be read, so ACS is unknown. */
	setup(&f, 0x00, 0);
	pcie_cap(&f, 0x40, 0, 0);
	vs_pci_parse_config(&f.dev, f.cfg, 256, 4096, &restricted);
	CHECK_INT(f.pci.cfg, VS_CFG_FULL);
	CHECK_INT(f.pci.pcie, VS_YES);
	CHECK_INT(f.pci.acs.present, VS_UNKNOWN);
	release(&f);

	/* Conventional PCI: no capability list at all; no PCIe means no ACS. */
	setup(&f, 0x00, 0);
	put16(f.cfg, 6, 0);
	vs_pci_parse_config(&f.dev, f.cfg, 256, 4096, &restricted);
	CHECK_INT(f.pci.pcie, VS_NO);
	CHECK_INT(f.pci.port_type, VS_PORT_PCI);
	CHECK_INT(f.pci.acs.present, VS_NO);
	release(&f);

	/* A reserved port type value. */
	setup(&f, 0x00, 0);
	pcie_cap(&f, 0x40, 12, 0);
	vs_pci_parse_config(&f.dev, f.cfg, 4096, 4096, &restricted);
	CHECK_INT(f.pci.port_type, VS_PORT_OTHER);
	CHECK_STR(vs_port_type_name(f.pci.port_type), "unknown");
	release(&f);
}

static void test_hostile_lists(void)
{
	struct fixture f;
	bool restricted = false;

	/* PCIe at 0x40 whose next pointer leads back to itself via 0x50. */
	setup(&f, 0x01, 0);
	pcie_cap(&f, 0x40, 4, 0x50);
	f.cfg[0x50] = 0x01;
	f.cfg[0x51] = 0x40;
	CHECK_INT(vs_pci_parse_config(&f.dev, f.cfg, 4096, 4096, &restricted), 0);
	CHECK_INT(f.pci.pcie, VS_YES);
	CHECK_INT(f.pci.port_type, VS_PORT_ROOT_PORT);
	CHECK(f.dev.errors & VS_DEVERR_CONFIG);
	CHECK(has_problem(&f, "capability list loops at 0x40"));
	release(&f);

	/* A loop before any PCIe capability: PCIe presence is unknown, not "no". */
	setup(&f, 0x00, 0);
	f.cfg[0x40] = 0x01;
	f.cfg[0x41] = 0x40;
	vs_pci_parse_config(&f.dev, f.cfg, 4096, 4096, &restricted);
	CHECK_INT(f.pci.pcie, VS_UNKNOWN);
	CHECK_INT(f.pci.acs.present, VS_UNKNOWN);
	CHECK(has_problem(&f, "loops"));
	release(&f);

	/* A pointer into the header. */
	setup(&f, 0x00, 0);
	f.cfg[0x34] = 0x10;
	vs_pci_parse_config(&f.dev, f.cfg, 4096, 4096, &restricted);
	CHECK(has_problem(&f, "capability pointer 0x10"));
	CHECK_INT(f.pci.pcie, VS_UNKNOWN);
	release(&f);

	/* Extended capability pointing at itself, ACS not found: unknown. */
	setup(&f, 0x00, 0);
	pcie_cap(&f, 0x40, 5, 0);
	ext_cap(&f, 0x100, 0x0001, 0x100);
	vs_pci_parse_config(&f.dev, f.cfg, 4096, 4096, &restricted);
	CHECK_INT(f.pci.acs.present, VS_UNKNOWN);
	CHECK(has_problem(&f, "extended capability list loops at 0x100"));
	release(&f);

	/* ACS found, then the list loops: ACS stays, the damage is flagged. */
	setup(&f, 0x00, 0);
	pcie_cap(&f, 0x40, 6, 0);
	ext_cap(&f, 0x100, 0x000d, 0x100);
	put16(f.cfg, 0x104, 0x001f);
	put16(f.cfg, 0x106, 0x0001);
	vs_pci_parse_config(&f.dev, f.cfg, 4096, 4096, &restricted);
	CHECK_INT(f.pci.acs.present, VS_YES);
	CHECK_INT(f.pci.acs.cap, 0x1f);
	CHECK(f.dev.errors & VS_DEVERR_CONFIG);
	release(&f);

	/* Next pointer below 0x100. */
	setup(&f, 0x00, 0);
	pcie_cap(&f, 0x40, 0, 0);
	ext_cap(&f, 0x100, 0x0001, 0x40);
	vs_pci_parse_config(&f.dev, f.cfg, 4096, 4096, &restricted);
	CHECK_INT(f.pci.acs.present, VS_UNKNOWN);
	CHECK(has_problem(&f, "points back to 0x040"));
	release(&f);

	/* Extended capability beyond what was read (a 300-byte file). */
	setup(&f, 0x00, 0);
	pcie_cap(&f, 0x40, 0, 0);
	ext_cap(&f, 0x100, 0x0001, 0x200);
	vs_pci_parse_config(&f.dev, f.cfg, 300, 4096, &restricted);
	CHECK_INT(f.pci.acs.present, VS_UNKNOWN);
	CHECK(has_problem(&f, "beyond the 300 bytes read"));
	release(&f);

	/* Bridge with impossible bus numbers. */
	setup(&f, 0x01, 0);
	f.cfg[0x19] = 0xff;
	f.cfg[0x1a] = 0x00;
	vs_pci_parse_config(&f.dev, f.cfg, 64, 64, &restricted);
	CHECK(has_problem(&f, "secondary ff above subordinate 00"));
	release(&f);
}

static void test_unusable_config(void)
{
	struct fixture f;
	bool restricted = false;

	setup(&f, 0x00, 0);
	memset(f.cfg, 0xff, sizeof(f.cfg));
	vs_pci_parse_config(&f.dev, f.cfg, 4096, 4096, &restricted);
	CHECK_INT(f.pci.cfg, VS_CFG_NONE);
	CHECK(has_problem(&f, "all ones"));
	CHECK_INT(f.pci.acs.present, VS_UNKNOWN);
	release(&f);

	setup(&f, 0x00, 0);
	vs_pci_parse_config(&f.dev, f.cfg, 20, 4096, &restricted);
	CHECK_INT(f.pci.cfg, VS_CFG_NONE);
	CHECK(has_problem(&f, "short read, 20 bytes"));
	release(&f);

	/* Config of some other device: nothing in it is trusted. */
	setup(&f, 0x00, 0);
	put16(f.cfg, 0, 0x10de);
	pcie_cap(&f, 0x40, 4, 0);
	vs_pci_parse_config(&f.dev, f.cfg, 4096, 4096, &restricted);
	CHECK_INT(f.pci.cfg, VS_CFG_NONE);
	CHECK_INT(f.pci.port_type, VS_PORT_UNKNOWN);
	CHECK(has_problem(&f, "do not match sysfs"));
	release(&f);

	/* IDs missing from sysfs: taken from config, and said so. */
	setup(&f, 0x00, 0);
	f.pci.ids_valid = false;
	f.pci.vendor = f.pci.device = 0;
	vs_pci_parse_config(&f.dev, f.cfg, 64, 64, &restricted);
	CHECK(f.pci.ids_valid);
	CHECK_INT(f.pci.vendor, 0x8086);
	CHECK_INT(f.pci.device, 0x1234);
	CHECK_INT(f.pci.class_code, 0x020000);
	CHECK(has_problem(&f, "IDs taken from config space"));
	release(&f);

	/* Nothing read at all: no problem sentence from the parser (the reader says why). */
	setup(&f, 0x00, 0);
	vs_pci_parse_config(&f.dev, f.cfg, 0, 4096, &restricted);
	CHECK_INT(f.pci.cfg, VS_CFG_NONE);
	CHECK_INT(f.dev.n_problems, 0);
	release(&f);
}

static void test_port_type_correction(void)
{
	/* probe.c:set_pcie_port_type() */
	CHECK_INT(vs_pci_correct_port_type(VS_PORT_DOWNSTREAM, VS_PORT_ROOT_PORT), VS_PORT_UPSTREAM);
	CHECK_INT(vs_pci_correct_port_type(VS_PORT_DOWNSTREAM, VS_PORT_DOWNSTREAM), VS_PORT_UPSTREAM);
	CHECK_INT(vs_pci_correct_port_type(VS_PORT_DOWNSTREAM, VS_PORT_PCI_TO_PCIE), VS_PORT_UPSTREAM);
	CHECK_INT(vs_pci_correct_port_type(VS_PORT_DOWNSTREAM, VS_PORT_UPSTREAM), VS_PORT_DOWNSTREAM);
	CHECK_INT(vs_pci_correct_port_type(VS_PORT_UPSTREAM, VS_PORT_UPSTREAM), VS_PORT_DOWNSTREAM);
	CHECK_INT(vs_pci_correct_port_type(VS_PORT_UPSTREAM, VS_PORT_ROOT_PORT), VS_PORT_UPSTREAM);
	CHECK_INT(vs_pci_correct_port_type(VS_PORT_UPSTREAM, VS_PORT_DOWNSTREAM), VS_PORT_UPSTREAM);
	/* No upstream bridge (root bus) or an unknown one: the register stands. */
	CHECK_INT(vs_pci_correct_port_type(VS_PORT_DOWNSTREAM, VS_PORT_UNKNOWN), VS_PORT_DOWNSTREAM);
	CHECK_INT(vs_pci_correct_port_type(VS_PORT_UPSTREAM, VS_PORT_UNKNOWN), VS_PORT_UPSTREAM);
	/* A conventional parent is not PCIe: no correction. */
	CHECK_INT(vs_pci_correct_port_type(VS_PORT_DOWNSTREAM, VS_PORT_PCI), VS_PORT_DOWNSTREAM);
	CHECK_INT(vs_pci_correct_port_type(VS_PORT_ENDPOINT, VS_PORT_UPSTREAM), VS_PORT_ENDPOINT);

	CHECK_INT(vs_port_type_from_reg(0), VS_PORT_ENDPOINT);
	CHECK_INT(vs_port_type_from_reg(7), VS_PORT_PCIE_TO_PCI);
	CHECK_INT(vs_port_type_from_reg(10), VS_PORT_RCEC);
	CHECK_INT(vs_port_type_from_reg(3), VS_PORT_OTHER);
	CHECK_STR(vs_port_type_name(VS_PORT_RCIEP), "rc_integrated_endpoint");
	CHECK_STR(vs_port_type_name(VS_PORT_UNKNOWN), "unknown");
	CHECK_STR(vs_port_type_label(VS_PORT_DOWNSTREAM), "Downstream Port");
}

int main(void)
{
	test_header_only();
	test_multifunction_rules();
	test_pcie_and_acs();
	test_hostile_lists();
	test_unusable_config();
	test_port_type_correction();
	return check_result("test-pciconfig");
}
