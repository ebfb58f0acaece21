// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the rebinding core that need no fixture tree: the privilege
 * rule, the journal file (atomic replace, removal when empty, a corrupt
 * file), the shell form of a step with hostile strings, and the /dev/vfio
 * holder scan on a hand-made proc/.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vfioscope/bind.h"

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			failures++;                                        \
		}                                                          \
	} while (0)

static char *tmpdir;

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (n < 0 || system(cmd) != 0) {
		fprintf(stderr, "setup command failed: %s\n", fmt);
		exit(99);
	}
	free(cmd);
}

static void test_privilege(void)
{
	struct vs_root live = { .path = (char *)"/", .fd = -1, .live = true };
	struct vs_root fixture = { .path = tmpdir, .fd = -1, .live = false };
	struct vs_err err = VS_ERR_INIT;

	CHECK(vs_bind_check_privilege(&live, 1000, &err) == -EPERM, "non-root on the live system");
	CHECK(strstr(vs_err_msg(&err), "needs root") && strstr(vs_err_msg(&err), "nothing was changed"),
	      "message: %s", vs_err_msg(&err));
	vs_err_release(&err);
	CHECK(vs_bind_check_privilege(&live, 0, &err) == 0, "root on the live system");
	CHECK(vs_bind_check_privilege(&fixture, 1000, &err) == 0, "any user on a fixture");
}

static bool file_exists(const char *rel)
{
	char *p;
	bool ok;

	if (asprintf(&p, "%s/%s", tmpdir, rel) < 0)
		exit(99);
	ok = access(p, F_OK) == 0;
	free(p);
	return ok;
}

static void test_journal(void)
{
	struct vs_journal_entry a = {
		.name = (char *)"0001:03:00.0", .bus = VS_BUS_PCI, .driver = (char *)"ath10k_pci",
		.override = NULL, .target = (char *)"vfio-pci", .since = 1700000000,
	};
	struct vs_journal_entry b = {
		.name = (char *)"dprc.2", .bus = VS_BUS_FSL_MC, .driver = NULL,
		.override = (char *)"pci-stub", .target = (char *)"vfio-fsl-mc", .since = 1,
	};
	struct vs_err err = VS_ERR_INIT;
	struct vs_journal *j = NULL, *back = NULL;
	const struct vs_journal_entry *e;
	struct vs_root *root = NULL;
	char *p;
	int lockfd, r;

	CHECK(vs_root_open(tmpdir, &root, &err) == 0, "open root: %s", vs_err_msg(&err));
	if (!root)
		return;
	CHECK(vs_journal_read(root, &j, &err) == 0 && j && j->n == 0, "missing journal is empty");
	CHECK(vs_journal_add(j, &a) == 0 && vs_journal_add(j, &b) == 0, "add");
	CHECK(vs_journal_write(root, j, &err) == 0, "write: %s", vs_err_msg(&err));
	CHECK(file_exists(VS_JOURNAL_FILE), "journal file written");
	CHECK(vs_journal_read(root, &back, &err) == 0 && back && back->n == 2, "read back");
	e = vs_journal_find(back, VS_BUS_PCI, "0001:03:00.0");
	CHECK(e && vs_streq(e->driver, "ath10k_pci") && !e->override &&
	      vs_streq(e->target, "vfio-pci") && e->since == 1700000000, "entry a round trip");
	e = vs_journal_find(back, VS_BUS_FSL_MC, "dprc.2");
	CHECK(e && !e->driver && vs_streq(e->override, "pci-stub"), "entry b round trip");
	CHECK(!vs_journal_find(back, VS_BUS_PLATFORM, "dprc.2"), "the bus is part of the key");
	vs_journal_free(back);
	back = NULL;

	/* no temporary file is left beside it */
	if (asprintf(&p, "test \"$(ls -A %s/run/vfioscope)\" = journal.json", tmpdir) < 0)
		exit(99);
	CHECK(system(p) == 0, "run/vfioscope holds only journal.json");
	free(p);

	CHECK(vs_journal_remove(j, VS_BUS_PCI, "0001:03:00.0"), "remove a");
	CHECK(!vs_journal_remove(j, VS_BUS_PCI, "0001:03:00.0"), "remove a twice");
	CHECK(vs_journal_write(root, j, &err) == 0 && file_exists(VS_JOURNAL_FILE), "write one");
	CHECK(vs_journal_remove(j, VS_BUS_FSL_MC, "dprc.2"), "remove b");
	CHECK(vs_journal_write(root, j, &err) == 0 && !file_exists(VS_JOURNAL_FILE),
	      "an empty journal removes the file");
	vs_journal_free(j);

	sh("printf '{\"version\":1,\"devices\":[{\"bus\":\"pci\"}]}' > %s/run/vfioscope/journal.json", tmpdir);
	r = vs_journal_read(root, &back, &err);
	CHECK(r == -EBADMSG && !back, "entry without name: %d", r);
	CHECK(strstr(vs_err_msg(&err), "/run/vfioscope/journal.json does not have the expected fields"),
	      "message: %s", vs_err_msg(&err));
	vs_err_release(&err);
	sh("printf '{' > %s/run/vfioscope/journal.json", tmpdir);
	CHECK(vs_journal_read(root, &back, &err) == -EBADMSG, "truncated JSON");
	CHECK(strstr(vs_err_msg(&err), "is not valid JSON"), "message: %s", vs_err_msg(&err));
	vs_err_release(&err);
	sh("rm %s/run/vfioscope/journal.json", tmpdir);

	lockfd = vs_journal_lock(root, &err);
	CHECK(lockfd >= 0, "lock: %s", vs_err_msg(&err));
	if (lockfd >= 0) {
		pid_t pid = fork();

		if (pid == 0) {
			struct vs_err cerr = VS_ERR_INIT;

			_exit(vs_journal_lock(root, &cerr) == -EBUSY ? 0 : 1);
		}
		{
			int status = 0;

			waitpid(pid, &status, 0);
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "a second process gets -EBUSY");
		}
		close(lockfd);
	}
	vs_root_free(root);
}

