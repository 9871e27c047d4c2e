#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Unix metadata through smbfs (smbfs-mount(8), "Unix metadata") against
# Samba with its default ACL handling, run as root; the mounts belong to
# the test user.  A second, fresh mount and the server's disk are the
# witnesses:
#   - chmod of files and of directories to every mode 0000-0777: the mode
#     shows through the mount, a fresh second mount and on the server's
#     disk.  Samba keeps a mode set through an NT ACL as a POSIX ACL
#     whose base entries (user::, group::, other::) are the mode, with
#     named copies for the owner and the group and a mask of rwx (so
#     ls -l on the server shows rwx for the group); the disk's mode is
#     read from those entries.  Samba also always leaves the owner read
#     on files and rwx on directories (source3/smbd/posix_acls.c,
#     ensure_minimal_owner_ace_perms): those bits are expected on.
#   - chmod +x of a script lets the owner run it, before it cannot.
#   - a new file gets the mount owner's group; chgrp of a file of the
#     server's account to the mount owner's own group (seen on disk); a group the
#     server's user is not in is refused with EPERM and the mode stays
#     (Samba grants the WRITE_OWNER a chgrp needs only to an owner with
#     rwx: smbfs widens the owner's bits for the change, see unix_attr.c);
#     the server's administrative user (admin users, conf/unixmeta.conf)
#     gives a file to another user and group (seen on disk and through
#     both mounts).
#   - a second ordinary user on the allow_other mount: a 0600 file of the
#     first user cannot be read, a 0644 one can, a file of the first user
#     in a sticky 1777 directory cannot be deleted (the first user can).
#   - with sfu: mkfifo and mknod c/b show their types and numbers through
#     a second mount, the server holds the bytes and the SYSTEM attribute
#     cifs.ko writes (and an mfsymlink's bytes), and a FIFO carries data
#     between two processes on one mount.
#   - rsync -a of mixed modes, a symlink and a FIFO, then again with
#     --dry-run --itemize-changes: nothing to transfer.
#   - fallocate --punch-hole and --zero-range: the data through the
#     mount and on the server's disk, and the hole there.
#   - the POSIX corners of fs/posix_corners.py: ctime, utimensat, nlink,
#     O_EXCL, O_TRUNC of a read-only file, renames over directories, and
#     EEXIST/ENOTEMPTY/EISDIR/ENOTDIR/ENAMETOOLONG.
#   - git clone of a repository with an executable file and a symlink
#     onto the mount: git status clean with core.fileMode true.
#
# Accounts: smbfsother (a second local user, no SMB account) and
# smbfsadmin (an SMB account of this server only, in admin users) are
# created when missing.
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"
fs_need_env
is_root || die "run as root (a second user, mknod of devices, the disk)"

OTHER=smbfsother
ADMIN=smbfsadmin
D=$SMB_SHARE_PATH_PLAIN/unixmeta
ADMIN_CREDS=$SMB_MNT_DIR/.creds-admin

um_cleanup() {
	fs_cleanup
	rm -rf "$D" "$ADMIN_CREDS"
}
trap um_cleanup EXIT
trap 'exit 130' INT TERM

ensure_user() {
	id -u "$1" >/dev/null 2>&1 && return 0
	useradd -M -s /usr/sbin/nologin "$1" || id -u "$1" >/dev/null 2>&1
}
ensure_user "$OTHER" || die "useradd $OTHER failed"
ensure_user "$ADMIN" || die "useradd $ADMIN failed"
admin_pass=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n%s\n' "$admin_pass" "$admin_pass" |
	smbpasswd -c "$SMB_CONF" -a -s "$ADMIN" >/dev/null ||
	die "smbpasswd -a $ADMIN failed"
fs_prepare
printf 'username=%s\npassword=%s\n' "$ADMIN" "$admin_pass" |
	fs_user_sh 'umask 077 && cat >"$1"' "$ADMIN_CREDS"

fs_mount um plain allow_other,sfu || die "cannot mount"
A=$FS_MNT/unixmeta
fs_user rm -rf "$A"
fs_user mkdir "$A" || die "mkdir $A"

# disk_modes DIR: "name mode" for each entry, the mode from the POSIX ACL's
# base entries when there is one (and "!" when its named copies of the
# owner and group differ from them), else from stat.
disk_modes() {
	python3 - "$1" <<'EOF'
import os, stat, subprocess, sys
top = sys.argv[1]
for name in sorted(os.listdir(top)):
    p = os.path.join(top, name)
    st = os.lstat(p)
    mode = stat.S_IMODE(st.st_mode) & 0o777
    out = subprocess.run(["getfacl", "-cpn", p], capture_output=True,
                         text=True).stdout.split()
    ent = dict(e.rsplit(":", 1) for e in out if e.count(":") == 2)
    bits = lambda s: sum(b for c, b in zip(s, (4, 2, 1)) if c != "-")
    bad = ""
    if "mask:" in ent:
        mode = (bits(ent["user:"]) << 6 | bits(ent["group:"]) << 3 |
                bits(ent["other:"]))
        for k, base in (("user:%d" % st.st_uid, "user:"),
                        ("group:%d" % st.st_gid, "group:")):
            if k in ent and ent[k] != ent[base]:
                bad = "!"
    print("%s %o%s" % (name, mode, bad))
EOF
}

