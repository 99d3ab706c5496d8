/* Service levels of a slice (docs/metrics.md, "Service levels"): first
 * response and resolution per contact in wall-clock seconds with exact
 * quantiles (or, for cxm_store_service_acc, a mergeable sketch:
 * src/service_acc.c), and the SLA measured in business time. */
#include "experience.h"

#include "quantile.h"
#include "service_acc.h"
#include "slice.h"

#include <math.h>
#include <string.h>

/* Median, p90 and mean of durations (reorders them). Durations are below
 * 2^38 s, so a double sum of up to 2^15 of them is exact; beyond that its
 * relative error is far below what a report shows. */
static void summarise(double *median, double *p90, double *mean, int64_t *x, size_t n) {
  static const double qs[2] = {0.5, 0.9};
  double q[2], sum = 0;
  size_t i;
  for (i = 0; i < n; i++) sum += (double)x[i];
  *mean = n > 0 ? sum / (double)n : NAN;
  cxmi_quantiles_i64(q, x, n, qs, 2);
  *median = q[0];
  *p90 = q[1];
}

/* Where a scan of the contacts puts its durations: exact lists (for
 * cxm_store_service), or a sketch (for cxm_store_service_acc). */
typedef struct service_sink {
  int64_t *response, *resolution; /* n slots each, or NULL */
  cxm_service_acc *acc;           /* or NULL */
  int business;                   /* 1: list business seconds instead of wall-clock ones */
} service_sink;

/* The duration of [t0, t1) as the sink lists it: wall-clock seconds, or
 * business seconds of the calendar. */
static int32_t duration(int64_t *out, const service_sink *sink, const cxm_calendar *cal, int64_t t0, int64_t t1) {
  if (!sink->business) {
    *out = t1 - t0;
    return CXM_OK;
  }
  return cxm_calendar_business_seconds(out, cal, t0, t1);
}

/* The contacts of a slice: counts into `r` (its counts only), durations
 * into `sink`. The one code path of both service queries. */
static int32_t scan(cxm_service_result *r, service_sink *sink, const cxm_store *store, const cxm_filter *f,
                    const cxm_experience_options *o, const cxm_calendar *cal) {
  size_t n = store->interactions.refs.count, i;
  int32_t rc;
  for (i = 0; i < n; i++) {
    const cxmi_interaction *c = &store->interactions.items[i];
    int64_t business;
    if (c->open_time == CXMI_NO_TIME) continue;
    if (!cxmi_item_selected(f, c->open_time, c->open_channel, c->open_stage, c->open_segment)) continue;
    r->contacts++;
    if (c->resolve_time == CXMI_NO_TIME) {
      r->open++;
    } else {
      int64_t wall;
      rc = duration(&wall, sink, cal, c->open_time, c->resolve_time);
      if (rc != CXM_OK) return rc;
      if (sink->acc != NULL) {
        rc = cxmi_service_sketch_add(sink->acc->resolution_hist, &sink->acc->resolution_sum_s, wall);
        if (rc != CXM_OK) return rc;
      } else {
        sink->resolution[r->resolved] = wall;
      }
      r->resolved++;
    }
    /* Business time never exceeds wall-clock time, so a span within the
     * target on the wall clock is within it in business time too: only
     * longer spans need the calendar (most replies come in minutes). */
    if (c->reply_time != CXMI_NO_TIME) {
      int64_t wall, listed;
      rc = duration(&listed, sink, cal, c->open_time, c->reply_time);
      if (rc != CXM_OK) return rc;
      wall = c->reply_time - c->open_time;
      if (sink->acc != NULL) {
        rc = cxmi_service_sketch_add(sink->acc->first_response_hist, &sink->acc->first_response_sum_s, listed);
        if (rc != CXM_OK) return rc;
      } else {
        sink->response[r->replied] = listed;
      }
      r->replied++;
      business = sink->business ? listed : wall;
      if (business > o->sla_target_seconds && !sink->business) {
        rc = cxm_calendar_business_seconds(&business, cal, c->open_time, c->reply_time);
        if (rc != CXM_OK) return rc;
      }
      if (business <= o->sla_target_seconds) r->met++;
      else r->breached++;
    } else if (store->last - c->open_time > o->sla_target_seconds) {
      /* Unanswered: breached once its business age at the end of the data
       * exceeds the target; before that, neither met nor breached. */
      rc = cxm_calendar_business_seconds(&business, cal, c->open_time, store->last);
      if (rc != CXM_OK) return rc;
      if (business > o->sla_target_seconds) r->breached++;
    }
  }
  return CXM_OK;
}

