/* cxm_store_retention(): hand-worked survival rows from a small store,
 * both time origins, the lapse rule and churn events, NPS categories,
 * window checks and allocation failures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "cxm.h"
#include "cxm/retention.h"
#include "test_helpers.h"
#include "test_specs.h"

#define DAY INT64_C(86400)
#define MON INT64_C(1736121600) /* 2025-01-06 */
#define NONE NAN

static const spec events[] = {
    {"a", MON - 10 * DAY, CXM_KIND_PURCHASE, 20, 0, NULL, 0},
    {"a", MON + 5 * DAY, CXM_KIND_PURCHASE, 20, 0, NULL, 0},
    {"a", MON + 20 * DAY + 3600, CXM_KIND_PURCHASE, 20, 0, NULL, 0},
    {"b", MON + 50 * DAY, CXM_KIND_NPS, 3, 0, NULL, 0},
    {"b", MON + 180 * DAY, CXM_KIND_PURCHASE, 10, 0, NULL, 0},
    {"c", MON + 100 * DAY, CXM_KIND_PURCHASE, 10, 0, NULL, 0},
    {"c", MON + 120 * DAY + 7200, CXM_KIND_CHURN, NONE, 0, NULL, 0},
    {"d", MON - 100 * DAY, CXM_KIND_PURCHASE, 10, 0, NULL, 0},
    {"e", MON + 250 * DAY, CXM_KIND_NPS, 10, 0, NULL, 0},
    {"f", MON + 10 * DAY, CXM_KIND_NPS, 7, 0, NULL, 0},
    {"f", MON + 12 * DAY, CXM_KIND_NPS, 9, 0, NULL, 0},
};

typedef struct want {
  const char *id;
  double entry, time;
  int32_t lost, nps;
} want;

static void check(const cxm_store *s, int32_t origin, int32_t lapse, const want *w, size_t nw) {
  cxm_retention_options o;
  cxm_retention *r = NULL;
  cxm_retention_options_init(&o);
  o.from = MON;
  o.to = MON + 200 * DAY;
  o.origin = origin;
  o.lapse_days = lapse;
  assert_int_equal(cxm_store_retention(&r, s, &o), CXM_OK);
  assert_int_equal(cxm_retention_count(r), nw);
  for (size_t i = 0; i < nw; i++) {
    cxm_retention_row row;
    uint32_t h;
    row.size = sizeof row;
    assert_int_equal(cxm_retention_row_get(&row, r, i), CXM_OK);
    assert_int_equal(cxm_store_find_customer(&h, s, w[i].id, 1), CXM_OK);
    assert_int_equal(row.handle, h);
    assert_true(row.entry == w[i].entry);
    if (row.time != w[i].time)
      fail_msg("%s: time %g, want %g (entry %g lost %d)", w[i].id, row.time, w[i].time, row.entry, row.lost);
    assert_int_equal(row.lost, w[i].lost);
    assert_int_equal(row.nps, w[i].nps);
  }
  cxm_retention_free(r);
}

static void test_tenure(void **state) {
  /* a: first day -10, last activity day 20, 30 quiet days follow: lost at
   * the end of day 20, 31 days into tenure, observed from day 10 of it;
   * b: last activity day 180, 180 + 30 >= 200: censored at 150 days;
   * c: churn event day 120, 21 days after its first purchase;
   * d: lapsed before the window; e: first seen after it;
   * f: last NPS answer 9 on day 12, lost at the end of day 12 */
  const want w[] = {
      {"a", 10, 31, 1, CXM_RETENTION_NPS_NONE},
      {"b", 0, 150, 0, CXM_RETENTION_NPS_DETRACTOR},
      {"c", 0, 21, 1, CXM_RETENTION_NPS_NONE},
      {"f", 0, 3, 1, CXM_RETENTION_NPS_PROMOTER},
  };
  cxm_store *s = spec_store(events, sizeof events / sizeof events[0], 0);
  (void)state;
  check(s, CXM_RETENTION_TENURE, 30, w, 4);
  cxm_store_free(s);
}

