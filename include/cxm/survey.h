/**
 * @file cxm/survey.h
 * @brief NPS, CSAT and CES: mergeable accumulators, their metrics with
 *        intervals, two-period comparisons, and a portable byte format.
 *
 * An accumulator is a plain fixed-size value holding one count per possible
 * answer. Two accumulators merge by adding counts, so the metrics of a
 * merged pair equal the metrics of all their answers together: shard,
 * merge, snapshot and aggregate in a database freely. Every metric is
 * derived from the counts exactly; formulas are in docs/metrics.md.
 *
 * Every interval and test uses the critical value z = 1.959964, the
 * constant written in the metric spec (the exact 97.5% normal quantile is
 * 1.95996398454...; the difference moves a bound by at most 1.5e-6 score
 * points). Metrics are computed from 128-bit sums of the counts, so they
 * neither wrap nor lose precision for counts up to 2^64 - 1.
 *
 * Thread-safety: these functions touch only the objects passed to them;
 * concurrent calls on distinct objects are safe.
 */
#ifndef CXM_SURVEY_H
#define CXM_SURVEY_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief NPS answers 0..10: `count[v]` answers of value v. Frozen layout (docs/api.md). @since 0.1 */
typedef struct cxm_nps_acc {
  uint64_t count[11]; /**< answers per value 0..10 */
} cxm_nps_acc;

/** @brief CSAT answers 1..5: `count[v - 1]` answers of value v. Frozen layout (docs/api.md). @since 0.1 */
typedef struct cxm_csat_acc {
  uint64_t count[5]; /**< answers per value 1..5 */
} cxm_csat_acc;

/** @brief CES answers 1..7: `count[v - 1]` answers of value v. Frozen layout (docs/api.md). @since 0.1 */
typedef struct cxm_ces_acc {
  uint64_t count[7]; /**< answers per value 1..7 */
} cxm_ces_acc;

/** @brief The three survey accumulators of one slice. Frozen layout (docs/api.md). @since 0.1 */
typedef struct cxm_survey_acc {
  cxm_nps_acc nps;   /**< NPS answers */
  cxm_csat_acc csat; /**< CSAT answers */
  cxm_ces_acc ces;   /**< CES answers */
} cxm_survey_acc;

/**
 * @brief NPS of a slice (docs/metrics.md, "NPS"). When `n` is 0 every
 *        double is NaN (report it as absent, never as 0). With n = 1, or
 *        when every answer is in one category, `se` is 0 and the Wald
 *        interval is the point itself; the adjusted interval stays wide.
 *
 * The integer fields saturate at UINT64_MAX if the counts of a struct
 * filled by hand sum past it (cxm_survey_acc_add() and
 * cxm_survey_acc_merge() never let that happen); the doubles are exact.
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_nps_result {
  uint64_t n;           /**< answers */
  uint64_t promoters;   /**< answers 9..10 */
  uint64_t passives;    /**< answers 7..8 */
  uint64_t detractors;  /**< answers 0..6 */
  double score;         /**< 100 * (promoters - detractors) / n */
  double se;            /**< standard error of score */
  double ci95_low;      /**< lower bound of the Wald 95% interval, score - z * se, clipped to [-100, 100] */
  double ci95_high;     /**< upper bound of the Wald 95% interval, score + z * se, clipped to [-100, 100] */
  double adjusted_low;  /**< lower bound of the adjusted Wald 95% interval (Rocks 2016), clipped to [-100, 100] */
  double adjusted_high; /**< upper bound of the adjusted Wald 95% interval (Rocks 2016), clipped to [-100, 100] */
} cxm_nps_result;

/**
 * @brief CSAT of a slice (top-two box, docs/metrics.md "CSAT"). Doubles
 *        are NaN when `n` is 0. Integers saturate as in cxm_nps_result.
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_csat_result {
  uint64_t n;         /**< answers */
  uint64_t satisfied; /**< answers 4..5 */
  double score;       /**< 100 * satisfied / n */
  double mean;        /**< mean answer */
  double ci95_low;    /**< lower bound of the Wilson 95% interval of score, in percent */
  double ci95_high;   /**< upper bound of the Wilson 95% interval of score, in percent */
} cxm_csat_result;

/**
 * @brief CES of a slice (docs/metrics.md "CES"). Doubles are NaN when `n`
 *        is 0; `sd` and the interval are NaN when `n` < 2. `n` saturates
 *        as in cxm_nps_result.
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_ces_result {
  uint64_t n;             /**< answers */
  double mean;            /**< mean answer, 1..7 */
  double sd;              /**< sample standard deviation (n - 1) */
  double ci95_low;        /**< mean - t(0.975, n-1) * sd / sqrt(n); not clipped to 1..7 */
  double ci95_high;       /**< mean + t(0.975, n-1) * sd / sqrt(n); not clipped to 1..7 */
  double easy_pct;        /**< percent of answers 5..7 */
  double high_effort_pct; /**< percent of answers 1..3 */
  double net;             /**< easy_pct - high_effort_pct */
} cxm_ces_result;

/**
 * @brief Difference of two independent periods, `second - first`
 *        (docs/metrics.md, "Two periods compared").
 *        All NaN when either period has no answers; `z` and `p` are NaN
 *        when the standard error is 0 (both periods unanimous).
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_comparison {
  double first;  /**< the first period's score */
  double second; /**< the second period's score */
  double diff;   /**< second - first, in score points */
  double se;     /**< sqrt(se1^2 + se2^2) (unpooled) */
  double z;      /**< diff / se */
  double p;      /**< two-sided p-value from the normal distribution */
} cxm_comparison;

