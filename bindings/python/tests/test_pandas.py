"""DataFrames in and out: record_frame() against ingest() of the same rows
as CSV (equal snapshot bytes), ingest() of bytes and file-like objects,
to_frame() of every result, the purchase summary in lifetimes' shape.

Needs pandas (Debian: python3-pandas, installed by tools/deps.sh); skipped,
saying so, only in an interpreter without it. meson's "python pandas" test
runs this file with an interpreter that has pandas (/usr/bin/python3 when
the python3 on PATH lacks it)."""

import io
import math
import os
import random
import sys
import unittest

import cxm

try:
    import numpy as np
    import pandas as pd
except ImportError:  # pragma: no cover - depends on the interpreter
    pd = None

SAMPLE = os.environ.get("CXM_SAMPLE", os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "data",
                                                   "sample_events.csv"))
NEED = unittest.skipIf(pd is None, f"pandas is not installed for {sys.executable} (Debian: apt-get install "
                                   "python3-pandas; the 'python pandas' meson test uses an interpreter that has it)")


def generated(n: int, seed: int = 7) -> "pd.DataFrame":
    """n valid events of every kind, with channels, segments, stages, refs, ids."""
    rnd = random.Random(seed)
    rows = []
    t0 = 1_735_689_600  # 2025-01-01
    for i in range(n):
        kind = rnd.choice(["nps", "csat", "ces", "purchase", "complaint", "internal", "contact_open", "perception",
                           "rating"])
        value = {"nps": rnd.randint(0, 10), "csat": rnd.randint(1, 5), "ces": rnd.randint(1, 7),
                 "purchase": round(rnd.uniform(1, 200), 2), "internal": rnd.randint(0, 100),
                 "perception": rnd.randint(1, 7), "rating": rnd.randint(1, 7)}.get(kind)
        rows.append({
            "time": t0 + rnd.randrange(0, 400 * 86400),
            "customer": f"c-{rnd.randrange(300):04d}",
            "kind": kind,
            "value": value,
            "channel": rnd.choice(["email", "chat", "web", "my_shop", None]),
            "stage": rnd.choice(["awareness", "purchase", "use", None]),
            "segment": rnd.choice(["smb", "enterprise", "consumer ünï", None]),
            "ref": f"r-{i}" if kind == "contact_open" else f"r-{i % 50}" if kind == "rating" else None,
            # a rating's dimension is an attribute label; "empathy" is one too, not the SERVQUAL dimension
            "dimension": "empathy" if kind == "perception" else rnd.choice(["Wait time", "empathy", "Prix ü"])
            if kind == "rating" else None,
            "id": f"e-{rnd.randrange(n * 2)}",  # some duplicates
        })
    return pd.DataFrame(rows)


def to_csv_bytes(df: "pd.DataFrame") -> bytes:
    out = df.copy()
    out["time"] = pd.to_datetime(out["time"], unit="s", utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["value"] = out["value"].map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                                    else repr(float(v)) if isinstance(v, float) else str(int(v)))
    return out.to_csv(index=False, na_rep="").encode()


