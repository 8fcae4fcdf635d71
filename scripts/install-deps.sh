#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages kvmpfn needs, and only those that are missing.
# Idempotent: apt-get runs only when a package is missing, so it is cheap to
# call at the start of every CI run.
set -euo pipefail

usage() {
	cat <<-EOF
	usage: scripts/install-deps.sh [--fuzz] [--coverage] [--kernel] [--graph] [--browser]

	Without options: what building and testing needs (default/asan presets).
	  --fuzz      libFuzzer/sanitizer runtime for clang (fuzz preset)
	  --coverage  gcovr (coverage preset)
	  --kernel    Linux 6.12 source and the tools to build and check it
	  --graph     Graphviz dot (scripts/state-graph.sh renders the SVG)
	  --browser   headless Chromium (report.chromium renders the HTML report)
	EOF
}

# python3 and unifdef: kernel-port's unit tests run in the default suite
base=(cmake gcc clang libcmocka-dev pkg-config make gcovr python3 unifdef)
# clang only Recommends its sanitizer/libFuzzer runtimes, which
# --no-install-recommends leaves out.
fuzz=(clang libclang-rt-14-dev)
coverage=(gcovr)
# i386 (kernel-port's 32-bit x86 compile) needs no multilib: the host gcc
# builds it with -m32 and the kernel's own headers.  kernel-port's link
# check reads module objects with nm/objcopy (binutils, and the ppc64le
# cross binutils, which gcc-powerpc64le-linux-gnu also pulls in).
kernel=(linux-source-6.12 unifdef coccinelle gcc-aarch64-linux-gnu
	gcc-powerpc64le-linux-gnu bc flex bison libelf-dev libssl-dev perl git
	python3 xz-utils rsync cpio kmod binutils binutils-powerpc64le-linux-gnu)
graph=(graphviz)
# report.chromium loads `kvmpfn-sim run --report=` output in a real browser
browser=(chromium)

wanted=("${base[@]}")
for arg in "$@"; do
	case "$arg" in
	--fuzz) wanted+=("${fuzz[@]}") ;;
	--coverage) wanted+=("${coverage[@]}") ;;
	--kernel) wanted+=("${kernel[@]}") ;;
	--graph) wanted+=("${graph[@]}") ;;
	--browser) wanted+=("${browser[@]}") ;;
	-h | --help) usage; exit 0 ;;
	*) echo "install-deps: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
	esac
done

declare -A seen=()
missing=()
for pkg in "${wanted[@]}"; do
	[[ -n "${seen[$pkg]:-}" ]] && continue
	seen[$pkg]=1
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q 'install ok installed'; then
		missing+=("$pkg")
	fi
done

if ((${#missing[@]} == 0)); then
	echo "install-deps: all dependencies present"
	exit 0
fi

if ((EUID == 0)); then
	as_root=()
elif command -v sudo >/dev/null; then
	as_root=(sudo)
else
	echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
	exit 1
fi

# apt's progress output is kept out of the way and shown only on failure.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# `env` rather than a plain assignment so the variable survives sudo.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q)
if ! { "${apt[@]}" update &&
       "${apt[@]}" install -y --no-install-recommends "${missing[@]}"; } \
		>"$log" 2>&1; then
	cat "$log" >&2
	echo "install-deps: failed to install: ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installed ${missing[*]}"
