/* Tests of src/math/slicestats.c and src/math/padjust.c (cxm/slicestats.h).
 *
 * Reference values in slicestats_refs.inc were written by
 * tools/slicestats_reference.py from raw answer arrays with numpy, scipy
 * (norm, ttest_ind_from_stats(equal_var=False), brentq) and statsmodels
 * (multipletests), sharing no code with the library. Values marked "by hand"
 * are worked in the comment beside them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cxm/event.h"
#include "cxm/query.h"
#include "cxm/slicestats.h"
#include "cxm/store.h"
#include "slicestats_refs.inc"

static void near(double got, double want, double rel, double abs_tol, const char *what, size_t i) {
  if (isnan(want)) {
    if (!isnan(got)) fail_msg("%s[%zu]: got %.17g want NaN", what, i);
    return;
  }
  if (isinf(want)) {
    if (got != want) fail_msg("%s[%zu]: got %.17g want %g", what, i, got, want);
    return;
  }
  double err = fabs(got - want);
  if (!(err <= abs_tol || err <= rel * fabs(want)))
    fail_msg("%s[%zu]: got %.17g want %.17g (err %.3g)", what, i, got, want, err);
}

static void test_padjust_statsmodels(void **state) {
  (void)state;
  for (size_t s = 0; s < sizeof ref_padj / sizeof ref_padj[0]; s++) {
    double got[32];
    size_t k = ref_padj[s].k;
    assert_int_equal(cxm_p_adjust(got, ref_padj[s].p, k, CXM_ADJUST_HOLM, NULL), CXM_OK);
    for (size_t i = 0; i < k; i++) near(got[i], ref_padj[s].holm[i], 1e-14, 1e-300, "holm", s * 100 + i);
    assert_int_equal(cxm_p_adjust(got, ref_padj[s].p, k, CXM_ADJUST_BH, NULL), CXM_OK);
    for (size_t i = 0; i < k; i++) near(got[i], ref_padj[s].bh[i], 1e-14, 1e-300, "bh", s * 100 + i);
    assert_int_equal(cxm_p_adjust(got, ref_padj[s].p, k, CXM_ADJUST_NONE, NULL), CXM_OK);
    for (size_t i = 0; i < k; i++) assert_true(got[i] == ref_padj[s].p[i]);
    /* In place. */
    memcpy(got, ref_padj[s].p, k * sizeof got[0]);
    assert_int_equal(cxm_p_adjust(got, got, k, CXM_ADJUST_BH, NULL), CXM_OK);
    for (size_t i = 0; i < k; i++) near(got[i], ref_padj[s].bh[i], 1e-14, 1e-300, "bh in place", s * 100 + i);
  }
}

static void test_padjust_by_hand(void **state) {
  (void)state;
  double p[] = {0.01, 0.04, 0.03};
  double a[3];
  /* Holm, sorted 0.01, 0.03, 0.04: 3 * 0.01 = 0.03; 2 * 0.03 = 0.06;
   * max(0.06, 1 * 0.04) = 0.06. */
  assert_int_equal(cxm_p_adjust(a, p, 3, CXM_ADJUST_HOLM, NULL), CXM_OK);
  near(a[0], 0.03, 1e-15, 0, "holm", 0);
  near(a[1], 0.06, 1e-15, 0, "holm", 1);
  near(a[2], 0.06, 1e-15, 0, "holm", 2);
  /* BH: 3/1 * 0.01 = 0.03; 3/2 * 0.03 = 0.045 -> min with 3/3 * 0.04 = 0.04. */
  assert_int_equal(cxm_p_adjust(a, p, 3, CXM_ADJUST_BH, NULL), CXM_OK);
  near(a[0], 0.03, 1e-15, 0, "bh", 0);
  near(a[1], 0.04, 1e-15, 0, "bh", 1);
  near(a[2], 0.04, 1e-15, 0, "bh", 2);
  /* NaN is outside the family: m = 2. */
  double q[] = {NAN, 0.01, 0.04};
  assert_int_equal(cxm_p_adjust(a, q, 3, CXM_ADJUST_HOLM, NULL), CXM_OK);
  assert_true(isnan(a[0]));
  near(a[1], 0.02, 1e-15, 0, "holm nan", 1);
  near(a[2], 0.04, 1e-15, 0, "holm nan", 2);
  /* Bad input: error, output untouched. */
  double bad[] = {0.2, 1.5};
  a[0] = a[1] = 7.0;
  assert_int_equal(cxm_p_adjust(a, bad, 2, CXM_ADJUST_HOLM, NULL), CXM_E_VALUE);
  assert_true(a[0] == 7.0 && a[1] == 7.0);
  bad[1] = -0.1;
  assert_int_equal(cxm_p_adjust(a, bad, 2, CXM_ADJUST_BH, NULL), CXM_E_VALUE);
  assert_int_equal(cxm_p_adjust(a, p, 3, 3, NULL), CXM_E_OPTION);
  assert_int_equal(cxm_p_adjust(NULL, p, 3, CXM_ADJUST_HOLM, NULL), CXM_E_ARG);
  assert_int_equal(cxm_p_adjust(NULL, NULL, 0, CXM_ADJUST_HOLM, NULL), CXM_OK);
}

