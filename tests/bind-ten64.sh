#!/bin/sh
# The Ten64 of seed 000: both miniPCIe cards share group 2 with the switch.
# Binding the whole group takes the QCA6174 (ath10k_pci) and the Coral TPU
# (no driver) to vfio-pci and leaves the bridges on pcieport; restore gives
# back ath10k_pci, no driver for the TPU, and clears the overrides. Binding
# one card alone works but says the group is not viable. The dry-run script
# does the same as the engine when run by hand. fsl-mc: dprc.2 goes to
# vfio-fsl-mc with its objects.
. "$top_srcdir/tests/bind-lib.sh"

WIFI=0001:03:00.0
TPU=0001:04:00.0
BRIDGES="0001:00:00.0 0001:01:00.0 0001:02:01.0 0001:02:02.0"

fresh ten64.fx "whole group"
vs bind --group --json "$TPU"
expect_rc 0
expect_driver pci "$WIFI" vfio-pci
expect_driver pci "$TPU" vfio-pci
expect_override pci "$WIFI" vfio-pci
expect_override pci "$TPU" vfio-pci
for b in $BRIDGES; do expect_driver pci "$b" pcieport; done
[ -e "$R/dev/vfio/2" ] || fail "no dev/vfio/2"
expect_journal "pci/$WIFI ath10k_pci -;pci/$TPU - -"
[ "$(json_get 'd["ok"], d["executed"], d["dry_run"]')" = "(True, True, False)" ] || fail "ok/executed"
[ "$(json_get '[(x["name"], x["before"]["driver"], x["after"]["driver"], x["outcome"]) for x in d["devices"]]')" = \
  "[('$WIFI', 'ath10k_pci', 'vfio-pci', 'done'), ('$TPU', None, 'vfio-pci', 'done')]" ] ||
	fail "devices: $(json_get 'd["devices"]')"
[ "$(json_get '[x["name"] for x in d["skipped"] if x["code"] == "bridge"]')" = \
  "['0001:00:00.0', '0001:01:00.0', '0001:02:01.0', '0001:02:02.0']" ] || fail "skipped bridges"
[ "$(json_get 'd["groups"]')" = "[{'id': 2, 'viable': True, 'blocking': []}]" ] ||
	fail "groups: $(json_get 'd["groups"]')"
[ "$(json_get '[(s["action"], s["result"]) for s in d["steps"]]')" = \
  "[('set_override', 'ok'), ('unbind', 'ok'), ('probe', 'ok'), ('verify', 'ok'), ('set_override', 'ok'), ('probe', 'ok'), ('verify', 'ok')]" ] ||
	fail "steps: $(json_get '[(s["action"], s["result"]) for s in d["steps"]]')"
[ "$(json_get 'd["steps"][1]["path"], d["steps"][1]["value"]')" = \
  "('$R/sys/bus/pci/drivers/ath10k_pci/unbind', '$WIFI')" ] || fail "unbind step path/value"
no_driverless "$WIFI"

# Bound again: nothing to do, still exit 0, the journal keeps the originals.
vs bind --group "$WIFI"
expect_rc 0
expect_out "$WIFI: vfio-pci -> vfio-pci: unchanged"
expect_journal "pci/$WIFI ath10k_pci -;pci/$TPU - -"

vs restore --group --json "$WIFI"
expect_rc 0
expect_driver pci "$WIFI" ath10k_pci
expect_driver pci "$TPU" none
expect_override pci "$WIFI" "(null)"
expect_override pci "$TPU" "(null)"
for b in $BRIDGES; do expect_driver pci "$b" pcieport; done
[ ! -e "$R/dev/vfio/2" ] || fail "dev/vfio/2 left behind"
expect_journal ""
[ "$(json_get '[(x["name"], x["after"]["driver"], x["after"]["driver_override"], x["outcome"]) for x in d["devices"]]')" = \
  "[('$WIFI', 'ath10k_pci', None, 'done'), ('$TPU', None, None, 'done')]" ] ||
	fail "restore devices: $(json_get 'd["devices"]')"
no_driverless

