# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-critical devices by evidence, and the selection check that uses them:
root fs on an NVMe in a shared group, an up NIC with a default route, LVM,
swap partition and swap file, a bridge port, IPv6-only, a down NIC, the boot
GPU with fbcon, class codes; plus the text output's sanitizing."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diaglib import build, check, eq, finish, run, run_json  # noqa: E402

r = build('diag-hostcrit.fx')


def evidence(dev):
    ex = run_json(r, 'explain', dev)
    return [h['evidence'] for h in ex['host_critical'] if h['device'] == dev]


# the NVMe with the root fs, in the shared group of the NIC with the default route
ex = run_json(r, 'explain', '0000:08:00.0')
eq(ex['group'], 5, 'group of enp8s0')
hc = {(h['device'], h['evidence']) for h in ex['host_critical']}
check(('0000:07:00.0', 'nvme0n1p2 mounted on /') in hc, 'root fs evidence on the NVMe')
check(('0000:08:00.0', 'enp8s0 is up with the default route via 192.168.1.1') in hc,
      'default route evidence on the NIC')
eq(ex['host_critical'][0]['evidence'], 'nvme0n1p2 mounted on /',
   'the root filesystem comes first')
eq(evidence('0000:07:00.0'), ['nvme0n1p2 mounted on /', 'nvme0n1p1 mounted on /boot/efi',
                              'swap file /swapfile on nvme0n1p2'],
   'NVMe evidence (the bind mount of nvme0n1p2 is not repeated)')
eq(evidence('0000:00:17.0'), ['sda2 (under dm-0) mounted on /home',
                              'sda1 mounted on /srv/\x1b[31mred', 'sda3 used as swap',
                              'sda2 holds dm-0 (md/LVM/dm stack)'],
   'SATA evidence: LVM, btrfs by source, swap partition, holders')
eq(evidence('0000:09:00.0'), ['enp9s0 is a port of br0, which is up with a route to 10.0.0.0/24'],
   'bridge port evidence')
eq(evidence('0000:0b:00.0'),
   ['enp11s0 is up with the global address 2001:0db8:0000:0000:0000:0000:0000:0011'],
   'IPv6-only evidence')
eq(evidence('0000:0a:00.0'), [], 'a down NIC is not critical, stale route or not')
eq(evidence('0000:0c:00.0'), [], 'a NIC with only a link-local address is not critical')
eq(evidence('0000:01:00.0'), ['boot VGA device with the framebuffer console on fb0'],
   'boot GPU evidence')
eq(evidence('0000:0d:00.0'), [], 'a GPU that is not the boot VGA device is not critical')
eq(evidence('0000:00:00.0'), ['host bridge (PCI class 0600): the root complex itself'],
   'host bridge by class code')
check(evidence('0000:00:1f.4')[0].startswith('SMBus controller (PCI class 0c05)'),
      'SMBus by class code')
eq(evidence('0000:01:00.1'), [], 'the GPU audio function has no evidence of its own')

# the selection check: passing the NIC takes the root fs NVMe with it
status, _ = run(r, 'explain', '0000:08:00.0', '0000:01:00.0', '--json', expect=1)
sel = run_json(r, 'explain', '--select', '0000:08:00.0', expect=1)
eq(sel['safe'], False, 'selection of enp8s0 is unsafe')
acts = {m['device']: m['action'] for m in sel['members']}
eq(acts, {'0000:00:1d.0': 'stays', '0000:05:00.0': 'stays', '0000:06:00.0': 'stays',
          '0000:06:01.0': 'stays', '0000:07:00.0': 'blocked', '0000:08:00.0': 'blocked'},
   'selection actions in group 5')
eq([h['device'] for h in sel['host_critical']], ['0000:07:00.0', '0000:08:00.0'],
   'selection host_critical devices')
eq(sel['groups'], [5], 'selection groups')

# a safe selection: the second GPU; one that needs company: the boot GPU's audio
sel = run_json(r, 'explain', '--select', '0000:0d:00.0', expect=0)
eq(sel['safe'], True, 'the second GPU can go')
sel = run_json(r, 'explain', '--select', '0000:01:00.1', expect=1)
eq(sel['safe'], False, 'the boot GPU audio drags the boot GPU along: unsafe')
eq(sel['must_come_along'], [], 'nothing else to unbind: the GPU itself is blocked')
eq({m['device']: m['action'] for m in sel['members']}['0000:01:00.0'], 'blocked',
   'the boot GPU is blocked')
sel = run_json(r, 'explain', '--select', '0000:09:00.0', expect=1)
eq(sel['safe'], False, 'the bridge port NIC cannot go')

# text output: the escape sequence in a mount point never reaches the terminal
status, out = run(r, 'explain', '0000:00:17.0', expect=0)
check('\x1b' not in out, 'explain text output holds no ESC byte')
check('sda1 mounted on /srv/?[31mred' in out, 'the hostile mount point is shown sanitized')
status, out = run(r, 'explain', '0000:08:00.0', '0000:07:00.0', expect=1)
check('UNSAFE' in out and 'nvme0n1p2 mounted on /' in out, 'selection text names the evidence')
check(all(len(line) <= 80 for line in out.splitlines()), 'selection text fits 80 columns')

finish()
