/**
 * @file cxm/risk.h
 * @brief Churn risk as a logistic model: rows of features with a 0/1 label,
 *        an L2-regularised fit by Newton's method, scores, per-factor
 *        explanations of the log-odds, held-out evaluation (log-loss, AUC,
 *        Brier score, a calibration table) and risk bands.
 *
 * The model is P(y = 1 | x) = 1 / (1 + exp(-(b0 + sum_j b_j x_j))) over K
 * features (1..CXM_RISK_MAX_FEATURES). The fit, its penalty, the internal
 * standardisation, the evaluation measures and the band cut-offs are
 * described in docs/risk.md.
 *
 * This layer knows nothing of stores or events: the caller builds the
 * feature rows (issue 5's churn features) and chooses default coefficients
 * for data without labels (cxm_risk_model_set()).
 *
 * Thread-safety: a `cxm_risk_data` must not be changed while another thread
 * uses it; one nobody changes may be fitted and evaluated from any number of
 * threads at once. `cxm_risk_model` values and cxm_risk_score(),
 * cxm_risk_explain(), cxm_risk_band() are pure: concurrent calls are safe.
 */
#ifndef CXM_RISK_H
#define CXM_RISK_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest number of features of a risk model. */
#define CXM_RISK_MAX_FEATURES 64

/** Largest magnitude of a feature value: |x| <= 1e100 keeps every sum of
 *  squares of the fit finite. */
#define CXM_RISK_MAX_VALUE 1e100

/** Number of equal-count bins of a calibration table. */
#define CXM_RISK_CALIBRATION_BINS 10

/** Scores below this are CXM_RISK_LOW. */
#define CXM_RISK_MEDIUM_FROM 0.3

/** Scores from this on are CXM_RISK_HIGH. */
#define CXM_RISK_HIGH_FROM 0.6

/**
 * @brief Risk bands (as `int32_t`; values never renumbered).
 * @since 0.1
 */
enum cxm_risk_band {
  CXM_RISK_NONE = 0,   /**< Not a probability (NaN or outside [0, 1]). */
  CXM_RISK_LOW = 1,    /**< p < CXM_RISK_MEDIUM_FROM (0.3). */
  CXM_RISK_MEDIUM = 2, /**< CXM_RISK_MEDIUM_FROM <= p < CXM_RISK_HIGH_FROM (0.3 <= p < 0.6). */
  CXM_RISK_HIGH = 3    /**< p >= CXM_RISK_HIGH_FROM (0.6). */
};

/** @brief Labelled rows of features (opaque). @since 0.1 */
typedef struct cxm_risk_data cxm_risk_data;

/**
 * @brief Fit options. Initialise with cxm_risk_options_init().
 * @since 0.1
 */
typedef struct cxm_risk_options {
  size_t size;            /**< sizeof(cxm_risk_options), set by cxm_risk_options_init() */
  double l2;              /**< L2 penalty lambda >= 0 on the standardised coefficients (docs/risk.md); default 1 */
  int32_t max_iterations; /**< Newton iterations, 1..10000; default 100 */
  double tolerance;       /**< stop when the Newton decrement g'H^-1 g <= tolerance (1 + |f|); default 1e-10 */
  const double *
      prior; /**< K coefficients the penalty shrinks towards (borrowed for the call), or NULL for 0 (the default): the penalty becomes (l2 / 2) sum_j ((b_j - prior_j) s_j)^2 (docs/risk.md) @since 0.2 */
} cxm_risk_options;

/**
 * @brief A logistic risk model. Initialise with cxm_risk_model_init();
 *        filled by cxm_risk_fit(), or by hand with cxm_risk_model_set().
 * @since 0.1
 */
typedef struct cxm_risk_model {
  size_t size;         /**< sizeof(cxm_risk_model), set by cxm_risk_model_init() */
  int32_t features;    /**< K, 1..CXM_RISK_MAX_FEATURES; 0 before a fit */
  int32_t converged;   /**< 1 when the Newton decrement test passed */
  int32_t iterations;  /**< Newton iterations taken */
  int32_t separated;   /**< 1 when the fitted log-odds of every positive row exceed those of every negative row */
  double intercept;    /**< b0, on the original scale of the features */
  double intercept_se; /**< standard error of b0 (NaN when not estimated) */
  double coef[CXM_RISK_MAX_FEATURES]; /**< b_1..b_K on the original scale; 0 beyond K */
  double se
      [CXM_RISK_MAX_FEATURES]; /**< their standard errors from the inverse penalised Hessian; NaN when not estimated */
  double l2;                   /**< the penalty used (NaN for a model set by hand) */
  double log_loss;             /**< weighted mean log-loss on the training rows (NaN for a model set by hand) */
  uint64_t rows;               /**< training rows */
  uint64_t positives;          /**< training rows with label 1 */
} cxm_risk_model;

