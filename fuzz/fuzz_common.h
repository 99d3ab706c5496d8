/* Helpers shared by the fuzz targets (fuzz/fuzz_*.c): the libFuzzer entry
 * point's prototype, a property check that traps, a checking allocator with
 * a byte limit, and a hash that derives chunk splits from the input.
 *
 * Everything here is static: each target is one translation unit, linked
 * either with libFuzzer (-Dfuzzing=true) or with fuzz/replay_main.c (the
 * fuzz-replay tests of the normal build). */
#ifndef CXM_FUZZ_COMMON_H
#define CXM_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/common.h"

/* The entry point libFuzzer (or replay_main.c) calls once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A violated property is a crash, so libFuzzer records the input; the
 * message names the property (traps of one function may be merged). */
#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
      __builtin_trap();                                                             \
    }                                                                               \
  } while (0)

/* FNV-1a, 64 bits: a deterministic function of the input's bytes. */
static inline uint64_t fuzz_hash(const uint8_t *data, size_t size) {
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  size_t i;
  for (i = 0; i < size; i++) {
    h ^= data[i];
    h *= UINT64_C(0x100000001b3);
  }
  return h;
}

/* SplitMix64, seeded from the input's hash. */
static inline uint64_t fuzz_next(uint64_t *state) {
  uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* ---- a checking allocator ------------------------------------------------
 * Each block carries a header with its size, so the library's promise that
 * `free` and `realloc` receive the size it allocated is checked on every
 * call. Live bytes are capped (the fuzzers must not exhaust RSS), and the
 * allocation numbered `fail_at` (1-based; 0: never) fails, to drive the
 * out-of-memory paths. */

#define FUZZ_HEADER 16 /* keeps max_align_t alignment on the usual ABIs */

typedef struct fuzz_alloc {
  size_t live;      /* bytes handed out and not freed */
  size_t limit;     /* an allocation that would pass it fails */
  uint64_t calls;   /* allocations and reallocations so far */
  uint64_t fail_at; /* the call that fails; 0 for none */
  uint64_t failed;  /* calls that returned NULL */
} fuzz_alloc;

static inline int fuzz_alloc_fails(fuzz_alloc *f, size_t grow) {
  f->calls++;
  if (f->fail_at != 0 && f->calls == f->fail_at) return 1;
  if (grow > f->limit - f->live) return 1;
  return 0;
}

static inline void *fuzz_malloc(void *opaque, size_t size) {
  fuzz_alloc *f = opaque;
  unsigned char *p;
  FUZZ_CHECK(size > 0);
  if (fuzz_alloc_fails(f, size) || size > SIZE_MAX - FUZZ_HEADER) {
    f->failed++;
    return NULL;
  }
  p = malloc(size + FUZZ_HEADER);
  if (p == NULL) {
    f->failed++;
    return NULL;
  }
  memcpy(p, &size, sizeof size);
  f->live += size;
  return p + FUZZ_HEADER;
}

static inline void *fuzz_realloc(void *opaque, void *ptr, size_t old_size, size_t new_size) {
  fuzz_alloc *f = opaque;
  unsigned char *p = (unsigned char *)ptr - FUZZ_HEADER, *q;
  size_t had;
  FUZZ_CHECK(ptr != NULL && new_size > 0);
  memcpy(&had, p, sizeof had);
  FUZZ_CHECK(had == old_size);
  if (fuzz_alloc_fails(f, new_size > old_size ? new_size - old_size : 0) || new_size > SIZE_MAX - FUZZ_HEADER) {
    f->failed++;
    return NULL;
  }
  q = realloc(p, new_size + FUZZ_HEADER);
  if (q == NULL) {
    f->failed++;
    return NULL;
  }
  memcpy(q, &new_size, sizeof new_size);
  f->live = f->live - old_size + new_size;
  return q + FUZZ_HEADER;
}

static inline void fuzz_free(void *opaque, void *ptr, size_t size) {
  fuzz_alloc *f = opaque;
  unsigned char *p = (unsigned char *)ptr - FUZZ_HEADER;
  size_t had;
  FUZZ_CHECK(ptr != NULL);
  memcpy(&had, p, sizeof had);
  FUZZ_CHECK(had == size && size <= f->live);
  f->live -= size;
  free(p);
}

static inline cxm_allocator fuzz_hooks(fuzz_alloc *f, size_t limit, uint64_t fail_at) {
  cxm_allocator a;
  memset(f, 0, sizeof *f);
  f->limit = limit;
  f->fail_at = fail_at;
  a.alloc = fuzz_malloc;
  a.realloc = fuzz_realloc;
  a.free = fuzz_free;
  a.opaque = f;
  return a;
}

/* A growing buffer for snapshot bytes (plain malloc: not the store's). */
typedef struct fuzz_bytes {
  uint8_t *p;
  size_t len, cap;
} fuzz_bytes;

static inline int32_t fuzz_collect(void *opaque, const void *bytes, size_t len) {
  fuzz_bytes *b = opaque;
  FUZZ_CHECK(bytes != NULL && len > 0);
  if (len > b->cap - b->len) {
    size_t cap = b->cap == 0 ? 4096 : b->cap;
    uint8_t *p;
    while (cap - b->len < len) cap *= 2;
    p = realloc(b->p, cap);
    FUZZ_CHECK(p != NULL);
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, bytes, len);
  b->len += len;
  return 0;
}

#endif
