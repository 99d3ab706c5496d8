#!/usr/bin/python3
"""Reference table for the BG/NBD and MBG/NBD conditional expectations over
a grid of parameters spanning the extremes a fit can return (a ~ 1e-7,
b ~ 1.5e5..1e8, r and alpha ~ 1e7..1e13), computed independently of the C
code with mpmath (tests/data/purchase_grid.csv, read by tests/test_purchase.c).

Usage: /usr/bin/python3 tools/purchase_grid_reference.py > tests/data/purchase_grid.csv

Needs Debian's python3-mpmath (the tests only read the CSV).

Method, first that works (each at working precisions raised until two
agree to 14 digits), recorded in the last column:
- "closed": FHL 2005 eq. 10 (Batislam et al. 2007 for MBG/NBD),
  (a+b+x+m-1)/(a-1) [1 - (1-z)^(r+x) 2F1(r+x, b+x+m; a+b+x+m-1; z)], by
  mpmath.hyp2f1 (not for a = 1, a+b+x+m-1 <= 0, or b >= 1e6, where
  mpmath.hyp2f1 needs minutes or gives up);
- "3f2": its power series with a-1 cancelled, (r+x) u
  3F2(r+x+1, a, 1; a+b+x+m, 2; -u), u = t/(al+T), by mpmath.hyper (for u < 1, where the series converges);
- "integral": the definition E_p[(1 - (1+pu)^-(r+x))/p], p ~ Beta(a, b+x+m),
  by mpmath.quad (see integral()).
Each is multiplied by P(alive). Where the first method is not the integral,
the integral is computed too (at 30 digits) and the largest relative
difference between the two is printed on standard error (a check of both):
5.8e-16 over the 441 such rows of the committed table.
Columns: kind (1 BG/NBD, 2 MBG/NBD), r, alpha, a, b, t, x, t_x, T,
expected (17 significant digits), method.
"""
import multiprocessing
import sys

import mpmath as mp


def palive(r, al, a, b, x, tx, T, m):
    if x == 0 and m == 0:
        return mp.mpf(1)
    return 1 / (1 + a / (b + x + m - 1) * ((al + T) / (al + tx)) ** (r + x))


def closed(r, al, a, b, t, x, T, m):
    c = a + b + x + m - 1
    z = t / (al + T + t)
    return c / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * mp.hyp2f1(r + x, b + x + m, c, z, maxprec=2 * mp.mp.prec, maxterms=20000))


def series3f2(r, al, a, b, t, x, T, m):
    """E[Y | alive] = A u 3F2(A+1, a, 1; a+B, 2; -u), A = r+x, B = b+x+m,
    u = t/(al+T): the power series of the closed form with the factor a-1
    cancelled (mpmath continues it analytically beyond u = 1)."""
    A, B, u = r + x, b + x + m, t / (al + T)
    return A * u * mp.hyper([A + 1, a, 1], [a + B, 2], -u, maxprec=2 * mp.mp.prec, maxterms=20000)


def integral(r, al, a, b, t, x, T, m):
    """E_p[g(p)], g(p) = (1 - (1+pu)^-A)/p, p ~ Beta(a, B): the comparison
    function h(p) = A u (1-p)^n + g(1) p (n = max(A u, 1)) has the exact mean
    A u B(a, B+n)/B(a, B) + g(1) a/(a+B); g - h is integrated over the logit
    of p by mpmath.quad (tanh-sinh), split at the weight's peak and g's knee."""
    A, B, u = r + x, b + x + m, t / (al + T)
    au = A * u
    g1 = -mp.expm1(-A * mp.log1p(u))
    n = max(au, mp.mpf(1))
    lnbeta = mp.log(mp.beta(a, B))
    mean_h = au * mp.exp(mp.log(mp.beta(a, B + n)) - lnbeta) + g1 * a / (a + B)

    def f(v):
        p = 1 / (1 + mp.exp(-v))
        q = 1 / (1 + mp.exp(v))
        g = -mp.expm1(-A * mp.log1p(p * u)) / p
        h = au * q ** n + g1 * p
        return (g - h) * mp.exp(a * mp.log(p) + B * mp.log(q) - lnbeta)

    peak = mp.log((a + 1) / (B + 1))
    knee = -mp.log1p(au)
    pts = sorted({peak - 10, peak, peak + 10, knee - 10, knee, knee + 10})
    return mean_h + mp.quad(f, [-mp.inf] + pts + [mp.inf])


