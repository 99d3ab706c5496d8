/**
 * @file cxm/store.h
 * @brief The event store: records touchpoint events as they stream in and
 *        keeps what the metrics need, in memory bounded per customer.
 *
 * The store does not keep raw events. It interns customer ids, channel
 * tokens and segment labels, remembers event ids (to skip duplicates), and
 * folds each event into per-slice accumulators keyed by (time bucket,
 * channel, stage, segment). Queries (cxm/query.h) sum those accumulators.
 *
 * Thread-safety: one writer per store. A store that no thread is writing
 * may be read (queries, stats, name look-ups) from any number of threads at
 * once. Distinct stores share nothing and may be used on distinct threads
 * freely.
 */
#ifndef CXM_STORE_H
#define CXM_STORE_H

#include "common.h"
#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief An event store (opaque). @since 0.1 */
typedef struct cxm_store cxm_store;

/**
 * @brief cxm_store_options.omit: the store does not keep each customer's
 *        days (purchases and their amounts, survey answers, complaints and
 *        compliments per customer and UTC day).
 *
 * They are the input of the customer-level analyses: purchase models and
 * RFM summaries, tracking, churn features and risk, retention and key
 * drivers, which then return CXM_E_STATE. The slice queries (survey
 * metrics, experience, service, operations, closing the loop, backlog)
 * give the same results with or without them. On a large input the days
 * are the store's largest table after the event ids (about a third of its
 * memory on the 10 M-event benchmark of bench/README.md) and one random
 * memory access per event.
 * @since 0.2
 */
#define CXM_OMIT_CUSTOMER_DAYS UINT32_C(0x1)
/**
 * @brief cxm_store_options.omit: the store does not keep each customer's
 *        first channel and segment (what retention groups customers by);
 *        cxm_store_retention() then returns CXM_E_STATE.
 * @since 0.2
 */
#define CXM_OMIT_CUSTOMER_FIRSTS UINT32_C(0x2)

/** @brief Options for cxm_store_new(); fill with cxm_store_options_init(). @since 0.1 */
typedef struct cxm_store_options {
  size_t size;                    /**< sizeof(cxm_store_options); set by the init function */
  const cxm_allocator *allocator; /**< memory hooks, copied; NULL for malloc/realloc/free */
  int64_t bucket_seconds; /**< time resolution of slice queries; must divide 86400; default 86400 (one UTC day) */
  /** CXM_OMIT_* bits: per-customer tables the store does not keep, for a
   *  program that only asks slice queries (less memory, faster recording);
   *  default 0 (keep everything). Other bits are CXM_E_OPTION. A store that
   *  omits a table cannot be saved (cxm_store_save() returns CXM_E_STATE)
   *  and merges only with a store that omits the same. @since 0.2 */
  uint32_t omit;
} cxm_store_options;

/** @brief What a store holds. @since 0.1 */
typedef struct cxm_store_stats {
  size_t size;           /**< sizeof(cxm_store_stats); set by the caller before the call */
  uint64_t events;       /**< events recorded */
  uint64_t duplicates;   /**< events skipped because their id was seen */
  uint64_t customers;    /**< distinct customers interned */
  int64_t first;         /**< earliest event time, or INT64_MAX when empty */
  int64_t last;          /**< latest event time, or INT64_MIN when empty */
  uint64_t cells;        /**< non-empty (bucket, channel, stage, segment) cells */
  uint64_t memory_bytes; /**< bytes currently allocated by the store */
} cxm_store_stats;

/** @brief Set `size` and the defaults. Ignores NULL. @since 0.1 */
CXM_API void cxm_store_options_init(cxm_store_options *options);

/**
 * @brief Create an empty store.
 * @param[out] out Receives the store; the caller frees it with cxm_store_free().
 * @param[in] options NULL for the defaults.
 * @return CXM_OK, CXM_E_ARG, CXM_E_SIZE, CXM_E_OPTION or CXM_E_NOMEM.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_store_new(cxm_store **out, const cxm_store_options *options);

/**
 * @brief Free a store and everything it owns. Accepts NULL.
 * @note Must not run while another thread uses the store. @since 0.1
 */
CXM_API void cxm_store_free(cxm_store *store);

