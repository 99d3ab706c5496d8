/* Labelled feature rows and the L2-regularised logistic fit of the churn
 * risk model (include/cxm/risk.h, docs/risk.md). */
#include "churn/risk_internal.h"
#include "common/abi_check.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_WEIGHT 1e9

/* A feature whose weighted standard deviation is at most this share of its
 * largest magnitude is constant up to rounding: its centred values are
 * noise, and dividing by that spread would wreck the conditioning. */
#define CONSTANT_SHARE 1e-10

/* Step halvings before Newton's method gives up on a direction. */
#define MAX_HALVINGS 60

double cxmi_softplus(double eta) {
  /* ln(1 + e^eta) = eta + ln(1 + e^-eta) for eta > 0: exp never overflows
   * and log1p keeps the small term exact (Maechler 2012, "Accurately
   * computing log(1 - exp(-|a|))", section on log1pexp). */
  if (eta > 0.0) {
    return eta + log1p(exp(-eta));
  }
  return log1p(exp(eta));
}

double cxmi_sigmoid(double eta) {
  if (eta >= 0.0) {
    return 1.0 / (1.0 + exp(-eta));
  }
  double e = exp(eta);
  return e / (1.0 + e);
}

int32_t cxm_risk_data_new(cxm_risk_data **out, int32_t features, const cxm_allocator *allocator) {
  cxmi_alloc a;
  if (out == NULL) {
    return CXM_E_ARG;
  }
  *out = NULL;
  int32_t rc = cxmi_alloc_init(&a, allocator);
  if (rc != CXM_OK) {
    return rc;
  }
  if (features < 1 || features > CXM_RISK_MAX_FEATURES) {
    return CXM_E_VALUE;
  }
  cxm_risk_data *d = cxmi_calloc(&a, 1, sizeof *d);
  if (d == NULL) {
    return CXM_E_NOMEM;
  }
  d->alloc = a;
  d->alloc.bytes = sizeof *d;
  d->k = features;
  *out = d;
  return CXM_OK;
}

void cxm_risk_data_free(cxm_risk_data *data) {
  if (data == NULL) {
    return;
  }
  cxmi_alloc a = data->alloc;
  cxmi_free(&a, data->x, data->cap_x * (size_t)data->k * sizeof *data->x);
  cxmi_free(&a, data->y, data->cap_y);
  cxmi_free(&a, data->w, data->cap_w * sizeof *data->w);
  cxmi_free(&a, data->q, data->cap_q * sizeof *data->q);
  cxmi_free(&a, data, sizeof *data);
}

size_t cxm_risk_data_count(const cxm_risk_data *data) { return data == NULL ? 0 : data->n; }

int32_t cxm_risk_data_features(const cxm_risk_data *data) { return data == NULL ? 0 : data->k; }

/* Grow one array to `cap` elements of `elem` bytes; *cur is its capacity.
 * A failure leaves the array and *cur as they were. */
static int32_t grow(cxmi_alloc *a, void **p, size_t *cur, size_t cap, size_t elem) {
  if (*cur >= cap) {
    return CXM_OK;
  }
  void *q = cxmi_realloc(a, *p, *cur * elem, cap * elem);
  if (q == NULL) {
    return CXM_E_NOMEM;
  }
  *p = q;
  *cur = cap;
  return CXM_OK;
}

int32_t cxm_risk_data_add(cxm_risk_data *data, const double *x, int32_t label, double weight) {
  return cxmi_risk_data_add_proxy(data, x, label, weight, 0.0);
}

