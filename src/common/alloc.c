/* Allocation through per-object hooks; see alloc.h. */
/* mmap(), mremap() and MADV_HUGEPAGE (glibc hides them under plain C11). */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif
#include "common/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Blocks this large, with the C library's allocator on Linux, are mapped
 * by this file itself, on 2 MiB boundaries and advised MADV_HUGEPAGE
 * (Linux's transparent huge pages in "madvise" mode, the default of
 * several distributions). A store's hash tables and event arrays are
 * filled at random or from end to end: with 4 KiB pages, one page fault
 * every 4 KiB was 12 % of a reading's time on a virtual machine, where a
 * fault costs a trip through the hypervisor. The boundaries matter as
 * much: realloc() moves a large block with mremap() to any address, and a
 * huge page moved to an address of another offset within 2 MiB is split
 * into 4 KiB pages. A growing array of 177 MB ended up with 8 MB of huge
 * pages, and the first pass over it after the reading took 0.18 s instead
 * of 0.01 s (bench/README.md). An address sanitizer build keeps malloc(),
 * so that it still sees every overrun. */
#if defined(__linux__) && defined(MADV_HUGEPAGE) && defined(MREMAP_FIXED)
#if defined(__SANITIZE_ADDRESS__)
#define BIG_BLOCKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_BLOCKS 0
#endif
#endif
#ifndef BIG_BLOCKS
#define BIG_BLOCKS 1
#endif
#else
#define BIG_BLOCKS 0
#endif

#define BIG_BLOCK ((size_t)4 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

#if BIG_BLOCKS
/* The bytes mapped for a big block of `size` bytes: whole huge pages. */
static size_t big_span(size_t size) { return (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1); }

/* A fresh zeroed mapping of `span` bytes (whole huge pages) that starts on
 * a huge-page boundary, or NULL. */
