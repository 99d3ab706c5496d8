/**
 * @file cxm/purchase.h
 * @brief Purchase models ("buy till you die"): BG/NBD, MBG/NBD, Pareto/NBD,
 *        BG/BB (discrete opportunities) and the Gamma-Gamma spend model, fitted by maximum likelihood on
 *        per-customer summaries, with P(alive), expected purchases,
 *        purchase-count probabilities, expected spend, a discounted CLV
 *        and a holdout check.
 *
 * A customer is summarised by x (repeat transactions: purchases after the
 * first, same-day purchases merged), t_x (time from the first to the last
 * purchase; 0 when x = 0) and T (time from the first purchase to the end of
 * observation), in any time unit (weeks in docs/purchase.md; for BG/BB,
 * whole numbers of transaction opportunities: x of them with a
 * transaction, the last at t_x, out of T), optionally
 * with the mean value of the repeat transactions (for Gamma-Gamma) and the
 * repeat transactions of a later holdout period. A set of summaries is a
 * `cxm_rfm`, and one summary may stand for several customers (`weight`);
 * customers with equal (x, t_x, T) are weighted once when fitting, so the cost of a fit grows with the number of distinct triples.
 *
 * Formulas, sources and readings are in docs/purchase.md.
 *
 * Thread-safety: a `cxm_rfm` must not be changed while another thread uses
 * it; a set nobody changes may be read (fitted, queried) from any number of
 * threads at once. `cxm_model` values and every `cxm_model_*` function are
 * pure: concurrent calls are safe.
 */
#ifndef CXM_PURCHASE_H
#define CXM_PURCHASE_H

#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Model kinds (as `int32_t`; values never renumbered).
 * @since 0.1
 */
enum cxm_model_kind {
  CXM_MODEL_BGNBD = 1,       /**< BG/NBD: r, alpha, a, b (Fader, Hardie & Lee 2005). */
  CXM_MODEL_MBGNBD = 2,      /**< MBG/NBD: r, alpha, a, b (Batislam, Denizel & Filiztekin 2007). */
  CXM_MODEL_PNBD = 3,        /**< Pareto/NBD: r, alpha, s, beta (Schmittlein, Morrison & Colombo 1987). */
  CXM_MODEL_GAMMA_GAMMA = 4, /**< Gamma-Gamma spend: p, q, v (Colombo & Jiang 1999). */
  CXM_MODEL_BGBB =
      5 /**< BG/BB for discrete opportunities: alpha, beta, gamma, delta (Fader, Hardie & Shang 2010); t_x and T count opportunities @since 0.2 */
};

/** Number of frequency bins of cxm_holdout: x = 0, 1, ..., 6 and 7 or more. */
#define CXM_HOLDOUT_BINS 8

/** @brief A set of customer summaries (opaque). @since 0.1 */
typedef struct cxm_rfm cxm_rfm;

/**
 * @brief One customer's summary, as added to or read from a cxm_rfm.
 *        Initialise with cxm_rfm_customer_init().
 * @since 0.1
 */
typedef struct cxm_rfm_customer {
  size_t size;     /**< sizeof(cxm_rfm_customer), set by cxm_rfm_customer_init() */
  const char *id;  /**< customer id bytes, or NULL (id_len 0) for none */
  size_t id_len;   /**< length of id, 0..128 */
  uint32_t x;      /**< repeat transactions */
  double t_x;      /**< time of the last repeat transaction after the first purchase; 0 when x = 0 */
  double T;        /**< time from the first purchase to the end of observation, T >= t_x */
  double monetary; /**< mean value of the repeat transactions, > 0 when x >= 1; NaN when unknown */
  double x_star;   /**< repeat transactions in the holdout period (a whole number >= 0); NaN when unknown */
  double
      weight; /**< customers this summary stands for (grouped data), a whole number in [1, 2^53]; default 1 @since 0.2 */
} cxm_rfm_customer;

/**
 * @brief Fit options. Initialise with cxm_fit_options_init().
 * @since 0.1
 */
