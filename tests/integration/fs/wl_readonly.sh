#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The read-only share [ro] gives EROFS to every change and still reads;
# so does -o ro on the read-write share.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_need_env
fs_trap
fs_prepare

erofs_checks() {
	local m=$1 file=$2 what=$3
	check_fails_with "Read-only file system" "$what: touch new file" \
		fs_user touch "$m/new-file"
	check_fails_with "Read-only file system" "$what: mkdir" \
		fs_user mkdir "$m/new-dir"
	check_fails_with "Read-only file system" "$what: rm" \
		fs_user rm -f "$m/$file"
	check_fails_with "Read-only file system" "$what: append" \
		fs_user bash -c 'echo x >>"$1"' x "$m/$file"
	check_fails_with "Read-only file system" "$what: truncate" \
		fs_user truncate -s 0 "$m/$file"
	check_fails_with "Read-only file system" "$what: mv" \
		fs_user mv "$m/$file" "$m/renamed"
	check_fails_with "Read-only file system" "$what: chmod" \
		fs_user chmod 0444 "$m/$file"
	check_fails_with "Read-only file system" "$what: touch existing" \
		fs_user touch "$m/$file"
	check_fails_with "Read-only file system" "$what: setfattr" \
		fs_user setfattr -n user.x -v 1 "$m/$file"
}

if fs_mount ro-share ro; then
	pass "mount the [ro] share"
	check_eq "read hello.txt" "hello from smbfs ro share" \
		"$(fs_user cat "$FS_MNT/${SMB_RO_FILE:-hello.txt}" 2>&1)"
	erofs_checks "$FS_MNT" "${SMB_RO_FILE:-hello.txt}" "[ro] share"
	check_eq "hello.txt unchanged on the server" "hello from smbfs ro share" \
		"$(cat "$SMB_SHARE_PATH_RO/${SMB_RO_FILE:-hello.txt}")"
	check_eq "nothing new on the server" "${SMB_RO_FILE:-hello.txt}" \
		"$(ls -A "$SMB_SHARE_PATH_RO")"
	check "unmount" fs_umount "$FS_MNT"
else
	fail "mount the [ro] share"
fi

if fs_mount ro-rw plain; then
	fs_user mkdir -p "$FS_MNT/wl-ro"
	echo content | fs_user tee "$FS_MNT/wl-ro/f" >/dev/null
	fs_umount "$FS_MNT"
fi
if fs_mount ro-opt plain ro; then
	pass "mount [plain] with -o ro"
	check_eq "read a file" content "$(fs_user cat "$FS_MNT/wl-ro/f" 2>&1)"
	erofs_checks "$FS_MNT/wl-ro" f "-o ro"
	check "unmount" fs_umount "$FS_MNT"
else
	fail "mount [plain] with -o ro"
fi
check_eq "the file is intact on the server" content \
	"$(cat "$SMB_SHARE_PATH_PLAIN/wl-ro/f" 2>&1)"
fs_finish
