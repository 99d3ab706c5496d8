/* Reserving room for many entries at once (see merge.h). Each helper
 * grows a table the way its own reserve function would (same starting
 * sizes, doubling, same load limits and capacity limits), only further;
 * on failure the table holds what it held. */
#include "store/merge.h"

#include "common/hash.h"

#include <assert.h>
#include <string.h>

/* intern.c's arena layout (intern.h): blocks reserved here are freed by
 * cxmi_intern_free() with the same size. */

void cxmi_merge_intern_begin(cxmi_merge_intern *plan, const cxmi_intern *t) {
  memset(plan, 0, sizeof *plan);
  plan->have_block = t->block_count > 0;
  plan->used = t->block_used;
  plan->header = cxmi_intern_header(t);
}

void cxmi_merge_intern_add(cxmi_merge_intern *plan, size_t len) {
  if (!plan->have_block || plan->used + plan->header + len > CXMI_INTERN_BLOCK_SIZE) {
    plan->blocks++;
    plan->used = 0;
    plan->have_block = 1;
  }
  plan->used += plan->header + len;
  plan->added++;
}

/* The plan's blocks cut from slabs, as intern.c cuts a large table's, and
 * room in t's slab list for them. */
static int32_t reserve_slabs(cxmi_merge_intern *plan, cxmi_intern *t, cxmi_alloc *a) {
  uint32_t k = (plan->blocks + CXMI_INTERN_SLAB_BLOCKS - 1) / CXMI_INTERN_SLAB_BLOCKS, i;
  int32_t rc = cxmi_intern_reserve_slabs(t, a, k);
  if (rc != CXM_OK) return rc;
  plan->slabs = cxmi_calloc(a, k, sizeof *plan->slabs);
  if (plan->slabs == NULL) return CXM_E_NOMEM;
  plan->slab_cap = k;
  for (; plan->slab_count < k; plan->slab_count++) {
    plan->slabs[plan->slab_count] = cxmi_malloc(a, CXMI_INTERN_SLAB_SIZE);
    if (plan->slabs[plan->slab_count] == NULL) return CXM_E_NOMEM; /* the release frees the others */
  }
  for (i = 0; i < plan->blocks; i++)
    plan->fresh[i] = cxmi_intern_slab_block(plan->slabs[i / CXMI_INTERN_SLAB_BLOCKS], i % CXMI_INTERN_SLAB_BLOCKS);
  return CXM_OK;
}

int32_t cxmi_merge_intern_reserve(cxmi_merge_intern *plan, cxmi_intern *t, cxmi_alloc *a) {
  uint64_t need = (uint64_t)t->count + plan->added;
  uint32_t i;
  if (plan->added == 0) return CXM_OK;
  if (need > t->limit) return CXM_E_LIMIT;
  /* Index slots: load at most three quarters (intern.c). */
  {
    int32_t rc = cxmi_intern_reserve_slots(t, a, need);
    if (rc != CXM_OK) return rc;
  }
  /* Per-index record pointers. */
  if (!t->walk && t->entry_cap < need) {
    uint64_t entries = t->entry_cap == 0 ? 16 : t->entry_cap;
    const unsigned char **ptrs;
    while (entries < need) entries *= 2;
    if (entries > UINT32_MAX / 2 + 1) return CXM_E_LIMIT;
    ptrs = cxmi_realloc(a, (void *)t->ptrs, (size_t)t->entry_cap * sizeof *ptrs, (size_t)entries * sizeof *ptrs);
    if (ptrs == NULL) return CXM_E_NOMEM;
    t->ptrs = ptrs;
    t->entry_cap = (uint32_t)entries;
  }
  /* Arena: room in the block list, then the blocks themselves, held aside
   * until a commit needs them. */
  if (plan->blocks > 0) {
    uint64_t blocks = (uint64_t)t->block_count + plan->blocks;
    if (t->block_cap < blocks) {
      uint64_t bcap = t->block_cap == 0 ? 8 : t->block_cap;
      char **list;
      while (bcap < blocks) bcap *= 2;
      if ((bcap << CXMI_INTERN_BLOCK_SHIFT) > CXMI_INTERN_POS_MASK - 1) return CXM_E_LIMIT; /* as intern.c */
      list = cxmi_realloc(a, t->blocks, (size_t)t->block_cap * sizeof *list, (size_t)bcap * sizeof *list);
      if (list == NULL) return CXM_E_NOMEM;
      t->blocks = list;
      t->block_cap = (uint32_t)bcap;
    }
    plan->fresh = cxmi_calloc(a, plan->blocks, sizeof *plan->fresh);
    if (plan->fresh == NULL) return CXM_E_NOMEM;
    if (plan->blocks >= CXMI_INTERN_SLAB_AFTER) return reserve_slabs(plan, t, a);
    for (i = 0; i < plan->blocks; i++) {
      plan->fresh[i] = cxmi_malloc(a, CXMI_INTERN_BLOCK_SIZE);
      if (plan->fresh[i] == NULL) return CXM_E_NOMEM; /* the release frees the others */
    }
  }
  return CXM_OK;
}

