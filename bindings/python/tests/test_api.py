"""The binding's own behaviour: struct layouts, hand-worked metrics, input
conversions, and the mapping of C statuses to CxmError."""

import ctypes
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
        self.assertEqual(len(sizes), 21)  # + slice, plan, detail, save and risk options, covariate fit
        self.assertIn("cxm_churn_options", sizes)
        for name, (c_size, py_size) in sizes.items():
            with self.subTest(struct=name):
                self.assertEqual(c_size, py_size)

    def test_version(self):
        self.assertRegex(cxm.version(), r"^\d+\.\d+\.\d+$")


class Covariates(unittest.TestCase):
    """fit_covariates, CovariateFit and Store.purchase_detractor (the
    recovery of planted gammas is tools/covariates_reference.py's)."""

    def test_detractor_covariate_and_customer_model(self):
        with cxm.Store() as s:
            # A: first answer NPS 3 (detractor), B: CSAT 5, C: no answer
            for c, days in (("A", (0, 9, 20)), ("B", (1, 4)), ("C", (2,))):
                for d in days:
                    s.record(c, dt.datetime(2025, 1, 1 + d, tzinfo=dt.timezone.utc), "purchase", 10.0)
            s.record("A", "2025-01-02T00:00:00Z", "nps", 3)
            s.record("A", "2025-01-05T00:00:00Z", "nps", 10)
            s.record("B", "2025-01-03T00:00:00Z", "csat", 5)
            sums, det = s.purchase_detractor(to="2025-01-30", unit="D")
            self.assertEqual([x.customer for x in sums], ["A", "B", "C"])
            self.assertEqual(det, [1.0, 0.0, 0.0])
        summaries = [(i % 5, 3.0 * (i % 5), 20.0 + i % 7) for i in range(60)]
        rows = [[float(i % 2)] for i in range(60)]
        f = cxm.fit_covariates(summaries, rows, "bgnbd", life=[])
        self.assertEqual(f.lr_df, 1)
        self.assertIsNone(f.gamma_life[0])
        self.assertAlmostEqual(f.loglik_of(summaries, rows), f.loglik, delta=1e-9 * abs(f.loglik))
        m = f.customer_model([1.0])
        self.assertAlmostEqual(m.params["alpha"], f.params["alpha"] * math.exp(-f.gamma_trans[0]),
                               delta=1e-12 * m.params["alpha"])
        self.assertEqual(m.params["a"], f.params["a"])
        self.assertTrue(0.0 <= m.p_alive(2, 6.0, 20.0) <= 1.0)
        with self.assertRaises(cxm.CxmError):
            cxm.fit_covariates(summaries, rows[1:], "pnbd")
        with self.assertRaises(cxm.CxmError):
            cxm.fit_covariates(summaries, rows, "bgbb")


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

    def test_omit_customer_tables(self):
        rows = [("a", "2025-01-06T09:00:00Z", "nps", 9), ("a", "2025-01-06T10:00:00Z", "purchase", 12.5),
                ("b", "2025-01-07T09:00:00Z", "nps", 3), ("b", "2025-02-07T09:00:00Z", "purchase", 4.0)]
        with cxm.Store() as full, cxm.Store(omit=["customer_days", "customer_firsts"]) as lean:
            for c, t, k, v in rows:
                full.record(c, t, k, v, channel="web")
                lean.record(c, t, k, v, channel="web")
            self.assertEqual(lean.nps(), full.nps())
            self.assertEqual(lean.loyalty(), full.loyalty())
            self.assertLess(lean.stats().memory_bytes, full.stats().memory_bytes)
            full.churn(to="2025-03-01")
            with self.assertRaises(cxm.CxmError) as cm:
                lean.churn(to="2025-03-01")
            self.assertEqual(cm.exception.name, "CXM_E_STATE")
            with tempfile.TemporaryDirectory() as d:
                with self.assertRaises(cxm.CxmError) as cm:
                    lean.save(os.path.join(d, "lean.cxm"))
                self.assertEqual(cm.exception.name, "CXM_E_STATE")
                self.assertEqual(os.listdir(d), [])
        with cxm.Store(omit="customer_firsts") as s:
            s.record("a", "2025-01-06T10:00:00Z", "purchase", 1.0)
            self.assertEqual(s.stats().events, 1)
        with self.assertRaises(cxm.CxmValueError) as cm:
            cxm.Store(omit=["customer_history"])
        self.assertEqual(cm.exception.name, "CXM_E_OPTION")


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
            self.assertStatus(-31, "CXM_E_OPTION", s.operations, window_days=0)

    def test_operations(self):
        # a contact with two replies and a reopen, one with one reply: FCR 1 of 2
        with cxm.Store() as s:
            s.record("a", "2025-01-06T10:00:00Z", "contact_open", channel="chat", ref="r1")
            s.record("a", "2025-01-06T10:30:00Z", "contact_reply", ref="r1")
            s.record("a", "2025-01-06T11:00:00Z", "contact_resolve", ref="r1")
            s.record("b", "2025-01-06T10:00:00Z", "contact_open", channel="email", ref="r2")
            s.record("b", "2025-01-06T10:10:00Z", "contact_transfer", ref="r2")
            s.record("b", "2025-01-06T10:30:00Z", "contact_reply", ref="r2")
            s.record("b", "2025-01-06T10:40:00Z", "contact_reply", ref="r2")
            s.record("b", "2025-01-06T11:00:00Z", "contact_resolve", ref="r2")
            s.record("b", "2025-01-06T12:00:00Z", "contact_reopen", ref="r2")
            s.record("b", "2025-01-06T13:00:00Z", "contact_resolve", ref="r2")
            op = s.operations()
            self.assertEqual((op.contacts, op.resolved, op.first_contact_resolved, op.reopened, op.transfers),
                             (2, 2, 1, 1, 1))
            self.assertEqual(op.fcr_pct, 50.0)
            self.assertEqual(op.full_resolution_median_s, 2 * 3600.0)  # 1 h and 3 h
            self.assertEqual(s.operations(channel="chat").contacts, 1)

    def test_backlog(self):
        # r2 resolved Monday 11:00, reopened Tuesday 10:00, resolved Wednesday 12:00
        with cxm.Store() as s:
            s.record("a", "2025-01-06T10:00:00Z", "contact_open", channel="chat", ref="r1")
            s.record("b", "2025-01-06T10:00:00Z", "contact_open", channel="email", ref="r2")
            s.record("b", "2025-01-06T11:00:00Z", "contact_resolve", ref="r2")
            s.record("b", "2025-01-07T10:00:00Z", "contact_reopen", ref="r2")
            s.record("b", "2025-01-08T12:00:00Z", "contact_resolve", ref="r2")
            days = s.backlog()
            self.assertEqual([d.open for d in days], [1, 2, 1])
            self.assertEqual(days[0].day, 1736121600)  # 2025-01-06T00:00:00Z
            self.assertEqual(days[1].age_median_s, 38 * 3600.0)  # 38 h and 38 h
            self.assertEqual(days[1].age_business_p90_s, 15 * 3600.0)  # 7 h Monday, 8 h Tuesday
            self.assertEqual([d.open for d in s.backlog(channel="email")], [0, 1, 0])
            self.assertEqual(s.backlog(start="2025-01-07T00:00:00Z", end="2025-01-08T00:00:00Z")[0].open, 2)
            # several slices at once: each what backlog() gives it
            slices = list(s.groups("channel")) + [{}, {"channel": "email"},
                                                  {"start": "2025-01-07T00:00:00Z", "end": "2025-01-08T00:00:00Z"}]
            each = s.backlog_each(slices)
            self.assertEqual(len(each), len(slices))
            for got, where in zip(each, slices):
                one = s.backlog(where) if isinstance(where, cxm.Group) else s.backlog(**where)
                self.assertEqual(got, one)
            self.assertEqual([d.open for d in each[-2]], [0, 1, 0])
            self.assertEqual(s.backlog_each([]), [])
            self.assertStatus(-10, "CXM_E_STAGE", s.backlog_each, [{}, {"stage": "nowhere"}])

    def test_closed_store(self):
        s = cxm.Store()
        s.close()
        s.close()  # idempotent
        self.assertStatus(-24, "CXM_E_STATE", s.nps)
        self.assertStatus(-24, "CXM_E_STATE", s.record, "a", 0, "nps", 1)

    def test_ingest_dialects(self):
        with cxm.Store() as s, tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "us.csv")
            with open(path, "w") as f:
                f.write("Time;Customer;Kind;Value\n3/15/2026 10:00;c-1 ;NPS;9,0\n3/16/2026 10:00;c-1;nps;7\n")
            r = s.ingest(path, time_format="%m/%d/%Y %H:%M", utc_offset=3600)
            self.assertEqual((r.rows, r.events, r.rejected), (2, 2, 0))
            self.assertEqual(s.stats().customers, 1)
            self.assertEqual(s.stats().first, 1773565200)  # 2026-03-15T09:00:00Z
            with cxm.Store() as t:  # read with ',' it has one column: no 'time'
                e = self.assertStatus(-22, "CXM_E_HEADER", t.ingest, path, delimiter=",")
                self.assertEqual([x.column for x in e.errors], ["time"])
        with self.assertRaises(ValueError):
            cxm.Store().ingest("x.csv", delimiter=":")

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

    def test_churn_statuses(self):
        with cxm.Store() as s:
            self.assertStatus(-35, "CXM_E_NO_DATA", s.churn)
            s.record("a", 0, "nps", 1)
            self.assertStatus(-34, "CXM_E_MODEL", s.churn, model="nope")
            self.assertStatus(-15, "CXM_E_WINDOW", s.churn, to=3600)  # not a UTC midnight
            self.assertStatus(-15, "CXM_E_WINDOW", s.churn, to=-86400)  # before 1970
            self.assertStatus(-15, "CXM_E_WINDOW", s.churn, to=-(2**63))  # CXM_CHURN_AFTER_LAST is not a time
            self.assertStatus(-31, "CXM_E_OPTION", s.churn, sla_target_seconds=-1)
            self.assertStatus(-31, "CXM_E_OPTION", s.churn, horizon_days=0)
            self.assertStatus(-31, "CXM_E_OPTION", s.churn, horizon_days=-3)
            self.assertStatus(-31, "CXM_E_OPTION", s.churn, horizon_days=2**62)  # would overflow int64 seconds
            with self.assertRaises(TypeError):
                s.churn(horizon_days=1.5)
            self.assertEqual(len(s.churn().customers), 1)

    def test_times_out_of_int64(self):
        # A Python int beyond int64_t must not wrap into a valid time.
        with cxm.Store() as s:
            self.assertStatus(-6, "CXM_E_TIME", s.record, "a", 2**64 + 1735725600, "nps", 1)
            self.assertStatus(-6, "CXM_E_TIME", s.nps, start=-(2**63) - 86400)
            self.assertEqual(s.stats().events, 0)


