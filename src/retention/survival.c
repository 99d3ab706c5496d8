/* Kaplan-Meier (Kaplan & Meier 1958) with Greenwood's variance, log(-log)
 * intervals (Kalbfleisch & Prentice 2002, sec. 1.4), median and restricted
 * mean read as R's survfit reads them (survival 3.5: survmean, minmin), and
 * the Mantel-Haenszel log-rank test (Peto & Peto 1972) with delayed entry.
 * docs/retention.md holds the formulas. */
#include "cxm/survival.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "math/chisq.h"
#include "math/linalg.h"
#include "math/stats.h"

struct cxm_km {
  cxmi_alloc alloc;
  size_t m;
  cxm_km_step *step;
  double *hh; /* d / (n (n - d)) per step, 0 when n = d */
};

typedef struct km_row {
  double t;
  int32_t g;
  uint8_t e;
} km_row;

static int cmp_row(const void *a, const void *b) {
  const km_row *x = a, *y = b;
  return (x->t > y->t) - (x->t < y->t);
}

/* Check the rows and copy them sorted: times (with event, group) and entry
 * times (with group, in ent_g). */
static int32_t load_rows(cxmi_alloc *al, km_row **rows_out, km_row **ent_out, const double *entry, const double *time,
                         const uint8_t *event, const int32_t *group, int32_t k, size_t n) {
  km_row *rows, *ent;
  for (size_t i = 0; i < n; i++) {
    double e = entry != NULL ? entry[i] : 0.0;
    if (!isfinite(time[i]) || !isfinite(e) || e < 0 || !(time[i] > e) || event[i] > 1) return CXM_E_VALUE;
    if (group != NULL && (group[i] < 0 || group[i] >= k)) return CXM_E_VALUE;
  }
  rows = cxmi_calloc(al, n, sizeof *rows);
  ent = cxmi_calloc(al, n, sizeof *ent);
  if (rows == NULL || ent == NULL) {
    cxmi_free(al, rows, n * sizeof *rows);
    cxmi_free(al, ent, n * sizeof *ent);
    return CXM_E_NOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    rows[i].t = time[i];
    rows[i].e = event[i];
    rows[i].g = group != NULL ? group[i] : 0;
    ent[i].t = entry != NULL ? entry[i] : 0.0;
    ent[i].g = rows[i].g;
  }
  qsort(rows, n, sizeof *rows, cmp_row);
  qsort(ent, n, sizeof *ent, cmp_row);
  *rows_out = rows;
  *ent_out = ent;
  return CXM_OK;
}

static double z_of_level(double level) { return cxmi_normal_quantile(1.0 - 0.5 * (1.0 - level)); }

int32_t cxm_km_fit(cxm_km **out, const cxm_allocator *alloc, const double *entry, const double *time,
                   const uint8_t *event, size_t n, double conf_level) {
  cxmi_alloc al;
  km_row *rows = NULL, *ent = NULL;
  cxm_km *km;
  int32_t rc;
  size_t m = 0, i, j;
  double s = 1.0, vsum = 0.0, z;
  if (out == NULL || time == NULL || event == NULL) return CXM_E_ARG;
  if (n == 0) return CXM_E_NO_DATA;
  if (!(conf_level > 0 && conf_level < 1)) return CXM_E_OPTION;
  rc = cxmi_alloc_init(&al, alloc);
  if (rc != CXM_OK) return rc;
  rc = load_rows(&al, &rows, &ent, entry, time, event, NULL, 1, n);
  if (rc != CXM_OK) return rc;
  for (i = 0; i < n; i++)
    if (i == 0 || rows[i].t != rows[i - 1].t) m++;
  km = cxmi_calloc(&al, 1, sizeof *km);
  if (km != NULL) {
    km->step = cxmi_calloc(&al, m, sizeof *km->step);
    km->hh = cxmi_calloc(&al, m, sizeof *km->hh);
  }
  if (km == NULL || km->step == NULL || km->hh == NULL) {
    if (km != NULL) {
      cxmi_free(&al, km->step, m * sizeof *km->step);
      cxmi_free(&al, km->hh, m * sizeof *km->hh);
      cxmi_free(&al, km, sizeof *km);
    }
    cxmi_free(&al, rows, n * sizeof *rows);
    cxmi_free(&al, ent, n * sizeof *ent);
    return CXM_E_NOMEM;
  }
  km->alloc = al;
  km->m = m;
  z = z_of_level(conf_level);
  for (i = 0, j = 0, m = 0; i < n; m++) {
    double t = rows[i].t;
    uint64_t d = 0, c = 0, nr;
    cxm_km_step *st = &km->step[m];
    while (j < n && ent[j].t < t) j++;
    nr = (uint64_t)(j - i); /* entered before t, not yet left before t */
    for (; i < n && rows[i].t == t; i++) {
      if (rows[i].e)
        d++;
      else
        c++;
    }
    st->size = sizeof *st;
    st->time = t;
    st->n_risk = nr;
    st->n_event = d;
    st->n_censor = c;
    if (d > 0) {
      s *= 1.0 - (double)d / (double)nr;
      if (d < nr) {
        km->hh[m] = (double)d / ((double)nr * (double)(nr - d));
        vsum += km->hh[m];
      }
    }
    st->surv = s;
    if (s <= 0) {
      st->surv = 0;
      st->std_err = 0;
      st->lower = st->upper = NAN;
    } else if (s >= 1) {
      st->std_err = 0;
      st->lower = st->upper = 1.0;
    } else {
      double se_log = sqrt(vsum), L = log(s), a = log(-L);
      st->std_err = s * se_log;
      st->lower = exp(-exp(a - z * se_log / L));
      st->upper = exp(-exp(a + z * se_log / L));
    }
  }
  cxmi_free(&km->alloc, rows, n * sizeof *rows);
  cxmi_free(&km->alloc, ent, n * sizeof *ent);
  *out = km;
  return CXM_OK;
}

