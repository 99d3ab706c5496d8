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
 * number of threads at once. The library starts no thread; through
 * cxm_churn_options::run_tasks a caller may run the call's two independent
 * parts on threads of its own (docs/threads.md).
 */
#ifndef CXM_CHURN_H
#define CXM_CHURN_H

#include "calendar.h"
#include "common.h"
#include "features.h"
#include "purchase.h"
#include "risk.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** `scored_at` value meaning "the UTC midnight after the store's last event". */
#define CXM_CHURN_AFTER_LAST INT64_MIN

/** @brief One of the tasks a cxm_run_tasks_fn runs: task `index`. @since 0.2 */
typedef void (*cxm_task_fn)(void *arg, uint32_t index);

/**
 * @brief A caller's way of running independent tasks, perhaps side by side.
 *
 * Must call task(arg, i) exactly once for every i in 0 .. count - 1, in any
 * order, on any threads (the calling one included), and return only when
 * every call has returned. The tasks read the store and write disjoint
 * memory, so the result is the same bits however they are run. When they
 * run on several threads at once, the store's allocator hooks must be
 * thread-safe (docs/threads.md, rule 4). The library starts no thread
 * itself: this is how a program that has threads lends them to it.
 * @since 0.2
 */
typedef void (*cxm_run_tasks_fn)(void *user, cxm_task_fn task, void *arg, uint32_t count);

/** @brief How cxm_store_churn() scores; fill with cxm_churn_options_init(). @since 0.1 */
typedef struct cxm_churn_options {
  size_t size; /**< sizeof(cxm_churn_options); set by the init function */
  int64_t
      scored_at; /**< a UTC midnight (multiple of 86400) in 1970-01-01 .. 10000-01-01, or CXM_CHURN_AFTER_LAST (default) */
  int64_t horizon_seconds; /**< training horizon, a positive multiple of 86400; default 90 days */
  int32_t purchase_model;  /**< a cxm_model_kind for the purchase risk; default CXM_MODEL_MBGNBD */
  const cxm_calendar
      *calendar; /**< business hours for SLA breaches, borrowed for the call; NULL: Monday-Friday 09:00-17:00 UTC */
  int64_t sla_target_seconds; /**< first-reply target in business seconds; default 28800 */
  int32_t
      label; /**< a cxm_churn_label (cxm/features.h): what a lost customer is in training; default CXM_LABEL_BOTH @since 0.2 */
  int32_t activity; /**< a cxm_churn_activity: what ends a lapse; default CXM_ACTIVITY_PURCHASES @since 0.2 */
  int32_t rank;     /**< a cxm_churn_rank: the order of the rows; default CXM_CHURN_RANK_RISK @since 0.2 */
  int32_t
      train_lapsed; /**< 1 (the default, chosen by measurement: docs/churn.md): customers already lapsed at the training cut-off are labelled and trained on; 0: left out of training (they are still scored). Ignored with CXM_LABEL_CHURN (always trained on) @since 0.2 */
  cxm_run_tasks_fn
      run_tasks; /**< NULL (default): the call's independent parts (choosing the model; the features at the scoring time) run one after the other on the calling thread; else they are handed to this function as 2 tasks, e.g. to run them on two threads @since 0.2 */
  void *run_tasks_user; /**< passed to run_tasks as `user` @since 0.2 */
} cxm_churn_options;

/** @brief The order of a result's rows (as `int32_t`). @since 0.2 */
enum cxm_churn_rank {
  CXM_CHURN_RANK_RISK = 0, /**< highest risk first */
  CXM_CHURN_RANK_VALUE = 1 /**< highest value at risk first (whom to call first) */
};

/** @brief Which model scored a result (as `int32_t`; never renumbered). @since 0.2 */
enum cxm_churn_source {
  CXM_CHURN_SOURCE_DEFAULT = 0, /**< the documented default model (cxm_feature_default_model()) */
  CXM_CHURN_SOURCE_FITTED = 1,  /**< fitted on every feature from the store's labels */
  CXM_CHURN_SOURCE_PURCHASE =
      2 /**< the purchase model alone: intercept + a slope on CXM_FEATURE_LAPSE_ODDS, fitted from the labels */
};

/** A fitted or purchase model replaces the default only with at least this
 *  many lost and as many kept customers in each half of the split. @since 0.2 */
#define CXM_CHURN_MIN_CLASS 20

/** The smallest held-out AUC margin by which the fitted model must beat
 *  both others to be chosen (the margin is the larger of this and 1.645
 *  DeLong standard errors of the difference: docs/churn.md). @since 0.2 */
#define CXM_CHURN_MIN_MARGIN 0.01

/** @brief The scores of one cxm_store_churn() call (opaque). @since 0.1 */
typedef struct cxm_churn cxm_churn;

