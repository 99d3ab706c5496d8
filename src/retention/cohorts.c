/* Monthly cohort tables from a store (cxm/retention.h): the first active
 * month of each customer, then the distinct (customer, month) activity
 * pairs counted per (cohort, months since). */
#include "cxm/retention.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "time/civil.h"
#include "store/store_internal.h"

#define DAY INT64_C(86400)

struct cxm_cohorts {
  cxmi_alloc alloc;
  size_t months;
  int64_t from_month; /* months since 1970-01 of the first cohort */
  uint64_t *counts;   /* months x months: [cohort][offset] */
};

static int64_t month_of_day(int64_t day) {
  int64_t y;
  int32_t m, d;
  cxmi_civil_from_days(day, &y, &m, &d);
  return (y - 1970) * 12 + (m - 1);
}

/* the month number of a UTC midnight on a 1st, or -1 */
static int64_t month_start(int64_t t) {
  int64_t y;
  int32_t m, d;
  if (t < 0 || t % DAY != 0 || t > INT64_C(253402300800)) return -1;
  cxmi_civil_from_days(t / DAY, &y, &m, &d);
  return d == 1 ? (y - 1970) * 12 + (m - 1) : -1;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

int32_t cxm_store_cohorts(cxm_cohorts **out, const cxm_store *s, int64_t from, int64_t to) {
  cxmi_alloc al;
  cxm_cohorts *c;
  int64_t m0, m1, *first = NULL;
  uint64_t *pairs = NULL;
  size_t n, months, np = 0, cap;
  if (out == NULL || s == NULL) return CXM_E_ARG;
  m0 = month_start(from);
  m1 = month_start(to);
  if (m0 < 0 || m1 < 0 || m1 <= m0 || m1 - m0 > 1200) return CXM_E_WINDOW;
  months = (size_t)(m1 - m0);
  if (cxmi_store_keeps(s, CXM_OMIT_CUSTOMER_DAYS) != CXM_OK) return CXM_E_STATE;
  al = s->alloc;
  n = s->customers.count;
  cap = s->purchase_days.count;
  c = cxmi_calloc(&al, 1, sizeof *c);
  if (c != NULL) c->counts = cxmi_calloc(&al, months * months, sizeof *c->counts);
  first = n > 0 ? cxmi_calloc(&al, n, sizeof *first) : NULL;
  pairs = cap > 0 ? cxmi_calloc(&al, cap, sizeof *pairs) : NULL;
  if (c == NULL || c->counts == NULL || (n > 0 && first == NULL) || (cap > 0 && pairs == NULL)) {
    if (c != NULL) cxmi_free(&al, c->counts, months * months * sizeof *c->counts);
    cxmi_free(&al, c, sizeof *c);
    cxmi_free(&al, first, n * sizeof *first);
    cxmi_free(&al, pairs, cap * sizeof *pairs);
    return CXM_E_NOMEM;
  }
  for (size_t i = 0; i < n; i++) first[i] = INT64_MAX;
  const cxmi_day_slot *d;
  for (uint64_t pos = 0; (d = cxmi_daymap_next(&s->purchase_days, &pos)) != NULL;) {
    int64_t mo = month_of_day(cxmi_day_day(d));
    size_t cust = cxmi_day_customer(d);
    if (mo < first[cust]) first[cust] = mo;
    /* (customer, month) pairs in the window; months fit 11 bits (< 1200) */
    if (mo >= m0 && mo < m1 && np < cap) pairs[np++] = ((uint64_t)cust << 11) | (uint64_t)(mo - m0);
  }
  qsort(pairs, np, sizeof *pairs, cmp_u64);
  for (size_t i = 0; i < np; i++) {
    size_t cust = (size_t)(pairs[i] >> 11);
    int64_t mo = (int64_t)(pairs[i] & 2047) + m0;
    if (i > 0 && pairs[i] == pairs[i - 1]) continue; /* several active days in one month */
    if (first[cust] < m0 || first[cust] >= m1) continue;
    c->counts[(size_t)(first[cust] - m0) * months + (size_t)(mo - first[cust])]++;
  }
  cxmi_free(&al, first, n * sizeof *first);
  cxmi_free(&al, pairs, cap * sizeof *pairs);
  c->alloc = al;
  c->months = months;
  c->from_month = m0;
  *out = c;
  return CXM_OK;
}

size_t cxm_cohorts_count(const cxm_cohorts *c) { return c != NULL ? c->months : 0; }

int32_t cxm_cohorts_get(int64_t *month, uint64_t *size, uint64_t *active, size_t *observed, size_t capacity,
                        const cxm_cohorts *c, size_t index) {
  size_t obs;
  if (observed == NULL || c == NULL || (capacity > 0 && active == NULL)) return CXM_E_ARG;
  if (index >= c->months) return CXM_E_NOT_FOUND;
  obs = c->months - index;
  *observed = obs;
  if (capacity < obs) return CXM_E_BUFFER;
  if (month != NULL) {
    int64_t mo = c->from_month + (int64_t)index;
    *month = cxmi_days_from_civil(1970 + mo / 12, mo % 12 + 1, 1) * DAY;
  }
  if (size != NULL) *size = c->counts[index * c->months];
  memcpy(active, c->counts + index * c->months, obs * sizeof *active);
  return CXM_OK;
}

void cxm_cohorts_free(cxm_cohorts *c) {
  cxmi_alloc al;
  if (c == NULL) return;
  al = c->alloc;
  cxmi_free(&al, c->counts, c->months * c->months * sizeof *c->counts);
  cxmi_free(&al, c, sizeof *c);
}
