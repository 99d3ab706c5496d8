/* Command-line options of the cxm subcommands (docs/cli.md).
 *
 * Long options take their value either as the next argument (`--by month`)
 * or after `=` (`--by=month`); `--` ends the options; a lone `-` is a file
 * (standard input). Values are checked here, so a subcommand only runs with
 * valid options. */
#ifndef CXM_CLI_ARGS_H
#define CXM_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "cxm/query.h"
#include "hours.h"
#include "dialect.h"

/* Exit statuses of docs/cli.md. */
enum {
  CLI_EXIT_OK = 0,      /* success, even with rejected rows */
  CLI_EXIT_FAILURE = 1, /* nothing could be read, or --strict met a bad row */
  CLI_EXIT_USAGE = 2    /* usage error */
};

/* Largest accepted --utc-offset magnitude, in seconds (18:00, the range of
 * ISO 8601 offsets that zone databases use). */
#define CLI_MAX_UTC_OFFSET (18 * 3600)

/* Largest accepted --threads. */
#define CLI_MAX_THREADS 256

typedef struct cli_args {
  int help;                        /* --help or -h */
  int version;                     /* --version */
  int json;                        /* --json */
  int strict;                      /* --strict */
  int64_t from;                    /* --from, or INT64_MIN */
  int64_t to;                      /* --to, or INT64_MAX */
  int32_t by[CXM_BY_COUNT];        /* --by dimensions in order, without repeats */
  size_t by_count;                 /* 0: none given */
  int32_t utc_offset;              /* --utc-offset in seconds east of UTC; default 0 */
  const char *holidays;            /* --holidays path, or NULL */
  uint32_t threads;                /* --threads: 1..CLI_MAX_THREADS; 0 when not given (one thread) */
  cli_business business;           /* --hours, --sla-target (hours.c); --utc-offset/--holidays copied in */
  uint64_t min_n;                  /* --min-n: slices with fewer answers are flagged; default 30 */
  int32_t adjust;                  /* --adjust: a cxm_adjust value for the slice-vs-rest tests; default Holm */
  double max_moe;                  /* --max-moe: low base above this margin of error; default +inf (off) */
  int64_t fcr_window_days;         /* --fcr-window: repeat-contact window W in days, 1..3660; default 7 */
  int backlog_series;              /* --backlog-series: the report's JSON gains each slice's daily backlog */
  int32_t nps_detractor_max;       /* --nps-detractor-max 0..10, or -1 for the library's default */
  int32_t csat_detractor_max;      /* --csat-detractor-max 1..5, or -1 */
  int32_t ces_detractor_max;       /* --ces-detractor-max 1..7, or -1 */
  int64_t followup_target_seconds; /* --followup-target: business seconds > 0, or 0 for the default */
  int64_t invitation_window_days;  /* --invitation-window: days 1..3660, or 0 for the default */
  const char *compare;             /* --compare PERIOD (compare.c), or NULL */
  const char *html;                /* --html OUT.html, or NULL */
  cli_dialect dialect;             /* input dialect, --max-rejected, --quiet (dialect.h) */
  char **files;                    /* the FILE operands (borrowed from argv) */
  size_t file_count;
} cli_args;

/* Parse `argv[1..argc-1]` (argv[0] is the subcommand's name, used in
 * messages). On a usage error, prints it on standard error and returns
 * CLI_EXIT_USAGE; otherwise returns CLI_EXIT_OK. With --help or --version
 * the other checks (e.g. that files were given) are skipped. `args->files`
 * is allocated; free it with cli_args_free(). */
int cli_args_parse(cli_args *args, int argc, char **argv);

void cli_args_free(cli_args *args);

/* Parse a --by value: channel, stage, segment, month or week. 0 on success. */
int cli_args_parse_by(int32_t *by, const char *text, size_t len);

/* The --by name of a dimension, or NULL. */
const char *cli_args_by_name(int32_t by);

/* Parse `+HH:MM` or `-HH:MM` (at most CLI_MAX_UTC_OFFSET). 0 on success. */
int cli_args_parse_utc_offset(int32_t *seconds, const char *text);

/* A whole decimal number 0..max (digits only). 0 on success. */
int cli_parse_u64(uint64_t *out, const char *text, uint64_t max);

/* A UTC midnight in the one date syntax of every subcommand (RFC 3339,
 * Unix seconds or a bare YYYY-MM-DD; cli_parse_time_arg). 0 on success. */
int cli_parse_midnight(int64_t *out, const char *text);

/* The valued option at argv[*i] (not a flag, not a file): its index among
 * names[0..count) in *which and its value (after '=' or the next argument,
 * *i then advanced) in *value. CLI_EXIT_OK, or CLI_EXIT_USAGE after
 * "unknown option" or "missing value after" for `command`. */
int cli_option_value(const char *command, const char *const *names, int count, int argc, char **argv, int *i,
                     int *which, const char **value);

#endif