/**
 * @brief Evaluation of a model on (held-out) rows: see cxm_risk_evaluate().
 *        Weighted rows count with their weight in every mean; bins are
 *        formed by row counts.
 * @since 0.1
 */
typedef struct cxm_risk_evaluation {
  size_t size;        /**< sizeof(cxm_risk_evaluation), set by the caller */
  uint64_t rows;      /**< rows evaluated */
  uint64_t positives; /**< rows with label 1 */
  double log_loss;    /**< weighted mean of -y ln p - (1 - y) ln(1 - p) */
  double brier;       /**< weighted mean of (p - y)^2 */
  double auc;         /**< weighted Mann-Whitney AUC, ties count 1/2; NaN with one class */
  uint64_t bin_rows
      [CXM_RISK_CALIBRATION_BINS]; /**< rows per bin (bin k holds sorted rows floor(k n / 10) .. floor((k + 1) n / 10) - 1) */
  double bin_predicted[CXM_RISK_CALIBRATION_BINS]; /**< weighted mean predicted probability per bin (NaN when empty) */
  double bin_observed[CXM_RISK_CALIBRATION_BINS];  /**< weighted observed rate of label 1 per bin (NaN when empty) */
} cxm_risk_evaluation;

/**
 * @brief Create an empty set of rows with `features` features each.
 * @param[out] out The new set; the caller frees it with cxm_risk_data_free().
 * @param[in] features K, 1..CXM_RISK_MAX_FEATURES.
 * @param[in] allocator Memory hooks, copied; NULL for malloc/realloc/free.
 * @return CXM_OK; CXM_E_ARG when out is NULL or the hooks are incomplete;
 *         CXM_E_VALUE for a bad K; CXM_E_NOMEM.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_risk_data_new(cxm_risk_data **out, int32_t features, const cxm_allocator *allocator);

/**
 * @brief Free a set of rows. Accepts NULL.
 * @param[in] data The set.
 * @since 0.1
 */
CXM_API void cxm_risk_data_free(cxm_risk_data *data);

/**
 * @brief Add one row (copied).
 * @param[in,out] data The set.
 * @param[in] x K feature values, each finite with |x| <= CXM_RISK_MAX_VALUE.
 * @param[in] label 0 or 1 (1: the customer churned).
 * @param[in] weight The row's weight, finite and > 0; pass 1 for an
 *            unweighted row.
 * @return CXM_OK; CXM_E_ARG for NULL; CXM_E_VALUE for a bad value, label or
 *         weight; CXM_E_LIMIT when the rows would not fit in memory's
 *         address range; CXM_E_NOMEM. Nothing changes on failure.
 * @since 0.1
 */
CXM_API int32_t cxm_risk_data_add(cxm_risk_data *data, const double *x, int32_t label, double weight);

/**
 * @brief Number of rows in a set.
 * @param[in] data The set; NULL gives 0.
 * @return The count.
 * @since 0.1
 */
CXM_API size_t cxm_risk_data_count(const cxm_risk_data *data);

/**
 * @brief Number of features per row of a set.
 * @param[in] data The set; NULL gives 0.
 * @return K.
 * @since 0.1
 */
CXM_API int32_t cxm_risk_data_features(const cxm_risk_data *data);

/**
 * @brief Set fit options to their defaults (l2 = 1, 100 iterations,
 *        tolerance 1e-10).
 * @param[out] options The options; NULL is ignored.
 * @note Thread-safe. @since 0.1
 */
CXM_API void cxm_risk_options_init(cxm_risk_options *options);

/**
 * @brief Zero a model, set its `size`, and mark its standard errors,
 *        penalty and log-loss NaN.
 * @param[out] model The model; NULL is ignored.
 * @note Thread-safe. @since 0.1
 */
CXM_API void cxm_risk_model_init(cxm_risk_model *model);

