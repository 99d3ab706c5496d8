#!/usr/bin/env python3
"""Independent reference values of P(no purchase in (T, T + t] | x, t_x, T)
for BG/NBD, MBG/NBD and Pareto/NBD (tests/test_purchase_horizon.c).

Not the closed forms of src/purchase/purchase_horizon.c: each value is a ratio of two
double integrals over the individual-level parameters, taken by mpmath,

    P0 = E[ P(data, no purchase in the window | params) ] / E[ P(data | params) ]

with the expectation over the mixing distributions (lambda ~ Gamma(r, alpha),
p ~ Beta(a, b) or mu ~ Gamma(s, beta)), and the individual-level
probabilities written from the models' story:

  BG/NBD   alive: (1-p)^x lam^x e^{-lam T}, then no purchase: e^{-lam t}
           dead (x >= 1): p (1-p)^{x-1} lam^x e^{-lam t_x}
  MBG/NBD  alive: (1-p)^{x+1} lam^x e^{-lam T}, then e^{-lam t}
           dead: p (1-p)^x lam^x e^{-lam t_x} (also at x = 0: drop at birth)
  Pareto/NBD alive: lam^x e^{-(lam+mu) T}, then
           1 - lam/(lam+mu) (1 - e^{-(lam+mu) t})
           dead: lam^x mu/(lam+mu) (e^{-(lam+mu) t_x} - e^{-(lam+mu) T})

(constants common to both integrals, lam^x and the Gamma normalisers, cancel
but are kept for clarity). The integrals are taken by scipy's dblquad
(adaptive Gauss-Kronrod, relative tolerance 1e-11) over lambda in [0, inf)
cut at 0.5, 2 and 10 and p in [0, 1] (or mu in [0, inf) cut likewise);
mpmath gives the same values to 1e-9 but takes minutes per case. Prints a C
table. Needs python3-scipy.
Usage: python3 tools/purchase_horizon_reference.py
"""
import math

from scipy import integrate, special

CASES = [
    # kind, params, t, x, t_x, T
    ("BGNBD", (0.243, 4.414, 0.793, 2.426), 13.0, 2, 30.43, 38.86),
    ("BGNBD", (0.243, 4.414, 0.793, 2.426), 13.0, 0, 0.0, 38.86),
    ("BGNBD", (0.243, 4.414, 0.793, 2.426), 52.0, 7, 35.0, 36.0),
    ("BGNBD", (0.243, 4.414, 0.793, 2.426), 4.0, 0, 0.0, 0.0),
    ("MBGNBD", (0.525, 6.183, 0.891, 1.614), 13.0, 2, 30.43, 38.86),
    ("MBGNBD", (0.525, 6.183, 0.891, 1.614), 13.0, 0, 0.0, 38.86),
    ("MBGNBD", (0.525, 6.183, 0.891, 1.614), 26.0, 5, 10.0, 40.0),
    ("MBGNBD", (0.525, 6.183, 0.891, 1.614), 4.0, 0, 0.0, 0.0),
    ("PNBD", (0.553, 10.58, 0.606, 11.67), 13.0, 2, 30.43, 38.86),
    ("PNBD", (0.553, 10.58, 0.606, 11.67), 13.0, 0, 0.0, 38.86),
    ("PNBD", (0.553, 10.58, 0.606, 11.67), 39.0, 6, 20.0, 39.0),
    ("PNBD", (2.0, 3.0, 5.0, 2.0), 2.0, 1, 0.5, 1.0),
    ("PNBD", (0.553, 10.58, 0.606, 11.67), 4.0, 0, 0.0, 0.0),
]


def gamma_pdf(v, shape, rate):
    if v <= 0:
        return 0.0
    return math.exp(shape * math.log(rate) + (shape - 1) * math.log(v) - rate * v - special.gammaln(shape))


def beta_pdf(v, a, b):
    if v <= 0 or v >= 1:
        return 0.0
    return math.exp((a - 1) * math.log(v) + (b - 1) * math.log1p(-v) - special.betaln(a, b))


CUTS = [0.0, 0.05, 0.5, 2.0, 10.0, 60.0]


def quad2(f, inner):
    """sum over panels of lambda (outer) and of the inner variable."""
    total = 0.0
    for lo, hi in zip(CUTS[:-1], CUTS[1:]):
        for ilo, ihi in inner:
            v, _ = integrate.dblquad(lambda u, lam: f(lam, u), lo, hi, ilo, ihi, epsabs=0, epsrel=1e-11)
            total += v
    return total


def reference(kind, prm, t, x, tx, T):
    if kind in ("BGNBD", "MBGNBD"):
        r, al, a, b = prm
        m = 1 if kind == "MBGNBD" else 0

        def parts(lam, p, which):
            alive = (1 - p) ** (x + m) * lam ** x * math.exp(-lam * T)
            dead = 0.0
            if x > 0 or m == 1:
                dead = p * (1 - p) ** (x + m - 1) * lam ** x * math.exp(-lam * tx)
            w = gamma_pdf(lam, r, al) * beta_pdf(p, a, b)
            return w * (alive + dead) if which == 0 else w * (alive * math.exp(-lam * t) + dead)

        inner = [(0.0, 0.5), (0.5, 1.0)]
        return quad2(lambda l, p: parts(l, p, 1), inner) / quad2(lambda l, p: parts(l, p, 0), inner)
    r, al, s, be = prm

    def parts(lam, mu, which):
        k = lam + mu
        if k <= 0:
            return 0.0
        alive = lam ** x * math.exp(-k * T)
        dead = lam ** x * mu / k * (math.exp(-k * tx) - math.exp(-k * T))
        w = gamma_pdf(lam, r, al) * gamma_pdf(mu, s, be)
        if which == 0:
            return w * (alive + dead)
        return w * (alive * (1 - lam / k * -math.expm1(-k * t)) + dead)

    inner = list(zip(CUTS[:-1], CUTS[1:]))
    return quad2(lambda l, u: parts(l, u, 1), inner) / quad2(lambda l, u: parts(l, u, 0), inner)


def main():
    print("/* kind, r, alpha, a|s, b|beta, t, x, t_x, T, P(no purchase): tools/purchase_horizon_reference.py */")
    for kind, prm, t, x, tx, T in CASES:
        v = reference(kind, prm, t, x, tx, T)
        print("    {CXM_MODEL_%s, {%r, %r, %r, %r}, %r, %d, %r, %r, %s}," % (kind, *prm, t, x, tx, T, repr(v)))


if __name__ == "__main__":
    main()
