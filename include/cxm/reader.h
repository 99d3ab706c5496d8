/**
 * @file cxm/reader.h
 * @brief Streaming ingestion of event files (CSV and JSON Lines, docs/events.md)
 *        into a store.
 *
 * Bytes are fed in chunks of any size, cut anywhere (inside a quoted field,
 * between `\r` and `\n`, inside the byte-order mark): the result does not
 * depend on the cuts. Memory use is bounded by the longest record, never by
 * the file (see CXM_READER_MAX_RECORD). Each rejected row is reported once
 * through a callback with its line, column and reason, and the good rows
 * around it are recorded. A rejected row leaves no trace in the store (no
 * customer, channel or segment is interned for it).
 *
 * Typical use:
 * @code
 * cxm_reader_options o;
 * cxm_reader_options_init(&o);
 * o.on_error = my_report;              // optional
 * cxm_reader *r;
 * if (cxm_reader_new(&r, store, &o) == CXM_OK) {
 *   int32_t rc = CXM_OK;
 *   while (rc == CXM_OK && (n = read_some(buf, sizeof buf)) > 0) rc = cxm_reader_feed(r, buf, n);
 *   if (rc == CXM_OK) rc = cxm_reader_finish(r);
 *   cxm_reader_free(r);
 * }
 * @endcode
 *
 * Thread-safety: a reader writes its store; one reader (or other writer)
 * per store at a time. Distinct readers on distinct stores are independent.
 */
#ifndef CXM_READER_H
#define CXM_READER_H

#include <stddef.h>

#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Longest record accepted, in bytes, not counting its line end
 *        (`\n` or `\r\n`). A longer record is reported as a bad row
 *        (CXM_E_LIMIT, column "*") and skipped without being buffered; a
 *        CSV header that long is a CXM_E_HEADER.
 * @since 0.1
 */
#define CXM_READER_MAX_RECORD (1024 * 1024)

/**
 * @brief Longest line the reader skips, in bytes (before its `\n`, a `\r`
 *        included): a record longer than CXM_READER_MAX_RECORD is skipped
 *        to its line end, but one longer than this stops the reader, as
 *        soon as that many bytes have arrived without a line end or when
 *        its end arrives (the same outcome however the input is chunked):
 *        the row is reported (CXM_E_LIMIT, column "*") and
 *        cxm_reader_feed() (or cxm_reader_finish()) returns CXM_E_LIMIT, in
 *        strict mode or not. A CSV header stops the reader (CXM_E_HEADER)
 *        as soon as it passes CXM_READER_MAX_RECORD. So a stream without
 *        line ends (`/dev/zero`) ends in an error after a bounded read.
 * @since 0.1
 */
#define CXM_READER_MAX_LINE (64 * 1024 * 1024)

/** @brief Input formats. @since 0.1 */
enum cxm_format {
  CXM_FORMAT_CSV = 0,  /**< CSV with a header row (RFC 4180 quoting) */
  CXM_FORMAT_JSONL = 1 /**< one JSON object per line */
};

/**
 * @brief One rejected row (or, with a positive status, a warning such as
 *        an unknown CSV column). Valid only during the callback.
 *
 * Statuses of rejected rows: CXM_E_TIME, CXM_E_CUSTOMER, CXM_E_KIND,
 * CXM_E_VALUE, CXM_E_CHANNEL, CXM_E_STAGE, CXM_E_SEGMENT, CXM_E_DIMENSION,
 * CXM_E_REF, CXM_E_EVENT_ID (the field's own rule, column = that field),
 * CXM_E_ENCODING (invalid UTF-8 or a control character in a known field),
 * CXM_E_COLUMNS (CSV field count; column = the first missing column, or
 * "*" for extra fields), CXM_E_QUOTE (CSV quoting; column = the malformed
 * field, or "*" for a quote still open at the end of input), CXM_E_SYNTAX
 * (JSON Lines: not JSON, or a member of the wrong type; column "*" or the
 * member), CXM_E_LIMIT (record too long, column "*"; or the store's
 * capacity). CXM_E_HEADER reports an unusable CSV header (the reader then
 * stops); CXM_UNKNOWN_COLUMN (positive) a CSV column that is ignored,
 * CXM_REPEATED_HEADER (positive) a copy of the header row met among the
 * data rows and skipped (column "*").
 * @since 0.1
 */
