#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Installs what building and testing smbfs needs on Debian 12.
#
# As root: installs missing packages (an up-to-date machine does no apt
# work at all), makes /dev/fuse usable by ordinary users, enables
# user_allow_other and creates the ordinary test account smbfstest.
# As another user: reports what is missing and fails only if something is.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD_PKGS="gcc make pkg-config libfuse3-dev fuse3 libssl-dev heimdal-dev
	libcunit1-dev"
TEST_PKGS="samba samba-vfs-modules smbclient heimdal-kdc heimdal-clients faketime rsync sqlite3 git attr acl procps iproute2 psmisc
	python3"
TEST_USER=smbfstest
POLICY=/usr/sbin/policy-rc.d

missing_packages() {
	local p status
	for p in $BUILD_PKGS $TEST_PKGS; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) ||
			status=
		[ "$status" = installed ] || echo "$p"
	done
}

fuse_dev_ok() {
	[ ! -e /dev/fuse ] && return 0
	[ "$(stat -c %a /dev/fuse)" = 666 ]
}

fuse_conf_ok() {
	grep -qE '^[[:space:]]*user_allow_other' /etc/fuse.conf 2>/dev/null
}

# Installs packages without letting their maintainer scripts start daemons
# (samba would otherwise start a system smbd on port 445).
install_packages() {
	local own_policy=0 rc=0
	if [ ! -e "$POLICY" ]; then
		printf '#!/bin/sh\n# smbfs install-deps: no daemons\nexit 101\n' \
			>"$POLICY"
		chmod 0755 "$POLICY"
		own_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q || rc=$?
	if [ "$rc" -eq 0 ]; then
		apt-get install -y -q --no-install-recommends "$@" || rc=$?
	fi
	[ "$own_policy" -eq 1 ] && rm -f "$POLICY"
	return "$rc"
}

main() {
	local missing problems=()
	missing=$(missing_packages | tr '\n' ' ')
	missing=${missing% }

	if ! is_root; then
		[ -n "$missing" ] && problems+=("packages: $missing")
		fuse_dev_ok || problems+=("/dev/fuse is not mode 0666")
		fuse_conf_ok || problems+=("user_allow_other missing in /etc/fuse.conf")
		id -u "$TEST_USER" >/dev/null 2>&1 ||
			problems+=("test user $TEST_USER missing")
		if [ ${#problems[@]} -gt 0 ]; then
			log "not root; missing:"
			printf '  %s\n' "${problems[@]}" >&2
			log "run as root: scripts/install-deps.sh"
			exit 1
		fi
		return 0
	fi

	if [ -n "$missing" ]; then
		log "installing: $missing"
		# shellcheck disable=SC2086
		install_packages $missing || die "apt-get failed"
		missing=$(missing_packages | tr '\n' ' ')
		[ -z "${missing% }" ] || die "still missing: $missing"
	fi
	if ! fuse_dev_ok; then
		chmod 0666 /dev/fuse
	fi
	if ! fuse_conf_ok; then
		echo user_allow_other >>/etc/fuse.conf
	fi
	if ! id -u "$TEST_USER" >/dev/null 2>&1; then
		useradd -m -s /bin/bash "$TEST_USER" ||
			id -u "$TEST_USER" >/dev/null 2>&1 ||
			die "useradd $TEST_USER failed"
	fi
}

main "$@"
