"""Every number of the binding equals the cxm command's JSON on the same
file (docs/cli.md: cxm-report/1 and cxm-churn/1). Both sides call the same
C functions, so the comparison is exact: the command prints doubles with
17 significant digits, which round-trip."""

import json
import math
import os
import subprocess
import unittest
from dataclasses import replace as dataclass_replace

import cxm

SAMPLE = os.environ.get("CXM_SAMPLE", "")
EXE = os.environ.get("CXM_EXE", "")


def run_json(*args):
    r = subprocess.run([EXE, *args], stdout=subprocess.PIPE)
    if r.returncode == 1 and args[:1] == ("churn",):
        # docs/cli.md: a purchase fit that did not converge still prints the
        # whole document (model.converged false) and exits 1.
        doc = json.loads(r.stdout)
        if doc["model"]["converged"] is False:
            return doc
    if r.returncode != 0:
        raise subprocess.CalledProcessError(r.returncode, [EXE, *args], r.stdout)
    return json.loads(r.stdout)


def interval(pair):
    return None if pair[0] is None and pair[1] is None else list(pair)


# The binding's results in the shape of the command's JSON (docs/cli.md):
# an absent metric is null there and None (or n = 0) here.
def nps_json(r):
    if r.n == 0:
        return None
    return {"n": r.n, "promoters": r.promoters, "passives": r.passives, "detractors": r.detractors, "score": r.score,
            "se": r.se, "ci95": interval(r.ci95), "ci95_adjusted": interval(r.ci95_adjusted),
            "ci95_score": interval(cxm.nps_score_interval(r))}


def csat_json(r):
    if r.n == 0:
        return None
    return {"n": r.n, "satisfied": r.satisfied, "score": r.score, "mean": r.mean, "ci95": interval(r.ci95)}


def ces_json(r):
    if r.n == 0:
        return None
    return {"n": r.n, "mean": r.mean, "ci95": interval(r.ci95), "easy_pct": r.easy_pct,
            "high_effort_pct": r.high_effort_pct, "net": r.net}


def gap_json(r):
    if r.pairs == 0:
        return None
    return {"pairs": r.pairs, "mean": r.mean, "ci95": interval(r.ci95), "service": r.service,
            "experience": r.experience, "delivery_gap": r.delivery_gap, "blind_spot_pct": r.blind_spot_pct,
            "delivery_z": r.delivery_z, "se": r.se, "blind_spots": r.blind_spots, "reverse_spots": r.reverse_spots}


def servqual_json(r):
    if r.score is None:
        return None
    return {**r.gaps, "score": r.score}


def service_json(r, b):
    """`r` wall clock, `b` the same slice in business time (business=True)."""
    if r.contacts == 0:
        return None
    return {"contacts": r.contacts, "open": r.open, "first_response_median_s": r.first_response_median_s,
            "first_response_p90_s": r.first_response_p90_s, "resolution_median_s": r.resolution_median_s,
            "within_sla_pct": r.within_sla_pct, "first_response_mean_s": r.first_response_mean_s,
            "resolution_p90_s": r.resolution_p90_s, "resolution_mean_s": r.resolution_mean_s, "replied": r.replied,
            "resolved": r.resolved, "met": r.met, "breached": r.breached,
            "first_response_median_business_s": b.first_response_median_s,
            "first_response_p90_business_s": b.first_response_p90_s,
            "resolution_median_business_s": b.resolution_median_s,
            "resolution_p90_business_s": b.resolution_p90_s}


def loyalty_json(r):
    return {"complaints": r.complaints, "compliments": r.compliments, "compliment_ratio": r.compliment_ratio,
            "churned": r.churned}


def consistency_json(r):
    if r.channels == 0:
        return None
    return {"channels": r.channels, "sd": r.sd, "mean": r.mean, "weakest": r.weakest,
            "weakest_mean": r.weakest_mean}


def operations_json(r):
    return {"contacts": r.contacts, "resolved": r.resolved, "first_contact_resolved": r.first_contact_resolved,
            "reopened": r.reopened, "repeated": r.repeated, "switched": r.switched, "transfers": r.transfers,
            "fcr_pct": r.fcr_pct, "reopen_pct": r.reopen_pct, "repeat_pct": r.repeat_pct,
            "switch_pct": r.switch_pct, "transfers_per_contact": r.transfers_per_contact,
            "first_resolution_median_s": r.first_resolution_median_s,
            "first_resolution_mean_s": r.first_resolution_mean_s,
            "full_resolution_median_s": r.full_resolution_median_s,
            "full_resolution_mean_s": r.full_resolution_mean_s,
            "first_resolution_median_business_s": r.first_resolution_business_median_s,
            "first_resolution_mean_business_s": r.first_resolution_business_mean_s,
            "full_resolution_median_business_s": r.full_resolution_business_median_s,
            "full_resolution_mean_business_s": r.full_resolution_business_mean_s}


