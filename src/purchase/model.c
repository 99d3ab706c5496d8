/* Fitting and using the purchase models (include/cxm/purchase.h): starting
 * values, the maximum-likelihood fit over log-parameters, standard errors
 * from the Hessian, and the per-customer functions, dispatched to the
 * model files (bgnbd.c for BG/NBD and MBG/NBD, pnbd.c, gammagamma.c). */
#include <math.h>
#include <string.h>

#include "cxm/purchase.h"
#include "purchase/models.h"
#include "math/optimize.h"
#include "purchase/rfm.h"
#include "common/abi_check.h"

void cxm_fit_options_init(cxm_fit_options *o) {
  if (o == NULL) {
    return;
  }
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
  o->max_iterations = 500;
  o->tolerance = 1e-7;
  o->max_seconds = 60.0;
  o->penalty = 0.0;
  for (int i = 0; i < 4; i++) {
    o->start[i] = NAN;
  }
}

void cxm_model_init(cxm_model *m) {
  if (m == NULL) {
    return;
  }
  memset(m, 0, sizeof *m);
  m->size = sizeof *m;
  for (int i = 0; i < 4; i++) {
    m->param[i] = NAN;
    m->se[i] = NAN;
  }
  m->loglik = NAN;
  m->grad_norm = NAN;
}

#define KIND_MAX CXM_MODEL_BGBB

static const char *const names[KIND_MAX + 1] = {NULL, "bgnbd", "mbgnbd", "pnbd", "gg", "bgbb"};
static const char *const param_names[KIND_MAX + 1][4] = {
    {NULL, NULL, NULL, NULL},    {"r", "alpha", "a", "b"}, {"r", "alpha", "a", "b"},
    {"r", "alpha", "s", "beta"}, {"p", "q", "v", NULL},    {"alpha", "beta", "gamma", "delta"},
};

const char *cxm_model_name(int32_t kind) { return kind >= 1 && kind <= KIND_MAX ? names[kind] : NULL; }

const char *cxm_model_param_name(int32_t kind, int32_t index) {
  if (kind < 1 || kind > KIND_MAX || index < 0 || index > 3) {
    return NULL;
  }
  return param_names[kind][index];
}

static int param_count(int32_t kind) { return kind == CXM_MODEL_GAMMA_GAMMA ? 3 : 4; }

/* CXM_OK when the model has a known kind and usable parameters; with
 * `purchase` set, also when it is not Gamma-Gamma. */
static int32_t check_model(const cxm_model *m, int purchase) {
  if (m == NULL) {
    return CXM_E_ARG;
  }
  if (!CXMI_STRUCT_OK(m, cxm_model)) {
    return CXM_E_SIZE;
  }
  if (m->kind < 1 || m->kind > KIND_MAX || (purchase && m->kind == CXM_MODEL_GAMMA_GAMMA)) {
    return CXM_E_MODEL;
  }
  for (int i = 0; i < param_count(m->kind); i++) {
    if (!(m->param[i] > 0.0) || !isfinite(m->param[i])) {
      return CXM_E_MODEL;
    }
  }
  return CXM_OK;
}

/* The whole-data log-likelihood of a kind (gradient optional). */
static double loglik(int32_t kind, const double *p, const cxmi_fitdata *fd, double *grad) {
  switch (kind) {
  case CXM_MODEL_BGNBD: return cxmi_bgnbd_ll(p, &fd->triples, grad);
  case CXM_MODEL_MBGNBD: return cxmi_mbgnbd_ll(p, &fd->triples, grad);
  case CXM_MODEL_PNBD: return cxmi_pnbd_ll(p, &fd->triples, grad);
  case CXM_MODEL_BGBB: return cxmi_bgbb_ll(p, &fd->triples, grad);
  default: return cxmi_gg_ll(p, &fd->spend, grad);
  }
}

typedef struct objective_ctx {
  int32_t kind;
  int n;
  double count;
  double penalty;
  const cxmi_fitdata *fd;
} objective_ctx;

