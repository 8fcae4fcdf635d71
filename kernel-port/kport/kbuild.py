# SPDX-License-Identifier: GPL-2.0
"""Compile the KVM objects a patch affects, and prove the KVM modules link.

The build trees live under the check's --work directory (build-<arch>,
one per architecture, out of tree with O=) and are kept between runs;
each remembers the configuration it was prepared with.

The link check ("modpost level") works without a vmlinux, which takes far
too long to build on two cores.  It runs the tree's own scripts/mod/modpost
on the composite module objects the directory's modules.order names
(kvm.o, kvm-intel.o, kvm-amd.o on x86_64; kvm.o, kvm-hv.o on ppc64le,
whose powernv_defconfig has no KVM_BOOK3S_64_PR) with a synthesized
vmlinux.symvers:

* every symbol the pristine modules leave undefined and do not export to
  one another is a vmlinux export: the released, unpatched kernel links
  with this configuration.  The pristine modules import no symbol
  namespace, so none of these symbols is in one; each is recorded as
  EXPORT_SYMBOL_GPL, the strictest reading (the modules are GPL, so this
  can only add errors, never hide one);
* a symbol only the patched modules use is looked up in the patched tree:
  an object outside the modules whose source has an EXPORT_SYMBOL* for it,
  and which this configuration links into vmlinux (kbuild's own dry run of
  the directory lists each built-in.a's members), is compiled with the
  same configuration and the export is read from the object's
  .export_symbol section, licence and namespace included, exactly as
  modpost reads vmlinux.o;
* anything else is not exported by vmlinux, and modpost reports it as
  undefined, by name.

modpost then checks every undefined symbol of each module against vmlinux
and the modules' own EXPORT_SYMBOL*s (read from their .export_symbol
sections), GPL-only symbols against the modules' licences, symbol
namespaces against MODULE_IMPORT_NS, and section references.  What it does
not prove: that the final .ko link succeeds (relocations, which modpost
does not check) or that modules outside the KVM directory still link.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import time

_X86_OBJECTS = [
    ("arch/x86/kvm/../../../virt/kvm/kvm_main.o", None),
    ("arch/x86/kvm/../../../virt/kvm/pfncache.o", "CONFIG_HAVE_KVM_PFNCACHE"),
    ("arch/x86/kvm/mmu/mmu.o", None),
    # kvm-$(CONFIG_X86_64) += mmu/tdp_iter.o mmu/tdp_mmu.o
    ("arch/x86/kvm/mmu/tdp_mmu.o", "CONFIG_X86_64"),
    ("arch/x86/kvm/mmu/spte.o", None),
]

# objects: (object, the .config symbol it needs or None)
# link: the directory whose modules the link check runs modpost on
ARCHES = {
    "x86_64": {
        "make": ["ARCH=x86_64"],
        "defconfig": "x86_64_defconfig",
        "config": ["-m", "KVM", "-m", "KVM_INTEL", "-m", "KVM_AMD",
                   "-e", "WERROR"],
        "dir": "arch/x86/",
        "objects": _X86_OBJECTS,
        "link": "arch/x86/kvm/",
    },
    # 32-bit x86: KVM's Kconfig allows it (see kconfig_32bit); no TDP MMU
    "i386": {
        "make": ["ARCH=i386"],
        "defconfig": "i386_defconfig",
        "config": ["-m", "KVM", "-m", "KVM_INTEL", "-m", "KVM_AMD",
                   "-e", "WERROR"],
        "dir": "arch/x86/",
        "objects": _X86_OBJECTS,
    },
    "arm64": {
        "make": ["ARCH=arm64", "CROSS_COMPILE=aarch64-linux-gnu-"],
        "defconfig": "defconfig",
        "config": ["-e", "KVM", "-e", "WERROR"],
        "dir": "arch/arm64/",
        "objects": [("arch/arm64/kvm/../../../virt/kvm/kvm_main.o", None),
                    ("arch/arm64/kvm/mmu.o", None)],
    },
    "ppc64le": {
        "make": ["ARCH=powerpc", "CROSS_COMPILE=powerpc64le-linux-gnu-"],
        "defconfig": "powernv_defconfig",
        "config": ["-m", "KVM_BOOK3S_64", "-m", "KVM_BOOK3S_64_HV",
                   "-e", "PPC_WERROR"],
        "dir": "arch/powerpc/",
        "objects": [("arch/powerpc/kvm/../../../virt/kvm/kvm_main.o", None),
                    ("arch/powerpc/kvm/book3s_64_mmu_radix.o", None),
                    ("arch/powerpc/kvm/book3s_64_mmu_hv.o", None),
                    ("arch/powerpc/kvm/book3s_hv_nested.o", None)],
        "link": "arch/powerpc/kvm/",
    },
}

DEFAULT_ARCHES = ["x86_64", "i386", "arm64", "ppc64le"]


def run(cmd, cwd=None, env=None):
    e = dict(os.environ, LC_ALL="C")
    if env:
        e.update(env)
    return subprocess.run(cmd, cwd=cwd, env=e, capture_output=True,
                          text=True)


def tail(text, n=15):
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return "\n    " + "\n    ".join(lines[-n:]) if lines else ""


def build_dir(arch, work):
    return os.path.join(work, "build-" + arch)


def make_cmd(arch, tree, work, jobs):
    return ["make", "-s", "-C", tree, "O=" + build_dir(arch, work),
            "-j%d" % jobs] + ARCHES[arch]["make"]


def cross_tool(arch, tool):
    for v in ARCHES[arch]["make"]:
        if v.startswith("CROSS_COMPILE="):
            return v.split("=", 1)[1] + tool
    return tool


# -- configuration ---------------------------------------------------------

def read_config(text):
    """A .config as {CONFIG_X: value}; "is not set" lines are left out."""
    conf = {}
    for line in text.splitlines():
        m = re.match(r"(CONFIG_\w+)=(.*)$", line)
        if m:
            conf[m.group(1)] = m.group(2)
    return conf


def config_wanted(args):
    """scripts/config arguments -> {CONFIG_X: "y" | "m" | None (unset)}."""
    want, i = {}, 0
    while i < len(args):
        opt, name = args[i], args[i + 1]
        want["CONFIG_" + name] = {"-e": "y", "-m": "m", "-d": None}[opt]
        i += 2
    return want


def config_missing(args, conf):
    """The requested options olddefconfig did not keep, as CONFIG_X=v."""
    bad = []
    for sym, val in config_wanted(args).items():
        if conf.get(sym) != val:
            bad.append("%s=%s (got %s)" % (sym, val or "n",
                                           conf.get(sym, "n")))
    return bad


def kconfig_32bit(kconfig, makefile):
    """What arch/x86/kvm/{Kconfig,Makefile} say about KVM on 32-bit x86:
    (summary, allowed).  allowed is False if KVM, KVM_INTEL or KVM_AMD
    depends on X86_64 or 64BIT."""
    deps, cur = {}, None
    for line in kconfig.splitlines():
        m = re.match(r"(?:menu)?config\s+(\w+)", line)
        if m:
            cur = m.group(1)
            continue
        if re.match(r"\s+help\s*$", line):
            cur = None      # help text runs up to the next entry
            continue
        m = re.match(r"\s+depends on\s+(.*)", line)
        if m and cur in ("KVM", "KVM_INTEL", "KVM_AMD"):
            deps.setdefault(cur, []).append(m.group(1).strip())
    allowed = not any(re.search(r"\b(X86_64|64BIT)\b", d)
                      for ds in deps.values() for d in ds)
    only64 = []
    for line in makefile.splitlines():
        m = re.match(r"\w+-\$\(CONFIG_X86_64\)\s*\+=\s*(.*)", line)
        if m:
            only64 += m.group(1).split()
    parts = ["%s depends on %s" % (k, " && ".join(deps.get(k, ["-"])))
             for k in ("KVM", "KVM_INTEL", "KVM_AMD")]
    summary = "Kconfig: %s (%s); 64-bit only: %s" % (
        "; ".join(parts), "no 64-bit dependency" if allowed
        else "64-bit only", " ".join(only64) or "nothing")
    return summary, allowed


def spec_key(arch):
    return json.dumps({k: ARCHES[arch][k] for k in
                       ("make", "defconfig", "config")}, sort_keys=True)


def prepare_arch(arch, tree, work, jobs, rep):
    """defconfig + the KVM options + olddefconfig + prepare, once per work
    directory and configuration; the options must survive olddefconfig."""
    spec = ARCHES[arch]
    out = build_dir(arch, work)
    stamp = os.path.join(out, ".kport-prepared")
    mk = make_cmd(arch, tree, work, jobs)
    t0 = time.time()
    stamped = None
    if os.path.exists(stamp):
        with open(stamp) as f:
            stamped = f.read()
    if stamped != spec_key(arch):
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        steps = [mk + [spec["defconfig"]],
                 [os.path.join(tree, "scripts", "config"), "--file",
                  os.path.join(out, ".config"), "-d", "LOCALVERSION_AUTO"] +
                 spec["config"],
                 mk + ["olddefconfig"], mk + ["prepare"]]
        for cmd in steps:
            r = run(cmd)
            if r.returncode:
                return rep.result(False, "prepare %s" % arch,
                                  " ".join(cmd[-1:]) + tail(r.stderr))
        with open(stamp, "w") as f:
            f.write(spec_key(arch))
    with open(os.path.join(out, ".config")) as f:
        conf = read_config(f.read())
    bad = config_missing(spec["config"], conf)
    if bad:
        return rep.result(False, "prepare %s" % arch,
                          "olddefconfig did not keep " + ", ".join(bad))
    detail = " ".join("%s=%s" % (s[len("CONFIG_"):], v or "n")
                      for s, v in config_wanted(spec["config"]).items())
    if arch == "i386":
        with open(os.path.join(tree, "arch/x86/kvm/Kconfig")) as f:
            kconfig = f.read()
        with open(os.path.join(tree, "arch/x86/kvm/Makefile")) as f:
            makefile = f.read()
        summary, allowed = kconfig_32bit(kconfig, makefile)
        detail += "; " + summary
        if not allowed or "CONFIG_X86_64" in conf:
            return rep.result(False, "prepare %s" % arch, detail)
    if stamped == spec_key(arch):
        detail += "; reused"
    else:
        detail += "; %.0f s" % (time.time() - t0)
    return rep.result(True, "prepare %s" % arch, detail)


def objects(arch, conf):
    return [o for o, need in ARCHES[arch]["objects"]
            if need is None or conf.get(need) in ("y", "m")]


def compile_arch(arch, tree, work, jobs, label, rep):
    out = build_dir(arch, work)
    with open(os.path.join(out, ".config")) as f:
        objs = objects(arch, read_config(f.read()))
    t0 = time.time()
    r = run(make_cmd(arch, tree, work, jobs) + objs)
    secs = time.time() - t0
    return rep.result(r.returncode == 0, "compile %s %s" % (label, arch),
                      "%d objects, %.0f s" % (len(objs), secs)
                      if r.returncode == 0 else tail(r.stderr + r.stdout))


def touched_arches(files, arches):
    """The architectures whose build a change to these files can affect."""
    return [a for a in arches
            if any(f.startswith(ARCHES[a]["dir"]) or not f.startswith("arch/")
                   for f in files)]


# -- symbols -------------------------------------------------------------

EXPORT_PREFIX = "__export_symbol_"


def parse_nm(text):
    """nm output -> (undefined, defined, exported) symbol name sets.
    Exports are the __export_symbol_<name> labels EXPORT_SYMBOL* puts in
    .export_symbol (6.5 and later)."""
    undef, defined, exported = set(), set(), set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("U", "w", "v"):
            if parts[0] == "U":
                undef.add(parts[1])
        elif len(parts) == 3:
            defined.add(parts[2])
            if parts[2].startswith(EXPORT_PREFIX):
                exported.add(parts[2][len(EXPORT_PREFIX):])
    return undef, defined, exported


def imports(modules):
    """{module: (undefined, exported, ...)} -> the symbols the set imports
    from outside it: undefined in a module and exported by none of them."""
    exported, need = set(), set()
    for m in modules.values():
        need |= m[0]
        exported |= m[1]
    return need - exported


def between(modules):
    """How many (module, symbol) imports another module of the set
    exports."""
    n = 0
    for name, m in modules.items():
        others = set()
        for other, o in modules.items():
            if other != name:
                others |= o[1]
        n += len(m[0] & others)
    return n


def defined_by(modules, sym):
    """The modules that define sym (without exporting it, if it is
    missing)."""
    return sorted(os.path.basename(name) for name, m in modules.items()
                  if len(m) > 2 and sym in m[2])


# modpost never reports these (ignore_undef_symbol)
_MODPOST_IGNORED = ("__this_module", "_GLOBAL_OFFSET_TABLE_", ".TOC.")


def export_lines_symbol(line):
    """`git grep` line of an EXPORT_SYMBOL* use -> (path, symbol)."""
    m = re.match(r"([^:]+):\d+:.*\bEXPORT_SYMBOL\w*\(\s*(\w+)", line)
    return (m.group(1), m.group(2)) if m else None


def export_record(data, offset):
    """The license and namespace strings of one .export_symbol entry."""
    end = data.index(b"\0", offset)
    lic = data[offset:end].decode()
    end2 = data.index(b"\0", end + 1)
    return lic, data[end + 1:end2].decode()


def builtin_members(dry_run):
    """`make -n DIR/` output -> {directory: its built-in.a members}, from
    the printf kbuild's archive rule feeds to `ar` (obj-y of this config;
    a subdirectory appears as sub/built-in.a)."""
    dirs = {}
    for m in re.finditer(r'printf "([^"%]+)/%s " ([^|"\']*)\|', dry_run):
        dirs.setdefault(m.group(1), set()).update(m.group(2).split())
    return dirs


def in_vmlinux(obj, dirs, top):
    """Whether obj reaches top's built-in.a through the archives, e.g.
    mm/gup.o through mm/built-in.a."""
    d, member = os.path.dirname(obj), os.path.basename(obj)
    while True:
        if member not in dirs.get(d, ()):
            return False
        if d == top:
            return True
        d, member = os.path.dirname(d), os.path.basename(d) + "/built-in.a"


def top_dir(path):
    """The directory a dry run starts from: arch/<arch> or the first
    component."""
    parts = path.split("/")
    return "/".join(parts[:2]) if parts[0] == "arch" else parts[0]


def symvers_line(sym, lic, ns="", module="vmlinux"):
    kind = "EXPORT_SYMBOL_GPL" if lic == "GPL" else "EXPORT_SYMBOL"
    return "0x00000000\t%s\t%s\t%s\t%s\n" % (sym, module, kind, ns)


_MODPOST_PATTERNS = [
    (re.compile(r'"(\S+)" \[(\S+)\] undefined!'), "undefined in {1}"),
    (re.compile(r"GPL-incompatible module (\S+) uses GPL-only symbol "
                r"'(\S+)'"), "GPL-only, used by {0}", 1),
    (re.compile(r"module (\S+) uses symbol (\S+) from namespace (\S+), "
                r"but does not import it"), "namespace {2} not imported "
     "by {0}", 1),
    (re.compile(r'"(\S+)" \[(\S+)\] was exported without definition'),
     "exported without definition by {1}"),
    (re.compile(r"(\S+): local symbol '(\S+)' was exported"),
     "local symbol exported by {0}", 1),
]


def parse_modpost(text):
    """modpost's output -> [(symbol or "", what)] for each ERROR line;
    other ERROR lines come back whole."""
    found = []
    for line in text.splitlines():
        if "ERROR:" not in line:
            continue
        for pat in _MODPOST_PATTERNS:
            m = pat[0].search(line)
            if m:
                idx = pat[2] if len(pat) > 2 else 0
                found.append((m.group(idx + 1), pat[1].format(*m.groups())))
                break
        else:
            found.append(("", line.split("ERROR:", 1)[1].strip()))
    return found


def modpost_args(conf):
    """The flags scripts/Makefile.modpost gives modpost for this config,
    without modversions (CRCs are not what the check is about)."""
    args = []
    if conf.get("CONFIG_MODULES") == "y":
        args.append("-M")
    if conf.get("CONFIG_SECTION_MISMATCH_WARN_ONLY") != "y":
        args.append("-E")
    if conf.get("CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS") == "y":
        args.append("-N")
    return args


# -- the link check --------------------------------------------------------

def _read_modules(arch, work, link):
    """Build order and symbols of the modules the link directory built:
    {module .o (relative to the build dir): (undefined, exported)}."""
    out = build_dir(arch, work)
    with open(os.path.join(out, link, "modules.order")) as f:
        mods = [m.strip() for m in f if m.strip()]
    syms = {}
    for m in mods:
        r = run([cross_tool(arch, "nm"), os.path.join(out, m)])
        if r.returncode:
            raise RuntimeError("nm %s: %s" % (m, r.stderr.strip()))
        undef, defined, exported = parse_nm(r.stdout)
        syms[m] = (undef, exported, defined)
    return syms


def modinfo_values(data, key):
    """The values of key= in a .modinfo section's bytes."""
    pre = key.encode() + b"="
    return [f[len(pre):].decode() for f in data.split(b"\0")
            if f.startswith(pre)]


