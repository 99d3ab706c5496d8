/* Interning of byte strings (customer ids, event ids, channel tokens,
 * segment labels): each distinct string gets a dense index 0, 1, 2...
 *
 * Strings live in fixed blocks that never move, so a pointer handed out
 * stays valid until the table is freed. Insertion is split into a fallible
 * reserve step and an infallible commit, so a caller can reserve room in
 * several tables first and change nothing when any reservation fails.
 *
 * A table is "dense" (the default) or a "set" (cxmi_intern_init_set(), the
 * event ids): a set keeps no way from an index to its string, only the
 * strings themselves in insertion order (cxmi_intern_next()), so it costs
 * an 8-byte slot and the string's bytes plus one length byte per entry. */
#ifndef CXM_SRC_INTERN_H
#define CXM_SRC_INTERN_H

#include "common/alloc.h"
#include "common/compiler.h"

#define CXMI_INTERN_MAX_LEN 255
/* The arena's layout, shared with the bulk reservation of merge_reserve.c. */
#define CXMI_INTERN_BLOCK_SHIFT 16
#define CXMI_INTERN_BLOCK_SIZE ((size_t)1 << CXMI_INTERN_BLOCK_SHIFT)
/* Blocks per slab (4 MiB), once a table has this many single blocks (a
 * test build may lower both, to reach the slabs with few strings). */
#ifndef CXMI_INTERN_SLAB_BLOCKS
#define CXMI_INTERN_SLAB_BLOCKS 64u
#endif
#ifndef CXMI_INTERN_SLAB_AFTER
#define CXMI_INTERN_SLAB_AFTER 32u
#endif
#define CXMI_INTERN_SLAB_SIZE ((size_t)CXMI_INTERN_SLAB_BLOCKS * CXMI_INTERN_BLOCK_SIZE)
#define CXMI_INTERN_REC_HEADER 5u /* dense: index (4 bytes) and length (1 byte) */
#define CXMI_INTERN_SET_HEADER 1u /* set: length (1 byte) */

/* One index slot is a uint64_t: 0 = empty, else the record's arena
 * position + 1 (block << CXMI_INTERN_BLOCK_SHIFT | offset) in the low
 * CXMI_INTERN_POS_BITS bits and the top bits of the string's hash above
 * them, so most wrong slots are rejected without touching the arena. A
 * string's home slot is given by its hash's top bits too: growing the
 * index moves the slots in table order without reading a string (up to
 * 2^CXMI_INTERN_TAG_BITS slots; past that, the strings are hashed again).
 * In the arena each dense string is a record: its index (4 bytes, native
 * order), its length (1 byte), then its bytes; a set's record is its
 * length (1 byte, never 0) and its bytes. Where a block's records end
 * before its last byte, a set's next byte is 0 and a dense table's next
 * four bytes are 0xFF (no index). */
#ifndef CXMI_INTERN_POS_BITS /* (a build may lower the tag bits to test the fallback) */
#define CXMI_INTERN_POS_BITS 36
#endif
#define CXMI_INTERN_TAG_BITS (64 - CXMI_INTERN_POS_BITS)
#define CXMI_INTERN_POS_MASK ((UINT64_C(1) << CXMI_INTERN_POS_BITS) - 1)
#define CXMI_INTERN_TAG(hash) ((hash) & ~CXMI_INTERN_POS_MASK)

typedef struct cxmi_intern {
  uint64_t *slots;
  uint32_t slot_mask; /* capacity - 1 (capacity a power of two), 0 when none */
  uint32_t count;     /* strings held */
  uint32_t limit;     /* most strings allowed */
  uint32_t entry_cap;
  uint8_t set;                /* presence only: 1-byte record header, no index */
  uint8_t walk;               /* no per-index pointers: strings are reached by walking the arena */
  uint8_t shift;              /* 64 - log2(capacity): a hash's home slot is hash >> shift */
  const unsigned char **ptrs; /* dense: per index, its arena record */
  char **blocks;              /* arena blocks */
  uint32_t block_count, block_cap;
  size_t block_used; /* bytes used in the last block */
  /* A large table's blocks are cut from slabs of CXMI_INTERN_SLAB_BLOCKS
   * (one allocation each: huge pages with the default allocator); a block
   * inside a slab is freed with it. The last slab has `spare` blocks not
   * yet handed out, at its end. */
  char **slabs;
  uint32_t slab_count, slab_cap, spare;
} cxmi_intern;

void cxmi_intern_init(cxmi_intern *t, uint32_t limit);
/* A set: find() tells only presence (0), cxmi_intern_str() is not available. */
void cxmi_intern_init_set(cxmi_intern *t, uint32_t limit);
/* A dense table read only in index order (cxmi_intern_next()): no
 * per-index pointers, cxmi_intern_str() is not available. */
