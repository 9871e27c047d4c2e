#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What metadata costs on the wire, counted with smbfs-mount --stats:
#   - a new file's mode (cifsacl) travels in its CREATE: after the first
#     file of a directory, creating files of any mode sends no QUERY_INFO
#     and no SET_INFO, and the modes are the ones asked, through this
#     mount and through a fresh second one (so the server kept them);
#   - the directory's own attributes after a create in it come from the
#     cache, with the modification time moved on, not from the server;
#   - the deferred CLOSEs of a burst of files go in compounds;
#   - a create of a case variant of an existing name fails with EEXIST
#     by its CREATE alone, without listing the directory;
#   - a burst of changes in a watched directory costs a few
#     CHANGE_NOTIFY requests, not one per change.
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"
fs_need_env
fs_trap
fs_prepare

MODES="600 640 644 700 755 444 400 664 711 751"

# delta BEFORE AFTER KEY: how much KEY grew, or "?" (reason on stderr).
delta() {
	local d
	if ! d=$(fs_stat_delta "$1" "$2" "$3"); then
		echo "$d" >&2
		echo "?"
		return
	fi
	echo "$d"
}

# make_files DIR PREFIX: one file per mode of $MODES, twice, umask 0.
make_files() {
	fs_user python3 - "$1" "$2" $MODES <<'EOF'
import os, sys
d, prefix = sys.argv[1], sys.argv[2]
os.umask(0)
for rep in (1, 2):
    for m in sys.argv[3:]:
        fd = os.open(os.path.join(d, "%s%s-%d" % (prefix, m, rep)),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL, int(m, 8))
        os.write(fd, b"x")
        os.close(fd)
EOF
}

want_modes() {
	local m rep
	for rep in 1 2; do
		for m in $MODES; do
			echo "new$m-$rep $m"
		done
	done | sort
}

fs_mount md plain || die "cannot mount"
M=$FS_MNT
D=$M/metadata
fs_user rm -rf "$D"
fs_user mkdir "$D" || die "mkdir $D"

# --- new files' modes in the CREATE ------------------------------------------
fs_user python3 -c 'import os; os.umask(0); os.close(os.open("'"$D"'/first", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))' ||
	die "cannot create $D/first"
s0=$SMB_TMPDIR/md.s0 s1=$SMB_TMPDIR/md.s1
fs_stats "$M" "$s0"
make_files "$D" new
check "20 files of 10 modes created" test $? -eq 0
fs_stats "$M" "$s1"
# The kernel may refresh a directory's attributes meanwhile (a stat: a
# CREATE and two QUERY_INFO, twice at most); the new files themselves ask
# nothing but their CREATE (a query and a SET_INFO of their descriptor
# each before).
n=$(delta "$s0" "$s1" requests.QUERY_INFO)
check "at most two stats' QUERY_INFO for the 20 new files ($n)" \
	test "$n" != "?" -a "$n" -le 4
check_eq "no SET_INFO for the 20 new files" 0 "$(delta "$s0" "$s1" requests.SET_INFO)"
n=$(delta "$s0" "$s1" requests.CREATE)
check "one CREATE each, and at most two stats' ($n)" \
	test "$n" != "?" -a "$n" -ge 20 -a "$n" -le 22
check_eq "their modes through the mount" "$(want_modes)" \
	"$(fs_user bash -c "cd '$D' && stat -c '%n %a' new* | sort")"
fs_mount md2 plain || die "cannot mount a second time"
check_eq "their modes through a fresh second mount" "$(want_modes)" \
	"$(fs_user bash -c "cd '$FS_MNT/metadata' && stat -c '%n %a' new* | sort")"
check_eq "their owner and group through the second mount" \
	"$(id -un "$FS_USER") $(id -gn "$FS_USER")" \
	"$(fs_user stat -c '%U %G' "$FS_MNT/metadata/new600-2")"
fs_umount "$FS_MNT"

# --- new directories' modes in the CREATE --------------------------------------
DMODES="700 755 750 711 775"
fs_user python3 -c 'import os; os.umask(0); os.mkdir("'"$D"'/firstdir", 0o700)' ||
	die "cannot make $D/firstdir"
fs_stats "$M" "$s0"
fs_user python3 - "$D" $DMODES <<'EOF'
import os, sys
os.umask(0)
for rep in (1, 2):
    for m in sys.argv[2:]:
        os.mkdir(os.path.join(sys.argv[1], "dir%s-%d" % (m, rep)), int(m, 8))
