/* Loyalty signals of a slice: complaints, compliments, their ratio, and
 * the distinct customers who churned (docs/metrics.md), summed into a
 * cxm_loyalty_acc (src/loyalty_acc.c) and computed from it. */
#include "experience.h"

#include "slice.h"

#include <stdlib.h>
#include <string.h>

static int compare_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return a < b ? -1 : a > b;
}

int32_t cxm_store_loyalty_acc(cxm_loyalty_acc *out, const cxm_store *store, const cxm_filter *filter) {
  cxm_filter f;
  cxm_loyalty_acc r;
  cxmi_alloc a;
  uint32_t *customers = NULL, n = 0, i;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  cxm_loyalty_acc_init(&r);
  for (i = 0; i < store->cube.count; i++) {
    const cxmi_cell *c = &store->cube.cells[i];
    if (!cxmi_cell_selected(store, &f, c)) continue;
    r.complaints += c->complaints;
    r.compliments += c->compliments;
  }

  /* A customer who churned in several cells of the slice counts once. */
  if (store->churned.count > 0) {
    cxmi_alloc_init(&a, &store->alloc.hooks);
    customers = cxmi_malloc(&a, (size_t)store->churned.count * sizeof *customers);
    if (customers == NULL) return CXM_E_NOMEM;
    for (i = 0; i < store->churned.count; i++) {
      uint64_t key = store->churned.keys[i];
      if (cxmi_cell_selected(store, &f, &store->cube.cells[(uint32_t)key])) customers[n++] = (uint32_t)(key >> 32);
    }
    qsort(customers, n, sizeof *customers, compare_u32);
    for (i = 0; i < n; i++)
      if (i == 0 || customers[i] != customers[i - 1]) r.churned++;
    cxmi_free(&a, customers, (size_t)store->churned.count * sizeof *customers);
  }
  *out = r;
  return CXM_OK;
}

int32_t cxm_store_loyalty(cxm_loyalty_result *out, const cxm_store *store, const cxm_filter *filter) {
  cxm_loyalty_acc acc;
  int32_t rc;
  if (out == NULL) return CXM_E_ARG;
  rc = cxm_store_loyalty_acc(&acc, store, filter);
  if (rc != CXM_OK) return rc;
  return cxm_loyalty_compute(out, &acc);
}
