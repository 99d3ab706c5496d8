/* The survey log; see loop.h. */
#include "store/loop.h"

#include "common/hash.h"

#include <string.h>

void cxmi_loop_init(cxmi_loop *t) {
  memset(t, 0, sizeof *t);
  cxmi_intern_init(&t->refs, UINT32_C(0xFFFFFFF0));
}

void cxmi_loop_free(cxmi_loop *t, cxmi_alloc *a) {
  cxmi_intern_free(&t->refs, a);
  cxmi_free(a, t->items, (size_t)t->cap * sizeof *t->items);
  memset(t, 0, sizeof *t);
}

int cxmi_loop_wants(const cxm_event *e) {
  return e->kind == CXM_KIND_NPS || e->kind == CXM_KIND_CSAT || e->kind == CXM_KIND_CES ||
         e->kind == CXM_KIND_FOLLOWUP || e->kind == CXM_KIND_SURVEY_SENT;
}

int cxmi_loop_is_answer(int32_t kind) { return kind == CXM_KIND_NPS || kind == CXM_KIND_CSAT || kind == CXM_KIND_CES; }

int32_t cxmi_loop_grow(cxmi_loop *t, cxmi_alloc *a, uint64_t more) {
  void *items = t->items; /* through a void *, not a cast of the member's address */
  int32_t rc = cxmi_grow_array(&items, &t->cap, t->count, more, sizeof *t->items, a);
  t->items = items;
  return rc;
}

int32_t cxmi_loop_reserve(int64_t *ref_index, uint64_t *ref_hash, cxmi_loop *t, cxmi_alloc *a, const cxm_event *e) {
  int32_t rc;
  *ref_index = -1;
  if (e->ref_len > 0 && !cxmi_loop_is_answer(e->kind)) {
    if (*ref_hash == 0) *ref_hash = cxmi_hash_bytes(e->ref, e->ref_len);
    *ref_index = cxmi_intern_find(&t->refs, e->ref, e->ref_len, *ref_hash);
    if (*ref_index < 0) {
      rc = cxmi_intern_reserve(&t->refs, a, e->ref_len);
      if (rc != CXM_OK) return rc;
    }
  }
  return cxmi_loop_grow(t, a, 1);
}

void cxmi_loop_commit(cxmi_loop *t, int64_t ref_index, uint64_t ref_hash, const cxm_event *e, uint32_t customer,
                      uint32_t interaction) {
  cxmi_loop_event *r = &t->items[t->count++];
  memset(r, 0, sizeof *r);
  if (e->ref_len > 0 && cxmi_loop_is_answer(e->kind)) {
    r->ref = interaction + 1;
  } else if (e->ref_len > 0) {
    if (ref_index < 0) ref_index = cxmi_intern_commit(&t->refs, e->ref, e->ref_len, ref_hash);
    r->ref = (uint32_t)ref_index + 1;
  }
  r->time = e->time;
  r->customer = customer;
  r->channel = e->channel;
  r->segment = e->segment;
  r->kind = (uint8_t)e->kind;
  r->value = e->has_value ? (uint8_t)e->value : 0;
  r->stage = (uint8_t)e->stage;
}
