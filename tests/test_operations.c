/* Service operations (cxm/operations.h, docs/experience.md "Service
 * operations"), worked by hand on six contacts of three customers, the
 * perception gap's period (the interaction's earliest event), and closing
 * the loop and response rates (cxm/loop.h), worked by hand on seven answers
 * of four customers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cxm.h"
#include "store/store_internal.h"
#include "test_helpers.h"

#define MON INT64_C(1704067200) /* 2024-01-01T00:00:00Z, a Monday */
#define H INT64_C(3600)
#define D INT64_C(86400)

typedef struct ev {
  const char *customer;
  int64_t time;
  int32_t kind;
  const char *ref;
  int32_t channel;
  double value; /* NaN: none */
} ev;

/* c1 (alice, email): one reply, resolved in 2 h; her next contact is 10 days later: FCR.
 * c2 (alice, phone): two replies, two transfers: resolved, not FCR.
 * c3 (bob, chat): opened Friday 16:00, resolved Monday 10:00 (business 2 h), reopened,
 *    resolved again Monday 12:00; bob opens c4 on email the next day: repeat and switch.
 * c4 (bob, email): one transfer, never resolved.
 * c5 (carol, web): resolved in 30 min, but carol opens c6 six days later: not FCR, repeat.
 * c6 (carol, web): opened Sunday 09:00, resolved Monday 10:00 (business 1 h): FCR. */
static const ev events[] = {
    {"alice", MON + 10 * H, CXM_KIND_CONTACT_OPEN, "c1", CXM_CHANNEL_EMAIL, NAN},
    {"alice", MON + 11 * H, CXM_KIND_CONTACT_REPLY, "c1", CXM_CHANNEL_EMAIL, NAN},
    {"alice", MON + 12 * H, CXM_KIND_CONTACT_RESOLVE, "c1", CXM_CHANNEL_EMAIL, NAN},
    {"alice", MON + 10 * D + 10 * H, CXM_KIND_CONTACT_OPEN, "c2", CXM_CHANNEL_PHONE, NAN},
    {"alice", MON + 10 * D + 11 * H, CXM_KIND_CONTACT_REPLY, "c2", CXM_CHANNEL_PHONE, NAN},
    {"alice", MON + 10 * D + 11 * H, CXM_KIND_CONTACT_TRANSFER, "c2", CXM_CHANNEL_PHONE, NAN},
    {"alice", MON + 10 * D + 12 * H, CXM_KIND_CONTACT_TRANSFER, "c2", CXM_CHANNEL_PHONE, NAN},
    {"alice", MON + 10 * D + 12 * H, CXM_KIND_CONTACT_REPLY, "c2", CXM_CHANNEL_PHONE, NAN},
    {"alice", MON + 10 * D + 13 * H, CXM_KIND_CONTACT_RESOLVE, "c2", CXM_CHANNEL_PHONE, NAN},
    {"bob", MON + 4 * D + 16 * H, CXM_KIND_CONTACT_OPEN, "c3", CXM_CHANNEL_CHAT, NAN},
    {"bob", MON + 7 * D + 10 * H, CXM_KIND_CONTACT_RESOLVE, "c3", CXM_CHANNEL_CHAT, NAN},
    {"bob", MON + 7 * D + 11 * H, CXM_KIND_CONTACT_REOPEN, "c3", CXM_CHANNEL_CHAT, NAN},
    {"bob", MON + 7 * D + 12 * H, CXM_KIND_CONTACT_RESOLVE, "c3", CXM_CHANNEL_CHAT, NAN},
    {"bob", MON + 5 * D + 8 * H, CXM_KIND_CONTACT_OPEN, "c4", CXM_CHANNEL_EMAIL, NAN},
    {"bob", MON + 5 * D + 9 * H, CXM_KIND_CONTACT_TRANSFER, "c4", CXM_CHANNEL_EMAIL, NAN},
    {"carol", MON + 7 * D + 9 * H, CXM_KIND_CONTACT_OPEN, "c5", CXM_CHANNEL_WEB, NAN},
    {"carol", MON + 7 * D + 9 * H + 600, CXM_KIND_CONTACT_REPLY, "c5", CXM_CHANNEL_WEB, NAN},
    {"carol", MON + 7 * D + 9 * H + 1800, CXM_KIND_CONTACT_RESOLVE, "c5", CXM_CHANNEL_WEB, NAN},
    {"carol", MON + 13 * D + 9 * H, CXM_KIND_CONTACT_OPEN, "c6", CXM_CHANNEL_WEB, NAN},
    {"carol", MON + 14 * D + 10 * H, CXM_KIND_CONTACT_RESOLVE, "c6", CXM_CHANNEL_WEB, NAN},
    /* a follow-up and an invitation: recorded, no contact */
    {"carol", MON + 14 * D + 11 * H, CXM_KIND_SURVEY_SENT, NULL, CXM_CHANNEL_EMAIL, NAN},
    {"carol", MON + 14 * D + 12 * H, CXM_KIND_FOLLOWUP, "c6", CXM_CHANNEL_EMAIL, NAN},
};
#define N_EVENTS (sizeof events / sizeof events[0])

static void record(cxm_store *s, const ev *x) {
  cxm_event e;
  cxm_event_init(&e);
  e.customer = x->customer;
  e.customer_len = strlen(x->customer);
  e.time = x->time;
  e.kind = x->kind;
  e.channel = x->channel;
  if (!isnan(x->value)) {
    e.has_value = 1;
    e.value = x->value;
  }
  e.ref = x->ref;
  e.ref_len = x->ref != NULL ? strlen(x->ref) : 0;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
}

static cxm_store *store_in_order(const size_t *order) {
  cxm_store *s = NULL;
  size_t i;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = 0; i < N_EVENTS; i++) record(s, &events[order != NULL ? order[i] : i]);
  return s;
}

static cxm_operations_result query(const cxm_store *s, const cxm_filter *f) {
  cxm_operations_result r;
  memset(&r, 0xAB, sizeof r);
  r.size = sizeof r;
  assert_int_equal(cxm_store_operations(&r, s, f, NULL), CXM_OK);
  return r;
}

static void assert_hand_worked(const cxm_operations_result *r) {
  assert_int_equal(r->contacts, 6);
  assert_int_equal(r->resolved, 5);
  assert_int_equal(r->first_contact_resolved, 2);
  assert_int_equal(r->reopened, 1);
  assert_int_equal(r->repeated, 2);
  assert_int_equal(r->switched, 1);
  assert_int_equal(r->transfers, 3);
  assert_float_equal(r->fcr_pct, 40.0, 1e-12);
  assert_float_equal(r->reopen_pct, 20.0, 1e-12);
  assert_float_equal(r->repeat_pct, 100.0 / 3, 1e-12);
  assert_float_equal(r->switch_pct, 100.0 / 6, 1e-12);
  assert_float_equal(r->transfers_per_contact, 0.5, 1e-15);
  /* first resolutions: 1800, 7200, 10800, 90000, 237600 s */
  assert_float_equal(r->first_resolution_median_s, 10800, 0);
  assert_float_equal(r->first_resolution_mean_s, 69480, 1e-9);
  /* c3's last resolution is 2 h after its first */
  assert_float_equal(r->full_resolution_median_s, 10800, 0);
  assert_float_equal(r->full_resolution_mean_s, 70920, 1e-9);
  /* business: 1800, 3600, 7200, 7200, 10800; c3 in full: 14400 */
  assert_float_equal(r->first_resolution_business_median_s, 7200, 0);
  assert_float_equal(r->first_resolution_business_mean_s, 6120, 1e-9);
  assert_float_equal(r->full_resolution_business_median_s, 7200, 0);
  assert_float_equal(r->full_resolution_business_mean_s, 7560, 1e-9);
}

