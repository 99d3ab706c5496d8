/* Pareto/NBD (Schmittlein, Morrison & Colombo 1987, "Counting your
 * customers: who are they and what will they do next?", Management
 * Science 33(1), 1-24), in the form of Fader & Hardie (2005), "A Note on
 * Deriving the Pareto/NBD Model and Related Expressions"
 * (brucehardie.com/notes/009).
 *
 * While alive, purchases are Poisson(lambda), lambda ~ Gamma(r, alpha);
 * the lifetime is exponential(mu), mu ~ Gamma(s, beta). For one customer
 *
 *   L = G(r+x) al^r be^s / G(r) * [ 1 / ((al+T)^(r+x) (be+T)^s) + s/(r+s+x) A0 ]
 *
 * with, for al >= be (m = al, B = s + 1) or al < be (m = be, B = r + x),
 *
 *   A0 = F(t_x) / (m+t_x)^(r+s+x) - F(T) / (m+T)^(r+s+x),
 *   F(y) = 2F1(r+s+x, B; r+s+x+1; |al-be| / (m+y)).
 *
 * Everything is kept as logarithms (ln A0 = ln F(t_x) - ... + ln(-expm1(...)))
 * so that x in the thousands does not underflow (m+T)^-(r+s+x). */
#include <math.h>

#include "math/hyp2f1.h"
#include "purchase/models.h"
#include "math/special.h"

#define R 0
#define ALPHA 1
#define S 2
#define BETA 3

static int params_ok(const double *p) {
  return p[R] > 0.0 && p[ALPHA] > 0.0 && p[S] > 0.0 && p[BETA] > 0.0 && isfinite(p[R]) && isfinite(p[ALPHA]) &&
         isfinite(p[S]) && isfinite(p[BETA]);
}

/* ln F(y) - (r+s+x) ln(m+y). */
static double log_f_term(const double *p, double dx, double y) {
  double r = p[R], al = p[ALPHA], s = p[S], be = p[BETA];
  double aa = r + s + dx;
  int sign = 0;
  double lf;
  /* 1 - z = (be+y)/(al+y) or (al+y)/(be+y), without cancellation */
  if (al >= be) {
    lf = cxmi_hyp2f1_log2(&sign, aa, s + 1.0, aa + 1.0, (al - be) / (al + y), (be + y) / (al + y));
    return lf - aa * log(al + y);
  }
  lf = cxmi_hyp2f1_log2(&sign, aa, r + dx, aa + 1.0, (be - al) / (be + y), (al + y) / (be + y));
  return lf - aa * log(be + y);
}

/* The death term by its definition instead of 2F1: integrating the
 * purchase rate out, a customer who died at tau in (t_x, T] contributes
 * (the integral over the lifetime that Fader & Hardie 2005, note 009,
 * evaluate in closed form as A0)
 *
 *   s/(r+s+x) A0 = s I,  I = int_{t_x}^{T} (al+tau)^-(r+x) (be+tau)^-(s+1) dtau.
 *
 * Used where the 2F1 argument |al-be|/(m+t_x) exceeds 0.9 (al/be far from
 * 1, or t_x tiny against a small al or be), where the series needs up to
 * ~37/(1-z) terms and the connection formula in 1-z cancels near integer
 * c-a-b: s -> 0 and t_x ~ 1e-12 T took millions of terms per call.
 *
 * With k = min(al, be) and y = ln(k + tau) the integrand times the Jacobian,
 * e^(phi(y)), phi = y - (r+x) ln(al-k+e^y) - (s+1) ln(be-k+e^y), is
 * analytic within pi of the real axis and log-concave (phi' = 1 - (r+x)
 * e^y/(al-k+e^y) - (s+1) e^y/(be-k+e^y) decreases, by at most a factor e
 * per unit of y), so 20-point Gauss-Legendre on panels of width
 * min(1, 4/|phi'|) at the panel's start is exact to rounding, and once
 * phi' < 0 the rest is below e^phi / |phi'|: the sum stops when that is
 * under 2^-60 of it. At most 20 000 panels (the budget; NaN
 * beyond). Returns ln I, and in g[] (when not NULL) its derivatives in
 * r, al, s, be. Everything is kept relative to a running maximum of phi so
 * that x in the thousands neither underflows nor overflows. */
