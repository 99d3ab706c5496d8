/* Exact quantiles of durations by linear interpolation between closest
 * ranks, as numpy's default (np.quantile / np.percentile, method="linear",
 * Hyndman & Fan type 7; docs/metrics.md, "Service levels"):
 *
 *   h = (n - 1) q,  lo = floor(h),  g = h - lo,
 *   Q(q) = x[lo] + g (x[lo + 1] - x[lo])     when g < 0.5,
 *        = x[lo + 1] - (1 - g) (x[lo + 1] - x[lo])  when g >= 0.5,
 *
 * over the sorted values x, with x[n - 1] when h >= n - 1. The two forms
 * are numpy's _lerp, kept so that results match numpy to the last bit.
 *
 * The array is reordered in place by a selection (introselect: quickselect
 * with median-of-3 pivots and three-way partitioning, falling back to
 * median-of-medians pivots when the partitions stop shrinking), so one
 * quantile costs O(n) in the worst case, with no allocation. Pure. */
#ifndef CXM_SRC_QUANTILE_H
#define CXM_SRC_QUANTILE_H

#include <stddef.h>
#include <stdint.h>

/* The quantile q (0 <= q <= 1) of x[0..n), reordering x. NaN when n is 0,
 * when q is NaN or outside [0, 1], or (doubles) when some x is NaN. The
 * difference x[lo + 1] - x[lo] is taken exactly as an unsigned 64-bit
 * number, so int64 inputs never overflow (numpy's int64 subtraction would
 * wrap for differences above 2^63 - 1; below that the results agree). */
double cxmi_quantile_i64(int64_t *x, size_t n, double q);
double cxmi_quantile_f64(double *x, size_t n, double q);

/* k quantiles of one array: out[i] = the quantile qs[i] (qs in any order,
 * repeats allowed; NaN for a q that is NaN or outside [0, 1]). The ranks
 * are selected in increasing order, each only in the part of the array
 * above the previous rank (median then p90: a selection over n elements,
 * one over n / 2), plus one linear scan per quantile for the next rank.
 * The order is found by rescanning qs (O(k^2)): k is meant to be small. */
void cxmi_quantiles_i64(double *out, int64_t *x, size_t n, const double *qs, size_t k);
void cxmi_quantiles_f64(double *out, double *x, size_t n, const double *qs, size_t k);

/* The k-th smallest (0-based, k < n) of x[0..n), reordering x so that
 * x[k] holds it, everything before it is <= and everything after it >=.
 * The _mom variants always use median-of-medians pivots (the guaranteed
 * linear path of the introselect, exposed for the tests). */
int64_t cxmi_select_i64(int64_t *x, size_t n, size_t k);
double cxmi_select_f64(double *x, size_t n, size_t k);
int64_t cxmi_select_mom_i64(int64_t *x, size_t n, size_t k);
double cxmi_select_mom_f64(double *x, size_t n, size_t k);

#endif