typedef struct cxm_fit_options {
  size_t size;            /**< sizeof(cxm_fit_options), set by cxm_fit_options_init() */
  int32_t max_iterations; /**< L-BFGS iterations, 1..100000; default 500 */
  double tolerance;       /**< convergence when every |d(-LL/N)/d ln(param)| <= tolerance; default 1e-7 */
  double start[4];        /**< starting parameters (natural scale, > 0); NaN (the default) for the library's own */
  double
      max_seconds; /**< time budget of the optimiser (monotonic clock), in (0, 1e6]; default 60. When it runs out the fit returns CXM_E_CONVERGE with the best point reached @since 0.1 */
  double
      penalty; /**< L2 penalty coefficient c >= 0 (lifetimes' penalizer_coef): the fit minimises -LL/N + c sum(param_i^2), N the customers; default 0 (docs/purchase.md, "L2 penalty") @since 0.2 */
} cxm_fit_options;

/**
 * @brief Reasons a fit is degenerate (bits of cxm_model::degenerate): the
 *        likelihood has no interior maximum, or none the data can locate, and
 *        the estimates are a point on the way to a boundary of the parameter
 *        space (docs/purchase.md, "Degenerate fits").
 * @since 0.1
 */
enum cxm_degenerate {
  CXM_DEGENERATE_RATE =
      1, /**< purchase-rate shape r outside [1e-6, 1e6]: heterogeneity vanishes (r, alpha -> inf together) or explodes */
  CXM_DEGENERATE_DROPOUT =
      2, /**< dropout shapes outside [1e-6, 1e6]: a or b (BG/NBD, MBG/NBD), s (Pareto/NBD); e.g. nobody drops out */
  CXM_DEGENERATE_SPEND = 4, /**< Gamma-Gamma shape p or q outside [1e-6, 1e6] */
  CXM_DEGENERATE_HESSIAN =
      8 /**< the Hessian of -LL is not positive definite at the estimates (standard errors NaN): a flat direction */
};

/**
 * @brief A fitted model. Initialise with cxm_model_init(); filled by
 *        cxm_model_fit(), or by the caller (set `kind` and `param`) to use
 *        known parameters.
 * @since 0.1
 */
typedef struct cxm_model {
  size_t size;         /**< sizeof(cxm_model), set by cxm_model_init() */
  int32_t kind;        /**< a cxm_model_kind; 0 before a fit */
  int32_t converged;   /**< 1 when the optimiser's gradient test passed and the estimates are not degenerate */
  int32_t iterations;  /**< optimiser iterations */
  int32_t param_count; /**< 4, or 3 for Gamma-Gamma */
  double param[4];     /**< parameters in the order of cxm_model_param_name() */
  double se[4];        /**< standard errors from the inverse Hessian of -LL; NaN when it is not positive definite */
  double loglik;       /**< log-likelihood at param (natural log, without any constant dropped) */
  double grad_norm;    /**< max |d(-LL/N)/d ln(param_i)| at the end of the fit */
  uint64_t
      customers; /**< customers fitted, the summaries' weights summed (for Gamma-Gamma: those with x >= 1 and a mean spend) */
  uint64_t distinct; /**< distinct (x, t_x, T) triples (for Gamma-Gamma: summaries with a spend) */
  uint32_t
      degenerate; /**< 0, or the cxm_degenerate bits that make the fit degenerate (then `converged` is 0); the shape bits also after a fit stopped by a limit, the Hessian bit only after the optimiser converged @since 0.1 */
} cxm_model;

/**
 * @brief Expected against actual repeat transactions in a holdout period
 *        of length t_star after each customer's T ("the check the
 *        literature uses, as in FHL 2005), in total and by the
 *        calibration frequency x (bins x = 0..6 and x >= 7). Only customers
 *        with a known `x_star` are counted.
 * @since 0.1
 */
typedef struct cxm_holdout {
  size_t size;                              /**< sizeof(cxm_holdout), set by the caller */
  uint64_t customers;                       /**< customers with a known x_star */
  double actual;                            /**< sum of x_star */
  double expected;                          /**< sum of E[X(T, T + t_star] | x, t_x, T] */
  uint64_t bin_customers[CXM_HOLDOUT_BINS]; /**< customers per bin */
  double bin_actual[CXM_HOLDOUT_BINS];      /**< mean x_star per bin (NaN for an empty bin) */
  double bin_expected[CXM_HOLDOUT_BINS];    /**< mean expectation per bin (NaN for an empty bin) */
} cxm_holdout;

