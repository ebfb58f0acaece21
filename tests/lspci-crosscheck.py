#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Cross-check `vfioscope tree --json` against lspci on the same fixtures:
the same functions, the same IDs (class, vendor:device, revision) and the
same tree shape (each function's chain of upstream bridges, from
`lspci -PP`). lspci reads the fixture through its linux-sysfs method,
selected explicitly: without -A it silently falls back to the real machine.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

TOP = os.environ['top_srcdir']
VFIOSCOPE = os.environ['VFIOSCOPE']
LSPCI = os.environ.get('LSPCI', 'lspci')
FIXTURES = ['ten64', 'q35', 'vmd', 'sriov', 'noiommu', 'nonroot']

LINE = re.compile(r'^(\S+) ([0-9a-f]{4}): ([0-9a-f]{4}):([0-9a-f]{4})'
                  r'(?: \(rev ([0-9a-f]{2})\))?')


def lspci_view(root):
    out = subprocess.run(
        [LSPCI, '-A', 'linux-sysfs', '-O', 'sysfs.path=%s/sys/bus/pci' % root,
         '-D', '-n', '-PP'], check=True, capture_output=True, text=True).stdout
    view = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            raise SystemExit('unparsed lspci line: %r' % line)
        path = m.group(1).split('/')
        domain = path[0].split(':')[0]
        chain = [path[0]] + ['%s:%s' % (domain, p) for p in path[1:]]
        view[chain[-1]] = {'class': m.group(2), 'ids': '%s:%s' % (m.group(3), m.group(4)),
                           'rev': m.group(5) or '00', 'chain': chain[:-1]}
    return view


def vfioscope_view(root):
    out = subprocess.run([VFIOSCOPE, '--sysroot', root, 'tree', '--json'], check=True,
                         capture_output=True, text=True).stdout
    devices = {d['address']: d for d in json.loads(out)['devices']}
    view = {}
    for addr, d in devices.items():
        chain = []
        p = d['parent']
        # lspci shows a VMD domain as a tree of its own: stop at the controller.
        while p and p != d['vmd']:
            chain.insert(0, p)
            p = devices[p]['parent']
        view[addr] = {'class': d['class'], 'ids': '%s:%s' % (d['vendor'], d['device']),
                      'rev': d['revision'] or '00', 'chain': chain}
    return view


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for fx in FIXTURES:
            root = os.path.join(tmp, fx)
            subprocess.run([sys.executable, os.path.join(TOP, 'tests/fixtures/mkfixture.py'),
                            os.path.join(TOP, 'tests/fixtures/%s.fx' % fx), root], check=True)
            want, got = lspci_view(root), vfioscope_view(root)
            if not want:
                print('FAIL %s: lspci saw no devices' % fx)
                failures += 1
            if set(want) != set(got):
                print('FAIL %s: lspci has %s, vfioscope has %s' % (
                    fx, sorted(set(want) - set(got)), sorted(set(got) - set(want))))
                failures += 1
            for addr in sorted(set(want) & set(got)):
                for key in ('class', 'ids', 'rev', 'chain'):
                    if want[addr][key] != got[addr][key]:
                        print('FAIL %s %s: %s is %s in lspci, %s in vfioscope' % (
                            fx, addr, key, want[addr][key], got[addr][key]))
                        failures += 1
            print('%s: %d functions agree' % (fx, len(want)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
