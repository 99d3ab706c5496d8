/* The Gauss hypergeometric function 2F1(a, b; c; z) for real arguments,
 * z < 1, as the purchase models need it (src/hyp2f1.c). Pure, thread-safe. */
#ifndef CXM_SRC_HYP2F1_H
#define CXM_SRC_HYP2F1_H

/* ln |2F1(a, b; c; z)| with its sign in *sign (+1 or -1), for real a, b,
 * c > 0 and z < 1. The value is returned as a logarithm because the purchase
 * models need 2F1 of parameters in the thousands, where it overflows a
 * double. Relative accuracy ~1e-14 when the terms keep one sign; the cost
 * grows like 1 / (1 - |w|) terms, where w is z after the transformation
 * chosen (see hyp2f1.c), so it is slow only when z is within ~1e-4 of 1.
 * Returns NaN (and *sign 0) when c <= 0, z >= 1, an argument is NaN, the
 * value is 0, or the series has not converged after 4 million terms. */
double cxmi_hyp2f1_log(int *sign, double a, double b, double c, double z);

#endif
