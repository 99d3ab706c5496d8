/* Slice statistics (cxm/slicestats.h; docs/metrics.md, "Slice statistics"):
 * each disjoint slice of a dimension against the rest of it, p-values
 * adjusted across the slices, the low-base flag, Rocks's score interval for
 * NPS and the sample-size planner. */
#include "cxm/slicestats.h"

#include <math.h>
#include <string.h>

#include "common/alloc.h"
#include "math/stats.h"

/* src/store/query.c: the hooks a cxm_groups was made with. */
const cxm_allocator *cxmi_groups_hooks(const cxm_groups *groups);

void cxm_slice_options_init(cxm_slice_options *opts) {
  if (opts == NULL) return;
  memset(opts, 0, sizeof *opts);
  opts->size = sizeof *opts;
  opts->adjust = CXM_ADJUST_HOLM;
  opts->alpha = 0.05;
  opts->min_n = 30;
  opts->max_moe = INFINITY;
}

static int32_t check_options(cxm_slice_options *o, const cxm_slice_options *opts) {
  cxm_slice_options_init(o);
  if (opts != NULL) {
    if (opts->size != sizeof *opts) return CXM_E_SIZE;
    *o = *opts;
  }
  if (o->adjust != CXM_ADJUST_NONE && o->adjust != CXM_ADJUST_HOLM && o->adjust != CXM_ADJUST_BH) return CXM_E_OPTION;
  if (!(o->alpha > 0.0 && o->alpha < 1.0)) return CXM_E_OPTION;
  if (!(o->max_moe > 0.0)) return CXM_E_OPTION; /* NaN too; +inf means off */
  return CXM_OK;
}

static void test_blank(cxm_slice_test *t) {
  memset(t, 0, sizeof *t);
  t->size = sizeof *t;
  t->score = t->score_rest = t->diff = t->se = t->stat = t->df = NAN;
  t->p = t->p_adjusted = t->moe = NAN;
}

/* Welch's unequal-variance t test (Welch 1947) of mean1 - mean2; the
 * statistics stay NaN unless both sides have n >= 2 and se > 0. */
static void welch(cxm_slice_test *t, double n1, double m1, double s1, double n2, double m2, double s2) {
  t->diff = m1 - m2;
  if (!(n1 >= 2.0 && n2 >= 2.0)) return;
  double v1 = s1 * s1 / n1;
  double v2 = s2 * s2 / n2;
  double se = sqrt(v1 + v2);
  t->se = se;
  if (!(se > 0.0)) return;
  t->stat = t->diff / se;
  /* Welch-Satterthwaite: (v1 + v2)^2 / (v1^2 / (n1 - 1) + v2^2 / (n2 - 1)). */
  t->df = (v1 + v2) * (v1 + v2) / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0));
  t->p = 2.0 * cxmi_t_cdf(-fabs(t->stat), t->df);
  if (t->p > 1.0) t->p = 1.0;
}

static void from_comparison(cxm_slice_test *t, const cxm_comparison *c) {
  /* cxm_*_compare(rest, slice): diff = slice - rest. */
  t->score = c->second;
  t->score_rest = c->first;
  t->diff = c->diff;
  t->se = c->se;
  if (c->se > 0.0) {
    t->stat = c->z;
    t->p = c->p;
    t->df = INFINITY;
  }
}

