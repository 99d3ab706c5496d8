/*
 * bench_record: in-memory recording speed and memory of a store.
 *
 *   bench_record [CUSTOMERS [EVENTS [MODE [ORDER]]]]
 *     CUSTOMERS  distinct customers (default 1000000)
 *     EVENTS     survey events to record per mode (default 20000000)
 *     MODE       handle | string | batch | all (default all)
 *     ORDER      sorted | random (default sorted)
 *
 * Survey events (NPS 0..10, CSAT 1..5, CES 1..7) spread uniformly over the
 * customers, 18 months of day buckets, 8 channels (7 named + 1 custom),
 * 9 stages and 3 segments (plus none) are generated up front into a compact
 * array of up to 4 Mi events, replayed round-robin, so the timed loops
 * measure the store, not the generator. ORDER "sorted" gives the events
 * increasing times (up to an hour of jitter) across the 18 months, as a
 * live stream or an exported log has them; "random" draws every time
 * uniformly from the 18 months (a worst case: every event lands in a
 * random one of ~157 000 cells, so nearly every one misses the caches).
 * Then:
 *
 *  (a) "handle": every customer is interned once with cxm_store_customer()
 *      (timed separately), then each event is recorded with
 *      cxm_store_record_for(handle);
 *  (b) "string": a fresh store records the same events with
 *      cxm_store_record(), which looks the customer id up (and creates the
 *      customer the first time) on every call;
 *  (c) "batch": as (b), but BATCH events at a time through
 *      cxm_store_record_batch(), which overlaps the look-ups' memory
 *      latencies.
 *
 *   bench_record --file FILE
 *
 * instead ingests an event file (docs/events.md CSV, e.g. from gen_events)
 * with cxm_store_ingest_file() and reports MB/s, rows/s and the store's
 * memory per customer with everything the file holds (contacts, ratings,
 * SERVQUAL answers...), i.e. the CSV -> store part of `cxm report`.
 *
 * Reported: events/s of each loop, the store's own memory_bytes (after
 * interning only, and after recording) per customer, and the process's
 * peak RSS (getrusage ru_maxrss). Run one MODE per process to get a peak
 * RSS that belongs to that mode alone.
 */
#include <cxm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* One pre-generated event: 32 bytes. The id bytes are copied into it so
 * that mode (b) reads them sequentially, as a caller that just parsed a
 * record has them at hand, instead of charging the store for a cache miss
 * into the benchmark's own id table. */
typedef struct rec {
  uint32_t customer; /* index into the id table */
  uint32_t handle;   /* the store's handle for it (mode a) */
  uint32_t time;     /* seconds since 2025-01-01 */
  uint8_t kind;      /* CXM_KIND_NPS / CSAT / CES */
  uint8_t value;
  uint8_t channel; /* 1..8; 8 = the custom token */
  uint8_t stage;   /* 0..8 */
  uint8_t segment; /* 0..3; 0 = none */
  uint8_t id_len;
  char id[14]; /* "c0000000".."c99999999" */
} rec;

#define RING_MAX (1u << 22)    /* 4 Mi records = 128 MiB, reused round-robin */
#define T0 INT64_C(1735689600) /* 2025-01-01T00:00:00Z */
#define ID_STRIDE 16
#define BATCH 256 /* events per cxm_store_record_batch() call */

static uint64_t rng_next(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_rss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss; /* KiB on Linux */
}

static void die(const char *what, int32_t st) {
  fprintf(stderr, "bench_record: %s: %s (%s)\n", what, cxm_status_name(st), cxm_status_str(st));
  exit(1);
}

static void store_stats(cxm_store_stats *ss, const cxm_store *store) {
  int32_t st;
  memset(ss, 0, sizeof *ss);
  ss->size = sizeof *ss;
  st = cxm_store_stats_get(ss, store);
  if (st != CXM_OK) die("cxm_store_stats_get", st);
}

/* Channel codes 1..7 are the named ones; 8 stands for a custom token
 * interned per store. Segments 1..3 are labels interned per store. */
typedef struct codes {
  int32_t channel[9];
  int32_t segment[4];
} codes;

static void intern_codes(codes *c, cxm_store *store) {
  static const char *const seg[] = {"consumer", "smb", "enterprise"};
  int32_t st, i;
  for (i = 0; i < 8; i++) c->channel[i] = i;
  st = cxm_store_channel(&c->channel[8], store, "kiosk", 5);
  if (st != CXM_OK) die("cxm_store_channel", st);
  c->segment[0] = CXM_SEGMENT_UNKNOWN;
  for (i = 0; i < 3; i++) {
    st = cxm_store_segment(&c->segment[i + 1], store, seg[i], strlen(seg[i]));
    if (st != CXM_OK) die("cxm_store_segment", st);
  }
}