static void test_window_origin_and_no_lapse(void **state) {
  const want w1[] = {
      {"a", 0, 21, 1, CXM_RETENTION_NPS_NONE},
      {"b", 50, 200, 0, CXM_RETENTION_NPS_DETRACTOR},
      {"c", 100, 121, 1, CXM_RETENTION_NPS_NONE},
      {"f", 10, 13, 1, CXM_RETENTION_NPS_PROMOTER},
  };
  /* churn events only: d is still a customer (censored) */
  const want w2[] = {
      {"a", 0, 200, 0, CXM_RETENTION_NPS_NONE},      {"b", 50, 200, 0, CXM_RETENTION_NPS_DETRACTOR},
      {"c", 100, 121, 1, CXM_RETENTION_NPS_NONE},    {"d", 0, 200, 0, CXM_RETENTION_NPS_NONE},
      {"f", 10, 200, 0, CXM_RETENTION_NPS_PROMOTER},
  };
  cxm_store *s = spec_store(events, sizeof events / sizeof events[0], 0);
  (void)state;
  check(s, CXM_RETENTION_WINDOW, 30, w1, 4);
  check(s, CXM_RETENTION_WINDOW, 0, w2, 5);
  cxm_store_free(s);
}

/* The rows feed Kaplan-Meier directly. */
static void test_rows_feed_km(void **state) {
  cxm_store *s = spec_store(events, sizeof events / sizeof events[0], 0);
  cxm_retention_options o;
  cxm_retention *r = NULL;
  double entry[8], time[8];
  uint8_t lost[8];
  cxm_km *km = NULL;
  double surv;
  (void)state;
  cxm_retention_options_init(&o);
  o.from = MON;
  o.to = MON + 200 * DAY;
  o.lapse_days = 30;
  assert_int_equal(cxm_store_retention(&r, s, &o), CXM_OK);
  for (size_t i = 0; i < cxm_retention_count(r); i++) {
    cxm_retention_row row;
    row.size = sizeof row;
    assert_int_equal(cxm_retention_row_get(&row, r, i), CXM_OK);
    entry[i] = row.entry;
    time[i] = row.time;
    lost[i] = (uint8_t)row.lost;
  }
  assert_int_equal(cxm_km_fit(&km, NULL, entry, time, lost, cxm_retention_count(r), 0.95), CXM_OK);
  /* at 3 days f is lost of 3 at risk (a enters only after day 10) */
  assert_int_equal(cxm_km_survival_at(&surv, km, 3), CXM_OK);
  assert_true(fabs(surv - 2.0 / 3.0) < 1e-15);
  cxm_km_free(km);
  cxm_retention_free(r);
  cxm_store_free(s);
}

static void test_errors(void **state) {
  cxm_store *s = spec_store(events, 2, 0);
  cxm_retention_options o;
  cxm_retention *r = NULL;
  cxm_retention_row row;
  (void)state;
  cxm_retention_options_init(&o);
  assert_int_equal(cxm_store_retention(&r, s, &o), CXM_E_WINDOW);
  o.from = MON;
  o.to = MON;
  assert_int_equal(cxm_store_retention(&r, s, &o), CXM_E_WINDOW);
  o.to = MON + DAY + 1;
  assert_int_equal(cxm_store_retention(&r, s, &o), CXM_E_WINDOW);
  o.to = MON + DAY;
  o.lapse_days = -1;
  assert_int_equal(cxm_store_retention(&r, s, &o), CXM_E_OPTION);
  o.lapse_days = 30;
  o.origin = 9;
  assert_int_equal(cxm_store_retention(&r, s, &o), CXM_E_OPTION);
  o.origin = CXM_RETENTION_TENURE;
  o.size = 1;
  assert_int_equal(cxm_store_retention(&r, s, &o), CXM_E_SIZE);
  assert_null(r);
  o.size = sizeof o;
  assert_int_equal(cxm_store_retention(&r, s, &o), CXM_OK);
  row.size = sizeof row;
  assert_int_equal(cxm_retention_row_get(&row, r, 99), CXM_E_NOT_FOUND);
  cxm_retention_free(r);
  cxm_retention_free(NULL);
  cxm_store_free(s);
}

