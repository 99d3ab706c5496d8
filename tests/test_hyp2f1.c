/* Tests of the Gauss hypergeometric function (src/math/hyp2f1.c).
 *
 * Reference values: mpmath.hyp2f1 at 40 digits, printed by
 * tools/purchase_reference.py (section "# 2F1"; the b = 1.3 ... 0.99 cases
 * at z = 0.98 by mpmath.hyp2f1 at 30 digits), and closed forms:
 * 2F1(1, 1; 2; z) = -ln(1 - z) / z (A&S 15.1.3) and
 * 2F1(a, b; b; z) = (1 - z)^(-a) (A&S 15.1.8). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "math/hyp2f1.h"

static double f(double a, double b, double c, double z) {
  int sign = 0;
  double l = cxmi_hyp2f1_log(&sign, a, b, c, z);
  return (double)sign * exp(l);
}

static void close_rel(double got, double want, double rel) {
  if (!(fabs(got - want) <= rel * fabs(want))) {
    fail_msg("got %.17g want %.17g", got, want);
  }
}

static void test_mpmath_values(void **state) {
  (void)state;
  close_rel(f(1, 1, 2, 0.5), 1.3862943611198906, 1e-14);
  close_rel(f(0.5, 2.5, 1.5, 0.9), 12.649110640673521, 1e-13);
  close_rel(f(0.8, 1.6, 2.9, -3), 0.49124012838138585, 1e-13);
  close_rel(f(0.25, 2.4, 2.2, 0.999), 11.465819107143874, 1e-12);
  close_rel(f(1.55, 1.6, 2.55, 0.99), 36.913542580415499, 1e-12);
  close_rel(f(3.5, 1.2, 4.5, -0.3), 0.77951343364297405, 1e-14);
  /* beyond double range: compare logarithms */
  int sign = 0;
  double l = cxmi_hyp2f1_log(&sign, 2001.2, 2002.4, 2002.2, 0.4);
  assert_int_equal(sign, 1);
  close_rel(l, 1022.366363442022, 1e-13);
}

static void test_closed_forms(void **state) {
  (void)state;
  for (double z = -50.0; z < 0.9999; z += z < -1.0 ? 1.7 : 0.0137) {
    double want = z == 0.0 ? 1.0 : -log1p(-z) / z;
    close_rel(f(1, 1, 2, z), want, 2e-13);
    close_rel(f(0.7, 3.3, 3.3, z), pow(1.0 - z, -0.7), 2e-13);
  }
  close_rel(f(1, 1, 2, 0.9999), -log1p(-0.9999) / 0.9999, 1e-12);
  /* z within 1e-5 of 1 with c - a - b = 0 (an integer): interpolated,
   * documented to ~1e-7 */
  close_rel(f(1, 1, 2, 1.0 - 1e-9), -log(1e-9) / (1.0 - 1e-9), 1e-6);
  /* the connection formula in 1 - z (non-integer c - a - b), against mpmath */
  close_rel(f(1, 1.3, 2, 0.98), 7.5973980710434933, 1e-13);
  close_rel(f(1, 1.1, 2, 0.98), 4.8852820064113652, 1e-13);
  close_rel(f(1, 0.7, 2, 0.98), 2.3494915145884635, 1e-13);
  /* near an integer c - a - b: the series, still accurate */
  close_rel(f(1, 1.001, 2, 0.98), 3.9996785259277176, 1e-13);
  close_rel(f(1, 1.0001, 2, 0.98), 3.9926411238977824, 1e-13);
  close_rel(f(1, 0.99, 2, 0.98), 3.9147872696629193, 1e-13);
  /* with 1 - z given exactly */
  int sign = 0;
  double l = cxmi_hyp2f1_log2(&sign, 0.25, 2.4, 2.2, 1.0 - 1e-7, 1e-7);
  assert_int_equal(sign, 1);
  close_rel(exp(l), 680.8317051797494, 1e-12);
  l = cxmi_hyp2f1_log2(&sign, 2.5, 1.5, 3.5, 1.0 - 1e-12, 1e-12);
  assert_int_equal(sign, 1);
  close_rel(exp(l), 4999988.219047549, 1e-12);
}

static void test_domain(void **state) {
  (void)state;
  int sign = 7;
  assert_true(isnan(cxmi_hyp2f1_log(&sign, 1, 1, 2, 1.0)));
  assert_int_equal(sign, 0);
  assert_true(isnan(cxmi_hyp2f1_log(&sign, 1, 1, 0, 0.5)));
  assert_true(isnan(cxmi_hyp2f1_log(&sign, 1, 1, -1.5, 0.5)));
  assert_true(isnan(cxmi_hyp2f1_log(&sign, NAN, 1, 2, 0.5)));
  assert_true(isnan(cxmi_hyp2f1_log(&sign, 1, 1, 2, -INFINITY)));
  assert_true(cxmi_hyp2f1_log(&sign, 3, 4, 5, 0.0) == 0.0 && sign == 1);
  /* a polynomial: 2F1(-2, b; c; z) = 1 - 2bz/c + b(b+1)z^2/(c(c+1)) */
  close_rel(f(-2, 1.5, 2.5, 0.3), 1.0 - 2.0 * 1.5 * 0.3 / 2.5 + 1.5 * 2.5 * 0.09 / (2.5 * 3.5), 1e-15);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mpmath_values),
      cmocka_unit_test(test_closed_forms),
      cmocka_unit_test(test_domain),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
