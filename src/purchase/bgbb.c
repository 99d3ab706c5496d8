/* BG/BB, the beta-geometric/beta-binomial model for discrete transaction
 * opportunities (Fader, Hardie & Shang 2010, "Customer-Base Analysis in a
 * Discrete-Time Noncontractual Setting", Marketing Science 29(6),
 * 1086-1108; docs/purchase.md, "BG/BB").
 *
 * Opportunities 1, 2, ...: before each one an alive customer dies with
 * probability theta, theta ~ Beta(gamma, delta); at each one an alive
 * customer transacts with probability p, p ~ Beta(alpha, beta). A customer
 * is summarised by x transactions in n opportunities, the last at
 * opportunity t_x (t_x = x = 0 for none). Writing B for the beta function,
 * the likelihood (FHS 2010 eq. 5) is the "alive through n" term plus one
 * term per opportunity after t_x at which the customer may have died:
 *
 *   L = B(al+x, be+n-x)/B(al,be) B(ga, de+n)/B(ga,de)
 *     + sum_{i=0}^{n-t_x-1} B(al+x, be+t_x-x+i)/B(al,be) B(ga+1, de+t_x+i)/B(ga,de).
 *
 * Every term is a product of beta-function ratios, taken as logs and
 * summed as a log-sum-exp, so no term under- or overflows. The
 * per-customer quantities all follow from one fact: given the history and
 * alive at n (probability P_n = first term / L), p ~ Beta(al+x, be+n-x)
 * and theta ~ Beta(ga, de+n), and the next opportunities behave as those
 * of a customer just acquired with these parameters. So the conditional
 * expectation (FHS eq. 13), the conditional count distribution and the
 * lapse probability are P_n times the new-customer formulas (FHS eqs. 7
 * and 9) at the posterior parameters, plus (1 - P_n) at zero purchases. */
#include <math.h>

#include "math/special.h"
#include "purchase/models.h"

#define AL 0
#define BE 1
#define GA 2
#define DE 3

/* Largest n (and n*) the sums below run over: the likelihood of one
 * customer costs n - t_x terms. */
#define MAX_OPPORTUNITIES 100000.0

static int params_ok(const double *p) {
  for (int i = 0; i < 4; i++) {
    if (!(p[i] > 0.0) || !isfinite(p[i])) {
      return 0;
    }
  }
  return 1;
}

int cxmi_bgbb_data_ok(uint32_t x, double tx, double n) {
  double dx = (double)x;
  return n >= 1.0 && n <= MAX_OPPORTUNITIES && floor(n) == n && floor(tx) == tx && tx <= n && dx <= tx &&
         (x > 0 || tx == 0.0);
}

/* ln B(a + da, b + db) - ln B(a, b) as differences of ln Gamma ratios,
 * exact when a or b is large. */
static double lbeta_ratio(double a, double da, double b, double db) {
  return cxmi_lgamma_ratio(a, da) + cxmi_lgamma_ratio(b, db) - cxmi_lgamma_ratio(a + b, da + db);
}

/* One customer's log-likelihood and, when g != NULL, its gradient (added
 * to g) times w. Also the log of the "alive through n" term in *ln_alive
 * when not NULL. d/d(param) of ln B(u, v) is psi(u) - psi(u + v). */
