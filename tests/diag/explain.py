# SPDX-License-Identifier: GPL-2.0-or-later
"""explain: reason codes, culprits and missing ACS flags for the worked
examples of iommu-grouping.md §6.3 (E1-E6), the Ten64 board, the q35 lab,
a host with pcie_acs_override, kernel groupings the rules do not predict,
Intel SPT/UPT root ports, VMD, and a non-root view."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diaglib import (build, check, eq, expect_reason, finish, run, run_json)  # noqa: E402


def explain(root, dev):
    return run_json(root, 'explain', dev)


def members(ex):
    return ex.get('members', [])


def remedy_kinds(ex):
    return [m['kind'] for m in ex.get('remedies', [])]


# ---- E1: switch whose downstream ports lack ACS; peer-to-peer caveat ----
r = build('diag-e1.fx')
ex = explain(r, '0000:05:00.0')
eq(ex['group'], 3, 'E1 group of 05:00.0')
eq(members(ex), ['0000:04:00.0', '0000:05:00.0'], 'E1 members')
eq(ex['matches_kernel'], True, 'E1 matches_kernel')
eq(ex['splittable'], False, 'E1 splittable')
expect_reason(ex, '0000:05:00.0', 'no_acs_upstream', '0000:04:00.0', 'no_capability', False)
expect_reason(ex, '0000:04:00.0', 'no_acs_upstream', '0000:04:00.0', 'no_capability')
eq(ex['p2p_peers'], ['0000:06:00.0'], 'E1 peer-to-peer peers of NIC A')
check(any('peer-to-peer' in n for n in ex['notes']), 'E1: a peer-to-peer note')
kinds = remedy_kinds(ex)
eq(kinds[-1], 'acs_override', 'E1: the override is the last remedy')
check(all(m['safe'] == (m['kind'] != 'acs_override') for m in ex['remedies']),
      'E1: only the override is marked unsafe')
check('config_acs' not in kinds, 'E1: no config_acs remedy for a port without ACS capability')
ex = explain(r, '0000:03:00.0')
expect_reason(ex, '0000:03:00.0', 'isolated', None, None)
eq(ex['splittable'], True, 'E1 upstream port alone')
eq(ex['remedies'], [], 'E1 upstream port: no remedies when alone')
# selecting NIC A alone warns that NIC B can reach it
sel = run_json(r, 'explain', '--select', '0000:05:00.0')
check(any('0000:06:00.0' in w and 'peer-to-peer' in w for w in sel['warnings']),
      'E1 selection of NIC A warns about NIC B peer-to-peer')
eq(sel['safe'], True, 'E1 selection of NIC A is safe (no host-critical member)')
sel = run_json(r, 'explain', '0000:05:00.0', '0000:06:00.0')
check(not any('peer-to-peer' in w for w in sel['warnings']),
      'E1: no peer-to-peer warning when both NICs go to the VM')

# ---- E1 on a kernel with the 2025 switch-group rework: unexplained ----
r = build('diag-e1-rework.fx')
ex = explain(r, '0000:05:00.0')
eq(ex['matches_kernel'], False, 'E1 rework matches_kernel')
eq(ex['predicted_members'], ['0000:04:00.0', '0000:05:00.0'], 'E1 rework predicted members')
for m in ['0000:04:00.0', '0000:04:01.0', '0000:05:00.0', '0000:06:00.0']:
    rr = expect_reason(ex, m, 'unexplained', None, None)
    eq(rr.get('predicted_code'), 'no_acs_upstream', f'E1 rework {m} predicted_code')
    check('post-2025' in rr['text'] and '0000:03:00.0' in rr['text'],
          f'E1 rework {m}: names the switch-wide policy and the switch')
check('switch-wide group (post-2025 grouping policy)' in ex['notes'],
      'E1 rework: the switch-wide note')

# ---- E2: PCIe-to-PCI bridge; conventional 82801 bridge ----
r = build('diag-e2.fx')
ex = explain(r, '0000:08:02.0')
eq(members(ex), ['0000:07:00.0', '0000:08:01.0', '0000:08:02.0'], 'E2 members')
eq(ex['matches_kernel'], True, 'E2 matches_kernel')
expect_reason(ex, '0000:07:00.0', 'bridge_alias', '0000:07:00.0', None)
rr = expect_reason(ex, '0000:08:01.0', 'bridge_alias', '0000:07:00.0', None)
check('08:00.0' in rr['text'], 'E2: the alias requester ID 08:00.0 is named')
eq(remedy_kinds(ex), ['no_software_fix'], 'E2 remedies')
ex = explain(r, '0000:06:0d.1')
eq(members(ex), ['0000:00:1e.0', '0000:06:0d.0', '0000:06:0d.1'], 'E2 variant members')
rr = expect_reason(ex, '0000:06:0d.1', 'bridge_alias', '0000:00:1e.0', None)
check("bridge's own requester ID" in rr['text'], 'E2 variant: own requester ID of the 82801')
check('quirk_use_pcie_bridge_dma_alias' not in rr['text'],
      'E2 variant: the PCIe-bridge alias quirk does not apply on the root bus')

# ---- E3: GPU + audio without ACS; PEG root port without ACS ----
r = build('diag-e3.fx')
ex = explain(r, '0000:0a:00.0')
eq(members(ex), ['0000:0a:00.0', '0000:0a:00.1'], 'E3 members')
expect_reason(ex, '0000:0a:00.0', 'mfd_no_acs', '0000:0a:00.1', 'no_capability')
expect_reason(ex, '0000:0a:00.1', 'mfd_no_acs', '0000:0a:00.0', 'no_capability')
check('acs_override' in remedy_kinds(ex), 'E3: the override (multifunction) is offered, last')
ex = explain(r, '0000:01:00.1')
eq(members(ex), ['0000:00:01.0', '0000:01:00.0', '0000:01:00.1'], 'E3 variant members')
rr = expect_reason(ex, '0000:00:01.0', 'no_acs_upstream', '0000:00:01.0', 'no_capability')
check('no ACS capability and no kernel quirk' in rr['text'], 'E3 variant: "no quirk" said')
expect_reason(ex, '0000:01:00.1', 'no_acs_upstream', '0000:00:01.0', 'no_capability')

# ---- E4: Intel PCH root ports, quirk enabled / failed / no log ----
r = build('diag-e4-ok.fx')
ex = explain(r, '0000:02:00.0')
eq(ex['splittable'], True, 'E4 ok: NIC alone')
eq(ex['matches_kernel'], True, 'E4 ok matches_kernel')
rr = expect_reason(ex, '0000:02:00.0', 'quirk_isolated', '0000:00:1c.0', None, False)
check('pci_quirk_intel_pch_acs' in rr['text'], 'E4 ok: names pci_quirk_intel_pch_acs')
ex = explain(r, '0000:00:1c.2')
expect_reason(ex, '0000:00:1c.2', 'quirk_isolated', '0000:00:1c.2', None)

r = build('diag-e4-fail.fx')
ex = explain(r, '0000:03:00.0')
eq(members(ex), ['0000:00:1c.0', '0000:00:1c.2', '0000:02:00.0', '0000:03:00.0'],
   'E4 fail members')
eq(ex['matches_kernel'], True, 'E4 fail matches_kernel')
expect_reason(ex, '0000:00:1c.0', 'mfd_no_acs', '0000:00:1c.2', 'no_capability')
expect_reason(ex, '0000:00:1c.2', 'mfd_no_acs', '0000:00:1c.0', 'no_capability')
expect_reason(ex, '0000:02:00.0', 'no_acs_upstream', '0000:00:1c.0', 'no_capability')
rr = expect_reason(ex, '0000:03:00.0', 'no_acs_upstream', '0000:00:1c.2', 'no_capability')
check('Failed to enable Intel PCH ACS quirk' in rr['text'], 'E4 fail: quotes the failure line')
check(any(m['kind'] == 'kernel_quirk' and 'RCBA' in m['text'] for m in ex['remedies']),
      'E4 fail: a firmware remedy for the PCH quirk')

r = build('diag-e4-nolog.fx')
ex = explain(r, '0000:02:00.0')
eq(ex['matches_kernel'], None, 'E4 no log: matches_kernel unknown')
expect_reason(ex, '0000:02:00.0', 'quirk_isolated', '0000:00:1c.0', None, True)
check(any('kernel log' in u for u in ex['unknown']), 'E4 no log: the kernel log is listed as unknown')

# ---- E5: SR-IOV ----
r = build('diag-e5.fx')
ex = explain(r, '0000:3b:02.1')
eq(members(ex), ['0000:3b:02.1'], 'E5 VF alone')
rr = expect_reason(ex, '0000:3b:02.1', 'isolated', None, None)
check('VF' in rr['text'], 'E5: the VF is called a VF')
ex = explain(r, '0000:5e:02.0')
eq(members(ex), ['0000:00:03.0', '0000:5e:00.0', '0000:5e:02.0'], 'E5 variant members')
expect_reason(ex, '0000:5e:02.0', 'no_acs_upstream', '0000:00:03.0', 'no_capability')

# ---- E6: a root port without ACS above a switch with ACS ----
r = build('diag-e6.fx')
ex = explain(r, '0000:07:00.0')
eq(len(members(ex)), 6, 'E6 member count')
eq(ex['matches_kernel'], True, 'E6 matches_kernel')
for m in ['0000:05:00.0', '0000:06:00.0', '0000:06:01.0', '0000:07:00.0', '0000:08:00.0']:
    expect_reason(ex, m, 'no_acs_upstream', '0000:00:1d.0', 'no_capability')
rem = ex['remedies']
eq(rem[0]['kind'], 'other_slot', 'E6 first remedy')
check('0000:00:1c.0' in rem[0]['text'], 'E6: the isolated root port 00:1c.0 is offered as a slot')
ex = explain(r, '0000:09:00.0')
eq(ex['splittable'], True, 'E6: the other root port keeps its own group')
ex = explain(r, '0000:0e:00.0')
expect_reason(ex, '0000:0e:00.0', 'no_acs_upstream', '0000:00:1b.0', ['RR', 'CR'])
ca = [m for m in ex['remedies'] if m['kind'] == 'config_acs']
check(ca and ca[0]['param'] == 'pci=config_acs=xxx11xx@0000:00:1b.0' and ca[0]['safe'],
      'config_acs remedy turns RR and CR on at 0000:00:1b.0')
check('acs_override' not in remedy_kinds(ex),
      'no override remedy for a port with an ACS capability (the patch ignores it)')

# ---- DMA-alias quirks: the kernel's list and the kernel log ----
r = build('diag-alias.fx')
ex = explain(r, '0000:03:00.0')
eq(ex['matches_kernel'], True, 'Marvell alias matches_kernel')
rr = expect_reason(ex, '0000:03:00.0', 'dma_alias_quirk', '0000:03:00.1', None)
check('quirk_dma_func1_alias' in rr['text'] and '00.1' in rr['text'],
      'Marvell: names quirk_dma_func1_alias and the alias 00.1')
expect_reason(ex, '0000:03:00.1', 'dma_alias_quirk', '0000:03:00.0', None)
eq(remedy_kinds(ex), ['no_software_fix'], 'alias remedies')
ex = explain(r, '0000:04:00.2')
eq(ex['matches_kernel'], True, 'logged alias matches_kernel')
rr = expect_reason(ex, '0000:04:00.2', 'dma_alias_quirk', '0000:04:00.0', None)
check('Enabling fixed DMA alias' in rr['text'], 'logged alias: quotes the log line')
ex = explain(r, '0000:05:00.0')
eq(ex['splittable'], True, 'a ghost function 1 does not change the group')

# ---- Ten64 (seed 000): the two miniPCIe cards cannot be split ----
r = build('ten64.fx')
ex = explain(r, '0001:03:00.0')
eq(ex['group'], 2, 'Ten64 group')
eq(members(ex), ['0001:00:00.0', '0001:01:00.0', '0001:02:01.0', '0001:02:02.0',
                 '0001:03:00.0', '0001:04:00.0'], 'Ten64 members')
eq(ex['matches_kernel'], True, 'Ten64 matches_kernel')
for m in members(ex):
    expect_reason(ex, m, 'no_acs_upstream', '0001:00:00.0', 'no_capability')
sel = run_json(r, 'explain', '0001:03:00.0', expect=0)
ov = [m for m in ex['remedies'] if m['kind'] == 'acs_override']
check(ov and ov[0]['param'] == 'pcie_acs_override=id:1957:80c0' and not ov[0]['safe'],
      'Ten64: the override for 1957:80c0, marked unsafe')
check(any(m['kind'] == 'other_slot' and '0000:00:00.0' in m['text'] for m in ex['remedies']),
      'Ten64: the empty root port of domain 0 is offered as another slot')
sel = run_json(r, 'explain', '0001:03:00.0', '0001:04:00.0', expect=0)
eq(sel['safe'], True, 'Ten64: both cards to one VM is safe')
eq(sel['must_come_along'], [], 'Ten64: nothing else must come along (the TPU has no driver)')
acts = {m['device']: m['action'] for m in sel['members']}
eq(acts.get('0001:01:00.0'), 'stays', 'Ten64: the switch port stays on pcieport')
eq(acts.get('0001:03:00.0'), 'selected', 'Ten64: QCA6174 selected')
sel = run_json(r, 'explain', '--select', '0001:04:00.0', expect=0)
eq(sel['must_come_along'], ['0001:03:00.0'],
   'Ten64: passing the TPU alone needs the QCA6174 (ath10k_pci) to come along or be unbound')
ex = explain(r, 'dprc.2')
eq(members(ex), ['dpbp.1', 'dpni.1', 'dprc.2'], 'Ten64 dprc.2 members')
expect_reason(ex, 'dpni.1', 'fslmc_container', 'dprc.2')
expect_reason(ex, 'dprc.2', 'fslmc_container', 'dprc.2')
eq(remedy_kinds(ex), ['fslmc_container'], 'Ten64 dprc.2 remedy')

# ---- ARM platform devices: the findings of arm-check in explain ----
def codes(findings):
    return {(f['code'], f['severity'], f['subject']) for f in findings}


def expect_findings(ex, label, wants):
    """Each (code, severity, subject) of WANTS is among EX's findings."""
    fc = codes(ex['findings'])
    for want in wants:
        check(want in fc, f'{label}: finding {want}')


