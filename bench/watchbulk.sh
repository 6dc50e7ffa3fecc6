#!/usr/bin/env bash
# A change to every note of a site under `digest serve --watch` (what a git
# checkout or a find-and-replace over the site makes): the watcher's peak
# resident memory and the rebuild's time, against its first build's.
#
#   bash bench/watchbulk.sh [SITE]
#
# SITE defaults to BENCH_SITE_10000, or a site of 10,000 generated notes in
# BENCH_DIR (bin/bench), made when missing, as bench/serve.sh makes it.
# DIGEST names the binary (bin/digest); the site is copied to /dev/shm,
# served on BENCH_PORT (8391) and removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

site=${1:-${BENCH_SITE_10000:-${BENCH_DIR:-bin/bench}/site-10000}}
bin=$(realpath "${DIGEST:-bin/digest}")
port=${BENCH_PORT:-8391}
[ -x "$bin" ] || { echo "bench/watchbulk.sh: $bin not built: make build" >&2; exit 1; }
[ -d "$site/content" ] || go run ./internal/cmd/sitegen -n 10000 -o "$site"
work=$(mktemp -d /dev/shm/watchbulk.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$site/content" "$work/"

"$bin" serve -s "$work" -d "$work/out" --addr "localhost:$port" --watch >"$work/log" 2>&1 &
pid=$!
rss() { awk -v k="$1" '$1 == k":" { printf "%d", $2 / 1024 }' "/proc/$pid/status"; }
until curl -sf "localhost:$port/healthz" >/dev/null; do
	kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
	sleep 1
done
echo "first build: peak RSS $(rss VmHWM) MB"
lines=$(wc -l <"$work/log")
start=$(date +%s.%N)
find "$work/content" -name '*.md' -print0 | xargs -0 sed -i '$a\\nМассзамена.'
peak=0
until tail -n +"$((lines + 1))" "$work/log" | grep -q 'msg=rebuilt'; do
	r=$(rss VmRSS); [ "$r" -gt "$peak" ] && peak=$r
	sleep 0.2
done
echo "every note changed: peak RSS $peak MB, rebuilt in $(echo "$(date +%s.%N) - $start" | bc) s after the first save"
tail -n +"$((lines + 1))" "$work/log" | grep 'msg=rebuilt'
