// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Text forms of a struct vs_vmargs: QEMU words, libvirt XML, a shell script.
 * Nothing here reads the system; everything from it is quoted or escaped.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfioscope/vmargs.h"

void vs_qemu_opt_escape(struct vs_strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == ',')
			vs_strbuf_addch(sb, ',');
		vs_strbuf_addch(sb, *s);
	}
}

int vs_xml_escape(struct vs_strbuf *sb, const char *s)
{
	/* vs_sanitize_term() changes exactly the control characters and
	 * invalid UTF-8, which is what XML cannot carry faithfully (tab, LF
	 * and CR in attributes would be normalised to spaces). */
	char *clean = vs_sanitize_term(s, true);
	bool same;

	if (!clean) {
		sb->oom = true;
		return -ENOMEM;
	}
	same = strcmp(clean, s) == 0;
	free(clean);
	if (!same)
		return -EILSEQ;
	for (; *s; s++) {
		switch (*s) {
		case '&':
			vs_strbuf_add(sb, "&amp;");
			break;
		case '<':
			vs_strbuf_add(sb, "&lt;");
			break;
		case '>':
			vs_strbuf_add(sb, "&gt;");
			break;
		case '\'':
			vs_strbuf_add(sb, "&apos;");
			break;
		case '"':
			vs_strbuf_add(sb, "&quot;");
			break;
		default:
			vs_strbuf_addch(sb, *s);
		}
	}
	return 0;
}

char *vs_vmargs_qemu(const struct vs_vmargs *va, bool one_line)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;

	for (size_t i = 0; i < va->argc; i++) {
		if (i && one_line)
			vs_strbuf_addch(&sb, ' ');
		vs_shell_quote(&sb, va->argv[i]);
		if (!one_line)
			vs_strbuf_addch(&sb, i % 2 ? '\n' : ' ');
	}
	if (one_line && va->argc)
		vs_strbuf_addch(&sb, '\n');
	if (!sb.oom && !sb.buf)
		return strdup("");
	return vs_strbuf_detach(&sb);
}

/* ---- libvirt ----------------------------------------------------------- */

static void libvirt_pci(struct vs_strbuf *sb, const struct vs_vmargs *va,
			const struct vs_vm_entry *e)
{
	const struct vs_pci *p = e->device->pci;
	const struct vs_vm_port *port = &va->ports[e->port];

	if (port->libvirt_bus >= 0 && (e == va->entries || e[-1].port != e->port))
		vs_strbuf_addf(sb,
			       "<!-- vfioscope: the %zu functions of host slot %04x:%02x:%02x stay "
			       "together in one guest slot on PCI controller index 0x%02x; libvirt "
			       "adds a pcie-root-port for an index the domain lacks. If the domain "
			       "uses 0x%02x for another controller, give these functions the index "
			       "of a free pcie-root-port instead. -->\n",
			       port->n_functions, p->domain, p->bus, p->dev, port->libvirt_bus,
			       port->libvirt_bus);
	vs_strbuf_add(sb, "<hostdev mode='subsystem' type='pci' managed='yes'>\n"
		      "  <driver name='vfio'/>\n"
		      "  <source>\n");
	vs_strbuf_addf(sb, "    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
		       "function='0x%x'/>\n", p->domain, p->bus, p->dev, p->fn);
	vs_strbuf_add(sb, "  </source>\n");
	/* User aliases ("ua-") become the QEMU id: the same stable name. */
	vs_strbuf_addf(sb, "  <alias name='ua-%s'/>\n", e->id);
	if (port->libvirt_bus >= 0)
		vs_strbuf_addf(sb, "  <address type='pci' domain='0x0000' bus='0x%02x' "
			       "slot='0x00' function='0x%x'%s/>\n", port->libvirt_bus,
			       e->guest_fn, e->multifunction ? " multifunction='on'" : "");
	vs_strbuf_add(sb, "</hostdev>\n");
}

static int libvirt_cmdline(struct vs_strbuf *sb, const struct vs_vmargs *va,
			   struct vs_err *err)
{
	bool any = false;
	size_t k = 0;

