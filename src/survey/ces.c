/* CES: mean answer with a t interval, sample standard deviation, and the
 * easy / high-effort shares and their net (docs/metrics.md, "CES"). */
#include "cxm/survey.h"

#include <math.h>

#include "math/stats.h"

int32_t cxm_ces_compute(cxm_ces_result *out, const cxm_ces_acc *acc) {
  if (out == NULL || acc == NULL) {
    return CXM_E_ARG;
  }
  cxmi_u128 n = cxmi_u128_sum(acc->count, 7);
  out->n = cxmi_u128_saturate(n);
  out->mean = out->sd = out->ci95_low = out->ci95_high = NAN;
  out->easy_pct = out->high_effort_pct = out->net = NAN;
  if (n.hi == 0 && n.lo == 0) {
    return CXM_OK;
  }
  double dn = cxmi_u128_to_double(n);
  cxmi_u128 total = {0, 0};
  for (uint32_t v = 1; v <= 7; v++) {
    cxmi_u128_add_mul(&total, acc->count[v - 1], v);
  }
  out->mean = cxmi_u128_to_double(total) / dn;
  cxmi_u128 easy = cxmi_u128_sum(acc->count + 4, 3); /* answers 5..7 */
  cxmi_u128 hard = cxmi_u128_sum(acc->count, 3);     /* answers 1..3 */
  out->easy_pct = 100.0 * cxmi_u128_to_double(easy) / dn;
  out->high_effort_pct = 100.0 * cxmi_u128_to_double(hard) / dn;
  out->net = 100.0 * cxmi_u128_diff_to_double(easy, hard) / dn;
  if (n.hi == 0 && n.lo < 2) {
    return CXM_OK;
  }
  /* Sum of squared deviations without cancellation: n sum c v^2 -
   * (sum c v)^2 = sum over pairs i < j of c_i c_j (v_i - v_j)^2 (Lagrange's
   * identity), so s^2 = sum_{i<j} c_i c_j (i - j)^2 / (n (n - 1)). Every
   * term is non-negative and the counts enter only through products, so
   * the variance keeps full relative accuracy even when it is tiny next to
   * the mean (e.g. 2^62 answers of 4 and a single 5). */
  cxmi_u128 one = {0, 1};
  double dn1 = cxmi_u128_diff_to_double(n, one);
  double ss = 0.0;
  for (size_t i = 0; i < 7; i++) {
    for (size_t j = i + 1; j < 7; j++) {
      double d = (double)(j - i);
      ss += (double)acc->count[i] * (double)acc->count[j] * d * d;
    }
  }
  double var = ss / dn / dn1;
  out->sd = sqrt(var);
  double half = cxmi_t_quantile(0.975, dn1) * out->sd / sqrt(dn);
  out->ci95_low = out->mean - half;
  out->ci95_high = out->mean + half;
  return CXM_OK;
}
