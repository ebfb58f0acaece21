// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The topology as JSON: the stable interface of docs/json.md. Field order is
 * fixed (json-c keeps insertion order) so that output diffs stay readable.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "vfioscope/topojson.h"

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *hex_string(unsigned v, int width)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%0*x", width, v);
	return json_object_new_string(buf);
}

static struct json_object *int_or_null(int v)
{
	return v >= 0 ? json_object_new_int(v) : NULL;
}

static struct json_object *name_or_null(const struct vs_device *dev)
{
	return dev ? json_object_new_string(dev->name) : NULL;
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *syspath_json(const struct vs_device *dev)
{
	struct json_object *o;
	char *s;

	if (!dev->syspath || asprintf(&s, "/%s", dev->syspath) < 0)
		return NULL;
	o = json_object_new_string(s);
	free(s);
	return o;
}

struct json_object *vs_json_errors(unsigned errors)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ VS_DEVERR_IDS, "ids" },
		{ VS_DEVERR_CONFIG, "config" },
		{ VS_DEVERR_DRIVER, "driver" },
		{ VS_DEVERR_OVERRIDE, "driver_override" },
		{ VS_DEVERR_GROUP, "iommu_group" },
		{ VS_DEVERR_PATH, "path" },
		{ VS_DEVERR_ATTR, "attr" },
	};
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < sizeof(names) / sizeof(names[0]); i++)
		if (errors & names[i].bit)
			json_object_array_add(a, json_object_new_string(names[i].name));
	return a;
}

static struct json_object *problems_json(const struct vs_device *dev)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < dev->n_problems; i++)
		json_object_array_add(a, json_object_new_string(dev->problems[i]));
	return a;
}

static struct json_object *acs_json(const struct vs_pci *pci)
{
	struct json_object *o;
	char buf[16];

	if (pci->acs.present == VS_UNKNOWN)
		return json_object_new_string("unknown");
	if (pci->acs.present == VS_NO)
		return NULL;
	o = json_object_new_object();
	snprintf(buf, sizeof(buf), "0x%04x", pci->acs.cap);
	add(o, "cap", json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "0x%04x", pci->acs.ctrl);
	add(o, "ctrl", json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "0x%03x", pci->acs.offset);
	add(o, "offset", json_object_new_string(buf));
	return o;
}

static const char *cfg_name(enum vs_cfg_access c)
{
	switch (c) {
	case VS_CFG_FULL: return "full";
	case VS_CFG_HEADER: return "header";
	case VS_CFG_NONE: break;
	}
	return "none";
}

static struct json_object *link_json(const struct vs_pci *pci)
{
	struct json_object *o;

	if (!pci->link_speed && !pci->link_width && !pci->max_link_speed && !pci->max_link_width)
		return NULL;
	o = json_object_new_object();
	add(o, "speed", str_or_null(pci->link_speed));
	add(o, "width", str_or_null(pci->link_width));
	add(o, "max_speed", str_or_null(pci->max_link_speed));
	add(o, "max_width", str_or_null(pci->max_link_width));
	return o;
}

static struct json_object *pci_device_json(const struct vs_device *dev)
{
	const struct vs_pci *pci = dev->pci;
	struct json_object *o = json_object_new_object(), *vfs, *sriov = NULL;
	size_t i;

