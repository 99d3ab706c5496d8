/* Tests of the mergeable, serialisable experience accumulators: SERVQUAL,
 * loyalty and service levels (cxm/experience.h, docs/formats.md). Hand-worked
 * values (arithmetic in the comments), the store queries recomputed from
 * the accumulators, merge = whole on random shards, round trips, every
 * kind of malformed input, and the service sketch's error bound (1/128)
 * against the exact quantiles of src/math/quantile.c (itself tested against
 * numpy in test_quantile.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm.h"
#include "math/quantile.h"
#include "experience/service_acc.h"
#include "test_helpers.h"
#include "test_specs.h"

/* 2025-01-06 is a Monday. */
#define MON_10_00 INT64_C(1736157600)

static void assert_close(double got, double want, double tol) {
  if (!(fabs(got - want) <= tol)) fail_msg("got %.17g, want %.17g", got, want);
}

/* Equal doubles, NaN equal to NaN. */
static void assert_same(double got, double want) {
  if (isnan(want) ? !isnan(got) : got != want) fail_msg("got %.17g, want %.17g", got, want);
}

/* The sketch's bound: |estimate - exact| < exact / 128, exact below 1 024 s. */
static void assert_within_bound(double est, double exact) {
  if (exact < 1024 && est == exact) return;
  if (!(fabs(est - exact) < exact / 128.0)) fail_msg("estimate %.17g, exact %.17g: beyond 1/128", est, exact);
}

/* ---- SERVQUAL ------------------------------------------------------------ */

static const spec servqual_events[] = {
    /* a, tangibles: expectations 5 and 7 (two cells), perception 4: qualifies */
    {"a", 100, CXM_KIND_EXPECTATION, 5, CXM_CHANNEL_PHONE, NULL, CXM_DIMENSION_TANGIBLES},
    {"a", 200000, CXM_KIND_EXPECTATION, 7, CXM_CHANNEL_EMAIL, NULL, CXM_DIMENSION_TANGIBLES},
    {"a", 300, CXM_KIND_PERCEPTION, 4, CXM_CHANNEL_PHONE, NULL, CXM_DIMENSION_TANGIBLES},
    /* b, tangibles: an expectation only: does not qualify */
    {"b", 100, CXM_KIND_EXPECTATION, 6, CXM_CHANNEL_PHONE, NULL, CXM_DIMENSION_TANGIBLES},
    /* c, reliability: expectation 3, perception 6: qualifies; tangibles:
     * a perception 2 only: does not qualify */
    {"c", 100, CXM_KIND_EXPECTATION, 3, CXM_CHANNEL_CHAT, NULL, CXM_DIMENSION_RELIABILITY},
    {"c", 400, CXM_KIND_PERCEPTION, 6, CXM_CHANNEL_CHAT, NULL, CXM_DIMENSION_RELIABILITY},
    {"c", 400, CXM_KIND_PERCEPTION, 2, CXM_CHANNEL_CHAT, NULL, CXM_DIMENSION_TANGIBLES},
};

static void test_servqual_hand(void **state) {
  cxm_store *s = spec_store(servqual_events, sizeof servqual_events / sizeof servqual_events[0], 0);
  cxm_servqual_acc acc;
  cxm_servqual_result r, q;
  cxm_experience_options o;
  static const double w[5] = {1, 3, 0, 0, 0};
  int d;
  (void)state;
  assert_int_equal(cxm_store_servqual_acc(&acc, s, NULL), CXM_OK);
  /* tangibles: a alone, expectations 5 + 7, perception 4 */
  assert_int_equal(acc.customers[1], 1);
  assert_int_equal(acc.expectation_n[1], 2);
  assert_int_equal(acc.expectation_sum[1], 12);
  assert_int_equal(acc.perception_n[1], 1);
  assert_int_equal(acc.perception_sum[1], 4);
  /* reliability: c, 3 and 6 */
  assert_int_equal(acc.customers[2], 1);
  assert_int_equal(acc.expectation_sum[2], 3);
  assert_int_equal(acc.perception_sum[2], 6);
  for (d = 3; d < 6; d++) assert_int_equal(acc.customers[d] + acc.expectation_n[d] + acc.perception_n[d], 0);
  assert_int_equal(acc.customers[0] + acc.expectation_n[0] + acc.perception_n[0], 0);

  /* gaps: tangibles 4 - 12/2 = -2, reliability 6 - 3 = 3; score (−2 + 3)/2 = 0.5 */
  assert_int_equal(cxm_servqual_compute(&r, &acc, NULL), CXM_OK);
  assert_true(isnan(r.gap[0]));
  assert_close(r.gap[1], -2, 1e-15);
  assert_close(r.gap[2], 3, 1e-15);
  assert_true(isnan(r.gap[3]) && isnan(r.gap[4]) && isnan(r.gap[5]));
  assert_close(r.score, 0.5, 1e-15);
  /* weights 1 and 3: (−2 + 3 * 3) / 4 = 1.75 */
  assert_int_equal(cxm_servqual_compute(&r, &acc, w), CXM_OK);
  assert_close(r.score, 1.75, 1e-15);

  /* cxm_store_servqual is the compute of the accumulator, with and without weights */
  assert_int_equal(cxm_store_servqual(&q, s, NULL, NULL), CXM_OK);
  assert_int_equal(cxm_servqual_compute(&r, &acc, NULL), CXM_OK);
  for (d = 0; d < 6; d++) {
    assert_int_equal(q.customers[d], r.customers[d]);
    assert_same(q.gap[d], r.gap[d]);
  }
  assert_same(q.score, r.score);
  cxm_experience_options_init(&o);
  o.has_weights = 1;
  memcpy(o.servqual_weights, w, sizeof w);
  assert_int_equal(cxm_store_servqual(&q, s, NULL, &o), CXM_OK);
  assert_close(q.score, 1.75, 1e-15);
  /* the options are still checked by cxm_store_servqual */
  o.servqual_weights[0] = -1;
  assert_int_equal(cxm_store_servqual(&q, s, NULL, &o), CXM_E_OPTION);
  cxm_store_free(s);
}

