/* Which parts of a store a filter selects: shared by every query module
 * (survey sums, groups, gap, service levels, SERVQUAL, loyalty). */
#ifndef CXM_SRC_SLICE_H
#define CXM_SRC_SLICE_H

#include "cxm/query.h"
#include "store/store_internal.h"

/* Validate `filter` (NULL: everything) and copy it to `out`. */
int32_t cxmi_filter_resolve(cxm_filter *out, const cxm_store *s, const cxm_filter *filter);

/* Whether a cell lies in a resolved filter (bounds are bucket-aligned, so a
 * cell is wholly inside or outside). */
int cxmi_cell_selected(const cxm_store *s, const cxm_filter *f, const cxmi_cell *c);

/* Whether an item at `time` with these attributes lies in a resolved filter. */
int cxmi_item_selected(const cxm_filter *f, int64_t time, int32_t channel, int32_t stage, int32_t segment);

/* How a grouped query (cxm_store_group_experience) finds the group of a
 * cell or an item in one look-up, so that it reads the store once for all
 * groups instead of once per group. Group k stands for the filter
 * `groups[k]`: the caller's filter narrowed to one channel, stage or
 * segment code, or to one month or week window (disjoint windows). A cell
 * or item belongs to group k exactly when groups[k] selects it. With
 * `by` = CXMI_BY_ALL there is one group, the caller's filter itself: a
 * per-slice query is the grouped one with that grouping. */
#define CXMI_BY_ALL (-1)

typedef struct cxmi_grouping {
  const cxm_store *store;
  cxm_filter filter;      /* the caller's, resolved */
  int32_t by;             /* CXM_BY_*, or CXMI_BY_ALL */
  size_t count;           /* groups */
  int32_t *code_group;    /* by channel, stage, segment: the group of each code, or -1 */
  size_t codes;           /* entries of code_group */
  int64_t *starts, *ends; /* by month, week: group windows sorted by start */
  uint32_t *order;        /* ... and the group index of each */
  cxmi_alloc alloc;       /* the store's hooks, own byte count */
} cxmi_grouping;

/* The grouping of one group: the resolved filter `f` as a whole. */
void cxmi_grouping_all(cxmi_grouping *g, const cxm_store *s, const cxm_filter *f);

/* The grouping of `count` groups of dimension `by`, group k selected by
 * groups[k] (the caller's resolved filter `f`, narrowed). CXM_OK or
 * CXM_E_NOMEM; free with cxmi_grouping_free(). */
int32_t cxmi_grouping_init(cxmi_grouping *g, const cxm_store *s, const cxm_filter *f, int32_t by,
                           const cxm_filter *groups, size_t count);
void cxmi_grouping_free(cxmi_grouping *g);

/* The group of a cell, or -1 when no group selects it. */
int64_t cxmi_grouping_cell(const cxmi_grouping *g, const cxmi_cell *c);

/* The group of an item at `time` with these attributes, or -1. */
int64_t cxmi_grouping_item(const cxmi_grouping *g, int64_t time, int32_t channel, int32_t stage, int32_t segment);

#endif
