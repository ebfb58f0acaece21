#!/bin/sh
# Seed 001, i.MX 8QM MEK Ethernet: the dependency closure of fec1, the
# guest tree for clock-controller, ethernet, mailbox in that -device order
# (compiled with dtc and compared with the seed's hand-written one), and the
# readiness findings.
. "$top_srcdir/tests/arm-lib.sh"

R=$TMP/root
mkroot "$FX/arm-imx8qm.fx" "$R"
V() { "$VFIOSCOPE" --sysroot "$R" "$@"; }

# --- Dependency closure of fec1 ------------------------------------------
# Seed 001 copied into the guest: enet0_lpcg (fec1's clocks), the SCU with
# pd, clk, iomuxc (pinctrl_fec1) and ocotp (fec_mac0), the fixed clocks
# xtal32k/xtal24m (clk's parents) and conn_*_clk, ethphy0 with its vddio
# regulator, and lsio_mu2 as the SCU's mailbox. From the host tree the
# closure is exactly:
#   pass-too    enet0_lpcg            clocks of fec1: MMIO, used by nobody else
#   copy        clk, pd               assigned-clocks / power-domains of fec1
#   copy        scu                   contains clk and pd (the SCU firmware talks through it)
#   copy        pinctrl_fec1, iomuxc  pinctrl-0 of fec1, and its container
#   copy        fec_mac0, ocotp       nvmem-cells of fec1, and its container
#   copy        conn_axi_clk, conn_ipg_clk   clocks of enet0_lpcg
#   copy        xtal32k, xtal24m      clocks of clk
#   host-shared lsio_mu1              mboxes of the scu: the host's SCU mailbox
#                                     (its stand-in in the guest is lsio_mu2)
#   vm          gic, smmu             interrupt parent and iommus: the VM has its own
#   passed      mdio, ethphy0, vddio0, ethphy1, vddio1   inside fec1 (the MEK's
#                                     shared MDIO bus carries fec2's PHY too)
# Not in it, though the seed copied them wholesale: clk_dummy, conn_ahb_clk,
# conn_bch_clk, reg_fec2_supply, fec_mac1, rtc, watchdog, tsens: nothing that
# fec1 needs references them.
V dt --json fec1 > "$TMP/dt.json"
"$PYTHON3" -c 'import json,sys
c = json.load(open(sys.argv[1]))["closure"]
for d in c["nodes"]:
    print(d["role"], d["label"] or d["path"])
for u in c["users"]:
    print("user", u["path"], u["property"])' "$TMP/dt.json" | sort > "$TMP/closure"
cat > "$TMP/closure.expected" <<'X'
copy /scu
copy clk
copy conn_axi_clk
copy conn_ipg_clk
copy fec_mac0
copy iomuxc
copy ocotp
copy pd
copy pinctrl_fec1
copy xtal24m
copy xtal32k
host-shared lsio_mu1
pass-too enet0_lpcg
passed /bus@5b000000/ethernet@5b040000/mdio
passed ethphy0
passed ethphy1
passed fec1
passed vddio0
passed vddio1
user /bus@5b000000/ethernet@5b050000 phy-handle
vm gic
vm smmu
X
if diff -u "$TMP/closure.expected" "$TMP/closure" >&2; then ok "closure of fec1"; else fail "closure of fec1"; fi

# The same through a path and through the DT label: one node.
expect_eq "dt accepts a DT path" \
	"$(V dt --json fec1 | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["nodes"][0]["path"])')" \
	"$(V dt --json /bus@5b000000/ethernet@5b040000 | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["nodes"][0]["path"])')"
V dt fec1 > "$TMP/dt.txt"
expect_grep "dt text: iommus with the stream ID" "iommus: smmu 0x12 0x7f80" "$TMP/dt.txt"
expect_grep "dt text: interrupts decoded" "interrupt[0]: SPI 258 level-high on /interrupt-controller@51a00000" "$TMP/dt.txt"

# --- Guest tree, seed 001's -device order ---------------------------------
V guest-dt 5b230000.clock-controller 5b040000.ethernet 5d1d0000.mailbox \
	> "$TMP/guest.dts" 2> "$TMP/guest.err"
expect_grep "group member not passed is named" "IOMMU group 1 also holds 5b010000.mmc" "$TMP/guest.err"
if "$DTC" -q -I dts -O dtb -o "$TMP/guest.dtb" "$TMP/guest.dts"; then ok "guest tree compiles"; else fail "guest tree does not compile"; fi
P=/platform@c000000
expect_eq "ranges as seed 001 (0x5b230000->0xc000000, 0x5b040000->0xc010000, 0x5d1d0000->0xc020000)" \
	"0 5b230000 0 c000000 0 10000 0 5b040000 0 c010000 0 10000 0 5d1d0000 0 c020000 0 10000" \
	"$(fdtval "$TMP/guest.dtb" $P ranges)"
