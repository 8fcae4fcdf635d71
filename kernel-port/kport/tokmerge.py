# SPDX-License-Identifier: GPL-2.0
"""Three-way merge of one C item token by token, comments left out.

git merge-file works on lines: when the core's text of a function and the
kernel's differ on a line the step changes (the core says
"if (!gup(...)) return false;" where the kernel nests the success path in
"if (gup(...)) { ... }"), the whole region conflicts although the step
only renames an argument.  This merge compares C tokens instead, and
treats whitespace and comments as trivia that belongs to the token after
it:

* the base (the core before the step) is aligned with the kernel's item
  and with the core after the step, token by token;
* where the step changed tokens that the kernel has exactly as the base,
  the step's tokens replace them; where only the kernel differs, the
  kernel's tokens stay; where both differ but the step only added tokens
  before or after the base's, the kernel's tokens stay and the step's
  additions go on the same side of them; anything else is a conflict;
* trivia is the kernel's wherever a token is the kernel's, so its
  comments and layout survive.  Tokens the step brings in carry the
  core's trivia re-indented to the kernel's depth, except that the first
  one keeps the trivia of the kernel token it replaces (the kernel's
  comment above the statement it changes).

A comment the core adds or rewords next to code the step does not change
is not carried over: the port leaves the kernel's words alone.
"""

import difflib
import re

__all__ = ["tokenize", "merge", "merge_tokens"]

_TOKEN = re.compile(r"""
      [A-Za-z_]\w*
    | \.?\d(?:[\w.]|[eEpP][+-])*
    | "(?:\\.|[^"\\\n])*"
    | '(?:\\.|[^'\\\n])*'
    | ->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|\.\.\.|\#\#
    | \S
""", re.X)
_TRIVIA = re.compile(r"(?:\s+|/\*.*?\*/|//[^\n]*)*", re.S)
_PP = re.compile(r"#(?:[^\n\\]|\\.)*", re.S)


def tokenize(text):
    """([(trivia, token)], trailing trivia).  A preprocessor line is one
    token; so is each literal."""
    out, i, n = [], 0, len(text)
    while True:
        m = _TRIVIA.match(text, i)
        lead, i = m.group(0), m.end()
        if i >= n:
            return out, lead
        at_line_start = "\n" in lead or not out and not \
            text[:i].strip()
        m = _PP.match(text, i) if text[i] == "#" and at_line_start else None
        if m is None:
            m = _TOKEN.match(text, i)
        out.append((lead, m.group(0)))
        i = m.end()


def _indent(trivia):
    """The indentation of the line the token after trivia starts, if that
    token starts a line."""
    if "\n" not in trivia:
        return None
    return trivia.rsplit("\n", 1)[1]


def _reindent(trivia, frm, to):
    if frm is None or to is None or frm == to:
        return trivia
    lines = trivia.split("\n")
    for k in range(1, len(lines)):
        if lines[k].startswith(frm):
            lines[k] = to + lines[k][len(frm):]
    return "\n".join(lines)