typedef struct cxm_row_error {
  size_t size; /**< sizeof(cxm_row_error) */
  uint64_t
      line; /**< 1-based physical line where the record starts (the CSV header is on line 1 unless blank lines precede it) */
  const char *column; /**< the column (field) name at fault, or "*" for the whole row; NUL-terminated */
  int32_t status;     /**< the CXM_E_* code (or positive notice) */
  const char
      *reason; /**< a short English reason, NUL-terminated, e.g. "value 11 for kind nps is not an integer 0..10" */
} cxm_row_error;

/**
 * @brief Called once per rejected row or warning, from inside
 *        cxm_reader_feed() or cxm_reader_finish(), on the caller's thread.
 *        It must not call the reader that reports.
 * @since 0.1
 */
typedef void (*cxm_row_error_fn)(void *user, const cxm_row_error *error);

/** @brief Longest cxm_reader_options::time_format accepted, in bytes. @since 0.1 */
#define CXM_READER_MAX_TIME_FORMAT 63

/**
 * @brief Reader options; fill with cxm_reader_options_init().
 *
 * The struct only grows: a caller built against an older header passes its
 * smaller `size` (CXM_READER_OPTIONS_SIZE_0 for the first seven fields),
 * and the fields it does not know take their defaults.
 * @since 0.1
 */
typedef struct cxm_reader_options {
  size_t size;               /**< sizeof(cxm_reader_options) */
  int32_t format;            /**< enum cxm_format; default CXM_FORMAT_CSV */
  int32_t strict;            /**< 1: stop at the first bad row (CXM_E_ROW); default 0 */
  int64_t from;              /**< keep events with time >= from; default INT64_MIN */
  int64_t to;                /**< keep events with time < to; default INT64_MAX */
  cxm_row_error_fn on_error; /**< may be NULL */
  void *user;                /**< passed to on_error */
  /** CSV field separator: 0 detects it from the header row (`,` `;` tab
   *  `|`, docs/events.md "Dialects"), or the byte of one of them (a tab is 9).
   *  Default 0. */
  int32_t delimiter;
  /** 1: spaces and tabs around a known field are removed before it is
   *  checked (`c-7 ` is `c-7`); 0: they are part of the field. Default 1. */
  int32_t trim;
  /** 1: a time written without a zone is local time at `utc_offset`;
   *  0: such a time is refused. Default 0. */
  int32_t assume_offset;
  /** Seconds east of UTC of zone-less times when `assume_offset` is 1;
   *  at most 18 hours either way. Default 0. */
  int32_t utc_offset;
  /** NULL, or a pattern every time must match instead of RFC 3339 / Unix
   *  time: `%Y` (4 digits), `%m %d %H %M %S` (1 or 2 digits), `%z` (Z,
   *  +HH:MM, +HHMM, +HH, or nothing), `%%`, other bytes literally
   *  (docs/events.md). At most CXM_READER_MAX_TIME_FORMAT bytes; copied by
   *  cxm_reader_new(). Default NULL. */
  const char *time_format;
} cxm_reader_options;

/** @brief `size` of the first version of cxm_reader_options (format,
 *         strict, from, to, on_error, user). @since 0.1 */
#define CXM_READER_OPTIONS_SIZE_0 (offsetof(cxm_reader_options, delimiter))

/** @brief Counters of one reader. @since 0.1 */
typedef struct cxm_reader_stats {
  size_t size;            /**< sizeof(cxm_reader_stats); set by the caller */
  uint64_t rows;          /**< data records read, good or bad (not the CSV header; blank lines are skipped) */
  uint64_t events;        /**< events recorded */
  uint64_t rejected;      /**< bad rows */
  uint64_t duplicates;    /**< rows skipped as duplicate event ids */
  uint64_t out_of_window; /**< valid rows outside [from, to) (not recorded) */
  uint64_t warnings;      /**< notices reported (unknown columns, repeated header rows) */
  uint64_t bytes;         /**< bytes fed (a byte-order mark included) */
} cxm_reader_stats;

/** @brief An ingestion in progress (opaque). @since 0.1 */
typedef struct cxm_reader cxm_reader;

/**
 * @brief Set `size` and the defaults: CSV, lenient, no window, no callback.
 * @param[out] options The options to fill; ignored when NULL.
 * @note Thread-safe. @since 0.1
 */
CXM_API void cxm_reader_options_init(cxm_reader_options *options);

