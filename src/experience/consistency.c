/* Channel consistency of a slice (docs/metrics.md): the sample standard
 * deviation, across channels with enough customer ratings, of each
 * channel's mean rating on the common 0..100 scale. */
#include "experience/experience_internal.h"

#include "store/slice.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Count and sum of the normalised customer ratings in an accumulator. */
static void add_ratings(double *n, double *sum, const cxm_survey_acc *s) {
  int v;
  for (v = 0; v <= 10; v++) {
    *n += (double)s->nps.count[v];
    *sum += (double)s->nps.count[v] * (10.0 * v);
  }
  for (v = 1; v <= 5; v++) {
    *n += (double)s->csat.count[v - 1];
    *sum += (double)s->csat.count[v - 1] * (25.0 * (v - 1));
  }
  for (v = 1; v <= 7; v++) {
    *n += (double)s->ces.count[v - 1];
    *sum += (double)s->ces.count[v - 1] * (100.0 * (v - 1) / 6.0);
  }
}

/* The spread of channel means, fed channel by channel in code order. */
typedef struct spread {
  cxm_consistency_result r;
  double m2, mean;
  uint32_t k;
} spread;

static void spread_init(spread *s) {
  memset(s, 0, sizeof *s);
  s->r.weakest_channel = -1;
  s->r.sd = s->r.mean_of_means = s->r.weakest_mean = NAN;
}

static void spread_add(spread *s, int32_t channel, double n, double sum, const cxm_experience_options *o) {
  double m, delta;
  if (n == 0 || n < (double)o->min_channel_ratings) return;
  m = sum / n;
  s->k++;
  delta = m - s->mean; /* Welford over the channel means */
  s->mean += delta / s->k;
  s->m2 += delta * (m - s->mean);
  if (s->r.weakest_channel < 0 || m < s->r.weakest_mean) {
    s->r.weakest_channel = channel;
    s->r.weakest_mean = m;
  }
}

static void spread_end(cxm_consistency_result *out, spread *s) {
  s->r.channels = s->k;
  if (s->k >= 1) s->r.mean_of_means = s->mean;
  if (s->k >= 2) s->r.sd = sqrt(s->m2 / (s->k - 1));
  *out = s->r;
}

int32_t cxm_store_consistency(cxm_consistency_result *out, const cxm_store *store, const cxm_filter *filter,
                              const cxm_experience_options *options) {
  cxm_filter f;
  cxm_experience_options o;
  spread sp;
  cxmi_alloc a;
  size_t channels, i;
  double *n, *sum;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  rc = cxmi_experience_options_resolve(&o, options);
  if (rc != CXM_OK) return rc;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  channels = CXM_CHANNEL_FIRST_CUSTOM + (size_t)store->channels.count;
  n = cxmi_calloc(&a, channels * 2, sizeof *n);
  if (n == NULL) return CXM_E_NOMEM;
  sum = n + channels;
  for (i = 0; i < store->cube.count; i++) {
    const cxmi_cell *c = &store->cube.cells[i];
    if (cxmi_cell_selected(store, &f, c)) add_ratings(&n[c->key.channel], &sum[c->key.channel], &c->survey);
  }
  spread_init(&sp);
  for (i = 0; i < channels; i++) spread_add(&sp, (int32_t)i, n[i], sum[i], &o);
  spread_end(out, &sp);
  cxmi_free(&a, n, channels * 2 * sizeof *n);
  return CXM_OK;
}

/* A selected cell of a grouped query, by (group, channel) and then by its
 * place in the cell array. */
typedef struct group_cell {
  uint64_t key; /* group << 32 | channel */
  uint64_t cell;
} group_cell;

static int compare_group_cell(const void *x, const void *y) {
  const group_cell *a = x, *b = y;
  if (a->key != b->key) return a->key < b->key ? -1 : 1;
  return a->cell < b->cell ? -1 : a->cell > b->cell;
}

int32_t cxmi_group_consistency(cxm_consistency_result *out, const cxmi_grouping *g, const cxm_experience_options *o) {
  const cxm_store *store = g->store;
  cxmi_alloc a;
  group_cell *cells = NULL;
  size_t n = 0, i, j, k;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  if (store->cube.count > 0) {
    cells = cxmi_malloc(&a, (size_t)store->cube.count * sizeof *cells);
    if (cells == NULL) return CXM_E_NOMEM;
  }
  for (i = 0; i < store->cube.count; i++) {
    int64_t at = cxmi_grouping_cell(g, &store->cube.cells[i]);
    if (at < 0) continue;
    cells[n].key = (uint64_t)at << 32 | (uint32_t)store->cube.cells[i].key.channel;
    cells[n].cell = i;
    n++;
  }
  /* Sorted, each group's channels come in code order, as the dense loop of
   * cxm_store_consistency() meets them, and each channel's cells in cell
   * order, as it sums them: the doubles come out bit for bit the same.
   * (Sorting 16-byte entries costs less memory than a map of every
   * (group, channel): by segment, nearly every cell is its own pair.) */
  if (n > 0) qsort(cells, n, sizeof *cells, compare_group_cell);
  for (i = 0, k = 0; k < g->count; k++) {
    spread sp;
    spread_init(&sp);
    while (i < n && cells[i].key >> 32 == k) {
      double count = 0, sum = 0;
      for (j = i; j < n && cells[j].key == cells[i].key; j++)
        add_ratings(&count, &sum, &store->cube.cells[cells[j].cell].survey);
      spread_add(&sp, (int32_t)(uint32_t)cells[i].key, count, sum, o);
      i = j;
    }
    spread_end(&out[k], &sp);
  }
  cxmi_free(&a, cells, (size_t)store->cube.count * sizeof *cells);
  return CXM_OK;
}
