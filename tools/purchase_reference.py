#!/usr/bin/python3
"""Reference values for tests/test_purchase.c (purchase models), computed
independently of the C code with mpmath at 40 significant digits.

Usage: /usr/bin/python3 tools/purchase_reference.py [CDNOW_DIR]

Needs Debian's python3-mpmath (not needed by the tests themselves: the
printed values are pasted into the tests with a comment naming this file).

What is computed, and how:
- log-likelihoods on the CDNOW summary (btyd_cdnowSummary_cbs.csv, the
  unrounded weeks) at fixed parameters, summing the published per-customer
  formulas (FHL 2005 eq. 6; Batislam et al. 2007; Fader & Hardie 2005 note
  009 eq. 18-22 with mpmath.hyp2f1; Gamma-Gamma note 025 eq. 3);
- P(alive) and the conditional expectation from the same closed forms,
  with mpmath.hyp2f1, AND from their definitions by two-dimensional
  numerical integration over the mixing distributions (mpmath.quad), which
  checks the closed forms themselves (agreement to 12 digits, except BG/NBD
  with x = 0 where the 2D rule is off by 4e-6 and a 1D integral, printed
  too, agrees to 2e-8);
- P(X(t) = k): BG/NBD and MBG/NBD by summing the definition over p with
  mpmath.quad; Pareto/NBD from the 2F1 closed form of Fader & Hardie
  (2006, note 012), a different method from the C code's quadrature;
- E[X(t)] from FHL 2005 eq. 9 (mpmath.hyp2f1);
- 2F1 itself at a few points (mpmath.hyp2f1).
"""
import csv
import os
import sys

import mpmath as mp

mp.mp.dps = 40
G, LG, B, F = mp.gamma, mp.loggamma, mp.beta, mp.hyp2f1


def bg_ll1(p, x, tx, T, m):
    r, al, a, b = map(mp.mpf, p)
    x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    c = LG(r + x) - LG(r) + r * mp.log(al)
    t1 = B(a, b + x + m) / B(a, b) * (al + T) ** (-(r + x))
    t2 = B(a + 1, b + x + m - 1) / B(a, b) * (al + tx) ** (-(r + x)) if (x > 0 or m) else 0
    return c + mp.log(t1 + t2)


def pnbd_a0(p, x, tx, T):
    r, al, s, be = map(mp.mpf, p)
    A = r + s + x
    if al >= be:
        f = lambda y: F(A, s + 1, A + 1, (al - be) / (al + y)) / (al + y) ** A
    else:
        f = lambda y: F(A, r + x, A + 1, (be - al) / (be + y)) / (be + y) ** A
    return f(tx) - f(T)


def pnbd_ll1(p, x, tx, T):
    r, al, s, be = map(mp.mpf, p)
    x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    br = 1 / ((al + T) ** (r + x) * (be + T) ** s) + s / (r + s + x) * pnbd_a0(p, x, tx, T)
    return LG(r + x) - LG(r) + r * mp.log(al) + s * mp.log(be) + mp.log(br)


def gg_ll1(p, x, m):
    pp, q, v = map(mp.mpf, p)
    x, m = mp.mpf(x), mp.mpf(m)
    return (LG(pp * x + q) - LG(pp * x) - LG(q) + q * mp.log(v) + (pp * x - 1) * mp.log(m)
            + pp * x * mp.log(x) - (pp * x + q) * mp.log(v + x * m))


def bg_palive(p, x, tx, T, m):
    r, al, a, b = map(mp.mpf, p)
    if x == 0 and m == 0:
        return mp.mpf(1)
    return 1 / (1 + a / (b + x + m - 1) * ((al + T) / (al + tx)) ** (r + x))


def bg_expected(p, t, x, tx, T, m):
    r, al, a, b = map(mp.mpf, p)
    x, tx, T, t = mp.mpf(x), mp.mpf(tx), mp.mpf(T), mp.mpf(t)
    e = (a + b + x + m - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x)
                                          * F(r + x, b + x + m, a + b + x + m - 1, t / (al + T + t)))
    return e * bg_palive(p, x, tx, T, m)


def pnbd_palive(p, x, tx, T):
    r, al, s, be = map(mp.mpf, p)
    return 1 / (1 + s / (r + s + x) * (al + T) ** (r + x) * (be + T) ** s * pnbd_a0(p, x, tx, T))


def pnbd_expected(p, t, x, tx, T):
    r, al, s, be = map(mp.mpf, p)
    return ((r + x) * (be + T) / ((al + T) * (s - 1)) * (1 - ((be + T) / (be + T + t)) ** (s - 1))
            * pnbd_palive(p, x, tx, T))


