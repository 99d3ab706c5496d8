/**
 * @file cxm/survival.h
 * @brief Retention curves: Kaplan-Meier survival with Greenwood variance,
 *        log(-log) intervals, median and restricted mean, delayed entry;
 *        the log-rank test; Cox proportional hazards with (start, stop]
 *        rows (Breslow or Efron ties); the shifted-beta-geometric model of
 *        contractual retention.
 *
 * A customer (or one (start, stop] row of a customer) is given by parallel
 * arrays: `entry` (the time the customer came under observation; NULL for
 * all 0), `time` (the time the customer was lost or censored, > entry) and
 * `event` (1: lost at `time`, 0: still a customer at `time`, censored). A
 * customer first seen after the window opened enters the risk sets only
 * after `entry` (delayed entry, left truncation): at time t the risk set is
 * every row with entry < t <= time.
 *
 * Formulas, sources and the checks against R's survival package are in
 * docs/retention.md.
 *
 * Thread-safety: every function here is pure or works on the object it is
 * given; distinct objects may be used from distinct threads, and a fitted
 * object nobody frees may be read from many threads at once.
 */
#ifndef CXM_SURVIVAL_H
#define CXM_SURVIVAL_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A Kaplan-Meier fit (opaque). @since 0.1 */
typedef struct cxm_km cxm_km;

/**
 * @brief One step of a Kaplan-Meier curve: a distinct observed `time`
 *        (a loss or a censoring). Initialise `size` with sizeof(cxm_km_step).
 * @since 0.1
 */
typedef struct cxm_km_step {
  size_t size;       /**< sizeof(cxm_km_step), set by the caller */
  double time;       /**< the time of this step */
  uint64_t n_risk;   /**< customers at risk just before `time` (entry < time <= their time) */
  uint64_t n_event;  /**< customers lost at `time` */
  uint64_t n_censor; /**< customers censored at `time` */
  double surv;       /**< S(time), the Kaplan-Meier product up to and including `time` */
  double std_err;    /**< Greenwood standard error of S(time); 0 once S reaches 0 */
  double lower;      /**< lower bound of the log(-log) interval; 1 while S = 1, NaN once S = 0 */
  double upper;      /**< upper bound of the log(-log) interval; 1 while S = 1, NaN once S = 0 */
} cxm_km_step;

/**
 * @brief Fit a Kaplan-Meier curve.
 * @param[out] out        The fit; free with cxm_km_free(). Untouched on error.
 * @param[in]  alloc      Allocator hooks, or NULL for the C library's.
 * @param[in]  entry      Entry times (finite, >= 0), or NULL for all 0.
 * @param[in]  time       Loss or censoring times (finite, > entry, and > 0).
 * @param[in]  event      1 lost at `time`, 0 censored.
 * @param[in]  n          Number of rows, >= 1.
 * @param[in]  conf_level Interval level in (0, 1), e.g. 0.95.
 * @return CXM_OK; CXM_E_ARG for a NULL pointer; CXM_E_NO_DATA when n = 0;
 *         CXM_E_VALUE for a time or event out of range; CXM_E_OPTION for a
 *         bad conf_level; CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_km_fit(cxm_km **out, const cxm_allocator *alloc, const double *entry, const double *time,
                           const uint8_t *event, size_t n, double conf_level);

/**
 * @brief Free a fit. NULL is accepted.
 * @param[in] km The fit.
 * @since 0.1
 */
CXM_API void cxm_km_free(cxm_km *km);

/**
 * @brief Number of steps (distinct observed times) of a fit.
 * @param[in] km The fit (NULL gives 0).
 * @return The number of steps.
 * @since 0.1
 */
CXM_API size_t cxm_km_steps(const cxm_km *km);

/**
 * @brief Read one step.
 * @param[out] step  Filled; its `size` must be sizeof(cxm_km_step).
 * @param[in]  km    The fit.
 * @param[in]  index 0 .. cxm_km_steps() - 1, in increasing time.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_NOT_FOUND for an index out of range.
 * @since 0.1
 */
