/* Cox proportional hazards (Cox 1972) on (start, stop] rows, fitted by
 * Newton-Raphson with step halving on the log partial likelihood, Breslow
 * (1974) or Efron (1977) handling of tied losses, as R's coxph does
 * (Therneau & Grambsch 2000, ch. 3). Covariates are centred at their means
 * (which leaves beta unchanged and keeps exp(x'beta) in range); risk sets
 * are swept once per iteration from the latest time down, adding rows whose
 * stop is at or after t and removing those whose start is at or after t.
 * docs/retention.md holds the formulas. */
#include "cxm/survival.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "math/chisq.h"
#include "math/linalg.h"
#include "math/stats.h"

struct cxm_cox {
  cxmi_alloc alloc;
  size_t p;
  double z;
  double *beta;
  double *var; /* p x p inverse information at beta */
  cxm_cox_summary sum;
};

typedef struct key_idx {
  double key;
  size_t idx;
} key_idx;

/* descending key; ties by index for a deterministic order */
static int cmp_desc(const void *a, const void *b) {
  const key_idx *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? 1 : -1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

typedef struct cox_data {
  size_t n, p;
  const double *stop;
  const uint8_t *event;
  const double *x; /* centred, n x p */
  const key_idx *by_stop, *by_start;
  int efron;
  /* scratch, p or p x p */
  double *w, *s1, *s2, *e1, *e2, *a1, *a2;
} cox_data;

/* Log partial likelihood, score u and information (p x p) at beta; 0 when
 * exp(x'beta) overflows. */
static int cox_eval(const cox_data *cd, const double *beta, double *ll, double *u, double *info) {
  size_t n = cd->n, p = cd->p, is = 0, ia = 0;
  double s0 = 0, loglik = 0;
  for (size_t i = 0; i < n; i++) {
    double eta = 0;
    for (size_t k = 0; k < p; k++) eta += cd->x[i * p + k] * beta[k];
    if (!(eta < 700)) return 0;
    cd->w[i] = exp(eta);
  }
  memset(u, 0, p * sizeof *u);
  memset(info, 0, p * p * sizeof *info);
  memset(cd->s1, 0, p * sizeof *cd->s1);
  memset(cd->s2, 0, p * p * sizeof *cd->s2);
  while (is < n) {
    double t = cd->stop[cd->by_stop[is].idx], d = 0, e0 = 0;
    size_t first = is;
    /* add every row with stop >= t */
    for (; is < n && cd->stop[cd->by_stop[is].idx] == t; is++) {
      size_t r = cd->by_stop[is].idx;
      const double *xr = cd->x + r * p;
      s0 += cd->w[r];
      for (size_t a = 0; a < p; a++) {
        cd->s1[a] += cd->w[r] * xr[a];
        for (size_t b = 0; b <= a; b++) cd->s2[a * p + b] += cd->w[r] * xr[a] * xr[b];
      }
    }
    /* remove every row whose start is at or after t: not at risk at t */
    for (; ia < n && cd->by_start[ia].key >= t; ia++) {
      size_t r = cd->by_start[ia].idx;
      const double *xr = cd->x + r * p;
      s0 -= cd->w[r];
      for (size_t a = 0; a < p; a++) {
        cd->s1[a] -= cd->w[r] * xr[a];
        for (size_t b = 0; b <= a; b++) cd->s2[a * p + b] -= cd->w[r] * xr[a] * xr[b];
      }
    }
    memset(cd->e1, 0, p * sizeof *cd->e1);
    memset(cd->e2, 0, p * p * sizeof *cd->e2);
    for (size_t q = first; q < is; q++) {
      size_t r = cd->by_stop[q].idx;
      const double *xr = cd->x + r * p;
      if (!cd->event[r]) continue;
      d += 1;
      e0 += cd->w[r];
      loglik += log(cd->w[r]);
      for (size_t a = 0; a < p; a++) {
        u[a] += xr[a];
        cd->e1[a] += cd->w[r] * xr[a];
        for (size_t b = 0; b <= a; b++) cd->e2[a * p + b] += cd->w[r] * xr[a] * xr[b];
      }
    }
    if (d == 0) continue;
    /* Breslow: d copies of the full risk set; Efron: the tied losers'
     * weight is removed a fraction r/d at a time */
    for (double r = 0; r < d; r += 1) {
      double f = cd->efron ? r / d : 0.0, mult = cd->efron ? 1.0 : d;
      double den = s0 - f * e0;
      if (!(den > 0)) return 0;
      loglik -= mult * log(den);
      for (size_t a = 0; a < p; a++) cd->a1[a] = (cd->s1[a] - f * cd->e1[a]) / den;
      for (size_t a = 0; a < p; a++) {
        u[a] -= mult * cd->a1[a];
        for (size_t b = 0; b <= a; b++)
          info[a * p + b] += mult * ((cd->s2[a * p + b] - f * cd->e2[a * p + b]) / den - cd->a1[a] * cd->a1[b]);
      }
      if (!cd->efron) break;
    }
  }
  for (size_t a = 0; a < p; a++)
    for (size_t b = 0; b < a; b++) info[b * p + a] = info[a * p + b];
  *ll = loglik;
  return isfinite(loglik);
}

void cxm_cox_options_init(cxm_cox_options *opt) {
  if (opt == NULL) return;
  memset(opt, 0, sizeof *opt);
  opt->size = sizeof *opt;
  opt->ties = CXM_COX_BRESLOW;
  opt->max_iterations = 30;
  opt->tolerance = 1e-9;
  opt->conf_level = 0.95;
}

int32_t cxm_cox_fit(cxm_cox **out, const cxm_allocator *alloc, const double *start, const double *stop,
                    const uint8_t *event, const double *x, size_t n, size_t p, const cxm_cox_options *opt) {
  cxm_cox_options o;
  cxmi_alloc al;
  cox_data cd;
  cxm_cox *cox = NULL;
  key_idx *by_stop = NULL, *by_start = NULL;
  double *xc = NULL, *scratch = NULL, *beta, *u, *info, *chol, *step, *nb, *u0;
  double ll = 0, ll0 = 0, llnew = 0, score = 0;
  size_t nscratch, events = 0;
  int32_t rc, it = 0;
  int converged = 0;
  if (out == NULL || stop == NULL || event == NULL || x == NULL) return CXM_E_ARG;
  if (opt == NULL)
    cxm_cox_options_init(&o);
  else if (opt->size != sizeof o)
    return CXM_E_SIZE;
  else
    o = *opt;
  if ((o.ties != CXM_COX_BRESLOW && o.ties != CXM_COX_EFRON) || o.max_iterations < 1 || o.max_iterations > 1000 ||
      !(o.tolerance > 0 && o.tolerance < 1) || !(o.conf_level > 0 && o.conf_level < 1))
    return CXM_E_OPTION;
  if (p < 1 || p > CXM_COX_MAX_P) return CXM_E_OPTION;
  if (n == 0) return CXM_E_NO_DATA;
  if (n > SIZE_MAX / (p * sizeof(double))) return CXM_E_NOMEM;
  for (size_t i = 0; i < n; i++) {
    double s = start != NULL ? start[i] : 0.0;
    if (!isfinite(s) || !isfinite(stop[i]) || !(stop[i] > s) || event[i] > 1) return CXM_E_VALUE;
    for (size_t k = 0; k < p; k++)
      if (!isfinite(x[i * p + k])) return CXM_E_VALUE;
    events += event[i];
  }
  if (events == 0) return CXM_E_NO_DATA;
  rc = cxmi_alloc_init(&al, alloc);
  if (rc != CXM_OK) return rc;
  nscratch = n + 5 * p + 5 * p * p + 2 * p;
  xc = cxmi_calloc(&al, n * p, sizeof *xc);
  scratch = cxmi_calloc(&al, nscratch, sizeof *scratch);
  by_stop = cxmi_calloc(&al, n, sizeof *by_stop);
  by_start = cxmi_calloc(&al, n, sizeof *by_start);
  cox = cxmi_calloc(&al, 1, sizeof *cox);
  if (cox != NULL) {
    cox->beta = cxmi_calloc(&al, p, sizeof *cox->beta);
    cox->var = cxmi_calloc(&al, p * p, sizeof *cox->var);
  }
  if (xc == NULL || scratch == NULL || by_stop == NULL || by_start == NULL || cox == NULL || cox->beta == NULL ||
      cox->var == NULL) {
    rc = CXM_E_NOMEM;
    goto fail;
  }
  for (size_t k = 0; k < p; k++) {
    double mean = 0;
    for (size_t i = 0; i < n; i++) mean += x[i * p + k];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) xc[i * p + k] = x[i * p + k] - mean;
  }
  for (size_t i = 0; i < n; i++) {
    by_stop[i].key = stop[i];
    by_stop[i].idx = i;
    by_start[i].key = start != NULL ? start[i] : 0.0;
    by_start[i].idx = i;
  }
  qsort(by_stop, n, sizeof *by_stop, cmp_desc);
  qsort(by_start, n, sizeof *by_start, cmp_desc);
  cd.n = n;
  cd.p = p;
  cd.stop = stop;
  cd.event = event;
  cd.x = xc;
  cd.by_stop = by_stop;
  cd.by_start = by_start;
  cd.efron = o.ties == CXM_COX_EFRON;
  cd.w = scratch;
  cd.s1 = cd.w + n;
  cd.e1 = cd.s1 + p;
  cd.a1 = cd.e1 + p;
  u = cd.a1 + p;
  u0 = u + p;
  cd.s2 = u0 + p;
  cd.e2 = cd.s2 + p * p;
  cd.a2 = cd.e2 + p * p;
  info = cd.a2 + p * p;
  chol = info + p * p;
  step = chol + p * p;
  nb = step + p;
  beta = cox->beta;
  if (!cox_eval(&cd, beta, &ll, u, info)) {
    rc = CXM_E_CONVERGE;
    goto fail;
  }
  ll0 = ll;
  memcpy(u0, u, p * sizeof *u);
  memcpy(chol, info, p * p * sizeof *info);
  if (!cxmi_cholesky(chol, p)) {
    rc = CXM_E_CONVERGE;
    goto fail;
  }
  memcpy(step, u, p * sizeof *u);
  cxmi_chol_solve(chol, p, step);
  for (size_t a = 0; a < p; a++) score += u0[a] * step[a];
  while (it < o.max_iterations) {
    double halving = 1.0;
    int ok = 0;
    it++;
    /* Newton step from the factor of the information at beta; halve it
     * while the likelihood does not increase (R coxph does the same) */
    for (int h = 0; h < 30; h++) {
      for (size_t a = 0; a < p; a++) nb[a] = beta[a] + halving * step[a];
      if (cox_eval(&cd, nb, &llnew, u, info) && llnew >= ll - 1e-12 * fabs(ll)) {
        ok = 1;
        break;
      }
      halving *= 0.5;
    }
    if (!ok) break;
    memcpy(beta, nb, p * sizeof *nb);
    if (fabs(1.0 - ll / llnew) <= o.tolerance || llnew == ll) {
      ll = llnew;
      converged = 1;
      break;
    }
    ll = llnew;
    memcpy(chol, info, p * p * sizeof *info);
    if (!cxmi_cholesky(chol, p)) break;
    memcpy(step, u, p * sizeof *u);
    cxmi_chol_solve(chol, p, step);
  }
  /* variance: inverse information at the returned beta (info holds it
   * after the last accepted evaluation) */
  if (!cox_eval(&cd, beta, &ll, u, info)) converged = 0;
  memcpy(chol, info, p * p * sizeof *info);
  if (!cxmi_cholesky(chol, p)) {
    converged = 0;
    for (size_t a = 0; a < p * p; a++) cox->var[a] = NAN;
  } else {
    cxmi_chol_inverse(chol, p, cox->var);
  }
  cox->alloc = al;
  cox->p = p;
  cox->z = cxmi_normal_quantile(1.0 - 0.5 * (1.0 - o.conf_level));
  cox->sum.size = sizeof cox->sum;
  cox->sum.n = n;
  cox->sum.events = events;
  cox->sum.p = (int32_t)p;
  cox->sum.iterations = it;
  cox->sum.converged = converged;
  cox->sum.loglik0 = ll0;
  cox->sum.loglik = ll;
  cox->sum.lr_chisq = 2.0 * (ll - ll0);
  cox->sum.lr_p = cxmi_chisq_sf(cox->sum.lr_chisq, (double)p);
  cox->sum.score_chisq = score;
  cox->sum.wald_chisq = 0;
  for (size_t a = 0; a < p; a++)
    for (size_t b = 0; b < p; b++) cox->sum.wald_chisq += beta[a] * info[a * p + b] * beta[b];
  cxmi_free(&al, xc, n * p * sizeof *xc);
  cxmi_free(&al, scratch, nscratch * sizeof *scratch);
  cxmi_free(&al, by_stop, n * sizeof *by_stop);
  cxmi_free(&al, by_start, n * sizeof *by_start);
  *out = cox;
  return converged ? CXM_OK : CXM_E_CONVERGE;
fail:
  cxmi_free(&al, xc, n * p * sizeof *xc);
  cxmi_free(&al, scratch, nscratch * sizeof *scratch);
  cxmi_free(&al, by_stop, n * sizeof *by_stop);
  cxmi_free(&al, by_start, n * sizeof *by_start);
  if (cox != NULL) {
    cxmi_free(&al, cox->beta, p * sizeof *cox->beta);
    cxmi_free(&al, cox->var, p * p * sizeof *cox->var);
    cxmi_free(&al, cox, sizeof *cox);
  }
  return rc;
}