# ---- definitions by integration (independent of the closed forms) ----------

def bg_by_integration(p, t, x, tx, T, m):
    """P(alive) and E[Y(t)] of BG/NBD (m = 0) or MBG/NBD (m = 1) from the
    model's definition: lambda ~ Gamma(r, alpha), p ~ Beta(a, b); alive
    after x + m survivals, E[Y(t) | alive, lambda, p] = (1 - e^(-lambda p t)) / p."""
    r, al, a, b = map(mp.mpf, p)

    def dens(lam, q):
        return (al ** r * lam ** (r - 1) * mp.e ** (-al * lam) / G(r)
                * q ** (a - 1) * (1 - q) ** (b - 1) / B(a, b))

    alive = lambda lam, q: (1 - q) ** (x + m) * lam ** x * mp.e ** (-lam * T)
    dead = lambda lam, q: ((1 - q) ** (x + m - 1) * q * lam ** x * mp.e ** (-lam * tx)) if (x > 0 or m) else 0
    box = [[0, 1, 10, mp.inf], [0, 0.5, 1]]
    la = mp.quad(lambda lam, q: alive(lam, q) * dens(lam, q), *box)
    ld = mp.quad(lambda lam, q: dead(lam, q) * dens(lam, q), *box)
    ly = mp.quad(lambda lam, q: alive(lam, q) * dens(lam, q) * (-mp.expm1(-lam * q * t)) / q, *box)
    return la / (la + ld), ly / (la + ld)


def pnbd_by_integration(p, t, x, tx, T):
    r, al, s, be = map(mp.mpf, p)

    def dens(lam, mu):
        return (al ** r * lam ** (r - 1) * mp.e ** (-al * lam) / G(r)
                * be ** s * mu ** (s - 1) * mp.e ** (-be * mu) / G(s))

    alive = lambda lam, mu: lam ** x * mp.e ** (-(lam + mu) * T)
    dead = lambda lam, mu: lam ** x * mu / (lam + mu) * (mp.e ** (-(lam + mu) * tx) - mp.e ** (-(lam + mu) * T))
    box = [[0, 1, 10, mp.inf], [0, 1, 10, mp.inf]]
    la = mp.quad(lambda l, u: alive(l, u) * dens(l, u), *box)
    ld = mp.quad(lambda l, u: dead(l, u) * dens(l, u), *box)
    ly = mp.quad(lambda l, u: alive(l, u) * dens(l, u) * l / u * (-mp.expm1(-u * t)), *box)
    return la / (la + ld), ly / (la + ld)


def bg_pmf_by_integration(p, t, k, m):
    """P(X(t) = k) from the definition: over p ~ Beta(a, b), the customer
    survives k + m flips and then (a) makes exactly k purchases in t (alive)
    or (b) dies at the next flip after at least k purchases; over lambda the
    Poisson counts become NBD(r, alpha / (alpha + t))."""
    r, al, a, b = map(mp.mpf, p)
    t = mp.mpf(t)
    nb = lambda j: G(r + j) / (G(r) * mp.factorial(j)) * (al / (al + t)) ** r * (t / (al + t)) ** j
    tail = 1 - mp.fsum(nb(j) for j in range(k))
    dq = lambda q: q ** (a - 1) * (1 - q) ** (b - 1) / B(a, b)
    alive = mp.quad(lambda q: (1 - q) ** (k + m) * dq(q), [0, 0.5, 1]) * nb(k)
    dead = mp.quad(lambda q: (1 - q) ** (k + m - 1) * q * dq(q), [0, 0.5, 1]) * tail if (k > 0 or m) else 0
    return alive + dead