uint32_t cxmi_merge_intern_commit(cxmi_intern *t, cxmi_merge_intern *plan, const char *s, size_t len, uint64_t hash) {
  if (t->block_count == 0 || t->block_used + cxmi_intern_header(t) + len > CXMI_INTERN_BLOCK_SIZE)
    cxmi_intern_attach_block(t, plan->fresh[plan->next++]);
  return cxmi_intern_commit(t, s, len, hash);
}

void cxmi_merge_intern_release(cxmi_merge_intern *plan, cxmi_intern *t, cxmi_alloc *a) {
  uint32_t i;
  if (plan->fresh == NULL) return;
  if (plan->slabs != NULL) {
    /* A commit attaches all of the plan's blocks or none. */
    assert(plan->next == 0 || plan->next == plan->blocks);
    if (plan->next > 0) {
      for (i = 0; i < plan->slab_count; i++) t->slabs[t->slab_count++] = plan->slabs[i];
      /* The blocks past the plan's, at the end of its last slab, are the
       * table's next ones (those left in its own last slab stay unused). */
      t->spare = plan->slab_count * CXMI_INTERN_SLAB_BLOCKS - plan->blocks;
    } else {
      for (i = 0; i < plan->slab_count; i++) cxmi_free(a, plan->slabs[i], CXMI_INTERN_SLAB_SIZE);
    }
    cxmi_free(a, plan->slabs, (size_t)plan->slab_cap * sizeof *plan->slabs);
    plan->slabs = NULL;
  } else {
    for (i = plan->next; i < plan->blocks; i++)
      cxmi_free(a, plan->fresh[i], plan->fresh[i] == NULL ? 0 : CXMI_INTERN_BLOCK_SIZE);
  }
  cxmi_free(a, plan->fresh, (size_t)plan->blocks * sizeof *plan->fresh);
  plan->fresh = NULL;
}

int32_t cxmi_merge_cube_reserve(cxmi_cube *c, cxmi_alloc *a, uint32_t cells) {
  uint64_t need = (uint64_t)c->count + cells, cap;
  uint32_t i;
  if (cells == 0) return CXM_OK;
  if (c->cap < need) {
    cxmi_cell *list;
    cap = c->cap == 0 ? 64 : c->cap;
    while (cap < need) cap *= 2;
    if (cap > UINT32_MAX / 4) return CXM_E_LIMIT;
    list = cxmi_realloc(a, c->cells, (size_t)c->cap * sizeof *list, (size_t)cap * sizeof *list);
    if (list == NULL) return CXM_E_NOMEM;
    c->cells = list;
    c->cap = (uint32_t)cap;
  }
  /* Index: load at most one half. */
  cap = c->slots == NULL ? 128 : (uint64_t)c->slot_mask + 1;
  while (need * 2 > cap) cap *= 2;
  if (cap > UINT32_MAX) return CXM_E_LIMIT;
  if (c->slots == NULL || cap != (uint64_t)c->slot_mask + 1) {
    uint32_t *slots = cxmi_calloc(a, (size_t)cap, sizeof *slots);
    uint32_t mask = (uint32_t)(cap - 1);
    if (slots == NULL) return CXM_E_NOMEM;
    for (i = 0; i < c->count; i++) {
      uint32_t j;
      for (j = (uint32_t)cxmi_cell_key_hash(&c->cells[i].key) & mask; slots[j] != 0; j = (j + 1) & mask) {
      }
      slots[j] = i + 1;
    }
    cxmi_free(a, c->slots, c->slots == NULL ? 0 : ((size_t)c->slot_mask + 1) * sizeof *c->slots);
    c->slots = slots;
    c->slot_mask = mask;
  }
  return CXM_OK;
}

