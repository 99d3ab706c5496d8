/**
 * @file cxm/features.h
 * @brief Per-customer churn features taken from a store as of a cut-off,
 *        and churn labels from the horizon after it (docs/churn.md).
 *
 * Every feature of a customer is computed from events strictly before the
 * cut-off, so a model trained on features as of a past cut-off and labels
 * from the horizon after it never sees the future (no leakage). Customers
 * who churned before the cut-off are not included: they are not at risk.
 *
 * Thread-safety: reads the store (see cxm/store.h); a feature table is
 * independent of the store once built and may be read from any thread.
 */
#ifndef CXM_FEATURES_H
#define CXM_FEATURES_H

#include "calendar.h"
#include "common.h"
#include "risk.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The features, in the order of a feature row. @since 0.1 */
enum cxm_feature {
  CXM_FEATURE_PURCHASE_RISK = 0, /**< 1 - P(alive) of the purchase model at the cut-off (0 without purchases) */
  CXM_FEATURE_NO_PURCHASE = 1,   /**< 1 when the customer never bought before the cut-off */
  CXM_FEATURE_RECENCY = 2,       /**< weeks from the last purchase to the cut-off (0 without purchases) */
  CXM_FEATURE_DETRACTOR = 3,     /**< 1 when the latest NPS answer is 0..6 */
  CXM_FEATURE_PROMOTER = 4,      /**< 1 when the latest NPS answer is 9..10 */
  CXM_FEATURE_NPS_DROP = 5,      /**< (previous - latest NPS answer) / 10; 0 with fewer than two answers */
  CXM_FEATURE_HIGH_EFFORT = 6,   /**< CES answers 1..3 in the 90 days before the cut-off */
  CXM_FEATURE_OPEN_CONTACTS = 7, /**< contacts opened and not resolved before the cut-off */
  CXM_FEATURE_OPEN_AGE = 8,      /**< age in weeks of the oldest of them, at most 52 (0 when none) */
  CXM_FEATURE_BREACHES =
      9, /**< contacts whose first reply missed the SLA target (business time), or are still unanswered past it */
  CXM_FEATURE_COMPLAINTS = 10, /**< complaints minus compliments */
  CXM_FEATURE_GAP = 11,        /**< mean perception gap of the customer's rated interactions / 100 (0 when none) */
  CXM_FEATURE_SILENCE =
      12, /**< weeks from the last touchpoint (purchase, survey answer, complaint, compliment, contact) to the cut-off */
  CXM_FEATURE_LAPSE_ODDS =
      13, /**< log-odds of the purchase model's P(no purchase in the horizon | history) (cxm_model_p_no_purchase()), clipped to +-13.8; 0 without a purchase model @since 0.2 */
  CXM_FEATURE_RECENT_COMPLAINTS =
      14, /**< complaints in the 90 days before the cut-off (not net of compliments): a fresh grievance weighs more than an old one @since 0.2 */
  CXM_FEATURE_REPEAT_CONTACTS =
      15, /**< contacts opened in the 90 days before the cut-off and followed within 7 days by another contact of the customer opened before it @since 0.2 */
  CXM_FEATURE_CHANNEL_SWITCHES =
      16, /**< of those contacts, the ones followed within 7 days by a contact of the customer on another channel @since 0.2 */
  CXM_FEATURE_REOPENS =
      17, /**< contact_reopen events of the customer's contacts in the 90 days before the cut-off @since 0.2 */
  CXM_FEATURE_TRANSFERS =
      18, /**< contact_transfer events of the customer's contacts in the 90 days before the cut-off @since 0.2 */
  CXM_FEATURE_UNFOLLOWED_DETRACTORS =
      19, /**< detractor answers (NPS 0-6, CSAT 1-2, CES 1-3) in the 90 days before the cut-off without a followup of their ref before it; 0 for everyone when the store has no followup before the cut-off @since 0.2 */
  CXM_FEATURE_COUNT = 20 /**< number of features */
};