EOF
check "10 directories of 5 modes made" test $? -eq 0
fs_stats "$M" "$s1"
check_eq "no SET_INFO for the 10 new directories" 0 \
	"$(delta "$s0" "$s1" requests.SET_INFO)"
want_dirs=$(for rep in 1 2; do for m in $DMODES; do echo "dir$m-$rep $m"; done; done | sort)
check_eq "their modes through the mount" "$want_dirs" \
	"$(fs_user bash -c "cd '$D' && stat -c '%n %a' dir* | sort")"
fs_mount md2 plain || die "cannot mount a second time"
check_eq "their modes through a fresh second mount" "$want_dirs" \
	"$(fs_user bash -c "cd '$FS_MNT/metadata' && stat -c '%n %a' dir* | sort")"
fs_umount "$FS_MNT"

# --- removing listed files: one round trip each -------------------------------
fs_umount "$M"
fs_mount md plain || die "cannot mount again"
M=$FS_MNT
fs_user ls -l "$D" >/dev/null
# A small file read whole: one READ, nothing read ahead past its end.
fs_stats "$M" "$s0"
check_eq "cat of a 1-byte file" x "$(fs_user cat "$D/new644-1")"
fs_stats "$M" "$s1"
check_eq "... costs one READ" 1 "$(delta "$s0" "$s1" requests.READ)"
fs_stats "$M" "$s0"
fs_user bash -c "cd '$D' && rm new*"
fs_stats "$M" "$s1"
n=$(delta "$s0" "$s1" round_trips)
check "rm of 20 listed files: about one round trip each ($n)" \
	test "$n" != "?" -a "$n" -le 24

# --- the directory's attributes after a create --------------------------------
before=$(fs_user stat -c %Y "$D")
sleep 1.1
fs_user touch "$D/later" || fail "touch $D/later"
fs_stats "$M" "$s0"
after=$(fs_user stat -c %Y "$D")
fs_stats "$M" "$s1"
check "the directory's mtime moved on with the create ($before -> $after)" \
	test "$after" -gt "$before"
check_eq "the directory's stat after it sent nothing" 0 \
	"$(delta "$s0" "$s1" round_trips)"

