/* Per-customer purchase summaries (x, t_x, T, mean repeat spend, holdout
 * repeats) built from a store's purchase events (docs/purchase.md, "From
 * events"). Purchases of one customer on one UTC day are one transaction;
 * the first transaction is the customer's birth, not a repeat. */
#include "purchase/rfm.h"
#include "store/store_internal.h"

#include "cxm/purchase.h"
#include "common/abi_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)

void cxm_rfm_options_init(cxm_rfm_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->to = INT64_MAX;
  options->holdout_to = INT64_MIN;
  options->unit_seconds = 7.0 * 86400.0;
}

/* What the summaries need of one customer, gathered from its purchase days. */
typedef struct buyer {
  int64_t first_day, last_day; /* calibration days; first_day INT64_MAX: none */
  uint32_t days;               /* distinct calibration purchase days */
  uint32_t holdout_days;       /* distinct purchase days in the holdout */
  double spend;                /* total calibration spend, summed in day order */
  double first_spend;          /* spend of the first day */
} buyer;

/* One calibration purchase day of a customer. */
typedef struct spend_day {
  int64_t day;
  double amount;
} spend_day;

static int by_day(const void *x, const void *y) {
  int64_t a = ((const spend_day *)x)->day, b = ((const spend_day *)y)->day;
  return a < b ? -1 : a > b;
}

/* Each buyer's calibration spend, added in day order, so the sum depends on
 * the store's content only and not on its hash table's history: a loaded
 * snapshot or a merged store gives the same bits. A counting sort by
 * customer (b[].days counted in the first pass), then by day within one. */
static int32_t ordered_spend(buyer *b, size_t count, const cxmi_daymap *m, int64_t end_day, cxmi_alloc *a) {
  size_t *next = cxmi_malloc(a, (count + 1) * sizeof *next), total = 0, i, k;
  spend_day *days;
  uint32_t slot;
  if (next == NULL) return CXM_E_NOMEM;
  for (i = 0; i < count; i++) {
    next[i] = total;
    total += b[i].days;
  }
  next[count] = total;
  days = cxmi_malloc(a, (total > 0 ? total : 1) * sizeof *days);
  if (days == NULL) {
    cxmi_free(a, next, (count + 1) * sizeof *next);
    return CXM_E_NOMEM;
  }
  for (slot = 0; slot <= m->slot_mask; slot++) {
    const cxmi_day_slot *d = &m->slots[slot];
    uint64_t key;
    int64_t day;
    if (d->key == 0 || d->purchases == 0) continue;
    key = d->key - 1;
    day = (int64_t)(uint32_t)key;
    if (day > end_day) continue;
    days[next[key >> 32]].day = day;
    days[next[key >> 32]++].amount = d->amount;
  }
  /* next[i] is now the end of customer i's days; they start at the end of i - 1's. */
  for (i = 0, k = 0; i < count; k = next[i], i++) {
    size_t j, n = next[i] - k;
    if (n > 1) qsort(days + k, n, sizeof *days, by_day);
    b[i].spend = 0;
    for (j = 0; j < n; j++) b[i].spend += days[k + j].amount;
  }
  cxmi_free(a, days, (total > 0 ? total : 1) * sizeof *days);
  cxmi_free(a, next, (count + 1) * sizeof *next);
  return CXM_OK;
}

/* Calendar weeks (cxm_rfm_options.calendar_weeks): the week of a UTC day
 * number, Monday-based (day 0, 1970-01-01, was a Thursday, so day + 3
 * counts from Monday 1969-12-29), as pandas' Period("W") (weeks ending on
 * Sunday) groups dates for lifetimes' summaries with freq "W". */
static int64_t week_of(int64_t day) { return (day + 3) / 7; }

/* The summaries in calendar weeks: each customer's purchase days, sorted,
 * grouped into weeks; the first calibration week is the birth; x = distinct
 * calibration weeks - 1, t_x and T in whole weeks from the birth week to
 * the last purchase week and to the week of the last day of observation;
 * monetary the mean of the repeat weeks' totals; x_star the distinct weeks
 * of the holdout's purchase days (a week that straddles `to` may count on
 * both sides, as lifetimes splits the transactions by date first). */
