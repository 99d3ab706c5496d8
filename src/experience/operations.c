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
#include <stddef.h>
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

/* Sort contacts filled in index order by (customer, open, index): handles
 * are dense (below `customers`), so a stable counting sort by customer
 * through `tmp` (n entries) and `count` (customers + 1), then each
 * customer's run by open time (insertion sort keeps the index order of
 * ties; long runs go to qsort). */
static void sort_by_customer(contact *cs, size_t n, contact *tmp, uint32_t *count, uint32_t customers) {
  size_t i, j, start;
  uint32_t k, sum = 0;
  if (n < 2) return;
  for (i = 0; i < n; i++) {
    if (cs[i].customer >= customers) { /* not a handle of the store: never so, but no count to overrun */
      qsort(cs, n, sizeof *cs, by_customer_open);
      return;
    }
  }
  memset(count, 0, ((size_t)customers + 1) * sizeof *count);
  for (i = 0; i < n; i++) count[cs[i].customer]++;
  for (k = 0; k <= customers; k++) {
    uint32_t c = count[k];
    count[k] = sum;
    sum += c;
  }
  for (i = 0; i < n; i++) tmp[count[cs[i].customer]++] = cs[i];
  memcpy(cs, tmp, n * sizeof *cs);
  for (start = 0; start < n;) {
    size_t end = start + 1;
    while (end < n && cs[end].customer == cs[start].customer) end++;
    if (end - start > 32) {
      qsort(cs + start, end - start, sizeof *cs, by_customer_open);
    } else {
      for (i = start + 1; i < end; i++) {
        contact x = cs[i];
        for (j = i; j > start && cs[j - 1].open > x.open; j--) cs[j] = cs[j - 1];
        cs[j] = x;
      }
    }
    start = end;
  }
}

/* Contacts ahead whose interaction find_facts starts loading. */
#define PREFETCH_AHEAD 8

/* Per contact: repeat, switch and FCR flags against all the customer's
 * contacts (`cs` sorted by customer and open), and the four resolution
 * durations. */
