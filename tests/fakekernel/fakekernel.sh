#!/bin/sh
# The fake kernel itself, driven by plain shell writes the way a user types
# them: each sysfs write has the kernel's effect on the fixture tree, and
# each fault fires when and as often as asked.
. "$top_srcdir/tests/bind-lib.sh"

WIFI=0001:03:00.0
P=sys/bus/pci
KW="$TMP/kw"
cat >"$KW" <<EOF
#!/bin/sh
exec "$PYTHON3" -c '
import os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
    os.write(fd, sys.argv[2].encode())
except OSError as e:
    sys.exit("kw: " + e.strerror)' "\$@"
EOF
chmod +x "$KW"

# w 'SHELL COMMANDS': run them in $R under the fake kernel; $RC gets the status.
# Writes whose error message matters go through $KW (one write(2) from
# Python): the shell's builtins say "I/O error" for every errno, and
# coreutils' printf writes through stdio, which no preload sees.
w() {
	set +e
	(cd "$R" && FAKEKERNEL_ROOT="$R" LD_PRELOAD="$FK" sh -c "$1") >"$TMP/out" 2>"$TMP/err"
	RC=$?
	set -e
}
wf() {	# wf FAULTS 'COMMANDS'
	set +e
	(cd "$R" && FAKEKERNEL_FAULTS="$1" FAKEKERNEL_ROOT="$R" LD_PRELOAD="$FK" sh -c "$2") \
		>"$TMP/out" 2>"$TMP/err"
	RC=$?
	set -e
}

fresh ten64.fx "override, unbind, probe"
w "printf vfio-pci > $P/devices/$WIFI/driver_override"
expect_rc 0
expect_override pci "$WIFI" vfio-pci
expect_driver pci "$WIFI" ath10k_pci
w "echo $WIFI > $P/devices/$WIFI/driver/unbind"
expect_rc 0
expect_driver pci "$WIFI" none
[ ! -e "$R/$P/drivers/ath10k_pci/$WIFI" ] || fail "the driver's link to the device stayed"
w "echo $WIFI > $P/drivers_probe"
expect_rc 0
expect_driver pci "$WIFI" vfio-pci
[ -L "$R/$P/drivers/vfio-pci/$WIFI" ] || fail "no link from vfio-pci to the device"
[ -e "$R/dev/vfio/2" ] || fail "binding vfio-pci made no dev/vfio/2"
w "$KW $P/drivers/ath10k_pci/unbind $WIFI"
expect_rc 1
expect_err "No such device"
w "echo $WIFI > $P/drivers/vfio-pci/unbind; echo > $P/devices/$WIFI/driver_override"
expect_rc 0
expect_override pci "$WIFI" "(null)"
[ ! -e "$R/dev/vfio/2" ] || fail "dev/vfio/2 stayed after the last vfio member left"
w "$KW $P/drivers/vfio-pci/bind $WIFI"
expect_rc 1
expect_err "No such device"
w "printf %s $WIFI > $P/drivers/ath10k_pci/bind"
expect_rc 0
expect_driver pci "$WIFI" ath10k_pci
w "$KW $P/drivers/ath10k_pci/bind $WIFI"
expect_rc 1
expect_err "busy"
# the shell's ">" opens with O_TRUNC, which sysfs ignores: a failed write
# leaves the override as it was
w "printf vfio-pci > $P/devices/$WIFI/driver_override"
wf override:EBUSY "printf pci-stub > $P/devices/$WIFI/driver_override"
expect_rc 1
expect_override pci "$WIFI" vfio-pci
w "echo > $P/devices/$WIFI/driver_override"
expect_override pci "$WIFI" "(null)"
# "none" blocks every probe
w "printf none > $P/devices/$WIFI/driver_override; echo $WIFI > $P/devices/$WIFI/driver/unbind; echo $WIFI > $P/drivers_probe"
expect_rc 0
expect_driver pci "$WIFI" none
# writes elsewhere pass through untouched
w "echo hello > proc/cmdline"
[ "$(cat "$R/proc/cmdline")" = hello ] || fail "a plain file write was swallowed"

