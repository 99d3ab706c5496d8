/* Shared by the experience queries: options with defaults filled in. */
#ifndef CXM_SRC_EXPERIENCE_H
#define CXM_SRC_EXPERIENCE_H

#include "cxm/experience.h"
#include "store/slice.h"

/* Validate `options` (NULL: defaults) and copy them to `out`. CXM_OK,
 * CXM_E_SIZE or CXM_E_OPTION. */
int32_t cxmi_experience_options_resolve(cxm_experience_options *out, const cxm_experience_options *options);

/* Grouped experience queries (cxm_store_group_experience): each fills
 * out[0 .. g->count) with what the per-slice query gives for each group's
 * filter, reading the store once. The per-slice queries are these with
 * cxmi_grouping_all(). `o` is resolved; `cal` is the calendar to use. */
int32_t cxmi_group_gap(cxm_gap_acc *out, const cxmi_grouping *g, const cxm_experience_options *o);
int32_t cxmi_group_servqual_acc(cxm_servqual_acc *out, const cxmi_grouping *g);
int32_t cxmi_group_loyalty_acc(cxm_loyalty_acc *out, const cxmi_grouping *g);
/* With `business`, durations in business seconds (cxm_store_service_business). */
int32_t cxmi_group_service(cxm_service_result *out, const cxmi_grouping *g, const cxm_experience_options *o,
                           int business);
int32_t cxmi_group_consistency(cxm_consistency_result *out, const cxmi_grouping *g, const cxm_experience_options *o);

#endif
