// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include "devfmt.h"

const char *vs_cli_red(const struct vs_cli *cli)
{
	return cli->color ? "\033[31m" : "";
}

const char *vs_cli_plain(const struct vs_cli *cli)
{
	return cli->color ? "\033[0m" : "";
}

static void pci_names(struct vs_cli *cli, struct vs_strbuf *sb, const struct vs_pci *pci)
{
	if (!pci->vendor_name)
		return;
	/* lspci's form when pci.ids knows the vendor but not the device. */
	if (pci->device_name)
		vs_strbuf_addf(sb, " %s %s", vs_cli_term(cli, pci->vendor_name),
			       vs_cli_term(cli, pci->device_name));
	else
		vs_strbuf_addf(sb, " %s Device %04x", vs_cli_term(cli, pci->vendor_name),
			       pci->device);
}

static void pci_head(struct vs_cli *cli, struct vs_strbuf *sb, const struct vs_device *dev)
{
	const struct vs_pci *pci = dev->pci;

	vs_strbuf_add(sb, dev->name);
	if (pci->port_type != VS_PORT_UNKNOWN)
		vs_strbuf_addf(sb, " %s", vs_port_type_label(pci->port_type));
	if (pci->ids_valid)
		vs_strbuf_addf(sb, " [%04x:%04x]", pci->vendor, pci->device);
	else
		vs_strbuf_add(sb, " [????:????]");
	pci_names(cli, sb, pci);
}

static void other_head(struct vs_cli *cli, struct vs_strbuf *sb, const struct vs_device *dev)
{
	vs_strbuf_addf(sb, "%s %s", vs_cli_term(cli, dev->name), vs_bus_name(dev->bus));
	if (dev->plat && dev->plat->compatible)
		vs_strbuf_addf(sb, " %s", vs_cli_term(cli, dev->plat->compatible));
	else if (dev->plat && dev->plat->of_node)
		vs_strbuf_addf(sb, " %s", vs_cli_term(cli, dev->plat->of_node));
}

void vs_cli_device_line(struct vs_cli *cli, struct vs_strbuf *sb,
			const struct vs_device *dev, unsigned flags)
{
	size_t i;

	if (dev->pci)
		pci_head(cli, sb, dev);
	else
		other_head(cli, sb, dev);
	vs_strbuf_add(sb, " (");
	if ((flags & VS_DEVLINE_VF) && dev->pci && dev->pci->physfn)
		vs_strbuf_addf(sb, "VF of %s, ", dev->pci->physfn->name);
	if (dev->driver)
		vs_strbuf_addf(sb, "driver %s", vs_cli_term(cli, dev->driver));
	else
		vs_strbuf_add(sb, "no driver");
	if (dev->driver_override)
		vs_strbuf_addf(sb, ", override %s", vs_cli_term(cli, dev->driver_override));
	if (flags & VS_DEVLINE_GROUP) {
		if (dev->iommu_group >= 0)
			vs_strbuf_addf(sb, ", group %d", dev->iommu_group);
		else
			vs_strbuf_add(sb, ", no group");
	}
	vs_strbuf_add(sb, ")");
	for (i = 0; i < dev->n_problems; i++)
		vs_strbuf_addf(sb, " %s[!] %s%s", vs_cli_red(cli),
			       vs_cli_term(cli, dev->problems[i]), vs_cli_plain(cli));
}