void cxm_cox_free(cxm_cox *cox) {
  cxmi_alloc al;
  if (cox == NULL) return;
  al = cox->alloc;
  cxmi_free(&al, cox->beta, cox->p * sizeof *cox->beta);
  cxmi_free(&al, cox->var, cox->p * cox->p * sizeof *cox->var);
  cxmi_free(&al, cox, sizeof *cox);
}

int32_t cxm_cox_coef_get(cxm_cox_coef *coef, const cxm_cox *cox, size_t j) {
  double b, se;
  if (coef == NULL || cox == NULL) return CXM_E_ARG;
  if (coef->size != sizeof *coef) return CXM_E_SIZE;
  if (j >= cox->p) return CXM_E_NOT_FOUND;
  b = cox->beta[j];
  se = sqrt(cox->var[j * cox->p + j]);
  coef->beta = b;
  coef->se = se;
  coef->hr = exp(b);
  coef->hr_lower = exp(b - cox->z * se);
  coef->hr_upper = exp(b + cox->z * se);
  coef->z = b / se;
  coef->p = cxmi_two_sided_p(coef->z);
  return CXM_OK;
}

int32_t cxm_cox_summary_get(cxm_cox_summary *sum, const cxm_cox *cox) {
  if (sum == NULL || cox == NULL) return CXM_E_ARG;
  if (sum->size != sizeof *sum) return CXM_E_SIZE;
  *sum = cox->sum;
  return CXM_OK;
}
