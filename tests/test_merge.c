/* Tests of cxm_store_merge: hand-built cases for every table (ties, a
 * contact opened in one shard and answered in another, early replies,
 * one customer-day's NPS answers split across shards), errors and
 * atomicity under failing allocations, and two properties on random
 * streams: shards cut from one stream and merged in order answer every
 * query exactly as one store fed the whole stream; shards split by
 * customer answer the same where arrival order across customers cannot
 * matter. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm.h"
#include "test_helpers.h"

#include "store/store_internal.h"

#define BASE INT64_C(1735689600) /* 2025-01-01T00:00:00Z */
#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)

/* ---- events ------------------------------------------------------------- */

/* One event, strings by value, so a stream can be replayed into any store. */
typedef struct ev {
  char customer[16];
  char ref[24];
  char id[16];
  char channel[16]; /* token: a named channel, a custom one, or "" */
  char segment[8];  /* label or "" */
  int64_t time;
  int32_t kind;
  int32_t has_value;
  double value;
  int32_t stage;
  int32_t dimension;
  char attribute[12]; /* a rating's attribute label, or "" */
} ev;

static ev make(const char *customer, int64_t time, int32_t kind, double value, const char *channel, const char *ref) {
  ev e;
  memset(&e, 0, sizeof e);
  snprintf(e.customer, sizeof e.customer, "%s", customer);
  snprintf(e.channel, sizeof e.channel, "%s", channel != NULL ? channel : "");
  snprintf(e.ref, sizeof e.ref, "%s", ref != NULL ? ref : "");
  e.time = time;
  e.kind = kind;
  e.has_value = !isnan(value);
  e.value = isnan(value) ? 0 : value;
  return e;
}

/* Record `e`; returns the store's status. */
static int32_t record(cxm_store *s, const ev *e) {
  cxm_event x;
  int32_t rc;
  cxm_event_init(&x);
  x.customer = e->customer;
  x.customer_len = strlen(e->customer);
  x.time = e->time;
  x.kind = e->kind;
  x.has_value = e->has_value;
  x.value = e->value;
  x.stage = e->stage;
  x.dimension = e->dimension;
  if (e->attribute[0] != '\0') {
    rc = cxm_store_attribute(&x.dimension, s, e->attribute, strlen(e->attribute));
    if (rc != CXM_OK) return rc;
  }
  rc = cxm_store_channel(&x.channel, s, e->channel, strlen(e->channel));
  if (rc != CXM_OK) return rc;
  rc = cxm_store_segment(&x.segment, s, e->segment, strlen(e->segment));
  if (rc != CXM_OK) return rc;
  x.ref = e->ref[0] != '\0' ? e->ref : NULL;
  x.ref_len = strlen(e->ref);
  x.id = e->id[0] != '\0' ? e->id : NULL;
  x.id_len = strlen(e->id);
  return cxm_store_record(s, &x);
}

static cxm_store *new_store(void) {
  cxm_store *s = NULL;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  return s;
}

static cxm_store *store_of(const ev *events, size_t n) {
  cxm_store *s = new_store();
  size_t i;
  for (i = 0; i < n; i++) {
    int32_t rc = record(s, &events[i]);
    if (rc != CXM_OK && rc != CXM_DUPLICATE) fail_msg("event %zu: %s", i, cxm_status_str(rc));
  }
  return s;
}

/* ---- fingerprints: every query's answer as bytes ------------------------- */

typedef struct buf {
  unsigned char *p;
  size_t len, cap;
} buf;

