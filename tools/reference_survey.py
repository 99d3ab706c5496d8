#!/usr/bin/env python3
"""Independent reference values for the survey-metric tests.

Prints the literal values pasted into tests/test_stats.c, test_nps.c,
test_csat.c, test_ces.c and test_survey.c. Nothing here shares code with
the C library: the metric formulas are written the naive way the spec
states them (metrics.md "Survey metrics"), over exact rational counts
(fractions.Fraction), and evaluated in 50-digit arithmetic.

Distribution functions:
  * normal quantile / upper tail: scipy.stats.norm.ppf / norm.sf, checked
    against mpmath (erfinv / erfc) when it is installed;
  * Student t quantile: mpmath (regularised incomplete beta, Newton in 90
    digits) when installed; scipy.stats.t.ppf is printed beside it as a
    cross-check. scipy 1.10's t.ppf (CDFLIB's cdft) is accurate to only
    about 1e-10 relative, so the 1e-13 tests use the mpmath values; the
    script asserts that the two agree to 1e-9.

Usage: /usr/bin/python3 tools/reference_survey.py  (needs numpy, scipy;
mpmath for the t quantiles: Debian package python3-mpmath).
"""
import math
import sys
from fractions import Fraction

import numpy as np
from scipy import stats

try:
    import mpmath as mp
except ImportError:  # pragma: no cover
    mp = None

Z = Fraction(1959964, 1000000)  # metrics.md: z = 1.959964 exactly


def need_mp():
    if mp is None:
        sys.exit("mpmath is required (apt-get install python3-mpmath)")


def hp(x):
    """A Fraction or float as a 50-digit mpmath number."""
    need_mp()
    if isinstance(x, Fraction):
        return mp.mpf(x.numerator) / x.denominator
    return mp.mpf(x)


def lit(x):
    """A C double literal that reads back as the same double."""
    if isinstance(x, str):
        return x
    x = float(x)
    if math.isnan(x):
        return "NAN"
    return repr(x)  # the shortest decimal that reads back as the same double


# ---- distributions ---------------------------------------------------------

def t_tail(t, df):
    t, df = mp.mpf(t), mp.mpf(df)
    x = df / (df + t * t)
    return mp.betainc(df / 2, mp.mpf(1) / 2, 0, x, regularized=True) / 2


def t_pdf(t, df):
    t, df = mp.mpf(t), mp.mpf(df)
    return (mp.exp(mp.loggamma((df + 1) / 2) - mp.loggamma(df / 2)) / mp.sqrt(df * mp.pi)
            * (1 + t * t / df) ** (-(df + 1) / 2))


def t_quantile(p, df):
    """High-precision t quantile of the double p (taken exactly)."""
    need_mp()
    with mp.workdps(90):
        p = mp.mpf(p)
        q = p if p < 0.5 else 1 - p
        if df == 1:
            t = mp.cot(mp.pi * q)
        elif df == 2:
            u = 2 * q
            t = (1 - u) * mp.sqrt(2 / (u * (2 - u)))
        else:
            t = abs(mp.mpf(float(stats.t.ppf(float(q), df))))
            for _ in range(200):
                tail = t_tail(t, df)
                nt = t + (mp.log(tail) - mp.log(q)) * tail / t_pdf(t, df)
                if abs(nt - t) < abs(t) * mp.mpf(10) ** -40:
                    t = nt
                    break
                t = nt
            else:
                raise RuntimeError("no convergence at p=%r df=%r" % (p, df))
        return -t if p < 0.5 else t


def t975(df):
    """t(0.975, df) to double precision, cross-checked against scipy."""
    v = float(t_quantile(0.975, df))
    s = float(stats.t.ppf(0.975, df))
    assert abs(v - s) <= 1e-9 * abs(v), (df, v, s)
    return v


# ---- metrics, the naive way ------------------------------------------------

def nps(count):
    count = [Fraction(c) for c in count]
    n = sum(count)
    if n == 0:
        return None
    P, D = count[9] + count[10], sum(count[:7])
    pP, pD = P / n, D / n
    score = 100 * (pP - pD)
    se = 100 * mp.sqrt(hp((pP + pD - (pP - pD) ** 2) / n))
    n2 = n + 3
    P2, D2 = (P + Fraction(3, 4)) / n2, (D + Fraction(3, 4)) / n2
    centre = 100 * (P2 - D2)
    se2 = 100 * mp.sqrt(hp((P2 + D2 - (P2 - D2) ** 2) / n2))
    z = hp(Z)
    clip = lambda v: min(max(v, -100), 100)
    return dict(score=hp(score), se=se, lo=clip(hp(score) - z * se), hi=clip(hp(score) + z * se),
                alo=clip(hp(centre) - z * se2), ahi=clip(hp(centre) + z * se2))


