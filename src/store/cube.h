/* The store's accumulators, one cell per (time bucket, channel, stage,
 * segment) that holds at least one event. Queries scan the dense cell
 * array; recording finds its cell through a hash index, with a one-entry
 * cache because consecutive events usually share a cell. */
#ifndef CXM_SRC_CUBE_H
#define CXM_SRC_CUBE_H

#include "common/alloc.h"
#include "cxm/survey.h"

typedef struct cxmi_cell_key {
  int64_t bucket; /* time / bucket_seconds */
  int32_t channel;
  int32_t stage;
  int32_t segment;
  int32_t unused; /* keeps the key free of padding, so it hashes as bytes */
} cxmi_cell_key;

typedef struct cxmi_cell {
  cxmi_cell_key key;
  uint64_t events; /* events of any kind */
  uint64_t complaints;
  uint64_t compliments;
  cxm_survey_acc survey; /* survey answers */
} cxmi_cell;

typedef struct cxmi_cube {
  cxmi_cell *cells;
  uint32_t count, cap;
  uint32_t *slots;    /* cell index + 1; 0 = empty */
  uint32_t slot_mask; /* capacity - 1, 0 when none */
} cxmi_cube;

void cxmi_cube_init(cxmi_cube *c);
void cxmi_cube_free(cxmi_cube *c, cxmi_alloc *a);
uint64_t cxmi_cell_key_hash(const cxmi_cell_key *key);
int cxmi_cell_key_equal(const cxmi_cell_key *x, const cxmi_cell_key *y);
/* Index of the cell, or -1. */
int64_t cxmi_cube_find(const cxmi_cube *c, const cxmi_cell_key *key, uint64_t hash);
/* Room for one more cell: CXM_OK, CXM_E_NOMEM or CXM_E_LIMIT; contents unchanged. */
int32_t cxmi_cube_reserve(cxmi_cube *c, cxmi_alloc *a);
/* Add an empty cell for an absent key after a successful reserve. */
uint32_t cxmi_cube_commit(cxmi_cube *c, const cxmi_cell_key *key, uint64_t hash);

#endif
