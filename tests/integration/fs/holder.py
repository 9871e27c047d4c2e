#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Holds one file open and runs commands on that one descriptor.

    holder.py DIR PATH MODE

MODE: "ro" (O_RDONLY), "rw" (O_RDWR) or "create" (O_RDWR | O_CREAT |
O_TRUNC). The commands come as files DIR/cmd.N (N = 1, 2, ...), each
holding one line; the reply to command N goes to DIR/reply.N, and the
reply to the open itself to DIR/reply.0. Files rather than a pipe: a pipe
end inherited by some other child of the test (a restarted server, say)
would keep the holder from ever seeing its end.

    write OFFSET TEXT     pwrite TEXT (the rest of the line, "\\n" for a
                          newline)                -> ok BYTES_WRITTEN
    read OFFSET LENGTH    pread                   -> ok TEXT ("\\n" escaped)
    sha256 OFFSET LENGTH  SHA-256 of LENGTH bytes read from OFFSET in 1 MiB
                          pieces (less at the end of the file) -> ok HEX
    fsync                                         -> ok
    close                 closes the descriptor and exits -> ok

A failed call replies "error ENAME strerror-text". The holder writes its
pid to DIR/pid, and exits by itself when DIR disappears or after an hour
without commands, so a test killed hard leaves nothing behind for long.
"""
import errno
import hashlib
import os
import sys
import time

POLL_S = 0.02
IDLE_LIMIT_S = 3600
PIECE = 1 << 20
FLAGS = {
    "ro": os.O_RDONLY,
    "rw": os.O_RDWR,
    "create": os.O_RDWR | os.O_CREAT | os.O_TRUNC,
}


def reply(cmd_dir, n, text):
    tmp = os.path.join(cmd_dir, "reply.%d.tmp" % n)
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.rename(tmp, os.path.join(cmd_dir, "reply.%d" % n))


def os_error(e):
    name = errno.errorcode.get(e.errno, str(e.errno))
    return "error %s %s" % (name, os.strerror(e.errno))


def escape(data):
    return data.decode("latin-1").replace("\\", "\\\\").replace("\n", "\\n")


def unescape(text):
    return text.replace("\\n", "\n").replace("\\\\", "\\").encode("latin-1")


def sha256(fd, offset, length):
    h = hashlib.sha256()
    while length > 0:
        data = os.pread(fd, min(PIECE, length), offset)
        if not data:
            break
        h.update(data)
        offset += len(data)
        length -= len(data)
    return h.hexdigest()


def run(fd, line):
    words = line.split(" ", 2)
    op = words[0]
    if op == "write":
        return "ok %d" % os.pwrite(fd, unescape(words[2]), int(words[1]))
    if op == "read":
        return "ok " + escape(os.pread(fd, int(words[2]), int(words[1])))
    if op == "sha256":
        return "ok " + sha256(fd, int(words[1]), int(words[2]))
    if op == "fsync":
        os.fsync(fd)
        return "ok"
    raise ValueError("unknown command: " + line)


def next_command(cmd_dir, n):
    path = os.path.join(cmd_dir, "cmd.%d" % n)
    idle_since = time.monotonic()
    while not os.path.exists(path):
        if not os.path.isdir(cmd_dir):
            sys.exit(0)
        if time.monotonic() - idle_since > IDLE_LIMIT_S:
            sys.exit(1)
        time.sleep(POLL_S)
    with open(path) as f:
        return f.read().rstrip("\n")


def main():
    cmd_dir, path, mode = sys.argv[1:4]
    with open(os.path.join(cmd_dir, "pid"), "w") as f:
        f.write("%d\n" % os.getpid())
    try:
        fd = os.open(path, FLAGS[mode], 0o644)
    except OSError as e:
        reply(cmd_dir, 0, os_error(e))
        return
    reply(cmd_dir, 0, "ok opened")
    n = 1
    while True:
        line = next_command(cmd_dir, n)
        if line == "close":
            try:
                os.close(fd)
                reply(cmd_dir, n, "ok")
            except OSError as e:
                reply(cmd_dir, n, os_error(e))
            return
        try:
            text = run(fd, line)
        except OSError as e:
            text = os_error(e)
        except (ValueError, IndexError) as e:
            text = "error EINVAL %s" % e
        reply(cmd_dir, n, text)
        n += 1


if __name__ == "__main__":
    main()
