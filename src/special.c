/* ln Gamma and digamma for positive arguments (src/special.h).
 *
 * Both shift the argument up to x >= 10 by the recurrences
 * Gamma(x + 1) = x Gamma(x) and psi(x + 1) = psi(x) + 1/x, then use the
 * asymptotic (Stirling) series, DLMF 5.11.1 and 5.11.2 (Bernoulli-number
 * coefficients B_2k / (2k (2k - 1)) and B_2k / (2k)). With x >= 10 the
 * seven terms kept leave a truncation error below 1e-17. */
#include "special.h"

#include <math.h>

#define CXMI_HALF_LN_2PI 0.91893853320467274178032973640561763986 /* ln(2 pi) / 2 */

double cxmi_lgamma(double x) {
  double shift = 0.0;
  if (!(x > 0.0)) {
    return NAN;
  }
  if (isinf(x)) {
    return INFINITY;
  }
  if (x < 10.0) {
    /* Product x (x+1) ... (x+n-1) with n <= 10 factors; for tiny x the
     * product is tiny, never zero (x >= DBL_TRUE_MIN), so the log is finite. */
    double prod = 1.0;
    while (x < 10.0) {
      prod *= x;
      x += 1.0;
    }
    shift = log(prod);
  }
  double y = 1.0 / (x * x);
  double series = (1.0 / 12.0 +
                   y * (-1.0 / 360.0 +
                        y * (1.0 / 1260.0 +
                             y * (-1.0 / 1680.0 + y * (1.0 / 1188.0 + y * (-691.0 / 360360.0 + y / 156.0)))))) /
                  x;
  return (x - 0.5) * log(x) - x + CXMI_HALF_LN_2PI + series - shift;
}

double cxmi_digamma(double x) {
  double shift = 0.0;
  if (!(x > 0.0)) {
    return NAN;
  }
  if (isinf(x)) {
    return INFINITY;
  }
  while (x < 10.0) {
    shift += 1.0 / x;
    x += 1.0;
  }
  double y = 1.0 / (x * x);
  /* psi(x) ~ ln x - 1/(2x) - sum B_2k / (2k x^2k) */
  double series =
      y * (1.0 / 12.0 -
           y * (1.0 / 120.0 - y * (1.0 / 252.0 - y * (1.0 / 240.0 - y * (1.0 / 132.0 - y * (691.0 / 32760.0 - y / 12.0))))));
  return log(x) - 0.5 / x - series - shift;
}

double cxmi_lgamma_ratio(double x, double k) {
  if (k <= 32.0) {
    double s = 0.0;
    for (double j = 0.0; j < k; j += 1.0) {
      s += log(x + j);
    }
    return s;
  }
  return cxmi_lgamma(x + k) - cxmi_lgamma(x);
}

double cxmi_lbeta(double a, double b) { return cxmi_lgamma(a) + cxmi_lgamma(b) - cxmi_lgamma(a + b); }