void cxm_km_free(cxm_km *km) {
  cxmi_alloc al;
  if (km == NULL) return;
  al = km->alloc;
  cxmi_free(&al, km->step, km->m * sizeof *km->step);
  cxmi_free(&al, km->hh, km->m * sizeof *km->hh);
  cxmi_free(&al, km, sizeof *km);
}

size_t cxm_km_steps(const cxm_km *km) { return km != NULL ? km->m : 0; }

int32_t cxm_km_step_get(cxm_km_step *step, const cxm_km *km, size_t index) {
  if (step == NULL || km == NULL) return CXM_E_ARG;
  if (step->size != sizeof *step) return CXM_E_SIZE;
  if (index >= km->m) return CXM_E_NOT_FOUND;
  *step = km->step[index];
  return CXM_OK;
}

int32_t cxm_km_survival_at(double *surv, const cxm_km *km, double t) {
  double s = 1.0;
  if (surv == NULL || km == NULL) return CXM_E_ARG;
  if (isnan(t)) return CXM_E_VALUE;
  for (size_t i = 0; i < km->m && km->step[i].time <= t; i++) s = km->step[i].surv;
  *surv = s;
  return CXM_OK;
}

/* R's survmean/minmin: the first time the curve is below 0.5 + tol; when it
 * sits at 0.5, the midpoint to the first later time it drops below that. */
static double first_below_half(const cxm_km *km, int which) {
  const double tol = 1.4901161193847656e-08; /* sqrt(DBL_EPSILON), as R */
  size_t i0 = km->m;
  double y0 = 0;
  for (size_t i = 0; i < km->m; i++) {
    const cxm_km_step *st = &km->step[i];
    double y = which == 0 ? st->surv : which == 1 ? st->lower : st->upper;
    if (isnan(y) || !(y < 0.5 + tol)) continue;
    if (i0 == km->m) {
      i0 = i;
      y0 = y;
      if (!(fabs(y0 - 0.5) < tol)) return st->time;
    } else if (y < y0) {
      return 0.5 * (km->step[i0].time + st->time);
    }
  }
  return i0 == km->m ? NAN : km->step[i0].time;
}

int32_t cxm_km_median(double *median, double *lower, double *upper, const cxm_km *km) {
  if (median == NULL || km == NULL) return CXM_E_ARG;
  *median = first_below_half(km, 0);
  if (lower != NULL) *lower = first_below_half(km, 1);
  if (upper != NULL) *upper = first_below_half(km, 2);
  return CXM_OK;
}

int32_t cxm_km_rmst(double *rmst, double *se, const cxm_km *km, double tau) {
  size_t keep = 0;
  double area = 0, var = 0, tail = 0;
  if (rmst == NULL || km == NULL) return CXM_E_ARG;
  if (!(tau > 0) || !isfinite(tau)) return CXM_E_VALUE;
  while (keep < km->m && km->step[keep].time <= tau) keep++;
  /* rectangles: [0, t_1) at height 1, then [t_i, t_{i+1}) at S(t_i), the
   * last one ending at tau; the variance weighs the area after each step
   * by that step's Greenwood increment (R survmean). */
  for (size_t i = keep; i-- > 0;) {
    double next = i + 1 < keep ? km->step[i + 1].time : tau;
    tail += (next - km->step[i].time) * km->step[i].surv;
    var += tail * tail * km->hh[i];
  }
  area = tail + (keep > 0 ? km->step[0].time : tau);
  *rmst = area;
  if (se != NULL) *se = sqrt(var);
  return CXM_OK;
}

