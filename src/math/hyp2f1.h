/* The Gauss hypergeometric function 2F1(a, b; c; z) for real arguments,
 * z < 1, as the purchase models need it (src/math/hyp2f1.c). Pure, thread-safe. */
#ifndef CXM_SRC_HYP2F1_H
#define CXM_SRC_HYP2F1_H

/* ln |2F1(a, b; c; z)| with its sign in *sign (+1 or -1), for real a, b,
 * c > 0 and z < 1. The value is returned as a logarithm because the purchase
 * models need 2F1 of parameters in the thousands, where it overflows a
 * double. Relative accuracy ~1e-12 when the terms keep one sign, for any
 * z < 1, except ~1e-7 when z is within 4e-5 of 1 (after the transformations
 * of hyp2f1.c) and c - a - b within 0.02 of an integer. At most a few hundred
 * series terms, except up to ~925 000 in that near-integer case; a budget
 * of 1 million terms per series, beyond which the result is NaN.
 * Returns NaN (and *sign 0) when c <= 0, z >= 1, an argument is NaN or
 * infinite, or the value is 0. */
double cxmi_hyp2f1_log(int *sign, double a, double b, double c, double z);

/* The same with 1 - z given by the caller (omz > 0), who can often compute
 * it without the cancellation of 1.0 - z when z is close to 1. */
double cxmi_hyp2f1_log2(int *sign, double a, double b, double c, double z, double omz);

#endif
