"""Purchase models through the binding (Store.fit_purchase_model) against
`cxm churn --json`, which fits the same model from the same summaries: the
parameters, standard errors and log-likelihood, and every buyer's x, t_x,
T and P(alive), exactly; and the evaluation methods' own relations."""

import json
import math
import os
import subprocess
import unittest

import cxm

EXE = os.environ.get("CXM_EXE")
SAMPLE = os.environ.get("CXM_SAMPLE")


def churn_json(*args):
    return json.loads(subprocess.run([EXE, "churn", "--json", *args], check=True, stdout=subprocess.PIPE).stdout)


@unittest.skipUnless(EXE and SAMPLE, "needs CXM_EXE and CXM_SAMPLE (meson test sets them)")
class PurchaseParity(unittest.TestCase):
    def test_fit_equals_the_command(self):
        for model, extra, unit in (("mbgnbd", [], "W"), ("pnbd", ["--to", "2026-06-01"], "W"),
                                   ("bgnbd", ["--time-unit", "day"], "D")):
            doc = churn_json("--model", model, *extra, SAMPLE)
            with cxm.Store() as s:
                s.ingest(SAMPLE)
                to = extra[1] if extra[:1] == ["--to"] else None
                m = s.fit_purchase_model(model, to=to, unit=unit)
                self.assertEqual(m.kind, doc["model"]["name"])
                for name, v in m.params.items():
                    self.assertEqual(v, doc["model"][name], (model, name))
                    self.assertEqual(m.se[name], doc["model"]["se"][name], (model, name))
                self.assertEqual(m.loglik, doc["model"]["loglik"])
                self.assertEqual(m.customers, doc["model"]["customers"])
                self.assertEqual(m.converged, doc["model"]["converged"])
                self.assertEqual(list(m.degenerate), doc["model"]["degenerate"])
                summary = {p.customer: p for p in s.purchase_summary(to=to, unit=unit)}
                buyers = [c for c in doc["customers"] if c["p_alive"] is not None]
                self.assertGreater(len(buyers), 100)
                for c in buyers:
                    p = summary[c["customer"]]
                    self.assertEqual((p.frequency, p.recency, p.T), (c["x"], c["t_x"], c["T"]))
                    self.assertEqual(m.p_alive(p.frequency, p.recency, p.T), c["p_alive"], c["customer"])

    def test_store_tracking_equals_the_command(self):
        doc = churn_json("--model", "bgnbd", "--tracking", SAMPLE)["tracking"]
        n = len(doc["actual_cumulative"])
        self.assertGreater(n, 10)
        with cxm.Store() as s:
            s.ingest(SAMPLE)
            m = s.fit_purchase_model("bgnbd")
            actual, expected = s.tracking(m, n, start=doc["from"], period_days=doc["period_days"])
            self.assertEqual(actual, doc["actual_cumulative"])
            self.assertEqual(expected, doc["expected_cumulative"])
            only, none = s.tracking(None, n, start=doc["from"])
            self.assertEqual((only, none), (actual, None))
            with self.assertRaises(cxm.CxmError):  # an empty cohort window
                s.tracking(None, 3, start=doc["from"], cohort_end=doc["from"])
            with self.assertRaises(cxm.CxmError):
                s.tracking(m, 0)
            with self.assertRaises(cxm.CxmError):
                s.tracking(m, 3, start="2025-01-02T12:00:00Z")  # not a UTC midnight

    def test_model_relations(self):
        with cxm.Store() as s:
            s.ingest(SAMPLE)
            m = s.fit_purchase_model("bgnbd", unit="D")
            gg = s.fit_purchase_model("gg", unit="D")
            self.assertEqual(set(gg.params), {"p", "q", "v"})
            # the pmf sums to 1 and its mean is the population expectation
            probs = [m.pmf(90.0, k) for k in range(200)]
            self.assertAlmostEqual(sum(probs), 1.0, places=9)
            self.assertAlmostEqual(sum(k * q for k, q in enumerate(probs)), m.population(90.0), places=6)
            self.assertAlmostEqual(m.expected(90.0, 0, 0.0, 0.0), m.population(90.0), places=9)
            # CLV of one period without discount: expected purchases x expected spend
            e, sp = m.expected(30.0, 3, 200.0, 400.0), gg.expected_spend(3, 50.0)
            self.assertAlmostEqual(m.clv(gg, 3, 200.0, 400.0, 50.0, periods=1, period_length=30.0, discount=0.0),
                                   e * sp, places=9)
            self.assertTrue(0.0 <= m.p_alive(3, 200.0, 400.0) <= 1.0)
            # the conditional pmf sums to 1, its mean is the conditional
            # expectation and its k = 0 term the probability of no purchase
            cond = [m.conditional_pmf(90.0, k, 3, 200.0, 400.0) for k in range(200)]
            self.assertAlmostEqual(sum(cond), 1.0, places=9)
            self.assertAlmostEqual(sum(k * q for k, q in enumerate(cond)), m.expected(90.0, 3, 200.0, 400.0),
                                   places=6)
            self.assertEqual(m.conditional_pmf(90.0, 2, 0, 0.0, 0.0), m.pmf(90.0, 2))
            # the L2 penalty shrinks the parameters (sum of squares falls);
            # 0 is the plain fit; a negative coefficient is refused
            plain = s.fit_purchase_model("bgnbd", unit="D", penalizer_coef=0.0)
            self.assertEqual(plain.params, m.params)
            pen = s.fit_purchase_model("bgnbd", unit="D", penalizer_coef=0.01)
            self.assertLess(sum(v * v for v in pen.params.values()), sum(v * v for v in m.params.values()))
            self.assertLess(pen.loglik, m.loglik)
            with self.assertRaises(ValueError):
                s.fit_purchase_model("bgnbd", unit="D", penalizer_coef=-1.0)
            # tracking: two customers born at 0 and 10 days; the cumulative
            # series sums their expectations, the incremental its steps
            cum, inc = m.tracking([0.0, 10.0], 3, 30.0)
            self.assertAlmostEqual(cum[1], m.population(60.0) + m.population(50.0), places=9)
            self.assertAlmostEqual(sum(inc), cum[-1], places=9)
            cum2, _ = m.tracking([0.0, 10.0], 3, 30.0, weights=[2.0, 0.0])
            self.assertAlmostEqual(cum2[2], 2 * m.population(90.0), places=9)
            with self.assertRaises(ValueError):
                m.tracking([-1.0], 3, 30.0)
            with self.assertRaises(ValueError):
                m.p_alive(-1, 0.0, 1.0)
            with self.assertRaises(ValueError):
                m.p_alive(1, 5.0, 1.0)  # recency beyond T: CXM_E_VALUE
            with self.assertRaises(ValueError):
                s.fit_purchase_model("weibull")
            try:
                import pandas  # noqa: F401
            except ImportError:
                pass  # to_frame() is tested with pandas in "python pandas"
            else:
                f = m.to_frame()
                self.assertEqual(f["params_r"][0], m.params["r"])
                self.assertEqual(f["kind"][0], "bgnbd")
        with cxm.Store() as empty:
            with self.assertRaises(ValueError) as cm:
                empty.fit_purchase_model()
            self.assertEqual(cm.exception.name, "CXM_E_NO_DATA")


