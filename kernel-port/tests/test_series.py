# SPDX-License-Identifier: GPL-2.0
"""The series description and the commit-message formatter."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from kport import message, series  # noqa: E402

V7_SUBJECTS = [
    "KVM: Assert that a page's refcount is elevated when marking "
    "accessed/dirty",
    "KVM: Introduce __kvm_follow_pfn function",
    "KVM: Make __kvm_follow_pfn not imply FOLL_GET",
    "KVM: x86/mmu: Migrate to __kvm_follow_pfn",
    "KVM: x86/mmu: Don't pass FOLL_GET to __kvm_follow_pfn",
    "KVM: arm64: Migrate to __kvm_follow_pfn",
    "KVM: PPC: Migrate to __kvm_follow_pfn",
    "KVM: remove __gfn_to_pfn_memslot",
]


class TestSeries(unittest.TestCase):
    def test_v7_order_and_subjects(self):
        v7 = [p for p in series.PATCHES if p.v7 is not None]
        self.assertEqual([p.subject for p in v7], V7_SUBJECTS)
        self.assertEqual([p.v7 for p in v7], list(range(1, 9)))
        self.assertEqual([p.stage for p in v7],
                         ["v7.%d" % n for n in range(1, 9)])

    def test_additions_come_before_their_stage(self):
        """A fix v7 did not carry goes right before v7's patch of the
        stage it is modelled in, and says what it fixes."""
        pats = series.PATCHES
        added = [i for i, p in enumerate(pats) if p.v7 is None]
        self.assertTrue(added)
        for i in added:
            p = pats[i]
            self.assertTrue(p.fixes, p.subject)
            self.assertEqual(pats[i + 1].v7, p.stage_number)
            self.assertFalse(p.items)
        stages = [p.stage_number for p in pats]
        self.assertEqual(stages, sorted(stages))

    def test_every_referenced_file_exists(self):
        repo = os.path.dirname(HERE)
        for p in series.PATCHES:
            for sp, files in p.cocci:
                self.assertTrue(os.path.isfile(os.path.join(
                    HERE, "cocci", sp)), sp)
                for f in files:
                    self.assertIn(f, series.BASE_FILES)
            for _, _, files in p.renames + p.subs:
                for f in files:
                    self.assertIn(f, series.BASE_FILES)
            for kpath, spath, keys in p.items:
                self.assertIn(kpath, series.BASE_FILES)
                self.assertTrue(os.path.isfile(os.path.join(repo, spath)))
                self.assertTrue(keys)
        for kpath, cpath in series.CORE_FILES:
            self.assertIn(kpath, series.BASE_FILES)
            self.assertTrue(os.path.isfile(os.path.join(repo, cpath)))

    def test_messages_format(self):
        for p in series.PATCHES:
            msg = message.commit_message(p.subject, p.body,
                                         ["A U Thor <a@example.org>"],
                                         "note", p.fixes)
            lines = msg.splitlines()
            self.assertEqual(lines[0], p.subject)
            self.assertEqual(lines[1], "")
            # (checkpatch exempts Fixes: lines from the length limit)
            self.assertTrue(all(len(ln) <= 75 for ln in lines[2:]
                                if not ln.startswith("Fixes: ")), msg)
            self.assertEqual(lines[-1],
                             "Signed-off-by: A U Thor <a@example.org>")


class TestMessage(unittest.TestCase):
    def test_wrap_and_trailers(self):
        msg = message.commit_message(
            "KVM: Do a thing", ["word " * 40, "Second  paragraph."],
            ["A <a@x.org>", "B <b@x.org>", "A <a@x.org>"])
        body = msg.split("\n\n")
        self.assertTrue(all(len(ln) <= message.WIDTH
                            for ln in body[1].splitlines()))
        self.assertEqual(body[2], "Second paragraph.")
        self.assertEqual(body[3], "Signed-off-by: A <a@x.org>\n"
                         "Signed-off-by: B <b@x.org>\n")

    def test_fixes_trailers(self):
        msg = message.commit_message(
            "KVM: Fix a thing", ["Body."], ["A <a@x.org>"],
            fixes=[("0123456789ab", "KVM: Break a thing")])
        self.assertTrue(msg.endswith(
            '\n\nFixes: 0123456789ab ("KVM: Break a thing")\n'
            "Signed-off-by: A <a@x.org>\n"), msg)
        with self.assertRaises(message.MessageError):
            message.commit_message("KVM: Fix", ["Body."], ["A <a@x.org>"],
                                   fixes=[("abc", "too short")])

    def test_rejects(self):
        ok = (["para"], ["A <a@x.org>"])
        for subject in ["", "two\nlines", "x" * 76, "KVM: Ends with."]:
            with self.assertRaises(message.MessageError):
                message.commit_message(subject, *ok)
        with self.assertRaises(message.MessageError):
            message.commit_message("KVM: s", ["para"], [])
        with self.assertRaises(message.MessageError):
            message.commit_message("KVM: s", [" "], ["A <a@x.org>"])
        for bad in ["", "No Mail", "<a@x.org>", "A <nomail>"]:
            with self.assertRaises(message.MessageError):
                message.parse_ident(bad)
        self.assertEqual(message.parse_ident("  A B <a@x.org> "),
                         ("A B", "a@x.org"))


if __name__ == "__main__":
    unittest.main()
