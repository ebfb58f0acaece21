#!/bin/sh
# Seed 000's PCIe walkthrough, done in the TUI on the Ten64 fixture through
# the fake kernel: find the two miniPCIe cards, see why they cannot be split,
# bind both to vfio-pci, copy the QEMU line, restore.
. "$top_srcdir/tests/tui-lib.sh"

make_fixture ten64
fake_kernel ten64
tui_run ten64 <<'KEYS'
# 1. Find the cards: the QCA6174 by name; the Coral TPU sits beside it below
#    the Pericom switch.
/
:type qca6174
Enter
:dump 1-find
# 2. Why they cannot be split: the root port has no ACS.
e
:dump 2-explain
PgDn
:dump 2-remedies
Esc
# 3. Bind both: the group in the Groups view, selected with Space, bound.
Tab
Left
Space
:dump 3-selected
b
:dump 3-plan
End
:dump 3-plan-end
y
:dump 3-result
Esc
:dump 3-bound
# 4. Copy the QEMU line (the selection) to the clipboard.
y
:dump 4-qemu
Esc
# 5. Restore both to the drivers they had.
r
:dump 5-plan
y
:dump 5-result
Esc
:dump 5-restored
q
KEYS

for s in 1-find 2-explain 2-remedies 3-selected 3-plan 3-plan-end 3-result 3-bound 4-qemu \
	5-plan 5-result 5-restored; do
	expect_screen $s
done

# The screens say what the seed says.
expect_grep 1-find '0001:03:00.0  QCA6174 802.11ac Wireless Netw ath10k_pci'
expect_grep 1-find '0001:04:00.0  Coral Edge TPU'
expect_grep 2-explain 'The group cannot be split'
expect_grep 2-explain 'has no ACS capability'
expect_grep 3-plan '0001:03:00.0  ath10k_pci -> vfio-pci'
expect_grep 3-plan '0001:04:00.0  none -> vfio-pci'
expect_grep 3-result 'IOMMU group 2 is viable'
expect_grep 5-result 'Every device is back on its driver.'

# The clipboard got exactly the QEMU arguments (OSC 52, base64).
qemu='-device pcie-root-port,id=vfio-rp-0001-03-00,bus=pcie.0,chassis=86,slot=1 -device vfio-pci,host=0001:03:00.0,id=hostdev-0001-03-00-0,bus=vfio-rp-0001-03-00,addr=00.0 -device pcie-root-port,id=vfio-rp-0001-04-00,bus=pcie.0,chassis=86,slot=2 -device vfio-pci,host=0001:04:00.0,id=hostdev-0001-04-00-0,bus=vfio-rp-0001-04-00,addr=00.0'
LC_ALL=C grep -qF -- "$(osc52 "$qemu")" "$tmp/term.out" || fail "the terminal did not get the OSC 52 sequence of the QEMU line"

# The fixture after the restore: both cards on their old drivers, no
# override left, the bridges never touched, the journal empty.
[ "$(driver_of ten64 0001:03:00.0)" = ath10k_pci ] || fail "QCA6174 is on $(driver_of ten64 0001:03:00.0)"
[ "$(driver_of ten64 0001:04:00.0)" = - ] || fail "Coral TPU is on $(driver_of ten64 0001:04:00.0)"
for d in 0001:03:00.0 0001:04:00.0; do
	o=$(cat "$tmp/ten64/sys/bus/pci/devices/$d/driver_override")
	[ "$o" = "(null)" ] || [ -z "$o" ] || fail "$d keeps the override '$o'"
done
for d in 0001:00:00.0 0001:01:00.0 0001:02:01.0 0001:02:02.0; do
	[ "$(driver_of ten64 $d)" = pcieport ] || fail "bridge $d is on $(driver_of ten64 $d)"
done
[ ! -s "$tmp/ten64/run/vfioscope/journal.json" ] || fail "the journal still has entries"
finish
