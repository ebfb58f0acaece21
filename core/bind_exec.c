// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running a plan. Each write runs in a child process with a time limit: a
 * write can block in the kernel (unbinding vfio-pci from a device a QEMU
 * holds), and the caller, often the TUI, must not freeze with it. After a
 * probe the driver link is read back, because drivers_probe reports success
 * even when no driver took the device. Any failure rolls every touched
 * device back to the driver and override it had, and a rollback write that
 * fails is tried once more, then an explicit bind to the original driver.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vfioscope/bind.h"

struct exec {
	const struct vs_topology *topo;
	const struct vs_root *root;
	const struct vs_plan *plan;
	const struct vs_bind_opts *opts;
	unsigned timeout_ms;
	struct vs_bind_result *res;
	bool *touched;		/* a write was attempted on the device */
	char **fail_msg;	/* first failure of the device */
	int first_failed;	/* device of the first failing step, or -1 */
	bool oom;
};

/* Stable names for JSON: index by the enum value. */
static const char *const status_names[] = {
	[VS_STEP_OK] = "ok", [VS_STEP_FAILED] = "failed", [VS_STEP_TIMEOUT] = "timeout",
};
static const char *const phase_names[] = {
	[VS_PHASE_PLAN] = "plan", [VS_PHASE_ROLLBACK] = "rollback", [VS_PHASE_FALLBACK] = "fallback",
};
static const char *const outcome_names[] = {
	[VS_OUTCOME_DONE] = "done", [VS_OUTCOME_UNCHANGED] = "unchanged",
	[VS_OUTCOME_NOT_RUN] = "not_run", [VS_OUTCOME_ROLLED_BACK] = "rolled_back",
	[VS_OUTCOME_STRANDED] = "stranded", [VS_OUTCOME_VANISHED] = "vanished",
	[VS_OUTCOME_REFUSED] = "refused",
};
#define NAME_OF(table, v, fallback) \
	((unsigned)(v) < sizeof(table) / sizeof(table[0]) ? table[v] : (fallback))

const char *vs_step_status_name(enum vs_step_status s)
{
	return NAME_OF(status_names, s, "failed");
}

const char *vs_step_phase_name(enum vs_step_phase p)
{
	return NAME_OF(phase_names, p, "plan");
}

const char *vs_outcome_name(enum vs_outcome o)
{
	return NAME_OF(outcome_names, o, "stranded");
}

static char *xfmt(struct exec *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *xfmt(struct exec *e, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		e->oom = true;
		return NULL;
	}
	return s;
}

static char *xdup(struct exec *e, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		e->oom = true;
	return d;
}

static void add_warning(struct exec *e, char *s)
{
	struct vs_bind_result *res = e->res;
	char **n;

	if (!s)
		return;
	n = realloc(res->warnings, (res->n_warnings + 1) * sizeof(*n));
	if (!n) {
		free(s);
		e->oom = true;
		return;
	}
	res->warnings = n;
	res->warnings[res->n_warnings++] = s;
}

/* ---- reading the device back ---------------------------------------------- */

struct devstate {
	bool present;
	char *driver;
	char *override;
};

static void devstate_release(struct devstate *s)
{
	free(s->driver);
	free(s->override);
	s->driver = s->override = NULL;
}

static int read_state(struct exec *e, enum vs_bus bus, const char *name, struct devstate *st)
{
	char *dir = NULL, *rel = NULL;
	int r;

	memset(st, 0, sizeof(*st));
	if (asprintf(&dir, "sys/bus/%s/devices/%s", vs_bus_name(bus), name) < 0) {
		e->oom = true;
		return -ENOMEM;
	}
	st->present = faccessat(e->root->fd, dir, F_OK, 0) == 0;
	if (st->present && asprintf(&rel, "%s/driver", dir) >= 0) {
		r = vs_link_basename(e->root->fd, rel, &st->driver);
		if (r < 0)
			st->driver = NULL;
		free(rel);
		rel = NULL;
	}
	if (st->present && asprintf(&rel, "%s/driver_override", dir) >= 0) {
		if (vs_read_attr(e->root->fd, rel, &st->override) < 0 ||
		    strcmp(st->override, "(null)") == 0 || st->override[0] == '\0') {
			free(st->override);
			st->override = NULL;
		}
		free(rel);
	}
	free(dir);
	return 0;
}

/* ---- writing in a child with a time limit --------------------------------- */

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

/* Wait for @pid at most @timeout_ms. Return: 0 reaped, -ETIMEDOUT, -errno. */
static int wait_child(pid_t pid, unsigned timeout_ms, int *status)
{
	struct timespec start, nap;
	long delay_us = 200;
	pid_t w;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (elapsed_ms(&start) >= (long)timeout_ms)
			return -ETIMEDOUT;
		nap.tv_sec = 0;
		nap.tv_nsec = delay_us * 1000L;
		nanosleep(&nap, NULL);
		if (delay_us < 20000)
			delay_us *= 2;
	}
}

