#!/usr/bin/env bash
# install-test.sh OLD_DEB NEW_DEB [EXAMPLE_DIR]
# Installs, upgrades, removes and purges the peerd package on this machine
# (root; CI only) and checks what an administrator relies on: the binary
# runs, the installed unit verifies, the env file stays 0600, a locally
# edited config survives an upgrade, remove keeps the config, purge removes
# it. The maintainer scripts must cope with a machine where systemd is not
# running.
set -euo pipefail

old=$(realpath "$1")
new=$(realpath "$2")
examples=$(realpath "${3:-examples/quickstart}")
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
# The documented configuration check, with the passwords in peerd.env.
printf 'PEERD_CLUSTER_A_PASSWORD=example-a\nPEERD_CLUSTER_B_PASSWORD=example-b\n' >>/etc/peerd/peerd.env
sh -c 'set -a; . /etc/peerd/peerd.env; exec peerd validate --config /etc/peerd/peerd.yaml'
# The documented credentials drop-in is valid.
mkdir -p /etc/systemd/system/peerd.service.d
printf '[Service]\nLoadCredential=cluster-a.password:/etc/peerd/cluster-a.password\n' \
	>/etc/systemd/system/peerd.service.d/credentials.conf
out=$(systemd-analyze verify peerd.service 2>&1) || fail "verify with drop-in: $out"
[ -z "$out" ] || fail "systemd-analyze verify with the credentials drop-in: $out"
rm -r /etc/systemd/system/peerd.service.d
# Enabling works without a running systemd (it only links the unit).
systemctl enable peerd
[ "$(systemctl is-enabled peerd)" = enabled ] || fail "systemctl enable peerd did not enable it"

# The installed daemon serves lint-clean metrics: run it against the
# simulated ONTAP world (peerd run -dev) until the example peering is
# available. Nothing leaves loopback.
work=$(mktemp -d)
dev_pid=
cleanup() {
	if [ -n "$dev_pid" ]; then kill "$dev_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
peerd run -dev --dir "$examples" --listen 127.0.0.1:0 >"$work/dev.out" 2>"$work/dev.err" &
dev_pid=$!
url=
for _ in $(seq 1 120); do
	url=$(sed -n 's#^  metrics *\(http://[^ ]*\)$#\1#p' "$work/dev.out")
	if [ -n "$url" ] && curl -fsS "$url" -o "$work/metrics" &&
		grep -q '^peerd_peer_availability{.*state="available"} 1$' "$work/metrics"; then
		break
	fi
	kill -0 "$dev_pid" 2>/dev/null || fail "peerd run -dev exited: $(cat "$work/dev.err")"
	sleep 0.5
done
grep -q '^peerd_peer_availability{.*state="available"} 1$' "$work/metrics" || fail "no available peer in $url"
curl -s "$url" | grep '^peerd_' | sed -n '1,5p'
promtool check metrics <"$work/metrics" || fail "promtool check metrics found problems"
kill "$dev_pid"
wait "$dev_pid" || true
dev_pid=

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
