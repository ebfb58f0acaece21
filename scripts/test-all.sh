#!/bin/sh
# Set up and run every test: install the Debian dependencies, build with
# AddressSanitizer and UndefinedBehaviorSanitizer, run the fixture suite
# (make check), the real-kernel suite in a QEMU guest (make check-vm), and
# make distcheck. The last line is a summary: "tests: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
if [ "$(id -u)" = 0 ]; then
	scripts/install-deps.sh || exit 1
else
	sudo scripts/install-deps.sh || exit 1
fi
autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; exit 1; }

status=0
step() {
	echo "=== $*"
	"$@" || { echo "=== FAILED: $*"; status=1; }
}

mkdir -p build-check
cd build-check
step ../configure --enable-werror --enable-sanitizers -q
step make -j2
step make -j2 check
step make -j2 distcheck
cd "$top"

# The real-kernel suite boots a guest under TCG: it runs a plain build, since
# sanitizers would only slow the emulated guest down.
mkdir -p build-vm
cd build-vm
step ../configure --enable-werror -q
step make -j2
step make check-vm
cd "$top"

# Count the results of every suite: automake's .trs files and the VM's TAP.
trs=$(find build-check -name '*.trs' ! -path '*/vfioscope-[0-9]*' 2>/dev/null)
pass=0 fail=0
if [ -n "$trs" ]; then
	pass=$(cat $trs | grep -c '^:test-result: PASS')
	fail=$(cat $trs | grep -Ec '^:test-result: (FAIL|ERROR|XPASS)')
fi
if [ -f build-vm/tests/vm/tap.log ]; then
	pass=$((pass + $(grep -c '^ok ' build-vm/tests/vm/tap.log)))
	fail=$((fail + $(grep -c '^not ok ' build-vm/tests/vm/tap.log)))
else
	fail=$((fail + 1))
	echo "=== the VM suite left no TAP"
fi
# The end of each failed test's log (make distcheck's included), so that a
# red run says why without the build tree at hand.
for t in $(find build-check -name '*.trs' 2>/dev/null); do
	grep -Eq '^:test-result: (FAIL|ERROR|XPASS)' "$t" || continue
	echo "=== log of ${t%.trs} (last 40 lines)"
	tail -n 40 "${t%.trs}.log"
done
[ -f build-vm/tests/vm/tap.log ] && grep -B2 -A10 '^not ok ' build-vm/tests/vm/tap.log
[ "$fail" -eq 0 ] || status=1
echo "tests: $pass passed, $fail failed"
exit $status
