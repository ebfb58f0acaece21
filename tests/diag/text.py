# SPDX-License-Identifier: GPL-2.0-or-later
"""Text output: the Ten64 explanation against its reviewed golden file, and
every explain/doctor text output of the diag fixtures within 80 columns and
free of raw control characters."""
import difflib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diaglib import SRC, build, check, fail, finish, run  # noqa: E402

golden = os.path.join(SRC, 'tests', 'diag', 'ten64-explain.golden')
_, out = run(build('ten64.fx'), 'explain', '0001:04:00.0', expect=0)
with open(golden) as f:
    want = f.read()
if out != want:
    fail('Ten64 explain text differs from tests/diag/ten64-explain.golden:\n' +
         ''.join(difflib.unified_diff(want.splitlines(True), out.splitlines(True),
                                      'golden', 'output')))

cases = {
    'diag-e1.fx': ['0000:05:00.0'], 'diag-e1-rework.fx': ['0000:06:00.0'],
    'diag-e2.fx': ['0000:08:01.0', '0000:06:0d.0'], 'diag-e3.fx': ['0000:0a:00.1'],
    'diag-e4-ok.fx': ['0000:02:00.0'], 'diag-e4-fail.fx': ['0000:03:00.0'],
    'diag-e4-nolog.fx': ['0000:02:00.0'], 'diag-e5.fx': ['0000:5e:02.0'],
    'diag-e6.fx': ['0000:08:00.0'], 'diag-override.fx': ['0000:07:00.0'],
    'diag-unexplained.fx': ['0000:01:00.0'], 'diag-spt.fx': ['0000:03:00.1'],
    'diag-hostcrit.fx': ['0000:00:17.0'], 'nonroot.fx': ['0000:08:01.0'],
    'q35.fx': ['0000:00:1f.3'], 'vmd.fx': ['10000:01:00.0'],
}
for fx, devs in cases.items():
    r = build(fx)
    outs = [run(r, 'explain', d, expect=0)[1] for d in devs] + [run(r, 'doctor')[1]]
    for text in outs:
        for line in text.splitlines():
            # a single word longer than 80 columns cannot be wrapped
            if len(line) > 80 and ' ' in line.strip():
                fail(f'{fx}: line longer than 80 columns: {line!r}')
            if any(ord(c) < 32 and c != '\t' for c in line) or '\x7f' in line:
                fail(f'{fx}: raw control character in {line!r}')
check(True, 'text checks ran')
finish()
