/* Input options shared by the subcommands (see dialect.h). */
#include "dialect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "diag.h"

const char cli_dialect_help[] =
    "\n"
    "Reading exports (docs/events.md, \"Dialects\"):\n"
    "  --format FORMAT    csv or jsonl, for every FILE and standard input;\n"
    "                     default: JSON Lines for *.jsonl and *.ndjson, else CSV\n"
    "  --delimiter SEP    the CSV separator: , ; | or tab; default: found from\n"
    "                     the header row\n"
    "  --time-format PAT  times written as PAT: %Y %m %d %H %M %S %z %% and\n"
    "                     literal characters, e.g. '%m/%d/%Y %H:%M'\n"
    "  --tz +HH:MM        times without a zone are local times at this offset\n"
    "  --assume-utc       times without a zone are UTC (as --tz +00:00)\n"
    "  --max-rejected N   exit with status 1 (after the output) when more than N\n"
    "                     rows, or N% of the rows read, were rejected\n"
    "  -q, --quiet        no progress line on a terminal\n"
    "Header names and the names of kinds, channels, stages and dimensions are\n"
    "read without case; spaces around fields are removed; a FILE ending in .gz,\n"
    "and standard input, may be gzip-compressed; UTF-16 files are read.\n"
    "Exit status 1 also when a FILE could not be read (after reading the others\n"
    "and printing), when no row was accepted, and when output cannot be written.\n";

void cli_dialect_init(cli_dialect *d) {
  memset(d, 0, sizeof *d);
  d->format = CLI_FORMAT_BY_NAME;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int cli_name_is_gzip(const char *name) { return ends_with(name, ".gz"); }

/* A --max-rejected value: digits, an optional fraction, an optional '%'. */
static int parse_limit(cli_dialect *d, const char *text) {
  double v = 0, scale = 1;
  const char *p = text;
  int digits = 0, fraction = 0;
  for (; *p >= '0' && *p <= '9'; p++, digits++) v = v * 10 + (*p - '0');
  if (*p == '.') {
    for (p++; *p >= '0' && *p <= '9'; p++, fraction++) {
      scale /= 10;
      v += (*p - '0') * scale;
    }
    if (fraction == 0) return -1;
  }
  if (digits == 0 || digits > 15) return -1;
  d->max_rejected_percent = *p == '%';
  if (*p == '%') p++;
  if (*p != '\0' || (d->max_rejected_percent && v > 100) || (!d->max_rejected_percent && fraction > 0)) return -1;
  d->max_rejected = v;
  d->has_max_rejected = 1;
  return 0;
}

/* --delimiter: one of , ; | or the word tab (or a literal tab). */
static int parse_delimiter(int32_t *out, const char *text) {
  if (strcmp(text, "tab") == 0 || strcmp(text, "\\t") == 0 || strcmp(text, "\t") == 0) {
    *out = '\t';
    return 0;
  }
  if (strlen(text) == 1 && (text[0] == ',' || text[0] == ';' || text[0] == '|')) {
    *out = text[0];
    return 0;
  }
  return -1;
}

enum { D_FORMAT, D_DELIMITER, D_TIME_FORMAT, D_TZ, D_MAX_REJECTED, D_SNAPSHOT, D_COUNT };
static const char *const valued[D_COUNT] = {"--format", "--delimiter",    "--time-format",
                                            "--tz",     "--max-rejected", "--snapshot"};

int cli_dialect_option(cli_dialect *d, const char *command, int argc, char **argv, int i) {
  const char *arg = argv[i], *eq, *value;
  size_t name_len;
  int k, which = -1, used;
  if (strcmp(arg, "--assume-utc") == 0) {
    if (d->assume_offset && d->utc_offset != 0) {
      cli_diag_usage(command, "--assume-utc and --tz say different things; give one of", "--assume-utc");
      return -1;
    }
    d->assume_offset = 1;
    d->utc_offset = 0;
    return 1;
  }
  if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
    d->quiet = 1;
    return 1;
  }
  eq = strchr(arg, '=');
  name_len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
  for (k = 0; k < D_COUNT; k++)
    if (strlen(valued[k]) == name_len && memcmp(valued[k], arg, name_len) == 0) which = k;
  if (which < 0) return 0;
  if (eq != NULL) {
    value = eq + 1;
    used = 1;
  } else if (i + 1 < argc) {
    value = argv[i + 1];
    used = 2;
  } else {
    cli_diag_usage(command, "missing value after", arg);
    return -1;
  }
  switch (which) {
  case D_FORMAT:
    if (strcmp(value, "csv") == 0) {
      d->format = CXM_FORMAT_CSV;
    } else if (strcmp(value, "jsonl") == 0 || strcmp(value, "ndjson") == 0) {
      d->format = CXM_FORMAT_JSONL;
    } else {
      cli_diag_usage(command, "--format takes csv or jsonl, not", value);
      return -1;
    }
    break;
  case D_DELIMITER:
    if (parse_delimiter(&d->delimiter, value) != 0) {
      cli_diag_usage(command, "--delimiter takes , ; | or tab, not", value);
      return -1;
    }
    break;
  case D_TIME_FORMAT: d->time_format = value; break;
  case D_SNAPSHOT:
    if (*value == '\0') {
      cli_diag_usage(command, "--snapshot takes a file name, not", value);
      return -1;
    }
    d->snapshot = value;
    break;
  case D_TZ: {
    int32_t seconds;
    if (cli_args_parse_utc_offset(&seconds, value) != 0) {
      cli_diag_usage(command, "--tz takes +HH:MM or -HH:MM (at most 18:00), not", value);
      return -1;
    }
    if (d->assume_offset && d->utc_offset != seconds) {
      cli_diag_usage(command, "--tz and --assume-utc (or another --tz) say different things; give one of", value);
      return -1;
    }
    d->assume_offset = 1;
    d->utc_offset = seconds;
    break;
  }
  default:
    if (parse_limit(d, value) != 0) {
      cli_diag_usage(command, "--max-rejected takes a number of rows or a percentage (10, 2.5%), not", value);
      return -1;
    }
    break;
  }
  return used;
}

