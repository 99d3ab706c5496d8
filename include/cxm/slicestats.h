/**
 * @file cxm/slicestats.h
 * @brief Slice statistics: each slice of a dimension tested against the
 *        rest of it, p-values adjusted across the slices (Holm or
 *        Benjamini-Hochberg), a low-base flag, Rocks's iterative score
 *        interval for NPS, and a sample-size planner.
 *
 * A dimension's slices are disjoint (every answer is in exactly one), so a
 * slice and "the rest" (the dimension total minus the slice) are
 * independent samples. NPS and CSAT use the unpooled z test of
 * cxm_nps_compare() / cxm_csat_compare(); CES and any mean with a standard
 * deviation (the perception gap) use Welch's t test with the
 * Welch-Satterthwaite degrees of freedom. Formulas are in docs/metrics.md,
 * section "Slice statistics".
 *
 * Thread-safety: these functions touch only the objects passed to them;
 * concurrent calls on distinct objects are safe.
 */
#ifndef CXM_SLICESTATS_H
#define CXM_SLICESTATS_H

#include "common.h"
#include "query.h"
#include "survey.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Multiple-comparison adjustments for cxm_p_adjust(). Values are ABI. @since 0.1 */
enum cxm_adjust {
  CXM_ADJUST_NONE = 0, /**< raw p-values */
  CXM_ADJUST_HOLM = 1, /**< Holm (1979) step-down, family-wise error rate (default) */
  CXM_ADJUST_BH = 2    /**< Benjamini-Hochberg (1995) step-up, false discovery rate */
};

/** @brief Metrics cxm_slice_tests_survey() tests. Values are ABI. @since 0.1 */
enum cxm_slice_metric {
  CXM_SLICE_NPS = 0,  /**< NPS score, z test */
  CXM_SLICE_CSAT = 1, /**< CSAT share satisfied (percent), z test */
  CXM_SLICE_CES = 2   /**< CES mean, Welch t test */
};

/** @brief Low-base flags in cxm_slice_test.low_base (bits). @since 0.1 */
enum cxm_low_base {
  CXM_LOW_BASE_N = 1,  /**< n below cxm_slice_options.min_n */
  CXM_LOW_BASE_MOE = 2 /**< margin of error above cxm_slice_options.max_moe (or not defined) */
};

/**
 * @brief Options of the slice tests; fill with cxm_slice_options_init().
 * @since 0.1
 */
typedef struct cxm_slice_options {
  size_t size;                    /**< sizeof(cxm_slice_options), set by cxm_slice_options_init() */
  int32_t adjust;                 /**< a cxm_adjust value; default CXM_ADJUST_HOLM */
  double alpha;                   /**< significance level of `significant`, in (0, 1); default 0.05 */
  uint64_t min_n;                 /**< low base when n < min_n; default 30 */
  double max_moe;                 /**< low base when the margin of error exceeds it; default +inf (off); must be > 0 */
  const cxm_allocator *allocator; /**< hooks for the scratch memory of the tests (a few bytes per slice);
                                       NULL (default): the groups' hooks for cxm_slice_tests_groups(), the
                                       C library otherwise. Copied for the call only. */
} cxm_slice_options;

/**
 * @brief One slice tested against the rest of its dimension.
 *
 * `diff` = slice - rest. Statistics are NaN when either side is empty (NPS,
 * CSAT), has fewer than two answers (t tests), or the standard error is 0;
 * a NaN p is left out of the adjustment family and its `p_adjusted` is NaN.
 * @since 0.1
 */
typedef struct cxm_slice_test {
  size_t size;       /**< sizeof(cxm_slice_test); the caller sets it in out[0] */
  uint64_t n;        /**< answers (or pairs) in the slice */
  uint64_t n_rest;   /**< answers in the rest of the dimension */
  double score;      /**< the slice's estimate */
  double score_rest; /**< the rest's estimate */
  double diff;       /**< score - score_rest */
  double se;         /**< sqrt(se_slice^2 + se_rest^2) */
  double stat;       /**< diff / se: z (NPS, CSAT) or Welch t */
  double df;         /**< Welch-Satterthwaite degrees of freedom; +inf for a z test */
  double p;          /**< two-sided p-value */
  double p_adjusted; /**< p adjusted across the dimension's slices (cxm_slice_options.adjust) */
  int32_t
      significant; /**< +1 / -1 when p_adjusted < alpha, the base is not low, n_rest >= min_n, and diff > 0 / < 0; else 0 */
  int32_t low_base; /**< cxm_low_base bits, 0 when the base is adequate */
  double moe;       /**< the slice's margin of error: 1.959964 * its own standard error */
} cxm_slice_test;

