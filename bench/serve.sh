#!/usr/bin/env bash
# End-to-end benchmark of `digest serve`: for each size, write a generated
# site, build it (pages and index), serve it, and load /api/search with wrk
# on loopback, 32 connections, the request mix of search/testdata/wrk/mix.lua:
#   - uncached: WRK_UNIQUE=1 varies the date bounds (leaving the hits as they
#     are), so that no answer comes from the handler's response cache;
#   - cached: the same 16 requests over and over.
# A warm-up run comes first; then the resident memory of the server.
#
#   bash bench/serve.sh                  # 10,000 and 100,000 notes
#   BENCH_SIZES=10000 BENCH_DURATION=10s bash bench/serve.sh
#
# Sites and builds are kept in BENCH_DIR (bin/bench) between runs.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${BENCH_SIZES:-"10000 100000"}
duration=${BENCH_DURATION:-20s}
dir=${BENCH_DIR:-bin/bench}
bin=${DIGEST:-bin/digest}
mix=search/testdata/wrk/mix.lua

for tool in wrk curl; do
	command -v "$tool" >/dev/null || { echo "bench/serve.sh: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
mkdir -p "$dir"

pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

# wrkline LABEL UNIQUE URL: one line of req/s, p50 and p99 from a wrk run.
wrkline() {
	local out
	out=$(WRK_UNIQUE=$2 wrk -t2 -c32 -d"$duration" --latency -s "$mix" "$3")
	printf '%-10s %10s req/s   p50 %9s   p99 %9s\n' "$1" \
		"$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
		"$(awk '$1 == "50%" {print $2}' <<<"$out")" \
		"$(awk '$1 == "99%" {print $2}' <<<"$out")"
}

# settle waits until the kernel's pressure stall figures (avg10, the share
# of the last ten seconds that tasks waited) for CPU and I/O are below 2%,
# for 60 s at most; without /proc/pressure, it waits 10 s.
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

echo "digest serve under wrk -t2 -c32 -d$duration on $(nproc) CPUs ($(date -u +%F))"
for n in $sizes; do
	site=$dir/site-$n out=$dir/out-$n
	if [ ! -d "$site/content" ]; then
		go run ./internal/cmd/sitegen -n "$n" -o "$site"
	fi
	TIMEFORMAT=%R
	built=$({ time "$bin" build -s "$site" -o "$out" >/dev/null 2>&1; } 2>&1)
	# The build leaves much to write back to disk, and the machine busy for
	# a while after (runs started at once had a p99 of 25-290 ms, against
	# 11-20 ms a minute later): not the server's work. Wait until the last
	# ten seconds had almost no stall for the processors or the disk, for a
	# minute at most.
	sync
	settle

	log=$dir/serve-$n.log
	"$bin" serve -s "$site" -d "$out" --addr 127.0.0.1:0 2>"$log" &
	pid=$!
	url=
	for _ in $(seq 100); do
		url=$(grep -o 'http://[0-9.:]*' "$log" | head -1 || true)
		[ -n "$url" ] && curl -fs "$url/healthz" >/dev/null && break
		sleep 0.1
	done
	[ -n "$url" ] || { echo "digest serve did not start:" >&2; cat "$log" >&2; exit 1; }

	echo
	echo "$n notes (built in $built s)"
	WRK_UNIQUE=1 wrk -t2 -c32 -d5s -s "$mix" "$url" >/dev/null # warm-up
	wrkline uncached 1 "$url"
	wrkline cached 0 "$url"
	awk '/^VmRSS|^VmHWM/ {printf "%s %d MB  ", $1, $2/1024} END {print ""}' "/proc/$pid/status"
	cleanup
	pid=
done
