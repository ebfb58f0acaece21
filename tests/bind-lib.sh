# Helpers for the rebinding tests (sourced by tests/bind-*.sh, not a test).
#
# Each case builds a fixture root, runs vfioscope under the fake kernel
# (tests/fakekernel/fakekernel.so preloaded, FAKEKERNEL_ROOT set) and then
# checks what a user would check: where each device ended, what the
# journal says, the exit status and the message.

set -eu
: "${top_srcdir:?}" "${top_builddir:?}" "${VFIOSCOPE:?}"
PYTHON3=${PYTHON3:-python3}
FK="$top_builddir/tests/fakekernel/fakekernel.so"
[ -f "$FK" ] || { echo "missing $FK (make check builds it)" >&2; exit 99; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vfioscope-bind.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
CASE=setup

fail() {
	echo "FAIL [$CASE]: $*" >&2
	if [ -f "$TMP/out" ]; then echo "--- stdout" >&2; cat "$TMP/out" >&2; fi
	if [ -f "$TMP/err" ]; then echo "--- stderr" >&2; cat "$TMP/err" >&2; fi
	exit 1
}

# mkfx FIXTURE.fx: build it once into $TMP/base-FIXTURE (cached)
mkfx() {
	base="$TMP/base-${1%.fx}"
	if [ ! -d "$base" ]; then
		"$PYTHON3" "$top_srcdir/tests/fixtures/mkfixture.py" \
			"$top_srcdir/tests/fixtures/$1" "$base" >/dev/null ||
			fail "mkfixture $1"
	fi
}

# fresh FIXTURE.fx CASE-NAME: a new copy of the fixture as $R, and a snapshot
# of every device's driver in $TMP/before
fresh() {
	CASE=$2
	mkfx "$1"
	R="$TMP/root"
	rm -rf "$R"
	cp -a "$TMP/base-${1%.fx}" "$R"
	snapshot >"$TMP/before"
	rm -f "$TMP/out" "$TMP/err"
}

# vs ARGS...: run vfioscope on $R under the fake kernel; $RC gets the status
vs() {
	set +e
	FAKEKERNEL_ROOT="$R" LD_PRELOAD="$FK" "$VFIOSCOPE" --sysroot "$R" "$@" \
		>"$TMP/out" 2>"$TMP/err"
	RC=$?
	set -e
}

# vs_faults FAULTS ARGS...: the same with FAKEKERNEL_FAULTS
vs_faults() {
	f=$1
	shift
	set +e
	FAKEKERNEL_FAULTS="$f" FAKEKERNEL_ROOT="$R" LD_PRELOAD="$FK" \
		"$VFIOSCOPE" --sysroot "$R" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	set -e
}

# driver BUS DEV: the bound driver's name, or "none"
driver() {
	l="$R/sys/bus/$1/devices/$2/driver"
	if [ -L "$l" ]; then basename "$(readlink "$l")"; else echo none; fi
}

# override BUS DEV: driver_override contents ("(null)" when none)
override() {
	cat "$R/sys/bus/$1/devices/$2/driver_override"
}

# snapshot: "BUS DEV DRIVER" for every device of every bus
snapshot() {
	for b in "$R"/sys/bus/*; do
		bus=$(basename "$b")
		[ -d "$b/devices" ] || continue
		for d in "$b"/devices/*; do
			[ -e "$d" ] || [ -L "$d" ] || continue
			dev=$(basename "$d")
			printf '%s %s %s\n' "$bus" "$dev" "$(driver "$bus" "$dev")"
		done
	done
}

expect_rc() {
	[ "$RC" = "$1" ] || fail "exit status $RC, expected $1"
}

expect_driver() {	# BUS DEV DRIVER
	got=$(driver "$1" "$2")
	[ "$got" = "$3" ] || fail "$2 is on $got, expected $3"
}

expect_override() {	# BUS DEV VALUE
	got=$(override "$1" "$2")
	[ "$got" = "$3" ] || fail "$2 has driver_override '$got', expected '$3'"
}

expect_err() {		# fixed string expected on stderr
	grep -qF -- "$1" "$TMP/err" || fail "stderr lacks: $1"
}

expect_out() {		# fixed string expected on stdout
	grep -qF -- "$1" "$TMP/out" || fail "stdout lacks: $1"
}

# no_driverless [EXCEPT...]: no device that had a driver before the case is
# now on none (a vanished device is not "driverless": it is gone; names in
# EXCEPT are checked by the case itself)
no_driverless() {
	while read -r bus dev drv; do
		[ "$drv" != none ] || continue
		skip=
		for x in "$@"; do [ "$x" = "$dev" ] && skip=1; done
		[ -z "$skip" ] || continue
		[ -e "$R/sys/bus/$bus/devices/$dev" ] || continue
		now=$(driver "$bus" "$dev")
		[ "$now" != none ] || fail "$dev had $drv and is now on no driver"
	done <"$TMP/before"
}

# journal: "BUS/NAME DRIVER OVERRIDE" per entry, sorted ("-" for null);
# nothing when there is no journal file
journal() {
	j="$R/run/vfioscope/journal.json"
	[ -f "$j" ] || return 0
	"$PYTHON3" - "$j" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["version"] == 1
rows = ["%s/%s %s %s" % (e["bus"], e["name"], e["driver"] or "-", e["driver_override"] or "-")
        for e in doc["devices"]]
for r in sorted(rows):
    print(r)
EOF
}

expect_journal() {	# the expected journal() output, lines joined by ";"
	got=$(journal | tr '\n' ';' | sed 's/;$//')
	[ "$got" = "$1" ] || fail "journal is '$got', expected '$1'"
}

# json_get EXPR: evaluate a Python expression on the JSON in $TMP/out (as d)
json_get() {
	"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$TMP/out" "$1"
}

# ten64_restored: the Ten64's group 2 as the fixture has it, nothing journaled
ten64_restored() {
	expect_driver pci 0001:03:00.0 ath10k_pci
	expect_driver pci 0001:04:00.0 none
	expect_override pci 0001:03:00.0 "(null)"
	expect_override pci 0001:04:00.0 "(null)"
	[ ! -e "$R/dev/vfio/2" ] || fail "dev/vfio/2 left behind"
	expect_journal ""
	no_driverless
}
