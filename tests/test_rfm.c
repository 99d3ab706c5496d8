/* Tests of customer-summary sets (src/purchase/rfm.c): adding, validation, CSV
 * loading in the CDNOW shapes, failure leaving the set unchanged,
 * allocation failures, and the distinct-triple weighting. */
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
#include "purchase/rfm.h"
#include "test_helpers.h"

static cxm_rfm_customer make(uint32_t x, double tx, double T) {
  cxm_rfm_customer c;
  cxm_rfm_customer_init(&c);
  c.x = x;
  c.t_x = tx;
  c.T = T;
  return c;
}

static void test_add_and_get(void **state) {
  (void)state;
  cxm_rfm *r;
  assert_int_equal(cxm_rfm_new(&r, NULL), CXM_OK);
  cxm_rfm_customer c = make(2, 30.43, 38.86);
  c.id = "c-1";
  c.id_len = 3;
  c.monetary = 22.35;
  c.x_star = 1;
  assert_int_equal(cxm_rfm_add(r, &c), CXM_OK);
  c = make(0, 0.0, 10.0);
  assert_int_equal(cxm_rfm_add(r, &c), CXM_OK);
  assert_int_equal(cxm_rfm_count(r), 2);
  cxm_rfm_customer g;
  cxm_rfm_customer_init(&g);
  assert_int_equal(cxm_rfm_get(&g, r, 0), CXM_OK);
  assert_int_equal(g.id_len, 3);
  assert_memory_equal(g.id, "c-1", 3);
  assert_true(g.x == 2 && g.t_x == 30.43 && g.T == 38.86 && g.monetary == 22.35 && g.x_star == 1.0);
  assert_int_equal(cxm_rfm_get(&g, r, 1), CXM_OK);
  assert_true(g.id == NULL && g.id_len == 0 && isnan(g.monetary) && isnan(g.x_star));
  assert_int_equal(cxm_rfm_get(&g, r, 2), CXM_E_NOT_FOUND);
  g.size = 3;
  assert_int_equal(cxm_rfm_get(&g, r, 0), CXM_E_SIZE);
  assert_int_equal(cxm_rfm_get(NULL, r, 0), CXM_E_ARG);
  cxm_rfm_free(r);
  cxm_rfm_free(NULL);
  assert_int_equal(cxm_rfm_count(NULL), 0);
}

static void test_validation(void **state) {
  (void)state;
  cxm_rfm *r;
  assert_int_equal(cxm_rfm_new(&r, NULL), CXM_OK);
  cxm_rfm_customer c;
  c = make(0, 1.0, 10.0); /* x = 0 needs t_x = 0 */
  assert_int_equal(cxm_rfm_add(r, &c), CXM_E_VALUE);
  c = make(1, 11.0, 10.0); /* t_x > T */
  assert_int_equal(cxm_rfm_add(r, &c), CXM_E_VALUE);
  c = make(1, -1.0, 10.0);
  assert_int_equal(cxm_rfm_add(r, &c), CXM_E_VALUE);
  c = make(0, 0.0, 0.0); /* T = 0 */
  assert_int_equal(cxm_rfm_add(r, &c), CXM_E_VALUE);
  c = make(1, 1.0, INFINITY);
  assert_int_equal(cxm_rfm_add(r, &c), CXM_E_VALUE);
  c = make(1, NAN, 2.0);
  assert_int_equal(cxm_rfm_add(r, &c), CXM_E_VALUE);
  c = make(1, 1.0, 2.0);
  c.monetary = -3.0;
  assert_int_equal(cxm_rfm_add(r, &c), CXM_E_VALUE);
  c = make(1, 1.0, 2.0);
  c.x_star = 1.5;
  assert_int_equal(cxm_rfm_add(r, &c), CXM_E_VALUE);
  char id[130];
  memset(id, 'a', sizeof id);
  c = make(1, 1.0, 2.0);
  c.id = id;
  c.id_len = 129;
  assert_int_equal(cxm_rfm_add(r, &c), CXM_E_CUSTOMER);
  c.id_len = 128;
  assert_int_equal(cxm_rfm_add(r, &c), CXM_OK);
  c.size = 1;
  assert_int_equal(cxm_rfm_add(r, &c), CXM_E_SIZE);
  assert_int_equal(cxm_rfm_add(NULL, &c), CXM_E_ARG);
  assert_int_equal(cxm_rfm_count(r), 1);
  cxm_rfm_free(r);
  assert_int_equal(cxm_rfm_new(NULL, NULL), CXM_E_ARG);
}