static void test_hand_worked(void **state) {
  cxm_store *s = store_in_order(NULL);
  cxm_operations_result r = query(s, NULL);
  (void)state;
  assert_int_equal(r.size, sizeof r);
  assert_hand_worked(&r);
  cxm_store_free(s);
}

/* Any arrival order gives the same answers. */
static void test_order_independent(void **state) {
  uint64_t rng = 17;
  int round;
  (void)state;
  for (round = 0; round < 20; round++) {
    size_t order[N_EVENTS], i;
    cxm_store *s;
    cxm_operations_result r;
    for (i = 0; i < N_EVENTS; i++) order[i] = i;
    for (i = N_EVENTS - 1; i > 0; i--) {
      size_t j = (size_t)test_below(&rng, i + 1), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    s = store_in_order(order);
    r = query(s, NULL);
    assert_hand_worked(&r);
    cxm_store_free(s);
  }
}

/* A slice counts its own contacts; repeats look at all the customer's. */
static void test_slices(void **state) {
  cxm_store *s = store_in_order(NULL);
  cxm_filter f;
  cxm_operations_result r;
  (void)state;
  cxm_filter_init(&f);
  f.channel = CXM_CHANNEL_CHAT;
  r = query(s, &f);
  assert_int_equal(r.contacts, 1);
  assert_int_equal(r.resolved, 1);
  assert_int_equal(r.repeated, 1);
  assert_int_equal(r.switched, 1);
  assert_int_equal(r.reopened, 1);
  assert_int_equal(r.first_contact_resolved, 0);
  assert_float_equal(r.full_resolution_business_median_s, 14400, 0);
  f.channel = CXM_CHANNEL_STORE; /* nothing */
  r = query(s, &f);
  assert_int_equal(r.contacts, 0);
  assert_true(isnan(r.fcr_pct) && isnan(r.transfers_per_contact) && isnan(r.first_resolution_median_s));
  /* week one: c1, c3, c4 (began before 2024-01-08) */
  cxm_filter_init(&f);
  f.from = MON;
  f.to = MON + 7 * D;
  r = query(s, &f);
  assert_int_equal(r.contacts, 3);
  assert_int_equal(r.first_contact_resolved, 1);
  cxm_store_free(s);
}

static void test_window_and_arguments(void **state) {
  cxm_store *s = store_in_order(NULL);
  cxm_operations_options o;
  cxm_operations_result r, before;
  (void)state;
  cxm_operations_options_init(&o);
  assert_int_equal(o.size, sizeof o);
  assert_int_equal(o.window_seconds, 7 * D);
  /* W = 5 days: carol's c6 (6 days after c5) is no repeat, c5 becomes FCR */
  o.window_seconds = 5 * D;
  r.size = sizeof r;
  assert_int_equal(cxm_store_operations(&r, s, NULL, &o), CXM_OK);
  assert_int_equal(r.first_contact_resolved, 3); /* c1, c6 and now c5 */
  assert_int_equal(r.repeated, 1);
  memset(&before, 0x5A, sizeof before);
  before.size = sizeof before;
  r = before;
  o.window_seconds = 0;
  assert_int_equal(cxm_store_operations(&r, s, NULL, &o), CXM_E_OPTION);
  o.window_seconds = 3661 * D;
  assert_int_equal(cxm_store_operations(&r, s, NULL, &o), CXM_E_OPTION);
  o.window_seconds = 7 * D;
  o.size = 1;
  assert_int_equal(cxm_store_operations(&r, s, NULL, &o), CXM_E_SIZE);
  assert_memory_equal(&r, &before, sizeof r);
  r.size = sizeof r - 1;
  assert_int_equal(cxm_store_operations(&r, s, NULL, NULL), CXM_E_SIZE);
  r.size = sizeof r;
  assert_int_equal(cxm_store_operations(NULL, s, NULL, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_operations(&r, NULL, NULL, NULL), CXM_E_ARG);
  cxm_operations_options_init(NULL);
  cxm_store_free(s);
}

/* The new kinds need a ref where the contract says so. */
static void test_kinds_need_refs(void **state) {
  cxm_store *s = NULL;
  cxm_event e;
  static const int32_t need[] = {CXM_KIND_CONTACT_REOPEN, CXM_KIND_CONTACT_TRANSFER, CXM_KIND_FOLLOWUP};
  size_t i;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = 0; i < 3; i++) {
    cxm_event_init(&e);
    e.customer = "x";
    e.customer_len = 1;
    e.kind = need[i];
    assert_int_equal(cxm_store_record(s, &e), CXM_E_REF);
    e.has_value = 1;
    e.value = 1;
    e.ref = "r";
    e.ref_len = 1;
    assert_int_equal(cxm_store_record(s, &e), CXM_E_VALUE);
  }
  cxm_event_init(&e);
  e.customer = "x";
  e.customer_len = 1;
  e.kind = CXM_KIND_SURVEY_SENT;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  cxm_store_free(s);
}

/* Item 6: a contact opened on 31 January and rated on 1 February is a
 * January pair (the interaction's earliest event), not a February one. */
static void test_gap_period_is_interaction_start(void **state) {
  static const int64_t feb = INT64_C(1706745600); /* 2024-02-01T00:00:00Z */
  static const ev pair[] = {
      {"dora", feb - H, CXM_KIND_CONTACT_OPEN, "g1", CXM_CHANNEL_EMAIL, NAN},
      {"dora", feb + H, CXM_KIND_INTERNAL, "g1", CXM_CHANNEL_EMAIL, 90},
      {"dora", feb + 2 * H, CXM_KIND_NPS, "g1", CXM_CHANNEL_EMAIL, 6},
  };
  cxm_store *s = NULL;
  cxm_filter f;
  cxm_gap_acc acc;
  size_t i;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = 0; i < 3; i++) record(s, &pair[i]);
  cxm_filter_init(&f);
  f.from = feb - 31 * D;
  f.to = feb;
  assert_int_equal(cxm_store_gap(&acc, s, &f, NULL), CXM_OK);
  assert_int_equal(acc.pairs, 1);
  assert_float_equal(acc.mean, 30, 1e-12);
  f.from = feb;
  f.to = feb + 29 * D;
  assert_int_equal(cxm_store_gap(&acc, s, &f, NULL), CXM_OK);
  assert_int_equal(acc.pairs, 0);
  cxm_store_free(s);
}

/* The many-filter query equals one query per filter, bit for bit. */
static void test_each_equals_single(void **state) {
  cxm_store *s = store_in_order(NULL);
  cxm_groups *g = NULL;
  cxm_filter fs[16];
  cxm_operations_result many[16], one;
  size_t n, k;
  (void)state;
  assert_int_equal(cxm_store_group(&g, s, NULL, CXM_BY_CHANNEL), CXM_OK);
  n = cxm_groups_count(g);
  assert_true(n >= 4 && n < 16);
  for (k = 0; k < n; k++) {
    assert_int_equal(cxm_groups_filter(&fs[k], g, k), CXM_OK);
    many[k].size = sizeof many[k];
  }
  cxm_filter_init(&fs[n]); /* and everything */
  many[n].size = sizeof many[n];
  assert_int_equal(cxm_store_operations_each(many, fs, n + 1, s, NULL), CXM_OK);
  for (k = 0; k <= n; k++) {
    one = query(s, &fs[k]);
    assert_memory_equal(&one, &many[k], sizeof one);
  }
  assert_hand_worked(&many[n]);
  assert_int_equal(cxm_store_operations_each(NULL, NULL, 0, s, NULL), CXM_OK);
  assert_int_equal(cxm_store_operations_each(many, NULL, 1, s, NULL), CXM_E_ARG);
  fs[0].size = 3;
  assert_int_equal(cxm_store_operations_each(many, fs, 1, s, NULL), CXM_E_SIZE);
  cxm_groups_free(g);
  cxm_store_free(s);
}

