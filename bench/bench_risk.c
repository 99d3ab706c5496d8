/*
 * bench_risk FILE: churn risk for every customer of an event file.
 * Reads FILE into a store (not timed), then times (1) taking every
 * customer's features as of the midnight after the last event (this
 * includes fitting the purchase model for P(alive)) and (2) scoring and
 * explaining every customer with the default risk model (issue 5's target:
 * scoring 1 000 000 customers under 0.5 s on one core). Prints both.
 */
#include <cxm.h>

#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  cxm_store *store = NULL;
  cxm_store_stats st;
  cxm_feature_options fo;
  cxm_features *features = NULL;
  cxm_risk_model model;
  double t0, t1, t2, sum = 0;
  size_t i, n;
  int32_t rc;
  if (argc != 2) {
    fprintf(stderr, "usage: %s EVENTS.csv\n", argv[0]);
    return 2;
  }
  rc = cxm_store_new(&store, NULL);
  if (rc == CXM_OK) rc = cxm_store_ingest_file(store, argv[1], NULL, NULL);
  st.size = sizeof st;
  if (rc == CXM_OK) rc = cxm_store_stats_get(&st, store);
  if (rc != CXM_OK || st.events == 0) {
    fprintf(stderr, "bench_risk: %s: %s\n", argv[1], rc != CXM_OK ? cxm_status_str(rc) : "no events");
    cxm_store_free(store);
    return 1;
  }
  cxm_feature_options_init(&fo);
  fo.cutoff = (st.last / 86400 + 1) * 86400;
  fo.horizon_seconds = 0;
  t0 = now();
  rc = cxm_store_features(&features, store, &fo);
  t1 = now();
  if (rc == CXM_OK) rc = cxm_feature_default_model(&model);
  n = cxm_features_count(features);
  for (i = 0; rc == CXM_OK && i < n; i++) {
    double x[CXM_FEATURE_COUNT], p, contrib[CXM_FEATURE_COUNT], logit;
    rc = cxm_features_row_get(x, CXM_FEATURE_COUNT, NULL, NULL, features, i);
    if (rc == CXM_OK) rc = cxm_risk_score(&p, &model, x);
    if (rc == CXM_OK) rc = cxm_risk_explain(contrib, &logit, &model, x);
    sum += p;
  }
  t2 = now();
  if (rc != CXM_OK) {
    fprintf(stderr, "bench_risk: %s\n", cxm_status_str(rc));
  } else {
    printf("customers at risk: %zu\n", n);
    printf("features (incl. purchase-model fit): %.3f s\n", t1 - t0);
    printf("score + explain: %.3f s (%.1f M customers/s), mean risk %.3f\n", t2 - t1, (double)n / (t2 - t1) / 1e6,
           n > 0 ? sum / (double)n : 0.0);
  }
  cxm_features_free(features);
  cxm_store_free(store);
  return rc == CXM_OK ? 0 : 1;
}
