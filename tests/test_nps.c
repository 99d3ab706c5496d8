/* Tests of NPS (src/survey/nps.c): score, standard error, Wald and adjusted Wald
 * intervals, and the two-period comparison.
 *
 * Every "ref" literal was printed by tools/reference_survey.py, which
 * evaluates the spec's formulas literally (pP + pD - (pP - pD)^2, etc.)
 * over exact fractions in 50-digit arithmetic, independent of the C code.
 * Cases marked "by hand" show their arithmetic. */
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

/* A full result to compare against. */
typedef struct expect {
  double score, se, lo, hi, alo, ahi;
} expect;

static cxm_nps_acc make(const uint64_t c[11]) {
  cxm_nps_acc a;
  memcpy(a.count, c, sizeof a.count);
  return a;
}

static void check_nps(const uint64_t c[11], expect e, double rel) {
  cxm_nps_acc a = make(c);
  cxm_nps_result r;
  assert_int_equal(cxm_nps_compute(&r, &a), CXM_OK);
  /* The interval bounds are differences score -+ 1.96 se, so their
   * relative error is measured against the larger of the two. */
  double scale = fabs(e.score) + fabs(e.se) * 2.0 + 1e-300;
  check_rel(r.score, e.score, rel, "score");
  check_rel(r.se, e.se, rel, "se");
  assert_true(fabs(r.ci95_low - e.lo) <= rel * scale);
  assert_true(fabs(r.ci95_high - e.hi) <= rel * scale);
  double ascale = fabs(e.alo) + fabs(e.ahi);
  assert_true(fabs(r.adjusted_low - e.alo) <= rel * ascale);
  assert_true(fabs(r.adjusted_high - e.ahi) <= rel * ascale);
}

static void test_empty(void **state) {
  (void)state;
  /* n = 0: counts 0 and every double NaN (absent, never 0). */
  uint64_t c[11] = {0};
  cxm_nps_acc a = make(c);
  cxm_nps_result r;
  memset(&r, 0x5A, sizeof r);
  assert_int_equal(cxm_nps_compute(&r, &a), CXM_OK);
  assert_true(r.n == 0 && r.promoters == 0 && r.passives == 0 && r.detractors == 0);
  assert_true(isnan(r.score) && isnan(r.se) && isnan(r.ci95_low) && isnan(r.ci95_high));
  assert_true(isnan(r.adjusted_low) && isnan(r.adjusted_high));
}

static void test_args(void **state) {
  (void)state;
  cxm_nps_acc a;
  memset(&a, 0, sizeof a);
  cxm_nps_result r;
  cxm_comparison cmp;
  assert_int_equal(cxm_nps_compute(NULL, &a), CXM_E_ARG);
  assert_int_equal(cxm_nps_compute(&r, NULL), CXM_E_ARG);
  assert_int_equal(cxm_nps_compare(NULL, &a, &a), CXM_E_ARG);
  assert_int_equal(cxm_nps_compare(&cmp, NULL, &a), CXM_E_ARG);
  assert_int_equal(cxm_nps_compare(&cmp, &a, NULL), CXM_E_ARG);
}

