#!/usr/bin/env python3
"""Independent reference for the service operations, the backlog, closing
the loop, response rates and the interaction's period (docs/experience.md
"Service operations", "Backlog", "Closing the loop", "Response rates", "The
perception gap").

It shares no code with the library or with tests/cli/test_cli.py: it writes
an event file with every edge it knows (reopen after resolve, transfer
chains, contacts across weekends and holidays, replies before the open,
follow-ups before the answer, answers without invitations, slices of one
answer, same-second opens, interactions crossing a month end, resolves and
reopens at midnight and in one second), computes the `operations`,
`backlog` (every day, also at a UTC offset of +05:30), `loop` and
`responses` objects and the gap pair counts per
slice by brute force over the raw rows, runs `cxm report --json` on the same
file and compares.

    ops_reference.py CXM WORKDIR [SEED]     exit status 0 when everything agrees

Python standard library only.
"""
import calendar
import csv
import datetime
import json
import math
import os
import random
import subprocess
import sys

DAY = 86400
W = 7 * DAY
HOLIDAYS = ["2025-03-03", "2025-03-17", "2025-04-18"]
CHANNELS = ["email", "phone", "chat", "web"]
SEGMENTS = ["smb", "enterprise", "consumer"]


def ts(y, mo, d, h=0, mi=0, s=0):
    return calendar.timegm((y, mo, d, h, mi, s))


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(seed):
    """Rows (dicts) in a shuffled order, with the hand-made edges first."""
    rng = random.Random(seed)
    rows = []

    def add(t, cust, kind, ref="", ch="", seg="", value=""):
        rows.append({"time": t, "customer": cust, "kind": kind, "ref": ref, "channel": ch, "segment": seg,
                     "value": value})

    # reopen after resolve, resolved again: full > first resolution
    add(ts(2025, 3, 7, 16), "e1", "contact_open", "E1", "chat", "smb")  # a Friday
    add(ts(2025, 3, 10, 10), "e1", "contact_resolve", "E1", "chat", "smb")  # over the weekend
    add(ts(2025, 3, 10, 11), "e1", "contact_reopen", "E1", "chat", "smb")
    add(ts(2025, 3, 18, 12), "e1", "contact_resolve", "E1", "chat", "smb")  # across the 17th, a holiday
    # a transfer chain of three hops
    for k in range(3):
        add(ts(2025, 3, 4, 10 + k), "e2", "contact_transfer", "E2", "phone", "enterprise")
    add(ts(2025, 3, 4, 9), "e2", "contact_open", "E2", "phone", "enterprise")
    add(ts(2025, 3, 4, 15), "e2", "contact_resolve", "E2", "phone", "enterprise")
    # a reply logged before the open (counts towards the one-reply rule)
    add(ts(2025, 3, 5, 8), "e3", "contact_reply", "E3", "email", "smb")
    add(ts(2025, 3, 5, 9), "e3", "contact_open", "E3", "email", "smb")
    add(ts(2025, 3, 5, 10), "e3", "contact_reply", "E3", "email", "smb")
    add(ts(2025, 3, 5, 11), "e3", "contact_resolve", "E3", "email", "smb")
    # same-second opens of one customer on two channels: neither repeat nor switch
    add(ts(2025, 3, 12, 9), "e4", "contact_open", "E4a", "web", "consumer")
    add(ts(2025, 3, 12, 9), "e4", "contact_open", "E4b", "phone", "consumer")
    # a contact opened on 31 March, rated on 1 April: a March pair
    add(ts(2025, 3, 31, 23), "e5", "contact_open", "E5", "email", "smb")
    add(ts(2025, 4, 1, 1), "e5", "internal", "E5", "email", "smb", "85")
    add(ts(2025, 4, 1, 2), "e5", "nps", "E5", "email", "smb", "3")
    add(ts(2025, 4, 1, 3), "e5", "contact_resolve", "E5", "email", "smb")
    # backlog edges: a reopen days after the resolve (over a weekend); a
    # resolve at midnight (still open that day); an open at midnight (not
    # open the day before); a reopen of an open contact and a resolve of a
    # resolved one (no change); a resolve and a reopen in the same second
    add(ts(2025, 3, 5, 10), "b1", "contact_open", "B1", "web", "smb")
    add(ts(2025, 3, 6, 10), "b1", "contact_resolve", "B1", "web", "smb")
    add(ts(2025, 3, 8, 10), "b1", "contact_reopen", "B1", "web", "smb")  # a Saturday
    add(ts(2025, 3, 11, 10), "b1", "contact_resolve", "B1", "web", "smb")
    add(ts(2025, 3, 3, 10), "b2", "contact_open", "B2", "phone", "consumer")
    add(ts(2025, 3, 4), "b2", "contact_resolve", "B2", "phone", "consumer")
    add(ts(2025, 3, 9), "b3", "contact_open", "B3", "chat", "consumer")
    add(ts(2025, 3, 9, 12), "b3", "contact_resolve", "B3", "chat", "consumer")
    add(ts(2025, 3, 13, 10), "b4", "contact_open", "B4", "email", "enterprise")
    add(ts(2025, 3, 14, 10), "b4", "contact_reopen", "B4", "email", "enterprise")
    add(ts(2025, 3, 15, 10), "b4", "contact_resolve", "B4", "email", "enterprise")
    add(ts(2025, 3, 16, 10), "b4", "contact_resolve", "B4", "email", "enterprise")
    add(ts(2025, 3, 19, 10), "b5", "contact_open", "B5", "email", "smb")
    add(ts(2025, 3, 20, 10), "b5", "contact_resolve", "B5", "email", "smb")
    add(ts(2025, 3, 20, 10), "b5", "contact_reopen", "B5", "email", "smb")
    add(ts(2025, 3, 21, 10), "b5", "contact_resolve", "B5", "email", "smb")
    # a follow-up before the answer, an answer without invitation, one with
    add(ts(2025, 3, 20, 9), "e6", "followup", "S6", "email")
    add(ts(2025, 3, 20, 10), "e6", "csat", "S6", "email", "", "1")
    add(ts(2025, 3, 21, 10), "e6", "followup", "S6", "email")
    add(ts(2025, 3, 22, 10), "e7", "survey_sent", "", "email")
    add(ts(2025, 3, 23, 10), "e7", "ces", "S7", "email", "", "2")
    # a slice of one answer: a custom channel with one NPS
    add(ts(2025, 3, 24, 10), "e8", "nps", "", "kiosk", "", "9")
    # closing the loop across a weekend and a holiday: a detractor answered
    # Friday 16:00, followed up Tuesday 10:00 after Monday the 17th (a
    # holiday): 1 h + 1 h of business time; the next answer recovers
    add(ts(2025, 3, 14, 16), "e9", "nps", "L9", "phone", "smb", "2")
    add(ts(2025, 3, 18, 10), "e9", "followup", "L9", "phone", "smb")
    add(ts(2025, 3, 28, 10), "e9", "nps", "L9b", "phone", "smb", "10")
    # an invitation with a ref answered at its own second; one never answered
    add(ts(2025, 3, 26, 10), "e10", "survey_sent", "L10", "web", "consumer")
    add(ts(2025, 3, 26, 10), "e10", "csat", "L10", "web", "consumer", "2")
    add(ts(2025, 3, 27, 10), "e11", "survey_sent", "", "web", "consumer")
    # random survey traffic: invitations by ref and by customer, answers
    # without invitation, follow-ups before and after the answer and after
    # the customer's next answer, several answers per ref
    for i in range(300):
        cust = "s%d" % rng.randrange(40)
        kind = rng.choice(["nps", "nps", "csat", "ces"])
        ch = rng.choice(CHANNELS)
        seg = rng.choice(SEGMENTS)
        t0 = ts(2025, 3, 1) + rng.randrange(50 * DAY)
        ref = "Q%d" % i if rng.random() < 0.8 else ""
        top = {"nps": 10, "csat": 5, "ces": 7}[kind]
        value = str(rng.randrange(0 if kind == "nps" else 1, top + 1))
        u = rng.random()
        if u < 0.3 and ref:
            add(t0 - rng.randrange(0, 3 * DAY), cust, "survey_sent", ref, ch, seg)
        elif u < 0.6:
            add(t0 - rng.randrange(0, 40 * DAY), cust, "survey_sent", "", ch, seg)
        if rng.random() < 0.9:
            add(t0, cust, kind, ref, ch, seg, value)
        if ref and rng.random() < 0.1:
            add(t0 + rng.randrange(0, 2 * DAY), cust, rng.choice(["nps", "csat", "ces"]), ref, ch, seg,
                str(rng.randrange(1, 6)))
        if ref:
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                add(t0 + rng.randrange(-DAY, 6 * DAY), cust, "followup", ref, ch, seg)
    # follow-ups of contact refs answered by NPS (the ref is shared)
    for i in range(0, 400, 7):
        add(ts(2025, 3, 1) + rng.randrange(60 * DAY), "c%d" % rng.randrange(60), "followup", "R%d" % i,
            rng.choice(CHANNELS))
    # random contacts: a few customers with many contacts, so repeats and
    # switches happen, some never resolved, some with several replies
    for i in range(400):
        cust = "c%d" % rng.randrange(60)
        ref = "R%d" % i
        ch = rng.choice(CHANNELS)
        seg = rng.choice(SEGMENTS)
        t0 = ts(2025, 3, 1) + rng.randrange(50 * DAY)
        add(t0, cust, "contact_open", ref, ch, seg)
        if rng.random() < 0.1:
            add(t0 + rng.randrange(1, 3 * DAY), cust, "contact_open", ref, rng.choice(CHANNELS), seg)  # a later open
        for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
            add(t0 + rng.randrange(-3600, 5 * DAY), cust, "contact_reply", ref, ch, seg)
        for _ in range(rng.choice([0, 0, 1, 1, 1, 2])):
            add(t0 + rng.randrange(-600, 9 * DAY), cust, "contact_transfer", ref, ch, seg)
        if rng.random() < 0.8:
            t1 = t0 + rng.randrange(0, 10 * DAY)
            add(t1, cust, "contact_resolve", ref, ch, seg)
            if rng.random() < 0.2:
                add(t1 + rng.randrange(1, DAY), cust, "contact_reopen", ref, ch, seg)
                add(t1 + rng.randrange(DAY, 4 * DAY), cust, "contact_resolve", ref, ch, seg)
        if rng.random() < 0.05:
            add(t0 - rng.randrange(1, 600), cust, "contact_resolve", ref, ch, seg)  # before the open: ignored
        if rng.random() < 0.3:
            add(t0 + rng.randrange(0, 40 * DAY), cust, "internal", ref, ch, seg, str(rng.randrange(101)))
        if rng.random() < 0.3:
            add(t0 + rng.randrange(0, 40 * DAY), cust, "nps", ref, ch, seg, str(rng.randrange(11)))
    rng.shuffle(rows)
    return rows