int32_t cxm_logrank_test(cxm_logrank *res, double *observed, double *expected, const cxm_allocator *alloc,
                         const double *entry, const double *time, const uint8_t *event, const int32_t *group, size_t n,
                         int32_t k) {
  cxmi_alloc al;
  km_row *rows = NULL, *ent = NULL;
  double *risk = NULL, *obs = NULL, *exp_ = NULL, *var = NULL, *dg = NULL, *sub = NULL, *u = NULL;
  size_t *keep = NULL;
  size_t kk, i, j, nk = 0;
  int32_t rc;
  double events = 0;
  if (res == NULL || time == NULL || event == NULL || group == NULL) return CXM_E_ARG;
  if (res->size != sizeof *res) return CXM_E_SIZE;
  if (k < 2 || k > 256) return CXM_E_OPTION;
  if (n == 0) return CXM_E_NO_DATA;
  rc = cxmi_alloc_init(&al, alloc);
  if (rc != CXM_OK) return rc;
  rc = load_rows(&al, &rows, &ent, entry, time, event, group, k, n);
  if (rc != CXM_OK) return rc;
  kk = (size_t)k;
  risk = cxmi_calloc(&al, kk, sizeof *risk);
  obs = cxmi_calloc(&al, kk, sizeof *obs);
  exp_ = cxmi_calloc(&al, kk, sizeof *exp_);
  dg = cxmi_calloc(&al, kk, sizeof *dg);
  u = cxmi_calloc(&al, kk, sizeof *u);
  keep = cxmi_calloc(&al, kk, sizeof *keep);
  var = cxmi_calloc(&al, kk * kk, sizeof *var);
  sub = cxmi_calloc(&al, kk * kk, sizeof *sub);
  if (risk == NULL || obs == NULL || exp_ == NULL || dg == NULL || u == NULL || keep == NULL || var == NULL ||
      sub == NULL) {
    rc = CXM_E_NOMEM;
    goto done;
  }
  for (i = 0, j = 0; i < n;) {
    double t = rows[i].t, d = 0, nr = 0;
    size_t first = i;
    while (j < n && ent[j].t < t) risk[ent[j++].g] += 1.0;
    for (size_t g = 0; g < kk; g++) {
      dg[g] = 0;
      nr += risk[g];
    }
    for (; i < n && rows[i].t == t; i++)
      if (rows[i].e) {
        dg[rows[i].g] += 1.0;
        d += 1.0;
      }
    if (d > 0) {
      /* hypergeometric variance d (n - d) / (n - 1) of the losses at t */
      double f = nr > 1 ? d * (nr - d) / (nr - 1) : 0.0;
      events += d;
      for (size_t g = 0; g < kk; g++) {
        double pg = risk[g] / nr;
        obs[g] += dg[g];
        exp_[g] += d * pg;
        if (pg == 0) continue;
        for (size_t h = 0; h < kk; h++) var[g * kk + h] += f * pg * ((g == h ? 1.0 : 0.0) - risk[h] / nr);
      }
    }
    for (size_t r = first; r < i; r++) risk[rows[r].g] -= 1.0;
  }
  /* groups with expected losses take part; the last of them is dropped,
   * as R's survdiff does (df = groups with exp > 0 minus 1) */
  for (size_t g = 0; g < kk; g++)
    if (exp_[g] > 0) keep[nk++] = g;
  if (events == 0 || nk < 2) {
    rc = CXM_E_NO_DATA;
    goto done;
  }
  nk--;
  for (size_t a = 0; a < nk; a++) {
    u[a] = obs[keep[a]] - exp_[keep[a]];
    for (size_t b = 0; b < nk; b++) sub[a * nk + b] = var[keep[a] * kk + keep[b]];
  }
  if (!cxmi_cholesky(sub, nk)) {
    rc = CXM_E_NO_DATA;
    goto done;
  }
  memcpy(dg, u, nk * sizeof *u);
  cxmi_chol_solve(sub, nk, dg);
  res->chisq = 0;
  for (size_t a = 0; a < nk; a++) res->chisq += u[a] * dg[a];
  res->df = (int32_t)nk;
  res->p = cxmi_chisq_sf(res->chisq, (double)nk);
  if (observed != NULL) memcpy(observed, obs, kk * sizeof *obs);
  if (expected != NULL) memcpy(expected, exp_, kk * sizeof *exp_);
  rc = CXM_OK;
done:
  cxmi_free(&al, rows, n * sizeof *rows);
  cxmi_free(&al, ent, n * sizeof *ent);
  cxmi_free(&al, risk, kk * sizeof *risk);
  cxmi_free(&al, obs, kk * sizeof *obs);
  cxmi_free(&al, exp_, kk * sizeof *exp_);
  cxmi_free(&al, dg, kk * sizeof *dg);
  cxmi_free(&al, u, kk * sizeof *u);
  cxmi_free(&al, keep, kk * sizeof *keep);
  cxmi_free(&al, var, kk * kk * sizeof *var);
  cxmi_free(&al, sub, kk * kk * sizeof *sub);
  return rc;
}
