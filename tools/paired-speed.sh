#!/usr/bin/env bash
# Tagging speed of binaries against a reference, in paired rounds: each round tags the input
# with REF and then with every BIN (`tag INPUT --threads T --format jsonl`, output discarded),
# and each BIN's wall-clock and CPU time (user + system) is divided by REF's of the same round,
# so load that comes and goes on a shared machine cancels out. Prints each binary's median wall
# clock and the median and quartiles of its ratios.
# Usage: tools/paired-speed.sh REF BIN... (env: IN=bench-out/big.txt, N=15 rounds, T=2 threads)
# A reference binary of an older commit: git worktree add /tmp/old COMMIT && cargo build
# --release --manifest-path /tmp/old/Cargo.toml (README "Speed" uses f11f2c6).
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
IN=${IN:-bench-out/big.txt}
N=${N:-15}
T=${T:-2}
[ -f "$IN" ] || { echo "paired-speed.sh: $IN: no such file (make bench writes it)" >&2; exit 2; }
TIMEFORMAT="%3R %3U %3S"
run() { { time "$1" --threads "$T" tag "$IN" --format jsonl >/dev/null 2>&1; } 2>&1 | tail -1; }
ref=$1
shift
declare -A wall ratio_wall ratio_cpu
for _ in $(seq "$N"); do
  r=$(run "$ref")
  wall[$ref]+="${r%% *} "
  for b in "$@"; do
    x=$(run "$b")
    wall[$b]+="${x%% *} "
    ratio_wall[$b]+="$(echo "$x $r" | awk '{printf "%.4f", $1/$4}') "
    ratio_cpu[$b]+="$(echo "$x $r" | awk '{printf "%.4f", ($2+$3)/($5+$6)}') "
  done
done
stats() {
  tr ' ' '\n' | grep . | sort -n |
    awk '{a[NR]=$1} END {printf "median %s (quartiles %s–%s)", a[int((NR+1)/2)], a[int((NR+3)/4)], a[int((3*NR+1)/4)]}'
}
echo "$ref: wall $(echo "${wall[$ref]}" | stats)"
for b in "$@"; do
  echo "$b: wall $(echo "${wall[$b]}" | stats); wall/ref $(echo "${ratio_wall[$b]}" | stats); CPU/ref $(echo "${ratio_cpu[$b]}" | stats)"
done