CXM_API int32_t cxm_km_step_get(cxm_km_step *step, const cxm_km *km, size_t index);

/**
 * @brief S(t) of a fit at any time t (the step function, 1 before the first step).
 * @param[out] surv S(t).
 * @param[in]  km   The fit.
 * @param[in]  t    A time (not NaN).
 * @return CXM_OK; CXM_E_ARG; CXM_E_VALUE for NaN.
 * @since 0.1
 */
CXM_API int32_t cxm_km_survival_at(double *surv, const cxm_km *km, double t);

/**
 * @brief Median survival time and its interval, as R's survfit prints them:
 *        the first time S falls to 0.5 or below (the midpoint to the next
 *        lower step when S equals 0.5 exactly); the bounds are the same
 *        reading of the lower and upper interval curves.
 * @param[out] median The median, NaN when S never reaches 0.5.
 * @param[out] lower  Lower bound, or NaN when not reached (may be NULL).
 * @param[out] upper  Upper bound, or NaN when not reached (may be NULL).
 * @param[in]  km     The fit.
 * @return CXM_OK; CXM_E_ARG.
 * @since 0.1
 */
CXM_API int32_t cxm_km_median(double *median, double *lower, double *upper, const cxm_km *km);

/**
 * @brief Restricted mean survival time up to `tau` (the area under S from 0
 *        to tau) and its standard error (R's survfit `rmean`).
 * @param[out] rmst The restricted mean.
 * @param[out] se   Its standard error (may be NULL).
 * @param[in]  km   The fit.
 * @param[in]  tau  Horizon, finite and > 0.
 * @return CXM_OK; CXM_E_ARG; CXM_E_VALUE for a bad tau.
 * @since 0.1
 */
CXM_API int32_t cxm_km_rmst(double *rmst, double *se, const cxm_km *km, double tau);

/**
 * @brief Result of a log-rank test. Initialise `size` with sizeof(cxm_logrank).
 * @since 0.1
 */
typedef struct cxm_logrank {
  size_t size;  /**< sizeof(cxm_logrank), set by the caller */
  double chisq; /**< the log-rank statistic */
  int32_t df;   /**< degrees of freedom: groups with members - 1 */
  double p;     /**< upper tail of chi-square(df) at chisq */
} cxm_logrank;

/**
 * @brief The log-rank (Mantel-Haenszel) test of equal survival in k groups,
 *        with the hypergeometric variance, k - 1 degrees of freedom; rows
 *        may have delayed entry.
 * @param[out] res      Filled; `size` must be sizeof(cxm_logrank).
 * @param[out] observed Losses per group (k values), or NULL.
 * @param[out] expected Expected losses per group under equal survival (k values), or NULL.
 * @param[in]  alloc    Allocator hooks, or NULL.
 * @param[in]  entry    Entry times, or NULL for all 0.
 * @param[in]  time     Loss or censoring times.
 * @param[in]  event    1 lost, 0 censored.
 * @param[in]  group    Group of each row, 0 .. k - 1.
 * @param[in]  n        Number of rows.
 * @param[in]  k        Number of groups, 2 .. 1000.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_NO_DATA when n = 0 or fewer
 *         than two groups have members or there is no loss; CXM_E_VALUE
 *         for a bad row or group; CXM_E_OPTION for k out of range; CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_logrank_test(cxm_logrank *res, double *observed, double *expected, const cxm_allocator *alloc,
                                 const double *entry, const double *time, const uint8_t *event, const int32_t *group,
                                 size_t n, int32_t k);

/**
 * @brief Ways to handle tied loss times in the Cox partial likelihood
 *        (as `int32_t`; values never renumbered).
 * @since 0.1
 */
