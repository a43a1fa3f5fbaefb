#!/usr/bin/env python3
"""The C ABI reference: one page per public header, docs/reference/<header>.md, made from the
header's own comments (the headers are the one source; the pages are how people read them).

  scripts/c_reference.py            rewrite docs/reference/ from bindings/c/include/mfa/*.h
  scripts/c_reference.py --check    exit 1, naming what differs or is missing, when the pages are
                                    stale or an exported symbol is undocumented (tests/c_reference.py)

A header is a sequence of items: a comment followed by the code it describes (declarations,
types, constants). Each exported function must have a comment of its own or share one with the
declarations right after it (a getter pair, say); section banners (/* ---- Name ---- */) become
headings.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADERS = ROOT / "bindings/c/include/mfa"
PAGES = ROOT / "docs/reference"
SYMBOLS = ROOT / "bindings/c/mfa.sym"

BANNER = re.compile(r"^/\*\s*-{3,}\s*(.*?)\s*-*\s*\*/$")
EXPORT = re.compile(r"\bMFA_EXPORT\b[^;]*?\b(mfa_\w+)\s*\(", re.S)
# Lines that are the header's plumbing, not its API.
PLUMBING = re.compile(r"^\s*(#ifndef MFA_\w+_H|#define MFA_\w+_H|#endif /\* MFA_|#ifdef __cplusplus|"
                      r"extern \"C\" \{|\} /\* extern \"C\" \*/|#endif\s*$)")


def uncomment(text):
    """The text of a /* ... */ comment, without its markers and leading stars."""
    body = text.strip()[2:-2]
    lines = [re.sub(r"^\s*\* ?", "", line) for line in body.splitlines()]
    return "\n".join(line.rstrip() for line in lines).strip()


def items(source):
    """(kind, text) pairs in order: ("banner", title), ("doc", comment), ("code", lines)."""
    out = []
    code = []
    i = 0
    lines = source.splitlines()

    def flush():
        while code and not code[-1].strip():
            code.pop()
        while code and not code[0].strip():
            code.pop(0)
        if code:
            out.append(("code", "\n".join(code)))
        code.clear()

    depth = 0  # inside a struct or enum, comments belong to the code
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if PLUMBING.match(line):
            i += 1
            continue
        if depth == 0:
            m = BANNER.match(stripped)
            if m:
                flush()
                out.append(("banner", m.group(1)))
                i += 1
                continue
            if stripped.startswith("/*"):
                flush()
                block = [line]
                while "*/" not in block[-1]:
                    i += 1
                    block.append(lines[i])
                out.append(("doc", uncomment("\n".join(block))))
                i += 1
                continue
            if not stripped:
                flush()
                i += 1
                continue
        code.append(line)
        depth += line.count("{") - line.count("}")
        i += 1
    flush()
    return out


def exported(code):
    return EXPORT.findall(code)


def render(name, source):
    """The markdown page of one header, and the exported functions it documents."""
    parts = items(source)
    documented = []
    md = [f"# `{name}`", ""]
    pending_doc = None
    first = True
    for kind, text in parts:
        if kind == "doc" and first:
            md += [text, "",
                   "Generated from the header by `scripts/c_reference.py`; the conventions every "
                   "function follows (status codes, ownership, buffers, `struct_size`, thread safety) "
                   "are in [ABI.md](../ABI.md) and [mfa_common.h](mfa_common.h.md); the status codes "
                   "in [errors.md](../errors.md).", ""]
            first = False
            continue
        first = False
        if kind == "banner":
            if pending_doc:
                md += [pending_doc, ""]
                pending_doc = None
            md += [f"## {text}", ""]
        elif kind == "doc":
            if pending_doc:
                md += [pending_doc, ""]
            pending_doc = text
        else:
            names = exported(text)
            if names:
                if pending_doc:
                    documented += names
                md += ["### " + ", ".join(f"`{n}`" for n in names), ""]
            md += ["```c", text, "```", ""]
            if pending_doc:
                md += [pending_doc, ""]
                pending_doc = None
    if pending_doc:
        md += [pending_doc, ""]
    return "\n".join(md).rstrip() + "\n", documented


def exported_symbols():
    text = re.sub(r"/\*.*?\*/", "", SYMBOLS.read_text(), flags=re.S)
    return set(re.findall(r"\b(mfa_\w+);", text))


def pages():
    out = {}
    documented = {}
    for header in sorted(HEADERS.glob("*.h")):
        page, names = render(header.name, header.read_text())
        out[PAGES / f"{header.name}.md"] = page
        for n in names:
            documented[n] = header.name
    index = ["# C ABI reference", "",
             "One page per header of `libmfa.so`, made from the header's comments "
             "(`scripts/c_reference.py`). Start with [ABI.md](../ABI.md) for the rules they all "
             "follow; the guides are [c-api-otp.md](../c-api-otp.md), "
             "[c-api-vault.md](../c-api-vault.md), [webauthn.md](../webauthn.md), "
             "[server.md](../server.md), [fido2.md](../fido2.md), [qr.md](../qr.md) and "
             "[python.md](../python.md); runnable programs are in [examples/c](../../examples/c/).",
             "", "| header | functions |", "|---|---|"]
    for header in sorted(HEADERS.glob("*.h")):
        n = sum(1 for h in documented.values() if h == header.name)
        index.append(f"| [{header.name}]({header.name}.md) | {n} |")
    out[PAGES / "README.md"] = "\n".join(index) + "\n"
    return out, documented


def main():
    check = "--check" in sys.argv[1:]
    generated, documented = pages()
    problems = []
    for header in sorted(HEADERS.glob("mfa_*.h")):
        top = items(header.read_text())[0]
        if top[0] != "doc" or "thread" not in top[1].lower():
            problems.append(f"{header.name}: its opening comment says nothing of thread safety")
    for sym in sorted(exported_symbols() - documented.keys()):
        problems.append(f"{sym}: exported (mfa.sym) but has no doc comment in any header")
    if check:
        for path, text in generated.items():
            rel = path.relative_to(ROOT)
            if not path.exists():
                problems.append(f"{rel}: missing (run scripts/c_reference.py)")
            elif path.read_text() != text:
                problems.append(f"{rel}: stale, the header changed (run scripts/c_reference.py)")
        for path in PAGES.glob("*.md"):
            if path not in generated:
                problems.append(f"{path.relative_to(ROOT)}: no such header any more")
    else:
        PAGES.mkdir(exist_ok=True)
        for path, text in generated.items():
            path.write_text(text)
        for path in PAGES.glob("*.md"):
            if path not in generated:
                path.unlink()
    for p in problems:
        print(p, file=sys.stderr)
    if not problems and check:
        print(f"{len(documented)} exported functions documented in {len(generated) - 1} pages")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
