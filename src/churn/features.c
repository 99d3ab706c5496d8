/* Per-customer churn features as of a cut-off, and labels from the horizon
 * after it (cxm/features.h, docs/churn.md). Everything is read from the
 * store's time-stamped tables (customer days, interactions, churn pairs),
 * keeping only what happened before the cut-off: no leakage. */
#include "churn/feature_table.h"
#include "common/hash.h"
#include "purchase/rfm.h"
#include "store/store_internal.h"

#include "cxm/features.h"
#include "cxm/purchase.h"
#include "common/abi_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)
#define WEEK (7.0 * 86400.0)
/* "Recent" for high effort and recent complaints: a quarter, the window a
 * CRM reviews accounts over and the default horizon. */
#define RECENT_DAYS 90

struct cxm_features {
  cxm_allocator hooks; /* copied: the table outlives the store */
  size_t count;
  double *values; /* count * CXM_FEATURE_COUNT */
  uint32_t *handles;
  int32_t *labels;
  double *p_alive;       /* the purchase model's P(alive); NaN when it has none */
  double *p_none;        /* its P(no purchase in the lapse horizon); NaN when it has none */
  double *p_quiet;       /* P(no purchase in the label horizon | the customer stays); 0 without a model */
  unsigned char *lapsed; /* 1: no activity in the horizon before the cut-off (already lapsed) */
  cxm_model model;       /* the purchase model fitted as of the cut-off; kind 0 when none */
  /* Kept for cxmi_store_features_keep()'s caller: the summaries the model
   * was fitted on and each one's customer handle (room for rfm_room). */
  cxm_rfm *rfm;
  uint32_t *rfm_handles;
  size_t rfm_room;
};

static const char *const feature_names[CXM_FEATURE_COUNT] = {
    "purchase_risk",   "no_purchase",      "recency_weeks", "detractor",      "promoter",
    "nps_drop",        "high_effort",      "open_contacts", "open_age_weeks", "sla_breaches",
    "complaints",      "perception_gap",   "silence_weeks", "lapse_odds",     "recent_complaints",
    "repeat_contacts", "channel_switches", "reopens",       "transfers",      "unfollowed_detractors"};

void cxm_feature_options_init(cxm_feature_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->cutoff = INT64_MIN;
  options->horizon_seconds = 90 * DAY;
  options->purchase_model = CXM_MODEL_MBGNBD;
  options->calendar = NULL;
  options->sla_target_seconds = 8 * 3600;
  options->label = CXM_LABEL_BOTH;
  options->activity = CXM_ACTIVITY_PURCHASES;
  options->lapse_horizon_seconds = 90 * DAY;
}

const char *cxm_feature_name(int32_t feature) {
  return feature >= 0 && feature < CXM_FEATURE_COUNT ? feature_names[feature] : NULL;
}

/* What the features need of one customer, gathered in one pass per table. */
typedef struct customer_state {
  int at_risk_seen; /* an event before the cut-off */
  int churned_before, churned_after;
  int active_after;        /* label activity in [cutoff, cutoff + horizon) */
  int64_t last_active_day; /* last label activity before the cut-off */
  int64_t last_touch_day, last_purchase_day, first_touch_day;
  uint32_t other_days;       /* days before the cut-off with activity other than a purchase (for CXM_ACTIVITY_ANY) */
  int64_t nps_day[2];        /* [0] latest NPS answer, [1] the one before, by (day, second) */
  int32_t nps_at[2], nps[2]; /* value + 1; 0 = none */
  uint32_t high_effort, open_contacts, breaches, gap_n, recent_complaints;
  uint32_t repeats, switches, reopens, transfers, unfollowed; /* the effort signals (scan_effort) */
  int64_t complaints, oldest_open;
  double gap_sum, p_alive, p_none, p_quiet;
  int has_p_alive;
} customer_state;

/* Keep the two latest NPS answers of a customer by (day, second). */
static void offer_nps(customer_state *c, int64_t day, int32_t at, int32_t value) {
  if (value == 0) return;
  if (c->nps[0] == 0 || day > c->nps_day[0] || (day == c->nps_day[0] && at >= c->nps_at[0])) {
    c->nps_day[1] = c->nps_day[0];
    c->nps_at[1] = c->nps_at[0];
    c->nps[1] = c->nps[0];
    c->nps_day[0] = day;
    c->nps_at[0] = at;
    c->nps[0] = value;
  } else if (c->nps[1] == 0 || day > c->nps_day[1] || (day == c->nps_day[1] && at >= c->nps_at[1])) {
    c->nps_day[1] = day;
    c->nps_at[1] = at;
    c->nps[1] = value;
  }
}