r = build('arm-rcar.fx')
ex = explain(r, 'e6055400.gpio')
eq(ex['group'], None, 'R-Car GPIO has no group')
expect_findings(ex, 'R-Car explain', [('ARM_NO_VFIO_PLATFORM', 'blocker', 'kernel'),
                                      ('ARM_NOIOMMU', 'blocker', 'e6055400.gpio'),
                                      ('ARM_NOIOMMU_UNAVAILABLE', 'blocker', 'e6055400.gpio'),
                                      ('ARM_RESET_REQUIRED', 'blocker', 'e6055400.gpio')])
noiommu = [f for f in ex['findings'] if f['code'] == 'ARM_NOIOMMU'][0]
check('taints the kernel' in noiommu['text'] and 'no isolation' in noiommu['text'] and
      'QEMU 7.2' in noiommu['text'], 'R-Car: no-IOMMU mode taints, isolates nothing, QEMU 7.2 refused it')
check(all(set(f) == {'code', 'severity', 'subject', 'text', 'fix'} for f in ex['findings']),
      'R-Car: findings have the documented fields')
status, out = run(r, 'explain', 'e6055400.gpio', expect=0)
check('\nARM readiness (vfioscope arm-check):\n  blocker  ARM_NO_VFIO_PLATFORM kernel: The kernel '
      '6.1.0-28-arm64 is built\n' in out, 'R-Car text: the ARM readiness section')
