/**
 * @file cxm/retention.h
 * @brief Survival rows of a store's customers for retention curves: when
 *        each customer came under observation, when it was lost (churn
 *        event, or a lapse of activity) or censored, and the groups it
 *        belongs to (latest NPS category, CES band, first channel and
 *        segment, SLA breach), ready for cxm_km_fit(), cxm_logrank_test() and
 *        cxm_cox_fit() (cxm/survival.h).
 *
 * Definitions are in docs/retention.md. Thread-safety: reads the store (see
 * cxm/store.h); the rows are independent of the store once taken.
 */
#ifndef CXM_RETENTION_H
#define CXM_RETENTION_H

#include "calendar.h"
#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Time origins (as `int32_t`; values never renumbered).
 * @since 0.1
 */
enum cxm_retention_origin {
  CXM_RETENTION_WINDOW = 1, /**< days since the window opened; customers first seen later enter late */
  CXM_RETENTION_TENURE =
      2 /**< days since the customer's first event; customers first seen before the window enter at its opening */
};

/**
 * @brief Latest NPS category of a customer (as `int32_t`; never renumbered).
 * @since 0.1
 */
enum cxm_retention_nps {
  CXM_RETENTION_NPS_NONE = 0,      /**< no NPS answer */
  CXM_RETENTION_NPS_DETRACTOR = 1, /**< latest answer 0..6 */
  CXM_RETENTION_NPS_PASSIVE = 2,   /**< 7..8 */
  CXM_RETENTION_NPS_PROMOTER = 3   /**< 9..10 */
};

/**
 * @brief A customer's contacts against the first-reply SLA, at the
 *        window's end (as `int32_t`; never renumbered).
 * @since 0.2
 */
enum cxm_retention_sla {
  CXM_RETENTION_SLA_NONE = 0,    /**< no contact opened before the window's end */
  CXM_RETENTION_SLA_MET = 1,     /**< contacts, none breached by the window's end */
  CXM_RETENTION_SLA_BREACHED = 2 /**< a contact's first reply beyond the target, or none while its age passed it */
};

/**
 * @brief Options. Initialise with cxm_retention_options_init().
 * @since 0.1
 */
typedef struct cxm_retention_options {
  size_t size;                /**< sizeof(cxm_retention_options) */
  int64_t from;               /**< window opening, a UTC midnight (seconds since 1970); required */
  int64_t to;                 /**< window end (exclusive), a UTC midnight > from; required */
  int32_t lapse_days;         /**< lost after this many days without activity; 0: churn events only; default 90 */
  int32_t origin;             /**< enum cxm_retention_origin; default CXM_RETENTION_TENURE */
  int64_t sla_target_seconds; /**< first-reply target in business seconds, >= 0, for `sla`; default 28800 @since 0.2 */
  const cxm_calendar *calendar; /**< business hours of the SLA; NULL: Monday-Friday 09:00-17:00 UTC @since 0.2 */
} cxm_retention_options;

/**
 * @brief Set `size` and the defaults (from and to: none yet, must be set).
 * @param[out] options Ignored when NULL.
 * @since 0.1
 */
CXM_API void cxm_retention_options_init(cxm_retention_options *options);

/**
 * @brief One customer's survival row. Initialise `size` with sizeof(cxm_retention_row).
 * @since 0.1
 */
