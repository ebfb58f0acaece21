// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the device-tree layer: parse the input as a blob and,
 * when it parses, compute the closure and the guest tree of every node with
 * a reg window. Built and run by tests/arm-libfuzzer.sh when clang has
 * -fsanitize=fuzzer.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "vfioscope/dt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_guest_opts opts = VS_GUEST_OPTS_INIT;
	struct vs_err err = VS_ERR_INIT;
	struct vs_dt_closure *c;
	struct vs_dt *dt;
	char *dts, *dn;
	size_t i;

	if (vs_dt_parse_blob(data, size, "fuzz", &dt, &err) < 0) {
		vs_err_release(&err);
		return 0;
	}
	for (i = 0; i < dt->n_nodes; i++) {
		const struct vs_dt_node *one = dt->nodes[i];

		dn = vs_dt_devname(one);
		free(dn);
		if (!one->n_reg)
			continue;
		if (vs_dt_closure(dt, &one, 1, &c, &err) == 0)
			vs_dt_closure_free(c);
		if (vs_guest_dts(dt, &one, 1, &opts, &dts, &err) == 0)
			free(dts);
		vs_err_release(&err);
	}
	vs_dt_free(dt);
	return 0;
}
