/* Churn risk of every customer at risk in a store (cxm/churn.h): choose
 * the scoring time and training cut-off, get the risk model, score the
 * features as of the scoring time and rank. The CLI and the bindings call
 * this, so the pipeline exists once. */
#include "churn/feature_table.h"
#include "churn/risk_internal.h"
#include "common/hash.h"
#include "purchase/models.h"
#include "purchase/rfm.h"
#include "store/store_internal.h"

#include "cxm/churn.h"
#include "cxm/purchase.h"
#include "cxm/time.h"
#include "common/abi_check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)

/* What a result keeps per customer; contributions and drivers are
 * recomputed on demand (cheap, pure) so a row stays small. */
typedef struct scored {
  double features[CXM_FEATURE_COUNT];
  double risk;
  double p_alive, p_none;
  double value; /* expected value in the horizon */
  uint32_t handle;
} scored;

struct cxm_churn {
  cxm_allocator hooks; /* copied: the result outlives the store */
  size_t count;
  scored *rows; /* highest risk first */
  int64_t scored_at, cutoff;
  int32_t source;
  cxm_risk_model model;
  cxm_risk_evaluation evaluation;
  double heldout_auc[3], heldout_log_loss[3], margin;
  uint64_t train_rows, train_lost;
  double baseline[CXM_FEATURE_COUNT];
  double value_at_risk, expected_value;
  int32_t spend_fitted;
  cxm_model purchase; /* of the scoring features; kind 0 when none */
};

void cxm_churn_options_init(cxm_churn_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->scored_at = CXM_CHURN_AFTER_LAST;
  options->horizon_seconds = 90 * DAY;
  options->purchase_model = CXM_MODEL_MBGNBD;
  options->calendar = NULL;
  options->sla_target_seconds = 8 * 3600;
  options->label = CXM_LABEL_BOTH;
  options->activity = CXM_ACTIVITY_PURCHASES;
  options->train_lapsed = 1;
  options->rank = CXM_CHURN_RANK_RISK;
}

void cxm_churn_info_init(cxm_churn_info *info) {
  if (info == NULL) return;
  memset(info, 0, sizeof *info);
  info->size = sizeof *info;
}

void cxm_churn_row_init(cxm_churn_row *row) {
  if (row == NULL) return;
  memset(row, 0, sizeof *row);
  row->size = sizeof *row;
}

/* Highest value at risk first; equal ones by handle. */
static int by_value_at_risk(const void *pa, const void *pb) {
  const scored *a = pa, *b = pb;
  double va = a->risk * a->value, vb = b->risk * b->value;
  if (va != vb) return va > vb ? -1 : 1;
  return a->handle < b->handle ? -1 : (a->handle > b->handle ? 1 : 0);
}

/* Highest risk first; equal risks by handle, so the order is total. */
static int by_risk(const void *pa, const void *pb) {
  const scored *a = pa, *b = pb;
  if (a->risk != b->risk) return a->risk > b->risk ? -1 : 1;
  return a->handle < b->handle ? -1 : (a->handle > b->handle ? 1 : 0);
}

static int by_value(const void *pa, const void *pb) {
  double a = *(const double *)pa, b = *(const double *)pb;
  return a < b ? -1 : (a > b ? 1 : 0);
}

/* Entries of sorted v[0..n-1] below x, plus half of those equal to x. */
static double rank_below(const double *v, size_t n, double x) {
  size_t lo = 0, hi = n, eq_lo, eq_hi;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  eq_lo = lo;
  hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid] <= x)
      lo = mid + 1;
    else
      hi = mid;
  }
  eq_hi = lo;
  return (double)eq_lo + 0.5 * (double)(eq_hi - eq_lo);
}

/* Standard error of the difference of two AUCs on the same rows (DeLong,
 * DeLong & Clarke-Pearson 1988): from each positive's share of negatives
 * ranked below it (V10) and each negative's share of positives above it
 * (V01) under either model, Var = (S10_aa + S10_bb - 2 S10_ab) / n1 +
 * (S01_aa + S01_bb - 2 S01_ab) / n0 with S the sample covariances. Paired
 * rows make this far smaller than either AUC's own error. NaN on failure. */
