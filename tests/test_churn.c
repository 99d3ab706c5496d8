/* Tests of cxm_store_churn(): the scoring time and cut-off it chooses, the
 * default and the fitted model, hand-worked scores and drivers, rows equal
 * to the features scored by hand, ranking, no look-ahead past the scoring
 * time, bad arguments and every allocation failure. */
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
#include "test_specs.h"

#define DAY INT64_C(86400)
/* 2025-01-06 00:00 UTC, a Monday. */
#define MON INT64_C(1736121600)
#define NONE NAN

static void assert_near(double got, double want, double tol) {
  if (!(fabs(got - want) <= tol)) fail_msg("got %.17g, want %.17g (tolerance %.3g)", got, want, tol);
}

static cxm_churn *churn_of(const cxm_store *s, const cxm_churn_options *o) {
  cxm_churn *c = NULL;
  assert_int_equal(cxm_store_churn(&c, s, o), CXM_OK);
  assert_non_null(c);
  return c;
}

static cxm_churn_row row_at(const cxm_churn *c, size_t rank) {
  cxm_churn_row r;
  cxm_churn_row_init(&r);
  assert_int_equal(r.size, sizeof r);
  assert_int_equal(cxm_churn_row_get(&r, c, rank), CXM_OK);
  return r;
}

static cxm_churn_info info_of(const cxm_churn *c) {
  cxm_churn_info info;
  cxm_churn_info_init(&info);
  assert_int_equal(info.size, sizeof info);
  assert_int_equal(cxm_churn_info_get(&info, c), CXM_OK);
  return info;
}

static uint32_t handle_of(const cxm_store *s, const char *id) {
  uint32_t h;
  assert_int_equal(cxm_store_find_customer(&h, s, id, strlen(id)), CXM_OK);
  return h;
}

/* Two customers on one day, no purchases, no churn events: the default
 * model scores them. Hand-worked with docs/churn.md's coefficients
 * (intercept -2.5; no_purchase 0.5, promoter -0.5, complaints 0.3,
 * silence_weeks 0.02, recent_complaints 0.3), scored at the midnight after
 * the last event, so silence is 1 day = 1/7 week for both:
 *   a (one complaint, recent): -2.5 + 0.5 + 0.3 + 0.02/7 + 0.3 = -1.397142857142857
 *   b (NPS 10):         -2.5 + 0.5 - 0.5 + 0.02/7 = -2.497142857142857 */