def business_seconds(t0, t1, holidays):
    """Monday-Friday 09:00-17:00 UTC minus holidays, walked hour by hour
    boundary (not the library's arithmetic)."""
    total = 0
    day = t0 // DAY
    while day * DAY < t1:
        date = datetime.date(1970, 1, 1) + datetime.timedelta(days=day)
        if date.weekday() < 5 and date.isoformat() not in holidays:
            a, b = day * DAY + 9 * 3600, day * DAY + 17 * 3600
            total += max(0, min(b, t1) - max(a, t0))
        day += 1
    return total


def median(v):
    return quantile(v, 0.5)


def quantile(v, q):
    if not v:
        return None
    v = sorted(v)
    pos = (len(v) - 1) * q
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


STARTS = {"nps", "csat", "ces", "internal", "contact_open", "contact_reply", "contact_resolve", "contact_reopen",
          "contact_transfer"}


def model(rows, holidays):
    """Per ref: what the operations need; order = file order."""
    by_ref = {}
    for i, r in enumerate(rows):
        if r["ref"]:
            by_ref.setdefault(r["ref"], []).append((r["time"], i, r))
    contacts = []
    pairs = []
    for ref, items in by_ref.items():
        began = min((t for t, _, r in items if r["kind"] in STARTS), default=None)
        opens = sorted((t, i, r) for t, i, r in items if r["kind"] == "contact_open")
        internal = sorted((t, i, r) for t, i, r in items if r["kind"] == "internal")
        if internal and any(r["kind"] in ("nps", "csat", "ces") for _, _, r in items):
            pairs.append({"began": began, "channel": internal[0][2]["channel"] or "unknown"})
        if not opens:
            continue
        t0, _, o = opens[0]
        res = sorted(t for t, _, r in items if r["kind"] == "contact_resolve")
        after = [t for t in res if t >= t0]
        contacts.append({"ref": ref, "customer": o["customer"], "open": t0, "channel": o["channel"] or "unknown",
                         "segment": o["segment"] or "unknown", "began": began,
                         "first": after[0] if after else None, "last": res[-1] if after else None,
                         "replies": sum(r["kind"] == "contact_reply" for _, _, r in items),
                         "reopens": sum(r["kind"] == "contact_reopen" for _, _, r in items),
                         "transfers": sum(r["kind"] == "contact_transfer" for _, _, r in items)})
    return contacts, pairs


