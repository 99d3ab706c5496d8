/* Tests of the experience queries: the perception gap, service levels,
 * SERVQUAL, loyalty and channel consistency, on hand-worked cases (the
 * arithmetic is in the comments), in either arrival order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cxm.h"
#include "test_helpers.h"
#include "test_specs.h"

/* 2025-01-06 is a Monday. */
#define MON_10_00 INT64_C(1736157600)
#define MON_11_30 INT64_C(1736163000)
#define TUE_10_00 INT64_C(1736244000)
#define FRI_16_00 INT64_C(1736524800)
#define SAT_12_00 INT64_C(1736596800)
#define MON2_09_00 INT64_C(1736758800)
#define MON2_10_00 INT64_C(1736762400)
#define TUE2_12_00 INT64_C(1736856000)
#define WED2_08_00 INT64_C(1736928000)
#define WED2_09_00 INT64_C(1736931600)
#define WED2_10_00 INT64_C(1736935200)

static void assert_close(double got, double want, double tol) {
  if (!(fabs(got - want) <= tol)) fail_msg("got %.17g, want %.17g", got, want);
}

/* ---- perception gap ------------------------------------------------------ */

static const spec gap_events[] = {
    /* r1: internal 90 (phone), nps 6 = 60: gap 30, service top box only: a blind spot */
    {"a", 100, CXM_KIND_INTERNAL, 90, CXM_CHANNEL_PHONE, "r1", 0},
    {"a", 200, CXM_KIND_NPS, 6, CXM_CHANNEL_EMAIL, "r1", 0},
    /* r2: nps 10 = 100 first; internal 70 (chat) then 80 (email): service 75,
     * gap -25; the customer top box only: a reverse spot; the pair is chat's */
    {"b", 50, CXM_KIND_NPS, 10, CXM_CHANNEL_WEB, "r2", 0},
    {"b", 300, CXM_KIND_INTERNAL, 70, CXM_CHANNEL_CHAT, "r2", 0},
    {"b", 400, CXM_KIND_INTERNAL, 80, CXM_CHANNEL_EMAIL, "r2", 0},
    /* r3: internal only, r5: customer only: no pairs */
    {"c", 500, CXM_KIND_INTERNAL, 10, CXM_CHANNEL_PHONE, "r3", 0},
    {"c", 500, CXM_KIND_CSAT, 1, CXM_CHANNEL_PHONE, "r5", 0},
    /* r4: csat 5 = 100 and ces 7 = 100; internal 100: gap 0, both top box */
    {"d", 600, CXM_KIND_CSAT, 5, CXM_CHANNEL_APP, "r4", 0},
    {"d", 700, CXM_KIND_CES, 7, CXM_CHANNEL_APP, "r4", 0},
    {"d", 650, CXM_KIND_INTERNAL, 100, CXM_CHANNEL_APP, "r4", 0},
    /* a rating without ref is no part of any pair */
    {"d", 650, CXM_KIND_INTERNAL, 0, CXM_CHANNEL_APP, NULL, 0},
};

static void check_gap(const cxm_store *s) {
  cxm_gap_acc acc;
  cxm_gap_result g;
  cxm_filter f;
  /* gaps 30, -25, 0: mean 5/3; s = 27.537852736430509 (Python
   * statistics.stdev); se = s / sqrt(3); t(0.975, 2) = 4.302652729749464
   * (closed form 2 / sqrt(p (1 - p) ... ) for df 2, see test_stats.c) */
  assert_int_equal(cxm_store_gap(&acc, s, NULL, NULL), CXM_OK);
  assert_int_equal(cxm_gap_compute(&g, &acc), CXM_OK);
  assert_int_equal(g.pairs, 3);
  assert_close(g.mean, 5.0 / 3.0, 1e-12);
  assert_close(g.se, 27.537852736430509 / sqrt(3.0), 1e-10);
  assert_close(g.ci95_low, 5.0 / 3.0 - 4.302652729749464 * 27.537852736430509 / sqrt(3.0), 1e-9);
  assert_close(g.ci95_high, 5.0 / 3.0 + 4.302652729749464 * 27.537852736430509 / sqrt(3.0), 1e-9);
  assert_close(g.service, (90.0 + 75.0 + 100.0) / 3.0, 1e-12);
  assert_close(g.experience, (60.0 + 100.0 + 100.0) / 3.0, 1e-12);
  assert_int_equal(g.blind_spots, 1);
  assert_int_equal(g.reverse_spots, 1);
  assert_close(g.delivery_gap, 0.0, 0);
  assert_close(g.blind_spot_pct, 100.0 / 3.0, 1e-12);
  assert_close(g.delivery_z, 0.0, 0);

  /* by the channel of the earliest internal rating */
  cxm_filter_init(&f);
  f.channel = CXM_CHANNEL_CHAT;
  assert_int_equal(cxm_store_gap(&acc, s, &f, NULL), CXM_OK);
  assert_int_equal(cxm_gap_compute(&g, &acc), CXM_OK);
  assert_int_equal(g.pairs, 1);
  assert_close(g.mean, -25.0, 1e-12);
  assert_true(isnan(g.se) && isnan(g.ci95_low)); /* one pair: no interval */
  assert_close(g.delivery_z, -1.0, 1e-12);       /* (0 - 1) / sqrt(1) */
  f.channel = CXM_CHANNEL_EMAIL;                 /* r2's later internal rating is email's: no pair there */
  assert_int_equal(cxm_store_gap(&acc, s, &f, NULL), CXM_OK);
  assert_int_equal(acc.pairs, 0);
  assert_int_equal(cxm_gap_compute(&g, &acc), CXM_OK);
  assert_true(isnan(g.mean) && isnan(g.delivery_z));
  /* by the time of the earliest rating: r2 lives at t = 50, r1 at 100 */
  cxm_filter_init(&f);
  f.to = 86400;
  assert_int_equal(cxm_store_gap(&acc, s, &f, NULL), CXM_OK);
  assert_int_equal(acc.pairs, 3);
}

static void test_gap_either_order(void **state) {
  size_t n = sizeof gap_events / sizeof gap_events[0];
  cxm_store *s = spec_store(gap_events, n, 0);
  (void)state;
  check_gap(s);
  cxm_store_free(s);
  s = spec_store(gap_events, n, 1);
  check_gap(s);
  cxm_store_free(s);
}