static void load(cxm_survey_acc *acc, const ref_slice *r) {
  cxm_survey_acc_init(acc);
  memcpy(acc->nps.count, r->nps, sizeof r->nps);
  memcpy(acc->csat.count, r->csat, sizeof r->csat);
  memcpy(acc->ces.count, r->ces, sizeof r->ces);
}

static void test_survey_slices_scipy(void **state) {
  (void)state;
  static const char *const names[] = {"nps", "csat", "ces"};
  for (size_t d = 0; d < sizeof ref_dims / sizeof ref_dims[0]; d++) {
    cxm_survey_acc accs[8];
    size_t k = ref_dims[d].k;
    for (size_t i = 0; i < k; i++) load(&accs[i], &ref_dims[d].s[i]);
    for (int32_t m = 0; m < 3; m++) {
      cxm_slice_test t[8];
      t[0].size = sizeof t[0];
      assert_int_equal(cxm_slice_tests_survey(t, 8, accs, k, m, NULL), CXM_OK);
      for (size_t i = 0; i < k; i++) {
        const double *e = ref_dims[d].s[i].e[m];
        size_t at = d * 100 + i;
        char what[32];
        snprintf(what, sizeof what, "%s score", names[m]);
        near(t[i].score, e[0], 1e-13, 1e-12, what, at);
        near(t[i].score_rest, e[1], 1e-13, 1e-12, names[m], at);
        near(t[i].diff, e[2], 1e-12, 1e-11, names[m], at);
        near(t[i].se, e[3], 1e-12, 0, names[m], at);
        near(t[i].stat, e[4], 1e-11, 0, names[m], at);
        near(t[i].df, e[5], 1e-11, 0, names[m], at);
        near(t[i].p, e[6], 1e-9, 1e-300, names[m], at);
        near(t[i].p_adjusted, e[7], 1e-9, 1e-300, names[m], at);
        assert_int_equal(t[i].significant,
                         t[i].p_adjusted < 0.05 && t[i].n >= 30 && t[i].n_rest >= 30 ? (t[i].diff > 0 ? 1 : -1) : 0);
        assert_int_equal(!!(t[i].low_base & CXM_LOW_BASE_N), t[i].n < 30);
        assert_int_equal(t[i].low_base & CXM_LOW_BASE_MOE, 0);
      }
    }
  }
}