def loop_json(r):
    """A Loop as the command prints its `loop` object (operations_out.c)."""
    return {"detractors": r.detractors, "followed": r.followed, "followed_in_target": r.followed_in_target,
            "in_target_pct": r.in_target_pct, "never_pct": r.never_pct,
            "followup_median_business_s": r.followup_median_s, "followup_p90_business_s": r.followup_p90_s,
            "followed_next": r.followed_next, "followed_recovered": r.followed_recovered,
            "unfollowed_next": r.unfollowed_next, "unfollowed_recovered": r.unfollowed_recovered,
            "recovery_followed_pct": r.recovery_followed_pct, "recovery_unfollowed_pct": r.recovery_unfollowed_pct,
            "recovery_diff_pct": r.recovery_diff_pct,
            "recovery_diff_ci95": interval((r.recovery_diff_low_pct, r.recovery_diff_high_pct))}


def responses_json(r):
    """A Loop as the command prints its `responses` object."""
    return {"invitations": r.invitations, "answered": r.invitations_answered, "response_pct": r.response_pct,
            "nonresponse_pct": r.nonresponse_pct, "nps_answers": r.nps_answers, "nps_invited": r.nps_invited,
            "csat_answers": r.csat_answers, "csat_invited": r.csat_invited, "ces_answers": r.ces_answers,
            "ces_invited": r.ces_invited}


def test_json(t, z):
    """A SliceTest as the command prints it under `vs_rest` (slice_out.c)."""
    if t.n == 0:
        return None
    out = {"n_rest": t.n_rest, "rest": t.score_rest, "diff": t.diff, "se": t.se}
    out.update({"z": t.stat, "df": None} if z else {"t": t.stat, "df": t.df})
    out.update({"p": t.p, "p_adjusted": t.p_adjusted, "significant": t.significant != 0, "moe": t.moe,
                "low_base": bool(t.low_base)})
    return out


def vs_rest_json(store, by, adjust="holm", **opts):
    """{group key: the `vs_rest` object} of `cxm report --by BY --json`."""
    tests = {m: store.slice_tests(by, m, adjust=adjust, **opts) for m in ("nps", "csat", "ces", "gap")}
    return {t.key: {"adjust": adjust, **{m: test_json(tests[m][i], m in ("nps", "csat")) for m in tests}}
            for i, t in enumerate(tests["nps"])}


def backlog_json(days, offset=0):
    """A backlog series as the command summarises it (operations_out.c)."""
    import datetime as dt
    date = lambda t: dt.datetime.fromtimestamp(t + offset, dt.timezone.utc).strftime("%Y-%m-%d")
    if not days:
        return {"days": 0, "first_day": None, "last_day": None, "open_end": None, "age_median_end_s": None,
                "age_p90_end_s": None, "age_median_end_business_s": None, "age_p90_end_business_s": None,
                "open_peak": None, "peak_day": None, "open_mean": None}
    peak = max(range(len(days)), key=lambda k: (days[k].open, -k))
    last = days[-1]
    return {"days": len(days), "first_day": date(days[0].day), "last_day": date(last.day), "open_end": last.open,
            "age_median_end_s": last.age_median_s, "age_p90_end_s": last.age_p90_s,
            "age_median_end_business_s": last.age_business_median_s,
            "age_p90_end_business_s": last.age_business_p90_s, "open_peak": days[peak].open,
            "peak_day": date(days[peak].day), "open_mean": sum(d.open for d in days) / len(days)}


def slice_json(store, where=None, **business):
    """`business`: the calendar and sla_target_seconds of the report, if any."""
    loop = store.loop(where, calendar=business.get("calendar"))
    return {
        "nps": nps_json(store.nps(where)),
        "csat": csat_json(store.csat(where)),
        "ces": ces_json(store.ces(where)),
        "gap": gap_json(store.gap(where)),
        "servqual": servqual_json(store.servqual(where)),
        "service": service_json(store.service(where, **business), store.service(where, business=True, **business)),
        "loyalty": loyalty_json(store.loyalty(where)),
        "consistency": consistency_json(store.consistency(where)),
        "operations": operations_json(store.operations(where, calendar=business.get("calendar"))),
        "loop": loop_json(loop),
        "responses": responses_json(loop),
        "backlog": backlog_json(store.backlog(where, calendar=business.get("calendar")),
                                business.get("offset", 0)),
    }


