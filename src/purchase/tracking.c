/* The expected side of the tracking plots of the purchase-model literature
 * (cxm_model_tracking, include/cxm/purchase.h; docs/purchase.md,
 * "Tracking"): the repeat transactions a cohort of customers, each born at
 * its first purchase, is expected to make by the end of each period,
 *   C(t_j) = sum_i w_i E[X(t_j - b_i)],  t_j = j * period_length,
 * with E[X(t)] the expectation for a customer just acquired (FHL 2005
 * eq. 9 for BG/NBD) and only customers born before t_j counted. This is
 * what R BTYD's bgnbd.ExpectedCumulativeTransactions computes (its births
 * are max(T.cal) - T.cal). */
#include <math.h>
#include <string.h>

#include "cxm/purchase.h"

int32_t cxm_model_tracking(double *cumulative, double *incremental, size_t periods, const cxm_model *model,
                           const double *births, const double *weights, size_t n, double period_length) {
  if (cumulative == NULL || model == NULL || (births == NULL && n > 0)) {
    return CXM_E_ARG;
  }
  if (periods == 0 || periods > 100000 || !(period_length > 0.0) || !isfinite(period_length)) {
    return CXM_E_VALUE;
  }
  for (size_t i = 0; i < n; i++) {
    if (!(births[i] >= 0.0) || !isfinite(births[i]) ||
        (weights != NULL && (!(weights[i] >= 0.0) || !isfinite(weights[i])))) {
      return CXM_E_VALUE;
    }
  }
  /* The model is checked by cxm_model_population() (also for n = 0, so a
   * bad model is an error whatever the cohort). */
  double probe;
  int32_t rc = cxm_model_population(&probe, model, 0.0);
  if (rc != CXM_OK) {
    return rc;
  }
  double prev = 0.0;
  for (size_t j = 0; j < periods; j++) {
    double t = (double)(j + 1) * period_length, sum = 0.0;
    for (size_t i = 0; i < n; i++) {
      if (births[i] >= t) {
        continue;
      }
      double e;
      rc = cxm_model_population(&e, model, t - births[i]);
      if (rc != CXM_OK) {
        return rc; /* BG/BB: t - b_i not a whole number of opportunities */
      }
      sum += (weights != NULL ? weights[i] : 1.0) * e;
    }
    if (!isfinite(sum)) {
      return CXM_E_MODEL;
    }
    cumulative[j] = sum;
    if (incremental != NULL) {
      incremental[j] = sum - prev;
    }
    prev = sum;
  }
  return CXM_OK;
}