/* Kill a child that overran; a task stuck in the kernel may not die at once,
 * it is then left to be reaped when it does. */
static void kill_child(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	wait_child(pid, 500, &status);
}

struct outcome {
	enum vs_step_status status;
	int error;
	char *message;
};

static void run_write(struct exec *e, const struct vs_step *s, struct outcome *o)
{
	const char *shown = strcmp(s->value, "\n") == 0 ? "a newline" : s->value;
	int status = 0, r;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		o->status = VS_STEP_FAILED;
		o->error = -errno;
		o->message = xfmt(e, "cannot start the writer process: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		r = vs_write_attr(e->root->fd, s->rel, s->value);
		_exit(r < 0 ? (-r & 0xff) : 0);
	}
	r = wait_child(pid, e->timeout_ms, &status);
	if (r == -ETIMEDOUT) {
		kill_child(pid);
		o->status = VS_STEP_TIMEOUT;
		o->error = -ETIMEDOUT;
		o->message = xfmt(e, "writing %s to %s did not return within %u ms (process %ld "
				  "was killed); the kernel may still complete it: is a program "
				  "using the device?", shown, s->path, e->timeout_ms, (long)pid);
		return;
	}
	if (r < 0) {
		o->status = VS_STEP_FAILED;
		o->error = r;
		o->message = xfmt(e, "lost the writer process for %s: %s", s->path, strerror(-r));
		return;
	}
	if (WIFSIGNALED(status)) {
		o->status = VS_STEP_FAILED;
		o->error = -EINTR;
		o->message = xfmt(e, "the process writing %s to %s was killed by signal %d",
				  shown, s->path, WTERMSIG(status));
		return;
	}
	if (WEXITSTATUS(status) != 0) {
		o->status = VS_STEP_FAILED;
		o->error = -WEXITSTATUS(status);
		o->message = xfmt(e, "writing %s to %s failed: %s", shown, s->path,
				  strerror(WEXITSTATUS(status)));
		return;
	}
	o->status = VS_STEP_OK;
}

static void run_modprobe(struct exec *e, const struct vs_step *s, struct outcome *o)
{
	int pipefd[2], status = 0, r;
	char buf[512];
	ssize_t n = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		o->status = VS_STEP_FAILED;
		o->error = -errno;
		o->message = xfmt(e, "cannot run modprobe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		dup2(pipefd[1], 2);
		execlp("modprobe", "modprobe", s->value, (char *)NULL);
		execl("/usr/sbin/modprobe", "modprobe", s->value, (char *)NULL);
		execl("/sbin/modprobe", "modprobe", s->value, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		o->status = VS_STEP_FAILED;
		o->error = -errno;
		o->message = xfmt(e, "cannot run modprobe: %s", strerror(errno));
		return;
	}
	r = wait_child(pid, e->timeout_ms, &status);
	if (r == -ETIMEDOUT) {
		kill_child(pid);
		close(pipefd[0]);
		o->status = VS_STEP_TIMEOUT;
		o->error = r;
		o->message = xfmt(e, "modprobe %s did not finish within %u ms", s->value,
				  e->timeout_ms);
		return;
	}
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	n = read(pipefd[0], buf, sizeof(buf) - 1);
	close(pipefd[0]);
	buf[n > 0 ? n : 0] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		o->status = VS_STEP_FAILED;
		o->error = -ENOENT;
		o->message = xfmt(e, "modprobe %s failed%s%s", s->value, buf[0] ? ": " : "", buf);
		return;
	}
	if (faccessat(e->root->fd, s->rel, F_OK, 0) < 0) {
		o->status = VS_STEP_FAILED;
		o->error = -ENOENT;
		o->message = xfmt(e, "modprobe %s succeeded but %s does not exist", s->value,
				  s->path);
		return;
	}
	o->status = VS_STEP_OK;
}

/* ---- steps and results ---------------------------------------------------- */

static void record(struct exec *e, const struct vs_step *s, const char *device,
		   enum vs_step_phase phase, struct outcome *o, char *found)
{
	struct vs_bind_result *res = e->res;
	struct vs_step_result *n, *r;

