/* Survey accumulators: zero, add answers, merge (cxm_survey_acc_* of
 * include/cxm/survey.h). The metrics live in nps.c, csat.c and ces.c, the
 * byte format in survey_codec.c.
 *
 * Invariant kept by add and merge: no count, and no kind's total (the n of
 * its metric), exceeds UINT64_MAX, so every n reported is exact. A caller
 * may still fill the plain struct by hand past that; the metrics then
 * stay exact (128-bit sums) and only the reported integers saturate. */
#include "cxm/survey.h"

#include <math.h>
#include <string.h>

#include "cxm/event.h"
#include "math/stats.h"

void cxm_survey_acc_init(cxm_survey_acc *acc) {
  if (acc != NULL) {
    memset(acc, 0, sizeof *acc);
  }
}

/* The counts of one kind, or NULL for a kind without an accumulator. */
static uint64_t *kind_counts(cxm_survey_acc *acc, int32_t kind, size_t *k, int32_t *min_value) {
  switch (kind) {
  case CXM_KIND_NPS:
    *k = sizeof acc->nps.count / sizeof acc->nps.count[0];
    *min_value = 0;
    return acc->nps.count;
  case CXM_KIND_CSAT:
    *k = sizeof acc->csat.count / sizeof acc->csat.count[0];
    *min_value = 1;
    return acc->csat.count;
  case CXM_KIND_CES:
    *k = sizeof acc->ces.count / sizeof acc->ces.count[0];
    *min_value = 1;
    return acc->ces.count;
  default: return NULL;
  }
}

/* Whether count[0..k) + add[0..k) keeps every count and the total within
 * 64 bits. */
static int fits(const uint64_t *count, const uint64_t *add, size_t k) {
  cxmi_u128 total = cxmi_u128_sum(count, k);
  cxmi_u128 extra = cxmi_u128_sum(add, k);
  for (size_t i = 0; i < k; i++) {
    if (count[i] > UINT64_MAX - add[i]) {
      return 0;
    }
  }
  if (total.hi != 0 || extra.hi != 0) {
    return 0;
  }
  return total.lo <= UINT64_MAX - extra.lo;
}

int32_t cxm_survey_acc_add(cxm_survey_acc *acc, int32_t kind, int32_t value, uint64_t count) {
  if (acc == NULL) {
    return CXM_E_ARG;
  }
  size_t k = 0;
  int32_t min_value = 0;
  uint64_t *counts = kind_counts(acc, kind, &k, &min_value);
  if (counts == NULL) {
    return CXM_E_KIND;
  }
  if (value < min_value || (int64_t)value - min_value >= (int64_t)k) {
    return CXM_E_VALUE;
  }
  /* fits() for a single value, in one pass: the kind's total, if it stays
   * within 64 bits, bounds every count, so total + count <= UINT64_MAX is
   * the whole check. This runs once per answer (the PostgreSQL
   * aggregates' transition, cxm report's records), hence no scratch array
   * and no 128-bit sums. */
  uint64_t total = 0;
  int wrapped = 0;
  for (size_t j = 0; j < k; j++) {
    total += counts[j];
    wrapped |= total < counts[j];
  }
  if (wrapped || total > UINT64_MAX - count) {
    return CXM_E_OVERFLOW;
  }
  counts[(size_t)(value - min_value)] += count;
  return CXM_OK;
}

int32_t cxm_survey_acc_merge(cxm_survey_acc *dst, const cxm_survey_acc *src) {
  if (dst == NULL || src == NULL) {
    return CXM_E_ARG;
  }
  /* Check everything before writing anything, so a failure leaves dst as
   * it was. dst == src is fine: each count is read before it is written. */
  if (!fits(dst->nps.count, src->nps.count, 11) || !fits(dst->csat.count, src->csat.count, 5) ||
      !fits(dst->ces.count, src->ces.count, 7)) {
    return CXM_E_OVERFLOW;
  }
  for (size_t i = 0; i < 11; i++) {
    dst->nps.count[i] += src->nps.count[i];
  }
  for (size_t i = 0; i < 5; i++) {
    dst->csat.count[i] += src->csat.count[i];
  }
  for (size_t i = 0; i < 7; i++) {
    dst->ces.count[i] += src->ces.count[i];
  }
  return CXM_OK;
}

void cxmi_compare_estimates(cxm_comparison *out, double s1, double se1, double s2, double se2) {
  out->first = s1;
  out->second = s2;
  out->diff = s2 - s1;
  /* Independent periods: SE = sqrt(SE1^2 + SE2^2) (metrics.md); hypot
   * avoids spurious underflow of the squares. */
  out->se = hypot(se1, se2);
  out->z = out->p = NAN;
  if (out->se > 0.0) {
    out->z = out->diff / out->se;
    out->p = cxmi_two_sided_p(out->z);
  }
}