/* f(theta) = -LL(exp theta) / N + c sum p_i^2 and its gradient in theta
 * (d p_i^2 / d theta_i = 2 p_i^2): lifetimes' penalised objective. */
static double objective(void *vctx, const double *theta, double *grad) {
  const objective_ctx *c = vctx;
  double p[4], g[4];
  for (int i = 0; i < c->n; i++) {
    /* Parameters beyond e^+-700 are outside every model's use; refusing
     * them keeps exp() finite and non-zero. */
    if (!(fabs(theta[i]) < 700.0)) {
      for (int k = 0; k < c->n; k++) {
        grad[k] = NAN;
      }
      return NAN;
    }
    p[i] = exp(theta[i]);
  }
  double ll = loglik(c->kind, p, c->fd, g);
  double pen = 0.0;
  for (int i = 0; i < c->n; i++) {
    grad[i] = -g[i] * p[i] / c->count + 2.0 * c->penalty * p[i] * p[i];
    pen += p[i] * p[i];
  }
  return -ll / c->count + c->penalty * pen;
}

/* Library starting values: a purchase rate r / alpha equal to the mean
 * repeat rate, a dropout process with mean 1/3 (a = 1, b = 2) or mean
 * lifetime ~ T (s = 1, beta = mean T); Gamma-Gamma with p = 1, q = 2, so
 * that the prior mean spend p v / (q - 1) = v is the mean spend. */
static void start_values(double *p, int32_t kind, const cxmi_fitdata *fd) {
  const cxmi_triples *t = &fd->triples;
  double sx = 0.0, sT = 0.0;
  for (size_t i = 0; i < t->n; i++) {
    sx += t->w[i] * (double)t->x[i];
    sT += t->w[i] * t->T[i];
  }
  double rate = sx > 0.0 && sT > 0.0 ? sx / sT : 1.0;
  double meanT = t->total > 0.0 && sT > 0.0 ? sT / t->total : 1.0;
  switch (kind) {
  case CXM_MODEL_BGNBD:
  case CXM_MODEL_MBGNBD:
    p[0] = 1.0;
    p[1] = 1.0 / rate;
    p[2] = 1.0;
    p[3] = 2.0;
    break;
  case CXM_MODEL_PNBD:
    p[0] = 1.0;
    p[1] = 1.0 / rate;
    p[2] = 1.0;
    p[3] = meanT;
    break;
  case CXM_MODEL_BGBB:
    /* Transaction and dropout probabilities with means 1/2 and 1/4. */
    p[0] = 1.0;
    p[1] = 1.0;
    p[2] = 1.0;
    p[3] = 3.0;
    break;
  default: {
    double sm = 0.0;
    for (size_t i = 0; i < fd->spend.n; i++) {
      sm += fd->spend.w[i] * fd->spend.m[i];
    }
    p[0] = 1.0;
    p[1] = 2.0;
    p[2] = fd->spend.total > 0.0 && sm > 0.0 ? sm / fd->spend.total : 1.0;
    p[3] = NAN;
    break;
  }
  }
}

/* Standard errors: H = Hessian of -LL in theta = ln p by forward
 * differences of the analytic gradient (step 1e-5: error ~1e-5 relative,
 * plenty for a standard error, at n gradient evaluations), symmetrised; inverted
 * by Cholesky; se(p_i) = p_i sqrt((H^-1)_ii) (at the maximum the gradient
 * is 0, so this is the delta method exactly). NaN when H is not positive
 * definite. */
