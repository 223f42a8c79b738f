# Targets for developers and CI. `make test` is what the README and .ci/run run.
GO        ?= go
# make test gives every fuzz target a budget of FUZZCOUNT inputs, never a
# wall-clock one: Go 1.26's fuzz coordinator can fail a timed run at its
# deadline with "context deadline exceeded" (golang/go#75804), which made
# make test flake on a loaded machine. make fuzz runs each target for
# FUZZTIME, for long runs by hand.
FUZZCOUNT ?= 5000x
FUZZTIME  ?= 1m
BENCHTIME ?= 1s
COUNT     ?= 6
# staticcheck at a pinned version, from the Go module proxy, installed into
# bin/ (ignored by git).
STATICCHECK_VERSION ?= v0.8.2
STATICCHECK = bin/staticcheck-$(STATICCHECK_VERSION)

.PHONY: test lint vet staticcheck unit bench-unit fuzz-smoke fuzz bench help

help:
	@echo "make test   - gofmt check and go vet, race tests (root, bench/ and bot/connectjoin/), every fuzz target for FUZZCOUNT ($(FUZZCOUNT)) inputs"
	@echo "make lint   - gofmt check, go vet -race and staticcheck ($(STATICCHECK_VERSION)) of every module (CI runs it after make test)"
	@echo "make fuzz   - run every fuzz target for FUZZTIME ($(FUZZTIME)) each"
	@echo "make bench  - side-by-side benchmarks in bench/, summarised by benchstat"

# make test runs in two steps of two jobs each, to keep both cores busy
# while tests wait on timers and sockets: vet beside the fuzz smoke (their
# builds share nothing: plain, and instrumented for fuzzing), then the race
# tests of the two modules side by side. vet runs with -race, so it compiles
# every package (aws-sdk-go-v2's large service/connect of bench/ included)
# once, the way the race tests need it, and staticcheck reads the same
# build. Each job's output is printed whole when it ends.
#
# staticcheck is in make lint, not make test: on a fresh machine its analysis
# (the standard library's facts, aws-sdk-go-v2's service clients and the
# OpenTelemetry SDK in bench/) costs about 180 s of CPU, which pushed the
# first make test past 5 minutes on 2 cores. .ci/run runs make staticcheck after
# make test, so nothing lands without it.
test:
	@$(MAKE) --no-print-directory -j2 --output-sync=target vet fuzz-smoke
	@$(MAKE) --no-print-directory -j2 --output-sync=target unit bench-unit

lint: vet staticcheck

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	@# A go directive above go 1.26.0 would make library users need a newer Go.
	@newer=$$(grep -L '^go 1\.26\.0$$' go.mod bench/go.mod bot/connectjoin/go.mod browsertest/go.mod); \
	if [ -n "$$newer" ]; then echo "these go.mod files must say go 1.26.0:"; echo "$$newer"; exit 1; fi
	$(GO) vet -race ./...
	cd bench && $(GO) vet -race ./...
	cd bot/connectjoin && $(GO) vet -race ./...

staticcheck: $(STATICCHECK)
	GOFLAGS=-race $(STATICCHECK) ./...
	cd bench && GOFLAGS=-race ../$(STATICCHECK) ./...
	cd bot/connectjoin && GOFLAGS=-race ../../$(STATICCHECK) ./...

$(STATICCHECK):
	GOBIN=$(CURDIR)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv bin/staticcheck $@

# The race tests skip go test's own vet run (-vet=off): make test's vet
# has vetted the same packages with every analyzer.
unit:
	$(GO) test -race -vet=off -count=1 ./...

bench-unit:
	cd bench && $(GO) test -race -vet=off -count=1 ./...
	cd bot/connectjoin && $(GO) test -race -vet=off -count=1 ./...

# fuzzpkgs lists the directories of the packages that have fuzz targets.
fuzzpkgs = for d in $$($(GO) list -f '{{.Dir}}' ./...); do \
	  grep -l '^func Fuzz' $$d/*_test.go >/dev/null 2>&1 && echo $$d; \
	done

# Every fuzz target of every package for FUZZCOUNT inputs. Each package's
# fuzz binary is built once and run in the package's directory, so a
# failing input lands in its testdata/fuzz; the fuzz cache is a fresh
# directory, so each run costs the same (the seeds and testdata corpus
# only).
fuzz-smoke:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for d in $$($(fuzzpkgs)); do \
	  bin=$$tmp/$$(echo $$d | cksum | cut -d' ' -f1).test; \
	  (cd $$d && $(GO) test -c -vet=off -fuzz=. -o $$bin .); \
	  for f in $$($$bin -test.list '^Fuzz'); do \
	    echo "fuzz .$${d#$(CURDIR)} $$f $(FUZZCOUNT)"; \
	    (cd $$d && $$bin -test.run='^$$' -test.fuzz="^$$f$$" -test.fuzztime=$(FUZZCOUNT) \
	      -test.fuzzcachedir=$$tmp/cache >$$tmp/out 2>&1) || { cat $$tmp/out; exit 1; }; \
	  done; \
	done

# Every fuzz target of every package for FUZZTIME each, through go test,
# which keeps what it learns in the Go build cache.
fuzz:
	@set -e; for d in $$($(fuzzpkgs)); do \
	  for f in $$(cd $$d && $(GO) test -list '^Fuzz' . | grep '^Fuzz'); do \
	    echo "fuzz .$${d#$(CURDIR)} $$f $(FUZZTIME)"; \
	    (cd $$d && $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) .); \
	  done; \
	done

bench:
	cd bench && $(GO) test -run '^$$' -bench . -benchmem -count $(COUNT) -benchtime $(BENCHTIME) . | tee bench.txt
	cd bench && $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da bench.txt