/* With a top-box cut-off of 95 the 90 of r1 is no longer top box. */
static void test_gap_top_box_option(void **state) {
  cxm_store *s = spec_store(gap_events, sizeof gap_events / sizeof gap_events[0], 0);
  cxm_experience_options o;
  cxm_gap_acc acc;
  (void)state;
  cxm_experience_options_init(&o);
  o.top_box = 95;
  assert_int_equal(cxm_store_gap(&acc, s, NULL, &o), CXM_OK);
  assert_int_equal(acc.blind_spots, 0);
  assert_int_equal(acc.reverse_spots, 1); /* r2: 100 vs 75 */
  o.top_box = 101;
  assert_int_equal(cxm_store_gap(&acc, s, NULL, &o), CXM_E_OPTION);
  o.size = 0;
  assert_int_equal(cxm_store_gap(&acc, s, NULL, &o), CXM_E_SIZE);
  cxm_store_free(s);
}

/* Ties by time: the first internal rating in input order gives the channel. */
static void test_gap_ties_input_order(void **state) {
  static const spec tie[] = {
      {"a", 100, CXM_KIND_INTERNAL, 50, CXM_CHANNEL_STORE, "t", 0},
      {"a", 100, CXM_KIND_INTERNAL, 50, CXM_CHANNEL_PHONE, "t", 0},
      {"a", 100, CXM_KIND_NPS, 5, CXM_CHANNEL_PHONE, "t", 0},
  };
  cxm_store *s = spec_store(tie, 3, 0);
  cxm_filter f;
  cxm_gap_acc acc;
  (void)state;
  cxm_filter_init(&f);
  f.channel = CXM_CHANNEL_STORE;
  assert_int_equal(cxm_store_gap(&acc, s, &f, NULL), CXM_OK);
  assert_int_equal(acc.pairs, 1);
  cxm_store_free(s);
}

/* Merge equals the whole; the byte format round-trips and rejects garbage. */
static void test_gap_acc_merge_and_codec(void **state) {
  cxm_gap_acc whole, a, b, back;
  uint8_t buf[CXM_GAP_ACC_BYTES];
  size_t written, used;
  uint64_t rng = 11;
  int i;
  (void)state;
  cxm_gap_acc_init(&whole);
  cxm_gap_acc_init(&a);
  cxm_gap_acc_init(&b);
  for (i = 0; i < 1000; i++) {
    double sv = (double)test_below(&rng, 101), ex = (double)test_below(&rng, 101);
    assert_int_equal(cxm_gap_acc_add(&whole, sv, ex, 80), CXM_OK);
    assert_int_equal(cxm_gap_acc_add(test_below(&rng, 3) ? &a : &b, sv, ex, 80), CXM_OK);
  }
  assert_int_equal(cxm_gap_acc_merge(&a, &b), CXM_OK);
  assert_int_equal(a.pairs, whole.pairs);
  assert_int_equal(a.blind_spots, whole.blind_spots);
  assert_close(a.mean, whole.mean, 1e-9);
  assert_close(a.m2, whole.m2, 1e-6 * whole.m2);
  assert_int_equal(cxm_gap_acc_add(&a, 101, 0, 80), CXM_E_VALUE);
  assert_int_equal(cxm_gap_acc_add(&a, NAN, 0, 80), CXM_E_VALUE);

  assert_int_equal(cxm_gap_acc_serialize(buf, sizeof buf, &written, &whole), CXM_OK);
  assert_int_equal(written, CXM_GAP_ACC_BYTES);
  assert_int_equal(cxm_gap_acc_deserialize(&back, buf, written, &used), CXM_OK);
  assert_int_equal(used, written);
  assert_memory_equal(&back, &whole, sizeof back);
  assert_int_equal(cxm_gap_acc_serialize(buf, 10, &written, &whole), CXM_E_BUFFER);
  assert_int_equal(cxm_gap_acc_deserialize(&back, buf, CXM_GAP_ACC_BYTES - 1, NULL), CXM_E_TRUNCATED);
  assert_int_equal(cxm_gap_acc_deserialize(&back, buf, 2, NULL), CXM_E_TRUNCATED);
  buf[4] = 9;
  assert_int_equal(cxm_gap_acc_deserialize(&back, buf, sizeof buf, NULL), CXM_E_VERSION);
  buf[4] = 1;
  buf[0] = 'X';
  assert_int_equal(cxm_gap_acc_deserialize(&back, buf, sizeof buf, NULL), CXM_E_FORMAT);
  buf[0] = 'C';
  buf[45] = 0xff; /* blind spots > pairs */
  buf[52] = 0xff;
  assert_int_equal(cxm_gap_acc_deserialize(&back, buf, sizeof buf, NULL), CXM_E_FORMAT);
}

/* Write a gap frame of the given fields (docs/formats.md). */
static void gap_frame(uint8_t *buf, uint64_t pairs, double mean, double m2, double service_sum, double experience_sum) {
  cxm_gap_acc a;
  size_t written;
  cxm_gap_acc_init(&a);
  a.pairs = pairs;
  a.mean = mean;
  a.m2 = m2;
  a.service_sum = service_sum;
  a.experience_sum = experience_sum;
  assert_int_equal(cxm_gap_acc_serialize(buf, CXM_GAP_ACC_BYTES, &written, &a), CXM_OK);
}

/* The reader rejects values that adds of scores 0..100 cannot produce: a
 * mean of -1.57e308 was accepted, and merging it into an empty accumulator
 * gave m2 = inf * 0 = NaN (fuzz/regressions/codec/gap-huge-mean). */
