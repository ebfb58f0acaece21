# SPDX-License-Identifier: GPL-2.0-or-later
"""The vfioscope test suite that runs inside the QEMU guest (see vmtest.py).

It runs as root in a chroot of the build host's / (read-only; tmp and run are
tmpfs), on the guest's own kernel: /sys is the guest's. It prints TAP on
stdout, one `ok`/`not ok` per check, the plan at the end. Environment:
VFIOSCOPE (the binary), VS_HELPER_DIR (vfio-group-status),
VS_ONLY (comma-separated test names; empty = all).
"""

import concurrent.futures
import json
import os
import re
import select
import shlex
import subprocess
import sys
import time
import traceback

VFIOSCOPE = os.environ.get("VFIOSCOPE", "vfioscope")
HELPER_DIR = os.environ.get("VS_HELPER_DIR", "")
SYS_PCI = "/sys/bus/pci/devices"
NOBODY = 65534

# ---------------------------------------------------------------------------
# TAP


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name), flush=True)
        if not cond and diag:
            self.diag(diag)
        return bool(cond)

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got:  %r\nwant: %r" % (got, want))

    @staticmethod
    def diag(text):
        for line in str(text).splitlines()[:60]:
            print("#   " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)


TAP = Tap()
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


# ---------------------------------------------------------------------------
# Running things


def sh(cmd, user=None, timeout=90, input=None, env=None):
    """Run @cmd (a list); as uid/gid @user with no groups if given; with
    @env added to the environment."""
    kw = {}
    if user is not None:
        kw = {"user": user, "group": user, "extra_groups": []}
    if env:
        kw["env"] = dict(os.environ, **env)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout, input=input, **kw)


def describe(proc):
    return "$ %s\nexit %d\nstdout: %s\nstderr: %s" % (
        " ".join(proc.args), proc.returncode, proc.stdout[-1500:], proc.stderr[-1500:])


# ---------------------------------------------------------------------------
# The guest's sysfs, read directly (the oracle the tool is compared with)


def full(bdf):
    return bdf if bdf.count(":") == 2 else "0000:" + bdf


def pci_devices():
    return sorted(os.listdir(SYS_PCI))


def kernel_groups():
    """{group number: set of member names} from /sys/kernel/iommu_groups."""
    base = "/sys/kernel/iommu_groups"
    return {int(g): set(os.listdir(os.path.join(base, g, "devices"))) for g in os.listdir(base)}


def group_of(bdf):
    link = os.path.join(SYS_PCI, full(bdf), "iommu_group")
    return int(os.path.basename(os.readlink(link))) if os.path.islink(link) else None


def driver_of(bdf):
    link = os.path.join(SYS_PCI, full(bdf), "driver")
    return os.path.basename(os.readlink(link)) if os.path.islink(link) else None


def override_of(bdf):
    with open(os.path.join(SYS_PCI, full(bdf), "driver_override")) as f:
        value = f.read().strip()
    return None if value == "(null)" else value


def vfio_status(group):
    """What VFIO itself says of a group: "viable=1 container=ok" when a VM
    can use it (see vfio-group-status.c)."""
    proc = sh([os.path.join(HELPER_DIR, "vfio-group-status"), str(group)])
    return (proc.stdout.strip() + " " + proc.stderr.strip()).strip()


def write_sys(path, value):
    with open(path, "w") as f:
        f.write(value)


def reset_all():
    """Put every device back on its boot driver with no override, whatever
    a test left behind, so that one failure does not cascade."""
    for dev in pci_devices():
        if override_of(dev) is None and (driver_of(dev) != "vfio-pci"):
            continue
        path = os.path.join(SYS_PCI, dev)
        write_sys(os.path.join(path, "driver_override"), "\n")
        if driver_of(dev):
            write_sys(os.path.join(path, "driver", "unbind"), dev)
        try:
            write_sys("/sys/bus/pci/drivers_probe", dev)
        except OSError:
            pass
    for dev in pci_devices():
        bdf = dev[5:]
        if bdf in EXPECTED_DRIVERS and driver_of(bdf) != EXPECTED_DRIVERS[bdf]:
            try:
                write_sys("/sys/bus/pci/drivers_probe", dev)
            except OSError:
                pass


