/* `cxm report` (see report.h and docs/cli.md).
 *
 * Data flows one way: each file's bytes go through the library's streaming
 * reader into one store; the store's accumulators are queried overall and
 * per --by dimension; the results are printed. This file only wires the
 * library together and prints: it computes no metric itself. */
#include "cmd_report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "compare.h"
#include "cxm.h"
#include "diag.h"
#include "experience_out.h"
#include "holidays.h"
#include "hours.h"
#include "html.h"
#include "cmd_ingest.h"
#include "input.h"
#include "json.h"
#include "slice_out.h"
#include "operations_out.h"
#include "output.h"
#include "report_calc.h"
#include "table.h"

static const char help_text[] =
    "Usage: cxm report [OPTIONS] FILE...\n"
    "\n"
    "Read touchpoint events (docs/events.md) from every FILE into one store and\n"
    "print NPS, CSAT and CES, the perception gap, SERVQUAL gaps, service levels,\n"
    "loyalty signals and channel consistency, overall and per slice. A FILE\n"
    "whose name ends in .jsonl or .ndjson is JSON Lines, any other is CSV;\n"
    "- reads standard input.\n"
    "\n"
    "Options:\n"
    "  --json             print the cxm-report/1 JSON document instead of tables\n"
    "  --by DIMENSION     slice by channel, stage, segment, month or week (UTC);\n"
    "                     repeatable, or comma-separated; default: channel, stage\n"
    "                     and segment\n"
    "  --from TIME        keep events at or after TIME (RFC 3339, YYYY-MM-DD for\n"
    "                     its UTC midnight, or Unix seconds)\n"
    "  --to TIME          keep events before TIME (the window is half-open)\n"
    "  --strict           stop at the first bad row, or at a file that cannot be\n"
    "                     read, and exit with status 1 without a report\n"
    "  --hours SPEC       business hours per weekday that service levels and the\n"
    "                     SLA are measured in, e.g. mon-fri=09:00-17:00,sat=10:00-14:00\n"
    "                     (DAYS=closed closes; unnamed days are closed; default\n"
    "                     mon-fri=09:00-17:00)\n"
    "  --sla-target DUR   first-reply target in business time: 8h (default), 30m,\n"
    "                     1h30m, 90s\n"
    "  --utc-offset +HH:MM  UTC offset of the business hours (default +00:00)\n"
    "  --holidays FILE    business holidays, one YYYY-MM-DD a line\n"
    "  --min-n N          flag counts below N with * as small samples (default 30)\n"
    "  --adjust METHOD    p-values of each slice against the rest of its dimension\n"
    "                     adjusted across the dimension: holm (default), bh, none\n"
    "  --max-moe M        also a low base: a 95% margin of error above M points\n"
    "  --fcr-window DAYS  repeat-contact window of first-contact resolution, repeat\n"
    "                     contacts and channel switches (default 7)\n"
    "  --nps-detractor-max N   NPS answers 0..N are detractors (0..10, default 6)\n"
    "  --csat-detractor-max N  CSAT answers 1..N are detractors (1..5, default 2)\n"
    "  --ces-detractor-max N   CES answers 1..N are detractors (1..7, default 3)\n"
    "  --followup-target DUR   the follow-up promise in business time, as\n"
    "                     --sla-target (default 8h)\n"
    "  --invitation-window DAYS  answers complete invitations of their customer\n"
    "                     sent up to DAYS before (1..3660, default 30)\n"
    "  --backlog-series   with --json, every slice's backlog lists every day\n"
    "  --compare PERIOD   compare NPS and CSAT between two periods with z tests:\n"
    "                     month (the month of the last event against the one\n"
    "                     before), week (likewise, ISO weeks), or two windows\n"
    "                     FROM..TO,FROM..TO (dates YYYY-MM-DD, TO exclusive; the\n"
    "                     first is the reference)\n"
    "  --html OUT.html    also write a self-contained HTML report with charts\n"
    "                     (no network, no script) to OUT.html, atomically\n"
    "  --snapshot FILE    report from the store saved in FILE by cxm ingest, plus\n"
    "                     any FILE given (not saved); FILE... is then optional\n"
    "  --threads N        read each file as N + 1 parts on N threads, merge them,\n"
    "                     then compute the report's parts on N threads (an\n"
    "                     extension of the spec; default: the processors\n"
    "                     online, at most 8; see docs/cli.md)\n"
    "  -h, --help         show this help and exit\n"
    "  --version          show the version and exit\n";

