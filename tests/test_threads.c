/* Concurrency (suite `threads`): the thread-safety contract of
 * include/cxm/store.h and docs/threads.md, checked by running it.
 *
 * 1. Many stores on many threads: each thread builds its own store from its
 *    own CSV event stream through a reader (fed in odd-sized chunks) and
 *    queries it; the result, a byte digest of every query, equals the one
 *    computed for the same stream on the main thread before any thread ran.
 * 2. Concurrent readers: one finished store, and one calendar, queried by
 *    THREADS threads at once (every query, every name look-up, stats, RFM,
 *    features, the risk model, the churn pipeline, the snapshot bytes),
 *    and fits on a shared purchase summary and shared risk rows
 *    (cxm_model_fit, cxm_risk_fit, cxm_risk_evaluate), several rounds
 *    each; every digest equals the single-thread baseline.
 * 3. Concurrent merges: one finished store merged by THREADS threads at
 *    once, each into its own store (cxm_store_merge only reads `from`);
 *    every merged store's digest equals the main thread's.
 *
 * The digests compare doubles bit for bit: the same code on the same data
 * must give the same bits whichever thread runs it. Run under
 * ThreadSanitizer by tools/ci-tsan.sh, which fails on any data race report
 * (a read path that writes the store would be one). pthreads are used here
 * only, never by the library. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t */
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm.h"
#include "test_helpers.h"

#define THREADS 8
#define READER_ROUNDS 3
#define DAY INT64_C(86400)
#define BASE INT64_C(1735689600) /* 2025-01-01T00:00:00Z, a Wednesday */
#define SPAN_DAYS 200
#define CUTOFF (BASE + 150 * DAY)
#define HORIZON (30 * DAY)

/* ---- a growable byte buffer ------------------------------------------- */

typedef struct buf {
  unsigned char *p;
  size_t len, cap;
  int bad_line; /* the first failed CHECK on this buffer's behalf, 0: none */
} buf;

/* A check that may run on a worker thread: it records the line of the
 * first failure in `*chk` (the main thread asserts it is 0). */
#define CHECK(cond)                            \
  do {                                         \
    if (!(cond) && *chk == 0) *chk = __LINE__; \
  } while (0)

static void buf_put(buf *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap == 0 ? 4096 : b->cap;
    unsigned char *p;
    while (cap < b->len + n) cap *= 2;
    p = realloc(b->p, cap);
    if (p == NULL) abort(); /* test-only: fail loudly on any thread */
    b->p = p;
    b->cap = cap;
  }
  if (n > 0) memcpy(b->p + b->len, data, n);
  b->len += n;
}

static void buf_printf(buf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  assert_true(n >= 0 && (size_t)n < sizeof tmp);
  buf_put(b, tmp, (size_t)n);
}

