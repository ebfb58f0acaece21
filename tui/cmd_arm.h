/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the arm area's commands (tui/cmd_arm_dt.c, tui/cmd_guestdt.c). */
#ifndef VFIOSCOPE_CMD_ARM_H
#define VFIOSCOPE_CMD_ARM_H

#include "cli.h"
#include "vfioscope/dt.h"

/**
 * struct arm_env - the scanned system and its device tree.
 * @dt: NULL only when the system has no device tree and @need_dt was false
 */
struct arm_env {
	struct vs_topology *topo;
	struct vs_dt *dt;
};

/** arm_env_open() - scan with platform buses and load the DT; prints errors. */
int arm_env_open(struct vs_cli *cli, bool need_dt, struct arm_env *env);
void arm_env_close(struct arm_env *env);

/**
 * arm_resolve() - a user's name for a device or DT node: a sysfs device name
 * ("5b040000.ethernet", "dprc.2"), a DT path or a DT label. Sets *@dev
 * (NULL when no device has that node) and *@node (NULL for fsl-mc objects
 * or without a DT). Prints the error. Return: VS_EXIT_OK or VS_EXIT_FAIL.
 */
int arm_resolve(struct vs_cli *cli, const struct arm_env *env, const char *spec,
		const struct vs_device **dev, const struct vs_dt_node **node);

/**
 * arm_resolve_nodes() - arm_resolve() each of @n names into new arrays
 * *@devs and *@nodes (free() both, also on failure); every name must have a
 * device-tree node. Prints the error. Return: VS_EXIT_OK or VS_EXIT_FAIL.
 */
int arm_resolve_nodes(struct vs_cli *cli, const struct arm_env *env,
		      const char *const *specs, size_t n,
		      const struct vs_device ***devs, const struct vs_dt_node ***nodes);

#endif
