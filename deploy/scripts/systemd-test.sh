#!/usr/bin/env bash
# systemd-test.sh DEB [EXAMPLE_DIR]
# Runs the README's "Run as a service" commands against the installed
# package under a real systemd (root; CI only). The CI machine has no
# systemd as PID 1, so this boots one: a minimal Debian tree (debootstrap,
# from this machine's apt source) with systemd, dbus and curl,
# booted by systemd-nspawn on a private network (its own loopback only).
# Inside it: the package is installed, `peerd sim` (the installed binary)
# serves the simulated clusters, /etc/peerd is EXAMPLE_DIR's configuration
# (default examples/quickstart) with the password in peerd.env, and then
#   systemctl enable/start peerd   start returns once READY=1 (Type=notify)
#   systemctl status peerd         active (running), the last pass's STATUS=
#   systemctl reload peerd         SIGHUP: config reloaded, a pass, active
#   journalctl -u peerd            the daemon's log lines, no password
#   curl .../metrics               both sides of the peering available
#   systemctl stop peerd           a clean stop
# then the container is powered off and removed. Everything runs under
# `timeout 300` and every wait has a deadline; the EXIT trap stops the
# container and removes its tree whatever happened.
set -euo pipefail

self=$(realpath "$0")
if [ -z "${SYSTEMD_TEST_TIMED:-}" ]; then
	SYSTEMD_TEST_TIMED=1 exec timeout --kill-after=30 300 bash "$self" "$@"
fi
[ $# -ge 1 ] || {
	echo "usage: $0 DEB [EXAMPLE_DIR]" >&2
	exit 2
}
deb=$(realpath "$1")
examples=$(realpath "${2:-$(dirname "$self")/../../examples/quickstart}")
[ -f "$deb" ] || {
	echo "systemd-test: no package $deb" >&2
	exit 2
}

say() { echo "systemd-test: $* ($((SECONDS - t0))s)"; }
fail() {
	echo "systemd-test: FAIL: $*" >&2
	exit 1
}
t0=$SECONDS

# ---------------------------------------------------------------------------
# Host tools and the Debian tree.

export DEBIAN_FRONTEND=noninteractive
if ! command -v debootstrap >/dev/null || ! command -v systemd-nspawn >/dev/null ||
	! command -v nsenter >/dev/null || ! command -v pgrep >/dev/null; then
	apt-get install -y -qq --no-install-recommends debootstrap systemd-container util-linux procps >/dev/null
fi

# apt_source SUITE: the first URI of this machine's apt sources (one-line
# or deb822) that serves SUITE itself (not SUITE-updates or -security).
apt_source() {
	local f
	{
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			awk -v s="$1" '$1 == "deb" {
				i = 2
				if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
				if ($(i + 1) == s) print $i
			}' "$f"
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk -v s="$1" 'BEGIN { RS = "" } {
				uri = ""; deb = 0; suite = 0; on = 1
				n = split($0, l, "\n")
				for (k = 1; k <= n; k++) {
					if (l[k] ~ /^#/) continue
					if (l[k] ~ /^Types:/ && (l[k] " ") ~ /[ \t]deb[ \t]/) deb = 1
					if (l[k] ~ /^Suites:/ && (l[k] " ") ~ ("[ \t]" s "[ \t]")) suite = 1
					if (l[k] ~ /^Enabled:[ \t]*no/) on = 0
					if (l[k] ~ /^URIs:/) { split(l[k], u, /[ \t]+/); uri = u[2] }
				}
				if (deb && suite && on && uri != "") print uri
			}' "$f"
		done
	} | sed -n 1p
}

# shellcheck source=/dev/null
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$suite" ] || fail "no VERSION_CODENAME in /etc/os-release"
mirror=$(apt_source "$suite")
[ -n "$mirror" ] || fail "no apt source for $suite in /etc/apt/sources.list*"

