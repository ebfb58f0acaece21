// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The string helpers every system string passes through (terminal
 * sanitizing, shell quoting), the link path resolution, the parsers of
 * sysfs values, the hash map behind O(1) lookups, and the driver rule of
 * group viability.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "check.h"
#include "scan.h"

static void check_sanitize(const char *in, bool utf8, const char *want)
{
	char *s = vs_sanitize_term(in, utf8);

	CHECK_STR(s, want);
	free(s);
}

static void test_sanitize(void)
{
	check_sanitize("plain text", true, "plain text");
	/* ESC of SGR, OSC title and BEL, clear screen. */
	check_sanitize("evil\x1b[31m\x1b]0;owned\x07", true, "evil?[31m?]0;owned?");
	check_sanitize("a\tb\nc\rd\x7f", true, "a?b?c?d?");
	/* Valid UTF-8 kept on a UTF-8 terminal, replaced otherwise. */
	check_sanitize("drv-\xc3\xbc", true, "drv-\xc3\xbc");
	check_sanitize("drv-\xc3\xbc", false, "drv-?");
	check_sanitize("\xe2\x98\xa0", false, "?");
	/* Invalid UTF-8: a lone byte, an overlong form, a surrogate. */
	check_sanitize("x\xffy", true, "x?y");
	check_sanitize("\xc0\xaf", true, "??");
	check_sanitize("\xed\xa0\x80", true, "???");
	/* C1 controls encoded in UTF-8 (U+009B is a CSI introducer). */
	check_sanitize("\xc2\x9b" "2J", true, "??2J");
	check_sanitize(NULL, true, "");
}

static void check_quote(const char *in, const char *want)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;

	vs_shell_quote(&sb, in);
	CHECK_STR(vs_strbuf_cstr(&sb), want);
	vs_strbuf_release(&sb);
}

