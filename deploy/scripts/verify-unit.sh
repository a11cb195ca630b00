#!/usr/bin/env bash
# verify-unit.sh BINARY [UNIT]
# Runs `systemd-analyze verify` on a copy of the peerd unit whose ExecStart
# points at BINARY (verify needs the binary to exist; /usr/bin/peerd does not
# on a build machine); any warning fails, not only errors. Then checks the
# hardening with `systemd-analyze security`.
set -euo pipefail

bin=$(realpath "$1")
unit=${2:-"$(dirname "$0")/../systemd/peerd.service"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sed "s#^ExecStart=/usr/bin/peerd #ExecStart=$bin #" "$unit" >"$tmp/peerd.service"
grep -q "^ExecStart=$bin run " "$tmp/peerd.service" || {
	echo "verify-unit: no ExecStart=/usr/bin/peerd run ... line in $unit" >&2
	exit 1
}
# Man pages are checked after installing the package (CI), not here.
if ! out=$(systemd-analyze verify --man=no "$tmp/peerd.service" 2>&1) || [ -n "$out" ]; then
	printf 'verify-unit: systemd-analyze verify %s:\n%s\n' "$unit" "$out" >&2
	exit 1
fi
# The hardening must keep systemd's exposure score at 2.0 ("OK") or below.
if ! out=$(systemd-analyze security --offline=true --threshold=20 --no-pager "$tmp/peerd.service" 2>&1); then
	printf 'verify-unit: systemd-analyze security: exposure above 2.0:\n%s\n' "$out" >&2
	exit 1
fi
echo "verify-unit: $unit OK; $(printf '%s\n' "$out" | grep -a -o 'Overall exposure level.*')"
