/* What the churn scoring (churn.c) needs of a feature table beyond the
 * public rows. Not part of the public API. */
#ifndef CXM_SRC_FEATURE_TABLE_H
#define CXM_SRC_FEATURE_TABLE_H

#include "cxm/features.h"
#include "cxm/purchase.h"

/* The purchase model's P(alive) of row `index` at the cut-off, the value
 * CXM_FEATURE_PURCHASE_RISK is 1 minus; NaN when the model could not speak
 * for the customer (no purchase history, T = 0, or no model fitted). */
double cxmi_features_p_alive(const cxm_features *features, size_t index);

/* The purchase model the table was taken with (fitted on the summaries as
 * of the cut-off, in weeks), or NULL when none could be fitted. */
const cxm_model *cxmi_features_model(const cxm_features *features);

/* cxm_store_features(), keeping (with keep_rfm 1) the purchase summaries
 * the model was fitted on, so that a caller who needs the summaries as of
 * the same cut-off (cxm_store_churn()'s values) does not build them again. */
int32_t cxmi_store_features_keep(cxm_features **out, const cxm_store *store, const cxm_feature_options *options,
                                 int keep_rfm);

/* The summaries kept by cxmi_store_features_keep() (owned by the table),
 * with *handles set to each one's customer handle; NULL when not kept or
 * when no model was fitted. */
const cxm_rfm *cxmi_features_rfm(const uint32_t **handles, const cxm_features *features);

/* The customer handle of each row (cxm_features_count() of them). */
const uint32_t *cxmi_features_handles(const cxm_features *features);

/* The purchase model's P(no purchase in the lapse horizon) of row `index`
 * (the probability CXM_FEATURE_LAPSE_ODDS is the clipped log-odds of); NaN
 * when it has no P(alive). */
double cxmi_features_p_none(const cxm_features *features, size_t index);

/* P(no purchase in the label horizon | the customer stays through it) of
 * row `index` under the purchase model: how likely a customer who has not
 * left is labelled lapsed anyway. 0 without a purchase model. */
double cxmi_features_p_quiet(const cxm_features *features, size_t index);

/* 1 when row `index` had no label activity (cxm_feature_options.activity)
 * in the lapse horizon before the cut-off: lapsed already. */
int cxmi_features_lapsed(const cxm_features *features, size_t index);

#endif
