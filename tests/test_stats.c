/* Tests of src/math/stats.c: normal and Student t distribution functions, the
 * Wilson interval and the 128-bit count sums.
 *
 * Reference values: unless a comment says "by hand", every literal below
 * was printed by tools/reference_survey.py: normal quantiles by
 * scipy.stats.norm.ppf (checked there against mpmath erfinv); t quantiles
 * and CDFs by mpmath (regularised incomplete beta in 60-90 digits; scipy
 * 1.10's t.ppf, accurate to only ~1e-10, is printed beside them there as
 * a cross-check); two-sided p by mpmath erfc (scipy's norm.sf beside it). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>

#include "math/stats.h"

static void check_rel(double got, double want, double rel, const char *what, double a, double b) {
  double err = fabs(got - want);
  double tol = rel * fabs(want);
  if (!(err <= tol) && !(got == want)) {
    fail_msg("%s(%.17g, %.17g): got %.17g want %.17g (rel err %.3g > %.3g)", what, a, b, got, want,
             want != 0.0 ? err / fabs(want) : err, rel);
  }
}

/* ---- normal ------------------------------------------------------------ */

static void test_normal_quantile_table(void **state) {
  (void)state;
  static const double cases[][2] = {
      {0.975, 1.959963984540054},
      {0.995, 2.5758293035489004},
      {0.5, 0.0},
      {0.3, -0.5244005127080409},
      {0.025, -1.9599639845400545},
      {1e-05, -4.264890793922825},
      {1e-10, -6.361340902404056},
      {1e-20, -9.262340089798409},
      {1e-100, -21.273453560965322},
      {1e-300, -37.0470962993612},
      {2.2250738585072014e-308, -37.5193793471445},
      {5e-324, -38.467405617144344},
      {0.9999999999, 6.361340889697422},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    /* AS 241 is good to ~1e-16; allow a few ulp. */
    check_rel(cxmi_normal_quantile(cases[i][0]), cases[i][1], 1e-15, "normal_quantile", cases[i][0], 0);
  }
}

static void test_normal_quantile_edges(void **state) {
  (void)state;
  assert_true(isinf(cxmi_normal_quantile(0.0)) && cxmi_normal_quantile(0.0) < 0);
  assert_true(isinf(cxmi_normal_quantile(1.0)) && cxmi_normal_quantile(1.0) > 0);
  assert_true(isnan(cxmi_normal_quantile(-0.1)));
  assert_true(isnan(cxmi_normal_quantile(1.1)));
  assert_true(isnan(cxmi_normal_quantile(NAN)));
  /* Exact antisymmetry for dyadic p, where 1 - p and p - 1/2 are exact. */
  for (int k = 1; k < 512; k++) {
    double p = k / 1024.0;
    assert_true(cxmi_normal_quantile(p) == -cxmi_normal_quantile(1.0 - p));
  }
}

static void test_normal_cdf_roundtrip(void **state) {
  (void)state;
  /* Phi(Phi^-1(p)) = p, relative, far into the lower tail: the cdf must
   * not lose the tail (erfc, not 1 + erf). Relative slack grows like
   * x^2 * eps from the rounding of x. */
  for (double p = 1e-300; p < 0.5; p *= 7.3) {
    double x = cxmi_normal_quantile(p);
    check_rel(cxmi_normal_cdf(x), p, 1e-15 * (1.0 + x * x), "cdf(quantile)", p, 0);
    check_rel(cxmi_normal_sf(-x), p, 1e-15 * (1.0 + x * x), "sf(-quantile)", p, 0);
  }
  /* By hand: Phi(0) = 1/2; Phi(-inf) = 0; Phi(inf) = 1. */
  assert_true(cxmi_normal_cdf(0.0) == 0.5);
  assert_true(cxmi_normal_cdf(-INFINITY) == 0.0);
  assert_true(cxmi_normal_cdf(INFINITY) == 1.0);
  assert_true(isnan(cxmi_normal_cdf(NAN)));
}

