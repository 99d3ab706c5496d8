#!/usr/bin/env python3
"""Fail on an #include in src/ that points up the layer order.

usage: tools/check_includes.py [--root DIR] [--layers FILE]

The order is read from the `layers:` line of src/README.md (before the
relayout, of tools/relayout/README.src.md), e.g.

    layers: common < math < store < ingest | snapshot < cli

and a file's layer is the folder of src/ it is in. A file may include
headers of its own folder and of earlier layers; folders on one level
(`|`) never include each other; files of src/cli/ include nothing private
but their own folder's headers. A quoted include that resolves to no file
is reported too (a stale path). While src/ is still flat, its files form
one library layer below cli/, so the check still holds the command to the
public API and the library clear of the command.

Exit status 0 when every include points down, 1 with one line per
offending include otherwise, 2 on a usage or layers-file error.
"""
import os
import re
import sys

INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]+"([^"]+)"', re.M)
LIBRARY = "(flat src/)"


def parse_layers(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*layers:\s*(.+)$", line)
            if m:
                ranks = [[name.strip() for name in level.split("|")] for level in m.group(1).split("<")]
                if any(not n or not re.fullmatch(r"[A-Za-z0-9_]+", n) for lvl in ranks for n in lvl):
                    raise ValueError(f"{path}: malformed layers line: {line.strip()}")
                return {name: i for i, lvl in enumerate(ranks) for name in lvl}, m.group(1).strip()
    raise ValueError(f"{path}: no 'layers:' line")


def folder_of(rel):
    """'store/cube.c' -> 'store'; 'cube.c' -> '' (the root of src/)."""
    return rel.split("/", 1)[0] if "/" in rel else ""


def check(root, layers_file=None):
    src = os.path.join(root, "src")
    if layers_file is None:
        layers_file = os.path.join(src, "README.md")
        if not os.path.exists(layers_file):
            layers_file = os.path.join(root, "tools", "relayout", "README.src.md")
    rank, order = parse_layers(layers_file)
    if "cli" not in rank:
        raise ValueError(f"{layers_file}: the order must name cli")
    files = []
    for d, _, names in os.walk(src):
        for n in names:
            if n.endswith((".c", ".h")):
                files.append(os.path.relpath(os.path.join(d, n), src).replace(os.sep, "/"))
    files.sort()
    layered = any(folder_of(f) not in ("", "cli") for f in files)
    problems = []

    def layer(rel):
        f = folder_of(rel)
        if f == "":
            return LIBRARY
        return f

    def rank_of(name):
        if name == LIBRARY:
            return rank["cli"] - 0.5
        return rank.get(name)

    for rel in files:
        me = layer(rel)
        if me == LIBRARY and layered:
            problems.append(f"src/{rel}: in no layer folder (the order: {order})")
            continue
        if rank_of(me) is None:
            problems.append(f"src/{rel}: folder {me}/ is not in the layer order ({order}); add it to src/README.md")
            continue
        with open(os.path.join(src, rel), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for m in INCLUDE_RE.finditer(text):
            name = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            where = f"src/{rel}:{line}: #include \"{name}\""
            here = os.path.normpath(os.path.join(src, os.path.dirname(rel), name))
            cand = [here] if me == "cli" else [here, os.path.normpath(os.path.join(src, name))]
            target = next((c for c in cand if os.path.isfile(c)), None)
            if target is None:
                if os.path.isfile(os.path.join(root, "include", name)):
                    continue  # a public header: every layer may use the API
                if me == "cli" and os.path.isfile(os.path.join(src, name)):
                    problems.append(f"{where}: the command uses the public API only (cxm.h, cxm/*.h)")
                else:
                    problems.append(f"{where}: resolves to no file")
                continue
            trel = os.path.relpath(target, src).replace(os.sep, "/")
            if trel.startswith("../"):
                problems.append(f"{where}: outside src/")
                continue
            them = layer(trel)
            if them == me:
                continue
            if me == "cli":
                problems.append(f"{where}: the command uses the public API only (cxm.h, cxm/*.h)")
                continue
            r_me, r_them = rank_of(me), rank_of(them)
            if r_them is None:
                problems.append(f"{where}: folder {them}/ is not in the layer order ({order})")
            elif r_them > r_me:
                problems.append(f"{where}: points up, {me} may not use {them} (order: {order})")
            elif r_them == r_me:
                problems.append(f"{where}: {me} and {them} are side by side and may not use each other (order: {order})")
    return problems, len(files), layered


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    layers_file = None
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--root" and args:
            root = args.pop(0)
        elif a == "--layers" and args:
            layers_file = args.pop(0)
        else:
            print(__doc__, file=sys.stderr)
            return 2
    try:
        problems, n, layered = check(root, layers_file)
    except (OSError, ValueError) as e:
        print(f"check_includes: {e}", file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    if problems:
        print(f"check_includes: {len(problems)} include(s) against the layer order", file=sys.stderr)
        return 1
    print(f"check_includes: {n} files of src/ ({'layered' if layered else 'flat'}), every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
