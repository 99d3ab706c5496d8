/* Normal and Student t distribution functions, the Wilson interval and
 * exact count sums (src/math/stats.h). No state: every function is a pure
 * function of its arguments. Sources are cited at each algorithm. */
#include "math/stats.h"

#include <float.h>
#include <math.h>

#define CXMI_SQRT1_2 0.70710678118654752440084436210484903928 /* 1/sqrt(2) */
#define CXMI_SQRT_PI 1.77245385090551602729816748334114518280 /* sqrt(pi) */
#define CXMI_PI 3.14159265358979323846264338327950288420

/* ---- normal distribution ---------------------------------------------- */

/* Phi(x) = erfc(-x / sqrt 2) / 2 (Abramowitz & Stegun 7.1.2, 26.2.29):
 * erfc keeps its relative accuracy in the lower tail, where
 * 1 + erf(x / sqrt 2) would cancel. */
double cxmi_normal_cdf(double x) { return 0.5 * erfc(-x * CXMI_SQRT1_2); }

double cxmi_normal_sf(double x) { return 0.5 * erfc(x * CXMI_SQRT1_2); }

double cxmi_two_sided_p(double z) {
  if (isnan(z)) {
    return NAN;
  }
  return erfc(fabs(z) * CXMI_SQRT1_2);
}

/* Wichura, M. J. (1988). Algorithm AS 241: The percentage points of the
 * normal distribution. Applied Statistics 37(3), 477-484. PPND16, the
 * version accurate to about 1 part in 10^16. Coefficients from the paper. */
static double as241_central(double q) {
  double r = 0.180625 - q * q;
  return q *
         (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r + 6.7265770927008700853e+4) * r +
              4.5921953931549871457e+4) *
                 r +
             1.3731693765509461125e+4) *
                r +
            1.9715909503065514427e+3) *
               r +
           1.3314166789178437745e+2) *
              r +
          3.3871328727963666080e+0) /
         (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r + 3.9307895800092710610e+4) * r +
              2.1213794301586595867e+4) *
                 r +
             5.3941960214247511077e+3) *
                r +
            6.8718700749205790830e+2) *
               r +
           4.2313330701600911252e+1) *
              r +
          1.0);
}

static double as241_tail(double r) {
  if (r <= 5.0) {
    r -= 1.6;
    return (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r +
                1.27045825245236838258e+0) *
                   r +
               3.64784832476320460504e+0) *
                  r +
              5.76949722146069140550e+0) *
                 r +
             4.63033784615654529590e+0) *
                r +
            1.42343711074968357734e+0) /
           (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r +
                1.48103976427480074590e-1) *
                   r +
               6.89767334985100004550e-1) *
                  r +
              1.67638483018380384940e+0) *
                 r +
             2.05319162663775882187e+0) *
                r +
            1.0);
  }
  r -= 5.0;
  return (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r +
              2.65321895265761230930e-2) *
                 r +
             2.96560571828504891230e-1) *
                r +
            1.78482653991729133580e+0) *
               r +
           5.46378491116411436990e+0) *
              r +
          6.65790464350110377720e+0) /
         (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r +
              7.86869131145613259100e-4) *
                 r +
             1.48753612908506148525e-2) *
                r +
            1.36929880922735805310e-1) *
               r +
           5.99832206555887937690e-1) *
              r +
          1.0);
}

double cxmi_normal_quantile(double p) {
  if (isnan(p) || p < 0.0 || p > 1.0) {
    return NAN;
  }
  if (p == 0.0) {
    return -INFINITY;
  }
  if (p == 1.0) {
    return INFINITY;
  }
  double q = p - 0.5;
  if (fabs(q) <= 0.425) {
    return as241_central(q);
  }
  /* 1 - p is exact for p >= 0.5 (Sterbenz), so the upper tail is as
   * accurate as p's representation allows. */
  double tail = q < 0.0 ? p : 1.0 - p;
  double x = as241_tail(sqrt(-log(tail)));
  return q < 0.0 ? -x : x;
}

/* ---- Student t ---------------------------------------------------------- */