static const char cdnow_head[] = "ID,frequency,recency,T\n1,2,30.43,38.86\n2,1,1.71,38.86\n3,0,0.0,38.86\n";
static const char cdnow_zbar[] = "ID,x,t_x,T,zbar\r\n1,2,30.43,38.86,22.35\r\n3,0,0.00,38.86,0.00";
static const char btyd[] =
    "id,x,t_x,T_cal,x_star,m_x\n1,2,30.428571428571427,38.857142857142854,1,22.344999999999999\n";
static const char no_id[] = "frequency,recency,T,monetary\n4,20.5,30,12.5\n";

static void test_csv_shapes(void **state) {
  (void)state;
  cxm_rfm *r;
  uint64_t line = 99;
  cxm_rfm_customer g;
  cxm_rfm_customer_init(&g);
  assert_int_equal(cxm_rfm_new(&r, NULL), CXM_OK);
  assert_int_equal(cxm_rfm_load_csv(r, &line, cdnow_head, strlen(cdnow_head)), CXM_OK);
  assert_int_equal(line, 0);
  assert_int_equal(cxm_rfm_count(r), 3);
  assert_int_equal(cxm_rfm_get(&g, r, 1), CXM_OK);
  assert_true(g.x == 1 && g.t_x == 1.71 && g.T == 38.86 && g.id_len == 1 && g.id[0] == '2');
  assert_int_equal(cxm_rfm_load_csv(r, &line, cdnow_zbar, strlen(cdnow_zbar)), CXM_OK);
  assert_int_equal(cxm_rfm_count(r), 5);
  assert_int_equal(cxm_rfm_get(&g, r, 3), CXM_OK);
  assert_true(g.x == 2 && g.monetary == 22.35);
  assert_int_equal(cxm_rfm_get(&g, r, 4), CXM_OK);
  assert_true(g.x == 0 && isnan(g.monetary)); /* 0.00 = no repeat purchase */
  assert_int_equal(cxm_rfm_load_csv(r, &line, btyd, strlen(btyd)), CXM_OK);
  assert_int_equal(cxm_rfm_get(&g, r, 5), CXM_OK);
  assert_true(g.t_x == 30.428571428571427 && g.T == 38.857142857142854 && g.x_star == 1.0 &&
              g.monetary == 22.344999999999999);
  assert_int_equal(cxm_rfm_load_csv(r, &line, no_id, strlen(no_id)), CXM_OK);
  assert_int_equal(cxm_rfm_get(&g, r, 6), CXM_OK);
  assert_true(g.id == NULL && g.x == 4 && g.t_x == 20.5 && g.monetary == 12.5);
  cxm_rfm_free(r);
}

static void expect_fail(const char *csv, int32_t rc, uint64_t want_line) {
  cxm_rfm *r;
  uint64_t line = 0;
  assert_int_equal(cxm_rfm_new(&r, NULL), CXM_OK);
  assert_int_equal(cxm_rfm_load_csv(r, &line, cdnow_head, strlen(cdnow_head)), CXM_OK);
  assert_int_equal(cxm_rfm_load_csv(r, &line, csv, strlen(csv)), rc);
  assert_int_equal(line, want_line);
  assert_int_equal(cxm_rfm_count(r), 3); /* unchanged */
  cxm_rfm_free(r);
}