/**
 * @brief Set a cxm_rfm_customer to defaults: no id, x = 0, t_x = T = 0,
 *        monetary and x_star NaN.
 * @param[out] customer The struct; NULL is ignored.
 * @note Thread-safe. @since 0.1
 */
CXM_API void cxm_rfm_customer_init(cxm_rfm_customer *customer);

/**
 * @brief Create an empty set of customer summaries.
 * @param[out] out The new set; the caller frees it with cxm_rfm_free().
 * @param[in] allocator Memory hooks, copied; NULL for malloc/realloc/free.
 * @return CXM_OK; CXM_E_ARG when out is NULL or the hooks are incomplete;
 *         CXM_E_NOMEM.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_rfm_new(cxm_rfm **out, const cxm_allocator *allocator);

/**
 * @brief Free a set. Accepts NULL.
 * @param[in] rfm The set.
 * @since 0.1
 */
CXM_API void cxm_rfm_free(cxm_rfm *rfm);

/**
 * @brief Add one customer (the id bytes are copied).
 * @param[in,out] rfm The set.
 * @param[in] customer The summary: x >= 0, 0 <= t_x <= T finite, T > 0,
 *            t_x = 0 when x = 0; monetary NaN or finite > 0 (ignored when
 *            x = 0); x_star NaN or a whole number >= 0.
 * @return CXM_OK; CXM_E_ARG for NULL; CXM_E_SIZE when customer->size is
 *         unknown; CXM_E_CUSTOMER when the id is longer than 128 bytes;
 *         CXM_E_VALUE for a value out of range; CXM_E_LIMIT beyond 2^32 - 1
 *         customers; CXM_E_NOMEM. Nothing changes on failure.
 * @since 0.1
 */
CXM_API int32_t cxm_rfm_add(cxm_rfm *rfm, const cxm_rfm_customer *customer);

/**
 * @brief Add the customers of a summary CSV held in memory.
 *
 * The first line is a header naming the columns (case-sensitive, any
 * order): frequency or x; recency or t_x; T or T_cal; optionally monetary,
 * monetary_value, zbar or m_x (mean repeat spend; 0 is read as unknown, as
 * the CDNOW files write 0.00 for customers without a repeat purchase); x_star
 * (holdout repeat transactions); ID, id or customer (the customer id). Other
 * columns are ignored. Fields are separated by commas, lines end in LF or
 * CRLF, the last line may lack its newline; quotes are not supported.
 * Numbers are plain decimals (`-?[0-9]+(.[0-9]+)?`), read without the C
 * locale. The two CDNOW shapes `ID,frequency,recency,T` and
 * `ID,x,t_x,T,zbar` (and `frequency,recency,T,monetary`) load as they are.
 * @param[in,out] rfm The set.
 * @param[out] error_line When not NULL: the 1-based line of the first bad
 *             line (1 for the header), or 0 on success.
 * @param[in] bytes The CSV bytes (not NUL-terminated).
 * @param[in] len Their length.
 * @return CXM_OK; CXM_E_ARG for NULL; CXM_E_HEADER when a required column
 *         is missing or a column is named twice; CXM_E_COLUMNS for a line
 *         with the wrong number of fields; CXM_E_VALUE for a bad number or
 *         a summary cxm_rfm_add() refuses; CXM_E_CUSTOMER; CXM_E_NOMEM.
 *         On failure the set is left exactly as it was.
 * @since 0.1
 */
CXM_API int32_t cxm_rfm_load_csv(cxm_rfm *rfm, uint64_t *error_line, const char *bytes, size_t len);

/**
 * @brief Add the customers of a summary CSV file (see cxm_rfm_load_csv()).
 *        The file is read whole through the set's allocator, then parsed.
 * @param[in,out] rfm The set.
 * @param[out] error_line As for cxm_rfm_load_csv(); 0 for an I/O error.
 * @param[in] path A NUL-terminated file name.
 * @return As cxm_rfm_load_csv(); CXM_E_IO when the file cannot be opened or
 *         read. On failure the set is left exactly as it was.
 * @since 0.1
 */
