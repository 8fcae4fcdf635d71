# SPDX-License-Identifier: GPL-2.0
"""Splice core items into a kernel file by name.

For one step of the series the splicer compares two resolved versions of a
core file (before and after the step) item by item:

* an item whose text changed gets only that change: a three-way merge
  (git merge-file) of the kernel's item with the core's item before and
  after the step, so the kernel's own comments and spelling survive where
  the step does not touch them.  If the merge conflicts, the core's item
  replaces the kernel's whole, and the outcome says so by name;
* an item that appeared is inserted after the item that precedes it in the
  core (or before the one that follows it, or after an explicit anchor);
* an item that disappeared is removed from the kernel file.

Items that did not change are left as the kernel has them.  Preprocessor
lines (#include and the like) are never spliced.  apply() records what it
did to each item (an Outcome), so that generate can print it and the check
can reproduce it.
"""

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass

from . import citems, tokmerge

__all__ = ["SpliceError", "Edit", "Outcome", "HOW", "diff_items", "apply",
           "splice_items", "merge_item"]

# What apply() did to an item: the step's change merged into the kernel's
# text by lines, or by tokens where the lines conflicted; a new item
# inserted whole; the kernel's item replaced whole by the
# core's because the merge conflicted; the item removed.
HOW = ("merged", "tokens", "new", "conflict", "removed")

_SIM_SYMBOL = re.compile(r"\bKVMPFN_\w+|\bkvmpfn_\w+")


class SpliceError(Exception):
    pass


@dataclass
class Outcome:
    path: str
    key: tuple
    how: str                    # one of HOW

    def __str__(self):
        return "%s: %s %s" % (self.path, citems.item_key_str(self.key),
                              _HOW_TEXT[self.how])


_HOW_TEXT = {"merged": "merged",
             "tokens": "merged by tokens (the lines conflicted)",
             "new": "new (inserted whole)",
             "conflict": "REPLACED WHOLE (merge conflict)",
             "removed": "removed"}


class Edit:
    """One change to a kernel file: replace, insert or remove an item."""

    def __init__(self, op, key, text=None, after=(), before=(), base=None):
        self.op = op            # "replace", "insert", "remove"
        self.key = key
        self.text = text
        # the core's item before the step: the merge base of a replace
        self.base = base
        # where to insert: after the first of these that exists, else
        # before the first of those
        self.after = list(after)
        self.before = list(before)

    def __repr__(self):
        return "Edit(%s %s)" % (self.op, citems.item_key_str(self.key))


def _spliceable(items):
    return [it for it in items if it.kind not in ("pp",)]


def _check_clean(item, origin):
    m = _SIM_SYMBOL.search(item.text)
    if m:
        raise SpliceError("%s: %s still mentions simulator symbol %s" %
                          (origin, citems.item_key_str(item.key),
                           m.group(0)))


def diff_items(old_text, new_text, anchors=None, origin="<core>"):
    """Edits that turn the old resolved core into the new one."""
    anchors = anchors or {}
    try:
        old = _spliceable(citems.parse(old_text))
        new = _spliceable(citems.parse(new_text))
    except citems.CItemError as e:
        raise SpliceError("%s: %s" % (origin, e)) from None
    old_by = {}
    for it in old:
        if it.key in old_by:
            raise SpliceError("%s: %s defined twice" %
                              (origin, citems.item_key_str(it.key)))
        old_by[it.key] = it
    new_keys = [it.key for it in new]
    if len(set(new_keys)) != len(new_keys):
        dup = [k for k in new_keys if new_keys.count(k) > 1][0]
        raise SpliceError("%s: %s defined twice" %
                          (origin, citems.item_key_str(dup)))

    edits = []
    for i, it in enumerate(new):
        prev = old_by.get(it.key)
        if prev is not None and prev.text == it.text:
            continue
        _check_clean(it, origin)
        after = [x.key for x in reversed(new[:i])]
        before = [x.key for x in new[i + 1:]]
        if it.key in anchors:
            where, anchor = anchors[it.key]
            after, before = ([anchor], []) if where == "after" else \
                ([], [anchor])
        # A changed item the kernel does not have (a helper the core
        # factored out) is inserted where an added one would be.
        edits.append(Edit("replace" if prev is not None else "insert",
                          it.key, it.text, after=after, before=before,
                          base=prev.text if prev is not None else None))
    gone = set(old_by) - set(new_keys)
    for it in old:
        if it.key in gone:
            edits.append(Edit("remove", it.key))
    return edits


def splice_items(source_text, keys, origin="<source>"):
    """Edits that copy the named items of source_text in as new items."""
    try:
        items = _spliceable(citems.parse(source_text))
    except citems.CItemError as e:
        raise SpliceError("%s: %s" % (origin, e)) from None
    edits = []
    for key, after in keys:
        it = citems.find(items, key)
        if it is None:
            raise SpliceError("%s: no %s to splice" %
                              (origin, citems.item_key_str(key)))
        _check_clean(it, origin)
        edits.append(Edit("insert", key, it.text, after=[after]))
    return edits


def _locate(text, key, path):
    try:
        return citems.find(citems.parse(text), key)
    except citems.CItemError as e:
        raise SpliceError("%s: %s" % (path, e)) from None