/* Adjust, mark and flag the k tests in `t`, then copy them to `out`. */
static int32_t finish(cxm_slice_test *out, cxm_slice_test *t, size_t k, const cxm_slice_options *o, cxmi_alloc *a) {
  double *p = k ? cxmi_calloc(a, k, sizeof *p) : NULL;
  if (k && p == NULL) return CXM_E_NOMEM;
  for (size_t i = 0; i < k; i++) p[i] = t[i].p;
  int32_t rc = cxm_p_adjust(p, p, k, o->adjust, &a->hooks);
  if (rc == CXM_OK) {
    for (size_t i = 0; i < k; i++) {
      t[i].p_adjusted = p[i];
      t[i].low_base = 0;
      if (t[i].n < o->min_n) t[i].low_base |= CXM_LOW_BASE_N;
      if (isfinite(o->max_moe) && !(t[i].moe <= o->max_moe)) t[i].low_base |= CXM_LOW_BASE_MOE;
      /* A low base is never called different, nor is a slice whose rest is
       * below min_n: a Wald standard error of a few answers can be 0 (all
       * detractors) and the z then means nothing. Its p stays in the
       * family, which only makes the adjustment of the others more
       * conservative. */
      t[i].significant = 0;
      if (p[i] < o->alpha && t[i].low_base == 0 && t[i].n_rest >= o->min_n)
        t[i].significant = t[i].diff > 0.0 ? 1 : t[i].diff < 0.0 ? -1 : 0;
    }
    if (k) memcpy(out, t, k * sizeof *t);
  }
  cxmi_free(a, p, k * sizeof *p);
  return rc;
}

static int32_t check_out(const cxm_slice_test *out, size_t cap, size_t k) {
  if (k == 0) return CXM_OK;
  if (out == NULL) return CXM_E_ARG;
  if (cap < k) return CXM_E_BUFFER;
  if (out[0].size != sizeof *out) return CXM_E_SIZE;
  return CXM_OK;
}

/* cxm_slice_tests_survey() with scratch from `fallback` unless the options
 * name an allocator. */
static int32_t tests_survey(cxm_slice_test *out, size_t cap, const cxm_survey_acc *accs, size_t k, int32_t metric,
                            const cxm_slice_options *opts, const cxm_allocator *fallback) {
  if (k > 0 && accs == NULL) return CXM_E_ARG;
  int32_t rc = check_out(out, cap, k);
  if (rc != CXM_OK) return rc;
  cxm_slice_options o;
  rc = check_options(&o, opts);
  if (rc != CXM_OK) return rc;
  if (metric != CXM_SLICE_NPS && metric != CXM_SLICE_CSAT && metric != CXM_SLICE_CES) return CXM_E_OPTION;
  if (k == 0) return CXM_OK;
  /* The dimension's total, count by count; a sum past 2^64 - 1 is refused
   * since the rest would then not be representable. */
  cxm_survey_acc total;
  cxm_survey_acc_init(&total);
  for (size_t i = 0; i < k; i++) {
    const uint64_t *src = (const uint64_t *)&accs[i];
    uint64_t *dst = (uint64_t *)&total;
    for (size_t c = 0; c < sizeof total / sizeof(uint64_t); c++) {
      if (dst[c] > UINT64_MAX - src[c]) return CXM_E_OVERFLOW;
      dst[c] += src[c];
    }
  }
  cxmi_alloc a;
  rc = cxmi_alloc_init(&a, o.allocator != NULL ? o.allocator : fallback);
  if (rc != CXM_OK) return rc;
  cxm_slice_test *t = cxmi_calloc(&a, k, sizeof *t);
  if (t == NULL) return CXM_E_NOMEM;
  for (size_t i = 0; i < k; i++) {
    test_blank(&t[i]);
    cxm_survey_acc rest = total;
    const uint64_t *src = (const uint64_t *)&accs[i];
    uint64_t *dst = (uint64_t *)&rest;
    for (size_t c = 0; c < sizeof rest / sizeof(uint64_t); c++) dst[c] -= src[c];
    cxm_comparison c;
    if (metric == CXM_SLICE_NPS) {
      cxm_nps_result s, r;
      cxm_nps_compute(&s, &accs[i].nps);
      cxm_nps_compute(&r, &rest.nps);
      cxm_nps_compare(&c, &rest.nps, &accs[i].nps);
      from_comparison(&t[i], &c);
      t[i].n = s.n;
      t[i].n_rest = r.n;
      t[i].score = s.score;
      t[i].score_rest = r.score;
      t[i].moe = CXMI_Z95 * s.se;
    } else if (metric == CXM_SLICE_CSAT) {
      cxm_csat_result s, r;
      cxm_csat_compute(&s, &accs[i].csat);
      cxm_csat_compute(&r, &rest.csat);
      cxm_csat_compare(&c, &rest.csat, &accs[i].csat);
      from_comparison(&t[i], &c);
      t[i].n = s.n;
      t[i].n_rest = r.n;
      t[i].score = s.score;
      t[i].score_rest = r.score;
      /* The slice's own Wald standard error, as in cxm_csat_compare(). */
      if (s.n > 0) t[i].moe = CXMI_Z95 * sqrt(s.score * (100.0 - s.score) / (double)s.n);
    } else {
      cxm_ces_result s, r;
      cxm_ces_compute(&s, &accs[i].ces);
      cxm_ces_compute(&r, &rest.ces);
      t[i].n = s.n;
      t[i].n_rest = r.n;
      t[i].score = s.mean;
      t[i].score_rest = r.mean;
      welch(&t[i], (double)s.n, s.mean, s.sd, (double)r.n, r.mean, r.sd);
      if (s.n >= 2) t[i].moe = CXMI_Z95 * s.sd / sqrt((double)s.n);
    }
  }
  rc = finish(out, t, k, &o, &a);
  cxmi_free(&a, t, k * sizeof *t);
  return rc;
}

