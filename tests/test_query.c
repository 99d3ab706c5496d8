/* Tests of slice and group queries: against a brute-force recount of the
 * recorded events (the independent computation), partition properties
 * (the groups of a slice add up to the slice), hand-checked period keys,
 * and argument errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cxm.h"
#include "test_helpers.h"

#define N_EVENTS 20000
#define DAY INT64_C(86400)

typedef struct ref_event {
  int64_t time;
  int32_t kind, value, channel, stage, segment;
} ref_event;

static ref_event events[N_EVENTS];

static void add_ref(cxm_survey_acc *acc, const ref_event *e) {
  assert_int_equal(cxm_survey_acc_add(acc, e->kind, e->value, 1), CXM_OK);
}

/* A store filled with random survey answers, and the same events kept
 * raw in `events` for recounting. */
static cxm_store *random_store(uint64_t seed, int32_t *custom_channel, int32_t segments[3]) {
  cxm_store *s;
  uint64_t rng = seed;
  size_t i;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  assert_int_equal(cxm_store_channel(custom_channel, s, "kiosk", 5), CXM_OK);
  segments[0] = CXM_SEGMENT_UNKNOWN;
  assert_int_equal(cxm_store_segment(&segments[1], s, "smb", 3), CXM_OK);
  assert_int_equal(cxm_store_segment(&segments[2], s, "enterprise", 10), CXM_OK);
  for (i = 0; i < N_EVENTS; i++) {
    ref_event *r = &events[i];
    cxm_event e;
    char id[16];
    int n = snprintf(id, sizeof id, "c%u", (unsigned)test_below(&rng, 500));
    r->time = 1735689600 + (int64_t)test_below(&rng, 400 * 86400); /* from 2025-01-01 */
    r->kind = (int32_t)test_below(&rng, 3);
    r->value = r->kind == CXM_KIND_NPS    ? (int32_t)test_below(&rng, 11)
               : r->kind == CXM_KIND_CSAT ? 1 + (int32_t)test_below(&rng, 5)
                                          : 1 + (int32_t)test_below(&rng, 7);
    r->channel = (int32_t)test_below(&rng, 9);
    if (r->channel == 8) r->channel = *custom_channel;
    r->stage = (int32_t)test_below(&rng, CXM_STAGE_COUNT);
    r->segment = segments[test_below(&rng, 3)];
    cxm_event_init(&e);
    e.customer = id;
    e.customer_len = (size_t)n;
    e.time = r->time;
    e.kind = r->kind;
    e.has_value = 1;
    e.value = r->value;
    e.channel = r->channel;
    e.stage = r->stage;
    e.segment = r->segment;
    assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  }
  return s;
}

static int selected(const cxm_filter *f, const ref_event *e) {
  return e->time >= f->from && e->time < f->to && (f->channel == CXM_ANY || f->channel == e->channel) &&
         (f->stage == CXM_ANY || f->stage == e->stage) && (f->segment == CXM_ANY || f->segment == e->segment);
}

static void test_slices_match_recount(void **state) {
  int32_t custom, segments[3];
  cxm_store *s = random_store(42, &custom, segments);
  uint64_t rng = 7;
  int round;
  (void)state;
  for (round = 0; round < 300; round++) {
    cxm_filter f;
    cxm_survey_acc got, want;
    size_t i;
    cxm_filter_init(&f);
    if (test_below(&rng, 4) != 0) f.from = 1735689600 + (int64_t)test_below(&rng, 400) * DAY;
    if (test_below(&rng, 4) != 0) f.to = 1735689600 + (int64_t)test_below(&rng, 420) * DAY;
    if (f.from > f.to) {
      int64_t t = f.from;
      f.from = f.to;
      f.to = t;
    }
    if (test_below(&rng, 2)) f.channel = (int32_t)test_below(&rng, 8);
    if (test_below(&rng, 3) == 0) f.stage = (int32_t)test_below(&rng, CXM_STAGE_COUNT);
    if (test_below(&rng, 3) == 0) f.segment = segments[test_below(&rng, 3)];
    cxm_survey_acc_init(&want);
    for (i = 0; i < N_EVENTS; i++)
      if (selected(&f, &events[i])) add_ref(&want, &events[i]);
    assert_int_equal(cxm_store_survey(&got, s, &f), CXM_OK);
    assert_memory_equal(&got, &want, sizeof got);
  }
  cxm_store_free(s);
}

