// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The interactive mode's lifecycle: scan, terminal set-up, the main loop
 * (keyboard and udev monitor side by side in one poll), the scripted-key
 * driver used by the screen tests, and a terminal that is restored on every
 * way out: quit, error, SIGINT/SIGTERM/SIGHUP, and crashes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>

#include "tui-int.h"

/* Milliseconds a burst of udev events must be quiet before the rescan. */
enum { SETTLE_MS = 200 };

/*
 * Signal state. A handler can only set a flag; this is the one piece of
 * process-wide state here, because signals are process-wide.
 */
static volatile sig_atomic_t quit_signal;
static struct sigaction old_fatal[NSIG];

static void on_quit_signal(int sig)
{
	quit_signal = sig;
}

static void on_fatal_signal(int sig)
{
	/* Not async-signal-safe, but the process is dying and a terminal left
	 * in raw mode without echo is worse (htop and ncdu do the same). */
	endwin();
	sigaction(sig, &old_fatal[sig], NULL);
	raise(sig);
}

static void signals_install(void)
{
	static const int quit_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;	/* no SA_RESTART: poll() returns EINTR */
	for (size_t i = 0; i < sizeof(quit_sigs) / sizeof(quit_sigs[0]); i++)
		sigaction(quit_sigs[i], &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	for (size_t i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		sigaction(fatal_sigs[i], &sa, &old_fatal[fatal_sigs[i]]);
}

static void signals_restore(void)
{
	static const int quit_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (size_t i = 0; i < sizeof(quit_sigs) / sizeof(quit_sigs[0]); i++)
		sigaction(quit_sigs[i], &sa, NULL);
	for (size_t i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		sigaction(fatal_sigs[i], &old_fatal[fatal_sigs[i]], NULL);
}

void vs_tui_status(struct vs_tui *t, enum vs_tui_style style, const char *fmt, ...)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	vs_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(t->status);
	t->status = vs_strbuf_detach(&sb);
	t->status_style = style;
}

static int scan(const struct vs_tui *t, struct vs_topology **out, struct vs_err *err)
{
	struct vs_scan_opts so = { .sysroot = t->cli->sysroot, .what = VS_SCAN_ALL };

	return vs_topology_scan(&so, out, err);
}

static void devs_release(struct vs_tui_dev *devs, size_t n)
{
	for (size_t i = 0; devs && i < n; i++) {
		free(devs[i].name);
		free(devs[i].label);
		free(devs[i].driver);
		free(devs[i].hostcrit);
		free(devs[i].haystack);
	}
	free(devs);
}

void vs_tui_devs_free(struct vs_tui *t)
{
	devs_release(t->devs, t->topo ? t->topo->n_devices : 0);
	t->devs = NULL;
}

/* Drop selected names that the new scan no longer has. */
static size_t prune_selection(struct vs_tui *t)
{
	size_t dropped = 0;

	for (size_t i = t->selected.n; i-- > 0;) {
		if (!vs_topology_find(t->topo, t->selected.v[i])) {
			vs_tui_names_del(&t->selected, t->selected.v[i]);
			dropped++;
		}
	}
	return dropped;
}

/* The diagnosis is an addition: without it the browser still works. */
static void diag_or_status(struct vs_tui *t)
{
	struct vs_err err = VS_ERR_INIT;

	if (vs_tui_diag_build(t, &err)) {
		char *msg = vs_tui_sanitize(t, vs_err_msg(&err));

		vs_tui_status(t, VS_STYLE_BAD, "No diagnosis: %s", msg ? msg : "");
		free(msg);
	}
	vs_err_release(&err);
}

int vs_tui_rescan(struct vs_tui *t, struct vs_err *err)
{
	struct vs_topology *old = t->topo, *topo = NULL;
	struct vs_tui_dev *old_devs = t->devs;
	size_t dropped;
	int ret = scan(t, &topo, err);

	if (ret)
		return ret;
	t->topo = topo;
	t->devs = NULL;
	/* The old analysis points into the old topology. */
	vs_tui_diag_free(t);
	ret = vs_tui_devs_build(t);
	/* The rows still point into the old topology: rebuild them (which reads
	 * the old cursor row) before the old one goes. */
	if (!ret)
		ret = vs_tui_rows_build(t);
	if (ret) {
		devs_release(t->devs, topo->n_devices);
		vs_topology_free(topo);
		t->topo = old;
		t->devs = old_devs;
		diag_or_status(t);
		return vs_err_set(err, ret, "out of memory");
	}
	devs_release(old_devs, old ? old->n_devices : 0);
	vs_topology_free(old);
	dropped = prune_selection(t);
	diag_or_status(t);
	if (dropped)
		vs_tui_status(t, VS_STYLE_WARN, "%zu selected device%s disappeared", dropped,
			      dropped == 1 ? "" : "s");
	return 0;
}

/* Apply what the handlers asked for; false when it is time to quit. */
static bool react(struct vs_tui *t, unsigned flags)
{
	if (flags & VS_TUI_QUIT)
		return false;
	if (flags & VS_TUI_RESCAN) {
		struct vs_err err = VS_ERR_INIT;

		if (vs_tui_rescan(t, &err)) {
			char *msg = vs_tui_sanitize(t, vs_err_msg(&err));

			vs_tui_status(t, VS_STYLE_BAD, "Rescan failed: %s", msg ? msg : "");
			free(msg);
		} else if (!t->status) {
			vs_tui_status(t, VS_STYLE_NORMAL, "Rescanned: %zu devices, %zu groups",
				      t->topo->n_devices, t->topo->n_groups);
		}
		vs_err_release(&err);
	} else if (flags & VS_TUI_REBUILD) {
		if (vs_tui_rows_build(t))
			vs_tui_status(t, VS_STYLE_BAD, "Out of memory");
	}
	if (flags & VS_TUI_CLEAR)
		clearok(curscr, TRUE);
	if (flags)
		vs_tui_draw(t);
	return true;
}

/* A key from curses as our key code. */
static int read_key(int *key)
{
	wint_t wc;
	int r = wget_wch(stdscr, &wc);

	if (r == ERR)
		return -1;
	*key = r == KEY_CODE_YES ? (int)wc | VS_KEY_FN : (int)wc;
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int run_interactive(struct vs_tui *t)
{
	long deadline = -1;

	nodelay(stdscr, TRUE);
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = vs_tui_monitor_fd(t->mon), .events = POLLIN },
		};
		unsigned flags = 0;
		int timeout = -1, n, key;

		if (deadline >= 0) {
			long left = deadline - now_ms();

			timeout = left > 0 ? (int)left : 0;
		}
		n = poll(fds, t->mon ? 2 : 1, timeout);
		if (quit_signal)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
		/* After EINTR too: a SIGWINCH turns into KEY_RESIZE. */
		while (!read_key(&key)) {
			if (key == (KEY_RESIZE | VS_KEY_FN))
				flags |= VS_TUI_CLEAR;
			else
				flags |= vs_tui_handle_key(t, key);
			if (flags & VS_TUI_QUIT)
				return 0;
		}
		if (n > 0 && t->mon && (fds[1].revents & POLLIN) && vs_tui_monitor_drain(t->mon) > 0)
			deadline = now_ms() + SETTLE_MS;
		if (deadline >= 0 && now_ms() >= deadline) {
			deadline = -1;
			flags |= VS_TUI_RESCAN;
		}
		if (!react(t, flags))
			return 0;
	}
}

