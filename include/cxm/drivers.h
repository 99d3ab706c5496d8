/**
 * @file cxm/drivers.h
 * @brief Key driver analysis: how much each attribute rating (SERVQUAL
 *        perception dimensions, generic ratings) drives an outcome (NPS,
 *        CSAT, CES answer, or promoter yes/no), by Johnson's relative
 *        weights, the Shapley (LMG) decomposition of R², logistic relative
 *        weights for a binary outcome, seeded bootstrap intervals, and the
 *        importance-performance quadrants.
 *
 * Input is one row per respondent: the outcome y and p attribute ratings,
 * NaN where the respondent gave no answer; rows with any NaN are dropped
 * (listwise deletion) and the number used is reported. Formulas and
 * sources are in docs/drivers.md.
 *
 * Thread-safety: a fit is immutable once made; distinct fits may be made
 * from distinct threads. Results depend only on the input and the seed.
 */
#ifndef CXM_DRIVERS_H
#define CXM_DRIVERS_H

#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest number of attributes of a driver analysis. */
#define CXM_DRIVERS_MAX 15

/**
 * @brief Outcome kinds (as `int32_t`; values never renumbered).
 * @since 0.1
 */
enum cxm_drivers_outcome {
  CXM_DRIVERS_LINEAR = 1, /**< a rating such as the NPS 0-10 answer: Johnson's weights and Shapley R² */
  CXM_DRIVERS_BINARY = 2  /**< 0/1 such as promoter yes/no: logistic relative weights */
};

/**
 * @brief Importance-performance quadrants (as `int32_t`; never renumbered).
 *        Importance is high when an attribute's share of R² exceeds 1/p;
 *        performance is high when its 0-100 score exceeds the mean score of
 *        the attributes.
 * @since 0.1
 */
enum cxm_drivers_quadrant {
  CXM_QUADRANT_FIX_FIRST = 1,   /**< high importance, low performance */
  CXM_QUADRANT_STRENGTH = 2,    /**< high importance, high performance */
  CXM_QUADRANT_MAINTAIN = 3,    /**< low importance, high performance */
  CXM_QUADRANT_LOW_PRIORITY = 4 /**< low importance, low performance */
};

/**
 * @brief Options. Initialise with cxm_drivers_options_init().
 * @since 0.1
 */
typedef struct cxm_drivers_options {
  size_t size;       /**< sizeof(cxm_drivers_options) */
  int32_t outcome;   /**< enum cxm_drivers_outcome; default CXM_DRIVERS_LINEAR */
  int32_t bootstrap; /**< bootstrap replicates, 0 (none) .. 100000; default 200 */
  uint64_t seed;     /**< bootstrap seed; default 1 */
  double conf_level; /**< percentile interval level in (0, 1); default 0.95 */
  double scale_min;  /**< lowest possible rating; default 1 (SERVQUAL's 1..7) */
  double scale_max;  /**< highest possible rating, > scale_min; default 7 */
} cxm_drivers_options;

/**
 * @brief Set the defaults.
 * @param[out] opt The options; NULL is ignored.
 * @since 0.1
 */
CXM_API void cxm_drivers_options_init(cxm_drivers_options *opt);

/** @brief A driver analysis (opaque). @since 0.1 */
typedef struct cxm_drivers cxm_drivers;

/**
 * @brief Run a driver analysis.
 * @param[out] out   The result; free with cxm_drivers_free(). Untouched on error.
 * @param[in]  alloc Allocator hooks, or NULL.
 * @param[in]  y     Outcome per row (NaN: missing); 0 or 1 for CXM_DRIVERS_BINARY.
 * @param[in]  x     Ratings, row-major n x p (NaN: missing), within
 *                   [scale_min, scale_max].
 * @param[in]  n     Rows.
 * @param[in]  p     Attributes, 2 .. CXM_DRIVERS_MAX.
 * @param[in]  opt   Options, or NULL for the defaults.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_OPTION; CXM_E_VALUE (a value
 *         out of range or infinite, an attribute or outcome without
 *         variance, or collinear attributes); CXM_E_NO_DATA (fewer than
 *         p + 2 complete rows); CXM_E_CONVERGE (the logistic regression did
 *         not converge, e.g. separation); CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_drivers_fit(cxm_drivers **out, const cxm_allocator *alloc, const double *y, const double *x,
                                size_t n, size_t p, const cxm_drivers_options *opt);

/**
 * @brief Free a result. NULL is accepted.
 * @param[in] d The result.
 * @since 0.1
 */