class ChurnStructSizes(unittest.TestCase):
    """The binding writes ctypes.sizeof into `size` and the library checks
    it on every call: a mirror that does not match raises CXM_E_SIZE."""

    def setUp(self):
        self.lib = _lib.lib()
        self.store = cxm.Store()
        for i, v in enumerate([9, 3, 10]):
            self.store.record(f"c{i}", "2025-01-01T10:00:00Z", "nps", v)
        self.h = ctypes.c_void_p()
        opts = _lib.ChurnOptions()
        self.lib.cxm_churn_options_init(ctypes.byref(opts))
        self.assertEqual(self.lib.cxm_store_churn(ctypes.byref(self.h), self.store._handle, ctypes.byref(opts)), 0)

    def tearDown(self):
        self.lib.cxm_churn_free(self.h.value)
        self.store.close()

    def test_the_binding_sizes_work(self):
        got = cxm._churn_result(self.lib, self.store._handle, self.h.value)
        self.assertEqual([c.customer for c in got.customers], ["c1", "c0", "c2"])  # the detractor first

    def test_a_larger_mirror(self):
        # docs/api.md "Structs that grow": a newer layout whose tail beyond the
        # library's struct is zero works and its tail stays zero; a field the
        # library does not know, set, is CXM_E_SIZE.
        class Info(_lib.ChurnInfo):
            _fields_ = [("added_later", ctypes.c_double)]

        class Row(_lib.ChurnRow):
            _fields_ = [("added_later", ctypes.c_double)]

        for kw in ({"info_type": Info}, {"row_type": Row}):
            with self.subTest(**{k: v.__name__ for k, v in kw.items()}):
                got = cxm._churn_result(self.lib, self.store._handle, self.h.value, **kw)
                self.assertEqual([c.customer for c in got.customers], ["c1", "c0", "c2"])
        for fn, cls, extra in ((self.lib.cxm_churn_info_get, Info, ()), (self.lib.cxm_churn_row_get, Row, (0,))):
            with self.subTest(struct=cls.__name__):
                out = cls()
                out.size = ctypes.sizeof(cls)
                self.assertEqual(fn(ctypes.byref(out), self.h.value, *extra), 0)
                self.assertEqual(out.added_later, 0)
                out.added_later = 1.0
                self.assertEqual(fn(ctypes.byref(out), self.h.value, *extra), -3)

    def test_a_wrong_size_field_raises(self):
        for fn, cls, extra in ((self.lib.cxm_churn_info_get, _lib.ChurnInfo, ()),
                               (self.lib.cxm_churn_row_get, _lib.ChurnRow, (0,))):
            for size in (0, ctypes.sizeof(cls) - 8):
                with self.subTest(struct=cls.__name__, size=size):
                    out = cls()
                    out.size = size
                    self.assertEqual(fn(ctypes.byref(out), self.h.value, *extra), -3)
                    self.assertEqual(out.risk if cls is _lib.ChurnRow else out.scored_at, 0)  # nothing written


