#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make bench: vfioscope against lspci on a 4,033-function SR-IOV host.

Builds the tree of gen-sriov.py in a temporary directory, times
`vfioscope --sysroot ROOT groups --json` and
`lspci -A linux-sysfs -O sysfs.path=ROOT/sys/bus/pci -tv` side by side in
one hyperfine run, measures vfioscope's peak RSS (GNU time's %M), and prints the ratio, the RSS and PASS/FAIL against the
targets (at least 5x faster than lspci -tv, peak RSS under 16 MB).

A benchmark, not a test: it exits 0 whether the targets are met or not,
and 2 when it cannot run (no hyperfine, no lspci, the tree failed to build).
Environment: VFIOSCOPE (binary; default ./vfioscope), LSPCI, BENCH_RUNS
(hyperfine runs per command, default 10), BENCH_KEEP=1 keeps the tree.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    'gen_sriov', os.path.join(HERE, 'gen-sriov.py'))
gen_sriov = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_sriov)

TARGET_RATIO = 5.0
TARGET_RSS_KB = 16 * 1024


def peak_rss_kb(argv):
    """Run argv with output discarded; (exit status, peak RSS in KiB).

    Measured by GNU time (Debian package `time`), a small process that forks
    the command: a child forked from this Python process would carry Python's
    own peak into its ru_maxrss (Linux keeps the pre-exec high-water mark)."""
    with tempfile.NamedTemporaryFile('r') as out, open(os.devnull, 'wb') as null:
        p = subprocess.run(['/usr/bin/time', '-f', '%M', '-o', out.name] + argv,
                           stdout=null, stderr=subprocess.PIPE)
        text = out.read().strip().splitlines()
    try:
        rss = int(text[-1])
    except (IndexError, ValueError):
        rss = -1
    return p.returncode, rss, p.stderr.decode(errors='replace')


def main():
    vfioscope = os.environ.get('VFIOSCOPE') or os.path.abspath('vfioscope')
    lspci = os.environ.get('LSPCI') or shutil.which('lspci') or 'lspci'
    runs = os.environ.get('BENCH_RUNS', '10')
    hyperfine = shutil.which('hyperfine')
    if not hyperfine:
        print('bench: hyperfine not found (Debian package hyperfine; '
              'scripts/install-deps.sh installs it)', file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix='vs-bench.')
    try:
        root = os.path.join(tmp, 'root')
        t0 = time.monotonic()
        if gen_sriov.main([root]):
            return 2
        funcs = len(os.listdir(os.path.join(root, 'sys/bus/pci/devices')))
        ngroups = len(os.listdir(os.path.join(root,
                                              'sys/kernel/iommu_groups')))
        print(f'tree: {funcs} PCI functions, {ngroups} IOMMU groups, '
              f'built in {time.monotonic() - t0:.1f} s ({root})')

        vs_cmd = [vfioscope, '--sysroot', root, 'groups', '--json']
        ls_cmd = [lspci, '-A', 'linux-sysfs', '-O',
                  f'sysfs.path={root}/sys/bus/pci', '-tv']
        r = subprocess.run(ls_cmd, capture_output=True)
        if r.returncode:
            print(f'bench: lspci failed: {r.stderr.decode()}',
                  file=sys.stderr)
            return 2
        vs_ok = os.access(vfioscope, os.X_OK)
        why = f'{vfioscope} not built'
        if vs_ok:
            r = subprocess.run(vs_cmd, capture_output=True)
            vs_ok = r.returncode == 0
            why = (f'`{shlex.join(vs_cmd)}` exited {r.returncode}: '
                   f'{r.stderr.decode(errors="replace").strip()}')
            if vs_ok:
                try:
                    got = len(json.loads(r.stdout)['groups'])
                    print(f'vfioscope groups --json lists {got} groups')
                    if got != ngroups:
                        print(f'WARNING: the tree has {ngroups} groups')
                except (ValueError, KeyError, TypeError) as e:
                    print(f'WARNING: vfioscope output is not the groups '
                          f'JSON ({e})')
        if not vs_ok:
            print(f'vfioscope unavailable: {why}')

        export = os.path.join(tmp, 'hyperfine.json')
        cmds = [shlex.join(ls_cmd)]
        names = ['lspci -tv']
        if vs_ok:
            cmds.insert(0, shlex.join(vs_cmd))
            names.insert(0, 'vfioscope groups --json')
        argv = [hyperfine, '-N', '--warmup', '2', '--runs', runs,
                '--style', 'basic', '--export-json', export]
        for n, c in zip(names, cmds):
            argv += ['-n', n, c]
        sys.stdout.flush()
        if subprocess.run(argv).returncode:
            return 2
        with open(export) as f:
            res = {r['command']: r for r in json.load(f)['results']}

        ls_mean = res['lspci -tv']['mean']
        print()
        print(f'lspci -tv:               {ls_mean * 1000:8.1f} ms')
        verdicts = []
        if vs_ok:
            vs_mean = res['vfioscope groups --json']['mean']
            ratio = ls_mean / vs_mean
            status, rss, _ = peak_rss_kb(vs_cmd)
            print(f'vfioscope groups --json: {vs_mean * 1000:8.1f} ms')
            print(f'speed ratio:             {ratio:8.1f}x '
                  f'(target >= {TARGET_RATIO:.0f}x)')
            print(f'vfioscope peak RSS:      {rss / 1024:8.1f} MB '
                  f'(target < {TARGET_RSS_KB // 1024} MB)')
            verdicts.append(('speed', ratio >= TARGET_RATIO))
            verdicts.append(('memory', status == 0 and rss < TARGET_RSS_KB))
        else:
            verdicts.append(('speed', False))
            verdicts.append(('memory', False))
        for what, ok in verdicts:
            print(f'{"PASS" if ok else "FAIL"}: {what}')
        return 0
    finally:
        if os.environ.get('BENCH_KEEP') == '1':
            print(f'tree kept in {tmp}')
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