CXM_API void cxm_drivers_free(cxm_drivers *d);

/**
 * @brief Summary of an analysis. Initialise `size` with sizeof(cxm_drivers_summary).
 * @since 0.1
 */
typedef struct cxm_drivers_summary {
  size_t size;          /**< sizeof(cxm_drivers_summary) */
  uint64_t n_rows;      /**< rows given */
  uint64_t n_used;      /**< complete rows used (listwise deletion) */
  int32_t p;            /**< attributes */
  int32_t outcome;      /**< enum cxm_drivers_outcome */
  double r2;            /**< R² (linear), or corr(y, fitted probability)² (binary) */
  int32_t bootstrap;    /**< replicates asked */
  int32_t bootstrap_ok; /**< replicates that could be fitted and enter the intervals */
} cxm_drivers_summary;

/**
 * @brief Read the summary.
 * @param[out] sum Filled; `size` must be sizeof(cxm_drivers_summary).
 * @param[in]  d   The result.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE.
 * @since 0.1
 */
CXM_API int32_t cxm_drivers_summary_get(cxm_drivers_summary *sum, const cxm_drivers *d);

/**
 * @brief One attribute's result. Initialise `size` with sizeof(cxm_driver).
 * @since 0.1
 */
typedef struct cxm_driver {
  size_t size;       /**< sizeof(cxm_driver) */
  double weight;     /**< relative weight (Johnson, or logistic); the weights sum to r2 */
  double share;      /**< weight / r2 * 100, percent */
  double shapley;    /**< Shapley (LMG) share of R²; they sum to r2; NaN for a binary outcome */
  double lower;      /**< bootstrap percentile interval of the weight; NaN without bootstrap */
  double upper;      /**< upper bound */
  double diff_lower; /**< interval of weight - weight of a random variable (Tonidandel, LeBreton & Johnson 2009) */
  double diff_upper; /**< upper bound */
  int32_t
      covers_zero; /**< 1 when [diff_lower, diff_upper] covers 0: not distinguishable from noise; 0 without bootstrap */
  double mean_rating; /**< mean rating over the rows used */
  double performance; /**< mean rating on 0-100: (mean - scale_min) / (scale_max - scale_min) * 100 */
  int32_t quadrant;   /**< enum cxm_drivers_quadrant */
} cxm_driver;

/**
 * @brief Read attribute j's result.
 * @param[out] drv Filled; `size` must be sizeof(cxm_driver).
 * @param[in]  d   The result.
 * @param[in]  j   0 .. p - 1, in the order of the columns of x.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_NOT_FOUND.
 * @since 0.1
 */
CXM_API int32_t cxm_drivers_get(cxm_driver *drv, const cxm_drivers *d, size_t j);

/** Attributes of cxm_store_driver_rows(): the five SERVQUAL dimensions. */
#define CXM_DRIVERS_SERVQUAL 5

/**
 * @brief Outcomes a store can give (as `int32_t`; values never renumbered).
 * @since 0.1
 */
enum cxm_drivers_store_outcome {
  CXM_DRIVERS_NPS = 1,     /**< the customer's latest NPS answer, 0..10 */
  CXM_DRIVERS_PROMOTER = 2 /**< 1 when that answer is 9 or 10, else 0 */
};

