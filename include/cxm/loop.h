/**
 * @file cxm/loop.h
 * @brief Closing the loop with detractors and survey response rates of a
 *        slice (docs/experience.md, "Closing the loop", "Response rates").
 *
 * Thread-safety: queries only read the store; see cxm/store.h.
 */
#ifndef CXM_LOOP_H
#define CXM_LOOP_H

#include "calendar.h"
#include "common.h"
#include "query.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Options of cxm_store_loop(); fill with cxm_loop_options_init(). @since 0.2 */
typedef struct cxm_loop_options {
  size_t size;                       /**< sizeof(cxm_loop_options) */
  int32_t nps_detractor_max;         /**< NPS answers 0 .. this are detractors (0..10); default 6 */
  int32_t csat_detractor_max;        /**< CSAT answers 1 .. this (1..5); default 2 */
  int32_t ces_detractor_max;         /**< CES answers 1 .. this (1..7); default 3 */
  int64_t target_business_seconds;   /**< the follow-up promise, > 0; default 28 800 (one 8-hour business day) */
  int64_t invitation_window_seconds; /**< customer matching: invitations this long before an answer; default 30 d */
  const cxm_calendar *calendar;      /**< business hours; NULL: Monday-Friday 09:00-17:00 UTC, no holidays */
} cxm_loop_options;

/**
 * @brief Closing the loop and response rates of a slice. The caller sets
 *        `size` to sizeof(cxm_loop_result) before the call (the struct may
 *        grow). Durations are business seconds; quantiles interpolate
 *        linearly (as numpy's default); NaN when there is nothing to
 *        measure. Answers and invitations belong to the slice of their own
 *        time, channel, stage and segment.
 * @since 0.2
 */
typedef struct cxm_loop_result {
  size_t size;                    /**< sizeof(cxm_loop_result), set by the caller */
  uint64_t detractors;            /**< detractor answers (nps, csat and ces) */
  uint64_t followed;              /**< ... with a followup of the answer's ref at or after the answer */
  uint64_t followed_in_target;    /**< ... whose first such followup came within the target, in business time */
  double followup_median_s;       /**< answer to first followup, business seconds, over `followed` */
  double followup_p90_s;          /**< the 90th percentile of the same */
  double in_target_pct;           /**< 100 * followed_in_target / detractors */
  double never_pct;               /**< 100 * (detractors - followed) / detractors */
  uint64_t followed_next;         /**< detractors followed up before the customer's next answer of the kind */
  uint64_t followed_recovered;    /**< ... whose next answer is not a detractor */
  uint64_t unfollowed_next;       /**< detractors with a next answer of the kind and no followup before it */
  uint64_t unfollowed_recovered;  /**< ... whose next answer is not a detractor */
  double recovery_followed_pct;   /**< 100 * followed_recovered / followed_next */
  double recovery_unfollowed_pct; /**< 100 * unfollowed_recovered / unfollowed_next */
  double recovery_diff_pct;       /**< recovery_followed_pct - recovery_unfollowed_pct */
  double recovery_diff_low_pct;   /**< Newcombe's hybrid score 95 % interval of the difference, low end */
  double recovery_diff_high_pct;  /**< ... high end */
  uint64_t invitations;           /**< survey_sent events */
  uint64_t invitations_answered;  /**< ... matched by at least one answer (AAPOR RR1 completes) */
  double response_pct;            /**< 100 * invitations_answered / invitations */
  double nonresponse_pct;         /**< 100 - response_pct */
  uint64_t nps_answers;           /**< NPS answers */
  uint64_t csat_answers;          /**< CSAT answers */
  uint64_t ces_answers;           /**< CES answers */
  uint64_t nps_invited;           /**< NPS answers that matched an invitation */
  uint64_t csat_invited;          /**< CSAT answers that matched an invitation */
  uint64_t ces_invited;           /**< CES answers that matched an invitation */
} cxm_loop_result;

/** @brief Defaults: detractors NPS 0-6, CSAT 1-2, CES 1-3; target one business day (28 800 s); window 30 days; the default business week. @param[out] options ignored when NULL. @since 0.2 */
CXM_API void cxm_loop_options_init(cxm_loop_options *options);

/**
 * @brief Closing the loop with the detractor answers of a slice, and the
 *        response rate of its invitations (docs/experience.md). A
 *        detractor's next answer and an answer's invitation are looked for
 *        among all the customer's events in the store, inside the slice or
 *        not.
 * @param[in,out] out `size` set by the caller; the rest receives the result.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @param[in] options NULL for the defaults.
 * @return CXM_OK, CXM_E_ARG, CXM_E_SIZE (`out->size` or `options->size`),
 *         CXM_E_WINDOW, CXM_E_CHANNEL, CXM_E_STAGE, CXM_E_SEGMENT,
 *         CXM_E_OPTION or CXM_E_NOMEM; `*out` is unchanged on failure.
 * @note Reads the store only (docs/threads.md). Cost: O(a log a) in the
 *       store's answers, follow-ups and invitations a. @since 0.2
 */
CXM_API int32_t cxm_store_loop(cxm_loop_result *out, const cxm_store *store, const cxm_filter *filter,
                               const cxm_loop_options *options);

/**
 * @brief cxm_store_loop() for several filters at once (the groups of a
 *        report): out[k] is what cxm_store_loop() gives for filters[k], bit
 *        for bit, for the cost of one query plus a pass over the log per
 *        filter.
 * @param[in,out] out `count` results, each `size` set by the caller.
 * @param[in] filters `count` filters (not NULL).
 * @param[in] count Number of filters; 0 does nothing.
 * @param[in] store The store (read only).
 * @param[in] options NULL for the defaults.
 * @return As cxm_store_loop(); `out` is unchanged on failure.
 * @note Reads the store only (docs/threads.md). @since 0.2
 */
CXM_API int32_t cxm_store_loop_each(cxm_loop_result *out, const cxm_filter *filters, size_t count,
                                    const cxm_store *store, const cxm_loop_options *options);

#ifdef __cplusplus
}
#endif

#endif