/* Resolve the filter, the options and the calendar (`*own` to free). */
static int32_t prepare(cxm_filter *f, cxm_experience_options *o, const cxm_calendar **cal, cxm_calendar **own,
                       const cxm_store *store, const cxm_filter *filter, const cxm_experience_options *options) {
  int32_t rc = cxmi_filter_resolve(f, store, filter);
  if (rc != CXM_OK) return rc;
  rc = cxmi_experience_options_resolve(o, options);
  if (rc != CXM_OK) return rc;
  *own = NULL;
  *cal = o->calendar;
  if (*cal == NULL) {
    /* The default business week: Monday-Friday 09:00-17:00 UTC. */
    rc = cxm_calendar_new(own, &store->alloc.hooks);
    if (rc != CXM_OK) return rc;
    *cal = *own;
  }
  return CXM_OK;
}

/* cxm_store_service(), or with `business` its durations in business time. */
static int32_t service_exact(cxm_service_result *out, const cxm_store *store, const cxm_filter *filter,
                             const cxm_experience_options *options, int business) {
  cxm_filter f;
  cxm_experience_options o;
  cxm_service_result r;
  cxm_calendar *own = NULL;
  const cxm_calendar *cal;
  cxmi_alloc a;
  service_sink sink = {NULL, NULL, NULL, 0};
  sink.business = business;
  size_t n;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  rc = prepare(&f, &o, &cal, &own, store, filter, options);
  if (rc != CXM_OK) return rc;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  n = store->interactions.refs.count;
  if (n > 0) {
    sink.response = cxmi_malloc(&a, 2 * n * sizeof *sink.response);
    if (sink.response == NULL) {
      cxm_calendar_free(own);
      return CXM_E_NOMEM;
    }
    sink.resolution = sink.response + n;
  }
  memset(&r, 0, sizeof r);
  rc = scan(&r, &sink, store, &f, &o, cal);
  if (rc == CXM_OK) {
    summarise(&r.first_response_median_s, &r.first_response_p90_s, &r.first_response_mean_s, sink.response, r.replied);
    summarise(&r.resolution_median_s, &r.resolution_p90_s, &r.resolution_mean_s, sink.resolution, r.resolved);
    r.within_sla_pct = r.met + r.breached > 0 ? 100.0 * (double)r.met / ((double)r.met + (double)r.breached) : NAN;
    *out = r;
  }
  cxmi_free(&a, sink.response, 2 * n * sizeof *sink.response);
  cxm_calendar_free(own);
  return rc;
}

int32_t cxm_store_service(cxm_service_result *out, const cxm_store *store, const cxm_filter *filter,
                          const cxm_experience_options *options) {
  return service_exact(out, store, filter, options, 0);
}

int32_t cxm_store_service_business(cxm_service_result *out, const cxm_store *store, const cxm_filter *filter,
                                   const cxm_experience_options *options) {
  return service_exact(out, store, filter, options, 1);
}

int32_t cxm_store_service_acc(cxm_service_acc *out, const cxm_store *store, const cxm_filter *filter,
                              const cxm_experience_options *options) {
  cxm_filter f;
  cxm_experience_options o;
  cxm_service_result r;
  cxm_calendar *own = NULL;
  const cxm_calendar *cal;
  service_sink sink = {NULL, NULL, NULL, 0};
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  rc = prepare(&f, &o, &cal, &own, store, filter, options);
  if (rc != CXM_OK) return rc;
  /* The histograms go straight into `out` (45 KB: not on the stack). */
  cxm_service_acc_init(out);
  sink.acc = out;
  memset(&r, 0, sizeof r);
  rc = scan(&r, &sink, store, &f, &o, cal);
  cxm_calendar_free(own);
  if (rc != CXM_OK) {
    cxm_service_acc_init(out);
    return rc;
  }
  out->contacts = r.contacts;
  out->open = r.open;
  out->replied = r.replied;
  out->resolved = r.resolved;
  out->met = r.met;
  out->breached = r.breached;
  return CXM_OK;
}
