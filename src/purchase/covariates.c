/* Pareto/NBD and BG/NBD (MBG/NBD) with time-invariant covariates
 * (include/cxm/covariates.h; docs/purchase.md, "Covariates"), in the form
 * of CLVTools (Bachmann, Meierer & Naef, "CLVTools: Customer Lifetime Value
 * Tools", R package; for Pareto/NBD after Fader & Hardie 2007, "Incorporating
 * time-invariant covariates into the Pareto/NBD and BG/NBD models",
 * brucehardie.com/notes/019):
 *
 *   Pareto/NBD: alpha_i = alpha0 e^(-gt'x_i), beta_i = beta0 e^(-gl'x_i);
 *   BG/NBD:     alpha_i = alpha0 e^(-gt'x_i), a_i = a0 e^(gl'x_i), b_i = b0 e^(gl'x_i).
 *
 * A customer's likelihood is the plain model's at the customer's own
 * parameters, so the log-likelihood is the plain models' (pnbd.c, bgnbd.c,
 * with their numerical safeguards) summed over groups of customers with
 * equal covariate rows, each group a cxmi_triples of its own. The gradient
 * in theta = (ln r, ln alpha0, ln s | ln a0, ln beta0 | ln b0, gt, gl)
 * follows by the chain rule from the plain gradient at the group's
 * parameters q: d/d ln alpha0 = dLL/dq_alpha q_alpha, d/d gt_j = -x_j of
 * that, and so on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/covariates.h"
#include "common/abi_check.h"
#include "common/alloc.h"
#include "math/chisq.h"
#include "math/optimize.h"
#include "purchase/models.h"
#include "purchase/rfm.h"

#define NP 4
#define MAXN (NP + 2 * CXM_COVARIATES_MAX)

void cxm_covariate_fit_init(cxm_covariate_fit *f) {
  if (f == NULL) {
    return;
  }
  memset(f, 0, sizeof *f);
  f->size = sizeof *f;
  f->kind = CXM_MODEL_PNBD;
  f->count = 1;
  f->trans = 1;
  f->life = 1;
  for (int i = 0; i < NP; i++) {
    f->param[i] = NAN;
    f->se[i] = NAN;
  }
  for (int j = 0; j < CXM_COVARIATES_MAX; j++) {
    f->se_trans[j] = NAN;
    f->se_life[j] = NAN;
  }
  f->loglik = NAN;
  f->grad_norm = NAN;
  f->null_loglik = NAN;
  f->lr = NAN;
  f->lr_p = NAN;
}

/* Which gammas a fit has: theta[NP + i] is gt[tj[i]] for i < nt, then
 * theta[NP + nt + i] is gl[lj[i]]. */
typedef struct spec {
  int32_t kind;
  uint32_t count;
  int nt, nl;
  int tj[CXM_COVARIATES_MAX], lj[CXM_COVARIATES_MAX];
} spec;

static int32_t spec_make(spec *sp, const cxm_covariate_fit *f) {
  if (f->kind != CXM_MODEL_PNBD && f->kind != CXM_MODEL_BGNBD && f->kind != CXM_MODEL_MBGNBD) {
    return CXM_E_MODEL;
  }
  if (f->count < 1 || f->count > CXM_COVARIATES_MAX) {
    return CXM_E_OPTION;
  }
  uint32_t all = (UINT32_C(1) << f->count) - 1;
  if ((f->trans & ~all) != 0 || (f->life & ~all) != 0 || (f->trans | f->life) == 0) {
    return CXM_E_OPTION;
  }
  memset(sp, 0, sizeof *sp);
  sp->kind = f->kind;
  sp->count = f->count;
  for (uint32_t j = 0; j < f->count; j++) {
    if (f->trans & (UINT32_C(1) << j)) {
      sp->tj[sp->nt++] = (int)j;
    }
    if (f->life & (UINT32_C(1) << j)) {
      sp->lj[sp->nl++] = (int)j;
    }
  }
  return CXM_OK;
}