expect_eq "fec1 interrupts renumbered to SPI 0x70-0x73, level-high" \
	"0 70 4 0 71 4 0 72 4 0 73 4" "$(fdtval "$TMP/guest.dtb" $P/ethernet@5b040000 interrupts)"
expect_eq "lsio_mu2 interrupt SPI 0x74" "0 74 4" "$(fdtval "$TMP/guest.dtb" $P/mailbox@5d1d0000 interrupts)"
expect_eq "fec1 keeps its host reg (ranges does the mapping)" "0 5b040000 0 10000" \
	"$(fdtval "$TMP/guest.dtb" $P/ethernet@5b040000 reg)"
expect_eq "lsio_mu2 takes lsio_mu1's compatible (the SCU's MU)" \
	"fsl,imx8-mu-scu fsl,imx8qm-mu fsl,imx6sx-mu" \
	"$(fdtget "$TMP/guest.dtb" $P/mailbox@5d1d0000 compatible)"
mu2=$(fdtget -t x "$TMP/guest.dtb" $P/mailbox@5d1d0000 phandle)
expect_eq "the SCU's mboxes point at lsio_mu2 (seed: <&lsio_mu2 0 0 &lsio_mu2 1 0 &lsio_mu2 3 3>)" \
	"$mu2 0 0 $mu2 1 0 $mu2 3 3" "$(fdtval "$TMP/guest.dtb" /scu mboxes)"
lpcg=$(fdtget -t x "$TMP/guest.dtb" $P/clock-controller@5b230000 phandle)
expect_eq "fec1's clocks point at the passed enet0_lpcg" \
	"$lpcg 10 $lpcg 8 $lpcg c $lpcg 0 $lpcg 4" "$(fdtval "$TMP/guest.dtb" $P/ethernet@5b040000 clocks)"
