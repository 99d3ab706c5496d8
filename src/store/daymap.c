/* Purchase-day table; see daymap.h. */
#include "store/daymap.h"

#include "common/hash.h"

#include <assert.h>
#include <string.h>

void cxmi_daymap_init(cxmi_daymap *m) { memset(m, 0, sizeof *m); }

static size_t slot_count(const cxmi_daymap *m) { return m->slots == NULL ? 0 : (size_t)m->slot_mask + 1; }

void cxmi_daymap_free(cxmi_daymap *m, cxmi_alloc *a) {
  cxmi_free(a, m->slots, slot_count(m) * sizeof *m->slots);
  memset(m, 0, sizeof *m);
}

static cxmi_day_slot *find_slot(cxmi_day_slot *slots, uint32_t mask, uint64_t key) {
  uint32_t i;
  for (i = (uint32_t)cxmi_hash_u64(key) & mask; slots[i].key != 0 && slots[i].key != key + 1; i = (i + 1) & mask) {
  }
  return &slots[i];
}

cxmi_day_slot *cxmi_daymap_slot(const cxmi_daymap *m, uint64_t key) { return find_slot(m->slots, m->slot_mask, key); }

int32_t cxmi_daymap_reserve(cxmi_daymap *m, cxmi_alloc *a) {
  cxmi_day_slot *slots;
  size_t old = slot_count(m), cap, i;
  if (m->count >= CXMI_DAYMAP_MAX) return CXM_E_LIMIT;
  if (m->slots != NULL && ((uint64_t)m->count + 1) * 4 <= old * 3) return CXM_OK;
  cap = old == 0 ? 64 : old * 2;
  slots = cxmi_calloc_table(a, cap, sizeof *slots);
  if (slots == NULL) return CXM_E_NOMEM;
  for (i = 0; i < old; i++)
    if (m->slots[i].key != 0) *find_slot(slots, (uint32_t)(cap - 1), m->slots[i].key - 1) = m->slots[i];
  cxmi_free(a, m->slots, old * sizeof *m->slots);
  m->slots = slots;
  m->slot_mask = (uint32_t)(cap - 1);
  return CXM_OK;
}

cxmi_day_slot *cxmi_daymap_get(cxmi_daymap *m, uint64_t key) {
  cxmi_day_slot *slot;
  assert(m->slots != NULL); /* after cxmi_daymap_reserve() */
  slot = find_slot(m->slots, m->slot_mask, key);
  if (slot->key == 0) {
    assert(((uint64_t)m->count + 1) * 4 <= ((uint64_t)m->slot_mask + 1) * 3); /* load <= 3/4 */
    memset(slot, 0, sizeof *slot);
    slot->key = key + 1;
    m->count++;
  }
  return slot;
}
