#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
kvmpfn-sim run --report without a browser: the SVG form parses as XML and
every inline SVG of the HTML form does too, the HTML's elements nest and
its ids are unique, a file name with markup characters comes out escaped,
the grid has one cell per (model, stage) and there is one chart per page
of the scenario's allocations.

A run that fails (SCENARIO run under mutant BUG) keeps its exit code 1, and
its report marks as failed exactly the runs the text output calls FAIL,
with every invariant the output reports marked on a chart.

usage: check_report.py KVMPFN_SIM SCENARIO WORKDIR [BUG_SCENARIO BUG]
"""
import html.parser
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"
VOID = {"meta", "br", "img", "hr", "input", "link", "wbr", "col", "area",
        "base", "embed", "source", "track", "param"}
# SVG elements written self-closed inside the HTML
SELF_CLOSED = {"line", "rect", "path", "circle"}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Nesting(html.parser.HTMLParser):
    """Every element closed in order; ids unique; text collected."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.text = [], set(), []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == "id":
                if v in self.ids:
                    fail("duplicate id " + v)
                self.ids.add(v)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            fail("</%s> closes <%s>" % (tag, self.stack[-1:] or "nothing"))
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def expected_pages(scenario):
    """NAME+0 .. NAME+2^order-1 for every 'alloc NAME order=N' line."""
    pages = []
    with open(scenario) as f:
        for line in f:
            m = re.match(r"\s*alloc\s+(\S+)(.*)", line)
            if not m:
                continue
            o = re.search(r"\border=(\d+)", m.group(2))
            n = 1 << int(o.group(1)) if o else 1
            pages += ["%s+%d" % (m.group(1), i) for i in range(n)]
    return pages


def model_stages(sim):
    """the model stages this build has (kvmpfn-sim stages, not kernel:)"""
    out = subprocess.run([sim, "stages"], capture_output=True, text=True,
                         check=True).stdout
    return [l.split()[0] for l in out.splitlines()
            if l and not l.startswith("kernel:")]


def run(sim, args, ok=(0, 1)):
    p = subprocess.run([sim, "run", "--quiet"] + args, capture_output=True,
                       text=True)
    if p.returncode not in ok:
        fail("kvmpfn-sim run %s: exit %d\n%s%s" % (" ".join(args),
             p.returncode, p.stdout, p.stderr))
    return p


