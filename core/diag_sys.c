// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * System facts for the diagnosis, read through the system root: the kernel
 * command line, the kernel log, firmware tables, path resolution inside the
 * root, and small string-vector helpers shared by the diag area.
 *
 * The kernel log is read from dev/kmsg under the root. On the live system
 * that is the kernel's ring buffer (root or CAP_SYSLOG when
 * kernel.dmesg_restrict=1; boot lines may have been overwritten on a long
 * uptime); in a fixture it is a plain file holding kmsg records
 * ("6,339,5140900,-;pci ...") or dmesg lines ("[    0.51] pci ..."). Syslog
 * files such as var/log/kern.log are not read: they mix several boots.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag_priv.h"
#include "scan.h"

/* ---- string vectors ---- */

bool vs_strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static int strv_take(char ***v, size_t *n, char *s)
{
	char **nv;

	if (!s)
		return -ENOMEM;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

int vs_strv_push(char ***v, size_t *n, const char *s)
{
	return strv_take(v, n, strdup(s));
}

int vs_strv_pushf(char ***v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return strv_take(v, n, s);
}

void vs_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char *vs_acs_flags_text(uint16_t flags, const char *sep)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;

	if (!vs_acs_names_add(&sb, flags, sep))
		vs_strbuf_add(&sb, "");
	return vs_strbuf_detach(&sb);
}

/* ---- files under the root ---- */

int vs_read_file_at(const struct vs_root *root, const char *rel, size_t max, char **out)
{
	ssize_t n = vs_read_file(root->fd, rel, max, out);

	return n < 0 ? (int)n : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vs_diag_list_dir(const struct vs_root *root, const char *rel, char ***names, size_t *n)
{
	int r = vs_list_dir(root->fd, rel, names, n);

	if (r < 0) {
		*names = NULL;
		*n = 0;
		return r;
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}

/* ---- path resolution inside the root ---- */

static void pop_component(struct vs_strbuf *sb)
{
	char *slash;

	if (!sb->len)
		return;
	slash = strrchr(sb->buf, '/');
	sb->len = slash ? (size_t)(slash - sb->buf) : 0;
	sb->buf[sb->len] = '\0';
}

char *vs_root_canon(const struct vs_root *root, const char *rel)
{
	struct vs_strbuf done = VS_STRBUF_INIT;
	char *pending = strdup(rel);
	char *result = NULL;
	int links = 0;

	if (!pending)
		return NULL;
	while (*pending) {
		char *p = pending, *slash, *comp, *cand, *target = NULL, *rest;
		struct stat st;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		slash = strchr(p, '/');
		comp = slash ? strndup(p, (size_t)(slash - p)) : strdup(p);
		rest = strdup(slash ? slash + 1 : "");
		if (!comp || !rest) {
			free(comp);
			free(rest);
			goto out;
		}
		free(pending);
		pending = rest;
		if (strcmp(comp, ".") == 0) {
			free(comp);
			continue;
		}
		if (strcmp(comp, "..") == 0) {
			free(comp);
			pop_component(&done);
			continue;
		}
		if (asprintf(&cand, "%s%s%s", vs_strbuf_cstr(&done), done.len ? "/" : "", comp) < 0) {
			free(comp);
			goto out;
		}
		free(comp);
		if (fstatat(root->fd, cand, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			free(cand);
			goto out;
		}
		if (!S_ISLNK(st.st_mode)) {
			vs_strbuf_reset(&done);
			vs_strbuf_add(&done, cand);
			free(cand);
			continue;
		}
		if (++links > 40 || vs_readlink_at(root->fd, cand, &target) < 0) {
			free(cand);
			goto out;
		}
		free(cand);
		if (target[0] == '/')
			vs_strbuf_reset(&done);
		{
			char *np;

			if (asprintf(&np, "%s/%s", target, pending) < 0) {
				free(target);
				goto out;
			}
			free(target);
			free(pending);
			pending = np;
		}
	}
	if (done.oom)
		goto out;
	result = done.len ? vs_strbuf_detach(&done) : strdup("");
out:
	vs_strbuf_release(&done);
	free(pending);
	return result;
}

const struct vs_device *vs_device_by_path(const struct vs_topology *topo, const char *canon)
{
	const struct vs_topo_priv *priv = topo->priv;
	char *p = strdup(canon), *slash;
	const struct vs_device *dev = NULL;

	if (!p)
		return NULL;
	/* the longest prefix, component-wise, that is a device's syspath */
	for (;;) {
		if (priv) {
			dev = vs_strmap_get(&priv->by_path, p);
		} else {
			for (size_t i = 0; i < topo->n_devices && !dev; i++)
				if (vs_streq(topo->devices[i]->syspath, p))
					dev = topo->devices[i];
		}
		if (dev)
			break;
		slash = strrchr(p, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	free(p);
	return dev;
}

/* ---- kernel command line ---- */

/* Kernel parameter names treat '-' and '_' alike (kernel/params.c parameq). */
static bool param_eq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return false;
	}
	return true;
}

char *vs_cmdline_get(const char *cmdline, const char *key)
{
	const char *p = cmdline;
	char *found = NULL;

	if (!cmdline)
		return NULL;
	while (*p) {
		const char *start, *eq = NULL, *end;
		bool quoted = false;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && (quoted || !isspace((unsigned char)*p))) {
			if (*p == '"')
				quoted = !quoted;
			else if (*p == '=' && !eq && !quoted)
				eq = p;
			p++;
		}
		end = p;
		if (param_eq(start, (size_t)((eq ? eq : end) - start), key)) {
			const char *v = eq ? eq + 1 : end;
			size_t vl = (size_t)(end - v);

			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
				v++;
				vl -= 2;
			}
			free(found);
			found = strndup(v, vl);
		}
	}
	return found;
}

static void parse_override(const char *cmdline, struct vs_acs_override *o)
{
	char *val = vs_cmdline_get(cmdline, "pcie_acs_override");
	char *save = NULL, *tok, *copy;

	memset(o, 0, sizeof(*o));
	if (!val)
		return;
	o->present = true;
	o->value = val;
	copy = strdup(val);
	if (!copy)
		return;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned v, d;

		if (strcmp(tok, "downstream") == 0)
			o->downstream = true;
		else if (strcmp(tok, "multifunction") == 0)
			o->multifunction = true;
		else if (sscanf(tok, "id:%x:%x", &v, &d) == 2 && o->n_ids < 16) {
			o->ids[o->n_ids][0] = (uint16_t)v;
			o->ids[o->n_ids][1] = (uint16_t)d;
			o->n_ids++;
		}
	}
	free(copy);
}