/** @brief What counts as losing a customer in a label window (as `int32_t`;
 *         never renumbered; docs/churn.md "Labels"). @since 0.2 */
enum cxm_churn_label {
  CXM_LABEL_CHURN = 1, /**< a `churn` event in the window */
  CXM_LABEL_LAPSE = 2, /**< no customer-initiated activity (see cxm_churn_activity) in the whole window */
  CXM_LABEL_BOTH = 3   /**< either (the default) */
};

/** @brief Which activity keeps a customer from lapsing (as `int32_t`). @since 0.2 */
enum cxm_churn_activity {
  CXM_ACTIVITY_PURCHASES = 1, /**< purchases only (the default) */
  CXM_ACTIVITY_ANY = 2 /**< a purchase, an NPS, CSAT or CES answer, a complaint, a compliment or a contact opened */
};

/** @brief How features are taken; fill with cxm_feature_options_init(). @since 0.1 */
typedef struct cxm_feature_options {
  size_t size; /**< sizeof(cxm_feature_options) */
  int64_t
      cutoff; /**< features from events before this UTC midnight (exclusive; a multiple of 86400, 1970-01-01 .. 10000-01-01) */
  int64_t horizon_seconds;      /**< labels: churn in [cutoff, cutoff + horizon); default 90 days; 0 for no labels */
  int32_t purchase_model;       /**< a cxm_model_kind for the purchase risk (cxm/purchase.h); default MBG/NBD */
  const cxm_calendar *calendar; /**< business hours for SLA breaches; NULL: Monday-Friday 09:00-17:00 UTC */
  int64_t sla_target_seconds;   /**< first-reply target in business seconds; default 28800 */
  int32_t label;                /**< a cxm_churn_label: what label 1 means; default CXM_LABEL_BOTH @since 0.2 */
  int32_t activity; /**< a cxm_churn_activity: what ends a lapse; default CXM_ACTIVITY_PURCHASES @since 0.2 */
  int64_t
      lapse_horizon_seconds; /**< horizon of CXM_FEATURE_LAPSE_ODDS, a positive multiple of 86400; default 90 days @since 0.2 */
} cxm_feature_options;

/** @brief A table of feature rows, one per customer at risk (opaque). @since 0.1 */
typedef struct cxm_features cxm_features;

/** @brief Set `size` and the defaults (cut-off: none yet, must be set). Ignores NULL. @since 0.1 */
CXM_API void cxm_feature_options_init(cxm_feature_options *options);

/** @brief The short name of a feature ("detractor", "open_contacts", ...), or NULL. @since 0.1 */
CXM_API const char *cxm_feature_name(int32_t feature);

/**
 * @brief Take every customer's features as of `options->cutoff`, and label
 *        each with whether it churned in the horizon after it.
 *
 * Customers are those with a touchpoint (purchase, NPS, CSAT or CES answer,
 * complaint, compliment, or contact) before the cut-off and no churn event
 * before it, in handle order.
 * @param[out] out Receives the table; free with cxm_features_free().
 * @param[in] store The store (read only).
 * @param[in] options The cut-off and the rest; required.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_WINDOW (cut-off not a UTC
 *         midnight, or outside 1970-01-01 .. 10000-01-01); CXM_E_OPTION; CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_store_features(cxm_features **out, const cxm_store *store, const cxm_feature_options *options);

/** @brief Rows in a table (0 for NULL). @since 0.1 */
CXM_API size_t cxm_features_count(const cxm_features *features);