static void test_gap_acc_reader_bounds(void **state) {
  uint8_t buf[CXM_GAP_ACC_BYTES];
  cxm_gap_acc a, b, merged;
  size_t used;
  (void)state;
  gap_frame(buf, UINT64_C(1099511622656), -1.572983207418298e+308, 3.2e-319, 0, 0);
  assert_int_equal(cxm_gap_acc_deserialize(&a, buf, sizeof buf, &used), CXM_E_FORMAT);
  gap_frame(buf, 4, 100.5, 0, 400, 0); /* |mean| > 100 */
  assert_int_equal(cxm_gap_acc_deserialize(&a, buf, sizeof buf, NULL), CXM_E_FORMAT);
  gap_frame(buf, 4, 0, 0, 401, 0); /* service above 100 per pair */
  assert_int_equal(cxm_gap_acc_deserialize(&a, buf, sizeof buf, NULL), CXM_E_FORMAT);
  gap_frame(buf, 4, 0, 0, 0, -1); /* a negative sum */
  assert_int_equal(cxm_gap_acc_deserialize(&a, buf, sizeof buf, NULL), CXM_E_FORMAT);
  gap_frame(buf, 4, 50, 4 * 7501.0, 200, 0); /* variance above (100 - 50)(100 + 50) */
  assert_int_equal(cxm_gap_acc_deserialize(&a, buf, sizeof buf, NULL), CXM_E_FORMAT);
  /* -0.0 is written as +0.0 (one encoding per value), and read as an error. */
  gap_frame(buf, 2, -0.0, 0, 100, 100);
  assert_int_equal(cxm_gap_acc_deserialize(&a, buf, sizeof buf, NULL), CXM_OK);
  assert_true(a.mean == 0 && !signbit(a.mean));
  buf[13 + 7] |= 0x80; /* the sign bit of the little-endian mean */
  assert_int_equal(cxm_gap_acc_deserialize(&a, buf, sizeof buf, NULL), CXM_E_FORMAT);

  /* The extremes adds do produce are read: gaps of +100 and -100 (the
   * largest variance), and all gaps +100 (mean 100, no variance). */
  cxm_gap_acc_init(&b);
  assert_int_equal(cxm_gap_acc_add(&b, 100, 0, 80), CXM_OK);
  assert_int_equal(cxm_gap_acc_add(&b, 0, 100, 80), CXM_OK);
  assert_int_equal(cxm_gap_acc_add(&b, 100, 0, 80), CXM_OK);
  assert_int_equal(cxm_gap_acc_add(&b, 0, 100, 80), CXM_OK);
  assert_int_equal(cxm_gap_acc_serialize(buf, sizeof buf, &used, &b), CXM_OK);
  assert_int_equal(cxm_gap_acc_deserialize(&a, buf, sizeof buf, NULL), CXM_OK);
  assert_memory_equal(&a, &b, sizeof a);
  /* ... and so are their merges, in both orders. */
  cxm_gap_acc_init(&merged);
  assert_int_equal(cxm_gap_acc_merge(&merged, &a), CXM_OK);
  assert_int_equal(cxm_gap_acc_merge(&merged, &a), CXM_OK);
  assert_true(merged.m2 == 8e4);
  assert_int_equal(cxm_gap_acc_serialize(buf, sizeof buf, &used, &merged), CXM_OK);
  assert_int_equal(cxm_gap_acc_deserialize(&b, buf, sizeof buf, NULL), CXM_OK);
  cxm_gap_acc_init(&b);
  assert_int_equal(cxm_gap_acc_add(&b, 100, 0, 80), CXM_OK);
  assert_int_equal(cxm_gap_acc_add(&b, 100, 0, 80), CXM_OK);
  assert_int_equal(cxm_gap_acc_serialize(buf, sizeof buf, &used, &b), CXM_OK);
  assert_int_equal(cxm_gap_acc_deserialize(&a, buf, sizeof buf, NULL), CXM_OK);
  assert_true(a.mean == 100 && a.m2 == 0);
}

/* ---- service levels ------------------------------------------------------ */

static const spec contacts[] = {
    /* k1: Mon 10:00 open, 11:30 reply (5400 s; 1.5 business hours: met), Tue 10:00 resolved (86400 s) */
    {"a", MON_10_00, CXM_KIND_CONTACT_OPEN, NAN, CXM_CHANNEL_EMAIL, "k1", 0},
    {"a", MON_11_30, CXM_KIND_CONTACT_REPLY, NAN, CXM_CHANNEL_EMAIL, "k1", 0},
    {"a", TUE_10_00, CXM_KIND_CONTACT_RESOLVE, NAN, CXM_CHANNEL_EMAIL, "k1", 0},
    /* k2: Fri 16:00 open, Mon 10:00 reply: 237600 s wall, Fri 16-17 + Mon 9-10 = 2 business hours: met */
    {"b", FRI_16_00, CXM_KIND_CONTACT_OPEN, NAN, CXM_CHANNEL_PHONE, "k2", 0},
    {"b", MON2_10_00, CXM_KIND_CONTACT_REPLY, NAN, CXM_CHANNEL_PHONE, "k2", 0},
    /* k3: opened Saturday 12:00, reply Tue 12:00: 259200 s; the clock starts
     * Mon 09:00: Mon 8 h + Tue 3 h = 11 business hours: breached */
    {"c", SAT_12_00, CXM_KIND_CONTACT_OPEN, NAN, CXM_CHANNEL_PHONE, "k3", 0},
    {"c", TUE2_12_00, CXM_KIND_CONTACT_REPLY, NAN, CXM_CHANNEL_PHONE, "k3", 0},
    /* k4: Mon 09:00, never answered; the data ends Wed 10:00: Mon 8 + Tue 8 + Wed 1 = 17 h: breached */
    {"d", MON2_09_00, CXM_KIND_CONTACT_OPEN, NAN, CXM_CHANNEL_CHAT, "k4", 0},
    /* k5: the reply (Wed 10:00) arrives before its opens; opens at 09:00
     * then 08:00 (before hours): first response 7200 s, 1 business hour: met */
    {"e", WED2_10_00, CXM_KIND_CONTACT_REPLY, NAN, CXM_CHANNEL_CHAT, "k5", 0},
    {"e", WED2_09_00, CXM_KIND_CONTACT_OPEN, NAN, CXM_CHANNEL_WEB, "k5", 0},
    {"e", WED2_08_00, CXM_KIND_CONTACT_OPEN, NAN, CXM_CHANNEL_CHAT, "k5", 0},
    /* a reply before every open of k6 that stays before it: not a first response */
    {"f", WED2_08_00, CXM_KIND_CONTACT_REPLY, NAN, CXM_CHANNEL_APP, "k6", 0},
    {"f", WED2_09_00, CXM_KIND_CONTACT_OPEN, NAN, CXM_CHANNEL_APP, "k6", 0},
};