# --- small files written in pieces: one WRITE each ----------------------------
fs_stats "$M" "$s0"
fs_user python3 - "$D" <<'EOF'
import os, sys
for i in range(10):
    fd = os.open(os.path.join(sys.argv[1], "pieces%d" % i),
                 os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    for n in (2048, 5000, 100):
        os.write(fd, bytes([65 + i]) * n)
    os.utime(fd, (1700000000, 1700000000))
    os.close(fd)
EOF
check "10 files written in 3 pieces each, their times set" test $? -eq 0
fs_stats "$M" "$s1"
check_eq "one WRITE per file" 10 "$(delta "$s0" "$s1" requests.WRITE)"
# CREATE, then the WRITE with the times' SET_INFO in one compound, then
# (maybe already) the deferred CLOSE: at most 3 round trips per file.
n=$(delta "$s0" "$s1" round_trips)
check "at most 3 round trips per file ($n for 10)" \
	test "$n" != "?" -a "$n" -le 30
# The deferred CLOSE (closetimeo=1) must not stamp its own time over
# the one set.
sleep 3
check_eq "the times set are the server's after the close" \
	"1700000000 1700000000" \
	"$(stat -c %Y "$SMB_SHARE_PATH_PLAIN/metadata/pieces0" \
		"$SMB_SHARE_PATH_PLAIN/metadata/pieces9" | tr '\n' ' ' | sed 's/ $//')"
check_eq "the server holds all of each" "7148 7148" \
	"$(stat -c %s "$SMB_SHARE_PATH_PLAIN/metadata/pieces0" "$SMB_SHARE_PATH_PLAIN/metadata/pieces9" | tr '\n' ' ' | sed 's/ $//')"
# A writer that keeps its file open and goes idle: its data is on the
# server within the hold time (1 s), without a close or fsync.
fs_user python3 - "$D/idle" <<'EOF' &
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
os.write(fd, b"x" * 100)
time.sleep(4)
os.close(fd)
EOF
idle_pid=$!
fs_wait_for 3 test -s "$SMB_SHARE_PATH_PLAIN/metadata/idle"
check_eq "an idle open file's write reaches the server by itself" 100 \
	"$(stat -c %s "$SMB_SHARE_PATH_PLAIN/metadata/idle" 2>/dev/null)"
wait "$idle_pid"

# --- deferred CLOSEs of a burst go out together ------------------------------
# Each file: its CREATE, its WRITE at close(2); the CLOSEs wait for
# closetimeo (1 s) and those due within a quarter of it go in one
# compound: one round trip per 250 ms of the burst, not one per file.
fs_stats "$M" "$s0"
t0=$(now_ms)
fs_user python3 - "$D" <<'EOF'
import os, sys
for i in range(20):
    fd = os.open(os.path.join(sys.argv[1], "batch%d" % i),
                 os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, b"%05d" % i)
    os.close(fd)
EOF
check "20 files created, written and closed" test $? -eq 0
made_ms=$(fs_ms_since "$t0")
sleep 2.5
fs_stats "$M" "$s1"
# Other CLOSEs (a stat's compound, an earlier file's deferred one) may
# take a round trip each.
cl=$(delta "$s0" "$s1" requests.CLOSE)
check "20 CLOSEs sent at least ($cl)" test "$cl" != "?" -a "$cl" -ge 20
n=$(delta "$s0" "$s1" round_trips)
cn=$(delta "$s0" "$s1" requests.CHANGE_NOTIFY)
most=$((40 + made_ms / 250 + 2 + ${cl/\?/0} - 20))
check "the CLOSEs of 20 files made in $made_ms ms take a few round trips ($n - $cn CHANGE_NOTIFY, at most $most)" \
	test "$n" != "?" -a "$cn" != "?" -a $((n - cn)) -le "$most"
check_eq "the server holds each file whole" "00000 00019" \
	"$(cat "$SMB_SHARE_PATH_PLAIN/metadata/batch0" "$SMB_SHARE_PATH_PLAIN/metadata/batch19" 2>/dev/null | sed 's/\(.....\)/\1 /g; s/ $//')"

# --- a create that differs only in case: one CREATE, no scan -----------------
# The share is case-insensitive: creating a case variant of a name must
# fail with EEXIST and leave the file alone, found by the CREATE itself
# (FILE_CREATE: STATUS_OBJECT_NAME_COLLISION), not by listing the directory
# again for each name.
fs_user sh -c "echo A >'$D/CaseFoo'" || die "cannot create $D/CaseFoo"
sleep 1.5 # the notifications of the changes above have come in
fs_user ls "$D" >/dev/null
fs_stats "$M" "$s0"
got=$(fs_user python3 - "$D" <<'EOF'
import errno, os, sys
for name in ("casefoo", "CASEFOO", "cAsEfOo"):
    try:
        os.close(os.open(os.path.join(sys.argv[1], name),
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        print("created")
    except OSError as e:
        print(errno.errorcode.get(e.errno, e.errno))
EOF
)
fs_stats "$M" "$s1"
check_eq "3 case variants of CaseFoo: EEXIST each" "EEXIST EEXIST EEXIST" "$(echo $got)"
check_eq "no QUERY_DIRECTORY for them" 0 "$(delta "$s0" "$s1" requests.QUERY_DIRECTORY)"
n=$(delta "$s0" "$s1" requests.CREATE)
check "at most one CREATE each ($n)" test "$n" != "?" -a "$n" -le 3
check_eq "the server holds CaseFoo alone, as written" "CaseFoo A" \
	"$(cd "$SMB_SHARE_PATH_PLAIN/metadata" && ls | grep -i '^casefoo$' | tr '\n' ' '; cat "$SMB_SHARE_PATH_PLAIN/metadata/CaseFoo" 2>/dev/null)"
fs_user rm -f "$D/CaseFoo"

# --- a burst of changes in a watched directory --------------------------------
fs_user ls "$D" >/dev/null
fs_stats "$M" "$s0"
t0=$(now_ms)
fs_user bash -c "cd '$D' && for i in \$(seq 1 300); do echo \$i >burst\$i; done"
burst_ms=$(fs_ms_since "$t0")
sleep 1
fs_stats "$M" "$s1"
n=$(delta "$s0" "$s1" requests.CHANGE_NOTIFY)
# One request per 50 ms batch and watch while the burst lasts (two
# watches: the directory's, and its parent's, which hears of the
# directory's own changes), plus the first of each: not one per change.
most=$((2 * (burst_ms / 50 + 3) + 4))
echo "# CHANGE_NOTIFY for 300 creates in $burst_ms ms: $n"
check "a burst of 300 creates costs one CHANGE_NOTIFY per 50 ms at most ($n, at most $most)" \
	test "$n" != "?" -a "$n" -le "$most"

fs_user rm -rf "$D"
fs_summary
