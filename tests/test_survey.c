/* Tests of the survey accumulator (src/survey/survey.c): init, add, merge, and
 * that merging shards gives exactly the whole. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "cxm.h"

static int acc_equal(const cxm_survey_acc *a, const cxm_survey_acc *b) {
  for (int i = 0; i < 11; i++) {
    if (a->nps.count[i] != b->nps.count[i]) {
      return 0;
    }
  }
  for (int i = 0; i < 5; i++) {
    if (a->csat.count[i] != b->csat.count[i]) {
      return 0;
    }
  }
  for (int i = 0; i < 7; i++) {
    if (a->ces.count[i] != b->ces.count[i]) {
      return 0;
    }
  }
  return 1;
}

static void test_init(void **state) {
  (void)state;
  cxm_survey_acc a;
  memset(&a, 0xFF, sizeof a);
  cxm_survey_acc_init(&a);
  cxm_survey_acc z;
  memset(&z, 0, sizeof z);
  assert_true(acc_equal(&a, &z));
  cxm_survey_acc_init(NULL); /* ignored */
}

static void test_add(void **state) {
  (void)state;
  cxm_survey_acc a;
  cxm_survey_acc_init(&a);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_NPS, 0, 1), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_NPS, 10, 3), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CSAT, 1, 2), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CSAT, 5, 4), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CES, 1, 5), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CES, 7, 6), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CES, 7, 0), CXM_OK); /* no-op */
  assert_true(a.nps.count[0] == 1 && a.nps.count[10] == 3);
  assert_true(a.csat.count[0] == 2 && a.csat.count[4] == 4);
  assert_true(a.ces.count[0] == 5 && a.ces.count[6] == 6);
  cxm_survey_acc before = a;
  /* Out-of-range values per kind, wrong kinds, NULL: nothing changes. */
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_NPS, -1, 1), CXM_E_VALUE);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_NPS, 11, 1), CXM_E_VALUE);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CSAT, 0, 1), CXM_E_VALUE);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CSAT, 6, 1), CXM_E_VALUE);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CES, 0, 1), CXM_E_VALUE);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CES, 8, 1), CXM_E_VALUE);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CES, INT32_MIN, 1), CXM_E_VALUE);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_NPS, INT32_MAX, 1), CXM_E_VALUE);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_INTERNAL, 50, 1), CXM_E_KIND);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_PERCEPTION, 3, 1), CXM_E_KIND);
  assert_int_equal(cxm_survey_acc_add(&a, -1, 3, 1), CXM_E_KIND);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_COUNT, 3, 1), CXM_E_KIND);
  assert_int_equal(cxm_survey_acc_add(NULL, CXM_KIND_NPS, 3, 1), CXM_E_ARG);
  assert_true(acc_equal(&a, &before));
}

static void test_add_overflow(void **state) {
  (void)state;
  cxm_survey_acc a;
  cxm_survey_acc_init(&a);
  /* One count up to the limit, then one more wraps: refused. */
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_NPS, 9, UINT64_MAX - 1), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_NPS, 9, 1), CXM_OK);
  cxm_survey_acc before = a;
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_NPS, 9, 1), CXM_E_OVERFLOW);
  /* The kind's total n would pass 2^64 - 1 through another value. */
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_NPS, 3, 1), CXM_E_OVERFLOW);
  assert_true(acc_equal(&a, &before));
  /* Other kinds are independent. */
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CSAT, 3, UINT64_MAX), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CSAT, 4, 1), CXM_E_OVERFLOW);
  /* Half and half reaches the total exactly, one more does not fit. */
  cxm_survey_acc_init(&a);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CES, 1, UINT64_MAX / 2), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CES, 7, UINT64_MAX / 2 + 1), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CES, 4, 1), CXM_E_OVERFLOW);
  cxm_ces_result r;
  assert_int_equal(cxm_ces_compute(&r, &a.ces), CXM_OK);
  assert_true(r.n == UINT64_MAX);
}

/* splitmix64 (Steele, Lea & Flood 2014), seeded, written here. */
static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static void check_same_metrics(const cxm_survey_acc *a, const cxm_survey_acc *b) {
  cxm_nps_result n1;
  cxm_nps_result n2;
  cxm_csat_result c1;
  cxm_csat_result c2;
  cxm_ces_result e1;
  cxm_ces_result e2;
  assert_int_equal(cxm_nps_compute(&n1, &a->nps), CXM_OK);
  assert_int_equal(cxm_nps_compute(&n2, &b->nps), CXM_OK);
  assert_int_equal(cxm_csat_compute(&c1, &a->csat), CXM_OK);
  assert_int_equal(cxm_csat_compute(&c2, &b->csat), CXM_OK);
  assert_int_equal(cxm_ces_compute(&e1, &a->ces), CXM_OK);
  assert_int_equal(cxm_ces_compute(&e2, &b->ces), CXM_OK);
  /* Same counts, so bit-identical results (NaN compares by memcmp). */
  assert_memory_equal(&n1, &n2, sizeof n1);
  assert_memory_equal(&c1, &c2, sizeof c1);
  assert_memory_equal(&e1, &e2, sizeof e1);
}

