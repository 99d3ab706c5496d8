#!/usr/bin/env python3
"""Tests of the `cxm report` command (docs/cli.md, /work/shared/spec/cli.md).

Usage: test_cli.py CXM DATA_DIR [GROUP...]

Runs the built `cxm` on the fixtures in DATA_DIR (and on fixtures generated
here) and checks exit statuses, diagnostics and every number of the JSON
against an independent computation made here from the fixture itself: the
rows are parsed with Python's `csv`/`json` modules, validated by the rules
of docs/events.md (written again here, not taken from the C code), and the
metrics computed by the formulas of docs/metrics.md. Only the Python
standard library is used.

Reference values: everything is computed by this file; the Student t
quantile is computed by bisection on a t CDF written here (regularised
incomplete beta by its continued fraction, Numerical Recipes 3rd ed. 6.4),
and that quantile is itself checked against closed forms (df = 1, 2) and
against values printed by SciPy 1.10.1 (`scipy.stats.t.ppf(0.975, df)`,
pasted below).
"""

import calendar
import csv
import io
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile

CXM = None
DATA = None

# Relative tolerance for floats (an absolute one of the same size for values
# near 0, such as a net CES of 0 that may be computed as 1e-15).
REL_TOL = 1e-9
ABS_TOL = 1e-9

Z95 = 1.959964  # docs/metrics.md fixes this constant

FAILURES = []


def check(cond, message):
    if not cond:
        FAILURES.append(message)
        print("FAIL: " + message)


def run(args, stdin=None, cwd=None):
    proc = subprocess.run([CXM] + args, input=stdin, cwd=cwd or DATA,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


# ---------------------------------------------------------------------------
# Student t quantile, written independently of the library.

def betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < tiny:
        d = tiny
    d = 1.0 / d
    h = d
    for m in range(1, 10000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = tiny if abs(d) < tiny else d
        c = 1.0 + aa / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def betai(a, b, x):
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * betacf(b, a, 1.0 - x) / b


def t_cdf(t, df):
    x = df / (df + t * t)
    tail = 0.5 * betai(df / 2.0, 0.5, x)
    return 1.0 - tail if t >= 0 else tail


def t_quantile_975(df):
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < 0.975:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid == lo or mid == hi:
            break
        if t_cdf(mid, df) < 0.975:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


# scipy.stats.t.ppf(0.975, df), SciPy 1.10.1 (its own error is ~1e-11).
SCIPY_T975 = {
    1: 12.706204736432095, 2: 4.302652729911275, 3: 3.182446305284263,
    4: 2.7764451051977987, 5: 2.5705818366147395, 10: 2.2281388519649385,
    30: 2.0422724563012373, 100: 1.9839715184496334, 1000: 1.9623390808264074,
}


def test_t_quantile():
    # Closed forms: df = 1 is Cauchy, t = tan(pi (p - 1/2)); df = 2 has
    # t = (2p - 1) / sqrt(2 p (1 - p)).
    check(math.isclose(t_quantile_975(1), math.tan(math.pi * 0.475), rel_tol=1e-13),
          "t quantile df=1 %r" % t_quantile_975(1))
    check(math.isclose(t_quantile_975(2), 0.95 / math.sqrt(2 * 0.975 * 0.025), rel_tol=1e-13),
          "t quantile df=2 %r" % t_quantile_975(2))
    for df, ref in SCIPY_T975.items():
        check(math.isclose(t_quantile_975(df), ref, rel_tol=1e-9),
              "t quantile df=%d: %r vs scipy %r" % (df, t_quantile_975(df), ref))


# ---------------------------------------------------------------------------
# Reference ingestion: docs/events.md, written again.

KINDS = ["nps", "csat", "ces", "internal", "expectation", "perception", "contact_open",
         "contact_reply", "contact_resolve", "purchase", "complaint", "compliment", "churn",
         "contact_reopen", "contact_transfer", "followup", "survey_sent"]
NAMED_CHANNELS = ["email", "phone", "chat", "web", "store", "social", "app"]
STAGES = ["awareness", "discovery", "attraction", "interaction", "purchase", "use",
          "cultivation", "advocacy"]
DIMENSIONS = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]
KNOWN_COLUMNS = ["time", "customer", "kind", "value", "channel", "stage", "ref", "segment",
                 "dimension", "id"]
TIME_MAX = 253402300799

RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
CHANNEL_TOKEN = re.compile(r"^[a-z0-9_-]{1,32}$")


def parse_time(text):
    if re.fullmatch(r"\d+", text):
        t = int(text)
    else:
        m = RFC3339.match(text)
        if not m:
            return None
        y, mo, d, hh, mm, ss = (int(g) for g in m.groups()[:6])
        if not (1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1] and hh < 24 and mm < 60 and ss <= 60):
            return None
        t = calendar.timegm((y, mo, d, hh, mm, 0, 0, 0, 0)) + ss
        off = m.group(8)
        if off not in ("Z", "z"):
            sign = 1 if off[0] == "+" else -1
            t -= sign * (int(off[1:3]) * 3600 + int(off[4:6]) * 60)
    if t < 0 or t > TIME_MAX:
        return None
    return t


def bad_text(s):
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in s)


def validate(f):
    """(event dict, None) or (None, column at fault) for one record's fields."""
    for col in ("time", "customer", "kind"):
        if f.get(col, "") == "":
            return None, col
    t = parse_time(f["time"])
    if t is None:
        return None, "time"
    cust = f["customer"]
    if len(cust.encode()) > 128 or bad_text(cust):
        return None, "customer"
    kind = f["kind"]
    if kind not in KINDS:
        return None, "kind"
    v = f.get("value", "")
    value = None
    if kind in ("nps", "csat", "ces", "expectation", "perception", "internal", "purchase"):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            value = float(v)
        elif isinstance(v, str) and DECIMAL.match(v):
            value = float(v)
        else:
            return None, "value"
        lo, hi, integer = {"nps": (0, 10, True), "csat": (1, 5, True), "ces": (1, 7, True),
                           "expectation": (1, 7, True), "perception": (1, 7, True),
                           "internal": (0, 100, False), "purchase": (0, math.inf, False)}[kind]
        if not (lo <= value <= hi) or (integer and value != int(value)):
            return None, "value"
    elif v not in ("", None):
        return None, "value"
    ch = f.get("channel", "")
    if ch != "" and not CHANNEL_TOKEN.match(ch):
        return None, "channel"
    st = f.get("stage", "")
    if st != "" and st not in STAGES:
        return None, "stage"
    seg = f.get("segment", "")
    if len(seg.encode()) > 64 or bad_text(seg):
        return None, "segment"
    dim = f.get("dimension", "")
    if dim != "" and dim not in DIMENSIONS:
        return None, "dimension"
    if kind in ("expectation", "perception") and dim == "":
        return None, "dimension"
    ref = f.get("ref", "")
    if len(ref.encode()) > 128 or ((kind.startswith("contact_") or kind == "followup") and ref == ""):
        return None, "ref"
    eid = f.get("id", "")
    if len(eid.encode()) > 128:
        return None, "id"
    return {"time": t, "customer": cust, "kind": kind, "value": value,
            "channel": ch or "unknown", "stage": st or "none", "segment": seg or "unknown",
            "id": eid, "ref": ref, "dimension": dim}, None


