/* Exact quantiles by selection (src/math/quantile.h; docs/metrics.md, "Service
 * levels").
 *
 * Selection is introselect (Musser, "Introspective Sorting and Selection
 * Algorithms", 1997): quickselect with a median-of-3 pivot while the part
 * under consideration keeps halving at least every two rounds, then
 * median-of-medians pivots (Blum, Floyd, Pratt, Rivest & Tarjan, "Time
 * bounds for selection", 1973), which guarantee that each round removes at
 * least about 3/10 of the elements. Partitioning is three-way (Dijkstra's
 * Dutch national flag), so arrays with many equal durations (all zero, all
 * one answer) finish in one round instead of degrading.
 *
 * The same code serves int64_t and double through a macro that stamps out
 * one copy per element type. */
#include "math/quantile.h"

#include <math.h>

/* Parts this small are finished by insertion sort. */
#define SMALL 16

#define DEFINE_SELECT(T, SUF)                                                                             \
  static void isort_##SUF(T *x, size_t n) {                                                               \
    for (size_t i = 1; i < n; i++) {                                                                      \
      T v = x[i];                                                                                         \
      size_t j = i;                                                                                       \
      while (j > 0 && x[j - 1] > v) {                                                                     \
        x[j] = x[j - 1];                                                                                  \
        j--;                                                                                              \
      }                                                                                                   \
      x[j] = v;                                                                                           \
    }                                                                                                     \
  }                                                                                                       \
                                                                                                          \
  /* Reorder x[0..n) into [0, *lt) < p, [*lt, *gt) == p, [*gt, n) > p. */                                 \
  static void partition_##SUF(T *x, size_t n, T p, size_t *lt, size_t *gt) {                              \
    size_t a = 0, i = 0, b = n;                                                                           \
    while (i < b) {                                                                                       \
      T v = x[i];                                                                                         \
      if (v < p) {                                                                                        \
        x[i++] = x[a];                                                                                    \
        x[a++] = v;                                                                                       \
      } else if (v > p) {                                                                                 \
        x[i] = x[--b];                                                                                    \
        x[b] = v;                                                                                         \
      } else {                                                                                            \
        i++;                                                                                              \
      }                                                                                                   \
    }                                                                                                     \
    *lt = a;                                                                                              \
    *gt = b;                                                                                              \
  }                                                                                                       \
                                                                                                          \
  static T median3_##SUF(T a, T b, T c) {                                                                 \
    if (a > b) {                                                                                          \
      T t = a;                                                                                            \
      a = b;                                                                                              \
      b = t;                                                                                              \
    }                                                                                                     \
    /* a <= b */                                                                                          \
    if (c <= a) return a;                                                                                 \
    return c < b ? c : b;                                                                                 \
  }                                                                                                       \
                                                                                                          \
  static T select_core_##SUF(T *x, size_t n, size_t k, int mom);                                          \
                                                                                                          \
  /* Median of the medians of groups of 5 (n >= 5), moving those medians to                             \
   * the front of x. */ \
  static T mom_pivot_##SUF(T *x, size_t n) {                                                              \
    size_t groups = n / 5;                                                                                \
    for (size_t g = 0; g < groups; g++) {                                                                 \
      T *p = x + 5 * g, t;                                                                                \
      isort_##SUF(p, 5);                                                                                  \
      t = x[g];                                                                                           \
      x[g] = p[2];                                                                                        \
      p[2] = t;                                                                                           \
    }                                                                                                     \
    return select_core_##SUF(x, groups, groups / 2, 1);                                                   \
  }                                                                                                       \
                                                                                                          \
  static T select_core_##SUF(T *x, size_t n, size_t k, int mom) {                                         \
    size_t round = 0, mark = n;                                                                           \
    while (n > SMALL) {                                                                                   \
      size_t lt, gt;                                                                                      \
      T p;                                                                                                \
      /* Every two rounds the part must have halved, else fall back. */                                   \
      if (!mom && ++round % 2 == 1) {                                                                     \
        if (round > 1 && n > mark / 2) mom = 1;                                                           \
        mark = n;                                                                                         \
      }                                                                                                   \
      p = mom ? mom_pivot_##SUF(x, n) : median3_##SUF(x[0], x[n / 2], x[n - 1]);                          \
      partition_##SUF(x, n, p, &lt, &gt);                                                                 \
      if (k < lt) {                                                                                       \
        n = lt;                                                                                           \
      } else if (k >= gt) {                                                                               \
        x += gt;                                                                                          \
        k -= gt;                                                                                          \
        n -= gt;                                                                                          \
      } else {                                                                                            \
        return p;                                                                                         \
      }                                                                                                   \
    }                                                                                                     \
    isort_##SUF(x, n);                                                                                    \
    return x[k];                                                                                          \
  }

DEFINE_SELECT(int64_t, i64)
DEFINE_SELECT(double, f64)