static int32_t find_facts(facts *fs, const contact *cs, size_t n, const cxm_store *store,
                          const cxm_operations_options *o, const cxm_calendar *cal) {
  size_t i;
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
  if (n > 1) {
    /* handles below the customer count; contacts need at least one */
    uint32_t customers = store->customers.count;
    contact *tmp = cxmi_malloc(&a, n * sizeof *tmp);
    uint32_t *cnt = cxmi_malloc(&a, ((size_t)customers + 1) * sizeof *cnt);
    if (tmp != NULL && cnt != NULL) sort_by_customer(cs, n, tmp, cnt, customers);
    cxmi_free(&a, tmp, tmp != NULL ? n * sizeof *tmp : 0);
    cxmi_free(&a, cnt, cnt != NULL ? ((size_t)customers + 1) * sizeof *cnt : 0);
    if (tmp == NULL || cnt == NULL) {
      rc = CXM_E_NOMEM;
      goto done;
    }
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
  int64_t open; /* first: sort_by_time's key */
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
  int64_t time; /* first: sort_by_time's key */
  uint32_t rank;
  int32_t delta;
} bl_edge;

/* What a filter picks a contact by (its earliest open's), kept beside the
 * sorted contacts so that each filter's pass reads them in order instead
 * of the interaction records in a cache-missing one. */
typedef struct bl_attr {
  int32_t channel, stage, segment;
} bl_attr;

/* The contacts of a backlog and the edges of their open intervals, ready
 * for the days: contacts sorted by (open, index), edges by time, each edge
 * naming its contact's rank in `cs`. */
typedef struct bl_prep {
  bl_contact *cs;
  size_t c, cap_c;
  bl_edge *es;
  size_t ne, cap_e;
  bl_attr *attr; /* with every contact prepared: each one's, in `cs` order */
} bl_prep;

/* No local rank: the contact is not the filter's (cxm_store_backlog_each). */
#define BL_NONE UINT32_MAX

static int by_rank_time(const void *x, const void *y) {
  const bl_status *a = x, *b = y;
  if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
  if (a->time != b->time) return a->time < b->time ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Stable LSD radix sort of `n` records of `size` bytes, each starting with
 * its int64_t time, by that time: a byte of (time - smallest) a pass (bytes
 * above the range's highest are skipped: about 4 passes for a year of
 * seconds), through `tmp` of n records. Contacts filled in index order come
 * out sorted by (open, index); edges by time. */
static void sort_by_time(void *records, void *tmp, size_t n, size_t size) {
  unsigned char *src = records, *dst = tmp, *t;
  int64_t lo = INT64_MAX, hi = INT64_MIN, time;
  uint64_t range;
  size_t count[256], i, sum;
  unsigned shift;
  for (i = 0; i < n; i++) {
    memcpy(&time, src + i * size, sizeof time);
    lo = time < lo ? time : lo;
    hi = time > hi ? time : hi;
  }
  range = n > 0 ? (uint64_t)hi - (uint64_t)lo : 0;
  for (shift = 0; shift < 64 && (range >> shift) != 0; shift += 8) {
    memset(count, 0, sizeof count);
    for (i = 0; i < n; i++) {
      memcpy(&time, src + i * size, sizeof time);
      count[(((uint64_t)time - (uint64_t)lo) >> shift) & 255]++;
    }
    for (i = 0, sum = 0; i < 256; i++) {
      size_t k = count[i];
      count[i] = sum;
      sum += k;
    }
    for (i = 0; i < n; i++) {
      memcpy(&time, src + i * size, sizeof time);
      memcpy(dst + count[(((uint64_t)time - (uint64_t)lo) >> shift) & 255]++ * size, src + i * size, size);
    }
    t = src;
    src = dst;
    dst = t;
  }
  if (src != (unsigned char *)records) memcpy(records, src, n * size);
}

_Static_assert(offsetof(bl_contact, open) == 0 && offsetof(bl_edge, time) == 0, "sort_by_time's key comes first");

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
 * the j-th smallest age belongs to the (n - 1 - j)-th earliest open. The
 * tree counts local ranks; `global_of` (NULL: the same) maps them to `cs`. */
static int32_t backlog_quantile(double *wall, double *business, const int64_t *tree, bl_contact *cs,
                                const uint32_t *global_of, size_t c, uint64_t n, int64_t end, int64_t end_b, double q,
                                const cxm_calendar *cal) {
  double h = (double)(n - 1) * q, g;
  uint64_t lo, hi;
  int64_t a, b, xb = 0, yb = 0;
  size_t xr, yr;
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
  xr = fen_kth(tree, c, n - 1 - lo);
  yr = fen_kth(tree, c, n - 1 - hi);
  x = &cs[global_of != NULL ? global_of[xr] : xr];
  y = &cs[global_of != NULL ? global_of[yr] : yr];
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

static void bl_prep_free(bl_prep *p, cxmi_alloc *a) {
  cxmi_free(a, p->cs, p->cs != NULL ? p->cap_c * sizeof *p->cs : 0);
  cxmi_free(a, p->attr, p->attr != NULL ? p->cap_c * sizeof *p->attr : 0);
  cxmi_free(a, p->es, p->es != NULL ? p->cap_e * sizeof *p->es : 0);
  memset(p, 0, sizeof *p);
}

/* Whether status event `x` changes its contact's status: a resolve or
 * reopen of a prepared contact (`rank_of`: its rank + 1, 0 when not), at
 * or after its open (transfers do not change the status). */
static uint32_t status_rank(const cxmi_status *x, const uint32_t *rank_of, const bl_contact *cs) {
  uint32_t r = rank_of[x->interaction];
  return r != 0 && x->time >= cs[r - 1].open && x->kind != CXM_KIND_CONTACT_TRANSFER ? r : 0;
}

/* The contacts `f` selects by channel, stage and segment (NULL: every
 * contact, with their attributes) opened before `last_end`, and the edges
 * of their open intervals. Sorting is linear: radix sorts by time, and the status
 * events (in input order) counted into their contacts' runs, each run
 * then put in time order (ties keep the input order). */
static int32_t bl_prepare(bl_prep *p, const cxm_store *store, const cxm_filter *f, int64_t last_end, cxmi_alloc *a) {
  const cxmi_interactions *t = &store->interactions;
  size_t total = t->refs.count, c = 0, ns = 0, ne = 0, cap_s = 0, i, j, q;
  bl_contact *cs, *ctmp = NULL;
  bl_status *ss = NULL;
  bl_edge *es, *etmp = NULL;
  uint32_t *rank_of = NULL, *run = NULL;
  int32_t rc = CXM_OK;
  memset(p, 0, sizeof *p);
  /* Room for every contact; the pass below keeps the filter's. */
  for (i = 0; i < total; i++) c += t->items[i].open_time < last_end; /* CXMI_NO_TIME is INT64_MAX */
  p->cap_c = c + 1;
  rank_of = cxmi_malloc(a, (total + 1) * sizeof *rank_of);
  p->cs = cs = cxmi_malloc(a, p->cap_c * sizeof *cs);
  ctmp = cxmi_malloc(a, p->cap_c * sizeof *ctmp);
  run = cxmi_malloc(a, (p->cap_c + 1) * sizeof *run);
  if (rank_of == NULL || cs == NULL || ctmp == NULL || run == NULL) {
    rc = CXM_E_NOMEM;
    goto done;
  }
  c = 0;
  for (i = 0; i < total; i++) {
    const cxmi_interaction *r = &t->items[i];
    rank_of[i] = 0;
    if (r->open_time == CXMI_NO_TIME || r->open_time >= last_end ||
        (f != NULL && !cxmi_item_selected(f, r->open_time, r->open_channel, r->open_stage, r->open_segment)))
      continue;
    cs[c].open = r->open_time;
    cs[c].open_b = INT64_MIN;
    cs[c].index = (uint32_t)i;
    c++;
  }
  p->c = c;
  sort_by_time(cs, ctmp, c, sizeof *cs);
  cxmi_free(a, ctmp, p->cap_c * sizeof *ctmp);
  ctmp = NULL;
  for (i = 0; i < c; i++) rank_of[cs[i].index] = (uint32_t)i + 1;
  /* The status events of each contact: run[r] .. run[r + 1] - 1 of ss. */
  memset(run, 0, (c + 2) * sizeof *run);
  for (i = 0; i < t->status_count; i++) {
    uint32_t r = status_rank(&t->status[i], rank_of, cs);
    if (r != 0) {
      run[r + 1]++;
      ns++;
    }
  }
  for (i = 1; i <= c + 1; i++) run[i] += run[i - 1]; /* run[r + 1]: the end of rank r - 1's run */
  cap_s = ns + 1;
  ss = cxmi_malloc(a, cap_s * sizeof *ss);
  /* Per contact one entry, then one edge per status event at most, or
   * without a status list one exit (the first resolution). */
  p->cap_e = ns + 2 * p->cap_c;
  p->es = es = cxmi_malloc(a, p->cap_e * sizeof *es);
  if (ss == NULL || es == NULL) {
    rc = CXM_E_NOMEM;
    goto done;
  }
  for (i = 0; i < t->status_count; i++) {
    uint32_t r = status_rank(&t->status[i], rank_of, cs);
    bl_status *x;
    if (r == 0) continue;
    x = &ss[run[r]++]; /* run[r]: the next free entry of rank r - 1 */
    x->time = t->status[i].time;
    x->rank = r - 1;
    x->seq = (uint32_t)i;
    x->kind = t->status[i].kind;
  }
  /* run[r] is now the end of rank r - 1's run: each run in time order */
  for (i = 0, q = 0; i < c; q = run[++i]) {
    size_t end = run[i + 1];
    if (end - q > 32) {
      qsort(ss + q, end - q, sizeof *ss, by_rank_time);
    } else {
      for (j = q + 1; j < end; j++) {
        bl_status x = ss[j];
        size_t k;
        for (k = j; k > q && ss[k - 1].time > x.time; k--) ss[k] = ss[k - 1];
        ss[k] = x;
      }
    }
  }
  if (f == NULL) {
    p->attr = cxmi_malloc(a, p->cap_c * sizeof *p->attr);
    if (p->attr == NULL) {
      rc = CXM_E_NOMEM;
      goto done;
    }
  }
  /* Each contact's open intervals: open from its open; a resolve closes
   * it, a reopen of a closed contact opens it again. */
  for (i = 0, q = 0; i < c; i++) {
    const cxmi_interaction *r = &t->items[cs[i].index];
    int open = 1, any = 0;
    if (p->attr != NULL) {
      p->attr[i].channel = r->open_channel;
      p->attr[i].stage = r->open_stage;
      p->attr[i].segment = r->open_segment;
    }
    es[ne].time = cs[i].open;
    es[ne].rank = (uint32_t)i;
    es[ne++].delta = 1;
    for (; q < ns && ss[q].rank == i; q++) {
      any = 1;
      if (open && ss[q].kind == CXM_KIND_CONTACT_RESOLVE) {
        open = 0;
        es[ne].delta = -1;
      } else if (!open && ss[q].kind == CXM_KIND_CONTACT_REOPEN) {
        open = 1;
        es[ne].delta = 1;
      } else {
        continue;
      }
      es[ne].time = ss[q].time;
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
  p->ne = ne;
  cxmi_free(a, ss, cap_s * sizeof *ss);
  ss = NULL;
  /* Edges at one instant are all applied before the same day's end: their
   * order among themselves does not matter. */
  etmp = cxmi_malloc(a, (ne + 1) * sizeof *etmp);
  if (etmp == NULL) {
    rc = CXM_E_NOMEM;
    goto done;
  }
  sort_by_time(es, etmp, ne, sizeof *es);
  cxmi_free(a, etmp, (ne + 1) * sizeof *etmp);
done:
  cxmi_free(a, rank_of, rank_of != NULL ? (total + 1) * sizeof *rank_of : 0);
  cxmi_free(a, run, run != NULL ? (p->cap_c + 1) * sizeof *run : 0);
  cxmi_free(a, ctmp, ctmp != NULL ? p->cap_c * sizeof *ctmp : 0);
  cxmi_free(a, ss, ss != NULL ? cap_s * sizeof *ss : 0);
  if (rc != CXM_OK) bl_prep_free(p, a);
  return rc;
}

/* The `days` days of one backlog from prepared contacts: every one of
 * them (`local_of` NULL), or those with a local rank in `local_of` (BL_NONE:
 * not the filter's; `global_of` maps the local ranks back). `tree` has
 * room for the `c` local ranks. */
static int32_t bl_sweep(cxm_backlog_day *out, int64_t first_day, size_t days, int32_t offset, const bl_prep *p,
                        const uint32_t *local_of, const uint32_t *global_of, size_t c, int64_t *tree,
                        const cxm_calendar *cal) {
  const bl_edge *es = p->es;
  size_t d, q;
  uint64_t present = 0;
  int32_t rc;
  if (c > 0) memset(tree, 0, c * sizeof *tree);
  for (d = 0, q = 0; d < days; d++) {
    cxm_backlog_day *o = &out[d];
    int64_t end = (first_day + (int64_t)d + 1) * DAY - offset, end_b = 0;
    if (end > CXM_TIME_MAX) end = CXM_TIME_MAX;
    /* Open at the end of the day: every change strictly before it. */
    for (; q < p->ne && es[q].time < end; q++) {
      uint32_t r = es[q].rank;
      if (local_of != NULL && (r = local_of[r]) == BL_NONE) continue;
      fen_add(tree, c, r, es[q].delta);
      present = (uint64_t)((int64_t)present + es[q].delta);
    }
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->day = (first_day + (int64_t)d) * DAY - offset;
    o->end = end;
    o->open = present;
    o->age_median_s = o->age_p90_s = o->age_business_median_s = o->age_business_p90_s = NAN;
    if (present == 0) continue;
    rc = cxm_calendar_business_seconds(&end_b, cal, CXM_TIME_MIN, end);
    if (rc != CXM_OK) return rc;
    rc = backlog_quantile(&o->age_median_s, &o->age_business_median_s, tree, p->cs, global_of, c, present, end, end_b,
                          0.5, cal);
    if (rc == CXM_OK)
      rc = backlog_quantile(&o->age_p90_s, &o->age_business_p90_s, tree, p->cs, global_of, c, present, end, end_b, 0.9,
                            cal);
    if (rc != CXM_OK) return rc;
  }
  return CXM_OK;
}

/* The days a resolved filter's window touches within the data's (none:
 * `*days` 0), in local days of the UTC offset. */
static void backlog_window(int64_t *first_day, size_t *days, const cxm_store *store, const cxm_filter *f,
                           int32_t offset) {
  int64_t lo = f->from > store->first ? f->from : store->first;
  int64_t hi = f->to - 1 < store->last ? f->to - 1 : store->last;
  *first_day = 0;
  *days = 0;
  if (store->first <= store->last && lo <= hi) {
    *first_day = floor_day(lo + offset);
    *days = (size_t)(floor_day(hi + offset) - *first_day + 1);
  }
}

/* The end of a window's last day: contacts opened at or after it are
 * never open on one of its days. */
static int64_t backlog_last_end(int64_t first_day, size_t days, int32_t offset) {
  int64_t last_end = (first_day + (int64_t)days) * DAY - offset;
  return last_end > CXM_TIME_MAX ? CXM_TIME_MAX : last_end;
}

/* Contacts are chosen by channel, stage and segment; the window chooses
 * the days. */
static cxm_filter contacts_of(const cxm_filter *f) {
  cxm_filter contacts = *f;
  contacts.from = INT64_MIN;
  contacts.to = INT64_MAX;
  return contacts;
}

int32_t cxm_store_backlog(cxm_backlog_day *out, size_t *count, size_t capacity, const cxm_store *store,
                          const cxm_filter *filter, const cxm_operations_options *options) {
  cxm_operations_options o;
  cxm_filter f, contacts;
  cxm_calendar *own = NULL;
  const cxm_calendar *cal;
  cxm_backlog_day *tmp = NULL;
  cxmi_alloc a;
  bl_prep p;
  int64_t *tree = NULL;
  int64_t first_day = 0;
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
  memset(&p, 0, sizeof p);
  cal = o.calendar;
  if (cal == NULL) {
    rc = cxm_calendar_new(&own, &store->alloc.hooks);
    if (rc != CXM_OK) return rc;
    cal = own;
  }
  (void)cxm_calendar_get_offset(&offset, cal);
  backlog_window(&first_day, &days, store, &f, offset);
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
    contacts = contacts_of(&f);
    rc = bl_prepare(&p, store, &contacts, backlog_last_end(first_day, days, offset), &a);
    if (rc == CXM_OK) {
      tree = cxmi_malloc(&a, p.cap_c * sizeof *tree);
      if (tree == NULL) rc = CXM_E_NOMEM;
    }
    if (rc == CXM_OK) rc = bl_sweep(tmp, first_day, days, offset, &p, NULL, NULL, p.c, tree, cal);
    if (rc != CXM_OK) goto done;
    memcpy(out, tmp, days * sizeof *out);
  }
  *count = days;
done:
  cxmi_free(&a, tree, tree != NULL ? p.cap_c * sizeof *tree : 0);
  bl_prep_free(&p, &a);
  cxmi_free(&a, tmp, tmp != NULL ? days * sizeof *tmp : 0);
  cxm_calendar_free(own);
  return rc;
}

/* Whether a filter chooses contacts by channel, stage or segment. */
static int picks_contacts(const cxm_filter *f) {
  return f->channel != CXM_ANY || f->stage != CXM_ANY || f->segment != CXM_ANY;
}

int32_t cxm_store_backlog_each(cxm_backlog_day *out, size_t *counts, size_t *total, size_t capacity,
                               const cxm_filter *filters, size_t count, const cxm_store *store,
                               const cxm_operations_options *options) {
  cxm_operations_options o;
  cxm_filter *fs = NULL;
  cxm_calendar *own = NULL;
  const cxm_calendar *cal;
  cxm_backlog_day *tmp = NULL;
  cxmi_alloc a;
  bl_prep p;
  int64_t *first = NULL, *tree = NULL;
  size_t *days = NULL;
  uint32_t *local_of = NULL, *global_of = NULL;
  int64_t last_end = INT64_MIN;
  size_t sum = 0, k, i, at;
  int32_t offset = 0, rc;
  int picking = 0;
  if (total == NULL || store == NULL || (count > 0 && (counts == NULL || filters == NULL)) ||
      (capacity > 0 && out == NULL))
    return CXM_E_ARG;
  for (k = 0; k < capacity; k++)
    if (out[k].size != sizeof *out) return CXM_E_SIZE;
  rc = check_options(&o, options);
  if (rc != CXM_OK) return rc;
  if (count == 0) {
    *total = 0;
    return CXM_OK;
  }
  cxmi_alloc_init(&a, &store->alloc.hooks);
  memset(&p, 0, sizeof p);
  if (count > SIZE_MAX / sizeof *fs) return CXM_E_NOMEM;
  fs = cxmi_malloc(&a, count * sizeof *fs);
  first = cxmi_malloc(&a, count * sizeof *first);
  days = cxmi_malloc(&a, count * sizeof *days);
  if (fs == NULL || first == NULL || days == NULL) {
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
  (void)cxm_calendar_get_offset(&offset, cal);
  for (k = 0; k < count; k++) {
    backlog_window(&first[k], &days[k], store, &fs[k], offset);
    if (days[k] > SIZE_MAX / sizeof *tmp - sum) {
      rc = CXM_E_NOMEM;
      goto done;
    }
    sum += days[k];
    if (days[k] > 0) {
      int64_t e = backlog_last_end(first[k], days[k], offset);
      if (e > last_end) last_end = e;
      picking |= picks_contacts(&fs[k]);
    }
  }
  if (sum > capacity) {
    memcpy(counts, days, count * sizeof *counts);
    *total = sum;
    rc = CXM_E_BUFFER;
    goto done;
  }
  if (sum > 0) {
    tmp = cxmi_malloc(&a, sum * sizeof *tmp);
    if (tmp == NULL) {
      rc = CXM_E_NOMEM;
      goto done;
    }
    /* Every contact once, sorted once; each filter then takes its own. */
    rc = bl_prepare(&p, store, NULL, last_end, &a);
    if (rc != CXM_OK) goto done;
    tree = cxmi_malloc(&a, p.cap_c * sizeof *tree);
    if (picking) {
      local_of = cxmi_malloc(&a, p.cap_c * sizeof *local_of);
      global_of = cxmi_malloc(&a, p.cap_c * sizeof *global_of);
    }
    if (tree == NULL || (picking && (local_of == NULL || global_of == NULL))) {
      rc = CXM_E_NOMEM;
      goto done;
    }
    for (k = 0, at = 0; k < count && rc == CXM_OK; at += days[k], k++) {
      size_t c = 0;
      if (days[k] == 0) continue;
      if (!picks_contacts(&fs[k])) {
        /* Every contact: the prepared ranks are the filter's. */
        rc = bl_sweep(tmp + at, first[k], days[k], offset, &p, NULL, NULL, p.c, tree, cal);
        continue;
      }
      /* The filter's contacts: by channel, stage and segment alone */
      for (i = 0; i < p.c; i++) {
        const bl_attr *x = &p.attr[i];
        int in = (fs[k].channel == CXM_ANY || fs[k].channel == x->channel) &&
                 (fs[k].stage == CXM_ANY || fs[k].stage == x->stage) &&
                 (fs[k].segment == CXM_ANY || fs[k].segment == x->segment);
        local_of[i] = in ? (uint32_t)c : BL_NONE;
        if (in) global_of[c++] = (uint32_t)i;
      }
      rc = bl_sweep(tmp + at, first[k], days[k], offset, &p, local_of, global_of, c, tree, cal);
    }
    if (rc != CXM_OK) goto done;
    memcpy(out, tmp, sum * sizeof *out);
  }
  memcpy(counts, days, count * sizeof *counts);
  *total = sum;
done:
  cxmi_free(&a, tree, tree != NULL ? p.cap_c * sizeof *tree : 0);
  cxmi_free(&a, local_of, local_of != NULL ? p.cap_c * sizeof *local_of : 0);
  cxmi_free(&a, global_of, global_of != NULL ? p.cap_c * sizeof *global_of : 0);
  bl_prep_free(&p, &a);
  cxmi_free(&a, tmp, tmp != NULL ? sum * sizeof *tmp : 0);
  cxmi_free(&a, fs, fs != NULL ? count * sizeof *fs : 0);
  cxmi_free(&a, first, first != NULL ? count * sizeof *first : 0);
  cxmi_free(&a, days, days != NULL ? count * sizeof *days : 0);
  cxm_calendar_free(own);
  return rc;
}