/* A customer with more contacts than a short run (40: sorted by qsort,
 * the others by insertion), some opened in the same second: repeats and
 * switches counted by brute force over every pair. */
static void test_many_contacts_of_one_customer(void **state) {
  static const int32_t channels[] = {CXM_CHANNEL_EMAIL, CXM_CHANNEL_PHONE, CXM_CHANNEL_CHAT};
  enum { N = 46 };
  int64_t open[N];
  int32_t channel[N];
  const char *who[N];
  char refs[N][8];
  cxm_store *s = NULL;
  cxm_operations_result r;
  uint64_t rng = 40, repeated = 0, switched = 0;
  size_t i, j;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = 0; i < N; i++) {
    cxm_event e;
    open[i] = MON + (int64_t)test_below(&rng, 30) * D / 2 +
              (test_below(&rng, 4) == 0 ? 0 : (int64_t)test_below(&rng, 600));
    channel[i] = channels[test_below(&rng, 3)];
    who[i] = i < 40 ? "many" : "few";
    snprintf(refs[i], sizeof refs[i], "m%zu", i);
    cxm_event_init(&e);
    e.customer = who[i];
    e.customer_len = strlen(who[i]);
    e.time = open[i];
    e.kind = CXM_KIND_CONTACT_OPEN;
    e.channel = channel[i];
    e.ref = refs[i];
    e.ref_len = strlen(refs[i]);
    assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  }
  for (i = 0; i < N; i++) {
    int rep = 0, sw = 0;
    for (j = 0; j < N; j++) {
      if (strcmp(who[i], who[j]) != 0 || open[j] <= open[i] || open[j] - open[i] > 7 * D) continue;
      rep = 1;
      sw |= channel[j] != channel[i];
    }
    repeated += (uint64_t)rep;
    switched += (uint64_t)sw;
  }
  r = query(s, NULL);
  assert_int_equal(r.contacts, N);
  assert_true(repeated > 10 && switched > 5);
  assert_int_equal(r.repeated, repeated);
  assert_int_equal(r.switched, switched);
  cxm_store_free(s);
}

/* ---- closing the loop and response rates (cxm/loop.h) ---------------- */

/* dan (email): NPS 3 "a1" Monday 10:00, a followup of a1 at 09:00 (before
 *   the answer: ignored), the first one after it Tuesday 11:00 (business
 *   7 h + 2 h = 32 400 s: outside the 8 h target), another at 12:00; his
 *   next NPS is a 9, after the followup: followed and recovered. His
 *   invitation without ref at 09:00 is matched by customer (no invitation
 *   carries ref a1); his second answer finds it taken.
 * erin (chat): CSAT 1 "b1" Friday 16:00, followed up Monday 10:00 (business
 *   1 h + 1 h = 7 200 s: in target), but her next CSAT, a 2 without ref, came
 *   Monday 09:00, before the followup: not followed, not recovered. That
 *   2 is a detractor nobody can follow up (no ref) and has no next answer.
 *   Her invitation comes after every answer: not answered.
 * frank (web, a slice of one customer): CES 2 without ref Wednesday 10:00,
 *   then CES 6: not followed, recovered. His invitation at the same second
 *   as the CES 2 is answered by it.
 * gina (email): NPS 8 "g1", invited with ref g1: matched by ref.
 * hal (phone): invited, never answers. */
static const ev loop_events[] = {
    {"dan", MON + 9 * H, CXM_KIND_FOLLOWUP, "a1", CXM_CHANNEL_EMAIL, NAN},
    {"dan", MON + 9 * H, CXM_KIND_SURVEY_SENT, NULL, CXM_CHANNEL_EMAIL, NAN},
    {"dan", MON + 10 * H, CXM_KIND_NPS, "a1", CXM_CHANNEL_EMAIL, 3},
    {"dan", MON + D + 12 * H, CXM_KIND_FOLLOWUP, "a1", CXM_CHANNEL_EMAIL, NAN},
    {"dan", MON + D + 11 * H, CXM_KIND_FOLLOWUP, "a1", CXM_CHANNEL_EMAIL, NAN},
    {"dan", MON + 20 * D + 10 * H, CXM_KIND_NPS, "a2", CXM_CHANNEL_EMAIL, 9},
    {"erin", MON + 4 * D + 16 * H, CXM_KIND_CSAT, "b1", CXM_CHANNEL_CHAT, 1},
    {"erin", MON + 7 * D + 10 * H, CXM_KIND_FOLLOWUP, "b1", CXM_CHANNEL_CHAT, NAN},
    {"erin", MON + 7 * D + 9 * H, CXM_KIND_CSAT, NULL, CXM_CHANNEL_CHAT, 2},
    {"erin", MON + 40 * D, CXM_KIND_SURVEY_SENT, NULL, CXM_CHANNEL_CHAT, NAN},
    {"frank", MON + 2 * D + 10 * H, CXM_KIND_SURVEY_SENT, NULL, CXM_CHANNEL_WEB, NAN},
    {"frank", MON + 2 * D + 10 * H, CXM_KIND_CES, NULL, CXM_CHANNEL_WEB, 2},
    {"frank", MON + 9 * D + 10 * H, CXM_KIND_CES, NULL, CXM_CHANNEL_WEB, 6},
    {"gina", MON + 3 * D + 9 * H, CXM_KIND_SURVEY_SENT, "g1", CXM_CHANNEL_EMAIL, NAN},
    {"gina", MON + 3 * D + 10 * H, CXM_KIND_NPS, "g1", CXM_CHANNEL_EMAIL, 8},
    {"hal", MON + 5 * D, CXM_KIND_SURVEY_SENT, NULL, CXM_CHANNEL_PHONE, NAN},
};
#define N_LOOP (sizeof loop_events / sizeof loop_events[0])

static cxm_store *loop_store(size_t from, size_t to) {
  cxm_store *s = NULL;
  size_t i;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = from; i < to; i++) record(s, &loop_events[i]);
  return s;
}

static cxm_loop_result loop_query(const cxm_store *s, const cxm_filter *f, const cxm_loop_options *o) {
  cxm_loop_result r;
  memset(&r, 0xAB, sizeof r);
  r.size = sizeof r;
  assert_int_equal(cxm_store_loop(&r, s, f, o), CXM_OK);
  return r;
}

static void assert_loop_hand_worked(const cxm_loop_result *r) {
  assert_int_equal(r->size, sizeof *r);
  assert_int_equal(r->detractors, 4); /* dan's 3, erin's 1 and 2, frank's 2 */
  assert_int_equal(r->followed, 2);
  assert_int_equal(r->followed_in_target, 1);
  assert_float_equal(r->followup_median_s, (32400 + 7200) / 2.0, 0);
  assert_float_equal(r->followup_p90_s, 7200 + 0.9 * 25200, 1e-9);
  assert_float_equal(r->in_target_pct, 25, 1e-12);
  assert_float_equal(r->never_pct, 50, 1e-12);
  assert_int_equal(r->followed_next, 1);
  assert_int_equal(r->followed_recovered, 1);
  assert_int_equal(r->unfollowed_next, 2);
  assert_int_equal(r->unfollowed_recovered, 1);
  assert_float_equal(r->recovery_followed_pct, 100, 1e-12);
  assert_float_equal(r->recovery_unfollowed_pct, 50, 1e-12);
  assert_float_equal(r->recovery_diff_pct, 50, 1e-12);
  /* Newcombe's hybrid score interval of 1/1 - 1/2 (statsmodels'
   * confint_proportions_2indep, method "newcomb": -0.391049, 0.905469) */
  assert_float_equal(r->recovery_diff_low_pct, -39.10493469, 1e-6);
  assert_float_equal(r->recovery_diff_high_pct, 90.54687954, 1e-6);
  assert_int_equal(r->invitations, 5);
  assert_int_equal(r->invitations_answered, 3);
  assert_float_equal(r->response_pct, 60, 1e-12);
  assert_float_equal(r->nonresponse_pct, 40, 1e-12);
  assert_int_equal(r->nps_answers, 3);
  assert_int_equal(r->nps_invited, 2);
  assert_int_equal(r->csat_answers, 2);
  assert_int_equal(r->csat_invited, 0);
  assert_int_equal(r->ces_answers, 2);
  assert_int_equal(r->ces_invited, 1);
}

