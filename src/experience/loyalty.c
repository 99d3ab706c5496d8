/* Loyalty signals of a slice: complaints, compliments, their ratio, and
 * the distinct customers who churned (docs/metrics.md), summed into a
 * cxm_loyalty_acc (src/experience/loyalty_acc.c) and computed from it. */
#include "experience/experience_internal.h"

#include "store/slice.h"

#include <stdlib.h>
#include <string.h>

static int compare_u64(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return a < b ? -1 : a > b;
}

int32_t cxmi_group_loyalty_acc(cxm_loyalty_acc *out, const cxmi_grouping *g) {
  const cxm_store *store = g->store;
  cxmi_alloc a;
  uint64_t *keys = NULL;
  uint32_t n = 0, i;
  size_t k;
  for (k = 0; k < g->count; k++) cxm_loyalty_acc_init(&out[k]);
  for (i = 0; i < store->cube.count; i++) {
    const cxmi_cell *c = &store->cube.cells[i];
    int64_t at = cxmi_grouping_cell(g, c);
    if (at < 0) continue;
    out[at].complaints += c->complaints;
    out[at].compliments += c->compliments;
  }

  /* A customer who churned in several cells of a group counts once in it:
   * sort (group, customer) pairs and count the distinct ones. */
  if (store->churned.count > 0) {
    cxmi_alloc_init(&a, &store->alloc.hooks);
    keys = cxmi_malloc(&a, (size_t)store->churned.count * sizeof *keys);
    if (keys == NULL) return CXM_E_NOMEM;
    for (i = 0; i < store->churned.count; i++) {
      uint64_t key = store->churned.keys[i];
      int64_t at = cxmi_grouping_cell(g, &store->cube.cells[(uint32_t)key]);
      if (at >= 0) keys[n++] = (uint64_t)at << 32 | (key >> 32);
    }
    qsort(keys, n, sizeof *keys, compare_u64);
    for (i = 0; i < n; i++)
      if (i == 0 || keys[i] != keys[i - 1]) out[keys[i] >> 32].churned++;
    cxmi_free(&a, keys, (size_t)store->churned.count * sizeof *keys);
  }
  return CXM_OK;
}

int32_t cxm_store_loyalty_acc(cxm_loyalty_acc *out, const cxm_store *store, const cxm_filter *filter) {
  cxm_filter f;
  cxmi_grouping all;
  cxm_loyalty_acc r;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  cxmi_grouping_all(&all, store, &f);
  rc = cxmi_group_loyalty_acc(&r, &all);
  if (rc == CXM_OK) *out = r;
  return rc;
}

int32_t cxm_store_loyalty(cxm_loyalty_result *out, const cxm_store *store, const cxm_filter *filter) {
  cxm_loyalty_acc acc;
  int32_t rc;
  if (out == NULL) return CXM_E_ARG;
  rc = cxm_store_loyalty_acc(&acc, store, filter);
  if (rc != CXM_OK) return rc;
  return cxm_loyalty_compute(out, &acc);
}
