/* Key driver analysis: listwise deletion, standardisation and correlation
 * matrices, then the relative weights (src/drivers/relweights.c) and the Shapley
 * decomposition (src/drivers/shapley.c); percentile bootstrap intervals of each
 * weight and of its difference from the weight of an added random normal
 * variable (Tonidandel, LeBreton & Johnson 2009, Psychological Methods
 * 14(4), 387-399); importance-performance quadrants (Martilla & James
 * 1977). docs/drivers.md holds the formulas. */
#include "cxm/drivers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "drivers/relweights.h"
#include "drivers/shapley.h"

struct cxm_drivers {
  cxmi_alloc alloc;
  size_t p;
  cxm_drivers_summary sum;
  cxm_driver drv[CXM_DRIVERS_MAX];
};

void cxm_drivers_options_init(cxm_drivers_options *opt) {
  if (opt == NULL) return;
  memset(opt, 0, sizeof *opt);
  opt->size = sizeof *opt;
  opt->outcome = CXM_DRIVERS_LINEAR;
  opt->bootstrap = 200;
  opt->seed = 1;
  opt->conf_level = 0.95;
  opt->scale_min = 1;
  opt->scale_max = 7;
}

/* SplitMix64 (Steele, Lea & Flood 2014): the bootstrap's generator, its
 * state on the stack of the call, so equal seeds give equal intervals. */
