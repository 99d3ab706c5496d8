/* Tests of src/time/calendar.c: business hours, UTC offsets, holidays and the
 * three queries (business seconds, next opening, adding business time).
 *
 * Reference values:
 * - "by hand": worked out in the comment beside each case. Weekdays of the
 *   dates used were checked with Python's datetime (2026-11-23 is a Monday,
 *   2000-01-01 a Saturday, 9999-12-31 a Friday).
 * - brute force: an independent model of the calendar in this file
 *   (ref_*), which finds the date and weekday of a day by the Fliegel-Van
 *   Flandern Julian-day formula (not Hinnant's algorithm used by the
 *   library), keeps holidays as (y, m, d) triples, and walks the span second
 *   by second or minute by minute (exact when every boundary is a whole
 *   minute), or day by day intersecting intervals for spans of years. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cxm/calendar.h"
#include "cxm/event.h"
#include "cxm/time.h"
#include "test_helpers.h"

#define H 3600
#define DAYS 86400

static int64_t T(const char *text) {
  int64_t t = -1;
  assert_int_equal(cxm_time_parse(&t, text, strlen(text)), CXM_OK);
  return t;
}

static cxm_calendar *new_cal(void) {
  cxm_calendar *cal = NULL;
  assert_int_equal(cxm_calendar_new(&cal, NULL), CXM_OK);
  assert_non_null(cal);
  return cal;
}

static int64_t bs(const cxm_calendar *cal, int64_t t0, int64_t t1) {
  int64_t out = -1;
  assert_int_equal(cxm_calendar_business_seconds(&out, cal, t0, t1), CXM_OK);
  return out;
}

static int64_t next_open(const cxm_calendar *cal, int64_t t) {
  int64_t out = -1;
  assert_int_equal(cxm_calendar_next_open(&out, cal, t), CXM_OK);
  return out;
}

static int64_t add_business(const cxm_calendar *cal, int64_t t, int64_t s) {
  int64_t out = -1;
  assert_int_equal(cxm_calendar_add_business(&out, cal, t, s), CXM_OK);
  return out;
}

/* ---- the independent model --------------------------------------------- */

typedef struct ref_cal {
  int32_t open[7], close[7]; /* Monday = 0 */
  int64_t offset;
  int32_t hol[64][3]; /* y, m, d */
  int nhol;
} ref_cal;

static int64_t ref_floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && a < 0) q--;
  return q;
}

/* Gregorian date of the Julian day number jd (Fliegel & Van Flandern,
 * CACM 11(10), 1968). Day 0 (1970-01-01) is JDN 2440588. */
static void ref_civil(int64_t day, int32_t *y, int32_t *m, int32_t *d) {
  int64_t jd = day + 2440588;
  int64_t l = jd + 68569;
  int64_t n = 4 * l / 146097;
  int64_t i, j;
  l = l - (146097 * n + 3) / 4;
  i = 4000 * (l + 1) / 1461001;
  l = l - 1461 * i / 4 + 31;
  j = 80 * l / 2447;
  *d = (int32_t)(l - 2447 * j / 80);
  l = j / 11;
  *m = (int32_t)(j + 2 - 12 * l);
  *y = (int32_t)(100 * (n - 49) + i + l);
}

/* JDN mod 7 is 0 on Mondays. */
static int ref_weekday(int64_t day) { return (int)((day + 2440588) % 7); }

static int ref_holiday(const ref_cal *r, int64_t day) {
  int32_t y, m, d;
  ref_civil(day, &y, &m, &d);
  for (int i = 0; i < r->nhol; i++) {
    if (r->hol[i][0] == y && r->hol[i][1] == m && r->hol[i][2] == d) return 1;
  }
  return 0;
}

/* Business interval of a local day, [*a, *b) in local seconds; 0 if none. */
static int ref_day_interval(const ref_cal *r, int64_t day, int64_t *a, int64_t *b) {
  int w = ref_weekday(day);
  if (r->open[w] >= r->close[w] || ref_holiday(r, day)) return 0;
  *a = day * DAYS + r->open[w];
  *b = day * DAYS + r->close[w];
  return 1;
}

/* A walker that answers "is the second (or minute) starting at UTC t
 * business time?", caching the current day. */
typedef struct ref_walk {
  const ref_cal *r;
  int64_t day;
  int open;
  int64_t a, b;
} ref_walk;

static int ref_is_business(ref_walk *w, int64_t t) {
  int64_t local = t + w->r->offset;
  int64_t day = ref_floor_div(local, DAYS);
  if (day != w->day) {
    w->day = day;
    w->open = ref_day_interval(w->r, day, &w->a, &w->b);
  }
  return w->open && local >= w->a && local < w->b;
}

/* Business seconds of [t0, t1) by stepping `step` seconds at a time. */
static int64_t ref_business(const ref_cal *r, int64_t t0, int64_t t1, int64_t step) {
  ref_walk w = {r, INT64_MIN, 0, 0, 0};
  int64_t sum = 0;
  for (int64_t t = t0; t < t1; t += step) {
    if (ref_is_business(&w, t)) sum += step;
  }
  return sum;
}

/* Business seconds of [t0, t1) day by day, intersecting intervals. */
static int64_t ref_business_days(const ref_cal *r, int64_t t0, int64_t t1) {
  int64_t l0 = t0 + r->offset, l1 = t1 + r->offset, sum = 0;
  if (t1 <= t0) return 0;
  for (int64_t day = ref_floor_div(l0, DAYS); day <= ref_floor_div(l1, DAYS); day++) {
    int64_t a, b;
    if (!ref_day_interval(r, day, &a, &b)) continue;
    if (a < l0) a = l0;
    if (b > l1) b = l1;
    if (b > a) sum += b - a;
  }
  return sum;
}

/* Build the library's calendar from a model. */
static cxm_calendar *cal_from_ref(const ref_cal *r, uint64_t *rng) {
  cxm_calendar *cal = new_cal();
  for (int w = 0; w < 7; w++) assert_int_equal(cxm_calendar_set_hours(cal, w + 1, r->open[w], r->close[w]), CXM_OK);
  assert_int_equal(cxm_calendar_set_offset(cal, (int32_t)r->offset), CXM_OK);
  if (rng != NULL && test_below(rng, 2) == 0) {
    /* Half the time through the text parser, with noise around the dates. */
    char text[64 * 40];
    size_t len = 0;
    size_t bad = 99;
    len += (size_t)snprintf(text + len, sizeof text - len, "# holidays\r\n\n");
    for (int i = 0; i < r->nhol; i++) {
      len += (size_t)snprintf(text + len, sizeof text - len, "%s%04d-%02d-%02d%s\n", i % 2 ? " \t" : "",
                              (int)r->hol[i][0], (int)r->hol[i][1], (int)r->hol[i][2], i % 3 == 1 ? "  # x" : "");
    }
    assert_int_equal(cxm_calendar_add_holidays_text(&bad, cal, text, len), CXM_OK);
    assert_int_equal(bad, 0);
  } else {
    for (int i = 0; i < r->nhol; i++)
      assert_int_equal(cxm_calendar_add_holiday(cal, r->hol[i][0], r->hol[i][1], r->hol[i][2]), CXM_OK);
  }
  return cal;
}