expect_eq "dependency nodes at the root" \
	"clock-conn-axi clock-conn-ipg clock-xtal24m clock-xtal32k platform@c000000 scu" \
	"$(fdtget -l "$TMP/guest.dtb" / | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "the SCU carries only what fec1 needs (no rtc, watchdog, thermal-sensor)" \
	"clock-controller imx8qm-ocotp imx8qx-pd pinctrl" \
	"$(fdtget -l "$TMP/guest.dtb" /scu | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "ocotp carries fec_mac0 only" "mac@1c4" "$(fdtget -l "$TMP/guest.dtb" /scu/imx8qm-ocotp)"
expect_eq "iommus dropped from the passed devices" "" \
	"$(fdtget -p "$TMP/guest.dtb" $P/ethernet@5b040000 | grep -x iommus || true)"
expect_grep "hand-over comment for the SCU mailbox" "host-only: /bus@5d000000/mailbox@5d1c0000 (5d1c0000.mailbox)" "$TMP/guest.dts"
expect_grep "header names the -device order" " *   -device vfio-platform,host=5b230000.clock-controller" "$TMP/guest.dts"

# --- With QEMU's own tree as the base -------------------------------------
if qemu-system-aarch64 -M virt,dumpdtb="$TMP/virt.dtb" -nographic >/dev/null 2>&1; then
	V guest-dt --base "$TMP/virt.dtb" 5b230000.clock-controller 5b040000.ethernet \
		5d1d0000.mailbox > "$TMP/full.dts" 2>/dev/null
	if "$DTC" -I dts -O dtb -o "$TMP/full.dtb" "$TMP/full.dts" 2> "$TMP/full.err" && [ ! -s "$TMP/full.err" ]; then
		ok "whole guest tree compiles without a warning"
	else
		fail "whole guest tree: dtc says"; cat "$TMP/full.err" >&2
	fi
	pb=$(fdtget -l "$TMP/full.dtb" / | grep '^platform')
	gic=$(fdtget -t x "$TMP/full.dtb" / interrupt-parent)
	expect_eq "platform bus interrupt-parent is the base's GIC" "$gic" \
		"$(fdtval "$TMP/full.dtb" "/$pb" interrupt-parent)"
	expect_eq "that phandle is the GIC's" "$gic" \
		"$(fdtget -t x "$TMP/full.dtb" "/$(fdtget -l "$TMP/full.dtb" / | grep '^intc@')" phandle)"
	expect_eq "base mode keeps the mapping" \
		"0 5b230000 0 c000000 0 10000 0 5b040000 0 c010000 0 10000 0 5d1d0000 0 c020000 0 10000" \
		"$(fdtval "$TMP/full.dtb" "/$pb" ranges)"
else
	fail "qemu-system-aarch64 -M virt,dumpdtb failed (package qemu-system-arm)"
fi

# --- fec1 alone: what cannot follow it is dropped, with the reason ---------
V guest-dt 5b040000.ethernet > "$TMP/alone.dts" 2>/dev/null
"$DTC" -q -I dts -O dtb -o "$TMP/alone.dtb" "$TMP/alone.dts" && ok "fec1 alone compiles" || fail "fec1 alone does not compile"
expect_grep "clocks dropped: enet0_lpcg must be passed too" "clocks dropped: /bus@5b000000/clock-controller@5b230000 (5b230000.clock-controller) has registers and is not passed: pass it too" "$TMP/alone.dts"
expect_grep "SCU mailbox dropped: the host's" "mboxes dropped: /bus@5d000000/mailbox@5d1c0000 (5d1c0000.mailbox) stays with the host" "$TMP/alone.dts"
expect_eq "fec1 alone: interrupts from 0x70" "0 70 4 0 71 4 0 72 4 0 73 4" \
	"$(fdtval "$TMP/alone.dtb" /platform@c000000/ethernet@5b040000 interrupts)"

# --- Readiness findings ---------------------------------------------------
V arm-check --json 5b230000.clock-controller 5b040000.ethernet 5d1d0000.mailbox > "$TMP/check.json" || true
codes "$TMP/check.json" > "$TMP/codes"
for want in "warning ARM_GROUP_SHARED 5b040000.ethernet" \
	    "blocker ARM_RESET_REQUIRED 5b040000.ethernet" \
	    "warning ARM_MSI_UNSAFE 5b040000.ethernet" \
	    "warning ARM_HOST_DT_KEEPS 5b040000.ethernet" \
	    "info ARM_HOST_DRIVER 5b040000.ethernet" \
	    "info ARM_DEP_HOST_SHARED 5d1c0000.mailbox" \
	    "warning ARM_USED_BY_HOST /bus@5b000000/ethernet@5b040000"; do
	expect_grep "finding $want" "$want" "$TMP/codes"
done
expect_nogrep "enet0_lpcg passed: no pass-too finding" "ARM_DEP_PASS_TOO" "$TMP/codes"
expect_nogrep "vfio-platform built in: no kernel finding" "ARM_NO_VFIO_PLATFORM" "$TMP/codes"
"$PYTHON3" -c 'import json,sys
g = [f["text"] for f in json.load(open(sys.argv[1]))["findings"] if f["code"] == "ARM_GROUP_SHARED"]
print(g[0])' "$TMP/check.json" > "$TMP/group.txt"
expect_grep "group finding names only the member not passed" "in IOMMU group 1 with 5b010000.mmc (" "$TMP/group.txt"

V arm-check --json 5b040000.ethernet > "$TMP/check1.json" || true
codes "$TMP/check1.json" > "$TMP/codes1"
expect_grep "fec1 alone: pass enet0_lpcg too" "warning ARM_DEP_PASS_TOO 5b230000.clock-controller" "$TMP/codes1"
expect_grep "fec1 alone: the SCU mailbox stays with the host, no stand-in" "warning ARM_DEP_HOST_SHARED 5d1c0000.mailbox" "$TMP/codes1"
if V arm-check 5b040000.ethernet >/dev/null 2>&1; then fail "arm-check exit status with a blocker"; else ok "arm-check exits 1 on a blocker"; fi

# reset_required=0 on the command line: the reset blocker goes away.
R2=$TMP/root2
printf 'include %s\ncmdline "console=ttyLP0,115200 vfio_platform.reset_required=0 vfio_iommu_type1.allow_unsafe_interrupts=1"\n' \
	"$FX/arm-imx8qm.fx" > "$TMP/reset0.fx"
mkroot "$TMP/reset0.fx" "$R2"
"$VFIOSCOPE" --sysroot "$R2" arm-check --json 5b040000.ethernet > "$TMP/check2.json" || true
codes "$TMP/check2.json" > "$TMP/codes2"
expect_nogrep "reset_required=0: no reset blocker" "ARM_RESET_REQUIRED" "$TMP/codes2"
expect_grep "allow_unsafe_interrupts=1 seen on the command line" "info ARM_MSI_UNSAFE 5b040000.ethernet" "$TMP/codes2"
finish
