/* Tests of the purchase models with covariates (include/cxm/covariates.h;
 * docs/purchase.md, "Covariates"): arguments, hand-worked log-likelihoods,
 * the customer's own model, the fit without effect (all-zero covariates:
 * LR = 0), the fit's invariance to the covariates' scale, and the
 * first-answer detractor covariate from a store. The recovery of planted
 * gammas on simulated customers and the comparison with an independent
 * scipy likelihood are in tools/covariates_reference.py (test "purchase
 * covariates reference"). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm.h"

#define DAY INT64_C(86400)

static void add(cxm_rfm *rfm, uint32_t x, double tx, double T) {
  cxm_rfm_customer c;
  cxm_rfm_customer_init(&c);
  c.x = x;
  c.t_x = tx;
  c.T = T;
  assert_int_equal(cxm_rfm_add(rfm, &c), CXM_OK);
}

static int close_rel(double a, double b, double tol) { return fabs(a - b) <= tol * fabs(b); }

/* A deterministic population: n customers with a spread of x, t_x, T. */
static cxm_rfm *population(unsigned n) {
  cxm_rfm *rfm;
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  /* one-time buyers, buyers who stopped early, buyers still active */
  for (unsigned i = 0; i < n; i++) {
    double T = 30.0 + (double)(i * 7 % 23);
    uint32_t x;
    double tx;
    switch (i % 4) {
    case 0: x = 0, tx = 0.0; break;
    case 1: x = 1 + i % 3, tx = 2.0 + (double)(i % 5); break;
    case 2: x = 3 + (i / 4) % 6, tx = T - (double)(i % 7); break;
    default: x = 1 + (i / 4) % 2, tx = T * (double)(1 + i % 9) / 10.0; break;
    }
    add(rfm, x, tx, T);
  }
  return rfm;
}

static void test_init_and_arguments(void **state) {
  cxm_covariate_fit f, before;
  cxm_rfm *rfm = population(40);
  double cov[40];
  cxm_fit_options o;
  (void)state;
  for (int i = 0; i < 40; i++) cov[i] = (double)(i % 2);
  cxm_covariate_fit_init(NULL);
  cxm_covariate_fit_init(&f);
  assert_int_equal(f.size, sizeof f);
  assert_int_equal(f.kind, CXM_MODEL_PNBD);
  assert_true(f.count == 1 && f.trans == 1 && f.life == 1);
  assert_true(isnan(f.loglik) && isnan(f.lr) && isnan(f.se_trans[0]));
  assert_int_equal(cxm_covariate_model_fit(NULL, rfm, cov, 40, NULL), CXM_E_ARG);
  assert_int_equal(cxm_covariate_model_fit(&f, NULL, cov, 40, NULL), CXM_E_ARG);
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, NULL, 40, NULL), CXM_E_ARG);
  memcpy(&before, &f, sizeof f);
  f.size = sizeof f - 8;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, NULL), CXM_E_SIZE);
  f.size = sizeof f;
  f.kind = CXM_MODEL_BGBB;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, NULL), CXM_E_MODEL);
  f.kind = CXM_MODEL_GAMMA_GAMMA;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, NULL), CXM_E_MODEL);
  f.kind = CXM_MODEL_PNBD;
  f.count = 0;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, NULL), CXM_E_OPTION);
  f.count = CXM_COVARIATES_MAX + 1;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, NULL), CXM_E_OPTION);
  f.count = 1;
  f.trans = 2; /* covariate 1 of 1 */
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, NULL), CXM_E_OPTION);
  f.trans = 0;
  f.life = 0;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, NULL), CXM_E_OPTION);
  f.trans = 1;
  f.life = 1;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 39, NULL), CXM_E_BUFFER);
  cov[7] = NAN;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, NULL), CXM_E_VALUE);
  cov[7] = INFINITY;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, NULL), CXM_E_VALUE);
  cov[7] = 1.0;
  cxm_fit_options_init(&o);
  o.start[1] = 3.0;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, &o), CXM_E_OPTION);
  cxm_fit_options_init(&o);
  o.penalty = 0.1;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, &o), CXM_E_OPTION);
  cxm_fit_options_init(&o);
  o.max_iterations = 0;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, &o), CXM_E_OPTION);
  o.size = 3;
  assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 40, &o), CXM_E_SIZE);
  /* a bad argument leaves the fit as it was */
  assert_memory_equal(&f, &before, sizeof f);
  { /* nobody with a repeat purchase: nothing to estimate */
    cxm_rfm *none;
    double c2[2] = {0.0, 1.0};
    assert_int_equal(cxm_rfm_new(&none, NULL), CXM_OK);
    assert_int_equal(cxm_covariate_model_fit(&f, none, c2, 0, NULL), CXM_E_NO_DATA);
    add(none, 0, 0.0, 5.0);
    add(none, 0, 0.0, 9.0);
    assert_int_equal(cxm_covariate_model_fit(&f, none, c2, 2, NULL), CXM_E_NO_DATA);
    cxm_rfm_free(none);
  }
  cxm_rfm_free(rfm);
}