static void test_shell(void)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	struct vs_step s = {
		.action = VS_STEP_SET_OVERRIDE, .dev = 0,
		.rel = (char *)"x", .path = (char *)"/sys/bus/platform/devices/a'b $(c)\n/driver_override",
		.value = (char *)"vfio-platform", .driver = (char *)"vfio-platform", .reason = (char *)"r",
	};

	vs_step_shell(&sb, &s, "a'b $(c)\n");
	CHECK(strcmp(vs_strbuf_cstr(&sb), "printf '%s' vfio-platform > "
		     "'/sys/bus/platform/devices/a'\\''b $(c)\n/driver_override'") == 0,
	      "override: %s", vs_strbuf_cstr(&sb));
	vs_strbuf_reset(&sb);
	s.value = (char *)"\n";
	vs_step_shell(&sb, &s, NULL);
	CHECK(strncmp(vs_strbuf_cstr(&sb), "echo > '", 8) == 0, "clear: %s", vs_strbuf_cstr(&sb));
	vs_strbuf_reset(&sb);
	s.action = VS_STEP_VERIFY;
	s.path = (char *)"/sys/bus/pci/devices/0000:01:00.0/driver";
	s.driver = NULL;
	vs_step_shell(&sb, &s, "0000:01:00.0");
	CHECK(strcmp(vs_strbuf_cstr(&sb), "if [ -L /sys/bus/pci/devices/0000:01:00.0/driver ]; then "
		     "echo 'vfioscope: 0000:01:00.0 is still on a driver' >&2; exit 1; fi") == 0,
	      "verify none: %s", vs_strbuf_cstr(&sb));
	vs_strbuf_reset(&sb);
	s.action = VS_STEP_LOAD_MODULE;
	s.value = (char *)"vfio-pci";
	vs_step_shell(&sb, &s, NULL);
	CHECK(strcmp(vs_strbuf_cstr(&sb), "modprobe vfio-pci") == 0, "modprobe: %s", vs_strbuf_cstr(&sb));
	vs_strbuf_release(&sb);
}

static void test_holders(void)
{
	struct vs_err err = VS_ERR_INIT;
	struct vs_vfio_holders *h = NULL;
	struct vs_root *root = NULL;
	size_t i;
	bool saw42 = false, saw43 = false;

	sh("mkdir -p %s/proc/42/fd %s/proc/43/fd %s/proc/self", tmpdir, tmpdir, tmpdir);
	sh("ln -s /dev/vfio/noiommu-5 %s/proc/42/fd/3 && ln -s /dev/vfio/noiommu-5 %s/proc/42/fd/4 "
	   "&& ln -s /dev/null %s/proc/42/fd/0", tmpdir, tmpdir, tmpdir);
	sh("ln -s /dev/vfio/devices/vfio0 %s/proc/43/fd/1 && ln -s /dev/vfio/vfio %s/proc/43/fd/2 "
	   "&& printf 'cloud-hyperviso\\n' > %s/proc/43/comm", tmpdir, tmpdir, tmpdir);
	sh("mkdir -p %s/sys/class/vfio-dev && ln -s ../../devices/pci0000:00/0000:00:02.0/vfio-dev/vfio0 "
	   "%s/sys/class/vfio-dev/vfio0", tmpdir, tmpdir);
	CHECK(vs_root_open(tmpdir, &root, &err) == 0, "open root");
	if (!root)
		return;
	CHECK(vs_vfio_holders_scan(root, &h) == 0 && h, "scan");
	for (i = 0; h && i < h->n; i++) {
		if (h->items[i].pid == 42) {
			CHECK(!saw42, "pid 42 listed twice for the same node");
			saw42 = true;
			CHECK(h->items[i].group == 5 && !h->items[i].comm &&
			      vs_streq(h->items[i].node, "/dev/vfio/noiommu-5"), "noiommu holder");
		} else if (h->items[i].pid == 43) {
			saw43 = true;
			CHECK(h->items[i].group == -1 && vs_streq(h->items[i].device, "0000:00:02.0") &&
			      vs_streq(h->items[i].comm, "cloud-hyperviso"), "cdev holder");
		}
	}
	CHECK(saw42 && saw43 && h->n == 2, "two holders (the container node /dev/vfio/vfio is not one)");
	vs_vfio_holders_free(h);
	vs_root_free(root);
}

