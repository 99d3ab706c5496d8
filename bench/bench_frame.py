#!/usr/bin/env python3
"""Python binding: Store.record_frame(DataFrame) against Store.ingest() of
the same rows as CSV (a file, and bytes in memory). Not a test; see
bench/README.md, "Python: DataFrames".

Usage: bench_frame.py [ROWS] [CUSTOMERS]   (default 1000000 rows, 100000 customers)

Needs pandas (/usr/bin/python3 on Debian with python3-pandas) and the
package on PYTHONPATH (bindings/python), libcxm found as the package finds
it (CXM_LIBRARY, else a build*/src of the checkout, else the system). Each
variant runs three times into a fresh store and the best time is printed;
the stores of all variants are checked to give equal snapshot bytes.
"""

import os
import sys
import tempfile
import time

import numpy as np
import pandas as pd

import cxm


def frame(rows: int, customers: int, seed: int = 1) -> pd.DataFrame:
    rnd = np.random.default_rng(seed)
    kinds = np.array(["nps", "csat", "ces", "purchase"])
    k = rnd.integers(0, 4, rows)
    value = np.where(k == 0, rnd.integers(0, 11, rows),
                     np.where(k == 1, rnd.integers(1, 6, rows),
                              np.where(k == 2, rnd.integers(1, 8, rows), 0))).astype(float)
    value = np.where(k == 3, np.round(rnd.uniform(1, 300, rows), 2), value)
    t = 1_704_067_200 + np.sort(rnd.integers(0, 730 * 86400, rows))
    chans = np.array(["email", "chat", "web", "app", "phone", "store"])
    return pd.DataFrame({
        "time": pd.to_datetime(t, unit="s", utc=True),
        "customer": pd.Categorical.from_codes(rnd.integers(0, customers, rows),
                                              [f"c-{c:07d}" for c in range(customers)]),
        "kind": pd.Categorical.from_codes(k, kinds),
        "value": value,
        "channel": pd.Categorical.from_codes(rnd.integers(0, len(chans), rows), chans),
    })


def best(fn, runs: int = 3):
    out = None
    times = []
    for _ in range(runs):
        s = cxm.Store()
        t0 = time.perf_counter()
        fn(s)
        times.append(time.perf_counter() - t0)
        if out is None:
            out = s.to_bytes()
        s.close()
    return min(times), out


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    customers = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    df = frame(rows, customers)
    text = df.astype({"customer": str, "kind": str, "channel": str})
    text["time"] = df["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "events.csv")
        text.to_csv(path, index=False)
        data = open(path, "rb").read()
        naive = df.assign(time=df["time"].dt.tz_localize(None))
        variants = [
            ("ingest(path) CSV", lambda s: s.ingest(path)),
            ("ingest(bytes) CSV", lambda s: s.ingest(data)),
            ("record_frame typed (datetime64 UTC, categoricals)", lambda s: s.record_frame(df)),
            ("record_frame naive datetime64, tz='UTC'", lambda s: s.record_frame(naive, tz="UTC")),
            ("record_frame text columns (object dtype)", lambda s: s.record_frame(text)),
        ]
        print(f"{rows} rows, {customers} customers, {len(data) / 1e6:.1f} MB of CSV; libcxm {cxm.version()}")
        ref_t, ref_bytes = None, None
        for name, fn in variants:
            t, snap = best(fn)
            if ref_bytes is None:
                ref_t, ref_bytes = t, snap
            same = "same store" if snap == ref_bytes else "DIFFERENT STORE"
            print(f"{name:52s} {t:7.3f} s  {rows / t / 1e6:6.2f} M rows/s  {t / ref_t:5.2f}x ingest(path)  {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