/* Hand-worked log-likelihoods, one covariate in both processes.
 *
 * BG/NBD, r = 1, alpha0 = 2, a0 = 1, b0 = 2, gt = gl = ln 2 ... with the
 * covariate 1: alpha = 1, a = 2, b = 4. A customer x = 0, T = 1 has
 * L = (alpha/(alpha+T))^r = 1/2; one with x = 1, t_x = 1, T = 2 has
 * L = b/(a+b) / (alpha+T)^2 + a/(a+b) / (alpha+t_x)^2 = (2/3)/9 + (1/3)/4 = 17/108.
 * With the covariate 0 (alpha = 2, a = 1, b = 2) the customer x = 0, T = 1
 * has L = 2/3.
 *
 * Pareto/NBD, r = s = 1, alpha0 = 2, beta0 = 3, gt = ln 2, gl = ln 3: the
 * covariate 1 gives alpha = beta = 1, and a customer x = 0, T = 1 has
 * L = alpha beta [1/((alpha+T)(beta+T)) + s int_0^1 (1+u)^-3 du] = 1/4 + 3/8 = 5/8;
 * the covariate 0 (alpha = 2, beta = 3) gives
 * L = 6 [1/12 + int_0^1 du / ((2+u)(3+u)^2)] = 6 [1/12 + ln(9/8) - 1/12] = 6 ln(9/8)
 * (partial fractions 1/(2+u) - 1/(3+u) - 1/(3+u)^2). */
