// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Small pieces the scanner files share: the string hash map behind the O(1)
 * lookups, problem and warning sentences, link path resolution, and parsers
 * for sysfs values.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "scan.h"

/* FNV-1a: short keys, good enough spread, no allocation. */
static size_t strmap_hash(const char *key)
{
	size_t h = (size_t)1469598103934665603ull;

	while (*key) {
		h ^= (unsigned char)*key++;
		h *= (size_t)1099511628211ull;
	}
	return h;
}

void vs_strmap_init(struct vs_strmap *map)
{
	map->slots = NULL;
	map->cap = 0;
	map->used = 0;
}

static int strmap_grow(struct vs_strmap *map)
{
	size_t ncap = map->cap ? map->cap * 2 : 64, i;
	struct vs_strmap_slot *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (i = 0; i < map->cap; i++) {
		size_t j;

		if (!map->slots[i].key)
			continue;
		j = strmap_hash(map->slots[i].key) & (ncap - 1);
		while (ns[j].key)
			j = (j + 1) & (ncap - 1);
		ns[j] = map->slots[i];
	}
	free(map->slots);
	map->slots = ns;
	map->cap = ncap;
	return 0;
}

int vs_strmap_put(struct vs_strmap *map, const char *key, void *value)
{
	size_t j;

	/* Keep the load factor under one half so probes stay short. */
	if ((map->used + 1) * 2 > map->cap && strmap_grow(map) < 0)
		return -ENOMEM;
	j = strmap_hash(key) & (map->cap - 1);
	while (map->slots[j].key) {
		if (strcmp(map->slots[j].key, key) == 0)
			return 1;
		j = (j + 1) & (map->cap - 1);
	}
	map->slots[j].key = key;
	map->slots[j].value = value;
	map->used++;
	return 0;
}

void *vs_strmap_get(const struct vs_strmap *map, const char *key)
{
	size_t j;

	if (!map->cap || !key)
		return NULL;
	j = strmap_hash(key) & (map->cap - 1);
	while (map->slots[j].key) {
		if (strcmp(map->slots[j].key, key) == 0)
			return map->slots[j].value;
		j = (j + 1) & (map->cap - 1);
	}
	return NULL;
}

void vs_strmap_release(struct vs_strmap *map)
{
	free(map->slots);
	vs_strmap_init(map);
}

static int append_sentence(char ***list, size_t *n, const char *fmt, va_list ap)
{
	char **nl, *s;

	if (vasprintf(&s, fmt, ap) < 0)
		return -ENOMEM;
	nl = realloc(*list, (*n + 1) * sizeof(**list));
	if (!nl) {
		free(s);
		return -ENOMEM;
	}
	nl[(*n)++] = s;
	*list = nl;
	return 0;
}

int vs_device_problem(struct vs_device *dev, unsigned bit, const char *fmt, ...)
{
	va_list ap;
	int r;

	dev->errors |= bit;
	va_start(ap, fmt);
	r = append_sentence(&dev->problems, &dev->n_problems, fmt, ap);
	va_end(ap);
	return r;
}

int vs_topology_warn(struct vs_topology *topo, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = append_sentence(&topo->warnings, &topo->n_warnings, fmt, ap);
	va_end(ap);
	return r;
}

char *vs_path_join_link(const char *dir, const char *target)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	char *work, *comp, *save = NULL;
	size_t *marks = NULL, n_marks = 0, cap_marks = 0;

	if (target[0] == '/') {
		work = strdup(target);
	} else if (asprintf(&work, "%s/%s", dir, target) < 0) {
		work = NULL;
	}
	if (!work)
		return NULL;
	vs_strbuf_add(&sb, "");
	for (comp = strtok_r(work, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (n_marks) {
				sb.len = marks[--n_marks];
				sb.buf[sb.len] = '\0';
			}
			continue;
		}
		if (n_marks == cap_marks) {
			size_t nc = cap_marks ? cap_marks * 2 : 16;
			size_t *nm = realloc(marks, nc * sizeof(*marks));

			if (!nm) {
				sb.oom = true;
				break;
			}
			marks = nm;
			cap_marks = nc;
		}
		marks[n_marks++] = sb.len;
		if (sb.len)
			vs_strbuf_addch(&sb, '/');
		vs_strbuf_add(&sb, comp);
	}
	free(marks);
	free(work);
	return vs_strbuf_detach(&sb);
}

char *vs_escape_value(const char *s, size_t max)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	size_t i;

	vs_strbuf_add(&sb, "");
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == max) {
			vs_strbuf_add(&sb, "...");
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			vs_strbuf_addch(&sb, (char)c);
		else
			vs_strbuf_addf(&sb, "\\x%02x", c);
	}
	return vs_strbuf_detach(&sb);
}

int vs_device_bad_value(struct vs_device *dev, unsigned bit, const char *what, char *value)
{
	char *esc = vs_escape_value(value, 40);
	int r;

	free(value);
	if (!esc)
		return -ENOMEM;
	r = vs_device_problem(dev, bit, "%s: malformed value \"%s\"", what, esc);
	free(esc);
	return r;
}

