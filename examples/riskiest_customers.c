/*
 * riskiest_customers: who is most likely to leave, and why? Takes every
 * customer's churn features as of the day after the last event
 * (cxm/features.h), scores them with the documented default risk model
 * (no churn labels needed), and prints the ten riskiest with their band and
 * the three factors that push their log-odds up the most:
 *
 *   c-0123  high   risk 0.81: open_contacts +0.90, detractor +0.70, sla_breaches +0.40
 *
 *   $ ./riskiest_customers [FILE]
 *
 * FILE defaults to the bundled examples/data/sample_events.csv. As a test it
 * checks its own output: ten rows (or every customer, when fewer),
 * probabilities in [0, 1], riskiest first.
 */
#include <cxm.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CXM_EXAMPLE_DATA
#define CXM_EXAMPLE_DATA "examples/data"
#endif

#define TOP 10
#define DRIVERS 3
#define DAY INT64_C(86400)

typedef struct scored {
  uint32_t handle;
  double p;
  double x[CXM_FEATURE_COUNT];
} scored;

/* Riskiest first; ties by handle, so the order is reproducible. */
static int by_risk_descending(const void *a, const void *b) {
  const scored *x = a, *y = b;
  if (x->p != y->p) return x->p < y->p ? 1 : -1;
  return x->handle < y->handle ? -1 : x->handle > y->handle;
}

static const char *band_name(int32_t band) {
  switch (band) {
    case CXM_RISK_LOW: return "low";
    case CXM_RISK_MEDIUM: return "medium";
    case CXM_RISK_HIGH: return "high";
    default: return "none";
  }
}

/* Print one customer: id, band, probability and the largest positive
 * contributions to the log-odds (the drivers). */
static int32_t print_row(const cxm_store *store, const cxm_risk_model *model, const scored *r) {
  double contrib[CXM_FEATURE_COUNT];
  int used[CXM_FEATURE_COUNT] = {0};
  const char *id;
  size_t len;
  int d, shown = 0;
  int32_t rc = cxm_store_customer_id(&id, &len, store, r->handle);
  if (rc == CXM_OK) rc = cxm_risk_explain(contrib, NULL, model, r->x);
  if (rc != CXM_OK) return rc;
  printf("%-10.*s %-6s risk %.2f:", (int)len, id, band_name(cxm_risk_band(r->p)), r->p);
  for (d = 0; d < DRIVERS; d++) {
    int j, best = -1;
    for (j = 0; j < CXM_FEATURE_COUNT; j++)
      if (!used[j] && contrib[j] > 0 && (best < 0 || contrib[j] > contrib[best])) best = j;
    if (best < 0) break;
    used[best] = 1;
    printf("%s %s %+.2f", shown++ ? "," : "", cxm_feature_name(best), contrib[best]);
  }
  if (shown == 0) printf(" no factor raises the risk");
  printf("\n");
  return CXM_OK;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : CXM_EXAMPLE_DATA "/sample_events.csv";
  cxm_store *store = NULL;
  cxm_features *features = NULL;
  cxm_feature_options fo;
  cxm_store_stats stats;
  cxm_risk_model model;
  scored *rows = NULL;
  size_t i, n = 0, top;
  int32_t rc = cxm_store_new(&store, NULL);

  if (rc == CXM_OK) rc = cxm_store_ingest_file(store, path, NULL, NULL);
  memset(&stats, 0, sizeof stats);
  stats.size = sizeof stats;
  if (rc == CXM_OK) rc = cxm_store_stats_get(&stats, store);
  if (rc == CXM_OK && stats.events == 0) rc = CXM_E_NO_DATA;
  /* As of the day after the last event, with no horizon: nothing is known
   * about the future yet, so there are no labels, and the default model
   * (documented coefficients) scores everyone. */
  if (rc == CXM_OK) {
    cxm_feature_options_init(&fo);
    fo.cutoff = (stats.last / DAY + 1) * DAY;
    fo.horizon_seconds = 0;
    rc = cxm_store_features(&features, store, &fo);
  }
  if (rc == CXM_OK) rc = cxm_feature_default_model(&model);
  if (rc == CXM_OK) {
    n = cxm_features_count(features);
    rows = calloc(n > 0 ? n : 1, sizeof *rows);
    if (rows == NULL) rc = CXM_E_NOMEM;
  }
  for (i = 0; rc == CXM_OK && i < n; i++) {
    rc = cxm_features_row(rows[i].x, &rows[i].handle, NULL, features, i);
    if (rc == CXM_OK) rc = cxm_risk_score(&rows[i].p, &model, rows[i].x);
  }
  if (rc != CXM_OK) {
    fprintf(stderr, "riskiest_customers: %s: %s\n", path, cxm_status_str(rc));
    free(rows);
    cxm_features_free(features);
    cxm_store_free(store);
    return 1;
  }
  qsort(rows, n, sizeof *rows, by_risk_descending);
  top = n < TOP ? n : TOP;
  printf("The %zu riskiest of %zu customers at risk on %s (default model, no labels):\n", top, n, path);
  for (i = 0; rc == CXM_OK && i < top; i++) rc = print_row(store, &model, &rows[i]);

  /* Self-check (the example doubles as a test): a full top ten when there
   * are ten customers, probabilities in [0, 1], riskiest first. */
  if (rc == CXM_OK && (top != TOP && top != n)) rc = CXM_E_VALUE;
  for (i = 0; rc == CXM_OK && i < top; i++) {
    if (!(rows[i].p >= 0.0 && rows[i].p <= 1.0)) rc = CXM_E_VALUE;
    if (i > 0 && rows[i].p > rows[i - 1].p) rc = CXM_E_VALUE;
  }
  if (rc != CXM_OK) fprintf(stderr, "riskiest_customers: self-check failed: %s\n", cxm_status_str(rc));
  free(rows);
  cxm_features_free(features);
  cxm_store_free(store);
  return rc == CXM_OK ? 0 : 1;
}
