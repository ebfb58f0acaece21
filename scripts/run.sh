#!/bin/sh
# Set up and run vfioscope on this machine: install the Debian build
# dependencies, build, and start vfioscope with the arguments given (none: the
# interactive inspector). Run as root to be able to bind devices; as another
# user vfioscope is read-only.
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
	scripts/install-deps.sh
else
	sudo scripts/install-deps.sh
fi
[ -x configure ] || autoreconf -fi
[ -f build/Makefile ] || { mkdir -p build && (cd build && ../configure --enable-werror); }
make -C build -j"$(nproc)" >/dev/null
exec build/vfioscope "$@"