	if (!o)
		return NULL;
	add(o, "address", json_object_new_string(dev->name));
	add(o, "vendor", pci->ids_valid ? hex_string(pci->vendor, 4) : NULL);
	add(o, "device", pci->ids_valid ? hex_string(pci->device, 4) : NULL);
	add(o, "class", hex_string(pci->class_code >> 8, 4));
	add(o, "prog_if", hex_string(pci->class_code & 0xff, 2));
	add(o, "subsystem_vendor", hex_string(pci->subvendor, 4));
	add(o, "subsystem_device", hex_string(pci->subdevice, 4));
	add(o, "revision", pci->revision >= 0 ? hex_string((unsigned)pci->revision, 2) : NULL);
	add(o, "header_type", int_or_null(pci->header_layout));
	add(o, "vendor_name", str_or_null(pci->vendor_name));
	add(o, "device_name", str_or_null(pci->device_name));
	add(o, "driver", str_or_null(dev->driver));
	add(o, "driver_override", str_or_null(dev->driver_override));
	add(o, "iommu_group", int_or_null(dev->iommu_group));
	add(o, "parent", name_or_null(dev->parent));
	add(o, "root_bus", str_or_null(pci->root_bus));
	add(o, "vmd", name_or_null(pci->vmd));
	add(o, "port_type", json_object_new_string(vs_port_type_name(pci->port_type)));
	add(o, "port_type_raw", json_object_new_string(vs_port_type_name(pci->port_type_raw)));
	add(o, "multifunction", json_object_new_boolean(pci->multifunction));
	add(o, "bridge", json_object_new_boolean(vs_pci_is_bridge(dev)));
	add(o, "secondary_bus", int_or_null(pci->secondary_bus));
	add(o, "subordinate_bus", int_or_null(pci->subordinate_bus));
	add(o, "acs", acs_json(pci));
	add(o, "config", json_object_new_string(cfg_name(pci->cfg)));
	add(o, "config_size", json_object_new_int64((int64_t)pci->cfg_size));
	add(o, "physfn", name_or_null(pci->physfn));
	vfs = json_object_new_array();
	for (i = 0; vfs && i < pci->n_vfs; i++)
		json_object_array_add(vfs, json_object_new_string(pci->vfs[i]->name));
	add(o, "vfs", vfs);
	if (pci->sriov_totalvfs >= 0 || pci->sriov_numvfs >= 0) {
		sriov = json_object_new_object();
		add(sriov, "totalvfs", int_or_null(pci->sriov_totalvfs));
		add(sriov, "numvfs", int_or_null(pci->sriov_numvfs));
	}
	add(o, "sriov", sriov);
	add(o, "reset_method", str_or_null(pci->reset_method));
	add(o, "boot_vga", pci->boot_vga >= 0 ? json_object_new_boolean(pci->boot_vga) : NULL);
	add(o, "numa_node", int_or_null(pci->numa_node));
	add(o, "link", link_json(pci));
	add(o, "syspath", syspath_json(dev));
	add(o, "errors", vs_json_errors(dev->errors));
	add(o, "problems", problems_json(dev));
	return o;
}

static struct json_object *other_device_json(const struct vs_device *dev)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add(o, "name", json_object_new_string(dev->name));
	add(o, "bus", json_object_new_string(vs_bus_name(dev->bus)));
	add(o, "driver", str_or_null(dev->driver));
	add(o, "driver_override", str_or_null(dev->driver_override));
	add(o, "iommu_group", int_or_null(dev->iommu_group));
	add(o, "parent", name_or_null(dev->parent));
	if (dev->plat) {
		add(o, "of_node", str_or_null(dev->plat->of_node));
		add(o, "compatible", str_or_null(dev->plat->compatible));
		add(o, "modalias", str_or_null(dev->plat->modalias));
	}
	if (dev->mc) {
		add(o, "obj_type", str_or_null(dev->mc->obj_type));
		add(o, "obj_id", json_object_new_int(dev->mc->obj_id));
		add(o, "container", name_or_null(dev->mc->container));
	}
	add(o, "syspath", syspath_json(dev));
	add(o, "errors", vs_json_errors(dev->errors));
	add(o, "problems", problems_json(dev));
	return o;
}

struct json_object *vs_json_device(const struct vs_topology *topo,
				   const struct vs_device *dev)
{
	(void)topo;
	return dev->pci ? pci_device_json(dev) : other_device_json(dev);
}

struct json_object *vs_json_warnings(const struct vs_topology *topo)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < topo->n_warnings; i++)
		json_object_array_add(a, json_object_new_string(topo->warnings[i]));
	return a;
}

struct json_object *vs_json_tree(const struct vs_topology *topo)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	if (!o || !a) {
		json_object_put(o);
		json_object_put(a);
		return NULL;
	}
	for (i = 0; i < topo->n_pci; i++)
		json_object_array_add(a, vs_json_device(topo, topo->devices[i]));
	add(o, "devices", a);
	add(o, "config_restricted", json_object_new_boolean(topo->cfg_restricted));
	add(o, "warnings", vs_json_warnings(topo));
	return o;
}