class ChurnRows(unittest.TestCase):
    def test_every_field(self):
        # Customer a: a detractor with an open contact; b: a promoter who
        # bought twice (so has a purchase history and P(alive)); c: no signal.
        with cxm.Store() as s:
            s.record("a", "2025-01-06T10:00:00Z", "nps", 2)
            s.record("a", "2025-01-06T11:00:00Z", "contact_open", ref="t1")
            s.record("b", "2024-11-01T10:00:00Z", "purchase", 20)
            s.record("b", "2024-12-01T10:00:00Z", "purchase", 30)
            s.record("b", "2025-01-06T10:00:00Z", "nps", 10)
            s.record("c", "2025-01-06T10:00:00Z", "csat", 4)
            got = s.churn()
            m = got.model
            # Scored at the midnight after the last event; the cut-off 90
            # days earlier lies before the first event: the default model.
            self.assertEqual(m.scored_at, 1736208000)  # 2025-01-07T00:00:00Z
            self.assertEqual(m.cutoff, 1736208000 - 90 * 86400)
            self.assertEqual((m.source, m.fitted, m.evaluation), ("default", False, None))
            default = _lib.RiskModel()
            self.assertEqual(_lib.lib().cxm_feature_default_model(ctypes.byref(default)), 0)
            self.assertEqual(m.intercept, default.intercept)
            k_all = _lib.FEATURE_COUNT
            self.assertEqual(list(m.coefficients.values()), list(default.coef[:k_all]))
            self.assertEqual(list(m.coefficients), [_lib.lib().cxm_feature_name(k).decode() for k in range(k_all)])
            durations = {"purchase_risk", "recency_weeks", "silence_weeks", "lapse_odds"}
            rows = {c.customer: c for c in got.customers}
            self.assertEqual(set(rows), {"a", "b", "c"})
            self.assertEqual([c.risk for c in got.customers], sorted((c.risk for c in got.customers), reverse=True))
            for c in got.customers:
                with self.subTest(customer=c.customer):
                    # logit = intercept + sum of contributions; risk its logistic;
                    # contribution = coefficient * feature value.
                    self.assertAlmostEqual(c.logit, m.intercept + math.fsum(c.contributions.values()), places=12)
                    self.assertAlmostEqual(c.risk, 1 / (1 + math.exp(-c.logit)), places=14)
                    for k, x in c.features.items():
                        self.assertAlmostEqual(c.contributions[k], m.coefficients[k] * x, places=14)
                    # drivers: weight coef x (value - baseline) above 0.05, a
                    # count only when the customer has some, largest first
                    w = {k: m.coefficients[k] * (x - m.baseline[k]) for k, x in c.features.items()}
                    self.assertEqual([d.factor for d in c.drivers],
                                     sorted((k for k, v in w.items()
                                             if v > 0.05 and (k in durations or c.features[k] > 0)),
                                            key=lambda k: -w[k]))
                    self.assertEqual([d.weight for d in c.drivers], [w[d.factor] for d in c.drivers])
                    band = "high" if c.risk >= 0.6 else "medium" if c.risk >= 0.3 else "low"
                    self.assertEqual(c.band, band)
            a, b = rows["a"], rows["b"]
            self.assertEqual((a.features["detractor"], a.features["open_contacts"], a.features["no_purchase"]),
                             (1.0, 1.0, 1.0))
            self.assertEqual(b.features["promoter"], 1.0)
            self.assertIn("detractor", [d.factor for d in a.drivers])
            self.assertGreater(a.risk, b.risk)
            # P(alive): None without purchases (C NaN), a probability with them.
            self.assertIsNone(a.p_alive)
            self.assertIsNone(rows["c"].p_alive)
            self.assertTrue(0 < b.p_alive <= 1, b.p_alive)
            self.assertAlmostEqual(b.features["purchase_risk"], 1 - b.p_alive, places=14)

    def test_features_equal_the_feature_table(self):
        # The rows' features are cxm_store_features() as of scored_at.
        sample = os.environ.get("CXM_SAMPLE")
        if not sample:
            self.skipTest("needs CXM_SAMPLE")
        lib = _lib.lib()
        with cxm.Store() as s:
            s.ingest(sample)
            got = s.churn()
            fo = _lib.FeatureOptions()
            lib.cxm_feature_options_init(ctypes.byref(fo))
            fo.cutoff = got.model.scored_at
            f = ctypes.c_void_p()
            self.assertEqual(lib.cxm_store_features(ctypes.byref(f), s._handle, ctypes.byref(fo)), 0)
            try:
                table = {}
                x, h = (ctypes.c_double * _lib.FEATURE_COUNT)(), ctypes.c_uint32()
                cid, n = ctypes.c_char_p(), ctypes.c_size_t()
                for i in range(lib.cxm_features_count(f)):
                    self.assertEqual(lib.cxm_features_row_get(x, _lib.FEATURE_COUNT, ctypes.byref(h), None, f, i), 0)
                    self.assertEqual(lib.cxm_store_customer_id(ctypes.byref(cid), ctypes.byref(n), s._handle, h.value), 0)
                    table[ctypes.string_at(cid, n.value).decode()] = list(x)
            finally:
                lib.cxm_features_free(f)
        self.assertEqual(len(table), len(got.customers))
        for c in got.customers:
            self.assertEqual(list(c.features.values()), table[c.customer])
        # The public wrapper gives the same table.
        with cxm.Store() as s:
            s.ingest(sample)
            rows = s.features(cutoff=got.model.scored_at)  # the churn options' horizon, 90 days
            self.assertEqual({r.customer: list(r.features.values()) for r in rows}, table)
            self.assertTrue(all(r.label is None for r in s.features(cutoff=got.model.scored_at, horizon_days=0)))
            labelled = s.features(cutoff="2026-04-01", horizon_days=60)
            self.assertIn(True, {r.label for r in labelled})
            self.assertIn(False, {r.label for r in labelled})
            with self.assertRaises(ValueError):
                s.features(cutoff=got.model.scored_at + 1)