static double log_death_quad(const double *p, double dx, double tx, double T, double *g) {
  double r = p[R], al = p[ALPHA], s = p[S], be = p[BETA];
  double k = al < be ? al : be, da = al - k, db = be - k;
  double rx = r + dx, s1 = s + 1.0;
  double ylo = log(k + tx), yhi = log(k + T);
  if (!(yhi > ylo)) {
    return -INFINITY;
  }
  double shift = NAN, s0 = 0.0, sr = 0.0, sa = 0.0, ss = 0.0, sb = 0.0;
  double y0 = ylo;
  for (int panel = 0; y0 < yhi; panel++) {
    if (panel >= 20000) {
      return NAN; /* budget */
    }
    /* phi' at the panel's start; it only decreases */
    double e0 = exp(-y0);
    double slope0 = 1.0 - rx / (1.0 + da * e0) - s1 / (1.0 + db * e0);
    double width = fabs(slope0) > 4.0 ? 4.0 / fabs(slope0) : 1.0;
    double y1 = y0 + width < yhi ? y0 + width : yhi;
    double half = 0.5 * (y1 - y0), mid = y0 + half;
    double part0 = 0.0, partr = 0.0, parta = 0.0, parts = 0.0, partb = 0.0;
    for (int n = 0; n < 10; n++) {
      for (int side = -1; side <= 1; side += 2) {
        double y = mid + (double)side * half * cxmi_gl20[n][0];
        double ey = exp(-y);
        double la = y + log1p(da * ey), lb = y + log1p(db * ey);
        double phi = y - rx * la - s1 * lb;
        if (isnan(shift) || phi > shift + 300.0) {
          double f = isnan(shift) ? 0.0 : exp(shift - phi);
          s0 *= f;
          sr *= f;
          sa *= f;
          ss *= f;
          sb *= f;
          part0 *= f;
          partr *= f;
          parta *= f;
          parts *= f;
          partb *= f;
          shift = phi;
        }
        double w = cxmi_gl20[n][1] * exp(phi - shift);
        part0 += w;
        if (g != NULL) {
          /* 1/(al+tau) = e^-y / (1 + da e^-y) */
          partr -= w * la;
          parta -= w * rx * ey / (1.0 + da * ey);
          parts -= w * lb;
          partb -= w * s1 * ey / (1.0 + db * ey);
        }
      }
    }
    s0 += half * part0;
    sr += half * partr;
    sa += half * parta;
    ss += half * parts;
    sb += half * partb;
    y0 = y1;
    /* log-concave: past the peak the rest is below e^phi / |phi'| */
    double e1 = exp(-y1);
    double slope1 = 1.0 - rx / (1.0 + da * e1) - s1 / (1.0 + db * e1);
    double phi1 = y1 - rx * (y1 + log1p(da * e1)) - s1 * (y1 + log1p(db * e1));
    if (slope1 < 0.0 && exp(phi1 - shift) / -slope1 <= 0x1p-60 * s0) {
      break;
    }
  }
  if (!(s0 > 0.0) || !isfinite(s0)) {
    return NAN;
  }
  if (g != NULL) {
    g[R] = sr / s0;
    g[ALPHA] = sa / s0;
    g[S] = ss / s0;
    g[BETA] = sb / s0;
  }
  return shift + log(s0);
}

/* Whether the death term is integrated (log_death_quad) rather than summed
 * as 2F1: the argument at t_x, where it is largest, above 0.9. */
static int death_by_quad(const double *p, double tx) {
  double al = p[ALPHA], be = p[BETA];
  double m = al >= be ? al : be;
  return fabs(al - be) / (m + tx) > 0.9;
}

/* ln A0 (see above); -inf when t_x = T. */
static double log_a0(const double *p, double dx, double tx, double T) {
  if (!(T > tx)) {
    return -INFINITY;
  }
  if (death_by_quad(p, tx)) {
    /* s/(r+s+x) A0 = s I */
    return log(p[R] + p[S] + dx) + log_death_quad(p, dx, tx, T, NULL);
  }
  double u = log_f_term(p, dx, tx);
  double v = log_f_term(p, dx, T);
  if (isnan(u) || isnan(v)) {
    return NAN;
  }
  if (!(v < u)) {
    return -INFINITY; /* the difference is below rounding: A0 ~ 0 */
  }
  return u + log(-expm1(v - u));
}

/* ln of the bracket's first term, -(r+x) ln(al+T) - s ln(be+T). */
static double log_alive_term(const double *p, double dx, double T) {
  return -(p[R] + dx) * log(p[ALPHA] + T) - p[S] * log(p[BETA] + T);
}

