/* Scoring, explaining and evaluating a logistic risk model, and its bands
 * (include/cxm/risk.h, docs/risk.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "churn/risk_internal.h"
#include "common/abi_check.h"

int32_t cxmi_risk_check_model(const cxm_risk_model *model) {
  if (!CXMI_STRUCT_OK(model, cxm_risk_model)) {
    return CXM_E_SIZE;
  }
  if (model->features < 1 || model->features > CXM_RISK_MAX_FEATURES || !isfinite(model->intercept)) {
    return CXM_E_MODEL;
  }
  for (int32_t j = 0; j < model->features; j++) {
    if (!isfinite(model->coef[j])) {
      return CXM_E_MODEL;
    }
  }
  return CXM_OK;
}

double cxmi_risk_logit(double *contrib, const cxm_risk_model *model, const double *x) {
  double eta = model->intercept;
  for (int32_t j = 0; j < model->features; j++) {
    double cj = model->coef[j] * x[j];
    if (contrib != NULL) {
      contrib[j] = cj;
    }
    eta += cj;
  }
  return eta;
}

/* Check the arguments of score and explain; the log-odds in *eta. */
static int32_t logit_of(double *contrib, double *eta, const cxm_risk_model *model, const double *x) {
  if (model == NULL || x == NULL) {
    return CXM_E_ARG;
  }
  int32_t rc = cxmi_risk_check_model(model);
  if (rc != CXM_OK) {
    return rc;
  }
  for (int32_t j = 0; j < model->features; j++) {
    if (!isfinite(x[j])) {
      return CXM_E_VALUE;
    }
  }
  double c[CXM_RISK_MAX_FEATURES];
  double e = cxmi_risk_logit(c, model, x);
  if (!isfinite(e)) {
    return CXM_E_VALUE; /* a product or the sum overflowed */
  }
  if (contrib != NULL) {
    memcpy(contrib, c, (size_t)model->features * sizeof *c);
  }
  *eta = e;
  return CXM_OK;
}

int32_t cxm_risk_score(double *p, const cxm_risk_model *model, const double *x) {
  double eta;
  if (p == NULL) {
    return CXM_E_ARG;
  }
  int32_t rc = logit_of(NULL, &eta, model, x);
  if (rc == CXM_OK) {
    *p = cxmi_sigmoid(eta);
  }
  return rc;
}

int32_t cxm_risk_explain(double *contrib, double *logit, const cxm_risk_model *model, const double *x) {
  double eta;
  if (contrib == NULL) {
    return CXM_E_ARG;
  }
  int32_t rc = logit_of(contrib, &eta, model, x);
  if (rc == CXM_OK && logit != NULL) {
    *logit = eta;
  }
  return rc;
}

int32_t cxm_risk_band(double p) {
  if (!(p >= 0.0 && p <= 1.0)) {
    return CXM_RISK_NONE;
  }
  if (p < CXM_RISK_MEDIUM_FROM) {
    return CXM_RISK_LOW;
  }
  return p < CXM_RISK_HIGH_FROM ? CXM_RISK_MEDIUM : CXM_RISK_HIGH;
}

typedef struct scored {
  double eta;
  double w;
  size_t i; /* the row's index: a deterministic order among ties */
  int y;
} scored;

static int by_eta(const void *pa, const void *pb) {
  const scored *a = pa, *b = pb;
  if (a->eta != b->eta) {
    return a->eta < b->eta ? -1 : 1;
  }
  return a->i < b->i ? -1 : (a->i > b->i);
}