static void test_hand_worked(void **state) {
  cxm_rfm *rfm;
  cxm_covariate_fit f;
  double ll;
  (void)state;
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  add(rfm, 0, 0.0, 1.0);
  add(rfm, 1, 1.0, 2.0);
  add(rfm, 0, 0.0, 1.0);
  double cov[3] = {1.0, 1.0, 0.0};
  cxm_covariate_fit_init(&f);
  f.kind = CXM_MODEL_BGNBD;
  f.param[0] = 1.0;
  f.param[1] = 2.0;
  f.param[2] = 1.0;
  f.param[3] = 2.0;
  f.gamma_trans[0] = log(2.0);
  f.gamma_life[0] = log(2.0);
  assert_int_equal(cxm_covariate_loglik(&ll, &f, rfm, cov, 3), CXM_OK);
  assert_true(close_rel(ll, log(0.5) + log(17.0 / 108.0) + log(2.0 / 3.0), 1e-14));
  cxm_rfm_free(rfm);

  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  add(rfm, 0, 0.0, 1.0);
  add(rfm, 0, 0.0, 1.0);
  double cov2[2] = {1.0, 0.0};
  cxm_covariate_fit_init(&f);
  f.kind = CXM_MODEL_PNBD;
  f.param[0] = 1.0;
  f.param[1] = 2.0;
  f.param[2] = 1.0;
  f.param[3] = 3.0;
  f.gamma_trans[0] = log(2.0);
  f.gamma_life[0] = log(3.0);
  assert_int_equal(cxm_covariate_loglik(&ll, &f, rfm, cov2, 2), CXM_OK);
  assert_true(close_rel(ll, log(5.0 / 8.0) + log(6.0 * log(9.0 / 8.0)), 1e-13));
  /* a gamma whose bit is clear is ignored */
  f.life = 0;
  f.gamma_life[0] = 99.0;
  assert_int_equal(cxm_covariate_loglik(&ll, &f, rfm, cov2, 2), CXM_OK);
  f.life = 1;
  f.gamma_life[0] = 0.0;
  double ll0;
  assert_int_equal(cxm_covariate_loglik(&ll0, &f, rfm, cov2, 2), CXM_OK);
  assert_true(ll == ll0);
  /* errors */
  assert_int_equal(cxm_covariate_loglik(NULL, &f, rfm, cov2, 2), CXM_E_ARG);
  assert_int_equal(cxm_covariate_loglik(&ll, &f, rfm, cov2, 3), CXM_E_BUFFER);
  f.param[2] = 0.0;
  assert_int_equal(cxm_covariate_loglik(&ll, &f, rfm, cov2, 2), CXM_E_MODEL);
  f.param[2] = 1.0;
  f.gamma_trans[0] = NAN;
  assert_int_equal(cxm_covariate_loglik(&ll, &f, rfm, cov2, 2), CXM_E_MODEL);
  f.gamma_trans[0] = 800.0; /* alpha_i = 2 e^-800 underflows to 0: unusable */
  assert_int_equal(cxm_covariate_loglik(&ll, &f, rfm, cov2, 2), CXM_E_MODEL);
  cxm_rfm_free(rfm);
}

/* The customer's own model: the plain model at alpha_i, beta_i (a_i, b_i),
 * usable with every per-customer function. */
static void test_customer_model(void **state) {
  cxm_covariate_fit f;
  cxm_model m, plain;
  double row[2] = {1.0, -2.0}, got, want;
  (void)state;
  cxm_covariate_fit_init(&f);
  f.kind = CXM_MODEL_BGNBD;
  f.count = 2;
  f.trans = 3;
  f.life = 2; /* covariate 1 only in the dropout process */
  f.param[0] = 0.5;
  f.param[1] = 4.0;
  f.param[2] = 0.8;
  f.param[3] = 2.5;
  f.gamma_trans[0] = 0.3;
  f.gamma_trans[1] = 0.1;
  f.gamma_life[0] = 5.0; /* ignored: bit clear */
  f.gamma_life[1] = 0.25;
  cxm_model_init(&m);
  assert_int_equal(cxm_covariate_customer_model(&m, &f, row), CXM_OK);
  assert_int_equal(m.kind, CXM_MODEL_BGNBD);
  /* alpha = 4 e^-(0.3 - 0.2), a = 0.8 e^(-0.5), b = 2.5 e^(-0.5) */
  assert_true(m.param[0] == 0.5);
  assert_true(close_rel(m.param[1], 4.0 * exp(-0.1), 1e-15));
  assert_true(close_rel(m.param[2], 0.8 * exp(-0.5), 1e-15));
  assert_true(close_rel(m.param[3], 2.5 * exp(-0.5), 1e-15));
  cxm_model_init(&plain);
  plain.kind = CXM_MODEL_BGNBD;
  plain.param[0] = 0.5;
  plain.param[1] = 4.0 * exp(-0.1);
  plain.param[2] = 0.8 * exp(-0.5);
  plain.param[3] = 2.5 * exp(-0.5);
  assert_int_equal(cxm_model_p_alive(&got, &m, 3, 10.0, 20.0), CXM_OK);
  assert_int_equal(cxm_model_p_alive(&want, &plain, 3, 10.0, 20.0), CXM_OK);
  assert_true(close_rel(got, want, 1e-14));
  assert_int_equal(cxm_model_expected(&got, &m, 10.0, 3, 10.0, 20.0), CXM_OK);
  assert_int_equal(cxm_model_expected(&want, &plain, 10.0, 3, 10.0, 20.0), CXM_OK);
  assert_true(close_rel(got, want, 1e-14));
  /* Pareto/NBD: beta_i = beta0 e^-(gl'x) */
  f.kind = CXM_MODEL_PNBD;
  assert_int_equal(cxm_covariate_customer_model(&m, &f, row), CXM_OK);
  assert_true(m.param[2] == 0.8 && close_rel(m.param[3], 2.5 * exp(0.5), 1e-15));
  /* errors leave the model unchanged */
  cxm_model before = m;
  row[0] = NAN;
  assert_int_equal(cxm_covariate_customer_model(&m, &f, row), CXM_E_VALUE);
  row[0] = 1e308;
  assert_int_equal(cxm_covariate_customer_model(&m, &f, row), CXM_E_VALUE); /* alpha_i = 0 */
  row[0] = 1.0;
  assert_int_equal(cxm_covariate_customer_model(NULL, &f, row), CXM_E_ARG);
  assert_int_equal(cxm_covariate_customer_model(&m, &f, NULL), CXM_E_ARG);
  f.param[0] = NAN;
  assert_int_equal(cxm_covariate_customer_model(&m, &f, row), CXM_E_MODEL);
  assert_memory_equal(&m, &before, sizeof m);
}