/* vs_json_quote() writes what json-c writes for the same string. */
static void check_json(const char *in)
{
	struct json_object *o = json_object_new_string(in);
	struct vs_strbuf sb = VS_STRBUF_INIT;

	vs_json_quote(&sb, in);
	CHECK_STR(vs_strbuf_cstr(&sb),
		  json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	vs_strbuf_release(&sb);
}

static void test_json_quote(void)
{
	struct vs_strbuf sb = VS_STRBUF_INIT;
	char one[4];
	int c;

	for (c = 1; c < 256; c++) {
		one[0] = 'a';
		one[1] = (char)c;
		one[2] = 'z';
		one[3] = '\0';
		check_json(one);
	}
	check_json("");
	check_json("0000:01:00.0");
	check_json("a\"b\\c/d\x1b[31m\xff\xc3\xa9\n");
	vs_json_quote(&sb, NULL);
	CHECK_STR(vs_strbuf_cstr(&sb), "null");
	vs_strbuf_reset(&sb);
	vs_json_quote(&sb, "tab\there");
	CHECK_STR(vs_strbuf_cstr(&sb), "\"tab\\there\"");
	vs_strbuf_release(&sb);
}

static void test_shell_quote(void)
{
	check_quote("0000:01:00.0", "0000:01:00.0");
	check_quote("/sys/bus/pci/drivers/vfio-pci/bind", "/sys/bus/pci/drivers/vfio-pci/bind");
	check_quote("", "''");
	check_quote("a b", "'a b'");
	check_quote("it's", "'it'\\''s'");
	check_quote("$(reboot)", "'$(reboot)'");
	check_quote("x\ny", "'x\ny'");
}

static void check_join(const char *dir, const char *target, const char *want)
{
	char *s = vs_path_join_link(dir, target);

	CHECK_STR(s, want);
	free(s);
}

static void test_path_join(void)
{
	check_join("sys/bus/pci/devices", "../../../devices/pci0000:00/0000:00:1c.0/0000:03:00.0",
		   "sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0");
	/* Absolute targets stay inside the system root. */
	check_join("sys/bus/pci/devices", "/sys/devices/pci0000:00/0000:00:02.0",
		   "sys/devices/pci0000:00/0000:00:02.0");
	/* ".." never climbs above the root; "." and "//" vanish. */
	check_join("sys/bus", "../../../../../etc/./passwd", "etc/passwd");
	check_join("sys/devices/x", "..//y/./z", "sys/devices/y/z");
	check_join("sys/bus/pci/devices", "0000:00:1d.0", "sys/bus/pci/devices/0000:00:1d.0");
	check_join("sys/bus/pci/devices/0000:01:02.0", "../0000:01:00.0",
		   "sys/bus/pci/devices/0000:01:00.0");
}

static void test_parsers(void)
{
	unsigned d, b, s, f;
	unsigned long v;

	CHECK(vs_parse_pci_name("0000:01:00.0", &d, &b, &s, &f));
	CHECK_INT(d, 0);
	CHECK_INT(b, 1);
	CHECK(vs_parse_pci_name("10000:00:02.0", &d, &b, &s, &f));
	CHECK_INT(d, 0x10000);
	CHECK_INT(s, 2);
	CHECK(vs_parse_pci_name("0001:0A:1f.7", &d, &b, &s, &f));
	CHECK_INT(b, 0x0a);
	CHECK_INT(s, 0x1f);
	CHECK_INT(f, 7);
	CHECK(!vs_parse_pci_name("0000:01:00.8", &d, &b, &s, &f));
	CHECK(!vs_parse_pci_name("0000:01:20.0", &d, &b, &s, &f));
	CHECK(!vs_parse_pci_name("0000:1:00.0", &d, &b, &s, &f));
	CHECK(!vs_parse_pci_name("01:00.0", &d, &b, &s, &f));
	CHECK(!vs_parse_pci_name("0000:01:00.0x", &d, &b, &s, &f));
	CHECK(!vs_parse_pci_name("123456789:01:00.0", &d, &b, &s, &f));
	CHECK(!vs_parse_pci_name("not-an-address", &d, &b, &s, &f));

	CHECK_INT(vs_parse_hex_attr("0x10de", 0xffff, &v), 0);
	CHECK_INT(v, 0x10de);
	CHECK_INT(vs_parse_hex_attr("0x020000\n", 0xffffff, &v), 0);
	CHECK_INT(v, 0x020000);
	CHECK_INT(vs_parse_hex_attr("ABCD", 0xffff, &v), 0);
	CHECK_INT(v, 0xabcd);
	CHECK(vs_parse_hex_attr("0xzzzz", 0xffff, &v) < 0);
	CHECK(vs_parse_hex_attr("", 0xffff, &v) < 0);
	CHECK(vs_parse_hex_attr("0x", 0xffff, &v) < 0);
	CHECK(vs_parse_hex_attr("0x10000", 0xffff, &v) < 0);
	CHECK(vs_parse_hex_attr("0x123456789abcdef0123", 0xff, &v) < 0);
}

static void test_escape(void)
{
	char *s = vs_escape_value("0x\x01\xff\"ok", 40);

	CHECK_STR(s, "0x\\x01\\xff\\x22ok");
	free(s);
	s = vs_escape_value("abcdef", 3);
	CHECK_STR(s, "abc...");
	free(s);
}

static void test_strmap(void)
{
	struct vs_strmap m;
	char keys[1000][16];
	int vals[1000];
	int i, bad = 0;

	vs_strmap_init(&m);
	CHECK(vs_strmap_get(&m, "x") == NULL);
	for (i = 0; i < 1000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "0000:%02x:%02x.%d", i / 64, (i / 8) % 8, i % 8);
		vals[i] = i;
		if (vs_strmap_put(&m, keys[i], &vals[i]) != 0)
			bad++;
	}
	CHECK_INT(bad, 0);
	/* The first value for a key wins. */
	CHECK_INT(vs_strmap_put(&m, keys[5], &vals[6]), 1);
	for (i = 0; i < 1000; i++)
		if (vs_strmap_get(&m, keys[i]) != &vals[i])
			bad++;
	CHECK_INT(bad, 0);
	CHECK(vs_strmap_get(&m, "0000:ff:00.0") == NULL);
	CHECK_INT(m.used, 1000);
	vs_strmap_release(&m);
}

