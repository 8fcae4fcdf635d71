#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Which tests does each invariant check carry?  For every invariant I1..I21
# the checker's reports of it are switched off (KVMPFN_CHECKS_DISABLE=In,
# libkvmpfn/check/check.c) and the tests are run again; a test that passes
# with every check on and fails without In depends on In's check.
#
#   scripts/check-ablation.sh [--ctest] [--models] [BUILD_DIR]   (default: both, build/default)
#
# --ctest   runs the whole ctest suite of BUILD_DIR once per invariant
#           (kernel-port.* left out: it never runs the checker), -j2, and
#           counts the failing tests: all of them, the scenario tests among
#           them (tests that run .scn files through kvmpfn-sim: scenario.*,
#           bug.*, seam.*, <arch>.<file>.*, <arch>.bug.*, <arch>.shared.*), and the
#           unit tests (*unit*).  About 21 x the suite's time: 4.6 min here.
# --models  runs every scenario file of the corpus (examples/, tests/scenarios/,
#           tests/bugs/, sim/*/tests/**) on each architecture model alone
#           (--arch=A --stage=all, the model's own files and the shared
#           ones), and counts, per invariant and model, the files that pass
#           with all checks and fail without In: "caught on every model".
#
# Prints one table per mode (markdown) to stdout; exit 0.  Needs a built
# BUILD_DIR (cmake --preset default && cmake --build --preset default -j2).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
do_ctest=0
do_models=0
build=
for a in "$@"; do
	case $a in
	--ctest) do_ctest=1 ;;
	--models) do_models=1 ;;
	-*) echo "check-ablation: unknown option $a" >&2; exit 2 ;;
	*) build=$a ;;
	esac
done
if ((!do_ctest && !do_models)); then
	do_ctest=1
	do_models=1
fi
build=${build:-$root/build/default}
sim=$build/kvmpfn-sim
if [[ ! -x $sim ]]; then
	echo "check-ablation: no $sim; build first" >&2
	exit 2
fi
ninv=21
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the tests that failed in a ctest run, one name a line
failed_tests() {
	sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\) (\(Failed\|Timeout\|SEGFAULT\|Subprocess aborted\|Exception\).*/\1/p' "$1" | sort -u
}

if ((do_ctest)); then
	echo "check-ablation: baseline ctest run" >&2
	ctest --test-dir "$build" -j2 -E '^kernel-port' >"$tmp/base.log" 2>&1 || true
	failed_tests "$tmp/base.log" >"$tmp/base.failed"
	if [[ -s $tmp/base.failed ]]; then
		echo "check-ablation: the suite fails with every check on:" >&2
		cat "$tmp/base.failed" >&2
		exit 1
	fi
	echo "| invariant | failing tests | scenario tests | unit tests | of which scenario.*.all-arch |"
	echo "|---|---|---|---|---|"
	for ((n = 1; n <= ninv; n++)); do
		echo "check-ablation: ctest without I$n" >&2
		KVMPFN_CHECKS_DISABLE=I$n ctest --test-dir "$build" -j2 \
			-E '^kernel-port' >"$tmp/I$n.log" 2>&1 || true
		failed_tests "$tmp/I$n.log" >"$tmp/I$n.failed"
		total=$(wc -l <"$tmp/I$n.failed")
		unit=$(grep -c 'unit' "$tmp/I$n.failed" || true)
		scn=$(grep -Ec '^(scenario|bug|seam|x86|arm64|ppc)\.' "$tmp/I$n.failed" |
			tr -d ' ' || true)
		scn=$((scn - $(grep -E '^(scenario|bug|seam|x86|arm64|ppc)\.' "$tmp/I$n.failed" |
			grep -c 'unit' || true)))
		allarch=$(grep -c '\.all-arch$' "$tmp/I$n.failed" || true)
		echo "| I$n | $total | $scn | $unit | $allarch |"
	done
	echo
fi

