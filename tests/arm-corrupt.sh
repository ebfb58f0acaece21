#!/bin/sh
# Corrupt and truncated device-tree blobs give one clear error and never a
# crash; the parser and every walk after it survive mutated blobs (fuzz,
# under ASan/UBSan when configured with --enable-sanitizers).
. "$top_srcdir/tests/arm-lib.sh"
DTTOOL=$top_builddir/tests/arm-dttool

R=$TMP/root
mkroot "$FX/arm-imx8qm.fx" "$R"
V() { "$VFIOSCOPE" --sysroot "$R" "$@"; }
blob=$R/sys/firmware/fdt
chmod u+w "$blob"
cp "$blob" "$TMP/good.dtb"
size=$(wc -c < "$TMP/good.dtb")

check_refused() { # WHAT EXPECTED-MESSAGE
	if V dt fec1 > "$TMP/out" 2> "$TMP/err"; then
		fail "$1: accepted"
	else
		rc=$?
		expect_eq "$1: exit status 1" 1 "$rc"
		expect_grep "$1: message" "$2" "$TMP/err"
		expect_eq "$1: one line" 1 "$(wc -l < "$TMP/err")"
	fi
}

head -c $((size / 2)) "$TMP/good.dtb" > "$blob"
check_refused "truncated to half" "vfioscope: sys/firmware/fdt: not a valid device tree blob: FDT_ERR_TRUNCATED"
head -c 20 "$TMP/good.dtb" > "$blob"
check_refused "truncated to 20 bytes" "sys/firmware/fdt: not a valid device tree blob: truncated (20 bytes)"
: > "$blob"
check_refused "empty" "sys/firmware/fdt: not a valid device tree blob: truncated (0 bytes)"
head -c 4096 /dev/urandom > "$blob"
check_refused "random bytes" "sys/firmware/fdt: not a valid device tree blob: FDT_ERR_BADMAGIC"
# A header that lies about the struct block.
"$PYTHON3" - "$TMP/good.dtb" "$blob" <<'X'
import sys, struct
b = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('>I', b, 8, len(b) + 64)     # off_dt_struct past the end
open(sys.argv[2], 'wb').write(b)
X
check_refused "struct offset past the end" "sys/firmware/fdt: not a valid device tree blob:"
"$PYTHON3" - "$TMP/good.dtb" "$blob" <<'X'
import sys, struct
b = bytearray(open(sys.argv[1], 'rb').read())
off, size = struct.unpack_from('>I', b, 8)[0], struct.unpack_from('>I', b, 36)[0]
b[off + size - 4:off + size] = b'\0\0\0\x01'   # FDT_END replaced by BEGIN_NODE
open(sys.argv[2], 'wb').write(b)
X
check_refused "broken end of the structure block" "sys/firmware/fdt: not a valid device tree blob:"

# Garbage property values inside a valid blob: decoded as problems, not crashes.
cat > "$TMP/bad.dts" <<'X'
/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	interrupt-parent = <&gic>;
	gic: interrupt-controller@8000000 {
		compatible = "arm,gic-400";
		#interrupt-cells = <3>;
		interrupt-controller;
		reg = <0 0x8000000 0 0x10000>;
	};
	clk: clock { compatible = "fixed-clock"; #clock-cells = <40000>; };
	dev@9000000 {
		compatible = "vendor,dev";
		reg = <0 0x9000000 0 0x1000 0x5>;
		interrupts = <0 1>;
		clocks = <&clk 1 2>;
		power-domains = <0x7777>;
		resets = <&gic>;
	};
};
X
"$DTC" -q -I dts -O dtb -o "$blob" "$TMP/bad.dts"
V dt --json /dev@9000000 > "$TMP/bad.json" && ok "bad values: dt runs" || fail "bad values: dt failed"
"$PYTHON3" -c 'import json,sys
for p in json.load(open(sys.argv[1]))["nodes"][0]["problems"]: print(p)' "$TMP/bad.json" > "$TMP/problems"
expect_grep "reg of the wrong length" "reg: 20 bytes is not a multiple of 2+2 cells" "$TMP/problems"
expect_grep "interrupts of the wrong length" "interrupts: 8 bytes is not a multiple of 3 cells" "$TMP/problems"
expect_grep "absurd #clock-cells" "clocks: provider /clock declares 40000 #clock-cells" "$TMP/problems"
expect_grep "dangling phandle" "power-domains: phandle 0x7777 does not resolve" "$TMP/problems"
expect_grep "provider without its cells" "resets: provider /interrupt-controller@8000000 has no #reset-cells" "$TMP/problems"

# No blob and no tree: a clear message (an x86 machine).
rm -f "$blob"
rm -rf "$R/sys/firmware/devicetree"
if V dt fec1 > /dev/null 2> "$TMP/err"; then fail "no tree: accepted"; else
	expect_grep "no tree" "no device tree: neither sys/firmware/fdt nor sys/firmware/devicetree/base exists" "$TMP/err"
fi

# Fuzz: truncations, bit flips, boundary cells, swapped bytes; each variant
# is parsed and, when it parses, walked (closure and guest tree of every
# node with reg).
"$DTTOOL" fuzz "$TMP/good.dtb" 4000 7 > "$TMP/fuzz" && ok "fuzz: $(cat "$TMP/fuzz")" || fail "fuzz crashed"
"$DTC" -q -I dts -O dtb -o "$TMP/rcar.dtb" "$FX/dts/rcar-salvator-x.dts"
"$DTTOOL" fuzz "$TMP/rcar.dtb" 4000 11 > "$TMP/fuzz2" && ok "fuzz R-Car: $(cat "$TMP/fuzz2")" || fail "fuzz R-Car crashed"
finish