static void test_one_answer(void **state) {
  (void)state;
  /* By hand, one promoter: score 100, pP = 1, pD = 0, var = 1 + 0 - 1 = 0,
   * se 0, interval [100, 100]. Adjusted: n' = 4, P' = 1.75 / 4 = 0.4375,
   * D' = 0.75 / 4 = 0.1875, centre 100 (P' - D') = 25; var' = 0.625 -
   * 0.0625 = 0.5625, se' = 100 sqrt(0.5625 / 4) = 37.5, half-width
   * 1.959964 * 37.5 = 73.49865: [-48.49865, 98.49865] (ref agrees). */
  const uint64_t pro[11] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  check_nps(pro, (expect){100.0, 0.0, 100.0, 100.0, -48.49865, 98.49865}, 1e-14);
  cxm_nps_acc a = make(pro);
  cxm_nps_result r;
  assert_int_equal(cxm_nps_compute(&r, &a), CXM_OK);
  assert_true(r.n == 1 && r.promoters == 1 && r.passives == 0 && r.detractors == 0);
  /* One detractor (a 6): the mirror image. */
  const uint64_t det[11] = {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
  check_nps(det, (expect){-100.0, 0.0, -100.0, -100.0, -98.49865, 48.49865}, 1e-14);
  /* One passive (an 8): score 0, se 0; adjusted P' = D' = 0.1875, centre
   * 0, var' = 0.375, se' = 100 sqrt(0.375 / 4) = 30.6186218, half-width
   * 60.0113964 (ref: 60.01139642780361). */
  const uint64_t pas[11] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
  check_nps(pas, (expect){0.0, 0.0, 0.0, 0.0, -60.01139642780361, 60.01139642780361}, 1e-14);
}

static void test_unanimous(void **state) {
  (void)state;
  /* By hand, ten promoters (four 9s, six 10s): score 100, se 0. Adjusted:
   * n' = 13, P' = 10.75 / 13, D' = 0.75 / 13, centre 1000 / 13 = 76.923;
   * var' = 11.5 / 13 - (10 / 13)^2 = 0.292899, se' = 100 sqrt(0.292899 /
   * 13) = 15.0103, low 76.923 - 29.4197 = 47.5036, high clipped to 100.
   * ref: 47.503551312732746. */
  const uint64_t pro[11] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 6};
  check_nps(pro, (expect){100.0, 0.0, 100.0, 100.0, 47.503551312732746, 100.0}, 1e-14);
  /* Ten detractors (all 0s): the mirror image. */
  const uint64_t det[11] = {10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  check_nps(det, (expect){-100.0, 0.0, -100.0, -100.0, -100.0, -47.503551312732746}, 1e-14);
  /* Ten passives (five 7s, five 8s): score 0, se 0; adjusted P' = D' =
   * 0.75 / 13, var' = 1.5 / 13, se' = 100 sqrt(1.5 / 169) = 9.42111,
   * half-width 18.4650 (ref: 18.465045054708803). */
  const uint64_t pas[11] = {0, 0, 0, 0, 0, 0, 0, 5, 5, 0, 0};
  check_nps(pas, (expect){0.0, 0.0, 0.0, 0.0, -18.465045054708803, 18.465045054708803}, 1e-14);
}

static void test_mixed(void **state) {
  (void)state;
  /* By hand, 2 promoters, 1 passive, 2 detractors: pP = pD = 0.4, score 0,
   * var = 0.8 - 0 = 0.8, se = 100 sqrt(0.8 / 5) = 40, interval -+
   * 1.959964 * 40 = 78.39856. Adjusted from ref. */
  const uint64_t five[11] = {1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1};
  check_nps(five, (expect){0.0, 40.0, -78.39856, 78.39856, -57.456537714291052, 57.456537714291052}, 1e-14);
  /* The cli.md example's shape: 50 promoters, 40 passives, 30 detractors
   * of 120. By hand: score 100 (50 - 30) / 120 = 16.6667; pP = 5/12, pD =
   * 1/4, var = 2/3 - 1/36 = 23/36, se = 100 sqrt(23 / 4320) = 7.29663;
   * Wald [16.6667 - 14.3011, 16.6667 + 14.3011] = [2.36554, 30.96779].
   * (cli.md prints se 7.1 and [2.7, 30.6]: its numbers are illustrative,
   * not computed; see docs/metrics.md.) Adjusted from ref. */
  const uint64_t cli[11] = {0, 0, 0, 0, 0, 30, 0, 20, 20, 25, 25};
  check_nps(cli,
            (expect){16.666666666666668, 7.2966252980909427, 2.3655437609191501, 30.967789572414183, 2.1646940905921768,
                     30.355631112659857},
            1e-14);
  /* Digits of pi as counts (ref only). */
  const uint64_t pi[11] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
  check_nps(pi,
            (expect){-38.636363636363633, 11.68451909478236, -61.537600419449653, -15.735126853277622,
                     -58.374401819209687, -13.966023712705207},
            1e-14);
}

static void test_huge_counts(void **state) {
  (void)state;
  /* P = 2^62 + 1, D = 2^62: the score is 100 / (2^63 + 1) = 1.0842e-17;
   * computing P - D in doubles would give 0. se from ref (exact
   * fractions): 3.2927225399135964e-08. */
  uint64_t c[11] = {0};
  c[0] = (uint64_t)1 << 62;
  c[10] = ((uint64_t)1 << 62) + 1;
  cxm_nps_acc a = make(c);
  cxm_nps_result r;
  assert_int_equal(cxm_nps_compute(&r, &a), CXM_OK);
  assert_true(r.n == ((uint64_t)1 << 63) + 1);
  assert_true(r.promoters == ((uint64_t)1 << 62) + 1 && r.detractors == (uint64_t)1 << 62);
  check_rel(r.score, 1.0842021724855044e-17, 1e-15, "huge score");
  check_rel(r.se, 3.2927225399135964e-08, 1e-14, "huge se");
  check_rel(r.ci95_low, -6.4536176391350099e-08, 1e-14, "huge lo");
  check_rel(r.ci95_high, 6.4536176413034143e-08, 1e-14, "huge hi");
  /* 2^62 each of 0, 8 and 10 (n = 3 * 2^62, 2^64 > n > 2^63): score 0,
   * se = 100 sqrt((2/3) / n) (by hand: pP = pD = 1/3), ref
   * 2.1951483599423976e-08. */
  uint64_t d[11] = {0};
  d[0] = d[8] = d[10] = (uint64_t)1 << 62;
  a = make(d);
  assert_int_equal(cxm_nps_compute(&r, &a), CXM_OK);
  assert_true(r.n == (uint64_t)3 << 62 && r.passives == (uint64_t)1 << 62);
  assert_true(r.score == 0.0);
  check_rel(r.se, 2.1951483599423976e-08, 1e-14, "huge se 2");
  check_rel(r.adjusted_high, 4.302411760146141e-08, 1e-14, "huge adjusted");
  /* Counts whose sum passes 2^64 (possible only by filling the struct by
   * hand): integers saturate, doubles stay exact. Every answer a 10
   * (2^64 - 1 of them) plus 2^64 - 1 answers of 9: n = 2^65 - 2. */
  uint64_t e[11] = {0};
  e[9] = e[10] = UINT64_MAX;
  a = make(e);
  assert_int_equal(cxm_nps_compute(&r, &a), CXM_OK);
  assert_true(r.n == UINT64_MAX && r.promoters == UINT64_MAX);
  assert_true(r.score == 100.0 && r.se == 0.0 && r.ci95_low == 100.0);
}

/* splitmix64 (Steele, Lea & Flood 2014). */
static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static void test_invariants(void **state) {
  (void)state;
  /* On random accumulators: the Wald interval brackets the score within
   * [-100, 100] and is score -+ z se before clipping; swapping promoters
   * and detractors mirrors everything. */
  uint64_t seed = 42;
  for (int it = 0; it < 2000; it++) {
    uint64_t c[11];
    uint64_t m[11];
    int shift = (int)(rng_next(&seed) % 60);
    for (int i = 0; i < 11; i++) {
      c[i] = (rng_next(&seed) % 4 == 0) ? 0 : (rng_next(&seed) >> (4 + shift));
    }
    /* mirror: detractors 0..6 <-> promoters 9..10 needs equal bins; use
     * value 0 <-> 10 and 6 <-> 9 and clear 1..5 in the mirror test. */
    for (int i = 1; i <= 5; i++) {
      c[i] = 0;
    }
    memcpy(m, c, sizeof m);
    m[0] = c[10];
    m[10] = c[0];
    m[6] = c[9];
    m[9] = c[6];
    cxm_nps_acc a = make(c);
    cxm_nps_acc b = make(m);
    cxm_nps_result r;
    cxm_nps_result s;
    assert_int_equal(cxm_nps_compute(&r, &a), CXM_OK);
    assert_int_equal(cxm_nps_compute(&s, &b), CXM_OK);
    if (r.n == 0) {
      assert_true(isnan(r.score));
      continue;
    }
    assert_true(r.n == r.promoters + r.passives + r.detractors);
    assert_true(-100.0 <= r.ci95_low && r.ci95_low <= r.score && r.score <= r.ci95_high && r.ci95_high <= 100.0);
    assert_true(-100.0 <= r.adjusted_low && r.adjusted_low <= r.adjusted_high && r.adjusted_high <= 100.0);
    assert_true(r.se >= 0.0 && r.se <= 100.0);
    assert_true(s.score == -r.score && s.se == r.se);
    assert_true(s.ci95_low == -r.ci95_high && s.adjusted_low == -r.adjusted_high);
  }
}

static void test_compare(void **state) {
  (void)state;
  /* cli.md shape vs pi digits; ref: diff -55.303030303030305, se
   * 13.775657052100067 (= sqrt(7.29663^2 + 11.68452^2), by hand 13.7757),
   * z -4.01454755253213, p 5.955993544865823e-05. */
  const uint64_t cli[11] = {0, 0, 0, 0, 0, 30, 0, 20, 20, 25, 25};
  const uint64_t pi[11] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
  cxm_nps_acc a = make(cli);
  cxm_nps_acc b = make(pi);
  cxm_comparison c;
  assert_int_equal(cxm_nps_compare(&c, &a, &b), CXM_OK);
  check_rel(c.first, 16.666666666666668, 1e-15, "first");
  check_rel(c.second, -38.63636363636363, 1e-15, "second");
  check_rel(c.diff, -55.303030303030305, 1e-15, "diff");
  check_rel(c.se, 13.775657052100067, 1e-14, "se");
  check_rel(c.z, -4.01454755253213, 1e-14, "z");
  check_rel(c.p, 5.955993544865823e-05, 1e-13, "p");
  /* Order matters: diff = second - first. */
  cxm_comparison d;
  assert_int_equal(cxm_nps_compare(&d, &b, &a), CXM_OK);
  assert_true(d.diff == -c.diff && d.z == -c.z && d.p == c.p);
  /* Ten detractors (se 0) then the cli shape: se is the second's alone;
   * ref z 15.989126740164501, p 1.5214883707497282e-57 (far tail). */
  const uint64_t det[11] = {10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  cxm_nps_acc e = make(det);
  assert_int_equal(cxm_nps_compare(&c, &e, &a), CXM_OK);
  check_rel(c.diff, 116.66666666666667, 1e-15, "diff");
  check_rel(c.se, 7.296625298090943, 1e-14, "se");
  check_rel(c.z, 15.989126740164501, 1e-14, "z");
  check_rel(c.p, 1.5214883707497282e-57, 1e-12, "p");
  /* Same answers twice: diff 0, z 0, p 1 (by hand). */
  assert_int_equal(cxm_nps_compare(&c, &a, &a), CXM_OK);
  assert_true(c.diff == 0.0 && c.z == 0.0 && c.p == 1.0);
  /* Both unanimous: se 0, so z and p are NaN but the scores are there. */
  const uint64_t pro[11] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
  cxm_nps_acc f = make(pro);
  assert_int_equal(cxm_nps_compare(&c, &e, &f), CXM_OK);
  assert_true(c.first == -100.0 && c.second == 100.0 && c.diff == 200.0 && c.se == 0.0);
  assert_true(isnan(c.z) && isnan(c.p));
  /* Either period empty: everything NaN. */
  const uint64_t none[11] = {0};
  cxm_nps_acc g = make(none);
  assert_int_equal(cxm_nps_compare(&c, &g, &a), CXM_OK);
  assert_true(isnan(c.first) && isnan(c.second) && isnan(c.diff) && isnan(c.se) && isnan(c.z) && isnan(c.p));
  assert_int_equal(cxm_nps_compare(&c, &a, &g), CXM_OK);
  assert_true(isnan(c.first) && isnan(c.diff) && isnan(c.p));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty),      cmocka_unit_test(test_args),    cmocka_unit_test(test_one_answer),
      cmocka_unit_test(test_unanimous),  cmocka_unit_test(test_mixed),   cmocka_unit_test(test_huge_counts),
      cmocka_unit_test(test_invariants), cmocka_unit_test(test_compare),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
