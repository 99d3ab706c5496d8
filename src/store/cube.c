/* Cell table: dense array plus open-addressing index (load <= 1/2). */
#include "store/cube.h"

#include "common/hash.h"

#include <assert.h>
#include <string.h>

void cxmi_cube_init(cxmi_cube *c) { memset(c, 0, sizeof *c); }

static size_t slot_bytes(const cxmi_cube *c) {
  return c->slots == NULL ? 0 : ((size_t)c->slot_mask + 1) * sizeof *c->slots;
}

void cxmi_cube_free(cxmi_cube *c, cxmi_alloc *a) {
  cxmi_free(a, c->cells, (size_t)c->cap * sizeof *c->cells);
  cxmi_free(a, c->slots, slot_bytes(c));
  memset(c, 0, sizeof *c);
}

uint64_t cxmi_cell_key_hash(const cxmi_cell_key *key) {
  uint64_t h = cxmi_hash_u64((uint64_t)key->bucket);
  h = cxmi_hash_u64(h ^ ((uint64_t)(uint32_t)key->channel << 32 | (uint32_t)key->segment));
  return cxmi_hash_u64(h ^ (uint64_t)(uint32_t)key->stage);
}

int cxmi_cell_key_equal(const cxmi_cell_key *x, const cxmi_cell_key *y) {
  return x->bucket == y->bucket && x->channel == y->channel && x->stage == y->stage && x->segment == y->segment;
}

int64_t cxmi_cube_find(const cxmi_cube *c, const cxmi_cell_key *key, uint64_t hash) {
  uint32_t i;
  if (c->slots == NULL) return -1;
  for (i = (uint32_t)hash & c->slot_mask;; i = (i + 1) & c->slot_mask) {
    uint32_t slot = c->slots[i];
    if (slot == 0) return -1;
    if (cxmi_cell_key_equal(&c->cells[slot - 1].key, key)) return (int64_t)slot - 1;
  }
}

static void place(uint32_t *slots, uint32_t mask, uint64_t hash, uint32_t index) {
  uint32_t j;
  for (j = (uint32_t)hash & mask; slots[j] != 0; j = (j + 1) & mask) {
  }
  slots[j] = index + 1;
}

int32_t cxmi_cube_reserve(cxmi_cube *c, cxmi_alloc *a) {
  if (c->count == c->cap) {
    uint32_t cap = c->cap == 0 ? 64 : c->cap * 2;
    cxmi_cell *cells;
    if (c->cap >= (UINT32_MAX / 4)) return CXM_E_LIMIT;
    cells = cxmi_realloc(a, c->cells, (size_t)c->cap * sizeof *cells, (size_t)cap * sizeof *cells);
    if (cells == NULL) return CXM_E_NOMEM;
    c->cells = cells;
    c->cap = cap;
  }
  if (c->slots == NULL || ((uint64_t)c->count + 1) * 2 > (uint64_t)c->slot_mask + 1) {
    uint32_t cap = c->slots == NULL ? 128 : (c->slot_mask + 1) * 2;
    uint32_t *slots = cxmi_calloc(a, cap, sizeof *slots);
    uint32_t i;
    if (slots == NULL) return CXM_E_NOMEM;
    for (i = 0; i < c->count; i++) place(slots, cap - 1, cxmi_cell_key_hash(&c->cells[i].key), i);
    cxmi_free(a, c->slots, slot_bytes(c));
    c->slots = slots;
    c->slot_mask = cap - 1;
  }
  return CXM_OK;
}

uint32_t cxmi_cube_commit(cxmi_cube *c, const cxmi_cell_key *key, uint64_t hash) {
  uint32_t index;
  cxmi_cell *cell;
  /* What cxmi_cube_reserve() guarantees: room for the cell, load <= 1/2. */
  assert(c->count < c->cap);
  assert(c->slots != NULL && ((uint64_t)c->count + 1) * 2 <= (uint64_t)c->slot_mask + 1);
  assert(cxmi_cube_find(c, key, hash) < 0);
  index = c->count++;
  cell = &c->cells[index];
  memset(cell, 0, sizeof *cell);
  cell->key = *key;
  place(c->slots, c->slot_mask, hash, index);
  return index;
}
