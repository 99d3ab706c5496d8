/* Printing the service-vs-experience metrics of one slice: the SLICE keys
 * gap, servqual, service, loyalty and consistency of cxm-report/1, and a
 * row of the human "service vs experience" table. The numbers come from
 * the library (cxm/experience.h); nothing is computed here. */
#ifndef CXM_CLI_EXPERIENCE_OUT_H
#define CXM_CLI_EXPERIENCE_OUT_H

#include "cxm.h"
#include "json.h"
#include "table.h"

/* Columns of the human table, the slice name included. */
#define CLI_EXPERIENCE_COLUMNS 11

/* All five metrics of one slice, computed once. */
typedef struct cli_experience {
  cxm_gap_result gap;
  cxm_servqual_result servqual;
  cxm_service_result service;
  cxm_service_result service_business; /* durations in business seconds */
  cxm_loyalty_result loyalty;
  cxm_consistency_result consistency;
} cli_experience;

/* Compute `*x` for `filter` (NULL: everything). Returns a cxm status (then
 * `*x` is not to be read). */
int32_t cli_experience_compute(cli_experience *x, const cxm_store *store, const cxm_filter *filter,
                               const cxm_experience_options *options);

/* Write the five keys of a computed `*x` and their values into the
 * current JSON object, or nulls when its status `rc` is not CXM_OK;
 * returns `rc`. */
int32_t cli_experience_json_of(cli_json *j, const cxm_store *store, const cli_experience *x, int32_t rc);

/* As cli_experience_json_of() for group `index` of a
 * cxm_store_group_experience() result (the metrics it computed for all
 * groups in one pass; the store names the weakest channel). */
int32_t cli_experience_json_group(cli_json *j, const cxm_store *store, const cxm_groups *groups, size_t index);

/* The header row; the SLA column names the target: "SLA % (8h)". */
void cli_experience_table_header(cli_table *t, const char *first, int64_t sla_target_seconds);

/* One table row for `key` of a computed `*x`; a pair count below `min_n`
 * is flagged with `*`, the gap interval is cut to -100..100. */
void cli_experience_table_row_of(cli_table *t, const char *key, const cli_experience *x, uint64_t min_n);

/* As cli_experience_table_row_of() for group `index` of a
 * cxm_store_group_experience() result. */
int32_t cli_experience_table_row_group(cli_table *t, const char *key, const cxm_groups *groups, size_t index,
                                       uint64_t min_n);

/* Columns of the service-levels table, the slice name included. */
#define CLI_SERVICE_COLUMNS 12

/* The service-levels table: first response and resolution, median and p90,
 * wall-clock and in business time ("bt"), and the share within the SLA. */
void cli_service_table_header(cli_table *t, const char *first, int64_t sla_target_seconds);

/* One service-levels row for `key` of a computed `*x`. */
void cli_service_table_row_of(cli_table *t, const char *key, const cli_experience *x);

/* As cli_service_table_row_of() for group `index` of a
 * cxm_store_group_experience() result. */
int32_t cli_service_table_row_group(cli_table *t, const char *key, const cxm_groups *groups, size_t index);

/* A count cell, with `*` after it when 0 < n < min_n. */
void cli_cell_count(cli_table *t, uint64_t n, uint64_t min_n);

#endif
