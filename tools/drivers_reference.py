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

# Rows by interaction ref (cxm_store_driver_table, CXM_DRIVERS_BY_REF): an
# event file of interactions, and the per-ref rows worked out here from the
# generated answers themselves (not from the file's bytes or the library):
# a ref's row holds the mean of each attribute's answers carrying the ref
# and its latest NPS answer (by time; same second: the later in the file).
rr = np.random.default_rng(20261208)
ATTRS = [("perception", "reliability"), ("rating", "Wait time"), ("rating", "Courtesy"),
         ("rating", "Resolution")]
T0 = 1743465600  # 2025-04-01T00:00:00Z
events = []  # (time, customer, kind, value, ref, dimension), in file order


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


for k in range(260):
    ref, cust = f"ix-{k}", f"p{k % 80}"
    t = T0 + int(rr.integers(0, 60 * 86400))
    base = rr.normal()
    for kind, dim in ATTRS:
        if k % 13 == 5 and dim == "Courtesy":
            continue  # not rated on this ref: the row is dropped
        for _ in range(1 + int(k % 4 == 0)):  # sometimes twice: the mean counts
            v = int(np.clip(np.round(4 + 1.4 * (0.6 * base + 0.8 * rr.normal())), 1, 7))
            events.append((t + int(rr.integers(0, 3600)), cust, kind, v, ref, dim))
    if k % 17 == 9:
        continue  # no NPS answer on this ref
    nps = int(np.clip(np.round(5 + 1.5 * base + rr.normal()), 0, 10))
    when = t + 4000
    if k % 5 == 1:  # an earlier answer on the ref, recorded after the later one
        events.append((when, cust, "nps", nps, ref, ""))
        events.append((when - 600, cust, "nps", 10 - nps, ref, ""))
    elif k % 5 == 2:  # two answers in the same second: the later recorded counts
        events.append((when, cust, "nps", 10 - nps, ref, ""))
        events.append((when, cust, "nps", nps, ref, ""))
    else:
        events.append((when, cust, "nps", nps, ref, ""))
    # answers that belong to no ref's row: without a ref, and an NPS on a ref without ratings
    events.append((t + 5000, cust, "rating", int(rr.integers(1, 8)), "", "Wait time"))
    events.append((t + 5000, cust, "perception", int(rr.integers(1, 8)), "", "reliability"))
    if k % 6 == 0:
        events.append((t + 6000, cust, "nps", int(rr.integers(0, 11)), f"other-{k}", ""))
with open(f"{out}/by_ref_events.csv", "w") as f:
    f.write("time,customer,kind,value,ref,dimension\n")
    for t, c, kind, v, ref, dim in events:
        f.write(f"{iso(t)},{c},{kind},{v},{ref},{dim}\n")

order, cells, latest = [], {}, {}
for i, (t, c, kind, v, ref, dim) in enumerate(events):
    if not ref:
        continue
    if kind == "nps":
        if ref not in latest or (t, i) >= latest[ref][:2]:
            latest[ref] = (t, i, v)
        continue
    if ref not in cells:
        order.append(ref)
        cells[ref] = {}
    cells[ref].setdefault(dim, []).append(v)
complete = [r for r in order if r in latest and all(d in cells[r] for _, d in ATTRS)]
x = np.array([[sum(cells[r][d]) / len(cells[r][d]) for _, d in ATTRS] for r in complete])
y = np.array([float(latest[r][2]) for r in complete])
n = len(complete)
zx = (x - x.mean(0)) / x.std(0, ddof=1)
zy = (y - y.mean()) / y.std(ddof=1)
rxy = zx.T @ zy / (n - 1)
rw = johnson(x, lambda half: np.linalg.solve(half, rxy))
phi, r2 = shapley(x, y)
with open(f"{out}/ref_by_ref.txt", "w") as f:
    kv(f, "rows", len(order))
    kv(f, "used", n)
    kv(f, "r2", r2)
    kv(f, "raw", rw)
    kv(f, "shapley", phi)
    kv(f, "mean", x.mean(0))
assert abs(rw.sum() - r2) < 1e-10 and abs(phi.sum() - r2) < 1e-10