work=$(mktemp -d /var/tmp/peerd-systemd-test.XXXXXX)
root=$work/root
nspawn_pid=
leader=
cleanup() {
	local rc=$? deadline m
	if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
		# SIGTERM: systemd-nspawn shuts the container down in order.
		kill -TERM "$nspawn_pid" 2>/dev/null || true
		deadline=$((SECONDS + 15))
		while kill -0 "$nspawn_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
		kill -KILL "$nspawn_pid" 2>/dev/null || true
		wait "$nspawn_pid" 2>/dev/null || true
	fi
	# The container's init (its PID namespace with it) if it outlived nspawn.
	if [ -n "$leader" ] && [ "$(cat "/proc/$leader/comm" 2>/dev/null)" = systemd ]; then
		kill -KILL "$leader" 2>/dev/null || true
	fi
	if [ $rc -ne 0 ] && [ -s "$work/console.log" ]; then
		echo "systemd-test: container console:" >&2
		tail -n 40 "$work/console.log" >&2 || true
	fi
	# A debootstrap that was stopped half-way may leave /proc or /sys mounted.
	findmnt -rn -o TARGET | grep -F "$root/" | sort -r | while read -r m; do umount -l "$m" || true; done || true
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

say "debootstrap $suite from $mirror"
# No procps: the unit must reload without /bin/kill, as on minimal systems.
timeout 200 debootstrap --variant=minbase --include=systemd,dbus,curl \
	"$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
	fail "debootstrap: $(tail -n 20 "$work/debootstrap.log")"
echo peerd-test >"$root/etc/hostname"
cp "$deb" "$root/root/peerd.deb"

# ---------------------------------------------------------------------------
# Boot.

say "boot (systemd-nspawn -b --private-network)"
systemd-nspawn --quiet --directory="$root" --machine=peerd-test --register=no --keep-unit \
	--private-network --boot --console=pipe </dev/null >"$work/console.log" 2>&1 &
nspawn_pid=$!
deadline=$((SECONDS + 30))
until leader=$(pgrep -P "$nspawn_pid" -x systemd); do
	kill -0 "$nspawn_pid" 2>/dev/null || fail "systemd-nspawn exited: $(cat "$work/console.log")"
	[ $SECONDS -lt $deadline ] || fail "no systemd in the container after 30s"
	sleep 0.2
done

# in_ct CMD...: runs CMD in the container (all its namespaces), in a clean
# environment, for at most CT_TIMEOUT (60) seconds.
in_ct() {
	nsenter --target "$leader" --all --root --wd \
		env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		SYSTEMD_COLORS=0 SYSTEMD_PAGER= \
		timeout --kill-after=5 "${CT_TIMEOUT:-60}" "$@"
}
# The README's commands, as an administrator types them, in the container.
systemctl() { in_ct systemctl --no-pager "$@"; }
journalctl() { in_ct journalctl --no-pager "$@"; }

state=$(CT_TIMEOUT=90 in_ct systemctl is-system-running --wait) || true
case $state in
running) ;;
degraded) echo "systemd-test: the container boots degraded: $(systemctl --failed --plain --no-legend)" ;;
*) fail "the container's systemd is '$state': $(systemctl --failed --plain --no-legend 2>&1)" ;;
esac
say "container up: systemd $(in_ct systemctl --version | sed -n '1s/^systemd \([^ ]*\).*/\1/p'), $state"

# ---------------------------------------------------------------------------
# The package, the simulator and the configuration.

in_ct apt-get install -y -qq /root/peerd.deb >"$work/apt.log" 2>&1 || fail "install: $(cat "$work/apt.log")"
# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
version=$(in_ct dpkg-query -W -f '${Version}' peerd)
[ "$version" = "$(dpkg-deb -f "$deb" Version)" ] || fail "installed $version, not $deb"
[ "$(stat -c %a "$root/etc/peerd/peerd.env")" = 600 ] || fail "/etc/peerd/peerd.env is not mode 600"

# A password of this run's own, so that the journal can be searched for it.
password=sim-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
(umask 077 && printf '%s\n' "$password" >"$root/etc/peerd/sim.password")
in_ct systemd-run --quiet --unit=peerd-sim \
	/usr/bin/peerd sim --cert-out /etc/peerd/sim-ca.pem --password-file /etc/peerd/sim.password
deadline=$((SECONDS + 30))
until journalctl -u peerd-sim -o cat >"$work/sim.log" 2>&1 && grep -qx ready "$work/sim.log"; do
	[ $SECONDS -lt $deadline ] || fail "peerd sim not ready: $(cat "$work/sim.log")"
	sleep 0.2
done
[ -s "$root/etc/peerd/sim-ca.pem" ] || fail "peerd sim wrote no /etc/peerd/sim-ca.pem"

