/* Closing the loop and response rates of a slice (cxm/loop.h,
 * docs/experience.md "Closing the loop", "Response rates"): what each
 * answer and invitation of the survey log contributes is found once (its
 * first follow-up, the customer's next answer of its kind, its
 * invitation), then each filter is a pass over those facts. */
#include "cxm/loop.h"

#include "common/alloc.h"
#include "common/compiler.h"
#include "common/hash.h"
#include "math/quantile.h"
#include "math/stats.h"
#include "store/loop.h"
#include "store/slice.h"
#include "store/store_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)

void cxm_loop_options_init(cxm_loop_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->nps_detractor_max = 6;
  options->csat_detractor_max = 2;
  options->ces_detractor_max = 3;
  options->target_business_seconds = 8 * 3600;
  options->invitation_window_seconds = 30 * DAY;
}

static int32_t check_options(cxm_loop_options *o, const cxm_loop_options *options) {
  if (options == NULL) {
    cxm_loop_options_init(o);
    return CXM_OK;
  }
  if (options->size != sizeof *options) return CXM_E_SIZE;
  if (options->nps_detractor_max < 0 || options->nps_detractor_max > 10 || options->csat_detractor_max < 1 ||
      options->csat_detractor_max > 5 || options->ces_detractor_max < 1 || options->ces_detractor_max > 7 ||
      options->target_business_seconds < 1 || options->invitation_window_seconds < 1 ||
      options->invitation_window_seconds > 3660 * DAY)
    return CXM_E_OPTION;
  *o = *options;
  return CXM_OK;
}

/* A log record's position with the keys it is sorted by. */
typedef struct entry {
  uint32_t key;   /* customer or ref */
  uint32_t index; /* log index: ties in time keep input order */
  int64_t time;
} entry;

