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
 * - Then, for w <= 0.9, the power series (A&S 15.1.1), summed with a
 *   running scale so that sums beyond 1e300 stay representable, until a
 *   term is below 2^-56 of the sum and the bound |t_k| |w| / (1 - |w|) on
 *   the rest of a series whose term ratio tends to w is too (at most ~350
 *   terms at w = 0.9);
 * - for w > 0.9, the connection formula in 1 - w (A&S 15.3.6), whose two
 *   series converge like (1 - w)^k. Its two terms grow like 1/d and cancel
 *   when c - a - b is a distance d from an integer (error ~1e-14 / d), so
 *   for d < 0.02 the power series is kept while 1 - w >= 4e-5 (at most
 *   ~925 000 terms, within the budget of 1 million); beyond that, the value
 *   is interpolated between
 *   c - a - b = n -+ 2e-5, good to ~1e-7 relative only (A&S 15.3.10-12,
 *   the exact formulas for integer c - a - b, are not implemented).
 *
 * 1 - z is passed separately (cxmi_hyp2f1_log2) when the caller can compute
 * it without cancellation, e.g. (alpha + T) / (alpha + T + t) for
 * z = t / (alpha + T + t), since (1 - z)^(c - a - b) with large exponents
 * amplifies the rounding of 1 - z. */
#include "math/hyp2f1.h"

#include <float.h>
#include <math.h>

#include "math/special.h"

/* The term budget of every series here: a series that has not met its
 * stopping test by then returns NaN (sign 0) instead of running on. The
 * slowest use below (c - a - b near an integer, 1 - z >= 4e-5) needs
 * ~37 / (1 - z) <= 925 000 terms, ~5 ms. */
#define CXMI_HYP2F1_MAX_TERMS 1000000L
#define CXMI_HYP2F1_BIG 1e280
#define CXMI_HYP2F1_LN_BIG 644.72382603818022 /* ln(1e280) */

/* ln |series| of 2F1(a, b; c; w), |w| < 1 (c need not be positive, only
 * not a non-positive integer). Gives up (NaN) after CXMI_HYP2F1_MAX_TERMS. */
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

/* ln |Gamma(x)| and its sign for any real x that is not a pole:
 * reflection Gamma(x) = pi / (sin(pi x) Gamma(1 - x)) below 1/2 (A&S 6.1.17),
 * with sin(pi x) taken after reducing x modulo 2 (exact in floating point). */
static double lgamma_signed(int *sign, double x) {
  if (x > 0.5) {
    *sign = 1;
    return cxmi_lgamma(x);
  }
  double r = x - 2.0 * floor(0.5 * x); /* in [0, 2) */
  double sp = sin(3.14159265358979323846 * r);
  if (sp == 0.0) {
    *sign = 0;
    return INFINITY; /* a pole: 1/Gamma = 0 */
  }
  *sign = sp > 0.0 ? 1 : -1;
  return 1.1447298858494002 /* ln pi */ - log(fabs(sp)) - cxmi_lgamma(1.0 - x);
}

/* sign * e^l of a + b, with both given as (sign, log). */
static double log_add_signed(int *sign, int s1, double l1, int s2, double l2) {
  if (s1 == 0) {
    *sign = s2;
    return l2;
  }
  if (s2 == 0) {
    *sign = s1;
    return l1;
  }
  double hi = l1 > l2 ? l1 : l2;
  double v = (double)s1 * exp(l1 - hi) + (double)s2 * exp(l2 - hi);
  if (v == 0.0) {
    *sign = 0;
    return -INFINITY;
  }
  *sign = v > 0.0 ? 1 : -1;
  return hi + log(fabs(v));
}

/* 2F1(a, b; c; z) for z close to 1 by the connection formula in 1 - z
 * (A&S 15.3.6, DLMF 15.8.4), valid when c - a - b is not an integer:
 *   Gamma(c) Gamma(c-a-b) / (Gamma(c-a) Gamma(c-b)) 2F1(a, b; a+b-c+1; 1-z)
 * + (1-z)^(c-a-b) Gamma(c) Gamma(a+b-c) / (Gamma(a) Gamma(b)) 2F1(c-a, c-b; c-a-b+1; 1-z).
 * Both series converge like (1-z)^k. Within 1e-5 of an integer the two
 * terms nearly cancel, so the value is interpolated (linearly in b, error
 * ~1e-10) from c - a - b = n -+ 2e-5. */
