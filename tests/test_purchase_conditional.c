/* The conditional count distribution P(k purchases in (T, T + t] | x, t_x,
 * T) (cxm_model_conditional_pmf, src/purchase/{bgnbd,pnbd,bgbb}.c):
 * - point values of BG/NBD, MBG/NBD and Pareto/NBD at the published CDNOW
 *   parameters against tools/purchase_conditional_reference.py (mpmath:
 *   BG/NBD and MBG/NBD integrated from the definitions over lambda and p,
 *   Pareto/NBD by the 2F1 closed form of Fader & Hardie's note 028), which
 *   takes neither of the C code's routes (posterior parameters, Gauss-
 *   Legendre over the lifetime);
 * - identities: it sums to 1 over k, its mean is cxm_model_expected(), its
 *   k = 0 term is cxm_model_p_no_purchase(), and a customer just acquired
 *   gets cxm_model_pmf();
 * - simulation: customers drawn from each model (seeded), their calibration
 *   summaries and holdout counts; summed over customers, the predicted
 *   number with k holdout purchases equals the simulated number within
 *   4.5 binomial standard deviations, for every k = 0..4 and k >= 5. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cxm/purchase.h"

static const double BG[4] = {0.2425982, 4.4136842, 0.7929899, 2.4261667};
static const double PN[4] = {0.5533, 10.578, 0.6062, 11.668};
static const double BB[4] = {1.204, 0.750, 0.657, 2.783};

static cxm_model model(int32_t kind) {
  cxm_model m;
  cxm_model_init(&m);
  m.kind = kind;
  m.param_count = 4;
  memcpy(m.param, kind == CXM_MODEL_PNBD ? PN : (kind == CXM_MODEL_BGBB ? BB : BG), sizeof m.param);
  return m;
}

static void close_rel(double got, double want, double tol, const char *what) {
  if (!(fabs(got - want) <= tol * fabs(want))) {
    fail_msg("%s: got %.17g want %.17g", what, got, want);
  }
}

static const struct {
  int32_t kind;
  double t;
  uint32_t x;
  double tx, T, p[6];
} REF[] = {
    {CXM_MODEL_BGNBD,
     39.0,
     0,
     0.0,
     38.86,
     {0.85566961054759327, 0.10971463108887471, 0.024242330362435567, 0.0069060870592005854, 0.0022291054916448918,
      0.00077582857346942071}},
    {CXM_MODEL_MBGNBD,
     39.0,
     0,
     0.0,
     38.86,
     {0.90799218291167594, 0.068231471467767646, 0.016335228410663784, 0.0048822567889794839, 0.0016265572354535033,
      0.00057891654043669871}},
    {CXM_MODEL_PNBD,
     39.0,
     0,
     0.0,
     38.86,
     {0.93072950739087756, 0.045885020691674404, 0.014675351522720538, 0.0053143366865522328, 0.0020365566821129904,
      0.00080578423461933452}},
    {CXM_MODEL_BGNBD,
     39.0,
     2,
     30.43,
     38.86,
     {0.44539401480874646, 0.23933107719340677, 0.14417825554112973, 0.080841402212729244, 0.043537628724993276,
      0.022858750763519359}},
    {CXM_MODEL_MBGNBD,
     39.0,
     2,
     30.43,
     38.86,
     {0.40888221739173436, 0.24540687625204666, 0.15429894606088079, 0.088924213011564501, 0.048823923792089531,
      0.026005109722319442}},
    {CXM_MODEL_PNBD,
     39.0,
     2,
     30.43,
     38.86,
     {0.40808639810501951, 0.21926722967654866, 0.15174749421958764, 0.095653536429442368, 0.05657581236540505,
      0.031983801011600081}},
    {CXM_MODEL_BGNBD,
     39.0,
     7,
     35.0,
     38.0,
     {0.1456662095711552, 0.090822015067460876, 0.098966322288469036, 0.1052300197628718, 0.10516028463706087,
      0.098156822593782334}},
    {CXM_MODEL_MBGNBD,
     39.0,
     7,
     35.0,
     38.0,
     {0.13297265628390939, 0.086361204477160572, 0.096960495624854315, 0.10524291751047915, 0.10665224022325015,
      0.10053740210969021}},
    {CXM_MODEL_PNBD,
     39.0,
     7,
     35.0,
     38.0,
     {0.12392382930934737, 0.081594894528208506, 0.093802857244146789, 0.10471628601320394, 0.10862899529883692,
      0.10409926274298804}},
    {CXM_MODEL_BGNBD,
     39.0,
     1,
     2.0,
     30.0,
     {0.83225749842140972, 0.089029229784207575, 0.041007802630811843, 0.019360346403756182, 0.0093141678208317601,
      0.0045447071348651332}},
    {CXM_MODEL_MBGNBD,
     39.0,
     1,
     2.0,
     30.0,
     {0.78723604559581573, 0.10849680591824584, 0.052881944884092001, 0.025878270668753759, 0.012761834103495412,
      0.0063404664471466603}},
    {CXM_MODEL_PNBD,
     39.0,
     1,
     2.0,
     30.0,
     {0.8612899901577209, 0.062651678196496599, 0.034993989941135117, 0.019181724055316911, 0.010342130861799996,
      0.0055042838381936764}},
    {CXM_MODEL_BGNBD,
     10.0,
     0,
     0.0,
     38.86,
     {0.95081513231713988, 0.044748371910849426, 0.0039242786368340358, 0.00044558602911208377, 5.732153862195669e-05,
      7.9450956071766735e-06}},
    {CXM_MODEL_MBGNBD,
     10.0,
     0,
     0.0,
     38.86,
     {0.96864560314395687, 0.02830712411650977, 0.0026798466833287461, 0.00031825301468155236, 4.2163599675552456e-05,
      5.9666672946488985e-06}},
    {CXM_MODEL_PNBD,
     10.0,
     0,
     0.0,
     38.86,
     {0.97288705806207265, 0.023586238734071677, 0.003022877235311337, 0.0004286329864764142, 6.3683434926883902e-05,
      9.7185364293549349e-06}},
    {CXM_MODEL_BGNBD,
     10.0,
     2,
     30.43,
     38.86,
     {0.7292386806217408, 0.2038752620428434, 0.051739682724759144, 0.011874557000186284, 0.0025853808243721603,
      0.00054521910046965234}},
    {CXM_MODEL_MBGNBD,
     10.0,
     2,
     30.43,
     38.86,
     {0.71141344485892666, 0.21524345387473803, 0.056398308869963026, 0.01322953798719375, 0.0029267548809567023,
      0.00062479104486554962}},
    {CXM_MODEL_PNBD,
     10.0,
     2,
     30.43,
     38.86,
     {0.68977244604903232, 0.22357456398600675, 0.065285455074818366, 0.016481536776194215, 0.0038238589607554911,
      0.00083947199410322525}},
    {CXM_MODEL_BGNBD,
     10.0,
     7,
     35.0,
     38.0,
     {0.32405272260692702, 0.28959033191582245, 0.20059097864696884, 0.10730074476482937, 0.048447216232643031,
      0.019391945504559409}},
    {CXM_MODEL_MBGNBD,
     10.0,
     7,
     35.0,
     38.0,
     {0.31400960728001159, 0.29095289005526426, 0.20391552699550963, 0.10997061892639924, 0.049966397244899631,
      0.020102968664271498}},
    {CXM_MODEL_PNBD,
     10.0,
     7,
     35.0,
     38.0,
     {0.30884509487391304, 0.29487747622653787, 0.20696450968517882, 0.11054479262369726, 0.04930651628573024,
      0.019331156923367052}},
    {CXM_MODEL_BGNBD,
     10.0,
     1,
     2.0,
     30.0,
     {0.92529160088744089, 0.059549532245596185, 0.012046843292982036, 0.0024656973445983765, 0.00051079882753491952,
      0.00010688712421568676}},
    {CXM_MODEL_MBGNBD,
     10.0,
     1,
     2.0,
     30.0,
     {0.90524014920007068, 0.074679732333693891, 0.01583903703932002, 0.0033424338680192664, 0.00070738205681622663,
      0.00015037822666122633}},
    {CXM_MODEL_PNBD,
     10.0,
     1,
     2.0,
     30.0,
     {0.93162181846113601, 0.05184111319137797, 0.012748765089896344, 0.0029470618176952674, 0.00065817189532378986,
      0.00014379224757401417}},
};

static void test_reference(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof REF / sizeof REF[0]; i++) {
    cxm_model m = model(REF[i].kind);
    for (uint32_t k = 0; k < 6; k++) {
      double v;
      char what[96];
      snprintf(what, sizeof what, "%s t=%g x=%u t_x=%g T=%g k=%u", cxm_model_name(REF[i].kind), REF[i].t, REF[i].x,
               REF[i].tx, REF[i].T, k);
      assert_int_equal(cxm_model_conditional_pmf(&v, &m, REF[i].t, k, REF[i].x, REF[i].tx, REF[i].T), CXM_OK);
      close_rel(v, REF[i].p[k], 1e-10, what);
    }
  }
}

static void test_identities(void **state) {
  (void)state;
  const int32_t kinds[] = {CXM_MODEL_BGNBD, CXM_MODEL_MBGNBD, CXM_MODEL_PNBD};
  const struct {
    uint32_t x;
    double tx, T;
  } hist[] = {{0, 0.0, 38.86}, {2, 30.43, 38.86}, {7, 35.0, 38.0}, {40, 20.0, 52.0}};
  for (size_t a = 0; a < 3; a++) {
    cxm_model m = model(kinds[a]);
    for (size_t h = 0; h < sizeof hist / sizeof hist[0]; h++) {
      double sum = 0.0, mean = 0.0, v, e, p0;
      for (uint32_t k = 0; k < 2000; k++) {
        assert_int_equal(cxm_model_conditional_pmf(&v, &m, 52.0, k, hist[h].x, hist[h].tx, hist[h].T), CXM_OK);
        sum += v;
        mean += (double)k * v;
        if (k == 0) {
          assert_int_equal(cxm_model_p_no_purchase(&p0, &m, 52.0, hist[h].x, hist[h].tx, hist[h].T), CXM_OK);
          close_rel(v, p0, 1e-9, "k = 0 is p_no_purchase");
        }
      }
      assert_int_equal(cxm_model_expected(&e, &m, 52.0, hist[h].x, hist[h].tx, hist[h].T), CXM_OK);
      close_rel(sum, 1.0, 1e-9, "sum over k");
      close_rel(mean, e, 1e-7, "mean is the conditional expectation");
    }
    /* A customer just acquired. */
    for (uint32_t k = 0; k < 5; k++) {
      double c, u;
      assert_int_equal(cxm_model_conditional_pmf(&c, &m, 30.0, k, 0, 0.0, 0.0), CXM_OK);
      assert_int_equal(cxm_model_pmf(&u, &m, 30.0, k), CXM_OK);
      close_rel(c, u, 1e-13, "new customer");
    }
    /* t = 0: no purchase for sure. */
    double z;
    assert_int_equal(cxm_model_conditional_pmf(&z, &m, 0.0, 0, 2, 10.0, 20.0), CXM_OK);
    assert_true(z == 1.0);
    assert_int_equal(cxm_model_conditional_pmf(&z, &m, 0.0, 1, 2, 10.0, 20.0), CXM_OK);
    assert_true(z == 0.0);
  }
  double v;
  cxm_model gg;
  cxm_model_init(&gg);
  gg.kind = CXM_MODEL_GAMMA_GAMMA;
  gg.param[0] = gg.param[1] = gg.param[2] = 2.0;
  assert_int_equal(cxm_model_conditional_pmf(&v, &gg, 1.0, 0, 0, 0.0, 1.0), CXM_E_MODEL);
  cxm_model m = model(CXM_MODEL_BGNBD);
  assert_int_equal(cxm_model_conditional_pmf(NULL, &m, 1.0, 0, 0, 0.0, 1.0), CXM_E_ARG);
  assert_int_equal(cxm_model_conditional_pmf(&v, &m, -1.0, 0, 0, 0.0, 1.0), CXM_E_VALUE);
  assert_int_equal(cxm_model_conditional_pmf(&v, &m, 1.0, 0, 1, 3.0, 2.0), CXM_E_VALUE);
}

