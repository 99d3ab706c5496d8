/* Tests of the logistic risk model (include/cxm/risk.h): rows, the
 * penalised Newton fit against hand-worked values and an independent scipy
 * fit (tools/risk_reference.py), recovery of planted coefficients, the
 * evaluation measures against brute force, explanations, bands, edge cases
 * and allocation failure. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "cxm/risk.h"
#include "churn/risk_internal.h"
#include "test_helpers.h"

static void assert_close(double got, double want, double rel) {
  double tol = rel * fmax(1.0, fabs(want));
  if (!(fabs(got - want) <= tol)) {
    fail_msg("got %.17g, want %.17g (tolerance %.3g)", got, want, tol);
  }
}

static double uniform(uint64_t *s) { return ((double)(test_rand(s) >> 11) + 0.5) * 0x1p-53; }

static double normal(uint64_t *s) {
  /* Box-Muller */
  return sqrt(-2.0 * log(uniform(s))) * cos(6.283185307179586 * uniform(s));
}

static cxm_risk_data *new_data(int32_t k) {
  cxm_risk_data *d = NULL;
  assert_int_equal(cxm_risk_data_new(&d, k, NULL), CXM_OK);
  return d;
}

static void test_data_args(void **state) {
  (void)state;
  cxm_risk_data *d = NULL;
  double x[2] = {1.0, 2.0};
  assert_int_equal(cxm_risk_data_new(NULL, 2, NULL), CXM_E_ARG);
  assert_int_equal(cxm_risk_data_new(&d, 0, NULL), CXM_E_VALUE);
  assert_null(d);
  assert_int_equal(cxm_risk_data_new(&d, 65, NULL), CXM_E_VALUE);
  cxm_allocator half = {0};
  assert_int_equal(cxm_risk_data_new(&d, 2, &half), CXM_E_ARG);
  assert_int_equal(cxm_risk_data_new(&d, 64, NULL), CXM_OK);
  assert_int_equal(cxm_risk_data_features(d), 64);
  cxm_risk_data_free(d);
  d = new_data(2);
  assert_int_equal(cxm_risk_data_add(NULL, x, 0, 1.0), CXM_E_ARG);
  assert_int_equal(cxm_risk_data_add(d, NULL, 0, 1.0), CXM_E_ARG);
  assert_int_equal(cxm_risk_data_add(d, x, 2, 1.0), CXM_E_VALUE);
  assert_int_equal(cxm_risk_data_add(d, x, -1, 1.0), CXM_E_VALUE);
  assert_int_equal(cxm_risk_data_add(d, x, 1, 0.0), CXM_E_VALUE);
  assert_int_equal(cxm_risk_data_add(d, x, 1, -1.0), CXM_E_VALUE);
  assert_int_equal(cxm_risk_data_add(d, x, 1, NAN), CXM_E_VALUE);
  assert_int_equal(cxm_risk_data_add(d, x, 1, INFINITY), CXM_E_VALUE);
  assert_int_equal(cxm_risk_data_add(d, x, 1, 2e9), CXM_E_VALUE);
  x[1] = NAN;
  assert_int_equal(cxm_risk_data_add(d, x, 1, 1.0), CXM_E_VALUE);
  x[1] = -INFINITY;
  assert_int_equal(cxm_risk_data_add(d, x, 1, 1.0), CXM_E_VALUE);
  x[1] = 2e100;
  assert_int_equal(cxm_risk_data_add(d, x, 1, 1.0), CXM_E_VALUE);
  x[1] = -1e100;
  assert_int_equal(cxm_risk_data_add(d, x, 1, 1.0), CXM_OK);
  assert_int_equal(cxm_risk_data_count(d), 1);
  assert_int_equal(cxm_risk_data_count(NULL), 0);
  assert_int_equal(cxm_risk_data_features(NULL), 0);
  cxm_risk_data_free(d);
  cxm_risk_data_free(NULL);
}

static void test_model_set_and_args(void **state) {
  (void)state;
  cxm_risk_model m;
  double c[3] = {1.0, -2.0, 0.5}, x[3] = {1.0, 1.0, 2.0}, p;
  cxm_risk_model_init(NULL);
  cxm_risk_model_init(&m);
  assert_true(isnan(m.se[0]) && isnan(m.intercept_se) && isnan(m.log_loss));
  assert_int_equal(cxm_risk_score(&p, &m, x), CXM_E_MODEL); /* no features yet */
  assert_int_equal(cxm_risk_model_set(NULL, 3, 0.0, c), CXM_E_ARG);
  assert_int_equal(cxm_risk_model_set(&m, 3, 0.0, NULL), CXM_E_ARG);
  assert_int_equal(cxm_risk_model_set(&m, 0, 0.0, c), CXM_E_VALUE);
  assert_int_equal(cxm_risk_model_set(&m, 65, 0.0, c), CXM_E_VALUE);
  assert_int_equal(cxm_risk_model_set(&m, 3, NAN, c), CXM_E_VALUE);
  c[2] = INFINITY;
  assert_int_equal(cxm_risk_model_set(&m, 3, 0.0, c), CXM_E_VALUE);
  assert_int_equal(m.features, 0); /* unchanged */
  c[2] = 0.5;
  assert_int_equal(cxm_risk_model_set(&m, 3, -0.25, c), CXM_OK);
  assert_int_equal(m.features, 3);
  assert_true(m.coef[3] == 0.0);
  /* hand: -0.25 + 1 - 2 + 1 = -0.25 */
  assert_int_equal(cxm_risk_score(&p, &m, x), CXM_OK);
  assert_close(p, 1.0 / (1.0 + exp(0.25)), 1e-15);
  assert_int_equal(cxm_risk_score(NULL, &m, x), CXM_E_ARG);
  assert_int_equal(cxm_risk_score(&p, NULL, x), CXM_E_ARG);
  assert_int_equal(cxm_risk_score(&p, &m, NULL), CXM_E_ARG);
  x[0] = NAN;
  assert_int_equal(cxm_risk_score(&p, &m, x), CXM_E_VALUE);
  x[0] = 1.0;
  m.size = 8;
  assert_int_equal(cxm_risk_score(&p, &m, x), CXM_E_SIZE);
  assert_int_equal(cxm_risk_model_set(&m, 3, 0.0, c), CXM_E_SIZE);
  m.size = sizeof m;
  m.coef[1] = NAN;
  assert_int_equal(cxm_risk_score(&p, &m, x), CXM_E_MODEL);

  /* fit and evaluate arguments */
  cxm_risk_data *d = new_data(3);
  cxm_risk_options o;
  cxm_risk_evaluation ev;
  cxm_risk_options_init(NULL);
  cxm_risk_options_init(&o);
  assert_true(o.l2 == 1.0 && o.max_iterations == 100 && o.tolerance == 1e-10);
  cxm_risk_model_init(&m);
  assert_int_equal(cxm_risk_fit(NULL, d, NULL), CXM_E_ARG);
  assert_int_equal(cxm_risk_fit(&m, NULL, NULL), CXM_E_ARG);
  o.l2 = -1.0;
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_E_OPTION);
  o.l2 = NAN;
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_E_OPTION);
  cxm_risk_options_init(&o);
  o.max_iterations = 0;
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_E_OPTION);
  cxm_risk_options_init(&o);
  o.tolerance = 0.0;
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_E_OPTION);
  cxm_risk_options_init(&o);
  o.size = 4;
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_E_SIZE);
  m.size = 4;
  assert_int_equal(cxm_risk_fit(&m, d, NULL), CXM_E_SIZE);
  cxm_risk_model_init(&m);
  assert_int_equal(cxm_risk_model_set(&m, 2, 0.0, c), CXM_OK);
  ev.size = sizeof ev;
  assert_int_equal(cxm_risk_evaluate(&ev, &m, d), CXM_E_MODEL); /* K 2 against 3 */
  assert_int_equal(cxm_risk_model_set(&m, 3, 0.0, c), CXM_OK);
  assert_int_equal(cxm_risk_evaluate(&ev, &m, d), CXM_E_NO_DATA);
  assert_int_equal(cxm_risk_evaluate(NULL, &m, d), CXM_E_ARG);
  ev.size = 1;
  assert_int_equal(cxm_risk_evaluate(&ev, &m, d), CXM_E_SIZE);
  cxm_risk_data_free(d);
}

