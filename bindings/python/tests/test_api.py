"""The binding's own behaviour: struct layouts, hand-worked metrics, input
conversions, and the mapping of C statuses to CxmError."""

import datetime as dt
import math
import os
import tempfile
import unittest

import cxm
from cxm import _lib


class Layout(unittest.TestCase):
    def test_sizes_match_the_library(self):
        # The C init functions write sizeof(struct) into `size`.
        sizes = _lib.check_layouts(_lib.lib())
        self.assertEqual(len(sizes), 7)
        for name, (c_size, py_size) in sizes.items():
            with self.subTest(struct=name):
                self.assertEqual(c_size, py_size)

    def test_version(self):
        self.assertRegex(cxm.version(), r"^\d+\.\d+\.\d+$")


class HandWorked(unittest.TestCase):
    def test_nps_csat_ces(self):
        with cxm.Store() as s:
            # NPS 10, 9, 7, 0: 2 promoters, 1 passive, 1 detractor ->
            # 100 * (2 - 1) / 4 = 25 (docs/metrics.md).
            for i, v in enumerate([10, 9, 7, 0]):
                s.record(f"c{i}", "2025-01-01T10:00:00Z", "nps", v, channel="email")
            r = s.nps()
            self.assertEqual((r.n, r.promoters, r.passives, r.detractors), (4, 2, 1, 1))
            self.assertAlmostEqual(r.score, 25.0, places=12)
            # se = 100 * sqrt((p + d - (p - d)^2) / n) with p = .5, d = .25:
            # sqrt((0.75 - 0.0625) / 4) = 0.414578...
            self.assertAlmostEqual(r.se, 100 * math.sqrt((0.75 - 0.0625) / 4), places=9)
            # CSAT 5, 4, 2: 2 of 3 satisfied -> 66.67, mean 11 / 3.
            for i, v in enumerate([5, 4, 2]):
                s.record(f"c{i}", 1735725600, "csat", v)
            c = s.csat()
            self.assertEqual((c.n, c.satisfied), (3, 2))
            self.assertAlmostEqual(c.score, 200 / 3, places=12)
            self.assertAlmostEqual(c.mean, 11 / 3, places=12)
            # One CES answer: the mean is it, sd and interval absent (None).
            s.record("c0", dt.datetime(2025, 1, 1, 10, tzinfo=dt.timezone.utc), "ces", 6)
            e = s.ces()
            self.assertEqual((e.n, e.mean, e.sd, e.ci95), (1, 6.0, None, (None, None)))
            # The email slice holds only the NPS answers.
            self.assertEqual(s.nps(channel="email").n, 4)
            self.assertEqual(s.csat(channel="email").n, 0)
            self.assertIsNone(s.csat(channel="email").score)

    def test_empty_is_none_not_zero(self):
        with cxm.Store() as s:
            r = s.nps()
            self.assertEqual(r.n, 0)
            self.assertIsNone(r.score)
            self.assertEqual(r.ci95, (None, None))
            self.assertEqual(s.gap().pairs, 0)
            self.assertIsNone(s.servqual().score)
            self.assertIsNone(s.loyalty().compliment_ratio)
            self.assertEqual(s.groups("channel"), [])
            st = s.stats()
            self.assertEqual((st.events, st.first, st.last), (0, None, None))

    def test_time_forms_agree(self):
        # int seconds, RFC 3339 text, an aware datetime, a naive one (UTC)
        # and a date (its UTC midnight) all name the same instant.
        t = 1735689600  # 2025-01-01T00:00:00Z
        forms = [t, "2025-01-01T00:00:00Z", dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
                 dt.datetime(2025, 1, 1), dt.date(2025, 1, 1),
                 dt.datetime(2025, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))]
        for f in forms:
            with self.subTest(form=repr(f)), cxm.Store() as s:
                s.record("a", f, "nps", 9)
                st = s.stats()
                self.assertEqual((st.first, st.last), (t, t))

    def test_duplicates_and_windows(self):
        with cxm.Store() as s:
            self.assertTrue(s.record("a", "2025-01-01T10:00:00Z", "nps", 9, id="e1"))
            self.assertFalse(s.record("a", "2025-01-01T10:00:00Z", "nps", 0, id="e1"))
            self.assertTrue(s.record("a", "2025-01-02T10:00:00Z", "nps", 0, id="e2"))
            self.assertEqual(s.stats().duplicates, 1)
            self.assertEqual(s.nps().n, 2)
            day1 = s.nps(start="2025-01-01T00:00:00Z", end="2025-01-02T00:00:00Z")
            self.assertEqual((day1.n, day1.score), (1, 100.0))
            months = s.groups("month")
            self.assertEqual([g.key for g in months], ["2025-01"])
            self.assertEqual(s.nps(months[0]).n, 2)

    def test_experience_events(self):
        with cxm.Store() as s:
            s.record("a", "2025-01-06T09:00:00Z", "contact_open", ref="r1", channel="phone")
            s.record("a", "2025-01-06T09:30:00Z", "contact_reply", ref="r1", channel="phone")
            s.record("a", "2025-01-06T10:00:00Z", "contact_resolve", ref="r1", channel="phone")
            s.record("a", "2025-01-06T10:00:00Z", "internal", 90, ref="r1")
            s.record("a", "2025-01-06T10:05:00Z", "csat", 3, ref="r1")
            s.record("a", "2025-01-06T10:06:00Z", "expectation", 6, dimension="empathy")
            s.record("a", "2025-01-06T10:06:00Z", "perception", 4, dimension="empathy")
            s.record("a", "2025-01-07T10:00:00Z", "complaint")
            sv = s.service()
            self.assertEqual((sv.contacts, sv.replied, sv.resolved, sv.open), (1, 1, 1, 0))
            self.assertEqual(sv.first_response_mean_s, 1800.0)  # 09:00 -> 09:30
            self.assertEqual(sv.resolution_mean_s, 3600.0)
            g = s.gap()
            # CSAT 3 on 1..5 is 50 on 0..100; the internal rating is 90.
            self.assertEqual(g.pairs, 1)
            self.assertAlmostEqual(g.mean, 40.0, places=12)
            self.assertEqual(s.servqual().gaps["empathy"], -2.0)
            self.assertEqual(s.loyalty().complaints, 1)