static void standard_errors(double *se, const double *theta, objective_ctx *c) {
  double h[4][4], l[4][4], inv[4][4];
  int n = c->n;
  const double step = 1e-5;
  double g0[4];
  (void)objective(c, theta, g0);
  for (int j = 0; j < n; j++) {
    double tp[4], gp[4];
    memcpy(tp, theta, sizeof tp);
    tp[j] += step;
    (void)objective(c, tp, gp);
    for (int i = 0; i < n; i++) {
      h[i][j] = (gp[i] - g0[i]) / step * c->count;
    }
  }
  for (int i = 0; i < n; i++) {
    se[i] = NAN;
    for (int j = 0; j < i; j++) {
      double v = 0.5 * (h[i][j] + h[j][i]);
      h[i][j] = v;
      h[j][i] = v;
    }
  }
  /* Cholesky H = L L'. */
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
  /* H^-1 column by column: solve L L' v = e_c. */
  for (int col = 0; col < n; col++) {
    double y[4], v[4];
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
    for (int i = 0; i < n; i++) {
      inv[i][col] = v[i];
    }
  }
  for (int i = 0; i < n; i++) {
    se[i] = inv[i][i] > 0.0 ? exp(theta[i]) * sqrt(inv[i][i]) : NAN;
  }
}

/* Degenerate estimates (docs/purchase.md, "Degenerate fits"): where the
 * likelihood rises towards a boundary of the parameter space, the
 * optimiser's gradient test passes on a plateau far out (a ~ 1e-7 and
 * b ~ 1.5e5 when almost nobody drops out; r and alpha ~ 1e7..1e13 with r/alpha
 * the rate when every customer buys at one rate; s ~ 1e-26 in Pareto/NBD)
 * and the point reached says more about the optimiser than the data. The
 * shape parameters are dimensionless, so a fixed window [1e-6, 1e6]
 * separates them from any population the models describe (CDNOW:
 * 0.24..11.7); the scale parameters alpha, beta, v carry the time or money
 * unit and are judged only through their shapes. A Hessian that is not
 * positive definite (se NaN) means a direction without curvature; it is
 * only computed (and judged) when the optimiser converged. */
static uint32_t degenerate(const cxm_model *m, int with_hessian) {
  uint32_t why = 0;
  const double lo = 1e-6, hi = 1e6;
#define OUTSIDE(v) (!((v) >= lo && (v) <= hi))
  switch (m->kind) {
  case CXM_MODEL_BGNBD:
  case CXM_MODEL_MBGNBD:
  case CXM_MODEL_PNBD:
    if (OUTSIDE(m->param[0])) {
      why |= CXM_DEGENERATE_RATE;
    }
    if (OUTSIDE(m->param[2]) || (m->kind != CXM_MODEL_PNBD && OUTSIDE(m->param[3]))) {
      why |= CXM_DEGENERATE_DROPOUT;
    }
    break;
  case CXM_MODEL_BGBB:
    /* All four are shapes: alpha, beta of the transaction probability,
     * gamma, delta of the dropout probability. */
    if (OUTSIDE(m->param[0]) || OUTSIDE(m->param[1])) {
      why |= CXM_DEGENERATE_RATE;
    }
    if (OUTSIDE(m->param[2]) || OUTSIDE(m->param[3])) {
      why |= CXM_DEGENERATE_DROPOUT;
    }
    break;
  default:
    if (OUTSIDE(m->param[0]) || OUTSIDE(m->param[1])) {
      why |= CXM_DEGENERATE_SPEND;
    }
    break;
  }
#undef OUTSIDE
  for (int i = 0; i < m->param_count && with_hessian; i++) {
    if (isnan(m->se[i])) {
      why |= CXM_DEGENERATE_HESSIAN;
    }
  }
  return why;
}