def csat(count):
    count = [Fraction(c) for c in count]
    n = sum(count)
    if n == 0:
        return None
    s = count[3] + count[4]
    p = s / n
    mean = sum((v + 1) * c for v, c in enumerate(count)) / n
    z = hp(Z)
    # Wilson (1927), the textbook form.
    centre = (hp(p) + z * z / (2 * hp(n))) / (1 + z * z / hp(n))
    half = z / (1 + z * z / hp(n)) * mp.sqrt(hp(p * (1 - p) / n) + z * z / (4 * hp(n) ** 2))
    return dict(score=hp(100 * p), mean=hp(mean), lo=100 * max(centre - half, 0),
                hi=100 * min(centre + half, 1))


def ces(count):
    count = [Fraction(c) for c in count]
    n = sum(count)
    if n == 0:
        return None
    mean = sum((v + 1) * c for v, c in enumerate(count)) / n
    out = dict(mean=hp(mean), easy=hp(100 * sum(count[4:]) / n), hard=hp(100 * sum(count[:3]) / n))
    out["net"] = out["easy"] - out["hard"]
    if n >= 2:
        ss = sum(c * ((v + 1) - mean) ** 2 for v, c in enumerate(count))
        sd = mp.sqrt(hp(ss / (n - 1)))
        t = hp(t975(int(n - 1)))
        out.update(sd=sd, lo=hp(mean) - t * sd / mp.sqrt(hp(n)), hi=hp(mean) + t * sd / mp.sqrt(hp(n)))
        # numpy cross-check on the expanded answers (small n only).
        if n < 10000:
            data = np.repeat(np.arange(1, 8), [int(c) for c in count])
            assert abs(float(np.std(data, ddof=1)) - float(sd)) < 1e-12
    return out


def compare(r1, r2, se_of):
    d = r2["score"] - r1["score"]
    se = mp.sqrt(se_of(r1) ** 2 + se_of(r2) ** 2)
    if se == 0:
        return dict(first=r1["score"], second=r2["score"], diff=d, se=se, z=None, p=None)
    z = d / se
    p = mp.erfc(abs(z) / mp.sqrt(2))
    # scipy cross-check of the tail (z rounded to double first).
    s = 2 * stats.norm.sf(abs(float(z)))
    assert abs(float(p) - s) <= 1e-13 * (1 + float(z) ** 2) * float(p)
    return dict(first=r1["score"], second=r2["score"], diff=d, se=se, z=z, p=p)


def csat_se(count):
    count = [Fraction(c) for c in count]
    n = sum(count)
    p = (count[3] + count[4]) / n
    return 100 * mp.sqrt(hp(p * (1 - p) / n))


def show(title, d):
    print("  /* %s */" % title)
    for k, v in d.items():
        print("  %-7s %s" % (k, "NAN" if v is None else lit(v)))


