/* Eigen-decomposition of a small symmetric matrix by the cyclic Jacobi
 * method (src/math/eigen.c), for the relative weights of key driver analysis.
 * No allocation, no state. */
#ifndef CXM_SRC_EIGEN_H
#define CXM_SRC_EIGEN_H

#include <stddef.h>

/* Decompose the symmetric n x n matrix a (row-major; destroyed) as
 * V diag(w) V': eigenvalues to w[0..n), eigenvectors to the columns of v
 * (n x n, row-major). Returns 1 when the off-diagonal mass fell below
 * rounding within 100 sweeps (always, in practice), else 0. */
int cxmi_jacobi_eigen(double *a, size_t n, double *w, double *v);

#endif