/* ---- kernel log ---- */

static bool is_bdf(const char *s, size_t n)
{
	/* [domain:]bb:dd.f with hex digits, domain of 4+ digits */
	size_t i = 0, colons = 0;

	if (n < 7)
		return false;
	for (; i < n; i++) {
		if (s[i] == ':')
			colons++;
		else if (s[i] == '.')
			break;
		else if (!isxdigit((unsigned char)s[i]))
			return false;
	}
	return colons == 2 && i + 2 == n && isdigit((unsigned char)s[i + 1]);
}

/* The device a dev_printk line is about: "pci 0000:00:1c.0: msg" -> name, msg. */
static char *line_device(const char *msg, const char **rest)
{
	const char *sp = strchr(msg, ' ');
	const char *colon;

	if (!sp)
		return NULL;
	sp++;
	colon = strstr(sp, ": ");
	if (!colon || !is_bdf(sp, (size_t)(colon - sp)))
		return NULL;
	*rest = colon + 2;
	return strndup(sp, (size_t)(colon - sp));
}

static int kmsg_line(struct vs_kmsg *k, const char *line)
{
	const char *msg = line, *rest = NULL;
	char *dev;
	int r = 0;
	unsigned s1, f1, s2, f2;

	if (*line == ' ' || *line == '\0')
		return 0;	/* kmsg dictionary continuation */
	/* kmsg record "pri,seq,usec,flags;text" */
	if (isdigit((unsigned char)*line)) {
		const char *semi = strchr(line, ';');
		const char *comma = strchr(line, ',');

		if (semi && comma && comma < semi)
			msg = semi + 1;
	} else if (*line == '[') {
		const char *close = strchr(line, ']');

		if (close) {
			msg = close + 1;
			while (*msg == ' ')
				msg++;
		}
	} else if (*line == '<') {	/* "<6>[   0.1] ..." from dmesg -r */
		const char *close = strchr(line, '>');

		if (close)
			return kmsg_line(k, close + 1);
	}

	if (strncmp(msg, "Linux version ", 14) == 0)
		k->complete = true;
	if (strstr(msg, "PCIe ACS overrides enabled"))
		k->override_warning = true;
	if (strstr(msg, "Enabled IRQ remapping") || strstr(msg, "Interrupt remapping enabled"))
		k->ir_enabled = true;
	if (strstr(msg, "IRQ remapping was disabled") || strstr(msg, "Not enabling interrupt remapping") ||
	    strstr(msg, "Failed to enable irq remapping"))
		k->ir_disabled = true;
	if (strstr(msg, "No interrupt remapping support"))
		k->unsafe_irq_msg = true;

	dev = line_device(msg, &rest);
	if (!dev)
		return 0;
	if (strstr(rest, "Intel PCH root port ACS workaround enabled"))
		r = vs_strv_push(&k->pch_enabled, &k->n_pch_enabled, dev);
	else if (strstr(rest, "Failed to enable Intel PCH ACS quirk"))
		r = vs_strv_push(&k->pch_failed, &k->n_pch_failed, dev);
	else if (strstr(rest, "Intel SPT PCH root port ACS workaround enabled"))
		r = vs_strv_push(&k->spt_enabled, &k->n_spt_enabled, dev);
	else if (sscanf(rest, "Enabling fixed DMA alias for devfn range from %x.%u to %x.%u",
			&s1, &f1, &s2, &f2) == 4 ||
		 sscanf(rest, "Enabling fixed DMA alias to %x.%u", &s1, &f1) == 2) {
		struct vs_alias_fact *na;
		unsigned from = ((s1 & 0x1f) << 3) | (f1 & 7);
		unsigned nr = 1;

		if (strstr(rest, "range")) {
			unsigned to = ((s2 & 0x1f) << 3) | (f2 & 7);

			nr = to >= from ? to - from + 1 : 1;
		}
		na = realloc(k->aliases, (k->n_aliases + 1) * sizeof(*na));
		if (!na) {
			free(dev);
			return -ENOMEM;
		}
		k->aliases = na;
		na[k->n_aliases].dev = dev;
		na[k->n_aliases].devfn = from;
		na[k->n_aliases].nr = nr;
		k->n_aliases++;
		return 0;
	}
	free(dev);
	return r;
}