/* The customers, sorted by (covariate row, x), in groups of equal rows. */
typedef struct covdata {
  cxmi_alloc alloc;
  void *block;
  size_t block_size;
  size_t n, groups;
  uint32_t *x;
  double *tx, *T, *w;
  size_t *start;      /* [groups + 1] */
  double *gtotal;     /* [groups] customers (weights) per group */
  const double **row; /* [groups] the group's covariates (the caller's) */
  double total;
  uint32_t max_x;
} covdata;

typedef struct entry {
  const double *row;
  size_t index;
  uint32_t count, x;
  double tx, T, w;
} entry;

static int cmp_entry(const void *a, const void *b) {
  const entry *p = a, *q = b;
  for (uint32_t j = 0; j < p->count; j++) {
    if (p->row[j] != q->row[j]) {
      return p->row[j] < q->row[j] ? -1 : 1;
    }
  }
  if (p->x != q->x) {
    return p->x < q->x ? -1 : 1;
  }
  return (p->index > q->index) - (p->index < q->index);
}

static void covdata_free(covdata *cd) {
  if (cd->block != NULL) {
    cxmi_free(&cd->alloc, cd->block, cd->block_size);
    cd->block = NULL;
  }
}

/* CXM_OK, CXM_E_BUFFER (rows), CXM_E_VALUE (a covariate), CXM_E_NO_DATA
 * (no summaries), CXM_E_NOMEM. */
static int32_t covdata_build(covdata *cd, const cxm_rfm *rfm, const double *cov, size_t rows, uint32_t count) {
  memset(cd, 0, sizeof *cd);
  size_t n = cxmi_rfm_size(rfm);
  if (rows != n) {
    return CXM_E_BUFFER;
  }
  if (n == 0) {
    return CXM_E_NO_DATA;
  }
  for (size_t i = 0; i < n * count; i++) {
    if (!isfinite(cov[i])) {
      return CXM_E_VALUE;
    }
  }
  cxmi_rfm_alloc(&cd->alloc, rfm);
  size_t esize = n * sizeof(entry);
  entry *e = cxmi_malloc(&cd->alloc, esize);
  if (e == NULL) {
    return CXM_E_NOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    double m, xs;
    e[i].row = cov + i * count;
    e[i].index = i;
    e[i].count = count;
    cxmi_rfm_values(rfm, i, &e[i].x, &e[i].tx, &e[i].T, &m, &xs, &e[i].w);
  }
  qsort(e, n, sizeof *e, cmp_entry);
  /* Groups of equal rows (compared as numbers: -0.0 equals 0.0). */
  size_t groups;
  groups = 1;
  for (size_t i = 1; i < n; i++) {
    for (uint32_t j = 0; j < count; j++) {
      if (e[i].row[j] != e[i - 1].row[j]) {
        groups++;
        break;
      }
    }
  }
  cd->block_size = n * (sizeof(uint32_t) + 3 * sizeof(double)) + (groups + 1) * sizeof(size_t) +
                   groups * (sizeof(double) + sizeof(double *));
  char *blk = cxmi_malloc(&cd->alloc, cd->block_size);
  if (blk == NULL) {
    cxmi_free(&cd->alloc, e, esize);
    return CXM_E_NOMEM;
  }
  cd->block = blk;
  cd->tx = (double *)blk;
  cd->T = cd->tx + n;
  cd->w = cd->T + n;
  cd->gtotal = cd->w + n;
  cd->start = (size_t *)(cd->gtotal + groups);
  cd->row = (const double **)(cd->start + groups + 1);
  cd->x = (uint32_t *)(cd->row + groups);
  cd->n = n;
  cd->groups = groups;
  size_t g = 0;
  for (size_t i = 0; i < n; i++) {
    int fresh = i == 0;
    for (uint32_t j = 0; j < count && !fresh; j++) {
      fresh = e[i].row[j] != e[i - 1].row[j];
    }
    if (fresh) {
      if (i > 0) {
        g++;
      }
      cd->start[g] = i;
      cd->row[g] = e[i].row;
      cd->gtotal[g] = 0.0;
    }
    cd->x[i] = e[i].x;
    cd->tx[i] = e[i].tx;
    cd->T[i] = e[i].T;
    cd->w[i] = e[i].w;
    cd->gtotal[g] += e[i].w;
    cd->total += e[i].w;
    if (e[i].x > cd->max_x) {
      cd->max_x = e[i].x;
    }
  }
  cd->start[groups] = n;
  cxmi_free(&cd->alloc, e, esize);
  return CXM_OK;
}