def expected(kind, r, al, a, b, t, x, tx, T):
    """(value, method): the closed form, else the 3F2 series, else the
    integral, at precisions raised until two agree to 14 digits."""
    m = 1 if kind == 2 else 0
    r_, al_, a_, b_, t_ = [mp.mpf(v) for v in (r, al, a, b, t)]
    x_, T_ = mp.mpf(x), mp.mpf(T)
    methods = []
    if a_ != 1 and a_ + b_ + x_ + m - 1 > 0 and b_ < 10**6:
        methods.append(("closed", closed))
    if t_ < al_ + T_:  # u < 1: the series converges; beyond, mpmath's continuation is slow or fails
        methods.append(("3f2", series3f2))
    methods.append(("integral", integral))
    for name, fn in methods:
        prev = None
        try:
            for dps in (20, 28, 40):
                mp.mp.dps = dps
                e = fn(r_, al_, a_, b_, t_, x_, T_, m)
                if prev is not None and abs(e - prev) <= mp.mpf(10) ** -14 * abs(e):
                    return e * palive(r_, al_, a_, b_, x_, mp.mpf(tx), T_, m), name
                prev = e
        except (ValueError, ZeroDivisionError, mp.libmp.NoConvergence):
            pass  # mpmath gives up: try the next method
    raise RuntimeError(f"no method agrees with itself: {kind} {r} {al} {a} {b} {t} {x} {tx} {T}")


def row_value(row):
    """(expected, method, relative difference to the integral or None)."""
    e, method = expected(*row)
    diff = None
    if method != "integral":
        # the integral as a second, independent evaluation where both apply
        kind, r, al, a, b, t, x, tx, T = row
        mp.mp.dps = 30  # at 20 digits the integral itself is off by up to 2e-9 for r ~ 1e12
        m = 1 if kind == 2 else 0
        i = integral(*[mp.mpf(v) for v in (r, al, a, b, t, x, T)], m)
        i *= palive(*[mp.mpf(v) for v in (r, al, a, b, x, tx, T)], m)
        diff = abs(i - e) / e if e != 0 else abs(i)
    return mp.nstr(e, 17, min_fixed=-1, max_fixed=-1), method, diff


def main():
    rates = [(0.2425982, 4.4136842), (1.0e7, 4.0e7)]
    shapes_a = [1e-7, 0.7929899, 1.0, 30.0]
    shapes_b = [0.3, 2.4261667, 1.5e5, 1.0e8]
    horizons = [39.0, 2000.0]
    customers = [(0, 0.0, 0.0), (0, 0.0, 38.0), (1, 20.0, 38.0), (200, 30.0, 39.0)]
    rows = []
    for kind in (1, 2):
        for r, al in rates:
            for a in shapes_a:
                for b in shapes_b:
                    for t in horizons:
                        for x, tx, T in customers:
                            rows.append((kind, r, al, a, b, t, x, tx, T))
    # r and alpha at the degenerate ends a fit can reach (~1e13)
    for kind in (1, 2):
        for a in (1e-7, 0.7929899):
            for b in (2.4261667, 1.5e5):
                for x, tx, T in customers:
                    rows.append((kind, 3.0e12, 1.0e13, a, b, 39.0, x, tx, T))
    out = sys.stdout
    out.write("kind,r,alpha,a,b,t,x,t_x,T,expected,method\n")
    worst = 0
    with multiprocessing.Pool(2) as pool:
        for row, (e, method, diff) in zip(rows, pool.imap(row_value, rows)):
            if diff is not None:
                worst = max(worst, diff)
            kind, r, al, a, b, t, x, tx, T = row
            out.write(f"{kind},{r!r},{al!r},{a!r},{b!r},{t!r},{x},{tx!r},{T!r},{e},{method}\n")
            out.flush()
    sys.stderr.write(f"{len(rows)} rows; largest relative difference between the integral and the "
                     f"closed form or 3F2 where both were computed: {mp.nstr(worst, 3)}\n")


if __name__ == "__main__":
    main()