/* Stirling's series remainder of ln Gamma(x) for x >= 20: ln Gamma(x) =
 * (x - 1/2) ln x - x + ln(2 pi)/2 + S(x) (Abramowitz & Stegun 6.1.40).
 * The first omitted term, 3617 / (122400 x^15), is below 1e-21 at x = 20. */
static double stirling_rest(double x) {
  double y = 1.0 / (x * x);
  return (1.0 / 12.0 +
          y * (-1.0 / 360.0 +
               y * (1.0 / 1260.0 + y * (-1.0 / 1680.0 + y * (1.0 / 1188.0 + y * (-691.0 / 360360.0 + y / 156.0)))))) /
         x;
}

/* R(a) = Gamma(a + 1/2) / Gamma(a), a > 0, to a few ulp. The beta function
 * of the t distribution is B(a, 1/2) = sqrt(pi) / R(a) with a = df / 2.
 * Subtracting two lgamma values would lose up to log10(lgamma(a)) digits
 * for large df (about 7 at df = 1e6), and lgamma writes the global signgam
 * in glibc, so the ratio is taken from the Stirling series directly:
 * ln R(a) = a ln(1 + 1/(2a)) - 1/2 + ln(a)/2 + S(a + 1/2) - S(a),
 * and for a < 20 by the recurrence R(a) = R(a + 1) a / (a + 1/2). */
static double gamma_half_ratio(double a) {
  double scale = 1.0;
  while (a < 20.0) {
    scale *= a / (a + 0.5);
    a += 1.0;
  }
  double lr = (a * log1p(0.5 / a) - 0.5) + 0.5 * log(a) + (stirling_rest(a + 0.5) - stirling_rest(a));
  return scale * exp(lr);
}

/* Continued fraction of the regularised incomplete beta function
 * I_x(a, b) = x^a (1 - x)^b / (a B(a, b)) * cf, DLMF 8.17.22, evaluated
 * by the modified Lentz method (Press et al., Numerical Recipes 3rd ed.,
 * 6.4, betacf). Converges quickly for x < (a + 1) / (a + b + 2). */
static double beta_cf(double x, double a, double b) {
  const double tiny = 1e-300;
  double qab = a + b;
  double qap = a + 1.0;
  double qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (fabs(d) < tiny) {
    d = tiny;
  }
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 100000; m++) {
    double dm = (double)m;
    double m2 = 2.0 * dm;
    double aa = dm * (b - dm) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (fabs(d) < tiny) {
      d = tiny;
    }
    c = 1.0 + aa / c;
    if (fabs(c) < tiny) {
      c = tiny;
    }
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + dm) * (qab + dm) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (fabs(d) < tiny) {
      d = tiny;
    }
    c = 1.0 + aa / c;
    if (fabs(c) < tiny) {
      c = tiny;
    }
    d = 1.0 / d;
    double del = d * c;
    h *= del;
    if (fabs(del - 1.0) <= DBL_EPSILON) {
      break;
    }
  }
  return h;
}

/* ln(1 + t^2 / df) for t >= 0 without overflow of t^2. */
static double log1p_t2(double t, double df) {
  double s = t / sqrt(df);
  /* Beyond 1e150, ln(1 + s^2) = 2 ln s to double precision. */
  return s > 1e150 ? 2.0 * log(s) : log1p(s * s);
}

/* Hill, G. W. (1970). Algorithm 395: Student's t-distribution. CACM
 * 13(10), 617-619: the asymptotic normalising transformation for large
 * df, P(T > t) = Q(z) with a = df - 1/2, y = a ln(1 + t^2 / df), b = 48 a^2
 * and z = sqrt(y) (1 + (y + 3 + (-0.4 y^3 - 3.3 y^2 - 24 y - 85.5) /
 * (0.8 y^2 + 100 + b)) / b). Returns a negative value when the expansion is
 * not accurate to double precision at (t, df): measured against mpmath
 * (50 digits) on a grid df = 30..1e7, t = 0..37, its relative error behaves
 * like 7e-9 y^6 / a^5, so it is used only where y^6 / a^5 <= 1e-7 and df
 * >= 1000 (there the error is at the rounding level of z). */