static double auc_diff_se(const cxm_risk_model *ma, const cxm_risk_model *mb, const cxm_risk_data *d, cxmi_alloc *a) {
  size_t n = d->n, k = (size_t)d->k, n1 = 0, n0 = 0, i;
  double *buf = cxmi_malloc(a, 4 * n * sizeof *buf), se = NAN;
  if (buf == NULL) return NAN;
  double *sa = buf, *sb = buf + n, *sorted = buf + 2 * n; /* sorted: [0] positives' scores, [n1] negatives' */
  for (i = 0; i < n; i++) {
    /* ranked as cxm_risk_evaluate() ranks: by P(label 1) */
    sa[i] = cxmi_risk_label_logit(cxmi_risk_logit(NULL, ma, d->x + i * k), d->q[i]);
    sb[i] = cxmi_risk_label_logit(cxmi_risk_logit(NULL, mb, d->x + i * k), d->q[i]);
    n1 += d->y[i];
  }
  n0 = n - n1;
  if (n1 >= 2 && n0 >= 2) {
    /* per model, the V10 and V01 components, then their covariances */
    double *v = buf + 3 * n, m10[2] = {0, 0}, m01[2] = {0, 0};
    double c10[3] = {0, 0, 0}, c01[3] = {0, 0, 0}; /* aa, bb, ab */
    for (int m = 0; m < 2; m++) {
      const double *sc = m == 0 ? sa : sb;
      double *pos = sorted, *neg = sorted + n1;
      size_t p = 0, q = 0;
      for (i = 0; i < n; i++) {
        if (d->y[i])
          pos[p++] = sc[i];
        else
          neg[q++] = sc[i];
      }
      qsort(pos, n1, sizeof *pos, by_value);
      qsort(neg, n0, sizeof *neg, by_value);
      for (i = 0; i < n; i++) {
        /* row i's component under model m: model a's go to v, model b's
         * over b's own score, read just before (the sorted copies serve
         * the other rows) */
        double comp = d->y[i] ? rank_below(neg, n0, sc[i]) / (double)n0
                              : ((double)n1 - rank_below(pos, n1, sc[i])) / (double)n1;
        if (m == 0)
          v[i] = comp;
        else
          sb[i] = comp;
      }
    }
    /* v: model a's components; sb: model b's */
    for (i = 0; i < n; i++) {
      if (d->y[i]) {
        m10[0] += v[i];
        m10[1] += sb[i];
      } else {
        m01[0] += v[i];
        m01[1] += sb[i];
      }
    }
    m10[0] /= (double)n1;
    m10[1] /= (double)n1;
    m01[0] /= (double)n0;
    m01[1] /= (double)n0;
    for (i = 0; i < n; i++) {
      double da, db;
      if (d->y[i]) {
        da = v[i] - m10[0];
        db = sb[i] - m10[1];
        c10[0] += da * da;
        c10[1] += db * db;
        c10[2] += da * db;
      } else {
        da = v[i] - m01[0];
        db = sb[i] - m01[1];
        c01[0] += da * da;
        c01[1] += db * db;
        c01[2] += da * db;
      }
    }
    double var = (c10[0] + c10[1] - 2.0 * c10[2]) / ((double)(n1 - 1) * (double)n1) +
                 (c01[0] + c01[1] - 2.0 * c01[2]) / ((double)(n0 - 1) * (double)n0);
    se = var > 0.0 ? sqrt(var) : 0.0;
  }
  cxmi_free(a, buf, 4 * n * sizeof *buf);
  return se;
}

/* A stayer's chance of a quiet window is capped below 1: a label of 0 must
 * stay possible for every row (q = 1 would make it impossible). */
#define QUIET_MAX 0.999

/* The three candidates' training rows: every feature (`all`) and the lapse
 * log-odds alone (`one`), for the whole labelled set and its two halves. */
typedef struct training {
  cxm_risk_data *all[3], *one[3]; /* [0] every row, [1] even handles (fit), [2] odd handles (held out) */
  uint64_t lost[3], rows[3];
} training;

static void training_free(training *t) {
  for (int i = 0; i < 3; i++) {
    cxm_risk_data_free(t->all[i]);
    cxm_risk_data_free(t->one[i]);
  }
}

/* With a lapse in the label rule, a customer who stays but makes no
 * purchase in the window is labelled lost too: each row carries the
 * purchase model's probability of that (cxmi_features_p_quiet()), and the
 * fits estimate the probability of leaving under that proxy (docs/churn.md,
 * "Lapse is a proxy"). With `churn` labels only, q = 0: a plain logistic. */
static int32_t training_fill(training *t, const cxm_features *f, const cxm_store *store, int32_t train_lapsed,
                             int32_t label_rule) {
  int32_t rc = CXM_OK;
  for (int i = 0; i < 3 && rc == CXM_OK; i++) {
    rc = cxm_risk_data_new(&t->all[i], CXM_FEATURE_COUNT, cxmi_store_hooks(store));
    if (rc == CXM_OK) rc = cxm_risk_data_new(&t->one[i], 1, cxmi_store_hooks(store));
  }
  for (size_t i = 0; rc == CXM_OK && i < cxm_features_count(f); i++) {
    double v[CXM_FEATURE_COUNT];
    uint32_t handle;
    int32_t label;
    (void)cxm_features_row_get(v, CXM_FEATURE_COUNT, &handle, &label, f, i);
    if (!train_lapsed && cxmi_features_lapsed(f, i)) continue;
    int sets[2] = {0, handle % 2 == 0 ? 1 : 2};
    double q = label_rule == CXM_LABEL_CHURN ? 0.0 : cxmi_features_p_quiet(f, i);
    q = q < QUIET_MAX ? q : QUIET_MAX;
    for (int k = 0; k < 2 && rc == CXM_OK; k++) {
      rc = cxmi_risk_data_add_proxy(t->all[sets[k]], v, label, 1.0, q);
      if (rc == CXM_OK) rc = cxmi_risk_data_add_proxy(t->one[sets[k]], v + CXM_FEATURE_LAPSE_ODDS, label, 1.0, q);
      t->rows[sets[k]]++;
      t->lost[sets[k]] += label == 1;
    }
  }
  return rc;
}