/* One binary feature, no penalty: the model is saturated, so the fit
 * reproduces each group's log-odds. x = 0: 1 of 4 churned, logit(1/4) =
 * -ln 3; x = 1: 3 of 4, ln 3; so b0 = -ln 3, b1 = 2 ln 3. Every row has
 * p (1 - p) = 3/16, so H = [[3/2, 3/4], [3/4, 3/4]], H^-1 = [[4/3, -4/3],
 * [-4/3, 8/3]]: se(b0) = sqrt(4/3), se(b1) = sqrt(8/3). Log-loss: the
 * entropy of 1/4 in both groups, -(1/4 ln 1/4 + 3/4 ln 3/4). */
static void test_hand_binary(void **state) {
  (void)state;
  cxm_risk_data *d = new_data(1);
  static const int y0[4] = {1, 0, 0, 0}, y1[4] = {1, 1, 0, 1};
  for (int i = 0; i < 4; i++) {
    double x0 = 0.0, x1 = 1.0;
    assert_int_equal(cxm_risk_data_add(d, &x0, y0[i], 1.0), CXM_OK);
    assert_int_equal(cxm_risk_data_add(d, &x1, y1[i], 1.0), CXM_OK);
  }
  cxm_risk_options o;
  cxm_risk_options_init(&o);
  o.l2 = 0.0;
  cxm_risk_model m;
  cxm_risk_model_init(&m);
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_OK);
  assert_int_equal(m.converged, 1);
  assert_int_equal(m.separated, 0);
  assert_int_equal(m.rows, 8);
  assert_int_equal(m.positives, 4);
  assert_close(m.intercept, -log(3.0), 1e-12);
  assert_close(m.coef[0], 2.0 * log(3.0), 1e-12);
  assert_close(m.intercept_se, sqrt(4.0 / 3.0), 1e-10);
  assert_close(m.se[0], sqrt(8.0 / 3.0), 1e-10);
  assert_close(m.log_loss, -(0.25 * log(0.25) + 0.75 * log(0.75)), 1e-13);
  assert_true(m.iterations >= 1 && m.iterations < 20);

  /* The same rows as weights: 1 row of (x 0, y 1) weight 1 and (x 0, y 0)
   * weight 3, etc. give the same fit. */
  cxm_risk_data *dw = new_data(1);
  double x0 = 0.0, x1 = 1.0;
  assert_int_equal(cxm_risk_data_add(dw, &x0, 1, 1.0), CXM_OK);
  assert_int_equal(cxm_risk_data_add(dw, &x0, 0, 3.0), CXM_OK);
  assert_int_equal(cxm_risk_data_add(dw, &x1, 1, 3.0), CXM_OK);
  assert_int_equal(cxm_risk_data_add(dw, &x1, 0, 1.0), CXM_OK);
  cxm_risk_model mw;
  cxm_risk_model_init(&mw);
  assert_int_equal(cxm_risk_fit(&mw, dw, &o), CXM_OK);
  assert_close(mw.intercept, -log(3.0), 1e-12);
  assert_close(mw.coef[0], 2.0 * log(3.0), 1e-12);
  assert_close(mw.se[0], sqrt(8.0 / 3.0), 1e-10);
  cxm_risk_data_free(d);
  cxm_risk_data_free(dw);
}

/* Shrinking towards a prior instead of 0 (cxm_risk_options.prior): on the
 * rows of test_hand_binary, a prior at the maximum-likelihood estimate
 * 2 ln 3 costs no penalty, so any l2 gives that estimate; a prior of 0 is
 * the usual fit; a huge l2 gives the prior; a prior between lands between;
 * a non-finite prior is refused. */