def operations(contacts, keep, holidays):
    out = {k: 0 for k in ("contacts", "resolved", "first_contact_resolved", "reopened", "repeated", "switched",
                          "transfers")}
    first, full, first_b, full_b = [], [], [], []
    for c in contacts:
        if not keep(c):
            continue
        later = [d for d in contacts if d["customer"] == c["customer"] and d["open"] > c["open"]]
        out["contacts"] += 1
        out["transfers"] += c["transfers"]
        out["repeated"] += any(d["open"] <= c["open"] + W for d in later)
        out["switched"] += any(d["open"] <= c["open"] + W and d["channel"] != c["channel"] for d in later)
        if c["first"] is None:
            continue
        out["resolved"] += 1
        out["reopened"] += c["reopens"] > 0
        out["first_contact_resolved"] += (c["replies"] <= 1 and c["reopens"] == 0 and
                                          not any(d["open"] <= c["first"] + W for d in later))
        first.append(c["first"] - c["open"])
        full.append(c["last"] - c["open"])
        first_b.append(business_seconds(c["open"], c["first"], holidays))
        full_b.append(business_seconds(c["open"], c["last"], holidays))
    n, res = out["contacts"], out["resolved"]
    out["fcr_pct"] = 100.0 * out["first_contact_resolved"] / res if res else None
    out["reopen_pct"] = 100.0 * out["reopened"] / res if res else None
    out["repeat_pct"] = 100.0 * out["repeated"] / n if n else None
    out["switch_pct"] = 100.0 * out["switched"] / n if n else None
    out["transfers_per_contact"] = out["transfers"] / n if n else None
    mean = lambda v: sum(v) / len(v) if v else None
    out["first_resolution_median_s"], out["first_resolution_mean_s"] = median(first), mean(first)
    out["full_resolution_median_s"], out["full_resolution_mean_s"] = median(full), mean(full)
    out["first_resolution_median_business_s"], out["first_resolution_mean_business_s"] = median(first_b), mean(first_b)
    out["full_resolution_median_business_s"], out["full_resolution_mean_business_s"] = median(full_b), mean(full_b)
    return out


