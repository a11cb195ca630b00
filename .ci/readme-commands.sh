#!/usr/bin/env bash
# readme-commands.sh: every command README.md tells a reader to type is run,
# here or by a named test or CI step (no instruction that nobody executes).
#
#  1. Extracts every command line of README.md: the fenced `sh` blocks (also
#     indented ones inside lists), `$ ` lines of `console` blocks, and the
#     `peerd ...` usage lines of untagged blocks. `\` continuations are
#     joined, comments (an unquoted `#` starting a word) dropped, white space
#     normalised.
#  2. Looks each one up in the TABLE below: `run` (this script runs it, see
#     RUN below) or `covered FILE NEEDLE` (FILE must exist and a line of it
#     start with NEEDLE: the test or CI step that runs the command). A README command in
#     neither list fails the script, so a new command needs a runner first.
#  3. Runs the `run` commands against bin/peerd (`make build`) and
#     `peerd sim` on the documented ports, exactly as written with one
#     substitution: /etc/peerd/ becomes a temporary directory holding a copy
#     of examples/quickstart (the README's paths are those of the installed
#     package, which deploy/scripts/install-test.sh exercises as root).
#     Usage synopses (`peerd plan --config FILE [--output text|json] ...`)
#     are run as concrete instances, each checked against the synopsis.
#  4. Stops every background process it started (trap EXIT); every wait has
#     a deadline and the whole script runs under `timeout 180`.
#
# Run from anywhere: bash .ci/readme-commands.sh (CI: .ci/run, after make
# test). Needs Go, make, curl and free loopback ports 9443, 9444 and 9731.
set -euo pipefail

self=$(realpath "$0")
if [ -z "${READMECMDS_TIMED:-}" ]; then
	READMECMDS_TIMED=1 exec timeout --kill-after=10 180 bash "$self" "$@"
fi
cd "$(dirname "$self")/.."
repo=$PWD
export GOTOOLCHAIN=local

say() { echo "readme-commands: $*"; }
die() {
	echo "readme-commands: FAIL: $*" >&2
	exit 1
}

# ---------------------------------------------------------------------------
# 1. Extraction.

# strip_comment LINE: LINE without an unquoted comment (shell rules: `#`
# at the start of a word, outside quotes).
strip_comment() {
	local s=$1 out="" c prev=" " q=""
	local i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		if [ -n "$q" ]; then
			[ "$c" = "$q" ] && q=""
		elif [ "$c" = "'" ] || [ "$c" = '"' ]; then
			q=$c
		elif [ "$c" = "#" ] && [[ "$prev" == [[:space:]] ]]; then
			break
		fi
		out+=$c
		prev=$c
	done
	printf '%s' "$out"
}