static double near_one(int *sign, double a, double b, double c, double omz, int depth) {
  double m = c - a - b;
  double n = floor(m + 0.5);
  if (fabs(m - n) < 1e-5) {
    if (depth > 0) {
      *sign = 0;
      return NAN;
    }
    int s1 = 0, s2 = 0;
    double b1 = c - a - (n - 2e-5), b2 = c - a - (n + 2e-5);
    double l1 = near_one(&s1, a, b1, c, omz, 1);
    double l2 = near_one(&s2, a, b2, c, omz, 1);
    if (s1 == 0 || s1 != s2 || isnan(l1) || isnan(l2)) {
      *sign = 0;
      return NAN;
    }
    *sign = s1;
    return l1 + (l2 - l1) * (b - b1) / (b2 - b1);
  }
  int g1, g2, g3, g4, g5, f1 = 0, f2 = 0;
  double lgc = cxmi_lgamma(c);
  double t1 = lgamma_signed(&g1, m);
  double t2 = lgamma_signed(&g2, c - a);
  double t3 = lgamma_signed(&g3, c - b);
  double t4 = lgamma_signed(&g4, -m);
  double t5 = lgamma_signed(&g5, a);
  int g6;
  double t6 = lgamma_signed(&g6, b);
  int s1 = 0, s2 = 0;
  double l1 = -INFINITY, l2 = -INFINITY;
  /* 1/Gamma at a pole is 0: that term vanishes. */
  if (g2 != 0 && g3 != 0) {
    double ls = series_log(&f1, a, b, 1.0 - m, omz);
    l1 = lgc + t1 - t2 - t3 + ls;
    s1 = g1 * g2 * g3 * f1;
  }
  if (g5 != 0 && g6 != 0) {
    double ls = series_log(&f2, c - a, c - b, 1.0 + m, omz);
    l2 = m * log(omz) + lgc + t4 - t5 - t6 + ls;
    s2 = g4 * g5 * g6 * f2;
  }
  if ((s1 == 0 && s2 == 0) || isnan(l1) || isnan(l2)) {
    *sign = 0;
    return NAN;
  }
  return log_add_signed(sign, s1, l1, s2, l2);
}

double cxmi_hyp2f1_log2(int *sign, double a, double b, double c, double z, double omz) {
  double prefactor = 0.0; /* ln of the transformation's power of (1 - z) */
  *sign = 0;
  if (isnan(a) || isnan(b) || isnan(c) || isnan(z) || isnan(omz) || !(c > 0.0) || !(z < 1.0) || !(omz > 0.0) ||
      isinf(a) || isinf(b) || isinf(c)) {
    return NAN;
  }
  if (z == 0.0 || a == 0.0 || b == 0.0) {
    *sign = 1;
    return 0.0;
  }
  if (z < 0.0) {
    /* Pfaff: (1 - z)^(-b) 2F1(c - a, b; c; z / (z - 1)); 1 - w = 1 / (1 - z). */
    double w = z / (z - 1.0);
    prefactor = -b * log(omz);
    a = c - a;
    omz = 1.0 / omz;
    z = w;
    if (!(z < 1.0) || !(omz > 0.0)) {
      return NAN; /* z = -inf */
    }
    if (a == 0.0) {
      *sign = 1;
      return prefactor;
    }
  }
  if (c - a - b < 0.0) {
    /* Euler: (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z). */
    prefactor += (c - a - b) * log(omz);
    double na = c - a;
    double nb = c - b;
    a = na;
    b = nb;
    if (a == 0.0 || b == 0.0) {
      *sign = 1;
      return prefactor;
    }
  }
  double l;
  double m = c - a - b;
  if (z <= 0.9 || (fabs(m - floor(m + 0.5)) < 0.02 && omz >= 4e-5)) {
    /* Near an integer c - a - b the connection formula cancels (its error
     * grows like 1e-14 / distance), so the plain series is used up to
     * 1 - z = 4e-5 (at most ~925 000 terms, all of one sign here). */
    l = series_log(sign, a, b, c, z);
  } else {
    l = near_one(sign, a, b, c, omz, 0);
  }
  return l + prefactor;
}

double cxmi_hyp2f1_log(int *sign, double a, double b, double c, double z) {
  return cxmi_hyp2f1_log2(sign, a, b, c, z, 1.0 - z);
}
