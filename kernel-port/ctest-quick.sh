#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# ctest's kernel-port.quick: run `check --quick` on $KERNEL_SRC, or exit 77
# (ctest reports the test as skipped) when no kernel tree is given.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -z "${KERNEL_SRC:-}" ]]; then
	echo "kernel-port.quick: skipped: KERNEL_SRC is not set" \
		"(kernel-port/setup prints a tree to use)"
	exit 77
fi
if [[ ! -f "$KERNEL_SRC/Makefile" ]]; then
	echo "kernel-port.quick: KERNEL_SRC=$KERNEL_SRC is not a kernel tree" >&2
	exit 1
fi
exec "$here/check" --kernel-src "$KERNEL_SRC" --quick
