#!/usr/bin/env python3
"""Move src/ into layered folders, once, mechanically (issue 13).

usage: tools/relayout.py [--dry-run] [--no-commit]

Run from anywhere inside a clean checkout. The script

1. checks that every file under src/ has a place in MAP below and stops,
   listing the files that do not, before touching anything (a file added on
   another branch gets a line in MAP, in the folder of its layer);
2. moves each file with `git mv` (so `git log --follow` keeps its history)
   and commits the moves alone, with no content change, so that git pairs
   every old path with its new one;
3. rewrites every `#include "x.h"` of a moved header in src/, tests/,
   fuzz/, bench/ and examples/ to its folder-qualified form
   ("store/cube.h"; files of src/cli/ include their own headers by bare
   name and the library only through <cxm/...> paths), the source lists of
   src/meson.build and src/cli/meson.build, and every `src/OLD` path
   mentioned in docs, comments and scripts; installs
   tools/relayout/README.src.md as src/README.md; and commits that.

It is idempotent: a file already at its destination is left alone, and a
second run finds nothing to do. The layer order itself lives in
tools/relayout/README.src.md (src/README.md once installed), which
tools/check_includes.py reads.
"""
import os
import re
import subprocess
import sys

# Destination of every file of src/ (paths relative to src/). A header that
# shared its name with a public header gets an _internal suffix; the CLI's
# subcommands become cmd_*.c.
MAP = {
    # common: allocation, bytes, hashing, text, numbers, files, status, version, ABI
    "abi_check.c": "common/abi_check.c",
    "abi_check.h": "common/abi_check.h",
    "alloc.c": "common/alloc.c",
    "alloc.h": "common/alloc.h",
    "bytes.h": "common/bytes.h",
    "compiler.h": "common/compiler.h",
    "crc32c.c": "common/crc32c.c",
    "crc32c.h": "common/crc32c.h",
    "fileio.c": "common/fileio.c",
    "fileio.h": "common/fileio.h",
    "hash.c": "common/hash.c",
    "hash.h": "common/hash.h",
    "number.c": "common/number.c",
    "number.h": "common/number.h",
    "status.c": "common/status.c",
    "strbuf.c": "common/strbuf.c",
    "strbuf.h": "common/strbuf.h",
    "utf8.c": "common/utf8.c",
    "utf8.h": "common/utf8.h",
    "version.c": "common/version.c",
    # math: distributions, special functions, optimiser, quantiles
    "hyp2f1.c": "math/hyp2f1.c",
    "hyp2f1.h": "math/hyp2f1.h",
    "optimize.c": "math/optimize.c",
    "optimize.h": "math/optimize.h",
    "quantile.c": "math/quantile.c",
    "quantile.h": "math/quantile.h",
    "special.c": "math/special.c",
    "special.h": "math/special.h",
    "stats.c": "math/stats.c",
    "stats.h": "math/stats.h",
    # time: parsing, civil calendar, business calendars
    "calendar.c": "time/calendar.c",
    "civil.h": "time/civil.h",
    "time.c": "time/time.c",
    # survey: accumulators, byte format, formulas
    "ces.c": "survey/ces.c",
    "csat.c": "survey/csat.c",
    "nps.c": "survey/nps.c",
    "survey.c": "survey/survey.c",
    "survey_codec.c": "survey/survey_codec.c",
    # store: the store, its tables, merge, filter, survey and group queries
    "cube.c": "store/cube.c",
    "cube.h": "store/cube.h",
    "daymap.c": "store/daymap.c",
    "daymap.h": "store/daymap.h",
    "event.c": "store/event.c",
    "event_reason.c": "store/event_reason.c",
    "event_reason.h": "store/event_reason.h",
    "interactions.c": "store/interactions.c",
    "interactions.h": "store/interactions.h",
    "intern.c": "store/intern.c",
    "intern.h": "store/intern.h",
    "keymap.c": "store/keymap.c",
    "keymap.h": "store/keymap.h",
    "merge.c": "store/merge.c",
    "merge.h": "store/merge.h",
    "merge_reserve.c": "store/merge_reserve.c",
    "query.c": "store/query.c",
    "slice.c": "store/slice.c",
    "slice.h": "store/slice.h",
    "store.c": "store/store.c",
    "store_internal.h": "store/store_internal.h",
    # ingest: CSV and JSON Lines framing, the streaming reader
    "csv.c": "ingest/csv.c",
    "csv.h": "ingest/csv.h",
    "jsonl.c": "ingest/jsonl.c",
    "jsonl.h": "ingest/jsonl.h",
    "reader.c": "ingest/reader.c",
    # snapshot: the store's file format
    "snapshot.h": "snapshot/snapshot_internal.h",
    "snapshot_file.c": "snapshot/snapshot_file.c",
    "snapshot_load.c": "snapshot/snapshot_load.c",
    "snapshot_save.c": "snapshot/snapshot_save.c",
    # experience: gap, SERVQUAL, service levels, loyalty, consistency
    "consistency.c": "experience/consistency.c",
    "experience.c": "experience/experience.c",
    "experience.h": "experience/experience_internal.h",
    "gap.c": "experience/gap.c",
    "loyalty.c": "experience/loyalty.c",
    "loyalty_acc.c": "experience/loyalty_acc.c",
    "service.c": "experience/service.c",
    "service_acc.c": "experience/service_acc.c",
    "service_acc.h": "experience/service_acc.h",
    "servqual.c": "experience/servqual.c",
    "servqual_acc.c": "experience/servqual_acc.c",
    # purchase: RFM data, BG/NBD family, Pareto/NBD, Gamma-Gamma
    "bgnbd.c": "purchase/bgnbd.c",
    "gammagamma.c": "purchase/gammagamma.c",
    "model.c": "purchase/model.c",
    "models.h": "purchase/models.h",
    "pnbd.c": "purchase/pnbd.c",
    "rfm.c": "purchase/rfm.c",
    "rfm.h": "purchase/rfm.h",
    "store_rfm.c": "purchase/store_rfm.c",
    # churn: features, the risk model, scoring
    "churn.c": "churn/churn.c",
    "feature_table.h": "churn/feature_table.h",
    "features.c": "churn/features.c",
    "risk.c": "churn/risk.c",
    "risk.h": "churn/risk_internal.h",
    "risk_eval.c": "churn/risk_eval.c",
    # cli: the command, public API only; one cmd_*.c per subcommand
    "cli/args.c": "cli/args.c",
    "cli/args.h": "cli/args.h",
    "cli/churn.c": "cli/cmd_churn.c",
    "cli/churn.h": "cli/cmd_churn.h",
    "cli/diag.c": "cli/diag.c",
    "cli/diag.h": "cli/diag.h",
    "cli/experience_out.c": "cli/experience_out.c",
    "cli/experience_out.h": "cli/experience_out.h",
    "cli/holidays.c": "cli/holidays.c",
    "cli/holidays.h": "cli/holidays.h",
    "cli/input.c": "cli/input.c",
    "cli/input.h": "cli/input.h",
    "cli/json.c": "cli/json.c",
    "cli/json.h": "cli/json.h",
    "cli/main.c": "cli/main.c",
    "cli/report.c": "cli/cmd_report.c",
    "cli/report.h": "cli/cmd_report.h",
    "cli/table.c": "cli/table.c",
    "cli/table.h": "cli/table.h",
    # added after the first draft: files of later branches
    "chisq.c": "math/chisq.c",
    "chisq.h": "math/chisq.h",
    "eigen.c": "math/eigen.c",
    "eigen.h": "math/eigen.h",
    "linalg.c": "math/linalg.c",
    "linalg.h": "math/linalg.h",
    "padjust.c": "math/padjust.c",
    "slicestats.c": "math/slicestats.c",
    "time_format.c": "time/time_format.c",
    "time_format.h": "time/time_format.h",
    "operations.c": "experience/operations.c",
    "purchase_horizon.c": "purchase/purchase_horizon.c",
    "survival.c": "retention/survival.c",
    "cox.c": "retention/cox.c",
    "sbg.c": "retention/sbg.c",
    "cohorts.c": "retention/cohorts.c",
    "store_retention.c": "retention/store_retention.c",
    "store_retention_tv.c": "retention/store_retention_tv.c",
    "drivers.c": "drivers/drivers.c",
    "relweights.c": "drivers/relweights.c",
    "relweights.h": "drivers/relweights.h",
    "shapley.c": "drivers/shapley.c",
    "shapley.h": "drivers/shapley.h",
    "store_drivers.c": "drivers/store_drivers.c",
    "cli/drivers.c": "cli/cmd_drivers.c",
    "cli/drivers.h": "cli/cmd_drivers.h",
    "cli/retention.c": "cli/cmd_retention.c",
    "cli/retention.h": "cli/cmd_retention.h",
    "cli/ingest.c": "cli/cmd_ingest.c",
    "cli/ingest.h": "cli/cmd_ingest.h",
    "cli/plan.c": "cli/cmd_plan.c",
    "cli/plan.h": "cli/cmd_plan.h",
    "cli/compare.c": "cli/compare.c",
    "cli/compare.h": "cli/compare.h",
    "cli/dialect.c": "cli/dialect.c",
    "cli/dialect.h": "cli/dialect.h",
    "cli/hours.c": "cli/hours.c",
    "cli/hours.h": "cli/hours.h",
    "cli/html.c": "cli/html.c",
    "cli/html.h": "cli/html.h",
    "cli/operations_out.c": "cli/operations_out.c",
    "cli/operations_out.h": "cli/operations_out.h",
    "cli/output.c": "cli/output.c",
    "cli/output.h": "cli/output.h",
    "cli/progress.c": "cli/progress.c",
    "cli/progress.h": "cli/progress.h",
    "cli/slice_out.c": "cli/slice_out.c",
    "cli/slice_out.h": "cli/slice_out.h",
    "cli/source.c": "cli/source.c",
    "cli/source.h": "cli/source.h",
    "cli/unicode.c": "cli/unicode.c",
    "cli/unicode.h": "cli/unicode.h",
    "cli/cxm.bash-completion": "cli/cxm.bash-completion",
}