	for (size_t i = 0; i < va->n_entries; i++)
		any |= va->entries[i].kind != VS_VM_PCI;
	if (!any)
		return 0;
	vs_strbuf_add(sb, "<!-- vfioscope: libvirt has no hostdev type for platform, AMBA or "
		      "fsl-mc devices, so they reach QEMU through qemu:commandline. libvirt "
		      "does not bind them (bind them first: vfioscope bind), and its device "
		      "cgroup and namespace must let QEMU open");
	for (size_t i = 0; i < va->n_entries; i++) {
		const struct vs_vm_entry *e = &va->entries[i];
		bool seen = false;

		if (e->kind == VS_VM_PCI || e->device->iommu_group < 0)
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= va->entries[j].kind != VS_VM_PCI &&
				va->entries[j].device->iommu_group == e->device->iommu_group;
		if (!seen)
			vs_strbuf_addf(sb, "%s /dev/vfio/%d", k++ ? "," : "",
				       e->device->iommu_group);
	}
	vs_strbuf_add(sb, k ? "" : " the /dev/vfio nodes");
	vs_strbuf_add(sb, " (cgroup_device_acl in qemu.conf). -->\n"
		      "<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n");
	for (size_t i = 0; i < va->n_entries; i++) {
		const struct vs_vm_entry *e = &va->entries[i];

		if (e->kind == VS_VM_PCI)
			continue;
		vs_strbuf_add(sb, "  <qemu:arg value='-device'/>\n  <qemu:arg value='");
		if (vs_xml_escape(sb, e->arg) < 0)
			return vs_err_set(err, sb->oom ? -ENOMEM : -EILSEQ,
					  "the name of device %s holds control characters or "
					  "invalid UTF-8, which libvirt's XML cannot carry",
					  e->device->name);
		vs_strbuf_add(sb, "'/>\n");
	}
	vs_strbuf_add(sb, "</qemu:commandline>\n");
	return 0;
}

int vs_vmargs_libvirt(const struct vs_vmargs *va, char **out, struct vs_err *err)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	int r;

	*out = NULL;
	for (size_t i = 0; i < va->n_entries; i++)
		if (va->entries[i].kind == VS_VM_PCI)
			libvirt_pci(&sb, va, &va->entries[i]);
	r = libvirt_cmdline(&sb, va, err);
	if (r) {
		vs_strbuf_release(&sb);
		return r;
	}
	if (sb.oom) {
		vs_strbuf_release(&sb);
		return vs_err_set(err, -ENOMEM, "out of memory");
	}
	*out = sb.buf ? vs_strbuf_detach(&sb) : strdup("");
	return *out ? 0 : vs_err_set(err, -ENOMEM, "out of memory");
}

/* ---- shell ------------------------------------------------------------- */

char *vs_vmargs_shell(const struct vs_vmargs *va, const char *plan_script)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;

	vs_strbuf_add(&sb, "#!/bin/sh\n"
		      "# Made by vfioscope qemu-args: binds the devices below to vfio, then\n"
		      "# starts QEMU with them. Usage: sh SCRIPT [QEMU-OPTIONS...]\n"
		      "# (QEMU=/path/to/qemu-system-ARCH picks the binary.)\n");
	for (size_t i = 0; i < va->n_notes; i++) {
		/* Sanitized: a newline in a device name must not end the comment. */
		char *t;

		if (vs_vm_note_bind_fixes(va->notes[i].code))
			continue;
		t = vs_sanitize_term(va->notes[i].text, true);
		if (!t) {
			sb.oom = true;
			break;
		}
		vs_strbuf_addf(&sb, "# %s: %s\n", va->notes[i].warning ? "warning" : "note", t);
		free(t);
	}
	if (!plan_script || !*plan_script)
		vs_strbuf_add(&sb, "set -e\n\n");
	if (plan_script && *plan_script) {
		const char *p = plan_script;
		size_t len;

		if (p[0] == '#' && p[1] == '!') {
			p = strchr(p, '\n');
			p = p ? p + 1 : "";
		}
		len = strlen(p);
		vs_strbuf_addch(&sb, '\n');
		vs_strbuf_add(&sb, p);
		if (len && p[len - 1] != '\n')
			vs_strbuf_addch(&sb, '\n');
		vs_strbuf_addch(&sb, '\n');
	}
	vs_strbuf_add(&sb, "exec \"${QEMU:-qemu-system-$(uname -m)}\" \"$@\"");
	for (size_t i = 0; i < va->argc; i += 2) {
		vs_strbuf_add(&sb, " \\\n\t");
		vs_shell_quote(&sb, va->argv[i]);
		vs_strbuf_addch(&sb, ' ');
		vs_shell_quote(&sb, va->argv[i + 1]);
	}
	vs_strbuf_addch(&sb, '\n');
	return vs_strbuf_detach(&sb);
}
