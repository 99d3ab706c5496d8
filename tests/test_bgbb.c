/* BG/BB (src/purchase/bgbb.c), grouped summaries (the `weight` of a
 * cxm_rfm_customer) and the L2 penalty of the fits, on the donations data
 * of Fader, Hardie & Shang (2010): tests/data/cdnow/donations.csv (11,104
 * donors, 6 annual opportunities; provenance in tests/data/cdnow/SOURCE.md).
 *
 * Published: alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783
 * (FHS 2010; lifetimes' BetaGeoBetaBinomFitter tests check the same values
 * to 2 decimals). "ref" values were printed by tools/bgbb_reference.py
 * (scipy fits; mpmath, 40 digits, from the paper's equations and, for the
 * conditional distribution, a brute-force sum over the latent lifetime). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/purchase.h"
#include "purchase/models.h"

static const double PUB[4] = {1.204, 0.750, 0.657, 2.783};

static cxm_rfm *load_donations(void) {
  const char *root = getenv("CXM_SOURCE_ROOT");
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/data/cdnow/donations.csv", root != NULL ? root : ".");
  cxm_rfm *r;
  uint64_t line = 0;
  assert_int_equal(cxm_rfm_new(&r, NULL), CXM_OK);
  assert_int_equal(cxm_rfm_load_file(r, &line, path), CXM_OK);
  assert_int_equal(cxm_rfm_count(r), 22);
  return r;
}

static void close_rel(double got, double want, double tol, const char *what) {
  if (!(fabs(got - want) <= tol * fabs(want))) {
    fail_msg("%s: got %.17g want %.17g", what, got, want);
  }
}

static cxm_model bgbb(const double *p) {
  cxm_model m;
  cxm_model_init(&m);
  m.kind = CXM_MODEL_BGBB;
  m.param_count = 4;
  memcpy(m.param, p, sizeof m.param);
  return m;
}

/* The grouped file: 22 rows whose weights sum to 11,104 donors. */
static void test_weights_load(void **state) {
  (void)state;
  cxm_rfm *r = load_donations();
  cxm_rfm_customer c;
  cxm_rfm_customer_init(&c);
  double sum = 0.0;
  for (size_t i = 0; i < cxm_rfm_count(r); i++) {
    assert_int_equal(cxm_rfm_get(&c, r, i), CXM_OK);
    sum += c.weight;
  }
  assert_true(sum == 11104.0);
  assert_int_equal(cxm_rfm_get(&c, r, 0), CXM_OK); /* 0,0,6,3464 */
  assert_true(c.x == 0 && c.t_x == 0.0 && c.T == 6.0 && c.weight == 3464.0);
  /* A weight must be a whole number >= 1. */
  const char *bad[] = {"x,t_x,T,weights\n1,1,2,0\n", "x,t_x,T,weights\n1,1,2,1.5\n", "x,t_x,T,count\n1,1,2,-1\n"};
  for (size_t i = 0; i < 3; i++) {
    uint64_t line = 0;
    assert_int_equal(cxm_rfm_load_csv(r, &line, bad[i], strlen(bad[i])), CXM_E_VALUE);
    assert_int_equal(line, 2);
  }
  cxm_rfm_customer_init(&c);
  c.x = 1;
  c.t_x = 1.0;
  c.T = 2.0;
  c.weight = 0.0;
  assert_int_equal(cxm_rfm_add(r, &c), CXM_E_VALUE);
  assert_int_equal(cxm_rfm_count(r), 22);
  cxm_rfm_free(r);
}

/* A caller built against 0.1 has a cxm_rfm_customer without `weight`:
 * its summaries count once, and cxm_rfm_get writes no further than its
 * struct reaches. */
