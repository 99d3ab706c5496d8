#!/usr/bin/env python3
"""Generate churn data with KNOWN planted effects (docs/churn-data.md).

Writes, deterministically (seeded random.Random, Python 3 stdlib only):

  tests/data/churn/planted.csv           the events (docs/events.md CSV)
  tests/data/churn/planted.json          the planted model: cut-off, horizon,
                                         logit-scale coefficients, counts
  tests/data/churn/planted_features.csv  per customer at risk: the planted
                                         features as this script computed
                                         them, the true logit and the label

Usage: python3 tools/gen_churn_data.py [OUTPUT_DIR]   (default:
tests/data/churn next to this script's repository root). Running it twice
gives the same bytes.

The events span 2024-10-01 .. 2025-12-29. The cut-off is 2025-10-01 and the
horizon 90 days. Each customer's chance of a `churn` event inside the horizon
is

    P(churn) = 1 / (1 + exp(-(b0 + sum_j b_j x_j)))

over these features as cxm/features.h measures them from the events before
the cut-off (the planted coefficients, on the logit scale):

    b0                -2.7   intercept
    detractor         +0.9   latest NPS answer 0..6
    high_effort       +0.5   per CES answer 1..3 in the 90 days before
    open_contacts     +0.8   per contact opened and not resolved before
    complaints        +0.45  per complaint, minus per compliment
    recency_weeks     +0.05  per week from the day of the last purchase to
                             the cut-off's day (0 if none)

and every other feature of cxm/features.h has NO effect (coefficient 0).
The same coefficients are in planted.json. (The events CSV itself carries
no comment: docs/events.md has no comment syntax, so a comment row would be
a bad row.)

Design choices that keep the features unambiguous:

* every event before the cut-off is at least two days before it, and CES
  answers are either well inside the 90-day window (85..2 days before) or
  well outside it (200..100 days before), so the window edges never matter;
* a latent dissatisfaction z colours NPS, CES, open contacts and complaints,
  so the planted features are correlated as in real data (the logistic model
  is still exactly right: the churn draw depends on z only through them);
* open contacts are opened 56..2 days before the cut-off; most got a prompt
  first reply, some none; some are resolved AFTER the cut-off (a later
  resolve must not leak into the features); resolved contacts, at any time,
  sometimes got a late reply (an SLA breach: no planted effect);
* about 6% of customers churn BEFORE the cut-off (between 2025-03-01 and
  2025-09-20) and are silent afterwards: they are not at risk, and the
  library must leave them out;
* after the cut-off, customers keep buying, answering NPS and complaining
  until they churn (or the horizon ends): none of it may leak into features;
* 70% answer a CSAT survey in the five months before the cut-off (no
  planted effect; it keeps the time since the last touchpoint from being
  nearly the time since the last purchase);
* a few customers have no event before the cut-off at all (no purchase,
  survey, contact or complaint drawn): they are not at risk either;
* about 5% of customers never bought before the cut-off (recency 0).
"""

import datetime as dt
import json
import math
import os
import random
import sys

SEED = 20251001
N_CUSTOMERS = 3000
START = dt.datetime(2024, 10, 1, tzinfo=dt.timezone.utc)
CUTOFF = dt.datetime(2025, 10, 1, tzinfo=dt.timezone.utc)
HORIZON_DAYS = 90
DAY = 86400
T0 = int(START.timestamp())
TC = int(CUTOFF.timestamp())
TH = TC + HORIZON_DAYS * DAY  # horizon end (exclusive)

INTERCEPT = -2.7
PLANTED = {  # feature name (cxm_feature_name) -> logit-scale coefficient
    "detractor": 0.9,
    "high_effort": 0.5,
    "open_contacts": 0.8,
    "complaints": 0.45,
    "recency_weeks": 0.05,
}

CHANNELS = ["email", "phone", "chat"]


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def business_time(rng, lo, hi):
    """A time in [lo, hi) on a weekday between 10:00 and 15:00 UTC."""
    for _ in range(1000):
        day = lo // DAY + rng.randrange(max(1, (hi - lo) // DAY))
        t = day * DAY + 10 * 3600 + rng.randrange(5 * 3600)
        # 1970-01-01 was a Thursday: weekday 0 = Monday
        if (day + 3) % 7 < 5 and lo <= t < hi:
            return t
    raise RuntimeError("no weekday in range")


def poisson(rng, lam):
    # Knuth's method: fine for the small rates used here
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def nps_answer(rng, z):
    # dissatisfied customers answer lower; clamp to 0..10
    return max(0, min(10, int(round(rng.gauss(7.6 - 1.6 * z, 1.8)))))