/* After the reading options (cli_dialect_help); a string of its own, as C
 * compilers need only support literals of 4095 characters. */
static const char help_columns[] =
    "\n"
    "Table columns (also printed as a legend under the tables):\n"
    "  n                  answers of that kind; * marks n < --min-n (small sample)\n"
    "  +/- after a score  the slice differs from the rest of its dimension (z test\n"
    "                     for NPS and CSAT, Welch t for CES; 5% after --adjust)\n"
    "  NPS, NPS adj 95% CI  Net Promoter Score (-100..100) and its adjusted Wald\n"
    "                     interval (docs/metrics.md; the plain Wald one is in --json)\n"
    "  CSAT %, CSAT 95% CI  share of answers 4-5 of 1-5, Wilson interval\n"
    "  CES, CES 95% CI    mean effort answer 1-7 (7: easiest), t interval, not clipped\n"
    "  pairs              interactions rated both internally and by the customer\n"
    "  gap, gap 95% CI    mean service - experience score in points of 0..100\n"
    "                     (> 0: the company rates itself higher); interval cut to\n"
    "                     the possible -100..100 (--json keeps the t interval)\n"
    "  blind %            pairs the company rates top box (> 80) and the customer not\n"
    "  SERVQUAL           mean perception - expectation gap (negative: fell short)\n"
    "  contacts, open     contacts opened in the slice; still unresolved\n"
    "  1st resp           median first-response time, wall clock\n"
    "  SLA % (TARGET)     first replies within --sla-target business time, of those\n"
    "                     met or breached (unanswered contacts older than the target)\n"
    "  compl/+            complaints / compliments\n"
    "  resp/resol med/p90 first response / resolution, median and 90th percentile,\n"
    "                     wall clock; bt: the same in business time\n"
    "\n"
    "Each bad row is skipped and reported on standard error as\n"
    "  FILE:LINE: column COLUMN: reason\n"
    "(unknown CSV columns likewise, as warnings). A file that cannot be opened,\n"
    "or whose header is unusable, is reported and skipped.\n"
    "\n"
    "Exit status: 0 success (even when rows were rejected); 1 when a file could\n"
    "not be read, no row was accepted, --max-rejected was passed, --strict met a\n"
    "bad row, or output failed; 2 for a usage error.\n";

/* ---- JSON output ------------------------------------------------------ */

/* Everything the slices are computed with. */
typedef struct report_out {
  const int32_t *by;
  size_t by_count;
  cxm_store *store;
  const cli_input *in;
  const cxm_store_stats *stats;
  const cxm_experience_options *options;
  const cli_args *args;
  const cli_compare *compare; /* NULL without --compare */
  const cxm_operations_options *operations;
  const cxm_loop_options *loop;
  const cli_report_calc *calc; /* everything computed after the read */
} report_out;

/* The slice-vs-rest options of --adjust, --min-n and --max-moe. */
static void report_slice_options(cxm_slice_options *so, const cli_args *args) {
  cxm_slice_options_init(so);
  so->adjust = args->adjust;
  so->min_n = args->min_n;
  so->max_moe = args->max_moe;
}

/* One slice: overall (`groups` NULL) or group `index` of a
 * cxm_store_group_experience() result; `k` indexes the calc's slices. */
