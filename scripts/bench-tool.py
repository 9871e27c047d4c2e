#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Small programs for scripts/bench.sh.

  bench-tool.py create DIR COUNT SIZE
      makes DIR and COUNT files of SIZE bytes in it (open O_CREAT|O_EXCL,
      write, close), timing itself; prints
      "START END FIRST LAST BLOCK": wall-clock start and end (seconds since
      the epoch, the clock bash's EPOCHREALTIME reads) and how long the
      first and the last BLOCK files took (BLOCK is 1,000, or half of
      COUNT when COUNT is smaller than 2,000).
  bench-tool.py tree DIR FILES
      a deterministic tree of FILES small files (1 to 16 KiB) in
      directories of 100, for the latency untar.
  bench-tool.py tarlist ROOT DIR
      the paths to tar for an untar every client can reproduce: DIR (under
      ROOT) and what is below it, relative to ROOT, NUL-separated, parents
      first, without symbolic links (smbnetfs and rclone cannot make them)
      and without names that differ from an earlier one only in case (a
      share is case-insensitive, so the later would overwrite it).
  bench-tool.py tarinfo TARBALL
      prints "ENTRIES FILES DIRS BYTES" of a tarball.
  bench-tool.py cpu PID
      user + system CPU seconds of process PID so far.
  bench-tool.py smbdcpu CONF
      user + system CPU seconds of the smbd processes started with CONF so
      far: those running, and those their parents have reaped (the
      connection processes of smbclient sessions that ended).
"""
import os
import random
import sys
import tarfile
import time


def create(path, count, size):
    os.mkdir(path)
    data = b"x" * size
    block = 1000 if count >= 2000 else max(count // 2, 1)
    marks = {}
    start_wall = time.time()
    t0 = time.monotonic()
    for i in range(count):
        fd = os.open(os.path.join(path, "f%05d" % i),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            if data:
                os.write(fd, data)
        finally:
            os.close(fd)
        done = i + 1
        if done in (block, count - block, count):
            marks[done] = time.monotonic()
    total = marks[count] - t0
    first = marks[block] - t0
    last = marks[count] - marks.get(count - block, t0)
    print("%.6f %.6f %.6f %.6f %d" % (start_wall, start_wall + total, first,
                                      last, block))


def tree(path, files):
    rnd = random.Random(4096)
    for i in range(files):
        d = os.path.join(path, "d%02d" % (i // 100))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "f%04d.txt" % i), "wb") as f:
            f.write(rnd.randbytes(rnd.randint(1024, 16384)))


def tarlist(root, top):
    seen = set()
    out = []

    def add(rel):
        key = rel.casefold()
        if key in seen:
            return False
        seen.add(key)
        out.append(rel)
        return True

    parts = top.split("/")
    for i in range(1, len(parts) + 1):
        add("/".join(parts[:i]))
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
        rel_dir = os.path.relpath(dirpath, root)
        keep = []
        for d in sorted(dirnames):
            rel = os.path.join(rel_dir, d)
            if not os.path.islink(os.path.join(root, rel)) and add(rel):
                keep.append(d)
        dirnames[:] = keep
        for f in sorted(filenames):
            rel = os.path.join(rel_dir, f)
            if not os.path.islink(os.path.join(root, rel)):
                add(rel)
    sys.stdout.write("".join(p + "\0" for p in out))


def tarinfo(path):
    entries = files = dirs = size = 0
    with tarfile.open(path) as tar:
        for member in tar:
            entries += 1
            if member.isdir():
                dirs += 1
            elif member.isfile():
                files += 1
                size += member.size
    print(entries, files, dirs, size)


def cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # proc(5): utime and stime are fields 14 and 15, in clock ticks.
    ticks = int(fields[11]) + int(fields[12])
    print("%.2f" % (ticks / os.sysconf("SC_CLK_TCK")))


def smbdcpu(conf):
    ticks = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                args = f.read().split(b"\0")
            with open("/proc/%s/stat" % pid) as f:
                head, tail = f.read().rsplit(")", 1)
        except OSError:
            continue
        if conf.encode() not in args or "(smbd" not in head:
            continue
        # proc(5): utime, stime, cutime, cstime: fields 14 to 17.
        ticks += sum(int(x) for x in tail.split()[11:15])
    print("%.2f" % (ticks / os.sysconf("SC_CLK_TCK")))


def main(argv):
    if len(argv) == 5 and argv[1] == "create":
        create(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) == 4 and argv[1] == "tree":
        tree(argv[2], int(argv[3]))
    elif len(argv) == 4 and argv[1] == "tarlist":
        tarlist(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "tarinfo":
        tarinfo(argv[2])
    elif len(argv) == 3 and argv[1] == "cpu":
        cpu(int(argv[2]))
    elif len(argv) == 3 and argv[1] == "smbdcpu":
        smbdcpu(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
