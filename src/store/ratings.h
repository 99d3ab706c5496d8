/* The rating log: every `rating` event (an attribute's 1..7 answer) and
 * every `perception` event that carries a ref, one record each in input
 * order, for key driver analysis by customer or by interaction ref
 * (docs/drivers.md). SERVQUAL answers without a ref are only summed per
 * (customer, cell, dimension) in the store's SERVQUAL table, which has no
 * room for a ref or for free attribute labels.
 *
 * Memory: 16 bytes per such event, plus each distinct attribute label and
 * ref once. Refs have their own table: a rating names an interaction but
 * must not create one (the interactions table's period and gap rules are
 * about contacts and the nps, csat, ces and internal ratings). */
#ifndef CXM_SRC_RATINGS_H
#define CXM_SRC_RATINGS_H

#include "common/alloc.h"
#include "cxm/event.h"
#include "store/intern.h"

/* Most attribute labels of a store. */
#define CXMI_MAX_ATTRIBUTES UINT32_C(65536)

typedef struct cxmi_rating {
  uint32_t customer;
  uint32_t ref;      /* 0 = none; index + 1 in the log's refs */
  int32_t attribute; /* a rating: its attribute code (1 ..); a perception: -dimension */
  uint8_t value;     /* 1..7 */
  uint8_t unused[3];
} cxmi_rating;

typedef struct cxmi_ratings {
  cxmi_intern attributes; /* labels; code = 1 + index */
  cxmi_intern refs;
  cxmi_rating *items;
  uint32_t count, cap;
} cxmi_ratings;

void cxmi_ratings_init(cxmi_ratings *t);
void cxmi_ratings_free(cxmi_ratings *t, cxmi_alloc *a);

/* Whether the log keeps an event: a rating, or a perception with a ref. */
int cxmi_ratings_wants(const cxm_event *e);

/* Room for one more record and, for a new ref, its string. `ref_index`
 * receives the ref's index, -1 when new or absent. CXM_OK, CXM_E_NOMEM or
 * CXM_E_LIMIT; nothing observable changes. */
int32_t cxmi_ratings_reserve(int64_t *ref_index, uint64_t *ref_hash, cxmi_ratings *t, cxmi_alloc *a,
                             const cxm_event *e);

/* Append a reserved event. */
void cxmi_ratings_commit(cxmi_ratings *t, int64_t ref_index, uint64_t ref_hash, const cxm_event *e, uint32_t customer);

/* Room for `more` records (merge and snapshot loading). */
int32_t cxmi_ratings_grow(cxmi_ratings *t, cxmi_alloc *a, uint64_t more);

#endif
