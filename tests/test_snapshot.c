/* Store snapshots (cxm/snapshot.h, docs/snapshot.md): round trips of
 * hand-built and random stores (same bytes again, same answers to every
 * query, same state after further events), corrupt and hostile input,
 * allocation failure, and the fuzzing seeds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crc32c.h"
#include "common/hash.h"
#include "cxm.h"
#include "snapshot/snapshot_internal.h"
#include "store/store_internal.h"
#include "test_helpers.h"

/* ---- bytes ---------------------------------------------------------------- */

typedef struct buf {
  uint8_t *p;
  size_t len, cap;
} buf;

static int32_t buf_write(void *opaque, const void *bytes, size_t len) {
  buf *b = opaque;
  if (b->len + len > b->cap) {
    size_t cap = b->cap == 0 ? 4096 : b->cap;
    while (cap < b->len + len) cap *= 2;
    b->p = realloc(b->p, cap);
    assert_non_null(b->p);
    b->cap = cap;
  }
  memcpy(b->p + b->len, bytes, len);
  b->len += len;
  return 0;
}

static void buf_free(buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

static buf save(const cxm_store *s) {
  buf b = {NULL, 0, 0};
  assert_int_equal(cxm_store_save_to(s, buf_write, &b), CXM_OK);
  return b;
}

static cxm_store *load(const buf *b) {
  cxm_store *s = NULL;
  assert_int_equal(cxm_store_load_bytes(&s, b->p, b->len, NULL), CXM_OK);
  assert_non_null(s);
  return s;
}

static void assert_same_bytes(const buf *x, const buf *y) {
  assert_int_equal(x->len, y->len);
  assert_memory_equal(x->p, y->p, x->len);
}

static int same_double(double x, double y) { return memcmp(&x, &y, sizeof x) == 0; }

/* ---- events ----------------------------------------------------------------- */

static cxm_store *new_store(int64_t bucket) {
  cxm_store_options o;
  cxm_store *s = NULL;
  cxm_store_options_init(&o);
  o.bucket_seconds = bucket;
  assert_int_equal(cxm_store_new(&s, &o), CXM_OK);
  return s;
}

/* Record into every store; they must agree on the status. */
static int32_t record_all(cxm_store **stores, int n, const cxm_event *e) {
  int32_t rc = cxm_store_record(stores[0], e);
  int i;
  for (i = 1; i < n; i++) assert_int_equal(cxm_store_record(stores[i], e), rc);
  return rc;
}

static int32_t channel_all(cxm_store **stores, int n, const char *token) {
  int32_t code = -1, c;
  int i;
  for (i = 0; i < n; i++) {
    assert_int_equal(cxm_store_channel(&c, stores[i], token, strlen(token)), CXM_OK);
    if (i > 0) assert_int_equal(c, code);
    code = c;
  }
  return code;
}

static int32_t segment_all(cxm_store **stores, int n, const char *label) {
  int32_t code = -1, c;
  int i;
  for (i = 0; i < n; i++) {
    assert_int_equal(cxm_store_segment(&c, stores[i], label, strlen(label)), CXM_OK);
    if (i > 0) assert_int_equal(c, code);
    code = c;
  }
  return code;
}

static int32_t attribute_all(cxm_store **stores, int n, const char *label) {
  int32_t code = -1, c;
  int i;
  for (i = 0; i < n; i++) {
    assert_int_equal(cxm_store_attribute(&c, stores[i], label, strlen(label)), CXM_OK);
    if (i > 0) assert_int_equal(c, code);
    code = c;
  }
  return code;
}

#define T0 INT64_C(1700006400) /* 2023-11-15 00:00 UTC */

/* A random valid (mostly) event stream: every kind, custom channels and
 * segments, refs shared by ratings and contacts arriving out of order
 * (early lists), SERVQUAL dimensions, event ids with repeats, purchases
 * with arbitrary fractions, now and then an invalid event. */
static void record_random(cxm_store **stores, int n, uint64_t *rng, int count) {
  int i;
  for (i = 0; i < count; i++) {
    cxm_event e;
    char customer[24], ref[24], id[24], token[24];
    uint64_t r = test_below(rng, 100);
    cxm_event_init(&e);
    snprintf(customer, sizeof customer, "cust-%u", (unsigned)test_below(rng, 40));
    e.customer = customer;
    e.customer_len = strlen(customer);
    e.time = T0 + (int64_t)test_below(rng, 120 * 86400);
    e.kind = (int32_t)test_below(rng, CXM_KIND_COUNT);
    e.stage = (int32_t)test_below(rng, CXM_STAGE_COUNT);
    if (r < 10) {
      snprintf(token, sizeof token, "chan-%u", (unsigned)test_below(rng, 5));
      e.channel = channel_all(stores, n, token);
    } else {
      e.channel = (int32_t)test_below(rng, CXM_CHANNEL_FIRST_CUSTOM);
    }
    if (test_below(rng, 3) == 0) {
      snprintf(token, sizeof token, "Segment %u", (unsigned)test_below(rng, 4));
      e.segment = segment_all(stores, n, token);
    }
    switch (e.kind) {
    case CXM_KIND_NPS: e.value = (double)test_below(rng, 11); break;
    case CXM_KIND_CSAT: e.value = (double)(1 + test_below(rng, 5)); break;
    case CXM_KIND_CES:
    case CXM_KIND_EXPECTATION:
    case CXM_KIND_PERCEPTION:
    case CXM_KIND_RATING: e.value = (double)(1 + test_below(rng, 7)); break;
    case CXM_KIND_INTERNAL: e.value = (double)test_below(rng, 100001) / 1000.0; break;
    case CXM_KIND_PURCHASE: e.value = (double)test_below(rng, 1000000) / 7.0; break;
    default: break;
    }
    e.has_value = e.kind <= CXM_KIND_PERCEPTION || e.kind == CXM_KIND_PURCHASE || e.kind == CXM_KIND_RATING;
    if (e.kind == CXM_KIND_EXPECTATION || e.kind == CXM_KIND_PERCEPTION)
      e.dimension = (int32_t)(1 + test_below(rng, CXM_DIMENSION_COUNT - 1));
    if (e.kind == CXM_KIND_RATING) {
      snprintf(token, sizeof token, "Attribute %u", (unsigned)test_below(rng, 4));
      e.dimension = attribute_all(stores, n, token);
    }
    if (e.kind == CXM_KIND_CONTACT_OPEN || e.kind == CXM_KIND_CONTACT_REPLY || e.kind == CXM_KIND_CONTACT_RESOLVE ||
        e.kind == CXM_KIND_CONTACT_REOPEN || e.kind == CXM_KIND_CONTACT_TRANSFER || e.kind == CXM_KIND_FOLLOWUP ||
        ((e.kind <= CXM_KIND_INTERNAL || e.kind == CXM_KIND_PERCEPTION || e.kind == CXM_KIND_RATING) &&
         test_below(rng, 2) == 0)) {
      snprintf(ref, sizeof ref, "ref-%u", (unsigned)test_below(rng, 60));
      e.ref = ref;
      e.ref_len = strlen(ref);
      /* Contacts of one ref within days of each other, in any order. */
      if (e.kind >= CXM_KIND_CONTACT_OPEN && e.kind != CXM_KIND_RATING)
        e.time = T0 + (int64_t)(e.ref_len * 86400) + (int64_t)test_below(rng, 5 * 86400);
    }
    if (test_below(rng, 2) == 0) {
      snprintf(id, sizeof id, "ev-%u", (unsigned)test_below(rng, 3000));
      e.id = id;
      e.id_len = strlen(id);
    }
    if (r == 99) e.value = -1.0, e.has_value = 1; /* invalid: nothing changes */
    (void)record_all(stores, n, &e);
  }
}

/* ---- every query ------------------------------------------------------------- */

static void assert_same_survey(const cxm_survey_acc *x, const cxm_survey_acc *y) {
  assert_memory_equal(x, y, sizeof *x);
}

static void assert_same_groups(const cxm_store *a, const cxm_store *b, const cxm_filter *f) {
  int32_t by;
  for (by = 0; by < CXM_BY_COUNT; by++) {
    cxm_groups *ga = NULL, *gb = NULL;
    size_t i;
    int32_t ra = cxm_store_group(&ga, a, f, by);
    assert_int_equal(ra, cxm_store_group(&gb, b, f, by));
    assert_int_equal(cxm_groups_count(ga), cxm_groups_count(gb));
    for (i = 0; i < cxm_groups_count(ga); i++) {
      const char *ka, *kb;
      size_t la, lb;
      cxm_survey_acc sa, sb;
      assert_int_equal(cxm_groups_key(&ka, &la, ga, i), CXM_OK);
      assert_int_equal(cxm_groups_key(&kb, &lb, gb, i), CXM_OK);
      assert_int_equal(la, lb);
      assert_memory_equal(ka, kb, la);
      assert_int_equal(cxm_groups_survey(&sa, ga, i), CXM_OK);
      assert_int_equal(cxm_groups_survey(&sb, gb, i), CXM_OK);
      assert_same_survey(&sa, &sb);
    }
    cxm_groups_free(ga);
    cxm_groups_free(gb);
  }
}

typedef int32_t (*acc_bytes_fn)(uint8_t *buf, size_t cap, size_t *written, const void *acc);

static void assert_same_experience(const cxm_store *a, const cxm_store *b, const cxm_filter *f) {
  cxm_experience_options o;
  uint8_t ba[CXM_SERVICE_ACC_MAX_BYTES + 1024], bb[CXM_SERVICE_ACC_MAX_BYTES + 1024];
  size_t na, nb;
  int32_t ra, rb;
  cxm_experience_options_init(&o);
  {
    cxm_gap_acc x, y;
    ra = cxm_store_gap(&x, a, f, &o);
    rb = cxm_store_gap(&y, b, f, &o);
    assert_int_equal(ra, rb);
    if (ra == CXM_OK) {
      assert_int_equal(cxm_gap_acc_serialize(ba, sizeof ba, &na, &x), CXM_OK);
      assert_int_equal(cxm_gap_acc_serialize(bb, sizeof bb, &nb, &y), CXM_OK);
      assert_int_equal(na, nb);
      assert_memory_equal(ba, bb, na);
    }
  }
  {
    cxm_servqual_acc x, y;
    cxm_servqual_result rx, ry;
    ra = cxm_store_servqual_acc(&x, a, f);
    rb = cxm_store_servqual_acc(&y, b, f);
    assert_int_equal(ra, rb);
    if (ra == CXM_OK) {
      assert_int_equal(cxm_servqual_acc_serialize(ba, sizeof ba, &na, &x), CXM_OK);
      assert_int_equal(cxm_servqual_acc_serialize(bb, sizeof bb, &nb, &y), CXM_OK);
      assert_int_equal(na, nb);
      assert_memory_equal(ba, bb, na);
    }
    memset(&rx, 0, sizeof rx);
    memset(&ry, 0, sizeof ry);
    assert_int_equal(cxm_store_servqual(&rx, a, f, &o), cxm_store_servqual(&ry, b, f, &o));
    assert_memory_equal(&rx, &ry, sizeof rx);
  }
  {
    cxm_service_acc x, y;
    cxm_service_result rx, ry;
    ra = cxm_store_service_acc(&x, a, f, &o);
    rb = cxm_store_service_acc(&y, b, f, &o);
    assert_int_equal(ra, rb);
    if (ra == CXM_OK) {
      assert_int_equal(cxm_service_acc_serialize(ba, sizeof ba, &na, &x), CXM_OK);
      assert_int_equal(cxm_service_acc_serialize(bb, sizeof bb, &nb, &y), CXM_OK);
      assert_int_equal(na, nb);
      assert_memory_equal(ba, bb, na);
    }
    memset(&rx, 0, sizeof rx);
    memset(&ry, 0, sizeof ry);
    assert_int_equal(cxm_store_service(&rx, a, f, &o), cxm_store_service(&ry, b, f, &o));
    assert_memory_equal(&rx, &ry, sizeof rx);
  }
  {
    cxm_operations_result ox, oy;
    memset(&ox, 0, sizeof ox);
    memset(&oy, 0, sizeof oy);
    ox.size = oy.size = sizeof ox;
    assert_int_equal(cxm_store_operations(&ox, a, f, NULL), cxm_store_operations(&oy, b, f, NULL));
    assert_memory_equal(&ox, &oy, sizeof ox);
  }
  {
    cxm_loyalty_acc x, y;
    cxm_loyalty_result rx, ry;
    ra = cxm_store_loyalty_acc(&x, a, f);
    rb = cxm_store_loyalty_acc(&y, b, f);
    assert_int_equal(ra, rb);
    if (ra == CXM_OK) {
      assert_int_equal(cxm_loyalty_acc_serialize(ba, sizeof ba, &na, &x), CXM_OK);
      assert_int_equal(cxm_loyalty_acc_serialize(bb, sizeof bb, &nb, &y), CXM_OK);
      assert_int_equal(na, nb);
      assert_memory_equal(ba, bb, na);
    }
    memset(&rx, 0, sizeof rx);
    memset(&ry, 0, sizeof ry);
    assert_int_equal(cxm_store_loyalty(&rx, a, f), cxm_store_loyalty(&ry, b, f));
    assert_memory_equal(&rx, &ry, sizeof rx);
  }
  {
    cxm_consistency_result rx, ry;
    memset(&rx, 0, sizeof rx);
    memset(&ry, 0, sizeof ry);
    o.min_channel_ratings = 1;
    assert_int_equal(cxm_store_consistency(&rx, a, f, &o), cxm_store_consistency(&ry, b, f, &o));
    assert_int_equal(rx.channels, ry.channels);
    assert_true(same_double(rx.sd, ry.sd));
    assert_true(same_double(rx.mean_of_means, ry.mean_of_means));
    assert_int_equal(rx.weakest_channel, ry.weakest_channel);
    assert_true(same_double(rx.weakest_mean, ry.weakest_mean));
  }
}

static void assert_same_rfm(const cxm_store *a, const cxm_store *b, const cxm_rfm_options *o) {
  cxm_rfm *ra = NULL, *rb = NULL;
  size_t i;
  assert_int_equal(cxm_rfm_new(&ra, NULL), CXM_OK);
  assert_int_equal(cxm_rfm_new(&rb, NULL), CXM_OK);
  assert_int_equal(cxm_store_rfm(ra, a, o), cxm_store_rfm(rb, b, o));
  assert_int_equal(cxm_rfm_count(ra), cxm_rfm_count(rb));
  for (i = 0; i < cxm_rfm_count(ra); i++) {
    cxm_rfm_customer x, y;
    cxm_rfm_customer_init(&x);
    cxm_rfm_customer_init(&y);
    assert_int_equal(cxm_rfm_get(&x, ra, i), CXM_OK);
    assert_int_equal(cxm_rfm_get(&y, rb, i), CXM_OK);
    assert_int_equal(x.id_len, y.id_len);
    assert_memory_equal(x.id, y.id, x.id_len);
    assert_int_equal(x.x, y.x);
    assert_true(same_double(x.t_x, y.t_x));
    assert_true(same_double(x.T, y.T));
    /* Bit for bit: cxm_store_rfm() sums each customer's spend in day
     * order, whatever the day table's capacity or history. */
    assert_true(same_double(x.monetary, y.monetary));
    assert_true(same_double(x.x_star, y.x_star));
  }
  cxm_rfm_free(ra);
  cxm_rfm_free(rb);
}

static void assert_same_features(const cxm_store *a, const cxm_store *b, int64_t cutoff) {
  cxm_feature_options o;
  cxm_features *fa = NULL, *fb = NULL;
  int32_t ra, rb;
  size_t i;
  cxm_feature_options_init(&o);
  o.cutoff = cutoff;
  ra = cxm_store_features(&fa, a, &o);
  rb = cxm_store_features(&fb, b, &o);
  assert_int_equal(ra, rb);
  if (ra == CXM_OK) {
    assert_int_equal(cxm_features_count(fa), cxm_features_count(fb));
    for (i = 0; i < cxm_features_count(fa); i++) {
      double va[CXM_FEATURE_COUNT], vb[CXM_FEATURE_COUNT];
      uint32_t ha, hb;
      int32_t la, lb;
      assert_int_equal(cxm_features_row_get(va, CXM_FEATURE_COUNT, &ha, &la, fa, i), CXM_OK);
      assert_int_equal(cxm_features_row_get(vb, CXM_FEATURE_COUNT, &hb, &lb, fb, i), CXM_OK);
      assert_int_equal(ha, hb);
      assert_int_equal(la, lb);
      assert_memory_equal(va, vb, sizeof va);
    }
  }
  cxm_features_free(fa);
  cxm_features_free(fb);
}

/* Every query a store answers, equal bit for bit on both. */
/* The driver rows of both respondents, and the attribute labels: equal
 * cell by cell (NaN where NaN). */
static void assert_same_driver_tables(const cxm_store *a, const cxm_store *b) {
  int32_t respondent, c;
  for (c = 1;; c++) {
    const char *na = NULL, *nb = NULL;
    size_t la = 0, lb = 0;
    int32_t r = cxm_store_attribute_name(&na, &la, a, c);
    assert_int_equal(r, cxm_store_attribute_name(&nb, &lb, b, c));
    if (r != CXM_OK) break;
    assert_int_equal(la, lb);
    assert_memory_equal(na, nb, la);
  }
  for (respondent = CXM_DRIVERS_BY_CUSTOMER; respondent <= CXM_DRIVERS_BY_REF; respondent++) {
    cxm_driver_table_options o;
    size_t ra, ca, rb, cb, i;
    double *ya, *xa, *yb, *xb;
    cxm_driver_table_options_init(&o);
    o.respondent = respondent;
    int32_t rc = cxm_store_driver_table(NULL, NULL, &ra, &ca, a, &o, 0);
    assert_int_equal(rc, ra > 0 ? CXM_E_BUFFER : CXM_OK);
    rc = cxm_store_driver_table(NULL, NULL, &rb, &cb, b, &o, 0);
    assert_int_equal(rc, rb > 0 ? CXM_E_BUFFER : CXM_OK);
    assert_int_equal(ra, rb);
    assert_int_equal(ca, cb);
    ya = calloc(ra + 1, sizeof *ya), yb = calloc(ra + 1, sizeof *yb);
    xa = calloc((ra + 1) * ca, sizeof *xa), xb = calloc((ra + 1) * ca, sizeof *xb);
    assert_int_equal(cxm_store_driver_table(ya, xa, &ra, &ca, a, &o, ra + 1), CXM_OK);
    assert_int_equal(cxm_store_driver_table(yb, xb, &rb, &cb, b, &o, rb + 1), CXM_OK);
    for (i = 0; i < ra; i++) assert_true(ya[i] == yb[i] || (isnan(ya[i]) && isnan(yb[i])));
    for (i = 0; i < ra * ca; i++) assert_true(xa[i] == xb[i] || (isnan(xa[i]) && isnan(xb[i])));
    free(ya), free(yb), free(xa), free(xb);
  }
}

/* Retention rows over the whole time range: the groups of every customer
 * (channel and segment of its earliest event naming them, SLA) equal. */
static void assert_same_retention(const cxm_store *a, const cxm_store *b) {
  cxm_retention_options o;
  cxm_retention *ra = NULL, *rb = NULL;
  size_t i;
  cxm_retention_options_init(&o);
  o.from = 0;
  o.to = INT64_C(253402300800);
  assert_int_equal(cxm_store_retention(&ra, a, &o), CXM_OK);
  assert_int_equal(cxm_store_retention(&rb, b, &o), CXM_OK);
  assert_int_equal(cxm_retention_count(ra), cxm_retention_count(rb));
  for (i = 0; i < cxm_retention_count(ra); i++) {
    cxm_retention_row x, y;
    x.size = y.size = sizeof x;
    assert_int_equal(cxm_retention_row_get(&x, ra, i), CXM_OK);
    assert_int_equal(cxm_retention_row_get(&y, rb, i), CXM_OK);
    assert_int_equal(x.handle, y.handle);
    assert_int_equal(x.channel, y.channel);
    assert_int_equal(x.segment, y.segment);
    assert_int_equal(x.sla, y.sla);
    assert_true(x.time == y.time && x.entry == y.entry && x.lost == y.lost);
  }
  cxm_retention_free(ra);
  cxm_retention_free(rb);
}

/* A store as a version 1..3 snapshot leaves it: no first channel or
 * segment for any customer. */
static void forget_first(cxm_store *s) { s->info_count = 0; }

static void assert_same_answers(const cxm_store *a, const cxm_store *b) {
  cxm_store_stats sa, sb;
  cxm_filter f;
  cxm_survey_acc x, y;
  cxm_rfm_options ro;
  int32_t c;
  uint32_t h;
  sa.size = sb.size = sizeof sa;
  assert_int_equal(cxm_store_stats_get(&sa, a), CXM_OK);
  assert_int_equal(cxm_store_stats_get(&sb, b), CXM_OK);
  assert_int_equal(sa.events, sb.events);
  assert_int_equal(sa.duplicates, sb.duplicates);
  assert_int_equal(sa.customers, sb.customers);
  assert_int_equal(sa.first, sb.first);
  assert_int_equal(sa.last, sb.last);
  assert_int_equal(sa.cells, sb.cells);
  for (h = 0; h < sa.customers; h++) {
    const char *ia, *ib;
    size_t la, lb;
    uint32_t found;
    assert_int_equal(cxm_store_customer_id(&ia, &la, a, h), CXM_OK);
    assert_int_equal(cxm_store_customer_id(&ib, &lb, b, h), CXM_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(ia, ib, la);
    assert_int_equal(cxm_store_find_customer(&found, b, ia, la), CXM_OK);
    assert_int_equal(found, h);
  }
  for (c = 0; c < CXM_CHANNEL_FIRST_CUSTOM + 70000; c++) {
    const char *na = NULL, *nb = NULL;
    size_t la = 0, lb = 0;
    int32_t r = cxm_store_channel_name(&na, &la, a, c);
    assert_int_equal(r, cxm_store_channel_name(&nb, &lb, b, c));
    if (r != CXM_OK) break;
    assert_int_equal(la, lb);
    assert_memory_equal(na, nb, la);
  }
  for (c = 0; c < 70000; c++) {
    const char *na = NULL, *nb = NULL;
    size_t la = 0, lb = 0;
    int32_t r = cxm_store_segment_name(&na, &la, a, c);
    assert_int_equal(r, cxm_store_segment_name(&nb, &lb, b, c));
    if (r != CXM_OK) break;
    assert_int_equal(la, lb);
    assert_memory_equal(na, nb, la);
  }

  assert_same_driver_tables(a, b);
  assert_same_retention(a, b);

  cxm_filter_init(&f);
  assert_int_equal(cxm_store_survey(&x, a, &f), CXM_OK);
  assert_int_equal(cxm_store_survey(&y, b, &f), CXM_OK);
  assert_same_survey(&x, &y);
  assert_same_groups(a, b, &f);
  assert_same_experience(a, b, &f);
  for (c = 0; c < CXM_CHANNEL_FIRST_CUSTOM + 2; c++) {
    cxm_filter_init(&f);
    f.channel = c;
    assert_int_equal(cxm_store_survey(&x, a, &f), cxm_store_survey(&y, b, &f));
    assert_same_survey(&x, &y);
    assert_same_experience(a, b, &f);
  }
  cxm_filter_init(&f);
  f.from = T0 + 10 * 86400;
  f.to = T0 + 40 * 86400;
  f.segment = 1;
  assert_same_groups(a, b, &f);
  assert_same_experience(a, b, &f);

  cxm_rfm_options_init(&ro);
  assert_same_rfm(a, b, &ro);
  ro.to = T0 + 60 * 86400;
  ro.holdout_to = T0 + 90 * 86400;
  ro.unit_seconds = 86400;
  assert_same_rfm(a, b, &ro);
  assert_same_features(a, b, T0 + 50 * 86400);
  assert_same_features(a, b, T0 + 100 * 86400);
}

/* save -> load -> save gives the same bytes and the same answers; then the
 * same further events leave both in the same state. Returns the loaded
 * store's snapshot length. */
static size_t check_round_trip(cxm_store *original, uint64_t *rng, int further) {
  buf first = save(original), again, x, y;
  cxm_store *copy = load(&first), *both[2];
  size_t len = first.len;
  again = save(copy);
  assert_same_bytes(&first, &again);
  assert_same_answers(original, copy);
  both[0] = original;
  both[1] = copy;
  record_random(both, 2, rng, further);
  x = save(original);
  y = save(copy);
  assert_same_bytes(&x, &y);
  assert_same_answers(original, copy);
  buf_free(&first);
  buf_free(&again);
  buf_free(&x);
  buf_free(&y);
  cxm_store_free(copy);
  return len;
}

/* ---- a hand-built store ------------------------------------------------------ */

static void ev(cxm_store *s, const char *customer, int64_t time, int32_t kind, double value, const char *ref,
               const char *id, int32_t channel, int32_t segment, int32_t dimension, int32_t expect) {
  cxm_event e;
  cxm_event_init(&e);
  e.customer = customer;
  e.customer_len = strlen(customer);
  e.time = time;
  e.kind = kind;
  e.has_value = !isnan(value);
  e.value = isnan(value) ? 0 : value;
  e.ref = ref;
  e.ref_len = ref != NULL ? strlen(ref) : 0;
  e.id = id;
  e.id_len = id != NULL ? strlen(id) : 0;
  e.channel = channel;
  e.segment = segment;
  e.dimension = dimension;
  e.stage = 2;
  assert_int_equal(cxm_store_record(s, &e), expect);
}

/* Every kind, custom channels and segments, duplicates, SERVQUAL, churn,
 * and early lists: replies and resolutions before any open, one absorbed
 * by a later-recorded earlier open, one still waiting. */
static cxm_store *hand_built(void) {
  cxm_store *s = new_store(3600);
  int32_t chat, vip, web;
  uint32_t h;
  assert_int_equal(cxm_store_channel(&chat, s, "chatbot", 7), CXM_OK);
  assert_int_equal(cxm_store_segment(&vip, s, "VIP customers", 13), CXM_OK);
  assert_int_equal(cxm_store_segment(&web, s, "web", 3), CXM_OK);
  assert_int_equal(cxm_store_customer(&h, s, "silent", 6), CXM_OK); /* a customer without events */
  ev(s, "alice", T0 + 100, CXM_KIND_NPS, 9, "r1", "e1", CXM_CHANNEL_EMAIL, vip, 0, CXM_OK);
  ev(s, "alice", T0 + 100, CXM_KIND_NPS, 3, NULL, "e1", CXM_CHANNEL_EMAIL, vip, 0, CXM_DUPLICATE);
  ev(s, "bob", T0 + 200, CXM_KIND_CSAT, 4, "r1", "e2", chat, 0, 0, CXM_OK);
  ev(s, "bob", T0 + 300, CXM_KIND_CES, 2, NULL, NULL, chat, web, 0, CXM_OK);
  ev(s, "bob", T0 + 301, CXM_KIND_INTERNAL, 72.5, "r1", NULL, CXM_CHANNEL_PHONE, 0, 0, CXM_OK);
  ev(s, "carol", T0 + 400, CXM_KIND_EXPECTATION, 6, NULL, "e3", 0, vip, CXM_DIMENSION_RELIABILITY, CXM_OK);
  ev(s, "carol", T0 + 401, CXM_KIND_PERCEPTION, 4, NULL, NULL, 0, vip, CXM_DIMENSION_RELIABILITY, CXM_OK);
  ev(s, "carol", T0 + 402, CXM_KIND_PERCEPTION, 7, NULL, NULL, 0, vip, CXM_DIMENSION_EMPATHY, CXM_OK);
  /* r3: a reply waiting for an open that has not come. */
  ev(s, "erin", T0 + 7000, CXM_KIND_CONTACT_REPLY, NAN, "r3", NULL, 0, 0, 0, CXM_OK);
  ev(s, "erin", T0 + 7100, CXM_KIND_CONTACT_RESOLVE, NAN, "r3", NULL, 0, 0, 0, CXM_OK);
  /* r4: a reply before the open, kept early after the open. */
  ev(s, "erin", T0 + 100, CXM_KIND_CONTACT_REPLY, NAN, "r4", NULL, 0, 0, 0, CXM_OK);
  ev(s, "erin", T0 + 200, CXM_KIND_CONTACT_OPEN, NAN, "r4", NULL, 0, 0, 0, CXM_OK);
  ev(s, "erin", T0 + 900, CXM_KIND_CONTACT_REPLY, NAN, "r4", NULL, 0, 0, 0, CXM_OK);
  /* r2: reply and resolution arrive first, then an open after the reply
   * (the reply stays early), then an earlier open absorbs it. */
  ev(s, "dave", T0 + 5000, CXM_KIND_CONTACT_REPLY, NAN, "r2", NULL, chat, 0, 0, CXM_OK);
  ev(s, "dave", T0 + 9000, CXM_KIND_CONTACT_RESOLVE, NAN, "r2", NULL, chat, 0, 0, CXM_OK);
  ev(s, "dave", T0 + 6000, CXM_KIND_CONTACT_OPEN, NAN, "r2", NULL, chat, 0, 0, CXM_OK);
  ev(s, "dave", T0 + 3000, CXM_KIND_CONTACT_OPEN, NAN, "r2", NULL, chat, web, 0, CXM_OK);
  ev(s, "alice", T0 + 86400 * 3, CXM_KIND_PURCHASE, 19.99, NULL, "p1", 0, 0, 0, CXM_OK);
  ev(s, "alice", T0 + 86400 * 3 + 5, CXM_KIND_PURCHASE, 0.01, NULL, "p2", 0, 0, 0, CXM_OK);
  ev(s, "alice", T0 + 86400 * 9, CXM_KIND_PURCHASE, 5.5, NULL, "p3", 0, 0, 0, CXM_OK);
  ev(s, "alice", T0 + 86400 * 20, CXM_KIND_PURCHASE, 7.25, NULL, "p4", 0, 0, 0, CXM_OK);
  ev(s, "alice", T0 + 86400 * 20, CXM_KIND_PURCHASE, 7.25, NULL, "p4", 0, 0, 0, CXM_DUPLICATE);
  ev(s, "bob", T0 + 86400 * 2, CXM_KIND_COMPLAINT, NAN, NULL, NULL, CXM_CHANNEL_STORE, 0, 0, CXM_OK);
  ev(s, "bob", T0 + 86400 * 2, CXM_KIND_COMPLIMENT, NAN, NULL, NULL, CXM_CHANNEL_STORE, 0, 0, CXM_OK);
  ev(s, "bob", T0 + 86400 * 2 + 60, CXM_KIND_NPS, 2, NULL, NULL, 0, 0, 0, CXM_OK);
  ev(s, "bob", T0 + 86400 * 2 + 30, CXM_KIND_NPS, 10, NULL, NULL, 0, 0, 0, CXM_OK);
  ev(s, "bob", T0 + 86400 * 40, CXM_KIND_CHURN, NAN, NULL, "c1", 0, 0, 0, CXM_OK);
  return s;
}

static void test_hand_built_round_trip(void **state) {
  cxm_store *s = hand_built(), *copy;
  uint64_t rng = 7;
  buf b = save(s);
  cxm_event e;
  (void)state;
  /* What the hand-built store must hold, so the round trip covers it. */
  assert_int_equal(s->interactions.refs.count, 4);
  assert_true(s->interactions.items[1].early != 0);    /* r3 waits */
  assert_true(s->interactions.items[2].early != 0);    /* r4: a reply before its open */
  assert_int_equal(s->interactions.items[3].early, 0); /* r2: all absorbed */
  assert_true(s->interactions.early_free != 0);        /* r2's were recycled */
  assert_int_equal(s->servqual_keys.count, 2);
  assert_int_equal(s->churned.count, 1);
  assert_int_equal(s->duplicates, 2);
  copy = load(&b);
  assert_int_equal(copy->interactions.early_free, 0); /* rebuilt densely */
  assert_int_equal(copy->interactions.early_count, 3);
  assert_same_answers(s, copy);
  /* A duplicate stays a duplicate after a load. */
  cxm_event_init(&e);
  e.customer = "zed";
  e.customer_len = 3;
  e.time = T0;
  e.kind = CXM_KIND_COMPLAINT;
  e.id = "e2";
  e.id_len = 2;
  assert_int_equal(cxm_store_record(copy, &e), CXM_DUPLICATE);
  assert_int_equal(cxm_store_record(s, &e), CXM_DUPLICATE);
  /* An open that absorbs the waiting reply of r3 in both. */
  ev(s, "erin", T0 + 6000, CXM_KIND_CONTACT_OPEN, NAN, "r3", NULL, 0, 0, 0, CXM_OK);
  ev(copy, "erin", T0 + 6000, CXM_KIND_CONTACT_OPEN, NAN, "r3", NULL, 0, 0, 0, CXM_OK);
  assert_same_answers(s, copy);
  buf_free(&b);
  cxm_store_free(copy);
  (void)check_round_trip(s, &rng, 300);
  cxm_store_free(s);
}

static void test_empty_store(void **state) {
  cxm_store *s = new_store(86400), *copy;
  uint64_t rng = 11;
  buf b = save(s);
  (void)state;
  /* header, 14 empty-ish frames, trailer */
  assert_true(b.len < 16 + 14 * 16 + 64 + 16);
  copy = load(&b);
  assert_same_answers(s, copy);
  cxm_store_free(copy);
  (void)check_round_trip(s, &rng, 500);
  buf_free(&b);
  cxm_store_free(s);
}

/* Equal content through different histories (table sizes, recycled early
 * entries) gives equal bytes. */
static void test_canonical(void **state) {
  cxm_store *a = new_store(86400), *b = new_store(86400), *stores[1];
  uint64_t rng = 5;
  buf x, y;
  (void)state;
  /* a: 1500 events. b: the first 300 of the same stream, saved and
   * loaded (so its tables are sized by the loader, its early entries
   * packed), then the other 1200. */
  stores[0] = a;
  record_random(stores, 1, &rng, 1500);
  rng = 5;
  stores[0] = b;
  record_random(stores, 1, &rng, 300);
  x = save(b);
  cxm_store_free(b);
  b = load(&x);
  buf_free(&x);
  stores[0] = b;
  record_random(stores, 1, &rng, 1200);
  x = save(a);
  y = save(b);
  assert_same_bytes(&x, &y);
  assert_same_answers(a, b);
  buf_free(&x);
  buf_free(&y);
  cxm_store_free(a);
  cxm_store_free(b);
}

/* The property: 200 random streams of 0..2000 events (20 with CXM_TEST_QUICK). */
static void test_random_streams(void **state) {
  uint64_t rng = UINT64_C(20261123);
  int stream;
  size_t largest = 0;
  (void)state;
  for (stream = 0; stream < test_iterations(200); stream++) {
    static const int64_t buckets[] = {86400, 3600, 900, 60};
    cxm_store *s = new_store(buckets[test_below(&rng, 4)]), *stores[1];
    int events = (int)test_below(&rng, 2001);
    size_t len;
    stores[0] = s;
    record_random(stores, 1, &rng, events);
    len = check_round_trip(s, &rng, (int)test_below(&rng, 300));
    if (len > largest) largest = len;
    cxm_store_free(s);
  }
  assert_true(largest > 10000); /* the streams did make sizeable stores */
}

/* ---- extreme values: what is accepted can be saved and loaded ------------------ */

/* An amount from the edges of the double range, or an ordinary one. */
static double extreme_amount(uint64_t *rng) {
  static const double edges[] = {1e308,   DBL_MAX, DBL_MAX / 2, 0x1p1023, 0x1.fffffffffffffp1022, 8.9e307, 5e-324,
                                 DBL_MIN, 0.0,     1.0,         1e300};
  if (test_below(rng, 4) == 0) return (double)test_below(rng, 100000) / 3.0;
  return edges[test_below(rng, sizeof edges / sizeof edges[0])];
}

static int64_t extreme_time(uint64_t *rng) {
  static const int64_t edges[] = {CXM_TIME_MIN,     CXM_TIME_MIN + 86399, CXM_TIME_MIN + 86400,
                                  CXM_TIME_MAX,     CXM_TIME_MAX - 86399, CXM_TIME_MAX - 86400,
                                  CXM_TIME_MAX + 1, CXM_TIME_MIN - 1,     T0};
  return edges[test_below(rng, sizeof edges / sizeof edges[0])];
}

/* One store's snapshot bytes, which must save. */
static buf must_save(const cxm_store *s) { return save(s); }

static void assert_unchanged(const cxm_store *s, const buf *before) {
  buf after = must_save(s);
  assert_same_bytes(before, &after);
  buf_free(&after);
}

/* A stream of purchases (and some touchpoints) of a few customers on a few
 * days, with amounts near DBL_MAX, times at the ends of the range and now
 * and then thousands of events in one customer day, recorded into `whole`
 * and, event by event, into one of `n` shards. Every refused event must be
 * CXM_E_OVERFLOW for a purchase (or the bad time) and change nothing. */
static void record_extreme(cxm_store *whole, cxm_store **shards, int n, uint64_t *rng, int count) {
  int i;
  for (i = 0; i < count; i++) {
    cxm_event e;
    char customer[16];
    cxm_store *shard = shards[test_below(rng, (uint64_t)n)];
    int32_t rc, expected_whole;
    int burst = test_below(rng, 200) == 0 ? 66000 : 1, k;
    cxm_event_init(&e);
    snprintf(customer, sizeof customer, "c%u", (unsigned)test_below(rng, 4));
    e.customer = customer;
    e.customer_len = strlen(customer);
    e.time = extreme_time(rng);
    switch (test_below(rng, 8)) {
    case 0: e.kind = CXM_KIND_NPS, e.value = (double)test_below(rng, 11), e.has_value = 1; break;
    case 1: e.kind = CXM_KIND_COMPLAINT; break;
    case 2: e.kind = CXM_KIND_CES, e.value = 2, e.has_value = 1; break;
    default: e.kind = CXM_KIND_PURCHASE, e.value = extreme_amount(rng), e.has_value = 1; break;
    }
    /* A burst of huge amounts overflows at once: three tries are enough. */
    if (e.kind == CXM_KIND_PURCHASE && e.value > 1e290 && burst > 3) burst = 3;
    for (k = 0; k < burst; k++) {
      buf before = {NULL, 0, 0};
      int checked = e.kind == CXM_KIND_PURCHASE && e.value > 1e290;
      if (checked) before = must_save(whole);
      rc = cxm_store_record(whole, &e);
      expected_whole = e.time < CXM_TIME_MIN || e.time > CXM_TIME_MAX ? CXM_E_TIME : CXM_OK;
      if (rc != expected_whole) {
        assert_int_equal(e.kind, CXM_KIND_PURCHASE);
        assert_int_equal(rc, CXM_E_OVERFLOW);
        assert_true(checked);
        assert_unchanged(whole, &before);
      }
      buf_free(&before);
      rc = cxm_store_record(shard, &e);
      if (rc != expected_whole) assert_int_equal(rc, CXM_E_OVERFLOW);
    }
  }
}

/* The property of issue 12: save -> load over random API and merge streams
 * with extreme amounts, times and counts (load -> save gives the same
 * bytes, as check_round_trip checks). Before the fix two purchases of 1e308
 * made a day amount of inf that saved with CXM_OK and then failed to load. */
static void test_extreme_streams(void **state) {
  uint64_t rng = UINT64_C(20261207);
  int stream, refused_merges = 0, merged = 0;
  (void)state;
  for (stream = 0; stream < test_iterations(150); stream++) {
    cxm_store *whole = new_store(86400), *shards[3];
    int i;
    for (i = 0; i < 3; i++) shards[i] = new_store(86400);
    record_extreme(whole, shards, 3, &rng, (int)test_below(&rng, 120));
    (void)check_round_trip(whole, &rng, (int)test_below(&rng, 50));
    /* Merge the shards in turn: each merge is complete or refused with
     * CXM_E_OVERFLOW leaving `into` byte for byte as it was; what results
     * saves and loads. */
    for (i = 1; i < 3; i++) {
      buf before = must_save(shards[0]);
      int32_t rc = cxm_store_merge(shards[0], shards[i]);
      if (rc == CXM_OK) {
        merged++;
      } else {
        assert_int_equal(rc, CXM_E_OVERFLOW);
        assert_unchanged(shards[0], &before);
        refused_merges++;
      }
      buf_free(&before);
    }
    (void)check_round_trip(shards[0], &rng, (int)test_below(&rng, 50));
    for (i = 0; i < 3; i++) cxm_store_free(shards[i]);
    cxm_store_free(whole);
  }
  /* The streams did reach both outcomes. */
  assert_true(merged > 0);
  assert_true(refused_merges > 0);
}

/* A store whose day amount is not finite (only reachable by corrupting
 * it: recording and merging refuse it) is not saved: the loader would
 * refuse the bytes. */
static void test_save_refuses_unloadable(void **state) {
  cxm_store *s = new_store(86400);
  cxm_event e;
  buf b = {NULL, 0, 0};
  uint32_t i;
  (void)state;
  cxm_event_init(&e);
  e.customer = "c";
  e.customer_len = 1;
  e.time = T0;
  e.kind = CXM_KIND_PURCHASE;
  e.value = 1e308;
  e.has_value = 1;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  assert_int_equal(cxm_store_record(s, &e), CXM_E_OVERFLOW);
  for (i = 0; i <= s->purchase_days.slot_mask; i++)
    if (s->purchase_days.slots[i].key != 0) s->purchase_days.slots[i].amount = INFINITY;
  assert_int_equal(cxm_store_save_to(s, buf_write, &b), CXM_E_OVERFLOW);
  assert_int_equal(b.len, 0); /* nothing written */
  buf_free(&b);
  cxm_store_free(s);
}

/* ---- hostile input ------------------------------------------------------------- */

static cxm_store *small_store(void) {
  cxm_store *s = new_store(86400), *stores[1];
  uint64_t rng = 3;
  stores[0] = s;
  record_random(stores, 1, &rng, 60);
  return s;
}

static int32_t try_load(const void *bytes, size_t len) {
  cxm_store *s = (cxm_store *)(uintptr_t)1;
  int32_t rc = cxm_store_load_bytes(&s, bytes, len, NULL);
  if (rc == CXM_OK) {
    assert_non_null(s);
    cxm_store_free(s);
  } else {
    assert_null(s);
  }
  return rc;
}

static void test_every_byte_flip(void **state) {
  cxm_store *s = small_store();
  buf b = save(s);
  uint8_t *copy = malloc(b.len);
  size_t i;
  int bit, checksum = 0;
  (void)state;
  assert_non_null(copy);
  assert_true(b.len < 8192);
  for (i = 0; i < b.len; i++) {
    static const uint8_t other[] = {0x00, 0xFF};
    memcpy(copy, b.p, b.len);
    for (bit = 0; bit < 10; bit++) {
      int32_t rc;
      copy[i] = (uint8_t)(bit < 8 ? b.p[i] ^ (1u << bit) : other[bit - 8]);
      if (copy[i] == b.p[i]) continue;
      rc = try_load(copy, b.len);
      assert_true(rc < 0);
      if (rc == CXM_E_CHECKSUM) checksum++;
    }
    copy[i] = b.p[i];
  }
  /* Inside the sections a change is a checksum mismatch. */
  assert_true(checksum > (int)(8 * (b.len - 64)));
  free(copy);
  buf_free(&b);
  cxm_store_free(s);
}

static void test_every_truncation(void **state) {
  cxm_store *s = small_store();
  buf b = save(s);
  size_t len;
  (void)state;
  for (len = 0; len < b.len; len++) {
    /* A copy of exactly `len` bytes, so the sanitizers see any overread. */
    uint8_t *cut = malloc(len > 0 ? len : 1);
    int32_t rc;
    assert_non_null(cut);
    memcpy(cut, b.p, len);
    rc = try_load(len > 0 ? cut : NULL, len);
    assert_true(rc < 0);
    if (len >= 8) assert_int_equal(rc, CXM_E_TRUNCATED);
    free(cut);
  }
  /* Bytes after the end. */
  {
    uint8_t *longer = malloc(b.len + 1);
    assert_non_null(longer);
    memcpy(longer, b.p, b.len);
    longer[b.len] = 0;
    assert_int_equal(try_load(longer, b.len + 1), CXM_E_FORMAT);
    free(longer);
  }
  buf_free(&b);
  cxm_store_free(s);
}

static void test_header_statuses(void **state) {
  cxm_store *s = small_store(), *out = NULL;
  buf b = save(s);
  (void)state;
  assert_int_equal(cxm_store_load_bytes(NULL, b.p, b.len, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_load_bytes(&out, NULL, 5, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_load_bytes(&out, NULL, 0, NULL), CXM_E_TRUNCATED);
  assert_int_equal(try_load("CXMS\1hello world, not a snapshot", 32), CXM_E_FORMAT);
  assert_int_equal(try_load("\x89"
                            "CXM",
                            4),
                   CXM_E_TRUNCATED);
  b.p[0] = 'x';
  assert_int_equal(try_load(b.p, b.len), CXM_E_FORMAT);
  b.p[0] = 0x89;
  b.p[8] = (uint8_t)(CXMI_SNAPSHOT_VERSION + 1); /* a newer writer */
  assert_int_equal(try_load(b.p, b.len), CXM_E_VERSION);
  b.p[8] = 0;
  b.p[11] = 1;
  assert_int_equal(try_load(b.p, b.len), CXM_E_VERSION);
  b.p[11] = 0;
  assert_int_equal(try_load(b.p, b.len), CXM_E_FORMAT); /* version 0 */
  b.p[8] = (uint8_t)CXMI_SNAPSHOT_VERSION;
  b.p[12] = 1; /* flags */
  assert_int_equal(try_load(b.p, b.len), CXM_E_FORMAT);
  b.p[12] = 0;
  b.p[40] ^= 0x10;
  assert_int_equal(try_load(b.p, b.len), CXM_E_CHECKSUM);
  b.p[40] ^= 0x10;
  assert_int_equal(try_load(b.p, b.len), CXM_OK);
  {
    /* An incomplete allocator. */
    cxm_allocator bad;
    memset(&bad, 0, sizeof bad);
    assert_int_equal(cxm_store_load_bytes(&out, b.p, b.len, &bad), CXM_E_ARG);
    assert_null(out);
  }
  buf_free(&b);
  cxm_store_free(s);
}

/* Snapshots assembled by hand with valid checksums: the reader must still
 * refuse what no store could have written. */
typedef struct frames {
  buf sec[CXMI_SEC_COUNT];
} frames;

static void put_le(buf *b, uint64_t v, int n) {
  int i;
  for (i = 0; i < n; i++) {
    uint8_t byte = (uint8_t)(v >> (8 * i));
    (void)buf_write(b, &byte, 1);
  }
}

static void put_leb(buf *b, uint64_t v) {
  do {
    uint8_t byte = (uint8_t)(v & 0x7F);
    v >>= 7;
    if (v != 0) byte |= 0x80;
    (void)buf_write(b, &byte, 1);
  } while (v != 0);
}

/* Split a snapshot into its section payloads. */
static void split(frames *f, const buf *b) {
  size_t at = 16;
  int i;
  memset(f, 0, sizeof *f);
  for (i = 0; i < CXMI_SEC_COUNT; i++) {
    uint64_t len = 0;
    int k;
    assert_memory_equal(b->p + at, cxmi_snapshot_tags[i], 4);
    for (k = 7; k >= 0; k--) len = len << 8 | b->p[at + 4 + (size_t)k];
    (void)buf_write(&f->sec[i], b->p + at + 12, (size_t)len);
    at += 16 + (size_t)len;
  }
}

/* Frame the payloads again with correct checksums and trailer. */
static buf join(const frames *f) {
  buf b = {NULL, 0, 0};
  int i;
  (void)buf_write(&b, cxmi_snapshot_magic, 8);
  put_le(&b, CXMI_SNAPSHOT_VERSION, 4);
  put_le(&b, 0, 4);
  for (i = 0; i < CXMI_SEC_COUNT; i++) {
    size_t start = b.len;
    (void)buf_write(&b, cxmi_snapshot_tags[i], 4);
    put_le(&b, f->sec[i].len, 8);
    if (f->sec[i].len > 0) (void)buf_write(&b, f->sec[i].p, f->sec[i].len);
    put_le(&b, cxmi_crc32c(0, b.p + start, b.len - start), 4);
  }
  (void)buf_write(&b, "TAIL", 4);
  put_le(&b, b.len + 12, 8);
  put_le(&b, cxmi_crc32c(0, b.p, b.len), 4);
  return b;
}

static void frames_free(frames *f) {
  int i;
  for (i = 0; i < CXMI_SEC_COUNT; i++) buf_free(&f->sec[i]);
}

/* An allocator that remembers the largest single request. */
typedef struct biggest_alloc {
  failing_alloc fa;
  size_t biggest;
} biggest_alloc;

static void *biggest_malloc(void *opaque, size_t size) {
  biggest_alloc *b = opaque;
  if (size > b->biggest) b->biggest = size;
  return failing_malloc(&b->fa, size);
}

static void *biggest_realloc(void *opaque, void *ptr, size_t old_size, size_t new_size) {
  biggest_alloc *b = opaque;
  if (new_size > b->biggest) b->biggest = new_size;
  return failing_realloc(&b->fa, ptr, old_size, new_size);
}

static void biggest_free(void *opaque, void *ptr, size_t size) {
  biggest_alloc *b = opaque;
  failing_free(&b->fa, ptr, size);
}

/* Load `f` with section `i` replaced by `payload` and return the status;
 * `biggest` (unless NULL) receives the largest allocation made. */
static int32_t load_with(const frames *f, int i, const buf *payload, size_t *biggest) {
  frames g = *f;
  buf b;
  biggest_alloc ba = {{-1, 0, 0}, 0};
  cxm_allocator hooks = {biggest_malloc, biggest_realloc, biggest_free, NULL};
  cxm_store *s = NULL;
  int32_t rc;
  hooks.opaque = &ba;
  g.sec[i] = *payload;
  b = join(&g);
  rc = cxm_store_load_bytes(&s, b.p, b.len, &hooks);
  if (biggest != NULL) *biggest = ba.biggest;
  if (rc == CXM_OK) {
    /* Whatever the reader accepts, the writer writes back byte for byte. */
    buf again = save(s);
    assert_same_bytes(&again, &b);
    buf_free(&again);
  }
  cxm_store_free(s);
  assert_int_equal(ba.fa.live_bytes, 0);
  if (rc != CXM_OK) assert_null(s);
  buf_free(&b);
  return rc;
}

static void test_forged_sections(void **state) {
  cxm_store *s = hand_built();
  buf b = save(s), p = {NULL, 0, 0}, same;
  frames f;
  (void)state;
  split(&f, &b);
  same = join(&f);
  assert_same_bytes(&b, &same); /* the test's framing is the writer's */
  buf_free(&same);

  /* A billion customers, interactions or SERVQUAL answers claimed in a
   * few bytes: refused before anything is allocated for them. */
  {
    static const int secs[] = {CXMI_SEC_CUSTOMERS, CXMI_SEC_INTERACTIONS, CXMI_SEC_SERVQUAL, CXMI_SEC_DAYS};
    int k;
    for (k = 0; k < 4; k++) {
      size_t biggest = 0;
      put_leb(&p, 1000000000);
      (void)buf_write(&p, "\x01x", 2);
      assert_int_equal(load_with(&f, secs[k], &p, &biggest), CXM_E_FORMAT);
      assert_true(biggest < 70000); /* the store's first table blocks at most */
      buf_free(&p);
    }
  }
  {
    /* The same through the frame: a section length beyond the bytes. */
    buf h = {NULL, 0, 0};
    (void)buf_write(&h, b.p, 16 + 16 + f.sec[0].len);
    (void)buf_write(&h, "CUST", 4);
    put_le(&h, UINT64_C(1) << 40, 8);
    put_leb(&h, 1000000000);
    assert_int_equal(try_load(h.p, h.len), CXM_E_TRUNCATED);
    buf_free(&h);
  }
  /* Duplicate customer ids. */
  put_leb(&p, 2);
  (void)buf_write(&p, "\x01x\x01x", 4);
  assert_int_equal(load_with(&f, CXMI_SEC_CUSTOMERS, &p, NULL), CXM_E_FORMAT);
  buf_free(&p);
  /* A non-minimal varint. */
  put_leb(&p, 0x80);
  p.p[p.len - 1] = 0x80;
  (void)buf_write(&p, "\x00", 1);
  assert_int_equal(load_with(&f, CXMI_SEC_CHANNELS, &p, NULL), CXM_E_FORMAT);
  buf_free(&p);
  /* A custom channel spelt like a named one, and a bad token. */
  put_leb(&p, 1);
  put_leb(&p, 5);
  (void)buf_write(&p, "email", 5);
  assert_int_equal(load_with(&f, CXMI_SEC_CHANNELS, &p, NULL), CXM_E_FORMAT);
  buf_free(&p);
  put_leb(&p, 1);
  put_leb(&p, 2);
  (void)buf_write(&p, "A!", 2);
  assert_int_equal(load_with(&f, CXMI_SEC_CHANNELS, &p, NULL), CXM_E_FORMAT);
  buf_free(&p);
  /* A segment label the store never interns ("unknown" is code 0). */
  put_leb(&p, 3);
  put_leb(&p, 13);
  (void)buf_write(&p, "VIP customers", 13);
  put_leb(&p, 3);
  (void)buf_write(&p, "web", 3);
  put_leb(&p, 7);
  (void)buf_write(&p, "unknown", 7);
  assert_int_equal(load_with(&f, CXMI_SEC_SEGMENTS, &p, NULL), CXM_E_FORMAT);
  p.p[p.len - 1] = 'N'; /* "unknowN" is a label like any other */
  assert_int_equal(load_with(&f, CXMI_SEC_SEGMENTS, &p, NULL), CXM_OK);
  buf_free(&p);
  /* Churn of a customer or cell that does not exist. */
  put_leb(&p, 1);
  put_leb(&p, 99);
  put_leb(&p, 0);
  assert_int_equal(load_with(&f, CXMI_SEC_CHURNED, &p, NULL), CXM_E_FORMAT);
  buf_free(&p);
  put_leb(&p, 1);
  put_leb(&p, 0);
  put_leb(&p, 99999);
  assert_int_equal(load_with(&f, CXMI_SEC_CHURNED, &p, NULL), CXM_E_FORMAT);
  buf_free(&p);
  /* The same churn key twice. */
  put_leb(&p, 2);
  put_leb(&p, 0);
  put_leb(&p, 0);
  put_leb(&p, 0);
  put_leb(&p, 0);
  assert_int_equal(load_with(&f, CXMI_SEC_CHURNED, &p, NULL), CXM_E_FORMAT);
  buf_free(&p);
  /* A valid churn key is accepted (the forging itself is sound). */
  put_leb(&p, 1);
  put_leb(&p, 0);
  put_leb(&p, 0);
  assert_int_equal(load_with(&f, CXMI_SEC_CHURNED, &p, NULL), CXM_OK);
  buf_free(&p);
  /* SERVQUAL: dimension 0, and sums no 1..7 answers could make. */
  put_leb(&p, 1);
  put_leb(&p, 0);
  put_leb(&p, 0);
  put_leb(&p, 0);
  put_leb(&p, 1);
  put_leb(&p, 0);
  put_leb(&p, 3);
  put_leb(&p, 0);
  assert_int_equal(load_with(&f, CXMI_SEC_SERVQUAL, &p, NULL), CXM_E_FORMAT);
  p.p[3] = 1;
  assert_int_equal(load_with(&f, CXMI_SEC_SERVQUAL, &p, NULL), CXM_OK);
  p.p[6] = 8;
  assert_int_equal(load_with(&f, CXMI_SEC_SERVQUAL, &p, NULL), CXM_E_FORMAT);
  buf_free(&p);
  /* Days out of order, or twice the same. */
  {
    static const uint32_t order[3][2] = {{5, 9}, {9, 5}, {5, 5}};
    static const int32_t want[3] = {CXM_OK, CXM_E_FORMAT, CXM_E_FORMAT};
    int k, j;
    for (k = 0; k < 3; k++) {
      put_leb(&p, 2);
      for (j = 0; j < 2; j++) {
        put_leb(&p, 1);                              /* customer */
        put_leb(&p, order[k][j]);                    /* day */
        put_le(&p, UINT64_C(0x3FF0000000000000), 8); /* amount 1.0 */
        put_leb(&p, 1);                              /* purchases */
        put_le(&p, 0, 7);                            /* complaints .. nps_prev_at: 0 */
      }
      assert_int_equal(load_with(&f, CXMI_SEC_DAYS, &p, NULL), want[k]);
      buf_free(&p);
    }
    /* an amount without purchases; a negative amount */
    put_leb(&p, 1);
    put_leb(&p, 1);
    put_leb(&p, 5);
    put_le(&p, UINT64_C(0x3FF0000000000000), 8);
    put_le(&p, 0, 8);
    assert_int_equal(load_with(&f, CXMI_SEC_DAYS, &p, NULL), CXM_E_FORMAT);
    p.p[3 + 7] = 0xBF; /* -1.0 */
    p.p[3 + 8] = 1;    /* one purchase */
    assert_int_equal(load_with(&f, CXMI_SEC_DAYS, &p, NULL), CXM_E_FORMAT);
    p.p[3 + 7] = 0x3F;
    assert_int_equal(load_with(&f, CXMI_SEC_DAYS, &p, NULL), CXM_OK);
    buf_free(&p);
  }
  /* Interactions: a rating customer that does not exist. r1's payload
   * starts: count, "r1" (3 bytes), four 8-byte fields, internal_n,
   * rating_n, the first customer rating's time, then its customer. */
  {
    buf x = {NULL, 0, 0};
    size_t at = 1 + 3 + 32 + 1 + 1 + 8;
    (void)buf_write(&x, f.sec[CXMI_SEC_INTERACTIONS].p, f.sec[CXMI_SEC_INTERACTIONS].len);
    assert_int_equal(x.p[at], 1); /* alice */
    x.p[at] = 120;
    assert_int_equal(load_with(&f, CXMI_SEC_INTERACTIONS, &x, NULL), CXM_E_FORMAT);
    x.p[at] = 1;
    assert_int_equal(load_with(&f, CXMI_SEC_INTERACTIONS, &x, NULL), CXM_OK);
    /* internal_n 0 while a first internal rating is set */
    x.p[1 + 3 + 32] = 0;
    assert_int_equal(load_with(&f, CXMI_SEC_INTERACTIONS, &x, NULL), CXM_E_FORMAT);
    buf_free(&x);
  }
  /* Cells: a segment code beyond the labels, and events not matching. */
  {
    buf x = {NULL, 0, 0};
    (void)buf_write(&x, f.sec[CXMI_SEC_CELLS].p, f.sec[CXMI_SEC_CELLS].len);
    /* count (1 byte), bucket (8), channel, stage, segment */
    assert_int_equal(x.p[11], 1);
    x.p[11] = 3;
    assert_int_equal(load_with(&f, CXMI_SEC_CELLS, &x, NULL), CXM_E_FORMAT);
    x.p[11] = 1;
    x.p[12]++; /* the first cell's events */
    assert_int_equal(load_with(&f, CXMI_SEC_CELLS, &x, NULL), CXM_E_FORMAT);
    x.p[12]--;
    assert_int_equal(load_with(&f, CXMI_SEC_CELLS, &x, NULL), CXM_OK);
    buf_free(&x);
  }
  /* Trailing bytes inside a section. */
  {
    buf x = {NULL, 0, 0};
    (void)buf_write(&x, f.sec[CXMI_SEC_META].p, f.sec[CXMI_SEC_META].len);
    (void)buf_write(&x, "\0", 1);
    assert_int_equal(load_with(&f, CXMI_SEC_META, &x, NULL), CXM_E_FORMAT);
    buf_free(&x);
  }
  frames_free(&f);
  buf_free(&b);
  cxm_store_free(s);
}

/* ---- allocation failure -------------------------------------------------------- */

static void test_save_nomem(void **state) {
  failing_alloc fa = {FAILING_PAUSED, 0, 0};
  cxm_allocator hooks = failing_hooks(&fa);
  cxm_store_options o;
  cxm_store *s = NULL, *stores[1];
  uint64_t rng = 9;
  buf want, got = {NULL, 0, 0};
  long n;
  int failures = 0;
  (void)state;
  cxm_store_options_init(&o);
  o.allocator = &hooks;
  assert_int_equal(cxm_store_new(&s, &o), CXM_OK);
  stores[0] = s;
  record_random(stores, 1, &rng, 400);
  want = save(s);
  for (n = 0;; n++) {
    int64_t before = fa.live_bytes;
    int32_t rc;
    got.len = 0;
    fa.remaining = n;
    rc = cxm_store_save_to(s, buf_write, &got);
    fa.remaining = FAILING_PAUSED;
    assert_int_equal(fa.live_bytes, before);
    if (rc == CXM_OK) break;
    assert_int_equal(rc, CXM_E_NOMEM);
    failures++;
    {
      buf again = save(s); /* the store is as it was */
      assert_same_bytes(&again, &want);
      buf_free(&again);
    }
  }
  assert_true(failures >= 2);
  assert_same_bytes(&got, &want);
  buf_free(&got);
  buf_free(&want);
  cxm_store_free(s);
  assert_int_equal(fa.live_bytes, 0);
}

static void test_load_nomem(void **state) {
  cxm_store *s = hand_built(), *stores[1];
  uint64_t rng = 13;
  buf b;
  long n;
  (void)state;
  stores[0] = s;
  record_random(stores, 1, &rng, 400);
  b = save(s);
  for (n = 0;; n++) {
    failing_alloc fa = {n, 0, 0};
    cxm_allocator hooks = failing_hooks(&fa);
    cxm_store *out = NULL;
    int32_t rc = cxm_store_load_bytes(&out, b.p, b.len, &hooks);
    if (rc == CXM_OK) {
      buf again;
      fa.remaining = FAILING_PAUSED;
      again = save(out);
      assert_same_bytes(&again, &b);
      buf_free(&again);
      cxm_store_free(out);
      assert_int_equal(fa.live_bytes, 0);
      break;
    }
    assert_int_equal(rc, CXM_E_NOMEM);
    assert_null(out);
    assert_int_equal(fa.live_bytes, 0);
  }
  assert_true(n > 10);
  buf_free(&b);
  cxm_store_free(s);
}

/* ---- fuzzing seeds ------------------------------------------------------------- */

/* The seeds in fuzz/corpus/snapshot/ are these stores' snapshots. With
 * CXM_WRITE_SNAPSHOT_SEEDS=DIR the test writes them there; otherwise it
 * checks that the committed files still equal what this build writes. */
static void seed(cxm_store **s, int which) {
  uint64_t rng = 100 + (uint64_t)which;
  cxm_store *stores[1];
  if (which == 0) {
    *s = new_store(86400);
    return;
  }
  if (which == 1) {
    *s = hand_built();
    return;
  }
  *s = new_store(3600);
  stores[0] = *s;
  record_random(stores, 1, &rng, 120);
}

static void test_fuzz_seeds(void **state) {
  static const char *names[] = {"empty.snap", "hand_built.snap", "random.snap"};
  const char *out_dir = getenv("CXM_WRITE_SNAPSHOT_SEEDS");
  const char *root = getenv("CXM_SOURCE_ROOT");
  int i;
  (void)state;
  for (i = 0; i < 3; i++) {
    cxm_store *s;
    char path[4096];
    buf b;
    seed(&s, i);
    b = save(s);
    if (out_dir != NULL) {
      FILE *f;
      snprintf(path, sizeof path, "%s/%s", out_dir, names[i]);
      f = fopen(path, "wb");
      assert_non_null(f);
      assert_int_equal(fwrite(b.p, 1, b.len, f), b.len);
      assert_int_equal(fclose(f), 0);
    } else if (root != NULL) {
      FILE *f;
      buf file = {NULL, 0, 0};
      uint8_t chunk[4096];
      size_t n;
      snprintf(path, sizeof path, "%s/fuzz/corpus/snapshot/%s", root, names[i]);
      f = fopen(path, "rb");
      assert_non_null(f);
      while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) (void)buf_write(&file, chunk, n);
      assert_int_equal(fclose(f), 0);
      assert_same_bytes(&file, &b);
      cxm_store_free(load(&file));
      buf_free(&file);
    }
    buf_free(&b);
    cxm_store_free(s);
  }
}

/* Version 1 snapshots (written before the service-operation counts) still
 * load: tests/data/snapshot/v1_*.snap were written by the version 1 writer
 * from hand_built() and the random seed store of that time. The hand-built
 * one keeps at most one reply after each open, so the rebuilt counts are
 * exact: same answers, and the same bytes as a save of the fresh store
 * without its survey log (version 3) and status list (version 4), which
 * version 1 did not keep. */
static buf read_data(const char *name) {
  const char *root = getenv("CXM_SOURCE_ROOT");
  char path[4096];
  buf file = {NULL, 0, 0};
  uint8_t chunk[4096];
  size_t n;
  FILE *f;
  assert_non_null(root);
  snprintf(path, sizeof path, "%s/tests/data/snapshot/%s", root, name);
  f = fopen(path, "rb");
  assert_non_null(f);
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) (void)buf_write(&file, chunk, n);
  assert_int_equal(fclose(f), 0);
  return file;
}

static void test_version1_loads(void **state) {
  buf v1 = read_data("v1_hand_built.snap"), v2, again, rnd;
  cxm_store *old, *fresh = hand_built(), *copy;
  (void)state;
  if (getenv("CXM_SOURCE_ROOT") == NULL) skip();
  assert_int_equal(v1.p[8], 1);
  old = load(&v1);
  /* Nor what each customer came through first (version 4): unknown. */
  forget_first(fresh);
  assert_same_answers(fresh, old);
  /* Version 1 had no survey log: the loaded store's is empty. */
  assert_int_equal(old->loop.count, 0);
  cxmi_loop_free(&fresh->loop, &fresh->alloc);
  cxmi_loop_init(&fresh->loop);
  /* Nor the status list (version 4). */
  assert_int_equal(old->interactions.status_count, 0);
  fresh->interactions.status_count = 0;
  v2 = save(old);
  again = save(fresh);
  assert_int_equal(v2.p[8], CXMI_SNAPSHOT_VERSION);
  assert_same_bytes(&v2, &again);
  /* r4: a reply before its open and one after: two replies, first event the early reply */
  {
    int64_t at = cxmi_intern_find(&old->interactions.refs, "r4", 2, cxmi_hash_bytes("r4", 2));
    assert_true(at >= 0);
    assert_int_equal(old->interactions.items[at].reply_n, 2);
    assert_int_equal(old->interactions.items[at].first_time, T0 + 100);
  }
  rnd = read_data("v1_random.snap");
  copy = load(&rnd);
  buf_free(&v2);
  v2 = save(copy);
  cxm_store_free(load(&v2));
  buf_free(&rnd);
  buf_free(&v1);
  buf_free(&v2);
  buf_free(&again);
  cxm_store_free(copy);
  cxm_store_free(old);
  cxm_store_free(fresh);
}

/* Version 3 snapshots (before the rating log and the first channels and
 * segments) still load, with an empty log, no attribute and no first
 * channel or segment: tests/data/snapshot/v3_hand_built.snap was written
 * by the version 3 writer from hand_built(), which holds no rating and no
 * perception with a ref, so a save of the loaded store is byte for byte a
 * save of the fresh one. */
static void test_version3_loads(void **state) {
  buf v3 = read_data("v3_hand_built.snap"), v4, again;
  cxm_store *old, *fresh = hand_built();
  int32_t code;
  (void)state;
  if (getenv("CXM_SOURCE_ROOT") == NULL) skip();
  assert_int_equal(v3.p[8], 3);
  old = load(&v3);
  /* no first channel or segment either: every customer's is unknown */
  forget_first(fresh);
  /* nor a status list (docs/snapshot.md: contacts close at their first resolution) */
  assert_int_equal(old->interactions.status_count, 0);
  fresh->interactions.status_count = 0;
  assert_same_answers(fresh, old);
  assert_int_equal(old->ratings.count, 0);
  assert_int_equal(old->ratings.attributes.count, 0);
  v4 = save(old);
  again = save(fresh);
  assert_int_equal(v4.p[8], CXMI_SNAPSHOT_VERSION);
  assert_same_bytes(&v4, &again);
  /* the loaded store takes ratings as any other */
  assert_int_equal(cxm_store_attribute(&code, old, "speed", 5), CXM_OK);
  assert_int_equal(code, 1);
  buf_free(&v3);
  buf_free(&v4);
  buf_free(&again);
  cxm_store_free(old);
  cxm_store_free(fresh);
}

static void test_arguments(void **state) {
  cxm_store *s = new_store(86400);
  buf b = {NULL, 0, 0};
  (void)state;
  assert_int_equal(cxm_store_save_to(NULL, buf_write, &b), CXM_E_ARG);
  assert_int_equal(cxm_store_save_to(s, NULL, &b), CXM_E_ARG);
  assert_int_equal(cxm_store_save(NULL, "x"), CXM_E_ARG);
  assert_int_equal(cxm_store_save(s, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_load(NULL, "x", NULL), CXM_E_ARG);
  cxm_store_free(s);
}

/* A writer's nonzero status stops the save and is returned. */
static int32_t refuse_third(void *opaque, const void *bytes, size_t len) {
  int *calls = opaque;
  (void)bytes;
  (void)len;
  return ++*calls == 3 ? 42 : 0;
}

static void test_writer_abort(void **state) {
  cxm_store *s = new_store(86400), *stores[1];
  uint64_t rng = 17;
  int calls = 0;
  (void)state;
  stores[0] = s;
  record_random(stores, 1, &rng, 2000);
  assert_int_equal(cxm_store_save_to(s, refuse_third, &calls), 42);
  assert_int_equal(calls, 3);
  cxm_store_free(s);
}

/* A tripwire for whoever adds a field to the store: the snapshot must
 * learn to save it (src/snapshot/snapshot_save.c, snapshot_load.c, docs/snapshot.md,
 * a new format version) before these sizes are updated. LP64 hosts only. */
static void test_layout_known(void **state) {
  (void)state;
  if (sizeof(void *) != 8) skip();
  assert_int_equal(sizeof(struct cxm_store), 1040); /* 848 before the intern tables' slab lists (not saved) */
  assert_int_equal(sizeof(cxmi_customer_info), 24);
  assert_int_equal(sizeof(cxmi_rating), 16);
  assert_int_equal(sizeof(cxmi_interaction), 160);
  assert_int_equal(sizeof(cxmi_loop_event), 32);
  assert_int_equal(sizeof(cxmi_early), 16);
  assert_int_equal(sizeof(cxmi_status), 16);
  assert_int_equal(sizeof(cxmi_day_slot), 40);
  assert_int_equal(sizeof(cxmi_cell), 232);
  assert_int_equal(sizeof(cxmi_servqual_answers), 24);
}

static void test_crc32c(void **state) {
  (void)state;
  /* The check value of CRC-32C (RFC 3720, B.4). */
  assert_int_equal(cxmi_crc32c(0, "123456789", 9), 0xE3069283u);
  assert_int_equal(cxmi_crc32c(cxmi_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
  {
    uint8_t zeros[32];
    memset(zeros, 0, sizeof zeros);
    assert_int_equal(cxmi_crc32c(0, zeros, 32), 0x8A9136AAu);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_crc32c),
      cmocka_unit_test(test_layout_known),
      cmocka_unit_test(test_arguments),
      cmocka_unit_test(test_empty_store),
      cmocka_unit_test(test_hand_built_round_trip),
      cmocka_unit_test(test_canonical),
      cmocka_unit_test(test_random_streams),
      cmocka_unit_test(test_extreme_streams),
      cmocka_unit_test(test_save_refuses_unloadable),
      cmocka_unit_test(test_every_byte_flip),
      cmocka_unit_test(test_every_truncation),
      cmocka_unit_test(test_header_statuses),
      cmocka_unit_test(test_forged_sections),
      cmocka_unit_test(test_version1_loads),
      cmocka_unit_test(test_version3_loads),
      cmocka_unit_test(test_save_nomem),
      cmocka_unit_test(test_load_nomem),
      cmocka_unit_test(test_writer_abort),
      cmocka_unit_test(test_fuzz_seeds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
