// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfioscope/sysroot.h"

int vs_root_open(const char *path, struct vs_root **out, struct vs_err *err)
{
	struct vs_root *root;
	size_t len;
	int fd;

	*out = NULL;
	if (!path || !*path)
		path = "/";
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return vs_err_set(err, -errno, "cannot open system root %s: %s",
				  path, strerror(errno));
	root = calloc(1, sizeof(*root));
	if (root)
		root->path = strdup(path);
	if (!root || !root->path) {
		free(root);
		close(fd);
		return vs_err_set(err, -ENOMEM, "out of memory");
	}
	len = strlen(root->path);
	while (len > 1 && root->path[len - 1] == '/')
		root->path[--len] = '\0';
	root->fd = fd;
	root->live = strcmp(root->path, "/") == 0;
	*out = root;
	return 0;
}

void vs_root_free(struct vs_root *root)
{
	if (!root)
		return;
	if (root->fd >= 0)
		close(root->fd);
	free(root->path);
	free(root);
}

char *vs_root_abspath(const struct vs_root *root, const char *rel)
{
	char *p;

	while (*rel == '/')
		rel++;
	if (asprintf(&p, "%s/%s", root->live ? "" : root->path, rel) < 0)
		return NULL;
	return p;
}

#define ATTR_MAX (64 * 1024 - 1)

ssize_t vs_read_file(int dirfd, const char *rel, size_t max, char **out)
{
	char *buf = NULL, *nbuf;
	size_t alloc = 0, len = 0;
	ssize_t n;
	int fd;

	*out = NULL;
	fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len + 1 >= alloc) {
			if (alloc > max) {
				n = -EFBIG;
				goto fail;
			}
			alloc = alloc ? alloc * 2 : 256;
			nbuf = realloc(buf, alloc);
			if (!nbuf) {
				n = -ENOMEM;
				goto fail;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, alloc - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > max) {
		free(buf);
		return -EFBIG;
	}
	buf[len] = '\0';
	*out = buf;
	return (ssize_t)len;
fail:
	free(buf);
	close(fd);
	return n;
}

ssize_t vs_read_attr(int dirfd, const char *rel, char **out)
{
	ssize_t len = vs_read_file(dirfd, rel, ATTR_MAX, out);

	if (len > 0 && (*out)[len - 1] == '\n')
		(*out)[--len] = '\0';
	return len;
}

ssize_t vs_read_bytes(int dirfd, const char *rel, void *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	while (got < size) {
		n = pread(fd, (char *)buf + got, size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}

int vs_readlink_at(int dirfd, const char *rel, char **out)
{
	size_t size = 256;
	ssize_t n;
	char *buf;

	*out = NULL;
	for (;;) {
		buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		n = readlinkat(dirfd, rel, buf, size);
		if (n < 0) {
			n = -errno;
			free(buf);
			return (int)n;
		}
		if ((size_t)n < size) {
			buf[n] = '\0';
			*out = buf;
			return 0;
		}
		free(buf);
		if (size >= PATH_MAX * 4)
			return -ENAMETOOLONG;
		size *= 2;
	}
}

int vs_link_basename(int dirfd, const char *rel, char **out)
{
	char *target, *slash, *base;
	int r;

	*out = NULL;
	r = vs_readlink_at(dirfd, rel, &target);
	if (r < 0)
		return r;
	while ((slash = strrchr(target, '/')) && slash[1] == '\0' && slash != target)
		*slash = '\0';
	slash = strrchr(target, '/');
	base = strdup(slash ? slash + 1 : target);
	free(target);
	if (!base)
		return -ENOMEM;
	*out = base;
	return 0;
}

int vs_write_attr(int dirfd, const char *rel, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, r = 0;

	fd = openat(dirfd, rel, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, value, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = -errno;
	return r;
}
