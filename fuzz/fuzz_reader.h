/* The body of fuzz_csv.c and fuzz_jsonl.c: read the input through the
 * public reader API (cxm/reader.h) into a fresh store, several times, and
 * check that the runs agree with each other and with the store.
 *
 * Runs, all on the same bytes:
 *   1. lenient, in one chunk (the reference);
 *   2. lenient, byte by byte (inputs up to 16 KiB);
 *   3. lenient, in chunks whose sizes (0 included) come from the input's
 *      hash;
 *   4. strict, in one chunk;
 *   5. lenient, in one chunk, with the Nth allocation failing (N from the
 *      hash, within the number the reference run made);
 *   6. lenient, in one chunk, with a time window drawn from the hash within
 *      the span of the reference's events;
 *   7. lenient, in one chunk, twice: a second reader reads the same bytes
 *      into the same store.
 *
 * Properties (a violation traps):
 *   - the reference run returns CXM_OK or CXM_E_HEADER; with CXM_OK, every
 *     data row is counted exactly once: rows = events + rejected +
 *     duplicates + out_of_window, and `bytes` is the input's size;
 *   - the store holds what the reader says it recorded (events,
 *     duplicates), no more customers than recorded rows, and, once the
 *     reader is freed, the store's memory_bytes equal the bytes its
 *     allocator has outstanding; after cxm_store_free nothing is left;
 *   - one callback per rejected row and per warning, in line order, and
 *     exactly one for an unusable CSV header;
 *   - runs 2 and 3 give exactly the result of run 1: status, every
 *     counter, the store's counters, its survey and loyalty accumulators,
 *     its snapshot bytes (so the whole store), and the same reports (line,
 *     column, status, reason), in order;
 *   - the reference's store survives a snapshot (cxm/snapshot.h): loading
 *     its bytes gives a store with the same counters, survey, loyalty,
 *     gap, SERVQUAL and service accumulators and memory accounting, whose
 *     snapshot is the same bytes;
 *   - strict mode returns CXM_OK with the same result when the reference
 *     rejected nothing, else stops (CXM_E_ROW) at the reference's first
 *     rejected row with the same report, having recorded no more;
 *   - a failed allocation stops the reader with CXM_E_NOMEM (never a
 *     silent loss), leaving store and reader consistent and nothing
 *     leaked; when nothing failed the result is the reference's;
 *   - with a window, the same rows are read, each valid one is recorded,
 *     a duplicate or out of the window, and the store's events all lie in
 *     the window;
 *   - read twice into one store, the second pass reads and rejects the
 *     same rows with the same reports, records or skips as duplicates the
 *     rest, and adds no customer (rejected rows leave no trace).
 *   - every allocator call gets back the size it was given (fuzz_common.h).
 */
#ifndef CXM_FUZZ_READER_H
#define CXM_FUZZ_READER_H

#include "cxm/experience.h"
#include "cxm/query.h"
#include "cxm/reader.h"
#include "cxm/snapshot.h"
#include "cxm/store.h"
#include "cxm/survey.h"
#include "fuzz_common.h"

/* Live bytes allowed: far above what a 1 MiB record needs. */
#define FUZZ_READER_LIMIT ((size_t)256 << 20)
/* Byte-by-byte feeding is quadratic in nothing, but slow: cap the size. */
#define FUZZ_BYTEWISE_MAX 16384

/* SPLIT_TWICE: in one chunk, then again by a second reader into the same
 * store. */
enum fuzz_split { SPLIT_WHOLE, SPLIT_BYTES, SPLIT_RANDOM, SPLIT_TWICE };

typedef struct fuzz_reports {
  uint64_t digest;     /* hash of every report, in order */
  uint64_t rejections; /* reports of rejected rows */
  uint64_t headers;    /* reports of an unusable header (CXM_E_HEADER) */
  uint64_t warnings;   /* reports with a positive status */
  uint64_t first;      /* hash of the first rejection; 0 when none */
  uint64_t last_line;  /* line of the previous report */
} fuzz_reports;

typedef struct fuzz_run {
  int32_t rc;
  cxm_reader_stats reader;
  cxm_store_stats store;
  cxm_survey_acc survey;
  cxm_loyalty_acc loyalty;
  cxm_gap_acc gap;
  cxm_servqual_acc servqual;
  uint64_t service;  /* hash of the service accumulator (45 KiB) */
  uint64_t snapshot; /* hash of the store's snapshot bytes */
  size_t snapshot_len;
  fuzz_reports reports;
  uint64_t alloc_calls;  /* allocator calls while reading (store and reader) */
  uint64_t alloc_failed; /* of which failed */
  /* SPLIT_TWICE: the second reader, and the store between the passes */
  int32_t rc2;
  cxm_reader_stats reader2;
  fuzz_reports reports2;
  cxm_store_stats between;
} fuzz_run;