/* A random calendar; `unit` is 60 for minute-aligned hours and offsets, 1
 * for arbitrary seconds. Holidays land on days near [t0, t1]. */
static void random_ref(ref_cal *r, uint64_t *rng, int64_t unit, int64_t t0, int64_t t1) {
  uint64_t kind = test_below(rng, 10);
  for (int w = 0; w < 7; w++) {
    uint64_t c = test_below(rng, 20);
    if (kind == 0) { /* nothing open at all */
      r->open[w] = r->close[w] = (int32_t)(test_below(rng, 1441) * 60);
    } else if (c < 5) { /* closed */
      r->open[w] = r->close[w] = 0;
    } else if (c < 7) { /* round the clock */
      r->open[w] = 0;
      r->close[w] = DAYS;
    } else if (c == 7) { /* opening == closing */
      r->open[w] = r->close[w] = 12 * H;
    } else {
      int64_t a = (int64_t)test_below(rng, (uint64_t)(DAYS / unit + 1)) * unit;
      int64_t b = (int64_t)test_below(rng, (uint64_t)(DAYS / unit + 1)) * unit;
      r->open[w] = (int32_t)(a < b ? a : b);
      r->close[w] = (int32_t)(a < b ? b : a);
    }
  }
  if (kind == 1) {
    /* The default hours. */
    for (int w = 0; w < 7; w++) {
      r->open[w] = w < 5 ? 9 * H : 0;
      r->close[w] = w < 5 ? 17 * H : 0;
    }
  }
  switch (test_below(rng, 5)) {
  case 0: r->offset = 0; break;
  case 1: r->offset = 19800; break;  /* +05:30 */
  case 2: r->offset = -10800; break; /* -03:00 */
  default:
    r->offset = ((int64_t)test_below(rng, (uint64_t)(2 * CXM_CALENDAR_MAX_OFFSET / unit + 1))) * unit -
                CXM_CALENDAR_MAX_OFFSET;
  }
  r->nhol = (int)test_below(rng, 7);
  {
    int64_t d0 = ref_floor_div(t0 + r->offset, DAYS) - 2;
    int64_t d1 = ref_floor_div(t1 + r->offset, DAYS) + 2;
    if (d1 < d0) {
      int64_t x = d0;
      d0 = d1 - 4;
      d1 = x + 4;
    }
    for (int i = 0; i < r->nhol; i++) {
      int32_t y, m, d;
      ref_civil(d0 + (int64_t)test_below(rng, (uint64_t)(d1 - d0 + 1)), &y, &m, &d);
      r->hol[i][0] = y;
      r->hol[i][1] = m;
      r->hol[i][2] = d;
    }
  }
}

static int ref_has_hours(const ref_cal *r) {
  for (int w = 0; w < 7; w++) {
    if (r->open[w] < r->close[w]) return 1;
  }
  return 0;
}

/* ---- the model itself, against known dates ------------------------------ */

static void test_reference_model(void **state) {
  int32_t y, m, d;
  (void)state;
  /* By hand: 1970-01-01 Thursday (3); 2026-11-23 Monday; 9999-12-31 Friday. */
  ref_civil(0, &y, &m, &d);
  assert_true(y == 1970 && m == 1 && d == 1);
  assert_int_equal(ref_weekday(0), 3);
  ref_civil(T("2026-11-23T00:00:00Z") / DAYS, &y, &m, &d);
  assert_true(y == 2026 && m == 11 && d == 23);
  assert_int_equal(ref_weekday(T("2026-11-23T00:00:00Z") / DAYS), 0);
  ref_civil(CXM_TIME_MAX / DAYS, &y, &m, &d);
  assert_true(y == 9999 && m == 12 && d == 31);
  assert_int_equal(ref_weekday(CXM_TIME_MAX / DAYS), 4);
  ref_civil(-1, &y, &m, &d);
  assert_true(y == 1969 && m == 12 && d == 31);
}

/* ---- hand-worked cases --------------------------------------------------- */

static void test_defaults(void **state) {
  cxm_calendar *cal = new_cal();
  int32_t o, c, off = 7;
  (void)state;
  for (int32_t w = CXM_MONDAY; w <= CXM_SUNDAY; w++) {
    assert_int_equal(cxm_calendar_get_hours(&o, &c, cal, w), CXM_OK);
    assert_int_equal(o, w <= CXM_FRIDAY ? 9 * H : 0);
    assert_int_equal(c, w <= CXM_FRIDAY ? 17 * H : 0);
  }
  assert_int_equal(cxm_calendar_get_offset(&off, cal), CXM_OK);
  assert_int_equal(off, 0);
  assert_int_equal(cxm_calendar_holiday_count(cal), 0);
  /* By hand: a Monday-to-Monday week is 5 days x 8 h = 144000 s. */
  assert_int_equal(bs(cal, T("2026-11-23T00:00:00Z"), T("2026-11-30T00:00:00Z")), 5 * 8 * H);
  cxm_calendar_free(cal);
}

static void test_weekend_and_edges_of_day(void **state) {
  cxm_calendar *cal = new_cal();
  (void)state;
  /* Fri 2026-11-20 16:00 -> Mon 2026-11-23 10:00: Fri 16-17 (1 h) + weekend
   * (0) + Mon 09-10 (1 h) = 7200. */
  assert_int_equal(bs(cal, T("2026-11-20T16:00:00Z"), T("2026-11-23T10:00:00Z")), 2 * H);
  /* t0 == t1, and t1 < t0: 0. */
  assert_int_equal(bs(cal, T("2026-11-23T10:00:00Z"), T("2026-11-23T10:00:00Z")), 0);
  assert_int_equal(bs(cal, T("2026-11-23T12:00:00Z"), T("2026-11-23T10:00:00Z")), 0);
  /* Before opening: Mon 07:00 -> 09:30 counts 09:00-09:30 = 1800. */
  assert_int_equal(bs(cal, T("2026-11-23T07:00:00Z"), T("2026-11-23T09:30:00Z")), 1800);
  /* After closing to before the next opening: Mon 18:00 -> Tue 08:00 = 0. */
  assert_int_equal(bs(cal, T("2026-11-23T18:00:00Z"), T("2026-11-24T08:00:00Z")), 0);
  /* A closed day: Sat 10:00 -> Sun 23:00 = 0. */
  assert_int_equal(bs(cal, T("2026-11-21T10:00:00Z"), T("2026-11-22T23:00:00Z")), 0);
  /* Closing is exclusive: [16:59:59, 17:00:00) is one second; [17:00, 17:01) none. */
  assert_int_equal(bs(cal, T("2026-11-23T16:59:59Z"), T("2026-11-23T17:00:00Z")), 1);
  assert_int_equal(bs(cal, T("2026-11-23T17:00:00Z"), T("2026-11-23T17:01:00Z")), 0);
  /* Opening is inclusive: [09:00:00, 09:00:01) is one second. */
  assert_int_equal(bs(cal, T("2026-11-23T09:00:00Z"), T("2026-11-23T09:00:01Z")), 1);
  /* Within one day: Tue 10:15:30 -> 14:45:10 = 4 h 29 min 40 s = 16180. */
  assert_int_equal(bs(cal, T("2026-11-24T10:15:30Z"), T("2026-11-24T14:45:10Z")), 16180);
  cxm_calendar_free(cal);
}