def pnbd_pmf_closed(p, t, x):
    """Fader & Hardie (2006), "Deriving an Expression for P(X(t) = x) Under
    the Pareto/NBD Model", brucehardie.com/notes/012, eq. 9."""
    r, al, s, be = map(mp.mpf, p)
    t = mp.mpf(t)
    first = (G(r + x) / (G(r) * mp.factorial(x)) * (al / (al + t)) ** r * (t / (al + t)) ** x
             * (be / (be + t)) ** s)
    if al >= be:
        b1 = F(r + s, s + 1, r + s + x + 1, (al - be) / al) / al ** (r + s)
        b2 = lambda i: F(r + s + i, s + 1, r + s + x + 1, (al - be) / (al + t)) / (al + t) ** (r + s + i)
    else:
        b1 = F(r + s, r + x, r + s + x + 1, (be - al) / be) / be ** (r + s)
        b2 = lambda i: F(r + s + i, r + x, r + s + x + 1, (be - al) / (be + t)) / (be + t) ** (r + s + i)
    tail = mp.fsum(G(r + s + i) / (G(r + s) * mp.factorial(i)) * t ** i * b2(i) for i in range(x + 1))
    return first + al ** r * be ** s * B(r + x, s + 1) / B(r, s) * (b1 - tail)


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/cdnow"
    rows = list(csv.DictReader(open(os.path.join(data, "btyd_cdnowSummary_cbs.csv"))))
    cust = [(int(r["x"]), mp.mpf(r["t_x"]), mp.mpf(r["T_cal"]), mp.mpf(r["m_x"])) for r in rows]
    bg_btyd = ("0.2425982", "4.4136842", "0.7929899", "2.4261667")
    mbg_p = ("0.525", "6.183", "0.891", "1.614")
    pn_p = ("0.5533", "10.578", "0.6062", "11.668")
    gg_p = ("6.25", "3.74", "15.44")
    print("# log-likelihoods on btyd_cdnowSummary_cbs.csv")
    print("bgnbd  %s: %s" % (bg_btyd, mp.nstr(mp.fsum(bg_ll1(bg_btyd, x, tx, T, 0) for x, tx, T, _ in cust), 17)))
    print("mbgnbd %s: %s" % (mbg_p, mp.nstr(mp.fsum(bg_ll1(mbg_p, x, tx, T, 1) for x, tx, T, _ in cust), 17)))
    print("pnbd   %s: %s" % (pn_p, mp.nstr(mp.fsum(pnbd_ll1(pn_p, x, tx, T) for x, tx, T, _ in cust), 17)))
    print("gg     %s: %s" % (gg_p, mp.nstr(mp.fsum(gg_ll1(gg_p, x, m) for x, tx, T, m in cust if x > 0), 17)))
    print("# single customers: ll1")
    for c in [(0, 0, 38.86), (2, 30.43, 38.86), (2000, 30, 39)]:
        print(c, "bg", mp.nstr(bg_ll1(bg_btyd, *c, 0), 17), "mbg", mp.nstr(bg_ll1(mbg_p, *c, 1), 17),
              "pnbd", mp.nstr(pnbd_ll1(pn_p, *c), 17))
    print("# P(alive), E[Y(39)] by closed form")
    cases = [(0, 0, 38.86), (1, 1.71, 38.86), (2, 30.43, 38.86), (7, 35, 38), (30, 20, 39), (2000, 30, 39),
             (3, 0.5, 0.6)]
    for c in cases:
        print(c,
              "bg", mp.nstr(bg_palive(bg_btyd, *c, 0), 17), mp.nstr(bg_expected(bg_btyd, 39, *c, 0), 17),
              "mbg", mp.nstr(bg_palive(mbg_p, *c, 1), 17), mp.nstr(bg_expected(mbg_p, 39, *c, 1), 17),
              "pnbd", mp.nstr(pnbd_palive(pn_p, *c), 17), mp.nstr(pnbd_expected(pn_p, 39, *c), 17))
    print("# the same by integrating the definitions (checks the closed forms)")
    mp.mp.dps = 20
    for c in [(0, 0, 38.86), (2, 30.43, 38.86)]:
        print(c, "bg", [mp.nstr(v, 12) for v in bg_by_integration(bg_btyd, 39, *c, 0)],
              "mbg", [mp.nstr(v, 12) for v in bg_by_integration(mbg_p, 39, *c, 1)],
              "pnbd", [mp.nstr(v, 12) for v in pnbd_by_integration(pn_p, 39, *c)])
    # BG/NBD with x = 0: the 2D rule above is only good to ~4e-6 here (the
    # integrand is singular at p = 0 and lambda = 0 at once); with lambda
    # integrated analytically, the 1D integral over p is accurate:
    # E = int p^(a-2) (1-p)^(b-1) / B(a, b) (1 - (1 + p t/(al+T))^-r) dp.
    mp.mp.dps = 30
    r, al, a, b = map(mp.mpf, bg_btyd)
    u = 39 / (al + mp.mpf("38.86"))
    e1 = mp.quad(lambda q: q ** (a - 2) * (1 - q) ** (b - 1) / B(a, b) * -mp.expm1(-r * mp.log1p(q * u)),
                 [0, 1 / u, 0.5, 1])
    print("(0, 0, 38.86) bg E[Y(39)] by the 1D integral", mp.nstr(mp.re(e1), 12))
    mp.mp.dps = 40
    print("# P(X(t) = k), t = 39 and t = 200")
    for t in (39, 200):
        for k in (0, 1, 2, 5, 20):
            print(t, k, "bg", mp.nstr(bg_pmf_by_integration(bg_btyd, t, k, 0), 17),
                  "mbg", mp.nstr(bg_pmf_by_integration(mbg_p, t, k, 1), 17),
                  "pnbd", mp.nstr(pnbd_pmf_closed(pn_p, t, k), 17))
    print("# E[X(t)]")
    for t in (1, 39, 78, 1000):
        print(t, "bg", mp.nstr(bg_expected(bg_btyd, t, 0, 0, 0, 0), 17),
              "mbg", mp.nstr(bg_expected(mbg_p, t, 0, 0, 0, 1), 17),
              "pnbd", mp.nstr(pnbd_expected(pn_p, t, 0, 0, 0), 17))
    print("# long horizons and an extreme alpha / beta")
    for t in (1e5, 1e9):
        print(t, "bg", mp.nstr(bg_expected(bg_btyd, t, 2, mp.mpf("30.43"), mp.mpf("38.86"), 0), 17),
              "mbg", mp.nstr(bg_expected(mbg_p, t, 2, mp.mpf("30.43"), mp.mpf("38.86"), 1), 17),
              "pnbd", mp.nstr(pnbd_expected(pn_p, t, 2, mp.mpf("30.43"), mp.mpf("38.86")), 17))
    ext = ("0.5", "0.001", "0.7", "100")
    print("pnbd", ext, "x=2 t_x=0.01 T=38.86: p_alive",
          mp.nstr(pnbd_palive(ext, 2, mp.mpf("0.01"), mp.mpf("38.86")), 17),
          "ll", mp.nstr(pnbd_ll1(ext, 2, mp.mpf("0.01"), mp.mpf("38.86")), 17))
    print("# gg expected spend")
    for x, m in [(0, 0), (1, 11.77), (2, 22.345), (50, 100)]:
        pp, q, v = map(mp.mpf, gg_p)
        print(x, m, mp.nstr(pp * (v + x * m) / (pp * x + q - 1), 17))
    print("# 2F1")
    for a, b, c, z in [(1, 1, 2, 0.5), (0.5, 2.5, 1.5, 0.9), (0.8, 1.6, 2.9, -3), (2001.2, 2002.4, 2002.2, 0.4),
                       (0.25, 2.4, 2.2, 0.999), (1.55, 1.6, 2.55, 0.99), (3.5, 1.2, 4.5, -0.3)]:
        print((a, b, c, z), mp.nstr(F(a, b, c, z), 17) if abs(F(a, b, c, z)) < mp.mpf(10) ** 300
              else "ln " + mp.nstr(mp.log(F(a, b, c, z)), 17))
    for b in ("1.3", "1.1", "0.7", "1.001", "1.0001", "0.99"):
        print((1, b, 2, 0.98), mp.nstr(F(1, mp.mpf(b), 2, mp.mpf("0.98")), 17))
    print((0.25, 2.4, 2.2, "1 - 1e-7"), mp.nstr(F(0.25, 2.4, 2.2, 1 - mp.mpf("1e-7")), 17))
    print((2.5, 1.5, 3.5, "1 - 1e-12"), mp.nstr(F(2.5, 1.5, 3.5, 1 - mp.mpf("1e-12")), 17))



