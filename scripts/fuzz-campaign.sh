#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A local fuzzing campaign: builds the fuzz preset and runs one target with
# libFuzzer's fork mode, printing progress; crashes land in
# build/fuzz/crashes/ and `kvmpfn-sim decode CRASH > repro.scn` turns one
# into a scenario.
#
#   scripts/fuzz-campaign.sh [TARGET] [SECONDS] [JOBS]
#   TARGET: model (default), diff, compare, scenario, ref, x86, arm64, ppc,
#           and with a kernel tree (KERNEL_SRC) conform-ref, -x86, -arm64,
#           -ppc
#   KVMPFN_STAGE=kernel:tree scripts/fuzz-campaign.sh x86   # fuzz your tree
#   KVMPFN_BUG=B1 scripts/fuzz-campaign.sh   # hunt a bug-zoo mutant
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target=${1:-model}
seconds=${2:-600}
jobs=${3:-2}

scripts/install-deps.sh --fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j2 --target "fuzz-$target" fuzz-seeds kvmpfn-sim

bin=build/fuzz/fuzz/fuzz-$target
corpus=build/fuzz/corpus/$target
crashes=build/fuzz/crashes
mkdir -p "$corpus" "$crashes"
seeds=build/fuzz/fuzz/seeds
[ "$target" = scenario ] && seeds=build/fuzz/fuzz/seeds-text

echo "fuzzing $target for ${seconds}s with $jobs job(s); corpus $corpus"
exec "$bin" -fork="$jobs" -max_total_time="$seconds" -max_len=512 \
	-dict=fuzz/kvmpfn.dict -artifact_prefix="$crashes/" \
	-print_final_stats=1 "$corpus" "$seeds"