static void check_service(const cxm_store *s, int with_holiday) {
  cxm_service_result r;
  cxm_experience_options o;
  cxm_calendar *cal = NULL;
  cxm_filter f;
  cxm_experience_options_init(&o);
  if (with_holiday) {
    /* Monday 2025-01-13 off: k2 is 1 h (met), k3 Tue 9-12 = 3 h (met),
     * k4 Tue 8 + Wed 1 = 9 h (still breached). */
    assert_int_equal(cxm_calendar_new(&cal, NULL), CXM_OK);
    assert_int_equal(cxm_calendar_add_holiday(cal, 2025, 1, 13), CXM_OK);
    o.calendar = cal;
  }
  assert_int_equal(cxm_store_service(&r, s, NULL, &o), CXM_OK);
  assert_int_equal(r.contacts, 6);
  assert_int_equal(r.open, 5);    /* only k1 was resolved */
  assert_int_equal(r.replied, 4); /* k1, k2, k3, k5 */
  assert_int_equal(r.resolved, 1);
  /* responses 5400, 7200, 237600, 259200: median (7200 + 237600) / 2;
   * p90 at rank 2.7: 237600 + 0.7 * 21600 = 252720 (numpy's linear) */
  assert_close(r.first_response_median_s, 122400, 1e-9);
  assert_close(r.first_response_p90_s, 252720, 1e-6);
  assert_close(r.first_response_mean_s, (5400.0 + 7200 + 237600 + 259200) / 4, 1e-6);
  assert_close(r.resolution_median_s, 86400, 0);
  assert_close(r.resolution_p90_s, 86400, 0);
  /* k6 has no reply and is 1 business hour old at the end: neither */
  if (with_holiday) {
    assert_int_equal(r.met, 4);
    assert_int_equal(r.breached, 1);
    assert_close(r.within_sla_pct, 80.0, 1e-12);
  } else {
    assert_int_equal(r.met, 3);
    assert_int_equal(r.breached, 2);
    assert_close(r.within_sla_pct, 60.0, 1e-12);
  }
  /* The same contacts in business time. k5's clock starts at Wed 09:00
   * (opened 08:00): 1 h. Without the holiday: 3600, 5400, 7200 (k2) and
   * 39600 (k3, 11 h); with it, k2 is 1 h and k3 3 h. k1's resolution is
   * Mon 10-17 + Tue 9-10 = 8 business hours either way. */
  {
    cxm_service_result b, wall = r;
    memset(&b, 0xA5, sizeof b);
    assert_int_equal(cxm_store_service_business(&b, s, NULL, &o), CXM_OK);
    assert_int_equal(b.contacts, wall.contacts);
    assert_int_equal(b.replied, wall.replied);
    assert_int_equal(b.met, wall.met);
    assert_int_equal(b.breached, wall.breached);
    assert_close(b.within_sla_pct, wall.within_sla_pct, 0);
    if (with_holiday) {
      assert_close(b.first_response_median_s, 4500, 0); /* 3600 3600 5400 10800 */
      assert_close(b.first_response_p90_s, 5400 + 0.7 * 5400, 1e-9);
      assert_close(b.first_response_mean_s, 23400.0 / 4, 1e-12);
    } else {
      assert_close(b.first_response_median_s, 6300, 0); /* 3600 5400 7200 39600 */
      assert_close(b.first_response_p90_s, 7200 + 0.7 * 32400, 1e-9);
      assert_close(b.first_response_mean_s, 55800.0 / 4, 1e-12);
    }
    assert_close(b.resolution_median_s, 28800, 0);
    assert_close(b.resolution_p90_s, 28800, 0);
    assert_int_equal(cxm_store_service_business(NULL, s, NULL, &o), CXM_E_ARG);
    memset(&b, 0x5A, sizeof b);
    wall = b;
    o.sla_target_seconds = -1;
    assert_int_not_equal(cxm_store_service_business(&b, s, NULL, &o), CXM_OK);
    assert_memory_equal(&b, &wall, sizeof b); /* unchanged on error */
    o.sla_target_seconds = 28800;
  }
  /* a contact belongs to the channel of its earliest open */
  cxm_filter_init(&f);
  f.channel = CXM_CHANNEL_CHAT;
  assert_int_equal(cxm_store_service(&r, s, &f, &o), CXM_OK);
  assert_int_equal(r.contacts, 2); /* k4, k5 */
  f.channel = CXM_CHANNEL_WEB;
  assert_int_equal(cxm_store_service(&r, s, &f, &o), CXM_OK);
  assert_int_equal(r.contacts, 0);
  assert_true(isnan(r.first_response_median_s) && isnan(r.within_sla_pct));
  cxm_calendar_free(cal);
}

static void test_service_levels(void **state) {
  size_t n = sizeof contacts / sizeof contacts[0];
  cxm_store *s;
  (void)state;
  s = spec_store(contacts, n, 0);
  check_service(s, 0);
  check_service(s, 1);
  cxm_store_free(s);
  s = spec_store(contacts, n, 1);
  check_service(s, 0);
  check_service(s, 1);
  cxm_store_free(s);
}

/* ---- SERVQUAL, loyalty, consistency --------------------------------------- */

static const spec servqual_events[] = {
    /* A: tangibles expected 6, perceived 4; reliability expected only; empathy 4 -> 6 */
    {"A", 1000, CXM_KIND_EXPECTATION, 6, CXM_CHANNEL_EMAIL, NULL, CXM_DIMENSION_TANGIBLES},
    {"A", 2000, CXM_KIND_PERCEPTION, 4, CXM_CHANNEL_PHONE, NULL, CXM_DIMENSION_TANGIBLES},
    {"A", 1000, CXM_KIND_EXPECTATION, 7, CXM_CHANNEL_EMAIL, NULL, CXM_DIMENSION_RELIABILITY},
    {"A", 1000, CXM_KIND_EXPECTATION, 4, CXM_CHANNEL_EMAIL, NULL, CXM_DIMENSION_EMPATHY},
    {"A", 1000, CXM_KIND_PERCEPTION, 6, CXM_CHANNEL_EMAIL, NULL, CXM_DIMENSION_EMPATHY},
    /* B: tangibles expected 5, perceived 5 and 6 */
    {"B", 1000, CXM_KIND_EXPECTATION, 5, CXM_CHANNEL_EMAIL, NULL, CXM_DIMENSION_TANGIBLES},
    {"B", 1500, CXM_KIND_PERCEPTION, 5, CXM_CHANNEL_EMAIL, NULL, CXM_DIMENSION_TANGIBLES},
    {"B", 1600, CXM_KIND_PERCEPTION, 6, CXM_CHANNEL_EMAIL, NULL, CXM_DIMENSION_TANGIBLES},
    /* C: perceived only */
    {"C", 1000, CXM_KIND_PERCEPTION, 3, CXM_CHANNEL_EMAIL, NULL, CXM_DIMENSION_TANGIBLES},
};