enum cxm_cox_ties {
  CXM_COX_BRESLOW = 1, /**< Breslow (1974) */
  CXM_COX_EFRON = 2    /**< Efron (1977), R's default */
};

/** Largest number of covariates of a Cox model. */
#define CXM_COX_MAX_P 64

/**
 * @brief Cox fit options. Initialise with cxm_cox_options_init().
 * @since 0.1
 */
typedef struct cxm_cox_options {
  size_t size;            /**< sizeof(cxm_cox_options) */
  int32_t ties;           /**< enum cxm_cox_ties; default CXM_COX_BRESLOW */
  int32_t max_iterations; /**< Newton-Raphson iterations, 1..1000; default 30 */
  double tolerance;       /**< stop when the relative change of the log partial likelihood is below; default 1e-9 */
  double conf_level;      /**< level of the Wald intervals, in (0, 1); default 0.95 */
} cxm_cox_options;

/**
 * @brief Set the defaults.
 * @param[out] opt The options; NULL is ignored.
 * @since 0.1
 */
CXM_API void cxm_cox_options_init(cxm_cox_options *opt);

/** @brief A Cox proportional-hazards fit (opaque). @since 0.1 */
typedef struct cxm_cox cxm_cox;

/**
 * @brief Fit a Cox model by Newton-Raphson on the log partial likelihood.
 *
 * A covariate that orders the losses perfectly (monotone likelihood) has no
 * finite estimate: the fit stops when the log-likelihood no longer moves,
 * with a large |beta| and a standard error far larger still (R's coxph
 * returns the same and warns "coefficient may be infinite"); read a Wald
 * interval that wide as "not estimable".
 * @param[out] out   The fit; free with cxm_cox_free(). Also set when the
 *                   iterations did not converge (CXM_E_CONVERGE with a
 *                   summary whose `converged` is 0), holding the last
 *                   accepted iterate; untouched on other errors and when
 *                   the information at beta = 0 is already singular.
 * @param[in]  alloc Allocator hooks, or NULL.
 * @param[in]  start Row start times ((start, stop] rows for time-varying
 *                   covariates or delayed entry), or NULL for all 0.
 * @param[in]  stop  Row stop times, > start.
 * @param[in]  event 1 when the customer was lost at `stop`, else 0.
 * @param[in]  x     Covariates, row-major n x p, finite.
 * @param[in]  n     Rows, >= 1.
 * @param[in]  p     Covariates, 1 .. CXM_COX_MAX_P.
 * @param[in]  opt   Options, or NULL for the defaults.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_NO_DATA (n = 0 or no loss);
 *         CXM_E_VALUE (bad row); CXM_E_OPTION; CXM_E_CONVERGE (no
 *         convergence, or the information matrix is singular: a covariate
 *         constant or collinear); CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_cox_fit(cxm_cox **out, const cxm_allocator *alloc, const double *start, const double *stop,
                            const uint8_t *event, const double *x, size_t n, size_t p, const cxm_cox_options *opt);

/**
 * @brief Free a Cox fit. NULL is accepted.
 * @param[in] cox The fit.
 * @since 0.1
 */
CXM_API void cxm_cox_free(cxm_cox *cox);

/**
 * @brief One coefficient of a Cox fit. Initialise `size` with sizeof(cxm_cox_coef).
 * @since 0.1
 */
typedef struct cxm_cox_coef {
  size_t size;     /**< sizeof(cxm_cox_coef) */
  double beta;     /**< log hazard ratio */
  double se;       /**< standard error (inverse information) */
  double hr;       /**< hazard ratio exp(beta) */
  double hr_lower; /**< Wald interval of the hazard ratio, exp(beta - z se) */
  double hr_upper; /**< exp(beta + z se) */
  double z;        /**< beta / se */
  double p;        /**< two-sided Wald p-value */
} cxm_cox_coef;