# Files of src/ that stay where they are.
KEEP = {"meson.build", "cli/meson.build", "README.md"}

# Where #include lines are rewritten.
CODE_DIRS = ["src", "tests", "fuzz", "bench", "examples"]
CODE_EXT = (".c", ".h", ".cc", ".cpp")
# Where `src/OLD` paths in prose and scripts are rewritten.
TEXT_EXT = (".md", ".c", ".h", ".py", ".sh", ".build", ".txt", ".in", ".go", ".R", ".sql")

INCLUDE_RE = re.compile(r'^([ \t]*#[ \t]*include[ \t]+)"([^"]+)"', re.M)


def git(*args, capture=False):
    r = subprocess.run(["git"] + list(args), check=True, text=True, stdout=subprocess.PIPE if capture else None)
    return r.stdout if capture else None


def src_files(root):
    out = []
    for d, _, files in os.walk(os.path.join(root, "src")):
        for f in files:
            out.append(os.path.relpath(os.path.join(d, f), os.path.join(root, "src")).replace(os.sep, "/"))
    return sorted(out)


def check_map(root):
    """Files of src/ with no place in MAP (neither an old path nor a destination)."""
    dests = set(MAP.values())
    tracked = set(git("ls-files", "src", capture=True).split())
    missing = []
    for f in src_files(root):
        if "src/" + f not in tracked:
            continue  # build products or editor files are not ours to place
        if f in KEEP or f in MAP or f in dests:
            continue
        missing.append(f)
    bad_dest = [d for d in MAP.values() if list(MAP.values()).count(d) > 1]
    return missing, sorted(set(bad_dest))


