# SPDX-License-Identifier: GPL-2.0
"""Resolve the core's stage blocks with unifdef.

The core marks every difference between two points of the series with
`#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_n` and keeps mutants behind
`#ifdef KVMPFN_MUTANTS`.  Resolving a file for stage n leaves plain kernel
code: exactly what the simulator compiled for that stage, minus mutants.
"""

import subprocess

__all__ = ["STAGES", "CORE_STAGES", "StageError", "stage_number", "resolve", "defines"]

# Stage 0 is Linux 6.12 as released (the tree given); stage n is the tree after patch n of 8.
STAGES = ["legacy"] + ["v7.%d" % n for n in range(1, 9)]
# The core's stages: the series, then "final" (Linux 6.13's design), which
# no patch of the series reaches but a >= 6.13 tree can be built at.
CORE_STAGES = STAGES + ["final"]
_SYMBOLS = ["KVMPFN_STAGE_LEGACY"] + \
    ["KVMPFN_STAGE_V7_%d" % n for n in range(1, 9)] + \
    ["KVMPFN_STAGE_FINAL"]  # 6.13's design: the core has it, the series not


class StageError(Exception):
    pass


def stage_number(name):
    if isinstance(name, int):
        if 0 <= name < len(CORE_STAGES):
            return name
    elif name in CORE_STAGES:
        return CORE_STAGES.index(name)
    raise StageError("unknown stage %r (known: %s)" %
                     (name, ", ".join(CORE_STAGES)))


def defines(stage):
    n = stage_number(stage)
    args = ["-DKVMPFN_STAGE=%d" % n]
    args += ["-D%s=%d" % (sym, i) for i, sym in enumerate(_SYMBOLS)]
    args += ["-UKVMPFN_MUTANTS"]
    return args


def resolve(text, stage, origin="<core>"):
    """Return text with every stage and mutant block resolved."""
    proc = subprocess.run(["unifdef", "-x", "2"] + defines(stage),
                          input=text, capture_output=True, text=True)
    # -x 2: 0 = unchanged or changed, 2 = error
    if proc.returncode != 0:
        raise StageError("unifdef failed on %s: %s" %
                         (origin, proc.stderr.strip()))
    return proc.stdout