class Lookups(unittest.TestCase):
    """Queries look channel and segment names up without interning them:
    a name the store has never seen selects nothing (an empty result), and
    the store is not written."""

    def snapshot(self, s):
        lib = _lib.lib()
        names = []
        for fn in (lib.cxm_store_channel_name, lib.cxm_store_segment_name):
            p, n = ctypes.c_char_p(), ctypes.c_size_t()
            code = 0
            while fn(ctypes.byref(p), ctypes.byref(n), s._handle, code) == 0 or code < 8:
                names.append((fn.__name__, code, ctypes.string_at(p, n.value) if p.value is not None else None))
                p = ctypes.c_char_p()
                code += 1
        return s.stats(), names

    def test_unknown_names_write_nothing(self):
        with cxm.Store() as s:
            s.record("a", "2025-01-01T10:00:00Z", "nps", 9, channel="kiosk", segment="smb")
            s.record("b", "2025-01-01T10:00:00Z", "nps", 0, channel="email")
            before = self.snapshot(s)
            seg_before = [g.key for g in s.groups("segment")]
            queries = [s.nps, s.csat, s.ces, s.gap, s.servqual, s.service, s.loyalty, s.consistency]
            for kw in ({"segment": "ghost"}, {"channel": "pigeon"}, {"segment": "ghost", "channel": "email"},
                       {"segment": "smb", "channel": "pigeon"}):
                with self.subTest(**kw):
                    self.assertEqual(s.nps(**kw).n, 0)
                    self.assertIsNone(s.nps(**kw).score)
                    self.assertEqual(s.groups("channel", **kw), [])
                    self.assertEqual(s.loyalty(**kw).complaints, 0)
                    self.assertEqual(s.gap(**kw).pairs, 0)
                    self.assertEqual(s.service(**kw).contacts, 0)
                    self.assertEqual(s.consistency(**kw).channels, 0)
                    for q in queries:
                        q(**kw)
            self.assertEqual(self.snapshot(s), before)
            self.assertEqual([g.key for g in s.groups("segment")], seg_before)
            lib = _lib.lib()
            out = ctypes.c_int32()
            self.assertEqual(lib.cxm_store_find_segment(ctypes.byref(out), s._handle, b"ghost", 5), -29)
            self.assertEqual(lib.cxm_store_find_channel(ctypes.byref(out), s._handle, b"pigeon", 6), -29)
            # Known names still select their events.
            self.assertEqual(s.nps(segment="smb").n, 1)
            self.assertEqual(s.nps(channel="kiosk").n, 1)
            self.assertEqual(s.nps(channel="email").n, 1)
            # The empty segment: "unknown" (the groups' key) and "".
            self.assertEqual([g.key for g in s.groups("segment")], ["smb", "unknown"])
            self.assertEqual(s.nps(segment="unknown").n, 1)
            self.assertEqual(s.nps(segment="").n, 1)
            self.assertEqual(s.nps(channel="unknown").n, 0)
            # A built-in channel without events is empty too.
            self.assertEqual(s.nps(channel="phone").n, 0)
            self.assertEqual(self.snapshot(s), before)

    def test_invalid_names_and_windows_still_fail(self):
        with cxm.Store() as s:
            s.record("a", "2025-01-01T10:00:00Z", "nps", 9)
            before = s.stats()
            with self.assertRaises(cxm.CxmError) as cm:
                s.nps(channel="Bad Channel")
            self.assertEqual(cm.exception.name, "CXM_E_CHANNEL")
            with self.assertRaises(cxm.CxmError) as cm:
                s.nps(segment="x" * 65)
            self.assertEqual(cm.exception.name, "CXM_E_SEGMENT")
            # An unseen name does not hide a bad window.
            with self.assertRaises(cxm.CxmError) as cm:
                s.nps(segment="ghost", start=3600)
            self.assertEqual(cm.exception.name, "CXM_E_WINDOW")
            with self.assertRaises(cxm.CxmError) as cm:
                s.nps(segment="ghost", end=3600)
            self.assertEqual(cm.exception.name, "CXM_E_WINDOW")
            self.assertEqual(s.nps(segment="ghost", start="2025-01-01T00:00:00Z").n, 0)
            self.assertEqual(s.stats(), before)

    def test_recording_interns(self):
        with cxm.Store() as s:
            s.record("a", "2025-01-01T10:00:00Z", "nps", 9, segment="new", channel="kiosk")
            self.assertEqual([g.key for g in s.groups("segment")], ["new"])
            self.assertEqual([g.key for g in s.groups("channel")], ["kiosk"])


