#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Kerberos (sec=krb5, sec=krb5i) against a private Heimdal KDC and an
# smbd of this script's own that accepts Kerberos (and, for the last
# checks, refuses NTLM: samba.sh's readiness check logs on with NTLM, so
# that is set afterwards). Runs as root; every mount is a real FUSE mount
# of the ordinary test user, with a ticket that user got with kinit or
# with a keytab that user owns.
#
#   1  keytab= and principal=: mount, write, read back, the file on disk
#   2  kinit, then sec=krb5 with the user's credential cache (the
#      default one, and KRB5CCNAME), service cifs@127.0.0.1 and spn=
#   3  no ticket: the mount fails at once, exit 3, "run kinit"
#   4  an expired ticket: the same, "expired"
#   5  sec=krb5i: the session is signed (smbstatus), on 3.1.1 and 2.1
#   6  the [enc] share (encryption required): sealed over Kerberos keys,
#      AES-128-GCM and (the whole 32-byte session key) AES-256-GCM
#   7  unknown service principal, a server keytab without the ticket's
#      key, clock skew, a wrong realm: one clear line each, quickly
#   8  reconnect with the ticket gone: calls fail with "Key has expired",
#      the log says to run kinit; after kinit the mount works again;
#      with a keytab a reconnect takes a fresh ticket by itself; a
#      session Samba ends as its ticket expires logs on again with the
#      ticket a new kinit left
#   9  the server with "ntlm auth = disabled": NTLM fails, Kerberos works
#  10  the KDC down: "cannot reach a KDC"
#
# The service host name is made up (no /etc/hosts entry): smbfs connects
# to 127.0.0.1 and asks for cifs/$SVC_HOST through spn=. The KDC writes
# /run/kdc.pid whatever it is told; it is stopped by the pid this script
# started it with, and that file is removed only when it holds that pid.
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"
fs_need_env
is_root || die "run as root (it starts a KDC and an smbd)"

REALM=SMBFS.TEST
SVC_HOST=fileserver.smbfs.test
STALE_HOST=stale.smbfs.test
KDC_BIN=/usr/lib/heimdal-servers/kdc
FAIL_BOUND_S=15 # a failing Kerberos mount must end within this
for b in "$KDC_BIN" kstash kadmin kinit kdestroy ktutil faketime; do
	command -v "$b" >/dev/null || die "$b missing: scripts/install-deps.sh (heimdal-kdc, heimdal-clients, faketime)"
done

KDIR=$(mktemp -d "$SMB_TMPDIR/krb5.XXXXXX")
chmod 0755 "$KDIR"
KDC_PID=
KDC_PORT=
SERVERS=()
UPW=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')

krb_cleanup() {
	local s
	fs_cleanup
	for s in "${SERVERS[@]}"; do
		"$FS_ROOT/scripts/samba.sh" stop "$s" >/dev/null 2>&1
	done
	kdc_stop
}
trap krb_cleanup EXIT
trap 'exit 130' INT TERM

kdc_stop() {
	[ -n "$KDC_PID" ] || return 0
	terminate_pids 5 "$KDC_PID"
	[ "$(cat /run/kdc.pid 2>/dev/null)" = "$KDC_PID" ] && rm -f /run/kdc.pid
	KDC_PID=
}

write_krb5_conf() {
	cat >"$KDIR/krb5.conf" <<EOF
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
	dns_canonicalize_hostname = false
	udp_preference_limit = 1
	kdc_timeout = 3
	default_cc_name = FILE:$KDIR/cc/cc.%{uid}
	default_ccache_name = FILE:$KDIR/cc/cc.%{uid}
[realms]
	$REALM = {
		kdc = 127.0.0.1:$KDC_PORT
	}
[domain_realm]
	.smbfs.test = $REALM
	127.0.0.1 = $REALM
[kdc]
	database = {
		dbname = $KDIR/heimdal
		mkey_file = $KDIR/m-key
		acl_file = $KDIR/kadmind.acl
	}
[logging]
	kdc = FILE:$KDIR/kdc.log
	default = FILE:$KDIR/krb5.log
EOF
	chmod 0644 "$KDIR/krb5.conf"
}

kadm() { kadmin -l -c "$KDIR/krb5.conf" "$@"; }