int32_t cxm_model_fit(cxm_model *model, const cxm_rfm *rfm, int32_t kind, const cxm_fit_options *in) {
  cxm_fit_options local;
  cxmi_fitdata fd;
  if (model == NULL || rfm == NULL) {
    return CXM_E_ARG;
  }
  if (!CXMI_STRUCT_OK(model, cxm_model) || (in != NULL && !CXMI_STRUCT_OK(in, cxm_fit_options))) {
    return CXM_E_SIZE;
  }
  if (kind < 1 || kind > KIND_MAX) {
    return CXM_E_MODEL;
  }
  /* A 0.1 caller's options end before `penalty`: no penalty. */
  cxm_fit_options_init(&local);
  if (in != NULL) {
    cxmi_struct_in(&local, in, sizeof local);
  }
  const cxm_fit_options *options = &local;
  int n = param_count(kind);
  if (options->max_iterations < 1 || options->max_iterations > 100000 || !(options->tolerance > 0.0) ||
      !isfinite(options->tolerance) || !(options->max_seconds > 0.0) || !(options->max_seconds <= 1e6) ||
      !(options->penalty >= 0.0) || !isfinite(options->penalty)) {
    return CXM_E_OPTION;
  }
  for (int i = 0; i < n; i++) {
    if (!isnan(options->start[i]) && !(options->start[i] > 0.0 && isfinite(options->start[i]))) {
      return CXM_E_OPTION;
    }
  }
  int32_t rc = cxmi_fitdata_build(&fd, rfm);
  if (rc != CXM_OK) {
    return rc;
  }
  double count = kind == CXM_MODEL_GAMMA_GAMMA ? fd.spend.total : fd.triples.total;
  /* Triples are sorted by x: the last has the largest. Without any repeat
   * purchase the likelihood grows towards a purchase rate of 0 and has no
   * maximum, so there is nothing to estimate. */
  if (!(count > 0.0) || (kind != CXM_MODEL_GAMMA_GAMMA && fd.triples.x[fd.triples.n - 1] == 0)) {
    cxmi_fitdata_free(&fd);
    return CXM_E_NO_DATA;
  }
  if (kind == CXM_MODEL_BGBB) {
    for (size_t i = 0; i < fd.triples.n; i++) {
      if (!cxmi_bgbb_data_ok(fd.triples.x[i], fd.triples.tx[i], fd.triples.T[i])) {
        cxmi_fitdata_free(&fd);
        return CXM_E_VALUE;
      }
    }
  }
  double p[4], theta[4];
  start_values(p, kind, &fd);
  for (int i = 0; i < n; i++) {
    if (!isnan(options->start[i])) {
      p[i] = options->start[i];
    }
    theta[i] = log(p[i]);
  }
  objective_ctx ctx = {kind, n, count, options->penalty, &fd};
  cxmi_opt_result res;
  cxmi_minimize(&res, theta, (size_t)n, objective, &ctx, options->max_iterations, options->tolerance,
                options->max_seconds);

  cxm_model_init(model);
  model->kind = kind;
  model->param_count = n;
  model->converged = res.converged;
  model->iterations = res.iterations;
  model->grad_norm = res.grad_norm;
  model->customers = (uint64_t)count;
  model->distinct = kind == CXM_MODEL_GAMMA_GAMMA ? (uint64_t)fd.spend.n : (uint64_t)fd.triples.n;
  for (int i = 0; i < n; i++) {
    model->param[i] = exp(theta[i]);
  }
  model->loglik = loglik(kind, model->param, &fd, NULL);
  if (res.converged) {
    standard_errors(model->se, theta, &ctx);
  }
  /* Also for a fit stopped by a limit: its point may be running off to a
   * boundary, and saying which is the useful part of the answer. */
  model->degenerate = degenerate(model, res.converged);
  if (model->degenerate != 0) {
    model->converged = 0;
  }
  cxmi_fitdata_free(&fd);
  return model->converged && isfinite(model->loglik) ? CXM_OK : CXM_E_CONVERGE;
}

int32_t cxm_model_loglik(double *out, const cxm_model *model, const cxm_rfm *rfm) {
  cxmi_fitdata fd;
  if (out == NULL || rfm == NULL) {
    return CXM_E_ARG;
  }
  int32_t rc = check_model(model, 0);
  if (rc != CXM_OK) {
    return rc;
  }
  rc = cxmi_fitdata_build(&fd, rfm);
  if (rc != CXM_OK) {
    return rc;
  }
  double count = model->kind == CXM_MODEL_GAMMA_GAMMA ? fd.spend.total : fd.triples.total;
  if (count > 0.0) {
    *out = loglik(model->kind, model->param, &fd, NULL);
  }
  cxmi_fitdata_free(&fd);
  return count > 0.0 ? CXM_OK : CXM_E_NO_DATA;
}

