/* The service-operations section of `cxm report` (docs/cli.md): first-contact
 * resolution, reopens, resolution times, repeat contacts, channel switches
 * and transfers, as JSON members and as table rows; and the closing-the-loop
 * and response-rate section, which is computed over the same slices. */
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

#define CLI_LOOP_COLUMNS 12

/* `"loop": {...}, "responses": {...}` as members of the current object. */
void cli_loop_json(cli_json *j, const cxm_loop_result *r);

/* The closing-the-loop table's header row and one row. */
void cli_loop_table_header(cli_table *t, const char *first);
void cli_loop_table_row(cli_table *t, const char *key, const cxm_loop_result *r);

#define CLI_BACKLOG_COLUMNS 10

/* The backlogs of `n` slices in one query (cxm_store_backlog_each):
 * slice k's series is the count[k] days from days + first[k]. */
typedef struct cli_backlogs {
  cxm_backlog_day *days; /* malloc'ed; NULL when there is no day */
  size_t *first;         /* n entries, malloc'ed */
  size_t *count;         /* n entries, malloc'ed */
} cli_backlogs;

/* Fill `*b` for `filters`; CXM_OK or a status (then `*b` holds nothing). */
int32_t cli_backlogs_query(cli_backlogs *b, const cxm_store *store, const cxm_filter *filters, size_t n,
                           const cxm_operations_options *options);

void cli_backlogs_free(cli_backlogs *b);

/* Slice k's first day (NULL when it has none). */
static inline const cxm_backlog_day *cli_backlogs_at(const cli_backlogs *b, size_t k) {
  return b->count[k] > 0 ? b->days + b->first[k] : NULL;
}

/* `"backlog": {...}` as a member of the current object: a summary of the
 * series, and with `series` every day. `offset` is the calendar's UTC
 * offset (the days' local dates). */
void cli_backlog_json(cli_json *j, const cxm_backlog_day *days, size_t count, int32_t offset, int series);

/* The backlog table's header row and one row (the summary). */
void cli_backlog_table_header(cli_table *t, const char *first);
void cli_backlog_table_row(cli_table *t, const char *key, const cxm_backlog_day *days, size_t count, int32_t offset);

/* Every slice of a report: [0] is everything, then the groups of by[0] in
 * cxm_store_group() order, then those of by[1]... */
typedef struct cli_slices {
  size_t count;               /* slices */
  size_t start[CXM_BY_COUNT]; /* where the groups of by[d] begin */
  cxm_filter *filters;        /* `count` filters, malloc'ed */
} cli_slices;

/* Fill `*s`; CXM_OK or a status (then `*s` holds nothing). */
int32_t cli_slices_of(cli_slices *s, const cxm_store *store, const int32_t *by, size_t by_count);

void cli_slices_free(cli_slices *s);

/* Service operations and closing the loop of every slice of `s`, one query
 * each (one sort of the contacts, one of the survey log). `*out` and
 * `*loops` are malloc'ed (free()). CXM_OK or a status. */
int32_t cli_operations_all(cxm_operations_result **out, cxm_loop_result **loops, const cli_slices *s,
                           const cxm_store *store, const cxm_operations_options *options,
                           const cxm_loop_options *loop_options);

#endif
