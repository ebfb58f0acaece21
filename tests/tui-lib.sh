# Sourced by the interactive-mode screen tests (tests/tui-*.sh), after tig's
# test/tools/libtest.sh: keys come from a script, curses draws on newterm
# with a pinned terminal (TERM, LINES, COLUMNS, locale), and each `:dump NAME`
# of the script is compared with tests/tui/TEST-NAME.screen.
#
# Fixtures are built under a temporary directory and the program runs there
# with a relative --sysroot, so that paths on the screen do not depend on
# where the temporary directory is.
#
# Set TUI_UPDATE=1 to write the dumps over the golden files (then review
# every changed line with `git diff` before committing).

set -eu

: "${top_srcdir:?run through make check}"
: "${top_builddir:?run through make check}"
: "${VFIOSCOPE:?run through make check}"
PYTHON3=${PYTHON3:-python3}

test_name=$(basename "$0" .sh)
test_name=${test_name#tui-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vfioscope-tui.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
golden_dir=$top_srcdir/tests/tui
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# make_fixture NAME [DIR]: build tests/fixtures/NAME.fx into $tmp/DIR (default NAME).
make_fixture() {
	"$PYTHON3" "$top_srcdir/tests/fixtures/mkfixture.py" \
		"$top_srcdir/tests/fixtures/$1.fx" "$tmp/${2:-$1}" >/dev/null
}

# tui_run FIXTURE [tui options]: run the keys on stdin against $tmp/FIXTURE.
# Screens land in $tmp/out; the terminal output in $tmp/term.out.
# TUI_TERM, TUI_LINES, TUI_COLUMNS, TUI_LOCALE, TUI_ENV change the terminal.
tui_run() {
	fx=$1
	shift
	cat > "$tmp/keys"
	rm -rf "$tmp/out"
	mkdir "$tmp/out"
	(cd "$tmp" && env -u NO_COLOR -u LANGUAGE \
		TERM="${TUI_TERM:-xterm}" LINES="${TUI_LINES:-24}" COLUMNS="${TUI_COLUMNS:-80}" \
		LANG="${TUI_LOCALE:-C.UTF-8}" LC_ALL="${TUI_LOCALE:-C.UTF-8}" ${TUI_ENV:-} \
		"$VFIOSCOPE" --sysroot "$fx" tui --script keys --dump-dir out \
		--output term.out "$@")
}

# fake_kernel FIXTURE: writes of the next runs (TUI_ENV) go through the bind
# area's fake kernel, which gives sysfs writes their effect on the fixture.
fake_kernel() {
	fk=$(cd "$top_builddir" && pwd)/tests/fakekernel/fakekernel.so
	if [ ! -f "$fk" ]; then
		echo "SKIP: $fk is not built" >&2
		exit 77
	fi
	TUI_ENV="LD_PRELOAD=$fk FAKEKERNEL_ROOT=$tmp/$1"
}

# driver_of FIXTURE DEVICE: the driver a fixture's device is bound to ("-" for none).
driver_of() {
	l=$(readlink "$tmp/$1/sys/bus/pci/devices/$2/driver" 2>/dev/null) || { echo -; return; }
	basename "$l"
}

# osc52 TEXT: the exact bytes that put TEXT on the clipboard.
osc52() {
	printf '\033]52;c;%s\007' "$(printf '%s' "$1" | base64 -w0)"
}

# expect_screen DUMP: compare $tmp/out/DUMP with tests/tui/TEST-DUMP.screen.
expect_screen() {
	golden=$golden_dir/$test_name-$1.screen
	if [ ! -f "$tmp/out/$1" ]; then
		fail "no screen dump $1"
		return
	fi
	if [ -n "${TUI_UPDATE:-}" ]; then
		cp "$tmp/out/$1" "$golden"
		return
	fi
	if ! diff -u "$golden" "$tmp/out/$1"; then
		fail "screen $1 differs from $golden"
	fi
}

# expect_line DUMP LINE TEXT: line LINE (1-based) of a dump is exactly TEXT.
expect_line() {
	got=$(sed -n "$2p" "$tmp/out/$1")
	[ "$got" = "$3" ] || fail "$1 line $2: expected '$3', got '$got'"
}

# expect_grep DUMP PATTERN / expect_no_grep DUMP PATTERN (fixed strings).
expect_grep() {
	grep -qF -- "$2" "$tmp/out/$1" || fail "$1: '$2' not on the screen"
}
expect_no_grep() {
	! grep -qF -- "$2" "$tmp/out/$1" || fail "$1: '$2' is on the screen"
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures failure(s)" >&2
		exit 1
	fi
	exit 0
}
