/**
 * @file cxm/experience.h
 * @brief Service vs experience: the perception gap, SERVQUAL expectation
 *        gaps, channel consistency, service levels and loyalty signals of a
 *        slice of a store (docs/metrics.md, docs/experience.md).
 *
 * Customer service is what the company measures internally (`internal`
 * ratings, SLAs); customer experience is what the customer perceives
 * (`nps`, `csat`, `ces`, SERVQUAL answers). These queries put the two side
 * by side for any slice (a cxm_filter) of a store.
 *
 * Thread-safety: the queries only read the store (see cxm/store.h); the
 * accumulator functions touch only their arguments.
 */
#ifndef CXM_EXPERIENCE_H
#define CXM_EXPERIENCE_H

#include "calendar.h"
#include "common.h"
#include "query.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Options of the experience queries; fill with cxm_experience_options_init(). @since 0.1 */
typedef struct cxm_experience_options {
  size_t size;                  /**< sizeof(cxm_experience_options) */
  double top_box;               /**< a 0..100 score above this is top box (blind spots); default 80 */
  int64_t sla_target_seconds;   /**< first-reply target in business seconds; default 28800 (one business day) */
  const cxm_calendar *calendar; /**< business hours; NULL: Monday-Friday 09:00-17:00 UTC, no holidays */
  int32_t has_weights;          /**< 1: weight the SERVQUAL score by `servqual_weights` */
  double servqual_weights[5];   /**< weights of tangibles, reliability, responsiveness, assurance, empathy (>= 0) */
  uint32_t min_channel_ratings; /**< channels with fewer customer ratings are left out of consistency; default 30 */
} cxm_experience_options;

/**
 * @brief Mergeable perception-gap accumulator over pairs (interactions
 *        rated both internally and by the customer). Merging two equals
 *        accumulating all their pairs (up to floating-point rounding).
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_gap_acc {
  uint64_t pairs;         /**< pairs */
  double mean;            /**< running mean of gap = service - experience */
  double m2;              /**< running sum of squared deviations of gap (Welford) */
  double service_sum;     /**< sum of the pairs' service scores */
  double experience_sum;  /**< sum of the pairs' experience scores */
  uint64_t blind_spots;   /**< service top box, experience not */
  uint64_t reverse_spots; /**< experience top box, service not */
} cxm_gap_acc;

/**
 * @brief The perception gap of a slice. Doubles are NaN when there are no
 *        pairs; the interval when pairs < 2; `delivery_z` when no pair is
 *        discordant.
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_gap_result {
  uint64_t pairs;         /**< interactions with an internal and a customer rating */
  double mean;            /**< mean gap, service - experience, in points of 0..100 */
  double se;              /**< standard error of the mean gap */
  double ci95_low;        /**< mean -+ t(0.975, pairs - 1) * se */
  double ci95_high;       /**< upper bound of the interval */
  double service;         /**< mean service score (internal ratings) */
  double experience;      /**< mean experience score (normalised customer ratings) */
  double delivery_gap;    /**< 100 * (blind_spots - reverse_spots) / pairs */
  double blind_spot_pct;  /**< 100 * blind_spots / pairs */
  double delivery_z;      /**< McNemar z = (b - c) / sqrt(b + c) */
  uint64_t blind_spots;   /**< b: company top box, customer not */
  uint64_t reverse_spots; /**< c: customer top box, company not */
} cxm_gap_result;

/**
 * @brief SERVQUAL expectation gaps of a slice, indexed by enum
 *        cxm_dimension (index 0 is unused). A gap is NaN when no customer
 *        gave both an expectation and a perception answer for it.
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_servqual_result {
  uint64_t customers[6]; /**< qualifying customers per dimension */
  double gap[6];         /**< mean perception - mean expectation per dimension (negative: fell short) */
  double score;          /**< mean of the non-NaN dimension gaps (weighted when asked); NaN when none */
} cxm_servqual_result;