/* A plan made, then the system changed: nothing may be written. */
static void test_stale_plan(void)
{
	const char *src = getenv("top_srcdir"), *py = getenv("PYTHON3");
	struct vs_scan_opts so = { .sysroot = NULL, .what = VS_SCAN_CONFIG | VS_SCAN_ATTRS |
				   VS_SCAN_PLATFORM };
	struct vs_bind_opts opts = { .timeout_ms = 2000 };
	const struct vs_device *dev, *bridge;
	struct vs_err err = VS_ERR_INIT;
	struct vs_topology *topo = NULL;
	struct vs_bind_result *res = NULL;
	struct vs_plan *plan = NULL;
	char *fx;
	int r;

	if (!src) {
		fprintf(stderr, "top_srcdir is not set: stale-plan test skipped\n");
		return;
	}
	if (asprintf(&fx, "%s/ten64", tmpdir) < 0)
		exit(99);
	sh("'%s' '%s/tests/fixtures/mkfixture.py' '%s/tests/fixtures/ten64.fx' '%s' >/dev/null",
	   py ? py : "python3", src, src, fx);
	so.sysroot = fx;
	CHECK(vs_topology_scan(&so, &topo, &err) == 0, "scan: %s", vs_err_msg(&err));
	if (!topo)
		goto out;
	dev = vs_topology_find(topo, "0001:03:00.0");
	bridge = vs_topology_find(topo, "0001:02:01.0");
	CHECK(dev && bridge, "devices found");
	if (!dev || !bridge)
		goto out;

	CHECK(vs_bind_plan(topo, &dev, 1, &opts, &plan, &err) == 0 && plan->n_refused == 0,
	      "plan");
	sh("printf 'pci-stub\\n' > '%s/sys/bus/pci/devices/0001:03:00.0/driver_override'", fx);
	r = vs_plan_execute(topo, plan, &opts, &res, &err);
	CHECK(r == -EAGAIN && !res, "stale plan runs: %d", r);
	CHECK(strstr(vs_err_msg(&err), "0001:03:00.0 changed since the plan was made (now on "
		     "ath10k_pci, override pci-stub)"), "message: %s", vs_err_msg(&err));
	vs_err_release(&err);
	vs_plan_free(plan);
	plan = NULL;

	CHECK(vs_bind_plan(topo, &bridge, 1, &opts, &plan, &err) == 0 && plan->n_refused == 1 &&
	      vs_streq(plan->refused[0].code, "bridge") && plan->n_steps == 0, "bridge refused");
	r = vs_plan_execute(topo, plan, &opts, &res, &err);
	CHECK(r == -ECANCELED && !res, "a refused bind runs: %d", r);
	vs_err_release(&err);
	vs_plan_free(plan);
	plan = NULL;

	opts.all = true;
	CHECK(vs_restore_plan(topo, NULL, 0, &opts, &plan, &err) == 0 && plan->n_devices == 0,
	      "restore --all with no journal plans nothing");
	CHECK(vs_plan_execute(topo, plan, &opts, &res, &err) == 0 && res && res->ok &&
	      res->n_steps == 0, "an empty restore succeeds");
	{
		char *j = NULL;

		if (asprintf(&j, "%s/%s", fx, VS_JOURNAL_FILE) >= 0)
			CHECK(access(j, F_OK) < 0, "no journal was written");
		free(j);
	}
out:
	vs_bind_result_free(res);
	vs_plan_free(plan);
	vs_topology_free(topo);
	vs_err_release(&err);
	free(fx);
}

int main(void)
{
	char tmpl[] = "/tmp/vfioscope-bind-unit.XXXXXX";

	tmpdir = mkdtemp(tmpl);
	if (!tmpdir)
		return 99;
	test_privilege();
	test_journal();
	test_shell();
	test_holders();
	test_stale_plan();
	sh("rm -rf %s", tmpdir);
	if (failures)
		fprintf(stderr, "bind-unit: %d failures\n", failures);
	return failures ? 1 : 0;
}