check('Why each member is there' not in out, 'R-Car text: no empty member section without a group')

r = build('arm-imx8qm.fx')
ex = explain(r, '5b040000.ethernet')
eq(ex['group'], 1, 'i.MX 8QM fec1 group')
expect_findings(ex, 'i.MX 8QM explain', [('ARM_GROUP_SHARED', 'warning', '5b040000.ethernet'),
                                         ('ARM_RESET_REQUIRED', 'blocker', '5b040000.ethernet'),
                                         ('ARM_MSI_UNSAFE', 'warning', '5b040000.ethernet'),
                                         ('ARM_DEP_PASS_TOO', 'warning',
                                          '5b230000.clock-controller')])
check(not any(f['code'] == 'ARM_NOIOMMU' for f in ex['findings']), 'i.MX 8QM fec1: behind the SMMU')
# a selection checks the devices together: enet0_lpcg passed with fec1 is no finding
sel = run_json(r, 'explain', '5b040000.ethernet', '5b230000.clock-controller', expect=0)
check(not any(f['code'] == 'ARM_DEP_PASS_TOO' for f in sel['findings']),
      'i.MX 8QM selection: the clock controller passed too is no dependency finding')
expect_findings(sel, 'i.MX 8QM selection',
                [('ARM_RESET_REQUIRED', 'blocker', '5b230000.clock-controller')])