static void test_default_model_hand_worked(void **state) {
  static const spec events[] = {
      {"a", MON + 10 * 3600, CXM_KIND_COMPLAINT, NONE, 0, NULL, 0},
      {"b", MON + 11 * 3600, CXM_KIND_NPS, 10, 0, NULL, 0},
  };
  cxm_store *s = spec_store(events, 2, 0);
  cxm_churn *c = churn_of(s, NULL);
  cxm_churn_info info = info_of(c);
  cxm_churn_row a, b;
  (void)state;
  assert_int_equal(info.scored_at, MON + DAY);
  assert_int_equal(info.cutoff, MON + DAY - 90 * DAY);
  assert_int_equal(info.fitted, 0);
  assert_int_equal(info.evaluation.rows, 0);
  assert_near(info.model.intercept, -2.5, 0);
  {
    cxm_model pm; /* no purchases: no purchase model */
    cxm_model_init(&pm);
    assert_int_equal(cxm_churn_purchase_model(&pm, c), CXM_E_NOT_FOUND);
  }
  assert_int_equal(cxm_churn_count(c), 2);
  a = row_at(c, 0);
  b = row_at(c, 1);
  assert_int_equal(a.handle, handle_of(s, "a"));
  assert_int_equal(b.handle, handle_of(s, "b"));
  assert_near(a.logit, -1.397142857142857, 1e-14);
  assert_near(b.logit, -2.497142857142857, 1e-14);
  assert_near(a.risk, 1.0 / (1.0 + exp(1.397142857142857)), 1e-15);
  assert_near(b.risk, 1.0 / (1.0 + exp(2.497142857142857)), 1e-15);
  assert_int_equal(a.band, CXM_RISK_LOW);            /* 0.198 */
  assert_true(isnan(a.p_alive) && isnan(b.p_alive)); /* no purchases */
  /* Drivers against the baseline customer (the lower median of each
   * feature over a and b): no_purchase 1, complaints 0, promoter 0, the
   * same silence. Only a's complaint lifts a risk above it (as a
   * complaint and as a recent one, in feature order); b's promoter
   * weighs -0.5 (not a driver), and no feature both share (no purchase,
   * one day of silence) is a driver: no "silence_weeks +0.00". */
  assert_near(info.baseline[CXM_FEATURE_NO_PURCHASE], 1.0, 0);
  assert_near(info.baseline[CXM_FEATURE_COMPLAINTS], 0.0, 0);
  assert_near(info.baseline[CXM_FEATURE_SILENCE], 1.0 / 7.0, 1e-15);
  assert_int_equal(a.driver_count, 2);
  assert_int_equal(a.drivers[0], CXM_FEATURE_COMPLAINTS);
  assert_int_equal(a.drivers[1], CXM_FEATURE_RECENT_COMPLAINTS);
  assert_int_equal(a.drivers[2], -1);
  assert_near(a.driver_weights[CXM_FEATURE_RECENT_COMPLAINTS], 0.3, 1e-15);
  assert_near(a.driver_weights[CXM_FEATURE_COMPLAINTS], 0.3, 1e-15);
  assert_near(a.driver_weights[CXM_FEATURE_SILENCE], 0.0, 0);
  assert_near(a.contributions[CXM_FEATURE_COMPLAINTS], 0.3, 1e-15);
  assert_int_equal(b.driver_count, 0);
  assert_int_equal(b.drivers[0], -1);
  assert_near(b.driver_weights[CXM_FEATURE_PROMOTER], -0.5, 1e-15);
  assert_near(b.contributions[CXM_FEATURE_PROMOTER], -0.5, 1e-15);
  assert_near(b.features[CXM_FEATURE_PROMOTER], 1.0, 0);
  assert_int_equal(info.source, CXM_CHURN_SOURCE_DEFAULT);
  assert_true(isnan(info.heldout_auc[0]) && isnan(info.margin));
  cxm_churn_free(c);
  cxm_store_free(s);
}

/* 200 customers buying weekly from day 0; the "bad" ones answer NPS 2 and
 * churn in the horizon, the others answer NPS 10 and stay. Bad are those
 * numbered 2, 3, 6, 7, ... (both halves of the even/odd handle split hold
 * 50 of each class: the models are compared), or with `aligned` the
 * odd-numbered ones (the even, training half has no churner: the default
 * model). With `nps_apart` every customer buys alike up to the training
 * cut-off (weekly for 14 weeks) and the bad ones answer 10, the others 2:
 * only the NPS answer tells the churners apart there, and the wrong way
 * round for the default model (the fitted model is chosen). */
static cxm_store *planted(int aligned, int nps_apart) {
  cxm_store *s;
  char id[16];
  int i, w;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = 0; i < 200; i++) {
    int bad = aligned ? i % 2 : (i / 2) % 2;
    snprintf(id, sizeof id, "c%03d", i);
    for (w = 0; w < 14 - (nps_apart ? 0 : 4 * bad); w++) {
      spec p = {id, MON + (7 * w + i % 5) * DAY + 3600, CXM_KIND_PURCHASE, 20, 0, NULL, 0};
      spec_record(s, &p);
    }
    {
      spec n = {id, MON + (60 + i % 40) * DAY, CXM_KIND_NPS, bad != nps_apart ? 2 : 10, 0, NULL, 0};
      spec_record(s, &n);
    }
    if (bad) {
      spec ch = {id, MON + (120 + i % 40) * DAY, CXM_KIND_CHURN, NONE, 0, NULL, 0};
      spec_record(s, &ch);
    } else {
      spec late = {id, MON + 199 * DAY, CXM_KIND_PURCHASE, 5, 0, NULL, 0};
      spec_record(s, &late);
    }
  }
  return s;
}

static cxm_store *planted_store(int aligned) { return planted(aligned, 0); }

static cxm_store *nps_store(void) { return planted(0, 1); }

/* The selection follows its documented rule on the held-out figures, and
 * the rows are cxm_store_features() as of scored_at scored by the chosen
 * model. */
