/* Grouped experience queries: every experience metric of every group of a
 * cxm_store_group() result, each by one pass over the store. */
#include "store/groups_internal.h"
#include "store/store_internal.h"
#include "experience/experience_internal.h"

#include "cxm/query.h"

/* Every experience metric of every group, each by one pass over the store
 * (cxmi_group_*), instead of one pass per group. */
static int32_t group_experience(cxm_groups *g, const cxm_store *store, const cxm_filter *f, int32_t by,
                                const cxm_experience_options *o) {
  cxmi_grouping grouping;
  cxmi_alloc a;
  cxm_servqual_acc *servqual = NULL;
  cxm_loyalty_acc *loyalty = NULL;
  size_t k, cap = g->count > 0 ? g->count : 1; /* non-NULL arrays mark the experience as computed */
  int32_t rc;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  g->exp_cap = cap;
  g->gap = cxmi_calloc(&a, cap, sizeof *g->gap);
  g->servqual = cxmi_calloc(&a, cap, sizeof *g->servqual);
  g->service = cxmi_calloc(&a, cap, sizeof *g->service);
  g->service_business = cxmi_calloc(&a, cap, sizeof *g->service_business);
  g->loyalty = cxmi_calloc(&a, cap, sizeof *g->loyalty);
  g->consistency = cxmi_calloc(&a, cap, sizeof *g->consistency);
  servqual = cxmi_calloc(&a, cap, sizeof *servqual);
  loyalty = cxmi_calloc(&a, cap, sizeof *loyalty);
  if (g->gap == NULL || g->servqual == NULL || g->service == NULL || g->service_business == NULL ||
      g->loyalty == NULL || g->consistency == NULL || servqual == NULL || loyalty == NULL) {
    rc = CXM_E_NOMEM;
    goto done;
  }
  rc = cxmi_grouping_init(&grouping, store, f, by, g->filters, g->count);
  if (rc != CXM_OK) goto done;
  rc = cxmi_group_gap(g->gap, &grouping, o);
  if (rc == CXM_OK) rc = cxmi_group_servqual_acc(servqual, &grouping);
  if (rc == CXM_OK) rc = cxmi_group_service(g->service, &grouping, o, 0);
  if (rc == CXM_OK) rc = cxmi_group_service(g->service_business, &grouping, o, 1);
  if (rc == CXM_OK) rc = cxmi_group_loyalty_acc(loyalty, &grouping);
  if (rc == CXM_OK) rc = cxmi_group_consistency(g->consistency, &grouping, o);
  for (k = 0; k < g->count && rc == CXM_OK; k++) {
    rc = cxm_servqual_compute(&g->servqual[k], &servqual[k], o->has_weights ? o->servqual_weights : NULL);
    if (rc == CXM_OK) rc = cxm_loyalty_compute(&g->loyalty[k], &loyalty[k]);
  }
  cxmi_grouping_free(&grouping);
done:
  cxmi_free(&a, servqual, cap * sizeof *servqual);
  cxmi_free(&a, loyalty, cap * sizeof *loyalty);
  return rc;
}

int32_t cxm_store_group_experience(cxm_groups **out, const cxm_store *store, const cxm_filter *filter, int32_t by,
                                   const cxm_experience_options *options) {
  cxm_filter f;
  cxm_experience_options o;
  cxm_groups *g = NULL;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  /* In the order of cxm_store_group(), then the options. */
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  if (by < 0 || by >= CXM_BY_COUNT) return CXM_E_BY;
  rc = cxmi_experience_options_resolve(&o, options);
  if (rc != CXM_OK) return rc;
  rc = cxm_store_group(&g, store, filter, by);
  if (rc != CXM_OK) return rc;
  rc = group_experience(g, store, &f, by, &o);
  if (rc != CXM_OK) {
    cxm_groups_free(g);
    return rc;
  }
  *out = g;
  return CXM_OK;
}

/* The checks every experience accessor makes. */
static int32_t experience_index(const void *out, const cxm_groups *groups, size_t index) {
  if (out == NULL || groups == NULL) return CXM_E_ARG;
  if (groups->gap == NULL) return CXM_E_STATE;
  if (index >= groups->count) return CXM_E_NOT_FOUND;
  return CXM_OK;
}

int32_t cxm_groups_gap(cxm_gap_acc *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->gap[index];
  return rc;
}

int32_t cxm_groups_servqual(cxm_servqual_result *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->servqual[index];
  return rc;
}

int32_t cxm_groups_service(cxm_service_result *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->service[index];
  return rc;
}

int32_t cxm_groups_service_business(cxm_service_result *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->service_business[index];
  return rc;
}

int32_t cxm_groups_loyalty(cxm_loyalty_result *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->loyalty[index];
  return rc;
}

int32_t cxm_groups_consistency(cxm_consistency_result *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->consistency[index];
  return rc;
}
