#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Coverage of libkvmpfn/ and sim/ from a --coverage build.

The core and the architecture models are compiled once per stage, so one
source line has up to nine gcov records (and its functions nine sets of
line numbers, which gcovr 5 refuses to merge).  This reads gcov's JSON for
every .gcda, takes a line as covered if any stage covered it and a branch
as taken if any stage took it, and writes a text summary and an HTML report.

usage: scripts/coverage.py BUILD_DIR [--html OUT.html] [--min-lines P] [--min-branches P]
"""
import argparse
import collections
import glob
import html
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIXES = ("libkvmpfn/", "sim/")


def collect(build):
    lines = collections.defaultdict(dict)
    branches = collections.defaultdict(dict)
    for gcda in glob.glob(os.path.join(build, "**", "*.gcda"), recursive=True):
        out = subprocess.run(["gcov", "--json-format", "--stdout", "-b",
                              os.path.abspath(gcda)],
                             capture_output=True, text=True,
                             cwd=os.path.dirname(gcda)).stdout
        for doc in out.splitlines():
            if not doc.strip():
                continue
            for f in json.loads(doc)["files"]:
                path = f["file"]
                if not os.path.isabs(path):
                    path = os.path.join(os.path.dirname(gcda), path)
                rel = os.path.relpath(os.path.realpath(path), ROOT)
                if not rel.startswith(PREFIXES):
                    continue
                for ln in f["lines"]:
                    n = ln["line_number"]
                    lines[rel][n] = max(lines[rel].get(n, 0), ln["count"])
                    for i, b in enumerate(ln.get("branches", [])):
                        key = (n, i)
                        branches[rel][key] = branches[rel].get(key, 0) or b["count"]
    return lines, branches


def pct(a, b):
    return 100.0 * a / b if b else 100.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--html")
    ap.add_argument("--min-lines", type=float, default=0)
    ap.add_argument("--min-branches", type=float, default=0)
    a = ap.parse_args()
    lines, branches = collect(a.build)
    if not lines:
        print("no coverage data under %s (build with the coverage preset and run ctest)" % a.build)
        return 2
    rows = []
    tl = th = tb = tbh = 0
    for f in sorted(lines):
        n = len(lines[f]); h = sum(1 for v in lines[f].values() if v)
        b = len(branches[f]); bh = sum(1 for v in branches[f].values() if v)
        tl += n; th += h; tb += b; tbh += bh
        rows.append((f, h, n, bh, b))
        print("%-44s lines %5d/%-5d %5.1f%%  branches %5d/%-5d %5.1f%%"
              % (f, h, n, pct(h, n), bh, b, pct(bh, b)))
    print("TOTAL lines %d/%d %.1f%%  branches %d/%d %.1f%%"
          % (th, tl, pct(th, tl), tbh, tb, pct(tbh, tb)))
    if a.html:
        with open(a.html, "w") as out:
            out.write("<!doctype html><meta charset=utf-8><title>kvmpfn coverage</title>"
                      "<style>body{font:13px monospace}td{padding:0 6px}"
                      ".u{background:#fcc}.c{background:#cfc}</style>")
            out.write("<h1>kvmpfn coverage</h1><p>lines %.1f%% (%d/%d), branches %.1f%% (%d/%d)</p><table>"
                      % (pct(th, tl), th, tl, pct(tbh, tb), tbh, tb))
            for f, h, n, bh, b in rows:
                out.write("<tr><td><a href='#%s'>%s</a><td>%.1f%%<td>%.1f%%"
                          % (html.escape(f), html.escape(f), pct(h, n), pct(bh, b)))
            out.write("</table>")
            for f, *_ in rows:
                out.write("<h2 id='%s'>%s</h2><pre>" % (html.escape(f), html.escape(f)))
                try:
                    src = open(os.path.join(ROOT, f)).read().splitlines()
                except OSError:
                    src = []
                for i, text in enumerate(src, 1):
                    c = lines[f].get(i)
                    cls = "" if c is None else (" class=c" if c else " class=u")
                    out.write("<span%s>%5d %s</span>\n" % (cls, i, html.escape(text)))
                out.write("</pre>")
        print("HTML report: %s" % a.html)
    ok = pct(th, tl) >= a.min_lines and pct(tbh, tb) >= a.min_branches
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
