#!/bin/sh
# Bind and restore beyond the happy path, through the fake kernel: --dry-run
# shows the writes as commands and writes nothing; a cancelled plan writes
# nothing; a host-critical device (the NVMe holding /) is refused with its
# evidence; a failing write is rolled back and the result says so; restore
# with nothing bound says so.
. "$top_srcdir/tests/tui-lib.sh"

make_fixture tui-ten64-host host
snapshot() {
	(cd "$tmp/host" && find sys -name driver -o -name driver_override | sort |
		while read -r f; do printf '%s %s\n' "$f" "$(readlink "$f" || cat "$f")"; done)
}
snapshot > "$tmp/before"
fake_kernel host

# --dry-run: the plan as commands to run; nothing is written.
tui_run host --dry-run <<'KEYS'
/
:type qca
Enter
b
:dump dry-run
Esc
r
:dump dry-restore
KEYS
expect_screen dry-run
expect_grep dry-run 'Nothing will be written (--dry-run). To do it, run the writes below as root.'
expect_line dry-run 24 'Esc close'
# Nothing was bound: restore only re-probes the card that has no driver.
expect_screen dry-restore
snapshot | diff -u "$tmp/before" - || fail "--dry-run changed the fixture"

# A plan cancelled with n writes nothing.
tui_run host <<'KEYS'
/
:type qca
Enter
b
n
:dump cancelled
KEYS
expect_grep cancelled '0001:03:00.0  QCA6174 802.11ac Wireless Netw ath10k_pci'
snapshot | diff -u "$tmp/before" - || fail "a cancelled bind changed the fixture"

# The NVMe holds the root file system: marked H, and its bind is refused.
tui_run host <<'KEYS'
/
:type nvme
Enter
:dump critical
b
:dump refused
y
:dump refused-y
KEYS
expect_screen critical
expect_screen refused
expect_grep critical 'BH'
expect_grep critical 'Host-critical: nvme0n1 mounted on /'
expect_grep refused 'Nothing will be written: some devices cannot be bound (below).'
expect_line refused-y 24 'Esc or q closes the window'
expect_grep refused-y 'Bind to vfio: refused'
expect_no_grep refused 'y or Enter'
snapshot | diff -u "$tmp/before" - || fail "a refused bind changed the fixture"

# A probe that fails: vfioscope rolls the device back and says so.
TUI_ENV="$TUI_ENV FAKEKERNEL_FAULTS=probe:EIO" tui_run host <<'KEYS'
/
:type qca
Enter
b
y
:dump failed
KEYS
expect_screen failed
expect_grep failed 'Not every device ended where asked.'
expect_grep failed 'Bind failed: see the result'
snapshot | diff -u "$tmp/before" - || fail "a rolled-back bind left the fixture changed"
finish