if ((do_models)); then
	shopt -s nullglob globstar
	corpus=("$root"/examples/*.scn "$root"/tests/scenarios/*.scn
		"$root"/tests/bugs/*.scn "$root"/tests/seams/*.scn
		"$root"/sim/**/tests/**/*.scn)
	archs=()
	for a in ref x86 arm64 ppc; do
		"$sim" run --quiet --arch=$a --stage=legacy \
			"$root/examples/zero-page.scn" >/dev/null 2>&1 && archs+=("$a")
	done
	# a model's own directory, or a shared file
	applies() {
		case $2 in
		*/sim/x86_tdp/*) [[ $1 == x86 ]] ;;
		*/sim/arm64_s2/*) [[ $1 == arm64 ]] ;;
		*/sim/ppc_radix/*) [[ $1 == ppc ]] ;;
		*) true ;;
		esac
	}
	# runone(kind, arch, file, disable) -> 0 if the run is as the suite
	# wants it: a plain run passes; a mutant run (kind Bn:Im) exits 1
	# naming Im, as the bug.Bn.caught tests require, and so does a seam
	# run (kind seam=NAME:Im, the seam.NAME.ARCH.Im tests)
	runone() {
		local out rc opt
		if [[ $1 == plain ]]; then
			KVMPFN_CHECKS_DISABLE=$4 "$sim" run --quiet --arch="$2" \
				--stage=all "$3" >/dev/null 2>&1
			return
		fi
		# a bug file's pragma names its stage; a seam runs on all
		case $1 in
		seam=*) opt=("--${1%%:*}" --stage=all) ;;
		*) opt=("--bug=${1%%:*}") ;;
		esac
		rc=0
		out=$(KVMPFN_CHECKS_DISABLE=$4 "$sim" run --arch="$2" \
			"${opt[@]}" "$3" 2>&1) || rc=$?
		[[ $rc == 1 && $out == *"violation ${1#*:} "* ]]
	}
	export -f runone
	export sim
	: >"$tmp/jobs"
	for a in "${archs[@]}"; do
		for f in "${corpus[@]}"; do
			applies "$a" "$f" || continue
			printf 'plain\t%s\t%s\n' "$a" "$f" >>"$tmp/jobs"
			b=$(basename "$f")
			# a seam scenario runs under its seam, once per invariant
			if [[ $f == */tests/seams/* ]]; then
				# the seam is the file's name or its "# seam:" line
				seam=$(sed -n 's/^# seam: *//p' "$f" | head -n1)
				seam=${seam:-${b%.scn}}
				for inv in $(grep -m1 '^# catches:' "$f" | grep -o 'I[0-9]*'); do
					printf 'seam=%s:%s\t%s\t%s\n' "$seam" "$inv" \
						"$a" "$f" >>"$tmp/jobs"
				done
				continue
			fi
			# a bug-zoo scenario also runs under its mutant
			[[ $f == */bugs/B* ]] || continue
			inv=$(grep -m1 -o '^#.*(I[0-9]*)' "$f" | grep -o 'I[0-9]*' | tail -1)
			printf '%s:%s\t%s\t%s\n' "${b%%-*}" "$inv" "$a" "$f" >>"$tmp/jobs"
		done
	done
	echo "check-ablation: per-model runs, $(wc -l <"$tmp/jobs") (run, model, file) x 22" >&2
	# shellcheck disable=SC2016 # the quoted script is bash -c's own
	for ((n = 0; n <= ninv; n++)); do
		d=I$n
		((n)) || d=base
		while IFS=$'\t' read -r k a f; do
			printf '%s\t%s\t%s\t%s\n' "$d" "$k" "$a" "$f"
		done <"$tmp/jobs"
	done | xargs -P2 -L1 -d '\n' bash -c '
		IFS=$'"'"'\t'"'"' read -r d k a f <<<"$0"
		dis=$d
		[[ $dis == base ]] && dis=
		if runone "$k" "$a" "$f" "$dis"; then s=0; else s=1; fi
		printf "%s\t%s\t%s\t%s\n" "$d" "$a" "$k $f" "$s"' >"$tmp/models"
	echo "Per model: the runs (a scenario file, or a bug-zoo or seam file under its mutant or seam) that"
	echo "are as the suite wants them with every check and not without the invariant's; in brackets the mutant and seam runs among them."
	echo
	printf '| invariant |'
	for a in "${archs[@]}"; do printf ' %s |' "$a"; done
	printf '\n|---|'
	for a in "${archs[@]}"; do printf -- '---|'; done
	printf '\n'
	for ((n = 1; n <= ninv; n++)); do
		printf '| I%d |' "$n"
		for a in "${archs[@]}"; do
			c=$(awk -F'\t' -v d="I$n" -v a="$a" '
				$1 == "base" && $2 == a && $4 == 0 { ok[$3] = 1 }
				$1 == d && $2 == a && $4 != 0 { bad[$3] = 1 }
				END { n = 0; m = 0
					for (f in bad) if (f in ok) { n++; if (f !~ /^plain /) m++ }
					print n " (" m ")" }' "$tmp/models")
			printf ' %s |' "$c"
		done
		printf '\n'
	done
fi