/* ---- scripted keys and screen dumps (the tests' driver) ---- */

static int dump_screen(const struct vs_tui *t, const char *name, bool attrs, struct vs_err *err)
{
	char *path = NULL;
	FILE *f;

	if (!t->opts->dump_dir)
		return vs_err_set(err, -EINVAL, ":dump needs --dump-dir");
	if (asprintf(&path, "%s/%s", t->opts->dump_dir, name) < 0)
		return -ENOMEM;
	f = fopen(path, "w");
	if (!f) {
		int ret = vs_err_set(err, -errno, "%s: %s", path, strerror(errno));

		free(path);
		return ret;
	}
	for (int y = 0; y < LINES; y++) {
		struct vs_strbuf line = VS_STRBUF_INIT;

		for (int x = 0; x < COLS; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1];
			attr_t a;
			short pair;

			if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wch, &a, &pair, NULL) == ERR) {
				vs_strbuf_addch(&line, '?');
				continue;
			}
			if (attrs) {
				char c = pair > 0 ? (char)('0' + pair % 10) :
					 (a & A_REVERSE) ? 'R' : (a & A_BOLD) ? 'B' :
					 (a & A_DIM) ? 'D' : '.';

				vs_strbuf_addch(&line, c);
				continue;
			}
			for (int i = 0; wch[i]; i++) {
				char mb[MB_LEN_MAX + 1];
				mbstate_t st;
				size_t n;

				memset(&st, 0, sizeof(st));
				n = wcrtomb(mb, wch[i], &st);
				if (n == (size_t)-1)
					vs_strbuf_addch(&line, '?');
				else
					vs_strbuf_addn(&line, mb, n);
			}
			if (wch[0] && wcwidth(wch[0]) == 2)
				x++;
		}
		/* Trailing blanks say nothing and make golden files fragile. */
		while (line.len && line.buf[line.len - 1] == (attrs ? '.' : ' '))
			line.buf[--line.len] = '\0';
		fprintf(f, "%s\n", vs_strbuf_cstr(&line));
		vs_strbuf_release(&line);
	}
	free(path);
	if (fclose(f))
		return vs_err_set(err, -EIO, "cannot write the screen dump %s", name);
	return 0;
}

