/* Service operations of a slice (cxm/operations.h, docs/experience.md,
 * "Service operations"): one pass over the interactions, the customer's
 * contacts sorted by open time for the repeat-contact look-ups. */
#include "cxm/operations.h"

#include "common/alloc.h"
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

/* What one contact contributes, found once for every filter. */
typedef struct facts {
  uint32_t index; /* interaction */
  uint8_t repeated, switched, fcr;
  int64_t first, full, first_b, full_b; /* resolution durations, when resolved */
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

/* Per contact: repeat, switch and FCR flags against all the customer's
 * contacts, and the four resolution durations. */
static int32_t find_facts(facts *fs, contact *cs, size_t n, const cxm_store *store, const cxm_operations_options *o,
                          const cxm_calendar *cal) {
  size_t i;
  if (n > 1) qsort(cs, n, sizeof *cs, by_customer_open);
  for (i = 0; i < n; i++) {
    const cxmi_interaction *c = &store->interactions.items[cs[i].index];
    facts *f = &fs[i];
    size_t j, next = n; /* the customer's first contact opened strictly later */
    memset(f, 0, sizeof *f);
    f->index = cs[i].index;
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
static void summarise(cxm_operations_result *r, const facts *fs, size_t n, int64_t *dur, const cxm_store *store,
                      const cxm_filter *f) {
  size_t i, resolved = 0;
  memset(r, 0, sizeof *r);
  r->size = sizeof *r;
  for (i = 0; i < n; i++) {
    const cxmi_interaction *c = &store->interactions.items[fs[i].index];
    if (!cxmi_item_selected(f, c->first_time, c->open_channel, c->open_stage, c->open_segment)) continue;
    r->contacts++;
    r->transfers += c->transfer_n;
    r->repeated += fs[i].repeated;
    r->switched += fs[i].switched;
    if (c->resolve_time == CXMI_NO_TIME) continue;
    r->resolved++;
    r->reopened += c->reopen_n > 0;
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
  for (k = 0; k < count; k++) summarise(&rs[k], fa, n, dur, store, &fs[k]);
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
