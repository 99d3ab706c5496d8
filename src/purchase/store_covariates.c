/* Covariates of the purchase models from a store (include/cxm/covariates.h):
 * whether a customer's first survey answer before the end of calibration
 * was a detractor's, by the closed-loop rules (docs/experience.md; the
 * defaults of cxm_loop_options_init(): NPS 0-6, CSAT 1-2, CES 1-3). */
#include <string.h>

#include "cxm/covariates.h"
#include "cxm/loop.h"
#include "common/abi_check.h"
#include "common/alloc.h"
#include "purchase/rfm.h"
#include "store/store_internal.h"

typedef struct first_answer {
  int64_t time; /* INT64_MAX: none */
  uint8_t detractor;
} first_answer;

int32_t cxm_store_rfm_detractor(cxm_rfm *rfm, double *detractor, size_t capacity, const cxm_store *store,
                                const cxm_rfm_options *options) {
  cxm_rfm_options o;
  cxm_loop_options rules;
  cxmi_alloc a;
  if (rfm == NULL || detractor == NULL || store == NULL) {
    return CXM_E_ARG;
  }
  cxm_rfm_options_init(&o);
  if (options != NULL) {
    if (!CXMI_STRUCT_OK(options, cxm_rfm_options)) {
      return CXM_E_SIZE;
    }
    cxmi_struct_in(&o, options, sizeof o);
  }
  size_t count = store->customers.count;
  if (capacity < count) {
    return CXM_E_BUFFER;
  }
  cxm_loop_options_init(&rules);
  cxmi_alloc_init(&a, &store->alloc.hooks);
  size_t hsize = (count > 0 ? count : 1) * sizeof(uint32_t), fsize = (count > 0 ? count : 1) * sizeof(first_answer);
  uint32_t *handles = cxmi_malloc(&a, hsize);
  first_answer *first = cxmi_malloc(&a, fsize);
  if (handles == NULL || first == NULL) {
    cxmi_free(&a, handles, hsize);
    cxmi_free(&a, first, fsize);
    return CXM_E_NOMEM;
  }
  for (size_t i = 0; i < count; i++) {
    first[i].time = INT64_MAX;
    first[i].detractor = 0;
  }
  /* The log is in input order: a strictly earlier time replaces, so among
   * answers at one second the first read wins. Answers at or after `to`
   * are outside calibration. */
  for (uint32_t k = 0; k < store->loop.count; k++) {
    const cxmi_loop_event *e = &store->loop.items[k];
    int v = e->value;
    if ((e->kind != CXM_KIND_NPS && e->kind != CXM_KIND_CSAT && e->kind != CXM_KIND_CES) || e->time >= o.to ||
        e->customer >= count || !(e->time < first[e->customer].time)) {
      continue;
    }
    first[e->customer].time = e->time;
    first[e->customer].detractor = (uint8_t)(e->kind == CXM_KIND_NPS    ? v <= rules.nps_detractor_max
                                             : e->kind == CXM_KIND_CSAT ? v <= rules.csat_detractor_max
                                                                        : v <= rules.ces_detractor_max);
  }
  size_t before = cxm_rfm_count(rfm);
  int32_t rc = cxmi_store_rfm(rfm, handles, store, options);
  size_t added = cxm_rfm_count(rfm) - before;
  for (size_t k = 0; k < added; k++) {
    detractor[k] = first[handles[k]].detractor ? 1.0 : 0.0;
  }
  cxmi_free(&a, handles, hsize);
  cxmi_free(&a, first, fsize);
  return rc;
}