static void test_means_scipy(void **state) {
  (void)state;
  enum { K = sizeof ref_means / sizeof ref_means[0] };
  uint64_t n[K];
  double mean[K], sd[K];
  for (size_t i = 0; i < K; i++) {
    n[i] = ref_means[i].n;
    mean[i] = ref_means[i].mean;
    sd[i] = ref_means[i].sd;
  }
  cxm_slice_test t[K];
  t[0].size = sizeof t[0];
  cxm_slice_options o;
  cxm_slice_options_init(&o);
  o.adjust = CXM_ADJUST_NONE;
  assert_int_equal(cxm_slice_tests_means(t, K, n, mean, sd, K, &o), CXM_OK);
  for (size_t i = 0; i < K; i++) {
    near(t[i].diff, ref_means[i].diff, 1e-11, 1e-11, "diff", i);
    near(t[i].se, ref_means[i].se, 1e-11, 0, "se", i);
    near(t[i].stat, ref_means[i].t, 1e-10, 0, "t", i);
    near(t[i].df, ref_means[i].df, 1e-10, 0, "df", i);
    near(t[i].p, ref_means[i].p, 1e-9, 0, "p", i);
    near(t[i].p_adjusted, ref_means[i].p, 1e-9, 0, "p_adjusted", i);
  }
  /* Bad input leaves out untouched. */
  t[0].n = 12345;
  sd[0] = -1.0;
  assert_int_equal(cxm_slice_tests_means(t, K, n, mean, sd, K, NULL), CXM_E_VALUE);
  assert_true(t[0].n == 12345);
  sd[0] = 1.0;
  mean[1] = NAN;
  assert_int_equal(cxm_slice_tests_means(t, K, n, mean, sd, K, NULL), CXM_E_VALUE);
}

/* The moments path (rest recovered from the slices' sums of squares)
 * equals the exact-count CES path on every reference dimension. */
static void test_means_equal_counts(void **state) {
  (void)state;
  for (size_t d = 0; d < sizeof ref_dims / sizeof ref_dims[0]; d++) {
    cxm_survey_acc accs[8];
    uint64_t n[8];
    double mean[8], sd[8];
    size_t k = ref_dims[d].k;
    for (size_t i = 0; i < k; i++) {
      load(&accs[i], &ref_dims[d].s[i]);
      cxm_ces_result r;
      assert_int_equal(cxm_ces_compute(&r, &accs[i].ces), CXM_OK);
      n[i] = r.n;
      mean[i] = r.n ? r.mean : 0.0;
      sd[i] = r.n >= 2 ? r.sd : 0.0;
    }
    cxm_slice_test a[8], b[8];
    a[0].size = b[0].size = sizeof a[0];
    assert_int_equal(cxm_slice_tests_survey(a, 8, accs, k, CXM_SLICE_CES, NULL), CXM_OK);
    assert_int_equal(cxm_slice_tests_means(b, 8, n, mean, sd, k, NULL), CXM_OK);
    for (size_t i = 0; i < k; i++) {
      near(b[i].score_rest, a[i].score_rest, 1e-13, 1e-13, "rest mean", d * 100 + i);
      near(b[i].se, a[i].se, 1e-11, 0, "se", d * 100 + i);
      near(b[i].df, a[i].df, 1e-10, 0, "df", d * 100 + i);
      near(b[i].p_adjusted, a[i].p_adjusted, 1e-9, 1e-300, "p_adjusted", d * 100 + i);
      assert_int_equal(b[i].significant, a[i].significant);
      assert_int_equal(b[i].low_base, a[i].low_base);
    }
  }
  /* Values too large for the sums are refused, not turned into inf or NaN. */
  uint64_t n[2] = {10, 10};
  double mean[2] = {1e300, -1e300}, sd[2] = {1.0, 1.0};
  cxm_slice_test t[2];
  t[0].size = sizeof t[0];
  assert_int_equal(cxm_slice_tests_means(t, 2, n, mean, sd, 2, NULL), CXM_E_VALUE);
}

