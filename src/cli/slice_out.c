/* See slice_out.h. */
#include "slice_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static const char *const adjust_names[] = {"none", "holm", "bh"};

int cli_slice_parse_adjust(int32_t *adjust, const char *text) {
  for (int32_t i = 0; i < 3; i++) {
    if (strcmp(text, adjust_names[i]) == 0) {
      *adjust = i;
      return 0;
    }
  }
  return -1;
}

const char *cli_slice_adjust_name(int32_t adjust) { return adjust >= 0 && adjust < 3 ? adjust_names[adjust] : "?"; }

void cli_slice_tests_free(cli_slice_tests *st) {
  for (int m = 0; m < CLI_VS_COUNT; m++) {
    free(st->t[m]);
    st->t[m] = NULL;
  }
  st->count = 0;
}

static int fail(cli_slice_tests *st, int32_t rc) {
  cli_slice_tests_free(st);
  cli_diag(NULL, cxm_status_str(rc));
  return -1;
}

int cli_slice_tests_run(cli_slice_tests *out, const cxm_groups *groups, const cxm_slice_options *opts) {
  memset(out, 0, sizeof *out);
  out->adjust = opts->adjust;
  size_t k = cxm_groups_count(groups);
  out->count = k;
  if (k == 0) return 0;
  for (int m = 0; m < CLI_VS_GAP; m++) {
    out->t[m] = calloc(k, sizeof *out->t[m]);
    if (out->t[m] == NULL) return fail(out, CXM_E_NOMEM);
    out->t[m][0].size = sizeof out->t[m][0];
    int32_t rc = cxm_slice_tests_groups(out->t[m], k, groups, m, opts);
    if (rc != CXM_OK) return fail(out, rc);
  }
  /* The perception gap: each slice's pairs, mean and sd (se * sqrt(pairs)). */
  uint64_t *n = calloc(k, sizeof *n);
  double *mean = calloc(k, sizeof *mean);
  double *sd = calloc(k, sizeof *sd);
  int32_t rc = n && mean && sd ? CXM_OK : CXM_E_NOMEM;
  int have_gap = 1;
  for (size_t i = 0; i < k && rc == CXM_OK && have_gap; i++) {
    cxm_gap_acc acc;
    cxm_gap_result g;
    if (cxm_groups_gap(&acc, groups, i) != CXM_OK || cxm_gap_compute(&g, &acc) != CXM_OK) {
      have_gap = 0; /* groups without experience */
      break;
    }
    n[i] = g.pairs;
    mean[i] = g.pairs > 0 ? g.mean : 0.0;
    sd[i] = g.pairs >= 2 ? g.se * sqrt((double)g.pairs) : 0.0;
  }
  if (rc == CXM_OK && have_gap) {
    out->t[CLI_VS_GAP] = calloc(k, sizeof *out->t[CLI_VS_GAP]);
    if (out->t[CLI_VS_GAP] == NULL) {
      rc = CXM_E_NOMEM;
    } else {
      out->t[CLI_VS_GAP][0].size = sizeof out->t[CLI_VS_GAP][0];
      rc = cxm_slice_tests_means(out->t[CLI_VS_GAP], k, n, mean, sd, k, opts);
    }
  }
  free(n);
  free(mean);
  free(sd);
  if (rc != CXM_OK) return fail(out, rc);
  return 0;
}

/* One metric's test; `z` 1 for the z tests (NPS, CSAT), 0 for Welch's t. */
static void test_json(cli_json *j, const cxm_slice_test *t, int z) {
  if (t->n == 0) {
    cli_json_null(j);
    return;
  }
  cli_json_object_begin(j);
  cli_json_member_uint(j, "n_rest", t->n_rest);
  cli_json_member_number(j, "rest", t->score_rest);
  cli_json_member_number(j, "diff", t->diff);
  cli_json_member_number(j, "se", t->se);
  if (z) {
    cli_json_member_number(j, "z", t->stat);
    cli_json_keyz(j, "df");
    cli_json_null(j);
  } else {
    cli_json_member_number(j, "t", t->stat);
    cli_json_member_number(j, "df", t->df);
  }
  cli_json_member_number(j, "p", t->p);
  cli_json_member_number(j, "p_adjusted", t->p_adjusted);
  cli_json_keyz(j, "significant");
  cli_json_bool(j, t->significant != 0);
  cli_json_member_number(j, "moe", t->moe);
  cli_json_keyz(j, "low_base");
  cli_json_bool(j, t->low_base != 0);
  cli_json_object_end(j);
}

void cli_slice_vs_rest_json(cli_json *j, const cli_slice_tests *st, size_t index) {
  static const char *const names[CLI_VS_COUNT] = {"nps", "csat", "ces", "gap"};
  cli_json_keyz(j, "vs_rest");
  cli_json_object_begin(j);
  cli_json_keyz(j, "adjust");
  cli_json_stringz(j, cli_slice_adjust_name(st->adjust));
  for (int m = 0; m < CLI_VS_COUNT; m++) {
    if (st->t[m] == NULL) continue;
    cli_json_keyz(j, names[m]);
    test_json(j, &st->t[m][index], m == CLI_VS_NPS || m == CLI_VS_CSAT);
  }
  cli_json_object_end(j);
}

const char *cli_slice_mark(const cli_slice_tests *st, size_t index, int metric) {
  if (st == NULL || metric < 0 || metric >= CLI_VS_COUNT || st->t[metric] == NULL || index >= st->count) return "";
  int32_t s = st->t[metric][index].significant;
  return s > 0 ? "+" : s < 0 ? "-" : "";
}
