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
/* ptr may be NULL (old_size 0). On failure returns NULL and ptr is intact. */
void *cxmi_realloc(cxmi_alloc *a, void *ptr, size_t old_size, size_t new_size);
/* ptr may be NULL. */
void cxmi_free(cxmi_alloc *a, void *ptr, size_t size);

#endif
