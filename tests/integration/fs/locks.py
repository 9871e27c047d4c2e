#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""POSIX byte-range locks through a mount, checked against what a local
file system gives.

    locks.py SCENARIO FILE [OTHER]

FILE is an existing file on the mount; OTHER (for other-client) the same
file through a second mount of the share, which is another SMB client.
Other lock owners are child processes ("peers") with descriptors of
their own, driven through pipes. Every wait is bounded. Exit status 0
when the scenario held; otherwise the failed step is printed.

Scenarios:
  conflicts          shared and exclusive conflicts between two
                     processes, EAGAIN, adjacent ranges, F_GETLK naming
                     the holder's pid, unlock splitting a lock
  waiter             F_SETLKW waits until the holder unlocks, and a
                     signal interrupts it
  second-descriptor  a lock taken through one descriptor is released
                     through another of the same process
  close-any          closing any descriptor of the file releases the
                     process's locks
  shared-then-exclusive
                     A and B read-lock, A unlocks, B unlocks, B
                     write-locks (sqlite's sequence), then another
                     client write-locks after B unlocked
  other-client       locks of a second mount: refused while held here,
                     granted after the unlock
"""
import errno
import fcntl
import os
import select
import signal
import struct
import sys
import time

WAIT_S = 15
FLOCK = "@hhqqixxxx"  # struct flock on 64-bit Linux
TYPES = {"r": fcntl.F_RDLCK, "w": fcntl.F_WRLCK, "u": fcntl.F_UNLCK}
NAMES = {v: k for k, v in TYPES.items()}


class Failed(Exception):
    pass


class Alarm(Exception):
    """Raised by the SIGALRM handler (not an OSError, which setlk catches)."""


def flock_bytes(kind, start, length):
    return struct.pack(FLOCK, TYPES[kind], os.SEEK_SET, start, length, 0)


def setlk(fd, kind, start, length, wait=False):
    """"ok", or the errno name of the refusal."""
    cmd = fcntl.F_SETLKW if wait else fcntl.F_SETLK
    try:
        fcntl.fcntl(fd, cmd, flock_bytes(kind, start, length))
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def getlk(fd, kind, start, length):
    """"u", or "TYPE START LEN PID" of the lock in the way."""
    res = fcntl.fcntl(fd, fcntl.F_GETLK, flock_bytes(kind, start, length))
    typ, _, s, n, pid = struct.unpack(FLOCK, res)
    if typ == fcntl.F_UNLCK:
        return "u"
    return "%s %d %d %d" % (NAMES[typ], s, n, pid)


def expect(what, got, want):
    if got != want:
        raise Failed("%s: got %r, expected %r" % (what, got, want))


def refused(result):
    # fcntl(2): a conflict is EAGAIN or EACCES.
    return "EAGAIN" if result in ("EAGAIN", "EACCES") else result


class Peer:
    """Another process, with its own descriptor of path, taking locks on
    request: one command line in, one answer line out."""

    def __init__(self, path):
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.cmd_w)
            os.close(self.res_r)
            status = 1
            try:
                status = self._serve(path, cmd_r, res_w)
            finally:
                os._exit(status)
        os.close(cmd_r)
        os.close(res_w)
        self.buf = b""

    @staticmethod
    def _serve(path, cmd_r, res_w):
        fd = os.open(path, os.O_RDWR)
        for line in os.fdopen(cmd_r, "r"):
            words = line.split()
            if words[0] == "exit":
                return 0
            kind, start, length = words[1], int(words[2]), int(words[3])
            if words[0] == "getlk":
                answer = getlk(fd, kind, start, length)
            else:
                answer = refused(setlk(fd, kind, start, length,
                                       words[0] == "setlkw"))
            os.write(res_w, (answer + "\n").encode())
        return 0

    def send(self, line):
        os.write(self.cmd_w, (line + "\n").encode())

    def answer(self, timeout=WAIT_S):
        """The next answer line, or None after timeout seconds."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.res_r], [], [], left)[0]:
                return None
            chunk = os.read(self.res_r, 256)
            if not chunk:
                raise Failed("peer %d died" % self.pid)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def ask(self, line):
        self.send(line)
        got = self.answer()
        if got is None:
            raise Failed("peer: no answer to %r within %d s" % (line, WAIT_S))
        return got

    def close(self):
        self.send("exit")
        _, status = os.waitpid(self.pid, 0)
        if status:
            raise Failed("peer exited with status %d" % status)


def conflicts(path):
    fd = os.open(path, os.O_RDWR)
    expect("lock [0,100) for writing", setlk(fd, "w", 0, 100), "ok")
    p = Peer(path)
    expect("other process, write lock inside", p.ask("setlk w 50 10"), "EAGAIN")
    expect("other process, read lock inside", p.ask("setlk r 0 10"), "EAGAIN")
    expect("other process, adjacent range", p.ask("setlk w 100 100"), "ok")
    expect("F_GETLK names the holder", p.ask("getlk w 50 10"),
           "w 0 100 %d" % os.getpid())
    expect("own lock converts without conflict", setlk(fd, "r", 0, 100), "ok")
    expect("readers share", p.ask("setlk r 0 10"), "ok")
    expect("upgrade refused while another reads", refused(setlk(fd, "w", 0, 100)),
           "EAGAIN")
    expect("the other process unlocks", p.ask("setlk u 0 10"), "ok")
    expect("upgrade once alone", setlk(fd, "w", 0, 100), "ok")
    expect("unlock the middle", setlk(fd, "u", 40, 20), "ok")
    expect("the middle is free", p.ask("setlk w 45 10"), "ok")
    expect("the rest is held", p.ask("getlk w 0 100"), "w 0 40 %d" % os.getpid())
    expect("and its other part", p.ask("getlk w 60 100"),
           "w 60 40 %d" % os.getpid())
    p.close()
    os.close(fd)


def waiter(path):
    fd = os.open(path, os.O_RDWR)
    expect("lock for writing", setlk(fd, "w", 0, 10), "ok")
    p = Peer(path)
    p.send("setlkw w 0 10")
    expect("the waiter still waits after 0.5 s", p.answer(0.5), None)
    expect("unlock", setlk(fd, "u", 0, 10), "ok")
    expect("the waiter got the lock", p.answer(), "ok")

    def on_alarm(signum, frame):
        raise Alarm()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    start = time.monotonic()
    try:
        got = setlk(fd, "w", 0, 10, wait=True)
    except Alarm:
        got = "interrupted"
    signal.setitimer(signal.ITIMER_REAL, 0)
    expect("a signal interrupts F_SETLKW", got, "interrupted")
    if time.monotonic() - start > WAIT_S:
        raise Failed("the interrupted wait took %.1f s" % (time.monotonic() - start))
    expect("the holder still holds", refused(setlk(fd, "w", 0, 10)), "EAGAIN")
    p.close()
    expect("the holder's exit released it", setlk(fd, "w", 0, 10), "ok")
    os.close(fd)


def second_descriptor(path):
    fd1 = os.open(path, os.O_RDWR)
    fd2 = os.open(path, os.O_RDWR)
    expect("lock through the first descriptor", setlk(fd1, "w", 0, 10), "ok")
    expect("the same process, second descriptor: no conflict",
           setlk(fd2, "w", 5, 10), "ok")
    p = Peer(path)
    expect("another process is refused", p.ask("setlk w 0 1"), "EAGAIN")
    expect("unlock through the second descriptor", setlk(fd2, "u", 0, 15), "ok")
    expect("released for the other process", p.ask("setlk w 0 15"), "ok")
    p.close()
    os.close(fd1)
    os.close(fd2)


def close_any(path):
    fd1 = os.open(path, os.O_RDWR)
    fd2 = os.open(path, os.O_RDONLY)
    expect("lock through the first descriptor", setlk(fd1, "w", 0, 10), "ok")
    p = Peer(path)
    expect("another process is refused", p.ask("setlk w 0 10"), "EAGAIN")
    os.close(fd2)
    expect("closing the other descriptor released it",
           p.ask("setlk w 0 10"), "ok")
    expect("now the first process waits its turn",
           refused(setlk(fd1, "w", 0, 10)), "EAGAIN")
    p.close()
    os.close(fd1)


def shared_then_exclusive(path, other):
    a = Peer(path)
    b = Peer(path)
    expect("A reads", a.ask("setlk r 100 510"), "ok")
    expect("B reads", b.ask("setlk r 100 510"), "ok")
    expect("A unlocks first", a.ask("setlk u 0 0"), "ok")
    expect("B unlocks", b.ask("setlk u 0 0"), "ok")
    expect("B writes", b.ask("setlk w 100 510"), "ok")
    expect("B unlocks again", b.ask("setlk u 0 0"), "ok")
    if other:
        c = Peer(other)
        expect("another client writes then", c.ask("setlk w 100 510"), "ok")
        c.close()
    a.close()
    b.close()


def other_client(path, other):
    fd = os.open(path, os.O_RDWR)
    expect("lock [0,10) for writing", setlk(fd, "w", 0, 10), "ok")
    q = Peer(other)
    expect("the other client is refused", q.ask("setlk w 0 10"), "EAGAIN")
    expect("also a part", q.ask("setlk r 5 1"), "EAGAIN")
    expect("F_GETLK shows it (pid 0: another client)", q.ask("getlk w 0 10"),
           "w 0 10 0")
    expect("an adjacent range is free", q.ask("setlk w 10 10"), "ok")
    expect("unlock", setlk(fd, "u", 0, 10), "ok")
    expect("the other client gets it now", q.ask("setlk w 0 10"), "ok")
    expect("and this one is refused", refused(setlk(fd, "r", 0, 10)), "EAGAIN")
    expect("the other client unlocks", q.ask("setlk u 0 0"), "ok")
    expect("readers of two clients share", setlk(fd, "r", 50, 10), "ok")
    expect("the other client reads too", q.ask("setlk r 50 10"), "ok")
    expect("but cannot write", q.ask("setlk w 50 10"), "EAGAIN")
    q.close()
    expect("the other client's exit released its read lock",
           setlk(fd, "w", 50, 10), "ok")
    os.close(fd)


SCENARIOS = {
    "conflicts": conflicts,
    "waiter": waiter,
    "second-descriptor": second_descriptor,
    "close-any": close_any,
}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    name, path = sys.argv[1], sys.argv[2]
    other = sys.argv[3] if len(sys.argv) > 3 else None
    try:
        if name == "other-client":
            other_client(path, other)
        elif name == "shared-then-exclusive":
            shared_then_exclusive(path, other)
        else:
            SCENARIOS[name](path)
    except Failed as e:
        print("locks.py %s: %s" % (name, e), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
