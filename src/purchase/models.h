/* Internals of the purchase models (include/cxm/purchase.h): the fitting
 * data and each model's likelihood and per-customer quantities. One file
 * per model family: bgnbd.c (BG/NBD and MBG/NBD), pnbd.c, gammagamma.c;
 * rfm.c builds the data; model.c fits and dispatches. Pure functions;
 * thread-safe. */
#ifndef CXM_SRC_MODELS_H
#define CXM_SRC_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include "cxm/purchase.h"

/* Distinct (x, t_x, T) triples with their weights (number of customers),
 * sorted by x, so that the likelihoods compute the terms that depend on x
 * alone once per run of equal x. */
typedef struct cxmi_triples {
  size_t n;          /* distinct triples */
  const uint32_t *x; /* [n] */
  const double *tx;  /* [n] */
  const double *T;   /* [n] */
  const double *w;   /* [n] customers with this triple (summaries' weights summed) */
  double total;      /* customers (sum of w) */
  /* Optional (pair NULL: none): the distinct (t_x, T) pairs when they are
   * at most half the triples, as summaries in whole days have them (454
   * T values, 66 562 pairs and 188 076 triples on the 10 M-event benchmark
   * file), so that the BG/NBD family's logarithms of t_x and T alone are
   * taken once per pair and evaluation, not per triple; the same values. */
  const uint32_t *pair;  /* [n] index of the triple's pair */
  size_t npairs;         /* distinct pairs */
  const double *pair_tx; /* [npairs] */
  const double *pair_T;  /* [npairs] */
  double *work;          /* [3 * npairs] scratch of one evaluation (one thread) */
} cxmi_triples;

/* Spend data of the Gamma-Gamma model: customers with x >= 1 and their
 * mean repeat spend m > 0. */
typedef struct cxmi_spend {
  size_t n;
  const uint32_t *x; /* [n] */
  const double *m;   /* [n] */
  const double *w;   /* [n] customers the summary stands for */
  double total;      /* sum of w */
} cxmi_spend;

/* Log-likelihoods summed over the data (weighted), and their gradient with
 * respect to the natural parameters when grad is not NULL. p[] holds
 * r, alpha, a, b (BG/NBD, MBG/NBD), r, alpha, s, beta (Pareto/NBD) or
 * p, q, v (Gamma-Gamma). Non-finite for parameters <= 0. */
double cxmi_bgnbd_ll(const double *p, const cxmi_triples *d, double *grad);
double cxmi_mbgnbd_ll(const double *p, const cxmi_triples *d, double *grad);
double cxmi_pnbd_ll(const double *p, const cxmi_triples *d, double *grad);
double cxmi_gg_ll(const double *p, const cxmi_spend *d, double *grad);

/* One customer's log-likelihood (the per-triple term of the sums above). */
double cxmi_bgnbd_ll1(const double *p, uint32_t x, double tx, double T);
double cxmi_mbgnbd_ll1(const double *p, uint32_t x, double tx, double T);
double cxmi_pnbd_ll1(const double *p, uint32_t x, double tx, double T);

/* P(alive at T | x, t_x, T). */
double cxmi_bgnbd_p_alive(const double *p, uint32_t x, double tx, double T);
double cxmi_mbgnbd_p_alive(const double *p, uint32_t x, double tx, double T);
double cxmi_pnbd_p_alive(const double *p, uint32_t x, double tx, double T);

/* E[transactions in (T, T + t] | x, t_x, T]. With x = 0, t_x = T = 0 this
 * is the expectation E[X(t)] for a customer just acquired. */
double cxmi_bgnbd_expected(const double *p, double t, uint32_t x, double tx, double T);
double cxmi_mbgnbd_expected(const double *p, double t, uint32_t x, double tx, double T);
double cxmi_pnbd_expected(const double *p, double t, uint32_t x, double tx, double T);

/* The expectation above without its P(alive) factor, for t > 0 and valid
 * parameters (BG/NBD, MBG/NBD): a function of (t, x, T) alone, which
 * cxm_model_expected() multiplies by P(alive | x, t_x, T). */
double cxmi_bgnbd_expected_alive(const double *p, double t, uint32_t x, double T);
double cxmi_mbgnbd_expected_alive(const double *p, double t, uint32_t x, double T);

/* cxm_model_expected() in two steps, for many customers of one model and
 * horizon: cxmi_model_expected_part() gives the factor of (t, x, T) alone
 * (CXM_OK only for a usable BG/NBD or MBG/NBD model and a finite t > 0; on
 * any other status call cxm_model_expected()), and
 * cxmi_model_expected_with_part() the customer's expectation from it: the
 * same status and bits as cxm_model_expected(), with the factor computed
 * once per distinct (x, T) by a caller that keeps it. */
int32_t cxmi_model_expected_part(double *part, const cxm_model *model, double t, uint32_t x, double T);
int32_t cxmi_model_expected_with_part(double *out, const cxm_model *model, double part, uint32_t x, double t_x,
                                      double T);

/* P(X(t) = k) for a customer just acquired (repeat transactions in t). */
double cxmi_bgnbd_pmf(const double *p, double t, uint32_t k);
double cxmi_mbgnbd_pmf(const double *p, double t, uint32_t k);
double cxmi_pnbd_pmf(const double *p, double t, uint32_t k);

/* BG/BB (bgbb.c): x transactions in n whole opportunities, the last at
 * opportunity t_x; p[] holds alpha, beta, gamma, delta. Horizons t count
 * opportunities. NaN for data that are not whole numbers with
 * x <= t_x <= n, 1 <= n <= 1e5 (n = 0 with x = t_x = 0 allowed for the
 * per-customer functions: a customer just acquired). p_alive is P(alive
 * at opportunity n + 1). */
int cxmi_bgbb_data_ok(uint32_t x, double tx, double n);
double cxmi_bgbb_ll(const double *p, const cxmi_triples *d, double *grad);
double cxmi_bgbb_ll1(const double *p, uint32_t x, double tx, double n);
double cxmi_bgbb_p_alive(const double *p, uint32_t x, double tx, double n);
double cxmi_bgbb_expected(const double *p, double t, uint32_t x, double tx, double n);
double cxmi_bgbb_pmf(const double *p, double t, uint32_t k);

/* P(k transactions in (T, T + t] | x, t_x, T): BG/NBD and MBG/NBD
 * (bgnbd.c), Pareto/NBD (pnbd.c), BG/BB (bgbb.c). */
double cxmi_bgnbd_conditional_pmf(const double *p, double t, uint32_t k, uint32_t x, double tx, double T);
double cxmi_mbgnbd_conditional_pmf(const double *p, double t, uint32_t k, uint32_t x, double tx, double T);
double cxmi_pnbd_conditional_pmf(const double *p, double t, uint32_t k, uint32_t x, double tx, double T);
double cxmi_bgbb_conditional_pmf(const double *p, double t, uint32_t k, uint32_t x, double tx, double n);

/* Gamma-Gamma: E[mean spend | x, mean m] (Fader, Hardie & Lee 2005b). */
double cxmi_gg_expected_spend(const double *p, uint32_t x, double m);

/* ln(e^u + e^v) without overflow; -inf when both are -inf. */
double cxmi_logaddexp(double u, double v);

#endif
