/* String interning with open addressing (linear probing, load <= 1/2) and
 * a block arena; see intern.h. */
#include "intern.h"

#include "hash.h"

#include <string.h>

#define BLOCK_SIZE ((size_t)64 * 1024)
#define MIN_SLOTS 16u

void cxmi_intern_init(cxmi_intern *t, uint32_t limit) {
  memset(t, 0, sizeof *t);
  t->limit = limit;
}

static size_t slot_bytes(const cxmi_intern *t) {
  return t->slots == NULL ? 0 : ((size_t)t->slot_mask + 1) * sizeof *t->slots;
}

void cxmi_intern_free(cxmi_intern *t, cxmi_alloc *a) {
  uint32_t i;
  cxmi_free(a, t->slots, slot_bytes(t));
  cxmi_free(a, (void *)t->ptrs, (size_t)t->entry_cap * sizeof *t->ptrs);
  cxmi_free(a, t->lens, (size_t)t->entry_cap * sizeof *t->lens);
  for (i = 0; i < t->block_count; i++) cxmi_free(a, t->blocks[i], BLOCK_SIZE);
  cxmi_free(a, t->blocks, (size_t)t->block_cap * sizeof *t->blocks);
  memset(t, 0, sizeof *t);
}

static uint32_t tag_of(uint64_t hash) { return (uint32_t)(hash >> 32); }

int64_t cxmi_intern_find(const cxmi_intern *t, const char *s, size_t len, uint64_t hash) {
  uint32_t i, tag = tag_of(hash);
  if (t->slots == NULL) return -1;
  for (i = (uint32_t)hash & t->slot_mask;; i = (i + 1) & t->slot_mask) {
    uint64_t slot = t->slots[i];
    uint32_t index;
    if (slot == 0) return -1;
    index = (uint32_t)(slot >> 32) - 1;
    if ((uint32_t)slot == tag && t->lens[index] == len && memcmp(t->ptrs[index], s, len) == 0)
      return (int64_t)index;
  }
}

static void place(uint64_t *slots, uint32_t mask, uint64_t hash, uint32_t index) {
  uint32_t j;
  for (j = (uint32_t)hash & mask; slots[j] != 0; j = (j + 1) & mask) {
  }
  slots[j] = ((uint64_t)(index + 1) << 32) | tag_of(hash);
}

/* Rehash into `new_cap` slots; the old table stays intact on failure.
 * Hashes are recomputed from the strings: slots keep only a 32-bit tag so
 * that a customer costs 8 bytes of slot, not 16. */
static int32_t grow_slots(cxmi_intern *t, cxmi_alloc *a, uint32_t new_cap) {
  uint64_t *slots = cxmi_calloc(a, new_cap, sizeof *slots);
  uint32_t i;
  if (slots == NULL) return CXM_E_NOMEM;
  for (i = 0; i < t->count; i++) place(slots, new_cap - 1, cxmi_hash_bytes(t->ptrs[i], t->lens[i]), i);
  cxmi_free(a, t->slots, slot_bytes(t));
  t->slots = slots;
  t->slot_mask = new_cap - 1;
  return CXM_OK;
}

static int32_t grow_entries(cxmi_intern *t, cxmi_alloc *a) {
  uint32_t cap = t->entry_cap == 0 ? 16 : t->entry_cap * 2;
  const char **ptrs;
  uint8_t *lens;
  if (t->entry_cap >= UINT32_MAX / 2) return CXM_E_LIMIT;
  /* Both arrays or neither: allocate fresh, copy, then release the old. */
  ptrs = cxmi_malloc(a, (size_t)cap * sizeof *ptrs);
  if (ptrs == NULL) return CXM_E_NOMEM;
  lens = cxmi_malloc(a, (size_t)cap * sizeof *lens);
  if (lens == NULL) {
    cxmi_free(a, (void *)ptrs, (size_t)cap * sizeof *ptrs);
    return CXM_E_NOMEM;
  }
  if (t->count > 0) {
    memcpy((void *)ptrs, (const void *)t->ptrs, (size_t)t->count * sizeof *ptrs);
    memcpy(lens, t->lens, (size_t)t->count * sizeof *lens);
  }
  cxmi_free(a, (void *)t->ptrs, (size_t)t->entry_cap * sizeof *t->ptrs);
  cxmi_free(a, t->lens, (size_t)t->entry_cap * sizeof *t->lens);
  t->ptrs = ptrs;
  t->lens = lens;
  t->entry_cap = cap;
  return CXM_OK;
}

static int32_t add_block(cxmi_intern *t, cxmi_alloc *a) {
  char *block;
  if (t->block_count == t->block_cap) {
    uint32_t cap = t->block_cap == 0 ? 8 : t->block_cap * 2;
    char **blocks = cxmi_realloc(a, t->blocks, (size_t)t->block_cap * sizeof *blocks, (size_t)cap * sizeof *blocks);
    if (blocks == NULL) return CXM_E_NOMEM;
    t->blocks = blocks;
    t->block_cap = cap;
  }
  block = cxmi_malloc(a, BLOCK_SIZE);
  if (block == NULL) return CXM_E_NOMEM;
  t->blocks[t->block_count++] = block;
  t->block_used = 0;
  return CXM_OK;
}

int32_t cxmi_intern_reserve(cxmi_intern *t, cxmi_alloc *a, size_t len) {
  int32_t rc;
  if (len > CXMI_INTERN_MAX_LEN) return CXM_E_ARG;
  if (t->count >= t->limit) return CXM_E_LIMIT;
  /* Keep the load at or below one half: probes stay short. */
  if (t->slots == NULL || ((uint64_t)t->count + 1) * 2 > (uint64_t)t->slot_mask + 1) {
    uint64_t cap = t->slots == NULL ? MIN_SLOTS : ((uint64_t)t->slot_mask + 1) * 2;
    if (cap > (UINT64_C(1) << 31)) return CXM_E_LIMIT;
    rc = grow_slots(t, a, (uint32_t)cap);
    if (rc != CXM_OK) return rc;
  }
  if (t->count == t->entry_cap) {
    rc = grow_entries(t, a);
    if (rc != CXM_OK) return rc;
  }
  if (len > 0 && (t->block_count == 0 || t->block_used + len > BLOCK_SIZE)) {
    rc = add_block(t, a);
    if (rc != CXM_OK) return rc;
  }
  return CXM_OK;
}

uint32_t cxmi_intern_commit(cxmi_intern *t, const char *s, size_t len, uint64_t hash) {
  uint32_t index = t->count;
  char *dst = len > 0 ? t->blocks[t->block_count - 1] + t->block_used : NULL;
  if (len > 0) {
    memcpy(dst, s, len);
    t->block_used += len;
  }
  t->ptrs[index] = dst != NULL ? dst : "";
  t->lens[index] = (uint8_t)len;
  place(t->slots, t->slot_mask, hash, index);
  t->count++;
  return index;
}

const char *cxmi_intern_str(const cxmi_intern *t, uint32_t index, size_t *len) {
  *len = t->lens[index];
  return t->ptrs[index];
}
