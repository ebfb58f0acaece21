#!/bin/sh
# Seed 002, R-Car Salvator-X GPIO6 and SCIF1: no IOMMU, a stock Debian
# kernel without vfio-platform, the reset rule, and the guest tree QEMU's
# platform bus gives the two devices (seed 002: gpio at the bus's start with
# `interrupts = <0x0 0x70 0x4>`).
. "$top_srcdir/tests/arm-lib.sh"

R=$TMP/root
mkroot "$FX/arm-rcar.fx" "$R"
V() { "$VFIOSCOPE" --sysroot "$R" "$@"; }

# --- Stock Debian 6.1: nothing can work, and it is said before any write --
V arm-check --json e6055400.gpio e6e68000.serial > "$TMP/c.json" || true
codes "$TMP/c.json" > "$TMP/codes"
for want in "blocker ARM_NO_VFIO_PLATFORM kernel" \
	    "blocker ARM_NOIOMMU e6055400.gpio" "blocker ARM_NOIOMMU e6e68000.serial" \
	    "blocker ARM_NOIOMMU_UNAVAILABLE e6055400.gpio" \
	    "blocker ARM_RESET_REQUIRED e6055400.gpio" \
	    "warning ARM_DEP_HOST_SHARED e6150000.clock-controller" \
	    "warning ARM_DEP_HOST_SHARED e6060000.pinctrl" \
	    "warning ARM_DEP_HOST_SHARED e7300000.dma-controller"; do
	expect_grep "finding $want" "$want" "$TMP/codes"
done
expect_nogrep "no group: no MSI finding (no type1 in no-IOMMU mode)" "ARM_MSI" "$TMP/codes"
"$PYTHON3" -c 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["code"] in ("ARM_NO_VFIO_PLATFORM", "ARM_NOIOMMU"):
        print(f["text"])' "$TMP/c.json" > "$TMP/texts"
expect_grep "names the kernel and its config" "The kernel 6.1.0-28-arm64 is built without CONFIG_VFIO_PLATFORM (boot/config-6.1.0-28-arm64)" "$TMP/texts"
expect_grep "no-IOMMU: QEMU 7.2's refusal quoted" "failed to setup container for group N: ... No such device" "$TMP/texts"
expect_grep "no-IOMMU: taint and no isolation" "taints the kernel and gives no isolation" "$TMP/texts"
ls "$R/sys/bus/platform/drivers" > "$TMP/drivers.before"
V arm-check e6055400.gpio > /dev/null 2>&1 || true
ls "$R/sys/bus/platform/drivers" > "$TMP/drivers.after"
if cmp -s "$TMP/drivers.before" "$TMP/drivers.after" && [ "$(cat "$R/sys/bus/platform/devices/e6055400.gpio/driver_override")" = "(null)" ]; then
	ok "arm-check wrote nothing"
else
	fail "arm-check changed the root"
fi

# System-wide (doctor-style) findings say it too; an x86 machine has none.
V arm-check --json > "$TMP/sys.json" && fail "system check: exit 0 with a blocker" || ok "system check: exit 1"
codes "$TMP/sys.json" > "$TMP/syscodes"
expect_grep "system: kernel lacks vfio-platform" "blocker ARM_NO_VFIO_PLATFORM kernel" "$TMP/syscodes"
expect_grep "system: devices without a group counted" "info ARM_NOIOMMU" "$TMP/syscodes"
mkroot "$FX/q35.fx" "$TMP/q35"
expect_eq "x86 (no device tree): no ARM findings" "no ARM findings" "$("$VFIOSCOPE" --sysroot "$TMP/q35" arm-check)"

# The same from proc/config.gz, as a kernel with IKCONFIG_PROC shows it.
rm -f "$R/boot/config-6.1.0-28-arm64"
printf '# CONFIG_VFIO_PLATFORM is not set\n# CONFIG_VFIO_NOIOMMU is not set\n' | gzip -c > "$R/proc/config.gz"
V arm-check --json e6055400.gpio > "$TMP/gz.json" || true
"$PYTHON3" -c 'import json,sys
print([f["text"] for f in json.load(open(sys.argv[1]))["findings"] if f["code"] == "ARM_NO_VFIO_PLATFORM"][0])' "$TMP/gz.json" > "$TMP/gz.txt"
expect_grep "config read from proc/config.gz" "(proc/config.gz)" "$TMP/gz.txt"

