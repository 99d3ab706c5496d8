/* Tests of per-customer churn features as of a cut-off: hand-worked values
 * for every feature, no leakage of events after the cut-off, customers who
 * churned before it left out, labels from the horizon, the default model. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cxm.h"

#define DAY INT64_C(86400)
/* 2025-01-06 is a Monday; the cut-off is Monday 2025-03-03 (day 20150). */
#define MON INT64_C(1736121600)
#define CUTOFF (MON + 56 * DAY)

static void ev(cxm_store *s, const char *customer, int64_t t, int32_t kind, double value, const char *ref) {
  cxm_event e;
  cxm_event_init(&e);
  e.customer = customer;
  e.customer_len = strlen(customer);
  e.time = t;
  e.kind = kind;
  e.has_value = !isnan(value);
  e.value = isnan(value) ? 0 : value;
  if (ref != NULL) {
    e.ref = ref;
    e.ref_len = strlen(ref);
  }
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
}

/* The row of a customer, or fail. */
static void row_of(double *v, int32_t *label, const cxm_features *f, const cxm_store *s, const char *customer) {
  uint32_t want, handle;
  size_t i;
  assert_int_equal(cxm_store_find_customer(&want, s, customer, strlen(customer)), CXM_OK);
  for (i = 0; i < cxm_features_count(f); i++) {
    assert_int_equal(cxm_features_row_get(v, CXM_FEATURE_COUNT, &handle, label, f, i), CXM_OK);
    if (handle == want) return;
  }
  fail_msg("no row for %s", customer);
}

static int has_row(const cxm_features *f, const cxm_store *s, const char *customer) {
  uint32_t want, handle;
  double v[CXM_FEATURE_COUNT];
  size_t i;
  if (cxm_store_find_customer(&want, s, customer, strlen(customer)) != CXM_OK) return 0;
  for (i = 0; i < cxm_features_count(f); i++) {
    assert_int_equal(cxm_features_row_get(v, CXM_FEATURE_COUNT, &handle, NULL, f, i), CXM_OK);
    if (handle == want) return 1;
  }
  return 0;
}

static void fill(cxm_store *s) {
  const double none = NAN;
  /* A: detractor now (latest 3 after a 9: drop 0.6), two high-effort CES in
   * the last 90 days, a contact opened 2 weeks before the cut-off and never
   * answered (breach: 10 business days > 8 h), a complaint, purchases on
   * days 0 and 14 (recency 6 weeks). */
  ev(s, "A", MON + 10 * 3600, CXM_KIND_PURCHASE, 20, NULL);
  ev(s, "A", MON + 14 * DAY + 3600, CXM_KIND_PURCHASE, 30, NULL);
  ev(s, "A", MON + 20 * DAY, CXM_KIND_NPS, 9, NULL);
  ev(s, "A", MON + 30 * DAY + 100, CXM_KIND_NPS, 3, NULL);
  ev(s, "A", MON + 31 * DAY, CXM_KIND_CES, 2, NULL);
  ev(s, "A", MON + 33 * DAY, CXM_KIND_CES, 1, NULL);
  ev(s, "A", MON + 34 * DAY, CXM_KIND_CES, 6, NULL);
  ev(s, "A", MON + 42 * DAY + 10 * 3600, CXM_KIND_CONTACT_OPEN, none, "k1");
  ev(s, "A", MON + 40 * DAY, CXM_KIND_COMPLAINT, none, NULL);
  /* B: promoter, a compliment, a resolved contact answered in an hour, an
   * internal 90 vs nps 6 pair (gap 30 -> 0.3); silent for 4 weeks. */
  ev(s, "B", MON + 28 * DAY + 10 * 3600, CXM_KIND_CONTACT_OPEN, none, "k2");
  ev(s, "B", MON + 28 * DAY + 11 * 3600, CXM_KIND_CONTACT_REPLY, none, "k2");
  ev(s, "B", MON + 28 * DAY + 12 * 3600, CXM_KIND_CONTACT_RESOLVE, none, "k2");
  ev(s, "B", MON + 28 * DAY + 13 * 3600, CXM_KIND_INTERNAL, 90, "k2");
  ev(s, "B", MON + 28 * DAY + 14 * 3600, CXM_KIND_NPS, 6, "k2");
  ev(s, "B", MON + 27 * DAY, CXM_KIND_NPS, 10, NULL);
  ev(s, "B", MON + 28 * DAY + 15 * 3600, CXM_KIND_NPS, 10, NULL);
  ev(s, "B", MON + 28 * DAY, CXM_KIND_COMPLIMENT, none, NULL);
  /* C churned before the cut-off: left out. D churns 30 days after: label 1. */
  ev(s, "C", MON + 5 * DAY, CXM_KIND_PURCHASE, 10, NULL);
  ev(s, "C", MON + 50 * DAY, CXM_KIND_CHURN, none, NULL);
  ev(s, "D", MON + 5 * DAY, CXM_KIND_PURCHASE, 10, NULL);
  ev(s, "D", CUTOFF + 30 * DAY, CXM_KIND_CHURN, none, NULL);
  /* E appears only after the cut-off: no row. */
  ev(s, "E", CUTOFF + DAY, CXM_KIND_NPS, 0, NULL);
}

