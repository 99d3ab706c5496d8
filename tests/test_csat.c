/* Tests of CSAT (src/survey/csat.c): top-two-box score, mean, Wilson interval,
 * and the unpooled two-proportion comparison.
 *
 * "ref" literals were printed by tools/reference_survey.py (textbook
 * Wilson formula over exact fractions, 50 digits; independent of the C
 * code, which uses a cancellation-free rearrangement). "By hand" cases
 * show their arithmetic. */
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

static cxm_csat_acc make(uint64_t c1, uint64_t c2, uint64_t c3, uint64_t c4, uint64_t c5) {
  cxm_csat_acc a;
  a.count[0] = c1;
  a.count[1] = c2;
  a.count[2] = c3;
  a.count[3] = c4;
  a.count[4] = c5;
  return a;
}

static cxm_csat_result run(cxm_csat_acc a) {
  cxm_csat_result r;
  assert_int_equal(cxm_csat_compute(&r, &a), CXM_OK);
  return r;
}

static void test_empty_and_args(void **state) {
  (void)state;
  cxm_csat_result r = run(make(0, 0, 0, 0, 0));
  assert_true(r.n == 0 && r.satisfied == 0);
  assert_true(isnan(r.score) && isnan(r.mean) && isnan(r.ci95_low) && isnan(r.ci95_high));
  cxm_csat_acc a = make(1, 0, 0, 0, 0);
  cxm_comparison c;
  assert_int_equal(cxm_csat_compute(NULL, &a), CXM_E_ARG);
  assert_int_equal(cxm_csat_compute(&r, NULL), CXM_E_ARG);
  assert_int_equal(cxm_csat_compare(NULL, &a, &a), CXM_E_ARG);
  assert_int_equal(cxm_csat_compare(&c, NULL, &a), CXM_E_ARG);
  assert_int_equal(cxm_csat_compare(&c, &a, NULL), CXM_E_ARG);
}

static void test_unanimous(void **state) {
  (void)state;
  /* By hand, twenty 5s: score 100, mean 5; Wilson with s = n: high = 1
   * exactly, low = n / (n + z^2) = 20 / 23.841458880 = 0.838874840 (ref
   * 83.88748398148704 %). */
  cxm_csat_result r = run(make(0, 0, 0, 0, 20));
  assert_true(r.n == 20 && r.satisfied == 20);
  assert_true(r.score == 100.0 && r.mean == 5.0 && r.ci95_high == 100.0);
  check_rel(r.ci95_low, 83.88748398148704, 1e-14, "all 5s low");
  /* Twenty 1s: score 0, mean 1, low 0 exactly, high = z^2 / (n + z^2) =
   * 3.841458880 / 23.841458880 = 0.161125160 (ref 16.112516018512967 %). */
  r = run(make(20, 0, 0, 0, 0));
  assert_true(r.n == 20 && r.satisfied == 0);
  assert_true(r.score == 0.0 && r.mean == 1.0 && r.ci95_low == 0.0);
  check_rel(r.ci95_high, 16.112516018512967, 1e-14, "all 1s high");
  /* n = 1, one 4: score 100, mean 4, [1 / (1 + z^2), 1] = [0.2065493, 1]
   * (ref 20.654931179180274). One 3: [0, z^2 / (1 + z^2)] (ref
   * 79.34506882081972). */
  r = run(make(0, 0, 0, 1, 0));
  assert_true(r.score == 100.0 && r.mean == 4.0 && r.ci95_high == 100.0);
  check_rel(r.ci95_low, 20.654931179180274, 1e-14, "one 4 low");
  r = run(make(0, 0, 1, 0, 0));
  assert_true(r.score == 0.0 && r.mean == 3.0 && r.ci95_low == 0.0);
  check_rel(r.ci95_high, 79.34506882081972, 1e-14, "one 3 high");
}