@unittest.skipUnless(SAMPLE and EXE, "needs CXM_SAMPLE and CXM_EXE (run through tests/run.py)")
class ReportParity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.report = run_json("report", "--json", SAMPLE)
        cls.store = cxm.Store()
        cls.ingest = cls.store.ingest(SAMPLE)

    @classmethod
    def tearDownClass(cls):
        cls.store.close()

    def test_input(self):
        want = self.report["input"]
        st = self.store.stats()
        self.assertEqual(want["rows"], self.ingest.rows)
        self.assertEqual(want["events"], self.ingest.events)
        self.assertEqual(want["rejected"], self.ingest.rejected)
        self.assertEqual(want["duplicates"], self.ingest.duplicates)
        self.assertEqual(want["customers"], st.customers)
        self.assertEqual(want["events"], st.events)
        self.assertEqual(self.ingest.errors, [])
        # first/last as RFC 3339 text from the command, seconds here.
        import datetime as dt
        fmt = lambda t: dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.assertEqual(want["first"], fmt(st.first))
        self.assertEqual(want["last"], fmt(st.last))

    def test_overall(self):
        got = slice_json(self.store)
        want = self.report["overall"]
        self.assertEqual(set(want), set(got))
        for metric in want:
            with self.subTest(metric=metric):
                self.assertEqual(want[metric], got[metric])
        # The sample has data for every metric, so nothing above was null.
        self.assertTrue(all(v is not None for v in got.values()))

    def test_slices(self):
        for by, slices in self.report["slices"].items():
            groups = self.store.groups(by)
            self.assertEqual(list(slices), [g.key for g in groups])
            vs_rest = vs_rest_json(self.store, by)
            ops = dict(zip([g.key for g in groups], self.store.operations_each(list(groups))))
            loops = dict(zip([g.key for g in groups], self.store.loop_each(list(groups))))
            for g in groups:
                got = slice_json(self.store, g)
                got["vs_rest"] = vs_rest[g.key]
                self.assertEqual(operations_json(ops[g.key]), got["operations"])
                self.assertEqual(loop_json(loops[g.key]), got["loop"])
                self.assertEqual(responses_json(loops[g.key]), got["responses"])
                self.assertEqual(got["nps"], nps_json(g.nps))  # the group's own survey metrics agree too
                self.assertEqual(got["csat"], csat_json(g.csat))
                self.assertEqual(got["ces"], ces_json(g.ces))
                for metric, value in slices[g.key].items():
                    with self.subTest(by=by, key=g.key, metric=metric):
                        self.assertEqual(value, got[metric])

    def test_group_experience(self):
        # One pass for all groups (cxm_store_group_experience) gives every
        # experience metric of the command's slices.
        for by, slices in self.report["slices"].items():
            groups = self.store.group_experience(by)
            self.assertEqual(list(slices), [g.key for g in groups])
            for g in groups:
                want = slices[g.key]
                with self.subTest(by=by, key=g.key):
                    self.assertEqual(want["nps"], nps_json(g.nps))
                    self.assertEqual(want["gap"], gap_json(g.gap))
                    self.assertEqual(want["servqual"], servqual_json(g.servqual))
                    self.assertEqual(want["service"], service_json(g.service, g.service_business))
                    self.assertEqual(want["loyalty"], loyalty_json(g.loyalty))
                    self.assertEqual(want["consistency"], consistency_json(g.consistency))
                    self.assertEqual(g.gap, self.store.gap(g))  # where=group works with these groups too

    def test_slice_options(self):
        # --adjust, --min-n and --max-moe reach the tests as the options do.
        for args, kw in ((["--adjust", "bh", "--min-n", "100"], dict(adjust="bh", min_n=100)),
                         (["--adjust", "none", "--max-moe", "10"], dict(adjust="none", max_moe=10.0))):
            for by in ("channel", "month"):
                want = run_json("report", "--json", "--by", by, *args, SAMPLE)["slices"][by]
                got = vs_rest_json(self.store, by, **kw)
                with self.subTest(args=args, by=by):
                    self.assertEqual({k: v["vs_rest"] for k, v in want.items()}, got)

    def test_slice_functions(self):
        # The array forms agree with the store's: the survey tests from
        # answer counts, the mean tests from n, mean and sd, p_adjust with
        # the adjustment inside the tests.
        groups = self.store.groups("segment")
        for metric in ("nps", "csat", "ces"):
            tests = self.store.slice_tests("segment", metric, adjust="none")
            raw = [t.p for t in tests]
            for method in ("holm", "bh"):
                adj = [t.p_adjusted for t in self.store.slice_tests("segment", metric, adjust=method)]
                self.assertEqual(cxm.p_adjust(raw, method), adj)
        ces = self.store.slice_tests("segment", "ces")
        by_means = cxm.slice_tests_means([g.ces.n for g in groups], [g.ces.mean for g in groups],
                                         [g.ces.sd for g in groups])
        for a, b in zip(ces, by_means):
            self.assertEqual((a.n, a.n_rest, a.significant, a.low_base), (b.n, b.n_rest, b.significant, b.low_base))
            for f in ("score", "score_rest", "diff", "stat", "df", "p", "p_adjusted"):
                self.assertAlmostEqual(getattr(a, f), getattr(b, f), places=9, msg=f)

    def test_generated_answers(self):
        # Generated answers per segment: the tests from the answer counts
        # (cxm_slice_tests_survey) equal the store's (cxm_slice_tests_groups),
        # and NPS's score interval from the counts equals the one from the
        # Nps result (it depends on the three categories only).
        import random
        rng = random.Random(19)
        scales = {"nps": range(0, 11), "csat": range(1, 6), "ces": range(1, 8)}
        with cxm.Store() as s:
            counts = {m: [] for m in scales}
            for seg in ("a", "b", "c", "d", "e"):
                for m, scale in scales.items():
                    c = [0] * len(scale)
                    for i in range(rng.randrange(0, 80)):
                        v = rng.choice(scale)
                        c[v - scale[0]] += 1
                        s.record(f"{seg}{i}", "2026-03-02T10:00:00Z", m, v, segment=seg)
                    counts[m].append(c)
            for m in scales:
                for adjust in ("holm", "bh"):
                    want = s.slice_tests("segment", m, adjust=adjust, min_n=20)
                    got = cxm.slice_tests_survey(m, counts[m], adjust=adjust, min_n=20)
                    self.assertEqual([t for t in got], [dataclass_replace(t, key=None) for t in want])
            for g, c in zip(s.groups("segment"), counts["nps"]):
                self.assertEqual(cxm.nps_score_interval(c), cxm.nps_score_interval(g.nps))

    def test_plan_equals_cxm_plan(self):
        cases = ((["--metric", "nps", "--margin", "5"], dict(metric="nps", margin=5)),
                 (["--metric", "nps", "--margin", "3", "--population", "2000", "--p-promoter", "0.4",
                   "--p-detractor", "0.2"], dict(metric="nps", margin=3, population=2000, p_promoter=0.4,
                                                 p_detractor=0.2)),
                 (["--metric", "csat", "--margin", "2.5", "--p-satisfied", "0.8"],
                  dict(metric="csat", margin=2.5, p_satisfied=0.8)),
                 (["--metric", "ces", "--margin", "0.2", "--sd", "1.5", "--population", "500"],
                  dict(metric="ces", margin=0.2, sd=1.5, population=500)))
        for args, kw in cases:
            want = run_json("plan", "--json", *args)
            got = cxm.plan_sample_size(**kw)
            with self.subTest(args=args):
                self.assertEqual((want["n"], want["n_infinite"]), (got.n, got.n_infinite))
        with self.assertRaises(cxm.CxmValueError):
            cxm.plan_sample_size("nps", margin=0)

    def test_channel_keyword(self):
        # Filtering by channel name gives the same numbers as the group.
        want = self.report["slices"]["channel"]
        for name in want:
            with self.subTest(channel=name):
                self.assertEqual(want[name]["nps"], nps_json(self.store.nps(channel=name)))
                self.assertEqual(want[name]["gap"], gap_json(self.store.gap(channel=name)))
                self.assertEqual(want[name]["service"], service_json(self.store.service(channel=name),
                                                                     self.store.service(channel=name, business=True)))


