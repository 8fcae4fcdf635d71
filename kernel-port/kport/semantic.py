# SPDX-License-Identifier: GPL-2.0
"""The semantic identity check: the patched tree's own functions, built
into the simulator as kernel:legacy .. kernel:v7.8 from the series being
checked, must run the whole scenario corpus with the same outcomes as the
core at each stage (kvmpfn-sim conform).  The comparison is by behaviour,
so it holds for a series whose text differs from the core's (a three-way
merge keeps the kernel's comments) as long as the code does the same."""

import os
import subprocess

from . import assemble, stage

__all__ = ["CORPUS", "check"]

# what ctest's conform tests run, relative to the repository
CORPUS = ["examples", "tests/scenarios", "tests/bugs", "sim/x86_tdp/tests",
          "sim/arm64_s2/tests", "sim/ppc_radix/tests"]


def _corpus(build):
    out = [os.path.join(assemble.REPO, d) for d in CORPUS
           if os.path.isdir(os.path.join(assemble.REPO, d))]
    reg = os.path.join(assemble.REPO, "fuzz", "regressions")
    if os.path.isdir(reg):
        out += sorted(os.path.join(reg, d) for d in os.listdir(reg))
    out.append(os.path.join(build, "fuzz", "seeds"))
    return out


def _tail(text, n=12):
    return "\n".join(text.strip().splitlines()[-n:])


def check(ksrc, series_dir, work, rep, jobs=2):
    """Build the simulator with the series' kernel-built stages in work
    and report one result per stage; False if the build failed."""
    build = os.path.join(work, "sim-build")
    cfg = ["cmake", "-S", assemble.REPO, "-B", build,
           "-DCMAKE_BUILD_TYPE=Debug", "-DKVMPFN_KERNEL_SRC=" + ksrc,
           "-DKVMPFN_KERNEL_PATCHES=" + os.path.abspath(series_dir),
           "-DKVMPFN_KERNEL_TREE="]
    env = dict(os.environ, LC_ALL="C")
    env.pop("KERNEL_SRC", None)
    env.pop("KVMPFN_KERNEL_TREE", None)
    for cmd in (cfg, ["cmake", "--build", build, "-j%d" % jobs, "--target",
                      "kvmpfn-sim", "fuzz-seeds"]):
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if r.returncode:
            rep.result(False, "semantic build", _tail(r.stdout + r.stderr))
            return False
    sim = os.path.join(build, "kvmpfn-sim")
    ok = True
    for name in stage.STAGES:
        r = subprocess.run([sim, "conform", "--arch=all",
                            "--stage=kernel:" + name] + _corpus(build),
                           capture_output=True, text=True, env=env)
        lines = r.stdout.strip().splitlines()
        if r.returncode == 0:
            detail = lines[-1] if lines else ""
        else:
            # the first divergence, whole, and the summary
            first = next((i for i, ln in enumerate(lines)
                          if "diverge on" in ln), None)
            detail = "\n".join(lines[first:first + 24]) if first is not \
                None else _tail(r.stdout + r.stderr)
            if lines and first is not None:
                detail += "\n" + lines[-1]
        ok &= rep.result(r.returncode == 0, "semantic %s" % name, detail)
    return ok
