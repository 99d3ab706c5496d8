/* BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy
 * Way", Marketing Science 24(2), 275-284) and, by one switch, MBG/NBD
 * (Batislam, Denizel & Filiztekin 2007, "Empirical validation and
 * comparison of models for customer base analysis", IJRM 24, 201-209).
 *
 * Both: while alive, purchases are Poisson(lambda), lambda ~ Gamma(r,
 * alpha); after a purchase the customer drops out with probability p,
 * p ~ Beta(a, b). BG/NBD flips the coin after each *repeat* purchase;
 * MBG/NBD also right after the first purchase (time 0), so `m` below is 0
 * for BG/NBD and 1 for MBG/NBD, and a customer with x repeat purchases has
 * survived x + m coin flips:
 *
 *   L = B(a, b+x+m)/B(a,b) G(r+x) a^r / (G(r) (al+T)^(r+x))
 *     + [x > 0 or m] B(a+1, b+x+m-1)/B(a,b) G(r+x) al^r / (G(r) (al+t_x)^(r+x))
 *
 * (FHL 2005 eq. 6 for m = 0; Batislam et al. 2007 for m = 1), whose
 * second term over the first is c_x ((al+T)/(al+t_x))^(r+x) with
 * c_x = a / (b + x + m - 1). Logs throughout: the sum of the two terms is
 * a log-sum-exp, so x in the thousands neither overflows nor underflows. */
#include <float.h>
#include <math.h>

#include "math/hyp2f1.h"
#include "purchase/models.h"
#include "math/special.h"

#define R 0
#define ALPHA 1
#define A 2
#define B 3

double cxmi_logaddexp(double u, double v) {
  double hi = u > v ? u : v;
  double lo = u > v ? v : u;
  if (hi == -INFINITY) {
    return -INFINITY;
  }
  return hi + log1p(exp(lo - hi));
}

static int params_ok(const double *p) {
  return p[R] > 0.0 && p[ALPHA] > 0.0 && p[A] > 0.0 && p[B] > 0.0 && isfinite(p[R]) && isfinite(p[ALPHA]) &&
         isfinite(p[A]) && isfinite(p[B]);
}

/* ln of the second term over the first (the "death" term over the "alive"
 * term) for one customer, or -inf when there is no second term. */
static double log_odds_dead(const double *p, int m, uint32_t x, double tx, double T) {
  double dx = (double)x;
  if (x == 0 && m == 0) {
    return -INFINITY;
  }
  /* ln((al+T)/(al+t_x)) = log1p((T - t_x)/(al + t_x)), exact for T = t_x. */
  return log(p[A]) - log(p[B] + dx + (double)m - 1.0) + (p[R] + dx) * log1p((T - tx) / (p[ALPHA] + tx));
}