static void test_servqual_compute_edges(void **state) {
  cxm_servqual_acc acc;
  cxm_servqual_result r;
  double w[5] = {1, 1, 1, 1, 1};
  int d;
  (void)state;
  cxm_servqual_acc_init(&acc);
  assert_int_equal(cxm_servqual_compute(&r, &acc, NULL), CXM_OK);
  for (d = 0; d < 6; d++) {
    assert_int_equal(r.customers[d], 0);
    assert_true(isnan(r.gap[d]));
  }
  assert_true(isnan(r.score));
  assert_int_equal(cxm_servqual_compute(NULL, &acc, NULL), CXM_E_ARG);
  assert_int_equal(cxm_servqual_compute(&r, NULL, NULL), CXM_E_ARG);
  w[2] = -1;
  assert_int_equal(cxm_servqual_compute(&r, &acc, w), CXM_E_OPTION);
  w[2] = NAN;
  assert_int_equal(cxm_servqual_compute(&r, &acc, w), CXM_E_OPTION);
  w[2] = INFINITY;
  assert_int_equal(cxm_servqual_compute(&r, &acc, w), CXM_E_OPTION);
  memset(w, 0, sizeof w);
  assert_int_equal(cxm_servqual_compute(&r, &acc, w), CXM_E_OPTION);
  /* one customer, all answers 7 both ways: gap 0; weight only on a dimension
   * without a gap leaves no weight: NaN score */
  acc.customers[5] = 1;
  acc.expectation_n[5] = acc.perception_n[5] = 3;
  acc.expectation_sum[5] = acc.perception_sum[5] = 21;
  assert_int_equal(cxm_servqual_compute(&r, &acc, NULL), CXM_OK);
  assert_close(r.gap[5], 0, 0);
  assert_close(r.score, 0, 0);
  w[0] = 1;
  assert_int_equal(cxm_servqual_compute(&r, &acc, w), CXM_OK);
  assert_true(isnan(r.score));
  /* huge counts: 2^62 answers of 1 against 2^62 of 7: gap 6 */
  acc.customers[1] = UINT64_C(1) << 40;
  acc.expectation_n[1] = acc.perception_n[1] = UINT64_C(1) << 61;
  acc.expectation_sum[1] = UINT64_C(1) << 61;
  acc.perception_sum[1] = 7 * (UINT64_C(1) << 61);
  assert_int_equal(cxm_servqual_compute(&r, &acc, NULL), CXM_OK);
  assert_close(r.gap[1], 6, 0);
}

/* ---- loyalty ------------------------------------------------------------- */

