/* Interning of byte strings (customer ids, event ids, channel tokens,
 * segment labels): each distinct string gets a dense index 0, 1, 2...
 *
 * Strings live in fixed blocks that never move, so a pointer handed out
 * stays valid until the table is freed. Insertion is split into a fallible
 * reserve step and an infallible commit, so a caller can reserve room in
 * several tables first and change nothing when any reservation fails. */
#ifndef CXM_SRC_INTERN_H
#define CXM_SRC_INTERN_H

#include "common/alloc.h"

#define CXMI_INTERN_MAX_LEN 255
/* The arena's layout, shared with the bulk reservation of merge_reserve.c. */
#define CXMI_INTERN_BLOCK_SIZE ((size_t)64 * 1024)
#define CXMI_INTERN_REC_HEADER 5u /* index (4 bytes) and length (1 byte) */

/* One index slot. In the arena each string is a record: its index (4
 * bytes, native order), its length (1 byte), then its bytes; so a
 * successful look-up touches one slot and one arena line, and a rehash
 * reads no string at all. */
typedef struct cxmi_slot {
  const unsigned char *rec; /* the string's arena record; NULL = empty */
  uint64_t hash;
} cxmi_slot;

typedef struct cxmi_intern {
  cxmi_slot *slots;
  uint32_t slot_mask; /* capacity - 1 (capacity a power of two), 0 when none */
  uint32_t count;     /* strings held */
  uint32_t limit;     /* most strings allowed */
  uint32_t entry_cap;
  const unsigned char **ptrs; /* per index: its arena record */
  char **blocks;              /* arena blocks */
  uint32_t block_count, block_cap;
  size_t block_used; /* bytes used in the last block */
} cxmi_intern;

void cxmi_intern_init(cxmi_intern *t, uint32_t limit);
void cxmi_intern_free(cxmi_intern *t, cxmi_alloc *a);

/* Index of the string, or -1 when absent. `hash` is cxmi_hash_bytes(s, len). */
int64_t cxmi_intern_find(const cxmi_intern *t, const char *s, size_t len, uint64_t hash);

/* Make sure one more string of `len` bytes can be added without failing.
 * CXM_OK, CXM_E_NOMEM or CXM_E_LIMIT; the table's contents are unchanged. */
int32_t cxmi_intern_reserve(cxmi_intern *t, cxmi_alloc *a, size_t len);

/* Add a string known to be absent, after a successful reserve. Returns its index. */
uint32_t cxmi_intern_commit(cxmi_intern *t, const char *s, size_t len, uint64_t hash);

/* Bytes of entry `index` (< count). */
const char *cxmi_intern_str(const cxmi_intern *t, uint32_t index, size_t *len);

#endif
