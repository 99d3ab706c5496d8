/* The Shapley value of each predictor in the "game" whose worth of a set
 * S of predictors is the R^2 of the regression on S: Lindeman, Merenda &
 * Gold (1980), Kruskal (1987), Grömping (2007, Am. Stat. 61(2)):
 * phi_j = sum over S not containing j of |S|! (p - |S| - 1)! / p!
 *         * (R^2(S + j) - R^2(S)),
 * with R^2(S) = r_S' R_SS^{-1} r_S from the correlation matrices, every
 * subset's R^2 computed once by a Cholesky solve (2^p of them). */
#include "drivers/shapley.h"

#include <math.h>
#include <stdint.h>

#include "math/linalg.h"

static size_t bits_set(uint32_t s) {
  size_t c = 0;
  for (; s != 0; s &= s - 1) c++;
  return c;
}

int cxmi_shapley_r2(double *phi, const double *r, const double *rxy, size_t p, double *scratch) {
  double sub[CXMI_SHAPLEY_MAX * CXMI_SHAPLEY_MAX], rs[CXMI_SHAPLEY_MAX], sol[CXMI_SHAPLEY_MAX];
  double weight[CXMI_SHAPLEY_MAX];
  size_t idx[CXMI_SHAPLEY_MAX];
  uint32_t full;
  if (p == 0 || p > CXMI_SHAPLEY_MAX) return 0;
  full = (uint32_t)1 << p;
  scratch[0] = 0;
  for (uint32_t s = 1; s < full; s++) {
    size_t m = 0;
    double v = 0;
    for (size_t j = 0; j < p; j++)
      if (s & ((uint32_t)1 << j)) idx[m++] = j;
    for (size_t a = 0; a < m; a++) {
      rs[a] = sol[a] = rxy[idx[a]];
      for (size_t c = 0; c < m; c++) sub[a * m + c] = r[idx[a] * p + idx[c]];
    }
    if (!cxmi_cholesky(sub, m)) return 0;
    cxmi_chol_solve(sub, m, sol);
    for (size_t a = 0; a < m; a++) v += rs[a] * sol[a];
    scratch[s] = v;
  }
  /* weight of a coalition of size k: k! (p - k - 1)! / p! */
  for (size_t k = 0; k < p; k++) {
    double w = 1.0 / (double)p;
    for (size_t i = 1; i <= k; i++) w *= (double)i / (double)(p - i);
    weight[k] = w;
  }
  for (size_t j = 0; j < p; j++) {
    double acc = 0;
    uint32_t bit = (uint32_t)1 << j;
    for (uint32_t s = 0; s < full; s++) {
      if (s & bit) continue;
      acc += weight[bits_set(s)] * (scratch[s | bit] - scratch[s]);
    }
    phi[j] = acc;
  }
  return 1;
}