# mount_modes DIR: "name mode" as a mount shows them.
mount_modes() {
	(cd "$1" && stat -c '%n %a' -- * | sort)
}

# --- chmod through every mode ---------------------------------------------
fs_user mkdir "$A/files" "$A/dirs"
fs_user_sh '
	cd "$1" || exit 1
	for m in $(seq 0 511); do
		o=$(printf %03o "$m")
		: >"files/m$o" && chmod "$o" "files/m$o" || exit 1
		mkdir "dirs/m$o" && chmod "$o" "dirs/m$o" || exit 1
	done' "$A"
check "chmod of 512 files and 512 directories through the mount" test $? -eq 0
want_files=$(for m in $(seq 0 511); do
	printf 'm%03o %o\n' "$m" $((m | 0400))
done | sort)
want_dirs=$(for m in $(seq 0 511); do
	printf 'm%03o %o\n' "$m" $((m | 0700))
done | sort)
check_eq "file modes through the mount" "$want_files" \
	"$(fs_user bash -c "$(declare -f mount_modes); mount_modes '$A/files'")"
check_eq "directory modes through the mount" "$want_dirs" \
	"$(fs_user bash -c "$(declare -f mount_modes); mount_modes '$A/dirs'")"
fs_mount um2 plain sfu || die "cannot mount a second time"
B=$FS_MNT/unixmeta
check_eq "file modes through a fresh second mount" "$want_files" \
	"$(fs_user bash -c "$(declare -f mount_modes); mount_modes '$B/files'")"
check_eq "directory modes through a fresh second mount" "$want_dirs" \
	"$(fs_user bash -c "$(declare -f mount_modes); mount_modes '$B/dirs'")"
check_eq "file modes on the server's disk" "$want_files" \
	"$(disk_modes "$D/files")"
check_eq "directory modes on the server's disk" "$want_dirs" \
	"$(disk_modes "$D/dirs")"
fs_umount "$FS_MNT"

# --- chmod +x ---------------------------------------------------------------
fs_user_sh 'printf "#!/bin/sh\necho ran\n" >"$1/run.sh" && chmod 644 "$1/run.sh"' \
	"$A"
check_fails_with "Permission denied" "a 0644 script cannot be run" \
	fs_user "$A/run.sh"
check "chmod +x" fs_user chmod +x "$A/run.sh"
check_eq "after chmod +x the owner runs it" ran "$(fs_user "$A/run.sh" 2>&1)"
check_eq "0755 on the server's disk" "run.sh 755" \
	"$(disk_modes "$D" | grep '^run.sh ')"

# --- owners -----------------------------------------------------------------
test_gid=$(id -g "$FS_USER")
fs_user_sh 'echo new >"$1/newgrp"' "$A"
check_eq "a new file gets the mount owner's group on the server's disk" \
	"$test_gid" "$(stat -c %g "$D/newgrp")"
# A file of the server's account with its primary group, made on disk.
echo data >"$D/grp"
chown "$SMB_USER:$SMB_USER" "$D/grp"
chmod 644 "$D/grp"
# Made on the server's disk: the mount hears of it by notification.
fs_wait_for 2 fs_user test -e "$A/grp" || true
check_eq "a file of the server's account shows the mount's owner" \
	"$(id -u "$FS_USER") $(id -g "$SMB_USER")" "$(stat -c '%u %g' "$A/grp")"
check "chgrp to the mount owner's own group" \
	fs_user chgrp "$test_gid" "$A/grp"
check_eq "the group on the server's disk" "$test_gid" "$(stat -c %g "$D/grp")"
check_eq "the group through the mount" "$test_gid" "$(stat -c %g "$A/grp")"
check_fails_with "Operation not permitted" \
	"chgrp (as root on the client) to a group the server's user is not in" \
	chgrp 0 "$A/grp"
check_eq "the refused chgrp left mode and group" "644 $test_gid" \
	"$(stat -c '%a %g' "$A/grp")"
check_eq "... also on the server's disk" "grp 644" \
	"$(disk_modes "$D" | grep '^grp ')"
check_fails_with "Operation not permitted" \
	"chown (as root on the client) by an ordinary server user" \
	chown "$OTHER" "$A/grp"

