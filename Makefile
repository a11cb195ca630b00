# peerd — common tasks. `make test` is exactly what CI runs.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS   := -s -w -X main.version=$(VERSION)
STATICCHECK_VERSION := v0.8.2

.PHONY: all build test vet lint fuzz bench clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/peerd ./cmd/peerd

## test: vet, static analysis, the race-enabled test suite and short fuzz runs.
test: vet lint fuzz
	$(GO) test -race -count=1 ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

## fuzz: each fuzz target for FUZZTIME executions (a few seconds each). A count,
## not a duration: a timed run can end mid-minimisation and fail spuriously.
FUZZTIME ?= 20000x
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecodePeers$$' -fuzztime $(FUZZTIME) ./ontap
	$(GO) test -run '^$$' -fuzz '^FuzzPeersRequest$$' -fuzztime $(FUZZTIME) ./ontap/ontapsim
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./ontap/ontapsim/internal/query
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./desired

## bench: every benchmark, bounded (the fleet ones run once), as one table.
## The raw `go test -bench` output is kept in $(BENCH_OUT).
BENCH_OUT ?= bin/bench.txt
bench:
	@mkdir -p $(dir $(BENCH_OUT))
	$(GO) test -run '^$$' -bench 'FleetConvergence|SteadyState' -benchtime 1x -benchmem -timeout 20m ./reconcile >$(BENCH_OUT) || { cat $(BENCH_OUT); exit 1; }
	$(GO) test -run '^$$' -bench 'NoOpPass|DiffRender' -benchtime 5x -benchmem ./reconcile >>$(BENCH_OUT) || { cat $(BENCH_OUT); exit 1; }
	$(GO) test -run '^$$' -bench . -benchtime 5x -benchmem -timeout 20m $$($(GO) list ./... | grep -v '/reconcile$$') >>$(BENCH_OUT) || { cat $(BENCH_OUT); exit 1; }
	@echo "Machine: $$(nproc) CPUs, $$($(GO) version)"
	@$(GO) run ./cmd/peerd/internal/benchtable $(BENCH_OUT)

clean:
	rm -rf bin dist

## Packaging and the operations kit (deploy/).
NFPM_VERSION := v2.45.2
GOARCH       ?= $(shell $(GO) env GOARCH)
# Debian version: the v-tag without "v" (1.2.0, 1.2.0+3.gabc1234 after it),
# else 0.0.0+git<commit>.
DEB_VERSION  ?= $(shell v=$$(git describe --tags --match 'v[0-9]*' 2>/dev/null) && echo "$$v" | sed 's/^v//; s/-/+/; s/-/./g' || echo "0.0.0+git$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)")
# Man pages carry the date of the last commit, so builds are reproducible.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

.PHONY: man completions package deploy-check

## man: man pages of every registered command, from the cobra tree.
man: build
	rm -rf dist/man
	bin/peerd man --dir dist/man
	gzip -9nf dist/man/*.1

## completions: bash, zsh and fish completion scripts.
completions: build
	mkdir -p dist/completions
	bin/peerd completion bash >dist/completions/peerd.bash
	bin/peerd completion zsh >dist/completions/_peerd
	bin/peerd completion fish >dist/completions/peerd.fish

## package: the Debian package dist/peerd_<version>_<arch>.deb (nfpm).
package: man completions
	rm -f dist/peerd_*.deb
	GOARCH=$(GOARCH) DEB_VERSION=$(DEB_VERSION) $(GO) run github.com/goreleaser/nfpm/v2/cmd/nfpm@$(NFPM_VERSION) \
		package --config deploy/nfpm.yaml --packager deb --target dist/

## deploy-check: promtool checks and unit tests of the alert rules, the
## example Prometheus config, systemd-analyze verify of the unit, and the
## package's files and scripts. Needs promtool, systemd-analyze and dpkg-deb.
deploy-check: package
	promtool check rules deploy/prometheus/peerd.rules.yml
	promtool test rules deploy/prometheus/peerd.rules.test.yml
	promtool check config deploy/prometheus/prometheus.yml
	deploy/scripts/verify-unit.sh bin/peerd
	deploy/scripts/check-deb.sh dist/peerd_*.deb
