#!/usr/bin/env python3
"""Simulated customer bases for validating `cxm churn` (docs/churn.md,
"Validation on simulated worlds"), seeded, with reference rankings the
generator computes itself.

Each world is a set of customers followed week by week from their
acquisition. A customer buys at a personal Poisson rate lambda (gamma
distributed across customers), answers an NPS survey now and then, complains,
opens contacts, and at some point leaves for good (a hazard per week, below).
A leaver sends a `churn` event with probability 1 - silent; a silent leaver
simply stops buying and answering. Events are written up to the cut-off CUT
only (what a CRM knows on that day); the truth is what happens next:

    lost = the customer has left by CUT + 90 days

over the customers `cxm churn --to CUT` scores (an event before CUT and no
`churn` event before it), so silent leavers who left before CUT count as
lost: they are gone, and the CRM does not know it.

Hazards (per week; state as of the week):
  base      h0 = 0.012, times exp(purchase term + experience term)
  experience term (worlds with `exp`): +1.2 when the latest NPS answer is
            0..6, +0.5 per complaint in the last 13 weeks, +0.7 per open
            contact, -0.6 when the latest answer is 9..10
  purchase term (worlds with `pur`): each customer also has a personal
            dropout propensity, mu multiplier ~ Gamma(0.6, 1/0.6)
            (Pareto/NBD-like heterogeneity the purchase history reveals)
  noise:    the hazard is the constant h0 for everyone; purchases, answers
            and complaints carry no information about leaving.

Experience is driven by a latent quality z ~ N(0, 1) per customer: NPS
answers are round(8.5 - 1.6 z + N(0, 1.2)) clipped to 0..10, complaints
come at 0.03 exp(0.9 z) a week, contacts at 0.02 a week and stay open with
probability 1 / (1 + exp(1 - z)).

References, computed here from the events before CUT and the latent truth
(never from cxm's output, but for `purchase`):
  purchase   cxm's own purchase model alone: the P(no purchase in the
             horizon) its JSON reports (the ranking of the `purchase`
             candidate), read from cxm's output
  p_alive    1 - P(alive) under a BG/NBD fitted here (scipy) to the
             purchase summaries in weeks (x, t_x, T)
  recency    weeks since the last purchase (since acquisition without any)
  logistic   a plain logistic regression fitted IN-SAMPLE on the true
             labels over observable features (recency, frequency, age,
             1 - P(alive), latest NPS detractor/promoter, complaints in the
             last 13 weeks, open contacts, weeks since any activity): an
             optimistic ceiling for any model fitted from observable data
  truth      the true probability: 1 for a customer gone before CUT, else
             1 - exp(-13 h(CUT)) with the state frozen at CUT

Metrics per ranking: AUC of `lost`, top-decile lift (rate of `lost` in the
riskiest tenth over the overall rate), and for cxm its calibration in the
large (mean predicted risk against the observed rate).

Usage:
  /usr/bin/python3 tools/churn_worlds.py CXM [--customers N] [--seed S]
                                         [--world NAME ...] [--json]
Needs numpy and scipy (python3-numpy, python3-scipy).
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
from scipy import optimize, special, stats

DAY = 86400
WEEK = 7 * DAY
START = 1672617600  # 2023-01-02
CUT = 1719792000    # 2024-07-01
HORIZON_DAYS = 90

WORLDS = {
    # name: (silent share, experience effect, purchase-driven dropout, noise)
    "contractual": (0.0, True, False, False),
    "silent-10": (0.1, True, False, False),
    "silent-20": (0.2, True, False, False),
    "silent-50": (0.5, True, False, False),
    "non-contractual": (1.0, True, False, False),
    "purchase-only-20": (0.2, False, True, False),
    "experience+purchase-20": (0.2, True, True, False),
    "noise": (0.0, False, False, True),
}


def iso(t):
    import time as _t
    return _t.strftime("%Y-%m-%dT%H:%M:%SZ", _t.gmtime(t))


def poisson(rng, lam):
    """A Poisson draw by Knuth's product of uniforms (lam is small here)."""
    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def simulate(world, n, seed):
    silent, exp_on, pur_on, noise = WORLDS[world]
    rng = random.Random(seed)
    events, truth = [], []
    weeks_total = (CUT + HORIZON_DAYS * DAY - START) // WEEK + 1
    for i in range(n):
        cid = "w%05d" % i
        acq = START + rng.randrange(0, (CUT - 35 * DAY - START) // DAY) * DAY + rng.randrange(0, DAY)
        lam = rng.gammavariate(1.2, 0.3 / 1.2)  # purchases a week, mean 0.3
        if noise:
            lam = rng.gammavariate(6.0, 1.0 / 6.0)  # mean 1 a week: lapses rare
        z = rng.gauss(0.0, 1.0)
        mu_mult = rng.gammavariate(0.6, 1.0 / 0.6) if pur_on else 1.0
        evs = [(acq, "purchase", "%.2f" % (10 + 40 * rng.random()), "")]
        nps_latest = None
        complaint_weeks = []
        open_contacts = 0
        dead_at = None
        h_at_cut = None
        t = acq
        contact_no = 0
        while t < CUT + HORIZON_DAYS * DAY:
            wk_end = t + WEEK
            # the state as of the start of this week sets this week's hazard
            recent = sum(1 for c in complaint_weeks if c > t - 13 * WEEK)
            h = 0.012 * mu_mult
            if exp_on:
                term = 0.0
                if nps_latest is not None and nps_latest <= 6:
                    term += 1.2
                if nps_latest is not None and nps_latest >= 9:
                    term -= 0.6
                term += 0.5 * recent + 0.7 * open_contacts
                h *= math.exp(term)
            if h_at_cut is None and wk_end > CUT:
                # frozen state at the cut-off (the week that holds it)
                h_at_cut = h
            if rng.random() < 1.0 - math.exp(-h):
                dead_at = t + rng.randrange(0, WEEK)
                break
            # this week's events
            k = poisson(rng, lam)
            for _ in range(k):
                evs.append((t + rng.randrange(0, WEEK), "purchase", "%.2f" % (10 + 40 * rng.random()), ""))
            if rng.random() < 1.0 / 8.0:
                score = int(round(8.5 - 1.6 * z + rng.gauss(0, 1.2)))
                score = max(0, min(10, score))
                evs.append((t + rng.randrange(0, WEEK), "nps", str(score), ""))
                nps_latest = score
            if rng.random() < 1.0 - math.exp(-0.03 * math.exp(0.9 * z)):
                evs.append((t + rng.randrange(0, WEEK), "complaint", "", ""))
                complaint_weeks.append(t)
            if rng.random() < 0.02:
                contact_no += 1
                ref = "%s-k%d" % (cid, contact_no)
                at = t + rng.randrange(0, WEEK - DAY)
                evs.append((at, "contact_open", "", ref))
                if rng.random() < 1.0 / (1.0 + math.exp(1.0 - z)):
                    open_contacts += 1
                else:
                    evs.append((at + 3600, "contact_reply", "", ref))
                    evs.append((at + 2 * DAY, "contact_resolve", "", ref))
            t = wk_end
        if dead_at is not None and rng.random() >= silent:
            evs.append((dead_at, "churn", "", ""))
        if noise:
            # in pure noise the leaving is unrelated to anything observed
            pass
        for e in evs:
            if e[0] < CUT:
                events.append((e[0], cid) + e[1:])
        lost = dead_at is not None and dead_at < CUT + HORIZON_DAYS * DAY
        sent_before = dead_at is not None and dead_at < CUT and any(e[1] == "churn" for e in evs)
        if h_at_cut is None:
            h_at_cut = 0.0
        true_p = 1.0 if (dead_at is not None and dead_at < CUT) else 1.0 - math.exp(-h_at_cut * HORIZON_DAYS / 7.0)
        truth.append({"customer": cid, "lost": int(lost), "true_p": true_p, "sent_churn_before_cut": sent_before,
                      "acq": acq})
    events.sort()
    return events, truth


def write_csv(path, events):
    with open(path, "w") as f:
        f.write("time,customer,kind,value,channel,ref\n")
        for t, cid, kind, value, ref in events:
            f.write("%s,%s,%s,%s,,%s\n" % (iso(t), cid, kind, value, ref))


def observables(events, truth):
    """Per customer: the features the references use, from events before CUT."""
    by = {r["customer"]: {"buys": set(), "last_any": None, "nps": None, "compl": 0, "open": {},
                          "first": None} for r in truth}
    for t, cid, kind, value, ref in events:
        c = by[cid]
        c["first"] = t if c["first"] is None else min(c["first"], t)
        c["last_any"] = t if c["last_any"] is None else max(c["last_any"], t)
        if kind == "purchase":
            c["buys"].add(t // DAY)
        elif kind == "nps":
            c["nps"] = int(value)
        elif kind == "complaint" and t >= CUT - 13 * WEEK:
            c["compl"] += 1
        elif kind == "contact_open":
            c["open"][ref] = 1
        elif kind == "contact_resolve":
            c["open"][ref] = 0
    return by


def bgnbd_fit(x, tx, T):
    def nll(lp):
        r, al, a, b = np.exp(lp)
        A1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(al)
        A2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
        A3 = -(r + x) * np.log(al + T)
        A4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(al + tx), -np.inf)
        return -np.sum(A1 + A2 + np.logaddexp(A3, A4))
    res = optimize.minimize(nll, np.log([0.5, 5.0, 0.8, 2.0]), method="Nelder-Mead",
                            options={"maxiter": 4000, "xatol": 1e-8, "fatol": 1e-8})
    return np.exp(res.x)


def bgnbd_p_alive(p, x, tx, T):
    r, al, a, b = p
    z = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * np.log((al + T) / (al + tx)),
                 -np.inf)
    return 1.0 / (1.0 + np.exp(z))


