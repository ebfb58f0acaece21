#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""vfioscope end-to-end tests on a real kernel with an emulated Intel IOMMU.

How it works
  1. The kernel is Debian's own: the package `linux-image-amd64` depends on is
     resolved at run time (`apt-cache depends`), fetched with `apt-get
     download` into a cache directory and unpacked with `dpkg-deb -x`. The
     cache ($VFIOSCOPE_VM_CACHE, else $XDG_CACHE_HOME/vfioscope-vm, else
     ~/.cache/vfioscope-vm) keeps the kernel and the modules the guest loads
     (about 10 MB) until Debian moves to another kernel.
  2. An initramfs is written (cpio newc, gzip): busybox-static, the kernel
     modules the tests need in dependency order (read from each module's
     .modinfo, compressed modules are unpacked), the guest's /init
     (tests/vm/init) and a small settings file.
  3. QEMU boots it under TCG: q35 with intel-iommu (intremap, caching-mode)
     and the PCI topology below, which exercises every grouping rule. The
     build host's / is shared read-only over virtio-9p; /init mounts it,
     mounts proc/sys/dev/tmp over it and chroots into it, so the guest runs
     the freshly built vfioscope, the test helpers, python3, lspci, tmux and
     the nested qemu-system-x86_64 from their host paths. The tests are in
     tests/vm/guest.py.
  4. The guest prints TAP on its second serial port (ttyS1, kept apart from
     the kernel's console on ttyS0); this script copies it to stdout and to
     tests/vm/tap.log, the console goes to tests/vm/console.log (both in the
     build directory), and the run fails on any `not ok`, a `Bail out!`, a
     missing or wrong plan, or the time limit (`timeout`).

What the guest proves (tests/vm/guest.py, one TAP line per check):
  topology  the VM is the designed machine (groups, drivers, lspci's ACS)
  groups    `groups --json` equals /sys/kernel/iommu_groups, group by group
  tree      `tree --json` port types, ACS words, IDs equal `lspci -vvv`/`-n`
  nonroot   as uid 65534: 64-byte config, ACS "unknown", groups still
            right, nothing opened for writing (strace), nothing changed
  explain   every device: matches_kernel, members, and the reason codes of
            the switch, the PCIe-to-PCI bridge, the multifunction endpoint
            and the no-ACS root-port pair
  bind      bind a single-device group, `--group` the multifunction and the
            bridge groups (VFIO's own group status says viable), one member
            of a shared group (bind and VFIO say not viable); `qemu-args`
            of each group passed verbatim to a nested QEMU that starts with
            them; `restore --all` gives back every driver, clears overrides
  tui       the TUI in tmux: search, b, y (bind), y (copy): the driver
            changed, the clipboard holds the CLI's QEMU line, which a nested
            QEMU accepts

Run it with `make check-vm`. Needs the Debian packages qemu-system-x86,
busybox-static, pciutils, tmux, strace (scripts/install-deps.sh) and apt's
`apt-get download` (network access to the Debian archive the first time).
The guest mounts its own tmpfs on /tmp and /run; a build or source directory
below them (a clone in /tmp, as CI makes) is bind-mounted back over it. Timing on 2 cores: see vm.am.

Topology (guest view; groups are resolved through sysfs, never by number):
  00:04.0 root port (ACS)            -> 01:00.0 e1000e
  00:05.0 root port (ACS)            -> 02:00.0 nvme
  00:06.0 root port (ACS)            -> 03:00.0 switch upstream port
      -> 04:00.0, 04:01.0 downstream ports (no ACS) -> 05:00.0, 06:00.0 e1000e
  00:07.0 root port (ACS)            -> 07:00.0 PCIe-to-PCI bridge
      -> 08:01.0 e1000, 08:02.0 rtl8139
  00:08.0 root port (ACS)            -> 09:00.0 e1000e + 09:00.1 nvme (multifunction)
  00:0a.0, 00:0a.1 root ports, disable-acs=on -> 0a:00.0 e1000e, 0b:00.0 nvme
  00:09.0 virtio-9p (the host share), q35's 00:00.0 and 00:1f.{0,2,3}
"""

import argparse
import gzip
import os
import shlex
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vmlib  # noqa: E402
from vmlib import HarnessError  # noqa: E402

KERNEL_META = "linux-image-amd64"

# Modules the guest loads (their dependencies are added): VFIO first, then
# the drivers of the topology's devices, then what the 9p host share needs.
ROOT_MODULES = [
    "vfio", "vfio_iommu_type1", "vfio_virqfd", "irqbypass", "vfio_pci_core", "vfio_pci",
    "e1000e", "e1000", "8139cp", "nvme",
    "virtio_pci", "9pnet_virtio", "9p",
]

KERNEL_CMDLINE = "console=ttyS0 intel_iommu=on panic=-1 loglevel=4"

TOPOLOGY = [
    "-device", "pcie-root-port,id=rp1,bus=pcie.0,addr=0x4,chassis=1",
    "-device", "e1000e,bus=rp1",
    "-device", "pcie-root-port,id=rp2,bus=pcie.0,addr=0x5,chassis=2",
    "-device", "nvme,bus=rp2,serial=vs0002",
    "-device", "pcie-root-port,id=rp3,bus=pcie.0,addr=0x6,chassis=3",
    "-device", "x3130-upstream,id=up1,bus=rp3",
    "-device", "xio3130-downstream,id=dn1,bus=up1,addr=0x0,chassis=11,slot=0",
    "-device", "xio3130-downstream,id=dn2,bus=up1,addr=0x1,chassis=12,slot=0",
    "-device", "e1000e,bus=dn1",
    "-device", "e1000e,bus=dn2",
    "-device", "pcie-root-port,id=rp4,bus=pcie.0,addr=0x7,chassis=4",
    "-device", "pcie-pci-bridge,id=pb1,bus=rp4",
    "-device", "e1000,bus=pb1,addr=0x1",
    "-device", "rtl8139,bus=pb1,addr=0x2",
    "-device", "pcie-root-port,id=rp5,bus=pcie.0,addr=0x8,chassis=5",
    "-device", "e1000e,bus=rp5,addr=0x0.0,multifunction=on",
    "-device", "nvme,bus=rp5,addr=0x0.1,serial=vs0005",
    "-device", "pcie-root-port,id=rp6,bus=pcie.0,addr=0xa.0,multifunction=on,"
               "chassis=6,disable-acs=on",
    "-device", "pcie-root-port,id=rp7,bus=pcie.0,addr=0xa.1,chassis=7,disable-acs=on",
    "-device", "e1000e,bus=rp6",
    "-device", "nvme,bus=rp7,serial=vs0007",
]

HOST_SHARE = [
    "-fsdev", "local,id=hostfs,path=/,security_model=none,readonly=on,multidevs=remap",
    "-device", "virtio-9p-pci,fsdev=hostfs,mount_tag=hostroot,bus=pcie.0,addr=0x9",
]


def log(msg):
    print("# vmtest: %s" % msg, flush=True)


def need_tool(name, package):
    path = shutil.which(name)
    if not path:
        raise HarnessError("%s not found: install the Debian package %s" % (name, package))
    return path


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, **kw)


# ---------------------------------------------------------------------------
# The kernel.

def cache_dir():
    if os.environ.get("VFIOSCOPE_VM_CACHE"):
        return os.environ["VFIOSCOPE_VM_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "vfioscope-vm")


def _apt_kernel_package():
    """(package, version) linux-image-amd64 currently depends on, or None."""
    try:
        out = run(["apt-cache", "depends", KERNEL_META]).stdout
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None
    pkg = None
    for line in out.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == "Depends:" and words[1].startswith("linux-image-"):
            pkg = words[1]
            break
    if not pkg:
        return None
    out = run(["apt-cache", "show", "--no-all-versions", pkg]).stdout
    for line in out.splitlines():
        if line.startswith("Version:"):
            return pkg, line.split(None, 1)[1].strip()
    return None


def _cached_kernels(cache):
    found = []
    if os.path.isdir(cache):
        for name in os.listdir(cache):
            if name.startswith("linux-image-") and \
                    os.path.exists(os.path.join(cache, name, ".complete")):
                found.append(os.path.join(cache, name))
    return sorted(found, key=os.path.getmtime)


def _stamp(pkg, version):
    """What .complete says: the package and the module list the cache was cut for."""
    return "%s %s\nmodules %s\n" % (pkg, version, ",".join(ROOT_MODULES))


def fetch_kernel(cache):
    """Directory holding boot/vmlinuz-* and lib/modules/VERSION/ with the
    modules the guest loads (only those: the cache stays small)."""
    resolved = _apt_kernel_package()
    if resolved is None and os.geteuid() == 0:
        log("apt has no %s: running apt-get update" % KERNEL_META)
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        resolved = _apt_kernel_package()
    if resolved is None:
        cached = _cached_kernels(cache)
        if cached:
            log("apt cannot resolve %s; using the cached %s"
                % (KERNEL_META, os.path.basename(cached[-1])))
            return cached[-1]
        raise HarnessError("cannot resolve %s with apt-cache (run apt-get update)" % KERNEL_META)
    pkg, version = resolved
    dest = os.path.join(cache, "%s_%s" % (pkg, version.replace(":", "%3a")))
    try:
        with open(os.path.join(dest, ".complete")) as f:
            if f.read() == _stamp(pkg, version):
                return dest
    except OSError:
        pass
    os.makedirs(cache, exist_ok=True)
    tmp = dest + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    log("fetching %s %s into %s" % (pkg, version, cache))
    need_tool("apt-get", "apt")
    need_tool("dpkg-deb", "dpkg")
    try:
        run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root",
             "%s=%s" % (pkg, version)], cwd=tmp)
    except subprocess.CalledProcessError as e:
        raise HarnessError("apt-get download %s failed: %s" % (pkg, e.stderr.strip())) from None
    debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
    if len(debs) != 1:
        raise HarnessError("apt-get download gave %r" % debs)
    full = os.path.join(tmp, "full")
    run(["dpkg-deb", "-x", os.path.join(tmp, debs[0]), full])
    vmlinuz, moddir = kernel_files(full)
    keep = [vmlinuz, os.path.join(moddir, "modules.builtin")]
    keep += [path for _, path in ordered_modules(moddir)]
    cut = os.path.join(tmp, "cut")
    for path in keep:
        target = os.path.join(cut, os.path.relpath(path, full))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.rename(path, target)
    with open(os.path.join(cut, ".complete"), "w") as f:
        f.write(_stamp(pkg, version))
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(cut, dest)
    shutil.rmtree(tmp)
    for old in _cached_kernels(cache):
        if old != dest:
            shutil.rmtree(old, ignore_errors=True)
    return dest


def kernel_files(kdir):
    """(vmlinuz path, module directory) inside an unpacked kernel package."""
    boot = os.path.join(kdir, "boot")
    images = sorted(f for f in os.listdir(boot) if f.startswith("vmlinuz-"))
    mods = os.path.join(kdir, "lib", "modules")
    versions = sorted(os.listdir(mods)) if os.path.isdir(mods) else []
    if len(images) != 1 or len(versions) != 1:
        raise HarnessError("%s: expected one vmlinuz and one module tree, found %r and %r"
                           % (kdir, images, versions))
    return os.path.join(boot, images[0]), os.path.join(mods, versions[0])


# ---------------------------------------------------------------------------
# The initramfs.

def ordered_modules(moddir):
    """[(name, path)] to insmod in order."""
    index = vmlib.index_modules(moddir)
    builtin = vmlib.builtin_modules(moddir)
    infos = {}

    def deps_of(name):
        if name not in infos:
            infos[name] = vmlib.parse_modinfo(vmlib.read_module(index[name]))
        return vmlib.module_dep_lists(infos[name])

    return [(name, index[name]) for name in
            vmlib.load_order(ROOT_MODULES, index, builtin, deps_of)]


def guest_python():
    """The python3 the guest runs the suite with (a system one: the guest
    also runs it as uid 65534, which cannot enter /root)."""
    for cand in ("/usr/bin/python3", "/bin/python3"):
        if os.access(cand, os.X_OK):
            return cand
    raise HarnessError("/usr/bin/python3 not found: install the Debian package python3")


def keep_outermost(paths):
    """The paths of the build under /tmp or /run, none inside another.

    The guest mounts its own tmpfs on /tmp and /run; /init bind-mounts these
    back over it so that a clone in /tmp (as CI makes) stays visible."""
    out = []
    for p in sorted(set(paths)):
        if not any(p == q or p.startswith(q + "/") for q in out):
            out.append(p)
    return out


def build_initramfs(path, moddir, settings):
    here = os.path.dirname(os.path.abspath(__file__))
    busybox = need_tool("busybox", "busybox-static")
    if not vmlib.elf_is_static(busybox):
        busybox = "/bin/busybox"
        if not os.path.exists(busybox) or not vmlib.elf_is_static(busybox):
            raise HarnessError("busybox is not static: install the Debian package busybox-static")
    cpio = vmlib.Cpio()
    for d in ("bin", "dev", "proc", "sys", "tmp", "host", "lib", "lib/modules"):
        cpio.add_dir(d)
    cpio.add_chardev("dev/console", 5, 1)
    cpio.add_chardev("dev/null", 1, 3, 0o666)
    with open(busybox, "rb") as f:
        cpio.add_file("bin/busybox", f.read(), 0o755)
    with open(os.path.join(here, "init"), "rb") as f:
        cpio.add_file("init", f.read(), 0o755)
    load = []
    for i, (name, mpath) in enumerate(ordered_modules(moddir)):
        fname = "%02d-%s.ko" % (i, name)
        cpio.add_file("lib/modules/" + fname, vmlib.read_module(mpath))
        load.append(fname)
    cpio.add_file("modules.load", ("\n".join(load) + "\n").encode())
    env = "".join("%s=%s\n" % (k, shlex.quote(v)) for k, v in sorted(settings.items()))
    cpio.add_file("vmtest.env", env.encode())
    with open(path, "wb") as f:
        f.write(gzip.compress(cpio.finish(), compresslevel=1))
    return load


# ---------------------------------------------------------------------------
# Booting and collecting TAP.

def qemu_command(qemu, vmlinuz, initrd, console):
    return [
        qemu, "-machine", "q35,kernel-irqchip=split", "-accel", "tcg",
        "-cpu", "max", "-m", "3072", "-smp", "2",
        "-display", "none", "-nodefaults", "-no-reboot", "-monitor", "none",
        "-serial", "file:" + console.replace(",", ",,"),
        "-serial", "stdio",
        "-device", "intel-iommu,intremap=on,caching-mode=on",
    ] + TOPOLOGY + HOST_SHARE + [
        "-kernel", vmlinuz, "-initrd", initrd, "-append", KERNEL_CMDLINE,
    ]


def boot(cmd, limit, tap_log, qemu_log):
    """Run QEMU under `timeout`; return (TAP lines, finished in time)."""
    lines = []
    start = time.monotonic()
    full = ["timeout", "-k", "10", str(limit)] + cmd
    with open(tap_log, "w") as out, open(qemu_log, "w") as err, subprocess.Popen(
            full, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err) as proc:
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").replace("\r", "").rstrip("\n")
            lines.append(line)
            out.write(line + "\n")
            out.flush()
            if line.startswith(("ok", "not ok", "1..", "#", "Bail out!")):
                print(line, flush=True)
            elif line.strip():
                print("# guest: " + line, flush=True)
        rc = proc.wait()
    log("QEMU ran %.1f s, exit status %d" % (time.monotonic() - start, rc))
    return lines, rc not in (124, 137)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vfioscope", required=True, help="absolute path of the built binary")
    ap.add_argument("--helper-dir", required=True,
                    help="build directory of the test helpers (tests/vm)")
    ap.add_argument("--srcdir", required=True, help="absolute top source directory")
    ap.add_argument("--workdir", required=True, help="where logs and the initramfs go")
    ap.add_argument("--timeout", type=int,
                    default=int(os.environ.get("VFIOSCOPE_VM_TIMEOUT", "280")),
                    help="seconds QEMU may run (default 280, env VFIOSCOPE_VM_TIMEOUT)")
    ap.add_argument("--only", default=os.environ.get("VFIOSCOPE_VM_ONLY", ""),
                    help="comma-separated test names to run (default: all)")
    args = ap.parse_args()
    t0 = time.monotonic()
    try:
        qemu = need_tool("qemu-system-x86_64", "qemu-system-x86")
        need_tool("timeout", "coreutils")
        keep = []
        for path in (os.path.dirname(args.vfioscope), args.srcdir, args.helper_dir):
            if not os.path.isabs(path) or not os.path.exists(path):
                raise HarnessError("%s: not an existing absolute path" % path)
            real = os.path.realpath(path)
            if real.startswith(("/tmp/", "/run/")):
                if ":" in real or "\n" in real:
                    raise HarnessError("%s: a build under /tmp or /run must not have "
                                       "':' or a newline in its path" % real)
                keep.append(real)
        os.makedirs(args.workdir, exist_ok=True)
        kdir = fetch_kernel(cache_dir())
        vmlinuz, moddir = kernel_files(kdir)
        log("kernel %s" % os.path.basename(vmlinuz))
        initrd = os.path.join(args.workdir, "initramfs.gz")
        settings = {
            "VS_PYTHON": guest_python(),
            "VS_SUITE": os.path.join(os.path.abspath(args.srcdir), "tests", "vm", "guest.py"),
            "VFIOSCOPE": os.path.abspath(args.vfioscope),
            "VS_HELPER_DIR": os.path.abspath(args.helper_dir),
            "VS_ONLY": args.only,
            "VS_KERNEL": os.path.basename(vmlinuz),
            "VS_KEEP": ":".join(keep_outermost(keep)),
        }
        load = build_initramfs(initrd, moddir, settings)
        log("initramfs with %d modules ready after %.1f s" % (len(load), time.monotonic() - t0))
    except HarnessError as e:
        print("Bail out! %s" % e, flush=True)
        return 1
    console = os.path.join(args.workdir, "console.log")
    tap_log = os.path.join(args.workdir, "tap.log")
    qemu_log = os.path.join(args.workdir, "qemu.log")
    lines, finished = boot(qemu_command(qemu, vmlinuz, initrd, console), args.timeout,
                           tap_log, qemu_log)
    res = vmlib.judge_tap(lines, finished)
    log("%s in %.1f s" % (res.summary(), time.monotonic() - t0))
    if res.passed():
        return 0
    for problem in res.problems:
        log("FAIL: %s" % problem)
    for line in res.not_ok:
        log("FAIL: %s" % line)
    for path, n in ((qemu_log, 10), (console, 40)):
        try:
            with open(path, errors="replace") as f:
                tail = [line for line in f.read().splitlines()
                        if "has no peer" not in line][-n:]
        except OSError:
            continue
        log("last lines of %s:" % path)
        for line in tail:
            print("#   " + line)
    return 1


if __name__ == "__main__":
    sys.exit(main())
