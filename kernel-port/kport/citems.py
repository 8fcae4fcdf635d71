# SPDX-License-Identifier: GPL-2.0
"""Split a C file into its top-level items, so that items can be found,
compared and replaced by name.

An item is one top-level declaration or definition (a function, a
prototype, a struct/union/enum definition, a variable) or one preprocessor
directive.  A comment that ends on the line just above an item belongs to
it, as does an EXPORT_SYMBOL*() line that directly follows a function of the
same name.  Everything between items (blank lines, detached comments) is
"gap" text and belongs to no item.

This is not a C parser: it tracks comments, string and character literals,
preprocessor lines and bracket depth, which is all the kernel files the
series touches need.  Input it cannot split (unbalanced brackets, an
unterminated comment) raises CItemError with a line number.
"""

import re
from dataclasses import dataclass

__all__ = ["CItemError", "Item", "parse", "find", "item_key_str"]


class CItemError(Exception):
    pass


@dataclass
class Item:
    kind: str       # func, proto, struct, var, define, pp
    name: str
    start: int      # offset of the first character (leading comment incl.)
    end: int        # offset just past the last character (no newline)
    text: str

    @property
    def key(self):
        return (self.kind, self.name)


def item_key_str(key):
    return "%s %s" % key


_IDENT = re.compile(r"[A-Za-z_]\w*")
_EXPORT = re.compile(r"EXPORT_SYMBOL(?:_GPL)?\((\w+)\);")
_KEYWORDS = {"if", "while", "for", "switch", "return", "sizeof",
             "__attribute__", "__aligned", "__section", "__printf",
             "__must_hold", "__acquires", "__releases", "typeof"}


def _line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def _skip_comment(text, i):
    """text[i:] starts a comment; return the offset just past it."""
    if text.startswith("//", i):
        j = text.find("\n", i)
        return len(text) if j < 0 else j
    j = text.find("*/", i + 2)
    if j < 0:
        raise CItemError("line %d: unterminated comment" % _line_of(text, i))
    return j + 2


def _skip_literal(text, i):
    q = text[i]
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == q:
            return j + 1
        if c == "\n":
            break
        j += 1
    raise CItemError("line %d: unterminated literal" % _line_of(text, i))


def _skip_pp(text, i):
    """text[i] is the '#' of a directive; return the end of its line(s)."""
    j = i
    while True:
        k = text.find("\n", j)
        if k < 0:
            return len(text)
        # comments may hide a newline inside a directive
        seg = text[j:k]
        c = seg.find("/*")
        if c >= 0 and seg.find("*/", c + 2) < 0:
            j = _skip_comment(text, j + c)
            continue
        if seg.endswith("\\"):
            j = k + 1
            continue
        return k


def _at_line_start(text, i):
    k = i - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k < 0 or text[k] == "\n"


def _name_of(body):
    """Classify an item by its text (comments stripped)."""
    code = re.sub(r"/\*.*?\*/|//[^\n]*", " ", body, flags=re.S)
    code = re.sub(r'"(?:\\.|[^"\\])*"', '""', code)
    s = code.strip()
    if s.startswith("#"):
        m = re.match(r"#\s*define\s+(\w+)", s)
        if m:
            return "define", m.group(1)
        return "pp", " ".join(s.split())
    first_brace = s.find("{")
    first_paren = s.find("(")
    first_eq = s.find("=")
    head = s if first_brace < 0 else s[:first_brace]
    m = re.match(r"(?:typedef\s+)?(struct|union|enum)\s+(\w+)\s*$", head.strip())
    if m and first_brace >= 0:
        if re.search(r"}\s*;\s*$", s):
            return "struct", m.group(2)
    if first_paren >= 0 and (first_eq < 0 or first_paren < first_eq) and \
            (first_brace < 0 or first_paren < first_brace):
        before = s[:first_paren]
        names = [n for n in _IDENT.findall(before) if n not in _KEYWORDS]
        if names:
            name = names[-1]
            return ("func" if first_brace >= 0 else "proto"), name
    stop = min(x for x in (first_eq, first_brace, s.find(";"), len(s))
               if x >= 0)
    names = [n for n in _IDENT.findall(s[:stop]) if n not in _KEYWORDS]
    m = re.search(r"(\w+)\s*(?:\[[^\]]*\])*\s*$", s[:stop])
    if m:
        return "var", m.group(1)
    return "var", names[-1] if names else "?"