static uint64_t fuzz_mix(uint64_t h, const void *p, size_t len) {
  const uint8_t *b = p;
  size_t i;
  for (i = 0; i < len; i++) {
    h ^= b[i];
    h *= UINT64_C(0x100000001b3);
  }
  return h;
}

static void fuzz_on_error(void *user, const cxm_row_error *e) {
  fuzz_reports *r = user;
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  FUZZ_CHECK(e != NULL && e->size == sizeof *e && e->column != NULL && e->reason != NULL);
  FUZZ_CHECK(e->status != CXM_OK && e->line >= 1);
  /* Reports come in line order. */
  FUZZ_CHECK(e->line >= r->last_line);
  r->last_line = e->line;
  h = fuzz_mix(h, &e->line, sizeof e->line);
  h = fuzz_mix(h, &e->status, sizeof e->status);
  h = fuzz_mix(h, e->column, strlen(e->column) + 1);
  h = fuzz_mix(h, e->reason, strlen(e->reason) + 1);
  r->digest = fuzz_mix(r->digest, &h, sizeof h);
  if (e->status == CXM_E_HEADER) {
    r->headers++;
  } else if (e->status < 0) {
    if (r->rejections == 0) r->first = h | 1;
    r->rejections++;
  } else {
    /* the notices: an ignored column, a skipped copy of the header row */
    FUZZ_CHECK(e->status == CXM_UNKNOWN_COLUMN || e->status == CXM_REPEATED_HEADER);
    r->warnings++;
  }
}

/* What a store holds, as far as the queries and its snapshot tell. The
 * snapshot holds everything (docs/snapshot.md), so comparing its bytes
 * compares whole stores; `full` adds the experience accumulators, to check
 * a loaded store through its queries too. */
static void fuzz_content(fuzz_run *out, const cxm_store *store, fuzz_bytes *snap, int full) {
  out->store.size = sizeof out->store;
  FUZZ_CHECK(cxm_store_stats_get(&out->store, store) == CXM_OK);
  FUZZ_CHECK(cxm_store_survey(&out->survey, store, NULL) == CXM_OK);
  FUZZ_CHECK(cxm_store_loyalty_acc(&out->loyalty, store, NULL) == CXM_OK);
  if (full) {
    cxm_service_acc *service = malloc(sizeof *service);
    FUZZ_CHECK(service != NULL);
    FUZZ_CHECK(cxm_store_gap(&out->gap, store, NULL, NULL) == CXM_OK);
    FUZZ_CHECK(cxm_store_servqual_acc(&out->servqual, store, NULL) == CXM_OK);
    FUZZ_CHECK(cxm_store_service_acc(service, store, NULL, NULL) == CXM_OK);
    out->service = fuzz_hash((const uint8_t *)service, sizeof *service);
    free(service);
  }
  snap->len = 0;
  FUZZ_CHECK(cxm_store_save_to(store, fuzz_collect, snap) == CXM_OK);
  out->snapshot = fuzz_hash(snap->p, snap->len);
  out->snapshot_len = snap->len;
}

/* The parts of two stores' content that must agree (the experience
 * accumulators are zero unless both were computed `full`). */
static void fuzz_same_content(const fuzz_run *a, const fuzz_run *b) {
  FUZZ_CHECK(a->store.events == b->store.events && a->store.duplicates == b->store.duplicates &&
             a->store.customers == b->store.customers && a->store.first == b->store.first &&
             a->store.last == b->store.last && a->store.cells == b->store.cells);
  FUZZ_CHECK(memcmp(&a->survey, &b->survey, sizeof a->survey) == 0);
  FUZZ_CHECK(memcmp(&a->loyalty, &b->loyalty, sizeof a->loyalty) == 0);
  FUZZ_CHECK(memcmp(&a->gap, &b->gap, sizeof a->gap) == 0);
  FUZZ_CHECK(memcmp(&a->servqual, &b->servqual, sizeof a->servqual) == 0);
  FUZZ_CHECK(a->service == b->service);
  FUZZ_CHECK(a->snapshot == b->snapshot && a->snapshot_len == b->snapshot_len);
}

/* A store the reader built survives a snapshot: loading its bytes gives a
 * store with the same content, whose own snapshot is the same bytes. */
