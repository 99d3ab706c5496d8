/* Tests of the event store: validation (each bad field its own status,
 * store unchanged), interning, duplicates, handles, growth, and failure of
 * every allocation leaving the store unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cxm.h"
#include "test_helpers.h"

/* Everything observable about a store, for "unchanged" checks. */
typedef struct snapshot {
  cxm_store_stats stats;
  cxm_survey_acc survey;
  cxm_gap_acc gap;
  cxm_service_result service;
  cxm_servqual_result servqual;
  cxm_loyalty_result loyalty;
} snapshot;

static snapshot take(const cxm_store *s) {
  snapshot snap;
  memset(&snap, 0, sizeof snap);
  snap.stats.size = sizeof snap.stats;
  assert_int_equal(cxm_store_stats_get(&snap.stats, s), CXM_OK);
  assert_int_equal(cxm_store_survey(&snap.survey, s, NULL), CXM_OK);
  assert_int_equal(cxm_store_gap(&snap.gap, s, NULL, NULL), CXM_OK);
  assert_int_equal(cxm_store_service(&snap.service, s, NULL, NULL), CXM_OK);
  assert_int_equal(cxm_store_servqual(&snap.servqual, s, NULL, NULL), CXM_OK);
  assert_int_equal(cxm_store_loyalty(&snap.loyalty, s, NULL), CXM_OK);
  return snap;
}

static void assert_same(const snapshot *a, const snapshot *b) {
  assert_int_equal(a->stats.events, b->stats.events);
  assert_int_equal(a->stats.duplicates, b->stats.duplicates);
  assert_int_equal(a->stats.customers, b->stats.customers);
  assert_int_equal(a->stats.cells, b->stats.cells);
  assert_true(a->stats.first == b->stats.first);
  assert_true(a->stats.last == b->stats.last);
  assert_memory_equal(&a->survey, &b->survey, sizeof a->survey);
  assert_memory_equal(&a->gap, &b->gap, sizeof a->gap);
  assert_memory_equal(&a->service, &b->service, sizeof a->service);
  assert_memory_equal(&a->servqual, &b->servqual, sizeof a->servqual);
  assert_memory_equal(&a->loyalty, &b->loyalty, sizeof a->loyalty);
}

static cxm_event survey_event(const char *customer, int64_t time, int32_t kind, double value) {
  cxm_event e;
  cxm_event_init(&e);
  e.customer = customer;
  e.customer_len = strlen(customer);
  e.time = time;
  e.kind = kind;
  e.has_value = 1;
  e.value = value;
  return e;
}

