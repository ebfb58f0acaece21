#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Install every Debian 12 package that building vfioscope, its tests
# (make check), the benchmark (make bench) and the QEMU guest tests need.
# Idempotent and non-interactive: when everything is installed already it
# changes nothing and needs no network; otherwise it runs apt-get update and
# installs what is missing. Runs as root; as another user it uses sudo when
# there is one.
set -eu

PACKAGES="
	build-essential autoconf automake pkg-config make
	libncurses-dev libpci-dev libudev-dev libfdt-dev libjson-c-dev zlib1g-dev
	pciutils pci.ids device-tree-compiler python3
	hyperfine time tmux util-linux
	qemu-system-x86 qemu-system-arm seabios ipxe-qemu
	busybox-static cpio kmod strace
"

missing=
for p in $PACKAGES; do
	if ! dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages are installed"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	as_root=
elif command -v sudo >/dev/null 2>&1; then
	as_root=sudo
else
	echo "install-deps: missing:$missing; run this script as root" >&2
	exit 1
fi

echo "install-deps: installing$missing"
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086 # the package list is meant to split
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends $missing
