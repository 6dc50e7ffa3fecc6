#!/usr/bin/env bash
# How much memory `digest serve` needs to answer at speed: the server runs in
# a memory cgroup (v1) of LIMIT MB, which counts the page cache it reads (the
# index's mapped files) as well as its own memory, with the page cache
# dropped first; then bench/searchload sends distinct /api/search requests
# drawn from the site's notes, on one connection, then on 32.
#
#   sudo bash bench/cgroup.sh OUT SITE LIMIT_MB [SEED]
#   sudo bash bench/cgroup.sh /tmp/out-100000 /tmp/corpus-100000 1024
#
# Needs root (for the cgroup and /proc/sys/vm/drop_caches) and cgroup v1's
# memory controller at /sys/fs/cgroup/memory. docs/BENCHMARKS.md has the
# figures ("Memory of digest serve").
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -ge 3 ] || { echo "usage: bash bench/cgroup.sh OUT SITE LIMIT_MB [SEED]" >&2; exit 2; }
out=$1 site=$2 limit=$3 seed=${4:-1}
bin=${DIGEST:-bin/digest}
port=${BENCH_PORT:-18556}
cg=/sys/fs/cgroup/memory/digest-bench
dir=${BENCH_DIR:-bin/bench}

[ -d /sys/fs/cgroup/memory ] || { echo "bench/cgroup.sh: no cgroup v1 memory controller" >&2; exit 1; }
mkdir -p "$dir" "$cg"
go build -o "$dir/searchload" ./bench/searchload
[ -x "$bin" ] || go build -o "$bin" ./cmd/digest

pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rmdir "$cg" 2>/dev/null || true
}
trap cleanup EXIT

sync
echo 1 >/proc/sys/vm/drop_caches
echo $((limit * 1024 * 1024)) >"$cg/memory.limit_in_bytes"
echo 0 >"$cg/memory.max_usage_in_bytes"
# The shell joins the cgroup, then becomes the server.
bash -c "echo \$\$ >$cg/cgroup.procs; exec $bin serve -d $out --addr 127.0.0.1:$port --max-waiting 64" 2>"$dir/cgroup-serve.log" &
pid=$!
for _ in $(seq 600); do curl -fs "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

echo "memory cgroup of $limit MB"
"$dir/searchload" -site "$site" -url "http://127.0.0.1:$port" -pid "$pid" -c 1 -n 2000 -seed "$seed" 2>&1 | tail -1
"$dir/searchload" -site "$site" -url "http://127.0.0.1:$port" -pid "$pid" -c 32 -n 100000 -d 20s -seed $((seed + 1)) 2>&1 | tail -1
echo "the cgroup's peak use: $(($(cat "$cg/memory.max_usage_in_bytes") / 1048576)) MB"