static void *map_aligned(size_t span) {
  unsigned char *raw;
  uintptr_t start;
  size_t head;
  if (span > SIZE_MAX - HUGE_PAGE) return NULL;
  raw = mmap(NULL, span + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return NULL;
  start = ((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
  head = (size_t)(start - (uintptr_t)raw);
  if (head > 0) (void)munmap(raw, head);
  if (HUGE_PAGE - head > 0) (void)munmap((unsigned char *)start + span, HUGE_PAGE - head);
  /* Advice only: a kernel without huge pages says no, and nothing changes. */
  (void)madvise((void *)start, span, MADV_HUGEPAGE);
  return (void *)start;
}

static void *big_alloc(size_t size) {
  if (size > SIZE_MAX - HUGE_PAGE) return NULL;
  return map_aligned(big_span(size));
}

static void big_free(void *p, size_t size) { (void)munmap(p, big_span(size)); }

/* Grow or shrink a big block, keeping it on a huge-page boundary: in place
 * when the pages after it are free, else moved (its pages, not copied) to
 * a fresh aligned mapping. NULL on failure, the block intact. */
static void *big_realloc(void *p, size_t old_size, size_t new_size) {
  size_t old_span = big_span(old_size), new_span;
  void *q, *dst;
  if (new_size > SIZE_MAX - HUGE_PAGE) return NULL;
  new_span = big_span(new_size);
  if (new_span == old_span) return p;
  if (new_span < old_span) {
    (void)munmap((unsigned char *)p + new_span, old_span - new_span);
    return p;
  }
  q = mremap(p, old_span, new_span, 0);
  if (q != MAP_FAILED) return q;
  dst = map_aligned(new_span);
  if (dst == NULL) return NULL;
  /* The block's pages replace the start of the fresh mapping, whose rest
   * stays as it is (zero, advised): the same as growing in the move, and
   * valgrind follows this one (it takes the grown part of a fixed move
   * for unaddressable). */
  q = mremap(p, old_span, old_span, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
  if (q == MAP_FAILED) {
    (void)munmap(dst, new_span);
    return NULL;
  }
  return q;
}
#endif

static void *default_alloc(void *opaque, size_t size) {
  (void)opaque;
#if BIG_BLOCKS
  if (size >= BIG_BLOCK) return big_alloc(size);
#endif
  return malloc(size);
}

static void *default_realloc(void *opaque, void *ptr, size_t old_size, size_t new_size) {
  (void)opaque;
#if BIG_BLOCKS
  if (old_size >= BIG_BLOCK && new_size >= BIG_BLOCK) return big_realloc(ptr, old_size, new_size);
  if (old_size >= BIG_BLOCK || new_size >= BIG_BLOCK) {
    /* Across the line: a copy, then the old block goes its own way. */
    void *p = new_size >= BIG_BLOCK ? big_alloc(new_size) : malloc(new_size);
    if (p == NULL) return NULL;
    memcpy(p, ptr, old_size < new_size ? old_size : new_size);
    if (old_size >= BIG_BLOCK)
      big_free(ptr, old_size);
    else
      free(ptr);
    return p;
  }
#else
  (void)old_size;
#endif
  return realloc(ptr, new_size);
}

static void default_free(void *opaque, void *ptr, size_t size) {
  (void)opaque;
#if BIG_BLOCKS
  if (size >= BIG_BLOCK) {
    big_free(ptr, size);
    return;
  }
#else
  (void)size;
#endif
  free(ptr);
}

int32_t cxmi_alloc_init(cxmi_alloc *a, const cxm_allocator *hooks) {
  if (a == NULL) return CXM_E_ARG;
  if (hooks == NULL) {
    a->hooks.alloc = default_alloc;
    a->hooks.realloc = default_realloc;
    a->hooks.free = default_free;
    a->hooks.opaque = NULL;
  } else {
    if (hooks->alloc == NULL || hooks->realloc == NULL || hooks->free == NULL) return CXM_E_ARG;
    a->hooks = *hooks;
  }
  a->bytes = 0;
  return CXM_OK;
}

void *cxmi_malloc(cxmi_alloc *a, size_t size) {
  void *p;
  if (size == 0) return NULL;
  p = a->hooks.alloc(a->hooks.opaque, size);
  if (p != NULL) a->bytes += size;
  return p;
}

void *cxmi_calloc(cxmi_alloc *a, size_t n, size_t size) {
  void *p;
  if (n == 0 || size == 0 || n > SIZE_MAX / size) return NULL;
  if (a->hooks.alloc == default_alloc) {
    /* Fresh pages of a large block come zeroed and are not written here:
     * a table's pages are then touched only where it is used. */
    p = BIG_BLOCKS && n * size >= BIG_BLOCK ? default_alloc(NULL, n * size) : calloc(n, size);
    if (p != NULL) a->bytes += n * size;
    return p;
  }
  p = cxmi_malloc(a, n * size);
  if (p != NULL) memset(p, 0, n * size);
  return p;
}

/* Smaller than any page size in use: a write every this many bytes
 * touches every page. */
#define TOUCH_STRIDE 4096

void *cxmi_calloc_table(cxmi_alloc *a, size_t n, size_t size) {
  unsigned char *p = cxmi_calloc(a, n, size);
  if (p != NULL) {
    volatile unsigned char *v = p; /* the zero written is already there: not a store to drop */
    size_t bytes = n * size;
    for (size_t i = 0; i < bytes; i += TOUCH_STRIDE) v[i] = 0;
  }
  return p;
}

void *cxmi_realloc(cxmi_alloc *a, void *ptr, size_t old_size, size_t new_size) {
  void *p;
  if (new_size == 0) return NULL;
  if (ptr == NULL) return cxmi_malloc(a, new_size);
  p = a->hooks.realloc(a->hooks.opaque, ptr, old_size, new_size);
  if (p != NULL) a->bytes = a->bytes - old_size + new_size;
  return p;
}

void cxmi_free(cxmi_alloc *a, void *ptr, size_t size) {
  if (ptr == NULL) return;
  a->hooks.free(a->hooks.opaque, ptr, size);
  a->bytes -= size;
}

int32_t cxmi_grow_array(void **items, uint32_t *cap, uint32_t count, uint64_t more, size_t size, cxmi_alloc *a) {
  uint64_t need = (uint64_t)count + more;
  uint64_t grown = *cap == 0 ? 64 : *cap;
  void *p;
  if (need <= *cap) return CXM_OK;
  if (need > UINT32_MAX) return CXM_E_LIMIT;
  while (grown < need) grown *= 2;
  if (grown > UINT32_MAX) grown = UINT32_MAX;
  if (grown > SIZE_MAX / size) return CXM_E_NOMEM;
  p = cxmi_realloc(a, *items, (size_t)*cap * size, (size_t)grown * size);
  if (p == NULL) return CXM_E_NOMEM;
  *items = p;
  *cap = (uint32_t)grown;
  return CXM_OK;
}