class Errors(unittest.TestCase):
    def assertStatus(self, status, name, fn, *args, **kw):
        with self.assertRaises(cxm.CxmError) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.status, status)
        self.assertEqual(cm.exception.name, name)
        self.assertTrue(cm.exception.message)
        self.assertIn(name, str(cm.exception))
        return cm.exception

    def test_record_statuses(self):
        with cxm.Store() as s:
            t = "2025-01-01T10:00:00Z"
            self.assertStatus(-8, "CXM_E_VALUE", s.record, "a", t, "nps", 11)
            self.assertStatus(-8, "CXM_E_VALUE", s.record, "a", t, "nps")  # value missing
            self.assertStatus(-7, "CXM_E_KIND", s.record, "a", t, "bogus", 1)
            self.assertStatus(-7, "CXM_E_KIND", s.record, "a", t, 99, 1)
            self.assertStatus(-6, "CXM_E_TIME", s.record, "a", "yesterday", "nps", 1)
            self.assertStatus(-6, "CXM_E_TIME", s.record, "a", -1, "nps", 1)
            self.assertStatus(-4, "CXM_E_CUSTOMER", s.record, "", t, "nps", 1)
            self.assertStatus(-4, "CXM_E_CUSTOMER", s.record, "x" * 129, t, "nps", 1)
            self.assertStatus(-9, "CXM_E_CHANNEL", s.record, "a", t, "nps", 1, channel="Bad Channel")
            self.assertStatus(-10, "CXM_E_STAGE", s.record, "a", t, "nps", 1, stage="nowhere")
            self.assertStatus(-12, "CXM_E_DIMENSION", s.record, "a", t, "expectation", 3)
            self.assertStatus(-13, "CXM_E_REF", s.record, "a", t, "contact_open")
            self.assertStatus(-14, "CXM_E_EVENT_ID", s.record, "a", t, "nps", 1, id="i" * 129)
            # Nothing was recorded by the failures.
            self.assertEqual(s.stats().events, 0)
            with self.assertRaises(TypeError):
                s.record(42, t, "nps", 1)

    def test_query_statuses(self):
        with cxm.Store() as s:
            s.record("a", "2025-01-01T10:00:00Z", "nps", 9)
            self.assertStatus(-15, "CXM_E_WINDOW", s.nps, start=3600)  # not a bucket multiple
            self.assertStatus(-16, "CXM_E_BY", s.groups, "colour")
            self.assertStatus(-10, "CXM_E_STAGE", s.nps, stage="nowhere")

    def test_closed_store(self):
        s = cxm.Store()
        s.close()
        s.close()  # idempotent
        self.assertStatus(-1, "CXM_E_ARG", s.nps)
        self.assertStatus(-1, "CXM_E_ARG", s.record, "a", 0, "nps", 1)

    def test_ingest_errors(self):
        with cxm.Store() as s, tempfile.TemporaryDirectory() as d:
            e = self.assertStatus(-21, "CXM_E_IO", s.ingest, os.path.join(d, "missing.csv"))
            self.assertIn("missing.csv", e.message)
            bad = os.path.join(d, "bad.csv")
            with open(bad, "w") as f:
                f.write("time,customer,kind,value\n"
                        "2025-01-01T10:00:00Z,a,nps,9\n"
                        "2025-01-01T10:00:00Z,b,nps,11\n"
                        "not-a-time,c,nps,5\n"
                        "2025-01-01T11:00:00Z,d,nps,0\n")
            r = s.ingest(bad)
            self.assertEqual((r.rows, r.events, r.rejected), (4, 2, 2))
            self.assertEqual([(x.line, x.column, x.status, x.name) for x in r.errors],
                             [(3, "value", -8, "CXM_E_VALUE"), (4, "time", -6, "CXM_E_TIME")])
            self.assertTrue(all(x.reason for x in r.errors))
            with cxm.Store() as t:
                e = self.assertStatus(-23, "CXM_E_ROW", t.ingest, bad, strict=True)
                self.assertEqual([x.line for x in e.errors], [3])
                self.assertEqual(t.stats().events, 1)  # the row before stays
            hdr = os.path.join(d, "hdr.csv")
            with open(hdr, "w") as f:
                f.write("nothing,useful\n1,2\n")
            self.assertStatus(-22, "CXM_E_HEADER", s.ingest, hdr)
            jl = os.path.join(d, "e.jsonl")
            with open(jl, "w") as f:
                f.write('{"time":"2025-01-01T10:00:00Z","customer":"z","kind":"nps","value":10}\n')
            self.assertEqual(s.ingest(jl).events, 1)

    def test_churn_without_events(self):
        with cxm.Store() as s:
            self.assertStatus(-35, "CXM_E_NO_DATA", s.churn)
            s.record("a", 0, "nps", 1)
            self.assertStatus(-34, "CXM_E_MODEL", s.churn, model="nope")


if __name__ == "__main__":
    unittest.main()
