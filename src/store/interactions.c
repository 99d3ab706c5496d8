/* Per-interaction bookkeeping; see interactions.h. */
#include "store/interactions.h"

#include <math.h>

#include <string.h>

void cxmi_interactions_init(cxmi_interactions *t) {
  memset(t, 0, sizeof *t);
  cxmi_intern_init_walk(&t->refs, UINT32_C(0xFFFFFFF0)); /* read in index order only */
}

void cxmi_interactions_free(cxmi_interactions *t, cxmi_alloc *a) {
  cxmi_intern_free(&t->refs, a);
  cxmi_free(a, t->items, (size_t)t->cap * sizeof *t->items);
  cxmi_free(a, t->early, (size_t)t->early_cap * sizeof *t->early);
  cxmi_free(a, t->status, (size_t)t->status_cap * sizeof *t->status);
  memset(t, 0, sizeof *t);
}

static int is_rating(int32_t kind) { return kind == CXM_KIND_NPS || kind == CXM_KIND_CSAT || kind == CXM_KIND_CES; }

static int is_contact(int32_t kind) {
  return kind == CXM_KIND_CONTACT_OPEN || kind == CXM_KIND_CONTACT_REPLY || kind == CXM_KIND_CONTACT_RESOLVE ||
         kind == CXM_KIND_CONTACT_REOPEN || kind == CXM_KIND_CONTACT_TRANSFER;
}

int cxmi_interactions_wants(const cxm_event *e) {
  return e->ref_len > 0 && (is_rating(e->kind) || is_contact(e->kind) || e->kind == CXM_KIND_INTERNAL);
}

double cxmi_normalised_rating(int32_t kind, double value) {
  switch (kind) {
  case CXM_KIND_NPS: return 10.0 * value;
  case CXM_KIND_CSAT: return 25.0 * (value - 1.0);
  case CXM_KIND_CES: return 100.0 * (value - 1.0) / 6.0;
  default: return value;
  }
}

void cxmi_interaction_init(cxmi_interaction *r) {
  memset(r, 0, sizeof *r);
  r->first_rating_time = CXMI_NO_TIME;
  r->first_internal_time = CXMI_NO_TIME;
  r->open_time = CXMI_NO_TIME;
  r->reply_time = CXMI_NO_TIME;
  r->resolve_time = CXMI_NO_TIME;
  r->first_customer_rating_time = CXMI_NO_TIME;
  r->first_time = CXMI_NO_TIME;
  r->last_resolve_time = CXMI_NO_TIME;
}

int32_t cxmi_interactions_grow_status(cxmi_interactions *t, cxmi_alloc *a, uint64_t more) {
  void *items = t->status; /* through a void *, not a cast of the member's address */
  int32_t rc = cxmi_grow_array(&items, &t->status_cap, t->status_count, more, sizeof *t->status, a);
  t->status = items;
  return rc;
}

int32_t cxmi_interactions_reserve(int64_t *index, cxmi_interactions *t, cxmi_alloc *a, const cxm_event *e,
                                  uint64_t ref_hash) {
  int32_t rc;
  *index = cxmi_intern_find(&t->refs, e->ref, e->ref_len, ref_hash);
  if (*index >= 0) {
    const cxmi_interaction *r = &t->items[*index];
    if ((e->kind == CXM_KIND_INTERNAL && r->internal_n == UINT32_MAX) ||
        (is_rating(e->kind) && r->rating_n == UINT32_MAX) ||
        (e->kind == CXM_KIND_CONTACT_REPLY && r->reply_n == UINT32_MAX) ||
        (e->kind == CXM_KIND_CONTACT_REOPEN && r->reopen_n == UINT32_MAX) ||
        (e->kind == CXM_KIND_CONTACT_TRANSFER && r->transfer_n == UINT32_MAX))
      return CXM_E_OVERFLOW;
  } else {
    rc = cxmi_intern_reserve(&t->refs, a, e->ref_len);
    if (rc != CXM_OK) return rc;
    if (t->refs.count == t->cap) {
      uint32_t cap = t->cap == 0 ? 64 : t->cap * 2;
      cxmi_interaction *items;
      if (t->cap >= UINT32_MAX / 2) return CXM_E_LIMIT;
      items = cxmi_realloc(a, t->items, (size_t)t->cap * sizeof *items, (size_t)cap * sizeof *items);
      if (items == NULL) return CXM_E_NOMEM;
      t->items = items;
      t->cap = cap;
    }
  }
  if ((e->kind == CXM_KIND_CONTACT_REPLY || e->kind == CXM_KIND_CONTACT_RESOLVE) && t->early_free == 0 &&
      t->early_count == t->early_cap) {
    uint32_t cap = t->early_cap == 0 ? 64 : t->early_cap * 2;
    cxmi_early *early;
    if (t->early_cap >= UINT32_MAX / 2) return CXM_E_LIMIT;
    early = cxmi_realloc(a, t->early, (size_t)t->early_cap * sizeof *early, (size_t)cap * sizeof *early);
    if (early == NULL) return CXM_E_NOMEM;
    t->early = early;
    t->early_cap = cap;
  }
  if (e->kind == CXM_KIND_CONTACT_RESOLVE || e->kind == CXM_KIND_CONTACT_REOPEN || e->kind == CXM_KIND_CONTACT_TRANSFER)
    return cxmi_interactions_grow_status(t, a, 1);
  return CXM_OK;
}

