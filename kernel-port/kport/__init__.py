# SPDX-License-Identifier: GPL-2.0
"""kernel-port: turn the kvmpfn core into the v7 series for Linux 6.12."""
