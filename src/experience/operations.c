/* Service operations of a slice (cxm/operations.h, docs/experience.md,
 * "Service operations"): one pass over the interactions, the customer's
 * contacts sorted by open time for the repeat-contact look-ups. */
#include "cxm/operations.h"

#include "common/alloc.h"
#include "common/compiler.h"
#include "store/interactions.h"
#include "math/quantile.h"
#include "store/slice.h"
#include "store/store_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)

void cxm_operations_options_init(cxm_operations_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->window_seconds = 7 * DAY;
}

typedef struct contact {
  uint32_t customer;
  int32_t channel;
  int64_t open;
  uint32_t index; /* interaction index: ties in open time keep store order */
} contact;

static int by_customer_open(const void *x, const void *y) {
  const contact *a = x, *b = y;
  if (a->customer != b->customer) return a->customer < b->customer ? -1 : 1;
  if (a->open != b->open) return a->open < b->open ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

static double mean_of(const int64_t *x, size_t n) {
  double sum = 0;
  size_t i;
  if (n == 0) return NAN;
  for (i = 0; i < n; i++) sum += (double)x[i];
  return sum / (double)n;
}

static double median_of(int64_t *x, size_t n) { return n == 0 ? NAN : cxmi_quantile_i64(x, n, 0.5); }

static double pct(uint64_t k, uint64_t n) { return n == 0 ? NAN : 100.0 * (double)k / (double)n; }

/* What one contact contributes, found once for every filter, with the
 * interaction's fields that the filters and counts read: the facts are in
 * customer order, and reading them in place of the interactions (152
 * bytes each, in store order) saves a cache miss per contact per filter. */
typedef struct facts {
  int64_t first, full, first_b, full_b; /* resolution durations, when resolved */
  int64_t period;                       /* the interaction's first_time */
  int32_t channel, stage, segment;      /* where it was opened */
  uint32_t transfers;
  uint8_t repeated, switched, fcr, resolved, reopened;
} facts;

static int32_t check_options(cxm_operations_options *o, const cxm_operations_options *options) {
  if (options == NULL) {
    cxm_operations_options_init(o);
    return CXM_OK;
  }
  if (options->size != sizeof *options) return CXM_E_SIZE;
  if (options->window_seconds < 1 || options->window_seconds > 3660 * DAY) return CXM_E_OPTION;
  *o = *options;
  return CXM_OK;
}

/* Contacts ahead whose interaction find_facts starts loading. */
#define PREFETCH_AHEAD 8

/* Per contact: repeat, switch and FCR flags against all the customer's
 * contacts, and the four resolution durations. */
static int32_t find_facts(facts *fs, contact *cs, size_t n, const cxm_store *store, const cxm_operations_options *o,
                          const cxm_calendar *cal) {
  size_t i;
  if (n > 1) qsort(cs, n, sizeof *cs, by_customer_open);
  for (i = 0; i < n; i++) {
    const cxmi_interaction *c = &store->interactions.items[cs[i].index];
    facts *f = &fs[i];
    /* In customer order the interactions are read at random: start
     * loading a later one's lines (it spans three) while this one is done. */
    if (i + PREFETCH_AHEAD < n) {
      const char *later = (const char *)&store->interactions.items[cs[i + PREFETCH_AHEAD].index];
      PREFETCH(later);
      PREFETCH(later + 64);
      PREFETCH(later + sizeof *c - 1);
    }
    size_t j, next = n; /* the customer's first contact opened strictly later */
    memset(f, 0, sizeof *f);
    f->period = c->first_time;
    f->channel = c->open_channel;
    f->stage = c->open_stage;
    f->segment = c->open_segment;
    f->transfers = c->transfer_n;
    f->resolved = c->resolve_time != CXMI_NO_TIME;
    f->reopened = c->reopen_n > 0;
    /* Contacts opened in the same second are neither repeats nor switches. */
    for (j = i + 1; j < n && cs[j].customer == cs[i].customer; j++) {
      if (cs[j].open == cs[i].open) continue;
      if (next == n) next = j;
      if (cs[j].open - cs[i].open > o->window_seconds) break;
      if (cs[j].channel != cs[i].channel) f->switched = 1;
    }
    f->repeated = next < n && cs[next].open - cs[i].open <= o->window_seconds;
    if (c->resolve_time != CXMI_NO_TIME) {
      int32_t rc;
      f->fcr = c->reply_n <= 1 && c->reopen_n == 0 &&
               !(next < n && cs[next].open <= c->resolve_time + o->window_seconds);
      f->first = c->resolve_time - c->open_time;
      f->full = c->last_resolve_time - c->open_time;
      rc = cxm_calendar_business_seconds(&f->first_b, cal, c->open_time, c->resolve_time);
      if (rc == CXM_OK) rc = cxm_calendar_business_seconds(&f->full_b, cal, c->open_time, c->last_resolve_time);
      if (rc != CXM_OK) return rc;
    }
  }
  return CXM_OK;
}

/* One filter's result from the facts; `dur` has room for 4 n durations. */
static void summarise(cxm_operations_result *r, const facts *fs, size_t n, int64_t *dur, const cxm_filter *f) {
  size_t i, resolved = 0;
  memset(r, 0, sizeof *r);
  r->size = sizeof *r;
  for (i = 0; i < n; i++) {
    if (!cxmi_item_selected(f, fs[i].period, fs[i].channel, fs[i].stage, fs[i].segment)) continue;
    r->contacts++;
    r->transfers += fs[i].transfers;
    r->repeated += fs[i].repeated;
    r->switched += fs[i].switched;
    if (!fs[i].resolved) continue;
    r->resolved++;
    r->reopened += fs[i].reopened;
    r->first_contact_resolved += fs[i].fcr;
    dur[resolved] = fs[i].first;
    dur[n + resolved] = fs[i].full;
    dur[2 * n + resolved] = fs[i].first_b;
    dur[3 * n + resolved] = fs[i].full_b;
    resolved++;
  }
  r->fcr_pct = pct(r->first_contact_resolved, r->resolved);
  r->reopen_pct = pct(r->reopened, r->resolved);
  r->repeat_pct = pct(r->repeated, r->contacts);
  r->switch_pct = pct(r->switched, r->contacts);
  r->transfers_per_contact = r->contacts == 0 ? NAN : (double)r->transfers / (double)r->contacts;
  r->first_resolution_mean_s = mean_of(dur, resolved);
  r->full_resolution_mean_s = mean_of(dur + n, resolved);
  r->first_resolution_business_mean_s = mean_of(dur + 2 * n, resolved);
  r->full_resolution_business_mean_s = mean_of(dur + 3 * n, resolved);
  r->first_resolution_median_s = median_of(dur, resolved);
  r->full_resolution_median_s = median_of(dur + n, resolved);
  r->first_resolution_business_median_s = median_of(dur + 2 * n, resolved);
  r->full_resolution_business_median_s = median_of(dur + 3 * n, resolved);
}

int32_t cxm_store_operations_each(cxm_operations_result *out, const cxm_filter *filters, size_t count,
                                  const cxm_store *store, const cxm_operations_options *options) {
  cxm_operations_options o;
  cxm_filter *fs = NULL;
  cxm_operations_result *rs = NULL;
  cxm_calendar *own = NULL;
  const cxm_calendar *cal;
  cxmi_alloc a;
  contact *cs = NULL;
  facts *fa = NULL;
  int64_t *dur = NULL;
  size_t n = 0, i, k, total;
  int32_t rc;
  if (store == NULL || (count > 0 && (out == NULL || filters == NULL))) return CXM_E_ARG;
  for (k = 0; k < count; k++)
    if (out[k].size != sizeof *out) return CXM_E_SIZE;
  rc = check_options(&o, options);
  if (rc != CXM_OK) return rc;
  if (count == 0) return CXM_OK;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  if (count > SIZE_MAX / sizeof *fs / 2) return CXM_E_NOMEM;
  fs = cxmi_malloc(&a, count * sizeof *fs);
  rs = cxmi_malloc(&a, count * sizeof *rs);
  if (fs == NULL || rs == NULL) {
    rc = CXM_E_NOMEM;
    goto done;
  }
  for (k = 0; k < count && rc == CXM_OK; k++) rc = cxmi_filter_resolve(&fs[k], store, &filters[k]);
  if (rc != CXM_OK) goto done;
  cal = o.calendar;
  if (cal == NULL) {
    rc = cxm_calendar_new(&own, &store->alloc.hooks);
    if (rc != CXM_OK) goto done;
    cal = own;
  }
  total = store->interactions.refs.count;
  for (i = 0; i < total; i++) n += store->interactions.items[i].open_time != CXMI_NO_TIME;
  if (n > 0) {
    cs = cxmi_malloc(&a, n * sizeof *cs);
    fa = cxmi_malloc(&a, n * sizeof *fa);
    dur = cxmi_malloc(&a, 4 * n * sizeof *dur);
    if (cs == NULL || fa == NULL || dur == NULL) {
      rc = CXM_E_NOMEM;
      goto done;
    }
  }
  n = 0;
  for (i = 0; i < total; i++) {
    const cxmi_interaction *c = &store->interactions.items[i];
    if (c->open_time == CXMI_NO_TIME) continue;
    cs[n].customer = c->open_customer;
    cs[n].channel = c->open_channel;
    cs[n].open = c->open_time;
    cs[n].index = (uint32_t)i;
    n++;
  }
  rc = find_facts(fa, cs, n, store, &o, cal);
  if (rc != CXM_OK) goto done;
  for (k = 0; k < count; k++) summarise(&rs[k], fa, n, dur, &fs[k]);
  memcpy(out, rs, count * sizeof *out);
done:
  cxmi_free(&a, cs, cs != NULL ? n * sizeof *cs : 0);
  cxmi_free(&a, fa, fa != NULL ? n * sizeof *fa : 0);
  cxmi_free(&a, dur, dur != NULL ? 4 * n * sizeof *dur : 0);
  cxmi_free(&a, fs, fs != NULL ? count * sizeof *fs : 0);
  cxmi_free(&a, rs, rs != NULL ? count * sizeof *rs : 0);
  cxm_calendar_free(own);
  return rc;
}

int32_t cxm_store_operations(cxm_operations_result *out, const cxm_store *store, const cxm_filter *filter,
                             const cxm_operations_options *options) {
  cxm_filter all;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  if (filter == NULL) {
    cxm_filter_init(&all);
    filter = &all;
  }
  return cxm_store_operations_each(out, filter, 1, store, options);
}

/* ---- Backlog -------------------------------------------------------------- */

/* A contact of the backlog: its open time, the business seconds from
 * CXM_TIME_MIN to it (INT64_MIN until needed), and its interaction. Sorted
 * by (open, index). */
typedef struct bl_contact {
  int64_t open;
  int64_t open_b;
  uint32_t index;
} bl_contact;

/* A status event of a selected contact: sorted by (rank, time, input). */
typedef struct bl_status {
  int64_t time;
  uint32_t rank, seq;
  int32_t kind;
} bl_status;

/* A contact entering (+1) or leaving (-1) the open set at `time`. */
typedef struct bl_edge {
  int64_t time;
  uint32_t rank;
  int32_t delta;
} bl_edge;

static int by_open(const void *x, const void *y) {
  const bl_contact *a = x, *b = y;
  if (a->open != b->open) return a->open < b->open ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

static int by_rank_time(const void *x, const void *y) {
  const bl_status *a = x, *b = y;
  if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
  if (a->time != b->time) return a->time < b->time ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int by_edge_time(const void *x, const void *y) {
  const bl_edge *a = x, *b = y;
  return a->time < b->time ? -1 : a->time > b->time;
}

static int64_t floor_day(int64_t t) { return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY); }

/* Fenwick tree over ranks 0..n-1: add, and the k-th present rank (0-based). */
static void fen_add(int64_t *tree, size_t n, size_t rank, int32_t delta) {
  for (size_t i = rank + 1; i <= n; i += i & (~i + 1)) tree[i - 1] += delta;
}

static size_t fen_kth(const int64_t *tree, size_t n, uint64_t k) {
  size_t pos = 0, step = 1;
  while (step * 2 <= n) step *= 2;
  for (; step > 0; step /= 2) {
    if (pos + step <= n && (uint64_t)tree[pos + step - 1] <= k) {
      pos += step;
      k -= (uint64_t)tree[pos - 1];
    }
  }
  return pos; /* 0-based rank */
}

/* The business seconds from CXM_TIME_MIN to a contact's open, computed on
 * first use (INT64_MIN: not yet): a day's quantiles need only the two
 * contacts they interpolate between. */
static int32_t open_business(int64_t *out, bl_contact *x, const cxm_calendar *cal) {
  if (x->open_b == INT64_MIN) {
    int32_t rc = cxm_calendar_business_seconds(&x->open_b, cal, CXM_TIME_MIN, x->open);
    if (rc != CXM_OK) {
      x->open_b = INT64_MIN;
      return rc;
    }
  }
  *out = x->open_b;
  return CXM_OK;
}

/* numpy's linear quantile of the ages of the n open contacts at `end`:
 * the j-th smallest age belongs to the (n - 1 - j)-th earliest open. */
static int32_t backlog_quantile(double *wall, double *business, const int64_t *tree, bl_contact *cs, size_t c,
                                uint64_t n, int64_t end, int64_t end_b, double q, const cxm_calendar *cal) {
  double h = (double)(n - 1) * q, g;
  uint64_t lo, hi;
  int64_t a, b, xb = 0, yb = 0;
  bl_contact *x, *y;
  int32_t rc;
  if (h >= (double)(n - 1)) {
    lo = hi = n - 1;
    g = 0;
  } else {
    double f = floor(h);
    lo = (uint64_t)f;
    hi = lo + 1;
    g = h - f;
  }
  x = &cs[fen_kth(tree, c, n - 1 - lo)];
  y = &cs[fen_kth(tree, c, n - 1 - hi)];
  a = end - x->open;
  b = end - y->open;
  *wall = g >= 0.5 ? (double)b - (double)((uint64_t)b - (uint64_t)a) * (1.0 - g)
                   : (double)a + (double)((uint64_t)b - (uint64_t)a) * g;
  rc = open_business(&xb, x, cal);
  if (rc == CXM_OK) rc = open_business(&yb, y, cal);
  if (rc != CXM_OK) return rc;
  a = end_b - xb;
  b = end_b - yb;
  *business = g >= 0.5 ? (double)b - (double)((uint64_t)b - (uint64_t)a) * (1.0 - g)
                       : (double)a + (double)((uint64_t)b - (uint64_t)a) * g;
  return CXM_OK;
}

/* The backlog's days and their open contacts, once the arguments are
 * checked: `days` entries of `out` receive the series. */
static int32_t backlog_run(cxm_backlog_day *out, int64_t first_day, size_t days, int32_t offset, const cxm_store *store,
                           const cxm_filter *f, const cxm_calendar *cal, cxmi_alloc *a) {
  const cxmi_interactions *t = &store->interactions;
  size_t total = t->refs.count, c = 0, ns = 0, ne = 0, cap_c, cap_s = 0, i, d, p;
  bl_contact *cs = NULL;
  bl_status *ss = NULL;
  bl_edge *es = NULL;
  uint32_t *rank_of = NULL;
  int64_t *tree = NULL;
  uint64_t present = 0;
  int64_t last_end = (first_day + (int64_t)days) * DAY - offset;
  int32_t rc = CXM_OK;
  if (last_end > CXM_TIME_MAX) last_end = CXM_TIME_MAX;
  /* Room for every contact; the pass below keeps the filter's. */
  for (i = 0; i < total; i++) c += t->items[i].open_time < last_end; /* CXMI_NO_TIME is INT64_MAX */
  cap_c = c + 1;
  rank_of = cxmi_malloc(a, (total + 1) * sizeof *rank_of);
  cs = cxmi_malloc(a, cap_c * sizeof *cs);
  tree = cxmi_malloc(a, cap_c * sizeof *tree);
  if (rank_of == NULL || cs == NULL || tree == NULL) {
    rc = CXM_E_NOMEM;
    goto done;
  }
  c = 0;
  for (i = 0; i < total; i++) {
    const cxmi_interaction *r = &t->items[i];
    rank_of[i] = 0;
    if (r->open_time == CXMI_NO_TIME || r->open_time >= last_end ||
        !cxmi_item_selected(f, r->open_time, r->open_channel, r->open_stage, r->open_segment))
      continue;
    cs[c].open = r->open_time;
    cs[c].open_b = INT64_MIN;
    cs[c].index = (uint32_t)i;
    c++;
  }
  if (c > 1) qsort(cs, c, sizeof *cs, by_open);
  for (i = 0; i < c; i++) rank_of[cs[i].index] = (uint32_t)i + 1;
  /* The selected contacts' resolves and reopens at or after their open
   * (transfers do not change the status). */
  for (i = 0; i < t->status_count; i++) {
    uint32_t r = rank_of[t->status[i].interaction];
    ns += r != 0 && t->status[i].time >= cs[r - 1].open && t->status[i].kind != CXM_KIND_CONTACT_TRANSFER;
  }
  cap_s = ns + 1;
  ss = cxmi_malloc(a, cap_s * sizeof *ss);
  /* At most one entry and one exit per status event, plus one entry each. */
  es = cxmi_malloc(a, (2 * ns + cap_c) * sizeof *es);
  if (ss == NULL || es == NULL) {
    rc = CXM_E_NOMEM;
    goto done;
  }
  ns = 0;
  for (i = 0; i < t->status_count; i++) {
    uint32_t r = rank_of[t->status[i].interaction];
    if (r == 0 || t->status[i].time < cs[r - 1].open || t->status[i].kind == CXM_KIND_CONTACT_TRANSFER) continue;
    ss[ns].time = t->status[i].time;
    ss[ns].rank = r - 1;
    ss[ns].seq = (uint32_t)i;
    ss[ns].kind = t->status[i].kind;
    ns++;
  }
  if (ns > 1) qsort(ss, ns, sizeof *ss, by_rank_time);
  /* Each contact's open intervals: open from its open; a resolve closes
   * it, a reopen of a closed contact opens it again. */
  for (i = 0, p = 0; i < c; i++) {
    const cxmi_interaction *r = &t->items[cs[i].index];
    int open = 1, any = 0;
    es[ne].time = cs[i].open;
    es[ne].rank = (uint32_t)i;
    es[ne++].delta = 1;
    for (; p < ns && ss[p].rank == i; p++) {
      any = 1;
      if (open && ss[p].kind == CXM_KIND_CONTACT_RESOLVE) {
        open = 0;
        es[ne].delta = -1;
      } else if (!open && ss[p].kind == CXM_KIND_CONTACT_REOPEN) {
        open = 1;
        es[ne].delta = 1;
      } else {
        continue;
      }
      es[ne].time = ss[p].time;
      es[ne++].rank = (uint32_t)i;
    }
    /* A store loaded from a snapshot before version 4 has no status list:
     * the first resolution closes the contact. */
    if (!any && r->resolve_time != CXMI_NO_TIME) {
      es[ne].time = r->resolve_time;
      es[ne].rank = (uint32_t)i;
      es[ne++].delta = -1;
    }
  }
  if (ne > 1) qsort(es, ne, sizeof *es, by_edge_time);
  memset(tree, 0, cap_c * sizeof *tree);
  for (d = 0, p = 0; d < days; d++) {
    cxm_backlog_day *o = &out[d];
    int64_t end = (first_day + (int64_t)d + 1) * DAY - offset, end_b = 0;
    if (end > CXM_TIME_MAX) end = CXM_TIME_MAX;
    /* Open at the end of the day: every change strictly before it. */
    for (; p < ne && es[p].time < end; p++) {
      fen_add(tree, c, es[p].rank, es[p].delta);
      present = (uint64_t)((int64_t)present + es[p].delta);
    }
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->day = (first_day + (int64_t)d) * DAY - offset;
    o->end = end;
    o->open = present;
    o->age_median_s = o->age_p90_s = o->age_business_median_s = o->age_business_p90_s = NAN;
    if (present == 0) continue;
    rc = cxm_calendar_business_seconds(&end_b, cal, CXM_TIME_MIN, end);
    if (rc != CXM_OK) goto done;
    rc = backlog_quantile(&o->age_median_s, &o->age_business_median_s, tree, cs, c, present, end, end_b, 0.5, cal);
    if (rc == CXM_OK)
      rc = backlog_quantile(&o->age_p90_s, &o->age_business_p90_s, tree, cs, c, present, end, end_b, 0.9, cal);
    if (rc != CXM_OK) goto done;
  }
done:
  cxmi_free(a, rank_of, rank_of != NULL ? (total + 1) * sizeof *rank_of : 0);
  cxmi_free(a, cs, cs != NULL ? cap_c * sizeof *cs : 0);
  cxmi_free(a, tree, tree != NULL ? cap_c * sizeof *tree : 0);
  cxmi_free(a, ss, ss != NULL ? cap_s * sizeof *ss : 0);
  cxmi_free(a, es, es != NULL ? (2 * (cap_s - 1) + cap_c) * sizeof *es : 0);
  return rc;
}

int32_t cxm_store_backlog(cxm_backlog_day *out, size_t *count, size_t capacity, const cxm_store *store,
                          const cxm_filter *filter, const cxm_operations_options *options) {
  cxm_operations_options o;
  cxm_filter f, contacts;
  cxm_calendar *own = NULL;
  const cxm_calendar *cal;
  cxm_backlog_day *tmp = NULL;
  cxmi_alloc a;
  int64_t lo, hi, first_day = 0;
  size_t days = 0, k;
  int32_t offset = 0, rc;
  if (count == NULL || store == NULL || (capacity > 0 && out == NULL)) return CXM_E_ARG;
  for (k = 0; k < capacity; k++)
    if (out[k].size != sizeof *out) return CXM_E_SIZE;
  rc = check_options(&o, options);
  if (rc != CXM_OK) return rc;
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  cal = o.calendar;
  if (cal == NULL) {
    rc = cxm_calendar_new(&own, &store->alloc.hooks);
    if (rc != CXM_OK) return rc;
    cal = own;
  }
  (void)cxm_calendar_get_offset(&offset, cal);
  /* The days the window touches: the filter's window within the data's. */
  lo = f.from > store->first ? f.from : store->first;
  hi = f.to - 1 < store->last ? f.to - 1 : store->last;
  if (store->first <= store->last && lo <= hi) {
    first_day = floor_day(lo + offset);
    days = (size_t)(floor_day(hi + offset) - first_day + 1);
  }
  if (days > capacity) {
    cxm_calendar_free(own);
    *count = days;
    return CXM_E_BUFFER;
  }
  if (days > 0) {
    if (days > SIZE_MAX / sizeof *tmp) {
      rc = CXM_E_NOMEM;
      goto done;
    }
    tmp = cxmi_malloc(&a, days * sizeof *tmp);
    if (tmp == NULL) {
      rc = CXM_E_NOMEM;
      goto done;
    }
    /* Contacts are chosen by channel, stage and segment; the window chose
     * the days. */
    contacts = f;
    contacts.from = INT64_MIN;
    contacts.to = INT64_MAX;
    rc = backlog_run(tmp, first_day, days, offset, store, &contacts, cal, &a);
    if (rc != CXM_OK) goto done;
    memcpy(out, tmp, days * sizeof *out);
  }
  *count = days;
done:
  cxmi_free(&a, tmp, tmp != NULL ? days * sizeof *tmp : 0);
  cxm_calendar_free(own);
  return rc;
}