int32_t cxmi_merge_keymap_reserve(cxmi_keymap *m, cxmi_alloc *a, uint32_t keys) {
  uint64_t need = (uint64_t)m->count + keys, cap, old = m->slots == NULL ? 0 : (uint64_t)m->slot_mask + 1;
  uint32_t i;
  if (keys == 0) return CXM_OK;
  if (need > UINT32_C(0x7FFFFFFF)) return CXM_E_LIMIT;
  if (m->key_cap < need) {
    uint64_t *list;
    cap = m->key_cap == 0 ? 16 : m->key_cap;
    while (cap < need) cap *= 2;
    list = cxmi_realloc(a, m->keys, (size_t)m->key_cap * sizeof *list, (size_t)cap * sizeof *list);
    if (list == NULL) return CXM_E_NOMEM;
    m->keys = list;
    m->key_cap = (uint32_t)cap;
  }
  cap = old == 0 ? 32 : old;
  while (need * 2 > cap) cap *= 2;
  if (cap != old) {
    uint64_t *slots = cxmi_calloc(a, (size_t)cap, sizeof *slots);
    uint32_t *index = cxmi_calloc(a, (size_t)cap, sizeof *index);
    uint32_t mask = (uint32_t)(cap - 1);
    if (slots == NULL || index == NULL) {
      cxmi_free(a, slots, slots == NULL ? 0 : (size_t)cap * sizeof *slots);
      cxmi_free(a, index, index == NULL ? 0 : (size_t)cap * sizeof *index);
      return CXM_E_NOMEM;
    }
    for (i = 0; i < m->count; i++) {
      uint32_t j;
      for (j = (uint32_t)cxmi_hash_u64(m->keys[i]) & mask; slots[j] != 0; j = (j + 1) & mask) {
      }
      slots[j] = m->keys[i] + 1;
      index[j] = i;
    }
    cxmi_free(a, m->slots, (size_t)old * sizeof *m->slots);
    cxmi_free(a, m->index, (size_t)old * sizeof *m->index);
    m->slots = slots;
    m->index = index;
    m->slot_mask = mask;
  }
  return CXM_OK;
}

int32_t cxmi_merge_daymap_reserve(cxmi_daymap *m, cxmi_alloc *a, uint32_t days) {
  uint64_t need = (uint64_t)m->count + days, old = m->slots == NULL ? 0 : (uint64_t)m->slot_mask + 1, cap, i;
  cxmi_day_slot *slots;
  if (days == 0) return CXM_OK;
  if (need > CXMI_DAYMAP_MAX) return CXM_E_LIMIT;
  cap = old == 0 ? 64 : old;
  while (need * 4 > cap * 3) cap *= 2; /* daymap.c's load limit */
  if (cap == old) return CXM_OK;
  slots = cxmi_calloc(a, (size_t)cap, sizeof *slots);
  if (slots == NULL) return CXM_E_NOMEM;
  for (i = 0; i < old; i++) {
    if (m->slots[i].key != 0) {
      uint64_t j;
      for (j = cxmi_hash_u64(m->slots[i].key - 1) & (cap - 1); slots[j].key != 0; j = (j + 1) & (cap - 1)) {
      }
      slots[j] = m->slots[i];
    }
  }
  cxmi_free(a, m->slots, (size_t)old * sizeof *m->slots);
  m->slots = slots;
  m->slot_mask = (uint32_t)(cap - 1);
  return CXM_OK;
}

int32_t cxmi_merge_interactions_reserve(cxmi_interactions *t, cxmi_alloc *a, uint32_t records, uint32_t early) {
  uint64_t need = (uint64_t)t->refs.count + records, cap;
  if (records > 0 && t->cap < need) {
    cxmi_interaction *items;
    cap = t->cap == 0 ? 64 : t->cap;
    while (cap < need) cap *= 2;
    if (cap > UINT32_MAX / 2 + 1) return CXM_E_LIMIT;
    items = cxmi_realloc(a, t->items, (size_t)t->cap * sizeof *items, (size_t)cap * sizeof *items);
    if (items == NULL) return CXM_E_NOMEM;
    t->items = items;
    t->cap = (uint32_t)cap;
  }
  /* Every early entry of `from` may need a new one: count no recycling. */
  need = (uint64_t)t->early_count + early;
  if (early > 0 && t->early_cap < need) {
    cxmi_early *list;
    cap = t->early_cap == 0 ? 64 : t->early_cap;
    while (cap < need) cap *= 2;
    if (cap > UINT32_MAX / 2 + 1) return CXM_E_LIMIT;
    list = cxmi_realloc(a, t->early, (size_t)t->early_cap * sizeof *list, (size_t)cap * sizeof *list);
    if (list == NULL) return CXM_E_NOMEM;
    t->early = list;
    t->early_cap = (uint32_t)cap;
  }
  return CXM_OK;
}

int32_t cxmi_merge_servqual_reserve(cxm_store *s, uint32_t answers) {
  uint64_t need = (uint64_t)s->servqual_keys.count + answers, cap;
  cxmi_servqual_answers *q;
  if (answers == 0 || s->servqual_cap >= need) return CXM_OK;
  cap = s->servqual_cap == 0 ? 16 : s->servqual_cap;
  while (cap < need) cap *= 2;
  if (cap > UINT32_MAX) return CXM_E_LIMIT;
  q = cxmi_realloc(&s->alloc, s->servqual, (size_t)s->servqual_cap * sizeof *q, (size_t)cap * sizeof *q);
  if (q == NULL) return CXM_E_NOMEM;
  s->servqual = q;
  s->servqual_cap = (uint32_t)cap;
  return CXM_OK;
}