int32_t cxm_slice_tests_survey(cxm_slice_test *out, size_t cap, const cxm_survey_acc *accs, size_t k, int32_t metric,
                               const cxm_slice_options *opts) {
  return tests_survey(out, cap, accs, k, metric, opts, NULL);
}

int32_t cxm_slice_tests_groups(cxm_slice_test *out, size_t cap, const cxm_groups *groups, int32_t metric,
                               const cxm_slice_options *opts) {
  if (groups == NULL) return CXM_E_ARG;
  size_t k = cxm_groups_count(groups);
  int32_t rc = check_out(out, cap, k);
  if (rc != CXM_OK || k == 0) return rc;
  /* The options are checked before anything is allocated, so a bad option
   * is CXM_E_OPTION or CXM_E_SIZE whatever the allocator does. */
  cxm_slice_options o;
  rc = check_options(&o, opts);
  if (rc != CXM_OK) return rc;
  if (metric != CXM_SLICE_NPS && metric != CXM_SLICE_CSAT && metric != CXM_SLICE_CES) return CXM_E_OPTION;
  const cxm_allocator *hooks = o.allocator != NULL ? o.allocator : cxmi_groups_hooks(groups);
  cxmi_alloc a;
  rc = cxmi_alloc_init(&a, hooks);
  if (rc != CXM_OK) return rc;
  cxm_survey_acc *accs = cxmi_calloc(&a, k, sizeof *accs);
  if (accs == NULL) return CXM_E_NOMEM;
  for (size_t i = 0; i < k && rc == CXM_OK; i++) rc = cxm_groups_survey(&accs[i], groups, i);
  if (rc == CXM_OK) rc = tests_survey(out, cap, accs, k, metric, &o, hooks);
  cxmi_free(&a, accs, k * sizeof *accs);
  return rc;
}

