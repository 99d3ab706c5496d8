/* Customer days: what one customer did on one UTC day that the purchase
 * models and the churn features need (purchases and their amount, survey
 * signals, complaints, compliments), in one open-addressing table whose
 * slots hold key and payload together, so an event costs one cache line.
 * Only days with such events get a slot. Reserve-then-commit like the
 * other tables. */
#ifndef CXM_SRC_DAYMAP_H
#define CXM_SRC_DAYMAP_H

#include "common/alloc.h"

typedef struct cxmi_day_slot {
  uint64_t key;        /* (customer << 32 | day) + 1; 0 = empty */
  double amount;       /* purchases' total */
  uint32_t purchases;  /* purchase events */
  uint16_t complaints; /* saturating counts */
  uint16_t compliments;
  uint16_t high_effort; /* CES answers 1..3 */
  uint8_t nps_last;     /* the day's latest NPS answer + 1; 0 = none */
  uint8_t nps_prev;     /* the one before it that day + 1; 0 = none */
  int32_t nps_last_at;  /* second of the day of nps_last (ties: input order) */
  int32_t nps_prev_at;
} cxmi_day_slot;

/* Most days a table holds. The load stays at or below three quarters: a
 * slot is 40 bytes, and the readers scan the whole table, so a sparser
 * one costs memory and scan time more than its shorter probes save. */
#define CXMI_DAYMAP_MAX (UINT32_C(1) << 30)

typedef struct cxmi_daymap {
  cxmi_day_slot *slots;
  uint32_t slot_mask, count;
} cxmi_daymap;

void cxmi_daymap_init(cxmi_daymap *m);
void cxmi_daymap_free(cxmi_daymap *m, cxmi_alloc *a);
/* The slot of `key`: its own, or the empty one it would take. Needs slots. */
cxmi_day_slot *cxmi_daymap_slot(const cxmi_daymap *m, uint64_t key);
/* Room for one more key: CXM_OK, CXM_E_NOMEM or CXM_E_LIMIT; contents unchanged. */
int32_t cxmi_daymap_reserve(cxmi_daymap *m, cxmi_alloc *a);
/* The slot of `key`, created (zeroed) when absent, after a reserve. */
cxmi_day_slot *cxmi_daymap_get(cxmi_daymap *m, uint64_t key);

/* The filled slot at or after *pos in table order (start with *pos = 0),
 * *pos then moved past it; NULL when there is none. The readers of every
 * customer's days (purchase summaries, features, retention, drivers) use
 * this and the two decoders below, not the table's layout. */
static inline const cxmi_day_slot *cxmi_daymap_next(const cxmi_daymap *m, uint64_t *pos) {
  if (m->slots == NULL) return NULL;
  for (uint64_t i = *pos; i <= m->slot_mask; i++) {
    if (m->slots[i].key != 0) {
      *pos = i + 1;
      return &m->slots[i];
    }
  }
  *pos = (uint64_t)m->slot_mask + 1;
  return NULL;
}

/* The customer's handle and the UTC day (days since 1970) of a filled
 * slot's key. */
static inline uint32_t cxmi_day_customer(const cxmi_day_slot *d) { return (uint32_t)((d->key - 1) >> 32); }
static inline int64_t cxmi_day_day(const cxmi_day_slot *d) { return (int64_t)(uint32_t)(d->key - 1); }

#endif