CXM_API int32_t cxm_rfm_load_file(cxm_rfm *rfm, uint64_t *error_line, const char *path);

/**
 * @brief Number of customers in the set.
 * @param[in] rfm The set; NULL gives 0.
 * @return The count.
 * @since 0.1
 */
CXM_API size_t cxm_rfm_count(const cxm_rfm *rfm);

/**
 * @brief Read customer `index` (in the order added).
 * @param[out] customer Filled; set its `size` first (cxm_rfm_customer_init()).
 *             `id` points into the set and stays valid until the set is
 *             changed or freed.
 * @param[in] rfm The set.
 * @param[in] index 0..count-1.
 * @return CXM_OK; CXM_E_ARG for NULL; CXM_E_SIZE; CXM_E_NOT_FOUND when
 *         index is out of range.
 * @since 0.1
 */
CXM_API int32_t cxm_rfm_get(cxm_rfm_customer *customer, const cxm_rfm *rfm, size_t index);

/**
 * @brief Set fit options to their defaults (500 iterations, tolerance
 *        1e-7, library starting values, 60 s time budget).
 * @param[out] options The options; NULL is ignored.
 * @note Thread-safe. @since 0.1
 */
CXM_API void cxm_fit_options_init(cxm_fit_options *options);

/**
 * @brief Zero a model and set its `size`.
 * @param[out] model The model; NULL is ignored.
 * @note Thread-safe. @since 0.1
 */
CXM_API void cxm_model_init(cxm_model *model);

/**
 * @brief Fit a model by maximum likelihood (L-BFGS over the logarithms of
 *        the parameters; docs/purchase.md). Gamma-Gamma uses the customers
 *        with x >= 1 and a known mean spend; the others use every customer.
 * @param[in,out] model Initialised with cxm_model_init(); on return holds
 *            the estimates, log-likelihood, iterations and standard errors,
 *            also when the status is CXM_E_CONVERGE (then `converged` is 0
 *            and the parameters are the best point reached, with
 *            `degenerate` naming any boundary they sit at).
 * @param[in] rfm The customers.
 * @param[in] kind A cxm_model_kind.
 * @param[in] options NULL for defaults.
 * @return CXM_OK; CXM_E_ARG for NULL; CXM_E_SIZE for an unknown struct
 *         size; CXM_E_MODEL for an unknown kind; CXM_E_OPTION for a bad
 *         option; CXM_E_NO_DATA when there is nobody to fit (Gamma-Gamma:
 *         no repeat buyer with a spend); CXM_E_VALUE for BG/BB summaries
 *         that are not whole numbers with x <= t_x <= T <= 100000;
 *         CXM_E_CONVERGE when the optimiser
 *         did not converge (iteration limit, line search failure, time
 *         budget `max_seconds` spent) or the estimates are degenerate
 *         (`degenerate` != 0: a shape parameter outside [1e-6, 1e6] or a
 *         Hessian that is not positive definite); CXM_E_NOMEM.
 * @note Safe to call from several threads on the same (unchanged) rfm.
 * @since 0.1
 */
CXM_API int32_t cxm_model_fit(cxm_model *model, const cxm_rfm *rfm, int32_t kind, const cxm_fit_options *options);

/**
 * @brief The short name of a model kind: "bgnbd", "mbgnbd", "pnbd", "gg",
 *        "bgbb".
 * @param[in] kind A cxm_model_kind.
 * @return A static string, or NULL for an unknown kind.
 * @note Thread-safe. @since 0.1
 */
CXM_API const char *cxm_model_name(int32_t kind);

/**
 * @brief The name of parameter `index` of a model kind, as the literature
 *        writes it: "r", "alpha", "a", "b"; "r", "alpha", "s", "beta";
 *        "p", "q", "v"; "alpha", "beta", "gamma", "delta" (BG/BB).
 * @param[in] kind A cxm_model_kind.
 * @param[in] index 0..3 (0..2 for Gamma-Gamma).
 * @return A static string, or NULL for an unknown kind or index.
 * @note Thread-safe. @since 0.1
 */
