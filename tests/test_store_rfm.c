/* Tests of per-customer purchase summaries built from a store's events:
 * hand-worked cases, and the CDNOW sample rebuilt from its raw
 * transactions, which must equal the published summary (BTYD's
 * cdnowSummary, unrounded) customer by customer. */
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

#define DAY INT64_C(86400)

static void purchase(cxm_store *s, const char *customer, int64_t time, double amount) {
  cxm_event e;
  cxm_event_init(&e);
  e.customer = customer;
  e.customer_len = strlen(customer);
  e.time = time;
  e.kind = CXM_KIND_PURCHASE;
  e.has_value = 1;
  e.value = amount;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
}

static void test_hand_worked(void **state) {
  cxm_store *s;
  cxm_rfm *rfm;
  cxm_rfm_options o;
  cxm_rfm_customer c;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  /* A: days 14, 0 (twice: one transaction of 15), 7, and 25 (after the end);
   * out of order on purpose */
  purchase(s, "A", 14 * DAY + 500, 30);
  purchase(s, "A", 0 * DAY + 10, 10);
  purchase(s, "A", 7 * DAY + 3600, 20);
  purchase(s, "A", 0 * DAY + 7000, 5);
  purchase(s, "A", 25 * DAY, 99);
  purchase(s, "B", 3 * DAY, 12);  /* one purchase: x = 0 */
  purchase(s, "C", 20 * DAY, 50); /* first purchase on the last day: T = 0, left out */
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  cxm_rfm_options_init(&o);
  o.to = 21 * DAY;         /* observation ends with day 20 */
  o.holdout_to = 28 * DAY; /* holdout: days 21..27 */
  assert_int_equal(cxm_store_rfm(rfm, s, &o), CXM_OK);
  assert_int_equal(cxm_rfm_count(rfm), 2);
  cxm_rfm_customer_init(&c);
  assert_int_equal(cxm_rfm_get(&c, rfm, 0), CXM_OK);
  assert_int_equal(c.id_len, 1);
  assert_memory_equal(c.id, "A", 1);
  assert_int_equal(c.x, 2);                      /* days 0, 7, 14: birth + 2 repeats */
  assert_true(fabs(c.t_x - 14.0 / 7.0) < 1e-15); /* day 14 - day 0, in weeks */
  assert_true(fabs(c.T - 20.0 / 7.0) < 1e-15);   /* day 20 - day 0 */
  assert_true(fabs(c.monetary - 25.0) < 1e-12);  /* (20 + 30) / 2; the birth day's 15 is not a repeat */
  assert_true(c.x_star == 1.0);                  /* day 25 */
  assert_int_equal(cxm_rfm_get(&c, rfm, 1), CXM_OK);
  assert_int_equal(c.x, 0);
  assert_true(c.t_x == 0 && fabs(c.T - 17.0 / 7.0) < 1e-15);
  assert_true(isnan(c.monetary));
  assert_true(c.x_star == 0.0);
  cxm_rfm_free(rfm);

  /* days as the unit, everything observed (through the last event's day 25) */
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  cxm_rfm_options_init(&o);
  o.unit_seconds = 86400;
  assert_int_equal(cxm_store_rfm(rfm, s, &o), CXM_OK);
  assert_int_equal(cxm_rfm_count(rfm), 3);
  assert_int_equal(cxm_rfm_get(&c, rfm, 0), CXM_OK);
  assert_int_equal(c.x, 3);
  assert_true(c.t_x == 25 && c.T == 25 && isnan(c.x_star));
  /* bad options leave the set as it was */
  o.to = 21 * DAY + 1;
  assert_int_equal(cxm_store_rfm(rfm, s, &o), CXM_E_WINDOW);
  cxm_rfm_options_init(&o);
  o.holdout_to = 28 * DAY; /* a holdout needs `to` */
  assert_int_equal(cxm_store_rfm(rfm, s, &o), CXM_E_WINDOW);
  o.to = 28 * DAY; /* and must end after it */
  assert_int_equal(cxm_store_rfm(rfm, s, &o), CXM_E_WINDOW);
  cxm_rfm_options_init(&o);
  o.unit_seconds = 0;
  assert_int_equal(cxm_store_rfm(rfm, s, &o), CXM_E_OPTION);
  o.size = 1;
  assert_int_equal(cxm_store_rfm(rfm, s, &o), CXM_E_SIZE);
  assert_int_equal(cxm_rfm_count(rfm), 3);
  cxm_rfm_free(rfm);
  cxm_store_free(s);
}

/* Path of a file under tests/data/cdnow, from the source root meson gives. */
static FILE *open_data(const char *name) {
  char path[4096];
  const char *root = getenv("CXM_SOURCE_ROOT");
  snprintf(path, sizeof path, "%s/tests/data/cdnow/%s", root != NULL ? root : ".", name);
  return fopen(path, "rb");
}

