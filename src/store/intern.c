/* String interning with open addressing (linear probing, load <= 3/4) and
 * a block arena; see intern.h. */
#include "store/intern.h"

#include "common/hash.h"

#include <assert.h>
#include <string.h>

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
  for (i = 0; i < t->block_count; i++) cxmi_free(a, t->blocks[i], CXMI_INTERN_BLOCK_SIZE);
  cxmi_free(a, t->blocks, (size_t)t->block_cap * sizeof *t->blocks);
  memset(t, 0, sizeof *t);
}

static uint32_t rec_index(const unsigned char *rec) {
  uint32_t index;
  memcpy(&index, rec, sizeof index);
  return index;
}

int64_t cxmi_intern_find(const cxmi_intern *t, const char *s, size_t len, uint64_t hash) {
  uint32_t i;
  if (t->slots == NULL) return -1;
  for (i = (uint32_t)hash & t->slot_mask;; i = (i + 1) & t->slot_mask) {
    const cxmi_slot *slot = &t->slots[i];
    if (slot->rec == NULL) return -1;
    if (slot->hash == hash && slot->rec[4] == len && memcmp(slot->rec + CXMI_INTERN_REC_HEADER, s, len) == 0)
      return rec_index(slot->rec);
  }
}

static void place(cxmi_slot *slots, uint32_t mask, uint64_t hash, const unsigned char *rec) {
  uint32_t j;
  for (j = (uint32_t)hash & mask; slots[j].rec != NULL; j = (j + 1) & mask) {
  }
  slots[j].rec = rec;
  slots[j].hash = hash;
}

/* Rehash into `new_cap` slots; the old table stays intact on failure. */
static int32_t grow_slots(cxmi_intern *t, cxmi_alloc *a, uint32_t new_cap) {
  cxmi_slot *slots = cxmi_calloc(a, new_cap, sizeof *slots);
  uint32_t i;
  if (slots == NULL) return CXM_E_NOMEM;
  for (i = 0; t->slots != NULL && i <= t->slot_mask; i++)
    if (t->slots[i].rec != NULL) place(slots, new_cap - 1, t->slots[i].hash, t->slots[i].rec);
  cxmi_free(a, t->slots, slot_bytes(t));
  t->slots = slots;
  t->slot_mask = new_cap - 1;
  return CXM_OK;
}

static int32_t grow_entries(cxmi_intern *t, cxmi_alloc *a) {
  uint32_t cap = t->entry_cap == 0 ? 16 : t->entry_cap * 2;
  const unsigned char **ptrs;
  if (t->entry_cap >= UINT32_MAX / 2) return CXM_E_LIMIT;
  ptrs = cxmi_realloc(a, (void *)t->ptrs, (size_t)t->entry_cap * sizeof *ptrs, (size_t)cap * sizeof *ptrs);
  if (ptrs == NULL) return CXM_E_NOMEM;
  t->ptrs = ptrs;
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
  block = cxmi_malloc(a, CXMI_INTERN_BLOCK_SIZE);
  if (block == NULL) return CXM_E_NOMEM;
  t->blocks[t->block_count++] = block;
  t->block_used = 0;
  return CXM_OK;
}

int32_t cxmi_intern_reserve(cxmi_intern *t, cxmi_alloc *a, size_t len) {
  int32_t rc;
  if (len > CXMI_INTERN_MAX_LEN) return CXM_E_ARG;
  if (t->count >= t->limit) return CXM_E_LIMIT;
  /* Keep the load at or below three quarters: probes stay short (the full
   * rejects almost every wrong slot without touching the arena). */
  if (t->slots == NULL || ((uint64_t)t->count + 1) * 4 > ((uint64_t)t->slot_mask + 1) * 3) {
    uint64_t cap = t->slots == NULL ? MIN_SLOTS : ((uint64_t)t->slot_mask + 1) * 2;
    if (cap > (UINT64_C(1) << 32)) return CXM_E_LIMIT;
    rc = grow_slots(t, a, (uint32_t)cap);
    if (rc != CXM_OK) return rc;
  }
  if (t->count == t->entry_cap) {
    rc = grow_entries(t, a);
    if (rc != CXM_OK) return rc;
  }
  if (t->block_count == 0 || t->block_used + CXMI_INTERN_REC_HEADER + len > CXMI_INTERN_BLOCK_SIZE) {
    rc = add_block(t, a);
    if (rc != CXM_OK) return rc;
  }
  return CXM_OK;
}

uint32_t cxmi_intern_commit(cxmi_intern *t, const char *s, size_t len, uint64_t hash) {
  uint32_t index = t->count;
  unsigned char *dst;
  /* What cxmi_intern_reserve() guarantees: room for the entry, an arena
   * block with room for the record, load at most 3/4 after this one. */
  assert(len <= CXMI_INTERN_MAX_LEN);
  assert(t->count < t->limit && t->count < t->entry_cap);
  assert(t->slots != NULL && ((uint64_t)t->count + 1) * 4 <= ((uint64_t)t->slot_mask + 1) * 3);
  assert(t->block_count > 0 && t->block_used + CXMI_INTERN_REC_HEADER + len <= CXMI_INTERN_BLOCK_SIZE);
  assert(cxmi_intern_find(t, s, len, hash) < 0); /* known to be absent */
  dst = (unsigned char *)t->blocks[t->block_count - 1] + t->block_used;
  memcpy(dst, &index, sizeof index);
  dst[4] = (unsigned char)len;
  if (len > 0) memcpy(dst + CXMI_INTERN_REC_HEADER, s, len);
  t->block_used += CXMI_INTERN_REC_HEADER + len;
  t->ptrs[index] = dst;
  place(t->slots, t->slot_mask, hash, dst);
  t->count++;
  return index;
}

const char *cxmi_intern_str(const cxmi_intern *t, uint32_t index, size_t *len) {
  *len = t->ptrs[index][4];
  return (const char *)t->ptrs[index] + CXMI_INTERN_REC_HEADER;
}
