#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A write that fails on the server after write(2) returned (the data
# path writes behind the application) still reaches the application: at
# a later write(2) or at close(2), never lost. Run as root against the
# private smbd of the environment:
#   - the server's disk fills up (a 1 MiB tmpfs inside the share): ENOSPC;
#   - the share turns read-only in the middle (smb.conf changed, the
#     configuration reloaded and the share closed, so the reopen after
#     the reconnect is refused write access): EACCES or EROFS.
# The server's configuration is put back, whatever happens.
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"
fs_need_env
is_root || die "run as root (it mounts a tmpfs and reconfigures smbd)"

FULL=$SMB_SHARE_PATH_PLAIN/werr-full
CONF_SAVED=$SMB_TMPDIR/werr-smb.conf
SYNC=

werr_restore_conf() {
	[ -f "$CONF_SAVED" ] || return 0
	cp "$CONF_SAVED" "$SMB_CONF"
	rm -f "$CONF_SAVED"
	smbcontrol -s "$SMB_CONF" smbd reload-config >/dev/null 2>&1
}

werr_cleanup() {
	werr_restore_conf
	fs_cleanup
	mountpoint -q "$FULL" && umount "$FULL"
	rmdir "$FULL" 2>/dev/null
	[ -z "$SYNC" ] || rm -rf "$SYNC"
	rm -f "$SMB_SHARE_PATH_PLAIN/werr-ro"
}
trap werr_cleanup EXIT
trap 'exit 130' INT TERM

# first_error "write=X close=Y": the first of X and Y that is an error.
first_error() {
	local w=${1#write=} c
	c=${w#* close=}
	w=${w%% close=*}
	case $w in ok | -) echo "$c" ;; *) echo "$w" ;; esac
}

fs_mount werr plain || die "cannot mount"
M=$FS_MNT

# --- ENOSPC, found after write(2) returned ---
mkdir -p "$FULL"
mount -t tmpfs -o size=1m,mode=0755 tmpfs "$FULL" || die "cannot mount tmpfs"
chown "$SMB_USER" "$FULL"
out=$(fs_user python3 "$FS_LIB_DIR/write_error.py" "$M/werr-full/big" 0 4 2>&1)
echo "# disk full: $out"
check_eq "4 MiB onto a 1 MiB server disk, no fsync: ENOSPC by close(2)" \
	ENOSPC "$(first_error "$out")"
check "the mount still works after ENOSPC" \
	fs_user sh -c "echo again > '$M/werr-after' && rm '$M/werr-after'"
fs_user rm -f "$M/werr-full/big"

# --- the share turns read-only between writes ---
SYNC=$(mktemp -d "$SMB_TMPDIR/werr-sync.XXXXXX")
chown "$FS_USER" "$SYNC"
fs_user python3 "$FS_LIB_DIR/write_error.py" "$M/werr-ro" 2 8 "$SYNC" \
	>"$SYNC/out" 2>&1 &
writer=$!
if fs_wait_for 30 test -e "$SYNC/ready"; then
	pass "the first 2 MiB written and fsynced"
else
	fail "the writer never got ready: $(cat "$SYNC/out")"
fi
cp "$SMB_CONF" "$CONF_SAVED"
# [plain] is the first share with "read only = no" (scripts/samba.sh).
sed -i '0,/read only = no/s//read only = yes/' "$SMB_CONF"
smbcontrol -s "$SMB_CONF" smbd reload-config >/dev/null 2>&1
smbcontrol -s "$SMB_CONF" smbd close-share plain >/dev/null 2>&1
touch "$SYNC/go"
wait "$writer"
out=$(cat "$SYNC/out")
echo "# read-only: $out"
err=$(first_error "$out")
if [ "$err" = EACCES ] || [ "$err" = EROFS ]; then
	pass "writes after the share turned read-only: $err by close(2)"
else
	fail "writes after the share turned read-only: expected EACCES or EROFS, got: $out"
fi
werr_restore_conf

fs_cleanup
FS_MOUNTS=()
fs_summary