static double family_ll(const double *p, int m, const cxmi_triples *d, double *grad) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B];
  double dm = (double)m;
  if (!params_ok(p)) {
    return NAN;
  }
  double ps_r = 0.0, ps_ab = 0.0, ps_b = 0.0;
  if (grad != NULL) {
    ps_r = cxmi_digamma(r);
    ps_ab = cxmi_digamma(a + b);
    ps_b = cxmi_digamma(b);
  }
  double ln_al = log(al), ln_a = log(a);
  double sum = 0.0, gr = 0.0, gal = 0.0, ga = 0.0, gb = 0.0;
  /* Per distinct (t_x, T) pair when the data have them: ln(al+T),
   * ln((al+T)/(al+t_x)) and ln(al+t_x), the same expressions as below. */
  const double *pl_T = NULL, *pl_odds = NULL, *pl_tx = NULL;
  if (d->pair != NULL) {
    double *wk = d->work;
    for (size_t k = 0; k < d->npairs; k++) {
      wk[k] = log(al + d->pair_T[k]);
      wk[d->npairs + k] = log1p((d->pair_T[k] - d->pair_tx[k]) / (al + d->pair_tx[k]));
      if (grad != NULL) {
        wk[2 * d->npairs + k] = log(al + d->pair_tx[k]);
      }
    }
    pl_T = wk;
    pl_odds = wk + d->npairs;
    pl_tx = wk + 2 * d->npairs;
  }
  uint32_t cur = UINT32_MAX;
  double gx = 0.0, gx_r = 0.0, gx_a = 0.0, gx_b = 0.0, ln_c = 0.0, inv_bx = 0.0;
  int active = 0;
  for (size_t i = 0; i < d->n; i++) {
    uint32_t x = d->x[i];
    double dx = (double)x, w = d->w[i];
    if (x != cur || i == 0) {
      /* Terms of x alone: ln G(r+x) - ln G(r) + r ln al + ln B(a, b+x+m) - ln B(a, b). */
      cur = x;
      gx = cxmi_lgamma_ratio(r, dx) + r * ln_al + cxmi_lgamma_ratio(b, dx + dm) - cxmi_lgamma_ratio(a + b, dx + dm);
      if (grad != NULL) {
        double ps_abx = cxmi_digamma(a + b + dx + dm);
        gx_r = cxmi_digamma(r + dx) - ps_r + ln_al;
        gx_a = ps_ab - ps_abx;
        gx_b = cxmi_digamma(b + dx + dm) - ps_abx + ps_ab - ps_b;
      }
      active = x > 0 || m == 1;
      if (active) {
        inv_bx = 1.0 / (b + dx + dm - 1.0);
        ln_c = ln_a + log(inv_bx);
      }
    }
    double rx = r + dx;
    double aT = al + d->T[i];
    size_t pk = pl_T != NULL ? d->pair[i] : 0;
    double lT = pl_T != NULL ? pl_T[pk] : log(aT);
    /* h = ln(e^A1 + e^A2), A1 = -(r+x) ln(al+T), A2 = ln c_x - (r+x) ln(al+t_x). */
    double h = -rx * lT;
    double rho = 0.0; /* weight of the second term */
    if (active) {
      double z = ln_c + rx * (pl_odds != NULL ? pl_odds[pk] : log1p((d->T[i] - d->tx[i]) / (al + d->tx[i])));
      if (z > 0.0) {
        double e = exp(-z);
        h += z + log1p(e);
        rho = 1.0 / (1.0 + e);
      } else {
        double e = exp(z);
        h += log1p(e);
        rho = e / (1.0 + e);
      }
    }
    sum += w * (gx + h);
    if (grad != NULL) {
      double at = al + d->tx[i];
      double d_r = -(1.0 - rho) * lT, d_al = -(1.0 - rho) * rx / aT;
      if (active) {
        d_r -= rho * (pl_tx != NULL ? pl_tx[pk] : log(at));
        d_al -= rho * rx / at;
        ga += w * rho / a;
        gb -= w * rho * inv_bx;
      }
      gr += w * (gx_r + d_r);
      gal += w * (r / al + d_al);
      ga += w * gx_a;
      gb += w * gx_b;
    }
  }
  if (grad != NULL) {
    grad[R] = gr;
    grad[ALPHA] = gal;
    grad[A] = ga;
    grad[B] = gb;
  }
  return sum;
}

static double family_ll1(const double *p, int m, uint32_t x, double tx, double T) {
  double w = 1.0;
  cxmi_triples d = {1, &x, &tx, &T, &w, 1.0, NULL, 0, NULL, NULL, NULL};
  return family_ll(p, m, &d, NULL);
}

static double family_p_alive(const double *p, int m, uint32_t x, double tx, double T) {
  if (!params_ok(p)) {
    return NAN;
  }
  double z = log_odds_dead(p, m, x, tx, T);
  /* 1 / (1 + e^z), stable for either sign of z. */
  return z > 0.0 ? exp(-z) / (1.0 + exp(-z)) : 1.0 / (1.0 + exp(z));
}

