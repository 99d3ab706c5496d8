/* The shifted-beta-geometric model against Fader & Hardie (2007), "How to
 * project customer retention", J. Interactive Marketing 21(1): the
 * "regular" and "high end" cohorts of 1000 customers, fitted on years
 * 0..7 (their Table 1), published estimates alpha = 0.704, beta = 1.182
 * (regular) and alpha = 0.668, beta = 3.806 (high end). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cxm/survival.h"

static const double regular[13] = {1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173};
static const double high_end[13] = {1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394};

static void test_sbg_fader_hardie(void **state) {
  cxm_sbg fit;
  double s;
  (void)state;
  fit.size = sizeof fit;
  assert_int_equal(cxm_sbg_fit(&fit, regular, 8), CXM_OK);
  assert_int_equal(fit.converged, 1);
  /* published to three decimals */
  assert_true(fabs(fit.alpha - 0.704) < 0.0005);
  assert_true(fabs(fit.beta - 1.182) < 0.0005);
  /* the projection from years 0..7 stays near the observed 17.3% of year
   * 12 (the paper's point: sBG projects well beyond the fit window) */
  assert_int_equal(cxm_sbg_survival(&s, fit.alpha, fit.beta, 12), CXM_OK);
  assert_true(s > 0.15 && s < 0.19);
  assert_int_equal(cxm_sbg_fit(&fit, high_end, 8), CXM_OK);
  assert_true(fabs(fit.alpha - 0.668) < 0.0005);
  assert_true(fabs(fit.beta - 3.806) < 0.0005);
}

/* Gradient zero at the estimate: the log-likelihood is lower a step away. */
static void test_sbg_maximum(void **state) {
  cxm_sbg fit;
  (void)state;
  fit.size = sizeof fit;
  assert_int_equal(cxm_sbg_fit(&fit, regular, 13), CXM_OK);
  for (int k = 0; k < 4; k++) {
    double a = fit.alpha * (k == 0 ? 1.01 : k == 1 ? 0.99 : 1.0);
    double b = fit.beta * (k == 2 ? 1.01 : k == 3 ? 0.99 : 1.0);
    double ll = 0, prev = 1.0, s;
    for (int t = 1; t < 13; t++) {
      assert_int_equal(cxm_sbg_survival(&s, a, b, t), CXM_OK);
      ll += (regular[t - 1] - regular[t]) * log(prev - s);
      prev = s;
    }
    ll += regular[12] * log(prev);
    assert_true(ll < fit.loglik);
  }
}

static void test_sbg_identities(void **state) {
  double s0, s1, s, r;
  (void)state;
  assert_int_equal(cxm_sbg_survival(&s0, 0.7, 1.2, 0), CXM_OK);
  assert_true(fabs(s0 - 1.0) < 1e-15);
  /* S(t) = S(t - 1) r_t */
  s = 1.0;
  for (int t = 1; t < 30; t++) {
    assert_int_equal(cxm_sbg_retention(&r, 0.7, 1.2, t), CXM_OK);
    s *= r;
    assert_int_equal(cxm_sbg_survival(&s1, 0.7, 1.2, t), CXM_OK);
    assert_true(fabs(s1 - s) < 1e-13 * s);
  }
  /* r_1 = beta / (alpha + beta) */
  assert_int_equal(cxm_sbg_retention(&r, 0.7, 1.2, 1), CXM_OK);
  assert_true(fabs(r - 1.2 / 1.9) < 1e-15);
}

static void test_sbg_errors(void **state) {
  const double flat[3] = {100, 100, 100}, rising[3] = {100, 90, 95}, neg[3] = {100, 90, -1};
  cxm_sbg fit;
  double v;
  (void)state;
  fit.size = sizeof fit;
  fit.alpha = 42;
  assert_int_equal(cxm_sbg_fit(&fit, flat, 3), CXM_E_VALUE);
  assert_int_equal(cxm_sbg_fit(&fit, rising, 3), CXM_E_VALUE);
  assert_int_equal(cxm_sbg_fit(&fit, neg, 3), CXM_E_VALUE);
  assert_int_equal(cxm_sbg_fit(&fit, regular, 1), CXM_E_VALUE);
  assert_int_equal(cxm_sbg_fit(NULL, regular, 3), CXM_E_ARG);
  assert_true(fit.alpha == 42);
  fit.size = 1;
  assert_int_equal(cxm_sbg_fit(&fit, regular, 3), CXM_E_SIZE);
  assert_int_equal(cxm_sbg_survival(&v, 0, 1, 1), CXM_E_VALUE);
  assert_int_equal(cxm_sbg_survival(&v, 1, 1, -1), CXM_E_VALUE);
  assert_int_equal(cxm_sbg_retention(&v, 1, 1, 0.5), CXM_E_VALUE);
  assert_int_equal(cxm_sbg_retention(NULL, 1, 1, 1), CXM_E_ARG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sbg_fader_hardie),
      cmocka_unit_test(test_sbg_maximum),
      cmocka_unit_test(test_sbg_identities),
      cmocka_unit_test(test_sbg_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
