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

/* The operations of every group of `groups` (out[0 .. count)), then of
 * everything (out[count]): one query. `out` holds count + 1 results. */
int32_t cli_operations_groups(cxm_operations_result *out, const cxm_store *store, const cxm_groups *groups,
                              const cxm_operations_options *options);

#endif
