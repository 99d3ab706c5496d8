/* `cxm churn FILE...` and `cxm churn --summary FILE` (see churn.h,
 * docs/cli.md, docs/purchase.md).
 *
 * Event files are read into a store (input.c) and summarised by
 * cxm_store_rfm(); a summary file goes through cxm_rfm_load_csv(). The model
 * is fitted by cxm_model_fit(); each customer's P(alive) comes from
 * cxm_model_p_alive(). This file only wires those together, sorts by risk
 * and prints: it computes no model quantity itself. */
#include "cmd_churn.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cxm.h"
#include "diag.h"
#include "hours.h"
#include "output.h"
#include "input.h"
#include "json.h"
#include "table.h"
#include "tasks.h"

static const char help_text[] =
    "Usage: cxm churn [OPTIONS] FILE...\n"
    "       cxm churn --summary FILE [OPTIONS]\n"
    "\n"
    "Print each customer's churn risk, highest risk first (docs/churn.md).\n"
    "\n"
    "Event files (docs/events.md: CSV, or JSON Lines for *.jsonl and *.ndjson;\n"
    "- is standard "
    "input): risk is the probability that a customer is gone by the end of the\n"
    "horizon after --to (has left, saying so or not, or leaves within it), from\n"
    "a logistic model over purchase behaviour (the purchase model's\n"
    "P(alive) and P(no purchase in the horizon)) and experience (NPS, effort,\n"
    "open contacts, SLA breaches, complaints, perception gap, silence). It is\n"
    "trained on the customers lost in the horizon before --to (a churn event\n"
    "or a lapse: see --label; a lapse is taken as a proxy of leaving, the\n"
    "purchase model saying how often a customer who stays is that quiet);\n"
    "the model fitted on every feature is used only\n"
    "when it beats the documented default and the purchase model alone on\n"
    "held-out customers (the output says which scored, and the figures). Each\n"
    "customer shows the drivers raising the risk above a typical customer's,\n"
    "and the value at risk (expected revenue in the horizon x risk).\n"
    "\n"
    "With --summary: risk = 1 - P(alive) of the purchase model (docs/purchase.md).\n"
    "\n"
    "FILE is a CSV with a header naming the columns frequency (or x), recency\n"
    "(or t_x) and T (or T_cal, periods), optionally a first id column (ID, id\n"
    "or customer), monetary (or zbar, m_x) and weights (or weight, count: the\n"
    "customers a row stands for); - reads standard input. Times are used in\n"
    "the file's unit (weeks for the CDNOW sample).\n"
    "\n";

/* In two parts: C11 compilers need only take string literals of 4095 bytes. */
static const char help_options[] =
    "Options:\n"
    "  --summary FILE     read a per-customer summary CSV instead of events\n"
    "  --to TIME          end of observation (exclusive; a UTC midnight, e.g.\n"
    "                     1997-10-01); default: through the day of the last event\n"
    "  --holdout-to TIME  also compare expected with actual repeat purchases in\n"
    "                     [--to, TIME) (the check the literature uses)\n"
    "  --strict           stop at the first bad row of an event file\n"
    "  --threads N        read each event file as N + 1 parts on N threads, merge\n"
    "                     them (default: the processors online, at most 8;\n"
    "                     the output is the same for every N)\n"
    "  --horizon DAYS     event files: risk of being lost within DAYS after --to;\n"
    "                     the model learns from customers lost within DAYS\n"
    "                     after a cut-off DAYS before --to (default 90)\n"
    "  --label RULE       churn (a churn event), lapse (no activity in the whole\n"
    "                     horizon) or both (default): who counts as lost\n"
    "  --activity WHAT    purchases (default) or any (answers, complaints,\n"
    "                     compliments, contacts too): what ends a lapse\n"
    "  --lapsed WHAT      train (default): customers already lapsed at the\n"
    "                     training cut-off are trained on; score: only scored\n"
    "  --rank KEY         risk (default) or value: order by value at risk\n"
    "  --model MODEL      bgnbd, mbgnbd or pnbd; default mbgnbd, which gives\n"
    "                     customers without a repeat purchase P(alive) < 1\n"
    "                     (BG/NBD gives them exactly 1); with --summary also\n"
    "                     bgbb, for discrete opportunities (whole x, t_x, T)\n"
    "  --penalty C        --summary: fit with lifetimes' L2 penalty C >= 0\n"
    "                     (penalizer_coef; docs/purchase.md)\n"
    "  --top N            print only the N customers of highest risk\n"
    "  --time-unit UNIT   day or week (default): the unit of t_x and T; with\n"
    "                     --summary only a label (the file's numbers are used)\n"
    "  --json             print the cxm-churn/1 JSON document instead of tables\n"
    "  --tracking         event files: also the tracking plot's series, actual\n"
    "                     and expected repeat purchases per --time-unit from\n"
    "                     the first event to --holdout-to (or the last event)\n"
    "  --hours SPEC       event files: business hours per weekday for the SLA\n"
    "                     breaches the risk model counts, e.g.\n"
    "                     mon-fri=09:00-17:00,sat=10:00-14:00 (unnamed days closed;\n"
    "                     default mon-fri=09:00-17:00)\n"
    "  --sla-target DUR   first-reply target in business time: 8h (default),\n"
    "                     30m, 1h30m, 90s\n"
    "  --utc-offset +HH:MM  UTC offset of the business hours (default +00:00)\n"
    "  --holidays FILE    business holidays, one YYYY-MM-DD a line\n"
    "  -h, --help         show this help and exit\n"
    "  --version          show the version and exit\n"
    "\n"
    "Exit status: 0 success (a degenerate fit is a warning: the estimates are\n"
    "printed with converged false and the reasons under degenerate); 1 when the\n"
    "file cannot be read, a line is bad, the fit did not converge, or the\n"
    "holdout expectation cannot be computed; 2 for a usage error.\n";

typedef struct churn_args {
  int help, version, json, strict, tracking;
  int64_t horizon_days; /* training labels: churn within this many days */
  const char *summary;
  char **files; /* event files (borrowed from argv) */
  size_t file_count;
  int64_t to, holdout_to; /* INT64_MAX / INT64_MIN: not given */
  int32_t model;
  uint64_t top; /* 0: all */
  const char *unit;
  cli_business business; /* --hours, --sla-target, --utc-offset, --holidays (hours.c) */
  int business_given;
  cxm_calendar *calendar; /* built from `business` for event files */
  cli_dialect dialect;    /* input dialect, --max-rejected, --quiet */
  int32_t label, activity, train_lapsed, rank;
  double penalty;   /* --penalty, -1 when not given */
  uint32_t threads; /* --threads; 0 when not given (cli_default_threads()) */
} churn_args;

/* A customer's row of output. */
#define NO_INDEX ((size_t)-1)

/* A customer's row of output: from the summaries (index into the rfm set)
 * and, for event files, from the risk model (handle in the store). */
typedef struct churn_row {
  size_t index;    /* rfm index, or NO_INDEX for a customer without purchases */
  uint32_t handle; /* store handle (event files only) */
  double p_alive;  /* NaN without purchases */
  double p_none;   /* P(no purchase in the horizon); NaN without purchases */
  double worth;    /* expected value in the horizon */
  double risk;
  int has_drivers;
  uint32_t driver_count;              /* factors raising the risk above the baseline's, */
  int32_t drivers[CXM_FEATURE_COUNT]; /* largest first (cxm_store_churn()) */
  double weight[CXM_FEATURE_COUNT];   /* coef x (value - baseline) */
  double value[CXM_FEATURE_COUNT];    /* the feature row */
} churn_row;