static void test_options_and_errors(void **state) {
  (void)state;
  cxm_survey_acc accs[2];
  cxm_survey_acc_init(&accs[0]);
  cxm_survey_acc_init(&accs[1]);
  /* Slice 0: 10 promoters; slice 1: 10 detractors. By hand: each side's
   * NPS SE is 0, so the z test is undefined (NaN) and so is p. */
  accs[0].nps.count[10] = 10;
  accs[1].nps.count[0] = 10;
  cxm_slice_test t[2];
  t[0].size = sizeof t[0];
  assert_int_equal(cxm_slice_tests_survey(t, 2, accs, 2, CXM_SLICE_NPS, NULL), CXM_OK);
  assert_true(t[0].diff == 200.0 && t[1].diff == -200.0);
  assert_true(isnan(t[0].stat) && isnan(t[0].p) && isnan(t[0].p_adjusted));
  assert_int_equal(t[0].significant, 0);
  assert_int_equal(t[0].low_base, CXM_LOW_BASE_N);
  /* One more passive in slice 0: se = 100 sqrt(var / n) with n = 11,
   * p = 10/11, d = 0, var = p + d - (p - d)^2 = 10/11 - 100/121 = 10/121;
   * moe = 1.959964 * 100 * sqrt(10/121 / 11). */
  accs[0].nps.count[8] = 1;
  cxm_slice_options o;
  cxm_slice_options_init(&o);
  o.min_n = 5;
  o.max_moe = 10.0;
  assert_int_equal(cxm_slice_tests_survey(t, 2, accs, 2, CXM_SLICE_NPS, &o), CXM_OK);
  near(t[0].moe, 1.959964 * 100.0 * sqrt(10.0 / 121.0 / 11.0), 1e-14, 0, "moe", 0);
  assert_int_equal(t[0].low_base, CXM_LOW_BASE_MOE); /* 17.0 > 10 */
  assert_int_equal(t[1].low_base, 0);                /* all detractors: se 0, moe 0 <= 10 */
  /* Errors leave out untouched. */
  t[0].n = 777;
  assert_int_equal(cxm_slice_tests_survey(t, 1, accs, 2, CXM_SLICE_NPS, NULL), CXM_E_BUFFER);
  assert_int_equal(cxm_slice_tests_survey(t, 2, accs, 2, 3, NULL), CXM_E_OPTION);
  o.alpha = 1.0;
  assert_int_equal(cxm_slice_tests_survey(t, 2, accs, 2, CXM_SLICE_NPS, &o), CXM_E_OPTION);
  o.alpha = 0.05;
  o.max_moe = 0.0;
  assert_int_equal(cxm_slice_tests_survey(t, 2, accs, 2, CXM_SLICE_NPS, &o), CXM_E_OPTION);
  o.max_moe = INFINITY;
  o.adjust = 9;
  assert_int_equal(cxm_slice_tests_survey(t, 2, accs, 2, CXM_SLICE_NPS, &o), CXM_E_OPTION);
  o.adjust = CXM_ADJUST_BH;
  o.size = 3;
  assert_int_equal(cxm_slice_tests_survey(t, 2, accs, 2, CXM_SLICE_NPS, &o), CXM_E_SIZE);
  assert_int_equal(cxm_slice_tests_survey(NULL, 2, accs, 2, CXM_SLICE_NPS, NULL), CXM_E_ARG);
  t[0].size = 1;
  assert_int_equal(cxm_slice_tests_survey(t, 2, accs, 2, CXM_SLICE_NPS, NULL), CXM_E_SIZE);
  t[0].size = sizeof t[0];
  accs[1].nps.count[0] = UINT64_MAX; /* plus slice 0's one answer of 0 below: the total wraps */
  accs[0].nps.count[0] = 1;
  assert_int_equal(cxm_slice_tests_survey(t, 2, accs, 2, CXM_SLICE_CES, NULL), CXM_E_OVERFLOW);
  assert_true(t[0].n == 777);
  assert_int_equal(cxm_slice_tests_survey(t, 0, NULL, 0, CXM_SLICE_NPS, NULL), CXM_OK);
}

