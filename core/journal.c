// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rebinding journal: what each device looked like before vfioscope
 * changed it, so that `restore` works after the TUI crashed or was killed
 * between two writes. The file is replaced atomically and fsync'd: after a
 * crash it holds either the old or the new list, never half of one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "vfioscope/bind.h"

#define JOURNAL_MAX (16u * 1024 * 1024)

static void entry_release(struct vs_journal_entry *e)
{
	free(e->name);
	free(e->driver);
	free(e->override);
	free(e->target);
}

void vs_journal_free(struct vs_journal *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->n; i++)
		entry_release(&j->entries[i]);
	free(j->entries);
	free(j);
}

static int dup_opt(const char *s, char **out)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

int vs_journal_add(struct vs_journal *j, const struct vs_journal_entry *e)
{
	struct vs_journal_entry *n, *slot;

	n = realloc(j->entries, (j->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	j->entries = n;
	slot = &j->entries[j->n];
	memset(slot, 0, sizeof(*slot));
	slot->bus = e->bus;
	slot->since = e->since;
	if (dup_opt(e->name, &slot->name) || dup_opt(e->driver, &slot->driver) ||
	    dup_opt(e->override, &slot->override) || dup_opt(e->target, &slot->target)) {
		entry_release(slot);
		return -ENOMEM;
	}
	j->n++;
	return 0;
}

const struct vs_journal_entry *vs_journal_find(const struct vs_journal *j, enum vs_bus bus,
					       const char *name)
{
	size_t i;

	for (i = 0; j && i < j->n; i++)
		if (j->entries[i].bus == bus && vs_streq(j->entries[i].name, name))
			return &j->entries[i];
	return NULL;
}

bool vs_journal_remove(struct vs_journal *j, enum vs_bus bus, const char *name)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		if (j->entries[i].bus != bus || !vs_streq(j->entries[i].name, name))
			continue;
		entry_release(&j->entries[i]);
		memmove(&j->entries[i], &j->entries[i + 1], (j->n - i - 1) * sizeof(j->entries[0]));
		j->n--;
		return true;
	}
	return false;
}

static int bus_from_name(const char *s, enum vs_bus *out)
{
	static const enum vs_bus buses[] = {
		VS_BUS_PCI, VS_BUS_PLATFORM, VS_BUS_AMBA, VS_BUS_FSL_MC,
	};
	size_t i;

	for (i = 0; s && i < sizeof(buses) / sizeof(buses[0]); i++) {
		if (strcmp(vs_bus_name(buses[i]), s) == 0) {
			*out = buses[i];
			return 0;
		}
	}
	return -EINVAL;
}

static const char *json_str(struct json_object *o, const char *key, bool *bad)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		*bad = true;
		return NULL;
	}
	return json_object_get_string(v);
}

static int parse_journal(struct json_object *top, struct vs_journal *j)
{
	struct json_object *devs, *v;
	size_t i, n;
	int r;

	if (!json_object_is_type(top, json_type_object) ||
	    !json_object_object_get_ex(top, "devices", &devs) ||
	    !json_object_is_type(devs, json_type_array))
		return -EBADMSG;
	n = json_object_array_length(devs);
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(devs, i);
		struct vs_journal_entry e = { .name = NULL };
		bool bad = false;

		if (!json_object_is_type(o, json_type_object))
			return -EBADMSG;
		e.name = (char *)json_str(o, "name", &bad);
		e.driver = (char *)json_str(o, "driver", &bad);
		e.override = (char *)json_str(o, "driver_override", &bad);
		e.target = (char *)json_str(o, "target", &bad);
		if (bad || !e.name || !*e.name ||
		    bus_from_name(json_str(o, "bus", &bad), &e.bus) < 0 || bad)
			return -EBADMSG;
		if (json_object_object_get_ex(o, "since", &v))
			e.since = json_object_get_int64(v);
		r = vs_journal_add(j, &e);
		if (r < 0)
			return r;
	}
	return 0;
}

int vs_journal_read(const struct vs_root *root, struct vs_journal **out, struct vs_err *err)
{
	struct json_tokener *tok;
	struct json_object *top;
	struct vs_journal *j;
	char *text, *abs;
	ssize_t len;
	int r;

	*out = NULL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return vs_err_set(err, -ENOMEM, "out of memory");
	/* the journal may outgrow vs_read_attr()'s 64 KiB */
	len = vs_read_file(root->fd, VS_JOURNAL_FILE, JOURNAL_MAX, &text);
	r = len < 0 ? (int)len : 0;
	if (r == -ENOENT) {
		*out = j;
		return 0;
	}
	abs = vs_root_abspath(root, VS_JOURNAL_FILE);
	if (r < 0) {
		vs_err_set(err, r, "cannot read the journal %s: %s", abs ? abs : VS_JOURNAL_FILE,
			   strerror(-r));
		goto fail;
	}
	tok = json_tokener_new();
	top = tok ? json_tokener_parse_ex(tok, text, (int)strlen(text)) : NULL;
	if (!top) {
		r = vs_err_set(err, -EBADMSG,
			       "the journal %s is not valid JSON (%s); move it away to bind again, "
			       "and restore its devices by name",
			       abs ? abs : VS_JOURNAL_FILE,
			       tok ? json_tokener_error_desc(json_tokener_get_error(tok)) : "out of memory");
	} else {
		r = parse_journal(top, j);
		if (r == -EBADMSG)
			vs_err_set(err, r, "the journal %s does not have the expected fields; move it "
				   "away to bind again, and restore its devices by name",
				   abs ? abs : VS_JOURNAL_FILE);
		else if (r < 0)
			vs_err_set(err, r, "out of memory");
	}
	json_object_put(top);
	json_tokener_free(tok);
	free(text);
	if (r < 0)
		goto fail;
	free(abs);
	*out = j;
	return 0;
fail:
	free(abs);
	vs_journal_free(j);
	return r;
}