/**
 * @brief Service levels of a slice: contacts, first response, resolution,
 *        SLA in business time. Durations are wall-clock seconds; quantiles
 *        are exact (linear interpolation, as numpy's default). NaN when
 *        there is nothing to measure.
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_service_result {
  uint64_t contacts;              /**< refs with a contact_open in the slice */
  uint64_t open;                  /**< contacts with no contact_resolve at or after the open */
  uint64_t replied;               /**< contacts with a first response */
  uint64_t resolved;              /**< contacts with a resolution */
  uint64_t met;                   /**< first reply within the target (business time) */
  uint64_t breached;              /**< reply later than the target, or none and older than it */
  double first_response_median_s; /**< median first-response time */
  double first_response_p90_s;    /**< 90th percentile first-response time */
  double first_response_mean_s;   /**< mean first-response time */
  double resolution_median_s;     /**< median resolution time */
  double resolution_p90_s;        /**< 90th percentile resolution time */
  double resolution_mean_s;       /**< mean resolution time */
  double within_sla_pct;          /**< 100 * met / (met + breached) */
} cxm_service_result;

/** @brief Loyalty signals of a slice. Frozen layout (docs/api.md). @since 0.1 */
typedef struct cxm_loyalty_result {
  uint64_t complaints;     /**< complaint events */
  uint64_t compliments;    /**< compliment events */
  uint64_t churned;        /**< distinct customers with a churn event in the slice */
  double compliment_ratio; /**< compliments / (compliments + complaints); NaN when both are 0 */
} cxm_loyalty_result;

/**
 * @brief Channel consistency of a slice: how much the customer's
 *        experience depends on the channel.
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_consistency_result {
  uint32_t channels;       /**< channels with at least min_channel_ratings customer ratings */
  double sd;               /**< sample SD (n - 1) of their mean normalised rating; NaN when channels < 2 */
  double mean_of_means;    /**< mean of the channel means; NaN when channels == 0 */
  int32_t weakest_channel; /**< the channel with the lowest mean (pulls consistency down); -1 when none */
  double weakest_mean;     /**< its mean normalised rating */
} cxm_consistency_result;

/** @brief Set `size` and the defaults. Ignores NULL. @since 0.1 */
CXM_API void cxm_experience_options_init(cxm_experience_options *options);

/** @brief Zero a gap accumulator. Ignores NULL. @since 0.1 */
CXM_API void cxm_gap_acc_init(cxm_gap_acc *acc);

/**
 * @brief Add one pair.
 * @param[in,out] acc The accumulator.
 * @param[in] service The pair's service score, 0..100.
 * @param[in] experience The pair's experience score, 0..100.
 * @param[in] top_box Scores above it are top box (cxm_experience_options.top_box).
 * @return CXM_OK, CXM_E_ARG, CXM_E_VALUE (a score outside 0..100 or NaN) or CXM_E_OVERFLOW.
 * @since 0.1
 */
CXM_API int32_t cxm_gap_acc_add(cxm_gap_acc *acc, double service, double experience, double top_box);

/**
 * @brief Merge `src` into `dst` (Chan et al.'s parallel update of mean and m2).
 * @return CXM_OK, CXM_E_ARG or CXM_E_OVERFLOW (then `dst` is unchanged). @since 0.1
 */
CXM_API int32_t cxm_gap_acc_merge(cxm_gap_acc *dst, const cxm_gap_acc *src);

/**
 * @brief Compute the perception-gap metrics of an accumulator.
 * @return CXM_OK or CXM_E_ARG. @since 0.1
 */
CXM_API int32_t cxm_gap_compute(cxm_gap_result *out, const cxm_gap_acc *acc);

/** Bytes written by cxm_gap_acc_serialize(). */
#define CXM_GAP_ACC_BYTES 61

/**
 * @brief Write a gap accumulator in the portable format of docs/formats.md
 *        ("gap accumulator", version 1: IEEE-754 doubles and integers,
 *        little-endian).
 * @param[out] buf Destination of at least CXM_GAP_ACC_BYTES bytes.
 * @param[in] cap Bytes at `buf`.
 * @param[out] written Bytes written (or needed, with CXM_E_BUFFER).
 * @param[in] acc The accumulator.
 * @return CXM_OK, CXM_E_ARG or CXM_E_BUFFER. @since 0.1
 */
CXM_API int32_t cxm_gap_acc_serialize(uint8_t *buf, size_t cap, size_t *written, const cxm_gap_acc *acc);

/**
 * @brief Read a gap accumulator written by cxm_gap_acc_serialize().
 * @param[out] acc Receives it; unchanged on error.
 * @param[in] buf The bytes.
 * @param[in] len Bytes available.
 * @param[out] consumed Bytes used (may be NULL).
 * @return CXM_OK, CXM_E_ARG, CXM_E_TRUNCATED, CXM_E_FORMAT or CXM_E_VERSION. @since 0.1
 */
