/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to core/dt*.c. */
#ifndef VFIOSCOPE_DT_INTERNAL_H
#define VFIOSCOPE_DT_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>

#include "vfioscope/dt.h"

struct vs_dt_priv {
	struct vs_dt_node **by_phandle;	/* sorted by phandle */
	size_t n_by_phandle;
};

uint32_t vs_dt_be32(const unsigned char *p);
int vs_dt_node_problem(struct vs_dt_node *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Second pass of parsing: phandles, labels, reg, interrupts, references. */
int vs_dt_decode(struct vs_dt *dt);
/* Assemble a blob from an unpacked tree (sys/firmware/devicetree/base). */
int vs_dt_blob_from_dir(int rootfd, const char *rel, unsigned char **blob,
			size_t *len, struct vs_err *err);
/* The #address-cells / #size-cells a node gives its children. */
void vs_dt_child_cells(const struct vs_dt_node *n, int *ac, int *sc);
/* Whether a string property value is a list of printable NUL-terminated strings. */
bool vs_dt_is_stringlist(const unsigned char *val, size_t len);

#endif
