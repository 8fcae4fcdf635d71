# SPDX-License-Identifier: GPL-2.0
"""Which patches of a series make each kernel-built stage."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from kport import kstage  # noqa: E402


def write_series(d, notes):
    for i, note in enumerate(notes, 1):
        with open(os.path.join(d, "%04d-p%d.patch" % (i, i)), "w") as f:
            f.write("Subject: [PATCH %d] p\n\nBody.\n\n%s\n---\n"
                    " a | 1 +\n" % (i, note))


class TestSeriesStages(unittest.TestCase):
    def test_an_added_fix_joins_the_next_stage(self):
        with tempfile.TemporaryDirectory() as d:
            write_series(d, ["this is stage v7.1 of the kvmpfn simulator.",
                             "this is stage v7.2 of the kvmpfn simulator.",
                             "Not part of v7; modelled in stage v7.3.",
                             "this is stage v7.3 of the kvmpfn simulator."])
            got = kstage.series_stages(kstage.series_files(d))
        self.assertEqual(got, {0: 0, 1: 1, 2: 2, 3: 4})

    def test_errors(self):
        with tempfile.TemporaryDirectory() as d:
            write_series(d, ["no stage named here"])
            with self.assertRaises(kstage.KStageError):
                kstage.series_stages(kstage.series_files(d))
        with tempfile.TemporaryDirectory() as d:
            write_series(d, ["stage v7.2", "stage v7.1"])
            with self.assertRaises(kstage.KStageError):
                kstage.series_stages(kstage.series_files(d))
        with tempfile.TemporaryDirectory() as d:
            write_series(d, ["stage v7.1"])
            os.rename(os.path.join(d, "0001-p1.patch"),
                      os.path.join(d, "0002-p1.patch"))
            with self.assertRaises(kstage.KStageError):
                kstage.series_files(d)


if __name__ == "__main__":
    unittest.main()
