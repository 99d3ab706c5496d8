/* Log-gamma and digamma for positive arguments, written here rather than
 * taken from libm: glibc's lgamma() writes the global `signgam` (a data
 * race between threads), and lgamma_r() is not in C11 or POSIX. Pure
 * functions, thread-safe. Sources in src/special.c. */
#ifndef CXM_SRC_SPECIAL_H
#define CXM_SRC_SPECIAL_H

/* ln Gamma(x) for x > 0, absolute error below ~4e-16 * max(1, |ln Gamma|).
 * x <= 0 or NaN gives NaN; +inf gives +inf. */
double cxmi_lgamma(double x);

/* The digamma function psi(x) = d ln Gamma(x) / dx for x > 0 (absolute
 * error ~1e-15). x <= 0 or NaN gives NaN. */
double cxmi_digamma(double x);

/* ln Gamma(x + k) - ln Gamma(x) for x > 0 and a whole k >= 0. For k <= 32
 * it is the sum of ln(x + j), j < k, which keeps its accuracy when x is
 * huge (the difference of two ln Gamma values of ~1e9 would lose ~7
 * digits); beyond, the difference of cxmi_lgamma() while x <= k, and
 * cxmi_lgamma_delta(), which does not subtract them, for larger x. */
double cxmi_lgamma_ratio(double x, double k);

/* ln B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b), a, b > 0. */
double cxmi_lbeta(double a, double b);

/* ln Gamma(x + d) - ln Gamma(x) for x > 0 and real d >= 0, without the
 * cancellation of two large ln Gamma values when d is small against x
 * (e.g. x = 1e8, d = 1e-7). */
double cxmi_lgamma_delta(double x, double d);

/* 20-point Gauss-Legendre rule on [-1, 1]: the positive nodes and their
 * weights (the rule is symmetric). */
extern const double cxmi_gl20[10][2];

#endif
