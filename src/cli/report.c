/* `cxm report` (see report.h and docs/cli.md).
 *
 * Data flows one way: each file's bytes go through the library's streaming
 * reader into one store; the store's accumulators are queried overall and
 * per --by dimension; the results are printed. This file only wires the
 * library together and prints: it computes no metric itself. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cxm.h"
#include "diag.h"
#include "experience_out.h"
#include "holidays.h"
#include "input.h"
#include "json.h"
#include "table.h"


static const char help_text[] =
    "Usage: cxm report [OPTIONS] FILE...\n"
    "\n"
    "Read touchpoint events (docs/events.md) from every FILE into one store and\n"
    "print NPS, CSAT and CES, the perception gap, SERVQUAL gaps, service levels,\n"
    "loyalty signals and channel consistency, overall and per slice. A FILE\n"
    "whose name ends in\n"
    ".jsonl is JSON Lines, any other is CSV; - reads CSV from standard input.\n"
    "\n"
    "Options:\n"
    "  --json             print the cxm-report/1 JSON document instead of tables\n"
    "  --by DIMENSION     slice by channel, stage, segment, month or week (UTC);\n"
    "                     repeatable, or comma-separated; default: channel, stage\n"
    "                     and segment\n"
    "  --from TIME        keep events at or after TIME (RFC 3339 or Unix seconds)\n"
    "  --to TIME          keep events before TIME (the window is half-open)\n"
    "  --strict           stop at the first bad row, or at a file that cannot be\n"
    "                     read, and exit with status 1 without a report\n"
    "  --utc-offset +HH:MM  UTC offset of the business hours (Monday-Friday\n"
    "                     09:00-17:00) that service levels are measured in\n"
    "  --holidays FILE    business holidays, one YYYY-MM-DD a line\n"
    "  --threads N        read each file as N parts on N threads and merge them\n"
    "                     (an extension of the spec; default 1, see docs/cli.md)\n"
    "  -h, --help         show this help and exit\n"
    "  --version          show the version and exit\n"
    "\n"
    "Each bad row is skipped and reported on standard error as\n"
    "  FILE:LINE: column COLUMN: reason\n"
    "(unknown CSV columns likewise, as warnings). A file that cannot be opened,\n"
    "or whose header is unusable, is reported and skipped.\n"
    "\n"
    "Exit status: 0 success (even when rows were rejected); 1 when no file could\n"
    "be read, or --strict met a bad row; 2 for a usage error.\n";

/* ---- JSON output ------------------------------------------------------ */

/* Everything the slices are computed with. */
typedef struct report_out {
  const int32_t *by;
  size_t by_count;
  cxm_store *store;
  const cli_input *in;
  const cxm_store_stats *stats;
  const cxm_experience_options *options;
} report_out;

/* One slice: overall (`groups` NULL) or group `index` of a
 * cxm_store_group_experience() result. */