int cli_dialect_check(const cli_dialect *d, const char *command) {
  cxm_store *store = NULL;
  cxm_reader *reader = NULL;
  cxm_reader_options o;
  int32_t rc;
  if (d->time_format == NULL) return 0;
  /* The library's own rule decides which patterns work. */
  if (cxm_store_new(&store, NULL) != CXM_OK) return 0; /* out of memory: reading will say so */
  cxm_reader_options_init(&o);
  cli_dialect_apply(d, &o, "-");
  rc = cxm_reader_new(&reader, store, &o);
  cxm_reader_free(reader);
  cxm_store_free(store);
  if (rc == CXM_E_OPTION) {
    cli_diag_usage(command,
                   "--time-format takes a pattern of %Y (once), %m, %d, and optionally %H, %M, %S, %z, %% and "
                   "other characters, at most 63 bytes, not",
                   d->time_format);
    return -1;
  }
  return 0;
}

void cli_dialect_apply(const cli_dialect *d, cxm_reader_options *o, const char *name) {
  char base[16];
  size_t n = strlen(name);
  if (d->format != CLI_FORMAT_BY_NAME) {
    o->format = d->format;
  } else {
    /* The name without .gz decides: events.jsonl.gz is JSON Lines. */
    if (cli_name_is_gzip(name)) n -= 3;
    o->format = CXM_FORMAT_CSV;
    if (strcmp(name, "-") != 0 && n >= 6) {
      size_t m = n >= 7 ? 7 : 6;
      memcpy(base, name + n - m, m);
      base[m] = '\0';
      if (ends_with(base, ".jsonl") || ends_with(base, ".ndjson")) o->format = CXM_FORMAT_JSONL;
    }
  }
  o->delimiter = d->delimiter;
  o->time_format = d->time_format;
  o->assume_offset = d->assume_offset;
  o->utc_offset = d->utc_offset;
}

int cli_snapshot_load(cxm_store **store, const char *path, int missing_ok) {
  char msg[256];
  int32_t rc;
  *store = NULL;
  if (missing_ok && access(path, F_OK) != 0 && errno == ENOENT) {
    rc = cxm_store_new(store, NULL);
  } else {
    rc = cxm_store_load(store, path, NULL);
  }
  if (rc == CXM_OK) return 0;
  if (rc == CXM_E_IO)
    snprintf(msg, sizeof msg, "cannot load the snapshot: %s", strerror(errno != 0 ? errno : EIO));
  else
    snprintf(msg, sizeof msg, "cannot load the snapshot: %s", cxm_status_str(rc));
  cli_diag(path, msg);
  return -1;
}

int cli_parse_time_arg(int64_t *out, const char *text) {
  char buf[32];
  size_t len = strlen(text);
  if (len == 10 && text[4] == '-' && text[7] == '-') {
    memcpy(buf, text, 10);
    memcpy(buf + 10, "T00:00:00Z", 11);
    text = buf;
    len = 20;
  }
  return cxm_time_parse(out, text, len) == CXM_OK ? 0 : -1;
}