DETRACTOR = {"nps": 6, "csat": 2, "ces": 3}
TARGET = 8 * 3600
INVITE_WINDOW = 30 * DAY
Z95 = 1.959964


def loop_facts(rows, holidays):
    """Per answer (row index): detractor, first follow-up delay, next answer,
    invitation; per invitation: answered. Brute force in file order."""
    answers = [(i, r) for i, r in enumerate(rows) if r["kind"] in DETRACTOR]
    invitations = [(i, r) for i, r in enumerate(rows) if r["kind"] == "survey_sent"]
    followups = [r for r in rows if r["kind"] == "followup"]
    bad = lambda r: int(r["value"]) <= DETRACTOR[r["kind"]]
    answered, facts = set(), {}
    for i, a in sorted(answers, key=lambda p: (p[1]["time"], p[0])):
        f = {"row": a, "bad": bad(a), "invited": False}
        by_ref = [(v["time"], j) for j, v in invitations if a["ref"] != "" and v["ref"] == a["ref"]
                  and v["time"] <= a["time"]]
        if by_ref:
            answered.add(max(by_ref)[1])
            f["invited"] = True
        else:
            free = [(v["time"], j) for j, v in invitations if v["ref"] == "" and v["customer"] == a["customer"]
                    and j not in answered and a["time"] - INVITE_WINDOW <= v["time"] <= a["time"]]
            if free:
                answered.add(max(free)[1])
                f["invited"] = True
        fups = sorted(u["time"] for u in followups if a["ref"] != "" and u["ref"] == a["ref"]
                      and u["time"] >= a["time"])
        f["first"] = fups[0] if fups else None
        f["delay"] = business_seconds(a["time"], fups[0], holidays) if fups else None
        nxt = sorted((b["time"], j, b) for j, b in answers if b["customer"] == a["customer"]
                     and b["kind"] == a["kind"] and (b["time"], j) > (a["time"], i))
        f["next"] = nxt[0][2] if nxt else None
        facts[i] = f
    return facts, [(r, j in answered) for j, r in invitations]