static void test_new_and_options(void **state) {
  cxm_store *s = NULL;
  cxm_store_options o;
  cxm_allocator broken = {NULL, NULL, NULL, NULL};
  (void)state;
  assert_int_equal(cxm_store_new(NULL, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  assert_non_null(s);
  cxm_store_free(s);
  cxm_store_free(NULL); /* accepted */

  cxm_store_options_init(&o);
  assert_int_equal(o.bucket_seconds, 86400);
  o.bucket_seconds = 7; /* does not divide a day */
  s = NULL;
  assert_int_equal(cxm_store_new(&s, &o), CXM_E_OPTION);
  assert_null(s);
  o.bucket_seconds = 0;
  assert_int_equal(cxm_store_new(&s, &o), CXM_E_OPTION);
  o.bucket_seconds = 3600;
  o.allocator = &broken;
  assert_int_equal(cxm_store_new(&s, &o), CXM_E_OPTION);
  o.allocator = NULL;
  /* Shorter than the first published version (up to bucket_seconds). */
  o.size = offsetof(cxm_store_options, bucket_seconds) + sizeof o.bucket_seconds - 1;
  assert_int_equal(cxm_store_new(&s, &o), CXM_E_SIZE);
  o.size = sizeof o;
  o.omit = 0x4; /* no such table */
  assert_int_equal(cxm_store_new(&s, &o), CXM_E_OPTION);
  assert_null(s);
  o.omit = CXM_OMIT_CUSTOMER_DAYS | CXM_OMIT_CUSTOMER_FIRSTS;
  assert_int_equal(cxm_store_new(&s, &o), CXM_OK);
  cxm_store_free(s);
  /* A caller built against 0.1 has no `omit`: its bytes are never read
   * (an invalid value there is not seen). */
  o.omit = 0x4;
  o.size = offsetof(cxm_store_options, bucket_seconds) + sizeof o.bucket_seconds;
  assert_int_equal(cxm_store_new(&s, &o), CXM_OK);
  cxm_store_free(s);
}

static void test_record_counts(void **state) {
  cxm_store *s;
  cxm_event e;
  snapshot snap;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  snap = take(s);
  assert_int_equal(snap.stats.events, 0);
  assert_true(snap.stats.first == INT64_MAX);
  assert_true(snap.stats.last == INT64_MIN);

  e = survey_event("c-1", 1000, CXM_KIND_NPS, 9);
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e = survey_event("c-2", 500, CXM_KIND_CSAT, 4);
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e = survey_event("c-1", 90000, CXM_KIND_CES, 7);
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e = survey_event("c-3", 2000, CXM_KIND_PURCHASE, 129.95);
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e = survey_event("c-3", 2000, CXM_KIND_COMPLAINT, 0);
  e.has_value = 0;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);

  snap = take(s);
  assert_int_equal(snap.stats.events, 5);
  assert_int_equal(snap.stats.customers, 3);
  assert_int_equal(snap.stats.first, 500);
  assert_int_equal(snap.stats.last, 90000);
  assert_int_equal(snap.stats.cells, 2); /* day 0 and day 1, same channel/stage/segment */
  assert_int_equal(snap.survey.nps.count[9], 1);
  assert_int_equal(snap.survey.csat.count[3], 1);
  assert_int_equal(snap.survey.ces.count[6], 1);
  assert_true(snap.stats.memory_bytes > 0);
  cxm_store_free(s);
}

/* Each bad field gets its own status and leaves the store as it was. */
static void test_bad_fields(void **state) {
  cxm_store *s;
  cxm_event e, good;
  snapshot before, after;
  char long_id[CXM_MAX_ID_LEN + 2];
  (void)state;
  memset(long_id, 'x', sizeof long_id);
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  good = survey_event("c-1", 1000, CXM_KIND_NPS, 9);
  good.id = "ev-1";
  good.id_len = 4;
  assert_int_equal(cxm_store_record(s, &good), CXM_OK);
  before = take(s);

#define EXPECT_STATUS(mutation, status)                  \
  do {                                                   \
    e = survey_event("c-new", 5000, CXM_KIND_NPS, 10);   \
    mutation;                                            \
    assert_int_equal(cxm_store_check(s, &e), (status));  \
    assert_int_equal(cxm_store_record(s, &e), (status)); \
    after = take(s);                                     \
    assert_same(&before, &after);                        \
  } while (0)

  EXPECT_STATUS(e.size = 0, CXM_E_SIZE);
  EXPECT_STATUS(e.customer_len = 0, CXM_E_CUSTOMER);
  EXPECT_STATUS((e.customer = long_id, e.customer_len = CXM_MAX_ID_LEN + 1), CXM_E_CUSTOMER);
  EXPECT_STATUS(e.customer = NULL, CXM_E_CUSTOMER);
  EXPECT_STATUS(e.time = -1, CXM_E_TIME);
  EXPECT_STATUS(e.time = CXM_TIME_MAX + 1, CXM_E_TIME);
  EXPECT_STATUS(e.kind = CXM_KIND_COUNT, CXM_E_KIND);
  EXPECT_STATUS(e.kind = -1, CXM_E_KIND);
  EXPECT_STATUS(e.value = 11, CXM_E_VALUE);
  EXPECT_STATUS(e.value = -1, CXM_E_VALUE);
  EXPECT_STATUS(e.value = 9.5, CXM_E_VALUE);
  EXPECT_STATUS(e.value = NAN, CXM_E_VALUE);
  EXPECT_STATUS(e.has_value = 0, CXM_E_VALUE);
  EXPECT_STATUS((e.kind = CXM_KIND_CSAT, e.value = 0), CXM_E_VALUE);
  EXPECT_STATUS((e.kind = CXM_KIND_CSAT, e.value = 6), CXM_E_VALUE);
  EXPECT_STATUS((e.kind = CXM_KIND_CES, e.value = 8), CXM_E_VALUE);
  EXPECT_STATUS((e.kind = CXM_KIND_INTERNAL, e.value = 100.5), CXM_E_VALUE);
  EXPECT_STATUS((e.kind = CXM_KIND_PURCHASE, e.value = -0.01), CXM_E_VALUE);
  EXPECT_STATUS((e.kind = CXM_KIND_PURCHASE, e.value = INFINITY), CXM_E_VALUE);
  EXPECT_STATUS((e.kind = CXM_KIND_COMPLAINT, e.value = 1), CXM_E_VALUE);
  EXPECT_STATUS(e.channel = -1, CXM_E_CHANNEL);
  EXPECT_STATUS(e.channel = CXM_CHANNEL_FIRST_CUSTOM, CXM_E_CHANNEL); /* none interned yet */
  EXPECT_STATUS(e.stage = CXM_STAGE_COUNT, CXM_E_STAGE);
  EXPECT_STATUS(e.segment = 1, CXM_E_SEGMENT); /* none interned yet */
  EXPECT_STATUS(e.segment = -2, CXM_E_SEGMENT);
  EXPECT_STATUS(e.dimension = CXM_DIMENSION_EMPATHY, CXM_E_DIMENSION);         /* nps takes none */
  EXPECT_STATUS((e.kind = CXM_KIND_PERCEPTION, e.value = 5), CXM_E_DIMENSION); /* needs one */
  EXPECT_STATUS((e.kind = CXM_KIND_PERCEPTION, e.value = 5, e.dimension = 9), CXM_E_DIMENSION);
  EXPECT_STATUS((e.kind = CXM_KIND_CONTACT_OPEN, e.has_value = 0), CXM_E_REF); /* needs a ref */
  EXPECT_STATUS((e.ref = long_id, e.ref_len = CXM_MAX_ID_LEN + 1), CXM_E_REF);
  EXPECT_STATUS(e.ref_len = 3, CXM_E_REF); /* NULL with a length */
  EXPECT_STATUS((e.id = long_id, e.id_len = CXM_MAX_ID_LEN + 1), CXM_E_EVENT_ID);
  EXPECT_STATUS(e.id_len = 2, CXM_E_EVENT_ID);
#undef EXPECT_STATUS

  assert_int_equal(cxm_store_record(NULL, &good), CXM_E_ARG);
  assert_int_equal(cxm_store_record(s, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_record_for(s, 7, &good), CXM_E_HANDLE);
  after = take(s);
  assert_same(&before, &after);
  cxm_store_free(s);
}

static void test_boundaries_accepted(void **state) {
  cxm_store *s;
  cxm_event e;
  char id[CXM_MAX_ID_LEN];
  (void)state;
  memset(id, 'y', sizeof id);
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  e = survey_event("a", CXM_TIME_MIN, CXM_KIND_NPS, 0);
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e = survey_event("a", CXM_TIME_MAX, CXM_KIND_NPS, 10);
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e = survey_event("a", 0, CXM_KIND_INTERNAL, 0);
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e = survey_event("a", 0, CXM_KIND_INTERNAL, 100);
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e = survey_event("a", 0, CXM_KIND_INTERNAL, 77.25);
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e = survey_event("a", 0, CXM_KIND_PURCHASE, 0);
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e = survey_event("a", 0, CXM_KIND_EXPECTATION, 7);
  e.dimension = CXM_DIMENSION_TANGIBLES;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e = survey_event("a", 0, CXM_KIND_CONTACT_RESOLVE, 0);
  e.has_value = 0;
  e.ref = id;
  e.ref_len = sizeof id;
  e.id = id;
  e.id_len = sizeof id;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  /* a customer id of exactly 128 bytes, holding a NUL byte: ids are bytes */
  id[5] = '\0';
  e = survey_event("", 0, CXM_KIND_CHURN, 0);
  e.has_value = 0;
  e.customer = id;
  e.customer_len = sizeof id;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  {
    cxm_store_stats st;
    st.size = sizeof st;
    assert_int_equal(cxm_store_stats_get(&st, s), CXM_OK);
    assert_int_equal(st.events, 9);
    assert_int_equal(st.customers, 2);
    st.size = 1;
    assert_int_equal(cxm_store_stats_get(&st, s), CXM_E_SIZE);
  }
  cxm_store_free(s);
}

static void test_duplicates(void **state) {
  cxm_store *s;
  cxm_event e;
  snapshot before, after;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  e = survey_event("c-1", 100, CXM_KIND_NPS, 3);
  e.id = "row-1";
  e.id_len = 5;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  before = take(s);
  /* same id, different everything else: still a duplicate, nothing recorded */
  e = survey_event("c-other", 999999, CXM_KIND_CSAT, 5);
  e.id = "row-1";
  e.id_len = 5;
  assert_int_equal(cxm_store_record(s, &e), CXM_DUPLICATE);
  after = take(s);
  assert_int_equal(after.stats.duplicates, 1);
  after.stats.duplicates = before.stats.duplicates;
  assert_same(&before, &after);
  /* an id that is a prefix is a different id */
  e.id_len = 4;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  /* events without an id are never duplicates */
  e.id_len = 0;
  e.id = NULL;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  after = take(s);
  assert_int_equal(after.stats.events, 4);
  cxm_store_free(s);
}

static void test_customers_and_handles(void **state) {
  cxm_store *s;
  uint32_t h, h2;
  const char *id;
  size_t len;
  cxm_event e;
  char buf[32];
  uint32_t i;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  assert_int_equal(cxm_store_find_customer(&h, s, "x", 1), CXM_E_NOT_FOUND);
  assert_int_equal(cxm_store_customer(&h, s, "alice", 5), CXM_OK);
  assert_int_equal(h, 0);
  assert_int_equal(cxm_store_customer(&h2, s, "bob", 3), CXM_OK);
  assert_int_equal(h2, 1);
  assert_int_equal(cxm_store_customer(&h, s, "alice", 5), CXM_OK);
  assert_int_equal(h, 0);
  assert_int_equal(cxm_store_customer(&h, s, "", 0), CXM_E_CUSTOMER);
  assert_int_equal(cxm_store_customer(NULL, s, "a", 1), CXM_E_ARG);
  assert_int_equal(cxm_store_customer_id(&id, &len, s, 1), CXM_OK);
  assert_int_equal(len, 3);
  assert_memory_equal(id, "bob", 3);
  assert_int_equal(cxm_store_customer_id(&id, &len, s, 2), CXM_E_HANDLE);

  e = survey_event("ignored", 10, CXM_KIND_NPS, 8);
  assert_int_equal(cxm_store_record_for(s, 1, &e), CXM_OK);

  /* Growth: many customers, every one found again, and pointers handed out
   * earlier stay valid (the arena never moves). */
  assert_int_equal(cxm_store_customer_id(&id, &len, s, 0), CXM_OK);
  for (i = 0; i < 200000; i++) {
    int n = snprintf(buf, sizeof buf, "customer-%u", (unsigned)i);
    assert_int_equal(cxm_store_customer(&h, s, buf, (size_t)n), CXM_OK);
    assert_int_equal(h, i + 2);
  }
  assert_memory_equal(id, "alice", 5);
  for (i = 0; i < 200000; i += 997) {
    int n = snprintf(buf, sizeof buf, "customer-%u", (unsigned)i);
    assert_int_equal(cxm_store_find_customer(&h, s, buf, (size_t)n), CXM_OK);
    assert_int_equal(h, i + 2);
  }
  cxm_store_free(s);
}

static void test_channels_and_segments(void **state) {
  cxm_store *s;
  int32_t c, c2, seg;
  const char *name;
  size_t len;
  char label[CXM_MAX_SEGMENT_LEN + 1];
  (void)state;
  memset(label, 's', sizeof label);
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  assert_int_equal(cxm_store_channel(&c, s, "email", 5), CXM_OK);
  assert_int_equal(c, CXM_CHANNEL_EMAIL);
  assert_int_equal(cxm_store_channel(&c, s, "app", 3), CXM_OK);
  assert_int_equal(c, CXM_CHANNEL_APP);
  assert_int_equal(cxm_store_channel(&c, s, "", 0), CXM_OK);
  assert_int_equal(c, CXM_CHANNEL_UNKNOWN);
  assert_int_equal(cxm_store_channel(&c, s, "unknown", 7), CXM_OK);
  assert_int_equal(c, CXM_CHANNEL_UNKNOWN);
  assert_int_equal(cxm_store_channel(&c, s, "whatsapp", 8), CXM_OK);
  assert_int_equal(c, CXM_CHANNEL_FIRST_CUSTOM);
  assert_int_equal(cxm_store_channel(&c2, s, "kiosk_2-b", 9), CXM_OK);
  assert_int_equal(c2, CXM_CHANNEL_FIRST_CUSTOM + 1);
  assert_int_equal(cxm_store_channel(&c2, s, "whatsapp", 8), CXM_OK);
  assert_int_equal(c2, c);
  assert_int_equal(cxm_store_channel_name(&name, &len, s, c), CXM_OK);
  assert_int_equal(len, 8);
  assert_memory_equal(name, "whatsapp", 8);
  assert_int_equal(cxm_store_channel_name(&name, &len, s, CXM_CHANNEL_PHONE), CXM_OK);
  assert_string_equal(name, "phone");
  assert_int_equal(cxm_store_channel_name(&name, &len, s, CXM_CHANNEL_FIRST_CUSTOM + 2), CXM_E_CHANNEL);
  assert_int_equal(cxm_store_channel(&c, s, "Email", 5), CXM_E_CHANNEL);
  assert_int_equal(cxm_store_channel(&c, s, "a b", 3), CXM_E_CHANNEL);
  assert_int_equal(cxm_store_channel(&c, s, "abcdefghijabcdefghijabcdefghijabc", 33), CXM_E_CHANNEL);
  assert_int_equal(cxm_store_channel(&c, s, "abcdefghijabcdefghijabcdefghijab", 32), CXM_OK);

  assert_int_equal(cxm_store_segment(&seg, s, "", 0), CXM_OK);
  assert_int_equal(seg, CXM_SEGMENT_UNKNOWN);
  assert_int_equal(cxm_store_segment(&seg, s, "enterprise", 10), CXM_OK);
  assert_int_equal(seg, 1);
  assert_int_equal(cxm_store_segment(&seg, s, label, CXM_MAX_SEGMENT_LEN), CXM_OK);
  assert_int_equal(seg, 2);
  assert_int_equal(cxm_store_segment(&seg, s, label, CXM_MAX_SEGMENT_LEN + 1), CXM_E_SEGMENT);
  assert_int_equal(cxm_store_segment(&seg, s, "a\tb", 3), CXM_E_SEGMENT);
  assert_int_equal(cxm_store_segment_name(&name, &len, s, 1), CXM_OK);
  assert_memory_equal(name, "enterprise", 10);
  assert_int_equal(cxm_store_segment_name(&name, &len, s, 0), CXM_OK);
  assert_string_equal(name, "unknown");
  assert_int_equal(cxm_store_segment_name(&name, &len, s, 3), CXM_E_SEGMENT);

  /* Look-ups that never intern: named, known custom, unknown custom, bad. */
  {
    cxm_store_stats before, after;
    before.size = after.size = sizeof before;
    assert_int_equal(cxm_store_stats_get(&before, s), CXM_OK);
    assert_int_equal(cxm_store_find_channel(&c, s, "phone", 5), CXM_OK);
    assert_int_equal(c, CXM_CHANNEL_PHONE);
    assert_int_equal(cxm_store_find_channel(&c, s, "", 0), CXM_OK);
    assert_int_equal(c, CXM_CHANNEL_UNKNOWN);
    assert_int_equal(cxm_store_find_channel(&c, s, "whatsapp", 8), CXM_OK);
    assert_int_equal(c, CXM_CHANNEL_FIRST_CUSTOM);
    assert_int_equal(cxm_store_find_channel(&c, s, "telegram", 8), CXM_E_NOT_FOUND);
    assert_int_equal(cxm_store_find_channel(&c, s, "Bad", 3), CXM_E_CHANNEL);
    assert_int_equal(cxm_store_find_segment(&seg, s, "enterprise", 10), CXM_OK);
    assert_int_equal(seg, 1);
    assert_int_equal(cxm_store_find_segment(&seg, s, "", 0), CXM_OK);
    assert_int_equal(seg, CXM_SEGMENT_UNKNOWN);
    assert_int_equal(cxm_store_find_segment(&seg, s, "smb", 3), CXM_E_NOT_FOUND);
    assert_int_equal(cxm_store_find_segment(&seg, s, "a\tb", 3), CXM_E_SEGMENT);
    /* "unknown" is code 0's name, as for channels: found, never interned */
    assert_int_equal(cxm_store_find_segment(&seg, s, "unknown", 7), CXM_OK);
    assert_int_equal(seg, CXM_SEGMENT_UNKNOWN);

    assert_int_equal(cxm_store_find_channel(NULL, s, "phone", 5), CXM_E_ARG);
    assert_int_equal(cxm_store_stats_get(&after, s), CXM_OK);
    assert_int_equal(before.memory_bytes, after.memory_bytes);
    /* interning "unknown" gives code 0 too; labels are case-sensitive */
    assert_int_equal(cxm_store_segment(&seg, s, "unknown", 7), CXM_OK);
    assert_int_equal(seg, CXM_SEGMENT_UNKNOWN);
    assert_int_equal(cxm_store_segment(&seg, s, "unknowN", 7), CXM_OK);
    assert_int_equal(seg, 3);
    /* the next custom token still gets the next code: nothing was interned */
    assert_int_equal(cxm_store_channel(&c, s, "telegram", 8), CXM_OK);
    assert_int_equal(c, CXM_CHANNEL_FIRST_CUSTOM + 3);
  }
  cxm_store_free(s);
}

/* Fail the Nth allocation for every N until the whole scenario succeeds:
 * the failing call returns CXM_E_NOMEM and leaves the store unchanged; the
 * scenario then goes on and must end with the same store as a run that
 * never failed; nothing leaks. */
/* Fail the allocation numbered `fail_at` (counting only the store's own
 * allocations while recording), once. */
static void run_scenario(cxm_store *s, failing_alloc *f, long fail_at, int *failures) {
  int failed_once = 0, *failed = &failed_once, armed;
  /* Every kind, so that every side table (interactions and their early
   * list, SERVQUAL answers, churned customers) grows under failures too. */
  static const int32_t kinds[] = {CXM_KIND_NPS,
                                  CXM_KIND_CSAT,
                                  CXM_KIND_CES,
                                  CXM_KIND_INTERNAL,
                                  CXM_KIND_CONTACT_REPLY,
                                  CXM_KIND_CONTACT_OPEN,
                                  CXM_KIND_CONTACT_RESOLVE,
                                  CXM_KIND_EXPECTATION,
                                  CXM_KIND_PERCEPTION,
                                  CXM_KIND_CHURN,
                                  CXM_KIND_COMPLAINT,
                                  CXM_KIND_PURCHASE};
  char id[32], eid[32], ref[32];
  uint32_t i;
  for (i = 0; i < 3000; i++) {
    cxm_event e;
    snapshot before, after;
    int32_t rc, kind = kinds[i % (sizeof kinds / sizeof kinds[0])];
    int n = snprintf(id, sizeof id, "c%u", (unsigned)(i % 700));
    int m = snprintf(eid, sizeof eid, "e%u", (unsigned)(i % 2900));
    int k = snprintf(ref, sizeof ref, "r%u", (unsigned)(i % 500));
    e = survey_event("", (int64_t)(i * 7919u % 3000u) * 3607, kind, (double)(1 + i % 5));
    e.customer = id;
    e.customer_len = (size_t)n;
    e.id = eid;
    e.id_len = (size_t)m;
    e.stage = (int32_t)(i % CXM_STAGE_COUNT);
    e.ref = ref;
    e.ref_len = (size_t)k;
    if (kind == CXM_KIND_EXPECTATION || kind == CXM_KIND_PERCEPTION) e.dimension = 1 + (int32_t)(i % 5);
    if (kind >= CXM_KIND_CONTACT_OPEN && kind != CXM_KIND_PURCHASE) e.has_value = 0;
    armed = fail_at >= 0 && !*failed && f->calls >= fail_at;
    if (armed) {
      f->remaining = FAILING_PAUSED; /* queries allocate too; they are not the subject */
      before = take(s);
      f->remaining = 0;
    }
    rc = cxm_store_record(s, &e);
    f->remaining = -1;
    if (rc == CXM_E_NOMEM) {
      assert_true(armed);
      *failed = 1;
      (*failures)++;
      f->remaining = FAILING_PAUSED;
      after = take(s);
      f->remaining = -1;
      assert_same(&before, &after);
      rc = cxm_store_record(s, &e); /* retried without failure */
    }
    assert_true(rc == CXM_OK || rc == CXM_DUPLICATE);
  }
}

static void test_allocation_failures(void **state) {
  failing_alloc f = {-1, 0, 0};
  cxm_allocator hooks = failing_hooks(&f);
  cxm_store_options o;
  cxm_store *ref, *s;
  snapshot want, got;
  long total_calls, n;
  int failures = 0;
  (void)state;
  cxm_store_options_init(&o);
  o.allocator = &hooks;
  assert_int_equal(cxm_store_new(&ref, &o), CXM_OK);
  run_scenario(ref, &f, -1, &failures);
  assert_int_equal(failures, 0);
  total_calls = f.calls;
  f.remaining = FAILING_PAUSED;
  want = take(ref);
  f.remaining = -1;
  cxm_store_free(ref);
  assert_int_equal(f.live_bytes, 0);

  for (n = 1; n <= total_calls; n++) {
    f.calls = 0;
    f.remaining = -1;
    assert_int_equal(cxm_store_new(&s, &o), CXM_OK);
    run_scenario(s, &f, n, &failures);
    f.remaining = FAILING_PAUSED;
    got = take(s);
    f.remaining = -1;
    assert_same(&want, &got);
    cxm_store_free(s);
    assert_int_equal(f.live_bytes, 0);
  }
  print_message("allocation points failed: %d of %ld\n", failures, total_calls);
  /* every allocation point but the last one was failed once */
  assert_true(failures >= total_calls - 1);
  /* the store itself failing to allocate */
  f.calls = 0;
  f.remaining = 0;
  s = NULL;
  assert_int_equal(cxm_store_new(&s, &o), CXM_E_NOMEM);
  assert_null(s);
}

/* A batch gives the same statuses and the same store as one call per
 * event, including bad events, duplicates within one batch and customers
 * first seen inside a batch. */
static void test_batch_equals_single(void **state) {
  enum { N = 5000 };
  static cxm_event events[N];
  static char ids[N][16], eids[N][16];
  static int32_t batch_status[N];
  cxm_store *one, *many;
  snapshot a, b;
  uint64_t rng = 2026;
  size_t i, done;
  (void)state;
  assert_int_equal(cxm_store_new(&one, NULL), CXM_OK);
  assert_int_equal(cxm_store_new(&many, NULL), CXM_OK);
  for (i = 0; i < N; i++) {
    cxm_event *e = &events[i];
    int n = snprintf(ids[i], sizeof ids[i], "c%u", (unsigned)test_below(&rng, 300));
    int m = snprintf(eids[i], sizeof eids[i], "e%u", (unsigned)test_below(&rng, 4000));
    cxm_event_init(e);
    e->customer = ids[i];
    e->customer_len = (size_t)n;
    e->time = (int64_t)test_below(&rng, 100 * 86400);
    e->kind = (int32_t)test_below(&rng, 3);
    e->has_value = 1;
    e->value = (double)test_below(&rng, 12);                   /* some out of range */
    e->stage = (int32_t)test_below(&rng, CXM_STAGE_COUNT + 1); /* some invalid */
    if (test_below(&rng, 2)) {
      e->id = eids[i];
      e->id_len = (size_t)m;
    }
  }
  for (done = 0; done < N;) { /* uneven batch sizes, incl. 0 and 1 */
    size_t n = (size_t)test_below(&rng, 40);
    if (n > N - done) n = N - done;
    assert_int_equal(cxm_store_record_batch(batch_status + done, many, events + done, n), CXM_OK);
    done += n;
  }
  for (i = 0; i < N; i++) assert_int_equal(cxm_store_record(one, &events[i]), batch_status[i]);
  a = take(one);
  b = take(many);
  assert_same(&a, &b);
  assert_true(a.stats.duplicates > 0);
  assert_true(a.stats.events > 0 && a.stats.events < N);
  assert_int_equal(cxm_store_record_batch(NULL, many, NULL, 0), CXM_OK);
  assert_int_equal(cxm_store_record_batch(NULL, many, NULL, 1), CXM_E_ARG);
  assert_int_equal(cxm_store_record_batch(NULL, NULL, events, 1), CXM_E_ARG);
  cxm_store_free(one);
  cxm_store_free(many);
}

/* Stores that omit per-customer tables (cxm_store_options.omit): the slice
 * queries answer exactly as a store that keeps everything; every reader of
 * an omitted table refuses with CXM_E_STATE instead of answering from an
 * empty table; such a store is not saved and merges only with its kind. */
static int32_t discard(void *opaque, const void *bytes, size_t len) {
  (void)opaque;
  (void)bytes;
  (void)len;
  return CXM_OK;
}

/* The status of each reader of customer days or firsts, in order: rfm,
 * rfm_detractor, churn, features, risk_model, retention, retention_tv,
 * cohorts, tracking, driver_rows, driver_table by customer, by ref. */
enum { OMIT_READERS = 12 };

static void omit_readers(int32_t *rc, const cxm_store *s) {
  const int64_t day0 = INT64_C(1735689600); /* 2025-01-01 */
  static double y[64], x[64 * 8], det[64], actual[10];
  cxm_rfm *rfm = NULL;
  cxm_churn *churn = NULL;
  cxm_features *features = NULL;
  cxm_retention *retention = NULL;
  cxm_tv_rows *tv = NULL;
  cxm_cohorts *cohorts = NULL;
  cxm_feature_options fo;
  cxm_retention_options ro;
  cxm_driver_table_options dto;
  cxm_risk_model model;
  size_t rows = 0, cols = 0;
  int k = 0;
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  rc[k++] = cxm_store_rfm(rfm, s, NULL);
  cxm_rfm_free(rfm);
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  rc[k++] = cxm_store_rfm_detractor(rfm, det, 64, s, NULL);
  cxm_rfm_free(rfm);
  rc[k++] = cxm_store_churn(&churn, s, NULL);
  cxm_churn_free(churn);
  cxm_feature_options_init(&fo);
  fo.cutoff = day0 + 100 * 86400;
  rc[k++] = cxm_store_features(&features, s, &fo);
  cxm_features_free(features);
  cxm_risk_model_init(&model);
  rc[k++] = cxm_store_risk_model(&model, NULL, NULL, s, &fo);
  cxm_retention_options_init(&ro);
  ro.from = day0;
  ro.to = day0 + 200 * 86400;
  rc[k++] = cxm_store_retention(&retention, s, &ro);
  cxm_retention_free(retention);
  rc[k++] = cxm_store_retention_tv(&tv, s, &ro);
  cxm_tv_rows_free(tv);
  rc[k++] = cxm_store_cohorts(&cohorts, s, day0, INT64_C(1751328000)); /* 2025-01-01 .. 2025-07-01 */
  cxm_cohorts_free(cohorts);
  rc[k++] = cxm_store_tracking(actual, NULL, 10, s, NULL, NULL);
  rc[k++] = cxm_store_driver_rows(y, x, &rows, s, CXM_DRIVERS_NPS, 64);
  cxm_driver_table_options_init(&dto);
  rc[k++] = cxm_store_driver_table(y, x, &rows, &cols, s, &dto, 64);
  dto.respondent = CXM_DRIVERS_BY_REF;
  rc[k++] = cxm_store_driver_table(y, x, &rows, &cols, s, &dto, 64);
  assert_int_equal(k, OMIT_READERS);
}

static void record_omit_events(cxm_store *s) {
  const int64_t day0 = INT64_C(1735689600);
  static const int32_t kinds[] = {
      CXM_KIND_NPS,       CXM_KIND_CSAT,         CXM_KIND_CES,      CXM_KIND_PURCHASE,
      CXM_KIND_COMPLAINT, CXM_KIND_CONTACT_OPEN, CXM_KIND_INTERNAL, CXM_KIND_CONTACT_RESOLVE,
      CXM_KIND_COMPLIMENT};
  static const char *segments[] = {"consumer", "smb"};
  int32_t codes[3] = {CXM_SEGMENT_UNKNOWN, 0, 0};
  uint64_t rng = 77;
  for (int k = 0; k < 2; k++)
    assert_int_equal(cxm_store_segment(&codes[k + 1], s, segments[k], strlen(segments[k])), CXM_OK);
  char customer[16], ref[16], id[16];
  for (int i = 0; i < 3000; i++) {
    cxm_event e;
    int32_t kind = kinds[test_below(&rng, sizeof kinds / sizeof kinds[0])];
    int32_t segment = codes[test_below(&rng, 3)];
    int n = snprintf(customer, sizeof customer, "c%u", (unsigned)test_below(&rng, 60));
    int r = snprintf(ref, sizeof ref, "r%u", (unsigned)test_below(&rng, 400));
    int m = snprintf(id, sizeof id, "e%u", (unsigned)test_below(&rng, 2800));
    cxm_event_init(&e);
    e.customer = customer;
    e.customer_len = (size_t)n;
    e.id = id;
    e.id_len = (size_t)m;
    e.time = day0 + (int64_t)i * 5000;
    e.kind = kind;
    e.channel = (int32_t)test_below(&rng, 4);
    e.segment = segment;
    if (kind == CXM_KIND_CONTACT_OPEN || kind == CXM_KIND_CONTACT_RESOLVE || kind == CXM_KIND_INTERNAL) {
      e.ref = ref;
      e.ref_len = (size_t)r;
    }
    e.has_value = kind == CXM_KIND_NPS || kind == CXM_KIND_CSAT || kind == CXM_KIND_CES || kind == CXM_KIND_PURCHASE ||
                  kind == CXM_KIND_INTERNAL;
    e.value = kind == CXM_KIND_NPS        ? (double)test_below(&rng, 11)
              : kind == CXM_KIND_PURCHASE ? 0.01 * (double)test_below(&rng, 10000)
                                          : (double)(1 + test_below(&rng, 5));
    int32_t rc = cxm_store_record(s, &e);
    assert_true(rc == CXM_OK || rc == CXM_DUPLICATE);
  }
}

static void test_omit(void **state) {
  static const uint32_t kinds[] = {0, CXM_OMIT_CUSTOMER_DAYS, CXM_OMIT_CUSTOMER_FIRSTS,
                                   CXM_OMIT_CUSTOMER_DAYS | CXM_OMIT_CUSTOMER_FIRSTS};
  cxm_store *s[4], *both;
  cxm_store_options o;
  int32_t rc[4][OMIT_READERS];
  snapshot full, lean;
  (void)state;
  for (int k = 0; k < 4; k++) {
    cxm_store_options_init(&o);
    o.omit = kinds[k];
    assert_int_equal(cxm_store_new(&s[k], &o), CXM_OK);
    record_omit_events(s[k]);
    omit_readers(rc[k], s[k]);
  }
  full = take(s[0]);
  assert_true(full.stats.events > 1500 && full.stats.duplicates > 0);
  for (int k = 1; k < 4; k++) {
    lean = take(s[k]);
    assert_same(&full, &lean);
    assert_true(lean.stats.memory_bytes < full.stats.memory_bytes);
  }
  for (int r = 0; r < OMIT_READERS; r++) {
    int by_ref = r == OMIT_READERS - 1, retention = r == 5 || r == 6;
    assert_int_equal(rc[0][r], CXM_OK); /* the full store's readers answer */
    /* without days: all but the drivers by ref */
    assert_int_equal(rc[1][r] == CXM_E_STATE, !by_ref);
    /* without firsts: retention only */
    assert_int_equal(rc[2][r] == CXM_E_STATE, retention);
    assert_int_equal(rc[3][r] == CXM_E_STATE, !by_ref);
  }

  /* Not saved: a snapshot would load as customers without history. */
  assert_int_equal(cxm_store_save_to(s[0], discard, NULL), CXM_OK);
  for (int k = 1; k < 4; k++) assert_int_equal(cxm_store_save_to(s[k], discard, NULL), CXM_E_STATE);

  /* Merged only with a store that omits the same tables; then exactly. */
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++)
      if (a != b) assert_int_equal(cxm_store_merge(s[a], s[b]), CXM_E_CONFLICT);
  cxm_store_options_init(&o);
  o.omit = kinds[3];
  assert_int_equal(cxm_store_new(&both, &o), CXM_OK);
  assert_int_equal(cxm_store_merge(both, s[3]), CXM_OK);
  lean = take(both);
  assert_same(&full, &lean);
  cxm_store_free(both);
  for (int k = 0; k < 4; k++) cxm_store_free(s[k]);
}

/* One rule for `*out` across the API (docs/api.md): a function that
 * creates an object through `**out` sets `*out` to NULL on every failure,
 * never leaving the caller's old value or garbage. */
static void test_out_null_on_failure(void **state) {
  void *const sentinel = (void *)(uintptr_t)0x1234;
  cxm_allocator broken = {NULL, NULL, NULL, NULL};
  cxm_store_options so;
  cxm_reader_options ro;
  cxm_store *store = NULL, *s;
  cxm_calendar *cal;
  cxm_rfm *rfm;
  cxm_risk_data *risk;
  cxm_features *features;
  cxm_churn *churn;
  cxm_groups *groups;
  cxm_reader *reader;
  (void)state;
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  cxm_store_options_init(&so);
  so.bucket_seconds = 7;
  s = sentinel;
  assert_int_equal(cxm_store_new(&s, &so), CXM_E_OPTION);
  assert_null(s);
  cal = sentinel;
  assert_int_equal(cxm_calendar_new(&cal, &broken), CXM_E_ARG);
  assert_null(cal);
  rfm = sentinel;
  assert_true(cxm_rfm_new(&rfm, &broken) < 0);
  assert_null(rfm);
  risk = sentinel;
  assert_true(cxm_risk_data_new(&risk, 0, NULL) < 0);
  assert_null(risk);
  features = sentinel;
  assert_int_equal(cxm_store_features(&features, store, NULL), CXM_E_ARG);
  assert_null(features);
  churn = sentinel;
  assert_int_equal(cxm_store_churn(&churn, NULL, NULL), CXM_E_ARG);
  assert_null(churn);
  groups = sentinel;
  assert_int_equal(cxm_store_group(&groups, store, NULL, 9999), CXM_E_BY);
  assert_null(groups);
  groups = sentinel;
  assert_int_equal(cxm_store_group(&groups, NULL, NULL, CXM_BY_CHANNEL), CXM_E_ARG);
  assert_null(groups);
  cxm_reader_options_init(&ro);
  ro.size = 3;
  reader = sentinel;
  assert_int_equal(cxm_reader_new(&reader, store, &ro), CXM_E_SIZE);
  assert_null(reader);
  reader = sentinel;
  assert_int_equal(cxm_reader_new(&reader, NULL, NULL), CXM_E_ARG);
  assert_null(reader);
  s = sentinel;
  assert_int_equal(cxm_store_load(&s, "/nonexistent/cxm.snap", NULL), CXM_E_IO);
  assert_null(s);
  s = sentinel;
  assert_int_equal(cxm_store_load_bytes(&s, "x", 1, NULL), CXM_E_FORMAT);
  assert_null(s);
  cxm_store_free(store);
}

/* cxm_store_record_ex(): the reader's sentence for a refused event, the
 * field at fault, an empty reason when recorded; a detail of unknown size
 * records nothing. */
static void reader_reason(cxm_detail *d, const cxm_row_error *e) { /* on_error: keep the reason */
  snprintf(d->reason, sizeof d->reason, "%s", e->reason);
  d->status = e->status;
}
static void on_row_error(void *user, const cxm_row_error *e) { reader_reason(user, e); }

/* Attribute labels of the rating kind, and the checks of a rating. */
static void test_rating_attributes(void **state) {
  cxm_store *s = NULL;
  cxm_event e;
  cxm_detail d;
  int32_t a, b, code;
  const char *name;
  size_t len;
  char label[66];
  snapshot before, after;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  memset(label, 'x', sizeof label);
  assert_int_equal(cxm_store_attribute(&a, s, "", 0), CXM_E_DIMENSION);
  assert_int_equal(cxm_store_attribute(&a, s, label, 65), CXM_E_DIMENSION);
  assert_int_equal(cxm_store_attribute(&a, s, "a\tb", 3), CXM_E_DIMENSION);
  assert_int_equal(cxm_store_attribute(&a, s, NULL, 2), CXM_E_ARG);
  assert_int_equal(cxm_store_attribute(NULL, s, "x", 1), CXM_E_ARG);
  assert_int_equal(cxm_store_find_attribute(&a, s, "Speed", 5), CXM_E_NOT_FOUND);
  assert_int_equal(cxm_store_attribute(&a, s, label, 64), CXM_OK);
  assert_int_equal(a, 1);
  assert_int_equal(cxm_store_attribute(&b, s, "Speed", 5), CXM_OK);
  assert_int_equal(b, 2);
  assert_int_equal(cxm_store_attribute(&code, s, "Speed", 5), CXM_OK);
  assert_int_equal(code, 2);
  assert_int_equal(cxm_store_find_attribute(&code, s, "speed", 5), CXM_E_NOT_FOUND); /* case counts */
  assert_int_equal(cxm_store_find_attribute(&code, s, "Speed", 5), CXM_OK);
  assert_int_equal(code, 2);
  assert_int_equal(cxm_store_attribute_name(&name, &len, s, 2), CXM_OK);
  assert_int_equal(len, 5);
  assert_memory_equal(name, "Speed", 5);
  assert_int_equal(cxm_store_attribute_name(&name, &len, s, 0), CXM_E_DIMENSION);
  assert_int_equal(cxm_store_attribute_name(&name, &len, s, 3), CXM_E_DIMENSION);
  /* a rating: 1..7 whole, an attribute code of this store */
  before = take(s);
  e = survey_event("c-1", 1700000000, CXM_KIND_RATING, 8);
  e.dimension = b;
  assert_int_equal(cxm_store_record(s, &e), CXM_E_VALUE);
  e.value = 0;
  assert_int_equal(cxm_store_record(s, &e), CXM_E_VALUE);
  e.value = 2.5;
  assert_int_equal(cxm_store_record(s, &e), CXM_E_VALUE);
  e.value = 7;
  e.dimension = 0;
  assert_int_equal(cxm_store_record(s, &e), CXM_E_DIMENSION);
  e.dimension = 3;
  cxm_detail_init(&d);
  assert_int_equal(cxm_store_record_ex(s, &e, &d), CXM_E_DIMENSION);
  assert_string_equal(d.field, "dimension");
  assert_string_equal(d.reason, "unknown attribute 3: not one of this store's (cxm_store_attribute())");
  e.dimension = 0;
  assert_int_equal(cxm_store_record_ex(s, &e, &d), CXM_E_DIMENSION);
  assert_string_equal(d.reason, "kind rating needs a dimension (the attribute rated)");
  after = take(s);
  assert_same(&before, &after);
  e.dimension = b;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e.value = 1;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  /* a perception beside it still takes a SERVQUAL dimension */
  e.kind = CXM_KIND_PERCEPTION;
  e.dimension = CXM_DIMENSION_EMPATHY;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  cxm_store_free(s);
}

static void test_record_ex_detail(void **state) {
  static const struct {
    int32_t kind;
    int has_value;
    double value;
    int32_t status;
    const char *field, *reason;
  } cases[] = {
      {CXM_KIND_NPS, 1, 11, CXM_E_VALUE, "value", "value 11 for kind nps is not an integer 0..10"},
      {CXM_KIND_CSAT, 1, 4.5, CXM_E_VALUE, "value", "value 4.5 for kind csat is not an integer 1..5"},
      {CXM_KIND_NPS, 0, 0, CXM_E_VALUE, "value", "kind nps needs a value: an integer 0..10"},
      {CXM_KIND_COMPLAINT, 1, 3, CXM_E_VALUE, "value", "kind complaint takes no value, got 3"},
      {CXM_KIND_PURCHASE, 1, -0.25, CXM_E_VALUE, "value", "value -0.25 for kind purchase is not a number >= 0"},
      {99, 1, 1, CXM_E_KIND, "kind", "unknown kind 99"},
  };
  cxm_store *s = NULL;
  cxm_event e;
  cxm_detail d;
  size_t i;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = 0; i < sizeof cases / sizeof *cases; i++) {
    cxm_event_init(&e);
    e.customer = "c";
    e.customer_len = 1;
    e.time = 86400;
    e.kind = cases[i].kind;
    e.has_value = cases[i].has_value;
    e.value = cases[i].value;
    cxm_detail_init(&d);
    assert_int_equal(cxm_store_record_ex(s, &e, &d), cases[i].status);
    assert_int_equal(d.status, cases[i].status);
    assert_string_equal(d.field, cases[i].field);
    assert_string_equal(d.reason, cases[i].reason);
  }
  e.time = -1;
  e.kind = CXM_KIND_NPS;
  e.value = 3;
  assert_int_equal(cxm_store_record_ex(s, &e, &d), CXM_E_TIME);
  assert_string_equal(d.reason, "time -1 is not Unix seconds within years 1970..9999");
  e.time = 86400;
  e.channel = 4000;
  assert_int_equal(cxm_store_record_ex(s, &e, &d), CXM_E_CHANNEL);
  assert_string_equal(d.field, "channel");
  e.channel = 0;
  e.size = 1;
  assert_int_equal(cxm_store_record_ex(s, &e, &d), CXM_E_SIZE);
  assert_non_null(strstr(d.reason, "event->size is 1"));
  e.size = sizeof e;

  /* recorded: status OK, empty reason; NULL detail is fine */
  assert_int_equal(cxm_store_record_ex(s, &e, &d), CXM_OK);
  assert_int_equal(d.status, CXM_OK);
  assert_string_equal(d.reason, "");
  assert_string_equal(d.field, "*");
  assert_int_equal(cxm_store_record_ex(s, &e, NULL), CXM_OK);

  /* a detail of a size this library does not know: nothing recorded */
  {
    cxm_store_stats st;
    uint64_t before;
    st.size = sizeof st;
    assert_int_equal(cxm_store_stats_get(&st, s), CXM_OK);
    before = st.events;
    d.size = sizeof d - 1;
    assert_int_equal(cxm_store_record_ex(s, &e, &d), CXM_E_SIZE);
    assert_int_equal(cxm_store_stats_get(&st, s), CXM_OK);
    assert_int_equal(st.events, before);
  }

  /* the reader says the same of the same row */
  {
    static const char csv[] = "customer,time,kind,value\nc,1970-01-02T00:00:00Z,nps,11\n";
    cxm_reader_options ro;
    cxm_reader *r = NULL;
    cxm_detail from_reader;
    cxm_detail_init(&from_reader);
    cxm_reader_options_init(&ro);
    ro.on_error = on_row_error;
    ro.user = &from_reader;
    assert_int_equal(cxm_reader_new(&r, s, &ro), CXM_OK);
    assert_int_equal(cxm_reader_feed(r, (const uint8_t *)csv, sizeof csv - 1), CXM_OK);
    assert_int_equal(cxm_reader_finish(r), CXM_OK);
    cxm_reader_free(r);
    assert_string_equal(from_reader.reason, cases[0].reason);
  }
  cxm_store_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_new_and_options),
      cmocka_unit_test(test_record_counts),
      cmocka_unit_test(test_bad_fields),
      cmocka_unit_test(test_boundaries_accepted),
      cmocka_unit_test(test_duplicates),
      cmocka_unit_test(test_customers_and_handles),
      cmocka_unit_test(test_channels_and_segments),
      cmocka_unit_test(test_allocation_failures),
      cmocka_unit_test(test_batch_equals_single),
      cmocka_unit_test(test_out_null_on_failure),
      cmocka_unit_test(test_rating_attributes),
      cmocka_unit_test(test_record_ex_detail),
      cmocka_unit_test(test_omit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