/* What `cxm churn FILE...` adds: the experience-adjusted risk model. */
typedef struct churn_risk {
  const cxm_store *store;
  cxm_churn_info info;
  cxm_risk_model model;
  cxm_risk_evaluation evaluation;
  int32_t fitted;
  int64_t cutoff, scored_at;
} churn_risk;

static const char *const source_names[3] = {"default", "fitted", "purchase"};

static int parse_args(churn_args *a, int argc, char **argv) {
  memset(a, 0, sizeof *a);
  a->model = CXM_MODEL_MBGNBD;
  a->penalty = -1.0;
  a->unit = "week";
  a->to = INT64_MAX;
  a->holdout_to = INT64_MIN;
  a->horizon_days = 90;
  cli_business_init(&a->business);
  cli_dialect_init(&a->dialect);
  a->label = CXM_LABEL_BOTH;
  a->activity = CXM_ACTIVITY_PURCHASES;
  a->train_lapsed = 1;
  a->files = calloc((size_t)(argc > 0 ? argc : 1), sizeof *a->files);
  if (a->files == NULL) {
    cli_diag(NULL, "out of memory");
    return CLI_EXIT_FAILURE;
  }
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      a->help = 1;
      continue;
    }
    if (strcmp(arg, "--version") == 0) {
      a->version = 1;
      continue;
    }
    if (strcmp(arg, "--json") == 0) {
      a->json = 1;
      continue;
    }
    if (strcmp(arg, "--tracking") == 0) {
      a->tracking = 1;
      continue;
    }
    if (strcmp(arg, "--strict") == 0) {
      a->strict = 1;
      continue;
    }
    if (arg[0] != '-' || strcmp(arg, "-") == 0) {
      a->files[a->file_count++] = argv[i];
      continue;
    }
    int used = cli_dialect_option(&a->dialect, "churn", argc, argv, i);
    if (used < 0) return CLI_EXIT_USAGE;
    if (used > 0) {
      i += used - 1;
      continue;
    }
    const char *eq = strchr(arg, '=');
    size_t nlen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
    static const char *const valued[] = {"--summary",    "--model",   "--top",    "--time-unit", "--to",
                                         "--holdout-to", "--horizon", "--label",  "--activity",  "--lapsed",
                                         "--rank",       "--penalty", "--threads"};
    int which = -1;
    for (int k = 0; k < 13; k++) {
      if (strlen(valued[k]) == nlen && memcmp(valued[k], arg, nlen) == 0) {
        which = k;
      }
    }
    if (which < 0 && cli_business_is_option(arg, nlen)) {
      const char *v = eq != NULL ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
      if (v == NULL) {
        cli_diag_usage("churn", "missing value after", arg);
        return CLI_EXIT_USAGE;
      }
      if (cli_business_apply(&a->business, "churn", arg, nlen, v) != 0) return CLI_EXIT_USAGE;
      a->business_given = 1;
      continue;
    }
    if (which < 0) {
      cli_diag_usage("churn", "unknown option", arg);
      return CLI_EXIT_USAGE;
    }
    const char *value;
    if (eq != NULL) {
      value = eq + 1;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      cli_diag_usage("churn", "missing value after", arg);
      return CLI_EXIT_USAGE;
    }
    switch (which) {
    case 0: a->summary = value; break;
    case 1:
      if (strcmp(value, "bgnbd") == 0) {
        a->model = CXM_MODEL_BGNBD;
      } else if (strcmp(value, "mbgnbd") == 0) {
        a->model = CXM_MODEL_MBGNBD;
      } else if (strcmp(value, "pnbd") == 0) {
        a->model = CXM_MODEL_PNBD;
      } else if (strcmp(value, "bgbb") == 0) {
        a->model = CXM_MODEL_BGBB;
      } else {
        cli_diag_usage("churn", "--model takes bgnbd, mbgnbd, pnbd or bgbb, not", value);
        return CLI_EXIT_USAGE;
      }
      break;
    case 2:
      if (cli_parse_u64(&a->top, value, UINT64_MAX) != 0 || a->top == 0) {
        cli_diag_usage("churn", "--top takes a whole number >= 1, not", value);
        return CLI_EXIT_USAGE;
      }
      break;
    case 7:
      if (strcmp(value, "churn") == 0) {
        a->label = CXM_LABEL_CHURN;
      } else if (strcmp(value, "lapse") == 0) {
        a->label = CXM_LABEL_LAPSE;
      } else if (strcmp(value, "both") == 0) {
        a->label = CXM_LABEL_BOTH;
      } else {
        cli_diag_usage("churn", "--label takes churn, lapse or both, not", value);
        return CLI_EXIT_USAGE;
      }
      break;
    case 8:
      if (strcmp(value, "purchases") == 0) {
        a->activity = CXM_ACTIVITY_PURCHASES;
      } else if (strcmp(value, "any") == 0) {
        a->activity = CXM_ACTIVITY_ANY;
      } else {
        cli_diag_usage("churn", "--activity takes purchases or any, not", value);
        return CLI_EXIT_USAGE;
      }
      break;
    case 10:
      if (strcmp(value, "risk") == 0) {
        a->rank = CXM_CHURN_RANK_RISK;
      } else if (strcmp(value, "value") == 0) {
        a->rank = CXM_CHURN_RANK_VALUE;
      } else {
        cli_diag_usage("churn", "--rank takes risk or value, not", value);
        return CLI_EXIT_USAGE;
      }
      break;
    case 12: {
      uint64_t n;
      if (cli_parse_u64(&n, value, CLI_MAX_THREADS) != 0 || n == 0) {
        cli_diag_usage("churn", "--threads takes a whole number 1..256, not", value);
        return CLI_EXIT_USAGE;
      }
      a->threads = (uint32_t)n;
      break;
    }
    case 11: {
      char *end;
      double v = strtod(value, &end);
      if (end == value || *end != '\0' || !(v >= 0.0) || !isfinite(v)) {
        cli_diag_usage("churn", "--penalty takes a number >= 0, not", value);
        return CLI_EXIT_USAGE;
      }
      a->penalty = v;
      break;
    }
    case 9:
      if (strcmp(value, "train") == 0) {
        a->train_lapsed = 1;
      } else if (strcmp(value, "score") == 0) {
        a->train_lapsed = 0;
      } else {
        cli_diag_usage("churn", "--lapsed takes train or score, not", value);
        return CLI_EXIT_USAGE;
      }
      break;
    case 6: {
      uint64_t days;
      if (cli_parse_u64(&days, value, UINT64_MAX) != 0 || days == 0 || days > 3660) {
        cli_diag_usage("churn", "--horizon takes a number of days, 1..3660, not", value);
        return CLI_EXIT_USAGE;
      }
      a->horizon_days = (int64_t)days;
      break;
    }
    case 4:
    case 5:
      if (cli_parse_midnight(which == 4 ? &a->to : &a->holdout_to, value) != 0) {
        cli_diag_usage("churn",
                       which == 4 ? "--to takes a UTC midnight (YYYY-MM-DD or RFC 3339), not"
                                  : "--holdout-to takes a UTC midnight (YYYY-MM-DD or RFC 3339), not",
                       value);
        return CLI_EXIT_USAGE;
      }
      break;
    default:
      if (strcmp(value, "day") != 0 && strcmp(value, "week") != 0) {
        cli_diag_usage("churn", "--time-unit takes day or week, not", value);
        return CLI_EXIT_USAGE;
      }
      a->unit = value;
      break;
    }
  }
  if (a->help || a->version) return CLI_EXIT_OK;
  if (cli_dialect_check(&a->dialect, "churn") != 0) return CLI_EXIT_USAGE;
  if (a->summary != NULL && a->tracking) {
    cli_diag_usage("churn", "--tracking needs event files (purchase dates), not", "--summary");
    return CLI_EXIT_USAGE;
  }
  if (a->summary == NULL && (a->model == CXM_MODEL_BGBB || a->penalty >= 0.0)) {
    /* Event files give continuous times, and the risk model fits its own
     * purchase model (cxm_store_churn) without a penalty option. */
    cli_diag_usage("churn", "this option applies to --summary files only:",
                   a->model == CXM_MODEL_BGBB ? "--model bgbb" : "--penalty");
    return CLI_EXIT_USAGE;
  }
  if (a->dialect.snapshot != NULL) {
    cli_diag_usage("churn", "--snapshot is an option of report and ingest, not of", "churn");
    return CLI_EXIT_USAGE;
  }
  if ((a->summary == NULL) == (a->file_count == 0)) {
    cli_diag_usage("churn",
                   a->summary == NULL ? "no input: give event FILEs or --summary FILE"
                                      : "give event FILEs or --summary FILE, not both",
                   NULL);
    return CLI_EXIT_USAGE;
  }
  if (a->summary != NULL && (a->to != INT64_MAX || a->holdout_to != INT64_MIN || a->strict || a->business_given)) {
    cli_diag_usage("churn",
                   "--to, --holdout-to, --strict, --hours, --sla-target, --utc-offset and --holidays apply to event "
                   "files, not to",
                   "--summary");
    return CLI_EXIT_USAGE;
  }
  if (a->to != INT64_MAX && a->to <= 0) {
    /* Times start at 1970-01-01T00:00:00Z: an observation ending there is empty. */
    cli_diag_usage("churn",
                   "--to must be after 1970-01-01 (the observation ends before any event can happen):", "1970-01-01");
    return CLI_EXIT_USAGE;
  }
  if (a->holdout_to != INT64_MIN && (a->to == INT64_MAX || a->holdout_to <= a->to)) {
    cli_diag_usage("churn", "--holdout-to needs --to and must come after it", NULL);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

/* Read a whole file (or standard input for "-") into a malloc'd buffer. */
static int slurp(const char *name, char **out, size_t *len) {
  FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
  size_t cap = 1 << 16, n = 0;
  char *buf;
  if (f == NULL) {
    cli_diag(name, strerror(errno));
    return -1;
  }
  buf = malloc(cap);
  while (buf != NULL) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) {
      break;
    }
    char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
    if (nb == NULL) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = nb;
    cap *= 2;
  }
  int bad = buf == NULL || ferror(f);
  if (f != stdin) {
    fclose(f);
  }
  if (bad) {
    cli_diag(name, buf == NULL ? "out of memory" : "cannot read");
    free(buf);
    return -1;
  }
  *out = buf;
  *len = n;
  return 0;
}