static void test_holidays(void **state) {
  cxm_calendar *cal = new_cal();
  (void)state;
  /* Wed 2026-11-25 12:00 -> Fri 2026-11-27 12:00: Wed 12-17 (5 h) + Thu
   * (8 h) + Fri 09-12 (3 h) = 16 h; with Thursday 2026-11-26 a holiday,
   * 8 h = 28800. */
  assert_int_equal(bs(cal, T("2026-11-25T12:00:00Z"), T("2026-11-27T12:00:00Z")), 16 * H);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 11, 26), CXM_OK);
  assert_int_equal(bs(cal, T("2026-11-25T12:00:00Z"), T("2026-11-27T12:00:00Z")), 8 * H);
  /* Inside the holiday itself: nothing. */
  assert_int_equal(bs(cal, T("2026-11-26T00:00:00Z"), T("2026-11-27T00:00:00Z")), 0);
  /* Twice is harmless. */
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 11, 26), CXM_OK);
  assert_int_equal(cxm_calendar_holiday_count(cal), 1);
  /* A holiday on a Saturday (2026-11-28) changes nothing: Fri 27 12:00 ->
   * Mon 30 12:00 = Fri 5 h + Mon 3 h = 28800 before and after. */
  assert_int_equal(bs(cal, T("2026-11-27T12:00:00Z"), T("2026-11-30T12:00:00Z")), 8 * H);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 11, 28), CXM_OK);
  assert_int_equal(bs(cal, T("2026-11-27T12:00:00Z"), T("2026-11-30T12:00:00Z")), 8 * H);
  /* A span of a whole week with the Thursday holiday: 5 * 8 - 8 = 32 h. */
  assert_int_equal(bs(cal, T("2026-11-23T00:00:00Z"), T("2026-11-30T00:00:00Z")), 32 * H);
  /* Adding a holiday out of order keeps the list sorted: Monday 2026-11-23
   * too makes that week 24 h. */
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 11, 23), CXM_OK);
  assert_int_equal(bs(cal, T("2026-11-23T00:00:00Z"), T("2026-11-30T00:00:00Z")), 24 * H);
  assert_int_equal(cxm_calendar_holiday_count(cal), 3);
  /* Invalid dates. */
  assert_int_equal(cxm_calendar_add_holiday(cal, 2025, 2, 29), CXM_E_TIME);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 13, 1), CXM_E_TIME);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 4, 31), CXM_E_TIME);
  assert_int_equal(cxm_calendar_add_holiday(cal, 0, 1, 1), CXM_E_TIME);
  assert_int_equal(cxm_calendar_add_holiday(cal, 10000, 1, 1), CXM_E_TIME);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 1, 0), CXM_E_TIME);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2024, 2, 29), CXM_OK);
  assert_int_equal(cxm_calendar_holiday_count(cal), 4);
  assert_int_equal(cxm_calendar_add_holiday(NULL, 2024, 2, 29), CXM_E_ARG);
  cxm_calendar_free(cal);
}

static void test_offsets(void **state) {
  cxm_calendar *cal = new_cal();
  (void)state;
  assert_int_equal(cxm_calendar_set_offset(cal, 19800), CXM_OK); /* +05:30 */
  /* Local = UTC + 5:30. UTC Sun 2026-11-22 20:00 -> Mon 04:30 is local Mon
   * 01:30 -> 10:00: business 09:00-10:00 = 3600 (0 at +00:00). */
  assert_int_equal(bs(cal, T("2026-11-22T20:00:00Z"), T("2026-11-23T04:30:00Z")), H);
  /* UTC Fri 2026-11-20 11:00 -> 12:00 is local 16:30 -> 17:30: 1800. */
  assert_int_equal(bs(cal, T("2026-11-20T11:00:00Z"), T("2026-11-20T12:00:00Z")), 1800);
  /* Local midnight is UTC 18:30 the day before: a holiday on local Monday
   * 2026-11-23 covers UTC Sun 18:30 .. Mon 18:30, so UTC Mon 03:30 -> 11:30
   * (local 09:00 -> 17:00) is 0, and UTC Mon 18:30 -> Tue 11:30 (local Tue
   * 00:00 -> 17:00) is a full 8 h. */
  assert_int_equal(bs(cal, T("2026-11-23T03:30:00Z"), T("2026-11-23T11:30:00Z")), 8 * H);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 11, 23), CXM_OK);
  assert_int_equal(bs(cal, T("2026-11-23T03:30:00Z"), T("2026-11-23T11:30:00Z")), 0);
  assert_int_equal(bs(cal, T("2026-11-23T18:30:00Z"), T("2026-11-24T11:30:00Z")), 8 * H);
  cxm_calendar_free(cal);

  cal = new_cal();
  assert_int_equal(cxm_calendar_set_offset(cal, -10800), CXM_OK); /* -03:00 */
  /* Local = UTC - 3 h. UTC Fri 2026-11-20 19:00 -> Sat 02:00 is local Fri
   * 16:00 -> 23:00: 3600 (0 at +00:00: UTC Fri 19:00 is after closing). */
  assert_int_equal(bs(cal, T("2026-11-20T19:00:00Z"), T("2026-11-21T02:00:00Z")), H);
  /* A holiday on local Monday 2026-11-23 = UTC Mon 03:00 .. Tue 03:00: UTC
   * Mon 02:00 -> Tue 02:00 (local Sun 23:00 -> Mon 23:00) is 0; UTC Tue
   * 12:00 -> 13:00 (local 09:00 -> 10:00) is 3600. */
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 11, 23), CXM_OK);
  assert_int_equal(bs(cal, T("2026-11-23T02:00:00Z"), T("2026-11-24T02:00:00Z")), 0);
  assert_int_equal(bs(cal, T("2026-11-24T12:00:00Z"), T("2026-11-24T13:00:00Z")), H);
  /* Before 1970 in local time: UTC 1970-01-01 00:00 is local Wed
   * 1969-12-31 21:00 (closed); UTC 12:00 -> 13:00 is local Thu 09:00-10:00. */
  assert_int_equal(bs(cal, 0, 13 * H), H);
  assert_int_equal(next_open(cal, 0), 12 * H);
  /* Round the clock on Wednesday too: UTC 00:00 -> 01:00 on 1970-01-01 is
   * local Wed 21:00 -> 22:00, all business time; so is [0, 13 h): 3 h of
   * Wednesday + 1 h of Thursday. */
  assert_int_equal(cxm_calendar_set_hours(cal, CXM_WEDNESDAY, 0, DAYS), CXM_OK);
  assert_int_equal(bs(cal, 0, H), H);
  assert_int_equal(bs(cal, 0, 13 * H), 4 * H);
  assert_int_equal(next_open(cal, 0), 0);
  assert_int_equal(add_business(cal, 0, 3 * H + 1), 12 * H + 1);
  /* Out of range. */
  assert_int_equal(cxm_calendar_set_offset(cal, 64801), CXM_E_OPTION);
  assert_int_equal(cxm_calendar_set_offset(cal, -64801), CXM_E_OPTION);
  assert_int_equal(cxm_calendar_set_offset(cal, 64800), CXM_OK);
  assert_int_equal(cxm_calendar_set_offset(cal, -64800), CXM_OK);
  assert_int_equal(cxm_calendar_set_offset(NULL, 0), CXM_E_ARG);
  cxm_calendar_free(cal);
}