/* E[Y(t) | alive at T, x] times the prior-to-posterior factor, i.e. the
 * expectation without P(alive), by the closed form
 *   (a+b+x+m-1)/(a-1) [1 - ((al+T)/(al+T+t))^(r+x) 2F1(r+x, b+x+m; a+b+x+m-1; t/(al+T+t))]
 * (FHL 2005 eq. 10 for m = 0; Batislam et al. 2007 for m = 1). The
 * bracket is 1 - e^l with l = ln of the second term; when it is small the
 * subtraction loses digits, so *rel_err receives the relative error it can
 * carry: a few ulps of |l| (and of the 2F1's own logarithm), amplified by
 * e^l / |bracket|. NaN when c = a+b+x+m-1 <= 0 (the caller then integrates). */
static double expected_alive(const double *p, int m, double t, uint32_t x, double T, double *rel_err) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B];
  double dx = (double)x, dm = (double)m;
  double fa = r + dx, fb = b + dx + dm, fc = a + b + dx + dm - 1.0;
  double z = t / (al + T + t);
  double omz = (al + T) / (al + T + t); /* 1 - z without cancellation */
  double lnpow = -(r + dx) * log1p(t / (al + T));
  int sign = 0;
  *rel_err = INFINITY;
  if (!(fc > 0.0)) {
    return NAN;
  }
  double lnf = cxmi_hyp2f1_log2(&sign, fa, fb, fc, z, omz);
  if (sign == 0 || isnan(lnf)) {
    return NAN;
  }
  double e = lnpow + lnf;
  /* 1 - sign e^e, without cancellation when e^e is close to 1. */
  double bracket = sign > 0 ? -expm1(e) : 1.0 + exp(e);
  *rel_err = 8.0 * DBL_EPSILON * (1.0 + fabs(lnpow) + fabs(lnf)) * exp(e) / fabs(bracket);
  return (fc / (a - 1.0)) * bracket;
}

/* The same expectation from its definition, for any a, b > 0: given x
 * repeat purchases and alive at T, lambda ~ Gamma(r+x, al+T) and the
 * dropout probability p ~ Beta(a, B), B = b+x+m; a customer alive with
 * (lambda, p) makes (1 - e^(-lambda p t))/p purchases in t on average
 * (geometric lifetime in purchases), so with A = r+x, u = t/(al+T)
 *
 *   E = E_p[g(p)],  g(p) = (1 - (1 + p u)^(-A)) / p,
 *
 * the integral that eq. 10's closed form evaluates (it is its
 * analytic continuation to a < 1, where the closed form subtracts nearly
 * equal numbers as b grows). g falls from g(0) = A u to g(1) = 1 - (1+u)^(-A),
 * so g(1) <= E <= A u. With n = max(A u, 1) and the comparison function
 * h(p) = A u (1-p)^n + g(1) p, whose mean is exact,
 *   E[h] = A u B(a, B+n)/B(a, B) + g(1) a/(a+B),
 *   ln[B(a, B+n)/B(a, B)] = D(B, a) - D(B+n, a), D(x, d) = ln G(x+d) - ln G(x)
 * (each D of moderate size, so no large logs cancel), E = E[h] + E[g - h].
 * g - h vanishes like p at 0 and like 1 - p at 1, and h follows g's knee
 * at p ~ 1/(A u), so E[g - h] has no large cancellation. It is taken over
 * the logit v = ln(p/(1-p)), where the weight is p^a (1-p)^B / B(a, B) dv
 * and the integrand's tails fall like e^((a+1)v) and e^(-(B+1)v), by
 * 20-point Gauss-Legendre on panels of width min(1, sigma),
 * sigma^2 = 1/(a+1) + 1/(B+1), from 40/(a+1) + 10 sigma below the smaller of
 * the peak ln((a+1)/(B+1)) and the knee -ln(1 + A u), to 40/(B+1) +
 * 10 sigma above the peak; at most 4 000 panels. The integrand is analytic
 * within pi of the real axis, so each panel is exact to rounding. NaN if
 * A u is not finite. */
