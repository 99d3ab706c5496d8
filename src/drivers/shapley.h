/* Shapley (LMG) decomposition of R^2 over every subset of up to 15
 * predictors (src/drivers/shapley.c). Pure function on caller memory. */
#ifndef CXM_SRC_SHAPLEY_H
#define CXM_SRC_SHAPLEY_H

#include <stddef.h>

/* Largest number of predictors (2^15 subsets). */
#define CXMI_SHAPLEY_MAX 15

/* phi[0..p) from the predictors' correlation matrix r (p x p) and their
 * correlations rxy with the outcome; they sum to the full model's R^2.
 * scratch holds 2^p doubles. Returns 0 when a subset's correlation matrix
 * is singular (collinear predictors) or p is out of range. */
int cxmi_shapley_r2(double *phi, const double *r, const double *rxy, size_t p, double *scratch);

#endif