CXM_API const char *cxm_model_param_name(int32_t kind, int32_t index);

/**
 * @brief The log-likelihood of a model's parameters on a set of customers
 *        (the quantity the fit maximises).
 * @param[out] loglik The log-likelihood.
 * @param[in] model A model with kind and param set.
 * @param[in] rfm The customers.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_MODEL for an unknown kind
 *         or a parameter that is not finite and > 0; CXM_E_NO_DATA;
 *         CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_model_loglik(double *loglik, const cxm_model *model, const cxm_rfm *rfm);

/**
 * @brief P(alive at T | x, t_x, T): the probability that the customer has
 *        not dropped out by the end of observation (BG/BB: alive for
 *        opportunity T + 1, Fader, Hardie & Shang 2010 eq. 11). 1 - P(alive) is the
 *        purchase-based churn risk (docs/purchase.md).
 * @param[out] p_alive In [0, 1].
 * @param[in] model A BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model (BG/BB:
 *            t_x, T and t whole numbers of opportunities, T <= 100000).
 * @param[in] x Repeat transactions.
 * @param[in] t_x Recency (0 when x = 0).
 * @param[in] T Age, T >= t_x.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_MODEL for a Gamma-Gamma or
 *         unknown model or bad parameters; CXM_E_VALUE for a bad summary.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_model_p_alive(double *p_alive, const cxm_model *model, uint32_t x, double t_x, double T);

/**
 * @brief Expected repeat transactions in (T, T + t] given x, t_x, T
 *        (the conditional expectation). With x = 0 and t_x = T = 0 it is the
 *        expectation for a customer just acquired (see also
 *        cxm_model_population()).
 * @param[out] expected The expectation, >= 0.
 * @param[in] model A BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model (BG/BB:
 *            t_x, T and t whole numbers of opportunities, T <= 100000).
 * @param[in] t Length of the future period, >= 0.
 * @param[in] x Repeat transactions.
 * @param[in] t_x Recency.
 * @param[in] T Age (T = 0 is allowed here, with x = 0 and t_x = 0).
 * @return As cxm_model_p_alive(); CXM_E_VALUE also for t < 0 or not finite;
 *         CXM_E_MODEL also when the expectation cannot be computed as a
 *         finite number (only when (r + x) t / (alpha + T) is beyond the
 *         double range; docs/purchase.md, "Numerics"). Never a negative or
 *         non-finite value with CXM_OK.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_model_expected(double *expected, const cxm_model *model, double t, uint32_t x, double t_x,
                                   double T);

/**
 * @brief P(no purchase in (T, T + t] | x, t_x, T): the probability that a
 *        customer makes no purchase for a whole horizon of length t after
 *        the end of observation, i.e. lapses (docs/purchase.md, "Lapse in
 *        a horizon").
 *
 * BG/NBD and MBG/NBD: (1 - P(alive)) + P(alive) ((alpha + T) / (alpha + T +
 * t))^(r + x), in closed form (dropping out happens only at a purchase).
 * Pareto/NBD: 1 - P(alive) int_0^t E[lambda e^(-lambda u)] E[e^(-mu u)] du
 * over the posterior gammas, by Gauss-Legendre quadrature. With x = 0 and
 * t_x = T = 0 it is the value for a customer first seen at the end of
 * observation.
 * @param[out] probability In [1 - P(alive), 1]: 1 at t = 0, falling with t (to
 *             1 - P(alive) as t grows, for BG/NBD and MBG/NBD).
 * @param[in] model A BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model (BG/BB:
 *            t_x, T and t whole numbers of opportunities, T <= 100000).
 * @param[in] t Horizon length, >= 0 and finite, in the model's time unit.
 * @param[in] x Repeat transactions.
 * @param[in] t_x Recency.
 * @param[in] T Age (T = 0 allowed, with x = 0 and t_x = 0).
 * @return As cxm_model_expected().
 * @note Thread-safe. @since 0.2
 */
CXM_API int32_t cxm_model_p_no_purchase(double *probability, const cxm_model *model, double t, uint32_t x, double t_x,
                                        double T);