class Qmp:
    """A QEMU started with `-qmp stdio`, spoken to one command at a time."""

    def __init__(self, cmd, timeout=60):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.deadline = time.monotonic() + timeout
        self.buf = b""

    def greeting(self):
        """The QMP greeting, or None when QEMU exited before it."""
        return self._read()

    def _read(self):
        """The next QMP message, or None when QEMU closed its output."""
        while b"\n" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise TimeoutError("nested QEMU did not answer in time")
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return json.loads(line)

    def cmd(self, name, **arguments):
        """Run a command; its "return" value (events are skipped)."""
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        self.proc.stdin.write(json.dumps(msg).encode() + b"\n")
        self.proc.stdin.flush()
        while True:
            reply = self._read()
            if reply is None:
                raise EOFError("nested QEMU exited during %s" % name)
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise RuntimeError("%s: %s" % (name, reply["error"].get("desc")))

    def finish(self):
        """Wait for the exit; (exit status, stderr text)."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            rc = self.proc.wait(timeout=max(1, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        return rc, self.proc.stderr.read().decode("utf-8", "replace")


def pci_ids(buses):
    """qdev ids of every device in a query-pci answer, behind bridges too."""
    ids, stack = [], [d for bus in buses for d in bus.get("devices", [])]
    while stack:
        d = stack.pop(0)
        ids.append(d.get("qdev_id", ""))
        stack.extend(d.get("pci_bridge", {}).get("devices", []))
    return ids


def nested_qemu(device_args, want_ids=(), timeout=60):
    """Start a nested QEMU stopped (-S) with @device_args, as a user would
    with vfioscope's arguments. QEMU opens every VFIO device while it starts,
    so a group that is not viable makes it exit here. Devices behind root
    ports get a bus number only once the firmware has run: when @want_ids
    are given, let it run until query-pci lists them.
    Return (exit status, ids query-pci listed, stderr, command)."""
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-m", "128",
           "-nodefaults", "-nographic", "-S", "-qmp", "stdio"] + list(device_args)
    qmp = Qmp(cmd, timeout)
    ids = []
    try:
        if qmp.greeting() is not None:
            qmp.cmd("qmp_capabilities")
            ids = pci_ids(qmp.cmd("query-pci"))
            if want_ids and not set(want_ids) <= set(ids):
                qmp.cmd("cont")
                while not set(want_ids) <= set(ids) and time.monotonic() < qmp.deadline - 5:
                    time.sleep(0.5)
                    ids = pci_ids(qmp.cmd("query-pci"))
            qmp.cmd("quit")
    except (EOFError, TimeoutError, RuntimeError, OSError) as e:
        ids.append("<%s>" % e)
    rc, err = qmp.finish()
    return rc, ids, err, cmd


# lspci -vvv, the independent decoder the tool's config-space reading is
# checked against: port type names as pciutils prints them (ls-caps.c) and
# ACS words rebuilt from its flag list.
LSPCI_PORT_TYPES = [
    ("Legacy Endpoint", "legacy_endpoint"),
    ("Endpoint", "endpoint"),
    ("Root Port", "root_port"),
    ("Upstream Port", "upstream_port"),
    ("Downstream Port", "downstream_port"),
    ("PCI-Express to PCI/PCI-X Bridge", "pcie_to_pci_bridge"),
    ("PCI/PCI-X to PCI-Express Bridge", "pci_to_pcie_bridge"),
    ("Root Complex Integrated Endpoint", "rc_integrated_endpoint"),
    ("Root Complex Event Collector", "rc_event_collector"),
]
LSPCI_ACS_BITS = [("SrcValid", 0x01), ("TransBlk", 0x02), ("ReqRedir", 0x04),
                  ("CmpltRedir", 0x08), ("UpstreamFwd", 0x10), ("EgressCtrl", 0x20),
                  ("DirectTrans", 0x40)]


def _acs_word(text):
    word = 0
    for name, bit in LSPCI_ACS_BITS:
        if name + "+" in text:
            word |= bit
        elif name + "-" not in text:
            raise ValueError("lspci ACS line without %s: %r" % (name, text))
    return word


def lspci_facts():
    """{full BDF: {"port_type": name, "acs": None | (cap, ctrl)}} from lspci -vvv."""
    proc = sh(["lspci", "-D", "-vvv"])
    if proc.returncode != 0:
        raise RuntimeError(describe(proc))
    facts, cur = {}, None
    for line in proc.stdout.splitlines():
        if line and not line[0].isspace():
            cur = {"port_type": "pci", "acs": None}
            facts[line.split()[0]] = cur
            continue
        text = line.strip()
        if cur is None:
            continue
        m = re.match(r"Capabilities: \[[0-9a-f]+\] Express \(v\d+\) (.*)", text)
        if m:
            for label, name in LSPCI_PORT_TYPES:
                if m.group(1).startswith(label):
                    cur["port_type"] = name
                    break
            else:
                cur["port_type"] = "unknown"
        elif text.startswith("ACSCap:"):
            cur["acs"] = (_acs_word(text), None)
        elif text.startswith("ACSCtl:"):
            cur["acs"] = (cur["acs"][0], _acs_word(text))
    return facts


class Tmux:
    """A detached tmux session running @cmd on a pty of @width x @height:
    the way the TUI is driven with keys and its screen read back."""

    def __init__(self, cmd, width=160, height=48, env=None):
        self.sock = "/tmp/vs-tmux-%d.sock" % os.getpid()
        conf = "/tmp/vs-tmux.conf"
        with open(conf, "w") as f:
            f.write("set -g set-clipboard on\n"
                    "set -g default-terminal tmux-256color\nset -g history-limit 0\n")
        envs = []
        for k, v in (env or {}).items():
            envs += ["-e", "%s=%s" % (k, v)]
        proc = sh(["tmux", "-S", self.sock, "-f", conf, "new-session", "-d", "-s", "vs",
                   "-x", str(width), "-y", str(height)] + envs + ["--"] + cmd)
        if proc.returncode != 0:
            raise RuntimeError(describe(proc))

    def tmux(self, *args):
        return sh(["tmux", "-S", self.sock] + list(args))

    def keys(self, *keys):
        """Send tmux key names ("Down", "Enter", "C-c") or literal text."""
        self.tmux("send-keys", "-t", "vs", *keys)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "vs").stdout

    def wait_for(self, pred, timeout=30):
        """Poll the screen until @pred(screen) holds; return the screen."""
        end = time.monotonic() + timeout
        while True:
            text = self.screen()
            if pred(text) or time.monotonic() > end:
                return text
            time.sleep(0.3)

    def buffer(self):
        """The newest paste buffer (what the program copied with OSC 52)."""
        proc = self.tmux("show-buffer")
        return proc.stdout if proc.returncode == 0 else None

    def close(self):
        self.tmux("kill-server")


# ---------------------------------------------------------------------------
# What the VM was built to be (tests/vm/vmtest.py TOPOLOGY)

EXPECTED_GROUPS = [
    {"00:00.0"}, {"00:04.0"}, {"01:00.0"}, {"00:05.0"}, {"02:00.0"},
    {"00:06.0"}, {"03:00.0"}, {"04:00.0", "05:00.0"}, {"04:01.0", "06:00.0"},
    {"00:07.0"}, {"07:00.0", "08:01.0", "08:02.0"},
    {"00:08.0"}, {"09:00.0", "09:00.1"},
    {"00:09.0"},
    {"00:0a.0", "00:0a.1", "0a:00.0", "0b:00.0"},
    {"00:1f.0", "00:1f.2", "00:1f.3"},
]

EXPECTED_DRIVERS = {
    "01:00.0": "e1000e", "02:00.0": "nvme", "05:00.0": "e1000e", "06:00.0": "e1000e",
    "07:00.0": None, "08:01.0": "e1000", "08:02.0": "8139cp",
    "09:00.0": "e1000e", "09:00.1": "nvme", "0a:00.0": "e1000e", "0b:00.0": "nvme",
    "00:04.0": "pcieport", "03:00.0": "pcieport", "04:00.0": "pcieport",
    "00:0a.0": "pcieport", "00:09.0": "virtio-pci",
}


@test
def topology():
    """The guest is the machine the other tests assume (a harness check)."""
    got = sorted(sorted(m[5:] for m in members) for members in kernel_groups().values())
    TAP.eq(got, sorted(sorted(g) for g in EXPECTED_GROUPS),
           "kernel IOMMU groups are the designed ones")
    drivers = {bdf: driver_of(bdf) for bdf in EXPECTED_DRIVERS}
    TAP.eq(drivers, EXPECTED_DRIVERS, "devices are on their native drivers")
    overrides = [d for d in pci_devices() if override_of(d) is not None]
    TAP.eq(overrides, [], "no driver_override is set at boot")
    facts = lspci_facts()
    with_acs = sorted(b[5:] for b, f in facts.items() if f["acs"] is not None)
    TAP.eq(with_acs, ["00:04.0", "00:05.0", "00:06.0", "00:07.0", "00:08.0"],
           "lspci shows ACS on exactly the root ports without disable-acs")
    types = {b[5:]: facts[b]["port_type"] for b in
             ("0000:00:04.0", "0000:03:00.0", "0000:04:00.0", "0000:07:00.0",
              "0000:08:01.0", "0000:01:00.0", "0000:00:09.0")}
    TAP.eq(types, {"00:04.0": "root_port", "03:00.0": "upstream_port",
                   "04:00.0": "downstream_port", "07:00.0": "pcie_to_pci_bridge",
                   "08:01.0": "pci", "01:00.0": "endpoint", "00:09.0": "pci"},
           "lspci decodes the designed port types")


# ---------------------------------------------------------------------------
# vfioscope read side

MANAGED_DMA = {None, "pcieport", "vfio-pci", "pci-stub"}


def vs(*args, user=None, timeout=90):
    return sh([VFIOSCOPE] + list(args), user=user, timeout=timeout)


def vs_json(*args, user=None):
    """Run vfioscope with @args; (parsed JSON or None, process)."""
    proc = vs(*args, user=user)
    try:
        return json.loads(proc.stdout), proc
    except ValueError:
        return None, proc


def state():
    """{device: (driver, override)} of every PCI device: what a write would change."""
    return {d: (driver_of(d), override_of(d)) for d in pci_devices()}


def check_groups_json(label, user=None):
    """`groups --json` lists exactly the kernel's groups, members, drivers
    and group types, and rates viability by the kernel's rule."""
    data, proc = vs_json("groups", "--json", user=user)
    if not TAP.ok(proc.returncode == 0 and data is not None,
                  "%s: groups --json runs" % label, describe(proc)):
        return
    TAP.eq(data.get("iommu"), True, "%s: groups --json says the IOMMU is on" % label)
    kernel = kernel_groups()
    got = {g["id"]: sorted(g["devices"]) for g in data["groups"]}
    TAP.eq(got, {n: sorted(m) for n, m in kernel.items()},
           "%s: groups --json equals /sys/kernel/iommu_groups, every group and member" % label)
    bad = []
    for g in data["groups"]:
        with open("/sys/kernel/iommu_groups/%d/type" % g["id"]) as f:
            if g["type"] != f.read().strip():
                bad.append((g["id"], "type", g["type"]))
        if g["name"] is not None or g["unknown_devices"]:
            bad.append((g["id"], "name/unknown", g["name"], g["unknown_devices"]))
        for m in g["members"]:
            if m["driver"] != driver_of(m["name"]):
                bad.append((m["name"], m["driver"], driver_of(m["name"])))
        blocking = sorted(m["name"] for m in g["members"]
                          if driver_of(m["name"]) not in MANAGED_DMA)
        if sorted(g["blocking"]) != blocking or g["viable"] != (not blocking):
            bad.append((g["id"], "viable", g["viable"], g["blocking"], blocking))
    TAP.eq(bad, [], "%s: group types, member drivers and viability are the kernel's" % label)


