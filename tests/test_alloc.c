/* Tests of the allocator wrapper: default and caller hooks, byte counts,
 * and refusal of incomplete hooks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/alloc.h"
#include "test_helpers.h"

static void test_default_hooks(void **state) {
  cxmi_alloc a;
  char *p;
  (void)state;
  assert_int_equal(cxmi_alloc_init(&a, NULL), CXM_OK);
  p = cxmi_malloc(&a, 10);
  assert_non_null(p);
  assert_int_equal(a.bytes, 10);
  p = cxmi_realloc(&a, p, 10, 100);
  assert_non_null(p);
  assert_int_equal(a.bytes, 100);
  cxmi_free(&a, p, 100);
  assert_int_equal(a.bytes, 0);
  cxmi_free(&a, NULL, 0);
  assert_null(cxmi_malloc(&a, 0));
  assert_null(cxmi_calloc(&a, SIZE_MAX / 2, 4)); /* n * size overflows */
  p = cxmi_calloc(&a, 4, 8);
  assert_non_null(p);
  assert_int_equal(p[0] | p[31], 0);
  cxmi_free(&a, p, 32);
  assert_int_equal(cxmi_alloc_init(NULL, NULL), CXM_E_ARG);
}

static void test_caller_hooks(void **state) {
  failing_alloc f = {1, 0, 0};
  cxm_allocator hooks = failing_hooks(&f);
  cxm_allocator partial = hooks;
  cxmi_alloc a;
  void *p, *q;
  (void)state;
  partial.realloc = NULL;
  assert_int_equal(cxmi_alloc_init(&a, &partial), CXM_E_ARG);
  assert_int_equal(cxmi_alloc_init(&a, &hooks), CXM_OK);
  p = cxmi_malloc(&a, 16); /* the one allowed */
  assert_non_null(p);
  q = cxmi_realloc(&a, p, 16, 32); /* fails: p must stay valid and counted */
  assert_null(q);
  assert_int_equal(a.bytes, 16);
  assert_int_equal(f.live_bytes, 16);
  cxmi_free(&a, p, 16);
  assert_int_equal(a.bytes, 0);
  assert_int_equal(f.live_bytes, 0);
  assert_int_equal(f.calls, 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_hooks),
      cmocka_unit_test(test_caller_hooks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
