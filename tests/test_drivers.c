/* Key driver analysis against an independent numpy/statsmodels
 * implementation (tools/drivers_reference.py: eigh-based relative weights,
 * brute-force subset regressions for Shapley, statsmodels Logit), the
 * identities (both decompositions sum to R^2), listwise deletion, and the
 * bootstrap's reproducibility from its seed. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cxm.h"
#include "cxm/drivers.h"
#include "math/eigen.h"
#include "drivers/relweights.h"
#include "drivers/shapley.h"
#include "test_helpers.h"
#include "test_specs.h"

#define MAXN 600

typedef struct table {
  size_t n, p;
  double y[MAXN + 20], x[(MAXN + 20) * 16];
} table;

static table LIN, LOGI;

static void data_path(char *buf, size_t cap, const char *file) {
  const char *root = getenv("CXM_SOURCE_ROOT");
  snprintf(buf, cap, "%s/tests/data/drivers/%s", root != NULL ? root : ".", file);
}

static int load(table *t, const char *file) {
  char path[1024], line[1024];
  FILE *f;
  data_path(path, sizeof path, file);
  f = fopen(path, "r");
  if (f == NULL || fgets(line, sizeof line, f) == NULL) {
    if (f != NULL) fclose(f);
    return 0;
  }
  t->p = 0;
  for (char *c = line; *c; c++) t->p += *c == ',';
  t->n = 0;
  while (t->n < MAXN && fgets(line, sizeof line, f) != NULL) {
    char *c = line;
    t->y[t->n] = strtod(c, &c);
    for (size_t k = 0; k < t->p; k++) t->x[t->n * t->p + k] = strtod(c + 1, &c);
    t->n++;
  }
  fclose(f);
  return t->n > 0;
}

static double ref(const char *file, const char *name) {
  char path[1024], line[256], key[128], val[64];
  double v = NAN;
  FILE *f;
  data_path(path, sizeof path, file);
  f = fopen(path, "r");
  if (f == NULL) return NAN;
  while (fgets(line, sizeof line, f) != NULL)
    if (sscanf(line, "%127s %63s", key, val) == 2 && strcmp(key, name) == 0) {
      v = strtod(val, NULL);
      break;
    }
  fclose(f);
  return v;
}

static double ref_i(const char *file, const char *name, size_t i) {
  char key[128];
  snprintf(key, sizeof key, "%s[%zu]", name, i);
  return ref(file, key);
}

static cxm_drivers *fit(const table *t, int32_t outcome, int32_t boot, uint64_t seed) {
  cxm_drivers_options o;
  cxm_drivers *d = NULL;
  cxm_drivers_options_init(&o);
  o.outcome = outcome;
  o.bootstrap = boot;
  o.seed = seed;
  assert_int_equal(cxm_drivers_fit(&d, NULL, t->y, t->x, t->n, t->p, &o), CXM_OK);
  return d;
}

static void test_eigen_random(void **state) {
  uint64_t s = 7;
  (void)state;
  for (int rep = 0; rep < 50; rep++) {
    size_t n = 1 + (size_t)test_below(&s, 16);
    double a[256], a0[256], w[16], v[256];
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = (double)(test_rand(&s) >> 11) * 0x1.0p-53 - 0.5;
    memcpy(a0, a, n * n * sizeof *a);
    assert_int_equal(cxmi_jacobi_eigen(a, n, w, v), 1);
    for (size_t k = 0; k < n; k++)
      for (size_t i = 0; i < n; i++) {
        double av = 0, dot = 0;
        for (size_t j = 0; j < n; j++) {
          av += a0[i * n + j] * v[j * n + k];
          dot += v[j * n + i] * v[j * n + k];
        }
        assert_true(fabs(av - w[k] * v[i * n + k]) < 1e-13);
        assert_true(fabs(dot - (i == k ? 1.0 : 0.0)) < 1e-13);
      }
  }
}

/* Uncorrelated predictors: every decomposition gives r_xy^2. */
static void test_uncorrelated(void **state) {
  const double r[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, rxy[3] = {0.5, -0.3, 0.1};
  double rw[3], phi[3], r2, scratch[8];
  (void)state;
  assert_int_equal(cxmi_relweights_linear(rw, &r2, r, rxy, 3), 1);
  assert_int_equal(cxmi_shapley_r2(phi, r, rxy, 3, scratch), 1);
  for (size_t k = 0; k < 3; k++) {
    assert_true(fabs(rw[k] - rxy[k] * rxy[k]) < 1e-15);
    assert_true(fabs(phi[k] - rxy[k] * rxy[k]) < 1e-15);
  }
  assert_true(fabs(r2 - 0.35) < 1e-15);
}

static void test_linear_reference(void **state) {
  cxm_drivers *d;
  cxm_drivers_summary s;
  double sum_w = 0, sum_s = 0, sum_share = 0;
  (void)state;
  d = fit(&LIN, CXM_DRIVERS_LINEAR, 0, 1);
  s.size = sizeof s;
  assert_int_equal(cxm_drivers_summary_get(&s, d), CXM_OK);
  assert_int_equal(s.n_used, LIN.n);
  assert_true(fabs(s.r2 - ref("ref_linear.txt", "r2")) < 1e-12);
  for (size_t k = 0; k < LIN.p; k++) {
    cxm_driver v;
    v.size = sizeof v;
    assert_int_equal(cxm_drivers_get(&v, d, k), CXM_OK);
    assert_true(fabs(v.weight - ref_i("ref_linear.txt", "raw", k)) < 1e-12);
    assert_true(fabs(v.shapley - ref_i("ref_linear.txt", "shapley", k)) < 1e-12);
    assert_true(fabs(v.mean_rating - ref_i("ref_linear.txt", "mean", k)) < 1e-12);
    assert_true(fabs(v.performance - (v.mean_rating - 1.0) / 6.0 * 100.0) < 1e-12);
    assert_true(isnan(v.lower) && v.covers_zero == 0);
    sum_w += v.weight;
    sum_s += v.shapley;
    sum_share += v.share;
  }
  assert_true(fabs(sum_w - s.r2) < 1e-13);
  assert_true(fabs(sum_s - s.r2) < 1e-13);
  assert_true(fabs(sum_share - 100.0) < 1e-10);
  cxm_drivers_free(d);
}

static void test_logistic_reference(void **state) {
  cxm_drivers *d;
  cxm_drivers_summary s;
  double sum_w = 0;
  (void)state;
  d = fit(&LOGI, CXM_DRIVERS_BINARY, 0, 1);
  s.size = sizeof s;
  assert_int_equal(cxm_drivers_summary_get(&s, d), CXM_OK);
  assert_true(fabs(s.r2 - ref("ref_logistic.txt", "r2")) < 1e-9);
  for (size_t k = 0; k < LOGI.p; k++) {
    cxm_driver v;
    v.size = sizeof v;
    assert_int_equal(cxm_drivers_get(&v, d, k), CXM_OK);
    assert_true(fabs(v.weight - ref_i("ref_logistic.txt", "raw", k)) < 1e-9);
    assert_true(isnan(v.shapley));
    sum_w += v.weight;
  }
  assert_true(fabs(sum_w - s.r2) < 1e-13);
  cxm_drivers_free(d);
}

/* Rows with a missing answer are dropped: adding them changes nothing. */
static void test_listwise_deletion(void **state) {
  static table t;
  cxm_drivers *a, *b;
  cxm_drivers_summary s;
  (void)state;
  t = LIN;
  for (size_t i = 0; i < 10; i++) {
    size_t r = t.n++;
    t.y[r] = i % 3 == 0 ? NAN : 5;
    for (size_t k = 0; k < t.p; k++) t.x[r * t.p + k] = k == i % t.p ? NAN : 7;
  }
  t.x[(t.n - 1) * t.p] = NAN;
  a = fit(&LIN, CXM_DRIVERS_LINEAR, 0, 1);
  b = fit(&t, CXM_DRIVERS_LINEAR, 0, 1);
  s.size = sizeof s;
  assert_int_equal(cxm_drivers_summary_get(&s, b), CXM_OK);
  assert_int_equal(s.n_rows, LIN.n + 10);
  assert_int_equal(s.n_used, LIN.n);
  for (size_t k = 0; k < t.p; k++) {
    cxm_driver va, vb;
    va.size = vb.size = sizeof va;
    assert_int_equal(cxm_drivers_get(&va, a, k), CXM_OK);
    assert_int_equal(cxm_drivers_get(&vb, b, k), CXM_OK);
    assert_true(va.weight == vb.weight && va.shapley == vb.shapley);
  }
  cxm_drivers_free(a);
  cxm_drivers_free(b);
}

static void test_bootstrap_seed(void **state) {
  cxm_drivers *a, *b, *c;
  cxm_drivers_summary s;
  int differ = 0, flagged = 0;
  double perf_mean = 0;
  (void)state;
  a = fit(&LIN, CXM_DRIVERS_LINEAR, 100, 42);
  b = fit(&LIN, CXM_DRIVERS_LINEAR, 100, 42);
  c = fit(&LIN, CXM_DRIVERS_LINEAR, 100, 43);
  s.size = sizeof s;
  assert_int_equal(cxm_drivers_summary_get(&s, a), CXM_OK);
  assert_int_equal(s.bootstrap_ok, 100);
  for (size_t k = 0; k < LIN.p; k++) {
    cxm_driver va, vb, vc;
    va.size = vb.size = vc.size = sizeof va;
    assert_int_equal(cxm_drivers_get(&va, a, k), CXM_OK);
    assert_int_equal(cxm_drivers_get(&vb, b, k), CXM_OK);
    assert_int_equal(cxm_drivers_get(&vc, c, k), CXM_OK);
    assert_true(va.lower == vb.lower && va.upper == vb.upper);
    assert_true(va.diff_lower == vb.diff_lower && va.diff_upper == vb.diff_upper);
    differ += va.lower != vc.lower;
    assert_true(va.lower <= va.upper && va.diff_lower <= va.diff_upper);
    assert_true(va.lower >= 0);
    assert_int_equal(va.covers_zero, va.diff_lower <= 0 && va.diff_upper >= 0);
    flagged += va.covers_zero;
    perf_mean += va.performance / (double)LIN.p;
  }
  assert_true(differ > 0);
  /* attribute 1 (true effect 0.9) is clearly a driver; attribute 3
   * (true effect 0) is not distinguishable from noise */
  {
    cxm_driver v;
    v.size = sizeof v;
    assert_int_equal(cxm_drivers_get(&v, a, 0), CXM_OK);
    assert_int_equal(v.covers_zero, 0);
    assert_int_equal(cxm_drivers_get(&v, a, 2), CXM_OK);
    assert_int_equal(v.covers_zero, 1);
  }
  assert_true(flagged > 0);
  for (size_t k = 0; k < LIN.p; k++) {
    cxm_driver v;
    int32_t want;
    v.size = sizeof v;
    assert_int_equal(cxm_drivers_get(&v, a, k), CXM_OK);
    want = v.share > 100.0 / (double)LIN.p
               ? (v.performance > perf_mean ? CXM_QUADRANT_STRENGTH : CXM_QUADRANT_FIX_FIRST)
               : (v.performance > perf_mean ? CXM_QUADRANT_MAINTAIN : CXM_QUADRANT_LOW_PRIORITY);
    assert_int_equal(v.quadrant, want);
  }
  cxm_drivers_free(a);
  cxm_drivers_free(b);
  cxm_drivers_free(c);
}

static void test_errors(void **state) {
  static table t;
  cxm_drivers_options o;
  cxm_drivers *d = NULL;
  (void)state;
  t = LIN;
  cxm_drivers_options_init(&o);
  o.bootstrap = 0;
  assert_int_equal(cxm_drivers_fit(NULL, NULL, t.y, t.x, t.n, t.p, &o), CXM_E_ARG);
  assert_int_equal(cxm_drivers_fit(&d, NULL, t.y, t.x, 5, t.p, &o), CXM_E_NO_DATA);
  assert_int_equal(cxm_drivers_fit(&d, NULL, t.y, t.x, t.n, 1, &o), CXM_E_OPTION);
  assert_int_equal(cxm_drivers_fit(&d, NULL, t.y, t.x, t.n, 16, &o), CXM_E_OPTION);
  /* a rating outside the scale */
  t.x[3] = 9;
  assert_int_equal(cxm_drivers_fit(&d, NULL, t.y, t.x, t.n, t.p, &o), CXM_E_VALUE);
  t.x[3] = LIN.x[3];
  /* a binary outcome must be 0 or 1 */
  o.outcome = CXM_DRIVERS_BINARY;
  assert_int_equal(cxm_drivers_fit(&d, NULL, t.y, t.x, t.n, t.p, &o), CXM_E_VALUE);
  o.outcome = CXM_DRIVERS_LINEAR;
  /* two identical columns are collinear */
  for (size_t i = 0; i < t.n; i++) t.x[i * t.p + 1] = t.x[i * t.p];
  assert_int_equal(cxm_drivers_fit(&d, NULL, t.y, t.x, t.n, t.p, &o), CXM_E_VALUE);
  /* a constant column has no variance */
  for (size_t i = 0; i < t.n; i++) t.x[i * t.p + 1] = 4;
  assert_int_equal(cxm_drivers_fit(&d, NULL, t.y, t.x, t.n, t.p, &o), CXM_E_VALUE);
  assert_null(d);
  o.size = 2;
  assert_int_equal(cxm_drivers_fit(&d, NULL, t.y, t.x, t.n, t.p, &o), CXM_E_SIZE);
  cxm_drivers_free(NULL);
}

static void test_alloc_failures(void **state) {
  cxm_drivers_options o;
  (void)state;
  cxm_drivers_options_init(&o);
  o.bootstrap = 3;
  for (long fail_at = 0;; fail_at++) {
    failing_alloc fa = {fail_at, 0, 0};
    cxm_allocator hooks = failing_hooks(&fa);
    cxm_drivers *d = NULL;
    int32_t rc = cxm_drivers_fit(&d, &hooks, LIN.y, LIN.x, LIN.n, LIN.p, &o);
    if (rc == CXM_OK) {
      cxm_drivers_free(d);
      assert_int_equal(fa.live_bytes, 0);
      break;
    }
    assert_int_equal(rc, CXM_E_NOMEM);
    assert_null(d);
    assert_int_equal(fa.live_bytes, 0);
  }
}

/* Rows from a store: latest NPS answer, mean perception per dimension. */
static void test_store_rows(void **state) {
  static const spec ev[] = {
      {"a", INT64_C(1736121600), CXM_KIND_NPS, 3, 0, NULL, 0},
      {"a", INT64_C(1736121600) + 86400, CXM_KIND_NPS, 9, 0, NULL, 0},
      {"a", INT64_C(1736121600), CXM_KIND_PERCEPTION, 6, 0, NULL, CXM_DIMENSION_RELIABILITY},
      {"a", INT64_C(1736121600) + 5 * 86400, CXM_KIND_PERCEPTION, 3, 0, NULL, CXM_DIMENSION_RELIABILITY},
      {"a", INT64_C(1736121600), CXM_KIND_PERCEPTION, 7, 0, NULL, CXM_DIMENSION_EMPATHY},
      {"b", INT64_C(1736121600), CXM_KIND_PERCEPTION, 2, 0, NULL, CXM_DIMENSION_TANGIBLES},
      {"b", INT64_C(1736121600), CXM_KIND_EXPECTATION, 5, 0, NULL, CXM_DIMENSION_ASSURANCE},
  };
  cxm_store *st = spec_store(ev, sizeof ev / sizeof ev[0], 0);
  double y[2], x[2 * CXM_DRIVERS_SERVQUAL];
  size_t rows = 0;
  (void)state;
  assert_int_equal(cxm_store_driver_rows(NULL, NULL, &rows, st, CXM_DRIVERS_NPS, 0), CXM_E_BUFFER);
  assert_int_equal(rows, 2);
  assert_int_equal(cxm_store_driver_rows(y, x, &rows, st, 9, 2), CXM_E_OPTION);
  assert_int_equal(cxm_store_driver_rows(y, x, &rows, st, CXM_DRIVERS_NPS, 2), CXM_OK);
  assert_true(y[0] == 9 && isnan(y[1]));
  assert_true(isnan(x[0]) && x[1] == 4.5 && isnan(x[2]) && isnan(x[3]) && x[4] == 7);
  assert_true(x[5] == 2 && isnan(x[6]) && isnan(x[8]) && isnan(x[9]));
  assert_int_equal(cxm_store_driver_rows(y, x, &rows, st, CXM_DRIVERS_PROMOTER, 2), CXM_OK);
  assert_true(y[0] == 1);
  cxm_store_free(st);
}

/* Hand-worked rows of cxm_store_driver_table(), by customer and by ref:
 * perceptions (column 4 = empathy) and two rating attributes (Speed,
 * column 5; Price, column 6). */
static void test_store_table(void **state) {
  const int64_t t = INT64_C(1736121600);
  static const int32_t speed = 1, price = 2;
  const spec ev[] = {
      {"c1", t + 100, CXM_KIND_NPS, 9, 0, "r1", 0},
      {"c1", t + 110, CXM_KIND_RATING, 6, 0, "r1", speed},
      {"c1", t + 120, CXM_KIND_RATING, 4, 0, NULL, speed},
      {"c1", t + 130, CXM_KIND_RATING, 2, 0, "r2", price},
      {"c1", t + 140, CXM_KIND_PERCEPTION, 5, 0, "r1", CXM_DIMENSION_EMPATHY},
      {"c1", t + 150, CXM_KIND_PERCEPTION, 3, 0, NULL, CXM_DIMENSION_EMPATHY},
      {"c2", t + 50, CXM_KIND_NPS, 3, 0, NULL, 0},
      {"c2", t + 300, CXM_KIND_NPS, 7, 0, "r2", 0},
      {"c2", t + 250, CXM_KIND_NPS, 0, 0, "r2", 0}, /* earlier in time: not r2's latest */
      {"c2", t + 310, CXM_KIND_RATING, 5, 0, "r2", price},
      {"c3", t + 320, CXM_KIND_RATING, 7, 0, NULL, speed},
      {"c3", t + 330, CXM_KIND_RATING, 1, 0, "r3", speed},
      {"c3", t + 400, CXM_KIND_NPS, 2, 0, "r3", 0},
      {"c3", t + 400, CXM_KIND_NPS, 10, 0, "r3", 0}, /* same second, recorded later: r3's latest */
      {"c4", t + 500, CXM_KIND_NPS, 8, 0, "r4", 0},  /* a ref without ratings: no row by ref */
  };
  cxm_store *st = NULL;
  cxm_driver_table_options o;
  double y[4], x[4 * 7], y0[4], x0[4 * CXM_DRIVERS_SERVQUAL];
  size_t rows = 0, cols = 0, i, j;
  int32_t code;
  (void)state;
  assert_int_equal(cxm_store_new(&st, NULL), CXM_OK);
  assert_int_equal(cxm_store_attribute(&code, st, "Speed", 5), CXM_OK);
  assert_int_equal(code, speed);
  assert_int_equal(cxm_store_attribute(&code, st, "Price", 5), CXM_OK);
  assert_int_equal(code, price);
  for (i = 0; i < sizeof ev / sizeof ev[0]; i++) spec_record(st, &ev[i]);
  /* by customer (the default): c1, c2, c3, c4 */
  assert_int_equal(cxm_store_driver_table(NULL, NULL, &rows, &cols, st, NULL, 0), CXM_E_BUFFER);
  assert_int_equal(rows, 4);
  assert_int_equal(cols, 7);
  assert_int_equal(cxm_store_driver_table(y, x, &rows, &cols, st, NULL, 4), CXM_OK);
  assert_true(y[0] == 9 && y[1] == 7 && y[2] == 10 && y[3] == 8);
  for (i = 0; i < 4; i++)
    for (j = 0; j < 4; j++) assert_true(isnan(x[i * 7 + j]));          /* no tangibles .. assurance */
  assert_true(x[4] == 4 && x[5] == 5 && x[6] == 2);                    /* empathy (5 + 3) / 2, Speed (6 + 4) / 2 */
  assert_true(isnan(x[7 + 4]) && isnan(x[7 + 5]) && x[7 + 6] == 5);    /* c2: Price */
  assert_true(isnan(x[14 + 4]) && x[14 + 5] == 4 && isnan(x[14 + 6])); /* c3: Speed (7 + 1) / 2 */
  for (j = 0; j < 7; j++) assert_true(isnan(x[21 + j]));
  /* its SERVQUAL columns are cxm_store_driver_rows() */
  assert_int_equal(cxm_store_driver_rows(y0, x0, &rows, st, CXM_DRIVERS_NPS, 4), CXM_OK);
  for (i = 0; i < 4; i++) {
    assert_true(y0[i] == y[i] || (isnan(y0[i]) && isnan(y[i])));
    for (j = 0; j < CXM_DRIVERS_SERVQUAL; j++)
      assert_true(x0[i * 5 + j] == x[i * 7 + j] || (isnan(x0[i * 5 + j]) && isnan(x[i * 7 + j])));
  }
  /* by ref: r1, r2, r3 in order of first rating */
  cxm_driver_table_options_init(&o);
  o.respondent = CXM_DRIVERS_BY_REF;
  assert_int_equal(cxm_store_driver_table(y, x, &rows, &cols, st, &o, 2), CXM_E_BUFFER);
  assert_int_equal(rows, 3);
  assert_int_equal(cxm_store_driver_table(y, x, &rows, &cols, st, &o, 3), CXM_OK);
  assert_true(y[0] == 9 && y[1] == 7 && y[2] == 10);
  assert_true(x[4] == 5 && x[5] == 6 && isnan(x[6]));                 /* r1 */
  assert_true(isnan(x[7 + 4]) && isnan(x[7 + 5]) && x[7 + 6] == 3.5); /* r2: Price (2 + 5) / 2 */
  assert_true(isnan(x[14 + 4]) && x[14 + 5] == 1 && isnan(x[14 + 6]));
  o.outcome = CXM_DRIVERS_PROMOTER;
  assert_int_equal(cxm_store_driver_table(y, x, &rows, &cols, st, &o, 3), CXM_OK);
  assert_true(y[0] == 1 && y[1] == 0 && y[2] == 1);
  /* bad options leave the buffers alone */
  y[0] = -1;
  o.respondent = 3;
  assert_int_equal(cxm_store_driver_table(y, x, &rows, &cols, st, &o, 3), CXM_E_OPTION);
  o.respondent = CXM_DRIVERS_BY_REF;
  o.outcome = 0;
  assert_int_equal(cxm_store_driver_table(y, x, &rows, &cols, st, &o, 3), CXM_E_OPTION);
  o.outcome = CXM_DRIVERS_NPS;
  o.size = 4;
  assert_int_equal(cxm_store_driver_table(y, x, &rows, &cols, st, &o, 3), CXM_E_SIZE);
  assert_int_equal(cxm_store_driver_table(y, x, NULL, &cols, st, NULL, 3), CXM_E_ARG);
  assert_int_equal(cxm_store_driver_table(NULL, x, &rows, &cols, st, NULL, 3), CXM_E_ARG);
  assert_true(y[0] == -1);
  cxm_store_free(st);
}

/* Rows by ref from an event file against tools/drivers_reference.py,
 * which groups the generated answers by ref itself. */
static void test_by_ref_reference(void **state) {
  static const char *const labels[3] = {"Wait time", "Courtesy", "Resolution"};
  const size_t use[4] = {CXM_DIMENSION_RELIABILITY - 1, CXM_DRIVERS_SERVQUAL, CXM_DRIVERS_SERVQUAL + 1,
                         CXM_DRIVERS_SERVQUAL + 2};
  char path[1024];
  cxm_store *st = NULL;
  cxm_reader_stats rs;
  cxm_driver_table_options o;
  cxm_drivers *d;
  cxm_drivers_summary sum;
  size_t rows, cols, i, k;
  double *y, *x, *xs;
  (void)state;
  if (getenv("CXM_SOURCE_ROOT") == NULL) skip();
  data_path(path, sizeof path, "by_ref_events.csv");
  assert_int_equal(cxm_store_new(&st, NULL), CXM_OK);
  rs.size = sizeof rs;
  assert_int_equal(cxm_store_ingest_file(st, path, NULL, &rs), CXM_OK);
  assert_int_equal(rs.rejected, 0);
  for (k = 0; k < 3; k++) {
    const char *name;
    size_t len;
    assert_int_equal(cxm_store_attribute_name(&name, &len, st, (int32_t)k + 1), CXM_OK);
    assert_int_equal(len, strlen(labels[k]));
    assert_memory_equal(name, labels[k], len);
  }
  cxm_driver_table_options_init(&o);
  o.respondent = CXM_DRIVERS_BY_REF;
  (void)cxm_store_driver_table(NULL, NULL, &rows, &cols, st, &o, 0);
  assert_true(rows == (size_t)ref("ref_by_ref.txt", "rows"));
  assert_int_equal(cols, CXM_DRIVERS_SERVQUAL + 3);
  y = calloc(rows, sizeof *y);
  x = calloc(rows * cols, sizeof *x);
  xs = calloc(rows * 4, sizeof *xs);
  assert_true(y != NULL && x != NULL && xs != NULL);
  assert_int_equal(cxm_store_driver_table(y, x, &rows, &cols, st, &o, rows), CXM_OK);
  for (i = 0; i < rows; i++)
    for (k = 0; k < 4; k++) xs[i * 4 + k] = x[i * cols + use[k]];
  assert_int_equal(cxm_drivers_fit(&d, NULL, y, xs, rows, 4, NULL), CXM_OK);
  sum.size = sizeof sum;
  assert_int_equal(cxm_drivers_summary_get(&sum, d), CXM_OK);
  assert_true(sum.n_used == (uint64_t)ref("ref_by_ref.txt", "used"));
  assert_true(fabs(sum.r2 - ref("ref_by_ref.txt", "r2")) < 1e-12);
  for (k = 0; k < 4; k++) {
    cxm_driver v;
    v.size = sizeof v;
    assert_int_equal(cxm_drivers_get(&v, d, k), CXM_OK);
    assert_true(fabs(v.weight - ref_i("ref_by_ref.txt", "raw", k)) < 1e-12);
    assert_true(fabs(v.shapley - ref_i("ref_by_ref.txt", "shapley", k)) < 1e-12);
    assert_true(fabs(v.mean_rating - ref_i("ref_by_ref.txt", "mean", k)) < 1e-12);
  }
  cxm_drivers_free(d);
  free(y);
  free(x);
  free(xs);
  cxm_store_free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_eigen_random),
      cmocka_unit_test(test_uncorrelated),
      cmocka_unit_test(test_linear_reference),
      cmocka_unit_test(test_logistic_reference),
      cmocka_unit_test(test_listwise_deletion),
      cmocka_unit_test(test_bootstrap_seed),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_alloc_failures),
      cmocka_unit_test(test_store_rows),
      cmocka_unit_test(test_store_table),
      cmocka_unit_test(test_by_ref_reference),
  };
  if (!load(&LIN, "linear.csv") || !load(&LOGI, "logistic.csv")) {
    fprintf(stderr, "cannot read tests/data/drivers (CXM_SOURCE_ROOT?)\n");
    return 1;
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