static void test_weights_old_struct(void **state) {
  (void)state;
  cxm_rfm *r;
  assert_int_equal(cxm_rfm_new(&r, NULL), CXM_OK);
  unsigned char buf[sizeof(cxm_rfm_customer) + 8];
  memset(buf, 0xAB, sizeof buf);
  cxm_rfm_customer c;
  cxm_rfm_customer_init(&c);
  c.size = offsetof(cxm_rfm_customer, weight);
  c.x = 2;
  c.t_x = 3.0;
  c.T = 5.0;
  memcpy(buf, &c, offsetof(cxm_rfm_customer, weight));
  assert_int_equal(cxm_rfm_add(r, (const cxm_rfm_customer *)(const void *)buf), CXM_OK);
  cxm_rfm_customer back;
  cxm_rfm_customer_init(&back);
  assert_int_equal(cxm_rfm_get(&back, r, 0), CXM_OK);
  assert_true(back.weight == 1.0 && back.x == 2);
  memset(buf, 0xAB, sizeof buf);
  memcpy(buf, &c.size, sizeof c.size);
  assert_int_equal(cxm_rfm_get((cxm_rfm_customer *)(void *)buf, r, 0), CXM_OK);
  for (size_t i = offsetof(cxm_rfm_customer, weight); i < sizeof buf; i++) {
    assert_int_equal(buf[i], 0xAB);
  }
  cxm_rfm_free(r);
}

/* The published estimates: the fit agrees with them to their 3 decimals
 * and with scipy's (ref: 1.20352227 0.749716321 0.656718221 2.78344232) to
 * 1e-5; the log-likelihood at the fit is at least scipy's maximum
 * -33225.581274347 (ref, mpmath at scipy's estimates) and within 1e-6 of it. */
static void test_donations_fit(void **state) {
  (void)state;
  cxm_rfm *r = load_donations();
  cxm_model m;
  cxm_model_init(&m);
  assert_int_equal(cxm_model_fit(&m, r, CXM_MODEL_BGBB, NULL), CXM_OK);
  assert_int_equal(m.kind, CXM_MODEL_BGBB);
  assert_int_equal(m.customers, 11104);
  assert_int_equal(m.distinct, 22);
  assert_int_equal(m.degenerate, 0);
  const double ref[4] = {1.20352227, 0.749716321, 0.656718221, 2.78344232};
  for (int i = 0; i < 4; i++) {
    if (!(fabs(round(m.param[i] * 1000.0) / 1000.0 - PUB[i]) < 1e-9)) {
      fail_msg("%s = %.6f does not round to the published %.3f", cxm_model_param_name(CXM_MODEL_BGBB, i), m.param[i],
               PUB[i]);
    }
    close_rel(m.param[i], ref[i], 1e-5, cxm_model_param_name(CXM_MODEL_BGBB, i));
    assert_true(m.se[i] > 0.0 && m.se[i] < 0.2 * m.param[i]);
  }
  assert_true(m.loglik >= -33225.581274347 - 1e-7);
  assert_true(m.loglik <= -33225.581274347 + 1e-6);
  assert_string_equal(cxm_model_name(CXM_MODEL_BGBB), "bgbb");
  assert_string_equal(cxm_model_param_name(CXM_MODEL_BGBB, 2), "gamma");
  assert_null(cxm_model_param_name(CXM_MODEL_BGBB, 4));
  /* The log-likelihood at the published values (ref -33225.5817545186). */
  cxm_model p = bgbb(PUB);
  double ll;
  assert_int_equal(cxm_model_loglik(&ll, &p, r), CXM_OK);
  close_rel(ll, -33225.5817545186, 1e-13, "loglik(published)");
  cxm_rfm_free(r);
}

/* Weights are counts: the 22 grouped rows fit exactly as the 11,104
 * donors one by one. */
static void test_weights_equal_expanded(void **state) {
  (void)state;
  cxm_rfm *g = load_donations(), *e;
  assert_int_equal(cxm_rfm_new(&e, NULL), CXM_OK);
  cxm_rfm_customer c;
  cxm_rfm_customer_init(&c);
  for (size_t i = 0; i < cxm_rfm_count(g); i++) {
    assert_int_equal(cxm_rfm_get(&c, g, i), CXM_OK);
    double w = c.weight;
    c.weight = 1.0;
    for (double k = 0; k < w; k += 1.0) {
      assert_int_equal(cxm_rfm_add(e, &c), CXM_OK);
    }
  }
  cxm_model a, b;
  cxm_model_init(&a);
  cxm_model_init(&b);
  assert_int_equal(cxm_model_fit(&a, g, CXM_MODEL_BGBB, NULL), CXM_OK);
  assert_int_equal(cxm_model_fit(&b, e, CXM_MODEL_BGBB, NULL), CXM_OK);
  assert_int_equal(b.customers, 11104);
  assert_int_equal(b.distinct, 22);
  for (int i = 0; i < 4; i++) {
    assert_true(a.param[i] == b.param[i]);
  }
  assert_true(a.loglik == b.loglik);
  cxm_rfm_free(g);
  cxm_rfm_free(e);
}