int32_t cxmi_risk_data_add_proxy(cxm_risk_data *data, const double *x, int32_t label, double weight, double q) {
  if (data == NULL || x == NULL) {
    return CXM_E_ARG;
  }
  if ((label != 0 && label != 1) || !(weight > 0.0 && weight <= MAX_WEIGHT) || !(q >= 0.0 && q < 1.0)) {
    return CXM_E_VALUE;
  }
  size_t k = (size_t)data->k;
  for (size_t j = 0; j < k; j++) {
    if (!(fabs(x[j]) <= CXM_RISK_MAX_VALUE)) { /* also refuses NaN and inf */
      return CXM_E_VALUE;
    }
  }
  if (data->n == data->cap_x || data->n == data->cap_y || data->n == data->cap_w || data->n == data->cap_q) {
    size_t cap = data->n < 16 ? 16 : data->n + data->n / 2;
    if (cap > SIZE_MAX / (k * sizeof(double)) || data->n == SIZE_MAX) {
      return CXM_E_LIMIT;
    }
    void *px = data->x, *py = data->y, *pw = data->w, *pq = data->q;
    int32_t rc = grow(&data->alloc, &px, &data->cap_x, cap, k * sizeof(double));
    data->x = px;
    if (rc == CXM_OK) {
      rc = grow(&data->alloc, &py, &data->cap_y, cap, 1);
      data->y = py;
    }
    if (rc == CXM_OK) {
      rc = grow(&data->alloc, &pw, &data->cap_w, cap, sizeof(double));
      data->w = pw;
    }
    if (rc == CXM_OK) {
      rc = grow(&data->alloc, &pq, &data->cap_q, cap, sizeof(double));
      data->q = pq;
    }
    if (rc != CXM_OK) {
      return rc;
    }
  }
  memcpy(data->x + data->n * k, x, k * sizeof *x);
  data->y[data->n] = (unsigned char)label;
  data->w[data->n] = weight;
  data->q[data->n] = q;
  data->proxy |= q > 0.0;
  data->n++;
  return CXM_OK;
}

void cxm_risk_options_init(cxm_risk_options *options) {
  if (options == NULL) {
    return;
  }
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->l2 = 1.0;
  options->max_iterations = 100;
  options->tolerance = 1e-10;
}

void cxm_risk_model_init(cxm_risk_model *model) {
  if (model == NULL) {
    return;
  }
  memset(model, 0, sizeof *model);
  model->size = sizeof *model;
  model->intercept_se = NAN;
  for (int j = 0; j < CXM_RISK_MAX_FEATURES; j++) {
    model->se[j] = NAN;
  }
  model->l2 = NAN;
  model->log_loss = NAN;
}

int32_t cxm_risk_model_set(cxm_risk_model *model, int32_t features, double intercept, const double *coef) {
  if (model == NULL || coef == NULL) {
    return CXM_E_ARG;
  }
  if (!CXMI_STRUCT_OK(model, cxm_risk_model)) {
    return CXM_E_SIZE;
  }
  if (features < 1 || features > CXM_RISK_MAX_FEATURES || !isfinite(intercept)) {
    return CXM_E_VALUE;
  }
  for (int32_t j = 0; j < features; j++) {
    if (!isfinite(coef[j])) {
      return CXM_E_VALUE;
    }
  }
  cxm_risk_model_init(model);
  model->features = features;
  model->intercept = intercept;
  memcpy(model->coef, coef, (size_t)features * sizeof *coef);
  return CXM_OK;
}

/* The fit works on z_j = (x_j - mean_j) / sd_j over the non-constant
 * features, with parameters theta = (intercept, gamma_1..gamma_m); the
 * penalty (l2 / 2) sum gamma^2 is then the documented one on the original
 * scale, since gamma_j = b_j sd_j. */
typedef struct fit_ctx {
  const cxm_risk_data *data;
  size_t m;                                 /* active (non-constant) features */
  size_t p;                                 /* parameters: m + 1 */
  int32_t idx[CXM_RISK_MAX_FEATURES];       /* feature of each active one */
  double mean[CXM_RISK_MAX_FEATURES];       /* per active feature */
  double inv_sd[CXM_RISK_MAX_FEATURES];     /* per active feature */
  double centre[CXM_RISK_MAX_FEATURES + 1]; /* [a + 1]: the prior of active feature a on the standardised scale */
  double l2;
} fit_ctx;