static int32_t json_slice(cli_json *j, const report_out *r, const cxm_groups *groups, size_t index,
                          const cxm_survey_acc *acc, const cli_slice_tests *st, size_t k) {
  const cli_report_calc *c = r->calc;
  cxm_nps_result nps;
  cxm_csat_result csat;
  cxm_ces_result ces;
  cxm_nps_compute(&nps, &acc->nps);
  cxm_csat_compute(&csat, &acc->csat);
  cxm_ces_compute(&ces, &acc->ces);

  cli_json_object_begin(j);
  cli_json_keyz(j, "nps");
  if (nps.n == 0) {
    cli_json_null(j);
  } else {
    cli_json_object_begin(j);
    cli_json_member_uint(j, "n", nps.n);
    cli_json_member_uint(j, "promoters", nps.promoters);
    cli_json_member_uint(j, "passives", nps.passives);
    cli_json_member_uint(j, "detractors", nps.detractors);
    cli_json_member_number(j, "score", nps.score);
    cli_json_member_number(j, "se", nps.se);
    cli_json_keyz(j, "ci95");
    cli_json_interval(j, nps.ci95_low, nps.ci95_high);
    cli_json_keyz(j, "ci95_adjusted");
    cli_json_interval(j, nps.adjusted_low, nps.adjusted_high);
    double score_low = NAN, score_high = NAN;
    cxm_nps_score_interval(&score_low, &score_high, &acc->nps, 1.959964);
    cli_json_keyz(j, "ci95_score");
    cli_json_interval(j, score_low, score_high);
    cli_json_object_end(j);
  }
  cli_json_keyz(j, "csat");
  if (csat.n == 0) {
    cli_json_null(j);
  } else {
    cli_json_object_begin(j);
    cli_json_member_uint(j, "n", csat.n);
    cli_json_member_uint(j, "satisfied", csat.satisfied);
    cli_json_member_number(j, "score", csat.score);
    cli_json_member_number(j, "mean", csat.mean);
    cli_json_keyz(j, "ci95");
    cli_json_interval(j, csat.ci95_low, csat.ci95_high);
    cli_json_object_end(j);
  }
  cli_json_keyz(j, "ces");
  if (ces.n == 0) {
    cli_json_null(j);
  } else {
    cli_json_object_begin(j);
    cli_json_member_uint(j, "n", ces.n);
    cli_json_member_number(j, "mean", ces.mean);
    cli_json_keyz(j, "ci95");
    cli_json_interval(j, ces.ci95_low, ces.ci95_high); /* null when n < 2 */
    cli_json_member_number(j, "easy_pct", ces.easy_pct);
    cli_json_member_number(j, "high_effort_pct", ces.high_effort_pct);
    cli_json_member_number(j, "net", ces.net);
    cli_json_object_end(j);
  }
  {
    int32_t rc = groups == NULL ? cli_experience_json_of(j, r->store, &c->overall, CXM_OK)
                                : cli_experience_json_group(j, r->store, groups, index);
    cli_operations_json(j, &c->ops[k]);
    cli_loop_json(j, &c->loops[k]);
    if (rc == CXM_OK)
      cli_backlog_json(j, cli_backlogs_at(&c->backlogs, k), c->backlogs.count[k], r->args->utc_offset,
                       r->args->backlog_series);
    if (st != NULL) cli_slice_vs_rest_json(j, st, index);
    cli_json_object_end(j);
    return rc;
  }
}

static void json_time(cli_json *j, int64_t t, int have) {
  char text[CXM_TIME_TEXT_SIZE];
  if (!have || cxm_time_format(text, sizeof text, t) != CXM_OK) {
    cli_json_null(j);
    return;
  }
  cli_json_stringz(j, text);
}

/* ---- Human output ----------------------------------------------------- */

static void table_header(cli_table *t, const char *first) {
  static const char *const names[] = {"NPS n", "NPS", "NPS adj 95% CI", "CSAT n", "CSAT %", "CSAT 95% CI",
                                      "CES n", "CES", "CES 95% CI"};
  size_t i;
  cli_table_cell(t, first);
  for (i = 0; i < sizeof names / sizeof names[0]; i++) {
    cli_table_cell(t, names[i]);
  }
}

/* Columns of table_header() after the first. */
#define TABLE_COLUMNS 10

static void table_interval(cli_table *t, double low, double high, int decimals) {
  if (isnan(low) || isnan(high)) {
    cli_table_cell(t, "-");
  } else {
    cli_table_cellf(t, "[%.*f, %.*f]", decimals, low, decimals, high);
  }
}

/* One metric's three cells: its count, its value with the slice-vs-rest
 * mark, its interval; "-" twice without answers. */
static void score_cells(cli_table *t, uint64_t n, uint64_t min_n, double value, const char *mark, double low,
                        double high, int decimals) {
  cli_cell_count(t, n, min_n);
  if (n == 0) {
    cli_table_cell(t, "-");
    cli_table_cell(t, "-");
  } else {
    cli_table_cellf(t, "%.*f%s", decimals, value, mark);
    table_interval(t, low, high, decimals);
  }
}

static void table_row(cli_table *t, const char *key, const cxm_survey_acc *acc, uint64_t min_n,
                      const cli_slice_tests *st, size_t index) {
  cxm_nps_result nps;
  cxm_csat_result csat;
  cxm_ces_result ces;
  cxm_nps_compute(&nps, &acc->nps);
  cxm_csat_compute(&csat, &acc->csat);
  cxm_ces_compute(&ces, &acc->ces);
  cli_table_cell(t, key);
  score_cells(t, nps.n, min_n, nps.score, cli_slice_mark(st, index, CLI_VS_NPS), nps.adjusted_low, nps.adjusted_high,
              1);
  score_cells(t, csat.n, min_n, csat.score, cli_slice_mark(st, index, CLI_VS_CSAT), csat.ci95_low, csat.ci95_high, 1);
  score_cells(t, ces.n, min_n, ces.mean, cli_slice_mark(st, index, CLI_VS_CES), ces.ci95_low, ces.ci95_high, 2);
}