int vs_parse_int(const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < min || v > max)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int vs_parse_hex_attr(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p = s;
	int digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; isxdigit((unsigned char)*p); p++) {
		if (++digits > 8)
			return -EINVAL;
		v = v * 16 + (unsigned long)(isdigit((unsigned char)*p) ? *p - '0'
					     : tolower((unsigned char)*p) - 'a' + 10);
	}
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!digits || *p || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool parse_hex_field(const char **pp, int min, int max, unsigned *out)
{
	const char *p = *pp;
	unsigned v = 0;
	int n = 0;

	while (isxdigit((unsigned char)*p) && n < max) {
		v = v * 16 + (unsigned)(isdigit((unsigned char)*p) ? *p - '0'
					 : tolower((unsigned char)*p) - 'a' + 10);
		p++;
		n++;
	}
	if (n < min || isxdigit((unsigned char)*p))
		return false;
	*out = v;
	*pp = p;
	return true;
}

bool vs_parse_pci_name(const char *s, unsigned *domain, unsigned *bus,
		       unsigned *dev, unsigned *fn)
{
	const char *p = s;

	if (!parse_hex_field(&p, 1, 8, domain) || *p++ != ':')
		return false;
	if (!parse_hex_field(&p, 2, 2, bus) || *p++ != ':')
		return false;
	if (!parse_hex_field(&p, 2, 2, dev) || *p++ != '.')
		return false;
	if (!parse_hex_field(&p, 1, 1, fn) || *p)
		return false;
	return *dev < 32 && *fn < 8;
}

void vs_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

bool vs_readdir_fills(int fd)
{
	struct statfs st;

	if (fstatfs(fd, &st) < 0)
		return false;
	switch ((unsigned long)st.f_type) {
	case SYSFS_MAGIC:
	case TMPFS_MAGIC:
	case RAMFS_MAGIC:
	case EXT4_SUPER_MAGIC:	/* also ext2 and ext3 */
		return true;
	}
	return false;
}

int vs_list_dir(int dirfd, const char *rel, char ***names, size_t *n)
{
	return vs_list_dir_ex(dirfd, rel, false, names, n);
}

int vs_list_dir_ex(int dirfd, const char *rel, bool fills, char ***names, size_t *n)
{
	char buf[16384];
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	ssize_t got;
	int fd, r = 0;

	*names = NULL;
	*n = 0;
	fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((got = getdents64(fd, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < got) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);

			off += de->d_reclen;
			if (de->d_name[0] == '.')
				continue;
			if (cnt == cap) {
				size_t nc = cap ? cap * 2 : 16;
				char **nv = realloc(v, nc * sizeof(*nv));

				if (!nv) {
					r = -ENOMEM;
					goto out;
				}
				v = nv;
				cap = nc;
			}
			if (!(v[cnt] = strdup(de->d_name))) {
				r = -ENOMEM;
				goto out;
			}
			cnt++;
		}
		/* room left for the longest entry: a filling readdir is at its end */
		if (fills && (size_t)got + sizeof(struct dirent64) + NAME_MAX < sizeof(buf))
			break;
	}
	if (got < 0)
		r = -errno;
out:
	close(fd);
	if (r < 0) {
		vs_free_names(v, cnt);
		return r;
	}
	*names = v;
	*n = cnt;
	return 0;
}

ssize_t vs_scan_attr(int dirfd, const char *rel, char **out)
{
	char buf[4096];
	ssize_t n;
	int fd;

	*out = NULL;
	fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	if ((size_t)n == sizeof(buf))
		return vs_read_attr(dirfd, rel, out);
	if (n && buf[n - 1] == '\n')
		n--;
	*out = malloc((size_t)n + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, buf, (size_t)n);
	(*out)[n] = '\0';
	return n;
}

#define PFOR_CHUNK 16
#define PFOR_MAX_THREADS 4
#define PFOR_MIN_ITEMS 256

struct pfor {
	int (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n;
	atomic_size_t next;
	atomic_int err;
};

static void *pfor_worker(void *arg)
{
	struct pfor *p = arg;
	size_t i, end;

	while (!atomic_load(&p->err) &&
	       (i = atomic_fetch_add(&p->next, PFOR_CHUNK)) < p->n) {
		end = i + PFOR_CHUNK < p->n ? i + PFOR_CHUNK : p->n;
		for (; i < end; i++) {
			int r = p->fn(p->ctx, i);
			int zero = 0;

			if (r < 0) {
				atomic_compare_exchange_strong(&p->err, &zero, r);
				break;
			}
		}
	}
	return NULL;
}

int vs_parallel_for(size_t n, int (*fn)(void *ctx, size_t i), void *ctx)
{
	pthread_t tids[PFOR_MAX_THREADS - 1];
	size_t started = 0, want = 1, i;
	struct pfor p;
	long cpus;

	p.fn = fn;
	p.ctx = ctx;
	p.n = n;
	atomic_init(&p.next, 0);
	atomic_init(&p.err, 0);
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (n >= PFOR_MIN_ITEMS && cpus > 1)
		want = cpus < PFOR_MAX_THREADS ? (size_t)cpus : PFOR_MAX_THREADS;
	/* A thread that cannot be started only means less parallelism. */
	for (i = 0; i + 1 < want; i++)
		if (pthread_create(&tids[started], NULL, pfor_worker, &p) == 0)
			started++;
	pfor_worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	return atomic_load(&p.err);
}
