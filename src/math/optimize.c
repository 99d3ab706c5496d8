/* L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed. 2006,
 * Algorithm 7.4 two-loop recursion and 7.5, memory 8, initial scaling
 * gamma = s'y / y'y, eq. 7.20) with a line search for the weak Wolfe
 * conditions by bracketing and bisection (Lewis & Overton 2013,
 * "Nonsmooth optimization via quasi-Newton methods", section 4.2),
 * c1 = 1e-4, c2 = 0.9. A pair (s, y) with s'y <= 1e-12 |s||y| is skipped,
 * which keeps the implicit Hessian positive definite. */
#include "math/optimize.h"

#include <math.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#define MEM 8
#define C1 1e-4
#define C2 0.9
#define MAX_TRIALS 60

static double dot(const double *a, const double *b, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) {
    s += a[i] * b[i];
  }
  return s;
}

static double inf_norm(const double *a, size_t n) {
  double m = 0.0;
  for (size_t i = 0; i < n; i++) {
    double v = fabs(a[i]);
    if (!(v <= m)) {
      m = v; /* NaN propagates */
    }
  }
  return m;
}

/* Seconds on a clock that does not jump (CLOCK_MONOTONIC where POSIX has
 * it, else C11's timespec_get). */
static double now_seconds(void) {
  struct timespec ts;
#if defined(CLOCK_MONOTONIC)
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    return 0.0;
  }
#else
  if (timespec_get(&ts, TIME_UTC) != TIME_UTC) {
    return 0.0;
  }
#endif
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Everything an iteration reads, so that one leaving it unchanged is seen
 * (see stuck() below). */
typedef struct opt_state {
  double theta[CXMI_OPT_MAX_N], g[CXMI_OPT_MAX_N], f;
  double s[MEM][CXMI_OPT_MAX_N], y[MEM][CXMI_OPT_MAX_N], rho[MEM];
  int stored, head;
} opt_state;

static void state_save(opt_state *st, const double *theta, size_t n, const double *g, double f,
                       double (*s)[CXMI_OPT_MAX_N], double (*y)[CXMI_OPT_MAX_N], const double *rho, int stored,
                       int head) {
  memset(st, 0, sizeof *st);
  memcpy(st->theta, theta, n * sizeof *theta);
  memcpy(st->g, g, sizeof st->g);
  st->f = f;
  memcpy(st->s, s, sizeof st->s);
  memcpy(st->y, y, sizeof st->y);
  memcpy(st->rho, rho, sizeof st->rho);
  st->stored = stored;
  st->head = head;
}

/* Whether an iteration left the state bit for bit as it found it. An
 * iteration is a function of the state alone (the clock aside), so every
 * later one would do the same again: the line search only finds steps too
 * small to move theta (a fit running off to a boundary on a plateau, where
 * f and its gradient stop changing in the last bit). */
static int stuck(const opt_state *a, const opt_state *b) {
  return a->stored == b->stored && a->head == b->head && memcmp(a, b, offsetof(opt_state, stored)) == 0;
}

/* The points one line search has evaluated, with their values and
 * gradients. */
typedef struct trial_points {
  double x[MAX_TRIALS][CXMI_OPT_MAX_N], g[MAX_TRIALS][CXMI_OPT_MAX_N], f[MAX_TRIALS];
} trial_points;

/* fn at xn (value returned, gradient into gn), unless xn is bit for bit
 * theta or a point this line search has evaluated already: then the value
 * and gradient of that evaluation. fn is a function of its point alone, so
 * this changes no result; it saves the evaluations of a line search whose
 * bisection has shrunk the step below what moves theta in its last bit (a
 * fit on a plateau, where most trials land on a point already tried). */
