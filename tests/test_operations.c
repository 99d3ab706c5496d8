/* Service operations (cxm/operations.h, docs/experience.md "Service
 * operations"), worked by hand on six contacts of three customers, and the
 * perception gap's period (the interaction's earliest event). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "cxm.h"
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hand_worked),
      cmocka_unit_test(test_order_independent),
      cmocka_unit_test(test_slices),
      cmocka_unit_test(test_window_and_arguments),
      cmocka_unit_test(test_kinds_need_refs),
      cmocka_unit_test(test_each_equals_single),
      cmocka_unit_test(test_gap_period_is_interaction_start),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
