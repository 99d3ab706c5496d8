/* Purchase days: the amount bought per (customer, UTC day), in one open-
 * addressing table whose 16-byte slots hold key and amount together, so a
 * purchase costs one cache line (the generic keymap needs three). Reserve-
 * then-commit like the other tables. */
#ifndef CXM_SRC_DAYMAP_H
#define CXM_SRC_DAYMAP_H

#include "alloc.h"

typedef struct cxmi_day_slot {
  uint64_t key;  /* (customer << 32 | day) + 1; 0 = empty */
  double amount; /* the day's total */
} cxmi_day_slot;

typedef struct cxmi_daymap {
  cxmi_day_slot *slots;
  uint32_t slot_mask, count;
} cxmi_daymap;

void cxmi_daymap_init(cxmi_daymap *m);
void cxmi_daymap_free(cxmi_daymap *m, cxmi_alloc *a);
/* The slot of `key`: its own, or the empty one it would take. Needs slots. */
cxmi_day_slot *cxmi_daymap_slot(const cxmi_daymap *m, uint64_t key);
/* Room for one more key: CXM_OK, CXM_E_NOMEM or CXM_E_LIMIT; contents unchanged. */
int32_t cxmi_daymap_reserve(cxmi_daymap *m, cxmi_alloc *a);
/* Add `amount` to the day of `key` (created when absent), after a reserve. */
void cxmi_daymap_add(cxmi_daymap *m, uint64_t key, double amount);

#endif
