/* Fault injection over every exported function (issue 7, item 4).
 *
 * Every exported function that can allocate runs with an allocator that
 * fails the Nth allocation (and every one after it) for N = 0, 1, 2, ...
 * until the call gets through without a failure. Each failed call must:
 * - return CXM_E_NOMEM (or the status its documentation gives);
 * - leak nothing: the failing allocator's live bytes are back at their
 *   pre-call value (after freeing what the call hands the caller);
 * - leave the objects it was given unchanged and usable: a fingerprint of
 *   each object (for a store, every query: stats, NPS/CSAT/CES by every
 *   dimension, gap, SERVQUAL, service, loyalty, consistency, RFM summaries,
 *   churn features) is the same before and after, and the object then goes
 *   on to give the same results as a twin that never saw a failure.
 * Since snapshots exist, a store's fingerprint also holds its snapshot
 * (cxm_store_save_to(): canonical bytes of its whole content).
 * Functions documented to keep partial work on CXM_E_NOMEM (a reader, a file
 * ingest, cxm_store_rfm(), cxm_store_record_batch()) are held to what their
 * documentation promises instead: the rows, customers or events that got
 * through are exactly the first ones, each as a run without failures has
 * it. Objects whose tables grew before a later allocation failed may keep
 * the capacity (never content): the leak check then compares live bytes
 * with the bytes the object accounts for itself. A call that gets through
 * a failed optional allocation (cxm_model_fit()'s counting sort) must give
 * the very result of a run without failures.
 *
 * Functions that never allocate are listed in `never_allocates` with the
 * reason; those that take an object with allocator hooks are probed with
 * every allocation failing and must make no allocator call at all. The
 * test `test_every_export_is_covered` reads tests/exports/expected.txt at
 * run time (via CXM_SOURCE_ROOT) and fails for any exported symbol in
 * neither table, so a new public function cannot escape this harness. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include "cxm.h"
#include "common/alloc.h"
#include "test_helpers.h"

/* The bytes an rfm set, a calendar or a risk data set holds: each keeps its
 * cxmi_alloc (src/common/alloc.h) as its first member (src/purchase/rfm.c, src/time/calendar.c,
 * src/churn/risk_internal.h), and a pointer to a struct converts to a pointer to its first
 * member. Allocation failures may leave such an object with more capacity
 * (never more content); this is how the leak checks tell the two apart.
 * check_object_bytes() fails the test should the layout change. */
static uint64_t object_bytes(const void *obj) { return ((const cxmi_alloc *)obj)->bytes; }

/* ---- the failing allocator every object of this test uses --------------- */

static failing_alloc g_fa = {-1, 0, 0};
static cxm_allocator g_hooks;

static void hooks_init(void) {
  g_hooks = failing_hooks(&g_fa);
  g_fa.remaining = -1;
}

/* Run code that allocates without counting or failing (fixtures, queries). */
#define PAUSE() (g_fa.remaining = FAILING_PAUSED)
#define UNPAUSE() (g_fa.remaining = -1)

/* ---- counters: allocation-failure points exercised per function --------- */

typedef struct fault_count {
  const char *fn;
  long points;    /* failed calls checked */
  long runs;      /* scenarios (fault loops) run */
  long tolerated; /* of the points, those the call got through (an optional allocation) */
} fault_count;

/* Every exported function that can allocate, and its counters. The
 * coverage test requires each to have been run at least once with at least
 * one failure point. */
static fault_count faulted[] = {
    {"cxm_calendar_new", 0, 0, 0},
    {"cxm_calendar_add_holiday", 0, 0, 0},
    {"cxm_calendar_add_holidays_text", 0, 0, 0},
    {"cxm_store_new", 0, 0, 0},
    {"cxm_store_customer", 0, 0, 0},
    {"cxm_store_channel", 0, 0, 0},
    {"cxm_store_segment", 0, 0, 0},
    {"cxm_store_attribute", 0, 0, 0},
    {"cxm_store_record", 0, 0, 0},
    {"cxm_store_record_ex", 0, 0, 0},
    {"cxm_store_record_batch", 0, 0, 0},
    {"cxm_store_record_for", 0, 0, 0},
    {"cxm_store_group", 0, 0, 0},
    {"cxm_store_group_experience", 0, 0, 0},
    {"cxm_store_servqual", 0, 0, 0},
    {"cxm_store_servqual_acc", 0, 0, 0},
    {"cxm_store_service", 0, 0, 0},
    {"cxm_store_service_acc", 0, 0, 0},
    {"cxm_store_service_business", 0, 0, 0},
    {"cxm_store_operations", 0, 0, 0},
    {"cxm_store_operations_each", 0, 0, 0},
    {"cxm_store_backlog", 0, 0, 0},
    {"cxm_store_backlog_each", 0, 0, 0},
    {"cxm_store_loop", 0, 0, 0},
    {"cxm_store_loop_each", 0, 0, 0},
    {"cxm_store_loyalty", 0, 0, 0},
    {"cxm_store_loyalty_acc", 0, 0, 0},
    {"cxm_store_consistency", 0, 0, 0},
    {"cxm_store_features", 0, 0, 0},
    {"cxm_store_risk_model", 0, 0, 0},
    {"cxm_store_churn", 0, 0, 0},
    {"cxm_store_merge", 0, 0, 0},
    {"cxm_store_merge_exact", 0, 0, 0},
    {"cxm_store_save_to", 0, 0, 0},
    {"cxm_store_save", 0, 0, 0},
    {"cxm_store_save_with", 0, 0, 0},
    {"cxm_store_save_ex", 0, 0, 0},
    {"cxm_store_load_bytes", 0, 0, 0},
    {"cxm_store_load", 0, 0, 0},
    {"cxm_store_load_ex", 0, 0, 0},
    {"cxm_store_rfm", 0, 0, 0},
    {"cxm_store_tracking", 0, 0, 0},
    {"cxm_reader_new", 0, 0, 0},
    {"cxm_reader_feed", 0, 0, 0},
    {"cxm_reader_finish", 0, 0, 0},
    {"cxm_store_ingest_file", 0, 0, 0},
    {"cxm_rfm_new", 0, 0, 0},
    {"cxm_rfm_add", 0, 0, 0},
    {"cxm_rfm_load_csv", 0, 0, 0},
    {"cxm_rfm_load_file", 0, 0, 0},
    {"cxm_model_fit", 0, 0, 0},
    {"cxm_model_loglik", 0, 0, 0},
    {"cxm_covariate_model_fit", 0, 0, 0},
    {"cxm_covariate_loglik", 0, 0, 0},
    {"cxm_store_rfm_detractor", 0, 0, 0},
    {"cxm_risk_data_new", 0, 0, 0},
    {"cxm_risk_data_add", 0, 0, 0},
    {"cxm_risk_fit", 0, 0, 0},
    {"cxm_risk_evaluate", 0, 0, 0},
    {"cxm_km_fit", 0, 0, 0},
    {"cxm_logrank_test", 0, 0, 0},
    {"cxm_cox_fit", 0, 0, 0},
    {"cxm_drivers_fit", 0, 0, 0},
    {"cxm_store_retention", 0, 0, 0},
    {"cxm_store_retention_tv", 0, 0, 0},
    {"cxm_store_cohorts", 0, 0, 0},
    {"cxm_store_driver_rows", 0, 0, 0},
    {"cxm_store_driver_table", 0, 0, 0},
    {"cxm_p_adjust", 0, 0, 0},
    {"cxm_slice_tests_survey", 0, 0, 0},
    {"cxm_slice_tests_groups", 0, 0, 0},
    {"cxm_slice_tests_means", 0, 0, 0},
};
#define N_FAULTED (sizeof faulted / sizeof faulted[0])

static fault_count *counter(const char *fn) {
  size_t i;
  for (i = 0; i < N_FAULTED; i++)
    if (strcmp(faulted[i].fn, fn) == 0) return &faulted[i];
  fail_msg("%s is not in the table of allocating functions", fn);
  return NULL;
}

static void count_points(const char *fn, long points) {
  fault_count *c = counter(fn);
  c->points += points;
  c->runs++;
}

/* Functions that never allocate, and why. PROBED ones take an object with
 * allocator hooks and are called by test_never_allocating_probe() with
 * every allocation failing: they must succeed without any allocator call. */
enum { PURE, PROBED, FREES };
typedef struct no_alloc {
  const char *fn;
  int kind;
  const char *reason;
} no_alloc;

#define R_PURE "takes no object with allocator hooks: works on caller-owned values and buffers only"
#define R_INIT "fills a caller-owned struct with defaults"
#define R_STATIC "returns a static string or constant"
#define R_READ "reads an object through fixed-size fields and caller buffers"
#define R_FREE "releases memory; never allocates"

static const no_alloc never_allocates[] = {
    {"cxm_calendar_add_business", PROBED, R_READ},
    {"cxm_calendar_business_seconds", PROBED, R_READ},
    {"cxm_calendar_free", FREES, R_FREE},
    {"cxm_calendar_get_hours", PROBED, R_READ},
    {"cxm_calendar_get_offset", PROBED, R_READ},
    {"cxm_calendar_holiday_count", PROBED, R_READ},
    {"cxm_calendar_next_open", PROBED, R_READ},
    {"cxm_calendar_parse_offset", PURE, R_PURE},
    {"cxm_calendar_set_hours", PROBED, "writes a fixed-size table inside the calendar"},
    {"cxm_calendar_set_offset", PROBED, "writes a fixed-size field of the calendar"},
    {"cxm_ces_compute", PURE, R_PURE},
    {"cxm_channel_name", PURE, R_STATIC},
    {"cxm_churn_count", PROBED, R_READ},
    {"cxm_churn_free", FREES, R_FREE},
    {"cxm_churn_info_get", PROBED, R_READ},
    {"cxm_churn_info_init", PURE, R_INIT},
    {"cxm_churn_options_init", PURE, R_INIT},
    {"cxm_churn_purchase_model", PROBED, R_READ},
    {"cxm_churn_row_get", PROBED, R_READ},
    {"cxm_churn_row_init", PURE, R_INIT},
    {"cxm_cohorts_count", PROBED, R_READ},
    {"cxm_cohorts_free", FREES, R_FREE},
    {"cxm_cohorts_get", PROBED, R_READ},
    {"cxm_cox_coef_get", PROBED, R_READ},
    {"cxm_cox_free", FREES, R_FREE},
    {"cxm_cox_options_init", PURE, R_INIT},
    {"cxm_cox_summary_get", PROBED, R_READ},
    {"cxm_csat_compare", PURE, R_PURE},
    {"cxm_csat_compute", PURE, R_PURE},
    {"cxm_csv_record_end", PURE, R_PURE},
    {"cxm_detail_init", PURE, R_INIT},
    {"cxm_dimension_name", PURE, R_STATIC},
    {"cxm_dimension_parse", PURE, R_PURE},
    {"cxm_drivers_free", FREES, R_FREE},
    {"cxm_drivers_get", PROBED, R_READ},
    {"cxm_driver_table_options_init", PURE, R_INIT},
    {"cxm_drivers_options_init", PURE, R_INIT},
    {"cxm_drivers_summary_get", PROBED, R_READ},
    {"cxm_event_init", PURE, R_INIT},
    {"cxm_experience_options_init", PURE, R_INIT},
    {"cxm_feature_default_model", PURE, "fills a caller-owned model with constants"},
    {"cxm_feature_name", PURE, R_STATIC},
    {"cxm_feature_options_init", PURE, R_INIT},
    {"cxm_features_count", PROBED, R_READ},
    {"cxm_features_free", FREES, R_FREE},
    {"cxm_features_row", PROBED, R_READ},
    {"cxm_features_row_get", PROBED, R_READ},
    {"cxm_covariate_customer_model", PURE, R_PURE},
    {"cxm_covariate_fit_init", PURE, R_INIT},
    {"cxm_filter_init", PURE, R_INIT},
    {"cxm_fit_options_init", PURE, R_INIT},
    {"cxm_gap_acc_add", PURE, R_PURE},
    {"cxm_gap_acc_deserialize", PURE, R_PURE},
    {"cxm_gap_acc_init", PURE, R_INIT},
    {"cxm_gap_acc_merge", PURE, R_PURE},
    {"cxm_gap_acc_serialize", PURE, R_PURE},
    {"cxm_gap_compute", PURE, R_PURE},
    {"cxm_groups_consistency", PROBED, R_READ},
    {"cxm_groups_count", PROBED, R_READ},
    {"cxm_groups_filter", PROBED, R_READ},
    {"cxm_groups_free", FREES, R_FREE},
    {"cxm_groups_gap", PROBED, R_READ},
    {"cxm_groups_key", PROBED, R_READ},
    {"cxm_groups_loyalty", PROBED, R_READ},
    {"cxm_groups_service", PROBED, R_READ},
    {"cxm_groups_service_business", PROBED, R_READ},
    {"cxm_groups_servqual", PROBED, R_READ},
    {"cxm_groups_survey", PROBED, R_READ},
    {"cxm_kind_name", PURE, R_STATIC},
    {"cxm_kind_parse", PURE, R_PURE},
    {"cxm_km_free", FREES, R_FREE},
    {"cxm_km_median", PROBED, "reads the steps of a fit"},
    {"cxm_km_rmst", PROBED, "sums over the steps of a fit"},
    {"cxm_km_step_get", PROBED, R_READ},
    {"cxm_km_steps", PROBED, R_READ},
    {"cxm_km_survival_at", PROBED, "binary search over the steps of a fit"},
    {"cxm_loyalty_acc_deserialize", PURE, R_PURE},
    {"cxm_loyalty_acc_init", PURE, R_INIT},
    {"cxm_loyalty_acc_merge", PURE, R_PURE},
    {"cxm_loyalty_acc_serialize", PURE, R_PURE},
    {"cxm_loyalty_compute", PURE, R_PURE},
    {"cxm_model_clv", PURE, R_PURE},
    {"cxm_model_conditional_pmf", PURE, R_PURE},
    {"cxm_model_expected", PURE, R_PURE},
    {"cxm_model_expected_spend", PURE, R_PURE},
    {"cxm_model_holdout", PROBED, "one pass over the summaries of an rfm set, sums on the stack"},
    {"cxm_model_init", PURE, R_INIT},
    {"cxm_model_name", PURE, R_STATIC},
    {"cxm_model_p_alive", PURE, R_PURE},
    {"cxm_model_p_no_purchase", PURE, R_PURE},
    {"cxm_model_param_name", PURE, R_STATIC},
    {"cxm_model_pmf", PURE, R_PURE},
    {"cxm_model_population", PURE, R_PURE},
    {"cxm_model_tracking", PURE, R_PURE},
    {"cxm_nps_compare", PURE, R_PURE},
    {"cxm_operations_options_init", PURE, R_INIT},
    {"cxm_loop_options_init", PURE, R_INIT},
    {"cxm_nps_compute", PURE, R_PURE},
    {"cxm_nps_score_interval", PURE, R_PURE},
    {"cxm_plan_options_init", PURE, R_INIT},
    {"cxm_plan_sample_size", PURE, R_PURE},
    {"cxm_reader_free", FREES, R_FREE},
    {"cxm_reader_options_init", PURE, R_INIT},
    {"cxm_reader_stats_get", PROBED, R_READ},
    {"cxm_retention_count", PROBED, R_READ},
    {"cxm_retention_free", FREES, R_FREE},
    {"cxm_retention_options_init", PURE, R_INIT},
    {"cxm_retention_row_get", PROBED, R_READ},
    {"cxm_rfm_count", PROBED, R_READ},
    {"cxm_rfm_customer_init", PURE, R_INIT},
    {"cxm_rfm_free", FREES, R_FREE},
    {"cxm_rfm_get", PROBED, R_READ},
    {"cxm_rfm_options_init", PURE, R_INIT},
    {"cxm_tracking_options_init", PURE, R_INIT},
    {"cxm_risk_band", PURE, R_PURE},
    {"cxm_risk_data_count", PROBED, R_READ},
    {"cxm_risk_data_features", PROBED, R_READ},
    {"cxm_risk_data_free", FREES, R_FREE},
    {"cxm_risk_explain", PURE, R_PURE},
    {"cxm_risk_model_init", PURE, R_INIT},
    {"cxm_risk_model_set", PURE, R_PURE},
    {"cxm_risk_options_init", PURE, R_INIT},
    {"cxm_risk_score", PURE, R_PURE},
    {"cxm_save_options_init", PURE, R_INIT},
    {"cxm_sbg_fit", PURE, "takes no allocator: a two-parameter optimisation on the stack over caller-owned rates"},
    {"cxm_sbg_retention", PURE, R_PURE},
    {"cxm_sbg_survival", PURE, R_PURE},
    {"cxm_service_acc_deserialize", PURE, R_PURE},
    {"cxm_service_acc_init", PURE, R_INIT},
    {"cxm_service_acc_merge", PURE, R_PURE},
    {"cxm_service_acc_serialize", PURE, R_PURE},
    {"cxm_service_compute", PURE, R_PURE},
    {"cxm_servqual_acc_deserialize", PURE, R_PURE},
    {"cxm_servqual_acc_init", PURE, R_INIT},
    {"cxm_servqual_acc_merge", PURE, R_PURE},
    {"cxm_servqual_acc_serialize", PURE, R_PURE},
    {"cxm_servqual_compute", PURE, R_PURE},
    {"cxm_slice_options_init", PURE, R_INIT},
    {"cxm_stage_name", PURE, R_STATIC},
    {"cxm_stage_parse", PURE, R_PURE},
    {"cxm_status_name", PURE, R_STATIC},
    {"cxm_status_str", PURE, R_STATIC},
    {"cxm_store_attribute_name", PROBED, R_READ},
    {"cxm_store_channel_name", PROBED, R_READ},
    {"cxm_store_check", PROBED, "validates an event and looks codes up without interning"},
    {"cxm_store_customer_id", PROBED, R_READ},
    {"cxm_store_find_attribute", PROBED, "looks a label up without interning"},
    {"cxm_store_find_channel", PROBED, "looks a token up without interning"},
    {"cxm_store_find_customer", PROBED, "looks an id up without interning"},
    {"cxm_store_find_segment", PROBED, "looks a label up without interning"},
    {"cxm_store_free", FREES, R_FREE},
    {"cxm_store_gap", PROBED, "sums per-interaction pairs kept in the store into a caller-owned accumulator"},
    {"cxm_store_options_init", PURE, R_INIT},
    {"cxm_store_segment_name", PROBED, R_READ},
    {"cxm_store_stats_get", PROBED, R_READ},
    {"cxm_store_survey", PROBED, "sums the store's cells into a caller-owned accumulator"},
    {"cxm_survey_acc_add", PURE, R_PURE},
    {"cxm_survey_acc_deserialize", PURE, R_PURE},
    {"cxm_survey_acc_init", PURE, R_INIT},
    {"cxm_survey_acc_merge", PURE, R_PURE},
    {"cxm_survey_acc_serialize", PURE, R_PURE},
    {"cxm_time_format", PURE, R_PURE},
    {"cxm_time_parse", PURE, R_PURE},
    {"cxm_time_period_key", PURE, R_PURE},
    {"cxm_tv_row_get", PROBED, R_READ},
    {"cxm_tv_rows_count", PROBED, R_READ},
    {"cxm_tv_rows_free", FREES, R_FREE},
    {"cxm_version", PURE, R_STATIC},
    {"cxm_version_string", PURE, R_STATIC},
};
#define N_NEVER (sizeof never_allocates / sizeof never_allocates[0])

/* Names the probe has called with every allocation failing. */
static const char *probed[N_NEVER];
static size_t n_probed;

static void mark_probed(const char *fn) {
  size_t i;
  for (i = 0; i < n_probed; i++)
    if (strcmp(probed[i], fn) == 0) return;
  assert_true(n_probed < N_NEVER);
  probed[n_probed++] = fn;
}

/* ---- a growable byte buffer for fingerprints (plain malloc: test side) --- */

typedef struct fpbuf {
  uint8_t *p;
  size_t len, cap;
} fpbuf;