def main():
    need_mp()
    mp.mp.dps = 50
    print("== normal quantile (scipy.stats.norm.ppf; mpmath check) ==")
    for p in [0.975, 0.995, 0.5, 0.3, 0.025, 1e-5, 1e-10, 1e-20, 1e-100, 1e-300,
              2.2250738585072014e-308, 5e-324, 1 - 1e-10]:
        s = float(stats.norm.ppf(p))
        m = float(-mp.sqrt(2) * mp.erfinv(1 - 2 * mp.mpf(p))) if p > 1e-300 else s
        assert abs(s - m) <= 4e-16 * abs(m) + 1e-300, (p, s, m)
        print("  {%s, %s}," % (lit(p), lit(s)))
    print("== two-sided p (mpmath erfc(|z| / sqrt 2); scipy 2 * norm.sf(|z|) in the comment) ==")
    for z in [0.0, 1.0, 1.959964, 3.0, 5.0, 10.0, 20.0, 37.0, -2.5]:
        m = mp.erfc(abs(mp.mpf(z)) / mp.sqrt(2))
        s = 2 * stats.norm.sf(abs(z))
        assert abs(float(m) - s) <= 1e-15 * (4 + z * z) * float(m)
        print("  {%s, %s}, /* scipy %s */" % (lit(z), lit(m), lit(s)))
    print("== t quantiles (mpmath; scipy t.ppf in the comment) ==")
    for df in [1, 2, 3, 5, 10, 30, 100, 1e6]:
        for p in [0.975, 0.995]:
            v = t_quantile(p, df)
            print("  {%s, %s, %s}, /* scipy %s */" % (lit(p), lit(df), lit(v), lit(stats.t.ppf(p, df))))
    print("== t quantiles, extra (mpmath) ==")
    for df, p in [(1.5, 0.9), (4, 1e-10), (7, 1e-100), (19, 0.6), (1000, 1e-30), (3e4, 0.975),
                  (1e5, 0.975), (3e6, 0.995), (1e9, 0.975), (5, 1e-300), (2, 1e-300), (1, 1e-300)]:
        print("  {%s, %s, %s}," % (lit(p), lit(df), lit(t_quantile(p, df))))
    print("== t cdf P(T <= t) (mpmath) ==")
    for df, t in [(1, -1.0), (3, -2.0), (10, 0.5), (30, -40.0), (1e6, -5.0), (1e6, -1.96), (2.5, -1e10)]:
        with mp.workdps(60):
            v = t_tail(-t, df) if t < 0 else 1 - t_tail(t, df)
        print("  {%s, %s, %s}," % (lit(t), lit(df), lit(v)))

    print("== NPS ==")
    nps_cases = {
        "cli.md shape: 50 promoters, 40 passives, 30 detractors": [0, 0, 0, 0, 0, 30, 0, 20, 20, 25, 25],
        "pi digits": [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5],
        "2 promoters, 1 passive, 2 detractors": [1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1],
        "one promoter": [0] * 10 + [1],
        "one detractor": [0] * 6 + [1] + [0] * 4,
        "one passive": [0] * 8 + [1] + [0] * 2,
        "ten promoters": [0] * 9 + [4, 6],
        "ten detractors": [10] + [0] * 10,
        "ten passives": [0] * 7 + [5, 5] + [0, 0],
        "huge: P = 2^62 + 1, D = 2^62": [2 ** 62] + [0] * 9 + [2 ** 62 + 1],
        "huge: 2^62 each of 0, 8, 10": [2 ** 62] + [0] * 7 + [2 ** 62, 0, 2 ** 62],
    }
    for k, c in nps_cases.items():
        show("%s %s" % (k, c), nps(c))
    print("== NPS compare (first = cli shape, second = pi digits) ==")
    show("compare", compare(nps(nps_cases["cli.md shape: 50 promoters, 40 passives, 30 detractors"]),
                            nps(nps_cases["pi digits"]), lambda r: r["se"]))
    show("compare ten detractors -> cli shape",
         compare(nps(nps_cases["ten detractors"]),
                 nps(nps_cases["cli.md shape: 50 promoters, 40 passives, 30 detractors"]), lambda r: r["se"]))

    print("== CSAT ==")
    csat_cases = {
        "70 of 90": [5, 5, 10, 40, 30],
        "all 5s (20)": [0, 0, 0, 0, 20],
        "all 1s (20)": [20, 0, 0, 0, 0],
        "one 4": [0, 0, 0, 1, 0],
        "one 3": [0, 0, 1, 0, 0],
        "second period": [10, 10, 10, 35, 35],
        "huge: 2^62 of 1, 2^62 + 3 of 5": [2 ** 62, 0, 0, 0, 2 ** 62 + 3],
    }
    for k, c in csat_cases.items():
        show("%s %s" % (k, c), csat(c))
    print("== CSAT compare ==")
    show("70 of 90 -> second period",
         compare(dict(score=csat(csat_cases["70 of 90"])["score"], c=csat_cases["70 of 90"]),
                 dict(score=csat(csat_cases["second period"])["score"], c=csat_cases["second period"]),
                 lambda r: csat_se(r["c"])))

    print("== CES ==")
    ces_cases = {
        "one 6": [0, 0, 0, 0, 0, 1, 0],
        "3 and 7": [0, 0, 1, 0, 0, 0, 1],
        "60 answers": [2, 3, 5, 10, 15, 15, 10],
        "all 7s (5)": [0, 0, 0, 0, 0, 0, 5],
        "huge: 2^62 of 4, one 5": [0, 0, 0, 2 ** 62, 1, 0, 0],
        "huge: 2^62 of 1, 2^62 of 7": [2 ** 62, 0, 0, 0, 0, 0, 2 ** 62],
    }
    for k, c in ces_cases.items():
        r = ces(c)
        show("%s %s" % (k, c), r)


if __name__ == "__main__":
    main()