static void test_loyalty_hand(void **state) {
  static const spec events[] = {
      {"a", 100, CXM_KIND_COMPLAINT, NAN, CXM_CHANNEL_EMAIL, NULL, 0},
      {"b", 200, CXM_KIND_COMPLAINT, NAN, CXM_CHANNEL_PHONE, NULL, 0},
      {"a", 300, CXM_KIND_COMPLIMENT, NAN, CXM_CHANNEL_EMAIL, NULL, 0},
      {"c", 300, CXM_KIND_COMPLIMENT, NAN, CXM_CHANNEL_CHAT, NULL, 0},
      {"c", 400, CXM_KIND_COMPLIMENT, NAN, CXM_CHANNEL_CHAT, NULL, 0},
      {"a", 100, CXM_KIND_CHURN, NAN, CXM_CHANNEL_EMAIL, NULL, 0},
      {"a", 200000, CXM_KIND_CHURN, NAN, CXM_CHANNEL_PHONE, NULL, 0}, /* another cell, same customer */
      {"b", 100, CXM_KIND_CHURN, NAN, CXM_CHANNEL_EMAIL, NULL, 0},
  };
  cxm_store *s = spec_store(events, sizeof events / sizeof events[0], 0);
  cxm_loyalty_acc acc;
  cxm_loyalty_result r, q;
  cxm_filter f;
  (void)state;
  assert_int_equal(cxm_store_loyalty_acc(&acc, s, NULL), CXM_OK);
  /* 2 complaints, 3 compliments, churned a and b: ratio 3 / 5 */
  assert_int_equal(acc.complaints, 2);
  assert_int_equal(acc.compliments, 3);
  assert_int_equal(acc.churned, 2);
  assert_int_equal(cxm_loyalty_compute(&r, &acc), CXM_OK);
  assert_close(r.compliment_ratio, 0.6, 1e-15);
  assert_int_equal(cxm_store_loyalty(&q, s, NULL), CXM_OK);
  assert_memory_equal(&q, &r, sizeof r);
  /* email only: a's complaint and compliment, a and b churned there */
  cxm_filter_init(&f);
  f.channel = CXM_CHANNEL_EMAIL;
  assert_int_equal(cxm_store_loyalty_acc(&acc, s, &f), CXM_OK);
  assert_int_equal(acc.complaints, 1);
  assert_int_equal(acc.compliments, 1);
  assert_int_equal(acc.churned, 2);
  f.channel = 9999;
  assert_int_not_equal(cxm_store_loyalty_acc(&acc, s, &f), CXM_OK);
  assert_int_equal(cxm_store_loyalty_acc(NULL, s, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_loyalty_acc(&acc, NULL, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_servqual_acc(NULL, s, NULL), CXM_E_ARG);
  /* empty: NaN ratio; huge counts whose sum wraps in 64 bits: 1/2 */
  cxm_loyalty_acc_init(&acc);
  assert_int_equal(cxm_loyalty_compute(&r, &acc), CXM_OK);
  assert_true(isnan(r.compliment_ratio));
  acc.complaints = acc.compliments = UINT64_MAX;
  assert_int_equal(cxm_loyalty_compute(&r, &acc), CXM_OK);
  assert_close(r.compliment_ratio, 0.5, 0);
  assert_int_equal(cxm_loyalty_compute(NULL, &acc), CXM_E_ARG);
  cxm_store_free(s);
}

/* ---- the service sketch -------------------------------------------------- */

static void test_sketch_buckets(void **state) {
  size_t b;
  int64_t lo, hi, prev_hi = -1;
  (void)state;
  /* hand: 1023 and 1024 s; 2000 s lies in [1024, 2048) in buckets of 16 s:
   * (2000 - 1024) / 16 = 61, so bucket 1024 + 61 = 1085, [2000, 2015] */
  assert_int_equal(cxmi_service_bucket(1023), 1023);
  assert_int_equal(cxmi_service_bucket(1024), 1024);
  assert_int_equal(cxmi_service_bucket(2000), 1085);
  cxmi_service_bucket_bounds(&lo, &hi, 1085);
  assert_int_equal(lo, 2000);
  assert_int_equal(hi, 2015);
  assert_int_equal(cxmi_service_bucket(-5), 0);
  assert_int_equal(cxmi_service_bucket(INT64_MAX), CXM_SERVICE_SKETCH_BUCKETS - 1);
  /* the buckets tile 0..2^38 - 1 in order, each at most 1/64 of its low bound */
  for (b = 0; b < CXM_SERVICE_SKETCH_BUCKETS; b++) {
    cxmi_service_bucket_bounds(&lo, &hi, b);
    assert_int_equal(lo, prev_hi + 1);
    assert_true(hi >= lo);
    assert_int_equal(cxmi_service_bucket(lo), b);
    assert_int_equal(cxmi_service_bucket(hi), b);
    if (b >= 1024)
      assert_true((hi - lo + 1) * 64 <= lo);
    else
      assert_int_equal(hi, lo);
    prev_hi = hi;
  }
  assert_int_equal(prev_hi, (INT64_C(1) << 38) - 1);
}

/* A log-normal duration in whole seconds (Box-Muller on SplitMix64). */
static int64_t lognormal(uint64_t *rng, double mu, double sigma) {
  double u1 = ((double)(test_rand(rng) >> 11) + 0.5) * 0x1p-53;
  double u2 = (double)(test_rand(rng) >> 11) * 0x1p-53;
  double z = sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
  double x = floor(exp(mu + sigma * z));
  return x > 1e11 ? INT64_C(100000000000) : (int64_t)x;
}

/* The sketch against the exact quantiles (src/math/quantile.c) of the same data. */
static void check_against_exact(const int64_t *x, size_t n, uint64_t *hist) {
  static const double qs[] = {0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1};
  int64_t *copy = malloc(n * sizeof *copy);
  uint64_t sum = 0;
  size_t i, k;
  assert_non_null(copy);
  memset(hist, 0, CXM_SERVICE_SKETCH_BUCKETS * sizeof *hist);
  for (i = 0; i < n; i++) assert_int_equal(cxmi_service_sketch_add(hist, &sum, x[i]), CXM_OK);
  for (k = 0; k < sizeof qs / sizeof qs[0]; k++) {
    double exact, est;
    memcpy(copy, x, n * sizeof *copy);
    exact = cxmi_quantile_i64(copy, n, qs[k]);
    est = cxmi_service_sketch_quantile(hist, n, qs[k]);
    assert_within_bound(est, exact);
  }
  free(copy);
}

static void test_sketch_error_bound(void **state) {
  uint64_t rng = 42, *hist = calloc(CXM_SERVICE_SKETCH_BUCKETS, sizeof *hist);
  int64_t *x = malloc(20000 * sizeof *x);
  size_t i, n, round;
  double worst = 0;
  (void)state;
  assert_non_null(hist);
  assert_non_null(x);
  /* hand: 120, 300, 2000 s. Median: 300 exactly. p90: h = 1.8, between 300
   * and 2000 with g = 0.8; 2000's bucket [2000, 2015] has midpoint 2007.5:
   * 2007.5 - 0.2 (2007.5 - 300) = 1666 against the exact 2000 - 0.2 * 1700
   * = 1660 (0.36 %, under 1/128 = 0.78 %) */
  {
    uint64_t sum = 0;
    assert_int_equal(cxmi_service_sketch_add(hist, &sum, 2000), CXM_OK);
    assert_int_equal(cxmi_service_sketch_add(hist, &sum, 120), CXM_OK);
    assert_int_equal(cxmi_service_sketch_add(hist, &sum, 300), CXM_OK);
    assert_int_equal(sum, 2420);
    assert_close(cxmi_service_sketch_quantile(hist, 3, 0.5), 300, 0);
    assert_close(cxmi_service_sketch_quantile(hist, 3, 0.9), 1666, 1e-9);
    assert_close(cxmi_service_sketch_quantile(hist, 3, 1), 2007.5, 0);
    assert_true(isnan(cxmi_service_sketch_quantile(hist, 3, 1.5)));
    assert_true(isnan(cxmi_service_sketch_quantile(hist, 0, 0.5)));
  }
  /* log-normal response times: median e^mu with mu from 1 minute to a
   * week, sigma 0.5..2.5, n from 1 to 20 000 */
  for (round = 0; round < 60; round++) {
    double mu = log(60.0) + (log(604800.0) - log(60.0)) * (double)(round % 10) / 9.0;
    double sigma = 0.5 + 0.4 * (double)(round % 6);
    n = round < 20 ? 1 + round : round < 40 ? 100 + 50 * round : 20000;
    for (i = 0; i < n; i++) x[i] = lognormal(&rng, mu, sigma);
    check_against_exact(x, n, hist);
  }
  /* all below 1 024 s: the sketch is exact */
  for (round = 0; round < 20; round++) {
    n = 1 + test_below(&rng, 500);
    for (i = 0; i < n; i++) x[i] = (int64_t)test_below(&rng, 1024);
    check_against_exact(x, n, hist);
  }
  /* the worst case of one value: the low edge of a wide bucket, and the
   * largest duration */
  for (i = 0; i < 2; i++) {
    x[0] = i == 0 ? INT64_C(1) << 37 : (INT64_C(1) << 38) - 1;
    check_against_exact(x, 1, hist);
    worst = fabs(cxmi_service_sketch_quantile(hist, 1, 0.5) - (double)x[0]) / (double)x[0];
    assert_true(worst < 1.0 / 128);
    /* at a bucket's low edge the bound is tight: (2^31 - 1) / 2 off 2^37 is
     * 1/128 - 2^-38; at the top of the last octave, half of that */
    assert_true(i == 0 ? worst > 1.0 / 129 : worst > 1.0 / 257);
  }
  free(x);
  free(hist);
}

/* ---- service accumulator on stores ---------------------------------------- */

static void assert_service_matches(const cxm_service_result *est, const cxm_service_result *exact) {
  assert_int_equal(est->contacts, exact->contacts);
  assert_int_equal(est->open, exact->open);
  assert_int_equal(est->replied, exact->replied);
  assert_int_equal(est->resolved, exact->resolved);
  assert_int_equal(est->met, exact->met);
  assert_int_equal(est->breached, exact->breached);
  assert_same(est->within_sla_pct, exact->within_sla_pct);
  /* exact sums: the means agree to rounding */
  if (isnan(exact->first_response_mean_s))
    assert_true(isnan(est->first_response_mean_s));
  else
    assert_close(est->first_response_mean_s, exact->first_response_mean_s, 1e-12 * exact->first_response_mean_s);
  if (isnan(exact->resolution_mean_s))
    assert_true(isnan(est->resolution_mean_s));
  else
    assert_close(est->resolution_mean_s, exact->resolution_mean_s, 1e-12 * exact->resolution_mean_s);
  if (isnan(exact->first_response_median_s)) {
    assert_true(isnan(est->first_response_median_s) && isnan(est->first_response_p90_s));
  } else {
    assert_within_bound(est->first_response_median_s, exact->first_response_median_s);
    assert_within_bound(est->first_response_p90_s, exact->first_response_p90_s);
  }
  if (isnan(exact->resolution_median_s)) {
    assert_true(isnan(est->resolution_median_s) && isnan(est->resolution_p90_s));
  } else {
    assert_within_bound(est->resolution_median_s, exact->resolution_median_s);
    assert_within_bound(est->resolution_p90_s, exact->resolution_p90_s);
  }
}

static void test_service_hand(void **state) {
  /* t1: reply after 120 s, resolved after 5 000 s; t2: reply after 2 000 s,
   * still open; t3: no reply, resolved after 300 s. Data end at
   * MON_10_00 + 5 000 (t1's resolve): t3 is 5 000 s old, within the 8 h target. */
  static const spec events[] = {
      {"a", MON_10_00, CXM_KIND_CONTACT_OPEN, NAN, CXM_CHANNEL_EMAIL, "t1", 0},
      {"a", MON_10_00 + 120, CXM_KIND_CONTACT_REPLY, NAN, CXM_CHANNEL_EMAIL, "t1", 0},
      {"a", MON_10_00 + 5000, CXM_KIND_CONTACT_RESOLVE, NAN, CXM_CHANNEL_EMAIL, "t1", 0},
      {"b", MON_10_00, CXM_KIND_CONTACT_OPEN, NAN, CXM_CHANNEL_PHONE, "t2", 0},
      {"b", MON_10_00 + 2000, CXM_KIND_CONTACT_REPLY, NAN, CXM_CHANNEL_PHONE, "t2", 0},
      {"c", MON_10_00 + 100, CXM_KIND_CONTACT_OPEN, NAN, CXM_CHANNEL_CHAT, "t3", 0},
      {"c", MON_10_00 + 400, CXM_KIND_CONTACT_RESOLVE, NAN, CXM_CHANNEL_CHAT, "t3", 0},
  };
  cxm_store *s = spec_store(events, sizeof events / sizeof events[0], 0);
  cxm_service_acc *acc = malloc(sizeof *acc);
  cxm_service_result r, exact;
  (void)state;
  assert_non_null(acc);
  assert_int_equal(cxm_store_service_acc(acc, s, NULL, NULL), CXM_OK);
  assert_int_equal(acc->contacts, 3);
  assert_int_equal(acc->open, 1);
  assert_int_equal(acc->replied, 2);
  assert_int_equal(acc->resolved, 2);
  assert_int_equal(acc->met, 2); /* 120 s and 2 000 s, both within 8 h */
  assert_int_equal(acc->breached, 0);
  assert_int_equal(acc->first_response_sum_s, 2120);
  assert_int_equal(acc->resolution_sum_s, 5300);
  assert_int_equal(acc->first_response_hist[120], 1);
  assert_int_equal(acc->first_response_hist[1085], 1); /* 2000 s */
  assert_int_equal(acc->resolution_hist[300], 1);
  /* 5000 in [4096, 8192), buckets of 64 s: (5000 - 4096) / 64 = 14, so
   * 1024 + 2 * 64 + 14 = 1166, [4992, 5055] */
  assert_int_equal(acc->resolution_hist[1166], 1);
  assert_int_equal(cxm_service_compute(&r, acc), CXM_OK);
  /* median of 120 and 2 000: midpoints 120 and 2 007.5: 1 063.75 (exact 1 060);
   * resolution: 300 and 5 023.5: 2 661.75 (exact 2 650) */
  assert_close(r.first_response_median_s, 1063.75, 1e-9);
  assert_close(r.resolution_median_s, 2661.75, 1e-9);
  assert_close(r.first_response_mean_s, 1060, 0);
  assert_close(r.resolution_mean_s, 2650, 0);
  assert_close(r.within_sla_pct, 100, 0);
  assert_int_equal(cxm_store_service(&exact, s, NULL, NULL), CXM_OK);
  assert_service_matches(&r, &exact);
  /* empty accumulator: NaN */
  cxm_service_acc_init(acc);
  assert_int_equal(cxm_service_compute(&r, acc), CXM_OK);
  assert_true(isnan(r.first_response_median_s) && isnan(r.first_response_p90_s) && isnan(r.first_response_mean_s));
  assert_true(isnan(r.resolution_median_s) && isnan(r.within_sla_pct));
  assert_int_equal(cxm_service_compute(NULL, acc), CXM_E_ARG);
  assert_int_equal(cxm_store_service_acc(NULL, s, NULL, NULL), CXM_E_ARG);
  free(acc);
  cxm_store_free(s);
}

static cxm_store *sample_store(void) {
  const char *root = getenv("CXM_SOURCE_ROOT");
  char path[4096];
  cxm_store *s;
  assert_non_null(root);
  snprintf(path, sizeof path, "%s/examples/data/sample_events.csv", root);
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  assert_int_equal(cxm_store_ingest_file(s, path, NULL, NULL), CXM_OK);
  return s;
}

/* The bundled sample through the store: the sketch's medians and p90s
 * within the bound of the exact ones, for the whole and per channel, and
 * the merge of the channels' accumulators equal to the whole's (a
 * contact belongs to the channel of its open). */
static void test_service_sample(void **state) {
  cxm_store *s = sample_store();
  cxm_service_acc *whole = malloc(sizeof *whole), *part = malloc(sizeof *part), *merged = malloc(sizeof *merged);
  cxm_service_result est, exact;
  cxm_filter f;
  int32_t ch;
  (void)state;
  assert_non_null(whole);
  assert_non_null(part);
  assert_non_null(merged);
  assert_int_equal(cxm_store_service_acc(whole, s, NULL, NULL), CXM_OK);
  assert_true(whole->replied > 100);
  assert_int_equal(cxm_service_compute(&est, whole), CXM_OK);
  assert_int_equal(cxm_store_service(&exact, s, NULL, NULL), CXM_OK);
  assert_service_matches(&est, &exact);
  cxm_service_acc_init(merged);
  cxm_filter_init(&f);
  for (ch = 0; ch < CXM_CHANNEL_FIRST_CUSTOM; ch++) {
    f.channel = ch;
    assert_int_equal(cxm_store_service_acc(part, s, &f, NULL), CXM_OK);
    assert_int_equal(cxm_service_compute(&est, part), CXM_OK);
    assert_int_equal(cxm_store_service(&exact, s, &f, NULL), CXM_OK);
    assert_service_matches(&est, &exact);
    assert_int_equal(cxm_service_acc_merge(merged, part), CXM_OK);
  }
  assert_memory_equal(merged, whole, sizeof *whole);
  free(whole);
  free(part);
  free(merged);
  cxm_store_free(s);
}

/* ---- merge = whole on random shards --------------------------------------- */

#define SHARDS 4
#define CUSTOMERS 300

/* Random events of CUSTOMERS customers; customer i goes to shard i % SHARDS.
 * Every store (the whole and each shard) ends with the same last event (a
 * csat of its own customer), so unanswered contacts age alike. */
static void build_random(cxm_store **whole, cxm_store **shards, uint64_t seed) {
  uint64_t rng = seed;
  char name[32], ref[48];
  int i, k, j;
  static const int32_t kinds[] = {CXM_KIND_EXPECTATION, CXM_KIND_PERCEPTION,   CXM_KIND_COMPLAINT, CXM_KIND_COMPLIMENT,
                                  CXM_KIND_CHURN,       CXM_KIND_CONTACT_OPEN, CXM_KIND_NPS};
  const int64_t t0 = MON_10_00, span = 30 * 86400;
  assert_int_equal(cxm_store_new(whole, NULL), CXM_OK);
  for (k = 0; k < SHARDS; k++) assert_int_equal(cxm_store_new(&shards[k], NULL), CXM_OK);
  for (i = 0; i < CUSTOMERS; i++) {
    int events = (int)test_below(&rng, 12);
    snprintf(name, sizeof name, "c%d", i);
    for (j = 0; j < events; j++) {
      spec e = {name,
                t0 + (int64_t)test_below(&rng, (uint64_t)span),
                kinds[test_below(&rng, 7)],
                NAN,
                (int32_t)test_below(&rng, 5),
                NULL,
                0};
      if (e.kind == CXM_KIND_EXPECTATION || e.kind == CXM_KIND_PERCEPTION) {
        e.value = (double)(1 + test_below(&rng, 7));
        e.dimension = (int32_t)(1 + test_below(&rng, 5));
      } else if (e.kind == CXM_KIND_NPS) {
        e.value = (double)test_below(&rng, 11);
      }
      if (e.kind == CXM_KIND_CONTACT_OPEN) {
        /* a contact with maybe a reply and maybe a resolution, log-normal delays */
        spec reply, resolve;
        snprintf(ref, sizeof ref, "%s-r%d", name, j);
        e.ref = ref;
        spec_record(*whole, &e);
        spec_record(shards[i % SHARDS], &e);
        reply = e;
        resolve = e;
        reply.kind = CXM_KIND_CONTACT_REPLY;
        resolve.kind = CXM_KIND_CONTACT_RESOLVE;
        reply.time = e.time + lognormal(&rng, log(3600.0), 1.5) % (10 * 86400);
        resolve.time = e.time + lognormal(&rng, log(86400.0), 1.0) % (20 * 86400);
        if (test_below(&rng, 4) != 0) {
          spec_record(*whole, &reply);
          spec_record(shards[i % SHARDS], &reply);
        }
        if (test_below(&rng, 3) != 0) {
          spec_record(*whole, &resolve);
          spec_record(shards[i % SHARDS], &resolve);
        }
        continue;
      }
      spec_record(*whole, &e);
      spec_record(shards[i % SHARDS], &e);
    }
  }
  for (k = 0; k < SHARDS; k++) {
    spec last = {name, t0 + 60 * 86400, CXM_KIND_CSAT, 3, CXM_CHANNEL_WEB, NULL, 0};
    snprintf(name, sizeof name, "end%d", k);
    spec_record(*whole, &last);
    spec_record(shards[k], &last);
  }
}

static void test_merge_equals_whole(void **state) {
  cxm_service_acc *sv_whole = malloc(sizeof *sv_whole), *sv_part = malloc(sizeof *sv_part),
                  *sv_sum = malloc(sizeof *sv_sum);
  uint64_t seed;
  (void)state;
  assert_non_null(sv_whole);
  assert_non_null(sv_part);
  assert_non_null(sv_sum);
  for (seed = 1; seed <= 5; seed++) {
    cxm_store *whole, *shards[SHARDS];
    cxm_servqual_acc sq_whole, sq_part, sq_sum;
    cxm_loyalty_acc ly_whole, ly_part, ly_sum;
    cxm_servqual_result a, b;
    int k, d;
    build_random(&whole, shards, seed);
    assert_int_equal(cxm_store_servqual_acc(&sq_whole, whole, NULL), CXM_OK);
    assert_int_equal(cxm_store_loyalty_acc(&ly_whole, whole, NULL), CXM_OK);
    assert_int_equal(cxm_store_service_acc(sv_whole, whole, NULL, NULL), CXM_OK);
    assert_true(sq_whole.customers[1] > 0 && ly_whole.churned > 0 && sv_whole->replied > 0 && sv_whole->breached > 0);
    cxm_servqual_acc_init(&sq_sum);
    cxm_loyalty_acc_init(&ly_sum);
    cxm_service_acc_init(sv_sum);
    for (k = 0; k < SHARDS; k++) {
      assert_int_equal(cxm_store_servqual_acc(&sq_part, shards[k], NULL), CXM_OK);
      assert_int_equal(cxm_store_loyalty_acc(&ly_part, shards[k], NULL), CXM_OK);
      assert_int_equal(cxm_store_service_acc(sv_part, shards[k], NULL, NULL), CXM_OK);
      assert_int_equal(cxm_servqual_acc_merge(&sq_sum, &sq_part), CXM_OK);
      assert_int_equal(cxm_loyalty_acc_merge(&ly_sum, &ly_part), CXM_OK);
      assert_int_equal(cxm_service_acc_merge(sv_sum, sv_part), CXM_OK);
      cxm_store_free(shards[k]);
    }
    assert_memory_equal(&sq_sum, &sq_whole, sizeof sq_sum);
    assert_memory_equal(&ly_sum, &ly_whole, sizeof ly_sum);
    assert_memory_equal(sv_sum, sv_whole, sizeof *sv_sum);
    /* and the whole store's own SERVQUAL query agrees with the merged acc */
    assert_int_equal(cxm_store_servqual(&a, whole, NULL, NULL), CXM_OK);
    assert_int_equal(cxm_servqual_compute(&b, &sq_sum, NULL), CXM_OK);
    for (d = 0; d < 6; d++) assert_same(a.gap[d], b.gap[d]);
    assert_same(a.score, b.score);
    cxm_store_free(whole);
  }
  free(sv_whole);
  free(sv_part);
  free(sv_sum);
}

static void test_merge_overflow(void **state) {
  cxm_servqual_acc sq, sq_one, sq_before;
  cxm_loyalty_acc ly = {UINT64_MAX, 0, 0}, ly_one = {1, 1, 1}, ly_before;
  cxm_service_acc *sv = calloc(1, sizeof *sv), *sv_one = calloc(1, sizeof *sv), *sv_before = malloc(sizeof *sv);
  (void)state;
  assert_non_null(sv);
  assert_non_null(sv_one);
  assert_non_null(sv_before);
  ly_before = ly;
  assert_int_equal(cxm_loyalty_acc_merge(&ly, &ly_one), CXM_E_OVERFLOW);
  assert_memory_equal(&ly, &ly_before, sizeof ly);
  assert_int_equal(cxm_loyalty_acc_merge(NULL, &ly_one), CXM_E_ARG);
  assert_int_equal(cxm_loyalty_acc_merge(&ly, NULL), CXM_E_ARG);
  cxm_servqual_acc_init(&sq);
  cxm_servqual_acc_init(&sq_one);
  sq.perception_sum[3] = UINT64_MAX - 1;
  sq.customers[1] = 5;
  sq_one.perception_sum[3] = 2;
  sq_one.customers[1] = 1;
  sq_before = sq;
  assert_int_equal(cxm_servqual_acc_merge(&sq, &sq_one), CXM_E_OVERFLOW);
  assert_memory_equal(&sq, &sq_before, sizeof sq);
  sq_one.perception_sum[3] = 1; /* exactly UINT64_MAX: fine */
  assert_int_equal(cxm_servqual_acc_merge(&sq, &sq_one), CXM_OK);
  assert_int_equal(sq.perception_sum[3], UINT64_MAX);
  assert_int_equal(sq.customers[1], 6);
  assert_int_equal(cxm_servqual_acc_merge(&sq, NULL), CXM_E_ARG);
  sv->resolution_sum_s = UINT64_MAX;
  sv->met = 3;
  sv_one->resolution_sum_s = 1;
  sv_one->met = 1;
  sv_one->first_response_hist[7] = 1;
  memcpy(sv_before, sv, sizeof *sv);
  assert_int_equal(cxm_service_acc_merge(sv, sv_one), CXM_E_OVERFLOW);
  assert_memory_equal(sv, sv_before, sizeof *sv);
  sv_one->resolution_sum_s = 0;
  assert_int_equal(cxm_service_acc_merge(sv, sv_one), CXM_OK);
  assert_int_equal(sv->met, 4);
  assert_int_equal(sv->first_response_hist[7], 1);
  assert_int_equal(cxm_service_acc_merge(NULL, sv_one), CXM_E_ARG);
  free(sv);
  free(sv_one);
  free(sv_before);
}

/* ---- formats --------------------------------------------------------------- */

/* The bytes of docs/formats.md's loyalty example, by hand. */
static void test_loyalty_bytes(void **state) {
  static const uint8_t want[CXM_LOYALTY_ACC_BYTES] = {
      0x43, 0x58, 0x4D, 0x4C, 0x01,                   /* "CXML", version 1 */
      0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* complaints 0x0102030405060708 */
      0x2C, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* compliments 300 */
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, /* churned 2^63 */
  };
  cxm_loyalty_acc acc = {UINT64_C(0x0102030405060708), 300, UINT64_C(1) << 63}, back;
  uint8_t buf[CXM_LOYALTY_ACC_BYTES + 3];
  size_t written = 0, consumed = 0;
  (void)state;
  assert_int_equal(cxm_loyalty_acc_serialize(buf, sizeof buf, &written, &acc), CXM_OK);
  assert_int_equal(written, CXM_LOYALTY_ACC_BYTES);
  assert_memory_equal(buf, want, sizeof want);
  assert_int_equal(cxm_loyalty_acc_deserialize(&back, buf, sizeof buf, &consumed), CXM_OK);
  assert_int_equal(consumed, CXM_LOYALTY_ACC_BYTES); /* trailing bytes not read */
  assert_memory_equal(&back, &acc, sizeof acc);
}

/* The bytes of docs/formats.md's service example, by hand: 3 contacts,
 * 1 open, 2 replied in 120 and 2 000 s (met), 2 resolved in 300 and 5 000 s. */
static void test_service_bytes(void **state) {
  static const uint8_t want[] = {
      0x43, 0x58, 0x4D, 0x56, 0x01,                /* "CXMV", version 1 */
      3,    0,    0,    0,    0,    0, 0, 0,       /* contacts */
      1,    0,    0,    0,    0,    0, 0, 0,       /* open */
      2,    0,    0,    0,    0,    0, 0, 0,       /* replied */
      2,    0,    0,    0,    0,    0, 0, 0,       /* resolved */
      2,    0,    0,    0,    0,    0, 0, 0,       /* met */
      0,    0,    0,    0,    0,    0, 0, 0,       /* breached */
      0x48, 0x08, 0,    0,    0,    0, 0, 0,       /* first-response sum 2 120 = 0x848 */
      0xB4, 0x14, 0,    0,    0,    0, 0, 0,       /* resolution sum 5 300 = 0x14B4 */
      2,    0,                                     /* first response: 2 buckets */
      120,  0,    1,    0,    0,    0, 0, 0, 0, 0, /* bucket 120: 1 */
      0x3D, 0x04, 1,    0,    0,    0, 0, 0, 0, 0, /* bucket 1085 = 0x43D: 1 */
      2,    0,                                     /* resolution: 2 buckets */
      0x2C, 0x01, 1,    0,    0,    0, 0, 0, 0, 0, /* bucket 300: 1 */
      0x8E, 0x04, 1,    0,    0,    0, 0, 0, 0, 0, /* bucket 1166 = 0x48E: 1 */
  };
  cxm_service_acc *acc = calloc(1, sizeof *acc), *back = malloc(sizeof *acc);
  uint8_t buf[sizeof want];
  size_t written = 0, consumed = 0;
  (void)state;
  assert_non_null(acc);
  assert_non_null(back);
  acc->contacts = 3;
  acc->open = 1;
  acc->replied = acc->resolved = acc->met = 2;
  acc->first_response_sum_s = 2120;
  acc->resolution_sum_s = 5300;
  acc->first_response_hist[120] = acc->first_response_hist[1085] = 1;
  acc->resolution_hist[300] = acc->resolution_hist[1166] = 1;
  /* too small: CXM_E_BUFFER with the size needed, also with no buffer */
  assert_int_equal(cxm_service_acc_serialize(NULL, 0, &written, acc), CXM_E_BUFFER);
  assert_int_equal(written, sizeof want);
  assert_int_equal(cxm_service_acc_serialize(buf, sizeof want - 1, &written, acc), CXM_E_BUFFER);
  assert_int_equal(cxm_service_acc_serialize(buf, sizeof buf, &written, acc), CXM_OK);
  assert_int_equal(written, sizeof want);
  assert_memory_equal(buf, want, sizeof want);
  assert_int_equal(cxm_service_acc_deserialize(back, buf, sizeof buf, &consumed), CXM_OK);
  assert_int_equal(consumed, sizeof want);
  assert_memory_equal(back, acc, sizeof *acc);
  free(acc);
  free(back);
}

typedef int32_t (*deserialize_fn)(void *acc, const uint8_t *buf, size_t len, size_t *consumed);

static int32_t sq_read(void *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  return cxm_servqual_acc_deserialize(acc, buf, len, consumed);
}
static int32_t ly_read(void *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  return cxm_loyalty_acc_deserialize(acc, buf, len, consumed);
}
static int32_t sv_read(void *acc, const uint8_t *buf, size_t len, size_t *consumed) {
  return cxm_service_acc_deserialize(acc, buf, len, consumed);
}

/* Read `buf` expecting `want`; on error the accumulator and `consumed`
 * stay as they were. Each prefix is copied to a buffer of exactly its
 * length, so ASan sees any read past it. */
static void expect_read(deserialize_fn read, size_t acc_size, const uint8_t *buf, size_t len, int32_t want) {
  uint8_t *copy = malloc(len > 0 ? len : 1), *acc = malloc(acc_size), *before = malloc(acc_size);
  size_t consumed = 12345;
  int32_t rc;
  assert_non_null(copy);
  assert_non_null(acc);
  assert_non_null(before);
  if (len > 0) memcpy(copy, buf, len);
  memset(acc, 0xA5, acc_size);
  memcpy(before, acc, acc_size);
  rc = read(acc, copy, len, &consumed);
  if (rc != want) fail_msg("length %zu: status %d, want %d", len, (int)rc, (int)want);
  if (rc != CXM_OK) {
    assert_int_equal(consumed, 12345);
    assert_memory_equal(acc, before, acc_size);
  } else {
    assert_true(consumed <= len);
  }
  free(copy);
  free(acc);
  free(before);
}

/* Header rules shared by the three formats, and every truncation. */
static void check_frame_rules(deserialize_fn read, size_t acc_size, const uint8_t *good, size_t n) {
  uint8_t *bad = malloc(n);
  uint8_t dummy[8];
  size_t len, i;
  assert_non_null(bad);
  expect_read(read, acc_size, good, n, CXM_OK);
  for (len = 0; len < n; len++) expect_read(read, acc_size, good, len, CXM_E_TRUNCATED);
  for (i = 0; i < 4; i++) {
    /* a wrong magic byte, even when the bytes end right after it */
    memcpy(bad, good, n);
    bad[i] ^= 0x20;
    expect_read(read, acc_size, bad, n, CXM_E_FORMAT);
    expect_read(read, acc_size, bad, i + 1, CXM_E_FORMAT);
  }
  memcpy(bad, good, n);
  bad[4] = 0;
  expect_read(read, acc_size, bad, n, CXM_E_FORMAT);
  bad[4] = 2;
  expect_read(read, acc_size, bad, n, CXM_E_VERSION);
  expect_read(read, acc_size, bad, 5, CXM_E_VERSION);
  bad[4] = 255;
  expect_read(read, acc_size, bad, n, CXM_E_VERSION);
  assert_int_equal(read(NULL, good, n, NULL), CXM_E_ARG);
  assert_int_equal(read(dummy, NULL, 5, NULL), CXM_E_ARG);
  free(bad);
}

static void test_servqual_format(void **state) {
  cxm_store *s = spec_store(servqual_events, sizeof servqual_events / sizeof servqual_events[0], 0);
  cxm_servqual_acc acc, back;
  uint8_t buf[CXM_SERVQUAL_ACC_BYTES], bad[CXM_SERVQUAL_ACC_BYTES];
  size_t written, consumed;
  (void)state;
  assert_int_equal(cxm_store_servqual_acc(&acc, s, NULL), CXM_OK);
  assert_int_equal(cxm_servqual_acc_serialize(buf, sizeof buf - 1, &written, &acc), CXM_E_BUFFER);
  assert_int_equal(written, CXM_SERVQUAL_ACC_BYTES);
  assert_int_equal(cxm_servqual_acc_serialize(buf, sizeof buf, &written, &acc), CXM_OK);
  assert_int_equal(written, CXM_SERVQUAL_ACC_BYTES);
  assert_int_equal(cxm_servqual_acc_serialize(buf, sizeof buf, NULL, &acc), CXM_E_ARG);
  assert_int_equal(cxm_servqual_acc_serialize(buf, sizeof buf, &written, NULL), CXM_E_ARG);
  /* layout by hand: tangibles' customers at 5, its expectation sum (12) at
   * 5 + 16, reliability's perception sum (6) at 5 + 40 + 32 */
  assert_memory_equal(buf, "CXMQ\x01", 5);
  assert_int_equal(buf[5], 1);
  assert_int_equal(buf[21], 12);
  assert_int_equal(buf[77], 6);
  assert_int_equal(cxm_servqual_acc_deserialize(&back, buf, sizeof buf, &consumed), CXM_OK);
  assert_int_equal(consumed, CXM_SERVQUAL_ACC_BYTES);
  assert_memory_equal(&back, &acc, sizeof acc);
  check_frame_rules(sq_read, sizeof acc, buf, sizeof buf);
  /* what no store can produce: more customers than answers; customers 0
   * with answers; a sum below n or above 7 n */
  memcpy(bad, buf, sizeof bad);
  bad[5] = 3; /* tangibles: 3 customers, 1 perception */
  expect_read(sq_read, sizeof acc, bad, sizeof bad, CXM_E_FORMAT);
  memcpy(bad, buf, sizeof bad);
  bad[5] = 0; /* tangibles: no customer but answers */
  expect_read(sq_read, sizeof acc, bad, sizeof bad, CXM_E_FORMAT);
  memcpy(bad, buf, sizeof bad);
  bad[21] = 15; /* 2 expectations summing to 15 > 14 */
  expect_read(sq_read, sizeof acc, bad, sizeof bad, CXM_E_FORMAT);
  bad[21] = 14; /* 7 + 7: possible */
  expect_read(sq_read, sizeof acc, bad, sizeof bad, CXM_OK);
  bad[21] = 1; /* 2 answers summing to 1 */
  expect_read(sq_read, sizeof acc, bad, sizeof bad, CXM_E_FORMAT);
  memcpy(bad, buf, sizeof bad);
  bad[5 + 4 * 40 + 8] = 1; /* empathy: an answer with no customer */
  expect_read(sq_read, sizeof acc, bad, sizeof bad, CXM_E_FORMAT);
  /* an extreme but valid accumulator round-trips */
  cxm_servqual_acc_init(&acc);
  acc.customers[5] = UINT64_MAX;
  acc.expectation_n[5] = acc.perception_n[5] = UINT64_MAX;
  acc.expectation_sum[5] = acc.perception_sum[5] = UINT64_MAX;
  assert_int_equal(cxm_servqual_acc_serialize(buf, sizeof buf, &written, &acc), CXM_OK);
  assert_int_equal(cxm_servqual_acc_deserialize(&back, buf, sizeof buf, NULL), CXM_OK);
  assert_memory_equal(&back, &acc, sizeof acc);
  cxm_store_free(s);
}

static void test_loyalty_format(void **state) {
  cxm_loyalty_acc acc = {7, 0, UINT64_MAX};
  uint8_t buf[CXM_LOYALTY_ACC_BYTES];
  size_t written;
  (void)state;
  assert_int_equal(cxm_loyalty_acc_serialize(buf, sizeof buf - 1, &written, &acc), CXM_E_BUFFER);
  assert_int_equal(written, CXM_LOYALTY_ACC_BYTES);
  assert_int_equal(cxm_loyalty_acc_serialize(NULL, 0, &written, &acc), CXM_E_BUFFER);
  assert_int_equal(cxm_loyalty_acc_serialize(NULL, 10, &written, &acc), CXM_E_ARG);
  assert_int_equal(cxm_loyalty_acc_serialize(buf, sizeof buf, &written, &acc), CXM_OK);
  check_frame_rules(ly_read, sizeof acc, buf, sizeof buf);
}

static void test_service_format(void **state) {
  cxm_store *s = sample_store();
  cxm_service_acc *acc = malloc(sizeof *acc), *back = malloc(sizeof *acc);
  uint8_t *buf = malloc(CXM_SERVICE_ACC_MAX_BYTES), *bad = malloc(CXM_SERVICE_ACC_MAX_BYTES);
  size_t written, consumed, n, h1;
  uint64_t rng = 7;
  int round;
  (void)state;
  assert_non_null(acc);
  assert_non_null(back);
  assert_non_null(buf);
  assert_non_null(bad);
  assert_int_equal(cxm_store_service_acc(acc, s, NULL, NULL), CXM_OK);
  assert_int_equal(cxm_service_acc_serialize(buf, CXM_SERVICE_ACC_MAX_BYTES, &written, acc), CXM_OK);
  n = written;
  assert_int_equal(cxm_service_acc_deserialize(back, buf, n, &consumed), CXM_OK);
  assert_int_equal(consumed, n);
  assert_memory_equal(back, acc, sizeof *acc);
  check_frame_rules(sv_read, sizeof *acc, buf, n);
  /* the resolution histogram starts after the first-response one */
  h1 = 69 + 2 + 10 * (size_t)(buf[69] | buf[70] << 8);
  assert_true(buf[69] > 1 && h1 + 2 < n);

  /* fixed part: open > contacts; resolved != contacts - open; met >
   * replied; breached > contacts - met; replied > contacts */
#define MUTATE(offset, value)                                \
  do {                                                       \
    memcpy(bad, buf, n);                                     \
    bad[offset] = (uint8_t)(value);                          \
    expect_read(sv_read, sizeof *acc, bad, n, CXM_E_FORMAT); \
  } while (0)
  MUTATE(13 + 7, 0x80);
  MUTATE(29 + 7, 0x01);
  MUTATE(37 + 7, 0x01);
  MUTATE(45 + 7, 0x01);
  MUTATE(21 + 7, 0x01);
  /* sums above their buckets' bounds (2^56 s for ~1 000 durations < 2^38 s) */
  MUTATE(53 + 7, 0x01);
  MUTATE(61 + 7, 0x01);
  /* histograms: more entries than buckets (m >= 0x4000), in either;
   * a bucket index >= 8 192 */
  MUTATE(70, 0x40);
  MUTATE(h1 + 1, 0x40);
  MUTATE(71 + 1, 0x20);
  MUTATE(h1 + 2 + 1, 0x20);
#undef MUTATE
  /* sums below their buckets' bounds: 0 */
  memcpy(bad, buf, n);
  memset(bad + 53, 0, 8);
  expect_read(sv_read, sizeof *acc, bad, n, CXM_E_FORMAT);
  /* second bucket = first: not increasing */
  memcpy(bad, buf, n);
  memcpy(bad + 71 + 10, bad + 71, 2);
  expect_read(sv_read, sizeof *acc, bad, n, CXM_E_FORMAT);
  /* a count one off: the counts no longer add up to `replied` */
  memcpy(bad, buf, n);
  bad[71 + 2] ^= 1;
  expect_read(sv_read, sizeof *acc, bad, n, CXM_E_FORMAT);
  /* an empty bucket */
  memcpy(bad, buf, n);
  memset(bad + 71 + 2, 0, 8);
  expect_read(sv_read, sizeof *acc, bad, n, CXM_E_FORMAT);
  /* one entry fewer: the counts miss one */
  memcpy(bad, buf, n);
  bad[69] = (uint8_t)(bad[69] - 1);
  expect_read(sv_read, sizeof *acc, bad, n, CXM_E_FORMAT);
  /* the same accumulator followed by bytes: they are not read */
  memcpy(bad, buf, n);
  bad[n] = 0xFF;
  expect_read(sv_read, sizeof *acc, bad, n + 1, CXM_OK);

  /* random garbage after a valid header, and random flips of a valid
   * frame: never a crash or a read past the end, any status allowed,
   * and a success only for bytes that re-serialise to themselves */
  for (round = 0; round < 3000; round++) {
    size_t len = round < 1500 ? 5 + (size_t)test_below(&rng, 200) : n, i;
    int32_t rc;
    if (round < 1500) {
      memcpy(bad, "CXMV\x01", 5);
      for (i = 5; i < len; i++) bad[i] = (uint8_t)test_rand(&rng);
    } else {
      memcpy(bad, buf, n);
      bad[5 + test_below(&rng, n - 5)] ^= (uint8_t)(1u << test_below(&rng, 8));
    }
    {
      uint8_t *copy = malloc(len);
      assert_non_null(copy);
      memcpy(copy, bad, len);
      rc = cxm_service_acc_deserialize(back, copy, len, &consumed);
      free(copy);
    }
    assert_true(rc == CXM_OK || rc == CXM_E_FORMAT || rc == CXM_E_TRUNCATED);
    if (rc == CXM_OK) {
      assert_int_equal(cxm_service_acc_serialize(buf + n, 0, &written, back), CXM_E_BUFFER);
      assert_int_equal(written, consumed);
    }
  }
  free(acc);
  free(back);
  free(buf);
  free(bad);
  cxm_store_free(s);
}

/* Random bytes after the header of SERVQUAL frames: any status but no crash. */
static void test_servqual_garbage(void **state) {
  uint64_t rng = 99;
  uint8_t buf[CXM_SERVQUAL_ACC_BYTES];
  cxm_servqual_acc acc;
  int round;
  size_t i;
  (void)state;
  for (round = 0; round < 2000; round++) {
    int32_t rc;
    memcpy(buf, "CXMQ\x01", 5);
    for (i = 5; i < sizeof buf; i++) buf[i] = (uint8_t)(round % 2 ? test_below(&rng, 4) : test_rand(&rng));
    rc = cxm_servqual_acc_deserialize(&acc, buf, sizeof buf, NULL);
    assert_true(rc == CXM_OK || rc == CXM_E_FORMAT);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_servqual_hand),      cmocka_unit_test(test_servqual_compute_edges),
      cmocka_unit_test(test_loyalty_hand),       cmocka_unit_test(test_sketch_buckets),
      cmocka_unit_test(test_sketch_error_bound), cmocka_unit_test(test_service_hand),
      cmocka_unit_test(test_service_sample),     cmocka_unit_test(test_merge_equals_whole),
      cmocka_unit_test(test_merge_overflow),     cmocka_unit_test(test_loyalty_bytes),
      cmocka_unit_test(test_service_bytes),      cmocka_unit_test(test_servqual_format),
      cmocka_unit_test(test_loyalty_format),     cmocka_unit_test(test_service_format),
      cmocka_unit_test(test_servqual_garbage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