static void scan_days(customer_state *cs, const cxm_store *s, int64_t cutoff_day, int64_t end_day, int any) {
  uint32_t i;
  if (s->purchase_days.slots == NULL) return;
  for (i = 0; i <= s->purchase_days.slot_mask; i++) {
    const cxmi_day_slot *d = &s->purchase_days.slots[i];
    customer_state *c;
    int64_t day;
    int active;
    if (d->key == 0) continue;
    day = (int64_t)(uint32_t)(d->key - 1);
    c = &cs[(d->key - 1) >> 32];
    /* A day slot exists only for customer-initiated events (purchases,
     * answers, complaints, compliments), so with `any` every slot is
     * activity. */
    active = any || d->purchases > 0;
    if (day >= cutoff_day) {
      if (active && day < end_day) c->active_after = 1;
      continue;
    }
    if (active && day > c->last_active_day) c->last_active_day = day;
    c->at_risk_seen = 1;
    if (day > c->last_touch_day) c->last_touch_day = day;
    if (day < c->first_touch_day) c->first_touch_day = day;
    if (d->purchases == 0) c->other_days++;
    if (d->purchases > 0 && day > c->last_purchase_day) c->last_purchase_day = day;
    c->complaints += (int64_t)d->complaints - (int64_t)d->compliments;
    if (day >= cutoff_day - RECENT_DAYS) {
      c->high_effort += d->high_effort;
      c->recent_complaints += d->complaints;
    }
    offer_nps(c, day, d->nps_prev_at, d->nps_prev);
    offer_nps(c, day, d->nps_last_at, d->nps_last);
  }
}

static int32_t scan_interactions(customer_state *cs, const cxm_store *s, int64_t cutoff, const cxm_calendar *cal,
                                 int64_t target, int64_t end, int any) {
  uint32_t i;
  for (i = 0; i < s->interactions.refs.count; i++) {
    const cxmi_interaction *r = &s->interactions.items[i];
    /* A contact the customer opens is activity for the lapse label (with `any`). */
    if (any && r->open_time != CXMI_NO_TIME) {
      customer_state *c = &cs[r->open_customer];
      if (r->open_time >= cutoff && r->open_time < end) c->active_after = 1;
      if (r->open_time < cutoff && r->open_time / DAY > c->last_active_day) c->last_active_day = r->open_time / DAY;
    }
    if (r->open_time != CXMI_NO_TIME && r->open_time < cutoff) {
      customer_state *c = &cs[r->open_customer];
      int64_t business, until = r->reply_time < cutoff ? r->reply_time : cutoff;
      int32_t rc;
      c->at_risk_seen = 1;
      if (r->open_time / DAY > c->last_touch_day) c->last_touch_day = r->open_time / DAY;
      if (r->open_time / DAY < c->first_touch_day) c->first_touch_day = r->open_time / DAY;
      c->other_days++;
      if (r->resolve_time == CXMI_NO_TIME || r->resolve_time >= cutoff) {
        c->open_contacts++;
        if (r->open_time < c->oldest_open) c->oldest_open = r->open_time;
      }
      /* A reply after the cut-off is not known at the cut-off: until then
       * the contact is unanswered. Business time never exceeds wall time. */
      if (until - r->open_time > target) {
        rc = cxm_calendar_business_seconds(&business, cal, r->open_time, until);
        if (rc != CXM_OK) return rc;
        if (business > target) c->breaches++;
      }
    }
    /* As of the cut-off an interaction's gap is its first internal rating
     * minus its first customer rating, both before the cut-off: later
     * ratings (which the report's means include) would leak the future. */
    if (r->first_internal_time < cutoff && r->first_customer_rating_time < cutoff) {
      customer_state *c = &cs[r->rating_customer];
      c->gap_sum += r->first_internal - r->first_rating;
      c->gap_n++;
    }
  }
  return CXM_OK;
}

/* ---- effort signals of the last 90 days (docs/churn.md) ------------------ */

/* The repeat window of the repeat-contact and channel-switch features: the
 * default of cxm_operations_options (docs/experience.md). */
#define REPEAT_WINDOW (7 * DAY)

typedef struct effort_contact {
  uint32_t customer;
  int32_t channel;
  int64_t open;
  uint32_t index;
} effort_contact;

typedef struct effort_followup {
  uint32_t interaction;
  int64_t time;
} effort_followup;