static double expected_alive_quad(double ka, double a, double kb, double u) {
  /* For a >= 1 (used only with B < 1, see expected_alive_any) the left
   * tail falls like e^(a v) without help and the mean of (1-p)^n would be a
   * difference of two ln Gamma ratios of size a ln a: the comparison
   * function is then the constant g(1) alone. */
  int constant = a >= 1.0;
  double au = ka * u;
  if (!isfinite(au) || !(u > 0.0)) {
    return u == 0.0 ? 0.0 : NAN;
  }
  double g1 = -expm1(-ka * log1p(u));
  double n = constant ? 0.0 : (au > 1.0 ? au : 1.0);
  double small = a < kb ? a : kb, large = a < kb ? kb : a;
  double lnbeta = cxmi_lgamma(small) - cxmi_lgamma_delta(large, small);
  double mean_h = constant ? g1
                           : au * exp(cxmi_lgamma_delta(kb, a) - cxmi_lgamma_delta(kb + n, a)) + g1 * (a / (a + kb));
  double peak = log((a + 1.0) / (kb + 1.0));
  double sigma = sqrt(1.0 / (a + 1.0) + 1.0 / (kb + 1.0));
  double knee = -log1p(au);
  double lo = (knee < peak ? knee : peak) - 40.0 / (a + 1.0) - 10.0 * sigma;
  double hi = peak + 40.0 / (kb + 1.0) + 10.0 * sigma;
  double width = sigma < 1.0 ? sigma : 1.0;
  double panels = ceil((hi - lo) / width);
  if (!(panels <= 4000.0)) {
    return NAN; /* beyond the budget (no double input needs more than ~1 500) */
  }
  double half = 0.5 * (hi - lo) / panels;
  double sum = 0.0;
  for (double j = 0.0; j < panels; j += 1.0) {
    double mid = lo + (2.0 * j + 1.0) * half;
    double part = 0.0;
    for (int k = 0; k < 10; k++) {
      for (int side = -1; side <= 1; side += 2) {
        double v = mid + (double)side * half * cxmi_gl20[k][0];
        /* p = 1/(1+e^-v), ln p = -log1p(e^-v), ln(1-p) = -log1p(e^v) */
        double lnp = v < 0.0 ? v - log1p(exp(v)) : -log1p(exp(-v));
        double lnq = v > 0.0 ? -v - log1p(exp(-v)) : -log1p(exp(v));
        double pp = exp(lnp);
        double w = exp(a * lnp + kb * lnq - lnbeta);
        double g = -expm1(-ka * log1p(pp * u)) / pp;
        double d = constant ? g - g1 : g - (au * exp(n * lnq) + g1 * pp);
        part += cxmi_gl20[k][1] * d * w;
      }
    }
    sum += part * half;
  }
  double e = mean_h + sum;
  /* Rounding may push a result at a bound just past it. */
  if (e > au) {
    e = au;
  }
  if (e < g1) {
    e = g1;
  }
  return e;
}

/* The same integral for a >= 1, where the weight's left tail falls like
 * e^(a v) and E = int g w dv / int w dv needs no comparison function. When
 * a and B are both large (1e6 and 1e12 from a fit), a ln p + B ln(1-p) and
 * ln B(a, B) are each ~1e8 and cancel to O(1); so the nodes are offsets
 * d from the peak v0 of the weight, p = p0 e^d / (1 + p0 expm1(d)), and
 *   ln w(v0 + d) - ln w(v0) = a d - (a + B) log1p(p0 expm1(d)),
 * both terms of the size of the result; the constant ln w(v0) cancels in
 * the ratio. Panels of width min(1, sigma) from 40/a + 10 sigma below the
 * peak to 40/B + 10 sigma above; at most 4 000. */
