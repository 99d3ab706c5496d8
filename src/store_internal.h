/* The store's layout, shared by the modules that read it (query.c) and
 * the objects tied to it (readers). Not part of the public API. */
#ifndef CXM_SRC_STORE_INTERNAL_H
#define CXM_SRC_STORE_INTERNAL_H

#include "alloc.h"
#include "cube.h"
#include "intern.h"
#include "cxm/store.h"

/* Limits that keep every code in an int32 and every handle in a uint32. */
#define CXMI_MAX_CUSTOMERS UINT32_C(0xFFFFFFF0)
#define CXMI_MAX_EVENT_IDS UINT32_C(0xFFFFFFF0)
#define CXMI_MAX_CUSTOM_CHANNELS UINT32_C(65536)
#define CXMI_MAX_SEGMENTS UINT32_C(65536)

struct cxm_store {
  cxmi_alloc alloc;
  int64_t bucket_seconds;
  cxmi_intern customers;
  cxmi_intern event_ids;
  cxmi_intern channels; /* custom tokens; code = CXM_CHANNEL_FIRST_CUSTOM + index */
  cxmi_intern segments; /* labels; code = 1 + index */
  cxmi_cube cube;
  uint32_t last_cell;   /* cache: the cell of the previous event, valid when cube.count > 0 */
  uint64_t events;
  uint64_t duplicates;
  int64_t first, last;
};

/* The store's allocator, for objects (readers, results) tied to it. */
cxmi_alloc *cxmi_store_alloc(cxm_store *store);
/* The hooks the store was created with, for objects that outlive it. */
const cxm_allocator *cxmi_store_hooks(const cxm_store *store);

#endif