static int by_customer_open(const void *x, const void *y) {
  const effort_contact *a = x, *b = y;
  if (a->customer != b->customer) return a->customer < b->customer ? -1 : 1;
  if (a->open != b->open) return a->open < b->open ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

static int by_interaction_time(const void *x, const void *y) {
  const effort_followup *a = x, *b = y;
  if (a->interaction != b->interaction) return a->interaction < b->interaction ? -1 : 1;
  return a->time < b->time ? -1 : a->time > b->time;
}

static int is_detractor(int32_t kind, int32_t value) {
  return kind == CXM_KIND_NPS ? value <= 6 : kind == CXM_KIND_CSAT ? value <= 2 : kind == CXM_KIND_CES && value <= 3;
}

/* Repeat contacts, channel switches, reopens, transfers and detractor
 * answers without a follow-up, in [cutoff - 90 days, cutoff), each from
 * events before the cut-off only: a contact counts as a repeat only when
 * the next one was opened before the cut-off, an answer as followed only
 * when the follow-up came before it. */
static int32_t scan_effort(customer_state *cs, const cxm_store *s, int64_t cutoff, cxmi_alloc *a) {
  const cxmi_interactions *t = &s->interactions;
  int64_t from = cutoff - RECENT_DAYS * DAY;
  effort_contact *ct = NULL;
  effort_followup *fu = NULL;
  size_t nc = 0, nf = 0, cap_c, cap_f, i, j;
  int32_t rc = CXM_OK;
  int logged = 0;
  for (i = 0; i < t->refs.count; i++) nc += t->items[i].open_time < cutoff; /* CXMI_NO_TIME is INT64_MAX */
  for (i = 0; i < s->loop.count; i++)
    nf += s->loop.items[i].kind == CXM_KIND_FOLLOWUP && s->loop.items[i].time < cutoff;
  cap_c = nc + 1;
  cap_f = nf + 1;
  ct = cxmi_malloc(a, cap_c * sizeof *ct);
  fu = cxmi_malloc(a, cap_f * sizeof *fu);
  if (ct == NULL || fu == NULL) {
    rc = CXM_E_NOMEM;
    goto done;
  }
  /* Repeats and switches, as the service operations count them but with
   * the contacts known at the cut-off. */
  nc = 0;
  for (i = 0; i < t->refs.count; i++) {
    const cxmi_interaction *r = &t->items[i];
    if (r->open_time >= cutoff) continue;
    ct[nc].customer = r->open_customer;
    ct[nc].channel = r->open_channel;
    ct[nc].open = r->open_time;
    ct[nc].index = (uint32_t)i;
    nc++;
  }
  if (nc > 1) qsort(ct, nc, sizeof *ct, by_customer_open);
  for (i = 0; i < nc; i++) {
    int repeated = 0, switched = 0;
    if (ct[i].open < from) continue;
    for (j = i + 1; j < nc && ct[j].customer == ct[i].customer; j++) {
      if (ct[j].open == ct[i].open) continue; /* opened in the same second: not a repeat */
      if (ct[j].open - ct[i].open > REPEAT_WINDOW) break;
      repeated = 1;
      if (ct[j].channel != ct[i].channel) switched = 1;
    }
    cs[ct[i].customer].repeats += (uint32_t)repeated;
    cs[ct[i].customer].switches += (uint32_t)switched;
  }
  /* Reopens and transfers of contacts opened before the cut-off. */
  for (i = 0; i < t->status_count; i++) {
    const cxmi_status *e = &t->status[i];
    const cxmi_interaction *r = &t->items[e->interaction];
    if (e->time < from || e->time >= cutoff || r->open_time >= cutoff) continue;
    if (e->kind == CXM_KIND_CONTACT_REOPEN) cs[r->open_customer].reopens++;
    if (e->kind == CXM_KIND_CONTACT_TRANSFER) cs[r->open_customer].transfers++;
  }
  /* Follow-ups before the cut-off by the interaction their ref names (an
   * answer's ref is its interaction's); a ref no interaction has follows
   * no answer. */
  nf = 0;
  for (i = 0; i < s->loop.count; i++) {
    const cxmi_loop_event *e = &s->loop.items[i];
    size_t len;
    const char *ref;
    int64_t at;
    if (e->kind != CXM_KIND_FOLLOWUP || e->time >= cutoff || e->ref == 0) continue;
    ref = cxmi_intern_str(&s->loop.refs, e->ref - 1, &len);
    at = cxmi_intern_find(&t->refs, ref, len, cxmi_hash_bytes(ref, len));
    if (at < 0) continue;
    fu[nf].interaction = (uint32_t)at;
    fu[nf].time = e->time;
    nf++;
  }
  if (nf > 1) qsort(fu, nf, sizeof *fu, by_interaction_time);
  /* A store without any follow-up before the cut-off cannot tell a
   * detractor left alone from one whose follow-up was never logged: the
   * feature stays 0 (and the data's model as it was without it). */
  for (i = 0; i < s->loop.count && !logged; i++)
    logged = s->loop.items[i].kind == CXM_KIND_FOLLOWUP && s->loop.items[i].time < cutoff;
  for (i = 0; logged && i < s->loop.count; i++) {
    const cxmi_loop_event *e = &s->loop.items[i];
    size_t lo = 0, hi = nf;
    if (e->time < from || e->time >= cutoff || !is_detractor(e->kind, e->value)) continue;
    if (e->ref != 0) {
      /* the first follow-up of the answer's interaction at or after it */
      effort_followup key;
      key.interaction = e->ref - 1;
      key.time = e->time;
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (by_interaction_time(&fu[mid], &key) < 0)
          lo = mid + 1;
        else
          hi = mid;
      }
      if (lo < nf && fu[lo].interaction == key.interaction) continue; /* followed before the cut-off */
    }
    cs[e->customer].unfollowed++;
  }
done:
  cxmi_free(a, ct, ct != NULL ? cap_c * sizeof *ct : 0);
  cxmi_free(a, fu, fu != NULL ? cap_f * sizeof *fu : 0);
  return rc;
}

static void scan_churn(customer_state *cs, const cxm_store *s, int64_t cutoff, int64_t horizon_end) {
  uint32_t i;
  for (i = 0; i < s->churned.count; i++) {
    uint64_t key = s->churned.keys[i];
    int64_t t = s->cube.cells[(uint32_t)key].key.bucket * s->bucket_seconds; /* buckets are cut-off aligned */
    customer_state *c = &cs[key >> 32];
    if (t < cutoff)
      c->churned_before = 1;
    else if (t < horizon_end)
      c->churned_after = 1;
  }
}

