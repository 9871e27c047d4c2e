#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Builds the seed inputs of the fuzz harnesses.

    tests/fuzz/make-seeds.py OUTDIR

writes OUTDIR/<harness>/<name> for every harness in tests/fuzz/: the
messages Samba sent in tests/vectors/samba/*.hex, the payloads inside them
(security buffers, output buffers, context chains) and a few structures
from the specifications (MS-SMB2, MS-FSCC, MS-DTYP, MS-DFSC examples and
layouts) that the captures do not contain; for krb5, an AP-REP of
Heimdal's acceptor (tests/fuzz/krb5/) in the NegTokenResps a server sends,
and selectors for the harness's own acceptor.  Each harness's input format is
described at the top of tests/fuzz/fuzz_<harness>.c; selector bytes here
follow those descriptions.  The committed corpora (tests/fuzz/corpus/)
are these seeds after fuzzing, minimised with -merge=1.
"""
import glob
import hashlib
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VEC = os.path.join(ROOT, "tests", "vectors", "samba")
HDR = 64


def vectors(pattern):
    for path in sorted(glob.glob(os.path.join(VEC, pattern))):
        with open(path) as f:
            yield os.path.basename(path)[:-4], bytes.fromhex("".join(f.read().split()))


def header(command, status=0, flags=1, next_command=0, mid=1, sid=0):
    return struct.pack("<IHHIHHIIQIIQ16s", 0x424D53FE, 64, 0, status, command,
                       1, flags, next_command, mid, 0, 0, sid, bytes(16))


def utf16(s):
    return s.encode("utf-16-le")


class Seeds:
    def __init__(self, out):
        self.out = out
        self.count = 0

    def add(self, harness, name, data):
        d = os.path.join(self.out, harness)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        self.count += 1


def buffer_of(msg, off_at, len_at, off_size=2):
    """An (offset, length) buffer of a response body, offsets from the header."""
    fmt = "<H" if off_size == 2 else "<I"
    off = struct.unpack_from(fmt, msg, HDR + off_at)[0]
    n = struct.unpack_from("<I", msg, HDR + len_at)[0]
    return msg[off:off + n]


def dir_entries(buf):
    """Splits a FileIdBothDirectoryInformation buffer into its entries."""
    pos = 0
    while True:
        nxt = struct.unpack_from("<I", buf, pos)[0]
        yield buf[pos:pos + nxt] if nxt else buf[pos:]
        if not nxt:
            return
        pos += nxt


# MS-FSCC 2.4: name offsets of the directory classes, in the order the
# query_directory harness numbers them.
DIR_CLASSES = [("directory", 64), ("full", 68), ("both", 94), ("id_both", 104), ("id_full", 80)]


def relayout(entries, cls):
    """Re-encodes FileIdBothDirectoryInformation entries in another class."""
    name_off = DIR_CLASSES[cls][1]
    out = b""
    for i, e in enumerate(entries):
        name_len = struct.unpack_from("<I", e, 60)[0]
        name = e[104:104 + name_len]
        rec = bytearray(e[:64] + bytes(name_off - 64))
        if cls >= 1:
            rec[64:68] = e[64:68]  # EaSize
        if cls == 4:
            rec[72:80] = e[96:104]  # FileId
        if cls == 2:
            rec[68:94] = e[68:94]  # ShortNameLength, ShortName
        rec += name
        if i + 1 < len(entries):
            rec += bytes(-len(rec) % 8)
            struct.pack_into("<I", rec, 0, len(rec))
        else:
            struct.pack_into("<I", rec, 0, 0)
        out += bytes(rec)
    return out


def sid(auth, *subs):
    return struct.pack("<BB", 1, len(subs)) + auth.to_bytes(6, "big") + b"".join(
        struct.pack("<I", s) for s in subs)


def full_ea_list(eas):
    out = b""
    for i, (name, value) in enumerate(eas):
        rec = bytearray(struct.pack("<IBBH", 0, 0, len(name), len(value)) + name + b"\0" + value)
        if i + 1 < len(eas):
            rec += bytes(-len(rec) % 4)
            struct.pack_into("<I", rec, 0, len(rec))
        out += bytes(rec)
    return out


def net_ifaces():
    """Two NETWORK_INTERFACE_INFO entries (MS-SMB2 2.2.32.5): ::1 and 127.0.0.1."""
    v6 = struct.pack("<HHI", 0x17, 0, 0) + bytes(15) + b"\x01" + struct.pack("<I", 0)
    v4 = struct.pack("<HH", 2, 0) + bytes([127, 0, 0, 1])
    e1 = struct.pack("<IIIIQ", 152, 1, 1, 0, 10**10) + v6 + bytes(128 - len(v6))
    e2 = struct.pack("<IIIIQ", 0, 2, 0, 0, 10**9) + v4 + bytes(128 - len(v4))
    return e1 + e2


def dfs_referral():
    """RESP_GET_DFS_REFERRAL with two V3 entries (MS-DFSC 2.2.4, 2.2.5.3.1)."""
    strings = utf16("\\a\\b") + b"\0\0" + utf16("\\s1\\x") + b"\0\0" + utf16("\\s2\\x") + b"\0\0"
    e1 = struct.pack("<HHHHIHHH", 3, 34, 1, 0, 300, 68, 68, 78) + bytes(16)
    e2 = struct.pack("<HHHHIHHH", 3, 34, 1, 0, 300, 34, 34, 56) + bytes(16)
    v4 = struct.pack("<HHHHIHHH", 4, 34, 1, 4, 300, 34, 34, 34) + bytes(16)
    return (struct.pack("<HHI", 36, 2, 3) + e1 + e2 + strings,
            struct.pack("<HHI", 36, 1, 3) + v4 + strings)


def ioctl_response(ctl, output):
    body = struct.pack("<HHIQQIIIIII", 49, 0, ctl, 1, 2, 112, 0, 112, len(output), 0, 0)
    return header(0x0B) + body + output


def symlink_error(target, unparsed=0, contexts=False):
    """STOPPED_ON_SYMLINK error data (MS-SMB2 2.2.2.2.1), optionally in a context."""
    sub = utf16(target)
    data = struct.pack("<IIHHHHHHI", 0x4C4D5953, 0xA000000C, 0, unparsed, 0, len(sub),
                       len(sub), len(sub), 1) + sub + sub
    data = struct.pack("<I", len(data)) + data
    if contexts:
        ctx = struct.pack("<II", len(data), 0) + data
        return header(5, 0x8000002D) + struct.pack("<HBBI", 9, 1, 0, len(ctx)) + ctx
    return header(5, 0x8000002D) + struct.pack("<HBBI", 9, 0, 0, len(data)) + data


def mfsymlink(target):
    t = target.encode()
    buf = b"XSym\n%04d\n%s\n" % (len(t), hashlib.md5(t).hexdigest().encode()) + t
    if len(buf) < 1067:
        buf += b"\n"
    return buf + b" " * (1067 - len(buf))


def frame(msg, kind=0):
    return bytes([kind]) + len(msg).to_bytes(3, "big") + msg


def compound(msgs):
    out = b""
    for i, m in enumerate(msgs):
        m = bytearray(m)
        if i + 1 < len(msgs):
            m += bytes(-len(m) % 8)
            struct.pack_into("<I", m, 20, len(m))
        else:
            struct.pack_into("<I", m, 20, 0)
        out += bytes(m)
    return out


KRB5 = os.path.join(ROOT, "tests", "fuzz", "krb5")
OID_KRB5 = bytes.fromhex("2a864886f712010202")
OID_MS_KRB5 = bytes.fromhex("2a864882f712010202")
OID_NTLMSSP = bytes.fromhex("2b06010401823702020a")


def der(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + content


def neg_token_resp(state=None, mech=None, token=None, mic=None):
    """[1] NegTokenResp (RFC 4178 4.2.2), the fields given."""
    f = b""
    if state is not None:
        f += der(0xA0, der(0x0A, bytes([state])))
    if mech is not None:
        f += der(0xA1, der(0x06, mech))
    if token is not None:
        f += der(0xA2, der(0x04, token))
    if mic is not None:
        f += der(0xA3, der(0x04, mic))
    return der(0xA1, der(0x30, f))


def krb_error(code):
    """A KRB-ERROR (RFC 4120 5.9.1) in GSS framing, token id 03 00."""
    body = (der(0xA0, der(0x02, b"\5")) + der(0xA1, der(0x02, b"\x1e")) +
            der(0xA4, der(0x18, b"20261203060000Z")) + der(0xA5, der(0x02, b"\0")) +
            der(0xA6, der(0x02, code.to_bytes(code.bit_length() // 8 + 1, "big"))) +
            der(0xA9, der(0x1B, b"SMBFS.TEST")) +
            der(0xAA, der(0x30, der(0xA0, der(0x02, b"\2")) + der(0xA1, der(
                0x30, der(0x1B, b"cifs") + der(0x1B, b"fileserver.smbfs.test"))))))
    return der(0x60, der(0x06, OID_KRB5) + b"\3\0" + der(0x7E, der(0x30, body)))


def krb5_seeds(s):
    """fuzz_krb5: real answers (mode bit 7) and captured replies (raw)."""
    def hexfile(name):
        with open(os.path.join(KRB5, name)) as f:
            return bytes.fromhex("".join(f.read().split()))
    ap_rep, mic = hexfile("ap-rep.hex"), hexfile("mech-list-mic.hex")

    def raw(name, reply, final=b""):
        s.add("krb5", "raw_" + name, b"\0" + struct.pack("<H", len(reply)) + reply +
              struct.pack("<H", len(final)) + final)
    done = neg_token_resp(0)
    raw("completed", neg_token_resp(0, OID_KRB5, ap_rep))
    raw("completed_mic", neg_token_resp(0, OID_KRB5, ap_rep, mic))
    raw("ms_oid", neg_token_resp(0, OID_MS_KRB5, ap_rep))
    raw("incomplete", neg_token_resp(1, OID_KRB5, ap_rep), neg_token_resp(0, None, None, mic))
    raw("request_mic", neg_token_resp(3, OID_KRB5, ap_rep), done)
    raw("reject", neg_token_resp(2))
    raw("ntlmssp_chosen", neg_token_resp(1, OID_NTLMSSP, b"NTLMSSP\0\2\0\0\0"))
    raw("no_token", neg_token_resp(0, OID_KRB5))
    raw("krb_error_expired", neg_token_resp(1, OID_KRB5, krb_error(32)))
    raw("krb_error_modified", neg_token_resp(1, OID_KRB5, krb_error(41)))
    raw("krb_error_kdc_unreach", neg_token_resp(1, OID_KRB5, krb_error(156)))
    raw("truncated", neg_token_resp(0, OID_KRB5, ap_rep)[:60])
    raw("ap_rep_cut", neg_token_resp(0, OID_KRB5, ap_rep[:40]))
    raw("bare_ap_rep", ap_rep)
    # Mode, fields (negState | 4 none | 8 supportedMech | 16 NTLMSSP |
    # 32 no token | 64 reply MIC | 128 final MIC), then mutations.
    for name, mode, fields in (("completed", 0x80, 0x08), ("completed_mic", 0x80, 0x48),
                               ("ms_oid", 0x81, 0x08), ("incomplete", 0x80, 0x09),
                               ("incomplete_final_mic", 0x80, 0x89),
                               ("request_mic", 0x80, 0x0B), ("no_state", 0x80, 0x84),
                               ("final_incomplete", 0x82, 0x89), ("final_empty", 0x84, 0x09),
                               ("reject", 0x80, 0x0A), ("ntlmssp_chosen", 0x80, 0x18),
                               ("no_token", 0x80, 0x28)):
        s.add("krb5", "answer_" + name, bytes([mode, fields]))
    edits = (("ap_rep_xor", 0x00, 40, 0x01), ("ap_rep_cut", 0x04, 30, 0),
             ("reply_mic_xor", 0x01, 20, 0x80), ("final_mic_cut", 0x06, 10, 0),
             ("reply_insert", 0x0F, 3, 0x00), ("ap_rep_kvno", 0x08, 17, 0x04))
    for name, what, off, val in edits:
        s.add("krb5", "answer_" + name, bytes([0x80, 0xC9, what]) + struct.pack("<H", off) + bytes([val]))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    s = Seeds(sys.argv[1])
    responses = dict(vectors("*_response*.hex"))

    for name, m in vectors("negotiate_response*.hex"):
        s.add("negotiate", name, m)
        off, n = struct.unpack_from("<HH", m, HDR + 56)
        tok = m[off:off + n]
        s.add("spnego", name + "_hint", b"\0" + tok)
    for name, m in vectors("session_setup_response*.hex"):
        s.add("session_setup", name, m)
        off, n = struct.unpack_from("<HH", m, HDR + 4)
        if n:
            tok = m[off:off + n]
            s.add("spnego", name + "_resp", b"\1" + tok)
            s.add("spnego", name + "_asn1", b"\2" + tok)
            i = tok.find(b"NTLMSSP\0\2\0\0\0")
            if i >= 0:
                s.add("ntlmssp", name, tok[i:])
    # The exchange of one connection: hint, challenge, final token.
    def token(name, at):
        m = responses[name]
        off, n = struct.unpack_from("<HH", m, HDR + at)
        return struct.pack("<H", n) + m[off:off + n]
    for suffix, neg in (("", "negotiate_response_311_1"), ("_202", "negotiate_response_202_1"),
                        ("_signed", "negotiate_response_signed_1")):
        hint = token(neg, 56)
        first = token("session_setup_response%s_1" % suffix, 4)
        final = token("session_setup_response%s_2" % suffix, 4)
        s.add("auth", "exchange" + suffix, b"\0" + hint + first + final)
        s.add("auth", "anonymous" + suffix, b"\1" + hint + first + final)
    for name, m in vectors("session_setup_request*.hex"):
        off, n = struct.unpack_from("<HH", m, HDR + 12)
        if n:
            s.add("spnego", name + "_init", b"\0" + m[off:off + n])
    for pat in ("tree_connect_response*", "tree_disconnect_response*", "logoff_response*",
                "echo_response*", "set_info_*_response*"):
        for name, m in vectors(pat + ".hex"):
            s.add("tree_connect", name, m)
    for pat in ("read_response*", "write_response*", "close_response*"):
        for name, m in vectors(pat + ".hex"):
            s.add("read_write", name, m)

    for name, m in vectors("create_response*.hex"):
        s.add("create", name, b"\0" + m)
        if len(m) >= HDR + 88:
            off, n = struct.unpack_from("<II", m, HDR + 80)
            if n:
                s.add("create", name + "_contexts", b"\1" + m[off:off + n])

    for name, m in vectors("query_directory_response*.hex"):
        s.add("query_directory", name, bytes([3]) + m)
        if len(m) > HDR + 8 and struct.unpack_from("<I", m, HDR + 4)[0]:
            entries = list(dir_entries(buffer_of(m, 2, 4)))
            for cls in range(len(DIR_CLASSES)):
                s.add("query_directory", "%s_%s" % (name, DIR_CLASSES[cls][0]),
                      bytes([0x80 | cls]) + relayout(entries, cls))

    for name, m in vectors("change_notify_response*.hex"):
        s.add("change_notify", name, b"\0" + m)
        if struct.unpack_from("<I", m, HDR + 4)[0]:
            s.add("change_notify", name + "_records", b"\1" + buffer_of(m, 2, 4))

    # query_info selectors: see fuzz_query_info.c
    for pat, sel in (("query_info_all_response*", 0), ("query_info_fs_size_response*", 8),
                     ("query_info_fs_volume_response*", 10), ("query_info_stream_response*", 6)):
        for name, m in vectors(pat + ".hex"):
            s.add("query_info", name, bytes([0x80 | sel]) + m)
            buf = buffer_of(m, 2, 4)
            s.add("query_info", name + "_buffer", bytes([sel]) + buf)
            if sel == 0:
                s.add("query_info", name + "_basic", bytes([1]) + buf[:40])
                s.add("query_info", name + "_standard", bytes([2]) + buf[40:64])
                s.add("query_info", name + "_internal", bytes([3]) + buf[64:72])
                s.add("query_info", name + "_ea", bytes([4]) + buf[72:76])
            if sel == 8:
                s.add("query_info", name + "_full", bytes([9]) + buf[:16] + buf)
    s.add("query_info", "network_open", bytes([5]) + bytes(range(56)))
    s.add("query_info", "full_ea", bytes([7]) + full_ea_list(
        [(b"user.a", b"1"), (b"SETFILEBITS", b"\x00\x08\x00\x00"), (b"x", b"")]))
    s.add("query_info", "fs_attribute", bytes([11]) + struct.pack("<IiI", 0x8F, 255, 8) + utf16("NTFS"))
    for name, m in vectors("sd_*.hex"):
        s.add("security_desc", name, m)
        s.add("query_info", name, bytes([12]) + m)

    for name, m in vectors("ioctl_*_response*.hex"):
        s.add("ioctl", name, b"\0" + m)
        if len(m) > HDR + 48 and struct.unpack_from("<I", m, HDR + 4)[0] == 0x00140204:
            s.add("ioctl", name + "_output", b"\6" + buffer_of(m, 32, 36, 4))
    s.add("ioctl", "alloc_ranges", b"\1" + struct.pack("<QQQQ", 0, 4096, 65536, 8192))
    s.add("ioctl", "copychunk", b"\2" + struct.pack("<III", 16, 1048576, 16777216))
    s.add("ioctl", "resume_key", b"\3" + bytes(range(24)) + struct.pack("<I", 0))
    s.add("ioctl", "net_ifaces", b"\4" + net_ifaces())
    s.add("ioctl", "net_ifaces_whole", b"\0" + ioctl_response(0x001401FC, net_ifaces()))
    v3, v4 = dfs_referral()
    s.add("ioctl", "dfs_v3", b"\5" + v3)
    s.add("ioctl", "dfs_v4_namelist", b"\5" + v4)
    s.add("ioctl", "dfs_whole", b"\0" + ioctl_response(0x00060194, v3))
    s.add("ioctl", "alloc_whole", b"\0" + ioctl_response(0x000940CF, struct.pack("<QQ", 0, 4096)))

    # Oplock and lease breaks (MS-SMB2 2.2.23.1, 2.2.23.2, 2.2.25.1, 2.2.25.2).
    key = bytes(range(16))
    unsol = dict(mid=0xFFFFFFFFFFFFFFFF)
    s.add("oplock_break", "oplock_notification",
          b"\0" + header(0x12, **unsol) + struct.pack("<HBBIQQ", 24, 1, 0, 0, 5, 6))
    s.add("oplock_break", "lease_notification",
          b"\0" + header(0x12, **unsol) + struct.pack("<HHI16sIIIII", 44, 2, 1, key, 7, 1, 0, 0, 0))
    s.add("oplock_break", "oplock_response",
          b"\1" + header(0x12) + struct.pack("<HBBIQQ", 24, 0, 0, 0, 5, 6))
    s.add("oplock_break", "lease_response",
          b"\1" + header(0x12) + struct.pack("<HHI16sIQ", 36, 0, 0, key, 1, 0))

    for name, m in responses.items():
        if struct.unpack_from("<I", m, 8)[0] >> 30 == 3 and struct.unpack_from("<H", m, HDR)[0] == 9:
            s.add("error", name, m)
    s.add("error", "symlink", symlink_error("target\\dir", 4))
    s.add("error", "symlink_context", symlink_error("..\\x", 0, True))
    s.add("error", "buffer_too_small", header(0x10, 0xC0000023) + struct.pack("<HBBII", 9, 0, 0, 4, 512))

    # Frames: single responses, a compound, a keepalive before a frame.
    for name in ("negotiate_response_311_1", "create_response_1", "query_directory_response_1",
                 "read_response", "change_notify_response_pending_1"):
        s.add("frame", name, frame(responses[name]))
    chain = compound([responses["create_response_1"], responses["query_info_all_response_1"],
                      responses["close_response_1"]])
    s.add("frame", "compound", frame(chain))
    s.add("frame", "keepalive", frame(b"", 0x85) + frame(responses["echo_response"]))
    s.add("frame", "two_frames", frame(responses["write_response_1"]) + frame(responses["close_response_2"]))

    # Transform: mode 1 encrypts the rest with the harness's key (byte 1
    # picks the cipher); mode 0 is a raw frame.
    for cipher in range(4):
        s.add("transform", "plain_%d" % cipher, bytes([1, cipher]) + chain)
        s.add("transform", "tamper_%d" % cipher, bytes([2, cipher, 40, 1]) + responses["read_response"])
    s.add("transform", "raw", b"\0\0" + struct.pack("<I16s16sIHHQ", 0x424D53FD, bytes(16), bytes(16),
                                                    len(chain), 0, 1, 1) + chain)

    for t in ("target", "../a/b c", "/abs/path", "x" * 1024, "\u00e9t\u00e9"):
        s.add("mfsymlink", "file_%d" % len(t), b"\0" + mfsymlink(t))
        s.add("mfsymlink", "format_%d" % len(t), b"\1" + t.encode())

    for nm, data in (("chr", b"IntxCHR\0" + struct.pack("<QQ", 4, 64)),
                     ("blk", b"IntxBLK\0" + struct.pack("<QQ", 8, 1)),
                     ("lnk", b"IntxLNK\1" + utf16("../target")),
                     ("old_fifo", b"LnxFIFO\0" + bytes(16)), ("old_sock", b"LnxSOCK\0" + bytes(16)),
                     ("sock", b"\0"), ("fifo", b"")):
        s.add("unix_meta", "type_" + nm, b"\0" + data)
    s.add("unix_meta", "encode_lnk", b"\1\xa0" + bytes(8) + b"some/target")
    s.add("unix_meta", "encode_chr", b"\1\x20" + struct.pack("<Q", (4 << 8) | 64))
    s.add("unix_meta", "bits", b"\2" + struct.pack("<II", 0o100644, 0o4000))
    krb5_seeds(s)
    print("%d seeds in %s" % (s.count, sys.argv[1]))


if __name__ == "__main__":
    main()