# normalise TEXT: runs of white space to one space, trimmed.
normalise() {
	local s
	s=$(printf '%s' "$1" | tr -s ' \t' '  ')
	s=${s#' '}
	s=${s%' '}
	printf '%s' "$s"
}

# extract FILE: prints "LINENO<TAB>COMMAND" for every command of FILE.
extract() {
	local n=0 k line fence="" info="" indent=0 text pending="" start=0 re='^( *)(```+|~~~+)[[:space:]]*([^[:space:]`]*)'
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		if [ -z "$fence" ]; then
			if [[ $line =~ $re ]]; then
				indent=${#BASH_REMATCH[1]}
				fence=${BASH_REMATCH[2]}
				info=${BASH_REMATCH[3]}
				pending=""
			fi
			continue
		fi
		if [[ $line =~ ^\ *${fence:0:1}{${#fence},}[[:space:]]*$ ]]; then
			[ -z "$pending" ] || die "README.md:$start: unterminated \\ continuation"
			fence=""
			continue
		fi
		text=$line
		for ((k = 0; k < indent; k++)); do text=${text#' '}; done
		case $info in
		sh | bash | shell) ;;
		console) [[ $text == '$ '* ]] || continue; text=${text#'$ '} ;;
		'') [[ $text == 'peerd '* ]] || continue ;;
		*) continue ;;
		esac
		text=$(strip_comment "$text")
		[ -n "$pending" ] || start=$n
		if [[ $text =~ \\[[:space:]]*$ ]]; then
			text=${text%"${BASH_REMATCH[0]}"}
			pending+="$text "
			continue
		fi
		text=$(normalise "$pending$text")
		pending=""
		[ -n "$text" ] && printf '%s\t%s\n' "$start" "$text"
	done <"$1"
	[ -z "$fence" ] || die "README.md: unterminated code fence"
}

declare -A at  # README command -> README.md:line of its first occurrence
readme_cmds=() # README commands, in order, each once
extracted=$(extract README.md)
while IFS=$'\t' read -r n c; do
	if [ -n "$c" ] && [ -z "${at[$c]:-}" ]; then
		at[$c]="README.md:$n"
		readme_cmds+=("$c")
	fi
done <<<"$extracted"
[ ${#readme_cmds[@]} -gt 0 ] || die "no command found in README.md"

# ---------------------------------------------------------------------------
# 2. TABLE: every README command, with what runs it.

declare -A kind file needle done_run
# covered FILE NEEDLE: a line of FILE starts (after indentation) with NEEDLE,
# so a comment or message that mentions the command does not count.
starts_line() {
	awk -v n="$1" '{ sub(/^[ \t]+/, "") } index($0, n) == 1 { f = 1; exit } END { exit !f }' "$2"
}
t_run() { kind[$(normalise "$1")]=run; }
t_covered() {
	local c
	c=$(normalise "$1")
	kind[$c]=covered
	file[$c]=$2
	needle[$c]=$3
}

# Quickstart. TestRunProcess/dev runs the built binary as `run -dev` from
# the repository root (with --listen 127.0.0.1:0) until the example peering is
# available; install-test.sh runs the installed `peerd run -dev`.
t_covered 'go run ./cmd/peerd run -dev' cmd/peerd/run_process_test.go 't.Run("dev"'
# Test: .ci/run runs exactly this.
t_covered 'make test' .ci/run 'make test'
# Configuration, planning, the daemon, metrics, the simulator: run below.
t_run 'peerd validate --config /etc/peerd/peerd.yaml'
t_run 'peerd schema > /etc/peerd/peer.schema.json'
t_run 'peerd schema --config > /etc/peerd/config.schema.json'
t_run 'peerd plan --config /etc/peerd/peerd.yaml [--output text|json] [--detailed-exitcode]'
t_run 'peerd apply --config /etc/peerd/peerd.yaml [--auto-approve]'
t_run 'peerd run --config /etc/peerd/peerd.yaml [--dry-run] [--once] [--listen ADDR]'
t_run "curl -s http://127.0.0.1:9731/metrics | grep '^peerd_'"
t_run 'peerd version'
t_run 'peerd sim'
t_run 'peerd sim --cert-out /tmp/sim-ca.pem --cluster east=127.0.0.1:9443 --cluster west=127.0.0.1:9444 --nodes 4'
t_run 'curl --cacert /tmp/sim-ca.pem -u admin:netapp1! https://127.0.0.1:9443/api/cluster'
t_run "curl --cacert /tmp/sim-ca.pem -u admin:netapp1! -X POST -d '{\"remote\":\"cluster-b\"}' https://127.0.0.1:9443/_sim/links/cut"
# Operations: the Debian package. .ci/run builds it (make deploy-check
# depends on package; then make package DEB_VERSION=0.0.0~ci) and
# install-test.sh installs it with apt-get as root, upgrades it with the same
# command and runs the installed binary, the documented checks and
# `systemctl enable` (which works without a running systemd).
t_covered 'make package' .ci/run 'make package'
t_covered 'apt-get install ./dist/peerd_<version>_amd64.deb' deploy/scripts/install-test.sh 'apt-get install -y "$new"'
t_covered 'systemd-analyze verify peerd.service' deploy/scripts/install-test.sh 'out=$(systemd-analyze verify peerd.service 2>&1)'
t_covered "sh -c 'set -a; . /etc/peerd/peerd.env; exec peerd validate --config /etc/peerd/peerd.yaml'" \
	deploy/scripts/install-test.sh "sh -c 'set -a; . /etc/peerd/peerd.env; exec peerd validate --config /etc/peerd/peerd.yaml'"
t_covered 'systemctl enable peerd' deploy/scripts/install-test.sh 'systemctl enable peerd'
t_covered 'promtool check rules /usr/share/peerd/prometheus/peerd.rules.yml' deploy/scripts/install-test.sh 'promtool check rules /usr/share/peerd/prometheus/peerd.rules.yml'
# Not runnable on CI: these need systemd running as PID 1 (CI runs in a
# container without it). What they show is tested without systemd:
# TestDaemonHonoursTheUnitsNotifyContract holds the built daemon to the
# unit's Type=notify contract over a real notify socket (READY=1 after the
# first pass, which `systemctl start` waits for; the STATUS= line that
# `systemctl status` shows; WATCHDOG, RELOADING, STOPPING), and the logs that
# `journalctl -u peerd` shows are the daemon's stderr, checked by the cmd/peerd
# daemon tests (TestRunProcess).
t_covered 'systemctl start peerd' deploy/notify_test.go 'func TestDaemonHonoursTheUnitsNotifyContract('
t_covered 'systemctl status peerd' deploy/notify_test.go 'func TestDaemonHonoursTheUnitsNotifyContract('
t_covered 'journalctl -u peerd' cmd/peerd/run_process_test.go 'func TestRunProcess('
# Safety. The CI-size line is run below. The full-size line runs the same
# tests without -short: `make test` (go test -race ./...) runs them at full
# size once per CI run; the 5 repetitions are for people changing that code.
# `make fuzz FUZZTIME=1m` is the `make fuzz` step of `make test` with a longer
# budget (make test runs it with the Makefile's default FUZZTIME).
t_run "go test -race -short -run 'Chaos|Crash|Secrets' ./reconcile/ ./cmd/peerd/"
t_covered "go test -race -count=5 -run 'Chaos|Crash' ./reconcile/ ./cmd/peerd/" Makefile '$(GO) test -race -count=1 ./...'
t_covered 'make fuzz FUZZTIME=1m' Makefile 'test: vet lint fuzz'

problems=()
for c in "${readme_cmds[@]}"; do
	case ${kind[$c]:-} in
	run) ;;
	covered)
		[ -f "${file[$c]}" ] || { problems+=("${at[$c]}: $c: covered by ${file[$c]}, which does not exist"); continue; }
		starts_line "${needle[$c]}" "${file[$c]}" ||
			problems+=("${at[$c]}: $c: covered by ${file[$c]}, where no line starts with: ${needle[$c]}")
		;;
	*) problems+=("${at[$c]}: $c: no test or CI step runs this command; add it to the table in .ci/readme-commands.sh") ;;
	esac
done
for c in "${!kind[@]}"; do
	[ -n "${at[$c]:-}" ] || say "warning: table entry no longer in README.md: $c"
done
if [ ${#problems[@]} -gt 0 ]; then
	printf 'readme-commands: FAIL: %s\n' "${problems[@]}" >&2
	exit 1
fi
say "${#readme_cmds[@]} README commands, each run here or by a named test or CI step"

# ---------------------------------------------------------------------------
# 3. RUN.

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
	rm -f /tmp/sim-ca.pem
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# readme CMD: sets R to CMD's text as this script runs it, after checking
# that it is a README command the table says this script runs.
readme() {
	local c
	c=$(normalise "$1")
	[ -n "${at[$c]:-}" ] || die "not a README command (any more?): $c"
	[ "${kind[$c]:-}" = run ] || die "the table does not say run: $c"
	done_run[$c]=1
	R=${c//"/etc/peerd/"/"$etc/"}
}

# synopsis_regex SYNOPSIS: an extended regex matching every instance of a
# usage line `cmd args [--opt a|b] [--flag] [--opt VALUE]` (options in order).
synopsis_regex() {
	local s=$1 re="" base group w part alts
	base=${s%%' ['*}
	re=$(printf '%s' "$base" | sed 's/[][\.*^$+?(){}|]/\\&/g')
	s=${s#"$base"}
	while [[ $s =~ ^\ \[([^]]*)\](.*)$ ]]; do
		group=${BASH_REMATCH[1]}
		s=${BASH_REMATCH[2]}
		part=""
		for w in $group; do
			if [[ $w =~ ^[A-Z]+$ ]]; then
				part+=" [^ ]+"
			else
				alts=$(printf '%s' "$w" | sed 's/[][\.*^$+?(){}]/\\&/g')
				part+=" ($alts)"
			fi
		done
		re+="(${part})?"
	done
	[ -z "$s" ] || die "cannot read the usage line's options: $1"
	printf '^%s$' "$re"
}

# instance SYNOPSIS CMD: sets R to CMD, after checking that CMD (with the
# temporary directory written as /etc/peerd/) is an instance of the README
# usage line SYNOPSIS.
instance() {
	local re
	readme "$1"
	re=$(synopsis_regex "$(normalise "$1")")
	[[ $(normalise "${2//"$etc/"/"/etc/peerd/"}") =~ $re ]] || die "'$2' is not an instance of the README's '$1'"
	R=$2
}

# eventually DESC SECONDS CMD...: polls CMD until it succeeds or time is up.
eventually() {
	local desc=$1 secs=$2
	shift 2
	local deadline=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || die "timed out after ${secs}s waiting for $desc"
		sleep 0.2
	done
}

# bg NAME CMD: starts the shell command CMD in the background, stdout and
# stderr to $tmp/NAME.out and .err; sets bg_pid.
bg() {
	bash -c "exec $2" >"$tmp/$1.out" 2>"$tmp/$1.err" &
	bg_pid=$!
	pids+=("$bg_pid")
}

# forget PID: PID has been waited for; cleanup must not signal it.
forget() {
	local keep=() p
	for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	pids=("${keep[@]}")
}

# bounded SECONDS CMD: runs the shell command CMD under timeout, in the
# background so that a signal to this script is handled at once (cleanup
# then stops CMD); returns CMD's exit status.
bounded() {
	local p rc=0
	timeout "$1" bash -c "$2" &
	p=$!
	pids+=("$p")
	wait "$p" || rc=$?
	forget "$p"
	return $rc
}

# stop PID NAME: SIGTERM, then the exit status must be 0 within 15s.
stop() {
	kill -TERM "$1"
	local deadline=$((SECONDS + 15)) rc=0
	while kill -0 "$1" 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || die "$2 still running 15s after SIGTERM"
		sleep 0.1
	done
	wait "$1" || rc=$?
	forget "$1"
	[ $rc -eq 0 ] || die "$2 exited $rc after SIGTERM: $(cat "$tmp/$2.err")"
}

# ready NAME PID: waits for the simulator's `ready` line.
ready() {
	local deadline=$((SECONDS + 30))
	until grep -qx ready "$tmp/$1.out"; do
		kill -0 "$2" 2>/dev/null || die "$1 exited: $(cat "$tmp/$1.err")"
		[ $SECONDS -lt $deadline ] || die "$1: no ready line within 30s"
		sleep 0.1
	done
}

# run_ok NAME WANT_RC CMD: runs CMD (60s at most) with stdin from /dev/null,
# output in $tmp/NAME.out/.err; its exit status must be WANT_RC.
run_ok() {
	local rc=0
	bounded 60 "$3" </dev/null >"$tmp/$1.out" 2>"$tmp/$1.err" || rc=$?
	[ "$rc" = "$2" ] || die "$3: exit status $rc, want $2
stdout: $(cat "$tmp/$1.out")
stderr: $(cat "$tmp/$1.err")"
}

# has NAME TEXT: NAME's stdout has a line containing TEXT.
has() { grep -qF -- "$2" "$tmp/$1.out" || die "$1: no line with '$2' in: $(cat "$tmp/$1.out")"; }

for port in 9443 9444 9731; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		die "127.0.0.1:$port is in use; the README's commands need it"
	fi
done
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends curl >/dev/null; }

# jsonq [PATH]: reads JSON on stdin (fails if it is not JSON) and prints the
# value at PATH (dot-separated keys and indexes; strings raw).
mkdir "$tmp/jsonq" "$tmp/bin"
cat >"$tmp/jsonq/main.go" <<'EOF'
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	var v any
	if err := json.NewDecoder(os.Stdin).Decode(&v); err != nil {
		fmt.Fprintln(os.Stderr, "jsonq: not JSON:", err)
		os.Exit(1)
	}
	if len(os.Args) > 1 && os.Args[1] != "" {
		for _, k := range strings.Split(os.Args[1], ".") {
			switch x := v.(type) {
			case map[string]any:
				v = x[k]
			case []any:
				i, err := strconv.Atoi(k)
				if err != nil || i < 0 || i >= len(x) {
					v = nil
				} else {
					v = x[i]
				}
			default:
				v = nil
			}
		}
	}
	if s, ok := v.(string); ok {
		fmt.Println(s)
		return
	}
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}
EOF
(cd "$tmp/jsonq" && go build -o "$tmp/bin/jsonq" main.go)
jsonq() { "$tmp/bin/jsonq" "$@"; }

say "make build"
make build >/dev/null
ln -s "$repo/bin/peerd" "$tmp/bin/peerd"
export PATH="$tmp/bin:$PATH"
[ "$(command -v peerd)" = "$tmp/bin/peerd" ] || die "peerd does not resolve to bin/peerd"

# /etc/peerd/ of the README: the quickstart example, whose clusters are the
# simulator's defaults (password in PEERD_SIM_PASSWORD, ca_file sim-ca.pem).
etc=$tmp/etc
mkdir "$etc"
cp -r examples/quickstart/. "$etc/"
export PEERD_SIM_PASSWORD='netapp1!'
export NO_COLOR=1

# sim_api PORT PATH [CURL_ARGS...]: a request to the running simulator (GET
# unless CURL_ARGS say otherwise); an answer other than 2xx fails.
sim_api() { curl -fsS --cacert /tmp/sim-ca.pem -u 'admin:netapp1!' "${@:3}" "https://127.0.0.1:$1$2"; }
# peers PORT: "name status authentication" of every record on that cluster.
peers() {
	local out n i
	out=$(sim_api "$1" '/api/cluster/peers?fields=name,status.state,authentication.state')
	n=$(jsonq num_records <<<"$out")
	for ((i = 0; i < n; i++)); do
		echo "$(jsonq "records.$i.name" <<<"$out") $(jsonq "records.$i.status.state" <<<"$out") $(jsonq "records.$i.authentication.state" <<<"$out")"
	done
}
peered() { [ "$(peers 9443)" = "cluster-b available ok" ] && [ "$(peers 9444)" = "cluster-a available ok" ]; }

say "peerd version, schema, validate"
readme 'peerd version'
run_ok version 0 "$R"
grep -qE '^peerd [^ ]+$' "$tmp/version.out" || die "peerd version printed: $(cat "$tmp/version.out")"
for s in peer config; do
	[ $s = peer ] && c='peerd schema > /etc/peerd/peer.schema.json' || c='peerd schema --config > /etc/peerd/config.schema.json'
	readme "$c"
	run_ok schema 0 "$R"
	[ "$(jsonq '$schema' <"$etc/$s.schema.json")" = https://json-schema.org/draft/2020-12/schema ] ||
		die "$c: not a draft 2020-12 JSON Schema"
	cmp -s "$etc/$s.schema.json" "desired/schema/$s.schema.json" || die "$c differs from desired/schema/$s.schema.json"
done
readme 'peerd validate --config /etc/peerd/peerd.yaml'
run_ok validate 0 "$R"
has validate 'ok: 2 clusters, 1 relationship in 1 file'

say "peerd sim (defaults): the documented banner"
readme 'peerd sim'
bg sim0 "$R"
ready sim0 "$bg_pid"
for l in 'cluster-a https://127.0.0.1:9443 192.0.2.1,192.0.2.2' 'cluster-b https://127.0.0.1:9444 192.0.2.3,192.0.2.4' ready; do
	grep -qxF -- "$l" "$tmp/sim0.out" || die "peerd sim did not print '$l': $(cat "$tmp/sim0.out")"
	grep -qxF -- "$l" README.md || die "README.md no longer shows peerd sim's line '$l'"
done
stop "$bg_pid" sim0

say "peerd sim --cert-out /tmp/sim-ca.pem; curl; plan, apply, run"
bg sim "peerd sim --cert-out /tmp/sim-ca.pem"
sim_pid=$bg_pid
ready sim "$sim_pid"
cp /tmp/sim-ca.pem "$etc/sim-ca.pem"
readme 'curl --cacert /tmp/sim-ca.pem -u admin:netapp1! https://127.0.0.1:9443/api/cluster'
run_ok curl 0 "$R"
[ "$(jsonq name <"$tmp/curl.out")" = cluster-a ] || die "GET /api/cluster: $(cat "$tmp/curl.out")"
[ -z "$(peers 9443)$(peers 9444)" ] || die "the new simulator already has peers"

plan='peerd plan --config /etc/peerd/peerd.yaml [--output text|json] [--detailed-exitcode]'
instance "$plan" "peerd plan --config $etc/peerd.yaml"
run_ok plan 0 "$R"
has plan 'Plan: 2 to create, 0 to update, 0 to delete.'
cp "$tmp/plan.out" "$tmp/plan-default.out"
instance "$plan" "peerd plan --config $etc/peerd.yaml --output text"
run_ok plan 0 "$R"
cmp -s "$tmp/plan.out" "$tmp/plan-default.out" || die "--output text differs from the default output"
instance "$plan" "peerd plan --config $etc/peerd.yaml --output json --detailed-exitcode"
run_ok plan 2 "$R"
[ "$(jsonq summary.create <"$tmp/plan.out")" = 2 ] || die "plan JSON: summary.create is not 2: $(cat "$tmp/plan.out")"
[ "$(jsonq format_version <"$tmp/plan.out")" = 1.0 ] || die "plan JSON: format_version is not 1.0"
instance "$plan" "peerd plan --config $etc/peerd.yaml --detailed-exitcode"
run_ok plan 2 "$R"

run='peerd run --config /etc/peerd/peerd.yaml [--dry-run] [--once] [--listen ADDR]'
instance "$run" "peerd run --config $etc/peerd.yaml --dry-run --once"
run_ok run 2 "$R"
has run 'Plan: 2 to create'
apply='peerd apply --config /etc/peerd/peerd.yaml [--auto-approve]'
instance "$apply" "peerd apply --config $etc/peerd.yaml"
run_ok apply 1 "$R" # no terminal: refuses
[ -z "$(peers 9443)$(peers 9444)" ] || die "plan, run --dry-run or apply without approval wrote to ONTAP"
instance "$apply" "peerd apply --config $etc/peerd.yaml --auto-approve"
run_ok apply 0 "$R"
has apply 'Apply complete: 4 ok, 0 failed or skipped, 0 refused.'
peered || die "after apply: cluster-a: $(peers 9443); cluster-b: $(peers 9444)"
instance "$plan" "peerd plan --config $etc/peerd.yaml --detailed-exitcode"
run_ok plan 0 "$R"

# drop_b: deletes cluster-b's record out of band (drift for peerd to see).
drop_b() {
	local uuid
	uuid=$(sim_api 9444 '/api/cluster/peers?fields=uuid' | jsonq records.0.uuid)
	curl -fsS --cacert /tmp/sim-ca.pem -u 'admin:netapp1!' -X DELETE "https://127.0.0.1:9444/api/cluster/peers/$uuid" >/dev/null
	[ -z "$(peers 9444)" ] || die "could not delete cluster-b's record"
}
drop_b
instance "$run" "peerd run --config $etc/peerd.yaml --once"
run_ok run 0 "$R"
peered || die "after run --once: cluster-a: $(peers 9443); cluster-b: $(peers 9444)"

instance "$run" "peerd run --config $etc/peerd.yaml"
bg daemon "$R"
daemon_pid=$bg_pid
eventually "peerd run to be ready on 127.0.0.1:9731" 30 curl -fsS http://127.0.0.1:9731/readyz
readme "curl -s http://127.0.0.1:9731/metrics | grep '^peerd_'"
run_ok metrics 0 "$R"
grep -qv '^peerd_' "$tmp/metrics.out" && die "the metrics grep printed a line not starting with peerd_"
for c in cluster-a cluster-b; do
	grep -qE "^peerd_peer_availability\{.*cluster=\"$c\".*state=\"available\".*\} 1$" "$tmp/metrics.out" ||
		die "no available peer on $c in: $(cat "$tmp/metrics.out")"
done
stop "$daemon_pid" daemon

readme "curl --cacert /tmp/sim-ca.pem -u admin:netapp1! -X POST -d '{\"remote\":\"cluster-b\"}' https://127.0.0.1:9443/_sim/links/cut"
run_ok cut 0 "$R"
[ "$(cat "$tmp/cut.out")" = '{}' ] || die "links/cut answered: $(cat "$tmp/cut.out")"
[[ $(peers 9443) == 'cluster-b unavailable '* ]] || die "after links/cut, cluster-a reads: $(peers 9443)"
sim_api 9443 /_sim/links/restore -X POST -d '{"remote":"cluster-b"}' >/dev/null

# The dry-run daemon sees the drift, reports it and writes nothing.
drop_b
instance "$run" "peerd run --config $etc/peerd.yaml --dry-run --listen 127.0.0.1:0"
bg dry "$R"
dry_pid=$bg_pid
eventually "peerd run --dry-run --listen 127.0.0.1:0 to log its address" 30 grep -q '"peerd started"' "$tmp/dry.err"
addr=$(grep '"peerd started"' "$tmp/dry.err" | head -n 1 | jsonq listen)
[[ $addr == 127.0.0.1:* && $addr != 127.0.0.1:0 ]] || die "--listen 127.0.0.1:0: listening on '$addr'"
eventually "the dry-run daemon to be ready on $addr" 30 curl -fsS "http://$addr/readyz"
curl -fsS "http://$addr/metrics" -o "$tmp/dry.metrics"
grep -q '^peerd_plan_pending_actions{kind="create"} 1$' "$tmp/dry.metrics" ||
	die "dry-run daemon on $addr: no pending create for the deleted record"
[ -z "$(peers 9444)" ] || die "the dry-run daemon wrote to cluster-b: $(peers 9444)"
stop "$dry_pid" dry
stop "$sim_pid" sim

say "peerd sim with --cluster and --nodes"
readme 'peerd sim --cert-out /tmp/sim-ca.pem --cluster east=127.0.0.1:9443 --cluster west=127.0.0.1:9444 --nodes 4'
bg sim4 "$R"
ready sim4 "$bg_pid"
grep -qE '^east https://127\.0\.0\.1:9443 ([0-9.]+,){3}[0-9.]+$' "$tmp/sim4.out" &&
	grep -qE '^west https://127\.0\.0\.1:9444 ([0-9.]+,){3}[0-9.]+$' "$tmp/sim4.out" ||
	die "peerd sim --nodes 4 printed: $(cat "$tmp/sim4.out")"
readme 'curl --cacert /tmp/sim-ca.pem -u admin:netapp1! https://127.0.0.1:9443/api/cluster'
run_ok curl 0 "$R"
[ "$(jsonq name <"$tmp/curl.out")" = east ] || die "GET /api/cluster on east: $(cat "$tmp/curl.out")"
stop "$bg_pid" sim4

say "go test: chaos, crash and secrets at CI size"
c="go test -race -short -run 'Chaos|Crash|Secrets' ./reconcile/ ./cmd/peerd/"
rc=0
readme "$c"
bounded 150 "$R" || rc=$?
[ $rc -eq 0 ] || die "$c: exit status $rc"

for c in "${readme_cmds[@]}"; do
	[ "${kind[$c]}" != run ] || [ -n "${done_run[$c]:-}" ] || die "the table says run, but nothing ran: $c"
done
say "OK: every README command ran here or is run by the test or CI step named in the table (${SECONDS}s)"
