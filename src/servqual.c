/* SERVQUAL expectation gaps of a slice (docs/metrics.md): per dimension,
 * over the customers who gave both an expectation and a perception answer
 * for it within the slice, mean perception minus mean expectation. */
#include "experience.h"

#include "keymap.h"
#include "slice.h"

#include <math.h>
#include <string.h>

typedef struct customer_answers {
  uint64_t expectation_n, perception_n, expectation_sum, perception_sum;
} customer_answers;

int32_t cxm_store_servqual(cxm_servqual_result *out, const cxm_store *store, const cxm_filter *filter,
                           const cxm_experience_options *options) {
  cxm_filter f;
  cxm_experience_options o;
  cxmi_alloc a;
  cxmi_keymap per_customer;
  customer_answers *answers = NULL;
  uint32_t cap = 0, i;
  double sum_e[6] = {0}, sum_p[6] = {0}, n_e[6] = {0}, n_p[6] = {0}, weighted = 0, weights = 0;
  cxm_servqual_result r;
  int32_t rc, d;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  rc = cxmi_experience_options_resolve(&o, options);
  if (rc != CXM_OK) return rc;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  cxmi_keymap_init(&per_customer);

  /* A customer's answers for one dimension may lie in several cells of
   * the slice: gather them per (customer, dimension) first. */
  for (i = 0; i < store->servqual_keys.count; i++) {
    uint64_t key = store->servqual_keys.keys[i];
    uint32_t cell = (uint32_t)(key >> 3) & (CXMI_MAX_CELLS - 1);
    uint64_t who = (key >> 32) << 3 | (key & 7);
    const cxmi_servqual_answers *q = &store->servqual[i];
    int64_t at;
    if (!cxmi_cell_selected(store, &f, &store->cube.cells[cell])) continue;
    at = cxmi_keymap_find(&per_customer, who);
    if (at < 0) {
      rc = cxmi_keymap_reserve(&per_customer, &a);
      if (rc == CXM_OK && per_customer.count == cap) {
        uint32_t new_cap = cap == 0 ? 64 : cap * 2;
        customer_answers *grown = cxmi_realloc(&a, answers, (size_t)cap * sizeof *answers, (size_t)new_cap * sizeof *answers);
        if (grown == NULL) rc = CXM_E_NOMEM;
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

  memset(&r, 0, sizeof r);
  for (i = 0; i < per_customer.count; i++) {
    const customer_answers *c = &answers[i];
    d = (int32_t)(per_customer.keys[i] & 7);
    if (c->expectation_n == 0 || c->perception_n == 0) continue;
    r.customers[d]++;
    /* Each answer counts once: sums, not per-customer means. */
    sum_e[d] += (double)c->expectation_sum;
    n_e[d] += (double)c->expectation_n;
    sum_p[d] += (double)c->perception_sum;
    n_p[d] += (double)c->perception_n;
  }
  r.gap[0] = NAN;
  for (d = 1; d < CXM_DIMENSION_COUNT; d++) {
    double w;
    r.gap[d] = r.customers[d] > 0 ? sum_p[d] / n_p[d] - sum_e[d] / n_e[d] : NAN;
    if (isnan(r.gap[d])) continue;
    w = o.has_weights ? o.servqual_weights[d - 1] : 1.0;
    weighted += w * r.gap[d];
    weights += w;
  }
  /* The mean of the dimensions that have a gap; with weights, their
   * weighted mean (weights renormalised over those dimensions). */
  r.score = weights > 0 ? weighted / weights : NAN;
  *out = r;
  rc = CXM_OK;
done:
  cxmi_keymap_free(&per_customer, &a);
  cxmi_free(&a, answers, (size_t)cap * sizeof *answers);
  return rc;
}