static void test_servqual(void **state) {
  cxm_store *s = spec_store(servqual_events, sizeof servqual_events / sizeof servqual_events[0], 0);
  cxm_servqual_result r;
  cxm_experience_options o;
  cxm_filter f;
  (void)state;
  /* tangibles: A and B qualify; perceptions 4, 5, 6 (mean 5), expectations
   * 6, 5 (mean 5.5): -0.5. Empathy: 6 - 4 = 2. Score (unweighted): 0.75. */
  assert_int_equal(cxm_store_servqual(&r, s, NULL, NULL), CXM_OK);
  assert_int_equal(r.customers[CXM_DIMENSION_TANGIBLES], 2);
  assert_close(r.gap[CXM_DIMENSION_TANGIBLES], -0.5, 1e-12);
  assert_close(r.gap[CXM_DIMENSION_EMPATHY], 2.0, 1e-12);
  assert_true(isnan(r.gap[CXM_DIMENSION_RELIABILITY]));
  assert_int_equal(r.customers[CXM_DIMENSION_RELIABILITY], 0);
  assert_close(r.score, 0.75, 1e-12);
  /* weights 3 (tangibles) and 1 (empathy): (3 * -0.5 + 2) / 4 */
  cxm_experience_options_init(&o);
  o.has_weights = 1;
  o.servqual_weights[0] = 3;
  o.servqual_weights[1] = 10; /* reliability has no gap: its weight drops out */
  o.servqual_weights[4] = 1;
  assert_int_equal(cxm_store_servqual(&r, s, NULL, &o), CXM_OK);
  assert_close(r.score, 0.125, 1e-12);
  o.servqual_weights[2] = -1;
  assert_int_equal(cxm_store_servqual(&r, s, NULL, &o), CXM_E_OPTION);
  /* in the email slice A's tangibles perception (phone) is missing: only B */
  cxm_filter_init(&f);
  f.channel = CXM_CHANNEL_EMAIL;
  assert_int_equal(cxm_store_servqual(&r, s, &f, NULL), CXM_OK);
  assert_int_equal(r.customers[CXM_DIMENSION_TANGIBLES], 1);
  assert_close(r.gap[CXM_DIMENSION_TANGIBLES], 0.5, 1e-12); /* (5 + 6) / 2 - 5 */
  cxm_store_free(s);
}

static void test_loyalty(void **state) {
  static const spec events[] = {
      {"A", 100, CXM_KIND_COMPLAINT, NAN, CXM_CHANNEL_EMAIL, NULL, 0},
      {"B", 100, CXM_KIND_COMPLAINT, NAN, CXM_CHANNEL_PHONE, NULL, 0},
      {"A", 200, CXM_KIND_COMPLIMENT, NAN, CXM_CHANNEL_EMAIL, NULL, 0},
      {"C", 200, CXM_KIND_COMPLIMENT, NAN, CXM_CHANNEL_EMAIL, NULL, 0},
      {"C", 300, CXM_KIND_COMPLIMENT, NAN, CXM_CHANNEL_EMAIL, NULL, 0},
      {"A", 100, CXM_KIND_CHURN, NAN, CXM_CHANNEL_EMAIL, NULL, 0},
      {"A", 200000, CXM_KIND_CHURN, NAN, CXM_CHANNEL_PHONE, NULL, 0}, /* another cell, same customer */
      {"B", 100, CXM_KIND_CHURN, NAN, CXM_CHANNEL_EMAIL, NULL, 0},
  };
  cxm_store *s = spec_store(events, sizeof events / sizeof events[0], 0);
  cxm_loyalty_result r;
  cxm_filter f;
  (void)state;
  assert_int_equal(cxm_store_loyalty(&r, s, NULL), CXM_OK);
  assert_int_equal(r.complaints, 2);
  assert_int_equal(r.compliments, 3);
  assert_close(r.compliment_ratio, 0.6, 1e-15);
  assert_int_equal(r.churned, 2);
  cxm_filter_init(&f);
  f.channel = CXM_CHANNEL_PHONE;
  assert_int_equal(cxm_store_loyalty(&r, s, &f), CXM_OK);
  assert_int_equal(r.complaints, 1);
  assert_close(r.compliment_ratio, 0.0, 0);
  assert_int_equal(r.churned, 1);
  f.channel = CXM_CHANNEL_APP;
  assert_int_equal(cxm_store_loyalty(&r, s, &f), CXM_OK);
  assert_true(isnan(r.compliment_ratio));
  assert_int_equal(r.churned, 0);
  cxm_store_free(s);
}

static void test_consistency(void **state) {
  static const spec events[] = {
      {"a", 100, CXM_KIND_NPS, 10, CXM_CHANNEL_EMAIL, NULL, 0}, /* 100 */
      {"b", 100, CXM_KIND_NPS, 8, CXM_CHANNEL_EMAIL, NULL, 0},  /* 80: email mean 90 */
      {"c", 100, CXM_KIND_CSAT, 1, CXM_CHANNEL_PHONE, NULL, 0}, /* 0 */
      {"d", 100, CXM_KIND_CSAT, 3, CXM_CHANNEL_PHONE, NULL, 0}, /* 50: phone mean 25 */
      {"e", 100, CXM_KIND_CES, 4, CXM_CHANNEL_CHAT, NULL, 0},   /* one rating: below the minimum */
  };
  cxm_store *s = spec_store(events, sizeof events / sizeof events[0], 0);
  cxm_consistency_result r;
  cxm_experience_options o;
  (void)state;
  cxm_experience_options_init(&o);
  o.min_channel_ratings = 2;
  assert_int_equal(cxm_store_consistency(&r, s, NULL, &o), CXM_OK);
  assert_int_equal(r.channels, 2);
  assert_close(r.sd, 65.0 / sqrt(2.0), 1e-12); /* sd of {90, 25} = |90 - 25| / sqrt(2) */
  assert_close(r.mean_of_means, 57.5, 1e-12);
  assert_int_equal(r.weakest_channel, CXM_CHANNEL_PHONE);
  assert_close(r.weakest_mean, 25.0, 1e-12);
  /* with the default minimum of 30 no channel qualifies */
  assert_int_equal(cxm_store_consistency(&r, s, NULL, NULL), CXM_OK);
  assert_int_equal(r.channels, 0);
  assert_true(isnan(r.sd) && isnan(r.mean_of_means));
  assert_int_equal(r.weakest_channel, -1);
  cxm_store_free(s);
}