	n = realloc(res->steps, (res->n_steps + 1) * sizeof(*n));
	if (!n) {
		e->oom = true;
		free(o->message);
		free(found);
		return;
	}
	res->steps = n;
	r = &n[res->n_steps++];
	memset(r, 0, sizeof(*r));
	r->step.action = s->action;
	r->step.dev = s->dev;
	r->step.rel = xdup(e, s->rel);
	r->step.path = xdup(e, s->path);
	r->step.value = xdup(e, s->value);
	r->step.driver = xdup(e, s->driver);
	r->step.reason = xdup(e, s->reason);
	r->device = xdup(e, device);
	r->phase = phase;
	r->status = o->status;
	r->error = o->error;
	r->message = o->message;
	r->found = found;
	if (s->dev >= 0 && o->status != VS_STEP_OK && !e->fail_msg[s->dev])
		e->fail_msg[s->dev] = xdup(e, o->message);
	if (o->status != VS_STEP_OK && e->first_failed < 0)
		e->first_failed = s->dev;
	if (e->opts->progress)
		e->opts->progress(e->opts->progress_ctx, r);
}

/* The driver directory of the bus the step's device is on. */
static bool driver_dir_exists(struct exec *e, enum vs_bus bus, const char *driver)
{
	char *rel = NULL;
	bool ok;

	if (asprintf(&rel, "sys/bus/%s/drivers/%s", vs_bus_name(bus), driver) < 0) {
		e->oom = true;
		return false;
	}
	ok = faccessat(e->root->fd, rel, F_OK, 0) == 0;
	free(rel);
	return ok;
}

static enum vs_step_status exec_step(struct exec *e, const struct vs_step *s,
				     enum vs_step_phase phase)
{
	const char *device = s->dev >= 0 ? e->plan->devices[s->dev].name : NULL;
	struct outcome o = { .status = VS_STEP_OK, .error = 0, .message = NULL };
	char *found = NULL;

	switch (s->action) {
	case VS_STEP_LOAD_MODULE:
		run_modprobe(e, s, &o);
		break;
	case VS_STEP_SET_OVERRIDE:
	case VS_STEP_UNBIND:
	case VS_STEP_BIND:
	case VS_STEP_PROBE:
		if (s->dev >= 0)
			e->touched[s->dev] = true;
		run_write(e, s, &o);
		break;
	case VS_STEP_VERIFY: {
		struct devstate st;

		read_state(e, e->plan->devices[s->dev].bus, device, &st);
		found = st.driver;
		st.driver = NULL;
		if (!st.present) {
			o.status = VS_STEP_FAILED;
			o.message = xfmt(e, "%s is gone from /sys/bus/%s/devices: it disappeared "
					 "from the bus", device, vs_bus_name(e->plan->devices[s->dev].bus));
		} else if (!vs_streq(found, s->driver)) {
			const struct vs_step_result *prev = e->res->n_steps
				? &e->res->steps[e->res->n_steps - 1] : NULL;
			bool probed_ok = prev && prev->step.dev == s->dev &&
					 prev->status == VS_STEP_OK &&
					 (prev->step.action == VS_STEP_PROBE ||
					  prev->step.action == VS_STEP_BIND);

			o.status = VS_STEP_FAILED;
			if (!found && s->driver && probed_ok)
				o.message = xfmt(e, "%s is on no driver, not on %s: the kernel took the "
						 "write but %s did not bind it (the kernel log says "
						 "why: dmesg | tail)", device, s->driver, s->driver);
			else if (!found)
				o.message = xfmt(e, "%s is on no driver, not on %s", device, s->driver);
			else
				o.message = xfmt(e, "%s is on %s, not on %s", device, found,
						 s->driver ? s->driver : "no driver");
		}
		devstate_release(&st);
		break;
	}
	}
	record(e, s, device, phase, &o, found);
	return o.status;
}

/*
 * Fill @s for device @di (strings allocated: vs_step_release()). @value: the
 * override for VS_STEP_SET_OVERRIDE (NULL clears); the other writes write
 * the device name. Return: 0 or -ENOMEM.
 */
static int make_step(struct exec *e, struct vs_step *s, enum vs_step_action action, int di,
		     const char *driver, const char *value, const char *reason)
{
	const struct vs_plan_device *d = &e->plan->devices[di];
	const char *bus = vs_bus_name(d->bus);
	int n = -1;

	memset(s, 0, sizeof(*s));
	s->action = action;
	s->dev = di;
	switch (action) {
	case VS_STEP_SET_OVERRIDE:
		n = asprintf(&s->rel, "sys/bus/%s/devices/%s/driver_override", bus, d->name);
		break;
	case VS_STEP_UNBIND:
		n = asprintf(&s->rel, "sys/bus/%s/drivers/%s/unbind", bus, driver);
		break;
	case VS_STEP_BIND:
		n = asprintf(&s->rel, "sys/bus/%s/drivers/%s/bind", bus, driver);
		break;
	case VS_STEP_PROBE:
		n = asprintf(&s->rel, "sys/bus/%s/drivers_probe", bus);
		break;
	case VS_STEP_VERIFY:
		n = asprintf(&s->rel, "sys/bus/%s/devices/%s/driver", bus, d->name);
		break;
	case VS_STEP_LOAD_MODULE:
		break;
	}
	if (n < 0)
		s->rel = NULL;
	s->path = s->rel ? vs_root_abspath(e->root, s->rel) : NULL;
	s->value = xdup(e, action == VS_STEP_SET_OVERRIDE ? (value ? value : "\n")
			  : action == VS_STEP_VERIFY ? NULL : d->name);
	s->driver = xdup(e, driver);
	s->reason = xdup(e, reason);
	if (!s->path || e->oom) {
		vs_step_release(s);
		e->oom = true;
		return -ENOMEM;
	}
	return 0;
}