/* Calendar weeks by hand: 1970-01-01 (day 0) was a Thursday, so days 3
 * (Sunday) and 4 (Monday) fall in weeks 0 and 1, days 4..10 in week 1.
 * Observation ends with day 20 (Wednesday, week 3). */
static void test_calendar_weeks(void **state) {
  cxm_store *s;
  cxm_rfm *rfm;
  cxm_rfm_options o;
  cxm_rfm_customer c;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  purchase(s, "A", 10 * DAY, 11); /* Sunday, week 1 (out of order on purpose) */
  purchase(s, "A", 3 * DAY, 5);   /* Sunday, week 0: the birth */
  purchase(s, "A", 4 * DAY, 7);   /* Monday, week 1 */
  purchase(s, "B", 18 * DAY, 9);  /* Monday of the last week: T = 0, left out */
  purchase(s, "C", 14 * DAY, 2);  /* Wednesday and Saturday of week 2: one transaction */
  purchase(s, "C", 17 * DAY, 3);
  purchase(s, "C", 22 * DAY, 4); /* Friday after the end (week 3): holdout */
  purchase(s, "C", 25 * DAY, 4); /* Monday, week 4: holdout */
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  cxm_rfm_options_init(&o);
  o.to = 21 * DAY;
  o.holdout_to = 28 * DAY;
  o.calendar_weeks = 1;
  assert_int_equal(cxm_store_rfm(rfm, s, &o), CXM_OK);
  assert_int_equal(cxm_rfm_count(rfm), 2);
  cxm_rfm_customer_init(&c);
  assert_int_equal(cxm_rfm_get(&c, rfm, 0), CXM_OK);
  assert_true(c.id_len == 1 && c.id[0] == 'A');
  assert_true(c.x == 1 && c.t_x == 1.0 && c.T == 3.0 && c.monetary == 18.0 && c.x_star == 0.0);
  assert_int_equal(cxm_rfm_get(&c, rfm, 1), CXM_OK);
  assert_true(c.id_len == 1 && c.id[0] == 'C');
  assert_true(c.x == 0 && c.t_x == 0.0 && c.T == 1.0 && isnan(c.monetary) && c.x_star == 2.0);
  cxm_rfm_free(rfm);
  cxm_store_free(s);
}

/* CDNOW_sample.txt: "masterid sampleid YYYYMMDD cds dollars" per line
 * (SOURCE.md). Every transaction becomes a purchase event of the sample
 * id; the calibration ends 1997-09-30 inclusive (to = 1997-10-01), the
 * holdout 1998-06-30 inclusive. The result must equal BTYD's published
 * summary for all 2 357 customers: x, t_x, T, x_star exactly (to 1e-9
 * weeks) and m_x (mean repeat spend) to a cent. */