static int by_risk(const void *pa, const void *pb) {
  const churn_row *a = pa, *b = pb;
  if (a->risk != b->risk) {
    return a->risk > b->risk ? -1 : 1; /* highest risk first */
  }
  if (a->handle != b->handle) return a->handle < b->handle ? -1 : 1;
  return a->index < b->index ? -1 : (a->index > b->index ? 1 : 0);
}

/* Whether rows are already strictly in by_risk order, as the library
 * returns them when it ranks by risk (risk, then handle: the same order).
 * Then qsort could only give them back unchanged (by_risk is a total order
 * on rows without a NaN risk, and a NaN fails this test), so it is not
 * run: on the 10 M-event benchmark file it sorted 431 517 rows of some
 * 360 bytes. */
static int in_risk_order(const churn_row *rows, size_t n) {
  for (size_t i = 1; i < n; i++) {
    if (by_risk(&rows[i - 1], &rows[i]) >= 0) return 0;
  }
  return 1;
}

/* The customer's id, or its 1-based row number when the file has none. */
static void customer_name(char *buf, size_t cap, const cxm_rfm_customer *c, size_t index, const char **s, size_t *len) {
  if (c->id_len > 0) {
    *s = c->id;
    *len = c->id_len;
    return;
  }
  snprintf(buf, cap, "%zu", index + 1);
  *s = buf;
  *len = strlen(buf);
}

static const char *band_name(int32_t band) {
  switch (band) {
  case CXM_RISK_LOW: return "low";
  case CXM_RISK_MEDIUM: return "medium";
  case CXM_RISK_HIGH: return "high";
  default: return "none";
  }
}

/* A row's summary (zeros and NaN T for a customer without purchases) and
 * its name: the store's id for event files, else the summary's. */
static void row_customer(cxm_rfm_customer *c, const char **s, size_t *len, char *buf, size_t cap, const churn_row *row,
                         const cxm_rfm *rfm, const churn_risk *risk) {
  cxm_rfm_customer_init(c);
  c->T = NAN;
  if (row->index != NO_INDEX) (void)cxm_rfm_get(c, rfm, row->index);
  if (risk != NULL && cxm_store_customer_id(s, len, risk->store, row->handle) == CXM_OK) return;
  customer_name(buf, cap, c, row->index, s, len);
}

static void print_risk_model(cli_json *j, const churn_risk *risk) {
  char when[CXM_TIME_TEXT_SIZE];
  cli_json_keyz(j, "risk_model");
  cli_json_object_begin(j);
  cli_json_keyz(j, "source");
  cli_json_stringz(j, source_names[risk->info.source]);
  cli_json_keyz(j, "selection");
  cli_json_object_begin(j);
  cli_json_member_uint(j, "training_customers", risk->info.train_rows);
  cli_json_member_uint(j, "training_lost", risk->info.train_lost);
  cli_json_member_uint(j, "min_class", CXM_CHURN_MIN_CLASS);
  cli_json_keyz(j, "heldout_auc");
  cli_json_object_begin(j);
  for (int k = 0; k < 3; k++) cli_json_member_number(j, source_names[k], risk->info.heldout_auc[k]);
  cli_json_object_end(j);
  cli_json_keyz(j, "heldout_log_loss");
  cli_json_object_begin(j);
  for (int k = 0; k < 3; k++) cli_json_member_number(j, source_names[k], risk->info.heldout_log_loss[k]);
  cli_json_object_end(j);
  cli_json_member_number(j, "margin", risk->info.margin);
  cli_json_object_end(j);
  cli_json_member_number(j, "value_at_risk", risk->info.value_at_risk);
  cli_json_member_number(j, "expected_value", risk->info.expected_value);
  cli_json_keyz(j, "spend_model");
  cli_json_stringz(j, risk->info.spend_fitted ? "gamma-gamma" : "mean spend");
  cli_json_keyz(j, "baseline");
  cli_json_object_begin(j);
  for (int32_t i = 0; i < CXM_FEATURE_COUNT; i++)
    cli_json_member_number(j, cxm_feature_name(i), risk->info.baseline[i]);
  cli_json_object_end(j);
  cli_json_keyz(j, "cutoff");
  if (cxm_time_format(when, sizeof when, risk->cutoff) == CXM_OK)
    cli_json_stringz(j, when);
  else
    cli_json_null(j);
  cli_json_keyz(j, "scored_at");
  if (cxm_time_format(when, sizeof when, risk->scored_at) == CXM_OK)
    cli_json_stringz(j, when);
  else
    cli_json_null(j);
  cli_json_member_number(j, "intercept", risk->model.intercept);
  cli_json_keyz(j, "coefficients");
  cli_json_object_begin(j);
  for (int32_t i = 0; i < CXM_FEATURE_COUNT; i++) cli_json_member_number(j, cxm_feature_name(i), risk->model.coef[i]);
  cli_json_object_end(j);
  cli_json_keyz(j, "evaluation");
  if (risk->evaluation.rows == 0) {
    cli_json_null(j);
  } else {
    const cxm_risk_evaluation *e = &risk->evaluation;
    cli_json_object_begin(j);
    cli_json_member_uint(j, "customers", e->rows);
    cli_json_member_uint(j, "churned", e->positives);
    cli_json_member_number(j, "log_loss", e->log_loss);
    cli_json_member_number(j, "auc", e->auc);
    cli_json_member_number(j, "brier", e->brier);
    cli_json_keyz(j, "calibration");
    cli_json_array_begin(j);
    for (int b = 0; b < CXM_RISK_CALIBRATION_BINS; b++) {
      cli_json_object_begin(j);
      cli_json_member_uint(j, "customers", e->bin_rows[b]);
      cli_json_member_number(j, "predicted", e->bin_predicted[b]);
      cli_json_member_number(j, "observed", e->bin_observed[b]);
      cli_json_object_end(j);
    }
    cli_json_array_end(j);
    cli_json_object_end(j);
  }
  cli_json_object_end(j);
}

