/* Johnson, J. W. (2000), "A heuristic method for estimating the relative
 * weight of predictor variables in multiple regression", Multivariate
 * Behavioral Research 35(1), 1-19: with R = V diag(lambda) V' the
 * predictors' correlation matrix, Lambda = R^{1/2} holds the correlations
 * of the predictors with their closest orthogonal counterparts Z;
 * beta = Lambda^{-1} r_xy regresses the outcome on Z; the weight of
 * predictor j is sum_k Lambda_jk^2 beta_k^2, and the weights sum to R^2.
 * Tonidandel, S. & LeBreton, J. M. (2010), "Determining the relative
 * importance of predictors in logistic regression: an extension of relative
 * weight analysis", Organizational Research Methods 13(4), 767-781: the
 * same with a logistic regression on Z, its coefficients standardised as
 * b_k sd(Z_k) R / sd(eta_hat) (Menard 2004), R = corr(y, p_hat). */
#include "drivers/relweights.h"

#include <math.h>
#include <string.h>

#include "math/eigen.h"
#include "math/linalg.h"

int cxmi_corr_sqrt(double *half, double *inv_half, const double *r, size_t p) {
  double a[CXMI_RW_MAX * CXMI_RW_MAX], v[CXMI_RW_MAX * CXMI_RW_MAX], w[CXMI_RW_MAX];
  double wmax = 0;
  if (p == 0 || p > CXMI_RW_MAX) return 0;
  memcpy(a, r, p * p * sizeof *a);
  if (!cxmi_jacobi_eigen(a, p, w, v)) return 0;
  for (size_t k = 0; k < p; k++) wmax = fmax(wmax, w[k]);
  for (size_t k = 0; k < p; k++)
    if (!(w[k] > 1e-10 * wmax)) return 0;
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j < p; j++) {
      double s = 0, si = 0;
      for (size_t k = 0; k < p; k++) {
        s += v[i * p + k] * sqrt(w[k]) * v[j * p + k];
        si += v[i * p + k] / sqrt(w[k]) * v[j * p + k];
      }
      half[i * p + j] = s;
      if (inv_half != NULL) inv_half[i * p + j] = si;
    }
  return 1;
}

static void combine(double *rw, const double *half, const double *beta, size_t p) {
  for (size_t j = 0; j < p; j++) {
    double s = 0;
    for (size_t k = 0; k < p; k++) s += half[j * p + k] * half[j * p + k] * beta[k] * beta[k];
    rw[j] = s;
  }
}

int cxmi_relweights_linear(double *rw, double *r2, const double *r, const double *rxy, size_t p) {
  double half[CXMI_RW_MAX * CXMI_RW_MAX], inv[CXMI_RW_MAX * CXMI_RW_MAX], beta[CXMI_RW_MAX] = {0};
  double total = 0;
  if (!cxmi_corr_sqrt(half, inv, r, p)) return 0;
  for (size_t k = 0; k < p; k++) {
    double s = 0;
    for (size_t j = 0; j < p; j++) s += inv[k * p + j] * rxy[j];
    beta[k] = s;
  }
  combine(rw, half, beta, p);
  for (size_t j = 0; j < p; j++) total += rw[j];
  *r2 = total;
  return 1;
}

static double sd_of(const double *v, size_t n) {
  double m = 0, s = 0;
  for (size_t i = 0; i < n; i++) m += v[i];
  m /= (double)n;
  for (size_t i = 0; i < n; i++) s += (v[i] - m) * (v[i] - m);
  return sqrt(s / (double)(n - 1));
}

int cxmi_relweights_logistic(double *rw, double *r2, const double *zx, const double *y, size_t n, size_t p,
                             const double *r, double *scratch) {
  double half[CXMI_RW_MAX * CXMI_RW_MAX], inv[CXMI_RW_MAX * CXMI_RW_MAX];
  double b[CXMI_RW_MAX + 1], g[CXMI_RW_MAX + 1], h[(CXMI_RW_MAX + 1) * (CXMI_RW_MAX + 1)], beta[CXMI_RW_MAX] = {0};
  double *z = scratch, *eta = scratch + n * p, *ph = eta + n, *col = ph + n;
  size_t q = p + 1;
  double dev_old = INFINITY, sd_eta, my = 0, mp = 0, sxy = 0, sxx = 0, syy = 0, corr;
  int ok = 0;
  if (n < 3 || !cxmi_corr_sqrt(half, inv, r, p)) return 0;
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < p; k++) {
      double s = 0;
      for (size_t j = 0; j < p; j++) s += zx[i * p + j] * inv[j * p + k];
      z[i * p + k] = s;
    }
  memset(b, 0, sizeof b);
  for (int it = 0; it < 100; it++) {
    double dev = 0;
    memset(g, 0, q * sizeof *g);
    memset(h, 0, q * q * sizeof *h);
    for (size_t i = 0; i < n; i++) {
      double e = b[0], pr, wgt, xi[CXMI_RW_MAX + 1];
      xi[0] = 1.0;
      for (size_t k = 0; k < p; k++) {
        xi[k + 1] = z[i * p + k];
        e += b[k + 1] * xi[k + 1];
      }
      pr = 1.0 / (1.0 + exp(-e));
      dev -= 2.0 * (y[i] > 0.5 ? log(pr) : log1p(-pr));
      wgt = pr * (1.0 - pr);
      for (size_t a = 0; a < q; a++) {
        g[a] += (y[i] - pr) * xi[a];
        for (size_t c = 0; c <= a; c++) h[a * q + c] += wgt * xi[a] * xi[c];
      }
    }
    for (size_t a = 0; a < q; a++)
      for (size_t c = 0; c < a; c++) h[c * q + a] = h[a * q + c];
    if (!isfinite(dev)) return 0;
    if (fabs(dev_old - dev) <= 1e-12 * (fabs(dev) + 0.1)) {
      ok = 1;
      break;
    }
    dev_old = dev;
    if (!cxmi_cholesky(h, q)) return 0;
    cxmi_chol_solve(h, q, g);
    for (size_t a = 0; a < q; a++) b[a] += g[a];
  }
  if (!ok) return 0;
  for (size_t a = 0; a < q; a++)
    if (fabs(b[a]) > 30) return 0; /* (quasi-)separation: estimates run off */
  for (size_t i = 0; i < n; i++) {
    double e = b[0];
    for (size_t k = 0; k < p; k++) e += b[k + 1] * z[i * p + k];
    eta[i] = e;
    ph[i] = 1.0 / (1.0 + exp(-e));
    my += y[i];
    mp += ph[i];
  }
  my /= (double)n;
  mp /= (double)n;
  for (size_t i = 0; i < n; i++) {
    sxy += (y[i] - my) * (ph[i] - mp);
    sxx += (y[i] - my) * (y[i] - my);
    syy += (ph[i] - mp) * (ph[i] - mp);
  }
  if (!(sxx > 0) || !(syy > 0)) return 0;
  corr = sxy / sqrt(sxx * syy);
  sd_eta = sd_of(eta, n);
  if (!(sd_eta > 0)) return 0;
  for (size_t k = 0; k < p; k++) {
    for (size_t i = 0; i < n; i++) col[i] = z[i * p + k];
    beta[k] = b[k + 1] * sd_of(col, n) * fabs(corr) / sd_eta;
  }
  combine(rw, half, beta, p);
  *r2 = corr * corr;
  return 1;
}
