#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kvmpfn-sim run --report in a real browser: headless Chromium loads the
# blob example's report (every model, every stage) and the DOM it built
# must hold one grid cell per run and one chart (with its SVG) per page;
# its screenshot must be a real picture.  Exit 77 (skipped) without
# Chromium (scripts/install-deps.sh --browser installs it).
#
# usage: chromium.sh KVMPFN_SIM SCENARIO OUTDIR
set -eu

sim=$1 scenario=$2 out=$3

browser=
for b in /usr/bin/chromium chromium chromium-browser; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$(command -v "$b")
		break
	fi
done
if [ -z "$browser" ]; then
	echo "SKIP: no chromium (scripts/install-deps.sh --browser)"
	exit 77
fi

mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/kvmpfn-report.XXXXXX")
trap 'rm -rf "$work"' EXIT
html=$work/report.html

# the run's own verdict is not this test's business; the report must exist
"$sim" run --quiet --arch=all --stage=all --report="$html" "$scenario" ||
	[ $? -eq 1 ]
[ -s "$html" ] || { echo "FAIL: no report written"; exit 1; }

# chrome TAG ARGS...: a fresh profile each time, its stderr kept
chrome() {
	tag=$1
	shift
	"$browser" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir="$work/profile-$tag" "$@" 2>"$work/stderr-$tag" ||
		{
			echo "FAIL: chromium exited $?" >&2
			cat "$work/stderr-$tag" >&2
			exit 1
		}
}

chrome dom --dump-dom "file://$html" >"$work/dom.html"

# what to find: models x stages cells, a chart per page the scenario
# allocates (NAME+0 .. NAME+2^order-1), read from the inputs
models=$("$sim" run --arch=all --stage=legacy "$scenario" |
	sed -n 's/.*: \([a-z0-9]*\) stage legacy: .*/\1/p' | wc -l)
stages=$("$sim" stages | grep -vc '^kernel:')
pages=$(awk '$1 == "alloc" {
		n = 1
		for (i = 3; i <= NF; i++)
			if ($i ~ /^order=/) { sub("order=", "", $i); n = 2 ^ $i }
		total += n
	} END { print total + 0 }' "$scenario")

count() {
	grep -o "$1" "$work/dom.html" | wc -l
}

fail=0
check() {
	if [ "$2" -ne "$3" ]; then
		echo "FAIL: $1: $2 in the DOM, want $3"
		fail=1
	else
		echo "ok: $1: $2"
	fi
}
check "grid cells" "$(count '<td class="cell ')" $((models * stages))
check "charts" "$(count '<figure class="chart"')" "$pages"
check "chart svgs" "$(count '<figure class="chart" [^>]*><svg')" "$pages"
# the stages and models as the browser has them: a cell each
for s in $("$sim" stages | grep -v '^kernel:' | cut -d' ' -f1); do
	n=$(grep -o "id=\"cell-[a-z0-9]*-$s\"" "$work/dom.html" | wc -l)
	check "cells at $s" "$n" "$models"
done
grep -q '<h1>kvmpfn-sim run: <code>' "$work/dom.html" ||
	{ echo "FAIL: no title in the DOM"; fail=1; }

png=$out/report.png
rm -f "$png"
chrome shot --screenshot="$png" --window-size=1400,1800 "file://$html" \
	>/dev/null
size=$(wc -c <"$png" 2>/dev/null || echo 0)
# a blank 1400x1800 page compresses to a few kB; the report is far more
if [ "$size" -lt 40000 ]; then
	echo "FAIL: screenshot $png is $size bytes"
	fail=1
else
	echo "ok: screenshot $png, $size bytes"
fi
exit $fail
