/* The store's layout, shared by the modules that read it (query.c) and
 * the objects tied to it (readers). Not part of the public API. */
#ifndef CXM_SRC_STORE_INTERNAL_H
#define CXM_SRC_STORE_INTERNAL_H

#include "common/alloc.h"
#include "store/cube.h"
#include "store/daymap.h"
#include "store/intern.h"
#include "store/interactions.h"
#include "store/keymap.h"
#include "store/loop.h"
#include "store/ratings.h"
#include "cxm/store.h"

/* Limits that keep every code in an int32 and every handle in a uint32. */
#define CXMI_MAX_CUSTOMERS UINT32_C(0xFFFFFFF0)
#define CXMI_MAX_EVENT_IDS UINT32_C(0xFFFFFFF0)
#define CXMI_MAX_CUSTOM_CHANNELS UINT32_C(65536)
#define CXMI_MAX_SEGMENTS UINT32_C(65536)

/* SERVQUAL answers of one customer for one dimension in one cell. */
typedef struct cxmi_servqual_answers {
  uint32_t expectation_n, perception_n;
  uint64_t expectation_sum, perception_sum;
} cxmi_servqual_answers;

/* What a customer came through first (docs/retention.md, "Groups"): the
 * channel of its earliest event that names a channel, and the segment of
 * its earliest event that names a segment (ties in time: the first
 * recorded). Kept per customer handle; handles at or beyond the table's
 * count have neither. */
typedef struct cxmi_customer_info {
  int64_t channel_time; /* that event's time; INT64_MAX: none */
  int64_t segment_time;
  int32_t channel; /* its code; CXM_CHANNEL_UNKNOWN: none */
  int32_t segment; /* its code; CXM_SEGMENT_UNKNOWN: none */
} cxmi_customer_info;

/* Keys of the side tables; cells are limited to 2^29 so a key fits. */
#define CXMI_MAX_CELLS (UINT32_C(1) << 29)
#define CXMI_SERVQUAL_KEY(customer, cell, dimension) \
  (((uint64_t)(customer) << 32) | ((uint64_t)(cell) << 3) | (uint64_t)(dimension))
#define CXMI_CHURN_KEY(customer, cell) (((uint64_t)(customer) << 32) | (uint64_t)(cell))
/* A customer's purchases on one UTC day are one transaction (docs/purchase.md). */
#define CXMI_PURCHASE_KEY(customer, day) (((uint64_t)(customer) << 32) | (uint64_t)(day))

struct cxm_store {
  cxmi_alloc alloc;
  int64_t bucket_seconds;
  cxmi_intern customers;
  cxmi_intern event_ids;
  cxmi_intern channels; /* custom tokens; code = CXM_CHANNEL_FIRST_CUSTOM + index */
  cxmi_intern segments; /* labels; code = 1 + index */
  cxmi_cube cube;
  cxmi_interactions interactions; /* per ref: gap pairs and contacts */
  cxmi_loop loop;                 /* survey answers, follow-ups, invitations */
  cxmi_ratings ratings;           /* attribute labels; ratings, perceptions with a ref */
  cxmi_keymap servqual_keys;      /* (customer, cell, dimension) -> answers */
  cxmi_servqual_answers *servqual;
  uint32_t servqual_cap;
  cxmi_keymap churned;       /* (customer, cell) pairs with a churn event */
  cxmi_daymap purchase_days; /* (customer, UTC day) -> the day's total amount */
  cxmi_customer_info *info;  /* per customer handle, info_count of them (snapshot version 4) */
  uint32_t info_count, info_cap;
  uint32_t last_cell; /* cache: the cell of the previous event, valid when cube.count > 0 */
  uint32_t omit;      /* CXM_OMIT_* bits: tables not kept (cxm_store_options) */
  uint64_t events;
  uint64_t duplicates;
  int64_t first, last;
};

/* The store's allocator, for objects (readers, results) tied to it. */
cxmi_alloc *cxmi_store_alloc(cxm_store *store);
/* The hooks the store was created with, for objects that outlive it. */
const cxm_allocator *cxmi_store_hooks(const cxm_store *store);

/* Whether the store keeps the tables named by CXM_OMIT_* bits `what`:
 * CXM_OK, or CXM_E_STATE for a store created without one of them (the
 * readers of those tables check this first, so they never answer from an
 * empty table as if the customers had no history). */
static inline int32_t cxmi_store_keeps(const cxm_store *store, uint32_t what) {
  return (store->omit & what) != 0 ? CXM_E_STATE : CXM_OK;
}

/* Events per prefetch round: enough loads in flight to hide memory
 * latency, few enough that the lines stay cached until used. */
#define CXMI_PREFETCH_MAX 16

/* Hashes of an event's customer id and event id (0: not computed), and
 * the customer's handle when cxmi_store_prefetch() found it. */
typedef struct cxmi_event_hashes {
  uint64_t customer;
  uint64_t id;
  uint64_t ref;           /* only for events that update an interaction */
  int64_t customer_index; /* -1: not found then (an earlier event of the round may add it) */
} cxmi_event_hashes;

/* Start loading the memory that recording `count` (<= CXMI_PREFETCH_MAX;
 * more are ignored) events will touch, and give each event's hashes for
 * cxmi_store_record_hashed(). A hint only: it changes nothing, and the
 * events need not be valid. */
void cxmi_store_prefetch(cxmi_event_hashes *hashes, const cxm_store *store, const cxm_event *events, size_t count);

/* Make the customer table hold `count` entries, the new ones empty.
 * CXM_OK or CXM_E_NOMEM; nothing observable changes. */
int32_t cxmi_store_info_reserve(cxm_store *store, uint64_t count);

/* Offer a channel seen at `channel_time` and a segment seen at
 * `segment_time` (either code may be 0: none) to customer `customer`'s
 * entry, which must exist. */
void cxmi_store_info_offer(cxm_store *store, uint32_t customer, int64_t channel_time, int32_t channel,
                           int64_t segment_time, int32_t segment);

/* cxm_store_check() for a reader that will intern the event's attribute
 * label only once the row is known to be good: with `attribute_pending`,
 * a rating's dimension 0 stands for that label and passes. */
int32_t cxmi_store_check_pending(const cxm_store *store, const cxm_event *event, int attribute_pending);

/* cxm_store_record() with hashes from cxmi_store_prefetch() (or NULL). */
int32_t cxmi_store_record_hashed(cxm_store *store, const cxm_event *event, const cxmi_event_hashes *hashes);

#endif
