# SPDX-License-Identifier: GPL-2.0
"""The build logic's pure parts: configs, Kconfig, nm and modpost output."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from kport import kbuild  # noqa: E402

NM_KVM = """\
                 U __fentry__
0000000000000010 T kvm_follow_pfn
0000000000000020 t local_helper
0000000000000040 r __export_symbol_kvm_follow_pfn
0000000000000050 r __export_symbol_kvm_release_page
0000000000000060 T kvm_release_page
0000000000000070 T make_spte
                 U follow_pfnmap_start
                 w __sanitizer_cov_trace_pc
                 U __this_module
"""

NM_INTEL = """\
                 U __fentry__
                 U kvm_release_page
                 U kvm_follow_pfn
                 U make_spte
                 U vmx_only_import
"""

MODPOST_OUT = """\
ERROR: modpost: "make_spte" [arch/x86/kvm/kvm-intel.ko] undefined!
ERROR: modpost: "kport_nothing" [arch/x86/kvm/kvm.ko] undefined!
ERROR: modpost: GPL-incompatible module kvm-amd.ko uses GPL-only symbol \
'kvm_follow_pfn'
ERROR: modpost: module kvm uses symbol dma_buf_get from namespace \
DMA_BUF, but does not import it.
WARNING: modpost: something harmless
ERROR: modpost: a message modpost has never printed before
"""

KCONFIG = """\
config KVM
\ttristate "Kernel-based Virtual Machine (KVM) support"
\tdepends on X86_LOCAL_APIC
\thelp
\t  depends on nothing here: help text

config KVM_INTEL
\ttristate "KVM for Intel"
\tdepends on KVM && IA32_FEAT_CTL

config KVM_AMD
\ttristate "KVM for AMD"
\tdepends on KVM && (CPU_SUP_AMD || CPU_SUP_HYGON)

