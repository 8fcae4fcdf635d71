# SPDX-License-Identifier: GPL-2.0
"""The line-and-token three-way merge on synthetic functions."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from kport import assemble, tokmerge  # noqa: E402

# The "kernel" nests the success path; the "core" returns early.  The
# step renames the argument and changes how the result is reported.
KERNEL = """/* The kernel's own words about lookup(). */
static bool lookup(unsigned long key, bool *found, int *out)
{
\tint v[1];

\t/* Only the fast table is tried here. */
\tif (fast_get(key, v)) {
\t\t*out = v[0];

\t\tif (found)
\t\t\t*found = true;
\t\treturn true;
\t}

\treturn false;
}"""

BASE = """/* The model's words. */
static bool lookup(unsigned long key, bool *found, int *out)
{
\tint v;

\tif (!fast_get(key, &v))
\t\treturn false;

\t*out = v;
\tif (found)
\t\t*found = true;
\treturn true;
}"""

THEIRS = """/* The model's words, reworded. */
static bool lookup(struct query *q, int *out)
{
\tint v;

\tif (!fast_get(q->key, &v))
\t\treturn false;

\t*out = v;
\tq->found = true;
\treturn true;
}"""


class TestMerge(unittest.TestCase):
    def assertMerges(self, ours, base, theirs, want):
        """The merge is clean and gives want."""
        self.assertEqual(tokmerge.merge(ours, base, theirs), (want, 0))

    def test_change_lands_on_the_kernels_structure(self):
        want = """/* The kernel's own words about lookup(). */
static bool lookup(struct query *q, int *out)
{
\tint v[1];

\t/* Only the fast table is tried here. */
\tif (fast_get(q->key, v)) {
\t\t*out = v[0];

\t\tq->found = true;
\t\treturn true;
\t}

\treturn false;
}"""
        self.assertMerges(KERNEL, BASE, THEIRS, want)

    def test_both_sides_change_the_same_tokens(self):
        ours = KERNEL.replace("fast_get(key", "slow_get(key")
        theirs = THEIRS.replace("fast_get(q->key", "quick_get(q->key")
        _, conflicts = tokmerge.merge(ours, BASE, theirs)
        self.assertGreater(conflicts, 0)

    def test_nothing_to_do(self):
        self.assertMerges(KERNEL, BASE, BASE, KERNEL)

    def test_stable_line_follows_the_steps_depth(self):
        base = "void f(void)\n{\n\ta();\n\tb();\n}"
        theirs = "void f(void)\n{\n\tif (c) {\n\t\ta();\n\t}\n\tb();\n}"
        ours = "void f(void)\n{\n\t/* why a */\n\ta();\n\tb();\n}"
        self.assertMerges(ours, base, theirs, "void f(void)\n{\n\tif (c) {\n"
                          "\t\t/* why a */\n\t\ta();\n\t}\n\tb();\n}")

    def test_tokens_keep_the_steps_spacing(self):
        ours = "int g(void)\n{\n\treturn h(p[0]);\n}"
        base = "int g(void)\n{\n\treturn h(p);\n}"
        theirs = "int g(void)\n{\n\treturn k(q, p);\n}"
        self.assertMerges(ours, base, theirs,
                          "int g(void)\n{\n\treturn k(q, p[0]);\n}")

    def test_tokenize_round_trip(self):
        toks, tail = tokmerge.tokenize(KERNEL + "\n")
        self.assertEqual("".join(a + b for a, b in toks) + tail,
                         KERNEL + "\n")
        self.assertIn("->", [t for _, t in tokmerge.tokenize("a->b")[0]])


class TestRenameInComments(unittest.TestCase):
    def test_only_comments_change(self):
        text = "/* see old() */\nint x = old();\n// old() again\n"
        out, n = assemble.rename_in_comments(text, "old", "new")
        self.assertEqual(n, 2)
        self.assertEqual(out, "/* see new() */\nint x = old();\n"
                         "// new() again\n")



class TestMergeOnTheCore(unittest.TestCase):
    """Merging a step into the core's own text before it must give the
    core's code after it, token for token, for every item of every step."""

    def test_every_step_of_the_core(self):
        import shutil
        if not shutil.which("unifdef"):
            self.skipTest("unifdef not installed")
        from kport import series
        checked = 0
        for p in series.PATCHES:
            if p.v7 is None:
                continue
            for kpath, edits in assemble.core_edits(p.v7):
                for e in edits:
                    if e.op != "replace":
                        continue
                    text, conflicts = tokmerge.merge(e.base, e.base, e.text)
                    self.assertEqual(conflicts, 0, (p.v7, e.key))
                    self.assertEqual(code_tokens(text), code_tokens(e.text),
                                     (p.v7, e.key))
                    checked += 1
        self.assertGreater(checked, 10)


def code_tokens(text):
    return [t for _, t in tokmerge.tokenize(text)[0]]


if __name__ == "__main__":
    unittest.main()
