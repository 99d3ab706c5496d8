/* Cholesky-Banachiewicz factorisation (Golub & Van Loan, Matrix
 * Computations, 4th ed., algorithm 4.2.1) and triangular solves. */
#include "math/linalg.h"

#include <math.h>

int cxmi_cholesky(double *a, size_t n) {
  double maxdiag = 0;
  for (size_t i = 0; i < n; i++)
    if (fabs(a[i * n + i]) > maxdiag) maxdiag = fabs(a[i * n + i]);
  if (!(maxdiag > 0) || !isfinite(maxdiag)) return 0;
  for (size_t j = 0; j < n; j++) {
    double d = a[j * n + j];
    for (size_t k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    /* a pivot lost to rounding relative to the largest diagonal means the
     * matrix is singular to working precision */
    if (!(d > maxdiag * 1e-13)) return 0;
    d = sqrt(d);
    a[j * n + j] = d;
    for (size_t i = j + 1; i < n; i++) {
      double s = a[i * n + j];
      for (size_t k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / d;
    }
    for (size_t k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return 1;
}

void cxmi_chol_solve(const double *l, size_t n, double *b) {
  for (size_t i = 0; i < n; i++) {
    double s = b[i];
    for (size_t k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (size_t i = n; i-- > 0;) {
    double s = b[i];
    for (size_t k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

void cxmi_chol_inverse(const double *l, size_t n, double *inv) {
  for (size_t j = 0; j < n; j++) {
    double *col = inv + j * n; /* row j of inv; the inverse is symmetric */
    for (size_t i = 0; i < n; i++) col[i] = i == j ? 1.0 : 0.0;
    cxmi_chol_solve(l, n, col);
  }
}