# vfio-pci refuses what the real one refuses: the probe succeeds, nothing binds.
fresh bind-basic.fx "vfio-pci refusals"
for dev in 0000:00:01.0 0000:04:00.0; do
	w "printf vfio-pci > $P/devices/$dev/driver_override; echo $dev > $P/devices/$dev/driver/unbind; echo $dev > $P/drivers_probe"
	expect_rc 0
	expect_driver pci "$dev" none
done
w "printf vfio-pci > $P/devices/0000:06:00.0/driver_override; echo 0000:06:00.0 > $P/devices/0000:06:00.0/driver/unbind; echo 0000:06:00.0 > $P/drivers_probe"
expect_driver pci 0000:06:00.0 none

# A held group: probing a host driver fails with EINVAL, and unbinding vfio
# blocks until the holder goes.
fresh bind-basic.fx "held group"
mkdir -p "$R/proc/1234/fd"
ln -s /dev/vfio/7 "$R/proc/1234/fd/5"
w "$KW $P/drivers_probe 0000:02:00.1"
expect_rc 1
expect_err "Invalid argument"
expect_driver pci 0000:02:00.1 none
set +e
(cd "$R" && FAKEKERNEL_ROOT="$R" LD_PRELOAD="$FK" timeout 2 sh -c \
	"echo 0000:02:00.0 > $P/drivers/vfio-pci/unbind") >/dev/null 2>&1
RC=$?
set -e
[ "$RC" = 124 ] || fail "unbinding a held vfio device did not block (status $RC)"
expect_driver pci 0000:02:00.0 vfio-pci

# Faults: the Nth write of a kind, once; "always"; a new spec starts again.
fresh ten64.fx "faults"
wf probe:EBUSY:2 "echo $WIFI > $P/drivers_probe; $KW $P/drivers_probe $WIFI"
expect_rc 1
expect_err "busy"
wf probe:EBUSY:2 "echo $WIFI > $P/drivers_probe"
expect_rc 0
wf unbind:EACCES:always "echo $WIFI > $P/drivers/ath10k_pci/unbind || $KW $P/drivers/ath10k_pci/unbind $WIFI"
expect_rc 1
expect_err "Permission denied"
expect_driver pci "$WIFI" ath10k_pci
wf override:nobind "printf vfio-pci > $P/devices/$WIFI/driver_override"
expect_rc 0
expect_override pci "$WIFI" "(null)"
wf any:ENODEV:2 "printf vfio-pci > $P/devices/$WIFI/driver_override; echo $WIFI > $P/drivers/ath10k_pci/unbind"
expect_rc 1
expect_driver pci "$WIFI" ath10k_pci
expect_override pci "$WIFI" vfio-pci
wf probe:nobind "echo $WIFI > $P/drivers/ath10k_pci/unbind; echo $WIFI > $P/drivers_probe"
expect_rc 0
expect_driver pci "$WIFI" none

fresh ten64.fx "vanish"
wf unbind:vanish "echo $WIFI > $P/drivers/ath10k_pci/unbind"
expect_rc 1
[ ! -e "$R/$P/devices/$WIFI" ] && [ ! -L "$R/$P/devices/$WIFI" ] || fail "the device is still on the bus"
[ ! -L "$R/$P/drivers/ath10k_pci/$WIFI" ] || fail "the driver still links the device"
[ ! -L "$R/sys/kernel/iommu_groups/2/devices/$WIFI" ] || fail "the group still lists the device"

fresh ten64.fx "kill"
wf override:kill "printf vfio-pci > $P/devices/$WIFI/driver_override; echo survived"
[ "$RC" -ge 128 ] || fail "the writer was not killed (status $RC)"
grep -q survived "$TMP/out" && fail "the writer ran on after the kill"
expect_override pci "$WIFI" vfio-pci

fresh ten64.fx "block"
start=$(date +%s)
set +e
(cd "$R" && FAKEKERNEL_BLOCK_SECONDS=1 FAKEKERNEL_FAULTS=unbind:block FAKEKERNEL_ROOT="$R" \
	LD_PRELOAD="$FK" sh -c "echo $WIFI > $P/drivers/ath10k_pci/unbind")
RC=$?
set -e
expect_rc 0
[ $(($(date +%s) - start)) -ge 1 ] || fail "the write did not block"
expect_driver pci "$WIFI" none

echo "fakekernel: all cases passed"
