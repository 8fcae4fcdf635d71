# SPDX-License-Identifier: GPL-2.0
"""Assemble the series with git: a scratch repository holding the pristine
files the series touches, one commit per patch, git format-patch."""

import functools
import os
import re
import shutil
import subprocess
import tempfile

from . import citems, message, series, splice, stage

__all__ = ["PortError", "REPO", "kernel_version", "expected_items",
           "build_series", "git"]

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
COCCI_DIR = os.path.join(REPO, "kernel-port", "cocci")

# A fixed identity and date make the base commit the same everywhere.
_BASE_ENV = {
    "GIT_AUTHOR_NAME": "kernel-port", "GIT_AUTHOR_EMAIL": "base@kvmpfn",
    "GIT_COMMITTER_NAME": "kernel-port",
    "GIT_COMMITTER_EMAIL": "base@kvmpfn",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00+0000",
}


class PortError(Exception):
    pass


def git(cwd, *args, env=None, check=True):
    e = dict(os.environ)
    e.update({"GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"})
    if env:
        e.update(env)
    proc = subprocess.run(["git", "-C", cwd] + list(args), env=e,
                          capture_output=True, text=True)
    if check and proc.returncode:
        raise PortError("git %s failed: %s" %
                        (" ".join(args), proc.stderr.strip()))
    return proc.stdout


def kernel_version(ksrc):
    try:
        with open(os.path.join(ksrc, "Makefile")) as f:
            head = f.read(400)
    except OSError as e:
        raise PortError("%s is not a kernel tree: %s" % (ksrc, e)) from None
    v = dict(re.findall(r"^(VERSION|PATCHLEVEL|SUBLEVEL) = (\d+)$", head,
                        re.M))
    if len(v) != 3:
        raise PortError("%s/Makefile has no kernel version" % ksrc)
    return "%s.%s.%s" % (v["VERSION"], v["PATCHLEVEL"], v["SUBLEVEL"])


def _read(path):
    with open(path) as f:
        return f.read()


def _core(rel):
    return _read(os.path.join(REPO, rel))


@functools.lru_cache(maxsize=None)
def _resolved(cpath, n):
    """A core file resolved for stage n (each is needed by two steps)."""
    return stage.resolve(_core(cpath), n, cpath)


def core_edits(n):
    """Edits per kernel file that take the core from stage n-1 to n."""
    out = []
    for kpath, cpath in series.CORE_FILES:
        edits = splice.diff_items(_resolved(cpath, n - 1),
                                  _resolved(cpath, n), series.ANCHORS, cpath)
        if edits:
            out.append((kpath, edits))
    return out


def expected_items(n):
    """{kernel path: {key: text}} of every item the series has spliced by
    stage n, as its source has it at stage n."""
    spliced = {}
    sources = {k: citems.parse(_resolved(c, n)) for k, c in series.CORE_FILES}
    for p in series.PATCHES:
        if p.stage_number > n:
            break
        for kpath, edits in core_edits(p.v7) if p.v7 else ():
            spliced.setdefault(kpath, set()).update(
                e.key for e in edits if e.op != "remove")
        for kpath, spath, keys in p.items:
            spliced.setdefault(kpath, set()).update(k for k, _ in keys)
            sources[kpath] = sources.get(kpath, []) + \
                citems.parse(_core(spath))
    want = {}
    for kpath, keys in spliced.items():
        found = {key: citems.find(sources[kpath], key) for key in keys}
        # an item a later stage removed again is not expected
        want[kpath] = {key: it.text for key, it in found.items() if it}
    return want


# Coccinelle cannot parse a function whose name is a macro call, as in
# the x86 paging templates; FNAME(x) is turned into a plain identifier for
# the run and back afterwards.
_MASKS = [(re.compile(r"\bFNAME\((\w+)\)"), r"FNAME__kport__\1",
           re.compile(r"\bFNAME__kport__(\w+)"), r"FNAME(\1)")]


