# Sourced by the arm area's tests: temp dir, fixture roots, assertions.
set -eu
: "${top_srcdir:?}" "${VFIOSCOPE:?}"
PYTHON3=${PYTHON3:-python3}
DTC=${DTC:-dtc}
FX=$top_srcdir/tests/fixtures
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vfioscope-arm.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
finish() { [ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }; }

# mkroot FX DIR: build a fixture root.
mkroot() { "$PYTHON3" "$FX/mkfixture.py" --dtc "$DTC" "$1" "$2" >/dev/null; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected [$2], got [$3]"; fi
}

# expect_grep WHAT PATTERN FILE (fixed string)
expect_grep() {
	if grep -qF -- "$2" "$3"; then ok "$1"; else fail "$1: [$2] not in $3:"; sed 's/^/  | /' "$3" >&2; fi
}
expect_nogrep() {
	if grep -qF -- "$2" "$3"; then fail "$1: [$2] unexpectedly in $3"; else ok "$1"; fi
}

# codes JSONFILE: "SEVERITY CODE SUBJECT" lines of an arm-check --json output, sorted.
codes() {
	"$PYTHON3" -c 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    print(f["severity"], f["code"], f["subject"])' "$1" | sort
}

# fdtval DTB NODE PROP: hex cells of a property, space separated.
fdtval() { fdtget -t x "$1" "$2" "$3"; }
