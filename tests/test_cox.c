/* Cox proportional hazards against R's coxph (Breslow and Efron ties,
 * right-censored and delayed-entry rows; tools/survival_reference.R). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cxm/survival.h"
#include "survival_data.h"
#include "test_helpers.h"

static surv_data D;
static double X2[SURV_MAX_ROWS * 2], X3[SURV_MAX_ROWS * 3];

static void check_cox(const char *file, const double *start, const double *x, size_t p, int32_t ties) {
  cxm_cox_options o;
  cxm_cox *cox = NULL;
  cxm_cox_summary s;
  cxm_cox_options_init(&o);
  o.ties = ties;
  assert_int_equal(cxm_cox_fit(&cox, NULL, start, D.time, D.event, x, D.n, p, &o), CXM_OK);
  for (size_t j = 0; j < p; j++) {
    cxm_cox_coef c;
    c.size = sizeof c;
    assert_int_equal(cxm_cox_coef_get(&c, cox, j), CXM_OK);
    assert_true(close_rel(c.beta, ref_at(file, "coef", j), 1e-7));
    assert_true(close_rel(c.se, ref_at(file, "se", j), 1e-7));
    assert_true(close_rel(c.hr_lower, ref_at(file, "hr_lower", j), 1e-7));
    assert_true(close_rel(c.hr_upper, ref_at(file, "hr_upper", j), 1e-7));
    assert_true(close_rel(c.hr, exp(c.beta), 1e-15));
  }
  s.size = sizeof s;
  assert_int_equal(cxm_cox_summary_get(&s, cox), CXM_OK);
  assert_int_equal(s.converged, 1);
  assert_true((double)s.events == ref_value(file, "events"));
  assert_true(close_rel(s.loglik0, ref_value(file, "loglik0"), 1e-12));
  assert_true(close_rel(s.loglik, ref_value(file, "loglik"), 1e-10));
  assert_true(close_rel(s.score_chisq, ref_value(file, "score"), 1e-10));
  assert_true(close_rel(s.wald_chisq, ref_value(file, "wald"), 1e-6));
  cxm_cox_free(cox);
}

static void test_cox_breslow(void **state) {
  (void)state;
  check_cox("ref_cox_breslow.txt", NULL, X2, 2, CXM_COX_BRESLOW);
}
static void test_cox_efron(void **state) {
  (void)state;
  check_cox("ref_cox_efron.txt", NULL, X2, 2, CXM_COX_EFRON);
}
static void test_cox_entry_breslow(void **state) {
  (void)state;
  check_cox("ref_cox_entry_breslow.txt", D.entry, X3, 3, CXM_COX_BRESLOW);
}
static void test_cox_entry_efron(void **state) {
  (void)state;
  check_cox("ref_cox_entry_efron.txt", D.entry, X3, 3, CXM_COX_EFRON);
}

/* A customer's history split into (start, stop] rows with the same
 * covariate gives the same fit as one row: the time-varying form. */
static void test_cox_split_rows(void **state) {
  static double st[SURV_MAX_ROWS * 2], sp[SURV_MAX_ROWS * 2], xx[SURV_MAX_ROWS * 4];
  static uint8_t ev[SURV_MAX_ROWS * 2];
  size_t m = 0;
  cxm_cox *a = NULL, *b = NULL;
  (void)state;
  for (size_t i = 0; i < D.n; i++) {
    double mid = D.entry[i] + 0.5 * (D.time[i] - D.entry[i]);
    st[m] = D.entry[i];
    sp[m] = mid;
    ev[m] = 0;
    xx[2 * m] = D.x1[i];
    xx[2 * m + 1] = D.x2[i];
    m++;
    st[m] = mid;
    sp[m] = D.time[i];
    ev[m] = D.event[i];
    xx[2 * m] = D.x1[i];
    xx[2 * m + 1] = D.x2[i];
    m++;
  }
  assert_int_equal(cxm_cox_fit(&a, NULL, D.entry, D.time, D.event, X2, D.n, 2, NULL), CXM_OK);
  assert_int_equal(cxm_cox_fit(&b, NULL, st, sp, ev, xx, m, 2, NULL), CXM_OK);
  for (size_t j = 0; j < 2; j++) {
    cxm_cox_coef ca, cb;
    ca.size = cb.size = sizeof ca;
    assert_int_equal(cxm_cox_coef_get(&ca, a, j), CXM_OK);
    assert_int_equal(cxm_cox_coef_get(&cb, b, j), CXM_OK);
    assert_true(close_rel(ca.beta, cb.beta, 1e-9));
    assert_true(close_rel(ca.se, cb.se, 1e-9));
  }
  cxm_cox_free(a);
  cxm_cox_free(b);
}

