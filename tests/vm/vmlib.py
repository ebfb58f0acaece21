# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-side building blocks of the VM test harness (see vmtest.py).

Everything here is pure and cheap so that tests/vm/selftest.py can check it in
plain `make check`: reading a kernel module's .modinfo, ordering modules by
their dependencies, writing a cpio "newc" archive, and judging a TAP stream.
"""

import gzip
import lzma
import os
import re
import stat
import struct
import subprocess


class HarnessError(Exception):
    """A problem of the harness or the host setup (not a test failure)."""


# ---------------------------------------------------------------------------
# ELF: just enough to read a section and to tell a static binary.

def _elf_sections(data):
    """Yield (name, offset, size) of the sections of a 64-bit little-endian ELF."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise HarnessError("not a 64-bit little-endian ELF file")
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    if e_shoff == 0 or e_shnum == 0:
        return
    headers = []
    for i in range(e_shnum):
        base = e_shoff + i * e_shentsize
        sh_name, = struct.unpack_from("<I", data, base)
        sh_offset, sh_size = struct.unpack_from("<QQ", data, base + 0x18)
        headers.append((sh_name, sh_offset, sh_size))
    _, str_off, str_size = headers[e_shstrndx]
    strtab = data[str_off:str_off + str_size]
    for sh_name, sh_offset, sh_size in headers:
        end = strtab.find(b"\0", sh_name)
        yield strtab[sh_name:end].decode("ascii", "replace"), sh_offset, sh_size


