# Targets for developers and CI. `make test` is what the README and .ci/run run.
GO        ?= go
FUZZTIME  ?= 4s
BENCHTIME ?= 1s
COUNT     ?= 6

.PHONY: test lint unit bench-unit fuzz bench help

help:
	@echo "make test   - gofmt check, go vet, race tests (root and bench/), fuzz smoke"
	@echo "make lint   - gofmt check and go vet"
	@echo "make fuzz   - run every fuzz target for FUZZTIME ($(FUZZTIME))"
	@echo "make bench  - side-by-side benchmarks in bench/, summarised by benchstat"

test: lint unit bench-unit fuzz

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	cd bench && $(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

bench-unit:
	cd bench && $(GO) test -race -count=1 ./...

# Each fuzz target of each package, briefly: go test -fuzz takes one at a time.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

bench:
	cd bench && $(GO) test -run '^$$' -bench . -benchmem -count $(COUNT) -benchtime $(BENCHTIME) . | tee bench.txt
	cd bench && $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da bench.txt
