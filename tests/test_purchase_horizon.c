/* Tests of P(no purchase in (T, T + t] | x, t_x, T) (cxm_model_p_no_purchase,
 * src/purchase/purchase_horizon.c): against an independent computation (the ratio
 * of two double integrals over the individual-level parameters, from the
 * models' stories, by tools/purchase_horizon_reference.py), its limits
 * (1 for an empty horizon, falling with t towards 1 - P(alive)), and every
 * bad argument. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "cxm.h"

typedef struct ref_case {
  int32_t kind;
  double param[4];
  double t;
  uint32_t x;
  double t_x, T, want;
} ref_case;

/* tools/purchase_horizon_reference.py (scipy dblquad, relative tolerance
 * 1e-11; the first three agree with mpmath at 30 digits to 7e-10). The
 * parameters are near the CDNOW estimates of each model, in weeks, plus
 * one far from them; T = 0 is a customer first seen on the last day. */
static const ref_case refs[] = {
    {CXM_MODEL_BGNBD, {0.243, 4.414, 0.793, 2.426}, 13.0, 2, 30.43, 38.86, 0.6765090614692384},
    {CXM_MODEL_BGNBD, {0.243, 4.414, 0.793, 2.426}, 13.0, 0, 0.0, 38.86, 0.9381631683590592},
    {CXM_MODEL_BGNBD, {0.243, 4.414, 0.793, 2.426}, 52.0, 7, 35.0, 36.0, 0.10364688150047117},
    {CXM_MODEL_BGNBD, {0.243, 4.414, 0.793, 2.426}, 4.0, 0, 0.0, 0.0, 0.8549065539944259},
    {CXM_MODEL_MBGNBD, {0.525, 6.183, 0.891, 1.614}, 13.0, 2, 30.43, 38.86, 0.6660777174773186},
    {CXM_MODEL_MBGNBD, {0.525, 6.183, 0.891, 1.614}, 13.0, 0, 0.0, 38.86, 0.95142260839769},
    {CXM_MODEL_MBGNBD, {0.525, 6.183, 0.891, 1.614}, 26.0, 5, 10.0, 40.0, 0.9797615714240763},
    {CXM_MODEL_MBGNBD, {0.525, 6.183, 0.891, 1.614}, 4.0, 0, 0.0, 0.0, 0.851527572631807},
    {CXM_MODEL_PNBD, {0.553, 10.58, 0.606, 11.67}, 13.0, 2, 30.43, 38.86, 0.6331012567291037},
    {CXM_MODEL_PNBD, {0.553, 10.58, 0.606, 11.67}, 13.0, 0, 0.0, 38.86, 0.9665534334805665},
    {CXM_MODEL_PNBD, {0.553, 10.58, 0.606, 11.67}, 39.0, 6, 20.0, 39.0, 0.7431349317744649},
    {CXM_MODEL_PNBD, {2.0, 3.0, 5.0, 2.0}, 2.0, 1, 0.5, 1.0, 0.8929451012672429},
    {CXM_MODEL_PNBD, {0.553, 10.58, 0.606, 11.67}, 4.0, 0, 0.0, 0.0, 0.8507309576690035},
};

static cxm_model model_of(int32_t kind, const double *param) {
  cxm_model m;
  cxm_model_init(&m);
  m.kind = kind;
  m.param_count = 4;
  memcpy(m.param, param, sizeof m.param);
  return m;
}

static void test_against_integration(void **state) {
  size_t i;
  (void)state;
  for (i = 0; i < sizeof refs / sizeof refs[0]; i++) {
    const ref_case *c = &refs[i];
    cxm_model m = model_of(c->kind, c->param);
    double p0 = NAN;
    assert_int_equal(cxm_model_p_no_purchase(&p0, &m, c->t, c->x, c->t_x, c->T), CXM_OK);
    if (!(fabs(p0 - c->want) <= 1e-8)) fail_msg("case %zu: %.17g, want %.17g", i, p0, c->want);
  }
}

/* t = 0: an empty horizon holds no purchase, P0 = 1; P0 falls with t and
 * never below 1 - P(alive) (the dead never buy); BG/NBD and MBG/NBD reach
 * 1 - P(alive) at large t (every customer alive buys eventually), while
 * under Pareto/NBD some die before their next purchase. */
