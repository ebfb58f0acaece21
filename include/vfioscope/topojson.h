/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The topology as JSON (json-c objects): the stable interface documented in
 * docs/json.md. `tree --json` prints these; other commands embed
 * vs_json_device() objects in their own output so that a device always
 * looks the same. (`groups --json` writes its groups directly, without
 * json-c objects: tui/cmd_groups.c.)
 *
 * Every function returns a new reference (or NULL on allocation failure).
 * Strings from the system are stored as they are; json-c escapes them.
 */
#ifndef VFIOSCOPE_TOPOJSON_H
#define VFIOSCOPE_TOPOJSON_H

#include <json-c/json.h>

#include "vfioscope/topology.h"

/**
 * vs_json_device() - one device: for PCI the fields of docs/json.md
 * ("address", "vendor", ..., "acs", "errors", "problems"); for other buses
 * "name", "bus", driver, override, group, parent and the bus's own fields.
 */
struct json_object *vs_json_device(const struct vs_topology *topo,
				   const struct vs_device *dev);

/** vs_json_tree() - {"devices":[every PCI function in address order], ...}. */
struct json_object *vs_json_tree(const struct vs_topology *topo);

/** vs_json_warnings() - the topology's scan warnings as an array of strings. */
struct json_object *vs_json_warnings(const struct vs_topology *topo);

/**
 * vs_json_errors() - the names of VS_DEVERR_* bits as a JSON array:
 * "ids", "config", "driver", "driver_override", "iommu_group", "path", "attr".
 */
struct json_object *vs_json_errors(unsigned errors);

#endif
