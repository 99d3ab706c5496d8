/**
 * @file cxm/covariates.h
 * @brief Time-invariant covariates in the Pareto/NBD and BG/NBD purchase
 *        models, in the form CLVTools implements: each customer's purchase
 *        rate scale and dropout parameters depend on the customer's
 *        covariate row x_i (docs/purchase.md, "Covariates"):
 *
 * - Pareto/NBD: alpha_i = alpha0 exp(-gamma_trans' x_i),
 *   beta_i = beta0 exp(-gamma_life' x_i); r and s shared.
 * - BG/NBD (and MBG/NBD): alpha_i = alpha0 exp(-gamma_trans' x_i),
 *   a_i = a0 exp(gamma_life' x_i), b_i = b0 exp(gamma_life' x_i); r shared.
 *
 * A positive gamma_trans raises the purchase rate (E[lambda] = r / alpha_i);
 * a positive gamma_life shortens the lifetime in Pareto/NBD (E[mu] = s / beta_i)
 * and leaves the mean dropout probability a/(a+b) of BG/NBD unchanged while
 * making it more concentrated. The fit is by maximum likelihood with
 * standard errors from the Hessian, and a likelihood-ratio test against the
 * same model without covariates.
 *
 * Thread-safety: every function is pure (the store and the summaries are
 * only read); concurrent calls are safe on data nobody changes.
 */
#ifndef CXM_COVARIATES_H
#define CXM_COVARIATES_H

#include "common.h"
#include "purchase.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most covariates per customer row. */
#define CXM_COVARIATES_MAX 6

/**
 * @brief A model with covariates: its inputs (kind, count, masks; the
 *        parameters when the caller evaluates known values) and a fit's
 *        results. Initialise with cxm_covariate_fit_init().
 * @since 0.2
 */
typedef struct cxm_covariate_fit {
  size_t size;         /**< sizeof(cxm_covariate_fit), set by cxm_covariate_fit_init() */
  int32_t kind;        /**< input: CXM_MODEL_PNBD, CXM_MODEL_BGNBD or CXM_MODEL_MBGNBD */
  uint32_t count;      /**< input: covariates per row, 1..CXM_COVARIATES_MAX */
  uint32_t trans;      /**< input: bit j set when covariate j enters the purchase process (a gamma_trans[j]) */
  uint32_t life;       /**< input: bit j set when covariate j enters the dropout process (a gamma_life[j]) */
  int32_t converged;   /**< 1 when the optimiser converged and the estimates are not degenerate */
  int32_t iterations;  /**< optimiser iterations of the fit with covariates */
  uint32_t degenerate; /**< cxm_degenerate bits, as for cxm_model (shapes r, s or a0, b0; the Hessian) */
  int32_t lr_df;       /**< degrees of freedom of the likelihood-ratio test: the gammas fitted */
  double param[4];     /**< r, alpha0, s, beta0 (Pareto/NBD) or r, alpha0, a0, b0 (BG/NBD, MBG/NBD) */
  double se[4];        /**< standard errors of param; NaN when the Hessian is not positive definite */
  double gamma_trans[CXM_COVARIATES_MAX]; /**< purchase-process coefficients (0 where the bit of `trans` is clear) */
  double se_trans[CXM_COVARIATES_MAX];    /**< their standard errors (NaN where not fitted) */
  double gamma_life[CXM_COVARIATES_MAX];  /**< dropout-process coefficients (0 where the bit of `life` is clear) */
  double se_life[CXM_COVARIATES_MAX];     /**< their standard errors (NaN where not fitted) */
  double loglik;                          /**< log-likelihood with covariates at the estimates */
  double grad_norm;                       /**< max |d(-LL/N)/d theta_k| at the end of the fit */
  double null_loglik;                     /**< log-likelihood of the same model fitted without covariates */
  int32_t null_converged;                 /**< 1 when that fit converged and is not degenerate */
  int32_t reserved;                       /**< 0 */
  double
      lr; /**< likelihood-ratio statistic 2 (loglik - null_loglik), also for a fit degenerate only by its Hessian; NaN unless both optimisers converged */
  double lr_p;        /**< P(chi-square(lr_df) >= lr); NaN with lr */
  uint64_t customers; /**< customers fitted (weights summed) */
} cxm_covariate_fit;

/**
 * @brief Zero a fit, set its size, NaN its numbers, and select Pareto/NBD
 *        with one covariate in both processes (kind CXM_MODEL_PNBD,
 *        count 1, trans = life = 1).
 * @param[out] fit The struct; NULL is ignored.
 * @note Thread-safe. @since 0.2
 */
CXM_API void cxm_covariate_fit_init(cxm_covariate_fit *fit);

