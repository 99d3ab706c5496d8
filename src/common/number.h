/* Locale-independent decimal numbers for event values (docs/events.md,
 * "Numbers"). */
#ifndef CXM_SRC_NUMBER_H
#define CXM_SRC_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/* Parse `-?[0-9]+(\.[0-9]+)?` (no '+', no exponent, no hex, no inf/nan, no
 * spaces, not empty) into *out. The result is the correctly rounded double
 * (round-half-even) whenever the significant digits, trailing fraction
 * zeros removed, form an integer below 2^53 and there are at most 22 of
 * them after the point; otherwise it is within a few ulp of it (see
 * number.c). "-0" gives +0.0. Returns CXM_OK, or CXM_E_VALUE with *out
 * unchanged (also when the result would not be finite). */
int32_t cxmi_number_parse(double *out, const char *s, size_t len);

/* Whether the decimal text `s` (valid for cxmi_number_parse) lies within
 * [lo, hi] and, when `whole` is set, has no nonzero digit after the point,
 * judged on the text itself, not on the rounded double: "8.99...9" (30
 * nines) rounds to 9 but is not whole; "10.00...01" rounds to 10 but is
 * above 10; "-0.00...01" rounds to 0 but is below it. `lo` and `hi` must be
 * whole numbers (hi may be infinity) and lo >= 0. */
int cxmi_number_text_in(const char *s, size_t len, double lo, double hi, int whole);

#endif