/* A customer's parameters q from the base p and the gammas (gt, gl full
 * arrays, 0 where not fitted). */
static void customer_params(double *q, int32_t kind, uint32_t count, const double *p, const double *gt,
                            const double *gl, const double *row) {
  double et = 0.0, el = 0.0;
  for (uint32_t j = 0; j < count; j++) {
    et += gt[j] * row[j];
    el += gl[j] * row[j];
  }
  q[0] = p[0];
  q[1] = p[1] * exp(-et);
  if (kind == CXM_MODEL_PNBD) {
    q[2] = p[2];
    q[3] = p[3] * exp(-el);
  } else {
    q[2] = p[2] * exp(el);
    q[3] = p[3] * exp(el);
  }
}

static double plain_ll(int32_t kind, const double *q, const cxmi_triples *d, double *grad) {
  switch (kind) {
  case CXM_MODEL_PNBD: return cxmi_pnbd_ll(q, d, grad);
  case CXM_MODEL_BGNBD: return cxmi_bgnbd_ll(q, d, grad);
  default: return cxmi_mbgnbd_ll(q, d, grad);
  }
}

/* LL and (when G is not NULL) dLL/dtheta, theta as in spec. NaN where a
 * group's parameters are unusable (overflow of the exponentials). */
static double cov_ll(const spec *sp, const double *p, const double *gt, const double *gl, const covdata *cd,
                     double *G) {
  double sum = 0.0;
  int n = NP + sp->nt + sp->nl;
  if (G != NULL) {
    for (int k = 0; k < n; k++) {
      G[k] = 0.0;
    }
  }
  for (size_t g = 0; g < cd->groups; g++) {
    size_t s = cd->start[g], len = cd->start[g + 1] - s;
    double q[NP], gq[NP];
    const double *row = cd->row[g];
    customer_params(q, sp->kind, sp->count, p, gt, gl, row);
    cxmi_triples d = {len, cd->x + s, cd->tx + s, cd->T + s, cd->w + s, cd->gtotal[g], NULL, 0, NULL, NULL, NULL};
    double ll = plain_ll(sp->kind, q, &d, G != NULL ? gq : NULL);
    if (!isfinite(ll)) {
      return NAN;
    }
    sum += ll;
    if (G == NULL) {
      continue;
    }
    double dq[NP];
    for (int k = 0; k < NP; k++) {
      dq[k] = gq[k] * q[k]; /* dLL / d ln q_k */
      G[k] += dq[k];
    }
    for (int i = 0; i < sp->nt; i++) {
      G[NP + i] -= dq[1] * row[sp->tj[i]];
    }
    double life = sp->kind == CXM_MODEL_PNBD ? -dq[3] : dq[2] + dq[3];
    for (int i = 0; i < sp->nl; i++) {
      G[NP + sp->nt + i] += life * row[sp->lj[i]];
    }
  }
  return sum;
}

static void unpack(const spec *sp, const double *theta, double *p, double *gt, double *gl) {
  for (int k = 0; k < NP; k++) {
    p[k] = exp(theta[k]);
  }
  for (int j = 0; j < CXM_COVARIATES_MAX; j++) {
    gt[j] = 0.0;
    gl[j] = 0.0;
  }
  for (int i = 0; i < sp->nt; i++) {
    gt[sp->tj[i]] = theta[NP + i];
  }
  for (int i = 0; i < sp->nl; i++) {
    gl[sp->lj[i]] = theta[NP + sp->nt + i];
  }
}

typedef struct objective_ctx {
  const spec *sp;
  const covdata *cd;
} objective_ctx;