/* ---- grouped queries ------------------------------------------------------ */

/* Doubles equal bit for bit (NaN equals NaN): the grouped queries promise
 * the per-group queries' exact numbers. */
static void assert_same_double(double got, double want, const char *what, size_t group) {
  if (memcmp(&got, &want, sizeof got) != 0) fail_msg("group %zu: %s %.17g, want %.17g", group, what, got, want);
}

static void assert_same_u64(uint64_t got, uint64_t want, const char *what, size_t group) {
  if (got != want)
    fail_msg("group %zu: %s %llu, want %llu", group, what, (unsigned long long)got, (unsigned long long)want);
}

/* A random store with every kind of experience data: custom channels and
 * segments, rated interactions (shared refs), contacts with replies and
 * resolutions, SERVQUAL answers, complaints, compliments, churn; times over
 * ~100 days in buckets of `bucket` seconds. */
static cxm_store *random_store(uint64_t *rng, int64_t bucket, size_t events) {
  cxm_store_options so;
  cxm_store *s = NULL;
  int32_t channels[12], segments[6];
  size_t i;
  char name[32];
  cxm_store_options_init(&so);
  so.bucket_seconds = bucket;
  assert_int_equal(cxm_store_new(&s, &so), CXM_OK);
  for (i = 0; i < 12; i++) {
    if (i < 5) {
      channels[i] = (int32_t)i; /* built-in channels, the empty one included */
      continue;
    }
    snprintf(name, sizeof name, "ch%zu", i);
    assert_int_equal(cxm_store_channel(&channels[i], s, name, strlen(name)), CXM_OK);
  }
  segments[0] = 0;
  for (i = 1; i < 6; i++) {
    snprintf(name, sizeof name, "seg-%zu", i);
    assert_int_equal(cxm_store_segment(&segments[i], s, name, strlen(name)), CXM_OK);
  }
  for (i = 0; i < events; i++) {
    static const int32_t kinds[] = {CXM_KIND_NPS,          CXM_KIND_CSAT,          CXM_KIND_CES,
                                    CXM_KIND_INTERNAL,     CXM_KIND_EXPECTATION,   CXM_KIND_PERCEPTION,
                                    CXM_KIND_CONTACT_OPEN, CXM_KIND_CONTACT_REPLY, CXM_KIND_CONTACT_RESOLVE,
                                    CXM_KIND_COMPLAINT,    CXM_KIND_COMPLIMENT,    CXM_KIND_CHURN,
                                    CXM_KIND_INTERNAL,     CXM_KIND_NPS,           CXM_KIND_CONTACT_OPEN};
    cxm_event e;
    char customer[16], ref[16];
    int32_t kind = kinds[test_below(rng, sizeof kinds / sizeof kinds[0])];
    int32_t rc;
    cxm_event_init(&e);
    snprintf(customer, sizeof customer, "c%u", (unsigned)test_below(rng, 60));
    snprintf(ref, sizeof ref, "r%u", (unsigned)test_below(rng, 150));
    e.customer = customer;
    e.customer_len = strlen(customer);
    e.time = INT64_C(1735689600) + (int64_t)test_below(rng, 100 * 86400);
    e.kind = kind;
    e.channel = channels[test_below(rng, 12)];
    e.stage = (int32_t)test_below(rng, CXM_STAGE_COUNT);
    e.segment = segments[test_below(rng, 6)];
    switch (kind) {
    case CXM_KIND_NPS:
      e.has_value = 1;
      e.value = (double)test_below(rng, 11);
      break;
    case CXM_KIND_CSAT:
      e.has_value = 1;
      e.value = (double)(1 + test_below(rng, 5));
      break;
    case CXM_KIND_CES:
      e.has_value = 1;
      e.value = (double)(1 + test_below(rng, 7));
      break;
    case CXM_KIND_INTERNAL:
      e.has_value = 1;
      e.value = (double)test_below(rng, 1001) / 10.0;
      break;
    case CXM_KIND_EXPECTATION:
    case CXM_KIND_PERCEPTION:
      e.has_value = 1;
      e.value = (double)(1 + test_below(rng, 7));
      e.dimension = (int32_t)(1 + test_below(rng, CXM_DIMENSION_COUNT - 1));
      break;
    default: break;
    }
    /* Ratings share refs with contacts, so interactions pair up. */
    if (kind == CXM_KIND_CONTACT_OPEN || kind == CXM_KIND_CONTACT_REPLY || kind == CXM_KIND_CONTACT_RESOLVE ||
        ((kind == CXM_KIND_INTERNAL || kind == CXM_KIND_NPS || kind == CXM_KIND_CSAT) && test_below(rng, 4) != 0)) {
      e.ref = ref;
      e.ref_len = strlen(ref);
    }
    rc = cxm_store_record(s, &e);
    if (rc != CXM_OK) fail_msg("event %zu (kind %d): %s", i, kind, cxm_status_name(rc));
  }
  return s;
}

/* Every group of cxm_store_group_experience() against cxm_store_group()
 * and the per-slice queries on the group's filter. */