/* Per-customer values at the published parameters against the paper's
 * equations (ref, mpmath): P(alive at n + 1) (eq. 11), E over the next n*
 * opportunities (eq. 13), and the conditional distribution of the count in
 * the next 5 (brute force over the latent lifetime). */
static void test_per_customer(void **state) {
  (void)state;
  cxm_model m = bgbb(PUB);
  struct {
    uint32_t x;
    double tx, n, alive, e1, e5, e10, pmf[6];
  } ref[] = {
      {0,
       0,
       6,
       0.10801658416867418,
       0.016350511357692197,
       0.072802877475043007,
       0.13010379141284864,
       {0.95223460830019557, 0.029828187024810097, 0.01231862904609065, 0.0043090922538191363, 0.0011372612788287065,
        0.00017222209625587467}},
      {1,
       1,
       6,
       0.06940809320654967,
       0.019232516649136971,
       0.085635398337870303,
       0.15303639621560025,
       {0.95338829054843444, 0.021937037248558354, 0.014165126657932611, 0.0072403093772511109, 0.0026990011974239794,
        0.00057023497039949392}},
      {3,
       5,
       6,
       0.76673404999572514,
       0.40524892458914114,
       1.8044259997945682,
       3.224634410606511,
       {0.30950712337304997, 0.15756722755432875, 0.18180076247653171, 0.17396331162985113, 0.12444056243356946,
        0.052721012532668969}},
      {6,
       6,
       6,
       0.93040254237288134,
       0.84267285834224759,
       3.7521156075998148,
       6.705290825014492,
       {0.076841143774011897, 0.066761688241223971, 0.068984902209570445, 0.098238201132722358, 0.19320081167107389,
        0.49597325297139744}},
      {2,
       4,
       6,
       0.58951411643369789,
       0.23746583216665426,
       1.0573489419096804,
       1.8895558933913141,
       {0.51956810205733051, 0.16168388177262213, 0.14578082414227911, 0.10359605400376055, 0.053540440278819962,
        0.015830697745187736}},
  };
  for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
    double v, sum = 0.0;
    assert_int_equal(cxm_model_p_alive(&v, &m, ref[i].x, ref[i].tx, ref[i].n), CXM_OK);
    close_rel(v, ref[i].alive, 1e-13, "p_alive");
    assert_int_equal(cxm_model_expected(&v, &m, 1.0, ref[i].x, ref[i].tx, ref[i].n), CXM_OK);
    close_rel(v, ref[i].e1, 1e-13, "expected 1");
    assert_int_equal(cxm_model_expected(&v, &m, 5.0, ref[i].x, ref[i].tx, ref[i].n), CXM_OK);
    close_rel(v, ref[i].e5, 1e-13, "expected 5");
    assert_int_equal(cxm_model_expected(&v, &m, 10.0, ref[i].x, ref[i].tx, ref[i].n), CXM_OK);
    close_rel(v, ref[i].e10, 1e-13, "expected 10");
    for (uint32_t k = 0; k <= 6; k++) {
      assert_int_equal(cxm_model_conditional_pmf(&v, &m, 5.0, k, ref[i].x, ref[i].tx, ref[i].n), CXM_OK);
      if (k == 6) {
        assert_true(v == 0.0); /* more transactions than opportunities */
      } else {
        close_rel(v, ref[i].pmf[k], 1e-12, "conditional pmf");
      }
      sum += v;
    }
    close_rel(sum, 1.0, 1e-14, "sum of the conditional pmf");
    double p0;
    assert_int_equal(cxm_model_p_no_purchase(&p0, &m, 5.0, ref[i].x, ref[i].tx, ref[i].n), CXM_OK);
    close_rel(p0, ref[i].pmf[0], 1e-12, "p_no_purchase");
  }
  /* A donor just acquired: P(X(6) = k) (FHS eq. 7, ref), and the
   * conditional pmf with x = t_x = n = 0 equals it. */
  const double pmf6[7] = {0.31121774326384938,  0.17010997840651465,  0.12148051376687113, 0.10026311502480369,
                          0.091659853424921833, 0.092481147905292493, 0.11278764820774684};
  double e6 = 0.0, pop;
  for (uint32_t k = 0; k <= 6; k++) {
    double v, c;
    assert_int_equal(cxm_model_pmf(&v, &m, 6.0, k), CXM_OK);
    close_rel(v, pmf6[k], 1e-13, "pmf");
    assert_int_equal(cxm_model_conditional_pmf(&c, &m, 6.0, k, 0, 0.0, 0.0), CXM_OK);
    close_rel(c, v, 1e-15, "conditional pmf of a new donor");
    e6 += (double)k * v;
  }
  assert_int_equal(cxm_model_population(&pop, &m, 6.0), CXM_OK);
  close_rel(pop, e6, 1e-13, "E[X(6)] = sum k P(X(6) = k)");
  /* The closed form (beyond 4096 opportunities) continues the sum (up to
   * 4096): E(4097) = E(4096) + = P(alive at n) E[p] B(ga, de'+4097)/B(ga, de'),
   * de' = de + n, with x = 3, t_x = 5, n = 6. */
  double a, b;
  assert_int_equal(cxm_model_expected(&a, &m, 4096.0, 3, 5.0, 6.0), CXM_OK);
  assert_int_equal(cxm_model_expected(&b, &m, 4097.0, 3, 5.0, 6.0), CXM_OK);
  double de = 2.783 + 6.0, ga = 0.657;
  double alive_n = 0.76673404999572514 / (de / (ga + de));
  double step = alive_n * (1.204 + 3.0) / (1.204 + 0.75 + 6.0) *
                exp(lgamma(de + 4097.0) - lgamma(de) + lgamma(ga + de) - lgamma(ga + de + 4097.0));
  /* The closed form's ln Gamma differences (~3e4 each) leave ~1e-10 of
   * relative error. */
  close_rel(b, a + step, 1e-9, "closed form after the sum");
}