static void test_cox_errors(void **state) {
  const double t[] = {1, 2, 3, 4}, x[] = {1, 1, 1, 1}, xn[] = {1, NAN, 0, 1}, xg[] = {0, 1, 0, 1};
  const uint8_t e[] = {1, 0, 1, 1}, none[] = {0, 0, 0, 0};
  cxm_cox_options o;
  cxm_cox *cox = NULL;
  cxm_cox_coef c;
  (void)state;
  assert_int_equal(cxm_cox_fit(NULL, NULL, NULL, t, e, xg, 4, 1, NULL), CXM_E_ARG);
  assert_int_equal(cxm_cox_fit(&cox, NULL, NULL, t, e, xg, 0, 1, NULL), CXM_E_NO_DATA);
  assert_int_equal(cxm_cox_fit(&cox, NULL, NULL, t, none, xg, 4, 1, NULL), CXM_E_NO_DATA);
  assert_int_equal(cxm_cox_fit(&cox, NULL, NULL, t, e, xn, 4, 1, NULL), CXM_E_VALUE);
  assert_int_equal(cxm_cox_fit(&cox, NULL, NULL, t, e, xg, 4, 0, NULL), CXM_E_OPTION);
  /* a constant covariate has no information */
  assert_int_equal(cxm_cox_fit(&cox, NULL, NULL, t, e, x, 4, 1, NULL), CXM_E_CONVERGE);
  assert_null(cox);
  cxm_cox_options_init(&o);
  o.ties = 7;
  assert_int_equal(cxm_cox_fit(&cox, NULL, NULL, t, e, xg, 4, 1, &o), CXM_E_OPTION);
  o.size = 3;
  assert_int_equal(cxm_cox_fit(&cox, NULL, NULL, t, e, xg, 4, 1, &o), CXM_E_SIZE);
  assert_null(cox);
  assert_int_equal(cxm_cox_fit(&cox, NULL, NULL, t, e, xg, 4, 1, NULL), CXM_OK);
  c.size = sizeof c;
  assert_int_equal(cxm_cox_coef_get(&c, cox, 1), CXM_E_NOT_FOUND);
  c.size = 1;
  assert_int_equal(cxm_cox_coef_get(&c, cox, 0), CXM_E_SIZE);
  cxm_cox_free(cox);
  cxm_cox_free(NULL);
}

/* Monotone likelihood: every loss has x = 1 before any x = 0 row is lost. */
static void test_cox_monotone(void **state) {
  const double t[] = {1, 2, 3, 4, 5, 6}, x[] = {1, 1, 1, 0, 0, 0};
  const uint8_t e[] = {1, 1, 1, 1, 0, 0};
  cxm_cox *cox = NULL;
  cxm_cox_coef c;
  (void)state;
  assert_int_equal(cxm_cox_fit(&cox, NULL, NULL, t, e, x, 6, 1, NULL), CXM_OK);
  c.size = sizeof c;
  assert_int_equal(cxm_cox_coef_get(&c, cox, 0), CXM_OK);
  assert_true(c.beta > 10 && c.se > 100 * c.beta && c.p > 0.9);
  cxm_cox_free(cox);
}

static void test_cox_alloc_failures(void **state) {
  (void)state;
  for (long fail_at = 0;; fail_at++) {
    failing_alloc fa = {fail_at, 0, 0};
    cxm_allocator hooks = failing_hooks(&fa);
    cxm_cox *cox = NULL;
    int32_t rc = cxm_cox_fit(&cox, &hooks, D.entry, D.time, D.event, X2, D.n, 2, NULL);
    if (rc == CXM_OK) {
      cxm_cox_free(cox);
      assert_int_equal(fa.live_bytes, 0);
      break;
    }
    assert_int_equal(rc, CXM_E_NOMEM);
    assert_null(cox);
    assert_int_equal(fa.live_bytes, 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cox_breslow),        cmocka_unit_test(test_cox_efron),
      cmocka_unit_test(test_cox_entry_breslow),  cmocka_unit_test(test_cox_entry_efron),
      cmocka_unit_test(test_cox_split_rows),     cmocka_unit_test(test_cox_errors),
      cmocka_unit_test(test_cox_alloc_failures), cmocka_unit_test(test_cox_monotone),
  };
  if (!surv_load(&D)) {
    fprintf(stderr, "cannot read tests/data/survival/data.csv (CXM_SOURCE_ROOT?)\n");
    return 1;
  }
  for (size_t i = 0; i < D.n; i++) {
    X2[2 * i] = X3[3 * i] = D.x1[i];
    X2[2 * i + 1] = X3[3 * i + 1] = D.x2[i];
    X3[3 * i + 2] = D.group[i];
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
