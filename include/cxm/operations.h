/**
 * @file cxm/operations.h
 * @brief Service operations of a slice: first-contact resolution, reopens,
 *        resolution times, repeat contacts, channel switches and transfers
 *        (docs/experience.md, "Service operations").
 *
 * Thread-safety: queries only read the store; see cxm/store.h.
 */
#ifndef CXM_OPERATIONS_H
#define CXM_OPERATIONS_H

#include "calendar.h"
#include "common.h"
#include "query.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Options of cxm_store_operations(); fill with cxm_operations_options_init(). @since 0.1 */
typedef struct cxm_operations_options {
  size_t size;                  /**< sizeof(cxm_operations_options) */
  int64_t window_seconds;       /**< W: repeat-contact window, 1 .. 3660 days in seconds; default 7 days */
  const cxm_calendar *calendar; /**< business hours; NULL: Monday-Friday 09:00-17:00 UTC, no holidays */
} cxm_operations_options;

/**
 * @brief Service operations of a slice. The caller sets `size` to
 *        sizeof(cxm_operations_result) before the call (the struct may
 *        grow). Durations are seconds; medians interpolate linearly (as
 *        numpy's default); NaN when there is nothing to measure.
 * @since 0.1
 */
typedef struct cxm_operations_result {
  size_t size;       /**< sizeof(cxm_operations_result), set by the caller */
  uint64_t contacts; /**< refs with a contact_open whose interaction began in the slice */
  uint64_t resolved; /**< contacts with a contact_resolve at or after the open */
  uint64_t
      first_contact_resolved; /**< resolved, <= 1 reply, no reopen, no new contact by the customer within W of the resolve */
  uint64_t reopened;          /**< resolved contacts with at least one contact_reopen */
  uint64_t repeated;          /**< contacts followed by another contact of the customer within W of the open */
  uint64_t switched;  /**< contacts followed within W of the open by a contact of the customer on another channel */
  uint64_t transfers; /**< contact_transfer events of the contacts */
  double fcr_pct;     /**< 100 * first_contact_resolved / resolved */
  double reopen_pct;  /**< 100 * reopened / resolved */
  double repeat_pct;  /**< 100 * repeated / contacts */
  double switch_pct;  /**< 100 * switched / contacts */
  double transfers_per_contact;              /**< transfers / contacts */
  double first_resolution_median_s;          /**< open to first resolve, wall clock */
  double first_resolution_mean_s;            /**< open to first resolve, wall clock */
  double full_resolution_median_s;           /**< open to last resolve, wall clock */
  double full_resolution_mean_s;             /**< open to last resolve, wall clock */
  double first_resolution_business_median_s; /**< open to first resolve, business time */
  double first_resolution_business_mean_s;   /**< open to first resolve, business time */
  double full_resolution_business_median_s;  /**< open to last resolve, business time */
  double full_resolution_business_mean_s;    /**< open to last resolve, business time */
} cxm_operations_result;

/** @brief Defaults: W = 7 days, the default business week. @param[out] options ignored when NULL. @since 0.1 */
CXM_API void cxm_operations_options_init(cxm_operations_options *options);

/**
 * @brief Service operations of the contacts whose interaction began in the
 *        slice (time: the interaction's earliest event; channel, stage,
 *        segment: those of its earliest contact_open). Repeat contacts and
 *        channel switches look at all the customer's contacts in the store,
 *        inside the slice or not.
 * @param[in,out] out `size` set by the caller; the rest receives the result.
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @param[in] options NULL for the defaults.
 * @return CXM_OK, CXM_E_ARG, CXM_E_SIZE (`out->size` or `options->size`),
 *         CXM_E_WINDOW, CXM_E_CHANNEL, CXM_E_STAGE, CXM_E_SEGMENT,
 *         CXM_E_OPTION or CXM_E_NOMEM; `*out` is unchanged on failure.
 * @note Reads the store only (docs/threads.md). Cost: O(c log c) in the
 *       store's contacts c. @since 0.1
 */
CXM_API int32_t cxm_store_operations(cxm_operations_result *out, const cxm_store *store, const cxm_filter *filter,
                                     const cxm_operations_options *options);

/**
 * @brief cxm_store_operations() for several filters at once (the groups of a
 *        report: pass cxm_groups_filter() of each group): out[k] is what
 *        cxm_store_operations() gives for filters[k], bit for bit, for the
 *        cost of one query plus a pass over the contacts per filter.
 * @param[in,out] out `count` results, each `size` set by the caller.
 * @param[in] filters `count` filters (not NULL).
 * @param[in] count Number of filters; 0 does nothing.
 * @param[in] store The store (read only).
 * @param[in] options NULL for the defaults.
 * @return As cxm_store_operations(); `out` is unchanged on failure.
 * @note Reads the store only (docs/threads.md). @since 0.1
 */
CXM_API int32_t cxm_store_operations_each(cxm_operations_result *out, const cxm_filter *filters, size_t count,
                                          const cxm_store *store, const cxm_operations_options *options);

