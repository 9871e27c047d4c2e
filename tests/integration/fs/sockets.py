#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Small socket tools for the shell tests.

    sockets.py syslog-sink SOCKET OUTFILE
        Serves SOCKET as a syslog datagram socket (what /dev/log is) and
        appends every message to OUTFILE, one line each. Prints
        "ready INODE" once bound (INODE: the socket file's, so the caller
        removes only its own), or exits with status 3 when SOCKET already
        exists. On SIGTERM it removes SOCKET if it is still its own.

    sockets.py silent-server PORTFILE ACCEPTFILE
        Listens on 127.0.0.1 (a free port, written to PORTFILE), accepts
        every connection and keeps it open without reading or sending a
        byte. ACCEPTFILE holds the number of connections accepted so far.

    sockets.py ask SOCKET LINE
        Sends LINE to the UNIX stream socket SOCKET and prints the one line
        that comes back (at most 10 s).
"""
import os
import signal
import socket
import stat
import sys

ASK_TIMEOUT_S = 10


def write_atomically(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def exit_on_sigterm(cleanup=None):
    def handler(_sig, _frame):
        if cleanup:
            cleanup()
        os._exit(0)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def syslog_sink(path, outfile):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.bind(path)  # creates the file, or fails if anything is there
    except OSError as e:
        print("error %s: %s" % (path, e.strerror), flush=True)
        sys.exit(3)
    inode = os.stat(path).st_ino
    # Daemons of any user log here: sending needs write permission.
    os.chmod(path, 0o666)

    def remove_own_socket():
        try:
            st = os.lstat(path)
            if st.st_ino == inode and stat.S_ISSOCK(st.st_mode):
                os.unlink(path)
        except OSError:
            pass

    exit_on_sigterm(remove_own_socket)
    print("ready %d" % inode, flush=True)
    with open(outfile, "a") as out:
        while True:
            data = s.recv(65536)
            out.write(data.decode("utf-8", "replace").rstrip("\n") + "\n")
            out.flush()


def silent_server(portfile, acceptfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    exit_on_sigterm()
    write_atomically(acceptfile, "0\n")
    write_atomically(portfile, "%d\n" % s.getsockname()[1])
    held = []
    while True:
        conn, _addr = s.accept()
        held.append(conn)
        write_atomically(acceptfile, "%d\n" % len(held))


def ask(path, line):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(ASK_TIMEOUT_S)
    s.connect(path)
    s.sendall(line.encode() + b"\n")
    answer = b""
    while not answer.endswith(b"\n"):
        data = s.recv(4096)
        if not data:
            break
        answer += data
    print(answer.decode("utf-8", "replace").rstrip("\n"))
    return 0 if answer else 1


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "syslog-sink" and len(sys.argv) == 4:
        syslog_sink(sys.argv[2], sys.argv[3])
    elif cmd == "silent-server" and len(sys.argv) == 4:
        silent_server(sys.argv[2], sys.argv[3])
    elif cmd == "ask" and len(sys.argv) == 4:
        try:
            sys.exit(ask(sys.argv[2], sys.argv[3]))
        except OSError as e:
            print("error %s" % e, file=sys.stderr)
            sys.exit(1)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