/* P(alive) of the purchase model fitted on the summaries as of the
 * cut-off; customers the model cannot speak for keep has_p_alive 0. */
/* P(no purchase in a horizon of h weeks | x, T, the customer stays through
 * it): the purchase rate's posterior is Gamma(r + x, alpha + T) for an
 * alive customer in BG/NBD, MBG/NBD and Pareto/NBD alike (param[0] = r,
 * param[1] = alpha in each), so this is ((alpha + T) / (alpha + T +
 * h))^(r + x): how often a customer who has not left still shows no
 * purchase for a whole label window (docs/churn.md, "Lapse is a proxy"). */
static double p_quiet(const cxm_model *m, double h, uint32_t x, double T) {
  return exp(-(m->param[0] + (double)x) * log1p(h / (m->param[1] + T)));
}

/* With `keep` non-NULL, a fitted model's summaries and their handles go to
 * keep->rfm and keep->rfm_handles instead of being freed. */
static int32_t purchase_model(cxm_model *fitted, customer_state *cs, size_t count, const cxm_store *s, int64_t cutoff,
                              int32_t kind, double horizon_weeks, double label_weeks, cxm_features *keep) {
  cxm_rfm *rfm = NULL;
  cxm_rfm_options o;
  cxm_model m;
  uint32_t *handles; /* of the summaries (cxmi_store_rfm) */
  cxmi_alloc a;
  size_t i, n;
  int32_t rc;
  if (cutoff <= CXM_TIME_MIN) return CXM_OK; /* no purchase can precede 1970-01-01 */
  cxmi_alloc_init(&a, cxmi_store_hooks(s));
  rc = cxm_rfm_new(&rfm, cxmi_store_hooks(s));
  if (rc != CXM_OK) return rc;
  handles = cxmi_malloc(&a, (count > 0 ? count : 1) * sizeof *handles);
  if (handles == NULL) {
    cxm_rfm_free(rfm);
    return CXM_E_NOMEM;
  }
  cxm_rfm_options_init(&o);
  o.to = cutoff;
  rc = cxmi_store_rfm(rfm, handles, s, &o);
  if (rc == CXM_OK) {
    cxm_model_init(&m);
    rc = cxm_model_fit(&m, rfm, kind, NULL);
    /* Without repeat buyers (or a usable fit) the purchase risk stays 0 for
     * everyone: the experience signals still rank customers. */
    if (rc != CXM_OK && rc != CXM_E_CONVERGE) {
      cxmi_free(&a, handles, (count > 0 ? count : 1) * sizeof *handles);
      cxm_rfm_free(rfm);
      return rc == CXM_E_NOMEM ? rc : CXM_OK;
    }
    *fitted = m;
    n = cxm_rfm_count(rfm);
    for (i = 0; i < n; i++) {
      cxm_rfm_customer c;
      uint32_t handle = handles[i];
      double p;
      cxm_rfm_customer_init(&c);
      if (cxm_rfm_get(&c, rfm, i) != CXM_OK) continue;
      if (cxm_model_p_alive(&p, &m, c.x, c.t_x, c.T) != CXM_OK || !isfinite(p)) continue;
      cs[handle].p_alive = p;
      cs[handle].p_quiet = p_quiet(&m, label_weeks, c.x, c.T);
      if (cxm_model_p_no_purchase(&cs[handle].p_none, &m, horizon_weeks, c.x, c.t_x, c.T) != CXM_OK) continue;
      cs[handle].has_p_alive = 1;
    }
    /* A customer whose first purchase is on the cut-off's eve has T = 0 and
     * no summary (cxm_store_rfm() leaves T = 0 out: it carries no
     * information for the fit), but the model still speaks for it: its
     * values at x = 0, t_x = T = 0. A customer who never bought gets the
     * same lapse probability (the no_purchase feature tells them apart),
     * and no P(alive). */
    double p0_alive, p0_none;
    if (cxm_model_p_alive(&p0_alive, &m, 0, 0.0, 0.0) == CXM_OK &&
        cxm_model_p_no_purchase(&p0_none, &m, horizon_weeks, 0, 0.0, 0.0) == CXM_OK) {
      for (i = 0; i < count; i++) {
        if (cs[i].has_p_alive) continue;
        cs[i].p_none = p0_none;
        cs[i].p_quiet = p_quiet(&m, label_weeks, 0, 0.0);
        if (cs[i].last_purchase_day == INT64_MIN) continue;
        cs[i].p_alive = p0_alive;
        cs[i].has_p_alive = 1;
      }
    }
  }
  if (keep != NULL && rc == CXM_OK) {
    keep->rfm = rfm;
    keep->rfm_handles = handles;
    keep->rfm_room = count > 0 ? count : 1;
    return CXM_OK;
  }
  cxmi_free(&a, handles, (count > 0 ? count : 1) * sizeof *handles);
  cxm_rfm_free(rfm);
  return rc == CXM_E_CONVERGE ? CXM_OK : rc;
}