static void test_features_hand_worked(void **state) {
  cxm_store *s;
  cxm_features *f = NULL;
  cxm_feature_options o;
  double v[CXM_FEATURE_COUNT];
  int32_t label;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  fill(s);
  cxm_feature_options_init(&o);
  o.cutoff = CUTOFF;
  o.label = CXM_LABEL_CHURN; /* the lapse labels: test_labels */
  assert_int_equal(cxm_store_features(&f, s, &o), CXM_OK);
  assert_int_equal(cxm_features_count(f), 3); /* A, B, D */
  assert_false(has_row(f, s, "C"));
  assert_false(has_row(f, s, "E"));

  row_of(v, &label, f, s, "A");
  assert_int_equal(label, 0);
  assert_true(v[CXM_FEATURE_NO_PURCHASE] == 0);
  assert_true(fabs(v[CXM_FEATURE_RECENCY] - 42.0 / 7.0) < 1e-12); /* day 14 to day 56 */
  assert_true(v[CXM_FEATURE_DETRACTOR] == 1 && v[CXM_FEATURE_PROMOTER] == 0);
  assert_true(fabs(v[CXM_FEATURE_NPS_DROP] - 0.6) < 1e-12); /* (9 - 3) / 10 */
  assert_true(v[CXM_FEATURE_HIGH_EFFORT] == 2);
  assert_true(v[CXM_FEATURE_OPEN_CONTACTS] == 1);
  assert_true(fabs(v[CXM_FEATURE_OPEN_AGE] - (14.0 * 86400 - 10 * 3600) / (7.0 * 86400)) < 1e-12);
  assert_true(v[CXM_FEATURE_BREACHES] == 1);
  assert_true(v[CXM_FEATURE_COMPLAINTS] == 1);
  assert_true(v[CXM_FEATURE_GAP] == 0);
  assert_true(fabs(v[CXM_FEATURE_SILENCE] - 14.0 / 7.0) < 1e-12); /* last touch: the contact, day 42 */
  assert_true(v[CXM_FEATURE_PURCHASE_RISK] >= 0 && v[CXM_FEATURE_PURCHASE_RISK] <= 1);

  row_of(v, &label, f, s, "B");
  assert_true(v[CXM_FEATURE_NO_PURCHASE] == 1 && v[CXM_FEATURE_RECENCY] == 0 && v[CXM_FEATURE_PURCHASE_RISK] == 0);
  assert_true(v[CXM_FEATURE_PROMOTER] == 1);                 /* latest: the 10 at 15:00 on day 28 */
  assert_true(fabs(v[CXM_FEATURE_NPS_DROP] - -0.4) < 1e-12); /* previous: the 6 at 14:00, (6 - 10) / 10 */
  assert_true(v[CXM_FEATURE_OPEN_CONTACTS] == 0 && v[CXM_FEATURE_BREACHES] == 0);
  assert_true(v[CXM_FEATURE_COMPLAINTS] == -1);
  assert_true(fabs(v[CXM_FEATURE_GAP] - 0.3) < 1e-12);
  assert_true(fabs(v[CXM_FEATURE_SILENCE] - 4.0) < 1e-12);

  row_of(v, &label, f, s, "D");
  assert_int_equal(label, 1);
  cxm_features_free(f);

  /* no labels with a zero horizon */
  o.horizon_seconds = 0;
  assert_int_equal(cxm_store_features(&f, s, &o), CXM_OK);
  row_of(v, &label, f, s, "D");
  assert_int_equal(label, -1);
  cxm_features_free(f);
  cxm_store_free(s);
}

