#!/bin/sh
# The two views on the Ten64 fixture: the Tree (domains, root ports, the
# Pericom switch, the miniPCIe cards; platform devices; fsl-mc containers)
# and the Groups view; moving, folding, and the cursor staying on its device
# when the view changes.
. "$top_srcdir/tests/tui-lib.sh"

make_fixture ten64
tui_run ten64 <<'KEYS'
:dump tree
# Down to the QCA6174 card, 0001:03:00.0 (row 7).
j j j j j j
:dump qca
# Left on a leaf goes to its parent; Left again folds the parent.
Left
:dump parent
Left
:dump folded
# The same device in the Groups view, and back (Tab passes the Platform view).
Tab
:dump groups
Tab Tab
Right
End
:dump end
Home PgDn
:dump pgdn
PgUp
:dump pgup
KEYS

expect_screen tree
expect_screen qca
expect_screen parent
expect_screen folded
expect_screen groups
expect_screen end
expect_screen pgdn
expect_screen pgup
# The cursor row is the only one marked '>' and the status line says where it is.
expect_line qca 9 ' B  >    │ └── 0001:03:00.0  QCA6174 802.11ac Wireless Netw ath10k_pci         2'
expect_grep groups '[Groups]'
finish
