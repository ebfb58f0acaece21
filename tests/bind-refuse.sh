#!/bin/sh
# What the bind refuses, and why, before any write: a process holding the
# group's /dev/vfio/N (named by PID and program), bridges, a PF with VFs
# enabled, vfio-pci's denylist, a device without IOMMU group, a missing vfio
# driver under --sysroot, a host-critical device (unless --force), another
# vfioscope holding the lock, an unreadable journal. Hostile device names
# stay data in the script. After each refusal nothing has changed.
. "$top_srcdir/tests/bind-lib.sh"

NIC=0000:02:00.0
NIC1=0000:02:00.1
GPU=0000:01:00.0
AUDIO=0000:01:00.1

unchanged() {
	[ "$(snapshot)" = "$(cat "$TMP/before")" ] || fail "drivers changed"
	[ ! -e "$R/run/vfioscope/journal.json" ] || fail "a journal was written"
}

hold_group7() {
	mkdir -p "$R/proc/1234/fd"
	ln -s /dev/vfio/7 "$R/proc/1234/fd/5"
}

# A QEMU (pid 1234) holds /dev/vfio/7: restoring its NIC would block in the
# kernel, binding the other port would disturb the group.
fresh bind-basic.fx "holder: restore"
hold_group7
start=$(date +%s%N)
vs restore --timeout 2 "$NIC"
# in milliseconds: a whole-second clock fails a fast run that spans two ticks
[ $((($(date +%s%N) - start) / 1000000)) -lt 1900 ] || fail "restore waited for the held device"
expect_rc 1
expect_err "refused: /dev/vfio/7 is held open by process 1234 (qemu-system-x86): unbinding vfio now would block until it lets go; stop that process first"
expect_driver pci "$NIC" vfio-pci
expect_override pci "$NIC" vfio-pci
unchanged
# the whole group: the other port would be probed, which fails in a held group
vs restore --group "$NIC"
expect_rc 1
expect_err "refused: /dev/vfio/7 is held open by process 1234"
[ "$(grep -c 'refused: /dev/vfio/7' "$TMP/err")" = 2 ] || fail "both ports are not refused"
unchanged

fresh bind-basic.fx "holder: bind the other port"
hold_group7
vs bind --json "$NIC1"
expect_rc 1
[ "$(json_get '[(x["name"], x["code"]) for x in d["refused"]]')" = "[('$NIC1', 'held')]" ] ||
	fail "refused: $(json_get 'd["refused"]')"
[ "$(json_get 'd["executed"]')" = False ] || fail "executed"
expect_driver pci "$NIC1" none
unchanged

# Once QEMU is gone the same restore works (the fake kernel gives igb back).
fresh bind-basic.fx "holder gone"
vs restore --group "$NIC"
expect_rc 0
expect_driver pci "$NIC" igb
expect_override pci "$NIC" "(null)"
expect_driver pci "$NIC1" igb
[ ! -e "$R/dev/vfio/7" ] || fail "dev/vfio/7 left behind"

# Devices vfio-pci cannot take, each with its reason; nothing is written,
# not even for the device that could be bound.
fresh bind-basic.fx "bridge"
vs bind "$GPU" 0000:00:01.0
expect_rc 1
expect_err "refused: 0000:00:01.0 is a bridge (header layout 1): vfio-pci never binds bridges"
expect_err "nothing was changed"
unchanged

fresh bind-basic.fx "SR-IOV PF"
vs bind 0000:04:00.0
expect_rc 1
expect_err "refused: 0000:04:00.0 is an SR-IOV PF with 2 VFs enabled, and vfio-pci refuses such a PF; write 0 to /sys/bus/pci/devices/0000:04:00.0/sriov_numvfs first"
unchanged
# ... while its VF goes and comes back
vs bind 0000:04:10.0
expect_rc 0
expect_driver pci 0000:04:10.0 vfio-pci
vs restore 0000:04:10.0
expect_rc 0
expect_driver pci 0000:04:10.0 igbvf