static double t_upper_hill(double t, double df) {
  double a = df - 0.5;
  double l = log1p_t2(t, df);
  double y = a * l;
  if (df < 1000.0 || l * l * l * l * l * y > 1e-7) {
    return -1.0;
  }
  double b = 48.0 * a * a;
  double z = (((((-0.4 * y - 3.3) * y - 24.0) * y - 85.5) / (0.8 * y * y + 100.0 + b) + y + 3.0) / b + 1.0) * sqrt(y);
  return cxmi_normal_sf(z);
}

/* Upper tail P(T > t) for t >= 0, finite df > 0. With r = t^2 / df,
 * P(T > t) = I_x(df/2, 1/2) / 2 where x = 1 / (1 + r) (A&S 26.7.1 and
 * 26.5.27); 1 - x = r / (1 + r) is formed directly so that neither side
 * cancels. Logarithms use log1p so large df keeps full accuracy. */
static double t_upper(double t, double df) {
  /* The continued fraction's coefficients use x = df / (df + t^2), within
   * t^2 / df of 1 for large df: near the switch-over point x = (a + 1) /
   * (a + 2.5) it converges slowly and loses up to 1e-10 relative at df =
   * 1e6, t = 2, exactly where Hill's expansion is exact. */
  double hill = t_upper_hill(t, df);
  if (hill >= 0.0) {
    return hill;
  }
  double a = 0.5 * df;
  double l = log1p_t2(t, df); /* ln(1 + r) = -ln x */
  double s = t / sqrt(df);
  double r = s > 1e150 ? INFINITY : s * s;
  double x = 1.0 / (1.0 + r);
  double y = s > 1e150 ? 1.0 : r / (1.0 + r);
  double log_y = s > 1e150 ? 0.0 : (r > 0.0 ? log(r) - l : -INFINITY);
  /* x^a (1 - x)^(1/2) / B(a, 1/2), with B(a, 1/2) = sqrt(pi) / R(a). */
  double front = exp(-a * l + 0.5 * log_y) * gamma_half_ratio(a) / CXMI_SQRT_PI;
  if (x < (a + 1.0) / (a + 2.5)) {
    return 0.5 * front * beta_cf(x, a, 0.5) / a;
  }
  /* I_x(a, b) = 1 - I_{1-x}(b, a); here P(T > t) >= about 0.02, so the
   * subtraction loses at most two digits. */
  return 0.5 - front * beta_cf(y, 0.5, a);
}

/* Density of t with finite df at t (A&S 26.7.1). */
static double t_pdf(double t, double df) {
  double l = log1p_t2(fabs(t), df);
  return exp(-0.5 * (df + 1.0) * l) * gamma_half_ratio(0.5 * df) / (sqrt(df) * CXMI_SQRT_PI);
}

double cxmi_t_cdf(double t, double df) {
  if (isnan(t) || isnan(df) || !(df > 0.0)) {
    return NAN;
  }
  if (df >= 1e30) {
    /* The t and normal tails differ by a relative (t^3 + t) / (4 df)
     * (A&S 26.7.5): nothing at double precision; avoids underflow of
     * t^2 / df in the expansion. */
    return cxmi_normal_cdf(t);
  }
  if (isinf(t)) {
    return t > 0.0 ? 1.0 : 0.0;
  }
  if (t < 0.0) {
    return t_upper(-t, df);
  }
  return 1.0 - t_upper(t, df);
}

/* Hill, G. W. (1970). Algorithm 396: Student's t-quantiles. CACM 13(10),
 * 619-620. `two_tail` = 2 min(p, 1 - p); returns an approximation of the
 * positive quantile (a few correct digits), used only as the start of the
 * safeguarded refinement below. */
