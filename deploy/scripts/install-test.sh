#!/usr/bin/env bash
# install-test.sh OLD_DEB NEW_DEB
# Installs, upgrades, removes and purges the peerd package on this machine
# (root; CI only) and checks what an administrator relies on: the binary
# runs, the installed unit verifies, the env file stays 0600, a locally
# edited config survives an upgrade, remove keeps the config, purge removes
# it. The maintainer scripts must cope with a machine where systemd is not
# running.
set -euo pipefail

old=$(realpath "$1")
new=$(realpath "$2")
fail() {
	echo "install-test: $*" >&2
	exit 1
}

if dpkg -s peerd >/dev/null 2>&1; then
	# A CI machine may keep what an earlier, failed run installed.
	[ "${CI:-}" = true ] || fail "peerd is already installed here; refusing to touch it"
	apt-get purge -y peerd
fi

apt-get install -y "$old"
peerd version
[ "$(stat -c %a /etc/peerd/peerd.env)" = 600 ] || fail "/etc/peerd/peerd.env is not mode 600"
[ -d /etc/peerd/peers.d ] || fail "no /etc/peerd/peers.d"
out=$(systemd-analyze verify /usr/lib/systemd/system/peerd.service 2>&1) || fail "verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify of the installed unit: $out"
promtool check rules /usr/share/peerd/prometheus/peerd.rules.yml
promtool check config /usr/share/peerd/prometheus/prometheus.yml
# Enabling works without a running systemd (it only links the unit).
systemctl enable peerd
[ "$(systemctl is-enabled peerd)" = enabled ] || fail "systemctl enable peerd did not enable it"

# An upgrade keeps the administrator's config (conffile, noreplace).
echo "# edited by the administrator" >>/etc/peerd/peerd.yaml
apt-get install -y "$new"
dpkg-query -W -f '${Version}\n' peerd
[ "$(dpkg-query -W -f '${Version}' peerd)" = "$(dpkg-deb -f "$new" Version)" ] || fail "upgrade did not install $new"
grep -q '^# edited by the administrator$' /etc/peerd/peerd.yaml || fail "upgrade replaced the edited config"

apt-get remove -y peerd
[ ! -e /usr/bin/peerd ] || fail "remove left /usr/bin/peerd"
[ ! -e /etc/systemd/system/multi-user.target.wants/peerd.service ] || fail "remove left peerd enabled"
[ -f /etc/peerd/peerd.yaml ] || fail "remove deleted the config"

apt-get purge -y peerd
[ ! -e /etc/peerd/peerd.yaml ] || fail "purge left /etc/peerd/peerd.yaml"
echo "install-test: install, upgrade, remove and purge OK"
