# SPDX-License-Identifier: GPL-2.0
"""Which patches of a series make each kernel-built stage, what the
extraction takes from a tree, and the version it reads."""

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


# A synthetic tree: a module parameter, a function using it, and what
# must not come along (a parameter nobody picked uses, an export).
TREE = """static bool unsafe;
module_param(unsafe, bool, 0444);

static bool other;
module_param(other, bool, 0444);

int f(int x)
{
\treturn unsafe ? x : 0;
}
EXPORT_SYMBOL_GPL(f);
"""


class TestExtract(unittest.TestCase):
    def test_a_module_param_comes_with_its_variable(self):
        picked, extra, skipped = kstage.extract(TREE, ["f"], "tree")
        texts = [it.text for it in picked]
        self.assertEqual(extra, ["unsafe"])
        self.assertEqual(skipped, [])
        self.assertIn("module_param(unsafe, bool, 0444);", texts)
        self.assertNotIn("module_param(other, bool, 0444);", texts)
        self.assertEqual([it.name for it in picked if it.kind != "proto"],
                         ["unsafe", "f"])

    def test_a_missing_function_is_an_error(self):
        with self.assertRaises(kstage.KStageError):
            kstage.extract(TREE, ["g"], "tree")


class TestTreeVersion(unittest.TestCase):
    def version(self, extra):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "Makefile"), "w") as f:
                f.write("# SPDX-License-Identifier: GPL-2.0\nVERSION = 6\n"
                        "PATCHLEVEL = 17\nSUBLEVEL = 0\n%s\n"
                        "NAME = Baby Opossum Posse\n" % extra)
            return kstage.tree_version(d)

    def test_a_release(self):
        self.assertEqual(self.version("EXTRAVERSION ="), "6.17.0")

    def test_a_release_candidate(self):
        self.assertEqual(self.version("EXTRAVERSION = -rc3"), "6.17.0-rc3")


if __name__ == "__main__":
    unittest.main()