/* Events after the cut-off never change a row. */
static void test_no_leakage(void **state) {
  cxm_store *a, *b;
  cxm_features *fa = NULL, *fb = NULL;
  cxm_feature_options o;
  size_t i;
  (void)state;
  assert_int_equal(cxm_store_new(&a, NULL), CXM_OK);
  assert_int_equal(cxm_store_new(&b, NULL), CXM_OK);
  fill(a);
  fill(b);
  /* the future: answers, complaints, a reply and a resolution of A's open
   * contact, new purchases, a rating of B's interaction */
  ev(b, "A", CUTOFF, CXM_KIND_NPS, 0, NULL);
  ev(b, "A", CUTOFF + 3600, CXM_KIND_COMPLAINT, NAN, NULL);
  ev(b, "A", CUTOFF + 7200, CXM_KIND_CES, 1, NULL);
  ev(b, "A", CUTOFF + 2 * DAY, CXM_KIND_CONTACT_REPLY, NAN, "k1");
  ev(b, "A", CUTOFF + 3 * DAY, CXM_KIND_CONTACT_RESOLVE, NAN, "k1");
  ev(b, "A", CUTOFF + 4 * DAY, CXM_KIND_PURCHASE, 99, NULL);
  ev(b, "B", CUTOFF + 5 * DAY, CXM_KIND_CSAT, 1, "k2");
  cxm_feature_options_init(&o);
  o.cutoff = CUTOFF;
  o.horizon_seconds = 0;
  assert_int_equal(cxm_store_features(&fa, a, &o), CXM_OK);
  assert_int_equal(cxm_store_features(&fb, b, &o), CXM_OK);
  assert_int_equal(cxm_features_count(fa), cxm_features_count(fb));
  for (i = 0; i < cxm_features_count(fa); i++) {
    double va[CXM_FEATURE_COUNT], vb[CXM_FEATURE_COUNT];
    uint32_t ha, hb;
    assert_int_equal(cxm_features_row_get(va, CXM_FEATURE_COUNT, &ha, NULL, fa, i), CXM_OK);
    assert_int_equal(cxm_features_row_get(vb, CXM_FEATURE_COUNT, &hb, NULL, fb, i), CXM_OK);
    assert_int_equal(ha, hb);
    assert_memory_equal(va, vb, sizeof va);
  }
  cxm_features_free(fa);
  cxm_features_free(fb);
  cxm_store_free(a);
  cxm_store_free(b);
}

