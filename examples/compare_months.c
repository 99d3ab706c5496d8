/*
 * compare_months: read an event file and compare NPS and CSAT between two
 * calendar months (docs/metrics.md, "Two periods compared").
 *
 *   $ ./compare_months [FILE [FIRST_MONTH SECOND_MONTH]]
 *   $ ./compare_months examples/data/sample_events.csv 2025-06 2026-06
 *
 * FILE defaults to the bundled examples/data/sample_events.csv (its path in
 * the source tree is compiled in as CXM_EXAMPLE_DATA); the months default
 * to 2025-06 and 2026-06.
 */
#include <cxm.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#ifndef CXM_EXAMPLE_DATA
#define CXM_EXAMPLE_DATA "examples/data"
#endif

/* Print each rejected row the way `cxm` does: FILE:LINE: column C: reason. */
static void on_row_error(void *user, const cxm_row_error *e) {
  fprintf(stderr, "%s:%llu: column %s: %s\n", (const char *)user, (unsigned long long)e->line, e->column, e->reason);
}

/* Turn "YYYY-MM" into the half-open window [first day, first day of the
 * next month), in UTC seconds. Month starts are whole days, as store
 * filters require (they must be multiples of the store's bucket). */
static int month_window(cxm_filter *f, const char *month) {
  char text[32];
  int year, mon;
  if (strlen(month) != 7 || month[4] != '-' || sscanf(month, "%4d-%2d", &year, &mon) != 2 || mon < 1 || mon > 12) {
    return -1;
  }
  snprintf(text, sizeof text, "%04d-%02d-01T00:00:00Z", year, mon);
  if (cxm_time_parse(&f->from, text, strlen(text)) != CXM_OK) {
    return -1;
  }
  if (++mon > 12) {
    mon = 1;
    year++;
  }
  snprintf(text, sizeof text, "%04d-%02d-01T00:00:00Z", year, mon);
  if (cxm_time_parse(&f->to, text, strlen(text)) != CXM_OK) {
    return -1;
  }
  return 0;
}