/* ---- per customer --------------------------------------------------------- */

static double p_alive(const cxm_model *m, uint32_t x, double tx, double T) {
  switch (m->kind) {
  case CXM_MODEL_BGNBD: return cxmi_bgnbd_p_alive(m->param, x, tx, T);
  case CXM_MODEL_MBGNBD: return cxmi_mbgnbd_p_alive(m->param, x, tx, T);
  case CXM_MODEL_BGBB: return cxmi_bgbb_p_alive(m->param, x, tx, T);
  default: return cxmi_pnbd_p_alive(m->param, x, tx, T);
  }
}

static double expected(const cxm_model *m, double t, uint32_t x, double tx, double T) {
  switch (m->kind) {
  case CXM_MODEL_BGNBD: return cxmi_bgnbd_expected(m->param, t, x, tx, T);
  case CXM_MODEL_MBGNBD: return cxmi_mbgnbd_expected(m->param, t, x, tx, T);
  case CXM_MODEL_BGBB: return cxmi_bgbb_expected(m->param, t, x, tx, T);
  default: return cxmi_pnbd_expected(m->param, t, x, tx, T);
  }
}

/* BG/BB counts opportunities: the summary and the horizon must be whole
 * numbers (docs/purchase.md, "BG/BB"). T = 0 stands for a customer just
 * acquired where the caller allows it. */
static int whole_ok(const cxm_model *m, uint32_t x, double tx, double T, double t) {
  if (m->kind != CXM_MODEL_BGBB) {
    return 1;
  }
  int summary = T == 0.0 ? (x == 0 && tx == 0.0) : cxmi_bgbb_data_ok(x, tx, T);
  return summary && t >= 0.0 && t <= 1e5 && floor(t) == t;
}

/* A result that is not a finite number >= 0 (NaN: a computation past its
 * budget, or (r+x) t/(alpha+T) beyond the double range) is reported as a
 * model whose parameters the computation cannot use, never returned. */
static int32_t result(double *out, double v) {
  if (!(v >= 0.0) || !isfinite(v)) {
    return CXM_E_MODEL;
  }
  *out = v;
  return CXM_OK;
}

int32_t cxm_model_p_alive(double *out, const cxm_model *model, uint32_t x, double t_x, double T) {
  if (out == NULL) {
    return CXM_E_ARG;
  }
  int32_t rc = check_model(model, 1);
  if (rc != CXM_OK) {
    return rc;
  }
  if (cxmi_rfm_check(x, t_x, T, 1) != CXM_OK || !whole_ok(model, x, t_x, T, 0.0) ||
      (model->kind == CXM_MODEL_BGBB && T == 0.0)) {
    return CXM_E_VALUE;
  }
  return result(out, p_alive(model, x, t_x, T));
}

int32_t cxm_model_expected(double *out, const cxm_model *model, double t, uint32_t x, double t_x, double T) {
  if (out == NULL) {
    return CXM_E_ARG;
  }
  int32_t rc = check_model(model, 1);
  if (rc != CXM_OK) {
    return rc;
  }
  if (cxmi_rfm_check(x, t_x, T, 1) != CXM_OK || !(t >= 0.0) || !isfinite(t) || !whole_ok(model, x, t_x, T, t)) {
    return CXM_E_VALUE;
  }
  return result(out, expected(model, t, x, t_x, T));
}

int32_t cxmi_model_expected_part(double *part, const cxm_model *model, double t, uint32_t x, double T) {
  if (check_model(model, 1) != CXM_OK || (model->kind != CXM_MODEL_BGNBD && model->kind != CXM_MODEL_MBGNBD) ||
      !(t > 0.0) || !isfinite(t)) {
    return CXM_E_MODEL;
  }
  *part = model->kind == CXM_MODEL_BGNBD ? cxmi_bgnbd_expected_alive(model->param, t, x, T)
                                         : cxmi_mbgnbd_expected_alive(model->param, t, x, T);
  return CXM_OK;
}