/* ---- The command ------------------------------------------------------ */

static int print_json(const report_out *r) {
  const cli_report_calc *c = r->calc;
  cli_json j;
  size_t d;
  int have_events = r->stats->first <= r->stats->last;
  int32_t rc;
  cli_json_init(&j, stdout, 1);
  cli_json_object_begin(&j);
  cli_json_keyz(&j, "format");
  cli_json_stringz(&j, "cxm-report/1");
  cli_json_keyz(&j, "input");
  cli_json_object_begin(&j);
  cli_json_member_uint(&j, "rows", r->in->rows);
  cli_json_member_uint(&j, "events", r->in->events);
  cli_json_member_uint(&j, "rejected", r->in->rejected);
  cli_json_member_uint(&j, "duplicates", r->in->duplicates);
  cli_json_member_uint(&j, "customers", r->stats->customers);
  cli_json_keyz(&j, "first");
  json_time(&j, r->stats->first, have_events);
  cli_json_keyz(&j, "last");
  json_time(&j, r->stats->last, have_events);
  cli_json_object_end(&j);
  cli_json_keyz(&j, "settings");
  cli_business_json(&j, &r->args->business);
  cli_json_keyz(&j, "loop_settings");
  cli_json_object_begin(&j);
  cli_json_member_uint(&j, "nps_detractor_max", (uint64_t)r->loop->nps_detractor_max);
  cli_json_member_uint(&j, "csat_detractor_max", (uint64_t)r->loop->csat_detractor_max);
  cli_json_member_uint(&j, "ces_detractor_max", (uint64_t)r->loop->ces_detractor_max);
  cli_json_member_uint(&j, "followup_target_s", (uint64_t)r->loop->target_business_seconds);
  cli_json_member_uint(&j, "invitation_window_s", (uint64_t)r->loop->invitation_window_seconds);
  cli_json_member_uint(&j, "fcr_window_s", (uint64_t)r->operations->window_seconds);
  cli_json_object_end(&j);
  if (r->compare != NULL) {
    cli_compare_result cmp;
    rc = cli_compare_run(&cmp, r->store, r->compare);
    if (rc != CXM_OK) {
      cli_diag(NULL, cxm_status_str(rc));
      return -1;
    }
    cli_json_keyz(&j, "comparison");
    cli_compare_json(&j, r->compare, &cmp);
  }
  cli_json_keyz(&j, "overall");
  rc = json_slice(&j, r, NULL, 0, &c->overall_survey, NULL, 0);
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
  cli_json_keyz(&j, "slices");
  cli_json_object_begin(&j);
  for (d = 0; d < r->by_count; d++) {
    const cxm_groups *groups = c->groups[d];
    size_t i, count = cxm_groups_count(groups);
    cli_json_keyz(&j, cli_args_by_name(r->by[d]));
    cli_json_object_begin(&j);
    for (i = 0; i < count; i++) {
      const char *key;
      size_t len;
      cxm_survey_acc acc;
      if (cxm_groups_key(&key, &len, groups, i) != CXM_OK || cxm_groups_survey(&acc, groups, i) != CXM_OK) {
        cli_diag(NULL, "cannot read a group of the query");
        return -1;
      }
      cli_json_key(&j, key, len);
      rc = json_slice(&j, r, groups, i, &acc, &c->tests[d], c->slices.start[d] + i);
      if (rc != CXM_OK) {
        cli_diag(NULL, cxm_status_str(rc));
        return -1;
      }
    }
    cli_json_object_end(&j);
  }
  cli_json_object_end(&j);
  cli_json_object_end(&j);
  return 0;
}

static int print_experience_tables(const report_out *r);
static int print_service_tables(const report_out *r);
static int print_operations_tables(const report_out *r);

