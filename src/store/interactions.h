/* Per-interaction bookkeeping: everything the perception gap and the
 * service levels need of one `ref`, whichever order its events arrive in.
 *
 * Memory: one record (160 bytes on LP64) plus the interned ref per interaction,
 * 16 bytes per contact_resolve, contact_reopen and contact_transfer (the
 * status list),
 * for the store's lifetime: an interaction may get a late rating, so no
 * half can be dropped (docs/experience.md). The only variable part is the
 * "early" list: replies and resolutions seen before the earliest
 * contact_open seen so far (they may still become the first response if
 * an earlier open arrives). In time-ordered data it stays empty; entries
 * are recycled as opens arrive. */
#ifndef CXM_SRC_INTERACTIONS_H
#define CXM_SRC_INTERACTIONS_H

#include "common/alloc.h"
#include "cxm/event.h"
#include "store/intern.h"

#define CXMI_NO_TIME INT64_MAX

typedef struct cxmi_interaction {
  /* Eight-byte members first, then four-byte ones: little padding (160
   * bytes on LP64; the order is not part of any format). */
  /* perception gap */
  int64_t first_rating_time;          /* earliest internal or customer rating */
  int64_t first_internal_time;        /* earliest internal rating */
  double internal_sum;                /* internal ratings, 0..100 */
  double rating_sum;                  /* customer ratings normalised to 0..100 */
  int64_t first_customer_rating_time; /* earliest customer rating */
  double first_internal;              /* the earliest internal rating's value */
  double first_rating;                /* the earliest customer rating, normalised */
  /* contact */
  int64_t open_time;    /* earliest contact_open */
  int64_t reply_time;   /* earliest contact_reply at or after open_time */
  int64_t resolve_time; /* earliest contact_resolve at or after open_time */
  /* service operations (snapshot version 2) */
  int64_t first_time;        /* earliest event of any kind this table tracks: the interaction's period */
  int64_t last_resolve_time; /* latest contact_resolve at any time, CXMI_NO_TIME if none */
  /* perception gap */
  uint32_t internal_n, rating_n;
  uint32_t rating_customer; /* the customer who gave the earliest customer rating */
  /* CXMI_WHOLE_INTERNAL: every internal rating added so far is a whole
   * number, so their sum is exact in any order (0 when unknown: a loaded
   * snapshot). Read by cxm_store_merge_exact. */
  uint32_t whole;
  int32_t internal_channel, internal_stage, internal_segment;
  /* contact */
  int32_t open_channel, open_stage, open_segment;
  uint32_t open_customer;
  uint32_t early; /* head of this ref's early list, index + 1; 0 = none */
  /* service operations */
  uint32_t reply_n;    /* contact_reply events, at any time */
  uint32_t reopen_n;   /* contact_reopen events */
  uint32_t transfer_n; /* contact_transfer events */
} cxmi_interaction;

#define CXMI_WHOLE_INTERNAL 1u

typedef struct cxmi_early {
  int64_t time;
  uint32_t next; /* index + 1; 0 = end */
  int32_t kind;  /* CXM_KIND_CONTACT_REPLY or CXM_KIND_CONTACT_RESOLVE */
} cxmi_early;

/* A contact_resolve, contact_reopen or contact_transfer of an interaction,
 * in input order: the contact's status over time, for the backlog
 * (docs/experience.md, "Backlog"), and the times of its reopens and
 * transfers, for the churn features (docs/churn.md). 16 bytes each, kept
 * for the store's lifetime (snapshot version 4, STAT). */
typedef struct cxmi_status {
  int64_t time;
  uint32_t interaction; /* the record's index */
  int32_t kind;         /* CXM_KIND_CONTACT_RESOLVE, _REOPEN or _TRANSFER */
} cxmi_status;

typedef struct cxmi_interactions {
  cxmi_intern refs; /* ref index = record index */
  cxmi_interaction *items;
  uint32_t cap;
  cxmi_early *early;
  uint32_t early_count, early_cap;
  uint32_t early_free; /* recycled entries, index + 1; 0 = none */
  cxmi_status *status; /* resolves and reopens in input order */
  uint32_t status_count, status_cap;
} cxmi_interactions;

void cxmi_interactions_init(cxmi_interactions *t);
void cxmi_interactions_free(cxmi_interactions *t, cxmi_alloc *a);

/* Whether an event of this kind updates the interaction named by its ref. */
int cxmi_interactions_wants(const cxm_event *e);

/* Make sure the event can be committed without failing: the ref's record
 * (new or not) and one early entry. `index` receives the record's index,
 * or -1 when the ref is new. CXM_OK, CXM_E_NOMEM, CXM_E_LIMIT or
 * CXM_E_OVERFLOW (a count at its maximum); nothing observable changes. */
int32_t cxmi_interactions_reserve(int64_t *index, cxmi_interactions *t, cxmi_alloc *a, const cxm_event *e,
                                  uint64_t ref_hash);

/* Room for `more` status records (events, merge and snapshot loading):
 * CXM_OK, CXM_E_NOMEM or CXM_E_LIMIT. */
int32_t cxmi_interactions_grow_status(cxmi_interactions *t, cxmi_alloc *a, uint64_t more);

/* Apply a reserved event. */
void cxmi_interactions_commit(cxmi_interactions *t, int64_t index, const cxm_event *e, uint64_t ref_hash,
                              uint32_t customer);

/* A record with no event: zero counts, every time CXMI_NO_TIME. */
void cxmi_interaction_init(cxmi_interaction *r);

/* Remember a reply or resolution that precedes every open seen so far
 * (an early entry, the free list first; room must have been reserved). */
void cxmi_interactions_push_early(cxmi_interactions *t, cxmi_interaction *r, int32_t kind, int64_t time);

/* A new earliest open at `open`: early entries at or after it become
 * candidates for the first reply and resolution, and are recycled; the
 * earlier ones stay, in case an even earlier open arrives. */
void cxmi_interactions_absorb_early(cxmi_interactions *t, cxmi_interaction *r, int64_t open);

/* A customer rating on the common 0..100 scale (docs/metrics.md). */
double cxmi_normalised_rating(int32_t kind, double value);

/* `sum` (an interaction's rating_sum) plus `add` (another one, or a
 * normalised rating), rounded once: customer ratings normalise to
 * multiples of 100/6 (NPS 10 v, CSAT 25 (v - 1), CES 100 (v - 1) / 6), so
 * six times a sum is a whole number below 2^42, recovered exactly from its
 * rounded double; the sum is kept as that whole number / 6, the same
 * however the ratings were grouped (shards of one stream merged). */
double cxmi_rating_sum_add(double sum, double add);

#endif