static void test_rocks_interval(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof ref_rocks / sizeof ref_rocks[0]; i++) {
    cxm_nps_acc a;
    memset(&a, 0, sizeof a);
    a.count[10] = ref_rocks[i].p;
    a.count[7] = ref_rocks[i].o;
    a.count[3] = ref_rocks[i].d;
    double lo, hi;
    assert_int_equal(cxm_nps_score_interval(&lo, &hi, &a, 1.959964), CXM_OK);
    near(lo, ref_rocks[i].low, 0, 1e-9, "rocks low", i);
    near(hi, ref_rocks[i].high, 0, 1e-9, "rocks high", i);
  }
  /* By hand: 5 passives. For d > 0 the constrained maximum has no
   * detractors (q = 0), p+ = d, V = d - d^2; the bound solves
   * d = z sqrt(d (1 - d) / 5), d = z^2 / (5 + z^2). */
  cxm_nps_acc a;
  memset(&a, 0, sizeof a);
  a.count[7] = 5;
  double lo, hi, z2 = 1.959964 * 1.959964;
  assert_int_equal(cxm_nps_score_interval(&lo, &hi, &a, 1.959964), CXM_OK);
  near(hi, 100.0 * z2 / (5.0 + z2), 0, 1e-9, "passives high", 0);
  near(lo, -100.0 * z2 / (5.0 + z2), 0, 1e-9, "passives low", 0);
  /* By hand: one promoter. V(d) = 1 - d^2 (no passives or detractors at
   * the constrained maximum); (1 - d)^2 = z^2 (1 - d^2) gives
   * d = (1 - z^2) / (1 + z^2). */
  memset(&a, 0, sizeof a);
  a.count[9] = 1;
  assert_int_equal(cxm_nps_score_interval(&lo, &hi, &a, 1.959964), CXM_OK);
  near(lo, 100.0 * (1.0 - z2) / (1.0 + z2), 0, 1e-9, "one promoter low", 0);
  assert_true(hi == 100.0);
  memset(&a, 0, sizeof a);
  assert_int_equal(cxm_nps_score_interval(&lo, &hi, &a, 1.959964), CXM_OK);
  assert_true(isnan(lo) && isnan(hi));
  assert_int_equal(cxm_nps_score_interval(&lo, &hi, &a, 0.0), CXM_E_OPTION);
  assert_int_equal(cxm_nps_score_interval(&lo, &hi, &a, NAN), CXM_E_OPTION);
  assert_int_equal(cxm_nps_score_interval(NULL, &hi, &a, 1.96), CXM_E_ARG);
}

static void test_planner(void **state) {
  (void)state;
  cxm_plan_options o;
  cxm_plan_options_init(&o);
  uint64_t n = 0;
  double n0 = 0.0;
  /* By hand: NPS, worst case p+ = p- = 0.5, V = 100^2 (1 - 0) = 10^4;
   * n0 = 1.959964^2 * 10^4 / 5^2 = 3.841458881296 * 400 = 1536.58355. */
  assert_int_equal(cxm_plan_sample_size(&n, &n0, &o), CXM_OK);
  near(n0, 1536.5835525184, 1e-12, 0, "n0", 0);
  assert_int_equal(n, 1537);
  /* With N = 1000: n = n0 / (1 + (n0 - 1) / N) = 1536.58355 / 2.53558355 = 606.0057 -> 607. */
  o.population = 1000;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_OK);
  assert_int_equal(n, 607);
  /* NPS with p+ = 0.5, p- = 0.2: V = 10^4 (0.7 - 0.09) = 6100;
   * n0 = 3.841458881296 * 6100 / 9 = 2603.6554 -> 2604 (margin 3). */
  o.population = 0;
  o.margin = 3;
  o.p_promoter = 0.5;
  o.p_detractor = 0.2;
  assert_int_equal(cxm_plan_sample_size(&n, &n0, &o), CXM_OK);
  near(n0, 3.841458881296 * 6100.0 / 9.0, 1e-12, 0, "n0 nps", 0);
  assert_int_equal(n, 2604);
  /* CSAT p = 0.8, margin 3: 3.841458881296 * 1600 / 9 = 682.926 -> 683. */
  o.metric = CXM_SLICE_CSAT;
  o.p_promoter = 0.8;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_OK);
  assert_int_equal(n, 683);
  /* CES sd 1.5, margin 0.1: 3.841458881296 * 2.25 / 0.01 = 864.328 -> 865;
   * N = 500: 864.328 / (1 + 863.328 / 500) = 316.98 -> 317. */
  o.metric = CXM_SLICE_CES;
  o.sd = 1.5;
  o.margin = 0.1;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_OK);
  assert_int_equal(n, 865);
  o.population = 500;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_OK);
  assert_int_equal(n, 317);
  /* A population smaller than the need caps it. */
  o.population = 10;
  o.margin = 0.0001;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_OK);
  assert_int_equal(n, 10);
  /* Bad input. */
  n = 42;
  o.margin = 0;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_E_OPTION);
  o.margin = 1;
  o.population = 10.5;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_E_OPTION);
  o.population = -1;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_E_OPTION);
  o.population = 0;
  o.sd = -1;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_E_OPTION);
  o.metric = CXM_SLICE_NPS;
  o.p_promoter = 0.7;
  o.p_detractor = 0.5;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_E_OPTION);
  o.metric = 7;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_E_OPTION);
  o.size = 1;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_E_SIZE);
  assert_int_equal(n, 42);
  o.metric = CXM_SLICE_CES;
  o.size = sizeof o;
  o.margin = 1e-9;
  o.sd = 3;
  assert_int_equal(cxm_plan_sample_size(&n, NULL, &o), CXM_E_OPTION); /* past 2^53 */
}

