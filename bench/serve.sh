#!/usr/bin/env bash
# End-to-end benchmark of `digest build` and `digest serve`. For each size:
# a site (generated, or BENCH_SITE_<N>), its full build (wall time and peak
# memory), then digest serve loaded with /api/search requests that
# bench/searchload draws from the site's own notes (words, phrases, typos,
# exclusions, names, filters, orders, pages), no request twice:
#   - uncached, one connection: latency percentiles;
#   - uncached, 32 connections: requests a second;
#   - cached, 32 connections: the same 50 requests over and over;
#   - the server's resident memory after them; with BENCH_STREAM=N, along a
#     stream of N more distinct requests.
#
#   bash bench/serve.sh                                   # 10,000 and 100,000 notes
#   BENCH_SIZES=10000 BENCH_DURATION=10s bash bench/serve.sh
#   BENCH_SITE_10000=/tmp/corpus-10000 bash bench/serve.sh  # the shared gencorpus site
#   BENCH_STREAM=200000 bash bench/serve.sh
#
# Generated sites and builds are kept in BENCH_DIR (bin/bench) between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${BENCH_SIZES:-"10000 100000"}
duration=${BENCH_DURATION:-20s}
dir=${BENCH_DIR:-bin/bench}
bin=${DIGEST:-bin/digest}
load=$dir/searchload

command -v curl >/dev/null || { echo "bench/serve.sh: curl is missing" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/serve.sh: GNU time is missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$dir"
go build -o "$load" ./bench/searchload

pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

# settle waits until the kernel's pressure stall figures (avg10, the share
# of the last ten seconds that tasks waited) for CPU and I/O are below 2%,
# for 60 s at most; without /proc/pressure, it waits 10 s. A build leaves
# much to write back to disk, and the machine busy for a while after.
settle() {
	if [ ! -r /proc/pressure/cpu ] || [ ! -r /proc/pressure/io ]; then
		sleep 10
		return
	fi
	local i cpu io
	for i in $(seq 60); do
		cpu=$(awk -F'[ =]' '/^some/ {print int($3)}' /proc/pressure/cpu)
		io=$(awk -F'[ =]' '/^some/ {print int($3)}' /proc/pressure/io)
		[ "$cpu" -lt 2 ] && [ "$io" -lt 2 ] && return
		sleep 1
	done
}

echo "digest build and serve on $(nproc) CPUs ($(date -u +%F))"
for n in $sizes; do
	var=BENCH_SITE_$n
	site=${!var:-$dir/site-$n}
	out=$dir/out-$n
	if [ ! -d "$site/content" ]; then
		go run ./internal/cmd/sitegen -n "$n" -o "$site"
	fi
	rm -rf "$out"
	/usr/bin/time -f "%e %M" -o "$dir/build-$n.time" "$bin" build -s "$site" -o "$out" >/dev/null 2>&1
	read -r wall kb <"$dir/build-$n.time"
	echo
	echo "$n notes ($site): full build $wall s, peak $((kb / 1024)) MB; index $(du -sm "$out/.search" | cut -f1) MB"
	sync
	settle

	log=$dir/serve-$n.log
	# 32 connections: a queue deep enough for all of them, so that the run measures
	# throughput; with the default queue a server sheds the excess with 503s, as it should.
	"$bin" serve -d "$out" --addr 127.0.0.1:0 --max-waiting 64 2>"$log" &
	pid=$!
	url=
	for _ in $(seq 300); do
		url=$(grep -o 'http://[0-9.:]*' "$log" | head -1 || true)
		[ -n "$url" ] && curl -fs "$url/healthz" >/dev/null && break
		sleep 0.1
	done
	[ -n "$url" ] || { echo "digest serve did not start:" >&2; cat "$log" >&2; exit 1; }
	echo "serving: $(grep -o 'index built.*' <(curl -fs "$url/healthz") || true)"
	"$load" -site "$site" -url "$url" -pid "$pid" -c 1 -n 5000 -seed 1
	"$load" -site "$site" -url "$url" -pid "$pid" -c 32 -n 100000 -d "$duration" -seed 2
	"$load" -site "$site" -url "$url" -pid "$pid" -c 32 -n 1000000 -d "$duration" -seed 3 -cached 50
	if [ -n "${BENCH_STREAM:-}" ]; then
		"$load" -site "$site" -url "$url" -pid "$pid" -c 8 -n "$BENCH_STREAM" -seed 4 -every $((BENCH_STREAM / 10))
	fi
	cleanup
	pid=
done
