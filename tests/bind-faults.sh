#!/bin/sh
# Every injected fault at every step of a bind: the bind fails with a clear
# message, every device goes back to the driver and override it had, the
# journal drops what it recorded, and nothing that had a driver is left
# without one. Then faults during the rollback itself, a rollback that cannot
# succeed (the device is left driverless and the message says how to fix it),
# a write that hangs (timeout), and a device that vanishes mid-bind.
. "$top_srcdir/tests/bind-lib.sh"

WIFI=0001:03:00.0
TPU=0001:04:00.0

strerr() {
	case $1 in
	EBUSY) echo "Device or resource busy" ;;
	ENODEV) echo "No such device" ;;
	EINVAL) echo "Invalid argument" ;;
	EACCES) echo "Permission denied" ;;
	esac
}

# One device, each step failing once with each error.
for step in override unbind probe; do
	for err in EBUSY ENODEV EINVAL EACCES; do
		fresh ten64.fx "$step:$err"
		vs_faults "$step:$err" bind "$WIFI"
		expect_rc 1
		expect_err "$(strerr $err)"
		expect_err "rolled back to ath10k_pci"
		expect_out "$WIFI: ath10k_pci -> ath10k_pci: rolled_back"
		expect_driver pci "$WIFI" ath10k_pci
		expect_override pci "$WIFI" "(null)"
		expect_journal ""
		no_driverless
		[ ! -e "$R/dev/vfio/2" ] || fail "dev/vfio/2 left behind"
	done
done

# The same faults in a whole-group bind, hitting the second device: the first,
# already on vfio-pci, is rolled back too.
for f in override:EBUSY:2 probe:EINVAL:2 probe:nobind:2; do
	fresh ten64.fx "group $f"
	vs_faults "$f" bind --group --json "$WIFI"
	expect_rc 1
	ten64_restored
	[ "$(json_get 'd["ok"]')" = False ] || fail "ok is not false"
	[ "$(json_get '[x["outcome"] for x in d["devices"]]')" = "['rolled_back', 'rolled_back']" ] ||
		fail "outcomes: $(json_get '[x["outcome"] for x in d["devices"]]')"
	[ "$(json_get '[s["result"] for s in d["steps"] if s["phase"] == "plan"][-1]')" = failed ] ||
		fail "the last plan step is not the failed one"
done

# drivers_probe succeeds but binds nothing: the verify step catches it.
fresh ten64.fx "probe binds nothing"
vs_faults probe:nobind bind "$WIFI"
expect_rc 1
expect_err "$WIFI is on no driver, not on vfio-pci: the kernel took the write but vfio-pci did not bind it"
expect_driver pci "$WIFI" ath10k_pci
expect_journal ""
no_driverless

# Faults during the rollback: the rollback's probe fails once (retried), or
# twice (then an explicit bind to the original driver brings it back).
fresh ten64.fx "rollback probe fails once"
vs_faults probe:nobind:1,probe:EBUSY:2 bind "$WIFI"
expect_rc 1
expect_driver pci "$WIFI" ath10k_pci
expect_override pci "$WIFI" "(null)"
expect_journal ""
no_driverless

fresh ten64.fx "rollback probe fails twice"
vs_faults probe:EIO:1,probe:EBUSY:2,probe:EBUSY:3 bind --json "$WIFI"
expect_rc 1
expect_driver pci "$WIFI" ath10k_pci
expect_journal ""
no_driverless
[ "$(json_get '[(s["phase"], s["action"], s["result"]) for s in d["steps"] if s["phase"] == "fallback"]')" = \
  "[('fallback', 'bind', 'ok'), ('fallback', 'verify', 'ok')]" ] ||
	fail "no explicit bind fallback: $(json_get '[(s["phase"], s["action"], s["result"]) for s in d["steps"]]')"

fresh ten64.fx "rollback override fails once"
vs_faults probe:EBUSY:1,override:EACCES:2 bind "$WIFI"
expect_rc 1
expect_driver pci "$WIFI" ath10k_pci
expect_override pci "$WIFI" "(null)"
expect_journal ""
no_driverless

# A rollback that cannot succeed: every probe and bind fails. The device is
# left driverless, and the message says exactly where it is and how to fix it.
fresh ten64.fx "rollback impossible"
vs_faults probe:EINVAL:always,bind:EINVAL:always bind "$WIFI"
expect_rc 1
expect_out "$WIFI: ath10k_pci -> no driver: stranded"
expect_err "$WIFI is on no driver with driver_override (null), but it should be on ath10k_pci."
expect_err "To fix it by hand: printf '%s' $WIFI > $R/sys/bus/pci/drivers/ath10k_pci/bind; or run: vfioscope restore $WIFI"
expect_driver pci "$WIFI" none
expect_journal "pci/$WIFI ath10k_pci -"
# ... and restore, now that the kernel behaves, brings it back from the journal
vs restore "$WIFI"
expect_rc 0
expect_driver pci "$WIFI" ath10k_pci
expect_journal ""
no_driverless

# Faults while restoring: the device's recovery (fallback) finishes the job.
for f in override:EBUSY unbind:EBUSY unbind:ENODEV probe:EINVAL probe:nobind; do
	fresh ten64.fx "restore with $f"
	vs bind --group "$WIFI"
	expect_rc 0
	vs_faults "$f" restore --all
	expect_rc 0
	expect_out "(fallback)"
	ten64_restored
done

# A write that blocks in the kernel: the step times out, the caller does not
# hang, and the device is rolled back.
fresh ten64.fx "unbind blocks"
start=$(date +%s)
FAKEKERNEL_BLOCK_SECONDS=60 vs_faults unbind:block bind --timeout 1 "$WIFI"
elapsed=$(($(date +%s) - start))
[ "$elapsed" -lt 15 ] || fail "took ${elapsed}s: the timeout did not work"
expect_rc 1
expect_err "did not return within 1000 ms"
expect_out "TIMEOUT  $WIFI: unbind from ath10k_pci"
expect_driver pci "$WIFI" ath10k_pci
expect_override pci "$WIFI" "(null)"
expect_journal ""
no_driverless

# The device vanishes mid-bind (surprise removal): the others are rolled
# back, the message says what happened, and the journal keeps its entry.
fresh ten64.fx "vanish"
vs_faults probe:vanish:2 bind --group "$WIFI"
expect_rc 1
expect_err "$TPU disappeared from /sys/bus/pci/devices during the bind"
expect_out "$TPU: no driver -> no driver: vanished"
expect_driver pci "$WIFI" ath10k_pci
expect_override pci "$WIFI" "(null)"
expect_journal "pci/$TPU - -"
no_driverless
[ ! -e "$R/sys/bus/pci/devices/$TPU" ] || fail "the device did not vanish"
vs restore --all
expect_rc 1
expect_err "$TPU is in the journal but not on the pci bus now; its entry is kept"
expect_journal "pci/$TPU - -"

echo "bind-faults: all cases passed"
