/* Respondent rows for key driver analysis from a store (cxm/drivers.h):
 * each customer's latest NPS answer from the per-day activity map and its
 * mean SERVQUAL perception answer per dimension over every cell. */
#include "cxm/drivers.h"

#include <math.h>
#include <string.h>

#include "common/alloc.h"
#include "store/store_internal.h"

typedef struct latest {
  int64_t day;
  int32_t at;
  int32_t nps; /* answer + 1; 0 none */
} latest;

static void offer(latest *c, int64_t day, int32_t at, int32_t value) {
  if (value == 0) return;
  if (c->nps == 0 || day > c->day || (day == c->day && at >= c->at)) {
    c->nps = value;
    c->day = day;
    c->at = at;
  }
}

int32_t cxm_store_driver_rows(double *y, double *x, size_t *rows, const cxm_store *s, int32_t outcome,
                              size_t capacity) {
  cxmi_alloc al;
  latest *l;
  double *cnt;
  size_t n;
  if (rows == NULL || s == NULL || (capacity > 0 && (y == NULL || x == NULL))) return CXM_E_ARG;
  if (outcome != CXM_DRIVERS_NPS && outcome != CXM_DRIVERS_PROMOTER) return CXM_E_OPTION;
  n = s->customers.count;
  *rows = n;
  if (capacity < n) return CXM_E_BUFFER;
  if (n == 0) return CXM_OK;
  al = s->alloc;
  /* both scratch tables before writing anything: CXM_E_NOMEM leaves y and x
   * as the caller gave them */
  l = cxmi_calloc(&al, n, sizeof *l);
  cnt = cxmi_calloc(&al, n * CXM_DRIVERS_SERVQUAL, sizeof *cnt);
  if (l == NULL || cnt == NULL) {
    cxmi_free(&al, l, n * sizeof *l);
    cxmi_free(&al, cnt, n * CXM_DRIVERS_SERVQUAL * sizeof *cnt);
    return CXM_E_NOMEM;
  }
  const cxmi_day_slot *d;
  for (uint64_t pos = 0; (d = cxmi_daymap_next(&s->purchase_days, &pos)) != NULL;) {
    latest *c = &l[cxmi_day_customer(d)];
    int64_t day = cxmi_day_day(d);
    offer(c, day, d->nps_prev_at, d->nps_prev);
    offer(c, day, d->nps_last_at, d->nps_last);
  }
  /* outcomes, and x zeroed to receive the perception sums */
  for (size_t i = 0; i < n; i++) {
    int32_t v = l[i].nps - 1;
    y[i] = l[i].nps == 0 ? NAN : outcome == CXM_DRIVERS_NPS ? (double)v : (v >= 9 ? 1.0 : 0.0);
    for (size_t k = 0; k < CXM_DRIVERS_SERVQUAL; k++) x[i * CXM_DRIVERS_SERVQUAL + k] = 0;
  }
  {
    /* counts per (customer, dimension) in cnt */
    for (uint32_t i = 0; i < s->servqual_keys.count; i++) {
      uint64_t key = s->servqual_keys.keys[i];
      size_t cust = (size_t)(key >> 32), dim = (size_t)(key & 7);
      const cxmi_servqual_answers *q = &s->servqual[i];
      if (dim < 1 || dim > CXM_DRIVERS_SERVQUAL || q->perception_n == 0) continue;
      x[cust * CXM_DRIVERS_SERVQUAL + dim - 1] += (double)q->perception_sum;
      cnt[cust * CXM_DRIVERS_SERVQUAL + dim - 1] += (double)q->perception_n;
    }
    for (size_t i = 0; i < n * CXM_DRIVERS_SERVQUAL; i++) x[i] = cnt[i] > 0 ? x[i] / cnt[i] : NAN;
    cxmi_free(&al, cnt, n * CXM_DRIVERS_SERVQUAL * sizeof *cnt);
  }
  cxmi_free(&al, l, n * sizeof *l);
  return CXM_OK;
}