/* What every column label means, and the settings the numbers used. */
static void print_legend(const report_out *r) {
  char business[512];
  cli_business_describe(business, sizeof business, &r->args->business);
  printf(
      "\nlegend:\n"
      "  n                answers of that kind; * = fewer than %llu (--min-n): a small sample\n"
      "  +/- after score  differs from the rest of its dimension (NPS, CSAT: z; CES: Welch t),\n"
      "                   p < 0.05 after the %s adjustment; slice and rest n >= --min-n\n"
      "  NPS adj 95%% CI   adjusted Wald interval (docs/metrics.md); --json also has the Wald one\n"
      "  CSAT %%, 95%% CI   share of answers 4-5 of 1-5; Wilson interval\n"
      "  CES, 95%% CI      mean effort answer 1-7 (7 easiest); t interval, not clipped to 1..7\n"
      "  pairs            interactions rated both internally and by the customer\n"
      "  gap, 95%% CI      service - experience score, points of 0..100 (> 0: the company rates\n"
      "                   itself higher); interval cut to -100..100 (--json: the t interval)\n"
      "  blind %%          pairs the company rates top box and the customer does not\n"
      "  SERVQUAL         mean perception - expectation gap (negative: fell short)\n"
      "  contacts, open   contacts opened in the slice; not resolved by the end of the data\n"
      "  1st resp         median first-response time, wall clock\n"
      "  SLA %% (TARGET)   first replies within TARGET of business time (--sla-target), of\n"
      "                   those met or breached (unanswered contacts older than TARGET)\n"
      "  compl/+          complaints/compliments\n"
      "  resp, resol      first response, resolution: median (med) and 90th percentile (p90),\n"
      "                   wall clock; bt = the same in business time\n"
      "  FCR %%            resolved contacts resolved first time: <= 1 reply, no reopen, no new\n"
      "                   contact by the customer within the repeat window (--fcr-window)\n"
      "  repeat, switch   contacts followed within the window by another contact of the\n"
      "                   customer; on another channel\n"
      "  1st/full res     open to first/last resolution (after reopens), median; mean bt\n"
      "  detractors       answers NPS 0-%d, CSAT 1-%d, CES 1-%d (--nps/csat/ces-detractor-max);\n"
      "                   followed: with a followup of the answer's ref; never %%: without;\n"
      "                   in target %%: followed within the target (--followup-target)\n"
      "  fup med/p90 bt   business time from the answer to its first followup\n"
      "  recov fol/not %%  next answer of the kind no longer a detractor, followed up before it\n"
      "                   or not; diff: followed - not, Newcombe hybrid score 95%% interval\n"
      "  invites, resp %%  survey_sent events; share answered (AAPOR RR1, docs/experience.md)\n"
      "  backlog          contacts open (not resolved, or reopened) at the end of each local day;\n"
      "                   at end: the last day; age: since the open, median and p90, wall clock\n"
      "                   and bt; peak: the day with the most; --json --backlog-series: every day\n",
      (unsigned long long)r->args->min_n, cli_slice_adjust_name(r->args->adjust), r->loop->nps_detractor_max,
      r->loop->csat_detractor_max, r->loop->ces_detractor_max);
  printf("settings: %s\n", business);
}

static int print_tables(const report_out *r) {
  const cli_report_calc *c = r->calc;
  cli_table *t;
  size_t d;
  int32_t rc;
  printf("input: %llu rows, %llu events, %llu rejected, %llu duplicates", (unsigned long long)r->in->rows,
         (unsigned long long)r->in->events, (unsigned long long)r->in->rejected, (unsigned long long)r->in->duplicates);
  if (r->in->out_of_window > 0) {
    printf(", %llu outside the window", (unsigned long long)r->in->out_of_window);
  }
  printf(", %llu customers", (unsigned long long)r->stats->customers);
  if (r->stats->first <= r->stats->last) {
    char first[CXM_TIME_TEXT_SIZE], last[CXM_TIME_TEXT_SIZE];
    if (cxm_time_format(first, sizeof first, r->stats->first) == CXM_OK &&
        cxm_time_format(last, sizeof last, r->stats->last) == CXM_OK) {
      printf(", %s .. %s", first, last);
    }
  }
  printf("\n\n");

  t = cli_table_new(TABLE_COLUMNS);
  if (t == NULL) {
    cli_diag(NULL, "out of memory");
    return -1;
  }
  table_header(t, "slice");
  table_row(t, "all", &c->overall_survey, r->args->min_n, NULL, 0);
  rc = cli_table_print(t, stdout, "overall") == 0 ? CXM_OK : CXM_E_NOMEM;
  cli_table_free(t);
  if (rc != CXM_OK) {
    cli_diag(NULL, "out of memory");
    return -1;
  }

  for (d = 0; d < r->by_count; d++) {
    const cxm_groups *groups = c->groups[d];
    size_t i, count = cxm_groups_count(groups);
    char title[32];
    const char *name = cli_args_by_name(r->by[d]);
    t = cli_table_new(TABLE_COLUMNS);
    if (t == NULL) {
      cli_diag(NULL, "out of memory");
      return -1;
    }
    table_header(t, name);
    for (i = 0; i < count; i++) {
      const char *key;
      size_t len;
      cxm_survey_acc acc;
      if (cxm_groups_key(&key, &len, groups, i) != CXM_OK || cxm_groups_survey(&acc, groups, i) != CXM_OK) {
        cli_table_free(t);
        cli_diag(NULL, "cannot read a group of the query");
        return -1;
      }
      table_row(t, key, &acc, r->args->min_n, &c->tests[d], i);
    }
    snprintf(title, sizeof title, "\nby %s", name);
    rc = cli_table_print(t, stdout, title) == 0 ? CXM_OK : CXM_E_NOMEM;
    cli_table_free(t);
    if (rc != CXM_OK) {
      cli_diag(NULL, "out of memory");
      return -1;
    }
  }
  if (print_experience_tables(r) != 0) return -1;
  if (r->compare != NULL) {
    cli_compare_result cmp;
    rc = cli_compare_run(&cmp, r->store, r->compare);
    if (rc != CXM_OK) {
      cli_diag(NULL, cxm_status_str(rc));
      return -1;
    }
    if (cli_compare_print(stdout, r->compare, &cmp) != 0) {
      cli_diag(NULL, "out of memory");
      return -1;
    }
  }
  print_legend(r);
  return 0;
}

