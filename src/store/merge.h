/* Store merge (cxm_store_merge in cxm/store.h): the capacity helpers that
 * let a merge reserve room for many entries of each table at once, so that
 * everything that can fail happens before `into` changes (the tables' own
 * reserve functions make room for one entry at a time). merge_reserve.c
 * knows the tables' layouts; keep it in step with intern.c, cube.c,
 * keymap.c, daymap.c and interactions.c. */
#ifndef CXM_SRC_MERGE_H
#define CXM_SRC_MERGE_H

#include "store/store_internal.h"

/* New strings for one intern table: their count, and the arena blocks
 * they need (allocated by the reserve, attached by the commits). */
typedef struct cxmi_merge_intern {
  uint32_t added;  /* strings to add */
  uint32_t blocks; /* arena blocks they need */
  size_t used;     /* simulated fill of the last block */
  size_t header;   /* the table's record header */
  int have_block;  /* the simulation has a current block */
  char **fresh;    /* the reserved blocks; NULL until reserved */
  uint32_t next;   /* next unattached block of `fresh` */
  /* Many blocks are cut from slabs, as the table's own (intern.h), which
   * the table takes over once a commit attached their blocks. */
  char **slabs;
  uint32_t slab_count, slab_cap;
} cxmi_merge_intern;

/* Start a plan for adding strings to `t`. */
void cxmi_merge_intern_begin(cxmi_merge_intern *plan, const cxmi_intern *t);
/* Count one more new string of `len` bytes. */
void cxmi_merge_intern_add(cxmi_merge_intern *plan, size_t len);
/* Room for the planned strings: slots, index and arena. CXM_OK,
 * CXM_E_NOMEM or CXM_E_LIMIT; `t`'s contents are unchanged. */
int32_t cxmi_merge_intern_reserve(cxmi_merge_intern *plan, cxmi_intern *t, cxmi_alloc *a);
/* Add one planned string (absent from `t`), in planning order. */
uint32_t cxmi_merge_intern_commit(cxmi_intern *t, cxmi_merge_intern *plan, const char *s, size_t len, uint64_t hash);
/* Free the reserved blocks that no commit took; hand the slabs of
 * attached ones to `t`. */
void cxmi_merge_intern_release(cxmi_merge_intern *plan, cxmi_intern *t, cxmi_alloc *a);

/* Room for `cells` more cells. */
int32_t cxmi_merge_cube_reserve(cxmi_cube *c, cxmi_alloc *a, uint32_t cells);
/* Room for `keys` more keys. */
int32_t cxmi_merge_keymap_reserve(cxmi_keymap *m, cxmi_alloc *a, uint32_t keys);
/* Room for `days` more customer days. */
int32_t cxmi_merge_daymap_reserve(cxmi_daymap *m, cxmi_alloc *a, uint32_t days);
/* Room for `records` more interaction records (their refs are reserved
 * with the intern helpers) and `early` more early entries. */
int32_t cxmi_merge_interactions_reserve(cxmi_interactions *t, cxmi_alloc *a, uint32_t records, uint32_t early);
/* Room for `answers` more SERVQUAL answer records (after the keymap's). */
int32_t cxmi_merge_servqual_reserve(cxm_store *s, uint32_t answers);

#endif