static int32_t write_buf(void *opaque, const void *bytes, size_t len) {
  unsigned char **p = opaque;
  memcpy(*p, bytes, len);
  *p += len;
  return CXM_OK;
}

static void test_loop_hand_worked(void **state) {
  static unsigned char bytes[1 << 16];
  unsigned char *end = bytes;
  cxm_store *s = loop_store(0, N_LOOP), *a = loop_store(0, 7), *b = loop_store(7, N_LOOP), *copy = NULL;
  cxm_loop_result r = loop_query(s, NULL, NULL);
  (void)state;
  assert_loop_hand_worked(&r);
  /* a snapshot and a merge of two halves keep the survey log */
  assert_int_equal(cxm_store_save_to(s, write_buf, &end), CXM_OK);
  assert_int_equal(cxm_store_load_bytes(&copy, bytes, (size_t)(end - bytes), NULL), CXM_OK);
  r = loop_query(copy, NULL, NULL);
  assert_loop_hand_worked(&r);
  assert_int_equal(cxm_store_merge(a, b), CXM_OK);
  r = loop_query(a, NULL, NULL);
  assert_loop_hand_worked(&r);
  cxm_store_free(copy);
  cxm_store_free(a);
  cxm_store_free(b);
  cxm_store_free(s);
}

static void test_loop_slices(void **state) {
  cxm_store *s = loop_store(0, N_LOOP);
  cxm_filter f;
  cxm_loop_result r;
  (void)state;
  cxm_filter_init(&f);
  f.channel = CXM_CHANNEL_EMAIL;
  r = loop_query(s, &f, NULL);
  assert_int_equal(r.detractors, 1);
  assert_int_equal(r.followed, 1);
  assert_int_equal(r.followed_in_target, 0);
  assert_float_equal(r.followup_median_s, 32400, 0);
  assert_float_equal(r.followup_p90_s, 32400, 0);
  assert_int_equal(r.followed_next, 1);
  assert_int_equal(r.unfollowed_next, 0);
  assert_true(isnan(r.recovery_unfollowed_pct) && isnan(r.recovery_diff_pct));
  assert_true(isnan(r.recovery_diff_low_pct) && isnan(r.recovery_diff_high_pct));
  assert_int_equal(r.invitations, 2);
  assert_int_equal(r.invitations_answered, 2);
  assert_int_equal(r.nps_answers, 3);
  assert_int_equal(r.nps_invited, 2);
  /* frank's slice: one detractor, never followed, recovered anyway */
  f.channel = CXM_CHANNEL_WEB;
  r = loop_query(s, &f, NULL);
  assert_int_equal(r.detractors, 1);
  assert_int_equal(r.followed, 0);
  assert_float_equal(r.never_pct, 100, 0);
  assert_true(isnan(r.followup_median_s) && isnan(r.followup_p90_s));
  assert_int_equal(r.unfollowed_recovered, 1);
  assert_int_equal(r.invitations, 1);
  assert_float_equal(r.response_pct, 100, 0);
  /* hal's slice: an invitation, no answer */
  f.channel = CXM_CHANNEL_PHONE;
  r = loop_query(s, &f, NULL);
  assert_int_equal(r.detractors, 0);
  assert_true(isnan(r.never_pct) && isnan(r.in_target_pct));
  assert_int_equal(r.invitations, 1);
  assert_float_equal(r.nonresponse_pct, 100, 0);
  cxm_store_free(s);
}

static void test_loop_options(void **state) {
  cxm_store *s = loop_store(0, N_LOOP);
  cxm_loop_options o;
  cxm_loop_result r;
  (void)state;
  cxm_loop_options_init(&o);
  assert_int_equal(o.nps_detractor_max, 6);
  assert_int_equal(o.target_business_seconds, 8 * H);
  /* gina's 8 becomes a detractor (never followed: no followup of g1) */
  o.nps_detractor_max = 8;
  r = loop_query(s, NULL, &o);
  assert_int_equal(r.detractors, 5);
  assert_int_equal(r.followed, 2);
  /* a 9-hour promise: dan's followup is in time */
  cxm_loop_options_init(&o);
  o.target_business_seconds = 9 * H;
  r = loop_query(s, NULL, &o);
  assert_int_equal(r.followed_in_target, 2);
  /* erin's 2 is no longer a detractor: her 1 recovered, without followup */
  cxm_loop_options_init(&o);
  o.csat_detractor_max = 1;
  r = loop_query(s, NULL, &o);
  assert_int_equal(r.detractors, 3);
  assert_int_equal(r.unfollowed_recovered, 2);
  /* a 30-minute window: dan's invitation an hour before is not his */
  cxm_loop_options_init(&o);
  o.invitation_window_seconds = 1800;
  r = loop_query(s, NULL, &o);
  assert_int_equal(r.invitations_answered, 2);
  assert_int_equal(r.nps_invited, 1);
  /* bad options and arguments */
  cxm_loop_options_init(&o);
  o.target_business_seconds = 0;
  r.size = sizeof r;
  assert_int_equal(cxm_store_loop(&r, s, NULL, &o), CXM_E_OPTION);
  cxm_loop_options_init(&o);
  o.nps_detractor_max = 11;
  assert_int_equal(cxm_store_loop(&r, s, NULL, &o), CXM_E_OPTION);
  cxm_loop_options_init(&o);
  o.size = 8;
  assert_int_equal(cxm_store_loop(&r, s, NULL, &o), CXM_E_SIZE);
  r.size = 3;
  assert_int_equal(cxm_store_loop(&r, s, NULL, NULL), CXM_E_SIZE);
  assert_int_equal(cxm_store_loop(NULL, s, NULL, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_loop_each(NULL, NULL, 0, s, NULL), CXM_OK);
  cxm_loop_options_init(NULL);
  cxm_store_free(s);
}

static void test_loop_each_equals_single(void **state) {
  cxm_store *s = loop_store(0, N_LOOP);
  cxm_groups *g = NULL;
  cxm_filter fs[16];
  cxm_loop_result many[16], one;
  size_t n, k;
  (void)state;
  assert_int_equal(cxm_store_group(&g, s, NULL, CXM_BY_CHANNEL), CXM_OK);
  n = cxm_groups_count(g);
  assert_true(n >= 4 && n < 16);
  for (k = 0; k < n; k++) {
    assert_int_equal(cxm_groups_filter(&fs[k], g, k), CXM_OK);
    many[k].size = sizeof many[k];
  }
  cxm_filter_init(&fs[n]);
  many[n].size = sizeof many[n];
  assert_int_equal(cxm_store_loop_each(many, fs, n + 1, s, NULL), CXM_OK);
  for (k = 0; k <= n; k++) {
    one = loop_query(s, &fs[k], NULL);
    assert_memory_equal(&one, &many[k], sizeof one);
  }
  assert_loop_hand_worked(&many[n]);
  cxm_groups_free(g);
  cxm_store_free(s);
}

/* ---- backlog ---------------------------------------------------------------- */

/* The six contacts above plus dave's c7: opened Tuesday 10:00, resolved
 * 11:00, reopened Wednesday 15:00 (after its resolve), resolved Thursday
 * 10:00. The days run from Monday 1 January (the first event) to Monday
 * 15 January (the last): 15 days, each measured at the next midnight. */
static cxm_store *backlog_store(size_t from, size_t to) {
  static const ev dave[] = {
      {"dave", MON + 1 * D + 10 * H, CXM_KIND_CONTACT_OPEN, "c7", CXM_CHANNEL_PHONE, NAN},
      {"dave", MON + 1 * D + 11 * H, CXM_KIND_CONTACT_RESOLVE, "c7", CXM_CHANNEL_PHONE, NAN},
      {"dave", MON + 2 * D + 15 * H, CXM_KIND_CONTACT_REOPEN, "c7", CXM_CHANNEL_PHONE, NAN},
      {"dave", MON + 3 * D + 10 * H, CXM_KIND_CONTACT_RESOLVE, "c7", CXM_CHANNEL_PHONE, NAN},
  };
  cxm_store *s = NULL;
  size_t i, n = N_EVENTS + sizeof dave / sizeof dave[0];
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = from; i < to && i < n; i++) record(s, i < N_EVENTS ? &events[i] : &dave[i - N_EVENTS]);
  return s;
}
#define N_BACKLOG (N_EVENTS + 4)

