/* Unconstrained minimisation by L-BFGS with a weak-Wolfe line search
 * (src/math/optimize.c). The purchase models minimise their mean negative
 * log-likelihood over the logarithms of their parameters, which keeps every
 * parameter positive without constraints. No allocation, no state. */
#ifndef CXM_SRC_OPTIMIZE_H
#define CXM_SRC_OPTIMIZE_H

#include <stddef.h>
#include <stdint.h>

/* Largest number of variables. */
#define CXMI_OPT_MAX_N 16

/* f(theta) and its gradient (written to grad[0..n)). May return NaN or
 * +inf where f is undefined; the line search then steps back. */
typedef double (*cxmi_objective)(void *ctx, const double *theta, double *grad);

typedef struct cxmi_opt_result {
  int converged;       /* 1: the gradient test passed */
  int32_t iterations;  /* L-BFGS iterations */
  int32_t evaluations; /* calls of the objective */
  double f;            /* f at the returned theta */
  double grad_norm;    /* max |grad| at the returned theta */
  int out_of_time;     /* 1: stopped because max_seconds ran out */
} cxmi_opt_result;

/* Minimise from theta[0..n) (1 <= n <= CXMI_OPT_MAX_N), leaving the best
 * point found in theta. Stops with converged = 1 when max |grad_i| <= gtol,
 * or when f no longer decreases (relative change below 1e-15 twice) while
 * max |grad_i| <= 1000 gtol (the floor of rounding); with converged = 0
 * after max_iter iterations, when the line search fails, when f is not
 * finite at the start, or (out_of_time = 1) when more than max_seconds of
 * monotonic time have passed (checked before every evaluation; <= 0: no
 * limit). At most max_iter * 62 + 1 evaluations of fn (fn must be a
 * function of theta alone: a line search that finds no step meeting both
 * Wolfe conditions ends on the last one meeting the first, with the value
 * and gradient it kept from that step's evaluation). An iteration that
 * leaves the whole state (theta, f, gradient, memory) unchanged bit for bit
 * ends the run at once with the max_iter result (iterations = max_iter, and
 * evaluations counted as if the repeats were made): every later iteration
 * would repeat it exactly, so the answer no longer depends on how many of
 * them the clock allows. */
void cxmi_minimize(cxmi_opt_result *res, double *theta, size_t n, cxmi_objective fn, void *ctx, int32_t max_iter,
                   double gtol, double max_seconds);

#endif