static void test_prior(void **state) {
  (void)state;
  cxm_risk_data *d = new_data(1);
  static const int y0[4] = {1, 0, 0, 0}, y1[4] = {1, 1, 0, 1};
  for (int i = 0; i < 4; i++) {
    double x0 = 0.0, x1 = 1.0;
    assert_int_equal(cxm_risk_data_add(d, &x0, y0[i], 1.0), CXM_OK);
    assert_int_equal(cxm_risk_data_add(d, &x1, y1[i], 1.0), CXM_OK);
  }
  cxm_risk_options o;
  cxm_risk_model m, plain, zero;
  double prior = 2.0 * log(3.0);
  cxm_risk_options_init(&o);
  assert_null(o.prior);
  o.l2 = 5.0;
  o.prior = &prior;
  cxm_risk_model_init(&m);
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_OK);
  assert_close(m.coef[0], 2.0 * log(3.0), 1e-10);
  assert_close(m.intercept, -log(3.0), 1e-10);

  o.prior = NULL;
  cxm_risk_model_init(&plain);
  assert_int_equal(cxm_risk_fit(&plain, d, &o), CXM_OK);
  prior = 0.0;
  o.prior = &prior;
  cxm_risk_model_init(&zero);
  assert_int_equal(cxm_risk_fit(&zero, d, &o), CXM_OK);
  assert_true(plain.coef[0] == zero.coef[0] && plain.intercept == zero.intercept);
  assert_true(plain.coef[0] > 0.0 && plain.coef[0] < 2.0 * log(3.0)); /* shrunk towards 0 */

  prior = 4.0;
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_OK);
  assert_true(m.coef[0] > 2.0 * log(3.0) && m.coef[0] < 4.0); /* between the data and the prior */
  o.l2 = 1e9;
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_OK);
  assert_close(m.coef[0], 4.0, 1e-6);

  prior = NAN;
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_E_OPTION);
  prior = INFINITY;
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_E_OPTION);
  cxm_risk_data_free(d);
}

/* A constant feature carries no information: b = 0, se NaN, and the
 * intercept is the log-odds of the rate, 3 of 10: ln(3/7), se 1 / sqrt(n
 * p (1 - p)) = 1 / sqrt(2.1). */
static void test_constant_feature(void **state) {
  (void)state;
  cxm_risk_data *d = new_data(2);
  for (int i = 0; i < 10; i++) {
    double x[2] = {0.1, 5.0}; /* 0.1: a mean that is not exact in binary */
    assert_int_equal(cxm_risk_data_add(d, x, i < 3, 1.0), CXM_OK);
  }
  cxm_risk_options o;
  cxm_risk_options_init(&o);
  o.l2 = 0.0;
  cxm_risk_model m;
  cxm_risk_model_init(&m);
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_OK);
  assert_close(m.intercept, log(3.0 / 7.0), 1e-13);
  assert_close(m.intercept_se, 1.0 / sqrt(2.1), 1e-12);
  assert_true(m.coef[0] == 0.0 && m.coef[1] == 0.0);
  assert_true(isnan(m.se[0]) && isnan(m.se[1]));
  cxm_risk_data_free(d);
}

/* Reference values from tools/risk_reference.py (scipy trust-exact on the
 * same objective written on the original scale, polished by Newton steps;
 * run 2026-11-23). */
static const double ref_x[12][2] = {{0.5, 10.0}, {1.2, 12.0}, {-0.3, 9.0}, {2.0, 15.0}, {1.5, 11.0}, {-1.0, 8.0},
                                    {0.0, 13.0}, {0.8, 9.5},  {3.1, 14.0}, {-2.2, 7.0}, {1.1, 10.5}, {0.4, 12.5}};
static const int ref_y[12] = {0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1};
static const double ref_w[12] = {1, 1, 2, 1, 0.5, 1, 1, 1.5, 1, 1, 1, 2};
static const struct {
  double l2, b[3], se[3], log_loss;
} ref_fit[3] = {
    {0.0,
     {-8.33399823619962, 3.00503517180637, 0.614742668993207},
     {7.52392281026181, 2.27212554116293, 0.612333233074458},
     0.339305373605344},
    {1.0,
     {-3.8181678132338, 0.820599945537176, 0.312802925935475},
     {3.16971446506651, 0.596378150693663, 0.290582267861329},
     0.411677187430464},
    {5.0,
     {-2.05616042393782, 0.361312431635743, 0.172585300694198},
     {1.85310433809043, 0.306426959060077, 0.164690275194668},
     0.502569352440621},
};

static cxm_risk_data *ref_data(void) {
  cxm_risk_data *d = new_data(2);
  for (int i = 0; i < 12; i++) {
    assert_int_equal(cxm_risk_data_add(d, ref_x[i], ref_y[i], ref_w[i]), CXM_OK);
  }
  return d;
}

static void test_reference_fit(void **state) {
  (void)state;
  cxm_risk_data *d = ref_data();
  for (int r = 0; r < 3; r++) {
    cxm_risk_options o;
    cxm_risk_options_init(&o);
    o.l2 = ref_fit[r].l2;
    cxm_risk_model m;
    cxm_risk_model_init(&m);
    assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_OK);
    assert_int_equal(m.converged, 1);
    assert_true(m.iterations <= 10);
    assert_true(m.l2 == o.l2);
    assert_close(m.intercept, ref_fit[r].b[0], 1e-10);
    assert_close(m.coef[0], ref_fit[r].b[1], 1e-10);
    assert_close(m.coef[1], ref_fit[r].b[2], 1e-10);
    assert_close(m.intercept_se, ref_fit[r].se[0], 1e-9);
    assert_close(m.se[0], ref_fit[r].se[1], 1e-9);
    assert_close(m.se[1], ref_fit[r].se[2], 1e-9);
    assert_close(m.log_loss, ref_fit[r].log_loss, 1e-12);
  }
  /* Too few iterations: CXM_E_CONVERGE with the best point reached, finite. */
  cxm_risk_options o;
  cxm_risk_options_init(&o);
  o.l2 = 0.0;
  o.max_iterations = 1;
  cxm_risk_model m;
  cxm_risk_model_init(&m);
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_E_CONVERGE);
  assert_int_equal(m.converged, 0);
  assert_int_equal(m.iterations, 1);
  assert_true(isfinite(m.intercept) && isfinite(m.coef[0]) && isfinite(m.log_loss));
  assert_true(m.log_loss < log(2.0)); /* the first step improved on the start */
  cxm_risk_data_free(d);
}

/* Units do not matter: multiplying a feature by c divides its coefficient
 * and se by c, the penalty being on the standardised scale; extreme scales
 * (1e90, 1e-90) fit as well as ordinary ones. */