static double row_eta(const fit_ctx *c, const double *theta, const double *xr, double *z) {
  double eta = theta[0];
  for (size_t a = 0; a < c->m; a++) {
    double za = (xr[c->idx[a]] - c->mean[a]) * c->inv_sd[a];
    if (z != NULL) {
      z[a + 1] = za;
    }
    eta += theta[a + 1] * za;
  }
  return eta;
}

static double penalty(const fit_ctx *c, const double *theta) {
  double s = 0.0;
  for (size_t a = 1; a < c->p; a++) {
    double d = theta[a] - c->centre[a];
    s += d * d;
  }
  return 0.5 * c->l2 * s;
}

/* -ln P(label y) of one row. With a proxy label (q > 0), P(label 1) =
 * d + (1 - d) q, d = sigmoid(eta): -ln(1 - P) = softplus(eta) -
 * ln(1 - q), and -ln P = softplus(-eta) - softplus(ln q - eta) (from
 * d / P = sigmoid(eta - ln q)); both exact at any finite eta. */
static double row_loss(double eta, int y, double q) {
  if (q <= 0.0) {
    return cxmi_softplus(eta) - (y ? eta : 0.0);
  }
  return y ? cxmi_softplus(-eta) - cxmi_softplus(log(q) - eta) : cxmi_softplus(eta) - log1p(-q);
}

double cxmi_risk_label_logit(double eta, double q) {
  if (q <= 0.0) {
    return eta;
  }
  /* ln P - ln(1 - P), each from row_loss's exact forms */
  return row_loss(eta, 0, q) - row_loss(eta, 1, q);
}

/* The derivative of -ln P(label y) with respect to eta (*r) and its Fisher
 * information (*v, the expected second derivative, always >= 0: scoring
 * rather than Newton, since the proxy loss is not convex in eta). With
 * s = d / P = sigmoid(eta - ln q): dP/deta = (1 - q) d (1 - d), so
 * r = d for y = 0, -(1 - q)(1 - d) s for y = 1, and v = (dP/deta)^2 /
 * (P (1 - P)) = (1 - q) d (1 - d) s. q = 0 gives the logistic d - y and
 * d (1 - d). */
static void row_score(double *r, double *v, double eta, int y, double q) {
  double d = cxmi_sigmoid(eta);
  if (q <= 0.0) {
    *r = d - (y ? 1.0 : 0.0);
    *v = d * (1.0 - d);
    return;
  }
  double e = cxmi_sigmoid(-eta), s = cxmi_sigmoid(eta - log(q)); /* e = 1 - d, accurate near d = 1 */
  *r = y ? -(1.0 - q) * e * s : d;
  *v = (1.0 - q) * d * e * s;
}

/* Sum of the weighted log-losses (no penalty). */
static double data_loss(const fit_ctx *c, const double *theta) {
  const cxm_risk_data *d = c->data;
  size_t k = (size_t)d->k;
  double f = 0.0;
  for (size_t i = 0; i < d->n; i++) {
    double eta = row_eta(c, theta, d->x + i * k, NULL);
    f += d->w[i] * row_loss(eta, d->y[i], d->q[i]);
  }
  return f;
}

/* Gradient g and Hessian h (p x p, full) of the penalised objective. */
static void grad_hess(const fit_ctx *c, const double *theta, double *g, double *h) {
  const cxm_risk_data *d = c->data;
  size_t k = (size_t)d->k, p = c->p;
  double z[CXM_RISK_MAX_FEATURES + 1];
  memset(g, 0, p * sizeof *g);
  memset(h, 0, p * p * sizeof *h);
  z[0] = 1.0;
  for (size_t i = 0; i < d->n; i++) {
    double eta = row_eta(c, theta, d->x + i * k, z), r, v;
    row_score(&r, &v, eta, d->y[i], d->q[i]);
    r *= d->w[i];
    v *= d->w[i];
    for (size_t a = 0; a < p; a++) {
      g[a] += r * z[a];
      double vz = v * z[a];
      double *row = h + a * p;
      for (size_t b = a; b < p; b++) {
        row[b] += vz * z[b];
      }
    }
  }
  for (size_t a = 1; a < p; a++) {
    g[a] += c->l2 * (theta[a] - c->centre[a]);
    h[a * p + a] += c->l2;
  }
  for (size_t a = 0; a < p; a++) {
    for (size_t b = 0; b < a; b++) {
      h[a * p + b] = h[b * p + a];
    }
  }
}