/* The groups of any dimension partition the slice: their sums add up to it. */
static void test_groups_partition(void **state) {
  int32_t custom, segments[3], by;
  cxm_store *s = random_store(99, &custom, segments);
  cxm_filter f;
  cxm_survey_acc whole;
  (void)state;
  cxm_filter_init(&f);
  f.from = 1735689600 + 10 * DAY;
  f.to = 1735689600 + 300 * DAY;
  assert_int_equal(cxm_store_survey(&whole, s, &f), CXM_OK);
  for (by = 0; by < CXM_BY_COUNT; by++) {
    cxm_groups *g = NULL;
    cxm_survey_acc sum, part;
    size_t i, n;
    const char *prev = NULL;
    size_t prev_len = 0;
    assert_int_equal(cxm_store_group(&g, s, &f, by), CXM_OK);
    n = cxm_groups_count(g);
    assert_true(n > 0);
    cxm_survey_acc_init(&sum);
    for (i = 0; i < n; i++) {
      const char *key;
      size_t len;
      assert_int_equal(cxm_groups_key(&key, &len, g, i), CXM_OK);
      assert_int_equal(strlen(key), len);
      if (prev != NULL) { /* strictly increasing keys: sorted, merged */
        int c = memcmp(prev, key, prev_len < len ? prev_len : len);
        assert_true(c < 0 || (c == 0 && prev_len < len));
      }
      prev = key;
      prev_len = len;
      assert_int_equal(cxm_groups_survey(&part, g, i), CXM_OK);
      assert_int_equal(cxm_survey_acc_merge(&sum, &part), CXM_OK);
      { /* the group's own filter selects exactly the group */
        cxm_filter gf;
        cxm_survey_acc again;
        assert_int_equal(cxm_groups_filter(&gf, g, i), CXM_OK);
        assert_int_equal(cxm_store_survey(&again, s, &gf), CXM_OK);
        assert_memory_equal(&again, &part, sizeof again);
      }
    }
    assert_memory_equal(&sum, &whole, sizeof sum);
    switch (by) {
    case CXM_BY_CHANNEL: assert_int_equal(n, 9); break; /* 8 named incl. unknown + kiosk */
    case CXM_BY_STAGE: assert_int_equal(n, CXM_STAGE_COUNT); break;
    case CXM_BY_SEGMENT: assert_int_equal(n, 3); break;
    case CXM_BY_MONTH: assert_int_equal(n, 10); break; /* 2025-01-11 .. 2025-10-27 */
    default: assert_true(n >= 41 && n <= 43); break;
    }
    assert_int_equal(cxm_groups_key(&prev, &prev_len, g, n), CXM_E_NOT_FOUND);
    assert_int_equal(cxm_groups_survey(&part, g, n), CXM_E_NOT_FOUND);
    cxm_groups_free(g);
  }
  cxm_store_free(s);
}

/* Period keys at hand-checked dates (Python's date.isocalendar() agrees):
 * 2021-01-03 is ISO 2020-W53, 2024-12-30 is ISO 2025-W01. */
static void test_period_keys(void **state) {
  static const int64_t times[] = {1609675200, 1735516800, 1735689600, 1738367999, 1738368000};
  cxm_store *s;
  cxm_groups *g;
  const char *key;
  size_t len, i;
  static const char *const months[] = {"2021-01", "2024-12", "2025-01", "2025-02"};
  static const char *const weeks[] = {"2020-W53", "2025-W01", "2025-W05"};
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = 0; i < sizeof times / sizeof times[0]; i++) {
    cxm_event e;
    cxm_event_init(&e);
    e.customer = "c";
    e.customer_len = 1;
    e.time = times[i];
    e.kind = CXM_KIND_CHURN;
    assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  }
  assert_int_equal(cxm_store_group(&g, s, NULL, CXM_BY_MONTH), CXM_OK);
  assert_int_equal(cxm_groups_count(g), 4);
  for (i = 0; i < 4; i++) {
    assert_int_equal(cxm_groups_key(&key, &len, g, i), CXM_OK);
    assert_string_equal(key, months[i]);
  }
  cxm_groups_free(g);
  assert_int_equal(cxm_store_group(&g, s, NULL, CXM_BY_WEEK), CXM_OK);
  assert_int_equal(cxm_groups_count(g), 3);
  for (i = 0; i < 3; i++) {
    assert_int_equal(cxm_groups_key(&key, &len, g, i), CXM_OK);
    assert_string_equal(key, weeks[i]);
  }
  cxm_store_free(s); /* groups outlive their store */
  assert_int_equal(cxm_groups_key(&key, &len, g, 2), CXM_OK);
  assert_string_equal(key, "2025-W05");
  cxm_groups_free(g);
  cxm_groups_free(NULL);
  assert_int_equal(cxm_groups_count(NULL), 0);
}