typedef struct day_want {
  uint64_t open;
  double median, p90, median_b, p90_b;
} day_want;

/* Worked by hand (ages in hours, business hours of 09:00-17:00 Monday to
 * Friday): d4 c3 8 (1 b); d5 c3 32 (1), c4 16 (0, opened Saturday); d7 c3
 * resolved, reopened and resolved again that day: only c4, 64 (8); d13 c6
 * opened Sunday 15 (0) with c4 208 (40). Linear quantiles of two ages a <
 * b: median (a + b) / 2, p90 b - (b - a) / 10. */
static const day_want backlog_want[15] = {
    {0, NAN, NAN, NAN, NAN},
    {0, NAN, NAN, NAN, NAN},
    {1, 38 * H, 38 * H, 15 * H, 15 * H}, /* c7 reopened: aged from its open */
    {0, NAN, NAN, NAN, NAN},
    {1, 8 * H, 8 * H, 1 * H, 1 * H},
    {2, 24 * H, 30.4 * H, 0.5 * H, 0.9 * H},
    {2, 48 * H, 54.4 * H, 0.5 * H, 0.9 * H},
    {1, 64 * H, 64 * H, 8 * H, 8 * H},
    {1, 88 * H, 88 * H, 16 * H, 16 * H},
    {1, 112 * H, 112 * H, 24 * H, 24 * H},
    {1, 136 * H, 136 * H, 32 * H, 32 * H}, /* c2 opened and resolved that day */
    {1, 160 * H, 160 * H, 40 * H, 40 * H},
    {1, 184 * H, 184 * H, 40 * H, 40 * H},
    {2, 111.5 * H, 188.7 * H, 20 * H, 36 * H},
    {1, 232 * H, 232 * H, 48 * H, 48 * H},
};

static size_t backlog_query(cxm_backlog_day *days, size_t capacity, const cxm_store *s, const cxm_filter *f,
                            const cxm_operations_options *o) {
  size_t k, n = 0;
  for (k = 0; k < capacity; k++) {
    memset(&days[k], 0xAB, sizeof days[k]);
    days[k].size = sizeof days[k];
  }
  assert_int_equal(cxm_store_backlog(days, &n, capacity, s, f, o), CXM_OK);
  return n;
}

static void assert_nan_or(double got, double want, double tol) {
  if (isnan(want))
    assert_true(isnan(got));
  else
    assert_float_equal(got, want, tol);
}

static void assert_backlog_day(const cxm_backlog_day *d, int64_t day, const day_want *w) {
  assert_int_equal(d->size, sizeof *d);
  assert_int_equal(d->day, MON + day * D);
  assert_int_equal(d->end, MON + (day + 1) * D);
  assert_int_equal(d->open, w->open);
  assert_nan_or(d->age_median_s, w->median, 1e-6);
  assert_nan_or(d->age_p90_s, w->p90, 1e-6);
  assert_nan_or(d->age_business_median_s, w->median_b, 1e-6);
  assert_nan_or(d->age_business_p90_s, w->p90_b, 1e-6);
}

static void assert_backlog_hand_worked(const cxm_store *s) {
  cxm_backlog_day days[20];
  size_t n = backlog_query(days, 20, s, NULL, NULL), k;
  assert_int_equal(n, 15);
  for (k = 0; k < n; k++) assert_backlog_day(&days[k], (int64_t)k, &backlog_want[k]);
}

static void test_backlog_hand_worked(void **state) {
  static unsigned char bytes[1 << 16];
  unsigned char *end = bytes;
  size_t order[N_BACKLOG], i;
  uint64_t rng = 5;
  cxm_store *s = backlog_store(0, N_BACKLOG), *a = backlog_store(0, 9), *b = backlog_store(9, N_BACKLOG), *copy = NULL;
  (void)state;
  assert_backlog_hand_worked(s);
  /* a snapshot and a merge of two halves keep the resolves and reopens */
  assert_int_equal(cxm_store_save_to(s, write_buf, &end), CXM_OK);
  assert_int_equal(cxm_store_load_bytes(&copy, bytes, (size_t)(end - bytes), NULL), CXM_OK);
  assert_backlog_hand_worked(copy);
  assert_int_equal(cxm_store_merge(a, b), CXM_OK);
  assert_backlog_hand_worked(a);
  cxm_store_free(copy);
  cxm_store_free(a);
  cxm_store_free(b);
  cxm_store_free(s);
  /* any arrival order */
  for (i = 0; i < N_BACKLOG; i++) order[i] = i;
  for (i = N_BACKLOG - 1; i > 0; i--) {
    size_t j = (size_t)(test_rand(&rng) % (i + 1)), t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = 0; i < N_BACKLOG; i++) {
    if (order[i] < N_EVENTS) {
      record(s, &events[order[i]]);
    } else {
      cxm_store *one = backlog_store(order[i], order[i] + 1);
      assert_int_equal(cxm_store_merge(s, one), CXM_OK);
      cxm_store_free(one);
    }
  }
  assert_backlog_hand_worked(s);
  cxm_store_free(s);
}

/* A store loaded from a snapshot before version 4 has no status list:
 * each contact closes at its first resolution, so dave's c7 (resolved
 * Tuesday 11:00, reopened Wednesday) is not open at the end of Wednesday;
 * c3's reopen and second resolve fall on one day, which ends as before. */
static void test_backlog_without_status_list(void **state) {
  cxm_store *s = backlog_store(0, N_BACKLOG);
  cxm_backlog_day days[20];
  static const day_want closed = {0, NAN, NAN, NAN, NAN};
  size_t n, k;
  (void)state;
  s->interactions.status_count = 0; /* as cxm_store_load_bytes leaves it */
  n = backlog_query(days, 20, s, NULL, NULL);
  assert_int_equal(n, 15);
  for (k = 0; k < n; k++) assert_backlog_day(&days[k], (int64_t)k, k == 2 ? &closed : &backlog_want[k]);
  cxm_store_free(s);
}

