#!/bin/sh
# Benchmark of the interactive mode (not a test; run by hand or with
# `make bench-tui`): on the 4,033-function SR-IOV tree of
# tests/bench/gen-sriov.py, the time to the first full screen and the cost
# of one keystroke's redraw, beside the plain `groups --json` scan.
#
# A keystroke's cost is (time of a run with N keys - time of a run with
# none) / N, so it holds everything a key does: the lookup, the handler
# and the redraw of the visible rows (curses writes to /dev/null).
#
#   VFIOSCOPE=b/vfioscope sh tests/tui-bench.sh [RUNS]
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
VFIOSCOPE=${VFIOSCOPE:-vfioscope}
PYTHON3=${PYTHON3:-python3}
runs=${1:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vfioscope-tui-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

echo "building the 4,033-function tree (about 15 s)..."
"$PYTHON3" "$srcdir/tests/bench/gen-sriov.py" "$tmp/sriov" >/dev/null

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# median_ms CMD...: the median wall time of $runs runs, in ms.
median_ms() {
	i=0
	: > "$tmp/times"
	while [ $i -lt "$runs" ]; do
		t0=$(now_ms)
		"$@" >/dev/null 2>&1
		t1=$(now_ms)
		echo $((t1 - t0)) >> "$tmp/times"
		i=$((i + 1))
	done
	sort -n "$tmp/times" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# keys FILE N KEY...: a script of N times the keys.
keys() {
	f=$1
	n=$2
	shift 2
	: > "$f"
	i=0
	while [ $i -lt "$n" ]; do
		echo "$*" >> "$f"
		i=$((i + 1))
	done
}

tui() {
	env TERM=xterm LINES=50 COLUMNS=160 LC_ALL=C.UTF-8 \
		"$VFIOSCOPE" --sysroot "$tmp/sriov" tui --script "$1"
}

: > "$tmp/none"
keys "$tmp/down" 2000 j
keys "$tmp/page" 2000 PgDn
keys "$tmp/ends" 200 End Home
keys "$tmp/view" 50 Tab
keys "$tmp/search" 50 n
printf '/\n:type 0000:10:1f.0\nEnter\n' > "$tmp/search-first"
cat "$tmp/search" >> "$tmp/search-first"
keys "$tmp/explain" 100 e Esc j

scan=$(median_ms "$VFIOSCOPE" --sysroot "$tmp/sriov" groups --json)
first=$(median_ms tui "$tmp/none")
per_key() {
	t=$(median_ms tui "$tmp/$1")
	awk -v t="$t" -v f="$first" -v n="$2" 'BEGIN { printf "%.2f", (t - f) / n }'
}

printf '%-44s %10s\n' "4,033 functions, median of $runs runs" "ms"
printf '%-44s %10s\n' "groups --json (scan and print)" "$scan"
printf '%-44s %10s\n' "TUI: start, first full screen, quit" "$first"
printf '%-44s %10s\n' "TUI: one key, j (move, redraw)" "$(per_key down 2000)"
printf '%-44s %10s\n' "TUI: one key, PgDn" "$(per_key page 2000)"
printf '%-44s %10s\n' "TUI: one key, End or Home" "$(per_key ends 400)"
printf '%-44s %10s\n' "TUI: one key, Tab (rebuild the view's rows)" "$(per_key view 50)"
printf '%-44s %10s\n' "TUI: one key, n (search the whole tree)" "$(per_key search-first 53)"
printf '%-44s %10s\n' "TUI: one key, e/Esc (explain window)" "$(per_key explain 300)"