static int32_t print_holdout(const cxm_model *m, const cxm_rfm *rfm, const churn_args *a, cli_json *j);
typedef struct churn_tracking churn_tracking;
static void print_tracking(const churn_tracking *t, cli_json *j);

/* The names of cxm_model::degenerate's bits, as printed (docs/purchase.md). */
static const struct {
  uint32_t bit;
  const char *name;
} degenerate_names[] = {
    {CXM_DEGENERATE_RATE, "rate"},
    {CXM_DEGENERATE_DROPOUT, "dropout"},
    {CXM_DEGENERATE_SPEND, "spend"},
    {CXM_DEGENERATE_HESSIAN, "hessian"},
};

/* "rate, hessian" into buf (empty for none). */
static void degenerate_text(char *buf, size_t size, uint32_t why) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof degenerate_names / sizeof degenerate_names[0]; i++) {
    if ((why & degenerate_names[i].bit) == 0) continue;
    int n = snprintf(buf + used, size - used, "%s%s", used > 0 ? ", " : "", degenerate_names[i].name);
    if (n < 0 || (size_t)n >= size - used) break;
    used += (size_t)n;
  }
}

static int32_t print_json(const cxm_model *m, const cxm_rfm *rfm, const churn_row *rows, size_t n, const churn_args *a,
                          const churn_risk *risk, const churn_tracking *tracking) {
  int32_t rc = CXM_OK;
  cli_json j;
  char name[32];
  cli_json_init(&j, stdout, 0);
  cli_json_object_begin(&j);
  cli_json_keyz(&j, "format");
  cli_json_stringz(&j, "cxm-churn/1");
  if (risk != NULL) {
    /* event files: the business time behind the SLA-breach features */
    cli_json_keyz(&j, "settings");
    cli_business_json(&j, &a->business);
  }
  cli_json_keyz(&j, "model");
  cli_json_object_begin(&j);
  cli_json_keyz(&j, "name");
  cli_json_stringz(&j, cxm_model_name(m->kind));
  for (int32_t i = 0; i < m->param_count; i++) {
    cli_json_keyz(&j, cxm_model_param_name(m->kind, i));
    cli_json_double(&j, m->param[i]);
  }
  cli_json_member_number(&j, "loglik", m->loglik);
  cli_json_member_uint(&j, "customers", m->customers);
  cli_json_keyz(&j, "converged");
  cli_json_bool(&j, m->converged);
  cli_json_keyz(&j, "degenerate");
  cli_json_array_begin(&j);
  for (size_t k = 0; k < sizeof degenerate_names / sizeof degenerate_names[0]; k++) {
    if ((m->degenerate & degenerate_names[k].bit) != 0) cli_json_stringz(&j, degenerate_names[k].name);
  }
  cli_json_array_end(&j);
  cli_json_keyz(&j, "iterations");
  cli_json_int(&j, m->iterations);
  cli_json_keyz(&j, "se");
  cli_json_object_begin(&j);
  for (int32_t i = 0; i < m->param_count; i++) {
    cli_json_keyz(&j, cxm_model_param_name(m->kind, i));
    cli_json_double(&j, m->se[i]);
  }
  cli_json_object_end(&j);
  cli_json_object_end(&j);
  cli_json_keyz(&j, "customers");
  cli_json_array_begin(&j);
  for (size_t i = 0; i < n; i++) {
    cxm_rfm_customer c;
    const char *s;
    size_t len;
    size_t k, drivers;
    row_customer(&c, &s, &len, name, sizeof name, &rows[i], rfm, risk);
    cli_json_object_begin(&j);
    cli_json_keyz(&j, "customer");
    cli_json_string(&j, s, len);
    cli_json_member_uint(&j, "x", c.x);
    cli_json_member_number(&j, "t_x", c.t_x);
    cli_json_member_number(&j, "T", c.T);
    cli_json_member_number(&j, "p_alive", rows[i].p_alive);
    if (risk != NULL) cli_json_member_number(&j, "p_no_purchase", rows[i].p_none);
    cli_json_member_number(&j, "risk", rows[i].risk);
    if (risk != NULL) {
      cli_json_member_number(&j, "expected_value", rows[i].worth);
      cli_json_member_number(&j, "value_at_risk", rows[i].risk * rows[i].worth);
    }
    if (risk != NULL) {
      cli_json_keyz(&j, "band");
      cli_json_stringz(&j, band_name(cxm_risk_band(rows[i].risk)));
    }
    cli_json_keyz(&j, "drivers");
    cli_json_array_begin(&j);
    drivers = rows[i].has_drivers ? rows[i].driver_count : 0;
    for (k = 0; k < drivers; k++) {
      cli_json_object_begin(&j);
      cli_json_keyz(&j, "factor");
      cli_json_stringz(&j, cxm_feature_name(rows[i].drivers[k]));
      cli_json_member_number(&j, "weight", rows[i].weight[rows[i].drivers[k]]);
      cli_json_member_number(&j, "value", rows[i].value[rows[i].drivers[k]]);
      cli_json_member_number(&j, "baseline", risk->info.baseline[rows[i].drivers[k]]);
      cli_json_object_end(&j);
    }
    cli_json_array_end(&j);
    cli_json_object_end(&j);
  }
  cli_json_array_end(&j);
  if (risk != NULL) print_risk_model(&j, risk);
  if (a->holdout_to != INT64_MIN) rc = print_holdout(m, rfm, a, &j);
  if (tracking != NULL) print_tracking(tracking, &j);
  cli_json_object_end(&j);
  fputc('\n', stdout);
  return rc;
}

/* A driver as a person reads it: the feature's own value next to the
 * baseline customer's ("3 complaints (typical 0)"). */