/* -LL(theta) / N and its gradient. */
static double objective(void *vctx, const double *theta, double *grad) {
  const objective_ctx *c = vctx;
  int n = NP + c->sp->nt + c->sp->nl;
  double p[NP], gt[CXM_COVARIATES_MAX], gl[CXM_COVARIATES_MAX], G[MAXN];
  for (int k = 0; k < n; k++) {
    /* As model.c: parameters beyond e^+-700 are outside every model's
     * use; so is a gamma that large. */
    if (!(fabs(theta[k]) < 700.0)) {
      for (int i = 0; i < n; i++) {
        grad[i] = NAN;
      }
      return NAN;
    }
  }
  unpack(c->sp, theta, p, gt, gl);
  double ll = cov_ll(c->sp, p, gt, gl, c->cd, G);
  for (int k = 0; k < n; k++) {
    grad[k] = isfinite(ll) ? -G[k] / c->cd->total : NAN;
  }
  return -ll / c->cd->total;
}

/* Standard errors as model.c computes them: the Hessian of -LL in theta by
 * forward differences of the analytic gradient (step 1e-5), symmetrised and
 * inverted by Cholesky; se = p sqrt(H^-1_kk) for the log-parameters (delta
 * method) and sqrt(H^-1_kk) for the gammas. All NaN when H is not positive
 * definite. */