static void test_two_sided_p(void **state) {
  (void)state;
  /* {z, P(|Z| >= |z|)}: mpmath erfc(|z| / sqrt 2), 40 digits. */
  static const double cases[][2] = {
      {0.0, 1.0},
      {1.0, 0.3173105078629141},
      {1.959964, 0.0499999981928848},
      {3.0, 0.002699796063260189},
      {5.0, 5.733031437583878e-07},
      {10.0, 1.523970604832105e-23},
      {20.0, 5.5072482372124675e-89},
      {37.0, 1.1451142445049154e-299},
      {-2.5, 0.01241933065155227},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    /* erfc(|z| / sqrt 2): rounding |z| / sqrt 2 costs a relative z^2 eps
     * in the tail, in this code and in scipy's alike (mpmath: 2 Q(20) =
     * 5.5072482372124e-89, Q(37) matches to 1e-15). */
    double z = cases[i][0];
    double tol = 1e-15 * (4.0 + z * z);
    check_rel(cxmi_two_sided_p(z), cases[i][1], tol, "two_sided_p", z, 0);
    check_rel(cxmi_two_sided_p(-z), cases[i][1], tol, "two_sided_p", -z, 0);
  }
  assert_true(cxmi_two_sided_p(INFINITY) == 0.0);
  assert_true(cxmi_two_sided_p(-INFINITY) == 0.0);
  assert_true(isnan(cxmi_two_sided_p(NAN)));
}

/* ---- Student t ----------------------------------------------------------- */

static void test_t_quantile_table(void **state) {
  (void)state;
  static const double cases[][3] = {
      /* {p, df, quantile}; the brief's grid, df = 1, 2, 3, 5, 10, 30, 100, 1e6 */
      {0.975, 1.0, 12.706204736174694},
      {0.995, 1.0, 63.656741162871526},
      {0.975, 2.0, 4.302652729749462},
      {0.995, 2.0, 9.92484320091829},
      {0.975, 3.0, 3.1824463052837086},
      {0.995, 3.0, 5.840909309733355},
      {0.975, 5.0, 2.5705818356363146},
      {0.995, 5.0, 4.032142983555227},
      {0.975, 10.0, 2.2281388519862744},
      {0.995, 10.0, 3.169272672616951},
      {0.975, 30.0, 2.0422724563012378},
      {0.995, 30.0, 2.749995653567225},
      {0.975, 100.0, 1.9839715185235518},
      {0.995, 100.0, 2.6258905214380177},
      {0.975, 1000000.0, 1.9599663568141066},
      {0.995, 1000000.0, 2.575834220105334},
      /* extra: non-integer df, far tails, every code path (continued
       * fraction, Hill's expansion, Cornish-Fisher, closed forms) */
      {0.9, 1.5, 2.1963984175655376},
      {1e-10, 4.0, -416.1751403296041},
      {1e-100, 7.0, -387862584049539.9},
      {0.6, 19.0, 0.25692281979615467},
      {1e-30, 1000.0, -11.854333104084482},
      {0.975, 30000.0, 1.9600430633839347},
      {0.975, 100000.0, 1.9599877075346093},
      {0.995, 3000000.0, 2.5758309423990817},
      {0.975, 1000000000.0, 1.959963986912325},
      {1e-300, 5.0, -1.5683925590993378e+60},
      {1e-300, 2.0, -7.071067811865475e+149},
      {1e-300, 1.0, -3.1830988618379066e+299},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double p = cases[i][0];
    double df = cases[i][1];
    /* Measured worst case over these and a wider grid: 1.8e-14. */
    check_rel(cxmi_t_quantile(p, df), cases[i][2], 5e-14, "t_quantile", p, df);
    /* Antisymmetry: t(1 - p) = -t(p) exactly when 1 - p is exact. */
    if (p >= 0.5) {
      assert_true(cxmi_t_quantile(1.0 - p, df) == -cxmi_t_quantile(p, df));
    }
  }
}