CXM_API int32_t cxm_gap_acc_deserialize(cxm_gap_acc *acc, const uint8_t *buf, size_t len, size_t *consumed);

/**
 * @brief The perception-gap accumulator of a slice: every interaction
 *        (ref) with at least one internal and one customer rating, placed
 *        at the channel, stage and segment of its earliest internal rating
 *        and at the time of its earliest rating.
 * @param[out] out Receives the accumulator.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @param[in] options NULL for the defaults (only `top_box` is used).
 * @return CXM_OK, CXM_E_ARG, CXM_E_SIZE, CXM_E_WINDOW, CXM_E_CHANNEL,
 *         CXM_E_STAGE, CXM_E_SEGMENT or CXM_E_OPTION. @since 0.1
 */
CXM_API int32_t cxm_store_gap(cxm_gap_acc *out, const cxm_store *store, const cxm_filter *filter,
                              const cxm_experience_options *options);

/**
 * @brief SERVQUAL expectation gaps of a slice (uses `has_weights` and
 *        `servqual_weights` of the options).
 * @param[out] out Receives the result.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @param[in] options NULL for the defaults (unweighted).
 * @return As cxm_store_gap(), plus CXM_E_NOMEM. @since 0.1
 */
CXM_API int32_t cxm_store_servqual(cxm_servqual_result *out, const cxm_store *store, const cxm_filter *filter,
                                   const cxm_experience_options *options);

/**
 * @brief Service levels of a slice: every contact (ref with a
 *        contact_open) whose earliest open lies in the slice. The age of an
 *        unanswered contact is measured at the store's last event time.
 * @param[out] out Receives the result.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @param[in] options NULL for the defaults (uses `calendar`, `sla_target_seconds`).
 * @return As cxm_store_gap(), plus CXM_E_NOMEM. @since 0.1
 */
CXM_API int32_t cxm_store_service(cxm_service_result *out, const cxm_store *store, const cxm_filter *filter,
                                  const cxm_experience_options *options);

/**
 * @brief Service levels of a slice in business time: as cxm_store_service(),
 *        but every first-response and resolution duration is the number of
 *        business seconds of the options' calendar between the open and the
 *        reply or resolution (cxm_calendar_business_seconds()), so its
 *        median, p90 and mean are what the SLA is measured against. The
 *        counts and `within_sla_pct` are those of cxm_store_service().
 * @param[out] out Receives the result; unchanged on error.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @param[in] options NULL for the defaults (uses `calendar`, `sla_target_seconds`).
 * @return As cxm_store_service(). @note Reads only. @since 0.1
 */
CXM_API int32_t cxm_store_service_business(cxm_service_result *out, const cxm_store *store, const cxm_filter *filter,
                                           const cxm_experience_options *options);

/**
 * @brief Loyalty signals of a slice.
 * @param[out] out Receives the result.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @return As cxm_store_gap(), plus CXM_E_NOMEM. @since 0.1
 */
CXM_API int32_t cxm_store_loyalty(cxm_loyalty_result *out, const cxm_store *store, const cxm_filter *filter);

/**
 * @brief Channel consistency of a slice (uses `min_channel_ratings`).
 * @param[out] out Receives the result.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @param[in] options NULL for the defaults.
 * @return As cxm_store_gap(), plus CXM_E_NOMEM. @since 0.1
 */
CXM_API int32_t cxm_store_consistency(cxm_consistency_result *out, const cxm_store *store, const cxm_filter *filter,
                                      const cxm_experience_options *options);

/* ---- every group at once ------------------------------------------------ */