def auc(score, y):
    score = np.asarray(score, float)
    y = np.asarray(y, int)
    ranks = stats.rankdata(score)  # average ranks: ties count 1/2
    n1 = y.sum()
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def lift(score, y):
    score = np.asarray(score, float)
    y = np.asarray(y, int)
    k = max(1, len(y) // 10)
    order = np.lexsort((np.arange(len(y)), -score))
    return float(y[order[:k]].mean() / y.mean()) if y.mean() > 0 else float("nan")


def logistic_in_sample(X, y):
    X = np.column_stack([np.ones(len(y)), (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1)])
    beta = np.zeros(X.shape[1])
    for _ in range(50):
        eta = X @ beta
        p = 1 / (1 + np.exp(-eta))
        g = X.T @ (y - p) - 1e-6 * beta
        H = (X * (p * (1 - p))[:, None]).T @ X + 1e-6 * np.eye(X.shape[1])
        step = np.linalg.solve(H, g)
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return X @ beta


def run_world(cxm, world, n, seed, keep=None, extra=()):
    events, truth = simulate(world, n, seed)
    tmp = tempfile.mkdtemp(prefix="cxm-world-")
    path = os.path.join(tmp, "events.csv")
    write_csv(path, events)
    out = subprocess.run([cxm, "churn", "--json", "--to", iso(CUT)[:10], *extra, path], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("cxm churn failed on %s: %s" % (world, out.stderr))
    doc = json.loads(out.stdout)
    if keep:
        os.makedirs(keep, exist_ok=True)
        os.replace(path, os.path.join(keep, world + ".csv"))
    else:
        os.remove(path)
    os.rmdir(tmp)
    risk = {c["customer"]: c["risk"] for c in doc["customers"]}
    # cxm's own purchase model alone: its P(no purchase in the horizon), the
    # ranking of the `purchase` candidate (every simulated customer bought)
    p_none = {c["customer"]: c["p_no_purchase"] if c.get("p_no_purchase") is not None else 1.0
              for c in doc["customers"]}
    obs = observables(events, truth)
    rows = [r for r in truth if r["customer"] in risk]
    # every customer with an event before CUT and no churn event before it is scored
    expected = [r for r in truth if obs[r["customer"]]["first"] is not None and not r["sent_churn_before_cut"]]
    assert len(rows) == len(expected), (len(rows), len(expected))
    y = np.array([r["lost"] for r in rows])
    cut_day = CUT // DAY
    x = np.array([max(0, len(obs[r["customer"]]["buys"]) - 1) for r in rows], float)
    first_buy = np.array([min(obs[r["customer"]]["buys"]) if obs[r["customer"]]["buys"] else cut_day for r in rows])
    last_buy = np.array([max(obs[r["customer"]]["buys"]) if obs[r["customer"]]["buys"] else cut_day for r in rows])
    T = (cut_day - 1 - first_buy) / 7.0
    tx = (last_buy - first_buy) / 7.0
    ok = T > 0
    p = bgnbd_fit(x[ok], tx[ok], T[ok])
    pa = np.where(ok, bgnbd_p_alive(p, x, tx, np.maximum(T, 1e-9)), 1.0)
    recency = np.array([(cut_day - (max(obs[r["customer"]]["buys"]) if obs[r["customer"]]["buys"]
                                    else obs[r["customer"]]["first"] // DAY)) / 7.0 for r in rows])
    nps = [obs[r["customer"]]["nps"] for r in rows]
    X = np.column_stack([
        recency, x, T, 1 - pa,
        [1.0 if v is not None and v <= 6 else 0.0 for v in nps],
        [1.0 if v is not None and v >= 9 else 0.0 for v in nps],
        [obs[r["customer"]]["compl"] for r in rows],
        [sum(obs[r["customer"]]["open"].values()) for r in rows],
        [(CUT - obs[r["customer"]]["last_any"]) / WEEK for r in rows],
    ])
    cx = np.array([risk[r["customer"]] for r in rows])
    refs = {
        "cxm": cx,
        "purchase": np.array([p_none[r["customer"]] for r in rows]),
        "p_alive": 1 - pa,
        "recency": recency,
        "logistic": logistic_in_sample(X, y),
        "truth": np.array([r["true_p"] for r in rows]),
    }
    rm = doc.get("risk_model", {})
    result = {
        "world": world, "customers": len(rows), "lost": int(y.sum()), "seed": seed,
        "source": rm.get("source"),
        "auc": {k: auc(v, y) for k, v in refs.items()},
        "lift": {k: lift(v, y) for k, v in refs.items()},
        "mean_risk": float(cx.mean()), "lost_rate": float(y.mean()),
        "selection": rm.get("selection"),
    }
    return result


def run_cdnow(cxm, path, extra=()):
    """CDNOW sample (tests/data/cdnow/CDNOW_sample.txt): calibration
    1997-01-01 .. 1997-09-30, holdout 1997-10-01 .. 1998-06-30 (39 weeks
    each, as BTYD). Label: no repeat purchase in the holdout. AUC of
    1 - P(alive) (the command's own purchase fit, --to 1997-10-01) and of
    cxm churn's risk, over every customer (all first bought before the
    cut-off)."""
    cut = "1997-10-01"
    buys = {}
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            cid, day, amount = parts[0], parts[2], parts[4]
            t = "%s-%s-%sT12:00:00Z" % (day[:4], day[4:6], day[6:])
            rows.append((t, "c" + cid, amount))
            buys.setdefault("c" + cid, []).append(day)
    rows.sort()
    tmp = tempfile.mkdtemp(prefix="cxm-cdnow-")
    ev = os.path.join(tmp, "cdnow.csv")
    with open(ev, "w") as f:
        f.write("time,customer,kind,value,channel,ref\n")
        for t, cid, amount in rows:
            f.write("%s,%s,purchase,%s,,\n" % (t, cid, amount))
    out = subprocess.run([cxm, "churn", "--json", "--to", cut, *extra, ev], capture_output=True, text=True)
    os.remove(ev)
    os.rmdir(tmp)
    if out.returncode != 0:
        raise SystemExit("cxm churn failed on CDNOW: " + out.stderr)
    doc = json.loads(out.stdout)
    y = np.array([int(not any("19971001" <= d < "19980701" for d in buys[c["customer"]])) for c in doc["customers"]])
    risk = np.array([c["risk"] for c in doc["customers"]])
    pa = np.array([c["p_alive"] for c in doc["customers"]], float)
    p0 = np.array([c["p_no_purchase"] if c.get("p_no_purchase") is not None else float("nan")
                   for c in doc["customers"]], float)
    return {"customers": len(y), "no_repeat": int(y.sum()), "source": doc["risk_model"]["source"],
            "auc_p_alive": auc(1 - pa, y), "auc_p_no_purchase": auc(p0, y), "auc_cxm": auc(risk, y)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cxm")
    ap.add_argument("--customers", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--world", action="append")
    ap.add_argument("--keep", help="keep the events files in this directory")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cxm-arg", action="append", default=[], help="an extra argument for cxm churn")
    ap.add_argument("--cdnow", help="CDNOW_sample.txt: report the holdout AUCs instead of the worlds")
    a = ap.parse_args()
    if a.cdnow:
        json.dump(run_cdnow(a.cxm, a.cdnow, a.cxm_arg), sys.stdout, indent=1)
        print()
        return
    worlds = a.world or list(WORLDS)
    results = [run_world(a.cxm, w, a.customers, a.seed + list(WORLDS).index(w), a.keep, a.cxm_arg) for w in worlds]
    if a.json:
        json.dump(results, sys.stdout, indent=1)
        print()
        return
    print("| world | customers | lost | source | AUC cxm | purchase alone | 1-P(alive) | recency | in-sample logistic | "
          "truth | lift cxm | lift truth | mean risk / lost rate |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        A, L = r["auc"], r["lift"]
        print("| %s | %d | %d | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %.3f / %.3f |" % (
            r["world"], r["customers"], r["lost"], r["source"], A["cxm"], A["purchase"], A["p_alive"], A["recency"],
            A["logistic"], A["truth"], L["cxm"], L["truth"], r["mean_risk"], r["lost_rate"]))


if __name__ == "__main__":
    main()
