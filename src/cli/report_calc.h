/* What `cxm report` computes after the read, before it prints anything:
 * every slice's service operations, closing the loop and backlog, each
 * --by dimension's grouped experience and slice-versus-rest tests, and the
 * overall experience. The parts are independent read-only queries of the
 * finished store (docs/threads.md), so with `threads` >= 2 they run side
 * by side on POSIX threads; each part is computed by the same calls in
 * either case, so the results, and the report printed from them, are the
 * same bytes whatever the count. */
#ifndef CXM_CLI_REPORT_CALC_H
#define CXM_CLI_REPORT_CALC_H

#include <stddef.h>
#include <stdint.h>

#include "cxm.h"
#include "experience_out.h"
#include "operations_out.h"
#include "slice_out.h"

/* What the parts are computed from (all read only). */
typedef struct cli_report_calc_in {
  const cxm_store *store;
  const int32_t *by; /* the --by dimensions */
  size_t by_count;
  const cxm_experience_options *options;
  const cxm_operations_options *operations;
  const cxm_loop_options *loop;
  const cxm_slice_options *slice; /* slice-versus-rest tests */
  size_t threads;                 /* at most this many threads, the caller's included; 0 or 1: the caller's alone */
} cli_report_calc_in;

typedef struct cli_report_calc {
  cli_slices slices;                   /* [0] everything, then the groups of each dimension */
  cxm_operations_result *ops;          /* slices.count results */
  cxm_loop_result *loops;              /* slices.count results */
  cli_backlogs backlogs;               /* slices.count series */
  cxm_groups *groups[CXM_BY_COUNT];    /* cxm_store_group_experience() of by[d] */
  cli_slice_tests tests[CXM_BY_COUNT]; /* the groups of by[d] against the rest */
  cxm_survey_acc overall_survey;       /* cxm_store_survey() of everything */
  cli_experience overall;              /* cli_experience_compute() of everything */
} cli_report_calc;

/* Compute everything into `*c`. 0 on success; -1 after a diagnostic (then
 * `*c` holds nothing). Free with cli_report_calc_free(). */
int cli_report_calc_run(cli_report_calc *c, const cli_report_calc_in *in);

void cli_report_calc_free(cli_report_calc *c);

#endif
