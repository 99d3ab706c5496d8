#!/usr/bin/env python3
"""Byte-identical output of `cxm` on the bundled data (suite `golden`).

usage: check_golden.py CXM SOURCE_ROOT [--update]

Each case runs the built `cxm` on a file of the repository and compares
its standard output, byte for byte, with tests/golden/NAME.json. The cases
pin what a refactoring (tools/relayout.py, a formatter run) must not
change; after an intended change of output, regenerate the files with
--update and review the diff before committing it.
"""
import os
import subprocess
import sys

CASES = [
    ("report_sample", ["report", "--json", "examples/data/sample_events.csv"]),
    ("report_sample_by", ["report", "--json", "--by", "channel", "--by", "month", "examples/data/sample_events.csv"]),
    ("churn_sample", ["churn", "--json", "examples/data/sample_events.csv"]),
    ("churn_planted", ["churn", "--json", "--top", "200", "tests/data/churn/planted.csv"]),
    ("report_planted", ["report", "--json", "tests/data/churn/planted.csv"]),
]


def main():
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--update"):
        sys.exit(__doc__)
    cxm, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    update = len(sys.argv) == 4
    here = os.path.join(root, "tests", "golden")
    failed = []
    for name, args in CASES:
        run = subprocess.run([cxm] + args, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        if run.returncode != 0:
            failed.append(f"{name}: cxm {' '.join(args)} exited {run.returncode}: {run.stderr.decode(errors='replace')}")
            continue
        path = os.path.join(here, name + ".json")
        if update:
            with open(path, "wb") as f:
                f.write(run.stdout)
            print(f"wrote {path} ({len(run.stdout)} bytes)")
            continue
        try:
            with open(path, "rb") as f:
                want = f.read()
        except OSError as e:
            failed.append(f"{name}: {e}")
            continue
        if want != run.stdout:
            at = next((i for i, (a, b) in enumerate(zip(want, run.stdout)) if a != b), min(len(want), len(run.stdout)))
            failed.append(f"{name}: cxm {' '.join(args)} differs from {name}.json at byte {at} "
                          f"(golden {len(want)} bytes, now {len(run.stdout)}): "
                          f"{want[max(0, at - 40):at + 40]!r} vs {run.stdout[max(0, at - 40):at + 40]!r}")
        else:
            print(f"{name}: {len(want)} bytes, identical")
    for f in failed:
        print(f, file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
