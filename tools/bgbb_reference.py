#!/usr/bin/python3
"""Reference values for the BG/BB tests (tests/test_bgbb.c), computed
independently of the C code.

Usage: /usr/bin/python3 tools/bgbb_reference.py [DONATIONS_CSV [CDNOW_SUMMARY_CSV]]

Needs numpy, scipy and mpmath (Debian's python3-scipy, python3-mpmath); the
tests do not: the printed values are pasted into them with a comment
naming this file.

What is computed, and how:
- the maximum-likelihood fit on the donations data (tests/data/cdnow/
  donations.csv, 11,104 donors, 6 opportunities) by scipy's Nelder-Mead and
  then BFGS on the log-likelihood of Fader, Hardie & Shang (2010) eq. 5
  written with scipy.special.betaln, row by row with the weights; the
  log-likelihood at the estimates again with mpmath (40 digits);
- P(alive at n + 1) (FHS eq. 11), the conditional expectation over the
  next n* opportunities (FHS eq. 13, the Gamma-function form lifetimes
  uses) and P(X(n) = k) (FHS eq. 7), literally, with mpmath;
- the conditional distribution of the count in the next n* opportunities by
  brute force: the joint probability of the history and k future
  transactions summed over the number j of opportunities the customer is
  alive for (theta (1-theta)^j for j < n + n*, (1-theta)^(n+n*) beyond),
  each a product of beta-function means, divided by the likelihood. The C
  code instead uses the posterior-parameter shortcut, so this checks it;
  the sum over k of k P(k) is printed next to eq. 13;
- the penalised fit (lifetimes' objective -sum(w ll)/sum(w) + c sum(p^2))
  with c = 0.01, by scipy; and, given the CDNOW summary
  (tests/data/cdnow/cdnow_customers_summary.csv), the penalised BG/NBD fit
  with c = 0.01 on its weeks (cxm's objective) and as lifetimes 0.11 makes
  it (times divided by the largest T before fitting, alpha scaled back),
  which differ: the penalty acts on alpha in the scaled unit.
"""
import csv
import os
import sys

import mpmath as mp
import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln

mp.mp.dps = 40


def load(path):
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            rows.append((int(r["frequency"]), int(r["recency"]), int(r["periods"]), int(r["weights"])))
    return rows


def ll_row(p, x, tx, n):
    al, be, ga, de = p
    a = betaln(al + x, be + n - x) - betaln(al, be) + betaln(ga, de + n) - betaln(ga, de)
    terms = [a]
    for i in range(n - tx):
        terms.append(betaln(al + x, be + tx - x + i) - betaln(al, be) + betaln(ga + 1, de + tx + i) - betaln(ga, de))
    return np.logaddexp.reduce(terms)


def objective(theta, rows, c=0.0):
    p = np.exp(theta)
    tot = sum(w for *_, w in rows)
    return -sum(w * ll_row(p, x, tx, n) for x, tx, n, w in rows) / tot + c * np.sum(p ** 2)


def fit(rows, c=0.0):
    r = minimize(objective, np.zeros(4), args=(rows, c), method="Nelder-Mead",
                 options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000, "maxfev": 40000})
    r = minimize(objective, r.x, args=(rows, c), method="BFGS", options={"gtol": 1e-11})
    return np.exp(r.x)


def mp_L(p, x, tx, n):
    al, be, ga, de = map(mp.mpf, p)
    B = mp.beta
    v = B(al + x, be + n - x) / B(al, be) * B(ga, de + n) / B(ga, de)
    for i in range(n - tx):
        v += B(al + x, be + tx - x + i) / B(al, be) * B(ga + 1, de + tx + i) / B(ga, de)
    return v


def p_alive_next(p, x, tx, n):  # FHS eq. 11
    al, be, ga, de = map(mp.mpf, p)
    B = mp.beta
    return B(al + x, be + n - x) / B(al, be) * B(ga, de + n + 1) / B(ga, de) / mp_L(p, x, tx, n)


def expected_eq13(p, ns, x, tx, n):
    al, be, ga, de = map(mp.mpf, p)
    G = mp.gamma
    return (1 / mp_L(p, x, tx, n) * mp.beta(al + x + 1, be + n - x) / mp.beta(al, be) * de / (ga - 1)
            * G(ga + de) / G(1 + de) * (G(1 + de + n) / G(ga + de + n) - G(1 + de + n + ns) / G(ga + de + n + ns)))


def pmf_eq7(p, n, k):
    al, be, ga, de = map(mp.mpf, p)
    B = mp.beta
    v = mp.binomial(n, k) * B(al + k, be + n - k) / B(al, be) * B(ga, de + n) / B(ga, de)
    for i in range(k, n):
        v += mp.binomial(i, k) * B(al + k, be + i - k) / B(al, be) * B(ga + 1, de + i) / B(ga, de)
    return v