static void test_csv_errors(void **state) {
  (void)state;
  expect_fail("", CXM_E_HEADER, 1);
  expect_fail("frequency,T\n1,2\n", CXM_E_HEADER, 1);
  expect_fail("frequency,recency,T,x\n1,1,2,1\n", CXM_E_HEADER, 1);
  expect_fail("frequency,recency,T\n1,1,2\n1,1\n", CXM_E_COLUMNS, 3);
  expect_fail("frequency,recency,T\n1,1,2\n1.5,1,2\n", CXM_E_VALUE, 3);
  expect_fail("frequency,recency,T\n1,1,2\n-1,1,2\n", CXM_E_VALUE, 3);
  expect_fail("frequency,recency,T\n1,1,2\n1,1e3,2000\n", CXM_E_VALUE, 3);
  expect_fail("frequency,recency,T\n1,3,2\n", CXM_E_VALUE, 2);
  expect_fail("frequency,recency,T\n1,1, 2\n", CXM_E_VALUE, 2);
  expect_fail("frequency,recency,T\n4294967296,1,2\n", CXM_E_VALUE, 2);
  /* blank lines are skipped */
  cxm_rfm *r;
  assert_int_equal(cxm_rfm_new(&r, NULL), CXM_OK);
  const char *ok = "frequency,recency,T\n\n1,1,2\n\r\n0,0,3\n";
  assert_int_equal(cxm_rfm_load_csv(r, NULL, ok, strlen(ok)), CXM_OK);
  assert_int_equal(cxm_rfm_count(r), 2);
  assert_int_equal(cxm_rfm_load_csv(NULL, NULL, ok, strlen(ok)), CXM_E_ARG);
  cxm_rfm_free(r);
}

/* The file loader gives the same set as the bytes, and CXM_E_IO for a
 * file that does not exist. */
static void test_load_file(void **state) {
  (void)state;
  const char *root = getenv("CXM_SOURCE_ROOT");
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/data/cdnow/cdnow_customers_summary_with_transactions.csv",
           root != NULL ? root : ".");
  cxm_rfm *r;
  uint64_t line = 7;
  assert_int_equal(cxm_rfm_new(&r, NULL), CXM_OK);
  assert_int_equal(cxm_rfm_load_file(r, &line, path), CXM_OK);
  assert_int_equal(line, 0);
  assert_int_equal(cxm_rfm_count(r), 2357);
  cxm_rfm_customer g;
  cxm_rfm_customer_init(&g);
  assert_int_equal(cxm_rfm_get(&g, r, 2356), CXM_OK); /* the last line has no newline */
  assert_int_equal(g.id_len, 4);
  assert_memory_equal(g.id, "2357", 4);
  assert_int_equal(cxm_rfm_load_file(r, &line, "/nonexistent/summary.csv"), CXM_E_IO);
  assert_int_equal(line, 0);
  assert_int_equal(cxm_rfm_load_file(r, &line, NULL), CXM_E_ARG);
  assert_int_equal(cxm_rfm_count(r), 2357);
  cxm_rfm_free(r);
}

/* Every allocation failure is reported as CXM_E_NOMEM, leaves the set as
 * it was, and nothing leaks. */
static void test_allocation_failures(void **state) {
  (void)state;
  for (long fail_at = 0; fail_at < 40; fail_at++) {
    failing_alloc fa;
    memset(&fa, 0, sizeof fa); /* every field, whatever test_helpers.h adds */
    fa.remaining = fail_at;
    cxm_allocator hooks = failing_hooks(&fa);
    cxm_rfm *r = NULL;
    int32_t rc = cxm_rfm_new(&r, &hooks);
    if (rc != CXM_OK) {
      assert_int_equal(rc, CXM_E_NOMEM);
      assert_int_equal(fa.live_bytes, 0);
      continue;
    }
    size_t before = 0;
    for (int i = 0; i < 200; i++) {
      char id[16];
      cxm_rfm_customer c = make((uint32_t)(i % 5), (double)(i % 5), 40.0);
      int n = snprintf(id, sizeof id, "customer-%d", i);
      c.id = id;
      c.id_len = (size_t)n;
      before = cxm_rfm_count(r);
      rc = cxm_rfm_add(r, &c);
      if (rc != CXM_OK) {
        assert_int_equal(rc, CXM_E_NOMEM);
        assert_int_equal(cxm_rfm_count(r), before);
        break;
      }
    }
    cxm_model m;
    cxm_model_init(&m);
    rc = cxm_model_fit(&m, r, CXM_MODEL_BGNBD, NULL);
    assert_true(rc == CXM_OK || rc == CXM_E_NOMEM || rc == CXM_E_CONVERGE);
    cxm_rfm_free(r);
    assert_int_equal(fa.live_bytes, 0);
  }
}