HOLIDAYS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "cli", "data",
                        "holidays.txt")
HOURS = "mon-thu=08:00-18:00,fri=08:00-12:30,sat=10:00-14:00"


@unittest.skipUnless(SAMPLE and EXE, "needs CXM_SAMPLE and CXM_EXE (run through tests/run.py)")
class BusinessTimeParity(unittest.TestCase):
    """cxm.Calendar gives the numbers of `cxm report`/`cxm churn` with
    --hours, --utc-offset, --holidays and --sla-target."""

    @classmethod
    def setUpClass(cls):
        cls.args = ["--hours", HOURS, "--utc-offset", "-03:00", "--holidays", HOLIDAYS, "--sla-target", "4h"]
        cls.report = run_json("report", "--json", *cls.args, SAMPLE)
        cls.store = cxm.Store()
        cls.store.ingest(SAMPLE)
        with open(HOLIDAYS) as f:
            text = f.read()
        cls.cal = cxm.Calendar(HOURS, utc_offset="-03:00")
        cls.cal.add_holidays_text(text)

    @classmethod
    def tearDownClass(cls):
        cls.store.close()
        cls.cal.close()

    def test_settings_echo_the_calendar(self):
        st = self.report["settings"]
        self.assertEqual(st["utc_offset"], "-03:00")
        self.assertEqual(self.cal.utc_offset, -3 * 3600)
        self.assertEqual(st["holidays"], self.cal.holiday_count)
        self.assertEqual(st["sla_target_s"], 4 * 3600)
        for day, text in st["hours"].items():
            got = self.cal.hours(day)
            self.assertEqual(text, None if got is None else "%02d:%02d-%02d:%02d" % (
                got[0] // 3600, got[0] % 3600 // 60, got[1] // 3600, got[1] % 3600 // 60))

    def test_slices(self):
        kw = {"calendar": self.cal, "sla_target_seconds": 4 * 3600}
        self.assertEqual(self.report["overall"]["service"],
                         slice_json(self.store, None, **kw)["service"])
        for g in self.store.groups("channel"):
            with self.subTest(channel=g.key):
                self.assertEqual(self.report["slices"]["channel"][g.key]["service"],
                                 slice_json(self.store, g, **kw)["service"])

    def test_group_experience(self):
        kw = {"calendar": self.cal, "sla_target_seconds": 4 * 3600}
        for g in self.store.group_experience("channel", **kw):
            with self.subTest(channel=g.key):
                self.assertEqual(self.report["slices"]["channel"][g.key]["service"],
                                 service_json(g.service, g.service_business))

    def test_churn(self):
        want = run_json("churn", "--json", *self.args, SAMPLE)
        got = self.store.churn(calendar=self.cal, sla_target_seconds=4 * 3600)
        self.assertEqual([c["customer"] for c in want["customers"]][:50], [c.customer for c in got.customers][:50])
        self.assertEqual([c["risk"] for c in want["customers"]], [c.risk for c in got.customers])
        # The calendar reaches the features (the sample's risks may not move:
        # its held-out selection can pick the purchase model alone).
        default = self.store.churn()
        breaches = lambda r: {c.customer: c.features["sla_breaches"] for c in r.customers}
        self.assertNotEqual(breaches(default), breaches(got))

    def test_calendar_api(self):
        with cxm.Calendar() as cal:  # the library's default week
            self.assertEqual(cal.hours("mon"), (9 * 3600, 17 * 3600))
            self.assertIsNone(cal.hours(7))
            # Friday 2026-02-06 16:30 -> Monday 09:30: one business hour
            self.assertEqual(cal.business_seconds("2026-02-06T16:30:00Z", "2026-02-09T09:30:00Z"), 3600)
            self.assertEqual(cal.add_business("2026-02-06T16:30:00Z", 3600), 1770629400)
            self.assertEqual(cal.next_open("2026-02-07T12:00:00Z"), 1770627600)
            cal.add_holiday("2026-02-09")
            self.assertEqual(cal.holiday_count, 1)
            self.assertEqual(cal.business_seconds("2026-02-06T16:30:00Z", "2026-02-09T09:30:00Z"), 1800)
            cal.set_hours("sat", "10:00", "14:00")
            self.assertEqual(cal.hours(6), (36000, 50400))
            cal.utc_offset = "+05:30"
            self.assertEqual(cal.utc_offset, 19800)
            for bad in (lambda: cal.set_hours("Mon", 0, 1), lambda: cal.set_hours("mon", "9:00", "17:00"),
                        lambda: cal.set_hours("mon", "17:00", "09:00"), lambda: setattr(cal, "utc_offset", "+19:00"),
                        lambda: cal.add_holiday("2026-02-30"), lambda: cal.add_holidays_text("2026-01-01\nx\n")):
                with self.assertRaises(cxm.CxmError):
                    bad()
            self.assertEqual(cal.holiday_count, 1)  # all or nothing
        with self.assertRaises(cxm.CxmError):
            cal.hours("mon")  # closed

    def test_hours_text_matches_the_command(self):
        self.assertEqual(cxm.parse_hours("mon-fri=09:00-17:00,sat=10:00-14:00")["sat"], (36000, 50400))
        self.assertIsNone(cxm.parse_hours("mon=00:00-24:00")["tue"])
        for bad in ("", "mon", "fri-mon=09:00-17:00", "mon-fri=09:00-17:00,fri=closed", "mon=09:00-09:00",
                    "mon=17:00-09:00", "Mon=09:00-17:00", "mon=09:00-24:01"):
            with self.subTest(hours=bad):
                with self.assertRaises(cxm.CxmError):
                    cxm.parse_hours(bad)
                proc = subprocess.run([EXE, "report", "--hours", bad, SAMPLE], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE)
                self.assertEqual(proc.returncode, 2)


OPS_REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools",
                             "ops_reference.py")


@unittest.skipUnless(EXE, "needs CXM_EXE (run through tests/run.py)")
class LoopParity(unittest.TestCase):
    """Store.loop / loop_each equal the `loop` and `responses` objects of
    `cxm report --json --by channel,segment` on a file with follow-ups and
    invitations: tools/ops_reference.py's generated edges (follow-ups before
    and after the answer, across weekends and holidays, invitations with and
    without refs), with its holidays in the calendar as in --holidays."""

    def check(self, seed):
        import csv
        import importlib.util
        import tempfile
        spec = importlib.util.spec_from_file_location("ops_reference", OPS_REFERENCE)
        ref = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(ref)
        rows = ref.generate(seed)
        self.assertGreater(sum(r["kind"] == "followup" for r in rows), 10)
        self.assertGreater(sum(r["kind"] == "survey_sent" for r in rows), 10)
        with tempfile.TemporaryDirectory() as work:
            path, hol = os.path.join(work, "loop.csv"), os.path.join(work, "holidays.txt")
            with open(path, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["time", "customer", "kind", "value", "channel", "segment", "ref"])
                for r in rows:
                    w.writerow([ref.iso(r["time"]), r["customer"], r["kind"], r["value"], r["channel"],
                                r["segment"], r["ref"]])
            with open(hol, "w") as f:
                f.write("\n".join(ref.HOLIDAYS) + "\n")
            doc = run_json("report", "--json", "--by", "channel,segment", "--holidays", hol, path)
            with cxm.Store() as store, cxm.Calendar() as cal:
                store.ingest(path)
                for day in ref.HOLIDAYS:
                    cal.add_holiday(day)
                overall = store.loop(calendar=cal)
                self.assertEqual(doc["overall"]["loop"], loop_json(overall))
                self.assertEqual(doc["overall"]["responses"], responses_json(overall))
                self.assertGreater(overall.followed, 0)
                self.assertGreater(overall.invitations_answered, 0)
                self.assertIsNotNone(overall.recovery_diff_low_pct)
                self.assertNotEqual(overall, store.loop())  # the holidays count
                for by in ("channel", "segment"):
                    groups = store.groups(by)
                    want = doc["slices"][by]
                    self.assertEqual(list(want), [g.key for g in groups])
                    each = store.loop_each(list(groups), calendar=cal)
                    for g, got in zip(groups, each):
                        with self.subTest(seed=seed, by=by, key=g.key):
                            self.assertEqual(want[g.key]["loop"], loop_json(got))
                            self.assertEqual(want[g.key]["responses"], responses_json(got))
                            self.assertEqual(got, store.loop(g, calendar=cal))
                # by name and by dict, as the other queries take slices
                self.assertEqual(store.loop(channel="email", calendar=cal),
                                 store.loop_each([{"channel": "email"}], calendar=cal)[0])
                self.assertEqual(store.loop_each([]), [])
                # the options reach the library: a longer promise keeps more
                # follow-ups in target, stricter bounds fewer detractors
                long = store.loop(calendar=cal, target_seconds=30 * 86400)
                self.assertGreaterEqual(long.followed_in_target, overall.followed_in_target)
                self.assertEqual(long.followed, overall.followed)
                strict = store.loop(nps_detractor_max=3, csat_detractor_max=1, ces_detractor_max=1)
                self.assertLess(strict.detractors, overall.detractors)
                short = store.loop(invitation_window_seconds=3600)
                self.assertLessEqual(short.invitations_answered, overall.invitations_answered)
                for bad in (dict(nps_detractor_max=11), dict(csat_detractor_max=0), dict(ces_detractor_max=8),
                            dict(target_seconds=0), dict(invitation_window_seconds=0)):
                    with self.assertRaises(cxm.CxmValueError, msg=str(bad)):
                        store.loop(**bad)
                with self.assertRaises(TypeError):
                    store.loop(calendar="mon-fri=09:00-17:00")
                frame = overall.to_frame() if _has_pandas() else None
                if frame is not None:
                    self.assertEqual(len(frame), 1)

    def test_generated(self):
        for seed in (17, 5):
            self.check(seed)


def _has_pandas():
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


PLANTED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "data", "churn",
                       "planted.csv")