/* Opportunities are whole: anything else is refused, by the fit too. */
static void test_whole_numbers(void **state) {
  (void)state;
  cxm_model m = bgbb(PUB);
  double v;
  assert_int_equal(cxm_model_expected(&v, &m, 1.5, 1, 1.0, 6.0), CXM_E_VALUE);
  assert_int_equal(cxm_model_expected(&v, &m, 1.0, 1, 1.5, 6.0), CXM_E_VALUE);
  assert_int_equal(cxm_model_expected(&v, &m, 1.0, 3, 2.0, 6.0), CXM_E_VALUE); /* x > t_x */
  assert_int_equal(cxm_model_p_alive(&v, &m, 0, 0.0, 0.0), CXM_E_VALUE);
  assert_int_equal(cxm_model_conditional_pmf(&v, &m, 2.5, 0, 0, 0.0, 3.0), CXM_E_VALUE);
  assert_int_equal(cxm_model_pmf(&v, &m, 0.5, 0), CXM_E_VALUE);
  double pl[4] = {2.0, 3.0, 10.0, 0.0};
  cxm_model gg;
  cxm_model_init(&gg);
  gg.kind = CXM_MODEL_GAMMA_GAMMA;
  gg.param_count = 3;
  memcpy(gg.param, pl, sizeof pl);
  assert_int_equal(cxm_model_clv(&v, &m, &gg, 1, 1.0, 6.0, 20.0, 3, 0.5, 0.0), CXM_E_VALUE);
  assert_int_equal(cxm_model_clv(&v, &m, &gg, 1, 1.0, 6.0, 20.0, 3, 1.0, 0.0), CXM_OK);
  cxm_rfm *r;
  assert_int_equal(cxm_rfm_new(&r, NULL), CXM_OK);
  const char *csv = "x,t_x,T\n1,1,6\n2,3.5,6\n";
  assert_int_equal(cxm_rfm_load_csv(r, NULL, csv, strlen(csv)), CXM_OK);
  cxm_model f;
  cxm_model_init(&f);
  assert_int_equal(cxm_model_fit(&f, r, CXM_MODEL_BGBB, NULL), CXM_E_VALUE);
  cxm_rfm_free(r);
}