static void test_fitted_model_equals_pipeline(void **state) {
  cxm_store *s = planted_store(0);
  cxm_churn_options o;
  cxm_feature_options fo;
  cxm_risk_model model;
  cxm_risk_evaluation ev;
  cxm_features *f = NULL;
  int32_t fitted = 0;
  size_t i, seen = 0;
  cxm_churn *c;
  cxm_churn_info info;
  (void)state;
  cxm_churn_options_init(&o);
  o.scored_at = MON + 200 * DAY;
  c = churn_of(s, &o);
  info = info_of(c);
  assert_int_equal(info.cutoff, MON + 110 * DAY);
  assert_int_equal(info.train_rows, 200);
  assert_int_equal(info.train_lost, 100);
  assert_int_equal(info.evaluation.rows, 100); /* odd handles held out */
  assert_int_equal(info.evaluation.positives, 50);
  for (i = 0; i < 3; i++) assert_true(info.heldout_auc[i] >= 0 && info.heldout_auc[i] <= 1);
  assert_near(info.heldout_auc[CXM_CHURN_SOURCE_FITTED], info.evaluation.auc, 0);
  assert_true(info.margin >= CXM_CHURN_MIN_MARGIN);
  {
    const double *a = info.heldout_auc, *ll = info.heldout_log_loss;
    int want_fitted = a[1] >= fmax(a[0], a[2]) + info.margin && ll[1] < ll[0] && ll[1] < ll[2];
    int32_t want = want_fitted ? CXM_CHURN_SOURCE_FITTED
                               : (a[2] >= a[0] ? CXM_CHURN_SOURCE_PURCHASE : CXM_CHURN_SOURCE_DEFAULT);
    assert_int_equal(info.source, want);
    assert_int_equal(info.fitted, want_fitted);
  }
  (void)model;
  (void)ev;
  (void)fitted;

  /* The churned customers are gone by day 200: 100 rows, all retained. */
  cxm_feature_options_init(&fo);
  fo.cutoff = MON + 200 * DAY;
  fo.horizon_seconds = 0;
  assert_int_equal(cxm_store_features(&f, s, &fo), CXM_OK);
  assert_int_equal(cxm_churn_count(c), cxm_features_count(f));
  assert_int_equal(cxm_churn_count(c), 100);
  for (i = 0; i < cxm_churn_count(c); i++) {
    cxm_churn_row r = row_at(c, i);
    double x[CXM_FEATURE_COUNT], p, sum = info.model.intercept;
    uint32_t h;
    size_t k;
    /* find this handle's feature row */
    for (k = 0; k < cxm_features_count(f); k++) {
      assert_int_equal(cxm_features_row_get(x, CXM_FEATURE_COUNT, &h, NULL, f, k), CXM_OK);
      if (h == r.handle) break;
    }
    assert_true(k < cxm_features_count(f));
    seen++;
    assert_memory_equal(x, r.features, sizeof x);
    assert_int_equal(cxm_risk_score(&p, &info.model, x), CXM_OK);
    assert_true(p == r.risk);
    for (k = 0; k < CXM_FEATURE_COUNT; k++) sum += r.contributions[k];
    assert_near(sum, r.logit, 1e-12);
    assert_int_equal(r.band, cxm_risk_band(r.risk));
    /* Everyone bought: P(alive) is the purchase model's, 1 - purchase_risk. */
    assert_true(r.p_alive > 0 && r.p_alive <= 1);
    assert_near(r.p_alive, 1.0 - x[CXM_FEATURE_PURCHASE_RISK], 1e-15);
    if (i > 0) {
      cxm_churn_row prev = row_at(c, i - 1);
      assert_true(prev.risk > r.risk || (prev.risk == r.risk && prev.handle < r.handle));
    }
  }
  assert_int_equal(seen, 100);
  cxm_features_free(f);
  cxm_churn_free(c);
  cxm_store_free(s);
}

/* A runner (cxm_churn_options.run_tasks) that records what it was asked
 * and runs the tasks in reverse order, or skips the last one. */
typedef struct runner_log {
  int calls;
  uint32_t count;
  int skip_last;
} runner_log;

static void reverse_runner(void *user, cxm_task_fn task, void *arg, uint32_t count) {
  runner_log *log = user;
  log->calls++;
  log->count = count;
  for (uint32_t i = count; i > (log->skip_last ? 1u : 0u); i--) task(arg, i - 1);
}