typedef struct cxm_retention_row {
  size_t size;     /**< sizeof(cxm_retention_row) */
  uint32_t handle; /**< the customer's handle in the store */
  double entry;    /**< days from the origin to the start of observation (>= 0) */
  double time;     /**< days from the origin to the loss or the censoring (> entry) */
  int32_t lost;    /**< 1 lost at `time`, 0 censored (still a customer at the window's end) */
  int32_t nps;     /**< enum cxm_retention_nps: the latest NPS answer before the window's end */
  int64_t first;   /**< UTC midnight of the customer's first event */
  int32_t
      high_effort; /**< 1 when the customer gave a CES answer 1..3 before the window's end (CES band "high effort") */
  int32_t
      channel; /**< the channel of the customer's earliest event naming one, if before the window's end; else CXM_CHANNEL_UNKNOWN @since 0.2 */
  int32_t
      segment; /**< the segment of its earliest event naming one, if before the window's end; else CXM_SEGMENT_UNKNOWN @since 0.2 */
  int32_t sla; /**< enum cxm_retention_sla: the customer's contacts against the SLA at the window's end @since 0.2 */
} cxm_retention_row;

/** @brief Survival rows (opaque). @since 0.1 */
typedef struct cxm_retention cxm_retention;

/**
 * @brief Take one row per customer active in the window: first event
 *        before `to`, not lost before `from`.
 * @param[out] out     Receives the rows; free with cxm_retention_free(). Untouched on error.
 * @param[in]  store   The store (read only).
 * @param[in]  options Window, lapse, origin, and the SLA target and calendar of `sla`; required
 *                     (the 0.1 size, without the SLA fields, takes their defaults).
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_WINDOW (from or to not a UTC
 *         midnight, or to <= from); CXM_E_OPTION (lapse_days outside
 *         0..3660, unknown origin, a negative SLA target); CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_store_retention(cxm_retention **out, const cxm_store *store, const cxm_retention_options *options);

/**
 * @brief Number of rows (0 for NULL).
 * @param[in] r The rows.
 * @return The count.
 * @since 0.1
 */
CXM_API size_t cxm_retention_count(const cxm_retention *r);

/**
 * @brief Read row `index`.
 * @param[out] row Filled; `size` is sizeof(cxm_retention_row) (that of 0.1,
 *                 without channel, segment and sla, is accepted too).
 * @param[in]  r   The rows.
 * @param[in]  index 0 .. cxm_retention_count() - 1, in handle order.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_NOT_FOUND.
 * @since 0.1
 */
CXM_API int32_t cxm_retention_row_get(cxm_retention_row *row, const cxm_retention *r, size_t index);

/**
 * @brief Free rows. NULL is accepted.
 * @param[in] r The rows.
 * @since 0.1
 */
CXM_API void cxm_retention_free(cxm_retention *r);

/** @brief A cohort table (opaque). @since 0.1 */
typedef struct cxm_cohorts cxm_cohorts;

/**
 * @brief Monthly cohort table: customers grouped by the calendar month
 *        (UTC) of their first activity in [from, to), and for each month
 *        since, how many of them were active (any purchase, survey answer,
 *        complaint or compliment) in it. Customers first active before
 *        `from` belong to no cohort; activity on or after `to` is not seen.
 * @param[out] out   Receives the table; free with cxm_cohorts_free(). Untouched on error.
 * @param[in]  store The store (read only).
 * @param[in]  from  First day of the first cohort month (a UTC midnight on a 1st).
 * @param[in]  to    End of observation (exclusive), a UTC midnight on a 1st, > from, at most 1200 months later.
 * @return CXM_OK; CXM_E_ARG; CXM_E_WINDOW (not month starts, or to <= from, or too long); CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_store_cohorts(cxm_cohorts **out, const cxm_store *store, int64_t from, int64_t to);

/**
 * @brief Number of cohorts (months from `from` to `to`), 0 for NULL.
 * @param[in] c The table.
 * @return The count.
 * @since 0.1
 */
CXM_API size_t cxm_cohorts_count(const cxm_cohorts *c);