/* With CXM_ACTIVITY_ANY a stayer's window is quiet only when it holds no
 * purchase and no answer, complaint, compliment or contact either. Those
 * other touchpoints are taken as a Poisson process of a rate that varies
 * across customers as a Gamma of shape 1 around the population's pooled
 * rate (days with such activity per week of observation): for a customer
 * with n such days in E weeks the rate's posterior is Gamma(1 + n, beta +
 * E), beta = 1 / pooled rate, and P(none in h weeks) = ((beta + E) / (beta
 * + E + h))^(1 + n), which multiplies the purchase model's quiet-window
 * probability (independent processes). Shape 1 is an assumption (one
 * parameter fewer to fit), not an estimate: docs/churn.md. */
static void quiet_other(customer_state *cs, size_t n, int64_t cutoff_day, double h) {
  double days = 0.0, weeks = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!cs[i].at_risk_seen || cs[i].churned_before) continue;
    days += cs[i].other_days;
    weeks += (double)(cutoff_day - cs[i].first_touch_day) / 7.0;
  }
  if (!(days > 0.0 && weeks > 0.0)) return;
  double beta = weeks / days;
  for (size_t i = 0; i < n; i++) {
    if (!cs[i].at_risk_seen || cs[i].churned_before) continue;
    double e = (double)(cutoff_day - cs[i].first_touch_day) / 7.0;
    cs[i].p_quiet *= exp(-(1.0 + cs[i].other_days) * log1p(h / (beta + e)));
  }
}

/* Log-odds of a probability clipped to [1e-6, 1 - 1e-6] (+-13.8): past
 * that the purchase model's tails say nothing a CRM could act on, and a
 * finite feature keeps every fit well posed. */
static double clipped_logit(double p) {
  double q = p < 1e-6 ? 1e-6 : (p > 1.0 - 1e-6 ? 1.0 - 1e-6 : p);
  return log(q / (1.0 - q));
}

/* Label 1: lost in [cutoff, cutoff + horizon) under the rule. */
static int32_t label_of(const customer_state *c, int32_t rule) {
  int churn = c->churned_after, lapse = !c->active_after;
  if (rule == CXM_LABEL_CHURN) return churn;
  if (rule == CXM_LABEL_LAPSE) return lapse;
  return churn || lapse;
}

static void fill_row(double *v, const customer_state *c, int64_t cutoff) {
  int64_t cutoff_day = cutoff / DAY;
  memset(v, 0, CXM_FEATURE_COUNT * sizeof *v);
  v[CXM_FEATURE_PURCHASE_RISK] = c->has_p_alive ? 1.0 - c->p_alive : 0.0;
  v[CXM_FEATURE_NO_PURCHASE] = c->last_purchase_day == INT64_MIN ? 1.0 : 0.0;
  if (c->last_purchase_day != INT64_MIN) v[CXM_FEATURE_RECENCY] = (double)(cutoff_day - c->last_purchase_day) / 7.0;
  if (c->nps[0] != 0) {
    int32_t latest = c->nps[0] - 1;
    v[CXM_FEATURE_DETRACTOR] = latest <= 6 ? 1.0 : 0.0;
    v[CXM_FEATURE_PROMOTER] = latest >= 9 ? 1.0 : 0.0;
    if (c->nps[1] != 0) v[CXM_FEATURE_NPS_DROP] = (double)(c->nps[1] - c->nps[0]) / 10.0;
  }
  v[CXM_FEATURE_HIGH_EFFORT] = (double)c->high_effort;
  v[CXM_FEATURE_OPEN_CONTACTS] = (double)c->open_contacts;
  /* Capped at a year: beyond it a contact is simply forgotten, and an
   * unbounded age would dominate every other signal. */
  if (c->open_contacts > 0) v[CXM_FEATURE_OPEN_AGE] = fmin((double)(cutoff - c->oldest_open) / WEEK, 52.0);
  v[CXM_FEATURE_BREACHES] = (double)c->breaches;
  v[CXM_FEATURE_COMPLAINTS] = (double)c->complaints;
  if (c->gap_n > 0) v[CXM_FEATURE_GAP] = c->gap_sum / c->gap_n / 100.0;
  v[CXM_FEATURE_SILENCE] = (double)(cutoff_day - c->last_touch_day) / 7.0;
  v[CXM_FEATURE_LAPSE_ODDS] = c->p_none > 0.0 ? clipped_logit(c->p_none) : 0.0;
  v[CXM_FEATURE_RECENT_COMPLAINTS] = (double)c->recent_complaints;
  v[CXM_FEATURE_REPEAT_CONTACTS] = (double)c->repeats;
  v[CXM_FEATURE_CHANNEL_SWITCHES] = (double)c->switches;
  v[CXM_FEATURE_REOPENS] = (double)c->reopens;
  v[CXM_FEATURE_TRANSFERS] = (double)c->transfers;
  v[CXM_FEATURE_UNFOLLOWED_DETRACTORS] = (double)c->unfollowed;
}