static void check_grouped(const cxm_store *s, const cxm_filter *filter, int32_t by, const cxm_experience_options *o) {
  cxm_groups *g = NULL, *plain = NULL;
  size_t i, count;
  assert_int_equal(cxm_store_group_experience(&g, s, filter, by, o), CXM_OK);
  assert_int_equal(cxm_store_group(&plain, s, filter, by), CXM_OK);
  count = cxm_groups_count(g);
  assert_int_equal(count, cxm_groups_count(plain));
  for (i = 0; i < count; i++) {
    const char *k1, *k2;
    size_t l1, l2;
    cxm_filter f, f2;
    cxm_survey_acc s1, s2;
    cxm_gap_acc ga, wa;
    cxm_servqual_result sq, wq;
    cxm_service_result sv, wv;
    cxm_loyalty_result ly, wl;
    cxm_consistency_result cs, wc;
    int d;
    assert_int_equal(cxm_groups_key(&k1, &l1, g, i), CXM_OK);
    assert_int_equal(cxm_groups_key(&k2, &l2, plain, i), CXM_OK);
    assert_int_equal(l1, l2);
    assert_memory_equal(k1, k2, l1);
    assert_int_equal(cxm_groups_filter(&f, g, i), CXM_OK);
    assert_int_equal(cxm_groups_filter(&f2, plain, i), CXM_OK);
    assert_memory_equal(&f, &f2, sizeof f);
    assert_int_equal(cxm_groups_survey(&s1, g, i), CXM_OK);
    assert_int_equal(cxm_groups_survey(&s2, plain, i), CXM_OK);
    assert_memory_equal(&s1, &s2, sizeof s1);

    assert_int_equal(cxm_groups_gap(&ga, g, i), CXM_OK);
    assert_int_equal(cxm_store_gap(&wa, s, &f, o), CXM_OK);
    assert_same_u64(ga.pairs, wa.pairs, "gap pairs", i);
    assert_same_double(ga.mean, wa.mean, "gap mean", i);
    assert_same_double(ga.m2, wa.m2, "gap m2", i);
    assert_same_double(ga.service_sum, wa.service_sum, "gap service_sum", i);
    assert_same_double(ga.experience_sum, wa.experience_sum, "gap experience_sum", i);
    assert_same_u64(ga.blind_spots, wa.blind_spots, "blind spots", i);
    assert_same_u64(ga.reverse_spots, wa.reverse_spots, "reverse spots", i);

    assert_int_equal(cxm_groups_servqual(&sq, g, i), CXM_OK);
    assert_int_equal(cxm_store_servqual(&wq, s, &f, o), CXM_OK);
    for (d = 0; d < CXM_DIMENSION_COUNT; d++) {
      assert_same_u64(sq.customers[d], wq.customers[d], "servqual customers", i);
      assert_same_double(sq.gap[d], wq.gap[d], "servqual gap", i);
    }
    assert_same_double(sq.score, wq.score, "servqual score", i);

    assert_int_equal(cxm_groups_service(&sv, g, i), CXM_OK);
    assert_int_equal(cxm_store_service(&wv, s, &f, o), CXM_OK);
    assert_same_u64(sv.contacts, wv.contacts, "contacts", i);
    assert_same_u64(sv.open, wv.open, "open", i);
    assert_same_u64(sv.replied, wv.replied, "replied", i);
    assert_same_u64(sv.resolved, wv.resolved, "resolved", i);
    assert_same_u64(sv.met, wv.met, "met", i);
    assert_same_u64(sv.breached, wv.breached, "breached", i);
    assert_same_double(sv.first_response_median_s, wv.first_response_median_s, "response median", i);
    assert_same_double(sv.first_response_p90_s, wv.first_response_p90_s, "response p90", i);
    assert_same_double(sv.first_response_mean_s, wv.first_response_mean_s, "response mean", i);
    assert_same_double(sv.resolution_median_s, wv.resolution_median_s, "resolution median", i);
    assert_same_double(sv.resolution_p90_s, wv.resolution_p90_s, "resolution p90", i);
    assert_same_double(sv.resolution_mean_s, wv.resolution_mean_s, "resolution mean", i);
    assert_same_double(sv.within_sla_pct, wv.within_sla_pct, "within SLA", i);

    assert_int_equal(cxm_groups_service_business(&sv, g, i), CXM_OK);
    assert_int_equal(cxm_store_service_business(&wv, s, &f, o), CXM_OK);
    assert_same_u64(sv.contacts, wv.contacts, "business contacts", i);
    assert_same_u64(sv.met, wv.met, "business met", i);
    assert_same_u64(sv.breached, wv.breached, "business breached", i);
    assert_same_double(sv.first_response_median_s, wv.first_response_median_s, "business response median", i);
    assert_same_double(sv.first_response_p90_s, wv.first_response_p90_s, "business response p90", i);
    assert_same_double(sv.first_response_mean_s, wv.first_response_mean_s, "business response mean", i);
    assert_same_double(sv.resolution_median_s, wv.resolution_median_s, "business resolution median", i);
    assert_same_double(sv.resolution_p90_s, wv.resolution_p90_s, "business resolution p90", i);
    assert_same_double(sv.resolution_mean_s, wv.resolution_mean_s, "business resolution mean", i);

    assert_int_equal(cxm_groups_loyalty(&ly, g, i), CXM_OK);
    assert_int_equal(cxm_store_loyalty(&wl, s, &f), CXM_OK);
    assert_same_u64(ly.complaints, wl.complaints, "complaints", i);
    assert_same_u64(ly.compliments, wl.compliments, "compliments", i);
    assert_same_u64(ly.churned, wl.churned, "churned", i);
    assert_same_double(ly.compliment_ratio, wl.compliment_ratio, "compliment ratio", i);

    assert_int_equal(cxm_groups_consistency(&cs, g, i), CXM_OK);
    assert_int_equal(cxm_store_consistency(&wc, s, &f, o), CXM_OK);
    assert_same_u64(cs.channels, wc.channels, "consistency channels", i);
    assert_same_double(cs.sd, wc.sd, "consistency sd", i);
    assert_same_double(cs.mean_of_means, wc.mean_of_means, "mean of means", i);
    assert_int_equal(cs.weakest_channel, wc.weakest_channel);
    assert_same_double(cs.weakest_mean, wc.weakest_mean, "weakest mean", i);
  }
  /* The per-group accessors need the experience result; ranges checked. */
  if (count > 0) {
    cxm_gap_acc ga;
    assert_int_equal(cxm_groups_gap(&ga, plain, 0), CXM_E_STATE);
  }
  {
    cxm_service_result sv;
    assert_int_equal(cxm_groups_service(&sv, g, count), CXM_E_NOT_FOUND);
    assert_int_equal(cxm_groups_service(NULL, g, 0), CXM_E_ARG);
    assert_int_equal(cxm_groups_service(&sv, NULL, 0), CXM_E_ARG);
    assert_int_equal(cxm_groups_service_business(&sv, g, count), CXM_E_NOT_FOUND);
    assert_int_equal(cxm_groups_service_business(NULL, g, 0), CXM_E_ARG);
  }
  cxm_groups_free(plain);
  cxm_groups_free(g);
}

