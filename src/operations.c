/* Service operations of a slice (cxm/operations.h, docs/experience.md,
 * "Service operations"): one pass over the interactions, the customer's
 * contacts sorted by open time for the repeat-contact look-ups. */
#include "cxm/operations.h"

#include "alloc.h"
#include "interactions.h"
#include "quantile.h"
#include "slice.h"
#include "store_internal.h"

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

int32_t cxm_store_operations(cxm_operations_result *out, const cxm_store *store, const cxm_filter *filter,
                             const cxm_operations_options *options) {
  cxm_operations_options o;
  cxm_operations_result r;
  cxm_filter f;
  cxm_calendar *own = NULL;
  const cxm_calendar *cal;
  cxmi_alloc a;
  contact *cs = NULL;
  int64_t *dur = NULL; /* 4 runs of `resolved`: first, full, first business, full business */
  size_t n = 0, resolved = 0, i, total;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  if (out->size != sizeof *out) return CXM_E_SIZE;
  if (options == NULL) {
    cxm_operations_options_init(&o);
  } else {
    if (options->size != sizeof *options) return CXM_E_SIZE;
    o = *options;
  }
  if (o.window_seconds < 1 || o.window_seconds > 3660 * DAY) return CXM_E_OPTION;
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  cal = o.calendar;
  if (cal == NULL) {
    rc = cxm_calendar_new(&own, &store->alloc.hooks);
    if (rc != CXM_OK) return rc;
    cal = own;
  }
  memset(&r, 0, sizeof r);
  r.size = sizeof r;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  total = store->interactions.refs.count;
  for (i = 0; i < total; i++) n += store->interactions.items[i].open_time != CXMI_NO_TIME;
  if (n > 0) {
    cs = cxmi_malloc(&a, n * sizeof *cs);
    dur = cxmi_malloc(&a, 4 * n * sizeof *dur);
    if (cs == NULL || dur == NULL) {
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
  if (n > 1) qsort(cs, n, sizeof *cs, by_customer_open);
  for (i = 0; i < n; i++) {
    const cxmi_interaction *c = &store->interactions.items[cs[i].index];
    size_t j, next = n; /* the customer's first contact opened strictly later */
    int switched = 0;
    if (!cxmi_item_selected(&f, c->first_time, c->open_channel, c->open_stage, c->open_segment)) continue;
    /* Contacts opened at the same second are neither repeats nor switches. */
    for (j = i + 1; j < n && cs[j].customer == cs[i].customer; j++) {
      if (cs[j].open == cs[i].open) continue;
      if (next == n) next = j;
      if (cs[j].open - cs[i].open > o.window_seconds) break;
      if (cs[j].channel != cs[i].channel) switched = 1;
    }
    r.contacts++;
    r.transfers += c->transfer_n;
    if (next < n && cs[next].open - cs[i].open <= o.window_seconds) r.repeated++;
    r.switched += (uint64_t)switched;
    if (c->resolve_time != CXMI_NO_TIME) {
      int64_t b1, b2;
      r.resolved++;
      if (c->reopen_n > 0) r.reopened++;
      if (c->reply_n <= 1 && c->reopen_n == 0 && !(next < n && cs[next].open <= c->resolve_time + o.window_seconds))
        r.first_contact_resolved++;
      rc = cxm_calendar_business_seconds(&b1, cal, c->open_time, c->resolve_time);
      if (rc == CXM_OK) rc = cxm_calendar_business_seconds(&b2, cal, c->open_time, c->last_resolve_time);
      if (rc != CXM_OK) goto done;
      dur[resolved] = c->resolve_time - c->open_time;
      dur[n + resolved] = c->last_resolve_time - c->open_time;
      dur[2 * n + resolved] = b1;
      dur[3 * n + resolved] = b2;
      resolved++;
    }
  }
  r.fcr_pct = pct(r.first_contact_resolved, r.resolved);
  r.reopen_pct = pct(r.reopened, r.resolved);
  r.repeat_pct = pct(r.repeated, r.contacts);
  r.switch_pct = pct(r.switched, r.contacts);
  r.transfers_per_contact = r.contacts == 0 ? NAN : (double)r.transfers / (double)r.contacts;
  r.first_resolution_mean_s = resolved ? mean_of(dur, resolved) : NAN;
  r.full_resolution_mean_s = resolved ? mean_of(dur + n, resolved) : NAN;
  r.first_resolution_business_mean_s = resolved ? mean_of(dur + 2 * n, resolved) : NAN;
  r.full_resolution_business_mean_s = resolved ? mean_of(dur + 3 * n, resolved) : NAN;
  r.first_resolution_median_s = resolved ? median_of(dur, resolved) : NAN;
  r.full_resolution_median_s = resolved ? median_of(dur + n, resolved) : NAN;
  r.first_resolution_business_median_s = resolved ? median_of(dur + 2 * n, resolved) : NAN;
  r.full_resolution_business_median_s = resolved ? median_of(dur + 3 * n, resolved) : NAN;
  *out = r;
  rc = CXM_OK;
done:
  cxmi_free(&a, cs, cs != NULL ? n * sizeof *cs : 0);
  cxmi_free(&a, dur, dur != NULL ? 4 * n * sizeof *dur : 0);
  cxm_calendar_free(own);
  return rc;
}
