#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Two sqlite3 connections to one database in one process.

    sqlite_conns.py DB ROUNDS

sqlite's unix VFS keeps one lock state per file and process: the
connection that read-locked first may leave while the other still reads,
and the last one out unlocks through its own descriptor, which is not the
one the lock was taken through. Each round overlaps a read transaction
of both connections (either may leave first), then writes through each.
A lock left behind on the server shows as "database is locked" once the
busy timeout runs out. Prints "ok N" with the row count.
"""
import sqlite3
import sys

BUSY_TIMEOUT_S = 5


def main():
    db, rounds = sys.argv[1], int(sys.argv[2])
    c1 = sqlite3.connect(db, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    c2 = sqlite3.connect(db, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    c1.execute("CREATE TABLE t(n INTEGER)")
    for i in range(rounds):
        first, second = (c1, c2) if i % 2 == 0 else (c2, c1)
        first.execute("BEGIN")
        first.execute("SELECT count(*) FROM t").fetchone()
        second.execute("BEGIN")
        second.execute("SELECT count(*) FROM t").fetchone()
        first.execute("COMMIT")
        second.execute("COMMIT")
        second.execute("INSERT INTO t VALUES(?)", (2 * i,))
        first.execute("INSERT INTO t VALUES(?)", (2 * i + 1,))
    n = c2.execute("SELECT count(DISTINCT n) FROM t").fetchone()[0]
    c1.close()
    c2.close()
    print("ok %d" % n)
    return 0 if n == 2 * rounds else 1


if __name__ == "__main__":
    sys.exit(main())