/**
 * @brief Groups of a slice with every experience metric of each group,
 *        computed in one pass over the store for all groups.
 *
 * The groups, their keys, order, survey sums and filters are those of
 * cxm_store_group(). In addition, cxm_groups_gap(), cxm_groups_servqual(),
 * cxm_groups_service(), cxm_groups_service_business(), cxm_groups_loyalty()
 * and cxm_groups_consistency() give for group i exactly (bit for bit) what
 * cxm_store_gap(), cxm_store_servqual(), cxm_store_service(),
 * cxm_store_service_business(), cxm_store_loyalty() and
 * cxm_store_consistency() give for the filter cxm_groups_filter() returns
 * for i, with the same options. The cost is that of one such query plus
 * sorting, whatever the number of groups (per-group queries cost one pass
 * over the store per group). Memory: about 350 bytes per group on top of
 * cxm_store_group(), plus one pass's working set (docs/experience.md).
 * @param[out] out Receives the groups; free with cxm_groups_free().
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @param[in] by A CXM_BY_* dimension.
 * @param[in] options NULL for the defaults.
 * @return CXM_OK, CXM_E_ARG, CXM_E_SIZE, CXM_E_WINDOW, CXM_E_CHANNEL,
 *         CXM_E_STAGE, CXM_E_SEGMENT, CXM_E_BY, CXM_E_OPTION or
 *         CXM_E_NOMEM; `*out` is unchanged on failure.
 * @note Reads the store only (docs/threads.md). @since 0.1
 */
CXM_API int32_t cxm_store_group_experience(cxm_groups **out, const cxm_store *store, const cxm_filter *filter,
                                           int32_t by, const cxm_experience_options *options);

/**
 * @brief The perception-gap accumulator of one group of
 *        cxm_store_group_experience() (as cxm_store_gap() on its filter).
 * @param[out] out Receives the accumulator.
 * @param[in] groups The result of cxm_store_group_experience().
 * @param[in] index 0 .. cxm_groups_count() - 1.
 * @return CXM_OK, CXM_E_ARG, CXM_E_NOT_FOUND (index out of range) or
 *         CXM_E_STATE (groups made by cxm_store_group(), without
 *         experience metrics). @since 0.1
 */
CXM_API int32_t cxm_groups_gap(cxm_gap_acc *out, const cxm_groups *groups, size_t index);

/**
 * @brief SERVQUAL gaps of one group (as cxm_store_servqual() on its filter).
 * @param[out] out Receives the result.
 * @param[in] groups The result of cxm_store_group_experience().
 * @param[in] index 0 .. cxm_groups_count() - 1.
 * @return As cxm_groups_gap(). @since 0.1
 */
CXM_API int32_t cxm_groups_servqual(cxm_servqual_result *out, const cxm_groups *groups, size_t index);

/**
 * @brief Service levels of one group (as cxm_store_service() on its filter).
 * @param[out] out Receives the result.
 * @param[in] groups The result of cxm_store_group_experience().
 * @param[in] index 0 .. cxm_groups_count() - 1.
 * @return As cxm_groups_gap(). @since 0.1
 */
CXM_API int32_t cxm_groups_service(cxm_service_result *out, const cxm_groups *groups, size_t index);

/**
 * @brief Service levels of one group in business time (as
 *        cxm_store_service_business() on its filter).
 * @param[out] out Receives the result.
 * @param[in] groups The result of cxm_store_group_experience().
 * @param[in] index 0 .. cxm_groups_count() - 1.
 * @return As cxm_groups_gap(). @since 0.1
 */
CXM_API int32_t cxm_groups_service_business(cxm_service_result *out, const cxm_groups *groups, size_t index);

/**
 * @brief Loyalty signals of one group (as cxm_store_loyalty() on its filter).
 * @param[out] out Receives the result.
 * @param[in] groups The result of cxm_store_group_experience().
 * @param[in] index 0 .. cxm_groups_count() - 1.
 * @return As cxm_groups_gap(). @since 0.1
 */
CXM_API int32_t cxm_groups_loyalty(cxm_loyalty_result *out, const cxm_groups *groups, size_t index);

/**
 * @brief Channel consistency of one group (as cxm_store_consistency() on
 *        its filter).
 * @param[out] out Receives the result.
 * @param[in] groups The result of cxm_store_group_experience().
 * @param[in] index 0 .. cxm_groups_count() - 1.
 * @return As cxm_groups_gap(). @since 0.1
 */
CXM_API int32_t cxm_groups_consistency(cxm_consistency_result *out, const cxm_groups *groups, size_t index);

/* ---- mergeable, serialisable accumulators ------------------------------- */

