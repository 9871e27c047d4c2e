#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# POSIX byte-range locks through the mount behave as on a local file
# system between processes of this mount (fs/locks.py: conflicts, EAGAIN,
# F_GETLK, a waiter woken by the unlock and interrupted by a signal,
# unlock through a second descriptor, close of any descriptor), and
# against another client, a second mount of the share (SMB2 LOCK on a
# server with Samba's default "posix locking = yes").
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_workload_start locks
F=$M/f
LOCKS=$FS_LIB_DIR/locks.py

locks() {
	fs_user /usr/bin/python3 "$LOCKS" "$@"
}

check "create the file" fs_user bash -c 'printf 0123456789 >"$1"' x "$F"
check "conflicts between two processes" locks conflicts "$F"
check "F_SETLKW waits for the unlock, a signal interrupts it" \
	locks waiter "$F"
check "unlock through a second descriptor of the process" \
	locks second-descriptor "$F"
check "close of any descriptor releases the process's locks" \
	locks close-any "$F"
if fs_mount locks-2 plain; then
	G=$FS_MNT/wl-locks/f
	check "read locks of two processes, first out first, then a write lock" \
		locks shared-then-exclusive "$F" "$G"
	check "another client is refused while we hold the lock" \
		locks other-client "$F" "$G"
else
	fail "second mount of the share"
fi
fs_finish