def _import_ns(arch, work, mods):
    out, found = build_dir(arch, work), set()
    binf = os.path.join(out, ".kport-link", "modinfo.bin")
    os.makedirs(os.path.dirname(binf), exist_ok=True)
    for m in mods:
        run([cross_tool(arch, "objcopy"), "-O", "binary",
             "--only-section=.modinfo", os.path.join(out, m), binf])
        with open(binf, "rb") as f:
            found |= set(modinfo_values(f.read(), "import_ns"))
    return sorted(found)


def _build_link_dir(arch, tree, work, jobs):
    link = ARCHES[arch]["link"]
    r = run(make_cmd(arch, tree, work, jobs) + [link])
    if r.returncode:
        return tail(r.stderr + r.stdout)
    return None


def _baseline_path(arch, work):
    return os.path.join(build_dir(arch, work), ".kport-link-baseline.json")


def _config_hash(arch, work):
    with open(os.path.join(build_dir(arch, work), ".config"), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def link_baseline(arch, tree, work, jobs, ksrc, rep):
    """On the pristine tree: build the link directory, record what its
    modules import from outside (= vmlinux's exports they use), and check
    that modpost passes on them with that list, i.e. that the method does
    not fail by itself.  Kept in the build directory for later runs."""
    path = _baseline_path(arch, work)
    key = {"ksrc": os.path.realpath(ksrc),
           "config": _config_hash(arch, work)}
    if os.path.isfile(path):
        with open(path) as f:
            data = json.load(f)
        if data.get("key") == key and "import_ns" in data:
            return rep.result(True, "link baseline %s" % arch,
                              _baseline_summary(data) + "; reused")
    t0 = time.time()
    err = _build_link_dir(arch, tree, work, jobs)
    if err:
        return rep.result(False, "link baseline %s" % arch, err)
    mods = _read_modules(arch, work, ARCHES[arch]["link"])
    need = sorted(imports(mods) - set(_MODPOST_IGNORED))
    data = {"key": key, "modules": sorted(mods), "imports": need}
    problems, _ = _modpost(arch, work, mods, [
        symvers_line(s, "GPL") for s in need])
    if problems:
        return rep.result(False, "link baseline %s" % arch,
                          "modpost fails on the pristine modules: " +
                          "; ".join("%s %s" % p for p in problems))
    data["import_ns"] = _import_ns(arch, work, mods)
    with open(path, "w") as f:
        json.dump(data, f)
    return rep.result(True, "link baseline %s" % arch, "%s, %.0f s" % (
        _baseline_summary(data), time.time() - t0))


def _baseline_summary(data):
    ns = data.get("import_ns")
    return "%d modules (%s), %d vmlinux symbols, %s" % (
        len(data["modules"]), ", ".join(os.path.basename(m)
                                        for m in data["modules"]),
        len(data["imports"]), "namespaces imported: " + ", ".join(ns) +
        " (their symbols are listed without one)" if ns
        else "no namespace imported")


def _modpost(arch, work, mods, symvers):
    out = build_dir(arch, work)
    kdir = os.path.join(out, ".kport-link")
    os.makedirs(kdir, exist_ok=True)
    with open(os.path.join(kdir, "vmlinux.symvers"), "w") as f:
        f.writelines(symvers)
    with open(os.path.join(kdir, "modules.order"), "w") as f:
        f.writelines(m + "\n" for m in mods)
    with open(os.path.join(out, ".config")) as f:
        conf = read_config(f.read())
    r = run([os.path.join(out, "scripts/mod/modpost")] + modpost_args(conf) +
            ["-i", os.path.join(kdir, "vmlinux.symvers"),
             "-o", os.path.join(kdir, "Module.symvers"),
             "-T", os.path.join(kdir, "modules.order")], cwd=out)
    problems = parse_modpost(r.stdout + r.stderr)
    if r.returncode and not problems:
        problems = [("", "modpost exit %d%s" %
                     (r.returncode, tail(r.stdout + r.stderr)))]
    return problems, r


def _member_sources(arch, work, mods):
    """The source files of the modules' member objects (from <mod>.mod)."""
    out, srcs = build_dir(arch, work), set()
    for m in mods:
        with open(os.path.join(out, m[:-2] + ".mod")) as f:
            for obj in f.read().split():
                srcs.add(os.path.normpath(obj)[:-2])
    return srcs


def _resolve(arch, tree, work, jobs, sym, members):
    """Find sym's export outside the modules: (symvers line, where) or
    (None, why not)."""
    r = run(["git", "-C", tree, "grep", "-n", "-E",
             r"EXPORT_SYMBOL\w*\(\s*%s\s*[,)]" % re.escape(sym)])
    files = sorted({p for p, s in map(export_lines_symbol,
                                      r.stdout.splitlines()) if s == sym})
    out = build_dir(arch, work)
    tried = []
    for src in files:
        base, ext = os.path.splitext(src)
        if ext not in (".c", ".S") or base in members:
            continue
        obj = base + ".o"
        # kbuild compiles any object asked for by name, so ask it first
        # whether this config links the object into vmlinux: a dry run of
        # its top directory lists each built-in.a's members (an archive
        # this build dir has not made, as it makes none outside KVM)
        top = top_dir(obj)
        r = run(["make", "-n", "-C", tree, "O=" + out] +
                ARCHES[arch]["make"] + [top + "/"])
        if not in_vmlinux(obj, builtin_members(r.stdout), top):
            tried.append(obj + " not built into vmlinux by this config")
            continue
        r = run(make_cmd(arch, tree, work, jobs) + [obj])
        if r.returncode:
            tried.append(obj + " does not compile")
            continue
        objpath = os.path.join(out, obj)
        nm = run([cross_tool(arch, "nm"), objpath]).stdout
        offset = None
        for line in nm.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2] == EXPORT_PREFIX + sym:
                offset = int(parts[0], 16)
        if offset is None:
            tried.append(obj + " does not export it in this config")
            continue
        binf = os.path.join(out, ".kport-link", "export_symbol.bin")
        r = run([cross_tool(arch, "objcopy"), "-O", "binary",
                 "--only-section=.export_symbol", objpath, binf])
        with open(binf, "rb") as f:
            lic, ns = export_record(f.read(), offset)
        return symvers_line(sym, lic, ns), obj
    return None, "; ".join(tried) or "no EXPORT_SYMBOL for it in the tree"