/**
 * @brief Mergeable SERVQUAL accumulator of a slice, indexed by enum
 *        cxm_dimension (index 0 is unused and stays 0).
 *
 * Per dimension it holds the qualifying customers (those who gave at
 * least one expectation and one perception answer for it in the slice)
 * and the counts and sums of those customers' answers (1..7 each).
 *
 * Merging adds every field. It is exact (equals the accumulator of the
 * union) when the shards hold disjoint customers: a customer is qualified
 * per shard, so one whose expectation answers lie in one shard and whose
 * perception answers lie in another counts in neither, and one qualified
 * in two shards counts twice.
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_servqual_acc {
  uint64_t customers[6];       /**< qualifying customers per dimension */
  uint64_t expectation_n[6];   /**< their expectation answers */
  uint64_t expectation_sum[6]; /**< sum of those answers */
  uint64_t perception_n[6];    /**< their perception answers */
  uint64_t perception_sum[6];  /**< sum of those answers */
} cxm_servqual_acc;

/**
 * @brief Mergeable loyalty accumulator of a slice. Merging adds the
 *        fields: complaints and compliments always exactly; `churned`
 *        exactly when the shards hold disjoint customers (a customer who
 *        churned in two shards counts twice).
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_loyalty_acc {
  uint64_t complaints;  /**< complaint events */
  uint64_t compliments; /**< compliment events */
  uint64_t churned;     /**< distinct customers with a churn event */
} cxm_loyalty_acc;

/**
 * Buckets of a service-time sketch: 1 024 one-second buckets for 0..1 023 s,
 * then 64 buckets per power of two from 2^10 to 2^38 s (28 octaves).
 */
#define CXM_SERVICE_SKETCH_BUCKETS 2816

/**
 * @brief Fixed-size, mergeable service-level accumulator of a slice.
 *
 * Counts and exact sums of durations, plus for first response and
 * resolution a log-linear histogram of the durations (seconds):
 * bucket `d` holds the duration `d` for d < 1 024; above, the range
 * [2^k, 2^(k+1)) (10 <= k <= 37) is cut into 64 buckets of 2^(k-6) s.
 * Durations are below 2^38 s (the event time range).
 *
 * cxm_service_compute() estimates median and p90 from the histograms:
 * each order statistic is taken as the midpoint of its bucket, and the
 * quantile is interpolated between the two order statistics as numpy's
 * linear method (docs/experience.md). The estimate is exact while both
 * order statistics are below 1 024 s, and its relative error is below
 * 1/128 (0.79 %) otherwise. Means, counts and SLA shares are exact.
 *
 * Merging adds every field and is exact for shards holding disjoint
 * contacts (refs) whose stores share the same last event time: the age of
 * an unanswered contact, hence whether it breached, is measured at its
 * store's last event time.
 * Frozen: this layout never changes (docs/api.md, "Structs that grow").
 * @since 0.1
 */
typedef struct cxm_service_acc {
  uint64_t contacts;             /**< refs with a contact_open in the slice */
  uint64_t open;                 /**< contacts with no resolution */
  uint64_t replied;              /**< contacts with a first response */
  uint64_t resolved;             /**< contacts with a resolution */
  uint64_t met;                  /**< first reply within the target (business time) */
  uint64_t breached;             /**< reply later than the target, or none and older than it */
  uint64_t first_response_sum_s; /**< sum of first-response times, seconds */
  uint64_t resolution_sum_s;     /**< sum of resolution times, seconds */
  uint64_t first_response_hist[CXM_SERVICE_SKETCH_BUCKETS]; /**< first-response times per bucket */
  uint64_t resolution_hist[CXM_SERVICE_SKETCH_BUCKETS];     /**< resolution times per bucket */
} cxm_service_acc;

/** @brief Zero a SERVQUAL accumulator. Ignores NULL. @since 0.1 */
CXM_API void cxm_servqual_acc_init(cxm_servqual_acc *acc);

/**
 * @brief Merge `src` into `dst` by adding every field (exact for shards
 *        of disjoint customers, see cxm_servqual_acc).
 * @return CXM_OK, CXM_E_ARG or CXM_E_OVERFLOW (then `dst` is unchanged). @since 0.1
 */
CXM_API int32_t cxm_servqual_acc_merge(cxm_servqual_acc *dst, const cxm_servqual_acc *src);

/**
 * @brief SERVQUAL gaps of an accumulator, as cxm_store_servqual() reports them.
 * @param[out] out Receives the result.
 * @param[in] acc The accumulator.
 * @param[in] weights NULL for the unweighted mean of the dimension gaps, or
 *            5 weights (tangibles .. empathy), finite, >= 0, not all 0.
 * @return CXM_OK, CXM_E_ARG or CXM_E_OPTION (bad weights). @since 0.1
 */
