#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Unmount with a file open: fusermount3 -u refuses (busy), -u -z detaches
# at once, the holder keeps reading its open file, and when it exits the
# daemon exits and nothing is left mounted.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_workload_start busy
MNT=$FS_MNT
W=$FS_SCRATCH/busy
fs_user rm -rf "$W"
fs_user mkdir -p "$W"
echo "still readable" | fs_user tee "$M/held" >/dev/null
pid=$(fs_daemon_pid "$MNT")
check "daemon pid known" test -n "$pid"

# The holder opens the file, says so, waits for "go", then reads its
# descriptor (after the lazy unmount) and exits.
fs_user bash -c '
	exec 3<"$1/held"
	touch "$2/ready"
	for _ in $(seq 1 1200); do # 60 s at most
		[ -e "$2/go" ] && break
		sleep 0.05
	done
	cat <&3 >"$2/out"
	exit 0' x "$M" "$W" &
holder=$!
for _ in $(seq 1 200); do
	[ -e "$W/ready" ] && break
	sleep 0.05
done
check "holder opened the file" test -e "$W/ready"

check_fails_with "busy" "fusermount3 -u fails while a file is open" \
	fs_user fusermount3 -u "$MNT"
check "still mounted" is_mounted "$MNT"
check_eq "still usable" "still readable" "$(fs_user cat "$M/held" 2>&1)"
check "fusermount3 -u -z detaches" fs_user fusermount3 -u -z "$MNT"
check "no longer a mount point" bash -c '! mountpoint -q "$1"' x "$MNT"
check "gone from /proc/mounts" eval '! is_mounted "$MNT"'
check "daemon still serves the holder" pid_alive "$pid"
fs_user touch "$W/go"
wait "$holder"
check_eq "holder read its file after the lazy unmount" "still readable" \
	"$(cat "$W/out" 2>&1)"
check "daemon exits after the holder" fs_wait_daemon_exit "$MNT"
check "nothing left mounted" eval '! is_mounted "$MNT"'
fs_forget_mount "$MNT"
fs_user rm -rf "$W"
fs_finish
