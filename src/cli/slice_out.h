/* Slice-versus-rest statistics in `cxm report` (docs/cli.md, "Slices
 * against the rest"): the library's tests (cxm/slicestats.h) for every
 * slice of one dimension, written as each slice's `vs_rest` JSON member and
 * as the +/- marks after table scores. Nothing is computed here. */
#ifndef CXM_CLI_SLICE_OUT_H
#define CXM_CLI_SLICE_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "cxm.h"
#include "json.h"

/* The metrics tested: NPS, CSAT, CES (cxm_slice_metric order) and the gap. */
enum { CLI_VS_NPS = 0, CLI_VS_CSAT = 1, CLI_VS_CES = 2, CLI_VS_GAP = 3, CLI_VS_COUNT = 4 };

typedef struct cli_slice_tests {
  size_t count;                    /* slices */
  cxm_slice_test *t[CLI_VS_COUNT]; /* count tests per metric; t[CLI_VS_GAP] NULL without gap groups */
  int32_t adjust;                  /* the cxm_adjust used */
} cli_slice_tests;

/* Test every group of `groups` (one dimension) against the rest. The gap is
 * tested when the groups carry experience (cxm_store_group_experience).
 * 0 on success; -1 after a diagnostic. Free with cli_slice_tests_free(). */
int cli_slice_tests_run(cli_slice_tests *out, const cxm_groups *groups, const cxm_slice_options *opts);

void cli_slice_tests_free(cli_slice_tests *st);

/* Write `"vs_rest": {"nps": {...}, "csat": ..., "ces": ..., "gap": ...}`
 * for slice `index` into the open JSON object. */
void cli_slice_vs_rest_json(cli_json *j, const cli_slice_tests *st, size_t index);

/* "+" or "-" when slice `index` differs from the rest in `metric` after the
 * adjustment, else "". */
const char *cli_slice_mark(const cli_slice_tests *st, size_t index, int metric);

/* Parse --adjust: holm, bh or none. 0 on success. */
int cli_slice_parse_adjust(int32_t *adjust, const char *text);

/* The --adjust name of a cxm_adjust value. */
const char *cli_slice_adjust_name(int32_t adjust);

#endif
