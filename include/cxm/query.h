/**
 * @file cxm/query.h
 * @brief Survey metrics of a slice of a store, and grouped by channel,
 *        stage, segment, calendar month or ISO week.
 *
 * Thread-safety: queries only read the store; see cxm/store.h.
 */
#ifndef CXM_QUERY_H
#define CXM_QUERY_H

#include "common.h"
#include "store.h"
#include "survey.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Filter value meaning "any channel, stage or segment". */
#define CXM_ANY (-1)

/** @brief Grouping dimensions for cxm_store_group(). @since 0.1 */
enum cxm_by {
  CXM_BY_CHANNEL = 0, /**< key: channel name, "unknown" when empty */
  CXM_BY_STAGE = 1,   /**< key: stage name, "none" when empty */
  CXM_BY_SEGMENT = 2, /**< key: segment label, "unknown" when empty */
  CXM_BY_MONTH = 3,   /**< key: "YYYY-MM", UTC */
  CXM_BY_WEEK = 4,    /**< key: ISO week "YYYY-Www", UTC */
  CXM_BY_COUNT = 5
};

/**
 * @brief Which events a query covers; fill with cxm_filter_init().
 *
 * The window is half-open, [from, to). Bounds other than the open defaults
 * must be multiples of the store's bucket_seconds (a day by default), since
 * the store keeps accumulators per bucket, not raw events.
 * @since 0.1
 */
typedef struct cxm_filter {
  size_t size;     /**< sizeof(cxm_filter); set by cxm_filter_init() */
  int64_t from;    /**< inclusive start; INT64_MIN for no bound */
  int64_t to;      /**< exclusive end; INT64_MAX for no bound */
  int32_t channel; /**< a channel code or CXM_ANY */
  int32_t stage;   /**< a stage or CXM_ANY */
  int32_t segment; /**< a segment code or CXM_ANY */
} cxm_filter;

/** @brief A grouped query result (opaque). @since 0.1 */
typedef struct cxm_groups cxm_groups;

/** @brief Set `size`, an unbounded window and CXM_ANY everywhere. Ignores NULL. @since 0.1 */
CXM_API void cxm_filter_init(cxm_filter *filter);

/**
 * @brief Sum the survey accumulators of every event in a slice.
 * @param[out] out Receives the sum.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @return CXM_OK, CXM_E_ARG, CXM_E_SIZE, CXM_E_WINDOW, CXM_E_CHANNEL,
 *         CXM_E_STAGE or CXM_E_SEGMENT. @since 0.1
 */
CXM_API int32_t cxm_store_survey(cxm_survey_acc *out, const cxm_store *store, const cxm_filter *filter);

/**
 * @brief Group a slice by one dimension. Groups with no events of any kind
 *        are left out; groups are sorted by key (bytewise), so months and
 *        weeks come in time order.
 * @param[out] out Receives the groups; free with cxm_groups_free().
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @param[in] by An enum cxm_by value.
 * @return As cxm_store_survey(), plus CXM_E_BY and CXM_E_NOMEM. @since 0.1
 */
CXM_API int32_t cxm_store_group(cxm_groups **out, const cxm_store *store, const cxm_filter *filter, int32_t by);

/** @brief Number of groups (0 for NULL). @since 0.1 */
CXM_API size_t cxm_groups_count(const cxm_groups *groups);

/**
 * @brief The key of group `index`.
 * @param[out] key Receives bytes owned by `groups` (NUL-terminated too).
 * @param[out] len Receives the key length.
 * @param[in] groups The result of cxm_store_group().
 * @param[in] index 0 .. cxm_groups_count() - 1.
 * @return CXM_OK, CXM_E_ARG or CXM_E_NOT_FOUND for an index out of range.
 * @note Reading one result from several threads is safe. @since 0.1
 */
CXM_API int32_t cxm_groups_key(const char **key, size_t *len, const cxm_groups *groups, size_t index);

/**
 * @brief The survey accumulator of group `index`.
 * @return CXM_OK, CXM_E_ARG or CXM_E_NOT_FOUND. @since 0.1
 */
CXM_API int32_t cxm_groups_survey(cxm_survey_acc *out, const cxm_groups *groups, size_t index);

/**
 * @brief The filter that selects group `index`: the filter given to
 *        cxm_store_group() narrowed to the group's channel, stage or
 *        segment, or to its month or ISO week. Pass it to any slice query
 *        (cxm_store_gap(), cxm_store_service()...) for that group's metrics.
 * @param[out] out Receives the filter.
 * @param[in] groups The result of cxm_store_group().
 * @param[in] index 0 .. cxm_groups_count() - 1.
 * @return CXM_OK, CXM_E_ARG or CXM_E_NOT_FOUND. @since 0.1
 */
CXM_API int32_t cxm_groups_filter(cxm_filter *out, const cxm_groups *groups, size_t index);

/** @brief Free a grouped result. Accepts NULL; independent of the store's lifetime. @since 0.1 */
CXM_API void cxm_groups_free(cxm_groups *groups);

#ifdef __cplusplus
}
#endif

#endif /* CXM_QUERY_H */
