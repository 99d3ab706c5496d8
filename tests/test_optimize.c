/* Tests of the L-BFGS minimiser (src/math/optimize.c) on functions whose
 * minimum is known in closed form. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <time.h>

#include "math/optimize.h"

/* Rosenbrock: minimum 0 at (1, 1). */
static double rosenbrock(void *ctx, const double *x, double *g) {
  (void)ctx;
  double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
  g[0] = -2.0 * a - 400.0 * x[0] * b;
  g[1] = 200.0 * b;
  return a * a + 100.0 * b * b;
}

/* An ill-scaled quadratic in 4 variables: minimum at (1, 2, 3, 4). */
static double quadratic(void *ctx, const double *x, double *g) {
  (void)ctx;
  static const double scale[4] = {1.0, 1e2, 1e-2, 1e4};
  double f = 0.0;
  for (int i = 0; i < 4; i++) {
    double d = x[i] - (double)(i + 1);
    f += 0.5 * scale[i] * d * d;
    g[i] = scale[i] * d;
  }
  return f;
}

/* Defined only for x > 0 (NaN elsewhere): the line search must step back
 * from NaN. Minimum of x - ln x at x = 1. */
static double partial(void *ctx, const double *x, double *g) {
  (void)ctx;
  if (!(x[0] > 0.0)) {
    g[0] = NAN;
    return NAN;
  }
  g[0] = 1.0 - 1.0 / x[0];
  return x[0] - log(x[0]);
}

/* Unbounded below: must stop without claiming convergence. */
static double linear(void *ctx, const double *x, double *g) {
  (void)ctx;
  g[0] = -1.0;
  return -x[0];
}

static void test_rosenbrock(void **state) {
  (void)state;
  double x[2] = {-1.2, 1.0};
  cxmi_opt_result r;
  cxmi_minimize(&r, x, 2, rosenbrock, NULL, 1000, 1e-10, 0.0);
  assert_true(r.converged);
  assert_true(fabs(x[0] - 1.0) < 1e-8 && fabs(x[1] - 1.0) < 1e-8);
  assert_true(r.grad_norm <= 1e-10 * 1000.0);
  assert_true(r.iterations > 5 && r.iterations < 200);
}

static void test_quadratic(void **state) {
  (void)state;
  double x[4] = {0.0, 0.0, 0.0, 0.0};
  cxmi_opt_result r;
  cxmi_minimize(&r, x, 4, quadratic, NULL, 1000, 1e-9, 0.0);
  assert_true(r.converged);
  for (int i = 0; i < 4; i++) {
    assert_true(fabs(x[i] - (double)(i + 1)) < 1e-6);
  }
}

static void test_nan_region(void **state) {
  (void)state;
  double x[1] = {40.0};
  cxmi_opt_result r;
  cxmi_minimize(&r, x, 1, partial, NULL, 200, 1e-12, 0.0);
  assert_true(r.converged);
  assert_true(fabs(x[0] - 1.0) < 1e-9);
}

static void test_no_convergence(void **state) {
  (void)state;
  double x[1] = {0.0};
  cxmi_opt_result r;
  cxmi_minimize(&r, x, 1, linear, NULL, 20, 1e-8, 0.0);
  assert_false(r.converged);
  assert_true(x[0] > 0.0); /* it moved downhill, and says it did not finish */
  double y[1] = {-1.0};
  cxmi_minimize(&r, y, 1, partial, NULL, 20, 1e-8, 0.0);
  assert_false(r.converged); /* NaN at the start */
  assert_int_equal(r.evaluations, 1);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Rosenbrock that takes 5 ms of wall time per evaluation. */
static double slow_rosenbrock(void *ctx, const double *x, double *g) {
  double start = now();
  while (now() - start < 0.005) {
    ++*(long *)ctx;
  }
  return rosenbrock(NULL, x, g);
}

/* The time budget: 0.05 s stops a minimisation that needs hundreds of
 * evaluations after about 10, with the best point reached and without
 * claiming convergence; no budget (0) lets it finish. */
static void test_time_budget(void **state) {
  (void)state;
  double x[2] = {-1.2, 1.0};
  long spins = 0;
  cxmi_opt_result r;
  double start = now();
  cxmi_minimize(&r, x, 2, slow_rosenbrock, &spins, 1000, 1e-10, 0.05);
  double took = now() - start;
  assert_true(r.out_of_time);
  assert_false(r.converged);
  assert_true(r.evaluations >= 2 && r.evaluations <= 40);
  assert_true(took < 0.05 + 0.2);
  assert_true(isfinite(r.f) && r.f <= 24.2 + 1e-12); /* f(-1.2, 1) = 24.2: never worse than the start */
  double y[2] = {-1.2, 1.0};
  cxmi_minimize(&r, y, 2, rosenbrock, NULL, 1000, 1e-10, 0.0);
  assert_false(r.out_of_time);
  assert_true(r.converged);
}

/* |x0 - 1e7/3| + x1^2, recording the points it is called at: nonsmooth at
 * the minimum, so the line search brackets down to steps that no longer
 * move x0 in its last bit and lands on points it has tried already. */
static double seen_x[4096][2];
static int seen_n, seen_repeats;

static double kink(void *ctx, const double *x, double *g) {
  (void)ctx;
  for (int k = 0; k < seen_n; k++) {
    if (memcmp(seen_x[k], x, sizeof seen_x[k]) == 0) {
      seen_repeats++;
      break;
    }
  }
  if (seen_n < 4096) {
    memcpy(seen_x[seen_n], x, sizeof seen_x[seen_n]);
    seen_n++;
  }
  double a = x[0] - 1e7 / 3.0;
  g[0] = a > 0.0 ? 1.0 : -1.0;
  g[1] = 2.0 * x[1];
  return fabs(a) + x[1] * x[1];
}

/* A line search evaluates no point twice, nor the point it starts from:
 * it reuses what it has (the objective is a function of its point). A
 * point from an earlier line search may come again (none does in this
 * run; the bound allows one in ten iterations). Without the reuse this
 * run calls the objective 200 times, 8 of them at a point already
 * evaluated (55 iterations), and on |x - 1/3| 164 times, 107 repeats. */
static void test_no_repeated_points(void **state) {
  (void)state;
  double x[2] = {0.0, 1.0};
  cxmi_opt_result r;
  seen_n = seen_repeats = 0;
  cxmi_minimize(&r, x, 2, kink, NULL, 500, 1e-300, 0.0);
  assert_int_equal(r.evaluations, seen_n);
  assert_true(seen_n < 4096);
  assert_true(seen_repeats <= r.iterations / 10);
  assert_true(fabs(x[0] - 1e7 / 3.0) <= 1e-6 && fabs(x[1]) <= 1e-6);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rosenbrock),  cmocka_unit_test(test_quadratic),
      cmocka_unit_test(test_nan_region),  cmocka_unit_test(test_no_convergence),
      cmocka_unit_test(test_time_budget), cmocka_unit_test(test_no_repeated_points),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