static void fill_event(cxm_event *ev, const rec *r, const codes *c) {
  ev->time = T0 + (int64_t)r->time;
  ev->kind = r->kind;
  ev->value = (double)r->value;
  ev->channel = c->channel[r->channel];
  ev->stage = r->stage;
  ev->segment = c->segment[r->segment];
}

/* The --file mode: CSV -> store, no report. */
static int ingest(const char *path) {
  cxm_store *store = NULL;
  cxm_reader_stats rs;
  cxm_store_stats ss;
  double t;
  int32_t st = cxm_store_new(&store, NULL);
  if (st != CXM_OK) die("cxm_store_new", st);
  memset(&rs, 0, sizeof rs);
  rs.size = sizeof rs;
  t = now_s();
  st = cxm_store_ingest_file(store, path, NULL, &rs);
  t = now_s() - t;
  if (st != CXM_OK) die(path, st);
  store_stats(&ss, store);
  printf("bench_record --file %s\n", path);
  printf("  ingest %.1f MB, %llu rows (%llu rejected, %llu duplicates): %.3f s, %.1f MB/s, %.2f M rows/s\n",
         (double)rs.bytes / 1e6, (unsigned long long)rs.rows, (unsigned long long)rs.rejected,
         (unsigned long long)rs.duplicates, t, (double)rs.bytes / 1e6 / t, (double)rs.rows / t / 1e6);
  printf("  store: %llu events, %llu customers, %llu cells, memory %.1f MiB = %.1f bytes per customer\n",
         (unsigned long long)ss.events, (unsigned long long)ss.customers, (unsigned long long)ss.cells,
         (double)ss.memory_bytes / 1048576.0, ss.customers > 0 ? (double)ss.memory_bytes / (double)ss.customers : 0.0);
  cxm_store_free(store);
  printf("  peak RSS %.1f MiB (ru_maxrss)\n", (double)peak_rss_kib() / 1024.0);
  return 0;
}

