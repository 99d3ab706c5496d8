/* Input options of the cxm subcommands that reading event files shares
 * (docs/cli.md, "Reading exports"): the dialect (--format, --delimiter,
 * --time-format, --tz, --assume-utc), how loudly to fail (--max-rejected)
 * and --quiet. Parsed here so that `report` and `churn` accept them alike;
 * turned into the library's cxm_reader_options by cli_dialect_apply(). */
#ifndef CXM_CLI_DIALECT_H
#define CXM_CLI_DIALECT_H

#include <stdint.h>

#include "cxm.h"

/* --format: by the file's name, or forced. */
enum { CLI_FORMAT_BY_NAME = -1 };

typedef struct cli_dialect {
  int32_t format;           /* CLI_FORMAT_BY_NAME or CXM_FORMAT_CSV / CXM_FORMAT_JSONL */
  int32_t delimiter;        /* 0: detect */
  const char *time_format;  /* --time-format, or NULL */
  int32_t assume_offset;    /* --tz or --assume-utc given */
  int32_t utc_offset;       /* their offset, seconds east of UTC */
  int has_max_rejected;     /* --max-rejected given */
  int max_rejected_percent; /* its value ends in % */
  double max_rejected;      /* rows, or percent of the rows read */
  int quiet;                /* --quiet */
  const char *snapshot;     /* --snapshot FILE (cxm ingest, cxm report), or NULL */
} cli_dialect;

/* The --help section of these options, shared by the subcommands. */
extern const char cli_dialect_help[];

/* The defaults (all by name or detected, no limit, progress on). */
void cli_dialect_init(cli_dialect *d);

/* Try argv[i] as one of these options (value as the next argument or after
 * `=`). Returns the number of arguments used (1 or 2), 0 when argv[i] is
 * not one of them, or -1 after printing a usage error for `command`. */
int cli_dialect_option(cli_dialect *d, const char *command, int argc, char **argv, int i);

/* Checks that need every option (--tz with --assume-utc, a --time-format
 * the library refuses). 0, or -1 after printing a usage error. */
int cli_dialect_check(const cli_dialect *d, const char *command);

/* Fill the dialect fields of `o` and its format for the input `name`
 * (`-` is standard input): --format, else JSON Lines for a name ending in
 * .jsonl or .ndjson (before any .gz), else CSV. */
void cli_dialect_apply(const cli_dialect *d, cxm_reader_options *o, const char *name);

/* Load d->snapshot into *store (`cxm: FILE: cannot load the snapshot:
 * REASON` on failure). With `missing_ok`, a file that does not exist gives
 * a new empty store. 0, or -1 after the message. */
int cli_snapshot_load(cxm_store **store, const char *path, int missing_ok);

/* Whether `name` ends in .gz (gzip-compressed input). */
int cli_name_is_gzip(const char *name);

/* A time given on the command line (--from, --to, churn's --to and
 * --holdout-to): RFC 3339, Unix seconds or milliseconds (cxm_time_parse),
 * or a YYYY-MM-DD date meaning its UTC midnight. 0 on success. */
int cli_parse_time_arg(int64_t *out, const char *text);

#endif