static void driver_text(char *buf, size_t cap, int32_t f, double v, double base) {
  switch (f) {
  case CXM_FEATURE_PURCHASE_RISK: snprintf(buf, cap, "P(alive) %.2f (typical %.2f)", 1.0 - v, 1.0 - base); break;
  case CXM_FEATURE_NO_PURCHASE: snprintf(buf, cap, "never bought"); break;
  case CXM_FEATURE_RECENCY: snprintf(buf, cap, "last purchase %.0f weeks ago (typical %.0f)", v, base); break;
  case CXM_FEATURE_DETRACTOR: snprintf(buf, cap, "latest NPS 0-6"); break;
  case CXM_FEATURE_PROMOTER: snprintf(buf, cap, "latest NPS 9-10"); break;
  case CXM_FEATURE_NPS_DROP: snprintf(buf, cap, "NPS fell %.0f points", v * 10.0); break;
  case CXM_FEATURE_HIGH_EFFORT: snprintf(buf, cap, "high-effort answers in 90 days: %.0f", v); break;
  case CXM_FEATURE_OPEN_CONTACTS: snprintf(buf, cap, "open contacts: %.0f", v); break;
  case CXM_FEATURE_OPEN_AGE: snprintf(buf, cap, "contact open %.1f weeks", v); break;
  case CXM_FEATURE_BREACHES: snprintf(buf, cap, "SLA breaches: %.0f", v); break;
  case CXM_FEATURE_COMPLAINTS: snprintf(buf, cap, "net complaints: %.0f (typical %.0f)", v, base); break;
  case CXM_FEATURE_GAP: snprintf(buf, cap, "perception gap %.0f points", v * 100.0); break;
  case CXM_FEATURE_SILENCE: snprintf(buf, cap, "silent %.0f weeks (typical %.0f)", v, base); break;
  case CXM_FEATURE_RECENT_COMPLAINTS: snprintf(buf, cap, "complaints in 90 days: %.0f", v); break;
  case CXM_FEATURE_REPEAT_CONTACTS: snprintf(buf, cap, "repeat contacts in 90 days: %.0f", v); break;
  case CXM_FEATURE_CHANNEL_SWITCHES: snprintf(buf, cap, "channel switches in 90 days: %.0f", v); break;
  case CXM_FEATURE_REOPENS: snprintf(buf, cap, "contacts reopened in 90 days: %.0f", v); break;
  case CXM_FEATURE_TRANSFERS: snprintf(buf, cap, "transfers in 90 days: %.0f", v); break;
  case CXM_FEATURE_UNFOLLOWED_DETRACTORS: snprintf(buf, cap, "detractor answers never followed up: %.0f", v); break;
  default:
    snprintf(buf, cap, "no purchase in horizon: P %.2f (typical %.2f)", 1.0 / (1.0 + exp(-v)),
             1.0 / (1.0 + exp(-base)));
    break;
  }
}

static int print_tables(const cxm_model *m, const cxm_rfm *rfm, const churn_row *rows, size_t n, const char *unit,
                        const churn_risk *risk) {
  char name[32];
  cli_table *t = cli_table_new(3);
  if (t == NULL) {
    return -1;
  }
  cli_table_cell(t, "parameter");
  cli_table_cell(t, "estimate");
  cli_table_cell(t, "std. error");
  for (int32_t i = 0; i < m->param_count; i++) {
    cli_table_cell(t, cxm_model_param_name(m->kind, i));
    cli_table_cellf(t, "%.6g", m->param[i]);
    cli_table_cellf(t, "%.4g", m->se[i]);
  }
  char why[64];
  degenerate_text(why, sizeof why, m->degenerate);
  printf("Model %s: %llu customers, log-likelihood %.4f, %s after %d iterations%s%s%s\n\n", cxm_model_name(m->kind),
         (unsigned long long)m->customers, m->loglik, m->converged ? "converged" : "NOT converged", (int)m->iterations,
         m->degenerate != 0 ? " (degenerate: " : "", why, m->degenerate != 0 ? ")" : "");
  int rc = cli_table_print(t, stdout, NULL);
  cli_table_free(t);
  if (rc != 0) {
    return -1;
  }
  fputc('\n', stdout);
  if (risk != NULL) {
    const cxm_churn_info *in = &risk->info;
    printf("Risk model: %s", source_names[in->source]);
    if (isnan(in->margin))
      printf(" (too few labelled customers to compare models: %llu, %llu lost)\n\n", (unsigned long long)in->train_rows,
             (unsigned long long)in->train_lost);
    else
      printf(
          " (held-out AUC: default %.3f, fitted %.3f, purchase %.3f; fitted needs +%.3f; %llu customers, %llu "
          "lost)\n\n",
          in->heldout_auc[0], in->heldout_auc[1], in->heldout_auc[2], in->margin, (unsigned long long)in->train_rows,
          (unsigned long long)in->train_lost);
    printf("Value at risk in the horizon: %.2f of %.2f expected (%s spend)\n\n", in->value_at_risk, in->expected_value,
           in->spend_fitted ? "Gamma-Gamma" : "mean");
  }
  t = cli_table_new(risk != NULL ? 9 : 6);
  if (t == NULL) {
    return -1;
  }
  char h1[32], h2[32];
  snprintf(h1, sizeof h1, "t_x (%ss)", unit);
  snprintf(h2, sizeof h2, "T (%ss)", unit);
  cli_table_cell(t, "customer");
  cli_table_cell(t, "x");
  cli_table_cell(t, h1);
  cli_table_cell(t, h2);
  cli_table_cell(t, "P(alive)");
  cli_table_cell(t, "risk");
  if (risk != NULL) {
    cli_table_cell(t, "band");
    cli_table_cell(t, "value at risk");
    cli_table_cell(t, "drivers (log-odds)");
  }
  for (size_t i = 0; i < n; i++) {
    cxm_rfm_customer c;
    const char *s;
    size_t len;
    char id[160];
    row_customer(&c, &s, &len, name, sizeof name, &rows[i], rfm, risk);
    snprintf(id, sizeof id, "%.*s", (int)len, s);
    cli_table_cell(t, id);
    cli_table_cellf(t, "%u", (unsigned)c.x);
    cli_table_cellf(t, "%.2f", c.t_x);
    if (isnan(c.T))
      cli_table_cell(t, "-");
    else
      cli_table_cellf(t, "%.2f", c.T);
    if (isnan(rows[i].p_alive))
      cli_table_cell(t, "-");
    else
      cli_table_cellf(t, "%.4f", rows[i].p_alive);
    cli_table_cellf(t, "%.4f", rows[i].risk);
    if (risk != NULL) {
      char text[512] = "";
      size_t k, used = 0, drivers = rows[i].driver_count;
      for (k = 0; k < drivers && k < 3; k++) {
        char what[96];
        int32_t f = rows[i].drivers[k];
        driver_text(what, sizeof what, f, rows[i].value[f], risk->info.baseline[f]);
        int w = snprintf(text + used, sizeof text - used, "%s%s +%.2f", k > 0 ? ", " : "", what, rows[i].weight[f]);
        if (w < 0 || (size_t)w >= sizeof text - used) break;
        used += (size_t)w;
      }
      cli_table_cell(t, band_name(cxm_risk_band(rows[i].risk)));
      cli_table_cellf(t, "%.2f", rows[i].risk * rows[i].worth);
      cli_table_cell(t, drivers > 0 ? text : "-");
    }
  }
  rc = cli_table_print(t, stdout, "Customers by churn risk");
  cli_table_free(t);
  return rc;
}