static void buf_free(buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

/* Digest helpers: fields one by one, so struct padding never enters. */
/* A cxm_run_tasks_fn that runs every task on a thread of its own (the
 * calling one when a thread cannot be started). */
typedef struct task_call {
  cxm_task_fn task;
  void *arg;
  uint32_t index;
} task_call;

static void *run_task_call(void *p) {
  task_call *t = p;
  t->task(t->arg, t->index);
  return NULL;
}

static void thread_per_task(void *user, cxm_task_fn task, void *arg, uint32_t count) {
  pthread_t ids[8];
  task_call calls[8];
  int started[8];
  uint32_t i, n = count < 8 ? count : 8;
  (void)user;
  for (i = 0; i < n; i++) {
    calls[i].task = task;
    calls[i].arg = arg;
    calls[i].index = i;
    started[i] = pthread_create(&ids[i], NULL, run_task_call, &calls[i]) == 0;
    if (!started[i]) task(arg, i);
  }
  for (i = n; i < count; i++) task(arg, i);
  for (i = 0; i < n; i++)
    if (started[i]) pthread_join(ids[i], NULL);
}

static void put_u64(buf *d, uint64_t v) { buf_put(d, &v, sizeof v); }
static void put_i64(buf *d, int64_t v) { buf_put(d, &v, sizeof v); }
static void put_dbl(buf *d, double v) { buf_put(d, &v, sizeof v); }
static void put_i32(buf *d, int32_t v) { buf_put(d, &v, sizeof v); }
static void put_bytes(buf *d, const void *p, size_t n) {
  put_u64(d, (uint64_t)n);
  buf_put(d, p, n);
}

/* ---- event streams ---------------------------------------------------- */

static const char *const kinds[] = {"nps",        "csat",     "ces",       "internal",   "expectation",
                                    "perception", "purchase", "complaint", "compliment", "churn"};
static const char *const channels[] = {"",      "email",  "phone", "chat",  "web",
                                       "store", "social", "app",   "kiosk", "partner-x"};
static const char *const stages[] = {"", "awareness", "discovery", "purchase", "use", "advocacy"};
static const char *const segments[] = {"", "enterprise", "smb", "public sector"};
static const char *const dims[] = {"tangibles", "reliability", "responsiveness", "assurance", "empathy"};

/* A CSV stream of `rows` rows for `seed`: every kind, custom channels and
 * segments, contacts with replies and resolutions, rated interactions,
 * duplicate ids and a few bad rows. */
static void make_stream(buf *out, uint64_t seed, int rows) {
  uint64_t s = seed * UINT64_C(0x51ed27) + 1;
  int i, customers = 60 + (int)(seed % 5) * 20;
  buf_printf(out, "time,customer,kind,value,channel,stage,ref,segment,dimension,id\n");
  for (i = 0; i < rows; i++) {
    int64_t t = BASE + (int64_t)test_below(&s, (uint64_t)SPAN_DAYS * 86400);
    int c = (int)test_below(&s, (uint64_t)customers);
    const char *ch = channels[test_below(&s, 10)];
    const char *st = stages[test_below(&s, 6)];
    const char *sg = segments[test_below(&s, 4)];
    uint64_t pick = test_below(&s, 100);
    char id[40];
    if (i > 0 && test_below(&s, 50) == 0) {
      snprintf(id, sizeof id, "e%llu-%d", (unsigned long long)seed, i - 1); /* a duplicate id */
    } else {
      snprintf(id, sizeof id, "e%llu-%d", (unsigned long long)seed, i);
    }
    if (pick < 20) {
      buf_printf(out, "%lld,c%d,nps,%d,%s,%s,,%s,,%s\n", (long long)t, c, (int)test_below(&s, 11), ch, st, sg, id);
    } else if (pick < 30) {
      buf_printf(out, "%lld,c%d,csat,%d,%s,%s,,%s,,%s\n", (long long)t, c, 1 + (int)test_below(&s, 5), ch, st, sg, id);
    } else if (pick < 38) {
      buf_printf(out, "%lld,c%d,ces,%d,%s,%s,,%s,,%s\n", (long long)t, c, 1 + (int)test_below(&s, 7), ch, st, sg, id);
    } else if (pick < 48) {
      /* a rated interaction: the company's score and the customer's answer */
      buf_printf(out, "%lld,c%d,internal,%d.5,%s,%s,i%d,%s,,%s\n", (long long)t, c, (int)test_below(&s, 100), ch, st, i,
                 sg, id);
      buf_printf(out, "%lld,c%d,csat,%d,%s,%s,i%d,%s,,%s-r\n", (long long)(t + 3600), c, 1 + (int)test_below(&s, 5), ch,
                 st, i, sg, id);
    } else if (pick < 56) {
      const char *dim = dims[test_below(&s, 5)];
      buf_printf(out, "%lld,c%d,expectation,%d,%s,%s,,%s,%s,%s\n", (long long)t, c, 1 + (int)test_below(&s, 7), ch, st,
                 sg, dim, id);
      buf_printf(out, "%lld,c%d,perception,%d,%s,%s,,%s,%s,%s-p\n", (long long)(t + 60), c, 1 + (int)test_below(&s, 7),
                 ch, st, sg, dim, id);
    } else if (pick < 68) {
      /* a contact: open, maybe a reply, maybe a resolution */
      int64_t reply = t + (int64_t)test_below(&s, 3 * 86400);
      buf_printf(out, "%lld,c%d,contact_open,,%s,%s,k%d,%s,,%s\n", (long long)t, c, ch, st, i, sg, id);
      if (test_below(&s, 4) != 0)
        buf_printf(out, "%lld,c%d,contact_reply,,%s,%s,k%d,%s,,%s-a\n", (long long)reply, c, ch, st, i, sg, id);
      if (test_below(&s, 3) != 0)
        buf_printf(out, "%lld,c%d,contact_resolve,,%s,%s,k%d,%s,,%s-z\n",
                   (long long)(reply + (int64_t)test_below(&s, 86400)), c, ch, st, i, sg, id);
      if (test_below(&s, 4) == 0) /* a transfer, a reopen and a later resolve (the backlog) */
        buf_printf(out,
                   "%lld,c%d,contact_transfer,,%s,%s,k%d,%s,,%s-t\n%lld,c%d,contact_reopen,,%s,%s,k%d,%s,,%s-o\n"
                   "%lld,c%d,contact_resolve,,%s,%s,k%d,%s,,%s-y\n",
                   (long long)(t + 600), c, ch, st, i, sg, id, (long long)(reply + 2 * 86400), c, ch, st, i, sg, id,
                   (long long)(reply + 4 * 86400), c, ch, st, i, sg, id);
    } else if (pick < 88) {
      buf_printf(out, "%lld,c%d,purchase,%d.25,%s,%s,,%s,,%s\n", (long long)t, c, (int)test_below(&s, 500), ch, st, sg,
                 id);
    } else if (pick < 93) {
      buf_printf(out, "%lld,c%d,%s,,%s,%s,,%s,,%s\n", (long long)t, c, test_below(&s, 2) ? "complaint" : "compliment",
                 ch, st, sg, id);
    } else if (pick < 95) {
      /* churn in the label horizon after the cut-off, so the risk model is fitted */
      buf_printf(out, "%lld,c%d,churn,,%s,%s,,%s,,%s\n", (long long)(CUTOFF + (int64_t)test_below(&s, HORIZON)), c, ch,
                 st, sg, id);
    } else if (pick < 97) {
      buf_printf(out, "%lld,c%d,purchase,%d,%s,%s,,%s,,%s\n", (long long)t, c, (int)test_below(&s, 50), ch, st, sg, id);
    } else {
      /* bad rows: out of range, unknown kind, bad time */
      buf_printf(out, "%lld,c%d,nps,11,,,,,,%s\n", (long long)t, c, id);
      buf_printf(out, "%lld,c%d,%s-x,,,,,,,%s-b\n", (long long)t, c, kinds[test_below(&s, 10)], id);
      buf_printf(out, "2025-13-01T00:00:00Z,c%d,nps,5,,,,,,%s-c\n", c, id);
    }
  }
}

/* Read `csv` into a new store, `step` bytes per feed (0: all at once). */
static cxm_store *build_store(int *chk, const buf *csv, size_t step, cxm_reader_stats *stats) {
  cxm_store *store = NULL;
  cxm_reader *reader = NULL;
  size_t p = 0;
  CHECK((cxm_store_new(&store, NULL)) == CXM_OK);
  CHECK((cxm_reader_new(&reader, store, NULL)) == CXM_OK);
  if (step == 0) step = csv->len;
  while (p < csv->len) {
    size_t n = csv->len - p < step ? csv->len - p : step;
    CHECK((cxm_reader_feed(reader, csv->p + p, n)) == CXM_OK);
    p += n;
  }
  CHECK((cxm_reader_finish(reader)) == CXM_OK);
  memset(stats, 0, sizeof *stats);
  stats->size = sizeof *stats;
  CHECK((cxm_reader_stats_get(stats, reader)) == CXM_OK);
  cxm_reader_free(reader);
  return store;
}

/* ---- the digest of every read-only query ------------------------------- */

static void digest_survey(buf *d, const cxm_survey_acc *s) {
  int i;
  for (i = 0; i < 11; i++) put_u64(d, s->nps.count[i]);
  for (i = 0; i < 5; i++) put_u64(d, s->csat.count[i]);
  for (i = 0; i < 7; i++) put_u64(d, s->ces.count[i]);
}

/* The experience queries of one slice. */
static void digest_slice(buf *d, const cxm_store *store, const cxm_filter *f, const cxm_experience_options *o) {
  int *chk = &d->bad_line;
  cxm_survey_acc survey;
  cxm_gap_acc gap;
  cxm_gap_result gr;
  cxm_servqual_result sq;
  cxm_servqual_acc sqa;
  cxm_service_result sr;
  cxm_service_acc *sa;
  cxm_loyalty_result lr;
  cxm_consistency_result cr;
  int i;

  CHECK((cxm_store_survey(&survey, store, f)) == CXM_OK);
  digest_survey(d, &survey);

  CHECK((cxm_store_gap(&gap, store, f, o)) == CXM_OK);
  put_u64(d, gap.pairs);
  put_dbl(d, gap.mean);
  put_dbl(d, gap.m2);
  put_dbl(d, gap.service_sum);
  put_dbl(d, gap.experience_sum);
  put_u64(d, gap.blind_spots);
  put_u64(d, gap.reverse_spots);
  put_i32(d, cxm_gap_compute(&gr, &gap));
  put_dbl(d, gr.mean);
  put_dbl(d, gr.ci95_low);
  put_dbl(d, gr.delivery_z);

  CHECK((cxm_store_servqual(&sq, store, f, o)) == CXM_OK);
  for (i = 0; i < 6; i++) {
    put_u64(d, sq.customers[i]);
    put_dbl(d, sq.gap[i]);
  }
  put_dbl(d, sq.score);
  CHECK((cxm_store_servqual_acc(&sqa, store, f)) == CXM_OK);
  for (i = 0; i < 6; i++) {
    put_u64(d, sqa.customers[i]);
    put_u64(d, sqa.expectation_sum[i]);
    put_u64(d, sqa.perception_sum[i]);
  }

  CHECK((cxm_store_service(&sr, store, f, o)) == CXM_OK);
  put_u64(d, sr.contacts);
  put_u64(d, sr.open);
  put_u64(d, sr.replied);
  put_u64(d, sr.resolved);
  put_u64(d, sr.met);
  put_u64(d, sr.breached);
  put_dbl(d, sr.first_response_median_s);
  put_dbl(d, sr.first_response_p90_s);
  put_dbl(d, sr.first_response_mean_s);
  put_dbl(d, sr.resolution_median_s);
  put_dbl(d, sr.resolution_p90_s);
  put_dbl(d, sr.resolution_mean_s);
  put_dbl(d, sr.within_sla_pct);
  CHECK((cxm_store_service_business(&sr, store, f, o)) == CXM_OK);
  put_dbl(d, sr.first_response_median_s);
  put_dbl(d, sr.first_response_p90_s);
  put_dbl(d, sr.resolution_median_s);
  put_dbl(d, sr.resolution_p90_s);
  sa = malloc(sizeof *sa); /* 45 KB: not on a thread's stack */
  CHECK((sa) != NULL);
  CHECK((cxm_store_service_acc(sa, store, f, o)) == CXM_OK);
  put_u64(d, sa->contacts);
  put_u64(d, sa->first_response_sum_s);
  put_u64(d, sa->resolution_sum_s);
  for (i = 0; i < CXM_SERVICE_SKETCH_BUCKETS; i++) {
    if (sa->first_response_hist[i] != 0 || sa->resolution_hist[i] != 0) {
      put_i32(d, i);
      put_u64(d, sa->first_response_hist[i]);
      put_u64(d, sa->resolution_hist[i]);
    }
  }
  free(sa);

  CHECK((cxm_store_loyalty(&lr, store, f)) == CXM_OK);
  put_u64(d, lr.complaints);
  put_u64(d, lr.compliments);
  put_u64(d, lr.churned);
  put_dbl(d, lr.compliment_ratio);

  CHECK((cxm_store_consistency(&cr, store, f, o)) == CXM_OK);
  put_u64(d, cr.channels);
  put_dbl(d, cr.sd);
  put_dbl(d, cr.mean_of_means);
  put_i32(d, cr.weakest_channel);
  put_dbl(d, cr.weakest_mean);
}

/* Service operations, closing the loop and the backlog of `n` slices at
 * once (the many-filter queries `cxm report` runs side by side). */
static void digest_operations(buf *d, const cxm_store *store, const cxm_filter *fs, size_t n, const cxm_calendar *cal) {
  int *chk = &d->bad_line;
  cxm_operations_options oo;
  cxm_loop_options lo;
  cxm_operations_result *ops = calloc(n, sizeof *ops);
  cxm_loop_result *loops = calloc(n, sizeof *loops);
  size_t *counts = calloc(n, sizeof *counts), total = 0, i;
  cxm_backlog_day *days;
  int32_t rc;
  CHECK(ops != NULL && loops != NULL && counts != NULL);
  cxm_operations_options_init(&oo);
  oo.calendar = cal;
  cxm_loop_options_init(&lo);
  lo.calendar = cal;
  for (i = 0; i < n; i++) {
    ops[i].size = sizeof ops[i];
    loops[i].size = sizeof loops[i];
  }
  CHECK(cxm_store_operations_each(ops, fs, n, store, &oo) == CXM_OK);
  put_bytes(d, ops, n * sizeof *ops);
  CHECK(cxm_store_loop_each(loops, fs, n, store, &lo) == CXM_OK);
  put_bytes(d, loops, n * sizeof *loops);
  rc = cxm_store_backlog_each(NULL, counts, &total, 0, fs, n, store, &oo);
  CHECK(rc == CXM_E_BUFFER && total > 0);
  days = calloc(total, sizeof *days);
  CHECK(days != NULL);
  for (i = 0; i < total; i++) days[i].size = sizeof days[i];
  CHECK(cxm_store_backlog_each(days, counts, &total, total, fs, n, store, &oo) == CXM_OK);
  put_bytes(d, counts, n * sizeof *counts);
  put_bytes(d, days, total * sizeof *days);
  free(days);
  free(counts);
  free(loops);
  free(ops);
}

static int32_t snapshot_write(void *opaque, const void *bytes, size_t len) {
  buf_put(opaque, bytes, len);
  return 0;
}

/* Every read-only query of the store, in a fixed order. `start` rotates
 * the order of the --by dimensions so that threads do different work at
 * the same moment; the digest of each dimension goes to its own buffer and
 * the buffers are joined in the fixed order. */
static void digest_store(buf *out, const cxm_store *store, const cxm_calendar *cal, int start) {
  int *chk = &out->bad_line;
  buf by_digest[CXM_BY_COUNT];
  cxm_store_stats st;
  cxm_experience_options o;
  cxm_filter all;
  cxm_rfm *rfm = NULL;
  cxm_rfm_options ro;
  cxm_features *features = NULL;
  cxm_feature_options fo;
  cxm_risk_model model;
  cxm_risk_evaluation eval;
  int32_t fitted = -1, code;
  uint32_t h;
  size_t i;
  int k, b;

  memset(by_digest, 0, sizeof by_digest);
  cxm_experience_options_init(&o);
  o.calendar = cal;
  o.min_channel_ratings = 5;
  cxm_filter_init(&all);

  memset(&st, 0, sizeof st);
  st.size = sizeof st;
  CHECK((cxm_store_stats_get(&st, store)) == CXM_OK);
  put_u64(out, st.events);
  put_u64(out, st.duplicates);
  put_u64(out, st.customers);
  put_i64(out, st.first);
  put_i64(out, st.last);
  put_u64(out, st.cells);
  put_u64(out, st.memory_bytes);

  /* customers: id of every handle, and the handle of every id */
  for (h = 0; h < (uint32_t)st.customers; h++) {
    const char *id;
    size_t len;
    uint32_t back = UINT32_MAX;
    CHECK((cxm_store_customer_id(&id, &len, store, h)) == CXM_OK);
    put_bytes(out, id, len);
    CHECK((cxm_store_find_customer(&back, store, id, len)) == CXM_OK);
    CHECK((back) == h);
  }
  CHECK((cxm_store_find_customer(&h, store, "nobody", 6)) == CXM_E_NOT_FOUND);

  /* channel and segment look-ups, known and unknown, and their names */
  for (i = 0; i < sizeof channels / sizeof *channels; i++) {
    const char *name;
    size_t len;
    int32_t rc = cxm_store_find_channel(&code, store, channels[i], strlen(channels[i]));
    put_i32(out, rc);
    if (rc == CXM_OK) {
      put_i32(out, code);
      CHECK((cxm_store_channel_name(&name, &len, store, code)) == CXM_OK);
      put_bytes(out, name, len);
    }
  }
  CHECK((cxm_store_find_channel(&code, store, "never-seen", 10)) == CXM_E_NOT_FOUND);
  for (i = 0; i < sizeof segments / sizeof *segments; i++) {
    const char *name;
    size_t len;
    int32_t rc = cxm_store_find_segment(&code, store, segments[i], strlen(segments[i]));
    put_i32(out, rc);
    if (rc == CXM_OK) {
      put_i32(out, code);
      CHECK((cxm_store_segment_name(&name, &len, store, code)) == CXM_OK);
      put_bytes(out, name, len);
    }
  }
  CHECK((cxm_store_find_segment(&code, store, "never seen", 10)) == CXM_E_NOT_FOUND);

  digest_slice(out, store, &all, &o);
  digest_operations(out, store, &all, 1, cal);

  /* every group of every dimension, and every query on each group */
  for (k = 0; k < CXM_BY_COUNT; k++) {
    cxm_groups *g = NULL;
    buf *d;
    b = (k + start) % CXM_BY_COUNT;
    d = &by_digest[b];
    cxm_filter *fs;
    CHECK((cxm_store_group(&g, store, NULL, b)) == CXM_OK);
    put_u64(d, cxm_groups_count(g));
    fs = calloc(cxm_groups_count(g) + 1, sizeof *fs);
    CHECK(fs != NULL);
    for (i = 0; i < cxm_groups_count(g); i++) {
      const char *key;
      size_t len;
      cxm_survey_acc s;
      CHECK((cxm_groups_key(&key, &len, g, i)) == CXM_OK);
      put_bytes(d, key, len);
      CHECK((cxm_groups_survey(&s, g, i)) == CXM_OK);
      digest_survey(d, &s);
      CHECK((cxm_groups_filter(&fs[i], g, i)) == CXM_OK);
      digest_slice(d, store, &fs[i], &o);
    }
    digest_operations(d, store, fs, cxm_groups_count(g), cal);
    free(fs);
    cxm_groups_free(g);
  }
  for (b = 0; b < CXM_BY_COUNT; b++) {
    if (by_digest[b].bad_line != 0 && *chk == 0) *chk = by_digest[b].bad_line;
    put_bytes(out, by_digest[b].p, by_digest[b].len);
    buf_free(&by_digest[b]);
  }

  /* purchase summaries */
  CHECK((cxm_rfm_new(&rfm, NULL)) == CXM_OK);
  cxm_rfm_options_init(&ro);
  CHECK((cxm_store_rfm(rfm, store, &ro)) == CXM_OK);
  put_u64(out, cxm_rfm_count(rfm));
  for (i = 0; i < cxm_rfm_count(rfm); i++) {
    cxm_rfm_customer c;
    cxm_rfm_customer_init(&c);
    CHECK((cxm_rfm_get(&c, rfm, i)) == CXM_OK);
    put_bytes(out, c.id, c.id_len);
    put_u64(out, c.x);
    put_dbl(out, c.t_x);
    put_dbl(out, c.T);
    put_dbl(out, c.monetary);
  }
  cxm_rfm_free(rfm);

  /* churn features as of the cut-off, and the risk model */
  cxm_feature_options_init(&fo);
  fo.cutoff = CUTOFF;
  fo.horizon_seconds = HORIZON;
  fo.calendar = cal;
  CHECK((cxm_store_features(&features, store, &fo)) == CXM_OK);
  put_u64(out, cxm_features_count(features));
  for (i = 0; i < cxm_features_count(features); i++) {
    double values[CXM_FEATURE_COUNT];
    int32_t label;
    CHECK((cxm_features_row_get(values, CXM_FEATURE_COUNT, &h, &label, features, i)) == CXM_OK);
    buf_put(out, values, sizeof values);
    put_u64(out, h);
    put_i32(out, label);
  }
  cxm_features_free(features);
  cxm_risk_model_init(&model);
  memset(&eval, 0, sizeof eval);
  eval.size = sizeof eval;
  code = cxm_store_risk_model(&model, &eval, &fitted, store, &fo);
  CHECK(code == CXM_OK || code == CXM_E_CONVERGE);
  put_i32(out, code);
  put_i32(out, fitted);
  put_dbl(out, model.intercept);
  for (k = 0; k < CXM_FEATURE_COUNT; k++) put_dbl(out, model.coef[k]);
  put_u64(out, eval.rows);
  put_dbl(out, eval.auc);

  /* the churn pipeline (cxm/churn.h), its two parts on two more threads
   * (run_tasks): the same bits as one after another */
  {
    cxm_churn *churn = NULL, *alone = NULL;
    cxm_churn_options co;
    cxm_churn_info info, info_alone;
    cxm_churn_options_init(&co);
    co.calendar = cal;
    co.horizon_seconds = HORIZON;
    CHECK(cxm_store_churn(&alone, store, &co) == CXM_OK);
    co.run_tasks = thread_per_task;
    CHECK(cxm_store_churn(&churn, store, &co) == CXM_OK);
    cxm_churn_info_init(&info_alone);
    cxm_churn_info_init(&info);
    CHECK(cxm_churn_info_get(&info_alone, alone) == CXM_OK);
    CHECK(cxm_churn_info_get(&info, churn) == CXM_OK);
    CHECK(memcmp(&info, &info_alone, sizeof info) == 0);
    CHECK(cxm_churn_count(churn) == cxm_churn_count(alone));
    for (i = 0; i < cxm_churn_count(churn); i++) {
      cxm_churn_row r, q;
      cxm_churn_row_init(&r);
      cxm_churn_row_init(&q);
      CHECK(cxm_churn_row_get(&r, churn, i) == CXM_OK && cxm_churn_row_get(&q, alone, i) == CXM_OK);
      CHECK(memcmp(&r, &q, sizeof r) == 0);
    }
    cxm_churn_free(alone);
    cxm_churn_info_init(&info);
    CHECK(cxm_churn_info_get(&info, churn) == CXM_OK);
    put_i64(out, info.scored_at);
    put_i64(out, info.cutoff);
    put_i32(out, info.fitted);
    put_dbl(out, info.model.intercept);
    put_u64(out, cxm_churn_count(churn));
    for (i = 0; i < cxm_churn_count(churn); i++) {
      cxm_churn_row r;
      cxm_churn_row_init(&r);
      CHECK(cxm_churn_row_get(&r, churn, i) == CXM_OK);
      put_u64(out, r.handle);
      put_i32(out, r.band);
      put_dbl(out, r.risk);
      put_dbl(out, r.logit);
      put_dbl(out, r.p_alive);
      buf_put(out, r.contributions, sizeof r.contributions);
      put_u64(out, r.driver_count);
    }
    cxm_churn_free(churn);
  }

  /* the snapshot's bytes (cxm/snapshot.h) */
  {
    buf snap;
    memset(&snap, 0, sizeof snap);
    CHECK(cxm_store_save_to(store, snapshot_write, &snap) == CXM_OK);
    CHECK(snap.len > 0);
    put_bytes(out, snap.p, snap.len);
    buf_free(&snap);
  }
}

/* The fits that only read their data (cxm/purchase.h, cxm/risk.h: "safe
 * from several threads on the same unchanged data"), on shared objects. */
static void digest_fits(buf *out, const cxm_rfm *rfm, const cxm_risk_data *risk) {
  int *chk = &out->bad_line;
  int32_t models[2] = {CXM_MODEL_BGNBD, CXM_MODEL_MBGNBD};
  cxm_risk_model rm;
  cxm_risk_evaluation ev;
  double ll = 0.0;
  int k, i;
  for (k = 0; k < 2; k++) {
    cxm_model m;
    int32_t rc;
    cxm_model_init(&m);
    rc = cxm_model_fit(&m, rfm, models[k], NULL);
    CHECK(rc == CXM_OK || rc == CXM_E_CONVERGE);
    put_i32(out, rc);
    for (i = 0; i < 4; i++) put_dbl(out, m.param[i]);
    put_dbl(out, m.loglik);
    CHECK(cxm_model_loglik(&ll, &m, rfm) == CXM_OK);
    put_dbl(out, ll);
  }
  cxm_risk_model_init(&rm);
  k = cxm_risk_fit(&rm, risk, NULL);
  CHECK(k == CXM_OK || k == CXM_E_CONVERGE);
  put_dbl(out, rm.intercept);
  for (i = 0; i < CXM_FEATURE_COUNT; i++) put_dbl(out, rm.coef[i]);
  memset(&ev, 0, sizeof ev);
  ev.size = sizeof ev;
  CHECK(cxm_risk_evaluate(&ev, &rm, risk) == CXM_OK);
  put_dbl(out, ev.log_loss);
  put_dbl(out, ev.auc);
}

/* The stream exercises every query: bad rows, duplicates, contacts,
 * pairs, SERVQUAL answers, custom channels and segments. */
static void check_digest_covers(const cxm_store *store, const cxm_reader_stats *rs) {
  cxm_store_stats st;
  cxm_service_result sr;
  cxm_gap_acc gap;
  cxm_servqual_result sq;
  int32_t code;
  memset(&st, 0, sizeof st);
  st.size = sizeof st;
  assert_int_equal(cxm_store_stats_get(&st, store), CXM_OK);
  assert_true(rs->rejected > 0);
  assert_true(rs->duplicates > 0);
  assert_true(st.events > 1000);
  assert_int_equal(cxm_store_service(&sr, store, NULL, NULL), CXM_OK);
  assert_true(sr.contacts > 10 && sr.resolved > 0 && sr.replied > 0);
  {
    /* reopens and transfers, and a backlog on some day */
    cxm_operations_result op;
    cxm_backlog_day days[400];
    size_t n = 0, k;
    uint64_t most = 0;
    op.size = sizeof op;
    assert_int_equal(cxm_store_operations(&op, store, NULL, NULL), CXM_OK);
    assert_true(op.reopened > 0 && op.transfers > 0);
    for (k = 0; k < 400; k++) days[k].size = sizeof days[k];
    assert_int_equal(cxm_store_backlog(days, &n, 400, store, NULL, NULL), CXM_OK);
    for (k = 0; k < n; k++) most = days[k].open > most ? days[k].open : most;
    assert_true(most > 1);
  }
  assert_int_equal(cxm_store_gap(&gap, store, NULL, NULL), CXM_OK);
  assert_true(gap.pairs > 10);
  assert_int_equal(cxm_store_servqual(&sq, store, NULL, NULL), CXM_OK);
  assert_true(sq.customers[1] > 0);
  {
    /* enough churn labels for a fitted risk model */
    cxm_feature_options fo;
    cxm_risk_model model;
    int32_t fitted = 0;
    cxm_feature_options_init(&fo);
    fo.cutoff = CUTOFF;
    fo.horizon_seconds = HORIZON;
    cxm_risk_model_init(&model);
    code = cxm_store_risk_model(&model, NULL, &fitted, store, &fo);
    assert_true(code == CXM_OK || code == CXM_E_CONVERGE);
    assert_int_equal(fitted, 1);
  }
  assert_int_equal(cxm_store_find_channel(&code, store, "kiosk", 5), CXM_OK);
  assert_true(code >= CXM_CHANNEL_FIRST_CUSTOM);
  assert_int_equal(cxm_store_find_segment(&code, store, "smb", 3), CXM_OK);
}

static cxm_calendar *make_calendar(void) {
  cxm_calendar *cal = NULL;
  assert_int_equal(cxm_calendar_new(&cal, NULL), CXM_OK);
  assert_int_equal(cxm_calendar_set_offset(cal, 3600), CXM_OK);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2025, 1, 6), CXM_OK);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2025, 4, 21), CXM_OK);
  return cal;
}