class Details(unittest.TestCase):
    """The error-detail calls (cxm_store_record_ex, cxm_store_save_ex,
    cxm_store_load_ex) put the library's reason in the message; save()
    takes the new file's mode (cxm_store_save_with)."""

    def test_reasons_and_mode(self):
        with cxm.Store() as s, tempfile.TemporaryDirectory() as d:
            with self.assertRaises(cxm.CxmValueError) as cm:
                s.record("a", "2026-01-01T00:00:00Z", "nps", 11)
            self.assertIn("value 11 for kind nps is not an integer 0..10", cm.exception.message)
            self.assertTrue(s.record("a", "2026-01-01T00:00:00Z", "nps", 9))
            path = os.path.join(d, "s.cxms")
            s.save(path, mode=0o640)
            self.assertEqual(os.stat(path).st_mode & 0o7777, 0o640)
            s.save(path, mode=0o600)  # an existing file keeps its mode
            self.assertEqual(os.stat(path).st_mode & 0o7777, 0o640)
            s.save(os.path.join(d, "new.cxms"))
            self.assertEqual(os.stat(os.path.join(d, "new.cxms")).st_mode & 0o7777, 0o600)
            with self.assertRaises(cxm.CxmValueError):
                s.save(path, mode=0o17777)
            with self.assertRaises(FileNotFoundError) as cm:
                s.save(os.path.join(d, "no", "s.cxms"))
            self.assertIn("No such file or directory", str(cm.exception))
            bad = os.path.join(d, "bad.cxms")
            with open(bad, "wb") as f:
                f.write(b"not a snapshot")
            with self.assertRaises(cxm.CxmValueError) as cm:
                cxm.Store.load(bad)
            self.assertIn(bad, cm.exception.message)
            with cxm.Store.load(path) as back:
                self.assertEqual(back.stats().events, 1)