/**
 * @brief One cohort: its month, its size and its active customers per month since.
 * @param[out] month    UTC midnight of the cohort month's first day (may be NULL).
 * @param[out] size     Customers first active in that month (may be NULL).
 * @param[out] active   active[k]: customers of the cohort active in month k after
 *                      theirs (active[0] = size); `capacity` values are written
 *                      at most.
 * @param[out] observed Months observable before `to`: valid entries of active.
 * @param[in]  capacity Room in `active` (cxm_cohorts_count() always suffices).
 * @param[in]  c        The table.
 * @param[in]  index    0 .. cxm_cohorts_count() - 1, oldest first.
 * @return CXM_OK; CXM_E_ARG; CXM_E_NOT_FOUND; CXM_E_BUFFER when capacity < observed
 *         (nothing written but *observed).
 * @since 0.1
 */
CXM_API int32_t cxm_cohorts_get(int64_t *month, uint64_t *size, uint64_t *active, size_t *observed, size_t capacity,
                                const cxm_cohorts *c, size_t index);

/**
 * @brief Free a table. NULL is accepted.
 * @param[in] c The table.
 * @since 0.1
 */
CXM_API void cxm_cohorts_free(cxm_cohorts *c);

/**
 * @brief Time-varying experience covariates of cxm_store_retention_tv()
 *        (indexes into cxm_tv_row.x; never renumbered).
 * @since 0.1
 */
enum cxm_tv_covariate {
  CXM_TV_DETRACTOR = 0,   /**< 1 while the latest NPS answer so far is 0..6 */
  CXM_TV_PROMOTER = 1,    /**< 1 while it is 9..10 */
  CXM_TV_COMPLAINTS = 2,  /**< complaints so far */
  CXM_TV_HIGH_EFFORT = 3, /**< 1 once a CES answer 1..3 was given */
  CXM_TV_COUNT = 4        /**< number of covariates */
};

/**
 * @brief One (start, stop] row of a customer for a Cox model with
 *        time-varying covariates. Initialise `size` with sizeof(cxm_tv_row).
 * @since 0.1
 */
typedef struct cxm_tv_row {
  size_t size;            /**< sizeof(cxm_tv_row) */
  uint32_t handle;        /**< the customer's handle */
  double start;           /**< days from the origin, as cxm_retention_row.entry for the first row */
  double stop;            /**< > start */
  int32_t lost;           /**< 1 on the customer's last row when it was lost */
  double x[CXM_TV_COUNT]; /**< the covariates during (start, stop] */
} cxm_tv_row;

/** @brief Time-varying rows (opaque). @since 0.1 */
typedef struct cxm_tv_rows cxm_tv_rows;

/**
 * @brief The rows of cxm_store_retention() split wherever a customer's
 *        experience covariates change: an answer or complaint on day d
 *        takes effect at the end of d (d + 1 - origin days), as a loss does;
 *        history before the window counts.
 * @param[out] out     Receives the rows; free with cxm_tv_rows_free(). Untouched on error.
 * @param[in]  store   The store.
 * @param[in]  options As for cxm_store_retention().
 * @return The statuses of cxm_store_retention().
 * @since 0.1
 */
CXM_API int32_t cxm_store_retention_tv(cxm_tv_rows **out, const cxm_store *store, const cxm_retention_options *options);

/**
 * @brief Number of rows (0 for NULL).
 * @param[in] r The rows.
 * @return The count.
 * @since 0.1
 */
CXM_API size_t cxm_tv_rows_count(const cxm_tv_rows *r);

/**
 * @brief Read row `index` (customers in handle order, each in time order).
 * @param[out] row Filled; `size` must be sizeof(cxm_tv_row).
 * @param[in]  r   The rows.
 * @param[in]  index 0 .. cxm_tv_rows_count() - 1.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_NOT_FOUND.
 * @since 0.1
 */
CXM_API int32_t cxm_tv_row_get(cxm_tv_row *row, const cxm_tv_rows *r, size_t index);

/**
 * @brief Free rows. NULL is accepted.
 * @param[in] r The rows.
 * @since 0.1
 */
CXM_API void cxm_tv_rows_free(cxm_tv_rows *r);

#ifdef __cplusplus
}
#endif

#endif /* CXM_RETENTION_H */
