/* Statistical helpers shared by the metrics: normal and Student t
 * distribution functions, the Wilson score interval, and exact sums of
 * 64-bit counts. Pure functions of their arguments, no state, thread-safe.
 *
 * Each algorithm cites its source in src/stats.c. Inputs outside a
 * function's domain give NaN, never undefined behaviour. */
#ifndef CXM_SRC_STATS_H
#define CXM_SRC_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "cxm/survey.h"

/* The two-sided 95% normal critical value used by every survey interval
 * and test, exactly as written in the metrics spec (docs/metrics.md). The
 * exact quantile is 1.95996398454005423552...; the spec's 7 digits differ
 * from it by 1.5e-8, which moves a bound by at most 1.5e-6 score points. */
#define CXMI_Z95 1.959964

/* Standard normal CDF, Phi(x) = P(Z <= x), via erfc: accurate to a few
 * ulp relative in both tails. NaN gives NaN. */
double cxmi_normal_cdf(double x);

/* Standard normal upper tail, 1 - Phi(x) = P(Z > x), accurate in the
 * upper tail (no cancellation). */
double cxmi_normal_sf(double x);

/* Standard normal quantile Phi^-1(p) (Wichura's AS 241, PPND16), relative
 * error about 1e-16 for p in (0, 1). p = 0 gives -inf, p = 1 +inf; p
 * outside [0, 1] or NaN gives NaN. */
double cxmi_normal_quantile(double p);

/* Two-sided p-value of a standard normal statistic: P(|Z| >= |z|) =
 * erfc(|z| / sqrt 2). Accurate in the tails (1e-300 stays representable);
 * NaN gives NaN, +-inf gives 0. */
double cxmi_two_sided_p(double z);

/* Student t CDF with df > 0 degrees of freedom, P(T <= t). Relative
 * accuracy ~1e-14 in both tails. df = +inf gives the normal CDF. NaN
 * or df <= 0 gives NaN. */
double cxmi_t_cdf(double t, double df);

/* Student t quantile: the t with P(T <= t) = p, for df >= 1 (real, not
 * only integer) and p in [0, 1]. Relative accuracy ~1e-14. df = +inf
 * gives the normal quantile. p = 0 / 1 give -inf / +inf. NaN, df < 1 or
 * p outside [0, 1] give NaN. */
double cxmi_t_quantile(double p, double df);

/* Wilson score interval of a binomial proportion (Wilson 1927) with
 * `successes` and `failures` (n = successes + failures) and critical
 * value z > 0, as proportions in [0, 1]. Counts are doubles so that
 * callers may pass counts up to 2^64 and beyond (rounded). Either pointer
 * may be NULL. Both bounds are NaN when n is 0 or not finite, a count is
 * negative, z <= 0, or any input is NaN. */
void cxmi_wilson(double *low, double *high, double successes, double failures, double z);

/* Exact sums of uint64 counts: a 128-bit unsigned integer as two words,
 * so that sums of up to 2^64 counts never wrap. */
typedef struct cxmi_u128 {
  uint64_t hi;
  uint64_t lo;
} cxmi_u128;

/* Sum of count[0..k). */
cxmi_u128 cxmi_u128_sum(const uint64_t *count, size_t k);
/* acc += v * c (exact; v small enough that the result fits 128 bits). */
void cxmi_u128_add_mul(cxmi_u128 *acc, uint64_t c, uint32_t v);
/* The value rounded to double (relative error <= 2^-52). */
double cxmi_u128_to_double(cxmi_u128 x);
/* x clamped to UINT64_MAX. */
uint64_t cxmi_u128_saturate(cxmi_u128 x);
/* a - b as a double, exactly rounded sign and |a - b| rounded once. */
double cxmi_u128_diff_to_double(cxmi_u128 a, cxmi_u128 b);

/* Fill a two-period comparison from two independent estimates and their
 * standard errors: diff = s2 - s1, se = sqrt(se1^2 + se2^2), z and the
 * two-sided p when se > 0 (else NaN). */
void cxmi_compare_estimates(cxm_comparison *out, double s1, double se1, double s2, double se2);

#endif