def _matches(a, b):
    """{index in a: index in b} of a longest-block alignment."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    m = {}
    for i, j, size in sm.get_matching_blocks():
        for k in range(size):
            m[i + k] = j + k
    return m


def _diff3(bk, ok, tk):
    """Walk base, ours and theirs (sequences of keys) in step.  Yields
    ("chunk", b, be, o, oe, t, te, how) for each region where a side
    differs from the base, how one of "ours", "theirs", "append" (the step
    only added after what the base has), "prepend", "conflict"; and
    ("stable", b, o, t) for each key all three share."""
    mo, mt = _matches(bk, ok), _matches(bk, tk)
    b = o = t = 0
    nb = len(bk)
    while True:
        # next base key both sides still have, in order
        i = b
        while i < nb and not (i in mo and i in mt and mo[i] >= o and
                              mt[i] >= t):
            i += 1
        oe = mo[i] if i < nb else len(ok)
        te = mt[i] if i < nb else len(tk)
        A, O, T = bk[b:i], ok[o:oe], tk[t:te]
        if A or O or T:
            if O == T or T == A:
                how = "ours"
            elif O == A:
                how = "theirs"
            elif A and T[:len(A)] == A:
                how = "append"
            elif A and T[len(T) - len(A):] == A:
                how = "prepend"
            else:
                how = "conflict"
            yield ("chunk", b, i, o, oe, t, te, how)
        if i >= nb:
            return
        yield ("stable", i, oe, te)
        b, o, t = i + 1, oe + 1, te + 1


def _resolved(step, ours, take):
    """The items a chunk of _diff3 becomes: the kernel's, or what
    take(o, oe, b, be, t, te) makes of the step's, alone or after or before
    the kernel's (a conflict keeps the kernel's; the caller counts it)."""
    _, b, i, o, oe, t, te, how = step
    if how == "theirs":
        return take(o, oe, b, i, t, te)
    if how == "append":
        return ours[o:oe] + take(oe, oe, i, i, t + (i - b), te)
    if how == "prepend":
        return take(o, o, b, b, t, te - (i - b)) + ours[o:oe]
    return ours[o:oe]


def merge_tokens(ours, base, theirs):
    """(merged text of ours with the base->theirs change, conflicts),
    token by token."""
    otoks, otail = tokenize(ours)
    btoks, _ = tokenize(base)
    ttoks, _ = tokenize(theirs)
    b_txt = [t for _, t in btoks]
    out, conflicts = [], 0
    for step in _diff3(b_txt, [t for _, t in otoks],
                       [t for _, t in ttoks]):
        if step[0] == "stable":
            _, i, oe, te = step
            lead = otoks[oe][0]
            # spacing the step changed around a token the kernel spaces
            # as the base does
            if lead == btoks[i][0] and "\n" not in lead + ttoks[te][0]:
                lead = ttoks[te][0]
            out.append((lead, otoks[oe][1]))
            continue
        start = len(out)
        out += _resolved(step, otoks, lambda *r: _take_theirs(
            otoks, r[0], r[1], btoks, r[2], r[3], ttoks, r[4], r[5]))
        conflicts += step[-1] == "conflict"
        _no_blank_after_brace(out, start)
    text = "".join(lead + tok for lead, tok in out) + otail
    return text, conflicts


def _no_blank_after_brace(out, k):
    """A block does not open with a blank line."""
    for k in range(max(k, 1), len(out)):
        lead, tok = out[k]
        if out[k - 1][1] == "{" and lead.count("\n") > 1 and \
                not lead.strip():
            out[k] = ("\n" + lead.rsplit("\n", 1)[1], tok)


def _take_theirs(otoks, o, oe, btoks, b, be, ttoks, t, te):
    """The step's tokens for a region the kernel has as the base."""
    new = ttoks[t:te]
    if not new:
        return []
    # the depth the kernel has this region at, against the core's
    if oe > o:
        frm, to = _indent(btoks[b][0]) if be > b else None, \
            _indent(otoks[o][0])
    else:
        nxt_b = btoks[be][0] if be < len(btoks) else None
        nxt_o = otoks[oe][0] if oe < len(otoks) else None
        frm = _indent(nxt_b) if nxt_b is not None else None
        to = _indent(nxt_o) if nxt_o is not None else None
    if frm is None or to is None:
        frm = to = None
    res = [(_reindent(lead, frm, to), tok) for lead, tok in new]
    # the kernel's comment above what the step replaces stays; a comment
    # the step writes there comes in only where the kernel has none
    if oe > o and (_has_comment(otoks[o][0]) or
                   not _has_comment(res[0][0]) or
                   be > b and new[0][0] == btoks[b][0]):
        res[0] = (otoks[o][0], res[0][1])
    return res


def _has_comment(trivia):
    return "/*" in trivia or "//" in trivia


# Line level.  A unit is one line of code with the blank and comment-only
# lines above it; units compare by their code's tokens, comments left out.