/* The per-customer summaries of the event files, through a store. */
static int32_t summarise_events(cxm_rfm *rfm, cxm_store **kept, const churn_args *a, int *status, int *verdict) {
  cli_args in_args;
  cli_input totals;
  cxm_store *store = NULL;
  cxm_rfm_options o;
  int32_t rc = cxm_store_new(&store, NULL);
  if (rc != CXM_OK) return rc;
  memset(&in_args, 0, sizeof in_args);
  in_args.threads = a->threads;
  memset(&totals, 0, sizeof totals);
  in_args.from = INT64_MIN; /* every event: the holdout lies after --to */
  in_args.to = INT64_MAX;
  in_args.strict = a->strict;
  in_args.files = a->files;
  in_args.file_count = a->file_count;
  in_args.dialect = a->dialect;
  /* On several threads, merged exactly: the store is the one a reading
   * on one thread gives (cli_read_events_threads()). */
  *status = cli_read_events_threads(&store, NULL, &in_args, &totals);
  *verdict = totals.verdict;
  if (*status != CLI_EXIT_OK) {
    cxm_store_free(store);
    return CXM_OK;
  }
  cxm_rfm_options_init(&o);
  o.to = a->to;
  o.holdout_to = a->holdout_to;
  o.unit_seconds = strcmp(a->unit, "day") == 0 ? 86400.0 : 7.0 * 86400.0;
  rc = cxm_store_rfm(rfm, store, &o);
  *kept = store; /* the risk model reads it next */
  return rc;
}

/* The summaries of a --summary file. */
static int32_t summarise_file(cxm_rfm *rfm, const churn_args *a, int *status) {
  char *buf = NULL;
  size_t len = 0;
  uint64_t line = 0;
  int32_t rc;
  if (slurp(a->summary, &buf, &len) != 0) {
    *status = CLI_EXIT_FAILURE;
    return CXM_OK;
  }
  rc = cxm_rfm_load_csv(rfm, &line, buf, len);
  free(buf);
  if (rc != CXM_OK) {
    char where[4200];
    snprintf(where, sizeof where, "%s:%llu", a->summary, (unsigned long long)line);
    cli_diag(line > 0 ? where : a->summary, cxm_status_str(rc));
    *status = CLI_EXIT_FAILURE;
  }
  return CXM_OK;
}

/* Expected vs actual repeat purchases in the holdout, in total and by
 * calibration frequency (docs/purchase.md). */
static int32_t print_holdout(const cxm_model *m, const cxm_rfm *rfm, const churn_args *a, cli_json *j) {
  cxm_holdout h;
  double unit = strcmp(a->unit, "day") == 0 ? 86400.0 : 7.0 * 86400.0;
  int32_t rc;
  memset(&h, 0, sizeof h);
  h.size = sizeof h;
  rc = cxm_model_holdout(&h, m, rfm, (double)(a->holdout_to - a->to) / unit);
  if (rc != CXM_OK) return rc;
  if (j != NULL) {
    cli_json_keyz(j, "holdout");
    cli_json_object_begin(j);
    cli_json_member_uint(j, "customers", h.customers);
    cli_json_member_number(j, "actual", h.actual);
    cli_json_member_number(j, "expected", h.expected);
    cli_json_keyz(j, "by_frequency");
    cli_json_array_begin(j);
    for (int b = 0; b < CXM_HOLDOUT_BINS; b++) {
      cli_json_object_begin(j);
      cli_json_keyz(j, "x");
      cli_json_int(j, b);
      cli_json_member_uint(j, "customers", h.bin_customers[b]);
      cli_json_keyz(j, "actual");
      if (h.bin_customers[b] == 0)
        cli_json_null(j);
      else
        cli_json_double(j, h.bin_actual[b]);
      cli_json_keyz(j, "expected");
      if (h.bin_customers[b] == 0)
        cli_json_null(j);
      else
        cli_json_double(j, h.bin_expected[b]);
      cli_json_object_end(j);
    }
    cli_json_array_end(j);
    cli_json_object_end(j);
  } else {
    printf("\nholdout: %llu customers, %.1f repeat purchases expected, %.0f actual\n", (unsigned long long)h.customers,
           h.expected, h.actual);
    printf("  x   customers  expected/customer  actual/customer\n");
    for (int b = 0; b < CXM_HOLDOUT_BINS; b++) {
      if (h.bin_customers[b] == 0) continue;
      printf("%3d%s %10llu  %17.3f  %15.3f\n", b, b == CXM_HOLDOUT_BINS - 1 ? "+" : " ",
             (unsigned long long)h.bin_customers[b], h.bin_expected[b], h.bin_actual[b]);
    }
  }
  return CXM_OK;
}

/* The tracking plot (--tracking, docs/purchase.md "Tracking"): from the
 * day of the first event, one period per time unit, through the day before
 * --holdout-to or the last event's day; the cohort is the customers whose
 * first purchase is before --to (all buyers without it). The expected
 * series is null when the model cannot give one (not fitted). */
struct churn_tracking {
  int64_t from, cohort_to;
  int32_t period_days;
  size_t periods;
  double *actual, *expected; /* cumulative; expected NULL when unavailable */
};

static int32_t compute_tracking(churn_tracking *t, const cxm_store *store, const cxm_model *m, const churn_args *a) {
  cxm_store_stats st;
  cxm_tracking_options o;
  int32_t rc;
  memset(t, 0, sizeof *t);
  memset(&st, 0, sizeof st);
  st.size = sizeof st;
  rc = cxm_store_stats_get(&st, store);
  if (rc != CXM_OK) return rc;
  if (st.first == INT64_MAX) return CXM_E_NO_DATA;
  t->period_days = strcmp(a->unit, "day") == 0 ? 1 : 7;
  t->from = st.first - ((st.first % 86400) + 86400) % 86400;
  t->cohort_to = a->to;
  int64_t end = a->holdout_to != INT64_MIN ? a->holdout_to : (st.last - ((st.last % 86400) + 86400) % 86400) + 86400;
  int64_t span = t->period_days * (int64_t)86400;
  t->periods = (size_t)((end - t->from + span - 1) / span);
  if (t->periods == 0) t->periods = 1;
  if (t->periods > 100000) return CXM_E_LIMIT;
  t->actual = calloc(t->periods, sizeof *t->actual);
  t->expected = calloc(t->periods, sizeof *t->expected);
  if (t->actual == NULL || t->expected == NULL) return CXM_E_NOMEM;
  cxm_tracking_options_init(&o);
  o.from = t->from;
  o.cohort_to = t->cohort_to;
  o.period_seconds = (double)span;
  o.unit_seconds = strcmp(a->unit, "day") == 0 ? 86400.0 : 7.0 * 86400.0;
  rc = cxm_store_tracking(t->actual, t->expected, t->periods, store, m, &o);
  if (rc == CXM_E_MODEL) {
    free(t->expected);
    t->expected = NULL;
    rc = cxm_store_tracking(t->actual, NULL, t->periods, store, NULL, &o);
  }
  return rc;
}

static void tracking_series(cli_json *j, const char *key, const double *cum, size_t n, int incremental) {
  cli_json_keyz(j, key);
  if (cum == NULL) {
    cli_json_null(j);
    return;
  }
  cli_json_array_begin(j);
  for (size_t i = 0; i < n; i++) cli_json_double(j, incremental ? cum[i] - (i > 0 ? cum[i - 1] : 0.0) : cum[i]);
  cli_json_array_end(j);
}