# The realm, the user (password and keytab) and the services.
make_realm() {
	local p
	kstash --random-key --key-file="$KDIR/m-key" >/dev/null 2>&1 ||
		die "kstash failed"
	touch "$KDIR/kadmind.acl"
	kadm init --realm-max-ticket-life=1day --realm-max-renewable-life=1day \
		"$REALM" || die "kadmin init failed"
	kadm add --password="$UPW" --use-defaults "$SMB_USER@$REALM" ||
		die "kadmin add $SMB_USER failed"
	for p in "cifs/$SVC_HOST" "cifs/$SMB_HOST" "cifs/$STALE_HOST"; do
		kadm add --random-key --use-defaults "$p@$REALM" &&
			kadm ext_keytab -k "FILE:$KDIR/cifs.keytab" "$p@$REALM" ||
			die "cannot make the service key of $p"
	done
	# The server keeps the old key of this one only.
	kadm cpw --random-key "cifs/$STALE_HOST@$REALM" ||
		die "cannot change the key of cifs/$STALE_HOST"
	kadm ext_keytab -k "FILE:$KDIR/user.keytab" "$SMB_USER@$REALM" ||
		die "cannot extract the user's keytab"
	# A key for a realm no KDC serves, for the wrong-realm test.
	ktutil -k "FILE:$KDIR/user.keytab" add -p "$SMB_USER@WRONG.TEST" -V 1 \
		-e aes256-cts-hmac-sha1-96 -w "$UPW" ||
		die "cannot add a key for WRONG.TEST"
	# Credential caches of the test user (kinit renames into place).
	mkdir -p "$KDIR/cc"
	chown "$FS_USER:" "$KDIR/cc"
	chmod 0700 "$KDIR/cc"
	chown "$FS_USER:" "$KDIR/user.keytab"
	chmod 0600 "$KDIR/user.keytab"
	printf '%s\n' "$UPW" >"$KDIR/user.pw"
	chown "$FS_USER:" "$KDIR/user.pw"
	chmod 0600 "$KDIR/user.pw"
}

kdc_start() {
	local tries
	for tries in 1 2 3; do
		KDC_PORT=$(pick_free_port) || die "no free port for the KDC"
		write_krb5_conf
		"$KDC_BIN" --config-file="$KDIR/krb5.conf" --ports="$KDC_PORT" \
			--addresses=127.0.0.1 >>"$KDIR/kdc.out" 2>&1 &
		KDC_PID=$!
		fs_wait_for 10 port_accepts 127.0.0.1 "$KDC_PORT" && return 0
		kdc_stop
	done
	die "the KDC did not start: $(tail -n 5 "$KDIR/kdc.out" "$KDIR/kdc.log" 2>/dev/null)"
}

# server_start NAME: an smbd accepting Kerberos.
server_start() {
	local name=$1 dir=$SMB_TMPDIR/$1 extra=$KDIR/$1.conf
	{
		printf 'realm = %s\n' "$REALM"
		printf 'kerberos method = dedicated keytab\n'
		printf 'dedicated keytab file = FILE:%s/cifs.keytab\n' "$KDIR"
	} >"$extra"
	SERVERS+=("$dir")
	SMBFS_SMB_PASS=$SMB_PASS KRB5_CONFIG=$KDIR/krb5.conf \
		"$FS_ROOT/scripts/samba.sh" start "$dir" --conf-extra "$extra" \
		>/dev/null || die "cannot start the smbd $name"
}

# use_server NAME: fs_mount and smbstatus talk to that server from now on.
use_server() {
	set -a
	# shellcheck disable=SC1090,SC1091
	. "$SMB_TMPDIR/$1/env"
	set +a
}

# As the test user, with this realm's configuration.
kuser() { fs_user env KRB5_CONFIG="$KDIR/krb5.conf" "$@"; }
user_kinit() {
	kuser kinit --password-file="$KDIR/user.pw" "$@" "$SMB_USER@$REALM"
}
user_kdestroy() { kuser kdestroy "$@" 2>/dev/null; true; }

# krb_mount NAME SHARE OPTS: fs_mount with the realm's configuration.
krb_mount() { KRB5_CONFIG=$KDIR/krb5.conf fs_mount "$@"; }
krb_mount_logged() { KRB5_CONFIG=$KDIR/krb5.conf fs_mount_logged "$@"; }

