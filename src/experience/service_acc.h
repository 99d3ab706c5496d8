/* The log-linear histogram ("sketch") of service durations behind
 * cxm_service_acc (cxm/experience.h, docs/experience.md): exact one-second
 * buckets below 1 024 s, then 64 buckets per power of two up to 2^38 s. */
#ifndef CXM_SRC_SERVICE_ACC_H
#define CXM_SRC_SERVICE_ACC_H

#include "cxm/experience.h"

/* The bucket of a duration in seconds (negative: 0; 2^38 or more: the last). */
size_t cxmi_service_bucket(int64_t seconds);

/* The smallest and largest whole second of a bucket (< CXM_SERVICE_SKETCH_BUCKETS). */
void cxmi_service_bucket_bounds(int64_t *lo, int64_t *hi, size_t bucket);

/* Count one duration in `hist` and add it, clamped to 0..2^38 - 1 as its
 * bucket is, to `*sum`. CXM_OK, or
 * CXM_E_OVERFLOW (nothing changed) when the sum or count would pass 2^64 - 1. */
int32_t cxmi_service_sketch_add(uint64_t *hist, uint64_t *sum, int64_t seconds);

/* The quantile q (0..1) of the `n` durations in `hist` (n = the sum of its
 * counts): each order statistic is its bucket's midpoint, and the two
 * around rank (n - 1) q are interpolated as numpy's linear method. NaN when
 * n is 0 or q is outside [0, 1]. */
double cxmi_service_sketch_quantile(const uint64_t *hist, uint64_t n, double q);

#endif