static void test_extreme_scales(void **state) {
  (void)state;
  static const double scale[3] = {1e90, 1e-90, -3.0};
  cxm_risk_data *d = ref_data();
  cxm_risk_model base;
  cxm_risk_model_init(&base);
  assert_int_equal(cxm_risk_fit(&base, d, NULL), CXM_OK);
  for (int s = 0; s < 3; s++) {
    cxm_risk_data *ds = new_data(2);
    for (int i = 0; i < 12; i++) {
      double x[2] = {ref_x[i][0] * scale[s], ref_x[i][1]};
      assert_int_equal(cxm_risk_data_add(ds, x, ref_y[i], ref_w[i]), CXM_OK);
    }
    cxm_risk_model m;
    cxm_risk_model_init(&m);
    assert_int_equal(cxm_risk_fit(&m, ds, NULL), CXM_OK);
    assert_close(m.coef[0] * scale[s], base.coef[0], 1e-9);
    assert_close(m.se[0] * fabs(scale[s]), base.se[0], 1e-9);
    assert_close(m.coef[1], base.coef[1], 1e-9);
    assert_close(m.intercept, base.intercept, 1e-9);
    assert_close(m.log_loss, base.log_loss, 1e-12);
    cxm_risk_data_free(ds);
  }
  /* A feature at 1e100 on a few rows only. */
  cxm_risk_data *dx = new_data(2);
  for (int i = 0; i < 12; i++) {
    double x[2] = {ref_x[i][0], i % 4 == 0 ? 1e100 : -1e100};
    assert_int_equal(cxm_risk_data_add(dx, x, ref_y[i], ref_w[i]), CXM_OK);
  }
  cxm_risk_model m;
  cxm_risk_model_init(&m);
  int32_t rc = cxm_risk_fit(&m, dx, NULL);
  assert_int_equal(rc, CXM_OK);
  assert_true(isfinite(m.intercept) && isfinite(m.coef[0]) && isfinite(m.coef[1]) && isfinite(m.se[1]));
  cxm_risk_evaluation ev;
  ev.size = sizeof ev;
  assert_int_equal(cxm_risk_evaluate(&ev, &m, dx), CXM_OK);
  assert_true(isfinite(ev.log_loss) && isfinite(ev.auc));
  cxm_risk_data_free(dx);
  cxm_risk_data_free(d);
}

static void test_edges(void **state) {
  (void)state;
  cxm_risk_model m;
  cxm_risk_model_init(&m);
  cxm_risk_data *d = new_data(2);
  /* no rows */
  assert_int_equal(cxm_risk_fit(&m, d, NULL), CXM_E_NO_DATA);
  assert_int_equal(m.rows, 0);
  assert_int_equal(m.features, 2);
  /* one row, label 1: smoothed rate (1 + 1/2) / (1 + 1) = 3/4, b0 = ln 3 */
  double x[2] = {1.0, 2.0};
  assert_int_equal(cxm_risk_data_add(d, x, 1, 1.0), CXM_OK);
  assert_int_equal(cxm_risk_fit(&m, d, NULL), CXM_E_NO_DATA);
  assert_int_equal(m.rows, 1);
  assert_int_equal(m.positives, 1);
  assert_close(m.intercept, log(3.0), 1e-15);
  assert_true(m.coef[0] == 0.0 && m.coef[1] == 0.0 && isnan(m.se[0]));
  assert_close(m.log_loss, log1p(exp(-log(3.0))), 1e-15); /* -ln(3/4) */
  double p;
  assert_int_equal(cxm_risk_score(&p, &m, x), CXM_OK);
  assert_close(p, 0.75, 1e-15);
  cxm_risk_data_free(d);

  /* all 0 (10 rows) and all 1 (10 rows): b0 = ln(0.5 / 10.5), ln(10.5 / 0.5) */
  for (int label = 0; label <= 1; label++) {
    d = new_data(2);
    uint64_t s = 7;
    for (int i = 0; i < 10; i++) {
      double xr[2] = {normal(&s), normal(&s)};
      assert_int_equal(cxm_risk_data_add(d, xr, label, 1.0), CXM_OK);
    }
    assert_int_equal(cxm_risk_fit(&m, d, NULL), CXM_E_NO_DATA);
    assert_int_equal(m.rows, 10);
    assert_int_equal(m.positives, label ? 10 : 0);
    assert_close(m.intercept, label ? log(21.0) : -log(21.0), 1e-14);
    assert_true(isfinite(m.log_loss));
    assert_int_equal(cxm_risk_score(&p, &m, x), CXM_OK);
    assert_close(p, label ? 10.5 / 11.0 : 0.5 / 11.0, 1e-14);
    cxm_risk_evaluation ev;
    ev.size = sizeof ev;
    assert_int_equal(cxm_risk_evaluate(&ev, &m, d), CXM_OK);
    assert_true(isnan(ev.auc)); /* one class: no pairs */
    assert_close(ev.log_loss, m.log_loss, 1e-14);
    cxm_risk_data_free(d);
  }

  /* Perfectly separable: y = 1 exactly when x0 > 0. With the penalty the fit
   * is finite and converges; without it there is no MLE. */
  d = new_data(2);
  uint64_t s = 11;
  for (int i = 0; i < 200; i++) {
    double x0 = normal(&s);
    double xr[2] = {x0 + (x0 > 0 ? 0.1 : -0.1), normal(&s)};
    assert_int_equal(cxm_risk_data_add(d, xr, xr[0] > 0, 1.0), CXM_OK);
  }
  assert_int_equal(cxm_risk_fit(&m, d, NULL), CXM_OK);
  assert_int_equal(m.separated, 1);
  assert_int_equal(m.converged, 1);
  assert_true(m.coef[0] > 0.0 && isfinite(m.coef[0]) && isfinite(m.se[0]) && isfinite(m.intercept));
  cxm_risk_options o;
  cxm_risk_options_init(&o);
  o.l2 = 0.0;
  assert_int_equal(cxm_risk_fit(&m, d, &o), CXM_E_CONVERGE);
  assert_int_equal(m.separated, 1);
  assert_int_equal(m.converged, 0);
  assert_true(isfinite(m.coef[0]) && isfinite(m.intercept) && isfinite(m.log_loss));
  cxm_risk_data_free(d);
}