/* cxm_slice_tests_groups equals the accumulator form on the store's groups. */
static void test_groups(void **state) {
  (void)state;
  cxm_store *s = NULL;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  uint64_t rng = 17;
  for (int i = 0; i < 3000; i++) {
    cxm_event e;
    cxm_event_init(&e);
    e.customer = "c";
    e.customer_len = 1;
    e.time = 1735689600 + i * 600;
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    int32_t ch = (int32_t)((rng >> 33) % 4);
    e.kind = CXM_KIND_NPS;
    e.has_value = 1;
    /* Channel 0 leans to promoters, so it differs from the rest. */
    e.value = (int32_t)((rng >> 40) % 11);
    if (ch == 0 && e.value < 9 && (rng >> 20) % 3 == 0) e.value = 10;
    e.channel = ch;
    assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  }
  cxm_groups *g = NULL;
  assert_int_equal(cxm_store_group(&g, s, NULL, CXM_BY_CHANNEL), CXM_OK);
  size_t k = cxm_groups_count(g);
  assert_int_equal(k, 4);
  cxm_survey_acc accs[4];
  for (size_t i = 0; i < k; i++) assert_int_equal(cxm_groups_survey(&accs[i], g, i), CXM_OK);
  cxm_slice_test a[4], b[4];
  a[0].size = b[0].size = sizeof a[0];
  assert_int_equal(cxm_slice_tests_groups(a, 4, g, CXM_SLICE_NPS, NULL), CXM_OK);
  assert_int_equal(cxm_slice_tests_survey(b, 4, accs, k, CXM_SLICE_NPS, NULL), CXM_OK);
  int significant = 0;
  for (size_t i = 0; i < k; i++) {
    assert_true(a[i].stat == b[i].stat && a[i].p_adjusted == b[i].p_adjusted);
    assert_true(a[i].n + a[i].n_rest == 3000);
    significant += a[i].significant != 0;
  }
  assert_true(significant >= 1);
  assert_int_equal(cxm_slice_tests_groups(a, 3, g, CXM_SLICE_NPS, NULL), CXM_E_BUFFER);
  assert_int_equal(cxm_slice_tests_groups(a, 4, NULL, CXM_SLICE_NPS, NULL), CXM_E_ARG);
  cxm_groups_free(g);
  cxm_store_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_padjust_statsmodels),
      cmocka_unit_test(test_padjust_by_hand),
      cmocka_unit_test(test_survey_slices_scipy),
      cmocka_unit_test(test_means_scipy),
      cmocka_unit_test(test_means_equal_counts),
      cmocka_unit_test(test_options_and_errors),
      cmocka_unit_test(test_rocks_interval),
      cmocka_unit_test(test_planner),
      cmocka_unit_test(test_groups),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