int64_t cxmi_select_i64(int64_t *x, size_t n, size_t k) { return select_core_i64(x, n, k, 0); }
double cxmi_select_f64(double *x, size_t n, size_t k) { return select_core_f64(x, n, k, 0); }
int64_t cxmi_select_mom_i64(int64_t *x, size_t n, size_t k) { return select_core_i64(x, n, k, 1); }
double cxmi_select_mom_f64(double *x, size_t n, size_t k) { return select_core_f64(x, n, k, 1); }

/* numpy's _lerp: a + d g, or b - d (1 - g) when g >= 0.5 (d = b - a). */
static double lerp(double a, double b, double d, double g) { return g >= 0.5 ? b - d * (1.0 - g) : a + d * g; }

/* The ranks numpy interpolates between, and the weight. */
static void ranks(size_t *lo, size_t *hi, double *g, size_t n, double q) {
  double h = (double)(n - 1) * q;
  if (h >= (double)(n - 1)) {
    /* numpy takes the last element twice (index -1), weight h + 1. */
    *lo = *hi = n - 1;
    *g = h + 1.0;
  } else {
    double f = floor(h);
    *lo = (size_t)f;
    *hi = *lo + 1;
    *g = h - f;
  }
}

static int bad_q(double q) { return !(q >= 0.0 && q <= 1.0); }

static int has_nan(const double *x, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i])) return 1;
  }
  return 0;
}

/* The next query to answer after (last_q, last_i): the smallest (q, i) above
 * it in lexicographic order among the valid ones; k when none is left. */
static size_t next_query(const double *qs, size_t k, double last_q, size_t last_i, int first) {
  size_t best = k;
  for (size_t i = 0; i < k; i++) {
    if (bad_q(qs[i])) continue;
    if (!first && (qs[i] < last_q || (qs[i] == last_q && i <= last_i))) continue;
    if (best == k || qs[i] < qs[best]) best = i;
  }
  return best;
}

/* One quantile with x[0..from) already known to be <= x[from..n); leaves
 * x[0..*lo_rank) <= x[*lo_rank..n) with x[*lo_rank] in place. */
#define DEFINE_QUANTILE(T, SUF, DIFF)                                          \
  static double quantile_from_##SUF(T *x, size_t n, double q, size_t *from) {  \
    size_t lo, hi;                                                             \
    double g;                                                                  \
    T a, b;                                                                    \
    ranks(&lo, &hi, &g, n, q);                                                 \
    a = select_core_##SUF(x + *from, n - *from, lo - *from, 0);                \
    *from = lo;                                                                \
    b = a;                                                                     \
    if (hi != lo) {                                                            \
      /* The next rank is the smallest element above lo: move it to lo + 1. */ \
      size_t m = lo + 1;                                                       \
      for (size_t i = lo + 2; i < n; i++) {                                    \
        if (x[i] < x[m]) m = i;                                                \
      }                                                                        \
      b = x[m];                                                                \
      x[m] = x[lo + 1];                                                        \
      x[lo + 1] = b;                                                           \
    }                                                                          \
    return lerp((double)a, (double)b, DIFF, g);                                \
  }

/* int64: the difference exactly, as unsigned (b >= a), then rounded once. */
DEFINE_QUANTILE(int64_t, i64, (double)((uint64_t)b - (uint64_t)a))
DEFINE_QUANTILE(double, f64, b - a)

double cxmi_quantile_i64(int64_t *x, size_t n, double q) {
  size_t from = 0;
  if (x == NULL || n == 0 || bad_q(q)) return NAN;
  return quantile_from_i64(x, n, q, &from);
}

double cxmi_quantile_f64(double *x, size_t n, double q) {
  size_t from = 0;
  if (x == NULL || n == 0 || bad_q(q) || has_nan(x, n)) return NAN;
  return quantile_from_f64(x, n, q, &from);
}

void cxmi_quantiles_i64(double *out, int64_t *x, size_t n, const double *qs, size_t k) {
  size_t from = 0, i;
  if (out == NULL || qs == NULL) return;
  for (i = 0; i < k; i++) out[i] = NAN;
  if (x == NULL || n == 0) return;
  for (i = next_query(qs, k, 0, 0, 1); i < k; i = next_query(qs, k, qs[i], i, 0))
    out[i] = quantile_from_i64(x, n, qs[i], &from);
}

void cxmi_quantiles_f64(double *out, double *x, size_t n, const double *qs, size_t k) {
  size_t from = 0, i;
  if (out == NULL || qs == NULL) return;
  for (i = 0; i < k; i++) out[i] = NAN;
  if (x == NULL || n == 0 || has_nan(x, n)) return;
  for (i = next_query(qs, k, 0, 0, 1); i < k; i = next_query(qs, k, qs[i], i, 0))
    out[i] = quantile_from_f64(x, n, qs[i], &from);
}