CXM_API int32_t cxm_servqual_compute(cxm_servqual_result *out, const cxm_servqual_acc *acc, const double *weights);

/** Bytes written by cxm_servqual_acc_serialize(). */
#define CXM_SERVQUAL_ACC_BYTES 205

/**
 * @brief Write a SERVQUAL accumulator in the portable format of
 *        docs/formats.md ("SERVQUAL accumulator", version 1).
 * @param[out] buf Destination of at least CXM_SERVQUAL_ACC_BYTES bytes.
 * @param[in] cap Bytes at `buf`.
 * @param[out] written Bytes written (or needed, with CXM_E_BUFFER).
 * @param[in] acc The accumulator.
 * @return CXM_OK, CXM_E_ARG or CXM_E_BUFFER. @since 0.1
 */
CXM_API int32_t cxm_servqual_acc_serialize(uint8_t *buf, size_t cap, size_t *written, const cxm_servqual_acc *acc);

/**
 * @brief Read a SERVQUAL accumulator written by cxm_servqual_acc_serialize().
 * @param[out] acc Receives it; unchanged on error.
 * @param[in] buf The bytes.
 * @param[in] len Bytes available.
 * @param[out] consumed Bytes used (may be NULL).
 * @return CXM_OK, CXM_E_ARG, CXM_E_TRUNCATED, CXM_E_FORMAT or CXM_E_VERSION. @since 0.1
 */
CXM_API int32_t cxm_servqual_acc_deserialize(cxm_servqual_acc *acc, const uint8_t *buf, size_t len, size_t *consumed);

/**
 * @brief The SERVQUAL accumulator of a slice (cxm_store_servqual() is
 *        cxm_servqual_compute() of it).
 * @param[out] out Receives the accumulator; unchanged on error.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @return As cxm_store_gap() (without CXM_E_OPTION), plus CXM_E_NOMEM. @since 0.1
 */
CXM_API int32_t cxm_store_servqual_acc(cxm_servqual_acc *out, const cxm_store *store, const cxm_filter *filter);

/** @brief Zero a loyalty accumulator. Ignores NULL. @since 0.1 */
CXM_API void cxm_loyalty_acc_init(cxm_loyalty_acc *acc);

/**
 * @brief Merge `src` into `dst` by adding every field (`churned` exact for
 *        shards of disjoint customers, see cxm_loyalty_acc).
 * @return CXM_OK, CXM_E_ARG or CXM_E_OVERFLOW (then `dst` is unchanged). @since 0.1
 */
CXM_API int32_t cxm_loyalty_acc_merge(cxm_loyalty_acc *dst, const cxm_loyalty_acc *src);

/**
 * @brief Loyalty signals of an accumulator, as cxm_store_loyalty() reports them.
 * @return CXM_OK or CXM_E_ARG. @since 0.1
 */
CXM_API int32_t cxm_loyalty_compute(cxm_loyalty_result *out, const cxm_loyalty_acc *acc);

/** Bytes written by cxm_loyalty_acc_serialize(). */
#define CXM_LOYALTY_ACC_BYTES 29

/**
 * @brief Write a loyalty accumulator in the portable format of
 *        docs/formats.md ("Loyalty accumulator", version 1).
 * @param[out] buf Destination of at least CXM_LOYALTY_ACC_BYTES bytes.
 * @param[in] cap Bytes at `buf`.
 * @param[out] written Bytes written (or needed, with CXM_E_BUFFER).
 * @param[in] acc The accumulator.
 * @return CXM_OK, CXM_E_ARG or CXM_E_BUFFER. @since 0.1
 */
CXM_API int32_t cxm_loyalty_acc_serialize(uint8_t *buf, size_t cap, size_t *written, const cxm_loyalty_acc *acc);

/**
 * @brief Read a loyalty accumulator written by cxm_loyalty_acc_serialize().
 * @param[out] acc Receives it; unchanged on error.
 * @param[in] buf The bytes.
 * @param[in] len Bytes available.
 * @param[out] consumed Bytes used (may be NULL).
 * @return CXM_OK, CXM_E_ARG, CXM_E_TRUNCATED, CXM_E_FORMAT or CXM_E_VERSION. @since 0.1
 */