# mount_fails NAME SHARE OPTS WANT DESC: smbfs-mount exits 3 (or 2 when
# no KDC answers) within FAIL_BOUND_S with one line holding WANT.
# MOUNT_WRAP: a command smbfs-mount runs under (faketime).
mount_fails() {
	local name=$1 share=$2 opts=$3 want=$4 desc=$5 out rc=0 t0 ms
	local mnt=$SMB_MNT_DIR/$name
	fs_prepare
	fs_user mkdir -p "$mnt"
	t0=$(now_ms)
	out=$(kuser timeout $((FAIL_BOUND_S + 5)) ${MOUNT_WRAP:-} "$FS_MOUNT_BIN" \
		"//$SMB_HOST:$SMB_PORT/$share" "$mnt" -o "$opts" 2>&1) || rc=$?
	ms=$(fs_ms_since "$t0")
	if is_mounted "$mnt"; then
		fs_umount "$mnt"
		fail "$desc: mounted"
	elif [ "$rc" -ne 3 ] && [ "$rc" -ne 2 ]; then
		fail "$desc: exit status $rc, expected 3 (or 2): $out"
	elif [[ $out != *"$want"* ]]; then
		fail "$desc: expected \"$want\", got: $out"
	elif [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]; then
		fail "$desc: more than one line: $out"
	elif [ "$ms" -gt $((FAIL_BOUND_S * 1000)) ]; then
		fail "$desc: took $(fs_seconds "$ms")"
	else
		pass "$desc (exit $rc, $(fs_seconds "$ms")): $out"
	fi
}

# round_trip DESC MNT SHAREPATH: write through the mount, read it back,
# and find the same bytes on the server's disk.
round_trip() {
	local desc=$1 mnt=$2 path=$3 f data
	f=krb5-$RANDOM.txt
	data="kerberos $desc $RANDOM"
	if ! fs_user sh -c "printf '%s' '$data' > '$mnt/$f'"; then
		fail "$desc: write failed"
		return
	fi
	check_eq "$desc: read back" "$data" "$(fs_user cat "$mnt/$f")"
	check_eq "$desc: on the server's disk" "$data" "$(cat "$path/$f")"
	fs_user rm -f "$mnt/$f"
}

# mount_round_trip NAME SHARE OPTS SHAREPATH DESC: the mount works both
# ways (round_trip), then is unmounted.
mount_round_trip() {
	if krb_mount "$1" "$2" "$3"; then
		pass "$5"
		round_trip "$5" "$FS_MNT" "$4"
		fs_umount "$FS_MNT"
	else
		fail "$5"
	fi
}

# session_line: smbstatus' line of the only session of the current server.
session_line() {
	smbstatus -s "$SMB_CONF" -b 2>/dev/null | grep -E "^[0-9]+ +$SMB_USER "
}

# tree_line SHARE: smbstatus' line of the only tree connect to SHARE.
tree_line() { smbstatus -s "$SMB_CONF" -S 2>/dev/null | grep -E "^$1 "; }

# mount_shows NAME SHARE OPTS SHAREPATH DESC ERE LINE-CMD...: the mount
# works both ways, and the smbstatus line LINE-CMD prints matches ERE.
mount_shows() {
	local name=$1 share=$2 opts=$3 path=$4 desc=$5 re=$6 line
	shift 6
	if ! krb_mount "$name" "$share" "$opts"; then
		fail "$desc: mount"
		return
	fi
	pass "$desc: mount"
	round_trip "$desc" "$FS_MNT" "$path"
	line=$("$@")
	if [[ $line =~ $re ]]; then
		pass "$desc: smbstatus: $line"
	else
		fail "$desc: smbstatus shows '$line'"
	fi
	fs_umount "$FS_MNT"
}

# --- the realm and the servers ---
KDC_PORT=0
write_krb5_conf
make_realm
kdc_start
server_start krb
use_server krb
KT="keytab=$KDIR/user.keytab,principal=$SMB_USER@$REALM"

# 1 keytab
mount_round_trip krb-kt plain "sec=krb5,$KT" "$SMB_SHARE_PATH_PLAIN" \
	"1 mount with keytab= and principal="
mount_round_trip krb-kt1 plain "sec=krb5,keytab=$KDIR/user.keytab" \
	"$SMB_SHARE_PATH_PLAIN" "1 mount with keytab= alone (its first principal)"

# 2 kinit and the credential cache
user_kdestroy
check "2 kinit as $FS_USER" user_kinit
mount_round_trip krb-cc plain "sec=krb5" "$SMB_SHARE_PATH_PLAIN" \
	"2 mount with the default credential cache (service cifs@$SMB_HOST)"
