/* What the churn scoring (churn.c) needs of a feature table beyond the
 * public rows. Not part of the public API. */
#ifndef CXM_SRC_FEATURE_TABLE_H
#define CXM_SRC_FEATURE_TABLE_H

#include "cxm/features.h"

/* The purchase model's P(alive) of row `index` at the cut-off, the value
 * CXM_FEATURE_PURCHASE_RISK is 1 minus; NaN when the model could not speak
 * for the customer (no purchase history, T = 0, or no model fitted). */
double cxmi_features_p_alive(const cxm_features *features, size_t index);

#endif