static void test_parse_offset(void **state) {
  static const struct {
    const char *text;
    int32_t rc, value;
  } cases[] = {
      {"+05:30", CXM_OK, 19800}, /* 5 * 3600 + 30 * 60 */
      {"-03:00", CXM_OK, -10800},
      {"+00:00", CXM_OK, 0},
      {"-00:00", CXM_OK, 0},
      {"Z", CXM_OK, 0},
      {"z", CXM_OK, 0},
      {"+18:00", CXM_OK, 64800},
      {"-18:00", CXM_OK, -64800},
      {"+12:45", CXM_OK, 45900},
      {"-09:30", CXM_OK, -34200},
      {"+18:01", CXM_E_OPTION, 0},
      {"+19:00", CXM_E_OPTION, 0},
      {"+05:60", CXM_E_OPTION, 0},
      {"05:30", CXM_E_OPTION, 0},
      {"+5:30", CXM_E_OPTION, 0},
      {"+0530", CXM_E_OPTION, 0},
      {"+05:30 ", CXM_E_OPTION, 0},
      {" +05:30", CXM_E_OPTION, 0},
      {"+05:3a", CXM_E_OPTION, 0},
      {"UTC", CXM_E_OPTION, 0},
      {"", CXM_E_OPTION, 0},
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int32_t v = 12345;
    int32_t rc = cxm_calendar_parse_offset(&v, cases[i].text, strlen(cases[i].text));
    if (rc != cases[i].rc) fail_msg("parse_offset(\"%s\") = %d, want %d", cases[i].text, rc, cases[i].rc);
    assert_int_equal(v, cases[i].rc == CXM_OK ? cases[i].value : 12345);
  }
  assert_int_equal(cxm_calendar_parse_offset(NULL, "+05:30", 6), CXM_E_ARG);
  {
    int32_t v;
    assert_int_equal(cxm_calendar_parse_offset(&v, NULL, 6), CXM_E_ARG);
    /* The length is honoured: no NUL needed, nothing read past it. */
    assert_int_equal(cxm_calendar_parse_offset(&v, "+05:30junk", 6), CXM_OK);
    assert_int_equal(v, 19800);
  }
}

static void test_hours(void **state) {
  cxm_calendar *cal = new_cal();
  int32_t o, c;
  (void)state;
  /* Round the clock every day: business time is wall-clock time. Fri 12:00
   * -> Mon 12:00 = 3 days = 259200; with Saturday a holiday, 172800. */
  for (int32_t w = CXM_MONDAY; w <= CXM_SUNDAY; w++) assert_int_equal(cxm_calendar_set_hours(cal, w, 0, DAYS), CXM_OK);
  assert_int_equal(bs(cal, T("2026-11-20T12:00:00Z"), T("2026-11-23T12:00:00Z")), 3 * DAYS);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 11, 21), CXM_OK);
  assert_int_equal(bs(cal, T("2026-11-20T12:00:00Z"), T("2026-11-23T12:00:00Z")), 2 * DAYS);
  /* Round the clock: the second before midnight counts. */
  assert_int_equal(bs(cal, T("2026-11-23T23:59:59Z"), T("2026-11-24T00:00:01Z")), 2);
  assert_int_equal(next_open(cal, T("2026-11-21T05:00:00Z")), T("2026-11-22T00:00:00Z"));
  cxm_calendar_free(cal);

  /* Opening == closing closes the day: Wednesday 12:00-12:00. Tue 16:00 ->
   * Thu 10:00 = Tue 1 h + Wed 0 + Thu 1 h = 7200. */
  cal = new_cal();
  assert_int_equal(cxm_calendar_set_hours(cal, CXM_WEDNESDAY, 12 * H, 12 * H), CXM_OK);
  assert_int_equal(bs(cal, T("2026-11-24T16:00:00Z"), T("2026-11-26T10:00:00Z")), 2 * H);
  assert_int_equal(next_open(cal, T("2026-11-24T17:00:00Z")), T("2026-11-26T09:00:00Z"));
  /* Saturday 10:00-14:00: Fri 16:00 -> Mon 10:00 = 1 + 4 + 1 = 6 h. */
  assert_int_equal(cxm_calendar_set_hours(cal, CXM_SATURDAY, 10 * H, 14 * H), CXM_OK);
  assert_int_equal(bs(cal, T("2026-11-20T16:00:00Z"), T("2026-11-23T10:00:00Z")), 6 * H);
  assert_int_equal(cxm_calendar_get_hours(&o, &c, cal, CXM_SATURDAY), CXM_OK);
  assert_int_equal(o, 10 * H);
  assert_int_equal(c, 14 * H);
  /* Invalid hours leave the calendar as it was. */
  assert_int_equal(cxm_calendar_set_hours(cal, CXM_SATURDAY, 15 * H, 14 * H), CXM_E_OPTION);
  assert_int_equal(cxm_calendar_set_hours(cal, CXM_SATURDAY, -1, 14 * H), CXM_E_OPTION);
  assert_int_equal(cxm_calendar_set_hours(cal, CXM_SATURDAY, 0, DAYS + 1), CXM_E_OPTION);
  assert_int_equal(cxm_calendar_set_hours(cal, 0, 0, 1), CXM_E_OPTION);
  assert_int_equal(cxm_calendar_set_hours(cal, 8, 0, 1), CXM_E_OPTION);
  assert_int_equal(cxm_calendar_set_hours(NULL, 1, 0, 1), CXM_E_ARG);
  assert_int_equal(cxm_calendar_get_hours(&o, &c, cal, 8), CXM_E_OPTION);
  assert_int_equal(cxm_calendar_get_hours(NULL, &c, cal, 1), CXM_E_ARG);
  assert_int_equal(cxm_calendar_get_hours(&o, &c, cal, CXM_SATURDAY), CXM_OK);
  assert_int_equal(o, 10 * H);
  assert_int_equal(c, 14 * H);
  assert_int_equal(bs(cal, T("2026-11-20T16:00:00Z"), T("2026-11-23T10:00:00Z")), 6 * H);
  cxm_calendar_free(cal);
}

static void test_no_hours(void **state) {
  cxm_calendar *cal = new_cal();
  int64_t out = 42;
  (void)state;
  for (int32_t w = CXM_MONDAY; w <= CXM_SUNDAY; w++) assert_int_equal(cxm_calendar_set_hours(cal, w, 0, 0), CXM_OK);
  assert_int_equal(bs(cal, CXM_TIME_MIN, CXM_TIME_MAX), 0);
  assert_int_equal(bs(cal, T("2026-01-01T00:00:00Z"), T("2027-01-01T00:00:00Z")), 0);
  assert_int_equal(cxm_calendar_next_open(&out, cal, T("2026-11-23T10:00:00Z")), CXM_E_NOT_FOUND);
  assert_int_equal(cxm_calendar_add_business(&out, cal, T("2026-11-23T10:00:00Z"), 1), CXM_E_NOT_FOUND);
  assert_int_equal(out, 42);
  /* Zero business seconds elapse at once, even on a closed calendar. */
  assert_int_equal(add_business(cal, T("2026-11-23T10:00:00Z"), 0), T("2026-11-23T10:00:00Z"));
  cxm_calendar_free(cal);
}