mount_round_trip krb-spn plain "sec=krb5,spn=cifs/$SVC_HOST" \
	"$SMB_SHARE_PATH_PLAIN" "2 mount with spn=cifs/$SVC_HOST"
check "2 the cache holds the ticket for cifs/$SVC_HOST" \
	sh -c "KRB5_CONFIG=$KDIR/krb5.conf runuser -u $FS_USER -- klist | grep -q 'cifs/$SVC_HOST@$REALM'"
CC2=FILE:$KDIR/cc/other
check "2 kinit into KRB5CCNAME=$CC2" \
	user_kinit -c "$CC2"
user_kdestroy
KRB5CCNAME=$CC2 mount_round_trip krb-ccname plain "sec=krb5" \
	"$SMB_SHARE_PATH_PLAIN" "2 mount with KRB5CCNAME (the default cache is empty)"
user_kdestroy -c "$CC2"

# 3 no ticket
mount_fails krb-none plain "sec=krb5" "run kinit" \
	"3 no ticket: one line that says to run kinit"

# 4 an expired ticket
if user_kinit --lifetime=5s; then
	sleep 6
	mount_fails krb-exp plain "sec=krb5" "expired" \
		"4 an expired ticket: one line that says so"
else
	fail "4 kinit --lifetime=5s"
fi
user_kdestroy

# 5 krb5i: signed. smbstatus -b columns: ... protocol, encryption ("-"),
# signing algorithm.
mount_shows krb-sign plain "sec=krb5i,$KT" "$SMB_SHARE_PATH_PLAIN" \
	"5 sec=krb5i, signed" 'SMB3_11 +- +(AES-128-GMAC|AES-128-CMAC|HMAC-SHA256)' \
	session_line
# SMB 2.1 signs only when asked: krb5i asks, with the session key itself.
mount_shows krb-sign21 plain "sec=krb5i,vers=2.1,$KT" "$SMB_SHARE_PATH_PLAIN" \
	"5 sec=krb5i over SMB 2.1, signed" 'SMB2_10 +- +HMAC-SHA256' session_line

# 6 sealed
mount_shows krb-enc enc "sec=krb5,$KT" "$SMB_SHARE_PATH_ENC" \
	"6 [enc] (encryption required), sealed" 'UTC +AES-[0-9]+-(GCM|CCM) ' \
	tree_line enc
# AES-256 cipher keys come from the whole 32-byte Kerberos session key.
# The server offers AES-256-GCM alone; smbstatus 4.17 has no name for it
# ("???"), but must not show "-" (unencrypted).
sed -i '/^\trealm = /a\	server smb3 encryption algorithms = AES-256-GCM' "$SMB_CONF"
smbcontrol -s "$SMB_CONF" smbd reload-config >/dev/null 2>&1
mount_shows krb-enc256 enc "sec=krb5,$KT" "$SMB_SHARE_PATH_ENC" \
	"6 [enc] sealed with AES-256-GCM" 'UTC +(AES-256-GCM|[?]{3}) ' \
	tree_line enc
sed -i '/smb3 encryption algorithms = AES-256-GCM/d' "$SMB_CONF"
smbcontrol -s "$SMB_CONF" smbd reload-config >/dev/null 2>&1

# 7 unknown service, wrong realm
user_kinit
mount_fails krb-spn-x plain "sec=krb5,spn=cifs/nosuch.smbfs.test" \
	"does not know the service principal" \
	"7 unknown service principal: one clear line"
mount_fails krb-stale plain "sec=krb5,spn=cifs/$STALE_HOST" \
	"Kerberos: the server refused the ticket" \
	"7 a server whose keytab lacks the ticket's key: one clear line"
# The client's clock an hour ahead of the KDC's (libfaketime).
MOUNT_WRAP="faketime -f +1h" mount_fails krb-skew plain "sec=krb5,$KT" \
	"clock skew" "7 clock skew: one clear line"
mount_fails krb-realm-c plain \
	"sec=krb5,keytab=$KDIR/user.keytab,principal=$SMB_USER@WRONG.TEST" \
	"realm WRONG.TEST" "7 a client principal in a wrong realm: one clear line"