static double expected_alive_ratio(double ka, double a, double kb, double u) {
  double au = ka * u;
  if (!isfinite(au) || !(u > 0.0)) {
    return u == 0.0 ? 0.0 : NAN;
  }
  double g1 = -expm1(-ka * log1p(u));
  double p0 = a / (a + kb); /* the weight p^a (1-p)^B dv peaks at p0, v0 = ln(a/B) */
  double sigma = sqrt(1.0 / a + 1.0 / kb);
  double lo = -40.0 / a - 10.0 * sigma, hi = 40.0 / kb + 10.0 * sigma;
  double width = sigma < 1.0 ? sigma : 1.0;
  double panels = ceil((hi - lo) / width);
  if (!(panels <= 4000.0)) {
    return NAN; /* beyond the budget (no double input needs more than ~1 500) */
  }
  double half = 0.5 * (hi - lo) / panels;
  double num = 0.0, den = 0.0;
  for (double j = 0.0; j < panels; j += 1.0) {
    double mid = lo + (2.0 * j + 1.0) * half;
    for (int k = 0; k < 10; k++) {
      for (int side = -1; side <= 1; side += 2) {
        double d = mid + (double)side * half * cxmi_gl20[k][0];
        double em = expm1(d);
        double pp = p0 * exp(d) / (1.0 + p0 * em);
        double w = cxmi_gl20[k][1] * exp(a * d - (a + kb) * log1p(p0 * em));
        double g = -expm1(-ka * log1p(pp * u)) / pp;
        num += w * g;
        den += w;
      }
    }
  }
  double e = num / den;
  if (!isfinite(e)) {
    return NAN;
  }
  if (e > au) {
    e = au;
  }
  if (e < g1) {
    e = g1;
  }
  return e;
}

/* The closed form where it is well conditioned (moderate parameters, the
 * 2F1 series within its fast range z <= 0.9, a not within 1e-3 of its
 * removable singularity at 1, and a bracket with at most 1e-11 relative
 * error, inside the bounds g(1) <= E <= A u), else the integral: as a ratio
 * when a, B >= 1, with a comparison function otherwise. */
static double expected_alive_any(const double *p, int m, double t, uint32_t x, double T) {
  double dx = (double)x, dm = (double)m;
  double ka = p[R] + dx, kb = p[B] + dx + dm, fc = p[A] + kb - 1.0;
  double u = t / (p[ALPHA] + T);
  double z = t / (p[ALPHA] + T + t);
  if (fc > 0.0 && fc <= 1e4 && ka <= 1e4 && z <= 0.9 && fabs(p[A] - 1.0) >= 1e-3) {
    double err = INFINITY;
    double e = expected_alive(p, m, t, x, T, &err);
    double hi = ka * u, lo = -expm1(-ka * log1p(u));
    if (err <= 1e-11 && e <= hi * (1.0 + 1e-12) && e >= lo * (1.0 - 1e-12)) {
      return e;
    }
  }
  return p[A] >= 1.0 && kb >= 1.0 ? expected_alive_ratio(ka, p[A], kb, u) : expected_alive_quad(ka, p[A], kb, u);
}

static double family_expected(const double *p, int m, double t, uint32_t x, double tx, double T) {
  if (!params_ok(p) || !(t >= 0.0)) {
    return NAN;
  }
  if (t == 0.0) {
    return 0.0;
  }
  return expected_alive_any(p, m, t, x, T) * family_p_alive(p, m, x, tx, T);
}

/* ln NB(k) = ln[G(r+k)/(G(r) k!) (al/(al+t))^r (t/(al+t))^k], the
 * probability of k Poisson purchases in t with lambda ~ Gamma(r, al). */
static double ln_nbd(double r, double al, double t, double k) {
  double lq = -log1p(t / al); /* ln(al/(al+t)) */
  double lz = -log1p(al / t); /* ln(t/(al+t)) */
  return cxmi_lgamma_ratio(r, k) - cxmi_lgamma_ratio(1.0, k) + r * lq + (k > 0.0 ? k * lz : 0.0);
}

