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

/* Write the five keys and their values into the current JSON object.
 * Returns a cxm status (CXM_OK, or the library's error). */
int32_t cli_experience_json(cli_json *j, const cxm_store *store, const cxm_filter *filter,
                            const cxm_experience_options *options);

/* As cli_experience_json() for group `index` of a
 * cxm_store_group_experience() result (the metrics it computed for all
 * groups in one pass; the store names the weakest channel). */
int32_t cli_experience_json_group(cli_json *j, const cxm_store *store, const cxm_groups *groups, size_t index);

void cli_experience_table_header(cli_table *t, const char *first);

/* One table row for `key`. Returns a cxm status. */
int32_t cli_experience_table_row(cli_table *t, const char *key, const cxm_store *store, const cxm_filter *filter,
                                 const cxm_experience_options *options);

/* As cli_experience_table_row() for group `index` of a
 * cxm_store_group_experience() result. */
int32_t cli_experience_table_row_group(cli_table *t, const char *key, const cxm_groups *groups, size_t index);

#endif