static void test_mixed(void **state) {
  (void)state;
  /* 70 satisfied of 90 (the cli.md example's n and satisfied): by hand
   * score 7000 / 90 = 77.7778, mean (5 + 10 + 30 + 160 + 150) / 90 =
   * 355 / 90 = 3.94444; Wilson from ref [68.1526895263864,
   * 85.12866457452022] (cli.md prints [68.2, 85.1]). */
  cxm_csat_result r = run(make(5, 5, 10, 40, 30));
  assert_true(r.n == 90 && r.satisfied == 70);
  check_rel(r.score, 77.77777777777777, 1e-15, "score");
  check_rel(r.mean, 3.9444444444444446, 1e-15, "mean");
  check_rel(r.ci95_low, 68.1526895263864, 1e-14, "low");
  check_rel(r.ci95_high, 85.12866457452022, 1e-14, "high");
  r = run(make(10, 10, 10, 35, 35));
  check_rel(r.score, 70.0, 1e-15, "score 2");
  check_rel(r.mean, 3.75, 1e-15, "mean 2");
  check_rel(r.ci95_low, 60.41514528775586, 1e-14, "low 2");
  check_rel(r.ci95_high, 78.10511476148429, 1e-14, "high 2");
}

static void test_huge(void **state) {
  (void)state;
  /* 2^62 ones and 2^62 + 3 fives: n = 2^63 + 3; score is 50 + a relative
   * 1.6e-19 (rounds to 50), mean (2^62 + 5 (2^62 + 3)) / (2^63 + 3) =
   * 3 + 12 / (2^63 + 3) -> 3.0 in double; ref Wilson [49.99999996773191,
   * 50.00000003226809]. A sum of 5 * count in uint64 would have wrapped. */
  const uint64_t q = (uint64_t)1 << 62;
  cxm_csat_result r = run(make(q, 0, 0, 0, q + 3));
  assert_true(r.n == 2 * q + 3 && r.satisfied == q + 3);
  check_rel(r.score, 50.0, 1e-15, "score");
  check_rel(r.mean, 3.0, 1e-15, "mean");
  check_rel(r.ci95_low, 49.99999996773191, 1e-15, "low");
  check_rel(r.ci95_high, 50.00000003226809, 1e-15, "high");
  /* Every count at its maximum: n = 5 (2^64 - 1) saturates; the doubles
   * still come from the exact 128-bit sums: score 40, mean 3 (by hand). */
  r = run(make(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX));
  assert_true(r.n == UINT64_MAX && r.satisfied == UINT64_MAX);
  check_rel(r.score, 40.0, 1e-15, "max score");
  check_rel(r.mean, 3.0, 1e-15, "max mean");
  assert_true(r.ci95_low < 40.0 && r.ci95_high > 40.0 && r.ci95_high - r.ci95_low < 1e-6);
}

static void test_compare(void **state) {
  (void)state;
  /* 70 of 90 then 70 of 100. By hand: diff 70 - 77.7778 = -7.7778;
   * se = 100 sqrt(0.77778 * 0.22222 / 90 + 0.7 * 0.3 / 100) =
   * 100 sqrt(0.0019204 + 0.0021) = 6.34069; ref z -1.226644721388451,
   * p 0.219956152732964. */
  cxm_csat_acc a = make(5, 5, 10, 40, 30);
  cxm_csat_acc b = make(10, 10, 10, 35, 35);
  cxm_comparison c;
  assert_int_equal(cxm_csat_compare(&c, &a, &b), CXM_OK);
  check_rel(c.first, 77.77777777777777, 1e-15, "first");
  check_rel(c.second, 70.0, 1e-15, "second");
  check_rel(c.diff, -7.777777777777778, 1e-14, "diff");
  check_rel(c.se, 6.34069314623882, 1e-14, "se");
  check_rel(c.z, -1.226644721388451, 1e-14, "z");
  check_rel(c.p, 0.219956152732964, 1e-14, "p");
  /* Both unanimous (se 0): z and p NaN. */
  cxm_csat_acc u = make(0, 0, 0, 0, 4);
  cxm_csat_acc v = make(3, 0, 0, 0, 0);
  assert_int_equal(cxm_csat_compare(&c, &u, &v), CXM_OK);
  assert_true(c.first == 100.0 && c.second == 0.0 && c.diff == -100.0 && c.se == 0.0);
  assert_true(isnan(c.z) && isnan(c.p));
  /* An empty period: all NaN. */
  cxm_csat_acc e = make(0, 0, 0, 0, 0);
  assert_int_equal(cxm_csat_compare(&c, &a, &e), CXM_OK);
  assert_true(isnan(c.first) && isnan(c.second) && isnan(c.diff) && isnan(c.se) && isnan(c.z) && isnan(c.p));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_and_args), cmocka_unit_test(test_unanimous), cmocka_unit_test(test_mixed),
      cmocka_unit_test(test_huge),           cmocka_unit_test(test_compare),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
