/* Kaplan-Meier, Greenwood, log(-log) intervals, median, restricted mean
 * and the log-rank test against R's survival package (reference values
 * from tools/survival_reference.R in tests/data/survival). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "math/chisq.h"
#include "cxm/survival.h"
#include "survival_data.h"
#include "test_helpers.h"

static surv_data D;

static void check_km_against(const char *file, const double *entry) {
  cxm_km *km = NULL;
  double med, lo, hi, rmst, se;
  size_t m;
  assert_int_equal(cxm_km_fit(&km, NULL, entry, D.time, D.event, D.n, 0.95), CXM_OK);
  m = cxm_km_steps(km);
  assert_int_equal(m, (size_t)ref_value(file, "steps"));
  for (size_t i = 0; i < m; i++) {
    cxm_km_step st;
    st.size = sizeof st;
    assert_int_equal(cxm_km_step_get(&st, km, i), CXM_OK);
    assert_true(st.time == ref_at(file, "time", i));
    assert_true((double)st.n_risk == ref_at(file, "n_risk", i));
    assert_true((double)st.n_event == ref_at(file, "n_event", i));
    assert_true((double)st.n_censor == ref_at(file, "n_censor", i));
    assert_true(close_rel(st.surv, ref_at(file, "surv", i), 1e-13));
    assert_true(close_rel(st.std_err, ref_at(file, "std_err", i), 1e-12));
    assert_true(close_rel(st.lower, ref_at(file, "lower", i), 1e-12));
    assert_true(close_rel(st.upper, ref_at(file, "upper", i), 1e-12));
  }
  assert_int_equal(cxm_km_median(&med, &lo, &hi, km), CXM_OK);
  assert_true(close_rel(med, ref_value(file, "median"), 1e-15));
  assert_true(close_rel(lo, ref_value(file, "median_lower"), 1e-15));
  assert_true(close_rel(hi, ref_value(file, "median_upper"), 1e-15));
  assert_int_equal(cxm_km_rmst(&rmst, &se, km, ref_value(file, "tau")), CXM_OK);
  assert_true(close_rel(rmst, ref_value(file, "rmean"), 1e-12));
  assert_true(close_rel(se, ref_value(file, "rmean_se"), 1e-12));
  cxm_km_free(km);
}

static void test_km_right_censored(void **state) {
  (void)state;
  check_km_against("ref_km.txt", NULL);
}

static void test_km_delayed_entry(void **state) {
  (void)state;
  check_km_against("ref_km_entry.txt", D.entry);
}

/* Hand-checkable: 5 customers, losses at 1, 3, 3, censored at 2 and 4. */
static void test_km_small(void **state) {
  const double t[] = {1, 2, 3, 3, 4};
  const uint8_t e[] = {1, 0, 1, 1, 0};
  cxm_km *km = NULL;
  cxm_km_step st;
  double s, med, rmst;
  (void)state;
  assert_int_equal(cxm_km_fit(&km, NULL, NULL, t, e, 5, 0.95), CXM_OK);
  assert_int_equal(cxm_km_steps(km), 4);
  st.size = sizeof st;
  assert_int_equal(cxm_km_step_get(&st, km, 2), CXM_OK);
  /* S(3) = 4/5 * 1/3 */
  assert_true(fabs(st.surv - 0.8 / 3.0) < 1e-15);
  assert_int_equal(st.n_risk, 3);
  assert_int_equal(cxm_km_survival_at(&s, km, 2.5), CXM_OK);
  assert_true(fabs(s - 0.8) < 1e-15);
  assert_int_equal(cxm_km_survival_at(&s, km, 0.5), CXM_OK);
  assert_true(s == 1.0);
  assert_int_equal(cxm_km_median(&med, NULL, NULL, km), CXM_OK);
  assert_true(med == 3.0);
  /* area: 1 * 1 + 0.8 * 2 + 0.8/3 * 1 up to tau 4 */
  assert_int_equal(cxm_km_rmst(&rmst, NULL, km, 4.0), CXM_OK);
  assert_true(fabs(rmst - (1.0 + 1.6 + 0.8 / 3.0)) < 1e-14);
  assert_int_equal(cxm_km_step_get(&st, km, 4), CXM_E_NOT_FOUND);
  st.size = 3;
  assert_int_equal(cxm_km_step_get(&st, km, 0), CXM_E_SIZE);
  cxm_km_free(km);
}

/* S reaching exactly 0.5: the median is the midpoint to the next drop (R). */
static void test_km_median_half(void **state) {
  const double t[] = {1, 2, 3, 4};
  const uint8_t e[] = {1, 1, 1, 1};
  cxm_km *km = NULL;
  double med, rmst;
  (void)state;
  assert_int_equal(cxm_km_fit(&km, NULL, NULL, t, e, 4, 0.95), CXM_OK);
  assert_int_equal(cxm_km_median(&med, NULL, NULL, km), CXM_OK);
  assert_true(med == 2.5);
  assert_int_equal(cxm_km_rmst(&rmst, NULL, km, 10.0), CXM_OK);
  assert_true(fabs(rmst - 2.5) < 1e-15); /* everyone lost: the plain mean */
  cxm_km_free(km);
}