/* Cholesky factor L (lower, row-major) of h + shift I; 0 when not
 * positive definite. */
static int cholesky(double *l, const double *h, size_t p, double shift) {
  for (size_t i = 0; i < p; i++) {
    for (size_t j = 0; j <= i; j++) {
      double s = h[i * p + j] + (i == j ? shift : 0.0);
      for (size_t t = 0; t < j; t++) {
        s -= l[i * p + t] * l[j * p + t];
      }
      if (i == j) {
        if (!(s > 0.0) || !isfinite(s)) {
          return 0;
        }
        l[i * p + i] = sqrt(s);
      } else {
        l[i * p + j] = s / l[j * p + j];
      }
    }
  }
  return 1;
}

/* Solve L L' x = b in place. */
static void chol_solve(const double *l, size_t p, double *x) {
  for (size_t i = 0; i < p; i++) {
    double s = x[i];
    for (size_t t = 0; t < i; t++) {
      s -= l[i * p + t] * x[t];
    }
    x[i] = s / l[i * p + i];
  }
  for (size_t i = p; i-- > 0;) {
    double s = x[i];
    for (size_t t = i + 1; t < p; t++) {
      s -= l[t * p + i] * x[t];
    }
    x[i] = s / l[i * p + i];
  }
}

/* Factor h, adding a growing multiple of the identity when it is not
 * positive definite (only possible with l2 = 0 and collinear or separated
 * features): the step is then a damped Newton step, still a descent
 * direction. 0 when even a large shift fails (non-finite h). */
static int factor_with_fallback(double *l, const double *h, size_t p) {
  if (cholesky(l, h, p, 0.0)) {
    return 1;
  }
  double scale = 0.0;
  for (size_t a = 0; a < p; a++) {
    scale = fmax(scale, fabs(h[a * p + a]));
  }
  scale = fmax(scale, 1e-300);
  for (double mu = 1e-12 * scale; mu <= 1e12 * scale; mu *= 10.0) {
    if (cholesky(l, h, p, mu)) {
      return 1;
    }
  }
  return 0;
}

/* Weighted means, standard deviations and the active features. */
static void standardise(fit_ctx *c, double wsum) {
  const cxm_risk_data *d = c->data;
  size_t k = (size_t)d->k;
  c->m = 0;
  for (size_t j = 0; j < k; j++) {
    double s = 0.0, maxabs = 0.0;
    for (size_t i = 0; i < d->n; i++) {
      s += d->w[i] * d->x[i * k + j];
      maxabs = fmax(maxabs, fabs(d->x[i * k + j]));
    }
    double mean = s / wsum, v = 0.0;
    for (size_t i = 0; i < d->n; i++) {
      double e = d->x[i * k + j] - mean;
      v += d->w[i] * e * e;
    }
    double sd = sqrt(v / wsum);
    if (sd > CONSTANT_SHARE * maxabs && sd > 0.0) {
      c->idx[c->m] = (int32_t)j;
      c->mean[c->m] = mean;
      c->inv_sd[c->m] = 1.0 / sd;
      c->m++;
    }
  }
  c->p = c->m + 1;
}

/* Report theta on the original scale, with standard errors from the
 * inverse of the penalised Hessian h (NaN when it is not positive
 * definite). l is scratch of p * p. */
