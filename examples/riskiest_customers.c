/*
 * riskiest_customers: who is most likely to leave, and why? One call,
 * cxm_store_churn() (cxm/churn.h), scores every customer at risk as of the
 * day after the last event, with the model the held-out customers chose
 * (fitted on every feature, the purchase model alone, or the documented
 * default: docs/churn.md), and this prints the ten riskiest with their
 * band, P(alive) and the three factors that raise their risk most above
 * the baseline (median) customer's, each with its own value:
 *
 *   c-0123  high   risk 0.81 p_alive 0.42: open_contacts=2 (typical 0) +0.90, detractor=1 (typical 0) +0.70
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
#include <string.h>

#ifndef CXM_EXAMPLE_DATA
#define CXM_EXAMPLE_DATA "examples/data"
#endif

#define TOP 10
#define DRIVERS 3

static const char *band_name(int32_t band) {
  switch (band) {
  case CXM_RISK_LOW: return "low";
  case CXM_RISK_MEDIUM: return "medium";
  case CXM_RISK_HIGH: return "high";
  default: return "none";
  }
}

/* Print one customer: id, band, probability, P(alive) and the drivers. */
static int32_t print_row(const cxm_store *store, const cxm_churn_row *r, const cxm_churn_info *info) {
  const char *id;
  size_t len;
  uint32_t d;
  int32_t rc = cxm_store_customer_id(&id, &len, store, r->handle);
  if (rc != CXM_OK) return rc;
  printf("%-10.*s %-6s risk %.2f", (int)len, id, band_name(r->band), r->risk);
  if (isnan(r->p_alive))
    printf(" p_alive -   :");
  else
    printf(" p_alive %.2f:", r->p_alive);
  for (d = 0; d < r->driver_count && d < DRIVERS; d++)
    printf("%s %s=%.3g (typical %.3g) %+.2f", d > 0 ? "," : "", cxm_feature_name(r->drivers[d]),
           r->features[r->drivers[d]], info->baseline[r->drivers[d]], r->driver_weights[r->drivers[d]]);
  if (r->driver_count == 0) printf(" no factor raises the risk above the typical customer's");
  printf("\n");
  return CXM_OK;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : CXM_EXAMPLE_DATA "/sample_events.csv";
  cxm_store *store = NULL;
  cxm_churn *churn = NULL;
  cxm_churn_info info;
  cxm_churn_row row;
  double previous = INFINITY;
  size_t i, n = 0, top = 0;
  int32_t rc = cxm_store_new(&store, NULL);

  if (rc == CXM_OK) rc = cxm_store_ingest_file(store, path, NULL, NULL);
  if (rc == CXM_OK) rc = cxm_store_churn(&churn, store, NULL); /* defaults: 90-day horizon, MBG/NBD */
  memset(&info, 0, sizeof info);
  info.size = sizeof info;
  if (rc == CXM_OK) rc = cxm_churn_info_get(&info, churn);
  if (rc == CXM_OK) {
    n = cxm_churn_count(churn);
    top = n < TOP ? n : TOP;
    static const char *const sources[] = {"default", "fitted", "purchase"};
    printf("The %zu riskiest of %zu customers at risk on %s (%s model):\n", top, n, path, sources[info.source]);
  }
  memset(&row, 0, sizeof row);
  row.size = sizeof row;
  for (i = 0; rc == CXM_OK && i < top; i++) {
    rc = cxm_churn_row_get(&row, churn, i);
    if (rc == CXM_OK) rc = print_row(store, &row, &info);
    /* Self-check (the example doubles as a test): probabilities in [0, 1],
     * riskiest first. */
    if (rc == CXM_OK && !(row.risk >= 0.0 && row.risk <= 1.0 && row.risk <= previous)) rc = CXM_E_VALUE;
    previous = row.risk;
  }
  if (rc != CXM_OK) fprintf(stderr, "riskiest_customers: %s: %s\n", path, cxm_status_str(rc));
  cxm_churn_free(churn);
  cxm_store_free(store);
  return rc == CXM_OK ? 0 : 1;
}