/* Logits of +-1000: scores 0 and 1, log-loss 1000 or 0, nothing inf/NaN. */
static void test_extreme_logits(void **state) {
  (void)state;
  cxm_risk_model m;
  cxm_risk_model_init(&m);
  double c[1] = {1.0}, x[1] = {0.0}, p, contrib[1], logit;
  cxm_risk_data *d = new_data(1);
  assert_int_equal(cxm_risk_data_add(d, x, 0, 1.0), CXM_OK);
  assert_int_equal(cxm_risk_data_add(d, x, 1, 1.0), CXM_OK);
  for (int sign = -1; sign <= 1; sign += 2) {
    assert_int_equal(cxm_risk_model_set(&m, 1, 1000.0 * sign, c), CXM_OK);
    assert_int_equal(cxm_risk_score(&p, &m, x), CXM_OK);
    assert_true(p == (sign > 0 ? 1.0 : 0.0));
    assert_int_equal(cxm_risk_explain(contrib, &logit, &m, x), CXM_OK);
    assert_true(logit == 1000.0 * sign);
    cxm_risk_evaluation ev;
    ev.size = sizeof ev;
    assert_int_equal(cxm_risk_evaluate(&ev, &m, d), CXM_OK);
    /* one row loses 1000 nats, the other 0 (e^-1000 underflows) */
    assert_close(ev.log_loss, 500.0, 1e-15);
    assert_close(ev.brier, 0.5, 1e-15);
    assert_close(ev.auc, 0.5, 1e-15); /* the two rows tie */
  }
  assert_true(cxmi_softplus(1000.0) == 1000.0 && cxmi_softplus(-1000.0) == 0.0);
  assert_close(cxmi_softplus(-30.0), exp(-30.0), 1e-15);
  assert_true(cxmi_sigmoid(-1000.0) == 0.0 && cxmi_sigmoid(1000.0) == 1.0);
  assert_close(cxmi_sigmoid(-700.0), exp(-700.0), 1e-12);
  /* log-odds that overflow are refused, not returned as inf or NaN */
  c[0] = 1e300;
  x[0] = 1e10;
  assert_int_equal(cxm_risk_model_set(&m, 1, 0.0, c), CXM_OK);
  assert_int_equal(cxm_risk_score(&p, &m, x), CXM_E_VALUE);
  assert_int_equal(cxm_risk_explain(contrib, &logit, &m, x), CXM_E_VALUE);
  x[0] = 1.0;
  assert_int_equal(cxm_risk_data_add(d, x, 1, 1.0), CXM_OK);
  x[0] = 1e10;
  cxm_risk_data_free(d);
  d = new_data(1);
  assert_int_equal(cxm_risk_data_add(d, x, 1, 1.0), CXM_OK);
  cxm_risk_evaluation ev;
  ev.size = sizeof ev;
  assert_int_equal(cxm_risk_evaluate(&ev, &m, d), CXM_E_VALUE);
  cxm_risk_data_free(d);
}

static void test_explain(void **state) {
  (void)state;
  uint64_t s = 99;
  for (int trial = 0; trial < 200; trial++) {
    int32_t k = 1 + (int32_t)test_below(&s, 64);
    double c[64], x[64], contrib[64], logit, p, p2;
    for (int32_t j = 0; j < k; j++) {
      c[j] = normal(&s) * 3.0;
      x[j] = normal(&s) * 10.0;
    }
    cxm_risk_model m;
    cxm_risk_model_init(&m);
    assert_int_equal(cxm_risk_model_set(&m, k, normal(&s), c), CXM_OK);
    assert_int_equal(cxm_risk_explain(contrib, &logit, &m, x), CXM_OK);
    double sum = m.intercept;
    for (int32_t j = 0; j < k; j++) {
      assert_true(contrib[j] == c[j] * x[j]);
      sum += contrib[j];
    }
    assert_true(sum == logit); /* exactly, in the documented order */
    /* in any order, within rounding */
    double alt = 0.0;
    for (int32_t j = k; j-- > 0;) {
      alt += contrib[j];
    }
    assert_true(fabs(alt + m.intercept - logit) <= 1e-12 * fmax(1.0, fabs(logit)) * k);
    assert_int_equal(cxm_risk_score(&p, &m, x), CXM_OK);
    p2 = 1.0 / (1.0 + exp(-logit));
    assert_close(p, p2, 1e-14);
    assert_int_equal(cxm_risk_explain(contrib, NULL, &m, x), CXM_OK);
  }
  double x1[1] = {1.0};
  cxm_risk_model m;
  cxm_risk_model_init(&m);
  assert_int_equal(cxm_risk_explain(NULL, NULL, &m, x1), CXM_E_ARG);
}

static void test_bands(void **state) {
  (void)state;
  assert_int_equal(cxm_risk_band(0.0), CXM_RISK_LOW);
  assert_int_equal(cxm_risk_band(0.29999999), CXM_RISK_LOW);
  assert_int_equal(cxm_risk_band(0.3), CXM_RISK_MEDIUM);
  assert_int_equal(cxm_risk_band(0.59999999), CXM_RISK_MEDIUM);
  assert_int_equal(cxm_risk_band(0.6), CXM_RISK_HIGH);
  assert_int_equal(cxm_risk_band(1.0), CXM_RISK_HIGH);
  assert_int_equal(cxm_risk_band(NAN), CXM_RISK_NONE);
  assert_int_equal(cxm_risk_band(-0.01), CXM_RISK_NONE);
  assert_int_equal(cxm_risk_band(1.01), CXM_RISK_NONE);
}

/* AUC by the O(n^2) definition, weighted, ties 1/2. */
static double brute_auc(const double *eta, const int *y, const double *w, size_t n) {
  double num = 0.0, den = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!y[i]) continue;
    for (size_t j = 0; j < n; j++) {
      if (y[j]) continue;
      den += w[i] * w[j];
      num += w[i] * w[j] * (eta[i] > eta[j] ? 1.0 : eta[i] == eta[j] ? 0.5 : 0.0);
    }
  }
  return num / den;
}

