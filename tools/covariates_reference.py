#!/usr/bin/python3
"""Independent check of the purchase models with covariates
(include/cxm/covariates.h, docs/purchase.md "Covariates").

Shares no code with the library: customers are simulated here with numpy
(Pareto/NBD and BG/NBD, each customer's alpha_i, beta_i or a_i, b_i from a
binary and a continuous covariate, the CLVTools form), and the
log-likelihood is written here with scipy:

- Pareto/NBD by its definition, integrating the death term numerically
  (scipy.integrate.quad) instead of the 2F1 closed form the library uses:
  L = G(r+x) al^r be^s / G(r) [ (al+T)^-(r+x) (be+T)^-s
                               + s int_{t_x}^T (al+u)^-(r+x) (be+u)^-(s+1) du ];
- BG/NBD by Fader, Hardie & Lee (2005) eq. 6 with scipy.special.betaln.

Checks, each printed and counted:
1. the library's log-likelihood (cxm_covariate_loglik) at the planted
   parameters equals this one to 1e-9 relative, for both models;
2. with every covariate 0 the fit equals the plain fit: LR = 0 and the
   log-likelihoods agree (a hand check: the covariates' gradient is 0 at
   gamma = 0, so the fit cannot move);
3. at gamma = 0 the covariate log-likelihood equals the plain model's
   (cxm_model_loglik) on the same data;
4. the fits recover every planted gamma within 3 standard errors, for
   several seeds of each model, and the LR test rejects gamma = 0.

Usage: covariates_reference.py LIBCXM [--seeds N] [--n CUSTOMERS]
(the Python binding in bindings/python is imported with CXM_LIBRARY set to
LIBCXM). Exit status 0 when every check passes, 1 otherwise.
"""
import argparse
import math
import os
import sys

import numpy as np
from scipy import integrate, special

TRUE = {
    "pnbd": {"params": (0.9, 6.0, 0.7, 10.0), "gt": (0.6, -0.3), "gl": (-0.5, 0.4)},
    "bgnbd": {"params": (0.9, 6.0, 1.2, 3.0), "gt": (0.6, -0.3), "gl": (-0.5, 0.4)},
}


def individual(kind, params, gt, gl, X):
    """Each customer's (r, alpha_i, s, beta_i) or (r, alpha_i, a_i, b_i)."""
    r, al0, c0, d0 = params
    et = X @ np.asarray(gt)
    el = X @ np.asarray(gl)
    n = len(X)
    if kind == "pnbd":
        return np.full(n, r), al0 * np.exp(-et), np.full(n, c0), d0 * np.exp(-el)
    return np.full(n, r), al0 * np.exp(-et), c0 * np.exp(el), d0 * np.exp(el)