eq([d['findings'] for d in sel['devices']], [[], []], 'selection: findings only once, at the top')
# PCI devices carry an empty list
eq(explain(build('q35.fx'), '0000:00:00.0')['findings'], [], 'PCI: no ARM findings')

# ---- the q35 lab topology (qemu-lab.md): every group's reason codes ----
r = build('q35.fx')
want = {
    '0000:00:00.0': [('0000:00:00.0', 'isolated', None)],
    '0000:01:00.0': [('0000:01:00.0', 'isolated', None)],
    '0000:00:04.0': [('0000:00:04.0', 'isolated', None)],
    '0000:02:00.0': [('0000:02:00.0', 'isolated', None)],
    '0000:03:00.0': [('0000:03:00.0', 'isolated', None)],
    '0000:05:00.0': [('0000:04:00.0', 'no_acs_upstream', '0000:04:00.0'),
                     ('0000:05:00.0', 'no_acs_upstream', '0000:04:00.0')],
    '0000:06:00.0': [('0000:04:01.0', 'no_acs_upstream', '0000:04:01.0'),
                     ('0000:06:00.0', 'no_acs_upstream', '0000:04:01.0')],
    '0000:08:01.0': [('0000:07:00.0', 'bridge_alias', '0000:07:00.0'),
                     ('0000:08:01.0', 'bridge_alias', '0000:07:00.0'),
                     ('0000:08:02.0', 'bridge_alias', '0000:07:00.0')],
    '0000:09:00.0': [('0000:09:00.0', 'mfd_no_acs', '0000:09:00.1'),
                     ('0000:09:00.1', 'mfd_no_acs', '0000:09:00.0')],
    '0000:0a:00.0': [('0000:00:0a.0', 'mfd_no_acs', '0000:00:0a.1'),
                     ('0000:00:0a.1', 'mfd_no_acs', '0000:00:0a.0'),
                     ('0000:0a:00.0', 'no_acs_upstream', '0000:00:0a.0'),
                     ('0000:0b:00.0', 'no_acs_upstream', '0000:00:0a.1')],
    '0000:00:1f.2': [('0000:00:1f.0', 'mfd_no_acs', '0000:00:1f.2'),
                     ('0000:00:1f.2', 'mfd_no_acs', '0000:00:1f.0'),
                     ('0000:00:1f.3', 'mfd_no_acs', '0000:00:1f.0')],
}
for dev, rs in want.items():
    ex = explain(r, dev)
    eq(ex['matches_kernel'], True, f'q35 {dev} matches_kernel')
    eq(sorted(x['device'] for x in ex['reasons']), sorted(x[0] for x in rs), f'q35 {dev} members')
    for m, code, culprit in rs:
        expect_reason(ex, m, code, culprit)