static void test_huge_spans(void **state) {
  cxm_calendar *cal = new_cal();
  ref_cal r;
  (void)state;
  /* 400 Gregorian years are 146097 days = 20871 weeks exactly, so from any
   * instant they hold 20871 * 5 * 8 h = 3 005 424 000 business seconds. */
  assert_int_equal(bs(cal, T("2000-01-01T00:00:00Z"), T("2400-01-01T00:00:00Z")), INT64_C(20871) * 5 * 8 * H);
  assert_int_equal(bs(cal, T("2026-11-25T13:17:01Z"), T("2426-11-25T13:17:01Z")), INT64_C(20871) * 5 * 8 * H);
  /* One holiday on a weekday inside the span removes 8 h; one outside, none. */
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 11, 26), CXM_OK);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2500, 1, 1), CXM_OK);
  assert_int_equal(bs(cal, T("2000-01-01T00:00:00Z"), T("2400-01-01T00:00:00Z")), INT64_C(20871) * 5 * 8 * H - 8 * H);
  cxm_calendar_free(cal);

  /* The whole supported range, against the day-by-day model. */
  memset(&r, 0, sizeof r);
  for (int w = 0; w < 5; w++) {
    r.open[w] = 9 * H;
    r.close[w] = 17 * H;
  }
  r.offset = 19800;
  r.nhol = 3;
  r.hol[0][0] = 1970, r.hol[0][1] = 1, r.hol[0][2] = 1;
  r.hol[1][0] = 5000, r.hol[1][1] = 6, r.hol[1][2] = 9;
  r.hol[2][0] = 9999, r.hol[2][1] = 12, r.hol[2][2] = 31;
  cal = cal_from_ref(&r, NULL);
  assert_int_equal(bs(cal, CXM_TIME_MIN, CXM_TIME_MAX), ref_business_days(&r, CXM_TIME_MIN, CXM_TIME_MAX));
  cxm_calendar_free(cal);
}

static void test_next_open_cases(void **state) {
  cxm_calendar *cal = new_cal();
  int64_t out = 7;
  (void)state;
  /* Saturday -> Monday 09:00; Monday 08:00 -> 09:00; inside hours -> itself;
   * at closing -> next day's opening (closing is exclusive). */
  assert_int_equal(next_open(cal, T("2026-11-21T10:00:00Z")), T("2026-11-23T09:00:00Z"));
  assert_int_equal(next_open(cal, T("2026-11-23T08:00:00Z")), T("2026-11-23T09:00:00Z"));
  assert_int_equal(next_open(cal, T("2026-11-23T09:00:00Z")), T("2026-11-23T09:00:00Z"));
  assert_int_equal(next_open(cal, T("2026-11-23T12:34:56Z")), T("2026-11-23T12:34:56Z"));
  assert_int_equal(next_open(cal, T("2026-11-23T16:59:59Z")), T("2026-11-23T16:59:59Z"));
  assert_int_equal(next_open(cal, T("2026-11-23T17:00:00Z")), T("2026-11-24T09:00:00Z"));
  /* Friday evening with Monday and Tuesday holidays -> Wednesday 09:00. */
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 11, 24), CXM_OK);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 11, 23), CXM_OK);
  assert_int_equal(next_open(cal, T("2026-11-20T18:00:00Z")), T("2026-11-25T09:00:00Z"));
  /* +05:30: UTC Sun 22:00 is local Mon 03:30; local Mon 09:00 is UTC Mon
   * 03:30 (but Mon and Tue are holidays: local Wed 09:00 = UTC Wed 03:30). */
  assert_int_equal(cxm_calendar_set_offset(cal, 19800), CXM_OK);
  assert_int_equal(next_open(cal, T("2026-11-22T22:00:00Z")), T("2026-11-25T03:30:00Z"));
  cxm_calendar_free(cal);
  cal = new_cal();
  assert_int_equal(cxm_calendar_set_offset(cal, 19800), CXM_OK);
  assert_int_equal(next_open(cal, T("2026-11-22T22:00:00Z")), T("2026-11-23T03:30:00Z"));
  /* The end of the range: 9999-12-31 is a Friday; at +05:30 CXM_TIME_MAX is
   * local Saturday 10000-01-01 05:29:59, and Monday is past the range. */
  assert_int_equal(cxm_calendar_next_open(&out, cal, CXM_TIME_MAX), CXM_E_NOT_FOUND);
  assert_int_equal(cxm_calendar_set_offset(cal, 0), CXM_OK);
  assert_int_equal(cxm_calendar_next_open(&out, cal, CXM_TIME_MAX), CXM_E_NOT_FOUND);
  assert_int_equal(out, 7);
  assert_int_equal(next_open(cal, T("9999-12-31T16:00:00Z")), T("9999-12-31T16:00:00Z"));
  /* Errors. */
  assert_int_equal(cxm_calendar_next_open(&out, cal, CXM_TIME_MAX + 1), CXM_E_TIME);
  assert_int_equal(cxm_calendar_next_open(&out, cal, -1), CXM_E_TIME);
  assert_int_equal(cxm_calendar_next_open(NULL, cal, 0), CXM_E_ARG);
  assert_int_equal(cxm_calendar_next_open(&out, NULL, 0), CXM_E_ARG);
  cxm_calendar_free(cal);
}