/**
 * @brief Intern a customer id and return its handle, creating the customer
 *        when new. Handles are dense: 0, 1, 2... in order of creation.
 * @param[out] handle Receives the handle, valid for the store's lifetime.
 * @param[in] store The store (written).
 * @param[in] id Id bytes, 1..CXM_MAX_ID_LEN; any bytes are allowed.
 * @param[in] len Length of `id`.
 * @return CXM_OK, CXM_E_ARG, CXM_E_CUSTOMER, CXM_E_LIMIT or CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_store_customer(uint32_t *handle, cxm_store *store, const char *id, size_t len);

/**
 * @brief Find a customer's handle without creating it.
 * @return CXM_OK, CXM_E_ARG, CXM_E_CUSTOMER or CXM_E_NOT_FOUND. @since 0.1
 */
CXM_API int32_t cxm_store_find_customer(uint32_t *handle, const cxm_store *store, const char *id, size_t len);

/**
 * @brief The id bytes of a customer handle.
 * @param[out] id Receives a pointer owned by the store, valid until it is freed.
 * @param[out] len Receives the length.
 * @param[in] store The store (read only).
 * @param[in] handle A handle from cxm_store_customer().
 * @return CXM_OK, CXM_E_ARG or CXM_E_HANDLE. @since 0.1
 */
CXM_API int32_t cxm_store_customer_id(const char **id, size_t *len, const cxm_store *store, uint32_t handle);

/**
 * @brief Intern a channel token: a named channel ("email"...) gives its
 *        enum value, the empty token gives CXM_CHANNEL_UNKNOWN, any other
 *        token matching `[a-z0-9_-]{1,32}` a custom code >= CXM_CHANNEL_FIRST_CUSTOM.
 * @return CXM_OK, CXM_E_ARG, CXM_E_CHANNEL, CXM_E_LIMIT or CXM_E_NOMEM. @since 0.1
 */
CXM_API int32_t cxm_store_channel(int32_t *channel, cxm_store *store, const char *token, size_t len);

/**
 * @brief Intern a segment label (1..64 bytes, no control characters);
 *        the empty label and "unknown" (the name of code 0) give CXM_SEGMENT_UNKNOWN.
 * @return CXM_OK, CXM_E_ARG, CXM_E_SEGMENT, CXM_E_LIMIT or CXM_E_NOMEM. @since 0.1
 */
CXM_API int32_t cxm_store_segment(int32_t *segment, cxm_store *store, const char *label, size_t len);

/**
 * @brief Look a channel token up without interning it: as cxm_store_channel(),
 *        but a custom token the store has never seen gives CXM_E_NOT_FOUND
 *        and the store is not written (safe beside other readers).
 * @param[out] channel Receives the code.
 * @param[in] store The store (read only).
 * @param[in] token Token bytes.
 * @param[in] len Length of `token`.
 * @return CXM_OK, CXM_E_ARG, CXM_E_CHANNEL or CXM_E_NOT_FOUND. @since 0.1
 */
CXM_API int32_t cxm_store_find_channel(int32_t *channel, const cxm_store *store, const char *token, size_t len);

/**
 * @brief Look a segment label up without interning it (CXM_E_NOT_FOUND for
 *        a label the store has never seen; the store is not written).
 * @param[out] segment Receives the code.
 * @param[in] store The store (read only).
 * @param[in] label Label bytes.
 * @param[in] len Length of `label`.
 * @return CXM_OK, CXM_E_ARG, CXM_E_SEGMENT or CXM_E_NOT_FOUND. @since 0.1
 */
CXM_API int32_t cxm_store_find_segment(int32_t *segment, const cxm_store *store, const char *label, size_t len);

/**
 * @brief The name of a channel code of this store ("unknown" for 0).
 * @param[out] name Static or store-owned bytes, valid until the store is freed.
 * @param[out] len Receives the name's length.
 * @param[in] store The store (read only).
 * @param[in] channel A channel code.
 * @return CXM_OK, CXM_E_ARG or CXM_E_CHANNEL. @since 0.1
 */
CXM_API int32_t cxm_store_channel_name(const char **name, size_t *len, const cxm_store *store, int32_t channel);

/**
 * @brief The label of a segment code of this store ("unknown" for 0).
 * @return CXM_OK, CXM_E_ARG or CXM_E_SEGMENT. @since 0.1
 */
CXM_API int32_t cxm_store_segment_name(const char **name, size_t *len, const cxm_store *store, int32_t segment);

