/* Cyclic Jacobi eigenvalue method with the threshold strategy of
 * Rutishauser (1971; Wilkinson & Reinsch, Handbook for Automatic
 * Computation II, contribution II/1) as given in Press et al., Numerical
 * Recipes (2007), sec. 11.1: rotations annihilate one off-diagonal element
 * at a time; tiny elements are set to zero once they no longer change the
 * diagonal. Accurate to working precision for the small (<= 16 x 16)
 * correlation matrices of the driver analysis. */
#include "math/eigen.h"

#include <math.h>

static void rotate(double *a, size_t n, size_t i, size_t j, size_t k, size_t l, double s, double tau) {
  double g = a[i * n + j], h = a[k * n + l];
  a[i * n + j] = g - s * (h + g * tau);
  a[k * n + l] = h + s * (g - h * tau);
}

int cxmi_jacobi_eigen(double *a, size_t n, double *w, double *v) {
  double b[64], z[64];
  if (n == 0 || n > 64) return 0;
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n; j++) v[i * n + j] = i == j ? 1.0 : 0.0;
    b[i] = w[i] = a[i * n + i];
    z[i] = 0;
  }
  for (int sweep = 1; sweep <= 100; sweep++) {
    double sm = 0, thresh;
    for (size_t p = 0; p + 1 < n; p++)
      for (size_t q = p + 1; q < n; q++) sm += fabs(a[p * n + q]);
    if (sm == 0) return 1;
    thresh = sweep < 4 ? 0.2 * sm / (double)(n * n) : 0.0;
    for (size_t p = 0; p + 1 < n; p++) {
      for (size_t q = p + 1; q < n; q++) {
        double g = 100.0 * fabs(a[p * n + q]);
        if (sweep > 4 && fabs(w[p]) + g == fabs(w[p]) && fabs(w[q]) + g == fabs(w[q])) {
          a[p * n + q] = 0;
        } else if (fabs(a[p * n + q]) > thresh) {
          double h = w[q] - w[p], t, c, s, tau;
          if (fabs(h) + g == fabs(h)) {
            t = a[p * n + q] / h;
          } else {
            double theta = 0.5 * h / a[p * n + q];
            t = 1.0 / (fabs(theta) + sqrt(1.0 + theta * theta));
            if (theta < 0) t = -t;
          }
          c = 1.0 / sqrt(1 + t * t);
          s = t * c;
          tau = s / (1.0 + c);
          h = t * a[p * n + q];
          z[p] -= h;
          z[q] += h;
          w[p] -= h;
          w[q] += h;
          a[p * n + q] = 0;
          for (size_t j = 0; j < p; j++) rotate(a, n, j, p, j, q, s, tau);
          for (size_t j = p + 1; j < q; j++) rotate(a, n, p, j, j, q, s, tau);
          for (size_t j = q + 1; j < n; j++) rotate(a, n, p, j, q, j, s, tau);
          for (size_t j = 0; j < n; j++) rotate(v, n, j, p, j, q, s, tau);
        }
      }
    }
    for (size_t p = 0; p < n; p++) {
      b[p] += z[p];
      w[p] = b[p];
      z[p] = 0;
    }
  }
  return 0;
}