static void push_status(cxmi_interactions *t, int64_t index, const cxm_event *e) {
  cxmi_status *s = &t->status[t->status_count++];
  s->time = e->time;
  s->interaction = (uint32_t)index;
  s->kind = e->kind;
}

static void set_min(int64_t *at, int64_t t) {
  if (t < *at) *at = t;
}

void cxmi_interactions_push_early(cxmi_interactions *t, cxmi_interaction *r, int32_t kind, int64_t time) {
  uint32_t at;
  if (t->early_free != 0) {
    at = t->early_free - 1;
    t->early_free = t->early[at].next;
  } else {
    at = t->early_count++;
  }
  t->early[at].time = time;
  t->early[at].kind = kind;
  t->early[at].next = r->early;
  r->early = at + 1;
}

void cxmi_interactions_absorb_early(cxmi_interactions *t, cxmi_interaction *r, int64_t open) {
  uint32_t *link = &r->early;
  while (*link != 0) {
    uint32_t at = *link - 1;
    cxmi_early *e = &t->early[at];
    if (e->time >= open) {
      set_min(e->kind == CXM_KIND_CONTACT_REPLY ? &r->reply_time : &r->resolve_time, e->time);
      *link = e->next;
      e->next = t->early_free;
      t->early_free = at + 1;
    } else {
      link = &e->next;
    }
  }
}

double cxmi_rating_sum_add(double sum, double add) { return (double)(llround(sum * 6.0) + llround(add * 6.0)) / 6.0; }

/* Keep `bit` of r->whole: set while every one of the `n` terms so far and
 * `v` are whole numbers (ratings are 0..100, so their sums stay exact). */
static void whole_term(cxmi_interaction *r, uint32_t bit, uint32_t n, double v) {
  int whole = v == floor(v);
  if (n == 0)
    r->whole = whole ? r->whole | bit : r->whole & ~bit;
  else if (!whole)
    r->whole &= ~bit;
}

void cxmi_interactions_commit(cxmi_interactions *t, int64_t index, const cxm_event *e, uint64_t ref_hash,
                              uint32_t customer) {
  cxmi_interaction *r;
  if (index < 0) {
    index = cxmi_intern_commit(&t->refs, e->ref, e->ref_len, ref_hash);
    cxmi_interaction_init(&t->items[index]);
  }
  r = &t->items[index];
  set_min(&r->first_time, e->time);
  /* Updates use strict comparisons: among events at the same time, the
   * first in input order wins (docs/metrics.md). */
  switch (e->kind) {
  case CXM_KIND_INTERNAL:
    whole_term(r, CXMI_WHOLE_INTERNAL, r->internal_n, e->value);
    r->internal_sum += e->value;
    r->internal_n++;
    set_min(&r->first_rating_time, e->time);
    if (e->time < r->first_internal_time) {
      r->first_internal_time = e->time;
      r->first_internal = e->value;
      r->internal_channel = e->channel;
      r->internal_stage = e->stage;
      r->internal_segment = e->segment;
    }
    break;
  case CXM_KIND_NPS:
  case CXM_KIND_CSAT:
  case CXM_KIND_CES:
    r->rating_sum = cxmi_rating_sum_add(r->rating_sum, cxmi_normalised_rating(e->kind, e->value));
    r->rating_n++;
    set_min(&r->first_rating_time, e->time);
    if (e->time < r->first_customer_rating_time) {
      r->first_customer_rating_time = e->time;
      r->rating_customer = customer;
      r->first_rating = cxmi_normalised_rating(e->kind, e->value);
    }
    break;
  case CXM_KIND_CONTACT_OPEN:
    if (e->time < r->open_time) {
      r->open_time = e->time;
      r->open_channel = e->channel;
      r->open_stage = e->stage;
      r->open_segment = e->segment;
      r->open_customer = customer;
      cxmi_interactions_absorb_early(t, r, e->time);
    }
    break;
  case CXM_KIND_CONTACT_REOPEN:
    r->reopen_n++;
    push_status(t, index, e);
    break;
  case CXM_KIND_CONTACT_TRANSFER:
    r->transfer_n++;
    push_status(t, index, e);
    break;
  default: /* reply or resolve */
    if (e->kind == CXM_KIND_CONTACT_RESOLVE) push_status(t, index, e);
    if (e->kind == CXM_KIND_CONTACT_REPLY)
      r->reply_n++;
    else if (r->last_resolve_time == CXMI_NO_TIME || e->time > r->last_resolve_time)
      r->last_resolve_time = e->time;
    if (e->time >= r->open_time && r->open_time != CXMI_NO_TIME)
      set_min(e->kind == CXM_KIND_CONTACT_REPLY ? &r->reply_time : &r->resolve_time, e->time);
    else
      cxmi_interactions_push_early(t, r, e->kind, e->time);
    break;
  }
}