/**
 * @brief Fill the defaults: Holm, alpha 0.05, min_n 30, max_moe +inf.
 * @param[out] opts The options; NULL is ignored.
 * @since 0.1
 */
CXM_API void cxm_slice_options_init(cxm_slice_options *opts);

/**
 * @brief Adjust p-values for multiple comparisons (Holm or Benjamini-Hochberg).
 *
 * The family is the finite p-values in [0, 1]; NaN entries stay NaN and do
 * not count in m. Adjusted values are monotone as in R's p.adjust and
 * statsmodels' multipletests, and capped at 1. `adjusted` may equal `p`.
 * Holm and BH sort the finite p-values in scratch memory (16 bytes per
 * finite p) taken through `hooks` and freed before returning.
 * @param[out] adjusted k adjusted p-values; unchanged on any error.
 * @param[in] p k p-values, each in [0, 1] or NaN.
 * @param[in] k Number of p-values (0 is fine).
 * @param[in] method A cxm_adjust value.
 * @param[in] hooks Allocator for the scratch memory; NULL: the C library.
 * @return CXM_OK; CXM_E_ARG when a pointer is NULL and k > 0, or the hooks
 *         are incomplete; CXM_E_OPTION for an unknown method; CXM_E_VALUE
 *         when a p is outside [0, 1]; CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_p_adjust(double *adjusted, const double *p, size_t k, int32_t method, const cxm_allocator *hooks);

/**
 * @brief Test every slice of a dimension against the rest, from per-slice survey accumulators.
 *
 * The rest of slice i is the sum of the other slices' accumulators.
 * Scratch memory (about 150 bytes per slice) comes from
 * cxm_slice_options.allocator and is freed before returning.
 * @param[out] out `cap` results; out[0].size must be sizeof(cxm_slice_test).
 * @param[in] cap Capacity of `out`; must be at least k.
 * @param[in] accs k accumulators, one per disjoint slice.
 * @param[in] k Number of slices.
 * @param[in] metric A cxm_slice_metric value.
 * @param[in] opts Options (NULL: defaults).
 * @return CXM_OK; CXM_E_ARG (NULL pointer with k > 0); CXM_E_SIZE (a size
 *         field); CXM_E_BUFFER (cap < k); CXM_E_OPTION (metric, adjust,
 *         alpha or max_moe invalid); CXM_E_OVERFLOW (the total of a count
 *         passes 2^64 - 1); CXM_E_NOMEM. On error `out` is unchanged.
 * @since 0.1
 */
CXM_API int32_t cxm_slice_tests_survey(cxm_slice_test *out, size_t cap, const cxm_survey_acc *accs, size_t k,
                                       int32_t metric, const cxm_slice_options *opts);

/**
 * @brief Test every slice of a cxm_store_group() result against the rest of the dimension.
 *
 * Scratch memory comes from cxm_slice_options.allocator, or when that is
 * NULL from the hooks the groups were made with (the store's).
 * @param[out] out `cap` results in the groups' order; out[0].size must be set.
 * @param[in] cap Capacity; at least cxm_groups_count(groups).
 * @param[in] groups The groups (disjoint slices of one dimension).
 * @param[in] metric A cxm_slice_metric value.
 * @param[in] opts Options (NULL: defaults).
 * @return As cxm_slice_tests_survey().
 * @since 0.1
 */
CXM_API int32_t cxm_slice_tests_groups(cxm_slice_test *out, size_t cap, const cxm_groups *groups, int32_t metric,
                                       const cxm_slice_options *opts);

