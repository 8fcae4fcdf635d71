#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0
#
# OSS-Fuzz / ClusterFuzzLite build: honours $CC, $CFLAGS,
# $LIB_FUZZING_ENGINE and $OUT.  The library is built with the engine's
# instrumentation flags; each target links $LIB_FUZZING_ENGINE.
cd "$SRC/kvmpfn"
build=$WORK/build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
	-DKVMPFN_WERROR=OFF -DKVMPFN_TESTS=ON
cmake --build "$build" -j"$(nproc)" --target kvmpfn kvmpfn-sim fuzz-seeds \
	fuzz_model_obj fuzz_scenario_obj fuzz_diff_obj fuzz_compare_obj
for t in model scenario diff compare; do
	$CC $CFLAGS $LIB_FUZZING_ENGINE \
		"$build"/fuzz/CMakeFiles/fuzz_${t}_obj.dir/*.o \
		"$build"/libkvmpfn.a -o "$OUT/kvmpfn_fuzz_$t"
	cp fuzz/kvmpfn.dict "$OUT/kvmpfn_fuzz_$t.dict"
done
# seed corpora: encoded scenarios for the model targets, text for the parser
(cd "$build/fuzz/seeds" && zip -q "$OUT/kvmpfn_fuzz_model_seed_corpus.zip" ./*)
cp "$OUT/kvmpfn_fuzz_model_seed_corpus.zip" "$OUT/kvmpfn_fuzz_diff_seed_corpus.zip"
cp "$OUT/kvmpfn_fuzz_model_seed_corpus.zip" "$OUT/kvmpfn_fuzz_compare_seed_corpus.zip"
(cd "$build/fuzz/seeds-text" && zip -q "$OUT/kvmpfn_fuzz_scenario_seed_corpus.zip" ./*.scn)