static void test_evaluate_hand(void **state) {
  (void)state;
  /* scores through x with b = 1, b0 = 0: positives at 0.2, 0.5, negatives
   * at 0.5, 0.1. Pairs: (0.2, 0.5) 0, (0.2, 0.1) 1, (0.5, 0.5) 1/2, (0.5,
   * 0.1) 1: AUC = 2.5 / 4. */
  cxm_risk_data *d = new_data(1);
  double xs[4] = {0.2, 0.5, 0.5, 0.1};
  int ys[4] = {1, 1, 0, 0};
  double ll = 0.0, br = 0.0;
  for (int i = 0; i < 4; i++) {
    assert_int_equal(cxm_risk_data_add(d, &xs[i], ys[i], 1.0), CXM_OK);
    double p = 1.0 / (1.0 + exp(-xs[i]));
    ll -= ys[i] ? log(p) : log(1.0 - p);
    br += (p - ys[i]) * (p - ys[i]);
  }
  cxm_risk_model m;
  cxm_risk_model_init(&m);
  double c = 1.0;
  assert_int_equal(cxm_risk_model_set(&m, 1, 0.0, &c), CXM_OK);
  cxm_risk_evaluation ev;
  ev.size = sizeof ev;
  assert_int_equal(cxm_risk_evaluate(&ev, &m, d), CXM_OK);
  assert_close(ev.auc, 0.625, 1e-15);
  assert_close(ev.log_loss, ll / 4.0, 1e-14);
  assert_close(ev.brier, br / 4.0, 1e-14);
  assert_int_equal(ev.rows, 4);
  assert_int_equal(ev.positives, 2);
  /* 4 rows in 10 bins: floor(4b/10) boundaries 0,0,0,1,1,2,2,2,3,3,4: bins
   * 2, 4, 7, 9 hold one row each, in score order 0.1, 0.2, 0.5 (row 1),
   * 0.5 (row 2). */
  static const uint64_t want_rows[10] = {0, 0, 1, 0, 1, 0, 0, 1, 0, 1};
  for (int b = 0; b < 10; b++) {
    assert_int_equal(ev.bin_rows[b], want_rows[b]);
    assert_true(want_rows[b] ? !isnan(ev.bin_predicted[b]) : isnan(ev.bin_predicted[b]));
  }
  assert_close(ev.bin_predicted[2], 1.0 / (1.0 + exp(-0.1)), 1e-15);
  assert_true(ev.bin_observed[2] == 0.0 && ev.bin_observed[4] == 1.0);
  assert_true(ev.bin_observed[7] == 1.0 && ev.bin_observed[9] == 0.0); /* ties keep row order */
  cxm_risk_data_free(d);
}

static void test_evaluate_brute(void **state) {
  (void)state;
  enum { N = 1500 };
  static double eta[N], w[N];
  static int y[N];
  uint64_t s = 2026;
  for (int weighted = 0; weighted <= 1; weighted++) {
    cxm_risk_data *d = new_data(2);
    double c[2] = {0.5, -0.25};
    cxm_risk_model m;
    cxm_risk_model_init(&m);
    assert_int_equal(cxm_risk_model_set(&m, 2, 0.125, c), CXM_OK);
    double ll = 0.0, br = 0.0, ws = 0.0;
    for (int i = 0; i < N; i++) {
      /* small integer features: many tied scores */
      double x[2] = {(double)test_below(&s, 6), (double)test_below(&s, 4)};
      eta[i] = 0.125 + 0.5 * x[0] + -0.25 * x[1];
      double p = 1.0 / (1.0 + exp(-eta[i]));
      y[i] = uniform(&s) < p;
      w[i] = weighted ? 0.5 + (double)test_below(&s, 4) : 1.0;
      assert_int_equal(cxm_risk_data_add(d, x, y[i], w[i]), CXM_OK);
      ll += w[i] * -(y[i] ? log(p) : log1p(-p));
      br += w[i] * (p - y[i]) * (p - y[i]);
      ws += w[i];
    }
    cxm_risk_evaluation ev;
    ev.size = sizeof ev;
    assert_int_equal(cxm_risk_evaluate(&ev, &m, d), CXM_OK);
    assert_close(ev.auc, brute_auc(eta, y, w, N), 1e-12);
    assert_close(ev.log_loss, ll / ws, 1e-12);
    assert_close(ev.brier, br / ws, 1e-12);
    /* bins: 150 rows each; their weighted sums add up to the totals */
    uint64_t rows = 0;
    double pos = 0.0, pred = 0.0, all_pred = 0.0, all_pos = 0.0;
    for (int i = 0; i < N; i++) {
      all_pred += w[i] / (1.0 + exp(-eta[i]));
      all_pos += y[i] ? w[i] : 0.0;
    }
    if (!weighted) {
      for (int b = 0; b < 10; b++) {
        assert_int_equal(ev.bin_rows[b], N / 10);
        rows += ev.bin_rows[b];
        pos += ev.bin_observed[b] * (double)ev.bin_rows[b];
        pred += ev.bin_predicted[b] * (double)ev.bin_rows[b];
        if (b > 0) {
          assert_true(ev.bin_predicted[b] >= ev.bin_predicted[b - 1]);
        }
      }
      assert_int_equal(rows, N);
      assert_close(pos, all_pos, 1e-12);
      assert_close(pred, all_pred, 1e-12);
    }
    cxm_risk_data_free(d);
  }
}

/* Planted coefficients on seeded synthetic data: 20 000 rows for the fit,
 * 20 000 held out. Features: x1 ~ N(0, 1), x2 ~ U(0, 10), x3 ~
 * Bernoulli(0.3), x4 ~ N(50, 10); log-odds -1 + 0.8 x1 - 0.25 x2 + 1.2 x3 +
 * 0.03 x4. */
static const double planted_b0 = -1.0, planted[4] = {0.8, -0.25, 1.2, 0.03};

static void synth_row(uint64_t *s, double *x, int *y) {
  x[0] = normal(s);
  x[1] = 10.0 * uniform(s);
  x[2] = uniform(s) < 0.3 ? 1.0 : 0.0;
  x[3] = 50.0 + 10.0 * normal(s);
  double eta = planted_b0;
  for (int j = 0; j < 4; j++) {
    eta += planted[j] * x[j];
  }
  *y = uniform(s) < 1.0 / (1.0 + exp(-eta));
}