/* As expected() does it for these kinds (bgnbd.c, family_expected): the
 * part times P(alive). */
int32_t cxmi_model_expected_with_part(double *out, const cxm_model *model, double part, uint32_t x, double t_x,
                                      double T) {
  if (cxmi_rfm_check(x, t_x, T, 1) != CXM_OK) {
    return CXM_E_VALUE;
  }
  return result(out, part * p_alive(model, x, t_x, T));
}

int32_t cxm_model_population(double *out, const cxm_model *model, double t) {
  return cxm_model_expected(out, model, t, 0, 0.0, 0.0);
}

int32_t cxm_model_pmf(double *out, const cxm_model *model, double t, uint32_t k) {
  if (out == NULL) {
    return CXM_E_ARG;
  }
  int32_t rc = check_model(model, 1);
  if (rc != CXM_OK) {
    return rc;
  }
  if (!(t >= 0.0) || !isfinite(t) || !whole_ok(model, 0, 0.0, 0.0, t)) {
    return CXM_E_VALUE;
  }
  double v;
  switch (model->kind) {
  case CXM_MODEL_BGNBD: v = cxmi_bgnbd_pmf(model->param, t, k); break;
  case CXM_MODEL_MBGNBD: v = cxmi_mbgnbd_pmf(model->param, t, k); break;
  case CXM_MODEL_BGBB: v = cxmi_bgbb_pmf(model->param, t, k); break;
  default: v = cxmi_pnbd_pmf(model->param, t, k); break;
  }
  return result(out, v);
}

int32_t cxm_model_conditional_pmf(double *out, const cxm_model *model, double t, uint32_t k, uint32_t x, double t_x,
                                  double T) {
  if (out == NULL) {
    return CXM_E_ARG;
  }
  int32_t rc = check_model(model, 1);
  if (rc != CXM_OK) {
    return rc;
  }
  if (cxmi_rfm_check(x, t_x, T, 1) != CXM_OK || !(t >= 0.0) || !isfinite(t) || !whole_ok(model, x, t_x, T, t)) {
    return CXM_E_VALUE;
  }
  const double *p = model->param;
  double v;
  switch (model->kind) {
  case CXM_MODEL_BGNBD: v = cxmi_bgnbd_conditional_pmf(p, t, k, x, t_x, T); break;
  case CXM_MODEL_MBGNBD: v = cxmi_mbgnbd_conditional_pmf(p, t, k, x, t_x, T); break;
  case CXM_MODEL_BGBB: v = cxmi_bgbb_conditional_pmf(p, t, k, x, t_x, T); break;
  default: v = cxmi_pnbd_conditional_pmf(p, t, k, x, t_x, T); break;
  }
  return result(out, v);
}

static int32_t spend(double *out, const cxm_model *model, uint32_t x, double monetary) {
  if (x > 0 && !(monetary > 0.0 && isfinite(monetary))) {
    return CXM_E_VALUE;
  }
  double v = cxmi_gg_expected_spend(model->param, x, monetary);
  if (!isfinite(v)) {
    return CXM_E_VALUE;
  }
  *out = v;
  return CXM_OK;
}

int32_t cxm_model_expected_spend(double *out, const cxm_model *model, uint32_t x, double monetary) {
  if (out == NULL) {
    return CXM_E_ARG;
  }
  int32_t rc = check_model(model, 0);
  if (rc != CXM_OK) {
    return rc;
  }
  if (model->kind != CXM_MODEL_GAMMA_GAMMA) {
    return CXM_E_MODEL;
  }
  return spend(out, model, x, monetary);
}

