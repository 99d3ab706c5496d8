#!/usr/bin/python3
"""Reference values for tests/test_drivers.c: Johnson's relative weights
(numpy's eigh of the predictors' correlation matrix), Shapley/LMG shares of
R^2 by brute force over every subset (numpy lstsq per subset, not the
correlation-matrix shortcut the library uses), and Tonidandel & LeBreton's
(2010) logistic relative weights (statsmodels Logit). Independent of the C
code: written from the papers, not from src/.

Run: /usr/bin/python3 tools/drivers_reference.py tests/data/drivers
Writes linear.csv / logistic.csv (y, x1..xp) and ref_*.txt (name value)."""
import itertools
import math
import sys

import numpy as np
import statsmodels.api as sm

out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/drivers"
rng = np.random.default_rng(20261207)


def correlated(n, p):
    a = rng.normal(size=(p, p))
    cov = a @ a.T + p * np.eye(p) * 0.3
    x = rng.multivariate_normal(np.zeros(p), cov, size=n)
    # ratings on a 1..7 scale, as SERVQUAL perception answers
    return np.clip(np.round(4 + 1.2 * x / x.std(axis=0)), 1, 7)


def johnson(x, y_beta_fn):
    r = np.corrcoef(x, rowvar=False)
    lam, v = np.linalg.eigh(r)
    half = v @ np.diag(np.sqrt(lam)) @ v.T
    beta = y_beta_fn(half)
    return (half ** 2) @ (beta ** 2)


def r2_subset(x, y, cols):
    if not cols:
        return 0.0
    a = np.column_stack([np.ones(len(y))] + [x[:, c] for c in cols])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    res = y - a @ coef
    return 1.0 - res @ res / ((y - y.mean()) @ (y - y.mean()))


def shapley(x, y):
    p = x.shape[1]
    r2 = {}
    for k in range(p + 1):
        for s in itertools.combinations(range(p), k):
            r2[s] = r2_subset(x, y, list(s))
    phi = np.zeros(p)
    for j in range(p):
        others = [c for c in range(p) if c != j]
        for k in range(p):
            w = math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
            for s in itertools.combinations(others, k):
                phi[j] += w * (r2[tuple(sorted(s + (j,)))] - r2[s])
    return phi, r2[tuple(range(p))]


def write(name, y, x):
    with open(f"{out}/{name}.csv", "w") as f:
        f.write("y," + ",".join(f"x{j + 1}" for j in range(x.shape[1])) + "\n")
        for yi, row in zip(y, x):
            f.write(f"{yi:.17g}," + ",".join(f"{v:.17g}" for v in row) + "\n")


def kv(f, name, values):
    values = np.atleast_1d(values)
    for i, v in enumerate(values):
        f.write(f"{name}[{i}] {v:.17g}\n" if len(values) > 1 else f"{name} {v:.17g}\n")


# linear outcome: an NPS-like 0..10 answer driven by 8 attributes
n, p = 400, 8
x = correlated(n, p)
true = np.array([0.9, 0.5, 0.0, 0.3, 0.0, 0.7, 0.1, 0.0])
y = np.clip(np.round(2 + x @ true * 0.6 + rng.normal(scale=1.5, size=n)), 0, 10)
write("linear", y, x)
zx = (x - x.mean(0)) / x.std(0, ddof=1)
zy = (y - y.mean()) / y.std(ddof=1)
rxy = zx.T @ zy / (n - 1)
rw = johnson(x, lambda half: np.linalg.solve(half, rxy))
phi, r2 = shapley(x, y)
with open(f"{out}/ref_linear.txt", "w") as f:
    kv(f, "r2", r2)
    kv(f, "raw", rw)
    kv(f, "shapley", phi)
    kv(f, "mean", x.mean(0))
assert abs(rw.sum() - r2) < 1e-10 and abs(phi.sum() - r2) < 1e-10

# binary outcome: promoter yes/no
n, p = 500, 5
x = correlated(n, p)
eta = -6 + x @ np.array([0.8, 0.4, 0.0, 0.5, 0.1])
yb = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
write("logistic", yb, x)
r = np.corrcoef(x, rowvar=False)
lam, v = np.linalg.eigh(r)
half = v @ np.diag(np.sqrt(lam)) @ v.T
zx = (x - x.mean(0)) / x.std(0, ddof=1)
z = zx @ np.linalg.inv(half)  # orthogonal predictors, Z = X R^{-1/2}
fit = sm.Logit(yb, sm.add_constant(z)).fit(disp=0, tol=1e-12, maxiter=200)
b = fit.params[1:]
eta_hat = sm.add_constant(z) @ fit.params
p_hat = 1 / (1 + np.exp(-eta_hat))
r2_logit = np.corrcoef(yb, p_hat)[0, 1] ** 2
beta = b * z.std(0, ddof=1) * math.sqrt(r2_logit) / eta_hat.std(ddof=1)
rwl = (half ** 2) @ (beta ** 2)
with open(f"{out}/ref_logistic.txt", "w") as f:
    kv(f, "r2", r2_logit)
    kv(f, "raw", rwl)
    kv(f, "b", b)
assert abs(rwl.sum() - r2_logit) < 1e-10
