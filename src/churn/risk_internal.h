/* Internals shared by src/churn/risk.c (rows and fit) and src/churn/risk_eval.c
 * (score, explain, evaluate, bands): the row storage and the numerically
 * stable logistic helpers. */
#ifndef CXM_SRC_RISK_H
#define CXM_SRC_RISK_H

#include "common/alloc.h"
#include "cxm/risk.h"

struct cxm_risk_data {
  cxmi_alloc alloc;
  int32_t k;        /* features per row */
  size_t n;         /* rows */
  double *x;        /* n * k values, row-major; capacity cap_x rows */
  unsigned char *y; /* labels; capacity cap_y */
  double *w;        /* weights; capacity cap_w */
  double *q;        /* per row, P(label 1 | the event did not happen) in [0, 1); capacity cap_q */
  size_t cap_x, cap_y, cap_w, cap_q;
  int proxy; /* some row has q > 0 */
};

/* Add a row whose label is a proxy of the event the model is about: it
 * reads 1 when the event happens, and also with probability q when it does
 * not (a customer who stays but makes no purchase in the window is labelled
 * lapsed). The fit then estimates P(event) = sigmoid(eta) under
 * P(label 1) = d + (1 - d) q (docs/risk.md, "Proxy labels"), and
 * cxm_risk_evaluate() judges P(label 1) against the labels. q = 0 is
 * cxm_risk_data_add(). CXM_E_VALUE for q outside [0, 1). */
int32_t cxmi_risk_data_add_proxy(cxm_risk_data *data, const double *x, int32_t label, double weight, double q);

/* The log-odds of P(label 1) = d + (1 - d) q for d = sigmoid(eta): eta
 * itself when q = 0, finite at any finite eta for q in [0, 1). */
double cxmi_risk_label_logit(double eta, double q);

/* ln(1 + e^eta) without overflow or loss of accuracy at any finite eta. */
double cxmi_softplus(double eta);

/* 1 / (1 + e^-eta) without overflow; exactly 0 or 1 only where the double
 * rounds there. */
double cxmi_sigmoid(double eta);

/* CXM_OK when the model can score: known size, 1..64 features, finite
 * intercept and coefficients; else CXM_E_SIZE or CXM_E_MODEL. */
int32_t cxmi_risk_check_model(const cxm_risk_model *model);

/* The log-odds intercept + contrib[0] + ... summed left to right, writing
 * each contribution coef[j] * x[j] to contrib when it is not NULL. */
double cxmi_risk_logit(double *contrib, const cxm_risk_model *model, const double *x);

#endif
