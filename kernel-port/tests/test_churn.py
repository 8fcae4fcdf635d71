# SPDX-License-Identifier: GPL-2.0
"""Kernel comment lines a change deletes while their code stays."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from kport import churn  # noqa: E402

OLD = """/* Detached: belongs to no item. */

/*
 * f - doc
 */
int f(void)
{
\t/* why the call */
\tcall();
\t/* why the old code */
\told();
\treturn 0; /* trailing: a code line */
}

/* g's doc */
int g(void)
{
\treturn "/* not a comment */"[0];
}
"""


def lines_of(text, *needles):
    lines = text.split("\n")
    return {i + 1 for i, ln in enumerate(lines)
            if any(n in ln for n in needles)}


class TestChurn(unittest.TestCase):
    def test_comment_lines(self):
        got = churn.comment_lines(OLD)
        self.assertEqual(got, {1, 3, 4, 5, 8, 10, 15})
        self.assertNotIn(min(lines_of(OLD, "trailing")), got)
        self.assertNotIn(min(lines_of(OLD, "not a comment")), got)

    def test_deleted_comment_whose_code_stays_is_named(self):
        new = OLD.replace(" * f - doc\n", "").replace(
            "\t/* why the call */\n", "")
        removed = lines_of(OLD, "f - doc", "why the call")
        got = churn.deleted_comments(OLD, new, removed, [])
        self.assertEqual([(k, ln.strip()) for k, _, ln in got],
                         [(("func", "f"), "* f - doc"),
                          (("func", "f"), "/* why the call */")])

    def test_comment_going_with_its_code_or_item_is_not_counted(self):
        new = OLD.replace("\t/* why the old code */\n\told();\n", "")
        removed = lines_of(OLD, "why the old code", "old();")
        self.assertEqual(churn.deleted_comments(OLD, new, removed, []), [])
        new = OLD[:OLD.index("/* g's doc")]
        removed = set(range(15, OLD.count("\n") + 1))
        self.assertEqual(churn.deleted_comments(OLD, new, removed, []), [])

    def test_moved_and_detached_comments_are_not_counted(self):
        new = OLD.replace("/* Detached: belongs to no item. */\n", "")
        self.assertEqual(churn.deleted_comments(OLD, new, {1}, []), [])
        removed = lines_of(OLD, "why the call")
        self.assertEqual(churn.deleted_comments(
            OLD, OLD, removed, ["\t/* why the call */"]), [])

    def test_edited_comment_is_not_counted(self):
        removed = lines_of(OLD, "why the call")
        self.assertEqual(churn.deleted_comments(
            OLD, OLD, removed, ["\t/* why the calls */"]), [])
        got = churn.deleted_comments(OLD, OLD, removed,
                                     ["\t/* something else entirely */"])
        self.assertEqual(len(got), 1)

    def test_parse_unified(self):
        diff = ("diff --git a/x b/x\n--- a/x\n+++ b/x\n"
                "@@ -3,2 +3,0 @@\n-a\n-b\n@@ -9 +8,2 @@\n-c\n+d\n+e\n")
        self.assertEqual(churn.parse_unified(diff), ({3, 4, 9}, ["d", "e"]))


if __name__ == "__main__":
    unittest.main()
