#!/usr/bin/env bash
# check-deb.sh DEB
# Checks the peerd Debian package: its file list and modes (dpkg-deb -c), its
# control fields (dpkg-deb -I), its conffiles and maintainer scripts
# (dpkg-deb -e).
set -euo pipefail

deb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "check-deb: $deb: $*" >&2
	exit 1
}

dpkg-deb -c "$deb" >"$tmp/contents"
for path in \
	./usr/bin/peerd \
	./usr/lib/systemd/system/peerd.service \
	./etc/peerd/peerd.yaml \
	./etc/peerd/peerd.env \
	./etc/peerd/peers.d/ \
	./usr/share/man/man1/peerd.1.gz \
	./usr/share/man/man1/peerd-version.1.gz \
	./usr/share/bash-completion/completions/peerd \
	./usr/share/zsh/vendor-completions/_peerd \
	./usr/share/fish/vendor_completions.d/peerd.fish \
	./usr/share/peerd/prometheus/peerd.rules.yml \
	./usr/share/peerd/prometheus/prometheus.yml \
	./usr/share/peerd/grafana/peerd.json \
	./usr/share/doc/peerd/copyright; do
	grep -q " $path\$" "$tmp/contents" || fail "missing $path"
done
grep -Eq '^-rwxr-xr-x root/root .* \./usr/bin/peerd$' "$tmp/contents" || fail "/usr/bin/peerd is not 0755 root"
grep -Eq '^-rw------- root/root .* \./etc/peerd/peerd\.env$' "$tmp/contents" || fail "/etc/peerd/peerd.env is not 0600 root"
grep -Eq '^-rw-r--r-- root/root .* \./usr/lib/systemd/system/peerd\.service$' "$tmp/contents" || fail "unit is not 0644"
if grep -vE ' \./(usr/bin|usr/lib/systemd/system|etc/peerd|usr/share/(man|bash-completion|zsh|fish|peerd|doc))(/|$)' "$tmp/contents" | grep -vE ' \./(usr|usr/lib|usr/lib/systemd|usr/share|etc)?/?$'; then
	fail "files outside the expected directories (above)"
fi

dpkg-deb -I "$deb" >"$tmp/info"
grep -q '^ Package: peerd$' "$tmp/info" || fail "Package is not peerd"
grep -Eq '^ Version: [0-9]' "$tmp/info" || fail "Version does not start with a digit"
grep -Eq "^ Architecture: $(dpkg --print-architecture)\$" "$tmp/info" || fail "Architecture is not $(dpkg --print-architecture)"

dpkg-deb -e "$deb" "$tmp/control"
printf '/etc/peerd/peerd.env\n/etc/peerd/peerd.yaml\n' >"$tmp/want-conffiles"
sort "$tmp/control/conffiles" | diff -u "$tmp/want-conffiles" - || fail "conffiles differ"
for script in postinst prerm postrm; do
	[ -x "$tmp/control/$script" ] || fail "no executable $script"
	sh -n "$tmp/control/$script" || fail "$script: syntax error"
done
grep -q 'systemctl daemon-reload' "$tmp/control/postinst" || fail "postinst does not reload systemd"
grep -q 'systemctl stop peerd.service' "$tmp/control/prerm" || fail "prerm does not stop peerd"
echo "check-deb: $deb OK ($(grep -c . "$tmp/contents") entries)"
