# SPDX-License-Identifier: GPL-2.0
"""Commit messages: wrapped paragraphs, a port note and the trailers."""

import re
import textwrap

__all__ = ["MessageError", "WIDTH", "commit_message", "wrap", "parse_ident"]

# checkpatch warns about body lines over 75 columns; 72 leaves room for
# the indentation git log adds.
WIDTH = 72


class MessageError(Exception):
    pass


_IDENT = re.compile(r"^([^<>]+?)\s*<([^<>@\s]+@[^<>\s]+)>$")


def parse_ident(ident):
    """'Name <mail@host>' -> (name, mail); MessageError if malformed."""
    m = _IDENT.match(ident.strip()) if ident else None
    if not m:
        raise MessageError("not a 'Name <email>' identity: %r" % ident)
    return m.group(1), m.group(2)


def wrap(paragraphs, width=WIDTH):
    out = []
    for p in paragraphs:
        if not p.strip():
            raise MessageError("empty paragraph")
        out.append(textwrap.fill(" ".join(p.split()), width=width,
                                 break_long_words=False,
                                 break_on_hyphens=False))
    return "\n\n".join(out)


def commit_message(subject, paragraphs, signers, note=None, fixes=()):
    """The full message; signers are 'Name <email>' strings in order,
    fixes (commit id, subject) pairs for Fixes: trailers."""
    if not subject or "\n" in subject:
        raise MessageError("the subject must be one line")
    if len(subject) > 75:
        raise MessageError("subject longer than 75 columns: %r" % subject)
    if subject.endswith("."):
        raise MessageError("subject ends with a full stop: %r" % subject)
    if not signers:
        raise MessageError("a patch needs at least one Signed-off-by")
    body = wrap(paragraphs + ([note] if note else []))
    seen = []
    for s in signers:
        parse_ident(s)
        if s not in seen:
            seen.append(s)
    for cid, what in fixes:
        if not re.fullmatch(r"[0-9a-f]{12,40}", cid):
            raise MessageError("Fixes: needs a commit id of 12 or more "
                               "hex digits, not %r" % cid)
    trailers = "\n".join(["Fixes: %s (\"%s\")" % f for f in fixes] +
                          ["Signed-off-by: %s" % s for s in seen])
    return "%s\n\n%s\n\n%s\n" % (subject, body, trailers)