/* The service-levels tables: overall, then per --by dimension. */
static int print_service_tables(const report_out *r) {
  const cli_report_calc *c = r->calc;
  size_t d;
  for (d = 0; d <= r->by_count; d++) {
    cli_table *t = cli_table_new(CLI_SERVICE_COLUMNS);
    char title[64];
    size_t i, count;
    int32_t rc = CXM_OK;
    if (t == NULL) {
      cli_diag(NULL, "out of memory");
      return -1;
    }
    if (d == 0) {
      cli_service_table_header(t, "slice", r->options->sla_target_seconds);
      cli_service_table_row_of(t, "all", &c->overall);
      snprintf(title, sizeof title, "\nservice levels: overall");
    } else {
      const cxm_groups *groups = c->groups[d - 1];
      const char *name = cli_args_by_name(r->by[d - 1]);
      cli_service_table_header(t, name, r->options->sla_target_seconds);
      count = cxm_groups_count(groups);
      for (i = 0; i < count && rc == CXM_OK; i++) {
        const char *key;
        size_t len;
        rc = cxm_groups_key(&key, &len, groups, i);
        if (rc == CXM_OK) rc = cli_service_table_row_group(t, key, groups, i);
      }
      snprintf(title, sizeof title, "\nservice levels by %s", name);
    }
    if (rc == CXM_OK && cli_table_print(t, stdout, title) != 0) rc = CXM_E_NOMEM;
    cli_table_free(t);
    if (rc != CXM_OK) {
      cli_diag(NULL, cxm_status_str(rc));
      return -1;
    }
  }
  return 0;
}

/* The service-operations, closing-the-loop and backlog tables: overall,
 * then per --by dimension. */
static int print_operations_tables(const report_out *r) {
  const cli_report_calc *c = r->calc;
  size_t d, part;
  int32_t rc = CXM_OK;
  for (part = 0; part < 3; part++) {
    for (d = 0; d <= r->by_count && rc == CXM_OK; d++) {
      const cxm_groups *groups = d == 0 ? NULL : c->groups[d - 1];
      cli_table *t = cli_table_new(part == 0   ? CLI_OPERATIONS_COLUMNS
                                   : part == 1 ? CLI_LOOP_COLUMNS
                                               : CLI_BACKLOG_COLUMNS);
      char title[112];
      size_t i, count = d == 0 ? 1 : cxm_groups_count(groups);
      const char *name = d == 0 ? "slice" : cli_args_by_name(r->by[d - 1]);
      if (t == NULL) {
        rc = CXM_E_NOMEM;
        break;
      }
      if (part == 0) {
        cli_operations_table_header(t, name);
        if (d == 0)
          snprintf(title, sizeof title, "\nservice operations: overall (repeat window %lld d)",
                   (long long)(r->operations->window_seconds / 86400));
        else
          snprintf(title, sizeof title, "\nservice operations by %s", name);
      } else if (part == 1) {
        cli_loop_table_header(t, name);
        if (d == 0)
          snprintf(title, sizeof title, "\nclosing the loop and response rates: overall (target %.1f business hours)",
                   (double)r->loop->target_business_seconds / 3600.0);
        else
          snprintf(title, sizeof title, "\nclosing the loop and response rates by %s", name);
      } else {
        cli_backlog_table_header(t, name);
        if (d == 0)
          snprintf(title, sizeof title, "\nbacklog (contacts open at the end of each day): overall");
        else
          snprintf(title, sizeof title, "\nbacklog by %s", name);
      }
      for (i = 0; i < count && rc == CXM_OK; i++) {
        const char *key = "all";
        size_t len, k = d == 0 ? 0 : c->slices.start[d - 1] + i;
        if (d > 0) rc = cxm_groups_key(&key, &len, groups, i);
        if (rc != CXM_OK) break;
        if (part == 0)
          cli_operations_table_row(t, key, &c->ops[k]);
        else if (part == 1)
          cli_loop_table_row(t, key, &c->loops[k]);
        else
          cli_backlog_table_row(t, key, cli_backlogs_at(&c->backlogs, k), c->backlogs.count[k], r->args->utc_offset);
      }
      if (rc == CXM_OK && cli_table_print(t, stdout, title) != 0) rc = CXM_E_NOMEM;
      cli_table_free(t);
    }
  }
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
  return 0;
}

