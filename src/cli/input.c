/* Reading event files into a store (see input.h). */
/* madvise() and MADV_DONTNEED (glibc hides them under plain POSIX). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "dialect.h"
#include "progress.h"
#include "source.h"
#include "unicode.h"

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
  cli_progress progress;
} file_ctx;

static void on_row_error(void *user, const cxm_row_error *error) {
  file_ctx *fc = user;
  cli_progress_clear(&fc->progress);
  cli_diag_row(fc->name, error->line, error->column, error->status > 0, error->reason);
  if (error->status == CXM_E_HEADER) {
    fc->header_reported = 1;
  }
}

void cli_diag_errno(const char *name, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  cli_diag(name, msg);
}

/* Feed one open input to a new reader on `store`; add its counters to `in`. */
static enum file_outcome read_stream(cxm_store *store, const cli_args *args, const char *name, cli_source *src,
                                     uint8_t *buf, cli_input *in) {
  cxm_reader_options options;
  cxm_reader_stats stats;
  cxm_reader *reader = NULL;
  file_ctx fc;
  int32_t rc;
  int read_error = 0;

  fc.name = name;
  fc.header_reported = 0;
  cli_progress_start(&fc.progress, name, src->total, args->dialect.quiet);
  cxm_reader_options_init(&options);
  cli_dialect_apply(&args->dialect, &options, name);
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
  memset(&stats, 0, sizeof stats);
  stats.size = sizeof stats;
  for (;;) {
    long n = cli_source_read(src, buf, CHUNK_SIZE);
    if (n < 0) {
      read_error = 1;
      break;
    }
    if (n == 0) {
      break;
    }
    rc = cxm_reader_feed(reader, buf, (size_t)n);
    if (rc != CXM_OK) {
      break;
    }
    if (fc.progress.enabled && cxm_reader_stats_get(&stats, reader) == CXM_OK) {
      cli_progress_update(&fc.progress, cli_source_offset(src), stats.rows);
    }
  }
  cli_progress_clear(&fc.progress);
  /* After a read error the last record may be cut short: do not finish it. */
  if (rc == CXM_OK && !read_error) {
    rc = cxm_reader_finish(reader);
  }
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
    char msg[256];
    snprintf(msg, sizeof msg, "cannot read: %s", cli_source_reason(src));
    cli_diag(name, msg);
    return FILE_UNREAD;
  }
  switch (rc) {
  case CXM_OK: return FILE_READ;
  case CXM_E_HEADER:
    if (!fc.header_reported) {
      cli_diag_row(name, 1, "*", 0, cxm_status_str(rc));
    }
    return FILE_UNREAD;
  case CXM_E_ROW: return FILE_STRICT_BAD;
  default: cli_diag(name, cxm_status_str(rc)); return FILE_FATAL;
  }
}

static enum file_outcome read_file(cxm_store *store, const cli_args *args, const char *name, uint8_t *buf,
                                   cli_input *in) {
  enum file_outcome outcome;
  cli_source src;
  if (cli_source_open(&src, name) != 0) {
    char msg[256];
    snprintf(msg, sizeof msg, "cannot open: %s", cli_source_reason(&src));
    cli_diag(name, msg);
    return FILE_UNREAD;
  }
  outcome = read_stream(store, args, name, &src, buf, in);
  cli_source_close(&src);
  return outcome;
}

/* ---- reading a file in parallel ranges (cli_read_events_threads) ------- */

/* Diagnostics of one range, kept until the ranges before it are printed:
 * records of (reader's line, text length, text), the text being
 * "COLUMN: [warning: ]REASON" already sanitised. */
typedef struct diag_buf {
  char *p;
  size_t len, cap;
  int failed; /* out of memory: the range is read again on one thread */
} diag_buf;

