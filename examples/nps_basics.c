/*
 * nps_basics: record a handful of NPS answers through the C API and print
 * the score with both 95% intervals (docs/metrics.md, "NPS").
 *
 *   $ ./nps_basics
 *
 * Shows the smallest useful round trip: create a store, record events,
 * sum the survey accumulators of everything, compute NPS, free the store.
 */
#include <cxm.h>

#include <stdio.h>
#include <string.h>

/* Twelve answers to "How likely are you to recommend us?" (0..10):
 * 5 promoters (9-10), 4 passives (7-8), 3 detractors (0-6), so
 * NPS = 100 * (5 - 3) / 12 = 16.67. */
static const struct {
  const char *customer;
  const char *time; /* RFC 3339 */
  int32_t answer;
} answers[] = {
    {"c-01", "2026-03-02T09:15:00Z", 10}, {"c-02", "2026-03-02T10:40:00Z", 9}, {"c-03", "2026-03-03T08:05:00Z", 9},
    {"c-04", "2026-03-03T14:30:00Z", 10}, {"c-05", "2026-03-04T11:11:00Z", 9}, {"c-06", "2026-03-04T16:20:00Z", 8},
    {"c-07", "2026-03-05T09:00:00Z", 7},  {"c-08", "2026-03-05T12:45:00Z", 8}, {"c-09", "2026-03-06T10:10:00Z", 7},
    {"c-10", "2026-03-06T15:00:00Z", 6},  {"c-11", "2026-03-07T09:30:00Z", 3}, {"c-12", "2026-03-07T17:55:00Z", 0},
};

int main(void) {
  cxm_store *store = NULL;
  cxm_survey_acc acc;
  cxm_nps_result nps;
  size_t i;
  int32_t st;

  st = cxm_store_new(&store, NULL); /* NULL: default options, malloc */
  if (st != CXM_OK) {
    fprintf(stderr, "cxm_store_new: %s\n", cxm_status_str(st));
    return 1;
  }

  for (i = 0; i < sizeof answers / sizeof answers[0]; i++) {
    cxm_event ev;
    cxm_event_init(&ev); /* sets ev.size and the "absent" defaults */
    ev.customer = answers[i].customer;
    ev.customer_len = strlen(answers[i].customer);
    st = cxm_time_parse(&ev.time, answers[i].time, strlen(answers[i].time));
    if (st != CXM_OK) {
      fprintf(stderr, "cxm_time_parse: %s\n", cxm_status_str(st));
      cxm_store_free(store);
      return 1;
    }
    ev.kind = CXM_KIND_NPS;
    ev.has_value = 1;
    ev.value = answers[i].answer;
    ev.channel = CXM_CHANNEL_EMAIL;
    st = cxm_store_record(store, &ev);
    if (st != CXM_OK) { /* CXM_DUPLICATE (> 0) cannot happen: no event ids */
      fprintf(stderr, "cxm_store_record: %s\n", cxm_status_str(st));
      cxm_store_free(store);
      return 1;
    }
  }

  /* NULL filter: every event in the store. */
  st = cxm_store_survey(&acc, store, NULL);
  if (st == CXM_OK) {
    st = cxm_nps_compute(&nps, &acc.nps);
  }
  cxm_store_free(store);
  if (st != CXM_OK) {
    fprintf(stderr, "query: %s\n", cxm_status_str(st));
    return 1;
  }

  printf("cxm %s: NPS of %llu answers\n", cxm_version_string(), (unsigned long long)nps.n);
  printf("  promoters %llu, passives %llu, detractors %llu\n", (unsigned long long)nps.promoters,
         (unsigned long long)nps.passives, (unsigned long long)nps.detractors);
  printf("  NPS %.1f (standard error %.1f)\n", nps.score, nps.se);
  printf("  95%% Wald interval          [%.1f, %.1f]\n", nps.ci95_low, nps.ci95_high);
  printf("  95%% adjusted Wald interval [%.1f, %.1f]  (Rocks 2016; better coverage at small n)\n", nps.adjusted_low,
         nps.adjusted_high);
  printf(
      "With only %llu answers the interval is wide: the true NPS could plausibly be\n"
      "anywhere in it, so do not read much into one small batch.\n",
      (unsigned long long)nps.n);

  /* The example doubles as a smoke test (meson suite "examples"), checked
   * against values worked by hand from docs/metrics.md:
   *   score = 100 * (5 - 3) / 12 = 16.667
   *   SE    = 100 * sqrt((5/12 + 3/12 - (2/12)^2) / 12) = 23.074
   *   Wald  = 16.667 -+ 1.959964 * 23.074 = [-28.56, 61.89]
   *   adjusted: n' = 15, P' = 5.75/15, D' = 3.75/15, centre 13.333,
   *   SE' = 100 * sqrt((9.5/15 - (2/15)^2) / 15) = 20.257 -> [-26.37, 53.04] */
  if (nps.n != 12 || nps.promoters != 5 || nps.passives != 4 || nps.detractors != 3 ||
      !(nps.score > 16.66 && nps.score < 16.67) || !(nps.se > 23.07 && nps.se < 23.08) ||
      !(nps.ci95_low > -28.57 && nps.ci95_low < -28.55) || !(nps.ci95_high > 61.88 && nps.ci95_high < 61.90) ||
      !(nps.adjusted_low > -26.38 && nps.adjusted_low < -26.36) ||
      !(nps.adjusted_high > 53.03 && nps.adjusted_high < 53.05)) {
    fprintf(stderr, "nps_basics: unexpected result\n");
    return 1;
  }
  return 0;
}