/* A holiday (Wednesday 10 January) and a UTC offset; slices; the window. */
static void test_backlog_calendar_and_slices(void **state) {
  cxm_store *s = backlog_store(0, N_BACKLOG);
  cxm_calendar *cal = NULL;
  cxm_operations_options o;
  cxm_backlog_day days[20];
  cxm_filter f;
  size_t n, k;
  (void)state;
  assert_int_equal(cxm_calendar_new(&cal, NULL), CXM_OK);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2024, 1, 10), CXM_OK);
  cxm_operations_options_init(&o);
  o.calendar = cal;
  n = backlog_query(days, 20, s, NULL, &o);
  assert_int_equal(n, 15);
  /* c4's business age loses the Wednesday from day 9 on */
  for (k = 0; k < 9; k++) assert_backlog_day(&days[k], (int64_t)k, &backlog_want[k]);
  for (k = 9; k < 15; k++) {
    day_want w = backlog_want[k];
    if (k == 13) {
      w.median_b = 16 * H; /* c6 0, c4 32 */
      w.p90_b = 28.8 * H;
    } else {
      w.median_b -= 8 * H;
      w.p90_b -= 8 * H;
    }
    assert_backlog_day(&days[k], (int64_t)k, &w);
  }
  /* at +05:00 local days end at 19:00Z: day 4 (Friday) ends at
   * Friday 19:00Z, c3 opened 16:00Z (21:00 local, after hours) is 3 h old
   * and 0 business seconds; the first day starts at 31 December 19:00Z */
  assert_int_equal(cxm_calendar_set_offset(cal, 5 * 3600), CXM_OK);
  n = backlog_query(days, 20, s, NULL, &o);
  assert_int_equal(n, 15);
  assert_int_equal(days[0].day, MON - 5 * H);
  assert_int_equal(days[4].end, MON + 5 * D - 5 * H);
  assert_int_equal(days[4].open, 1);
  assert_float_equal(days[4].age_median_s, 3 * H, 0);
  assert_float_equal(days[4].age_business_median_s, 0, 0);
  cxm_calendar_free(cal);
  /* email: c1 and c4; c4 alone from day 5 */
  cxm_filter_init(&f);
  f.channel = CXM_CHANNEL_EMAIL;
  n = backlog_query(days, 20, s, &f, NULL);
  assert_int_equal(n, 15);
  assert_int_equal(days[4].open, 0);
  for (k = 5; k < 15; k++) {
    assert_int_equal(days[k].open, 1);
    assert_float_equal(days[k].age_median_s, (double)(MON + (int64_t)(k + 1) * D - (MON + 5 * D + 8 * H)), 0);
  }
  /* a window of days 5 and 6: those days of the whole series, contacts
   * opened before it included */
  cxm_filter_init(&f);
  f.from = MON + 5 * D;
  f.to = MON + 7 * D;
  n = backlog_query(days, 20, s, &f, NULL);
  assert_int_equal(n, 2);
  assert_backlog_day(&days[0], 5, &backlog_want[5]);
  assert_backlog_day(&days[1], 6, &backlog_want[6]);
  /* a window outside the data: no day */
  f.from = MON + 100 * D;
  f.to = MON + 101 * D;
  assert_int_equal(backlog_query(days, 20, s, &f, NULL), 0);
  cxm_store_free(s);
}

static void test_backlog_arguments(void **state) {
  cxm_store *s = backlog_store(0, N_BACKLOG), *empty = NULL;
  cxm_backlog_day days[20];
  cxm_operations_options o;
  size_t n = 99, k;
  (void)state;
  for (k = 0; k < 20; k++) days[k].size = sizeof days[k];
  /* too small: the count, nothing written */
  memset(&days[0], 0x5A, sizeof days[0]);
  days[0].size = sizeof days[0];
  assert_int_equal(cxm_store_backlog(days, &n, 14, s, NULL, NULL), CXM_E_BUFFER);
  assert_int_equal(n, 15);
  assert_int_equal(days[0].open, UINT64_C(0x5A5A5A5A5A5A5A5A));
  n = 99;
  assert_int_equal(cxm_store_backlog(NULL, &n, 0, s, NULL, NULL), CXM_E_BUFFER);
  assert_int_equal(n, 15);
  assert_int_equal(cxm_store_backlog(NULL, &n, 1, s, NULL, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_backlog(days, NULL, 20, s, NULL, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_backlog(days, &n, 20, NULL, NULL, NULL), CXM_E_ARG);
  days[19].size = 1;
  assert_int_equal(cxm_store_backlog(days, &n, 20, s, NULL, NULL), CXM_E_SIZE);
  days[19].size = sizeof days[19];
  cxm_operations_options_init(&o);
  o.size = 1;
  assert_int_equal(cxm_store_backlog(days, &n, 20, s, NULL, &o), CXM_E_SIZE);
  cxm_operations_options_init(&o);
  o.window_seconds = 0;
  assert_int_equal(cxm_store_backlog(days, &n, 20, s, NULL, &o), CXM_E_OPTION);
  /* an empty store has no day */
  assert_int_equal(cxm_store_new(&empty, NULL), CXM_OK);
  n = 99;
  assert_int_equal(cxm_store_backlog(NULL, &n, 0, empty, NULL, NULL), CXM_OK);
  assert_int_equal(n, 0);
  cxm_store_free(empty);
  cxm_store_free(s);
}

/* ---- the backlog of many filters at once ------------------------------- */

/* A random store of contacts: random channels (one custom), stages and
 * segments; opens (some twice, the earliest counting), resolves, reopens,
 * transfers and replies at random times, some before the open, some on
 * the hour (day ends, weekends), some refs without an open; recorded in a
 * random order, into one store or two merged. */
static cxm_store *random_backlog_store(uint64_t *rng) {
  static const int32_t channels[] = {CXM_CHANNEL_EMAIL, CXM_CHANNEL_PHONE, CXM_CHANNEL_CHAT, -1};
  static const int32_t kinds[] = {CXM_KIND_CONTACT_RESOLVE, CXM_KIND_CONTACT_REOPEN, CXM_KIND_CONTACT_TRANSFER,
                                  CXM_KIND_CONTACT_REPLY};
  enum { MAX_EV = 400 };
  cxm_event evs[MAX_EV];
  char refs[64][8], customers[8][8];
  cxm_store *st[2] = {NULL, NULL};
  int32_t custom = 0, seg[3] = {CXM_SEGMENT_UNKNOWN, 0, 0};
  size_t n = 0, refs_n = (size_t)test_below(rng, 60) + 1, i, k, split;
  int64_t span = (int64_t)(test_below(rng, 20) + 1) * D;
  for (i = 0; i < 8; i++) snprintf(customers[i], sizeof customers[i], "u%zu", i);
  for (k = 0; k < 2; k++) {
    assert_int_equal(cxm_store_new(&st[k], NULL), CXM_OK);
    assert_int_equal(cxm_store_channel(&custom, st[k], "kiosk", 5), CXM_OK);
    assert_int_equal(cxm_store_segment(&seg[1], st[k], "smb", 3), CXM_OK);
    assert_int_equal(cxm_store_segment(&seg[2], st[k], "ent", 3), CXM_OK);
  }
  for (i = 0; i < refs_n; i++) {
    int64_t open = MON + (int64_t)test_below(rng, (uint64_t)span);
    size_t opens = test_below(rng, 10) == 0 ? 0 : test_below(rng, 6) == 0 ? 2 : 1, more = test_below(rng, 6), j;
    const char *customer = customers[test_below(rng, 8)];
    snprintf(refs[i], sizeof refs[i], "r%zu", i);
    if (test_below(rng, 3) == 0) open -= open % H; /* on the hour: some at midnight */
    for (j = 0; j < opens + more && n < MAX_EV; j++) {
      cxm_event *e = &evs[n++];
      int32_t c = channels[test_below(rng, 4)];
      cxm_event_init(e);
      e->customer = customer;
      e->customer_len = strlen(customer);
      e->ref = refs[i];
      e->ref_len = strlen(refs[i]);
      e->channel = c < 0 ? custom : c;
      e->stage = (int32_t)test_below(rng, CXM_STAGE_COUNT);
      e->segment = seg[test_below(rng, 3)];
      if (j < opens) {
        e->kind = CXM_KIND_CONTACT_OPEN;
        e->time = j == 0 ? open : open + ((int64_t)test_below(rng, 4 * D) - 2 * D);
      } else {
        e->kind = kinds[test_below(rng, 4)];
        e->time = open + (int64_t)test_below(rng, 12 * D) - 2 * D;
        if (test_below(rng, 3) == 0) e->time -= e->time % H;
        if (test_below(rng, 8) == 0) e->time = open; /* at the open instant */
      }
    }
  }
  for (i = n; i > 1; i--) {
    size_t j = (size_t)test_below(rng, i);
    cxm_event t = evs[i - 1];
    evs[i - 1] = evs[j];
    evs[j] = t;
  }
  split = test_below(rng, 3) == 0 ? (size_t)test_below(rng, n + 1) : n;
  for (i = 0; i < n; i++) assert_int_equal(cxm_store_record(st[i < split ? 0 : 1], &evs[i]), CXM_OK);
  assert_int_equal(cxm_store_merge(st[0], st[1]), CXM_OK);
  cxm_store_free(st[1]);
  /* a store loaded from a snapshot before version 4 has no status list */
  if (test_below(rng, 6) == 0) st[0]->interactions.status_count = 0;
  return st[0];
}

/* Every group of each dimension, everything, and random windows and
 * combinations, some selecting nothing. */
static size_t backlog_filters(cxm_filter *fs, size_t cap, const cxm_store *s, uint64_t *rng) {
  static const int32_t dims[] = {CXM_BY_CHANNEL, CXM_BY_STAGE, CXM_BY_SEGMENT, CXM_BY_MONTH, CXM_BY_WEEK};
  size_t n = 0, d, k;
  cxm_filter_init(&fs[n++]);
  for (d = 0; d < sizeof dims / sizeof dims[0]; d++) {
    cxm_groups *g = NULL;
    assert_int_equal(cxm_store_group(&g, s, NULL, dims[d]), CXM_OK);
    for (k = 0; k < cxm_groups_count(g) && n < cap; k++) assert_int_equal(cxm_groups_filter(&fs[n++], g, k), CXM_OK);
    cxm_groups_free(g);
  }
  while (n < cap && test_below(rng, 8) != 0) {
    cxm_filter *f = &fs[n++];
    cxm_filter_init(f);
    if (test_below(rng, 2)) {
      f->from = MON + ((int64_t)test_below(rng, 30) - 5) * D;
      f->to = f->from + (int64_t)(test_below(rng, 10) + 1) * D;
    }
    if (test_below(rng, 2)) f->channel = test_below(rng, 2) ? CXM_CHANNEL_EMAIL : CXM_CHANNEL_APP;
    if (test_below(rng, 3) == 0) f->stage = (int32_t)test_below(rng, CXM_STAGE_COUNT);
    if (test_below(rng, 3) == 0) f->segment = CXM_SEGMENT_UNKNOWN;
  }
  return n;
}

/* numpy's linear quantile of n sorted values. */
static double linear_quantile(const double *x, size_t n, double q) {
  double h = (double)(n - 1) * q;
  size_t lo = (size_t)floor(h);
  return lo + 1 < n ? x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]) : x[n - 1];
}