# One card of the shared group: allowed, but the group is not viable and the
# message names the blocker and the fix.
fresh ten64.fx "one card of the group"
vs bind --dry-run "$TPU"
expect_rc 0
expect_out "#   IOMMU group 2: NOT viable after this plan: $WIFI (ath10k_pci) blocks it; QEMU will refuse it (bind the whole group with --group)"
vs bind "$TPU"
expect_rc 0
expect_driver pci "$TPU" vfio-pci
expect_driver pci "$WIFI" ath10k_pci
expect_err "group 2 is not viable yet: $WIFI (ath10k_pci) keeps it from being used"
expect_err "vfioscope bind --group $TPU"
expect_journal "pci/$TPU - -"
vs restore "$TPU"
expect_rc 0
expect_driver pci "$TPU" none
expect_journal ""

# The dry run prints a script; run by hand under the same fake kernel it
# leaves the devices exactly where the engine would.
fresh ten64.fx "dry-run script"
vs bind --group --dry-run "$WIFI"
expect_rc 0
[ "$(snapshot)" = "$(cat "$TMP/before")" ] || fail "the dry run changed something"
[ ! -e "$R/run/vfioscope/journal.json" ] || fail "the dry run wrote a journal"
cp "$TMP/out" "$TMP/plan.sh"
expect_out "printf '%s' vfio-pci > $R/sys/bus/pci/devices/$WIFI/driver_override"
expect_out "printf '%s' $WIFI > $R/sys/bus/pci/drivers/ath10k_pci/unbind"
expect_out "printf '%s' $WIFI > $R/sys/bus/pci/drivers_probe"
expect_out "#   0001:02:01.0: left alone: bridge: stays on pcieport"
FAKEKERNEL_ROOT="$R" LD_PRELOAD="$FK" sh "$TMP/plan.sh" >"$TMP/out" 2>"$TMP/err" ||
	fail "the plan script failed"
expect_driver pci "$WIFI" vfio-pci
expect_driver pci "$TPU" vfio-pci
# ... and its verify lines stop the script when the kernel does not bind
fresh ten64.fx "dry-run script verify"
FAKEKERNEL_FAULTS=probe:nobind FAKEKERNEL_ROOT="$R" LD_PRELOAD="$FK" \
	sh "$TMP/plan.sh" >"$TMP/out" 2>"$TMP/err" && fail "the script ignored a failed bind"
expect_err "vfioscope: $WIFI is not on vfio-pci"
expect_override pci "$TPU" "(null)"

# restore without a journal entry: clear the override, let the kernel choose.
fresh ten64.fx "restore without journal"
FAKEKERNEL_ROOT="$R" LD_PRELOAD="$FK" sh "$TMP/plan.sh" >/dev/null 2>&1 || fail "plan script"
vs restore --dry-run "$WIFI"
expect_rc 0
expect_out "#   $WIFI (pci): vfio-pci -> the driver the kernel picks"
vs restore "$WIFI" "$TPU"
expect_rc 0
expect_driver pci "$WIFI" ath10k_pci
expect_driver pci "$TPU" none
expect_override pci "$WIFI" "(null)"
expect_override pci "$TPU" "(null)"
expect_out "no driver claimed $TPU after the probe"

# fsl-mc: a container made with restool goes to vfio-fsl-mc with its
# objects (they follow it), and comes back.
fresh ten64.fx "fsl-mc container"
vs bind --group dprc.2
expect_rc 0
expect_driver fsl-mc dprc.2 vfio-fsl-mc
expect_driver fsl-mc dpni.1 vfio-fsl-mc
expect_driver fsl-mc dpbp.1 vfio-fsl-mc
expect_out "dpni.1: left alone: follows its container dprc.2"
expect_out "IOMMU group 4: viable"
expect_journal "fsl-mc/dprc.2 - -"
vs restore dprc.2
expect_rc 0
expect_driver fsl-mc dprc.2 none
expect_driver fsl-mc dpni.1 none
expect_override fsl-mc dprc.2 "(null)"
expect_journal ""
# an object alone is refused with the container to bind instead
vs bind dpni.0
expect_rc 1
expect_err "vfio-fsl-mc takes whole containers: bind dprc.1"

echo "bind-ten64: all cases passed"