/**
 * @brief Read coefficient j.
 * @param[out] coef Filled; `size` must be sizeof(cxm_cox_coef).
 * @param[in]  cox  The fit.
 * @param[in]  j    0 .. p - 1.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_NOT_FOUND.
 * @since 0.1
 */
CXM_API int32_t cxm_cox_coef_get(cxm_cox_coef *coef, const cxm_cox *cox, size_t j);

/**
 * @brief Summary of a Cox fit. Initialise `size` with sizeof(cxm_cox_summary).
 * @since 0.1
 */
typedef struct cxm_cox_summary {
  size_t size;        /**< sizeof(cxm_cox_summary) */
  uint64_t n;         /**< rows */
  uint64_t events;    /**< losses */
  int32_t p;          /**< covariates */
  int32_t iterations; /**< Newton-Raphson iterations */
  int32_t converged;  /**< 1 when converged */
  double loglik0;     /**< log partial likelihood at beta = 0 */
  double loglik;      /**< at the estimate */
  double lr_chisq;    /**< likelihood-ratio statistic 2 (loglik - loglik0), df p */
  double lr_p;        /**< its p-value */
  double score_chisq; /**< score (log-rank) statistic at beta = 0 */
  double wald_chisq;  /**< Wald statistic beta' I beta */
} cxm_cox_summary;

/**
 * @brief Read the summary of a fit.
 * @param[out] sum Filled; `size` must be sizeof(cxm_cox_summary).
 * @param[in]  cox The fit.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE.
 * @since 0.1
 */
CXM_API int32_t cxm_cox_summary_get(cxm_cox_summary *sum, const cxm_cox *cox);

/**
 * @brief A shifted-beta-geometric fit. Initialise `size` with sizeof(cxm_sbg).
 * @since 0.1
 */
typedef struct cxm_sbg {
  size_t size;       /**< sizeof(cxm_sbg) */
  double alpha;      /**< alpha > 0 of the beta distribution of churn probabilities */
  double beta;       /**< beta > 0 */
  double loglik;     /**< log-likelihood at the estimate */
  int32_t converged; /**< 1 when the optimiser converged */
} cxm_sbg;

/**
 * @brief Fit the shifted-beta-geometric model (Fader & Hardie 2007) to a
 *        contractual cohort by maximum likelihood.
 * @param[out] fit   Filled; `size` must be sizeof(cxm_sbg).
 * @param[in]  alive Customers still active at the start of period 0, 1,
 *                   ..., periods (non-increasing, alive[0] > 0; whole or
 *                   fractional counts, e.g. percentages).
 * @param[in]  count periods + 1, 2 .. 10000.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_VALUE (counts negative,
 *         increasing or not finite; or no one lost / everyone lost);
 *         CXM_E_CONVERGE (fit holds the best point reached).
 * @since 0.1
 */
CXM_API int32_t cxm_sbg_fit(cxm_sbg *fit, const double *alive, size_t count);

/**
 * @brief Survival S(t) = B(alpha, beta + t) / B(alpha, beta) of the sBG model.
 * @param[out] surv  S(t).
 * @param[in]  alpha > 0.
 * @param[in]  beta  > 0.
 * @param[in]  t     Periods, >= 0.
 * @return CXM_OK; CXM_E_ARG; CXM_E_VALUE.
 * @since 0.1
 */
CXM_API int32_t cxm_sbg_survival(double *surv, double alpha, double beta, double t);

/**
 * @brief Retention rate r_t = (beta + t - 1) / (alpha + beta + t - 1) of period t.
 * @param[out] rate  r_t.
 * @param[in]  alpha > 0.
 * @param[in]  beta  > 0.
 * @param[in]  t     Period, >= 1.
 * @return CXM_OK; CXM_E_ARG; CXM_E_VALUE.
 * @since 0.1
 */
CXM_API int32_t cxm_sbg_retention(double *rate, double alpha, double beta, double t);

#ifdef __cplusplus
}
#endif

#endif /* CXM_SURVIVAL_H */