def rfc3339(t):
    import datetime as dt
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def churn_json(got):
    """The binding's Churn in the shape of `cxm churn --json` (docs/cli.md,
    cxm-churn/1): the per-customer rows and the risk_model block. The
    command's other members (the purchase model's parameters, x, t_x, T)
    come from its own purchase fit, not from cxm_store_churn()."""
    m = got.model
    ev = None
    if m.evaluation is not None:
        e = m.evaluation
        ev = {"customers": e.customers, "churned": e.churned, "log_loss": e.log_loss, "auc": e.auc, "brier": e.brier,
              "calibration": [{"customers": b.customers, "predicted": b.predicted, "observed": b.observed}
                              for b in e.calibration]}
    return {
        "customers": [{"customer": c.customer, "p_alive": c.p_alive, "p_no_purchase": c.p_no_purchase, "risk": c.risk,
                       "expected_value": c.expected_value, "value_at_risk": c.value_at_risk, "band": c.band,
                       "drivers": [{"factor": d.factor, "weight": d.weight, "value": c.features[d.factor],
                                    "baseline": m.baseline[d.factor]} for d in c.drivers]}
                      for c in got.customers],
        "risk_model": {"source": m.source,
                       "selection": {"training_customers": m.training_customers, "training_lost": m.training_lost,
                                     "min_class": 20,
                                     "heldout_auc": m.heldout_auc or dict.fromkeys(("default", "fitted", "purchase")),
                                     "heldout_log_loss": m.heldout_log_loss
                                     or dict.fromkeys(("default", "fitted", "purchase")),
                                     "margin": m.margin},
                       "value_at_risk": m.value_at_risk, "expected_value": m.expected_value,
                       "spend_model": m.spend_model,
                       "baseline": m.baseline,
                       "cutoff": rfc3339(m.cutoff), "scored_at": rfc3339(m.scored_at),
                       "intercept": m.intercept, "coefficients": m.coefficients, "evaluation": ev},
    }