/* Every byte of a result that a caller can read. */
static void assert_same_churn(const cxm_churn *a, const cxm_churn *b) {
  cxm_churn_info ia = info_of(a), ib = info_of(b);
  assert_memory_equal(&ia, &ib, sizeof ia);
  assert_int_equal(cxm_churn_count(a), cxm_churn_count(b));
  for (size_t i = 0; i < cxm_churn_count(a); i++) {
    cxm_churn_row ra = row_at(a, i), rb = row_at(b, i);
    assert_memory_equal(&ra, &rb, sizeof ra);
  }
}

/* The independent parts handed to run_tasks, in any order, give the same
 * bits as one after another, whichever model is chosen (the purchase model
 * on the planted store, the fitted one on nps_store()); a runner that
 * skips one is CXM_E_STATE. */
static void test_run_tasks(void **state) {
  cxm_store *s = planted_store(0);
  cxm_churn_options o;
  runner_log log = {0, 0, 0};
  cxm_churn *plain, *ran, *c = NULL;
  (void)state;
  cxm_churn_options_init(&o);
  assert_null(o.run_tasks);
  assert_null(o.run_tasks_user);
  o.scored_at = MON + 200 * DAY;
  plain = churn_of(s, &o);
  assert_true(info_of(plain).train_rows > 0); /* the model was chosen from labels */
  o.run_tasks = reverse_runner;
  o.run_tasks_user = &log;
  ran = churn_of(s, &o);
  assert_int_equal(info_of(ran).source, CXM_CHURN_SOURCE_PURCHASE);
  assert_int_equal(log.calls, 1);
  assert_int_equal(log.count, 2);
  assert_same_churn(plain, ran);
  cxm_churn_free(plain);
  cxm_churn_free(ran);
  /* Purchases alike, NPS apart: the fitted model is chosen. */
  {
    cxm_store *t = nps_store();
    o.run_tasks = NULL;
    plain = churn_of(t, &o);
    assert_int_equal(info_of(plain).source, CXM_CHURN_SOURCE_FITTED);
    o.run_tasks = reverse_runner;
    log.calls = 0;
    ran = churn_of(t, &o);
    assert_int_equal(log.calls, 1);
    assert_same_churn(plain, ran);
    cxm_store_free(t);
  }
  log.skip_last = 1;
  assert_int_equal(cxm_store_churn(&c, s, &o), CXM_E_STATE);
  assert_null(c);
  cxm_churn_free(plain);
  cxm_churn_free(ran);
  cxm_store_free(s);
}

/* A split whose training half has one class gives the default model
 * (fitted 0, no evaluation), not an error. */
static void test_one_class_training_half(void **state) {
  cxm_store *s = planted_store(1);
  cxm_churn_options o;
  cxm_churn *c;
  cxm_churn_info info;
  cxm_risk_model def;
  (void)state;
  cxm_churn_options_init(&o);
  o.scored_at = MON + 200 * DAY;
  c = churn_of(s, &o);
  info = info_of(c);
  assert_int_equal(info.fitted, 0);
  assert_int_equal(info.evaluation.rows, 0);
  assert_int_equal(cxm_feature_default_model(&def), CXM_OK);
  assert_memory_equal(&def, &info.model, sizeof def);
  assert_int_equal(cxm_churn_count(c), 100);
  cxm_churn_free(c);
  cxm_store_free(s);
}

/* Events after the scoring time change nothing: not the model (its labels
 * stop at scored_at), not a row. */
static void test_no_look_ahead(void **state) {
  cxm_store *s = planted_store(0);
  cxm_churn_options o;
  cxm_churn *before, *after;
  size_t i;
  (void)state;
  cxm_churn_options_init(&o);
  o.scored_at = MON + 200 * DAY;
  before = churn_of(s, &o);
  for (i = 0; i < 40; i += 2) {
    char id[16];
    snprintf(id, sizeof id, "c%02d", (int)i);
    spec later[] = {{id, MON + 201 * DAY, CXM_KIND_CHURN, NONE, 0, NULL, 0},
                    {id, MON + 202 * DAY, CXM_KIND_NPS, 0, 0, NULL, 0},
                    {id, MON + 203 * DAY, CXM_KIND_PURCHASE, 100, 0, NULL, 0}};
    spec_record(s, &later[0]);
    spec_record(s, &later[1]);
    spec_record(s, &later[2]);
  }
  after = churn_of(s, &o);
  assert_int_equal(cxm_churn_count(before), cxm_churn_count(after));
  {
    cxm_churn_info x = info_of(before), y = info_of(after);
    assert_memory_equal(&x, &y, sizeof x);
  }
  for (i = 0; i < cxm_churn_count(before); i++) {
    cxm_churn_row x = row_at(before, i), y = row_at(after, i);
    assert_memory_equal(&x, &y, sizeof x);
  }
  cxm_churn_free(before);
  cxm_churn_free(after);
  cxm_store_free(s);
}