fs_mount um-admin plain "allow_other,credentials=$ADMIN_CREDS" ||
	die "cannot mount as $ADMIN"
ADM_MNT=$FS_MNT
ADM=$ADM_MNT/unixmeta
other_uid=$(id -u "$OTHER")
other_gid=$(id -g "$OTHER")
check "chown to another user by the server's administrative user" \
	chown "$OTHER:$OTHER" "$ADM/grp"
check_eq "owner and group on the server's disk" "$other_uid $other_gid" \
	"$(stat -c '%u %g' "$D/grp")"
check_eq "owner and group through the administrator's mount" \
	"$other_uid $other_gid" "$(stat -c '%u %g' "$ADM/grp")"
fs_mount um2 plain || die "cannot mount a second time"
check_eq "owner and group through a fresh mount of the ordinary user" \
	"$other_uid $other_gid" "$(fs_user stat -c '%u %g' "$FS_MNT/unixmeta/grp")"
fs_umount "$FS_MNT"
fs_umount "$ADM_MNT"

# --- modefromsid / idsfromsid ----------------------------------------------
# Samba drops any DACL holding an S-1-5-88 ACE with success
# (security_descriptor_with_ms_nfs() in source3/smbd/posix_acls.c and
# vfs_acl_common.c; only vfs_fruit with an AAPL client reads the mode ACE)
# and refuses S-1-5-88 owners: the mount must show what Samba kept.
echo m >"$D/msid"
chown "$SMB_USER:$SMB_USER" "$D/msid"
chmod 640 "$D/msid"
fs_mount um-msid plain modefromsid,idsfromsid || die "cannot mount"
MS=$FS_MNT/unixmeta
check "modefromsid: chmod 600 is accepted" fs_user chmod 600 "$MS/msid"
check_eq "modefromsid: the mode Samba kept shows (it ignores S-1-5-88 ACEs)" \
	"640 640" "$(fs_user stat -c %a "$MS/msid") $(disk_modes "$D" |
		sed -n 's/^msid //p')"
check_fails_with "Operation not permitted" \
	"idsfromsid: Samba refuses an S-1-5-88-2 group (STATUS_INVALID_OWNER)" \
	fs_user chgrp "$test_gid" "$MS/msid"
fs_umount "$FS_MNT"

# --- a second user on the allow_other mount ---------------------------------
fs_user_sh 'cd "$1" && echo secret >p600 && chmod 600 p600 &&
	echo public >p644 && chmod 644 p644 &&
	mkdir st && chmod 1777 st && echo mine >st/mine' "$A"
check_eq "the sticky directory shows 1777" 1777 "$(stat -c %a "$A/st")"
check_fails_with "Permission denied" "$OTHER cannot read a 0600 file" \
	runuser -u "$OTHER" -- cat "$A/p600"
check_eq "$OTHER reads a 0644 file" public \
	"$(runuser -u "$OTHER" -- cat "$A/p644" 2>&1)"
check_fails_with "Operation not permitted" \
	"$OTHER cannot delete the first user's file in a sticky 1777 directory" \
	runuser -u "$OTHER" -- rm -f "$A/st/mine"
check "the file is still there" test -e "$D/st/mine"
check "its owner deletes it" fs_user rm "$A/st/mine"

# --- special files with sfu -------------------------------------------------
check "mkfifo" fs_user mkfifo "$A/fifo"
check "mknod c 4 5 (as root: CAP_MKNOD)" mknod "$A/chr" c 4 5
check "mknod b 8 1" mknod "$A/blk" b 8 1
fs_mount um2 plain sfu || die "cannot mount a second time"
B=$FS_MNT/unixmeta
check_eq "types and numbers through a second mount" \
	"blk block special file 8 1
chr character special file 4 5
fifo fifo 0 0" \
	"$(fs_user_sh 'cd "$1" && stat -c "%n %F %t %T" blk chr fifo' "$B")"
fs_umount "$FS_MNT"
check_eq "the server holds the device as cifs.ko writes it" \
	"496e7478434852000400000000000000
0500000000000000" "$(od -An -tx1 -v "$D/chr" | tr -d ' ')"
check_eq "the server holds the FIFO as an empty file" 0 \
	"$(stat -c %s "$D/fifo")"
check "the FIFO carries the SYSTEM attribute (smbclient allinfo)" bash -c \
	"smbclient //$SMB_HOST/plain -p $SMB_PORT -A '$SMB_CREDS' \
		-c 'allinfo unixmeta\\fifo' 2>/dev/null |
	grep -qE '^attributes: [A-Z]*S'"
fs_user ln -s some/target "$A/link"
check_eq "the server holds the symlink as cifs.ko writes it (mfsymlinks)" \
	"$(python3 -c '