static void fp_put(fpbuf *b, const void *data, size_t n) {
  if (n == 0) return;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    uint8_t *p;
    while (cap < b->len + n) cap *= 2;
    p = realloc(b->p, cap);
    assert_non_null(p);
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

static void fp_u64(fpbuf *b, uint64_t v) { fp_put(b, &v, sizeof v); }
static void fp_i64(fpbuf *b, int64_t v) { fp_put(b, &v, sizeof v); }
static void fp_f64(fpbuf *b, double v) { fp_put(b, &v, sizeof v); }
static void fp_rc(fpbuf *b, int32_t rc) { fp_put(b, &rc, sizeof rc); }

static void fp_free(fpbuf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

/* Fail with the first differing byte when two fingerprints differ. */
static void fp_assert_same(const fpbuf *a, const fpbuf *b, const char *fn, long n) {
  size_t i, m = a->len < b->len ? a->len : b->len;
  if (a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0)) return;
  for (i = 0; i < m && a->p[i] == b->p[i]; i++) continue;
  fail_msg("%s: the object changed after failure point %ld (fingerprints of %zu and %zu bytes differ at byte %zu)", fn,
           n, a->len, b->len, i);
}

/* ---- the events of the fixtures ----------------------------------------- */

static const char *const chan_tokens[] = {"", "email", "phone", "chat", "web", "whatsapp", "kiosk"};
static const char *const seg_labels[] = {"", "smb", "enterprise", "public sector"};
#define N_CHAN (sizeof chan_tokens / sizeof chan_tokens[0])
#define N_SEG (sizeof seg_labels / sizeof seg_labels[0])

/* One event as text fields, so it can be recorded into any store and
 * written as CSV or JSON Lines. */
typedef struct tev {
  char customer[12], ref[16], id[16];
  int64_t time;
  int32_t kind, stage, dimension, has_value;
  double value;
  const char *channel, *segment;
} tev;

enum { NCUST = 40, MAX_EV = 1500 };
#define DAY INT64_C(86400)
#define T0 INT64_C(1735689600) /* 2025-01-01T00:00:00Z */
#define CUTOFF (T0 + 240 * DAY)

static tev g_ev[MAX_EV];
static size_t g_nev;

static tev *push(uint64_t *rng, unsigned c, int32_t kind, int64_t time, double value, const char *ref) {
  tev *e;
  assert_true(g_nev < MAX_EV);
  e = &g_ev[g_nev];
  memset(e, 0, sizeof *e);
  snprintf(e->customer, sizeof e->customer, "c%02u", c);
  snprintf(e->id, sizeof e->id, "e%zu", g_nev);
  if (ref != NULL) snprintf(e->ref, sizeof e->ref, "%s", ref);
  e->time = time;
  e->kind = kind;
  e->value = value;
  e->has_value = !isnan(value);
  e->channel = chan_tokens[test_below(rng, N_CHAN)];
  e->segment = seg_labels[c % N_SEG];
  e->stage = (int32_t)test_below(rng, CXM_STAGE_COUNT);
  g_nev++;
  return e;
}

/* Customers with purchases, survey answers, rated interactions, contacts,
 * SERVQUAL answers, complaints, compliments and churn (a third of them in
 * the 90 days after CUTOFF, so a churn model can be fitted), every event
 * with an id, and one duplicate at the end. */
static void gen_events(void) {
  uint64_t rng = 20261123;
  unsigned c;
  char ref[16];
  g_nev = 0;
  for (c = 0; c < NCUST; c++) {
    unsigned k, days = 2 + (unsigned)test_below(&rng, 6);
    int64_t t;
    for (k = 0; k < days; k++)
      push(&rng, c, CXM_KIND_PURCHASE, T0 + (int64_t)test_below(&rng, 230) * DAY + (int64_t)test_below(&rng, DAY),
           5.25 + (double)test_below(&rng, 200), NULL);
    if (c % 4 == 0) push(&rng, c, CXM_KIND_PURCHASE, CUTOFF + 5 * DAY, 42.0, NULL);
    for (k = 0; k < 2; k++)
      push(&rng, c, CXM_KIND_NPS, T0 + (int64_t)test_below(&rng, 235 * DAY), (double)test_below(&rng, 11), NULL);
    push(&rng, c, CXM_KIND_CSAT, T0 + (int64_t)test_below(&rng, 235 * DAY), 1.0 + (double)test_below(&rng, 5), NULL);
    push(&rng, c, CXM_KIND_CES, T0 + (int64_t)test_below(&rng, 235 * DAY), 1.0 + (double)test_below(&rng, 7), NULL);
    /* a rated interaction: the company's rating and the customer's */
    snprintf(ref, sizeof ref, "g%02u", c);
    t = T0 + (int64_t)test_below(&rng, 230 * DAY);
    push(&rng, c, CXM_KIND_INTERNAL, t, 0.5 + (double)test_below(&rng, 100), ref);
    push(&rng, c, CXM_KIND_CSAT, t + 3600, 1.0 + (double)test_below(&rng, 5), ref);
    /* a contact, replied to and resolved for most customers */
    snprintf(ref, sizeof ref, "k%02u", c);
    t = T0 + (int64_t)test_below(&rng, 230 * DAY);
    push(&rng, c, CXM_KIND_CONTACT_OPEN, t, NAN, ref);
    if (c % 5 != 0) {
      t += 60 + (int64_t)test_below(&rng, 3 * DAY);
      push(&rng, c, CXM_KIND_CONTACT_REPLY, t, NAN, ref);
      if (c % 3 != 0) push(&rng, c, CXM_KIND_CONTACT_RESOLVE, t + (int64_t)test_below(&rng, 5 * DAY), NAN, ref);
    }
    for (k = 1; k <= 5; k++)
      if (test_below(&rng, 2)) {
        t = T0 + (int64_t)test_below(&rng, 235 * DAY);
        push(&rng, c, CXM_KIND_EXPECTATION, t, 1.0 + (double)test_below(&rng, 7), NULL)->dimension = (int32_t)k;
        push(&rng, c, CXM_KIND_PERCEPTION, t + 60, 1.0 + (double)test_below(&rng, 7), NULL)->dimension = (int32_t)k;
      }
    if (test_below(&rng, 3) == 0)
      push(&rng, c, CXM_KIND_COMPLAINT, T0 + (int64_t)test_below(&rng, 235 * DAY), NAN, NULL);
    if (test_below(&rng, 3) == 0)
      push(&rng, c, CXM_KIND_COMPLIMENT, T0 + (int64_t)test_below(&rng, 235 * DAY), NAN, NULL);
    if (c % 3 == 0) push(&rng, c, CXM_KIND_CHURN, CUTOFF + (int64_t)test_below(&rng, 80) * DAY, NAN, NULL);
    if (c % 11 == 1) push(&rng, c, CXM_KIND_CHURN, T0 + 200 * DAY, NAN, NULL);
  }
  assert_true(g_nev + 1 < MAX_EV);
  g_ev[g_nev] = g_ev[5]; /* a duplicate id */
  g_nev++;
}

/* The cxm_event of `t` for store `s` (its custom channels and segments
 * already interned: looking them up never allocates). */
static cxm_event to_event(const tev *t, const cxm_store *s) {
  cxm_event e;
  cxm_event_init(&e);
  e.customer = t->customer;
  e.customer_len = strlen(t->customer);
  e.time = t->time;
  e.kind = t->kind;
  e.has_value = t->has_value;
  e.value = t->value;
  e.stage = t->stage;
  e.dimension = t->dimension;
  if (t->ref[0]) {
    e.ref = t->ref;
    e.ref_len = strlen(t->ref);
  }
  e.id = t->id;
  e.id_len = strlen(t->id);
  assert_int_equal(cxm_store_find_channel(&e.channel, s, t->channel, strlen(t->channel)), CXM_OK);
  assert_int_equal(cxm_store_find_segment(&e.segment, s, t->segment, strlen(t->segment)), CXM_OK);
  return e;
}

static void intern_codes(cxm_store *s) {
  size_t i;
  int32_t code;
  for (i = 0; i < N_CHAN; i++)
    assert_int_equal(cxm_store_channel(&code, s, chan_tokens[i], strlen(chan_tokens[i])), CXM_OK);
  for (i = 0; i < N_SEG; i++)
    assert_int_equal(cxm_store_segment(&code, s, seg_labels[i], strlen(seg_labels[i])), CXM_OK);
}

/* A store on the failing allocator (or malloc when `hooks` is NULL) with
 * the codes interned and the first `count` events recorded. */
static cxm_store *fixture_store(const cxm_allocator *hooks, size_t count) {
  cxm_store_options o;
  cxm_store *s = NULL;
  size_t i;
  cxm_store_options_init(&o);
  o.allocator = hooks;
  assert_int_equal(cxm_store_new(&s, &o), CXM_OK);
  intern_codes(s);
  for (i = 0; i < count && i < g_nev; i++) {
    cxm_event e = to_event(&g_ev[i], s);
    int32_t rc = cxm_store_record(s, &e);
    assert_true(rc == CXM_OK || rc == CXM_DUPLICATE);
  }
  return s;
}

/* A long free-text note for some rows (an unknown column or member, read
 * and ignored), so that records outgrow the reader's buffers several times:
 * quotes, commas and escapes inside. */
static size_t note_for(char *buf, size_t cap, size_t i, int32_t format) {
  size_t len = 0, want = i % 97 == 0 ? 1500 * (i / 97 + 1) : 0;
  while (len + 4 < want && len + 4 < cap) {
    if (len % 50 == 10) {
      if (format == CXM_FORMAT_CSV) {
        buf[len++] = '"';
        buf[len++] = '"';
      } else {
        buf[len++] = '\\';
        buf[len++] = '"';
      }
    } else {
      buf[len] = len % 7 == 0 ? ',' : (char)('a' + len % 26);
      len++;
    }
  }
  buf[len] = '\0';
  return len;
}

/* The events as CSV (time as Unix seconds) or JSON Lines (RFC 3339). */
static size_t render_events(char *buf, size_t cap, int32_t format) {
  static char note[20000];
  size_t i, len = 0;
  int n;
  if (format == CXM_FORMAT_CSV) {
    n = snprintf(buf, cap, "time,customer,kind,value,channel,stage,ref,segment,dimension,id,note\n");
    assert_true(n > 0 && (size_t)n < cap);
    len = (size_t)n;
  }
  for (i = 0; i < g_nev; i++) {
    const tev *t = &g_ev[i];
    char value[32] = "";
    const char *stage = t->stage ? cxm_stage_name(t->stage) : "";
    const char *dim = t->dimension ? cxm_dimension_name(t->dimension) : "";
    if (t->has_value) snprintf(value, sizeof value, "%.2f", t->value);
    if (format == CXM_FORMAT_CSV) {
      note_for(note, sizeof note, i, format);
      n = snprintf(buf + len, cap - len, "%lld,%s,%s,%s,%s,%s,%s,%s,%s,%s,\"%s\"\n", (long long)t->time, t->customer,
                   cxm_kind_name(t->kind), value, t->channel, stage, t->ref, t->segment, dim, t->id, note);
    } else {
      char when[CXM_TIME_TEXT_SIZE];
      note_for(note, sizeof note, i, format);
      assert_int_equal(cxm_time_format(when, sizeof when, t->time), CXM_OK);
      n = snprintf(buf + len, cap - len,
                   "{\"time\":\"%s\",\"customer\":\"%s\",\"kind\":\"%s\"%s%s,\"channel\":\"%s\",\"stage\":\"%s\","
                   "\"ref\":\"%s\",\"segment\":\"%s\",\"dimension\":\"%s\",\"id\":\"%s\",\"note\":\"%s\"}\n",
                   when, t->customer, cxm_kind_name(t->kind), t->has_value ? ",\"value\":" : "", value, t->channel,
                   stage, t->ref, t->segment, dim, t->id, note);
    }
    assert_true(n > 0 && (size_t)n < cap - len);
    len += (size_t)n;
  }
  return len;
}

/* ---- fingerprints -------------------------------------------------------- */

static void fp_survey(fpbuf *b, const cxm_survey_acc *acc) {
  cxm_nps_result nps;
  cxm_csat_result csat;
  cxm_ces_result ces;
  fp_put(b, acc, sizeof *acc);
  assert_int_equal(cxm_nps_compute(&nps, &acc->nps), CXM_OK);
  assert_int_equal(cxm_csat_compute(&csat, &acc->csat), CXM_OK);
  assert_int_equal(cxm_ces_compute(&ces, &acc->ces), CXM_OK);
  fp_put(b, &nps, sizeof nps);
  fp_put(b, &csat, sizeof csat);
  fp_put(b, &ces, sizeof ces);
}

static void fp_filter(fpbuf *b, const cxm_filter *f) {
  fp_i64(b, f->from);
  fp_i64(b, f->to);
  fp_i64(b, f->channel);
  fp_i64(b, f->stage);
  fp_i64(b, f->segment);
}

/* The experience queries of one slice. */
static void fp_slice(fpbuf *b, const cxm_store *s, const cxm_filter *f) {
  cxm_experience_options o;
  cxm_gap_acc gap;
  cxm_gap_result gr;
  cxm_servqual_result sq;
  cxm_servqual_acc sqa;
  cxm_service_result sv;
  cxm_service_acc *sva = malloc(sizeof *sva);
  cxm_loyalty_result ly;
  cxm_loyalty_acc lya;
  cxm_consistency_result cr;
  uint8_t bytes[CXM_SERVICE_ACC_MAX_BYTES];
  size_t written = 0;
  assert_non_null(sva);
  cxm_experience_options_init(&o);
  o.min_channel_ratings = 2;
  memset(&gap, 0, sizeof gap);
  fp_rc(b, cxm_store_gap(&gap, s, f, &o));
  fp_put(b, &gap, sizeof gap);
  assert_int_equal(cxm_gap_compute(&gr, &gap), CXM_OK);
  fp_put(b, &gr, sizeof gr);
  memset(&sq, 0, sizeof sq);
  fp_rc(b, cxm_store_servqual(&sq, s, f, &o));
  fp_put(b, &sq, sizeof sq);
  memset(&sqa, 0, sizeof sqa);
  fp_rc(b, cxm_store_servqual_acc(&sqa, s, f));
  fp_put(b, &sqa, sizeof sqa);
  memset(&sv, 0, sizeof sv);
  fp_rc(b, cxm_store_service(&sv, s, f, &o));
  fp_put(b, &sv, sizeof sv);
  cxm_service_acc_init(sva);
  fp_rc(b, cxm_store_service_acc(sva, s, f, &o));
  assert_int_equal(cxm_service_acc_serialize(bytes, sizeof bytes, &written, sva), CXM_OK);
  fp_put(b, bytes, written);
  free(sva);
  memset(&ly, 0, sizeof ly);
  fp_rc(b, cxm_store_loyalty(&ly, s, f));
  fp_put(b, &ly, sizeof ly);
  memset(&lya, 0, sizeof lya);
  fp_rc(b, cxm_store_loyalty_acc(&lya, s, f));
  fp_put(b, &lya, sizeof lya);
  memset(&cr, 0, sizeof cr);
  fp_rc(b, cxm_store_consistency(&cr, s, f, &o));
  fp_u64(b, cr.channels);
  fp_f64(b, cr.sd);
  fp_f64(b, cr.mean_of_means);
  fp_i64(b, cr.weakest_channel);
  fp_f64(b, cr.weakest_mean);
}

static int32_t fp_write(void *opaque, const void *bytes, size_t len) {
  fp_put(opaque, bytes, len);
  return 0;
}

/* Everything a store answers, as bytes, then its snapshot (canonical
 * bytes of its whole content, cxm/snapshot.h). Allocations are paused
 * (queries allocate too; they are not the subject); nothing may leak. */
static void fp_store(fpbuf *b, const cxm_store *s) {
  long saved = g_fa.remaining;
  int64_t live = g_fa.live_bytes;
  cxm_store_stats st;
  cxm_survey_acc acc;
  cxm_feature_options fo;
  cxm_features *feat = NULL;
  cxm_rfm *rfm = NULL;
  uint32_t h;
  int32_t code, by;
  size_t i, n;
  PAUSE();
  memset(&st, 0, sizeof st);
  st.size = sizeof st;
  assert_int_equal(cxm_store_stats_get(&st, s), CXM_OK);
  fp_u64(b, st.events);
  fp_u64(b, st.duplicates);
  fp_u64(b, st.customers);
  fp_i64(b, st.first);
  fp_i64(b, st.last);
  fp_u64(b, st.cells);
  for (h = 0; h < st.customers; h++) {
    const char *id;
    size_t len;
    assert_int_equal(cxm_store_customer_id(&id, &len, s, h), CXM_OK);
    fp_u64(b, len);
    fp_put(b, id, len);
  }
  for (code = CXM_CHANNEL_FIRST_CUSTOM;; code++) {
    const char *name;
    size_t len;
    if (cxm_store_channel_name(&name, &len, s, code) != CXM_OK) break;
    fp_put(b, name, len);
  }
  for (code = 1;; code++) {
    const char *name;
    size_t len;
    if (cxm_store_segment_name(&name, &len, s, code) != CXM_OK) break;
    fp_put(b, name, len);
  }
  assert_int_equal(cxm_store_survey(&acc, s, NULL), CXM_OK);
  fp_survey(b, &acc);
  fp_slice(b, s, NULL);
  for (by = 0; by < CXM_BY_COUNT; by++) {
    cxm_groups *g = NULL;
    assert_int_equal(cxm_store_group(&g, s, NULL, by), CXM_OK);
    n = cxm_groups_count(g);
    fp_u64(b, n);
    for (i = 0; i < n; i++) {
      const char *key;
      size_t len;
      cxm_filter f;
      assert_int_equal(cxm_groups_key(&key, &len, g, i), CXM_OK);
      fp_put(b, key, len);
      assert_int_equal(cxm_groups_survey(&acc, g, i), CXM_OK);
      fp_survey(b, &acc);
      assert_int_equal(cxm_groups_filter(&f, g, i), CXM_OK);
      fp_filter(b, &f);
      /* every experience query by channel, stage and segment; months and
       * weeks (many small groups) by their survey answers only */
      if (by <= CXM_BY_SEGMENT) fp_slice(b, s, &f);
    }
    cxm_groups_free(g);
  }
  /* purchase summaries */
  assert_int_equal(cxm_rfm_new(&rfm, NULL), CXM_OK);
  fp_rc(b, cxm_store_rfm(rfm, s, NULL));
  n = cxm_rfm_count(rfm);
  fp_u64(b, n);
  for (i = 0; i < n; i++) {
    cxm_rfm_customer c;
    cxm_rfm_customer_init(&c);
    assert_int_equal(cxm_rfm_get(&c, rfm, i), CXM_OK);
    fp_u64(b, c.x);
    fp_f64(b, c.t_x);
    fp_f64(b, c.T);
    fp_f64(b, c.monetary);
    fp_f64(b, c.x_star);
    fp_put(b, c.id, c.id_len);
  }
  cxm_rfm_free(rfm);
  /* churn features and labels */
  cxm_feature_options_init(&fo);
  fo.cutoff = CUTOFF;
  if (st.events > 0) {
    assert_int_equal(cxm_store_features(&feat, s, &fo), CXM_OK);
    n = cxm_features_count(feat);
    fp_u64(b, n);
    for (i = 0; i < n; i++) {
      double v[CXM_FEATURE_COUNT];
      int32_t label;
      assert_int_equal(cxm_features_row_get(v, CXM_FEATURE_COUNT, &h, &label, feat, i), CXM_OK);
      fp_put(b, v, sizeof v);
      fp_u64(b, h);
      fp_i64(b, label);
    }
    cxm_features_free(feat);
  }
  assert_int_equal(cxm_store_save_to(s, fp_write, b), CXM_OK);
  assert_true(g_fa.live_bytes == live);
  g_fa.remaining = saved;
}

/* A store still works: it records new events (a new customer, channel and
 * segment) and answers queries that see them. */
static void store_still_works(cxm_store *s) {
  long saved = g_fa.remaining;
  cxm_store_stats before, after;
  cxm_survey_acc acc;
  cxm_event e;
  int32_t ch, seg;
  fpbuf fp = {0};
  UNPAUSE();
  before.size = after.size = sizeof before;
  assert_int_equal(cxm_store_stats_get(&before, s), CXM_OK);
  assert_int_equal(cxm_store_channel(&ch, s, "after-fault", 11), CXM_OK);
  assert_int_equal(cxm_store_segment(&seg, s, "after fault", 11), CXM_OK);
  cxm_event_init(&e);
  e.customer = "survivor";
  e.customer_len = 8;
  e.time = T0 + 7 * DAY;
  e.kind = CXM_KIND_NPS;
  e.has_value = 1;
  e.value = 10;
  e.channel = ch;
  e.segment = seg;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  e.kind = CXM_KIND_PURCHASE;
  e.value = 12.5;
  e.time = T0 + 9 * DAY;
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
  assert_int_equal(cxm_store_stats_get(&after, s), CXM_OK);
  assert_int_equal(after.events, before.events + 2);
  assert_int_equal(cxm_store_survey(&acc, s, NULL), CXM_OK);
  assert_true(acc.nps.count[10] >= 1);
  fp_store(&fp, s); /* every query still answers */
  fp_free(&fp);
  g_fa.remaining = saved;
}

/* ---- the fault loop ------------------------------------------------------ */

/* One function under test. `call` makes the call on the objects in `ctx`
 * and returns its status; `fingerprint` writes the state of the objects the
 * call was given. Without `fingerprint_twin`, a failed call must leave that
 * state as it was before the call; with it, the state must equal the twin's
 * (an object that went through the same successful calls, never a failed
 * one).
 *
 * Leaks: right after a failed call the failing allocator's live bytes must
 * be back at their pre-call value; with `owned_bytes` (the bytes the
 * objects account for themselves, e.g. a store's memory_bytes), they may
 * only have moved by as much as those. `partial` skips that check for
 * calls documented to keep partial work; `prepare` (before each call) and
 * `cleanup` (after it and its checks) build and free per-call objects, and
 * after `cleanup` live bytes must be back where they were before `prepare`.
 * `release` frees what a successful call hands the caller; `after_failure`
 * checks what the documentation promises beyond the above. */
typedef struct fault_spec {
  const char *fn;
  int32_t (*call)(void *ctx);
  void (*fingerprint)(fpbuf *out, void *ctx);
  void (*fingerprint_twin)(fpbuf *out, void *ctx);
  uint64_t (*owned_bytes)(void *ctx);
  void (*prepare)(void *ctx);
  void (*cleanup)(void *ctx);
  void (*release)(void *ctx);
  void (*after_failure)(void *ctx);
  int partial;
  int32_t nomem; /* the status of a failed call when not CXM_E_NOMEM */
  /* For calls with an optional allocation (a faster path they may do
   * without): checks that a call that got through a failure gave the very
   * result of a call without failure. NULL: getting through is an error. */
  void (*tolerated)(void *ctx);
} fault_spec;

#define MAX_POINTS 100000L

/* Fail allocation N (and every one after it) for N = 0, 1, 2... until the
 * call gets through without a failure; returns that call's status. */
static int32_t fault_loop(const fault_spec *s, void *ctx) {
  fpbuf before = {0}, after = {0};
  int32_t rc;
  long n;
  for (n = 0;; n++) {
    int64_t live, start;
    uint64_t owned = 0;
    long calls;
    assert_true(n < MAX_POINTS);
    before.len = after.len = 0;
    PAUSE();
    start = g_fa.live_bytes;
    if (s->prepare != NULL) s->prepare(ctx);
    PAUSE();
    if (s->fingerprint != NULL && s->fingerprint_twin == NULL) s->fingerprint(&before, ctx);
    if (s->owned_bytes != NULL) owned = s->owned_bytes(ctx);
    live = g_fa.live_bytes;
    g_fa.calls = 0;
    g_fa.remaining = n;
    rc = s->call(ctx);
    calls = g_fa.calls;
    PAUSE();
    if (calls <= n) { /* nothing failed: the call went through */
      if (s->release != NULL) {
        s->release(ctx);
        if (s->prepare == NULL && g_fa.live_bytes != live)
          fail_msg("%s: %lld bytes still live after releasing a successful call's result", s->fn,
                   (long long)(g_fa.live_bytes - live));
      }
      if (s->cleanup != NULL) s->cleanup(ctx);
      PAUSE();
      if (s->prepare != NULL && g_fa.live_bytes != start)
        fail_msg("%s: %lld bytes live after the cleanup of a successful call", s->fn,
                 (long long)(g_fa.live_bytes - start));
      break;
    }
    /* went without the failed allocation; a fit's CXM_E_CONVERGE (its data
     * are degenerate, docs/purchase.md) is a result like CXM_OK */
    if (s->tolerated != NULL && (rc >= 0 || rc == CXM_E_CONVERGE)) {
      if (g_fa.live_bytes != live)
        fail_msg("%s: failure point %ld got through but leaves %lld bytes live", s->fn, n,
                 (long long)(g_fa.live_bytes - live));
      if (s->fingerprint != NULL) {
        s->fingerprint(&after, ctx);
        fp_assert_same(&before, &after, s->fn, n);
      }
      s->tolerated(ctx);
      counter(s->fn)->tolerated++;
      continue;
    }
    if (rc != (s->nomem ? s->nomem : CXM_E_NOMEM))
      fail_msg("%s: allocation %ld of %ld failed but the call returned %d (%s)", s->fn, n + 1, calls, rc,
               cxm_status_name(rc));
    if (!s->partial) {
      int64_t grown = s->owned_bytes != NULL ? (int64_t)(s->owned_bytes(ctx) - owned) : 0;
      if (g_fa.live_bytes - live != grown)
        fail_msg("%s: failure point %ld leaves %lld bytes live (the objects account for %lld)", s->fn, n,
                 (long long)(g_fa.live_bytes - live), (long long)grown);
    }
    if (s->fingerprint != NULL) {
      s->fingerprint(&after, ctx);
      if (s->fingerprint_twin != NULL) s->fingerprint_twin(&before, ctx);
      fp_assert_same(&before, &after, s->fn, n);
    }
    if (s->after_failure != NULL) s->after_failure(ctx);
    PAUSE();
    if (s->cleanup != NULL) s->cleanup(ctx);
    PAUSE();
    if (s->prepare != NULL && g_fa.live_bytes != start)
      fail_msg("%s: failure point %ld: %lld bytes live after cleanup (a leak)", s->fn, n,
               (long long)(g_fa.live_bytes - start));
  }
  UNPAUSE();
  count_points(s->fn, n);
  fp_free(&before);
  fp_free(&after);
  return rc;
}

/* ---- the store: creation and every writer -------------------------------- */

typedef struct store_ctx {
  cxm_store *s;    /* on the failing allocator */
  cxm_store *twin; /* on malloc: the same successful calls, no failure */
  cxm_store *out;
  cxm_event event;
  const char *text;
  size_t len;
  uint32_t handle;
  const cxm_event *batch;
  size_t batch_len;
  int32_t statuses[16];
  int32_t code;
} store_ctx;

static uint64_t owned_store(void *ctx) {
  cxm_store_stats st;
  st.size = sizeof st;
  assert_int_equal(cxm_store_stats_get(&st, ((store_ctx *)ctx)->s), CXM_OK);
  return st.memory_bytes;
}
static void fp_ctx_store(fpbuf *b, void *ctx) { fp_store(b, ((store_ctx *)ctx)->s); }
static void fp_ctx_twin(fpbuf *b, void *ctx) { fp_store(b, ((store_ctx *)ctx)->twin); }

static int32_t call_store_new(void *ctx) {
  store_ctx *c = ctx;
  cxm_store_options o;
  cxm_store_options_init(&o);
  o.allocator = &g_hooks;
  o.bucket_seconds = 3600;
  c->out = NULL;
  return cxm_store_new(&c->out, &o);
}
static void release_store_new(void *ctx) {
  store_ctx *c = ctx;
  assert_non_null(c->out);
  store_still_works(c->out);
  cxm_store_free(c->out);
  c->out = NULL;
}
static void store_new_failed(void *ctx) { assert_null(((store_ctx *)ctx)->out); }

static void test_store_new(void **state) {
  store_ctx c;
  fault_spec spec = {"cxm_store_new",   call_store_new,   NULL, NULL, NULL, NULL, NULL,
                     release_store_new, store_new_failed, 0,    0,    NULL};
  (void)state;
  memset(&c, 0, sizeof c);
  assert_int_equal(fault_loop(&spec, &c), CXM_OK);
  assert_true(g_fa.live_bytes == 0);
}

static int32_t call_record(void *ctx) {
  store_ctx *c = ctx;
  return cxm_store_record(c->s, &c->event);
}
static int32_t call_record_ex(void *ctx) {
  store_ctx *c = ctx;
  cxm_detail d;
  int32_t rc;
  cxm_detail_init(&d);
  rc = cxm_store_record_ex(c->s, &c->event, &d);
  assert_int_equal(d.status, rc);
  if (rc == CXM_E_NOMEM) assert_string_equal(d.reason, cxm_status_str(CXM_E_NOMEM));
  return rc;
}
static int32_t call_record_for(void *ctx) {
  store_ctx *c = ctx;
  return cxm_store_record_for(c->s, c->handle, &c->event);
}

/* Record every event (as cxm_store_record(), with `for_handle` 1 as
 * cxm_store_record_for(), with 2 as cxm_store_record_ex()), each under the
 * fault loop; a twin on malloc records the same. */
static void run_record_sequence(int for_handle, int reverse, int64_t bucket_seconds) {
  store_ctx c;
  fault_spec spec = {for_handle == 1   ? "cxm_store_record_for"
                     : for_handle == 2 ? "cxm_store_record_ex"
                                       : "cxm_store_record",
                     for_handle == 1   ? call_record_for
                     : for_handle == 2 ? call_record_ex
                                       : call_record,
                     fp_ctx_store,
                     fp_ctx_twin,
                     owned_store,
                     NULL,
                     NULL,
                     NULL,
                     NULL,
                     0,
                     0,
                     NULL};
  fpbuf a = {0}, b = {0};
  size_t i;
  cxm_store_options o;
  memset(&c, 0, sizeof c);
  cxm_store_options_init(&o);
  o.bucket_seconds = bucket_seconds;
  o.allocator = &g_hooks;
  assert_int_equal(cxm_store_new(&c.s, &o), CXM_OK);
  o.allocator = NULL;
  assert_int_equal(cxm_store_new(&c.twin, &o), CXM_OK);
  intern_codes(c.s);
  intern_codes(c.twin);
  for (i = 0; i < g_nev; i++) {
    const tev *t = &g_ev[reverse ? g_nev - 1 - i : i];
    cxm_event e = to_event(t, c.twin);
    int32_t rc, want;
    if (for_handle == 1) {
      uint32_t h2;
      assert_int_equal(cxm_store_customer(&c.handle, c.s, e.customer, e.customer_len), CXM_OK);
      assert_int_equal(cxm_store_customer(&h2, c.twin, e.customer, e.customer_len), CXM_OK);
      assert_int_equal(c.handle, h2);
    }
    c.event = to_event(t, c.s);
    rc = fault_loop(&spec, &c);
    want = for_handle == 1 ? cxm_store_record_for(c.twin, c.handle, &e) : cxm_store_record(c.twin, &e);
    assert_int_equal(rc, want);
  }
  fp_store(&a, c.s);
  fp_store(&b, c.twin);
  fp_assert_same(&b, &a, spec.fn, -1);
  store_still_works(c.s);
  cxm_store_free(c.s);
  cxm_store_free(c.twin);
  fp_free(&a);
  fp_free(&b);
  assert_true(g_fa.live_bytes == 0);
}

/* In order into a daily store, in reverse order into an hourly one: the
 * tables grow at other events. */
static void test_store_record(void **state) {
  (void)state;
  run_record_sequence(0, 0, 86400);
  run_record_sequence(0, 1, 3600);
}

static void test_store_record_ex(void **state) {
  (void)state;
  run_record_sequence(2, 0, 86400);
}

static void test_store_record_for(void **state) {
  (void)state;
  run_record_sequence(1, 0, 86400);
  run_record_sequence(1, 1, 3600);
}

/* A batch keeps the events that got through; the others leave no trace.
 * The call applies the events that got through to the twin too, so after
 * a failure the store must equal the twin; the batch is then retried whole
 * (its recorded events are duplicates now, in both). */
static int32_t call_record_batch(void *ctx) {
  store_ctx *c = ctx;
  int32_t rc, nomem = CXM_OK;
  size_t i;
  rc = cxm_store_record_batch(c->statuses, c->s, c->batch, c->batch_len);
  if (rc != CXM_OK) return rc;
  for (i = 0; i < c->batch_len; i++) {
    if (c->statuses[i] == CXM_E_NOMEM) {
      nomem = CXM_E_NOMEM;
      continue;
    }
    assert_int_equal(cxm_store_record(c->twin, &c->batch[i]), c->statuses[i]);
  }
  return nomem;
}

static void test_store_record_batch(void **state) {
  store_ctx c;
  fault_spec spec = {"cxm_store_record_batch",
                     call_record_batch,
                     fp_ctx_store,
                     fp_ctx_twin,
                     owned_store,
                     NULL,
                     NULL,
                     NULL,
                     NULL,
                     0,
                     0,
                     NULL};
  static cxm_event events[MAX_EV];
  fpbuf a = {0}, b = {0};
  size_t i, done, sizes[] = {1, 16, 3, 7, 16, 2, 11};
  (void)state;
  memset(&c, 0, sizeof c);
  c.s = fixture_store(&g_hooks, 0);
  c.twin = fixture_store(NULL, 0);
  for (i = 0; i < g_nev; i++) events[i] = to_event(&g_ev[i], c.s); /* same codes in both stores */
  for (done = 0, i = 0; done < g_nev; i++) {
    size_t n = sizes[i % (sizeof sizes / sizeof sizes[0])];
    if (n > g_nev - done) n = g_nev - done;
    c.batch = events + done;
    c.batch_len = n;
    assert_int_equal(fault_loop(&spec, &c), CXM_OK);
    done += n;
  }
  fp_store(&a, c.s);
  fp_store(&b, c.twin);
  fp_assert_same(&b, &a, spec.fn, -1);
  store_still_works(c.s);
  cxm_store_free(c.s);
  cxm_store_free(c.twin);
  fp_free(&a);
  fp_free(&b);
  assert_true(g_fa.live_bytes == 0);
}

/* Interning customers, channels and segments, each new. */
static int32_t call_customer(void *ctx) {
  store_ctx *c = ctx;
  return cxm_store_customer(&c->handle, c->s, c->text, c->len);
}
static int32_t call_channel(void *ctx) {
  store_ctx *c = ctx;
  return cxm_store_channel(&c->code, c->s, c->text, c->len);
}
static int32_t call_segment(void *ctx) {
  store_ctx *c = ctx;
  return cxm_store_segment(&c->code, c->s, c->text, c->len);
}
static int32_t call_attribute(void *ctx) {
  store_ctx *c = ctx;
  return cxm_store_attribute(&c->code, c->s, c->text, c->len);
}

static void run_intern_sequence(const char *fn, int32_t (*call)(void *), const char *prefix, unsigned count) {
  store_ctx c;
  fault_spec spec = {fn, call, fp_ctx_store, fp_ctx_twin, owned_store, NULL, NULL, NULL, NULL, 0, 0, NULL};
  fpbuf a = {0}, b = {0};
  char text[40];
  unsigned i;
  memset(&c, 0, sizeof c);
  c.s = fixture_store(&g_hooks, 200);
  c.twin = fixture_store(NULL, 200);
  for (i = 0; i < count; i++) {
    int n = snprintf(text, sizeof text, "%s%u", prefix, i);
    uint32_t h;
    int32_t code;
    c.text = text;
    c.len = (size_t)n;
    assert_int_equal(fault_loop(&spec, &c), CXM_OK);
    if (call == call_customer) {
      assert_int_equal(cxm_store_customer(&h, c.twin, text, c.len), CXM_OK);
      assert_int_equal(h, c.handle);
    } else {
      assert_int_equal(call == call_channel   ? cxm_store_channel(&code, c.twin, text, c.len)
                       : call == call_segment ? cxm_store_segment(&code, c.twin, text, c.len)
                                              : cxm_store_attribute(&code, c.twin, text, c.len),
                       CXM_OK);
      assert_int_equal(code, c.code);
    }
  }
  fp_store(&a, c.s);
  fp_store(&b, c.twin);
  fp_assert_same(&b, &a, fn, -1);
  store_still_works(c.s);
  cxm_store_free(c.s);
  cxm_store_free(c.twin);
  fp_free(&a);
  fp_free(&b);
  assert_true(g_fa.live_bytes == 0);
}

static void test_store_customer(void **state) {
  (void)state;
  run_intern_sequence("cxm_store_customer", call_customer, "new customer ", 600);
}
static void test_store_channel(void **state) {
  (void)state;
  run_intern_sequence("cxm_store_channel", call_channel, "ch-", 80);
}
static void test_store_segment(void **state) {
  (void)state;
  run_intern_sequence("cxm_store_segment", call_segment, "segment ", 80);
}
static void test_store_attribute(void **state) {
  (void)state;
  run_intern_sequence("cxm_store_attribute", call_attribute, "attribute ", 80);
}

/* ---- the store's queries ------------------------------------------------- */

enum q_fn {
  Q_GROUP,
  Q_GROUP_EXPERIENCE,
  Q_SERVQUAL,
  Q_SERVQUAL_ACC,
  Q_SERVICE,
  Q_SERVICE_ACC,
  Q_SERVICE_BUSINESS,
  Q_LOYALTY,
  Q_LOYALTY_ACC,
  Q_CONSISTENCY,
  Q_FEATURES,
  Q_RISK_MODEL,
  Q_CHURN,
  Q_OPERATIONS,
  Q_OPERATIONS_EACH,
  Q_LOOP,
  Q_LOOP_EACH,
  Q_BACKLOG,
  Q_BACKLOG_EACH,
  Q_COUNT
};
static const char *const q_names[Q_COUNT] = {
    "cxm_store_group",       "cxm_store_group_experience", "cxm_store_servqual",         "cxm_store_servqual_acc",
    "cxm_store_service",     "cxm_store_service_acc",      "cxm_store_service_business", "cxm_store_loyalty",
    "cxm_store_loyalty_acc", "cxm_store_consistency",      "cxm_store_features",         "cxm_store_risk_model",
    "cxm_store_churn",       "cxm_store_operations",       "cxm_store_operations_each",  "cxm_store_loop",
    "cxm_store_loop_each",   "cxm_store_backlog",          "cxm_store_backlog_each"};

typedef struct query_ctx {
  const cxm_store *s;
  int q;
  int32_t by;
  const cxm_filter *filter;
  cxm_experience_options options;
  cxm_feature_options features_options;
  cxm_groups *groups;
  cxm_features *features;
  cxm_servqual_acc servqual_acc;
  cxm_loyalty_acc loyalty_acc;
  cxm_service_acc service_acc;
  cxm_service_result service_business;
  cxm_risk_model model;
  cxm_risk_evaluation evaluation;
  int32_t fitted;
  cxm_churn *churn;
  fpbuf want;    /* the successful result, from a run without failures */
  fpbuf backlog; /* Q_BACKLOG's days of the last successful run */
  /* Q_BACKLOG_EACH's three series, their counts and total (0xA5 before a
   * call: unchanged on failure) */
  cxm_backlog_day each_days[1200];
  size_t each_counts[3], each_total;
} query_ctx;

static void fp_query_ctx(fpbuf *b, void *ctx) { fp_store(b, ((query_ctx *)ctx)->s); }

static int32_t call_query(void *ctx) {
  query_ctx *c = ctx;
  cxm_servqual_result sq;
  cxm_service_result sv;
  cxm_loyalty_result ly;
  cxm_consistency_result cr;
  switch (c->q) {
  case Q_GROUP: c->groups = NULL; return cxm_store_group(&c->groups, c->s, c->filter, c->by);
  case Q_GROUP_EXPERIENCE:
    c->groups = NULL;
    return cxm_store_group_experience(&c->groups, c->s, c->filter, c->by, &c->options);
  case Q_SERVQUAL: return cxm_store_servqual(&sq, c->s, c->filter, &c->options);
  case Q_SERVQUAL_ACC:
    memset(&c->servqual_acc, 0xA5, sizeof c->servqual_acc);
    return cxm_store_servqual_acc(&c->servqual_acc, c->s, c->filter);
  case Q_SERVICE: return cxm_store_service(&sv, c->s, c->filter, &c->options);
  case Q_SERVICE_ACC:
    memset(&c->service_acc, 0xA5, sizeof c->service_acc);
    return cxm_store_service_acc(&c->service_acc, c->s, c->filter, &c->options);
  case Q_SERVICE_BUSINESS:
    memset(&c->service_business, 0xA5, sizeof c->service_business);
    return cxm_store_service_business(&c->service_business, c->s, c->filter, &c->options);
  case Q_LOYALTY: return cxm_store_loyalty(&ly, c->s, c->filter);
  case Q_LOYALTY_ACC:
    memset(&c->loyalty_acc, 0xA5, sizeof c->loyalty_acc);
    return cxm_store_loyalty_acc(&c->loyalty_acc, c->s, c->filter);
  case Q_CONSISTENCY: return cxm_store_consistency(&cr, c->s, c->filter, &c->options);
  case Q_FEATURES: c->features = NULL; return cxm_store_features(&c->features, c->s, &c->features_options);
  case Q_RISK_MODEL:
    memset(&c->evaluation, 0, sizeof c->evaluation);
    c->evaluation.size = sizeof c->evaluation;
    cxm_risk_model_init(&c->model);
    c->fitted = -7;
    return cxm_store_risk_model(&c->model, &c->evaluation, &c->fitted, c->s, &c->features_options);
  case Q_CHURN:
    c->churn = (cxm_churn *)&c->fitted; /* documented: set to NULL on error */
    return cxm_store_churn(&c->churn, c->s, NULL);
  case Q_OPERATIONS: {
    cxm_operations_result op;
    op.size = sizeof op;
    return cxm_store_operations(&op, c->s, c->filter, NULL);
  }
  case Q_OPERATIONS_EACH: {
    cxm_operations_result op[2];
    cxm_filter fs[2];
    cxm_filter_init(&fs[0]);
    fs[1] = c->filter != NULL ? *c->filter : fs[0];
    op[0].size = op[1].size = sizeof op[0];
    return cxm_store_operations_each(op, fs, 2, c->s, NULL);
  }
  case Q_LOOP: {
    cxm_loop_result lp;
    lp.size = sizeof lp;
    return cxm_store_loop(&lp, c->s, c->filter, NULL);
  }
  case Q_LOOP_EACH: {
    cxm_loop_result lp[2];
    cxm_filter fs[2];
    cxm_filter_init(&fs[0]);
    fs[1] = c->filter != NULL ? *c->filter : fs[0];
    lp[0].size = lp[1].size = sizeof lp[0];
    return cxm_store_loop_each(lp, fs, 2, c->s, NULL);
  }
  case Q_BACKLOG: {
    cxm_backlog_day days[400];
    size_t k, n = 0;
    int32_t rc;
    for (k = 0; k < sizeof days / sizeof days[0]; k++) days[k].size = sizeof days[0];
    rc = cxm_store_backlog(days, &n, sizeof days / sizeof days[0], c->s, c->filter, NULL);
    if (rc == CXM_OK) {
      fp_i64(&c->backlog, (int64_t)n);
      for (k = 0; k < n; k++) fp_put(&c->backlog, &days[k], sizeof days[k]);
    }
    return rc;
  }
  case Q_BACKLOG_EACH: {
    /* everything, the slice, and one channel: one sort of every contact,
     * and a filter that picks some of them */
    cxm_filter fs[3];
    size_t k;
    int32_t rc;
    cxm_filter_init(&fs[0]);
    fs[1] = c->filter != NULL ? *c->filter : fs[0];
    cxm_filter_init(&fs[2]);
    fs[2].channel = CXM_CHANNEL_PHONE;
    memset(c->each_days, 0xA5, sizeof c->each_days);
    memset(c->each_counts, 0xA5, sizeof c->each_counts);
    memset(&c->each_total, 0xA5, sizeof c->each_total);
    for (k = 0; k < sizeof c->each_days / sizeof c->each_days[0]; k++) c->each_days[k].size = sizeof c->each_days[0];
    rc = cxm_store_backlog_each(c->each_days, c->each_counts, &c->each_total,
                                sizeof c->each_days / sizeof c->each_days[0], fs, 3, c->s, NULL);
    if (rc == CXM_OK) {
      fp_i64(&c->backlog, (int64_t)c->each_total);
      fp_put(&c->backlog, c->each_counts, sizeof c->each_counts);
      for (k = 0; k < c->each_total; k++) fp_put(&c->backlog, &c->each_days[k], sizeof c->each_days[k]);
    }
    return rc;
  }
  default: fail(); return CXM_E_ARG;
  }
}

/* Frees a successful result after checking it equals the run without
 * failures (the outputs of the other queries are covered by fp_store). */
static void release_query(void *ctx) {
  query_ctx *c = ctx;
  fpbuf got = {0};
  size_t i, n;
  switch (c->q) {
  case Q_GROUP:
    n = cxm_groups_count(c->groups);
    for (i = 0; i < n; i++) {
      const char *key;
      size_t len;
      cxm_survey_acc acc;
      assert_int_equal(cxm_groups_key(&key, &len, c->groups, i), CXM_OK);
      fp_put(&got, key, len);
      assert_int_equal(cxm_groups_survey(&acc, c->groups, i), CXM_OK);
      fp_put(&got, &acc, sizeof acc);
    }
    cxm_groups_free(c->groups);
    c->groups = NULL;
    break;
  case Q_GROUP_EXPERIENCE:
    n = cxm_groups_count(c->groups);
    for (i = 0; i < n; i++) {
      const char *key;
      size_t len;
      cxm_gap_acc gap;
      cxm_servqual_result sq;
      cxm_service_result sv;
      cxm_loyalty_result ly;
      cxm_consistency_result cr;
      assert_int_equal(cxm_groups_key(&key, &len, c->groups, i), CXM_OK);
      fp_put(&got, key, len);
      assert_int_equal(cxm_groups_gap(&gap, c->groups, i), CXM_OK);
      fp_put(&got, &gap, sizeof gap);
      assert_int_equal(cxm_groups_servqual(&sq, c->groups, i), CXM_OK);
      fp_put(&got, &sq, sizeof sq);
      assert_int_equal(cxm_groups_service(&sv, c->groups, i), CXM_OK);
      fp_put(&got, &sv, sizeof sv);
      assert_int_equal(cxm_groups_service_business(&sv, c->groups, i), CXM_OK);
      fp_put(&got, &sv, sizeof sv);
      assert_int_equal(cxm_groups_loyalty(&ly, c->groups, i), CXM_OK);
      fp_put(&got, &ly, sizeof ly);
      assert_int_equal(cxm_groups_consistency(&cr, c->groups, i), CXM_OK);
      fp_put(&got, &cr.channels, sizeof cr.channels);
      fp_put(&got, &cr.sd, sizeof cr.sd);
      fp_put(&got, &cr.weakest_channel, sizeof cr.weakest_channel);
    }
    cxm_groups_free(c->groups);
    c->groups = NULL;
    break;
  case Q_FEATURES:
    n = cxm_features_count(c->features);
    for (i = 0; i < n; i++) {
      double v[CXM_FEATURE_COUNT];
      assert_int_equal(cxm_features_row_get(v, CXM_FEATURE_COUNT, NULL, NULL, c->features, i), CXM_OK);
      fp_put(&got, v, sizeof v);
    }
    cxm_features_free(c->features);
    c->features = NULL;
    break;
  case Q_SERVICE_BUSINESS: fp_put(&got, &c->service_business, sizeof c->service_business); break;
  case Q_BACKLOG:
  case Q_BACKLOG_EACH:
    got = c->backlog;
    memset(&c->backlog, 0, sizeof c->backlog);
    break;
  case Q_RISK_MODEL:
    fp_put(&got, &c->model, sizeof c->model);
    fp_put(&got, &c->evaluation, sizeof c->evaluation);
    fp_i64(&got, c->fitted);
    break;
  case Q_CHURN: {
    cxm_churn_info info;
    cxm_churn_row row;
    info.size = sizeof info;
    assert_int_equal(cxm_churn_info_get(&info, c->churn), CXM_OK);
    fp_i64(&got, info.scored_at);
    fp_i64(&got, info.cutoff);
    fp_i64(&got, info.fitted);
    fp_put(&got, &info.model, sizeof info.model);
    fp_put(&got, &info.evaluation, sizeof info.evaluation);
    n = cxm_churn_count(c->churn);
    for (i = 0; i < n; i++) {
      row.size = sizeof row;
      assert_int_equal(cxm_churn_row_get(&row, c->churn, i), CXM_OK);
      fp_put(&got, &row, sizeof row);
    }
    cxm_churn_free(c->churn);
    c->churn = NULL;
    break;
  }
  default: break;
  }
  if (c->want.len == 0 && got.len > 0) { /* first (reference) run */
    c->want = got;
    return;
  }
  fp_assert_same(&c->want, &got, q_names[c->q], -1);
  fp_free(&got);
}

static void query_failed(void *ctx) {
  query_ctx *c = ctx;
  size_t i;
  const uint8_t *p;
  switch (c->q) {
  case Q_GROUP:
  case Q_GROUP_EXPERIENCE: assert_null(c->groups); break;
  case Q_FEATURES: assert_null(c->features); break;
  case Q_CHURN: assert_null(c->churn); break;
  case Q_SERVQUAL_ACC: /* documented: unchanged on error */
    p = (const uint8_t *)&c->servqual_acc;
    for (i = 0; i < sizeof c->servqual_acc; i++) assert_int_equal(p[i], 0xA5);
    break;
  case Q_SERVICE_BUSINESS: /* documented: unchanged on error */
    p = (const uint8_t *)&c->service_business;
    for (i = 0; i < sizeof c->service_business; i++) assert_int_equal(p[i], 0xA5);
    break;
  case Q_LOYALTY_ACC:
    p = (const uint8_t *)&c->loyalty_acc;
    for (i = 0; i < sizeof c->loyalty_acc; i++) assert_int_equal(p[i], 0xA5);
    break;
  case Q_BACKLOG_EACH: /* documented: `out`, the counts and the total unchanged on failure */
    for (i = 0; i < sizeof c->each_days / sizeof c->each_days[0]; i++) {
      const cxm_backlog_day *d = &c->each_days[i];
      assert_int_equal(d->size, sizeof *d);
      p = (const uint8_t *)&d->day;
      for (size_t b = 0; b < sizeof *d - offsetof(cxm_backlog_day, day); b++) assert_int_equal(p[b], 0xA5);
    }
    p = (const uint8_t *)c->each_counts;
    for (i = 0; i < sizeof c->each_counts; i++) assert_int_equal(p[i], 0xA5);
    p = (const uint8_t *)&c->each_total;
    for (i = 0; i < sizeof c->each_total; i++) assert_int_equal(p[i], 0xA5);
    break;
  case Q_SERVICE_ACC: /* documented: untouched when rejected, zeroed when the scan fails; a
                       * failure to build the default calendar comes before the scan */
    p = (const uint8_t *)&c->service_acc;
    for (i = 1; i < sizeof c->service_acc; i++) assert_int_equal(p[i], p[0]);
    assert_true(p[0] == 0 || p[0] == 0xA5);
    break;
  default: break;
  }
}

/* Every query under the fault loop, on the whole store and on slices. */
static void test_store_queries(void **state) {
  static query_ctx c; /* holds a service accumulator: too big for the stack of some platforms */
  fault_spec spec = {NULL, call_query, fp_query_ctx, NULL, NULL, NULL, NULL, release_query, query_failed, 0, 0, NULL};
  cxm_store *s;
  cxm_filter slices[3];
  int q, k;
  (void)state;
  s = fixture_store(&g_hooks, g_nev);
  cxm_filter_init(&slices[1]);
  slices[1].channel = CXM_CHANNEL_EMAIL;
  cxm_filter_init(&slices[2]);
  slices[2].from = T0 + 30 * DAY;
  slices[2].to = T0 + 200 * DAY;
  assert_int_equal(cxm_store_find_segment(&slices[2].segment, s, "smb", 3), CXM_OK);
  for (q = 0; q < Q_COUNT; q++) {
    for (k = 0; k < 3; k++) {
      int32_t by, by_end = q == Q_GROUP || q == Q_GROUP_EXPERIENCE ? CXM_BY_COUNT : 1;
      if ((q == Q_FEATURES || q == Q_RISK_MODEL || q == Q_CHURN) && k > 0) break; /* no filter; one cut-off */
      for (by = 0; by < by_end; by++) {
        int32_t rc;
        memset(&c, 0, sizeof c);
        c.s = s;
        c.q = q;
        c.by = by;
        c.filter = k == 0 ? NULL : &slices[k];
        cxm_experience_options_init(&c.options);
        c.options.min_channel_ratings = 2;
        cxm_feature_options_init(&c.features_options);
        c.features_options.cutoff = CUTOFF;
        c.features_options.label = CXM_LABEL_CHURN; /* the fit path below needs this data's churn events */
        spec.fn = q_names[q];
        /* the reference result, without failures */
        assert_int_equal(call_query(&c), CXM_OK);
        release_query(&c);
        rc = fault_loop(&spec, &c);
        assert_int_equal(rc, CXM_OK);
        if (q == Q_RISK_MODEL) assert_int_equal(c.fitted, 1); /* the fit path, not the default model */
        fp_free(&c.want);
      }
    }
  }
  store_still_works(s);
  cxm_store_free(s);
  assert_true(g_fa.live_bytes == 0);
}

/* ---- cxm_store_rfm: the customers added before a failure stay ----------- */

typedef struct rfm_ctx {
  const cxm_store *s;
  int32_t calendar_weeks; /* cxm_store_rfm's option */
  cxm_rfm *rfm;
  cxm_rfm *want; /* on malloc, without failures */
  const char *text;
  size_t len;
  const char *path;
  cxm_rfm_customer customer;
  cxm_model model;
  int32_t kind;
  double loglik;
  uint64_t error_line;
  cxm_model want_model; /* the fit without failures */
  double want_loglik;
} rfm_ctx;

static void fp_rfm(fpbuf *b, const cxm_rfm *r) {
  size_t i, n = cxm_rfm_count(r);
  fp_u64(b, n);
  for (i = 0; i < n; i++) {
    cxm_rfm_customer c;
    cxm_rfm_customer_init(&c);
    assert_int_equal(cxm_rfm_get(&c, r, i), CXM_OK);
    fp_u64(b, c.x);
    fp_f64(b, c.t_x);
    fp_f64(b, c.T);
    fp_f64(b, c.monetary);
    fp_f64(b, c.x_star);
    fp_u64(b, c.id_len);
    fp_put(b, c.id, c.id_len);
  }
}

static void fp_rfm_store(fpbuf *b, void *ctx) { fp_store(b, ((rfm_ctx *)ctx)->s); }

static void prepare_store_rfm(void *ctx) {
  rfm_ctx *c = ctx;
  assert_int_equal(cxm_rfm_new(&c->rfm, &g_hooks), CXM_OK);
}
static int32_t call_store_rfm(void *ctx) {
  rfm_ctx *c = ctx;
  cxm_rfm_options o;
  cxm_rfm_options_init(&o);
  o.to = CUTOFF;
  o.holdout_to = CUTOFF + 60 * DAY;
  o.calendar_weeks = c->calendar_weeks;
  return cxm_store_rfm(c->rfm, c->s, &o);
}
/* Documented: the customers added so far stay; so they are the first ones
 * of the result without failures, each exactly as there. */
static void store_rfm_failed(void *ctx) {
  rfm_ctx *c = ctx;
  size_t i, n = cxm_rfm_count(c->rfm);
  assert_true(n <= cxm_rfm_count(c->want));
  for (i = 0; i < n; i++) {
    cxm_rfm_customer a, b;
    cxm_rfm_customer_init(&a);
    cxm_rfm_customer_init(&b);
    assert_int_equal(cxm_rfm_get(&a, c->rfm, i), CXM_OK);
    assert_int_equal(cxm_rfm_get(&b, c->want, i), CXM_OK);
    assert_true(a.x == b.x && a.t_x == b.t_x && a.T == b.T && a.id_len == b.id_len);
    assert_memory_equal(a.id, b.id, a.id_len);
  }
}
static void release_store_rfm(void *ctx) {
  rfm_ctx *c = ctx;
  fpbuf a = {0}, b = {0};
  fp_rfm(&a, c->rfm);
  fp_rfm(&b, c->want);
  fp_assert_same(&b, &a, "cxm_store_rfm", -1);
  fp_free(&a);
  fp_free(&b);
}
static void cleanup_store_rfm(void *ctx) {
  rfm_ctx *c = ctx;
  cxm_rfm_free(c->rfm);
  c->rfm = NULL;
}

static double g_det[4096], g_want_det[4096];
static int32_t call_store_rfm_detractor(void *ctx) {
  rfm_ctx *c = ctx;
  cxm_rfm_options o;
  cxm_rfm_options_init(&o);
  o.to = CUTOFF;
  o.holdout_to = CUTOFF + 60 * DAY;
  return cxm_store_rfm_detractor(c->rfm, g_det, sizeof g_det / sizeof g_det[0], c->s, &o);
}
/* The summaries as cxm_store_rfm()'s; the covariates of the ones added,
 * each as in the run without failures. */
static void store_rfm_detractor_failed(void *ctx) {
  rfm_ctx *c = ctx;
  store_rfm_failed(ctx);
  assert_memory_equal(g_det, g_want_det, cxm_rfm_count(c->rfm) * sizeof g_det[0]);
}
static void release_store_rfm_detractor(void *ctx) {
  rfm_ctx *c = ctx;
  release_store_rfm(ctx);
  assert_memory_equal(g_det, g_want_det, cxm_rfm_count(c->rfm) * sizeof g_det[0]);
}

static void test_store_rfm(void **state) {
  rfm_ctx c;
  fault_spec spec = {"cxm_store_rfm",   call_store_rfm, fp_rfm_store,     NULL, NULL, prepare_store_rfm,
                     cleanup_store_rfm, NULL,           store_rfm_failed, 1,    0,    NULL};
  cxm_store *s;
  (void)state;
  memset(&c, 0, sizeof c);
  s = fixture_store(&g_hooks, g_nev);
  c.s = s;
  /* days, then calendar weeks (a path of its own, with its own scratch) */
  for (c.calendar_weeks = 0; c.calendar_weeks <= 1; c.calendar_weeks++) {
    assert_int_equal(cxm_rfm_new(&c.rfm, NULL), CXM_OK);
    assert_int_equal(call_store_rfm(&c), CXM_OK);
    c.want = c.rfm;
    assert_true(cxm_rfm_count(c.want) > 10);
    c.rfm = NULL;
    /* the result is compared in cleanup's stead: release runs before cleanup */
    spec.release = release_store_rfm;
    assert_int_equal(fault_loop(&spec, &c), CXM_OK);
    cxm_rfm_free(c.want);
  }
  { /* cxm_store_rfm_detractor: cxm_store_rfm() with the first-answer covariate */
    fault_spec det = {"cxm_store_rfm_detractor",
                      call_store_rfm_detractor,
                      fp_rfm_store,
                      NULL,
                      NULL,
                      prepare_store_rfm,
                      cleanup_store_rfm,
                      release_store_rfm_detractor,
                      store_rfm_detractor_failed,
                      1,
                      0,
                      NULL};
    cxm_store_stats st;
    double ones = 0.0;
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    assert_int_equal(cxm_store_stats_get(&st, s), CXM_OK);
    assert_true(st.customers <= sizeof g_det / sizeof g_det[0]);
    c.calendar_weeks = 0;
    assert_int_equal(cxm_rfm_new(&c.rfm, NULL), CXM_OK);
    assert_int_equal(call_store_rfm_detractor(&c), CXM_OK);
    memcpy(g_want_det, g_det, sizeof g_det);
    for (size_t i = 0; i < cxm_rfm_count(c.rfm); i++) ones += g_want_det[i];
    assert_true(ones > 0.0); /* the fixture has detractors' first answers */
    c.want = c.rfm;
    c.rfm = NULL;
    assert_int_equal(fault_loop(&det, &c), CXM_OK);
    cxm_rfm_free(c.want);
  }
  store_still_works(s);
  cxm_store_free(s);
  assert_true(g_fa.live_bytes == 0);
}

/* cxm_store_tracking: scratch arrays from the store's hooks; on failure
 * CXM_E_NOMEM and the store unchanged; a call that gets through gives the
 * series of a call without failures. */
typedef struct tracking_ctx {
  cxm_store *s;
  cxm_model m;
  double actual[20], expected[20], want_actual[20], want_expected[20];
} tracking_ctx;
static int32_t call_store_tracking(void *ctx) {
  tracking_ctx *c = ctx;
  return cxm_store_tracking(c->actual, c->expected, 20, c->s, &c->m, NULL);
}
static void fp_tracking_store(fpbuf *b, void *ctx) { fp_store(b, ((tracking_ctx *)ctx)->s); }
static void release_store_tracking(void *ctx) {
  tracking_ctx *c = ctx;
  assert_memory_equal(c->actual, c->want_actual, sizeof c->actual);
  assert_memory_equal(c->expected, c->want_expected, sizeof c->expected);
}

static void test_store_tracking(void **state) {
  tracking_ctx c;
  fault_spec spec = {"cxm_store_tracking",
                     call_store_tracking,
                     fp_tracking_store,
                     NULL,
                     NULL,
                     NULL,
                     NULL,
                     release_store_tracking,
                     NULL,
                     0,
                     0,
                     NULL};
  (void)state;
  memset(&c, 0, sizeof c);
  c.s = fixture_store(&g_hooks, g_nev);
  cxm_model_init(&c.m);
  c.m.kind = CXM_MODEL_BGNBD;
  c.m.param_count = 4;
  c.m.param[0] = 0.243;
  c.m.param[1] = 4.414;
  c.m.param[2] = 0.793;
  c.m.param[3] = 2.426;
  PAUSE();
  assert_int_equal(cxm_store_tracking(c.want_actual, c.want_expected, 20, c.s, &c.m, NULL), CXM_OK);
  UNPAUSE();
  assert_true(c.want_actual[19] > 0.0 && c.want_expected[19] > 0.0);
  assert_int_equal(fault_loop(&spec, &c), CXM_OK);
  store_still_works(c.s);
  cxm_store_free(c.s);
  assert_true(g_fa.live_bytes == 0);
}

/* ---- readers and file ingestion: the rows recorded before a failure stay - */

static char g_text[2][MAX_EV * 300];
static size_t g_text_len[2];

typedef struct reader_ctx {
  cxm_store *s;
  cxm_reader *r;
  int32_t format;
  const char *path;
  size_t upto; /* bytes fed before finish (the rest has no line end) */
  const char *data;
  size_t data_len;
  cxm_reader_stats stats;
  fpbuf want; /* fp_store of the full ingestion, without failures */
} reader_ctx;

static cxm_reader_options reader_options(int32_t format) {
  cxm_reader_options o;
  cxm_reader_options_init(&o);
  o.format = format;
  return o;
}

/* Feed in uneven chunks so records straddle them. */
static int32_t feed_all(cxm_reader *r, const char *data, size_t len) {
  size_t at = 0, step = 61;
  while (at < len) {
    size_t n = len - at < step ? len - at : step;
    int32_t rc = cxm_reader_feed(r, (const uint8_t *)data + at, n);
    if (rc != CXM_OK) return rc;
    at += n;
    step = step == 61 ? 1000 : step == 1000 ? 7 : 61;
  }
  return CXM_OK;
}

/* The store holds exactly the first k rows (k from the reader's counters):
 * it equals a store that recorded them one by one, and still works. */
static void assert_store_holds_prefix(cxm_store *s, const cxm_reader_stats *st) {
  size_t k = (size_t)(st->events + st->duplicates);
  cxm_store *twin = fixture_store(NULL, k);
  fpbuf a = {0}, b = {0};
  assert_int_equal(st->rejected, 0);
  fp_store(&a, s);
  fp_store(&b, twin);
  fp_assert_same(&b, &a, "reader prefix", (long)k);
  cxm_store_free(twin);
  fp_free(&a);
  fp_free(&b);
  store_still_works(s);
}

static void fp_reader_store(fpbuf *b, void *ctx) { fp_store(b, ((reader_ctx *)ctx)->s); }

/* cxm_reader_new: the store is unchanged by a failure. */
static int32_t call_reader_new(void *ctx) {
  reader_ctx *c = ctx;
  cxm_reader_options o = reader_options(c->format);
  c->r = NULL;
  return cxm_reader_new(&c->r, c->s, &o);
}
static void release_reader_new(void *ctx) {
  reader_ctx *c = ctx;
  assert_non_null(c->r);
  cxm_reader_free(c->r);
  c->r = NULL;
}
static void reader_new_failed(void *ctx) { assert_null(((reader_ctx *)ctx)->r); }

/* cxm_reader_feed and cxm_reader_finish on a fresh store and reader. */
static void prepare_reader(void *ctx) {
  reader_ctx *c = ctx;
  cxm_reader_options o = reader_options(c->format);
  c->s = fixture_store(&g_hooks, 0);
  assert_int_equal(cxm_reader_new(&c->r, c->s, &o), CXM_OK);
  if (c->upto > 0) assert_int_equal(feed_all(c->r, c->data, c->upto), CXM_OK);
}
static int32_t call_reader_feed(void *ctx) {
  reader_ctx *c = ctx;
  return feed_all(c->r, c->data, c->data_len);
}
static int32_t call_reader_finish(void *ctx) { return cxm_reader_finish(((reader_ctx *)ctx)->r); }
static void reader_failed(void *ctx) {
  reader_ctx *c = ctx;
  uint8_t nl = '\n';
  c->stats.size = sizeof c->stats;
  assert_int_equal(cxm_reader_stats_get(&c->stats, c->r), CXM_OK);
  /* documented: the reader stops */
  assert_int_equal(cxm_reader_feed(c->r, &nl, 1), CXM_E_STATE);
  assert_int_equal(cxm_reader_finish(c->r), CXM_E_STATE);
  assert_store_holds_prefix(c->s, &c->stats);
}
static void reader_done(void *ctx) {
  reader_ctx *c = ctx;
  fpbuf got = {0};
  if (c->upto == 0) assert_int_equal(cxm_reader_finish(c->r), CXM_OK);
  fp_store(&got, c->s);
  fp_assert_same(&c->want, &got, "reader", -1);
  fp_free(&got);
}
static void cleanup_reader(void *ctx) {
  reader_ctx *c = ctx;
  cxm_reader_free(c->r);
  c->r = NULL;
  cxm_store_free(c->s);
  c->s = NULL;
}

/* cxm_store_ingest_file */
static void prepare_ingest(void *ctx) {
  reader_ctx *c = ctx;
  c->s = fixture_store(&g_hooks, 0);
}
static int32_t call_ingest(void *ctx) {
  reader_ctx *c = ctx;
  cxm_reader_options o = reader_options(c->format);
  memset(&c->stats, 0, sizeof c->stats);
  c->stats.size = sizeof c->stats;
  return cxm_store_ingest_file(c->s, c->path, &o, &c->stats);
}
static void ingest_failed(void *ctx) {
  reader_ctx *c = ctx;
  assert_store_holds_prefix(c->s, &c->stats);
}
static void ingest_done(void *ctx) {
  reader_ctx *c = ctx;
  fpbuf got = {0};
  fp_store(&got, c->s);
  fp_assert_same(&c->want, &got, "cxm_store_ingest_file", -1);
  fp_free(&got);
}

/* A file name of this process in $TMPDIR (or /tmp). */
static void temp_path(char *buf, size_t cap, const char *name) {
  const char *dir = getenv("TMPDIR");
  int n = snprintf(buf, cap, "%s/cxm_test_faults_%ld_%s", dir != NULL && dir[0] ? dir : "/tmp", (long)getpid(), name);
  assert_true(n > 0 && (size_t)n < cap);
}

static void write_file(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

static void test_readers(void **state) {
  reader_ctx c;
  int32_t format;
  char path[512];
  cxm_store *ref;
  (void)state;
  ref = fixture_store(NULL, g_nev);
  for (format = CXM_FORMAT_CSV; format <= CXM_FORMAT_JSONL; format++) {
    const char *text = g_text[format];
    size_t len = g_text_len[format], first_row;
    memset(&c, 0, sizeof c);
    c.format = format;
    fp_store(&c.want, ref);

    { /* cxm_reader_new on a store with events */
      fault_spec spec = {"cxm_reader_new",
                         call_reader_new,
                         fp_reader_store,
                         NULL,
                         NULL,
                         NULL,
                         NULL,
                         release_reader_new,
                         reader_new_failed,
                         0,
                         0,
                         NULL};
      c.s = fixture_store(&g_hooks, 100);
      assert_int_equal(fault_loop(&spec, &c), CXM_OK);
      store_still_works(c.s);
      cxm_store_free(c.s);
      c.s = NULL;
    }
    { /* cxm_reader_feed: the whole input */
      fault_spec spec = {"cxm_reader_feed", call_reader_feed, NULL,          NULL, NULL, prepare_reader,
                         cleanup_reader,    reader_done,      reader_failed, 1,    0,    NULL};
      c.data = text;
      c.data_len = len;
      c.upto = 0;
      assert_int_equal(fault_loop(&spec, &c), CXM_OK);
    }
    { /* cxm_reader_finish: the last record, without its line end, is
       * the first row of all (into an empty store), so finish allocates */
      fault_spec spec = {"cxm_reader_finish", call_reader_finish, NULL,          NULL, NULL, prepare_reader,
                         cleanup_reader,      reader_done,        reader_failed, 1,    0,    NULL};
      cxm_store *one = fixture_store(NULL, 1);
      first_row = format == CXM_FORMAT_CSV ? (size_t)(strchr(text, '\n') - text) + 1 : 0;
      c.data = text;
      c.upto = (size_t)(strchr(text + first_row, '\n') - text); /* header and row 1, no line end */
      c.data_len = c.upto;
      fp_free(&c.want);
      fp_store(&c.want, one);
      cxm_store_free(one);
      assert_int_equal(fault_loop(&spec, &c), CXM_OK);
    }
    { /* cxm_store_ingest_file */
      fault_spec spec = {"cxm_store_ingest_file", call_ingest, NULL,          NULL, NULL, prepare_ingest,
                         cleanup_reader,          ingest_done, ingest_failed, 1,    0,    NULL};
      temp_path(path, sizeof path, format == CXM_FORMAT_CSV ? "events.csv" : "events.jsonl");
      write_file(path, text, len);
      c.path = path;
      fp_free(&c.want);
      fp_store(&c.want, ref);
      assert_int_equal(fault_loop(&spec, &c), CXM_OK);
      remove(path);
    }
    fp_free(&c.want);
  }
  cxm_store_free(ref);
  assert_true(g_fa.live_bytes == 0);
}

/* ---- purchase summaries and models ---------------------------------------- */

static uint64_t owned_rfm(void *ctx) { return object_bytes(((rfm_ctx *)ctx)->rfm); }
static void fp_rfm_ctx(fpbuf *b, void *ctx) { fp_rfm(b, ((rfm_ctx *)ctx)->rfm); }
static void fp_rfm_twin(fpbuf *b, void *ctx) { fp_rfm(b, ((rfm_ctx *)ctx)->want); }

static int32_t call_rfm_new(void *ctx) {
  rfm_ctx *c = ctx;
  c->rfm = NULL;
  return cxm_rfm_new(&c->rfm, &g_hooks);
}
static void release_rfm_new(void *ctx) {
  rfm_ctx *c = ctx;
  cxm_rfm_customer k;
  assert_non_null(c->rfm);
  cxm_rfm_customer_init(&k);
  k.T = 3;
  UNPAUSE();
  assert_int_equal(cxm_rfm_add(c->rfm, &k), CXM_OK); /* it works */
  PAUSE();
  cxm_rfm_free(c->rfm);
  c->rfm = NULL;
}
static void rfm_new_failed(void *ctx) { assert_null(((rfm_ctx *)ctx)->rfm); }

static int32_t call_rfm_add(void *ctx) {
  rfm_ctx *c = ctx;
  return cxm_rfm_add(c->rfm, &c->customer);
}
static int32_t call_rfm_load_csv(void *ctx) {
  rfm_ctx *c = ctx;
  c->error_line = 99;
  return cxm_rfm_load_csv(c->rfm, &c->error_line, c->text, c->len);
}
static int32_t call_rfm_load_file(void *ctx) {
  rfm_ctx *c = ctx;
  c->error_line = 99;
  return cxm_rfm_load_file(c->rfm, &c->error_line, c->path);
}
static int32_t call_model_fit(void *ctx) {
  rfm_ctx *c = ctx;
  cxm_model_init(&c->model);
  return cxm_model_fit(&c->model, c->rfm, c->kind, NULL);
}
static void fit_same(void *ctx) {
  rfm_ctx *c = ctx;
  assert_memory_equal(&c->want_model, &c->model, sizeof c->model);
}
static void loglik_same(void *ctx) {
  rfm_ctx *c = ctx;
  assert_true(c->loglik == c->want_loglik);
}
static int32_t call_model_loglik(void *ctx) {
  rfm_ctx *c = ctx;
  return cxm_model_loglik(&c->loglik, &c->model, c->rfm);
}

/* The purchase models with covariates (cxm/covariates.h) on the set of
 * test_rfm(): scratch through the set's hooks and the fit without
 * covariates inside; on failure CXM_E_NOMEM with the fit struct unchanged,
 * and a call that gets through (the inner fit's optional counting sort)
 * gives the result of a run without failures. */
#define COV_N 1700
static double g_cov[COV_N * 2];
static cxm_covariate_fit g_cov_fit, g_cov_want;
static double g_cov_ll, g_cov_want_ll;
static int32_t call_covariate_fit(void *ctx) {
  rfm_ctx *c = ctx;
  cxm_covariate_fit_init(&g_cov_fit);
  g_cov_fit.kind = c->kind;
  g_cov_fit.count = 2;
  g_cov_fit.trans = 3;
  g_cov_fit.life = 1;
  return cxm_covariate_model_fit(&g_cov_fit, c->rfm, g_cov, COV_N, NULL);
}
static void covariate_fit_same(void *ctx) {
  (void)ctx;
  assert_memory_equal(&g_cov_want, &g_cov_fit, sizeof g_cov_fit);
}
static void covariate_fit_failed(void *ctx) {
  cxm_covariate_fit fresh;
  (void)ctx;
  cxm_covariate_fit_init(&fresh);
  fresh.kind = g_cov_fit.kind;
  fresh.count = 2;
  fresh.trans = 3;
  fresh.life = 1;
  assert_memory_equal(&fresh, &g_cov_fit, sizeof fresh);
}
static int32_t call_covariate_loglik(void *ctx) {
  (void)ctx;
  g_cov_ll = NAN;
  return cxm_covariate_loglik(&g_cov_ll, &g_cov_want, ((rfm_ctx *)ctx)->rfm, g_cov, COV_N);
}
static void covariate_loglik_failed(void *ctx) {
  (void)ctx;
  assert_true(isnan(g_cov_ll));
}

static void run_covariate_faults(rfm_ctx *c) {
  fault_spec fit = {"cxm_covariate_model_fit",
                    call_covariate_fit,
                    fp_rfm_ctx,
                    NULL,
                    NULL,
                    NULL,
                    NULL,
                    NULL,
                    covariate_fit_failed,
                    0,
                    0,
                    covariate_fit_same};
  fault_spec ll = {"cxm_covariate_loglik",
                   call_covariate_loglik,
                   fp_rfm_ctx,
                   NULL,
                   NULL,
                   NULL,
                   NULL,
                   NULL,
                   covariate_loglik_failed,
                   0,
                   0,
                   NULL};
  size_t i;
  assert_int_equal(cxm_rfm_count(c->rfm), COV_N);
  for (i = 0; i < COV_N; i++) {
    g_cov[2 * i] = (double)(i % 3 == 0);
    g_cov[2 * i + 1] = sin((double)i);
  }
  for (c->kind = CXM_MODEL_BGNBD; c->kind <= CXM_MODEL_PNBD; c->kind += 2) {
    int32_t rc = call_covariate_fit(c);
    assert_true(rc == CXM_OK || rc == CXM_E_CONVERGE);
    g_cov_want = g_cov_fit;
    assert_int_equal(fault_loop(&fit, c), rc);
    covariate_fit_same(c);
    assert_int_equal(cxm_covariate_loglik(&g_cov_want_ll, &g_cov_want, c->rfm, g_cov, COV_N), CXM_OK);
    assert_int_equal(fault_loop(&ll, c), CXM_OK);
    assert_true(g_cov_ll == g_cov_want_ll);
  }
}

/* The i-th customer of the sequences: ids on most, holdout counts and
 * spends on some, so every column of the set is filled. */
static cxm_rfm_customer rfm_customer(unsigned i, char *id, size_t cap) {
  cxm_rfm_customer k;
  cxm_rfm_customer_init(&k);
  k.x = i % 7;
  k.T = 10.0 + (double)(i % 40);
  k.t_x = k.x == 0 ? 0.0 : k.T * (double)(i % 5 + 1) / 6.0;
  if (k.x > 0) k.monetary = 3.5 + (double)(i % 13);
  if (i % 3 == 0) k.x_star = (double)(i % 4);
  if (i % 9 != 0) {
    int n = snprintf(id, cap, "customer-%u", i);
    k.id = id;
    k.id_len = (size_t)n;
  }
  return k;
}

static size_t rfm_csv(char *buf, size_t cap, unsigned count) {
  size_t len;
  unsigned i;
  int n = snprintf(buf, cap, "ID,frequency,recency,T,monetary_value,x_star\n");
  len = (size_t)n;
  for (i = 0; i < count; i++) {
    char id[32];
    cxm_rfm_customer k = rfm_customer(i, id, sizeof id);
    n = snprintf(buf + len, cap - len, "c%u,%u,%.4f,%.4f,%.2f,%u\r\n", i, k.x, k.t_x, k.T, k.x > 0 ? k.monetary : 0.0,
                 i % 4);
    assert_true(n > 0 && (size_t)n < cap - len);
    len += (size_t)n;
  }
  return len;
}

static void test_rfm(void **state) {
  rfm_ctx c;
  static char csv[64 * 1024];
  char id[32], path[512];
  size_t len;
  unsigned i;
  fpbuf a = {0}, b = {0};
  (void)state;
  memset(&c, 0, sizeof c);
  { /* cxm_rfm_new */
    fault_spec spec = {"cxm_rfm_new", call_rfm_new,    NULL,           NULL, NULL, NULL,
                       NULL,          release_rfm_new, rfm_new_failed, 0,    0,    NULL};
    assert_int_equal(fault_loop(&spec, &c), CXM_OK);
  }
  { /* cxm_rfm_add, one customer after another; a twin on malloc */
    fault_spec spec = {"cxm_rfm_add", call_rfm_add, fp_rfm_ctx, fp_rfm_twin, owned_rfm, NULL,
                       NULL,          NULL,         NULL,       0,           0,         NULL};
    assert_int_equal(cxm_rfm_new(&c.rfm, &g_hooks), CXM_OK);
    assert_int_equal(cxm_rfm_new(&c.want, NULL), CXM_OK);
    for (i = 0; i < 700; i++) {
      c.customer = rfm_customer(i, id, sizeof id);
      assert_int_equal(fault_loop(&spec, &c), CXM_OK);
      assert_int_equal(cxm_rfm_add(c.want, &c.customer), CXM_OK);
    }
    fp_rfm(&a, c.rfm);
    fp_rfm(&b, c.want);
    fp_assert_same(&b, &a, spec.fn, -1);
    cxm_rfm_free(c.want);
    c.want = NULL;
  }
  /* cxm_rfm_load_csv and cxm_rfm_load_file: all or nothing, on a set that
   * already holds the 700 customers above */
  len = rfm_csv(csv, sizeof csv, 500);
  temp_path(path, sizeof path, "rfm.csv");
  write_file(path, csv, len);
  {
    fault_spec spec = {
        "cxm_rfm_load_csv", call_rfm_load_csv, fp_rfm_ctx, NULL, owned_rfm, NULL, NULL, NULL, NULL, 0, 0, NULL};
    fault_spec file = {
        "cxm_rfm_load_file", call_rfm_load_file, fp_rfm_ctx, NULL, owned_rfm, NULL, NULL, NULL, NULL, 0, 0, NULL};
    c.text = csv;
    c.len = len;
    c.path = path;
    assert_int_equal(fault_loop(&spec, &c), CXM_OK);
    assert_int_equal(c.error_line, 0);
    assert_int_equal(cxm_rfm_count(c.rfm), 1200);
    assert_int_equal(fault_loop(&file, &c), CXM_OK);
    assert_int_equal(c.error_line, 0);
    assert_int_equal(cxm_rfm_count(c.rfm), 1700);
    { /* and into empty sets, whose tables grow while loading */
      cxm_rfm *full = c.rfm;
      fpbuf one = {0}, other = {0};
      assert_int_equal(cxm_rfm_new(&c.rfm, &g_hooks), CXM_OK);
      assert_int_equal(fault_loop(&spec, &c), CXM_OK);
      fp_rfm(&one, c.rfm);
      cxm_rfm_free(c.rfm);
      assert_int_equal(cxm_rfm_new(&c.rfm, &g_hooks), CXM_OK);
      assert_int_equal(fault_loop(&file, &c), CXM_OK);
      fp_rfm(&other, c.rfm);
      fp_assert_same(&one, &other, spec.fn, -1);
      assert_int_equal(cxm_rfm_count(c.rfm), 500);
      cxm_rfm_free(c.rfm);
      c.rfm = full;
      fp_free(&one);
      fp_free(&other);
    }
  }
  remove(path);
  { /* fits and log-likelihoods of every kind; the set is unchanged */
    fault_spec fit = {"cxm_model_fit", call_model_fit, fp_rfm_ctx, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL};
    fault_spec ll = {"cxm_model_loglik", call_model_loglik, fp_rfm_ctx, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL};
    /* The fit's counting sort of the triples by x is optional: without
     * memory for its counts it sorts them with qsort, to the same order. */
    fit.tolerated = fit_same;
    ll.tolerated = loglik_same;
    for (c.kind = CXM_MODEL_BGNBD; c.kind <= CXM_MODEL_GAMMA_GAMMA; c.kind++) {
      int32_t rc;
      cxm_model_init(&c.want_model);
      rc = cxm_model_fit(&c.want_model, c.rfm, c.kind, NULL);
      assert_true(rc == CXM_OK || rc == CXM_E_CONVERGE);
      assert_int_equal(fault_loop(&fit, &c), rc);
      fit_same(&c);
      assert_int_equal(cxm_model_loglik(&c.want_loglik, &c.model, c.rfm), CXM_OK);
      assert_int_equal(fault_loop(&ll, &c), CXM_OK);
      loglik_same(&c);
    }
  }
  run_covariate_faults(&c);
  cxm_rfm_free(c.rfm);
  fp_free(&a);
  fp_free(&b);
  assert_true(g_fa.live_bytes == 0);
}

/* ---- churn-risk data, fits and evaluations -------------------------------- */

typedef struct risk_ctx {
  cxm_risk_data *data, *twin, *out;
  double x[4];
  int32_t label;
  cxm_risk_model model;
  cxm_risk_evaluation evaluation;
} risk_ctx;

enum { RISK_K = 4 };

/* A data set's count, width, and its fit and evaluation (allocations
 * paused): rows cannot be read back, but they decide the fit. */
static void fp_risk(fpbuf *b, const cxm_risk_data *d) {
  long saved = g_fa.remaining;
  cxm_risk_model m;
  cxm_risk_evaluation e;
  int32_t rc;
  PAUSE();
  fp_u64(b, cxm_risk_data_count(d));
  fp_i64(b, cxm_risk_data_features(d));
  cxm_risk_model_init(&m);
  rc = cxm_risk_fit(&m, d, NULL);
  fp_rc(b, rc);
  fp_put(b, &m, sizeof m);
  if (rc == CXM_OK || rc == CXM_E_CONVERGE) {
    memset(&e, 0, sizeof e);
    e.size = sizeof e;
    fp_rc(b, cxm_risk_evaluate(&e, &m, d));
    fp_put(b, &e, sizeof e);
  }
  g_fa.remaining = saved;
}
static uint64_t owned_risk(void *ctx) { return object_bytes(((risk_ctx *)ctx)->data); }
static void fp_risk_ctx(fpbuf *b, void *ctx) { fp_risk(b, ((risk_ctx *)ctx)->data); }
static void fp_risk_twin(fpbuf *b, void *ctx) { fp_risk(b, ((risk_ctx *)ctx)->twin); }

static int32_t call_risk_new(void *ctx) {
  risk_ctx *c = ctx;
  c->out = NULL;
  return cxm_risk_data_new(&c->out, RISK_K, &g_hooks);
}
static void release_risk_new(void *ctx) {
  risk_ctx *c = ctx;
  static const double x[RISK_K] = {1, 2, 3, 4};
  assert_non_null(c->out);
  UNPAUSE();
  assert_int_equal(cxm_risk_data_add(c->out, x, 1, 1.0), CXM_OK);
  PAUSE();
  cxm_risk_data_free(c->out);
  c->out = NULL;
}
static void risk_new_failed(void *ctx) { assert_null(((risk_ctx *)ctx)->out); }
static int32_t call_risk_add(void *ctx) {
  risk_ctx *c = ctx;
  return cxm_risk_data_add(c->data, c->x, c->label, 1.0 + (double)c->label);
}
static int32_t call_risk_fit(void *ctx) {
  risk_ctx *c = ctx;
  cxm_risk_model_init(&c->model);
  return cxm_risk_fit(&c->model, c->data, NULL);
}
static int32_t call_risk_evaluate(void *ctx) {
  risk_ctx *c = ctx;
  memset(&c->evaluation, 0, sizeof c->evaluation);
  c->evaluation.size = sizeof c->evaluation;
  return cxm_risk_evaluate(&c->evaluation, &c->model, c->data);
}

static void test_risk(void **state) {
  risk_ctx c;
  uint64_t rng = 99;
  unsigned i;
  cxm_risk_model want;
  cxm_risk_evaluation want_eval;
  fpbuf a = {0}, b = {0};
  (void)state;
  memset(&c, 0, sizeof c);
  {
    fault_spec spec = {"cxm_risk_data_new", call_risk_new,   NULL, NULL, NULL, NULL, NULL,
                       release_risk_new,    risk_new_failed, 0,    0,    NULL};
    assert_int_equal(fault_loop(&spec, &c), CXM_OK);
  }
  {
    fault_spec spec = {
        "cxm_risk_data_add", call_risk_add, fp_risk_ctx, fp_risk_twin, owned_risk, NULL, NULL, NULL, NULL, 0, 0, NULL};
    assert_int_equal(cxm_risk_data_new(&c.data, RISK_K, &g_hooks), CXM_OK);
    assert_int_equal(cxm_risk_data_new(&c.twin, RISK_K, NULL), CXM_OK);
    for (i = 0; i < 600; i++) {
      double s = 0;
      size_t j;
      for (j = 0; j < RISK_K; j++) {
        c.x[j] = (double)test_below(&rng, 1000) / 100.0 - 5.0;
        s += c.x[j] * (double)(j + 1) * (j % 2 ? -0.3 : 0.4);
      }
      c.label = s + (double)test_below(&rng, 600) / 100.0 - 3.0 > 0;
      assert_int_equal(fault_loop(&spec, &c), CXM_OK);
      assert_int_equal(cxm_risk_data_add(c.twin, c.x, c.label, 1.0 + (double)c.label), CXM_OK);
    }
    fp_risk(&a, c.data);
    fp_risk(&b, c.twin);
    fp_assert_same(&b, &a, spec.fn, -1);
    cxm_risk_data_free(c.twin);
  }
  {
    fault_spec fit = {"cxm_risk_fit", call_risk_fit, fp_risk_ctx, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL};
    fault_spec ev = {
        "cxm_risk_evaluate", call_risk_evaluate, fp_risk_ctx, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL};
    cxm_risk_model_init(&want);
    assert_int_equal(cxm_risk_fit(&want, c.data, NULL), CXM_OK);
    assert_int_equal(fault_loop(&fit, &c), CXM_OK);
    assert_memory_equal(&want, &c.model, sizeof want);
    memset(&want_eval, 0, sizeof want_eval);
    want_eval.size = sizeof want_eval;
    assert_int_equal(cxm_risk_evaluate(&want_eval, &c.model, c.data), CXM_OK);
    assert_int_equal(fault_loop(&ev, &c), CXM_OK);
    assert_memory_equal(&want_eval, &c.evaluation, sizeof want_eval);
  }
  cxm_risk_data_free(c.data);
  fp_free(&a);
  fp_free(&b);
  assert_true(g_fa.live_bytes == 0);
}

/* ---- business calendars ---------------------------------------------------- */

typedef struct cal_ctx {
  cxm_calendar *cal, *twin, *out;
  int32_t y, m, d;
  const char *text;
  size_t len;
  size_t bad_line;
} cal_ctx;

/* Everything a calendar answers: hours, offset, holidays, and the three
 * queries over spans that cross the holidays. */
static void fp_calendar(fpbuf *b, const cxm_calendar *cal) {
  int32_t w, open, close, off;
  int64_t t, v;
  fp_u64(b, cxm_calendar_holiday_count(cal));
  for (w = CXM_MONDAY; w <= CXM_SUNDAY; w++) {
    assert_int_equal(cxm_calendar_get_hours(&open, &close, cal, w), CXM_OK);
    fp_i64(b, open);
    fp_i64(b, close);
  }
  assert_int_equal(cxm_calendar_get_offset(&off, cal), CXM_OK);
  fp_i64(b, off);
  for (t = INT64_C(946684800); t < INT64_C(1893456000); t += 97 * DAY + 3601) { /* 2000..2030 */
    assert_int_equal(cxm_calendar_business_seconds(&v, cal, t, t + 40 * DAY), CXM_OK);
    fp_i64(b, v);
    assert_int_equal(cxm_calendar_next_open(&v, cal, t), CXM_OK);
    fp_i64(b, v);
    assert_int_equal(cxm_calendar_add_business(&v, cal, t, 30 * 3600), CXM_OK);
    fp_i64(b, v);
  }
}
static uint64_t owned_cal(void *ctx) { return object_bytes(((cal_ctx *)ctx)->cal); }
static void fp_cal_ctx(fpbuf *b, void *ctx) { fp_calendar(b, ((cal_ctx *)ctx)->cal); }
static void fp_cal_twin(fpbuf *b, void *ctx) { fp_calendar(b, ((cal_ctx *)ctx)->twin); }

static int32_t call_cal_new(void *ctx) {
  cal_ctx *c = ctx;
  c->out = NULL;
  return cxm_calendar_new(&c->out, &g_hooks);
}
static void release_cal_new(void *ctx) {
  cal_ctx *c = ctx;
  assert_non_null(c->out);
  UNPAUSE();
  assert_int_equal(cxm_calendar_add_holiday(c->out, 2026, 12, 25), CXM_OK);
  PAUSE();
  cxm_calendar_free(c->out);
  c->out = NULL;
}
static void cal_new_failed(void *ctx) { assert_null(((cal_ctx *)ctx)->out); }
static int32_t call_add_holiday(void *ctx) {
  cal_ctx *c = ctx;
  return cxm_calendar_add_holiday(c->cal, c->y, c->m, c->d);
}
static int32_t call_add_holidays_text(void *ctx) {
  cal_ctx *c = ctx;
  c->bad_line = 77;
  return cxm_calendar_add_holidays_text(&c->bad_line, c->cal, c->text, c->len);
}

static void test_calendar(void **state) {
  cal_ctx c;
  uint64_t rng = 5;
  char text[8192];
  size_t len = 0;
  unsigned i;
  fpbuf a = {0}, b = {0};
  (void)state;
  memset(&c, 0, sizeof c);
  {
    fault_spec spec = {"cxm_calendar_new", call_cal_new,   NULL, NULL, NULL, NULL, NULL,
                       release_cal_new,    cal_new_failed, 0,    0,    NULL};
    assert_int_equal(fault_loop(&spec, &c), CXM_OK);
  }
  {
    fault_spec spec = {"cxm_calendar_add_holiday",
                       call_add_holiday,
                       fp_cal_ctx,
                       fp_cal_twin,
                       owned_cal,
                       NULL,
                       NULL,
                       NULL,
                       NULL,
                       0,
                       0,
                       NULL};
    assert_int_equal(cxm_calendar_new(&c.cal, &g_hooks), CXM_OK);
    assert_int_equal(cxm_calendar_new(&c.twin, NULL), CXM_OK);
    assert_int_equal(cxm_calendar_set_offset(c.cal, 19800), CXM_OK);
    assert_int_equal(cxm_calendar_set_offset(c.twin, 19800), CXM_OK);
    for (i = 0; i < 300; i++) { /* random order, some twice */
      c.y = 2000 + (int32_t)test_below(&rng, 30);
      c.m = 1 + (int32_t)test_below(&rng, 12);
      c.d = 1 + (int32_t)test_below(&rng, 28);
      assert_int_equal(fault_loop(&spec, &c), CXM_OK);
      assert_int_equal(cxm_calendar_add_holiday(c.twin, c.y, c.m, c.d), CXM_OK);
    }
    fp_calendar(&a, c.cal);
    fp_calendar(&b, c.twin);
    fp_assert_same(&b, &a, spec.fn, -1);
    cxm_calendar_free(c.twin);
  }
  {
    fault_spec spec = {"cxm_calendar_add_holidays_text",
                       call_add_holidays_text,
                       fp_cal_ctx,
                       NULL,
                       owned_cal,
                       NULL,
                       NULL,
                       NULL,
                       NULL,
                       0,
                       0,
                       NULL};
    size_t before = cxm_calendar_holiday_count(c.cal);
    for (i = 0; i < 200; i++) {
      int n = snprintf(text + len, sizeof text - len, "%s%04u-%02u-%02u%s\n", i % 17 == 0 ? "  " : "",
                       1990 + (unsigned)test_below(&rng, 50), 1 + (unsigned)test_below(&rng, 12),
                       1 + (unsigned)test_below(&rng, 28), i % 13 == 0 ? " # note" : "");
      assert_true(n > 0 && (size_t)n < sizeof text - len);
      len += (size_t)n;
    }
    c.text = text;
    c.len = len;
    assert_int_equal(fault_loop(&spec, &c), CXM_OK);
    assert_int_equal(c.bad_line, 0);
    assert_true(cxm_calendar_holiday_count(c.cal) > before);
  }
  cxm_calendar_free(c.cal);
  fp_free(&a);
  fp_free(&b);
  assert_true(g_fa.live_bytes == 0);
}

/* ---- merging stores: atomic ------------------------------------------------ */

typedef struct merge_ctx {
  cxm_store *into, *from;
} merge_ctx;

static void fp_merge(fpbuf *b, void *ctx) {
  merge_ctx *c = ctx;
  fp_store(b, c->into);
  fp_store(b, c->from);
}
static uint64_t owned_into(void *ctx) {
  cxm_store_stats st;
  st.size = sizeof st;
  assert_int_equal(cxm_store_stats_get(&st, ((merge_ctx *)ctx)->into), CXM_OK);
  return st.memory_bytes;
}
static int32_t call_merge(void *ctx) {
  merge_ctx *c = ctx;
  return cxm_store_merge(c->into, c->from);
}
static int32_t call_merge_exact(void *ctx) {
  merge_ctx *c = ctx;
  return cxm_store_merge_exact(c->into, c->from);
}

/* The events of the customers of one parity; shard 1 interns the channels
 * and segments in reverse order, and each shard one code of its own. */
static cxm_store *shard_store(const cxm_allocator *hooks, unsigned parity) {
  cxm_store_options o;
  cxm_store *s = NULL;
  size_t i;
  int32_t code, own_channel, own_segment;
  cxm_store_options_init(&o);
  o.allocator = hooks;
  assert_int_equal(cxm_store_new(&s, &o), CXM_OK);
  for (i = 0; i < N_CHAN; i++) {
    const char *t = chan_tokens[parity ? N_CHAN - 1 - i : i];
    assert_int_equal(cxm_store_channel(&code, s, t, strlen(t)), CXM_OK);
  }
  for (i = 0; i < N_SEG; i++) {
    const char *t = seg_labels[parity ? N_SEG - 1 - i : i];
    assert_int_equal(cxm_store_segment(&code, s, t, strlen(t)), CXM_OK);
  }
  assert_int_equal(cxm_store_channel(&own_channel, s, parity ? "telegram" : "fax", parity ? 8 : 3), CXM_OK);
  assert_int_equal(cxm_store_segment(&own_segment, s, parity ? "vip" : "trial", parity ? 3 : 5), CXM_OK);
  for (i = 0; i < g_nev; i++) {
    cxm_event e;
    int32_t rc;
    if ((unsigned)atoi(g_ev[i].customer + 1) % 2 != parity) continue;
    e = to_event(&g_ev[i], s);
    if (i % 5 == 0) e.channel = own_channel;
    if (i % 7 == 0) e.segment = own_segment;
    rc = cxm_store_record(s, &e);
    assert_true(rc == CXM_OK || rc == CXM_DUPLICATE);
  }
  return s;
}

/* Merge a store holding the later events into one holding the earlier
 * ones (and into an empty one): each failure leaves both as they were; the
 * result equals one store fed every event. */
static void test_store_merge(void **state) {
  merge_ctx c;
  fault_spec spec = {"cxm_store_merge", call_merge, fp_merge, NULL, owned_into, NULL, NULL, NULL, NULL, 0, 0, NULL};
  size_t splits[] = {0, 1, 300, 700}, k, i, n = g_nev - 1; /* without the duplicate at the end */
  cxm_store *all = fixture_store(NULL, n);
  fpbuf want = {0}, got = {0};
  (void)state;
  fp_store(&want, all);
  cxm_store_free(all);
  for (k = 0; k < sizeof splits / sizeof splits[0]; k++) {
    c.into = fixture_store(&g_hooks, splits[k]);
    c.from = fixture_store(&g_hooks, 0);
    for (i = splits[k]; i < n; i++) {
      cxm_event e = to_event(&g_ev[i], c.from);
      assert_int_equal(cxm_store_record(c.from, &e), CXM_OK);
    }
    assert_int_equal(fault_loop(&spec, &c), CXM_OK);
    got.len = 0;
    fp_store(&got, c.into);
    fp_assert_same(&want, &got, spec.fn, -1);
    store_still_works(c.into);
    cxm_store_free(c.into);
    cxm_store_free(c.from);
    assert_true(g_fa.live_bytes == 0);
  }
  { /* the same shards by customer through cxm_store_merge_exact: what it
     * returns without failures, and a result equal to that merge's */
    fault_spec exact = {
        "cxm_store_merge_exact", call_merge_exact, fp_merge, NULL, owned_into, NULL, NULL, NULL, NULL, 0, 0, NULL};
    cxm_store *twin_into = shard_store(NULL, 0), *twin_from = shard_store(NULL, 1);
    int32_t want_rc = cxm_store_merge_exact(twin_into, twin_from);
    assert_true(want_rc == CXM_OK || want_rc == CXM_E_CONFLICT);
    want.len = 0;
    fp_store(&want, twin_into);
    cxm_store_free(twin_into);
    cxm_store_free(twin_from);
    c.into = shard_store(&g_hooks, 0);
    c.from = shard_store(&g_hooks, 1);
    assert_int_equal(fault_loop(&exact, &c), want_rc);
    got.len = 0;
    fp_store(&got, c.into);
    fp_assert_same(&want, &got, exact.fn, -1);
    cxm_store_free(c.into);
    cxm_store_free(c.from);
    assert_true(g_fa.live_bytes == 0);
  }
  { /* shards by customer whose channel and segment codes differ: `from`
     * interned them in reverse order, and each shard has a code the other
     * lacks, so the merge must map them; the result must equal the same
     * merge without failures */
    cxm_store *twin_into = shard_store(NULL, 0), *twin_from = shard_store(NULL, 1);
    want.len = 0;
    assert_int_equal(cxm_store_merge(twin_into, twin_from), CXM_OK);
    fp_store(&want, twin_into);
    cxm_store_free(twin_into);
    cxm_store_free(twin_from);
    c.into = shard_store(&g_hooks, 0);
    c.from = shard_store(&g_hooks, 1);
    assert_int_equal(fault_loop(&spec, &c), CXM_OK);
    got.len = 0;
    fp_store(&got, c.into);
    fp_assert_same(&want, &got, spec.fn, -1);
    store_still_works(c.into);
    cxm_store_free(c.into);
    cxm_store_free(c.from);
    assert_true(g_fa.live_bytes == 0);
  }
  fp_free(&want);
  fp_free(&got);
}

/* ---- snapshots -------------------------------------------------------------- */

typedef struct snap_ctx {
  cxm_store *s, *out;
  fpbuf bytes; /* what save_to wrote */
  fpbuf want;  /* the snapshot without failures */
  fpbuf want_fp;
  const char *path;
  const char *dir;
} snap_ctx;

static void fp_snap(fpbuf *b, void *ctx) { fp_store(b, ((snap_ctx *)ctx)->s); }

static int32_t call_save_to(void *ctx) {
  snap_ctx *c = ctx;
  c->bytes.len = 0;
  return cxm_store_save_to(c->s, fp_write, &c->bytes);
}
static void release_save_to(void *ctx) {
  snap_ctx *c = ctx;
  fp_assert_same(&c->want, &c->bytes, "cxm_store_save_to", -1);
}
static int32_t call_save(void *ctx) {
  snap_ctx *c = ctx;
  return cxm_store_save(c->s, c->path);
}
static int32_t call_save_with(void *ctx) {
  snap_ctx *c = ctx;
  cxm_save_options o;
  cxm_save_options_init(&o);
  o.new_file_mode = 0640;
  return cxm_store_save_with(c->s, c->path, &o);
}

static int32_t call_save_ex(void *ctx) {
  snap_ctx *c = ctx;
  cxm_detail d;
  int32_t rc;
  cxm_detail_init(&d);
  rc = cxm_store_save_ex(c->s, c->path, &d);
  assert_int_equal(d.status, rc);
  return rc;
}
/* The file holds `want` exactly, and no temporary file is left beside it. */
static void assert_file_holds(const char *path, const char *dir, const fpbuf *want) {
  FILE *f = fopen(path, "rb");
  fpbuf got = {0};
  uint8_t buf[4096];
  size_t n;
  DIR *d;
  struct dirent *ent;
  assert_non_null(f);
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) fp_put(&got, buf, n);
  fclose(f);
  fp_assert_same(want, &got, "cxm_store_save (file)", -1);
  fp_free(&got);
  d = opendir(dir);
  assert_non_null(d);
  while ((ent = readdir(d)) != NULL)
    if (strstr(ent->d_name, ".tmp-") != NULL) fail_msg("temporary file %s left in %s", ent->d_name, dir);
  closedir(d);
}
static void save_failed(void *ctx) {
  snap_ctx *c = ctx;
  fpbuf previous = {0};
  fp_put(&previous, "previous", 8);
  assert_file_holds(c->path, c->dir, &previous); /* documented: left as it was */
  fp_free(&previous);
}
static void release_save(void *ctx) {
  snap_ctx *c = ctx;
  assert_file_holds(c->path, c->dir, &c->want);
}
static int32_t call_load_bytes(void *ctx) {
  snap_ctx *c = ctx;
  c->out = (cxm_store *)&c->bytes; /* documented: NULL on failure */
  return cxm_store_load_bytes(&c->out, c->want.p, c->want.len, &g_hooks);
}
static int32_t call_load(void *ctx) {
  snap_ctx *c = ctx;
  c->out = (cxm_store *)&c->bytes;
  return cxm_store_load(&c->out, c->path, &g_hooks);
}
static int32_t call_load_ex(void *ctx) {
  snap_ctx *c = ctx;
  cxm_detail d;
  int32_t rc;
  cxm_detail_init(&d);
  c->out = (cxm_store *)&c->bytes;
  rc = cxm_store_load_ex(&c->out, c->path, &g_hooks, &d);
  assert_int_equal(d.status, rc);
  return rc;
}
static void load_failed(void *ctx) { assert_null(((snap_ctx *)ctx)->out); }
/* The loaded store answers every query as the original, gives the same
 * snapshot, and works on. */
static void release_load(void *ctx) {
  snap_ctx *c = ctx;
  fpbuf got = {0};
  assert_non_null(c->out);
  fp_store(&got, c->out);
  fp_assert_same(&c->want_fp, &got, "loaded store", -1);
  fp_free(&got);
  store_still_works(c->out);
  PAUSE();
  cxm_store_free(c->out);
  c->out = NULL;
}

static void test_snapshots(void **state) {
  snap_ctx c;
  char dir[512], path[600];
  fault_spec save_to = {"cxm_store_save_to", call_save_to, fp_snap, NULL, NULL, NULL, NULL,
                        release_save_to,     NULL,         0,       0,    NULL};
  fault_spec save = {"cxm_store_save", call_save,   fp_snap, NULL, NULL, NULL, NULL,
                     release_save,     save_failed, 0,       0,    NULL};
  fault_spec save_with = {"cxm_store_save_with", call_save_with, fp_snap, NULL, NULL, NULL, NULL,
                          release_save,          save_failed,    0,       0,    NULL};
  fault_spec load_bytes = {"cxm_store_load_bytes", call_load_bytes, NULL, NULL, NULL, NULL, NULL,
                           release_load,           load_failed,     0,    0,    NULL};
  fault_spec load = {"cxm_store_load", call_load, NULL, NULL, NULL, NULL, NULL, release_load, load_failed, 0, 0, NULL};
  fault_spec save_ex = {"cxm_store_save_ex", call_save_ex, fp_snap, NULL, NULL, NULL, NULL,
                        release_save,        save_failed,  0,       0,    NULL};
  fault_spec load_ex = {"cxm_store_load_ex", call_load_ex, NULL, NULL, NULL, NULL, NULL,
                        release_load,        load_failed,  0,    0,    NULL};
  size_t sizes[] = {0, 1, 200, MAX_EV}, k;
  (void)state;
  memset(&c, 0, sizeof c);
  temp_path(dir, sizeof dir, "snapshots-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/store.cxm", dir);
  c.path = path;
  c.dir = dir;
  for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    c.s = fixture_store(&g_hooks, sizes[k]);
    c.want.len = 0;
    assert_int_equal(cxm_store_save_to(c.s, fp_write, &c.want), CXM_OK);
    c.want_fp.len = 0;
    fp_store(&c.want_fp, c.s);
    assert_int_equal(fault_loop(&save_to, &c), CXM_OK);
    write_file(path, "previous", 8);
    assert_int_equal(fault_loop(&save, &c), CXM_OK);
    write_file(path, "previous", 8);
    assert_int_equal(fault_loop(&save_with, &c), CXM_OK);
    assert_int_equal(fault_loop(&load_bytes, &c), CXM_OK);
    assert_int_equal(fault_loop(&load, &c), CXM_OK);
    if (k == 2) {
      write_file(path, "previous", 8);
      assert_int_equal(fault_loop(&save_ex, &c), CXM_OK);
      assert_int_equal(fault_loop(&load_ex, &c), CXM_OK);
    }
    store_still_works(c.s);
    cxm_store_free(c.s);
    assert_true(g_fa.live_bytes == 0);
  }
  remove(path);
  assert_int_equal(rmdir(dir), 0);
  fp_free(&c.bytes);
  fp_free(&c.want);
  fp_free(&c.want_fp);
}