static int32_t store_rfm_weeks(cxm_rfm *rfm, const cxm_store *store, int64_t end_day, int64_t holdout_end_day) {
  const cxmi_daymap *m = &store->purchase_days;
  size_t count = store->customers.count, total = 0, i;
  int64_t last_day = holdout_end_day != INT64_MIN ? holdout_end_day - 1 : end_day;
  int32_t rc = CXM_OK;
  cxmi_alloc a;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  size_t *next = cxmi_calloc(&a, count + 1, sizeof *next);
  if (next == NULL) return CXM_E_NOMEM;
  for (uint32_t slot = 0; slot <= m->slot_mask; slot++) {
    const cxmi_day_slot *d = &m->slots[slot];
    if (d->key == 0 || d->purchases == 0 || (int64_t)(uint32_t)(d->key - 1) > last_day) continue;
    next[(d->key - 1) >> 32]++;
  }
  for (i = 0; i < count; i++) {
    size_t c = next[i];
    next[i] = total;
    total += c;
  }
  next[count] = total;
  spend_day *days = cxmi_malloc(&a, (total > 0 ? total : 1) * sizeof *days);
  if (days == NULL) {
    cxmi_free(&a, next, (count + 1) * sizeof *next);
    return CXM_E_NOMEM;
  }
  for (uint32_t slot = 0; slot <= m->slot_mask; slot++) {
    const cxmi_day_slot *d = &m->slots[slot];
    uint64_t key = d->key - 1;
    if (d->key == 0 || d->purchases == 0 || (int64_t)(uint32_t)key > last_day) continue;
    days[next[key >> 32]].day = (int64_t)(uint32_t)key;
    days[next[key >> 32]++].amount = d->amount;
  }
  int64_t end_week = week_of(end_day);
  size_t k = 0;
  for (i = 0; i < count && rc == CXM_OK; k = next[i], i++) {
    size_t n = next[i] - k, j;
    if (n > 1) qsort(days + k, n, sizeof *days, by_day);
    int64_t first = INT64_MIN, last = INT64_MIN, hold_last = INT64_MIN;
    uint32_t weeks = 0, hold_weeks = 0;
    double spend = 0.0, first_spend = 0.0;
    for (j = 0; j < n; j++) {
      int64_t w = week_of(days[k + j].day);
      if (days[k + j].day > end_day) {
        if (w != hold_last) hold_weeks++;
        hold_last = w;
        continue;
      }
      if (weeks == 0) first = w;
      if (w != last) weeks++;
      last = w;
      spend += days[k + j].amount;
      if (w == first) first_spend += days[k + j].amount;
    }
    if (weeks == 0 || first == end_week) continue; /* no calibration purchase, or T = 0 */
    cxm_rfm_customer c;
    cxm_rfm_customer_init(&c);
    rc = cxm_store_customer_id(&c.id, &c.id_len, store, (uint32_t)i);
    if (rc != CXM_OK) break;
    c.x = weeks - 1;
    c.t_x = (double)(last - first);
    c.T = (double)(end_week - first);
    c.monetary = c.x > 0 && spend - first_spend > 0 ? (spend - first_spend) / c.x : NAN;
    c.x_star = holdout_end_day != INT64_MIN ? (double)hold_weeks : NAN;
    rc = cxm_rfm_add(rfm, &c);
  }
  cxmi_free(&a, days, (total > 0 ? total : 1) * sizeof *days);
  cxmi_free(&a, next, (count + 1) * sizeof *next);
  return rc;
}

int32_t cxm_store_rfm(cxm_rfm *rfm, const cxm_store *store, const cxm_rfm_options *options) {
  return cxmi_store_rfm(rfm, NULL, store, options);
}