void cxmi_intern_init_walk(cxmi_intern *t, uint32_t limit);
void cxmi_intern_free(cxmi_intern *t, cxmi_alloc *a);

/* Bytes of a record's header in this table. */
static inline size_t cxmi_intern_header(const cxmi_intern *t) {
  return t->set ? CXMI_INTERN_SET_HEADER : CXMI_INTERN_REC_HEADER;
}

/* Index of the string (0 for any string of a set), or -1 when absent.
 * `hash` is cxmi_hash_bytes(s, len). */
int64_t cxmi_intern_find(const cxmi_intern *t, const char *s, size_t len, uint64_t hash);

/* Room in t's slab list for `more` slabs: CXM_OK, CXM_E_NOMEM or
 * CXM_E_LIMIT; the table's contents are unchanged. */
int32_t cxmi_intern_reserve_slabs(cxmi_intern *t, cxmi_alloc *a, uint32_t more);

/* Arena block `i` of a slab. */
static inline char *cxmi_intern_slab_block(char *slab, uint32_t i) { return slab + (size_t)i * CXMI_INTERN_BLOCK_SIZE; }

/* Make sure one more string of `len` bytes can be added without failing.
 * CXM_OK, CXM_E_NOMEM or CXM_E_LIMIT; the table's contents are unchanged. */
int32_t cxmi_intern_reserve(cxmi_intern *t, cxmi_alloc *a, size_t len);

/* Room in the index for `need` strings in all (a hint for a table about
 * to grow, or a merge's bulk reservation): CXM_OK, CXM_E_NOMEM or
 * CXM_E_LIMIT; the contents are unchanged either way. */
int32_t cxmi_intern_reserve_slots(cxmi_intern *t, cxmi_alloc *a, uint64_t need);

/* Add a string known to be absent, after a successful reserve. Returns its index. */
uint32_t cxmi_intern_commit(cxmi_intern *t, const char *s, size_t len, uint64_t hash);

/* Make `block` (CXMI_INTERN_BLOCK_SIZE bytes, from the table's allocator;
 * room in `blocks` reserved) the arena's current block. */
void cxmi_intern_attach_block(cxmi_intern *t, char *block);

/* Bytes of entry `index` (< count) of a dense table that is not a walk's. */
const char *cxmi_intern_str(const cxmi_intern *t, uint32_t index, size_t *len);

/* A position in a table's strings, in index order: start with
 * cxmi_intern_cursor_init(), then cxmi_intern_next() gives each string. */
typedef struct cxmi_intern_cursor {
  uint32_t index, block;
  size_t offset;
} cxmi_intern_cursor;

static inline void cxmi_intern_cursor_init(cxmi_intern_cursor *c) {
  c->index = 0;
  c->block = 0;
  c->offset = 0;
}

/* The next string (NULL after the last one). Works for both kinds. */
const char *cxmi_intern_next(const cxmi_intern *t, cxmi_intern_cursor *c, size_t *len);

/* Merging one set into another without hashing a string again: a slot's
 * hash bits give the string's home slot in any index of at most
 * 2^CXMI_INTERN_TAG_BITS slots ("carry the home slots").
 *
 * Whether `t`'s index carries the home slots once `t` has grown to hold
 * `need` strings. */
int cxmi_intern_will_carry_home(const cxmi_intern *t, uint64_t need);
/* Whether a string of set `src` is also in set `dst`, found by the slots
 * of `src` (dst's index must carry the home slots). */
int cxmi_intern_sets_meet(const cxmi_intern *dst, const cxmi_intern *src);
/* Append the strings of set `src`, none of them in set `dst`, in src's
 * order: each of src's arena blocks is copied into one of `blocks` (as many
 * as src has, from dst's allocator, room in dst's block list reserved) and
 * each slot is moved with its record's new position. The index must have
 * room (load at most 3/4 after) and carry the home slots. */
void cxmi_intern_set_append(cxmi_intern *dst, const cxmi_intern *src, char *const *blocks);

/* The home slot of `hash` (the table has slots). */
static inline uint32_t cxmi_intern_home(const cxmi_intern *t, uint64_t hash) { return (uint32_t)(hash >> t->shift); }

/* Start loading the index slot of `hash` (a hint; NULL-safe table). */
static inline void cxmi_intern_prefetch_slot(const cxmi_intern *t, uint64_t hash) {
  if (t->slots != NULL) PREFETCH(&t->slots[cxmi_intern_home(t, hash)]);
}

/* Start loading the arena record that the home slot of `hash` names
 * (a dense table's look-up of a string likely present). Reads the slot:
 * call it a while after cxmi_intern_prefetch_slot(). A hint only. */
void cxmi_intern_prefetch_record(const cxmi_intern *t, uint64_t hash);

#endif