@unittest.skipUnless(EXE and SAMPLE, "needs CXM_EXE and CXM_SAMPLE (meson test sets them)")
class CompareParity(unittest.TestCase):
    """Store.compare equals `cxm report --compare month|week --json`."""

    def test_compare_equals_the_command(self):
        for period in ("month", "week"):
            doc = json.loads(subprocess.run([EXE, "report", "--json", "--compare", period, SAMPLE], check=True,
                                            stdout=subprocess.PIPE).stdout)["comparison"]
            with cxm.Store() as s:
                s.ingest(SAMPLE)
                groups = {g.key: g for g in s.groups(period)}
                by_window = [dict(start=doc[k]["from"], end=doc[k]["to"]) for k in ("first", "second")]
                for metric in ("nps", "csat"):
                    want = doc[metric]
                    for a, b in ((groups[doc["first"]["label"]], groups[doc["second"]["label"]]), by_window):
                        got = s.compare(metric, a, b)
                        self.assertEqual((got.n_first, got.n_second), (want["n_first"], want["n_second"]))
                        for k in ("first", "second", "diff", "se", "z", "p"):
                            self.assertEqual(getattr(got, k), want[k], (period, metric, k))
                        self.assertEqual(got.significant(doc["alpha"]), want["significant"])
                with self.assertRaises(ValueError):
                    s.compare("ces", {}, {})
                empty = s.compare("nps", {"channel": "never-seen"}, {})
                self.assertIsNone(empty.first)
                self.assertIsNone(empty.diff)