/* Cohorts by month of first activity, 2025-01 .. 2025-07: f (two days in
 * January) once in January; b in February, active again in July; c in
 * April (its churn event is no activity); a and d started before, e after. */
static void test_cohorts(void **state) {
  const int64_t jan = INT64_C(1735689600), aug = INT64_C(1754006400); /* 2025-08-01 */
  cxm_store *s = spec_store(events, sizeof events / sizeof events[0], 0);
  cxm_cohorts *c = NULL;
  uint64_t active[7], size;
  size_t observed;
  int64_t month;
  (void)state;
  assert_int_equal(cxm_store_cohorts(&c, s, jan, jan + 86400), CXM_E_WINDOW);
  assert_int_equal(cxm_store_cohorts(&c, s, aug, jan), CXM_E_WINDOW);
  assert_null(c);
  assert_int_equal(cxm_store_cohorts(&c, s, jan, aug), CXM_OK);
  assert_int_equal(cxm_cohorts_count(c), 7);
  assert_int_equal(cxm_cohorts_get(&month, &size, active, &observed, 7, c, 0), CXM_OK);
  assert_true(month == jan && size == 1 && observed == 7);
  for (size_t k = 1; k < 7; k++) assert_int_equal(active[k], 0);
  assert_int_equal(cxm_cohorts_get(&month, &size, active, &observed, 7, c, 1), CXM_OK);
  assert_true(month == jan + 31 * 86400 && size == 1 && observed == 6);
  assert_true(active[0] == 1 && active[4] == 0 && active[5] == 1);
  assert_int_equal(cxm_cohorts_get(NULL, &size, active, &observed, 7, c, 2), CXM_OK);
  assert_int_equal(size, 0);
  assert_int_equal(cxm_cohorts_get(NULL, &size, active, &observed, 7, c, 3), CXM_OK);
  assert_true(size == 1 && observed == 4 && active[1] == 0);
  assert_int_equal(cxm_cohorts_get(NULL, &size, active, &observed, 2, c, 3), CXM_E_BUFFER);
  assert_int_equal(observed, 4);
  assert_int_equal(cxm_cohorts_get(NULL, &size, active, &observed, 7, c, 7), CXM_E_NOT_FOUND);
  cxm_cohorts_free(c);
  cxm_cohorts_free(NULL);
  cxm_store_free(s);
}

/* Time-varying rows: b (tenure origin day 50) answers NPS 3 on its first
 * day, so it is a detractor from t = 1 on: rows (0, 1] without and
 * (1, 150] with. f answers 7 on day 10 (t = 1: passive, which changes no
 * covariate) and 9 on day 12 (t = 3, its loss time): no split. */