static void fuzz_snapshot_round_trip(const fuzz_run *orig, const fuzz_bytes *snap) {
  fuzz_alloc fa;
  cxm_allocator hooks = fuzz_hooks(&fa, FUZZ_READER_LIMIT, 0);
  cxm_store *loaded = NULL;
  fuzz_bytes again = {NULL, 0, 0};
  fuzz_run back;
  memset(&back, 0, sizeof back);
  FUZZ_CHECK(cxm_store_load_bytes(&loaded, snap->p, snap->len, &hooks) == CXM_OK);
  fuzz_content(&back, loaded, &again, 1);
  FUZZ_CHECK(again.len == snap->len && memcmp(again.p, snap->p, snap->len) == 0);
  fuzz_same_content(orig, &back);
  FUZZ_CHECK(back.store.memory_bytes == fa.live);
  cxm_store_free(loaded);
  FUZZ_CHECK(fa.live == 0);
  free(again.p);
}

/* Feed the input in the chunks `split` says; returns the first status that
 * is not CXM_OK, or finish's. */
static int32_t fuzz_feed(cxm_reader *r, const uint8_t *data, size_t size, int split, uint64_t seed) {
  int32_t rc = CXM_OK;
  size_t at = 0;
  uint64_t state = seed;
  if (split == SPLIT_WHOLE || split == SPLIT_TWICE) {
    rc = cxm_reader_feed(r, data, size);
  } else {
    while (at < size && rc == CXM_OK) {
      size_t n;
      if (split == SPLIT_BYTES) {
        n = 1;
      } else {
        uint64_t x = fuzz_next(&state);
        /* Mostly short chunks, some empty, some long. */
        switch (x & 7) {
        case 0: n = 0; break;
        case 1: n = (size_t)(x >> 8) % 4096 + 1; break;
        default: n = (size_t)(x >> 8) % 8 + 1; break;
        }
        if (n > size - at) n = size - at;
      }
      rc = cxm_reader_feed(r, n == 0 ? NULL : data + at, n);
      at += n;
    }
  }
  if (rc == CXM_OK) rc = cxm_reader_finish(r);
  return rc;
}

static void fuzz_read(fuzz_run *out, const uint8_t *data, size_t size, int32_t format, int strict, int split,
                      uint64_t seed, uint64_t fail_at, int64_t from, int64_t to) {
  fuzz_alloc fa;
  cxm_allocator hooks = fuzz_hooks(&fa, FUZZ_READER_LIMIT, fail_at);
  cxm_store_options so;
  cxm_reader_options ro;
  cxm_store *store = NULL;
  cxm_reader *reader = NULL;
  int32_t rc;

  memset(out, 0, sizeof *out);
  out->reader.size = sizeof out->reader;
  out->store.size = sizeof out->store;
  cxm_store_options_init(&so);
  so.allocator = &hooks;
  rc = cxm_store_new(&store, &so);
  if (rc != CXM_OK) {
    FUZZ_CHECK(rc == CXM_E_NOMEM && fa.failed > 0 && fa.live == 0);
    out->rc = rc;
    out->alloc_calls = fa.calls;
    out->alloc_failed = fa.failed;
    return;
  }
  cxm_reader_options_init(&ro);
  ro.format = format;
  ro.strict = strict;
  ro.on_error = fuzz_on_error;
  ro.user = &out->reports;
  ro.from = from;
  ro.to = to;
  rc = cxm_reader_new(&reader, store, &ro);
  if (rc == CXM_OK) {
    rc = fuzz_feed(reader, data, size, split, seed);
    /* A stopped reader stays stopped. */
    if (rc != CXM_OK) FUZZ_CHECK(cxm_reader_feed(reader, data, size) == CXM_E_STATE);
    FUZZ_CHECK(cxm_reader_finish(reader) == CXM_E_STATE);
    FUZZ_CHECK(cxm_reader_stats_get(&out->reader, reader) == CXM_OK);
    cxm_reader_free(reader);
  } else {
    FUZZ_CHECK(rc == CXM_E_NOMEM);
  }
  out->rc = rc;
  if (split == SPLIT_TWICE && rc == CXM_OK) {
    out->between.size = sizeof out->between;
    FUZZ_CHECK(cxm_store_stats_get(&out->between, store) == CXM_OK);
    ro.user = &out->reports2;
    FUZZ_CHECK(cxm_reader_new(&reader, store, &ro) == CXM_OK);
    out->rc2 = fuzz_feed(reader, data, size, split, seed);
    out->reader2.size = sizeof out->reader2;
    FUZZ_CHECK(cxm_reader_stats_get(&out->reader2, reader) == CXM_OK);
    cxm_reader_free(reader);
  }
  out->alloc_calls = fa.calls;
  out->alloc_failed = fa.failed;
  {
    /* The queries and the snapshot below may allocate; the failing
     * allocation, if any, came earlier. */
    fuzz_bytes snap = {NULL, 0, 0};
    uint64_t live = fa.live;
    int reference = split == SPLIT_WHOLE && !strict && fail_at == 0 && from == INT64_MIN && to == INT64_MAX;
    fuzz_content(out, store, &snap, reference);
    /* With the reader gone, the store accounts for every byte it holds. */
    FUZZ_CHECK(out->store.memory_bytes == live);
    if (reference) fuzz_snapshot_round_trip(out, &snap);
    free(snap.p);
  }
  cxm_store_free(store);
  FUZZ_CHECK(fa.live == 0);
}