fresh bind-basic.fx "denylist"
vs bind 0000:05:00.0
expect_rc 1
expect_err "refused: 0000:05:00.0 (8086:37c8) is on vfio-pci's denylist; load vfio-pci with disable_denylist=1"
unchanged
mkdir -p "$R/sys/module/vfio_pci/parameters"
echo Y >"$R/sys/module/vfio_pci/parameters/disable_denylist"
vs bind --dry-run 0000:05:00.0
expect_rc 0

fresh bind-basic.fx "no group"
vs bind 0000:06:00.0
expect_rc 1
expect_err "refused: 0000:06:00.0 has no IOMMU group"
unchanged
mkdir -p "$R/sys/module/vfio/parameters"
echo Y >"$R/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"
vs bind 0000:06:00.0
expect_rc 0
expect_err "warning: 0000:06:00.0 has no IOMMU group: vfio's no-IOMMU mode gives it a vfio-noiommu group without any isolation"
expect_driver pci 0000:06:00.0 vfio-pci

# No vfio-pci under --sysroot: never run modprobe for another system; say
# what is missing. The dry run shows the modprobe the target system needs.
fresh ten64.fx "no vfio-pci"
rm -rf "$R/sys/bus/pci/drivers/vfio-pci"
vs bind --dry-run 0001:03:00.0
expect_rc 0
expect_out "modprobe vfio-pci"
vs bind 0001:03:00.0
expect_rc 1
expect_err "vfio-pci is not available under $R (sys/bus/pci/drivers/vfio-pci is missing) and vfioscope never runs programs for another system root: load the vfio-pci module on that system; nothing was changed"
unchanged

# The kernel lacks vfio-platform altogether (Debian's arm64 kernels): no
# module load can help, so the bind is refused before anything is written,
# with the kernel configuration as evidence, not planned as a modprobe.
fresh arm-imx8qm.fx "no CONFIG_VFIO_PLATFORM"
rm -rf "$R/sys/bus/platform/drivers/vfio-platform"
printf 'CONFIG_VFIO=y\nCONFIG_VFIO_IOMMU_TYPE1=y\n# CONFIG_VFIO_PLATFORM is not set\n' \
	>"$R/boot/config-5.10.72-lts-5.10.y"
snapshot >"$TMP/before"
vs bind 5b040000.ethernet
expect_rc 1
expect_err "refused: 5b040000.ethernet needs vfio-platform, but the kernel 5.10.72-lts-5.10.y is built without CONFIG_VFIO_PLATFORM (boot/config-5.10.72-lts-5.10.y) and /sys/bus/platform/drivers/vfio-platform is missing: a bind would leave the device with no driver"
expect_err "nothing was changed"
expect_driver platform 5b040000.ethernet fec
expect_override platform 5b040000.ethernet "(null)"
unchanged
vs bind --dry-run 5b040000.ethernet
expect_rc 1
grep -q modprobe "$TMP/out" && fail "a modprobe was planned for a driver the kernel lacks"
vs bind --json 5b040000.ethernet
expect_rc 1
[ "$(json_get '[(x["name"], x["code"]) for x in d["refused"]]')" = "[('5b040000.ethernet', 'no_vfio_driver')]" ] ||
	fail "refused: $(json_get 'd["refused"]')"
unchanged

# Host-critical: the NVMe holds /. Refused with the evidence, bound with --force.
fresh bind-basic.fx "host-critical"
vs bind 0000:03:00.0
expect_rc 1
expect_err "refused: 0000:03:00.0 is host-critical: nvme0n1p2 mounted on /"
expect_err "--force binds it anyway"
unchanged
vs bind --json 0000:03:00.0
[ "$(json_get '[(x["name"], x["code"]) for x in d["refused"]]')" = "[('0000:03:00.0', 'host_critical')]" ] ||
	fail "refused: $(json_get 'd["refused"]')"
vs bind --force 0000:03:00.0
expect_rc 0
expect_err "warning: 0000:03:00.0 is host-critical (nvme0n1p2 mounted on /) and is bound because of --force"
expect_driver pci 0000:03:00.0 vfio-pci
vs restore 0000:03:00.0
expect_rc 0
expect_driver pci 0000:03:00.0 nvme