/* ---- retention, survival and key drivers ----------------------------------- */

/* Survival data (delayed entry, two groups, two covariates) and driver
 * data (four ratings and an outcome), in caller-owned arrays the calls must
 * leave as they are. */
enum { SV_N = 160, SV_P = 2, DR_N = 90, DR_P = 4 };

typedef struct surv_ctx {
  double entry[SV_N], time[SV_N], x[SV_N * SV_P];
  uint8_t event[SV_N];
  int32_t group[SV_N];
  double dy[DR_N], dx[DR_N * DR_P];
  cxm_km *km;
  cxm_cox *cox;
  cxm_drivers *drv;
  cxm_drivers_options dopt;
  cxm_logrank lr;
  double observed[2], expected[2];
  const cxm_store *s;
  cxm_retention_options ropt;
  cxm_retention *ret;
  cxm_tv_rows *tv;
  cxm_cohorts *coh;
  double y[NCUST + 8], xr[(NCUST + 8) * CXM_DRIVERS_SERVQUAL];
  size_t rows;
  double ty[NCUST + 8], tx[(NCUST + 8) * (CXM_DRIVERS_SERVQUAL + 2)];
  size_t cols;
  cxm_driver_table_options topt;
} surv_ctx;

#define SENTINEL (-12345.5)