static uint64_t next_u64(uint64_t *s) {
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static double next_unit(uint64_t *s) { return ((double)(next_u64(s) >> 11) + 0.5) * 0x1.0p-53; }

/* uniform in [0, m) without modulo bias (rejection) */
static size_t next_below(uint64_t *s, size_t m) {
  uint64_t lim = UINT64_MAX - UINT64_MAX % (uint64_t)m, v;
  do v = next_u64(s);
  while (v >= lim);
  return (size_t)(v % (uint64_t)m);
}

typedef struct work {
  double *zx;      /* m x q standardised */
  double *scratch; /* m x (q + 3) for the logistic fit */
  double r[CXMI_RW_MAX * CXMI_RW_MAX];
  double rxy[CXMI_RW_MAX];
} work;

/* Standardise x (m x q) and y, fill the correlation matrices; 0 when a
 * column or y has no variance. */
static int correlate(work *w, const double *x, const double *y, size_t m, size_t q) {
  double mean[CXMI_RW_MAX], sd[CXMI_RW_MAX], my = 0, sy = 0;
  for (size_t k = 0; k < q; k++) mean[k] = sd[k] = 0;
  for (size_t i = 0; i < m; i++) {
    my += y[i];
    for (size_t k = 0; k < q; k++) mean[k] += x[i * q + k];
  }
  my /= (double)m;
  for (size_t k = 0; k < q; k++) mean[k] /= (double)m;
  for (size_t i = 0; i < m; i++) {
    sy += (y[i] - my) * (y[i] - my);
    for (size_t k = 0; k < q; k++) sd[k] += (x[i * q + k] - mean[k]) * (x[i * q + k] - mean[k]);
  }
  if (!(sy > 0)) return 0;
  sy = sqrt(sy / (double)(m - 1));
  for (size_t k = 0; k < q; k++) {
    if (!(sd[k] > 0)) return 0;
    sd[k] = sqrt(sd[k] / (double)(m - 1));
  }
  for (size_t i = 0; i < m; i++)
    for (size_t k = 0; k < q; k++) w->zx[i * q + k] = (x[i * q + k] - mean[k]) / sd[k];
  for (size_t a = 0; a < q; a++) {
    double s = 0;
    for (size_t i = 0; i < m; i++) s += w->zx[i * q + a] * (y[i] - my) / sy;
    w->rxy[a] = s / (double)(m - 1);
    for (size_t b = 0; b <= a; b++) {
      double c = 0;
      for (size_t i = 0; i < m; i++) c += w->zx[i * q + a] * w->zx[i * q + b];
      w->r[a * q + b] = w->r[b * q + a] = a == b ? 1.0 : c / (double)(m - 1);
    }
  }
  return 1;
}

static int weights(double *rw, double *r2, work *w, const double *x, const double *y, size_t m, size_t q, int binary) {
  if (!correlate(w, x, y, m, q)) return 0;
  if (binary) return cxmi_relweights_logistic(rw, r2, w->zx, y, m, q, w->r, w->scratch);
  return cxmi_relweights_linear(rw, r2, w->r, w->rxy, q);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* type 7 quantile of sorted v[0..k) */
static double quantile_sorted(const double *v, size_t k, double prob) {
  double h = (double)(k - 1) * prob, lo = floor(h);
  size_t i = (size_t)lo;
  if (i + 1 >= k) return v[k - 1];
  return v[i] + (h - lo) * (v[i + 1] - v[i]);
}

int32_t cxm_drivers_fit(cxm_drivers **out, const cxm_allocator *alloc, const double *y, const double *x, size_t n,
                        size_t p, const cxm_drivers_options *opt) {
  cxm_drivers_options o;
  cxmi_alloc al;
  cxm_drivers *d = NULL;
  work w;
  size_t m = 0, q = p + 1, B, nb = 0, sizes[10] = {0};
  double *xs = NULL, *ys = NULL, *bx = NULL, *by = NULL, *boot = NULL, *sorted = NULL, *sh = NULL, *rnd = NULL;
  double rw[CXMI_RW_MAX], r2, perf_mean = 0, phi[CXM_DRIVERS_MAX];
  int binary;
  int32_t rc;
  uint64_t rng;
  if (out == NULL || y == NULL || x == NULL) return CXM_E_ARG;
  if (opt == NULL)
    cxm_drivers_options_init(&o);
  else if (opt->size != sizeof o)
    return CXM_E_SIZE;
  else
    o = *opt;
  if ((o.outcome != CXM_DRIVERS_LINEAR && o.outcome != CXM_DRIVERS_BINARY) || o.bootstrap < 0 || o.bootstrap > 100000 ||
      !(o.conf_level > 0 && o.conf_level < 1) || !isfinite(o.scale_min) || !isfinite(o.scale_max) ||
      !(o.scale_max > o.scale_min) || p < 2 || p > CXM_DRIVERS_MAX)
    return CXM_E_OPTION;
  binary = o.outcome == CXM_DRIVERS_BINARY;
  for (size_t i = 0; i < n; i++) {
    int complete = !isnan(y[i]);
    if (!isnan(y[i]) && (!isfinite(y[i]) || (binary && y[i] != 0 && y[i] != 1))) return CXM_E_VALUE;
    for (size_t k = 0; k < p; k++) {
      double v = x[i * p + k];
      if (isnan(v))
        complete = 0;
      else if (!(v >= o.scale_min && v <= o.scale_max))
        return CXM_E_VALUE;
    }
    m += (size_t)complete;
  }
  if (m < p + 2) return CXM_E_NO_DATA;
  rc = cxmi_alloc_init(&al, alloc);
  if (rc != CXM_OK) return rc;
  B = (size_t)o.bootstrap;
  sizes[0] = m * p;
  sizes[1] = m;
  sizes[2] = m * q;
  sizes[3] = m;
  sizes[4] = m * q;
  sizes[5] = m * (q + 3);
  sizes[6] = B * p * 2;
  sizes[7] = B > 0 ? B : 1;
  sizes[8] = (size_t)1 << p;
  sizes[9] = m;
  xs = cxmi_calloc(&al, sizes[0], sizeof(double));
  ys = cxmi_calloc(&al, sizes[1], sizeof(double));
  bx = cxmi_calloc(&al, sizes[2], sizeof(double));
  by = cxmi_calloc(&al, sizes[3], sizeof(double));
  w.zx = cxmi_calloc(&al, sizes[4], sizeof(double));
  w.scratch = cxmi_calloc(&al, sizes[5], sizeof(double));
  boot = B > 0 ? cxmi_calloc(&al, sizes[6], sizeof(double)) : NULL;
  sorted = cxmi_calloc(&al, sizes[7], sizeof(double));
  sh = binary ? NULL : cxmi_calloc(&al, sizes[8], sizeof(double));
  rnd = B > 0 ? cxmi_calloc(&al, sizes[9], sizeof(double)) : NULL;
  d = cxmi_calloc(&al, 1, sizeof *d);
  if (xs == NULL || ys == NULL || bx == NULL || by == NULL || w.zx == NULL || w.scratch == NULL ||
      (B > 0 && (boot == NULL || rnd == NULL)) || sorted == NULL || (!binary && sh == NULL) || d == NULL) {
    rc = CXM_E_NOMEM;
    goto fail;
  }
  for (size_t i = 0, r = 0; i < n; i++) {
    int complete = !isnan(y[i]);
    for (size_t k = 0; k < p; k++) complete &= !isnan(x[i * p + k]);
    if (!complete) continue;
    memcpy(xs + r * p, x + i * p, p * sizeof *xs);
    ys[r++] = y[i];
  }
  if (!weights(rw, &r2, &w, xs, ys, m, p, binary)) {
    rc = binary ? CXM_E_CONVERGE : CXM_E_VALUE;
    /* a constant column or outcome is a value problem, not a fit problem */
    if (!correlate(&w, xs, ys, m, p)) rc = CXM_E_VALUE;
    goto fail;
  }
  if (!binary && !cxmi_shapley_r2(phi, w.r, w.rxy, p, sh)) {
    rc = CXM_E_VALUE;
    goto fail;
  }
  /* bootstrap: a random normal column drawn once, then B resamples of the
   * rows; each gives the weights of the p attributes and, with the random
   * column added, the differences from the random column's weight */
  rng = o.seed;
  for (size_t i = 0; B > 0 && i < m; i += 2) {
    double u1 = next_unit(&rng), u2 = next_unit(&rng), rad = sqrt(-2.0 * log(u1));
    rnd[i] = rad * cos(2.0 * 3.14159265358979323846 * u2);
    if (i + 1 < m) rnd[i + 1] = rad * sin(2.0 * 3.14159265358979323846 * u2);
  }
  for (size_t b = 0; b < B; b++) {
    double rwb[CXMI_RW_MAX], rwe[CXMI_RW_MAX], r2b, r2e;
    for (size_t i = 0; i < m; i++) {
      size_t s = next_below(&rng, m);
      by[i] = ys[s];
      for (size_t k = 0; k < p; k++) bx[i * q + k] = xs[s * p + k];
      bx[i * q + p] = rnd[s];
    }
    if (!weights(rwe, &r2e, &w, bx, by, m, q, binary)) continue;
    /* drop the random column in place (row i moves down to i * p) */
    for (size_t i = 0; i < m; i++)
      for (size_t k = 0; k < p; k++) bx[i * p + k] = bx[i * q + k];
    if (!weights(rwb, &r2b, &w, bx, by, m, p, binary)) continue;
    for (size_t k = 0; k < p; k++) {
      boot[nb * 2 * p + k] = rwb[k];
      boot[nb * 2 * p + p + k] = rwe[k] - rwe[p];
    }
    nb++;
  }
  d->alloc = al;
  d->p = p;
  d->sum.size = sizeof d->sum;
  d->sum.n_rows = n;
  d->sum.n_used = m;
  d->sum.p = (int32_t)p;
  d->sum.outcome = o.outcome;
  d->sum.r2 = r2;
  d->sum.bootstrap = o.bootstrap;
  d->sum.bootstrap_ok = (int32_t)nb;
  for (size_t k = 0; k < p; k++) {
    cxm_driver *v = &d->drv[k];
    double mean = 0;
    for (size_t i = 0; i < m; i++) mean += xs[i * p + k];
    v->size = sizeof *v;
    v->weight = rw[k];
    v->share = r2 > 0 ? rw[k] / r2 * 100.0 : NAN;
    v->shapley = binary ? NAN : phi[k];
    v->mean_rating = mean / (double)m;
    v->performance = (v->mean_rating - o.scale_min) / (o.scale_max - o.scale_min) * 100.0;
    perf_mean += v->performance / (double)p;
    v->lower = v->upper = v->diff_lower = v->diff_upper = NAN;
    v->covers_zero = 0;
    if (nb >= 2) {
      double a = 0.5 * (1.0 - o.conf_level);
      for (size_t j = 0; j < 2; j++) {
        for (size_t b = 0; b < nb; b++) sorted[b] = boot[b * 2 * p + j * p + k];
        qsort(sorted, nb, sizeof *sorted, cmp_double);
        if (j == 0) {
          v->lower = quantile_sorted(sorted, nb, a);
          v->upper = quantile_sorted(sorted, nb, 1.0 - a);
        } else {
          v->diff_lower = quantile_sorted(sorted, nb, a);
          v->diff_upper = quantile_sorted(sorted, nb, 1.0 - a);
          v->covers_zero = v->diff_lower <= 0 && v->diff_upper >= 0;
        }
      }
    }
  }
  for (size_t k = 0; k < p; k++) {
    cxm_driver *v = &d->drv[k];
    int high_imp = v->share > 100.0 / (double)p, high_perf = v->performance > perf_mean;
    v->quadrant = high_imp ? (high_perf ? CXM_QUADRANT_STRENGTH : CXM_QUADRANT_FIX_FIRST)
                           : (high_perf ? CXM_QUADRANT_MAINTAIN : CXM_QUADRANT_LOW_PRIORITY);
  }
  rc = CXM_OK;
  *out = d;
  d = NULL;
fail:
  cxmi_free(&al, xs, sizes[0] * sizeof(double));
  cxmi_free(&al, ys, sizes[1] * sizeof(double));
  cxmi_free(&al, bx, sizes[2] * sizeof(double));
  cxmi_free(&al, by, sizes[3] * sizeof(double));
  cxmi_free(&al, w.zx, sizes[4] * sizeof(double));
  cxmi_free(&al, w.scratch, sizes[5] * sizeof(double));
  cxmi_free(&al, boot, B > 0 ? sizes[6] * sizeof(double) : 0);
  cxmi_free(&al, sorted, sizes[7] * sizeof(double));
  cxmi_free(&al, sh, binary ? 0 : sizes[8] * sizeof(double));
  cxmi_free(&al, rnd, B > 0 ? sizes[9] * sizeof(double) : 0);
  cxmi_free(&al, d, sizeof *d);
  return rc;
}

void cxm_drivers_free(cxm_drivers *d) {
  cxmi_alloc al;
  if (d == NULL) return;
  al = d->alloc;
  cxmi_free(&al, d, sizeof *d);
}

int32_t cxm_drivers_summary_get(cxm_drivers_summary *sum, const cxm_drivers *d) {
  if (sum == NULL || d == NULL) return CXM_E_ARG;
  if (sum->size != sizeof *sum) return CXM_E_SIZE;
  *sum = d->sum;
  return CXM_OK;
}

int32_t cxm_drivers_get(cxm_driver *drv, const cxm_drivers *d, size_t j) {
  if (drv == NULL || d == NULL) return CXM_E_ARG;
  if (drv->size != sizeof *drv) return CXM_E_SIZE;
  if (j >= d->p) return CXM_E_NOT_FOUND;
  *drv = d->drv[j];
  return CXM_OK;
}
