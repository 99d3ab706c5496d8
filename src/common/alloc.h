/* Allocation through the caller's hooks (cxm_allocator), with a running
 * byte count so stores can report their memory use. */
#ifndef CXM_SRC_ALLOC_H
#define CXM_SRC_ALLOC_H

#include "cxm/common.h"

typedef struct cxmi_alloc {
  cxm_allocator hooks; /* always complete: defaults filled in */
  uint64_t bytes;      /* currently allocated through this object */
} cxmi_alloc;

/* Copy `hooks` (NULL: the C library). CXM_E_ARG when hooks are incomplete. */
int32_t cxmi_alloc_init(cxmi_alloc *a, const cxm_allocator *hooks);

/* NULL on failure or when size is 0. */
void *cxmi_malloc(cxmi_alloc *a, size_t size);
/* Zeroed; NULL on failure or overflow of n * size. */
void *cxmi_calloc(cxmi_alloc *a, size_t n, size_t size);
/* cxmi_calloc() for a hash table about to be filled by a rehash: its pages
 * are also written once, a byte a page, before any is read. A fresh page
 * that is read first is mapped to the kernel's shared zero page and faults
 * again when written, and that second fault flushes the page from every
 * other processor running the process (an interrupt to each): 10 % of the
 * time of a reading on two threads. A rehash touches every page anyway. */
void *cxmi_calloc_table(cxmi_alloc *a, size_t n, size_t size);
/* ptr may be NULL (old_size 0). On failure returns NULL and ptr is intact. */
void *cxmi_realloc(cxmi_alloc *a, void *ptr, size_t old_size, size_t new_size);
/* ptr may be NULL. */
void cxmi_free(cxmi_alloc *a, void *ptr, size_t size);

/* Make room for `more` items of `size` bytes past `count` in the array
 * `*items` of capacity `*cap` (both counts limited to uint32): the
 * capacity doubles from 64. CXM_OK, CXM_E_LIMIT past UINT32_MAX items, or
 * CXM_E_NOMEM; the array is unchanged on failure. */
int32_t cxmi_grow_array(void **items, uint32_t *cap, uint32_t count, uint64_t more, size_t size, cxmi_alloc *a);

#endif