config KVM_AMD_SEV
\tdepends on KVM_AMD && X86_64
"""

MAKEFILE = """\
kvm-y += x86.o mmu/mmu.o mmu/spte.o
kvm-$(CONFIG_X86_64) += mmu/tdp_iter.o mmu/tdp_mmu.o
kvm-$(CONFIG_KVM_XEN)\t+= xen.o
"""


class TestConfig(unittest.TestCase):
    def test_wanted_and_missing(self):
        args = ["-m", "KVM", "-e", "WERROR", "-d", "DEBUG_INFO"]
        self.assertEqual(kbuild.config_wanted(args),
                         {"CONFIG_KVM": "m", "CONFIG_WERROR": "y",
                          "CONFIG_DEBUG_INFO": None})
        conf = kbuild.read_config("CONFIG_KVM=m\n# CONFIG_WERROR is not "
                                  "set\nCONFIG_X=\"a b\"\n")
        self.assertEqual(conf, {"CONFIG_KVM": "m", "CONFIG_X": '"a b"'})
        self.assertEqual(kbuild.config_missing(args, conf),
                         ["CONFIG_WERROR=y (got n)"])
        conf["CONFIG_WERROR"] = "y"
        self.assertEqual(kbuild.config_missing(args, conf), [])
        conf["CONFIG_DEBUG_INFO"] = "y"
        self.assertEqual(kbuild.config_missing(args, conf),
                         ["CONFIG_DEBUG_INFO=n (got y)"])

    def test_objects_by_config(self):
        conf = {"CONFIG_HAVE_KVM_PFNCACHE": "y"}
        objs = kbuild.objects("i386", conf)
        self.assertNotIn("arch/x86/kvm/mmu/tdp_mmu.o", objs)
        self.assertIn("arch/x86/kvm/mmu/mmu.o", objs)
        conf["CONFIG_X86_64"] = "y"
        self.assertIn("arch/x86/kvm/mmu/tdp_mmu.o",
                      kbuild.objects("x86_64", conf))
        self.assertFalse(any(o.endswith("pfncache.o")
                             for o in kbuild.objects("x86_64", {})))

    def test_every_default_arch_is_known(self):
        self.assertEqual(sorted(kbuild.DEFAULT_ARCHES), sorted(kbuild.ARCHES))

    def test_touched_arches(self):
        arches = ["x86_64", "i386", "arm64", "ppc64le"]
        self.assertEqual(kbuild.touched_arches(["virt/kvm/kvm_main.c"],
                                               arches), arches)
        self.assertEqual(kbuild.touched_arches(
            ["arch/x86/kvm/mmu/mmu.c"], arches), ["x86_64", "i386"])
        self.assertEqual(kbuild.touched_arches(
            ["arch/arm64/kvm/mmu.c", "arch/powerpc/kvm/a.c"], arches),
            ["arm64", "ppc64le"])

    def test_modpost_args(self):
        self.assertEqual(kbuild.modpost_args(
            {"CONFIG_MODULES": "y", "CONFIG_SECTION_MISMATCH_WARN_ONLY": "y"}),
            ["-M"])
        self.assertEqual(kbuild.modpost_args({"CONFIG_MODULES": "y"}),
                         ["-M", "-E"])


class TestKconfig(unittest.TestCase):
    def test_32bit_allowed(self):
        summary, ok = kbuild.kconfig_32bit(KCONFIG, MAKEFILE)
        self.assertTrue(ok)
        for want in ("KVM depends on X86_LOCAL_APIC;",
                     "KVM_INTEL depends on KVM && IA32_FEAT_CTL",
                     "64-bit only: mmu/tdp_iter.o mmu/tdp_mmu.o"):
            self.assertIn(want, summary)
        # help text is not a dependency; xen.o is not a 64-bit-only object
        self.assertNotIn("help", summary)
        self.assertNotIn("xen.o", summary)

    def test_64bit_only(self):
        k = KCONFIG.replace("depends on X86_LOCAL_APIC",
                            "depends on X86_LOCAL_APIC && X86_64")
        _, ok = kbuild.kconfig_32bit(k, MAKEFILE)
        self.assertFalse(ok)
        k = KCONFIG.replace("depends on KVM && IA32_FEAT_CTL",
                            "depends on KVM && IA32_FEAT_CTL\n"
                            "\tdepends on 64BIT")
        _, ok = kbuild.kconfig_32bit(k, MAKEFILE)
        self.assertFalse(ok)


class TestSymbols(unittest.TestCase):
    def test_parse_nm(self):
        undef, defined, exported = kbuild.parse_nm(NM_KVM)
        # a weak undefined symbol may stay undefined: not an import
        self.assertEqual(undef, {"__fentry__", "follow_pfnmap_start",
                                 "__this_module"})
        self.assertEqual(exported, {"kvm_follow_pfn", "kvm_release_page"})
        self.assertIn("make_spte", defined)
        self.assertIn("local_helper", defined)

    def test_imports_between_and_owners(self):
        kvm = kbuild.parse_nm(NM_KVM)
        intel = kbuild.parse_nm(NM_INTEL)
        mods = {"kvm.o": (kvm[0], kvm[2], kvm[1]),
                "kvm-intel.o": (intel[0], intel[2], intel[1])}
        self.assertEqual(kbuild.imports(mods),
                         {"__fentry__", "follow_pfnmap_start",
                          "__this_module", "make_spte", "vmx_only_import"})
        self.assertEqual(kbuild.between(mods), 2)
        self.assertEqual(kbuild.defined_by(mods, "make_spte"), ["kvm.o"])
        self.assertEqual(kbuild.defined_by(mods, "vmx_only_import"), [])

    def test_export_lines(self):
        self.assertEqual(kbuild.export_lines_symbol(
            "mm/gup.c:3525:EXPORT_SYMBOL_GPL(get_user_pages_fast_only);"),
            ("mm/gup.c", "get_user_pages_fast_only"))
        self.assertEqual(kbuild.export_lines_symbol(
            "lib/x.c:7:EXPORT_SYMBOL_NS_GPL( foo , CXL);"), ("lib/x.c", "foo"))
        self.assertIsNone(kbuild.export_lines_symbol("a.c:1:foo();"))

    def test_export_record(self):
        data = b"\0" * 8 + b"GPL\0\0" + b"\0" * 3 + b"\0NSX\0" + b"x" * 8
        self.assertEqual(kbuild.export_record(data, 8), ("GPL", ""))
        self.assertEqual(kbuild.export_record(data, 16), ("", "NSX"))

    def test_builtin_members(self):
        dry = ("""set -e; { printf "mm/%s " filemap.o gup.o damon/built-in.a"""
               """ | xargs ar cDPrST mm/built-in.a; printf '%s\\n' 'x'\n"""
               """{ printf "mm/damon/%s " core.o | xargs ar cDPrST x\n""")
        dirs = kbuild.builtin_members(dry)
        self.assertEqual(dirs["mm"], {"filemap.o", "gup.o",
                                      "damon/built-in.a"})
        self.assertTrue(kbuild.in_vmlinux("mm/gup.o", dirs, "mm"))
        self.assertTrue(kbuild.in_vmlinux("mm/damon/core.o", dirs, "mm"))
        self.assertFalse(kbuild.in_vmlinux("mm/nommu.o", dirs, "mm"))
        self.assertFalse(kbuild.in_vmlinux("mm/damon/x.o", dirs, "mm"))
        del dirs["mm"]
        self.assertFalse(kbuild.in_vmlinux("mm/damon/core.o", dirs, "mm"))
        self.assertEqual(kbuild.top_dir("arch/x86/mm/pat/set_memory.o"),
                         "arch/x86")
        self.assertEqual(kbuild.top_dir("mm/gup.o"), "mm")

    def test_symvers_line(self):
        self.assertEqual(kbuild.symvers_line("foo", "GPL"),
                         "0x00000000\tfoo\tvmlinux\tEXPORT_SYMBOL_GPL\t\n")
        self.assertEqual(kbuild.symvers_line("bar", "", "NS"),
                         "0x00000000\tbar\tvmlinux\tEXPORT_SYMBOL\tNS\n")

    def test_modinfo_values(self):
        data = (b"license=GPL\0\0import_ns=DMA_BUF\0author=x\0"
                b"import_ns=CXL\0")
        self.assertEqual(kbuild.modinfo_values(data, "import_ns"),
                         ["DMA_BUF", "CXL"])
        self.assertEqual(kbuild.modinfo_values(data, "license"), ["GPL"])
        self.assertEqual(kbuild.modinfo_values(b"", "import_ns"), [])

    def test_parse_modpost(self):
        self.assertEqual(kbuild.parse_modpost(MODPOST_OUT), [
            ("make_spte", "undefined in arch/x86/kvm/kvm-intel.ko"),
            ("kport_nothing", "undefined in arch/x86/kvm/kvm.ko"),
            ("kvm_follow_pfn", "GPL-only, used by kvm-amd.ko"),
            ("dma_buf_get", "namespace DMA_BUF not imported by kvm"),
            ("", "modpost: a message modpost has never printed before"),
        ])
        self.assertEqual(kbuild.parse_modpost("WARNING: x\n"), [])


if __name__ == "__main__":
    unittest.main()
