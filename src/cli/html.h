/* `cxm report --html OUT.html` (docs/cli.md, "The HTML report"): one
 * self-contained file — inline CSS and SVG, no script, no font, no network
 * — for people: NPS/CSAT/CES by month with interval bands and significant
 * changes marked, each metric by channel, stage and segment, service vs
 * experience per channel, service levels against the SLA, and the riskiest
 * customers with their drivers, and the tracking plot of repeat purchases
 * against the purchase model. Every chart has an SVG <title>/<desc> and a
 * table beside it with the same numbers; series differ by shape and label,
 * not only by colour. The numbers come from the library, as in --json. */
#ifndef CXM_CLI_HTML_H
#define CXM_CLI_HTML_H

#include <stdint.h>

#include "compare.h"
#include "cxm.h"
#include "hours.h"
#include "input.h"

/* Riskiest customers listed. */
#define CLI_HTML_TOP_CUSTOMERS 10

typedef struct cli_html_input {
  cxm_store *store;
  const cli_input *in;
  const cxm_store_stats *stats;
  const cxm_experience_options *options;
  const cli_business *business;
  uint64_t min_n;
  const cli_compare *compare;   /* or NULL */
  const cxm_loop_options *loop; /* closing the loop: the report's options (--nps-detractor-max ...) */
} cli_html_input;

/* Write the report to `path` atomically: into `path.tmp.PID` beside it,
 * flushed and synced, then renamed over `path`; on any error the temporary
 * file is removed, `path` is untouched, a diagnostic is printed and -1
 * returned. 0 on success. */
int cli_html_write(const char *path, const cli_html_input *h);

#endif