/* The "service vs experience" tables: overall, then per --by dimension. */
static int print_experience_tables(const report_out *r) {
  const cli_report_calc *c = r->calc;
  size_t d;
  for (d = 0; d <= r->by_count; d++) {
    cli_table *t = cli_table_new(CLI_EXPERIENCE_COLUMNS);
    char title[64];
    size_t i, count;
    int32_t rc = CXM_OK;
    if (t == NULL) {
      cli_diag(NULL, "out of memory");
      return -1;
    }
    if (d == 0) {
      cli_experience_table_header(t, "slice", r->options->sla_target_seconds);
      cli_experience_table_row_of(t, "all", &c->overall, r->args->min_n);
      snprintf(title, sizeof title, "\nservice vs experience: overall");
    } else {
      const cxm_groups *groups = c->groups[d - 1];
      const char *name = cli_args_by_name(r->by[d - 1]);
      cli_experience_table_header(t, name, r->options->sla_target_seconds);
      count = cxm_groups_count(groups);
      for (i = 0; i < count && rc == CXM_OK; i++) {
        const char *key;
        size_t len;
        rc = cxm_groups_key(&key, &len, groups, i);
        if (rc == CXM_OK) rc = cli_experience_table_row_group(t, key, groups, i, r->args->min_n);
      }
      snprintf(title, sizeof title, "\nservice vs experience by %s", name);
    }
    if (rc == CXM_OK && cli_table_print(t, stdout, title) != 0) rc = CXM_E_NOMEM;
    cli_table_free(t);
    if (rc != CXM_OK) {
      cli_diag(NULL, cxm_status_str(rc));
      return -1;
    }
  }
  return print_service_tables(r) != 0 ? -1 : print_operations_tables(r);
}