int32_t cxm_model_clv(double *out, const cxm_model *purchase, const cxm_model *gg, uint32_t x, double t_x, double T,
                      double monetary, uint32_t periods, double period_length, double discount) {
  double s;
  if (out == NULL) {
    return CXM_E_ARG;
  }
  int32_t rc = check_model(purchase, 1);
  if (rc == CXM_OK) {
    rc = check_model(gg, 0);
  }
  if (rc != CXM_OK) {
    return rc;
  }
  if (gg->kind != CXM_MODEL_GAMMA_GAMMA) {
    return CXM_E_MODEL;
  }
  if (cxmi_rfm_check(x, t_x, T, 1) != CXM_OK || periods < 1 || periods > 100000 || !(period_length > 0.0) ||
      !isfinite(period_length) || !(discount >= 0.0) || !isfinite(discount) ||
      !whole_ok(purchase, x, t_x, T, period_length)) {
    return CXM_E_VALUE; /* BG/BB: whole opportunities */
  }
  rc = spend(&s, gg, x, monetary);
  if (rc != CXM_OK) {
    return rc;
  }
  double total = 0.0, prev = 0.0, factor = 1.0;
  for (uint32_t i = 1; i <= periods; i++) {
    double e = expected(purchase, (double)i * period_length, x, t_x, T);
    if (!(e >= 0.0) || !isfinite(e)) {
      return CXM_E_MODEL;
    }
    factor /= 1.0 + discount;
    total += (e - prev) * factor;
    prev = e;
  }
  if (!isfinite(total * s)) {
    return CXM_E_MODEL;
  }
  *out = total * s;
  return CXM_OK;
}

int32_t cxm_model_holdout(cxm_holdout *h, const cxm_model *model, const cxm_rfm *rfm, double t_star) {
  if (h == NULL || rfm == NULL) {
    return CXM_E_ARG;
  }
  if (!CXMI_STRUCT_OK(h, cxm_holdout)) {
    return CXM_E_SIZE;
  }
  int32_t rc = check_model(model, 1);
  if (rc != CXM_OK) {
    return rc;
  }
  if (!(t_star > 0.0) || !isfinite(t_star) ||
      (model->kind == CXM_MODEL_BGBB && !whole_ok(model, 0, 0.0, 0.0, t_star))) {
    return CXM_E_VALUE; /* BG/BB: whole opportunities */
  }
  cxm_holdout r;
  memset(&r, 0, sizeof r);
  r.size = sizeof r;
  size_t n = cxmi_rfm_size(rfm);
  for (size_t i = 0; i < n; i++) {
    uint32_t x;
    double tx, T, m, xs, w;
    cxmi_rfm_values(rfm, i, &x, &tx, &T, &m, &xs, &w);
    if (isnan(xs)) {
      continue;
    }
    double e = expected(model, t_star, x, tx, T);
    if (!(e >= 0.0) || !isfinite(e)) {
      return CXM_E_MODEL;
    }
    /* A summary of weight w stands for w customers with the same x_star. */
    size_t bin = x < CXM_HOLDOUT_BINS - 1 ? x : CXM_HOLDOUT_BINS - 1;
    r.customers += (uint64_t)w;
    r.actual += w * xs;
    r.expected += w * e;
    r.bin_customers[bin] += (uint64_t)w;
    r.bin_actual[bin] += w * xs;
    r.bin_expected[bin] += w * e;
  }
  if (r.customers == 0) {
    return CXM_E_NO_DATA;
  }
  if (!isfinite(r.expected)) {
    return CXM_E_MODEL; /* each term finite, the sum beyond the double range */
  }
  for (size_t b = 0; b < CXM_HOLDOUT_BINS; b++) {
    double c = (double)r.bin_customers[b];
    r.bin_actual[b] = c > 0.0 ? r.bin_actual[b] / c : NAN;
    r.bin_expected[b] = c > 0.0 ? r.bin_expected[b] / c : NAN;
  }
  cxmi_struct_out(h, &r, sizeof r);
  return CXM_OK;
}
