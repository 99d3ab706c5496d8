/* A map from 64-bit keys to dense indexes 0, 1, 2... (open addressing,
 * load <= 1/2), for the store's side tables: SERVQUAL answers per
 * (customer, cell, dimension) and churned customers per cell. Reserve-then-
 * commit like intern.h, so callers can stay atomic. */
#ifndef CXM_SRC_KEYMAP_H
#define CXM_SRC_KEYMAP_H

#include "common/alloc.h"

typedef struct cxmi_keymap {
  uint64_t *slots; /* key + 1 (0 = empty) */
  uint32_t *index; /* per slot: the key's index */
  uint64_t *keys;  /* per index: its key */
  uint32_t slot_mask, count, key_cap;
} cxmi_keymap;

void cxmi_keymap_init(cxmi_keymap *m);
void cxmi_keymap_free(cxmi_keymap *m, cxmi_alloc *a);
/* Index of `key` (< UINT64_MAX), or -1. */
int64_t cxmi_keymap_find(const cxmi_keymap *m, uint64_t key);
/* Room for one more key: CXM_OK, CXM_E_NOMEM or CXM_E_LIMIT; contents unchanged. */
int32_t cxmi_keymap_reserve(cxmi_keymap *m, cxmi_alloc *a);
/* Add an absent key after a successful reserve; returns its index. */
uint32_t cxmi_keymap_commit(cxmi_keymap *m, uint64_t key);

#endif
