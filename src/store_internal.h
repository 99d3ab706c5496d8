/* What other library modules may know of a store beyond the public API. */
#ifndef CXM_SRC_STORE_INTERNAL_H
#define CXM_SRC_STORE_INTERNAL_H

#include "alloc.h"
#include "cxm/store.h"

/* The store's allocator, for objects (readers, results) tied to it. */
cxmi_alloc *cxmi_store_alloc(cxm_store *store);
/* The hooks the store was created with, for objects that outlive it. */
const cxm_allocator *cxmi_store_hooks(const cxm_store *store);

#endif