ex = explain(r, '0000:00:1f.3')
eq(sorted(h['device'] for h in ex['host_critical']), ['0000:00:1f.0', '0000:00:1f.3'],
   'q35: LPC and SMBus are host-critical by class code')

# ---- pcie_acs_override: loud override_isolated ----
r = build('diag-override.fx')
ex = explain(r, '0000:07:00.0')
eq(ex['splittable'], True, 'override: NVMe alone')
rr = expect_reason(ex, '0000:07:00.0', 'override_isolated', '0000:06:00.0', None)
check('NOT guaranteed' in rr['text'], 'override: the reason says isolation is not guaranteed')
check(any('pcie_acs_override=downstream,multifunction' in n for n in ex['notes']),
      'override: a note quotes the command line option')
ex = explain(r, '0000:09:00.1')
expect_reason(ex, '0000:09:00.1', 'override_isolated', '0000:09:00.1', None)
ex = explain(r, '0000:05:00.0')
expect_reason(ex, '0000:05:00.0', 'override_isolated', '0000:00:1d.0', None)

# ---- kernel groups the rules do not predict ----
r = build('diag-unexplained.fx')
ex = explain(r, '0000:01:00.0')
eq(ex['matches_kernel'], False, 'unexplained (larger) matches_kernel')
eq(ex['predicted_members'], ['0000:01:00.0'], 'unexplained (larger) predicted members')
rr = expect_reason(ex, '0000:02:00.0', 'unexplained', None, None)
eq(rr.get('predicted_code'), 'isolated', 'unexplained (larger) predicted_code')
check('IVRS' in rr['text'], 'unexplained (larger): IVRS named on an AMD host')
ex = explain(r, '0000:0c:00.0')
eq(ex['matches_kernel'], False, 'unexplained (smaller) matches_kernel')
eq(ex['predicted_members'], ['0000:0c:00.0', '0000:0c:00.1'], 'unexplained (smaller) predicted')
rr = expect_reason(ex, '0000:0c:00.0', 'unexplained', None, None)
eq(rr.get('predicted_code'), 'mfd_no_acs', 'unexplained (smaller) predicted_code')
check('quirk newer than the 6.18 table' in rr['text'], 'unexplained (smaller): a newer quirk named')