/* The parts of two runs that must agree. */
static void fuzz_same(const fuzz_run *a, const fuzz_run *b) {
  cxm_reader_stats ra = a->reader, rb = b->reader;
  FUZZ_CHECK(a->rc == b->rc);
  /* `bytes` counts what was fed: a run cut in pieces stops feeding at the
   * piece that stopped the reader. */
  if (a->rc != CXM_OK) ra.bytes = rb.bytes = 0;
  FUZZ_CHECK(memcmp(&ra, &rb, sizeof ra) == 0);
  /* Equal snapshots: equal stores. */
  FUZZ_CHECK(a->snapshot == b->snapshot && a->snapshot_len == b->snapshot_len);
  FUZZ_CHECK(memcmp(&a->survey, &b->survey, sizeof a->survey) == 0);
  FUZZ_CHECK(memcmp(&a->loyalty, &b->loyalty, sizeof a->loyalty) == 0);
  FUZZ_CHECK(a->store.events == b->store.events && a->store.duplicates == b->store.duplicates &&
             a->store.customers == b->store.customers && a->store.first == b->store.first &&
             a->store.last == b->store.last && a->store.cells == b->store.cells);
  FUZZ_CHECK(a->reports.digest == b->reports.digest && a->reports.rejections == b->reports.rejections &&
             a->reports.warnings == b->reports.warnings && a->reports.headers == b->reports.headers);
}