static void test_grouped_equal_per_group(void **state) {
  static const int64_t buckets[] = {86400, 3600, 21600, 900};
  int round, rounds = test_iterations(12);
  uint64_t rng = 20251207;
  (void)state;
  for (round = 0; round < rounds; round++) {
    cxm_store *s = random_store(&rng, buckets[round % 4], 1500 + (size_t)test_below(&rng, 2500));
    cxm_calendar *cal = NULL;
    cxm_experience_options plain, tuned;
    cxm_filter filters[5];
    int32_t by;
    size_t f;
    assert_int_equal(cxm_calendar_new(&cal, NULL), CXM_OK);
    assert_int_equal(cxm_calendar_set_offset(cal, 5 * 3600 + 1800), CXM_OK);
    assert_int_equal(cxm_calendar_add_holiday(cal, 2025, 1, 20), CXM_OK);
    cxm_experience_options_init(&plain);
    cxm_experience_options_init(&tuned);
    tuned.top_box = 60;
    tuned.sla_target_seconds = 3600;
    tuned.calendar = cal;
    tuned.min_channel_ratings = 2;
    tuned.has_weights = 1;
    tuned.servqual_weights[0] = 0.1;
    tuned.servqual_weights[1] = 0.2;
    tuned.servqual_weights[2] = 0.3;
    tuned.servqual_weights[3] = 0.25;
    tuned.servqual_weights[4] = 0.15;
    for (f = 0; f < 5; f++) cxm_filter_init(&filters[f]);
    filters[1].from = INT64_C(1735689600) + 17 * 86400; /* a window cutting months and weeks */
    filters[1].to = INT64_C(1735689600) + 61 * 86400;
    filters[2].channel = CXM_CHANNEL_EMAIL;
    filters[3].segment = 2;
    filters[3].stage = 1;
    filters[4].from = filters[4].to = INT64_C(1735689600) + 86400; /* empty */
    for (by = 0; by < CXM_BY_COUNT; by++)
      for (f = 0; f < 5; f++) {
        check_grouped(s, &filters[f], by, &plain);
        check_grouped(s, &filters[f], by, &tuned);
      }
    check_grouped(s, NULL, CXM_BY_MONTH, NULL);
    cxm_calendar_free(cal);
    cxm_store_free(s);
  }
}

static void test_grouped_errors(void **state) {
  uint64_t rng = 7;
  cxm_store *s = random_store(&rng, 86400, 300);
  cxm_groups *g = (cxm_groups *)&rng; /* any non-NULL value: must stay unchanged */
  cxm_groups *const before = g;
  cxm_experience_options o;
  cxm_filter f;
  (void)state;
  cxm_experience_options_init(&o);
  cxm_filter_init(&f);
  assert_int_equal(cxm_store_group_experience(NULL, s, NULL, CXM_BY_CHANNEL, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_group_experience(&g, NULL, NULL, CXM_BY_CHANNEL, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_group_experience(&g, s, NULL, CXM_BY_COUNT, NULL), CXM_E_BY);
  assert_int_equal(cxm_store_group_experience(&g, s, NULL, -1, NULL), CXM_E_BY);
  f.from = 3600; /* not a day multiple */
  assert_int_equal(cxm_store_group_experience(&g, s, &f, CXM_BY_CHANNEL, NULL), CXM_E_WINDOW);
  o.top_box = NAN;
  assert_int_equal(cxm_store_group_experience(&g, s, NULL, CXM_BY_CHANNEL, &o), CXM_E_OPTION);
  o.top_box = 80;
  o.size = 1;
  assert_int_equal(cxm_store_group_experience(&g, s, NULL, CXM_BY_CHANNEL, &o), CXM_E_SIZE);
  assert_ptr_equal(g, before);
  cxm_store_free(s);
}

/* Every allocation of the grouped query failing in turn: CXM_E_NOMEM,
 * `*out` unchanged, nothing leaked; then it succeeds. */
static void test_grouped_out_of_memory(void **state) {
  failing_alloc fa = {FAILING_PAUSED, 0, 0};
  cxm_allocator hooks = failing_hooks(&fa);
  cxm_store_options so;
  cxm_store *s = NULL, *src;
  uint64_t rng = 11;
  long k;
  int32_t by;
  (void)state;
  src = random_store(&rng, 86400, 800);
  cxm_store_options_init(&so);
  so.allocator = &hooks;
  assert_int_equal(cxm_store_new(&s, &so), CXM_OK);
  assert_int_equal(cxm_store_merge(s, src), CXM_OK);
  cxm_store_free(src);
  for (by = 0; by < CXM_BY_COUNT; by++) {
    for (k = 0;; k++) {
      cxm_groups *g = NULL;
      int64_t live = fa.live_bytes;
      int32_t rc;
      fa.remaining = k;
      rc = cxm_store_group_experience(&g, s, NULL, by, NULL);
      fa.remaining = FAILING_PAUSED;
      if (rc == CXM_OK) {
        cxm_groups_free(g);
        assert_true(fa.live_bytes == live);
        break;
      }
      assert_int_equal(rc, CXM_E_NOMEM);
      assert_null(g);
      assert_true(fa.live_bytes == live);
    }
    assert_true(k > 3);
  }
  cxm_store_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gap_either_order),
      cmocka_unit_test(test_gap_top_box_option),
      cmocka_unit_test(test_gap_ties_input_order),
      cmocka_unit_test(test_gap_acc_merge_and_codec),
      cmocka_unit_test(test_gap_acc_reader_bounds),
      cmocka_unit_test(test_service_levels),
      cmocka_unit_test(test_servqual),
      cmocka_unit_test(test_loyalty),
      cmocka_unit_test(test_consistency),
      cmocka_unit_test(test_grouped_equal_per_group),
      cmocka_unit_test(test_grouped_errors),
      cmocka_unit_test(test_grouped_out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