static void fp_surv_inputs(fpbuf *b, void *ctx) {
  surv_ctx *c = ctx;
  fp_put(b, c->entry, sizeof c->entry);
  fp_put(b, c->time, sizeof c->time);
  fp_put(b, c->x, sizeof c->x);
  fp_put(b, c->event, sizeof c->event);
  fp_put(b, c->group, sizeof c->group);
  fp_put(b, c->dy, sizeof c->dy);
  fp_put(b, c->dx, sizeof c->dx);
  fp_put(b, &c->dopt, sizeof c->dopt);
}
static void fp_surv_store(fpbuf *b, void *ctx) { fp_store(b, ((surv_ctx *)ctx)->s); }

/* Everything a fit answers (allocations paused: the readers must not
 * allocate anyway, the probe holds them to it). */
static void fp_km(fpbuf *b, const cxm_km *km) {
  size_t i;
  double v[3];
  long saved = g_fa.remaining;
  PAUSE();
  fp_u64(b, cxm_km_steps(km));
  for (i = 0; i < cxm_km_steps(km); i++) {
    cxm_km_step st;
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    assert_int_equal(cxm_km_step_get(&st, km, i), CXM_OK);
    fp_put(b, &st, sizeof st);
  }
  for (i = 0; i < 12; i++) {
    fp_rc(b, cxm_km_survival_at(&v[0], km, 0.5 + 3.0 * (double)i));
    fp_f64(b, v[0]);
  }
  fp_rc(b, cxm_km_median(&v[0], &v[1], &v[2], km));
  fp_put(b, v, sizeof v);
  fp_rc(b, cxm_km_rmst(&v[0], &v[1], km, 25.0));
  fp_put(b, v, 2 * sizeof v[0]);
  g_fa.remaining = saved;
}
static void fp_cox(fpbuf *b, const cxm_cox *cox) {
  cxm_cox_summary sum;
  size_t j;
  long saved = g_fa.remaining;
  PAUSE();
  memset(&sum, 0, sizeof sum);
  sum.size = sizeof sum;
  assert_int_equal(cxm_cox_summary_get(&sum, cox), CXM_OK);
  fp_put(b, &sum, sizeof sum);
  for (j = 0; j < (size_t)sum.p; j++) {
    cxm_cox_coef co;
    memset(&co, 0, sizeof co);
    co.size = sizeof co;
    assert_int_equal(cxm_cox_coef_get(&co, cox, j), CXM_OK);
    fp_put(b, &co, sizeof co);
  }
  g_fa.remaining = saved;
}
static void fp_drivers(fpbuf *b, const cxm_drivers *d) {
  cxm_drivers_summary sum;
  size_t j;
  long saved = g_fa.remaining;
  PAUSE();
  memset(&sum, 0, sizeof sum);
  sum.size = sizeof sum;
  assert_int_equal(cxm_drivers_summary_get(&sum, d), CXM_OK);
  fp_put(b, &sum, sizeof sum);
  for (j = 0; j < (size_t)sum.p; j++) {
    cxm_driver dr;
    memset(&dr, 0, sizeof dr);
    dr.size = sizeof dr;
    assert_int_equal(cxm_drivers_get(&dr, d, j), CXM_OK);
    fp_put(b, &dr, sizeof dr);
  }
  g_fa.remaining = saved;
}
static void fp_retention(fpbuf *b, const cxm_retention *r) {
  size_t i;
  long saved = g_fa.remaining;
  PAUSE();
  fp_u64(b, cxm_retention_count(r));
  for (i = 0; i < cxm_retention_count(r); i++) {
    cxm_retention_row row;
    memset(&row, 0, sizeof row);
    row.size = sizeof row;
    assert_int_equal(cxm_retention_row_get(&row, r, i), CXM_OK);
    fp_u64(b, row.handle); /* field by field: never the padding */
    fp_f64(b, row.entry);
    fp_f64(b, row.time);
    fp_rc(b, row.lost);
    fp_rc(b, row.nps);
    fp_i64(b, row.first);
    fp_rc(b, row.high_effort);
  }
  g_fa.remaining = saved;
}
static void fp_tv(fpbuf *b, const cxm_tv_rows *r) {
  size_t i;
  long saved = g_fa.remaining;
  PAUSE();
  fp_u64(b, cxm_tv_rows_count(r));
  for (i = 0; i < cxm_tv_rows_count(r); i++) {
    cxm_tv_row row;
    memset(&row, 0, sizeof row);
    row.size = sizeof row;
    assert_int_equal(cxm_tv_row_get(&row, r, i), CXM_OK);
    fp_u64(b, row.handle); /* field by field: never the padding */
    fp_f64(b, row.start);
    fp_f64(b, row.stop);
    fp_rc(b, row.lost);
    fp_put(b, row.x, sizeof row.x);
  }
  g_fa.remaining = saved;
}
static void fp_cohorts(fpbuf *b, const cxm_cohorts *c) {
  size_t i, n = cxm_cohorts_count(c);
  uint64_t active[64];
  long saved = g_fa.remaining;
  PAUSE();
  fp_u64(b, n);
  assert_true(n <= 64);
  for (i = 0; i < n; i++) {
    int64_t month = 0;
    uint64_t size = 0;
    size_t observed = 0;
    memset(active, 0, sizeof active);
    assert_int_equal(cxm_cohorts_get(&month, &size, active, &observed, 64, c, i), CXM_OK);
    fp_i64(b, month);
    fp_u64(b, size);
    fp_u64(b, observed);
    fp_put(b, active, observed * sizeof active[0]);
  }
  g_fa.remaining = saved;
}