/* A step made during rollback or fallback. */
static enum vs_step_status exec_new(struct exec *e, enum vs_step_phase phase,
				    enum vs_step_action action, int di, const char *driver,
				    const char *value, const char *reason)
{
	enum vs_step_status st;
	struct vs_step s;

	if (make_step(e, &s, action, di, driver, value, reason) < 0)
		return VS_STEP_FAILED;
	st = exec_step(e, &s, phase);
	vs_step_release(&s);
	return st;
}

/* A rollback write gets a second chance: a busy device often is not busy a
 * moment later, and the rollback is what keeps a device from ending driverless. */
static enum vs_step_status exec_retry(struct exec *e, enum vs_step_phase phase,
				      enum vs_step_action action, int di, const char *driver,
				      const char *value, const char *reason)
{
	enum vs_step_status st = exec_new(e, phase, action, di, driver, value, reason);
	struct timespec nap = { .tv_sec = 0, .tv_nsec = 100 * 1000000L };

	if (st == VS_STEP_FAILED) {
		nanosleep(&nap, NULL);
		st = exec_new(e, phase, action, di, driver, value, reason);
	}
	return st;
}

/*
 * Bring device @di to (@want, @want_override) from whatever state it is in
 * now, reading the state back between the writes. @want_any: whatever the
 * kernel picks once the override is cleared (restore without a journal).
 */
static void converge(struct exec *e, int di, const char *want, const char *want_override,
		     bool want_any, enum vs_step_phase phase)
{
	const struct vs_plan_device *d = &e->plan->devices[di];
	struct devstate st;
	char *why = NULL;

	read_state(e, d->bus, d->name, &st);
	if (!st.present)
		goto out;
	if (!vs_streq(st.override, want_override)) {
		why = want_override ? xfmt(e, "put back the override %s", want_override)
				    : xfmt(e, "clear the override");
		exec_retry(e, phase, VS_STEP_SET_OVERRIDE, di, want_override, want_override, why);
		free(why);
	}
	if (st.driver && (want_any ? vs_is_vfio_driver(st.driver) : !vs_streq(st.driver, want))) {
		why = xfmt(e, "detach it from %s", st.driver);
		exec_retry(e, phase, VS_STEP_UNBIND, di, st.driver, NULL, why);
		free(why);
	}
	devstate_release(&st);
	read_state(e, d->bus, d->name, &st);
	if (!st.present)
		goto out;
	if (want_any) {
		if (!st.driver)
			exec_retry(e, phase, VS_STEP_PROBE, di, NULL, NULL,
				   "let the kernel bind the driver of its choice");
		goto out;
	}
	if (!want) {
		exec_new(e, phase, VS_STEP_VERIFY, di, NULL, NULL, "check that it is on no driver");
		goto out;
	}
	if (vs_streq(st.driver, want))
		goto out;
	why = xfmt(e, "let the kernel give it back to %s", want);
	exec_retry(e, phase, VS_STEP_PROBE, di, NULL, NULL, why);
	free(why);
	if (exec_new(e, phase, VS_STEP_VERIFY, di, want, NULL, "check that it is back") == VS_STEP_OK)
		goto out;
	if (!driver_dir_exists(e, d->bus, want))
		goto out;
	devstate_release(&st);
	read_state(e, d->bus, d->name, &st);
	if (!st.present)
		goto out;
	if (st.driver) {
		why = xfmt(e, "detach it from %s", st.driver);
		exec_retry(e, VS_PHASE_FALLBACK, VS_STEP_UNBIND, di, st.driver, NULL, why);
		free(why);
	}
	why = xfmt(e, "the probe did not bring %s back: bind it explicitly", want);
	exec_retry(e, VS_PHASE_FALLBACK, VS_STEP_BIND, di, want, NULL, why);
	free(why);
	exec_new(e, VS_PHASE_FALLBACK, VS_STEP_VERIFY, di, want, NULL, "check that it is back");
out:
	devstate_release(&st);
}

/* ---- checks before the first write ------------------------------------------- */

