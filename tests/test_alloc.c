/* Tests of the allocator wrapper: default and caller hooks, byte counts,
 * refusal of incomplete hooks, and the default hooks' big blocks. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* mmap() and MAP_FIXED_NOREPLACE */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/alloc.h"
#include "test_helpers.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define ASAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN_BUILD 1
#endif
#endif
#ifndef ASAN_BUILD
#define ASAN_BUILD 0
#endif

#define MIB ((size_t)1 << 20)

/* Byte i of a block written by fill(): a pattern no shift of it repeats. */
static unsigned char pattern(size_t i) { return (unsigned char)(i * 131u + (i >> 12) * 7u + 1u); }

static void fill(unsigned char *p, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) p[i] = pattern(i);
}

static int intact(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != pattern(i)) return 0;
  return 1;
}

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

/* Blocks of 4 MiB and more, which the default hooks map themselves on
 * Linux: contents kept through growth in place, growth that must move,
 * shrinking and crossing the 4 MiB line both ways; calloc's are zero. */
static void test_default_big_blocks(void **state) {
  cxmi_alloc a;
  unsigned char *p, *z;
  (void)state;
  assert_int_equal(cxmi_alloc_init(&a, NULL), CXM_OK);
  p = cxmi_malloc(&a, 5 * MIB + 3);
  assert_non_null(p);
#if defined(__linux__) && !ASAN_BUILD
  assert_int_equal((uintptr_t)p % (2 * MIB), 0); /* on a huge-page boundary */
#endif
  fill(p, 0, 5 * MIB + 3);
#if defined(__linux__) && defined(MAP_FIXED_NOREPLACE) && !ASAN_BUILD
  {
    /* A mapping just past the block's 6 MiB: it cannot grow in place. */
    void *wall = mmap(p + 6 * MIB, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    unsigned char *q = cxmi_realloc(&a, p, 5 * MIB + 3, 11 * MIB);
    assert_non_null(q);
    assert_int_equal((uintptr_t)q % (2 * MIB), 0);
    if (wall != MAP_FAILED) {
      assert_ptr_not_equal(q, p);
      munmap(wall, 4096);
    }
    p = q;
  }
#else
  p = cxmi_realloc(&a, p, 5 * MIB + 3, 11 * MIB);
  assert_non_null(p);
#endif
  assert_true(intact(p, 5 * MIB + 3));
  fill(p, 0, 11 * MIB);
  p = cxmi_realloc(&a, p, 11 * MIB, 23 * MIB); /* wherever it goes */
  assert_non_null(p);
  assert_true(intact(p, 11 * MIB));
  fill(p, 0, 23 * MIB);
  p = cxmi_realloc(&a, p, 23 * MIB, 7 * MIB); /* shrinks in place */
  assert_non_null(p);
  assert_true(intact(p, 7 * MIB));
  p = cxmi_realloc(&a, p, 7 * MIB, MIB); /* below the line */
  assert_non_null(p);
  assert_true(intact(p, MIB));
  p = cxmi_realloc(&a, p, MIB, 9 * MIB); /* above it again */
  assert_non_null(p);
  assert_true(intact(p, MIB));
  assert_int_equal(a.bytes, 9 * MIB);
  z = cxmi_calloc(&a, 3, 2 * MIB + 5);
  assert_non_null(z);
  for (size_t i = 0; i < 3 * (2 * MIB + 5); i++) assert_int_equal(z[i], 0);
  z = cxmi_realloc(&a, z, 3 * (2 * MIB + 5), 12 * MIB);
  assert_non_null(z);
  for (size_t i = 0; i < 3 * (2 * MIB + 5); i++) assert_int_equal(z[i], 0);
  cxmi_free(&a, z, 12 * MIB);
  cxmi_free(&a, p, 9 * MIB);
  assert_int_equal(a.bytes, 0);
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
      cmocka_unit_test(test_default_big_blocks),
      cmocka_unit_test(test_caller_hooks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
