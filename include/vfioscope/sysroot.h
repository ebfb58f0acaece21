/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The system is an input: every read and every write of the core goes
 * through a struct vs_root, a directory that stands for "/" (the live system)
 * or for a fixture tree holding sys/, proc/, dev/ and run/.
 *
 * Paths given to these functions are relative to the root ("sys/bus/pci"),
 * never absolute.
 */
#ifndef VFIOSCOPE_SYSROOT_H
#define VFIOSCOPE_SYSROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vfioscope/util.h"

/**
 * struct vs_root - an open system root.
 * @path: the root as given, without trailing slash ("/" stays "/")
 * @fd: O_PATH|O_DIRECTORY descriptor of @path
 * @live: true when @path is "/", i.e. the running system; writes and
 *        module loading are only ever attempted outside fixtures when true
 */
struct vs_root {
	char *path;
	int fd;
	bool live;
};

/**
 * vs_root_open() - open a system root.
 * @path: directory; NULL means "/"
 * Return: 0, -ENOENT/-ENOTDIR/-EACCES (with a message in @err) or -ENOMEM.
 */
int vs_root_open(const char *path, struct vs_root **out, struct vs_err *err);
/** vs_root_free() - close and free; accepts NULL. */
void vs_root_free(struct vs_root *root);

/**
 * vs_root_abspath() - the absolute path of @rel as the user would type it,
 * e.g. "/sys/bus/pci/devices/0000:01:00.0" on the live system or
 * "/tmp/fx/sys/bus/pci/devices/0000:01:00.0" under a fixture. Caller frees.
 */
char *vs_root_abspath(const struct vs_root *root, const char *rel);

/**
 * vs_read_file() - read a whole file below @dirfd, at most @max bytes.
 * @out: receives the contents, malloc'd and NUL-terminated (binary safe
 *       through the returned length)
 * Return: length, -EFBIG when the file holds more than @max bytes, -ENOMEM,
 * or -errno from open/read. Opened O_NONBLOCK, so a FIFO planted in a
 * system root cannot hang the caller.
 */
ssize_t vs_read_file(int dirfd, const char *rel, size_t max, char **out);

/**
 * vs_read_attr() - read a small sysfs-style attribute.
 * @dirfd: directory the path is relative to (a root's fd or a device dirfd)
 * @rel: relative path
 * @out: receives a malloc'd string with one trailing newline removed
 * Return: length, or -errno (-ENOENT missing, -EACCES, -EISDIR, -EIO ...).
 * Files larger than 64 KiB are refused with -EFBIG.
 */
ssize_t vs_read_attr(int dirfd, const char *rel, char **out);

/**
 * vs_read_bytes() - read up to @size bytes of a binary file (config space).
 * Return: bytes read (possibly fewer than asked: non-root config is 64), or -errno.
 */
ssize_t vs_read_bytes(int dirfd, const char *rel, void *buf, size_t size);

/**
 * vs_readlink_at() - readlink relative to @dirfd; @out is malloc'd.
 * Return: 0 or -errno (-EINVAL when not a link).
 */
int vs_readlink_at(int dirfd, const char *rel, char **out);

/** vs_link_basename() - basename of a link's target ("driver" -> "vfio-pci"). */
int vs_link_basename(int dirfd, const char *rel, char **out);

/**
 * vs_write_attr() - write @value to an attribute the way `echo` would not:
 * one write(2) of exactly strlen(@value) bytes, O_WRONLY without O_CREAT or
 * O_TRUNC (sysfs semantics). Return: 0 or -errno from open or write.
 */
int vs_write_attr(int dirfd, const char *rel, const char *value);

#endif