# (file, command-line options, Store.churn() keywords): default options, a
# scoring time and horizon, a horizon reaching before the first event (the
# default model, no evaluation), another purchase model; the planted data
# (tests/data/churn, customers without usable purchases: p_alive null).
CHURN_CASES = [
    ("sample", [], {}),
    ("sample", ["--to", "2026-06-01", "--horizon", "60"], {"to": "2026-06-01T00:00:00Z", "horizon_days": 60}),
    ("sample", ["--horizon", "3000"], {"horizon_days": 3000}),
    ("sample", ["--model", "bgnbd", "--to", "2026-03-01"], {"model": "bgnbd", "to": 1772323200}),
    ("planted", [], {}),
    ("planted", ["--to", "2025-12-01", "--horizon", "30"], {"to": "2025-12-01T00:00:00Z", "horizon_days": 30}),
    ("planted", ["--to", "2025-12-01", "--horizon", "30", "--label", "churn"],
     {"to": "2025-12-01T00:00:00Z", "horizon_days": 30, "label": "churn"}),
    ("sample", ["--label", "lapse", "--activity", "any", "--lapsed", "score", "--rank", "value"],
     {"label": "lapse", "activity": "any", "train_lapsed": False, "rank": "value"}),
]


@unittest.skipUnless(SAMPLE and EXE, "needs CXM_SAMPLE and CXM_EXE (run through tests/run.py)")
class ChurnParity(unittest.TestCase):
    """Every number of Store.churn() (risk, band, P(alive), drivers and
    their weights, the risk model and its held-out evaluation with the
    calibration bins) equals `cxm churn --json`, row by row in its order."""

    def check(self, path, args, kw):
        doc = run_json("churn", "--json", *args, path)
        with cxm.Store() as store:
            store.ingest(path)
            got = store.churn(**kw)
        self.assertGreater(len(got.customers), 100)
        want = {"customers": [{k: c[k] for k in ("customer", "p_alive", "p_no_purchase", "risk", "expected_value",
                                                 "value_at_risk", "band", "drivers")}
                              for c in doc["customers"]],
                "risk_model": doc["risk_model"]}
        mine = churn_json(got)
        self.assertEqual(want["risk_model"], mine["risk_model"])
        self.assertEqual(len(want["customers"]), len(mine["customers"]))
        for w, g in zip(want["customers"], mine["customers"]):
            if w != g:
                self.assertEqual(w, g)  # the first differing row, in full
        return got

    def test_cases(self):
        paths = {"sample": SAMPLE, "planted": PLANTED}
        seen = set()
        for name, args, kw in CHURN_CASES:
            if name == "planted" and not os.path.exists(PLANTED):
                self.skipTest(f"{PLANTED} is missing (tools/gen_churn_data.py makes it)")
            with self.subTest(data=name, args=args):
                got = self.check(paths[name], args, kw)
                seen.add((got.model.source, any(c.p_alive is None for c in got.customers),
                          got.model.evaluation is None))
        # The cases cover a fitted and the default model, and P(alive) both
        # present and absent (null in the JSON, None here).
        self.assertIn("fitted", {s for s, _, _ in seen})
        self.assertIn("default", {s for s, _, _ in seen})
        self.assertIn(True, {n for _, n, _ in seen})
        self.assertIn(True, {e for _, _, e in seen})



