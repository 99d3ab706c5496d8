/* Allocation through per-object hooks; see alloc.h. */
/* madvise() and MADV_HUGEPAGE (glibc hides them under plain C11). */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE
#endif
#include "common/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

static void *default_alloc(void *opaque, size_t size) {
  (void)opaque;
  return malloc(size);
}

static void *default_realloc(void *opaque, void *ptr, size_t old_size, size_t new_size) {
  (void)opaque;
  (void)old_size;
  return realloc(ptr, new_size);
}

static void default_free(void *opaque, void *ptr, size_t size) {
  (void)opaque;
  (void)size;
  free(ptr);
}

/* Blocks this large are backed by the kernel's huge pages where it offers
 * them on request (Linux's transparent huge pages in "madvise" mode, the
 * default of several distributions). A store's hash tables and event
 * arrays are filled at random or in order from end to end: with 4 KiB
 * pages, one page fault every 4 KiB was 12 % of a reading's time on a
 * virtual machine, where a fault costs a trip through the hypervisor. */
#define HUGE_BLOCK ((size_t)4 << 20)

static void advise_huge(void *p, size_t size) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  long page = sysconf(_SC_PAGESIZE);
  if (p != NULL && size >= HUGE_BLOCK && page > 0) {
    /* The pages holding the block, ends included: advice on part of a
     * large block's own mapping would split it in three, and realloc()
     * could no longer move it with mremap() but would copy it. */
    uintptr_t mask = (uintptr_t)page - 1;
    uintptr_t begin = (uintptr_t)p & ~mask;
    uintptr_t end = ((uintptr_t)p + size + mask) & ~mask;
    /* Advice only: a kernel without huge pages says no, and nothing changes. */
    (void)madvise((void *)begin, end - begin, MADV_HUGEPAGE);
  }
#else
  (void)p;
  (void)size;
#endif
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
  if (a->hooks.alloc == default_alloc) advise_huge(p, size);
  return p;
}

void *cxmi_calloc(cxmi_alloc *a, size_t n, size_t size) {
  void *p;
  if (n == 0 || size == 0 || n > SIZE_MAX / size) return NULL;
  if (a->hooks.alloc == default_alloc) {
    /* calloc() hands out fresh pages of a large block without writing
     * them: a table's pages are then touched only where it is used. */
    p = calloc(n, size);
    if (p != NULL) a->bytes += n * size;
    advise_huge(p, n * size);
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
  if (a->hooks.realloc == default_realloc && new_size > old_size) advise_huge(p, new_size);
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
