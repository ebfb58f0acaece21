# SPDX-License-Identifier: GPL-2.0-or-later
"""Plain `make check` test of the VM harness's host side (no VM, < 1 s):
module .modinfo parsing and load order, the initramfs cpio writer, the TAP
judge, and a syntax check of the guest's /init and test suite."""

import lzma
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vmlib  # noqa: E402
from vmlib import HarnessError  # noqa: E402


def read_newc(data):
    """An independent reader of newc archives: [(name, mode, rdev, body)]."""
    out, pos = [], 0
    while True:
        if data[pos:pos + 6] != b"070701":
            raise AssertionError("bad magic at %d" % pos)
        fields = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        size, namesize = fields[6], fields[11]
        name_at = pos + 110
        name = data[name_at:name_at + namesize - 1].decode()
        if data[name_at + namesize - 1] != 0:
            raise AssertionError("name of %s not NUL-terminated" % name)
        body_at = (name_at + namesize + 3) & ~3
        body = data[body_at:body_at + size]
        pos = (body_at + size + 3) & ~3
        if name == "TRAILER!!!":
            if pos != len(data):
                raise AssertionError("data after the trailer")
            return out
        out.append((name, fields[1], (fields[9], fields[10]), body))


class Modules(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="vs-vm-selftest.")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def build_module(self, fname, modinfo):
        """An ELF object with a .modinfo section holding @modinfo strings."""
        if not shutil.which("cc") and not shutil.which("gcc"):
            self.fail("no C compiler (cc) to build a test module")
        src = os.path.join(self.tmp, "m.c")
        with open(src, "w") as f:
            for i, entry in enumerate(modinfo):
                f.write('static const char e%d[] __attribute__((used, section(".modinfo"), '
                        'aligned(1))) = "%s";\n' % (i, entry))
            f.write("int vs_dummy(void) { return 0; }\n")
        out = os.path.join(self.tmp, fname)
        subprocess.run([shutil.which("cc") or "gcc", "-c", "-o", out, src], check=True)
        return out

    def test_names(self):
        self.assertEqual(vmlib.module_name("/x/vfio-pci.ko"), "vfio_pci")
        self.assertEqual(vmlib.module_name("8139cp.ko.xz"), "8139cp")
        self.assertEqual(vmlib.module_name("crc-t10dif.ko.zst"), "crc_t10dif")

    def test_modinfo_and_compression(self):
        ko = self.build_module("nvme.ko", [
            "license=GPL", "depends=nvme-core,crc_t10dif",
            "softdep=pre: crct10dif-generic post: bogus", "name=nvme"])
        with open(ko, "rb") as f:
            plain = f.read()
        xz = ko + ".xz"
        with lzma.open(xz, "wb") as f:
            f.write(plain)
        self.assertEqual(vmlib.read_module(xz), plain)
        info = vmlib.parse_modinfo(vmlib.read_module(xz))
        self.assertEqual(info["name"], ["nvme"])
        self.assertEqual(vmlib.module_dep_lists(info),
                         (["nvme_core", "crc_t10dif"], ["crct10dif_generic"]))

    def test_no_modinfo(self):
        with self.assertRaises(HarnessError):
            vmlib.parse_modinfo(b"not an elf file at all")

    def test_load_order(self):
        graph = {
            "vfio_pci": (["vfio_pci_core", "vfio"], []),
            "vfio_pci_core": (["vfio", "irqbypass", "vfio_virqfd"], []),
            "vfio_virqfd": (["vfio"], []),
            "vfio": ([], []),
            "irqbypass": ([], []),
            "nvme": (["nvme_core"], ["gone_soft"]),
            "nvme_core": (["builtin_one"], []),
        }
        index = {name: "/m/%s.ko" % name for name in graph}
        order = vmlib.load_order(["vfio_pci", "nvme", "vfio"], index, {"builtin_one"},
                                 lambda n: graph[n])
        self.assertEqual(sorted(order), sorted(graph))
        for name, (hard, _) in graph.items():
            for dep in hard:
                if dep in graph:
                    self.assertLess(order.index(dep), order.index(name), (dep, name))

    def test_load_order_errors(self):
        index = {"a": "a.ko", "b": "b.ko"}
        with self.assertRaisesRegex(HarnessError, "loop"):
            vmlib.load_order(["a"], index, set(),
                             lambda n: ({"a": ["b"], "b": ["a"]}[n], []))
        with self.assertRaisesRegex(HarnessError, "missing_mod not found"):
            vmlib.load_order(["a"], index, set(), lambda n: (["missing_mod"], []))


class Cpio(unittest.TestCase):
    def test_roundtrip(self):
        c = vmlib.Cpio()
        c.add_dir("bin")
        c.add_file("bin/busybox", b"\x7fELF" + bytes(range(7)), 0o755)
        c.add_file("init", b"#!/bin/sh\n", 0o755)
        c.add_symlink("bin/sh", "busybox")
        c.add_chardev("dev/console", 5, 1)
        entries = read_newc(c.finish())
        self.assertEqual([e[0] for e in entries],
                         ["bin", "bin/busybox", "init", "bin/sh", "dev/console"])
        by = {e[0]: e for e in entries}
        self.assertTrue(stat.S_ISDIR(by["bin"][1]))
        self.assertEqual(by["bin/busybox"][3], b"\x7fELF" + bytes(range(7)))
        self.assertEqual(stat.S_IMODE(by["bin/busybox"][1]), 0o755)
        self.assertTrue(stat.S_ISLNK(by["bin/sh"][1]))
        self.assertEqual(by["bin/sh"][3], b"busybox")
        self.assertTrue(stat.S_ISCHR(by["dev/console"][1]))
        self.assertEqual(by["dev/console"][2], (5, 1))

    def test_duplicate(self):
        c = vmlib.Cpio()
        c.add_dir("bin")
        with self.assertRaises(HarnessError):
            c.add_file("bin", b"")


class Tap(unittest.TestCase):
    def judge(self, text, finished=True):
        return vmlib.judge_tap(text.splitlines(), finished)

    def test_pass(self):
        res = self.judge("# guest: hello\nok 1 - a\r\nkernel noise\nok 2 - b\n1..2\n")
        self.assertTrue(res.passed(), res.problems)
        self.assertEqual(res.summary(), "2 passed, 0 failed")

    def test_failures(self):
        cases = {
            "not ok": "ok 1 - a\nnot ok 2 - b\n1..2\n",
            "no plan": "ok 1 - a\n",
            "short": "ok 1 - a\n1..2\n",
            "empty plan": "1..0\n",
            "bail": "ok 1 - a\nBail out! insmod x failed\n1..1\n",
            "order": "ok 2 - a\nok 1 - b\n1..2\n",
            "two plans": "ok 1 - a\n1..1\n1..1\n",
        }
        for what, text in cases.items():
            self.assertFalse(self.judge(text).passed(), what)
        self.assertFalse(self.judge("ok 1 - a\n1..1\n", finished=False).passed())
        self.assertIn("timed out", self.judge("ok 1\n1..1\n", finished=False).problems)


class GuestFiles(unittest.TestCase):
    def test_init_syntax(self):
        subprocess.run(["sh", "-n", os.path.join(HERE, "init")], check=True)

    def test_python_syntax(self):
        for name in ("guest.py", "vmtest.py"):
            with open(os.path.join(HERE, name)) as f:
                compile(f.read(), name, "exec")

    def test_elf_static(self):
        self.assertFalse(vmlib.elf_is_static(os.path.realpath(sys.executable)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