int32_t cxmi_store_rfm(cxm_rfm *rfm, uint32_t *handles, const cxm_store *store, const cxm_rfm_options *options) {
  cxm_rfm_options o;
  cxmi_alloc a;
  buyer *b;
  int64_t end_day, holdout_end_day;
  size_t count;
  uint32_t i, slot;
  int32_t rc = CXM_OK;
  if (rfm == NULL || store == NULL) return CXM_E_ARG;
  cxm_rfm_options_init(&o);
  if (options != NULL) {
    if (!CXMI_STRUCT_OK(options, cxm_rfm_options)) return CXM_E_SIZE;
    cxmi_struct_in(&o, options, sizeof o);
  }
  if (!(o.unit_seconds > 0) || !isfinite(o.unit_seconds)) return CXM_E_OPTION;
  if (o.calendar_weeks != 0 && (o.calendar_weeks != 1 || o.unit_seconds != 7.0 * 86400.0)) return CXM_E_OPTION;
  /* Whole days: a purchase day lies wholly in calibration or in holdout. */
  if ((o.to != INT64_MAX && (o.to % DAY != 0 || o.to <= 0)) ||
      (o.holdout_to != INT64_MIN && (o.holdout_to % DAY != 0 || o.to == INT64_MAX || o.holdout_to <= o.to)))
    return CXM_E_WINDOW;
  if (cxmi_store_keeps(store, CXM_OMIT_CUSTOMER_DAYS) != CXM_OK) return CXM_E_STATE;
  if (store->purchase_days.count == 0) return CXM_OK; /* no customer day at all */
  /* The last day of observation: the day before `to`, or the last event's. */
  end_day = o.to != INT64_MAX ? o.to / DAY - 1 : store->last / DAY;
  holdout_end_day = o.holdout_to != INT64_MIN ? o.holdout_to / DAY : INT64_MIN;
  if (o.calendar_weeks) return store_rfm_weeks(rfm, store, end_day, holdout_end_day);

  cxmi_alloc_init(&a, &store->alloc.hooks);
  count = store->customers.count;
  b = cxmi_malloc(&a, count * sizeof *b);
  if (b == NULL) return CXM_E_NOMEM;
  for (i = 0; i < count; i++) {
    memset(&b[i], 0, sizeof b[i]);
    b[i].first_day = INT64_MAX;
    b[i].last_day = INT64_MIN;
  }
  /* One pass over the purchase days, in table order (input need not be
   * sorted): the birth day is the least day, whatever order it comes in.
   * The spend is summed afterwards, in day order (ordered_spend). */
  for (slot = 0; slot <= store->purchase_days.slot_mask; slot++) {
    const cxmi_day_slot *d = &store->purchase_days.slots[slot];
    uint64_t key;
    buyer *c;
    int64_t day;
    if (d->key == 0 || d->purchases == 0) continue; /* a day without purchases */
    key = d->key - 1;
    c = &b[key >> 32];
    day = (int64_t)(uint32_t)key;
    if (day > end_day) {
      if (day < holdout_end_day) c->holdout_days++;
      continue;
    }
    /* Equal days cannot occur: each (customer, day) has one slot. */
    if (day < c->first_day) {
      c->first_day = day;
      c->first_spend = d->amount;
    }
    if (day > c->last_day) c->last_day = day;
    c->days++;
  }
  rc = ordered_spend(b, count, &store->purchase_days, end_day, &a);
  for (i = 0; i < count && rc == CXM_OK; i++) {
    cxm_rfm_customer c;
    const buyer *y = &b[i];
    double per_day = (double)DAY / o.unit_seconds;
    if (y->days == 0 || y->first_day == end_day) continue; /* no purchase, or T = 0: nothing to learn */
    cxm_rfm_customer_init(&c);
    rc = cxm_store_customer_id(&c.id, &c.id_len, store, i);
    if (rc != CXM_OK) break;
    c.x = y->days - 1;
    c.t_x = (double)(y->last_day - y->first_day) * per_day;
    c.T = (double)(end_day - y->first_day) * per_day;
    c.monetary = c.x > 0 && y->spend - y->first_spend > 0 ? (y->spend - y->first_spend) / c.x : NAN;
    c.x_star = holdout_end_day != INT64_MIN ? (double)y->holdout_days : NAN;
    rc = cxm_rfm_add(rfm, &c);
    if (rc == CXM_OK && handles != NULL) *handles++ = i;
  }
  cxmi_free(&a, b, count * sizeof *b);
  return rc;
}
