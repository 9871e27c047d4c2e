#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A hostile SMB2 server for the tests, on loopback.

It speaks just enough SMB 2.1 for smbfs to mount its one read-only share:
NEGOTIATE (signing enabled, not required, unless --sign-required),
SESSION_SETUP with SPNEGO/NTLMSSP (NTLMv2 checked against --password, so
the session key is known and signed sessions work), TREE_CONNECT, CREATE,
CLOSE, QUERY_INFO, QUERY_DIRECTORY, READ, ECHO and the goodbyes.  The
share holds ordinary files and directories, and entries whose name
chooses a misbehaviour: any request on such an entry is answered
maliciously, everything else correctly, so a test sees both the failure
and that the mount stays usable.

  evil-readlong.txt     READ: more data than the client asked for
  evil-readpast.txt     READ: DataLength runs past the end of the frame
  evil-readoffhdr.txt   READ: DataOffset points back into the header
  evil-wrongmid.txt     READ: the response carries a MessageId never sent
  evil-badsig.txt       READ: signed, but with a signature that is wrong
  evil-framelen.txt     READ: the frame header promises more than comes
  evil-framehuge.txt    READ: the frame header claims 16 MiB
  evil-zerocredits.txt  READ: answered, then no response of this
                        connection grants a credit again
  evil-hugecredits.txt  READ: answered, then every response of this
                        connection grants 65535 credits
  evil-createoff.txt    CREATE: the create contexts offset points back
                        into the header
  evil-chainback.txt    CREATE: the response's NextCommand points back
                        into its own header
  evil-badnames/        QUERY_DIRECTORY: names with '/', '..', '.' and NUL
                        among good ones
  evil-endless/         QUERY_DIRECTORY: a listing that never ends
  evil-dirpast/         QUERY_DIRECTORY: OutputBufferLength past the frame
  evil-diroffback/      QUERY_DIRECTORY: OutputBufferOffset into the header

--zero-credits grants no credit at all, from the NEGOTIATE response on.

  hostile_smbd.py --port-file FILE --user U --password P [--sign-required]
                  [--zero-credits] [--log FILE]