static double ll1(const double *p, uint32_t x, double tx, double n, double w, double *g, double *ln_alive) {
  double al = p[AL], be = p[BE], ga = p[GA], de = p[DE], dx = (double)x;
  /* ln of the alive term: ln B(al+x, be+n-x)/B(al,be) + ln B(ga, de+n)/B(ga,de) */
  double la = lbeta_ratio(al, dx, be, n - dx) + lbeta_ratio(ga, 0.0, de, n);
  double hi = la;
  size_t terms = (size_t)(n - tx);
  /* First pass: the largest log term, for the log-sum-exp. */
  for (size_t i = 0; i < terms; i++) {
    double m = tx + (double)i;
    double li = lbeta_ratio(al, dx, be, m - dx) + lbeta_ratio(ga, 1.0, de, m);
    hi = li > hi ? li : hi;
  }
  double sum = exp(la - hi);
  double ga_al = 0.0, ga_be = 0.0, ga_ga = 0.0, ga_de = 0.0;
  double ps_ab = 0.0, ps_a = 0.0, ps_b = 0.0, ps_gd = 0.0, ps_g = 0.0, ps_d = 0.0, ps_ax = 0.0, ps_g1 = 0.0;
  if (g != NULL) {
    ps_ab = cxmi_digamma(al + be);
    ps_a = cxmi_digamma(al);
    ps_b = cxmi_digamma(be);
    ps_gd = cxmi_digamma(ga + de);
    ps_g = cxmi_digamma(ga);
    ps_d = cxmi_digamma(de);
    ps_ax = cxmi_digamma(al + dx);
    ps_g1 = cxmi_digamma(ga + 1.0);
    double e = sum, ps_abn = cxmi_digamma(al + be + n), ps_gdn = cxmi_digamma(ga + de + n);
    ga_al += e * (ps_ax - ps_abn - ps_a + ps_ab);
    ga_be += e * (cxmi_digamma(be + n - dx) - ps_abn - ps_b + ps_ab);
    ga_ga += e * (ps_gd - ps_gdn);
    ga_de += e * (cxmi_digamma(de + n) - ps_gdn - ps_d + ps_gd);
  }
  for (size_t i = 0; i < terms; i++) {
    double m = tx + (double)i;
    double e = exp(lbeta_ratio(al, dx, be, m - dx) + lbeta_ratio(ga, 1.0, de, m) - hi);
    sum += e;
    if (g != NULL) {
      double ps_abm = cxmi_digamma(al + be + m), ps_gdm = cxmi_digamma(ga + de + m + 1.0);
      ga_al += e * (ps_ax - ps_abm - ps_a + ps_ab);
      ga_be += e * (cxmi_digamma(be + m - dx) - ps_abm - ps_b + ps_ab);
      ga_ga += e * (ps_g1 - ps_gdm - ps_g + ps_gd);
      ga_de += e * (cxmi_digamma(de + m) - ps_gdm - ps_d + ps_gd);
    }
  }
  if (g != NULL) {
    g[AL] += w * ga_al / sum;
    g[BE] += w * ga_be / sum;
    g[GA] += w * ga_ga / sum;
    g[DE] += w * ga_de / sum;
  }
  if (ln_alive != NULL) {
    *ln_alive = la;
  }
  return hi + log(sum);
}

double cxmi_bgbb_ll(const double *p, const cxmi_triples *d, double *grad) {
  double g[4] = {0.0, 0.0, 0.0, 0.0}, sum = 0.0;
  if (!params_ok(p)) {
    return NAN;
  }
  for (size_t i = 0; i < d->n; i++) {
    if (!cxmi_bgbb_data_ok(d->x[i], d->tx[i], d->T[i])) {
      return NAN;
    }
    sum += d->w[i] * ll1(p, d->x[i], d->tx[i], d->T[i], d->w[i], grad != NULL ? g : NULL, NULL);
  }
  if (grad != NULL) {
    for (int k = 0; k < 4; k++) {
      grad[k] = g[k];
    }
  }
  return sum;
}

double cxmi_bgbb_ll1(const double *p, uint32_t x, double tx, double n) {
  if (!params_ok(p) || !cxmi_bgbb_data_ok(x, tx, n)) {
    return NAN;
  }
  return ll1(p, x, tx, n, 1.0, NULL, NULL);
}

/* P(alive through opportunity n | x, t_x, n), and the posterior parameters
 * of a customer alive at n in q[] (see the top of the file). n = 0 (with
 * x = t_x = 0) is a customer just acquired: probability 1, q = p. */
static double alive_at_n(const double *p, uint32_t x, double tx, double n, double *q) {
  q[AL] = p[AL] + (double)x;
  q[BE] = p[BE] + n - (double)x;
  q[GA] = p[GA];
  q[DE] = p[DE] + n;
  if (n == 0.0) {
    return 1.0;
  }
  double la = 0.0;
  double ll = ll1(p, x, tx, n, 1.0, NULL, &la);
  double v = exp(la - ll);
  return v < 1.0 ? v : 1.0;
}

/* Checks shared by the per-customer functions: parameters, a summary
 * (n = 0 allowed for a customer just acquired), a horizon of whole
 * opportunities. */