static void test_planted(void **state) {
  (void)state;
  uint64_t s = 20261123;
  cxm_risk_data *train = new_data(4), *test = new_data(4);
  for (int i = 0; i < 40000; i++) {
    double x[4];
    int y;
    synth_row(&s, x, &y);
    assert_int_equal(cxm_risk_data_add(i < 20000 ? train : test, x, y, 1.0), CXM_OK);
  }
  cxm_risk_model m;
  cxm_risk_model_init(&m);
  assert_int_equal(cxm_risk_fit(&m, train, NULL), CXM_OK);
  assert_int_equal(m.converged, 1);
  print_message("fit: %d Newton iterations, training log-loss %.5f\n", m.iterations, m.log_loss);
  assert_true(m.iterations <= 10);
  for (int j = 0; j < 4; j++) {
    double z = (m.coef[j] - planted[j]) / m.se[j];
    print_message("b%d = %.4f (planted %.4f, se %.4f, z %.2f)\n", j + 1, m.coef[j], planted[j], m.se[j], z);
    assert_true(fabs(z) < 4.0);
    assert_true(m.coef[j] * planted[j] > 0.0); /* sign recovered */
  }
  print_message("b0 = %.4f (planted %.4f, se %.4f)\n", m.intercept, planted_b0, m.intercept_se);
  assert_true(fabs(m.intercept - planted_b0) < 4.0 * m.intercept_se);

  cxm_risk_model truth;
  cxm_risk_model_init(&truth);
  assert_int_equal(cxm_risk_model_set(&truth, 4, planted_b0, planted), CXM_OK);
  cxm_risk_evaluation ef, et;
  ef.size = et.size = sizeof ef;
  assert_int_equal(cxm_risk_evaluate(&ef, &m, test), CXM_OK);
  assert_int_equal(cxm_risk_evaluate(&et, &truth, test), CXM_OK);
  print_message("held out: AUC fitted %.5f true %.5f; log-loss %.5f / %.5f; Brier %.5f / %.5f\n", ef.auc, et.auc,
                ef.log_loss, et.log_loss, ef.brier, et.brier);
  assert_true(fabs(ef.auc - et.auc) < 0.005);
  assert_true(ef.auc > 0.7);
  assert_true(fabs(ef.log_loss - et.log_loss) < 0.005);
  /* calibration: each bin of 2000 rows within 4 binomial sd + 0.01 */
  for (int b = 0; b < 10; b++) {
    double pb = ef.bin_predicted[b];
    double sd = sqrt(pb * (1.0 - pb) / (double)ef.bin_rows[b]);
    print_message("bin %d: %llu rows, predicted %.4f observed %.4f\n", b, (unsigned long long)ef.bin_rows[b], pb,
                  ef.bin_observed[b]);
    assert_int_equal(ef.bin_rows[b], 2000);
    assert_true(fabs(ef.bin_observed[b] - pb) < 4.0 * sd + 0.01);
  }
  /* the training log-loss the fit reports is the evaluation's on those rows */
  cxm_risk_evaluation etr;
  etr.size = sizeof etr;
  assert_int_equal(cxm_risk_evaluate(&etr, &m, train), CXM_OK);
  assert_close(etr.log_loss, m.log_loss, 1e-12);
  cxm_risk_data_free(train);
  cxm_risk_data_free(test);
}

/* Proxy labels (docs/risk.md, "Proxy labels"): a customer who leaves is
 * labelled 1; one who stays is labelled 1 too when a whole window passes
 * without a purchase, which for a Poisson buyer of rate lambda happens with
 * probability q = exp(-lambda h). Planted on the departure's log-odds:
 * -2 + 0.9 detractor + 0.5 recent complaints + 0.7 open contacts - 0.4 z
 * (z ~ N(0, 1), a continuous signal), with lambda ~ Gamma(1.2, 0.25) a week
 * and h = 13 weeks (about a fifth of the stayers labelled lapsed, as many
 * as leave). The fit is given each row's q and must recover the planted
 * departure model: every coefficient within 3 standard errors of its
 * planted value, on each of five seeds of 8 000 rows. A plain logistic fit
 * on the same labels estimates P(label), not P(leave): its intercept is
 * far off and its slopes are pulled towards 0, which is why the proxy
 * model exists. */
static const double proxy_b0 = -2.0, proxy_b[4] = {0.9, 0.5, 0.7, -0.4};

static double gamma_draw(uint64_t *s, double shape) {
  /* Marsaglia & Tsang (2000); shape >= 1 here */
  double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
  for (;;) {
    double x = normal(s), v = 1.0 + c * x;
    if (v <= 0.0) {
      continue;
    }
    v = v * v * v;
    double u = uniform(s);
    if (log(u) < 0.5 * x * x + d - d * v + d * log(v)) {
      return d * v;
    }
  }
}

static void test_proxy_planted(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 5; seed++) {
    uint64_t s = 20261207u + 7919u * seed; /* not a multiple of the generator's step: distinct streams */
    cxm_risk_data *proxy = new_data(4), *plain = new_data(4);
    int lost = 0;
    for (int i = 0; i < 8000; i++) {
      double x[4];
      x[0] = uniform(&s) < 0.25 ? 1.0 : 0.0;
      x[1] = uniform(&s) < 0.2 ? (uniform(&s) < 0.7 ? 1.0 : 2.0) : 0.0;
      x[2] = uniform(&s) < 0.1 ? 1.0 : 0.0;
      x[3] = normal(&s);
      double eta = proxy_b0;
      for (int j = 0; j < 4; j++) {
        eta += proxy_b[j] * x[j];
      }
      double lambda = 0.25 * gamma_draw(&s, 1.2), q = exp(-lambda * 13.0);
      int leaves = uniform(&s) < 1.0 / (1.0 + exp(-eta));
      int label = leaves || uniform(&s) < q;
      lost += label;
      assert_int_equal(cxmi_risk_data_add_proxy(proxy, x, label, 1.0, q), CXM_OK);
      assert_int_equal(cxm_risk_data_add(plain, x, label, 1.0), CXM_OK);
    }
    cxm_risk_options o;
    cxm_risk_options_init(&o);
    o.l2 = 0.0;
    cxm_risk_model m, p;
    cxm_risk_model_init(&m);
    cxm_risk_model_init(&p);
    assert_int_equal(cxm_risk_fit(&m, proxy, &o), CXM_OK);
    assert_int_equal(cxm_risk_fit(&p, plain, &o), CXM_OK);
    print_message("seed %d: %d of 8000 labelled lost; b0 %.3f (se %.3f, planted %.1f), plain logistic %.3f\n",
                  (int)seed, lost, m.intercept, m.intercept_se, proxy_b0, p.intercept);
    if (!(fabs(m.intercept - proxy_b0) <= 3.0 * m.intercept_se)) {
      fail_msg("seed %d: intercept %g, planted %g, se %g", (int)seed, m.intercept, proxy_b0, m.intercept_se);
    }
    for (int j = 0; j < 4; j++) {
      print_message("  b%d %+.3f (se %.3f, planted %+.1f); plain logistic %+.3f\n", j + 1, m.coef[j], m.se[j],
                    proxy_b[j], p.coef[j]);
      assert_true(m.coef[j] * proxy_b[j] > 0.0);
      if (!(fabs(m.coef[j] - proxy_b[j]) <= 3.0 * m.se[j])) {
        fail_msg("seed %d: b%d = %g, planted %g, se %g", (int)seed, j + 1, m.coef[j], proxy_b[j], m.se[j]);
      }
      assert_true(fabs(p.coef[j]) < fabs(proxy_b[j])); /* the plain fit is attenuated */
    }
    assert_true(p.intercept > proxy_b0 + 0.5);
    /* The evaluation judges P(label 1) = d + (1 - d) q: the training
     * log-loss the fit reports is the evaluation's on the same rows. */
    cxm_risk_evaluation e;
    e.size = sizeof e;
    assert_int_equal(cxm_risk_evaluate(&e, &m, proxy), CXM_OK);
    assert_close(e.log_loss, m.log_loss, 1e-12);
    cxm_risk_data_free(proxy);
    cxm_risk_data_free(plain);
  }
}