int32_t cxm_slice_tests_means(cxm_slice_test *out, size_t cap, const uint64_t *n, const double *mean, const double *sd,
                              size_t k, const cxm_slice_options *opts) {
  if (k > 0 && (n == NULL || mean == NULL || sd == NULL)) return CXM_E_ARG;
  int32_t rc = check_out(out, cap, k);
  if (rc != CXM_OK) return rc;
  cxm_slice_options o;
  rc = check_options(&o, opts);
  if (rc != CXM_OK) return rc;
  if (k == 0) return CXM_OK;
  uint64_t total = 0;
  double sum = 0.0;
  for (size_t i = 0; i < k; i++) {
    if (total > UINT64_MAX - n[i]) return CXM_E_OVERFLOW;
    total += n[i];
    if (n[i] > 0 && !isfinite(mean[i])) return CXM_E_VALUE;
    if (n[i] >= 2 && !(isfinite(sd[i]) && sd[i] >= 0.0)) return CXM_E_VALUE;
    if (n[i] > 0) sum += (double)n[i] * mean[i];
  }
  /* The rest's moments from the slices' sums and sums of squares, taken
   * about the grand mean G so that large means do not cancel the spread:
   * with a_j = mean_j - G, sum_r = sum_{j != i} n_j a_j and
   * ss_r = sum_{j != i} ((n_j - 1) sd_j^2 + n_j a_j^2). */
  double grand = total > 0 ? sum / (double)total : 0.0;
  double s1 = 0.0;
  double s2 = 0.0;
  for (size_t i = 0; i < k; i++) {
    if (n[i] == 0) continue;
    double d = mean[i] - grand;
    s1 += (double)n[i] * d;
    s2 += (double)n[i] * d * d + (n[i] >= 2 ? ((double)n[i] - 1.0) * sd[i] * sd[i] : 0.0);
  }
  if (!isfinite(s2)) return CXM_E_VALUE;
  cxmi_alloc a;
  rc = cxmi_alloc_init(&a, o.allocator);
  if (rc != CXM_OK) return rc;
  cxm_slice_test *t = cxmi_calloc(&a, k, sizeof *t);
  if (t == NULL) return CXM_E_NOMEM;
  for (size_t i = 0; i < k; i++) {
    test_blank(&t[i]);
    double ni = (double)n[i];
    double nr = (double)(total - n[i]);
    t[i].n = n[i];
    t[i].n_rest = total - n[i];
    double di = n[i] > 0 ? mean[i] - grand : 0.0;
    double vi = n[i] >= 2 ? sd[i] * sd[i] : 0.0;
    if (n[i] > 0) t[i].score = mean[i];
    double mr = NAN, sr = NAN;
    if (nr > 0.0) {
      double ar = (s1 - ni * di) / nr;
      mr = grand + ar;
      t[i].score_rest = mr;
      if (nr >= 2.0) {
        double ss = s2 - (ni >= 2.0 ? (ni - 1.0) * vi : 0.0) - ni * di * di - nr * ar * ar;
        sr = sqrt(fmax(ss, 0.0) / (nr - 1.0));
      }
    }
    if (n[i] > 0 && nr > 0.0) t[i].diff = mean[i] - mr;
    if (n[i] > 0 && nr > 0.0) welch(&t[i], ni, mean[i], sd[i], nr, mr, sr);
    if (n[i] >= 2) t[i].moe = CXMI_Z95 * sd[i] / sqrt(ni);
  }
  rc = finish(out, t, k, &o, &a);
  cxmi_free(&a, t, k * sizeof *t);
  return rc;
}

/* ---- Rocks's iterative score interval ----------------------------------
 * Rocks, B. (2016) "Interval estimation for the 'Net Promoter Score'", The
 * American Statistician 70(4): 365-372. The answers are trinomial
 * (promoters P, passives O, detractors D; n = P + O + D) and NPS = p+ - p-.
 * The score test of NPS = d uses the variance at the maximum likelihood
 * shares constrained to p+ - p- = d; the interval is the set of d it does
 * not reject, found by bisection. The constrained maximum has a closed
 * form (the construction of Tango 1998 for paired proportions): for d >= 0
 * the detractor share q solves 2n q^2 - B q - D d (1 - d) = 0 with
 * B = P (1 - d) + D (1 - 3d) - 2 O d, positive root; d < 0 by symmetry
 * (swap promoters and detractors). */
static double constrained_var(double P, double O, double D, double d) {
  double lo_count = D, hi_count = P, e = d;
  if (d < 0.0) {
    lo_count = P;
    hi_count = D;
    e = -d;
  }
  double n = P + O + D;
  double B = hi_count * (1.0 - e) + lo_count * (1.0 - 3.0 * e) - 2.0 * O * e;
  double q = (B + sqrt(B * B + 8.0 * n * lo_count * e * (1.0 - e))) / (4.0 * n);
  q = fmin(fmax(q, 0.0), (1.0 - e) / 2.0);
  double v = (q + e) + q - e * e;
  return v > 0.0 ? v : 0.0;
}