def elf_is_static(path):
    """True when the ELF executable at @path has no program interpreter."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return False
    e_phoff, = struct.unpack_from("<Q", data, 0x20)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(e_phnum):
        p_type, = struct.unpack_from("<I", data, e_phoff + i * e_phentsize)
        if p_type == 3:  # PT_INTERP
            return False
    return True


# ---------------------------------------------------------------------------
# Kernel modules.

MODULE_SUFFIXES = (".ko", ".ko.xz", ".ko.zst", ".ko.gz")


def module_name(path):
    """The module name of a file: basename without suffix, '-' as '_'."""
    base = os.path.basename(path)
    for suffix in MODULE_SUFFIXES:
        if base.endswith(suffix):
            base = base[:-len(suffix)]
            break
    return base.replace("-", "_")


def read_module(path):
    """The uncompressed bytes of a module file (.ko, .ko.xz, .ko.zst, .ko.gz)."""
    if path.endswith(".ko.xz"):
        with lzma.open(path) as f:
            return f.read()
    if path.endswith(".ko.gz"):
        with gzip.open(path) as f:
            return f.read()
    if path.endswith(".ko.zst"):
        try:
            return subprocess.run(["zstd", "-dcq", path], check=True,
                                  stdout=subprocess.PIPE).stdout
        except FileNotFoundError:
            raise HarnessError("%s is zstd-compressed: install the Debian package zstd"
                               % path) from None
    with open(path, "rb") as f:
        return f.read()


def parse_modinfo(data):
    """The .modinfo section of module bytes as {key: [values]}."""
    for name, offset, size in _elf_sections(data):
        if name == ".modinfo":
            info = {}
            for entry in data[offset:offset + size].split(b"\0"):
                if b"=" not in entry:
                    continue
                key, _, value = entry.partition(b"=")
                info.setdefault(key.decode("ascii", "replace"), []).append(
                    value.decode("utf-8", "replace"))
            return info
    raise HarnessError("no .modinfo section")


def index_modules(moddir):
    """{module name: path} for every module file below @moddir."""
    index = {}
    for dirpath, _, files in os.walk(moddir):
        for fname in files:
            if fname.endswith(MODULE_SUFFIXES):
                index.setdefault(module_name(fname), os.path.join(dirpath, fname))
    return index


def builtin_modules(moddir):
    """Names of the modules built into the kernel (modules.builtin)."""
    names = set()
    try:
        with open(os.path.join(moddir, "modules.builtin")) as f:
            for line in f:
                if line.strip():
                    names.add(module_name(line.strip()))
    except FileNotFoundError:
        pass
    return names


def load_order(roots, index, builtin, deps_of):
    """Modules to insmod for @roots, every module after its dependencies.

    @index maps names to files, @builtin is the set of built-in names (never
    loaded), @deps_of(name) returns a module's dependency names. Soft
    dependencies that do not exist as modules are ignored; a hard one that is
    missing is an error. Return: list of names.
    """
    order, state = [], {}

    def visit(name, soft, chain):
        if name in builtin or state.get(name) == "done":
            return
        if state.get(name) == "busy":
            raise HarnessError("module dependency loop: %s" % " -> ".join(chain + [name]))
        if name not in index:
            if soft:
                return
            raise HarnessError("module %s not found (needed by %s)"
                               % (name, " -> ".join(chain) or "the test list"))
        state[name] = "busy"
        hard, softs = deps_of(name)
        for dep in hard:
            visit(dep, False, chain + [name])
        for dep in softs:
            visit(dep, True, chain + [name])
        state[name] = "done"
        order.append(name)

    for root in roots:
        visit(root, False, [])
    return order


def module_dep_lists(info):
    """(hard, soft) dependency names of a parsed .modinfo: depends= and the
    modules a softdep= asks to load before ("pre:")."""
    hard = [d.replace("-", "_") for value in info.get("depends", [])
            for d in value.split(",") if d]
    soft = []
    for value in info.get("softdep", []):
        take = False
        for word in value.split():
            if word.endswith(":"):
                take = word == "pre:"
            elif take and word.replace("-", "_") not in hard:
                soft.append(word.replace("-", "_"))
    return hard, soft


# ---------------------------------------------------------------------------
# cpio "newc" archives (what the kernel unpacks as an initramfs).

class Cpio:
    """Build a newc archive in memory: directories, files, symlinks."""

    def __init__(self):
        self._out = bytearray()
        self._ino = 1
        self._names = set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        if name in self._names:
            raise HarnessError("duplicate initramfs entry %s" % name)
        self._names.add(name)
        encoded = name.encode() + b"\0"
        header = "070701" + "".join("%08x" % v for v in (
            self._ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
            len(encoded), 0))
        self._ino += 1
        self._out += header.encode() + encoded
        self._out += b"\0" * (-len(self._out) % 4)
        self._out += data
        self._out += b"\0" * (-len(self._out) % 4)

    def add_dir(self, name, mode=0o755):
        self._entry(name, stat.S_IFDIR | mode)

    def add_file(self, name, data, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, data)

    def add_symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def add_chardev(self, name, major, minor, mode=0o600):
        self._entry(name, stat.S_IFCHR | mode, rdev=(major, minor))

    def finish(self):
        """The archive bytes, with the trailer."""
        self._entry("TRAILER!!!", 0)
        return bytes(self._out)


# ---------------------------------------------------------------------------
# TAP as the guest prints it.

_TAP_LINE = re.compile(r"^(ok|not ok)\b(?:\s+(\d+))?")
_TAP_PLAN = re.compile(r"^1\.\.(\d+)\b")


class TapResult:
    """What a TAP stream said, and whether it passes."""

    def __init__(self):
        self.plan = None
        self.ok = 0
        self.not_ok = []
        self.bail = None
        self.numbers = []
        self.problems = []

    def passed(self):
        return not self.problems and not self.not_ok and self.bail is None

    def summary(self):
        return "%d passed, %d failed" % (self.ok, len(self.not_ok))


def judge_tap(lines, finished=True):
    """Judge TAP @lines (an iterable of str); @finished False means a timeout.

    A stream passes when it has exactly one plan, as many test lines as the
    plan says, numbered 1..N in order if numbered, no `not ok`, no
    `Bail out!`, and the run finished in time.
    """
    res = TapResult()
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith("Bail out!"):
            res.bail = line
            continue
        m = _TAP_PLAN.match(line)
        if m:
            if res.plan is not None:
                res.problems.append("more than one plan")
            res.plan = int(m.group(1))
            continue
        m = _TAP_LINE.match(line)
        if not m:
            continue
        if m.group(1) == "ok":
            res.ok += 1
        else:
            res.not_ok.append(line)
        if m.group(2) is not None:
            res.numbers.append(int(m.group(2)))
    count = res.ok + len(res.not_ok)
    if not finished:
        res.problems.append("timed out")
    if res.plan is None:
        res.problems.append("no plan (the guest did not finish)")
    elif res.plan != count:
        res.problems.append("plan says %d tests, %d ran" % (res.plan, count))
    if res.plan == 0 or count == 0:
        res.problems.append("no test ran")
    if res.numbers and res.numbers != list(range(1, len(res.numbers) + 1)):
        res.problems.append("test numbers out of order")
    if res.bail:
        res.problems.append(res.bail)
    return res