def customer(rng, cid):
    """Events of one customer, and its planted features (None if not at risk)."""
    ev = []  # (time, kind, value, channel, ref)
    z = rng.gauss(0.0, 1.0)
    arrival = T0 + rng.randrange(200 * DAY)
    early_churn = rng.random() < 0.06
    end_pre = TC - 2 * DAY  # last time of a pre-cut-off event (exclusive)
    if early_churn:
        end_pre = int(dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc).timestamp()) + rng.randrange(200 * DAY)
        end_pre = max(end_pre, arrival + 30 * DAY)
        end_pre = min(end_pre, TC - 11 * DAY)

    # purchases: a customer-level rate; about 5% never buy before the cut-off
    if rng.random() >= 0.05:
        rate = rng.choice([0.1, 0.2, 0.35, 0.6]) / (30 * DAY)  # per second
        # activity ends somewhere before the cut-off for some (recency spread)
        active_to = end_pre if rng.random() < 0.5 else arrival + rng.randrange(max(DAY, end_pre - arrival))
        t = arrival
        times = [arrival + rng.randrange(3 * DAY)]
        while True:
            t += int(rng.expovariate(rate)) + 3600
            if t >= active_to:
                break
            times.append(t)
        for t in times:
            if t < end_pre:
                ev.append((t, "purchase", "%.2f" % (5 + rng.expovariate(1 / 60.0)), "", ""))

    # NPS answers (latest counts); 85% answer at least once
    nps = []
    if rng.random() < 0.85:
        for _ in range(1 + poisson(rng, 0.4)):
            t = arrival + rng.randrange(max(DAY, end_pre - arrival))
            nps.append((t, nps_answer(rng, z)))
        for t, v in nps:
            ev.append((t, "nps", str(v), "", ""))

    # CES: recent answers (inside the 90-day window) and old ones (outside)
    for _ in range(poisson(rng, 0.9)):
        t = TC - 85 * DAY + rng.randrange(83 * DAY)
        if t < arrival or t >= end_pre:
            continue
        v = rng.randint(1, 3) if rng.random() < sigmoid(-1.0 + 1.0 * z) else rng.randint(4, 7)
        ev.append((t, "ces", str(v), "", ""))
    for _ in range(poisson(rng, 0.3)):
        t = TC - 200 * DAY + rng.randrange(100 * DAY)
        if t < arrival or t >= end_pre:
            continue
        v = rng.randint(1, 3) if rng.random() < 0.5 else rng.randint(4, 7)
        ev.append((t, "ces", str(v), "", ""))

    # contacts: resolved ones at any time, open ones in the last 8 weeks
    nref = 0
    post = []  # events after the cut-off that are already decided
    for _ in range(poisson(rng, 0.6)):
        if end_pre - arrival < 3 * DAY:
            break
        nref += 1
        ref = "%s-r%d" % (cid, nref)
        ch = rng.choice(CHANNELS)
        t = business_time(rng, arrival, end_pre - 3 * DAY)
        ev.append((t, "contact_open", "", ch, ref))
        late = rng.random() < 0.15
        reply = t + (2 * DAY + rng.randrange(3600) if late else 600 + rng.randrange(1200))
        ev.append((reply, "contact_reply", "", ch, ref))
        ev.append((min(reply + 3600 + rng.randrange(DAY), end_pre - 1), "contact_resolve", "", ch, ref))
    if not early_churn:
        for _ in range(poisson(rng, 0.35 * math.exp(0.6 * z))):
            nref += 1
            ref = "%s-r%d" % (cid, nref)
            ch = rng.choice(CHANNELS)
            t = business_time(rng, max(arrival, TC - 56 * DAY), TC - 2 * DAY)
            ev.append((t, "contact_open", "", ch, ref))
            if rng.random() < 0.8:
                ev.append((t + 600 + rng.randrange(1200), "contact_reply", "", ch, ref))
            if rng.random() < 0.4:  # resolved only after the cut-off
                post.append((TC + rng.randrange(30 * DAY), "contact_resolve", "", ch, ref))

    # a satisfaction answer some time in the last five months: a touchpoint
    # that keeps the silence feature from mirroring purchase recency
    # (never a customer's only event: see docs/churn-data.md)
    if rng.random() < 0.7:
        t = TC - 150 * DAY + rng.randrange(148 * DAY)
        if t >= arrival and any(e[0] < end_pre for e in ev):
            ev.append((t, "csat", str(max(1, min(5, int(round(rng.gauss(3.8 - 0.6 * z, 0.8)))))), "", ""))

    # complaints and compliments
    for _ in range(poisson(rng, 0.3 * math.exp(0.5 * z))):
        ev.append((arrival + rng.randrange(max(DAY, end_pre - arrival)), "complaint", "", "", ""))
    for _ in range(poisson(rng, 0.35 * math.exp(-0.4 * z))):
        ev.append((arrival + rng.randrange(max(DAY, end_pre - arrival)), "compliment", "", "", ""))

    ev = [e for e in ev if e[0] < end_pre]
    if early_churn:
        ev.append((end_pre, "churn", "", "", ""))
        return ev, None

    # the planted features, from the events actually written before the cut-off
    answers = sorted((t, int(v)) for t, k, v, _, _ in ev if k == "nps")
    detractor = 1 if answers and answers[-1][1] <= 6 else 0
    high_effort = sum(1 for t, k, v, _, _ in ev if k == "ces" and t >= TC - 90 * DAY and int(v) <= 3)
    opened = {r for _, k, _, _, r in ev if k == "contact_open"}
    resolved = {r for _, k, _, _, r in ev if k == "contact_resolve"}
    open_contacts = len(opened - resolved)
    complaints = sum(1 for e in ev if e[1] == "complaint") - sum(1 for e in ev if e[1] == "compliment")
    purchases = [t for t, k, _, _, _ in ev if k == "purchase"]
    # weeks of whole UTC days, as cxm/features.h counts them
    recency_days = TC // DAY - max(purchases) // DAY if purchases else 0
    x = {
        "detractor": detractor,
        "high_effort": high_effort,
        "open_contacts": open_contacts,
        "complaints": complaints,
        "recency_weeks": recency_days / 7,
    }
    logit = INTERCEPT + sum(PLANTED[k] * x[k] for k in PLANTED)
    churned = rng.random() < sigmoid(logit)
    churn_at = TC + rng.randrange(HORIZON_DAYS * DAY) if churned else TH + 30 * DAY
    # life after the cut-off: purchases, NPS, complaints until churn
    t = TC + rng.randrange(40 * DAY)
    while t < min(churn_at, TH):
        kind = rng.choice(["purchase", "purchase", "nps", "complaint", "ces"])
        val = {"purchase": "%.2f" % (5 + rng.expovariate(1 / 60.0)), "nps": str(nps_answer(rng, z + 1)),
               "complaint": "", "ces": str(rng.randint(1, 7))}[kind]
        ev.append((t, kind, val, "", ""))
        t += rng.randrange(40 * DAY, 90 * DAY)
    ev.extend(p for p in post if p[0] < churn_at)
    if churned:
        ev.append((churn_at, "churn", "", "", ""))
    feats = dict(x, recency_days=recency_days, logit=logit, label=1 if churned else 0)
    if not any(e[0] < TC for e in ev):
        return ev, None  # first seen after the cut-off: not at risk at it
    return ev, feats


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "data", "churn")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(SEED)
    rows, feats = [], []
    early = 0
    for i in range(1, N_CUSTOMERS + 1):
        cid = "c-%04d" % i
        ev, f = customer(rng, cid)
        rows.extend((t, cid, k, v, ch, ref) for t, k, v, ch, ref in ev)
        if f is None:
            early += any(e[1] == "churn" and e[0] < TC for e in ev)
        else:
            feats.append((cid, f))
    rows.sort()
    with open(os.path.join(out, "planted.csv"), "w", newline="") as fh:
        fh.write("time,customer,kind,value,channel,ref\n")
        for t, cid, k, v, ch, ref in rows:
            fh.write("%s,%s,%s,%s,%s,%s\n" % (iso(t), cid, k, v, ch, ref))
    with open(os.path.join(out, "planted_features.csv"), "w", newline="") as fh:
        fh.write("customer,label,detractor,high_effort,open_contacts,complaints,recency_days,logit\n")
        for cid, f in feats:
            fh.write("%s,%d,%d,%d,%d,%d,%d,%.17g\n" % (cid, f["label"], f["detractor"], f["high_effort"],
                                                       f["open_contacts"], f["complaints"], f["recency_days"],
                                                       f["logit"]))
    info = {
        "generator": "tools/gen_churn_data.py",
        "seed": SEED,
        "cutoff": iso(TC),
        "horizon_days": HORIZON_DAYS,
        "scale": "logit",
        "intercept": INTERCEPT,
        "coefficients": PLANTED,
        "units": {"detractor": "0/1", "high_effort": "answers", "open_contacts": "contacts",
                  "complaints": "complaints - compliments", "recency_weeks": "weeks (whole UTC days / 7)"},
        "other_features": "no effect (coefficient 0)",
        "customers": N_CUSTOMERS,
        "churned_before_cutoff": early,
        "first_seen_after_cutoff": N_CUSTOMERS - early - len(feats),
        "at_risk": len(feats),
        "churned_in_horizon": sum(f["label"] for _, f in feats),
        "events": len(rows),
    }
    with open(os.path.join(out, "planted.json"), "w", newline="") as fh:
        json.dump(info, fh, indent=2, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main()
