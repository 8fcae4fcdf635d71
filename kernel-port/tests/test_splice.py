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


# A core item at two stages, and the kernel's version of it with its own
# comments and spelling.
MERGE_CORE = """/* The project's words for f(). */
int f(struct page *page)
{
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_1
\tif (!page)
\t\treturn -1;
#endif
\tget(page);
\tif (!page_count(page))
\t\treturn 0;
\treturn 1;
}
"""

MERGE_KERNEL = """// SPDX-License-Identifier: GPL-2.0
/**
 * f - the kernel's kernel-doc, which the step does not touch
 */
int f(struct page *page)
{
\tget(page);
\tif (page_count(page) == 0)
\t\treturn 0;
\treturn 1;
}
"""


@unittest.skipUnless(shutil.which("unifdef") and shutil.which("git"),
                     "unifdef or git not installed")
class TestMerge(unittest.TestCase):
    def step(self, core, kernel, n=1):
        edits = splice.diff_items(stage.resolve(core, n - 1),
                                  stage.resolve(core, n))
        outcomes = []
        text, _ = splice.apply(kernel, edits, "f.c", outcomes)
        return text, outcomes

    def test_kernel_text_survives_and_the_step_lands(self):
        text, outcomes = self.step(MERGE_CORE, MERGE_KERNEL)
        self.assertEqual([(o.key, o.how) for o in outcomes],
                         [(("func", "f"), "merged")])
        self.assertIn("the kernel's kernel-doc", text)
        self.assertIn("page_count(page) == 0", text)
        self.assertNotIn("project's words", text)
        self.assertIn("\tif (!page)\n\t\treturn -1;\n\tget(page);\n"
                      "\tif (page_count(page) == 0)", text)

    def test_a_conflict_replaces_the_item_whole_by_name(self):
        # the step rewrites the very line the kernel spells differently
        core = MERGE_CORE.replace(
            "\tif (!page_count(page))\n",
            "#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_1\n"
            "\tif (!folio_ref_count(page_folio(page)))\n#else\n"
            "\tif (!page_count(page))\n#endif\n")
        text, outcomes = self.step(core, MERGE_KERNEL)
        self.assertEqual([(o.key, o.how) for o in outcomes],
                         [(("func", "f"), "conflict")])
        self.assertIn("REPLACED WHOLE", str(outcomes[0]))
        self.assertIn("func f", str(outcomes[0]))
        self.assertIn("The project's words", text)
        self.assertNotIn("<<<<", text)

    def test_kernel_comment_stays_on_its_code_after_an_insertion(self):
        kernel = MERGE_KERNEL.replace(
            "{\n\tget", "{\n\t/* Kernel's. */\n\tget")
        text, outcomes = self.step(MERGE_CORE, kernel)
        self.assertEqual(outcomes[0].how, "merged")
        self.assertIn("\t\treturn -1;\n\t/* Kernel's. */\n\tget(page);",
                      text)

    def test_new_and_removed_items_are_recorded(self):
        core = MERGE_CORE + """
#if KVMPFN_STAGE >= KVMPFN_STAGE_V7_1
int g(void)
{
\treturn 2;
}
#else
int h(void)
{
\treturn 3;
}
#endif
"""
        kernel = MERGE_KERNEL + "\nint h(void)\n{\n\treturn 3;\n}\n"
        text, outcomes = self.step(core, kernel)
        self.assertEqual([(o.key[1], o.how) for o in outcomes],
                         [("f", "merged"), ("g", "new"), ("h", "removed")])
        self.assertNotIn("int h", text)

if __name__ == "__main__":
    unittest.main()
