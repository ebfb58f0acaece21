# SPDX-License-Identifier: GPL-2.0-or-later
"""doctor: each check's status and fix on a ready host, a host that is not
ready, an arm64 board with GICv2m, the Ten64, and a no-IOMMU host; the exit
status is 0 without FAIL, 1 with."""
import gzip
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diaglib import build, check, eq, finish, run, run_json  # noqa: E402


def statuses(doc):
    return {c['id']: c['status'] for c in doc['checks']}


def check_of(doc, cid):
    for c in doc['checks']:
        if c['id'] == cid:
            return c
    return {'status': None, 'summary': '', 'fix': None}


# a ready Intel host: everything OK, exit 0
r = build('diag-doctor-ok.fx')
doc = run_json(r, 'doctor', expect=0)
eq(set(statuses(doc).values()), {'OK'}, 'ready host: every check OK')
eq((doc['ok'], doc['warn'], doc['fail']), (len(doc['checks']), 0, 0), 'ready host counts')
for cid in ['iommu', 'cmdline_iommu', 'acs_override', 'vfio_modules', 'dev_vfio',
            'interrupt_remapping', 'noiommu', 'kernel_config', 'disable_idle_d3']:
    check(cid in statuses(doc), f'ready host: check {cid} present')
check('IR-PCI-MSI' in check_of(doc, 'interrupt_remapping')['summary'],
      'interrupt remapping evidence from /proc/interrupts')
check('iommu=pt' in check_of(doc, 'cmdline_iommu')['summary'], 'iommu=pt reported')
eq(check_of(doc, 'disable_idle_d3')['fix'], None, 'disable_idle_d3 set: no hint')
status, out = run(r, 'doctor', expect=0)
check(out.rstrip().endswith('10 OK, 0 WARN, 0 FAIL'), 'text summary line')

# a host that is not ready; proc/config.gz (gzip) lacks CONFIG_IRQ_REMAP
r = build('diag-doctor-bad.fx')
with gzip.open(os.path.join(r, 'proc', 'config.gz'), 'wt') as f:
    f.write('CONFIG_INTEL_IOMMU=y\nCONFIG_VFIO=m\nCONFIG_VFIO_IOMMU_TYPE1=m\n'
            'CONFIG_VFIO_PCI=m\n# CONFIG_IRQ_REMAP is not set\n')
doc = run_json(r, 'doctor', expect=1)
eq(statuses(doc), {
    'iommu': 'FAIL', 'cmdline_iommu': 'FAIL', 'acs_override': 'WARN',
    'pci_acs_options': 'WARN', 'vfio_pci_ids': 'OK', 'disable_idle_d3': 'OK',
    'vfio_modules': 'WARN', 'dev_vfio': 'FAIL', 'interrupt_remapping': 'FAIL',
    'noiommu': 'WARN', 'kernel_config': 'WARN'}, 'unready host statuses')
check('intel_iommu=on' in check_of(doc, 'iommu')['fix'], 'iommu fix names intel_iommu=on')
check('vfio_iommu_type1, vfio_pci' in check_of(doc, 'vfio_modules')['summary'],
      'modules available but not loaded, from modules.dep')
check('intremap=off' in check_of(doc, 'interrupt_remapping')['summary'],
      'interrupt remapping: intremap=off is the evidence')
check('/proc/config.gz' in check_of(doc, 'kernel_config')['summary'] and
      'CONFIG_IRQ_REMAP' in check_of(doc, 'kernel_config')['summary'],
      'kernel config read from /proc/config.gz, IRQ_REMAP missing')
check('pci=noacs' in check_of(doc, 'pci_acs_options')['summary'], 'pci=noacs flagged')
check(all(c['fix'] for c in doc['checks'] if c['status'] != 'OK'),
      'every WARN/FAIL has a fix')
check(all('\n' not in (c['fix'] or '') for c in doc['checks']), 'fixes are one line')

# arm64 with GICv2m: allow_unsafe_interrupts needed (FAIL), then set (WARN)
r = build('diag-doctor-arm.fx')
doc = run_json(r, 'doctor', expect=1)
ir = check_of(doc, 'interrupt_remapping')
eq(ir['status'], 'FAIL', 'GICv2m without allow_unsafe_interrupts')
check('GICv2m' in ir['summary'] and 'allow_unsafe_interrupts=1' in ir['fix'],
      'GICv2m: the fix is allow_unsafe_interrupts')
eq(check_of(doc, 'kernel_config')['status'], 'WARN', 'arm: VFIO_PLATFORM missing is a warning')
check('CONFIG_VFIO_PLATFORM' in check_of(doc, 'kernel_config')['summary'], 'arm: VFIO_PLATFORM named')
eq(check_of(doc, 'vfio_modules')['status'], 'WARN', 'arm: vfio_platform not in the kernel')
msi = check_of(doc, 'arm_msi_unsafe')
eq(msi['status'], 'WARN', 'arm finding: GICv2m frame without allow_unsafe_interrupts')
check('/intc@8000000/v2m@8020000' in msi['summary'] and
      'allow_unsafe_interrupts=1' in (msi['fix'] or ''),
      'arm finding names the GICv2m frame and the allow_unsafe_interrupts fix')
with open(os.path.join(r, 'sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts'), 'w') as f:
    f.write('Y\n')
doc = run_json(r, 'doctor', expect=0)
eq(check_of(doc, 'interrupt_remapping')['status'], 'WARN', 'GICv2m with allow_unsafe_interrupts')
eq(check_of(doc, 'arm_msi_unsafe')['status'], 'OK', 'arm finding: allow_unsafe_interrupts is set')

# R-Car on Debian's stock kernel: no CONFIG_VFIO_PLATFORM is a FAIL naming
# vfio-platform, and no platform device has an IOMMU group
r = build('arm-rcar.fx')
doc = run_json(r, 'doctor', expect=1)
nvp = check_of(doc, 'arm_no_vfio_platform')
eq(nvp['status'], 'FAIL', 'R-Car: kernel without vfio-platform')
check('vfio-platform' in nvp['summary'] and 'CONFIG_VFIO_PLATFORM' in nvp['summary'] and
      'boot/config-6.1.0-28-arm64' in nvp['summary'],
      'R-Car: the finding names vfio-platform and the kernel config it was read from')
check('CONFIG_VFIO_PLATFORM=m' in (nvp['fix'] or ''), 'R-Car: the fix is a kernel with the option')
check('8 of 8' in check_of(doc, 'arm_noiommu')['summary'], 'R-Car: no platform device has a group')
status, out = run(r, 'doctor', expect=1)
check('FAIL  arm_no_vfio_platform: The kernel 6.1.0-28-arm64 is built without' in out,
      'R-Car text: the FAIL line')
# an x86 host has no ARM checks
check(not [c for c in run_json(build('diag-doctor-ok.fx'), 'doctor')['checks']
           if c['id'].startswith('arm_')], 'x86: no arm_ checks')

# the Ten64: groups from the SMMU, nothing failing, the D3 hint of seed 000
r = build('ten64.fx')
doc = run_json(r, 'doctor', expect=0)
eq(check_of(doc, 'iommu')['status'], 'OK', 'Ten64 IOMMU')
check('disable_idle_d3=1' in (check_of(doc, 'disable_idle_d3')['fix'] or ''),
      'Ten64: the vfio-pci.disable_idle_d3 hint')

# no IOMMU at all
r = build('noiommu.fx')
doc = run_json(r, 'doctor', expect=1)
eq(check_of(doc, 'iommu')['status'], 'FAIL', 'no IOMMU: FAIL')

run(build('q35.fx'), 'doctor', 'extra', expect=2)
finish()
