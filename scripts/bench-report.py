#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Tables, ratios and targets of a scripts/bench.sh run.

  bench-report.py SAMPLES INFO [--samples]

SAMPLES holds one line per measurement: "METRIC<TAB>CLIENT<TAB>VALUE", or
"METRIC<TAB>CLIENT<TAB>n/a<TAB>REASON" for one that could not be made.
INFO holds KEY=VALUE lines (sizes, the proxy self-test, notes). Each figure
printed is the median of a metric's measurements; next to every other
client's figure stands the ratio smbfs / that client; a figure made of
fewer runs than the others carries a "*". The report ends with the same
figures as a Markdown table, the machine above it, for the README. With
--samples every single measurement is listed instead.
"""
import statistics
import sys
from collections import OrderedDict, defaultdict

CLIENT_TITLES = {
    "smbfs": "smbfs",
    "smbclient": "smbclient",
    "smbnetfs": "smbnetfs",
    "rclone": "rclone",
    "server": "server dir",
}

HIGHER, LOWER = "higher", "lower"

# section: (title, clients, notes); metrics: (id, section, label, unit, better)
SECTIONS = OrderedDict([
    ("data", ("Data: share [plain], {size_label} file", [
        "smbfs", "smbclient", "smbnetfs", "rclone", "server"], [
        "before each write the server's disk is put in the same state (a"
        " file of that size written, synced and deleted there): how fast the"
        " server absorbs a write depends on it",
        "writes: dd bs=1M from a file in /dev/shm (smbclient: put of that"
        " file), timed until the server holds every byte (smbfs and smbnetfs"
        " at close; rclone uploads after close, by default 5 s after);"
        " + fsync: dd conv=fsync, which also has the server put the data on"
        " its disk (smbclient's put never asks for that, so that row is"
        " compared with the server's own disk only)",
        "reads: dd bs=1M to /dev/null (smbclient: get to /dev/null) of a file"
        " placed on the server's disk, every page cache dropped before each"
        " read (the server reads from its disk too)",
        "random reads: fio, 4 KiB, {fio_s} s each, O_DIRECT on every mount"
        " (psync at QD 1, libaio at QD 16), the client's cache dropped and"
        " the server's copy read once beforehand so the figure is the"
        " client's, not the disk's; server dir: the same fio, buffered, from"
        " the page cache (buffered, so QD 16 is not deeper there)",
        "signing as smbclient: smbfs mounted with nosign, signing only"
        " when the server requires it, as smbclient does by default (smbfs"
        " signs every message unless told so); set against smbclient's"
        " put and get above",
        "CPU: smbfs and rclone: the daemon's utime+stime (/proc/PID/stat);"
        " smbclient: /usr/bin/time %U+%S of the whole command",
    ])),
    ("sealed", ("Sealed: share [enc] (server smb encrypt = required),"
                " {size_label} file", ["smbfs", "smbclient", "smbnetfs",
                                       "rclone"], [
        "smbclient with --client-protection=encrypt (-e); the mounts encrypt"
        " because the share requires it; the same writes and reads as above",
    ])),
    ("meta", ("Metadata: share [plain]", [
        "smbfs", "smbclient", "smbnetfs", "rclone", "server"], [
        "creates: one program opening (O_CREAT|O_EXCL), writing and closing"
        " each file in a new directory; rclone is timed until every file is"
        " on the server (it uploads 5 s after close)",
        "ls -l: cold is a fresh mount with every page cache dropped (server"
        " dir: caches dropped), warm is the same command again",
        "untar: tar -xf of a tarball of this machine's /usr/include"
        " ({tar_entries} entries: {tar_files} files, {tar_dirs} directories,"
        " {tar_mib} MiB; symbolic links left out, as smbnetfs and rclone"
        " cannot make them); find and rm -rf on the extracted tree, find on a"
        " fresh mount with caches dropped",
        "the server's CPU: user + system seconds of every smbd process of"
        " the private Samba (those reaped included) while the row above ran:"
        " work no client can take off the server",
        "smbclient (no file system: its own commands, one request after"
        " another on one connection): put of an empty or 4 KiB file per"
        " create, the first and the last {block} each in a session of its"
        " own (connect and logon included); ls of the directory (the listing"
        " alone, nothing asked per entry); smbclient -Tx of the same tarball;"
        " deltree",
    ])),
    ("latency", ("Latency: {rtt} ms round trip through build/tests/smbproxy"
                 " --delay-ms {delay}", ["smbfs", "smbclient"], [
        "proxy alone: {selftest}",
        "sequential read as above (caches dropped), smbfs's dd stopped after"
        " {lat_read_s} s if not done by then; ls -l of a directory of"
        " {lat_ls_n} empty files on a fresh mount; untar of a tree of"
        " {tree_files} files ({tree_dirs} directories)",
        "untar, smbclient: smbclient -Tx of the same tree",
        "round trips: smbfs-mount --stats (request frames sent, a compound"
        " counted once): {stats_state}",
        "requests per file in the untar: {lat_requests}",
    ])),
])

METRICS = [
    ("seq_write", "data", "sequential write, until all is on the server",
     "MiB/s", HIGHER),
    ("seq_write_sync", "data", "sequential write + fsync (server's disk)",
     "MiB/s", HIGHER),
    ("seq_read", "data", "sequential read", "MiB/s", HIGHER),
    ("seq_write_ns", "data", "write, signing as smbclient", "MiB/s",
     HIGHER),
    ("seq_read_ns", "data", "read, signing as smbclient", "MiB/s", HIGHER),
    ("rand_qd1", "data", "random 4 KiB read, QD 1", "IOPS", HIGHER),
    ("rand_qd16", "data", "random 4 KiB read, QD 16", "IOPS", HIGHER),
    ("cpu_write", "data", "CPU per GiB written", "s", LOWER),
    ("cpu_read", "data", "CPU per GiB read", "s", LOWER),
    ("enc_write", "sealed", "sequential write", "MiB/s", HIGHER),
    ("enc_read", "sealed", "sequential read", "MiB/s", HIGHER),
    ("enc_cpu_write", "sealed", "CPU per GiB written", "s", LOWER),
    ("enc_cpu_read", "sealed", "CPU per GiB read", "s", LOWER),
    ("create_4k", "meta", "create {n4k} x 4 KiB files", "files/s", HIGHER),
    ("create_empty", "meta", "create {n0} empty files", "files/s", HIGHER),
    ("create_first", "meta", "  the first {block}", "files/s", HIGHER),
    ("create_last", "meta", "  the last {block}", "files/s", HIGHER),
    ("create_ratio", "meta", "  last / first", "x", HIGHER),
    ("create_smbd", "meta", "  the server's CPU (smbd)", "s", LOWER),
    ("ls_cold", "meta", "ls -l {n0} entries, cold", "s", LOWER),
    ("ls_smbd", "meta", "  the server's CPU (smbd)", "s", LOWER),
    ("ls_warm", "meta", "ls -l {n0} entries, warm", "s", LOWER),
    ("untar", "meta", "untar {tar_name}", "s", LOWER),
    ("untar_smbd", "meta", "  the server's CPU (smbd)", "s", LOWER),
    ("find", "meta", "find -printf '%s\\n', cold", "s", LOWER),
    ("rm", "meta", "rm -rf of the tree", "s", LOWER),
    ("rm_smbd", "meta", "  the server's CPU (smbd)", "s", LOWER),
    ("lat_read", "latency", "sequential read", "MiB/s", HIGHER),
    ("lat_ls_cold", "latency", "ls -l {lat_ls_n} entries, cold", "s", LOWER),
    ("lat_ls_rt", "latency", "  round trips", "", LOWER),
    ("lat_untar", "latency", "untar {tree_files} files", "s", LOWER),
    ("lat_untar_rt", "latency", "  round trips per file", "", LOWER),
]

# Rows measured for smbfs alone, set against another client's row.
SAME_AS = {
    ("seq_write_ns", "smbclient"): "seq_write",
    ("seq_read_ns", "smbclient"): "seq_read",
}

# (label, metric, other client or None for smbfs's own figure, op, limit)
TARGETS = [
    ("sequential read >= 0.9x smbclient get", "seq_read", "smbclient",
     ">=", 0.9),
    ("sequential write >= 0.9x smbclient put", "seq_write", "smbclient",
     ">=", 0.9),
    ("sealed read >= 0.9x smbclient (encrypt)", "enc_read", "smbclient",
     ">=", 0.9),
    ("sealed write >= 0.9x smbclient (encrypt)", "enc_write", "smbclient",
     ">=", 0.9),
    ("create {n0} empty files >= 3x smbnetfs", "create_empty", "smbnetfs",
     ">=", 3),
    ("the last {block} of {n0} at >= 0.5x the rate of the first {block}",
     "create_ratio", None, ">=", 0.5),
    ("create {n4k} x 4 KiB files >= 3x smbnetfs", "create_4k", "smbnetfs",
     ">=", 3),
    ("untar within 4x of the server's own disk", "untar", "server", "<=", 4),
    ("rm -rf within 4x of the server's own disk", "rm", "server", "<=", 4),
    ("cold ls -l of {n0} within 4x of the server's local ls -l", "ls_cold",
     "server", "<=", 4),
    ("{rtt} ms RTT: sequential read >= 0.8x smbclient get", "lat_read",
     "smbclient", ">=", 0.8),
    ("{rtt} ms RTT: cold ls -l of {lat_ls_n} entries under 0.5 s",
     "lat_ls_cold", None, "<", 0.5),
    ("{rtt} ms RTT: untar at <= 2 round trips per file", "lat_untar_rt", None,
     "<=", 2),
]

ONE_RUN_NOTE = ("fewer runs than the others: smbnetfs and rclone repeat a"
                " measurement only while its run takes at most {slow_s} s, to keep"
                " make bench within its time (their figures are far from"
                " smbfs's either way)")

LABEL_W = 34
CELL_W = 17


def read_samples(path):
    values, reasons = {}, {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3:
                continue
            key = (parts[0], parts[1])
            if parts[2] == "n/a":
                reasons.setdefault(key, parts[3] if len(parts) > 3 else "")
            else:
                values.setdefault(key, []).append(float(parts[2]))
    return values, reasons


def read_info(path):
    info = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                # 10000 -> 10,000 in labels
                info[k] = "{:,}".format(int(v)) if v.isdigit() else v
    return info


def fmt(x):
    a = abs(x)
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    if a >= 1:
        return "%.2f" % x
    return "%.3f" % x


class Report:
    def __init__(self, values, reasons, info):
        self.values, self.reasons, self.info = values, reasons, info

    def text(self, s):
        return s.format_map(defaultdict(lambda: "?", self.info))

    def median(self, metric, client):
        """The median, or None with a reason (failed or not run)."""
        key = (SAME_AS.get((metric, client), metric), client)
        if key in self.reasons:
            return None, self.reasons[key]
        if key not in self.values:
            return None, "not run"
        return statistics.median(self.values[key]), None

    def fewer_runs(self, metric, client):
        reps = int(self.info.get("reps", "1").replace(",", ""))
        key = (SAME_AS.get((metric, client), metric), client)
        return len(self.values.get(key, [])) < reps

    def cell(self, metric, client, notes, na="n/a[%d]", none="-"):
        """A median with "*" when made of fewer runs and, for another
        client, the ratio smbfs / it; or NA with the reason's number in
        NOTES; or NONE when not measured."""
        v, why = self.median(metric, client)
        if v is None:
            if why == "not run":
                return none
            if why not in notes:
                notes.append(why)
            return na % (notes.index(why) + 1)
        s = fmt(v) + ("*" if self.fewer_runs(metric, client) else "")
        if client != "smbfs":
            mine, _ = self.median(metric, "smbfs")
            if mine is not None and v != 0:
                s += " (%.2f)" % (mine / v)
        return s

    def section(self, name):
        title, clients, notes = SECTIONS[name]
        out = ["", "== " + self.text(title) + " " + "=" * 10]
        head = "%-*s" % (LABEL_W, "")
        head += "".join("%*s" % (CELL_W, CLIENT_TITLES[c]) for c in clients)
        out.append(head)
        footnotes = []
        for mid, sec, label, unit, _ in METRICS:
            if sec != name:
                continue
            row = self.text(label) + (", " + unit if unit else "")
            line = "%-*s" % (LABEL_W, row[:LABEL_W])
            for c in clients:
                line += "%*s" % (CELL_W, self.cell(mid, c, footnotes))
            out.append(line.rstrip())
        for i, why in enumerate(footnotes):
            out.append("  n/a[%d]: %s" % (i + 1, why))
        if any(self.fewer_runs(m[0], c) and (m[0], c) in self.values
               for m in METRICS if m[1] == name for c in clients):
            out.append("  *: " + self.text(ONE_RUN_NOTE))
        for n in notes:
            out.append("  - " + self.text(n))
        if "time_" + name in self.info:
            out.append("  - this section took %s s" % self.info["time_" + name])
        return out

    def target(self, label, metric, other, op, limit):
        mine, why = self.median(metric, "smbfs")
        if other is not None and mine is not None:
            theirs, why = self.median(metric, other)
        if mine is None or (other is not None and theirs is None):
            return "n/a   %s: %s" % (self.text(label), why)
        if other is None:
            measured, shown = mine, fmt(mine)
        else:
            measured = mine / theirs if theirs else float("inf")
            shown = "%.2fx (smbfs %s, %s %s)" % (
                measured, fmt(mine), CLIENT_TITLES[other], fmt(theirs))
        ok = {">=": measured >= limit, "<=": measured <= limit,
              "<": measured < limit}[op]
        return "%-5s %s: %s" % ("PASS" if ok else "MISS", self.text(label),
                                shown)

    def targets(self):
        out = ["", "== Targets " + "=" * 10]
        out += [self.target(*t) for t in TARGETS]
        return out

    def header(self):
        i = defaultdict(lambda: "?", self.info)
        quick = (", BENCH_QUICK=1 (small sizes)" if i["quick"] == "1"
                 else "")
        return [
            "smbfs benchmark, %s%s" % (i["date"], quick),
            "machine: %s cores (%s), %s memory, kernel %s, Debian %s" % (
                i["cores"], i["cpu"], i["memory"], i["kernel"], i["debian"]),
            "server: Samba %s on loopback, one smbd for every client"
            % i["samba"],
            "clients: smbfs %s" % i["smbfs"],
            "         smbclient %s, smbnetfs %s, rclone %s, fio %s" % (
                i["smbclient_version"], i["smbnetfs_version"],
                i["rclone_version"], i["fio_version"]),
            "load average at the start: %s (other work on the machine shows"
            " in the figures)" % i["load_start"],
        ]

    def full(self):
        reps = self.info.get("reps", "?")
        out = self.header()
        out.append("Each figure is the median of %s run%s. In brackets: smbfs /"
                   " that client (MiB/s, IOPS, files/s: higher is better; s:"
                   " lower is better)." % (reps, "" if reps == "1" else "s"))
        for name in self.info.get("sections", "").split():
            out += self.section(name)
        out += self.targets()
        out += ["", "took %s; load average at the end: %s" % (
            self.info.get("took", "?"), self.info.get("load_end", "?"))]
        out += ["", "== Markdown, for the README " + "=" * 10, ""]
        out += self.markdown()
        return "\n".join(out)

    def markdown(self):
        """Every section's rows in one table, clients as columns, then the
        targets as a list."""
        i = defaultdict(lambda: "?", self.info)
        clients = [c for c in CLIENT_TITLES
                   if any(c in SECTIONS[n][1]
                          for n in i["sections"].split())]
        reps = i["reps"]
        out = ["Measured with `make bench` on %s, %s cores, %s memory, Linux"
               " %s, Debian %s; Samba %s on loopback; smbfs %s; %s." % (
                   i["cpu"], i["cores"], i["memory"], i["kernel"],
                   i["debian"], i["samba"], i["smbfs"].split(" ")[0],
                   i["date"]),
               "Medians of %s run%s; in brackets smbfs / that client (higher"
               " is better for MiB/s, IOPS and files/s, lower for seconds)."
               % (reps, "" if reps == "1" else "s"), "",
               "| workload | " + " | ".join(CLIENT_TITLES[c] for c in clients)
               + " |",
               "|---|" + "---:|" * len(clients)]
        notes = []
        one_run = False
        for name in i["sections"].split():
            title, sec_clients, _ = SECTIONS[name]
            out.append("| **%s** |%s" % (self.text(title), " |" * len(clients)))
            for mid, sec, label, unit, _ in METRICS:
                if sec != name:
                    continue
                row = self.text(label).strip() + (", " + unit if unit else "")
                cells = []
                for c in clients:
                    if c not in sec_clients:
                        cells.append("")
                        continue
                    cell = self.cell(mid, c, notes, na="n/a [%d]", none="—")
                    one_run |= "*" in cell
                    cells.append(cell.replace("*", "\\*"))
                indent = "&nbsp;&nbsp;" if label.startswith("  ") else ""
                out.append("| %s%s | %s |" % (indent, row.replace("|", "\\|"),
                                              " | ".join(cells)))
        out.append("")
        for n, why in enumerate(notes):
            out += ["n/a [%d]: %s" % (n + 1, why.replace("|", "\\|")), ""]
        if one_run:
            out += ["\\*: " + self.text(ONE_RUN_NOTE), ""]
        out.append("Targets:")
        out.append("")
        for t in TARGETS:
            verdict, rest = self.target(*t).split(None, 1)
            out.append("- **%s** %s" % (verdict, rest.replace(">=", "≥")
                                          .replace("<=", "≤")))
        return out

    def samples(self):
        out = ["== Every measurement (metric client: values) " + "=" * 10]
        for mid, _, _, _, _ in METRICS:
            for c in CLIENT_TITLES:
                vals = self.values.get((mid, c))
                if vals:
                    out.append("%-14s %-10s %s" % (
                        mid, c, " ".join(fmt(v) for v in vals)))
                if (mid, c) in self.reasons:
                    out.append("%-14s %-10s n/a: %s" % (
                        mid, c, self.reasons[(mid, c)]))
        return "\n".join(out)


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__)
    values, reasons = read_samples(argv[1])
    report = Report(values, reasons, read_info(argv[2]))
    print(report.samples() if argv[3:] == ["--samples"] else report.full())


if __name__ == "__main__":
    main(sys.argv)