static void test_add_business_cases(void **state) {
  cxm_calendar *cal = new_cal();
  int64_t out = 7;
  (void)state;
  /* Fri 16:00 + 1 h = Fri 17:00 (a deadline may fall on a closing time);
   * + 1 h 1 s = Mon 09:00:01; Fri 17:00 + 1 s = Mon 09:00:01. */
  assert_int_equal(add_business(cal, T("2026-11-20T16:00:00Z"), H), T("2026-11-20T17:00:00Z"));
  assert_int_equal(add_business(cal, T("2026-11-20T16:00:00Z"), H + 1), T("2026-11-23T09:00:01Z"));
  assert_int_equal(add_business(cal, T("2026-11-20T17:00:00Z"), 1), T("2026-11-23T09:00:01Z"));
  /* Saturday + 8 h (the default SLA) = Monday 17:00. */
  assert_int_equal(add_business(cal, T("2026-11-21T10:00:00Z"), 8 * H), T("2026-11-23T17:00:00Z"));
  /* Mon 09:00 + 5 days of 8 h = Fri 17:00; one second more = next Mon 09:00:01. */
  assert_int_equal(add_business(cal, T("2026-11-23T09:00:00Z"), 5 * 8 * H), T("2026-11-27T17:00:00Z"));
  assert_int_equal(add_business(cal, T("2026-11-23T09:00:00Z"), 5 * 8 * H + 1), T("2026-11-30T09:00:01Z"));
  /* With Thursday 2026-11-26 a holiday: Wed 12:00 + 8 h = Wed 5 h (to 17:00)
   * + Fri 3 h = Fri 12:00. */
  assert_int_equal(cxm_calendar_add_holiday(cal, 2026, 11, 26), CXM_OK);
  assert_int_equal(add_business(cal, T("2026-11-25T12:00:00Z"), 8 * H), T("2026-11-27T12:00:00Z"));
  /* 400 years of business time from 2000-01-01 (a Saturday, so the last
   * business second ends Friday 2399-12-31 17:00), one holiday inside:
   * 20871 weeks * 40 h - 8 h more ends there. */
  assert_int_equal(add_business(cal, T("2000-01-01T00:00:00Z"), INT64_C(20871) * 5 * 8 * H - 8 * H),
                   T("2399-12-31T17:00:00Z"));
  /* Zero seconds: t itself, business time or not. */
  assert_int_equal(add_business(cal, T("2026-11-21T10:00:00Z"), 0), T("2026-11-21T10:00:00Z"));
  /* The end of the range: 9999-12-31 16:00 (a Friday) + 1 h = 17:00; one
   * second more would be in the year 10000. */
  assert_int_equal(add_business(cal, T("9999-12-31T16:00:00Z"), H), T("9999-12-31T17:00:00Z"));
  assert_int_equal(cxm_calendar_add_business(&out, cal, T("9999-12-31T16:00:00Z"), H + 1), CXM_E_NOT_FOUND);
  assert_int_equal(cxm_calendar_add_business(&out, cal, 0, INT64_MAX), CXM_E_NOT_FOUND);
  assert_int_equal(out, 7);
  /* Errors. */
  assert_int_equal(cxm_calendar_add_business(&out, cal, 0, -1), CXM_E_VALUE);
  assert_int_equal(cxm_calendar_add_business(&out, cal, -1, 1), CXM_E_TIME);
  assert_int_equal(cxm_calendar_add_business(&out, cal, CXM_TIME_MAX + 1, 1), CXM_E_TIME);
  assert_int_equal(cxm_calendar_add_business(NULL, cal, 0, 1), CXM_E_ARG);
  assert_int_equal(cxm_calendar_add_business(&out, NULL, 0, 1), CXM_E_ARG);
  assert_int_equal(cxm_calendar_business_seconds(&out, cal, -1, 5), CXM_E_TIME);
  assert_int_equal(cxm_calendar_business_seconds(&out, cal, 5, CXM_TIME_MAX + 1), CXM_E_TIME);
  assert_int_equal(cxm_calendar_business_seconds(NULL, cal, 0, 5), CXM_E_ARG);
  assert_int_equal(cxm_calendar_business_seconds(&out, NULL, 0, 5), CXM_E_ARG);
  assert_int_equal(out, 7);
  cxm_calendar_free(cal);
}

static void test_holidays_text(void **state) {
  cxm_calendar *cal = new_cal();
  size_t bad = 99;
  static const char good[] =
      "# public holidays\n"
      "2026-12-25\n"
      "\n"
      "   \t\n"
      "  2026-01-01  \r\n"
      "2026-12-25 # again: harmless\n"
      "\t# indented comment\n"
      "2026-11-26"; /* no final newline */
  (void)state;
  assert_int_equal(cxm_calendar_add_holidays_text(&bad, cal, good, strlen(good)), CXM_OK);
  assert_int_equal(bad, 0);
  assert_int_equal(cxm_calendar_holiday_count(cal), 3);
  /* Thursday 2026-11-26 is now a holiday: Wed 12:00 -> Fri 12:00 = 8 h. */
  assert_int_equal(bs(cal, T("2026-11-25T12:00:00Z"), T("2026-11-27T12:00:00Z")), 8 * H);
  /* A bad line: its number, and nothing of the text is added. */
  {
    static const struct {
      const char *text;
      size_t line;
    } bads[] = {
        {"2026-12-24\n2026-02-30\n", 2},
        {"2026-1-01\n", 1},
        {"2026-12-24\n\n\n26-12-24", 4},
        {"2026/12/24\n", 1},
        {"2026-12-24x\n", 1},
        {"x2026-12-24\n", 1},
        {"2026-12-24 2026-12-25\n", 1},
        {"0000-01-01\n", 1},
        {"2026-12-24\r\r\n", 1},
        {"2026-00-10\n", 1},
        {"2026-12-32\n", 1},
        {"# ok\n2026-12-24\n-2026-12-24\n", 3},
    };
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
      bad = 99;
      assert_int_equal(cxm_calendar_add_holidays_text(&bad, cal, bads[i].text, strlen(bads[i].text)), CXM_E_TIME);
      if (bad != bads[i].line) fail_msg("text %zu: bad line %zu, want %zu", i, bad, bads[i].line);
      assert_int_equal(cxm_calendar_holiday_count(cal), 3);
    }
  }
  /* A NUL inside the text is a bad character, not an end. */
  assert_int_equal(cxm_calendar_add_holidays_text(&bad, cal, "2026-12-24\0\n", 12), CXM_E_TIME);
  assert_int_equal(bad, 1);
  /* Empty text, NULL with length 0, NULL bad_line. */
  assert_int_equal(cxm_calendar_add_holidays_text(&bad, cal, "", 0), CXM_OK);
  assert_int_equal(cxm_calendar_add_holidays_text(&bad, cal, NULL, 0), CXM_OK);
  assert_int_equal(cxm_calendar_add_holidays_text(NULL, cal, "2026-12-24", 10), CXM_OK);
  assert_int_equal(cxm_calendar_holiday_count(cal), 4);
  assert_int_equal(cxm_calendar_add_holidays_text(&bad, NULL, "", 0), CXM_E_ARG);
  assert_int_equal(cxm_calendar_add_holidays_text(&bad, cal, NULL, 3), CXM_E_ARG);
  cxm_calendar_free(cal);
}

/* Issue 12: a byte-order mark starts a holidays file as it may an event
 * file; elsewhere it is a bad line. 1969-12-31 is a date like any other
 * (docs/calendar.md: years 1..9999), and at a negative offset it is the
 * local day of the first UTC hours of 1970. */
static void test_holidays_bom_and_1969(void **state) {
  cxm_calendar *cal = new_cal();
  size_t bad = 99;
  (void)state;
  assert_int_equal(cxm_calendar_add_holidays_text(&bad, cal,
                                                  "\xEF\xBB\xBF"
                                                  "2026-12-25\n",
                                                  14),
                   CXM_OK);
  assert_int_equal(bad, 0);
  assert_int_equal(cxm_calendar_holiday_count(cal), 1);
  assert_int_equal(cxm_calendar_add_holidays_text(&bad, cal,
                                                  "2026-12-24\n\xEF\xBB\xBF"
                                                  "2026-12-26\n",
                                                  25),
                   CXM_E_TIME);
  assert_int_equal(bad, 2);
  assert_int_equal(cxm_calendar_add_holidays_text(&bad, cal,
                                                  "\xEF\xBB"
                                                  "2026-12-26\n",
                                                  13),
                   CXM_E_TIME);
  assert_int_equal(bad, 1);
  assert_int_equal(cxm_calendar_holiday_count(cal), 1);
  cxm_calendar_free(cal);
  /* Wednesday 1969-12-31 at -03:00, open 00:00..24:00 every day: the
   * holiday removes the first 3 hours of 1970 (UTC), nothing after. */
  cal = new_cal();
  assert_int_equal(cxm_calendar_set_offset(cal, -3 * 3600), CXM_OK);
  for (int32_t w = 1; w <= 7; w++) assert_int_equal(cxm_calendar_set_hours(cal, w, 0, 86400), CXM_OK);
  assert_int_equal(bs(cal, 0, 6 * H), 6 * H);
  assert_int_equal(cxm_calendar_add_holidays_text(&bad, cal, "1969-12-31\n", 11), CXM_OK);
  assert_int_equal(cxm_calendar_holiday_count(cal), 1);
  assert_int_equal(bs(cal, 0, 6 * H), 3 * H);
  cxm_calendar_free(cal);
}

