/* Multiple-comparison adjustment of p-values (cxm_p_adjust, cxm/slicestats.h).
 *
 * Holm, S. (1979) "A simple sequentially rejective multiple test procedure",
 * Scand. J. Statist. 6: 65-70: with the m finite p-values sorted ascending,
 * p~(i) = max_{j <= i} min(1, (m - j + 1) p(j)).
 * Benjamini, Y. & Hochberg, Y. (1995) "Controlling the false discovery rate",
 * JRSS B 57: 289-300: p~(i) = min_{j >= i} min(1, m p(j) / j).
 * Both equal R's p.adjust and statsmodels' multipletests (tests/test_slicestats.c
 * checks the latter on random sets). Ties give equal adjusted values whatever
 * their order, so the sort need not be stable. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/alloc.h"
#include "cxm/slicestats.h"

typedef struct ranked {
  double p;
  size_t at;
} ranked;

static int by_p(const void *a, const void *b) {
  double x = ((const ranked *)a)->p;
  double y = ((const ranked *)b)->p;
  return (x > y) - (x < y);
}

int32_t cxm_p_adjust(double *adjusted, const double *p, size_t k, int32_t method, const cxm_allocator *hooks) {
  if (k > 0 && (adjusted == NULL || p == NULL)) return CXM_E_ARG;
  if (method != CXM_ADJUST_NONE && method != CXM_ADJUST_HOLM && method != CXM_ADJUST_BH) return CXM_E_OPTION;
  size_t m = 0;
  for (size_t i = 0; i < k; i++) {
    if (isnan(p[i])) continue;
    if (!(p[i] >= 0.0 && p[i] <= 1.0)) return CXM_E_VALUE;
    m++;
  }
  if (method == CXM_ADJUST_NONE || m == 0) {
    for (size_t i = 0; i < k; i++) adjusted[i] = p[i];
    return CXM_OK;
  }
  if (m > SIZE_MAX / sizeof(ranked)) return CXM_E_NOMEM;
  cxmi_alloc a;
  int32_t rc = cxmi_alloc_init(&a, hooks);
  if (rc != CXM_OK) return rc;
  ranked *r = cxmi_malloc(&a, m * sizeof *r);
  if (r == NULL) return CXM_E_NOMEM;
  size_t j = 0;
  for (size_t i = 0; i < k; i++) {
    if (!isnan(p[i])) r[j++] = (ranked){p[i], i};
  }
  qsort(r, m, sizeof *r, by_p);
  double dm = (double)m;
  /* Written into r[].p first, then scattered, so adjusted may alias p. */
  if (method == CXM_ADJUST_HOLM) {
    double run = 0.0;
    for (size_t i = 0; i < m; i++) {
      double v = fmin(1.0, (dm - (double)i) * r[i].p);
      if (v > run) run = v;
      r[i].p = run;
    }
  } else {
    double run = 1.0;
    for (size_t i = m; i-- > 0;) {
      double v = fmin(1.0, dm * r[i].p / (double)(i + 1));
      if (v < run) run = v;
      r[i].p = run;
    }
  }
  for (size_t i = 0; i < k; i++) {
    if (isnan(p[i])) adjusted[i] = NAN;
  }
  for (size_t i = 0; i < m; i++) adjusted[r[i].at] = r[i].p;
  cxmi_free(&a, r, m * sizeof *r);
  return CXM_OK;
}