/**
 * @brief P(X(t) = k): the probability that a customer just acquired makes
 *        exactly k repeat transactions in the first t time units.
 * @param[out] probability In [0, 1].
 * @param[in] model A BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model (BG/BB:
 *            t_x, T and t whole numbers of opportunities, T <= 100000).
 * @param[in] t Time since the first purchase, >= 0.
 * @param[in] k Number of repeat transactions.
 * @return As cxm_model_expected().
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_model_pmf(double *probability, const cxm_model *model, double t, uint32_t k);

/**
 * @brief P(X(T, T + t] = k | x, t_x, T): the probability that a customer
 *        with this history makes exactly k repeat transactions in the next
 *        t time units (BG/BB: the next t opportunities); docs/purchase.md,
 *        "Conditional purchase counts".
 *
 * Alive at T, a customer's future is that of a customer just acquired with
 * the posterior parameters (BG/NBD, MBG/NBD: r + x, alpha + T, a,
 * b + x (+1); Pareto/NBD: r + x, alpha + T, s, beta + T; BG/BB: alpha + x,
 * beta + T - x, gamma, delta + T), so the value is P(alive) times
 * cxm_model_pmf() at those parameters, plus 1 - P(alive) at k = 0. The
 * values sum to 1 over k; at k = 0 it is cxm_model_p_no_purchase(). With
 * x = 0 and t_x = T = 0 it is cxm_model_pmf().
 * @param[out] probability In [0, 1].
 * @param[in] model A BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model.
 * @param[in] t Horizon length, >= 0 and finite (BG/BB: a whole number of
 *            opportunities, at most 100000).
 * @param[in] k Number of repeat transactions.
 * @param[in] x Repeat transactions.
 * @param[in] t_x Recency.
 * @param[in] T Age (T = 0 allowed, with x = 0 and t_x = 0).
 * @return As cxm_model_expected().
 * @note Thread-safe. @since 0.2
 */
CXM_API int32_t cxm_model_conditional_pmf(double *probability, const cxm_model *model, double t, uint32_t k, uint32_t x,
                                          double t_x, double T);

/**
 * @brief E[X(t)]: expected repeat transactions of a customer just acquired
 *        in the first t time units (BG/NBD: FHL 2005 eq. 9, with 2F1).
 * @param[out] expected The expectation.
 * @param[in] model A BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model (BG/BB:
 *            t_x, T and t whole numbers of opportunities, T <= 100000).
 * @param[in] t Time, >= 0.
 * @return As cxm_model_expected().
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_model_population(double *expected, const cxm_model *model, double t);

/**
 * @brief The expected side of a tracking plot: the repeat transactions a
 *        cohort is expected to have made by the end of each period, in
 *        total and per period (as R BTYD's
 *        bgnbd.ExpectedCumulativeTransactions; docs/purchase.md,
 *        "Tracking").
 *
 * cumulative[j] = sum_i w_i E[X(t_j - b_i)] over the customers born
 * (first purchase) at b_i < t_j, t_j = (j + 1) period_length, with E[X(t)]
 * as cxm_model_population(); incremental[j] = cumulative[j] -
 * cumulative[j - 1] (cumulative[-1] = 0). Times count from the start of the
 * series, in the model's time unit. The cost is periods x n expectations:
 * customers born on the same day can be passed once with a weight.
 * @param[out] cumulative `periods` values.
 * @param[out] incremental `periods` values, or NULL.
 * @param[in] periods 1..100000.
 * @param[in] model A BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model (BG/BB:
 *            births and period_length whole numbers of opportunities).
 * @param[in] births n birth times, >= 0 and finite (NULL when n = 0).
 * @param[in] weights n weights >= 0 (customers per birth), or NULL for 1 each.
 * @param[in] n Number of births.
 * @param[in] period_length > 0 and finite.
 * @return CXM_OK; CXM_E_ARG for a NULL output or model; CXM_E_VALUE for a
 *         bad count, length, birth or weight; the statuses of
 *         cxm_model_population(). On failure the outputs are partly written.
 * @note Thread-safe. @since 0.2
 */
