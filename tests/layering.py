#!/usr/bin/env python3
"""The layering of lib/ (docs/DESIGN.md, "Data flows one way"): every #include in lib/ is mapped to
the component it belongs to, and a file may include only its own component and those below it that
its component's library declares (`uses` in lib/<component>/meson.build). Nothing in lib/ includes
bindings/ or apps/.

    layering.py SOURCE_ROOT

Exit status 0 when every include keeps to the layering, 1 (listing each offending include with its
file and line, and each wrong uses = [...] line) otherwise.
"""
import pathlib
import re
import sys

# Bottom to top. Components of one row of DESIGN.md's data flow do not depend on each other except
# in this order: cose reads CBOR, fido2 binds the soft token into libfido2 and reads webauthn's
# credential records, the vault keeps FIDO2 hmac-secret slots.
ORDER = ["util", "otp", "cbor", "cose", "webauthn", "softtoken", "fido2", "vault", "transfer", "qr", "store", "server"]
RANK = {c: i for i, c in enumerate(ORDER)}

# lib/include/mfa/: the public headers and the component each belongs to. A header not listed here
# is an error, so that a new one is placed in the layering when it is added.
PUBLIC = {
    "bytes.hpp": "util", "ct.hpp": "util", "encoding.hpp": "util", "error.hpp": "util", "random.hpp": "util",
    "reader.hpp": "util", "secret.hpp": "util", "version.h": "util", "json.hpp": "util", "mfa_errors.h": "util",
    "atomic_file.hpp": "util",
    "shared_library.hpp": "util", "features.hpp": "util",
    "otp.hpp": "otp", "otpauth.hpp": "otp",
    "cbor.hpp": "cbor",
    "cose.hpp": "cose",
    "webauthn/": "webauthn",
    "softtoken.hpp": "softtoken", "softtoken_bridge.hpp": "softtoken",
    "fido2.hpp": "fido2",
    "vault.hpp": "vault", "vault_fido2.hpp": "vault", "vault_json.hpp": "vault",
    "vault_import.hpp": "transfer",
    "qr.hpp": "qr",
    "store.hpp": "store",
    "server/": "server",
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def public_component(rel):
    """The component of lib/include/mfa/<rel>, or None when the header is not listed."""
    for key, comp in PUBLIC.items():
        if rel == key or (key.endswith("/") and rel.startswith(key)):
            return comp
    return None


def component_of(root, path):
    """(component, None) for a file under lib/, (None, why) for anything that is not a component."""
    try:
        rel = path.resolve().relative_to(root)
    except ValueError:
        return None, "outside the source tree"
    parts = rel.parts
    if parts[0] in ("bindings", "apps"):
        return None, f"{parts[0]}/ is above lib/"
    if parts[0] != "lib" or len(parts) < 3:
        return None, "not part of a component of lib/"
    if parts[1] == "include":
        if parts[2] != "mfa":
            return None, "not a public header"
        comp = public_component("/".join(parts[3:]))
        if comp is None:
            return None, "a public header tests/layering.py does not place in a component"
        return comp, None
    if parts[1] not in RANK:
        return None, f"lib/{parts[1]}/ is not a component tests/layering.py knows"
    return parts[1], None


def resolve(root, src, quote, name):
    """The file an include names, or None for a system header."""
    candidates = []
    if quote == '"':
        candidates.append(src.parent / name)
    candidates.append(root / "lib" / "include" / name)
    for c in candidates:
        if c.exists():
            return c
    # mfa/... that does not exist in lib/include/ is a C ABI header (bindings/c/include/mfa/).
    if name.startswith("mfa/"):
        return root / "bindings" / "c" / "include" / name
    return None


USES = re.compile(r"^uses\s*=\s*\[([^\]]*)\]", re.M)


def declared_uses(root, problems):
    """component -> the components its meson.build declares it uses."""
    out = {}
    for comp in ORDER:
        build = root / "lib" / comp / "meson.build"
        m = USES.search(build.read_text()) if build.exists() else None
        if m is None:
            problems.append(f"lib/{comp}/meson.build: no uses = [...] line")
            out[comp] = set()
            continue
        out[comp] = set(re.findall(r"'([a-z0-9_]+)'", m.group(1)))
        for u in sorted(out[comp]):
            if u not in RANK or RANK[u] >= RANK[comp]:
                problems.append(f"lib/{comp}/meson.build: uses {u}, which is not a component below {comp}")
    return out


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    problems = []
    uses = declared_uses(root, problems)
    files = sorted(p for p in (root / "lib").rglob("*") if p.suffix in (".cpp", ".hpp", ".h", ".c"))
    for src in files:
        own, why = component_of(root, src)
        if own is None:
            problems.append(f"{src.relative_to(root)}: {why}")
            continue
        for line_no, line in enumerate(src.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = resolve(root, src, m.group(1), m.group(2))
            if target is None:
                continue
            close = '"' if m.group(1) == '"' else ">"
            where = f"{src.relative_to(root)}:{line_no}: #include {m.group(1)}{m.group(2)}{close}"
            comp, why = component_of(root, target)
            if comp is None:
                problems.append(f"{where}: {why}")
            elif RANK[comp] > RANK[own]:
                problems.append(f"{where}: {own} includes {comp}, a component above it")
            elif comp != own and comp not in uses[own]:
                problems.append(f"{where}: {own} includes {comp}, which lib/{own}/meson.build does not list in uses")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} break(s) of the layering (bottom to top: {' < '.join(ORDER)})")
        return 1
    print(f"{len(files)} files of lib/ keep to the layering")
    return 0


if __name__ == "__main__":
    sys.exit(main())