/* One sentence a manager can act on. */
static void interpret(const char *metric, const cxm_comparison *c, const char *m1, const char *m2) {
  if (isnan(c->diff)) {
    printf("  -> %s: one of the months has no answers; nothing to compare.\n", metric);
  } else if (isnan(c->p)) {
    printf("  -> %s: both months were unanimous; the difference (%+.1f) has no sampling error to test.\n", metric,
           c->diff);
  } else if (c->p < 0.05) {
    printf(
        "  -> %s %s by %.1f points from %s to %s, and with p = %.3g that is unlikely to be chance:\n"
        "     treat it as a real change.\n",
        metric, c->diff > 0 ? "rose" : "fell", fabs(c->diff), m1, m2, c->p);
  } else {
    printf(
        "  -> %s moved by %+.1f points from %s to %s, but p = %.2f: a change this size could well be\n"
        "     sampling noise at these sample sizes; collect more answers before acting on it.\n",
        metric, c->diff, m1, m2, c->p);
  }
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : CXM_EXAMPLE_DATA "/sample_events.csv";
  const char *m1 = argc > 3 ? argv[2] : "2025-06";
  const char *m2 = argc > 3 ? argv[3] : "2026-06";
  cxm_store *store = NULL;
  cxm_reader_options ropt;
  cxm_reader_stats rstats;
  cxm_filter f1, f2;
  cxm_survey_acc a1, a2;
  cxm_nps_result n1, n2;
  cxm_csat_result c1, c2;
  cxm_comparison nps_cmp, csat_cmp;
  int32_t st;

  cxm_filter_init(&f1);
  cxm_filter_init(&f2);
  if (month_window(&f1, m1) != 0 || month_window(&f2, m2) != 0) {
    fprintf(stderr, "usage: %s [FILE [YYYY-MM YYYY-MM]]\n", argv[0]);
    return 2;
  }

  st = cxm_store_new(&store, NULL);
  if (st != CXM_OK) {
    fprintf(stderr, "cxm_store_new: %s\n", cxm_status_str(st));
    return 1;
  }

  /* Lenient CSV reading: bad rows are reported and skipped. */
  cxm_reader_options_init(&ropt);
  ropt.on_error = on_row_error;
  ropt.user = (void *)(uintptr_t)path; /* only read back as const char * */
  memset(&rstats, 0, sizeof rstats);
  rstats.size = sizeof rstats;
  st = cxm_store_ingest_file(store, path, &ropt, &rstats);
  if (st != CXM_OK) {
    fprintf(stderr, "%s: %s\n", path, cxm_status_str(st));
    cxm_store_free(store);
    return 1;
  }
  printf("%s: %llu rows, %llu events, %llu rejected, %llu duplicates\n\n", path, (unsigned long long)rstats.rows,
         (unsigned long long)rstats.events, (unsigned long long)rstats.rejected, (unsigned long long)rstats.duplicates);

  /* Each month is a slice: the sum of the store's accumulators in it. */
  st = cxm_store_survey(&a1, store, &f1);
  if (st == CXM_OK) st = cxm_store_survey(&a2, store, &f2);
  cxm_store_free(store);
  if (st != CXM_OK) {
    fprintf(stderr, "cxm_store_survey: %s\n", cxm_status_str(st));
    return 1;
  }

  if (cxm_nps_compute(&n1, &a1.nps) != CXM_OK || cxm_nps_compute(&n2, &a2.nps) != CXM_OK ||
      cxm_csat_compute(&c1, &a1.csat) != CXM_OK || cxm_csat_compute(&c2, &a2.csat) != CXM_OK ||
      cxm_nps_compare(&nps_cmp, &a1.nps, &a2.nps) != CXM_OK ||
      cxm_csat_compare(&csat_cmp, &a1.csat, &a2.csat) != CXM_OK) {
    fprintf(stderr, "metric computation failed\n");
    return 1;
  }

  printf("%-6s %-8s %6s %8s   %s\n", "metric", "month", "n", "score", "95% interval");
  printf("%-6s %-8s %6llu %8.1f   [%.1f, %.1f]\n", "NPS", m1, (unsigned long long)n1.n, n1.score, n1.ci95_low,
         n1.ci95_high);
  printf("%-6s %-8s %6llu %8.1f   [%.1f, %.1f]\n", "NPS", m2, (unsigned long long)n2.n, n2.score, n2.ci95_low,
         n2.ci95_high);
  printf("%-6s %-8s %6llu %8.1f   [%.1f, %.1f]\n", "CSAT", m1, (unsigned long long)c1.n, c1.score, c1.ci95_low,
         c1.ci95_high);
  printf("%-6s %-8s %6llu %8.1f   [%.1f, %.1f]\n\n", "CSAT", m2, (unsigned long long)c2.n, c2.score, c2.ci95_low,
         c2.ci95_high);

  printf("NPS  %s - %s: diff %+.1f points, SE %.1f, z %.2f, p %.4f\n", m2, m1, nps_cmp.diff, nps_cmp.se, nps_cmp.z,
         nps_cmp.p);
  interpret("NPS", &nps_cmp, m1, m2);
  printf("CSAT %s - %s: diff %+.1f points, SE %.1f, z %.2f, p %.4f\n", m2, m1, csat_cmp.diff, csat_cmp.se, csat_cmp.z,
         csat_cmp.p);
  interpret("CSAT", &csat_cmp, m1, m2);

  /* As a smoke test: the comparison must agree with the two results. */
  if (n1.n > 0 && n2.n > 0 && !(fabs(nps_cmp.diff - (n2.score - n1.score)) < 1e-9)) {
    fprintf(stderr, "compare_months: NPS difference disagrees with the two scores\n");
    return 1;
  }
  return 0;
}
