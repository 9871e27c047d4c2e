#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks that data written and read through a mount is exact.

    datapath.py MOUNT_FILE SERVER_FILE SEED

MOUNT_FILE is a file name on the mount, SERVER_FILE the same file on the
server's disk (read only at the end, when everything is closed). The
steps, each ending in a comparison with a model kept in memory:

  1. A file of SIZE bytes written sequentially in 1 MiB writes (write-
     behind coalesces them), then read back sequentially (read-ahead).
  2. PROCS processes, each with its own descriptor, write pieces of
     random offsets and sizes (1 byte to 3 MiB) into stripes only it
     writes, reading random ranges of its stripes back as it goes, and
     fsync now and then. Meanwhile each hands one piece to the next
     process, which must read exactly that through its own descriptor
     once told it was written.
  3. The whole file read by PROCS processes at once, sequentially, each
     with another block size, then with random reads; and the server's
     copy compared byte for byte.

Prints one line per failed check and "ok N checks" at the end; exits 1
when anything differed or failed.
"""
import os
import random
import select
import sys

MIB = 1 << 20
SIZE = 40 * MIB
PROCS = 4
STRIPE = 3 * MIB + 4097  # odd: pieces straddle every boundary
OPS = 60
BLOCKS = [4096, 131072, MIB, 3 * MIB + 1]

checks = 0
failures = 0


def check(ok, what):
    global checks, failures
    checks += 1
    if not ok:
        failures += 1
        print("FAIL %s" % what, flush=True)


def first_diff(a, b):
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            return i
    return min(len(a), len(b))


def same(got, want, what):
    if got == want:
        check(True, what)
        return
    check(False, "%s: %d bytes, expected %d, first difference at %d"
          % (what, len(got), len(want), first_diff(got, want)))


def pread_all(fd, length, off):
    out = bytearray()
    while len(out) < length:
        piece = os.pread(fd, length - len(out), off + len(out))
        if not piece:
            break
        out += piece
    return bytes(out)


def pwrite_all(fd, data, off):
    done = 0
    while done < len(data):
        done += os.pwrite(fd, data[done:], off + done)


def read_sequential(path, block):
    fd = os.open(path, os.O_RDONLY)
    out = bytearray()
    try:
        while True:
            piece = os.read(fd, block)
            if not piece:
                break
            out += piece
    finally:
        os.close(fd)
    return bytes(out)


def owner(off):
    return (off // STRIPE) % PROCS


def own_range(rng, pid):
    """A random piece inside one stripe of pid: (offset, length)."""
    stripes = [s for s in range((SIZE - 1) // STRIPE + 1) if s % PROCS == pid]
    s = rng.choice(stripes)
    end_of_stripe = min((s + 1) * STRIPE, SIZE)
    start = rng.randrange(s * STRIPE, end_of_stripe)
    length = rng.choice([1, 100, 4096, 65536, 200000, 3 * MIB])
    return start, min(length, end_of_stripe - start)


def read_line(fd, timeout_s):
    """One line from a pipe, or b"" when nothing came in time."""
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], timeout_s)
        if not ready:
            return b""
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        line += chunk
    return line


def worker(path, seed, pid, model, to_next, from_prev):
    rng = random.Random(seed * 100 + pid)
    fd = os.open(path, os.O_RDWR)
    for op in range(OPS):
        off, length = own_range(rng, pid)
        if op == OPS - 1:
            # The last write, then read through the next one's descriptor.
            data = rng.randbytes(length)
            pwrite_all(fd, data, off)
            model[off:off + length] = data
            os.write(to_next, b"%d %d %s\n" % (off, length,
                                               data[:64].hex().encode()))
            break
        if rng.random() < 0.3:
            same(pread_all(fd, length, off), bytes(model[off:off + length]),
                 "proc %d: read back %d bytes at %d" % (pid, length, off))
        else:
            data = rng.randbytes(length)
            pwrite_all(fd, data, off)
            model[off:off + length] = data
        if rng.random() < 0.05:
            os.fsync(fd)
    # The previous process's piece, through this descriptor.
    line = read_line(from_prev, 300)
    check(line != b"", "proc %d: word from the previous process" % pid)
    if line:
        off, length, head = line.split()
        got = pread_all(fd, int(length), int(off))
        check(got[:64].hex().encode() == head and len(got) == int(length),
              "proc %d: the piece another process wrote at %s"
              % (pid, off.decode()))
    try:
        os.close(fd)
    except OSError as e:
        check(False, "proc %d: close: %s" % (pid, e))
    return bytes(model)


def run_writers(path, seed, model):
    pipes = [os.pipe() for _ in range(PROCS)]
    results = []
    for pid in range(PROCS):
        r, w = os.pipe()
        child = os.fork()
        if child == 0:
            try:
                final = worker(path, seed, pid, bytearray(model),
                               pipes[(pid + 1) % PROCS][1], pipes[pid][0])
                with os.fdopen(w, "wb") as out:
                    out.write(b"%d %d\n" % (checks, failures))
                    out.write(final)
                os._exit(0)
            except Exception as e:  # reported by the parent
                print("FAIL proc %d: %r" % (pid, e), flush=True)
                os._exit(1)
        os.close(w)
        results.append((child, r))
    for pid, (child, r) in enumerate(results):
        with os.fdopen(r, "rb") as inp:
            blob = inp.read()
        _, status = os.waitpid(child, 0)
        check(status == 0, "proc %d exited cleanly" % pid)
        if not blob:
            continue
        head, final = blob.split(b"\n", 1)
        n, bad = (int(x) for x in head.split())
        add_counts(n, bad)
        # Each process is the authority on its own stripes.
        for off in range(pid * STRIPE, SIZE, PROCS * STRIPE):
            model[off:off + STRIPE] = final[off:off + STRIPE]
    return model


def add_counts(n, bad):
    global checks, failures
    checks += n
    failures += bad


def run_readers(path, model):
    children = []
    for i, block in enumerate(BLOCKS):
        child = os.fork()
        if child == 0:
            ok = read_sequential(path, block) == bytes(model)
            os._exit(0 if ok else 1)
        children.append((child, block))
    for child, block in children:
        _, status = os.waitpid(child, 0)
        check(status == 0, "sequential read in %d-byte blocks, %d readers"
              " at once" % (block, len(BLOCKS)))


def main():
    path, server_path, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(seed)
    model = bytearray(rng.randbytes(SIZE))

    with open(path, "wb") as f:
        for off in range(0, SIZE, MIB):
            f.write(model[off:off + MIB])
    same(read_sequential(path, MIB), bytes(model),
         "sequential write, then sequential read")

    model = run_writers(path, seed, model)
    same(read_sequential(path, MIB), bytes(model),
         "after concurrent random writes")
    run_readers(path, model)

    fd = os.open(path, os.O_RDONLY)
    for _ in range(50):
        off = rng.randrange(SIZE)
        length = rng.choice([1, 4096, 100000, 2 * MIB])
        same(pread_all(fd, length, off), bytes(model[off:off + length]),
             "random read of %d bytes at %d" % (length, off))
    os.close(fd)

    with open(server_path, "rb") as f:
        same(f.read(), bytes(model), "the server's copy")
    print("ok %d checks, %d failed" % (checks, failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