/* The penalty of the fit on every feature, towards the default model's
 * coefficients (docs/churn.md, "Which model scores"): a prior of standard
 * deviation 1 / sqrt(30) = 0.18 per standardised coefficient, about a tenth
 * of the data's weight with 1 500 training customers and half of it with
 * 115. Chosen by measurement on tools/churn_worlds.py (3 000 customers,
 * held-out and true AUC for l2 = 1, 10, 30, 100): 30 gained 0.002-0.006 on
 * the silent worlds and lost nothing elsewhere; 100 lost 0.025 on the
 * contractual world. */
#define SHRINK_L2 3.0

/* A fit that stopped at its best point is still a model; one class only
 * cannot happen here (each half holds CXM_CHURN_MIN_CLASS of each). With
 * `prior`, the penalty shrinks the coefficients towards it (the default
 * model's) rather than towards 0. */
static int32_t fit(cxm_risk_model *m, const cxm_risk_data *d, const double *prior) {
  cxm_risk_options ro;
  cxm_risk_options_init(&ro);
  if (prior != NULL) {
    ro.prior = prior;
    ro.l2 = SHRINK_L2;
  }
  cxm_risk_model_init(m);
  int32_t rc = cxm_risk_fit(m, d, &ro);
  return rc == CXM_E_CONVERGE ? CXM_OK : rc;
}

/* The purchase-alone model over every feature: its fitted intercept and
 * slope on the lapse log-odds, every other coefficient 0. */
static int32_t purchase_alone(cxm_risk_model *m, const cxm_risk_data *one) {
  cxm_risk_model m1;
  double coef[CXM_FEATURE_COUNT] = {0};
  int32_t rc = fit(&m1, one, NULL);
  if (rc != CXM_OK) return rc;
  coef[CXM_FEATURE_LAPSE_ODDS] = m1.coef[0];
  cxm_risk_model_init(m);
  rc = cxm_risk_model_set(m, CXM_FEATURE_COUNT, m1.intercept, coef);
  m->converged = m1.converged;
  m->rows = m1.rows;
  m->positives = m1.positives;
  m->l2 = m1.l2;
  m->log_loss = m1.log_loss;
  m->se[CXM_FEATURE_LAPSE_ODDS] = m1.se[0];
  m->intercept_se = m1.intercept_se;
  return rc;
}

static int32_t evaluate(double *auc, double *log_loss, cxm_risk_evaluation *out, const cxm_risk_model *m,
                        const cxm_risk_data *d) {
  cxm_risk_evaluation e;
  e.size = sizeof e;
  int32_t rc = cxm_risk_evaluate(&e, m, d);
  if (rc != CXM_OK) return rc;
  *auc = e.auc;
  *log_loss = e.log_loss;
  if (out != NULL) *out = e;
  return CXM_OK;
}

/* Honest model selection (docs/churn.md, "Which model scores"): the
 * default, the purchase model alone and the model fitted on every feature
 * are each fitted on the customers of even handle and evaluated on those of
 * odd handle. The fitted model is chosen only when its held-out AUC beats
 * both others by max(CXM_CHURN_MIN_MARGIN, 1.645 x the DeLong standard
 * error of its difference from the better of them) and its log-loss is
 * lower than theirs; else the purchase model when its AUC is at
 * least the default's; else the default. Every half must hold
 * CXM_CHURN_MIN_CLASS lost and kept customers, or the default is used. The
 * chosen fitted or purchase model is then refitted on every labelled row. */
static int32_t choose_model(cxm_churn *c, const cxm_store *store, const cxm_feature_options *fo, int32_t train_lapsed) {
  cxm_features *f = NULL;
  training t;
  cxm_risk_model cand[3];
  int32_t rc;
  memset(&t, 0, sizeof t);
  c->source = CXM_CHURN_SOURCE_DEFAULT;
  for (int i = 0; i < 3; i++) c->heldout_auc[i] = c->heldout_log_loss[i] = NAN;
  c->margin = NAN;
  c->evaluation.size = sizeof c->evaluation;
  rc = cxm_feature_default_model(&c->model);
  if (rc != CXM_OK || fo->cutoff <= store->first) return rc;
  rc = cxm_store_features(&f, store, fo);
  if (rc == CXM_OK) rc = training_fill(&t, f, store, train_lapsed, fo->label);
  cxm_features_free(f);
  c->train_rows = t.rows[0];
  c->train_lost = t.lost[0];
  if (rc != CXM_OK || t.lost[1] < CXM_CHURN_MIN_CLASS || t.rows[1] - t.lost[1] < CXM_CHURN_MIN_CLASS ||
      t.lost[2] < CXM_CHURN_MIN_CLASS || t.rows[2] - t.lost[2] < CXM_CHURN_MIN_CLASS) {
    training_free(&t);
    return rc;
  }
  cand[CXM_CHURN_SOURCE_DEFAULT] = c->model;
  rc = fit(&cand[CXM_CHURN_SOURCE_FITTED], t.all[1], c->model.coef);
  if (rc == CXM_OK) rc = purchase_alone(&cand[CXM_CHURN_SOURCE_PURCHASE], t.one[1]);
  for (int i = 0; i < 3 && rc == CXM_OK; i++)
    rc = evaluate(&c->heldout_auc[i], &c->heldout_log_loss[i], i == CXM_CHURN_SOURCE_FITTED ? &c->evaluation : NULL,
                  &cand[i], t.all[2]);
  if (rc == CXM_OK) {
    const double *a = c->heldout_auc, *ll = c->heldout_log_loss;
    int other = a[2] >= a[0] ? CXM_CHURN_SOURCE_PURCHASE : CXM_CHURN_SOURCE_DEFAULT;
    cxmi_alloc al;
    cxmi_alloc_init(&al, cxmi_store_hooks(store));
    double se = auc_diff_se(&cand[CXM_CHURN_SOURCE_FITTED], &cand[other], t.all[2], &al);
    if (isnan(se)) rc = CXM_E_NOMEM;
    /* one-sided 5%: the fitted model must be better beyond the noise of
     * the paired difference, and by at least CXM_CHURN_MIN_MARGIN */
    c->margin = fmax(CXM_CHURN_MIN_MARGIN, 1.6448536269514722 * se);
    if (rc == CXM_OK && a[1] >= fmax(a[0], a[2]) + c->margin && ll[1] < ll[0] && ll[1] < ll[2])
      c->source = CXM_CHURN_SOURCE_FITTED;
    else if (rc == CXM_OK && a[2] >= a[0])
      c->source = CXM_CHURN_SOURCE_PURCHASE;
    if (rc == CXM_OK && c->source == CXM_CHURN_SOURCE_FITTED) {
      cxm_risk_model def = c->model;
      rc = fit(&c->model, t.all[0], def.coef);
    }
    if (rc == CXM_OK && c->source == CXM_CHURN_SOURCE_PURCHASE) rc = purchase_alone(&c->model, t.one[0]);
  }
  training_free(&t);
  return rc;
}