def config_header(bdf):
    with open(os.path.join(SYS_PCI, full(bdf), "config"), "rb") as f:
        return f.read(64)


@test
def groups():
    """Proof 1: `groups --json` is /sys/kernel/iommu_groups."""
    check_groups_json("root")


@test
def tree():
    """Proof 2: `tree --json` port types and ACS words are what lspci decodes."""
    data, proc = vs_json("tree", "--json")
    if not TAP.ok(proc.returncode == 0 and data is not None, "tree --json runs", describe(proc)):
        return
    devs = {d["address"]: d for d in data["devices"] if "address" in d}
    TAP.eq(sorted(devs), pci_devices(), "tree --json lists every PCI device of the guest")
    facts = lspci_facts()
    got = {b: (d["port_type_raw"], d["port_type"]) for b, d in devs.items()}
    want = {b: (f["port_type"], f["port_type"]) for b, f in facts.items()}
    TAP.eq(got, want, "port types (raw and corrected) equal lspci -vvv for every device")

    def acs(d):
        a = d["acs"]
        return None if a is None else (int(a["cap"], 16), int(a["ctrl"], 16))
    TAP.eq({b: acs(d) for b, d in devs.items()}, {b: f["acs"] for b, f in facts.items()},
           "ACS capability and control words equal lspci -vvv for every device")
    TAP.eq(sorted(b for b, d in devs.items() if d["acs"] is not None),
           ["0000:00:04.0", "0000:00:05.0", "0000:00:06.0", "0000:00:07.0", "0000:00:08.0"],
           "ACS is found on exactly the five ACS root ports")
    ids = {}
    for line in sh(["lspci", "-D", "-n"]).stdout.splitlines():
        bdf, cls, vd = line.split()[:3]
        ids[bdf] = (cls.rstrip(":"), vd)
    TAP.eq({b: (d["class"], "%s:%s" % (d["vendor"], d["device"])) for b, d in devs.items()},
           ids, "class and vendor:device IDs equal lspci -n")
    facts_sys = {}
    for b in devs:
        real = os.path.realpath(os.path.join(SYS_PCI, b))
        parent = os.path.basename(os.path.dirname(real))
        st = os.stat(os.path.join(real, "config"))
        hdr = config_header(b)
        mf = bool(hdr[0x0e] & 0x80) or not b.endswith(".0")
        facts_sys[b] = (parent if re.match(r"^[0-9a-f]{4}:", parent) else None,
                        group_of(b), driver_of(b), override_of(b), st.st_size, mf, "full")
    TAP.eq({b: (d["parent"], d["iommu_group"], d["driver"], d["driver_override"],
                d["config_size"], d["multifunction"], d["config"]) for b, d in devs.items()},
           facts_sys, "parent, group, driver, override, config size, multifunction equal sysfs")
    TAP.eq(data.get("config_restricted"), False, "root reads full config space")