static int by_key_time(const void *x, const void *y) {
  const entry *a = x, *b = y;
  if (a->key != b->key) return a->key < b->key ? -1 : 1;
  if (a->time != b->time) return a->time < b->time ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

/* Sort entries filled in log order by (key, time, index): keys are dense
 * (customer handles, ref indexes below `keys`), so a stable counting sort
 * by key, then each key's run by time (insertion sort keeps the log order
 * of ties; long runs go to qsort). Far cheaper than one qsort of the lot. */
static void sort_entries(entry *e, size_t n, uint32_t keys, entry *tmp, uint32_t *count) {
  size_t i, start;
  uint32_t k, sum = 0;
  if (n < 2) return;
  memset(count, 0, ((size_t)keys + 1) * sizeof *count);
  for (i = 0; i < n; i++) count[e[i].key]++;
  for (k = 0; k <= keys; k++) {
    uint32_t c = count[k];
    count[k] = sum;
    sum += c;
  }
  for (i = 0; i < n; i++) tmp[count[e[i].key]++] = e[i];
  memcpy(e, tmp, n * sizeof *e);
  for (start = 0; start < n;) {
    size_t end = start + 1, j;
    while (end < n && e[end].key == e[start].key) end++;
    if (end - start > 32) {
      qsort(e + start, end - start, sizeof *e, by_key_time);
    } else {
      for (i = start + 1; i < end; i++) {
        entry x = e[i];
        for (j = i; j > start && e[j - 1].time > x.time; j--) e[j] = e[j - 1];
        e[j] = x;
      }
    }
    start = end;
  }
}

/* The first entry after every entry <= (key, time, any index). */
static size_t upper_bound(const entry *e, size_t n, uint32_t key, int64_t time) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (e[mid].key < key || (e[mid].key == key && e[mid].time <= time))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The first entry >= (key, time). */
static size_t lower_bound(const entry *e, size_t n, uint32_t key, int64_t time) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (e[mid].key < key || (e[mid].key == key && e[mid].time < time))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* What one answer contributes, found once for every filter, with what a
 * filter selects it by: the filters' passes read this array in order and
 * never the log (whose records they would visit in a cache-missing order). */
typedef struct answer {
  int64_t time;
  int32_t channel, segment;
  uint32_t delay_at; /* when followed: its business seconds to the first follow-up are followed_delay[delay_at] */
  uint8_t stage, kind;
  /* flags, one bit each: 24 bytes a record */
  unsigned detractor : 1;
  unsigned followed : 1;
  unsigned in_target : 1;
  unsigned invited : 1;
  unsigned has_next : 1;
  unsigned next_recovered : 1;
  unsigned followed_before_next : 1;
} answer;

/* An invitation, the same way. */
typedef struct invite {
  int64_t time;
  int32_t channel, segment;
  uint8_t stage, answered;
} invite;

static int is_answer(int kind) { return kind == CXM_KIND_NPS || kind == CXM_KIND_CSAT || kind == CXM_KIND_CES; }

static int detractor(const cxm_loop_options *o, int kind, int value) {
  return kind == CXM_KIND_NPS    ? value <= o->nps_detractor_max
         : kind == CXM_KIND_CSAT ? value <= o->csat_detractor_max
                                 : value <= o->ces_detractor_max;
}

/* The scratch of one query. */
typedef struct work {
  entry *answers;     /* by (customer, time, index) */
  entry *followups;   /* by (ref, time, index) */
  entry *by_ref;      /* invitations with a ref, by (ref, time, index) */
  entry *by_customer; /* invitations without a ref, by (customer, time, index) */
  uint8_t *answered;  /* per log record: an invitation matched by an answer */
  answer *facts;      /* per answer, in the order of `answers` (the summaries only count) */
  invite *invites;    /* per invitation, in the order of `by_ref`, then `by_customer` */
  entry *tmp;         /* sort scratch: one entry per log record */
  uint32_t *count;    /* sort scratch: one per key, keys + 1 */
  size_t count_n;
  uint32_t *refmap;        /* a followup's or invitation's ref -> the common key */
  int64_t *delays;         /* a filter's delays (scratch), n_followed + 1 */
  int64_t *followed_delay; /* per followed answer, in the order found */
  size_t n_followed, followed_cap;
  size_t n_answers, n_followups, n_by_ref, n_by_customer;
} work;

/* Which invitation an answer completes (AAPOR RR1's "complete"): the
 * latest invitation with the answer's ref sent at or before it; failing
 * that, the customer's latest not yet answered invitation without a ref
 * sent within the window before it. Answers are taken in time order. */
static int match_invitation(work *w, const cxmi_loop_event *log, const entry *a, int64_t window) {
  const cxmi_loop_event *r = &log[a->index];
  size_t at;
  if (r->ref != 0 && w->n_by_ref > 0) {
    at = upper_bound(w->by_ref, w->n_by_ref, r->ref, a->time);
    if (at > 0 && w->by_ref[at - 1].key == r->ref) {
      w->answered[w->by_ref[at - 1].index] = 1;
      return 1;
    }
  }
  at = upper_bound(w->by_customer, w->n_by_customer, a->key, a->time);
  while (at > 0) {
    const entry *v = &w->by_customer[--at];
    if (v->key != a->key || v->time < a->time - window) break;
    if (!w->answered[v->index]) {
      w->answered[v->index] = 1;
      return 1;
    }
  }
  return 0;
}

/* Answers ahead whose log record find_facts starts loading. */
#define LOG_AHEAD 8

static int32_t find_facts(work *w, cxmi_alloc *al, const cxm_store *store, const cxm_loop_options *o,
                          const cxm_calendar *cal) {
  const cxmi_loop_event *log = store->loop.items;
  size_t i, j;
  uint32_t customers = store->customers.count, refs = store->interactions.refs.count + store->loop.refs.count + 1;
  sort_entries(w->answers, w->n_answers, customers, w->tmp, w->count);
  sort_entries(w->followups, w->n_followups, refs, w->tmp, w->count);
  sort_entries(w->by_ref, w->n_by_ref, refs, w->tmp, w->count);
  sort_entries(w->by_customer, w->n_by_customer, customers, w->tmp, w->count);
  cxmi_free(al, w->count, w->count_n * sizeof *w->count);
  w->count = NULL;
  /* The sort scratch goes before the facts come: the two are never needed
   * at once (3 M answers: 48 MB less at the peak). */
  if (store->loop.count > 0) {
    cxmi_free(al, w->tmp, store->loop.count * sizeof *w->tmp);
    w->tmp = NULL;
    w->facts = cxmi_malloc(al, (w->n_answers + 1) * sizeof *w->facts);
    if (w->facts == NULL) return CXM_E_NOMEM;
  }
  for (i = 0; i < w->n_answers; i++) {
    const entry *a = &w->answers[i];
    const cxmi_loop_event *r = &log[a->index];
    answer *f = &w->facts[i]; /* sorted order: the summaries only count */
    /* In customer order the log is read at random: start loading a later
     * answer's record while this one is done. */
    if (i + LOG_AHEAD < w->n_answers) PREFETCH(&log[w->answers[i + LOG_AHEAD].index]);
    memset(f, 0, sizeof *f);
    f->time = r->time;
    f->channel = r->channel;
    f->segment = r->segment;
    f->stage = r->stage;
    f->kind = r->kind;
    f->detractor = detractor(o, r->kind, r->value) != 0;
    f->invited = match_invitation(w, log, a, o->invitation_window_seconds) != 0;
    if (!f->detractor) continue;
    /* The customer's next answer of the same kind, in (time, input) order. */
    for (j = i + 1; j < w->n_answers && w->answers[j].key == a->key; j++) {
      const cxmi_loop_event *next = &log[w->answers[j].index];
      if (next->kind != r->kind) continue;
      f->has_next = 1;
      f->next_recovered = !detractor(o, next->kind, next->value);
      break;
    }
    if (r->ref != 0 && w->n_followups > 0) {
      size_t at = lower_bound(w->followups, w->n_followups, r->ref, r->time);
      if (at < w->n_followups && w->followups[at].key == r->ref) {
        int64_t t = w->followups[at].time;
        int64_t delay;
        int32_t rc = cxm_calendar_business_seconds(&delay, cal, r->time, t);
        if (rc != CXM_OK) return rc;
        if (w->n_followed == w->followed_cap) {
          size_t cap = w->followed_cap == 0 ? 1024 : w->followed_cap * 2;
          int64_t *p = cxmi_realloc(al, w->followed_delay, w->followed_cap * sizeof *p, cap * sizeof *p);
          if (p == NULL) return CXM_E_NOMEM;
          w->followed_delay = p;
          w->followed_cap = cap;
        }
        f->delay_at = (uint32_t)w->n_followed;
        w->followed_delay[w->n_followed++] = delay;
        f->followed = 1;
        f->in_target = delay <= o->target_business_seconds;
        f->followed_before_next = f->has_next && t <= log[w->answers[j].index].time;
      }
    }
  }
  for (i = 0; i < w->n_by_ref + w->n_by_customer; i++) {
    const entry *v = i < w->n_by_ref ? &w->by_ref[i] : &w->by_customer[i - w->n_by_ref];
    const cxmi_loop_event *r = &log[v->index];
    invite *x = &w->invites[i];
    memset(x, 0, sizeof *x);
    x->time = r->time;
    x->channel = r->channel;
    x->segment = r->segment;
    x->stage = r->stage;
    x->answered = w->answered[v->index];
  }
  return CXM_OK;
}

static double pct(uint64_t k, uint64_t n) { return n == 0 ? NAN : 100.0 * (double)k / (double)n; }

/* Newcombe, R. G. (1998). Interval estimation for the difference between
 * independent proportions: comparison of eleven methods. Statistics in
 * Medicine 17, 873-890, method 10: the hybrid score interval from the two
 * Wilson intervals (no continuity correction), in percent. */
static void newcombe(double *low, double *high, uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2) {
  double p1, p2, l1, u1, l2, u2, d;
  *low = *high = NAN;
  if (n1 == 0 || n2 == 0) return;
  p1 = (double)x1 / (double)n1;
  p2 = (double)x2 / (double)n2;
  cxmi_wilson(&l1, &u1, (double)x1, (double)(n1 - x1), CXMI_Z95);
  cxmi_wilson(&l2, &u2, (double)x2, (double)(n2 - x2), CXMI_Z95);
  d = p1 - p2;
  *low = 100.0 * (d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)));
  *high = 100.0 * (d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)));
}