static void fuzz_reader_input(const uint8_t *data, size_t size, int32_t format) {
  uint64_t seed = fuzz_hash(data, size);
  fuzz_run ref, run;

  /* 1. The reference. */
  fuzz_read(&ref, data, size, format, 0, SPLIT_WHOLE, seed, 0, INT64_MIN, INT64_MAX);
  FUZZ_CHECK(ref.alloc_failed == 0);
  FUZZ_CHECK(ref.rc == CXM_OK || (ref.rc == CXM_E_HEADER && format == CXM_FORMAT_CSV));
  FUZZ_CHECK(ref.reader.bytes == size); /* fed in one piece */
  if (ref.rc == CXM_OK) {
    FUZZ_CHECK(ref.reader.rows ==
               ref.reader.events + ref.reader.rejected + ref.reader.duplicates + ref.reader.out_of_window);
  } else {
    FUZZ_CHECK(ref.reader.rows == 0 && ref.reader.events == 0);
  }
  FUZZ_CHECK(ref.reader.out_of_window == 0); /* no window was set */
  FUZZ_CHECK(ref.store.events == ref.reader.events && ref.store.duplicates == ref.reader.duplicates);
  FUZZ_CHECK(ref.store.customers <= ref.reader.events + ref.reader.duplicates);
  FUZZ_CHECK(ref.reports.rejections == ref.reader.rejected && ref.reports.warnings == ref.reader.warnings);
  /* An unusable header is reported once, and stops the reader. */
  FUZZ_CHECK(ref.reports.headers == (ref.rc == CXM_E_HEADER ? 1u : 0u));
  if (format == CXM_FORMAT_JSONL) FUZZ_CHECK(ref.reader.warnings == 0);

  /* 2 and 3. The cuts do not matter. */
  if (size <= FUZZ_BYTEWISE_MAX) {
    fuzz_read(&run, data, size, format, 0, SPLIT_BYTES, seed, 0, INT64_MIN, INT64_MAX);
    fuzz_same(&ref, &run);
  }
  fuzz_read(&run, data, size, format, 0, SPLIT_RANDOM, seed, 0, INT64_MIN, INT64_MAX);
  fuzz_same(&ref, &run);

  /* 4. Strict mode stops at the first bad row. */
  fuzz_read(&run, data, size, format, 1, SPLIT_WHOLE, seed, 0, INT64_MIN, INT64_MAX);
  if (ref.rc != CXM_OK || ref.reader.rejected == 0) {
    fuzz_same(&ref, &run);
  } else {
    FUZZ_CHECK(run.rc == CXM_E_ROW);
    FUZZ_CHECK(run.reader.rejected == 1 && run.reports.rejections == 1);
    FUZZ_CHECK(run.reports.first == ref.reports.first);
    FUZZ_CHECK(run.reader.events <= ref.reader.events && run.reader.duplicates <= ref.reader.duplicates);
    FUZZ_CHECK(run.store.events == run.reader.events && run.store.duplicates == run.reader.duplicates);
  }

  /* 6. A time window [from, to) inside the reference's span: the same rows
   * are read and valid rows are recorded, skipped as duplicates or left
   * out, and what is recorded lies in the window. (Rows outside the window
   * are never committed, so fewer may be rejected by the store itself,
   * e.g. when full, and an id first seen outside the window is new
   * inside it.) */
  if (ref.rc == CXM_OK && ref.store.events > 0) {
    uint64_t span = (uint64_t)(ref.store.last - ref.store.first) + 1;
    int64_t from = ref.store.first + (int64_t)((seed >> 3) % span);
    int64_t to = from + (int64_t)((seed >> 29) % span) + 1;
    fuzz_read(&run, data, size, format, 0, SPLIT_WHOLE, seed, 0, from, to);
    FUZZ_CHECK(run.rc == CXM_OK && run.reader.rows == ref.reader.rows);
    FUZZ_CHECK(run.reader.rows ==
               run.reader.events + run.reader.rejected + run.reader.duplicates + run.reader.out_of_window);
    FUZZ_CHECK(run.reader.rejected <= ref.reader.rejected);
    FUZZ_CHECK(run.reader.events + run.reader.duplicates + run.reader.out_of_window ==
               ref.reader.events + ref.reader.duplicates + (ref.reader.rejected - run.reader.rejected));
    FUZZ_CHECK(run.reader.events <= ref.reader.events + ref.reader.duplicates);
    FUZZ_CHECK(run.store.events == run.reader.events);
    if (run.store.events > 0) FUZZ_CHECK(run.store.first >= from && run.store.last < to);
  }

  /* 7. The same bytes again, by a second reader into the same store: the
   * same rows are read and rejected with the same reports, every valid row
   * is recorded or a duplicate (rows with an id now are), and no customer
   * is added: the good rows' customers are known, and rejected rows leave
   * no trace. */
  if (ref.rc == CXM_OK) {
    fuzz_read(&run, data, size, format, 0, SPLIT_TWICE, seed, 0, INT64_MIN, INT64_MAX);
    FUZZ_CHECK(run.rc == CXM_OK && memcmp(&run.reader, &ref.reader, sizeof run.reader) == 0);
    FUZZ_CHECK(run.rc2 == CXM_OK);
    FUZZ_CHECK(run.reader2.rows == ref.reader.rows && run.reader2.rejected == ref.reader.rejected &&
               run.reader2.warnings == ref.reader.warnings);
    FUZZ_CHECK(run.reader2.events + run.reader2.duplicates == ref.reader.events + ref.reader.duplicates);
    FUZZ_CHECK(run.reports2.digest == ref.reports.digest);
    FUZZ_CHECK(run.between.customers == ref.store.customers && run.store.customers == ref.store.customers);
    FUZZ_CHECK(run.store.events == ref.store.events + run.reader2.events);
    FUZZ_CHECK(run.store.first == ref.store.first && run.store.last == ref.store.last);
  }

  /* 5. Out of memory at the Nth allocation. */
  if (ref.alloc_calls > 0) {
    uint64_t n = 1 + (seed >> 7) % ref.alloc_calls;
    fuzz_read(&run, data, size, format, 0, SPLIT_WHOLE, seed, n, INT64_MIN, INT64_MAX);
    if (run.alloc_failed == 0) {
      fuzz_same(&ref, &run);
    } else {
      FUZZ_CHECK(run.rc == CXM_E_NOMEM);
      FUZZ_CHECK(run.store.events == run.reader.events && run.store.duplicates == run.reader.duplicates);
      FUZZ_CHECK(run.reader.events <= ref.reader.events);
    }
  }
}

#endif