static double hill_start(double two_tail, double df) {
  double a = 1.0 / (df - 0.5);
  double b = 48.0 / (a * a);
  double c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36;
  double d = ((94.5 / (b + c) - 3.0) / b + 1.0) * sqrt(a * CXMI_PI / 2.0) * df;
  double y = pow(d * two_tail, 2.0 / df);
  if (y > 0.05 + a) {
    /* Asymptotic inverse expansion about the normal. */
    double x = cxmi_normal_quantile(0.5 * two_tail);
    y = x * x;
    if (df < 5.0) {
      c += 0.3 * (df - 4.5) * (x + 0.6);
    }
    c = (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b + c;
    y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x;
    y = expm1(a * y * y);
  } else {
    y = ((1.0 / (((df + 6.0) / (df * y) - 0.089 * d - 0.822) * (df + 2.0) * 3.0) + 0.5 / (df + 4.0)) * y - 1.0) *
            (df + 1.0) / (df + 2.0) +
        1.0 / y;
  }
  return sqrt(df * y);
}

/* Cornish-Fisher expansion of the t quantile about the normal quantile x
 * (Abramowitz & Stegun 26.7.5), four terms. Used alone only when df is so
 * large that the omitted terms are far below double precision. */
static double t_cornish_fisher(double x, double df) {
  double x2 = x * x;
  double g1 = (x2 + 1.0) * x / 4.0;
  double g2 = ((5.0 * x2 + 16.0) * x2 + 3.0) * x / 96.0;
  double g3 = (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) * x / 384.0;
  double g4 = ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) * x / 92160.0;
  double v = 1.0 / df;
  return x + v * (g1 + v * (g2 + v * (g3 + v * g4)));
}

/* Positive quantile: the t > 0 with P(T > t) = q, 0 < q < 1/2. */
static double t_upper_quantile(double q, double df) {
  if (df == 1.0) {
    /* Cauchy: P(T > t) = 1/2 - atan(t)/pi, so t = cot(pi q) = tan(pi (1/2 - q)). */
    return 1.0 / tan(CXMI_PI * q);
  }
  if (df == 2.0) {
    /* P(T > t) = (1 - t / sqrt(2 + t^2)) / 2 (A&S 26.7.3 for df = 2), so
     * with u = 2q: t = (1 - u) sqrt(2 / (u (2 - u))), with the square roots
     * taken apart so that u = 1e-323 does not overflow. */
    double u = 2.0 * q;
    return (1.0 - u) * sqrt(2.0) / (sqrt(u) * sqrt(2.0 - u));
  }
  double z = -cxmi_normal_quantile(q); /* Phi^-1(1 - q) > 0 */
  if (df >= 1e12) {
    /* The g5 / df^5 term is below 1e-40 relative for |z| <= 40. */
    return t_cornish_fisher(z, df);
  }
  /* Bracket: t_df tails are heavier than the normal's and lighter than the
   * Cauchy's for df >= 1, so z <= t <= cot(pi q). */
  double lo = z;
  double hi = 1.0 / tan(CXMI_PI * q);
  if (!(hi <= DBL_MAX)) {
    hi = DBL_MAX;
  }
  double t = df >= 1e5 ? t_cornish_fisher(z, df) : hill_start(2.0 * q, df);
  if (!(t >= lo && t <= hi)) {
    t = lo;
  }
  /* Newton on ln P(T > t) - ln q, whose slope is -pdf / tail. In log space
   * the power-law tail of small df is nearly linear, so the steps are good
   * far out; the bracket turns any wild step into a bisection (geometric,
   * because the bracket may span many orders of magnitude). */
  for (int i = 0; i < 200; i++) {
    double tail = t_upper(t, df);
    if (tail > q) {
      lo = t;
    } else if (tail < q) {
      hi = t;
    } else {
      return t;
    }
    double pdf = t_pdf(t, df);
    double step = (log(tail) - log(q)) * tail / pdf;
    double next = t + step;
    if (!(next > lo && next < hi) || !isfinite(next)) {
      next = (lo > 0.0 && hi / lo > 4.0) ? sqrt(lo) * sqrt(hi) : 0.5 * (lo + hi);
    }
    if (fabs(next - t) <= 2.0 * DBL_EPSILON * t || hi - lo <= 2.0 * DBL_EPSILON * lo) {
      return next;
    }
    t = next;
  }
  return t;
}

double cxmi_t_quantile(double p, double df) {
  if (isnan(p) || isnan(df) || p < 0.0 || p > 1.0 || !(df >= 1.0)) {
    return NAN;
  }
  if (isinf(df)) {
    return cxmi_normal_quantile(p);
  }
  if (p == 0.0) {
    return -INFINITY;
  }
  if (p == 1.0) {
    return INFINITY;
  }
  if (p == 0.5) {
    return 0.0;
  }
  /* 1 - p is exact for p >= 1/2. */
  return p < 0.5 ? -t_upper_quantile(p, df) : t_upper_quantile(1.0 - p, df);
}