/* Under --sysroot nothing is ever run: a missing vfio driver stops the plan. */
static int check_drivers(struct exec *e, struct vs_err *err)
{
	const struct vs_plan *p = e->plan;
	size_t i;

	for (i = 0; i < p->n_steps; i++) {
		const struct vs_step *s = &p->steps[i];

		if (s->action == VS_STEP_LOAD_MODULE && !e->root->live &&
		    faccessat(e->root->fd, s->rel, F_OK, 0) < 0)
			return vs_err_set(err, -ENOENT,
					  "%s is not available under %s (%s is missing) and vfioscope "
					  "never runs programs for another system root: load the %s "
					  "module on that system; nothing was changed", s->value,
					  e->root->path, s->rel, s->value);
	}
	return 0;
}

/* The devices are as the plan saw them, and no process holds them now. */
static int check_devices(struct exec *e, struct vs_err *err)
{
	const struct vs_plan *p = e->plan;
	struct vs_vfio_holders *h = NULL;
	struct devstate st;
	size_t i;
	int r = 0;

	if (vs_vfio_holders_scan(e->root, &h) < 0)
		return vs_err_set(err, -ENOMEM, "out of memory");
	for (i = 0; r == 0 && i < p->n_devices; i++) {
		const struct vs_plan_device *d = &p->devices[i];
		const struct vs_device *dev = vs_topology_find(e->topo, d->name);
		const struct vs_vfio_holder *hd;
		bool drivers_change = false;
		size_t k;

		if (d->nothing_to_do)
			continue;
		for (k = 0; k < p->n_steps; k++)
			drivers_change |= p->steps[k].dev == (int)i &&
					  p->steps[k].action != VS_STEP_SET_OVERRIDE &&
					  p->steps[k].action != VS_STEP_VERIFY;
		read_state(e, d->bus, d->name, &st);
		if (!st.present)
			r = vs_err_set(err, -EAGAIN, "%s is gone since the plan was made; nothing "
				       "was changed", d->name);
		else if (!vs_streq(st.driver, d->driver) || !vs_streq(st.override, d->override))
			r = vs_err_set(err, -EAGAIN, "%s changed since the plan was made (now on %s, "
				       "override %s); plan again; nothing was changed", d->name,
				       st.driver ? st.driver : "no driver",
				       st.override ? st.override : "(null)");
		else if (drivers_change && dev && (hd = vs_vfio_holder_for(h, e->topo, dev)))
			r = vs_err_set(err, -EAGAIN, "%s: %s is now held open by process %ld (%s); "
				       "stop it first; nothing was changed", d->name, hd->node,
				       (long)hd->pid, hd->comm ? hd->comm : "unknown program");
		devstate_release(&st);
	}
	vs_vfio_holders_free(h);
	return r;
}

/* ---- the end: read back, judge, journal, groups ------------------------------ */

static void add_fix(struct exec *e, struct vs_strbuf *sb, enum vs_step_action action, int di,
		    const char *driver, const char *value)
{
	struct vs_step s;

	if (make_step(e, &s, action, di, driver, value, "") < 0)
		return;
	vs_strbuf_add(sb, sb->len ? "; " : "");
	vs_step_shell(sb, &s, e->plan->devices[di].name);
	vs_step_release(&s);
}

/* The commands that bring device @di from @st to where it should be. */
static char *hand_fix(struct exec *e, int di, const struct devstate *st, const char *want,
		      const char *want_override, bool want_any)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	char *v;

	if (!vs_streq(st->override, want_override))
		add_fix(e, &sb, VS_STEP_SET_OVERRIDE, di, want_override, want_override);
	if (st->driver && !vs_streq(st->driver, want) && (!want_any || vs_is_vfio_driver(st->driver)))
		add_fix(e, &sb, VS_STEP_UNBIND, di, st->driver, NULL);
	if (want)
		add_fix(e, &sb, VS_STEP_BIND, di, want, NULL);
	else if (want_any)
		add_fix(e, &sb, VS_STEP_PROBE, di, NULL, NULL);
	v = vs_strbuf_detach(&sb);
	if (!v)
		e->oom = true;
	return v;
}

static char *state_sentence(struct exec *e, const char *name, const struct devstate *st)
{
	return xfmt(e, "%s is on %s with driver_override %s", name,
		    st->driver ? st->driver : "no driver", st->override ? st->override : "(null)");
}