static int32_t call_km_fit(void *ctx) {
  surv_ctx *c = ctx;
  c->km = NULL;
  return cxm_km_fit(&c->km, &g_hooks, c->entry, c->time, c->event, SV_N, 0.95);
}
static void release_km(void *ctx) {
  surv_ctx *c = ctx;
  cxm_km_free(c->km);
  c->km = NULL;
}
static void km_failed(void *ctx) { assert_null(((surv_ctx *)ctx)->km); }

static int32_t call_logrank(void *ctx) {
  surv_ctx *c = ctx;
  memset(&c->lr, 0, sizeof c->lr);
  c->lr.size = sizeof c->lr;
  c->lr.chisq = SENTINEL;
  c->observed[0] = c->observed[1] = c->expected[0] = c->expected[1] = SENTINEL;
  return cxm_logrank_test(&c->lr, c->observed, c->expected, &g_hooks, c->entry, c->time, c->event, c->group, SV_N, 2);
}
/* no partial result: neither the statistic nor the per-group counts */
static void logrank_failed(void *ctx) {
  surv_ctx *c = ctx;
  assert_true(c->lr.chisq == SENTINEL);
  assert_true(c->observed[0] == SENTINEL && c->observed[1] == SENTINEL);
  assert_true(c->expected[0] == SENTINEL && c->expected[1] == SENTINEL);
}

