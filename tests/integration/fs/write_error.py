#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes a file and reports the first error write(2) or close(2) gave.

    write_error.py PATH FIRST_MIB THEN_MIB [SYNC_DIR]

Creates PATH, writes FIRST_MIB MiB in 1 MiB writes and fsyncs them (all
must succeed), then, with SYNC_DIR given, creates SYNC_DIR/ready and
waits (up to 60 s) for SYNC_DIR/go. Then writes THEN_MIB MiB more,
stopping at the first failed write, and closes. Prints one line:

    write=ERRNAME close=ERRNAME

with "ok" for a call that succeeded and "-" for writes never made. The
write-behind data path may report a server-side failure at any later
write or at close; what matters is that one of them reports it.
"""
import errno
import os
import sys
import time

MIB = 1 << 20


def name(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def main():
    path, first, then = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sync_dir = sys.argv[4] if len(sys.argv) > 4 else None
    block = b"x" * MIB
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for _ in range(first):
        os.write(fd, block)
    if first:
        os.fsync(fd)
    if sync_dir:
        open(os.path.join(sync_dir, "ready"), "w").close()
        deadline = time.monotonic() + 60
        while not os.path.exists(os.path.join(sync_dir, "go")):
            if time.monotonic() > deadline:
                print("timeout waiting for go")
                sys.exit(1)
            time.sleep(0.05)
    write_result = "-"
    for _ in range(then):
        try:
            os.write(fd, block)
            write_result = "ok"
        except OSError as e:
            write_result = name(e)
            break
    try:
        os.close(fd)
        close_result = "ok"
    except OSError as e:
        close_result = name(e)
    print("write=%s close=%s" % (write_result, close_result))


if __name__ == "__main__":
    main()
