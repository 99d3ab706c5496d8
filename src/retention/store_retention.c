/* Survival rows of a store's customers (cxm/retention.h): one scan of the
 * per-(customer, day) activity map for first and last activity and the
 * latest NPS answer, one of the churn events, then the loss rule of
 * docs/retention.md: lost at the first churn event; without one, lost
 * after the last activity when no activity follows it for lapse_days days
 * that all fall before the window's end (the lapse reading of
 * docs/churn.md's labels). The groups: the first channel and segment from
 * the store's per-customer table, the SLA from one pass over the
 * contacts. */
#include "cxm/retention.h"

#include <stdint.h>
#include <string.h>

#include "common/abi_check.h"
#include "common/alloc.h"
#include "store/store_internal.h"

#define DAY INT64_C(86400)

struct cxm_retention {
  cxmi_alloc alloc;
  size_t count;
  cxm_retention_row *rows;
};

typedef struct cust {
  int64_t first, last, churn; /* days; INT64_MAX / INT64_MIN when none */
  int64_t nps_day;
  int32_t nps_at;
  int32_t nps; /* answer + 1; 0 none */
  int32_t high_effort;
  int32_t sla; /* enum cxm_retention_sla */
} cust;

void cxm_retention_options_init(cxm_retention_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->from = INT64_MIN;
  options->to = INT64_MIN;
  options->lapse_days = 90;
  options->origin = CXM_RETENTION_TENURE;
  options->sla_target_seconds = 28800;
  options->calendar = NULL;
}

/* Each customer's contacts opened before `to` against the first-reply
 * target (docs/retention.md): breached when the first reply came before
 * `to` beyond the target in business time, or came not before `to` while
 * the contact's business age at `to` passed it. */
static int32_t sla_groups(cust *cs, const cxm_store *s, const cxm_retention_options *o, int64_t to) {
  const cxm_calendar *cal = o->calendar;
  cxm_calendar *own = NULL;
  int32_t rc = CXM_OK;
  for (uint32_t i = 0; i < s->interactions.refs.count && rc == CXM_OK; i++) {
    const cxmi_interaction *c = &s->interactions.items[i];
    cust *u;
    int64_t end, business;
    if (c->open_time == CXMI_NO_TIME || c->open_time >= to) continue;
    u = &cs[c->open_customer];
    if (u->sla == CXM_RETENTION_SLA_NONE) u->sla = CXM_RETENTION_SLA_MET;
    if (u->sla == CXM_RETENTION_SLA_BREACHED) continue;
    end = c->reply_time != CXMI_NO_TIME && c->reply_time < to ? c->reply_time : to;
    if (end > CXM_TIME_MAX) end = CXM_TIME_MAX; /* `to` may be 10000-01-01, one second past the last time */
    /* business time never exceeds the wall clock: a short span is met */
    if (end - c->open_time <= o->sla_target_seconds) continue;
    if (cal == NULL) {
      rc = cxm_calendar_new(&own, &s->alloc.hooks);
      if (rc != CXM_OK) break;
      cal = own;
    }
    rc = cxm_calendar_business_seconds(&business, cal, c->open_time, end);
    if (rc == CXM_OK && business > o->sla_target_seconds) u->sla = CXM_RETENTION_SLA_BREACHED;
  }
  cxm_calendar_free(own);
  return rc;
}

static void offer(cust *c, int64_t day, int32_t at, int32_t value) {
  if (value == 0) return;
  if (c->nps == 0 || day > c->nps_day || (day == c->nps_day && at >= c->nps_at)) {
    c->nps = value;
    c->nps_day = day;
    c->nps_at = at;
  }
}