# Another vfioscope is rebinding: wait for it, don't interleave.
fresh bind-basic.fx "lock held"
mkdir -p "$R/run/vfioscope"
"$PYTHON3" -c 'import fcntl, sys, time
f = open(sys.argv[1], "w"); fcntl.flock(f, fcntl.LOCK_EX)
print("locked", flush=True); time.sleep(60)' "$R/run/vfioscope/lock" >"$TMP/locked" &
locker=$!
i=0
until grep -q locked "$TMP/locked" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { kill "$locker"; fail "the lock holder did not start"; }
	sleep 0.1
done
vs bind "$GPU"
kill "$locker"
wait "$locker" 2>/dev/null || true
expect_rc 1
expect_err "another vfioscope is changing driver bindings"
unchanged

# An unreadable journal: no bind (it could not record), no restore --all.
fresh bind-basic.fx "corrupt journal"
mkdir -p "$R/run/vfioscope"
echo '{"version": 1, "devices": [' >"$R/run/vfioscope/journal.json"
vs bind "$GPU"
expect_rc 1
expect_err "the journal $R/run/vfioscope/journal.json is not valid JSON"
expect_driver pci "$GPU" nouveau
vs restore --all
expect_rc 1
expect_err "move it away"

# The GPU and its audio function: one group, both go, both come back.
fresh bind-basic.fx "GPU and audio"
vs bind --group "$AUDIO"
expect_rc 0
expect_driver pci "$GPU" vfio-pci
expect_driver pci "$AUDIO" vfio-pci
expect_driver pci 0000:00:01.0 pcieport
expect_out "IOMMU group 2: viable"
vs restore --all
expect_rc 0
expect_driver pci "$GPU" nouveau
expect_driver pci "$AUDIO" snd_hda_intel
expect_journal ""
no_driverless
vs restore --all
expect_rc 0
expect_out "nothing to do"

# Other buses take the same steps with their own vfio driver.
fresh bind-basic.fx "platform and AMBA"
vs bind e6055400.gpio 9000000.pl011
expect_rc 0
expect_driver platform e6055400.gpio vfio-platform
expect_driver amba 9000000.pl011 vfio-amba
expect_override amba 9000000.pl011 vfio-amba
[ -e "$R/dev/vfio/20" ] && [ -e "$R/dev/vfio/22" ] || fail "no /dev/vfio node"
expect_journal "amba/9000000.pl011 uart-pl011 -;platform/e6055400.gpio gpio_rcar -"
vs restore --all
expect_rc 0
expect_driver platform e6055400.gpio gpio_rcar
expect_driver amba 9000000.pl011 uart-pl011
expect_override amba 9000000.pl011 "(null)"
expect_journal ""
no_driverless

# A platform device with a hostile name: in the script it stays one quoted
# word (the $(touch PWNED) never runs), the script binds it, restore undoes it.
fresh bind-basic.fx "hostile name"
EVIL=$(printf "evil'name \$(touch PWNED)\n.gpio")
vs bind --dry-run "$EVIL"
expect_rc 0
expect_out "printf '%s' vfio-platform > '$R/sys/bus/platform/devices/evil'\\''name \$(touch PWNED)"
expect_out "#   evil'name \$(touch PWNED)?.gpio (platform): gpio_rcar -> vfio-platform"
cp "$TMP/out" "$TMP/plan.sh"
sh -n "$TMP/plan.sh" || fail "the script does not parse"
(cd "$TMP" && FAKEKERNEL_ROOT="$R" LD_PRELOAD="$FK" sh "$TMP/plan.sh") >/dev/null 2>&1 ||
	fail "the script failed"
[ ! -e "$TMP/PWNED" ] || fail "the device name ran as a command"
expect_driver platform "$EVIL" vfio-platform
vs restore --json "$EVIL"
expect_rc 0
[ "$(json_get 'd["devices"][0]["name"]')" = "$EVIL" ] ||
	fail "JSON name: $(json_get 'd["devices"][0]["name"]')"
expect_driver platform "$EVIL" gpio_rcar
# the terminal never sees the raw newline
vs bind "$EVIL"
expect_rc 0
grep -q '^\.gpio' "$TMP/out" && fail "a raw newline reached the terminal"
expect_out "evil'name \$(touch PWNED)?.gpio: gpio_rcar -> vfio-platform: done"

echo "bind-refuse: all cases passed"