/* Score every row of `f` into `c->rows`. */
static int32_t score_rows(cxm_churn *c, const cxm_features *f) {
  size_t i;
  for (i = 0; i < c->count; i++) {
    scored *r = &c->rows[i];
    int32_t rc = cxm_features_row_get(r->features, CXM_FEATURE_COUNT, &r->handle, NULL, f, i);
    if (rc == CXM_OK) rc = cxm_risk_score(&r->risk, &c->model, r->features);
    if (rc != CXM_OK) return rc;
    r->p_alive = cxmi_features_p_alive(f, i);
    r->p_none = cxmi_features_p_none(f, i);
  }
  return CXM_OK; /* sorted once the values are known (cxm_store_churn) */
}

/* The k-th smallest of v[0..n-1] (v is reordered): Hoare's selection. */
static double select_kth(double *v, size_t n, size_t k) {
  size_t lo = 0, hi = n - 1;
  while (lo < hi) {
    double pivot = v[lo + (hi - lo) / 2];
    size_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        double tmp = v[i];
        v[i] = v[j];
        v[j] = tmp;
        i++;
        if (j == 0) break;
        j--;
      }
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return v[k];
  }
  return v[k];
}

/* The baseline customer: each feature's median (the lower middle value)
 * over the scored customers, so "typical" is what most customers show
 * (0 complaints, no open contact) rather than zero for every feature. */
static int32_t find_baseline(cxm_churn *c, cxmi_alloc *a) {
  double *col;
  if (c->count == 0) return CXM_OK;
  col = cxmi_malloc(a, c->count * sizeof *col);
  if (col == NULL) return CXM_E_NOMEM;
  for (int32_t j = 0; j < CXM_FEATURE_COUNT; j++) {
    for (size_t i = 0; i < c->count; i++) col[i] = c->rows[i].features[j];
    c->baseline[j] = select_kth(col, c->count, (c->count - 1) / 2);
  }
  cxmi_free(a, col, c->count * sizeof *col);
  return CXM_OK;
}

#define SPEND_SAMPLE 4000

static int32_t spend_model(cxm_model *gg, const cxm_rfm *rfm, const cxm_allocator *hooks) {
  cxm_fit_options fo;
  cxm_rfm *sample = NULL;
  size_t n = cxm_rfm_count(rfm), buyers = 0, i, k, seen = 0;
  int32_t rc;
  cxm_fit_options_init(&fo);
  fo.max_iterations = 100;
  for (i = 0; i < n; i++) {
    cxm_rfm_customer cu;
    cxm_rfm_customer_init(&cu);
    if (cxm_rfm_get(&cu, rfm, i) == CXM_OK && cu.x > 0 && cu.monetary > 0) buyers++;
  }
  if (buyers <= SPEND_SAMPLE) return cxm_model_fit(gg, rfm, CXM_MODEL_GAMMA_GAMMA, &fo);
  k = (buyers + SPEND_SAMPLE - 1) / SPEND_SAMPLE;
  rc = cxm_rfm_new(&sample, hooks);
  for (i = 0; rc == CXM_OK && i < n; i++) {
    cxm_rfm_customer cu;
    cxm_rfm_customer_init(&cu);
    if (cxm_rfm_get(&cu, rfm, i) != CXM_OK || !(cu.x > 0 && cu.monetary > 0)) continue;
    if (seen++ % k == 0) rc = cxm_rfm_add(sample, &cu);
  }
  if (rc == CXM_OK) rc = cxm_model_fit(gg, sample, CXM_MODEL_GAMMA_GAMMA, &fo);
  cxm_rfm_free(sample);
  return rc;
}