/* The analytic gradient of the BG/BB log-likelihood against central
 * differences. */
static void test_gradient(void **state) {
  (void)state;
  const uint32_t x[] = {0, 1, 2, 5, 7};
  const double tx[] = {0, 3, 2, 9, 7}, T[] = {6, 10, 4, 9, 12}, w[] = {3, 1, 2, 5, 1};
  cxmi_triples d = {.n = 5, .x = x, .tx = tx, .T = T, .w = w, .total = 12.0}; /* no pairs */
  const double p[4] = {0.8, 1.7, 0.45, 3.1};
  double g[4];
  (void)cxmi_bgbb_ll(p, &d, g);
  for (int k = 0; k < 4; k++) {
    double q[4] = {p[0], p[1], p[2], p[3]};
    double h = 1e-6 * p[k];
    q[k] += h;
    double up = cxmi_bgbb_ll(q, &d, NULL);
    q[k] -= 2.0 * h;
    double fd = (up - cxmi_bgbb_ll(q, &d, NULL)) / (2.0 * h);
    if (!(fabs(g[k] - fd) <= 1e-7 * fmax(1.0, fabs(fd)))) {
      fail_msg("d/dp%d: %.12g vs %.12g", k, g[k], fd);
    }
  }
}

/* The L2 penalty: lifetimes' objective -sum(w ll)/sum(w) + c sum(p^2) with
 * c = 0.01 (ref, scipy: 0.977537777 0.618128785 0.314207642 1.01206081);
 * c = 0 is the plain fit; a negative c is refused; and options of the 0.1
 * size (without `penalty`) fit without one. */
static void test_penalty(void **state) {
  (void)state;
  cxm_rfm *r = load_donations();
  cxm_fit_options o;
  cxm_fit_options_init(&o);
  assert_true(o.penalty == 0.0);
  o.penalty = 0.01;
  cxm_model m;
  cxm_model_init(&m);
  assert_int_equal(cxm_model_fit(&m, r, CXM_MODEL_BGBB, &o), CXM_OK);
  const double ref[4] = {0.977537777, 0.618128785, 0.314207642, 1.01206081};
  for (int i = 0; i < 4; i++) {
    close_rel(m.param[i], ref[i], 1e-5, "penalised");
  }
  /* loglik stays the plain log-likelihood at the penalised estimates. */
  double ll;
  assert_int_equal(cxm_model_loglik(&ll, &m, r), CXM_OK);
  assert_true(ll == m.loglik && ll < -33225.581274347);
  o.penalty = -1e-3;
  assert_int_equal(cxm_model_fit(&m, r, CXM_MODEL_BGBB, &o), CXM_E_OPTION);
  o.penalty = NAN;
  assert_int_equal(cxm_model_fit(&m, r, CXM_MODEL_BGBB, &o), CXM_E_OPTION);
  /* 0.1's struct ends at max_seconds; whatever lies beyond is not read. */
  struct {
    cxm_fit_options o;
    double junk;
  } old;
  cxm_fit_options_init(&old.o);
  old.o.size = offsetof(cxm_fit_options, penalty);
  old.o.penalty = 1.0; /* beyond the declared size: must be ignored */
  assert_int_equal(cxm_model_fit(&m, r, CXM_MODEL_BGBB, &old.o), CXM_OK);
  close_rel(m.param[0], 1.20352227, 1e-5, "0.1-size options: no penalty");
  cxm_rfm_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_weights_load),  cmocka_unit_test(test_weights_old_struct),
      cmocka_unit_test(test_donations_fit), cmocka_unit_test(test_weights_equal_expanded),
      cmocka_unit_test(test_per_customer),  cmocka_unit_test(test_whole_numbers),
      cmocka_unit_test(test_gradient),      cmocka_unit_test(test_penalty),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
