#!/bin/sh
# Real device trees made at test time by QEMU (-M virt,dumpdtb), with and
# without iommu=smmuv3 and with GICv2m or GICv3 ITS, turned into fixture
# roots with the AMBA and platform devices the kernel would create for them.
# Also: the same answers from sys/firmware/devicetree/base when there is no
# blob.
. "$top_srcdir/tests/arm-lib.sh"

command -v qemu-system-aarch64 >/dev/null || { echo "qemu-system-aarch64 missing (package qemu-system-arm)" >&2; exit 1; }

# mkvirt NAME MACHINE-OPTIONS: dump, decompile, describe, build.
mkvirt() {
	qemu-system-aarch64 -M "virt,$2,dumpdtb=$TMP/$1.dtb" -nographic >/dev/null 2>&1
	"$DTC" -q -I dtb -O dts -o "$TMP/$1.dts" "$TMP/$1.dtb"
	cat > "$TMP/$1.fx" <<X
dts $TMP/$1.dts
amba 9000000.pl011 of_node=/pl011@9000000 driver=uart-pl011
amba 9010000.pl031 of_node=/pl031@9010000 driver=rtc-pl031
amba 9030000.pl061 of_node=/pl061@9030000 driver=pl061_gpio
platform 9020000.fw-cfg of_node=/fw-cfg@9020000 driver=fw_cfg
platform a000000.virtio_mmio of_node=/virtio_mmio@a000000 driver=virtio-mmio
X
	case $2 in *smmuv3*)
		echo "platform 9050000.smmuv3 of_node=/smmuv3@9050000 driver=arm-smmu-v3" >> "$TMP/$1.fx";;
	esac
	mkroot "$TMP/$1.fx" "$TMP/$1"
}

mkvirt v2 "gic-version=2"
mkvirt v3 "gic-version=3,iommu=smmuv3"
V() { root=$1; shift; "$VFIOSCOPE" --sysroot "$TMP/$root" "$@"; }

# --- The node behind an AMBA device ---------------------------------------
V v2 dt --json 9000000.pl011 > "$TMP/pl011.json"
"$PYTHON3" -c 'import json,sys
j = json.load(open(sys.argv[1])); n = j["nodes"][0]
print(n["path"], n["device"], n["reg"][0]["cpu_addr"], n["reg"][0]["size"])
for i in n["interrupts"]: print(i["kind"], i["number"], i["trigger"], i["controller"])
for d in j["closure"]["nodes"]: print(d["role"], d["path"], d["property"])' "$TMP/pl011.json" > "$TMP/pl011"
cat > "$TMP/pl011.expected" <<'X'
/pl011@9000000 9000000.pl011 0x9000000 0x1000
SPI 1 level-high /intc@8000000
passed /pl011@9000000 None
copy /apb-pclk clocks
vm /intc@8000000 interrupts
X
if diff -u "$TMP/pl011.expected" "$TMP/pl011" >&2; then ok "pl011: reg, interrupt, closure"; else fail "pl011"; fi

# The same from the unpacked tree, without the blob.
cp -r "$TMP/v2" "$TMP/v2dir"
chmod u+w "$TMP/v2dir/sys/firmware/fdt" && rm "$TMP/v2dir/sys/firmware/fdt"
V v2dir dt --json 9000000.pl011 > "$TMP/pl011dir.json"
"$PYTHON3" -c 'import json,sys
j = json.load(open(sys.argv[1])); n = j["nodes"][0]
print(j["source"])
print(n["path"], n["device"], n["reg"][0]["cpu_addr"], n["reg"][0]["size"])
for i in n["interrupts"]: print(i["kind"], i["number"], i["trigger"], i["controller"])
for d in j["closure"]["nodes"]: print(d["role"], d["path"], d["property"])' "$TMP/pl011dir.json" > "$TMP/pl011dir"
(echo sys/firmware/devicetree/base; cat "$TMP/pl011.expected") > "$TMP/pl011dir.expected"
if diff -u "$TMP/pl011dir.expected" "$TMP/pl011dir" >&2; then ok "same answers from devicetree/base"; else fail "devicetree/base fallback"; fi