static int ensure_dir(const struct vs_root *root, struct vs_err *err)
{
	static const char *const dirs[] = { "run", VS_JOURNAL_DIR };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (mkdirat(root->fd, dirs[i], 0755) < 0 && errno != EEXIST) {
			int e = errno;
			char *abs = vs_root_abspath(root, dirs[i]);

			vs_err_set(err, -e, "cannot create %s: %s", abs ? abs : dirs[i], strerror(e));
			free(abs);
			return -e;
		}
	}
	return 0;
}

static struct json_object *journal_json(const struct vs_journal *j)
{
	struct json_object *top = json_object_new_object(), *arr = json_object_new_array();
	size_t i;

	json_object_object_add(top, "version", json_object_new_int(1));
	json_object_object_add(top, "devices", arr);
	for (i = 0; i < j->n; i++) {
		const struct vs_journal_entry *e = &j->entries[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(e->name));
		json_object_object_add(o, "bus", json_object_new_string(vs_bus_name(e->bus)));
		json_object_object_add(o, "driver", e->driver ? json_object_new_string(e->driver) : NULL);
		json_object_object_add(o, "driver_override",
				       e->override ? json_object_new_string(e->override) : NULL);
		json_object_object_add(o, "target", e->target ? json_object_new_string(e->target) : NULL);
		json_object_object_add(o, "since", json_object_new_int64(e->since));
		json_object_array_add(arr, o);
	}
	return top;
}

static int fsync_dir(const struct vs_root *root, const char *rel)
{
	int fd = openat(root->fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int write_all(int fd, const char *s, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int vs_journal_write(const struct vs_root *root, const struct vs_journal *j, struct vs_err *err)
{
	struct json_object *top;
	char *tmp = NULL, *abs;
	const char *text;
	int fd, r;

	r = ensure_dir(root, err);
	if (r < 0)
		return r;
	abs = vs_root_abspath(root, VS_JOURNAL_FILE);
	if (j->n == 0) {
		r = unlinkat(root->fd, VS_JOURNAL_FILE, 0) < 0 && errno != ENOENT ? -errno : 0;
		if (r == 0)
			r = fsync_dir(root, VS_JOURNAL_DIR);
		if (r < 0)
			vs_err_set(err, r, "cannot remove the journal %s: %s",
				   abs ? abs : VS_JOURNAL_FILE, strerror(-r));
		free(abs);
		return r;
	}
	if (asprintf(&tmp, "%s/.journal.json.%ld", VS_JOURNAL_DIR, (long)getpid()) < 0) {
		free(abs);
		return vs_err_set(err, -ENOMEM, "out of memory");
	}
	top = journal_json(j);
	text = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	fd = openat(root->fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		r = -errno;
	} else {
		r = write_all(fd, text, strlen(text));
		if (r == 0)
			r = write_all(fd, "\n", 1);
		if (r == 0 && fsync(fd) < 0)
			r = -errno;
		if (close(fd) < 0 && r == 0)
			r = -errno;
		if (r == 0 && renameat(root->fd, tmp, root->fd, VS_JOURNAL_FILE) < 0)
			r = -errno;
		if (r == 0)
			r = fsync_dir(root, VS_JOURNAL_DIR);
		if (r < 0)
			unlinkat(root->fd, tmp, 0);
	}
	if (r < 0)
		vs_err_set(err, r, "cannot write the journal %s: %s", abs ? abs : VS_JOURNAL_FILE,
			   strerror(-r));
	json_object_put(top);
	free(tmp);
	free(abs);
	return r;
}

/*
 * Take the flock on @fd, waiting at most VS_JOURNAL_LOCK_WAIT_MS: a writer
 * process that a killed vfioscope left behind still holds the lock until
 * its sysfs write returns, which is usually a moment later.
 * Return: 0, -EBUSY when still held, or -errno.
 */
static int lock_wait(int fd)
{
	const struct timespec step = { 0, 20 * 1000 * 1000 };
	unsigned waited = 0;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return -errno;
		if (waited >= VS_JOURNAL_LOCK_WAIT_MS)
			return -EBUSY;
		nanosleep(&step, NULL);
		waited += 20;
	}
}

int vs_journal_lock(const struct vs_root *root, struct vs_err *err)
{
	char *abs;
	int fd, r;

	r = ensure_dir(root, err);
	if (r < 0)
		return r;
	fd = openat(root->fd, VS_JOURNAL_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		r = -errno;
	else
		r = lock_wait(fd);
	if (r == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	abs = vs_root_abspath(root, VS_JOURNAL_LOCK);
	if (r == -EBUSY)
		vs_err_set(err, r, "another vfioscope is changing driver bindings (it has held %s "
			   "for more than %u ms); wait for it to finish", abs ? abs : VS_JOURNAL_LOCK,
			   VS_JOURNAL_LOCK_WAIT_MS);
	else
		vs_err_set(err, r, "cannot lock %s: %s", abs ? abs : VS_JOURNAL_LOCK, strerror(-r));
	free(abs);
	return r;
}
