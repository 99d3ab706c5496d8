/* Gamma-Gamma spend model (Colombo & Jiang 1999, "A stochastic RFM model",
 * Journal of Interactive Marketing 13(3); Fader, Hardie & Lee 2005, "RFM
 * and CLV: Using Iso-Value Curves for Customer Base Analysis", JMR 42(4),
 * 415-430, and Fader & Hardie, "The Gamma-Gamma Model of Monetary Value",
 * 2013, brucehardie.com/notes/025).
 *
 * Each repeat transaction's value is Gamma(p, nu), nu ~ Gamma(q, v). The
 * mean m of a customer's x repeat transactions then has density
 *
 *   f(m | p, q, v; x) = G(px+q) / (G(px) G(q)) v^q m^(px-1) x^(px) / (v + x m)^(px+q)
 *
 * (note 025), whose log is summed over the customers with x >= 1. */
#include <math.h>

#include "purchase/models.h"
#include "math/special.h"

#define P 0
#define Q 1
#define V 2

static int params_ok(const double *p) {
  return p[P] > 0.0 && p[Q] > 0.0 && p[V] > 0.0 && isfinite(p[P]) && isfinite(p[Q]) && isfinite(p[V]);
}

double cxmi_gg_ll(const double *p, const cxmi_spend *d, double *grad) {
  if (!params_ok(p)) {
    return NAN;
  }
  double pp = p[P], q = p[Q], v = p[V];
  double lg_q = cxmi_lgamma(q), ln_v = log(v);
  double ps_q = grad != NULL ? cxmi_digamma(q) : 0.0;
  double sum = 0.0, gp = 0.0, gq = 0.0, gv = 0.0;
  for (size_t i = 0; i < d->n; i++) {
    double x = (double)d->x[i], m = d->m[i], w = d->w != NULL ? d->w[i] : 1.0;
    double px = pp * x;
    double ln_xm = log(x * m), ln_vxm = log(v + x * m);
    /* ln f = lnG(px+q) - lnG(px) - lnG(q) + q ln v + (px-1) ln m + px ln x - (px+q) ln(v + x m)
     *      = ... + (px-1) ln(x m) + ln x - (px+q) ln(v + x m). */
    sum += w *
           (cxmi_lgamma(px + q) - cxmi_lgamma(px) - lg_q + q * ln_v + (px - 1.0) * ln_xm + log(x) - (px + q) * ln_vxm);
    if (grad != NULL) {
      double ps = cxmi_digamma(px + q);
      gp += w * x * (ps - cxmi_digamma(px) + ln_xm - ln_vxm);
      gq += w * (ps - ps_q + ln_v - ln_vxm);
      gv += w * (q / v - (px + q) / (v + x * m));
    }
  }
  if (grad != NULL) {
    grad[P] = gp;
    grad[Q] = gq;
    grad[V] = gv;
  }
  return sum;
}

/* E[Z | m, x] = (q - 1)/(px + q - 1) * p v/(q - 1) + p x/(px + q - 1) * m
 *             = p (v + x m) / (px + q - 1)   (note 025; FHL 2005b).
 * With x = 0 it is the prior mean p v / (q - 1). Infinite (returned as
 * NaN) when px + q <= 1. */
double cxmi_gg_expected_spend(const double *p, uint32_t x, double m) {
  if (!params_ok(p)) {
    return NAN;
  }
  double dx = (double)x;
  double den = p[P] * dx + p[Q] - 1.0;
  if (!(den > 0.0)) {
    return NAN;
  }
  return p[P] * (p[V] + (x > 0 ? dx * m : 0.0)) / den;
}