/**
 * @brief Fit a purchase model with covariates by maximum likelihood
 *        (L-BFGS over ln r, ln alpha0, ln s or ln a0, ln beta0 or ln b0 and
 *        the gammas; docs/purchase.md, "Covariates"), and the same model
 *        without covariates (cxm_model_fit()) for the likelihood-ratio test.
 *        The fit with covariates starts at the fit without them and gamma = 0,
 *        so its log-likelihood is never below that fit's.
 * @param[in,out] fit In: kind, count, trans, life (set after
 *            cxm_covariate_fit_init()). Out: the estimates, standard errors,
 *            log-likelihoods and the test, also on CXM_E_CONVERGE (then the
 *            best point reached, `converged` 0 and `degenerate` saying why).
 * @param[in] rfm The customers' summaries (weights honoured; holdout
 *            counts ignored).
 * @param[in] covariates Row-major, `rows` x fit->count finite values: row i
 *            belongs to summary i of rfm (in the order added).
 * @param[in] rows Rows of covariates; must equal cxm_rfm_count(rfm).
 * @param[in] options NULL for defaults; `start` and `penalty` must be left
 *            at their defaults (NaN, 0). Each of the two fits has the
 *            options' iteration and time budgets.
 * @return CXM_OK; CXM_E_ARG for NULL; CXM_E_SIZE for an unknown struct
 *         size; CXM_E_MODEL for a kind other than the three; CXM_E_OPTION
 *         for a count outside 1..CXM_COVARIATES_MAX, masks with bits beyond
 *         count or both empty, a start or a penalty, or a bad budget;
 *         CXM_E_BUFFER when rows differs from the summaries; CXM_E_VALUE for
 *         a covariate that is not finite; CXM_E_NO_DATA when nobody made a
 *         repeat purchase; CXM_E_CONVERGE when either fit did not converge
 *         or is degenerate; CXM_E_NOMEM. On an argument error the fit is
 *         unchanged.
 * @note Safe to call from several threads on the same (unchanged) rfm.
 * @since 0.2
 */
CXM_API int32_t cxm_covariate_model_fit(cxm_covariate_fit *fit, const cxm_rfm *rfm, const double *covariates,
                                        size_t rows, const cxm_fit_options *options);

/**
 * @brief The log-likelihood of the summaries under given parameters and
 *        gammas (the sum of the plain model's per-customer log-likelihoods at
 *        each customer's own parameters).
 * @param[out] loglik The log-likelihood.
 * @param[in] fit kind, count, trans, life, param and the gammas of the set
 *            bits are read (the others are ignored).
 * @param[in] rfm The summaries.
 * @param[in] covariates As for cxm_covariate_model_fit().
 * @param[in] rows As for cxm_covariate_model_fit().
 * @return CXM_OK; CXM_E_ARG for NULL; CXM_E_SIZE; CXM_E_MODEL for an
 *         unknown kind, parameters that are not finite and > 0, or a gamma
 *         that is not finite; CXM_E_OPTION for bad count or masks;
 *         CXM_E_BUFFER; CXM_E_VALUE; CXM_E_NO_DATA for no summaries;
 *         CXM_E_NOMEM.
 * @note Thread-safe. @since 0.2
 */
CXM_API int32_t cxm_covariate_loglik(double *loglik, const cxm_covariate_fit *fit, const cxm_rfm *rfm,
                                     const double *covariates, size_t rows);

/**
 * @brief One customer's own model: the plain model with the customer's
 *        parameters (alpha_i and beta_i, or alpha_i, a_i and b_i), to pass to
 *        cxm_model_p_alive(), cxm_model_expected(), cxm_model_conditional_pmf()
 *        and the other per-customer functions.
 * @param[out] model Initialised with cxm_model_init(); receives kind and
 *             param (converged, se and the rest are left as
 *             cxm_model_init() sets them).
 * @param[in] fit A fit (or known parameters as for cxm_covariate_loglik()).
 * @param[in] row The customer's fit->count covariates.
 * @return CXM_OK; CXM_E_ARG for NULL; CXM_E_SIZE; CXM_E_MODEL, CXM_E_OPTION
 *         as for cxm_covariate_loglik(); CXM_E_VALUE for a covariate that is
 *         not finite or a customer parameter that is not finite and > 0.
 *         The model is unchanged on failure.
 * @note Thread-safe. @since 0.2
 */
CXM_API int32_t cxm_covariate_customer_model(cxm_model *model, const cxm_covariate_fit *fit, const double *row);

/**
 * @brief Summaries from a store's purchases (as cxm_store_rfm(), appended
 *        to rfm) with one covariate per added summary: 1 when the
 *        customer's first survey answer (the earliest nps, csat or ces
 *        answer; ties in input order) is a detractor's (NPS 0-6, CSAT 1-2,
 *        CES 1-3, the rules of docs/experience.md), else 0 (also for a
 *        customer without answers).
 * @param[in,out] rfm The set the summaries are added to.
 * @param[out] detractor detractor[k] for the k-th summary added.
 * @param[in] capacity Room in detractor; at least the store's customers
 *            (`customers` of cxm_store_stats_get()).
 * @param[in] store The store (read only).
 * @param[in] options As for cxm_store_rfm(); NULL for defaults.
 * @return As cxm_store_rfm(); CXM_E_BUFFER when capacity is below the
 *         store's customers (nothing added).
 * @note The store must not change during the call. @since 0.2
 */
CXM_API int32_t cxm_store_rfm_detractor(cxm_rfm *rfm, double *detractor, size_t capacity, const cxm_store *store,
                                        const cxm_rfm_options *options);

#ifdef __cplusplus
}
#endif

#endif