/* One filter's result from the facts. */
static void summarise(cxm_loop_result *res, const work *w, const cxm_filter *f) {
  size_t i, n = 0;
  double q[2];
  static const double qs[2] = {0.5, 0.9};
  memset(res, 0, sizeof *res);
  res->size = sizeof *res;
  for (i = 0; i < w->n_answers; i++) {
    const answer *a = &w->facts[i];
    if (!cxmi_item_selected(f, a->time, a->channel, a->stage, a->segment)) continue;
    if (a->kind == CXM_KIND_NPS) {
      res->nps_answers++;
      res->nps_invited += a->invited;
    } else if (a->kind == CXM_KIND_CSAT) {
      res->csat_answers++;
      res->csat_invited += a->invited;
    } else {
      res->ces_answers++;
      res->ces_invited += a->invited;
    }
    if (!a->detractor) continue;
    res->detractors++;
    if (a->followed) {
      res->followed++;
      res->followed_in_target += a->in_target;
      w->delays[n++] = w->followed_delay[a->delay_at];
    }
    if (!a->has_next) continue;
    if (a->followed_before_next) {
      res->followed_next++;
      res->followed_recovered += a->next_recovered;
    } else {
      res->unfollowed_next++;
      res->unfollowed_recovered += a->next_recovered;
    }
  }
  for (i = 0; i < w->n_by_ref + w->n_by_customer; i++) {
    const invite *v = &w->invites[i];
    if (!cxmi_item_selected(f, v->time, v->channel, v->stage, v->segment)) continue;
    res->invitations++;
    res->invitations_answered += v->answered;
  }
  cxmi_quantiles_i64(q, w->delays, n, qs, 2);
  res->followup_median_s = n == 0 ? NAN : q[0];
  res->followup_p90_s = n == 0 ? NAN : q[1];
  res->in_target_pct = pct(res->followed_in_target, res->detractors);
  res->never_pct = pct(res->detractors - res->followed, res->detractors);
  res->recovery_followed_pct = pct(res->followed_recovered, res->followed_next);
  res->recovery_unfollowed_pct = pct(res->unfollowed_recovered, res->unfollowed_next);
  res->recovery_diff_pct = res->recovery_followed_pct - res->recovery_unfollowed_pct;
  newcombe(&res->recovery_diff_low_pct, &res->recovery_diff_high_pct, res->followed_recovered, res->followed_next,
           res->unfollowed_recovered, res->unfollowed_next);
  res->response_pct = pct(res->invitations_answered, res->invitations);
  res->nonresponse_pct = res->invitations == 0 ? NAN : 100.0 - res->response_pct;
}

