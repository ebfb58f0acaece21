// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * When a system has no sys/firmware/fdt (or it is root-only), the kernel's
 * unpacked tree in sys/firmware/devicetree/base is turned back into a blob
 * with libfdt's sequential-write API, so that one parser serves both. The
 * directory order of the kernel is lost: children and properties are sorted
 * by name, which keeps the output reproducible.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>

#include "vfioscope/dt.h"
#include "dt-internal.h"

#define MAX_DEPTH 64
#define MAX_ENTRIES 200000

struct walk {
	void *fdt;
	size_t entries;
	struct vs_err *err;
	const char *rel;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Sorted entry names of the open directory @fd, split into files and dirs. */
static int list_dir(int fd, char ***files, size_t *nf, char ***dirs, size_t *nd)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	char ***list, **nl;
	size_t *cnt;
	int dfd;

	*files = *dirs = NULL;
	*nf = *nd = 0;
	dfd = dup(fd);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			list = dirs;
			cnt = nd;
		} else if (S_ISREG(st.st_mode)) {
			list = files;
			cnt = nf;
		} else {
			continue;
		}
		nl = realloc(*list, (*cnt + 1) * sizeof(*nl));
		if (!nl || !(nl[*cnt] = strdup(de->d_name))) {
			if (nl)
				*list = nl;
			closedir(d);
			return -ENOMEM;
		}
		*list = nl;
		(*cnt)++;
	}
	closedir(d);
	if (*nf)
		qsort(*files, *nf, sizeof(char *), cmp_str);
	if (*nd)
		qsort(*dirs, *nd, sizeof(char *), cmp_str);
	return 0;
}

static int fdt_status(struct walk *w, int r)
{
	if (r == -FDT_ERR_NOSPACE)
		return -ENOSPC;
	return vs_err_set(w->err, -EINVAL, "%s: cannot assemble a blob: %s", w->rel,
			  fdt_strerror(r));
}

static int walk_node(struct walk *w, int fd, const char *name, unsigned depth)
{
	char **files = NULL, **dirs = NULL;
	size_t nf = 0, nd = 0, i;
	unsigned char *val;
	const char *at;
	ssize_t len;
	int r, cfd;

	if (depth > MAX_DEPTH)
		return vs_err_set(w->err, -EINVAL, "%s: nested deeper than %d levels", w->rel, MAX_DEPTH);
	r = fdt_begin_node(w->fdt, name);
	if (r < 0)
		return fdt_status(w, r);
	r = list_dir(fd, &files, &nf, &dirs, &nd);
	if (r < 0)
		goto out;
	w->entries += nf + nd;
	if (w->entries > MAX_ENTRIES) {
		r = vs_err_set(w->err, -EINVAL, "%s: more than %d entries", w->rel, MAX_ENTRIES);
		goto out;
	}
	for (i = 0; i < nf; i++) {
		len = vs_dt_read_file(fd, files[i], &val);
		if (len < 0) {
			r = vs_err_set(w->err, -EINVAL, "%s: %s: %s", w->rel, files[i],
				       strerror((int)-len));
			goto out;
		}
		/* The kernel adds `name` to every node; it is not in the blob. */
		at = strchr(name, '@');
		if (strcmp(files[i], "name") == 0 && len > 0 &&
		    (size_t)len == (at ? (size_t)(at - name) : strlen(name)) + 1 &&
		    strncmp((char *)val, name, (size_t)len - 1) == 0) {
			free(val);
			continue;
		}
		r = fdt_property(w->fdt, files[i], val, (int)len);
		free(val);
		if (r < 0) {
			r = fdt_status(w, r);
			goto out;
		}
	}
	for (i = 0; i < nd; i++) {
		cfd = openat(fd, dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (cfd < 0)
			continue;
		r = walk_node(w, cfd, dirs[i], depth + 1);
		close(cfd);
		if (r < 0)
			goto out;
	}
	r = fdt_end_node(w->fdt);
	if (r < 0)
		r = fdt_status(w, r);
out:
	free_names(files, nf);
	free_names(dirs, nd);
	return r;
}

int vs_dt_blob_from_dir(int rootfd, const char *rel, unsigned char **blob,
			size_t *len, struct vs_err *err)
{
	struct walk w = { .fdt = NULL, .entries = 0, .err = err, .rel = rel };
	size_t size = 256 * 1024;
	int fd, r;

	*blob = NULL;
	*len = 0;
	fd = openat(rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT :
			vs_err_set(err, -EINVAL, "%s: %s", rel, strerror(errno));
	for (;;) {
		w.fdt = malloc(size);
		if (!w.fdt) {
			close(fd);
			return vs_err_set(err, -ENOMEM, "out of memory");
		}
		w.entries = 0;
		r = fdt_create(w.fdt, (int)size);
		if (r == 0)
			r = fdt_finish_reservemap(w.fdt);
		r = r < 0 ? fdt_status(&w, r) : walk_node(&w, fd, "", 0);
		if (r == 0) {
			r = fdt_finish(w.fdt);
			if (r < 0)
				r = fdt_status(&w, r);
		}
		if (r != -ENOSPC)
			break;
		free(w.fdt);
		w.fdt = NULL;
		if (size >= 64u * 1024 * 1024) {
			close(fd);
			return vs_err_set(err, -EFBIG, "%s: tree larger than 64 MiB", rel);
		}
		size *= 2;
	}
	close(fd);
	if (r < 0) {
		free(w.fdt);
		return r;
	}
	*blob = w.fdt;
	*len = fdt_totalsize(w.fdt);
	return 0;
}