_MARK = 31         # conflict marker length: no kernel line looks like one
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def _only_comments(lines):
    return bool(lines) and not _COMMENT.sub("", "".join(lines)).strip()


def _resolve(lines):
    """Resolve the conflicts of merge-file's diff3 output where both sides
    only insert at the same place and the kernel's insertion is a comment:
    the core's lines go first and the comment stays on the code below it,
    which it describes.  Return (lines, conflicts left)."""
    out, left, i = [], 0, 0
    while i < len(lines):
        if not lines[i].startswith("<" * _MARK):
            out.append(lines[i])
            i += 1
            continue
        parts = [[]]
        i += 1
        while not lines[i].startswith(">" * _MARK):
            if lines[i].startswith(("|" * _MARK, "=" * _MARK)):
                parts.append([])
            else:
                parts[-1].append(lines[i])
            i += 1
        i += 1
        ours, base, theirs = parts
        if not base and _only_comments(ours):
            out += theirs + ours
        else:
            left += 1
            out += ["<" * _MARK + "\n"] + ours + ["=" * _MARK + "\n"] + \
                theirs + [">" * _MARK + "\n"]
    return out, left


def merge_item(ours, base, theirs):
    """git merge-file of one item: (merged text, number of conflicts)."""
    with tempfile.TemporaryDirectory(prefix="kport-merge-") as tmp:
        names = []
        for name, text in (("kernel", ours), ("core-before", base),
                           ("core-after", theirs)):
            names.append(os.path.join(tmp, name))
            # items carry no final newline; merge-file wants whole lines
            with open(names[-1], "w") as f:
                f.write(text + "\n")
        proc = subprocess.run(["git", "merge-file", "-p", "-q", "--diff3",
                               "--marker-size=%d" % _MARK] + names,
                              capture_output=True, text=True)
    if proc.returncode < 0 or proc.returncode > 127:
        raise SpliceError("git merge-file failed: %s" % proc.stderr.strip())
    lines, left = proc.stdout.splitlines(keepends=True), 0
    if proc.returncode:
        lines, left = _resolve(lines)
    out = "".join(lines)
    return (out[:-1] if out.endswith("\n") else out), left


def _replacement(old, ed, path):
    """The new text of a kernel item and how it was made."""
    if ed.base is None:
        return ed.text, "conflict"
    merged, conflicts = merge_item(old, ed.base, ed.text)
    how = "merged"
    if conflicts:
        merged, conflicts = tokmerge.merge(old, ed.base, ed.text)
        how = "tokens"
    if conflicts:
        return ed.text, "conflict"
    _check_clean(citems.Item(ed.key[0], ed.key[1], 0, 0, merged), path)
    return merged, how


def apply(text, edits, path="<kernel>", outcomes=None):
    """Apply edits in order; return (new text, keys written).  What was done
    to each item is appended to outcomes (a list) when one is given."""
    written = []
    done = outcomes if outcomes is not None else []
    for ed in edits:
        op = ed.op
        if op == "replace":
            it = _locate(text, ed.key, path)
            if it is not None:
                new, how = _replacement(it.text, ed, path)
                text = text[:it.start] + new + text[it.end:]
                written.append(ed.key)
                done.append(Outcome(path, ed.key, how))
                continue
            if not ed.after and not ed.before:
                raise SpliceError("%s: no %s to replace" %
                                  (path, citems.item_key_str(ed.key)))
            op = "insert"
        if op == "remove":
            it = _locate(text, ed.key, path)
            if it is None:
                raise SpliceError("%s: no %s to remove" %
                                  (path, citems.item_key_str(ed.key)))
            start, end = it.start, it.end
            # take the line break and one separating blank line with it
            if text.startswith("\n", end):
                end += 1
            if text.startswith("\n", end) and \
                    (start == 0 or text[start - 2:start] == "\n\n"):
                end += 1
            text = text[:start] + text[end:]
            done.append(Outcome(path, ed.key, "removed"))
        elif op == "insert":
            try:
                have = {it.key: it for it in citems.parse(text)}
            except citems.CItemError as e:
                raise SpliceError("%s: %s" % (path, e)) from None
            if ed.key in have:
                raise SpliceError("%s: %s already exists" %
                                  (path, citems.item_key_str(ed.key)))
            anchor = next((have[k] for k in ed.after if k in have), None)
            if anchor is not None:
                pos = anchor.end
                # a #define joins its block; anything else gets a gap
                sep = "\n" if anchor.kind == ed.key[0] == "define" \
                    else "\n\n"
                text = text[:pos] + sep + ed.text + text[pos:]
            else:
                nxt = next((have[k] for k in ed.before if k in have), None)
                if nxt is None:
                    raise SpliceError("%s: nowhere to insert %s: no item "
                                      "next to it in the core exists here" %
                                      (path, citems.item_key_str(ed.key)))
                pos = nxt.start
                text = text[:pos] + ed.text + "\n\n" + text[pos:]
            written.append(ed.key)
            done.append(Outcome(path, ed.key, "new"))
        else:
            raise SpliceError("unknown edit %r" % ed.op)
    return text, written