@test
def nonroot():
    """Proof 6: as uid 65534, 64-byte config: ACS unknown, no writes, groups listed."""
    cfg = "/sys/bus/pci/devices/0000:00:04.0/config"
    TAP.eq(sh(["sh", "-c", "wc -c <%s" % cfg], user=NOBODY).stdout.strip(), "64",
           "uid 65534 reads 64 bytes of a 4096-byte config space (the kernel's cut)")
    before = state()
    check_groups_json("uid 65534", user=NOBODY)
    data, proc = vs_json("tree", "--json", user=NOBODY)
    if TAP.ok(proc.returncode == 0 and data is not None, "uid 65534: tree --json runs",
              describe(proc)):
        devs = [d for d in data["devices"] if "address" in d]
        TAP.eq(data.get("config_restricted"), True, "uid 65534: config_restricted is set")
        TAP.eq(sorted({(d["config"], d["acs"]) for d in devs}), [("header", "unknown")],
               "uid 65534: every device has header-only config and ACS unknown (never 'no ACS')")
        facts = lspci_facts()
        wrong = [(d["address"], d["port_type"]) for d in devs
                 if d["port_type"] not in ("unknown", facts[d["address"]]["port_type"])]
        TAP.eq(wrong, [], "uid 65534: port types are the real ones or unknown, never wrong")
    trace = "/tmp/nonroot.strace"
    proc = sh(["strace", "-f", "--seccomp-bpf", "-qq", "-o", trace,
               "-e", "trace=open,openat,openat2,creat,truncate", VFIOSCOPE, "tree"],
              user=NOBODY, env={"ASAN_OPTIONS": "detect_leaks=0"})  # LSan cannot run traced
    with open(trace) as f:
        lines = f.readlines()
    writes = [line for line in lines if "/dev/tty" not in line and
              re.search(r"O_WRONLY|O_RDWR|O_CREAT|creat\(|truncate\(", line)]
    reads = [line for line in lines if re.search(r"config\", O_RDONLY", line)]
    TAP.ok(proc.returncode == 0 and reads and not writes,
           "uid 65534: tree reads config files and opens nothing for writing (strace)",
           describe(proc) + "\n%d config opens of %d traced\n" % (len(reads), len(lines))
           + "".join(writes[:10] + [line for line in lines if "config" in line][:5]))
    TAP.eq(state(), before, "uid 65534: no driver or override changed")