static void judge(struct exec *e, size_t di, bool op_failed, struct vs_result_device *rd,
		  const struct devstate *st)
{
	const struct vs_plan_device *d = &e->plan->devices[di];
	bool bind = e->plan->op == VS_OP_BIND;
	const char *want, *want_override;
	bool want_any, back;

	rd->driver_after = xdup(e, st->driver);
	rd->override_after = xdup(e, st->override);
	if (bind && op_failed) {
		want = d->driver;
		want_override = d->override;
		want_any = false;
	} else {
		want = d->target;
		want_override = d->target_override;
		want_any = d->target_any;
	}
	if (!st->present) {
		rd->outcome = VS_OUTCOME_VANISHED;
		rd->message = xfmt(e, "%s disappeared from /sys/bus/%s/devices during the %s "
				   "(hot-unplug, or a reset that failed); its journal entry is kept: "
				   "when it is back (echo 1 > /sys/bus/pci/rescan for PCI) run "
				   "vfioscope restore %s", d->name, vs_bus_name(d->bus),
				   bind ? "bind" : "restore", d->name);
		return;
	}
	if (d->nothing_to_do) {
		rd->outcome = VS_OUTCOME_UNCHANGED;
		return;
	}
	if (bind && op_failed && !e->touched[di]) {
		rd->outcome = VS_OUTCOME_NOT_RUN;
		rd->message = e->first_failed >= 0
			? xfmt(e, "not changed: the bind stopped when %s failed",
			       e->plan->devices[e->first_failed].name)
			: xfmt(e, "not changed: the bind stopped at an earlier failure");
		return;
	}
	if (want_any)
		back = !vs_is_vfio_driver(st->driver) && !st->override;
	else
		back = vs_streq(st->driver, want) && vs_streq(st->override, want_override);
	if (back) {
		if (bind && op_failed) {
			rd->outcome = VS_OUTCOME_ROLLED_BACK;
			rd->message = e->fail_msg[di]
				? xfmt(e, "%s; rolled back to %s", e->fail_msg[di],
				       want ? want : "no driver")
				: xfmt(e, "rolled back to %s because %s failed",
				       want ? want : "no driver",
				       e->first_failed >= 0 ? e->plan->devices[e->first_failed].name
							    : "an earlier step");
		} else {
			rd->outcome = VS_OUTCOME_DONE;
			if (want_any && !st->driver)
				rd->message = xfmt(e, "no driver claimed %s after the probe (no driver "
						   "of this kernel matches it)", d->name);
		}
		return;
	}
	{
		char *state = state_sentence(e, d->name, st);
		char *fix = hand_fix(e, (int)di, st, want, want_override, want_any);

		rd->outcome = VS_OUTCOME_STRANDED;
		rd->message = xfmt(e, "%s%s%s, but it should be on %s%s%s. To fix it by hand: %s; "
				   "or run: vfioscope restore %s",
				   e->fail_msg[di] ? e->fail_msg[di] : "", e->fail_msg[di] ? ". " : "",
				   state ? state : d->name,
				   want_any ? "the driver the kernel picks" : want ? want : "no driver",
				   want_override ? " with driver_override " : "",
				   want_override ? want_override : "",
				   fix && *fix ? fix : "nothing to write", d->name);
		free(state);
		free(fix);
	}
}

static void report_groups(struct exec *e)
{
	struct vs_scan_opts so = { .sysroot = e->root->path, .what = VS_SCAN_PLATFORM };
	struct vs_bind_result *res = e->res;
	struct vs_err serr = VS_ERR_INIT;
	struct vs_topology *t = NULL;
	size_t i, j, k;

	if (vs_topology_scan(&so, &t, &serr) < 0) {
		add_warning(e, xfmt(e, "could not read the groups back: %s", vs_err_msg(&serr)));
		vs_err_release(&serr);
		return;
	}
	for (i = 0; i < e->plan->n_devices; i++) {
		int id = e->plan->devices[i].group;
		const struct vs_group *g = id >= 0 ? vs_topology_group(t, id) : NULL;
		struct vs_group_viability *ng, *rg;
		struct vs_strbuf sb = VS_STRBUF_INIT;
		bool dup = false;

		for (k = 0; k < res->n_groups; k++)
			dup |= res->groups[k].id == id;
		if (!g || dup)
			continue;
		ng = realloc(res->groups, (res->n_groups + 1) * sizeof(*ng));
		if (!ng) {
			e->oom = true;
			break;
		}
		res->groups = ng;
		rg = &ng[res->n_groups++];
		memset(rg, 0, sizeof(*rg));
		rg->id = id;
		rg->viable = g->viable;
		rg->blocking = calloc(g->n_blocking ? g->n_blocking : 1, sizeof(char *));
		if (!rg->blocking) {
			e->oom = true;
			continue;
		}
		for (j = 0; j < g->n_blocking; j++) {
			rg->blocking[j] = xfmt(e, "%s (%s)", g->blocking[j]->name,
					       g->blocking[j]->driver ? g->blocking[j]->driver : "no driver");
			vs_strbuf_addf(&sb, "%s%s", j ? ", " : "", rg->blocking[j] ? rg->blocking[j] : "?");
		}
		rg->n_blocking = g->n_blocking;
		if (!g->viable)
			add_warning(e, xfmt(e, "group %d is not viable yet: %s keep%s it from being "
					    "used, and QEMU will say \"group %d is not viable\"; bind the "
					    "whole group: vfioscope bind --group %s", id,
					    vs_strbuf_cstr(&sb), g->n_blocking == 1 ? "s" : "", id,
					    e->plan->devices[i].name));
		vs_strbuf_release(&sb);
	}
	vs_topology_free(t);
}