/* One customer, one event: one row, the default model, cutoff before 1970
 * handled. Scoring before the first event: no rows. */
static void test_edges(void **state) {
  static const spec one[] = {{"solo", 3600, CXM_KIND_CES, 2, 0, NULL, 0}};
  cxm_store *s = spec_store(one, 1, 0);
  cxm_churn_options o;
  cxm_churn *c = churn_of(s, NULL);
  cxm_churn_info info = info_of(c);
  cxm_churn_row r;
  (void)state;
  assert_int_equal(info.scored_at, DAY);
  assert_int_equal(info.cutoff, DAY - 90 * DAY);
  assert_int_equal(info.fitted, 0);
  assert_int_equal(cxm_churn_count(c), 1);
  r = row_at(c, 0);
  assert_near(r.features[CXM_FEATURE_HIGH_EFFORT], 1.0, 0);
  assert_int_equal(cxm_churn_row_get(&r, c, 1), CXM_E_NOT_FOUND);
  cxm_churn_free(c);
  cxm_churn_options_init(&o);
  o.scored_at = 0; /* nothing happened before 1970-01-01 */
  c = churn_of(s, &o);
  assert_int_equal(cxm_churn_count(c), 0);
  assert_int_equal(cxm_churn_row_get(&r, c, 0), CXM_E_NOT_FOUND);
  cxm_churn_free(c);
  cxm_store_free(s);
  /* The last representable second: scored at the midnight after it,
   * 10000-01-01, which is CXM_TIME_MAX + 1. */
  {
    static const spec last[] = {{"late", CXM_TIME_MAX, CXM_KIND_NPS, 7, 0, NULL, 0}};
    s = spec_store(last, 1, 0);
    c = churn_of(s, NULL);
    info = info_of(c);
    assert_int_equal(info.scored_at, CXM_TIME_MAX + 1);
    assert_int_equal(cxm_churn_count(c), 1);
    cxm_churn_free(c);
    cxm_churn_options_init(&o);
    o.scored_at = CXM_TIME_MAX + 1 + DAY;
    assert_int_equal(cxm_store_churn(&c, s, &o), CXM_E_WINDOW);
    cxm_store_free(s);
  }
}