/* q = 0 is the plain logistic, bit for bit; q outside [0, 1) is refused. */
static void test_proxy_zero(void **state) {
  (void)state;
  cxm_risk_data *a = new_data(2), *b = new_data(2);
  uint64_t s = 7;
  for (int i = 0; i < 500; i++) {
    double x[2] = {normal(&s), uniform(&s)};
    int y = uniform(&s) < 1.0 / (1.0 + exp(-(x[0] - 0.5)));
    assert_int_equal(cxm_risk_data_add(a, x, y, 1.0), CXM_OK);
    assert_int_equal(cxmi_risk_data_add_proxy(b, x, y, 1.0, 0.0), CXM_OK);
  }
  double x[2] = {0, 0};
  assert_int_equal(cxmi_risk_data_add_proxy(b, x, 1, 1.0, 1.0), CXM_E_VALUE);
  assert_int_equal(cxmi_risk_data_add_proxy(b, x, 1, 1.0, -0.1), CXM_E_VALUE);
  assert_int_equal(cxmi_risk_data_add_proxy(b, x, 1, 1.0, NAN), CXM_E_VALUE);
  assert_int_equal(cxm_risk_data_count(b), 500);
  cxm_risk_model ma, mb;
  cxm_risk_model_init(&ma);
  cxm_risk_model_init(&mb);
  assert_int_equal(cxm_risk_fit(&ma, a, NULL), CXM_OK);
  assert_int_equal(cxm_risk_fit(&mb, b, NULL), CXM_OK);
  assert_true(memcmp(&ma, &mb, sizeof ma) == 0);
  /* the label log-odds: eta at q = 0; ln((d + (1 - d) q) / ((1 - d)(1 - q))) */
  assert_true(cxmi_risk_label_logit(0.3, 0.0) == 0.3);
  double d = 1.0 / (1.0 + exp(-0.3)), pl = d + (1.0 - d) * 0.4;
  assert_close(cxmi_risk_label_logit(0.3, 0.4), log(pl / (1.0 - pl)), 1e-14);
  assert_true(isfinite(cxmi_risk_label_logit(-800.0, 0.4)) && isfinite(cxmi_risk_label_logit(800.0, 0.4)));
  cxm_risk_data_free(a);
  cxm_risk_data_free(b);
}

/* Fail every allocation in turn: each failure is CXM_E_NOMEM, a failed add
 * leaves the rows as they were, and nothing leaks. */
static void test_alloc_failure(void **state) {
  (void)state;
  int completed = 0;
  cxm_risk_model want;
  cxm_risk_model_init(&want);
  for (long fail_at = 0; fail_at < 200 && !completed; fail_at++) {
    failing_alloc f;
    memset(&f, 0, sizeof f);
    f.remaining = fail_at;
    cxm_allocator hooks = failing_hooks(&f);
    cxm_risk_data *d = NULL;
    int32_t rc = cxm_risk_data_new(&d, 2, &hooks);
    if (rc != CXM_OK) {
      assert_int_equal(rc, CXM_E_NOMEM);
      assert_null(d);
      assert_int_equal(f.live_bytes, 0);
      continue;
    }
    int ok = 1;
    uint64_t s = 5;
    for (int i = 0; i < 60 && ok; i++) {
      double x[2] = {normal(&s), normal(&s)};
      int y = uniform(&s) < 0.4;
      size_t before = cxm_risk_data_count(d);
      rc = cxm_risk_data_add(d, x, y, 1.0);
      if (rc != CXM_OK) {
        assert_int_equal(rc, CXM_E_NOMEM);
        assert_int_equal(cxm_risk_data_count(d), before);
        ok = 0;
      }
    }
    cxm_risk_model m;
    cxm_risk_model_init(&m);
    if (ok) {
      rc = cxm_risk_fit(&m, d, NULL);
      if (rc != CXM_OK) {
        assert_int_equal(rc, CXM_E_NOMEM);
        ok = 0;
      }
    }
    if (ok) {
      cxm_risk_evaluation ev;
      ev.size = sizeof ev;
      rc = cxm_risk_evaluate(&ev, &m, d);
      if (rc != CXM_OK) {
        assert_int_equal(rc, CXM_E_NOMEM);
        ok = 0;
      } else {
        assert_true(ev.auc > 0.0 && ev.auc < 1.0);
      }
    }
    cxm_risk_data_free(d);
    assert_int_equal(f.live_bytes, 0);
    if (ok) {
      completed = 1;
      assert_true(fail_at >= 5); /* new, 3 arrays, growth, fit, evaluate */
    }
  }
  assert_true(completed);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_data_args),      cmocka_unit_test(test_model_set_and_args),
      cmocka_unit_test(test_hand_binary),    cmocka_unit_test(test_constant_feature),
      cmocka_unit_test(test_prior),          cmocka_unit_test(test_reference_fit),
      cmocka_unit_test(test_extreme_scales), cmocka_unit_test(test_edges),
      cmocka_unit_test(test_extreme_logits), cmocka_unit_test(test_explain),
      cmocka_unit_test(test_bands),          cmocka_unit_test(test_evaluate_hand),
      cmocka_unit_test(test_evaluate_brute), cmocka_unit_test(test_planted),
      cmocka_unit_test(test_proxy_planted),  cmocka_unit_test(test_proxy_zero),
      cmocka_unit_test(test_alloc_failure),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