/*
 * One line of a key script: key names of the table separated by blanks, or
 * a directive: ":dump NAME", ":dump-attrs NAME", ":type TEXT",
 * ":resize COLSxLINES", ":shell COMMAND". '#' starts a comment line.
 */
static int script_line(struct vs_tui *t, char *line, bool *quit, struct vs_err *err)
{
	char *arg;

	line[strcspn(line, "\n")] = '\0';
	if (line[0] == '#' || !line[0])
		return 0;
	if (line[0] == ':') {
		arg = line + strcspn(line, " ");
		if (*arg)
			*arg++ = '\0';
		if (!strcmp(line, ":dump") || !strcmp(line, ":dump-attrs"))
			return dump_screen(t, arg, !strcmp(line, ":dump-attrs"), err);
		if (!strcmp(line, ":type")) {
			mbstate_t st;
			wchar_t wc;
			size_t n;

			memset(&st, 0, sizeof(st));
			for (; *arg; arg += n) {
				n = mbrtowc(&wc, arg, strlen(arg), &st);
				if (n == (size_t)-1 || n == (size_t)-2 || !n)
					return vs_err_set(err, -EINVAL, ":type: invalid text");
				if (!react(t, vs_tui_handle_key(t, (int)wc))) {
					*quit = true;
					return 0;
				}
			}
			return 0;
		}
		/* Change the system under the running program (a rebind, an
		 * unplug), as another tool would. */
		if (!strcmp(line, ":shell")) {
			int st = system(arg);

			if (st != 0)
				return vs_err_set(err, -ECHILD, ":shell %s: exit status %d", arg, st);
			return 0;
		}
		if (!strcmp(line, ":resize")) {
			int cols, lines;

			if (sscanf(arg, "%dx%d", &cols, &lines) != 2 || cols < 1 || lines < 1)
				return vs_err_set(err, -EINVAL, ":resize wants COLSxLINES");
			resizeterm(lines, cols);
			react(t, VS_TUI_CLEAR);
			return 0;
		}
		return vs_err_set(err, -EINVAL, "unknown script directive %s", line);
	}
	for (char *tok = strtok(line, " \t"); tok; tok = strtok(NULL, " \t")) {
		int key;

		if (vs_key_parse(tok, &key))
			return vs_err_set(err, -EINVAL, "script: \"%s\" is not a key name", tok);
		if (!react(t, vs_tui_handle_key(t, key))) {
			*quit = true;
			return 0;
		}
	}
	return 0;
}

static int run_script(struct vs_tui *t, struct vs_err *err)
{
	FILE *f = fopen(t->opts->script, "r");
	char *line = NULL;
	size_t cap = 0;
	bool quit = false;
	int ret = 0;

	if (!f)
		return vs_err_set(err, -errno, "%s: %s", t->opts->script, strerror(errno));
	while (!quit && !ret && getline(&line, &cap, f) >= 0)
		ret = script_line(t, line, &quit, err);
	free(line);
	fclose(f);
	return ret;
}