static void test_options_and_default_model(void **state) {
  cxm_store *s;
  cxm_features *f = NULL;
  cxm_feature_options o;
  cxm_risk_model m;
  double x[CXM_FEATURE_COUNT] = {0}, p, contrib[CXM_FEATURE_COUNT], logit;
  int32_t i;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  cxm_feature_options_init(&o);
  assert_int_equal(cxm_store_features(&f, s, &o), CXM_E_WINDOW); /* no cut-off set */
  o.cutoff = CUTOFF + 1;
  assert_int_equal(cxm_store_features(&f, s, &o), CXM_E_WINDOW);
  o.cutoff = CUTOFF;
  o.horizon_seconds = 3600;
  assert_int_equal(cxm_store_features(&f, s, &o), CXM_E_OPTION);
  o.horizon_seconds = DAY;
  o.purchase_model = 9;
  assert_int_equal(cxm_store_features(&f, s, &o), CXM_E_OPTION);
  o.purchase_model = CXM_MODEL_PNBD;
  assert_int_equal(cxm_store_features(&f, s, &o), CXM_OK);
  assert_int_equal(cxm_features_count(f), 0); /* an empty store */
  assert_int_equal(cxm_features_row_get(x, CXM_FEATURE_COUNT, NULL, NULL, f, 0), CXM_E_NOT_FOUND);
  cxm_features_free(f);
  cxm_features_free(NULL);
  assert_int_equal(cxm_store_features(NULL, s, &o), CXM_E_ARG);
  assert_int_equal(cxm_store_features(&f, s, NULL), CXM_E_ARG);

  for (i = 0; i < CXM_FEATURE_COUNT; i++) assert_non_null(cxm_feature_name(i));
  assert_null(cxm_feature_name(CXM_FEATURE_COUNT));
  assert_string_equal(cxm_feature_name(CXM_FEATURE_DETRACTOR), "detractor");

  /* The default model: about 8% for a customer with no signal, more for a
   * detractor with open contacts; contributions add up to the logit. */
  assert_int_equal(cxm_feature_default_model(&m), CXM_OK);
  assert_int_equal(cxm_risk_score(&p, &m, x), CXM_OK);
  assert_true(fabs(p - 1.0 / (1.0 + exp(2.5))) < 1e-12);
  x[CXM_FEATURE_DETRACTOR] = 1;
  x[CXM_FEATURE_OPEN_CONTACTS] = 2;
  assert_int_equal(cxm_risk_score(&p, &m, x), CXM_OK);
  assert_true(fabs(p - 1.0 / (1.0 + exp(2.5 - 0.8 - 1.0))) < 1e-12);
  assert_int_equal(cxm_risk_explain(contrib, &logit, &m, x), CXM_OK);
  assert_true(fabs(contrib[CXM_FEATURE_OPEN_CONTACTS] - 1.0) < 1e-15);
  assert_true(fabs(logit - (-2.5 + 0.8 + 1.0)) < 1e-12);
  assert_int_equal(cxm_feature_default_model(NULL), CXM_E_ARG);
  cxm_store_free(s);
}

/* The label of `customer` under a rule and an activity. */
static int32_t label_under(const cxm_store *s, const char *customer, int32_t rule, int32_t activity) {
  cxm_features *f = NULL;
  cxm_feature_options o;
  double v[CXM_FEATURE_COUNT];
  int32_t label = -2;
  cxm_feature_options_init(&o);
  o.cutoff = CUTOFF;
  o.label = rule;
  o.activity = activity;
  assert_int_equal(cxm_store_features(&f, s, &o), CXM_OK);
  row_of(v, &label, f, s, customer);
  cxm_features_free(f);
  return label;
}

/* Labels by hand: a churn event, a lapse (no activity in the whole 90-day
 * window), both; purchases only or any customer-initiated activity. */
