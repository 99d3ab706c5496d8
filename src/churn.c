/* Churn risk of every customer at risk in a store (cxm/churn.h): choose
 * the scoring time and training cut-off, get the risk model, score the
 * features as of the scoring time and rank. The CLI and the bindings call
 * this, so the pipeline exists once. */
#include "feature_table.h"
#include "store_internal.h"

#include "cxm/churn.h"
#include "cxm/purchase.h"
#include "cxm/time.h"
#include "abi_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)

/* What a result keeps per customer; contributions and drivers are
 * recomputed on demand (cheap, pure) so a row stays small. */
typedef struct scored {
  double features[CXM_FEATURE_COUNT];
  double risk;
  double p_alive;
  uint32_t handle;
} scored;

struct cxm_churn {
  cxm_allocator hooks; /* copied: the result outlives the store */
  size_t count;
  scored *rows;        /* highest risk first */
  int64_t scored_at, cutoff;
  int32_t fitted;
  cxm_risk_model model;
  cxm_risk_evaluation evaluation;
};

void cxm_churn_options_init(cxm_churn_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->scored_at = CXM_CHURN_AFTER_LAST;
  options->horizon_seconds = 90 * DAY;
  options->purchase_model = CXM_MODEL_MBGNBD;
  options->calendar = NULL;
  options->sla_target_seconds = 8 * 3600;
}

void cxm_churn_info_init(cxm_churn_info *info) {
  if (info == NULL) return;
  memset(info, 0, sizeof *info);
  info->size = sizeof *info;
}

void cxm_churn_row_init(cxm_churn_row *row) {
  if (row == NULL) return;
  memset(row, 0, sizeof *row);
  row->size = sizeof *row;
}

/* Highest risk first; equal risks by handle, so the order is total. */
static int by_risk(const void *pa, const void *pb) {
  const scored *a = pa, *b = pb;
  if (a->risk != b->risk) return a->risk > b->risk ? -1 : 1;
  return a->handle < b->handle ? -1 : (a->handle > b->handle ? 1 : 0);
}

/* The risk model for a training cut-off, or the default model when the
 * cut-off leaves no history to learn from. A fit that stopped at its best
 * point is kept (its `converged` field says so). */
static int32_t choose_model(cxm_churn *c, const cxm_store *store, const cxm_feature_options *training) {
  int32_t rc;
  c->evaluation.size = sizeof c->evaluation;
  if (training->cutoff <= store->first) return cxm_feature_default_model(&c->model);
  rc = cxm_store_risk_model(&c->model, &c->evaluation, &c->fitted, store, training);
  return rc == CXM_E_CONVERGE ? CXM_OK : rc;
}

/* Score every row of `f` into `c->rows`. */
static int32_t score_rows(cxm_churn *c, const cxm_features *f) {
  size_t i;
  for (i = 0; i < c->count; i++) {
    scored *r = &c->rows[i];
    int32_t rc = cxm_features_row_get(r->features, CXM_FEATURE_COUNT, &r->handle, NULL, f, i);
    if (rc == CXM_OK) rc = cxm_risk_score(&r->risk, &c->model, r->features);
    if (rc != CXM_OK) return rc;
    r->p_alive = cxmi_features_p_alive(f, i);
  }
  if (c->count > 1) qsort(c->rows, c->count, sizeof *c->rows, by_risk); /* rows is NULL when count is 0 */
  return CXM_OK;
}

static int32_t check_options(const cxm_churn_options *o) {
  if (!CXMI_STRUCT_OK(o, cxm_churn_options)) return CXM_E_SIZE;
  if (o->scored_at != CXM_CHURN_AFTER_LAST &&
      (o->scored_at < CXM_TIME_MIN || o->scored_at > CXM_TIME_MAX + 1 || o->scored_at % DAY != 0))
    return CXM_E_WINDOW;
  if (o->horizon_seconds <= 0 || o->horizon_seconds % DAY != 0 || o->horizon_seconds > 100 * 366 * DAY)
    return CXM_E_OPTION;
  return CXM_OK;
}

