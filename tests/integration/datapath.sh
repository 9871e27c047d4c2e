#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The data path end to end (fs/datapath.py): data written through
# write-behind and read through read-ahead, by several processes at once
# on one file, is exact through the mount and on the server's disk; for
# cache=strict and cache=none, on the sealed share, and over SMB 2.0.2
# (64 KiB requests, one credit each).
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"
fs_need_env
fs_trap
fs_prepare

# dp_case NAME SHARE SERVER_DIR [OPTIONS]
dp_case() {
	local name=$1 share=$2 server_dir=$3 opts=${4:-} seed=$RANDOM
	if ! fs_mount "dp-$name" "$share" "$opts"; then
		fail "$name: mount //$SMB_HOST:$SMB_PORT/$share${opts:+ -o $opts}"
		return
	fi
	echo "# $name: seed $seed"
	check "$name: written and read exactly, by 4 processes at once" \
		fs_user python3 "$FS_LIB_DIR/datapath.py" "$FS_MNT/dp-$name.bin" \
		"$server_dir/dp-$name.bin" "$seed"
	fs_user rm -f "$FS_MNT/dp-$name.bin"
	check "$name: unmount" fs_umount "$FS_MNT"
}

dp_case strict plain "$SMB_SHARE_PATH_PLAIN" cache=strict
dp_case none plain "$SMB_SHARE_PATH_PLAIN" cache=none
dp_case sealed enc "$SMB_SHARE_PATH_ENC"
dp_case smb202 plain "$SMB_SHARE_PATH_PLAIN" vers=2.0

fs_summary
