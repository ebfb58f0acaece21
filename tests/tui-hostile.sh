#!/bin/sh
# Names full of escape sequences (tests/fixtures/tui-hostile.fx: pci.ids
# names, a driver, a platform device, a group type) reach the screen with
# every control character as '?', and none of their sequences reaches the
# terminal: not the screen clear, the clipboard write (OSC 52), the title,
# the colours, raw C1 bytes.
. "$top_srcdir/tests/tui-lib.sh"

make_fixture tui-hostile hostile
tui_run hostile <<'KEYS'
j
:dump tree
e
:dump explain
Esc Tab
:dump groups
G
e
:dump platform
KEYS
for s in tree explain groups platform; do
	expect_screen $s
done
expect_grep tree 'Clip?]52;c;cm0gLXJmIC8K? board?[31m'
expect_grep explain 'Device: Clip?]52;c;cm0gLXJmIC8K? board?[31m red'
# What the terminal received: none of the payloads.
for payload in "$(printf '\033]52')" "$(printf '\033]0;owned')" "$(printf '\033[31m red')" \
	"$(printf '\033[5m')" "$(printf '\033[7m')" "$(printf '\302\233')" "$(printf '\007')"; do
	if LC_ALL=C grep -qF -- "$payload" "$tmp/term.out"; then
		fail "the terminal received $(printf '%s' "$payload" | od -An -c | tr -s ' ')"
	fi
done
LC_ALL=C grep -q "$(printf '\233')" "$tmp/term.out" && fail "the terminal received a raw C1 CSI byte"

# ASCII mode: every non-ASCII character (the wide CJK name too) becomes '?'.
TUI_LOCALE=C tui_run hostile <<'KEYS'
:dump ascii
KEYS
expect_screen ascii
! LC_ALL=C grep -q '[^ -~]' "$tmp/out/ascii" || fail "LANG=C: a non-ASCII character is on the screen"
finish