static void test_limits(void **state) {
  static const int32_t kinds[] = {CXM_MODEL_BGNBD, CXM_MODEL_MBGNBD, CXM_MODEL_PNBD};
  static const double params[3][4] = {
      {0.243, 4.414, 0.793, 2.426}, {0.525, 6.183, 0.891, 1.614}, {0.553, 10.58, 0.606, 11.67}};
  static const struct {
    uint32_t x;
    double tx, T;
  } who[] = {{0, 0, 0}, {0, 0, 30}, {3, 20, 30}, {20, 29, 30}};
  size_t k, i;
  (void)state;
  for (k = 0; k < 3; k++) {
    cxm_model m = model_of(kinds[k], params[k]);
    for (i = 0; i < sizeof who / sizeof who[0]; i++) {
      double pa, p0, prev = -1, t;
      assert_int_equal(cxm_model_p_alive(&pa, &m, who[i].x, who[i].tx, who[i].T), CXM_OK);
      assert_int_equal(cxm_model_p_no_purchase(&p0, &m, 0.0, who[i].x, who[i].tx, who[i].T), CXM_OK);
      assert_true(p0 == 1.0);
      prev = p0;
      for (t = 0.5; t < 2000; t *= 2) {
        assert_int_equal(cxm_model_p_no_purchase(&p0, &m, t, who[i].x, who[i].tx, who[i].T), CXM_OK);
        if (!(p0 <= prev + 1e-12 && p0 >= 1.0 - pa - 1e-15)) /* quadrature rounding once saturated */
          fail_msg("kind %d customer %zu t %g: %.17g after %.17g, 1 - P(alive) %.17g", (int)kinds[k], i, t, p0, prev,
                   1 - pa);
        prev = p0;
      }
      assert_int_equal(cxm_model_p_no_purchase(&p0, &m, 1e12, who[i].x, who[i].tx, who[i].T), CXM_OK);
      if (kinds[k] != CXM_MODEL_PNBD)
        assert_true(fabs(p0 - (1.0 - pa)) < 1e-2); /* + P(alive) ((al+T)/(al+T+1e12))^(r+x) */
      else
        assert_true(p0 > 1.0 - pa + 1e-3);
    }
  }
}

static void test_errors(void **state) {
  static const double param[4] = {0.243, 4.414, 0.793, 2.426};
  cxm_model m = model_of(CXM_MODEL_BGNBD, param), bad;
  double p0 = 42;
  (void)state;
  assert_int_equal(cxm_model_p_no_purchase(NULL, &m, 1, 0, 0, 1), CXM_E_ARG);
  assert_int_equal(cxm_model_p_no_purchase(&p0, NULL, 1, 0, 0, 1), CXM_E_ARG);
  bad = m;
  bad.size = 1;
  assert_int_equal(cxm_model_p_no_purchase(&p0, &bad, 1, 0, 0, 1), CXM_E_SIZE);
  bad = m;
  bad.kind = CXM_MODEL_GAMMA_GAMMA;
  assert_int_equal(cxm_model_p_no_purchase(&p0, &bad, 1, 0, 0, 1), CXM_E_MODEL);
  bad = m;
  bad.param[2] = -1;
  assert_int_equal(cxm_model_p_no_purchase(&p0, &bad, 1, 0, 0, 1), CXM_E_MODEL);
  bad.param[2] = NAN;
  assert_int_equal(cxm_model_p_no_purchase(&p0, &bad, 1, 0, 0, 1), CXM_E_MODEL);
  assert_int_equal(cxm_model_p_no_purchase(&p0, &m, -1, 0, 0, 1), CXM_E_VALUE);
  assert_int_equal(cxm_model_p_no_purchase(&p0, &m, NAN, 0, 0, 1), CXM_E_VALUE);
  assert_int_equal(cxm_model_p_no_purchase(&p0, &m, INFINITY, 0, 0, 1), CXM_E_VALUE);
  assert_int_equal(cxm_model_p_no_purchase(&p0, &m, 1, 0, 1, 2), CXM_E_VALUE); /* x = 0 with t_x > 0 */
  assert_int_equal(cxm_model_p_no_purchase(&p0, &m, 1, 2, 3, 2), CXM_E_VALUE); /* t_x > T */
  assert_true(p0 == 42);                                                       /* nothing written */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_against_integration),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