static void finish(struct exec *e, bool op_failed, struct vs_journal *j, bool *added)
{
	const struct vs_plan *p = e->plan;
	struct vs_bind_result *res = e->res;
	struct vs_err jerr = VS_ERR_INIT;
	bool journal_changed = false;
	size_t i;

	res->devices = calloc(p->n_devices + p->n_refused + 1, sizeof(*res->devices));
	if (!res->devices) {
		e->oom = true;
		return;
	}
	/* a restore that recovered from a failed step still ended where asked */
	res->ok = p->op == VS_OP_RESTORE || !op_failed;
	for (i = 0; i < p->n_devices; i++) {
		const struct vs_plan_device *d = &p->devices[i];
		struct vs_result_device *rd = &res->devices[res->n_devices++];
		struct devstate st;

		rd->name = xdup(e, d->name);
		rd->bus = d->bus;
		rd->group = d->group;
		rd->driver_before = xdup(e, d->driver);
		rd->override_before = xdup(e, d->override);
		rd->target = xdup(e, d->target);
		rd->target_any = d->target_any;
		read_state(e, d->bus, d->name, &st);
		judge(e, i, op_failed, rd, &st);
		devstate_release(&st);
		if (rd->outcome != VS_OUTCOME_DONE && rd->outcome != VS_OUTCOME_UNCHANGED)
			res->ok = false;
		if (!j)
			continue;
		if (p->op == VS_OP_BIND && added[i] &&
		    (rd->outcome == VS_OUTCOME_ROLLED_BACK || rd->outcome == VS_OUTCOME_NOT_RUN))
			journal_changed |= vs_journal_remove(j, d->bus, d->name);
		if (p->op == VS_OP_RESTORE &&
		    (rd->outcome == VS_OUTCOME_DONE || rd->outcome == VS_OUTCOME_UNCHANGED))
			journal_changed |= vs_journal_remove(j, d->bus, d->name);
	}
	for (i = 0; p->op == VS_OP_RESTORE && i < p->n_refused; i++) {
		struct vs_result_device *rd = &res->devices[res->n_devices++];
		const struct vs_device *dev = vs_topology_find(e->topo, p->refused[i].name);

		rd->name = xdup(e, p->refused[i].name);
		rd->bus = dev ? dev->bus : VS_BUS_PCI;
		rd->group = dev ? dev->iommu_group : -1;
		rd->driver_before = xdup(e, dev ? dev->driver : NULL);
		rd->override_before = xdup(e, dev ? dev->driver_override : NULL);
		rd->driver_after = xdup(e, rd->driver_before);
		rd->override_after = xdup(e, rd->override_before);
		rd->outcome = VS_OUTCOME_REFUSED;
		rd->message = xdup(e, p->refused[i].reason);
		res->ok = false;
	}
	if (j && journal_changed && vs_journal_write(e->root, j, &jerr) < 0) {
		add_warning(e, xfmt(e, "%s", vs_err_msg(&jerr)));
		vs_err_release(&jerr);
	}
	if (p->op == VS_OP_BIND && !op_failed)
		report_groups(e);
}

/* ---- entry point ------------------------------------------------------------ */

static int journal_before(struct exec *e, struct vs_journal *j, bool *added, struct vs_err *err)
{
	const struct vs_plan *p = e->plan;
	bool changed = false;
	size_t i;
	int r;

	for (i = 0; i < p->n_devices; i++) {
		const struct vs_plan_device *d = &p->devices[i];
		struct vs_journal_entry en = {
			.name = d->name, .bus = d->bus, .driver = d->driver,
			.override = d->override, .target = d->target, .since = (long long)time(NULL),
		};

		if (d->nothing_to_do || vs_journal_find(j, d->bus, d->name))
			continue;	/* an older entry knows the state before that bind */
		r = vs_journal_add(j, &en);
		if (r < 0)
			return vs_err_set(err, r, "out of memory");
		added[i] = true;
		changed = true;
	}
	return changed ? vs_journal_write(e->root, j, err) : 0;
}

static void run_bind(struct exec *e)
{
	const struct vs_plan *p = e->plan;
	bool failed = false;
	size_t i;
	int di;

	for (i = 0; i < p->n_steps && !failed; i++)
		if (exec_step(e, &p->steps[i], VS_PHASE_PLAN) != VS_STEP_OK)
			failed = true;
	if (!failed)
		return;
	for (di = (int)p->n_devices - 1; di >= 0; di--)
		if (e->touched[di])
			converge(e, di, p->devices[di].driver, p->devices[di].override, false,
				 VS_PHASE_ROLLBACK);
}