def move(root, dry):
    moved = []
    for old, new in sorted(MAP.items()):
        po, pn = os.path.join(root, "src", old), os.path.join(root, "src", new)
        if old == new or not os.path.exists(po):
            continue
        if os.path.exists(pn):
            sys.exit(f"relayout: both src/{old} and src/{new} exist; resolve by hand")
        moved.append((old, new))
        if not dry:
            os.makedirs(os.path.dirname(pn), exist_ok=True)
            git("mv", po, pn)
    return moved


def header_index():
    """Old include spelling (as written from src/ or from another directory
    on the -I src path) -> new spelling, for the library's headers."""
    idx = {}
    for old, new in MAP.items():
        if old.endswith(".h") and not old.startswith("cli/"):
            idx[old] = new
    return idx


def rewrite_includes(root, path, hdr, cli_renames):
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    here = os.path.dirname(path)
    in_cli = rel.startswith("src/cli/")
    with open(path, encoding="utf-8") as f:
        text = f.read()

    def sub(m):
        name = m.group(2)
        if in_cli:
            return m.group(1) + '"' + cli_renames.get(name, name) + '"'
        # A header next to the includer (tests/test_helpers.h, fuzz/...) wins.
        if not rel.startswith("src/") and os.path.exists(os.path.join(here, name)):
            return m.group(0)
        if name in hdr:
            return m.group(1) + '"' + hdr[name] + '"'
        return m.group(0)

    new = INCLUDE_RE.sub(sub, text)
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
        return True
    return False


