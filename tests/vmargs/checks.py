#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks of `vfioscope qemu-args` output that a golden diff cannot make:

- the libvirt XML is well-formed (xml.etree) and says what it should;
- the shell form, run with a fake QEMU, hands QEMU exactly the device
  names, hostile ones included, and runs nothing hidden in them;
- the --one-line form splits back into the JSON argv;
- on a terminal, a name full of escape sequences reaches it sanitized;
- a real QEMU (when installed) accepts the guest placement.

Environment (from make check): top_srcdir, VFIOSCOPE, PYTHON3.
"""

import json
import os
import pty
import re
import select
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SRC = os.environ.get('top_srcdir', '.')
VFIOSCOPE = os.environ.get('VFIOSCOPE', './vfioscope')
TMP = tempfile.mkdtemp(prefix='vs-vmargs-checks.')
FAILS = []
HOSTILE1 = "q'$(touch pwned)`touch pwned2`;x,y.gpio"
HOSTILE2 = "esc\x1b]52;c;SGk=\x07\nz<&>.gpio"
QEMU_NS = 'http://libvirt.org/schemas/domain/qemu/1.0'


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print('FAIL:', what)


_roots = {}


def root(fx):
    if fx not in _roots:
        out = os.path.join(TMP, 'fx', fx)
        subprocess.run([sys.executable,
                        os.path.join(SRC, 'tests/fixtures/mkfixture.py'),
                        os.path.join(SRC, 'tests/fixtures', fx + '.fx'), out],
                       check=True)
        _roots[fx] = out
    return _roots[fx]


def run(fx, *args):
    return subprocess.run([VFIOSCOPE, '--sysroot', root(fx), 'qemu-args',
                           *args], capture_output=True)


def hostdevs(xml_text):
    doc = ET.fromstring('<devices>' + xml_text + '</devices>')
    out = []
    for h in doc.findall('hostdev'):
        src = h.find('source/address').attrib
        guest = h.find('address')
        out.append((src, guest.attrib if guest is not None else None, h))
    return doc, out


def test_libvirt_pci():
    # Ten64: two functions of two slots: no guest address, libvirt places them.
    r = run('ten64', '--format', 'libvirt', '0001:03:00.0')
    check(r.returncode == 0, 'ten64 libvirt exit')
    doc, hd = hostdevs(r.stdout.decode())
    check([(s['domain'], s['bus'], s['slot'], s['function']) for s, _, _ in hd] ==
          [('0x0001', '0x03', '0x00', '0x0'), ('0x0001', '0x04', '0x00', '0x0')],
          'ten64 libvirt source addresses')
    for s, g, h in hd:
        check(h.attrib == {'mode': 'subsystem', 'type': 'pci', 'managed': 'yes'},
              'hostdev attributes')
        check(h.find('driver').attrib == {'name': 'vfio'}, 'driver vfio')
        check(g is None, 'single-function slot has no guest address')

    # q35 multifunction: one guest slot, multifunction='on' on function 0 only.
    r = run('q35', '--format', 'libvirt', '0000:09:00.0')
    doc, hd = hostdevs(r.stdout.decode())
    check(len(hd) == 2, 'q35 mf: two hostdevs')
    guests = [g for _, g, _ in hd]
    check(all(g and g['bus'] == guests[0]['bus'] and g['slot'] == '0x00'
              for g in guests), 'q35 mf: one guest bus and slot')
    check([g.get('function') for g in guests] == ['0x0', '0x1'],
          'q35 mf: guest functions')
    check([g.get('multifunction') for g in guests] == ['on', None],
          'q35 mf: multifunction on function 0 only')

    # Bridge group: the bridge is never a hostdev.
    r = run('q35', '--format', 'libvirt', '0000:08:01.0')
    doc, hd = hostdevs(r.stdout.decode())
    check([s['bus'] + ':' + s['slot'] for s, _, _ in hd] ==
          ['0x08:0x01', '0x08:0x02'], 'q35 bridge group: endpoints only')


def test_libvirt_platform():
    r = run('vmargs-imx8qm', '--format', 'libvirt', '5b230000.clock-controller',
            '5b040000.ethernet', '5d1d0000.mailbox')
    check(r.returncode == 0, 'imx8qm libvirt exit')
    doc, hd = hostdevs(r.stdout.decode())
    check(hd == [], 'no pci hostdev for platform devices')
    cl = doc.find('{%s}commandline' % QEMU_NS)
    check(cl is not None, 'qemu:commandline present with its namespace')
    if cl is not None:
        vals = [a.attrib['value'] for a in cl.findall('{%s}arg' % QEMU_NS)]
        check(vals == ['-device', 'vfio-platform,host=5b230000.clock-controller,'
                       'id=hostdev-5b230000.clock-controller',
                       '-device', 'vfio-platform,host=5b040000.ethernet,'
                       'id=hostdev-5b040000.ethernet',
                       '-device', 'vfio-platform,host=5d1d0000.mailbox,'
                       'id=hostdev-5d1d0000.mailbox'], 'imx8qm qemu:arg values')

    r = run('vmargs-misc', '--format', 'libvirt', HOSTILE1)
    check(r.returncode == 0, 'hostile libvirt exit')
    doc, _ = hostdevs(r.stdout.decode())
    vals = [a.attrib['value'] for a in doc.iter('{%s}arg' % QEMU_NS)]
    check(vals == ['-device', 'vfio-platform,host=' + HOSTILE1.replace(',', ',,') +
                   ',id=hostdev-q___touch_pwned__touch_pwned2__x_y.gpio'],
          'hostile name survives XML escaping exactly')

    r = run('vmargs-misc', '--format', 'libvirt', HOSTILE2)
    check(r.returncode == 1 and b'XML' in r.stderr and r.stdout == b'',
          'control characters refused in libvirt XML')
    check(b'\x1b' not in r.stderr, 'error message sanitized')


def argv_of_fake_qemu(script_text, name):
    d = tempfile.mkdtemp(dir=TMP)
    script = os.path.join(d, name + '.sh')
    with open(script, 'w', encoding='utf-8', errors='surrogateescape') as f:
        f.write(script_text)
    fake = os.path.join(d, 'fake-qemu')
    argfile = os.path.join(d, 'args')
    with open(fake, 'w') as f:
        f.write('#!/bin/sh\nfor a; do printf "%s\\0" "$a"; done > "$ARGFILE"\n')
    os.chmod(fake, 0o755)
    env = dict(os.environ, QEMU=fake, ARGFILE=argfile)
    r = subprocess.run(['sh', script, '-machine', 'virt'], cwd=d, env=env,
                       capture_output=True)
    check(r.returncode == 0, f'{name}: script runs ({r.stderr!r})')
    check(not any(f.startswith('pwned') for f in os.listdir(d)),
          f'{name}: nothing in a name was executed')
    try:
        with open(argfile, 'rb') as f:
            return [a.decode('utf-8', 'surrogateescape')
                    for a in f.read().split(b'\0')[:-1]]
    except OSError:
        return None


def test_shell_hostile():
    for name, dev in (('hostile1', HOSTILE1), ('hostile2', HOSTILE2)):
        r = run('vmargs-misc', '--format', 'shell', dev)
        check(r.returncode == 0, f'{name}: shell form exit')
        text = r.stdout.decode('utf-8', 'surrogateescape')
        check(subprocess.run(['sh', '-n'], input=r.stdout).returncode == 0,
              f'{name}: sh -n accepts the script')
        # Notes are comments: a newline in a name must not end one.
        for line in text.splitlines():
            check(not line.startswith('#') or '\x1b' not in line,
                  f'{name}: comment lines sanitized')
        got = argv_of_fake_qemu(text, name)
        ident = 'hostdev-' + ''.join(
            c if c.isascii() and (c.isalnum() or c in '-._') else '_' for c in dev)
        check(got == ['-machine', 'virt', '-device',
                      'vfio-platform,host=' + dev.replace(',', ',,') + ',id=' + ident],
              f'{name}: QEMU receives the exact name ({got!r})')


def test_shell_plan():
    """The plan inside the shell form is bind's own dry run for the devices
    passed, with --group (the groups must leave the host whole)."""
    for fx, args in (('ten64', ['0001:03:00.0']),
                     ('q35', ['--only', '0000:09:00.1']),
                     ('vmargs-imx8qm', ['5b040000.ethernet']),
                     ('vmargs-ls1088', ['dpni.1'])):
        r = run(fx, '--format', 'shell', *args)
        check(r.returncode == 0, f'{fx} {args}: shell exit')
        lines = r.stdout.decode().splitlines()
        try:
            start = lines.index('# vfioscope bind plan')
            end = max(i for i, l in enumerate(lines) if l.startswith('exec "'))
        except ValueError:
            check(False, f'{fx} {args}: plan and exec line present')
            continue
        devs = [d['name'] for d in json.loads(run(fx, '--json', *args).stdout)['devices']]
        b = subprocess.run([VFIOSCOPE, '--sysroot', root(fx), 'bind', '--dry-run',
                            '--group', *devs], capture_output=True)
        check(b.returncode == 0, f'{fx} {args}: bind --dry-run exit')
        want = b.stdout.decode().splitlines()[1:]
        check(lines[start:end - 1] == want,
              f'{fx} {args}: embedded plan is bind --dry-run --group {devs}')
        check(subprocess.run(['sh', '-n'], input=r.stdout).returncode == 0,
              f'{fx} {args}: sh -n accepts the script')


def test_oneline_matches_json():
    for fx, dev in (('q35', '0000:09:00.1'), ('ten64', '0001:03:00.0'),
                    ('vmargs-misc', HOSTILE1), ('vmargs-imx8qm', '5b040000.ethernet')):
        r1 = run(fx, '--one-line', dev)
        rj = run(fx, '--json', dev)
        check(r1.returncode == 0 and rj.returncode == 0, f'{fx} {dev}: exit')
        words = shlex.split(r1.stdout.decode())
        js = json.loads(rj.stdout)
        check(words == js['argv'], f'{fx} {dev}: --one-line splits into the argv')
        check(len(r1.stdout.decode().splitlines()) == 1, f'{fx}: one line')


def test_qemu_accepts_placement():
    """A real QEMU (q35, the lab's 7.2) takes the guest placement: the root
    ports and the function addresses. vfio-pci itself needs a bound host
    device, so e1000e stands in for it with the same bus, addr and
    multifunction properties."""
    qemu = shutil.which('qemu-system-x86_64')
    if not qemu:
        print('note: no qemu-system-x86_64, placement not checked')
        return
    r = run('q35', '--json', '0000:09:00.0', '0000:08:01.0')
    argv = json.loads(r.stdout)['argv']
    fake = [re.sub(r'^vfio-pci,host=[0-9a-f:.]+,', 'e1000e,', a) for a in argv]
    qmp = ('{"execute":"qmp_capabilities"}\n'
           '{"execute":"human-monitor-command",'
           '"arguments":{"command-line":"info qtree"}}\n'
           '{"execute":"quit"}\n')
    p = subprocess.run([qemu, '-machine', 'q35', '-accel', 'tcg', '-m', '128',
                        '-nodefaults', '-nographic', '-S', '-qmp', 'stdio', *fake],
                       input=qmp.encode(), capture_output=True, timeout=120)
    check(p.returncode == 0, f'qemu accepts the arguments ({p.stderr[-300:]!r})')
    tree = ''
    for line in p.stdout.decode().splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if isinstance(o.get('return'), str):
            tree = o['return']
    # dev -> (bus it sits on, addr, multifunction)
    place, buses, cur = {}, [], None      # buses: (indent, name) stack
    for line in tree.splitlines():
        t = line.strip()
        ind = len(line) - len(line.lstrip())
        m = re.match(r'(bus|dev): (\S+?),? ', t + ' ')
        if m:
            while buses and buses[-1][0] >= ind:
                buses.pop()
        m = re.match(r'bus: (\S+)', t)
        if m:
            buses.append((ind, m.group(1)))
        m = re.match(r'dev: \S+, id "([^"]+)"', t)
        if m:
            cur = m.group(1)
            place[cur] = [buses[-1][1] if buses else None, None, None]
        m = re.match(r'addr = (\S+)', t)
        if m and cur in place and place[cur][1] is None:
            place[cur][1] = m.group(1)
        m = re.match(r'multifunction = (\S+)', t)
        if m and cur in place and place[cur][2] is None:
            place[cur][2] = m.group(1)
    want = {
        'hostdev-0000-08-01-0': ['vfio-rp-0000-08-01', '00.0', 'false'],
        'hostdev-0000-09-00-0': ['vfio-rp-0000-09-00', '00.0', 'true'],
        'hostdev-0000-09-00-1': ['vfio-rp-0000-09-00', '00.1', 'false'],
    }
    for dev, w in want.items():
        check(place.get(dev) == w, f'qemu places {dev} at {w} (got {place.get(dev)})')
    check(all(place.get(p, [None])[0] == 'pcie.0' for p in
              ('vfio-rp-0000-08-01', 'vfio-rp-0000-09-00')), 'root ports on pcie.0')


def test_terminal():
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(VFIOSCOPE, [VFIOSCOPE, '--sysroot', root('vmargs-misc'),
                             'qemu-args', HOSTILE2])
    out = b''
    while True:
        try:
            r, _, _ = select.select([fd], [], [], 10)
            if not r:
                break
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, 'tty run exit')
    check(b'\x1b' not in out and b'\x07' not in out,
          'no escape sequence reaches the terminal')
    check(b'esc?]52;c;SGk=?' in out, 'sanitized name shown')
    check(b'redirect the output' in out, 'user told how to get the exact text')
    # The same run into a pipe keeps the exact bytes.
    r = run('vmargs-misc', HOSTILE2)
    check(HOSTILE2.encode() in r.stdout, 'pipe gets the exact name')


def main():
    if not os.access(VFIOSCOPE, os.X_OK):
        print('SKIP: no vfioscope binary')
        return 77
    try:
        test_libvirt_pci()
        test_libvirt_platform()
        test_shell_hostile()
        test_shell_plan()
        test_oneline_matches_json()
        test_qemu_accepts_placement()
        test_terminal()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    if FAILS:
        print(f'{len(FAILS)} check(s) failed')
        return 1
    print('ok: qemu-args checks')
    return 0


if __name__ == '__main__':
    sys.exit(main())