/**
 * @brief Respondent rows of a store for cxm_drivers_fit(): one per customer,
 *        the outcome from its latest NPS answer and, as attributes, its mean
 *        SERVQUAL perception answer (1..7) per dimension (tangibles,
 *        reliability, responsiveness, assurance, empathy, in that order).
 *        NaN where the customer has no such answer (cxm_drivers_fit() then
 *        drops the row).
 * @param[out] y        `capacity` outcomes (may be NULL when capacity is 0).
 * @param[out] x        `capacity` x CXM_DRIVERS_SERVQUAL ratings, row-major (may be NULL when capacity is 0).
 * @param[out] rows     The number of rows (customers, in handle order), also
 *                      when the buffers are too small.
 * @param[in]  store    The store (read only).
 * @param[in]  outcome  enum cxm_drivers_store_outcome.
 * @param[in]  capacity Rows the buffers hold.
 * @return CXM_OK; CXM_E_ARG; CXM_E_OPTION (unknown outcome); CXM_E_BUFFER
 *         (capacity below the number of customers; call again with *rows);
 *         CXM_E_NOMEM.
 * @since 0.1
 */
CXM_API int32_t cxm_store_driver_rows(double *y, double *x, size_t *rows, const cxm_store *store, int32_t outcome,
                                      size_t capacity);

/**
 * @brief Whose answers form a row of cxm_store_driver_table() (as
 *        `int32_t`; values never renumbered).
 * @since 0.2
 */
enum cxm_drivers_respondent {
  CXM_DRIVERS_BY_CUSTOMER = 1, /**< one row per customer: its latest NPS answer, its mean rating per attribute */
  CXM_DRIVERS_BY_REF = 2       /**< one row per interaction ref with a rating: the latest NPS answer and the
                                    mean ratings given on that ref */
};

/**
 * @brief Options of cxm_store_driver_table(). Initialise with
 *        cxm_driver_table_options_init().
 * @since 0.2
 */
typedef struct cxm_driver_table_options {
  size_t size;        /**< sizeof(cxm_driver_table_options) */
  int32_t outcome;    /**< enum cxm_drivers_store_outcome; default CXM_DRIVERS_NPS */
  int32_t respondent; /**< enum cxm_drivers_respondent; default CXM_DRIVERS_BY_CUSTOMER */
} cxm_driver_table_options;

/**
 * @brief Set the defaults (the NPS answer, one row per customer).
 * @param[out] opt The options; NULL is ignored.
 * @note Thread-safe. @since 0.2
 */
CXM_API void cxm_driver_table_options_init(cxm_driver_table_options *opt);

/**
 * @brief Respondent rows of a store for cxm_drivers_fit(), with every
 *        attribute the store holds: the five SERVQUAL perception dimensions
 *        (columns 0..4: tangibles, reliability, responsiveness, assurance,
 *        empathy), then each `rating` attribute in code order (column
 *        4 + code; its label from cxm_store_attribute_name()). A cell is the
 *        respondent's mean answer (1..7) to that attribute, NaN without one;
 *        the outcome is NaN without an NPS answer (docs/drivers.md).
 *
 * By customer, rows are the customers in handle order, the outcome their
 * latest NPS answer (as cxm_store_driver_rows()). By ref, rows are the
 * distinct refs of the store's `rating` events and of its `perception`
 * events that carry a ref, in order of first appearance; the outcome is
 * the latest NPS answer carrying that ref (ties in time: the later
 * recorded), the cells the mean answers carrying it.
 * @param[out] y        `capacity` outcomes (may be NULL when capacity is 0).
 * @param[out] x        `capacity` x `*cols` cells, row-major (may be NULL when capacity is 0).
 * @param[out] rows     The number of rows, also when the buffers are too small.
 * @param[out] cols     The number of columns, CXM_DRIVERS_SERVQUAL + the store's attributes.
 * @param[in]  store    The store (read only).
 * @param[in]  opt      Options, or NULL for the defaults.
 * @param[in]  capacity Rows the buffers hold.
 * @return CXM_OK; CXM_E_ARG; CXM_E_SIZE; CXM_E_OPTION (an unknown outcome or
 *         respondent); CXM_E_BUFFER (capacity below *rows; call again);
 *         CXM_E_NOMEM. On error y and x are unchanged.
 * @note Safe beside other readers of the store. @since 0.2
 */
CXM_API int32_t cxm_store_driver_table(double *y, double *x, size_t *rows, size_t *cols, const cxm_store *store,
                                       const cxm_driver_table_options *opt, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif /* CXM_DRIVERS_H */