static double line_point(double *gn, const double *xn, size_t n, const double *theta, double f, const double *g,
                         trial_points *tp, int *seen, cxmi_objective fn, void *ctx, cxmi_opt_result *res) {
  double fx;
  if (memcmp(xn, theta, n * sizeof *xn) == 0) {
    memcpy(gn, g, n * sizeof *gn);
    return f;
  }
  for (int k = *seen - 1; k >= 0; k--) {
    if (memcmp(xn, tp->x[k], n * sizeof *xn) == 0) {
      memcpy(gn, tp->g[k], n * sizeof *gn);
      return tp->f[k];
    }
  }
  fx = fn(ctx, xn, gn);
  res->evaluations++;
  if (*seen < MAX_TRIALS) {
    memcpy(tp->x[*seen], xn, n * sizeof *xn);
    memcpy(tp->g[*seen], gn, n * sizeof *gn);
    tp->f[*seen] = fx;
    (*seen)++;
  }
  return fx;
}

void cxmi_minimize(cxmi_opt_result *res, double *theta, size_t n, cxmi_objective fn, void *ctx, int32_t max_iter,
                   double gtol, double max_seconds) {
  double g[CXMI_OPT_MAX_N], d[CXMI_OPT_MAX_N], xn[CXMI_OPT_MAX_N], gn[CXMI_OPT_MAX_N];
  double xlo[CXMI_OPT_MAX_N], glo[CXMI_OPT_MAX_N], flo = NAN; /* the point at lo, as evaluated */
  double s[MEM][CXMI_OPT_MAX_N], y[MEM][CXMI_OPT_MAX_N], rho[MEM], alpha[MEM];
  int stored = 0, head = 0, flat = 0;
  opt_state before, after;
  trial_points trials;
  memset(res, 0, sizeof *res);
  /* Zeroed so that the state compares bit for bit; unused entries are never read otherwise. */
  memset(g, 0, sizeof g);
  memset(s, 0, sizeof s);
  memset(y, 0, sizeof y);
  memset(rho, 0, sizeof rho);
  double deadline = max_seconds > 0.0 ? now_seconds() + max_seconds : INFINITY;
  double f = fn(ctx, theta, g);
  res->evaluations = 1;
  res->f = f;
  res->grad_norm = inf_norm(g, n);
  if (!isfinite(f) || !isfinite(res->grad_norm)) {
    return;
  }
  for (int32_t it = 0; it < max_iter; it++) {
    double gnorm = inf_norm(g, n);
    res->grad_norm = gnorm;
    res->iterations = it;
    if (gnorm <= gtol) {
      res->converged = 1;
      return;
    }
    if (now_seconds() > deadline) {
      res->out_of_time = 1;
      return;
    }
    int32_t evaluations = res->evaluations;
    state_save(&before, theta, n, g, f, s, y, rho, stored, head);
    /* Two-loop recursion: d = -H g. */
    for (size_t i = 0; i < n; i++) {
      d[i] = -g[i];
    }
    for (int k = 0; k < stored; k++) {
      int j = (head - 1 - k + MEM) % MEM;
      alpha[j] = rho[j] * dot(s[j], d, n);
      for (size_t i = 0; i < n; i++) {
        d[i] -= alpha[j] * y[j][i];
      }
    }
    if (stored > 0) {
      int j = (head - 1 + MEM) % MEM;
      double gamma = dot(s[j], y[j], n) / dot(y[j], y[j], n);
      for (size_t i = 0; i < n; i++) {
        d[i] *= gamma;
      }
    } else {
      /* First step: at most 1 in any log-parameter. */
      double scale = 1.0 / fmax(1.0, gnorm);
      for (size_t i = 0; i < n; i++) {
        d[i] *= scale;
      }
    }
    for (int k = stored - 1; k >= 0; k--) {
      int j = (head - 1 - k + MEM) % MEM;
      double beta = rho[j] * dot(y[j], d, n);
      for (size_t i = 0; i < n; i++) {
        d[i] += s[j][i] * (alpha[j] - beta);
      }
    }
    double slope = dot(g, d, n);
    if (!(slope < 0.0)) {
      /* Not a descent direction (rounding): restart from steepest descent. */
      stored = 0;
      double scale = 1.0 / fmax(1.0, gnorm);
      for (size_t i = 0; i < n; i++) {
        d[i] = -g[i] * scale;
      }
      slope = dot(g, d, n);
    }
    /* Weak Wolfe line search by bracketing. */
    double lo = 0.0, hi = INFINITY, t = 1.0, fnew = NAN;
    int ok = 0, seen = 0;
    for (int trial = 0; trial < MAX_TRIALS; trial++) {
      if (trial > 0 && now_seconds() > deadline) {
        res->out_of_time = 1;
        return; /* theta and f are still the last accepted point */
      }
      for (size_t i = 0; i < n; i++) {
        xn[i] = theta[i] + t * d[i];
      }
      fnew = line_point(gn, xn, n, theta, f, g, &trials, &seen, fn, ctx, res);
      if (!isfinite(fnew) || !isfinite(inf_norm(gn, n)) || fnew > f + C1 * t * slope) {
        hi = t;
      } else if (dot(gn, d, n) < C2 * slope) {
        lo = t;
        memcpy(xlo, xn, n * sizeof *xn);
        memcpy(glo, gn, n * sizeof *gn);
        flo = fnew;
      } else {
        ok = 1;
        break;
      }
      t = isinf(hi) ? 2.0 * lo : 0.5 * (lo + hi);
      if (hi - lo < 1e-16 * (1.0 + lo)) {
        break;
      }
    }
    if (!ok) {
      /* An Armijo point without the curvature condition is still progress:
       * the one at lo, whose value and gradient were kept when it was
       * evaluated (fn is a function of its point alone, so evaluating it
       * again would give the same bits). */
      if (lo > 0.0) {
        t = lo;
        memcpy(xn, xlo, n * sizeof *xn);
        memcpy(gn, glo, n * sizeof *gn);
        fnew = flo;
      }
      if (!(lo > 0.0) || !isfinite(fnew) || !(fnew <= f)) {
        res->converged = gnorm <= 1000.0 * gtol;
        return;
      }
    }
    /* Update the memory. */
    double sy = 0.0, ss = 0.0, yy = 0.0;
    for (size_t i = 0; i < n; i++) {
      s[head][i] = xn[i] - theta[i];
      y[head][i] = gn[i] - g[i];
    }
    sy = dot(s[head], y[head], n);
    ss = dot(s[head], s[head], n);
    yy = dot(y[head], y[head], n);
    if (sy > 1e-12 * sqrt(ss * yy)) {
      rho[head] = 1.0 / sy;
      head = (head + 1) % MEM;
      if (stored < MEM) {
        stored++;
      }
    }
    double change = fabs(f - fnew) / fmax(1.0, fabs(f));
    memcpy(theta, xn, n * sizeof *theta);
    memcpy(g, gn, n * sizeof *g);
    f = fnew;
    res->f = f;
    flat = change < 1e-15 ? flat + 1 : 0;
    if (flat >= 2 && inf_norm(g, n) <= 1000.0 * gtol) {
      res->iterations = it + 1;
      res->grad_norm = inf_norm(g, n);
      res->converged = 1;
      return;
    }
    state_save(&after, theta, n, g, f, s, y, rho, stored, head);
    if (stuck(&before, &after) && inf_norm(g, n) > 1000.0 * gtol) {
      /* The remaining iterations would each repeat this one exactly (the
       * flat test above cannot pass with this gradient): the result is
       * the one at max_iter, reached now rather than after max_iter - it - 1
       * more line searches of up to MAX_TRIALS evaluations each, and the
       * same whatever the clock says. The evaluations are counted as if
       * made (at most 62 per iteration: no overflow for max_iter <= 100 000). */
      res->evaluations += (res->evaluations - evaluations) * (max_iter - it - 1);
      break;
    }
  }
  res->iterations = max_iter;
  res->grad_norm = inf_norm(g, n);
  res->converged = res->grad_norm <= gtol;
}
