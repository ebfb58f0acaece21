#!/bin/sh
# Search by address, name or driver: `/` opens the prompt, Enter jumps to
# the first match after the cursor, n and N go on (wrapping around with a
# note), a match inside a folded subtree unfolds it, and a miss says so.
. "$top_srcdir/tests/tui-lib.sh"

make_fixture ten64
tui_run ten64 <<'KEYS'
# By name, case-insensitive: the Coral Edge TPU.
/
:type coral
:dump prompt
Enter
:dump coral
# By driver: the next pcieport after the Coral card is domain 2's root port;
# n wraps around to domain 0's.
/
:type pcieport
Enter
:dump driver
n
:dump wrapped
N
:dump back
# By address, without the domain.
/
:type 03:00
Enter
:dump address
# A miss keeps the cursor where it was.
/
:type no-such-device
Enter
:dump miss
# Fold domain 1 and search into it: the match unfolds its ancestors.
Home j j Left
:dump folded
/
:type ath10k
Enter
:dump unfolded
# Backspace edits, Esc cancels without moving.
/
:type xyz
Backspace Backspace
:dump edit
Esc
:dump cancel
KEYS

for s in prompt coral driver wrapped back address miss folded unfolded edit cancel; do
	expect_screen $s
done
expect_grep coral ' x  >      └── 0001:04:00.0  Coral Edge TPU'
expect_grep wrapped 'Search wrapped around to the top'
expect_grep miss 'Not found: no-such-device'
expect_line edit 24 '/x'
finish