/* cxm_model_expected() for every customer of one model and horizon, the
 * same statuses and bits: for BG/NBD and MBG/NBD the expectation is a
 * factor of (x, T) alone times P(alive) (cxmi_model_expected_part()), and
 * the factor, a quadrature per customer when the fit is degenerate (b in
 * the millions and beyond), is computed once per distinct (x, T) and kept
 * in an open-addressing table. Summaries in days or weeks share few (x, T):
 * 308 088 customers of the 10 M-event benchmark file have a few thousand.
 * Past half the table's slots (at most 2^16, 1.5 MiB) the factor is simply
 * computed again. */
typedef struct part_slot {
  double T, part;
  uint32_t x, used;
} part_slot;

typedef struct expected_memo {
  part_slot *slots;
  size_t cap, used;
  cxmi_alloc *a;
} expected_memo;

static int32_t memo_init(expected_memo *m, size_t customers, cxmi_alloc *a) {
  size_t cap = 1024;
  while (cap < 2 * customers && cap < ((size_t)1 << 16)) cap *= 2;
  m->a = a;
  m->used = 0;
  m->slots = cxmi_calloc(a, cap, sizeof *m->slots);
  m->cap = m->slots != NULL ? cap : 0;
  return m->slots != NULL ? CXM_OK : CXM_E_NOMEM;
}

static void memo_free(expected_memo *m) { cxmi_free(m->a, m->slots, m->cap * sizeof *m->slots); }

static int32_t memo_expected(double *out, expected_memo *m, const cxm_model *pm, double t, uint32_t x, double t_x,
                             double T) {
  double part;
  uint64_t bits;
  double key = T + 0.0; /* -0.0 and 0.0 are one T */
  memcpy(&bits, &key, sizeof bits);
  size_t h = (size_t)cxmi_hash_u64(bits ^ cxmi_hash_u64((uint64_t)x + 1)) & (m->cap - 1);
  for (;;) {
    part_slot *sl = &m->slots[h];
    if (!sl->used) {
      if (2 * (m->used + 1) > m->cap) break; /* full enough: compute */
      if (cxmi_model_expected_part(&part, pm, t, x, T) != CXM_OK) return cxm_model_expected(out, pm, t, x, t_x, T);
      sl->used = 1;
      sl->x = x;
      sl->T = key;
      sl->part = part;
      m->used++;
      return cxmi_model_expected_with_part(out, pm, part, x, t_x, T);
    }
    if (sl->x == x && sl->T == key) return cxmi_model_expected_with_part(out, pm, sl->part, x, t_x, T);
    h = (h + 1) & (m->cap - 1);
  }
  if (cxmi_model_expected_part(&part, pm, t, x, T) != CXM_OK) return cxm_model_expected(out, pm, t, x, t_x, T);
  return cxmi_model_expected_with_part(out, pm, part, x, t_x, T);
}

/* Each scored customer's expected value in the horizon after scored_at:
 * the purchase model's conditional expected purchases in the horizon
 * (cxm_model_expected(), weeks) times the Gamma-Gamma expected spend per
 * purchase (cxm_model_expected_spend()). When no Gamma-Gamma model can be
 * fitted (too few repeat buyers with a spend, or no convergence in 100
 * iterations), the fallback is the
 * customer's own mean repeat spend, or the mean over every customer's
 * mean repeat spend for one without repeats. A customer the purchase
 * model does not cover (never bought, or no model) has value 0. `values`
 * (zeroed, one per row of `f`) are in feature order, as the rows are
 * before sorting. The purchase model `pm` is the one the scoring features
 * were taken with (one fit, not two); kind 0: none. */