# tests/test_risk.c's reference fit (tools/risk_reference.py: scipy on the
# same objective): rows, labels, weights; per l2 the coefficients, their
# standard errors and the log-loss.
REF_X = [[0.5, 10.0], [1.2, 12.0], [-0.3, 9.0], [2.0, 15.0], [1.5, 11.0], [-1.0, 8.0], [0.0, 13.0], [0.8, 9.5],
         [3.1, 14.0], [-2.2, 7.0], [1.1, 10.5], [0.4, 12.5]]
REF_Y = [0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1]
REF_W = [1, 1, 2, 1, 0.5, 1, 1, 1.5, 1, 1, 1, 2]
REF_FIT = [(0.0, (-8.33399823619962, 3.00503517180637, 0.614742668993207),
            (7.52392281026181, 2.27212554116293, 0.612333233074458), 0.339305373605344),
           (1.0, (-3.8181678132338, 0.820599945537176, 0.312802925935475),
            (3.16971446506651, 0.596378150693663, 0.290582267861329), 0.411677187430464),
           (5.0, (-2.05616042393782, 0.361312431635743, 0.172585300694198),
            (1.85310433809043, 0.306426959060077, 0.164690275194668), 0.502569352440621)]


class RiskModelParts(unittest.TestCase):
    """The churn pipeline's parts (cxm/risk.h, cxm_store_risk_model,
    cxm_feature_default_model) through LogisticModel."""

    def test_reference_fit(self):
        for l2, b, se, log_loss in REF_FIT:
            m = cxm.LogisticModel.fit(REF_X, REF_Y, REF_W, l2=l2)
            self.assertTrue(m.converged)
            self.assertEqual((m.rows, m.positives, m.l2), (12, 6, l2))
            for got, want in zip((m.intercept,) + m.coefficients, b):
                self.assertAlmostEqual(got, want, delta=1e-9 * max(1, abs(want)))
            for got, want in zip((m.intercept_se,) + m.se, se):
                self.assertAlmostEqual(got, want, delta=1e-8 * max(1, abs(want)))
            self.assertAlmostEqual(m.log_loss, log_loss, delta=1e-11)
            # score = sigmoid(logit), logit = intercept + the contributions
            contrib, logit = m.explain(REF_X[3])
            self.assertAlmostEqual(logit, m.intercept + sum(contrib), places=12)
            self.assertAlmostEqual(m.score(REF_X[3]), 1 / (1 + math.exp(-logit)), places=12)
            ev = m.evaluate(REF_X, REF_Y, REF_W)
            self.assertEqual((ev.customers, ev.churned), (12, 6))
            self.assertAlmostEqual(ev.log_loss, log_loss, delta=1e-11)
        stopped = cxm.LogisticModel.fit(REF_X, REF_Y, REF_W, l2=0.0, max_iterations=1)
        self.assertFalse(stopped.converged)
        # shrinking towards a prior at the unpenalised estimate costs nothing
        free = cxm.LogisticModel.fit(REF_X, REF_Y, l2=0.0)
        toward = cxm.LogisticModel.fit(REF_X, REF_Y, l2=50.0, prior=list(free.coefficients))
        for a, b in zip(free.coefficients, toward.coefficients):
            self.assertAlmostEqual(a, b, places=4)
        hand = cxm.LogisticModel.from_coefficients(-1.0, [0.5, 0.1])
        self.assertIsNone(hand.l2)
        self.assertAlmostEqual(hand.score([2.0, 10.0]), 1 / (1 + math.exp(-1.0)), places=12)
        self.assertEqual([cxm.LogisticModel.band(p) for p in (0.1, 0.3, 0.6, float("nan"))],
                         ["low", "medium", "high", "none"])
        with self.assertRaises(cxm.CxmValueError):
            hand.score([1.0])

    @unittest.skipUnless(EXE, "needs CXM_EXE")
    def test_default_and_store_models(self):
        doc = run_json("churn", "--json", PLANTED)
        self.assertEqual(doc["risk_model"]["source"], "default")
        default = cxm.LogisticModel.default_churn()
        self.assertEqual(default.intercept, doc["risk_model"]["intercept"])
        self.assertEqual(list(default.coefficients), list(doc["risk_model"]["coefficients"].values()))
        with cxm.Store() as s:
            s.ingest(PLANTED)
            cutoff = doc["risk_model"]["cutoff"]
            m, ev, fitted = s.risk_model(cutoff)
            table = s.features(cutoff)
            labelled = [r for r in table if r.label is not None]
            self.assertTrue(fitted)
            self.assertEqual(m.rows + ev.customers, len(labelled))  # even handles train, odd ones evaluate
            self.assertEqual(m.positives + ev.churned, sum(r.label for r in labelled))
            # no labels (a cut-off at the last day): the default model, no evaluation
            m0, ev0, fitted0 = s.risk_model(doc["risk_model"]["scored_at"])
            self.assertFalse(fitted0)
            self.assertIsNone(ev0)
            self.assertEqual(m0.coefficients, default.coefficients)