def cond_pmf_brute(p, ns, k, x, tx, n):
    """P(k in n+1..n+ns | x, tx, n) by summing over the alive count j."""
    al, be, ga, de = map(mp.mpf, p)
    B = mp.beta
    total = mp.mpf(0)
    # alive for j opportunities, j = tx..n+ns-1 (died before j+1), or >= n+ns
    for j in list(range(tx, n + ns)) + ["all"]:
        if j == "all":
            wt = B(ga, de + n + ns) / B(ga, de)
            alive_future = ns
            alive_hist = n
        else:
            wt = B(ga + 1, de + j) / B(ga, de)
            alive_hist = min(j, n)
            alive_future = max(0, j - n)
        if alive_future < k:
            continue
        # history: x successes in alive_hist (last at tx <= alive_hist); future: k of alive_future
        total += wt * mp.binomial(alive_future, k) * B(al + x + k, be + alive_hist - x + alive_future - k) / B(al, be)
    return total / mp_L(p, x, tx, n)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "data",
                                                                 "cdnow", "donations.csv")
    rows = load(path)
    est = fit(rows)
    print("fit", " ".join("%.9g" % v for v in est))
    tot = sum(w for *_, w in rows)
    print("customers", tot)
    print("loglik(mp, at fit) %.15g" % float(sum(w * mp.log(mp_L(est, x, tx, n)) for x, tx, n, w in rows)))
    pub = (1.204, 0.750, 0.657, 2.783)
    print("loglik(mp, published) %.15g" % float(sum(w * mp.log(mp_L(pub, x, tx, n)) for x, tx, n, w in rows)))
    for h in [(0, 0, 6), (1, 1, 6), (3, 5, 6), (6, 6, 6), (2, 4, 6)]:
        print("p_alive_next%s %.17g" % (h, float(p_alive_next(pub, *h))))
        for ns in (1, 5, 10):
            e = expected_eq13(pub, ns, *h)
            bk = sum(k * cond_pmf_brute(pub, ns, k, *h) for k in range(ns + 1))
            print("  expected n*=%d %.17g  (sum k P(k): %.17g)" % (ns, float(e), float(bk)))
        for k in range(0, 6):
            print("  cond_pmf n*=5 k=%d %.17g" % (k, float(cond_pmf_brute(pub, 5, k, *h))))
    for k in range(0, 7):
        print("pmf n=6 k=%d %.17g" % (k, float(pmf_eq7(pub, 6, k))))
    # the brute force at n = 0 (a customer just acquired) against eq. 7
    print("brute n=0 n*=6 k=2 %.17g" % float(cond_pmf_brute(pub, 6, 2, 0, 0, 0)))
    pen = fit(rows, 0.01)
    print("penalised c=0.01", " ".join("%.9g" % v for v in pen))
    if len(sys.argv) > 2:
        own, lt = bgnbd_penalised(sys.argv[2], 0.01)
        print("bgnbd penalised c=0.01, cxm objective:", " ".join("%.9g" % v for v in own))
        print("bgnbd penalised c=0.01, lifetimes 0.11 (T scaled to 1):", " ".join("%.9g" % v for v in lt))



def bgnbd_penalised(path, c):
    """BG/NBD on a CDNOW summary (frequency, recency, T) with the L2 penalty:
    cxm's objective (times as in the file) and lifetimes 0.11's procedure
    (times divided by max T, penalised there, alpha scaled back)."""
    from scipy.special import gammaln
    import pandas as pd
    d = pd.read_csv(path)
    x, tx, T = d["frequency"].values, d["recency"].values, d["T"].values

    def nll(theta, scale):
        r, al, a, b = np.exp(theta)
        t_x, tt = tx * scale, T * scale
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(al)
        a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)  # FHL 2005 eq. 6
        a3 = -(r + x) * np.log(al + tt)
        a4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(al + t_x)
        ll = a1 + a2 + np.logaddexp(a3, np.where(x > 0, a4, -np.inf))
        return -ll.mean() + c * np.sum(np.exp(theta) ** 2)

    out = []
    for scale in (1.0, 1.0 / T.max()):
        # from several starts (Nelder-Mead can stall on this surface); the best
        best = None
        for st in ([0.0, 0.0, 0.0, 0.0], [np.log(0.24), np.log(4.4 * scale), np.log(0.79), np.log(2.4)]):
            r = minimize(nll, np.array(st), args=(scale,), method="L-BFGS-B",
                         options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000})
            r = minimize(nll, r.x, args=(scale,), method="Nelder-Mead",
                         options={"xatol": 1e-12, "fatol": 1e-16, "maxiter": 40000, "maxfev": 80000})
            best = r if best is None or r.fun < best.fun else best
        r = best
        p = np.exp(r.x)
        p[1] /= scale
        out.append(p)
    return out


if __name__ == "__main__":
    main()