int main(int argc, char **argv) {
  uint64_t n_customers = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
  uint64_t n_events = argc > 2 ? strtoull(argv[2], NULL, 10) : 20000000;
  const char *mode = argc > 3 ? argv[3] : "all";
  const char *order = argc > 4 ? argv[4] : "sorted";
  int sorted = strcmp(order, "sorted") == 0;
  int all = strcmp(mode, "all") == 0;
  int do_handle = all || strcmp(mode, "handle") == 0;
  int do_string = all || strcmp(mode, "string") == 0;
  int do_batch = all || strcmp(mode, "batch") == 0;
  uint64_t seed = 42, i, ring_n, id_bytes = 0;
  char *ids;
  uint8_t *id_len;
  rec *ring;
  double t;

  if (argc == 3 && strcmp(argv[1], "--file") == 0) return ingest(argv[2]);
  if (n_customers == 0 || n_customers > 99999999 || n_events == 0 || (!do_handle && !do_string && !do_batch) ||
      (!sorted && strcmp(order, "random") != 0)) {
    fprintf(stderr,
            "usage: %s [CUSTOMERS [EVENTS [handle|string|batch|all [sorted|random]]]]\n"
            "       %s --file FILE\n",
            argv[0], argv[0]);
    return 2;
  }

  /* Customer ids "c0000000".. (8+ bytes), fixed stride. */
  ids = malloc(n_customers * ID_STRIDE);
  id_len = malloc(n_customers);
  ring_n = n_events < RING_MAX ? n_events : RING_MAX;
  ring = malloc(ring_n * sizeof *ring);
  if (!ids || !id_len || !ring) {
    fprintf(stderr, "bench_record: out of memory\n");
    return 1;
  }
  for (i = 0; i < n_customers; i++) {
    int n = snprintf(ids + i * ID_STRIDE, ID_STRIDE, "c%07llu", (unsigned long long)i);
    id_len[i] = (uint8_t)n;
    id_bytes += (uint64_t)n;
  }
  for (i = 0; i < ring_n; i++) {
    uint64_t x = rng_next(&seed), y = rng_next(&seed);
    rec *r = &ring[i];
    memset(r, 0, sizeof *r);
    r->customer = (uint32_t)(x % n_customers);
    if (sorted) {
      uint64_t base = (uint64_t)((double)i / (double)ring_n * (546.0 * 86400.0 - 3600.0));
      r->time = (uint32_t)(base + (x >> 32) % 3600u);
    } else {
      r->time = (uint32_t)((x >> 32) % (546u * 86400u));
    }
    switch (y % 3) {
    case 0:
      r->kind = CXM_KIND_NPS;
      r->value = (uint8_t)(y / 3 % 11);
      break;
    case 1:
      r->kind = CXM_KIND_CSAT;
      r->value = (uint8_t)(1 + y / 3 % 5);
      break;
    default:
      r->kind = CXM_KIND_CES;
      r->value = (uint8_t)(1 + y / 3 % 7);
      break;
    }
    r->channel = (uint8_t)(1 + (y >> 20) % 8);
    r->stage = (uint8_t)((y >> 28) % 9);
    r->segment = (uint8_t)((y >> 36) % 4);
    r->id_len = id_len[r->customer];
    memcpy(r->id, ids + (size_t)r->customer * ID_STRIDE, r->id_len);
  }
  printf(
      "bench_record: %llu customers (id bytes %llu, %.1f per customer), %llu survey events per mode,"
      " %s times\n",
      (unsigned long long)n_customers, (unsigned long long)id_bytes, (double)id_bytes / (double)n_customers,
      (unsigned long long)n_events, order);
  printf("setup peak RSS %.1f MiB (id table and %llu pre-generated events)\n", (double)peak_rss_kib() / 1024.0,
         (unsigned long long)ring_n);

  if (do_handle) {
    cxm_store *store = NULL;
    cxm_store_stats ss;
    cxm_event ev;
    codes c;
    uint32_t *handles = malloc(n_customers * sizeof *handles);
    uint64_t done = 0, bytes_interned;
    int32_t st;
    if (!handles) return fprintf(stderr, "out of memory\n"), 1;
    st = cxm_store_new(&store, NULL);
    if (st != CXM_OK) die("cxm_store_new", st);
    intern_codes(&c, store);

    t = now_s();
    for (i = 0; i < n_customers; i++) {
      st = cxm_store_customer(&handles[i], store, ids + i * ID_STRIDE, id_len[i]);
      if (st != CXM_OK) die("cxm_store_customer", st);
    }
    t = now_s() - t;
    store_stats(&ss, store);
    bytes_interned = ss.memory_bytes;
    printf("\n(a) by handle\n");
    printf("  intern %llu customers: %.3f s, %.2f M customers/s\n", (unsigned long long)n_customers, t,
           (double)n_customers / t / 1e6);
    printf(
        "  store memory after interning: %.1f MiB = %.1f bytes per customer, %.1f beyond the id bytes"
        " (target <= 100)\n",
        (double)bytes_interned / 1048576.0, (double)bytes_interned / (double)n_customers,
        (double)(bytes_interned - id_bytes) / (double)n_customers);

    /* Put the handles into the events (untimed), as a caller that looked
     * each customer up once would hold them. Done on a copy of the field
     * so mode (b) still sees customer indexes. */
    for (i = 0; i < ring_n; i++) ring[i].handle = handles[ring[i].customer];

    cxm_event_init(&ev);
    ev.has_value = 1;
    t = now_s();
    while (done < n_events) {
      uint64_t k, m = n_events - done < ring_n ? n_events - done : ring_n;
      for (k = 0; k < m; k++) {
        fill_event(&ev, &ring[k], &c);
        st = cxm_store_record_for(store, ring[k].handle, &ev);
        if (st != CXM_OK) die("cxm_store_record_for", st);
      }
      done += m;
    }
    t = now_s() - t;
    store_stats(&ss, store);
    printf("  record %llu events: %.3f s, %.2f M events/s (target >= 20)\n", (unsigned long long)n_events, t,
           (double)n_events / t / 1e6);
    printf("  store: %llu events, %llu customers, %llu cells, memory %.1f MiB = %.1f bytes per customer\n",
           (unsigned long long)ss.events, (unsigned long long)ss.customers, (unsigned long long)ss.cells,
           (double)ss.memory_bytes / 1048576.0, (double)ss.memory_bytes / (double)ss.customers);
    if (ss.events != n_events || ss.customers != n_customers) {
      fprintf(stderr, "bench_record: store counts disagree\n");
      return 1;
    }
    cxm_store_free(store);
    free(handles);
    printf("  peak RSS so far %.1f MiB\n", (double)peak_rss_kib() / 1024.0);
  }

  if (do_string) {
    cxm_store *store = NULL;
    cxm_store_stats ss;
    cxm_event ev;
    codes c;
    uint64_t done = 0;
    int32_t st = cxm_store_new(&store, NULL);
    if (st != CXM_OK) die("cxm_store_new", st);
    intern_codes(&c, store);
    cxm_event_init(&ev);
    ev.has_value = 1;
    t = now_s();
    while (done < n_events) {
      uint64_t k, m = n_events - done < ring_n ? n_events - done : ring_n;
      for (k = 0; k < m; k++) {
        fill_event(&ev, &ring[k], &c);
        ev.customer = ring[k].id;
        ev.customer_len = ring[k].id_len;
        st = cxm_store_record(store, &ev);
        if (st != CXM_OK) die("cxm_store_record", st);
      }
      done += m;
    }
    t = now_s() - t;
    store_stats(&ss, store);
    printf("\n(b) by string id\n");
    printf("  record %llu events: %.3f s, %.2f M events/s (target >= 5)\n", (unsigned long long)n_events, t,
           (double)n_events / t / 1e6);
    printf("  store: %llu events, %llu customers, %llu cells, memory %.1f MiB = %.1f bytes per customer\n",
           (unsigned long long)ss.events, (unsigned long long)ss.customers, (unsigned long long)ss.cells,
           (double)ss.memory_bytes / 1048576.0, (double)ss.memory_bytes / (double)ss.customers);
    if (ss.events != n_events) {
      fprintf(stderr, "bench_record: store counts disagree\n");
      return 1;
    }
    cxm_store_free(store);
    printf("  peak RSS so far %.1f MiB\n", (double)peak_rss_kib() / 1024.0);
  }

  if (do_batch) {
    cxm_store *store = NULL;
    cxm_store_stats ss;
    cxm_event *evs = malloc(BATCH * sizeof *evs);
    int32_t *statuses = malloc(BATCH * sizeof *statuses);
    codes c;
    uint64_t done = 0, k;
    int32_t st = cxm_store_new(&store, NULL);
    if (st != CXM_OK) die("cxm_store_new", st);
    if (!evs || !statuses) return fprintf(stderr, "out of memory\n"), 1;
    intern_codes(&c, store);
    for (k = 0; k < BATCH; k++) {
      cxm_event_init(&evs[k]);
      evs[k].has_value = 1;
    }
    t = now_s();
    while (done < n_events) {
      /* `done` advances in whole batches, so a batch never straddles the
       * ring's end when BATCH divides ring_n (both are powers of two, or
       * ring_n == n_events). */
      uint64_t m = n_events - done < BATCH ? n_events - done : BATCH, base = done % ring_n;
      if (base + m > ring_n) m = ring_n - base;
      for (k = 0; k < m; k++) {
        const rec *r = &ring[base + k];
        fill_event(&evs[k], r, &c);
        evs[k].customer = r->id;
        evs[k].customer_len = r->id_len;
      }
      st = cxm_store_record_batch(statuses, store, evs, (size_t)m);
      if (st != CXM_OK) die("cxm_store_record_batch", st);
      for (k = 0; k < m; k++) {
        if (statuses[k] != CXM_OK) die("cxm_store_record_batch event", statuses[k]);
      }
      done += m;
    }
    t = now_s() - t;
    store_stats(&ss, store);
    printf("\n(c) by string id, %d events per cxm_store_record_batch call\n", BATCH);
    printf("  record %llu events: %.3f s, %.2f M events/s (target >= 5)\n", (unsigned long long)n_events, t,
           (double)n_events / t / 1e6);
    printf("  store: %llu events, %llu customers, %llu cells, memory %.1f MiB = %.1f bytes per customer\n",
           (unsigned long long)ss.events, (unsigned long long)ss.customers, (unsigned long long)ss.cells,
           (double)ss.memory_bytes / 1048576.0, (double)ss.memory_bytes / (double)ss.customers);
    if (ss.events != n_events) {
      fprintf(stderr, "bench_record: store counts disagree\n");
      return 1;
    }
    cxm_store_free(store);
    free(statuses);
    free(evs);
    printf("  peak RSS so far %.1f MiB\n", (double)peak_rss_kib() / 1024.0);
  }

  free(ring);
  free(id_len);
  free(ids);
  printf("\npeak RSS %.1f MiB (ru_maxrss)\n", (double)peak_rss_kib() / 1024.0);
  return 0;
}
