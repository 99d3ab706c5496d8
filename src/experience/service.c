/* Service levels of a slice (docs/metrics.md, "Service levels"): first
 * response and resolution per contact in wall-clock seconds with exact
 * quantiles (or, for cxm_store_service_acc, a mergeable sketch:
 * src/experience/service_acc.c), and the SLA measured in business time. */
#include "experience/experience_internal.h"

#include "math/quantile.h"
#include "experience/service_acc.h"
#include "store/slice.h"

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

/* One contact: counts into `r` (its counts only), durations into `sink`.
 * The one code path of both service queries. */
static int32_t add_contact(cxm_service_result *r, service_sink *sink, const cxm_store *store, const cxmi_interaction *c,
                           const cxm_experience_options *o, const cxm_calendar *cal) {
  int64_t business;
  int32_t rc;
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
    int64_t wall = c->reply_time - c->open_time, listed;
    rc = duration(&listed, sink, cal, c->open_time, c->reply_time);
    if (rc != CXM_OK) return rc;
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
    if (business <= o->sla_target_seconds)
      r->met++;
    else
      r->breached++;
  } else if (store->last - c->open_time > o->sla_target_seconds) {
    /* Unanswered: breached once its business age at the end of the data
     * exceeds the target; before that, neither met nor breached. */
    rc = cxm_calendar_business_seconds(&business, cal, c->open_time, store->last);
    if (rc != CXM_OK) return rc;
    if (business > o->sla_target_seconds) r->breached++;
  }
  return CXM_OK;
}

/* The contacts of a slice into one sketch (cxm_store_service_acc). */
static int32_t scan(cxm_service_result *r, service_sink *sink, const cxm_store *store, const cxm_filter *f,
                    const cxm_experience_options *o, const cxm_calendar *cal) {
  size_t n = store->interactions.refs.count, i;
  for (i = 0; i < n; i++) {
    const cxmi_interaction *c = &store->interactions.items[i];
    int32_t rc;
    if (c->open_time == CXMI_NO_TIME) continue;
    if (!cxmi_item_selected(f, c->open_time, c->open_channel, c->open_stage, c->open_segment)) continue;
    rc = add_contact(r, sink, store, c, o, cal);
    if (rc != CXM_OK) return rc;
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

int32_t cxmi_group_service(cxm_service_result *out, const cxmi_grouping *g, const cxm_experience_options *o,
                           int business) {
  const cxm_store *store = g->store;
  size_t n = store->interactions.refs.count, i, k, *offset = NULL, used = 0;
  int64_t *durations = NULL;
  int32_t *group = NULL;
  cxm_calendar *own = NULL;
  const cxm_calendar *cal = o->calendar;
  cxmi_alloc a;
  int32_t rc = CXM_OK;
  memset(out, 0, g->count * sizeof *out);
  if (cal == NULL) {
    /* The default business week: Monday-Friday 09:00-17:00 UTC. */
    rc = cxm_calendar_new(&own, &store->alloc.hooks);
    if (rc != CXM_OK) return rc;
    cal = own;
  }
  cxmi_alloc_init(&a, &store->alloc.hooks);
  if (n > 0 && g->count > 0) {
    /* Each group's replies and resolutions get a run of their own in one
     * array, in contact order (what the group's own query would list):
     * count them first, then fill. */
    durations = cxmi_malloc(&a, 2 * n * sizeof *durations);
    group = cxmi_malloc(&a, n * sizeof *group);
    offset = cxmi_calloc(&a, 2 * g->count, sizeof *offset);
    if (durations == NULL || group == NULL || offset == NULL) {
      rc = CXM_E_NOMEM;
      goto done;
    }
    for (i = 0; i < n; i++) {
      const cxmi_interaction *c = &store->interactions.items[i];
      int64_t at = -1;
      if (c->open_time != CXMI_NO_TIME)
        at = cxmi_grouping_item(g, c->open_time, c->open_channel, c->open_stage, c->open_segment);
      group[i] = (int32_t)at;
      if (at < 0) continue;
      if (c->reply_time != CXMI_NO_TIME) offset[2 * at]++;
      if (c->resolve_time != CXMI_NO_TIME) offset[2 * at + 1]++;
    }
    for (k = 0; k < 2 * g->count; k++) {
      size_t count = offset[k];
      offset[k] = used;
      used += count;
    }
    for (i = 0; i < n && rc == CXM_OK; i++) {
      service_sink sink;
      if (group[i] < 0) continue;
      sink.response = durations + offset[2 * (size_t)group[i]];
      sink.resolution = durations + offset[2 * (size_t)group[i] + 1];
      sink.acc = NULL;
      sink.business = business;
      rc = add_contact(&out[group[i]], &sink, store, &store->interactions.items[i], o, cal);
    }
  }
  for (k = 0; k < g->count && rc == CXM_OK; k++) {
    cxm_service_result *r = &out[k];
    int64_t *response = durations == NULL ? NULL : durations + offset[2 * k];
    int64_t *resolution = durations == NULL ? NULL : durations + offset[2 * k + 1];
    summarise(&r->first_response_median_s, &r->first_response_p90_s, &r->first_response_mean_s, response, r->replied);
    summarise(&r->resolution_median_s, &r->resolution_p90_s, &r->resolution_mean_s, resolution, r->resolved);
    r->within_sla_pct = r->met + r->breached > 0 ? 100.0 * (double)r->met / ((double)r->met + (double)r->breached)
                                                 : NAN;
  }
done:
  cxmi_free(&a, durations, (durations != NULL ? 2 * n : 0) * sizeof *durations);
  cxmi_free(&a, group, (group != NULL ? n : 0) * sizeof *group);
  cxmi_free(&a, offset, (offset != NULL ? 2 * g->count : 0) * sizeof *offset);
  cxm_calendar_free(own);
  return rc;
}

/* cxm_store_service(), or with `business` its durations in business time. */
static int32_t service_exact(cxm_service_result *out, const cxm_store *store, const cxm_filter *filter,
                             const cxm_experience_options *options, int business) {
  cxm_filter f;
  cxm_experience_options o;
  cxm_service_result r;
  cxmi_grouping all;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  rc = cxmi_experience_options_resolve(&o, options);
  if (rc != CXM_OK) return rc;
  cxmi_grouping_all(&all, store, &f);
  rc = cxmi_group_service(&r, &all, &o, business);
  if (rc == CXM_OK) *out = r;
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
