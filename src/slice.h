/* Which parts of a store a filter selects: shared by every query module
 * (survey sums, groups, gap, service levels, SERVQUAL, loyalty). */
#ifndef CXM_SRC_SLICE_H
#define CXM_SRC_SLICE_H

#include "cxm/query.h"
#include "store_internal.h"

/* Validate `filter` (NULL: everything) and copy it to `out`. */
int32_t cxmi_filter_resolve(cxm_filter *out, const cxm_store *s, const cxm_filter *filter);

/* Whether a cell lies in a resolved filter (bounds are bucket-aligned, so a
 * cell is wholly inside or outside). */
int cxmi_cell_selected(const cxm_store *s, const cxm_filter *f, const cxmi_cell *c);

/* Whether an item at `time` with these attributes lies in a resolved filter. */
int cxmi_item_selected(const cxm_filter *f, int64_t time, int32_t channel, int32_t stage, int32_t segment);

#endif
