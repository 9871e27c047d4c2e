#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A 1 GiB file of random bytes written through the mount and read back
# through a fresh mount (no page cache) with the same SHA-256; the server's
# copy has it too.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_workload_start big
SIZE=$((1024 * 1024 * 1024))

write_big() {
	head -c "$SIZE" /dev/urandom | fs_user tee "$M/big" | sha256sum |
		cut -d' ' -f1 >"$FS_SCRATCH/big.sha"
}

check "write 1 GiB through the mount" fs_time big-write write_big
want=$(cat "$FS_SCRATCH/big.sha" 2>/dev/null)
check_eq "size on the mount" "$SIZE" "$(fs_user stat -c %s "$M/big" 2>&1)"
check_eq "size on the server" "$SIZE" "$(stat -c %s "$D/big" 2>&1)"
check_eq "SHA-256 of the server's copy" "$want" \
	"$(sha256sum "$D/big" | cut -d' ' -f1)"
check "unmount" fs_umount "$FS_MNT"
if fs_mount big plain; then
	pass "mount again"
else
	fail "mount again"
fi
got=$(fs_time big-read fs_user sha256sum "$M/big" 2>&1)
echo "$got" | grep '^time: '
check_eq "SHA-256 read back through a fresh mount" "$want" \
	"$(echo "$got" | grep -v '^time: ' | cut -d' ' -f1)"
check "remove it" fs_user rm "$M/big"
check "gone from the server" test ! -e "$D/big"
rm -f "$FS_SCRATCH/big.sha"
fs_finish
