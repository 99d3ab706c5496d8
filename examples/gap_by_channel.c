/*
 * gap_by_channel: where does the company fool itself most? For each
 * channel, the perception gap between the company's own rating of its
 * service (`internal`) and the customer's rating of the same interaction
 * (docs/experience.md), with a sentence of interpretation.
 *
 *   $ ./gap_by_channel [FILE]
 *
 * FILE defaults to the bundled examples/data/sample_events.csv.
 */
#include <cxm.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CXM_EXAMPLE_DATA
#define CXM_EXAMPLE_DATA "examples/data"
#endif

/* Below this many rated interactions a channel's gap is not interpreted. */
#define MIN_PAIRS 10

typedef struct channel_gap {
  char name[CXM_MAX_CHANNEL_LEN + 1];
  cxm_gap_result gap;
} channel_gap;

/* Largest gap first: the channel where the company fools itself most. */
static int by_gap_descending(const void *x, const void *y) {
  const channel_gap *a = x, *b = y;
  double ga = a->gap.pairs > 0 ? a->gap.mean : -INFINITY, gb = b->gap.pairs > 0 ? b->gap.mean : -INFINITY;
  return ga < gb ? 1 : ga > gb ? -1 : strcmp(a->name, b->name);
}

static void interpret(const channel_gap *c) {
  const cxm_gap_result *g = &c->gap;
  printf("%-8s %5llu pairs  gap %+6.1f  [%6.1f, %6.1f]  blind spots %4.1f%%\n         ", c->name,
         (unsigned long long)g->pairs, g->mean, g->ci95_low, g->ci95_high, g->blind_spot_pct);
  if (g->pairs < MIN_PAIRS) {
    printf("Too few interactions rated by both sides to say anything yet.\n");
  } else if (g->ci95_low > 0) {
    printf(
        "The company rates its %s service %.1f points above what customers feel; "
        "in %.0f%% of interactions it gave itself top marks the customer did not.\n",
        c->name, g->mean, g->blind_spot_pct);
  } else if (g->ci95_high < 0) {
    printf("Customers rate %s %.1f points above the company's own score: internal QA is too harsh here.\n", c->name,
           -g->mean);
  } else {
    printf("No clear gap: internal ratings and customers agree within the interval.\n");
  }
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : CXM_EXAMPLE_DATA "/sample_events.csv";
  cxm_store *store = NULL;
  cxm_groups *groups = NULL;
  channel_gap *rows = NULL;
  size_t i, n = 0;
  int32_t rc = cxm_store_new(&store, NULL);

  if (rc == CXM_OK) rc = cxm_store_ingest_file(store, path, NULL, NULL);
  if (rc == CXM_OK) rc = cxm_store_group(&groups, store, NULL, CXM_BY_CHANNEL);
  if (rc == CXM_OK) {
    n = cxm_groups_count(groups);
    rows = calloc(n > 0 ? n : 1, sizeof *rows);
    if (rows == NULL) rc = CXM_E_NOMEM;
  }
  /* Each group's filter selects its channel; the gap of that slice is the
   * gap of the interactions whose earliest internal rating was there. */
  for (i = 0; rc == CXM_OK && i < n; i++) {
    const char *key;
    size_t len;
    cxm_filter filter;
    cxm_gap_acc acc;
    rc = cxm_groups_key(&key, &len, groups, i);
    if (rc == CXM_OK) rc = cxm_groups_filter(&filter, groups, i);
    if (rc == CXM_OK) rc = cxm_store_gap(&acc, store, &filter, NULL);
    if (rc == CXM_OK) rc = cxm_gap_compute(&rows[i].gap, &acc);
    snprintf(rows[i].name, sizeof rows[i].name, "%.*s", (int)len, key);
  }
  if (rc != CXM_OK) {
    fprintf(stderr, "gap_by_channel: %s: %s\n", path, cxm_status_str(rc));
  } else {
    size_t rated = 0;
    qsort(rows, n, sizeof *rows, by_gap_descending);
    printf("Perception gap by channel (service - experience, 0..100 points; 95%% interval)\n\n");
    for (i = 0; i < n; i++) {
      if (rows[i].gap.pairs == 0) continue;
      interpret(&rows[i]);
      rated++;
    }
    if (rated == 0) {
      fprintf(stderr, "gap_by_channel: %s: no interaction is rated by both sides\n", path);
      rc = CXM_E_NOT_FOUND;
    }
  }
  free(rows);
  cxm_groups_free(groups);
  cxm_store_free(store);
  return rc == CXM_OK ? 0 : 1;
}
