/* CSAT top-two box with its Wilson interval and mean, and the unpooled
 * two-proportion z test (docs/metrics.md, "CSAT"). */
#include "cxm/survey.h"

#include <math.h>

#include "math/stats.h"

/* satisfied = answers 4..5 (count[3], count[4]); the rest 1..3. */
static double csat_share_se(const cxm_csat_acc *acc, double *score) {
  double sat = cxmi_u128_to_double(cxmi_u128_sum(acc->count + 3, 2));
  double unsat = cxmi_u128_to_double(cxmi_u128_sum(acc->count, 3));
  double n = cxmi_u128_to_double(cxmi_u128_sum(acc->count, 5));
  double p = sat / n;
  *score = 100.0 * p;
  /* sqrt(p (1 - p) / n) with 1 - p from the unsatisfied count. */
  return 100.0 * sqrt(p * (unsat / n) / n);
}

int32_t cxm_csat_compute(cxm_csat_result *out, const cxm_csat_acc *acc) {
  if (out == NULL || acc == NULL) {
    return CXM_E_ARG;
  }
  cxmi_u128 n = cxmi_u128_sum(acc->count, 5);
  cxmi_u128 sat = cxmi_u128_sum(acc->count + 3, 2);
  out->n = cxmi_u128_saturate(n);
  out->satisfied = cxmi_u128_saturate(sat);
  if (n.hi == 0 && n.lo == 0) {
    out->score = out->mean = out->ci95_low = out->ci95_high = NAN;
    return CXM_OK;
  }
  double dn = cxmi_u128_to_double(n);
  double dsat = cxmi_u128_to_double(sat);
  out->score = 100.0 * dsat / dn;
  /* Exact sum of the answers, rounded once. */
  cxmi_u128 total = {0, 0};
  for (uint32_t v = 1; v <= 5; v++) {
    cxmi_u128_add_mul(&total, acc->count[v - 1], v);
  }
  out->mean = cxmi_u128_to_double(total) / dn;
  double lo = NAN;
  double hi = NAN;
  cxmi_wilson(&lo, &hi, dsat, cxmi_u128_to_double(cxmi_u128_sum(acc->count, 3)), CXMI_Z95);
  out->ci95_low = 100.0 * lo;
  out->ci95_high = 100.0 * hi;
  return CXM_OK;
}

static int csat_empty(const cxm_csat_acc *acc) {
  cxmi_u128 n = cxmi_u128_sum(acc->count, 5);
  return n.hi == 0 && n.lo == 0;
}

int32_t cxm_csat_compare(cxm_comparison *out, const cxm_csat_acc *first, const cxm_csat_acc *second) {
  if (out == NULL || first == NULL || second == NULL) {
    return CXM_E_ARG;
  }
  out->first = out->second = out->diff = out->se = out->z = out->p = NAN;
  if (csat_empty(first) || csat_empty(second)) {
    return CXM_OK;
  }
  double s1 = 0.0;
  double s2 = 0.0;
  double se1 = csat_share_se(first, &s1);
  double se2 = csat_share_se(second, &s2);
  cxmi_compare_estimates(out, s1, se1, s2, se2);
  return CXM_OK;
}
