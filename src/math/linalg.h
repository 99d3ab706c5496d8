/* Small dense linear algebra for the survival and driver models
 * (src/math/linalg.c): Cholesky factorisation, solve and inverse of symmetric
 * positive definite matrices stored row-major. No allocation, no state. */
#ifndef CXM_SRC_LINALG_H
#define CXM_SRC_LINALG_H

#include <stddef.h>

/* Factor a (n x n, symmetric positive definite, row-major) in place into
 * its lower Cholesky factor L (a = L L'); the upper triangle is zeroed.
 * Returns 0 when a pivot is not positive relative to the diagonal (a
 * singular or indefinite matrix; a is then partly overwritten), else 1. */
int cxmi_cholesky(double *a, size_t n);

/* Solve L L' x = b in place (b becomes x) with a factor from cxmi_cholesky. */
void cxmi_chol_solve(const double *l, size_t n, double *b);

/* inv = (L L')^-1 (n x n, row-major) from a factor; inv must not alias l. */
void cxmi_chol_inverse(const double *l, size_t n, double *inv);

#endif
