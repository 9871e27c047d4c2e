#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""POSIX corners on a mounted directory (run as the mount's owner).

    posix_corners.py DIR

Prints one "ok <what>" or "FAIL <what>: <why>" line per check:
ctime after chmod/chown/link/rename, utimensat with UTIME_OMIT and
nanoseconds (SMB keeps 100 ns), st_nlink of hard links, O_EXCL, O_TRUNC
on a read-only file, rename over directories, and the errnos POSIX names
for each kind of name clash.
"""
import errno
import os
import sys
import time

results = []


def report(ok, what, why=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + why))
    results.append(ok)


def fails_with(err, what, fn):
    try:
        fn()
    except OSError as e:
        report(e.errno == err, what, "got %s" % errno.errorcode.get(e.errno))
        return
    report(False, what, "succeeded, expected %s" % errno.errorcode[err])


def put(name, data="x"):
    with open(name, "w") as f:
        f.write(data)


def main():
    os.chdir(sys.argv[1])
    # ctime moves with every change of the inode
    for op in ("chmod", "chown", "link", "rename"):
        put("c-" + op)
        before = os.stat("c-" + op).st_ctime_ns
        time.sleep(1.1)
        name = "c-" + op
        if op == "chmod":
            os.chmod(name, 0o600)
        elif op == "chown":
            os.chown(name, os.getuid(), os.getgid())
        elif op == "link":
            os.link(name, name + ".2")
        else:
            os.rename(name, name + ".r")
            name += ".r"
        after = os.stat(name).st_ctime_ns
        report(after > before, "ctime moves on " + op,
               "%d -> %d" % (before, after))

    # times to 100 ns; UTIME_OMIT leaves one alone, UTIME_NOW is now
    put("t")
    os.utime("t", ns=(1500000000123456789, 1600000000987654321))
    st = os.stat("t")
    report((st.st_atime_ns, st.st_mtime_ns) ==
           (1500000000123456700, 1600000000987654300),
           "utimensat keeps nanoseconds (to SMB's 100 ns)",
           "%d %d" % (st.st_atime_ns, st.st_mtime_ns))
    os.utime("t", ns=(st.st_atime_ns, 1700000000000000000))  # mtime only
    st2 = os.stat("t")
    report(st2.st_atime_ns == st.st_atime_ns and
           st2.st_mtime_ns == 1700000000000000000,
           "utimensat with one time left as it was", str(st2))
    now = time.time_ns()
    os.utime("t")  # both UTIME_NOW
    st3 = os.stat("t")
    report(abs(st3.st_mtime_ns - now) < 5 * 10**9, "utimensat UTIME_NOW",
           "%d vs %d" % (st3.st_mtime_ns, now))

    # hard links count
    put("l1")
    os.link("l1", "l2")
    report(os.stat("l1").st_nlink == 2 and os.stat("l2").st_nlink == 2,
           "st_nlink 2 for both names of a hard link",
           str(os.stat("l1").st_nlink))
    os.unlink("l2")
    report(os.stat("l1").st_nlink == 1, "st_nlink 1 after unlink",
           str(os.stat("l1").st_nlink))

    # opens
    fails_with(errno.EEXIST, "O_CREAT|O_EXCL on an existing file",
               lambda: os.open("t", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    put("ro", "data")
    os.chmod("ro", 0o444)
    fails_with(errno.EACCES, "O_TRUNC on a 0444 file",
               lambda: os.open("ro", os.O_WRONLY | os.O_TRUNC))
    with open("ro") as f:
        report(f.read() == "data", "the 0444 file kept its data")

    # renames over directories
    os.mkdir("ra")
    os.mkdir("rb")
    put("ra/f")
    os.rename("ra", "rb")
    report(os.path.exists("rb/f") and not os.path.exists("ra"),
           "rename of a directory over an empty one")
    os.mkdir("rc")
    fails_with(errno.ENOTEMPTY, "rename over a non-empty directory",
               lambda: os.rename("rc", "rb"))
    fails_with(errno.EISDIR, "rename of a file over a directory",
               lambda: os.rename("t", "rb"))
    fails_with(errno.ENOTDIR, "rename of a directory over a file",
               lambda: os.rename("rc", "t"))
    fails_with(errno.EINVAL, "rename of a directory into itself",
               lambda: os.rename("rb", "rb/sub"))

    # names
    fails_with(errno.ENAMETOOLONG, "a 256-byte name",
               lambda: open("n" * 256, "w"))
    fails_with(errno.EEXIST, "mkdir of an existing name",
               lambda: os.mkdir("t"))
    fails_with(errno.EEXIST, "link to an existing name",
               lambda: os.link("l1", "t"))
    fails_with(errno.EEXIST, "symlink to an existing name",
               lambda: os.symlink("l1", "t"))
    fails_with(errno.ENOTEMPTY, "rmdir of a non-empty directory",
               lambda: os.rmdir("rb"))
    fails_with(errno.EISDIR, "unlink of a directory",
               lambda: os.unlink("rb"))
    fails_with(errno.EISDIR, "open of a directory for writing",
               lambda: os.open("rb", os.O_WRONLY))
    fails_with(errno.ENOTDIR, "a file used as a directory",
               lambda: os.stat("t/x"))
    fails_with(errno.ENOTDIR, "rmdir of a file", lambda: os.rmdir("t"))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
