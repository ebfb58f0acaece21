#!/bin/sh
# Seed 000, Ten64 DPAA2: containers go whole, objects and the root
# container cannot go, the kernel driver must exist, and no guest tree
# node is made for them.
. "$top_srcdir/tests/arm-lib.sh"

R=$TMP/root
mkroot "$FX/arm-ls1088.fx" "$R"
V() { "$VFIOSCOPE" --sysroot "$R" "$@"; }

V arm-check --json dprc.2 > "$TMP/c.json" && ok "dprc.2: no blocker (exit 0)" || fail "dprc.2: exit status"
codes "$TMP/c.json" > "$TMP/codes"
expect_eq "dprc.2: one finding, the container note" "info ARM_FSLMC_CONTAINER dprc.2" "$(cat "$TMP/codes")"
"$PYTHON3" -c 'import json,sys
f = json.load(open(sys.argv[1]))["findings"][0]
print(f["text"]); print(f["fix"])' "$TMP/c.json" > "$TMP/t"
expect_grep "lists every object of the container" "with dpbp.1, dpcon.1, dpio.1, dpmac.1, dpmcp.1, dpni.1 (one IOMMU group)" "$TMP/t"
expect_grep "DPRC_CFG_OPT_IRQ_CFG_ALLOWED (seed 000)" "DPRC_CFG_OPT_IRQ_CFG_ALLOWED" "$TMP/t"
expect_grep "QEMU form" "-device vfio-fsl-mc,host=dprc.2" "$TMP/t"

V arm-check --json dpni.1 > "$TMP/o.json" && fail "dpni.1: exit 0" || ok "dpni.1: blocker"
"$PYTHON3" -c 'import json,sys
f = json.load(open(sys.argv[1]))["findings"][0]
print(f["severity"], f["code"], f["fix"])' "$TMP/o.json" > "$TMP/o"
expect_eq "an object: pass its container" "blocker ARM_FSLMC_CONTAINER pass the container instead: -device vfio-fsl-mc,host=dprc.2" "$(cat "$TMP/o")"
V arm-check --json dprc.1 > "$TMP/r.json" && fail "dprc.1: exit 0" || ok "dprc.1: blocker"
expect_grep "the root container is the host's" "is the root container" "$TMP/r.json"

if V guest-dt dprc.2 > /dev/null 2> "$TMP/g.err"; then fail "guest-dt dprc.2 succeeded"; else ok "guest-dt refuses a container"; fi
expect_grep "and says why" "DPAA2 containers need no guest tree node" "$TMP/g.err"

# The kernel without vfio-fsl-mc: said before anything is written.
sed -e "s|^include ten64.fx|include $FX/ten64.fx|" -e 's/CONFIG_VFIO_FSL_MC=y/# CONFIG_VFIO_FSL_MC is not set/' \
	"$FX/arm-ls1088.fx" > "$TMP/nomc.fx"
R2=$TMP/nomc
mkroot "$TMP/nomc.fx" "$R2"
rm -rf "$R2/sys/bus/fsl-mc/drivers/vfio-fsl-mc"
"$VFIOSCOPE" --sysroot "$R2" arm-check --json dprc.2 > "$TMP/n.json" || true
codes "$TMP/n.json" > "$TMP/ncodes"
expect_grep "no CONFIG_VFIO_FSL_MC: blocker" "blocker ARM_NO_VFIO_FSL_MC kernel" "$TMP/ncodes"
finish
