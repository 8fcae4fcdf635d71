# SPDX-License-Identifier: GPL-2.0
"""Stage resolution and splicing on synthetic core and kernel files."""

import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from kport import splice, stage  # noqa: E402

CORE = """// SPDX-License-Identifier: GPL-2.0
#include <linux/kvm_host.h>

int kept(void)
{
\treturn 1;
}

#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_2
/* New in v7.2. */
static int helper(void)
{
\treturn 2;
}
#endif

int changed(void)
{
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_2
\treturn helper();
#else
\treturn 0;
#endif
}

#if KVMPFN_STAGE < KVMPFN_STAGE_V7_3
int dropped(void)
{
#ifdef KVMPFN_MUTANTS
\tif (kvmpfn_mutant(KVMPFN_B1))
\t\treturn -1;
#endif
\treturn 3;
}
#endif
"""

KERNEL = """// SPDX-License-Identifier: GPL-2.0
#include <linux/kvm_host.h>

/* The kernel's own words, which a splice of an unchanged item keeps. */
int kept(void)
{
\treturn 1;
}

int changed(void)
{
\treturn 0;
}

int dropped(void)
{
\treturn 3;
}

int unrelated(void)
{
\treturn 4;
}
"""


@unittest.skipUnless(shutil.which("unifdef"), "unifdef not installed")
class TestStage(unittest.TestCase):
    def test_resolves_stage_and_mutants(self):
        legacy = stage.resolve(CORE, "legacy")
        self.assertNotIn("helper", legacy)
        self.assertNotIn("kvmpfn_mutant", legacy)
        self.assertIn("int dropped", legacy)
        v73 = stage.resolve(CORE, "v7.3")
        self.assertIn("return helper();", v73)
        self.assertNotIn("dropped", v73)

    def test_unknown_stage(self):
        with self.assertRaises(stage.StageError):
            stage.resolve(CORE, "v7.9")

    def test_bad_input_is_an_error(self):
        with self.assertRaises(stage.StageError):
            stage.resolve("#if KVMPFN_STAGE\nint x;\n", 1)


@unittest.skipUnless(shutil.which("unifdef"), "unifdef not installed")
class TestSplice(unittest.TestCase):
    def step(self, text, n):
        edits = splice.diff_items(stage.resolve(CORE, n - 1),
                                  stage.resolve(CORE, n))
        return splice.apply(text, edits)

    def test_series_of_steps(self):
        text, written = self.step(KERNEL, 1)
        self.assertEqual((text, written), (KERNEL, []))
        text, written = self.step(text, 2)
        self.assertEqual(written, [("func", "helper"), ("func", "changed")])
        # the new helper lands after its core neighbour, with its comment
        self.assertLess(text.index("int kept"), text.index("/* New in"))
        self.assertLess(text.index("static int helper"),
                        text.index("int changed"))
        self.assertIn("\treturn helper();", text)
        self.assertIn("The kernel's own words", text)
        text, written = self.step(text, 3)
        self.assertNotIn("dropped", text)
        self.assertIn("int unrelated", text)
        self.assertNotIn("\n\n\n", text)

    def test_missing_kernel_item_is_an_error(self):
        kernel = KERNEL.replace("int dropped(void)\n{\n\treturn 3;\n}\n\n",
                                "")
        self.step(KERNEL, 2)
        text, _ = self.step(kernel, 2)
        with self.assertRaisesRegex(splice.SpliceError, "no func dropped"):
            self.step(text, 3)

    def test_simulator_symbols_never_reach_the_kernel(self):
        old = "int f(void)\n{\n\treturn 0;\n}\n"
        new = "int f(void)\n{\n\treturn kvmpfn_hook();\n}\n"
        with self.assertRaisesRegex(splice.SpliceError, "kvmpfn_hook"):
            splice.diff_items(old, new)

    def test_anchor_and_define_placement(self):
        kernel = "#define A\t1\n#define B\t2\n\nint g(void);\n"
        new_core = "#define C\t3\n"
        edits = splice.diff_items("", new_core, {
            ("define", "C"): ("after", ("define", "A"))})
        text, _ = splice.apply(kernel, edits)
        self.assertEqual(text, "#define A\t1\n#define C\t3\n#define B\t2\n"
                         "\nint g(void);\n")

    def test_before_anchor(self):
        edits = splice.diff_items("", "struct s {\n\tint a;\n};\n", {
            ("struct", "s"): ("before", ("proto", "g"))})
        text, _ = splice.apply("int f(void);\nint g(void);\n", edits)
        self.assertEqual(text, "int f(void);\nstruct s {\n\tint a;\n};"
                         "\n\nint g(void);\n")

    def test_insert_without_neighbour_fails(self):
        edits = splice.diff_items("", "int lonely(void);\n")
        with self.assertRaisesRegex(splice.SpliceError, "nowhere"):
            splice.apply("int other(void);\n", edits)

    def test_splice_items_copies_named_items(self):
        src = "static inline int a(void)\n{\n\treturn 1;\n}\n"
        edits = splice.splice_items(src, [(("func", "a"), ("proto", "g"))])
        text, written = splice.apply("int g(void);\n", edits)
        self.assertEqual(written, [("func", "a")])
        self.assertIn("int g(void);\n\nstatic inline int a(void)", text)
        with self.assertRaisesRegex(splice.SpliceError, "no func b"):
            splice.splice_items(src, [(("func", "b"), None)])


if __name__ == "__main__":
    unittest.main()
