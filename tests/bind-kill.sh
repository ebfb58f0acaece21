#!/bin/sh
# vfioscope killed with SIGKILL between two writes of a bind (the fake
# kernel's "kill" fault acts, then kills the process): the journal, written
# before the first write, still knows every device's driver and override,
# and `restore` brings them all back.
. "$top_srcdir/tests/bind-lib.sh"

WIFI=0001:03:00.0
TPU=0001:04:00.0

# Killed after the first device's override: nothing else happened yet.
fresh ten64.fx "kill after the first override"
vs_faults override:kill:1 bind --group "$WIFI"
[ "$RC" -ge 128 ] || fail "exit status $RC: the process was not killed"
expect_override pci "$WIFI" vfio-pci
expect_driver pci "$WIFI" ath10k_pci
expect_journal "pci/$WIFI ath10k_pci -;pci/$TPU - -"
vs restore --all
expect_rc 0
ten64_restored

# Killed between unbind and probe: the device is on no driver.
fresh ten64.fx "kill after unbind"
vs_faults unbind:kill bind "$WIFI"
[ "$RC" -ge 128 ] || fail "exit status $RC: the process was not killed"
expect_driver pci "$WIFI" none
expect_journal "pci/$WIFI ath10k_pci -"
vs restore "$WIFI"
expect_rc 0
expect_out "$WIFI: no driver -> ath10k_pci: done"
expect_driver pci "$WIFI" ath10k_pci
expect_override pci "$WIFI" "(null)"
expect_journal ""
no_driverless

# Killed in the middle of a group: the first device is on vfio-pci, the
# second has its override. restore --group puts both back.
fresh ten64.fx "kill after the second override"
vs_faults override:kill:2 bind --group "$WIFI"
[ "$RC" -ge 128 ] || fail "exit status $RC: the process was not killed"
expect_driver pci "$WIFI" vfio-pci
expect_override pci "$TPU" vfio-pci
[ -e "$R/dev/vfio/2" ] || fail "dev/vfio/2 missing while $WIFI is on vfio-pci"
expect_journal "pci/$WIFI ath10k_pci -;pci/$TPU - -"
vs restore --group "$TPU"
expect_rc 0
ten64_restored

# A bind run again after a crash, instead of a restore, keeps the journal's
# older entry: restore still gives the device back to ath10k_pci, not to the
# state the crash left.
fresh ten64.fx "bind again after a crash"
vs_faults unbind:kill bind "$WIFI"
vs bind "$WIFI"
expect_rc 0
expect_driver pci "$WIFI" vfio-pci
expect_journal "pci/$WIFI ath10k_pci -"
vs restore "$WIFI"
expect_rc 0
expect_driver pci "$WIFI" ath10k_pci
expect_journal ""

# Killed while restoring: the journal entry stays until the device is back,
# so a second restore finishes the job.
fresh ten64.fx "kill during restore"
vs bind --group "$WIFI"
expect_rc 0
vs_faults unbind:kill restore --all
[ "$RC" -ge 128 ] || fail "exit status $RC: the process was not killed"
expect_driver pci "$WIFI" none
expect_journal "pci/$WIFI ath10k_pci -;pci/$TPU - -"
vs restore --all
expect_rc 0
expect_driver pci "$WIFI" ath10k_pci
expect_driver pci "$TPU" none
expect_journal ""
no_driverless

echo "bind-kill: all cases passed"
