#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fuzz inputs of N decoded operations, for the P4 throughput figure.

    scripts/p4-inputs.py DIR [COUNT=100] [OPS=64] [SEED=1]
    build/fuzz/fuzz/replay-model -r 20 DIR      # exec/s, no mutation

Each input is a header (a random stage and architecture, the small
configuration, no 2M block) and OPS operations with their argument bytes,
drawn uniformly from the decoder's ops other than the raw-line op.  The
table below mirrors decode_op() in libkvmpfn/scenario/decode.c.
"""
import os
import random
import sys

# argument bytes of each op, in the decoder's enum order (OP_RAW excluded)
ARGS = [1, 1, 1, 1, 1, 1, 1, 0, 0, 2, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        0, 1, 0]
NR_DECODE_OPS = len(ARGS) + 1
NR_STAGES = 9
NR_ARCHES = 4


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    ops = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        b = bytearray([rnd.randrange(NR_STAGES), rnd.randrange(NR_ARCHES)])
        for _ in range(ops):
            op = rnd.randrange(len(ARGS))
            # any byte that selects op (the decoder takes it modulo)
            b.append(op + NR_DECODE_OPS * rnd.randrange(256 // NR_DECODE_OPS))
            b.extend(rnd.randrange(256) for _ in range(ARGS[op]))
        with open(os.path.join(out, "in%03d" % i), "wb") as f:
            f.write(b)


if __name__ == "__main__":
    main()
