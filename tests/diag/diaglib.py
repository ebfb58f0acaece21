# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the diag area's tests: build fixtures, run vfioscope, check.

Every check names what it expected and what came out, so a failure reads
as a sentence. Fixture roots live in one temporary directory that is removed
at exit.
"""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get('top_srcdir',
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
VFIOSCOPE = os.environ.get('VFIOSCOPE', os.path.join(os.getcwd(), 'vfioscope'))
FIXTURES = os.path.join(SRC, 'tests', 'fixtures')
sys.path.insert(0, FIXTURES)
import mkfixture  # noqa: E402

_tmp = tempfile.mkdtemp(prefix='vfioscope-diag-')
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)
_built = {}
failures = []


def build(fx):
    """Build tests/fixtures/FX once; return the root directory."""
    if fx not in _built:
        out = os.path.join(_tmp, fx)
        mkfixture.build(os.path.join(FIXTURES, fx), out)
        _built[fx] = out
    return _built[fx]


def run(root, *args, expect=None):
    """Run vfioscope --sysroot ROOT ARGS; return (exit status, stdout)."""
    p = subprocess.run([VFIOSCOPE, '--sysroot', root, *args], capture_output=True,
                       text=True, env=dict(os.environ, NO_COLOR='1', LANG='C.UTF-8'))
    if 'Sanitizer' in p.stderr or 'runtime error:' in p.stderr:
        fail(f'{" ".join(args)}: sanitizer report: {p.stderr[:2000]}')
    if expect is not None and p.returncode != expect:
        fail(f'{" ".join(args)}: exit status {p.returncode}, expected {expect}; '
             f'stderr: {p.stderr.strip()}')
    return p.returncode, p.stdout


def run_json(root, *args, expect=0):
    status, out = run(root, *args, '--json', expect=expect)
    try:
        return json.loads(out)
    except json.JSONDecodeError as e:
        fail(f'{" ".join(args)}: output is not JSON ({e}): {out[:200]!r}')
        return {}


def fail(msg):
    failures.append(msg)
    print('FAIL: ' + msg)


def check(cond, msg):
    if not cond:
        fail(msg)
    return cond


def eq(got, want, what):
    return check(got == want, f'{what}: got {got!r}, expected {want!r}')


def reason(ex, dev):
    for r in ex.get('reasons', []):
        if r['device'] == dev:
            return r
    fail(f'{ex.get("device")}: no reason for member {dev}')
    return {'code': None, 'culprit': None, 'missing_acs': None, 'text': '', 'inferred': None}


def expect_reason(ex, dev, code, culprit='-', missing='-', inferred=None):
    """Check one member's reason code, culprit and missing ACS flags."""
    r = reason(ex, dev)
    where = f'explain {ex.get("device")}: member {dev}'
    eq(r['code'], code, where + ' code')
    if culprit != '-':
        eq(r['culprit'], culprit, where + ' culprit')
    if missing != '-':
        eq(r['missing_acs'], missing, where + ' missing_acs')
    if inferred is not None:
        eq(r['inferred'], inferred, where + ' inferred')
    return r


def finish():
    if failures:
        print(f'{len(failures)} check(s) failed')
        sys.exit(1)
    print('all checks passed')
    sys.exit(0)
