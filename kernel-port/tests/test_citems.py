# SPDX-License-Identifier: GPL-2.0
"""The C item splitter on small synthetic files."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from kport import citems  # noqa: E402

SRC = """// SPDX-License-Identifier: GPL-2.0
#include <linux/kernel.h>

#define ANSWER\t42
#define TWICE(x) \\
\t((x) * 2)

/* detached comment */

struct point {
\tint x, y;   /* a } in a comment */
};

static const char *names[] = { "a}", "{b" };

/*
 * Documented function.
 */
int add(int a, int b)
{
\tif (a) {
\t\treturn a + b;
\t}
\treturn b;
}
EXPORT_SYMBOL_GPL(add);

int add(int a, int b);
static inline char brace(void) { return '}'; }
struct point origin = { .x = 0 };
"""


class TestParse(unittest.TestCase):
    def setUp(self):
        self.items = citems.parse(SRC)
        self.by = {it.key: it for it in self.items}

    def test_kinds_and_names(self):
        keys = [it.key for it in self.items if it.kind != "pp"]
        self.assertEqual(keys, [
            ("define", "ANSWER"), ("define", "TWICE"),
            ("struct", "point"), ("var", "names"), ("func", "add"),
            ("proto", "add"), ("func", "brace"), ("var", "origin")])

    def test_leading_comment_and_export_belong_to_function(self):
        text = self.by[("func", "add")].text
        self.assertTrue(text.startswith("/*\n * Documented function."))
        self.assertTrue(text.endswith("EXPORT_SYMBOL_GPL(add);"))

    def test_detached_comment_belongs_to_nothing(self):
        self.assertNotIn("detached", self.by[("struct", "point")].text)

    def test_literals_and_comments_do_not_count_braces(self):
        self.assertTrue(self.by[("struct", "point")].text.endswith("};"))
        self.assertEqual(self.by[("var", "names")].text,
                         'static const char *names[] = { "a}", "{b" };')
        self.assertTrue(self.by[("func", "brace")].text.endswith("}"))

    def test_multiline_define(self):
        self.assertIn("((x) * 2)", self.by[("define", "TWICE")].text)

    def test_offsets_reproduce_text(self):
        for it in self.items:
            self.assertEqual(SRC[it.start:it.end], it.text)

    def test_find_rejects_duplicates(self):
        twice = SRC + "int add(int a, int b)\n{\n\treturn 0;\n}\n"
        with self.assertRaises(citems.CItemError):
            citems.find(citems.parse(twice), ("func", "add"))
        self.assertIsNone(citems.find(self.items, ("func", "nope")))


class TestErrors(unittest.TestCase):
    def test_unbalanced(self):
        with self.assertRaisesRegex(citems.CItemError, "line 2"):
            citems.parse("int f(void)\n}\n")

    def test_unterminated_comment(self):
        with self.assertRaisesRegex(citems.CItemError, "unterminated"):
            citems.parse("int x;\n/* oops\n")

    def test_open_bracket_at_end(self):
        with self.assertRaisesRegex(citems.CItemError, "end of file"):
            citems.parse("int f(void)\n{\n")


if __name__ == "__main__":
    unittest.main()
