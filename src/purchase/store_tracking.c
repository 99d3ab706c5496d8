/* Tracking series of a store's purchases (cxm_store_tracking,
 * include/cxm/purchase.h; docs/purchase.md, "Tracking"): the repeat
 * transactions a cohort actually made by the end of each period, and what a
 * model expects of the same cohort (cxm_model_tracking over the customers'
 * birth days). As everywhere in the purchase models, a customer's purchases
 * of one UTC day are one transaction and the first is the birth. */
#include "store/store_internal.h"

#include "cxm/purchase.h"
#include "common/abi_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)

void cxm_tracking_options_init(cxm_tracking_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->from = INT64_MIN;
  options->cohort_to = INT64_MAX;
  options->period_seconds = 7.0 * 86400.0;
  options->unit_seconds = 7.0 * 86400.0;
}

static int cmp_i64(const void *x, const void *y) {
  int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
  return a < b ? -1 : a > b;
}

int32_t cxm_store_tracking(double *actual, double *expected, size_t periods, const cxm_store *store,
                           const cxm_model *model, const cxm_tracking_options *options) {
  cxm_tracking_options o;
  cxmi_alloc a;
  if (store == NULL || (actual == NULL && expected == NULL) || (expected != NULL && model == NULL)) return CXM_E_ARG;
  cxm_tracking_options_init(&o);
  if (options != NULL) {
    if (!CXMI_STRUCT_OK(options, cxm_tracking_options)) return CXM_E_SIZE;
    cxmi_struct_in(&o, options, sizeof o);
  }
  if (periods == 0 || periods > 100000) return CXM_E_VALUE;
  /* Whole days, so that a purchase day lies wholly in one period. */
  if (!(o.period_seconds >= 86400.0 && o.period_seconds <= 1e10) || fmod(o.period_seconds, 86400.0) != 0.0 ||
      !(o.unit_seconds > 0.0) || !isfinite(o.unit_seconds))
    return CXM_E_OPTION;
  if ((o.from != INT64_MIN && o.from % DAY != 0) || (o.cohort_to != INT64_MAX && o.cohort_to % DAY != 0) ||
      (o.from != INT64_MIN && o.cohort_to != INT64_MAX && o.cohort_to <= o.from))
    return CXM_E_WINDOW;
  if (cxmi_store_keeps(store, CXM_OMIT_CUSTOMER_DAYS) != CXM_OK) return CXM_E_STATE;
  size_t count = store->customers.count;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  /* first[i]: customer i's first purchase day (INT64_MAX: none). */
  int64_t *first = cxmi_malloc(&a, (count > 0 ? count : 1) * sizeof *first);
  if (first == NULL) return CXM_E_NOMEM;
  for (size_t i = 0; i < count; i++) first[i] = INT64_MAX;
  const cxmi_daymap *m = &store->purchase_days;
  for (uint32_t slot = 0; m->count > 0 && slot <= m->slot_mask; slot++) {
    const cxmi_day_slot *d = &m->slots[slot];
    if (d->key == 0 || d->purchases == 0) continue;
    uint64_t key = d->key - 1;
    int64_t day = (int64_t)(uint32_t)key;
    if (day < first[key >> 32]) first[key >> 32] = day;
  }
  /* The series starts at `from`, or at the earliest birth. */
  int64_t from_day = INT64_MAX;
  if (o.from != INT64_MIN) {
    from_day = o.from / DAY;
  } else {
    for (size_t i = 0; i < count; i++) from_day = first[i] < from_day ? first[i] : from_day;
  }
  int64_t to_day = o.cohort_to != INT64_MAX ? o.cohort_to / DAY : INT64_MAX;
  int64_t period_days = (int64_t)(o.period_seconds / 86400.0);
  /* The cohort: born in [from, cohort_to). Others get first = INT64_MAX. */
  size_t born = 0;
  for (size_t i = 0; i < count; i++) {
    if (first[i] == INT64_MAX || first[i] < from_day || first[i] >= to_day) {
      first[i] = INT64_MAX;
    } else {
      born++;
    }
  }
  int32_t rc = CXM_OK;
  if (actual != NULL) {
    /* Repeat transactions per period, then their running sum. */
    for (size_t j = 0; j < periods; j++) actual[j] = 0.0;
    for (uint32_t slot = 0; m->count > 0 && slot <= m->slot_mask; slot++) {
      const cxmi_day_slot *d = &m->slots[slot];
      if (d->key == 0 || d->purchases == 0) continue;
      uint64_t key = d->key - 1;
      int64_t day = (int64_t)(uint32_t)key, birth = first[key >> 32];
      if (birth == INT64_MAX || day <= birth) continue; /* not in the cohort, or the birth itself */
      int64_t j = (day - from_day) / period_days;
      if (j >= 0 && (uint64_t)j < periods) actual[j] += 1.0;
    }
    for (size_t j = 1; j < periods; j++) actual[j] += actual[j - 1];
  }
  if (expected != NULL) {
    /* Births by day (sorted, one entry a day with its count), in the
     * model's unit from the start of the series. */
    size_t nb = 0;
    int64_t *days = cxmi_malloc(&a, (born > 0 ? born : 1) * sizeof *days);
    double *when = cxmi_malloc(&a, (born > 0 ? born : 1) * sizeof *when);
    double *weight = cxmi_malloc(&a, (born > 0 ? born : 1) * sizeof *weight);
    if (days == NULL || when == NULL || weight == NULL) {
      rc = CXM_E_NOMEM;
    } else {
      size_t k = 0;
      for (size_t i = 0; i < count; i++)
        if (first[i] != INT64_MAX) days[k++] = first[i];
      if (k > 1) qsort(days, k, sizeof *days, cmp_i64);
      for (size_t i = 0; i < k; i++) {
        if (nb > 0 && days[i] == days[i - 1]) {
          weight[nb - 1] += 1.0;
          continue;
        }
        when[nb] = (double)(days[i] - from_day) * 86400.0 / o.unit_seconds;
        weight[nb++] = 1.0;
      }
      rc = cxm_model_tracking(expected, NULL, periods, model, when, weight, nb, o.period_seconds / o.unit_seconds);
    }
    cxmi_free(&a, days, (born > 0 ? born : 1) * sizeof *days);
    cxmi_free(&a, when, (born > 0 ? born : 1) * sizeof *when);
    cxmi_free(&a, weight, (born > 0 ? born : 1) * sizeof *weight);
  }
  cxmi_free(&a, first, (count > 0 ? count : 1) * sizeof *first);
  return rc;
}