CXM_API int32_t cxm_loyalty_acc_deserialize(cxm_loyalty_acc *acc, const uint8_t *buf, size_t len, size_t *consumed);

/**
 * @brief The loyalty accumulator of a slice (cxm_store_loyalty() is
 *        cxm_loyalty_compute() of it).
 * @param[out] out Receives the accumulator; unchanged on error.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @return As cxm_store_gap() (without CXM_E_OPTION), plus CXM_E_NOMEM. @since 0.1
 */
CXM_API int32_t cxm_store_loyalty_acc(cxm_loyalty_acc *out, const cxm_store *store, const cxm_filter *filter);

/** @brief Zero a service accumulator. Ignores NULL. @since 0.1 */
CXM_API void cxm_service_acc_init(cxm_service_acc *acc);

/**
 * @brief Merge `src` into `dst` by adding every field (exact for shards of
 *        disjoint contacts, see cxm_service_acc).
 * @return CXM_OK, CXM_E_ARG or CXM_E_OVERFLOW (then `dst` is unchanged). @since 0.1
 */
CXM_API int32_t cxm_service_acc_merge(cxm_service_acc *dst, const cxm_service_acc *src);

/**
 * @brief Service levels of an accumulator. Counts, means and
 *        `within_sla_pct` are exact; medians and p90s are estimated from
 *        the histograms, exact below 1 024 s and within a relative error
 *        of 1/128 above (see cxm_service_acc). NaN when there is nothing
 *        to measure.
 * @return CXM_OK or CXM_E_ARG. @since 0.1
 */
CXM_API int32_t cxm_service_compute(cxm_service_result *out, const cxm_service_acc *acc);

/**
 * Largest number of bytes cxm_service_acc_serialize() writes: 69 bytes of
 * counts and sums, then per histogram 2 bytes plus 10 per non-empty bucket.
 */
#define CXM_SERVICE_ACC_MAX_BYTES (69 + 2 * (2 + 10 * CXM_SERVICE_SKETCH_BUCKETS))

/**
 * @brief Write a service accumulator in the portable format of
 *        docs/formats.md ("Service accumulator", version 1): only
 *        non-empty buckets are written, so the size varies.
 * @param[out] buf Destination; CXM_SERVICE_ACC_MAX_BYTES always suffice.
 * @param[in] cap Bytes at `buf`.
 * @param[out] written Bytes written (or needed, with CXM_E_BUFFER).
 * @param[in] acc The accumulator.
 * @return CXM_OK, CXM_E_ARG or CXM_E_BUFFER. @since 0.1
 */
CXM_API int32_t cxm_service_acc_serialize(uint8_t *buf, size_t cap, size_t *written, const cxm_service_acc *acc);

/**
 * @brief Read a service accumulator written by cxm_service_acc_serialize().
 * @param[out] acc Receives it; unchanged on error.
 * @param[in] buf The bytes.
 * @param[in] len Bytes available.
 * @param[out] consumed Bytes used (may be NULL).
 * @return CXM_OK, CXM_E_ARG, CXM_E_TRUNCATED, CXM_E_FORMAT or CXM_E_VERSION. @since 0.1
 */
CXM_API int32_t cxm_service_acc_deserialize(cxm_service_acc *acc, const uint8_t *buf, size_t len, size_t *consumed);

/**
 * @brief The service accumulator of a slice: the same contacts, counts and
 *        durations as cxm_store_service(), with histograms instead of
 *        exact quantiles (for sharding and snapshots; cxm_store_service()
 *        keeps the exact quantiles).
 * @param[out] out Receives the accumulator; untouched when an argument or
 *             option is rejected or the default calendar cannot be
 *             allocated (CXM_E_NOMEM before the scan), zeroed when the
 *             scan itself fails.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @param[in] options NULL for the defaults (uses `calendar`, `sla_target_seconds`).
 * @return As cxm_store_gap(), plus CXM_E_NOMEM and CXM_E_OVERFLOW. @since 0.1
 */
CXM_API int32_t cxm_store_service_acc(cxm_service_acc *out, const cxm_store *store, const cxm_filter *filter,
                                      const cxm_experience_options *options);

#ifdef __cplusplus
}
#endif

#endif /* CXM_EXPERIENCE_H */
