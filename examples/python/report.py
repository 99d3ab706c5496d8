#!/usr/bin/env python3
"""Read an event file, print NPS by channel and the five riskiest customers
(risk, band, P(alive) and the factors driving the risk).

Usage: report.py [EVENTS.csv]   (default: examples/data/sample_events.csv)

Uses the Python binding (bindings/python; `pip install bindings/python`, or
run from the source tree) and libcxm, found through $CXM_LIBRARY, a build*/
directory of the source tree, or the system.
"""

import datetime
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
try:
    import cxm
except ImportError:  # not installed: use the source tree's package
    sys.path.insert(0, os.path.join(root, "bindings", "python"))
    import cxm


def fmt(x, spec="+.1f"):
    """None (the library's "absent", e.g. P(alive) without purchases) as "-"."""
    return "-" if x is None else format(x, spec)


def day(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d")


def main(argv):
    if "--sanitize" in argv:  # meson: libcxm built with ASan cannot be loaded by python3
        print("SKIP: libcxm is built with a sanitizer; ctypes cannot load it into python3")
        return 77
    path = argv[1] if len(argv) > 1 else os.path.join(root, "examples", "data", "sample_events.csv")
    with cxm.Store() as store:
        got = store.ingest(path)
        for e in got.errors:
            print(f"{path}:{e.line}: {e.column}: {e.reason}", file=sys.stderr)
        print(f"{got.events} events, {got.rejected} rows rejected\n")
        print(f"{'channel':<10} {'n':>5} {'NPS':>7}  95% CI")
        for g in store.groups("channel"):
            lo, hi = g.nps.ci95
            ci = "-" if lo is None else f"[{lo:+.1f}, {hi:+.1f}]"
            print(f"{g.key:<10} {g.nps.n:>5} {fmt(g.nps.score):>7}  {ci}")
        churn = store.churn()  # one call of cxm_store_churn(), as `cxm churn FILE --json`
        m = churn.model
        print(f"\nfive riskiest customers (risk model: {m.source}, scored at {day(m.scored_at)}, "
              f"trained on churn after {day(m.cutoff)})")
        print(f"{'customer':<10} {'risk':>6} {'band':<6} {'P(alive)':>8}  drivers (log-odds)")
        for c in churn.customers[:5]:
            drivers = ", ".join(f"{d.factor} +{d.weight:.2f}" for d in c.drivers[:3]) or "-"
            print(f"{c.customer:<10} {c.risk:6.3f} {c.band:<6} {fmt(c.p_alive, '.3f'):>8}  {drivers}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except cxm.CxmError as e:
        print(f"report.py: {e}", file=sys.stderr)
        sys.exit(1)