/* ---- threads ----------------------------------------------------------- */

/* cmocka's assertions longjmp to the test running on the main thread, so
 * code that may run on a worker never calls them: it records the first
 * failed check in its digest (CHECK below), and the main thread asserts
 * after the join. */

typedef struct job {
  int index;
  uint64_t seed;
  const buf *csv;         /* test 1: the stream to build from */
  const cxm_store *store; /* test 2: the shared store */
  const cxm_calendar *cal;
  const cxm_rfm *rfm;        /* test 2: a shared purchase summary */
  const cxm_risk_data *risk; /* test 2: shared risk rows */
  pthread_barrier_t *start;
  buf result;       /* the digest */
  int rounds_equal; /* test 2: rounds that equalled round 0 */
  cxm_reader_stats stats;
} job;

static void *build_worker(void *arg) {
  job *j = arg;
  cxm_store *store;
  pthread_barrier_wait(j->start);
  store = build_store(&j->result.bad_line, j->csv, (size_t)(7 + 13 * j->index), &j->stats);
  digest_store(&j->result, store, j->cal, j->index);
  cxm_store_free(store);
  return NULL;
}

static void *read_worker(void *arg) {
  job *j = arg;
  int r;
  pthread_barrier_wait(j->start);
  digest_store(&j->result, j->store, j->cal, j->index);
  digest_fits(&j->result, j->rfm, j->risk);
  j->rounds_equal = 1;
  for (r = 1; r < READER_ROUNDS; r++) {
    buf again;
    memset(&again, 0, sizeof again);
    digest_store(&again, j->store, j->cal, j->index + r);
    digest_fits(&again, j->rfm, j->risk);
    if (again.bad_line == 0 && again.len == j->result.len && memcmp(again.p, j->result.p, again.len) == 0)
      j->rounds_equal++;
    buf_free(&again);
  }
  return NULL;
}