@NEED
class RoundTrip(unittest.TestCase):
    def assertSameStore(self, a: cxm.Store, b: cxm.Store) -> None:
        self.assertEqual(a.stats().events, b.stats().events)
        self.assertEqual(a.to_bytes(), b.to_bytes())

    def test_sample_as_text_frame(self):
        df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).replace({"": None})
        with cxm.Store() as a, cxm.Store() as b:
            got = a.ingest(SAMPLE)
            r = b.record_frame(df)
            self.assertEqual((r.rows, r.events, r.duplicates, r.rejected), (got.rows, got.events, got.duplicates, 0))
            self.assertSameStore(a, b)

    def test_sample_typed_frame(self):
        # pandas' own types: datetime64 with a zone, categoricals, floats with NaN.
        df = pd.read_csv(SAMPLE, keep_default_na=True)
        df["time"] = pd.to_datetime(df["time"], utc=True)
        for c in ("customer", "kind", "channel", "segment", "stage"):
            df[c] = df[c].astype("category")
        self.assertTrue(pd.api.types.is_datetime64_any_dtype(df["time"]))
        with cxm.Store() as a, cxm.Store() as b:
            a.ingest(SAMPLE)
            r = b.record_frame(df)
            self.assertEqual(r.rejected, 0, r.errors[:3])
            self.assertSameStore(a, b)
            self.assertEqual(a.nps().to_frame().to_dict(), b.nps().to_frame().to_dict())

    def test_generated_frames(self):
        for seed, n in ((1, 50), (2, 3000), (3, 1)):
            df = generated(n, seed)
            with cxm.Store() as a, cxm.Store() as b, cxm.Store() as c:
                got = a.ingest(to_csv_bytes(df))
                self.assertEqual(got.rejected, 0, got.errors[:3])
                r = b.record_frame(df)
                self.assertEqual((r.events, r.duplicates, r.rejected), (got.events, got.duplicates, 0))
                self.assertSameStore(a, b)
                c.ingest(io.BytesIO(to_csv_bytes(df)))  # a file-like object, through the streaming reader
                self.assertSameStore(a, c)

    def test_time_text_as_the_reader_reads_it(self):
        # The vectorised "YYYY-MM-DDTHH:MM:SSZ" path and the library's parser
        # must accept and place exactly what the reader does.
        times = ["2024-02-29T23:59:59Z", "2025-02-29T10:00:00Z", "2025-02-30T10:00:00Z", "1969-12-31T23:59:59Z",
                 "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2025-03-01T24:00:00Z", "2025-03-01T10:60:00Z",
                 "2025-03-01T10:00:60Z", "2025-03-01t10:00:00z", "2025-03-01T10:00:00+02:00", "2025-03-01T10:00:00.9Z",
                 "2025-3-01T10:00:00Z", "2025-03-01T10:00:00", "2000-13-01T00:00:00Z", "2100-02-29T00:00:00Z",
                 "2000-02-29T12:34:56Z", "2025-12-31T23:59:59Z", "2025-03-01T10:00:00ZZ", " 2025-03-01T10:00:00Z"]
        df = pd.DataFrame({"time": times, "customer": [f"c{i}" for i in range(len(times))], "kind": "nps",
                           "value": 5})
        csv = "time,customer,kind,value\n" + "".join(f"{t},c{i},nps,5\n" for i, t in enumerate(times))
        with cxm.Store() as a, cxm.Store() as b:
            got = a.ingest(csv.encode(), trim=False)
            r = b.record_frame(df)
            self.assertEqual(r.rejected, got.rejected)
            self.assertEqual(sorted(e.line for e in r.errors), sorted(e.line - 2 for e in got.errors))
            self.assertGreater(r.rejected, 5)
            self.assertGreater(r.events, 5)
            self.assertEqual(a.to_bytes(), b.to_bytes())

    def test_ingest_offset_text(self):
        data = b"time,customer,kind,value\n2025-03-01 10:00,a,nps,9\n"
        with cxm.Store() as a, cxm.Store() as b:
            a.ingest(data, time_format="%Y-%m-%d %H:%M", utc_offset="+05:30")
            b.ingest(data, time_format="%Y-%m-%d %H:%M", utc_offset=19800)
            self.assertEqual(a.stats().first, 1740823200 - 19800)
            self.assertEqual(a.to_bytes(), b.to_bytes())
            with self.assertRaises(ValueError):
                a.ingest(data, utc_offset="5h")

    def test_renamed_columns_and_codes(self):
        df = generated(200, 5)
        renamed = df.rename(columns={"time": "ts", "customer": "user", "kind": "event", "value": "score"})
        with cxm.Store() as a, cxm.Store() as b:
            a.record_frame(df)
            b.record_frame(renamed, time="ts", customer="user", kind="event", value="score")
            self.assertSameStore(a, b)

    def test_naive_times_need_tz(self):
        df = pd.DataFrame({"time": pd.to_datetime(["2025-03-01 10:00:00", "2025-03-02 11:30:00"]),
                           "customer": ["a", "b"], "kind": ["nps", "nps"], "value": [9, 3]})
        with cxm.Store() as s:
            with self.assertRaises(ValueError) as cm:  # a CxmValueError, CXM_E_TIME
                s.record_frame(df)
            self.assertEqual(cm.exception.name, "CXM_E_TIME")
            self.assertIn("tz=", str(cm.exception))
            self.assertEqual(s.stats().events, 0)  # nothing recorded
            s.record_frame(df, tz="Europe/Paris")
            self.assertEqual(s.stats().first, 1740819600)  # 10:00 in Paris (+01:00) is 09:00 UTC
        with cxm.Store() as a, cxm.Store() as b:
            a.record_frame(df, tz="UTC")
            b.ingest(b"time,customer,kind,value\n2025-03-01T10:00:00Z,a,nps,9\n2025-03-02T11:30:00Z,b,nps,3\n")
            self.assertEqual(a.to_bytes(), b.to_bytes())

    def test_bad_rows_are_listed(self):
        df = pd.DataFrame({"time": ["2025-03-01T10:00:00Z", "yesterday", "2025-03-01T11:00:00Z", "2025-03-01T12:00:00Z"],
                           "customer": ["a", "b", "c", None], "kind": ["nps", "nps", "bogus", "nps"],
                           "value": [9, 1, 2, 5]})
        with cxm.Store() as s:
            r = s.record_frame(df)
            self.assertEqual((r.rows, r.events, r.rejected), (4, 1, 3))
            self.assertEqual([(e.line, e.column, e.name) for e in r.errors],
                             [(1, "time", "CXM_E_TIME"), (2, "kind", "CXM_E_KIND"), (3, "customer", "CXM_E_CUSTOMER")])
            self.assertEqual(list(r.statuses), [0, -6, -7, -4])
            # An out-of-range value is rejected by the library, per row.
            r = s.record_frame(pd.DataFrame({"time": [1740823200, 1740823200], "customer": ["x", "y"],
                                             "kind": ["nps", "nps"], "value": [11, 10]}))
            self.assertEqual([(e.line, e.column, e.name) for e in r.errors], [(0, "value", "CXM_E_VALUE")])
            self.assertEqual(s.stats().events, 2)

    def test_missing_columns(self):
        df = pd.DataFrame({"time": [0], "customer": ["a"], "kind": ["nps"], "value": [1]})
        with cxm.Store() as s:
            with self.assertRaises(KeyError) as cm:
                s.record_frame(df.drop(columns=["kind"]))
            self.assertIsInstance(cm.exception, cxm.CxmError)
            with self.assertRaises(KeyError):
                s.record_frame(df, channel="chan")  # named explicitly, absent
            with self.assertRaises(TypeError):
                s.record_frame(df.to_dict())
            self.assertEqual(s.stats().events, 0)