def rewrite_meson(root):
    changed = []
    lib = {o: n for o, n in MAP.items() if not o.startswith("cli/")}
    cli = {o[4:]: n[4:] for o, n in MAP.items() if o.startswith("cli/")}
    for rel, table in (("src/meson.build", lib), ("src/cli/meson.build", cli)):
        p = os.path.join(root, rel)
        with open(p, encoding="utf-8") as f:
            text = f.read()
        new = re.sub(r"'([^'/]+\.c)'", lambda m: "'" + table.get(m.group(1), m.group(1)) + "'", text)
        # Keep the list sorted, which now groups it by folder.
        new = re.sub(r"(files\(\n)((?:  '[^'\n]+',\n)+)(\))",
                     lambda m: m.group(1) + "".join(sorted(m.group(2).splitlines(True))) + m.group(3), new)
        if new != text:
            with open(p, "w", encoding="utf-8") as f:
                f.write(new)
            changed.append(rel)
    return changed


def rewrite_paths(root):
    """`src/OLD` -> `src/NEW` in tracked text files (docs, comments, scripts)."""
    pairs = sorted(((o, n) for o, n in MAP.items() if o != n), key=lambda p: -len(p[0]))
    alt = "|".join(re.escape(o) for o, _ in pairs)
    table = dict(pairs)
    rx = re.compile(r"(?<![\w./-])src/(" + alt + r")(?![\w.])")
    changed = []
    for rel in git("ls-files", capture=True).split("\n"):
        if not rel.endswith(TEXT_EXT) or rel.startswith(("tools/relayout", "tests/style/")) or rel == "README.md":
            continue
        p = os.path.join(root, rel)
        if not os.path.isfile(p):
            continue
        try:
            with open(p, encoding="utf-8") as f:
                text = f.read()
        except UnicodeDecodeError:
            continue
        new = rx.sub(lambda m: "src/" + table[m.group(1)], text)
        if new != text:
            with open(p, "w", encoding="utf-8") as f:
                f.write(new)
            changed.append(rel)
    return changed


def main():
    args = set(sys.argv[1:])
    if args - {"--dry-run", "--no-commit"}:
        sys.exit(__doc__)
    dry, commit = "--dry-run" in args, "--no-commit" not in args
    root = git("rev-parse", "--show-toplevel", capture=True).strip()
    os.chdir(root)
    missing, dup = check_map(root)
    if missing or dup:
        for f in missing:
            print(f"relayout: src/{f} has no place in MAP (tools/relayout.py): add it to its layer's folder",
                  file=sys.stderr)
        for d in dup:
            print(f"relayout: two files of MAP go to src/{d}", file=sys.stderr)
        sys.exit(1)
    if commit and not dry and git("status", "--porcelain", "--untracked-files=no", capture=True).strip():
        sys.exit("relayout: the work tree has uncommitted changes; commit or stash them first")

    moved = move(root, dry)
    print(f"relayout: {len(moved)} files to move" if dry else f"relayout: moved {len(moved)} files")
    if dry:
        for o, n in moved:
            print(f"  src/{o} -> src/{n}")
        return
    if moved and commit:
        git("commit", "-q", "-m", "src/: move files into layered folders (git mv only; tools/relayout.py)")

    hdr = header_index()
    cli_renames = {o[4:]: n[4:] for o, n in MAP.items() if o.startswith("cli/") and o.endswith(".h")}
    inc = []
    for d in CODE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, d)):
            for f in files:
                if f.endswith(CODE_EXT) and rewrite_includes(root, os.path.join(dirpath, f), hdr, cli_renames):
                    inc.append(os.path.relpath(os.path.join(dirpath, f), root))
    mes = rewrite_meson(root)
    txt = rewrite_paths(root)
    readme_src = os.path.join(root, "tools", "relayout", "README.src.md")
    readme_dst = os.path.join(root, "src", "README.md")
    readme = False
    with open(readme_src, encoding="utf-8") as f:
        want = f.read()
    if not os.path.exists(readme_dst) or open(readme_dst, encoding="utf-8").read() != want:
        with open(readme_dst, "w", encoding="utf-8") as f:
            f.write(want)
        git("add", readme_dst)
        readme = True
    print(f"relayout: includes rewritten in {len(inc)} files, meson lists in {len(mes)}, "
          f"src/ paths in {len(txt)} text files{', src/README.md installed' if readme else ''}")
    if commit and git("status", "--porcelain", "--untracked-files=no", capture=True).strip():
        git("commit", "-q", "-a", "-m",
            "src/: folder-qualified includes, meson source lists, src/ paths in docs, src/README.md (tools/relayout.py)")


if __name__ == "__main__":
    main()