static void test_labels(void **state) {
  static const struct {
    const char *customer;
    int32_t churn, lapse_purchases, lapse_any, both_purchases;
  } want[] = {
      {"P", 0, 0, 0, 0}, /* buys in the window */
      {"Q", 0, 1, 0, 1}, /* only answers an NPS survey in the window */
      {"R", 1, 0, 0, 1}, /* buys, then sends a churn event in the window */
      {"S", 0, 1, 1, 1}, /* buys again only on the window's end (exclusive) */
      {"U", 0, 1, 0, 1}, /* only opens a contact in the window */
      {"V", 0, 1, 0, 1}, /* only complains in the window */
      {"W", 0, 1, 1, 1}, /* silent after the cut-off: a silent leaver */
  };
  cxm_store *s;
  size_t i;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = 0; i < sizeof want / sizeof want[0]; i++) {
    ev(s, want[i].customer, MON + DAY, CXM_KIND_PURCHASE, 10, NULL);
    ev(s, want[i].customer, MON + 40 * DAY, CXM_KIND_PURCHASE, 10, NULL);
  }
  ev(s, "P", CUTOFF + 10 * DAY, CXM_KIND_PURCHASE, 5, NULL);
  ev(s, "Q", CUTOFF + 20 * DAY, CXM_KIND_NPS, 8, NULL);
  ev(s, "R", CUTOFF + 5 * DAY, CXM_KIND_PURCHASE, 5, NULL);
  ev(s, "R", CUTOFF + 30 * DAY, CXM_KIND_CHURN, NAN, NULL);
  ev(s, "S", CUTOFF + 90 * DAY, CXM_KIND_PURCHASE, 5, NULL);
  ev(s, "U", CUTOFF + 89 * DAY + 86399, CXM_KIND_CONTACT_OPEN, NAN, "u1");
  ev(s, "V", CUTOFF, CXM_KIND_COMPLAINT, NAN, NULL);
  for (i = 0; i < sizeof want / sizeof want[0]; i++) {
    const char *c = want[i].customer;
    assert_int_equal(label_under(s, c, CXM_LABEL_CHURN, CXM_ACTIVITY_PURCHASES), want[i].churn);
    assert_int_equal(label_under(s, c, CXM_LABEL_CHURN, CXM_ACTIVITY_ANY), want[i].churn);
    assert_int_equal(label_under(s, c, CXM_LABEL_LAPSE, CXM_ACTIVITY_PURCHASES), want[i].lapse_purchases);
    assert_int_equal(label_under(s, c, CXM_LABEL_LAPSE, CXM_ACTIVITY_ANY), want[i].lapse_any);
    assert_int_equal(label_under(s, c, CXM_LABEL_BOTH, CXM_ACTIVITY_PURCHASES), want[i].both_purchases);
    assert_int_equal(label_under(s, c, CXM_LABEL_BOTH, CXM_ACTIVITY_ANY), want[i].churn || want[i].lapse_any);
  }
  /* The default rule is both, by purchases. */
  {
    cxm_feature_options o;
    cxm_features *f = NULL;
    cxm_feature_options_init(&o);
    assert_int_equal(o.label, CXM_LABEL_BOTH);
    assert_int_equal(o.activity, CXM_ACTIVITY_PURCHASES);
    assert_int_equal(o.lapse_horizon_seconds, 90 * DAY);
    o.cutoff = CUTOFF;
    o.label = 0;
    assert_int_equal(cxm_store_features(&f, s, &o), CXM_E_OPTION);
    o.label = 4;
    assert_int_equal(cxm_store_features(&f, s, &o), CXM_E_OPTION);
    o.label = CXM_LABEL_LAPSE;
    o.activity = 3;
    assert_int_equal(cxm_store_features(&f, s, &o), CXM_E_OPTION);
    o.activity = CXM_ACTIVITY_ANY;
    o.lapse_horizon_seconds = 0;
    assert_int_equal(cxm_store_features(&f, s, &o), CXM_E_OPTION);
    o.lapse_horizon_seconds = DAY + 1;
    assert_int_equal(cxm_store_features(&f, s, &o), CXM_E_OPTION);
    assert_null(f);
  }
  cxm_store_free(s);
}

/* lapse_odds is the clipped log-odds of cxm_model_p_no_purchase() under
 * the purchase model fitted as of the cut-off, over the lapse horizon in
 * weeks; P(alive) of a customer first seen on the cut-off's eve is the
 * model's value at x = 0, t_x = T = 0, not missing. */
static void test_lapse_odds(void **state) {
  cxm_store *s;
  cxm_features *f = NULL;
  cxm_feature_options o;
  cxm_rfm *rfm = NULL;
  cxm_rfm_options ro;
  cxm_model m;
  size_t i, checked = 0;
  char id[16];
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  /* 40 customers with 1..4 purchase days at varied spacing */
  for (i = 0; i < 40; i++) {
    int k, days = 1 + (int)(i % 4);
    snprintf(id, sizeof id, "c%02zu", i);
    for (k = 0; k < days; k++)
      ev(s, id, MON + (int64_t)((i * 7 + (size_t)k * (3 + i % 5)) % 54) * DAY, CXM_KIND_PURCHASE, 10, NULL);
  }
  ev(s, "late", CUTOFF - 3600, CXM_KIND_PURCHASE, 10, NULL);
  cxm_feature_options_init(&o);
  o.cutoff = CUTOFF;
  o.lapse_horizon_seconds = 28 * DAY;
  assert_int_equal(cxm_store_features(&f, s, &o), CXM_OK);
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  cxm_rfm_options_init(&ro);
  ro.to = CUTOFF;
  assert_int_equal(cxm_store_rfm(rfm, s, &ro), CXM_OK);
  cxm_model_init(&m);
  int32_t rc = cxm_model_fit(&m, rfm, CXM_MODEL_MBGNBD, NULL);
  assert_true(rc == CXM_OK || rc == CXM_E_CONVERGE);
  for (i = 0; i < cxm_rfm_count(rfm); i++) {
    cxm_rfm_customer c;
    double v[CXM_FEATURE_COUNT], p0;
    cxm_rfm_customer_init(&c);
    assert_int_equal(cxm_rfm_get(&c, rfm, i), CXM_OK);
    memcpy(id, c.id, c.id_len);
    id[c.id_len] = '\0';
    row_of(v, NULL, f, s, id);
    assert_int_equal(cxm_model_p_no_purchase(&p0, &m, 4.0, c.x, c.t_x, c.T), CXM_OK);
    assert_true(fabs(v[CXM_FEATURE_LAPSE_ODDS] - log(p0 / (1 - p0))) < 1e-12);
    checked++;
  }
  assert_int_equal(checked, 40);
  {
    double v[CXM_FEATURE_COUNT], p0, pa;
    row_of(v, NULL, f, s, "late");
    assert_int_equal(cxm_model_p_no_purchase(&p0, &m, 4.0, 0, 0.0, 0.0), CXM_OK);
    assert_int_equal(cxm_model_p_alive(&pa, &m, 0, 0.0, 0.0), CXM_OK);
    assert_true(fabs(v[CXM_FEATURE_LAPSE_ODDS] - log(p0 / (1 - p0))) < 1e-12);
    assert_true(fabs(v[CXM_FEATURE_PURCHASE_RISK] - (1 - pa)) < 1e-15);
    assert_true(pa > 0 && pa <= 1);
  }
  cxm_rfm_free(rfm);
  cxm_features_free(f);
  cxm_store_free(s);
}