static void test_time_varying(void **state) {
  static const spec more[] = {
      {"g", MON + 3 * DAY, CXM_KIND_PURCHASE, 10, 0, NULL, 0},
      {"g", MON + 6 * DAY, CXM_KIND_COMPLAINT, NONE, 0, NULL, 0},
      {"g", MON + 9 * DAY, CXM_KIND_CES, 2, 0, NULL, 0},
      {"g", MON + 190 * DAY, CXM_KIND_PURCHASE, 10, 0, NULL, 0},
  };
  cxm_store *s = spec_store(events, sizeof events / sizeof events[0], 0);
  cxm_retention_options o;
  cxm_tv_rows *r = NULL;
  cxm_tv_row row;
  size_t i, n;
  (void)state;
  for (i = 0; i < 4; i++) spec_record(s, &more[i]);
  cxm_retention_options_init(&o);
  o.from = MON;
  o.to = MON + 200 * DAY;
  o.lapse_days = 30;
  assert_int_equal(cxm_store_retention_tv(&r, s, &o), CXM_OK);
  n = cxm_tv_rows_count(r);
  /* a: 1 row; b: 2; c: 1; f: 1; g: 3 */
  assert_int_equal(n, 8);
  row.size = sizeof row;
  assert_int_equal(cxm_tv_row_get(&row, r, 1), CXM_OK);
  assert_true(row.start == 0 && row.stop == 1 && row.lost == 0 && row.x[CXM_TV_DETRACTOR] == 0);
  assert_int_equal(cxm_tv_row_get(&row, r, 2), CXM_OK);
  assert_true(row.start == 1 && row.stop == 150 && row.lost == 0 && row.x[CXM_TV_DETRACTOR] == 1);
  /* g: first day 3 (t origin), complaint day 6 -> t = 4, CES 2 day 9 -> t = 7,
   * censored at 200 - 3 = 197 */
  assert_int_equal(cxm_tv_row_get(&row, r, 5), CXM_OK);
  assert_true(row.start == 0 && row.stop == 4 && row.x[CXM_TV_COMPLAINTS] == 0);
  assert_int_equal(cxm_tv_row_get(&row, r, 6), CXM_OK);
  assert_true(row.start == 4 && row.stop == 7 && row.x[CXM_TV_COMPLAINTS] == 1 && row.x[CXM_TV_HIGH_EFFORT] == 0);
  assert_int_equal(cxm_tv_row_get(&row, r, 7), CXM_OK);
  assert_true(row.start == 7 && row.stop == 197 && row.x[CXM_TV_HIGH_EFFORT] == 1 && row.lost == 0);
  /* the rows of each customer tile its (entry, time] */
  for (i = 0; i + 1 < n; i++) {
    cxm_tv_row a, b;
    a.size = b.size = sizeof a;
    assert_int_equal(cxm_tv_row_get(&a, r, i), CXM_OK);
    assert_int_equal(cxm_tv_row_get(&b, r, i + 1), CXM_OK);
    assert_true(a.stop > a.start);
    if (a.handle == b.handle) assert_true(a.stop == b.start && a.lost == 0);
  }
  assert_int_equal(cxm_tv_row_get(&row, r, n), CXM_E_NOT_FOUND);
  cxm_tv_rows_free(r);
  /* the CES band of the plain rows: only g answered 1..3 */
  {
    cxm_retention *rr = NULL;
    assert_int_equal(cxm_store_retention(&rr, s, &o), CXM_OK);
    for (i = 0; i < cxm_retention_count(rr); i++) {
      cxm_retention_row p;
      uint32_t g;
      p.size = sizeof p;
      assert_int_equal(cxm_retention_row_get(&p, rr, i), CXM_OK);
      assert_int_equal(cxm_store_find_customer(&g, s, "g", 1), CXM_OK);
      assert_int_equal(p.high_effort, p.handle == g);
    }
    cxm_retention_free(rr);
  }
  cxm_tv_rows_free(NULL);
  cxm_store_free(s);
}

/* Record one event with a channel token and a segment label ("" none). */
static void rec(cxm_store *s, const char *customer, int64_t t, int32_t kind, double value, const char *channel,
                const char *segment, const char *ref) {
  cxm_event e;
  cxm_event_init(&e);
  e.customer = customer;
  e.customer_len = strlen(customer);
  e.time = t;
  e.kind = kind;
  e.has_value = !isnan(value);
  e.value = isnan(value) ? 0 : value;
  assert_int_equal(cxm_store_channel(&e.channel, s, channel, strlen(channel)), CXM_OK);
  assert_int_equal(cxm_store_segment(&e.segment, s, segment, strlen(segment)), CXM_OK);
  if (ref != NULL) {
    e.ref = ref;
    e.ref_len = strlen(ref);
  }
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
}