@unittest.skipUnless(SAMPLE, "needs CXM_SAMPLE")
class Accumulators(unittest.TestCase):
    """The accumulator layer: each family's accumulator of a slice computes
    the store's query of it (the service quantiles within the sketch's
    1/128), round-trips through bytes, and merges shards."""

    def test_accumulators(self):
        with cxm.Store() as s:
            s.ingest(SAMPLE)
            for g in [None] + list(s.groups("channel")):
                acc = {f: s.accumulator(f, g) for f in ("survey", "gap", "servqual", "loyalty", "service")}
                self.assertEqual((acc["survey"].nps(), acc["survey"].csat(), acc["survey"].ces()),
                                 (s.nps(g), s.csat(g), s.ces(g)))
                self.assertEqual(acc["gap"].compute(), s.gap(g))
                self.assertEqual(acc["servqual"].compute(), s.servqual(g))
                self.assertEqual(acc["loyalty"].compute(), s.loyalty(g))
                got, want = acc["service"].compute(), s.service(g)
                for f in ("contacts", "open", "replied", "resolved", "met", "breached", "first_response_mean_s",
                          "resolution_mean_s", "within_sla_pct"):
                    self.assertEqual(getattr(got, f), getattr(want, f), f)
                for f in ("first_response_median_s", "first_response_p90_s", "resolution_median_s",
                          "resolution_p90_s"):
                    if getattr(want, f) is not None:
                        self.assertLessEqual(abs(getattr(got, f) - getattr(want, f)), getattr(want, f) / 128 + 1, f)
                for a in acc.values():
                    self.assertEqual(type(a).from_bytes(a.to_bytes()), a)
            # Months are disjoint shards of the answers and interactions.
            total_survey, total_loyalty = cxm.SurveyAccumulator(), cxm.LoyaltyAccumulator()
            for g in s.groups("month"):
                total_survey.merge(s.accumulator("survey", g))
                total_loyalty.merge(s.accumulator("loyalty", g))
            self.assertEqual(total_survey, s.accumulator("survey"))
            self.assertEqual(total_loyalty.compute().complaints, s.loyalty().complaints)
            with self.assertRaises(cxm.CxmValueError):
                cxm.SurveyAccumulator.from_bytes(b"nonsense")
            with self.assertRaises(cxm.CxmValueError):
                cxm.GapAccumulator.from_bytes(s.accumulator("gap").to_bytes() + b"x")
            with self.assertRaises(TypeError):
                total_survey.merge(total_loyalty)
            weighted = s.accumulator("servqual").compute({"reliability": 1.0})
            self.assertEqual(weighted.score, s.servqual().gaps["reliability"])

    def test_built_by_hand(self):
        a = cxm.SurveyAccumulator()
        for v, n in ((10, 5), (9, 3), (7, 2), (3, 4)):
            a.add("nps", v, n)
        self.assertEqual((a.nps().promoters, a.nps().passives, a.nps().detractors), (8, 2, 4))
        self.assertAlmostEqual(a.nps().score, 100 * (8 - 4) / 14)
        with self.assertRaises(cxm.CxmValueError):
            a.add("nps", 11)
        g = cxm.GapAccumulator()
        for service, experience in ((90, 70), (85, 85), (60, 90)):
            g.add(service, experience)
        r = g.compute()
        self.assertEqual((r.pairs, r.blind_spots, r.reverse_spots), (3, 1, 1))
        self.assertAlmostEqual(r.mean, (20 + 0 - 30) / 3)


if __name__ == "__main__":
    unittest.main()