cp "$examples/peerd.yaml" "$root/etc/peerd/peerd.yaml"
cp "$examples"/peers.d/*.yaml "$root/etc/peerd/peers.d/"
vars=$(sed -n 's/^ *password_env: *\([A-Za-z_][A-Za-z0-9_]*\).*/\1/p' "$examples/peerd.yaml" | sort -u)
[ -n "$vars" ] || fail "$examples/peerd.yaml names no password_env"
for v in $vars; do printf '%s=%s\n' "$v" "$password" >>"$root/etc/peerd/peerd.env"; done
chmod 644 "$root/etc/peerd/peerd.yaml" "$root/etc/peerd/sim-ca.pem" "$root/etc/peerd/peers.d/"*.yaml
say "peerd $version installed; peerd sim serving; /etc/peerd from $examples"

# ---------------------------------------------------------------------------
# The README's commands.

systemctl enable peerd
systemctl start peerd || fail "systemctl start peerd: $(journalctl -u peerd -n 30 -o cat 2>&1)"
say "systemctl start peerd returned"
systemctl status peerd >"$work/status.out" || fail "systemctl status peerd: $(cat "$work/status.out")"
cat "$work/status.out"
grep -qE '^ *Active: active \(running\)' "$work/status.out" || fail "status: not active (running)"
grep -qE '^ *Status: "pass [0-9]+: ' "$work/status.out" || fail "status: no pass summary (STATUS=)"
[ "$(systemctl show -p Type --value peerd)" = notify ] || fail "peerd.service is not Type=notify"
pid=$(systemctl show -p MainPID --value peerd)

# Both sides of the example peering available, read from the metrics.
deadline=$((SECONDS + 30))
until in_ct curl -fsS http://127.0.0.1:9731/metrics >"$work/metrics" 2>&1 &&
	[ "$(grep -cE '^peerd_peer_availability\{.*state="available"\} 1$' "$work/metrics")" = 2 ]; do
	[ $SECONDS -lt $deadline ] || fail "no available peering in the metrics: $(grep '^peerd_peer_av' "$work/metrics")"
	sleep 0.5
done
grep '^peerd_peer_availability{.*state="available"}' "$work/metrics"

# Reload: SIGHUP through ExecReload; the same process reloads, runs a pass
# and is active again.
systemctl reload peerd || fail "systemctl reload peerd: $(journalctl -u peerd -n 20 -o cat 2>&1)"
deadline=$((SECONDS + 30))
until journalctl -u peerd -o cat >"$work/log" && grep -q '"@message":"pass finished".*"trigger":"reload"' "$work/log"; do
	[ $SECONDS -lt $deadline ] || fail "no pass after the reload: $(journalctl -u peerd -n 20 -o cat 2>&1)"
	sleep 0.2
done
grep -q '"@message":"config reloaded"' "$work/log" || fail "the reload did not reload the config"
[ "$(systemctl show -p ActiveState --value peerd)" = active ] || fail "not active after the reload"
[ "$(systemctl show -p MainPID --value peerd)" = "$pid" ] || fail "the reload restarted peerd"
say "systemctl reload peerd: config reloaded, pass, active"

journalctl -u peerd >"$work/journal.out"
grep -q '"@message":"peerd started"' "$work/journal.out" || fail "journal: no 'peerd started': $(cat "$work/journal.out")"
grep -q '"@message":"pass finished"' "$work/journal.out" || fail "journal: no 'pass finished'"
! grep -qF "$password" "$work/journal.out" || fail "journalctl -u peerd shows the password"
journalctl -o verbose >"$work/journal-all.out"
! grep -qF "$password" "$work/journal-all.out" || fail "the journal holds the password"
say "journalctl -u peerd: $(wc -l <"$work/journal.out") lines, no password"

systemctl stop peerd
[ "$(systemctl is-active peerd)" = inactive ] || fail "peerd still active after systemctl stop"
[ "$(systemctl show -p ExecMainStatus --value peerd)" = 0 ] || fail "peerd stopped with status $(systemctl show -p ExecMainStatus --value peerd)"
journalctl -u peerd -o cat >"$work/log"
grep -q '"@message":"peerd stopped"' "$work/log" || fail "journal: no 'peerd stopped'"
say "systemctl stop peerd: stopped cleanly"

# ---------------------------------------------------------------------------
# Power off; the EXIT trap removes the tree.

systemctl poweroff >/dev/null 2>&1 || true
deadline=$((SECONDS + 30))
while kill -0 "$nspawn_pid" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || fail "the container did not power off within 30s"
	sleep 0.2
done
rc=0
wait "$nspawn_pid" || rc=$?
nspawn_pid=
[ $rc -eq 0 ] || fail "systemd-nspawn exited $rc: $(tail -n 20 "$work/console.log")"
echo "systemd-test: start, status, reload, journalctl, metrics and stop under systemd OK ($((SECONDS - t0))s)"
