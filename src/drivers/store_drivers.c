/* Respondent rows for key driver analysis from a store (cxm/drivers.h):
 * each customer's latest NPS answer from the per-day activity map and its
 * mean SERVQUAL perception answer per dimension over every cell. */
#include "cxm/drivers.h"

#include <math.h>
#include <string.h>

#include "common/alloc.h"
#include "common/abi_check.h"
#include "common/hash.h"
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
  if (cxmi_store_keeps(s, CXM_OMIT_CUSTOMER_DAYS) != CXM_OK) return CXM_E_STATE;
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

void cxm_driver_table_options_init(cxm_driver_table_options *opt) {
  if (opt == NULL) return;
  memset(opt, 0, sizeof *opt);
  opt->size = sizeof *opt;
  opt->outcome = CXM_DRIVERS_NPS;
  opt->respondent = CXM_DRIVERS_BY_CUSTOMER;
}

/* The latest NPS answer of each interaction, from the survey log (input
 * order: of equal times the later recorded wins): value + 1, 0 none. */
static void latest_by_interaction(uint8_t *nps, int64_t *at, const cxm_store *s) {
  for (uint32_t i = 0; i < s->loop.count; i++) {
    const cxmi_loop_event *r = &s->loop.items[i];
    if (r->kind != CXM_KIND_NPS || r->ref == 0) continue;
    if (nps[r->ref - 1] == 0 || r->time >= at[r->ref - 1]) {
      nps[r->ref - 1] = (uint8_t)(r->value + 1);
      at[r->ref - 1] = r->time;
    }
  }
}

static double outcome_of(int32_t nps, int32_t outcome) {
  return nps == 0 ? NAN : outcome == CXM_DRIVERS_NPS ? (double)(nps - 1) : (nps - 1 >= 9 ? 1.0 : 0.0);
}

int32_t cxm_store_driver_table(double *y, double *x, size_t *rows, size_t *cols, const cxm_store *s,
                               const cxm_driver_table_options *opt, size_t capacity) {
  cxm_driver_table_options defaults;
  cxmi_alloc al;
  double *cnt;
  size_t n, p;
  int by_ref;
  if (rows == NULL || cols == NULL || s == NULL || (capacity > 0 && (y == NULL || x == NULL))) return CXM_E_ARG;
  if (opt == NULL) {
    cxm_driver_table_options_init(&defaults);
    opt = &defaults;
  }
  if (!CXMI_STRUCT_OK(opt, cxm_driver_table_options)) return CXM_E_SIZE;
  if ((opt->outcome != CXM_DRIVERS_NPS && opt->outcome != CXM_DRIVERS_PROMOTER) ||
      (opt->respondent != CXM_DRIVERS_BY_CUSTOMER && opt->respondent != CXM_DRIVERS_BY_REF))
    return CXM_E_OPTION;
  by_ref = opt->respondent == CXM_DRIVERS_BY_REF;
  /* By customer, the outcome is each customer's latest NPS day. */
  if (!by_ref && cxmi_store_keeps(s, CXM_OMIT_CUSTOMER_DAYS) != CXM_OK) return CXM_E_STATE;
  n = by_ref ? s->ratings.refs.count : s->customers.count;
  p = CXM_DRIVERS_SERVQUAL + s->ratings.attributes.count;
  *rows = n;
  *cols = p;
  if (capacity < n) return CXM_E_BUFFER;
  if (n == 0) return CXM_OK;
  al = s->alloc;
  cnt = cxmi_calloc(&al, n * p, sizeof *cnt);
  if (cnt == NULL) return CXM_E_NOMEM;
  if (by_ref) {
    size_t m = s->interactions.refs.count;
    uint8_t *nps = m > 0 ? cxmi_calloc(&al, m, sizeof *nps) : NULL;
    int64_t *at = m > 0 ? cxmi_calloc(&al, m, sizeof *at) : NULL;
    if (m > 0 && (nps == NULL || at == NULL)) {
      cxmi_free(&al, nps, m * sizeof *nps);
      cxmi_free(&al, at, m * sizeof *at);
      cxmi_free(&al, cnt, n * p * sizeof *cnt);
      return CXM_E_NOMEM;
    }
    if (m > 0) latest_by_interaction(nps, at, s);
    for (size_t i = 0; i < n; i++) {
      size_t len;
      const char *ref = cxmi_intern_str(&s->ratings.refs, (uint32_t)i, &len);
      int64_t k = m > 0 ? cxmi_intern_find(&s->interactions.refs, ref, len, cxmi_hash_bytes(ref, len)) : -1;
      y[i] = outcome_of(k >= 0 ? nps[k] : 0, opt->outcome);
    }
    cxmi_free(&al, nps, m * sizeof *nps);
    cxmi_free(&al, at, m * sizeof *at);
    for (size_t i = 0; i < n * p; i++) x[i] = 0;
  } else {
    latest *l = cxmi_calloc(&al, n, sizeof *l);
    if (l == NULL) {
      cxmi_free(&al, cnt, n * p * sizeof *cnt);
      return CXM_E_NOMEM;
    }
    const cxmi_day_slot *d;
    for (uint64_t pos = 0; (d = cxmi_daymap_next(&s->purchase_days, &pos)) != NULL;) {
      latest *c = &l[cxmi_day_customer(d)];
      int64_t day = cxmi_day_day(d);
      offer(c, day, d->nps_prev_at, d->nps_prev);
      offer(c, day, d->nps_last_at, d->nps_last);
    }
    for (size_t i = 0; i < n; i++) y[i] = outcome_of(l[i].nps, opt->outcome);
    cxmi_free(&al, l, n * sizeof *l);
    for (size_t i = 0; i < n * p; i++) x[i] = 0;
    /* perceptions: every answer, from the SERVQUAL table */
    for (uint32_t i = 0; i < s->servqual_keys.count; i++) {
      uint64_t key = s->servqual_keys.keys[i];
      size_t cust = (size_t)(key >> 32), dim = (size_t)(key & 7);
      const cxmi_servqual_answers *q = &s->servqual[i];
      if (dim < 1 || dim > CXM_DRIVERS_SERVQUAL || q->perception_n == 0) continue;
      x[cust * p + dim - 1] += (double)q->perception_sum;
      cnt[cust * p + dim - 1] += (double)q->perception_n;
    }
  }
  for (uint32_t i = 0; i < s->ratings.count; i++) {
    const cxmi_rating *r = &s->ratings.items[i];
    size_t row, col;
    if (by_ref) {
      if (r->ref == 0) continue;
      row = r->ref - 1;
      col = r->attribute > 0 ? CXM_DRIVERS_SERVQUAL - 1 + (size_t)r->attribute : (size_t)(-r->attribute) - 1;
    } else {
      /* by customer the perceptions are in the SERVQUAL table already */
      if (r->attribute < 0) continue;
      row = r->customer;
      col = CXM_DRIVERS_SERVQUAL - 1 + (size_t)r->attribute;
    }
    x[row * p + col] += r->value;
    cnt[row * p + col] += 1;
  }
  for (size_t i = 0; i < n * p; i++) x[i] = cnt[i] > 0 ? x[i] / cnt[i] : NAN;
  cxmi_free(&al, cnt, n * p * sizeof *cnt);
  return CXM_OK;
}