static int32_t json_slice(cli_json *j, const report_out *r, const cxm_groups *groups, size_t index,
                          const cxm_survey_acc *acc) {
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
    int32_t rc = groups == NULL ? cli_experience_json(j, r->store, NULL, r->options)
                                : cli_experience_json_group(j, r->store, groups, index);
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
  static const char *const names[] = {"NPS n",  "NPS",   "NPS 95% CI", "CSAT n",    "CSAT %",
                                      "CSAT 95% CI", "CES n", "CES",        "CES 95% CI"};
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

static void table_row(cli_table *t, const char *key, const cxm_survey_acc *acc) {
  cxm_nps_result nps;
  cxm_csat_result csat;
  cxm_ces_result ces;
  cxm_nps_compute(&nps, &acc->nps);
  cxm_csat_compute(&csat, &acc->csat);
  cxm_ces_compute(&ces, &acc->ces);
  cli_table_cell(t, key);
  cli_table_cellf(t, "%llu", (unsigned long long)nps.n);
  if (nps.n == 0) {
    cli_table_cell(t, "-");
    cli_table_cell(t, "-");
  } else {
    cli_table_cellf(t, "%.1f", nps.score);
    table_interval(t, nps.ci95_low, nps.ci95_high, 1);
  }
  cli_table_cellf(t, "%llu", (unsigned long long)csat.n);
  if (csat.n == 0) {
    cli_table_cell(t, "-");
    cli_table_cell(t, "-");
  } else {
    cli_table_cellf(t, "%.1f", csat.score);
    table_interval(t, csat.ci95_low, csat.ci95_high, 1);
  }
  cli_table_cellf(t, "%llu", (unsigned long long)ces.n);
  if (ces.n == 0) {
    cli_table_cell(t, "-");
    cli_table_cell(t, "-");
  } else {
    cli_table_cellf(t, "%.2f", ces.mean);
    table_interval(t, ces.ci95_low, ces.ci95_high, 2);
  }
}

/* ---- The command ------------------------------------------------------ */

static int print_json(const report_out *r) {
  cxm_survey_acc overall;
  cli_json j;
  size_t d;
  int have_events = r->stats->first <= r->stats->last;
  int32_t rc = cxm_store_survey(&overall, r->store, NULL);
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
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
  cli_json_keyz(&j, "overall");
  rc = json_slice(&j, r, NULL, 0, &overall);
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
  cli_json_keyz(&j, "slices");
  cli_json_object_begin(&j);
  for (d = 0; d < r->by_count; d++) {
    cxm_groups *groups = NULL;
    size_t i, count;
    rc = cxm_store_group_experience(&groups, r->store, NULL, r->by[d], r->options);
    if (rc != CXM_OK) {
      cli_diag(NULL, cxm_status_str(rc));
      return -1;
    }
    cli_json_keyz(&j, cli_args_by_name(r->by[d]));
    cli_json_object_begin(&j);
    count = cxm_groups_count(groups);
    for (i = 0; i < count; i++) {
      const char *key;
      size_t len;
      cxm_survey_acc acc;
      if (cxm_groups_key(&key, &len, groups, i) != CXM_OK || cxm_groups_survey(&acc, groups, i) != CXM_OK) {
        cxm_groups_free(groups);
        cli_diag(NULL, "cannot read a group of the query");
        return -1;
      }
      cli_json_key(&j, key, len);
      rc = json_slice(&j, r, groups, i, &acc);
      if (rc != CXM_OK) {
        cxm_groups_free(groups);
        cli_diag(NULL, cxm_status_str(rc));
        return -1;
      }
    }
    cli_json_object_end(&j);
    cxm_groups_free(groups);
  }
  cli_json_object_end(&j);
  cli_json_object_end(&j);
  return 0;
}

static int print_experience_tables(const report_out *r);

static int print_tables(const report_out *r) {
  cxm_survey_acc overall;
  cli_table *t;
  size_t d;
  int32_t rc = cxm_store_survey(&overall, r->store, NULL);
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    return -1;
  }
  printf("input: %llu rows, %llu events, %llu rejected, %llu duplicates", (unsigned long long)r->in->rows,
         (unsigned long long)r->in->events, (unsigned long long)r->in->rejected,
         (unsigned long long)r->in->duplicates);
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
  table_row(t, "all", &overall);
  rc = cli_table_print(t, stdout, "overall") == 0 ? CXM_OK : CXM_E_NOMEM;
  cli_table_free(t);
  if (rc != CXM_OK) {
    cli_diag(NULL, "out of memory");
    return -1;
  }

  for (d = 0; d < r->by_count; d++) {
    cxm_groups *groups = NULL;
    size_t i, count;
    char title[32];
    const char *name = cli_args_by_name(r->by[d]);
    rc = cxm_store_group(&groups, r->store, NULL, r->by[d]);
    if (rc != CXM_OK) {
      cli_diag(NULL, cxm_status_str(rc));
      return -1;
    }
    t = cli_table_new(TABLE_COLUMNS);
    if (t == NULL) {
      cxm_groups_free(groups);
      cli_diag(NULL, "out of memory");
      return -1;
    }
    table_header(t, name);
    count = cxm_groups_count(groups);
    for (i = 0; i < count; i++) {
      const char *key;
      size_t len;
      cxm_survey_acc acc;
      if (cxm_groups_key(&key, &len, groups, i) != CXM_OK || cxm_groups_survey(&acc, groups, i) != CXM_OK) {
        cxm_groups_free(groups);
        cli_table_free(t);
        cli_diag(NULL, "cannot read a group of the query");
        return -1;
      }
      table_row(t, key, &acc);
    }
    snprintf(title, sizeof title, "\nby %s", name);
    rc = cli_table_print(t, stdout, title) == 0 ? CXM_OK : CXM_E_NOMEM;
    cli_table_free(t);
    cxm_groups_free(groups);
    if (rc != CXM_OK) {
      cli_diag(NULL, "out of memory");
      return -1;
    }
  }
  return print_experience_tables(r);
}

