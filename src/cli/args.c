/* Command-line options of the cxm subcommands (see args.h). */
#include "args.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/time.h"
#include "diag.h"
#include "dialect.h"
#include "slice_out.h"

static const char *const by_names[CXM_BY_COUNT] = {
    "channel", /* CXM_BY_CHANNEL */
    "stage",   /* CXM_BY_STAGE */
    "segment", /* CXM_BY_SEGMENT */
    "month",   /* CXM_BY_MONTH */
    "week",    /* CXM_BY_WEEK */
};

const char *cli_args_by_name(int32_t by) {
  if (by < 0 || by >= CXM_BY_COUNT) {
    return NULL;
  }
  return by_names[by];
}

int cli_args_parse_by(int32_t *by, const char *text, size_t len) {
  int32_t i;
  for (i = 0; i < CXM_BY_COUNT; i++) {
    if (strlen(by_names[i]) == len && memcmp(by_names[i], text, len) == 0) {
      *by = i;
      return 0;
    }
  }
  return -1;
}

static int two_digits(const char *s, int32_t *out) {
  if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') {
    return -1;
  }
  *out = (int32_t)((s[0] - '0') * 10 + (s[1] - '0'));
  return 0;
}

int cli_args_parse_utc_offset(int32_t *seconds, const char *text) {
  int32_t hours, minutes, total;
  if (strlen(text) != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':' || two_digits(text + 1, &hours) != 0 ||
      two_digits(text + 4, &minutes) != 0 || minutes > 59) {
    return -1;
  }
  total = hours * 3600 + minutes * 60;
  if (total > CLI_MAX_UTC_OFFSET) {
    return -1;
  }
  *seconds = text[0] == '-' ? -total : total;
  return 0;
}

/* Add each comma-separated dimension of `text` to args->by, skipping repeats. */
static int add_by(cli_args *args, const char *text) {
  const char *p = text;
  for (;;) {
    const char *end = strchr(p, ',');
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    int32_t by;
    size_t i;
    int seen = 0;
    if (cli_args_parse_by(&by, p, len) != 0) {
      return -1;
    }
    for (i = 0; i < args->by_count; i++) {
      seen |= args->by[i] == by;
    }
    if (!seen) {
      args->by[args->by_count++] = by;
    }
    if (end == NULL) {
      return 0;
    }
    p = end + 1;
  }
}

/* Options that take a value. */
enum {
  OPT_BY,
  OPT_FROM,
  OPT_TO,
  OPT_UTC_OFFSET,
  OPT_HOLIDAYS,
  OPT_THREADS,
  OPT_MIN_N,
  OPT_COMPARE,
  OPT_HTML,
  OPT_ADJUST,
  OPT_MAX_MOE,
  OPT_FCR_WINDOW,
  OPT_NPS_DETRACTOR_MAX,
  OPT_CSAT_DETRACTOR_MAX,
  OPT_CES_DETRACTOR_MAX,
  OPT_FOLLOWUP_TARGET,
  OPT_INVITATION_WINDOW,
  OPT_VALUED_COUNT
};
static const char *const valued_options[OPT_VALUED_COUNT] = {
    "--by",
    "--from",
    "--to",
    "--utc-offset",
    "--holidays",
    "--threads",
    "--min-n",
    "--compare",
    "--html",
    "--adjust",
    "--max-moe",
    "--fcr-window",
    "--nps-detractor-max",
    "--csat-detractor-max",
    "--ces-detractor-max",
    "--followup-target",
    "--invitation-window",
};

/* A whole number lo..hi into *out. 0 on success. */
static int parse_small(int64_t *out, const char *value, int64_t lo, int64_t hi) {
  int64_t n = 0;
  const char *p = value;
  for (; *p >= '0' && *p <= '9' && n <= hi; p++) n = n * 10 + (*p - '0');
  if (*value == '\0' || *p != '\0' || n < lo || n > hi) return -1;
  *out = n;
  return 0;
}

/* A decimal 1..CLI_MAX_THREADS. 0 on success. */
static int parse_threads(uint32_t *out, const char *text) {
  uint32_t n = 0;
  const char *p = text;
  if (*p == '\0') {
    return -1;
  }
  for (; *p != '\0'; p++) {
    if (*p < '0' || *p > '9') {
      return -1;
    }
    n = n * 10 + (uint32_t)(*p - '0');
    if (n > CLI_MAX_THREADS) {
      return -1;
    }
  }
  if (n == 0) {
    return -1;
  }
  *out = n;
  return 0;
}

static int parse_time_option(int64_t *out, const char *command, const char *option, const char *value) {
  int64_t t;
  if (cli_parse_time_arg(&t, value) != 0) {
    char what[120];
    snprintf(what, sizeof what, "%s takes an RFC 3339 time, a YYYY-MM-DD date (UTC midnight) or Unix seconds, not",
             option);
    cli_diag_usage(command, what, value);
    return -1;
  }
  *out = t;
  return 0;
}

