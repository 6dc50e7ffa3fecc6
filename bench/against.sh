#!/usr/bin/env bash
# A full build of the shared generated corpus by Hugo and then Pagefind
# (../shared/bench/anchors.sh, the tools a publisher would pick instead) and
# by digest, in turns, in one run; per round, each tool's wall time and the
# ratio of digest's to Hugo's and Pagefind's together (issue 12's goal: at
# most 0.25 at 10,000 notes).
#
#   bash bench/against.sh                          # 10,000 notes, 2 rounds
#   BENCH_NOTES=1000 BENCH_ROUNDS=3 bash bench/against.sh
#
# Needs ../shared/bench (or BENCH_SHARED) and what its anchors.sh needs:
# hugo, GNU time, fortunes-ru, Pagefind (installed here by npm ci in its
# node/ folder, from its lock file, when it is missing).
#
# Every tool writes into a folder that does not exist, and nothing is
# deleted while the tools run: the last round's outputs are moved aside,
# and removed when the run ends. Without a journal, ext4 skips the inodes
# deleted in the last minute, or six while their table's block is dirty,
# when it allocates new ones, at a lookup each, so that a tool run after
# an output of tens of thousands of files was deleted spends much of its
# time in the kernel (`perf record`: recently_deleted,
# find_get_block_common): a 10,000-note build 150 s after its last output
# was deleted took 31 s of kernel time, against 5 s. The first round waits
# BENCH_QUIET seconds (360) after a sync for deletions made before the
# run; the others BENCH_PAUSE (30).
set -euo pipefail
cd "$(dirname "$0")/.."

notes=${BENCH_NOTES:-10000}
rounds=${BENCH_ROUNDS:-2}
shared=${BENCH_SHARED:-../shared/bench}
bin=${DIGEST:-bin/digest}
dir=${BENCH_DIR:-bin/bench}
corpus=/tmp/corpus-$notes # where anchors.sh writes it
out=$dir/against-$notes

[ -f "$shared/anchors.sh" ] || { echo "bench/against.sh: $shared/anchors.sh not found: set BENCH_SHARED" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/against.sh: GNU time is missing (apt-get install time)" >&2; exit 1; }
[ -x "$bin" ] || { echo "bench/against.sh: $bin not built: make build" >&2; exit 1; }
command -v hugo >/dev/null || { echo "bench/against.sh: hugo not found: apt-get install -y hugo" >&2; exit 1; }
# Before the first quiet wait, not after it, as anchors.sh would fail.
if [ -z "${PAGEFIND:-}" ] && [ ! -e "$shared/node/node_modules/.bin/pagefind" ]; then
	command -v npm >/dev/null || { echo "bench/against.sh: Pagefind and npm are missing: apt-get install -y npm" >&2; exit 1; }
	(cd "$shared/node" && npm ci --no-audit --no-fund) >&2
fi
mkdir -p "$dir"

# aside DIR TRASH: moves DIR, if there is one, into the folder TRASH on its
# file system, to be removed when the run ends.
aside() {
	[ -e "$1" ] || return 0
	mkdir -p "$2"
	mv "$1" "$(mktemp -d "$2/XXXXXX")/"
}
trash=("$corpus/trash" "$dir/trash")
trap 'rm -rf "${trash[@]}"' EXIT
ratios=()
for r in $(seq "$rounds"); do
	aside "$corpus/public" "${trash[0]}"
	aside "$out" "${trash[1]}"
	sync
	if [ "$r" = 1 ]; then sleep "${BENCH_QUIET:-360}"; else sleep "${BENCH_PAUSE:-30}"; fi
	anchors=$(bash "$shared/anchors.sh" "$notes")
	hugo=$(sed -n 's/^hugo_wall_s: //p' <<<"$anchors")
	pagefind=$(sed -n 's/^pagefind_wall_s: //p' <<<"$anchors")
	/usr/bin/time -f "%e %U %S %M" -o "$dir/against.time" "$bin" build -s "$corpus" -o "$out" >/dev/null 2>&1 ||
		{ echo "bench/against.sh: digest build failed" >&2; exit 1; }
	read -r wall user sys peak <"$dir/against.time"
	ratio=$(awk -v d="$wall" -v h="$hugo" -v p="$pagefind" 'BEGIN { printf "%.2f", d / (h + p) }')
	ratios+=("$ratio")
	echo "round $r: Hugo $hugo s + Pagefind $pagefind s; digest $wall s (user $user s, kernel $sys s, peak $((peak / 1024)) MB): ratio $ratio"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END { printf "ratio, %d round(s): %s–%s\n", NR, r[1], r[NR] }'