# The reasons explain must give: {member: (code, culprit)} per group. The
# culprit is the device the rule blames (the port without ACS, the bridge
# that aliases, the sibling function); an isolated device blames nobody.
SWITCH = {"04:00.0": ("no_acs_upstream", "04:00.0"), "05:00.0": ("no_acs_upstream", "04:00.0")}
SWITCH2 = {"04:01.0": ("no_acs_upstream", "04:01.0"), "06:00.0": ("no_acs_upstream", "04:01.0")}
BRIDGE = {b: ("bridge_alias", "07:00.0") for b in ("07:00.0", "08:01.0", "08:02.0")}
MFD = {"09:00.0": ("mfd_no_acs", "09:00.1"), "09:00.1": ("mfd_no_acs", "09:00.0")}
RP_PAIR = {"00:0a.0": ("mfd_no_acs", "00:0a.1"), "00:0a.1": ("mfd_no_acs", "00:0a.0"),
           "0a:00.0": ("no_acs_upstream", "00:0a.0"), "0b:00.0": ("no_acs_upstream", "00:0a.1")}
ISOLATED = {b: ("isolated", None) for b in
            ("00:00.0", "00:04.0", "01:00.0", "00:05.0", "02:00.0", "00:06.0", "03:00.0",
             "00:07.0", "00:08.0", "00:09.0")}


