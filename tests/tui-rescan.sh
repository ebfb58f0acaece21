#!/bin/sh
# The system changes under the running program (another tool rebinds a
# device, a card is unplugged) and R rescans: the screen follows, the cursor
# stays on its device (or goes to the parent of one that left), and the
# selection is kept, minus the device that left. The live system's udev
# monitor triggers the same rescan.
. "$top_srcdir/tests/tui-lib.sh"

make_fixture ten64
fake_kernel ten64
tui_run ten64 <<'KEYS'
/
:type qca
Enter
Space
j j
Space
:dump before
# Another tool unbinds the QCA6174 card (through the fake kernel).
:shell printf 0001:03:00.0 > ten64/sys/bus/pci/drivers/ath10k_pci/unbind
:dump not-yet
R
:dump rebound
# The Coral card leaves the bus while the cursor is on it.
:shell rm ten64/sys/bus/pci/devices/0001:04:00.0 ten64/sys/kernel/iommu_groups/2/devices/0001:04:00.0
R
:dump unplugged
KEYS
expect_screen before
expect_screen rebound
expect_screen unplugged
# Keys never rescan: the change shows only after R.
cmp -s "$tmp/out/before" "$tmp/out/not-yet" || fail "the screen changed before R"
expect_grep rebound '*V       │ └── 0001:03:00.0  QCA6174 802.11ac Wireless Netw -'
expect_grep rebound '*V  >      └── 0001:04:00.0  Coral Edge TPU'
expect_grep rebound 'Rescanned: 22 devices, 5 groups'
expect_grep unplugged '1 selected device disappeared'
expect_grep unplugged ' V  >    └── 0001:02:02.0  PI7C9X2G304 EL/SL PCIe2 3-Port/4 pcieport'
expect_grep unplugged 'Selection: 1 device'
finish
