// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Vendor and device names from pci.ids through libpci.
 *
 * libpci reports trouble through callbacks without a user pointer, and its
 * default error callback exits the process. The callbacks here record the
 * message in the lookup that is running (found through a thread-local
 * pointer that is only set while a libpci call is in progress) and unwind
 * with longjmp, which is what libpci expects of an error callback that
 * does not exit (it is declared noreturn).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pci/pci.h>

#include "scan.h"

struct vs_names {
	struct pci_access *acc;
	char *ids_path;		/* owned copy handed to libpci, or NULL for its default */
	char *sysfs_path;
	bool loaded, failed;
	char *why;		/* why loading failed */
	jmp_buf unwind;
};

static __thread struct vs_names *names_active;

static void names_record(const char *fmt, va_list ap)
{
	struct vs_names *n = names_active;
	char *msg;

	if (!n || n->why)
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	msg[strcspn(msg, "\n")] = '\0';
	n->why = msg;
}

static __attribute__((noreturn)) void names_error(char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	names_record(fmt, ap);
	va_end(ap);
	longjmp(names_active->unwind, 1);
}

static void names_warning(char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	names_record(fmt, ap);
	va_end(ap);
}

static void names_debug(char *fmt, ...)
{
	(void)fmt;
}

int vs_names_open(const struct vs_root *root, const char *pci_ids,
		  struct vs_names **out)
{
	struct vs_names *n;
	struct stat st;

	*out = NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	if (pci_ids) {
		n->ids_path = strdup(pci_ids);
	} else if (!root->live && fstatat(root->fd, "usr/share/misc/pci.ids", &st, 0) == 0) {
		/* A fixture root carries its own pci.ids: output must not depend on the host's. */
		n->ids_path = vs_root_abspath(root, "usr/share/misc/pci.ids");
		if (!n->ids_path) {
			free(n);
			return -ENOMEM;
		}
	}
	if (pci_ids && !n->ids_path) {
		free(n);
		return -ENOMEM;
	}
	n->sysfs_path = vs_root_abspath(root, "sys/bus/pci");
	if (!n->sysfs_path) {
		free(n->ids_path);
		free(n);
		return -ENOMEM;
	}
	*out = n;
	return 0;
}

/* pci_alloc() and the first lookup (which parses the whole file) happen here. */
static void names_load(struct vs_names *n)
{
	struct vs_names *prev = names_active;

	n->loaded = true;
	names_active = n;
	if (setjmp(n->unwind)) {
		n->failed = true;
		names_active = prev;
		return;
	}
	n->acc = pci_alloc();
	n->acc->error = names_error;
	n->acc->warning = names_warning;
	n->acc->debug = names_debug;
	/*
	 * The names must come from the ID file only: no udev hwdb (its strings
	 * differ and depend on the host), no network, no per-user cache.
	 * The access method and sysfs path point at the same system root for
	 * anyone who later asks libpci for more than names.
	 */
	n->acc->method = PCI_ACCESS_SYS_BUS_PCI;
	n->acc->id_lookup_mode = PCI_LOOKUP_NO_HWDB;
	pci_set_param(n->acc, "sysfs.path", n->sysfs_path);
	pci_set_param(n->acc, "hwdb.disable", "1");
	if (n->ids_path)
		pci_set_name_list_path(n->acc, n->ids_path, 0);
	if (!pci_load_name_list(n->acc)) {
		n->failed = true;
		if (!n->why && asprintf(&n->why, "cannot read the PCI ID list %s",
					n->acc->id_file_name) < 0)
			n->why = NULL;
	}
	names_active = prev;
}

int vs_names_lookup(struct vs_names *n, unsigned vendor, unsigned device,
		    char **vendor_name, char **device_name, char **why)
{
	struct vs_names *prev = names_active;
	char buf[256];
	char *volatile v = NULL;
	char *volatile d = NULL;

	*vendor_name = *device_name = NULL;
	if (why)
		*why = NULL;
	if (!n->loaded)
		names_load(n);
	if (n->failed) {
		if (why && n->why)
			*why = strdup(n->why);
		return -ENOENT;
	}
	names_active = n;
	if (setjmp(n->unwind)) {
		names_active = prev;
		free(v);
		n->failed = true;
		if (why && n->why)
			*why = strdup(n->why);
		return -ENOENT;
	}
	if (pci_lookup_name(n->acc, buf, sizeof(buf),
			    PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, (int)vendor)) {
		v = strdup(buf);
		if (!v)
			goto oom;
	}
	if (pci_lookup_name(n->acc, buf, sizeof(buf),
			    PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, (int)vendor, (int)device)) {
		d = strdup(buf);
		if (!d)
			goto oom;
	}
	names_active = prev;
	*vendor_name = v;
	*device_name = d;
	return 0;
oom:
	names_active = prev;
	free(v);
	return -ENOMEM;
}

void vs_names_free(struct vs_names *n)
{
	if (!n)
		return;
	if (n->acc) {
		struct vs_names *prev = names_active;

		names_active = n;
		if (!setjmp(n->unwind))
			pci_cleanup(n->acc);
		names_active = prev;
	}
	free(n->ids_path);
	free(n->sysfs_path);
	free(n->why);
	free(n);
}