/* ---- simulation --------------------------------------------------------- */

static uint64_t rng_state;

static double uniform(void) { /* splitmix64, (0, 1) */
  uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  z ^= z >> 31;
  return ((double)(z >> 11) + 0.5) * 0x1p-53;
}

static double normal(void) { return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform()); }

/* Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 by the boost
 * G(a) = G(a + 1) U^(1/a). */
static double gamma_draw(double a) {
  if (a < 1.0) {
    return gamma_draw(a + 1.0) * pow(uniform(), 1.0 / a);
  }
  double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
  for (;;) {
    double z = normal(), v = 1.0 + c * z;
    if (v <= 0.0) {
      continue;
    }
    v = v * v * v;
    double u = uniform();
    if (log(u) < 0.5 * z * z + d - d * v + d * log(v)) {
      return d * v;
    }
  }
}

static double beta_draw(double a, double b) {
  double x = gamma_draw(a);
  return x / (x + gamma_draw(b));
}

typedef struct sim_customer {
  uint32_t x, y; /* calibration repeat purchases, holdout purchases */
  double tx, T;
} sim_customer;

/* One customer of `kind` observed for T, then a holdout of length t. */
static sim_customer simulate(int32_t kind, double T, double t) {
  sim_customer c = {0, 0, 0.0, T};
  if (kind == CXM_MODEL_BGBB) {
    double p = beta_draw(BB[0], BB[1]), theta = beta_draw(BB[2], BB[3]);
    for (double j = 1.0; j <= T + t; j += 1.0) {
      if (uniform() < theta) {
        break;
      }
      if (uniform() < p) {
        if (j <= T) {
          c.x++;
          c.tx = j;
        } else {
          c.y++;
        }
      }
    }
    return c;
  }
  const double *q = kind == CXM_MODEL_PNBD ? PN : BG;
  double lambda = gamma_draw(q[0]) / q[1];
  double end = T + t, now = 0.0, p = 0.0;
  if (kind == CXM_MODEL_PNBD) {
    double mu = gamma_draw(q[2]) / q[3];
    double death = -log(uniform()) / mu;
    end = death < end ? death : end;
  } else {
    p = beta_draw(q[2], q[3]);
    if (kind == CXM_MODEL_MBGNBD && uniform() < p) {
      return c; /* MBG/NBD: may drop out right after the first purchase */
    }
  }
  for (;;) {
    now += -log(uniform()) / lambda;
    if (now > end) {
      return c;
    }
    if (now <= T) {
      c.x++;
      c.tx = now;
    } else {
      c.y++;
    }
    if (kind != CXM_MODEL_PNBD && uniform() < p) {
      return c;
    }
  }
}