static void test_cdnow_rebuilt(void **state) {
  FILE *f = open_data("CDNOW_sample.txt"), *ref;
  cxm_store *s;
  cxm_rfm *rfm;
  cxm_rfm_options o;
  char line[256];
  long rows = 0, checked = 0;
  double sum_x = 0, sum_x_star = 0;
  (void)state;
  assert_non_null(f);
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  while (fgets(line, sizeof line, f) != NULL) {
    unsigned master, id, date, cds;
    double dollars;
    char customer[16], text[32];
    int64_t t;
    assert_int_equal(sscanf(line, "%u %u %u %u %lf", &master, &id, &date, &cds, &dollars), 5);
    snprintf(customer, sizeof customer, "%u", id);
    snprintf(text, sizeof text, "%04u-%02u-%02uT00:00:00Z", date / 10000, date / 100 % 100, date % 100);
    assert_int_equal(cxm_time_parse(&t, text, strlen(text)), CXM_OK);
    purchase(s, customer, t, dollars);
    rows++;
  }
  fclose(f);
  assert_int_equal(rows, 6919);
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  cxm_rfm_options_init(&o);
  assert_int_equal(cxm_time_parse(&o.to, "1997-10-01T00:00:00Z", 20), CXM_OK);
  assert_int_equal(cxm_time_parse(&o.holdout_to, "1998-07-01T00:00:00Z", 20), CXM_OK);
  assert_int_equal(cxm_store_rfm(rfm, s, &o), CXM_OK);
  assert_int_equal(cxm_rfm_count(rfm), 2357);

  ref = open_data("btyd_cdnowSummary_cbs.csv");
  assert_non_null(ref);
  assert_non_null(fgets(line, sizeof line, ref)); /* header id,x,t_x,T_cal,x_star,m_x */
  while (fgets(line, sizeof line, ref) != NULL) {
    unsigned id;
    double x, t_x, T, x_star, m_x;
    char want[16];
    uint32_t handle;
    cxm_rfm_customer c;
    assert_int_equal(sscanf(line, "%u,%lf,%lf,%lf,%lf,%lf", &id, &x, &t_x, &T, &x_star, &m_x), 6);
    snprintf(want, sizeof want, "%u", id);
    /* Customers are added in handle order, and handles in order of first
     * appearance: find the customer's index through its handle. */
    assert_int_equal(cxm_store_find_customer(&handle, s, want, strlen(want)), CXM_OK);
    cxm_rfm_customer_init(&c);
    assert_int_equal(cxm_rfm_get(&c, rfm, handle), CXM_OK);
    assert_int_equal(c.id_len, strlen(want));
    assert_memory_equal(c.id, want, c.id_len);
    assert_true(c.x == (uint32_t)x);
    assert_true(fabs(c.t_x - t_x) < 1e-9);
    assert_true(fabs(c.T - T) < 1e-9);
    assert_true(c.x_star == x_star);
    if (c.x > 0) assert_true(fabs(c.monetary - m_x) < 0.005);
    sum_x += c.x;
    sum_x_star += c.x_star;
    checked++;
  }
  fclose(ref);
  assert_int_equal(checked, 2357);
  assert_true(sum_x == 2457);      /* SOURCE.md: sum of x */
  assert_true(sum_x_star == 1882); /* SOURCE.md: holdout total */

  /* Calendar weeks (Monday to Sunday): the summaries equal, customer by
   * customer, those pandas builds the way lifetimes does with freq "W"
   * (tests/data/cdnow/cdnow_weeks_reference.csv, written by
   * tools/calendar_weeks_reference.py): x, t_x, T and x_star exactly, the
   * mean repeat spend to 1e-9. */
  {
    cxm_rfm *wk;
    cxm_rfm_options wo = o;
    wo.calendar_weeks = 1;
    assert_int_equal(cxm_rfm_new(&wk, NULL), CXM_OK);
    assert_int_equal(cxm_store_rfm(wk, s, &wo), CXM_OK);
    ref = open_data("cdnow_weeks_reference.csv");
    assert_non_null(ref);
    assert_non_null(fgets(line, sizeof line, ref)); /* id,x,t_x,T,x_star,monetary */
    size_t rows_ref = 0;
    while (fgets(line, sizeof line, ref) != NULL) {
      unsigned id, x, t_x, T, x_star;
      double money = NAN;
      char want[16];
      uint32_t handle;
      cxm_rfm_customer c;
      int got = sscanf(line, "%u,%u,%u,%u,%u,%lf", &id, &x, &t_x, &T, &x_star, &money);
      assert_true(got == 5 || got == 6);
      snprintf(want, sizeof want, "%u", id);
      assert_int_equal(cxm_store_find_customer(&handle, s, want, strlen(want)), CXM_OK);
      cxm_rfm_customer_init(&c);
      assert_int_equal(cxm_rfm_get(&c, wk, handle), CXM_OK);
      assert_memory_equal(c.id, want, c.id_len);
      if (c.x != x || c.t_x != (double)t_x || c.T != (double)T || c.x_star != (double)x_star)
        fail_msg("customer %u: %u %g %g %g, pandas %u %u %u %u", id, c.x, c.t_x, c.T, c.x_star, x, t_x, T, x_star);
      if (got == 6) {
        assert_true(fabs(c.monetary - money) < 1e-9 * money);
      } else {
        assert_true(isnan(c.monetary));
      }
      rows_ref++;
    }
    fclose(ref);
    assert_int_equal(rows_ref, cxm_rfm_count(wk));
    assert_int_equal(rows_ref, 2357);
    /* A 0.1 caller's options end before calendar_weeks: days, whatever
     * lies beyond its size. */
    {
      cxm_rfm *old;
      struct {
        cxm_rfm_options o;
        char tail[16];
      } big;
      memset(&big, 0, sizeof big);
      big.o = wo; /* calendar_weeks = 1 beyond the declared size */
      big.o.size = offsetof(cxm_rfm_options, calendar_weeks);
      assert_int_equal(cxm_rfm_new(&old, NULL), CXM_OK);
      assert_int_equal(cxm_store_rfm(old, s, &big.o), CXM_OK);
      assert_int_equal(cxm_rfm_count(old), cxm_rfm_count(rfm));
      cxm_rfm_customer c0, c1;
      cxm_rfm_customer_init(&c0);
      cxm_rfm_customer_init(&c1);
      for (size_t i = 0; i < cxm_rfm_count(old); i++) {
        assert_int_equal(cxm_rfm_get(&c0, old, i), CXM_OK);
        assert_int_equal(cxm_rfm_get(&c1, rfm, i), CXM_OK);
        assert_true(c0.x == c1.x && c0.T == c1.T);
      }
      cxm_rfm_free(old);
    }
    /* Weeks need the week unit; the flag is 0 or 1. */
    wo.unit_seconds = 86400.0;
    assert_int_equal(cxm_store_rfm(wk, s, &wo), CXM_E_OPTION);
    wo.unit_seconds = 7.0 * 86400.0;
    wo.calendar_weeks = 2;
    assert_int_equal(cxm_store_rfm(wk, s, &wo), CXM_E_OPTION);
    cxm_rfm_free(wk);
  }

  /* The tracking plot (cxm_store_tracking): weekly from 1997-01-01 for 78
   * weeks, the actual cumulative repeat transactions equal BTYD's
   * cdnowSummary$cu.tracking (btyd_cdnowSummary_cu_tracking.csv) week by
   * week, and the expected series at the published BG/NBD parameters is
   * that of tools/tracking_reference.py (tests/test_cdnow.c checks all 78
   * weeks of it; weeks 1, 39 and 78 here). */
  cxm_tracking_options to;
  cxm_tracking_options_init(&to);
  assert_int_equal(cxm_time_parse(&to.from, "1997-01-01T00:00:00Z", 20), CXM_OK);
  cxm_model m;
  cxm_model_init(&m);
  m.kind = CXM_MODEL_BGNBD;
  m.param_count = 4;
  m.param[0] = 0.243;
  m.param[1] = 4.414;
  m.param[2] = 0.793;
  m.param[3] = 2.426;
  double actual[78], expected[78];
  assert_int_equal(cxm_store_tracking(actual, expected, 78, s, &m, &to), CXM_OK);
  ref = open_data("btyd_cdnowSummary_cu_tracking.csv");
  assert_non_null(ref);
  assert_non_null(fgets(line, sizeof line, ref)); /* header week,cum_repeat_transactions */
  int weeks = 0;
  while (fgets(line, sizeof line, ref) != NULL) {
    int week;
    double cum;
    assert_int_equal(sscanf(line, "%d,%lf", &week, &cum), 2);
    assert_int_equal(week, weeks + 1);
    if (actual[weeks] != cum) fail_msg("week %d: %.0f repeat transactions, BTYD %.0f", week, actual[weeks], cum);
    weeks++;
  }
  fclose(ref);
  assert_int_equal(weeks, 78);
  assert_true(fabs(expected[0] - 4.4124180897431193) < 1e-11 * 4.42);
  assert_true(fabs(expected[38] - 2505.1430138667906) < 1e-11 * 2505.2);
  assert_true(fabs(expected[77] - 4171.4335823032498) < 1e-11 * 4171.5);
  /* The cohort and the start: customers born from 1997-03-01 on only
   * (cohort_to 1997-03-01 leaves the others), and the default start (the
   * earliest birth, 1997-01-01 here) gives the same series. */
  double a2[78], e2[78], a3[78];
  cxm_tracking_options t2 = to;
  assert_int_equal(cxm_store_tracking(a2, NULL, 78, s, NULL, &t2), CXM_OK);
  assert_memory_equal(a2, actual, sizeof a2);
  t2.from = INT64_MIN;
  assert_int_equal(cxm_store_tracking(a2, e2, 78, s, &m, &t2), CXM_OK);
  assert_memory_equal(a2, actual, sizeof a2);
  assert_memory_equal(e2, expected, sizeof e2);
  t2 = to;
  assert_int_equal(cxm_time_parse(&t2.cohort_to, "1997-02-01T00:00:00Z", 20), CXM_OK);
  assert_int_equal(cxm_store_tracking(a3, NULL, 78, s, NULL, &t2), CXM_OK);
  assert_true(a3[77] > 0.0 && a3[77] < actual[77]);
  /* Errors. */
  t2 = to;
  t2.period_seconds = 1.5 * 86400.0;
  assert_int_equal(cxm_store_tracking(a2, NULL, 78, s, NULL, &t2), CXM_E_OPTION);
  t2 = to;
  t2.from += 3600;
  assert_int_equal(cxm_store_tracking(a2, NULL, 78, s, NULL, &t2), CXM_E_WINDOW);
  assert_int_equal(cxm_store_tracking(a2, e2, 78, s, NULL, &to), CXM_E_ARG);
  assert_int_equal(cxm_store_tracking(a2, NULL, 0, s, NULL, &to), CXM_E_VALUE);
  cxm_rfm_free(rfm);
  cxm_store_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hand_worked),
      cmocka_unit_test(test_calendar_weeks),
      cmocka_unit_test(test_cdnow_rebuilt),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