# --- MSI controllers: GICv2m needs allow_unsafe_interrupts, the ITS not ----
V v2 arm-check --json > "$TMP/v2.json" || true
codes "$TMP/v2.json" > "$TMP/v2codes"
expect_grep "GICv2m frame: unsafe interrupts" "warning ARM_MSI_UNSAFE /intc@8000000/v2m@8020000" "$TMP/v2codes"
V v3 arm-check --json > "$TMP/v3.json" || true
codes "$TMP/v3.json" > "$TMP/v3codes"
expect_grep "GICv3 ITS: isolated" "info ARM_MSI_ITS /intc@8000000/its@8080000" "$TMP/v3codes"
expect_nogrep "GICv3 ITS: no unsafe-interrupts finding" "ARM_MSI_UNSAFE" "$TMP/v3codes"
expect_grep "no groups: counted" "info ARM_NOIOMMU" "$TMP/v3codes"

# --- The SMMUv3 node ---------------------------------------------------------
V v3 dt 9050000.smmuv3 > "$TMP/smmu.txt"
expect_grep "SMMUv3 event queue interrupt: SPI 74 edge" "interrupt[0]: SPI 74 edge-rising on /intc@8000000" "$TMP/smmu.txt"
expect_grep "the SMMU has its platform device" "platform device 9050000.smmuv3, driver arm-smmu-v3" "$TMP/smmu.txt"

# --- AMBA devices: kernel support, and the guest tree ----------------------
V v2 arm-check --json 9030000.pl061 > "$TMP/amba.json" || true
codes "$TMP/amba.json" > "$TMP/amba"
expect_grep "no vfio-amba registered, no config: said so" "warning ARM_NO_VFIO_AMBA kernel" "$TMP/amba"
expect_grep "no IOMMU group" "blocker ARM_NOIOMMU 9030000.pl061" "$TMP/amba"

V v2 guest-dt 9030000.pl061 a000000.virtio_mmio > "$TMP/g.dts" 2>/dev/null
"$DTC" -q -I dts -O dtb -o "$TMP/g.dtb" "$TMP/g.dts" && ok "guest tree compiles" || fail "guest tree does not compile"
expect_grep "AMBA device: sysfsdev form" "-device vfio-platform,sysfsdev=/sys/bus/amba/devices/9030000.pl061" "$TMP/g.dts"
expect_grep "platform device: host= form" "-device vfio-platform,host=a000000.virtio_mmio" "$TMP/g.dts"
# pl061: 0x1000 at 0; virtio-mmio: 0x200, the next free multiple of 0x200.
expect_eq "ranges" "0 9030000 0 c000000 0 1000 0 a000000 0 c001000 0 200" \
	"$(fdtval "$TMP/g.dtb" /platform@c000000 ranges)"
expect_eq "virtio-mmio edge interrupt kept edge" "0 71 1" \
	"$(fdtval "$TMP/g.dtb" /platform@c000000/virtio_mmio@a000000 interrupts)"
clk=$(fdtget -t x "$TMP/g.dtb" /apb-pclk phandle)
expect_eq "pl061's clock copied and referenced by label" "$clk" \
	"$(fdtval "$TMP/g.dtb" /platform@c000000/pl061@9030000 clocks)"

# Passing the whole guest tree back through --base: the virt board's own names.
V v3 guest-dt --base "$TMP/v3.dtb" 9030000.pl061 > "$TMP/b.dts" 2>/dev/null
if "$DTC" -I dts -O dtb -o "$TMP/b.dtb" "$TMP/b.dts" 2> "$TMP/b.err" && [ ! -s "$TMP/b.err" ]; then
	ok "GICv3 base tree: compiles without a warning"
else
	fail "GICv3 base tree"; cat "$TMP/b.err" >&2
fi
expect_eq "the base's platform-bus node carries the device" "pl061@9030000" \
	"$(fdtget -l "$TMP/b.dtb" /platform-bus@c000000)"
finish