static void report(cxm_risk_model *model, const fit_ctx *c, const double *theta, const double *h, double *l) {
  size_t p = c->p;
  double intercept = theta[0];
  for (size_t a = 0; a < c->m; a++) {
    double b = theta[a + 1] * c->inv_sd[a];
    model->coef[c->idx[a]] = b;
    intercept -= b * c->mean[a];
  }
  model->intercept = intercept;
  if (!cholesky(l, h, p, 0.0)) {
    return; /* se stay NaN */
  }
  /* Var(b_j) = C_jj / sd_j^2 and Var(b0) = v' C v with v = (1, -mean_a /
   * sd_a), C = H^-1: the delta method for a linear map is exact. */
  double col[CXM_RISK_MAX_FEATURES + 1], v[CXM_RISK_MAX_FEATURES + 1], cv[CXM_RISK_MAX_FEATURES + 1];
  v[0] = 1.0;
  for (size_t a = 0; a < c->m; a++) {
    v[a + 1] = -c->mean[a] * c->inv_sd[a];
  }
  memcpy(cv, v, p * sizeof *v);
  chol_solve(l, p, cv);
  double var0 = 0.0;
  for (size_t a = 0; a < p; a++) {
    var0 += v[a] * cv[a];
  }
  model->intercept_se = var0 >= 0.0 ? sqrt(var0) : NAN;
  for (size_t a = 0; a < c->m; a++) {
    memset(col, 0, p * sizeof *col);
    col[a + 1] = 1.0;
    chol_solve(l, p, col);
    model->se[c->idx[a]] = col[a + 1] >= 0.0 ? sqrt(col[a + 1]) * c->inv_sd[a] : NAN;
  }
}

static int separated(const fit_ctx *c, const double *theta) {
  const cxm_risk_data *d = c->data;
  size_t k = (size_t)d->k;
  double min_pos = INFINITY, max_neg = -INFINITY;
  for (size_t i = 0; i < d->n; i++) {
    double eta = row_eta(c, theta, d->x + i * k, NULL);
    if (d->y[i]) {
      min_pos = fmin(min_pos, eta);
    } else {
      max_neg = fmax(max_neg, eta);
    }
  }
  return min_pos > max_neg;
}