void cxm_features_free(cxm_features *f) {
  cxmi_alloc a;
  if (f == NULL) return;
  cxmi_alloc_init(&a, &f->hooks);
  cxmi_free(&a, f->values, f->count * CXM_FEATURE_COUNT * sizeof *f->values);
  cxmi_free(&a, f->handles, f->count * sizeof *f->handles);
  cxmi_free(&a, f->labels, f->count * sizeof *f->labels);
  cxmi_free(&a, f->p_alive, f->count * sizeof *f->p_alive);
  cxmi_free(&a, f->p_none, f->count * sizeof *f->p_none);
  cxmi_free(&a, f->p_quiet, f->count * sizeof *f->p_quiet);
  cxmi_free(&a, f->lapsed, f->count * sizeof *f->lapsed);
  cxmi_free(&a, f->rfm_handles, f->rfm_room * sizeof *f->rfm_handles);
  cxm_rfm_free(f->rfm);
  cxmi_free(&a, f, sizeof *f);
}

int32_t cxm_store_features(cxm_features **out, const cxm_store *store, const cxm_feature_options *options) {
  return cxmi_store_features_keep(out, store, options, 0);
}

int32_t cxmi_store_features_keep(cxm_features **out, const cxm_store *store, const cxm_feature_options *options,
                                 int keep_rfm) {
  cxm_feature_options o;
  cxm_features kept;
  cxm_calendar *own = NULL;
  const cxm_calendar *cal;
  customer_state *cs = NULL;
  cxm_features *f = NULL;
  cxmi_alloc a;
  size_t n, rows = 0, i, k;
  int32_t rc;
  int any;
  cxm_model fitted;
  memset(&kept, 0, sizeof kept); /* only its rfm, rfm_handles and rfm_room are used */
  if (out == NULL) return CXM_E_ARG;
  *out = NULL; /* on any failure (docs/api.md) */
  if (store == NULL || options == NULL) return CXM_E_ARG;
  if (!CXMI_STRUCT_OK(options, cxm_feature_options)) return CXM_E_SIZE;
  cxm_feature_options_init(&o);
  cxmi_struct_in(&o, options, sizeof o);
  /* Exclusive: the midnight after the last representable second (10000-01-01) is a valid cut-off. */
  if (o.cutoff < CXM_TIME_MIN || o.cutoff > CXM_TIME_MAX + 1 || o.cutoff % DAY != 0) return CXM_E_WINDOW;
  if (o.horizon_seconds < 0 || o.horizon_seconds % DAY != 0 || o.horizon_seconds > 100 * 366 * DAY ||
      o.sla_target_seconds < 0 || o.purchase_model < CXM_MODEL_BGNBD || o.purchase_model > CXM_MODEL_PNBD ||
      o.label < CXM_LABEL_CHURN || o.label > CXM_LABEL_BOTH || o.activity < CXM_ACTIVITY_PURCHASES ||
      o.activity > CXM_ACTIVITY_ANY || o.lapse_horizon_seconds <= 0 || o.lapse_horizon_seconds % DAY != 0 ||
      o.lapse_horizon_seconds > 100 * 366 * DAY)
    return CXM_E_OPTION;
  if (cxmi_store_keeps(store, CXM_OMIT_CUSTOMER_DAYS) != CXM_OK) return CXM_E_STATE;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  cal = o.calendar;
  if (cal == NULL) {
    rc = cxm_calendar_new(&own, &store->alloc.hooks);
    if (rc != CXM_OK) return rc;
    cal = own;
  }
  n = store->customers.count;
  if (n > 0) {
    cs = cxmi_calloc(&a, n, sizeof *cs);
    if (cs == NULL) {
      rc = CXM_E_NOMEM;
      goto done;
    }
  }
  for (i = 0; i < n; i++) {
    cs[i].last_touch_day = cs[i].last_purchase_day = cs[i].last_active_day = INT64_MIN;
    cs[i].first_touch_day = INT64_MAX;
    cs[i].oldest_open = INT64_MAX;
  }
  any = o.activity == CXM_ACTIVITY_ANY;
  /* The label window may run past 10000-01-01: the days are only compared. */
  scan_days(cs, store, o.cutoff / DAY, (o.cutoff + o.horizon_seconds) / DAY, any);
  rc = scan_interactions(cs, store, o.cutoff, cal, o.sla_target_seconds, o.cutoff + o.horizon_seconds, any);
  if (rc == CXM_OK) rc = scan_effort(cs, store, o.cutoff, &a);
  if (rc != CXM_OK) goto done;
  scan_churn(cs, store, o.cutoff, o.cutoff + o.horizon_seconds);
  cxm_model_init(&fitted);
  rc = purchase_model(&fitted, cs, n, store, o.cutoff, o.purchase_model, (double)o.lapse_horizon_seconds / WEEK,
                      (double)o.horizon_seconds / WEEK, keep_rfm ? &kept : NULL);
  if (rc != CXM_OK) goto done;

  if (any) quiet_other(cs, n, o.cutoff / DAY, (double)o.horizon_seconds / WEEK);
  for (i = 0; i < n; i++)
    if (cs[i].at_risk_seen && !cs[i].churned_before) rows++;
  f = cxmi_calloc(&a, 1, sizeof *f);
  if (f == NULL) {
    rc = CXM_E_NOMEM;
    goto done;
  }
  f->hooks = store->alloc.hooks;
  f->model = fitted;
  f->rfm = kept.rfm; /* cxm_features_free() releases them from here on */
  f->rfm_handles = kept.rfm_handles;
  f->rfm_room = kept.rfm_room;
  kept.rfm = NULL;
  kept.rfm_handles = NULL;
  if (rows > 0) {
    f->values = cxmi_calloc(&a, rows * CXM_FEATURE_COUNT, sizeof *f->values);
    f->handles = cxmi_calloc(&a, rows, sizeof *f->handles);
    f->labels = cxmi_calloc(&a, rows, sizeof *f->labels);
    f->p_alive = cxmi_calloc(&a, rows, sizeof *f->p_alive);
    f->p_none = cxmi_calloc(&a, rows, sizeof *f->p_none);
    f->p_quiet = cxmi_calloc(&a, rows, sizeof *f->p_quiet);
    f->lapsed = cxmi_calloc(&a, rows, sizeof *f->lapsed);
    f->count = rows; /* the sizes cxm_features_free() releases, even on failure */
    if (f->values == NULL || f->handles == NULL || f->labels == NULL || f->p_alive == NULL || f->p_none == NULL ||
        f->p_quiet == NULL || f->lapsed == NULL) {
      rc = CXM_E_NOMEM;
      goto done;
    }
  }
  for (i = 0, k = 0; i < n; i++) {
    if (!cs[i].at_risk_seen || cs[i].churned_before) continue;
    fill_row(f->values + k * CXM_FEATURE_COUNT, &cs[i], o.cutoff);
    f->handles[k] = (uint32_t)i;
    f->labels[k] = o.horizon_seconds > 0 ? label_of(&cs[i], o.label) : -1;
    f->p_alive[k] = cs[i].has_p_alive ? cs[i].p_alive : NAN;
    f->p_none[k] = cs[i].has_p_alive ? cs[i].p_none : NAN;
    f->p_quiet[k] = isfinite(cs[i].p_quiet) ? cs[i].p_quiet : 0.0;
    /* Already lapsed: no label activity in the horizon-long window before
     * the cut-off (as the lapse label would have said of that window). */
    f->lapsed[k] = cs[i].last_active_day == INT64_MIN ||
                   cs[i].last_active_day < (o.cutoff - o.lapse_horizon_seconds) / DAY;
    k++;
  }
  *out = f;
  f = NULL;
  rc = CXM_OK;
done:
  cxm_features_free(f);
  cxmi_free(&a, kept.rfm_handles, kept.rfm_room * sizeof *kept.rfm_handles);
  cxm_rfm_free(kept.rfm);
  cxmi_free(&a, cs, n * sizeof *cs);
  cxm_calendar_free(own);
  return rc;
}