# 8 reconnects: a fresh ticket each time, or "run kinit"
MLOG=$KDIR/mount-cc.log
if krb_mount_logged krb-rc plain "sec=krb5,echo_interval=2,softtimeo=20" "$MLOG"; then
	M=$FS_MNT
	fs_user sh -c "echo before > '$M/krb5-rc.txt'"
	user_kdestroy
	smbcontrol -s "$SMB_CONF" smbd kill-client-ip "$SMB_HOST" >/dev/null 2>&1
	if fs_log_wait "$MLOG" "reconnect attempt [0-9]+ failed: .*run kinit" 20; then
		pass "8 reconnect without a ticket: the log says to run kinit"
	else
		fail "8 no 'run kinit' in the log: $(tail -n 5 "$MLOG")"
	fi
	check_fails_with "Key has expired" \
		"8 a call while no ticket can be had fails with EKEYEXPIRED" \
		fs_user timeout 30 stat "$M/krb5-rc-new-$RANDOM"
	user_kinit
	if fs_wait_for 30 fs_user timeout 5 sh -c "echo again > '$M/krb5-rc2.txt'" &&
		[ "$(cat "$SMB_SHARE_PATH_PLAIN/krb5-rc2.txt")" = again ]; then
		pass "8 after kinit the mount works again"
	else
		fail "8 the mount does not recover after kinit: $(tail -n 5 "$MLOG")"
	fi
	fs_user rm -f "$M/krb5-rc.txt" "$M/krb5-rc2.txt"
	fs_umount "$M"
else
	fail "8 mount for the reconnect test"
fi
user_kdestroy

# Samba ends a Kerberos session when its ticket expires
# (STATUS_NETWORK_SESSION_EXPIRED): the new session setup takes the
# ticket kinit put in the cache meanwhile.
MLOG=$KDIR/mount-expiry.log
if user_kinit --lifetime=15s &&
	krb_mount_logged krb-exp2 plain "sec=krb5" "$MLOG"; then
	M=$FS_MNT
	t0=$(now_ms)
	user_kinit
	sleep $((17 - $(fs_ms_since "$t0") / 1000))
	if fs_user timeout 30 sh -c "echo late > '$M/krb5-late.txt'" &&
		[ "$(cat "$SMB_SHARE_PATH_PLAIN/krb5-late.txt")" = late ]; then
		pass "8 a call after the session's ticket expired works (new ticket)"
	else
		fail "8 a call after the session's ticket expired fails: $(tail -n 5 "$MLOG")"
	fi
	if fs_log_has "$MLOG" "expired.*reconnecting|reconnected after"; then
		pass "8 the expired session was logged on again"
	else
		fail "8 no new log-on in the log: $(tail -n 5 "$MLOG")"
	fi
	fs_user rm -f "$M/krb5-late.txt"
	fs_umount "$M"
else
	fail "8 kinit --lifetime=15s and mount"
fi
user_kdestroy
MLOG=$KDIR/mount-kt.log
if krb_mount_logged krb-rkt plain "sec=krb5,$KT,echo_interval=2" "$MLOG"; then
	M=$FS_MNT
	smbcontrol -s "$SMB_CONF" smbd kill-client-ip "$SMB_HOST" >/dev/null 2>&1
	if fs_log_wait "$MLOG" "reconnected after" 20 &&
		fs_user sh -c "echo after > '$M/krb5-rkt.txt'"; then
		pass "8 keytab: a reconnect takes a fresh ticket by itself"
	else
		fail "8 keytab: no reconnect: $(tail -n 5 "$MLOG")"
	fi
	fs_user rm -f "$M/krb5-rkt.txt"
	fs_umount "$M"
else
	fail "8 keytab mount for the reconnect test"
fi

# 9 NTLM disabled
# New connections read the changed smb.conf.
sed -i '/^\trealm = /a\	ntlm auth = disabled' "$SMB_CONF"
smbcontrol -s "$SMB_CONF" smbd reload-config >/dev/null 2>&1
check_fails_with "smbfs-mount:" \
	"9 NTLM refused by the server with ntlm auth = disabled" \
	fs_user "$FS_MOUNT_BIN" "//$SMB_HOST:$SMB_PORT/plain" \
	"$SMB_MNT_DIR/krb-ntlm" -o "username=$SMB_USER,password=$SMB_PASS"
is_mounted "$SMB_MNT_DIR/krb-ntlm" && fs_umount "$SMB_MNT_DIR/krb-ntlm"
mount_round_trip krb-nontlm plain "sec=krb5,$KT" "$SMB_SHARE_PATH_PLAIN" \
	"9 Kerberos works with ntlm auth = disabled"

# 10 the KDC down
kdc_stop
mount_fails krb-nokdc plain "sec=krb5,$KT" "cannot reach a KDC" \
	"10 the KDC down: one clear line"

fs_summary