static void test_merge_shards(void **state) {
  (void)state;
  /* Answers dealt at random into 1..8 shards, the shards merged in a
   * random order (also pairwise, as a tree): the result equals the
   * accumulator of all answers, and so do its metrics. */
  uint64_t seed = 0xC0FFEE;
  for (int it = 0; it < 500; it++) {
    cxm_survey_acc whole;
    cxm_survey_acc shard[8];
    cxm_survey_acc_init(&whole);
    size_t k = 1 + (size_t)(rng_next(&seed) % 8);
    for (size_t s = 0; s < k; s++) {
      cxm_survey_acc_init(&shard[s]);
    }
    int answers = (int)(rng_next(&seed) % 300);
    for (int i = 0; i < answers; i++) {
      int32_t kind = (int32_t)(rng_next(&seed) % 3);
      int32_t value = kind == CXM_KIND_NPS    ? (int32_t)(rng_next(&seed) % 11)
                      : kind == CXM_KIND_CSAT ? 1 + (int32_t)(rng_next(&seed) % 5)
                                              : 1 + (int32_t)(rng_next(&seed) % 7);
      uint64_t count = 1 + rng_next(&seed) % 3;
      size_t s = (size_t)(rng_next(&seed) % k);
      assert_int_equal(cxm_survey_acc_add(&whole, kind, value, count), CXM_OK);
      assert_int_equal(cxm_survey_acc_add(&shard[s], kind, value, count), CXM_OK);
    }
    cxm_survey_acc merged;
    cxm_survey_acc_init(&merged);
    size_t start = (size_t)(rng_next(&seed) % k);
    for (size_t j = 0; j < k; j++) {
      assert_int_equal(cxm_survey_acc_merge(&merged, &shard[(start + j) % k]), CXM_OK);
    }
    assert_true(acc_equal(&merged, &whole));
    check_same_metrics(&merged, &whole);
    /* Tree order: merge neighbours in place. */
    for (size_t step = 1; step < k; step *= 2) {
      for (size_t j = 0; j + step < k; j += 2 * step) {
        assert_int_equal(cxm_survey_acc_merge(&shard[j], &shard[j + step]), CXM_OK);
      }
    }
    assert_true(acc_equal(&shard[0], &whole));
  }
}

static void test_merge_edges(void **state) {
  (void)state;
  cxm_survey_acc a;
  cxm_survey_acc b;
  cxm_survey_acc_init(&a);
  cxm_survey_acc_init(&b);
  assert_int_equal(cxm_survey_acc_merge(NULL, &b), CXM_E_ARG);
  assert_int_equal(cxm_survey_acc_merge(&a, NULL), CXM_E_ARG);
  /* Merging into itself doubles every count. */
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_NPS, 5, 3), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CES, 2, 4), CXM_OK);
  assert_int_equal(cxm_survey_acc_merge(&a, &a), CXM_OK);
  assert_true(a.nps.count[5] == 6 && a.ces.count[1] == 8);
  /* Overflow of one count in the last kind checked (CES): nothing in any
   * kind changes. */
  cxm_survey_acc_init(&a);
  cxm_survey_acc_init(&b);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_NPS, 0, 10), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CES, 7, UINT64_MAX), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&b, CXM_KIND_NPS, 0, 5), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&b, CXM_KIND_CSAT, 2, 5), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&b, CXM_KIND_CES, 7, 1), CXM_OK);
  cxm_survey_acc before = a;
  assert_int_equal(cxm_survey_acc_merge(&a, &b), CXM_E_OVERFLOW);
  assert_true(acc_equal(&a, &before));
  /* Overflow of a kind's total with every single count in range. */
  cxm_survey_acc_init(&a);
  cxm_survey_acc_init(&b);
  assert_int_equal(cxm_survey_acc_add(&a, CXM_KIND_CSAT, 1, UINT64_MAX - 5), CXM_OK);
  assert_int_equal(cxm_survey_acc_add(&b, CXM_KIND_CSAT, 5, 6), CXM_OK);
  before = a;
  assert_int_equal(cxm_survey_acc_merge(&a, &b), CXM_E_OVERFLOW);
  assert_true(acc_equal(&a, &before));
  /* ... and one less fits exactly. */
  cxm_survey_acc_init(&b);
  assert_int_equal(cxm_survey_acc_add(&b, CXM_KIND_CSAT, 5, 5), CXM_OK);
  assert_int_equal(cxm_survey_acc_merge(&a, &b), CXM_OK);
  assert_true(a.csat.count[0] + a.csat.count[4] == UINT64_MAX);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_init),         cmocka_unit_test(test_add),         cmocka_unit_test(test_add_overflow),
      cmocka_unit_test(test_merge_shards), cmocka_unit_test(test_merge_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
