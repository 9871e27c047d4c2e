#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A sqlite3 database on the mount written by two processes at once (200
# transactions each, busy timeout): 400 rows and integrity_check ok.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_workload_start sqlite
DB=$M/test.db
ROWS=200

writer() {
	local who=$1 i
	{
		echo ".timeout 60000"
		for i in $(seq 1 "$ROWS"); do
			# IMMEDIATE: take the write lock up front, so a busy
			# database waits instead of failing with a deadlock.
			echo "BEGIN IMMEDIATE;"
			echo "INSERT INTO t(who, n) VALUES('$who', $i);"
			echo "COMMIT;"
		done
	} | fs_user sqlite3 -bail "$DB"
}

check "create the database" fs_user sqlite3 "$DB" \
	"CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT, n INTEGER);"
t0=$(now_ms)
writer a &
pa=$!
writer b &
pb=$!
rc_a=0
rc_b=0
wait "$pa" || rc_a=$?
wait "$pb" || rc_b=$?
echo "time: sqlite-writers $(($(now_ms) - t0)) ms"
check_eq "writer a finished cleanly" 0 "$rc_a"
check_eq "writer b finished cleanly" 0 "$rc_b"
check_eq "400 rows" 400 "$(fs_user sqlite3 "$DB" 'SELECT count(*) FROM t;' 2>&1)"
check_eq "200 rows from each writer, every n once" "200 200" \
	"$(fs_user sqlite3 "$DB" "SELECT count(DISTINCT n) FROM t WHERE who='a'; SELECT count(DISTINCT n) FROM t WHERE who='b';" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
check_eq "integrity_check" ok "$(fs_user sqlite3 "$DB" 'PRAGMA integrity_check;' 2>&1)"
check "the server's copy is the same database" \
	fs_user bash -c 'test "$(sqlite3 "file:$1?immutable=1" "SELECT count(*) FROM t;")" = 400' x "$D/test.db"
check_eq "no journal left" "test.db" "$(ls -A "$D")"
fs_finish