Prints nothing; writes the listening port to FILE once it accepts.  Every
malicious answer is logged as "hostile: ..." to --log (stderr by default).
SIGTERM ends it.
"""

import argparse
import hashlib
import hmac
import os
import signal
import socket
import struct
import sys
import threading
import time

# --- constants (MS-SMB2 2.2, MS-ERREF 2.3) ---
NEGOTIATE, SESSION_SETUP, LOGOFF, TREE_CONNECT, TREE_DISCONNECT = 0, 1, 2, 3, 4
CREATE, CLOSE, FLUSH, READ, WRITE, LOCK, IOCTL, CANCEL, ECHO = range(5, 14)
QUERY_DIRECTORY, CHANGE_NOTIFY, QUERY_INFO, SET_INFO, OPLOCK_BREAK = range(14, 19)

STATUS_SUCCESS = 0
STATUS_MORE_PROCESSING_REQUIRED = 0xC0000016
STATUS_NOT_SUPPORTED = 0xC00000BB
STATUS_ACCESS_DENIED = 0xC0000022
STATUS_OBJECT_NAME_NOT_FOUND = 0xC0000034
STATUS_NO_MORE_FILES = 0x80000006
STATUS_END_OF_FILE = 0xC0000011
STATUS_INVALID_PARAMETER = 0xC000000D
STATUS_FILE_CLOSED = 0xC0000128
STATUS_LOGON_FAILURE = 0xC000006D
STATUS_INVALID_INFO_CLASS = 0xC0000003
STATUS_NOT_A_DIRECTORY = 0xC0000103
STATUS_FILE_IS_A_DIRECTORY = 0xC00000BA

FLAGS_SERVER_TO_REDIR = 0x1
FLAGS_SIGNED = 0x8
FLAGS_RELATED = 0x4
DIALECT_210 = 0x0210
ATTR_DIRECTORY, ATTR_ARCHIVE, ATTR_READONLY = 0x10, 0x20, 0x01
FILETIME = 133000000000000000  # 2022-06-18, a fixed time for every entry
HEADER = 64

NTLMSSP_OID = bytes.fromhex("2b06010401823702020a")  # 1.3.6.1.4.1.311.2.2.10

LOG = sys.stderr
LOG_LOCK = threading.Lock()


def log(msg):
    with LOG_LOCK:
        LOG.write("%s hostile: %s\n" % (time.strftime("%H:%M:%S"), msg))
        LOG.flush()


# --- MD4 (RFC 1320): OpenSSL 3 no longer offers it to hashlib ---
def md4(data):
    def rol(x, n):
        x &= 0xFFFFFFFF
        return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF

    msg = bytearray(data)
    bitlen = (8 * len(data)) & 0xFFFFFFFFFFFFFFFF
    msg.append(0x80)
    while len(msg) % 64 != 56:
        msg.append(0)
    msg += struct.pack("<Q", bitlen)
    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476]
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", bytes(msg[off:off + 64]))
        a, b, c, d = h
        f = lambda x_, y, z: (x_ & y) | (~x_ & z)
        g = lambda x_, y, z: (x_ & y) | (x_ & z) | (y & z)
        hh = lambda x_, y, z: x_ ^ y ^ z
        for i in range(16):
            k, s = i, (3, 7, 11, 19)[i % 4]
            a, b, c, d = d, rol(a + f(b, c, d) + x[k], s), b, c
        for i in range(16):
            k, s = (i % 4) * 4 + i // 4, (3, 5, 9, 13)[i % 4]
            a, b, c, d = d, rol(a + g(b, c, d) + x[k] + 0x5A827999, s), b, c
        order = (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15)
        for i in range(16):
            k, s = order[i], (3, 9, 11, 15)[i % 4]
            a, b, c, d = d, rol(a + hh(b, c, d) + x[k] + 0x6ED9EBA1, s), b, c
        h = [(v + n) & 0xFFFFFFFF for v, n in zip(h, (a, b, c, d))]
    return struct.pack("<4I", *h)


def hmac_md5(key, data):
    return hmac.new(key, data, hashlib.md5).digest()


# --- DER for the two SPNEGO tokens the server sends (RFC 4178) ---
def der(tag, body):
    n = len(body)
    if n < 0x80:
        ln = bytes([n])
    elif n < 0x100:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + ln + body


def spnego_resp(neg_state, token=None):
    body = der(0xA0, der(0x0A, bytes([neg_state])))
    if token is not None:
        body += der(0xA1, der(0x06, NTLMSSP_OID))
        body += der(0xA2, der(0x04, token))
    return der(0xA1, der(0x30, body))


def find_ntlmssp(blob):
    i = blob.find(b"NTLMSSP\0")
    return blob[i:] if i >= 0 else b""


def utf16(s):
    return s.encode("utf-16-le")


def ntlm_challenge(server_challenge):
    # MS-NLMP 2.2.1.2; no KEY_EXCH: ExportedSessionKey = SessionBaseKey.
    flags = (0x00000001 | 0x00000004 | 0x00000200 | 0x00080000 |
             0x00800000 | 0x20000000 | 0x02000000 | 0x00000010 |
             0x00008000)
    target = utf16("HOSTILE")
    av = b""
    for t, v in ((2, utf16("HOSTILE")), (1, utf16("HOSTILE")),
                 (4, utf16("hostile.test")), (3, utf16("hostile.test"))):
        av += struct.pack("<HH", t, len(v)) + v
    av += struct.pack("<HHQ", 7, 8, FILETIME)
    av += struct.pack("<HH", 0, 0)
    off = 56
    msg = b"NTLMSSP\0" + struct.pack("<I", 2)
    msg += struct.pack("<HHI", len(target), len(target), off)
    msg += struct.pack("<I", flags) + server_challenge + b"\0" * 8
    msg += struct.pack("<HHI", len(av), len(av), off + len(target))
    msg += bytes([6, 1, 0x80, 0x25, 0, 0, 0, 15])
    return msg + target + av


def ntlm_field(msg, at):
    ln, _, off = struct.unpack_from("<HHI", msg, at)
    return msg[off:off + ln]


def ntlm_session_key(auth, server_challenge, expected_user, password):
    """Checks the NTLMv2 response (MS-NLMP 3.3.2); returns the key."""
    nt_resp = ntlm_field(auth, 20)
    domain = ntlm_field(auth, 28).decode("utf-16-le")
    user = ntlm_field(auth, 36).decode("utf-16-le")
    if len(nt_resp) < 48 or user.lower() != expected_user.lower():
        return None
    owf = hmac_md5(md4(utf16(password)), utf16(user.upper() + domain))
    proof = hmac_md5(owf, server_challenge + nt_resp[16:])
    if proof != nt_resp[:16]:
        return None
    return hmac_md5(owf, proof)


# --- the share ---
class Node:
    def __init__(self, name, data=None, children=None):
        self.name = name
        self.data = data
        self.children = children
        self.file_id = (abs(hash(name)) % 100000) + 1000

    @property
    def is_dir(self):
        return self.children is not None

    @property
    def attrs(self):
        return ATTR_DIRECTORY if self.is_dir else ATTR_ARCHIVE


def make_share():
    hello = b"hello from the hostile server\n"
    files = [Node("hello.txt", hello)]
    for name in ("evil-readlong.txt", "evil-readpast.txt",
                 "evil-readoffhdr.txt", "evil-wrongmid.txt",
                 "evil-badsig.txt", "evil-framelen.txt",
                 "evil-zerocredits.txt", "evil-hugecredits.txt",
                 "evil-createoff.txt", "evil-framehuge.txt",
                 "evil-chainback.txt"):
        files.append(Node(name, b"0123456789abcdef" * 4))
    sub = Node("sub", children={"inner.txt": Node("inner.txt", hello)})
    dirs = [sub]
    for name in ("evil-badnames", "evil-endless", "evil-dirpast",
                 "evil-diroffback"):
        dirs.append(Node(name, children={"good.txt": Node("good.txt", hello)}))
    root = Node("", children={n.name: n for n in files + dirs})
    return root


def lookup(root, path):
    node = root
    for part in [p for p in path.split("\\") if p]:
        if not node.is_dir or part not in node.children:
            return None
        node = node.children[part]
    return node


def evil_of(node):
    name = node.name if node else ""
    return name[len("evil-"):].split(".")[0] if name.startswith("evil-") else ""


# --- encoding helpers ---
def times4():
    return struct.pack("<4Q", FILETIME, FILETIME, FILETIME, FILETIME)


def basic_info(node):
    return times4() + struct.pack("<II", node.attrs, 0)


def standard_info(node):
    size = len(node.data or b"")
    return struct.pack("<QQIBBH", (size + 4095) // 4096 * 4096, size, 1, 0,
                       1 if node.is_dir else 0, 0)


def network_open_info(node):
    size = len(node.data or b"")
    return times4() + struct.pack("<QQII", (size + 4095) // 4096 * 4096,
                                  size, node.attrs, 0)


def all_info(node):
    name = utf16("\\" + node.name)
    return (basic_info(node) + standard_info(node) +
            struct.pack("<Q", node.file_id) + struct.pack("<I", 0) +
            struct.pack("<I", 0x1F01FF) + struct.pack("<Q", 0) +
            struct.pack("<II", 0, 0) + struct.pack("<I", len(name)) + name)


def dir_entry(cls, name_bytes, node_attrs, size, file_id, index):
    """One entry of a QUERY_DIRECTORY class (MS-FSCC 2.4), unpadded."""
    fixed = struct.pack("<II", 0, index) + times4()
    fixed += struct.pack("<QQII", size, (size + 4095) // 4096 * 4096,
                         node_attrs, len(name_bytes))
    if cls == 0x01:  # FileDirectoryInformation
        pass
    elif cls == 0x02:  # FileFullDirectoryInformation
        fixed += struct.pack("<I", 0)
    elif cls == 0x03:  # FileBothDirectoryInformation
        fixed += struct.pack("<IBB", 0, 0, 0) + b"\0" * 24
    elif cls == 0x25:  # FileIdBothDirectoryInformation
        fixed += struct.pack("<IBB", 0, 0, 0) + b"\0" * 24
        fixed += struct.pack("<HQ", 0, file_id)
    elif cls == 0x26:  # FileIdFullDirectoryInformation
        fixed += struct.pack("<IIQ", 0, 0, file_id)
    else:
        return None
    return fixed + name_bytes


def pack_entries(entries):
    out = b""
    for i, e in enumerate(entries):
        if i < len(entries) - 1:
            e += b"\0" * ((8 - len(e) % 8) % 8)
            e = struct.pack("<I", len(e)) + e[4:]
        out += e
    return out


class Open:
    def __init__(self, node, vid):
        self.node = node
        self.vid = vid
        self.listing = None  # entries left to send
        self.endless = 0


class Conn:
    def __init__(self, server, sock):
        self.server = server
        self.sock = sock
        self.session_id = 0x1000 + (id(self) & 0xFFFF)
        self.tree_id = 7
        self.challenge = os.urandom(8)
        self.key = None  # session key once authenticated
        self.signing = False
        self.opens = {}
        self.next_vid = 1
        self.credit_mode = "zero" if server.args.zero_credits else "normal"
        self.balance = 1  # credits the client holds, as we count them

    # --- framing ---
    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def serve(self):
        try:
            while True:
                hdr = self.recv_exact(4)
                n = struct.unpack(">I", hdr)[0] & 0xFFFFFF
                frame = self.recv_exact(n)
                self.handle_frame(frame)
        except (EOFError, ConnectionError, OSError):
            pass
        finally:
            self.sock.close()

    def send_frame(self, data, claimed=None):
        n = len(data) if claimed is None else claimed
        self.sock.sendall(struct.pack(">I", n) + data)

    # --- credits (MS-SMB2 3.3.1.2) ---
    def grant(self, charge, asked):
        if self.credit_mode == "zero":
            return 0
        if self.credit_mode == "huge":
            return 65535
        want = max(asked, 1)
        room = max(64 - self.balance + charge, 1)
        granted = min(want, room)
        self.balance += granted - charge
        return granted

    # --- one request frame, maybe a compound ---
    def handle_frame(self, frame):
        if frame[:4] != b"\xfeSMB":
            log("not an SMB2 frame; closing")
            raise EOFError
        off, last_fid, out = 0, None, []
        special = None
        while True:
            nxt = struct.unpack_from("<I", frame, off + 20)[0]
            elem = frame[off:off + nxt] if nxt else frame[off:]
            rsp, last_fid, action = self.handle_elem(elem, last_fid)
            if action:
                special = action
            out.append(rsp)
            if not nxt:
                break
            off += nxt
        self.send_responses(out, special)

    def send_responses(self, out, special):
        for i, r in enumerate(out):
            if i < len(out) - 1:
                r += b"\0" * ((8 - len(r) % 8) % 8)
                r = r[:20] + struct.pack("<I", len(r)) + r[24:]
            out[i] = r
        signed = []
        for r in out:
            if self.signing and struct.unpack_from("<Q", r, 40)[0]:
                r = self.sign(r)
            signed.append(r)
        data = b"".join(signed)
        if special == "badsig":
            # Signed, but over other bytes: the signature cannot verify.
            flags = struct.unpack_from("<I", data, 16)[0] | FLAGS_SIGNED
            sig = bytes(b ^ 0x5A for b in data[48:64])
            data = data[:16] + struct.pack("<I", flags) + data[20:48] + sig + \
                data[64:]
        if special == "chainback":
            data = data[:20] + struct.pack("<I", 16) + data[24:]
        if special == "framelen":
            self.send_frame(data, claimed=len(data) + 4096)
            return
        if special == "framehuge":
            self.send_frame(data, claimed=0xFFFFFF)
            return
        self.send_frame(data)

    def sign(self, r):
        r = r[:16] + struct.pack("<I", struct.unpack_from("<I", r, 16)[0] |
                                 FLAGS_SIGNED) + r[20:]
        r = r[:48] + b"\0" * 16 + r[64:]
        sig = hmac.new(self.key, r, hashlib.sha256).digest()[:16]
        return r[:48] + sig + r[64:]

    def header(self, req, status):
        (_, _, charge, _, cmd, asked, flags, _, mid, _, tid, sid,
         _) = struct.unpack_from("<4sHHIHHIIQIIQ16s", req, 0)
        credits = self.grant(max(charge, 1), asked)
        rflags = FLAGS_SERVER_TO_REDIR | (flags & FLAGS_RELATED)
        return struct.pack("<4sHHIHHIIQIIQ16s", b"\xfeSMB", 64, charge, status,
                           cmd, credits, rflags, 0, mid, 0xFEFF, tid, sid,
                           b"\0" * 16)

    def error(self, req, status):
        return self.header(req, status) + struct.pack("<HBBI", 9, 0, 0, 0) + b"\0"

    def handle_elem(self, req, last_fid):
        cmd = struct.unpack_from("<H", req, 12)[0]
        body = req[HEADER:]
        # MS-SMB2 3.3.5.2.4: a signed request gets a signed response.
        if self.key is not None and \
                struct.unpack_from("<I", req, 16)[0] & FLAGS_SIGNED:
            self.signing = True
        handler = {
            NEGOTIATE: self.negotiate, SESSION_SETUP: self.session_setup,
            LOGOFF: self.simple4, TREE_DISCONNECT: self.simple4,
            ECHO: self.simple4, TREE_CONNECT: self.tree_connect,
            CREATE: self.create, CLOSE: self.close, READ: self.read,
            QUERY_INFO: self.query_info,
            QUERY_DIRECTORY: self.query_directory,
        }.get(cmd)
        if handler is None:
            return self.error(req, STATUS_NOT_SUPPORTED), last_fid, None
        return handler(req, body, last_fid)

    def fid_of(self, body, at, last_fid, req):
        persistent, vid = struct.unpack_from("<QQ", body, at)
        if vid == 0xFFFFFFFFFFFFFFFF and (struct.unpack_from(
                "<I", req, 16)[0] & FLAGS_RELATED):
            vid = last_fid
        return self.opens.get(vid), vid

    # --- commands ---
    def negotiate(self, req, body, last_fid):
        mode = 0x1 | (0x2 if self.server.args.sign_required else 0)
        rsp = struct.pack("<HHHH16sIIIIQQHHI", 65, mode, DIALECT_210, 0,
                          b"hostile-smbd\0\0\0\0", 0, 1 << 20, 1 << 16,
                          1 << 16, FILETIME, 0, 128, 0, 0)
        return self.header(req, STATUS_SUCCESS) + rsp + b"\0", last_fid, None

    def session_setup(self, req, body, last_fid):
        off, ln = struct.unpack_from("<HH", body, 12)
        blob = find_ntlmssp(req[off:off + ln])
        msg_type = struct.unpack_from("<I", blob, 8)[0] if len(blob) >= 12 else 0
        if msg_type == 1:
            token = spnego_resp(1, ntlm_challenge(self.challenge))
            status = STATUS_MORE_PROCESSING_REQUIRED
        elif msg_type == 3:
            self.key = ntlm_session_key(blob, self.challenge,
                                        self.server.args.user,
                                        self.server.args.password)
            if self.key is None:
                log("NTLMv2 response does not verify: LOGON_FAILURE")
                return self.error(req, STATUS_LOGON_FAILURE), last_fid, None
            client_signs = struct.unpack_from("<I", req, 16)[0] & FLAGS_SIGNED
            self.signing = bool(body[3] & 0x2) or \
                self.server.args.sign_required or bool(client_signs)
            token, status = b"", STATUS_SUCCESS
        else:
            return self.error(req, STATUS_INVALID_PARAMETER), last_fid, None
        h = self.header(req, status)
        h = h[:40] + struct.pack("<Q", self.session_id) + h[48:]
        rsp = struct.pack("<HHHH", 9, 0, HEADER + 8, len(token)) + token
        return h + rsp, last_fid, None

    def simple4(self, req, body, last_fid):
        return self.header(req, STATUS_SUCCESS) + struct.pack("<HH", 4, 0), \
            last_fid, None

    def tree_connect(self, req, body, last_fid):
        h = self.header(req, STATUS_SUCCESS)
        h = h[:36] + struct.pack("<I", self.tree_id) + h[40:]
        rsp = struct.pack("<HBBIII", 16, 1, 0, 0, 0, 0x001200A9)
        return h + rsp, last_fid, None

    def create(self, req, body, last_fid):
        noff, nlen = struct.unpack_from("<HH", body, 44)
        disposition, options = struct.unpack_from("<II", body, 36)
        name = req[noff:noff + nlen].decode("utf-16-le", "replace")
        node = lookup(self.server.root, name)
        if node is None:
            return self.error(req, STATUS_OBJECT_NAME_NOT_FOUND), last_fid, None
        if disposition not in (1, 3):  # FILE_OPEN, FILE_OPEN_IF
            return self.error(req, STATUS_ACCESS_DENIED), last_fid, None
        if options & 0x1 and not node.is_dir:
            return self.error(req, STATUS_NOT_A_DIRECTORY), last_fid, None
        if options & 0x40 and node.is_dir:
            return self.error(req, STATUS_FILE_IS_A_DIRECTORY), last_fid, None
        vid = self.next_vid
        self.next_vid += 1
        self.opens[vid] = Open(node, vid)
        size = len(node.data or b"")
        rsp = struct.pack("<HBBI", 89, 0, 0, 1) + times4()
        rsp += struct.pack("<QQII", (size + 4095) // 4096 * 4096, size,
                           node.attrs, 0)
        rsp += struct.pack("<QQII", vid, vid, 0, 0) + b"\0" * 8
        if evil_of(node) == "createoff":
            log("CREATE %s: create contexts offset 16 (inside the header)"
                % name)
            rsp = rsp[:80] + struct.pack("<II", 16, 8) + rsp[88:]
        action = None
        if evil_of(node) == "chainback":
            log("CREATE %s: NextCommand 16 (back into the header)" % name)
            action = "chainback"
        return self.header(req, STATUS_SUCCESS) + rsp, vid, action

    def close(self, req, body, last_fid):
        op, vid = self.fid_of(body, 8, last_fid, req)
        if op is None:
            return self.error(req, STATUS_FILE_CLOSED), last_fid, None
        del self.opens[vid]
        size = len(op.node.data or b"")
        rsp = struct.pack("<HHI", 60, body[2] & 1, 0)
        if body[2] & 1:
            rsp += times4() + struct.pack("<QQI", (size + 4095) // 4096 * 4096,
                                          size, op.node.attrs)
        else:
            rsp += b"\0" * 52
        return self.header(req, STATUS_SUCCESS) + rsp, vid, None

    def query_info(self, req, body, last_fid):
        info_type, cls = body[2], body[3]
        op, vid = self.fid_of(body, 24, last_fid, req)
        if op is None:
            return self.error(req, STATUS_FILE_CLOSED), last_fid, None
        node = op.node
        data = None
        if info_type == 1:
            data = {4: basic_info, 5: standard_info, 18: all_info,
                    34: network_open_info}.get(cls, lambda n: None)(node)
            if cls == 6:
                data = struct.pack("<Q", node.file_id)
            elif cls == 35:
                data = struct.pack("<II", node.attrs, 0)
        elif info_type == 2:
            if cls == 3:
                data = struct.pack("<QQII", 1 << 20, 1 << 19, 8, 512)
            elif cls == 7:
                data = struct.pack("<QQQII", 1 << 20, 1 << 19, 1 << 19, 8, 512)
            elif cls == 5:
                name = utf16("NTFS")
                data = struct.pack("<III", 0x3, 255, len(name)) + name
            elif cls == 1:
                label = utf16("hostile")
                data = struct.pack("<QIIBB", FILETIME, 1, len(label), 0, 0) + label
            elif cls == 4:
                data = struct.pack("<II", 7, 0)
        if data is None:
            return self.error(req, STATUS_NOT_SUPPORTED), vid, None
        out_len = struct.unpack_from("<I", body, 4)[0]
        data = data[:out_len]
        rsp = struct.pack("<HHI", 9, HEADER + 8, len(data)) + data
        return self.header(req, STATUS_SUCCESS) + rsp, vid, None

    def listing_of(self, op, cls):
        entries = []
        for i, (name, attrs, size, fid) in enumerate(
                [(".", ATTR_DIRECTORY, 0, op.node.file_id),
                 ("..", ATTR_DIRECTORY, 0, 5)] +
                [(c.name, c.attrs, len(c.data or b""), c.file_id)
                 for c in op.node.children.values()]):
            entries.append(dir_entry(cls, utf16(name), attrs, size, fid, i))
        if evil_of(op.node) == "badnames":
            log("QUERY_DIRECTORY %s: names with '/', '..', '.' and NUL"
                % op.node.name)
            for i, raw in enumerate((utf16("bad/slash"), utf16(".."),
                                     utf16("."), utf16("nul") + b"\0\0" +
                                     utf16("byte"), utf16("../escape"),
                                     b"")):
                entries.append(dir_entry(cls, raw, ATTR_ARCHIVE, 1,
                                         9000 + i, 100 + i))
        return entries

    def query_directory(self, req, body, last_fid):
        cls, flags = body[2], body[3]
        op, vid = self.fid_of(body, 8, last_fid, req)
        if op is None:
            return self.error(req, STATUS_FILE_CLOSED), last_fid, None
        if not op.node.is_dir:
            return self.error(req, STATUS_INVALID_PARAMETER), vid, None
        if dir_entry(cls, b"x", 0, 0, 0, 0) is None:
            return self.error(req, STATUS_INVALID_INFO_CLASS), vid, None
        out_len = struct.unpack_from("<I", body, 28)[0]
        evil = evil_of(op.node)
        if flags & 0x11 or op.listing is None:  # RESTART_SCANS or REOPEN
            op.listing = self.listing_of(op, cls)
        if evil == "endless":
            op.endless += 1
            if op.endless in (1, 1000):
                log("QUERY_DIRECTORY %s: round %d of a listing that never ends"
                    % (op.node.name, op.endless))
            op.listing = [dir_entry(cls, utf16("e%06d-%03d" % (op.endless, i)),
                                    ATTR_ARCHIVE, 0, 10000 + i, i)
                          for i in range(out_len // 136)]
        if not op.listing:
            return self.error(req, STATUS_NO_MORE_FILES), vid, None
        take, used = [], 0
        while op.listing and used + len(op.listing[0]) + 8 <= out_len:
            e = op.listing.pop(0)
            take.append(e)
            used += len(e) + 8
            if flags & 0x02:  # RETURN_SINGLE_ENTRY
                break
        if not take:
            return self.error(req, 0x80000005), vid, None  # BUFFER_OVERFLOW
        data = pack_entries(take)
        offset, length = HEADER + 8, len(data)
        if evil == "dirpast":
            log("QUERY_DIRECTORY %s: OutputBufferLength past the frame"
                % op.node.name)
            length += 4096
        elif evil == "diroffback":
            log("QUERY_DIRECTORY %s: OutputBufferOffset 8 (into the header)"
                % op.node.name)
            offset = 8
        rsp = struct.pack("<HHI", 9, offset, length) + data
        return self.header(req, STATUS_SUCCESS) + rsp, vid, None

    def read(self, req, body, last_fid):
        length, offset = struct.unpack_from("<IQ", body, 4)
        op, vid = self.fid_of(body, 16, last_fid, req)
        if op is None:
            return self.error(req, STATUS_FILE_CLOSED), last_fid, None
        if op.node.is_dir:
            return self.error(req, STATUS_INVALID_PARAMETER), vid, None
        data = op.node.data[offset:offset + length]
        evil = evil_of(op.node)
        name = op.node.name
        if not data and evil != "readlong":
            return self.error(req, STATUS_END_OF_FILE), vid, None
        data_off, data_len, action = HEADER + 16, len(data), None
        h = self.header(req, STATUS_SUCCESS)
        if evil == "readlong":
            log("READ %s: %d bytes asked, %d sent" % (name, length,
                                                     length + 100))
            data = (op.node.data * (length // len(op.node.data) + 2))
            data, data_len = data[:length + 100], length + 100
        elif evil == "readpast":
            log("READ %s: DataLength past the end of the frame" % name)
            data_len += 65536
        elif evil == "readoffhdr":
            log("READ %s: DataOffset 0 (inside the header)" % name)
            data_off = 0
        elif evil == "wrongmid":
            mid = struct.unpack_from("<Q", h, 24)[0]
            log("READ %s: answered with MessageId %d instead of %d"
                % (name, mid + 1000, mid))
            h = h[:24] + struct.pack("<Q", mid + 1000) + h[32:]
        elif evil == "badsig":
            log("READ %s: a signature that does not verify" % name)
            action = "badsig"
        elif evil == "framelen":
            log("READ %s: the frame header promises 4096 bytes more" % name)
            action = "framelen"
        elif evil == "framehuge":
            log("READ %s: the frame header claims 16 MiB" % name)
            action = "framehuge"
        elif evil == "zerocredits":
            log("READ %s: no credits from now on, on this connection" % name)
            self.credit_mode = "zero"
            h = h[:14] + struct.pack("<H", 0) + h[16:]
        elif evil == "hugecredits":
            log("READ %s: 65535 credits per response from now on" % name)
            self.credit_mode = "huge"
            h = h[:14] + struct.pack("<H", 65535) + h[16:]
        rsp = struct.pack("<HBBIII", 17, data_off, 0, data_len, 0, 0) + data
        return h + rsp, vid, action


class Server:
    def __init__(self, args):
        self.args = args
        self.root = make_share()

    def run(self):
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(16)
        port = lsock.getsockname()[1]
        tmp = self.args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, self.args.port_file)
        log("listening on 127.0.0.1:%d" % port)
        while True:
            sock, _ = lsock.accept()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            log("connection accepted")
            t = threading.Thread(target=Conn(self, sock).serve, daemon=True)
            t.start()


def main():
    global LOG
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--sign-required", action="store_true")
    ap.add_argument("--zero-credits", action="store_true")
    ap.add_argument("--log")
    args = ap.parse_args()
    if args.log:
        LOG = open(args.log, "a")
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    Server(args).run()


if __name__ == "__main__":
    main()
