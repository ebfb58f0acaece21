#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The fast scan of `groups --json` (links only, drivers from the driver
# directories) against the full scan, on every fixture: the same groups,
# members, drivers, viability and blocking members, also where a driver
# directory fails to list a device bound to it.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${PYTHON3:?}"

cmp="$top_builddir/tests/unit/groupscan-compare"
[ -x "$cmp" ] || { echo "missing $cmp (make check builds it)" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

roots=
for fx in "$top_srcdir"/tests/fixtures/*.fx; do
	name=$(basename "$fx" .fx)
	if ! "$PYTHON3" "$top_srcdir/tests/fixtures/mkfixture.py" "$fx" "$tmp/$name" >/dev/null; then
		echo "FAIL: fixture $name does not build"
		exit 1
	fi
	roots="$roots $tmp/$name"
done
[ -n "$roots" ] || { echo "FAIL: no fixtures found"; exit 1; }

# A driver directory that does not list a device whose own driver link
# names it (a half-done unbind): the device still counts as bound.
r="$tmp/skewed"
cp -a "$tmp/ten64" "$r"
tpu=$(readlink -f "$r/sys/bus/pci/devices/0001:04:00.0")
ln -s "$(realpath --relative-to="$tpu" "$r/sys/bus/pci/drivers/vfio-pci")" "$tpu/driver" || exit 99
roots="$roots $r"

# shellcheck disable=SC2086
"$cmp" $roots || exit 1
echo "groupscan: the fast scan agrees with the full scan on $(echo $roots | wc -w) roots"