static int kmsg_text(struct vs_kmsg *k, char *text)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int r = kmsg_line(k, line);

		if (r < 0)
			return r;
	}
	return 0;
}

static int read_kmsg(const struct vs_root *root, struct vs_kmsg *k)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	struct stat st;
	char *text;
	int fd, r;

	fd = openat(root->fd, "dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;

		if (asprintf(&k->why_unreadable, "%s/dev/kmsg: %s", root->live ? "" : root->path,
			     e == EPERM || e == EACCES ?
			     "needs root or CAP_SYSLOG (kernel.dmesg_restrict)" : strerror(e)) < 0)
			k->why_unreadable = NULL;
		return 0;
	}
	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode)) {
		/* each read returns one record; EAGAIN ends the buffer */
		char *rec = malloc(16384);

		if (!rec) {
			close(fd);
			return -ENOMEM;
		}
		for (;;) {
			ssize_t n = read(fd, rec, 16383);

			if (n < 0) {
				if (errno == EPIPE || errno == EINTR)
					continue;	/* overwritten record */
				break;
			}
			if (n == 0)
				break;
			vs_strbuf_addn(&sb, rec, (size_t)n);
			if (rec[n - 1] != '\n')
				vs_strbuf_addch(&sb, '\n');
		}
		free(rec);
		close(fd);
	} else {
		close(fd);
		r = vs_read_file_at(root, "dev/kmsg", 64u << 20, &text);
		if (r < 0) {
			if (asprintf(&k->why_unreadable, "dev/kmsg: %s", strerror(-r)) < 0)
				k->why_unreadable = NULL;
			return r == -ENOMEM ? r : 0;
		}
		vs_strbuf_add(&sb, text);
		free(text);
	}
	if (sb.oom)
		return -ENOMEM;
	k->readable = true;
	text = vs_strbuf_detach(&sb);
	if (!text)
		return 0;
	r = kmsg_text(k, text);
	free(text);
	return r;
}

int vs_sysfacts_read(const struct vs_root *root, struct vs_sysfacts *facts)
{
	struct stat st;
	char *s = NULL;
	int r;

	memset(facts, 0, sizeof(*facts));
	if (vs_read_attr(root->fd, "proc/cmdline", &s) >= 0)
		facts->cmdline = s;
	parse_override(facts->cmdline, &facts->override);
	if (vs_read_attr(root->fd, "proc/sys/kernel/osrelease", &s) >= 0)
		facts->release = s;

	if (fstatat(root->fd, "sys/firmware/acpi/tables/IVRS", &st, 0) == 0)
		facts->ivrs = VS_YES;
	else if (errno == ENOENT)
		facts->ivrs = VS_NO;
	else
		facts->ivrs = VS_UNKNOWN;

	r = read_kmsg(root, &facts->kmsg);
	return r == -ENOMEM ? r : 0;
}

void vs_sysfacts_release(struct vs_sysfacts *f)
{
	if (!f)
		return;
	free(f->cmdline);
	free(f->release);
	free(f->override.value);
	vs_strv_free(f->kmsg.pch_enabled, f->kmsg.n_pch_enabled);
	vs_strv_free(f->kmsg.pch_failed, f->kmsg.n_pch_failed);
	vs_strv_free(f->kmsg.spt_enabled, f->kmsg.n_spt_enabled);
	for (size_t i = 0; i < f->kmsg.n_aliases; i++)
		free(f->kmsg.aliases[i].dev);
	free(f->kmsg.aliases);
	free(f->kmsg.why_unreadable);
	memset(f, 0, sizeof(*f));
}