/* ---- set-up and tear-down ---- */

static bool env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

static void tui_release(struct vs_tui *t)
{
	vs_tui_win_close(t);
	vs_tui_rows_free(t);
	vs_tui_diag_free(t);
	vs_tui_devs_free(t);
	vs_topology_free(t->topo);
	vs_tui_names_clear(&t->collapsed);
	vs_tui_names_clear(&t->selected);
	vs_strbuf_release(&t->prompt);
	free(t->search);
	free(t->anchor);
	free(t->landed);
	free(t->status);
	vs_tui_monitor_free(t->mon);
}

int vs_tui_main(struct vs_cli *cli, const struct vs_tui_opts *opts)
{
	struct vs_tui t = { .cli = cli, .opts = opts };
	struct vs_err err = VS_ERR_INIT;
	const char *term = getenv("TERM");
	FILE *in = NULL, *out = NULL;
	SCREEN *screen = NULL;
	int ret;

	if (!opts->script && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		vs_cli_error(cli, "%sthe interactive mode needs a terminal; see `%s --help` for the commands",
			     opts->implicit ? "no command given, and " : "", cli->prog);
		return VS_EXIT_USAGE;
	}
	t.utf8 = cli->utf8 && !(term && !strcmp(term, "dumb"));
	t.color = !env_set("NO_COLOR") && !(term && !strcmp(term, "dumb"));

	/* Scan before curses owns the terminal, so scan errors print plainly. */
	ret = scan(&t, &t.topo, &err);
	if (ret) {
		vs_cli_error(cli, "%s", vs_err_msg(&err));
		vs_err_release(&err);
		return VS_EXIT_FAIL;
	}
	t.writable = vs_tui_can_write(&t, NULL);
	if (vs_tui_devs_build(&t) || vs_tui_rows_build(&t)) {
		vs_cli_error(cli, "out of memory");
		tui_release(&t);
		return VS_EXIT_FAIL;
	}
	diag_or_status(&t);
	if (!cli->sysroot && !opts->script && !opts->no_monitor &&
	    vs_tui_monitor_open(&t.mon, &err)) {
		vs_tui_status(&t, VS_STYLE_WARN, "No live refresh (%s): press R to rescan",
			      vs_err_msg(&err));
		vs_err_release(&err);
	}

	if (opts->script) {
		out = fopen(opts->output ? opts->output : "/dev/null", "w");
		in = fopen("/dev/null", "r");
		if (!out || !in) {
			vs_cli_error(cli, "%s: %s", opts->output ? opts->output : "/dev/null",
				     strerror(errno));
			ret = -EIO;
			goto out_files;
		}
	}
	signals_install();
	screen = newterm(NULL, out ? out : stdout, in ? in : stdin);
	if (!screen) {
		signals_restore();
		vs_cli_error(cli, "cannot use the terminal \"%s\"", term ? term : "(TERM unset)");
		ret = -ENOTTY;
		goto out_files;
	}
	t.term_out = out ? out : stdout;
	set_term(screen);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	vs_tui_colors_init(&t);
	vs_tui_draw(&t);

	ret = opts->script ? run_script(&t, &err) : run_interactive(&t);

	endwin();
	delscreen(screen);
	signals_restore();
	if (ret && !err.code)
		vs_err_set(&err, ret, "%s", strerror(-ret));
	if (ret)
		vs_cli_error(cli, "%s", vs_err_msg(&err));
	if (quit_signal) {
		int sig = quit_signal;

		quit_signal = 0;
		tui_release(&t);
		vs_err_release(&err);
		if (out)
			fclose(out);
		if (in)
			fclose(in);
		/* Die of the signal, as the shell expects. */
		raise(sig);
		return VS_EXIT_FAIL;
	}
out_files:
	if (out)
		fclose(out);
	if (in)
		fclose(in);
	tui_release(&t);
	vs_err_release(&err);
	return ret ? VS_EXIT_FAIL : VS_EXIT_OK;
}