static int apply_valued(cli_args *args, const char *command, int option, const char *value) {
  switch (option) {
  case OPT_BY:
    if (add_by(args, value) != 0) {
      cli_diag_usage(command, "--by takes channel, stage, segment, month or week, not", value);
      return -1;
    }
    return 0;
  case OPT_FROM: return parse_time_option(&args->from, command, "--from", value);
  case OPT_TO: return parse_time_option(&args->to, command, "--to", value);
  case OPT_UTC_OFFSET:
    if (cli_args_parse_utc_offset(&args->utc_offset, value) != 0) {
      cli_diag_usage(command, "--utc-offset takes +HH:MM or -HH:MM (at most 18:00), not", value);
      return -1;
    }
    return 0;
  case OPT_HOLIDAYS: args->holidays = value; return 0;
  case OPT_THREADS:
    if (parse_threads(&args->threads, value) != 0) {
      cli_diag_usage(command, "--threads takes a whole number 1..256, not", value);
      return -1;
    }
    return 0;
  case OPT_MIN_N: {
    uint64_t n = 0;
    const char *p = value;
    for (; *p >= '0' && *p <= '9' && n <= 1000000000; p++) n = n * 10 + (uint64_t)(*p - '0');
    if (*value == '\0' || *p != '\0' || n > 1000000000) {
      cli_diag_usage(command, "--min-n takes a whole number 0..1000000000, not", value);
      return -1;
    }
    args->min_n = n;
    return 0;
  }
  case OPT_FCR_WINDOW: {
    int64_t days = 0;
    const char *p = value;
    for (; *p >= '0' && *p <= '9' && days <= 3660; p++) days = days * 10 + (*p - '0');
    if (*value == '\0' || *p != '\0' || days < 1 || days > 3660) {
      cli_diag_usage(command, "--fcr-window takes a whole number of days 1..3660, not", value);
      return -1;
    }
    args->fcr_window_days = days;
    return 0;
  }
  case OPT_NPS_DETRACTOR_MAX:
  case OPT_CSAT_DETRACTOR_MAX:
  case OPT_CES_DETRACTOR_MAX: {
    static const int32_t lo[] = {0, 1, 1}, hi[] = {10, 5, 7};
    static const char *const what[] = {"--nps-detractor-max takes a whole number 0..10, not",
                                       "--csat-detractor-max takes a whole number 1..5, not",
                                       "--ces-detractor-max takes a whole number 1..7, not"};
    int k = option - OPT_NPS_DETRACTOR_MAX;
    int64_t n = 0;
    if (parse_small(&n, value, lo[k], hi[k]) != 0) {
      cli_diag_usage(command, what[k], value);
      return -1;
    }
    *(k == 0 ? &args->nps_detractor_max : k == 1 ? &args->csat_detractor_max : &args->ces_detractor_max) = (int32_t)n;
    return 0;
  }
  case OPT_FOLLOWUP_TARGET:
    if (cli_business_parse_duration(&args->followup_target_seconds, value) != 0 || args->followup_target_seconds < 1) {
      cli_diag_usage(command,
                     "--followup-target takes a business-time duration such as 8h, 30m, 1h30m or 90s (at most "
                     "8784h), not",
                     value);
      return -1;
    }
    return 0;
  case OPT_INVITATION_WINDOW:
    if (parse_small(&args->invitation_window_days, value, 1, 3660) != 0) {
      cli_diag_usage(command, "--invitation-window takes a whole number of days 1..3660, not", value);
      return -1;
    }
    return 0;
  case OPT_COMPARE:
    args->compare = value; /* checked by compare.c, which knows the periods */
    return 0;
  case OPT_HTML:
    if (*value == '\0') {
      cli_diag_usage(command, "--html takes an output file name, not", value);
      return -1;
    }
    args->html = value;
    return 0;
  case OPT_ADJUST:
    if (cli_slice_parse_adjust(&args->adjust, value) != 0) {
      cli_diag_usage(command, "--adjust takes holm, bh or none, not", value);
      return -1;
    }
    return 0;
  case OPT_MAX_MOE: {
    char *end = NULL;
    double v = strtod(value, &end);
    if (*value == '\0' || end == NULL || *end != '\0' || !(v > 0.0) || !isfinite(v)) {
      cli_diag_usage(command, "--max-moe takes a number above 0, not", value);
      return -1;
    }
    args->max_moe = v;
    return 0;
  }
  default: return -1;
  }
}

