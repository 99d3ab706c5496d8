/*
 * rejected_rows: read a file with bad rows, report each one (line, column,
 * reason) through the reader's callback, and show that the good rows around
 * them were kept (docs/events.md, "Bad input").
 *
 *   $ ./rejected_rows [FILE]
 *
 * FILE defaults to the bundled examples/data/with_errors.csv, whose bad
 * rows are listed in examples/data/README.md. For that file the program
 * also checks the counts (it doubles as a test in meson suite "examples").
 */
#include <cxm.h>

#include <stdio.h>
#include <string.h>

#ifndef CXM_EXAMPLE_DATA
#define CXM_EXAMPLE_DATA "examples/data"
#endif

/* What the callback saw: the caller's context, passed as `user`. */
typedef struct seen {
  const char *path;
  unsigned rejected;
  unsigned warnings;
  uint64_t lines[64]; /* line of each rejection, in order */
} seen;

static void on_row_error(void *user, const cxm_row_error *e) {
  seen *s = user;
  if (e->status > 0) { /* a notice, e.g. CXM_UNKNOWN_COLUMN: nothing was lost */
    s->warnings++;
    fprintf(stdout, "%s:%llu: column %s: warning: %s\n", s->path, (unsigned long long)e->line, e->column, e->reason);
    return;
  }
  if (s->rejected < sizeof s->lines / sizeof s->lines[0]) {
    s->lines[s->rejected] = e->line;
  }
  s->rejected++;
  printf("%s:%llu: column %s: %s (%s)\n", s->path, (unsigned long long)e->line, e->column, e->reason,
         cxm_status_name(e->status));
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : CXM_EXAMPLE_DATA "/with_errors.csv";
  cxm_store *store = NULL;
  cxm_reader_options ropt;
  cxm_reader_stats rs;
  cxm_store_stats ss;
  cxm_survey_acc acc;
  cxm_nps_result nps;
  seen s;
  int32_t st;

  memset(&s, 0, sizeof s);
  s.path = path;
  st = cxm_store_new(&store, NULL);
  if (st != CXM_OK) {
    fprintf(stderr, "cxm_store_new: %s\n", cxm_status_str(st));
    return 1;
  }

  cxm_reader_options_init(&ropt);
  ropt.on_error = on_row_error; /* lenient mode (strict = 0): report and go on */
  ropt.user = &s;
  memset(&rs, 0, sizeof rs);
  rs.size = sizeof rs;
  printf("Rejected rows:\n");
  st = cxm_store_ingest_file(store, path, &ropt, &rs);
  if (st != CXM_OK) {
    fprintf(stderr, "%s: %s\n", path, cxm_status_str(st));
    cxm_store_free(store);
    return 1;
  }

  memset(&ss, 0, sizeof ss);
  ss.size = sizeof ss;
  st = cxm_store_stats_get(&ss, store);
  if (st == CXM_OK) st = cxm_store_survey(&acc, store, NULL);
  if (st == CXM_OK) st = cxm_nps_compute(&nps, &acc.nps);
  cxm_store_free(store);
  if (st != CXM_OK) {
    fprintf(stderr, "query: %s\n", cxm_status_str(st));
    return 1;
  }

  printf("\nRead %llu rows: %llu rejected, %llu duplicate, %llu recorded.\n", (unsigned long long)rs.rows,
         (unsigned long long)rs.rejected, (unsigned long long)rs.duplicates, (unsigned long long)rs.events);
  printf("The store kept every good row: %llu events from %llu customers;\n", (unsigned long long)ss.events,
         (unsigned long long)ss.customers);
  printf("e.g. the NPS answers around the bad rows: n = %llu (promoters %llu, detractors %llu).\n",
         (unsigned long long)nps.n, (unsigned long long)nps.promoters, (unsigned long long)nps.detractors);

  /* Checks for the bundled file (README.md lists each bad row): 30 rows,
   * 13 rejected at these lines, one duplicate of w-03, 16 events from 12
   * customers kept; the NPS answers kept are w-01 (9), w-02 (6) and w-28
   * (10) (w-07, w-12, w-13, w-24 were rejected): 3 answers, 2 promoters,
   * 1 detractor. */
  if (argc <= 1) {
    static const uint64_t want[] = {5, 8, 10, 13, 14, 17, 18, 20, 22, 23, 25, 28, 30};
    size_t i;
    int ok = rs.rows == 30 && rs.rejected == 13 && s.rejected == 13 && rs.duplicates == 1 && rs.events == 16 &&
             ss.events == 16 && ss.duplicates == 1 && ss.customers == 12 && nps.n == 3 && nps.promoters == 2 &&
             nps.detractors == 1;
    for (i = 0; ok && i < sizeof want / sizeof want[0]; i++) {
      ok = s.lines[i] == want[i];
    }
    if (!ok) {
      fprintf(stderr, "rejected_rows: the counts differ from examples/data/README.md\n");
      return 1;
    }
  }
  return 0;
}