def _mask(text, undo=False):
    for fwd, fsub, back, bsub in _MASKS:
        if undo:
            text = back.sub(bsub, text)
        else:
            if back.search(text):
                raise PortError("masking token already in the source")
            text = fwd.sub(fsub, text)
    return text


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def _spatch(sp, files, cwd):
    cmd = ["spatch", "--very-quiet", "--in-place", "--no-includes",
           "--sp-file", os.path.join(COCCI_DIR, sp)] + files
    before = {f: _read(os.path.join(cwd, f)) for f in files}
    for f in files:
        _write(os.path.join(cwd, f), _mask(before[f]))
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    for f in files:
        path = os.path.join(cwd, f)
        _write(path, _mask(_read(path), undo=True))
    if proc.returncode:
        raise PortError("spatch %s failed: %s" % (sp, proc.stderr.strip()))
    if all(_read(os.path.join(cwd, f)) == before[f] for f in files):
        raise PortError("semantic patch %s changed nothing in %s: the "
                        "kernel code no longer matches it" %
                        (sp, ", ".join(files)))


def patch_edits(p):
    """[(kernel path, edits)] of patch p: the core's step, then the items
    it copies from other sources."""
    out = core_edits(p.v7) if p.v7 is not None else []
    for kpath, spath, keys in p.items:
        out.append((kpath, splice.splice_items(_core(spath), keys, spath)))
    return out


def splice_files(p, read):
    """Apply patch p's edits to the files read(kernel path) returns:
    ({kernel path: new text}, [splice.Outcome])."""
    texts = {}
    outcomes = []
    for kpath, edits in patch_edits(p):
        old = texts[kpath] if kpath in texts else read(kpath)
        texts[kpath], _ = splice.apply(old, edits, kpath, outcomes)
    return texts, outcomes


_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def rename_in_comments(text, old, new):
    """text with old() renamed new() inside its comments; (text, count)."""
    pat = re.compile(r"\b%s\(\)" % re.escape(old))
    count = 0

    def fix(m):
        nonlocal count
        out, k = pat.subn(new + "()", m.group(0))
        count += k
        return out
    return _COMMENT.sub(fix, text), count


def apply_patch(p, tree):
    """Apply patch p to the tree (v7's patch n takes it from stage v7.n-1
    to v7.n); return what was done to each spliced item."""
    texts, outcomes = splice_files(
        p, lambda kpath: _read(os.path.join(tree, kpath)))
    for kpath, text in texts.items():
        _write(os.path.join(tree, kpath), text)
    for sp, files in p.cocci:
        _spatch(sp, files, tree)
    for pat, repl, files in p.subs:
        for f in files:
            path = os.path.join(tree, f)
            text, count = re.subn(pat, repl, _read(path), flags=re.M)
            if not count:
                raise PortError("%s: nothing matches %s" % (f, pat))
            _write(path, text)
    for old, new, files in p.renames:
        for f in files:
            path = os.path.join(tree, f)
            text, count = rename_in_comments(_read(path), old, new)
            if not count:
                raise PortError("no comment in %s mentions %s()" % (f, old))
            _write(path, text)
    return outcomes


def splice_report(outcomes_by_patch):
    """Lines naming what each patch did to each spliced item; the
    generator writes them next to the series and the check reads them."""
    lines = []
    for n, outcomes in outcomes_by_patch:
        for o in outcomes:
            lines.append("%04d %s %s %s" % (n, o.how, o.path,
                                            citems.item_key_str(o.key)))
    return lines


def parse_splice_report(text):
    """{patch number: [(how, path, key)]} from splice_report() lines."""
    out = {}
    for line in text.splitlines():
        n, how, path, kind, name = line.split(" ", 4)
        out.setdefault(int(n), []).append((how, path, (kind, name)))
    return out


