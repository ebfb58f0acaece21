#!/bin/sh
# The terminal: 80x24 and resizes (bigger, smaller, too small, back), the
# ASCII fallback (LANG=C, TERM=dumb), and colour: markers are letters in
# every mode, colours only when the terminal has them and NO_COLOR is unset.
# `:dump-attrs` writes one character per cell: a digit for a colour pair,
# R reverse, B bold, D dim, '.' plain.
. "$top_srcdir/tests/tui-lib.sh"

make_fixture ten64

# Resizes keep the cursor's device on the screen.
tui_run ten64 <<'KEYS'
j j j j j j
:dump 80x24
:resize 100x30
:dump 100x30
:resize 60x16
:dump 60x16
:resize 40x12
:dump 40x12
:resize 20x4
:dump 20x4
:resize 80x24
:dump back
KEYS
for s in 80x24 100x30 60x16 40x12 20x4; do
	expect_screen $s
done
cmp -s "$tmp/out/80x24" "$tmp/out/back" || fail "80x24 after resizes differs from before"

# Colours on a colour terminal; the same letters and no colour with
# NO_COLOR, on a monochrome terminal, and on TERM=dumb.
tui_run ten64 <<'KEYS'
j j j j j j
:dump color
:dump-attrs color-attrs
KEYS
expect_screen color-attrs
cp "$tmp/out/color" "$tmp/color.screen"
TUI_ENV="NO_COLOR=1" tui_run ten64 <<'KEYS'
j j j j j j
:dump nocolor
:dump-attrs nocolor-attrs
KEYS
expect_screen nocolor-attrs
cmp -s "$tmp/color.screen" "$tmp/out/nocolor" || fail "NO_COLOR changed the text"
! grep -q '[0-9]' "$tmp/out/nocolor-attrs" || fail "NO_COLOR: a colour pair is in use"
cp "$tmp/out/nocolor-attrs" "$tmp/nocolor-attrs.screen"
TUI_TERM=xterm-mono tui_run ten64 <<'KEYS'
j j j j j j
:dump mono
:dump-attrs mono-attrs
KEYS
cmp -s "$tmp/color.screen" "$tmp/out/mono" || fail "xterm-mono changed the text"
cmp -s "$tmp/nocolor-attrs.screen" "$tmp/out/mono-attrs" || fail "xterm-mono attributes differ from NO_COLOR's"

# ASCII line drawing with LANG=C, and on TERM=dumb (which also has no colour).
TUI_LOCALE=C tui_run ten64 <<'KEYS'
j j j j j j
:dump ascii
e
:dump ascii-window
KEYS
expect_screen ascii
expect_screen ascii-window
! LC_ALL=C grep -q '[^ -~]' "$tmp/out/ascii" "$tmp/out/ascii-window" ||
	fail "LANG=C: a non-ASCII character is on the screen"
cp "$tmp/out/ascii" "$tmp/ascii.screen"
TUI_TERM=dumb tui_run ten64 <<'KEYS'
j j j j j j
:dump dumb
:dump-attrs dumb-attrs
KEYS
cmp -s "$tmp/ascii.screen" "$tmp/out/dumb" || fail "TERM=dumb differs from LANG=C"
! grep -q '[0-9]' "$tmp/out/dumb-attrs" || fail "TERM=dumb: a colour pair is in use"
finish
