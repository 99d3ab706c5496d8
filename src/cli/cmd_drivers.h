/* `cxm drivers`: key driver analysis of the SERVQUAL perception
 * dimensions on the latest NPS answer (docs/cli.md, docs/drivers.md).
 * The analysis itself (cli_drivers_run) is shared with the HTML report,
 * so both show the same numbers. */
#ifndef CXM_CLI_DRIVERS_H
#define CXM_CLI_DRIVERS_H

#include <stddef.h>
#include <stdint.h>

#include "cxm.h"

/* The defaults of `cxm drivers`. */
#define CLI_DRIVERS_BOOTSTRAP 200
#define CLI_DRIVERS_SEED 1

/* One analysis: the attributes kept (table columns answered by a
 * respondent with an outcome) and the fit over them. */
typedef struct cli_drivers_result {
  cxm_drivers *d;          /* the fit; NULL unless cli_drivers_run() returned 0 */
  cxm_drivers_summary sum; /* its summary */
  size_t p;                /* attributes analysed */
  size_t *keep;            /* their columns of cxm_store_driver_table() */
  char why[200];           /* when it returned 1: why there is no analysis, one sentence */
} cli_drivers_result;

/* Take the rows of `store` (outcome CXM_DRIVERS_NPS or _PROMOTER,
 * respondent CXM_DRIVERS_BY_CUSTOMER or _BY_REF), keep the attributes
 * answered by someone with an outcome and fit them (cxm_drivers_fit).
 * Returns 0 with a fit; 1 when the data allow none (too few attributes or
 * respondents, collinear or separated attributes: `why` says which);
 * -1 out of memory (diagnosed). Free with cli_drivers_result_free(). */
int cli_drivers_run(cli_drivers_result *r, const cxm_store *store, int32_t outcome, int32_t respondent,
                    int32_t bootstrap, uint64_t seed);
void cli_drivers_result_free(cli_drivers_result *r);

/* The name of table column `k`: a SERVQUAL dimension, or a rating
 * attribute's label (copied into buf, NUL-terminated). */
const char *cli_drivers_column_name(char *buf, size_t cap, const cxm_store *store, size_t k);

/* "fix first", "strength", "maintain", "low priority" for a cxm_driver's quadrant. */
const char *cli_drivers_quadrant_name(int32_t quadrant);

int cli_drivers_main(int argc, char **argv);

#endif
