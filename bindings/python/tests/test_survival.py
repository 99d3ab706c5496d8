"""cxm.survival: the binding returns what the C tests check against R and
numpy (tests/data/survival, tests/data/drivers), through ctypes."""
import csv
import math
import os
import unittest

from cxm import survival

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "data")


def ref(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, v = line.split()
            out[k] = float(v)
    return out


class SurvivalTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(ROOT, "survival", "data.csv")) as f:
            cls.rows = list(csv.DictReader(f))

    def col(self, name, conv=float):
        return [conv(r[name]) for r in self.rows]

    def test_kaplan_meier_delayed_entry(self):
        r = ref(os.path.join(ROOT, "survival", "ref_km_entry.txt"))
        km = survival.kaplan_meier(self.col("time"), self.col("event", int), entry=self.col("entry"), tau=30)
        self.assertEqual(len(km.steps), int(r["steps"]))
        for i, st in enumerate(km.steps):
            self.assertAlmostEqual(st.surv, r[f"surv[{i}]"], places=12)
            self.assertEqual(st.n_risk, r[f"n_risk[{i}]"])
        self.assertEqual(km.median, r["median"])
        self.assertAlmostEqual(km.rmst, r["rmean"], places=10)

    def test_logrank(self):
        r = ref(os.path.join(ROOT, "survival", "ref_logrank.txt"))
        lr = survival.logrank(self.col("time"), self.col("event", int), self.col("group", int))
        self.assertAlmostEqual(lr.chisq, r["chisq"], places=10)
        self.assertEqual(lr.df, 2)

    def test_cox_efron(self):
        r = ref(os.path.join(ROOT, "survival", "ref_cox_efron.txt"))
        x = list(zip(self.col("x1"), self.col("x2")))
        fit = survival.cox(self.col("time"), self.col("event", int), x, ties="efron")
        for j, c in enumerate(fit.coefficients):
            self.assertAlmostEqual(c.beta, r[f"coef[{j}]"], places=7)
            self.assertAlmostEqual(c.se, r[f"se[{j}]"], places=7)
        self.assertTrue(fit.converged)

    def test_sbg(self):
        fit = survival.sbg_fit([1000, 631, 468, 382, 326, 289, 262, 241])
        self.assertAlmostEqual(fit.alpha, 0.704, places=3)
        self.assertAlmostEqual(fit.beta, 1.182, places=3)
        self.assertAlmostEqual(survival.sbg_survival(fit.alpha, fit.beta, 0), 1.0)

    def test_drivers(self):
        r = ref(os.path.join(ROOT, "drivers", "ref_linear.txt"))
        with open(os.path.join(ROOT, "drivers", "linear.csv")) as f:
            rows = [list(map(float, row)) for row in list(csv.reader(f))[1:]]
        res = survival.drivers([row[0] for row in rows], [row[1:] for row in rows], bootstrap=20, seed=5)
        self.assertAlmostEqual(res.r2, r["r2"], places=12)
        for j, d in enumerate(res.drivers):
            self.assertAlmostEqual(d.weight, r[f"raw[{j}]"], places=12)
            self.assertAlmostEqual(d.shapley, r[f"shapley[{j}]"], places=12)
        again = survival.drivers([row[0] for row in rows], [row[1:] for row in rows], bootstrap=20, seed=5)
        self.assertEqual(res, again)

    def test_store_functions(self):
        import cxm
        with cxm.Store() as s:
            s.record("a", "2025-01-05T10:00:00Z", "purchase", 10)
            s.record("a", "2025-01-07T10:00:00Z", "nps", 3)
            s.record("b", "2025-02-03T10:00:00Z", "purchase", 10)
            s.record("b", "2025-03-03T10:00:00Z", "purchase", 10)
            rows = survival.retention_rows(s, "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z", lapse_days=30)
            self.assertEqual([(r.entry, r.time, r.lost, r.nps) for r in rows],
                             [(0.0, 3.0, True, "detractor"), (0.0, 29.0, True, "none")])
            coh = survival.cohorts(s, "2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z")
            self.assertEqual([c[1] for c in coh], [1, 1, 0])
            self.assertEqual(coh[1][2], [1, 1])
            with self.assertRaises(cxm.CxmError):
                survival.store_drivers(s, bootstrap=0)  # too few complete customers
            # groups: a's earliest event naming a channel and segment; b's
            # contact opened Monday 16:00, answered Tuesday 16:30: 8.5
            # business hours, beyond the default 8, within 9
            s.record("a", "2025-01-06T10:00:00Z", "purchase", 10, channel="web", segment="smb")
            s.record("a", "2025-01-05T09:00:00Z", "complaint", channel="email", segment="ent")
            s.record("b", "2025-02-03T16:00:00Z", "contact_open", ref="t1")
            s.record("b", "2025-02-04T16:30:00Z", "contact_reply", ref="t1")
            rows = survival.retention_rows(s, "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z", lapse_days=30)
            self.assertEqual([(r.channel, r.segment, r.sla) for r in rows],
                             [("email", "ent", "none"), ("unknown", "unknown", "breached")])
            rows = survival.retention_rows(s, "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z", lapse_days=30,
                                           sla_target=9 * 3600)
            self.assertEqual(rows[1].sla, "met")

    def test_ratings_and_drivers_by_ref(self):
        """The rating kind through record(), and the rows by ref: the same
        file and reference as tests/test_drivers.c (tools/drivers_reference.py)."""
        import cxm
        self.assertEqual(cxm.kinds()[-1], "rating")
        with cxm.Store() as s:
            self.assertTrue(s.record("a", "2025-01-05T10:00:00Z", "rating", 6, ref="t1", dimension="Wait time"))
            self.assertTrue(s.record("a", "2025-01-05T10:01:00Z", "nps", 9, ref="t1"))
            self.assertEqual(s.find_attribute("Wait time"), 1)
            self.assertIsNone(s.find_attribute("wait time"))
            self.assertEqual(s.attribute("Price"), 2)
            self.assertEqual(s.attribute_name(1), "Wait time")
            self.assertIsNone(s.attribute_name(3))
            with self.assertRaises(cxm.CxmError) as e:
                s.record("a", "2025-01-05T10:00:00Z", "rating", 8, dimension="Price")
            self.assertEqual(e.exception.status, -8)  # CXM_E_VALUE
            with self.assertRaises(cxm.CxmError):
                s.record("a", "2025-01-05T10:00:00Z", "rating", 3)  # no attribute
            t = survival.store_driver_table(s, by="ref")
            self.assertEqual(t.y, [9.0])
            self.assertEqual(t.attributes[5:], ["Wait time", "Price"])
            self.assertEqual(t.x[0][5], 6.0)
            self.assertTrue(math.isnan(t.x[0][6]))
        with cxm.Store() as s:
            s.ingest(os.path.join(ROOT, "drivers", "by_ref_events.csv"))
            r = ref(os.path.join(ROOT, "drivers", "ref_by_ref.txt"))
            res = survival.store_drivers(s, by="ref", bootstrap=0)
            self.assertEqual(res.attributes, ["reliability", "Wait time", "Courtesy", "Resolution"])
            self.assertEqual(res.n_rows, r["rows"])
            self.assertEqual(res.n_used, r["used"])
            self.assertAlmostEqual(res.r2, r["r2"], places=12)
            for j, d in enumerate(res.drivers):
                self.assertAlmostEqual(d.weight, r[f"raw[{j}]"], places=12)
                self.assertAlmostEqual(d.shapley, r[f"shapley[{j}]"], places=12)

    def test_survival_at_and_sbg_retention(self):
        km = survival.kaplan_meier([1, 2, 3, 3, 4], [1, 0, 1, 1, 0], at=[0, 1, 2.5, 3, 10])
        steps = {st.time: st.surv for st in km.steps}
        self.assertEqual(km.survival_at, (1.0, steps[1.0], steps[2.0], steps[3.0], steps[4.0]))
        # r_t = S(t) / S(t - 1)
        for t in (1, 2, 5):
            self.assertAlmostEqual(survival.sbg_retention(0.7, 2.5, t),
                                   survival.sbg_survival(0.7, 2.5, t) / survival.sbg_survival(0.7, 2.5, t - 1),
                                   places=12)

    @unittest.skipUnless(os.environ.get("CXM_EXE") and os.environ.get("CXM_SAMPLE"), "needs CXM_EXE, CXM_SAMPLE")
    def test_retention_parity(self):
        # `cxm retention --cox --json`: S(t) at its marks from the store's
        # rows, and the Cox model (Efron) on the time-varying rows.
        import json
        import subprocess
        import cxm
        exe, sample = os.environ["CXM_EXE"], os.environ["CXM_SAMPLE"]
        doc = json.loads(subprocess.run([exe, "retention", "--cox", "--json", sample], check=True,
                                        stdout=subprocess.PIPE).stdout)
        with cxm.Store() as s:
            s.ingest(sample)
            rows = survival.retention_rows(s, doc["from"], doc["to"], lapse_days=doc["lapse_days"])
            marks = [float(k) for k in doc["groups"][0]["survival_at"]]
            km = survival.kaplan_meier([r.time for r in rows], [r.lost for r in rows], [r.entry for r in rows],
                                       at=marks)
            self.assertEqual(list(km.survival_at), list(doc["groups"][0]["survival_at"].values()))
            tv = survival.retention_tv_rows(s, doc["from"], doc["to"], lapse_days=doc["lapse_days"])
        cox = doc["cox"]
        self.assertEqual(len(tv), cox["rows"])
        self.assertEqual(sum(r.lost for r in tv), cox["lost"])
        fit = survival.cox([r.stop for r in tv], [r.lost for r in tv],
                           [[r.x[c] for c in survival.TV_COVARIATES] for r in tv],
                           start=[r.start for r in tv], ties="efron")
        self.assertEqual(fit.lr_chisq, cox["lr_chisq"])
        for c, want in zip(fit.coefficients, cox["coefficients"]):
            self.assertEqual((c.beta, c.se, c.hr, [c.hr_lower, c.hr_upper], c.p),
                             (want["beta"], want["se"], want["hazard_ratio"], want["interval"], want["p"]))

    def test_errors(self):
        from cxm import CxmError
        with self.assertRaises(CxmError):
            survival.kaplan_meier([1, float("nan")], [1, 0])
        with self.assertRaises(CxmError):
            survival.sbg_fit([100, 100])


if __name__ == "__main__":
    unittest.main()
