/* Reading event files into a store (see input.h). */
#include "input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Bytes fed to the reader per call: the chunk size the library's own
 * cxm_store_ingest_file() uses. */
#define CHUNK_SIZE ((size_t)64 * 1024)

/* What happened to one file. */
enum file_outcome {
  FILE_READ,       /* opened, header usable, read to the end */
  FILE_UNREAD,     /* could not be opened or read, or its header is unusable */
  FILE_STRICT_BAD, /* --strict met a bad row */
  FILE_FATAL       /* out of memory or a library failure: stop */
};

/* Passed to the reader's error callback. */
typedef struct file_ctx {
  const char *name;
  int header_reported; /* the reader reported a CXM_E_HEADER itself */
} file_ctx;

static void on_row_error(void *user, const cxm_row_error *error) {
  file_ctx *fc = user;
  cli_diag_row(fc->name, error->line, error->column, error->status > 0, error->reason);
  if (error->status == CXM_E_HEADER) {
    fc->header_reported = 1;
  }
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

void cli_diag_errno(const char *name, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  cli_diag(name, msg);
}

/* Feed one open stream to a new reader on `store`; add its counters to `in`. */
static enum file_outcome read_stream(cxm_store *store, const cli_args *args, const char *name, FILE *f,
                                     int is_stdin, uint8_t *buf, cli_input *in) {
  cxm_reader_options options;
  cxm_reader_stats stats;
  cxm_reader *reader = NULL;
  file_ctx fc;
  int32_t rc;
  int read_error = 0, err = 0;

  fc.name = name;
  fc.header_reported = 0;
  cxm_reader_options_init(&options);
  options.format = !is_stdin && ends_with(name, ".jsonl") ? CXM_FORMAT_JSONL : CXM_FORMAT_CSV;
  options.strict = args->strict ? 1 : 0;
  options.from = args->from;
  options.to = args->to;
  options.on_error = on_row_error;
  options.user = &fc;
  rc = cxm_reader_new(&reader, store, &options);
  if (rc != CXM_OK) {
    cli_diag(name, cxm_status_str(rc));
    return FILE_FATAL;
  }
  for (;;) {
    size_t n = fread(buf, 1, CHUNK_SIZE, f);
    if (n > 0) {
      rc = cxm_reader_feed(reader, buf, n);
      if (rc != CXM_OK) {
        break;
      }
    }
    if (n < CHUNK_SIZE) {
      if (ferror(f)) {
        read_error = 1;
        err = errno;
      }
      break;
    }
  }
  /* After a read error the last record may be cut short: do not finish it. */
  if (rc == CXM_OK && !read_error) {
    rc = cxm_reader_finish(reader);
  }
  memset(&stats, 0, sizeof stats);
  stats.size = sizeof stats;
  if (cxm_reader_stats_get(&stats, reader) == CXM_OK) {
    in->rows += stats.rows;
    in->events += stats.events;
    in->rejected += stats.rejected;
    in->duplicates += stats.duplicates;
    in->out_of_window += stats.out_of_window;
    in->warnings += stats.warnings;
  }
  cxm_reader_free(reader);

  if (read_error) {
    cli_diag_errno(name, "cannot read", err);
    return FILE_UNREAD;
  }
  switch (rc) {
  case CXM_OK:
    return FILE_READ;
  case CXM_E_HEADER:
    if (!fc.header_reported) {
      cli_diag_row(name, 1, "*", 0, cxm_status_str(rc));
    }
    return FILE_UNREAD;
  case CXM_E_ROW:
    return FILE_STRICT_BAD;
  default:
    cli_diag(name, cxm_status_str(rc));
    return FILE_FATAL;
  }
}

static enum file_outcome read_file(cxm_store *store, const cli_args *args, const char *name, uint8_t *buf,
                                   cli_input *in) {
  enum file_outcome outcome;
  FILE *f;
  if (strcmp(name, "-") == 0) {
    return read_stream(store, args, name, stdin, 1, buf, in);
  }
  f = fopen(name, "rb");
  if (f == NULL) {
    cli_diag_errno(name, "cannot open", errno);
    return FILE_UNREAD;
  }
  outcome = read_stream(store, args, name, f, 0, buf, in);
  fclose(f);
  return outcome;
}

int cli_read_events(cxm_store *store, const cli_args *args, cli_input *in) {
  uint8_t *buf = malloc(CHUNK_SIZE);
  size_t i, files_read = 0;
  int status = CLI_EXIT_OK;
  if (buf == NULL) {
    cli_diag(NULL, "out of memory");
    return CLI_EXIT_FAILURE;
  }
  for (i = 0; i < args->file_count && status == CLI_EXIT_OK; i++) {
    const char *name = args->files[i];
    switch (read_file(store, args, name, buf, in)) {
    case FILE_READ:
      files_read++;
      break;
    case FILE_UNREAD:
      if (args->strict) {
        cli_diag(name, "stopped: the file could not be read (--strict)");
        status = CLI_EXIT_FAILURE;
      }
      break;
    case FILE_STRICT_BAD:
      cli_diag(name, "stopped at the first bad row (--strict)");
      status = CLI_EXIT_FAILURE;
      break;
    case FILE_FATAL:
      status = CLI_EXIT_FAILURE;
      break;
    }
  }
  free(buf);
  if (status == CLI_EXIT_OK && files_read == 0) {
    cli_diag(NULL, "no input could be read");
    status = CLI_EXIT_FAILURE;
  }
  return status;
}
