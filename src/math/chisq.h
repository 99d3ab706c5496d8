/* Upper tail of the chi-square distribution, for the log-rank and Cox
 * tests (src/math/chisq.c). Pure, thread-safe. */
#ifndef CXM_SRC_CHISQ_H
#define CXM_SRC_CHISQ_H

/* Regularised upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a),
 * a > 0, x >= 0; relative accuracy ~1e-14. Bad input gives NaN. */
double cxmi_gamma_q(double a, double x);

/* P(X >= x) for X ~ chi-square(df), df > 0: Q(df / 2, x / 2). */
double cxmi_chisq_sf(double x, double df);

#endif