# ---- Intel SPT/UPT: ACS Control read at +8 ----
r = build('diag-spt.fx')
ex = explain(r, '0000:02:00.0')
eq(ex['splittable'], True, 'SPT: NIC alone (Control at +8 has SV RR CR UF)')
expect_reason(ex, '0000:02:00.0', 'quirk_isolated', '0000:00:1c.0', None)
ex = explain(r, '0000:03:00.0')
eq(ex['matches_kernel'], True, 'SPT: 1c.4 group matches')
expect_reason(ex, '0000:03:00.0', 'no_acs_upstream', '0000:00:1c.4', ['RR', 'CR'])
check(any('+8' in n and 'lspci' in n for n in ex['notes']), 'SPT: a note about lspci and +8')
check('config_acs' not in remedy_kinds(ex), 'SPT: no config_acs remedy (wrong register)')

# ---- VMD ----
r = build('vmd.fx')
ex = explain(r, '10000:01:00.0')
eq(ex['matches_kernel'], True, 'VMD matches_kernel')
expect_reason(ex, '10000:01:00.0', 'real_dma_dev', '0000:00:0e.0', None)
expect_reason(ex, '0000:00:0e.0', 'real_dma_dev', '0000:00:0e.0', None)
eq(remedy_kinds(ex), ['disable_vmd'], 'VMD remedies')

# ---- non-root: what is unknown, what is still derived ----
r = build('nonroot.fx')
ex = explain(r, '0000:05:00.0')
eq(ex['matches_kernel'], None, 'non-root: matches_kernel unknown')
rr = expect_reason(ex, '0000:05:00.0', 'no_acs_upstream', '0000:04:00.0', None, True)
check(any('needs root' in u for u in ex['unknown']), 'non-root: says root is needed')
check(any('still derived' in u for u in ex['unknown']), 'non-root: says what is still derived')
ex = explain(r, '0000:08:01.0')
expect_reason(ex, '0000:08:01.0', 'bridge_alias', '0000:07:00.0', None, True)
ex = explain(r, '0000:01:00.0')
eq(ex['splittable'], True, 'non-root: a device alone in its group is still splittable')

# ---- usage errors ----
r = build('q35.fx')
run(r, 'explain', expect=2)
run(r, 'explain', '--bogus', '0000:01:00.0', expect=2)
run(r, 'explain', '0000:77:00.0', expect=1)

finish()
