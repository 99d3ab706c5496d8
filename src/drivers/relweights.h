/* Relative weights of key driver analysis (src/drivers/relweights.c): Johnson's
 * (2000) for a linear outcome and Tonidandel & LeBreton's (2010) for a
 * binary one. Pure functions on caller memory. */
#ifndef CXM_SRC_RELWEIGHTS_H
#define CXM_SRC_RELWEIGHTS_H

#include <stddef.h>

/* Largest number of predictors (the bootstrap adds one random column). */
#define CXMI_RW_MAX 16

/* Johnson's weights from the p x p correlation matrix r of the predictors
 * and their correlations rxy with the outcome: rw[0..p) sums to R^2 (to
 * *r2). Returns 0 when r is singular (collinear predictors). */
int cxmi_relweights_linear(double *rw, double *r2, const double *r, const double *rxy, size_t p);

/* The matrix R^{1/2} = V diag(sqrt lambda) V' of a correlation matrix
 * (p x p) and R^{-1/2}; 0 when r is singular. */
int cxmi_corr_sqrt(double *half, double *inv_half, const double *r, size_t p);

/* Logistic relative weights for a 0/1 outcome y on the standardised
 * predictors zx (n x p, columns mean 0, sd 1, correlation matrix r):
 * Z = zx R^{-1/2}, a logistic regression of y on Z by Newton-Raphson,
 * beta_k = b_k sd(Z_k) R / sd(eta), R^2 = corr(y, p_hat)^2, and
 * rw_j = sum_k (R^{1/2})_jk^2 beta_k^2, which sums to R^2. scratch holds
 * n * (p + 3) doubles. Returns 0 for singular r, separation or no
 * convergence in 100 iterations. */
int cxmi_relweights_logistic(double *rw, double *r2, const double *zx, const double *y, size_t n, size_t p,
                             const double *r, double *scratch);

#endif