/* The effort signals of the 90 days before the cut-off (docs/churn.md),
 * worked by hand. ann: A1 (email, day -10) is followed by A2 (phone, day
 * -5): a repeat and a switch; A2's next contact A3 opens after the cut-off
 * (not known: no repeat); A0 and A0b (days -100, -95) repeat before the
 * window. A1 reopened on day -9 (and after the cut-off), A2 transferred
 * twice on day -4, A0 once on day -99. bob's detractor answers: b1 (day -20)
 * followed the next day; b2 (day -10) followed only after the cut-off; a
 * CSAT 2 without ref (day -3); b5 (day -29) whose follow-up came the day
 * before it; a CES 3 on day -200 and an NPS 7 do not count: 3 unfollowed. */
static void ev_on(cxm_store *s, const char *customer, int64_t t, int32_t kind, double value, const char *ref,
                  int32_t channel) {
  cxm_event e;
  cxm_event_init(&e);
  e.customer = customer;
  e.customer_len = strlen(customer);
  e.time = t;
  e.kind = kind;
  e.channel = channel;
  e.has_value = !isnan(value);
  e.value = isnan(value) ? 0 : value;
  if (ref != NULL) {
    e.ref = ref;
    e.ref_len = strlen(ref);
  }
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
}

static void effort_store(cxm_store *s, int with_followups) {
  const int64_t H = 3600;
  ev_on(s, "ann", CUTOFF - 100 * DAY, CXM_KIND_CONTACT_OPEN, NAN, "A0", CXM_CHANNEL_EMAIL);
  ev_on(s, "ann", CUTOFF - 99 * DAY, CXM_KIND_CONTACT_TRANSFER, NAN, "A0", CXM_CHANNEL_EMAIL);
  ev_on(s, "ann", CUTOFF - 95 * DAY, CXM_KIND_CONTACT_OPEN, NAN, "A0b", CXM_CHANNEL_PHONE);
  ev_on(s, "ann", CUTOFF - 10 * DAY, CXM_KIND_CONTACT_OPEN, NAN, "A1", CXM_CHANNEL_EMAIL);
  ev_on(s, "ann", CUTOFF - 9 * DAY, CXM_KIND_CONTACT_REOPEN, NAN, "A1", CXM_CHANNEL_EMAIL);
  ev_on(s, "ann", CUTOFF - 5 * DAY, CXM_KIND_CONTACT_OPEN, NAN, "A2", CXM_CHANNEL_PHONE);
  ev_on(s, "ann", CUTOFF - 4 * DAY, CXM_KIND_CONTACT_TRANSFER, NAN, "A2", CXM_CHANNEL_PHONE);
  ev_on(s, "ann", CUTOFF - 4 * DAY + H, CXM_KIND_CONTACT_TRANSFER, NAN, "A2", CXM_CHANNEL_PHONE);
  ev_on(s, "ann", CUTOFF + 1 * DAY, CXM_KIND_CONTACT_OPEN, NAN, "A3", CXM_CHANNEL_CHAT);
  ev_on(s, "ann", CUTOFF + 1 * DAY, CXM_KIND_CONTACT_REOPEN, NAN, "A1", CXM_CHANNEL_EMAIL);
  ev_on(s, "ann", CUTOFF + 2 * DAY, CXM_KIND_CONTACT_TRANSFER, NAN, "A2", CXM_CHANNEL_PHONE);
  ev_on(s, "bob", CUTOFF - 20 * DAY, CXM_KIND_NPS, 3, "b1", CXM_CHANNEL_EMAIL);
  ev_on(s, "bob", CUTOFF - 10 * DAY, CXM_KIND_NPS, 5, "b2", CXM_CHANNEL_EMAIL);
  ev_on(s, "bob", CUTOFF - 3 * DAY, CXM_KIND_CSAT, 2, NULL, CXM_CHANNEL_EMAIL);
  ev_on(s, "bob", CUTOFF - 29 * DAY, CXM_KIND_NPS, 1, "b5", CXM_CHANNEL_EMAIL);
  ev_on(s, "bob", CUTOFF - 200 * DAY, CXM_KIND_CES, 3, "b3", CXM_CHANNEL_EMAIL);
  ev_on(s, "bob", CUTOFF - 15 * DAY, CXM_KIND_NPS, 7, "b4", CXM_CHANNEL_EMAIL);
  if (with_followups) {
    ev_on(s, "bob", CUTOFF - 19 * DAY, CXM_KIND_FOLLOWUP, NAN, "b1", CXM_CHANNEL_EMAIL);
    ev_on(s, "bob", CUTOFF + 1 * DAY, CXM_KIND_FOLLOWUP, NAN, "b2", CXM_CHANNEL_EMAIL);
    ev_on(s, "bob", CUTOFF - 30 * DAY, CXM_KIND_FOLLOWUP, NAN, "b5", CXM_CHANNEL_EMAIL);
  }
}

