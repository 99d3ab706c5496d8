/* Channel consistency of a slice (docs/metrics.md): the sample standard
 * deviation, across channels with enough customer ratings, of each
 * channel's mean rating on the common 0..100 scale. */
#include "experience.h"

#include "slice.h"

#include <math.h>
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

int32_t cxm_store_consistency(cxm_consistency_result *out, const cxm_store *store, const cxm_filter *filter,
                              const cxm_experience_options *options) {
  cxm_filter f;
  cxm_experience_options o;
  cxm_consistency_result r;
  cxmi_alloc a;
  size_t channels, i;
  double *n, *sum, m2 = 0, mean = 0;
  uint32_t k = 0;
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
  memset(&r, 0, sizeof r);
  r.weakest_channel = -1;
  r.sd = r.mean_of_means = r.weakest_mean = NAN;
  for (i = 0; i < channels; i++) {
    double m, delta;
    if (n[i] == 0 || n[i] < (double)o.min_channel_ratings) continue;
    m = sum[i] / n[i];
    k++;
    delta = m - mean; /* Welford over the channel means */
    mean += delta / k;
    m2 += delta * (m - mean);
    if (r.weakest_channel < 0 || m < r.weakest_mean) {
      r.weakest_channel = (int32_t)i;
      r.weakest_mean = m;
    }
  }
  r.channels = k;
  if (k >= 1) r.mean_of_means = mean;
  if (k >= 2) r.sd = sqrt(m2 / (k - 1));
  cxmi_free(&a, n, channels * 2 * sizeof *n);
  *out = r;
  return CXM_OK;
}
