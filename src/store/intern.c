/* String interning with open addressing (linear probing, load <= 3/4) and
 * a block arena; see intern.h. */
#include "store/intern.h"

#include "common/hash.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIN_SLOTS 16u

void cxmi_intern_init(cxmi_intern *t, uint32_t limit) {
  memset(t, 0, sizeof *t);
  t->limit = limit;
}

void cxmi_intern_init_set(cxmi_intern *t, uint32_t limit) {
  cxmi_intern_init(t, limit);
  t->set = 1;
  t->walk = 1;
}

void cxmi_intern_init_walk(cxmi_intern *t, uint32_t limit) {
  cxmi_intern_init(t, limit);
  t->walk = 1;
}

/* Whether a record position holds the end mark of a block. */
static int block_end(const cxmi_intern *t, const unsigned char *rec) {
  static const unsigned char none[4] = {0xFF, 0xFF, 0xFF, 0xFF};
  return t->set ? rec[0] == 0 : memcmp(rec, none, sizeof none) == 0;
}

static size_t slot_bytes(const cxmi_intern *t) {
  return t->slots == NULL ? 0 : ((size_t)t->slot_mask + 1) * sizeof *t->slots;
}

static int by_address(const void *x, const void *y) {
  uintptr_t a = (uintptr_t) * (char *const *)x, b = (uintptr_t) * (char *const *)y;
  return a < b ? -1 : a > b;
}