class CustomerHandles(unittest.TestCase):
    """customer(), find_customer(), customer_id(), record_for() and check()
    (cxm_store_customer, cxm_store_find_customer, cxm_store_record_for,
    cxm_store_check) give the store record() gives."""

    def test_handles_and_check(self):
        rows = [("a", "2026-03-02T10:00:00Z", "nps", 9), ("b", "2026-03-02T11:00:00Z", "csat", 4),
                ("a", "2026-03-03T10:00:00Z", "purchase", 12.5), ("c", "2026-03-04T10:00:00Z", "ces", 2)]
        with cxm.Store() as by_id, cxm.Store() as by_handle:
            for cust, t, kind, v in rows:
                self.assertTrue(by_id.record(cust, t, kind, v, channel="email", segment="vip"))
            self.assertIsNone(by_handle.find_customer("a"))
            handles = {c: by_handle.customer(c) for c in ("a", "b", "c")}
            self.assertEqual(list(handles.values()), [0, 1, 2])
            self.assertEqual(by_handle.customer("a"), 0)
            self.assertEqual(by_handle.find_customer("b"), 1)
            self.assertEqual(by_handle.customer_id(2), "c")
            for cust, t, kind, v in rows:
                self.assertTrue(by_handle.record_for(handles[cust], t, kind, v, channel="email", segment="vip"))
            self.assertEqual(by_id.to_bytes(), by_handle.to_bytes())
            self.assertTrue(by_handle.record_for(0, "2026-03-05T10:00:00Z", "nps", 8, id="e1"))
            self.assertFalse(by_handle.record_for(0, "2026-03-05T10:00:00Z", "nps", 8, id="e1"))
            with self.assertRaises(cxm.CxmError) as cm:
                by_handle.record_for(99, "2026-03-05T10:00:00Z", "nps", 8)
            self.assertEqual(cm.exception.name, "CXM_E_HANDLE")
            with self.assertRaises(cxm.CxmError):
                by_handle.customer_id(99)
            before = by_handle.stats().events
            by_handle.check("d", "2026-03-05T10:00:00Z", "nps", 10)
            with self.assertRaises(cxm.CxmValueError):
                by_handle.check("d", "2026-03-05T10:00:00Z", "nps", 11)
            self.assertEqual(by_handle.stats().events, before)
            self.assertIsNone(by_handle.find_customer("d"))