def link_check(arch, tree, work, jobs, rep):
    """After the last patch: build the link directory and run modpost on
    its modules with vmlinux's exports (the pristine imports plus the new
    ones found in the tree)."""
    t0 = time.time()
    with open(_baseline_path(arch, work)) as f:
        base = json.load(f)
    err = _build_link_dir(arch, tree, work, jobs)
    if err:
        return rep.result(False, "link %s" % arch, err)
    mods = _read_modules(arch, work, ARCHES[arch]["link"])
    need = imports(mods) - set(_MODPOST_IGNORED)
    symvers = [symvers_line(s, "GPL") for s in base["imports"]]
    new = sorted(need - set(base["imports"]))
    found, unresolved = [], []
    members = _member_sources(arch, work, mods)
    for sym in new:
        line, where = _resolve(arch, tree, work, jobs, sym, members)
        if line:
            symvers.append(line)
            found.append("%s (%s)" % (sym, where))
        else:
            owners = defined_by(mods, sym)
            if owners:
                where = "defined in %s without EXPORT_SYMBOL" % \
                    ", ".join(owners)
            unresolved.append("%s (%s)" % (sym, where))
    problems, _ = _modpost(arch, work, sorted(mods), symvers)
    names = ", ".join(os.path.basename(m)[:-2] + ".ko" for m in sorted(mods))
    if problems:
        detail = "modpost: " + "; ".join(
            ("%s %s" % p).strip() for p in problems)
        if unresolved:
            detail += "; exported by nothing: " + ", ".join(unresolved)
        if found:
            detail += "; new, exported by vmlinux: " + ", ".join(found)
        return rep.result(False, "link %s" % arch, detail)
    detail = "%s: %d vmlinux symbols (%d new%s), %d between the modules, " \
        "%.0f s" % (names, len(need), len(new),
                    ": " + ", ".join(found) if found else "", between(mods),
                    time.time() - t0)
    return rep.result(True, "link %s" % arch, detail)
