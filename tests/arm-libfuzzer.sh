#!/bin/sh
# Coverage-guided fuzzing of the device-tree layer with libFuzzer (clang
# -fsanitize=fuzzer,address,undefined), seeded with the fixture trees.
# Skipped (77) when clang cannot build a fuzzer.
. "$top_srcdir/tests/arm-lib.sh"
CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null || { echo "no clang: skipped"; exit 77; }
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' > "$TMP/probe.c"
"$CLANG" -fsanitize=fuzzer -o "$TMP/probe" "$TMP/probe.c" 2>/dev/null || { echo "clang has no libFuzzer: skipped"; exit 77; }

S=$top_srcdir
"$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$S/include" -I"$top_builddir" -I"$S/core" -o "$TMP/fuzz-dt" \
	"$S/tests/arm-fuzz-dt.c" "$S/core/dt.c" "$S/core/dt_decode.c" "$S/core/dt_fromdir.c" \
	"$S/core/dt_closure.c" "$S/core/dt_guest.c" "$S/core/util.c" "$S/core/sysroot.c" -lfdt \
	|| { fail "cannot build the fuzzer"; finish; }
mkdir "$TMP/corpus"
"$DTC" -q -I dts -O dtb -o "$TMP/corpus/imx.dtb" "$FX/dts/imx8qm-mek.dts"
"$DTC" -q -I dts -O dtb -o "$TMP/corpus/rcar.dtb" "$FX/dts/rcar-salvator-x.dts"
"$DTC" -q -I dts -O dtb -o "$TMP/corpus/ten64.dtb" "$FX/ten64.dts"
if "$TMP/fuzz-dt" -runs="${ARM_FUZZ_RUNS:-15000}" -max_len=16384 -seed=1 \
	-artifact_prefix="$TMP/" "$TMP/corpus" > "$TMP/log" 2>&1; then
	ok "libFuzzer: $(grep -o 'Done [0-9]* runs.*' "$TMP/log")"
else
	fail "libFuzzer found a crash:"; tail -40 "$TMP/log" >&2
fi
finish