/* Equal triples are merged with their counts as weights, sorted by x. */
static void test_triples(void **state) {
  (void)state;
  cxm_rfm *r;
  cxmi_fitdata fd;
  assert_int_equal(cxm_rfm_new(&r, NULL), CXM_OK);
  const double v[][3] = {{2, 5, 10}, {0, 0, 10}, {2, 5, 10}, {0, 0, 10}, {0, 0, 9}, {2, 5, 10}, {1, 3, 10}};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    cxm_rfm_customer c = make((uint32_t)v[i][0], v[i][1], v[i][2]);
    c.monetary = 10.0 + (double)i;
    assert_int_equal(cxm_rfm_add(r, &c), CXM_OK);
  }
  assert_int_equal(cxmi_fitdata_build(&fd, r), CXM_OK);
  assert_int_equal(fd.triples.n, 4);
  assert_true(fd.triples.total == 7.0);
  double sum = 0.0;
  for (size_t i = 0; i < fd.triples.n; i++) {
    sum += fd.triples.w[i];
    if (i > 0) {
      assert_true(fd.triples.x[i - 1] <= fd.triples.x[i]);
    }
  }
  assert_true(sum == 7.0);
  assert_true(fd.triples.x[3] == 2 && fd.triples.w[3] == 3.0);
  /* equal x keep the order of first appearance: (0, 0, 10) twice, then (0, 0, 9) */
  assert_true(fd.triples.x[0] == 0 && fd.triples.T[0] == 10.0 && fd.triples.w[0] == 2.0);
  assert_true(fd.triples.x[1] == 0 && fd.triples.T[1] == 9.0 && fd.triples.w[1] == 1.0);
  assert_true(fd.triples.x[2] == 1 && fd.triples.tx[2] == 3.0 && fd.triples.w[2] == 1.0);
  assert_int_equal(fd.spend.n, 4); /* the customers with x >= 1 */
  cxmi_fitdata_free(&fd);
  cxm_rfm_free(r);

  /* -0.0 and +0.0 are one triple; very sparse x (the sort fallback) keeps
   * the order by x; many customers collapse to their distinct triples. */
  assert_int_equal(cxm_rfm_new(&r, NULL), CXM_OK);
  cxm_rfm_customer c = make(0, 0.0, 5.0);
  assert_int_equal(cxm_rfm_add(r, &c), CXM_OK);
  c.t_x = -0.0;
  assert_int_equal(cxm_rfm_add(r, &c), CXM_OK);
  c = make(4000000000u, 1.0, 5.0);
  assert_int_equal(cxm_rfm_add(r, &c), CXM_OK);
  c = make(7, 1.0, 5.0);
  assert_int_equal(cxm_rfm_add(r, &c), CXM_OK);
  for (int i = 0; i < 10000; i++) {
    c = make((uint32_t)(i % 3), (double)(i % 3), 6.0 + (double)(i % 5));
    assert_int_equal(cxm_rfm_add(r, &c), CXM_OK);
  }
  assert_int_equal(cxmi_fitdata_build(&fd, r), CXM_OK);
  /* (0,0,5); (0,0,6..10) 5; (1,1,6..10) 5; (2,2,6..10) 5; (7,1,5); (4e9,1,5) */
  assert_int_equal(fd.triples.n, 18);
  assert_true(fd.triples.x[0] == 0 && fd.triples.w[0] == 2.0);
  assert_true(fd.triples.x[16] == 7 && fd.triples.x[17] == 4000000000u);
  double total = 0.0;
  for (size_t i = 0; i < fd.triples.n; i++) {
    total += fd.triples.w[i];
    if (i > 0) {
      assert_true(fd.triples.x[i - 1] <= fd.triples.x[i]);
    }
  }
  assert_true(total == 10004.0 && fd.triples.total == 10004.0);
  cxmi_fitdata_free(&fd);
  cxm_rfm_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_add_and_get), cmocka_unit_test(test_validation),          cmocka_unit_test(test_csv_shapes),
      cmocka_unit_test(test_csv_errors),  cmocka_unit_test(test_allocation_failures), cmocka_unit_test(test_triples),
      cmocka_unit_test(test_load_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
