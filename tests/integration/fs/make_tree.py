#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Builds a deterministic test tree for the smbfs workload tests.

    make_tree.py DIR COUNT SYMLINKS

COUNT regular files in nested directories (up to four levels), sizes from
0 bytes to 3 MiB (a handful above 1 MiB), mtimes with microseconds (SMB
keeps 100 ns units, so they survive exactly), a few read-only and
executable files, a few names holding characters SMB cannot (mapped by
smbfs) and, with SYMLINKS=1, a few relative symlinks (one dangling).
Names are lower case only, so no two differ only in case.
"""
import os
import random
import sys

MIB = 1024 * 1024


def file_size(rng, i):
    if i % 1000 == 7:
        return rng.randint(MIB + 1, 3 * MIB)
    r = rng.random()
    if r < 0.10:
        return 0
    if r < 0.92:
        return rng.randint(1, 8192)
    return rng.randint(8193, 64 * 1024)


def file_name(rng, i):
    special = i % 500
    base = "f%05d-%s" % (i, rng.choice(["data", "log", "cfg", "txt", "bin"]))
    if special == 11:
        return base + ":colon"
    if special == 12:
        return base + "?what"
    if special == 13:
        return base + " trailing space "
    if special == 14:
        return base + ".trailing-dot."
    if special == 15:
        return "-" + base + " <pipe|star*>"
    return base


def main():
    root, count, links = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
    rng = random.Random(20240611)
    os.makedirs(root)
    dirs = [root]
    # About 25 files per directory, nested up to four levels deep.
    for d in range(count // 25):
        parent = rng.choice([x for x in dirs if x.count(os.sep) -
                             root.count(os.sep) < 4])
        path = os.path.join(parent, "d%03d" % d)
        os.mkdir(path)
        dirs.append(path)
    files = []
    for i in range(count):
        path = os.path.join(rng.choice(dirs), file_name(rng, i))
        with open(path, "wb") as f:
            f.write(rng.randbytes(file_size(rng, i)))
        files.append(path)
    for i, path in enumerate(files):
        if i % 333 == 5:
            os.chmod(path, 0o444)
        elif i % 97 == 3:
            os.chmod(path, 0o755)
        else:
            os.chmod(path, 0o644)
    if links:
        for i in range(10):
            target = rng.choice(files)
            link = os.path.join(rng.choice(dirs), "link%02d" % i)
            os.symlink(os.path.relpath(target, os.path.dirname(link)), link)
        os.symlink("no/such/target", os.path.join(root, "dangling"))
    # Times last, deepest first, so creating children does not move them.
    for path in files:
        sec = rng.randint(1000000000, 1700000000)
        usec = rng.randint(0, 999999)
        ns = sec * 10**9 + usec * 1000
        os.utime(path, ns=(ns, ns))
    for path in sorted(dirs, key=lambda p: -p.count(os.sep)):
        ns = rng.randint(1000000000, 1700000000) * 10**9
        os.utime(path, ns=(ns, ns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
