#!/usr/bin/env python3
"""docs/errors.md documents exactly the codes of the one error table (lib/include/mfa/mfa_errors.h):
every row X(NAME, name, code, message) has a row `| code | `name` | ... |` in the docs and no docs row
names a code the table lacks; NAME is name in upper case; no number is used twice.

    errors_doc.py SOURCE_ROOT

Exit status 0 when they agree, 1 (listing each difference) otherwise.
"""
import pathlib
import re
import sys

ROW = re.compile(r'X\((\w+), (\w+), (-?\d+), "((?:[^"\\]|\\.)*)"\)')
DOC_ROW = re.compile(r"^\|\s*(-?\d+)\s*\|\s*`(\w+)`\s*\|")


def main(root):
    table = ROW.findall((root / "lib/include/mfa/mfa_errors.h").read_text())
    problems = []
    if len(table) < 170:
        problems.append(f"mfa_errors.h: only {len(table)} rows parsed; has the X(...) format changed?")
    codes = {}
    for upper, lower, code, message in table:
        code = int(code)
        if upper != lower.upper():
            problems.append(f"mfa_errors.h: {upper} and {lower} are not one name")
        if code in codes:
            problems.append(f"mfa_errors.h: {code} is both {codes[code]} and {lower}")
        if not message:
            problems.append(f"mfa_errors.h: {lower} has no message")
        codes[code] = lower
    documented = {}
    for n, line in enumerate((root / "docs/errors.md").read_text().splitlines(), 1):
        m = DOC_ROW.match(line)
        if not m:
            continue
        code, name = int(m[1]), m[2]
        if code in documented:
            problems.append(f"docs/errors.md:{n}: code {code} has a second row")
        documented[code] = name
        if code not in codes:
            problems.append(f"docs/errors.md:{n}: code {code} `{name}` is not in the table")
        elif codes[code] != name:
            problems.append(f"docs/errors.md:{n}: code {code} is `{codes[code]}` in the table, `{name}` here")
    for code, name in codes.items():
        if code not in documented:
            problems.append(f"docs/errors.md: no row for {code} `{name}`")
    for p in problems:
        print(p)
    print(f"{len(codes)} codes in the table, {len(documented)} rows in docs/errors.md")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