class CsvRanges(unittest.TestCase):
    def test_record_end_and_parallel_ingest(self):
        data = b'time,customer,kind,value,ref\n2026-03-02T10:00:00Z,a,nps,9,"x\ny"\n2026-03-02T11:00:00Z,b,nps,3,\n'
        first = cxm.csv_record_end(data)
        self.assertEqual(data[:first], b"time,customer,kind,value,ref\n")
        second = cxm.csv_record_end(data, first)
        self.assertTrue(data[first:second].endswith(b'"x\ny"\n'))  # the quoted line end is inside the record
        self.assertEqual(cxm.csv_record_end(data, second), len(data))
        self.assertEqual(cxm.csv_record_end(b"a;b\n", 0, ";"), 4)
        with self.assertRaises(cxm.CxmError):
            cxm.csv_record_end(data, len(data) + 1)
        # Cut the sample at record ends, ingest each range into its own
        # store, merge: the same store as one ingest.
        sample = os.environ.get("CXM_SAMPLE")
        if not sample:
            return
        with open(sample, "rb") as f:
            text = f.read()
        header_end = cxm.csv_record_end(text)
        cuts = [header_end]
        for k in (1, 2, 3):
            cuts.append(cxm.csv_record_end(text, max(cuts[-1], len(text) * k // 4)))
        cuts.append(len(text))
        with cxm.Store() as whole, cxm.Store() as merged:
            whole.ingest(sample)
            for lo, hi in zip(cuts, cuts[1:]):
                with cxm.Store() as part:
                    part.ingest(text[:header_end] + text[lo:hi], format="csv")
                    merged.merge(part)
            self.assertEqual(merged.to_bytes(), whole.to_bytes())


class Names(unittest.TestCase):
    def test_vocabularies_and_time_text(self):
        self.assertEqual(cxm.kinds()[0], "nps")
        self.assertIn("contact_open", cxm.kinds())
        self.assertEqual(cxm.channels(), ["email", "phone", "chat", "web", "store", "social", "app"])
        self.assertEqual(cxm.stages()[0], "none")
        self.assertEqual(cxm.dimensions(), ["none", "tangibles", "reliability", "responsiveness", "assurance",
                                            "empathy"])
        self.assertEqual(cxm.format_time("2026-03-02T12:30:00+02:00"), "2026-03-02T10:30:00Z")
        sample = os.environ.get("CXM_SAMPLE")
        if sample:
            with cxm.Store() as s:
                s.ingest(sample)
                for by in ("month", "week"):
                    for g in s.groups(by):
                        self.assertEqual(cxm.period_key(g._filter[0], by), g.key)
        with self.assertRaises(cxm.CxmError):
            cxm.period_key(0, "channel")
        major, minor, patch = (int(x) for x in cxm.version().split(".")[:3])
        self.assertEqual(cxm.version_number(), major * 10000 + minor * 100 + patch)
        with cxm.Store() as s:
            s.record("a", "2026-03-02T10:00:00Z", "nps", 9, channel="kiosk-2", segment="vip")
            self.assertEqual(s.channel_name(1), "email")
            self.assertEqual(s.channel_name(8), "kiosk-2")
            self.assertIsNone(s.channel_name(99))
            self.assertEqual(s.segment_name(1), "vip")
            self.assertIsNone(s.segment_name(99))


if __name__ == "__main__":
    unittest.main()