static void test_bad_arguments(void **state) {
  static const spec one[] = {{"x", MON, CXM_KIND_NPS, 5, 0, NULL, 0}};
  cxm_store *empty, *s = spec_store(one, 1, 0);
  cxm_churn *c = (cxm_churn *)&c; /* must be reset to NULL on error */
  cxm_churn_options o;
  cxm_churn_row r;
  cxm_churn_info info;
  (void)state;
  assert_int_equal(cxm_store_new(&empty, NULL), CXM_OK);
  assert_int_equal(cxm_store_churn(NULL, s, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_churn(&c, NULL, NULL), CXM_E_ARG);
  assert_null(c);
  assert_int_equal(cxm_store_churn(&c, empty, NULL), CXM_E_NO_DATA);
  cxm_churn_options_init(&o);
  o.size = 1;
  assert_int_equal(cxm_store_churn(&c, s, &o), CXM_E_SIZE);
  cxm_churn_options_init(&o);
  o.scored_at = MON + 1;
  assert_int_equal(cxm_store_churn(&c, s, &o), CXM_E_WINDOW);
  o.scored_at = -DAY;
  assert_int_equal(cxm_store_churn(&c, s, &o), CXM_E_WINDOW);
  cxm_churn_options_init(&o);
  o.horizon_seconds = 0;
  assert_int_equal(cxm_store_churn(&c, s, &o), CXM_E_OPTION);
  o.horizon_seconds = DAY + 1;
  assert_int_equal(cxm_store_churn(&c, s, &o), CXM_E_OPTION);
  cxm_churn_options_init(&o);
  o.purchase_model = 99;
  assert_int_equal(cxm_store_churn(&c, s, &o), CXM_E_OPTION);
  cxm_churn_options_init(&o);
  o.sla_target_seconds = -1;
  assert_int_equal(cxm_store_churn(&c, s, &o), CXM_E_OPTION);
  assert_null(c);

  c = churn_of(s, NULL);
  memset(&r, 0, sizeof r);
  assert_int_equal(cxm_churn_row_get(&r, c, 0), CXM_E_SIZE);
  assert_int_equal(cxm_churn_row_get(NULL, c, 0), CXM_E_ARG);
  r.size = sizeof r;
  assert_int_equal(cxm_churn_row_get(&r, NULL, 0), CXM_E_ARG);
  memset(&info, 0, sizeof info);
  assert_int_equal(cxm_churn_info_get(&info, c), CXM_E_SIZE);
  info.size = sizeof info;
  assert_int_equal(cxm_churn_info_get(&info, NULL), CXM_E_ARG);
  assert_int_equal(cxm_churn_count(NULL), 0);
  cxm_churn_free(NULL);
  cxm_churn_info_init(NULL);
  cxm_churn_row_init(NULL);
  cxm_churn_free(c);
  cxm_store_free(s);
  cxm_store_free(empty);
}

/* Every allocation of the call failed in turn: CXM_E_NOMEM, nothing
 * leaked, and the call that finally succeeds gives the normal result. */
static void test_allocation_failures(void **state) {
  failing_alloc f = {FAILING_PAUSED, 0, 0};
  cxm_allocator hooks = failing_hooks(&f);
  cxm_store_options so;
  cxm_store *s, *plain = planted_store(0);
  cxm_churn_options o;
  cxm_churn *want, *c = NULL;
  long n;
  int32_t rc = CXM_E_NOMEM;
  size_t i;
  (void)state;
  cxm_store_options_init(&so);
  so.allocator = &hooks;
  assert_int_equal(cxm_store_new(&s, &so), CXM_OK);
  for (i = 0; i < 40; i++) { /* the planted events again, into the failing store */
    char id[16];
    snprintf(id, sizeof id, "c%02d", (int)i);
    spec e = {id, MON + (60 + (int64_t)i) * DAY, CXM_KIND_NPS, i % 2 ? 2 : 10, 0, NULL, 0};
    spec_record(s, &e);
  }
  cxm_churn_options_init(&o);
  o.scored_at = MON + 200 * DAY;
  want = churn_of(s, &o);
  for (n = 0; rc == CXM_E_NOMEM; n++) {
    int64_t live = f.live_bytes;
    f.remaining = n;
    rc = cxm_store_churn(&c, s, &o);
    f.remaining = FAILING_PAUSED;
    if (rc == CXM_E_NOMEM) {
      assert_null(c);
      assert_int_equal(f.live_bytes, live);
    }
  }
  assert_int_equal(rc, CXM_OK);
  assert_true(n > 3);
  assert_int_equal(cxm_churn_count(c), cxm_churn_count(want));
  for (i = 0; i < cxm_churn_count(c); i++) {
    cxm_churn_row x = row_at(c, i), y = row_at(want, i);
    assert_memory_equal(&x, &y, sizeof x);
  }
  cxm_churn_free(c);
  cxm_churn_free(want);
  cxm_store_free(s);
  cxm_store_free(plain);
  assert_int_equal(f.live_bytes, 0);
}

/* Value at risk: each row's expected value is the purchase model's
 * conditional expected purchases in the horizon (weeks) times the
 * Gamma-Gamma expected spend (or the documented fallback), both fitted on
 * the summaries as of scored_at; value_at_risk = risk x it; the info's
 * totals are their sums; CXM_CHURN_RANK_VALUE orders by value at risk. */
static void test_value_at_risk(void **state) {
  cxm_store *s = planted_store(0);
  cxm_churn_options o;
  cxm_churn *c, *cv;
  cxm_churn_info info;
  cxm_rfm *rfm = NULL;
  cxm_rfm_options ro;
  cxm_model m, gg;
  size_t i, checked = 0;
  double total = 0, total_risk = 0, prev = INFINITY;
  int32_t rc;
  (void)state;
  cxm_churn_options_init(&o);
  assert_int_equal(o.rank, CXM_CHURN_RANK_RISK);
  o.scored_at = MON + 200 * DAY;
  c = churn_of(s, &o);
  info = info_of(c);
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  cxm_rfm_options_init(&ro);
  ro.to = o.scored_at;
  assert_int_equal(cxm_store_rfm(rfm, s, &ro), CXM_OK);
  cxm_model_init(&m);
  rc = cxm_model_fit(&m, rfm, CXM_MODEL_MBGNBD, NULL);
  assert_true(rc == CXM_OK || rc == CXM_E_CONVERGE);
  {
    /* The scoring's purchase model is that fit, bit for bit (cxm churn
     * prints it instead of fitting it again). */
    cxm_model pm;
    cxm_model_init(&pm);
    assert_int_equal(cxm_churn_purchase_model(&pm, c), CXM_OK);
    assert_memory_equal(&pm, &m, sizeof m);
    assert_int_equal(cxm_churn_purchase_model(NULL, c), CXM_E_ARG);
    assert_int_equal(cxm_churn_purchase_model(&pm, NULL), CXM_E_ARG);
    pm.size = 8;
    assert_int_equal(cxm_churn_purchase_model(&pm, c), CXM_E_SIZE);
  }
  cxm_model_init(&gg);
  {
    cxm_fit_options fo; /* fewer than 4 000 repeat buyers: every one, at most 100 iterations */
    cxm_fit_options_init(&fo);
    fo.max_iterations = 100;
    rc = cxm_model_fit(&gg, rfm, CXM_MODEL_GAMMA_GAMMA, &fo);
  }
  assert_int_equal(info.spend_fitted, rc == CXM_OK);
  for (i = 0; i < cxm_churn_count(c); i++) {
    cxm_churn_row r = row_at(c, i);
    const char *id;
    size_t len, k;
    assert_int_equal(cxm_store_customer_id(&id, &len, s, r.handle), CXM_OK);
    for (k = 0; k < cxm_rfm_count(rfm); k++) {
      cxm_rfm_customer cu;
      double e, spend;
      cxm_rfm_customer_init(&cu);
      assert_int_equal(cxm_rfm_get(&cu, rfm, k), CXM_OK);
      if (cu.id_len != len || memcmp(cu.id, id, len) != 0) continue;
      assert_int_equal(cxm_model_expected(&e, &m, 90.0 / 7.0, cu.x, cu.t_x, cu.T), CXM_OK);
      if (info.spend_fitted)
        assert_int_equal(cxm_model_expected_spend(&spend, &gg, cu.x, cu.x > 0 ? cu.monetary : 1.0), CXM_OK);
      else
        spend = cu.monetary;
      assert_true(cu.x > 0);
      assert_near(r.expected_value, e * spend, 1e-9 * e * spend);
      checked++;
    }
    assert_true(r.expected_value > 0);
    assert_true(r.value_at_risk == r.risk * r.expected_value);
    total += r.expected_value;
    total_risk += r.value_at_risk;
  }
  assert_int_equal(checked, cxm_churn_count(c));
  assert_near(info.expected_value, total, 1e-9 * total);
  assert_near(info.value_at_risk, total_risk, 1e-9 * total_risk);
  o.rank = CXM_CHURN_RANK_VALUE;
  cv = churn_of(s, &o);
  assert_int_equal(cxm_churn_count(cv), cxm_churn_count(c));
  for (i = 0; i < cxm_churn_count(cv); i++) {
    cxm_churn_row r = row_at(cv, i);
    assert_true(r.value_at_risk <= prev);
    prev = r.value_at_risk;
  }
  o.rank = 2;
  {
    cxm_churn *bad = NULL;
    assert_int_equal(cxm_store_churn(&bad, s, &o), CXM_E_OPTION);
    assert_null(bad);
  }
  cxm_churn_free(cv);
  cxm_churn_free(c);
  cxm_rfm_free(rfm);
  cxm_store_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_model_hand_worked),
      cmocka_unit_test(test_value_at_risk),
      cmocka_unit_test(test_fitted_model_equals_pipeline),
      cmocka_unit_test(test_run_tasks),
      cmocka_unit_test(test_one_class_training_half),
      cmocka_unit_test(test_no_look_ahead),
      cmocka_unit_test(test_edges),
      cmocka_unit_test(test_bad_arguments),
      cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