/**
 * @brief Intern the attribute label of a rating (`CXM_KIND_RATING`,
 *        docs/events.md): 1..64 bytes (CXM_MAX_ATTRIBUTE_LEN), no control
 *        characters, kept as written (case counts). Codes are 1, 2, ... in
 *        order of first appearance, for the store's lifetime.
 * @param[out] attribute Receives the code, for cxm_event.dimension.
 * @param[in] store The store; learns the label when new.
 * @param[in] label Label bytes.
 * @param[in] len Length of `label`.
 * @return CXM_OK, CXM_E_ARG, CXM_E_DIMENSION (empty, too long, a control
 *         character), CXM_E_LIMIT (65 536 attributes) or CXM_E_NOMEM.
 * @note Not thread-safe: it may write the store. @since 0.2
 */
CXM_API int32_t cxm_store_attribute(int32_t *attribute, cxm_store *store, const char *label, size_t len);

/**
 * @brief Look an attribute label up without interning it.
 * @param[out] attribute Receives the code.
 * @param[in] store The store (read only).
 * @param[in] label Label bytes.
 * @param[in] len Length of `label`.
 * @return CXM_OK, CXM_E_ARG, CXM_E_DIMENSION or CXM_E_NOT_FOUND (a label the store has never seen).
 * @note Safe beside other readers. @since 0.2
 */
CXM_API int32_t cxm_store_find_attribute(int32_t *attribute, const cxm_store *store, const char *label, size_t len);

/**
 * @brief The label of an attribute code of this store.
 * @param[out] name Store-owned bytes (not NUL-terminated), valid until the store is freed.
 * @param[out] len Receives the label's length.
 * @param[in] store The store (read only).
 * @param[in] attribute An attribute code (1 ..).
 * @return CXM_OK, CXM_E_ARG or CXM_E_DIMENSION (no such code).
 * @note Safe beside other readers. @since 0.2
 */
CXM_API int32_t cxm_store_attribute_name(const char **name, size_t *len, const cxm_store *store, int32_t attribute);

/**
 * @brief Validate an event without recording it (the checks of
 *        cxm_store_record(), minus duplicate detection).
 * @return CXM_OK or the status cxm_store_record() would fail with. @since 0.1
 */
CXM_API int32_t cxm_store_check(const cxm_store *store, const cxm_event *event);

/**
 * @brief Record one event, interning `event->customer`.
 *
 * The event is validated in full first; a bad field returns its own status
 * and leaves the store exactly as it was. An event whose id was recorded
 * before returns CXM_DUPLICATE and only counts as a duplicate. A purchase
 * that would take its customer's amount of that UTC day beyond the largest
 * finite double returns CXM_E_OVERFLOW (a snapshot holds finite amounts
 * only).
 * @param[in] store The store (written).
 * @param[in] event The event; borrowed for the call only.
 * @return CXM_OK, CXM_DUPLICATE, CXM_E_ARG, CXM_E_SIZE, CXM_E_CUSTOMER,
 *         CXM_E_TIME, CXM_E_KIND, CXM_E_VALUE, CXM_E_CHANNEL, CXM_E_STAGE,
 *         CXM_E_SEGMENT, CXM_E_DIMENSION, CXM_E_REF, CXM_E_EVENT_ID,
 *         CXM_E_OVERFLOW, CXM_E_LIMIT or CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_store_record(cxm_store *store, const cxm_event *event);

/**
 * @brief Record one event as cxm_store_record() does, and say why when it
 *        is refused.
 *
 * `detail` receives the status and, for a refused event, the sentence the
 * reader prints for such a row ("value 11 for kind nps is not an integer
 * 0..10") with the field at fault; for CXM_OK and CXM_DUPLICATE an empty
 * reason.
 * @param[in] store The store (written).
 * @param[in] event The event; borrowed for the call only.
 * @param[out] detail Why; its `size` set by cxm_detail_init() (may be NULL).
 * @return As cxm_store_record(); CXM_E_SIZE, recording nothing, when
 *         `detail->size` is not one this library knows.
 * @since 0.2
 */
CXM_API int32_t cxm_store_record_ex(cxm_store *store, const cxm_event *event, cxm_detail *detail);

/**
 * @brief Record several events, exactly as calling cxm_store_record() on
 *        each in turn would, but faster: the memory look-ups of a few
 *        events are started together so their latencies overlap.
 *
 * Each event succeeds or fails on its own; a bad event leaves no trace and
 * does not stop the others.
 * @param[out] statuses NULL, or `count` statuses, one per event, as
 *        cxm_store_record() would have returned.
 * @param[in] store The store (written).
 * @param[in] events `count` events; borrowed for the call only.
 * @param[in] count Number of events (0 is fine).
 * @return CXM_OK once every event was processed (see `statuses`), or
 *         CXM_E_ARG when `store` is NULL or `events` is NULL with count > 0.
 * @since 0.1
 */