def wilson(x, n):
    p = x / n
    d = 1 + Z95 * Z95 / n
    c = (p + Z95 * Z95 / (2 * n)) / d
    h = Z95 * math.sqrt(p * (1 - p) / n + Z95 * Z95 / (4 * n * n)) / d
    return c - h, c + h


def loop_and_responses(facts, invitations, keep):
    det = followed = target = fn = fr = un = ur = 0
    delays = []
    counts = {k: [0, 0] for k in DETRACTOR}
    for f in facts.values():
        r = f["row"]
        if not keep(r):
            continue
        counts[r["kind"]][0] += 1
        counts[r["kind"]][1] += f["invited"]
        if not f["bad"]:
            continue
        det += 1
        if f["first"] is not None:
            followed += 1
            target += f["delay"] <= TARGET
            delays.append(f["delay"])
        if f["next"] is None:
            continue
        recovered = int(f["next"]["value"]) > DETRACTOR[f["next"]["kind"]]
        if f["first"] is not None and f["first"] <= f["next"]["time"]:
            fn, fr = fn + 1, fr + recovered
        else:
            un, ur = un + 1, ur + recovered
    pct = lambda k, n: 100.0 * k / n if n else None
    ci = None
    if fn and un:
        p1, p2 = fr / fn, ur / un
        (l1, u1), (l2, u2) = wilson(fr, fn), wilson(ur, un)
        # Newcombe (1998) method 10
        ci = [100 * (p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
              100 * (p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))]
    rf, ru = pct(fr, fn), pct(ur, un)
    loop = {"detractors": det, "followed": followed, "followed_in_target": target,
            "in_target_pct": pct(target, det), "never_pct": pct(det - followed, det),
            "followup_median_business_s": quantile(delays, 0.5), "followup_p90_business_s": quantile(delays, 0.9),
            "followed_next": fn, "followed_recovered": fr, "unfollowed_next": un, "unfollowed_recovered": ur,
            "recovery_followed_pct": rf, "recovery_unfollowed_pct": ru,
            "recovery_diff_pct": None if rf is None or ru is None else rf - ru, "recovery_diff_ci95": ci}
    mine = [done for r, done in invitations if keep(r)]
    rate = pct(sum(mine), len(mine))
    resp = {"invitations": len(mine), "answered": sum(mine), "response_pct": rate,
            "nonresponse_pct": None if rate is None else 100.0 - rate}
    for k in ("nps", "csat", "ces"):
        resp[k + "_answers"], resp[k + "_invited"] = counts[k]
    return loop, resp