double cxmi_features_p_alive(const cxm_features *f, size_t index) {
  return f != NULL && index < f->count ? f->p_alive[index] : NAN;
}

const cxm_model *cxmi_features_model(const cxm_features *f) {
  return f != NULL && f->model.kind != 0 ? &f->model : NULL;
}

const cxm_rfm *cxmi_features_rfm(const uint32_t **handles, const cxm_features *f) {
  *handles = f != NULL ? f->rfm_handles : NULL;
  return f != NULL ? f->rfm : NULL;
}

double cxmi_features_p_none(const cxm_features *f, size_t index) {
  return f != NULL && index < f->count ? f->p_none[index] : NAN;
}

double cxmi_features_p_quiet(const cxm_features *f, size_t index) {
  return f != NULL && index < f->count ? f->p_quiet[index] : 0.0;
}

int cxmi_features_lapsed(const cxm_features *f, size_t index) {
  return f != NULL && index < f->count ? f->lapsed[index] : 0;
}

size_t cxm_features_count(const cxm_features *features) { return features == NULL ? 0 : features->count; }

/* Features of version 0.1: what cxm_features_row() writes, forever. */
#define FEATURES_V1 13
_Static_assert(CXM_FEATURE_COUNT >= FEATURES_V1, "features are only ever appended");

static int32_t row_copy(double *values, size_t count, uint32_t *handle, int32_t *label, const cxm_features *f,
                        size_t index) {
  if (values == NULL || f == NULL) return CXM_E_ARG;
  if (index >= f->count) return CXM_E_NOT_FOUND;
  memcpy(values, f->values + index * CXM_FEATURE_COUNT, count * sizeof *values);
  if (handle != NULL) *handle = f->handles[index];
  if (label != NULL) *label = f->labels[index];
  return CXM_OK;
}

const uint32_t *cxmi_features_handles(const cxm_features *f) { return f->handles; }

int32_t cxm_features_row_get(double *values, size_t capacity, uint32_t *handle, int32_t *label, const cxm_features *f,
                             size_t index) {
  if (values == NULL || f == NULL) return CXM_E_ARG;
  if (capacity < CXM_FEATURE_COUNT) return CXM_E_BUFFER;
  return row_copy(values, CXM_FEATURE_COUNT, handle, label, f, index);
}

int32_t cxm_features_row(double *values, uint32_t *handle, int32_t *label, const cxm_features *f, size_t index) {
  return row_copy(values, FEATURES_V1, handle, label, f, index);
}

/* Default coefficients for data without churn labels (docs/churn.md):
 * signs from the CX literature, sizes chosen so that one strong signal
 * moves a customer about one band. */
