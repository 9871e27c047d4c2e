#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What `make fuzz` needs besides the build dependencies: clang with the
# libFuzzer and sanitizer runtimes (Debian 12: clang, libclang-rt-dev).
# As root missing packages are installed; otherwise they are reported.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

PKGS="clang libclang-rt-dev"

missing=()
for p in $PKGS; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) ||
		status=
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! is_root; then
	die "missing packages for fuzzing: ${missing[*]} (run as root)"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