static int32_t add_values(double *values, int32_t *spend_fitted, const cxm_model *pm, int64_t scored_at,
                          const cxm_store *store, const cxm_features *f, int64_t horizon) {
  cxm_rfm *own = NULL;
  const cxm_rfm *rfm;
  cxm_rfm_options ro;
  cxm_model gg;
  const uint32_t *handle_of, *row_handles = cxmi_features_handles(f);
  uint32_t *row_of = NULL, *own_handles = NULL;
  expected_memo memo;
  size_t n, i, customers, room, count = cxm_features_count(f);
  double mean_spend = 0.0, spend_n = 0.0;
  int32_t rc = CXM_OK;
  cxmi_alloc a;
  *spend_fitted = 0;
  if (count == 0 || scored_at <= CXM_TIME_MIN || pm->kind == 0) return CXM_OK;
  cxmi_alloc_init(&a, cxmi_store_hooks(store));
  customers = store->customers.count;
  room = customers > 0 ? customers : 1;
  row_of = cxmi_malloc(&a, room * sizeof *row_of);
  if (row_of == NULL) return CXM_E_NOMEM;
  /* The scoring features' summaries (as of scored_at, in weeks: the same
   * call as below) when they were kept; built here otherwise. */
  rfm = cxmi_features_rfm(&handle_of, f);
  if (rfm == NULL) {
    rc = cxm_rfm_new(&own, cxmi_store_hooks(store));
    if (rc == CXM_OK) {
      own_handles = cxmi_malloc(&a, room * sizeof *own_handles);
      if (own_handles == NULL) rc = CXM_E_NOMEM;
    }
    if (rc == CXM_OK) {
      cxm_rfm_options_init(&ro);
      ro.to = scored_at;
      rc = cxmi_store_rfm(own, own_handles, store, &ro);
    }
    rfm = own;
    handle_of = own_handles;
  }
  if (rc == CXM_OK) {
    cxm_model_init(&gg);
    /* The spend model's three parameters need a few thousand repeat buyers,
     * not all: above SPEND_SAMPLE it is fitted on every k-th (a fixed,
     * reproducible subsample), and a fit that has not converged in 100
     * iterations is not used (the fallback is). On bench/gen_events' 400 000
     * events (37 000 repeat buyers, spends nearly constant per customer, q
     * running off to infinity) the full 500-iteration fit took 57 s, 50 times
     * the rest of the call. */
    rc = spend_model(&gg, rfm, cxmi_store_hooks(store));
    *spend_fitted = rc == CXM_OK;
    rc = rc == CXM_E_NOMEM ? rc : CXM_OK;
  }
  n = rc == CXM_OK ? cxm_rfm_count(rfm) : 0;
  if (rc == CXM_OK) {
    for (i = 0; i < customers; i++) row_of[i] = UINT32_MAX;
    for (i = 0; i < count; i++) row_of[row_handles[i]] = (uint32_t)i;
    for (i = 0; i < n; i++) {
      cxm_rfm_customer rc_;
      cxm_rfm_customer_init(&rc_);
      if (cxm_rfm_get(&rc_, rfm, i) == CXM_OK && rc_.x > 0 && rc_.monetary > 0) {
        mean_spend += rc_.monetary;
        spend_n += 1.0;
      }
    }
    mean_spend = spend_n > 0 ? mean_spend / spend_n : 0.0;
    rc = memo_init(&memo, n, &a) != CXM_OK ? CXM_E_NOMEM : CXM_OK;
  }
  if (rc == CXM_OK) {
    for (i = 0; i < n; i++) {
      cxm_rfm_customer cu;
      uint32_t handle;
      double e, spend;
      cxm_rfm_customer_init(&cu);
      if (cxm_rfm_get(&cu, rfm, i) != CXM_OK) continue;
      handle = handle_of[i];
      if (row_of[handle] == UINT32_MAX) continue;
      if (memo_expected(&e, &memo, pm, (double)horizon / (7.0 * 86400.0), cu.x, cu.t_x, cu.T) != CXM_OK) continue;
      if (!*spend_fitted || cxm_model_expected_spend(&spend, &gg, cu.x, cu.x > 0 ? cu.monetary : 1.0) != CXM_OK)
        spend = cu.x > 0 && cu.monetary > 0 ? cu.monetary : mean_spend;
      values[row_of[handle]] = isfinite(e * spend) ? e * spend : 0.0;
    }
    memo_free(&memo);
  }
  cxmi_free(&a, own_handles, room * sizeof *own_handles);
  cxm_rfm_free(own);
  cxmi_free(&a, row_of, room * sizeof *row_of);
  return rc;
}

/* The two independent parts of cxm_store_churn(), as run_tasks tasks. */
typedef struct churn_tasks {
  cxm_churn *c;
  const cxm_store *store;
  cxm_feature_options train, score; /* at the training cut-off; at the scoring time */
  int32_t train_lapsed;
  cxm_features *features; /* task 1's: the features at the scoring time, */
  double *values;         /* each row's expected value (add_values(), allocated with values_alloc), */
  cxmi_alloc *values_alloc;
  int32_t spend_fitted;
  int32_t values_rc; /* and its status, seen where one thread would meet it */
  int64_t horizon;
  int32_t rc[2];
} churn_tasks;

static void churn_task(void *arg, uint32_t index) {
  churn_tasks *t = arg;
  if (index == 0)
    t->rc[0] = choose_model(t->c, t->store, &t->train, t->train_lapsed);
  else if (index == 1) {
    cxm_model none;
    const cxm_model *pm;
    size_t n;
    t->rc[1] = cxmi_store_features_keep(&t->features, t->store, &t->score, 1); /* add_values() reuses its summaries */
    if (t->rc[1] != CXM_OK) return;
    n = cxm_features_count(t->features);
    t->values = n > 0 ? cxmi_calloc(t->values_alloc, n, sizeof *t->values) : NULL;
    if (n > 0 && t->values == NULL) {
      t->values_rc = CXM_E_NOMEM;
      return;
    }
    memset(&none, 0, sizeof none); /* kind 0: no purchase model, no values */
    pm = cxmi_features_model(t->features) != NULL ? cxmi_features_model(t->features) : &none;
    t->values_rc = add_values(t->values, &t->spend_fitted, pm, t->c->scored_at, t->store, t->features, t->horizon);
  }
}