def csv_records(path_or_text):
    """(line, fields dict) per record; for a record with the wrong number of
    fields, (line, column) with the column the reader names: the first
    missing one when fields are missing, `*` when there are too many."""
    text = path_or_text
    if not isinstance(text, str) or "\n" not in text:
        with open(path_or_text, encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    out = []
    prev = reader.line_num
    for rec in reader:
        start = prev + 1
        prev = reader.line_num
        if rec == []:
            continue  # a blank line is not a row
        if len(rec) != len(header):
            out.append((start, header[len(rec)] if len(rec) < len(header) else "*"))
        else:
            out.append((start, dict(zip(header, rec))))
    return header, out


def jsonl_records(path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if line.strip() == "":
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                out.append((i, "*"))
                continue
            out.append((i, {k: ("" if v is None else v) for k, v in obj.items()}))
    return out


class Reference:
    """Independent model of one `cxm report` run over several inputs."""

    def __init__(self, frm=None, to=None, utc_offset=0, holidays=(), hours=None, sla_target=8 * 3600,
                 fcr_window=7 * 86400):
        self.frm, self.to = frm, to
        self.fcr_window = fcr_window
        self.utc_offset, self.holidays = utc_offset, set(holidays)
        # hours: weekday 0 (Monday)..6 -> (open, close) seconds; absent: closed
        self.hours = hours if hours is not None else {d: (9 * 3600, 17 * 3600) for d in range(5)}
        self.sla_target = sla_target
        self.rows = self.rejected = self.duplicates = 0
        self.events = []
        self.bad = []  # (file label, line, column)
        self.seen_ids = set()

    def add_records(self, label, records):
        for line, fields in records:
            self.rows += 1
            if isinstance(fields, str):  # unparseable record: the column at fault
                self.rejected += 1
                self.bad.append((label, line, fields))
                continue
            ev, col = validate(fields)
            if ev is None:
                self.rejected += 1
                self.bad.append((label, line, col))
                continue
            if (self.frm is not None and ev["time"] < self.frm) or (self.to is not None and ev["time"] >= self.to):
                continue
            if ev["id"] != "" and ev["id"] in self.seen_ids:
                self.duplicates += 1
                continue
            if ev["id"] != "":
                self.seen_ids.add(ev["id"])
            self.events.append(ev)

    def add_csv(self, label, path):
        self.add_records(label, csv_records(path)[1])

    def add_jsonl(self, label, path):
        self.add_records(label, jsonl_records(path))

    def document(self, by=("channel", "stage", "segment")):
        times = [e["time"] for e in self.events]
        fmt = lambda t: None if t is None else "%04d-%02d-%02dT%02d:%02d:%02dZ" % tuple(
            __import__("time").gmtime(t)[:6])
        doc = {
            "format": "cxm-report/1",
            "input": {"rows": self.rows, "events": len(self.events), "rejected": self.rejected,
                      "duplicates": self.duplicates,
                      "customers": len({e["customer"] for e in self.events}),
                      "first": fmt(min(times)) if times else None,
                      "last": fmt(max(times)) if times else None},
            "settings": self.settings(),
            "loop_settings": {"nps_detractor_max": 6, "csat_detractor_max": 2, "ces_detractor_max": 3,
                              "followup_target_s": 8 * 3600, "invitation_window_s": 30 * 86400,
                              "fcr_window_s": self.fcr_window},
            "overall": self.slice(lambda t, ch, st, seg: True),
            "slices": {},
        }
        for dim in by:
            keys = {key_of(e, dim) for e in self.events}
            # Keys sorted bytewise, as cxm_store_group() documents.
            doc["slices"][dim] = {k: self.slice(selector(dim, k), dim, k)
                                  for k in sorted(keys, key=lambda s: s.encode())}
            for k, v in doc["slices"][dim].items():
                sel = selector(dim, k)
                own = [e for e in self.events if sel(e["time"], e["channel"], e["stage"], e["segment"])]
                rest = [e for e in self.events if not sel(e["time"], e["channel"], e["stage"], e["segment"])]
                v["vs_rest"] = {"adjust": "holm"}
                v["vs_rest"].update(vs_rest_of(own, rest, v["gap"],
                                               gap_of(self.events, lambda *a, s=sel: not s(*a))))
            adjust_dimension(doc["slices"][dim])
        return doc

    def slice(self, sel, dim=None, key=None):
        """The SLICE of the events (and pairs, contacts) that `sel` keeps
        (`dim`, `key`: the slice's dimension and key, None for overall)."""
        own = [e for e in self.events if sel(e["time"], e["channel"], e["stage"], e["segment"])]
        out = slice_of(own)
        out["gap"] = gap_of(self.events, sel)
        out["servqual"] = servqual_of(own)
        out["service"] = service_of(self.events, sel, self)
        out["loyalty"] = loyalty_of(own)
        out["consistency"] = consistency_of(own)
        out["operations"] = operations_of(self.events, sel, self)
        out.update(loop_of(self.events, sel, self))
        out["backlog"] = backlog_of(self.events, dim, key, self)
        return out

    def settings(self):
        off = abs(self.utc_offset)
        clock = lambda s: "%02d:%02d" % (s // 3600, s % 3600 // 60)
        return {"utc_offset": "%s%02d:%02d" % ("-" if self.utc_offset < 0 else "+", off // 3600, off % 3600 // 60),
                "hours": {name: ("%s-%s" % (clock(self.hours[d][0]), clock(self.hours[d][1]))
                                 if d in self.hours else None)
                          for d, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
                "holidays": len(self.holidays), "sla_target_s": self.sla_target}

    def business_seconds(self, t0, t1):
        """Seconds of [t0, t1) inside the opening hours (default Monday-Friday
        09:00-17:00) local time, holidays excluded, walked day by day (not the
        library's arithmetic)."""
        if t1 <= t0:
            return 0
        import datetime
        total = 0
        day = (t0 + self.utc_offset) // 86400
        last = (t1 + self.utc_offset) // 86400
        while day <= last:
            date = datetime.date(1970, 1, 1) + datetime.timedelta(days=day)
            if date.weekday() in self.hours and date.isoformat() not in self.holidays:
                start = day * 86400 - self.utc_offset + self.hours[date.weekday()][0]
                end = day * 86400 - self.utc_offset + self.hours[date.weekday()][1]
                total += max(0, min(end, t1) - max(start, t0))
            day += 1
        return total


def key_of(e, dim):
    if dim in ("channel", "stage", "segment"):
        return e[dim]
    y, m, d = __import__("time").gmtime(e["time"])[:3]
    if dim == "month":
        return "%04d-%02d" % (y, m)
    import datetime
    iy, iw, _ = datetime.date(y, m, d).isocalendar()
    return "%04d-W%02d" % (iy, iw)


def selector(dim, key):
    if dim in ("channel", "stage", "segment"):
        index = ("channel", "stage", "segment").index(dim)
        return lambda t, ch, st, seg: (ch, st, seg)[index] == key
    return lambda t, ch, st, seg: key_of({"time": t}, dim) == key


def slice_of(events):
    """The survey part of a SLICE (docs/cli.md) from metrics.md's formulas."""
    nps = [int(e["value"]) for e in events if e["kind"] == "nps"]
    csat = [int(e["value"]) for e in events if e["kind"] == "csat"]
    ces = [int(e["value"]) for e in events if e["kind"] == "ces"]
    return {"nps": nps_of(nps), "csat": csat_of(csat), "ces": ces_of(ces)}


def normalised(e):
    v = float(e["value"])
    return {"nps": 10 * v, "csat": 25 * (v - 1), "ces": 100 * (v - 1) / 6, "internal": v}[e["kind"]]


def by_ref(events):
    refs = {}
    for i, e in enumerate(events):
        if e["ref"] != "":
            refs.setdefault(e["ref"], []).append((e["time"], i, e))
    return refs


# The kinds whose earliest event (with a ref) starts an interaction.
INTERACTION_KINDS = {"nps", "csat", "ces", "internal", "contact_open", "contact_reply", "contact_resolve",
                     "contact_reopen", "contact_transfer"}


def operations_of(events, sel, ref):
    """Service operations (experience.md "Service operations"), by brute
    force over every pair of the customer's contacts."""
    w = ref.fcr_window
    contacts = []
    for items in by_ref(events).values():
        opens = sorted((t, i, e) for t, i, e in items if e["kind"] == "contact_open")
        if not opens:
            continue
        t0, _, o = opens[0]
        resolves = [t for t, _, e in items if e["kind"] == "contact_resolve" and t >= t0]
        contacts.append({
            "customer": o["customer"], "open": t0, "channel": o["channel"],
            "keep": sel(min(t for t, _, e in items if e["kind"] in INTERACTION_KINDS),
                        o["channel"], o["stage"], o["segment"]),
            "first": min(resolves) if resolves else None,
            "last": max(t for t, _, e in items if e["kind"] == "contact_resolve") if resolves else None,
            "replies": sum(1 for _, _, e in items if e["kind"] == "contact_reply"),
            "reopens": sum(1 for _, _, e in items if e["kind"] == "contact_reopen"),
            "transfers": sum(1 for _, _, e in items if e["kind"] == "contact_transfer")})
    n = resolved = fcr = reopened = repeated = switched = transfers = 0
    first, full, first_b, full_b = [], [], [], []
    for c in contacts:
        if not c["keep"]:
            continue
        later = [d for d in contacts if d["customer"] == c["customer"] and d["open"] > c["open"]]
        n += 1
        transfers += c["transfers"]
        repeated += any(d["open"] - c["open"] <= w for d in later)
        switched += any(d["open"] - c["open"] <= w and d["channel"] != c["channel"] for d in later)
        if c["first"] is None:
            continue
        resolved += 1
        reopened += c["reopens"] > 0
        fcr += c["replies"] <= 1 and c["reopens"] == 0 and not any(d["open"] <= c["first"] + w for d in later)
        first.append(c["first"] - c["open"])
        full.append(c["last"] - c["open"])
        first_b.append(ref.business_seconds(c["open"], c["first"]))
        full_b.append(ref.business_seconds(c["open"], c["last"]))
    pct = lambda k, m: 100.0 * k / m if m else None
    mean = lambda v: sum(v) / len(v) if v else None
    return {"contacts": n, "resolved": resolved, "first_contact_resolved": fcr, "reopened": reopened,
            "repeated": repeated, "switched": switched, "transfers": transfers,
            "fcr_pct": pct(fcr, resolved), "reopen_pct": pct(reopened, resolved),
            "repeat_pct": pct(repeated, n), "switch_pct": pct(switched, n),
            "transfers_per_contact": transfers / n if n else None,
            "first_resolution_median_s": linear_quantile(first, 0.5), "first_resolution_mean_s": mean(first),
            "full_resolution_median_s": linear_quantile(full, 0.5), "full_resolution_mean_s": mean(full),
            "first_resolution_median_business_s": linear_quantile(first_b, 0.5),
            "first_resolution_mean_business_s": mean(first_b),
            "full_resolution_median_business_s": linear_quantile(full_b, 0.5),
            "full_resolution_mean_business_s": mean(full_b)}


def loop_facts(events):
    """Per answer (event index): detractor, first follow-up, next answer of
    the kind, completed an invitation; and the completed invitations. Found
    once per event list, in input order (experience.md "Closing the loop",
    "Response rates")."""
    worst = {"nps": 6, "csat": 2, "ces": 3}
    bad = lambda e: e["value"] <= worst[e["kind"]]
    answers = [(i, e) for i, e in enumerate(events) if e["kind"] in worst]
    fups, by_ref, by_cust = {}, {}, {}
    for i, e in enumerate(events):
        if e["kind"] == "followup":
            fups.setdefault(e["ref"], []).append(e["time"])
        elif e["kind"] == "survey_sent":
            (by_ref.setdefault(e["ref"], []) if e["ref"] else by_cust.setdefault(e["customer"], [])).append(
                (e["time"], i))
    taken, facts, series = set(), {}, {}
    for i, a in sorted(answers, key=lambda p: (p[1]["time"], p[0])):
        f = {"bad": bad(a), "invited": False, "first": None, "next": None}
        same = [v for v in by_ref.get(a["ref"], []) if a["ref"] and v[0] <= a["time"]]
        if same:
            taken.add(max(same)[1])
            f["invited"] = True
        else:
            free = [v for v in by_cust.get(a["customer"], [])
                    if v[1] not in taken and a["time"] - 30 * 86400 <= v[0] <= a["time"]]
            if free:
                taken.add(max(free)[1])
                f["invited"] = True
        later = [t for t in fups.get(a["ref"], []) if a["ref"] and t >= a["time"]]
        f["first"] = min(later) if later else None
        s = series.setdefault((a["customer"], a["kind"]), [])
        if s:
            facts[s[-1]]["next"] = a
        s.append(i)
        facts[i] = f
    return facts, taken, bad


def loop_of(events, sel, ref):
    """Closing the loop and response rates of a slice by brute force over
    the facts of loop_facts(): the `loop` and `responses` members."""
    if getattr(ref, "_loop", None) is None or ref._loop[0] is not events or ref._loop[1] != len(events):
        ref._loop = (events, len(events), loop_facts(events))
    facts, taken, bad = ref._loop[2]
    det = followed = in_target = fn = fr = un = ur = 0
    delays = []
    counts = {"nps": [0, 0], "csat": [0, 0], "ces": [0, 0]}
    for i, f in facts.items():
        a = events[i]
        if not sel(a["time"], a["channel"], a["stage"], a["segment"]):
            continue
        counts[a["kind"]][0] += 1
        counts[a["kind"]][1] += f["invited"]
        if not f["bad"]:
            continue
        det += 1
        if f["first"] is not None:
            followed += 1
            delays.append(ref.business_seconds(a["time"], f["first"]))
            in_target += delays[-1] <= 8 * 3600
        nxt = f["next"]
        if nxt is not None:
            if f["first"] is not None and f["first"] <= nxt["time"]:
                fn += 1
                fr += not bad(nxt)
            else:
                un += 1
                ur += not bad(nxt)
    pct = lambda k, m: 100.0 * k / m if m else None

    def wilson(x, n):
        p, z = x / n, Z95
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return centre - half, centre + half

    ci = None
    if fn and un:
        p1, p2 = fr / fn, ur / un
        (l1, u1), (l2, u2) = wilson(fr, fn), wilson(ur, un)
        ci = [100 * (p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
              100 * (p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))]
    rf, ru = pct(fr, fn), pct(ur, un)
    loop = {"detractors": det, "followed": followed, "followed_in_target": in_target,
            "in_target_pct": pct(in_target, det), "never_pct": pct(det - followed, det),
            "followup_median_business_s": linear_quantile(delays, 0.5),
            "followup_p90_business_s": linear_quantile(delays, 0.9),
            "followed_next": fn, "followed_recovered": fr, "unfollowed_next": un, "unfollowed_recovered": ur,
            "recovery_followed_pct": rf, "recovery_unfollowed_pct": ru,
            "recovery_diff_pct": rf - ru if rf is not None and ru is not None else None, "recovery_diff_ci95": ci}
    mine = [i for i, e in enumerate(events)
            if e["kind"] == "survey_sent" and sel(e["time"], e["channel"], e["stage"], e["segment"])]
    answered = sum(1 for i in mine if i in taken)
    rate = pct(answered, len(mine))
    responses = {"invitations": len(mine), "answered": answered, "response_pct": rate,
                 "nonresponse_pct": 100.0 - rate if rate is not None else None}
    for kind in ("nps", "csat", "ces"):
        responses[kind + "_answers"], responses[kind + "_invited"] = counts[kind]
    return {"loop": loop, "responses": responses}

def gap_of(events, sel):
    """Perception gap over the pairs that `sel` keeps (metrics.md): a pair
    lives at its earliest internal rating's channel/stage/segment and at the
    time its interaction began (its earliest rating or contact event); ties
    go to input order."""
    gaps, services, experiences = [], [], []
    for items in by_ref(events).values():
        internal = sorted((t, i, e) for t, i, e in items if e["kind"] == "internal")
        ratings = [(t, i, e) for t, i, e in items if e["kind"] in ("nps", "csat", "ces")]
        if not internal or not ratings:
            continue
        first = internal[0][2]
        when = min(t for t, _, e in items if e["kind"] in INTERACTION_KINDS)
        if not sel(when, first["channel"], first["stage"], first["segment"]):
            continue
        service = sum(normalised(e) for _, _, e in internal) / len(internal)
        experience = sum(normalised(e) for _, _, e in ratings) / len(ratings)
        gaps.append(service - experience)
        services.append(service)
        experiences.append(experience)
    n = len(gaps)
    if n == 0:
        return None
    mean = sum(gaps) / n
    b = sum(1 for sv, ex in zip(services, experiences) if sv > 80 and not ex > 80)
    c = sum(1 for sv, ex in zip(services, experiences) if ex > 80 and not sv > 80)
    se = ci = None
    if n >= 2:
        se = math.sqrt(sum((g - mean) ** 2 for g in gaps) / (n - 1)) / math.sqrt(n)
        h = t_quantile_975(n - 1) * se
        ci = [mean - h, mean + h]
    return {"pairs": n, "mean": mean, "ci95": ci, "service": sum(services) / n,
            "experience": sum(experiences) / n, "delivery_gap": 100.0 * (b - c) / n,
            "blind_spot_pct": 100.0 * b / n,
            "delivery_z": (b - c) / math.sqrt(b + c) if b + c > 0 else None,
            "se": se, "blind_spots": b, "reverse_spots": c}


DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")


def servqual_of(events):
    answers = {}
    for e in events:
        if e["kind"] in ("expectation", "perception"):
            a = answers.setdefault((e["customer"], e["dimension"]), {"expectation": [], "perception": []})
            a[e["kind"]].append(int(float(e["value"])))
    out = {}
    for d in DIMENSIONS:
        ex, pe = [], []
        for (cust, dim), a in answers.items():
            if dim == d and a["expectation"] and a["perception"]:
                ex += a["expectation"]
                pe += a["perception"]
        out[d] = sum(pe) / len(pe) - sum(ex) / len(ex) if ex else None
    present = [v for v in out.values() if v is not None]
    if not present:
        return None
    out["score"] = sum(present) / len(present)
    return out


def backlog_of(events, dim, key, ref):
    """The backlog summary (experience.md "Backlog"): each local day the
    slice's window touches, at the next local midnight, replaying each
    contact's resolves and reopens at or after its open in (time, input)
    order; ages from the open."""
    import datetime
    lo, hi = 0, 2 ** 62
    if dim == "month":
        y, m = int(key[:4]), int(key[5:])
        lo = calendar_timegm(y, m, 1)
        hi = calendar_timegm(y + (m == 12), m % 12 + 1, 1)
    elif dim == "week":
        monday = datetime.date.fromisocalendar(int(key[:4]), int(key[6:]), 1)
        lo = calendar_timegm(monday.year, monday.month, monday.day)
        hi = lo + 7 * 86400
    keep = (lambda c: True) if dim in (None, "month", "week") else (
        lambda c: c[("channel", "stage", "segment").index(dim)] == key)
    contacts = []
    for items in by_ref(events).values():
        opens = sorted((t, i, e) for t, i, e in items if e["kind"] == "contact_open")
        if not opens:
            continue
        t0, _, o = opens[0]
        if not keep((o["channel"], o["stage"], o["segment"])):
            continue
        changes = sorted((t, i, e["kind"]) for t, i, e in items
                         if e["kind"] in ("contact_resolve", "contact_reopen") and t >= t0)
        contacts.append((t0, changes))
    series = []
    if events:
        first, last = min(e["time"] for e in events), max(e["time"] for e in events)
        a, b = max(lo, first), min(hi - 1, last)
        off = ref.utc_offset
        day = (a + off) // 86400
        while a <= b and day <= (b + off) // 86400:
            end = (day + 1) * 86400 - off
            ages = []
            for t0, changes in contacts:
                is_open = t0 < end
                for t, _, kind in changes:
                    if t < end:
                        is_open = kind == "contact_reopen"
                        # a resolve of a closed contact or a reopen of an open one changes nothing either way
                if t0 < end and is_open:
                    ages.append((end - t0, ref.business_seconds(t0, end)))
            series.append((day, len(ages), [x for x, _ in ages], [y for _, y in ages]))
            day += 1
    date = lambda d: (datetime.date(1970, 1, 1) + datetime.timedelta(days=d)).isoformat()
    if not series:
        return {"days": 0, "first_day": None, "last_day": None, "open_end": None, "age_median_end_s": None,
                "age_p90_end_s": None, "age_median_end_business_s": None, "age_p90_end_business_s": None,
                "open_peak": None, "peak_day": None, "open_mean": None}
    peak = max(range(len(series)), key=lambda k: (series[k][1], -k))
    _, n, wall, bt = series[-1]
    return {"days": len(series), "first_day": date(series[0][0]), "last_day": date(series[-1][0]), "open_end": n,
            "age_median_end_s": linear_quantile(wall, 0.5), "age_p90_end_s": linear_quantile(wall, 0.9),
            "age_median_end_business_s": linear_quantile(bt, 0.5), "age_p90_end_business_s": linear_quantile(bt, 0.9),
            "open_peak": series[peak][1], "peak_day": date(series[peak][0]),
            "open_mean": sum(x[1] for x in series) / len(series)}


def calendar_timegm(y, m, d):
    import calendar
    return calendar.timegm((y, m, d, 0, 0, 0))


def linear_quantile(values, q):
    """numpy's default percentile: linear between closest ranks."""
    if not values:
        return None
    x = sorted(values)
    h = (len(x) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(x) - 1)
    return float(x[lo] + (h - lo) * (x[hi] - x[lo]))


def service_of(events, sel, ref):
    last = max(e["time"] for e in events) if events else None
    contacts = opened = met = breached = 0
    response, resolution = [], []
    response_b, resolution_b = [], []
    for items in by_ref(events).values():
        opens = sorted((t, i, e) for t, i, e in items if e["kind"] == "contact_open")
        if not opens:
            continue
        t0, _, o = opens[0]
        if not sel(t0, o["channel"], o["stage"], o["segment"]):
            continue
        contacts += 1
        replies = [t for t, _, e in items if e["kind"] == "contact_reply" and t >= t0]
        resolves = [t for t, _, e in items if e["kind"] == "contact_resolve" and t >= t0]
        if resolves:
            resolution.append(min(resolves) - t0)
            resolution_b.append(ref.business_seconds(t0, min(resolves)))
        else:
            opened += 1
        if replies:
            response.append(min(replies) - t0)
            response_b.append(ref.business_seconds(t0, min(replies)))
            if response_b[-1] <= ref.sla_target:
                met += 1
            else:
                breached += 1
        elif ref.business_seconds(t0, last) > ref.sla_target:
            breached += 1
    if contacts == 0:
        return None
    mean = lambda v: sum(v) / len(v) if v else None
    return {"contacts": contacts, "open": opened,
            "first_response_median_s": linear_quantile(response, 0.5),
            "first_response_p90_s": linear_quantile(response, 0.9),
            "resolution_median_s": linear_quantile(resolution, 0.5),
            "within_sla_pct": 100.0 * met / (met + breached) if met + breached else None,
            "first_response_mean_s": mean(response) if response else None,
            "resolution_p90_s": linear_quantile(resolution, 0.9),
            "resolution_mean_s": mean(resolution) if resolution else None,
            "replied": len(response), "resolved": len(resolution), "met": met, "breached": breached,
            "first_response_median_business_s": linear_quantile(response_b, 0.5),
            "first_response_p90_business_s": linear_quantile(response_b, 0.9),
            "resolution_median_business_s": linear_quantile(resolution_b, 0.5),
            "resolution_p90_business_s": linear_quantile(resolution_b, 0.9)}


def loyalty_of(events):
    complaints = sum(1 for e in events if e["kind"] == "complaint")
    compliments = sum(1 for e in events if e["kind"] == "compliment")
    return {"complaints": complaints, "compliments": compliments,
            "compliment_ratio": compliments / (compliments + complaints) if complaints + compliments else None,
            "churned": len({e["customer"] for e in events if e["kind"] == "churn"})}


def consistency_of(events):
    per = {}
    for e in events:
        if e["kind"] in ("nps", "csat", "ces"):
            per.setdefault(e["channel"], []).append(normalised(e))
    means = {ch: sum(v) / len(v) for ch, v in per.items() if len(v) >= 30}
    if not means:
        return None
    m = list(means.values())
    mean = sum(m) / len(m)
    weakest = min(sorted(means), key=lambda ch: means[ch])
    return {"channels": len(m),
            "sd": math.sqrt(sum((x - mean) ** 2 for x in m) / (len(m) - 1)) if len(m) >= 2 else None,
            "mean": mean, "weakest": weakest, "weakest_mean": means[weakest]}


def clip(x):
    return min(100.0, max(-100.0, x))


def nps_of(v):
    n = len(v)
    if n == 0:
        return None
    p = sum(1 for x in v if x >= 9)
    d = sum(1 for x in v if x <= 6)
    pp, pd = p / n, d / n
    score = 100.0 * (p - d) / n
    se = 100.0 * math.sqrt(max(0.0, pp + pd - (pp - pd) ** 2) / n)
    n2 = n + 3
    pa, da = (p + 0.75) / n2, (d + 0.75) / n2
    centre = 100.0 * (pa - da)
    se2 = 100.0 * math.sqrt((pa + da - (pa - da) ** 2) / n2)
    return {"n": n, "promoters": p, "passives": n - p - d, "detractors": d, "score": score, "se": se,
            "ci95": [clip(score - Z95 * se), clip(score + Z95 * se)],
            "ci95_adjusted": [clip(centre - Z95 * se2), clip(centre + Z95 * se2)],
            "ci95_score": rocks_of(p, n - p - d, d)}


def rocks_of(P, O, D):
    """Rocks's (2016) score interval (metrics.md): the NPS values d whose
    score test |dhat - d| <= z sqrt(V(d) / n) is not rejected, V at the
    trinomial maximum likelihood constrained to p+ - p- = d. Here both the
    constrained maximum (the root of the likelihood's decreasing derivative
    in the detractor share q) and the bounds are found by plain bisection."""
    n = P + O + D
    dh = (P - D) / n

    def var_at(d):
        lo, hi = max(0.0, -d), (1.0 - d) / 2.0

        def grad(q):
            g = 0.0
            if P:
                g += P / (q + d) if q + d > 0 else math.inf
            if D:
                g += D / q if q > 0 else math.inf
            if O:
                g -= 2 * O / (1 - 2 * q - d) if 1 - 2 * q - d > 0 else math.inf
            return g
        a, b = lo, hi
        for _ in range(80):
            m = (a + b) / 2
            if grad(m) > 0:
                a = m
            else:
                b = m
        q = (a + b) / 2
        return max(0.0, q + d + q - d * d)

    bounds = []
    for end in (-1.0, 1.0):
        a, b = dh, end
        if a == b:
            bounds.append(100.0 * end)
            continue
        for _ in range(80):
            m = (a + b) / 2
            if abs(dh - m) - Z95 * math.sqrt(var_at(m) / n) > 0:
                b = m
            else:
                a = m
        bounds.append(100.0 * (a + b) / 2)
    return bounds


def holm(ps):
    """Holm's step-down adjustment of the non-None p-values."""
    idx = sorted((i for i, p in enumerate(ps) if p is not None), key=lambda i: ps[i])
    m, run, out = len(idx), 0.0, [None] * len(ps)
    for rank, i in enumerate(idx):
        run = max(run, min(1.0, (m - rank) * ps[i]))
        out[i] = run
    return out


def vs_rest_of(own, rest, gap_own, gap_rest, min_n=30):
    """The slice-vs-rest tests of one slice (before adjustment), from the
    slice's and the rest's raw answers (metrics.md, "Slice statistics")."""
    out = {}
    for kind in ("nps", "csat", "ces"):
        s = [int(e["value"]) for e in own if e["kind"] == kind]
        r = [int(e["value"]) for e in rest if e["kind"] == kind]
        if not s:
            out[kind] = None
            continue
        if kind == "ces":
            m1 = sum(s) / len(s)
            sd1 = math.sqrt(sum((x - m1) ** 2 for x in s) / (len(s) - 1)) if len(s) > 1 else None
            m2 = sum(r) / len(r) if r else None
            sd2 = math.sqrt(sum((x - m2) ** 2 for x in r) / (len(r) - 1)) if len(r) > 1 else None
            out[kind] = welch_of(len(s), m1, sd1, len(r), m2, sd2, min_n)
            continue
        score = (lambda v: 100.0 if v >= 9 else -100.0 if v <= 6 else 0.0) if kind == "nps" else \
            (lambda v: 100.0 if v >= 4 else 0.0)
        a = [score(v) for v in s]
        b = [score(v) for v in r]
        m1 = sum(a) / len(a)
        se1 = math.sqrt(sum((x - m1) ** 2 for x in a) / len(a) / len(a))
        t = {"n_rest": len(b), "rest": None, "diff": None, "se": None, "z": None, "df": None, "p": None,
             "p_adjusted": None, "significant": False, "moe": Z95 * se1, "low_base": len(a) < min_n}
        if b:
            m2 = sum(b) / len(b)
            se = math.sqrt(se1 ** 2 + sum((x - m2) ** 2 for x in b) / len(b) / len(b))
            t.update(rest=m2, diff=m1 - m2, se=se)
            if se > 0:
                z = (m1 - m2) / se
                t.update(z=z, p=math.erfc(abs(z) / math.sqrt(2)))
        out[kind] = t
    if gap_own is None:
        out["gap"] = None
    else:
        sd = lambda g: g["se"] * math.sqrt(g["pairs"]) if g is not None and g["pairs"] > 1 else None
        out["gap"] = welch_of(gap_own["pairs"], gap_own["mean"], sd(gap_own),
                              gap_rest["pairs"] if gap_rest else 0, gap_rest["mean"] if gap_rest else None,
                              sd(gap_rest), min_n)
    return out


def welch_of(n1, m1, sd1, n2, m2, sd2, min_n):
    t = {"n_rest": n2, "rest": m2, "diff": m1 - m2 if n2 else None, "se": None, "t": None, "df": None,
         "p": None, "p_adjusted": None, "significant": False,
         "moe": Z95 * sd1 / math.sqrt(n1) if n1 > 1 else None, "low_base": n1 < min_n}
    if n1 > 1 and n2 > 1:
        v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
        se = math.sqrt(v1 + v2)
        t["se"] = se
        if se > 0:
            stat = (m1 - m2) / se
            df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
            t.update(t=stat, df=df, p=min(1.0, 2 * t_cdf(-abs(stat), df)))
    return t


def adjust_dimension(slices):
    """Holm across a dimension's slices, per metric; then `significant`."""
    for kind in ("nps", "csat", "ces", "gap"):
        tests = [v["vs_rest"][kind] for v in slices.values() if v["vs_rest"][kind] is not None]
        adjusted = holm([t["p"] for t in tests])
        for t, a in zip(tests, adjusted):
            t["p_adjusted"] = a
            t["significant"] = a is not None and a < 0.05 and not t["low_base"] and t["n_rest"] >= 30


def csat_of(v):
    n = len(v)
    if n == 0:
        return None
    s = sum(1 for x in v if x >= 4)
    p = s / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return {"n": n, "satisfied": s, "score": 100.0 * p, "mean": sum(v) / n,
            "ci95": [100.0 * (centre - half), 100.0 * (centre + half)]}


def ces_of(v):
    n = len(v)
    if n == 0:
        return None
    mean = sum(v) / n
    ci = None
    if n >= 2:
        sd = math.sqrt(sum((x - mean) ** 2 for x in v) / (n - 1))
        h = t_quantile_975(n - 1) * sd / math.sqrt(n)
        ci = [mean - h, mean + h]
    easy = 100.0 * sum(1 for x in v if x >= 5) / n
    high = 100.0 * sum(1 for x in v if x <= 3) / n
    return {"n": n, "mean": mean, "ci95": ci, "easy_pct": easy, "high_effort_pct": high,
            "net": easy - high}


def compare(got, want, path="$"):
    """Deep comparison: same keys in the same order, ints exact, floats close."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            check(False, "%s: expected an object, got %r" % (path, got))
            return
        check(list(got.keys()) == list(want.keys()),
              "%s: keys %r, expected %r" % (path, list(got.keys()), list(want.keys())))
        for k in want:
            if k in got:
                compare(got[k], want[k], path + "." + k)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            check(False, "%s: expected %r, got %r" % (path, want, got))
            return
        for i, (g, w) in enumerate(zip(got, want)):
            compare(g, w, "%s[%d]" % (path, i))
    elif isinstance(want, float):
        check(isinstance(got, (int, float)) and not isinstance(got, bool)
              and math.isclose(got, want, rel_tol=REL_TOL, abs_tol=ABS_TOL),
              "%s: %r, expected %r" % (path, got, want))
    elif isinstance(want, int) and not isinstance(want, bool):
        check(isinstance(got, int) and not isinstance(got, bool) and got == want,
              "%s: %r, expected the integer %r" % (path, got, want))
    else:
        check(got == want, "%s: %r, expected %r" % (path, got, want))


def load_json(out, what):
    check("NaN" not in out and "Infinity" not in out, what + ": non-JSON number")
    try:
        return json.loads(out)
    except ValueError as e:
        check(False, "%s: invalid JSON (%s): %r" % (what, e, out[:400]))
        return None


ROW_DIAG = re.compile(r"^(.*):(\d+): column (.*?): (.+)$")


def row_diags(err):
    """(file, line, column) of each row diagnostic that is not a warning."""
    out = []
    for line in err.splitlines():
        m = ROW_DIAG.match(line)
        if m and not m.group(4).startswith("warning: "):
            out.append((m.group(1), int(m.group(2)), m.group(3)))
    return out


# ---------------------------------------------------------------------------
# Groups of tests

def group_usage():
    cases = [
        (["report", "--bogus", "basic.csv"], "unknown option"),
        (["report", "--by", "colour", "basic.csv"], "bad --by"),
        (["report", "--by=channel,bogus", "basic.csv"], "bad --by in a list"),
        (["report", "--from", "2025-13-01T00:00:00Z", "basic.csv"], "bad --from"),
        (["report", "--to", "yesterday", "basic.csv"], "bad --to"),
        (["report", "--from", "2025-02-01T00:00:00Z", "--to", "2025-02-01T00:00:00Z", "basic.csv"],
         "empty window"),
        (["report"], "no files"),
        (["report", "--json"], "no files with options"),
        (["report", "basic.csv", "--from"], "missing value"),
        (["report", "--utc-offset", "0100", "basic.csv"], "bad --utc-offset"),
        (["report", "--utc-offset", "+19:00", "basic.csv"], "--utc-offset too large"),
        (["report", "--utc-offset", "+01:60", "basic.csv"], "--utc-offset minutes"),
        (["report", "--holidays", "holidays_bad.txt", "basic.csv"], "bad holidays date"),
        (["report", "--holidays", "no-such-holidays.txt", "basic.csv"], "missing holidays file"),
        (["frobnicate"], "unknown command"),
        ([], "no command"),
    ]
    for args, what in cases:
        rc, out, err = run(args)
        check(rc == 2, "%s: exit %d, expected 2 (stderr %r)" % (what, rc, err))
        check(out == "", "%s: nothing on stdout, got %r" % (what, out[:200]))
        check(err.strip() != "" and len(err.splitlines()) >= 1, "%s: a message on stderr" % what)
    rc, _, err = run(["report", "--holidays", "holidays_bad.txt", "basic.csv"])
    check("holidays_bad.txt:2: column date: not a YYYY-MM-DD date" in err.splitlines(),
          "holidays diagnostic: %r" % err)
    # Accepted and validated: good values run normally.
    rc, out, err = run(["report", "--json", "--utc-offset", "-05:30", "--holidays", "holidays.txt",
                        "--utc-offset=+14:00", "header_only.csv"])
    check(rc == 0, "good --utc-offset/--holidays: exit %d %r" % (rc, err))
    for args in (["report", "--help"], ["--help"], ["report", "-h"]):
        rc, out, err = run(args)
        check(rc == 0 and "Usage: cxm" in out and err == "", "%r: %d %r" % (args, rc, err))
    rc, out, _ = run(["report", "--help"])
    check("--utc-offset" in out and "--holidays" in out and "service levels" in out,
          "--help says --utc-offset/--holidays shape the service levels")
    for args in (["--version"], ["report", "--version"]):
        rc, out, err = run(args)
        check(rc == 0 and re.fullmatch(r"cxm \d+\.\d+\.\d+\n", out) is not None,
              "%r: %d %r" % (args, rc, out))


# The exact lines basic.csv produces on stderr: FILE:LINE: column COLUMN:
# reason (docs/cli.md). Lines and columns are worked out by hand from the
# fixture (line 10-11 is one record with a quoted newline; line 21 has 4 of
# the 9 fields, so the first missing column, `channel`, is named); the
# reasons are the library reader's wording.
BASIC_DIAGNOSTICS = [
    "basic.csv:1: column note: warning: unknown column 'note' ignored",
    "basic.csv:6: column value: value 11 for kind nps is not an integer 0..10",
    "basic.csv:7: column kind: unknown kind 'npx'",
    "basic.csv:8: column time: bad timestamp '2025-02-30T12:00:00Z': not RFC 3339 or Unix seconds within years 1970..9999",
    "basic.csv:9: column customer: customer is missing",
    "basic.csv:21: column channel: row has 4 fields, the header has 9",
]


def group_diagnostics():
    rc, out, err = run(["report", "--json", "basic.csv"])
    check(rc == 0, "basic.csv: exit %d (rejected rows do not fail the run)" % rc)
    ref = Reference()
    ref.add_csv("basic.csv", os.path.join(DATA, "basic.csv"))
    # The bad rows, as the reference sees them, in file order.
    want = [("basic.csv", 6, "value"), ("basic.csv", 7, "kind"), ("basic.csv", 8, "time"),
            ("basic.csv", 9, "customer"), ("basic.csv", 21, "channel")]
    check(ref.bad == want, "reference bad rows %r" % ref.bad)
    check(row_diags(err) == want, "diagnostics %r, expected %r" % (row_diags(err), want))
    lines = err.splitlines()
    # The unknown column is reported once, in the same shape, as a warning.
    warn = [l for l in lines if re.match(r"^basic\.csv:1: column note: warning: ", l)]
    check(len(warn) == 1, "one unknown-column warning: %r" % lines)
    # Every line on stderr is either a row diagnostic or the warning.
    check(all(ROW_DIAG.match(l) for l in lines), "stderr lines all FILE:LINE: column C: reason: %r" % lines)
    check(len(lines) == len(want) + 1, "one line per bad row plus the warning: %r" % lines)
    check(lines == BASIC_DIAGNOSTICS, "exact diagnostics %r" % lines)
    doc = load_json(out, "basic.csv")
    if doc is not None:
        compare(doc, ref.document())
        # The rows around the bad ones were kept.
        check(doc["input"]["rejected"] == 5 and doc["input"]["duplicates"] == 1, "basic counts")

    # --strict stops at the first bad row: exit 1, no report, one row diagnostic.
    rc, out, err = run(["report", "--json", "--strict", "basic.csv"])
    check(rc == 1, "--strict: exit %d" % rc)
    check(out == "", "--strict: no report, got %r" % out[:200])
    check(row_diags(err) == [("basic.csv", 6, "value")], "--strict diagnostics %r" % err)
    # --strict on clean input succeeds.
    rc, out, err = run(["report", "--json", "--strict", "window.csv"])
    check(rc == 0 and err == "", "--strict clean: %d %r" % (rc, err))

    # Unusable input: exit 1.
    for files, what in ((["noheader.csv"], "header lacking required columns"),
                        (["empty.csv"], "empty file"),
                        (["no-such-file.csv"], "missing file"),
                        (["no-such-file.csv", "noheader.csv"], "nothing readable"),
                        ([DATA], "a directory")):
        rc, out, err = run(["report", "--json"] + files)
        check(rc == 1, "%s: exit %d, expected 1 (%r)" % (what, rc, err))
        check(out == "", "%s: no report" % what)
        check(err != "", "%s: a diagnostic" % what)
    rc, out, err = run(["report", "--json", "no-such-file.csv"])
    check("cxm: no-such-file.csv: cannot open: No such file or directory" in err.splitlines(),
          "cannot open diagnostic: %r" % err)
    rc, out, err = run(["report", "--json", "noheader.csv"])
    check(any(re.match(r"^noheader\.csv:1: column ", l) for l in err.splitlines()),
          "header diagnostic in the row shape: %r" % err)

    # A header alone is readable: exit 0 (no row, so none refused),
    # everything empty, metrics null.
    rc, out, err = run(["report", "--json", "header_only.csv"])
    check(rc == 0 and err == "", "header only: exit %d %r" % (rc, err))
    doc = load_json(out, "header_only")
    if doc is not None:
        compare(doc, Reference().document())
        check(doc["input"]["first"] is None and doc["overall"]["nps"] is None, "empty report nulls")


def group_files():
    # Several files into one store, a CSV and a JSON Lines file; the missing
    # one is reported and skipped, the report printed, and the exit status
    # is 1; duplicates by id count across files.
    rc, out, err = run(["report", "--json", "basic.csv", "no-such-file.csv", "more.jsonl"])
    check(rc == 1, "several files with one missing: exit %d" % rc)
    check(err.splitlines()[-1] == "cxm: 1 of 3 input files could not be read", "missing file counted: %r" % err)
    check("cxm: no-such-file.csv: cannot open: No such file or directory" in err.splitlines(),
          "missing file reported: %r" % err)
    ref = Reference()
    ref.add_csv("basic.csv", os.path.join(DATA, "basic.csv"))
    ref.add_jsonl("more.jsonl", os.path.join(DATA, "more.jsonl"))
    got = row_diags(err)
    check(got == ref.bad, "row diagnostics %r, expected %r" % (got, ref.bad))
    doc = load_json(out, "several files")
    if doc is not None:
        compare(doc, ref.document())
        check(doc["input"]["duplicates"] == 2, "duplicate across files counted")
    # --strict makes an unreadable file fatal.
    rc, out, err = run(["report", "--json", "--strict", "window.csv", "no-such-file.csv"])
    check(rc == 1 and out == "", "--strict with a missing file: exit %d" % rc)
    # An unusable header among good files: reported, skipped, exit 1.
    rc, out, err = run(["report", "--json", "noheader.csv", "window.csv"])
    check(rc == 1, "bad header among good files: exit %d" % rc)
    ref = Reference()
    ref.add_csv("window.csv", os.path.join(DATA, "window.csv"))
    doc = load_json(out, "noheader + window")
    if doc is not None:
        compare(doc, ref.document())

    # Standard input: the same report as the file, diagnostics named "-".
    with open(os.path.join(DATA, "basic.csv"), "rb") as fh:
        data = fh.read()
    rc, out, err = run(["report", "--json", "-"], stdin=data)
    check(rc == 0, "stdin: exit %d" % rc)
    ref = Reference()
    ref.add_csv("-", os.path.join(DATA, "basic.csv"))
    check(row_diags(err) == ref.bad, "stdin diagnostics %r" % err)
    doc = load_json(out, "stdin")
    if doc is not None:
        compare(doc, ref.document())
    # Standard input of more than one 64 KiB chunk, with a record across chunks.
    rows = ["time,customer,kind,value,channel"]
    rng = random.Random(7)
    while sum(len(r) + 1 for r in rows) < 3 * 65536 + 100:
        rows.append("2025-06-%02dT10:00:00Z,%s,nps,%d,email" % (rng.randint(1, 30), "x" * rng.randint(1, 60),
                                                               rng.randint(0, 10)))
    text = "\n".join(rows) + "\n"
    rc, out, err = run(["report", "--json", "--by", "month", "-"], stdin=text.encode())
    check(rc == 0 and err == "", "big stdin: %d %r" % (rc, err[:300]))
    ref = Reference()
    ref.add_records("-", csv_records(text)[1])
    doc = load_json(out, "big stdin")
    if doc is not None:
        compare(doc, ref.document(by=("month",)))

    # A stream without line ends ends in a bounded read with a diagnostic:
    # a header past 1 MiB at once, a data line past 64 MiB (docs/cli.md).
    if os.path.exists("/dev/zero"):
        for extra in ([], ["--threads", "3"]):
            rc, out, err = run(["report"] + extra + ["/dev/zero"])
            check(rc == 1 and out == "", "/dev/zero %r: exit %d" % (extra, rc))
            check("/dev/zero:1: column *: header row longer than 1048576 bytes" in err.splitlines(),
                  "/dev/zero %r diagnostic: %r" % (extra, err))
    text = b"time,customer,kind,value\n2025-06-01T10:00:00Z,a,nps,9\n" + bytes(65 * 1024 * 1024)
    rc, out, err = run(["report", "--json", "-"], stdin=text)
    check(rc == 1 and out == "", "endless line: exit %d" % rc)
    check(any(line.startswith("-:3: column *: record longer than 67108864 bytes") for line in err.splitlines()),
          "endless line diagnostic: %r" % err)
    # The same record with its line end, in a regular file read on one and
    # on three threads: the same outcome (the rule is the record's length,
    # not whether its end came in the same chunk).
    path = os.path.join(tempfile.mkdtemp(), "long.csv")
    with open(path, "wb") as fh:
        fh.write(text + b"\n2025-06-01T10:00:00Z,b,nps,9\n")
    for threads in ("1", "3"):
        rc, out, err = run(["report", "--json", "--threads", threads, path])
        check(rc == 1 and out == "", "long record, %s threads: exit %d" % (threads, rc))
        check(any(line.endswith(":3: column *: record longer than 67108864 bytes: not a line-based event file; "
                                "reading stopped") for line in err.splitlines()),
              "long record, %s threads: %r" % (threads, err))
    os.remove(path)


def group_edges():
    with tempfile.TemporaryDirectory() as tmp:
        # A spreadsheet export: UTF-8 byte-order mark and CRLF line ends.
        text = "time,customer,kind,value,channel\r\n2025-01-01T00:00:00Z,a,nps,10,web\r\n" \
               "2025-01-02T00:00:00Z,b,csat,4,web\r\n2025-01-03T00:00:00Z,c,ces,7,\r\n"
        path = os.path.join(tmp, "excel.csv")
        with open(path, "wb") as fh:
            fh.write(b"\xef\xbb\xbf" + text.encode())
        rc, out, err = run(["report", "--json", "excel.csv"], cwd=tmp)
        check(rc == 0 and err == "", "BOM + CRLF: %d %r" % (rc, err))
        ref = Reference()
        ref.add_csv("excel.csv", path)
        doc = load_json(out, "BOM + CRLF")
        if doc is not None:
            compare(doc, ref.document())
        # A file name with a newline stays on one diagnostic line.
        rc, out, err = run(["report", "--json", "bad\nname.csv", "excel.csv"], cwd=tmp)
        check(rc == 1, "odd missing name: exit %d" % rc)
        check(err == "cxm: bad\\x0aname.csv: cannot open: No such file or directory\n"
                     "cxm: 1 of 2 input files could not be read\n",
              "control characters escaped in diagnostics: %r" % err)
        # `--` ends the options: a file named like an option.
        with open(os.path.join(tmp, "--json"), "wb") as fh:
            fh.write(text.encode())
        rc, out, err = run(["report", "--by", "channel", "--", "--json"], cwd=tmp)
        check(rc == 0 and out.startswith("input: 3 rows"), "-- ends options: %d %r" % (rc, out[:80]))
    # Invisible format characters (issue 12): kept in the data, printed as
    # escapes so a label cannot reverse a table row or hide in an id.
    with tempfile.TemporaryDirectory() as tmp:
        rlo, zwsp, tag = "\u202e", "\u200b", "\U000e0001"
        text = ("time,customer,kind,value,segment\n"
                "2025-01-01T00:00:00Z,c1,nps,10,ab%scd\n"
                "2025-01-01T00:00:00Z,c%s1,nps,0,x%sy\n"
                "2025-01-01T00:00:00Z,c1,n%sps,0,\n" % (rlo, zwsp, tag, rlo))
        path = os.path.join(tmp, "bidi.csv")
        with open(path, "wb") as fh:
            fh.write(text.encode("utf-8"))
        rc, out, err = run(["report", "--by", "segment", "bidi.csv"], cwd=tmp)
        check(rc == 0, "format characters: exit %d" % rc)
        check(all(ch not in out + err for ch in (rlo, zwsp, tag)), "format characters printed raw: %r" % out)
        check("ab\\u202ecd " in out and "x\\U000e0001y " in out, "escaped labels in tables: %r" % out)
        check(err == "bidi.csv:4: column kind: unknown kind 'n\\u202eps'\n", "escaped diagnostic: %r" % err)
        check("2 customers" in out, "c1 and c<ZWSP>1 are two customers: %r" % out[:120])
        rc, out, err = run(["report", "--json", "--by", "segment", "bidi.csv"], cwd=tmp)
        check(all(ch not in out for ch in (rlo, zwsp, tag)), "format characters raw in JSON")
        doc = load_json(out, "format characters")
        if doc is not None:
            keys = sorted(doc["slices"]["segment"])
            check("ab%scd" % rlo in keys and "x%sy" % tag in keys, "JSON keys decode to the labels: %r" % keys)
        rc, out2, err = run(["report", "--json", "--threads", "3", "--by", "segment", "bidi.csv"], cwd=tmp)
        check(out2 == out, "format characters: --threads 3 prints the same")
        # A holidays file with a byte-order mark, and a date before 1970.
        hol = os.path.join(tmp, "hol.txt")
        with open(hol, "wb") as fh:
            fh.write(b"\xef\xbb\xbf" + b"1969-12-31\n2025-12-25\n")
        rc, out, err = run(["report", "--holidays", "hol.txt", "--utc-offset", "-03:00", "bidi.csv"], cwd=tmp)
        check(rc == 0 and "hol.txt" not in err, "holidays with a BOM: %d %r" % (rc, err))
    # n = 1 everywhere: NPS se 0, CES interval null; all answers alike.
    rc, out, err = run(["report", "--json", "-"], stdin=b"time,customer,kind,value\n"
                       b"2025-01-01T00:00:00Z,a,nps,9\n2025-01-01T00:00:00Z,a,csat,1\n2025-01-01T00:00:00Z,a,ces,4\n")
    doc = load_json(out, "n = 1")
    if doc is not None:
        o = doc["overall"]
        check(o["nps"]["se"] == 0 and o["nps"]["ci95"] == [100, 100] and o["ces"]["ci95"] is None
              and o["csat"]["score"] == 0, "n = 1 values %r" % o)
        ref = Reference()
        ref.add_records("-", csv_records("time,customer,kind,value\n2025-01-01T00:00:00Z,a,nps,9\n"
                                         "2025-01-01T00:00:00Z,a,csat,1\n2025-01-01T00:00:00Z,a,ces,4\n")[1])
        compare(doc, ref.document())
    # Standard output that cannot be written: exit 1 and a message.
    if os.path.exists("/dev/full"):
        with open("/dev/full", "w") as full:
            proc = subprocess.run([CXM, "report", "--json", "basic.csv"], cwd=DATA, stdout=full,
                                  stderr=subprocess.PIPE, timeout=60)
        check(proc.returncode == 1 and b"cannot write" in proc.stderr,
              "write error: %d %r" % (proc.returncode, proc.stderr[-200:]))


def group_window():
    ref = Reference(frm=calendar.timegm((2025, 4, 1, 0, 0, 0)), to=calendar.timegm((2025, 5, 1, 0, 0, 0)))
    ref.add_csv("window.csv", os.path.join(DATA, "window.csv"))
    check(len(ref.events) == 4, "reference window keeps 4 events")
    for frm, to in (("2025-04-01T00:00:00Z", "2025-05-01T00:00:00Z"),
                    ("2025-04-01T02:00:00+02:00", "2025-04-30T20:00:00-04:00"),
                    (str(calendar.timegm((2025, 4, 1, 0, 0, 0))), str(calendar.timegm((2025, 5, 1, 0, 0, 0))))):
        rc, out, err = run(["report", "--json", "--from", frm, "--to=" + to, "window.csv"])
        check(rc == 0 and err == "", "window %s..%s: %d %r" % (frm, to, rc, err))
        doc = load_json(out, "window")
        if doc is not None:
            compare(doc, ref.document())
            check(doc["input"]["first"] == "2025-04-01T00:00:00Z" and doc["input"]["last"] == "2025-04-30T23:59:59Z",
                  "window first/last %r" % doc["input"])
    # A window not aligned to days: 12:00:00 is in, 11:59:59 out.
    frm = calendar.timegm((2025, 4, 15, 12, 0, 0))
    rc, out, err = run(["report", "--json", "--from", "2025-04-15T12:00:00Z", "window.csv"])
    ref = Reference(frm=frm)
    ref.add_csv("window.csv", os.path.join(DATA, "window.csv"))
    doc = load_json(out, "window from noon")
    if doc is not None:
        compare(doc, ref.document())
    # Only --to.
    rc, out, err = run(["report", "--json", "--to", "2025-04-01T00:00:00Z", "window.csv"])
    ref = Reference(to=calendar.timegm((2025, 4, 1, 0, 0, 0)))
    ref.add_csv("window.csv", os.path.join(DATA, "window.csv"))
    doc = load_json(out, "window to")
    if doc is not None:
        compare(doc, ref.document())
        check(doc["input"]["events"] == 1, "only the event before --to")
    # The human summary counts the valid rows outside the window.
    rc, out, err = run(["report", "--from", "2025-04-01T00:00:00Z", "window.csv"])
    check(out.startswith("input: 7 rows, 6 events, 0 rejected, 0 duplicates, 1 outside the window, 5 customers, "
                         "2025-04-01T00:00:00Z .. 2025-05-01T00:00:01Z\n"), "window summary %r" % out[:150])
    # A window with no events: first/last null, all metrics null, exit 0.
    rc, out, err = run(["report", "--json", "--from", "2030-01-01T00:00:00Z", "window.csv"])
    check(rc == 0, "empty window: exit %d" % rc)
    doc = load_json(out, "empty window")
    if doc is not None:
        ref = Reference(frm=calendar.timegm((2030, 1, 1, 0, 0, 0)))
        ref.add_csv("window.csv", os.path.join(DATA, "window.csv"))
        compare(doc, ref.document())


def group_slices():
    # --by month and week; keys at the ISO-week and year edges.
    rc, out, err = run(["report", "--json", "--by", "month", "--by", "week", "periods.csv"])
    check(rc == 0 and err == "", "periods: %d %r" % (rc, err))
    ref = Reference()
    ref.add_csv("periods.csv", os.path.join(DATA, "periods.csv"))
    doc = load_json(out, "periods")
    if doc is not None:
        compare(doc, ref.document(by=("month", "week")))
        # Hand-checked ISO weeks: 2021-01-01/03 are in 2020-W53, 2024-12-30 in
        # 2025-W01, 2026-12-31 in 2026-W53 (2026 starts on a Thursday).
        check(list(doc["slices"]["week"].keys()) ==
              ["2020-W53", "2021-W01", "2024-W52", "2025-W01", "2026-W53"],
              "week keys %r" % list(doc["slices"]["week"].keys()))
        check(list(doc["slices"]["month"].keys()) ==
              ["2020-12", "2021-01", "2024-12", "2025-01", "2026-12"],
              "month keys %r" % list(doc["slices"]["month"].keys()))
    # Repeated and comma-separated --by, in the order given, each once.
    rc, out, err = run(["report", "--json", "--by", "segment,channel", "--by", "segment", "--by=stage",
                        "basic.csv", "more.jsonl"])
    doc = load_json(out, "by order")
    if doc is not None:
        check(list(doc["slices"].keys()) == ["segment", "channel", "stage"],
              "slices order %r" % list(doc["slices"].keys()))
        ref = Reference()
        ref.add_csv("basic.csv", os.path.join(DATA, "basic.csv"))
        ref.add_jsonl("more.jsonl", os.path.join(DATA, "more.jsonl"))
        compare(doc, ref.document(by=("segment", "channel", "stage")))
        # Keys with quotes and UTF-8 come back intact through JSON escaping;
        # a channel with only a complaint is a slice whose metrics are null.
        check('big "co" ü' in doc["slices"]["segment"], "segment key with quotes and UTF-8")
        app = doc["slices"]["channel"].get("app")
        check(app is not None and app["nps"] is None and app["csat"] is None and app["ces"] is None,
              "slice without survey answers: %r" % app)
    # Human tables: summary line, one table per dimension, "-" for absent.
    rc, out, err = run(["report", "basic.csv"])
    check(rc == 0, "tables: exit %d" % rc)
    lines = out.splitlines()
    check(len(lines) > 0 and lines[0].startswith("input: 20 rows, 14 events, 5 rejected, 1 duplicates, 11 customers"),
          "summary line %r" % (lines[:1],))
    for title in ("overall", "by channel", "by stage", "by segment", "service vs experience: overall",
                  "service vs experience by channel", "service vs experience by segment"):
        check(title in lines, "table %r present" % title)
    # Each key has a survey row, a service-vs-experience row, a
    # service-levels row, a service-operations row, a closing-the-loop row,
    # then a backlog row (no contact: none open on any of the 12 days).
    app_rows = [l for l in lines if l.startswith("app ")]
    check(len(app_rows) == 6 and app_rows[5].split()[1:] == ["12", "0"] + ["-"] * 4 + ["0", "2025-01-05", "0.0"],
          "app backlog row: %r" % app_rows)
    check(len(app_rows) == 6 and app_rows[4].split()[1:] == ["0", "0"] + ["-"] * 7 + ["0", "-"],
          "app closing-the-loop row: %r" % app_rows)
    check(len(app_rows) == 6 and app_rows[0].split()[1:] == ["0", "-", "-", "0", "-", "-", "0", "-", "-"],
          "app row with absent metrics: %r" % app_rows)
    check(len(app_rows) == 6 and app_rows[1].split()[1:] == ["0", "-", "-", "-", "-", "0", "0", "-", "-", "1/0"],
          "app experience row: %r" % app_rows)
    check(len(app_rows) == 6 and app_rows[2].split()[1:] == ["0", "0"] + ["-"] * 9,
          "app service-levels row: %r" % app_rows)
    check(len(app_rows) == 6 and app_rows[3].split()[1:] == ["0", "0"] + ["-"] * 10,
          "app service-operations row: %r" % app_rows)
    rows = [l for l in lines if l.startswith("email ")]
    check(len(rows) == 6 and "[" in rows[0], "email row %r" % rows)
    group_slices_vs_rest()


def group_slices_vs_rest():
    """Slices against the rest (docs/cli.md): web answers high, phone low,
    chat in between; every vs_rest member equals the reference's z, Welch t
    and Holm computation from the raw rows, and the tables mark web + and
    phone -."""
    rng = random.Random(1707)
    lines = ["time,customer,kind,value,channel,stage,segment,ref"]
    lean = {"web": (9, 10, 4, 5, 5, 7, 90), "phone": (0, 8, 1, 4, 1, 4, 60), "chat": (5, 10, 2, 5, 3, 6, 75)}
    for i in range(600):
        ch = ("web", "phone", "chat")[i % 3]
        lo_n, hi_n, lo_c, hi_c, lo_e, hi_e, internal = lean[ch]
        t = "2026-03-%02dT%02d:%02d:00Z" % (1 + i % 28, 8 + i % 10, i % 60)
        kind = ("nps", "csat", "ces")[i // 3 % 3]
        v = {"nps": rng.randint(lo_n, hi_n), "csat": rng.randint(lo_c, hi_c), "ces": rng.randint(lo_e, hi_e)}[kind]
        lines.append("%s,c%d,%s,%d,%s,use,smb,r%d" % (t, i, kind, v, ch, i))
        lines.append("%s,c%d,internal,%d,%s,use,smb,r%d" % (t, i, min(100, internal + rng.randint(-15, 10)), ch, i))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lean.csv")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        rc, out, err = run(["report", "--json", "--by", "channel", path])
        check(rc == 0 and err == "", "vs_rest: %d %r" % (rc, err))
        doc = load_json(out, "vs_rest")
        ref = Reference()
        ref.add_csv("lean.csv", path)
        if doc is not None:
            compare(doc, ref.document(by=("channel",)))
            ch = doc["slices"]["channel"]
            for kind in ("nps", "csat", "ces"):
                check(ch["web"]["vs_rest"][kind]["significant"] and ch["web"]["vs_rest"][kind]["diff"] > 0,
                      "web differs from the rest in %s: %r" % (kind, ch["web"]["vs_rest"][kind]))
                check(ch["phone"]["vs_rest"][kind]["significant"] and ch["phone"]["vs_rest"][kind]["diff"] < 0,
                      "phone differs from the rest in %s" % kind)
            # The gap (service - experience) is below the rest's where customers rate higher.
            check(ch["web"]["vs_rest"]["gap"]["significant"] and ch["web"]["vs_rest"]["gap"]["diff"] < 0,
                  "web's gap differs: %r" % ch["web"]["vs_rest"]["gap"])
            check("z" in ch["web"]["vs_rest"]["nps"] and "t" in ch["web"]["vs_rest"]["ces"], "z and t keys")
        rc, out, err = run(["report", "--by", "channel", path])
        rows = {}
        for l in out.splitlines():
            if l.split()[:1] in (["web"], ["phone"]):
                rows.setdefault(l.split()[0], l.split())  # the first table: the survey scores
        web = rows.get("web", [""] * 13)  # key, n, NPS, [lo, hi], n, CSAT, [lo, hi], n, CES, [lo, hi]
        check(rc == 0 and len(web) == 13 and web[2].endswith("+") and web[6].endswith("+") and web[10].endswith("+"),
              "web marked +: %r" % web)
        check(rows.get("phone", [""] * 3)[2].endswith("-"), "phone marked -: %r" % rows.get("phone"))
        check("+/- after score" in out, "legend explains the marks")
        # --adjust none: p_adjusted is the raw p; bh: never above Holm's.
        docs = {}
        for method in ("none", "bh", "holm"):
            rc, out, err = run(["report", "--json", "--by", "channel", "--adjust", method, path])
            docs[method] = load_json(out, "adjust " + method)
        if all(docs.values()):
            for key, s in docs["none"]["slices"]["channel"].items():
                for kind in ("nps", "csat", "ces", "gap"):
                    t = s["vs_rest"][kind]
                    check(s["vs_rest"]["adjust"] == "none" and t["p_adjusted"] == t["p"], "none: %s %s" % (key, kind))
                    bh = docs["bh"]["slices"]["channel"][key]["vs_rest"][kind]["p_adjusted"]
                    hm = docs["holm"]["slices"]["channel"][key]["vs_rest"][kind]["p_adjusted"]
                    check(t["p"] <= bh <= hm, "p <= BH <= Holm: %s %s" % (key, kind))
        # --max-moe: a margin above it is a low base, and not marked.
        rc, out, err = run(["report", "--json", "--by", "channel", "--max-moe", "1", path])
        doc = load_json(out, "max-moe")
        if doc is not None:
            t = doc["slices"]["channel"]["chat"]["vs_rest"]["nps"]
            check(t["moe"] > 1 and t["low_base"] and not t["significant"], "max-moe flags: %r" % t)
        for bad in (["--adjust", "bonferroni"], ["--max-moe", "0"], ["--max-moe", "x"]):
            rc, out, err = run(["report"] + bad + [path])
            check(rc == 2 and ("--adjust" in err or "--max-moe" in err), "usage error for %r: %r" % (bad, err))


def shortest_repr(x):
    """The text docs/cli.md asks of the JSON writer: the shortest of %.15g,
    %.16g, %.17g that reads back as the same double."""
    for p in (15, 16, 17):
        text = "%.*g" % (p, x)
        if float(text) == x:
            return text
    return "%.17g" % x


def group_numbers():
    # Every non-integer number in the JSON is printed exactly as the
    # round-trip rule says (so never fewer than 6 significant digits when the
    # value needs them), and reads back as a double; integers are integers.
    rc, out, err = run(["report", "--json", "--by", "month", "basic.csv", "more.jsonl", "periods.csv"])
    check(rc == 0, "numbers: exit %d" % rc)
    tokens = re.findall(r"(?<=[\[ ])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=[,\]\n])", out)
    floats = [t for t in tokens if "." in t or "e" in t or "E" in t]
    check(len(floats) > 20, "floats found: %d" % len(floats))
    for t in floats:
        check(t == shortest_repr(float(t)), "number %s is not printed as %s" % (t, shortest_repr(float(t))))
    check(any(len(t.replace("-", "").replace(".", "").lstrip("0")) >= 16 for t in floats),
          "values like 100/3 keep their 16-17 digits")
    check(re.search(r'"n": \d+,', out) is not None, "integers printed as integers")


def gen_big(path, rng, n_rows):
    """A generated CSV with known bad rows and duplicates."""
    channels = ["email", "phone", "chat", "web", "store", "social", "app", "", "kiosk-2", "partner_x"]
    segments = ["", "enterprise", "smb", "consumer", "Ünïcode seg", 'quote"d']
    kinds = ["nps"] * 5 + ["csat"] * 3 + ["ces"] * 3 + ["purchase", "complaint", "compliment", "churn", "internal"]
    start = calendar.timegm((2024, 11, 1, 0, 0, 0))
    span = 500 * 86400
    ids = []
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "customer", "time", "kind", "value", "channel", "stage", "segment"])
    for i in range(n_rows):
        kind = rng.choice(kinds)
        value = {"nps": lambda: str(rng.randint(0, 10)), "csat": lambda: str(rng.randint(1, 5)),
                 "ces": lambda: str(rng.randint(1, 7)), "purchase": lambda: "%.2f" % rng.uniform(0, 500),
                 "internal": lambda: str(rng.randint(0, 100))}.get(kind, lambda: "")()
        t = start + rng.randrange(span)
        ts = str(t) if rng.random() < 0.2 else "%04d-%02d-%02dT%02d:%02d:%02dZ" % tuple(__import__("time").gmtime(t)[:6])
        eid = ""
        r = rng.random()
        if r < 0.5:
            eid = "ev-%d" % i
            ids.append(eid)
        elif r < 0.53 and ids:
            eid = rng.choice(ids)  # a duplicate
        row = [eid, "cust-%d" % rng.randint(1, 3000), ts, kind, value, rng.choice(channels),
               rng.choice([""] + STAGES), rng.choice(segments)]
        bad = rng.random()
        if bad < 0.004:
            row[3] = "npz"
        elif bad < 0.008 and kind == "nps":
            row[4] = "11"
        elif bad < 0.012:
            row[2] = "2025-02-29T00:00:00Z"
        elif bad < 0.014:
            row[1] = ""
        w.writerow(row)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())


def group_big():
    rng = random.Random(20261123)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.csv")
        gen_big(path, rng, 30000)
        frm, to = "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"
        rc, out, err = run(["report", "--json", "--by", "month", "--by", "week", "--by", "channel",
                            "--by", "stage", "--by", "segment", "--from", frm, "--to", to, "big.csv"], cwd=tmp)
        check(rc == 0, "big: exit %d" % rc)
        ref = Reference(frm=calendar.timegm((2025, 1, 1, 0, 0, 0)), to=calendar.timegm((2026, 1, 1, 0, 0, 0)))
        ref.add_csv("big.csv", path)
        check(ref.rejected > 100 and ref.duplicates > 100, "big fixture has bad rows and duplicates")
        check(row_diags(err) == ref.bad, "big diagnostics (%d vs %d)" % (len(row_diags(err)), len(ref.bad)))
        doc = load_json(out, "big")
        if doc is not None:
            compare(doc, ref.document(by=("month", "week", "channel", "stage", "segment")))
        # The same rows as JSON Lines (numbers as JSON numbers), together
        # with the CSV: every id-carrying row of the second file is then a
        # duplicate of the first's.
        jpath = os.path.join(tmp, "big.jsonl")
        with open(jpath, "w", encoding="utf-8") as fh:
            for line, fields in csv_records(path)[1]:
                obj = {k: v for k, v in fields.items() if v != ""}
                if "value" in obj and DECIMAL.match(obj["value"]):
                    obj["value"] = float(obj["value"]) if "." in obj["value"] else int(obj["value"])
                fh.write(json.dumps(obj, ensure_ascii=(line % 2 == 0)) + "\n")
        rc, out, err = run(["report", "--json", "--by", "week", "big.csv", "big.jsonl"], cwd=tmp)
        check(rc == 0, "big csv + jsonl: exit %d" % rc)
        ref = Reference()
        ref.add_csv("big.csv", path)
        ref.add_jsonl("big.jsonl", jpath)
        check(row_diags(err) == ref.bad, "big csv + jsonl diagnostics")
        doc = load_json(out, "big csv + jsonl")
        if doc is not None:
            compare(doc, ref.document(by=("week",)))
        # Unwindowed, default slices.
        rc, out, err = run(["report", "--json", "big.csv"], cwd=tmp)
        ref = Reference()
        ref.add_csv("big.csv", path)
        doc = load_json(out, "big unwindowed")
        if doc is not None:
            compare(doc, ref.document())


def group_experience():
    """gap, servqual, service, loyalty and consistency on the bundled sample
    (examples/data/sample_events.csv: thousands of events with refs,
    contacts and SERVQUAL answers), overall and in every kind of slice, by
    default and with --utc-offset +05:30 and holidays."""
    sample = os.path.join(DATA, "..", "..", "..", "examples", "data", "sample_events.csv")
    by = ("channel", "stage", "segment", "month", "week")
    args = ["report", "--json"] + ["--by=" + d for d in by]
    rc, out, err = run(args + [sample])
    check(rc == 0, "sample: exit %d %r" % (rc, err[:300]))
    doc = load_json(out, "sample")
    ref = Reference()
    ref.add_csv(sample, sample)
    if doc is not None:
        want = ref.document(by=by)
        compare(doc, want)
        o = doc["overall"]
        check(o["gap"] is not None and o["gap"]["pairs"] > 100, "sample has pairs: %r" % o["gap"])
        check(o["service"] is not None and o["service"]["contacts"] > 100, "sample has contacts")
        check(o["servqual"] is not None, "sample has SERVQUAL answers")
    holidays = os.path.join(DATA, "holidays.txt")
    rc, out, err = run(args + ["--utc-offset", "+05:30", "--holidays", holidays, sample])
    check(rc == 0, "sample with offset: exit %d %r" % (rc, err[:300]))
    doc = load_json(out, "sample with offset")
    ref = Reference(utc_offset=5 * 3600 + 1800, holidays=("2025-12-25", "2025-12-26", "2026-01-01"))
    ref.add_csv(sample, sample)
    if doc is not None:
        compare(doc, ref.document(by=by))
    # --hours and --sla-target (docs/cli.md, "Business time"): other opening
    # hours, a Saturday, a 4-hour target; the reference walks the same hours.
    rc, out, err = run(args + ["--hours", "mon-thu=08:00-18:00,fri=08:00-12:30,sat=10:00-14:00",
                               "--sla-target", "4h", "--utc-offset", "-03:00", sample])
    check(rc == 0, "sample with hours: exit %d %r" % (rc, err[:300]))
    doc = load_json(out, "sample with hours")
    hours = {d: (8 * 3600, 18 * 3600) for d in range(4)}
    hours[4] = (8 * 3600, 12 * 3600 + 1800)
    hours[5] = (10 * 3600, 14 * 3600)
    ref = Reference(utc_offset=-3 * 3600, hours=hours, sla_target=4 * 3600)
    ref.add_csv(sample, sample)
    if doc is not None:
        compare(doc, ref.document(by=by))


def group_plan():
    """`cxm plan` (docs/cli.md): hand-worked sample sizes, n0 = z^2 V / M^2
    and n = n0 / (1 + (n0 - 1) / N), rounded up (docs/metrics.md)."""
    z2 = Z95 * Z95
    cases = [
        (["--margin", "5"], "nps", 1e4, None, 1537),
        (["--metric", "nps", "--margin", "5", "--population", "1000"], "nps", 1e4, 1000, 607),
        (["--metric", "nps", "--margin", "3", "--p-promoter", "0.5", "--p-detractor", "0.2"], "nps",
         1e4 * (0.7 - 0.09), None, 2604),
        (["--metric", "csat", "--margin", "3", "--p-satisfied", "0.8"], "csat", 1e4 * 0.16, None, 683),
        (["--metric", "ces", "--margin=0.1", "--sd", "1.5", "--population", "500"], "ces", 2.25, 500, 317),
        (["--metric", "ces", "--margin", "0.0001", "--population", "10"], "ces", 9.0, 10, 10),
    ]
    for args, metric, var, pop, want in cases:
        margin = float([a for a in args if a.startswith("--margin")][0].split("=")[1]) if any(
            a.startswith("--margin=") for a in args) else float(args[args.index("--margin") + 1])
        n0 = z2 * var / margin ** 2
        n = n0 if pop is None else n0 / (1 + (n0 - 1) / pop)
        check(min(math.ceil(n - 1e-9), pop or math.inf) == want, "plan %r: reference %r, hand %r" % (args, n, want))
        rc, out, err = run(["plan", "--json"] + args)
        doc = load_json(out, "plan %r" % args) if rc == 0 else None
        check(rc == 0 and err == "", "plan %r: %d %r" % (args, rc, err))
        if doc is not None:
            compare(doc, {"format": "cxm-plan/1", "metric": metric, "margin": margin, "z": Z95, "population": pop,
                          "variance": float(var), "n_infinite": n0, "n": want})
        rc, out, err = run(["plan"] + args)
        check(rc == 0 and (" %d answers" % want) in out, "plan %r text: %r" % (args, out))
    for bad in (["--metric", "nps"], ["--margin", "0"], ["--margin", "-2"], ["--margin", "x"],
                ["--margin", "5", "--metric", "xyz"], ["--margin", "5", "--population", "10.5"],
                ["--margin", "5", "--population", "0"], ["--margin", "5", "--p-promoter", "0.5"],
                ["--margin", "5", "--p-promoter", "0.7", "--p-detractor", "0.5"],
                ["--margin", "5", "--p-promoter", "1.5", "--p-detractor", "0"],
                ["--margin", "5", "--sd", "1"], ["--metric", "ces", "--margin", "5", "--p-satisfied", "0.5"],
                ["--metric", "ces", "--margin", "1e-9"], ["--margin", "5", "file.csv"], ["--margin", "5", "--bogus"],
                ["--margin"]):
        rc, out, err = run(["plan"] + bad)
        check(rc == 2 and out == "" and err.startswith("cxm plan: "), "plan %r: %d %r %r" % (bad, rc, out, err))


GROUPS = {
    "plan": group_plan,
    "experience": group_experience,
    "t": test_t_quantile,
    "usage": group_usage,
    "diagnostics": group_diagnostics,
    "files": group_files,
    "window": group_window,
    "edges": group_edges,
    "slices": group_slices,
    "numbers": group_numbers,
    "big": group_big,
}


def main():
    global CXM, DATA
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    CXM = os.path.abspath(sys.argv[1])
    DATA = os.path.abspath(sys.argv[2])
    names = sys.argv[3:] or list(GROUPS)
    for name in names:
        GROUPS[name]()
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        return 1
    print("ok: " + ", ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
