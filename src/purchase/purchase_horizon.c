/* P(no purchase in (T, T + t] | x, t_x, T) for the purchase models
 * (cxm_model_p_no_purchase, include/cxm/purchase.h, docs/purchase.md): the
 * probability a customer lapses for a whole horizon, which is what a
 * non-contractual business calls churn. Kept apart from bgnbd.c and pnbd.c
 * (the likelihoods) since it only combines their P(alive) with the
 * posterior of the purchase rate. */
#include "purchase/models.h"

#include "cxm/purchase.h"

#include <math.h>

int32_t cxmi_rfm_check(uint32_t x, double tx, double T, int allow_t0);

/* BG/NBD and MBG/NBD: a customer drops out only right after a purchase, so
 * one alive at T makes its next purchase after an exponential time of rate
 * lambda, whatever p; lambda | alive, x, T ~ Gamma(r + x, alpha + T). Hence
 *   P0 = (1 - P(alive)) + P(alive) ((alpha + T) / (alpha + T + t))^(r + x).
 * The power is taken as exp(-(r+x) log1p(t / (alpha + T))). */
static double family_p0(double p_alive, double r, double alpha, double t, uint32_t x, double T) {
  double stay = exp(-(r + (double)x) * log1p(t / (alpha + T)));
  return (1.0 - p_alive) + p_alive * stay;
}

/* 20-point Gauss-Legendre nodes and weights on [-1, 1], positive half (the
 * table of pnbd.c, computed there with mpmath at 40 digits). */
static const double gl20[10][2] = {
    {0.076526521133497333755, 0.1527533871307258507},  {0.22778585114164507808, 0.14917298647260374679},
    {0.37370608871541956067, 0.14209610931838205133},  {0.510867001950827098, 0.1316886384491766269},
    {0.63605368072651502545, 0.11819453196151841731},  {0.74633190646015079261, 0.10193011981724043504},
    {0.83911697182221882339, 0.083276741576704748725}, {0.91223442825132590587, 0.06267204833410906357},
    {0.96397192727791379127, 0.040601429800386941331}, {0.99312859918509492479, 0.017614007139152118312},
};

/* Pareto/NBD: alive at T, lambda ~ Gamma(n = r + x, A = alpha + T) and
 * mu ~ Gamma(s, B = beta + T), independent. The next purchase comes before
 * both the death and the end of the horizon with probability
 *   int_0^t E[lambda e^(-lambda u)] E[e^(-mu u)] du
 *     = int_0^t n/A (1 + u/A)^-(n+1) (1 + u/B)^-s du.
 * With w = ln(1 + u/A) this is int_0^W n e^(-n w) (1 + A/B (e^w - 1))^-s dw,
 * W = ln(1 + t/A): a smooth, decaying integrand, taken by 20-point
 * Gauss-Legendre on panels (below). The closed form
 * is a 2F1 (Schmittlein, Morrison & Colombo 1987 give P(alive) and the
 * expectation; the same integral with e^(-mu u) gives this one); the
 * quadrature avoids 2F1's cancellation near z = 1. */
static double pnbd_buy_given_alive(double n, double A, double B, double s, double t) {
  double ratio = A / B;
  /* The integrand's log falls at a rate between n and n + s max(1, A/B):
   * panels 0.25 wide at the fastest rate; beyond n w = 745 it is below the
   * smallest double. At most 20 000 panels (only reached for s A/B above
   * about 1000 n, where the result keeps about 8 digits). */
  double rate = n + s * fmax(1.0, ratio), W = fmin(log1p(t / A), 745.0 / n), total = 0.0;
  if (!(W > 0.0)) return 0.0;
  double panels_d = ceil(W * 4.0 * fmax(1.0, rate));
  size_t panels = panels_d > 20000.0 ? 20000 : (size_t)panels_d;
  double h = W / (double)panels;
  for (size_t k = 0; k < panels; k++) {
    double mid = ((double)k + 0.5) * h, half = 0.5 * h, s_k = 0.0;
    for (int i = 0; i < 10; i++) {
      for (int sign = -1; sign <= 1; sign += 2) {
        double w = mid + sign * half * gl20[i][0];
        s_k += gl20[i][1] * n * exp(-n * w - s * log1p(ratio * expm1(w)));
      }
    }
    total += s_k * half;
  }
  return total;
}

static double p_no_purchase(const cxm_model *m, double t, uint32_t x, double tx, double T) {
  const double *p = m->param;
  switch (m->kind) {
  case CXM_MODEL_BGNBD: return family_p0(cxmi_bgnbd_p_alive(p, x, tx, T), p[0], p[1], t, x, T);
  case CXM_MODEL_MBGNBD: return family_p0(cxmi_mbgnbd_p_alive(p, x, tx, T), p[0], p[1], t, x, T);
  case CXM_MODEL_BGBB: return cxmi_bgbb_conditional_pmf(p, t, 0, x, tx, T);
  default: {
    double pa = cxmi_pnbd_p_alive(p, x, tx, T);
    double buy = pnbd_buy_given_alive(p[0] + (double)x, p[1] + T, p[3] + T, p[2], t);
    return 1.0 - pa * buy;
  }
  }
}

int32_t cxm_model_p_no_purchase(double *probability, const cxm_model *model, double t, uint32_t x, double t_x,
                                double T) {
  if (probability == NULL || model == NULL) return CXM_E_ARG;
  if (model->size != sizeof *model) return CXM_E_SIZE;
  if (model->kind != CXM_MODEL_BGNBD && model->kind != CXM_MODEL_MBGNBD && model->kind != CXM_MODEL_PNBD &&
      model->kind != CXM_MODEL_BGBB)
    return CXM_E_MODEL;
  for (int i = 0; i < 4; i++)
    if (!(model->param[i] > 0.0) || !isfinite(model->param[i])) return CXM_E_MODEL;
  if (cxmi_rfm_check(x, t_x, T, 1) != CXM_OK || !(t >= 0.0) || !isfinite(t)) return CXM_E_VALUE;
  /* BG/BB counts whole opportunities (T = 0: a customer just acquired). */
  if (model->kind == CXM_MODEL_BGBB &&
      (!(t <= 1e5 && floor(t) == t) || !(T == 0.0 ? (x == 0 && t_x == 0.0) : cxmi_bgbb_data_ok(x, t_x, T))))
    return CXM_E_VALUE;
  double v = p_no_purchase(model, t, x, t_x, T);
  if (isnan(v)) return CXM_E_MODEL;
  /* Rounding may step a hair outside [0, 1]. */
  *probability = v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
  return CXM_OK;
}