/**
 * @brief Start reading into a store.
 * @param[out] out Receives the reader; free with cxm_reader_free().
 * @param[in] store The store to record into; must outlive the reader. The
 *            reader allocates through the store's allocator.
 * @param[in] options NULL for the defaults (CSV, lenient, no window);
 *            copied.
 * @return CXM_OK, CXM_E_ARG, CXM_E_SIZE (options->size below
 *         CXM_READER_OPTIONS_SIZE_0, or larger than this library's struct
 *         with a tail that is not zero; docs/api.md, "Structs that grow"),
 *         CXM_E_OPTION (format unknown, strict, trim or assume_offset not 0
 *         or 1, from > to, a delimiter other than 0 , ; tab |, an offset
 *         beyond 18 hours, or a time_format that is too long or not a
 *         pattern of docs/events.md) or CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_reader_new(cxm_reader **out, cxm_store *store, const cxm_reader_options *options);

/**
 * @brief Feed the next chunk of bytes. Complete records are recorded at
 *        once; an incomplete last record waits for the next chunk.
 * @param[in] reader The reader.
 * @param[in] data The bytes; may be NULL when `len` is 0. Not kept after
 *            the call.
 * @param[in] len Their number; any size, 0 included.
 * @return CXM_OK (bad rows were reported and skipped), CXM_E_HEADER (the
 *         header is unusable; the reader stops), CXM_E_ROW (strict mode met
 *         a bad row; the reader stops, the rows before it stay recorded),
 *         CXM_E_STATE (stopped or finished), CXM_E_NOMEM (the reader
 *         stops; rows recorded so far stay) or CXM_E_ARG.
 * @since 0.1
 */
CXM_API int32_t cxm_reader_feed(cxm_reader *reader, const uint8_t *data, size_t len);

/**
 * @brief Signal the end of input and process the last record (one without
 *        a line end). A CSV input without any header row is a CXM_E_HEADER.
 * @param[in] reader The reader.
 * @return As cxm_reader_feed(). @since 0.1
 */
CXM_API int32_t cxm_reader_finish(cxm_reader *reader);

/**
 * @brief Read the counters; valid at any time, also after a stop.
 * @param[in,out] stats Set `stats->size = sizeof(cxm_reader_stats)` first.
 * @param[in] reader The reader.
 * @return CXM_OK, CXM_E_ARG or CXM_E_SIZE. @since 0.1
 */
CXM_API int32_t cxm_reader_stats_get(cxm_reader_stats *stats, const cxm_reader *reader);

/**
 * @brief Where the CSV record that starts at `start` ends, as the reader
 *        frames it: just past the first '\n' outside a quoted field
 *        (docs/events.md, "CSV"), or `len` when the record runs to the end.
 *
 * For cutting a file in memory into ranges that separate readers can read
 * in parallel (the command's `--threads` does), so the cuts fall exactly
 * where one reader would end a record. A '"' opens a quoted field only at
 * the start of a field, as in the reader. No allocation; thread-safe.
 * @param[out] end Receives the index just past the record's line end.
 * @param[in] data The bytes; may be NULL when `len` is 0.
 * @param[in] len Their number.
 * @param[in] start Where the record starts (0 <= start <= len).
 * @param[in] delimiter The field separator, e.g. ','; not a quote, a carriage
 *            return or a line feed.
 * @return CXM_OK or CXM_E_ARG (*end unchanged). @since 0.2
 */
CXM_API int32_t cxm_csv_record_end(size_t *end, const uint8_t *data, size_t len, size_t start, uint8_t delimiter);

/**
 * @brief Free a reader (not its store), finished or not.
 * @param[in] reader The reader; NULL is ignored.
 * @since 0.1
 */
CXM_API void cxm_reader_free(cxm_reader *reader);

/**
 * @brief Read a whole file into a store in 64 KiB chunks.
 * @param[in] store The store.
 * @param[in] path NUL-terminated path, opened in binary mode.
 * @param[in] options NULL for the defaults.
 * @param[out] stats May be NULL; otherwise set its `size` first. Filled
 *             whatever the outcome once reading started.
 * @return CXM_E_IO when the file cannot be opened or read (rows read
 *         before a read error stay recorded), CXM_E_SIZE for a bad
 *         `stats->size`, else as cxm_reader_new(), cxm_reader_feed() and
 *         cxm_reader_finish().
 * @since 0.1
 */
CXM_API int32_t cxm_store_ingest_file(cxm_store *store, const char *path, const cxm_reader_options *options,
                                      cxm_reader_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* CXM_READER_H */