/* Many holidays in random order (the list grows past its first block),
 * duplicates included, through both entry points. */
static void test_many_holidays(void **state) {
  uint64_t rng = 20261123;
  ref_cal r;
  int64_t t0 = T("2030-01-01T00:00:00Z"), t1 = T("2030-12-31T00:00:00Z");
  (void)state;
  for (int round = 0; round < 20; round++) {
    cxm_calendar *cal;
    int distinct = 0;
    memset(&r, 0, sizeof r);
    for (int w = 0; w < 5; w++) {
      r.open[w] = 8 * H;
      r.close[w] = 18 * H;
    }
    r.open[5] = 10 * H;
    r.close[5] = 13 * H;
    r.offset = round % 2 ? -10800 : 19800;
    r.nhol = 64;
    for (int i = 0; i < r.nhol; i++) {
      int32_t y, m, d;
      ref_civil(ref_floor_div(t0, DAYS) + (int64_t)test_below(&rng, 360), &y, &m, &d);
      r.hol[i][0] = y, r.hol[i][1] = m, r.hol[i][2] = d;
    }
    for (int i = 0; i < r.nhol; i++) {
      int dup = 0;
      for (int j = 0; j < i; j++) dup |= memcmp(r.hol[i], r.hol[j], sizeof r.hol[i]) == 0;
      distinct += !dup;
    }
    cal = cal_from_ref(&r, &rng);
    assert_int_equal(cxm_calendar_holiday_count(cal), distinct);
    assert_int_equal(bs(cal, t0, t1), ref_business_days(&r, t0, t1));
    for (int k = 0; k < 50; k++) {
      int64_t a = t0 + (int64_t)test_below(&rng, (uint64_t)(t1 - t0));
      int64_t b = t0 + (int64_t)test_below(&rng, (uint64_t)(t1 - t0));
      assert_int_equal(bs(cal, a, b), ref_business_days(&r, a, b));
    }
    cxm_calendar_free(cal);
  }
}

/* ---- random spans against the brute-force model -------------------------- */

/* Minute-aligned calendars and spans up to 20 days: the minute walk is exact. */
static void test_random_minutes(void **state) {
  uint64_t rng = 1;
  ref_cal r;
  (void)state;
  for (int iter = 0; iter < 3000; iter++) {
    int64_t t0 = (int64_t)test_below(&rng, (uint64_t)((CXM_TIME_MAX - 60 * DAYS) / 60)) * 60;
    int64_t len = (int64_t)test_below(&rng, 20 * 1440 + 1) * 60;
    int64_t t1 = t0 + len, want, got, u, s;
    cxm_calendar *cal;
    if (iter % 4 == 0) t0 = T("2026-11-20T00:00:00Z") + (int64_t)test_below(&rng, 7 * 1440) * 60, t1 = t0 + len;
    /* Near the start of the range, where local time can be before 1970. */
    if (iter % 4 == 1) t0 = (int64_t)test_below(&rng, 2 * 1440) * 60, t1 = t0 + len;
    if (iter % 10 == 0) t1 = t0 - (int64_t)test_below(&rng, 3) * 60; /* empty spans */
    memset(&r, 0, sizeof r);
    random_ref(&r, &rng, 60, t0, t1);
    cal = cal_from_ref(&r, &rng);
    want = t1 > t0 ? ref_business(&r, t0, t1, 60) : 0;
    got = bs(cal, t0, t1);
    if (got != want)
      fail_msg("iter %d: business_seconds(%lld, %lld) = %lld, want %lld", iter, (long long)t0, (long long)t1,
               (long long)got, (long long)want);
    assert_int_equal(got, ref_business_days(&r, t0, t1));
    /* next_open: walk minutes until one is business time (within 16 days
     * when there are hours: at most 6 holidays and 7 closed weekdays). */
    if (!ref_has_hours(&r)) {
      assert_int_equal(cxm_calendar_next_open(&u, cal, t0), CXM_E_NOT_FOUND);
    } else {
      ref_walk w = {&r, INT64_MIN, 0, 0, 0};
      int64_t m = t0;
      while (!ref_is_business(&w, m)) m += 60;
      assert_int_equal(next_open(cal, t0), m);
    }
    /* add_business: a whole number of minutes up to the span's business
     * time, walked minute by minute. */
    if (want > 0) {
      ref_walk w = {&r, INT64_MIN, 0, 0, 0};
      int64_t acc = 0, m = t0;
      s = (int64_t)test_below(&rng, (uint64_t)(want / 60 + 1)) * 60;
      if (s == 0) {
        m = t0;
      } else {
        for (;; m += 60) {
          if (ref_is_business(&w, m)) acc += 60;
          if (acc == s) break;
        }
        m += 60;
      }
      assert_int_equal(add_business(cal, t0, s), m);
    }
    cxm_calendar_free(cal);
  }
}

/* Arbitrary seconds everywhere (hours, offsets, times), spans up to 3 days,
 * walked second by second. */
static void test_random_seconds(void **state) {
  uint64_t rng = 2;
  ref_cal r;
  (void)state;
  for (int iter = 0; iter < 400; iter++) {
    int64_t t0 = (int64_t)test_below(&rng, (uint64_t)(CXM_TIME_MAX - 30 * DAYS));
    int64_t t1 = t0 + (int64_t)test_below(&rng, 3 * DAYS + 1), want, u;
    cxm_calendar *cal;
    ref_walk w = {NULL, INT64_MIN, 0, 0, 0};
    memset(&r, 0, sizeof r);
    random_ref(&r, &rng, 1, t0, t1);
    w.r = &r;
    cal = cal_from_ref(&r, &rng);
    want = ref_business(&r, t0, t1, 1);
    assert_int_equal(bs(cal, t0, t1), want);
    /* Sub-spans in any order: two walked second by second, more day by day. */
    for (int k = 0; k < 20; k++) {
      int64_t a = t0 + (int64_t)test_below(&rng, (uint64_t)(t1 - t0 + 1));
      int64_t b = t0 + (int64_t)test_below(&rng, (uint64_t)(t1 - t0 + 1));
      int64_t ref = k < 2 ? (b > a ? ref_business(&r, a, b, 1) : 0) : ref_business_days(&r, a, b);
      assert_int_equal(bs(cal, a, b), ref);
    }
    /* next_open: the first business second in the span, or, when there is
     * none, an instant past the span that is business time. */
    if (!ref_has_hours(&r)) {
      assert_int_equal(cxm_calendar_next_open(&u, cal, t0), CXM_E_NOT_FOUND);
    } else {
      int64_t m = t0;
      while (m < t1 && !ref_is_business(&w, m)) m++;
      u = next_open(cal, t0);
      if (m < t1) {
        assert_int_equal(u, m);
      } else {
        assert_true(u >= t1);
        assert_true(ref_is_business(&w, u));
        assert_int_equal(bs(cal, t0, u), 0);
      }
    }
    /* add_business: any number of seconds up to the span's business time. */
    if (want > 0) {
      int64_t s = (int64_t)test_below(&rng, (uint64_t)want) + 1, acc = 0, m = t0;
      for (;; m++) {
        if (ref_is_business(&w, m)) acc++;
        if (acc == s) break;
      }
      assert_int_equal(add_business(cal, t0, s), m + 1);
    }
    cxm_calendar_free(cal);
  }
}