def _cover(path, signer, version):
    text = _read(path)
    total = len(series.PATCHES)
    added = ["patch %d/%d (\"%s\")" % (i, total, p.subject)
             for i, p in enumerate(series.PATCHES, 1) if p.v7 is None]
    lines = ["The patches and the simulator's stages (v7.0 is %s as "
             "released):" % version]
    body = message.wrap([p.replace("{version}", version).replace(
        "{additions}", ", ".join(added)) for p in series.COVER["body"]] +
        lines)
    stages = "\n".join(
        "  %d/%d = %s" % (i, total, "v7 %d/8, stage %s" % (p.v7, p.stage)
                          if p.v7 is not None else
                          "not in v7, modelled at stage %s" % p.stage)
        for i, p in enumerate(series.PATCHES, 1))
    text = text.replace("*** SUBJECT HERE ***", series.COVER["subject"])
    text = text.replace("*** BLURB HERE ***", "%s\n\n%s\n\nSigned-off-by: "
                        "%s" % (body, stages, signer))
    with open(path, "w") as f:
        f.write(text)


REPORT = "splice-report.txt"


def port_note(p, version):
    """The last paragraph of a patch's message.  It names the simulator
    stage the patch belongs to (kstage.series_stages reads it back)."""
    if p.v7 is not None:
        return ("Ported to %s from patch %d/8 of the v7 series by %s; "
                "this is stage %s of the kvmpfn simulator." %
                (version, p.v7, p.original_author, p.stage))
    return ("Not part of v7; written for the port to %s.  The kvmpfn "
            "simulator models it with the next patch, in stage %s." %
            (version, p.stage))


def build_series(ksrc, out, author, signers, date=None, workdir=None,
                 log=None):
    """Write 0000-cover-letter.patch and the patches into out, and
    splice-report.txt (what each patch did to each spliced item).  The
    outcomes are also appended to log, as (patch number, [Outcome])."""
    for tool in ("git", "unifdef", "spatch"):
        if not shutil.which(tool):
            raise PortError("%s not found: run kernel-port/setup" % tool)
    version = kernel_version(ksrc)
    for rel in series.BASE_FILES:
        if not os.path.isfile(os.path.join(ksrc, rel)):
            raise PortError("%s: missing %s" % (ksrc, rel))
    tmp = tempfile.mkdtemp(prefix="kvmpfn-series-", dir=workdir)
    try:
        tree = os.path.join(tmp, "tree")
        for rel in series.BASE_FILES:
            dst = os.path.join(tree, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(os.path.join(ksrc, rel), dst)
        git(tree, "init", "-q")
        git(tree, "config", "gc.auto", "0")
        git(tree, "add", "-A")
        git(tree, "commit", "-q", "-m", "Linux %s" % version, env=_BASE_ENV)
        base = git(tree, "rev-parse", "HEAD").strip()
        name, mail = message.parse_ident(author)
        env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": mail,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": mail}
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        done = []
        for i, p in enumerate(series.PATCHES, 1):
            try:
                done.append((i, apply_patch(p, tree)))
            except (splice.SpliceError, stage.StageError,
                    citems.CItemError, PortError) as e:
                raise PortError("patch %d: %s" % (i, e)) from None
            if not git(tree, "status", "--porcelain").strip():
                raise PortError("patch %d changes nothing" % i)
            msg = message.commit_message(p.subject, p.body, signers,
                                         port_note(p, version), p.fixes)
            git(tree, "add", "-A")
            proc = subprocess.run(["git", "-C", tree, "commit", "-q",
                                   "-F", "-"], input=msg, text=True,
                                  capture_output=True,
                                  env=dict(os.environ, **env))
            if proc.returncode:
                raise PortError("git commit failed: %s" % proc.stderr)
        os.makedirs(out, exist_ok=True)
        for old in os.listdir(out):
            if re.match(r"\d{4}-.*\.patch$", old) or old == REPORT:
                os.unlink(os.path.join(out, old))
        git(tree, "format-patch", "-q", "--cover-letter", "--base=" + base,
            "--thread=shallow", "-o", os.path.abspath(out), base, env=env)
        _cover(os.path.join(out, "0000-cover-letter.patch"), signers[0],
               version)
        _write(os.path.join(out, REPORT), "".join(
            line + "\n" for line in splice_report(done)))
        if log is not None:
            log.extend(done)
        return sorted(os.path.join(out, f) for f in os.listdir(out)
                      if re.match(r"\d{4}-.*\.patch$", f))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