static void check_simulation(int32_t kind, size_t n, double t, uint64_t seed) {
  enum { K = 6 };
  double predicted[K] = {0}, variance[K] = {0}, actual[K] = {0};
  cxm_model m = model(kind);
  rng_state = seed;
  for (size_t i = 0; i < n; i++) {
    /* Ages of 27..39 whole weeks (opportunities for BG/BB: 3..6). */
    double T = kind == CXM_MODEL_BGBB ? 3.0 + (double)(i % 4) : 27.0 + (double)(i % 13);
    sim_customer c = simulate(kind, T, t);
    double rest = 1.0;
    for (uint32_t k = 0; k < K; k++) {
      double v = 0.0;
      if (k < K - 1) {
        assert_int_equal(cxm_model_conditional_pmf(&v, &m, t, k, c.x, c.tx, c.T), CXM_OK);
        rest -= v;
      } else {
        v = rest > 0.0 ? rest : 0.0;
      }
      predicted[k] += v;
      variance[k] += v * (1.0 - v);
    }
    actual[c.y < K - 1 ? c.y : K - 1] += 1.0;
  }
  for (int k = 0; k < K; k++) {
    double z = (actual[k] - predicted[k]) / sqrt(variance[k]);
    if (!(fabs(z) <= 4.5)) {
      fail_msg("%s, k = %d%s: simulated %.0f, predicted %.1f (z = %.2f)", cxm_model_name(kind), k,
               k == K - 1 ? " or more" : "", actual[k], predicted[k], z);
    }
  }
}

static void test_simulation(void **state) {
  (void)state;
  check_simulation(CXM_MODEL_BGNBD, 20000, 39.0, 1);
  check_simulation(CXM_MODEL_MBGNBD, 20000, 39.0, 2);
  check_simulation(CXM_MODEL_PNBD, 5000, 39.0, 3);
  check_simulation(CXM_MODEL_BGBB, 20000, 5.0, 4);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reference),
      cmocka_unit_test(test_identities),
      cmocka_unit_test(test_simulation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