/* Spans of up to 60 years against the day-by-day model, and the two
 * queries' defining properties on them. */
static void test_random_long_spans(void **state) {
  uint64_t rng = 3;
  ref_cal r;
  (void)state;
  for (int iter = 0; iter < 300; iter++) {
    int64_t t0 = (int64_t)test_below(&rng, (uint64_t)(CXM_TIME_MAX - 61 * 366 * DAYS));
    int64_t t1 = t0 + (int64_t)test_below(&rng, (uint64_t)(60 * 366 * DAYS)), want, u, s;
    cxm_calendar *cal;
    memset(&r, 0, sizeof r);
    random_ref(&r, &rng, 1, t0, t1);
    /* Spread the holidays over the whole span instead. */
    for (int i = 0; i < r.nhol; i++) {
      int32_t y, m, d;
      ref_civil(ref_floor_div(t0, DAYS) + (int64_t)test_below(&rng, (uint64_t)((t1 - t0) / DAYS + 1)), &y, &m, &d);
      r.hol[i][0] = y, r.hol[i][1] = m, r.hol[i][2] = d;
    }
    cal = cal_from_ref(&r, &rng);
    want = ref_business_days(&r, t0, t1);
    assert_int_equal(bs(cal, t0, t1), want);
    if (want > 0) {
      s = (int64_t)test_below(&rng, (uint64_t)want) + 1;
      u = add_business(cal, t0, s);
      /* u is the first instant by which s business seconds have passed. */
      assert_int_equal(ref_business_days(&r, t0, u), s);
      assert_int_equal(ref_business_days(&r, t0, u - 1), s - 1);
    }
    cxm_calendar_free(cal);
  }
}

/* ---- memory --------------------------------------------------------------- */

static void test_allocation_failures(void **state) {
  static const char text[] = "2026-11-26\n2026-12-25\n2027-01-01\n2026-11-26\n";
  (void)state;
  /* new fails cleanly. */
  {
    failing_alloc f = {0, 0, 0};
    cxm_allocator a = failing_hooks(&f);
    cxm_calendar *cal = NULL;
    assert_int_equal(cxm_calendar_new(&cal, &a), CXM_E_NOMEM);
    assert_null(cal);
    assert_int_equal(f.live_bytes, 0);
  }
  /* Incomplete hooks. */
  {
    cxm_allocator a = {NULL, NULL, NULL, NULL};
    cxm_calendar *cal = NULL;
    assert_int_equal(cxm_calendar_new(&cal, &a), CXM_E_ARG);
    assert_int_equal(cxm_calendar_new(NULL, NULL), CXM_E_ARG);
  }
  /* Fail the n-th allocation of a scenario for every n: each failing call
   * returns CXM_E_NOMEM and leaves the calendar as it was; at the end the
   * result equals the one of a run that never failed, and nothing leaks. */
  for (long fail_at = 0; fail_at < 40; fail_at++) {
    failing_alloc f = {fail_at, 0, 0};
    cxm_allocator a = failing_hooks(&f);
    cxm_calendar *cal = NULL;
    int64_t t0 = T("2026-01-01T00:00:00Z"), t1 = T("2028-01-01T00:00:00Z");
    int32_t rc;
    size_t bad;
    if (cxm_calendar_new(&cal, &a) != CXM_OK) {
      assert_int_equal(f.live_bytes, 0);
      continue;
    }
    f.remaining = fail_at > 0 ? fail_at - 1 : 0;
    for (int i = 0; i < 40; i++) {
      size_t before = cxm_calendar_holiday_count(cal);
      int64_t bs_before = bs(cal, t0, t1);
      do {
        rc = cxm_calendar_add_holiday(cal, 2027, 1 + i % 12, 1 + i / 12 * 7);
        if (rc != CXM_OK) {
          assert_int_equal(rc, CXM_E_NOMEM);
          assert_int_equal(cxm_calendar_holiday_count(cal), before);
          assert_int_equal(bs(cal, t0, t1), bs_before);
          f.remaining = -1;
        }
      } while (rc != CXM_OK);
    }
    f.remaining = fail_at % 3;
    do {
      size_t before = cxm_calendar_holiday_count(cal);
      rc = cxm_calendar_add_holidays_text(&bad, cal, text, strlen(text));
      if (rc != CXM_OK) {
        assert_int_equal(rc, CXM_E_NOMEM);
        assert_int_equal(cxm_calendar_holiday_count(cal), before);
        f.remaining = -1;
      }
    } while (rc != CXM_OK);
    /* 40 distinct dates from the loop, plus 2026-11-26 and 2026-12-25 from
     * the text (its 2027-01-01 is the loop's first date, 2026-11-26 is
     * there twice): 42. The business time of 2026-2027 is checked against
     * the model with the same 42 dates. */
    assert_int_equal(cxm_calendar_holiday_count(cal), 42);
    {
      ref_cal r;
      memset(&r, 0, sizeof r);
      for (int w = 0; w < 5; w++) r.open[w] = 9 * H, r.close[w] = 17 * H;
      for (int i = 0; i < 40; i++) r.hol[i][0] = 2027, r.hol[i][1] = 1 + i % 12, r.hol[i][2] = 1 + i / 12 * 7;
      r.hol[40][0] = 2026, r.hol[40][1] = 11, r.hol[40][2] = 26;
      r.hol[41][0] = 2026, r.hol[41][1] = 12, r.hol[41][2] = 25;
      r.nhol = 42;
      assert_int_equal(bs(cal, t0, t1), ref_business_days(&r, t0, t1));
    }
    cxm_calendar_free(cal);
    assert_int_equal(f.live_bytes, 0);
  }
  cxm_calendar_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reference_model),
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_weekend_and_edges_of_day),
      cmocka_unit_test(test_holidays),
      cmocka_unit_test(test_offsets),
      cmocka_unit_test(test_parse_offset),
      cmocka_unit_test(test_hours),
      cmocka_unit_test(test_no_hours),
      cmocka_unit_test(test_huge_spans),
      cmocka_unit_test(test_next_open_cases),
      cmocka_unit_test(test_add_business_cases),
      cmocka_unit_test(test_holidays_text),
      cmocka_unit_test(test_holidays_bom_and_1969),
      cmocka_unit_test(test_many_holidays),
      cmocka_unit_test(test_random_minutes),
      cmocka_unit_test(test_random_seconds),
      cmocka_unit_test(test_random_long_spans),
      cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