static void sort_doubles(double *x, size_t n) {
  size_t i, j;
  for (i = 1; i < n; i++) {
    double v = x[i];
    for (j = i; j > 0 && x[j - 1] > v; j--) x[j] = x[j - 1];
    x[j] = v;
  }
}

static void assert_close(double got, double want) {
  if (isnan(want)) {
    assert_true(isnan(got));
    return;
  }
  assert_true(fabs(got - want) <= 1e-9 * (fabs(want) > 1 ? fabs(want) : 1));
}

/* The backlog of one filter by brute force, from the store's records and
 * status list (input order) and docs/experience.md alone: for each day's
 * end, each contact of the filter's channel, stage and segment opened
 * before it, its status events at or after its open in time order (ties in
 * input order) replayed up to the end, or its first resolution without
 * any; the ages of the open ones. */
static void assert_backlog_brute_force(const cxm_backlog_day *days, size_t n, const cxm_store *s, const cxm_filter *f,
                                       const cxm_calendar *cal) {
  const cxmi_interactions *t = &s->interactions;
  size_t total = t->refs.count, d, i, j;
  double *wall = malloc((total + 1) * sizeof *wall), *bt = malloc((total + 1) * sizeof *bt);
  size_t *mine = malloc((t->status_count + 1) * sizeof *mine);
  assert_non_null(wall);
  assert_non_null(bt);
  assert_non_null(mine);
  for (d = 0; d < n; d++) {
    int64_t end = days[d].end, end_b = 0;
    size_t open = 0;
    assert_int_equal(cxm_calendar_business_seconds(&end_b, cal, CXM_TIME_MIN, end), CXM_OK);
    for (i = 0; i < total; i++) {
      const cxmi_interaction *r = &t->items[i];
      size_t m = 0;
      int is_open = 1;
      if (r->open_time == CXMI_NO_TIME || r->open_time >= end) continue;
      if ((f->channel != CXM_ANY && f->channel != r->open_channel) ||
          (f->stage != CXM_ANY && f->stage != r->open_stage) ||
          (f->segment != CXM_ANY && f->segment != r->open_segment))
        continue;
      for (j = 0; j < t->status_count; j++) {
        const cxmi_status *x = &t->status[j];
        size_t k;
        if (x->interaction != i || x->time < r->open_time || x->kind == CXM_KIND_CONTACT_TRANSFER) continue;
        for (k = m; k > 0 && t->status[mine[k - 1]].time > x->time; k--) mine[k] = mine[k - 1];
        mine[k] = j;
        m++;
      }
      for (j = 0; j < m && t->status[mine[j]].time < end; j++) {
        int32_t kind = t->status[mine[j]].kind;
        if (kind == CXM_KIND_CONTACT_RESOLVE) is_open = 0;
        if (kind == CXM_KIND_CONTACT_REOPEN) is_open = 1;
      }
      if (m == 0 && r->resolve_time < end) is_open = 0;
      if (!is_open) continue;
      wall[open] = (double)(end - r->open_time);
      {
        int64_t open_b = 0;
        assert_int_equal(cxm_calendar_business_seconds(&open_b, cal, CXM_TIME_MIN, r->open_time), CXM_OK);
        bt[open] = (double)(end_b - open_b);
      }
      open++;
    }
    assert_int_equal(days[d].open, open);
    if (open == 0) {
      assert_true(isnan(days[d].age_median_s) && isnan(days[d].age_business_p90_s));
      continue;
    }
    sort_doubles(wall, open);
    assert_close(days[d].age_median_s, linear_quantile(wall, open, 0.5));
    assert_close(days[d].age_p90_s, linear_quantile(wall, open, 0.9));
    sort_doubles(bt, open);
    assert_close(days[d].age_business_median_s, linear_quantile(bt, open, 0.5));
    assert_close(days[d].age_business_p90_s, linear_quantile(bt, open, 0.9));
  }
  free(wall);
  free(bt);
  free(mine);
}

