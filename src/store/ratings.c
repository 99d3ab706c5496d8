/* The rating log; see ratings.h. */
#include "store/ratings.h"

#include "common/hash.h"

#include <string.h>

void cxmi_ratings_init(cxmi_ratings *t) {
  memset(t, 0, sizeof *t);
  cxmi_intern_init(&t->attributes, CXMI_MAX_ATTRIBUTES);
  cxmi_intern_init(&t->refs, UINT32_C(0xFFFFFFF0));
}

void cxmi_ratings_free(cxmi_ratings *t, cxmi_alloc *a) {
  cxmi_intern_free(&t->attributes, a);
  cxmi_intern_free(&t->refs, a);
  cxmi_free(a, t->items, (size_t)t->cap * sizeof *t->items);
  memset(t, 0, sizeof *t);
}

int cxmi_ratings_wants(const cxm_event *e) {
  return e->kind == CXM_KIND_RATING || (e->kind == CXM_KIND_PERCEPTION && e->ref_len > 0);
}

int32_t cxmi_ratings_grow(cxmi_ratings *t, cxmi_alloc *a, uint64_t more) {
  void *items = t->items; /* through a void *, not a cast of the member's address */
  int32_t rc = cxmi_grow_array(&items, &t->cap, t->count, more, sizeof *t->items, a);
  t->items = items;
  return rc;
}

int32_t cxmi_ratings_reserve(int64_t *ref_index, uint64_t *ref_hash, cxmi_ratings *t, cxmi_alloc *a,
                             const cxm_event *e) {
  int32_t rc;
  *ref_index = -1;
  if (e->ref_len > 0) {
    if (*ref_hash == 0) *ref_hash = cxmi_hash_bytes(e->ref, e->ref_len);
    *ref_index = cxmi_intern_find(&t->refs, e->ref, e->ref_len, *ref_hash);
    if (*ref_index < 0) {
      rc = cxmi_intern_reserve(&t->refs, a, e->ref_len);
      if (rc != CXM_OK) return rc;
    }
  }
  return cxmi_ratings_grow(t, a, 1);
}

void cxmi_ratings_commit(cxmi_ratings *t, int64_t ref_index, uint64_t ref_hash, const cxm_event *e, uint32_t customer) {
  cxmi_rating *r = &t->items[t->count++];
  memset(r, 0, sizeof *r);
  if (e->ref_len > 0) {
    if (ref_index < 0) ref_index = cxmi_intern_commit(&t->refs, e->ref, e->ref_len, ref_hash);
    r->ref = (uint32_t)ref_index + 1;
  }
  r->customer = customer;
  r->attribute = e->kind == CXM_KIND_RATING ? e->dimension : -e->dimension;
  r->value = (uint8_t)e->value;
}
