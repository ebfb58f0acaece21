#!/bin/sh
# The Platform view on the i.MX 8QM MEK of seed 001: Tab reaches it after
# Tree and Groups; it lists the platform devices; the details of fec1
# (5b040000.ethernet) show its DT node (compatible, reg, interrupts, iommus),
# the dependency closure with each node's role, and the ARM findings; e
# explains it with the fixes; y copies the QEMU arguments of its group and
# b plans the bind, as for PCI. On the LS1088 the fsl-mc containers nest
# their objects.
. "$top_srcdir/tests/tui-lib.sh"

make_fixture arm-imx8qm imx8qm
TUI_LINES=40 TUI_COLUMNS=100 tui_run imx8qm --dry-run <<'KEYS'
Tab Tab
:dump imx-view
/
:type 5b040000
Enter
:dump imx-fec1
e
:dump imx-explain
Esc y
:dump imx-copy
Esc b
:dump imx-bind
Esc Tab
:dump imx-tree
KEYS
for s in imx-view imx-fec1 imx-explain imx-copy imx-bind imx-tree; do
	expect_screen $s
done
expect_grep imx-fec1 'iommus: /iommu@51400000 stream 0x12 0x7f80'
expect_grep imx-fec1 '/bus@5b000000/clock-controller@5b230000  pass-too (clocks of ethernet@5b040000)'
expect_grep imx-explain '/bus@5d000000/mailbox@5d1c0000  host-shared (mboxes of scu)'
expect_grep imx-copy '-device vfio-platform,host=5b040000.ethernet'
expect_grep imx-bind 'fec -> vfio-platform'
# Tab came back to the Tree with the cursor on fec1
expect_line imx-tree 5 ' B  >├── 5b040000.ethernet  fsl,imx8qm-fec                                      fec                1'

make_fixture arm-ls1088 ls1088
tui_run ls1088 <<'KEYS'
Tab Tab
/
:type dprc.2
Enter
:dump ls1088-dprc
KEYS
expect_screen ls1088-dprc
expect_grep ls1088-dprc 'DPRC container, 6 objects: dpbp.1, dpcon.1, dpio.1, dpmac.1, dpmcp.1, dpni.1'

# A system with PCI devices only has no Platform view: Tab Tab is the Tree again.
make_fixture q35
tui_run q35 <<'KEYS'
Tab Tab
:dump q35-tree
KEYS
expect_grep q35-tree '[Tree] Groups  DRIVER'
expect_no_grep q35-tree 'Platform'
finish