/* Whether `block` was cut from one of the `count` slabs, sorted by address. */
static int in_slab(char *const *slabs, uint32_t count, const char *block) {
  uint32_t lo = 0, hi = count;
  while (lo < hi) { /* the last slab starting at or before the block */
    uint32_t mid = lo + (hi - lo) / 2;
    if ((uintptr_t)slabs[mid] <= (uintptr_t)block)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo > 0 && (uintptr_t)block - (uintptr_t)slabs[lo - 1] < CXMI_INTERN_SLAB_SIZE;
}

void cxmi_intern_free(cxmi_intern *t, cxmi_alloc *a) {
  uint32_t i;
  cxmi_free(a, t->slots, slot_bytes(t));
  cxmi_free(a, (void *)t->ptrs, (size_t)t->entry_cap * sizeof *t->ptrs);
  if (t->slab_count > 1) qsort(t->slabs, t->slab_count, sizeof *t->slabs, by_address);
  for (i = 0; i < t->block_count; i++)
    if (!in_slab(t->slabs, t->slab_count, t->blocks[i])) cxmi_free(a, t->blocks[i], CXMI_INTERN_BLOCK_SIZE);
  for (i = 0; i < t->slab_count; i++) cxmi_free(a, t->slabs[i], CXMI_INTERN_SLAB_SIZE);
  cxmi_free(a, t->blocks, (size_t)t->block_cap * sizeof *t->blocks);
  cxmi_free(a, t->slabs, (size_t)t->slab_cap * sizeof *t->slabs);
  memset(t, 0, sizeof *t);
}

static const unsigned char *slot_rec(const cxmi_intern *t, uint64_t slot) {
  uint64_t pos = (slot & CXMI_INTERN_POS_MASK) - 1;
  return (const unsigned char *)t->blocks[pos >> CXMI_INTERN_BLOCK_SHIFT] + (pos & (CXMI_INTERN_BLOCK_SIZE - 1));
}

int64_t cxmi_intern_find(const cxmi_intern *t, const char *s, size_t len, uint64_t hash) {
  uint64_t tag = CXMI_INTERN_TAG(hash);
  uint32_t i;
  if (t->slots == NULL) return -1;
  for (i = cxmi_intern_home(t, hash);; i = (i + 1) & t->slot_mask) {
    uint64_t slot = t->slots[i];
    const unsigned char *rec;
    if (slot == 0) return -1;
    if (CXMI_INTERN_TAG(slot) != tag) continue;
    rec = slot_rec(t, slot);
    if (t->set) {
      if (rec[0] == len && memcmp(rec + CXMI_INTERN_SET_HEADER, s, len) == 0) return 0;
    } else if (rec[4] == len && memcmp(rec + CXMI_INTERN_REC_HEADER, s, len) == 0) {
      uint32_t index;
      memcpy(&index, rec, sizeof index);
      return index;
    }
  }
}

void cxmi_intern_prefetch_record(const cxmi_intern *t, uint64_t hash) {
  uint64_t slot;
  if (t->slots == NULL) return;
  slot = t->slots[cxmi_intern_home(t, hash)];
  if (slot != 0 && CXMI_INTERN_TAG(slot) == CXMI_INTERN_TAG(hash)) PREFETCH(slot_rec(t, slot));
}

/* Put a slot value in its home slot or the first free one after it. */
static void place_slot(uint64_t *slots, uint32_t mask, unsigned shift, uint64_t hash, uint64_t value) {
  uint32_t j;
  for (j = (uint32_t)(hash >> shift); slots[j] != 0; j = (j + 1) & mask) {
  }
  slots[j] = value;
}

static void place(uint64_t *slots, uint32_t mask, unsigned shift, uint64_t hash, uint64_t pos) {
  place_slot(slots, mask, shift, hash, CXMI_INTERN_TAG(hash) | (pos + 1));
}

const char *cxmi_intern_next(const cxmi_intern *t, cxmi_intern_cursor *c, size_t *len) {
  const unsigned char *rec;
  size_t header = cxmi_intern_header(t);
  if (c->index >= t->count) return NULL;
  if (!t->walk) {
    rec = t->ptrs[c->index];
  } else {
    /* A block ends at its fill (the last block), where no header fits, or
     * at its end mark. */
    for (;;) {
      int last = c->block + 1 == t->block_count;
      rec = (const unsigned char *)t->blocks[c->block] + c->offset;
      if (last ? c->offset < t->block_used : c->offset + header <= CXMI_INTERN_BLOCK_SIZE && !block_end(t, rec)) break;
      c->block++;
      c->offset = 0;
    }
    c->offset += header + rec[header - 1];
  }
  c->index++;
  *len = rec[header - 1];
  return (const char *)rec + header;
}

/* The arena position of a record pointer, by its block. */
static uint64_t rec_pos(const cxmi_intern *t, uint32_t block, const unsigned char *rec) {
  return ((uint64_t)block << CXMI_INTERN_BLOCK_SHIFT) | (uint64_t)(rec - (const unsigned char *)t->blocks[block]);
}

static unsigned log2_u64(uint64_t x) {
  unsigned k = 0;
  while (x > 1) {
    x >>= 1;
    k++;
  }
  return k;
}

/* Rehash into `new_cap` slots; the old table stays intact on failure.
 * While the stored hash bits give the home slot, the old slots are moved
 * in table order (the writes go forward through the new table, as the
 * reads through the old one); past that, every string is hashed again, in
 * arena order. */
static int32_t grow_slots(cxmi_intern *t, cxmi_alloc *a, uint64_t new_cap) {
  uint64_t *slots = cxmi_calloc_table(a, (size_t)new_cap, sizeof *slots);
  uint32_t mask = (uint32_t)(new_cap - 1), block = 0;
  unsigned bits = log2_u64(new_cap), shift = 64 - bits;
  if (slots == NULL) return CXM_E_NOMEM;
  if (bits <= CXMI_INTERN_TAG_BITS) {
    uint32_t i;
    for (i = 0; t->slots != NULL && i <= t->slot_mask; i++)
      if (t->slots[i] != 0) place_slot(slots, mask, shift, t->slots[i], t->slots[i]);
  } else {
    cxmi_intern_cursor c;
    const char *s;
    size_t len, header = cxmi_intern_header(t);
    cxmi_intern_cursor_init(&c);
    while ((s = cxmi_intern_next(t, &c, &len)) != NULL) {
      const unsigned char *rec = (const unsigned char *)s - header;
      /* A dense cursor does not follow blocks: find the record's. */
      while (rec < (const unsigned char *)t->blocks[block] ||
             rec >= (const unsigned char *)t->blocks[block] + CXMI_INTERN_BLOCK_SIZE)
        block++;
      place(slots, mask, shift, cxmi_hash_bytes(s, len), rec_pos(t, block, rec));
    }
  }
  cxmi_free(a, t->slots, slot_bytes(t));
  t->slots = slots;
  t->slot_mask = mask;
  t->shift = (uint8_t)shift;
  return CXM_OK;
}

/* The index capacity that holds `need` strings. */
static uint64_t slots_for(const cxmi_intern *t, uint64_t need) {
  uint64_t cap = t->slots == NULL ? MIN_SLOTS : (uint64_t)t->slot_mask + 1;
  /* Keep the load at or below three quarters: probes stay short (the
   * hash's top bits in the slot reject almost every wrong one without
   * touching the arena). */
  while (need * 4 > cap * 3) cap *= 2;
  return cap;
}

int32_t cxmi_intern_reserve_slots(cxmi_intern *t, cxmi_alloc *a, uint64_t need) {
  uint64_t cap = slots_for(t, need);
  if (cap > (UINT64_C(1) << 32)) return CXM_E_LIMIT;
  if (t->slots != NULL && cap == (uint64_t)t->slot_mask + 1) return CXM_OK;
  return grow_slots(t, a, cap);
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

void cxmi_intern_attach_block(cxmi_intern *t, char *block) {
  assert(t->block_count < t->block_cap);
  /* A walk stops at the end mark where the previous block's records end. */
  if (t->block_count > 0 && t->block_used + cxmi_intern_header(t) <= CXMI_INTERN_BLOCK_SIZE)
    memset(t->blocks[t->block_count - 1] + t->block_used, t->set ? 0 : 0xFF, t->set ? 1 : 4);
  t->blocks[t->block_count++] = block;
  t->block_used = 0;
}

int32_t cxmi_intern_reserve_slabs(cxmi_intern *t, cxmi_alloc *a, uint32_t more) {
  uint64_t cap = t->slab_cap == 0 ? 8 : t->slab_cap;
  char **slabs;
  if ((uint64_t)t->slab_count + more <= t->slab_cap) return CXM_OK;
  while (cap < (uint64_t)t->slab_count + more) cap *= 2;
  if (cap > UINT32_MAX) return CXM_E_LIMIT;
  slabs = cxmi_realloc(a, t->slabs, (size_t)t->slab_cap * sizeof *slabs, (size_t)cap * sizeof *slabs);
  if (slabs == NULL) return CXM_E_NOMEM;
  t->slabs = slabs;
  t->slab_cap = (uint32_t)cap;
  return CXM_OK;
}

static int32_t add_block(cxmi_intern *t, cxmi_alloc *a) {
  char *block;
  if (t->block_count == t->block_cap) {
    uint32_t cap = t->block_cap == 0 ? 8 : t->block_cap * 2;
    char **blocks;
    if ((uint64_t)cap << CXMI_INTERN_BLOCK_SHIFT > CXMI_INTERN_POS_MASK - 1) return CXM_E_LIMIT;
    blocks = cxmi_realloc(a, t->blocks, (size_t)t->block_cap * sizeof *blocks, (size_t)cap * sizeof *blocks);
    if (blocks == NULL) return CXM_E_NOMEM;
    t->blocks = blocks;
    t->block_cap = cap;
  }
  if (t->spare == 0 && t->block_count >= CXMI_INTERN_SLAB_AFTER) {
    /* A table this large gets its blocks a slab at a time: with the
     * default allocator a slab is huge pages, where single blocks of the
     * C library's heap took a page fault every 4 KiB (bench/README.md). */
    char *slab;
    int32_t rc = cxmi_intern_reserve_slabs(t, a, 1);
    if (rc != CXM_OK) return rc;
    slab = cxmi_malloc(a, CXMI_INTERN_SLAB_SIZE);
    if (slab == NULL) return CXM_E_NOMEM;
    t->slabs[t->slab_count++] = slab;
    t->spare = CXMI_INTERN_SLAB_BLOCKS;
  }
  if (t->spare > 0) {
    block = cxmi_intern_slab_block(t->slabs[t->slab_count - 1], CXMI_INTERN_SLAB_BLOCKS - t->spare);
    t->spare--;
  } else {
    block = cxmi_malloc(a, CXMI_INTERN_BLOCK_SIZE);
    if (block == NULL) return CXM_E_NOMEM;
  }
  cxmi_intern_attach_block(t, block);
  return CXM_OK;
}

int32_t cxmi_intern_reserve(cxmi_intern *t, cxmi_alloc *a, size_t len) {
  int32_t rc;
  if (len > CXMI_INTERN_MAX_LEN) return CXM_E_ARG;
  if (t->set && len == 0) return CXM_E_ARG;
  if (t->count >= t->limit) return CXM_E_LIMIT;
  if (t->slots == NULL || ((uint64_t)t->count + 1) * 4 > ((uint64_t)t->slot_mask + 1) * 3) {
    rc = cxmi_intern_reserve_slots(t, a, (uint64_t)t->count + 1);
    if (rc != CXM_OK) return rc;
  }
  if (!t->walk && t->count == t->entry_cap) {
    rc = grow_entries(t, a);
    if (rc != CXM_OK) return rc;
  }
  if (t->block_count == 0 || t->block_used + cxmi_intern_header(t) + len > CXMI_INTERN_BLOCK_SIZE) {
    rc = add_block(t, a);
    if (rc != CXM_OK) return rc;
  }
  return CXM_OK;
}

uint32_t cxmi_intern_commit(cxmi_intern *t, const char *s, size_t len, uint64_t hash) {
  uint32_t index = t->count;
  size_t header = cxmi_intern_header(t);
  unsigned char *dst;
  /* What cxmi_intern_reserve() guarantees: room for the entry, an arena
   * block with room for the record, load at most 3/4 after this one. */
  assert(len <= CXMI_INTERN_MAX_LEN && (!t->set || len > 0));
  assert(t->count < t->limit && (t->walk || t->count < t->entry_cap));
  assert(t->slots != NULL && ((uint64_t)t->count + 1) * 4 <= ((uint64_t)t->slot_mask + 1) * 3);
  assert(t->block_count > 0 && t->block_used + header + len <= CXMI_INTERN_BLOCK_SIZE);
  assert(cxmi_intern_find(t, s, len, hash) < 0); /* known to be absent */
  dst = (unsigned char *)t->blocks[t->block_count - 1] + t->block_used;
  if (!t->set) memcpy(dst, &index, sizeof index);
  dst[header - 1] = (unsigned char)len;
  if (len > 0) memcpy(dst + header, s, len);
  if (!t->walk) t->ptrs[index] = dst;
  place(t->slots, t->slot_mask, t->shift, hash,
        ((uint64_t)(t->block_count - 1) << CXMI_INTERN_BLOCK_SHIFT) | (uint64_t)t->block_used);
  t->block_used += header + len;
  t->count++;
  return index;
}

const char *cxmi_intern_str(const cxmi_intern *t, uint32_t index, size_t *len) {
  assert(!t->walk);
  *len = t->ptrs[index][4];
  return (const char *)t->ptrs[index] + CXMI_INTERN_REC_HEADER;
}

/* Whether the home slot of every string of `t` is in its slots' hash bits. */
#define CARRIES_HOME(t) ((t)->slots == NULL || 64u - (t)->shift <= CXMI_INTERN_TAG_BITS)

/* Start loading the home slot in `dst` of src's slot `i` (if any): a merge
 * walks src's slots in order and reaches dst's at random. */
static void prefetch_home(const cxmi_intern *dst, const cxmi_intern *src, uint32_t i) {
  if (i <= src->slot_mask && src->slots[i] != 0) PREFETCH(&dst->slots[cxmi_intern_home(dst, src->slots[i])]);
}

int cxmi_intern_will_carry_home(const cxmi_intern *t, uint64_t need) {
  return slots_for(t, need) <= (UINT64_C(1) << CXMI_INTERN_TAG_BITS);
}

int cxmi_intern_sets_meet(const cxmi_intern *dst, const cxmi_intern *src) {
  uint32_t i;
  assert(dst->set && src->set && CARRIES_HOME(dst));
  if (dst->slots == NULL || src->slots == NULL) return 0;
  for (i = 0; i <= src->slot_mask; i++) {
    uint64_t v = src->slots[i], tag = CXMI_INTERN_TAG(v);
    uint32_t j;
    prefetch_home(dst, src, i + 16);
    if (v == 0) continue;
    for (j = cxmi_intern_home(dst, v); dst->slots[j] != 0; j = (j + 1) & dst->slot_mask) {
      const unsigned char *a, *b;
      if (CXMI_INTERN_TAG(dst->slots[j]) != tag) continue;
      a = slot_rec(dst, dst->slots[j]);
      b = slot_rec(src, v);
      if (a[0] == b[0] && memcmp(a + 1, b + 1, a[0]) == 0) return 1;
    }
  }
  return 0;
}

void cxmi_intern_set_append(cxmi_intern *dst, const cxmi_intern *src, char *const *blocks) {
  uint32_t b, i, base;
  assert(dst->set && src->set && CARRIES_HOME(dst));
  assert(((uint64_t)dst->count + src->count) * 4 <= ((uint64_t)dst->slot_mask + 1) * 3);
  if (src->count == 0) return;
  base = dst->block_count;
  for (b = 0; b < src->block_count; b++) {
    int last = b + 1 == src->block_count;
    /* A block before the last holds its own end mark (or is full). */
    memcpy(blocks[b], src->blocks[b], last ? src->block_used : CXMI_INTERN_BLOCK_SIZE);
    cxmi_intern_attach_block(dst, blocks[b]);
    dst->block_used = last ? src->block_used : CXMI_INTERN_BLOCK_SIZE;
  }
  for (i = 0; i <= src->slot_mask; i++) {
    uint64_t v = src->slots[i], pos;
    prefetch_home(dst, src, i + 16);
    if (v == 0) continue;
    pos = (v & CXMI_INTERN_POS_MASK) - 1;
    pos += (uint64_t)base << CXMI_INTERN_BLOCK_SHIFT; /* same offset, block moved by `base` */
    place_slot(dst->slots, dst->slot_mask, dst->shift, v, CXMI_INTERN_TAG(v) | (pos + 1));
  }
  dst->count += src->count;
}