static void put(buf *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap == 0 ? 4096 : b->cap;
    while (cap < b->len + n) cap *= 2;
    b->p = realloc(b->p, cap);
    assert_non_null(b->p);
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

static void put_u64(buf *b, uint64_t v) { put(b, &v, sizeof v); }
static void put_i64(buf *b, int64_t v) { put(b, &v, sizeof v); }
static void put_f64(buf *b, double v) { put(b, &v, sizeof v); }

/* A fixed-size record of a customer's row, sortable by id. */
#define ROW_BYTES 336

/* What a fingerprint covers. `sorted`: rows keyed by customer id and
 * sorted (handle order may differ), and no per-event-order tables. */
typedef struct print {
  buf bytes;
  double *gap; /* gap results (sums of doubles: compared with a tolerance) */
  size_t gap_n, gap_cap;
} print;

static void put_gap(print *pr, double v) {
  if (pr->gap_n == pr->gap_cap) {
    pr->gap_cap = pr->gap_cap == 0 ? 256 : pr->gap_cap * 2;
    pr->gap = realloc(pr->gap, pr->gap_cap * sizeof *pr->gap);
    assert_non_null(pr->gap);
  }
  pr->gap[pr->gap_n++] = v;
}

static void print_free(print *pr) {
  free(pr->bytes.p);
  free(pr->gap);
  memset(pr, 0, sizeof *pr);
}

/* With MERGE_DEBUG set, name each part of a fingerprint by its offset, to
 * find which query a "fingerprints differ at byte N" points at. */
static void mark(print *pr, const char *what) {
  if (getenv("MERGE_DEBUG") != NULL) fprintf(stderr, "%zu %s\n", pr->bytes.len, what);
}

static void print_slice(print *pr, const cxm_store *s, const cxm_filter *f) {
  cxm_survey_acc survey;
  cxm_gap_acc gap;
  cxm_gap_result g;
  cxm_servqual_acc sq;
  cxm_loyalty_acc loyalty;
  cxm_service_acc service;
  cxm_consistency_result c;
  uint8_t bytes[CXM_SERVICE_ACC_MAX_BYTES + CXM_SERVQUAL_ACC_BYTES];
  size_t n;
  cxm_nps_result nps;
  cxm_csat_result csat;
  cxm_ces_result ces;

  mark(pr, "survey");
  assert_int_equal(cxm_store_survey(&survey, s, f), CXM_OK);
  assert_int_equal(cxm_survey_acc_serialize(bytes, sizeof bytes, &n, &survey), CXM_OK);
  put(&pr->bytes, bytes, n);
  assert_int_equal(cxm_nps_compute(&nps, &survey.nps), CXM_OK);
  put_f64(&pr->bytes, nps.score);
  put_f64(&pr->bytes, nps.se);
  put_f64(&pr->bytes, nps.ci95_low);
  assert_int_equal(cxm_csat_compute(&csat, &survey.csat), CXM_OK);
  put_f64(&pr->bytes, csat.score);
  put_f64(&pr->bytes, csat.mean);
  assert_int_equal(cxm_ces_compute(&ces, &survey.ces), CXM_OK);
  put_f64(&pr->bytes, ces.mean);
  put_f64(&pr->bytes, ces.net);

  mark(pr, "gap");
  assert_int_equal(cxm_store_gap(&gap, s, f, NULL), CXM_OK);
  put_u64(&pr->bytes, gap.pairs);
  assert_int_equal(cxm_gap_compute(&g, &gap), CXM_OK);
  put_gap(pr, g.mean);
  put_gap(pr, g.se);
  put_gap(pr, g.service);
  put_gap(pr, g.experience);
  put_u64(&pr->bytes, g.blind_spots);
  put_u64(&pr->bytes, g.reverse_spots);

  mark(pr, "operations");
  {
    cxm_operations_result op;
    op.size = sizeof op;
    assert_int_equal(cxm_store_operations(&op, s, f, NULL), CXM_OK);
    put_u64(&pr->bytes, op.contacts);
    put_u64(&pr->bytes, op.resolved);
    put_u64(&pr->bytes, op.first_contact_resolved);
    put_u64(&pr->bytes, op.reopened);
    put_u64(&pr->bytes, op.repeated);
    put_u64(&pr->bytes, op.switched);
    put_u64(&pr->bytes, op.transfers);
    put_f64(&pr->bytes, op.full_resolution_median_s);
    put_f64(&pr->bytes, op.full_resolution_mean_s);
    put_f64(&pr->bytes, op.first_resolution_business_median_s);
    put_f64(&pr->bytes, op.full_resolution_business_mean_s);
  }

  mark(pr, "servqual");
  assert_int_equal(cxm_store_servqual_acc(&sq, s, f), CXM_OK);
  assert_int_equal(cxm_servqual_acc_serialize(bytes, sizeof bytes, &n, &sq), CXM_OK);
  put(&pr->bytes, bytes, n);
  mark(pr, "loyalty");
  assert_int_equal(cxm_store_loyalty_acc(&loyalty, s, f), CXM_OK);
  assert_int_equal(cxm_loyalty_acc_serialize(bytes, sizeof bytes, &n, &loyalty), CXM_OK);
  put(&pr->bytes, bytes, n);
  mark(pr, "service");
  assert_int_equal(cxm_store_service_acc(&service, s, f, NULL), CXM_OK);
  assert_int_equal(cxm_service_acc_serialize(bytes, sizeof bytes, &n, &service), CXM_OK);
  put(&pr->bytes, bytes, n);

  mark(pr, "consistency");
  assert_int_equal(cxm_store_consistency(&c, s, f, NULL), CXM_OK);
  put_u64(&pr->bytes, c.channels);
  put_f64(&pr->bytes, c.sd);
  put_f64(&pr->bytes, c.mean_of_means);
  put_f64(&pr->bytes, c.weakest_mean);
  {
    /* the weakest channel by name: codes of custom channels are per store */
    const char *name = "-";
    size_t len = 1;
    if (c.weakest_channel >= 0) assert_int_equal(cxm_store_channel_name(&name, &len, s, c.weakest_channel), CXM_OK);
    put(&pr->bytes, name, len);
    put_u64(&pr->bytes, len);
  }
}

static int cmp_rows(const void *x, const void *y) { return memcmp(x, y, ROW_BYTES); }

/* Customer rows (purchase summaries and churn features) into `pr`. */
static void print_customers(print *pr, const cxm_store *s, int sorted, int64_t cutoff) {
  unsigned char *rows;
  size_t count = 0, cap, i;
  cxm_rfm *rfm = NULL;
  cxm_features *features = NULL;
  cxm_feature_options fo;
  cxm_store_stats st;

  mark(pr, "customers");
  memset(&st, 0, sizeof st);
  st.size = sizeof st;
  assert_int_equal(cxm_store_stats_get(&st, s), CXM_OK);
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  assert_int_equal(cxm_store_rfm(rfm, s, NULL), CXM_OK);
  cxm_feature_options_init(&fo);
  fo.cutoff = cutoff;
  assert_int_equal(cxm_store_features(&features, s, &fo), CXM_OK);

  cap = (size_t)st.customers + cxm_rfm_count(rfm) + cxm_features_count(features) + 1;
  rows = calloc(cap, ROW_BYTES);
  assert_non_null(rows);
  for (i = 0; i < st.customers; i++) {
    unsigned char *r = rows + count++ * ROW_BYTES;
    const char *id;
    size_t len;
    assert_int_equal(cxm_store_customer_id(&id, &len, s, (uint32_t)i), CXM_OK);
    r[0] = 'C';
    memcpy(r + 1, id, len);
    if (!sorted) memcpy(r + 200, &i, sizeof i);
  }
  for (i = 0; i < cxm_rfm_count(rfm); i++) {
    unsigned char *r = rows + count++ * ROW_BYTES;
    cxm_rfm_customer c;
    cxm_rfm_customer_init(&c);
    assert_int_equal(cxm_rfm_get(&c, rfm, i), CXM_OK);
    r[0] = 'R';
    memcpy(r + 1, c.id, c.id_len);
    memcpy(r + 140, &c.x, sizeof c.x);
    memcpy(r + 144, &c.t_x, sizeof c.t_x);
    memcpy(r + 152, &c.T, sizeof c.T);
    memcpy(r + 160, &c.monetary, sizeof c.monetary);
    memcpy(r + 168, &c.x_star, sizeof c.x_star);
    if (!sorted) memcpy(r + 200, &i, sizeof i);
  }
  for (i = 0; i < cxm_features_count(features); i++) {
    unsigned char *r = rows + count++ * ROW_BYTES;
    double values[CXM_FEATURE_COUNT];
    uint32_t handle;
    int32_t label;
    const char *id;
    size_t len;
    assert_int_equal(cxm_features_row_get(values, CXM_FEATURE_COUNT, &handle, &label, features, i), CXM_OK);
    assert_int_equal(cxm_store_customer_id(&id, &len, s, handle), CXM_OK);
    r[0] = 'F';
    memcpy(r + 1, id, len);
    _Static_assert(130 + sizeof values <= 292, "feature values overlap the label");
    memcpy(r + 130, values, sizeof values); /* 160 bytes: 130..289 */
    memcpy(r + 292, &label, sizeof label);
    if (!sorted) memcpy(r + 296, &i, sizeof i);
  }
  if (sorted) {
    /* Rows sort by kind and id (both unique). The purchase risk comes
     * from a purchase model fitted over all customers in handle order; in
     * another order its sums round differently and, on these small random
     * sets, the fit can even stop at another point (seen: 1 vs 0.10). So
     * with `sorted` the risk is left out; its inputs, the purchase
     * summaries ('R' rows), are compared exactly. The same holds for the
     * lapse log-odds, from the same fit. */
    qsort(rows, count, ROW_BYTES, cmp_rows);
    for (i = 0; i < count; i++)
      if (rows[i * ROW_BYTES] == 'F') {
        memset(rows + i * ROW_BYTES + 130, 0, sizeof(double));
        memset(rows + i * ROW_BYTES + 130 + CXM_FEATURE_LAPSE_ODDS * sizeof(double), 0, sizeof(double));
      }
  }
  put(&pr->bytes, rows, count * ROW_BYTES);
  free(rows);
  cxm_features_free(features);
  cxm_rfm_free(rfm);
}

/* The driver rows of both respondents (cxm_store_driver_table) and the
 * attribute labels, in code and row order: only for `!sorted`, as shards
 * split by customer meet attributes and refs in another order. */
static void print_driver_tables(print *pr, const cxm_store *s) {
  int32_t respondent, c;
  mark(pr, "driver tables");
  for (c = 1;; c++) {
    const char *name;
    size_t len;
    if (cxm_store_attribute_name(&name, &len, s, c) != CXM_OK) break;
    put(&pr->bytes, name, len);
    put_u64(&pr->bytes, len);
  }
  for (respondent = CXM_DRIVERS_BY_CUSTOMER; respondent <= CXM_DRIVERS_BY_REF; respondent++) {
    cxm_driver_table_options o;
    size_t rows, cols;
    double *y, *x;
    cxm_driver_table_options_init(&o);
    o.respondent = respondent;
    (void)cxm_store_driver_table(NULL, NULL, &rows, &cols, s, &o, 0);
    y = calloc(rows + 1, sizeof *y);
    x = calloc((rows + 1) * cols, sizeof *x);
    assert_true(y != NULL && x != NULL);
    assert_int_equal(cxm_store_driver_table(y, x, &rows, &cols, s, &o, rows), CXM_OK);
    put_u64(&pr->bytes, rows);
    put_u64(&pr->bytes, cols);
    put(&pr->bytes, y, rows * sizeof *y);
    put(&pr->bytes, x, rows * cols * sizeof *x);
    free(y);
    free(x);
  }
}

/* Each customer's retention groups over the whole time range (its first
 * channel and segment, by name, and SLA), keyed by customer id. */
static void print_retention_groups(print *pr, const cxm_store *s, int sorted) {
  cxm_retention_options o;
  cxm_retention *r = NULL;
  size_t i, n;
  unsigned char *rows;
  mark(pr, "retention groups");
  cxm_retention_options_init(&o);
  o.from = 0;
  o.to = INT64_C(253402300800);
  assert_int_equal(cxm_store_retention(&r, s, &o), CXM_OK);
  n = cxm_retention_count(r);
  rows = calloc(n + 1, ROW_BYTES);
  assert_non_null(rows);
  for (i = 0; i < n; i++) {
    cxm_retention_row row;
    unsigned char *x = rows + i * ROW_BYTES;
    const char *id, *name;
    size_t len, nlen;
    row.size = sizeof row;
    assert_int_equal(cxm_retention_row_get(&row, r, i), CXM_OK);
    assert_int_equal(cxm_store_customer_id(&id, &len, s, row.handle), CXM_OK);
    memcpy(x, id, len);
    assert_int_equal(cxm_store_channel_name(&name, &nlen, s, row.channel), CXM_OK);
    memcpy(x + 130, name, nlen < 40 ? nlen : 40);
    assert_int_equal(cxm_store_segment_name(&name, &nlen, s, row.segment), CXM_OK);
    memcpy(x + 170, name, nlen < 40 ? nlen : 40);
    memcpy(x + 212, &row.sla, sizeof row.sla);
    memcpy(x + 216, &row.time, sizeof row.time);
    memcpy(x + 224, &row.lost, sizeof row.lost);
  }
  if (sorted) qsort(rows, n, ROW_BYTES, cmp_rows);
  put(&pr->bytes, rows, n * ROW_BYTES);
  free(rows);
  cxm_retention_free(r);
}

/* Every answer of `s`: stats, overall and per-group slices of every
 * dimension, customers, purchase summaries, churn features at two
 * cut-offs. With `sorted`, customer rows are compared as sets. */
static void fingerprint(print *pr, const cxm_store *s, int sorted) {
  cxm_store_stats st;
  int32_t by;
  memset(pr, 0, sizeof *pr);
  memset(&st, 0, sizeof st);
  st.size = sizeof st;
  assert_int_equal(cxm_store_stats_get(&st, s), CXM_OK);
  put_u64(&pr->bytes, st.events);
  put_u64(&pr->bytes, st.duplicates);
  put_u64(&pr->bytes, st.customers);
  put_i64(&pr->bytes, st.first);
  put_i64(&pr->bytes, st.last);
  put_u64(&pr->bytes, st.cells);
  print_slice(pr, s, NULL);
  for (by = 0; by < CXM_BY_COUNT; by++) {
    cxm_groups *g = NULL;
    size_t i;
    assert_int_equal(cxm_store_group(&g, s, NULL, by), CXM_OK);
    put_u64(&pr->bytes, cxm_groups_count(g));
    for (i = 0; i < cxm_groups_count(g); i++) {
      const char *key;
      size_t len;
      cxm_filter f;
      assert_int_equal(cxm_groups_key(&key, &len, g, i), CXM_OK);
      put(&pr->bytes, key, len);
      put_u64(&pr->bytes, len);
      assert_int_equal(cxm_groups_filter(&f, g, i), CXM_OK);
      print_slice(pr, s, &f);
    }
    cxm_groups_free(g);
  }
  print_customers(pr, s, sorted, BASE + 20 * DAY);
  print_customers(pr, s, sorted, BASE + 40 * DAY);
  if (!sorted) print_driver_tables(pr, s);
  print_retention_groups(pr, s, sorted);
}

static void assert_same(const cxm_store *want, const cxm_store *got, int sorted) {
  print a, b;
  size_t i;
  fingerprint(&a, want, sorted);
  fingerprint(&b, got, sorted);
  assert_int_equal(a.bytes.len, b.bytes.len);
  if (memcmp(a.bytes.p, b.bytes.p, a.bytes.len) != 0) {
    for (i = 0; i < a.bytes.len && a.bytes.p[i] == b.bytes.p[i]; i++) {
    }
    fail_msg("fingerprints differ at byte %zu of %zu", i, a.bytes.len);
  }
  assert_int_equal(a.gap_n, b.gap_n);
  for (i = 0; i < a.gap_n; i++) {
    double x = a.gap[i], y = b.gap[i];
    if (isnan(x) && isnan(y)) continue;
    /* Per-interaction sums of normalised CES ratings (k * 100 / 6) are
     * added per shard, then across shards: last-bit differences only. */
    if (!(fabs(x - y) <= 1e-9 * (1.0 + fabs(x)))) fail_msg("gap value %zu: %.17g vs %.17g", i, x, y);
  }
  print_free(&a);
  print_free(&b);
}

/* ---- snapshots: canonical bytes (docs/snapshot.md) ----------------------- */

static int32_t snapshot_write(void *opaque, const void *bytes, size_t len) {
  put(opaque, bytes, len);
  return CXM_OK;
}

/* A merged store saves the bytes of the single store: the same content in
 * the same order (customers, ids, cells, interactions with their early
 * lists, SERVQUAL answers, churn, sorted customer days). Needs exact sums:
 * no normalised CES rating may be added to another per interaction. */
static void assert_same_snapshot(const cxm_store *want, const cxm_store *got) {
  buf a, b;
  size_t i;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  assert_int_equal(cxm_store_save_to(want, snapshot_write, &a), CXM_OK);
  assert_int_equal(cxm_store_save_to(got, snapshot_write, &b), CXM_OK);
  assert_int_equal(a.len, b.len);
  if (memcmp(a.p, b.p, a.len) != 0) {
    for (i = 0; i < a.len && a.p[i] == b.p[i]; i++) {
    }
    fail_msg("snapshots differ at byte %zu of %zu", i, a.len);
  }
  free(a.p);
  free(b.p);
}

/* Merge the stores of `events` cut at `cuts[0..k-2]` (in order) into
 * `into` (NULL: the first shard's store) and return it. */
static cxm_store *merged_of(const ev *events, size_t n, const size_t *cuts, size_t k, int empty_base) {
  cxm_store *into = empty_base ? new_store() : NULL;
  size_t j, begin = 0;
  for (j = 0; j < k; j++) {
    size_t end = j + 1 < k ? cuts[j] : n;
    cxm_store *shard = store_of(events + begin, end - begin);
    if (into == NULL) {
      into = shard;
    } else {
      /* `from` is only read: its snapshot bytes do not change */
      buf before, after;
      int32_t rc;
      memset(&before, 0, sizeof before);
      memset(&after, 0, sizeof after);
      assert_int_equal(cxm_store_save_to(shard, snapshot_write, &before), CXM_OK);
      rc = cxm_store_merge(into, shard);
      if (rc != CXM_OK) fail_msg("merge of shard %zu: %s", j, cxm_status_str(rc));
      assert_int_equal(cxm_store_save_to(shard, snapshot_write, &after), CXM_OK);
      assert_int_equal(before.len, after.len);
      assert_memory_equal(before.p, after.p, before.len);
      free(before.p);
      free(after.p);
      cxm_store_free(shard);
    }
    begin = end;
  }
  return into;
}

/* Every cut of `events` into two shards gives the single store's answers. */
static void check_every_cut(const ev *events, size_t n) {
  cxm_store *seq = store_of(events, n);
  size_t cut;
  for (cut = 0; cut <= n; cut++) {
    cxm_store *m = merged_of(events, n, &cut, 2, 0);
    assert_same(seq, m, 0);
    assert_same_snapshot(seq, m);
    cxm_store_free(m);
  }
  cxm_store_free(seq);
}

/* ---- hand-built cases --------------------------------------------------- */

static cxm_service_result service_of(const cxm_store *s) {
  cxm_service_acc acc;
  cxm_service_result r;
  assert_int_equal(cxm_store_service_acc(&acc, s, NULL, NULL), CXM_OK);
  assert_int_equal(cxm_service_compute(&r, &acc), CXM_OK);
  return r;
}

static void test_contact_across_shards(void **state) {
  /* r1: opened in the first shard, replied and resolved in the second;
   * r2: its reply (09:10) arrives before its open (09:00) in the other
   * shard; r3: replied at 09:20 before an open at 10:00 in the first
   * shard, then an earlier open at 09:00 in the second: the early reply
   * becomes the first response (20 min), the later one (10:30) does not. */
  ev e[8];
  cxm_store *a, *b, *seq;
  cxm_service_result r;
  (void)state;
  e[0] = make("u1", BASE + 9 * HOUR, CXM_KIND_CONTACT_OPEN, NAN, "email", "r1");
  e[1] = make("u2", BASE + 9 * HOUR + 600, CXM_KIND_CONTACT_REPLY, NAN, "", "r2");
  e[2] = make("u3", BASE + 9 * HOUR + 1200, CXM_KIND_CONTACT_REPLY, NAN, "", "r3");
  e[3] = make("u3", BASE + 10 * HOUR, CXM_KIND_CONTACT_OPEN, NAN, "chat", "r3");
  e[4] = make("u3", BASE + 10 * HOUR + 1800, CXM_KIND_CONTACT_REPLY, NAN, "", "r3");
  e[5] = make("u1", BASE + 9 * HOUR + 300, CXM_KIND_CONTACT_REPLY, NAN, "", "r1");
  e[6] = make("u2", BASE + 9 * HOUR, CXM_KIND_CONTACT_OPEN, NAN, "phone", "r2");
  e[7] = make("u4", BASE + 9 * HOUR, CXM_KIND_CONTACT_OPEN, NAN, "phone", "r3");
  a = store_of(e, 5);
  b = store_of(e + 5, 3);
  seq = store_of(e, 8);
  assert_int_equal(cxm_store_merge(a, b), CXM_OK);
  r = service_of(a);
  assert_int_equal(r.contacts, 3);
  assert_int_equal(r.replied, 3);
  /* first responses 300, 600 and 1200 seconds */
  assert_true(fabs(r.first_response_mean_s - 700.0) < 1e-9);
  assert_same(seq, a, 0);
  /* r3 opened in the second shard: its open is on phone, by u4 */
  {
    cxm_filter f;
    cxm_filter_init(&f);
    f.channel = CXM_CHANNEL_PHONE;
    {
      cxm_service_acc acc;
      cxm_service_result rp;
      assert_int_equal(cxm_store_service_acc(&acc, a, &f, NULL), CXM_OK);
      assert_int_equal(cxm_service_compute(&rp, &acc), CXM_OK);
      assert_int_equal(rp.contacts, 2);
    }
  }
  cxm_store_free(a);
  cxm_store_free(b);
  cxm_store_free(seq);
  check_every_cut(e, 8);
}

static void test_rating_ties(void **state) {
  /* Equal times: the first internal rating and the first customer rating
   * of an interaction are the first in arrival order, so `into`'s. The
   * pair of r1 lives on phone (into's internal rating), not email. */
  ev e[6];
  cxm_store *a, *b;
  cxm_filter f;
  cxm_gap_acc acc;
  (void)state;
  e[0] = make("u1", BASE + HOUR, CXM_KIND_INTERNAL, 80, "phone", "r1");
  e[1] = make("u1", BASE + HOUR, CXM_KIND_NPS, 9, "phone", "r1");
  e[2] = make("u2", BASE + HOUR, CXM_KIND_INTERNAL, 20, "email", "r1");
  e[3] = make("u3", BASE + HOUR, CXM_KIND_CSAT, 1, "email", "r1");
  e[4] = make("u3", BASE + 2 * HOUR, CXM_KIND_CES, 2, "email", "r2");
  e[5] = make("u3", BASE + 3 * HOUR, CXM_KIND_CES, 6, "cx1", "r2");
  a = store_of(e, 2);
  b = store_of(e + 2, 4);
  assert_int_equal(cxm_store_merge(a, b), CXM_OK);
  cxm_filter_init(&f);
  f.channel = CXM_CHANNEL_PHONE;
  assert_int_equal(cxm_store_gap(&acc, a, &f, NULL), CXM_OK);
  assert_int_equal(acc.pairs, 1);
  f.channel = CXM_CHANNEL_EMAIL;
  assert_int_equal(cxm_store_gap(&acc, a, &f, NULL), CXM_OK);
  assert_int_equal(acc.pairs, 0);
  /* r1's first customer rating is u1's NPS 9 (into's, at the same time) */
  assert_int_equal(a->interactions.items[0].rating_customer, 0);
  assert_true(a->interactions.items[0].first_rating == 90.0);
  assert_int_equal(a->interactions.items[0].internal_n, 2);
  cxm_store_free(a);
  cxm_store_free(b);
  check_every_cut(e, 6);
}

static void test_nps_day_split(void **state) {
  /* One customer-day, answers in two shards. Latest two by (second,
   * arrival): 12:00 from the second shard (5), then 12:00 from the first
   * (9); the 10:00 and 08:00 answers drop out. Features at the next
   * midnight: the latest answer 5 is a detractor's, the drop (9 - 5) / 10. */
  ev e[4];
  cxm_store *a, *b;
  cxm_features *f = NULL;
  cxm_feature_options o;
  double v[CXM_FEATURE_COUNT];
  (void)state;
  e[0] = make("u1", BASE + 10 * HOUR, CXM_KIND_NPS, 3, "", NULL);
  e[1] = make("u1", BASE + 12 * HOUR, CXM_KIND_NPS, 9, "", NULL);
  e[2] = make("u1", BASE + 12 * HOUR, CXM_KIND_NPS, 5, "", NULL);
  e[3] = make("u1", BASE + 8 * HOUR, CXM_KIND_NPS, 7, "", NULL);
  a = store_of(e, 2);
  b = store_of(e + 2, 2);
  assert_int_equal(cxm_store_merge(a, b), CXM_OK);
  cxm_feature_options_init(&o);
  o.cutoff = BASE + DAY;
  assert_int_equal(cxm_store_features(&f, a, &o), CXM_OK);
  assert_int_equal(cxm_features_count(f), 1);
  assert_int_equal(cxm_features_row_get(v, CXM_FEATURE_COUNT, NULL, NULL, f, 0), CXM_OK);
  assert_true(v[CXM_FEATURE_DETRACTOR] == 1.0);
  assert_true(fabs(v[CXM_FEATURE_NPS_DROP] - 0.4) < 1e-12);
  cxm_features_free(f);
  cxm_store_free(a);
  cxm_store_free(b);
  check_every_cut(e, 4);
}

static void test_side_tables(void **state) {
  /* SERVQUAL answers of one (customer, cell, dimension) in both shards;
   * churn in both; purchases of one customer-day in both; complaints and
   * compliments; new customers, channels and segments on the second side
   * get the handles a single store gives. */
  ev e[12];
  size_t i;
  cxm_store *a, *b, *seq;
  cxm_servqual_acc sq;
  (void)state;
  e[0] = make("u1", BASE + HOUR, CXM_KIND_EXPECTATION, 6, "cx1", NULL);
  e[1] = make("u1", BASE + HOUR, CXM_KIND_PERCEPTION, 4, "cx1", NULL);
  e[2] = make("u1", BASE + 2 * HOUR, CXM_KIND_PURCHASE, 10.25, "web", NULL);
  e[3] = make("u2", BASE + 2 * HOUR, CXM_KIND_CHURN, NAN, "web", NULL);
  e[4] = make("u3", BASE + 2 * HOUR, CXM_KIND_EXPECTATION, 7, "cx2", NULL);
  e[5] = make("u1", BASE + 3 * HOUR, CXM_KIND_EXPECTATION, 5, "cx1", NULL);
  e[6] = make("u1", BASE + 3 * HOUR, CXM_KIND_PERCEPTION, 2, "cx1", NULL);
  e[7] = make("u1", BASE + 4 * HOUR, CXM_KIND_PURCHASE, 4.5, "web", NULL);
  e[8] = make("u2", BASE + 4 * HOUR, CXM_KIND_CHURN, NAN, "web", NULL);
  e[9] = make("u4", BASE + 4 * HOUR, CXM_KIND_COMPLAINT, NAN, "cx3", NULL);
  e[10] = make("u1", BASE + 30 * DAY, CXM_KIND_PURCHASE, 3, "web", NULL);
  e[11] = make("u4", BASE + 5 * HOUR, CXM_KIND_COMPLIMENT, NAN, "cx2", NULL);
  for (i = 0; i < 12; i++) {
    e[i].dimension = e[i].kind == CXM_KIND_EXPECTATION || e[i].kind == CXM_KIND_PERCEPTION ? 2 : 0;
    snprintf(e[i].segment, sizeof e[i].segment, "%s", i % 3 == 0 ? "gold" : i % 3 == 1 ? "" : "blue");
  }
  a = store_of(e, 5);
  b = store_of(e + 5, 7);
  seq = store_of(e, 12);
  assert_int_equal(cxm_store_merge(a, b), CXM_OK);
  assert_int_equal(cxm_store_servqual_acc(&sq, a, NULL), CXM_OK);
  assert_int_equal(a->servqual_keys.count, seq->servqual_keys.count);
  assert_int_equal(a->churned.count, seq->churned.count);
  assert_int_equal(a->purchase_days.count, 3);
  assert_int_equal(seq->purchase_days.count, 3);
  for (i = 0; i < seq->customers.count; i++) {
    const char *x, *y;
    size_t lx, ly;
    assert_int_equal(cxm_store_customer_id(&x, &lx, seq, (uint32_t)i), CXM_OK);
    assert_int_equal(cxm_store_customer_id(&y, &ly, a, (uint32_t)i), CXM_OK);
    assert_int_equal(lx, ly);
    assert_memory_equal(x, y, lx);
  }
  for (i = 0; i < 3; i++) {
    const char *x, *y;
    size_t lx, ly;
    assert_int_equal(cxm_store_channel_name(&x, &lx, seq, CXM_CHANNEL_FIRST_CUSTOM + (int32_t)i), CXM_OK);
    assert_int_equal(cxm_store_channel_name(&y, &ly, a, CXM_CHANNEL_FIRST_CUSTOM + (int32_t)i), CXM_OK);
    assert_int_equal(lx, ly);
    assert_memory_equal(x, y, lx);
  }
  assert_same(seq, a, 0);
  cxm_store_free(a);
  cxm_store_free(b);
  cxm_store_free(seq);
  check_every_cut(e, 12);
}

static void test_errors(void **state) {
  ev e[3];
  cxm_store *a, *b, *c = NULL;
  cxm_store_options o;
  print before, after;
  (void)state;
  e[0] = make("u1", BASE, CXM_KIND_NPS, 9, "", NULL);
  e[1] = make("u2", BASE + HOUR, CXM_KIND_CSAT, 4, "", "r1");
  e[2] = make("u3", BASE + 2 * HOUR, CXM_KIND_NPS, 2, "cx9", NULL);
  snprintf(e[0].id, sizeof e[0].id, "id-1");
  snprintf(e[2].id, sizeof e[2].id, "id-1");
  a = store_of(e, 2);
  b = store_of(e + 1, 2);
  assert_int_equal(cxm_store_merge(NULL, b), CXM_E_ARG);
  assert_int_equal(cxm_store_merge(a, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_merge(a, a), CXM_E_ARG);
  /* id-1 is in both: nothing changes */
  fingerprint(&before, a, 0);
  assert_int_equal(cxm_store_merge(a, b), CXM_E_CONFLICT);
  fingerprint(&after, a, 0);
  assert_int_equal(before.bytes.len, after.bytes.len);
  assert_memory_equal(before.bytes.p, after.bytes.p, before.bytes.len);
  assert_int_equal(a->channels.count, 0);
  print_free(&before);
  print_free(&after);
  /* different buckets */
  cxm_store_options_init(&o);
  o.bucket_seconds = 3600;
  assert_int_equal(cxm_store_new(&c, &o), CXM_OK);
  assert_int_equal(cxm_store_merge(c, a), CXM_E_CONFLICT);
  assert_int_equal(cxm_store_merge(a, c), CXM_E_CONFLICT);
  /* empty stores merge both ways */
  cxm_store_free(c);
  c = new_store();
  assert_int_equal(cxm_store_merge(a, c), CXM_OK);
  assert_int_equal(cxm_store_merge(c, a), CXM_OK);
  assert_same(a, c, 0);
  /* a second merge of the same events is a conflict (their ids) only
   * when they have ids: e[1] has none, so it would count twice; e[0] has */
  assert_int_equal(cxm_store_merge(c, a), CXM_E_CONFLICT);
  cxm_store_free(a);
  cxm_store_free(b);
  cxm_store_free(c);
}

static void test_limit(void **state) {
  /* Segments are limited to 65 536 labels: 40 000 in each store, 20 000
   * shared, is 60 000 together (fine); 45 000 new ones more is not, and
   * the merge changes nothing. */
  cxm_store *a = new_store(), *b = new_store(), *c = new_store();
  char label[16];
  int32_t code;
  uint32_t i;
  print before, after;
  (void)state;
  for (i = 0; i < 40000; i++) {
    snprintf(label, sizeof label, "s%u", i);
    assert_int_equal(cxm_store_segment(&code, a, label, strlen(label)), CXM_OK);
    snprintf(label, sizeof label, "s%u", i + 20000);
    assert_int_equal(cxm_store_segment(&code, b, label, strlen(label)), CXM_OK);
  }
  for (i = 0; i < 45000; i++) {
    snprintf(label, sizeof label, "t%u", i);
    assert_int_equal(cxm_store_segment(&code, c, label, strlen(label)), CXM_OK);
  }
  assert_int_equal(cxm_store_merge(a, b), CXM_OK);
  assert_int_equal(a->segments.count, 60000);
  assert_int_equal(cxm_store_find_segment(&code, a, "s59999", 6), CXM_OK);
  assert_int_equal(code, 1 + 59999);
  fingerprint(&before, a, 0);
  assert_int_equal(cxm_store_merge(a, c), CXM_E_LIMIT);
  fingerprint(&after, a, 0);
  assert_int_equal(before.bytes.len, after.bytes.len);
  assert_memory_equal(before.bytes.p, after.bytes.p, before.bytes.len);
  assert_int_equal(a->segments.count, 60000);
  assert_int_equal(cxm_store_find_segment(&code, a, "t0", 2), CXM_E_NOT_FOUND);
  print_free(&before);
  print_free(&after);
  cxm_store_free(a);
  cxm_store_free(b);
  cxm_store_free(c);
}

/* ---- random streams ------------------------------------------------------ */

static const char *const custom_channels[] = {"cx0", "cx1", "cx2", "cx3"};
static const char *const segments[] = {"", "gold", "blue", "s-3", "s 4"};

/* A random event; `tied_refs`: each ref belongs to one customer; `ces_refs`:
 * CES answers may name a ref too (their normalised values are inexact). */
static ev random_event(uint64_t *rng, uint32_t customers, uint32_t refs, int tied_refs, int ces_refs) {
  ev e;
  uint32_t c = (uint32_t)test_below(rng, customers);
  uint64_t pick;
  memset(&e, 0, sizeof e);
  snprintf(e.customer, sizeof e.customer, "u%u", c);
  e.time = BASE + (int64_t)test_below(rng, 45 * 86400);
  if (test_below(rng, 2) == 0) e.time -= e.time % (4 * HOUR); /* ties */
  e.kind = (int32_t)test_below(rng, CXM_KIND_COUNT);
  pick = test_below(rng, 12);
  if (pick < CXM_CHANNEL_FIRST_CUSTOM)
    snprintf(e.channel, sizeof e.channel, "%s", pick == 0 ? "" : cxm_channel_name((int32_t)pick));
  else
    snprintf(e.channel, sizeof e.channel, "%s", custom_channels[pick - CXM_CHANNEL_FIRST_CUSTOM]);
  snprintf(e.segment, sizeof e.segment, "%s", segments[test_below(rng, 5)]);
  e.stage = (int32_t)test_below(rng, CXM_STAGE_COUNT);
  e.has_value = 1;
  switch (e.kind) {
  case CXM_KIND_NPS: e.value = (double)test_below(rng, 11); break;
  case CXM_KIND_CSAT: e.value = (double)(1 + test_below(rng, 5)); break;
  case CXM_KIND_CES:
  case CXM_KIND_EXPECTATION:
  case CXM_KIND_PERCEPTION:
  case CXM_KIND_RATING: e.value = (double)(1 + test_below(rng, 7)); break;
  case CXM_KIND_INTERNAL: e.value = (double)test_below(rng, 101); break;
  /* quarters: sums of amounts stay exact in any order */
  case CXM_KIND_PURCHASE: e.value = (double)test_below(rng, 2000) / 4.0; break;
  default: e.has_value = 0; break;
  }
  if (e.kind == CXM_KIND_EXPECTATION || e.kind == CXM_KIND_PERCEPTION)
    e.dimension = (int32_t)(1 + test_below(rng, CXM_DIMENSION_COUNT - 1));
  if (e.kind == CXM_KIND_RATING) snprintf(e.attribute, sizeof e.attribute, "attr %u", (unsigned)test_below(rng, 5));
  if (e.kind == CXM_KIND_CONTACT_OPEN || e.kind == CXM_KIND_CONTACT_REPLY || e.kind == CXM_KIND_CONTACT_RESOLVE ||
      e.kind == CXM_KIND_CONTACT_REOPEN || e.kind == CXM_KIND_CONTACT_TRANSFER || e.kind == CXM_KIND_FOLLOWUP ||
      ((e.kind <= CXM_KIND_INTERNAL || e.kind == CXM_KIND_PERCEPTION || e.kind == CXM_KIND_RATING) &&
       (ces_refs || e.kind != CXM_KIND_CES) && test_below(rng, 3) != 0)) {
    uint32_t r = (uint32_t)test_below(rng, refs);
    if (tied_refs)
      snprintf(e.ref, sizeof e.ref, "u%u-r%u", c, r % 4);
    else
      snprintf(e.ref, sizeof e.ref, "r%u", r);
  }
  return e;
}

static int cmp_size(const void *x, const void *y) {
  size_t a = *(const size_t *)x, b = *(const size_t *)y;
  return a < b ? -1 : a > b;
}

static void test_property_contiguous(void **state) {
  uint64_t rng = UINT64_C(0x5eed0007);
  int stream;
  (void)state;
  for (stream = 0; stream < test_iterations(300); stream++) {
    size_t n = (size_t)test_below(&rng, 2001), k = 2 + (size_t)test_below(&rng, 4);
    uint32_t customers = 1 + (uint32_t)test_below(&rng, 60), refs = 1 + (uint32_t)test_below(&rng, 40);
    ev *events = calloc(n + 1, sizeof *events);
    size_t cuts[4], i, j, begin;
    cxm_store *seq, *m;
    assert_non_null(events);
    for (i = 0; i < n; i++) {
      events[i] = random_event(&rng, customers, refs, 0, stream % 3 == 0);
      if (test_below(&rng, 4) != 0) snprintf(events[i].id, sizeof events[i].id, "e%zu", i);
    }
    for (j = 0; j + 1 < k; j++) cuts[j] = (size_t)test_below(&rng, n + 1);
    qsort(cuts, k - 1, sizeof cuts[0], cmp_size);
    /* repeated ids, only within a shard */
    for (j = 0, begin = 0; j < k; j++) {
      size_t end = j + 1 < k ? cuts[j] : n;
      for (i = begin + 1; i < end; i++)
        if (test_below(&rng, 16) == 0) {
          size_t earlier = begin + (size_t)test_below(&rng, i - begin);
          memcpy(events[i].id, events[earlier].id, sizeof events[i].id);
        }
      begin = end;
    }
    seq = store_of(events, n);
    m = merged_of(events, n, cuts, k, stream % 2);
    assert_same(seq, m, 0);
    if (stream % 3 != 0) assert_same_snapshot(seq, m);
    cxm_store_free(seq);
    cxm_store_free(m);
    free(events);
  }
}

/* Event ids over several arena blocks in every shard (16 bytes a record,
 * 4 096 a block): merged by their slots and whole blocks (in the build
 * with 4 hash bits a slot, test_merge_smalltag, id by id), they give the
 * single store's answers and snapshot, are found again as duplicates, and
 * an id in both stores is a conflict that leaves `into` as it was. */
/* Distinct event ids spread over many arena blocks (with the stores' own
 * slabs once a table is large, intern.h), merged from three shards at
 * `cuts`: the same answers and snapshot bytes as one store, duplicates
 * found again, a shared id refused with the store unchanged, and ids
 * added after the merge (into the blocks left over in its last slab)
 * kept as one store keeps them. */
static void check_event_ids_blocks(size_t n, size_t cut1, size_t cut2) {
  uint64_t rng = UINT64_C(0x5eed0011);
  size_t cuts[2] = {cut1, cut2}, extra = 9000, i;
  ev *events = calloc(n + extra, sizeof *events);
  cxm_store *seq, *m, *late;
  buf before, after;
  assert_non_null(events);
  for (i = 0; i < n + extra; i++) {
    events[i] = random_event(&rng, 50, 20, 0, 0);
    /* distinct (7 919 is prime to n), not in order; then new ones */
    if (i < n)
      snprintf(events[i].id, sizeof events[i].id, "id-%012zu", i * 7919 % n);
    else
      snprintf(events[i].id, sizeof events[i].id, "nw-%012zu", i);
  }
  seq = store_of(events, n);
  m = merged_of(events, n, cuts, 3, 0);
  assert_same(seq, m, 0);
  assert_same_snapshot(seq, m);
  for (i = 0; i < n; i += 97) {
    assert_int_equal(record(m, &events[i]), CXM_DUPLICATE);
    assert_int_equal(record(seq, &events[i]), CXM_DUPLICATE); /* the same count of duplicates */
  }
  late = store_of(&events[n - 1], 1);
  memset(&before, 0, sizeof before);
  memset(&after, 0, sizeof after);
  assert_int_equal(cxm_store_save_to(m, snapshot_write, &before), CXM_OK);
  assert_int_equal(cxm_store_merge_exact(m, late), CXM_E_CONFLICT);
  assert_int_equal(cxm_store_merge(m, late), CXM_E_CONFLICT);
  assert_int_equal(cxm_store_save_to(m, snapshot_write, &after), CXM_OK);
  assert_int_equal(before.len, after.len);
  assert_memory_equal(before.p, after.p, before.len);
  /* new ids after the merged ones are taken, as one store takes them */
  for (i = n; i < n + extra; i++) {
    assert_int_equal(record(m, &events[i]), CXM_OK);
    assert_int_equal(record(seq, &events[i]), CXM_OK);
  }
  for (i = 0; i < n + extra; i += 89) {
    assert_int_equal(record(m, &events[i]), CXM_DUPLICATE);
    assert_int_equal(record(seq, &events[i]), CXM_DUPLICATE);
  }
  assert_same_snapshot(seq, m);
  free(before.p);
  free(after.p);
  cxm_store_free(late);
  cxm_store_free(seq);
  cxm_store_free(m);
  free(events);
}

static void test_event_ids_many_blocks(void **state) {
  (void)state;
  check_event_ids_blocks(20000, 7001, 13003);
}

/* Each shard's ids fill more than CXMI_INTERN_SLAB_AFTER blocks (16 bytes
 * a record: 4 096 a block), so the shards cut their blocks from slabs and
 * each merge reserves slabs of its own. */
static void test_event_ids_slabs(void **state) {
  size_t per_slab_table = (size_t)CXMI_INTERN_SLAB_AFTER * 4096 + 4096;
  (void)state;
  check_event_ids_blocks(3 * per_slab_table + 123, per_slab_table + 11, 2 * per_slab_table + 17);
}

static uint64_t fnv(const char *s) {
  uint64_t h = UINT64_C(1469598103934665603);
  for (; *s != '\0'; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
  return h;
}

static void test_property_by_customer(void **state) {
  /* Shards by customer (each customer's events in one shard, in stream
   * order), merged in shard order. Refs belong to one customer, so every
   * tie the store breaks by arrival is between events of one shard: the
   * answers equal a single store's, with customers' handles (and custom
   * channel and segment codes) in another order. Only a ref shared by
   * customers in different shards could break a tie differently. */
  uint64_t rng = UINT64_C(0xc0ffee11);
  int stream;
  (void)state;
  for (stream = 0; stream < test_iterations(100); stream++) {
    size_t n = (size_t)test_below(&rng, 800), k = 2 + (size_t)test_below(&rng, 4), i, j;
    uint32_t customers = 1 + (uint32_t)test_below(&rng, 60);
    ev *events = calloc(n + 1, sizeof *events), *part = calloc(n + 1, sizeof *part);
    cxm_store *seq, *m = new_store();
    assert_non_null(events);
    assert_non_null(part);
    for (i = 0; i < n; i++) {
      events[i] = random_event(&rng, customers, 8, 1, 1);
      if (test_below(&rng, 4) != 0) snprintf(events[i].id, sizeof events[i].id, "e%zu", i);
    }
    seq = store_of(events, n);
    for (j = 0; j < k; j++) {
      size_t count = 0;
      cxm_store *shard;
      for (i = 0; i < n; i++)
        if (fnv(events[i].customer) % k == j) part[count++] = events[i];
      shard = store_of(part, count);
      assert_int_equal(cxm_store_merge(m, shard), CXM_OK);
      cxm_store_free(shard);
    }
    assert_same(seq, m, 1);
    cxm_store_free(seq);
    cxm_store_free(m);
    free(events);
    free(part);
  }
}

/* ---- cxm_store_merge_exact ----------------------------------------------- */

/* The snapshot bytes of a store: every stored number, bit for bit. */
static buf snapshot_of(const cxm_store *s) {
  buf b;
  memset(&b, 0, sizeof b);
  assert_int_equal(cxm_store_save_to(s, snapshot_write, &b), CXM_OK);
  return b;
}

static int same_bytes(const buf *a, const buf *b) { return a->len == b->len && memcmp(a->p, b->p, a->len) == 0; }

/* Merge e[cut..n) into the store of e[0..cut) with cxm_store_merge_exact:
 * returns its status; on CXM_OK the result must be bit for bit the store
 * of e[0..n), on an error `into` must be unchanged. `plain_differs`
 * receives whether cxm_store_merge gives other bytes than one store. */
static int32_t exact_at(const ev *e, size_t n, size_t cut, int *plain_differs) {
  cxm_store *seq = store_of(e, n), *into = store_of(e, cut), *from = store_of(e + cut, n - cut),
            *plain = store_of(e, cut);
  buf want = snapshot_of(seq), before = snapshot_of(into), got, plain_bytes;
  int32_t rc = cxm_store_merge_exact(into, from);
  got = snapshot_of(into);
  if (rc == CXM_OK) {
    if (!same_bytes(&want, &got)) fail_msg("exact merge at %zu differs from one store", cut);
  } else if (!same_bytes(&before, &got)) {
    fail_msg("refused exact merge at %zu changed `into`", cut);
  }
  assert_int_equal(cxm_store_merge(plain, from), CXM_OK);
  plain_bytes = snapshot_of(plain);
  *plain_differs = !same_bytes(&want, &plain_bytes);
  free(want.p);
  free(before.p);
  free(got.p);
  free(plain_bytes.p);
  cxm_store_free(seq);
  cxm_store_free(into);
  cxm_store_free(from);
  cxm_store_free(plain);
  return rc;
}

static void test_exact_hand(void **state) {
  /* One customer-day's purchases 0.1, 0.2, 0.3: one store adds
   * (0.1 + 0.2) + 0.3 = 0.6000000000000001; cut after the first, a merge
   * adds 0.1 + (0.2 + 0.3) = 0.6. cxm_store_merge_exact refuses that cut
   * (one term in `into`, two in `from`) and takes the other (two, one). */
  ev p[3], r[3];
  int plain_differs;
  (void)state;
  p[0] = make("u1", BASE + 1 * HOUR, CXM_KIND_PURCHASE, 0.1, "", NULL);
  p[1] = make("u1", BASE + 2 * HOUR, CXM_KIND_PURCHASE, 0.2, "", NULL);
  p[2] = make("u1", BASE + 3 * HOUR, CXM_KIND_PURCHASE, 0.3, "", NULL);
  assert_true((0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3));
  assert_int_equal(exact_at(p, 3, 1, &plain_differs), CXM_E_CONFLICT);
  assert_true(plain_differs);
  assert_int_equal(exact_at(p, 3, 2, &plain_differs), CXM_OK);
  assert_false(plain_differs);
  assert_int_equal(exact_at(p, 3, 0, &plain_differs), CXM_OK);
  assert_int_equal(exact_at(p, 3, 3, &plain_differs), CXM_OK);
  /* Another day of the same customer in `from`: no shared sum. */
  p[1].time += DAY;
  p[2].time += DAY;
  assert_int_equal(exact_at(p, 3, 1, &plain_differs), CXM_OK);
  /* An interaction's CES ratings, normalised to 100 (k - 1) / 6 (not
   * exact doubles): the store keeps six times their sum, a whole number,
   * so any grouping gives the same correctly rounded sum; taken, by both
   * merges, at every cut. */
  r[0] = make("u1", BASE + 1 * HOUR, CXM_KIND_CES, 2, "", "r1");
  r[1] = make("u2", BASE + 2 * HOUR, CXM_KIND_CES, 3, "", "r1");
  r[2] = make("u3", BASE + 3 * HOUR, CXM_KIND_NPS, 7, "", "r1");
  assert_int_equal(exact_at(r, 3, 1, &plain_differs), CXM_OK);
  assert_false(plain_differs);
  assert_int_equal(exact_at(r, 3, 2, &plain_differs), CXM_OK);
  assert_false(plain_differs);
  {
    cxm_store *s = store_of(r, 3);
    const cxmi_interaction *x = &s->interactions.items[0];
    assert_true(x->rating_sum == 720.0 / 6.0); /* 6 x (16.67 + 33.33 + 70) = 100 + 200 + 420 */
    cxm_store_free(s);
  }
  /* Internal ratings of whole numbers add up exactly in any order: taken. */
  r[0] = make("u1", BASE + 1 * HOUR, CXM_KIND_INTERNAL, 10, "", "r3");
  r[1] = make("u1", BASE + 2 * HOUR, CXM_KIND_INTERNAL, 20, "", "r3");
  r[2] = make("u1", BASE + 3 * HOUR, CXM_KIND_INTERNAL, 30, "", "r3");
  assert_int_equal(exact_at(r, 3, 1, &plain_differs), CXM_OK);
  /* ... others do not: refused. */
  r[0] = make("u1", BASE + 1 * HOUR, CXM_KIND_INTERNAL, 10.1, "", "r2");
  r[1] = make("u1", BASE + 2 * HOUR, CXM_KIND_INTERNAL, 20.2, "", "r2");
  r[2] = make("u1", BASE + 3 * HOUR, CXM_KIND_INTERNAL, 30.3, "", "r2");
  assert_int_equal(exact_at(r, 3, 1, &plain_differs), CXM_E_CONFLICT);
  assert_int_equal(exact_at(r, 3, 2, &plain_differs), CXM_OK);
  /* An event id in both: refused as by cxm_store_merge. */
  snprintf(p[0].id, sizeof p[0].id, "x");
  snprintf(p[2].id, sizeof p[2].id, "x");
  {
    cxm_store *a = store_of(p, 1), *b = store_of(p + 1, 2);
    assert_int_equal(cxm_store_merge_exact(a, b), CXM_E_CONFLICT);
    cxm_store_free(a);
    cxm_store_free(b);
  }
}

/* A rating's term in its interaction's sum: internal ratings as they
 * are, customer ratings normalised to 0..100 (docs/metrics.md). */
static double rating_term(const ev *e) {
  switch (e->kind) {
  case CXM_KIND_NPS: return 10.0 * e->value;
  case CXM_KIND_CSAT: return 25.0 * (e->value - 1.0);
  case CXM_KIND_CES: return 100.0 * (e->value - 1.0) / 6.0;
  default: return e->value;
  }
}

static int is_rating(const ev *e) {
  return e->kind == CXM_KIND_NPS || e->kind == CXM_KIND_CSAT || e->kind == CXM_KIND_CES;
}

/* Whether the rule of cxm_store_merge_exact meets a cut of e[0..n) at
 * `cut`, computed from the events: a customer day with a purchase before
 * the cut and two after it, or a ref with an internal rating before and
 * two after unless every internal rating of that ref is a whole number.
 * (Customer ratings are summed exactly: never.) */
static int rule_met(const ev *e, size_t n, size_t cut) {
  size_t i, j;
  for (i = 0; i < cut; i++) {
    int sum, whole = 1;
    size_t after = 0;
    if (e[i].kind == CXM_KIND_PURCHASE)
      sum = 0;
    else if (e[i].ref[0] != '\0' && e[i].kind == CXM_KIND_INTERNAL)
      sum = 1;
    else if (e[i].ref[0] != '\0' &&
             (e[i].kind == CXM_KIND_NPS || e[i].kind == CXM_KIND_CSAT || e[i].kind == CXM_KIND_CES))
      sum = 2;
    else
      continue;
    for (j = cut; j < n; j++) {
      if (sum == 0)
        after += e[j].kind == CXM_KIND_PURCHASE && strcmp(e[j].customer, e[i].customer) == 0 &&
                 e[j].time / DAY == e[i].time / DAY;
      else if (sum == 1)
        after += e[j].kind == CXM_KIND_INTERNAL && strcmp(e[j].ref, e[i].ref) == 0;
      else
        after += is_rating(&e[j]) && strcmp(e[j].ref, e[i].ref) == 0;
    }
    for (j = 0; j < n && sum != 0; j++)
      if ((sum == 1 ? e[j].kind == CXM_KIND_INTERNAL : is_rating(&e[j])) && strcmp(e[j].ref, e[i].ref) == 0)
        whole &= rating_term(&e[j]) == floor(rating_term(&e[j]));
    /* customer ratings (sum 2) are kept exactly: never */
    if (after >= 2 && (sum == 0 || (sum == 1 && !whole))) return 1;
  }
  return 0;
}

static void test_exact_property(void **state) {
  /* Random streams with amounts in cents and internal ratings in tenths
   * (sums that are not exact): at every cut, cxm_store_merge_exact refuses
   * exactly when its rule is met, and otherwise gives one store's bytes. */
  uint64_t rng = UINT64_C(0xe8ac7);
  int stream, refused = 0, taken = 0, plain_off = 0;
  (void)state;
  /* Quick runs (valgrind) take fewer streams, but never fewer than it takes
   * to meet every case the assertions below ask for. */
  for (stream = 0; stream < 60 && (stream < test_iterations(60) || refused == 0 || taken == 0 || plain_off == 0);
       stream++) {
    size_t n = (size_t)test_below(&rng, 120), cut, i;
    uint32_t customers = 1 + (uint32_t)test_below(&rng, 6), refs = 1 + (uint32_t)test_below(&rng, 6);
    ev *events = calloc(n + 1, sizeof *events);
    assert_non_null(events);
    for (i = 0; i < n; i++) {
      events[i] = random_event(&rng, customers, refs, 0, 1);
      events[i].time = BASE + (int64_t)test_below(&rng, 3 * DAY);
      if (events[i].kind == CXM_KIND_PURCHASE) events[i].value = (double)test_below(&rng, 100000) / 100.0;
      if (events[i].kind == CXM_KIND_INTERNAL) events[i].value = (double)test_below(&rng, 1001) / 10.0;
    }
    for (cut = 0; cut <= n; cut++) {
      int plain_differs;
      int32_t rc = exact_at(events, n, cut, &plain_differs);
      if (rule_met(events, n, cut)) {
        assert_int_equal(rc, CXM_E_CONFLICT);
        refused++;
        plain_off += plain_differs;
      } else {
        assert_int_equal(rc, CXM_OK);
        taken++;
      }
    }
    free(events);
  }
  /* The streams meet both cases, and the refused cuts include some that a
   * plain merge gets wrong in the last bits. */
  assert_true(refused > 0);
  assert_true(taken > 0);
  assert_true(plain_off > 0);
}

/* ---- atomicity ------------------------------------------------------------ */

static void test_failing_allocations(void **state) {
  /* `into` allocates through a failing allocator: every allocation of the
   * merge fails in turn; each failure leaves `into` answering as before,
   * and the first run that succeeds equals the single store. Enough
   * strings that the interned tables need new arena blocks (3 of them for
   * the ids: slabs in the test_merge_smalltag build). */
  uint64_t rng = UINT64_C(42);
  enum { N = 14000, CUT = 1000 };
  ev *events = calloc(N, sizeof *events);
  failing_alloc fa;
  cxm_allocator hooks;
  cxm_store_options o;
  cxm_store *seq, *from;
  print before;
  long fail_at;
  size_t i;
  int32_t rc = CXM_E_NOMEM;
  (void)state;
  assert_non_null(events);
  for (i = 0; i < N; i++) {
    events[i] = random_event(&rng, i < CUT ? 40 : 2000, 300, 0, 0);
    /* long ids fill the intern arena's 64 KiB blocks */
    snprintf(events[i].id, sizeof events[i].id, "id-%011zu", i);
    if (i >= CUT) snprintf(events[i].customer, sizeof events[i].customer, "new-%zu", i % 1500);
  }
  seq = store_of(events, N);
  from = store_of(events + CUT, N - CUT);
  memset(&fa, 0, sizeof fa);
  fa.remaining = -1;
  hooks = failing_hooks(&fa);
  cxm_store_options_init(&o);
  o.allocator = &hooks;
  for (fail_at = 0; rc != CXM_OK; fail_at++) {
    cxm_store *into = NULL;
    fa.remaining = -1;
    assert_int_equal(cxm_store_new(&into, &o), CXM_OK);
    for (i = 0; i < CUT; i++) {
      int32_t r = record(into, &events[i]);
      assert_true(r == CXM_OK || r == CXM_DUPLICATE);
    }
    fa.remaining = FAILING_PAUSED;
    fingerprint(&before, into, 0);
    fa.remaining = fail_at;
    rc = cxm_store_merge(into, from);
    fa.remaining = FAILING_PAUSED;
    if (rc == CXM_OK) {
      assert_same(seq, into, 0);
      assert_same_snapshot(seq, into);
    } else {
      print after;
      assert_int_equal(rc, CXM_E_NOMEM);
      fingerprint(&after, into, 0);
      assert_int_equal(before.bytes.len, after.bytes.len);
      assert_memory_equal(before.bytes.p, after.bytes.p, before.bytes.len);
      print_free(&after);
      /* and it still takes events */
      fa.remaining = -1;
      assert_int_equal(record(into, &events[CUT]), CXM_OK);
    }
    print_free(&before);
    cxm_store_free(into);
    assert_int_equal(fa.live_bytes, 0);
    assert_true(fail_at < 100000);
  }
  assert_true(fail_at > 10); /* the merge did allocate */
  cxm_store_free(seq);
  cxm_store_free(from);
  free(events);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_contact_across_shards),
      cmocka_unit_test(test_rating_ties),
      cmocka_unit_test(test_nps_day_split),
      cmocka_unit_test(test_side_tables),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_limit),
      cmocka_unit_test(test_property_contiguous),
      cmocka_unit_test(test_event_ids_many_blocks),
      cmocka_unit_test(test_event_ids_slabs),
      cmocka_unit_test(test_property_by_customer),
      cmocka_unit_test(test_exact_hand),
      cmocka_unit_test(test_exact_property),
      cmocka_unit_test(test_failing_allocations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