/* Build the store of `csv` and merge the shared store into it. */
static cxm_store *build_and_merge(int *chk, const buf *csv, size_t step, const cxm_store *from) {
  cxm_reader_stats rs;
  cxm_store *store = build_store(chk, csv, step, &rs);
  CHECK(cxm_store_merge(store, from) == CXM_OK);
  return store;
}

static void *merge_worker(void *arg) {
  job *j = arg;
  cxm_store *store;
  pthread_barrier_wait(j->start);
  store = build_and_merge(&j->result.bad_line, j->csv, (size_t)(5 + 11 * j->index), j->store);
  digest_store(&j->result, store, j->cal, j->index);
  cxm_store_free(store);
  return NULL;
}

/* Equal digests, both made without a failed check. */
static int same(const buf *a, const buf *b) {
  assert_int_equal(a->bad_line, 0);
  assert_int_equal(b->bad_line, 0);
  return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* Many stores on many threads, each equal to its single-thread build. */
static void test_many_stores(void **state) {
  buf csv[THREADS], baseline[THREADS];
  job jobs[THREADS];
  pthread_t tid[THREADS];
  pthread_barrier_t start;
  cxm_calendar *cal = make_calendar();
  int i;
  (void)state;

  for (i = 0; i < THREADS; i++) {
    cxm_reader_stats rs;
    cxm_store *store;
    memset(&csv[i], 0, sizeof csv[i]);
    memset(&baseline[i], 0, sizeof baseline[i]);
    make_stream(&csv[i], (uint64_t)i + 1, 2500);
    int bad = 0;
    store = build_store(&bad, &csv[i], 0, &rs);
    assert_int_equal(bad, 0);
    check_digest_covers(store, &rs);
    digest_store(&baseline[i], store, cal, 0);
    cxm_store_free(store);
  }
  /* distinct streams make distinct stores (the comparison can fail) */
  assert_false(same(&baseline[0], &baseline[1]));

  assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
  for (i = 0; i < THREADS; i++) {
    memset(&jobs[i], 0, sizeof jobs[i]);
    jobs[i].index = i;
    jobs[i].csv = &csv[i];
    jobs[i].cal = cal;
    jobs[i].start = &start;
    assert_int_equal(pthread_create(&tid[i], NULL, build_worker, &jobs[i]), 0);
  }
  for (i = 0; i < THREADS; i++) assert_int_equal(pthread_join(tid[i], NULL), 0);
  pthread_barrier_destroy(&start);

  for (i = 0; i < THREADS; i++) {
    assert_true(jobs[i].result.len > 1000);
    assert_true(same(&jobs[i].result, &baseline[i]));
    buf_free(&jobs[i].result);
    buf_free(&baseline[i]);
    buf_free(&csv[i]);
  }
  cxm_calendar_free(cal);
}

/* One finished store read by THREADS threads at once. */
static void test_concurrent_readers(void **state) {
  buf csv, baseline;
  job jobs[THREADS];
  pthread_t tid[THREADS];
  pthread_barrier_t start;
  cxm_reader_stats rs;
  cxm_calendar *cal = make_calendar();
  cxm_store *store;
  cxm_rfm *rfm = NULL;
  cxm_risk_data *risk = NULL;
  int i;
  (void)state;

  memset(&csv, 0, sizeof csv);
  memset(&baseline, 0, sizeof baseline);
  make_stream(&csv, 99, 4000);
  store = build_store(&baseline.bad_line, &csv, 4096, &rs);
  check_digest_covers(store, &rs);
  digest_store(&baseline, store, cal, 0);
  assert_true(baseline.len > 1000);
  /* shared inputs of the fits: the store's purchase summary, and its
   * feature rows with their churn labels */
  {
    cxm_rfm_options ro;
    cxm_feature_options fo;
    cxm_features *features = NULL;
    size_t row;
    assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
    cxm_rfm_options_init(&ro);
    assert_int_equal(cxm_store_rfm(rfm, store, &ro), CXM_OK);
    assert_true(cxm_rfm_count(rfm) > 50);
    cxm_feature_options_init(&fo);
    fo.cutoff = CUTOFF;
    fo.horizon_seconds = HORIZON;
    assert_int_equal(cxm_store_features(&features, store, &fo), CXM_OK);
    assert_int_equal(cxm_risk_data_new(&risk, CXM_FEATURE_COUNT, NULL), CXM_OK);
    for (row = 0; row < cxm_features_count(features); row++) {
      double values[CXM_FEATURE_COUNT];
      int32_t label;
      assert_int_equal(cxm_features_row_get(values, CXM_FEATURE_COUNT, NULL, &label, features, row), CXM_OK);
      assert_int_equal(cxm_risk_data_add(risk, values, label, 1.0), CXM_OK);
    }
    cxm_features_free(features);
    digest_fits(&baseline, rfm, risk);
    assert_int_equal(baseline.bad_line, 0);
  }

  assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
  for (i = 0; i < THREADS; i++) {
    memset(&jobs[i], 0, sizeof jobs[i]);
    jobs[i].index = i;
    jobs[i].store = store;
    jobs[i].cal = cal;
    jobs[i].rfm = rfm;
    jobs[i].risk = risk;
    jobs[i].start = &start;
    assert_int_equal(pthread_create(&tid[i], NULL, read_worker, &jobs[i]), 0);
  }
  for (i = 0; i < THREADS; i++) assert_int_equal(pthread_join(tid[i], NULL), 0);
  pthread_barrier_destroy(&start);

  for (i = 0; i < THREADS; i++) {
    assert_true(same(&jobs[i].result, &baseline));
    assert_int_equal(jobs[i].rounds_equal, READER_ROUNDS);
    buf_free(&jobs[i].result);
  }
  /* the readers left the store as it was */
  {
    buf after;
    memset(&after, 0, sizeof after);
    digest_store(&after, store, cal, 0);
    digest_fits(&after, rfm, risk);
    assert_true(same(&after, &baseline));
    buf_free(&after);
  }
  buf_free(&baseline);
  buf_free(&csv);
  cxm_rfm_free(rfm);
  cxm_risk_data_free(risk);
  cxm_store_free(store);
  cxm_calendar_free(cal);
}

/* One finished store merged by THREADS threads at once, each into its own
 * store (cxm_store_merge reads `from`): every merged store equals the one
 * the main thread made the same way. */
static void test_concurrent_merges(void **state) {
  buf shared_csv, csv[THREADS], baseline[THREADS];
  job jobs[THREADS];
  pthread_t tid[THREADS];
  pthread_barrier_t start;
  cxm_reader_stats rs;
  cxm_calendar *cal = make_calendar();
  cxm_store *shared;
  int i, bad = 0;
  (void)state;

  memset(&shared_csv, 0, sizeof shared_csv);
  make_stream(&shared_csv, 77, 3000);
  shared = build_store(&bad, &shared_csv, 0, &rs);
  assert_int_equal(bad, 0);
  for (i = 0; i < THREADS; i++) {
    cxm_store *merged;
    memset(&csv[i], 0, sizeof csv[i]);
    memset(&baseline[i], 0, sizeof baseline[i]);
    make_stream(&csv[i], (uint64_t)i + 40, 1500);
    merged = build_and_merge(&bad, &csv[i], 0, shared);
    assert_int_equal(bad, 0);
    digest_store(&baseline[i], merged, cal, 0);
    cxm_store_free(merged);
  }
  assert_false(same(&baseline[0], &baseline[1]));

  assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
  for (i = 0; i < THREADS; i++) {
    memset(&jobs[i], 0, sizeof jobs[i]);
    jobs[i].index = i;
    jobs[i].csv = &csv[i];
    jobs[i].store = shared;
    jobs[i].cal = cal;
    jobs[i].start = &start;
    assert_int_equal(pthread_create(&tid[i], NULL, merge_worker, &jobs[i]), 0);
  }
  for (i = 0; i < THREADS; i++) assert_int_equal(pthread_join(tid[i], NULL), 0);
  pthread_barrier_destroy(&start);
  for (i = 0; i < THREADS; i++) {
    assert_true(same(&jobs[i].result, &baseline[i]));
    buf_free(&jobs[i].result);
    buf_free(&baseline[i]);
    buf_free(&csv[i]);
  }
  buf_free(&shared_csv);
  cxm_store_free(shared);
  cxm_calendar_free(cal);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_many_stores),
      cmocka_unit_test(test_concurrent_readers),
      cmocka_unit_test(test_concurrent_merges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