/* The per-customer log-likelihood without the terms of x alone. */
static double log_bracket(const double *p, double dx, double tx, double T) {
  double la0 = log_a0(p, dx, tx, T);
  if (isnan(la0)) {
    return NAN;
  }
  return cxmi_logaddexp(log_alive_term(p, dx, T), log(p[S]) - log(p[R] + p[S] + dx) + la0);
}

double cxmi_pnbd_ll1(const double *p, uint32_t x, double tx, double T) {
  if (!params_ok(p)) {
    return NAN;
  }
  double dx = (double)x;
  return cxmi_lgamma_ratio(p[R], dx) + p[R] * log(p[ALPHA]) + p[S] * log(p[BETA]) + log_bracket(p, dx, tx, T);
}

/* ln 2F1(A, B; A + 1; z) for 0 <= z < 1, A + 1 - B > 0, and its partial
 * derivatives in A, B and z, from Euler's transformation (A&S 15.3.3)
 *   2F1(A, B; A+1; z) = (1 - z)^(1-B) sum_k (A+1-B)_k / (A+1)_k z^k,
 * whose terms are positive and shrink by a ratio below z; the parameter
 * derivatives of each term are running sums of 1/(A+1-B+j) - 1/(A+1+j) and
 * -1/(A+1-B+j) (Pochhammer symbols differentiated factor by factor). Stops
 * as cxmi_hyp2f1_log() does. Only for z <= 0.9 (the callers integrate
 * beyond), where it needs at most ~400 terms; NaN beyond a budget of
 * 10 000. */
static double hyp_a1(double A, double B, double z, double *dA, double *dB, double *dz) {
  if (!(z <= 0.9)) {
    return NAN; /* the callers integrate instead (death_by_quad) */
  }
  double c = A + 1.0 - B;
  double sum = 1.0, sa = 0.0, sb = 0.0, sz = 0.0;
  double term = 1.0, ca = 0.0, cb = 0.0;
  double tail = z / (1.0 - z);
  for (double k = 0.0; k < 1e4; k += 1.0) {
    double num = c + k, den = A + 1.0 + k;
    /* One division a term: 1/num - 1/den = B/(num den), 1/num = den/(num den).
     * d(term_{k+1})/dz = (k+1) term_{k+1} / z = (k+1) term_k num/den. */
    double inv = 1.0 / (num * den);
    double tz = term * num * num * inv;
    ca += B * inv;
    cb -= den * inv;
    term = tz * z;
    sum += term;
    sa += term * ca;
    sb += term * cb;
    sz += (k + 1.0) * tz;
    if (term * tail <= 0x1p-56 * sum || term == 0.0) {
      double l1z = log1p(-z);
      *dA = sa / sum;
      *dB = -l1z + sb / sum;
      *dz = -(1.0 - B) / (1.0 - z) + sz / sum;
      return (1.0 - B) * l1z + log(sum);
    }
  }
  return NAN;
}

/* Phi(y) = ln F(y) - (r+s+x) ln(m+y) and its gradient in (r, al, s, be). */
static double phi_grad(const double *p, double dx, double y, double *g) {
  double r = p[R], al = p[ALPHA], s = p[S], be = p[BETA];
  double aa = r + s + dx, fa, fb, fz, lf;
  if (al >= be) {
    double my = al + y, z = (al - be) / my;
    lf = hyp_a1(aa, s + 1.0, z, &fa, &fb, &fz);
    double lm = log(my);
    g[R] = fa - lm;
    g[S] = fa + fb - lm;
    g[ALPHA] = fz * (be + y) / (my * my) - aa / my;
    g[BETA] = -fz / my;
    return lf - aa * lm;
  }
  double my = be + y, z = (be - al) / my;
  lf = hyp_a1(aa, r + dx, z, &fa, &fb, &fz);
  double lm = log(my);
  g[R] = fa + fb - lm;
  g[S] = fa - lm;
  g[ALPHA] = -fz / my;
  g[BETA] = fz * (al + y) / (my * my) - aa / my;
  return lf - aa * lm;
}

/* log_bracket() and its gradient: with Phi as above,
 *   ln A0 = Phi(t_x) + ln(1 - q), q = e^(Phi(T) - Phi(t_x)),
 *   d ln A0 = (d Phi(t_x) - q d Phi(T)) / (1 - q),
 * and the bracket h = ln(e^L1 + e^L2), L1 = -(r+x) ln(al+T) - s ln(be+T),
 * L2 = ln s - ln(r+s+x) + ln A0, dh = (1 - w) dL1 + w dL2 with w the
 * weight of the second term. */
