#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Split the SMB2 messages of a pcap into one hex file per message.

usage: capture-vectors.py PCAP PORT OUTDIR SUFFIX

Reassembles each TCP direction from tshark's raw payloads, removes the
4-byte Direct TCP transport header (MS-SMB2 2.1), skips transform
(0xFD 'SMB') and compression (0xFC 'SMB') headers, and splits compound
chains by NextCommand (MS-SMB2 2.2.1). Each message's bytes run from its
0xFE 'SMB' header to the next message of the chain (padding included, as
the signature covers it) or to the end of the PDU.

Files are named <command>[_<detail>]_<request|response>[_<status>]
[_SUFFIX][_N].hex. <detail> is the information class of QUERY_INFO and
SET_INFO (e.g. "all", "fs_size") or the FSCTL of IOCTL; <status> is
"pending" for interim STATUS_PENDING responses and a status name for other
failures (success, MORE_PROCESSING_REQUIRED and BUFFER_OVERFLOW count as
plain responses). _N numbers repeats from 1; only the first MAX_REPEATS
are written. Appends one line per message to OUTDIR/index.txt.
"""
import collections
import os
import struct
import subprocess
import sys

COMMANDS = [
    "negotiate", "session_setup", "logoff", "tree_connect",
    "tree_disconnect", "create", "close", "flush", "read", "write",
    "lock", "ioctl", "cancel", "echo", "query_directory", "change_notify",
    "query_info", "set_info", "oplock_break",
]

STATUS_NAMES = {
    0x00000103: "pending",
    0x0000010C: "notify_enum_dir",
    0x80000006: "no_more_files",
    0xC0000001: "unsuccessful",
    0xC0000002: "not_implemented",
    0xC000000D: "invalid_parameter",
    0xC000000F: "no_such_file",
    0xC0000010: "invalid_device_request",
    0xC0000011: "end_of_file",
    0xC0000022: "access_denied",
    0xC0000034: "object_name_not_found",
    0xC0000035: "object_name_collision",
    0xC000003A: "object_path_not_found",
    0xC0000043: "sharing_violation",
    0xC000006D: "logon_failure",
    0xC00000BB: "not_supported",
    0xC00000C9: "network_name_deleted",
    0xC00000CC: "bad_network_name",
    0xC0000101: "directory_not_empty",
    0xC0000120: "cancelled",
    0xC000019C: "fs_driver_required",
    0xC0000225: "not_found",
    0xC0000203: "user_session_deleted",
}
FILE_CLASSES = {
    4: "basic", 5: "standard", 6: "internal", 7: "ea", 8: "access",
    9: "name", 10: "rename", 11: "link", 13: "disposition", 14: "position",
    15: "full_ea", 16: "mode", 17: "alignment", 18: "all",
    19: "allocation", 20: "end_of_file", 21: "alternate_name",
    22: "stream", 28: "compression", 34: "network_open",
    35: "attribute_tag", 64: "disposition_ex", 65: "rename_ex",
}
FS_CLASSES = {
    1: "fs_volume", 3: "fs_size", 4: "fs_device", 5: "fs_attribute",
    6: "fs_control", 7: "fs_full_size", 8: "fs_object_id",
    11: "fs_sector_size",
}
CTL_CODES = {
    0x00060194: "dfs_get_referrals", 0x00140204: "validate_negotiate_info",
    0x001401FC: "query_network_interface_info",
    0x00144064: "srv_enumerate_snapshots", 0x0011C017: "pipe_transceive",
    0x000900A8: "get_reparse_point", 0x00140078: "srv_request_resume_key",
    0x001440F2: "srv_copychunk", 0x001480F2: "srv_copychunk_write",
    0x000900C0: "create_or_get_object_id", 0x0009009C: "get_object_id",
    0x000940CF: "query_allocated_ranges", 0x000980C8: "set_zero_data",
    0x000900C4: "set_sparse",
}
# Limit per file name and set; index.txt lists every message anyway.
MAX_REPEATS = 3
# Statuses whose responses carry the normal response structure.
OK_STATUSES = {0x00000000, 0xC0000016, 0x80000005}
PORT = 445


def tshark_segments(pcap):
    """Yields (stream, src_port, seq, payload bytes) for every segment."""
    out = subprocess.run(
        ["tshark", "-r", pcap, "-o", "tcp.desegment_tcp_streams:FALSE",
         "-Y", "tcp.len > 0", "-T", "fields", "-E", "separator=/t",
         "-e", "frame.number", "-e", "tcp.stream", "-e", "tcp.srcport",
         "-e", "tcp.seq_raw", "-e", "tcp.payload"],
        check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        frame, stream, sport, seq, payload = line.split("\t")
        yield (int(frame), int(stream), int(sport), int(seq),
               bytes.fromhex(payload.replace(":", "")))


def reassemble(pcap):
    """Returns {(stream, src_port): [(first frame, bytes)]} in seq order."""
    flows = collections.defaultdict(dict)
    for frame, stream, sport, seq, data in tshark_segments(pcap):
        flows[(stream, sport)].setdefault(seq, (frame, data))
    result = {}
    for key, segs in flows.items():
        buf = bytearray()
        frames = []
        expect = None
        for seq in sorted(segs):
            frame, data = segs[seq]
            if expect is not None and seq < expect:
                data = data[expect - seq:]  # retransmitted overlap
            elif expect is not None and seq > expect:
                sys.exit(f"gap in TCP stream {key} at seq {expect}")
            frames.append((len(buf), frame))
            buf += data
            expect = seq + len(segs[seq][1])
        result[key] = (bytes(buf), frames)
    return result


def frame_at(frames, offset):
    found = frames[0][1]
    for start, frame in frames:
        if start > offset:
            break
        found = frame
    return found


def messages(pdu):
    """Splits one PDU's compound chain; yields message byte strings."""
    pos = 0
    while True:
        if len(pdu) - pos < 64 or pdu[pos:pos + 4] != b"\xfeSMB":
            raise ValueError("bad SMB2 header in PDU")
        next_cmd = struct.unpack_from("<I", pdu, pos + 20)[0]
        if next_cmd == 0:
            yield pdu[pos:]
            return
        if next_cmd < 64 or pos + next_cmd > len(pdu):
            raise ValueError("bad NextCommand")
        yield pdu[pos:pos + next_cmd]
        pos += next_cmd


