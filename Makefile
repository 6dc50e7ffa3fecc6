# coopdigest: `make serve` builds and serves the sample site with search at
# http://localhost:8080; `make test` runs every test.

GO      ?= go
BIN     := bin/digest
ADDR    ?= localhost:8080
# Benchmarks: corpus sizes and how long each runs.
BENCHTIME ?= 1x

.PHONY: all build site serve test test-short bench fuzz chromium clean

all: build

$(BIN): $(shell find . -name '*.go' -not -path './bin/*') $(wildcard templates/*) go.mod go.sum
	$(GO) build -o $(BIN) ./cmd/digest

## build: the digest binary and the sample site in public/
build: $(BIN)
	$(BIN) build -s . -o public

## serve: build everything and serve the sample site with search
serve: build
	$(BIN) serve -s . -d public --addr $(ADDR)

## test: every test, with the race detector; installs chromium for the
## browser test where it is missing and apt-get is there
test: chromium
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

test-short:
	$(GO) test -short ./...

## bench: build and search benchmarks on generated sites (1,000 and 10,000 notes)
bench:
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 60m ./build/ ./content/ ./search/

## fuzz: run the query-parser fuzzer for a minute (its seeds run in `make test`)
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseQuery -fuzztime 60s ./search/

## chromium: install Debian's chromium for the browser test if it is missing
chromium:
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing chromium for the browser test"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
			echo "could not install chromium; the browser test will be skipped (fails under CI=true)"; \
		else \
			echo "chromium not found and apt-get unavailable; the browser test will be skipped (fails under CI=true)"; \
		fi; \
	fi

clean:
	rm -rf bin public