/* The continued fraction of the incomplete beta function (A&S 26.5.8;
 * evaluated by the modified Lentz method, Press et al., Numerical Recipes,
 * 3rd ed., section 6.4), which converges quickly for x < (a+1)/(a+b+2).
 * Returns ln I_x(a, b) given ln x and ln(1-x), or NaN past a budget of
 * 100 000 iterations. */
static double log_ibeta_cf(double a, double b, double lnx, double ln1mx) {
  const double tiny = 1e-300;
  double x = exp(lnx);
  double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0, d = 1.0 - qab * x / qap;
  if (fabs(d) < tiny) {
    d = tiny;
  }
  d = 1.0 / d;
  double h = d;
  for (double m = 1.0; m <= 100000.0; m += 1.0) {
    double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    d = fabs(d) < tiny ? tiny : d;
    c = 1.0 + aa / c;
    c = fabs(c) < tiny ? tiny : c;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    d = fabs(d) < tiny ? tiny : d;
    c = 1.0 + aa / c;
    c = fabs(c) < tiny ? tiny : c;
    d = 1.0 / d;
    double del = d * c;
    h *= del;
    if (fabs(del - 1.0) <= 0x1p-53) {
      double small = a < b ? a : b, large = a < b ? b : a;
      double lnbeta = cxmi_lgamma(small) - cxmi_lgamma_delta(large, small);
      return a * lnx + b * ln1mx - lnbeta - log(a) + log(h);
    }
  }
  return NAN;
}

/* P(N >= k) for the NBD above: 1 minus the head when the head is at most
 * 1/2; else the regularized incomplete beta function I_z(k, r), z = t/(al+t)
 * (the NBD tail, A&S 26.5.26 with 6.6.2), by its continued fraction, or
 * 1 - I_(1-z)(r, k) on the other side of the fraction's fast region (then
 * the tail is above ~1/2 and the subtraction loses nothing). The direct
 * sum of the tail needed ~40 (al+t)/al terms and was cut at 1e8, silently
 * short when t/al > ~1e6. NaN past the budgets. */
static double nbd_tail(double r, double al, double t, uint32_t k) {
  double head = 0.0;
  if (k == 0) {
    return 1.0;
  }
  for (uint32_t j = 0; j < k && head <= 0.5; j++) {
    head += exp(ln_nbd(r, al, t, (double)j));
  }
  if (head <= 0.5) {
    return 1.0 - head;
  }
  double dk = (double)k;
  double lnz = -log1p(al / t), ln1mz = -log1p(t / al);
  if (exp(lnz) < (dk + 1.0) / (dk + r + 2.0)) {
    return exp(log_ibeta_cf(dk, r, lnz, ln1mz));
  }
  return -expm1(log_ibeta_cf(r, dk, ln1mz, lnz));
}

/* P(X(t) = k) = B(a, b+k+m)/B(a,b) NB(k) + [k > 0 or m] B(a+1, b+k+m-1)/B(a,b) P(N >= k)
 * (FHL 2005 eq. 8; for MBG/NBD derived the same way: the customer survives
 * k + m coin flips and is still alive, or dies at flip k + m after at least
 * k purchases). */
static double family_pmf(const double *p, int m, double t, uint32_t k) {
  double r = p[R], al = p[ALPHA], a = p[A], b = p[B];
  double dk = (double)k, dm = (double)m;
  if (!params_ok(p) || !(t >= 0.0)) {
    return NAN;
  }
  /* ln[B(a, b+n)/B(a, b)] = ln[G(b+n)/G(b)] - ln[G(a+b+n)/G(a+b)], and
   * B(a+1, b+n-1)/B(a, b) = a G(b+n-1)/G(b) / (G(a+b+n)/G(a+b)): ratios of
   * gamma functions, exact for huge a or b (no difference of large lgammas). */
  double n = dk + dm;
  double lden = cxmi_lgamma_ratio(a + b, n);
  double alive;
  if (t == 0.0) {
    alive = k == 0 ? exp(cxmi_lgamma_ratio(b, dm) - cxmi_lgamma_ratio(a + b, dm)) : 0.0;
  } else {
    alive = exp(cxmi_lgamma_ratio(b, n) - lden + ln_nbd(r, al, t, dk));
  }
  double dead = 0.0;
  if (k > 0 || m == 1) {
    double tail = t == 0.0 ? (k == 0 ? 1.0 : 0.0) : nbd_tail(r, al, t, k);
    dead = exp(log(a) + cxmi_lgamma_ratio(b, n - 1.0) - lden) * tail;
  }
  double v = alive + dead;
  return v < 1.0 ? v : 1.0;
}