static double log_bracket_grad(const double *p, double dx, double tx, double T, double *g) {
  double r = p[R], al = p[ALPHA], s = p[S], be = p[BETA];
  double l1 = log_alive_term(p, dx, T);
  double d1[4] = {-log(al + T), -(r + dx) / (al + T), -log(be + T), -s / (be + T)};
  double l2 = -INFINITY, d2[4] = {0.0, 0.0, 0.0, 0.0};
  if (T > tx && death_by_quad(p, tx)) {
    double li = log_death_quad(p, dx, tx, T, d2);
    if (isnan(li)) {
      for (int k = 0; k < 4; k++) {
        g[k] = NAN;
      }
      return NAN;
    }
    l2 = log(s) + li;
    d2[S] += 1.0 / s;
  } else if (T > tx) {
    double gu[4], gv[4];
    double u = phi_grad(p, dx, tx, gu);
    double v = phi_grad(p, dx, T, gv);
    if (isnan(u) || isnan(v)) {
      for (int k = 0; k < 4; k++) {
        g[k] = NAN;
      }
      return NAN;
    }
    if (v < u) {
      double q = exp(v - u);
      double inv = 1.0 / (1.0 - q);
      double ras = 1.0 / (r + s + dx);
      l2 = log(s) - log(r + s + dx) + u + log(-expm1(v - u));
      for (int k = 0; k < 4; k++) {
        d2[k] = (gu[k] - q * gv[k]) * inv;
      }
      d2[R] -= ras;
      d2[S] += 1.0 / s - ras;
    }
  }
  double h = cxmi_logaddexp(l1, l2);
  double w = l2 == -INFINITY ? 0.0 : exp(l2 - h);
  for (int k = 0; k < 4; k++) {
    g[k] = (1.0 - w) * d1[k] + w * d2[k];
  }
  return h;
}

/* The terms of x alone, ln G(r+x) - ln G(r) + r ln al + s ln be, are
 * computed once per run of equal x. */
double cxmi_pnbd_ll(const double *p, const cxmi_triples *d, double *grad) {
  if (!params_ok(p)) {
    return NAN;
  }
  double r = p[R], al = p[ALPHA], s = p[S], be = p[BETA];
  double ps_r = grad != NULL ? cxmi_digamma(r) : 0.0;
  double base = r * log(al) + s * log(be);
  double sum = 0.0, g[4] = {0.0, 0.0, 0.0, 0.0};
  uint32_t cur = 0;
  double gx = 0.0, gx_r = 0.0;
  for (size_t i = 0; i < d->n; i++) {
    double dx = (double)d->x[i], w = d->w[i];
    if (i == 0 || d->x[i] != cur) {
      cur = d->x[i];
      gx = cxmi_lgamma_ratio(r, dx) + base;
      if (grad != NULL) {
        gx_r = cxmi_digamma(r + dx) - ps_r;
      }
    }
    if (grad == NULL) {
      sum += w * (gx + log_bracket(p, dx, d->tx[i], d->T[i]));
      continue;
    }
    double gb[4];
    double h = log_bracket_grad(p, dx, d->tx[i], d->T[i], gb);
    sum += w * (gx + h);
    for (int k = 0; k < 4; k++) {
      g[k] += w * gb[k];
    }
    g[R] += w * gx_r;
  }
  if (grad != NULL) {
    grad[R] = g[R] + d->total * log(al);
    grad[ALPHA] = g[ALPHA] + d->total * r / al;
    grad[S] = g[S] + d->total * log(be);
    grad[BETA] = g[BETA] + d->total * s / be;
  }
  return sum;
}

/* P(alive) = 1 / (1 + s/(r+s+x) (al+T)^(r+x) (be+T)^s A0)  (Fader & Hardie 2005, note 009). */
double cxmi_pnbd_p_alive(const double *p, uint32_t x, double tx, double T) {
  if (!params_ok(p)) {
    return NAN;
  }
  double dx = (double)x;
  double la0 = log_a0(p, dx, tx, T);
  if (isnan(la0)) {
    return NAN;
  }
  double z = log(p[S]) - log(p[R] + p[S] + dx) + la0 - log_alive_term(p, dx, T);
  return z > 0.0 ? exp(-z) / (1.0 + exp(-z)) : 1.0 / (1.0 + exp(z));
}

/* E[Y(t) | x, t_x, T] = (r+x)(be+T) / ((al+T)(s-1)) [1 - ((be+T)/(be+T+t))^(s-1)] P(alive)
 * (Schmittlein et al. 1987; Fader & Hardie 2005, note 009). With
 * L = ln(1 + t/(be+T)), [1 - e^(-(s-1)L)]/(s-1) = -expm1(-u)/u * L with
 * u = (s-1) L, which is L at s = 1 (the removable singularity). */