def walk(pcap):
    """Yields (frame, stream, message bytes) in capture order."""
    found = []
    for (stream, sport), (buf, frames) in reassemble(pcap).items():
        pos = 0
        while pos + 4 <= len(buf):
            if buf[pos] != 0:
                sys.exit(f"stream {stream}: bad transport header")
            length = int.from_bytes(buf[pos + 1:pos + 4], "big")
            pdu = buf[pos + 4:pos + 4 + length]
            if len(pdu) < length:
                break  # capture ended mid-PDU
            frame = frame_at(frames, pos)
            pos += 4 + length
            if pdu[:4] in (b"\xfdSMB", b"\xfcSMB"):
                continue  # encrypted or compressed: not a plain message
            if pdu[:4] == b"\xffSMB":
                continue  # SMB1 negotiate from a multi-protocol client
            for msg in messages(pdu):
                found.append((frame, stream, msg))
    found.sort(key=lambda m: (m[0], m[1]))
    return found


def detail(command, msg):
    """Names what a QUERY_INFO, SET_INFO or IOCTL request is about."""
    body = msg[64:]
    if command in (16, 17) and len(body) >= 4:  # MS-SMB2 2.2.37, 2.2.39
        info_type, info_class = body[2], body[3]
        if info_type == 1:
            return FILE_CLASSES.get(info_class, f"file{info_class}")
        if info_type == 2:
            return FS_CLASSES.get(info_class, f"fs{info_class}")
        return {3: "security", 4: "quota"}.get(info_type, f"type{info_type}")
    if command == 11 and len(body) >= 8:  # MS-SMB2 2.2.31
        code = struct.unpack_from("<I", body, 4)[0]
        return CTL_CODES.get(code, f"{code:08x}")
    return None


def base_name(msg, details):
    """details maps (command, MessageId) of a stream's requests to their
    detail, so a response is named like its request."""
    status = struct.unpack_from("<I", msg, 8)[0]
    command, _credits, flags = struct.unpack_from("<HHI", msg, 12)
    mid = struct.unpack_from("<Q", msg, 24)[0]
    name = COMMANDS[command] if command < len(COMMANDS) else f"cmd{command:x}"
    if not flags & 0x1:
        what = detail(command, msg)
        details[(command, mid)] = what
        if what:
            name += "_" + what
        return name + "_request", command, status, flags
    what = details.get((command, mid))
    if what:
        name += "_" + what
    name += "_response"
    if status not in OK_STATUSES:
        name += "_" + STATUS_NAMES.get(status, f"{status:08x}")
    return name, command, status, flags


def frame_infos(pcap):
    """Returns {frame: tshark's Info column} for the index."""
    out = subprocess.run(
        ["tshark", "-r", pcap, "-d", f"tcp.port=={PORT},nbss",
         "-T", "fields", "-E", "separator=/t",
         "-e", "frame.number", "-e", "_ws.col.Info"],
        check=True, capture_output=True, text=True).stdout
    infos = {}
    for line in out.splitlines():
        frame, _, info = line.partition("\t")
        infos[int(frame)] = info
    return infos


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    global PORT
    pcap, PORT, outdir, suffix = sys.argv[1], int(sys.argv[2]), \
        sys.argv[3], sys.argv[4]
    found = walk(pcap)
    infos = frame_infos(pcap)
    details = {}
    names = []
    for frame, stream, msg in found:
        per_stream = details.setdefault(stream, {})
        names.append(base_name(msg, per_stream))
    counts = collections.Counter(n[0] for n in names)
    seen = collections.Counter()
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "index.txt"), "a") as index:
        for (frame, stream, msg), (name, command, status, flags) in \
                zip(found, names):
            # The dialect matters most for NEGOTIATE: always name it.
            set_name = suffix or ("311" if command == 0 else "")
            fname = name + (f"_{set_name}" if set_name else "")
            seen[name] += 1
            if counts[name] > 1:
                fname += f"_{seen[name]}"
            fname += ".hex"
            if seen[name] <= MAX_REPEATS:
                with open(os.path.join(outdir, fname), "w") as f:
                    f.write(msg.hex() + "\n")
            else:
                fname = "(not written) " + fname
            mid = struct.unpack_from("<Q", msg, 24)[0]
            index.write(f"{fname:48} {os.path.basename(pcap)} "
                        f"frame={frame} stream={stream} len={len(msg)} "
                        f"mid={mid} status=0x{status:08x} "
                        f"flags=0x{flags:08x} "
                        f"| {infos.get(frame, '')}\n")
    print(f"{pcap}: {len(found)} messages")


if __name__ == "__main__":
    main()