CXM_API int32_t cxm_model_tracking(double *cumulative, double *incremental, size_t periods, const cxm_model *model,
                                   const double *births, const double *weights, size_t n, double period_length);

/**
 * @brief Gamma-Gamma expected mean transaction value of a customer with x
 *        repeat transactions of mean value `monetary` (x = 0: the
 *        population mean p v / (q - 1)).
 * @param[out] spend The expected value.
 * @param[in] model A Gamma-Gamma model.
 * @param[in] x Repeat transactions.
 * @param[in] monetary Their mean value, > 0 when x >= 1 (ignored when x = 0).
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_MODEL; CXM_E_VALUE for a bad
 *         monetary value or when the expectation is infinite (p x + q <= 1).
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_model_expected_spend(double *spend, const cxm_model *model, uint32_t x, double monetary);

/**
 * @brief A discounted customer lifetime value: the sum over `periods`
 *        future periods of length `period_length` of (expected transactions
 *        in the period) x (Gamma-Gamma expected spend) / (1 + discount)^i,
 *        i = 1..periods (as lifetimes' customer_lifetime_value).
 * @param[out] clv The value, in the unit of `monetary`.
 * @param[in] purchase A BG/NBD, MBG/NBD or Pareto/NBD model.
 * @param[in] spend A Gamma-Gamma model.
 * @param[in] x Repeat transactions.
 * @param[in] t_x Recency.
 * @param[in] T Age.
 * @param[in] monetary Mean repeat spend (ignored when x = 0).
 * @param[in] periods 1..100000 periods.
 * @param[in] period_length > 0, in the models' time unit.
 * @param[in] discount Discount rate per period, >= 0 and finite.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_MODEL (also when an
 *         expectation or the sum cannot be computed as a finite number);
 *         CXM_E_VALUE.
 * @note Thread-safe. @since 0.1
 */
CXM_API int32_t cxm_model_clv(double *clv, const cxm_model *purchase, const cxm_model *spend, uint32_t x, double t_x,
                              double T, double monetary, uint32_t periods, double period_length, double discount);

/**
 * @brief Compare expected and actual repeat transactions in a holdout
 *        period of length t_star (see cxm_holdout).
 * @param[out] holdout Filled; set its `size` to sizeof(cxm_holdout) first.
 * @param[in] model A BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model (BG/BB:
 *            t_x, T and t whole numbers of opportunities, T <= 100000).
 * @param[in] rfm The calibration summaries with their `x_star`.
 * @param[in] t_star Holdout length, > 0, in the summaries' time unit.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_MODEL (also when an
 *         expectation or the total cannot be computed as a finite number;
 *         `holdout` is then unchanged); CXM_E_VALUE for a bad t_star;
 *         CXM_E_NO_DATA when no customer has an x_star.
 * @since 0.1
 */
CXM_API int32_t cxm_model_holdout(cxm_holdout *holdout, const cxm_model *model, const cxm_rfm *rfm, double t_star);

/**
 * @brief How cxm_store_rfm() builds summaries; fill with cxm_rfm_options_init().
 * @since 0.1
 */
typedef struct cxm_rfm_options {
  size_t size; /**< sizeof(cxm_rfm_options), set by cxm_rfm_options_init() */
  int64_t to;  /**< end of observation (exclusive, a multiple of 86400); INT64_MAX: through the day of the last event */
  int64_t holdout_to;  /**< end of a holdout period after `to` (exclusive, a multiple of 86400); INT64_MIN: none */
  double unit_seconds; /**< the time unit of t_x and T; default 604800 (weeks); 86400 for days */
  int32_t
      calendar_weeks; /**< 1: transactions are calendar weeks (Monday to Sunday, UTC; pandas' and lifetimes' freq "W") instead of days, t_x and T whole weeks; unit_seconds must then be 604800; default 0 @since 0.2 */
} cxm_rfm_options;

/** @brief Set `size` and the defaults (weeks, all data, no holdout). Ignores NULL. @since 0.1 */
CXM_API void cxm_rfm_options_init(cxm_rfm_options *options);

