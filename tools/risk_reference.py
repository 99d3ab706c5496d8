#!/usr/bin/python3
"""Reference values for tests/test_risk.c: the L2-penalised logistic fit of
docs/risk.md computed independently of src/risk.c.

src/churn/risk.c standardises the features and runs Newton's method; here the same
objective is written on the ORIGINAL scale,
    f(b0, b) = sum_i w_i [log(1 + exp(eta_i)) - y_i eta_i] + (l2 / 2) sum_j (b_j s_j)^2,
    eta_i = b0 + x_i . b,  s_j = weighted population standard deviation of x_j,
and minimised by scipy.optimize.minimize (trust-exact with the analytic
gradient and Hessian; BFGS from that point as a cross-check), polished by
five Newton steps on the original scale. Standard
errors are sqrt(diag(H^-1)) of the penalised Hessian on the original scale.

Run: /usr/bin/python3 tools/risk_reference.py
"""
import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

# The 12-row data set of test_reference_fit in tests/test_risk.c.
X = np.array([
    [0.5, 10.0], [1.2, 12.0], [-0.3, 9.0], [2.0, 15.0], [1.5, 11.0], [-1.0, 8.0],
    [0.0, 13.0], [0.8, 9.5], [3.1, 14.0], [-2.2, 7.0], [1.1, 10.5], [0.4, 12.5],
])
Y = np.array([0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1], dtype=float)
W = np.array([1, 1, 2, 1, 0.5, 1, 1, 1.5, 1, 1, 1, 2], dtype=float)


def fit(l2):
    ws = W.sum()
    mean = (W[:, None] * X).sum(0) / ws
    sd = np.sqrt((W[:, None] * (X - mean) ** 2).sum(0) / ws)
    A = np.hstack([np.ones((len(Y), 1)), X])
    pen = np.concatenate([[0.0], l2 * sd ** 2])

    def f(b):
        eta = A @ b
        return np.sum(W * (np.logaddexp(0.0, eta) - Y * eta)) + 0.5 * np.sum(pen * b * b)

    def g(b):
        return A.T @ (W * (expit(A @ b) - Y)) + pen * b

    def h(b):
        p = expit(A @ b)
        return A.T @ (A * (W * p * (1 - p))[:, None]) + np.diag(pen)

    r = minimize(f, np.zeros(A.shape[1]), jac=g, hess=h, method='trust-exact',
                 options={'gtol': 1e-13, 'maxiter': 1000})
    r2 = minimize(f, r.x, jac=g, method='BFGS', options={'gtol': 1e-12})
    assert np.max(np.abs(r.x - r2.x)) < 1e-6, (r.x, r2.x)
    # Polish with plain Newton steps on the original scale: the gradient then
    # sits at rounding level, so the digits printed are the optimum's.
    for _ in range(5):
        r.x = r.x - np.linalg.solve(h(r.x), g(r.x))
    se = np.sqrt(np.diag(np.linalg.inv(h(r.x))))
    ll = np.sum(W * (np.logaddexp(0.0, A @ r.x) - Y * (A @ r.x))) / ws
    return r.x, se, ll, np.max(np.abs(g(r.x)))


for l2 in (0.0, 1.0, 5.0):
    b, se, ll, gmax = fit(l2)
    print(f"l2 = {l2}: |grad| = {gmax:.1e}")
    print("  b   = {" + ", ".join(f"{v:.15g}" for v in b) + "}")
    print("  se  = {" + ", ".join(f"{v:.15g}" for v in se) + "}")
    print(f"  log_loss = {ll:.15g}")
