/* SERVQUAL expectation gaps of a slice (docs/metrics.md): per dimension,
 * over the customers who gave both an expectation and a perception answer
 * for it within the slice, mean perception minus mean expectation. The
 * slice is first summed into a cxm_servqual_acc (src/experience/servqual_acc.c). */
#include "experience/experience_internal.h"

#include "store/keymap.h"
#include "store/slice.h"

#include <math.h>
#include <string.h>

typedef struct customer_answers {
  uint64_t expectation_n, perception_n, expectation_sum, perception_sum;
} customer_answers;

/* Bits of a (customer, dimension) key: the customer handle (32) and the
 * dimension (3); the group index goes above them (groups <= cells < 2^29,
 * so a key never reaches the keymap's reserved UINT64_MAX). */
#define WHO_BITS 35

int32_t cxmi_group_servqual_acc(cxm_servqual_acc *out, const cxmi_grouping *g) {
  const cxm_store *store = g->store;
  cxmi_alloc a;
  cxmi_keymap per_customer;
  customer_answers *answers = NULL;
  uint32_t cap = 0, i;
  size_t k;
  int32_t rc, d;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  cxmi_keymap_init(&per_customer);

  /* A customer's answers for one dimension may lie in several cells of
   * the slice: gather them per (group, customer, dimension) first. */
  for (i = 0; i < store->servqual_keys.count; i++) {
    uint64_t key = store->servqual_keys.keys[i];
    uint32_t cell = (uint32_t)(key >> 3) & (CXMI_MAX_CELLS - 1);
    uint64_t who = (key >> 32) << 3 | (key & 7);
    const cxmi_servqual_answers *q = &store->servqual[i];
    int64_t at, group = cxmi_grouping_cell(g, &store->cube.cells[cell]);
    if (group < 0) continue;
    who |= (uint64_t)group << WHO_BITS;
    at = cxmi_keymap_find(&per_customer, who);
    if (at < 0) {
      rc = cxmi_keymap_reserve(&per_customer, &a);
      if (rc == CXM_OK && per_customer.count == cap) {
        uint32_t new_cap = cap == 0 ? 64 : cap * 2;
        customer_answers *grown = cxmi_realloc(&a, answers, (size_t)cap * sizeof *answers,
                                               (size_t)new_cap * sizeof *answers);
        if (grown == NULL)
          rc = CXM_E_NOMEM;
        else {
          answers = grown;
          cap = new_cap;
        }
      }
      if (rc != CXM_OK) goto done;
      at = cxmi_keymap_commit(&per_customer, who);
      memset(&answers[at], 0, sizeof answers[at]);
    }
    answers[at].expectation_n += q->expectation_n;
    answers[at].perception_n += q->perception_n;
    answers[at].expectation_sum += q->expectation_sum;
    answers[at].perception_sum += q->perception_sum;
  }

  /* Only customers with answers of both kinds qualify; each of their
   * answers counts once. Every answer was recorded as one event, so a sum
   * would need 2^61 answers of 7 to overflow 64 bits. */
  for (k = 0; k < g->count; k++) cxm_servqual_acc_init(&out[k]);
  for (i = 0; i < per_customer.count; i++) {
    const customer_answers *c = &answers[i];
    cxm_servqual_acc *r = &out[per_customer.keys[i] >> WHO_BITS];
    d = (int32_t)(per_customer.keys[i] & 7);
    if (c->expectation_n == 0 || c->perception_n == 0) continue;
    r->customers[d]++;
    r->expectation_n[d] += c->expectation_n;
    r->expectation_sum[d] += c->expectation_sum;
    r->perception_n[d] += c->perception_n;
    r->perception_sum[d] += c->perception_sum;
  }
  rc = CXM_OK;
done:
  cxmi_keymap_free(&per_customer, &a);
  cxmi_free(&a, answers, (size_t)cap * sizeof *answers);
  return rc;
}

int32_t cxm_store_servqual_acc(cxm_servqual_acc *out, const cxm_store *store, const cxm_filter *filter) {
  cxm_filter f;
  cxmi_grouping all;
  cxm_servqual_acc r;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  cxmi_grouping_all(&all, store, &f);
  rc = cxmi_group_servqual_acc(&r, &all);
  if (rc == CXM_OK) *out = r;
  return rc;
}

int32_t cxm_store_servqual(cxm_servqual_result *out, const cxm_store *store, const cxm_filter *filter,
                           const cxm_experience_options *options) {
  cxm_filter f;
  cxm_experience_options o;
  cxm_servqual_acc acc;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  /* The filter before the options, as the other queries check them. */
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  rc = cxmi_experience_options_resolve(&o, options);
  if (rc != CXM_OK) return rc;
  rc = cxm_store_servqual_acc(&acc, store, filter);
  if (rc != CXM_OK) return rc;
  return cxm_servqual_compute(out, &acc, o.has_weights ? o.servqual_weights : NULL);
}