/* ---- Wilson interval ---------------------------------------------------- */

/* Wilson, E. B. (1927). Probable inference, the law of succession, and
 * statistical inference. JASA 22, 209-212. The bounds are the roots of
 * (n + z^2) p^2 - (2s + z^2) p + s^2 / n = 0 (s successes). The upper root
 * is a sum of positive terms; the lower one is taken from the product of
 * the roots (s^2 / (n (n + z^2))) instead of a difference, so it keeps its
 * relative accuracy when s is small and is exactly 0 when s = 0. The
 * failures f = n - s are handled the same way by symmetry, so the upper
 * bound is exactly 1 when f = 0. Successes and failures are passed
 * separately so that neither is recovered by a rounded subtraction. */
static double wilson_upper(double s, double f, double n, double z) {
  double z2 = z * z;
  return (2.0 * s + z2 + z * sqrt(z2 + 4.0 * (s / n) * f)) / (2.0 * (n + z2));
}

/* Product of the roots over the upper root: the lower root, without
 * cancellation (0 when s = 0). */
static double wilson_lower(double s, double n, double z, double upper) { return (s / n) * s / ((n + z * z) * upper); }

void cxmi_wilson(double *low, double *high, double successes, double failures, double z) {
  double lo = NAN;
  double hi = NAN;
  double s = successes;
  double f = failures;
  double n = s + f;
  if (s >= 0.0 && f >= 0.0 && n > 0.0 && isfinite(n) && z > 0.0 && isfinite(z)) {
    if (s <= f) {
      hi = wilson_upper(s, f, n, z);
      lo = wilson_lower(s, n, z, hi);
    } else {
      /* Mirror image of the failures' interval, so that swapping s and f
       * mirrors the interval exactly, and f = 0 gives hi = 1 exactly. */
      double up_f = wilson_upper(f, s, n, z);
      hi = 1.0 - wilson_lower(f, n, z, up_f);
      lo = 1.0 - up_f;
    }
    if (lo < 0.0) {
      lo = 0.0;
    }
    if (hi > 1.0) {
      hi = 1.0;
    }
  }
  if (low != NULL) {
    *low = lo;
  }
  if (high != NULL) {
    *high = hi;
  }
}

/* ---- exact count sums ---------------------------------------------------- */

static void u128_add(cxmi_u128 *acc, uint64_t v) {
  uint64_t lo = acc->lo + v;
  acc->hi += lo < v ? 1u : 0u;
  acc->lo = lo;
}

cxmi_u128 cxmi_u128_sum(const uint64_t *count, size_t k) {
  cxmi_u128 s = {0, 0};
  for (size_t i = 0; i < k; i++) {
    u128_add(&s, count[i]);
  }
  return s;
}

void cxmi_u128_add_mul(cxmi_u128 *acc, uint64_t c, uint32_t v) {
  /* c * v = (c_hi 2^32 + c_lo) v; each partial product fits 64 bits. */
  uint64_t c_lo = c & 0xffffffffu;
  uint64_t c_hi = c >> 32;
  uint64_t p_lo = c_lo * v;
  uint64_t p_hi = c_hi * v;
  u128_add(acc, p_lo);
  u128_add(acc, p_hi << 32);
  acc->hi += p_hi >> 32;
}

double cxmi_u128_to_double(cxmi_u128 x) {
  if (x.hi == 0) {
    return (double)x.lo;
  }
  return (double)x.hi * 18446744073709551616.0 + (double)x.lo;
}

uint64_t cxmi_u128_saturate(cxmi_u128 x) { return x.hi != 0 ? UINT64_MAX : x.lo; }

double cxmi_u128_diff_to_double(cxmi_u128 a, cxmi_u128 b) {
  int neg = a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
  if (neg) {
    cxmi_u128 t = a;
    a = b;
    b = t;
  }
  cxmi_u128 d;
  d.lo = a.lo - b.lo;
  d.hi = a.hi - b.hi - (a.lo < b.lo ? 1u : 0u);
  double v = cxmi_u128_to_double(d);
  return neg ? -v : v;
}