static void print_tracking(const churn_tracking *t, cli_json *j) {
  char from[CXM_TIME_TEXT_SIZE], to[CXM_TIME_TEXT_SIZE];
  (void)cxm_time_format(from, sizeof from, t->from);
  from[10] = '\0';
  if (t->cohort_to != INT64_MAX) {
    (void)cxm_time_format(to, sizeof to, t->cohort_to);
    to[10] = '\0';
  }
  if (j != NULL) {
    cli_json_keyz(j, "tracking");
    cli_json_object_begin(j);
    cli_json_keyz(j, "from");
    cli_json_stringz(j, from);
    cli_json_keyz(j, "period_days");
    cli_json_int(j, t->period_days);
    cli_json_keyz(j, "cohort_to");
    if (t->cohort_to != INT64_MAX)
      cli_json_stringz(j, to);
    else
      cli_json_null(j);
    tracking_series(j, "actual_cumulative", t->actual, t->periods, 0);
    tracking_series(j, "expected_cumulative", t->expected, t->periods, 0);
    tracking_series(j, "actual", t->actual, t->periods, 1);
    tracking_series(j, "expected", t->expected, t->periods, 1);
    cli_json_object_end(j);
    return;
  }
  printf("\nTracking: repeat purchases per %s from %s%s%s (cumulative)\n", t->period_days == 1 ? "day" : "week", from,
         t->cohort_to != INT64_MAX ? ", customers first buying before " : "", t->cohort_to != INT64_MAX ? to : "");
  printf("period    actual  expected\n");
  for (size_t i = 0; i < t->periods; i++) {
    if (t->expected != NULL)
      printf("%6zu  %8.0f  %8.1f\n", i + 1, t->actual[i], t->expected[i]);
    else
      printf("%6zu  %8.0f         -\n", i + 1, t->actual[i]);
  }
}

/* Rows of a summary file: risk = 1 - P(alive), no drivers. */
static int32_t summary_rows(churn_row **out, size_t *count, const cxm_rfm *rfm, const cxm_model *m) {
  size_t n = cxm_rfm_count(rfm), i;
  churn_row *rows = calloc(n > 0 ? n : 1, sizeof *rows);
  if (rows == NULL) return CXM_E_NOMEM;
  *out = rows;
  for (i = 0; i < n; i++) {
    cxm_rfm_customer c;
    int32_t rc;
    cxm_rfm_customer_init(&c);
    (void)cxm_rfm_get(&c, rfm, i);
    rows[i].index = i;
    rc = cxm_model_p_alive(&rows[i].p_alive, m, c.x, c.t_x, c.T);
    if (rc != CXM_OK) return rc; /* only for estimates the fit could not make usable */
    rows[i].risk = 1.0 - rows[i].p_alive;
  }
  *count = n;
  return CXM_OK;
}

/* Each row's purchase summary (rfm index) and P(alive) under the purchase
 * model printed with the rows, so a row agrees with its parameters. */
static int32_t attach_purchases(churn_row *rows, size_t n, const cxm_store *store, const cxm_rfm *rfm,
                                const cxm_model *m) {
  cxm_store_stats st;
  size_t *rfm_of, i;
  memset(&st, 0, sizeof st);
  st.size = sizeof st;
  if (cxm_store_stats_get(&st, store) != CXM_OK) return CXM_E_ARG;
  rfm_of = malloc((st.customers > 0 ? (size_t)st.customers : 1) * sizeof *rfm_of);
  if (rfm_of == NULL) return CXM_E_NOMEM;
  for (i = 0; i < st.customers; i++) rfm_of[i] = NO_INDEX;
  for (i = 0; i < cxm_rfm_count(rfm); i++) {
    cxm_rfm_customer c;
    uint32_t handle;
    cxm_rfm_customer_init(&c);
    if (cxm_rfm_get(&c, rfm, i) == CXM_OK && cxm_store_find_customer(&handle, store, c.id, c.id_len) == CXM_OK)
      rfm_of[handle] = i;
  }
  for (i = 0; i < n; i++) {
    churn_row *r = &rows[i];
    cxm_rfm_customer c;
    r->index = rfm_of[r->handle];
    r->p_alive = NAN;
    if (r->index == NO_INDEX) {
      /* First purchase on the last day (T = 0, no summary): the model's
       * value at x = 0, t_x = T = 0, as the library's row has it; NaN for
       * a customer who never bought. */
      if (!isnan(r->p_none) && cxm_model_p_alive(&r->p_alive, m, 0, 0.0, 0.0) != CXM_OK) r->p_alive = NAN;
      continue;
    }
    cxm_rfm_customer_init(&c);
    (void)cxm_rfm_get(&c, rfm, r->index);
    if (cxm_model_p_alive(&r->p_alive, m, c.x, c.t_x, c.T) != CXM_OK) r->p_alive = NAN;
  }
  free(rfm_of);
  return CXM_OK;
}

/* cxm_store_churn() with the command's options. */
static int32_t score_store(cxm_churn **out, const cxm_store *store, const churn_args *a) {
  cxm_churn_options co;
  cxm_churn_options_init(&co);
  co.scored_at = a->to != INT64_MAX ? a->to : CXM_CHURN_AFTER_LAST;
  co.horizon_seconds = a->horizon_days * 86400;
  co.purchase_model = a->model;
  co.calendar = a->calendar;
  co.sla_target_seconds = a->business.sla_target_seconds;
  co.label = a->label;
  co.activity = a->activity;
  co.train_lapsed = a->train_lapsed;
  co.rank = a->rank;
  /* The library's two independent parts side by side (the same bits). */
  size_t threads = a->threads != 0 ? a->threads : cli_default_threads();
  co.run_tasks = cli_run_tasks;
  co.run_tasks_user = &threads;
  return cxm_store_churn(out, store, &co);
}

/* The purchase model of the summaries: in weeks, the scoring already fitted
 * it on the same summaries (as of --to, or of the day after the last event:
 * cxm_churn_purchase_model()), so it is taken from `scores` when they have
 * it; else (days, no scores, or none fitted there) it is fitted here. The
 * status is cxm_model_fit()'s either way. On the 10 M-event benchmark file
 * the fit is most of the command's time (bench/README.md, "Churn"). */
static int32_t purchase_fit(cxm_model *m, const cxm_churn *scores, const cxm_rfm *rfm, const churn_args *a) {
  if (scores != NULL && strcmp(a->unit, "day") != 0 && cxm_churn_purchase_model(m, scores) == CXM_OK &&
      m->kind == a->model)
    return m->converged && isfinite(m->loglik) ? CXM_OK : CXM_E_CONVERGE;
  cxm_fit_options fo;
  cxm_fit_options_init(&fo);
  if (a->penalty >= 0.0) fo.penalty = a->penalty;
  cxm_model_init(m);
  return cxm_model_fit(m, rfm, a->model, &fo);
}

/* Rows of event files: cxm_store_churn() scores every customer at risk
 * (docs/churn.md: scoring time, training cut-off, fitted or default
 * model, drivers); this only copies its rows and info for printing.
 * `scores` (taken over, freed here) when the caller has them already. */
