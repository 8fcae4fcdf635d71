#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that an installed kvmpfn is usable by other projects:
#
#   scripts/check-install.sh BUILD_DIR
#
# Installs BUILD_DIR into a temporary prefix, then builds and runs
# cmake/consumer-test/main.c twice: as a CMake project using
# find_package(kvmpfn), and by hand with `pkg-config --cflags --libs kvmpfn`.
# Prints one PASS/FAIL line per check; exits 0 only if all pass.
set -euo pipefail

if (($# != 1)); then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
if [[ ! -f "$1/CMakeCache.txt" ]]; then
	echo "$0: $1 is not a CMake build directory" >&2
	exit 2
fi
build_dir=$(realpath "$1")
consumer=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../cmake/consumer-test")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

# Consumers use the library's compiler and flags: a sanitizer or coverage
# build of libkvmpfn.a links only into objects built the same way.
cache_var() {
	sed -n "s/^$1:[A-Z]*=//p" "$build_dir/CMakeCache.txt"
}
cc=$(cache_var CMAKE_C_COMPILER)
cflags=$(cache_var CMAKE_C_FLAGS)
ldflags=$(cache_var CMAKE_EXE_LINKER_FLAGS)

failed=0

# check NAME COMMAND...: run COMMAND with its output in a log, print a
# PASS/FAIL line and, on failure, the log.
check() {
	local name=$1 log
	shift
	log=$tmp/$(tr -c 'a-zA-Z0-9\n' _ <<<"$name").log
	if "$@" >"$log" 2>&1; then
		echo "PASS: $name"
	else
		echo "FAIL: $name"
		sed 's/^/    /' "$log"
		failed=1
	fi
}

# shellcheck disable=SC2317 # run through check()
cmake_consumer() {
	cmake -S "$consumer" -B "$tmp/cmake-consumer" \
		-DCMAKE_PREFIX_PATH="$prefix" \
		-DCMAKE_C_COMPILER="$cc" \
		-DCMAKE_C_FLAGS="$cflags" \
		-DCMAKE_EXE_LINKER_FLAGS="$ldflags" &&
	cmake --build "$tmp/cmake-consumer" &&
	"$tmp/cmake-consumer/kvmpfn-consumer"
}

# shellcheck disable=SC2317 # run through check()
pkgconfig_consumer() {
	local pc_file pc_flags
	pc_file=$(find "$prefix" -name kvmpfn.pc -print -quit)
	[[ -n "$pc_file" ]] || { echo "no kvmpfn.pc installed"; return 1; }
	pc_flags=$(PKG_CONFIG_PATH=$(dirname "$pc_file") \
		pkg-config --cflags --libs kvmpfn) || return
	echo "pkg-config: $pc_flags"
	# Word splitting of the flag strings is intended.
	# shellcheck disable=SC2086
	"$cc" $cflags "$consumer/main.c" -o "$tmp/pc-consumer" \
		$pc_flags $ldflags &&
	"$tmp/pc-consumer"
}

check "cmake --install $1" cmake --install "$build_dir" --prefix "$prefix"
if ((failed)); then
	exit 1
fi
check "find_package(kvmpfn) consumer" cmake_consumer
check "pkg-config kvmpfn consumer" pkgconfig_consumer
exit "$failed"