static int32_t check_options(const cxm_churn_options *o) {
  if (!CXMI_STRUCT_OK(o, cxm_churn_options)) return CXM_E_SIZE;
  if (o->scored_at != CXM_CHURN_AFTER_LAST &&
      (o->scored_at < CXM_TIME_MIN || o->scored_at > CXM_TIME_MAX + 1 || o->scored_at % DAY != 0))
    return CXM_E_WINDOW;
  if (o->horizon_seconds <= 0 || o->horizon_seconds % DAY != 0 || o->horizon_seconds > 100 * 366 * DAY ||
      o->label < CXM_LABEL_CHURN || o->label > CXM_LABEL_BOTH || o->activity < CXM_ACTIVITY_PURCHASES ||
      o->activity > CXM_ACTIVITY_ANY || (o->train_lapsed != 0 && o->train_lapsed != 1) ||
      (o->rank != CXM_CHURN_RANK_RISK && o->rank != CXM_CHURN_RANK_VALUE))
    return CXM_E_OPTION;
  return CXM_OK;
}

int32_t cxm_store_churn(cxm_churn **out, const cxm_store *store, const cxm_churn_options *options) {
  cxm_churn_options o;
  cxm_feature_options fo;
  cxm_features *f = NULL;
  cxm_churn *c;
  cxmi_alloc a, a_values;
  double *values = NULL; /* each scoring row's expected value (churn_task 1) */
  int32_t rc, values_rc = CXM_OK;
  if (out == NULL) return CXM_E_ARG;
  *out = NULL;
  if (store == NULL) return CXM_E_ARG;
  cxm_churn_options_init(&o);
  if (options != NULL) {
    if (!CXMI_STRUCT_OK(options, cxm_churn_options)) return CXM_E_SIZE;
    cxmi_struct_in(&o, options, sizeof o);
  }
  rc = check_options(&o);
  if (rc != CXM_OK) return rc;
  if (cxmi_store_keeps(store, CXM_OMIT_CUSTOMER_DAYS) != CXM_OK) return CXM_E_STATE;
  if (store->events == 0) return CXM_E_NO_DATA;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  cxmi_alloc_init(&a_values, &store->alloc.hooks);
  c = cxmi_calloc(&a, 1, sizeof *c);
  if (c == NULL) return CXM_E_NOMEM;
  c->hooks = store->alloc.hooks;
  c->scored_at = o.scored_at != CXM_CHURN_AFTER_LAST ? o.scored_at : (store->last / DAY + 1) * DAY;
  c->cutoff = c->scored_at - o.horizon_seconds;
  cxm_risk_model_init(&c->model);
  cxm_feature_options_init(&fo);
  fo.label = o.label;
  fo.activity = o.activity;
  fo.lapse_horizon_seconds = o.horizon_seconds;
  fo.purchase_model = o.purchase_model;
  fo.calendar = o.calendar;
  fo.sla_target_seconds = o.sla_target_seconds;
  fo.cutoff = c->cutoff;
  fo.horizon_seconds = o.horizon_seconds;
  /* Leaving the already lapsed out is about the lapse label; with churn
   * events alone a lapsed customer's label is as informative as any. */
  {
    /* Choosing the model (features at the training cut-off, fits) and the
     * features at the scoring time read the store and write disjoint
     * memory: two tasks the caller's run_tasks may run side by side. */
    churn_tasks t;
    t.c = c;
    t.store = store;
    t.train = fo;
    t.train_lapsed = o.train_lapsed || o.label == CXM_LABEL_CHURN;
    t.score = fo;
    t.score.cutoff = c->scored_at;
    t.score.horizon_seconds = 0;
    t.features = NULL;
    t.values = NULL;
    t.values_alloc = &a_values;
    t.spend_fitted = 0;
    t.values_rc = CXM_OK;
    t.horizon = o.horizon_seconds;
    t.rc[0] = t.rc[1] = CXM_E_STATE; /* a runner that skipped a task */
    if (o.run_tasks != NULL) {
      o.run_tasks(o.run_tasks_user, churn_task, &t, 2);
    } else {
      churn_task(&t, 0);
      churn_task(&t, 1);
    }
    f = t.features;
    values = t.values;
    values_rc = t.values_rc;
    c->spend_fitted = t.spend_fitted;
    /* The first failure in the order one thread would meet them. */
    rc = t.rc[0] != CXM_OK ? t.rc[0] : t.rc[1];
  }
  if (rc == CXM_OK && cxm_features_count(f) > 0) {
    c->rows = cxmi_calloc(&a, cxm_features_count(f), sizeof *c->rows);
    if (c->rows == NULL) rc = CXM_E_NOMEM;
  }
  if (rc == CXM_OK) {
    c->count = cxm_features_count(f);
    rc = score_rows(c, f);
    if (cxmi_features_model(f) != NULL) c->purchase = *cxmi_features_model(f);
  }
  if (rc == CXM_OK) rc = find_baseline(c, &a);
  if (rc == CXM_OK) rc = values_rc;
  if (rc == CXM_OK) {
    size_t i;
    for (i = 0; i < c->count; i++) c->rows[i].value = values[i]; /* rows in feature order still */
    for (i = 0; i < c->count; i++) {
      c->expected_value += c->rows[i].value;
      c->value_at_risk += c->rows[i].risk * c->rows[i].value;
    }
    if (c->count > 1)
      qsort(c->rows, c->count, sizeof *c->rows, o.rank == CXM_CHURN_RANK_VALUE ? by_value_at_risk : by_risk);
  }
  if (values != NULL) cxmi_free(&a_values, values, cxm_features_count(f) * sizeof *values);
  cxm_features_free(f);
  if (rc != CXM_OK) {
    cxm_churn_free(c);
    return rc;
  }
  *out = c;
  return CXM_OK;
}