int32_t cxm_feature_default_model(cxm_risk_model *model) {
  static const double coef[CXM_FEATURE_COUNT] = {
      2.0,  /* purchase_risk: the purchase model's own 1 - P(alive) */
      0.5,  /* no_purchase */
      0.02, /* recency_weeks */
      0.8,  /* detractor (Reichheld 2003: detractors account for most defections) */
      -0.5, /* promoter */
      0.5,  /* nps_drop, per 10 points */
      0.4,  /* high_effort, per answer (Dixon, Freeman & Toman 2010) */
      0.5,  /* open_contacts */
      0.03, /* open_age_weeks (capped at 52: at most +1.56) */
      0.3,  /* sla_breaches */
      0.3,  /* complaints minus compliments */
      1.0,  /* perception_gap, per 100 points */
      0.02, /* silence_weeks */
      0.0,  /* lapse_odds: the purchase signal is purchase_risk's */
      0.3,  /* recent_complaints, in the last 90 days, on top of `complaints` */
      0.3,  /* repeat_contacts (Dixon, Freeman & Toman 2010: repeat contacts drive disloyalty) */
      0.2,  /* channel_switches, on top of the repeat they also are */
      0.3,  /* reopens: a problem declared solved that was not */
      0.1,  /* transfers, per hop */
      0.4   /* unfollowed_detractors: the loop left open */
  };
  if (model == NULL) return CXM_E_ARG;
  cxm_risk_model_init(model);
  /* Baseline about 8% a quarter for a customer with no signal at all. */
  return cxm_risk_model_set(model, CXM_FEATURE_COUNT, -2.5, coef);
}

int32_t cxm_store_risk_model(cxm_risk_model *model, cxm_risk_evaluation *evaluation, int32_t *fitted,
                             const cxm_store *store, const cxm_feature_options *options) {
  cxm_features *f = NULL;
  cxm_risk_data *train = NULL, *test = NULL;
  cxm_risk_options ro;
  size_t i, n;
  uint64_t churned = 0, train_churned = 0;
  int32_t rc;
  if (model == NULL || store == NULL || options == NULL) return CXM_E_ARG;
  if (evaluation != NULL && !CXMI_STRUCT_OK(evaluation, cxm_risk_evaluation)) return CXM_E_SIZE;
  if (CXMI_STRUCT_OK(options, cxm_feature_options) && options->horizon_seconds == 0) return CXM_E_OPTION;
  if (fitted != NULL) *fitted = 0;
  rc = cxm_store_features(&f, store, options);
  if (rc != CXM_OK) return rc;
  n = cxm_features_count(f);
  for (i = 0; i < n; i++) {
    int32_t label;
    double v[CXM_FEATURE_COUNT];
    (void)cxm_features_row_get(v, CXM_FEATURE_COUNT, NULL, &label, f, i);
    churned += label == 1;
  }
  if (evaluation != NULL) {
    size_t size = evaluation->size; /* the caller's: a newer caller's zero tail stays as it is */
    memset(evaluation, 0, sizeof *evaluation);
    evaluation->size = size;
  }
  if (churned < CXM_CHURN_MIN_LABELS || n - churned < CXM_CHURN_MIN_LABELS) {
    cxm_features_free(f);
    return cxm_feature_default_model(model);
  }
  rc = cxm_risk_data_new(&train, CXM_FEATURE_COUNT, cxmi_store_hooks(store));
  if (rc == CXM_OK) rc = cxm_risk_data_new(&test, CXM_FEATURE_COUNT, cxmi_store_hooks(store));
  for (i = 0; rc == CXM_OK && i < n; i++) {
    double v[CXM_FEATURE_COUNT];
    uint32_t handle;
    int32_t label;
    (void)cxm_features_row_get(v, CXM_FEATURE_COUNT, &handle, &label, f, i);
    if (handle % 2 == 0) train_churned += label == 1;
    rc = cxm_risk_data_add(handle % 2 == 0 ? train : test, v, label, 1.0);
  }
  /* The even-handle half must hold both classes to be fitted on; when the
   * split leaves it one class (handles that follow the label), the
   * default model is the honest answer, as with too few labels. */
  if (rc == CXM_OK && (train_churned == 0 || train_churned == cxm_risk_data_count(train))) {
    cxm_risk_data_free(train);
    cxm_risk_data_free(test);
    cxm_features_free(f);
    return cxm_feature_default_model(model);
  }
  if (rc == CXM_OK) {
    cxm_risk_options_init(&ro);
    cxm_risk_model_init(model);
    rc = cxm_risk_fit(model, train, &ro);
    if ((rc == CXM_OK || rc == CXM_E_CONVERGE) && evaluation != NULL && cxm_risk_data_count(test) > 0) {
      int32_t erc = cxm_risk_evaluate(evaluation, model, test);
      if (erc != CXM_OK && erc != CXM_E_NO_DATA) rc = erc;
    }
    if ((rc == CXM_OK || rc == CXM_E_CONVERGE) && fitted != NULL) *fitted = 1;
  }
  cxm_risk_data_free(train);
  cxm_risk_data_free(test);
  cxm_features_free(f);
  return rc;
}
