/* The survey log: every survey answer (nps, csat, ces), follow-up and
 * invitation (survey_sent), one record each in input order, for closing
 * the loop and response rates (docs/experience.md). The cube keeps only
 * counts; these need each answer's customer, time, value and ref.
 *
 * Memory: 32 bytes per such event, plus each distinct ref once. Refs have
 * their own table: a follow-up or invitation names an answer, not a
 * contact, and must not create an interaction. */
#ifndef CXM_SRC_LOOP_H
#define CXM_SRC_LOOP_H

#include "common/alloc.h"
#include "cxm/event.h"
#include "store/intern.h"

typedef struct cxmi_loop_event {
  int64_t time;
  uint32_t customer;
  uint32_t ref; /* 0 = none; answers: the interaction's index + 1 (the
                  * interactions table interns every rating's ref already);
                  * followup, survey_sent: index + 1 in this table's refs */
  int32_t channel;
  int32_t segment;
  uint8_t kind;  /* CXM_KIND_NPS, _CSAT, _CES, _FOLLOWUP or _SURVEY_SENT */
  uint8_t value; /* the answer; 0 for the others */
  uint8_t stage;
  uint8_t unused;
} cxmi_loop_event;

typedef struct cxmi_loop {
  cxmi_intern refs;
  cxmi_loop_event *items;
  uint32_t count, cap;
} cxmi_loop;

void cxmi_loop_init(cxmi_loop *t);
void cxmi_loop_free(cxmi_loop *t, cxmi_alloc *a);

/* Whether the log keeps an event of this kind. */
int cxmi_loop_wants(const cxm_event *e);

/* Room for one more record and, for a new ref of a followup or
 * invitation, its string. `ref_index` receives the ref's index, -1 when
 * new, absent or an answer's. `ref_hash` is the ref's hash or 0 (computed
 * here). CXM_OK, CXM_E_NOMEM or CXM_E_LIMIT; nothing observable changes. */
int32_t cxmi_loop_reserve(int64_t *ref_index, uint64_t *ref_hash, cxmi_loop *t, cxmi_alloc *a, const cxm_event *e);

/* Append a reserved event; `interaction` is an answer's interaction
 * index (its ref's), ignored for the other kinds and without a ref. */
void cxmi_loop_commit(cxmi_loop *t, int64_t ref_index, uint64_t ref_hash, const cxm_event *e, uint32_t customer,
                      uint32_t interaction);

/* Whether a record's ref names an interaction (an answer's) rather than
 * an entry of the log's own refs. */
int cxmi_loop_is_answer(int32_t kind);

/* Room for `more` records (merge and snapshot loading). */
int32_t cxmi_loop_grow(cxmi_loop *t, cxmi_alloc *a, uint64_t more);

#endif