/**
 * @brief Welch t tests of slice means against the rest, from each slice's n, mean and sd.
 *
 * The rest's n, mean and sample variance are recovered from the slices'
 * sums and sums of squares (total minus the slice), so this serves any
 * mean whose slices are disjoint (CES, the perception gap). A slice with
 * n < 2 needs no sd (pass NaN or 0); it still counts in the rest.
 * @param[out] out `cap` results; out[0].size must be set.
 * @param[in] cap Capacity; at least k.
 * @param[in] n k counts.
 * @param[in] mean k means (ignored where n is 0).
 * @param[in] sd k sample standard deviations (n - 1 denominators; ignored where n < 2).
 * @param[in] k Number of slices.
 * @param[in] opts Options (NULL: defaults).
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_BUFFER; CXM_E_OPTION;
 *         CXM_E_VALUE (a used mean or sd not finite, or sd < 0);
 *         CXM_E_OVERFLOW; CXM_E_NOMEM. On error `out` is unchanged.
 * @since 0.1
 */
CXM_API int32_t cxm_slice_tests_means(cxm_slice_test *out, size_t cap, const uint64_t *n, const double *mean,
                                      const double *sd, size_t k, const cxm_slice_options *opts);

/**
 * @brief Rocks's iterative score interval for NPS (Rocks 2016), in score points.
 *
 * The set of NPS values d whose score test is not rejected: |dhat - d| <=
 * z * sqrt(V(d) / n), with V(d) the trinomial variance at the maximum
 * likelihood promoter and detractor shares constrained to p+ - p- = d,
 * found by bisection (docs/metrics.md, "Rocks's score interval").
 * @param[out] low Lower bound in [-100, 100]; NaN when the accumulator is empty.
 * @param[out] high Upper bound.
 * @param[in] acc The NPS answers.
 * @param[in] z Critical value > 0 (1.959964 for 95%).
 * @return CXM_OK; CXM_E_ARG; CXM_E_OPTION when z is not finite and > 0.
 * @since 0.1
 */
CXM_API int32_t cxm_nps_score_interval(double *low, double *high, const cxm_nps_acc *acc, double z);

/**
 * @brief Options of the sample-size planner; fill with cxm_plan_options_init().
 * @since 0.1
 */
typedef struct cxm_plan_options {
  size_t size;        /**< sizeof(cxm_plan_options) */
  int32_t metric;     /**< a cxm_slice_metric value */
  double margin;      /**< wanted half-width: score points (NPS, CSAT percent) or scale points (CES); > 0 */
  double population;  /**< population size N for the finite-population correction; 0 = infinite */
  double p_promoter;  /**< NPS: expected promoter share; CSAT: expected satisfied share; default 0.5 */
  double p_detractor; /**< NPS: expected detractor share; default 0.5 (the worst case with p_promoter) */
  double sd;          /**< CES: expected standard deviation of answers; default 3 (the largest on 1..7) */
  double z;           /**< critical value; default 1.959964 (95%) */
} cxm_plan_options;

/**
 * @brief Fill the planner defaults (NPS, margin 5, infinite population, worst-case shares, z 1.959964).
 * @param[out] opts The options; NULL is ignored.
 * @since 0.1
 */
CXM_API void cxm_plan_options_init(cxm_plan_options *opts);

/**
 * @brief Answers needed for a margin of error: n0 = z^2 V / M^2, then the finite-population correction.
 *
 * V is the variance of one answer in the metric's units: NPS 100^2 (p+ + p-
 * - (p+ - p-)^2), CSAT 100^2 p (1 - p), CES sd^2. With a population N,
 * n = n0 / (1 + (n0 - 1) / N), rounded up and at most N.
 * @param[out] n The answers needed (rounded up).
 * @param[out] n_infinite n0 before rounding and correction; may be NULL.
 * @param[in] opts The plan.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_OPTION (unknown metric,
 *         margin or z not > 0, population negative or fractional, shares
 *         outside [0, 1] or summing past 1, sd negative, or a need past 2^53).
 * @since 0.1
 */
CXM_API int32_t cxm_plan_sample_size(uint64_t *n, double *n_infinite, const cxm_plan_options *opts);

#ifdef __cplusplus
}
#endif

#endif
