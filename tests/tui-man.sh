#!/bin/sh
# The KEYS section of docs/vfioscope.1 is the request table (tui/keys.def)
# as tui/keys-man prints it: a binding changed in one place and not the
# other fails here. `make update-man-keys` regenerates the section.
set -eu
: "${top_srcdir:?run through make check}"
: "${top_builddir:?run through make check}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vfioscope-tui-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$top_builddir/tui/keys-man" > "$tmp/generated"
awk '/^\.SH / { on = ($0 == ".SH KEYS") ; next } on' "$top_srcdir/docs/vfioscope.1" > "$tmp/page"
if ! diff -u "$tmp/page" "$tmp/generated"; then
	echo "FAIL: docs/vfioscope.1 KEYS differs from tui/keys.def: run make update-man-keys" >&2
	exit 1
fi
# Every request of the table is in the page once per keymap it is bound in.
n_req=$(grep -c '^VS_REQ(' "$top_srcdir/tui/keys.def")
n_tp=$(grep -c '^\.TP$' "$tmp/page")
[ "$n_req" -eq "$n_tp" ] || { echo "FAIL: $n_req requests, $n_tp entries in the page" >&2; exit 1; }
# The page renders without groff warnings.
if command -v groff >/dev/null 2>&1; then
	warnings=$(groff -man -Tutf8 -ww -z "$top_srcdir/docs/vfioscope.1" 2>&1 || true)
	[ -z "$warnings" ] || { echo "FAIL: groff: $warnings" >&2; exit 1; }
fi
exit 0