@test
def explain():
    """Proof 3: explain on every device matches the kernel, with the right reasons."""
    results, failed = {}, []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:  # 2 vCPUs
        runs = pool.map(lambda dev: (dev, vs_json("explain", "--json", dev)), pci_devices())
        for dev, (data, proc) in runs:
            if data is None or proc.returncode != 0:
                failed.append(describe(proc))
            else:
                results[dev[5:]] = data
    TAP.ok(not failed, "explain --json runs for all %d devices" % len(pci_devices()),
           "\n".join(failed[:3]))
    TAP.eq(sorted(b for b, d in results.items() if d.get("matches_kernel") is not True), [],
           "matches_kernel is true for every device")
    TAP.eq({b: sorted(d["members"]) for b, d in results.items()},
           {b: sorted(kernel_groups()[group_of(b)]) for b in results},
           "explain's group members are the kernel's, for every device")

    def reasons(bdf):
        d = results.get(bdf, {})
        return {r["device"][5:]: (r["code"], r["culprit"] and r["culprit"][5:])
                for r in d.get("reasons", [])}

    for label, want in (("switch downstream port + NIC (no ACS on the port)", SWITCH),
                        ("second switch downstream port + NIC", SWITCH2),
                        ("PCIe-to-PCI bridge and its conventional devices", BRIDGE),
                        ("multifunction endpoint without ACS", MFD),
                        ("no-ACS root-port pair and the devices below", RP_PAIR)):
        for bdf in sorted(want):
            TAP.eq(reasons(bdf), want, "explain %s: %s" % (bdf, label))
    TAP.eq({b: reasons(b) for b in ISOLATED}, {b: {b: v} for b, v in ISOLATED.items()},
           "explain: devices alone in their group are isolated")
    TAP.eq((results.get("05:00.0", {}).get("p2p_peers"),
            results.get("06:00.0", {}).get("p2p_peers")),
           (["0000:06:00.0"], ["0000:05:00.0"]),
           "explain: the NICs behind the switch are named as peer-to-peer peers")


# ---------------------------------------------------------------------------
# vfioscope write side: bind, qemu-args, restore (in this order, one state)

BOOT_STATE = {}


def bind_json(*args):
    data, proc = vs_json("bind", "--json", *args)
    return data, proc