def backlog(rows, contacts, keep, window, holidays, offset=0):
    """The backlog series by replaying each kept contact's resolves and
    reopens at or after its open, in (time, file) order, at each local
    midnight; ages from the open. `window` = (from, to) of the slice."""
    status = {}
    for i, r in enumerate(rows):
        if r["kind"] in ("contact_resolve", "contact_reopen") and r["ref"]:
            status.setdefault(r["ref"], []).append((r["time"], i, r["kind"]))
    first = min(r["time"] for r in rows)
    last = max(r["time"] for r in rows)
    lo, hi = max(window[0], first), min(window[1] - 1, last)
    out = []
    if lo > hi:
        return out
    kept = [c for c in contacts if keep(c)]
    day = (lo + offset) // DAY
    while day <= (hi + offset) // DAY:
        end = (day + 1) * DAY - offset
        ages, ages_b = [], []
        for c in kept:
            if c["open"] >= end:
                continue
            is_open = True
            for t, _, kind in sorted(status.get(c["ref"], [])):
                if t < c["open"] or t >= end:
                    continue
                if kind == "contact_resolve":
                    is_open = False
                elif kind == "contact_reopen":
                    is_open = True
            if is_open:
                ages.append(end - c["open"])
                ages_b.append(business_seconds(c["open"] + offset, end + offset, holidays))
        date = (datetime.date(1970, 1, 1) + datetime.timedelta(days=day)).isoformat()
        out.append({"day": date, "open": len(ages), "age_median_s": quantile(ages, 0.5),
                    "age_p90_s": quantile(ages, 0.9), "age_median_business_s": quantile(ages_b, 0.5),
                    "age_p90_business_s": quantile(ages_b, 0.9)})
        day += 1
    return out


def compare_backlog(name, have, want):
    """Failures between a report's backlog object and the reference series."""
    failures = 0
    series = have.get("series", [])
    if len(series) != len(want) or have["days"] != len(want):
        print("FAIL %s backlog: cxm %d days, reference %d" % (name, have["days"], len(want)))
        return 1
    for h, w in zip(series, want):
        for k, v in w.items():
            if not (h.get(k) == v if k == "day" else close(h.get(k), v)):
                print("FAIL %s backlog %s.%s: cxm %r, reference %r" % (name, w["day"], k, h.get(k), v))
                failures += 1
    if want:
        peak = max(range(len(want)), key=lambda k: (want[k]["open"], -k))
        summary = {"first_day": want[0]["day"], "last_day": want[-1]["day"], "open_end": want[-1]["open"],
                   "open_peak": want[peak]["open"], "peak_day": want[peak]["day"],
                   "age_median_end_business_s": want[-1]["age_median_business_s"],
                   "open_mean": sum(w["open"] for w in want) / len(want)}
        for k, v in summary.items():
            if not (have.get(k) == v if isinstance(v, str) else close(have.get(k), v)):
                print("FAIL %s backlog.%s: cxm %r, reference %r" % (name, k, have.get(k), v))
                failures += 1
    return failures


