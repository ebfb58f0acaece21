#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Scanner details that the named fixtures do not show, on a description
# written here: the kernel's port type correction (a "downstream port" right
# below a root port acts as an upstream port; an "upstream port" below an
# upstream port acts as a downstream port), a deeper VMD domain, VF order
# from the virtfnN links, and the multifunction rules.
set -u
: "${top_srcdir:?}" "${VFIOSCOPE:?}" "${PYTHON3:?}"

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/details.fx" <<'FX'
iommu dmar0
# A switch whose ports all claim the wrong type.
pci 0000:00:01.0 vendor=8086 device=6f02 class=060400 pcie=rp acs=1f:1d driver=pcieport group=1
pci 0000:01:00.0 parent=0000:00:01.0 vendor=10b5 device=8747 class=060400 pcie=dsp driver=pcieport group=2
pci 0000:02:08.0 parent=0000:01:00.0 vendor=10b5 device=8747 class=060400 pcie=usp driver=pcieport group=3
pci 0000:03:00.0 parent=0000:02:08.0 vendor=8086 device=10d3 class=020000 driver=e1000e group=4
# Function 1 of a device whose function 0 has no multifunction bit.
pci 0000:00:02.0 vendor=8086 device=1521 class=020000 group=5
pci 0000:00:02.1 vendor=8086 device=1521 class=020000 group=5
# A VMD domain two levels deep.
pci 0000:00:0e.0 vendor=8086 device=201d class=010400 pcie=rciep driver=vmd group=6
pci 10000:00:02.0 parent=0000:00:0e.0 vendor=8086 device=2032 class=060400 pcie=rp driver=pcieport group=6
pci 10000:01:00.0 parent=10000:00:02.0 vendor=8086 device=2030 class=060400 pcie=usp driver=pcieport group=6
pci 10000:02:00.0 parent=10000:01:00.0 vendor=8086 device=2030 class=060400 pcie=dsp driver=pcieport group=6
pci 10000:03:00.0 parent=10000:02:00.0 vendor=144d device=a808 class=010802 driver=nvme group=6
# A PF with VFs listed out of address order by its virtfnN links.
pci 0000:00:03.0 vendor=8086 device=6f03 class=060400 pcie=rp acs=1f:1d driver=pcieport group=7
pci 0000:04:00.0 parent=0000:00:03.0 vendor=8086 device=1572 class=020000 mf=1 totalvfs=4 numvfs=2 driver=i40e group=8
pci 0000:04:02.1 physfn=0000:04:00.0 vendor=8086 device=154c class=020000 group=9
pci 0000:04:02.0 physfn=0000:04:00.0 vendor=8086 device=154c class=020000 group=10
link sys/devices/pci0000:00/0000:00:03.0/0000:04:00.0/virtfn0 ../0000:04:02.1
link sys/devices/pci0000:00/0000:00:03.0/0000:04:00.0/virtfn1 ../0000:04:02.0
FX

"$PYTHON3" "$top_srcdir/tests/fixtures/mkfixture.py" "$tmp/details.fx" "$tmp/root" || exit 99
"$VFIOSCOPE" --sysroot "$tmp/root" tree --json >"$tmp/tree.json" || exit 1

"$PYTHON3" - "$tmp/tree.json" <<'PY'
import json, sys
devs = {d['address']: d for d in json.load(open(sys.argv[1]))['devices']}
fail = 0
def want(addr, key, value):
    global fail
    got = devs[addr][key]
    if got != value:
        print('FAIL %s %s: %r, want %r' % (addr, key, got, value))
        fail = 1
# Port type correction (probe.c:set_pcie_port_type).
want('0000:01:00.0', 'port_type_raw', 'downstream_port')
want('0000:01:00.0', 'port_type', 'upstream_port')
want('0000:02:08.0', 'port_type_raw', 'upstream_port')
want('0000:02:08.0', 'port_type', 'downstream_port')
want('0000:03:00.0', 'port_type', 'endpoint')
# No correction where the upstream bridge is a VMD root bus (none) or right.
want('10000:00:02.0', 'port_type', 'root_port')
want('10000:01:00.0', 'port_type', 'upstream_port')
want('10000:02:00.0', 'port_type', 'downstream_port')
# VMD: every device of the domain knows its controller; parents follow sysfs.
for a in ('10000:00:02.0', '10000:01:00.0', '10000:02:00.0', '10000:03:00.0'):
    want(a, 'vmd', '0000:00:0e.0')
    want(a, 'root_bus', 'pci10000:00')
want('10000:00:02.0', 'parent', '0000:00:0e.0')
want('10000:03:00.0', 'parent', '10000:02:00.0')
want('0000:00:0e.0', 'vmd', None)
# Multifunction: function > 0 always, function 0 by its header bit, VFs never.
want('0000:00:02.0', 'multifunction', False)
want('0000:00:02.1', 'multifunction', True)
want('0000:04:00.0', 'multifunction', True)
want('0000:04:02.0', 'multifunction', False)
# VFs in virtfnN order, under the PF's parent in sysfs.
want('0000:04:00.0', 'vfs', ['0000:04:02.1', '0000:04:02.0'])
want('0000:04:02.0', 'physfn', '0000:04:00.0')
want('0000:04:02.0', 'parent', '0000:00:03.0')
want('0000:04:00.0', 'sriov', {'totalvfs': 4, 'numvfs': 2})
sys.exit(fail)
PY
rc=$?

# The text tree nests the VMD domain under its controller and VFs under the PF.
LC_ALL=C NO_COLOR=1 "$VFIOSCOPE" --sysroot "$tmp/root" tree >"$tmp/tree.txt" || rc=1
for line in \
	'`-- 0000:00:0e.0 RC Integrated Endpoint [8086:201d]' \
	'    `-- [10000:00] VMD domain' \
	'        `-- 10000:00:02.0 Root Port [8086:2032]' \
	'|   `-- 0000:04:00.0 Endpoint [8086:1572]' \
	'|       |-- 0000:04:02.1 Endpoint [8086:154c]' \
	'|       `-- 0000:04:02.0 Endpoint [8086:154c]'; do
	if ! grep -qF -- "$line" "$tmp/tree.txt"; then
		echo "FAIL: tree lacks '$line'"
		rc=1
	fi
done
[ $rc -eq 0 ] || cat "$tmp/tree.txt"
exit $rc