static int32_t risk_rows(churn_row **out, size_t *count, churn_risk *risk, const cxm_store *store, const cxm_rfm *rfm,
                         const cxm_model *m, const churn_args *a, cxm_churn *scores) {
  cxm_churn_info info;
  size_t i, n;
  churn_row *rows;
  int32_t rc = CXM_OK;
  if (scores == NULL) rc = score_store(&scores, store, a);
  if (rc != CXM_OK) return rc;
  memset(&info, 0, sizeof info);
  info.size = sizeof info;
  rc = cxm_churn_info_get(&info, scores);
  risk->store = store;
  risk->info = info;
  risk->model = info.model;
  risk->evaluation = info.evaluation;
  risk->fitted = info.fitted;
  risk->cutoff = info.cutoff;
  risk->scored_at = info.scored_at;
  n = cxm_churn_count(scores);
  rows = calloc(n > 0 ? n : 1, sizeof *rows);
  *out = rows;
  if (rows == NULL) rc = CXM_E_NOMEM;
  for (i = 0; i < n && rc == CXM_OK; i++) {
    cxm_churn_row cr;
    churn_row *r = &rows[i];
    memset(&cr, 0, sizeof cr);
    cr.size = sizeof cr;
    rc = cxm_churn_row_get(&cr, scores, i);
    r->handle = cr.handle;
    r->risk = cr.risk;
    r->p_none = cr.p_no_purchase;
    r->worth = cr.expected_value;
    r->has_drivers = 1;
    r->driver_count = cr.driver_count;
    memcpy(r->drivers, cr.drivers, sizeof r->drivers);
    memcpy(r->weight, cr.driver_weights, sizeof r->weight);
    memcpy(r->value, cr.features, sizeof r->value);
  }
  cxm_churn_free(scores);
  if (rc == CXM_OK) rc = attach_purchases(rows, n, store, rfm, m);
  *count = n;
  return rc;
}

int cli_churn_main(int argc, char **argv) {
  churn_args a;
  int status = parse_args(&a, argc, argv);
  const char *source;
  if (status != CLI_EXIT_OK || a.help || a.version) {
    if (status == CLI_EXIT_OK && a.help) {
      cli_stdout_puts(help_text);
      cli_stdout_puts(help_options);
      cli_stdout_puts(cli_dialect_help);
    }
    if (status == CLI_EXIT_OK && !a.help && a.version) printf("cxm %s\n", cxm_version_string());
    free(a.files);
    if (status == CLI_EXIT_OK && cli_stdout_close() != 0) status = CLI_EXIT_FAILURE;
    return status;
  }
  source = a.summary != NULL ? a.summary : a.files[0];
  /* Checked before reading, so a bad holidays file fails early. */
  if (a.summary == NULL && cli_business_calendar(&a.calendar, &a.business) != 0) {
    free(a.files);
    return CLI_EXIT_USAGE;
  }
  cxm_rfm *rfm = NULL;
  int32_t rc = cxm_rfm_new(&rfm, NULL);
  cxm_store *store = NULL;
  int input_verdict = CLI_EXIT_OK;
  if (rc == CXM_OK)
    rc = a.summary != NULL ? summarise_file(rfm, &a, &status)
                           : summarise_events(rfm, &store, &a, &status, &input_verdict);
  if (rc != CXM_OK || status != CLI_EXIT_OK) {
    if (rc != CXM_OK) cli_diag(source, cxm_status_str(rc));
    cxm_rfm_free(rfm);
    cxm_calendar_free(a.calendar);
    cxm_store_free(store); /* summarise_events hands it over even when the summary failed */
    free(a.files);
    return CLI_EXIT_FAILURE;
  }
  /* Scored first when the scoring's purchase model can be reused; a
   * failure is left to risk_rows() below, which reports it after the fit's
   * messages as before. */
  cxm_churn *scores = NULL;
  if (store != NULL && strcmp(a.unit, "day") != 0 && score_store(&scores, store, &a) != CXM_OK) scores = NULL;
  cxm_model m;
  cxm_model_init(&m);
  rc = purchase_fit(&m, scores, rfm, &a);
  if (rc == CXM_E_NO_DATA && store != NULL) {
    /* Event files without repeat buyers: no purchase model, but the
     * experience signals still give every customer a risk. */
    cxm_model_init(&m);
    m.kind = a.model;
    m.loglik = NAN;
    cli_diag(source, "no repeat purchases: the purchase model is not fitted; risk from experience signals only");
    rc = CXM_OK;
  }
  if (rc != CXM_OK && rc != CXM_E_CONVERGE) {
    cli_diag(source, cxm_status_str(rc));
    cxm_churn_free(scores);
    cxm_rfm_free(rfm);
    cxm_calendar_free(a.calendar);
    cxm_store_free(store);
    free(a.files);
    return CLI_EXIT_FAILURE;
  }
  if (rc == CXM_E_CONVERGE && m.degenerate != 0) {
    char why[64], msg[256];
    degenerate_text(why, sizeof why, m.degenerate);
    /* A property of the data (nobody drops out: b -> infinity), not a
     * failure: the scores are the boundary's limits, so a warning, exit 0. */
    snprintf(msg, sizeof msg,
             "warning: the model fit is degenerate (%s): the estimates printed are a point on the way to a "
             "boundary, not a maximum the data locate",
             why);
    cli_diag(source, msg);
  } else if (rc == CXM_E_CONVERGE) {
    status = CLI_EXIT_FAILURE;
    cli_diag(source, "the model fit did not converge; the estimates printed are the best point reached");
  }
  size_t n = 0;
  churn_row *rows = NULL;
  churn_risk risk;
  memset(&risk, 0, sizeof risk);
  rc = store != NULL ? risk_rows(&rows, &n, &risk, store, rfm, &m, &a, scores) : summary_rows(&rows, &n, rfm, &m);
  scores = NULL; /* risk_rows() freed them */
  if (rc != CXM_OK) {
    cli_diag(source, cxm_status_str(rc));
    free(rows);
    cxm_rfm_free(rfm);
    cxm_store_free(store);
    cxm_calendar_free(a.calendar);
    free(a.files);
    return CLI_EXIT_FAILURE;
  }
  if ((store == NULL || a.rank == CXM_CHURN_RANK_RISK) && !in_risk_order(rows, n))
    qsort(rows, n, sizeof *rows, by_risk); /* else the library's order */
  size_t shown = a.top > 0 && a.top < n ? (size_t)a.top : n;
  churn_tracking tracking;
  memset(&tracking, 0, sizeof tracking);
  if (a.tracking) {
    rc = compute_tracking(&tracking, store, &m, &a);
    if (rc != CXM_OK) {
      cli_diag(source, cxm_status_str(rc));
      free(tracking.actual);
      free(tracking.expected);
      free(rows);
      cxm_rfm_free(rfm);
      cxm_store_free(store);
      cxm_calendar_free(a.calendar);
      free(a.files);
      return CLI_EXIT_FAILURE;
    }
  }
  if (a.json) {
    rc = print_json(&m, rfm, rows, shown, &a, store != NULL ? &risk : NULL, a.tracking ? &tracking : NULL);
  } else if (print_tables(&m, rfm, rows, shown, a.model == CXM_MODEL_BGBB ? "opportunitie" : a.unit,
                          store != NULL ? &risk : NULL) != 0) {
    cli_diag(NULL, "out of memory");
    status = CLI_EXIT_FAILURE;
  } else {
    if (a.holdout_to != INT64_MIN) rc = print_holdout(&m, rfm, &a, NULL);
    if (a.tracking) print_tracking(&tracking, NULL);
  }
  free(tracking.actual);
  free(tracking.expected);
  if (rc == CXM_E_MODEL && a.holdout_to != INT64_MIN) {
    cli_diag(source, "holdout: the expected repeat purchases cannot be computed as finite numbers for these estimates");
    status = CLI_EXIT_FAILURE;
  } else if (rc != CXM_OK && rc != CXM_E_CONVERGE) {
    cli_diag(source, cxm_status_str(rc));
    status = CLI_EXIT_FAILURE;
  }
  if (status == CLI_EXIT_OK) status = input_verdict;
  if (cli_stdout_close() != 0) status = CLI_EXIT_FAILURE;
  free(rows);
  cxm_rfm_free(rfm);
  cxm_store_free(store);
  cxm_calendar_free(a.calendar);
  free(a.files);
  return status;
}
