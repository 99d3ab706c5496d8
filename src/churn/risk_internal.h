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
  size_t cap_x, cap_y, cap_w;
};

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