def _raw_items(text):
    """Yield (start, end) of each top-level item, comments not attached."""
    i = 0
    n = len(text)
    depth = 0
    start = None
    while i < n:
        c = text[i]
        if c in " \t\n\r\f\v":
            i += 1
            continue
        if text.startswith("/*", i) or text.startswith("//", i):
            i = _skip_comment(text, i)
            continue
        if c == "#" and _at_line_start(text, i):
            e = _skip_pp(text, i)
            if depth == 0 and start is None:
                yield i, e
            i = e
            continue
        if start is None:
            start = i
        if c in "\"'":
            i = _skip_literal(text, i)
            continue
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
            if depth < 0:
                raise CItemError("line %d: unbalanced '%s'" %
                                 (_line_of(text, i), c))
            if depth == 0 and c == "}":
                # a function body ends here unless a declarator or ';'
                # follows on the same logical statement
                j = i + 1
                while j < n and text[j] in " \t":
                    j += 1
                if j < n and text[j] in ";,=" or (j < n and
                                                   _IDENT.match(text, j) and
                                                   not _is_func(text, start)):
                    i += 1
                    continue
                if not _is_func(text, start):
                    i += 1
                    continue
                yield start, i + 1
                start = None
        elif c == ";" and depth == 0:
            yield start, i + 1
            start = None
        i += 1
    if depth != 0:
        raise CItemError("end of file inside a bracket (depth %d)" % depth)
    if start is not None:
        raise CItemError("line %d: item not terminated" %
                         _line_of(text, start))


def _is_func(text, start):
    """Does the item starting at start look like a function definition?"""
    brace = text.find("{", start)
    head = re.sub(r"/\*.*?\*/|//[^\n]*", " ", text[start:brace], flags=re.S)
    return ")" in head and "=" not in head.split("(")[0]


def _leading_comment(text, start, floor):
    """Start of a comment block ending on the line just above start."""
    k = start
    while True:
        j = k - 1
        while j >= floor and text[j] in " \t":
            j -= 1
        if j < floor or text[j] != "\n":
            return k
        j -= 1
        while j >= floor and text[j] in " \t":
            j -= 1
        if j < floor + 1 or not text.startswith("*/", j - 1):
            return k
        c = text.rfind("/*", floor, j - 1)
        if c < 0:
            return k
        if not _at_line_start(text, c):
            return k
        k = c - (len(text[:c]) - len(text[:c].rstrip(" \t")))
        return k


def parse(text):
    """Return the list of top-level items of text, in order."""
    items = []
    floor = 0
    for s, e in _raw_items(text):
        kind, name = _name_of(text[s:e])
        m = _EXPORT.fullmatch(text[s:e])
        if m and items and items[-1].kind == "func" and \
                items[-1].name == m.group(1) and \
                text[items[-1].end:s].strip() == "" and \
                text[items[-1].end:s].count("\n") == 1:
            prev = items[-1]
            prev.end = e
            prev.text = text[prev.start:e]
            floor = e
            continue
        if kind != "pp":
            s = _leading_comment(text, s, floor)
        items.append(Item(kind, name, s, e, text[s:e]))
        floor = e
    return items


def find(items, key):
    """The single item with this key, None if absent; duplicates raise."""
    hits = [it for it in items if it.key == key]
    if len(hits) > 1:
        raise CItemError("%s is defined %d times" %
                         (item_key_str(key), len(hits)))
    return hits[0] if hits else None