/* Without covariates' variation there is nothing to fit: all-zero
 * covariates leave every gamma's gradient 0 at the start (the fit without
 * covariates), so the fit stays there: the log-likelihoods agree, LR = 0,
 * p = 1, and the gammas have no curvature (degenerate: Hessian). At
 * gamma = 0 the log-likelihood is the plain model's. */
static void test_zero_covariates(void **state) {
  (void)state;
  for (int32_t kind = CXM_MODEL_BGNBD; kind <= CXM_MODEL_PNBD; kind++) {
    cxm_rfm *rfm = population(300);
    double cov[600];
    cxm_covariate_fit f;
    cxm_model plain;
    memset(cov, 0, sizeof cov);
    cxm_covariate_fit_init(&f);
    f.kind = kind;
    f.count = 2;
    f.trans = 3;
    f.life = 3;
    assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 300, NULL), CXM_E_CONVERGE);
    assert_int_equal(f.degenerate, CXM_DEGENERATE_HESSIAN);
    assert_true(f.null_converged);
    assert_true(close_rel(f.loglik, f.null_loglik, 1e-12));
    assert_true(f.lr == 0.0);
    assert_true(f.lr_p == 1.0);
    assert_int_equal(f.lr_df, 4);
    assert_true(f.gamma_trans[0] == 0.0 && f.gamma_life[1] == 0.0);
    assert_int_equal(f.customers, 300);
    cxm_model_init(&plain);
    assert_int_equal(cxm_model_fit(&plain, rfm, kind, NULL), CXM_OK);
    assert_true(f.null_loglik == plain.loglik);
    for (int k = 0; k < 4; k++) assert_true(close_rel(f.param[k], plain.param[k], 1e-12));
    /* gamma = 0 at other covariates: the plain model's log-likelihood */
    for (int i = 0; i < 600; i++) cov[i] = sin((double)i);
    f.gamma_trans[0] = f.gamma_trans[1] = f.gamma_life[0] = f.gamma_life[1] = 0.0;
    double ll, want;
    assert_int_equal(cxm_covariate_loglik(&ll, &f, rfm, cov, 300), CXM_OK);
    assert_int_equal(cxm_model_loglik(&want, &plain, rfm), CXM_OK);
    assert_true(close_rel(ll, want, 1e-12));
    cxm_rfm_free(rfm);
  }
}

/* A fit on covariates c x finds gammas / c, the same base parameters and
 * log-likelihood (the model depends on gamma'x only), and its standard
 * errors scale the same way; the LR test is then the same. */
