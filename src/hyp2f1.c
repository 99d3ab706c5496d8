/* Gauss hypergeometric function 2F1(a, b; c; z), real arguments, z < 1.
 *
 * Method (Abramowitz & Stegun 15.1.1, 15.3.3-15.3.5; DLMF 15.2.1, 15.8.1):
 * - z < 0: Pfaff's transformation (A&S 15.3.5, DLMF 15.8.1)
 *     2F1(a, b; c; z) = (1 - z)^(-b) 2F1(c - a, b; c; z / (z - 1)),
 *   which maps z in (-inf, 0) to w in (0, 1), where the series has terms of
 *   one sign when the parameters are positive (no cancellation).
 * - 0 <= w < 1 and c - a - b < 0: Euler's transformation (A&S 15.3.3)
 *     2F1(a, b; c; w) = (1 - w)^(c - a - b) 2F1(c - a, c - b; c; w).
 *   Without it the sum grows like (1 - w)^(c - a - b) while its terms first
 *   grow (e.g. like (x w)^k / k! for a = b ~ x in the thousands) and
 *   overflow; after it, the terms' ratio (c - a + k)(c - b + k) /
 *   ((c + k)(1 + k)) w stays below w for the models' parameters (for
 *   2F1(A, B; A + 1; w), the Pareto/NBD case, it is (1 + k)(A + 1 - B + k) /
 *   ((A + 1 + k)(1 + k)) w < w when B > 1), so the series converges at least
 *   geometrically from the first term.
 * - Then the power series (A&S 15.1.1), summed with a running scale so
 *   that sums beyond 1e300 stay representable, until a term is below
 *   2^-56 of the sum and the bound |t_k| |w| / (1 - |w|) on the rest of a
 *   series whose term ratio tends to w is too.
 *
 * The series needs about 37 / -ln|w| terms at double precision: 36 at
 * w = 0.36, 3 700 at 0.99, 370 000 at 0.9999 (the Pareto/NBD likelihood
 * with alpha / beta ~ 1e4). It gives up (NaN) after 4 million terms. */
#include "hyp2f1.h"

#include <float.h>
#include <math.h>

#define CXMI_HYP2F1_MAX_TERMS 4000000L
#define CXMI_HYP2F1_BIG 1e280
#define CXMI_HYP2F1_LN_BIG 644.72382603818022 /* ln(1e280) */

/* ln |series| of 2F1(a, b; c; w), 0 <= |w| < 1. */
static double series_log(int *sign, double a, double b, double c, double w) {
  double sum = 1.0;
  double term = 1.0;
  double scale = 0.0; /* true value = sum * exp(scale) */
  double tail = fabs(w) / (1.0 - fabs(w));
  long k;
  for (k = 0; k < CXMI_HYP2F1_MAX_TERMS; k++) {
    double dk = (double)k;
    double ratio = (a + dk) * (b + dk) / ((c + dk) * (dk + 1.0)) * w;
    term *= ratio;
    sum += term;
    if (term == 0.0) {
      break;
    }
    if (fabs(sum) > CXMI_HYP2F1_BIG || fabs(term) > CXMI_HYP2F1_BIG) {
      sum /= CXMI_HYP2F1_BIG;
      term /= CXMI_HYP2F1_BIG;
      scale += CXMI_HYP2F1_LN_BIG;
    }
    /* Once the terms shrink (|ratio| < 1), the rest is bounded by
     * |term| * sup|ratio| / (1 - sup|ratio|); the ratio tends to w. */
    double bound = fabs(term) * (fabs(ratio) > fabs(w) ? fabs(ratio) / (1.0 - fabs(ratio)) : tail);
    if (fabs(ratio) < 1.0 && bound <= 0x1p-56 * fabs(sum)) {
      break;
    }
  }
  if (k >= CXMI_HYP2F1_MAX_TERMS || !(sum != 0.0) || !isfinite(sum)) {
    *sign = 0;
    return NAN;
  }
  *sign = sum > 0.0 ? 1 : -1;
  return log(fabs(sum)) + scale;
}

double cxmi_hyp2f1_log(int *sign, double a, double b, double c, double z) {
  double prefactor = 0.0; /* ln of the transformation's power of (1 - z) */
  *sign = 0;
  if (isnan(a) || isnan(b) || isnan(c) || isnan(z) || !(c > 0.0) || !(z < 1.0) || isinf(a) || isinf(b) ||
      isinf(c)) {
    return NAN;
  }
  if (z == 0.0 || a == 0.0 || b == 0.0) {
    *sign = 1;
    return 0.0;
  }
  if (z < 0.0) {
    /* Pfaff: (1 - z)^(-b) 2F1(c - a, b; c; z / (z - 1)). */
    double w = z / (z - 1.0);
    prefactor = -b * log1p(-z);
    a = c - a;
    z = w;
    if (!(z < 1.0)) {
      return NAN; /* z = -inf */
    }
    if (a == 0.0) {
      *sign = 1;
      return prefactor;
    }
  }
  if (c - a - b < 0.0) {
    /* Euler: (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z). */
    prefactor += (c - a - b) * log1p(-z);
    double na = c - a;
    double nb = c - b;
    a = na;
    b = nb;
    if (a == 0.0 || b == 0.0) {
      *sign = 1;
      return prefactor;
    }
  }
  double l = series_log(sign, a, b, c, z);
  return l + prefactor;
}