static void test_backlog_each_equals_single(void **state) {
  enum { CAP_F = 64, CAP_D = 4096 };
  static cxm_backlog_day many[CAP_D], one[CAP_D];
  cxm_filter fs[CAP_F];
  size_t counts[CAP_F], again[CAP_F];
  uint64_t rng = 15;
  int iter, iters = test_iterations(1000);
  cxm_calendar *plain = NULL; /* the default business week */
  (void)state;
  assert_int_equal(cxm_calendar_new(&plain, NULL), CXM_OK);
  for (iter = 0; iter < iters; iter++) {
    cxm_store *s = random_backlog_store(&rng);
    cxm_calendar *cal = NULL;
    cxm_operations_options o, *op = NULL;
    size_t n = backlog_filters(fs, CAP_F, s, &rng), total = 0, at = 0, k, m;
    int32_t rc;
    if (test_below(&rng, 2)) {
      assert_int_equal(cxm_calendar_new(&cal, NULL), CXM_OK);
      assert_int_equal(cxm_calendar_add_holiday(cal, 2024, 1, 1 + (int32_t)test_below(&rng, 20)), CXM_OK);
      assert_int_equal(cxm_calendar_set_offset(cal, ((int32_t)test_below(&rng, 105) - 48) * 900), CXM_OK);
      if (test_below(&rng, 2)) assert_int_equal(cxm_calendar_set_hours(cal, 6, 10 * 3600, 14 * 3600), CXM_OK);
      cxm_operations_options_init(&o);
      o.calendar = cal;
      op = &o;
    }
    /* the counts first, as a caller sizing its array does */
    rc = cxm_store_backlog_each(NULL, counts, &total, 0, fs, n, s, op);
    assert_int_equal(rc, total > 0 ? CXM_E_BUFFER : CXM_OK);
    assert_true(total <= CAP_D);
    for (k = 0; k < total; k++) {
      memset(&many[k], 0xAB, sizeof many[k]);
      many[k].size = sizeof many[k];
    }
    memset(again, 0xCD, sizeof again);
    assert_int_equal(cxm_store_backlog_each(many, again, &m, total, fs, n, s, op), CXM_OK);
    assert_int_equal(m, total);
    assert_memory_equal(again, counts, n * sizeof *counts);
    for (k = 0; k < n; k++) {
      size_t c = 0;
      for (m = 0; m < CAP_D; m++) one[m].size = sizeof one[m];
      assert_int_equal(cxm_store_backlog(one, &c, CAP_D, s, &fs[k], op), CXM_OK);
      assert_int_equal(c, counts[k]);
      assert_backlog_brute_force(one, c, s, &fs[k], cal != NULL ? cal : plain);
      if (c > 0) assert_memory_equal(one, many + at, c * sizeof *one);
      at += c;
    }
    assert_int_equal(at, total);
    /* one entry short: CXM_E_BUFFER with the counts, `out` untouched */
    if (total > 0) {
      memset(&many[0], 0x5A, sizeof many[0]);
      many[0].size = sizeof many[0];
      m = 0;
      assert_int_equal(cxm_store_backlog_each(many, again, &m, total - 1, fs, n, s, op), CXM_E_BUFFER);
      assert_int_equal(m, total);
      assert_memory_equal(again, counts, n * sizeof *counts);
      assert_int_equal(many[0].open, UINT64_C(0x5A5A5A5A5A5A5A5A));
    }
    cxm_calendar_free(cal);
    cxm_store_free(s);
  }
  cxm_calendar_free(plain);
}

/* The hand-worked backlog through the many-filter call, with its argument
 * checks. */
static void test_backlog_each_arguments(void **state) {
  cxm_store *s = backlog_store(0, N_BACKLOG);
  cxm_backlog_day days[64];
  cxm_filter fs[3];
  cxm_operations_options o;
  size_t counts[3] = {9, 9, 9}, total = 99, k;
  (void)state;
  for (k = 0; k < 64; k++) days[k].size = sizeof days[k];
  cxm_filter_init(&fs[0]);
  cxm_filter_init(&fs[1]);
  fs[1].channel = CXM_CHANNEL_EMAIL;
  cxm_filter_init(&fs[2]);
  fs[2].from = MON + 5 * D;
  fs[2].to = MON + 7 * D;
  assert_int_equal(cxm_store_backlog_each(days, counts, &total, 64, fs, 3, s, NULL), CXM_OK);
  assert_int_equal(total, 32);
  assert_int_equal(counts[0], 15);
  assert_int_equal(counts[1], 15);
  assert_int_equal(counts[2], 2);
  for (k = 0; k < 15; k++) assert_backlog_day(&days[k], (int64_t)k, &backlog_want[k]);
  /* email: c4 alone from day 5 (as test_backlog_calendar_and_slices) */
  assert_int_equal(days[15 + 4].open, 0);
  for (k = 5; k < 15; k++) assert_int_equal(days[15 + k].open, 1);
  assert_backlog_day(&days[30], 5, &backlog_want[5]);
  assert_backlog_day(&days[31], 6, &backlog_want[6]);
  /* no filter: nothing to do */
  total = 99;
  assert_int_equal(cxm_store_backlog_each(NULL, NULL, &total, 0, NULL, 0, s, NULL), CXM_OK);
  assert_int_equal(total, 0);
  assert_int_equal(cxm_store_backlog_each(days, counts, NULL, 64, fs, 3, s, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_backlog_each(days, NULL, &total, 64, fs, 3, s, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_backlog_each(days, counts, &total, 64, NULL, 3, s, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_backlog_each(NULL, counts, &total, 1, fs, 3, s, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_backlog_each(days, counts, &total, 64, fs, 3, NULL, NULL), CXM_E_ARG);
  days[63].size = 1;
  assert_int_equal(cxm_store_backlog_each(days, counts, &total, 64, fs, 3, s, NULL), CXM_E_SIZE);
  days[63].size = sizeof days[63];
  cxm_operations_options_init(&o);
  o.size = 1;
  assert_int_equal(cxm_store_backlog_each(days, counts, &total, 64, fs, 3, s, &o), CXM_E_SIZE);
  cxm_operations_options_init(&o);
  o.window_seconds = 0;
  assert_int_equal(cxm_store_backlog_each(days, counts, &total, 64, fs, 3, s, &o), CXM_E_OPTION);
  /* a bad filter: its status, nothing written */
  fs[2].channel = 9999;
  counts[0] = 7;
  total = 7;
  assert_int_equal(cxm_store_backlog_each(days, counts, &total, 64, fs, 3, s, NULL), CXM_E_CHANNEL);
  assert_int_equal(counts[0], 7);
  assert_int_equal(total, 7);
  fs[2].channel = CXM_ANY;
  fs[2].to = fs[2].from - D;
  assert_int_equal(cxm_store_backlog_each(days, counts, &total, 64, fs, 3, s, NULL), CXM_E_WINDOW);
  cxm_store_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hand_worked),
      cmocka_unit_test(test_order_independent),
      cmocka_unit_test(test_slices),
      cmocka_unit_test(test_window_and_arguments),
      cmocka_unit_test(test_kinds_need_refs),
      cmocka_unit_test(test_each_equals_single),
      cmocka_unit_test(test_many_contacts_of_one_customer),
      cmocka_unit_test(test_gap_period_is_interaction_start),
      cmocka_unit_test(test_loop_hand_worked),
      cmocka_unit_test(test_loop_slices),
      cmocka_unit_test(test_loop_options),
      cmocka_unit_test(test_loop_each_equals_single),
      cmocka_unit_test(test_backlog_hand_worked),
      cmocka_unit_test(test_backlog_without_status_list),
      cmocka_unit_test(test_backlog_calendar_and_slices),
      cmocka_unit_test(test_backlog_arguments),
      cmocka_unit_test(test_backlog_each_equals_single),
      cmocka_unit_test(test_backlog_each_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
