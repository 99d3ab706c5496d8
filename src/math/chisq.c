/* Regularised incomplete gamma by its power series below a + 1 and its
 * continued fraction (modified Lentz) above, as in Press et al.,
 * Numerical Recipes (2007), section 6.2, with ln Gamma from special.c. */
#include "math/chisq.h"

#include <math.h>

#include "math/special.h"

static double gamma_p_series(double a, double x) {
  double ap = a, sum = 1.0 / a, del = sum;
  for (int i = 0; i < 10000; i++) {
    ap += 1.0;
    del *= x / ap;
    sum += del;
    if (fabs(del) < fabs(sum) * 1e-16) break;
  }
  return sum * exp(-x + a * log(x) - cxmi_lgamma(a));
}

static double gamma_q_fraction(double a, double x) {
  const double tiny = 1e-300;
  double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 10000; i++) {
    double an = -i * (i - a), del;
    b += 2.0;
    d = an * d + b;
    if (fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    del = d * c;
    h *= del;
    if (fabs(del - 1.0) < 1e-16) break;
  }
  return exp(-x + a * log(x) - cxmi_lgamma(a)) * h;
}

double cxmi_gamma_q(double a, double x) {
  if (!(a > 0) || !(x >= 0) || isinf(a)) return NAN;
  if (x == 0) return 1.0;
  if (isinf(x)) return 0.0;
  if (x < a + 1.0) return 1.0 - gamma_p_series(a, x);
  return gamma_q_fraction(a, x);
}

double cxmi_chisq_sf(double x, double df) {
  if (!(df > 0) || isnan(x)) return NAN;
  if (x <= 0) return 1.0;
  return cxmi_gamma_q(0.5 * df, 0.5 * x);
}