int32_t cxm_store_loop_each(cxm_loop_result *out, const cxm_filter *filters, size_t count, const cxm_store *store,
                            const cxm_loop_options *options) {
  cxm_loop_options o;
  cxm_filter *fs = NULL;
  cxm_loop_result *rs = NULL;
  cxm_calendar *own = NULL;
  const cxm_calendar *cal;
  cxmi_alloc a;
  work w;
  size_t n, i, k;
  int32_t rc;
  if (store == NULL || (count > 0 && (out == NULL || filters == NULL))) return CXM_E_ARG;
  for (k = 0; k < count; k++)
    if (out[k].size != sizeof *out) return CXM_E_SIZE;
  rc = check_options(&o, options);
  if (rc != CXM_OK) return rc;
  if (count == 0) return CXM_OK;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  memset(&w, 0, sizeof w);
  n = store->loop.count;
  if (count > SIZE_MAX / sizeof *fs / 2) return CXM_E_NOMEM;
  /* The sort keys of refs must fit 32 bits (only beyond 2^32 refs, which
   * no memory holds: reported as such). */
  if ((uint64_t)store->interactions.refs.count + store->loop.refs.count + 2 > UINT32_MAX) return CXM_E_NOMEM;
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
  for (i = 0; i < n; i++) {
    const cxmi_loop_event *r = &store->loop.items[i];
    if (is_answer(r->kind))
      w.n_answers++;
    else if (r->kind == CXM_KIND_FOLLOWUP)
      w.n_followups++;
    else if (r->ref != 0)
      w.n_by_ref++;
    else
      w.n_by_customer++;
  }
  if (n > 0) {
    /* One block of n entries serves the four sorted lists. */
    w.answers = cxmi_malloc(&a, n * sizeof *w.answers);
    w.answered = cxmi_malloc(&a, n);
    w.invites = cxmi_malloc(&a, (w.n_by_ref + w.n_by_customer + 1) * sizeof *w.invites);
    w.tmp = cxmi_malloc(&a, n * sizeof *w.tmp);
    w.count_n = (size_t)store->interactions.refs.count + store->loop.refs.count + 2;
    if (w.count_n < (size_t)store->customers.count + 2) w.count_n = (size_t)store->customers.count + 2;
    w.refmap = cxmi_malloc(&a, ((size_t)store->loop.refs.count + 1) * sizeof *w.refmap);
    w.count = cxmi_malloc(&a, w.count_n * sizeof *w.count);
    if (w.answers == NULL || w.answered == NULL || w.invites == NULL || w.tmp == NULL || w.count == NULL ||
        w.refmap == NULL) {
      rc = CXM_E_NOMEM;
      goto done;
    }
    memset(w.answered, 0, n);
    w.followups = w.answers + w.n_answers;
    w.by_ref = w.followups + w.n_followups;
    w.by_customer = w.by_ref + w.n_by_ref;
  }
  /* One key per ref string: an answer's ref is its interaction's index + 1;
   * a followup's or invitation's ref gets the same key when an interaction
   * has it, else one of its own past every interaction. */
  for (i = 0; n > 0 && i < store->loop.refs.count; i++) {
    size_t len;
    const char *ref = cxmi_intern_str(&store->loop.refs, (uint32_t)i, &len);
    int64_t at = cxmi_intern_find(&store->interactions.refs, ref, len, cxmi_hash_bytes(ref, len));
    w.refmap[i] = at >= 0 ? (uint32_t)at + 1 : store->interactions.refs.count + 1 + (uint32_t)i;
  }
  {
    size_t na = 0, nf = 0, nr = 0, nc = 0;
    for (i = 0; i < n; i++) {
      const cxmi_loop_event *r = &store->loop.items[i];
      entry e;
      e.index = (uint32_t)i;
      e.time = r->time;
      e.key = r->customer;
      if (is_answer(r->kind)) {
        w.answers[na++] = e;
      } else if (r->kind == CXM_KIND_FOLLOWUP) {
        e.key = w.refmap[r->ref - 1];
        w.followups[nf++] = e;
      } else if (r->ref != 0) {
        e.key = w.refmap[r->ref - 1];
        w.by_ref[nr++] = e;
      } else {
        w.by_customer[nc++] = e;
      }
    }
  }
  rc = find_facts(&w, &a, store, &o, cal);
  if (rc != CXM_OK) goto done;
  /* The summaries read only the facts, the invitations and the delays'
   * scratch: the sorted lists go first. */
  if (n > 0) {
    cxmi_free(&a, w.answers, n * sizeof *w.answers);
    w.answers = NULL;
    w.delays = cxmi_malloc(&a, (w.n_followed + 1) * sizeof *w.delays);
    if (w.delays == NULL) {
      rc = CXM_E_NOMEM;
      goto done;
    }
  }
  for (k = 0; k < count; k++) summarise(&rs[k], &w, &fs[k]);
  memcpy(out, rs, count * sizeof *out);
done:
  cxmi_free(&a, w.answers, w.answers != NULL ? n * sizeof *w.answers : 0);
  cxmi_free(&a, w.answered, w.answered != NULL ? n : 0);
  cxmi_free(&a, w.facts, w.facts != NULL ? (w.n_answers + 1) * sizeof *w.facts : 0);
  cxmi_free(&a, w.delays, w.delays != NULL ? (w.n_followed + 1) * sizeof *w.delays : 0);
  cxmi_free(&a, w.followed_delay, w.followed_cap * sizeof *w.followed_delay);
  cxmi_free(&a, w.refmap, w.refmap != NULL ? ((size_t)store->loop.refs.count + 1) * sizeof *w.refmap : 0);
  cxmi_free(&a, w.tmp, w.tmp != NULL ? n * sizeof *w.tmp : 0);
  cxmi_free(&a, w.count, w.count != NULL ? w.count_n * sizeof *w.count : 0);
  cxmi_free(&a, w.invites, w.invites != NULL ? (w.n_by_ref + w.n_by_customer + 1) * sizeof *w.invites : 0);
  cxmi_free(&a, fs, fs != NULL ? count * sizeof *fs : 0);
  cxmi_free(&a, rs, rs != NULL ? count * sizeof *rs : 0);
  cxm_calendar_free(own);
  return rc;
}

int32_t cxm_store_loop(cxm_loop_result *out, const cxm_store *store, const cxm_filter *filter,
                       const cxm_loop_options *options) {
  cxm_filter all;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  if (filter == NULL) {
    cxm_filter_init(&all);
    filter = &all;
  }
  return cxm_store_loop_each(out, filter, 1, store, options);
}