def simulate(kind, n, seed):
    """x, t_x, T (weeks) and covariates [binary, continuous] of n customers."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.random(n) < 0.4, rng.normal(0.0, 1.0, n)]).astype(float)
    t = TRUE[kind]
    r, al, c, d = individual(kind, t["params"], t["gt"], t["gl"], X)
    T = rng.uniform(26.0, 78.0, n)
    lam = rng.gamma(r, 1.0 / al)
    xs = np.zeros(n, dtype=np.int64)
    txs = np.zeros(n)
    if kind == "pnbd":
        mu = rng.gamma(c, 1.0 / d)
        life = rng.exponential(1.0 / mu)
        end = np.minimum(life, T)
        for i in range(n):
            k = rng.poisson(lam[i] * end[i])
            xs[i] = k
            txs[i] = rng.uniform(0.0, end[i], k).max() if k > 0 else 0.0
    else:
        p = rng.beta(c, d)
        for i in range(n):
            tt, k, last = 0.0, 0, 0.0
            while True:
                tt += rng.exponential(1.0 / lam[i])
                if tt > T[i]:
                    break
                k += 1
                last = tt
                if rng.random() < p[i]:
                    break
            xs[i] = k
            txs[i] = last
    return xs, txs, T, X


def ll_pnbd(r, al, s, be, x, tx, T):
    out = 0.0
    for i in range(len(x)):
        rx = r + x[i]
        alive = -rx * math.log(al[i] + T[i]) - s * math.log(be[i] + T[i])
        if T[i] > tx[i]:
            # scale the integrand by e^-alive so that it is of order 1
            def f(u, i=i):
                return math.exp(-rx * math.log(al[i] + u) - (s + 1.0) * math.log(be[i] + u) - alive)
            val, _ = integrate.quad(f, tx[i], T[i], epsabs=0.0, epsrel=1e-13, limit=200)
            lb = alive + math.log1p(s * val)
        else:
            lb = alive
        out += special.gammaln(rx) - special.gammaln(r) + r * math.log(al[i]) + s * math.log(be[i]) + lb
    return out


def ll_bgnbd(r, al, a, b, x, tx, T):
    out = 0.0
    for i in range(len(x)):
        rx = r + x[i]
        base = special.gammaln(rx) - special.gammaln(r) + r * math.log(al[i])
        t1 = special.betaln(a[i], b[i] + x[i]) - special.betaln(a[i], b[i]) - rx * math.log(al[i] + T[i])
        if x[i] > 0:
            t2 = special.betaln(a[i] + 1.0, b[i] + x[i] - 1.0) - special.betaln(a[i], b[i]) - rx * math.log(al[i] + tx[i])
            out += base + np.logaddexp(t1, t2)
        else:
            out += base + t1
    return out


def reference_ll(kind, params, gt, gl, x, tx, T, X):
    r, al, c, d = individual(kind, params, gt, gl, X)
    return (ll_pnbd if kind == "pnbd" else ll_bgnbd)(r[0], al, c[0] if kind == "pnbd" else c, d, x, tx, T)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lib")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--n", type=int, default=1500)
    ap.add_argument("--sanitize", action="store_true",
                    help="an ASan-built library that python cannot load without its runtime: skip (77)")
    args = ap.parse_args()
    if args.sanitize:
        print("SKIP: an AddressSanitizer libcxm cannot be loaded into this python3")
        return 77
    os.environ["CXM_LIBRARY"] = os.path.abspath(args.lib)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings", "python"))
    import cxm  # noqa: E402
    from cxm import _lib as c  # noqa: E402
    import ctypes

    lib = c.lib()
    failed = 0

    def check(ok, what):
        nonlocal failed
        print(("ok   " if ok else "FAIL ") + what)
        failed += 0 if ok else 1

    def lib_ll(kind, params, gt, gl, summaries, X):
        f = c.CovariateFit()
        lib.cxm_covariate_fit_init(ctypes.byref(f))
        f.kind = {"pnbd": 3, "bgnbd": 1}[kind]
        f.count, f.trans, f.life = 2, 3, 3
        for k in range(4):
            f.param[k] = params[k]
        for j in range(2):
            f.gamma_trans[j], f.gamma_life[j] = gt[j], gl[j]
        fit = cxm.CovariateFit(kind, {}, {}, [], [], [], [], math.nan, None, None, 0, None, False, False, 0, (), 0,
                               bytes(f))
        return fit.loglik_of(summaries, X.tolist())

    for kind in ("pnbd", "bgnbd"):
        t = TRUE[kind]
        # 1. the log-likelihood at given parameters, on simulated data
        x, tx, T, X = simulate(kind, 400, 99)
        summaries = list(zip(x.tolist(), tx.tolist(), T.tolist()))
        for gt, gl in ((t["gt"], t["gl"]), ((1.5, -1.0), (1.2, -0.8))):
            mine = reference_ll(kind, t["params"], gt, gl, x, tx, T, X)
            theirs = lib_ll(kind, t["params"], gt, gl, summaries, X)
            rel = abs(mine - theirs) / abs(mine)
            check(rel <= 1e-9, f"{kind}: loglik at gammas {gt}, {gl}: library {theirs:.12f}, "
                               f"scipy {mine:.12f}, relative difference {rel:.2e}")
        # 3. gamma = 0: the plain model's log-likelihood
        plain = cxm.PurchaseModel.fit(summaries, kind)
        p = list(plain.params.values())
        cov0 = lib_ll(kind, p, (0.0, 0.0), (0.0, 0.0), summaries, X)
        check(abs(cov0 - plain.loglik) <= 1e-11 * abs(plain.loglik),
              f"{kind}: gamma = 0 loglik {cov0:.12f} = plain model's {plain.loglik:.12f}")
        # 2. all-zero covariates: LR = 0
        zero = cxm.fit_covariates(summaries, [[0.0, 0.0]] * len(summaries), kind)
        check(zero.degenerate == ("hessian",) and zero.lr is not None and zero.lr <= 1e-8 and
              abs(zero.loglik - zero.null_loglik) <= 1e-9 * abs(zero.null_loglik),
              f"{kind}: zero covariates (gammas without curvature: degenerate {zero.degenerate}): loglik {zero.loglik:.10f}, null {zero.null_loglik:.10f}, LR {zero.lr}")
        # 4. recovery of the planted gammas
        for seed in range(1, args.seeds + 1):
            x, tx, T, X = simulate(kind, args.n, 1000 * seed + (7 if kind == "pnbd" else 11))
            summaries = list(zip(x.tolist(), tx.tolist(), T.tolist()))
            fit = cxm.fit_covariates(summaries, X.tolist(), kind)
            parts = []
            ok = fit.converged and fit.lr_p is not None and fit.lr_p < 1e-6
            for name, est, se, true in (("gt", fit.gamma_trans, fit.se_trans, t["gt"]),
                                        ("gl", fit.gamma_life, fit.se_life, t["gl"])):
                for j in range(2):
                    z = (est[j] - true[j]) / se[j] if se[j] else math.inf
                    ok = ok and abs(z) <= 3.0
                    parts.append(f"{name}{j + 1} {est[j]:+.3f} (se {se[j]:.3f}, true {true[j]:+.2f}, z {z:+.2f})")
            check(ok, f"{kind} seed {seed} n {args.n}: " + "; ".join(parts) +
                  f"; LR {fit.lr:.1f} on {fit.lr_df} df, p {fit.lr_p:.2e}")
    print(f"{failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