double cxmi_bgnbd_ll(const double *p, const cxmi_triples *d, double *grad) { return family_ll(p, 0, d, grad); }
double cxmi_mbgnbd_ll(const double *p, const cxmi_triples *d, double *grad) { return family_ll(p, 1, d, grad); }
double cxmi_bgnbd_ll1(const double *p, uint32_t x, double tx, double T) { return family_ll1(p, 0, x, tx, T); }
double cxmi_mbgnbd_ll1(const double *p, uint32_t x, double tx, double T) { return family_ll1(p, 1, x, tx, T); }
double cxmi_bgnbd_p_alive(const double *p, uint32_t x, double tx, double T) { return family_p_alive(p, 0, x, tx, T); }
double cxmi_mbgnbd_p_alive(const double *p, uint32_t x, double tx, double T) { return family_p_alive(p, 1, x, tx, T); }
double cxmi_bgnbd_expected(const double *p, double t, uint32_t x, double tx, double T) {
  return family_expected(p, 0, t, x, tx, T);
}
double cxmi_mbgnbd_expected(const double *p, double t, uint32_t x, double tx, double T) {
  return family_expected(p, 1, t, x, tx, T);
}
double cxmi_bgnbd_expected_alive(const double *p, double t, uint32_t x, double T) {
  return expected_alive_any(p, 0, t, x, T);
}
double cxmi_mbgnbd_expected_alive(const double *p, double t, uint32_t x, double T) {
  return expected_alive_any(p, 1, t, x, T);
}
double cxmi_bgnbd_pmf(const double *p, double t, uint32_t k) { return family_pmf(p, 0, t, k); }
double cxmi_mbgnbd_pmf(const double *p, double t, uint32_t k) { return family_pmf(p, 1, t, k); }

/* P(k purchases in (T, T + t] | x, t_x, T). Alive at T (and past the coin
 * flip after the last purchase), lambda ~ Gamma(r+x, al+T) and
 * p ~ Beta(a, b+x+m), and a flip follows each later purchase: the future
 * is that of a BG/NBD customer just acquired (no flip at its time 0) with
 * those parameters, so
 *   P = P(alive) pmf_BG(k; r+x, al+T, a, b+x+m) + (1 - P(alive)) [k = 0]
 * (for m = 0 the formula of Fader, Hardie & Lee's note "Deriving the
 * conditional PMF of the BG/NBD model", which lifetimes implements). */
static double family_conditional_pmf(const double *p, int m, double t, uint32_t k, uint32_t x, double tx, double T) {
  if (!params_ok(p) || !(t >= 0.0)) {
    return NAN;
  }
  double pa = family_p_alive(p, m, x, tx, T);
  double q[4] = {p[R] + (double)x, p[ALPHA] + T, p[A], p[B] + (double)x + (double)m};
  double v = pa * family_pmf(q, 0, t, k) + (k == 0 ? 1.0 - pa : 0.0);
  return v < 1.0 ? v : 1.0;
}

double cxmi_bgnbd_conditional_pmf(const double *p, double t, uint32_t k, uint32_t x, double tx, double T) {
  return family_conditional_pmf(p, 0, t, k, x, tx, T);
}
double cxmi_mbgnbd_conditional_pmf(const double *p, double t, uint32_t k, uint32_t x, double tx, double T) {
  return family_conditional_pmf(p, 1, t, k, x, tx, T);
}
