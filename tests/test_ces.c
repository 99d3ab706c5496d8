/* Tests of CES (src/survey/ces.c): mean, sample sd, t interval, effort shares.
 *
 * "ref" literals were printed by tools/reference_survey.py (exact
 * fractions; t(0.975, n - 1) by mpmath; sd cross-checked against
 * numpy.std(ddof=1) on the expanded answers). "By hand" cases show their
 * arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "cxm/survey.h"

static void check_rel(double got, double want, double rel, const char *what) {
  if (!(fabs(got - want) <= rel * fabs(want)) && !(got == want)) {
    fail_msg("%s: got %.17g want %.17g", what, got, want);
  }
}

static cxm_ces_result run(const uint64_t c[7]) {
  cxm_ces_acc a;
  memcpy(a.count, c, sizeof a.count);
  cxm_ces_result r;
  assert_int_equal(cxm_ces_compute(&r, &a), CXM_OK);
  return r;
}

static void test_empty_and_args(void **state) {
  (void)state;
  const uint64_t none[7] = {0};
  cxm_ces_result r = run(none);
  assert_true(r.n == 0);
  assert_true(isnan(r.mean) && isnan(r.sd) && isnan(r.ci95_low) && isnan(r.ci95_high));
  assert_true(isnan(r.easy_pct) && isnan(r.high_effort_pct) && isnan(r.net));
  cxm_ces_acc a;
  memset(&a, 0, sizeof a);
  assert_int_equal(cxm_ces_compute(NULL, &a), CXM_E_ARG);
  assert_int_equal(cxm_ces_compute(&r, NULL), CXM_E_ARG);
}

static void test_one(void **state) {
  (void)state;
  /* By hand, n = 1, one 6: mean 6, easy 100 %, high effort 0 %, net 100;
   * no sd and no interval (n < 2). */
  const uint64_t c[7] = {0, 0, 0, 0, 0, 1, 0};
  cxm_ces_result r = run(c);
  assert_true(r.n == 1 && r.mean == 6.0);
  assert_true(isnan(r.sd) && isnan(r.ci95_low) && isnan(r.ci95_high));
  assert_true(r.easy_pct == 100.0 && r.high_effort_pct == 0.0 && r.net == 100.0);
  /* One 4: neither easy nor high effort. */
  const uint64_t d[7] = {0, 0, 0, 1, 0, 0, 0};
  r = run(d);
  assert_true(r.mean == 4.0 && r.easy_pct == 0.0 && r.high_effort_pct == 0.0 && r.net == 0.0);
}

static void test_two(void **state) {
  (void)state;
  /* By hand, n = 2, answers 3 and 7: mean 5, s^2 = ((3-5)^2 + (7-5)^2) / 1
   * = 8, s = 2.8284271, half-width t(0.975, 1) * s / sqrt(2) = 12.7062047 *
   * 2 = 25.4124095: [-20.4124095, 30.4124095] (ref -20.41240947234939,
   * 30.41240947234939). The interval is not clipped to 1..7 (the spec
   * clips only NPS). easy 50, high effort 50, net 0. */
  const uint64_t c[7] = {0, 0, 1, 0, 0, 0, 1};
  cxm_ces_result r = run(c);
  assert_true(r.n == 2 && r.mean == 5.0);
  check_rel(r.sd, 2.8284271247461903, 1e-15, "sd");
  check_rel(r.ci95_low, -20.41240947234939, 1e-14, "low");
  check_rel(r.ci95_high, 30.41240947234939, 1e-14, "high");
  assert_true(r.easy_pct == 50.0 && r.high_effort_pct == 50.0 && r.net == 0.0);
  /* n = 2, both 7: sd 0, interval [7, 7]. */
  const uint64_t d[7] = {0, 0, 0, 0, 0, 0, 2};
  r = run(d);
  assert_true(r.mean == 7.0 && r.sd == 0.0 && r.ci95_low == 7.0 && r.ci95_high == 7.0);
  assert_true(r.easy_pct == 100.0 && r.high_effort_pct == 0.0 && r.net == 100.0);
}

static void test_sixty(void **state) {
  (void)state;
  /* 60 answers {2, 3, 5, 10, 15, 15, 10} of 1..7. By hand: mean = (2 + 6 +
   * 15 + 40 + 75 + 90 + 70) / 60 = 298 / 60 = 4.96667; easy = 40 / 60 =
   * 66.667 %, high effort 10 / 60 = 16.667 %, net 50. sd and interval
   * from ref (t(0.975, 59) = 2.00099538). */
  const uint64_t c[7] = {2, 3, 5, 10, 15, 15, 10};
  cxm_ces_result r = run(c);
  assert_true(r.n == 60);
  check_rel(r.mean, 4.966666666666667, 1e-15, "mean");
  check_rel(r.sd, 1.5619052540403564, 1e-14, "sd");
  check_rel(r.ci95_low, 4.563183755049319, 1e-14, "low");
  check_rel(r.ci95_high, 5.370149578284014, 1e-14, "high");
  check_rel(r.easy_pct, 66.66666666666667, 1e-15, "easy");
  check_rel(r.high_effort_pct, 16.666666666666668, 1e-15, "hard");
  check_rel(r.net, 50.0, 1e-15, "net");
}