static void diag_put(diag_buf *b, const void *data, size_t n) {
  if (b->failed) {
    return;
  }
  if (n > b->cap - b->len) {
    size_t cap = b->cap == 0 ? 1024 : b->cap;
    char *p;
    while (cap - b->len < n) {
      cap *= 2;
    }
    p = realloc(b->p, cap);
    if (p == NULL) {
      b->failed = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

/* Append `text` with control characters (and DEL) as \xNN and invisible
 * format characters as \uXXXX, as diag.c writes them. */
static void diag_put_sanitized(diag_buf *b, const char *text) {
  const unsigned char *s = (const unsigned char *)text;
  size_t left = strlen(text);
  for (; *s != '\0'; s++, left--) {
    uint32_t cp;
    size_t n = cli_format_char(&cp, s, left);
    if (n > 0) {
      char esc[CLI_FORMAT_ESCAPE_MAX];
      diag_put(b, esc, cli_format_escape(esc, cp));
      s += n - 1;
      left -= n - 1;
    } else if (*s < 0x20 || *s == 0x7F) {
      char esc[5];
      snprintf(esc, sizeof esc, "\\x%02x", (unsigned)*s);
      diag_put(b, esc, 4);
    } else {
      diag_put(b, s, 1);
    }
  }
}

/* The progress line of a file read in ranges: every range adds the bytes
 * and rows it has read; the main thread, which reads the first range,
 * draws the line. */
typedef struct range_progress {
  atomic_ullong bytes, lines; /* lines: rows, as the one-thread reading counts them */
  cli_progress line;
} range_progress;

/* One byte range of a file and what reading it gave. */
typedef struct range_job {
  range_progress *progress; /* shared by the file's ranges */
  int draws;                /* this range's reading draws the progress line */
  const uint8_t *header;    /* bytes fed first (the CSV header of ranges after the first), or NULL */
  size_t header_len;
  uint64_t header_lines; /* '\n' in them */
  const uint8_t *data;   /* the range, in the file's mapping (read only to number diagnostics) */
  size_t len;
  int fd;        /* the file, whose bytes the reading takes with pread() */
  size_t offset; /* the range's first byte in it */
  const cli_args *args;
  int32_t format;
  const cxm_store_options *options;
  cxm_store *store; /* the range's events */
  int32_t rc;       /* the reading's status */
  cxm_reader_stats stats;
  uint64_t hidden; /* warnings about the header, reported by the first range only */
  diag_buf diags;
} range_job;

static void on_range_error(void *user, const cxm_row_error *error) {
  range_job *job = user;
  size_t start, text_len;
  if (job->header != NULL && error->line <= job->header_lines) {
    /* The header's own reports (unknown columns): the first range has them. */
    job->hidden += error->status > 0;
    return;
  }
  diag_put(&job->diags, &error->line, sizeof error->line);
  start = job->diags.len;
  text_len = 0;
  diag_put(&job->diags, &text_len, sizeof text_len); /* patched below */
  diag_put_sanitized(&job->diags, error->column != NULL ? error->column : "*");
  diag_put(&job->diags, ": ", 2);
  if (error->status > 0) {
    diag_put(&job->diags, "warning: ", 9);
  }
  diag_put_sanitized(&job->diags, error->reason != NULL ? error->reason : "bad row");
  if (!job->diags.failed) {
    text_len = job->diags.len - start - sizeof text_len;
    memcpy(job->diags.p + start, &text_len, sizeof text_len);
  }
}

static uint64_t count_newlines(const uint8_t *d, size_t n) {
  uint64_t k = 0;
  const uint8_t *end = d + n;
  while (d < end) {
    const uint8_t *q = memchr(d, '\n', (size_t)(end - d));
    if (q == NULL) {
      break;
    }
    k++;
    d = q + 1;
  }
  return k;
}

/* Bytes of a range read and fed to its reader per call; the progress
 * line is drawn after each step of the first range. */
#define RANGE_STEP ((size_t)1024 * 1024)

/* Drop the whole pages of d[0..n) from the process's mapping of the file:
 * they stay in the page cache, and reading them again maps them again
 * from it, unchanged, since the mapping is read-only. The cuts read a few
 * pages of the mapping (for a file with quotes, all of it): without this
 * they would count in the resident size. A hint only. */
static void drop_read(const uint8_t *d, size_t n) {
  long page = sysconf(_SC_PAGESIZE);
  uintptr_t begin, end;
  if (page <= 0 || n == 0) {
    return;
  }
  begin = ((uintptr_t)d + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  end = ((uintptr_t)d + n) & ~((uintptr_t)page - 1);
#ifdef MADV_DONTNEED
  if (end > begin) {
    (void)madvise((void *)begin, end - begin, MADV_DONTNEED);
  }
#else
  (void)begin;
  (void)end;
#endif
}

/* Read exactly n bytes at `offset` of fd into buf: 0, or -1 (an error, or
 * a file that has become shorter since it was measured). */
static int pread_all(int fd, uint8_t *buf, size_t n, size_t offset) {
  while (n > 0) {
    ssize_t got = pread(fd, buf, n, (off_t)offset);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      return -1;
    }
    buf += got;
    n -= (size_t)got;
    offset += (size_t)got;
  }
  return 0;
}

/* Whether `byte` occurs in the n bytes at `offset` of fd (-1: unreadable).
 * Read with pread() rather than through the mapping: on a virtual machine
 * a fault per 64 KiB of mapped file made this pass five times slower. */
static int file_has_byte(int fd, size_t offset, size_t n, uint8_t byte) {
  uint8_t *buf = malloc(RANGE_STEP);
  int found = 0;
  if (buf == NULL) {
    return -1;
  }
  while (n > 0 && found == 0) {
    size_t step = n < RANGE_STEP ? n : RANGE_STEP;
    if (pread_all(fd, buf, step, offset) != 0) {
      found = -1;
      break;
    }
    found = memchr(buf, byte, step) != NULL;
    offset += step;
    n -= step;
  }
  free(buf);
  return found;
}

/* Feed the job's range to `reader` step by step, read with pread() into a
 * buffer of its own (the faults of reading through the mapping cost more
 * than the copy). The progress line counts the reader's rows (as on one
 * thread). A range that can no longer be read in full (the file became
 * shorter) is CXM_E_STATE: the file is then read again on one thread,
 * which reports it. */
static int32_t feed_range(cxm_reader *reader, range_job *job) {
  uint8_t *buf = malloc(RANGE_STEP);
  size_t at = 0;
  uint64_t rows = 0;
  int32_t rc = buf != NULL ? CXM_OK : CXM_E_NOMEM;
  cxm_reader_stats stats;
  memset(&stats, 0, sizeof stats);
  stats.size = sizeof stats;
  while (at < job->len && rc == CXM_OK) {
    size_t n = job->len - at < RANGE_STEP ? job->len - at : RANGE_STEP;
    if (pread_all(job->fd, buf, n, job->offset + at) != 0) {
      rc = CXM_E_STATE;
      break;
    }
    rc = cxm_reader_feed(reader, buf, n);
    at += n;
    atomic_fetch_add(&job->progress->bytes, (unsigned long long)n);
    if (cxm_reader_stats_get(&stats, reader) == CXM_OK && stats.rows > rows) {
      atomic_fetch_add(&job->progress->lines, (unsigned long long)(stats.rows - rows));
      rows = stats.rows;
    }
    if (job->draws && job->progress->line.enabled) {
      cli_progress_update(&job->progress->line, atomic_load(&job->progress->bytes), atomic_load(&job->progress->lines));
    }
  }
  free(buf);
  return rc;
}

/* Read one range into a new store: on its own thread, touching nothing
 * but its job (and the pages of its range in the mapping). */
static void *run_range(void *arg) {
  range_job *job = arg;
  cxm_reader_options options;
  cxm_reader *reader = NULL;
  int32_t rc;
  rc = cxm_store_new(&job->store, job->options);
  if (rc == CXM_OK) {
    cxm_reader_options_init(&options);
    cli_dialect_apply(&job->args->dialect, &options, "-");
    options.format = job->format;
    options.from = job->args->from;
    options.to = job->args->to;
    options.on_error = on_range_error;
    options.user = job;
    rc = cxm_reader_new(&reader, job->store, &options);
  }
  if (rc == CXM_OK && job->header != NULL) {
    rc = cxm_reader_feed(reader, job->header, job->header_len);
  }
  if (rc == CXM_OK) {
    rc = feed_range(reader, job);
  }
  if (rc == CXM_OK) {
    rc = cxm_reader_finish(reader);
  }
  if (reader != NULL) {
    memset(&job->stats, 0, sizeof job->stats);
    job->stats.size = sizeof job->stats;
    if (cxm_reader_stats_get(&job->stats, reader) != CXM_OK && rc == CXM_OK) {
      rc = CXM_E_STATE;
    }
    cxm_reader_free(reader);
  }
  if (rc == CXM_OK && job->diags.failed) {
    rc = CXM_E_NOMEM;
  }
  job->rc = rc;
  return NULL;
}

/* Index just past the '\n' that ends the CSV record starting at `p`, or
 * `len`: the library's framing (cxm_csv_record_end), so the ranges are cut
 * exactly where one reader would end records and their diagnostics agree.
 * The arguments are valid by construction, so it cannot fail. */
static size_t csv_record_end(const uint8_t *d, size_t len, size_t p) {
  size_t end = len;
  (void)cxm_csv_record_end(&end, d, len, p, ',');
  return end;
}

/* Where the CSV header record ends (just past its '\n'), or 0 when the
 * file holds no complete header line. Blank lines before it are skipped,
 * as the reader does, and a leading byte-order mark. */
static size_t csv_header_end(const uint8_t *d, size_t len) {
  size_t p = len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF ? 3 : 0;
  while (p < len) {
    size_t e = csv_record_end(d, len, p);
    size_t n = e - p;
    if (e == len && d[len - 1] != '\n') {
      return 0;
    }
    /* the content without its "\n" or "\r\n" */
    n -= 1;
    if (n > 0 && d[p + n - 1] == '\r') {
      n--;
    }
    if (n > 0) {
      return e;
    }
    p = e;
  }
  return 0;
}

/* Whether the ranges can be cut as this file cuts them: UTF-8 (not UTF-16,
 * which the reader transcodes) and, for CSV, fields separated by commas
 * (the cuts honour quotes opened after a comma only). Other files are read
 * on one thread. */
static int comma_utf8(const uint8_t *d, size_t len, size_t header, const cli_dialect *dialect) {
  if ((len >= 2 && (d[0] == 0xFF || d[0] == 0xFE || d[0] == 0 || d[1] == 0))) {
    return 0;
  }
  if (header == 0) {
    return 1; /* JSON Lines */
  }
  if (dialect->delimiter != 0) {
    return dialect->delimiter == ',';
  }
  return memchr(d, ';', header) == NULL && memchr(d, '\t', header) == NULL && memchr(d, '|', header) == NULL;
}

/* The column of `time` in the CSV header d[0..header) (fields separated
 * by commas, unquoted, any case, spaces around allowed), or -1. */
static long time_column(const uint8_t *d, size_t header) {
  size_t p = 0;
  long col = 0;
  if (header >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
    p = 3;
  }
  while (p < header && (d[p] == '\n' || d[p] == '\r')) {
    p++;
  }
  while (p < header) {
    size_t q = p, a, b;
    while (q < header && d[q] != ',' && d[q] != '\n' && d[q] != '\r') {
      q++;
    }
    for (a = p; a < q && d[a] == ' '; a++) {
    }
    for (b = q; b > a && d[b - 1] == ' '; b--) {
    }
    if (b - a == 4 && (d[a] | 0x20) == 't' && (d[a + 1] | 0x20) == 'i' && (d[a + 2] | 0x20) == 'm' &&
        (d[a + 3] | 0x20) == 'e') {
      return col;
    }
    if (q >= header || d[q] != ',') {
      return -1;
    }
    col++;
    p = q + 1;
  }
  return -1;
}

/* The UTC day of the time field of the line at d[p..], for the two forms
 * an export writes most: RFC 3339 "YYYY-MM-DD..." (its date: an offset
 * other than Z may shift the UTC day, which only makes the choice of a cut
 * worse, never wrong) or Unix seconds. -1 when the line has no such field. */
static int64_t line_day(const uint8_t *d, size_t len, size_t p, long col) {
  size_t q;
  int64_t day = 0;
  for (; col > 0 && p < len; p++) {
    if (d[p] == '\n') {
      return -1;
    }
    col -= d[p] == ',';
  }
  while (p < len && d[p] == ' ') {
    p++;
  }
  for (q = p; q < len && q - p < 18 && d[q] >= '0' && d[q] <= '9'; q++) {
    day = day * 10 + (d[q] - '0');
  }
  if (q - p == 4 && q + 6 <= len && d[q] == '-' && d[q + 3] == '-') {
    int64_t month = (d[q + 1] - '0') * 10 + (d[q + 2] - '0'), mday = (d[q + 4] - '0') * 10 + (d[q + 5] - '0');
    return (day * 12 + month) * 31 + mday; /* an order of days, not a count */
  }
  if (q > p && (q >= len || d[q] == ',' || d[q] == '\n' || d[q] == '\r' || d[q] == ' ')) {
    return day / 86400;
  }
  return -1;
}

/* Move the cut at `b` (a line start) forward to the first line whose day
 * is later than that of the line at `b`, looking at most `reach` bytes
 * ahead; `b` when there is none. In a file in time order (an event log)
 * the parts then rarely share a customer day, whose purchase amounts a
 * merge could not add as one store does (docs/cli.md: the file would be
 * read again on one thread). */
static size_t day_cut(const uint8_t *d, size_t len, size_t b, long col, size_t reach) {
  int64_t first = line_day(d, len, b, col);
  size_t p = b, end = len - b < reach ? len : b + reach;
  if (first < 0) {
    return b;
  }
  while (p < end) {
    const uint8_t *nl = memchr(d + p, '\n', len - p);
    int64_t day;
    if (nl == NULL) {
      return b;
    }
    p = (size_t)(nl - d) + 1;
    day = p < len ? line_day(d, len, p, col) : -1;
    if (day > first) {
      return p;
    }
  }
  return b;
}

/* Cut d[0..len) into at most `parts` ranges at record starts, the last
 * `last` times as long as each of the others; `cuts` receives the starts
 * of ranges 1.. (at least `start`). `plain`: no '"' after the header, so
 * that every '\n' ends a record. Returns the number of ranges. */
static size_t find_cuts(size_t *cuts, const uint8_t *d, size_t len, size_t start, size_t parts, double last, int csv,
                        int plain) {
  size_t j, ranges = 1, p = start;
  double whole = (double)(parts - 1) + last; /* in parts */
  long col = csv ? time_column(d, start) : -1;
  for (j = 1; j < parts; j++) {
    size_t target = (size_t)((double)len * (double)j / whole), b;
    /* A day cut moves forward by at most an eighth of the range after it. */
    size_t slack = (size_t)((double)len * (j + 1 < parts ? 1.0 : last) / whole / 8.0);
    if (target < start) {
      target = start;
    }
    if (plain) {
      const uint8_t *nl = target == 0 ? d - 1 : memchr(d + target - 1, '\n', len - (target - 1));
      b = target == start ? start : nl == NULL ? len : (size_t)(nl - d) + 1;
      if (csv && col >= 0 && b > start && b < len) {
        b = day_cut(d, len, b, col, slack);
      }
    } else {
      while (p < target) {
        p = csv_record_end(d, len, p);
      }
      b = p;
    }
    if (b >= len || (ranges > 1 && b <= cuts[ranges - 2]) || b <= start) {
      continue;
    }
    cuts[ranges - 1] = b;
    ranges++;
  }
  return ranges;
}

/* Write a range's diagnostics; `base` is the file's line count before it. */
static void print_range_diags(const char *name, const range_job *job, uint64_t base) {
  size_t at = 0;
  diag_buf file = {NULL, 0, 0, 0};
  diag_put_sanitized(&file, name);
  while (at < job->diags.len) {
    uint64_t line;
    size_t n;
    memcpy(&line, job->diags.p + at, sizeof line);
    memcpy(&n, job->diags.p + at + sizeof line, sizeof n);
    at += sizeof line + sizeof n;
    if (file.failed) {
      fputs(name, stderr);
    } else {
      fwrite(file.p, 1, file.len, stderr);
    }
    fprintf(stderr, ":%llu: column ", (unsigned long long)(line - job->header_lines + base));
    fwrite(job->diags.p + at, 1, n, stderr);
    fputc('\n', stderr);
    at += n;
  }
  free(file.p);
}

/* The ranges of a file, handed out in order to the reading threads, and
 * which of them are read (`done`, under `lock`). */
typedef struct range_queue {
  range_job *jobs;
  size_t ranges, next;
  int *done;
  pthread_mutex_t lock;
  pthread_cond_t read;
} range_queue;

/* A reading thread: the next range not yet taken, until none is left. */
static void *range_worker(void *arg) {
  range_queue *q = arg;
  for (;;) {
    size_t j;
    pthread_mutex_lock(&q->lock);
    j = q->next < q->ranges ? q->next++ : q->ranges;
    pthread_mutex_unlock(&q->lock);
    if (j == q->ranges) {
      return NULL;
    }
    run_range(&q->jobs[j]);
    pthread_mutex_lock(&q->lock);
    q->done[j] = 1;
    pthread_cond_broadcast(&q->read);
    pthread_mutex_unlock(&q->lock);
  }
}

/* The events of `name` into *store through `jobs` ranges read on
 * `threads` threads. The calling thread reads the first range, then merges
 * the others into it in file order, each as soon as it is read, while the
 * other threads read the next ones (read_file_threads() makes the last
 * range short, so that its merge, which nothing overlaps, is short).
 * Returns 1 when done (FILE_READ), 0 when the file must be read on one
 * thread instead (nothing of it is in *store then). */
static int read_ranges(cxm_store **store, int fresh, const char *name, range_job *jobs, size_t ranges, size_t threads,
                       int say, cli_input *in) {
  size_t workers = threads - 1 < ranges - 1 ? threads - 1 : ranges - 1, started = 0;
  pthread_t *ids = calloc(workers > 0 ? workers : 1, sizeof *ids);
  range_queue q;
  cxm_store *acc;
  uint64_t base = 0;
  size_t j, counted = 0;
  int32_t rc = CXM_OK;
  q.jobs = jobs;
  q.ranges = ranges;
  q.next = 1;
  q.done = calloc(ranges, sizeof *q.done);
  if (ids == NULL || q.done == NULL || pthread_mutex_init(&q.lock, NULL) != 0) {
    free(ids);
    free(q.done);
    return 0;
  }
  if (pthread_cond_init(&q.read, NULL) != 0) {
    pthread_mutex_destroy(&q.lock);
    free(ids);
    free(q.done);
    return 0;
  }
  for (j = 0; j < workers; j++) {
    started += pthread_create(&ids[started], NULL, range_worker, &q) == 0;
  }
  jobs[0].draws = 1;
  run_range(&jobs[0]);
  jobs[0].draws = 0;
  /* A header, memory or any other problem in a range: the one-thread
   * reading reports it as it always does (rc stays CXM_OK then, and the
   * failure is seen below). */
  acc = jobs[0].store;
  for (j = 1; j < ranges; j++) {
    if (started == 0) {
      run_range(&jobs[j]); /* no thread to be had: read it here */
      q.done[j] = 1;
    }
    pthread_mutex_lock(&q.lock);
    while (!q.done[j]) {
      pthread_cond_wait(&q.read, &q.lock);
    }
    pthread_mutex_unlock(&q.lock);
    if (rc == CXM_OK && jobs[0].rc == CXM_OK && jobs[j].rc == CXM_OK) {
      rc = cxm_store_merge_exact(acc, jobs[j].store);
      /* Merged: its memory is free for the next merge's growth. */
      cxm_store_free(jobs[j].store);
      jobs[j].store = NULL;
    }
  }
  for (j = 0; j < started; j++) {
    pthread_join(ids[j], NULL);
  }
  pthread_cond_destroy(&q.read);
  pthread_mutex_destroy(&q.lock);
  free(ids);
  free(q.done);
  cli_progress_clear(&jobs[0].progress->line);
  for (j = 0; j < ranges; j++) {
    if (jobs[j].rc != CXM_OK) {
      return 0;
    }
  }
  if (rc == CXM_OK && !fresh) {
    rc = cxm_store_merge_exact(*store, acc);
  }
  if (rc != CXM_OK) {
    char msg[256];
    if (rc == CXM_E_CONFLICT) {
      snprintf(msg, sizeof msg,
               "the %zu parts read in parallel cannot be merged exactly (an event id in two of them or in an "
               "earlier file, or a sum split across them): reading it again on one thread",
               ranges);
    } else {
      snprintf(msg, sizeof msg, "merging the parts read in parallel failed (%s): reading it again on one thread",
               cxm_status_str(rc));
    }
    if (say) {
      cli_diag(name, msg);
    }
    return 0;
  }
  if (fresh) {
    /* The first file: its merged store becomes the store. */
    cxm_store_free(*store);
    *store = acc;
    jobs[0].store = NULL;
  }
  for (j = 0; j < ranges; j++) {
    /* The lines before a range are counted only for its diagnostics: a
     * pass over the bytes that a clean file does not need. */
    for (; counted < j && jobs[j].diags.len > 0; counted++) {
      base += count_newlines(jobs[counted].data, jobs[counted].len);
    }
    print_range_diags(name, &jobs[j], base);
    in->rows += jobs[j].stats.rows;
    in->events += jobs[j].stats.events;
    in->rejected += jobs[j].stats.rejected;
    in->duplicates += jobs[j].stats.duplicates;
    in->out_of_window += jobs[j].stats.out_of_window;
    in->warnings += jobs[j].stats.warnings - jobs[j].hidden;
  }
  return 1;
}

static enum file_outcome read_file_threads(cxm_store **store, int fresh, const cxm_store_options *options,
                                           const cli_args *args, size_t threads, const char *name, uint8_t *buf,
                                           cli_input *in) {
  struct stat st;
  const uint8_t *d;
  void *map;
  size_t len, header, ranges = 0, j, *cuts = NULL;
  range_job *jobs = NULL;
  range_progress progress;
  int fd, csv, done = 0;

  if (strcmp(name, "-") == 0 || cli_name_is_gzip(name)) {
    return read_file(*store, args, name, buf, in);
  }
  /* Not a regular file (a FIFO, whose open would wait for a writer and
   * whose bytes, once read, are gone): one thread, which opens it once. */
  if (stat(name, &st) != 0 || !S_ISREG(st.st_mode)) {
    return read_file(*store, args, name, buf, in); /* it reports any error */
  }
  /* O_NONBLOCK: should the name have become a FIFO since, do not wait. */
  fd = open(name, O_RDONLY | O_NONBLOCK);
  if (fd < 0) {
    return read_file(*store, args, name, buf, in);
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > SIZE_MAX) {
    close(fd);
    return read_file(*store, args, name, buf, in);
  }
  len = (size_t)st.st_size;
  map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) {
    close(fd);
    return read_file(*store, args, name, buf, in);
  }
  d = map;
  {
    cxm_reader_options o;
    cxm_reader_options_init(&o);
    cli_dialect_apply(&args->dialect, &o, name);
    csv = o.format == CXM_FORMAT_CSV;
  }
  header = csv ? csv_header_end(d, len) : 0;
  /* One range per thread and a short last one (a quarter of a range per
   * thread beyond the first): the first thread merges the ranges the
   * others read in while they read the next, and the last, which nothing
   * overlaps, merges quickly (bench/README.md: merging a range takes about
   * a quarter of the time reading it took). */
  cuts = calloc(threads + 1, sizeof *cuts);
  if (cuts != NULL && (!csv || header > 0) && comma_utf8(d, len, header, &args->dialect)) {
    int quoted = csv ? file_has_byte(fd, header, len - header, '"') : 0;
    if (quoted >= 0) {
      ranges = find_cuts(cuts, d, len, header, threads + 1, (double)(threads - 1) / 4.0, csv, !quoted);
    }
  }
  /* The cuts and checks above read some pages of it (for a file with
   * quotes, all of them). */
  drop_read(d, len);
  if (ranges > 1) {
    jobs = calloc(ranges, sizeof *jobs);
  }
  if (jobs != NULL) {
    atomic_init(&progress.bytes, 0);
    atomic_init(&progress.lines, 0);
    cli_progress_start(&progress.line, name, len, args->dialect.quiet);
    for (j = 0; j < ranges; j++) {
      jobs[j].progress = &progress;
      size_t begin = j == 0 ? 0 : cuts[j - 1], end = j + 1 < ranges ? cuts[j] : len;
      jobs[j].data = d + begin;
      jobs[j].len = end - begin;
      jobs[j].fd = fd;
      jobs[j].offset = begin;
      if (j > 0 && csv) {
        jobs[j].header = d;
        jobs[j].header_len = header;
        jobs[j].header_lines = count_newlines(d, header);
      } else if (j > 0) {
        /* JSON Lines: a blank line first, so the range's first bytes are
         * not the start of the reader's input, where a byte-order mark
         * would be skipped; in the middle of a file it is data, as on one
         * thread. A blank line is not a row. */
        jobs[j].header = (const uint8_t *)"\n";
        jobs[j].header_len = 1;
        jobs[j].header_lines = 1;
      }
      jobs[j].args = args;
      jobs[j].format = csv ? CXM_FORMAT_CSV : CXM_FORMAT_JSONL;
      jobs[j].options = options;
      jobs[j].rc = CXM_E_STATE;
    }
    /* With the default thread count the user asked for nothing: reading
     * again on one thread is silent. */
    done = read_ranges(store, fresh, name, jobs, ranges, threads, args->threads != 0, in);
    for (j = 0; j < ranges; j++) {
      cxm_store_free(jobs[j].store);
      free(jobs[j].diags.p);
    }
  }
  free(jobs);
  free(cuts);
  munmap(map, len);
  close(fd);
  return done ? FILE_READ : read_file(*store, args, name, buf, in);
}

/* ---- every file ------------------------------------------------------------ */

/* Failing loudly (docs/cli.md, "Exit status"): after everything was read,
 * whether the run must end with status 1 although a report is printed. */
static int input_verdict(const cli_args *args, const cli_input *in, size_t unread) {
  const cli_dialect *d = &args->dialect;
  char msg[256];
  int verdict = CLI_EXIT_OK;
  if (unread > 0) {
    snprintf(msg, sizeof msg, "%zu of %zu input files could not be read", unread, args->file_count);
    cli_diag(NULL, msg);
    verdict = CLI_EXIT_FAILURE;
  }
  /* An input without rows (a header alone: a quiet day's export) is not a
   * failure; rows that were all refused are. */
  if (in->rows > 0 && in->events + in->duplicates + in->out_of_window == 0) {
    snprintf(msg, sizeof msg, "no row was accepted: all %llu rows were rejected", (unsigned long long)in->rows);
    cli_diag(NULL, msg);
    verdict = CLI_EXIT_FAILURE;
  }
  if (d->has_max_rejected && in->rejected > 0) {
    double limit = d->max_rejected_percent ? d->max_rejected / 100.0 * (double)in->rows : d->max_rejected;
    if ((double)in->rejected > limit) {
      snprintf(msg, sizeof msg, "%llu of %llu rows were rejected, more than --max-rejected %.15g%s",
               (unsigned long long)in->rejected, (unsigned long long)in->rows, d->max_rejected,
               d->max_rejected_percent ? "%" : "");
      cli_diag(NULL, msg);
      verdict = CLI_EXIT_FAILURE;
    }
  }
  return verdict;
}

static int read_all(cxm_store **store, const cxm_store_options *options, const cli_args *args, cli_input *in,
                    size_t threads) {
  uint8_t *buf = malloc(CHUNK_SIZE);
  size_t i, files_read = 0;
  int status = CLI_EXIT_OK;
  if (buf == NULL) {
    cli_diag(NULL, "out of memory");
    return CLI_EXIT_FAILURE;
  }
  for (i = 0; i < args->file_count && status == CLI_EXIT_OK; i++) {
    const char *name = args->files[i];
    enum file_outcome outcome = threads > 1 ? read_file_threads(store, i == 0, options, args, threads, name, buf, in)
                                            : read_file(*store, args, name, buf, in);
    switch (outcome) {
    case FILE_READ: files_read++; break;
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
    case FILE_FATAL: status = CLI_EXIT_FAILURE; break;
    }
  }
  free(buf);
  if (status == CLI_EXIT_OK && files_read == 0) {
    cli_diag(NULL, "no input could be read");
    status = CLI_EXIT_FAILURE;
  }
  if (status == CLI_EXIT_OK) {
    in->verdict = input_verdict(args, in, args->file_count - files_read);
  }
  return status;
}

int cli_read_events(cxm_store *store, const cli_args *args, cli_input *in) {
  return read_all(&store, NULL, args, in, 1);
}

int cli_read_store(cxm_store **store, char **files, size_t file_count, int strict, cli_input *in) {
  cli_args args;
  memset(in, 0, sizeof *in);
  if (cxm_store_new(store, NULL) != CXM_OK) {
    cli_diag(NULL, "out of memory");
    return CLI_EXIT_FAILURE;
  }
  memset(&args, 0, sizeof args);
  args.from = INT64_MIN;
  args.to = INT64_MAX;
  args.strict = strict;
  args.files = files;
  args.file_count = file_count;
  return cli_read_events_threads(store, NULL, &args, in); /* the default thread count */
}

/* More threads than this are not taken by default: each part's store
 * holds its own copy of the customers it names until it is merged. */
#define DEFAULT_THREADS_MAX 8

size_t cli_default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) return 1;
  return n > DEFAULT_THREADS_MAX ? DEFAULT_THREADS_MAX : (size_t)n;
}

int cli_read_events_threads(cxm_store **store, const cxm_store_options *options, const cli_args *args, cli_input *in) {
  size_t threads = args->threads != 0 ? args->threads : cli_default_threads();
  /* --strict stops at the first bad row of the whole input: one thread. */
  return read_all(store, options, args, in, args->strict ? 1 : threads);
}
