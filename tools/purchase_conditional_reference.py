#!/usr/bin/python3
"""Reference values for tests/test_purchase_conditional.c: the conditional
distribution P(k purchases in (T, T + t] | x, t_x, T) of BG/NBD, MBG/NBD and
Pareto/NBD, computed independently of the C code with mpmath (40 digits).

Usage: /usr/bin/python3 tools/purchase_conditional_reference.py

Needs Debian's python3-mpmath; the tests do not (the printed values are
pasted into them with a comment naming this file).

How:
- BG/NBD and MBG/NBD from the definitions, without the posterior-parameter
  shortcut the C code takes: the joint probability of the history and of k
  future purchases given (lambda, p), integrated over the prior, divided by
  the likelihood. Given lambda and p, the history has probability
  (1-p)^(x+m) lambda^x e^(-lambda T) with the customer alive at T and
  p (1-p)^(x+m-1) lambda^x e^(-lambda t_x) with the customer dead after the
  last purchase (m = 0 for BG/NBD, 1 for MBG/NBD; the second only when
  x + m > 0). Alive, the count in t is k with probability
  (1-p)^k Pois(k; lambda t) + [k > 0] p (1-p)^(k-1) P(Pois(lambda t) >= k).
  The p-integrals are beta functions; the lambda-integral is mpmath.quad
  over the Gamma(r, alpha) prior.
- Pareto/NBD by the closed form of Fader & Hardie's note 028 ("Deriving
  the conditional PMF of the Pareto/NBD model", eq. 16, with 2F1 by
  mpmath.hyp2f1; the same form lifetimes' ParetoNBDFitter implements),
  where the C code integrates over the lifetime by Gauss-Legendre.
Parameters: the published CDNOW fits, BG/NBD as R BTYD prints it and
Pareto/NBD as in tests/test_purchase.c (PN).
"""
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from purchase_reference import pnbd_ll1  # noqa: E402  (the full Pareto/NBD log-likelihood)

mp.mp.dps = 40
B, LG = mp.beta, mp.loggamma


def pois(k, mu):
    return mp.exp(-mu + k * mp.log(mu) - LG(k + 1)) if mu > 0 else (1 if k == 0 else 0)


def pois_tail(k, mu):  # P(N >= k)
    return 1 - sum(pois(j, mu) for j in range(k))


def bg_cond(p, t, k, x, tx, T, m):
    r, al, a, b = map(mp.mpf, p)
    x, tx, T, t = int(x), mp.mpf(tx), mp.mpf(T), mp.mpf(t)
    prior = lambda lam: mp.exp(r * mp.log(al) + (r - 1) * mp.log(lam) - al * lam - LG(r))

    def joint(lam):
        alive = B(a, b + x + m + k) / B(a, b) * pois(k, lam * t)
        if k > 0:
            alive += B(a + 1, b + x + m + k - 1) / B(a, b) * pois_tail(k, lam * t)
        v = alive * lam ** x * mp.exp(-lam * T)
        if k == 0 and x + m > 0:
            v += B(a + 1, b + x + m - 1) / B(a, b) * lam ** x * mp.exp(-lam * tx)
        return prior(lam) * v

    def like(lam):
        v = B(a, b + x + m) / B(a, b) * lam ** x * mp.exp(-lam * T)
        if x + m > 0:
            v += B(a + 1, b + x + m - 1) / B(a, b) * lam ** x * mp.exp(-lam * tx)
        return prior(lam) * v

    pts = [0, mp.mpf("1e-6"), mp.mpf("1e-3"), mp.mpf("0.1"), 1, 10, mp.inf]
    return mp.quad(joint, pts) / mp.quad(like, pts)


def pnbd_cond(p, t, n, x, tx, T):
    """note 028 eq. 16"""
    r, al, s, be = map(mp.mpf, p)
    x, tx, T, t = mp.mpf(x), mp.mpf(tx), mp.mpf(T), mp.mpf(t)
    ll = pnbd_ll1(p, x, tx, T)
    L = mp.exp(ll)
    if al < be:
        mn, mx, pp = al, be, r + x + n
    else:
        mn, mx, pp = be, al, s + 1
    d = mx - mn
    pre = mp.exp(r * mp.log(al) + s * mp.log(be) - LG(r))
    p_alive = mp.exp(LG(r + x) + r * mp.log(al) + s * mp.log(be) - LG(r) - (r + x) * mp.log(al + T)
                     - s * mp.log(be + T)) / L
    zeroth = (1 - p_alive) if n == 0 else 0
    first = t ** n / mp.factorial(n) * mp.exp(LG(r + x + n) + r * mp.log(al) + s * mp.log(be) - LG(r)
                                               - (r + x + n) * mp.log(al + T + t) - s * mp.log(be + T + t)) / L
    second = pre * mp.exp(LG(r + s + x) - LG(s)) * B(r + x + n, s + 1) * mp.hyp2f1(
        r + s + x, pp, r + s + x + n + 1, d / (mx + T)) / (mx + T) ** (r + s + x) / L
    third = 0
    for i in range(n + 1):
        third += t ** i / mp.factorial(i) * pre * mp.exp(LG(r + s + x + i) - LG(s)) * B(r + x + n, s + 1) * \
            mp.hyp2f1(r + s + x + i, pp, r + s + x + n + 1, d / (mx + T + t)) / (mx + T + t) ** (r + s + x + i) / L
    return zeroth + first + second - third


def main():
    bg = ("0.2425982", "4.4136842", "0.7929899", "2.4261667")
    pn = ("0.5533", "10.578", "0.6062", "11.668")
    hist = [(0, 0, 38.86), (2, 30.43, 38.86), (7, 35.0, 38.0), (1, 2.0, 30.0)]
    for t in (39, 10):
        for h in hist:
            for name, f in (("bgnbd", lambda k: bg_cond(bg, t, k, *h, 0)),
                            ("mbgnbd", lambda k: bg_cond(bg, t, k, *h, 1)),
                            ("pnbd", lambda k: pnbd_cond(pn, t, k, *h))):
                vals = [f(k) for k in range(6)]
                print("%s t=%g h=%s: {%s}" % (name, t, h, ", ".join("%.17g" % float(v) for v in vals)))


if __name__ == "__main__":
    main()