int32_t cxm_store_retention(cxm_retention **out, const cxm_store *s, const cxm_retention_options *options) {
  cxmi_alloc al;
  cxm_retention *r;
  cxm_retention_options opt;
  const cxm_retention_options *o = &opt;
  cust *cs;
  size_t n, rows = 0;
  int64_t from_day, to_day;
  int32_t rc;
  if (out == NULL || s == NULL || options == NULL) return CXM_E_ARG;
  if (!CXMI_STRUCT_OK(options, cxm_retention_options)) return CXM_E_SIZE;
  cxm_retention_options_init(&opt);
  cxmi_struct_in(&opt, options, sizeof opt);
  /* 1970-01-01 .. 10000-01-01, as every window of the store */
  if (o->from < 0 || o->to > INT64_C(253402300800) || o->from % DAY != 0 || o->to % DAY != 0 || o->to <= o->from)
    return CXM_E_WINDOW;
  if (o->lapse_days < 0 || o->lapse_days > 3660 ||
      (o->origin != CXM_RETENTION_WINDOW && o->origin != CXM_RETENTION_TENURE) || o->sla_target_seconds < 0)
    return CXM_E_OPTION;
  if (cxmi_store_keeps(s, CXM_OMIT_CUSTOMER_DAYS | CXM_OMIT_CUSTOMER_FIRSTS) != CXM_OK) return CXM_E_STATE;
  from_day = o->from / DAY;
  to_day = o->to / DAY;
  al = s->alloc;
  n = s->customers.count;
  cs = n > 0 ? cxmi_calloc(&al, n, sizeof *cs) : NULL;
  r = cxmi_calloc(&al, 1, sizeof *r);
  if ((n > 0 && cs == NULL) || r == NULL) {
    cxmi_free(&al, cs, n * sizeof *cs);
    cxmi_free(&al, r, sizeof *r);
    return CXM_E_NOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    cs[i].first = cs[i].churn = INT64_MAX;
    cs[i].last = INT64_MIN;
  }
  const cxmi_day_slot *d;
  for (uint64_t pos = 0; (d = cxmi_daymap_next(&s->purchase_days, &pos)) != NULL;) {
    int64_t day = cxmi_day_day(d);
    cust *c;
    if (day >= to_day) continue; /* nothing after the window's end is seen */
    c = &cs[cxmi_day_customer(d)];
    if (day < c->first) c->first = day;
    if (day > c->last) c->last = day;
    offer(c, day, d->nps_prev_at, d->nps_prev);
    offer(c, day, d->nps_last_at, d->nps_last);
    if (d->high_effort > 0) c->high_effort = 1;
  }
  for (uint32_t i = 0; i < s->churned.count; i++) {
    uint64_t key = s->churned.keys[i];
    int64_t day = s->cube.cells[(uint32_t)key].key.bucket * s->bucket_seconds / DAY;
    cust *c = &cs[key >> 32];
    if (day < to_day && day < c->churn) c->churn = day;
  }
  rc = sla_groups(cs, s, o, o->to);
  if (rc != CXM_OK) {
    cxmi_free(&al, cs, n * sizeof *cs);
    cxmi_free(&al, r, sizeof *r);
    return rc;
  }
  /* rows: counted, then filled */
  for (int pass = 0; pass < 2; pass++) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
      cust *c = &cs[i];
      int64_t loss = INT64_MAX, origin, entry_day;
      if (c->first == INT64_MAX) continue; /* no activity before the window's end */
      if (c->churn != INT64_MAX) loss = c->churn < c->first ? c->first : c->churn;
      /* an explicit churn event is the label when there is one; the lapse
       * rule speaks only for customers without */
      else if (o->lapse_days > 0 && c->last + o->lapse_days < to_day)
        loss = c->last;
      if (loss < from_day) continue; /* lost before the window opened */
      origin = o->origin == CXM_RETENTION_WINDOW ? from_day : c->first;
      entry_day = c->first > from_day ? c->first : from_day;
      if (pass == 1) {
        cxm_retention_row *row = &r->rows[k];
        int32_t nps = c->nps - 1;
        row->size = sizeof *row;
        row->handle = (uint32_t)i;
        row->entry = (double)(entry_day - origin);
        row->lost = loss != INT64_MAX;
        /* a customer lost on a day is lost at that day's end */
        row->time = (double)(row->lost ? loss + 1 - origin : to_day - origin);
        row->nps = c->nps == 0 ? CXM_RETENTION_NPS_NONE
                   : nps <= 6  ? CXM_RETENTION_NPS_DETRACTOR
                   : nps <= 8  ? CXM_RETENTION_NPS_PASSIVE
                               : CXM_RETENTION_NPS_PROMOTER;
        row->first = c->first * DAY;
        row->high_effort = c->high_effort;
        row->channel = CXM_CHANNEL_UNKNOWN;
        row->segment = CXM_SEGMENT_UNKNOWN;
        if (i < s->info_count) {
          const cxmi_customer_info *f = &s->info[i];
          if (f->channel_time < o->to) row->channel = f->channel;
          if (f->segment_time < o->to) row->segment = f->segment;
        }
        row->sla = c->sla;
      }
      k++;
    }
    if (pass == 0) {
      rows = k;
      r->rows = rows > 0 ? cxmi_calloc(&al, rows, sizeof *r->rows) : NULL;
      if (rows > 0 && r->rows == NULL) {
        cxmi_free(&al, cs, n * sizeof *cs);
        cxmi_free(&al, r, sizeof *r);
        return CXM_E_NOMEM;
      }
    }
  }
  cxmi_free(&al, cs, n * sizeof *cs);
  r->alloc = al;
  r->count = rows;
  *out = r;
  return CXM_OK;
}

size_t cxm_retention_count(const cxm_retention *r) { return r != NULL ? r->count : 0; }

int32_t cxm_retention_row_get(cxm_retention_row *row, const cxm_retention *r, size_t index) {
  if (row == NULL || r == NULL) return CXM_E_ARG;
  if (!CXMI_STRUCT_OK(row, cxm_retention_row)) return CXM_E_SIZE;
  if (index >= r->count) return CXM_E_NOT_FOUND;
  cxmi_struct_out(row, &r->rows[index], sizeof *row);
  return CXM_OK;
}

void cxm_retention_free(cxm_retention *r) {
  cxmi_alloc al;
  if (r == NULL) return;
  al = r->alloc;
  cxmi_free(&al, r->rows, r->count * sizeof *r->rows);
  cxmi_free(&al, r, sizeof *r);
}