static int32_t call_cox_fit(void *ctx) {
  surv_ctx *c = ctx;
  cxm_cox_options o;
  cxm_cox_options_init(&o);
  o.ties = CXM_COX_EFRON;
  c->cox = NULL;
  return cxm_cox_fit(&c->cox, &g_hooks, c->entry, c->time, c->event, c->x, SV_N, SV_P, &o);
}
static void release_cox(void *ctx) {
  surv_ctx *c = ctx;
  cxm_cox_free(c->cox);
  c->cox = NULL;
}
static void cox_failed(void *ctx) { assert_null(((surv_ctx *)ctx)->cox); }

static int32_t call_drivers_fit(void *ctx) {
  surv_ctx *c = ctx;
  c->drv = NULL;
  return cxm_drivers_fit(&c->drv, &g_hooks, c->dy, c->dx, DR_N, DR_P, &c->dopt);
}
static void release_drivers(void *ctx) {
  surv_ctx *c = ctx;
  cxm_drivers_free(c->drv);
  c->drv = NULL;
}
static void drivers_failed(void *ctx) { assert_null(((surv_ctx *)ctx)->drv); }

static int32_t call_store_retention(void *ctx) {
  surv_ctx *c = ctx;
  c->ret = NULL;
  return cxm_store_retention(&c->ret, c->s, &c->ropt);
}
static void release_retention(void *ctx) {
  surv_ctx *c = ctx;
  cxm_retention_free(c->ret);
  c->ret = NULL;
}
static void retention_failed(void *ctx) { assert_null(((surv_ctx *)ctx)->ret); }

