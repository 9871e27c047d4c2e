#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A cold `ls -l` of a large directory under cifsacl (the default), where
# a listing's entries lack the mode and owner (they come from each
# file's security descriptor): readdirplus must hand the kernel entries
# with the full attributes, fetched for many entries at once, so that
# the kernel asks no getattr per entry (each would be one round trip
# after another).
#
#   1  On a fresh mount, `ls -ln` of LS_N files with assorted modes shows
#      every one with the mode the server's disk has; the daemon's FUSE
#      debug log (-d) holds at most LS_GETATTR_MAX GETATTR requests for
#      the whole command (one per entry without the fetch), and the
#      command costs at most one round trip per entry plus
#      LS_ROUND_TRIPS_SLACK (--stats).
#   2  A name removed on the server between opendir and the first
#      readdir (so its stat fails) is still listed with the others, and
#      a stat of it then says ENOENT.
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"
fs_need_env
fs_trap
fs_prepare

LS_N=400
LS_GETATTR_MAX=5
LS_ROUND_TRIPS_SLACK=40
LS_MODES=(600 640 644 604 700 750 755)
LS_DIR=ls-many
DISK_DIR=$SMB_SHARE_PATH_PLAIN/$LS_DIR
LOG=$SMB_TMPDIR/listing-debug.log

# The server's own view: "MODE NAME" per file, sorted by name.
disk_modes() { (cd "$DISK_DIR" && stat -c '%A %n' -- *) | sort -k 2; }

# The mount's view from `ls -ln` output on stdin, in the same form.
ls_modes() { awk 'NR > 1 { print $1, $NF }' | sort -k 2; }

make_files() {
	local i
	rm -rf "$DISK_DIR"
	mkdir -p "$DISK_DIR"
	for ((i = 0; i < LS_N; i++)); do
		: >"$DISK_DIR/f$i"
		chmod "${LS_MODES[i % ${#LS_MODES[@]}]}" "$DISK_DIR/f$i"
	done
	chown -R "$SMB_USER:" "$DISK_DIR"
}

test_1() {
	local before=$SMB_TMPDIR/listing.before after=$SMB_TMPDIR/listing.after
	local out getattrs rt
	: >"$LOG"
	if ! fs_mount_debug ls1 plain "" "$LOG"; then
		fail "1: mount with -d: $(tail -n 3 "$LOG")"
		return
	fi
	fs_stats "$FS_MNT" "$before"
	out=$(fs_user ls -ln "$FS_MNT/$LS_DIR" 2>&1)
	fs_stats "$FS_MNT" "$after"
	check_eq "1: ls -ln lists $LS_N entries" "$LS_N" \
		"$(ls_modes <<<"$out" | wc -l)"
	check_eq "1: ls -ln shows the server's modes" "$(disk_modes)" \
		"$(ls_modes <<<"$out")"
	getattrs=$(grep -c 'opcode: GETATTR' "$LOG")
	if [ "$getattrs" -le "$LS_GETATTR_MAX" ]; then
		pass "1: no getattr per entry ($getattrs GETATTR requests for $LS_N entries)"
	else
		fail "1: $getattrs GETATTR requests for $LS_N entries (at most $LS_GETATTR_MAX)"
	fi
	if rt=$(fs_stat_delta "$before" "$after" round_trips); then
		check "1: at most one round trip per entry ($rt for $LS_N)" \
			test "$rt" -le $((LS_N + LS_ROUND_TRIPS_SLACK))
	else
		fail "1: round trips: $rt"
	fi
	check "1: unmount" fs_umount "$FS_MNT"
	rm -f "$before" "$after"
}

# Opens the directory (the listing is read then), has the test's shell
# remove a name on the server, then reads the entries and stats the name.
T2_PY='
import os, sys
d, gone = sys.argv[1], sys.argv[2]
fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
sys.stdout.write("opened\n")
sys.stdout.flush()
sys.stdin.readline()
names = os.listdir(fd)
print(len(names), gone in names)
try:
    os.stat(os.path.join(d, gone))
    print("stat ok")
except FileNotFoundError:
    print("stat ENOENT")
'

test_2() {
	local out
	if ! fs_mount ls2 plain ""; then
		fail "2: mount"
		return
	fi
	coproc T2 { fs_user python3 -c "$T2_PY" "$FS_MNT/$LS_DIR" f7 2>&1; }
	read -r -t 30 out <&"${T2[0]}"
	if [ "$out" != opened ]; then
		fail "2: the reader did not open the directory: $out"
	else
		rm -f "$DISK_DIR/f7"
		echo go >&"${T2[1]}"
		out=$(timeout 30 cat <&"${T2[0]}")
		check_eq "2: listed with the others, then stat says ENOENT" \
			"$LS_N True
stat ENOENT" "$out"
	fi
	wait "$T2_PID" 2>/dev/null
	check "2: unmount" fs_umount "$FS_MNT"
}

make_files
test_1
test_2
rm -rf "$DISK_DIR"
fs_summary
