/* NPS with its standard error, Wald and adjusted Wald intervals, and the
 * two-period z test (docs/metrics.md, "NPS", which
 * gives the specification's formulas). Everything is computed from the integer counts so that no
 * formula subtracts two rounded quantities. */
#include "cxm/survey.h"

#include <math.h>

#include "math/stats.h"

static double clip100(double x) {
  if (x < -100.0) {
    return -100.0;
  }
  return x > 100.0 ? 100.0 : x;
}

/* Per-answer variance of the promoter-minus-detractor indicator,
 * pP + pD - (pP - pD)^2, written as pP (1 - pP) + pD (1 - pD) + 2 pP pD:
 * every term is non-negative and 1 - pP, 1 - pD come from exact counts,
 * so there is no cancellation even when nearly everyone is a promoter. */
static double nps_variance(double p, double not_p, double d, double not_d) {
  return p * not_p + d * not_d + 2.0 * p * d;
}

/* The NPS standard error in score points (metrics.md): 100 * sqrt(var / n). */
static double nps_se(const cxm_nps_acc *acc, double *score) {
  cxmi_u128 det = cxmi_u128_sum(acc->count, 7);
  cxmi_u128 pro = cxmi_u128_sum(acc->count + 9, 2);
  double n = cxmi_u128_to_double(cxmi_u128_sum(acc->count, 11));
  double not_p = cxmi_u128_to_double(cxmi_u128_sum(acc->count, 9)) / n;
  double not_d = cxmi_u128_to_double(cxmi_u128_sum(acc->count + 7, 4)) / n;
  double p = cxmi_u128_to_double(pro) / n;
  double d = cxmi_u128_to_double(det) / n;
  *score = 100.0 * cxmi_u128_diff_to_double(pro, det) / n;
  return 100.0 * sqrt(nps_variance(p, not_p, d, not_d) / n);
}

int32_t cxm_nps_compute(cxm_nps_result *out, const cxm_nps_acc *acc) {
  if (out == NULL || acc == NULL) {
    return CXM_E_ARG;
  }
  cxmi_u128 det = cxmi_u128_sum(acc->count, 7);
  cxmi_u128 pas = cxmi_u128_sum(acc->count + 7, 2);
  cxmi_u128 pro = cxmi_u128_sum(acc->count + 9, 2);
  cxmi_u128 n = cxmi_u128_sum(acc->count, 11);
  out->n = cxmi_u128_saturate(n);
  out->promoters = cxmi_u128_saturate(pro);
  out->passives = cxmi_u128_saturate(pas);
  out->detractors = cxmi_u128_saturate(det);
  if (n.hi == 0 && n.lo == 0) {
    out->score = out->se = NAN;
    out->ci95_low = out->ci95_high = NAN;
    out->adjusted_low = out->adjusted_high = NAN;
    return CXM_OK;
  }
  double score = 0.0;
  double se = nps_se(acc, &score);
  out->score = score;
  out->se = se;
  out->ci95_low = clip100(score - CXMI_Z95 * se);
  out->ci95_high = clip100(score + CXMI_Z95 * se);

  /* Adjusted Wald (Rocks 2016): add 3 pseudo-answers, 0.75 promoter, 0.75
   * detractor and 1.5 passive, i.e. n' = n + 3, P' = (P + 0.75) / n',
   * D' = (D + 0.75) / n'; then 1 - P' = (n - P + 2.25) / n' and likewise
   * for D'; the centre 100 (P' - D') = 100 (P - D) / n'. */
  double n3 = cxmi_u128_to_double(n) + 3.0;
  double p = (cxmi_u128_to_double(pro) + 0.75) / n3;
  double d = (cxmi_u128_to_double(det) + 0.75) / n3;
  double not_p = (cxmi_u128_to_double(cxmi_u128_sum(acc->count, 9)) + 2.25) / n3;
  double not_d = (cxmi_u128_to_double(cxmi_u128_sum(acc->count + 7, 4)) + 2.25) / n3;
  double centre = 100.0 * cxmi_u128_diff_to_double(pro, det) / n3;
  double se_adj = 100.0 * sqrt(nps_variance(p, not_p, d, not_d) / n3);
  out->adjusted_low = clip100(centre - CXMI_Z95 * se_adj);
  out->adjusted_high = clip100(centre + CXMI_Z95 * se_adj);
  return CXM_OK;
}

static int nps_empty(const cxm_nps_acc *acc) {
  cxmi_u128 n = cxmi_u128_sum(acc->count, 11);
  return n.hi == 0 && n.lo == 0;
}

int32_t cxm_nps_compare(cxm_comparison *out, const cxm_nps_acc *first, const cxm_nps_acc *second) {
  if (out == NULL || first == NULL || second == NULL) {
    return CXM_E_ARG;
  }
  out->first = out->second = out->diff = out->se = out->z = out->p = NAN;
  if (nps_empty(first) || nps_empty(second)) {
    return CXM_OK;
  }
  double s1 = 0.0;
  double s2 = 0.0;
  double se1 = nps_se(first, &s1);
  double se2 = nps_se(second, &s2);
  cxmi_compare_estimates(out, s1, se1, s2, se2);
  return CXM_OK;
}