static void rows_of(cxm_retention_row *out, size_t n, const cxm_store *s, int64_t to, int64_t target) {
  cxm_retention_options o;
  cxm_retention *r = NULL;
  cxm_retention_options_init(&o);
  o.from = MON;
  o.to = to;
  o.lapse_days = 0;
  if (target >= 0) o.sla_target_seconds = target;
  assert_int_equal(cxm_store_retention(&r, s, &o), CXM_OK);
  assert_int_equal(cxm_retention_count(r), n);
  for (size_t i = 0; i < n; i++) {
    out[i].size = sizeof out[i];
    assert_int_equal(cxm_retention_row_get(&out[i], r, i), CXM_OK);
  }
  cxm_retention_free(r);
}

/* The groups of docs/retention.md: first channel and segment (earliest
 * event naming one; ties: the first recorded; only before the window's
 * end) and the SLA of the customer's contacts (Monday-Friday
 * 09:00-17:00 UTC, 8 business hours by default), worked by hand. */
static void test_groups(void **state) {
  const int64_t H = 3600;
  cxm_store *s = NULL;
  cxm_retention_row r[4];
  int32_t email, chat, store_ch, smb, ent, gov;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  /* g: web at Tuesday 10:00, then (recorded later) email at 09:00 with
   * segment smb: email and smb; a later segment ent changes nothing. Its
   * contact opened Monday 16:00 is answered Tuesday 16:30: 1 h + 7.5 h =
   * 8.5 business hours, breached. */
  rec(s, "g", MON + DAY + 10 * H, CXM_KIND_PURCHASE, 5, "web", "", NULL);
  rec(s, "g", MON + DAY + 9 * H, CXM_KIND_PURCHASE, 5, "email", "smb", NULL);
  rec(s, "g", MON + 2 * DAY, CXM_KIND_PURCHASE, 5, "", "ent", NULL);
  rec(s, "g", MON + 16 * H, CXM_KIND_CONTACT_OPEN, NAN, "", "", "g1");
  rec(s, "g", MON + DAY + 16 * H + 30 * 60, CXM_KIND_CONTACT_REPLY, NAN, "", "", "g1");
  /* h: two events in the same second: the first recorded (chat, ent)
   * counts. Its contact opened Friday 16:00, answered Monday 15:30: 71.5
   * hours on the clock, 1 h + 6.5 h = 7.5 business hours: within SLA. */
  rec(s, "h", MON + 3 * DAY + 12 * H, CXM_KIND_PURCHASE, 5, "chat", "ent", NULL);
  rec(s, "h", MON + 3 * DAY + 12 * H, CXM_KIND_PURCHASE, 5, "phone", "smb", NULL);
  rec(s, "h", MON + 4 * DAY + 16 * H, CXM_KIND_CONTACT_OPEN, NAN, "", "", "h1");
  rec(s, "h", MON + 7 * DAY + 15 * H + 30 * 60, CXM_KIND_CONTACT_REPLY, NAN, "", "", "h1");
  /* i: no channel nor segment before day 250 (store, gov); a contact
   * opened Tuesday (day 190) 09:00, never answered: at day 191 (its
   * business age 8 h, the target) within SLA, at day 200 (24 h) breached */
  rec(s, "i", MON + 4 * DAY, CXM_KIND_PURCHASE, 5, "", "", NULL);
  rec(s, "i", MON + 250 * DAY, CXM_KIND_PURCHASE, 5, "store", "gov", NULL);
  rec(s, "i", MON + 190 * DAY + 9 * H, CXM_KIND_CONTACT_OPEN, NAN, "", "", "i1");
  /* j: no contact; its contact opened after the window counts nowhere */
  rec(s, "j", MON + 5 * DAY, CXM_KIND_PURCHASE, 5, "", "", NULL);
  rec(s, "j", MON + 260 * DAY, CXM_KIND_CONTACT_OPEN, NAN, "", "", "j1");
  assert_int_equal(cxm_store_find_channel(&email, s, "email", 5), CXM_OK);
  assert_int_equal(cxm_store_find_channel(&chat, s, "chat", 4), CXM_OK);
  assert_int_equal(cxm_store_find_channel(&store_ch, s, "store", 5), CXM_OK);
  assert_int_equal(cxm_store_find_segment(&smb, s, "smb", 3), CXM_OK);
  assert_int_equal(cxm_store_find_segment(&ent, s, "ent", 3), CXM_OK);
  assert_int_equal(cxm_store_find_segment(&gov, s, "gov", 3), CXM_OK);

  rows_of(r, 4, s, MON + 200 * DAY, -1);
  assert_true(r[0].channel == email && r[0].segment == smb && r[0].sla == CXM_RETENTION_SLA_BREACHED);
  assert_true(r[1].channel == chat && r[1].segment == ent && r[1].sla == CXM_RETENTION_SLA_MET);
  assert_true(r[2].channel == CXM_CHANNEL_UNKNOWN && r[2].segment == CXM_SEGMENT_UNKNOWN);
  assert_int_equal(r[2].sla, CXM_RETENTION_SLA_BREACHED);
  assert_true(r[3].channel == CXM_CHANNEL_UNKNOWN && r[3].sla == CXM_RETENTION_SLA_NONE);
  /* at day 191 i's contact is exactly at the target: not breached */
  rows_of(r, 4, s, MON + 191 * DAY, -1);
  assert_int_equal(r[2].sla, CXM_RETENTION_SLA_MET);
  /* a 9-hour target: g's 8.5 business hours are within it */
  rows_of(r, 4, s, MON + 200 * DAY, 9 * H);
  assert_int_equal(r[0].sla, CXM_RETENTION_SLA_MET);
  /* a window up to day 300 sees i's channel and segment, and j's contact
   * (opened day 260 = a Thursday, never answered: breached by day 300) */
  rows_of(r, 4, s, MON + 300 * DAY, -1);
  assert_true(r[2].channel == store_ch && r[2].segment == gov);
  assert_int_equal(r[3].sla, CXM_RETENTION_SLA_BREACHED);
  /* the 0.1 sizes: options without the SLA fields take the defaults, a
   * row without the groups is filled up to its size */
  {
    cxm_retention_options o;
    cxm_retention *res = NULL;
    cxm_retention_row row;
    cxm_retention_options_init(&o);
    o.size = offsetof(cxm_retention_options, origin) + sizeof o.origin;
    o.from = MON;
    o.to = MON + 200 * DAY;
    o.lapse_days = 0;
    o.sla_target_seconds = -5; /* beyond the caller's size: not read */
    assert_int_equal(cxm_store_retention(&res, s, &o), CXM_OK);
    memset(&row, 0x55, sizeof row);
    row.size = offsetof(cxm_retention_row, high_effort) + sizeof row.high_effort;
    assert_int_equal(cxm_retention_row_get(&row, res, 0), CXM_OK);
    assert_int_equal(row.size, offsetof(cxm_retention_row, high_effort) + sizeof row.high_effort);
    assert_int_equal(row.lost, 0);
    assert_int_equal(row.channel, 0x55555555);
    row.size = 7;
    assert_int_equal(cxm_retention_row_get(&row, res, 0), CXM_E_SIZE);
    cxm_retention_free(res);
    o.size = sizeof o;
    res = NULL;
    assert_int_equal(cxm_store_retention(&res, s, &o), CXM_E_OPTION); /* a negative target */
    assert_null(res);
  }
  cxm_store_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tenure),       cmocka_unit_test(test_window_origin_and_no_lapse),
      cmocka_unit_test(test_rows_feed_km), cmocka_unit_test(test_errors),
      cmocka_unit_test(test_groups),       cmocka_unit_test(test_cohorts),
      cmocka_unit_test(test_time_varying),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