/* The "service vs experience" tables: overall, then per --by dimension. */
static int print_experience_tables(const report_out *r) {
  size_t d;
  for (d = 0; d <= r->by_count; d++) {
    cxm_groups *groups = NULL;
    cli_table *t = cli_table_new(CLI_EXPERIENCE_COLUMNS);
    char title[64];
    size_t i, count = 1;
    int32_t rc = CXM_OK;
    if (t == NULL) {
      cli_diag(NULL, "out of memory");
      return -1;
    }
    if (d == 0) {
      cli_experience_table_header(t, "slice");
      rc = cli_experience_table_row(t, "all", r->store, NULL, r->options);
      snprintf(title, sizeof title, "\nservice vs experience: overall");
    } else {
      const char *name = cli_args_by_name(r->by[d - 1]);
      rc = cxm_store_group_experience(&groups, r->store, NULL, r->by[d - 1], r->options);
      cli_experience_table_header(t, name);
      count = cxm_groups_count(groups);
      for (i = 0; i < count && rc == CXM_OK; i++) {
        const char *key;
        size_t len;
        rc = cxm_groups_key(&key, &len, groups, i);
        if (rc == CXM_OK) rc = cli_experience_table_row_group(t, key, groups, i);
      }
      snprintf(title, sizeof title, "\nservice vs experience by %s", name);
    }
    if (rc == CXM_OK && cli_table_print(t, stdout, title) != 0) rc = CXM_E_NOMEM;
    cli_table_free(t);
    cxm_groups_free(groups);
    if (rc != CXM_OK) {
      cli_diag(NULL, cxm_status_str(rc));
      return -1;
    }
  }
  return 0;
}

int cli_report_main(int argc, char **argv) {
  static const int32_t default_by[] = {CXM_BY_CHANNEL, CXM_BY_STAGE, CXM_BY_SEGMENT};
  cli_args args;
  cxm_calendar *calendar = NULL;
  cxm_experience_options options;
  cxm_store *store = NULL;
  cxm_store_stats stats;
  cli_input in;
  report_out out;
  int status;
  int32_t rc;

  status = cli_args_parse(&args, argc, argv);
  if (status != CLI_EXIT_OK) {
    cli_args_free(&args);
    return status;
  }
  if (args.help) {
    fputs(help_text, stdout);
    cli_args_free(&args);
    return CLI_EXIT_OK;
  }
  if (args.version) {
    printf("cxm %s\n", cxm_version_string());
    cli_args_free(&args);
    return CLI_EXIT_OK;
  }
  /* Checked before reading, so a bad holidays file fails early. */
  if (cli_calendar_load(&calendar, args.utc_offset, args.holidays) != 0) {
    cli_args_free(&args);
    return CLI_EXIT_USAGE;
  }
  cxm_experience_options_init(&options);
  options.calendar = calendar;

  rc = cxm_store_new(&store, NULL);
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    cxm_calendar_free(calendar);
    cli_args_free(&args);
    return CLI_EXIT_FAILURE;
  }
  memset(&in, 0, sizeof in);
  status = cli_read_events_threads(&store, NULL, &args, &in);
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
    if ((args.json ? print_json(&out) : print_tables(&out)) != 0) {
      status = CLI_EXIT_FAILURE;
    }
  }
  if (fflush(stdout) != 0 || ferror(stdout)) {
    cli_diag_errno("standard output", "cannot write", errno);
    status = CLI_EXIT_FAILURE;
  }
  cxm_store_free(store);
  cxm_calendar_free(calendar);
  cli_args_free(&args);
  return status;
}
