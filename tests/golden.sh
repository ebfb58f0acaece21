#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden outputs: `tree` and `groups`, as text and JSON, on every fixture.
# Each expected file in tests/golden/FIXTURE/ was reviewed line by line
# against the fixture description. Regenerate after a deliberate change with
#   VFIOSCOPE_UPDATE_GOLDEN=1 make check TESTS=tests/golden.sh
# and review the diff.
set -u
: "${top_srcdir:?}" "${VFIOSCOPE:?}" "${PYTHON3:?}"

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
# Pinned locale (UTF-8 tree lines) and no colour, whatever the caller has.
LC_ALL=C.UTF-8
NO_COLOR=1
export LC_ALL NO_COLOR

golden="$top_srcdir/tests/golden"
fail=0

# compare NAME EXPECTED ACTUAL
compare() {
	if [ -n "${VFIOSCOPE_UPDATE_GOLDEN:-}" ]; then
		if [ -s "$3" ] || [ -e "$2" ]; then
			cp "$3" "$2"
		fi
		return
	fi
	if [ ! -e "$2" ]; then
		if [ -s "$3" ]; then
			echo "FAIL $1: unexpected output:"
			cat "$3"
			fail=1
		fi
		return
	fi
	if ! diff -u "$2" "$3"; then
		echo "FAIL $1: output differs from $2"
		fail=1
	fi
}

for fx in ten64 q35 vmd sriov noiommu nonroot badinput; do
	if ! "$PYTHON3" "$top_srcdir/tests/fixtures/mkfixture.py" \
		"$top_srcdir/tests/fixtures/$fx.fx" "$tmp/$fx"; then
		echo "FAIL $fx: the fixture does not build"
		fail=1
		continue
	fi
	mkdir -p "$golden/$fx"
	for cmd in tree groups; do
		for form in txt json; do
			opt=
			[ "$form" = json ] && opt=--json
			"$VFIOSCOPE" --sysroot "$tmp/$fx" $cmd $opt >"$tmp/out" 2>"$tmp/err"
			rc=$?
			if [ $rc -ne 0 ]; then
				echo "FAIL $fx $cmd $opt: exit status $rc"
				cat "$tmp/err"
				fail=1
			fi
			compare "$fx $cmd $opt" "$golden/$fx/$cmd.$form" "$tmp/out"
			compare "$fx $cmd $opt (stderr)" "$golden/$fx/$cmd.$form.err" "$tmp/err"
		done
	done
done

# Without UTF-8 the tree is drawn in ASCII and non-ASCII names become "?".
LC_ALL=C "$VFIOSCOPE" --sysroot "$tmp/ten64" tree >"$tmp/out" 2>&1 || fail=1
compare "ten64 tree (ASCII)" "$golden/ten64/tree-ascii.txt" "$tmp/out"
LC_ALL=C "$VFIOSCOPE" --sysroot "$tmp/badinput" groups >"$tmp/out" 2>/dev/null || fail=1
compare "badinput groups (ASCII)" "$golden/badinput/groups-ascii.txt" "$tmp/out"

exit $fail
