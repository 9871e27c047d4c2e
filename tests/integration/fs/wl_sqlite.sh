#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# sqlite3 databases written at once by several lock owners (busy timeout
# set), each checked for every row and integrity_check ok, on a server
# with Samba's default "posix locking = yes":
# - two sqlite3 processes on one mount (default options), 200
#   transactions each;
# - two connections of one python3 process, whose read transactions
#   overlap (sqlite then unlocks through the other connection's
#   descriptor);
# - one sqlite3 process on each of two mounts of the share, 200
#   transactions each.  Those mounts use cache=none,actimeo=0: sqlite
#   keeps the database open and reads what the other client wrote right
#   after taking its lock.  smbfs drops neither cached pages nor cached
#   attributes when a lock is taken, so with cache=strict the kernel may
#   serve pages from before the other client's commit (rows lost), and
#   with actimeo > 0 a cached directory entry may still show the journal
#   the other client deleted ("unable to open database file").
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_workload_start sqlite
ROWS=200
UNCACHED=cache=none,actimeo=0

writer() {
	local db=$1 who=$2 i
	{
		echo ".timeout 60000"
		for i in $(seq 1 "$ROWS"); do
			# IMMEDIATE: take the write lock up front, so a busy
			# database waits instead of failing with a deadlock.
			echo "BEGIN IMMEDIATE;"
			echo "INSERT INTO t(who, n) VALUES('$who', $i);"
			echo "COMMIT;"
		done
	} | fs_user sqlite3 -bail "$db"
}

# two_writers LABEL DB_A DB_B: writer a on DB_A and b on DB_B (paths of
# one database) at once; the database is created through DB_A.
two_writers() {
	local label=$1 rc_a=0 rc_b=0 pa pb t0
	check "$label: create the database" fs_user sqlite3 "$2" \
		"CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT, n INTEGER);"
	t0=$(now_ms)
	writer "$2" a &
	pa=$!
	writer "$3" b &
	pb=$!
	wait "$pa" || rc_a=$?
	wait "$pb" || rc_b=$?
	echo "time: sqlite-writers ($label) $(($(now_ms) - t0)) ms"
	check_eq "$label: writer a finished cleanly" 0 "$rc_a"
	check_eq "$label: writer b finished cleanly" 0 "$rc_b"
}

# check_db LABEL DB: every row, the server's copy too, no journal left.
check_db() {
	local label=$1 db=$2 name
	name=$(basename "$db")
	check_eq "$label: $((2 * ROWS)) rows" $((2 * ROWS)) \
		"$(fs_user sqlite3 "$db" 'SELECT count(*) FROM t;' 2>&1)"
	check_eq "$label: $ROWS rows from each writer, every n once" \
		"$ROWS $ROWS" \
		"$(fs_user sqlite3 "$db" "SELECT count(DISTINCT n) FROM t WHERE who='a'; SELECT count(DISTINCT n) FROM t WHERE who='b';" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
	check_eq "$label: integrity_check" ok \
		"$(fs_user sqlite3 "$db" 'PRAGMA integrity_check;' 2>&1)"
	check_eq "$label: the server's copy is the same database" \
		$((2 * ROWS)) \
		"$(fs_user sqlite3 "file:$D/$name?immutable=1" 'SELECT count(*) FROM t;' 2>&1)"
	check_eq "$label: no journal left" "" "$(ls -A "$D" | grep -- "^$name-")"
}

two_writers "one mount" "$M/one.db" "$M/one.db"
check_db "one mount" "$M/one.db"

check_eq "two connections of one process: no \"database is locked\"" \
	"ok 40" \
	"$(fs_user /usr/bin/python3 "$FS_LIB_DIR/sqlite_conns.py" \
		"$M/conns.db" 20 2>&1)"

if fs_mount sqlite-a plain "$UNCACHED"; then
	A=$FS_MNT/wl-sqlite
	if fs_mount sqlite-b plain "$UNCACHED"; then
		two_writers "two mounts" "$A/two.db" "$FS_MNT/wl-sqlite/two.db"
		check_db "two mounts" "$A/two.db"
	else
		fail "second mount with $UNCACHED"
	fi
else
	fail "first mount with $UNCACHED"
fi
fs_finish