/**
 * @brief Zero an accumulator.
 * @param[out] acc The accumulator; NULL is ignored.
 * @since 0.1
 */
CXM_API void cxm_survey_acc_init(cxm_survey_acc *acc);

/**
 * @brief Add `count` answers of `value` to the accumulator of `kind`
 *        (CXM_KIND_NPS, CXM_KIND_CSAT or CXM_KIND_CES).
 * @param[in,out] acc The accumulator.
 * @param[in] kind CXM_KIND_NPS (values 0..10), CXM_KIND_CSAT (1..5) or
 *            CXM_KIND_CES (1..7).
 * @param[in] value The answer.
 * @param[in] count How many such answers; 0 is a successful no-op.
 * @return CXM_OK; CXM_E_ARG for NULL; CXM_E_KIND for another kind;
 *         CXM_E_VALUE when value is outside the kind's range;
 *         CXM_E_OVERFLOW when the value's count, or the kind's total
 *         number of answers, would pass UINT64_MAX (nothing changes).
 * @since 0.1
 */
CXM_API int32_t cxm_survey_acc_add(cxm_survey_acc *acc, int32_t kind, int32_t value, uint64_t count);

/**
 * @brief Add every count of `src` into `dst`. The metrics of the result
 *        equal those of all the answers of both together.
 * @param[in,out] dst The accumulator added to.
 * @param[in] src The accumulator added; may be `dst` itself (doubles it).
 * @return CXM_OK, CXM_E_ARG, or CXM_E_OVERFLOW when any count or any
 *         kind's total would pass UINT64_MAX (then `dst` is unchanged).
 * @since 0.1
 */
CXM_API int32_t cxm_survey_acc_merge(cxm_survey_acc *dst, const cxm_survey_acc *src);

/**
 * @brief Compute NPS, its standard error and both intervals.
 * @param[out] out The result.
 * @param[in] acc The answers.
 * @return CXM_OK or CXM_E_ARG (a NULL pointer). @since 0.1
 */
CXM_API int32_t cxm_nps_compute(cxm_nps_result *out, const cxm_nps_acc *acc);

/**
 * @brief Compute CSAT, its mean and Wilson interval.
 * @param[out] out The result.
 * @param[in] acc The answers.
 * @return CXM_OK or CXM_E_ARG (a NULL pointer). @since 0.1
 */
CXM_API int32_t cxm_csat_compute(cxm_csat_result *out, const cxm_csat_acc *acc);

/**
 * @brief Compute CES mean, sample standard deviation, t interval and
 *        effort shares.
 * @param[out] out The result.
 * @param[in] acc The answers.
 * @return CXM_OK or CXM_E_ARG (a NULL pointer). @since 0.1
 */
CXM_API int32_t cxm_ces_compute(cxm_ces_result *out, const cxm_ces_acc *acc);

/**
 * @brief Compare the NPS of two independent periods (z test, docs/metrics.md).
 * @param[out] out The comparison, `second - first` in score points.
 * @param[in] first The earlier (reference) period.
 * @param[in] second The later period.
 * @return CXM_OK or CXM_E_ARG (a NULL pointer). @since 0.1
 */
CXM_API int32_t cxm_nps_compare(cxm_comparison *out, const cxm_nps_acc *first, const cxm_nps_acc *second);

/**
 * @brief Compare the CSAT top-two-box share of two independent periods
 *        (unpooled two-proportion z test, in percentage points).
 * @param[out] out The comparison, `second - first` in percentage points.
 * @param[in] first The earlier (reference) period.
 * @param[in] second The later period.
 * @return CXM_OK or CXM_E_ARG (a NULL pointer). @since 0.1
 */
CXM_API int32_t cxm_csat_compare(cxm_comparison *out, const cxm_csat_acc *first, const cxm_csat_acc *second);

/** Upper bound of cxm_survey_acc_serialize() output, in bytes (version 1
 *  never writes more than 236). */
#define CXM_SURVEY_ACC_MAX_BYTES 256

/**
 * @brief Write an accumulator in the portable format of
 *        docs/formats.md ("survey accumulator", version 1): the same
 *        bytes on every platform, one encoding per accumulator.
 * @param[out] buf Destination; may be NULL when `cap` is 0.
 * @param[in] cap Bytes available at `buf`.
 * @param[out] written Bytes written, or bytes needed when CXM_E_BUFFER.
 * @param[in] acc The accumulator.
 * @return CXM_OK, CXM_E_ARG or CXM_E_BUFFER. @since 0.1
 */
CXM_API int32_t cxm_survey_acc_serialize(uint8_t *buf, size_t cap, size_t *written, const cxm_survey_acc *acc);

/**
 * @brief Read an accumulator written by cxm_survey_acc_serialize().
 *        Reads one frame; bytes after it (e.g. a next frame) are left.
 * @param[out] acc Receives the accumulator; unchanged on error.
 * @param[in] buf The bytes.
 * @param[in] len Bytes available.
 * @param[out] consumed Bytes used, the frame's length (may be NULL;
 *             unchanged on error).
 * @return CXM_OK; CXM_E_ARG for a NULL `acc` or `buf`; CXM_E_TRUNCATED
 *         when `len` ends before the frame does; CXM_E_FORMAT for a wrong
 *         magic, version 0, a malformed, overlong, non-minimal or
 *         overflowing varint, or bytes left inside the declared frame;
 *         CXM_E_VERSION for a version newer than this library reads.
 * @since 0.1
 */
CXM_API int32_t cxm_survey_acc_deserialize(cxm_survey_acc *acc, const uint8_t *buf, size_t len, size_t *consumed);

#ifdef __cplusplus
}
#endif

#endif /* CXM_SURVEY_H */