int32_t cxm_risk_evaluate(cxm_risk_evaluation *out, const cxm_risk_model *model, const cxm_risk_data *data) {
  if (out == NULL || model == NULL || data == NULL) {
    return CXM_E_ARG;
  }
  if (!CXMI_STRUCT_OK(out, cxm_risk_evaluation)) {
    return CXM_E_SIZE;
  }
  int32_t rc = cxmi_risk_check_model(model);
  if (rc != CXM_OK) {
    return rc;
  }
  if (model->features != data->k) {
    return CXM_E_MODEL;
  }
  size_t n = data->n, k = (size_t)data->k;
  size_t size = out->size; /* the caller's: a newer caller's zero tail stays as it is */
  memset(out, 0, sizeof *out);
  out->size = size;
  out->log_loss = out->brier = out->auc = NAN;
  for (int b = 0; b < CXM_RISK_CALIBRATION_BINS; b++) {
    out->bin_predicted[b] = out->bin_observed[b] = NAN;
  }
  if (n == 0) {
    return CXM_E_NO_DATA;
  }
  cxmi_alloc a = data->alloc;
  scored *s = cxmi_calloc(&a, n, sizeof *s);
  if (s == NULL) {
    return CXM_E_NOMEM;
  }
  double wsum = 0.0, wpos = 0.0, ll = 0.0, brier = 0.0;
  uint64_t positives = 0;
  for (size_t i = 0; i < n; i++) {
    /* With a proxy label the evaluation judges P(label 1) = d + (1 - d) q
     * (docs/risk.md, "Proxy labels"): its log-odds replace eta below. */
    double eta = cxmi_risk_label_logit(cxmi_risk_logit(NULL, model, data->x + i * k), data->q[i]);
    if (!isfinite(eta)) {
      cxmi_free(&a, s, n * sizeof *s);
      return CXM_E_VALUE;
    }
    double w = data->w[i], p = cxmi_sigmoid(eta);
    int y = data->y[i];
    s[i].eta = eta;
    s[i].w = w;
    s[i].i = i;
    s[i].y = y;
    wsum += w;
    /* -ln p = softplus(-eta), -ln(1 - p) = softplus(eta): exact at any
     * finite eta, where ln of a rounded p would give inf. */
    ll += w * (y ? cxmi_softplus(-eta) : cxmi_softplus(eta));
    brier += w * (p - y) * (p - y);
    if (y) {
      wpos += w;
      positives++;
    }
  }
  out->rows = n;
  out->positives = positives;
  out->log_loss = ll / wsum;
  out->brier = brier / wsum;
  qsort(s, n, sizeof *s, by_eta);

  /* AUC by ranks: each positive beats the negative weight strictly below
   * it and ties with the negatives of its own score (Mann-Whitney U /
   * (n1 n0), Hanley & McNeil 1982). */
  if (positives > 0 && positives < n) {
    double below = 0.0, num = 0.0;
    for (size_t i = 0; i < n;) {
      size_t j = i;
      double gp = 0.0, gn = 0.0;
      while (j < n && s[j].eta == s[i].eta) {
        if (s[j].y) {
          gp += s[j].w;
        } else {
          gn += s[j].w;
        }
        j++;
      }
      num += gp * (below + 0.5 * gn);
      below += gn;
      i = j;
    }
    out->auc = num / (wpos * (wsum - wpos));
  }

  for (size_t b = 0; b < CXM_RISK_CALIBRATION_BINS; b++) {
    /* floor(b n / 10) without forming b n */
    size_t lo = (n / 10) * b + (n % 10) * b / 10;
    size_t hi = (n / 10) * (b + 1) + (n % 10) * (b + 1) / 10;
    double wb = 0.0, pb = 0.0, yb = 0.0;
    for (size_t i = lo; i < hi; i++) {
      wb += s[i].w;
      pb += s[i].w * cxmi_sigmoid(s[i].eta);
      yb += s[i].y ? s[i].w : 0.0;
    }
    out->bin_rows[b] = hi - lo;
    if (hi > lo) {
      out->bin_predicted[b] = pb / wb;
      out->bin_observed[b] = yb / wb;
    }
  }
  cxmi_free(&a, s, n * sizeof *s);
  return CXM_OK;
}