def holdout(data):
    """Sum over the CDNOW customers of E[Y(39) | x, t_x, T] (closed forms
    above) at the fixed parameters, and the number of distinct triples."""
    rows = list(csv.DictReader(open(os.path.join(data, "btyd_cdnowSummary_cbs.csv"))))
    cust = [(int(r["x"]), mp.mpf(r["t_x"]), mp.mpf(r["T_cal"])) for r in rows]
    print("distinct triples", len(set((r["x"], r["t_x"], r["T_cal"]) for r in rows)))
    bg_btyd = ("0.2425982", "4.4136842", "0.7929899", "2.4261667")
    pn_p = ("0.5533", "10.578", "0.6062", "11.668")
    bins = {}
    for x, tx, T in cust:
        e = bg_expected(bg_btyd, 39, x, tx, T, 0)
        bins.setdefault(min(x, 7), []).append(e)
    print("bg holdout total", mp.nstr(mp.fsum(mp.fsum(v) for v in bins.values()), 17))
    print("bg holdout bin means", [mp.nstr(mp.fsum(bins[k]) / len(bins[k]), 17) for k in sorted(bins)])
    print("pnbd holdout total", mp.nstr(mp.fsum(pnbd_expected(pn_p, 39, x, tx, T) for x, tx, T in cust), 17))


if __name__ == "__main__":
    main()
    holdout(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/cdnow")