int32_t cxm_nps_score_interval(double *low, double *high, const cxm_nps_acc *acc, double z) {
  if (low == NULL || high == NULL || acc == NULL) return CXM_E_ARG;
  if (!(z > 0.0 && isfinite(z))) return CXM_E_OPTION;
  cxm_nps_result r;
  cxm_nps_compute(&r, acc);
  *low = *high = NAN;
  if (r.n == 0) return CXM_OK;
  double P = (double)r.promoters, O = (double)r.passives, D = (double)r.detractors;
  double n = P + O + D;
  double dh = (P - D) / n;
  double bound[2];
  for (int side = 0; side < 2; side++) {
    /* f(d) = |dh - d| - z sqrt(V(d) / n): negative at dh (not rejected),
     * positive at the end of the range (V = 0 there) unless dh is the end. */
    double a = dh;
    double b = side == 0 ? -1.0 : 1.0;
    if (a == b) {
      bound[side] = b;
      continue;
    }
    for (int it = 0; it < 200; it++) {
      double m = 0.5 * (a + b);
      if (m == a || m == b) break;
      double f = fabs(dh - m) - z * sqrt(constrained_var(P, O, D, m) / n);
      if (f > 0.0)
        b = m;
      else
        a = m;
    }
    bound[side] = 0.5 * (a + b);
  }
  *low = 100.0 * bound[0];
  *high = 100.0 * bound[1];
  return CXM_OK;
}

/* ---- Sample-size planner ---------------------------------------------- */
void cxm_plan_options_init(cxm_plan_options *opts) {
  if (opts == NULL) return;
  memset(opts, 0, sizeof *opts);
  opts->size = sizeof *opts;
  opts->metric = CXM_SLICE_NPS;
  opts->margin = 5.0;
  opts->population = 0.0;
  opts->p_promoter = 0.5;
  opts->p_detractor = 0.5;
  opts->sd = 3.0;
  opts->z = CXMI_Z95;
}

int32_t cxm_plan_sample_size(uint64_t *n, double *n_infinite, const cxm_plan_options *o) {
  if (n == NULL || o == NULL) return CXM_E_ARG;
  if (o->size != sizeof *o) return CXM_E_SIZE;
  if (!(o->margin > 0.0 && isfinite(o->margin)) || !(o->z > 0.0 && isfinite(o->z))) return CXM_E_OPTION;
  if (!(o->population >= 0.0 && o->population <= 9007199254740992.0) || o->population != floor(o->population))
    return CXM_E_OPTION;
  double v;
  if (o->metric == CXM_SLICE_NPS) {
    double p = o->p_promoter, q = o->p_detractor;
    if (!(p >= 0.0 && q >= 0.0 && p <= 1.0 && q <= 1.0 && p + q <= 1.0 + 1e-12)) return CXM_E_OPTION;
    v = 1e4 * (p + q - (p - q) * (p - q));
  } else if (o->metric == CXM_SLICE_CSAT) {
    double p = o->p_promoter;
    if (!(p >= 0.0 && p <= 1.0)) return CXM_E_OPTION;
    v = 1e4 * p * (1.0 - p);
  } else if (o->metric == CXM_SLICE_CES) {
    if (!(o->sd >= 0.0 && isfinite(o->sd))) return CXM_E_OPTION;
    v = o->sd * o->sd;
  } else {
    return CXM_E_OPTION;
  }
  double n0 = o->z * o->z * v / (o->margin * o->margin);
  double need = n0;
  /* Finite population: Var = (V / n) (N - n) / (N - 1), so n = n0 N / (N - 1 + n0). */
  if (o->population > 0.0) need = n0 / (1.0 + (n0 - 1.0) / o->population);
  /* Round up, but not a value that is an integer up to rounding error. */
  double up = ceil(need - 1e-9 * fmax(1.0, need));
  if (up < 1.0 && v > 0.0) up = 1.0;
  if (up < 0.0) up = 0.0;
  if (o->population > 0.0 && up > o->population) up = o->population;
  if (!(up <= 9007199254740992.0)) return CXM_E_OPTION;
  *n = (uint64_t)up;
  if (n_infinite != NULL) *n_infinite = n0;
  return CXM_OK;
}