size_t cxm_churn_count(const cxm_churn *churn) { return churn == NULL ? 0 : churn->count; }

int32_t cxm_churn_info_get(cxm_churn_info *info, const cxm_churn *churn) {
  cxm_churn_info out;
  if (info == NULL || churn == NULL) return CXM_E_ARG;
  if (!CXMI_STRUCT_OK(info, cxm_churn_info)) return CXM_E_SIZE;
  /* As cxm_churn_row_get(): a zeroed local, copied as far as the caller's
   * struct reaches (an older caller has no room for the newer fields). */
  memset(&out, 0, sizeof out);
  out.size = sizeof out;
  out.scored_at = churn->scored_at;
  out.cutoff = churn->cutoff;
  out.fitted = churn->source == CXM_CHURN_SOURCE_FITTED;
  out.source = churn->source;
  out.model = churn->model;
  out.evaluation = churn->evaluation;
  memcpy(out.heldout_auc, churn->heldout_auc, sizeof out.heldout_auc);
  memcpy(out.heldout_log_loss, churn->heldout_log_loss, sizeof out.heldout_log_loss);
  out.margin = churn->margin;
  out.train_rows = churn->train_rows;
  out.train_lost = churn->train_lost;
  memcpy(out.baseline, churn->baseline, sizeof out.baseline);
  out.value_at_risk = churn->value_at_risk;
  out.expected_value = churn->expected_value;
  out.spend_fitted = churn->spend_fitted;
  cxmi_struct_out(info, &out, sizeof out);
  return CXM_OK;
}

int32_t cxm_churn_purchase_model(cxm_model *model, const cxm_churn *churn) {
  if (model == NULL || churn == NULL) return CXM_E_ARG;
  if (!CXMI_STRUCT_OK(model, cxm_model)) return CXM_E_SIZE;
  if (churn->purchase.kind == 0) return CXM_E_NOT_FOUND;
  cxmi_struct_out(model, &churn->purchase, sizeof churn->purchase);
  return CXM_OK;
}

/* Whether a feature is a count or a flag, whose value 0 means "none of
 * it": such a feature drives a risk only when the customer has some. The
 * others (purchase risk, recency, silence, lapse odds) are durations or
 * probabilities and drive it whenever they exceed the baseline's effect. */
static int is_count(int32_t feature) {
  return feature != CXM_FEATURE_PURCHASE_RISK && feature != CXM_FEATURE_RECENCY && feature != CXM_FEATURE_SILENCE &&
         feature != CXM_FEATURE_LAPSE_ODDS;
}

/* The drivers, largest weight first (stable by feature). */
static uint32_t rank_drivers(int32_t *drivers, const double *weight, const double *x) {
  uint32_t n = 0, k;
  int32_t i;
  for (i = 0; i < CXM_FEATURE_COUNT; i++) {
    if (!(weight[i] > CXM_CHURN_DRIVER_MIN) || (is_count(i) && !(x[i] > 0))) continue;
    for (k = n; k > 0 && weight[drivers[k - 1]] < weight[i]; k--) drivers[k] = drivers[k - 1];
    drivers[k] = i;
    n++;
  }
  return n;
}

int32_t cxm_churn_row_get(cxm_churn_row *row, const cxm_churn *churn, size_t rank) {
  const scored *r;
  cxm_churn_row out;
  int32_t rc, i;
  if (row == NULL || churn == NULL) return CXM_E_ARG;
  if (!CXMI_STRUCT_OK(row, cxm_churn_row)) return CXM_E_SIZE;
  if (rank >= churn->count) return CXM_E_NOT_FOUND;
  r = &churn->rows[rank];
  /* Built whole in a zeroed local (padding included, so equal rows have
   * equal bytes) and copied as far as the caller's struct reaches. */
  memset(&out, 0, sizeof out);
  out.size = sizeof out;
  rc = cxm_risk_explain(out.contributions, &out.logit, &churn->model, r->features);
  if (rc != CXM_OK) return rc; /* scored with this model, so it cannot fail */
  out.handle = r->handle;
  out.risk = r->risk;
  out.band = cxm_risk_band(r->risk);
  out.p_alive = r->p_alive;
  out.p_no_purchase = r->p_none;
  out.expected_value = r->value;
  out.value_at_risk = r->risk * r->value;
  memcpy(out.features, r->features, sizeof out.features);
  for (i = 0; i < CXM_FEATURE_COUNT; i++) {
    out.drivers[i] = -1;
    out.driver_weights[i] = churn->model.coef[i] * (r->features[i] - churn->baseline[i]);
  }
  out.driver_count = rank_drivers(out.drivers, out.driver_weights, out.features);
  cxmi_struct_out(row, &out, sizeof out);
  return CXM_OK;
}

void cxm_churn_free(cxm_churn *churn) {
  cxmi_alloc a;
  if (churn == NULL) return;
  cxmi_alloc_init(&a, &churn->hooks);
  cxmi_free(&a, churn->rows, churn->count * sizeof *churn->rows);
  cxmi_free(&a, churn, sizeof *churn);
}