static void test_km_errors(void **state) {
  const double t[] = {1, 2, 3};
  const double bad_entry[] = {0, 2, 0};
  const double nan_t[] = {1, NAN, 3};
  const uint8_t e[] = {1, 0, 1}, bad_e[] = {1, 2, 1};
  cxm_km *km = (cxm_km *)&km; /* a sentinel that must stay untouched */
  cxm_km *keep = km;
  double v;
  (void)state;
  assert_int_equal(cxm_km_fit(NULL, NULL, NULL, t, e, 3, 0.95), CXM_E_ARG);
  assert_int_equal(cxm_km_fit(&km, NULL, NULL, t, e, 0, 0.95), CXM_E_NO_DATA);
  assert_int_equal(cxm_km_fit(&km, NULL, NULL, t, e, 3, 1.0), CXM_E_OPTION);
  assert_int_equal(cxm_km_fit(&km, NULL, bad_entry, t, e, 3, 0.95), CXM_E_VALUE);
  assert_int_equal(cxm_km_fit(&km, NULL, NULL, nan_t, e, 3, 0.95), CXM_E_VALUE);
  assert_int_equal(cxm_km_fit(&km, NULL, NULL, t, bad_e, 3, 0.95), CXM_E_VALUE);
  assert_ptr_equal(km, keep);
  km = NULL;
  assert_int_equal(cxm_km_fit(&km, NULL, NULL, t, e, 3, 0.95), CXM_OK);
  assert_int_equal(cxm_km_rmst(&v, NULL, km, 0.0), CXM_E_VALUE);
  assert_int_equal(cxm_km_rmst(&v, NULL, km, NAN), CXM_E_VALUE);
  assert_int_equal(cxm_km_survival_at(&v, km, NAN), CXM_E_VALUE);
  assert_int_equal(cxm_km_steps(NULL), 0);
  cxm_km_free(km);
  cxm_km_free(NULL);
}

static void test_km_alloc_failures(void **state) {
  (void)state;
  for (long fail_at = 0;; fail_at++) {
    failing_alloc fa = {fail_at, 0, 0};
    cxm_allocator hooks = failing_hooks(&fa);
    cxm_km *km = NULL;
    int32_t rc = cxm_km_fit(&km, &hooks, D.entry, D.time, D.event, D.n, 0.95);
    if (rc == CXM_OK) {
      cxm_km_free(km);
      assert_int_equal(fa.live_bytes, 0);
      break;
    }
    assert_int_equal(rc, CXM_E_NOMEM);
    assert_null(km);
    assert_int_equal(fa.live_bytes, 0);
  }
}

/* Random small samples with heavy ties, delayed entry at event times, and
 * curves that reach 0, against a direct O(n^2) reading of the definitions. */
static void test_km_random_brute_force(void **state) {
  uint64_t rs = 99;
  (void)state;
  for (int rep = 0; rep < test_iterations(2000); rep++) {
    double entry[30], time[30];
    uint8_t ev[30];
    size_t n = 1 + (size_t)test_below(&rs, 30);
    cxm_km *km = NULL;
    double s = 1, v = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
      time[i] = (double)(1 + test_below(&rs, 6));
      entry[i] = test_below(&rs, 3) == 0 ? (double)test_below(&rs, (uint64_t)time[i]) : 0.0;
      ev[i] = (uint8_t)test_below(&rs, 2);
    }
    assert_int_equal(cxm_km_fit(&km, NULL, entry, time, ev, n, 0.9), CXM_OK);
    for (double t = 1; t <= 6; t++) {
      uint64_t at = 0, d = 0, c = 0;
      cxm_km_step st;
      for (size_t i = 0; i < n; i++) {
        at += entry[i] < t && t <= time[i];
        d += time[i] == t && ev[i];
        c += time[i] == t && !ev[i];
      }
      if (d + c == 0) continue;
      st.size = sizeof st;
      assert_int_equal(cxm_km_step_get(&st, km, m++), CXM_OK);
      assert_true(st.time == t && st.n_risk == at && st.n_event == d && st.n_censor == c);
      s *= 1.0 - (double)d / (double)at;
      if (d < at) v += (double)d / ((double)at * (double)(at - d));
      assert_true(fabs(st.surv - s) < 1e-14);
      if (s > 0 && s < 1) {
        assert_true(fabs(st.std_err - s * sqrt(v)) < 1e-13);
        assert_true(st.lower <= st.surv && st.surv <= st.upper && st.lower >= 0 && st.upper <= 1);
      }
    }
    assert_int_equal(cxm_km_steps(km), m);
    cxm_km_free(km);
  }
}