static void test_t_quantile_closed_forms(void **state) {
  (void)state;
  /* By hand: df = 1 is Cauchy, t(p) = tan(pi (p - 1/2)): t(0.75) = tan(pi/4)
   * = 1. df = 2: t(p) = (2p - 1) sqrt(2 / (4 p (1 - p))): t(0.75) =
   * 0.5 * sqrt(2 / 0.75) = sqrt(2/3) = 0.816496580927726. */
  check_rel(cxmi_t_quantile(0.75, 1.0), 1.0, 1e-15, "t_quantile", 0.75, 1.0);
  check_rel(cxmi_t_quantile(0.75, 2.0), 0.816496580927726, 1e-15, "t_quantile", 0.75, 2.0);
  /* df = +inf is the normal quantile. */
  assert_true(cxmi_t_quantile(0.975, INFINITY) == cxmi_normal_quantile(0.975));
  /* Above df = 1e12 the Cornish-Fisher expansion (A&S 26.7.5), whose
   * first term is all that is left at double precision: t = z + (z^3 + z)
   * / (4 df), by hand with z = 1.959963984540054 (normal table above):
   * z^3 + z = 9.4890..., so at df = 1e13 t = z + 2.3722...e-13. At df =
   * 9.2e18 (CES with n = 2^63) the correction is below half an ulp. */
  const double z975 = 1.959963984540054;
  check_rel(cxmi_t_quantile(0.975, 1e13), z975 + (z975 * z975 * z975 + z975) / 4e13, 1e-15, "t_quantile", 0.975, 1e13);
  check_rel(cxmi_t_quantile(0.975, 9.2e18), z975, 1e-15, "t_quantile", 0.975, 9.2e18);
}

static void test_t_quantile_edges(void **state) {
  (void)state;
  assert_true(cxmi_t_quantile(0.5, 3.0) == 0.0);
  assert_true(isinf(cxmi_t_quantile(0.0, 3.0)) && cxmi_t_quantile(0.0, 3.0) < 0);
  assert_true(isinf(cxmi_t_quantile(1.0, 3.0)) && cxmi_t_quantile(1.0, 3.0) > 0);
  assert_true(isnan(cxmi_t_quantile(NAN, 3.0)));
  assert_true(isnan(cxmi_t_quantile(0.9, NAN)));
  assert_true(isnan(cxmi_t_quantile(0.9, 0.5)));
  assert_true(isnan(cxmi_t_quantile(0.9, 0.0)));
  assert_true(isnan(cxmi_t_quantile(0.9, -3.0)));
  assert_true(isnan(cxmi_t_quantile(-0.1, 3.0)));
  assert_true(isnan(cxmi_t_quantile(1.5, 3.0)));
  /* The smallest subnormal probability does not break anything. */
  double tiny = cxmi_t_quantile(5e-324, 10.0);
  assert_true(isfinite(tiny) && tiny < -1e30);
  assert_true(isinf(cxmi_t_quantile(5e-324, 1.0)) || cxmi_t_quantile(5e-324, 1.0) < -1e300);
}

static void test_t_cdf_table(void **state) {
  (void)state;
  static const double cases[][3] = {
      {-1.0, 1.0, 0.25}, /* by hand too: 1/2 + atan(-1)/pi = 1/4 */
      {-2.0, 3.0, 0.0696629842794216},
      {0.5, 10.0, 0.6860531971285135},
      {-40.0, 30.0, 6.863022597203201e-28},
      {-5.0, 1000000.0, 2.866998935445371e-07},
      {-1.96, 1000000.0, 0.024998033792634895},
      {-10000000000.0, 2.5, 7.193397190831722e-26},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    check_rel(cxmi_t_cdf(cases[i][0], cases[i][1]), cases[i][2], 2e-14, "t_cdf", cases[i][0], cases[i][1]);
  }
  assert_true(cxmi_t_cdf(0.0, 7.0) == 0.5);
  assert_true(cxmi_t_cdf(INFINITY, 7.0) == 1.0);
  assert_true(cxmi_t_cdf(-INFINITY, 7.0) == 0.0);
  assert_true(isnan(cxmi_t_cdf(NAN, 7.0)));
  assert_true(isnan(cxmi_t_cdf(1.0, 0.0)));
  assert_true(cxmi_t_cdf(-2.0, INFINITY) == cxmi_normal_cdf(-2.0));
}

/* splitmix64 (Steele, Lea & Flood 2014): a seeded PRNG written here so
 * the sweep is the same on every platform. */