static void test_scale_invariance(void **state) {
  (void)state;
  for (int32_t kind = CXM_MODEL_BGNBD; kind <= CXM_MODEL_PNBD; kind += 2) {
    cxm_rfm *rfm = population(400);
    double cov[400], cov3[400];
    cxm_covariate_fit f, g;
    for (int i = 0; i < 400; i++) {
      /* a covariate related to the data: customers with more purchases get 1 */
      cxm_rfm_customer c;
      cxm_rfm_customer_init(&c);
      assert_int_equal(cxm_rfm_get(&c, rfm, (size_t)i), CXM_OK);
      cov[i] = c.x >= 3 ? 1.0 : 0.0;
      if (i % 5 == 0) cov[i] = 1.0 - cov[i];
      cov3[i] = 3.0 * cov[i];
    }
    cxm_covariate_fit_init(&f);
    f.kind = kind;
    /* BG/NBD: in these data the customers with the covariate 0 almost
     * never drop out, and a gamma_life runs to the boundary (a0, b0 -> inf,
     * flagged degenerate); the purchase process only */
    f.life = kind == CXM_MODEL_BGNBD ? 0 : 1;
    g = f;
    assert_int_equal(cxm_covariate_model_fit(&f, rfm, cov, 400, NULL), CXM_OK);
    assert_int_equal(cxm_covariate_model_fit(&g, rfm, cov3, 400, NULL), CXM_OK);
    assert_true(f.converged && f.degenerate == 0 && f.lr > 10.0 && f.lr_p < 0.01);
    assert_true(f.gamma_trans[0] > 0.0); /* the covariate marks the frequent buyers */
    assert_true(close_rel(f.loglik, g.loglik, 1e-8));
    assert_true(fabs(f.gamma_trans[0] - 3.0 * g.gamma_trans[0]) <= 1e-4 * fabs(f.gamma_trans[0]) + 1e-6);
    assert_true(close_rel(f.se_trans[0], 3.0 * g.se_trans[0], 1e-3));
    if (f.life) {
      assert_true(fabs(f.gamma_life[0] - 3.0 * g.gamma_life[0]) <= 1e-4 * fabs(f.gamma_life[0]) + 1e-6);
      assert_true(close_rel(f.se_life[0], 3.0 * g.se_life[0], 1e-3));
    } else {
      assert_true(isnan(f.se_life[0]) && f.gamma_life[0] == 0.0 && f.lr_df == 1);
    }
    for (int k = 0; k < 4; k++) assert_true(close_rel(f.param[k], g.param[k], 1e-4));
    assert_true(close_rel(f.lr, g.lr, 1e-6));
    /* the maximum: the fit's log-likelihood is not below nearby points */
    cxm_covariate_fit h = f;
    double ll;
    for (int k = 0; k < 1 + (int)f.life; k++) {
      double *gm = k == 0 ? &h.gamma_trans[0] : &h.gamma_life[0];
      double keep = *gm;
      for (int sgn = -1; sgn <= 1; sgn += 2) {
        *gm = keep + sgn * 0.01;
        assert_int_equal(cxm_covariate_loglik(&ll, &h, rfm, cov, 400), CXM_OK);
        assert_true(ll < f.loglik);
      }
      *gm = keep;
    }
    cxm_rfm_free(rfm);
  }
}

static void record(cxm_store *s, const char *customer, int64_t time, int32_t kind, double value) {
  cxm_event e;
  cxm_event_init(&e);
  e.customer = customer;
  e.customer_len = strlen(customer);
  e.time = time;
  e.kind = kind;
  e.has_value = 1;
  e.value = value;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
}

/* First answers: A's first is an NPS 6 (detractor) before a later 10; B's
 * first is a CSAT 4, then a CSAT 1; C answered a CES 3 (detractor) first,
 * but only after `to`, and before it nothing; D's two answers at one second
 * are a CES 2 (first read: detractor) and an NPS 10; E buys and never
 * answers; F answers but buys only once on the last day (no summary). */