def main():
    sim, scenario, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    # a file name only markup could misread
    weird = os.path.join(work, 'we<i>rd&"\'.scn')
    shutil.copy(scenario, weird)
    stages = model_stages(sim)
    pages = expected_pages(scenario)
    if not pages:
        fail(scenario + " allocates nothing to chart")
    # the models --arch=all runs: the summary lines of one stage's runs
    out = subprocess.run([sim, "run", "--arch=all", "--stage=legacy", weird],
                         capture_output=True, text=True).stdout
    models = set(re.findall(r": (\w+) stage legacy: ", out))
    if not models:
        fail("no model ran:\n" + out)

    svg_path = os.path.join(work, "report.svg")
    html_path = os.path.join(work, "report.html")
    run(sim, ["--arch=all", "--stage=all", "--report=" + svg_path, weird])
    run(sim, ["--arch=all", "--stage=all", "--report=" + html_path, weird])

    raw_svg = open(svg_path, encoding="utf-8").read()
    raw_html = open(html_path, encoding="utf-8").read()
    for name, raw in (("svg", raw_svg), ("html", raw_html)):
        if "we<i>rd" in raw:
            fail(name + ": the file name is not escaped")
        if "we&lt;i&gt;rd&amp;&quot;&#39;.scn" not in raw:
            fail(name + ": the escaped file name is missing")

    # the SVG form: XML, one cell per run, one chart per page
    root = ET.fromstring(raw_svg)
    if root.tag != SVG_NS + "svg":
        fail("the .svg is not an <svg>")
    cells = [g for g in root.iter(SVG_NS + "g")
             if g.get("class", "").startswith("cell ")]
    charts = [g for g in root.iter(SVG_NS + "g") if g.get("class") == "chart"]
    if len(cells) != len(models) * len(stages):
        fail("svg: %d cells for %d models x %d stages" %
             (len(cells), len(models), len(stages)))
    want = {"cell-%s-%s" % (m, s) for m in models for s in stages}
    if {c.get("id") for c in cells} != want:
        fail("svg: cell ids %s" % sorted(c.get("id") for c in cells))
    got = [c.get("data-page") for c in charts]
    if got[:len(pages)] != pages:
        fail("svg: charts for %s, want %s first" % (got, pages))
    title = "".join(root.find(SVG_NS + "text").itertext())
    if 'we<i>rd&"\'.scn' not in title:
        fail("svg: the title reads " + title)

    # the HTML form: nesting, unique ids, every inline SVG is XML
    p = Nesting()
    p.feed(raw_html)
    p.close()
    if p.stack:
        fail("html: unclosed " + " ".join(p.stack))
    for m in models:
        for s in stages:
            if "cell-%s-%s" % (m, s) not in p.ids:
                fail("html: no cell for %s at %s" % (m, s))
    if len(re.findall(r'<td class="cell ', raw_html)) != len(models) * len(stages):
        fail("html: the grid is not models x stages")
    svgs = re.findall(r"<svg .*?</svg>", raw_html, re.S)
    if len(svgs) != len(re.findall(r'<figure class="chart"', raw_html)):
        fail("html: a chart without its svg")
    for s in svgs:
        ET.fromstring(s)
    figs = re.findall(r'<figure class="chart" id="chart-\d+" data-page="([^"]*)"',
                      raw_html)
    if figs[:len(pages)] != pages:
        fail("html: charts for %s, want %s first" % (figs, pages))
    # a namespace name is not a fetch; anything else that could be is
    fetch = raw_html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    if re.search(r"<script|<link|\b(src|href)=|https?://|@import|url\(",
                 fetch):
        fail("html: not self-contained")
    print("ok: %d models x %d stages, %d charts (%s), svg %d bytes, html %d bytes"
          % (len(models), len(stages), len(figs), " ".join(figs),
             len(raw_svg), len(raw_html)))


def check_failing(sim, scenario, bug, work):
    """the report of failing runs agrees with the runs' own output"""
    path = os.path.join(work, "fail.html")
    p = run(sim, ["--arch=all", "--stage=all", "--bug=" + bug,
                  "--report=" + path, scenario], ok=(1,))
    text = subprocess.run([sim, "run", "--arch=all", "--stage=all",
                           "--bug=" + bug, scenario],
                          capture_output=True, text=True).stdout
    failed = set(re.findall(r": (\w+) stage (\S+): FAIL: ", text))
    ids = set(re.findall(r"step \d+: violation (I\d+) ", text))
    if not failed or not ids:
        fail("%s under %s: nothing failed, nothing to check:\n%s"
             % (scenario, bug, text))
    raw = open(path, encoding="utf-8").read()
    cells = set(re.findall(r'<td class="cell fail" id="cell-(\w+)-([^"]+)"',
                           raw))
    if cells != failed:
        fail("failed cells %s, the runs say %s" % (sorted(cells),
                                                   sorted(failed)))
    for m, s in failed:
        cell = re.search(r'id="cell-%s-%s">(.*?)</td>' % (m, re.escape(s)),
                         raw).group(1)
        if "FAIL" not in cell:
            fail("cell %s-%s says %s" % (m, s, cell))
    marks = " ".join(re.findall(r'class="vmark">(.*?)</text>', raw))
    for i in ids:
        if not re.search(r"\b%s\b" % i, marks):
            fail("%s is reported but not marked on a chart (%s)" % (i, marks))
    print("ok: %s under %s: %d failed runs, %s marked (exit %d)"
          % (os.path.basename(scenario), bug, len(failed),
             " ".join(sorted(ids)), p.returncode))


main()
if len(sys.argv) > 5:
    check_failing(sys.argv[1], sys.argv[4], sys.argv[5], sys.argv[3])