def _code_only(text):
    """text with every comment blanked out, line breaks kept."""
    out, i = [], 0
    for m in re.finditer(r"/\*.*?\*/|//[^\n]*|\"(?:\\.|[^\"\\\n])*\"|"
                         r"'(?:\\.|[^'\\\n])*'", text, re.S):
        if m.group(0)[0] in "\"'":
            continue
        out.append(text[i:m.start()])
        out.append(re.sub(r"[^\n]", " ", m.group(0)))
        i = m.end()
    out.append(text[i:])
    return "".join(out)


def _units(text):
    """([(trivia lines, code line)], trailing trivia, [key])."""
    lines = text.split("\n")
    code = _code_only(text).split("\n")
    units, keys, pending = [], [], []
    for line, c in zip(lines, code):
        if not c.strip():
            pending.append(line)
            continue
        units.append(("".join(x + "\n" for x in pending), line))
        keys.append(tuple(t for _, t in tokenize(c)[0]))
        pending = []
    return units, "\n".join(pending), keys


def _line_indent(line):
    return line[:len(line) - len(line.lstrip(" \t"))]


def _reindent_line(line, frm, to):
    if frm is None or frm == to or not line.startswith(frm):
        return line
    return to + line[len(frm):]


def _render(units):
    return "\n".join(tr + line for tr, line in units)


def merge(ours, base, theirs):
    """(merged text of ours with the base->theirs change, conflicts):
    a three-way merge of code lines compared by their tokens, and token
    by token where both sides changed the same lines."""
    ou, otail, ok = _units(ours)
    bu, _, bk = _units(base)
    tu, _, tk = _units(theirs)
    out, conflicts = [], 0
    for step in _diff3(bk, ok, tk):
        if step[0] == "stable":
            _, i, oe, te = step
            out.append(_stable(ou[oe], bu[i][1], tu[te][1]))
            _no_blank_after_brace_lines(out, len(out) - 1)
            continue
        _, b, i, o, oe, t, te, how = step
        start = len(out)
        if how == "conflict":
            text, left = merge_tokens(_render(ou[o:oe]), _render(bu[b:i]),
                                      _render(tu[t:te]))
            conflicts += left
            # the chunk's text carries its own trivia
            out.append(("", text))
        else:
            out += _resolved(step, ou, lambda *r: _lines_theirs(
                ou, r[0], r[1], bu, r[2], r[3], tu, r[4], r[5]))
        _no_blank_after_brace_lines(out, start)
    text = _render(out)
    if otail:
        text += "\n" + otail
    return text, conflicts


def _stable(unit, bline, tline):
    """The kernel's line, moved to the step's depth where the step moved
    it and the kernel has it where the base has it."""
    tr, line = unit
    bi, ti, oi = _line_indent(bline), _line_indent(tline), _line_indent(line)
    if bi != ti and oi == bi:
        line = ti + line[len(oi):]
        tr = "".join(_reindent_line(x, oi, ti) + "\n"
                     for x in tr.split("\n")[:-1])
    return tr, line


def _no_blank_after_brace_lines(out, k):
    for k in range(max(k, 1), len(out)):
        tr, line = out[k]
        if out[k - 1][1].rstrip().endswith("{") and tr and not tr.strip():
            out[k] = ("", line)


def _lines_theirs(ou, o, oe, bu, b, be, tu, t, te):
    """The step's lines for a region the kernel has as the base."""
    new = tu[t:te]
    if not new:
        return []
    if oe > o and be > b:
        frm, to = _line_indent(bu[b][1]), _line_indent(ou[o][1])
    elif oe < len(ou) and be < len(bu):
        frm, to = _line_indent(bu[be][1]), _line_indent(ou[oe][1])
    else:
        frm = to = None
    res = [("".join(_reindent_line(x, frm, to) + "\n"
                    for x in tr.split("\n")[:-1]),
            _reindent_line(line, frm, to)) for tr, line in new]
    if oe > o and (_has_comment(ou[o][0]) or not _has_comment(res[0][0]) or
                   be > b and new[0][0] == bu[b][0]):
        res[0] = (ou[o][0], res[0][1])
    return res
