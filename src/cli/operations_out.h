/* The service-operations section of `cxm report` (docs/cli.md): first-contact
 * resolution, reopens, resolution times, repeat contacts, channel switches
 * and transfers, as JSON members and as table rows. */
#ifndef CXM_CLI_OPERATIONS_OUT_H
#define CXM_CLI_OPERATIONS_OUT_H

#include "cxm.h"
#include "json.h"
#include "table.h"

#define CLI_OPERATIONS_COLUMNS 13

/* `"operations": {...}` as a member of the current object. */
void cli_operations_json(cli_json *j, const cxm_operations_result *r);

/* The header row: `first` names the key column. */
void cli_operations_table_header(cli_table *t, const char *first);

/* One row. */
void cli_operations_table_row(cli_table *t, const char *key, const cxm_operations_result *r);

/* Every slice of a report in one query (one sort of the contacts): out[0]
 * is everything, then the groups of by[0] in cxm_store_group() order, then
 * those of by[1]... `*start` (by_count entries) receives where each
 * dimension's groups begin. `*out` is malloc'ed (free()). CXM_OK or a
 * status. */
int32_t cli_operations_all(cxm_operations_result **out, size_t *start, const cxm_store *store, const int32_t *by,
                           size_t by_count, const cxm_operations_options *options);

#endif