int32_t cxm_store_churn(cxm_churn **out, const cxm_store *store, const cxm_churn_options *options) {
  cxm_churn_options o;
  cxm_feature_options fo;
  cxm_features *f = NULL;
  cxm_churn *c;
  cxmi_alloc a;
  int32_t rc;
  if (out == NULL) return CXM_E_ARG;
  *out = NULL;
  if (store == NULL) return CXM_E_ARG;
  cxm_churn_options_init(&o);
  if (options != NULL) {
    if (!CXMI_STRUCT_OK(options, cxm_churn_options)) return CXM_E_SIZE;
    cxmi_struct_in(&o, options, sizeof o);
  }
  rc = check_options(&o);
  if (rc != CXM_OK) return rc;
  if (store->events == 0) return CXM_E_NO_DATA;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  c = cxmi_calloc(&a, 1, sizeof *c);
  if (c == NULL) return CXM_E_NOMEM;
  c->hooks = store->alloc.hooks;
  c->scored_at = o.scored_at != CXM_CHURN_AFTER_LAST ? o.scored_at : (store->last / DAY + 1) * DAY;
  c->cutoff = c->scored_at - o.horizon_seconds;
  cxm_risk_model_init(&c->model);
  cxm_feature_options_init(&fo);
  fo.purchase_model = o.purchase_model;
  fo.calendar = o.calendar;
  fo.sla_target_seconds = o.sla_target_seconds;
  fo.cutoff = c->cutoff;
  fo.horizon_seconds = o.horizon_seconds;
  rc = choose_model(c, store, &fo);
  if (rc == CXM_OK) {
    fo.cutoff = c->scored_at;
    fo.horizon_seconds = 0;
    rc = cxm_store_features(&f, store, &fo);
  }
  if (rc == CXM_OK && cxm_features_count(f) > 0) {
    c->rows = cxmi_calloc(&a, cxm_features_count(f), sizeof *c->rows);
    if (c->rows == NULL) rc = CXM_E_NOMEM;
  }
  if (rc == CXM_OK) {
    c->count = cxm_features_count(f);
    rc = score_rows(c, f);
  }
  cxm_features_free(f);
  if (rc != CXM_OK) {
    cxm_churn_free(c);
    return rc;
  }
  *out = c;
  return CXM_OK;
}

size_t cxm_churn_count(const cxm_churn *churn) { return churn == NULL ? 0 : churn->count; }

int32_t cxm_churn_info_get(cxm_churn_info *info, const cxm_churn *churn) {
  if (info == NULL || churn == NULL) return CXM_E_ARG;
  if (!CXMI_STRUCT_OK(info, cxm_churn_info)) return CXM_E_SIZE;
  info->scored_at = churn->scored_at;
  info->cutoff = churn->cutoff;
  info->fitted = churn->fitted;
  info->model = churn->model;
  info->evaluation = churn->evaluation;
  return CXM_OK;
}

/* The features that raise the log-odds, largest first (stable by feature). */
static uint32_t rank_drivers(int32_t *drivers, const double *contrib) {
  uint32_t n = 0, k;
  int32_t i;
  for (i = 0; i < CXM_FEATURE_COUNT; i++) {
    if (!(contrib[i] > 0)) continue;
    for (k = n; k > 0 && contrib[drivers[k - 1]] < contrib[i]; k--) drivers[k] = drivers[k - 1];
    drivers[k] = i;
    n++;
  }
  return n;
}

int32_t cxm_churn_row_get(cxm_churn_row *row, const cxm_churn *churn, size_t rank) {
  const scored *r;
  int32_t rc, i;
  if (row == NULL || churn == NULL) return CXM_E_ARG;
  if (!CXMI_STRUCT_OK(row, cxm_churn_row)) return CXM_E_SIZE;
  if (rank >= churn->count) return CXM_E_NOT_FOUND;
  r = &churn->rows[rank];
  rc = cxm_risk_explain(row->contributions, &row->logit, &churn->model, r->features);
  if (rc != CXM_OK) return rc; /* scored with this model, so it cannot fail */
  row->handle = r->handle;
  row->risk = r->risk;
  row->band = cxm_risk_band(r->risk);
  row->p_alive = r->p_alive;
  memcpy(row->features, r->features, sizeof row->features);
  for (i = 0; i < CXM_FEATURE_COUNT; i++) row->drivers[i] = -1;
  row->driver_count = rank_drivers(row->drivers, row->contributions);
  return CXM_OK;
}

void cxm_churn_free(cxm_churn *churn) {
  cxmi_alloc a;
  if (churn == NULL) return;
  cxmi_alloc_init(&a, &churn->hooks);
  cxmi_free(&a, churn->rows, churn->count * sizeof *churn->rows);
  cxmi_free(&a, churn, sizeof *churn);
}
