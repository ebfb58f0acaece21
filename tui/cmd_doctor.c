// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vfioscope doctor [--json]`: is the host ready for VFIO? Each check is OK,
 * WARN or FAIL with a one-line fix. Exit status 0 when nothing failed, 1
 * when a check failed.
 */
#include "config.h"

#include <string.h>

#include "cli.h"
#include "cmd_diag.h"
#include "devfmt.h"
#include "vfioscope/diag.h"

int cmd_doctor(struct vs_cli *cli, int argc, char **argv)
{
	struct vs_topology *topo = NULL;
	struct vs_doctor *doc = NULL;
	struct vs_err err = VS_ERR_INIT;
	bool json = false;
	int r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--") != 0)
			return vs_cli_usage(cli, "doctor: unexpected argument '%s'", argv[i]);
	}
	r = vs_cli_scan(cli, VS_SCAN_PLATFORM, &topo);
	if (r != VS_EXIT_OK)
		return r;
	if (vs_doctor_run(topo, &doc, &err) < 0) {
		vs_cli_error(cli, "%s", vs_err_msg(&err));
		vs_err_release(&err);
		vs_topology_free(topo);
		return VS_EXIT_FAIL;
	}
	if (json) {
		r = vs_cli_print_json(cli, vs_doctor_json(doc));
	} else {
		for (size_t i = 0; i < doc->n_checks; i++) {
			const struct vs_check *c = &doc->checks[i];
			const char *col = c->status == VS_CHECK_OK ? "" : vs_cli_red(cli);
			char lead[48];

			snprintf(lead, sizeof(lead), "%s%-4s%s  %s: ", col, vs_check_status_name(c->status),
				 c->status == VS_CHECK_OK ? "" : vs_cli_plain(cli), c->id);
			vs_diag_print_wrapped(cli, lead, 6, c->summary);
			if (c->fix)
				vs_diag_print_wrapped(cli, c->status == VS_CHECK_OK ? "      hint: " :
						      "      fix: ", 11, c->fix);
		}
		fprintf(cli->out, "\n%zu OK, %zu WARN, %zu FAIL\n",
			doc->n_checks - doc->n_warn - doc->n_fail, doc->n_warn, doc->n_fail);
	}
	if (r == VS_EXIT_OK && doc->n_fail)
		r = VS_EXIT_FAIL;
	vs_doctor_free(doc);
	vs_topology_free(topo);
	return r;
}
