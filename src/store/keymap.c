/* 64-bit key map; see keymap.h. */
#include "store/keymap.h"

#include "common/hash.h"

#include <assert.h>
#include <string.h>

void cxmi_keymap_init(cxmi_keymap *m) { memset(m, 0, sizeof *m); }

static size_t slot_count(const cxmi_keymap *m) { return m->slots == NULL ? 0 : (size_t)m->slot_mask + 1; }

void cxmi_keymap_free(cxmi_keymap *m, cxmi_alloc *a) {
  cxmi_free(a, m->slots, slot_count(m) * sizeof *m->slots);
  cxmi_free(a, m->index, slot_count(m) * sizeof *m->index);
  cxmi_free(a, m->keys, (size_t)m->key_cap * sizeof *m->keys);
  memset(m, 0, sizeof *m);
}

int64_t cxmi_keymap_find(const cxmi_keymap *m, uint64_t key) {
  uint32_t i;
  if (m->slots == NULL) return -1;
  for (i = (uint32_t)cxmi_hash_u64(key) & m->slot_mask;; i = (i + 1) & m->slot_mask) {
    if (m->slots[i] == 0) return -1;
    if (m->slots[i] == key + 1) return m->index[i];
  }
}

static void place(uint64_t *slots, uint32_t *index, uint32_t mask, uint64_t key, uint32_t at) {
  uint32_t i;
  for (i = (uint32_t)cxmi_hash_u64(key) & mask; slots[i] != 0; i = (i + 1) & mask) {
  }
  slots[i] = key + 1;
  index[i] = at;
}

int32_t cxmi_keymap_reserve(cxmi_keymap *m, cxmi_alloc *a) {
  if (m->count >= UINT32_C(0x7FFFFFFF)) return CXM_E_LIMIT;
  if (m->count == m->key_cap) {
    uint32_t cap = m->key_cap == 0 ? 16 : m->key_cap * 2;
    uint64_t *keys = cxmi_realloc(a, m->keys, (size_t)m->key_cap * sizeof *keys, (size_t)cap * sizeof *keys);
    if (keys == NULL) return CXM_E_NOMEM;
    m->keys = keys;
    m->key_cap = cap;
  }
  if (m->slots == NULL || ((uint64_t)m->count + 1) * 2 > slot_count(m)) {
    uint32_t cap = m->slots == NULL ? 32 : (uint32_t)slot_count(m) * 2, i;
    uint64_t *slots = cxmi_calloc(a, cap, sizeof *slots);
    uint32_t *index = cxmi_calloc(a, cap, sizeof *index);
    if (slots == NULL || index == NULL) {
      cxmi_free(a, slots, slots == NULL ? 0 : cap * sizeof *slots);
      cxmi_free(a, index, index == NULL ? 0 : cap * sizeof *index);
      return CXM_E_NOMEM;
    }
    for (i = 0; i < m->count; i++) place(slots, index, cap - 1, m->keys[i], i);
    cxmi_free(a, m->slots, slot_count(m) * sizeof *m->slots);
    cxmi_free(a, m->index, slot_count(m) * sizeof *m->index);
    m->slots = slots;
    m->index = index;
    m->slot_mask = cap - 1;
  }
  return CXM_OK;
}

uint32_t cxmi_keymap_commit(cxmi_keymap *m, uint64_t key) {
  uint32_t at;
  /* What cxmi_keymap_reserve() guarantees: room for the key, load <= 1/2. */
  assert(m->count < m->key_cap);
  assert(m->slots != NULL && ((uint64_t)m->count + 1) * 2 <= (uint64_t)m->slot_mask + 1);
  assert(cxmi_keymap_find(m, key) < 0);
  at = m->count++;
  m->keys[at] = key;
  place(m->slots, m->index, m->slot_mask, key, at);
  return at;
}