/**
 * @brief Add to `rfm` the purchase summary of every customer of a store who
 *        bought before `to` (docs/purchase.md, "From events").
 *
 * A customer's purchases on one UTC day are one transaction (one calendar
 * week with `calendar_weeks`); the first is the customer's birth, so
 * x = distinct purchase days - 1; t_x and T run
 * from the first purchase day to the last purchase day and to the last day
 * of observation (the day before `to`); monetary is the mean of the repeat
 * days' totals; x_star counts distinct purchase days in [to, holdout_to).
 * Customers whose first purchase falls on the last day (T = 0) carry no
 * information and are left out. Customers are added in handle order.
 * @param[in,out] rfm The set to add to.
 * @param[in] store The store (read only).
 * @param[in] options NULL for the defaults.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_OPTION (unit; calendar_weeks
 *         not 0 or 1, or 1 without the week unit); CXM_E_WINDOW
 *         (bounds not whole days, or holdout without `to` or not after it);
 *         CXM_E_NOMEM or another status of cxm_rfm_add(), after which the
 *         customers added so far stay in `rfm`.
 * @note Reads the store (see cxm/store.h for threads). @since 0.1
 */
CXM_API int32_t cxm_store_rfm(cxm_rfm *rfm, const cxm_store *store, const cxm_rfm_options *options);

/**
 * @brief Which customers and periods cxm_store_tracking() follows; fill
 *        with cxm_tracking_options_init().
 * @since 0.2
 */
typedef struct cxm_tracking_options {
  size_t size;  /**< sizeof(cxm_tracking_options), set by cxm_tracking_options_init() */
  int64_t from; /**< start of period 1, a UTC midnight; INT64_MIN (default): the earliest first purchase day */
  int64_t
      cohort_to; /**< the cohort is the customers whose first purchase day is in [from, cohort_to) (a UTC midnight, exclusive); INT64_MAX (default): every buyer from `from` on */
  double period_seconds; /**< period length, whole days; default 604800 (weeks) */
  double unit_seconds;   /**< the model's time unit; default 604800 (weeks, as cxm_rfm_options) */
} cxm_tracking_options;

/** @brief Set `size` and the defaults (weekly periods from the first birth, every buyer, weeks). Ignores NULL. @since 0.2 */
CXM_API void cxm_tracking_options_init(cxm_tracking_options *options);

/**
 * @brief The tracking plot of a store's purchases: the repeat
 *        transactions a cohort actually made by the end of each period,
 *        and those a model expects (docs/purchase.md, "Tracking").
 *
 * A customer's purchases on one UTC day are one transaction and the first
 * is the birth (as cxm_store_rfm()). actual[j] counts the cohort's repeat
 * transactions on the days before the end of period j + 1; expected[j] is
 * cxm_model_tracking() over the cohort's birth days, measured from `from`
 * in `unit_seconds`. Periods run from `from`, of `period_seconds` each
 * (often past the calibration: the holdout part of the plot).
 * @param[out] actual `periods` cumulative values, or NULL.
 * @param[out] expected `periods` cumulative values, or NULL (then model
 *             may be NULL).
 * @param[in] periods 1..100000.
 * @param[in] store The store (read only).
 * @param[in] model A BG/NBD, MBG/NBD or Pareto/NBD model fitted in
 *            `unit_seconds`, when expected is not NULL.
 * @param[in] options NULL for the defaults.
 * @return CXM_OK; CXM_E_ARG (NULL store, both outputs NULL, or expected
 *         without a model); CXM_E_SIZE; CXM_E_VALUE for a bad count;
 *         CXM_E_OPTION for a period that is not whole days or a bad unit;
 *         CXM_E_WINDOW for bounds that are not UTC midnights or
 *         cohort_to <= from; CXM_E_NOMEM; the statuses of
 *         cxm_model_tracking().
 * @note Reads the store (see cxm/store.h for threads). @since 0.2
 */
CXM_API int32_t cxm_store_tracking(double *actual, double *expected, size_t periods, const cxm_store *store,
                                   const cxm_model *model, const cxm_tracking_options *options);

#ifdef __cplusplus
}
#endif

#endif /* CXM_PURCHASE_H */