def check_bound(label, data, proc, devices, group_dev):
    """bind reported success, the kernel has @devices on vfio-pci, and VFIO
    itself says the group of @group_dev is viable and attaches."""
    ok = TAP.ok(proc.returncode == 0 and data is not None and data.get("ok") is True,
                "%s: bind exits 0 and reports ok" % label, describe(proc))
    TAP.eq({d: driver_of(d) for d in devices}, {d: "vfio-pci" for d in devices},
           "%s: the kernel has %s on vfio-pci" % (label, ", ".join(devices)))
    group = group_of(group_dev)
    if data is not None:
        reported = {g["id"]: g["viable"] for g in data.get("groups", [])}
        TAP.eq(reported.get(group), True, "%s: bind reports group %s viable" % (label, group))
        after = {d["name"][5:]: (d["after"] or {}).get("driver") for d in data["devices"]}
        TAP.eq({d: after.get(d) for d in devices}, {d: "vfio-pci" for d in devices},
               "%s: bind --json reports vfio-pci after, for every device" % label)
    out = vfio_status(group)
    TAP.eq(out, "viable=1 container=ok",
           "%s: VFIO says group %s is viable and attaches to a container" % (label, group))
    return ok


def check_nested(label, devices):
    """`qemu-args` for @devices, passed verbatim to a nested QEMU, is accepted
    and query-pci lists every device under its qemu-args id."""
    proc = vs("qemu-args", "--one-line", full(devices[0]))
    words = shlex.split(proc.stdout)
    if not TAP.ok(proc.returncode == 0 and words, "%s: qemu-args prints arguments" % label,
                  describe(proc)):
        return
    ids = ["hostdev-" + full(d).replace(":", "-").replace(".", "-") for d in devices]
    TAP.eq(sorted(w.split("id=")[1].split(",")[0] for w in words if w.startswith("vfio-pci,")),
           sorted(ids), "%s: qemu-args passes exactly the group's endpoints" % label)
    rc, seen, err, cmd = nested_qemu(words, ids)
    TAP.ok(rc == 0 and all(i in seen for i in ids),
           "%s: nested QEMU accepts the arguments and query-pci lists %s" % (label, ", ".join(ids)),
           "%s\nexit %d, query-pci ids %r\n%s" % (" ".join(cmd), rc, seen, err))


@test
def bind():
    """Proofs 4 and 5: bind, groups while bound, qemu-args into a nested QEMU, restore."""
    BOOT_STATE.update(state())
    try:
        data, proc = bind_json(full("01:00.0"))
        check_bound("single-device group", data, proc, ["01:00.0"], "01:00.0")
        check_nested("single-device group", ["01:00.0"])

        data, proc = bind_json("--group", full("09:00.0"))
        check_bound("multifunction group", data, proc, ["09:00.0", "09:00.1"], "09:00.0")
        check_nested("multifunction group", ["09:00.0", "09:00.1"])

        data, proc = bind_json("--group", full("08:01.0"))
        check_bound("bridge group", data, proc, ["08:01.0", "08:02.0"], "08:01.0")
        TAP.eq(driver_of("07:00.0"), None,
               "bridge group: the PCIe-to-PCI bridge stays without driver")
        check_nested("bridge group", ["08:01.0", "08:02.0"])

        before = state()
        data, proc = bind_json(full("0a:00.0"))
        group = group_of("0a:00.0")
        TAP.eq(driver_of("0a:00.0"), "vfio-pci",
               "shared group: the one member asked for is on vfio-pci")
        reported = {g["id"]: g for g in (data or {}).get("groups", [])}
        g = reported.get(group, {})
        TAP.ok(g.get("viable") is False and
               [b.split()[0] for b in g.get("blocking", [])] == [full("0b:00.0")],
               "shared group: bind reports group %s not viable, blocked by 0000:0b:00.0" % group,
               describe(proc))
        out = vfio_status(group)
        TAP.eq(out, "viable=0 container=EPERM", "shared group: VFIO agrees it is not viable")
        changed = sorted(d for d, st in state().items() if st != before[d])
        TAP.eq(changed, [full("0a:00.0")], "shared group: nothing but the named device changed")
        proc = vs("qemu-args", "--one-line", "--only", full("0a:00.0"))
        TAP.ok(proc.returncode == 0 and "not viable" in proc.stderr,
               "shared group: qemu-args --only warns that the group is not viable", describe(proc))
        rc, seen, err, cmd = nested_qemu(shlex.split(proc.stdout))
        TAP.ok(rc == 1 and "group %d is not viable" % group in err,
               "shared group: the nested QEMU refuses it the same way", "exit %d\n%s" % (rc, err))

        check_groups_json("while bound")

        data, proc = vs_json("restore", "--json", "--all")
        TAP.ok(proc.returncode == 0 and data is not None and data.get("ok") is True,
               "restore --all exits 0 and reports ok", describe(proc))
        now = state()
        TAP.eq({d: now[d] for d in now if now[d] != BOOT_STATE[d]}, {},
               "restore --all: every original driver is back, every override cleared")
    finally:
        reset_all()