/**
 * @brief One day of the backlog (docs/experience.md, "Backlog"). The
 *        caller sets `size` to sizeof(cxm_backlog_day) in every entry of
 *        its array before the call (the struct may grow). Ages are seconds
 *        from each open contact's open to `end`; quantiles interpolate
 *        linearly between closest ranks (numpy's default, Hyndman and Fan
 *        type 7); NaN when no contact is open.
 * @since 0.2
 */
typedef struct cxm_backlog_day {
  size_t size;                  /**< sizeof(cxm_backlog_day), set by the caller */
  int64_t day;                  /**< start of the local day (the calendar's UTC offset), Unix seconds */
  int64_t end;                  /**< the instant measured: start of the next local day (at most CXM_TIME_MAX) */
  uint64_t open;                /**< contacts open at `end`: opened before it and not resolved, or reopened */
  double age_median_s;          /**< median age of the open contacts, wall clock */
  double age_p90_s;             /**< 90th percentile of their ages, wall clock */
  double age_business_median_s; /**< median age in business seconds of the calendar */
  double age_business_p90_s;    /**< 90th percentile of the ages in business seconds */
} cxm_backlog_day;

/**
 * @brief The backlog as a daily series: for each local day the window
 *        touches (the filter's time window within the data's first and last
 *        event), the contacts open at the end of that day, with the median
 *        and 90th percentile of their ages on the wall clock and in business
 *        time. A contact is open from its earliest contact_open; a
 *        contact_resolve at or after the open closes it and a
 *        contact_reopen opens it again; events at the end instant itself
 *        count for the next day. Contacts are chosen by the filter's
 *        channel, stage and segment (those of their earliest open), by
 *        time only through the days.
 * @param[out] out `capacity` days, each `size` set by the caller; the first
 *             `*count` receive the series in day order.
 * @param[out] count The number of days, also when CXM_E_BUFFER is returned.
 * @param[in] capacity Entries of `out` (0 with `out` NULL to ask for the count).
 * @param[in] store The store (read only).
 * @param[in] filter NULL for everything.
 * @param[in] options NULL for the defaults (only the calendar is used; the
 *            window is still checked).
 * @return CXM_OK, CXM_E_ARG, CXM_E_SIZE (an entry's or `options->size`),
 *         CXM_E_BUFFER (capacity below `*count`: call again), CXM_E_WINDOW,
 *         CXM_E_CHANNEL, CXM_E_STAGE, CXM_E_SEGMENT, CXM_E_OPTION or
 *         CXM_E_NOMEM; `out` is unchanged on failure.
 * @note Reads the store only (docs/threads.md). Cost: O(c + r + d log c)
 *       for c contacts, r resolves and reopens and d days (radix sorts by
 *       time); working memory about 90 bytes per contact, 40 per resolve
 *       or reopen and 4 per ref. @since 0.2
 */
CXM_API int32_t cxm_store_backlog(cxm_backlog_day *out, size_t *count, size_t capacity, const cxm_store *store,
                                  const cxm_filter *filter, const cxm_operations_options *options);

/**
 * @brief cxm_store_backlog() for several filters at once (the groups of a
 *        report: pass cxm_groups_filter() of each group): the series of
 *        filters[k] is what cxm_store_backlog() gives for it, bit for bit,
 *        for the cost of one sort of every contact and of their resolves
 *        and reopens plus a pass over them per filter.
 * @param[out] out `capacity` days, each `size` set by the caller; receives
 *             the series one after the other in filter order: the
 *             `counts[k]` days of filters[k] begin at entry counts[0] + ...
 *             + counts[k - 1].
 * @param[out] counts `count` entries (not NULL when `count` > 0): each
 *             filter's number of days, also when CXM_E_BUFFER is returned.
 * @param[out] total The number of days of all the filters (the sum of
 *             `counts`), also when CXM_E_BUFFER is returned.
 * @param[in] capacity Entries of `out` (0 with `out` NULL to ask for the
 *            counts).
 * @param[in] filters `count` filters (not NULL when `count` > 0).
 * @param[in] count Number of filters; 0 sets `*total` to 0 and does
 *            nothing else.
 * @param[in] store The store (read only).
 * @param[in] options NULL for the defaults (only the calendar is used; the
 *            window is still checked).
 * @return As cxm_store_backlog(), CXM_E_BUFFER when `capacity` is below
 *         `*total`; `out` is unchanged on failure, `counts` and `*total`
 *         are written only with CXM_OK and CXM_E_BUFFER.
 * @note Reads the store only (docs/threads.md). Cost: O(c + r) for c
 *       contacts and r resolves and reopens (radix sorts by time), then
 *       O(c + r + d log c) per filter of d days; working memory about 100
 *       bytes per contact, 40 per resolve or reopen, 4 per ref and one
 *       cxm_backlog_day per day of the result. @since 0.2
 */
CXM_API int32_t cxm_store_backlog_each(cxm_backlog_day *out, size_t *counts, size_t *total, size_t capacity,
                                       const cxm_filter *filters, size_t count, const cxm_store *store,
                                       const cxm_operations_options *options);

#ifdef __cplusplus
}
#endif

#endif
