#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2015 # `$` in single quotes is meant literally; `A && B || die` dies if either fails
# readme-commands.sh: every command README.md tells a reader to type is run,
# here or by a named test or CI step (no instruction that nobody executes).
#
#  1. Extracts the command lines of README.md: fenced `sh` blocks (indented
#     ones in lists too), `$ ` lines of `console` blocks and `peerd ...`
#     usage lines of untagged blocks; `\` continuations joined, comments (an
#     unquoted `#` starting a word) dropped, white space normalised.
#  2. Looks each one up in the TABLE: `run` (run below) or `covered FILE
#     NEEDLE` (a line of FILE starts with NEEDLE: the test or CI step that
#     runs it; a script FILE must be run by .ci/run). A README command in
#     neither fails the script.
#  3. Runs the `run` commands as written, with `peerd` being bin/peerd
#     (`make build`) and one substitution: /etc/peerd/ is a temporary copy
#     of examples/quickstart, whose clusters are `peerd sim`'s defaults (the
#     installed /etc/peerd is deploy/scripts/install-test.sh's). Usage lines
#     (`peerd plan --config FILE [--output text|json]`) run as instances,
#     each checked against the usage line.
#  4. Stops what it started (trap EXIT); every wait has a deadline, and the
#     whole script runs under `timeout 180`.
#
# bash .ci/readme-commands.sh from anywhere (CI: .ci/run, after make test).
# Needs Go, make, curl (installed if missing) and free 127.0.0.1 ports 9443,
# 9444 and 9731.
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

# strip_comment LINE: LINE without its comment (shell rules: a `#` that
# starts a word, outside quotes).
strip_comment() {
	local s=$1 out="" c prev=" " q="" i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		if [ -n "$q" ]; then
			[ "$c" = "$q" ] && q=""
		elif [ "$c" = "'" ] || [ "$c" = '"' ]; then
			q=$c
		elif [ "$c" = "#" ] && [[ $prev == [[:space:]] ]]; then
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
	printf '%s' "${s%' '}"
}

