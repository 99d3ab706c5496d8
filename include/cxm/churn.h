/**
 * @file cxm/churn.h
 * @brief Churn risk of every customer of a store in one call: the risk
 *        model (fitted from the store's churn events, or the default one),
 *        each customer's score, band, P(alive) and the factors that drive
 *        the score, highest risk first (docs/churn.md).
 *
 * This is what `cxm churn FILE --json` prints and what the bindings return:
 * one implementation of the pipeline, so every caller gets the same
 * numbers. The steps:
 *
 * 1. Scoring time `scored_at`: the option, or the UTC midnight after the
 *    store's last event.
 * 2. Training cut-off `cutoff = scored_at - horizon`. When it lies after
 *    the first event, cxm_store_risk_model() fits the model from the churn
 *    events in [cutoff, scored_at) (or gives the default model when there
 *    are too few of them); otherwise the default model is used.
 * 3. Every customer at risk at `scored_at` (cxm_store_features() as of
 *    `scored_at`) is scored with cxm_risk_score() and explained with
 *    cxm_risk_explain().
 *
 * Thread-safety: cxm_store_churn() reads the store (see cxm/store.h); a
 * result is independent of the store once built and may be read from any
 * number of threads at once.
 */
#ifndef CXM_CHURN_H
#define CXM_CHURN_H

#include "calendar.h"
#include "common.h"
#include "features.h"
#include "risk.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** `scored_at` value meaning "the UTC midnight after the store's last event". */
#define CXM_CHURN_AFTER_LAST INT64_MIN

/** @brief How cxm_store_churn() scores; fill with cxm_churn_options_init(). @since 0.1 */
typedef struct cxm_churn_options {
  size_t size;                  /**< sizeof(cxm_churn_options); set by the init function */
  int64_t scored_at;            /**< a UTC midnight (multiple of 86400) in 1970-01-01 .. 10000-01-01, or CXM_CHURN_AFTER_LAST (default) */
  int64_t horizon_seconds;      /**< training horizon, a positive multiple of 86400; default 90 days */
  int32_t purchase_model;       /**< a cxm_model_kind for the purchase risk; default CXM_MODEL_MBGNBD */
  const cxm_calendar *calendar; /**< business hours for SLA breaches, borrowed for the call; NULL: Monday-Friday 09:00-17:00 UTC */
  int64_t sla_target_seconds;   /**< first-reply target in business seconds; default 28800 */
} cxm_churn_options;

/** @brief The scores of one cxm_store_churn() call (opaque). @since 0.1 */
typedef struct cxm_churn cxm_churn;

/** @brief How a result was scored. @since 0.1 */
typedef struct cxm_churn_info {
  size_t size;                    /**< sizeof(cxm_churn_info); set by cxm_churn_info_init() */
  int64_t scored_at;              /**< the scoring time used */
  int64_t cutoff;                 /**< scored_at - horizon: the training cut-off */
  int32_t fitted;                 /**< 1 when the model was fitted from churn labels, 0 for the default model */
  cxm_risk_model model;           /**< the model that scored; when `fitted`, model.converged is 0 if the fit stopped at its best point (the default model has converged 0 too) */
  cxm_risk_evaluation evaluation; /**< held-out evaluation of a fitted model; rows = 0 when none */
} cxm_churn_info;

/** @brief One scored customer. @since 0.1 */
typedef struct cxm_churn_row {
  size_t size;                              /**< sizeof(cxm_churn_row); set by cxm_churn_row_init() */
  uint32_t handle;                          /**< the customer's handle in the store */
  int32_t band;                             /**< cxm_risk_band() of `risk` */
  double risk;                              /**< probability of churning within the horizon after scored_at */
  double logit;                             /**< log-odds of `risk`: intercept + the sum of `contributions` */
  double p_alive;                           /**< the purchase model's P(alive) at scored_at; NaN without usable purchase history */
  double features[CXM_FEATURE_COUNT];       /**< the feature row (cxm/features.h order) */
  double contributions[CXM_FEATURE_COUNT];  /**< each feature's share of the log-odds (cxm_risk_explain()) */
  uint32_t driver_count;                    /**< features whose contribution is > 0 */
  int32_t drivers[CXM_FEATURE_COUNT];       /**< those features (cxm_feature), largest contribution first; ties by feature order */
} cxm_churn_row;

/** @brief Set `size` and the defaults. Ignores NULL. @since 0.1 */
CXM_API void cxm_churn_options_init(cxm_churn_options *options);

/** @brief Zero an info struct and set its `size` (lets a binding compare
 *         layouts when it loads the library). Ignores NULL. @since 0.1 */
CXM_API void cxm_churn_info_init(cxm_churn_info *info);

/** @brief Zero a row struct and set its `size`. Ignores NULL. @since 0.1 */
CXM_API void cxm_churn_row_init(cxm_churn_row *row);

/**
 * @brief Score every customer at risk in a store (see the file comment).
 * @param[out] out Receives the result; the caller frees it with cxm_churn_free().
 *             Set to NULL on error.
 * @param[in] store The store (read only).
 * @param[in] options NULL for the defaults.
 * @return CXM_OK (also when a model fit stopped at its best point:
 *         cxm_churn_info::model.converged tells); CXM_E_ARG; CXM_E_SIZE;
 *         CXM_E_NO_DATA for a store without events; CXM_E_WINDOW for a
 *         scoring time that is not a UTC midnight in 1970-01-01 .. 10000-01-01
 *         (the latter is the midnight after an event on 9999-12-31);
 *         CXM_E_OPTION for a bad horizon, model or SLA target; CXM_E_NOMEM.
 * @note Reads the store: safe beside other readers, not beside a writer.
 * @since 0.1
 */
CXM_API int32_t cxm_store_churn(cxm_churn **out, const cxm_store *store, const cxm_churn_options *options);

/** @brief Scored customers in a result (0 for NULL). Thread-safe. @since 0.1 */
CXM_API size_t cxm_churn_count(const cxm_churn *churn);

/**
 * @brief How a result was scored.
 * @param[out] info Set its `size` first (cxm_churn_info_init()).
 * @param[in] churn The result.
 * @return CXM_OK, CXM_E_ARG or CXM_E_SIZE. @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_churn_info_get(cxm_churn_info *info, const cxm_churn *churn);

/**
 * @brief One scored customer, by rank: 0 is the highest risk; equal risks
 *        in handle order.
 * @param[out] row Set its `size` first (cxm_churn_row_init()); receives a copy.
 * @param[in] churn The result.
 * @param[in] rank 0 .. cxm_churn_count() - 1.
 * @return CXM_OK, CXM_E_ARG, CXM_E_SIZE or CXM_E_NOT_FOUND. @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_churn_row_get(cxm_churn_row *row, const cxm_churn *churn, size_t rank);

/** @brief Free a result. Accepts NULL. @since 0.1 */
CXM_API void cxm_churn_free(cxm_churn *churn);

#ifdef __cplusplus
}
#endif

#endif /* CXM_CHURN_H */