int32_t cxm_risk_fit(cxm_risk_model *model, const cxm_risk_data *data, const cxm_risk_options *options) {
  cxm_risk_options opt;
  if (model == NULL || data == NULL) {
    return CXM_E_ARG;
  }
  if (!CXMI_STRUCT_OK(model, cxm_risk_model)) {
    return CXM_E_SIZE;
  }
  cxm_risk_options_init(&opt);
  if (options != NULL) {
    if (!CXMI_STRUCT_OK(options, cxm_risk_options)) {
      return CXM_E_SIZE;
    }
    cxmi_struct_in(&opt, options, sizeof opt);
  }
  if (!(opt.l2 >= 0.0 && opt.l2 <= 1e12) || opt.max_iterations < 1 || opt.max_iterations > 10000 ||
      !(opt.tolerance > 0.0 && opt.tolerance < 1.0)) {
    return CXM_E_OPTION;
  }
  if (opt.prior != NULL) {
    for (int32_t j = 0; j < data->k; j++) {
      if (!(fabs(opt.prior[j]) <= 1e100)) {
        return CXM_E_OPTION;
      }
    }
  }

  cxm_risk_model_init(model);
  model->features = data->k;
  model->l2 = opt.l2;
  model->rows = data->n;
  double wsum = 0.0, wpos = 0.0;
  for (size_t i = 0; i < data->n; i++) {
    wsum += data->w[i];
    if (data->y[i]) {
      wpos += data->w[i];
      model->positives++;
    }
  }
  if (data->n == 0) {
    return CXM_E_NO_DATA;
  }
  if (model->positives == 0 || model->positives == data->n) {
    /* One class: the maximum-likelihood intercept is infinite. Half a
     * pseudo-row of each class (Haldane-Anscombe) gives the nearest finite
     * rate; the features cannot be told apart, so their coefficients stay
     * 0 (what any positive penalty gives them). */
    double b0 = log((wpos + 0.5) / (wsum - wpos + 0.5));
    double f = 0.0;
    for (size_t i = 0; i < data->n; i++) {
      f += data->w[i] * (cxmi_softplus(b0) - (data->y[i] ? b0 : 0.0));
    }
    model->intercept = b0;
    model->log_loss = f / wsum;
    return CXM_E_NO_DATA;
  }

  fit_ctx c;
  memset(&c, 0, sizeof c);
  c.data = data;
  c.l2 = opt.l2;
  standardise(&c, wsum);
  /* b_j = g_j / sd_j, so a prior b_j = q_j is g_j = q_j sd_j */
  for (size_t a = 0; a < c.m && opt.prior != NULL; a++) {
    c.centre[a + 1] = opt.prior[c.idx[a]] / c.inv_sd[a];
  }
  size_t p = c.p;
  cxmi_alloc a = data->alloc;
  double *h = cxmi_malloc(&a, 2 * p * p * sizeof *h);
  if (h == NULL) {
    return CXM_E_NOMEM;
  }
  double *l = h + p * p;
  double theta[CXM_RISK_MAX_FEATURES + 1] = {0}, trial[CXM_RISK_MAX_FEATURES + 1];
  double g[CXM_RISK_MAX_FEATURES + 1], step[CXM_RISK_MAX_FEATURES + 1];
  theta[0] = log(wpos / (wsum - wpos)); /* the intercept-only optimum */
  if (data->proxy) {
    /* a start near the intercept-only optimum of the proxy model: mean
     * P(label 1) = dbar + (1 - dbar) qbar gives dbar = (ybar - qbar) /
     * (1 - qbar), kept inside [0.01, 0.99] */
    double qsum = 0.0;
    for (size_t i = 0; i < data->n; i++) {
      qsum += data->w[i] * data->q[i];
    }
    double ybar = wpos / wsum, qbar = qsum / wsum, dbar = fmin(0.99, fmax(0.01, (ybar - qbar) / (1.0 - qbar)));
    theta[0] = log(dbar / (1.0 - dbar));
  }
  double f = data_loss(&c, theta) + penalty(&c, theta);
  int converged = 0;
  int32_t it = 0;
  while (it < opt.max_iterations) {
    grad_hess(&c, theta, g, h);
    if (!factor_with_fallback(l, h, p)) {
      break;
    }
    for (size_t j = 0; j < p; j++) {
      step[j] = -g[j];
    }
    chol_solve(l, p, step);
    double dec = 0.0;
    for (size_t j = 0; j < p; j++) {
      dec -= g[j] * step[j];
    }
    if (!isfinite(dec)) {
      break;
    }
    it++;
    /* Step halving (the "step-halving" safeguard of IRLS, as in R's
     * glm.fit): accept the longest step of 1, 1/2, 1/4, ... that does not
     * raise the objective beyond rounding. */
    double t = 1.0, ft = NAN;
    int accepted = 0;
    for (int hv = 0; hv < MAX_HALVINGS; hv++, t *= 0.5) {
      for (size_t j = 0; j < p; j++) {
        trial[j] = theta[j] + t * step[j];
      }
      ft = data_loss(&c, trial) + penalty(&c, trial);
      if (ft <= f + 1e-14 * (1.0 + fabs(f))) {
        accepted = 1;
        break;
      }
    }
    if (accepted) {
      memcpy(theta, trial, p * sizeof *theta);
      f = ft;
    }
    if (dec <= opt.tolerance * (1.0 + fabs(f))) {
      converged = 1;
      break;
    }
    if (!accepted) {
      break;
    }
  }

  model->iterations = it;
  model->separated = separated(&c, theta);
  if (model->separated && opt.l2 == 0.0) {
    converged = 0; /* the estimates run off to infinity */
  }
  model->converged = converged;
  grad_hess(&c, theta, g, h);
  report(model, &c, theta, h, l);
  model->log_loss = data_loss(&c, theta) / wsum;
  cxmi_free(&a, h, 2 * p * p * sizeof *h);
  return converged ? CXM_OK : CXM_E_CONVERGE;
}