static void test_managed_dma(void)
{
	CHECK(vs_driver_managed_dma(NULL));
	CHECK(vs_driver_managed_dma("vfio-pci"));
	CHECK(vs_driver_managed_dma("pci-stub"));
	CHECK(vs_driver_managed_dma("pcieport"));
	CHECK(vs_driver_managed_dma("vfio-platform"));
	CHECK(vs_driver_managed_dma("vfio-amba"));
	CHECK(vs_driver_managed_dma("vfio-fsl-mc"));
	CHECK(vs_driver_managed_dma("vfio-cdx"));
	CHECK(vs_driver_managed_dma("mlx5_vfio_pci"));
	CHECK(vs_driver_managed_dma("nvgrace_gpu_vfio_pci"));
	CHECK(vs_driver_managed_dma("hisi-acc-vfio-pci"));
	CHECK(!vs_driver_managed_dma("e1000e"));
	CHECK(!vs_driver_managed_dma("nvme"));
	CHECK(!vs_driver_managed_dma("vfio"));
	CHECK(!vs_driver_managed_dma("_vfio_pci"));
	CHECK(!vs_driver_managed_dma("vfio-pci-evil "));
	CHECK(!vs_driver_managed_dma(""));
}

/* List @dir, whose entries are f0 .. f(@count - 1), with and without @fills. */
static void check_listing(int dfd, const char *dir, size_t count, bool fills)
{
	char **names = NULL;
	size_t n = 0, i;
	bool *seen = calloc(count ? count : 1, 1);

	CHECK_INT(vs_list_dir_ex(dfd, dir, fills, &names, &n), 0);
	CHECK_INT(n, count);
	for (i = 0; seen && i < n; i++) {
		unsigned long k = strtoul(names[i] + 1, NULL, 10);

		CHECK(names[i][0] == 'f' && k < count && !seen[k]);
		if (k < count)
			seen[k] = true;
	}
	vs_free_names(names, n);
	free(seen);
}

/*
 * vs_list_dir_ex(): every entry, whether the directory fits one getdents64
 * call or needs many (3,000 long names: about 200 KiB of entries). The
 * one-call shortcut is tried only where vs_readdir_fills() allows it.
 */
static void test_list_dir(void)
{
	char tmpl[] = "/tmp/vs-listdir.XXXXXX", path[4096];
	const char *top = mkdtemp(tmpl);
	size_t i, big = 3000;
	int dfd;

	CHECK(top != NULL);
	if (!top)
		return;
	snprintf(path, sizeof(path), "%s/small", top);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/small/f0", top);
	CHECK(close(open(path, O_CREAT | O_WRONLY, 0644)) == 0);
	snprintf(path, sizeof(path), "%s/big", top);
	CHECK(mkdir(path, 0755) == 0);
	for (i = 0; i < big; i++) {
		snprintf(path, sizeof(path), "%s/big/f%zu-%0*d", top, i, 40, 0);
		CHECK(close(open(path, O_CREAT | O_WRONLY, 0644)) == 0);
	}
	dfd = open(top, O_RDONLY | O_DIRECTORY);
	check_listing(dfd, "small", 1, false);
	check_listing(dfd, "big", big, false);
	if (vs_readdir_fills(dfd)) {
		check_listing(dfd, "small", 1, true);
		check_listing(dfd, "big", big, true);
	} else {
		fprintf(stderr, "test-util: %s does not fill readdir buffers; one-call "
			"listing not tried\n", top);
	}
	close(dfd);
	for (i = 0; i < big; i++) {
		snprintf(path, sizeof(path), "%s/big/f%zu-%0*d", top, i, 40, 0);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/small/f0", top);
	unlink(path);
	snprintf(path, sizeof(path), "%s/small", top);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/big", top);
	rmdir(path);
	rmdir(top);
}

int main(void)
{
	test_sanitize();
	test_shell_quote();
	test_json_quote();
	test_path_join();
	test_parsers();
	test_escape();
	test_strmap();
	test_managed_dma();
	test_list_dir();
	return check_result("test-util");
}