static void test_huge(void **state) {
  (void)state;
  const uint64_t q = (uint64_t)1 << 62;
  /* 2^62 answers of 4 and one 5: s^2 = 2^62 * 1 * 1 / ((2^62 + 1) 2^62) =
   * 1 / (2^62 + 1), s = 2^-31 = 4.656612873077393e-10 (ref). The naive
   * sum of squared deviations from a rounded mean would be off by 1e-12
   * relative; sum c v^2 - (sum c v)^2 / n in doubles would give 0. */
  const uint64_t c[7] = {0, 0, 0, q, 1, 0, 0};
  cxm_ces_result r = run(c);
  assert_true(r.n == q + 1);
  check_rel(r.mean, 4.0, 1e-15, "mean");
  check_rel(r.sd, 4.656612873077393e-10, 1e-15, "sd");
  check_rel(r.easy_pct, 2.168404344971009e-17, 1e-15, "easy");
  assert_true(r.high_effort_pct == 0.0);
  check_rel(r.net, 2.168404344971009e-17, 1e-15, "net");
  /* 2^62 ones and 2^62 sevens: mean 4, s = 3 sqrt(2^63 / (2^63 - 1)) ~ 3,
   * ref interval [3.999999998063915, 4.000000001936085] (t with df ~ 9.2e18
   * is the normal quantile). */
  const uint64_t d[7] = {q, 0, 0, 0, 0, 0, q};
  r = run(d);
  assert_true(r.n == 2 * q);
  check_rel(r.mean, 4.0, 1e-15, "mean 2");
  check_rel(r.sd, 3.0, 1e-15, "sd 2");
  check_rel(r.ci95_low, 3.999999998063915, 1e-15, "low 2");
  check_rel(r.ci95_high, 4.000000001936085, 1e-15, "high 2");
  assert_true(r.easy_pct == 50.0 && r.high_effort_pct == 50.0 && r.net == 0.0);
  /* Every count at UINT64_MAX (7 (2^64 - 1) answers, only by hand):
   * saturated n, mean exactly 4, easy = high effort = 300 / 7 % (by hand). */
  const uint64_t m[7] = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
  r = run(m);
  assert_true(r.n == UINT64_MAX);
  check_rel(r.mean, 4.0, 1e-15, "max mean");
  check_rel(r.easy_pct, 300.0 / 7.0, 1e-15, "max easy");
  assert_true(r.net == 0.0);
  /* sd of the uniform 1..7 with n -> inf: sqrt(4) = 2 (by hand: variance
   * (7^2 - 1) / 12 = 4), times sqrt(n / (n - 1)) ~ 1. */
  check_rel(r.sd, 2.0, 1e-15, "max sd");
}

static void test_interval_brackets_mean(void **state) {
  (void)state;
  /* On a grid of small accumulators: low <= mean <= high, sd >= 0, the
   * interval shrinks when every count doubles, and shares add up. */
  for (uint64_t k = 0; k < 2000; k++) {
    uint64_t c[7];
    uint64_t x = k * 2654435761u;
    for (int i = 0; i < 7; i++) {
      c[i] = (x >> (3 * i)) % 5;
    }
    cxm_ces_result r = run(c);
    if (r.n < 2) {
      continue;
    }
    assert_true(r.ci95_low <= r.mean && r.mean <= r.ci95_high && r.sd >= 0.0);
    assert_true(r.mean >= 1.0 && r.mean <= 7.0);
    assert_true(fabs(r.easy_pct - r.high_effort_pct - r.net) <= 1e-12);
    uint64_t d[7];
    for (int i = 0; i < 7; i++) {
      d[i] = 2 * c[i];
    }
    cxm_ces_result s = run(d);
    assert_true(fabs(s.mean - r.mean) <= 1e-15 * r.mean);
    assert_true(s.ci95_high - s.ci95_low <= r.ci95_high - r.ci95_low);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_and_args), cmocka_unit_test(test_one),  cmocka_unit_test(test_two),
      cmocka_unit_test(test_sixty),          cmocka_unit_test(test_huge), cmocka_unit_test(test_interval_brackets_mean),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