static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s) { return (double)(rng_next(s) >> 11) * 0x1.0p-53; }

static void test_t_quantile_sweep(void **state) {
  (void)state;
  /* Inverse consistency on random (p, df): P(T <= t(p)) = p, compared in
   * the smaller tail where it is meaningful, with df log-uniform in
   * [1, 1e9] and the tail probability log-uniform in [1e-200, 0.5).
   * The relative tolerance is the conditioning of the tail at the
   * quantile (t pdf / tail) times the 1e-14 accuracy of the t. */
  uint64_t seed = 20261123;
  for (int i = 0; i < 3000; i++) {
    double df = pow(10.0, 9.0 * rng_unit(&seed));
    if (i % 7 == 0) {
      df = floor(df) < 1.0 ? 1.0 : floor(df);
    }
    double q = pow(10.0, -200.0 * pow(rng_unit(&seed), 3.0)) * 0.5;
    double t = cxmi_t_quantile(q, df);
    assert_true(t < 0.0 || q == 0.5);
    double back = cxmi_t_cdf(t, df);
    double tol = 1e-12 * (1.0 + fabs(t) * fabs(t) / df + log1p(fabs(t)));
    if (!(fabs(back - q) <= tol * q)) {
      fail_msg("df %.17g q %.17g: t %.17g cdf %.17g", df, q, t, back);
    }
    /* Monotone in p. */
    double t2 = cxmi_t_quantile(q * 1.01, df);
    assert_true(t2 >= t);
  }
}

/* ---- Wilson ---------------------------------------------------------------- */

static void test_wilson(void **state) {
  (void)state;
  double lo = 0.0;
  double hi = 0.0;
  const double z = CXMI_Z95;
  /* By hand, s = 0 of n = 1: lo = 0 and hi = (z^2 + z sqrt(z^2)) /
   * (2 (1 + z^2)) = z^2 / (1 + z^2) = 3.841458880... / 4.841458880...
   * = 0.7934506882081972 (tools/reference_survey.py, "one 3"). */
  cxmi_wilson(&lo, &hi, 0.0, 1.0, z);
  assert_true(lo == 0.0);
  check_rel(hi, 0.7934506882081972, 1e-15, "wilson hi", 0, 1);
  /* Mirror: s = n = 1 gives [1 - 0.79345..., 1] with 1 exact. */
  cxmi_wilson(&lo, &hi, 1.0, 0.0, z);
  assert_true(hi == 1.0);
  check_rel(lo, 1.0 - 0.7934506882081972, 1e-14, "wilson lo", 1, 0);
  /* 70 of 90 (reference script, "70 of 90"). */
  cxmi_wilson(&lo, &hi, 70.0, 20.0, z);
  check_rel(lo, 0.681526895263864, 1e-14, "wilson lo", 70, 20);
  check_rel(hi, 0.8512866457452022, 1e-14, "wilson hi", 70, 20);
  /* Swapping successes and failures mirrors the interval exactly. */
  uint64_t seed = 7;
  for (int i = 0; i < 1000; i++) {
    double s = floor(rng_unit(&seed) * 1000.0);
    double f = floor(rng_unit(&seed) * 1000.0) + (s == 0.0 ? 1.0 : 0.0);
    double lo1 = 0.0;
    double hi1 = 0.0;
    double lo2 = 0.0;
    double hi2 = 0.0;
    cxmi_wilson(&lo1, &hi1, s, f, z);
    cxmi_wilson(&lo2, &hi2, f, s, z);
    assert_true(0.0 <= lo1 && lo1 <= s / (s + f) && s / (s + f) <= hi1 && hi1 <= 1.0);
    assert_true(fabs(lo1 - (1.0 - hi2)) <= 1e-15 && fabs(hi1 - (1.0 - lo2)) <= 1e-15);
  }
  /* Small proportions keep their relative accuracy: s = 1 of 1e12. By
   * hand: hi ~ (2 + z^2 + z sqrt(z^2 + 4)) / (2 n) = (5.841459 + 1.959964 *
   * 2.800260) / 2e12 = 11.329909 / 2e12 = 5.66495e-12, and the lower root
   * lo = s^2 / (n (n + z^2) hi) ~ 1 / (1e12 * 5.66495) = 1.76524e-13 (hand
   * arithmetic to 6 digits). A difference formula would lose 11 digits. */
  cxmi_wilson(&lo, &hi, 1.0, 1e12 - 1.0, z);
  check_rel(hi, 5.66495e-12, 1e-5, "wilson hi", 1, 1e12);
  check_rel(lo, 1.76524e-13, 1e-5, "wilson lo", 1, 1e12);
  check_rel(lo * hi * (1e12 + z * z) * 1e12, 1.0, 1e-14, "wilson product", 1, 1e12);
  /* Invalid input. */
  cxmi_wilson(&lo, &hi, 0.0, 0.0, z);
  assert_true(isnan(lo) && isnan(hi));
  cxmi_wilson(&lo, &hi, -1.0, 3.0, z);
  assert_true(isnan(lo) && isnan(hi));
  cxmi_wilson(&lo, &hi, NAN, 3.0, z);
  assert_true(isnan(lo) && isnan(hi));
  cxmi_wilson(&lo, &hi, 1.0, 3.0, 0.0);
  assert_true(isnan(lo) && isnan(hi));
  cxmi_wilson(NULL, NULL, 1.0, 3.0, z); /* NULL outputs are ignored */
}

