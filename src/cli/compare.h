/* `cxm report --compare PERIOD` (docs/cli.md, "Comparing two periods"):
 * two windows of the store, their NPS and CSAT compared with the library's
 * z tests (cxm_nps_compare, cxm_csat_compare; docs/metrics.md, "Two
 * periods compared"). Also the consecutive-period tests of the HTML
 * report's trend charts. Nothing is computed here but the windows. */
#ifndef CXM_CLI_COMPARE_H
#define CXM_CLI_COMPARE_H

#include <stdint.h>
#include <stdio.h>

#include "cxm.h"
#include "json.h"

/* What --compare asked for. */
enum { CLI_COMPARE_MONTH = 1, CLI_COMPARE_WEEK = 2, CLI_COMPARE_WINDOWS = 3 };

/* Significance level of the marks in tables, charts and JSON. */
#define CLI_COMPARE_ALPHA 0.05

typedef struct cli_compare {
  int32_t kind;           /* CLI_COMPARE_* */
  int64_t from[2], to[2]; /* [0]: the earlier (reference) window, [1]: the later one; half-open */
  char label[2][48];      /* "2026-02", "2026-W07", or "2026-01-01..2026-02-01" */
} cli_compare;

/* Parse a --compare value: `month` (the month of the last event against the
 * month before), `week` (likewise, ISO weeks), or two explicit windows
 * `FROM..TO,FROM..TO` (the first is the reference) whose bounds are dates
 * `YYYY-MM-DD` or RFC 3339 UTC midnights (the store keeps days). 0 on
 * success; -1 after a usage diagnostic for `command`. */
int cli_compare_parse(cli_compare *c, const char *command, const char *text);

/* Fix the windows of `month`/`week` from the store's last event time
 * (`last`, INT64_MIN when the store is empty: then -1). 0 on success. */
int cli_compare_resolve(cli_compare *c, int64_t last);

/* The compared surveys of the two windows. */
typedef struct cli_compare_result {
  cxm_survey_acc acc[2];
  uint64_t n[2][2]; /* [window][0: NPS, 1: CSAT] answers */
  cxm_comparison nps, csat;
} cli_compare_result;

/* Query the two windows of `store` and compare them. A cxm status. */
int32_t cli_compare_run(cli_compare_result *r, const cxm_store *store, const cli_compare *c);

/* Write the "comparison" member's value. */
void cli_compare_json(cli_json *j, const cli_compare *c, const cli_compare_result *r);

/* Print the comparison table. 0, or -1 when out of memory. */
int cli_compare_print(FILE *out, const cli_compare *c, const cli_compare_result *r);

/* The ISO week key `YYYY-Www` and the Monday 00:00 UTC of the week of `t`. */
void cli_compare_week(char *key, size_t cap, int64_t *monday, int64_t t);

/* Midnight UTC of the first day of the month of `t`, and of the month
 * `delta` months later. */
int64_t cli_compare_month_start(int64_t t, int32_t delta);

#endif