/**
 * @brief Set a model's coefficients by hand (e.g. documented defaults for
 *        data without labels). Standard errors, penalty and log-loss become
 *        NaN; counts, iterations and flags 0.
 * @param[in,out] model Initialised with cxm_risk_model_init().
 * @param[in] features K, 1..CXM_RISK_MAX_FEATURES.
 * @param[in] intercept b0, finite.
 * @param[in] coef K finite coefficients.
 * @return CXM_OK; CXM_E_ARG for NULL; CXM_E_SIZE; CXM_E_VALUE for a bad K
 *         or a non-finite coefficient (the model is then unchanged).
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_risk_model_set(cxm_risk_model *model, int32_t features, double intercept, const double *coef);

/**
 * @brief Fit an L2-regularised logistic regression by Newton's method
 *        (IRLS) with step halving, on standardised features; the results
 *        are reported on the original scale (docs/risk.md).
 *
 * Minimises sum_i w_i [ln(1 + e^{eta_i}) - y_i eta_i] + (l2 / 2) sum_j
 * (b_j s_j)^2, where s_j is the weighted standard deviation of feature j:
 * the intercept is not penalised and the penalty does not depend on the
 * features' units. A constant feature (s_j <= 1e-10 max |x_j|) gets b_j = 0
 * and se NaN.
 *
 * With only one class among the rows, nothing can be learnt from the
 * features: the model is intercept-only at the smoothed rate (positives +
 * 1/2) / (rows + 1) (weights summed), every b_j = 0, every se NaN, and the
 * status is CXM_E_NO_DATA; `rows` and `positives` tell this case from no
 * rows at all.
 *
 * @param[in,out] model Initialised with cxm_risk_model_init(); on return
 *            holds the estimates, also for CXM_E_CONVERGE (the best point
 *            reached) and CXM_E_NO_DATA (see above).
 * @param[in] data The training rows.
 * @param[in] options NULL for defaults.
 * @return CXM_OK (also for separated classes when l2 > 0: the penalty keeps
 *         the estimates finite, and `separated` is 1); CXM_E_ARG for NULL;
 *         CXM_E_SIZE; CXM_E_OPTION for a bad option; CXM_E_NO_DATA for no
 *         rows or one class only; CXM_E_CONVERGE when Newton's method did not
 *         converge (always so for separated classes with l2 = 0, where the
 *         maximum-likelihood estimate does not exist); CXM_E_NOMEM.
 * @note Safe to call from several threads on the same (unchanged) data.
 * @since 0.1
 */
CXM_API int32_t cxm_risk_fit(cxm_risk_model *model, const cxm_risk_data *data, const cxm_risk_options *options);

/**
 * @brief The probability of label 1 for one row of features.
 * @param[out] p The probability in [0, 1] (computed without overflow at any
 *             finite log-odds).
 * @param[in] model A fitted or hand-set model.
 * @param[in] x K finite feature values.
 * @return CXM_OK; CXM_E_ARG for NULL; CXM_E_SIZE; CXM_E_MODEL for a model
 *         without features or with a non-finite coefficient; CXM_E_VALUE
 *         for a non-finite x or when the log-odds overflow.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_risk_score(double *p, const cxm_risk_model *model, const double *x);

/**
 * @brief Each factor's contribution to a row's log-odds: contrib[j] =
 *        coef[j] x[j]; the log-odds are computed as
 *        ((intercept + contrib[0]) + contrib[1]) + ... + contrib[K-1], the
 *        very sum cxm_risk_score() uses, so the parts add up to it exactly
 *        in that order.
 * @param[out] contrib K contributions (caller's array of at least K).
 * @param[out] logit The log-odds; may be NULL.
 * @param[in] model A fitted or hand-set model.
 * @param[in] x K finite feature values.
 * @return As cxm_risk_score(); on failure the outputs are not written.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_risk_explain(double *contrib, double *logit, const cxm_risk_model *model, const double *x);

/**
 * @brief Evaluate a model on rows (normally held out from the fit):
 *        weighted log-loss (from the log-odds, finite at any finite
 *        log-odds), Brier score, the Mann-Whitney AUC (the weighted share of
 *        (positive, negative) pairs ranked correctly, ties counted 1/2;
 *        O(n log n)), and a calibration table of 10 equal-count bins of
 *        rows sorted by predicted probability.
 * @param[out] out Filled; set its `size` to sizeof(cxm_risk_evaluation)
 *             first.
 * @param[in] model The model; its K must equal the rows'.
 * @param[in] data The rows; the sort buffer comes from their allocator.
 * @return CXM_OK (AUC NaN when the rows hold one class only); CXM_E_ARG;
 *         CXM_E_SIZE; CXM_E_MODEL for an unusable model or a K that differs
 *         from the data's; CXM_E_VALUE when a row's log-odds overflow;
 *         CXM_E_NO_DATA for no rows; CXM_E_NOMEM.
 * @note Safe to call from several threads on the same (unchanged) data.
 * @since 0.1
 */
CXM_API int32_t cxm_risk_evaluate(cxm_risk_evaluation *out, const cxm_risk_model *model, const cxm_risk_data *data);

/**
 * @brief The band of a probability: CXM_RISK_LOW below 0.3, CXM_RISK_MEDIUM
 *        below 0.6, else CXM_RISK_HIGH (docs/risk.md).
 * @param[in] p A probability in [0, 1].
 * @return A cxm_risk_band; CXM_RISK_NONE for NaN or p outside [0, 1].
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_risk_band(double p);

#ifdef __cplusplus
}
#endif

#endif /* CXM_RISK_H */