static void test_bad_filters(void **state) {
  cxm_store *s;
  cxm_filter f;
  cxm_survey_acc acc;
  cxm_groups *g = NULL;
  cxm_store_options o;
  (void)state;
  cxm_store_options_init(&o);
  o.bucket_seconds = 3600;
  assert_int_equal(cxm_store_new(&s, &o), CXM_OK);
  cxm_filter_init(&f);
  f.from = 7200;
  f.to = 3600;
  assert_int_equal(cxm_store_survey(&acc, s, &f), CXM_E_WINDOW);
  f.from = 1800; /* not on an hour */
  f.to = INT64_MAX;
  assert_int_equal(cxm_store_survey(&acc, s, &f), CXM_E_WINDOW);
  f.from = 3600;
  assert_int_equal(cxm_store_survey(&acc, s, &f), CXM_OK);
  f.to = 3600; /* empty window is fine */
  assert_int_equal(cxm_store_survey(&acc, s, &f), CXM_OK);
  f.channel = CXM_CHANNEL_FIRST_CUSTOM;
  assert_int_equal(cxm_store_survey(&acc, s, &f), CXM_E_CHANNEL);
  cxm_filter_init(&f);
  f.stage = 99;
  assert_int_equal(cxm_store_survey(&acc, s, &f), CXM_E_STAGE);
  cxm_filter_init(&f);
  f.segment = 1;
  assert_int_equal(cxm_store_survey(&acc, s, &f), CXM_E_SEGMENT);
  cxm_filter_init(&f);
  f.size = 3;
  assert_int_equal(cxm_store_survey(&acc, s, &f), CXM_E_SIZE);
  assert_int_equal(cxm_store_group(&g, s, NULL, CXM_BY_COUNT), CXM_E_BY);
  assert_int_equal(cxm_store_group(&g, s, NULL, -1), CXM_E_BY);
  assert_null(g);
  assert_int_equal(cxm_store_survey(NULL, s, NULL), CXM_E_ARG);
  /* an empty store groups into nothing */
  assert_int_equal(cxm_store_group(&g, s, NULL, CXM_BY_CHANNEL), CXM_OK);
  assert_int_equal(cxm_groups_count(g), 0);
  cxm_groups_free(g);
  cxm_store_free(s);
}

/* Hour buckets answer hour-aligned windows exactly. */
static void test_hour_buckets(void **state) {
  cxm_store *s;
  cxm_store_options o;
  cxm_filter f;
  cxm_survey_acc acc;
  int64_t t;
  (void)state;
  cxm_store_options_init(&o);
  o.bucket_seconds = 3600;
  assert_int_equal(cxm_store_new(&s, &o), CXM_OK);
  for (t = 0; t < 10 * 3600; t += 600) { /* six answers per hour */
    cxm_event e;
    cxm_event_init(&e);
    e.customer = "c";
    e.customer_len = 1;
    e.time = t;
    e.kind = CXM_KIND_NPS;
    e.has_value = 1;
    e.value = (double)(t / 3600);
    assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  }
  cxm_filter_init(&f);
  f.from = 2 * 3600;
  f.to = 5 * 3600;
  assert_int_equal(cxm_store_survey(&acc, s, &f), CXM_OK);
  assert_int_equal(acc.nps.count[1], 0);
  assert_int_equal(acc.nps.count[2], 6);
  assert_int_equal(acc.nps.count[4], 6);
  assert_int_equal(acc.nps.count[5], 0);
  cxm_store_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_slices_match_recount), cmocka_unit_test(test_groups_partition),
      cmocka_unit_test(test_period_keys),          cmocka_unit_test(test_bad_filters),
      cmocka_unit_test(test_hour_buckets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