/**
 * @brief One row of a table, into a caller's array of `capacity` doubles.
 *
 * Writes the library's CXM_FEATURE_COUNT values (more than a program's
 * header says, when a later library adds features): a capacity below that
 * count is CXM_E_BUFFER and writes nothing.
 * @param[out] values `capacity` doubles; receives CXM_FEATURE_COUNT finite values.
 * @param[in] capacity Doubles in `values`.
 * @param[out] handle The customer's handle in the store (may be NULL).
 * @param[out] label 1 when the customer was lost in the horizon under the
 *             options' label rule (a churn event in it, a lapse through it,
 *             or either), else 0; -1 when the horizon is 0 (no labels) (may be NULL).
 * @param[in] features The table.
 * @param[in] index 0 .. cxm_features_count() - 1.
 * @return CXM_OK; CXM_E_ARG; CXM_E_BUFFER when capacity < CXM_FEATURE_COUNT;
 *         CXM_E_NOT_FOUND. @since 0.2
 */
CXM_API int32_t cxm_features_row_get(double *values, size_t capacity, uint32_t *handle, int32_t *label,
                                     const cxm_features *features, size_t index);

/**
 * @brief One row of a table: the 13 features of version 0.1 only.
 *
 * Frozen: writes exactly the first 13 values (CXM_FEATURE_PURCHASE_RISK ..
 * CXM_FEATURE_SILENCE) whatever features a later library adds, so a program
 * built against 0.1 is never overrun. New code calls cxm_features_row_get().
 * @param[out] values 13 doubles, all finite.
 * @param[out] handle The customer's handle in the store (may be NULL).
 * @param[out] label As for cxm_features_row_get() (may be NULL).
 * @param[in] features The table.
 * @param[in] index 0 .. cxm_features_count() - 1.
 * @return CXM_OK, CXM_E_ARG or CXM_E_NOT_FOUND. @since 0.1
 */
CXM_API int32_t cxm_features_row(double *values, uint32_t *handle, int32_t *label, const cxm_features *features,
                                 size_t index);

/**
 * @brief The default risk model over these features, for data without
 *        churn labels: documented coefficients and their rationale in
 *        docs/churn.md (purchase risk, detractors, high effort, unresolved
 *        contacts and breaches raise risk; promoters and compliments lower it).
 * @param[out] model Receives the model (CXM_FEATURE_COUNT features).
 * @return CXM_OK or CXM_E_ARG. @since 0.1
 */
CXM_API int32_t cxm_feature_default_model(cxm_risk_model *model);

/** Fewest churned (and fewest retained) customers a fit needs; below, the default model is used. */
#define CXM_CHURN_MIN_LABELS 10

/**
 * @brief The risk model for a store: fitted from its churn events when
 *        there are enough, else the default model.
 *
 * Features are taken as of `options->cutoff` with labels from the horizon
 * after it. With at least CXM_CHURN_MIN_LABELS churned and as many retained
 * customers, an L2-regularised logistic regression (l2 = 1) is fitted on the
 * customers of even handle and evaluated on those of odd handle (a fixed,
 * reproducible split); otherwise, or when that split leaves the even half
 * with one class only, cxm_feature_default_model() is returned and
 * `evaluation->rows` is 0.
 * @param[out] model Receives the model.
 * @param[out] evaluation Held-out evaluation; set its `size` first (may be NULL).
 * @param[out] fitted 1 when fitted from labels, 0 for the default model (may be NULL).
 * @param[in] store The store (read only).
 * @param[in] options The training cut-off and horizon (> 0).
 * @return CXM_OK; the errors of cxm_store_features() and cxm_risk_fit()
 *         (CXM_E_CONVERGE still returns the best model reached); CXM_E_OPTION
 *         for a zero horizon. @since 0.1
 */
CXM_API int32_t cxm_store_risk_model(cxm_risk_model *model, cxm_risk_evaluation *evaluation, int32_t *fitted,
                                     const cxm_store *store, const cxm_feature_options *options);

/** @brief Free a table. Accepts NULL. @since 0.1 */
CXM_API void cxm_features_free(cxm_features *features);

#ifdef __cplusplus
}
#endif

#endif /* CXM_FEATURES_H */
