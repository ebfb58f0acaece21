#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden tests of `vfioscope qemu-args`: each line of cases.txt runs the
# command on a fixture root and compares exit status, stdout and stderr with
# golden/NAME.stdout and golden/NAME.stderr (the fixture root's path written as
# @ROOT@). VS_REGEN=1 rewrites the golden files instead (review them!).
set -u
: "${top_srcdir:?}" "${VFIOSCOPE:?}"
PYTHON3=${PYTHON3:-python3}
here=$top_srcdir/tests/vmargs
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0

root_of() {
	r=$tmp/fx/$1
	if [ ! -d "$r" ]; then
		"$PYTHON3" "$top_srcdir/tests/fixtures/mkfixture.py" \
			"$top_srcdir/tests/fixtures/$1.fx" "$r" >"$tmp/mk.err" 2>&1 || {
			echo "FAIL: cannot build fixture $1:"; cat "$tmp/mk.err"; exit 99; }
	fi
	echo "$r"
}

while IFS= read -r line; do
	case $line in ''|'#'*) continue ;; esac
	eval "set -- $line"
	name=$1 fixture=$2 want=$3
	shift 3
	root=$(root_of "$fixture") || exit 99
	n=$((n + 1))
	"$VFIOSCOPE" --sysroot "$root" qemu-args "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	# The bind plan inside the shell form is the bind area's text: it is
	# compared with `vfioscope bind --dry-run --group` by checks.py, and
	# masked here.
	for s in out err; do
		sed "s|$root|@ROOT@|g" "$tmp/$s" | awk '
			/^# vfioscope bind plan$/ { skip = 1; print "@BIND PLAN@" }
			/^exec "/ { if (skip) print ""; skip = 0 }
			!skip { print }' >"$tmp/$s.r"
	done
	if [ "${VS_REGEN:-}" = 1 ]; then
		mkdir -p "$here/golden"
		cp "$tmp/out.r" "$here/golden/$name.stdout"
		cp "$tmp/err.r" "$here/golden/$name.stderr"
		[ "$rc" = "$want" ] || echo "REGEN $name: exit $rc, cases.txt says $want"
		continue
	fi
	if [ "$rc" != "$want" ]; then
		echo "FAIL $name: exit $rc, want $want"; cat "$tmp/err"; fail=1
	fi
	for s in out err; do
		if ! diff -u "$here/golden/$name.std$s" "$tmp/$s.r" >"$tmp/diff"; then
			echo "FAIL $name: std$s differs from golden/$name.std$s"
			cat "$tmp/diff"; fail=1
		fi
	done
done <"$here/cases.txt"

[ "$n" -gt 20 ] || { echo "FAIL: only $n cases ran"; fail=1; }
[ "$fail" = 0 ] && echo "ok: $n qemu-args cases"
exit $fail
