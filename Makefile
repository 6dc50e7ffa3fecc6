# coopdigest: `make serve` builds and serves the sample site with search at
# http://localhost:8080; `make test` runs every test.

GO      ?= go
BIN     := bin/digest
ADDR    ?= localhost:8080
# Benchmarks: iterations of each Go benchmark; generated sites, builds and
# indexes are kept in BENCH_DIR between runs.
BENCHTIME ?= 1x
BENCH_DIR ?= bin/bench

NPM_DIR := testdata/npm

.PHONY: all build site serve test test-short test-cluster haproxy bench bench-go bench-serve bench-against bench-watch fuzz chromium npm screenshots wrk clean

all: build

$(BIN): $(shell find . -name '*.go' -not -path './bin/*') $(wildcard templates/*) go.mod go.sum
	$(GO) build -o $(BIN) ./cmd/digest

## build: the digest binary and the sample site in public/
build: $(BIN)
	$(BIN) build -s . -o public

## serve: build everything and serve the sample site with search
serve: build
	$(BIN) serve -s . -d public --addr $(ADDR)

## test: every test, with the race detector; installs chromium and the
## browser tests' npm packages where they are missing and apt-get is there
test: chromium npm
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...
	# The replay of an editor's 300 saves under watch, at full length: the
	# race detector makes it slow, so the run above replays 50.
	$(GO) test -count=1 -timeout 20m -run '^TestSessionReplay$$' ./build

test-short:
	$(GO) test -short ./...

## test-cluster: three `digest serve --search-only` replicas behind HAProxy,
## fed from a bucket, under load for 30 s through a deploy, a SIGKILL and a
## drain (see docs/BENCHMARKS.md); installs haproxy where it is missing
test-cluster: haproxy
	DIGEST_CLUSTER=1 $(GO) test -count=1 -timeout 20m -run '^TestCluster$$' -v ./cmd/digest

## bench: the Go benchmarks, then digest serve under wrk (see bench/serve.sh),
## on generated sites of 10,000 and 100,000 notes, a change to every note of
## the first under serve --watch (bench/watchbulk.sh), then a full build against
## Hugo and Pagefind (bench/against.sh); takes about forty minutes
bench: bench-go bench-serve bench-watch bench-against

# Every Go benchmark once (BENCHTIME), but the rebuild after a save: it is
# quick, so it runs 30 times, for a median.
bench-go:
	mkdir -p $(BENCH_DIR)
	DIGEST_BENCH_LARGE=1 DIGEST_BENCH_INDEX=$(abspath $(BENCH_DIR)) \
		$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 120m ./source/ ./search/
	$(GO) test -run '^$$' -bench '^BenchmarkBuild$$' -benchtime $(BENCHTIME) -timeout 60m ./build/
	$(GO) test -run '^$$' -bench 'RebuildOneNote|SaveToReload' -benchtime 30x -timeout 60m ./build/ ./watch/

bench-serve: $(BIN) wrk
	BENCH_DIR=$(BENCH_DIR) DIGEST=$(BIN) bash bench/serve.sh

# A change to every note of a 10,000-note site under serve --watch.
bench-watch: $(BIN)
	BENCH_DIR=$(BENCH_DIR) DIGEST=$(BIN) bash bench/watchbulk.sh

# The shared corpus generator and Hugo + Pagefind script live beside the
# repository; without them the comparison is skipped, not failed.
BENCH_SHARED ?= ../shared/bench
bench-against: $(BIN)
	@if [ -f $(BENCH_SHARED)/anchors.sh ]; then \
		BENCH_DIR=$(BENCH_DIR) BENCH_SHARED=$(BENCH_SHARED) DIGEST=$(BIN) bash bench/against.sh; \
	else \
		echo "bench-against: $(BENCH_SHARED)/anchors.sh not found (set BENCH_SHARED): skipped"; \
	fi

## fuzz: a minute of each fuzzer: note parsing, the fast YAML path, Markdown
## rendering, the search-query parser and snippets (their seeds run in `make test`)
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseNote$$' -fuzztime 60s ./source/
	$(GO) test -run '^$$' -fuzz '^FuzzSimpleYAML$$' -fuzztime 60s ./source/
	$(GO) test -run '^$$' -fuzz '^FuzzRenderMarkdown$$' -fuzztime 60s ./build/
	$(GO) test -run '^$$' -fuzz '^FuzzParseQuery$$' -fuzztime 60s ./search/
	$(GO) test -run '^$$' -fuzz '^FuzzSnippet$$' -fuzztime 60s ./search/

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

## npm: install the browser tests' npm packages (axe-core), pinned by
## testdata/npm/package-lock.json; installs npm where it is missing and apt-get is there
npm: $(NPM_DIR)/node_modules/.package-lock.json

$(NPM_DIR)/node_modules/.package-lock.json: $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing npm for the browser tests"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null) || \
			echo "could not install npm; the browser tests will be skipped (fail under CI=true)"; \
		else \
			echo "npm not found and apt-get unavailable; the browser tests will be skipped (fail under CI=true)"; \
		fi; \
	fi
	@if command -v npm >/dev/null 2>&1; then cd $(NPM_DIR) && npm ci --ignore-scripts --no-audit --no-fund; fi

## screenshots: docs/screenshots from the sample site (Debian's chromium-l10n
## gives the date fields Russian placeholders)
screenshots: chromium
	$(GO) test ./cmd/digest -run '^TestScreenshots$$' -count=1 -screenshots $(abspath docs/screenshots)

## haproxy: install Debian's haproxy for the cluster test if it is missing
haproxy:
	@if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing haproxy for the cluster test"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null) || \
			echo "could not install haproxy; the cluster test will be skipped (fails under CI=true)"; \
		else \
			echo "haproxy not found and apt-get unavailable; the cluster test will be skipped (fails under CI=true)"; \
		fi; \
	fi

## wrk: install Debian's wrk for bench-serve if it is missing
wrk:
	@if ! command -v wrk >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing wrk"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else \
			echo "wrk not found and apt-get unavailable: install wrk to run bench-serve" >&2; exit 1; \
		fi; \
	fi

clean:
	rm -rf bin public