static void standard_errors(double *se, const double *theta, int n, objective_ctx *c) {
  double h[MAXN][MAXN], l[MAXN][MAXN], g0[MAXN];
  const double step = 1e-5;
  for (int i = 0; i < n; i++) {
    se[i] = NAN;
  }
  (void)objective(c, theta, g0);
  for (int j = 0; j < n; j++) {
    double tp[MAXN], gp[MAXN];
    memcpy(tp, theta, (size_t)n * sizeof *tp);
    tp[j] += step;
    (void)objective(c, tp, gp);
    for (int i = 0; i < n; i++) {
      h[i][j] = (gp[i] - g0[i]) / step * c->cd->total;
    }
  }
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < i; j++) {
      double v = 0.5 * (h[i][j] + h[j][i]);
      h[i][j] = v;
      h[j][i] = v;
    }
  }
  for (int i = 0; i < n; i++) {
    for (int j = 0; j <= i; j++) {
      double s = h[i][j];
      for (int k = 0; k < j; k++) {
        s -= l[i][k] * l[j][k];
      }
      if (i == j) {
        if (!(s > 0.0) || !isfinite(s)) {
          return;
        }
        l[i][i] = sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  for (int col = 0; col < n; col++) {
    double y[MAXN], v[MAXN];
    for (int i = 0; i < n; i++) {
      double s = i == col ? 1.0 : 0.0;
      for (int k = 0; k < i; k++) {
        s -= l[i][k] * y[k];
      }
      y[i] = s / l[i][i];
    }
    for (int i = n - 1; i >= 0; i--) {
      double s = y[i];
      for (int k = i + 1; k < n; k++) {
        s -= l[k][i] * v[k];
      }
      v[i] = s / l[i][i];
    }
    /* only the diagonal of the inverse is wanted */
    double d = v[col];
    se[col] = d > 0.0 ? sqrt(d) * (col < NP ? exp(theta[col]) : 1.0) : NAN;
  }
}

/* The shape window of model.c's degenerate() (docs/purchase.md,
 * "Degenerate fits") on the shared shapes: r; s (Pareto/NBD) or the base
 * a0, b0 (BG/NBD). */
static uint32_t degenerate(const cxm_covariate_fit *f, int with_hessian, int n, const double *se_all) {
  uint32_t why = 0;
  const double lo = 1e-6, hi = 1e6;
#define OUTSIDE(v) (!((v) >= lo && (v) <= hi))
  if (OUTSIDE(f->param[0])) {
    why |= CXM_DEGENERATE_RATE;
  }
  if (OUTSIDE(f->param[2]) || (f->kind != CXM_MODEL_PNBD && OUTSIDE(f->param[3]))) {
    why |= CXM_DEGENERATE_DROPOUT;
  }
#undef OUTSIDE
  for (int k = 0; k < n && with_hessian; k++) {
    if (isnan(se_all[k])) {
      why |= CXM_DEGENERATE_HESSIAN;
    }
  }
  return why;
}

int32_t cxm_covariate_model_fit(cxm_covariate_fit *fit, const cxm_rfm *rfm, const double *covariates, size_t rows,
                                const cxm_fit_options *options) {
  spec sp;
  covdata cd;
  cxm_fit_options local;
  if (fit == NULL || rfm == NULL || covariates == NULL) {
    return CXM_E_ARG;
  }
  if (fit->size != sizeof *fit || (options != NULL && !CXMI_STRUCT_OK(options, cxm_fit_options))) {
    return CXM_E_SIZE;
  }
  int32_t rc = spec_make(&sp, fit);
  if (rc != CXM_OK) {
    return rc;
  }
  cxm_fit_options_init(&local);
  if (options != NULL) {
    cxmi_struct_in(&local, options, sizeof local);
  }
  for (int i = 0; i < NP; i++) {
    if (!isnan(local.start[i])) {
      return CXM_E_OPTION;
    }
  }
  if (local.penalty != 0.0 || local.max_iterations < 1 || local.max_iterations > 100000 || !(local.tolerance > 0.0) ||
      !isfinite(local.tolerance) || !(local.max_seconds > 0.0) || !(local.max_seconds <= 1e6)) {
    return CXM_E_OPTION;
  }
  rc = covdata_build(&cd, rfm, covariates, rows, sp.count);
  if (rc != CXM_OK) {
    return rc;
  }
  if (cd.max_x == 0) {
    covdata_free(&cd);
    return CXM_E_NO_DATA; /* as cxm_model_fit(): no repeat purchase, no maximum */
  }
  /* The fit without covariates: the test's null model and the start. */
  cxm_model null;
  cxm_model_init(&null);
  int32_t rc0 = cxm_model_fit(&null, rfm, sp.kind, &local);
  if (rc0 != CXM_OK && rc0 != CXM_E_CONVERGE) {
    covdata_free(&cd);
    return rc0;
  }
  int n = NP + sp.nt + sp.nl;
  double theta[MAXN];
  for (int k = 0; k < n; k++) {
    theta[k] = k < NP ? log(null.param[k]) : 0.0;
  }
  objective_ctx ctx = {&sp, &cd};
  cxmi_opt_result res;
  cxmi_minimize(&res, theta, (size_t)n, objective, &ctx, local.max_iterations, local.tolerance, local.max_seconds);

  cxm_covariate_fit out;
  cxm_covariate_fit_init(&out);
  out.kind = fit->kind;
  out.count = fit->count;
  out.trans = fit->trans;
  out.life = fit->life;
  out.converged = res.converged;
  out.iterations = res.iterations;
  out.grad_norm = res.grad_norm;
  out.lr_df = sp.nt + sp.nl;
  out.customers = (uint64_t)cd.total;
  unpack(&sp, theta, out.param, out.gamma_trans, out.gamma_life);
  out.loglik = cov_ll(&sp, out.param, out.gamma_trans, out.gamma_life, &cd, NULL);
  double se_all[MAXN];
  for (int k = 0; k < n; k++) {
    se_all[k] = NAN;
  }
  if (res.converged) {
    standard_errors(se_all, theta, n, &ctx);
  }
  for (int k = 0; k < NP; k++) {
    out.se[k] = se_all[k];
  }
  for (int i = 0; i < sp.nt; i++) {
    out.se_trans[sp.tj[i]] = se_all[NP + i];
  }
  for (int i = 0; i < sp.nl; i++) {
    out.se_life[sp.lj[i]] = se_all[NP + sp.nt + i];
  }
  out.degenerate = degenerate(&out, res.converged, n, se_all);
  if (out.degenerate != 0 || !isfinite(out.loglik)) {
    out.converged = 0;
  }
  out.null_loglik = null.loglik;
  out.null_converged = rc0 == CXM_OK && null.converged;
  if (res.converged && isfinite(out.loglik) && out.null_converged) {
    /* Also for a degenerate fit: the test needs the two maxima, not the
     * Hessian (covariates that are constant leave their gammas without
     * curvature, and the statistic is then 0). The fit starts at the null optimum and only descends, so the
     * statistic is >= 0 but for the rounding of two sums taken in
     * different orders (customers grouped by covariates here, by distinct
     * triples in cxm_model_fit()); a negative one is that noise. */
    double lr = 2.0 * (out.loglik - out.null_loglik);
    out.lr = lr > 0.0 ? lr : 0.0;
    out.lr_p = cxmi_chisq_sf(out.lr, (double)out.lr_df);
  }
  covdata_free(&cd);
  memcpy(fit, &out, sizeof out);
  return out.converged && out.null_converged ? CXM_OK : CXM_E_CONVERGE;
}

/* The parameters a caller gave: finite and > 0, gammas finite. */
static int32_t given_ok(const cxm_covariate_fit *f, const spec *sp) {
  for (int k = 0; k < NP; k++) {
    if (!(f->param[k] > 0.0) || !isfinite(f->param[k])) {
      return CXM_E_MODEL;
    }
  }
  for (int i = 0; i < sp->nt; i++) {
    if (!isfinite(f->gamma_trans[sp->tj[i]])) {
      return CXM_E_MODEL;
    }
  }
  for (int i = 0; i < sp->nl; i++) {
    if (!isfinite(f->gamma_life[sp->lj[i]])) {
      return CXM_E_MODEL;
    }
  }
  return CXM_OK;
}

/* The gammas of the set bits, 0 elsewhere. */
static void given_gammas(const cxm_covariate_fit *f, const spec *sp, double *gt, double *gl) {
  for (int j = 0; j < CXM_COVARIATES_MAX; j++) {
    gt[j] = 0.0;
    gl[j] = 0.0;
  }
  for (int i = 0; i < sp->nt; i++) {
    gt[sp->tj[i]] = f->gamma_trans[sp->tj[i]];
  }
  for (int i = 0; i < sp->nl; i++) {
    gl[sp->lj[i]] = f->gamma_life[sp->lj[i]];
  }
}

int32_t cxm_covariate_loglik(double *loglik, const cxm_covariate_fit *fit, const cxm_rfm *rfm, const double *covariates,
                             size_t rows) {
  spec sp;
  covdata cd;
  if (loglik == NULL || fit == NULL || rfm == NULL || covariates == NULL) {
    return CXM_E_ARG;
  }
  if (fit->size != sizeof *fit) {
    return CXM_E_SIZE;
  }
  int32_t rc = spec_make(&sp, fit);
  if (rc == CXM_OK) {
    rc = given_ok(fit, &sp);
  }
  if (rc != CXM_OK) {
    return rc;
  }
  rc = covdata_build(&cd, rfm, covariates, rows, sp.count);
  if (rc != CXM_OK) {
    return rc;
  }
  double gt[CXM_COVARIATES_MAX], gl[CXM_COVARIATES_MAX];
  given_gammas(fit, &sp, gt, gl);
  double v = cov_ll(&sp, fit->param, gt, gl, &cd, NULL);
  covdata_free(&cd);
  if (isnan(v)) {
    return CXM_E_MODEL; /* a customer's parameters beyond the double range */
  }
  *loglik = v;
  return CXM_OK;
}

int32_t cxm_covariate_customer_model(cxm_model *model, const cxm_covariate_fit *fit, const double *row) {
  spec sp;
  if (model == NULL || fit == NULL || row == NULL) {
    return CXM_E_ARG;
  }
  if (fit->size != sizeof *fit || !CXMI_STRUCT_OK(model, cxm_model)) {
    return CXM_E_SIZE;
  }
  int32_t rc = spec_make(&sp, fit);
  if (rc == CXM_OK) {
    rc = given_ok(fit, &sp);
  }
  if (rc != CXM_OK) {
    return rc;
  }
  for (uint32_t j = 0; j < sp.count; j++) {
    if (!isfinite(row[j])) {
      return CXM_E_VALUE;
    }
  }
  double gt[CXM_COVARIATES_MAX], gl[CXM_COVARIATES_MAX], q[NP];
  given_gammas(fit, &sp, gt, gl);
  customer_params(q, sp.kind, sp.count, fit->param, gt, gl, row);
  for (int k = 0; k < NP; k++) {
    if (!(q[k] > 0.0) || !isfinite(q[k])) {
      return CXM_E_VALUE;
    }
  }
  cxm_model m;
  cxm_model_init(&m);
  m.kind = sp.kind;
  m.param_count = NP;
  memcpy(m.param, q, sizeof q);
  cxmi_struct_out(model, &m, sizeof m);
  return CXM_OK;
}