static int32_t call_store_retention_tv(void *ctx) {
  surv_ctx *c = ctx;
  c->tv = NULL;
  return cxm_store_retention_tv(&c->tv, c->s, &c->ropt);
}
static void release_tv(void *ctx) {
  surv_ctx *c = ctx;
  cxm_tv_rows_free(c->tv);
  c->tv = NULL;
}
static void tv_failed(void *ctx) { assert_null(((surv_ctx *)ctx)->tv); }

static int32_t call_store_cohorts(void *ctx) {
  surv_ctx *c = ctx;
  c->coh = NULL;
  return cxm_store_cohorts(&c->coh, c->s, T0, T0 + 304 * DAY); /* 2025-11-01 */
}
static void release_cohorts(void *ctx) {
  surv_ctx *c = ctx;
  cxm_cohorts_free(c->coh);
  c->coh = NULL;
}
static void cohorts_failed(void *ctx) { assert_null(((surv_ctx *)ctx)->coh); }

static int32_t call_store_driver_rows(void *ctx) {
  surv_ctx *c = ctx;
  size_t i;
  for (i = 0; i < sizeof c->y / sizeof c->y[0]; i++) c->y[i] = SENTINEL;
  for (i = 0; i < sizeof c->xr / sizeof c->xr[0]; i++) c->xr[i] = SENTINEL;
  return cxm_store_driver_rows(c->y, c->xr, &c->rows, c->s, CXM_DRIVERS_NPS, NCUST + 8);
}
/* no partial output: the buffers are as the caller left them */
static void driver_rows_failed(void *ctx) {
  surv_ctx *c = ctx;
  size_t i;
  for (i = 0; i < sizeof c->y / sizeof c->y[0]; i++) assert_true(c->y[i] == SENTINEL);
  for (i = 0; i < sizeof c->xr / sizeof c->xr[0]; i++) assert_true(c->xr[i] == SENTINEL);
}

static int32_t call_store_driver_table(void *ctx) {
  surv_ctx *c = ctx;
  size_t i;
  for (i = 0; i < sizeof c->ty / sizeof c->ty[0]; i++) c->ty[i] = SENTINEL;
  for (i = 0; i < sizeof c->tx / sizeof c->tx[0]; i++) c->tx[i] = SENTINEL;
  return cxm_store_driver_table(c->ty, c->tx, &c->rows, &c->cols, c->s, &c->topt, NCUST + 8);
}
static void driver_table_failed(void *ctx) {
  surv_ctx *c = ctx;
  size_t i;
  for (i = 0; i < sizeof c->ty / sizeof c->ty[0]; i++) assert_true(c->ty[i] == SENTINEL);
  for (i = 0; i < sizeof c->tx / sizeof c->tx[0]; i++) assert_true(c->tx[i] == SENTINEL);
}

/* Ratings of two attributes for every third customer, on refs shared
 * with their NPS answers where the fixture gave those a ref, and a
 * perception on a ref: the rows of cxm_store_driver_table() by ref. */
static void add_ratings(cxm_store *s) {
  int32_t attr[2];
  size_t i, k = 0;
  PAUSE();
  assert_int_equal(cxm_store_attribute(&attr[0], s, "speed", 5), CXM_OK);
  assert_int_equal(cxm_store_attribute(&attr[1], s, "price", 5), CXM_OK);
  for (i = 0; i < g_nev && k < 40; i++) {
    cxm_event e = to_event(&g_ev[i], s);
    char ref[16];
    if (e.kind != CXM_KIND_NPS) continue;
    if (e.ref_len == 0 && k % 2 == 1) {
      /* a ref no NPS answer carries: a row without an outcome */
      snprintf(ref, sizeof ref, "rating-%u", (unsigned)k);
      e.ref = ref;
      e.ref_len = strlen(ref);
    }
    e.id = NULL, e.id_len = 0;
    e.kind = CXM_KIND_RATING;
    e.value = (double)(1 + (i % 7));
    e.dimension = attr[k % 2];
    assert_int_equal(cxm_store_record(s, &e), CXM_OK);
    if (k % 3 == 0) {
      e.kind = CXM_KIND_PERCEPTION;
      e.dimension = CXM_DIMENSION_EMPATHY;
      if (e.ref_len > 0) assert_int_equal(cxm_store_record(s, &e), CXM_OK);
    }
    k++;
  }
  UNPAUSE();
}

static void surv_data(surv_ctx *c) {
  uint64_t rng = 4711;
  size_t i, j;
  for (i = 0; i < SV_N; i++) {
    double risk;
    c->group[i] = (int32_t)(i % 2);
    c->x[i * SV_P] = (double)c->group[i];
    c->x[i * SV_P + 1] = (double)test_below(&rng, 100) / 25.0 - 2.0;
    risk = 0.6 * c->x[i * SV_P] + 0.3 * c->x[i * SV_P + 1];
    c->entry[i] = i % 5 == 0 ? (double)test_below(&rng, 4) : 0.0;
    c->time[i] = c->entry[i] + 1.0 + (double)test_below(&rng, (uint64_t)(40.0 / exp(risk)) + 2);
    c->event[i] = test_below(&rng, 4) != 0;
  }
  for (i = 0; i < DR_N; i++) {
    double s = 0;
    for (j = 0; j < DR_P; j++) {
      c->dx[i * DR_P + j] = 1.0 + (double)test_below(&rng, 7);
      s += c->dx[i * DR_P + j] * (0.2 + 0.15 * (double)j);
    }
    c->dy[i] = s + (double)test_below(&rng, 300) / 100.0;
  }
  c->dx[7] = NAN; /* one incomplete row: listwise deletion */
}

static void test_survival_drivers(void **state) {
  surv_ctx *c = calloc(1, sizeof *c);
  cxm_store *s;
  fpbuf want = {0}, got = {0};
  (void)state;
  assert_non_null(c);
  surv_data(c);
  cxm_drivers_options_init(&c->dopt);
  c->dopt.bootstrap = 25;
  c->dopt.seed = 7;
  {
    fault_spec spec = {"cxm_km_fit", call_km_fit, fp_surv_inputs, NULL, NULL, NULL, NULL, NULL, km_failed, 0, 0, NULL};
    cxm_km *twin = NULL;
    assert_int_equal(cxm_km_fit(&twin, NULL, c->entry, c->time, c->event, SV_N, 0.95), CXM_OK);
    fp_km(&want, twin);
    cxm_km_free(twin);
    assert_int_equal(fault_loop(&spec, c), CXM_OK);
    fp_km(&got, c->km);
    fp_assert_same(&want, &got, spec.fn, -1);
    release_km(c);
  }
  {
    fault_spec spec = {
        "cxm_logrank_test", call_logrank, fp_surv_inputs, NULL, NULL, NULL, NULL, NULL, logrank_failed, 0, 0, NULL};
    cxm_logrank lr;
    double obs[2], ex[2];
    memset(&lr, 0, sizeof lr);
    lr.size = sizeof lr;
    assert_int_equal(cxm_logrank_test(&lr, obs, ex, NULL, c->entry, c->time, c->event, c->group, SV_N, 2), CXM_OK);
    assert_int_equal(fault_loop(&spec, c), CXM_OK);
    assert_memory_equal(&lr, &c->lr, sizeof lr);
    assert_memory_equal(obs, c->observed, sizeof obs);
    assert_memory_equal(ex, c->expected, sizeof ex);
  }
  {
    fault_spec spec = {"cxm_cox_fit", call_cox_fit, fp_surv_inputs, NULL, NULL, NULL,
                       NULL,          NULL,         cox_failed,     0,    0,    NULL};
    cxm_cox_options o;
    cxm_cox *twin = NULL;
    cxm_cox_options_init(&o);
    o.ties = CXM_COX_EFRON;
    want.len = got.len = 0;
    assert_int_equal(cxm_cox_fit(&twin, NULL, c->entry, c->time, c->event, c->x, SV_N, SV_P, &o), CXM_OK);
    fp_cox(&want, twin);
    cxm_cox_free(twin);
    assert_int_equal(fault_loop(&spec, c), CXM_OK);
    fp_cox(&got, c->cox);
    fp_assert_same(&want, &got, spec.fn, -1);
    release_cox(c);
  }
  {
    static const int32_t outcomes[2] = {CXM_DRIVERS_LINEAR, CXM_DRIVERS_BINARY};
    size_t k, i;
    fault_spec spec = {
        "cxm_drivers_fit", call_drivers_fit, fp_surv_inputs, NULL, NULL, NULL, NULL, NULL, drivers_failed, 0, 0, NULL};
    for (k = 0; k < 2; k++) {
      cxm_drivers *twin = NULL;
      c->dopt.outcome = outcomes[k];
      if (k == 1)
        for (i = 0; i < DR_N; i++) c->dy[i] = c->dy[i] > 9.0;
      want.len = got.len = 0;
      assert_int_equal(cxm_drivers_fit(&twin, NULL, c->dy, c->dx, DR_N, DR_P, &c->dopt), CXM_OK);
      fp_drivers(&want, twin);
      cxm_drivers_free(twin);
      assert_int_equal(fault_loop(&spec, c), CXM_OK);
      fp_drivers(&got, c->drv);
      fp_assert_same(&want, &got, spec.fn, (long)k);
      release_drivers(c);
    }
  }
  /* the store queries: the store is read only, its fingerprint unchanged */
  s = fixture_store(&g_hooks, g_nev);
  c->s = s;
  cxm_retention_options_init(&c->ropt);
  c->ropt.from = T0;
  c->ropt.to = T0 + 330 * DAY;
  c->ropt.lapse_days = 60;
  {
    static const int32_t origins[2] = {CXM_RETENTION_TENURE, CXM_RETENTION_WINDOW};
    fault_spec ret = {"cxm_store_retention",
                      call_store_retention,
                      fp_surv_store,
                      NULL,
                      NULL,
                      NULL,
                      NULL,
                      NULL,
                      retention_failed,
                      0,
                      0,
                      NULL};
    fault_spec tv = {"cxm_store_retention_tv",
                     call_store_retention_tv,
                     fp_surv_store,
                     NULL,
                     NULL,
                     NULL,
                     NULL,
                     NULL,
                     tv_failed,
                     0,
                     0,
                     NULL};
    size_t k;
    for (k = 0; k < 2; k++) {
      c->ropt.origin = origins[k];
      want.len = got.len = 0;
      assert_int_equal(call_store_retention(c), CXM_OK);
      fp_retention(&want, c->ret);
      assert_true(cxm_retention_count(c->ret) > 0);
      release_retention(c);
      assert_int_equal(fault_loop(&ret, c), CXM_OK);
      fp_retention(&got, c->ret);
      fp_assert_same(&want, &got, ret.fn, (long)k);
      release_retention(c);
      want.len = got.len = 0;
      assert_int_equal(call_store_retention_tv(c), CXM_OK);
      assert_true(cxm_tv_rows_count(c->tv) > 0);
      fp_tv(&want, c->tv);
      release_tv(c);
      assert_int_equal(fault_loop(&tv, c), CXM_OK);
      fp_tv(&got, c->tv);
      fp_assert_same(&want, &got, tv.fn, (long)k);
      release_tv(c);
    }
  }
  {
    fault_spec spec = {"cxm_store_cohorts",
                       call_store_cohorts,
                       fp_surv_store,
                       NULL,
                       NULL,
                       NULL,
                       NULL,
                       NULL,
                       cohorts_failed,
                       0,
                       0,
                       NULL};
    want.len = got.len = 0;
    assert_int_equal(call_store_cohorts(c), CXM_OK);
    assert_true(cxm_cohorts_count(c->coh) > 0);
    fp_cohorts(&want, c->coh);
    release_cohorts(c);
    assert_int_equal(fault_loop(&spec, c), CXM_OK);
    fp_cohorts(&got, c->coh);
    fp_assert_same(&want, &got, spec.fn, -1);
    release_cohorts(c);
  }
  {
    fault_spec spec = {"cxm_store_driver_rows",
                       call_store_driver_rows,
                       fp_surv_store,
                       NULL,
                       NULL,
                       NULL,
                       NULL,
                       NULL,
                       driver_rows_failed,
                       0,
                       0,
                       NULL};
    double y[NCUST + 8], x[(NCUST + 8) * CXM_DRIVERS_SERVQUAL];
    size_t rows = 0;
    assert_int_equal(call_store_driver_rows(c), CXM_OK);
    rows = c->rows;
    assert_true(rows > 0 && rows <= NCUST);
    memcpy(y, c->y, sizeof y);
    memcpy(x, c->xr, sizeof x);
    assert_int_equal(fault_loop(&spec, c), CXM_OK);
    assert_int_equal(c->rows, rows);
    assert_memory_equal(y, c->y, sizeof y);
    assert_memory_equal(x, c->xr, sizeof x);
  }
  add_ratings(s);
  {
    static const int32_t respondents[2] = {CXM_DRIVERS_BY_CUSTOMER, CXM_DRIVERS_BY_REF};
    fault_spec spec = {"cxm_store_driver_table",
                       call_store_driver_table,
                       fp_surv_store,
                       NULL,
                       NULL,
                       NULL,
                       NULL,
                       NULL,
                       driver_table_failed,
                       0,
                       0,
                       NULL};
    size_t k;
    for (k = 0; k < 2; k++) {
      double y[NCUST + 8], x[(NCUST + 8) * (CXM_DRIVERS_SERVQUAL + 2)];
      size_t rows;
      cxm_driver_table_options_init(&c->topt);
      c->topt.respondent = respondents[k];
      assert_int_equal(call_store_driver_table(c), CXM_OK);
      rows = c->rows;
      assert_int_equal(c->cols, CXM_DRIVERS_SERVQUAL + 2);
      assert_true(rows > 0);
      assert_true(rows <= NCUST + 8);
      memcpy(y, c->ty, sizeof y);
      memcpy(x, c->tx, sizeof x);
      assert_int_equal(fault_loop(&spec, c), CXM_OK);
      assert_int_equal(c->rows, rows);
      assert_memory_equal(y, c->ty, sizeof y);
      assert_memory_equal(x, c->tx, sizeof x);
    }
  }
  cxm_store_free(s);
  fp_free(&want);
  fp_free(&got);
  free(c);
  assert_true(g_fa.live_bytes == 0);
}

/* ---- functions that never allocate: probed with every allocation failing - */

