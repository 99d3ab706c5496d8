#!/usr/bin/python3
"""Reference values for the tracking series (cxm_model_tracking; tests in
tests/test_cdnow.c): BG/NBD's expected cumulative repeat transactions of the
2,357 CDNOW sample customers per week, weeks 1..78, as R BTYD's
bgnbd.ExpectedCumulativeTransactions(params, T.cal, 78, 78) computes them,
written here independently with mpmath (40 digits).

Usage: /usr/bin/python3 tools/tracking_reference.py [CBS_CSV [TRACKING_CSV]]

- Parameters: the published CDNOW fit (Fader, Hardie & Lee 2005):
  r = 0.243, alpha = 4.414, a = 0.793, b = 2.426.
- Births: BTYD's max(T.cal) - T.cal, from T_cal of
  tests/data/cdnow/btyd_cdnowSummary_cbs.csv (weeks from 1997-01-01, the
  earliest first purchase, to each customer's first purchase).
- E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]
  (FHL 2005 eq. 9), mpmath.hyp2f1.
- Week j sums E[X(j - b_i)] over the customers with b_i <= j (a customer
  born at j adds E[X(0)] = 0).
The actual series (BTYD's cdnowSummary$cu.tracking, the tracking CSV) is
printed beside the expected one.
"""
import csv
import os
import sys

import mpmath as mp

mp.mp.dps = 40


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    cbs = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "tests", "data", "cdnow",
                                                            "btyd_cdnowSummary_cbs.csv")
    track = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "tests", "data", "cdnow",
                                                              "btyd_cdnowSummary_cu_tracking.csv")
    with open(cbs) as f:
        tcal = [mp.mpf(r["T_cal"]) for r in csv.DictReader(f)]
    actual = []
    if os.path.exists(track):
        with open(track) as f:
            actual = [int(r["cum_repeat_transactions"]) for r in csv.DictReader(f)]
    r, al, a, b = map(mp.mpf, ("0.243", "4.414", "0.793", "2.426"))

    def ex(t):
        if t <= 0:
            return mp.mpf(0)
        return (a + b - 1) / (a - 1) * (1 - (al / (al + t)) ** r * mp.hyp2f1(r, b, a + b - 1, t / (al + t)))

    births = {}
    top = max(tcal)
    for t in tcal:
        births[top - t] = births.get(top - t, 0) + 1
    print("customers %d, distinct births %d" % (len(tcal), len(births)))
    for j in range(1, 79):
        e = sum(n * ex(j - bb) for bb, n in births.items() if bb <= j)
        print("week %d expected %.17g actual %s" % (j, float(e), actual[j - 1] if actual else "-"))


if __name__ == "__main__":
    main()