int cli_report_main(int argc, char **argv) {
  static const int32_t default_by[] = {CXM_BY_CHANNEL, CXM_BY_STAGE, CXM_BY_SEGMENT};
  cli_args args;
  cxm_calendar *calendar = NULL;
  cxm_experience_options options;
  cxm_operations_options operations;
  cxm_loop_options loop;
  cxm_store *store = NULL;
  cxm_store_stats stats;
  cli_input in;
  cli_compare compare;
  report_out out;
  cli_report_calc calc;
  int status;
  int32_t rc;

  status = cli_args_parse(&args, argc, argv);
  if (status != CLI_EXIT_OK) {
    cli_args_free(&args);
    return status;
  }
  if (args.help || args.version) {
    if (args.help) {
      cli_stdout_puts(help_text);
      cli_stdout_puts(cli_dialect_help);
      cli_stdout_puts(help_columns);
    } else {
      printf("cxm %s\n", cxm_version_string());
    }
    cli_args_free(&args);
    return cli_stdout_close() != 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
  }
  /* Checked before reading, so a bad holidays file or --compare fails early. */
  args.business.utc_offset = args.utc_offset;
  args.business.holidays = args.holidays;
  if ((args.compare != NULL && cli_compare_parse(&compare, "report", args.compare) != 0) ||
      cli_business_calendar(&calendar, &args.business) != 0) {
    cli_args_free(&args);
    return CLI_EXIT_USAGE;
  }
  cxm_experience_options_init(&options);
  options.calendar = calendar;
  options.sla_target_seconds = args.business.sla_target_seconds;
  cxm_operations_options_init(&operations);
  operations.calendar = calendar;
  operations.window_seconds = args.fcr_window_days * 86400;
  cxm_loop_options_init(&loop);
  loop.calendar = calendar;
  if (args.nps_detractor_max >= 0) loop.nps_detractor_max = args.nps_detractor_max;
  if (args.csat_detractor_max >= 0) loop.csat_detractor_max = args.csat_detractor_max;
  if (args.ces_detractor_max >= 0) loop.ces_detractor_max = args.ces_detractor_max;
  if (args.followup_target_seconds > 0) loop.target_business_seconds = args.followup_target_seconds;
  if (args.invitation_window_days > 0) loop.invitation_window_seconds = args.invitation_window_days * 86400;

  memset(&in, 0, sizeof in);
  if (args.dialect.snapshot != NULL) {
    /* A saved store (cxm ingest), and any FILE added to it on one thread
     * (the parallel reading starts from an empty store). */
    status = cli_report_snapshot(&store, &args, &in);
  } else {
    /* The tables and JSON ask only slice queries: a store without each
     * customer's days and firsts (a third less memory on large inputs,
     * one memory access less per event). The HTML page shows churn and
     * tracking, which need them. */
    cxm_store_options so;
    cxm_store_options_init(&so);
    if (args.html == NULL) so.omit = CXM_OMIT_CUSTOMER_DAYS | CXM_OMIT_CUSTOMER_FIRSTS;
    rc = cxm_store_new(&store, &so);
    if (rc != CXM_OK) {
      cli_diag(NULL, cxm_status_str(rc));
      cxm_calendar_free(calendar);
      cli_args_free(&args);
      return CLI_EXIT_FAILURE;
    }
    status = cli_read_events_threads(&store, &so, &args, &in);
  }
  if (status == CLI_EXIT_OK) {
    memset(&stats, 0, sizeof stats);
    stats.size = sizeof stats;
    rc = cxm_store_stats_get(&stats, store);
    if (rc != CXM_OK) {
      cli_diag(NULL, cxm_status_str(rc));
      status = CLI_EXIT_FAILURE;
    }
  }
  if (status == CLI_EXIT_OK) {
    out.by = args.by_count > 0 ? args.by : default_by;
    out.by_count = args.by_count > 0 ? args.by_count : sizeof default_by / sizeof default_by[0];
    out.store = store;
    out.in = &in;
    out.stats = &stats;
    out.options = &options;
    out.args = &args;
    out.compare = NULL;
    out.operations = &operations;
    out.loop = &loop;
    out.calc = NULL;
    if (args.compare != NULL) {
      if (cli_compare_resolve(&compare, stats.last) == 0) {
        out.compare = &compare;
      } else {
        cli_diag(NULL, "--compare: no event to place the periods around");
        status = CLI_EXIT_FAILURE;
      }
    }
    if (status == CLI_EXIT_OK) {
      /* Everything the report prints, computed first: side by side on
       * --threads threads (report_calc.h), then printed on this one. */
      cli_report_calc_in ci;
      cxm_slice_options so;
      report_slice_options(&so, &args);
      ci.store = store;
      ci.by = out.by;
      ci.by_count = out.by_count;
      ci.options = &options;
      ci.operations = &operations;
      ci.loop = &loop;
      ci.slice = &so;
      ci.threads = args.threads != 0 ? args.threads : cli_default_threads();
      if (cli_report_calc_run(&calc, &ci) != 0) {
        status = CLI_EXIT_FAILURE;
      } else {
        out.calc = &calc;
        if ((args.json ? print_json(&out) : print_tables(&out)) != 0) status = CLI_EXIT_FAILURE;
        cli_report_calc_free(&calc);
      }
    }
    if (status == CLI_EXIT_OK && args.html != NULL) {
      cli_html_input h;
      h.store = store;
      h.in = &in;
      h.stats = &stats;
      h.options = &options;
      h.business = &args.business;
      h.min_n = args.min_n;
      h.compare = out.compare;
      h.loop = &loop;
      if (cli_html_write(args.html, &h) != 0) status = CLI_EXIT_FAILURE;
    }
  }
  if (status == CLI_EXIT_OK) {
    status = in.verdict;
  }
  if (cli_stdout_close() != 0) {
    status = CLI_EXIT_FAILURE;
  }
  cxm_store_free(store);
  cxm_calendar_free(calendar);
  cli_args_free(&args);
  return status;
}