import hashlib
t = b"some/target"
b = b"XSym\n%04d\n%s\n%s\n" % (len(t), hashlib.md5(t).hexdigest().encode(), t)
print(hashlib.sha256(b + b" " * (1067 - len(b))).hexdigest())')" \
	"$(sha256sum "$D/link" | cut -d' ' -f1)"
fifo_out=$(fs_user_sh '
	(echo "through the fifo" >"$1") &
	timeout 15 cat "$1"' "$A/fifo")
check_eq "a FIFO carries data between two processes on the mount" \
	"through the fifo" "$fifo_out"

# --- fallocate ---------------------------------------------------------------
fs_user_sh 'cd "$1" && head -c 1048576 /dev/zero | tr "\0" A >fa &&
	fallocate --punch-hole -o 65536 -l 65536 fa &&
	fallocate --zero-range -o 262144 -l 45056 fa &&
	fallocate --zero-range -o 1048576 -l 65536 fa' "$A"
check "fallocate --punch-hole and --zero-range (within and past the end)" \
	test $? -eq 0
want_fa=$(python3 -c '
import hashlib
b = bytearray(b"A" * 1048576)
b[65536:131072] = bytes(65536)
b[262144:307200] = bytes(45056)
b += bytes(65536)
print(hashlib.sha256(b).hexdigest())')
check_eq "the data through the mount" "$want_fa" \
	"$(fs_user sha256sum "$A/fa" | cut -d' ' -f1)"
check_eq "the server's file holds the same" "$want_fa" \
	"$(sha256sum "$D/fa" | cut -d' ' -f1)"
check_eq "the punched range is a hole in the server's file" "65536 131072" \
	"$(python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
print(os.lseek(fd, 0, os.SEEK_HOLE), os.lseek(fd, 65536, os.SEEK_DATA))' \
		"$D/fa")"

# --- the other POSIX corners (fs/posix_corners.py) --------------------------
fs_user mkdir "$A/corners"
while IFS= read -r line; do
	case $line in
	"ok   "*) pass "${line#ok   }" ;;
	"FAIL "*) fail "${line#FAIL }" ;;
	*) fail "posix_corners.py: $line" ;;
	esac
done < <(fs_user python3 "$FS_LIB_DIR/posix_corners.py" "$A/corners" 2>&1)

# --- rsync -a ------------------------------------------------------------------
R=$FS_SCRATCH/um-rsync
fs_user rm -rf "$R"
fs_user_sh 'set -e; mkdir -p "$1/sub"; cd "$1"
	for m in 600 640 644 664 700 750 755 775 444 400; do
		echo "$m" >"f$m"; chmod "$m" "f$m"; done
	chmod 750 sub; echo in >sub/x; ln -s f644 link; mkfifo fifo' "$R"
check "rsync -a of mixed modes, a symlink and a FIFO onto the mount" \
	fs_user rsync -a "$R/" "$A/rsync/"
check_eq "rsync -a --dry-run --itemize-changes again: nothing to transfer" "" \
	"$(fs_user rsync -a --dry-run --itemize-changes "$R/" "$A/rsync/" 2>&1)"

# --- git --------------------------------------------------------------------
G=$FS_SCRATCH/um-git
fs_user rm -rf "$G"
fs_user_sh '
	set -e
	export HOME=$1/home GIT_CONFIG_NOSYSTEM=1
	mkdir -p "$HOME" "$1/src"
	git config --global user.name "smbfs test"
	git config --global user.email test@smbfs.invalid
	cd "$1/src"
	git init -q
	printf "#!/bin/sh\necho built\n" >build.sh && chmod 755 build.sh
	echo text >README && ln -s README readme-link
	mkdir bin && printf "#!/bin/sh\n" >bin/tool && chmod 755 bin/tool
	git add -A && git commit -q -m one' "$G"
check "a local repository with executables and a symlink" test $? -eq 0
check "git clone onto the mount" fs_user_sh \
	'HOME=$1/home GIT_CONFIG_NOSYSTEM=1 git clone -q "$1/src" "$2/clone"' \
	"$G" "$A"
check_eq "core.fileMode is true in the clone" true \
	"$(fs_user_sh 'HOME=$1/home GIT_CONFIG_NOSYSTEM=1 git -C "$2" config core.fileMode' "$G" "$A/clone")"
check_eq "git status clean" "" \
	"$(fs_user_sh 'HOME=$1/home GIT_CONFIG_NOSYSTEM=1 git -C "$2" -c core.fileMode=true status --porcelain 2>&1' "$G" "$A/clone")"
check_eq "executables and symlink through the mount" \
	"bin/tool 755 regular file
build.sh 755 regular file
readme-link 777 symbolic link" \
	"$(cd "$A/clone" && stat -c '%n %a %F' bin/tool build.sh readme-link)"

fs_summary
