/* Helpers shared by the unit tests: a deterministic PRNG and an allocator
 * that fails on demand (fault injection, after jansson's test_chaos.c). */
#ifndef CXM_TEST_HELPERS_H
#define CXM_TEST_HELPERS_H

#include <stdint.h>
#include <stdlib.h>

#include "cxm/common.h"

/* SplitMix64: tiny, seeded, the same sequence on every platform. */
static inline uint64_t test_rand(uint64_t *state) {
  uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint64_t test_below(uint64_t *state, uint64_t n) { return test_rand(state) % n; }

/* Iterations of a property test: `n`, or n / 10 (at least 1) when the
 * environment sets CXM_TEST_QUICK. tools/ci-valgrind.sh sets it: memcheck
 * runs the same code 30-50 times slower, and it looks for memory errors,
 * which the first streams already exercise; the plain and sanitizer builds
 * run the full counts. */
static inline int test_iterations(int n) {
  const char *quick = getenv("CXM_TEST_QUICK");
  if (quick == NULL || quick[0] == '\0') return n;
  return n / 10 > 0 ? n / 10 : 1;
}

/* How many times slower than natively the test runs: 50 under
 * CXM_TEST_QUICK (memcheck is 20-50x slower), else 1. For the few checks
 * that bound a wall time by design (a fit's time budget overshoots by at
 * most one evaluation), not for speed targets, which live in bench/. */
static inline double test_slowdown(void) {
  const char *quick = getenv("CXM_TEST_QUICK");
  return quick == NULL || quick[0] == '\0' ? 1.0 : 50.0;
}

/* An allocator that fails every allocation once `remaining` reaches 0
 * (never when remaining < 0), and tracks live bytes to catch leaks. */
typedef struct failing_alloc {
  long remaining; /* FAILING_PAUSED: neither count nor fail */
  long calls;
  int64_t live_bytes;
} failing_alloc;

/* A `remaining` value that suspends counting and failing, e.g. while a
 * test inspects the object under test with calls that allocate too. */
#define FAILING_PAUSED (-2L)

/* Whether this call fails; counts it unless paused. */
static inline int failing_should_fail(failing_alloc *f) {
  if (f->remaining == FAILING_PAUSED) return 0;
  f->calls++;
  if (f->remaining == 0) return 1;
  if (f->remaining > 0) f->remaining--;
  return 0;
}

static inline void *failing_malloc(void *opaque, size_t size) {
  failing_alloc *f = opaque;
  void *p;
  if (failing_should_fail(f)) return NULL;
  p = malloc(size);
  if (p != NULL) f->live_bytes += (int64_t)size;
  return p;
}

static inline void *failing_realloc(void *opaque, void *ptr, size_t old_size, size_t new_size) {
  failing_alloc *f = opaque;
  void *p;
  if (failing_should_fail(f)) return NULL;
  p = realloc(ptr, new_size);
  if (p != NULL) f->live_bytes += (int64_t)new_size - (int64_t)old_size;
  return p;
}

static inline void failing_free(void *opaque, void *ptr, size_t size) {
  failing_alloc *f = opaque;
  f->live_bytes -= (int64_t)size;
  free(ptr);
}

static inline cxm_allocator failing_hooks(failing_alloc *f) {
  cxm_allocator a;
  a.alloc = failing_malloc;
  a.realloc = failing_realloc;
  a.free = failing_free;
  a.opaque = f;
  return a;
}

#endif