# --- A kernel built with vfio-platform and no-IOMMU, reset_required=0 -----
# (Debian's 6.1 source rebuilt with the options): the missing-reset bug.
cat > "$TMP/custom.fx" <<X
include $FX/arm-rcar-board.fx
cmdline "console=ttySC0,115200 vfio_platform.reset_required=0"
driver platform vfio-platform
file proc/sys/kernel/osrelease "6.1.0-28-arm64\n"
file proc/version "Linux version 6.1.0-28-arm64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP Debian 6.1.192-1 (2025-03-01)\n"
file boot/config-6.1.0-28-arm64 "CONFIG_VFIO=m\nCONFIG_VFIO_NOIOMMU=y\nCONFIG_VFIO_PLATFORM=m\n"
file sys/module/vfio/parameters/enable_unsafe_noiommu_mode "N\n"
X
R2=$TMP/custom
mkroot "$TMP/custom.fx" "$R2"
"$VFIOSCOPE" --sysroot "$R2" arm-check --json e6055400.gpio > "$TMP/c2.json" || true
codes "$TMP/c2.json" > "$TMP/codes2"
expect_nogrep "vfio-platform registered: no kernel finding" "ARM_NO_VFIO_PLATFORM" "$TMP/codes2"
expect_nogrep "reset_required=0 honoured" "ARM_RESET_REQUIRED" "$TMP/codes2"
expect_grep "Debian 6.1 before binding: the bug is predicted" "warning ARM_RESET_BUG_DEBIAN61 e6055400.gpio" "$TMP/codes2"
expect_grep "noiommu mode off: said so" "warning ARM_NOIOMMU_UNAVAILABLE e6055400.gpio" "$TMP/codes2"

# After a bind attempt: override set, no driver, and the kernel's line.
sed -e "s|^dts dts/|dts $FX/dts/|" \
    -e '/e6055400.gpio/s/driver=gpio_rcar/override=vfio-platform/' "$FX/arm-rcar-board.fx" > "$TMP/after.fx"
grep -v '^include' "$TMP/custom.fx" >> "$TMP/after.fx"
echo 'file dev/kmsg "3,812,51234567,-;vfio-platform: probe of e6055400.gpio failed with error -2\n"' >> "$TMP/after.fx"
R3=$TMP/after
mkroot "$TMP/after.fx" "$R3"
"$VFIOSCOPE" --sysroot "$R3" arm-check --json e6055400.gpio > "$TMP/c3.json" || true
codes "$TMP/c3.json" > "$TMP/codes3"
expect_grep "symptoms match: blocker" "blocker ARM_RESET_BUG_DEBIAN61 e6055400.gpio" "$TMP/codes3"
"$PYTHON3" -c 'import json,sys
print([f["text"] for f in json.load(open(sys.argv[1]))["findings"] if f["code"] == "ARM_RESET_BUG_DEBIAN61"][0])' "$TMP/c3.json" > "$TMP/bug.txt"
expect_grep "the kernel log line is the evidence" "vfio-platform: probe of e6055400.gpio failed with error -2" "$TMP/bug.txt"

# --- Guest tree ------------------------------------------------------------
V guest-dt e6055400.gpio e6e68000.serial > "$TMP/g.dts" 2> "$TMP/g.err"
expect_grep "no group: pointed at arm-check" "e6055400.gpio has no IOMMU group" "$TMP/g.err"
"$DTC" -q -I dts -O dtb -o "$TMP/g.dtb" "$TMP/g.dts" && ok "guest tree compiles" || fail "guest tree does not compile"
P=/platform@c000000
# QEMU's platform bus: the 0x50 window at 0 (0x80-aligned), the 0x40 one at
# the first free multiple of 0x40 after it: 0x80.
expect_eq "ranges: gpio at 0xc000000, serial at 0xc000080" \
	"0 e6055400 0 c000000 0 50 0 e6e68000 0 c000080 0 40" "$(fdtval "$TMP/g.dtb" $P ranges)"
expect_eq "gpio interrupt as seed 002's guest saw it" "0 70 4" "$(fdtval "$TMP/g.dtb" $P/gpio@e6055400 interrupts)"
expect_eq "serial interrupt next" "0 71 4" "$(fdtval "$TMP/g.dtb" $P/serial@e6e68000 interrupts)"
expect_eq "generated label (no __symbols__ in this blob)" "gpio_e6055400: gpio@e6055400 {" \
	"$(grep -o 'gpio_e6055400: gpio@e6055400 {' "$TMP/g.dts")"
expect_grep "clocks dropped: the CPG stays with the host" "clocks dropped: /soc/clock-controller@e6150000 (e6150000.clock-controller) stays with the host" "$TMP/g.dts"
expect_grep "dmas dropped: the DMA controller stays with the host" "dmas dropped: /soc/dma-controller@e7300000" "$TMP/g.dts"
expect_eq "no host-only property left on the serial" "" \
	"$(fdtget -p "$TMP/g.dtb" $P/serial@e6e68000 | grep -xE 'clocks|clock-names|dmas|dma-names|resets|power-domains|pinctrl-0|pinctrl-names' || true)"
expect_eq "gpio keeps its controller properties" "gpio-controller" \
	"$(fdtget -p "$TMP/g.dtb" $P/gpio@e6055400 | grep -x gpio-controller)"
finish