/** @brief How a result was scored. @since 0.1 */
typedef struct cxm_churn_info {
  size_t size;       /**< sizeof(cxm_churn_info); set by cxm_churn_info_init() */
  int64_t scored_at; /**< the scoring time used */
  int64_t cutoff;    /**< scored_at - horizon: the training cut-off */
  int32_t fitted;    /**< 1 when `source` is CXM_CHURN_SOURCE_FITTED */
  cxm_risk_model
      model; /**< the model that scored; when fitted, model.converged is 0 if the fit stopped at its best point (the default model has converged 0 too) */
  cxm_risk_evaluation
      evaluation; /**< held-out evaluation of the half-data fit of every feature; rows = 0 when there was no split */
  int32_t source; /**< a cxm_churn_source @since 0.2 */
  double heldout_auc
      [3]; /**< held-out AUC of the default, fitted and purchase models (index: cxm_churn_source); NaN without a split @since 0.2 */
  double heldout_log_loss[3]; /**< their held-out log-loss; NaN without a split @since 0.2 */
  double margin;              /**< the AUC margin the fitted model had to clear; NaN without a split @since 0.2 */
  uint64_t train_rows;        /**< customers with a label at the training cut-off (after `train_lapsed`) @since 0.2 */
  uint64_t train_lost;        /**< of them, lost in the horizon @since 0.2 */
  double baseline
      [CXM_FEATURE_COUNT]; /**< the baseline customer drivers are measured against: each feature's median over the scored customers @since 0.2 */
  double value_at_risk;  /**< the sum of the rows' value_at_risk: the revenue at risk in the horizon @since 0.2 */
  double expected_value; /**< the sum of the rows' expected_value @since 0.2 */
  int32_t
      spend_fitted; /**< 1 when a Gamma-Gamma spend model was fitted; 0: the documented fallback (docs/churn.md, "Value at risk") @since 0.2 */
} cxm_churn_info;

/** @brief One scored customer. @since 0.1 */
typedef struct cxm_churn_row {
  size_t size;     /**< sizeof(cxm_churn_row); set by cxm_churn_row_init() */
  uint32_t handle; /**< the customer's handle in the store */
  int32_t band;    /**< cxm_risk_band() of `risk` */
  double
      risk; /**< probability that the customer is gone by the end of the horizon after scored_at (has left or leaves within it; a lapse label is fitted as a proxy of that: docs/churn.md) */
  double logit; /**< log-odds of `risk`: intercept + the sum of `contributions` */
  double
      p_alive; /**< the purchase model's P(alive) at scored_at; NaN for a customer who never bought (or without a purchase model) */
  double
      p_no_purchase; /**< the purchase model's P(no purchase in the horizon after scored_at) (cxm_model_p_no_purchase()); NaN as p_alive @since 0.2 */
  double features[CXM_FEATURE_COUNT];      /**< the feature row (cxm/features.h order) */
  double contributions[CXM_FEATURE_COUNT]; /**< each feature's share of the log-odds (cxm_risk_explain()) */
  uint32_t
      driver_count; /**< drivers: features whose weight against the baseline exceeds CXM_CHURN_DRIVER_MIN (docs/churn.md, "Drivers") */
  int32_t drivers
      [CXM_FEATURE_COUNT]; /**< those features (cxm_feature), largest weight first; ties by feature order; -1 beyond driver_count */
  double driver_weights
      [CXM_FEATURE_COUNT]; /**< per feature, coef x (value - baseline value): its share of the log-odds above the baseline customer's @since 0.2 */
  double
      expected_value; /**< expected purchases in the horizon after scored_at (conditional expectation) x expected spend per purchase; 0 for a customer who never bought @since 0.2 */
  double value_at_risk; /**< risk x expected_value @since 0.2 */
} cxm_churn_row;

/** A feature drives a customer's risk when it raises the log-odds above
 *  the baseline customer's by more than this (and, for a count, the count
 *  is above 0). @since 0.2 */
#define CXM_CHURN_DRIVER_MIN 0.05

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
 *         CXM_E_OPTION for a bad horizon, model or SLA target; CXM_E_NOMEM;
 *         CXM_E_STATE when options->run_tasks returned without running
 *         every task, or for a store that omits customer days.
 * @note Reads the store: safe beside other readers, not beside a writer;
 *       with run_tasks, the tasks read it from the threads that run them.
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
 * @brief The purchase model the scoring features were taken with: the fit
 *        (cxm_model_fit(), default options) on the store's summaries as of
 *        scored_at in weeks (cxm_store_rfm() with `to` = scored_at), the same
 *        model a caller would get by fitting those summaries itself, without
 *        fitting it again. Its purchase_risk, lapse_odds, p_alive and
 *        expected_value come from it.
 * @param[out] model Set its `size` first (cxm_model_init()); receives a copy,
 *        `converged` and `degenerate` as the fit left them.
 * @param[in] churn The result.
 * @return CXM_OK; CXM_E_NOT_FOUND when no purchase model was fitted (no
 *         repeat purchase before scored_at, or a fit that failed), the
 *         features then carry no purchase signal; CXM_E_ARG, CXM_E_SIZE.
 * @note Thread-safe. @since 0.2
 */
CXM_API int32_t cxm_churn_purchase_model(cxm_model *model, const cxm_churn *churn);

/**
 * @brief One scored customer, by rank: 0 is the highest risk (or value at
 *        risk, with CXM_CHURN_RANK_VALUE); equal keys in handle order.
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