double cxmi_pnbd_expected(const double *p, double t, uint32_t x, double tx, double T) {
  if (!params_ok(p) || !(t >= 0.0)) {
    return NAN;
  }
  double dx = (double)x;
  double lterm = log1p(t / (p[BETA] + T));
  double u = (p[S] - 1.0) * lterm;
  double factor = u == 0.0 ? lterm : -expm1(-u) / u * lterm;
  return (p[R] + dx) * (p[BETA] + T) / (p[ALPHA] + T) * factor * cxmi_pnbd_p_alive(p, x, tx, T);
}

/* ln NB(k; tau) of the Poisson-gamma count in time tau. */
static double ln_nbd(double r, double al, double tau, double k, double lg_rk) {
  double lq = -log1p(tau / al);
  double lz = k > 0.0 ? k * -log1p(al / tau) : 0.0;
  return lg_rk + r * lq + lz;
}

/* P(X(t) = k) for a customer just acquired, by conditioning on the
 * lifetime tau ~ Pareto II(s, be) (survival S(tau) = (be/(be+tau))^s):
 *
 *   P = NB(k; t) S(t) + int_0^t NB(k; tau) f(tau) dtau.
 *
 * With y = ln(1 + tau/be), f(tau) dtau = s e^(-s y) dy, and the integrand
 * is smooth in y (NB(k; tau) is a power of tau near 0 and decays like
 * tau^-r); the integral is taken by 20-point Gauss-Legendre on panels of
 * width at most 0.25 in y and in s y (at most 4 000 panels, which covers
 * t / be up to e^1000). The closed form with 2F1 (Fader & Hardie 2006,
 * note 012) subtracts nearly equal terms for large k; this one does not. */
double cxmi_pnbd_pmf(const double *p, double t, uint32_t k) {
  if (!params_ok(p) || !(t >= 0.0)) {
    return NAN;
  }
  double r = p[R], al = p[ALPHA], s = p[S], be = p[BETA];
  double dk = (double)k;
  if (t == 0.0) {
    return k == 0 ? 1.0 : 0.0;
  }
  double lg_rk = cxmi_lgamma_ratio(r, dk) - cxmi_lgamma_ratio(1.0, dk);
  double ymax = log1p(t / be);
  double first = exp(ln_nbd(r, al, t, dk, lg_rk) - s * ymax);
  double width = 0.25 / fmax(1.0, s);
  double panels = ceil(ymax / width);
  if (panels > 4000.0) {
    panels = 4000.0;
  }
  if (panels < 1.0) {
    panels = 1.0;
  }
  double h = ymax / panels;
  double integral = 0.0;
  for (double j = 0.0; j < panels; j += 1.0) {
    double mid = (j + 0.5) * h, half = 0.5 * h;
    double part = 0.0;
    for (int n = 0; n < 10; n++) {
      for (int side = -1; side <= 1; side += 2) {
        double y = mid + (double)side * half * cxmi_gl20[n][0];
        double tau = be * expm1(y);
        if (!(tau > 0.0)) {
          continue; /* the integrand is 0 there for k > 0 and y = 0 has measure 0 */
        }
        part += cxmi_gl20[n][1] * exp(ln_nbd(r, al, tau, dk, lg_rk) - s * y);
      }
    }
    integral += part * half * s;
  }
  double v = first + integral;
  return v > 1.0 ? 1.0 : v;
}

/* P(k purchases in (T, T + t] | x, t_x, T). Alive at T, the customer's
 * lambda ~ Gamma(r+x, al+T) and mu ~ Gamma(s, be+T) (memoryless lifetime),
 * so the future is that of a customer just acquired with those parameters:
 *   P = P(alive) pmf(k; r+x, al+T, s, be+T) + (1 - P(alive)) [k = 0]. */
double cxmi_pnbd_conditional_pmf(const double *p, double t, uint32_t k, uint32_t x, double tx, double T) {
  if (!params_ok(p) || !(t >= 0.0)) {
    return NAN;
  }
  double pa = cxmi_pnbd_p_alive(p, x, tx, T);
  double q[4] = {p[R] + (double)x, p[ALPHA] + T, p[S], p[BETA] + T};
  double v = pa * cxmi_pnbd_pmf(q, t, k) + (k == 0 ? 1.0 - pa : 0.0);
  return v > 1.0 ? 1.0 : v;
}
