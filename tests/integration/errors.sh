#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Server-side errors seen through a mount, run as root against the
# private smbd of the environment (tests/integration/README.md):
#   - a sharing violation (another client holds the file open without
#     delete sharing) is EBUSY, and the file survives;
#   - a full disk on the server is ENOSPC, and what was written before
#     survives, and the mount keeps working.
# The full disk is a 1 MiB tmpfs mounted inside the share's directory.
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"
fs_need_env
is_root || die "run as root (it mounts a tmpfs on the server side)"

FULL=$SMB_SHARE_PATH_PLAIN/errors-full
HOLDER_PID=

errors_cleanup() {
	[ -z "$HOLDER_PID" ] || kill "$HOLDER_PID" 2>/dev/null
	fs_cleanup
	mountpoint -q "$FULL" && umount "$FULL"
	rmdir "$FULL" 2>/dev/null
	rm -f "$SMB_SHARE_PATH_PLAIN/errors-held.txt"
}
trap errors_cleanup EXIT
trap 'exit 130' INT TERM

fs_mount errors plain || die "cannot mount"
M=$FS_MNT

# --- EBUSY: smbclient's "open" shares read and write, not delete ---
fs_user sh -c "echo keep > '$M/errors-held.txt'"
fifo=$(mktemp -u /tmp/smbfs-errors.XXXXXX)
mkfifo "$fifo"
smbclient "//$SMB_HOST/plain" -p "$SMB_PORT" -A "$SMB_CREDS" <"$fifo" \
	>/dev/null 2>&1 &
HOLDER_PID=$!
exec 9>"$fifo"
rm -f "$fifo"
echo "open errors-held.txt" >&9
# Wait until the server reports smbclient's open; smbclient can take
# seconds to start on a busy machine.  smbstatus also lists the mount's
# own handle of the file it just wrote (kept under its lease for
# closetimeo): smbclient's open is the one without a lease.
held=no
for _ in $(seq 300); do
	if smbstatus -s "$SMB_CONF" -L 2>/dev/null | grep errors-held |
		grep -qv 'LEASE('; then
		held=yes
		break
	fi
	sleep 0.1
done
check_eq "smbclient holds the file open (smbstatus)" yes "$held"
check_fails_with "Device or resource busy" \
	"rm of a file another client holds without delete sharing: EBUSY" \
	fs_user rm "$M/errors-held.txt"
check_eq "the held file is still there, unchanged" keep \
	"$(fs_user cat "$M/errors-held.txt")"
echo quit >&9
exec 9>&-
wait "$HOLDER_PID" 2>/dev/null
HOLDER_PID=
check "after the other client closed, rm works" \
	fs_user rm "$M/errors-held.txt"

# --- ENOSPC: a 1 MiB file system inside the share ---
mkdir -p "$FULL"
mount -t tmpfs -o size=1m,mode=0755 tmpfs "$FULL" || die "cannot mount tmpfs"
chown "$SMB_USER" "$FULL"
check "a small file fits" fs_user sh -c "echo small > '$M/errors-full/small'"
check_fails_with "No space left on device" \
	"writing 4 MiB onto a 1 MiB server disk: ENOSPC" \
	fs_user dd if=/dev/zero of="$M/errors-full/big" bs=64k count=64 \
	conv=fsync status=none
check_eq "the earlier file is intact" small \
	"$(fs_user cat "$M/errors-full/small")"
check "the partial file can be removed" fs_user rm -f "$M/errors-full/big"
check "the mount still works after ENOSPC" \
	fs_user sh -c "echo again > '$M/errors-after' && rm '$M/errors-after'"

fs_cleanup
FS_MOUNTS=()
fs_summary