static void check_logrank(const double *entry, const char *chisq_name, const char *obs_name, const char *exp_name) {
  cxm_logrank lr;
  double obs[3], expct[3];
  lr.size = sizeof lr;
  assert_int_equal(cxm_logrank_test(&lr, obs, expct, NULL, entry, D.time, D.event, D.group, D.n, 3), CXM_OK);
  assert_true(close_rel(lr.chisq, ref_value("ref_logrank.txt", chisq_name), 1e-12));
  assert_int_equal(lr.df, 2);
  for (size_t g = 0; g < 3; g++) {
    assert_true(obs[g] == ref_at("ref_logrank.txt", obs_name, g));
    assert_true(close_rel(expct[g], ref_at("ref_logrank.txt", exp_name, g), 1e-12));
  }
  /* chi-square(2) upper tail is exp(-x / 2) */
  assert_true(close_rel(lr.p, exp(-0.5 * lr.chisq), 1e-13));
}

static void test_logrank_survdiff(void **state) {
  cxm_logrank lr;
  (void)state;
  check_logrank(NULL, "chisq", "observed", "expected");
  lr.size = sizeof lr;
  assert_int_equal(cxm_logrank_test(&lr, NULL, NULL, NULL, NULL, D.time, D.event, D.group, D.n, 3), CXM_OK);
  assert_true(close_rel(lr.p, ref_value("ref_logrank.txt", "p"), 1e-12));
}

static void test_logrank_delayed_entry(void **state) {
  (void)state;
  check_logrank(D.entry, "entry_chisq", "entry_observed", "entry_expected");
}

static void test_logrank_errors(void **state) {
  const double t[] = {1, 2, 3, 4};
  const uint8_t e[] = {1, 0, 1, 1}, none[] = {0, 0, 0, 0};
  const int32_t g[] = {0, 1, 0, 1}, bad_g[] = {0, 2, 0, 1}, one[] = {0, 0, 0, 0};
  cxm_logrank lr;
  (void)state;
  lr.size = sizeof lr;
  lr.chisq = 42;
  assert_int_equal(cxm_logrank_test(&lr, NULL, NULL, NULL, NULL, t, e, bad_g, 4, 2), CXM_E_VALUE);
  assert_int_equal(cxm_logrank_test(&lr, NULL, NULL, NULL, NULL, t, none, g, 4, 2), CXM_E_NO_DATA);
  assert_int_equal(cxm_logrank_test(&lr, NULL, NULL, NULL, NULL, t, e, one, 4, 2), CXM_E_NO_DATA);
  assert_int_equal(cxm_logrank_test(&lr, NULL, NULL, NULL, NULL, t, e, g, 4, 1), CXM_E_OPTION);
  assert_int_equal(cxm_logrank_test(&lr, NULL, NULL, NULL, NULL, t, e, NULL, 4, 2), CXM_E_ARG);
  assert_true(lr.chisq == 42);
  lr.size = 1;
  assert_int_equal(cxm_logrank_test(&lr, NULL, NULL, NULL, NULL, t, e, g, 4, 2), CXM_E_SIZE);
}

static void test_chisq_sf(void **state) {
  (void)state;
  /* closed forms: df 2 is exp(-x/2); df 1 is erfc(sqrt(x/2)) */
  for (double x = 0.01; x < 80; x *= 1.7) {
    assert_true(close_rel(cxmi_chisq_sf(x, 2), exp(-0.5 * x), 1e-13));
    assert_true(fabs(cxmi_chisq_sf(x, 1) - erfc(sqrt(0.5 * x))) <= 1e-13 * erfc(sqrt(0.5 * x)) + 1e-300);
  }
  /* scipy.stats.chi2.sf(3.2947506467532346, 5) */
  assert_true(close_rel(cxmi_chisq_sf(3.2947506467532346, 5), 0.6546454512304845, 1e-12));
  assert_true(isnan(cxmi_chisq_sf(1, 0)));
  assert_true(cxmi_chisq_sf(0, 3) == 1.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_km_right_censored),
      cmocka_unit_test(test_km_delayed_entry),
      cmocka_unit_test(test_km_small),
      cmocka_unit_test(test_km_median_half),
      cmocka_unit_test(test_km_errors),
      cmocka_unit_test(test_km_alloc_failures),
      cmocka_unit_test(test_logrank_survdiff),
      cmocka_unit_test(test_logrank_delayed_entry),
      cmocka_unit_test(test_logrank_errors),
      cmocka_unit_test(test_chisq_sf),
      cmocka_unit_test(test_km_random_brute_force),
  };
  if (!surv_load(&D)) {
    fprintf(stderr, "cannot read tests/data/survival/data.csv (CXM_SOURCE_ROOT?)\n");
    return 1;
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
