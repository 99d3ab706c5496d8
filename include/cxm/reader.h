/**
 * @file cxm/reader.h
 * @brief Streaming ingestion of event files (CSV and JSON Lines, docs/events.md)
 *        into a store.
 *
 * Bytes are fed in chunks of any size (a record may span chunks); memory
 * use is bounded by the longest record, never by the file. Each rejected
 * row is reported through a callback with its line, column and reason, and
 * the good rows around it are recorded.
 *
 * Thread-safety: a reader writes its store; one reader (or other writer)
 * per store at a time. Distinct readers on distinct stores are independent.
 */
#ifndef CXM_READER_H
#define CXM_READER_H

#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Input formats. @since 0.1 */
enum cxm_format {
  CXM_FORMAT_CSV = 0,  /**< CSV with a header row */
  CXM_FORMAT_JSONL = 1 /**< one JSON object per line */
};

/**
 * @brief One rejected row (or, with a positive status, a warning such as
 *        an unknown CSV column). Valid only during the callback.
 * @since 0.1
 */
typedef struct cxm_row_error {
  size_t size;        /**< sizeof(cxm_row_error) */
  uint64_t line;      /**< 1-based line where the record starts (the CSV header is line 1) */
  const char *column; /**< the column (field) name at fault, or "*" for the whole row; NUL-terminated */
  int32_t status;     /**< the CXM_E_* code (or positive notice) */
  const char *reason; /**< a short English reason, NUL-terminated */
} cxm_row_error;

/** @brief Called once per rejected row or warning. @since 0.1 */
typedef void (*cxm_row_error_fn)(void *user, const cxm_row_error *error);

/** @brief Reader options; fill with cxm_reader_options_init(). @since 0.1 */
typedef struct cxm_reader_options {
  size_t size;               /**< sizeof(cxm_reader_options) */
  int32_t format;            /**< enum cxm_format; default CXM_FORMAT_CSV */
  int32_t strict;            /**< 1: stop at the first bad row (CXM_E_ROW); default 0 */
  int64_t from;              /**< keep events with time >= from; default INT64_MIN */
  int64_t to;                /**< keep events with time < to; default INT64_MAX */
  cxm_row_error_fn on_error; /**< may be NULL */
  void *user;                /**< passed to on_error */
} cxm_reader_options;

/** @brief Counters of one reader. @since 0.1 */
typedef struct cxm_reader_stats {
  size_t size;           /**< sizeof(cxm_reader_stats); set by the caller */
  uint64_t rows;         /**< data records read (not the header; blank lines are skipped) */
  uint64_t events;       /**< events recorded */
  uint64_t rejected;     /**< bad rows */
  uint64_t duplicates;   /**< rows skipped as duplicate event ids */
  uint64_t out_of_window;/**< valid rows outside [from, to) */
  uint64_t warnings;     /**< warnings reported (unknown columns) */
  uint64_t bytes;        /**< bytes fed */
} cxm_reader_stats;

/** @brief An ingestion in progress (opaque). @since 0.1 */
typedef struct cxm_reader cxm_reader;

/** @brief Set `size` and the defaults. Ignores NULL. @since 0.1 */
CXM_API void cxm_reader_options_init(cxm_reader_options *options);

/**
 * @brief Start reading into a store.
 * @param[out] out Receives the reader; free with cxm_reader_free().
 * @param[in] store The store to record into; must outlive the reader.
 * @param[in] options NULL for the defaults (CSV, lenient, no window).
 * @return CXM_OK, CXM_E_ARG, CXM_E_SIZE, CXM_E_OPTION or CXM_E_NOMEM. @since 0.1
 */
CXM_API int32_t cxm_reader_new(cxm_reader **out, cxm_store *store, const cxm_reader_options *options);

/**
 * @brief Feed the next chunk of bytes. Complete records are recorded at once.
 * @return CXM_OK (bad rows were reported and skipped), CXM_E_HEADER (the
 *         header is unusable; the reader stops), CXM_E_ROW (strict mode met
 *         a bad row; the reader stops), CXM_E_STATE (stopped or finished),
 *         CXM_E_NOMEM or CXM_E_ARG. @since 0.1
 */
CXM_API int32_t cxm_reader_feed(cxm_reader *reader, const uint8_t *data, size_t len);

/**
 * @brief Signal the end of input and process the last record.
 * @return As cxm_reader_feed(). @since 0.1
 */
CXM_API int32_t cxm_reader_finish(cxm_reader *reader);

/**
 * @brief Read the counters.
 * @param[in,out] stats Set `stats->size = sizeof(cxm_reader_stats)` first.
 * @return CXM_OK, CXM_E_ARG or CXM_E_SIZE. @since 0.1
 */
CXM_API int32_t cxm_reader_stats_get(cxm_reader_stats *stats, const cxm_reader *reader);

/** @brief Free a reader (not its store). Accepts NULL. @since 0.1 */
CXM_API void cxm_reader_free(cxm_reader *reader);

/**
 * @brief Read a whole file into a store in 64 KiB chunks.
 * @param[in] store The store.
 * @param[in] path NUL-terminated path.
 * @param[in] options NULL for the defaults.
 * @param[out] stats May be NULL; otherwise set its `size` first.
 * @return CXM_E_IO when the file cannot be opened or read, else as cxm_reader_finish().
 * @since 0.1
 */
CXM_API int32_t cxm_store_ingest_file(cxm_store *store, const char *path, const cxm_reader_options *options,
                                      cxm_reader_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* CXM_READER_H */