@NEED
class Frames(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.store = cxm.Store()
        cls.store.ingest(SAMPLE)

    @classmethod
    def tearDownClass(cls):
        cls.store.close()

    def test_metric_frames_are_flat(self):
        s = self.store
        n = s.nps()
        f = n.to_frame()
        self.assertEqual(len(f), 1)
        self.assertEqual(f["nps"][0], n.score)
        self.assertEqual((f["nps_ci_low"][0], f["nps_ci_high"][0]), n.ci95)
        self.assertEqual(f["nps_n"][0], n.n)
        for r in (n, s.csat(), s.ces(), s.gap(), s.servqual(), s.service(), s.loyalty(), s.consistency(), s.stats()):
            f = r.to_frame()
            self.assertEqual(len(f), 1, type(r).__name__)
            for col in f.columns:
                self.assertNotIsInstance(f[col][0], (tuple, dict, list), (type(r).__name__, col))
        self.assertEqual(s.csat().to_frame()["csat"][0], s.csat().score)
        self.assertEqual(s.ces().to_frame()["ces"][0], s.ces().mean)
        st = s.stats().to_frame()
        self.assertEqual(str(st["first"].dt.tz), "UTC")
        self.assertEqual(st["first"][0].timestamp(), s.stats().first)
        self.assertEqual(s.stats().first_time.timestamp(), s.stats().first)

    def test_groups_frame(self):
        for by in ("channel", "segment", "month"):
            groups = self.store.groups(by)
            f = groups.to_frame()
            self.assertEqual(f.index.name, by)
            self.assertEqual(list(f.index), [g.key for g in groups])
            for g in groups:
                row = f.loc[g.key]
                self.assertEqual(row["nps_n"], g.nps.n)
                self.assertEqual(row["csat_n"], g.csat.n)
                if g.nps.score is None:
                    self.assertTrue(math.isnan(row["nps"]))
                else:
                    self.assertEqual(row["nps"], g.nps.score)
                    self.assertEqual(row["nps_ci_high"], g.nps.ci95[1])

    def test_slice_tests_and_holdout_frames(self):
        tests = self.store.slice_tests("channel", "nps")
        f = tests.to_frame()
        self.assertEqual(list(f.index), [t.key for t in tests])
        for t in tests:
            self.assertEqual(f.loc[t.key, "n"], t.n)
            self.assertEqual(f.loc[t.key, "low_base"], bool(t.low_base))
            self.assertEqual(f.loc[t.key, "low_base_reasons"], ",".join(t.low_base))
            if t.p is not None:
                self.assertEqual(f.loc[t.key, "p_adjusted"], t.p_adjusted)
        m = self.store.fit_purchase_model("mbgnbd", to="2026-03-01")
        h = m.holdout(self.store.purchase_summary(to="2026-03-01", holdout_to="2026-06-01", unit="W"), 13.0)
        hf = h.to_frame()
        self.assertEqual(list(hf["customers"]), h.bin_customers)
        self.assertEqual(hf.attrs["total"]["customers"], h.customers)
        self.assertEqual(cxm.plan_sample_size("csat", 3).to_frame()["n"][0], cxm.plan_sample_size("csat", 3).n)

    def test_group_experience_frame(self):
        groups = self.store.group_experience("channel")
        f = groups.to_frame()
        self.assertEqual(list(f.index), [g.key for g in groups])
        for g in groups:
            self.assertEqual(f.loc[g.key, "service_contacts"], g.service.contacts)
            self.assertEqual(f.loc[g.key, "loyalty_churned"], g.loyalty.churned)
            self.assertEqual(f.loc[g.key, "gap_pairs"], g.gap.pairs)
        for col in f.columns:
            self.assertNotIsInstance(f[col].iloc[0], (tuple, dict, list), col)

    def test_churn_frame(self):
        ch = self.store.churn(to="2026-06-01", horizon_days=60)
        f = ch.to_frame()
        self.assertEqual(len(f), len(ch.customers))
        self.assertEqual(list(f.index), [c.customer for c in ch.customers])
        for c in ch.customers[:50]:
            row = f.loc[c.customer]
            self.assertEqual(row["risk"], c.risk)
            self.assertEqual(row["band"], c.band)
            for k, v in c.features.items():
                self.assertEqual(row[k], v)
                self.assertEqual(row[f"contribution_{k}"], c.contributions[k])
            for i, d in enumerate(c.drivers):
                self.assertEqual((row[f"driver_{i + 1}"], row[f"driver_{i + 1}_weight"]), (d.factor, d.weight))
        self.assertEqual(f.attrs["model"]["scored_at"], pd.Timestamp("2026-06-01", tz="UTC"))
        self.assertEqual(ch.model.scored_at_time.isoformat(), "2026-06-01T00:00:00+00:00")
        if ch.model.evaluation is not None:
            self.assertEqual(len(ch.model.evaluation.to_frame()), len(ch.model.evaluation.calibration))

    def test_feature_table_frame(self):
        rows = self.store.features(cutoff="2026-04-01", horizon_days=60)
        f = rows.to_frame()
        self.assertEqual(list(f.index), [r.customer for r in rows])
        self.assertEqual(list(f.columns)[-1], "label")
        for r in rows[:40]:
            self.assertEqual(f.loc[r.customer, "label"], r.label)
            for k, v in r.features.items():
                self.assertEqual(f.loc[r.customer, k], v)

    def test_purchase_model_frame(self):
        m = self.store.fit_purchase_model("bgnbd", unit="D")
        f = m.to_frame()
        self.assertEqual(len(f), 1)
        self.assertEqual(f["kind"][0], "bgnbd")
        for k, v in m.params.items():
            self.assertEqual(f[f"params_{k}"][0], v)
            self.assertEqual(f[f"se_{k}"][0], m.se[k])
        self.assertEqual(f["loglik"][0], m.loglik)
        self.assertNotIn("_raw", f.columns)

    def test_purchase_summary_lifetimes_shape(self):
        # Hand-checked against the definition lifetimes uses: days, the
        # first purchase day is the birth, monetary_value the mean of the
        # repeat days (0 without one).
        with cxm.Store() as s:
            for day, amount in ((0, 10.0), (0, 5.0), (3, 20.0), (10, 40.0)):
                s.record("a", 1_735_689_600 + day * 86400 + 3600, "purchase", amount)
            s.record("b", 1_735_689_600 + 5 * 86400, "purchase", 7.0)
            s.record("z", 1_735_689_600 + 20 * 86400, "nps", 9)  # observation ends with day 20
            f = s.purchase_summary().to_frame()
            self.assertEqual(list(f.columns), ["frequency", "recency", "T", "monetary_value"])
            self.assertEqual(f.loc["a"].tolist(), [2, 10.0, 20.0, 30.0])
            self.assertEqual(f.loc["b"].tolist(), [0, 0.0, 15.0, 0.0])
            w = s.purchase_summary(unit="W").to_frame()
            self.assertAlmostEqual(w.loc["a", "T"], 20 / 7)
            h = s.purchase_summary(to="2025-01-10", holdout_to="2025-01-21").to_frame()
            self.assertEqual(h.loc["a", "frequency_holdout"], 1)
            # calendar weeks: pandas' Period("W") (weeks ending on Sunday,
            # lifetimes' freq "W") of the purchase dates and of the last day
            import pandas as pd
            c = s.purchase_summary(unit="W-SUN").to_frame()
            wk = lambda day: (pd.Timestamp("2025-01-01") + pd.Timedelta(days=day)).to_period("W")
            self.assertEqual(c.loc["a"].tolist(), [1, (wk(10) - wk(0)).n, (wk(20) - wk(0)).n, 40.0])
            self.assertEqual(c.loc["b"].tolist(), [0, 0.0, (wk(20) - wk(5)).n, 0.0])
            with self.assertRaises(ValueError):
                s.purchase_summary(unit="M")


@NEED
class Snapshots(unittest.TestCase):
    def test_save_load_merge(self):
        import tempfile
        df = generated(400, 11)
        with cxm.Store() as whole, cxm.Store() as a, cxm.Store() as b, tempfile.TemporaryDirectory() as d:
            whole.record_frame(df)
            a.record_frame(df.iloc[:150].drop(columns=["id"]))
            b.record_frame(df.iloc[150:].drop(columns=["id"]))
            a.merge(b)
            with cxm.Store() as w2:
                w2.record_frame(df.drop(columns=["id"]))
                self.assertEqual(a.nps().to_frame().to_dict(), w2.nps().to_frame().to_dict())
            path = os.path.join(d, "s.cxm")
            whole.save(path)
            with cxm.Store.load(path) as back, cxm.Store.from_bytes(whole.to_bytes()) as back2:
                self.assertEqual(back.to_bytes(), whole.to_bytes())
                self.assertEqual(back2.to_bytes(), whole.to_bytes())
            with self.assertRaises(FileNotFoundError) as cm:
                cxm.Store.load(os.path.join(d, "missing.cxm"))
            self.assertEqual(cm.exception.filename, os.path.join(d, "missing.cxm"))
            with self.assertRaises(FileNotFoundError) as cm:
                whole.save(os.path.join(d, "no", "such", "dir", "s.cxm"))
            self.assertEqual(cm.exception.status, -21)
            with self.assertRaises(ValueError):
                cxm.Store.from_bytes(b"not a snapshot at all, no")
            with cxm.Store() as c:  # an event id in both stores: a conflict, nothing changes
                c.record_frame(df.iloc[:5])
                before = whole.to_bytes()
                with self.assertRaises(ValueError) as cm:
                    whole.merge(c)
                self.assertEqual(cm.exception.name, "CXM_E_CONFLICT")
                self.assertEqual(whole.to_bytes(), before)


if __name__ == "__main__":
    unittest.main()