def same(a, b):
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(close, a, b))
    return close(a, b)


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def main():
    cxm, work = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 17
    os.makedirs(work, exist_ok=True)
    rows = generate(seed)
    path = os.path.join(work, "ops_edges.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["time", "customer", "kind", "value", "channel", "segment", "ref"])
        for r in rows:
            w.writerow([iso(r["time"]), r["customer"], r["kind"], r["value"], r["channel"], r["segment"], r["ref"]])
    # the same rows as JSON Lines: the reader must give the same report
    jpath = os.path.join(work, "ops_edges.jsonl")
    with open(jpath, "w") as f:
        for r in rows:
            rec = {"time": iso(r["time"]), "customer": r["customer"], "kind": r["kind"]}
            for k in ("value", "channel", "segment", "ref"):
                if r[k] != "":
                    rec[k] = float(r[k]) if k == "value" else r[k]
            f.write(json.dumps(rec) + "\n")
    hol = os.path.join(work, "ops_holidays.txt")
    with open(hol, "w") as f:
        f.write("\n".join(HOLIDAYS) + "\n")
    got = json.loads(subprocess.run([cxm, "report", "--json", "--backlog-series", "--by", "channel,segment,month",
                                     "--holidays", hol, path], check=True, capture_output=True, text=True).stdout)
    got_jsonl = json.loads(subprocess.run([cxm, "report", "--json", "--backlog-series", "--by",
                                           "channel,segment,month", "--holidays", hol, jpath], check=True,
                                          capture_output=True, text=True).stdout)
    failures = 0
    if got_jsonl["overall"] != got["overall"] or got_jsonl["slices"] != got["slices"]:
        print("FAIL the JSON Lines copy gives another report than the CSV")
        failures += 1
    holidays = set(HOLIDAYS)
    contacts, pairs = model(rows, holidays)
    month = lambda t: "%04d-%02d" % tuple(datetime.datetime.fromtimestamp(t, datetime.timezone.utc).timetuple()[:2])
    facts, invitations = loop_facts(rows, holidays)
    everything = (0, 2 ** 62)
    checks = [("overall", got["overall"], lambda c: True, lambda p: True, lambda r: True)]
    windows = {"overall": everything}
    for dim, slices in got["slices"].items():
        for key, doc in slices.items():
            windows["%s.%s" % (dim, key)] = everything
            if dim == "month":
                y, m = int(key[:4]), int(key[5:])
                windows["%s.%s" % (dim, key)] = (ts(y, m, 1), ts(y + (m == 12), m % 12 + 1, 1))
                keep = (lambda k: lambda c: month(c["began"]) == k)(key)
                keep_pair = (lambda k: lambda p: month(p["began"]) == k)(key)
                keep_row = (lambda k: lambda r: month(r["time"]) == k)(key)
            elif dim == "channel":
                keep = (lambda k: lambda c: c["channel"] == k)(key)
                keep_pair = (lambda k: lambda p: p["channel"] == k)(key)
                keep_row = (lambda k: lambda r: (r["channel"] or "unknown") == k)(key)
            else:
                keep = (lambda k: lambda c: c["segment"] == k)(key)
                keep_pair = None
                keep_row = (lambda k: lambda r: (r["segment"] or "unknown") == k)(key)
            checks.append(("%s.%s" % (dim, key), doc, keep, keep_pair, keep_row))
    for name, doc, keep, keep_pair, keep_row in checks:
        for part, want in zip(("loop", "responses"), loop_and_responses(facts, invitations, keep_row)):
            have = doc[part]
            for k, v in want.items():
                if not same(have.get(k), v):
                    print("FAIL %s %s.%s: cxm %r, reference %r" % (name, part, k, have.get(k), v))
                    failures += 1
            if list(have) != list(want):
                print("FAIL %s %s keys %s" % (name, part, list(have)))
                failures += 1
        keep_contacts = (lambda c: True) if name.startswith("month.") else keep
        failures += compare_backlog(name, doc["backlog"], backlog(rows, contacts, keep_contacts, windows[name],
                                                                  holidays))
        want = operations(contacts, keep, holidays)
        have = doc["operations"]
        for k, v in want.items():
            if not close(have.get(k), v):
                print("FAIL %s operations.%s: cxm %r, reference %r" % (name, k, have.get(k), v))
                failures += 1
        if set(have) != set(want):
            print("FAIL %s operations keys %s" % (name, sorted(set(have) ^ set(want))))
            failures += 1
        if keep_pair is not None:
            n = sum(1 for p in pairs if keep_pair(p))
            have_n = doc["gap"]["pairs"] if doc["gap"] else 0
            if n != have_n:
                print("FAIL %s gap pairs: cxm %d, reference %d" % (name, have_n, n))
                failures += 1
    # local days at +05:30 (the holidays are local dates): overall and per channel
    off = 5 * 3600 + 1800
    shifted = json.loads(subprocess.run([cxm, "report", "--json", "--backlog-series", "--by", "channel",
                                         "--utc-offset", "+05:30", "--holidays", hol, path], check=True,
                                        capture_output=True, text=True).stdout)
    failures += compare_backlog("overall@+05:30", shifted["overall"]["backlog"],
                                backlog(rows, contacts, lambda c: True, everything, holidays, off))
    for key, doc in shifted["slices"]["channel"].items():
        failures += compare_backlog("channel.%s@+05:30" % key, doc["backlog"],
                                    backlog(rows, contacts, (lambda k: lambda c: c["channel"] == k)(key), everything,
                                            holidays, off))
    march = got["slices"]["month"]["2025-03"]["gap"]
    if march is None or not any(c["ref"] == "E5" and month(c["began"]) == "2025-03" for c in contacts):
        print("FAIL the 31 March contact rated on 1 April is not a March pair")
        failures += 1
    print("%d slices, %d contacts, %d pairs, %d answers (%d detractors), %d invitations compared: %s" % (
        len(checks), len(contacts), len(pairs), len(facts), sum(f["bad"] for f in facts.values()), len(invitations),
                                                             "ok" if failures == 0 else "%d failures" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