static bool run_restore(struct exec *e)
{
	const struct vs_plan *p = e->plan;
	bool any_failed = false, dev_failed = false;
	size_t i;

	for (i = 0; i < p->n_steps; i++) {
		const struct vs_step *s = &p->steps[i];
		const struct vs_plan_device *d;
		bool last = i + 1 == p->n_steps || p->steps[i + 1].dev != s->dev;

		if (!dev_failed && exec_step(e, s, VS_PHASE_PLAN) != VS_STEP_OK) {
			dev_failed = true;
			any_failed = true;
		}
		if (!last)
			continue;
		if (dev_failed && s->dev >= 0) {
			d = &p->devices[s->dev];
			converge(e, s->dev, d->target, d->target_override, d->target_any,
				 VS_PHASE_FALLBACK);
		}
		dev_failed = false;
	}
	return any_failed;
}

int vs_plan_execute(const struct vs_topology *topo, const struct vs_plan *plan,
		    const struct vs_bind_opts *opts, struct vs_bind_result **out,
		    struct vs_err *err)
{
	static const struct vs_bind_opts defaults = { .timeout_ms = 0 };
	struct vs_journal *j = NULL;
	struct exec e = { .topo = topo, .root = topo->root, .plan = plan, .first_failed = -1 };
	bool *added = NULL, op_failed = false;
	int lockfd = -1, r;
	size_t i;

	*out = NULL;
	e.opts = opts ? opts : &defaults;
	e.timeout_ms = e.opts->timeout_ms ? e.opts->timeout_ms : VS_BIND_TIMEOUT_MS;
	r = vs_bind_check_privilege(e.root, geteuid(), err);
	if (r < 0)
		return r;
	if (plan->op == VS_OP_BIND && plan->n_refused)
		return vs_err_set(err, -ECANCELED, "%s: %s%s; nothing was changed",
				  plan->refused[0].name, plan->refused[0].reason,
				  plan->n_refused > 1 ? " (and more refusals)" : "");
	r = check_drivers(&e, err);
	if (r < 0)
		return r;
	/* under the lock, so that another vfioscope cannot change a device between
	 * the check and the first write */
	lockfd = vs_journal_lock(e.root, err);
	if (lockfd < 0)
		return lockfd;
	r = check_devices(&e, err);
	if (r == 0)
		r = vs_journal_read(e.root, &j, err);
	e.res = calloc(1, sizeof(*e.res));
	e.touched = calloc(plan->n_devices + 1, sizeof(bool));
	e.fail_msg = calloc(plan->n_devices + 1, sizeof(char *));
	added = calloc(plan->n_devices + 1, sizeof(bool));
	if (r == 0 && (!e.res || !e.touched || !e.fail_msg || !added))
		r = vs_err_set(err, -ENOMEM, "out of memory");
	if (r == 0 && plan->op == VS_OP_BIND)
		r = journal_before(&e, j, added, err);
	if (r == 0) {
		if (plan->op == VS_OP_BIND) {
			run_bind(&e);
			for (i = 0; i < e.res->n_steps; i++)
				op_failed |= e.res->steps[i].status != VS_STEP_OK;
		} else {
			op_failed = run_restore(&e);
		}
		finish(&e, op_failed, j, added);
		if (e.oom)
			r = vs_err_set(err, -ENOMEM, "out of memory while recording the result");
	}
	close(lockfd);
	vs_journal_free(j);
	free(added);
	free(e.touched);
	for (i = 0; e.fail_msg && i < plan->n_devices; i++)
		free(e.fail_msg[i]);
	free(e.fail_msg);
	if (r < 0) {
		vs_bind_result_free(e.res);
		return r;
	}
	*out = e.res;
	return 0;
}

void vs_bind_result_free(struct vs_bind_result *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->n_devices; i++) {
		struct vs_result_device *d = &res->devices[i];

		free(d->name);
		free(d->driver_before);
		free(d->override_before);
		free(d->driver_after);
		free(d->override_after);
		free(d->target);
		free(d->message);
	}
	free(res->devices);
	for (i = 0; i < res->n_steps; i++) {
		vs_step_release(&res->steps[i].step);
		free(res->steps[i].device);
		free(res->steps[i].message);
		free(res->steps[i].found);
	}
	free(res->steps);
	for (i = 0; i < res->n_groups; i++)
		vs_group_viability_release(&res->groups[i]);
	free(res->groups);
	for (i = 0; i < res->n_warnings; i++)
		free(res->warnings[i]);
	free(res->warnings);
	free(res);
}