int cli_args_parse(cli_args *args, int argc, char **argv) {
  const char *command = argc > 0 ? argv[0] : "cxm";
  int i, only_files = 0;
  memset(args, 0, sizeof *args);
  args->from = INT64_MIN;
  args->to = INT64_MAX;
  args->threads = 0; /* not given */
  args->min_n = 30;
  args->adjust = CXM_ADJUST_HOLM;
  args->max_moe = INFINITY;
  args->fcr_window_days = 7;
  args->nps_detractor_max = -1;
  args->csat_detractor_max = -1;
  args->ces_detractor_max = -1;
  cli_business_init(&args->business);
  cli_dialect_init(&args->dialect);
  args->files = calloc((size_t)(argc > 0 ? argc : 1), sizeof *args->files);
  if (args->files == NULL) {
    cli_diag(NULL, "out of memory");
    return CLI_EXIT_FAILURE;
  }
  for (i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char *eq;
    size_t name_len;
    int opt, matched = -1;
    if (only_files || arg[0] != '-' || strcmp(arg, "-") == 0) {
      args->files[args->file_count++] = argv[i];
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      only_files = 1;
      continue;
    }
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      args->help = 1;
      continue;
    }
    if (strcmp(arg, "--version") == 0) {
      args->version = 1;
      continue;
    }
    if (strcmp(arg, "--json") == 0) {
      args->json = 1;
      continue;
    }
    if (strcmp(arg, "--strict") == 0) {
      args->strict = 1;
      continue;
    }
    if (strcmp(arg, "--backlog-series") == 0) {
      args->backlog_series = 1;
      continue;
    }
    {
      int used = cli_dialect_option(&args->dialect, command, argc, argv, i);
      if (used < 0) {
        return CLI_EXIT_USAGE;
      }
      if (used > 0) {
        i += used - 1;
        continue;
      }
    }
    eq = strchr(arg, '=');
    name_len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
    for (opt = 0; opt < OPT_VALUED_COUNT; opt++) {
      if (strlen(valued_options[opt]) == name_len && memcmp(valued_options[opt], arg, name_len) == 0) {
        matched = opt;
      }
    }
    if (matched < 0 && cli_business_is_option(arg, name_len)) {
      const char *value = eq != NULL ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
      if (value == NULL) {
        cli_diag_usage(command, "missing value after", arg);
        return CLI_EXIT_USAGE;
      }
      if (cli_business_apply(&args->business, command, arg, name_len, value) != 0) return CLI_EXIT_USAGE;
      continue;
    }
    if (matched < 0) {
      cli_diag_usage(command, "unknown option", arg);
      return CLI_EXIT_USAGE;
    }
    if (eq == NULL) {
      if (i + 1 >= argc) {
        cli_diag_usage(command, "missing value after", arg);
        return CLI_EXIT_USAGE;
      }
      i++;
      if (apply_valued(args, command, matched, argv[i]) != 0) {
        return CLI_EXIT_USAGE;
      }
    } else if (apply_valued(args, command, matched, eq + 1) != 0) {
      return CLI_EXIT_USAGE;
    }
  }
  if (args->help || args->version) {
    return CLI_EXIT_OK;
  }
  if (cli_dialect_check(&args->dialect, command) != 0) {
    return CLI_EXIT_USAGE;
  }
  if (args->from >= args->to) {
    cli_diag_usage(command, "the window is empty: --from must come before --to", NULL);
    return CLI_EXIT_USAGE;
  }
  if (args->file_count == 0 && args->dialect.snapshot == NULL) {
    cli_diag_usage(command, "no input files (use - for standard input)", NULL);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

void cli_args_free(cli_args *args) {
  free(args->files);
  args->files = NULL;
  args->file_count = 0;
}

int cli_parse_u64(uint64_t *out, const char *text, uint64_t max) {
  uint64_t v = 0;
  if (*text == '\0') return -1;
  for (; *text != '\0'; text++) {
    if (*text < '0' || *text > '9' || v > (UINT64_MAX - 9) / 10) return -1;
    v = v * 10 + (uint64_t)(*text - '0');
  }
  if (v > max) return -1;
  *out = v;
  return 0;
}

int cli_parse_midnight(int64_t *out, const char *text) {
  return cli_parse_time_arg(out, text) == 0 && *out % 86400 == 0 ? 0 : -1;
}

int cli_option_value(const char *command, const char *const *names, int count, int argc, char **argv, int *i,
                     int *which, const char **value) {
  const char *arg = argv[*i], *eq = strchr(arg, '=');
  size_t nlen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
  *which = -1;
  for (int k = 0; k < count; k++)
    if (strlen(names[k]) == nlen && memcmp(names[k], arg, nlen) == 0) *which = k;
  if (*which < 0) {
    cli_diag_usage(command, "unknown option", arg);
    return CLI_EXIT_USAGE;
  }
  if (eq != NULL) {
    *value = eq + 1;
  } else if (*i + 1 < argc) {
    *value = argv[++*i];
  } else {
    cli_diag_usage(command, "missing value after", arg);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}