CXM_API int32_t cxm_store_record_batch(int32_t *statuses, cxm_store *store, const cxm_event *events, size_t count);

/**
 * @brief Record one event for a customer handle from cxm_store_customer();
 *        `event->customer` is ignored. The fast path for callers that look
 *        a customer up once and record many events.
 * @return As cxm_store_record(), with CXM_E_HANDLE for an unknown handle.
 * @since 0.1
 */
CXM_API int32_t cxm_store_record_for(cxm_store *store, uint32_t handle, const cxm_event *event);

/**
 * @brief Read the store's counters.
 * @param[in,out] stats Set `stats->size = sizeof(cxm_store_stats)` first.
 * @param[in] store The store (read only).
 * @return CXM_OK, CXM_E_ARG or CXM_E_SIZE. @since 0.1
 */
CXM_API int32_t cxm_store_stats_get(cxm_store_stats *stats, const cxm_store *store);

/**
 * @brief Fold every event of `from` into `into`: afterwards `into` equals
 *        one store fed all of `into`'s events and then all of `from`'s.
 *
 * Customers, channels and segments new to `into` get the next handles and
 * codes in `from`'s order, so shards of one stream merged in stream order
 * end with the handles a single store would have given. Where the store
 * breaks ties by arrival order (the first of equal-time ratings and
 * contacts of an interaction; the later of a customer's equal-second NPS
 * answers in one day), `from`'s events count as arriving after `into`'s.
 * Sums of doubles (purchase amounts, internal and normalised ratings) are
 * added shard by shard, so they may differ from a single store's in the
 * last bits when their partial sums are not exact; memory_bytes in
 * cxm_store_stats differs too (tables grow differently). See
 * docs/api.md, "Merging stores".
 *
 * Atomic: on any error `into` holds the same events and answers every
 * query as before (its tables may have grown).
 *
 * @param[in,out] into The store merged into (written).
 * @param[in] from The store merged; only read. Must not be `into`.
 * @return CXM_OK; CXM_E_ARG (NULL, or `into` == `from`); CXM_E_CONFLICT
 *         (different bucket_seconds, or an event id recorded by both:
 *         `into` already counted that event, and a single store would have
 *         skipped the second); CXM_E_OVERFLOW (a count would pass its
 *         maximum, or a customer day's purchase amount in both would add up
 *         beyond the largest finite double); CXM_E_LIMIT (too many customers, channels, segments or
 *         cells); CXM_E_NOMEM. Nothing changes on error.
 * @note Writes `into` (one writer per store) and reads `from`: no other
 *       thread may write either during the call. Memory is allocated with
 *       `into`'s allocator. @since 0.1
 */
CXM_API int32_t cxm_store_merge(cxm_store *into, const cxm_store *from);

/**
 * @brief cxm_store_merge(), refusing any merge whose answers could differ
 *        from one store's in the last bits of a sum of doubles.
 *
 * A merge adds `from`'s sum of a customer day's purchase amounts, or of an
 * interaction's internal or customer ratings, to `into`'s; one store fed
 * both streams adds `from`'s terms one by one. The two agree whenever
 * `from` holds at most one term of that sum, or `into` none. When `into`
 * holds a term and `from` two or more of one such sum (a customer buying
 * on both sides of a cut of one day's stream, twice after it), this merge
 * refuses with CXM_E_CONFLICT, so a merge that succeeds gives a store that
 * answers every query bit for bit as one store fed both streams in turn
 * (memory_bytes in cxm_store_stats aside). Shards of a stream cut in time
 * order rarely meet the rule; a caller that can read the stream again
 * (the `cxm` command, docs/cli.md "Reading on several threads") does so
 * on one store when it is met.
 *
 * Atomic, as cxm_store_merge(): on any error `into` is unchanged.
 *
 * @param[in,out] into The store merged into (written).
 * @param[in] from The store merged; only read. Must not be `into`.
 * @return What cxm_store_merge() returns; CXM_E_CONFLICT also for a sum
 *         of doubles that the merge would not add exactly as one store
 *         (above). Nothing changes on error.
 * @note Writes `into` (one writer per store) and reads `from`: no other
 *       thread may write either during the call. Memory is allocated with
 *       `into`'s allocator. @since 0.2
 */
CXM_API int32_t cxm_store_merge_exact(cxm_store *into, const cxm_store *from);

#ifdef __cplusplus
}
#endif

#endif /* CXM_STORE_H */
