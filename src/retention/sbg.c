/* The shifted-beta-geometric model of contractual retention (Fader &
 * Hardie 2007, "How to project customer retention", J. Interactive
 * Marketing 21(1), eqs. 1-4, 7): each customer churns at the end of a
 * period with probability theta, theta ~ Beta(alpha, beta) across
 * customers. P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta),
 * S(t) = B(alpha, beta + t) / B(alpha, beta),
 * r_t = (beta + t - 1) / (alpha + beta + t - 1). Fitted by maximum
 * likelihood with L-BFGS over (ln alpha, ln beta). */
#include "cxm/survival.h"

#include <math.h>

#include "math/optimize.h"
#include "math/special.h"

typedef struct sbg_ctx {
  const double *alive;
  size_t count;
} sbg_ctx;

/* minus the log-likelihood per starting customer, over ln alpha, ln beta */
static double sbg_objective(void *vctx, const double *theta, double *grad) {
  const sbg_ctx *c = vctx;
  double a = exp(theta[0]), b = exp(theta[1]);
  double ll = 0, ga = 0, gb = 0, lb0, dab, da0, db0;
  size_t T = c->count - 1;
  if (!isfinite(a) || !isfinite(b) || !(a > 0) || !(b > 0)) return INFINITY;
  lb0 = cxmi_lbeta(a, b);
  dab = cxmi_digamma(a + b);
  da0 = cxmi_digamma(a) - dab;
  db0 = cxmi_digamma(b) - dab;
  for (size_t t = 1; t <= T; t++) {
    double lost = c->alive[t - 1] - c->alive[t];
    double bt = b + (double)t - 1.0, dsum;
    if (lost == 0) continue;
    /* ln P(T = t) and its derivatives */
    ll += lost * (cxmi_lbeta(a + 1.0, bt) - lb0);
    dsum = cxmi_digamma(a + 1.0 + bt);
    ga += lost * (cxmi_digamma(a + 1.0) - dsum - da0);
    gb += lost * (cxmi_digamma(bt) - dsum - db0);
  }
  if (c->alive[T] > 0) {
    double bT = b + (double)T, dsum = cxmi_digamma(a + bT);
    ll += c->alive[T] * (cxmi_lbeta(a, bT) - lb0);
    ga += c->alive[T] * (cxmi_digamma(a) - dsum - da0);
    gb += c->alive[T] * (cxmi_digamma(bT) - dsum - db0);
  }
  grad[0] = -ga * a / c->alive[0];
  grad[1] = -gb * b / c->alive[0];
  return -ll / c->alive[0];
}

int32_t cxm_sbg_fit(cxm_sbg *fit, const double *alive, size_t count) {
  sbg_ctx c;
  cxmi_opt_result res;
  double theta[2] = {0.0, 0.0};
  if (fit == NULL || alive == NULL) return CXM_E_ARG;
  if (fit->size != sizeof *fit) return CXM_E_SIZE;
  if (count < 2 || count > 10000) return CXM_E_VALUE;
  for (size_t t = 0; t < count; t++) {
    if (!isfinite(alive[t]) || alive[t] < 0) return CXM_E_VALUE;
    if (t > 0 && alive[t] > alive[t - 1]) return CXM_E_VALUE;
  }
  /* the likelihood has no maximum when nobody or everybody is lost */
  if (!(alive[0] > 0) || alive[count - 1] == alive[0]) return CXM_E_VALUE;
  c.alive = alive;
  c.count = count;
  cxmi_minimize(&res, theta, 2, sbg_objective, &c, 2000, 1e-10, 0.0); /* no time limit: two parameters */
  fit->alpha = exp(theta[0]);
  fit->beta = exp(theta[1]);
  fit->loglik = -res.f * alive[0];
  fit->converged = res.converged;
  return res.converged ? CXM_OK : CXM_E_CONVERGE;
}

int32_t cxm_sbg_survival(double *surv, double alpha, double beta, double t) {
  if (surv == NULL) return CXM_E_ARG;
  if (!(alpha > 0) || !(beta > 0) || !isfinite(alpha) || !isfinite(beta) || !(t >= 0) || !isfinite(t))
    return CXM_E_VALUE;
  *surv = exp(cxmi_lbeta(alpha, beta + t) - cxmi_lbeta(alpha, beta));
  return CXM_OK;
}

int32_t cxm_sbg_retention(double *rate, double alpha, double beta, double t) {
  if (rate == NULL) return CXM_E_ARG;
  if (!(alpha > 0) || !(beta > 0) || !isfinite(alpha) || !isfinite(beta) || !(t >= 1) || !isfinite(t))
    return CXM_E_VALUE;
  *rate = (beta + t - 1.0) / (alpha + beta + t - 1.0);
  return CXM_OK;
}
