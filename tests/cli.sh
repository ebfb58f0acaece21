#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line: global options anywhere, help generated from the
# command tables, exit statuses 0 (done), 1 (failed, one message), 2 (usage).
set -u
: "${top_srcdir:?}" "${VFIOSCOPE:?}" "${PYTHON3:?}"

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
LC_ALL=C.UTF-8
NO_COLOR=1
export LC_ALL NO_COLOR
fail=0

# run WANT_STATUS ARGS...: run vfioscope, keep stdout/stderr in $tmp
run() {
	want=$1
	shift
	"$VFIOSCOPE" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: vfioscope $*: exit $got, want $want"
		sed 's/^/  stderr: /' "$tmp/err"
		fail=1
	fi
}

# has FILE TEXT: the file contains the fixed string
has() {
	if ! grep -qF -- "$2" "$tmp/$1"; then
		echo "FAIL: $1 lacks '$2':"
		sed 's/^/  | /' "$tmp/$1"
		fail=1
	fi
}

lines() {
	n=$(wc -l <"$tmp/$1")
	if [ "$n" -ne "$2" ]; then
		echo "FAIL: $1 has $n lines, want $2"
		sed 's/^/  | /' "$tmp/$1"
		fail=1
	fi
}

"$PYTHON3" "$top_srcdir/tests/fixtures/mkfixture.py" "$top_srcdir/tests/fixtures/ten64.fx" \
	"$tmp/ten64" || exit 99

run 0 --help
has out "Usage: vfioscope"
has out "  tree "
has out "  groups "
has out "--sysroot DIR"
run 0 --version
has out "vfioscope "
lines out 1

# Global options before or after the command, also as --opt=value.
run 0 --sysroot "$tmp/ten64" tree
has out "0001:03:00.0 Endpoint [168c:003e]"
run 0 tree --sysroot "$tmp/ten64"
has out "0001:04:00.0 Endpoint [1ac1:089a]"
run 0 groups "--sysroot=$tmp/ten64" --json
has out '"iommu":true'
run 0 tree --help
has out "Usage: vfioscope tree"
run 0 --help groups
has out "Usage: vfioscope groups"

# Usage errors: exit 2, a message and a hint.
run 2 frobnicate
has err "unknown command 'frobnicate'"
has err "--help"
run 2 --frobnicate
has err "unknown option '--frobnicate'"
run 2 tree --sysroot
has err "--sysroot needs a directory"
run 2 --sysroot "$tmp/ten64" tree --bogus
has err "unexpected argument '--bogus'"
run 2 groups extra
# No command: the interactive view is the tui area's; this build says so.
run 2 --sysroot "$tmp/ten64"
has err "no command given"

# Failures: exit 1 with one clear line.
run 1 --sysroot "$tmp/nonexistent" tree
has err "cannot open system root"
lines err 1
mkdir "$tmp/empty"
run 1 --sysroot "$tmp/empty" groups
has err "not a Linux system root"
lines err 1

# Output that cannot be written is a failure, not a silent success.
if [ -w /dev/full ]; then
	"$VFIOSCOPE" --sysroot "$tmp/ten64" groups --json >/dev/full 2>"$tmp/err"
	rc=$?
	[ $rc -eq 1 ] || { echo "FAIL: writing to /dev/full exits $rc, want 1"; fail=1; }
fi

exit $fail