@test
def tui():
    """Proof 7: the TUI driven with keys in tmux binds a group and copies its QEMU line."""
    before = state()
    target = full("02:00.0")
    t = Tmux(["sh", "-c", '"$0"; echo "vfioscope exit status $?"; sleep 600', VFIOSCOPE],
             width=120, height=36, env={"LC_ALL": "C.UTF-8", "ESCDELAY": "25"})
    screens = []
    try:
        screens.append(t.wait_for(lambda s: "IOMMU on" in s))
        TAP.ok("IOMMU on" in screens[-1] and target in screens[-1],
               "TUI: starts on the live system and shows %s" % target, screens[-1])
        t.keys("/")
        t.tmux("send-keys", "-t", "vs", "-l", "02:00.0")
        t.keys("Enter")
        cursor = re.compile(r">.*" + re.escape(target))
        screens.append(t.wait_for(lambda s: cursor.search(s)))
        t.keys("b")
        screens.append(t.wait_for(lambda s: "write these now" in s))
        TAP.ok(re.search(re.escape(target) + r"\s+nvme -> vfio-pci", screens[-1]),
               "TUI: b shows the plan for %s (nvme -> vfio-pci) and asks first" % target,
               "\n".join(screens))
        TAP.eq(state(), before, "TUI: nothing is written before the confirmation")
        t.keys("y")
        end = time.monotonic() + 30
        while driver_of(target) != "vfio-pci" and time.monotonic() < end:
            time.sleep(0.3)
        screens.append(t.wait_for(lambda s: "write these now" not in s, 10))
        t.keys("Escape")
        t.wait_for(lambda s: "q quit" in s, 10)
        t.keys("y")
        screens.append(t.wait_for(lambda s: "Copied the QEMU arguments" in s))
        copied = t.buffer()
        t.keys("Escape")
        t.wait_for(lambda s: "q quit" in s, 10)
        t.keys("q")
        screens.append(t.wait_for(lambda s: "vfioscope exit status" in s, 10))
    finally:
        t.close()
    TAP.ok("vfioscope exit status 0" in screens[-1], "TUI: q quits with exit status 0",
           screens[-1])
    TAP.eq(driver_of(target), "vfio-pci",
           "TUI: the kernel has %s on vfio-pci after the bind" % target)
    changed = sorted(d for d, st in state().items() if st != before[d])
    TAP.eq(changed, [target], "TUI: nothing but %s changed" % target)
    out = vfio_status(group_of(target))
    TAP.eq(out, "viable=1 container=ok", "TUI: VFIO says the group is viable")
    cli = " ".join(shlex.split(vs("qemu-args", "--one-line", target).stdout))
    TAP.eq(copied, cli, "TUI: y put the CLI's QEMU line on the clipboard (OSC 52)")
    rc, seen, err, cmd = nested_qemu(shlex.split(copied or ""), ["hostdev-0000-02-00-0"])
    TAP.ok(rc == 0 and "hostdev-0000-02-00-0" in seen,
           "TUI: the copied line starts the nested QEMU with the device",
           "%s\nexit %d ids %r\n%s" % (" ".join(cmd), rc, seen, err))
    proc = vs("restore", target)
    TAP.ok(proc.returncode == 0 and state() == before,
           "restore after the TUI bind brings nvme back, override cleared", describe(proc))
    reset_all()


# ---------------------------------------------------------------------------


def main():
    only = [t for t in os.environ.get("VS_ONLY", "").split(",") if t]
    print("# guest suite: vfioscope %s" % VFIOSCOPE, flush=True)
    for fn in TESTS:
        if only and fn.__name__ not in only:
            continue
        start = time.monotonic()
        print("# -- %s: %s" % (fn.__name__, (fn.__doc__ or "").strip()), flush=True)
        try:
            fn()
        except Exception:  # a crash is one failing check, the suite goes on
            TAP.ok(False, "%s ran to the end" % fn.__name__, traceback.format_exc())
        print("# -- %s took %.1f s" % (fn.__name__, time.monotonic() - start), flush=True)
    TAP.done()
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
