#!/bin/sh
# y and Y: with nothing selected they act on the cursor's group; the exact
# OSC 52 bytes of the text reach the terminal, and the text is the one the
# CLI's qemu-args prints (one line for QEMU, the XML for libvirt). Rows that
# cannot go to a VM say why.
. "$top_srcdir/tests/tui-lib.sh"

make_fixture ten64
tui_run ten64 <<'KEYS'
/
:type coral
Enter
y
:dump qemu
Esc Y
:dump libvirt
Esc
/
:type iommu
Enter
y
:dump no-group
Home
y
:dump section
KEYS
expect_screen qemu
expect_screen libvirt
expect_grep no-group 'No VM arguments: '
expect_grep section 'Move to a device or a group, or select devices with Space'

# The same text as the CLI: the Coral card stands for its group (both cards).
qemu=$(cd "$tmp" && "$VFIOSCOPE" --sysroot ten64 qemu-args 0001:04:00.0 2>/dev/null | tr '\n' ' ')
qemu=${qemu% }
xml=$(cd "$tmp" && "$VFIOSCOPE" --sysroot ten64 qemu-args --format libvirt 0001:04:00.0 2>/dev/null)
case $qemu in *host=0001:03:00.0*host=0001:04:00.0*) ;; *) fail "qemu-args: '$qemu'" ;; esac
LC_ALL=C grep -qF -- "$(osc52 "$qemu")" "$tmp/term.out" || fail "no OSC 52 with the QEMU line"
LC_ALL=C grep -qF -- "$(osc52 "$xml
")" "$tmp/term.out" || fail "no OSC 52 with the libvirt XML"
[ "$(LC_ALL=C grep -o "$(printf '\033')]52;" "$tmp/term.out" | wc -l)" -eq 2 ] ||
	fail "not exactly two clipboard writes"
finish