static void assert_effort(const cxm_store *s, const char *customer, double repeats, double switches, double reopens,
                          double transfers, double unfollowed) {
  cxm_feature_options o;
  cxm_features *f = NULL;
  double v[CXM_FEATURE_COUNT];
  int32_t label;
  cxm_feature_options_init(&o);
  o.cutoff = CUTOFF;
  assert_int_equal(cxm_store_features(&f, s, &o), CXM_OK);
  row_of(v, &label, f, s, customer);
  assert_true(v[CXM_FEATURE_REPEAT_CONTACTS] == repeats);
  assert_true(v[CXM_FEATURE_CHANNEL_SWITCHES] == switches);
  assert_true(v[CXM_FEATURE_REOPENS] == reopens);
  assert_true(v[CXM_FEATURE_TRANSFERS] == transfers);
  assert_true(v[CXM_FEATURE_UNFOLLOWED_DETRACTORS] == unfollowed);
  cxm_features_free(f);
}

static void test_effort_signals(void **state) {
  cxm_store *s = NULL, *none = NULL;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  effort_store(s, 1);
  assert_effort(s, "ann", 1, 1, 1, 2, 0);
  assert_effort(s, "bob", 0, 0, 0, 0, 3);
  /* the names, and the default model's weights */
  assert_string_equal(cxm_feature_name(CXM_FEATURE_REPEAT_CONTACTS), "repeat_contacts");
  assert_string_equal(cxm_feature_name(CXM_FEATURE_UNFOLLOWED_DETRACTORS), "unfollowed_detractors");
  assert_null(cxm_feature_name(CXM_FEATURE_COUNT));
  /* without any follow-up in the store the detractors are not judged */
  assert_int_equal(cxm_store_new(&none, NULL), CXM_OK);
  effort_store(none, 0);
  assert_effort(none, "bob", 0, 0, 0, 0, 0);
  assert_effort(none, "ann", 1, 1, 1, 2, 0);
  cxm_store_free(none);
  cxm_store_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_features_hand_worked),
      cmocka_unit_test(test_effort_signals),
      cmocka_unit_test(test_labels),
      cmocka_unit_test(test_lapse_odds),
      cmocka_unit_test(test_no_leakage),
      cmocka_unit_test(test_options_and_default_model),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