static int usable(const double *p, uint32_t x, double tx, double n, double horizon) {
  if (!params_ok(p) || !(horizon >= 0.0 && horizon <= MAX_OPPORTUNITIES && floor(horizon) == horizon)) {
    return 0;
  }
  return n == 0.0 ? (x == 0 && tx == 0.0) : cxmi_bgbb_data_ok(x, tx, n);
}

double cxmi_bgbb_p_alive(const double *p, uint32_t x, double tx, double n) {
  double q[4];
  if (!usable(p, x, tx, n, 0.0)) {
    return NAN;
  }
  /* Alive at opportunity n + 1 (FHS eq. 11): alive through n, then one
   * more survival, whose posterior mean is (de+n)/(ga+de+n). */
  return alive_at_n(p, x, tx, n, q) * (q[DE] / (q[GA] + q[DE]));
}

/* sum_{i=1}^{N} B(ga, de+i)/B(ga, de): the expected number of the next N
 * opportunities a customer just acquired is alive for. Term by term (each
 * the previous times (de+i-1)/(ga+de+i-1)) up to 4096 terms or when ga is
 * within 1e-2 of 1; else the closed form (FHS eq. 9)
 *   de/(ga-1) [1 - G(ga+de) G(1+de+N) / (G(1+de) G(ga+de+N))],
 * whose bracket is -expm1 of a difference of two ln Gamma ratios. */
static double alive_opportunities(double ga, double de, double N) {
  if (N <= 4096.0 || fabs(ga - 1.0) < 1e-2) {
    double term = 1.0, sum = 0.0;
    for (double i = 1.0; i <= N; i += 1.0) {
      term *= (de + i - 1.0) / (ga + de + i - 1.0);
      sum += term;
    }
    return sum;
  }
  double rho = cxmi_lgamma_ratio(1.0 + de, N) - cxmi_lgamma_ratio(ga + de, N);
  return de / (ga - 1.0) * -expm1(rho);
}

double cxmi_bgbb_expected(const double *p, double t, uint32_t x, double tx, double n) {
  double q[4];
  if (!usable(p, x, tx, n, t)) {
    return NAN;
  }
  double alive = alive_at_n(p, x, tx, n, q);
  /* E[p] under the posterior times the expected opportunities alive. */
  return alive * q[AL] / (q[AL] + q[BE]) * alive_opportunities(q[GA], q[DE], t);
}

/* P(X(N) = k) for a customer just acquired (FHS eq. 7):
 *   C(N,k) B(al+k, be+N-k)/B(al,be) B(ga, de+N)/B(ga,de)
 *   + sum_{i=k}^{N-1} C(i,k) B(al+k, be+i-k)/B(al,be) B(ga+1, de+i)/B(ga,de). */
static double new_pmf(const double *p, double N, uint32_t k) {
  double dk = (double)k;
  if (dk > N) {
    return 0.0;
  }
  double al = p[AL], be = p[BE], ga = p[GA], de = p[DE];
  /* ln C(i, k) = ln G(i+1) - ln G(k+1) - ln G(i-k+1) */
  double v = exp(cxmi_lgamma_ratio(N - dk + 1.0, dk) - cxmi_lgamma_ratio(1.0, dk) + lbeta_ratio(al, dk, be, N - dk) +
                 lbeta_ratio(ga, 0.0, de, N));
  for (double i = dk; i < N; i += 1.0) {
    v += exp(cxmi_lgamma_ratio(i - dk + 1.0, dk) - cxmi_lgamma_ratio(1.0, dk) + lbeta_ratio(al, dk, be, i - dk) +
             lbeta_ratio(ga, 1.0, de, i));
  }
  return v < 1.0 ? v : 1.0;
}

double cxmi_bgbb_pmf(const double *p, double t, uint32_t k) {
  if (!usable(p, 0, 0.0, 0.0, t)) {
    return NAN;
  }
  return new_pmf(p, t, k);
}

double cxmi_bgbb_conditional_pmf(const double *p, double t, uint32_t k, uint32_t x, double tx, double n) {
  double q[4];
  if (!usable(p, x, tx, n, t)) {
    return NAN;
  }
  double alive = alive_at_n(p, x, tx, n, q);
  double v = alive * new_pmf(q, t, k) + (k == 0 ? 1.0 - alive : 0.0);
  return v < 1.0 ? v : 1.0;
}