/* ---- 128-bit sums -------------------------------------------------------- */

static void test_u128(void **state) {
  (void)state;
  const uint64_t m = UINT64_MAX;
  uint64_t c[3] = {m, m, 5};
  /* By hand: 2 (2^64 - 1) + 5 = 2^65 + 3 -> hi 2, lo 3. */
  cxmi_u128 s = cxmi_u128_sum(c, 3);
  assert_true(s.hi == 2 && s.lo == 3);
  assert_true(cxmi_u128_saturate(s) == m);
  assert_true(cxmi_u128_to_double(s) == 0x1.0p65);
  cxmi_u128 z = cxmi_u128_sum(c, 0);
  assert_true(z.hi == 0 && z.lo == 0);
  /* (2^64 - 1) * 7 = 7 * 2^64 - 7 -> hi 6, lo 2^64 - 7. */
  cxmi_u128 a = {0, 0};
  cxmi_u128_add_mul(&a, m, 7);
  assert_true(a.hi == 6 && a.lo == m - 6);
  cxmi_u128_add_mul(&a, 7, 1);
  assert_true(a.hi == 7 && a.lo == 0);
  /* 2^62 * 3 + 1 * 5 exactly (no carry). */
  cxmi_u128 b = {0, 0};
  cxmi_u128_add_mul(&b, (uint64_t)1 << 62, 3);
  cxmi_u128_add_mul(&b, 1, 5);
  assert_true(b.hi == 0 && b.lo == ((uint64_t)3 << 62) + 5);
  /* Differences: exact, then one rounding. */
  cxmi_u128 p = {0, ((uint64_t)1 << 62) + 1};
  cxmi_u128 d = {0, (uint64_t)1 << 62};
  assert_true(cxmi_u128_diff_to_double(p, d) == 1.0);
  assert_true(cxmi_u128_diff_to_double(d, p) == -1.0);
  cxmi_u128 big = {1, 0};
  cxmi_u128 one = {0, 1};
  assert_true(cxmi_u128_diff_to_double(big, one) == 18446744073709551615.0);
  assert_true(cxmi_u128_diff_to_double(one, big) == -18446744073709551615.0);
  assert_true(cxmi_u128_diff_to_double(big, big) == 0.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_normal_quantile_table),
      cmocka_unit_test(test_normal_quantile_edges),
      cmocka_unit_test(test_normal_cdf_roundtrip),
      cmocka_unit_test(test_two_sided_p),
      cmocka_unit_test(test_t_quantile_table),
      cmocka_unit_test(test_t_quantile_closed_forms),
      cmocka_unit_test(test_t_quantile_edges),
      cmocka_unit_test(test_t_cdf_table),
      cmocka_unit_test(test_t_quantile_sweep),
      cmocka_unit_test(test_wilson),
      cmocka_unit_test(test_u128),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