# extract FILE: "LINE<TAB>COMMAND" for every command of FILE.
extract() {
	local n=0 k line fence="" info="" indent=0 text pending="" start=0
	local open='^( *)(```+|~~~+)[[:space:]]*([^[:space:]`]*)'
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		if [ -z "$fence" ]; then
			if [[ $line =~ $open ]]; then
				indent=${#BASH_REMATCH[1]} fence=${BASH_REMATCH[2]} info=${BASH_REMATCH[3]}
			fi
			continue
		fi
		if [[ $line =~ ^\ *${fence:0:1}{${#fence},}[[:space:]]*$ ]]; then
			[ -z "$pending" ] || die "$1:$start: \\ continuation at the end of a block"
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
			pending+="${text%"${BASH_REMATCH[0]}"} "
			continue
		fi
		text=$(normalise "$pending$text")
		pending=""
		[ -z "$text" ] || printf '%s\t%s\n' "$start" "$text"
	done <"$1"
	[ -z "$fence" ] || die "$1: unterminated code fence"
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
t_run() { kind[$(normalise "$1")]=run; }
t_covered() {
	local c
	c=$(normalise "$1")
	kind[$c]=covered file[$c]=$2 needle[$c]=$3
}

# Quickstart, Configuration, Planning, Running, Metrics, the simulator.
t_run 'go run ./cmd/peerd run -dev'
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
t_run "go test -race -short -run 'Chaos|Crash|Secrets' ./reconcile/ ./cmd/peerd/"
# Performance (about a minute together on 2 cores).
t_run 'make bench'
t_run "go test -run '^\$' -bench 'NoOpPass|FleetConvergence' -benchtime 1x ./reconcile"
# Test: this is what .ci/run runs.
t_covered 'make test' .ci/run 'make test'
# Safety. The full-size line runs the same tests without -short: make test
# (go test -race ./...) runs them at full size once per CI run, not five
# times. `make fuzz FUZZTIME=1000000x` is make test's `make fuzz` with a longer
# budget (make test uses the Makefile's default FUZZTIME).
t_covered "go test -race -count=5 -run 'Chaos|Crash' ./reconcile/ ./cmd/peerd/" Makefile '$(GO) test -race -count=1 ./...'
t_covered 'make fuzz FUZZTIME=1000000x' Makefile 'test: vet lint fuzz'
# Operations. .ci/run builds the package (deploy-check depends on it, then
# make package DEB_VERSION=0.0.0~ci); install-test.sh, as root, installs the
# old one and upgrades to the new one with apt-get install, runs the
# installed binary, the documented checks and `systemctl enable` (which
# works without a running systemd).
t_covered 'make package' .ci/run 'make package'
t_covered 'apt-get install ./dist/peerd_<version>_amd64.deb' deploy/scripts/install-test.sh 'apt-get install -y "$new"'
t_covered 'systemd-analyze verify peerd.service' deploy/scripts/install-test.sh 'out=$(systemd-analyze verify peerd.service 2>&1)'
c="sh -c 'set -a; . /etc/peerd/peerd.env; exec peerd validate --config /etc/peerd/peerd.yaml'"
t_covered "$c" deploy/scripts/install-test.sh "$c"
t_covered 'systemctl enable peerd' deploy/scripts/install-test.sh 'systemctl enable peerd'
c='promtool check rules /usr/share/peerd/prometheus/peerd.rules.yml'
t_covered "$c" deploy/scripts/install-test.sh "$c"
# They need systemd as PID 1, which CI's machine has not got: systemd-test.sh
# boots one (a Debian tree under systemd-nspawn), installs the package there
# and runs them against the simulator: start (READY=1, Type=notify), status
# (active (running), the pass summary), reload, the journal (log lines, no
# password), the metrics and stop.
t_covered 'systemctl start peerd' deploy/scripts/systemd-test.sh 'systemctl start peerd'
t_covered 'systemctl status peerd' deploy/scripts/systemd-test.sh 'systemctl status peerd'
t_covered 'journalctl -u peerd' deploy/scripts/systemd-test.sh 'journalctl -u peerd'

# starts_line NEEDLE FILE: a line of FILE starts (after indentation) with
# NEEDLE, so a comment or message that mentions a command does not count.
starts_line() {
	awk -v n="$1" '{ sub(/^[ \t]+/, "") } index($0, n) == 1 { f = 1; exit } END { exit !f }' "$2"
}
problems=()
for c in "${readme_cmds[@]}"; do
	case ${kind[$c]:-} in
	run) ;;
	covered)
		if [ ! -f "${file[$c]}" ] || ! starts_line "${needle[$c]}" "${file[$c]}"; then
			problems+=("${at[$c]}: $c: covered by ${file[$c]}, but no line there starts with: ${needle[$c]}")
		elif [[ ${file[$c]} == *.sh ]] && ! starts_line "${file[$c]}" .ci/run; then
			problems+=("${at[$c]}: $c: covered by ${file[$c]}, which .ci/run does not run")
		fi
		;;
	*) problems+=("${at[$c]}: $c: no test or CI step runs this command; add it to the table in .ci/readme-commands.sh") ;;
	esac
done
for c in "${!kind[@]}"; do
	[ -n "${at[$c]:-}" ] || say "warning: a table entry is not in README.md: $c"
done
if [ ${#problems[@]} -gt 0 ]; then
	printf 'readme-commands: FAIL: %s\n' "${problems[@]}" >&2
	exit 1
fi
say "${#readme_cmds[@]} README commands, each run here or by a named test or CI step"

# ---------------------------------------------------------------------------
# 3. RUN.

tmp=$(mktemp -d)
etc=$tmp/etc # the README's /etc/peerd
pids=()      # background processes to stop on exit; "-PID" for a group
cleanup() {
	local p killer deadline=$((SECONDS + 10))
	if [ ${#pids[@]} -gt 0 ]; then
		# Ctrl-C (SIGINT) for a group (`go run` waits for its program then),
		# SIGTERM for a process.
		for p in "${pids[@]}"; do kill "-$([ "$p" = "${p#-}" ] && echo TERM || echo INT)" -- "$p" 2>/dev/null || true; done
		(
			sleep 5
			for p in "${pids[@]}"; do kill -KILL -- "$p" 2>/dev/null || true; done
		) &
		killer=$!
		for p in "${pids[@]}"; do
			wait "${p#-}" 2>/dev/null || true
			# a group's other members are not children: poll until gone
			while [ "$p" != "${p#-}" ] && kill -0 -- "$p" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
		done
		kill "$killer" 2>/dev/null || true
	fi
	rm -rf "$tmp" /tmp/sim-ca.pem
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# readme CMD: sets R to CMD as this script runs it, after checking that it
# is a README command that the table says this script runs.
readme() {
	local c
	c=$(normalise "$1")
	[ -n "${at[$c]:-}" ] || die "not a README command (any more?): $c"
	[ "${kind[$c]:-}" = run ] || die "the table does not say run: $c"
	done_run[$c]=1
	R=${c//"/etc/peerd/"/"$etc/"}
}

# usage_regex USAGE: an extended regex matching the instances of a usage line
# `cmd args [--opt a|b] [--flag] [--opt VALUE]` (options in that order).
usage_regex() {
	local s=$1 re w part esc='s/[][\.*^$+?(){}]/\\&/g'
	re=$(printf '%s' "${s%%' ['*}" | sed "$esc")
	s=${s#"${s%%' ['*}"}
	while [[ $s =~ ^\ \[([^]]*)\](.*)$ ]]; do
		s=${BASH_REMATCH[2]}
		part=""
		for w in ${BASH_REMATCH[1]}; do
			[[ $w =~ ^[A-Z]+$ ]] && part+=" [^ ]+" || part+=" ($(printf '%s' "$w" | sed "$esc"))"
		done
		re+="(${part})?"
	done
	[ -z "$s" ] || die "cannot read the options of the usage line: $1"
	printf '^%s$' "$re"
}

# instance USAGE CMD: sets R to CMD, after checking that CMD (with
# /etc/peerd/ for $etc/) is an instance of the README usage line USAGE.
instance() {
	local re
	readme "$1"
	re=$(usage_regex "$(normalise "$1")")
	[[ $(normalise "${2//"$etc/"/"/etc/peerd/"}") =~ $re ]] || die "'$2' is not an instance of the README's '$1'"
	R=$2
}

# eventually DESC SECONDS CMD...: polls CMD until it succeeds or time is up.
eventually() {
	local desc=$1 deadline=$((SECONDS + $2))
	shift 2
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || die "timed out waiting for $desc"
		sleep 0.2
	done
}

# bg NAME CMD [group]: starts the shell command CMD in the background (in a
# process group of its own with "group"), output in $tmp/NAME.out and .err.
bg() {
	if [ "${3:-}" = group ]; then
		setsid bash -c "exec $2" >"$tmp/$1.out" 2>"$tmp/$1.err" &
		pids+=("-$!")
	else
		bash -c "exec $2" >"$tmp/$1.out" 2>"$tmp/$1.err" &
		pids+=("$!")
	fi
	bg_pid=$!
}

# forget PID: PID was waited for; cleanup must not signal it.
forget() {
	local keep=() p
	for p in "${pids[@]}"; do [ "$p" = "$1" ] || [ "$p" = "-$1" ] || keep+=("$p"); done
	pids=("${keep[@]}")
}

# stop PID NAME [SIGNAL [any]]: SIGNAL (default TERM; to the group if it
# has one), then gone within 15s with exit status 0 (any status with "any").
stop() {
	local deadline=$((SECONDS + 15)) rc=0 target=$1 sig=${3:-TERM}
	[[ " ${pids[*]} " == *" -$1 "* ]] && target=-$1
	kill -"$sig" -- "$target"
	while kill -0 -- "$target" 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || die "$2 still running 15s after SIG$sig"
		sleep 0.1
	done
	wait "$1" || rc=$?
	forget "$1"
	[ $rc -eq 0 ] || [ "${4:-}" = any ] || die "$2 exited $rc after SIG$sig: $(cat "$tmp/$2.err")"
}

# run_ok NAME WANT_RC CMD [SECONDS]: runs the shell command CMD for at most
# SECONDS (60), in the background so that a signal is handled at once; stdin
# /dev/null, output in $tmp/NAME.out and .err; exit status must be WANT_RC.
run_ok() {
	local rc=0 secs=${4:-60}
	timeout "$secs" bash -c "$3" </dev/null >"$tmp/$1.out" 2>"$tmp/$1.err" &
	pids+=("$!")
	wait $! || rc=$?
	forget $!
	[ "$rc" = "$2" ] || die "$3: exit status $rc, want $2
stdout: $(cat "$tmp/$1.out")
stderr: $(cat "$tmp/$1.err")"
}

# has NAME TEXT: NAME's stdout has a line containing TEXT.
has() { grep -qF -- "$2" "$tmp/$1.out" || die "$1: no line with '$2' in: $(cat "$tmp/$1.out")"; }

# ready NAME: the simulator started as NAME printed its `ready` line.
ready() {
	local deadline=$((SECONDS + 30))
	until grep -qx ready "$tmp/$1.out"; do
		kill -0 "$bg_pid" 2>/dev/null || die "$1 exited: $(cat "$tmp/$1.err")"
		[ $SECONDS -lt $deadline ] || die "$1: no ready line within 30s"
		sleep 0.1
	done
}

for port in 9443 9444 9731; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		die "127.0.0.1:$port is in use; the README's commands need it"
	fi
done
command -v curl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl >/dev/null; }

# jsonq [PATH...]: reads one JSON value on stdin (fails if it is not JSON)
# and prints the value at each PATH (keys and indexes joined by dots; strings
# raw), space-separated.
mkdir "$tmp/jsonq" "$tmp/bin" "$etc"
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
	var doc any
	if err := json.NewDecoder(os.Stdin).Decode(&doc); err != nil {
		fmt.Fprintln(os.Stderr, "jsonq: not JSON:", err)
		os.Exit(1)
	}
	var out []string
	for _, path := range os.Args[1:] {
		v := doc
		for _, k := range strings.Split(path, ".") {
			switch x := v.(type) {
			case map[string]any:
				v = x[k]
			case []any:
				if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(x) {
					v = x[i]
				} else {
					v = nil
				}
			default:
				v = nil
			}
		}
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		out = append(out, s)
	}
	fmt.Println(strings.Join(out, " "))
}
EOF
(cd "$tmp/jsonq" && go build -o "$tmp/bin/jsonq" main.go)
jsonq() { "$tmp/bin/jsonq" "$@"; }

say "make build"
make build >/dev/null
ln -s "$repo/bin/peerd" "$tmp/bin/peerd"
export PATH="$tmp/bin:$PATH"
[ "$(command -v peerd)" = "$tmp/bin/peerd" ] || die "peerd does not resolve to bin/peerd"
cp -r examples/quickstart/. "$etc/"
export PEERD_SIM_PASSWORD='netapp1!' NO_COLOR=1

# sim_api PORT PATH [CURL_ARGS...]: a request to the running simulator; an
# answer other than 2xx fails.
sim_api() { curl -fsS --cacert /tmp/sim-ca.pem -u 'admin:netapp1!' "${@:3}" "https://127.0.0.1:$1$2"; }
# peers PORT: "name status authentication" of each record on that cluster.
peers() {
	local out n i
	out=$(sim_api "$1" '/api/cluster/peers?fields=name,status.state,authentication.state')
	n=$(jsonq num_records <<<"$out")
	for ((i = 0; i < n; i++)); do
		jsonq "records.$i.name" "records.$i.status.state" "records.$i.authentication.state" <<<"$out"
	done
}
peered() { [ "$(peers 9443)" = "cluster-b available ok" ] && [ "$(peers 9444)" = "cluster-a available ok" ]; }
# drop_b: deletes cluster-b's record behind peerd's back.
drop_b() {
	sim_api 9444 "/api/cluster/peers/$(sim_api 9444 '/api/cluster/peers?fields=uuid' | jsonq records.0.uuid)" -X DELETE >/dev/null
	[ -z "$(peers 9444)" ] || die "could not delete cluster-b's record"
}

say "Quickstart: go run ./cmd/peerd run -dev, and the commands it prints"
readme 'go run ./cmd/peerd run -dev'
bg dev "$R" group
dev_pid=$bg_pid
eventually "the -dev banner" 90 grep -q '^Stop with Ctrl-C.$' "$tmp/dev.out"
grep -qx '  metrics      http://127.0.0.1:9731/metrics' "$tmp/dev.out" || die "-dev banner: $(cat "$tmp/dev.out")"
devdir=$(sed -n 's#^  config *\(/.*\)/peerd.yaml$#\1#p' "$tmp/dev.out")
watch=$(grep -A1 -x 'Watch the peering become available:' "$tmp/dev.out" | sed -n '2s/^  //p')
ask=$(grep -A1 -x 'Ask the simulated cluster-a directly:' "$tmp/dev.out" | sed -n '2s/^  //p')
eventually "both sides available in: $watch" 30 bash -c "[ \"\$($watch | grep -c '} 1\$')\" = 2 ]"
run_ok ask 0 "$ask"
[ "$(jsonq records.0.name records.0.status.state records.0.authentication.state <"$tmp/ask.out")" = "cluster-b available ok" ] ||
	die "$ask: $(cat "$tmp/ask.out")"
# "Stop with Ctrl-C": SIGINT to the process group. `go run` then exits 1
# whatever its program did, so peerd's clean stop is read from its log.
stop "$dev_pid" dev INT any
grep -q '"@message":"peerd stopped"' "$tmp/dev.err" || die "peerd run -dev did not stop cleanly: $(cat "$tmp/dev.err")"
[ -n "$devdir" ] && [ ! -e "$devdir" ] || die "-dev left its temporary directory '$devdir'"

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

say "peerd sim: the documented banner"
readme 'peerd sim'
bg sim0 "$R"
ready sim0
for l in 'cluster-a https://127.0.0.1:9443 192.0.2.1,192.0.2.2' 'cluster-b https://127.0.0.1:9444 192.0.2.3,192.0.2.4' ready; do
	grep -qxF -- "$l" "$tmp/sim0.out" || die "peerd sim did not print '$l': $(cat "$tmp/sim0.out")"
	grep -qxF -- "$l" README.md || die "README.md no longer shows peerd sim's line '$l'"
done
stop "$bg_pid" sim0

say "peerd sim --cert-out /tmp/sim-ca.pem: curl, plan, apply, run, metrics, links/cut"
bg sim "peerd sim --cert-out /tmp/sim-ca.pem"
sim_pid=$bg_pid
ready sim
cp /tmp/sim-ca.pem "$etc/sim-ca.pem"
readme 'curl --cacert /tmp/sim-ca.pem -u admin:netapp1! https://127.0.0.1:9443/api/cluster'
run_ok curl 0 "$R"
[ "$(jsonq name <"$tmp/curl.out")" = cluster-a ] || die "GET /api/cluster: $(cat "$tmp/curl.out")"
[ -z "$(peers 9443)$(peers 9444)" ] || die "the new simulator already has peers"

plan='peerd plan --config /etc/peerd/peerd.yaml [--output text|json] [--detailed-exitcode]'
apply='peerd apply --config /etc/peerd/peerd.yaml [--auto-approve]'
run='peerd run --config /etc/peerd/peerd.yaml [--dry-run] [--once] [--listen ADDR]'
instance "$plan" "peerd plan --config $etc/peerd.yaml"
run_ok plan 0 "$R"
has plan 'Plan: 2 to create, 0 to update, 0 to delete.'
cp "$tmp/plan.out" "$tmp/plan-default.out"
instance "$plan" "peerd plan --config $etc/peerd.yaml --output text"
run_ok plan 0 "$R"
cmp -s "$tmp/plan.out" "$tmp/plan-default.out" || die "plan --output text differs from the default output"
instance "$plan" "peerd plan --config $etc/peerd.yaml --output json --detailed-exitcode"
run_ok plan 2 "$R"
[ "$(jsonq format_version summary.create <"$tmp/plan.out")" = "1.0 2" ] || die "plan JSON: $(cat "$tmp/plan.out")"
instance "$plan" "peerd plan --config $etc/peerd.yaml --detailed-exitcode"
run_ok plan 2 "$R"
instance "$run" "peerd run --config $etc/peerd.yaml --dry-run --once"
run_ok run 2 "$R"
has run 'Plan: 2 to create'
instance "$apply" "peerd apply --config $etc/peerd.yaml"
run_ok apply 1 "$R" # no terminal: refuses
[ -z "$(peers 9443)$(peers 9444)" ] || die "plan, run --dry-run or apply without approval wrote to ONTAP"
instance "$apply" "peerd apply --config $etc/peerd.yaml --auto-approve"
run_ok apply 0 "$R"
has apply 'Apply complete: 4 ok, 0 failed or skipped, 0 refused.'
peered || die "after apply: cluster-a: $(peers 9443); cluster-b: $(peers 9444)"
instance "$plan" "peerd plan --config $etc/peerd.yaml --detailed-exitcode"
run_ok plan 0 "$R"
drop_b
instance "$run" "peerd run --config $etc/peerd.yaml --once"
run_ok run 0 "$R"
peered || die "after run --once: cluster-a: $(peers 9443); cluster-b: $(peers 9444)"

instance "$run" "peerd run --config $etc/peerd.yaml"
bg daemon "$R"
eventually "peerd run to be ready on 127.0.0.1:9731" 30 curl -fsS http://127.0.0.1:9731/readyz
readme "curl -s http://127.0.0.1:9731/metrics | grep '^peerd_'"
run_ok metrics 0 "$R"
! grep -qv '^peerd_' "$tmp/metrics.out" || die "the metrics grep printed a line not starting with peerd_"
for c in cluster-a cluster-b; do
	grep -qE "^peerd_peer_availability\{cluster=\"$c\",.*state=\"available\"\} 1$" "$tmp/metrics.out" ||
		die "no available peer on $c in: $(cat "$tmp/metrics.out")"
done
stop "$bg_pid" daemon

readme "curl --cacert /tmp/sim-ca.pem -u admin:netapp1! -X POST -d '{\"remote\":\"cluster-b\"}' https://127.0.0.1:9443/_sim/links/cut"
run_ok cut 0 "$R"
[ "$(cat "$tmp/cut.out")" = '{}' ] || die "links/cut answered: $(cat "$tmp/cut.out")"
[[ $(peers 9443) == 'cluster-b unavailable '* ]] || die "after links/cut, cluster-a reads: $(peers 9443)"
sim_api 9443 /_sim/links/restore -X POST -d '{"remote":"cluster-b"}' >/dev/null

drop_b # the dry-run daemon must see it, report it and write nothing
instance "$run" "peerd run --config $etc/peerd.yaml --dry-run --listen 127.0.0.1:0"
bg dry "$R"
eventually "peerd run --listen 127.0.0.1:0 to log its address" 30 grep -q '"peerd started"' "$tmp/dry.err"
addr=$(grep -m 1 '"peerd started"' "$tmp/dry.err" | jsonq listen)
[[ $addr == 127.0.0.1:* && $addr != 127.0.0.1:0 ]] || die "--listen 127.0.0.1:0: listening on '$addr'"
eventually "the dry-run daemon to be ready on $addr" 30 curl -fsS "http://$addr/readyz"
curl -fsS "http://$addr/metrics" -o "$tmp/dry.metrics"
grep -qx 'peerd_plan_pending_actions{kind="create"} 1' "$tmp/dry.metrics" ||
	die "the dry-run daemon on $addr does not report the missing record as a pending create"
[ -z "$(peers 9444)" ] || die "the dry-run daemon wrote to cluster-b: $(peers 9444)"
stop "$bg_pid" dry
stop "$sim_pid" sim

say "peerd sim --cert-out /tmp/sim-ca.pem --cluster ... --nodes 4"
readme 'peerd sim --cert-out /tmp/sim-ca.pem --cluster east=127.0.0.1:9443 --cluster west=127.0.0.1:9444 --nodes 4'
bg sim4 "$R"
ready sim4
grep -qE '^east https://127\.0\.0\.1:9443 ([0-9.]+,){3}[0-9.]+$' "$tmp/sim4.out" &&
	grep -qE '^west https://127\.0\.0\.1:9444 ([0-9.]+,){3}[0-9.]+$' "$tmp/sim4.out" ||
	die "peerd sim --nodes 4 printed: $(cat "$tmp/sim4.out")"
readme 'curl --cacert /tmp/sim-ca.pem -u admin:netapp1! https://127.0.0.1:9443/api/cluster'
run_ok curl 0 "$R"
[ "$(jsonq name <"$tmp/curl.out")" = east ] || die "GET /api/cluster on east: $(cat "$tmp/curl.out")"
stop "$bg_pid" sim4

say "Performance: make bench and one benchmark run"
# in_readme CMD: CMD is in README.md; else a warning (for a section the
# README has not got yet: the command is checked once it is there).
in_readme() { [ -n "${at[$(normalise "$1")]:-}" ] || { say "warning: not in README.md, not run: $1"; false; }; }
if in_readme 'make bench'; then
	readme 'make bench'
	# BENCH_OUT (default bin/bench.txt) from the environment: a local run
	# leaves the developer's own bin/bench.txt alone.
	BENCH_OUT=$tmp/bench.txt run_ok bench 0 "$R" 120
	has bench '| reconcile | FleetConvergence |'
	grep -q '^BenchmarkFleetConvergence' "$tmp/bench.txt" || die "make bench kept no raw output"
fi
c="go test -run '^\$' -bench 'NoOpPass|FleetConvergence' -benchtime 1x ./reconcile"
if in_readme "$c"; then
	readme "$c"
	run_ok onebench 0 "$R" 60
	has onebench 'BenchmarkNoOpPass'
	has onebench 'BenchmarkFleetConvergence'
fi

say "go test: chaos, crash and secrets at CI size"
readme "go test -race -short -run 'Chaos|Crash|Secrets' ./reconcile/ ./cmd/peerd/"
run_ok gotest 0 "$R" 150
cat "$tmp/gotest.out"

for c in "${readme_cmds[@]}"; do
	[ "${kind[$c]}" != run ] || [ -n "${done_run[$c]:-}" ] || die "the table says run, but nothing ran: $c"
done
say "OK: every README command ran here or is run by the test or CI step named in the table (${SECONDS}s)"