static void test_store_detractor(void **state) {
  cxm_store *s;
  cxm_rfm *rfm;
  cxm_rfm_options o;
  double det[8];
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  record(s, "A", 0 * DAY, CXM_KIND_PURCHASE, 10);
  record(s, "A", 5 * DAY, CXM_KIND_PURCHASE, 10);
  record(s, "A", 2 * DAY, CXM_KIND_NPS, 10);
  record(s, "A", 1 * DAY, CXM_KIND_NPS, 6);
  record(s, "B", 1 * DAY, CXM_KIND_PURCHASE, 10);
  record(s, "B", 3 * DAY, CXM_KIND_CSAT, 4);
  record(s, "B", 4 * DAY, CXM_KIND_CSAT, 1);
  record(s, "C", 2 * DAY, CXM_KIND_PURCHASE, 10);
  record(s, "C", 12 * DAY, CXM_KIND_CES, 3);
  record(s, "D", 3 * DAY, CXM_KIND_PURCHASE, 10);
  record(s, "D", 4 * DAY + 5, CXM_KIND_CES, 2);
  record(s, "D", 4 * DAY + 5, CXM_KIND_NPS, 10);
  record(s, "E", 4 * DAY, CXM_KIND_PURCHASE, 10);
  record(s, "F", 9 * DAY, CXM_KIND_PURCHASE, 10);
  record(s, "F", 1 * DAY, CXM_KIND_NPS, 0);
  record(s, "G", 11 * DAY, CXM_KIND_PURCHASE, 10); /* after `to` */
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  cxm_rfm_options_init(&o);
  o.to = 10 * DAY;                                                             /* days 0..9 */
  assert_int_equal(cxm_store_rfm_detractor(rfm, det, 6, s, &o), CXM_E_BUFFER); /* 7 customers */
  assert_int_equal(cxm_rfm_count(rfm), 0);
  assert_int_equal(cxm_store_rfm_detractor(NULL, det, 8, s, &o), CXM_E_ARG);
  assert_int_equal(cxm_store_rfm_detractor(rfm, NULL, 8, s, &o), CXM_E_ARG);
  for (int i = 0; i < 8; i++) det[i] = -1.0;
  assert_int_equal(cxm_store_rfm_detractor(rfm, det, 8, s, &o), CXM_OK);
  assert_int_equal(cxm_rfm_count(rfm), 5); /* A..E; F born on the last day, G after it */
  const char *ids = "ABCDE";
  const double want[5] = {1.0, 0.0, 0.0, 1.0, 0.0};
  for (size_t i = 0; i < 5; i++) {
    cxm_rfm_customer c;
    cxm_rfm_customer_init(&c);
    assert_int_equal(cxm_rfm_get(&c, rfm, i), CXM_OK);
    assert_int_equal(c.id_len, 1);
    assert_int_equal(c.id[0], ids[i]);
    assert_true(det[i] == want[i]);
  }
  assert_true(det[5] == -1.0); /* nothing written beyond the summaries */
  /* appended to a set that has summaries: the covariates of the new ones */
  cxm_rfm_options_init(&o);
  o.to = 13 * DAY; /* C's CES 3 now counts: the first answer in calibration */
  assert_int_equal(cxm_store_rfm_detractor(rfm, det, 8, s, &o), CXM_OK);
  assert_int_equal(cxm_rfm_count(rfm), 12); /* A..G */
  assert_true(det[2] == 1.0 && det[5] == 1.0 && det[6] == 0.0);
  cxm_rfm_free(rfm);
  cxm_store_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_init_and_arguments), cmocka_unit_test(test_hand_worked),
      cmocka_unit_test(test_customer_model),     cmocka_unit_test(test_zero_covariates),
      cmocka_unit_test(test_scale_invariance),   cmocka_unit_test(test_store_detractor),
  };
  return cmocka_run_group_tests(tests, 0, NULL);
}