@unittest.skipUnless(EXE and SAMPLE, "needs CXM_EXE and CXM_SAMPLE (meson test sets them)")
class IngestWindowParity(unittest.TestCase):
    def test_window_equals_the_command(self):
        for lo, hi in (("2025-06-01", "2026-01-01"), ("2025-03-15T12:00:00Z", "2025-09-01T06:30:00Z")):
            doc = json.loads(subprocess.run([EXE, "report", "--json", "--from", lo, "--to", hi, SAMPLE], check=True,
                                            stdout=subprocess.PIPE).stdout)
            with cxm.Store() as s:
                got = s.ingest(SAMPLE, start=lo, end=hi)
                self.assertGreater(got.out_of_window, 0)
                self.assertEqual(got.rows, got.events + got.duplicates + got.out_of_window + got.rejected)
                self.assertEqual(s.nps().n, doc["overall"]["nps"]["n"])
                self.assertEqual(s.nps().score, doc["overall"]["nps"]["score"])
                st = s.stats()
                self.assertGreaterEqual(st.first, cxm._time(lo))
                self.assertLess(st.last, cxm._time(hi))


if __name__ == "__main__":
    unittest.main()


CDNOW = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "data", "cdnow")


@unittest.skipUnless(EXE and SAMPLE, "needs CXM_EXE and CXM_SAMPLE (meson test sets them)")
class SummaryParity(unittest.TestCase):
    """Purchase models on summaries that do not come from a store: a
    summary CSV (PurchaseModel.fit, load_purchase_summaries) equals `cxm
    churn --summary FILE --json`; the holdout check equals `cxm churn
    --holdout-to --json`; lapse odds and the log-likelihood agree with
    their definitions."""

    def test_summary_csv_fit_equals_the_command(self):
        for name, model in (("btyd_cdnowSummary_cbs.csv", "bgnbd"), ("cdnow_customers_summary.csv", "pnbd")):
            path = os.path.join(CDNOW, name)
            doc = churn_json("--summary", path, "--model", model)
            with open(path, "rb") as f:
                data = f.read()
            summaries = cxm.load_purchase_summaries(path)
            self.assertEqual(len(summaries), doc["model"]["customers"])
            for source in (path, data, summaries, [(p.frequency, p.recency, p.T) for p in summaries]):
                m = cxm.PurchaseModel.fit(source, model)
                for k, v in m.params.items():
                    self.assertEqual(v, doc["model"][k], (name, k))
                    self.assertEqual(m.se[k], doc["model"]["se"][k], (name, k))
                self.assertEqual(m.loglik, doc["model"]["loglik"])
            self.assertEqual(m.loglik_of(path), m.loglik)
            by_id = {p.customer: p for p in summaries}
            for c in doc["customers"][:200]:
                p = by_id[c["customer"]]
                self.assertEqual((p.frequency, p.recency, p.T), (c["x"], c["t_x"], c["T"]))
                self.assertEqual(m.p_alive(p.frequency, p.recency, p.T), c["p_alive"])
        with self.assertRaises(FileNotFoundError):
            cxm.load_purchase_summaries(os.path.join(CDNOW, "missing.csv"))
        with self.assertRaises(cxm.CxmValueError):
            cxm.load_purchase_summaries(b"frequency,recency,T\n1,5,2\n")  # recency beyond T

    def test_holdout_equals_the_command(self):
        doc = churn_json("--to", "2026-03-01", "--holdout-to", "2026-06-01", SAMPLE)
        want = doc["holdout"]
        with cxm.Store() as s:
            s.ingest(SAMPLE)
            m = s.fit_purchase_model("mbgnbd", to="2026-03-01")
            summaries = s.purchase_summary(to="2026-03-01", holdout_to="2026-06-01", unit="W")
            h = m.holdout(summaries, (1780272000 - 1772323200) / 604800.0)
        self.assertEqual((h.customers, h.actual, h.expected), (want["customers"], want["actual"], want["expected"]))
        for b, w in zip(range(8), want["by_frequency"]):
            self.assertEqual((h.bin_customers[b], h.bin_actual[b], h.bin_expected[b]),
                             (w["customers"], w["actual"], w["expected"]))

    def test_p_no_purchase(self):
        with cxm.Store() as s:
            s.ingest(SAMPLE)
            m = s.fit_purchase_model("bgnbd", unit="D")
            self.assertEqual(m.p_no_purchase(0.0, 3, 200.0, 400.0), 1.0)
            far = m.p_no_purchase(1e7, 3, 200.0, 400.0)
            self.assertAlmostEqual(far, 1.0 - m.p_alive(3, 200.0, 400.0), places=6)
            self.assertGreater(m.p_no_purchase(30.0, 3, 200.0, 400.0), far)