#define PROBE(fn, expr)                                                            \
  do {                                                                             \
    g_fa.calls = 0;                                                                \
    g_fa.remaining = 0;                                                            \
    assert_int_equal((expr), CXM_OK);                                              \
    if (g_fa.calls != 0) fail_msg("%s made %ld allocator calls", #fn, g_fa.calls); \
    mark_probed(#fn);                                                              \
    UNPAUSE();                                                                     \
  } while (0)

#define PROBE_VALUE(fn, expr, want)                                                \
  do {                                                                             \
    g_fa.calls = 0;                                                                \
    g_fa.remaining = 0;                                                            \
    assert_true((expr) == (want));                                                 \
    if (g_fa.calls != 0) fail_msg("%s made %ld allocator calls", #fn, g_fa.calls); \
    mark_probed(#fn);                                                              \
    UNPAUSE();                                                                     \
  } while (0)

static void test_never_allocating_probe(void **state) {
  cxm_store *s = fixture_store(&g_hooks, g_nev);
  cxm_groups *g = NULL, *gx = NULL;
  cxm_gap_acc gx_gap;
  cxm_servqual_result gx_servqual;
  cxm_service_result gx_service;
  cxm_loyalty_result gx_loyalty;
  cxm_consistency_result gx_consistency;
  cxm_features *f = NULL;
  cxm_reader *r = NULL;
  cxm_rfm *rfm = NULL;
  cxm_risk_data *d = NULL;
  cxm_calendar *cal = NULL;
  cxm_churn *churn = NULL;
  cxm_churn_info info;
  cxm_churn_row crow;
  cxm_model cpm;
  cxm_feature_options fo;
  cxm_rfm_customer k;
  cxm_model m;
  cxm_holdout h;
  cxm_reader_stats rs;
  cxm_store_stats st;
  cxm_survey_acc acc;
  cxm_gap_acc gap;
  cxm_filter filter;
  cxm_event e;
  const char *name;
  size_t len;
  uint32_t handle;
  int32_t code, open, close, rc;
  int64_t v;
  double row[CXM_FEATURE_COUNT];
  static const double x[RISK_K] = {0.5, -1, 2, 0};
  unsigned i;
  (void)state;
  /* the objects, built with allocation on */
  assert_int_equal(cxm_store_group(&g, s, NULL, CXM_BY_CHANNEL), CXM_OK);
  assert_int_equal(cxm_store_group_experience(&gx, s, NULL, CXM_BY_CHANNEL, NULL), CXM_OK);
  cxm_feature_options_init(&fo);
  fo.cutoff = CUTOFF;
  assert_int_equal(cxm_store_features(&f, s, &fo), CXM_OK);
  assert_int_equal(cxm_reader_new(&r, s, NULL), CXM_OK);
  assert_int_equal(cxm_store_churn(&churn, s, NULL), CXM_OK);
  assert_int_equal(cxm_rfm_new(&rfm, &g_hooks), CXM_OK);
  for (i = 0; i < 50; i++) {
    char id[32];
    k = rfm_customer(i, id, sizeof id);
    assert_int_equal(cxm_rfm_add(rfm, &k), CXM_OK);
  }
  cxm_model_init(&m);
  rc = cxm_model_fit(&m, rfm, CXM_MODEL_BGNBD, NULL); /* CXM_E_CONVERGE: these 50 summaries are degenerate */
  assert_true(rc == CXM_OK || rc == CXM_E_CONVERGE);
  assert_int_equal(cxm_risk_data_new(&d, RISK_K, &g_hooks), CXM_OK);
  assert_int_equal(cxm_risk_data_add(d, x, 1, 1.0), CXM_OK);
  assert_int_equal(cxm_calendar_new(&cal, &g_hooks), CXM_OK);
  assert_int_equal(cxm_calendar_add_holiday(cal, 2025, 12, 25), CXM_OK);

  /* the store's readers */
  st.size = sizeof st;
  PROBE(cxm_store_stats_get, cxm_store_stats_get(&st, s));
  PROBE(cxm_store_find_customer, cxm_store_find_customer(&handle, s, "c07", 3));
  PROBE(cxm_store_customer_id, cxm_store_customer_id(&name, &len, s, handle));
  PROBE(cxm_store_find_channel, cxm_store_find_channel(&code, s, "whatsapp", 8));
  PROBE(cxm_store_channel_name, cxm_store_channel_name(&name, &len, s, code));
  PROBE(cxm_store_find_segment, cxm_store_find_segment(&code, s, "smb", 3));
  PROBE(cxm_store_segment_name, cxm_store_segment_name(&name, &len, s, code));
  PAUSE();
  assert_int_equal(cxm_store_attribute(&code, s, "speed", 5), CXM_OK);
  UNPAUSE();
  PROBE(cxm_store_find_attribute, cxm_store_find_attribute(&code, s, "speed", 5));
  PROBE(cxm_store_attribute_name, cxm_store_attribute_name(&name, &len, s, code));
  e = to_event(&g_ev[3], s);
  PROBE(cxm_store_check, cxm_store_check(s, &e));
  PROBE(cxm_store_survey, cxm_store_survey(&acc, s, NULL));
  PROBE(cxm_store_gap, cxm_store_gap(&gap, s, NULL, NULL));
  assert_true(gap.pairs > 0);
  PROBE_VALUE(cxm_groups_count, cxm_groups_count(g) > 0, 1);
  PROBE(cxm_groups_key, cxm_groups_key(&name, &len, g, 0));
  PROBE(cxm_groups_survey, cxm_groups_survey(&acc, g, 0));
  PROBE(cxm_groups_filter, cxm_groups_filter(&filter, g, 0));
  PROBE(cxm_groups_gap, cxm_groups_gap(&gx_gap, gx, 0));
  PROBE(cxm_groups_servqual, cxm_groups_servqual(&gx_servqual, gx, 0));
  PROBE(cxm_groups_service, cxm_groups_service(&gx_service, gx, 0));
  PROBE(cxm_groups_service_business, cxm_groups_service_business(&gx_service, gx, 0));
  PROBE(cxm_groups_loyalty, cxm_groups_loyalty(&gx_loyalty, gx, 0));
  PROBE(cxm_groups_consistency, cxm_groups_consistency(&gx_consistency, gx, 0));
  PROBE_VALUE(cxm_features_count, cxm_features_count(f) > 0, 1);
  PROBE(cxm_features_row, cxm_features_row(row, &handle, &code, f, 0));
  PROBE(cxm_features_row_get, cxm_features_row_get(row, CXM_FEATURE_COUNT, &handle, &code, f, 0));
  PROBE_VALUE(cxm_churn_count, cxm_churn_count(churn) > 0, 1);
  info.size = sizeof info;
  PROBE(cxm_churn_info_get, cxm_churn_info_get(&info, churn));
  crow.size = sizeof crow;
  PROBE(cxm_churn_row_get, cxm_churn_row_get(&crow, churn, 0));
  cxm_model_init(&cpm);
  PROBE(cxm_churn_purchase_model, cxm_churn_purchase_model(&cpm, churn));
  rs.size = sizeof rs;
  PROBE(cxm_reader_stats_get, cxm_reader_stats_get(&rs, r));
  /* purchase summaries and models */
  PROBE_VALUE(cxm_rfm_count, cxm_rfm_count(rfm), 50);
  cxm_rfm_customer_init(&k);
  PROBE(cxm_rfm_get, cxm_rfm_get(&k, rfm, 7));
  memset(&h, 0, sizeof h);
  h.size = sizeof h;
  PROBE(cxm_model_holdout, cxm_model_holdout(&h, &m, rfm, 10.0));
  PROBE_VALUE(cxm_risk_data_count, cxm_risk_data_count(d), 1);
  PROBE_VALUE(cxm_risk_data_features, cxm_risk_data_features(d), RISK_K);
  /* calendars */
  PROBE(cxm_calendar_set_hours, cxm_calendar_set_hours(cal, CXM_SATURDAY, 10 * 3600, 14 * 3600));
  PROBE(cxm_calendar_get_hours, cxm_calendar_get_hours(&open, &close, cal, CXM_SATURDAY));
  PROBE(cxm_calendar_set_offset, cxm_calendar_set_offset(cal, -10800));
  PROBE(cxm_calendar_get_offset, cxm_calendar_get_offset(&code, cal));
  PROBE_VALUE(cxm_calendar_holiday_count, cxm_calendar_holiday_count(cal), 1);
  PROBE(cxm_calendar_business_seconds, cxm_calendar_business_seconds(&v, cal, T0, T0 + 30 * DAY));
  PROBE(cxm_calendar_next_open, cxm_calendar_next_open(&v, cal, T0));
  PROBE(cxm_calendar_add_business, cxm_calendar_add_business(&v, cal, T0, 3600));
  /* and freeing, with allocation still failing */
  g_fa.remaining = 0;
  cxm_groups_free(gx);
  cxm_groups_free(g);
  cxm_features_free(f);
  cxm_churn_free(churn);
  cxm_reader_free(r);
  cxm_store_free(s);
  cxm_rfm_free(rfm);
  cxm_risk_data_free(d);
  cxm_calendar_free(cal);
  assert_int_equal(g_fa.calls, 0);
  UNPAUSE();
  assert_true(g_fa.live_bytes == 0);
  mark_probed("cxm_groups_free");
  mark_probed("cxm_features_free");
  mark_probed("cxm_churn_free");
  mark_probed("cxm_reader_free");
  mark_probed("cxm_store_free");
  mark_probed("cxm_rfm_free");
  mark_probed("cxm_risk_data_free");
  mark_probed("cxm_calendar_free");
}

/* The readers of the retention, survival and drivers results, probed with
 * every allocation failing; then their frees. */
#define PROBE_RC(fn, expr, want_rc)                                                \
  do {                                                                             \
    g_fa.calls = 0;                                                                \
    g_fa.remaining = 0;                                                            \
    assert_int_equal((expr), (want_rc));                                           \
    if (g_fa.calls != 0) fail_msg("%s made %ld allocator calls", #fn, g_fa.calls); \
    mark_probed(#fn);                                                              \
    UNPAUSE();                                                                     \
  } while (0)

static void test_survival_probe(void **state) {
  surv_ctx *c = calloc(1, sizeof *c);
  cxm_store *s = fixture_store(&g_hooks, g_nev);
  cxm_km_step step;
  cxm_cox_summary csum;
  cxm_cox_coef coef;
  cxm_drivers_summary dsum;
  cxm_driver drv;
  cxm_retention_row rrow;
  cxm_tv_row tvrow;
  uint64_t active[64], size;
  int64_t month;
  size_t observed;
  double v[3];
  (void)state;
  assert_non_null(c);
  surv_data(c);
  cxm_drivers_options_init(&c->dopt);
  c->dopt.bootstrap = 10;
  c->s = s;
  cxm_retention_options_init(&c->ropt);
  c->ropt.from = T0;
  c->ropt.to = T0 + 330 * DAY;
  assert_int_equal(call_km_fit(c), CXM_OK);
  assert_int_equal(call_cox_fit(c), CXM_OK);
  assert_int_equal(call_drivers_fit(c), CXM_OK);
  assert_int_equal(call_store_retention(c), CXM_OK);
  assert_int_equal(call_store_retention_tv(c), CXM_OK);
  assert_int_equal(call_store_cohorts(c), CXM_OK);

  PROBE_VALUE(cxm_km_steps, cxm_km_steps(c->km) > 0, 1);
  memset(&step, 0, sizeof step);
  step.size = sizeof step;
  PROBE(cxm_km_step_get, cxm_km_step_get(&step, c->km, 0));
  PROBE(cxm_km_survival_at, cxm_km_survival_at(&v[0], c->km, 10.0));
  PROBE(cxm_km_median, cxm_km_median(&v[0], &v[1], &v[2], c->km));
  PROBE(cxm_km_rmst, cxm_km_rmst(&v[0], &v[1], c->km, 20.0));
  memset(&csum, 0, sizeof csum);
  csum.size = sizeof csum;
  PROBE(cxm_cox_summary_get, cxm_cox_summary_get(&csum, c->cox));
  memset(&coef, 0, sizeof coef);
  coef.size = sizeof coef;
  PROBE(cxm_cox_coef_get, cxm_cox_coef_get(&coef, c->cox, 1));
  memset(&dsum, 0, sizeof dsum);
  dsum.size = sizeof dsum;
  PROBE(cxm_drivers_summary_get, cxm_drivers_summary_get(&dsum, c->drv));
  memset(&drv, 0, sizeof drv);
  drv.size = sizeof drv;
  PROBE(cxm_drivers_get, cxm_drivers_get(&drv, c->drv, DR_P - 1));
  PROBE_VALUE(cxm_retention_count, cxm_retention_count(c->ret) > 0, 1);
  memset(&rrow, 0, sizeof rrow);
  rrow.size = sizeof rrow;
  PROBE(cxm_retention_row_get, cxm_retention_row_get(&rrow, c->ret, 0));
  PROBE_VALUE(cxm_tv_rows_count, cxm_tv_rows_count(c->tv) > 0, 1);
  memset(&tvrow, 0, sizeof tvrow);
  tvrow.size = sizeof tvrow;
  PROBE(cxm_tv_row_get, cxm_tv_row_get(&tvrow, c->tv, 0));
  PROBE_VALUE(cxm_cohorts_count, cxm_cohorts_count(c->coh) > 0, 1);
  PROBE(cxm_cohorts_get, cxm_cohorts_get(&month, &size, active, &observed, 64, c->coh, 0));
  PROBE_RC(cxm_cohorts_get, cxm_cohorts_get(&month, &size, active, &observed, 0, c->coh, 0), CXM_E_BUFFER);

  /* the frees, with every allocation failing */
  g_fa.calls = 0;
  g_fa.remaining = 0;
  cxm_km_free(c->km);
  cxm_cox_free(c->cox);
  cxm_drivers_free(c->drv);
  cxm_retention_free(c->ret);
  cxm_tv_rows_free(c->tv);
  cxm_cohorts_free(c->coh);
  cxm_store_free(s);
  assert_int_equal(g_fa.calls, 0);
  UNPAUSE();
  assert_true(g_fa.live_bytes == 0);
  mark_probed("cxm_km_free");
  mark_probed("cxm_cox_free");
  mark_probed("cxm_drivers_free");
  mark_probed("cxm_retention_free");
  mark_probed("cxm_tv_rows_free");
  mark_probed("cxm_cohorts_free");
  free(c);
}

/* object_bytes() reads what it should: for a fresh and a grown object, the
 * bytes it reports are exactly the failing allocator's live bytes. */
static void test_object_bytes_layout(void **state) {
  cxm_rfm *rfm = NULL;
  cxm_calendar *cal = NULL;
  cxm_risk_data *d = NULL;
  static const double x[RISK_K] = {1, 2, 3, 4};
  unsigned i;
  (void)state;
  assert_true(g_fa.live_bytes == 0);
  assert_int_equal(cxm_rfm_new(&rfm, &g_hooks), CXM_OK);
  assert_true((int64_t)object_bytes(rfm) == g_fa.live_bytes);
  for (i = 0; i < 300; i++) {
    char id[32];
    cxm_rfm_customer k = rfm_customer(i, id, sizeof id);
    assert_int_equal(cxm_rfm_add(rfm, &k), CXM_OK);
  }
  assert_true((int64_t)object_bytes(rfm) == g_fa.live_bytes);
  cxm_rfm_free(rfm);
  assert_int_equal(cxm_calendar_new(&cal, &g_hooks), CXM_OK);
  assert_true((int64_t)object_bytes(cal) == g_fa.live_bytes);
  for (i = 0; i < 100; i++) assert_int_equal(cxm_calendar_add_holiday(cal, 2000 + (int32_t)i, 1, 1), CXM_OK);
  assert_true((int64_t)object_bytes(cal) == g_fa.live_bytes);
  cxm_calendar_free(cal);
  assert_int_equal(cxm_risk_data_new(&d, RISK_K, &g_hooks), CXM_OK);
  assert_true((int64_t)object_bytes(d) == g_fa.live_bytes);
  for (i = 0; i < 300; i++) assert_int_equal(cxm_risk_data_add(d, x, (int32_t)(i % 2), 1.0), CXM_OK);
  assert_true((int64_t)object_bytes(d) == g_fa.live_bytes);
  cxm_risk_data_free(d);
  assert_true(g_fa.live_bytes == 0);
}

/* ---- no exported function escapes ----------------------------------------- */

static const no_alloc *find_never(const char *fn) {
  size_t i;
  for (i = 0; i < N_NEVER; i++)
    if (strcmp(never_allocates[i].fn, fn) == 0) return &never_allocates[i];
  return NULL;
}

static const fault_count *find_faulted(const char *fn) {
  size_t i;
  for (i = 0; i < N_FAULTED; i++)
    if (strcmp(faulted[i].fn, fn) == 0) return &faulted[i];
  return NULL;
}

static int was_probed(const char *fn) {
  size_t i;
  for (i = 0; i < n_probed; i++)
    if (strcmp(probed[i], fn) == 0) return 1;
  return 0;
}

/* Runs last: every symbol of tests/exports/expected.txt is in exactly one
 * table, every table entry is exported, every allocating function was run
 * through the fault loop with at least one failure point, and every probed
 * one was probed. */

/* ---- slice statistics: p-value adjustment and slice-vs-rest tests -------- */

#define SLICE_K 8

typedef struct slice_ctx {
  cxm_store *s;
  cxm_groups *groups; /* made on the failing hooks: their scratch fails too */
  cxm_survey_acc accs[SLICE_K];
  uint64_t n[SLICE_K];
  double mean[SLICE_K], sd[SLICE_K];
  double p[SLICE_K], adjusted[SLICE_K], want_adjusted[SLICE_K];
  int32_t method, metric;
  int alias; /* cxm_p_adjust() in place */
  cxm_slice_options opts;
  cxm_slice_test out[SLICE_K], want[SLICE_K];
} slice_ctx;

static void fp_slice_ctx(fpbuf *b, void *ctx) {
  slice_ctx *c = ctx;
  fp_put(b, c->adjusted, sizeof c->adjusted);
  fp_put(b, c->p, sizeof c->p);
  fp_put(b, c->out, sizeof c->out);
}

static int32_t call_p_adjust(void *ctx) {
  slice_ctx *c = ctx;
  if (c->alias) return cxm_p_adjust(c->adjusted, c->adjusted, SLICE_K, c->method, &g_hooks);
  return cxm_p_adjust(c->adjusted, c->p, SLICE_K, c->method, &g_hooks);
}
static int32_t call_slice_survey(void *ctx) {
  slice_ctx *c = ctx;
  return cxm_slice_tests_survey(c->out, SLICE_K, c->accs, SLICE_K, c->metric, &c->opts);
}
static int32_t call_slice_groups(void *ctx) {
  slice_ctx *c = ctx;
  return cxm_slice_tests_groups(c->out, SLICE_K, c->groups, c->metric, NULL);
}
static int32_t call_slice_groups_opts(void *ctx) {
  slice_ctx *c = ctx;
  return cxm_slice_tests_groups(c->out, SLICE_K, c->groups, c->metric, &c->opts);
}
static int32_t call_slice_means(void *ctx) {
  slice_ctx *c = ctx;
  return cxm_slice_tests_means(c->out, SLICE_K, c->n, c->mean, c->sd, SLICE_K, &c->opts);
}

static void slice_out_reset(slice_ctx *c) {
  memset(c->out, 0xA5, sizeof c->out); /* a pattern the call must leave alone on failure */
  c->out[0].size = sizeof c->out[0];
}

static void check_adjusted(slice_ctx *c) { assert_memory_equal(c->adjusted, c->want_adjusted, sizeof c->adjusted); }
static void check_slice_out(slice_ctx *c) { assert_memory_equal(c->out, c->want, sizeof c->out); }

static void test_slicestats(void **state) {
  static slice_ctx c;
  static const double p[SLICE_K] = {0.04, NAN, 0.01, 0.03, 0.5, 0.01, 1.0, 0.2};
  static const int32_t methods[] = {CXM_ADJUST_HOLM, CXM_ADJUST_BH, CXM_ADJUST_NONE};
  fault_spec spec = {"cxm_p_adjust", call_p_adjust, fp_slice_ctx, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL};
  size_t i, m;
  (void)state;
  memset(&c, 0, sizeof c);
  memcpy(c.p, p, sizeof p);
  /* cxm_p_adjust: apart and in place, every method (NONE allocates nothing) */
  for (m = 0; m < sizeof methods / sizeof methods[0]; m++) {
    for (c.alias = 0; c.alias < 2; c.alias++) {
      c.method = methods[m];
      memcpy(c.want_adjusted, p, sizeof p);
      assert_int_equal(cxm_p_adjust(c.want_adjusted, p, SLICE_K, c.method, NULL), CXM_OK);
      memcpy(c.adjusted, c.alias ? p : (const double[SLICE_K]){-1, -1, -1, -1, -1, -1, -1, -1}, sizeof c.adjusted);
      if (c.method == CXM_ADJUST_NONE) {
        g_fa.calls = 0;
        g_fa.remaining = 0;
        assert_int_equal(call_p_adjust(&c), CXM_OK);
        assert_int_equal(g_fa.calls, 0);
        UNPAUSE();
      } else {
        assert_int_equal(fault_loop(&spec, &c), CXM_OK);
      }
      check_adjusted(&c);
    }
  }

  /* the slices: a store grouped by channel on the failing hooks */
  c.s = fixture_store(&g_hooks, MAX_EV);
  PAUSE();
  assert_int_equal(cxm_store_group(&c.groups, c.s, NULL, CXM_BY_CHANNEL), CXM_OK);
  UNPAUSE();
  assert_true(cxm_groups_count(c.groups) <= SLICE_K);
  for (i = 0; i < cxm_groups_count(c.groups); i++) assert_int_equal(cxm_groups_survey(&c.accs[i], c.groups, i), CXM_OK);
  for (i = 0; i < SLICE_K; i++) {
    cxm_ces_result r;
    cxm_ces_compute(&r, &c.accs[i].ces);
    c.n[i] = r.n;
    c.mean[i] = r.n > 0 ? r.mean : NAN;
    c.sd[i] = r.n >= 2 ? r.sd : NAN;
  }
  cxm_slice_options_init(&c.opts);
  c.opts.min_n = 2;
  c.opts.allocator = &g_hooks;
  for (c.metric = CXM_SLICE_NPS; c.metric <= CXM_SLICE_CES; c.metric++) {
    fault_spec survey = {
        "cxm_slice_tests_survey", call_slice_survey, fp_slice_ctx, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL};
    fault_spec groups = {
        "cxm_slice_tests_groups", call_slice_groups, fp_slice_ctx, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL};
    fault_spec groups_opts = groups;
    size_t k = cxm_groups_count(c.groups);
    groups_opts.call = call_slice_groups_opts;
    /* survey accumulators, scratch from the options' allocator */
    memset(c.want, 0, sizeof c.want);
    c.want[0].size = sizeof c.want[0];
    assert_int_equal(cxm_slice_tests_survey(c.want, SLICE_K, c.accs, SLICE_K, c.metric, &c.opts), CXM_OK);
    slice_out_reset(&c); /* on failure the fingerprint holds `out` to these bytes */
    assert_int_equal(fault_loop(&survey, &c), CXM_OK);
    check_slice_out(&c);
    /* the groups: their own hooks (opts NULL), then the options' allocator */
    memset(c.want, 0, sizeof c.want);
    c.want[0].size = sizeof c.want[0];
    assert_int_equal(cxm_slice_tests_survey(c.want, SLICE_K, c.accs, k, c.metric, NULL), CXM_OK);
    slice_out_reset(&c);
    assert_int_equal(fault_loop(&groups, &c), CXM_OK);
    assert_memory_equal(c.out, c.want, k * sizeof c.want[0]);
    memset(c.want, 0, sizeof c.want);
    c.want[0].size = sizeof c.want[0];
    assert_int_equal(cxm_slice_tests_survey(c.want, SLICE_K, c.accs, k, c.metric, &c.opts), CXM_OK);
    slice_out_reset(&c);
    assert_int_equal(fault_loop(&groups_opts, &c), CXM_OK);
    assert_memory_equal(c.out, c.want, k * sizeof c.want[0]);
  }
  {
    fault_spec means = {
        "cxm_slice_tests_means", call_slice_means, fp_slice_ctx, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL};
    cxm_slice_test got[SLICE_K];
    memset(got, 0, sizeof got);
    got[0].size = sizeof got[0];
    assert_int_equal(cxm_slice_tests_means(got, SLICE_K, c.n, c.mean, c.sd, SLICE_K, &c.opts), CXM_OK);
    slice_out_reset(&c);
    assert_int_equal(fault_loop(&means, &c), CXM_OK);
    assert_memory_equal(c.out, got, sizeof got);
  }
  PAUSE();
  cxm_groups_free(c.groups);
  cxm_store_free(c.s);
  UNPAUSE();
}

static void test_every_export_is_covered(void **state) {
  const char *root = getenv("CXM_SOURCE_ROOT");
  char path[1024], line[256];
  FILE *fp;
  size_t i, symbols = 0, missing = 0, listed = 0;
  long total = 0;
  (void)state;
  assert_non_null(root);
  snprintf(path, sizeof path, "%s/tests/exports/expected.txt", root);
  fp = fopen(path, "r");
  assert_non_null(fp);
  while (fgets(line, sizeof line, fp) != NULL) {
    size_t n = strcspn(line, "\r\n");
    const fault_count *fc;
    const no_alloc *na;
    line[n] = '\0';
    if (n == 0) continue;
    symbols++;
    fc = find_faulted(line);
    na = find_never(line);
    if (fc == NULL && na == NULL) {
      print_error("%s is exported but in neither table of test_faults.c\n", line);
      missing++;
    } else if (fc != NULL && na != NULL) {
      print_error("%s is in both tables of test_faults.c\n", line);
      missing++;
    } else if (fc != NULL && (fc->runs == 0 || fc->points == 0)) {
      print_error("%s: %ld fault loops, %ld failure points\n", line, fc->runs, fc->points);
      missing++;
    } else if (na != NULL && na->kind != PURE && !was_probed(line)) {
      print_error("%s is listed as probed but was not\n", line);
      missing++;
    }
  }
  fclose(fp);
  /* no stale entries: each table entry is a symbol of the file */
  fp = fopen(path, "r");
  assert_non_null(fp);
  while (fgets(line, sizeof line, fp) != NULL) {
    line[strcspn(line, "\r\n")] = '\0';
    if (find_faulted(line) != NULL || find_never(line) != NULL) listed++;
  }
  fclose(fp);
  if (listed != N_FAULTED + N_NEVER) {
    print_error("%zu table entries are not exported symbols\n", N_FAULTED + N_NEVER - listed);
    missing++;
  }
  for (i = 0; i < N_FAULTED; i++) {
    print_message("%-32s %6ld failure points in %ld runs", faulted[i].fn, faulted[i].points, faulted[i].runs);
    if (faulted[i].tolerated > 0) print_message(" (%ld got through: optional allocation)", faulted[i].tolerated);
    print_message("\n");
    total += faulted[i].points;
  }
  print_message(
      "total: %ld allocation-failure points over %zu allocating functions; %zu functions never "
      "allocate (%zu probed); %zu exported symbols\n",
      total, N_FAULTED, N_NEVER, n_probed, symbols);
  assert_int_equal(missing, 0);
}

/* Each test starts from a clean allocator, so one failure does not cascade
 * into the tests after it. */
static int reset_alloc(void **state) {
  (void)state;
  g_fa.remaining = -1;
  g_fa.calls = 0;
  g_fa.live_bytes = 0;
  return 0;
}

static int setup(void **state) {
  (void)state;
  hooks_init();
  gen_events();
  g_text_len[CXM_FORMAT_CSV] = render_events(g_text[CXM_FORMAT_CSV], sizeof g_text[0], CXM_FORMAT_CSV);
  g_text_len[CXM_FORMAT_JSONL] = render_events(g_text[CXM_FORMAT_JSONL], sizeof g_text[1], CXM_FORMAT_JSONL);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_object_bytes_layout, reset_alloc),
      cmocka_unit_test_setup(test_store_new, reset_alloc),
      cmocka_unit_test_setup(test_store_record, reset_alloc),
      cmocka_unit_test_setup(test_store_record_for, reset_alloc),
      cmocka_unit_test_setup(test_store_record_ex, reset_alloc),
      cmocka_unit_test_setup(test_store_record_batch, reset_alloc),
      cmocka_unit_test_setup(test_store_customer, reset_alloc),
      cmocka_unit_test_setup(test_store_channel, reset_alloc),
      cmocka_unit_test_setup(test_store_segment, reset_alloc),
      cmocka_unit_test_setup(test_store_attribute, reset_alloc),
      cmocka_unit_test_setup(test_store_queries, reset_alloc),
      cmocka_unit_test_setup(test_store_rfm, reset_alloc),
      cmocka_unit_test_setup(test_store_tracking, reset_alloc),
      cmocka_unit_test_setup(test_readers, reset_alloc),
      cmocka_unit_test_setup(test_rfm, reset_alloc),
      cmocka_unit_test_setup(test_risk, reset_alloc),
      cmocka_unit_test_setup(test_calendar, reset_alloc),
      cmocka_unit_test_setup(test_store_merge, reset_alloc),
      cmocka_unit_test_setup(test_snapshots, reset_alloc),
      cmocka_unit_test_setup(test_survival_drivers, reset_alloc),
      cmocka_unit_test_setup(test_slicestats, reset_alloc),
      cmocka_unit_test_setup(test_never_allocating_probe, reset_alloc),
      cmocka_unit_test_setup(test_survival_probe, reset_alloc),
      cmocka_unit_test_setup(test_every_export_is_covered, reset_alloc),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
