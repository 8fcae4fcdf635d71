# SPDX-License-Identifier: GPL-2.0
"""Churn of one patch on one file: which of the kernel's comment lines it
deletes while the code they belong to stays.

A comment line is a line holding nothing but comment text.  A removed
comment line counts when the item it belongs to (citems: a function with
its leading comment, a declaration, ...) is still in the file after the
patch, unless the comment sits inside the item and the code line right
below it is removed too (the comment went with its code), or the same
line is added back elsewhere in the file (it moved), or a comment line
close to it is added (it was edited, e.g. a function renamed in it).
Comments between items belong to no item and are not counted.
"""

import difflib
import re

from . import citems

__all__ = ["comment_lines", "parse_unified", "deleted_comments"]


def _comment_spans(text):
    """[(start, end)] of the comments of text, literals skipped."""
    spans = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i) or text.startswith("//", i):
            j = citems._skip_comment(text, i)
            spans.append((i, j))
            i = j
        elif c in "\"'":
            # an apostrophe in an #error or the like is not a literal
            try:
                i = citems._skip_literal(text, i)
            except citems.CItemError:
                i += 1
        else:
            i += 1
    return spans


def comment_lines(text):
    """Set of 1-based line numbers that hold only comment text."""
    covered = bytearray(len(text))
    for s, e in _comment_spans(text):
        covered[s:e] = b"\1" * (e - s)
    out = set()
    pos = 0
    for no, line in enumerate(text.split("\n"), 1):
        chars = [covered[pos + k] for k, ch in enumerate(line)
                 if not ch.isspace()]
        if chars and all(chars):
            out.add(no)
        pos += len(line) + 1
    return out


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def parse_unified(diff):
    """Removed old line numbers and added line texts of a unified diff of
    one file (any context): (set of ints, list of str)."""
    removed, added = set(), []
    old = None
    for line in diff.splitlines():
        m = _HUNK.match(line)
        if m:
            old = int(m.group(1))
            continue
        if old is None:
            continue        # the file header
        if line.startswith("-"):
            removed.add(old)
            old += 1
        elif line.startswith("+"):
            added.append(line[1:])
        elif line.startswith(" "):
            old += 1
    return removed, added


def _line_starts(text):
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def deleted_comments(old, new, removed, added):
    """[(item key, line number, line)] of the kernel comment lines the
    change old -> new deletes while their code stays."""
    lines = old.split("\n")
    starts = _line_starts(old)
    comments = comment_lines(old)
    items = [it for it in citems.parse(old) if it.kind != "pp"]
    kept = {it.key for it in citems.parse(new)}
    moved = {a.strip() for a in added}
    out = []
    for no in sorted(removed & comments):
        off = starts[no - 1]
        it = next((x for x in items if x.start <= off < x.end), None)
        if it is None or it.key not in kept:
            continue
        if lines[no - 1].strip() in moved or \
                _edited(lines[no - 1], added):
            continue
        if _went_with_code(no, lines, comments, removed, it, starts):
            continue
        out.append((it.key, no, lines[no - 1]))
    return out


def _edited(line, added):
    """Is a comment line close to this one added: the line was edited
    (a function renamed in it), not deleted?"""
    line = line.strip()
    for a in added:
        a = a.strip()
        if a.startswith(("*", "/*", "//")) and \
                difflib.SequenceMatcher(None, line, a).ratio() >= 0.8:
            return True
    return False


def _went_with_code(no, lines, comments, removed, item, starts):
    """Is this comment inside the item and its code line removed too?"""
    # the item's code starts at its first line that is not comment
    first_code = next((k for k in range(len(lines))
                       if starts[k] >= item.start and
                       k + 1 not in comments and lines[k].strip()), None)
    if first_code is None or no < first_code + 1:
        return False        # the leading comment: its code is the item
    k = no
    while k < len(lines) and (k + 1 in comments or not lines[k].strip()):
        k += 1
    return k < len(lines) and k + 1 in removed
