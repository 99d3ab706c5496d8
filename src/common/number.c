/* Locale-independent decimal parser; see number.h.
 *
 * strtod() obeys LC_NUMERIC, which a host application may have changed, so
 * values are parsed here. The exact path is Clinger's fast path (W. D.
 * Clinger, "How to Read Floating Point Numbers Accurately", PLDI 1990): when
 * the decimal significand m is an integer below 2^53 it is exact as a
 * double, and so is 10^k for k <= 22 (5^22 < 2^53), so m / 10^k is a single
 * IEEE division of exact operands and therefore correctly rounded.
 *
 * Fallback (more than 15-16 significant digits, or a fraction longer than
 * 22 digits after removing trailing zeros, values that event files do not
 * hold in practice): the first 19 significant digits are kept (the rest are
 * truncated), converted to double (one rounding) and multiplied or divided
 * by a correctly rounded power of ten (two more roundings), so the result
 * is within about two ulp of the correctly rounded one. Near DBL_MAX,
 * where those roundings could overflow, the digits are compared with the
 * exact overflow threshold instead. */
#include "common/number.h"

#include "cxm/common.h"

#include <float.h>
#include <string.h>

/* 10^k, k = 0..308, each correctly rounded by the compiler (C11 6.4.4.2
 * recommends it; GCC and Clang do it); exact for k <= 22. */
static const double pow10[309] = {
    1e0,   1e1,   1e2,   1e3,   1e4,   1e5,   1e6,   1e7,   1e8,   1e9,   1e10,  1e11,  1e12,  1e13,  1e14,  1e15,
    1e16,  1e17,  1e18,  1e19,  1e20,  1e21,  1e22,  1e23,  1e24,  1e25,  1e26,  1e27,  1e28,  1e29,  1e30,  1e31,
    1e32,  1e33,  1e34,  1e35,  1e36,  1e37,  1e38,  1e39,  1e40,  1e41,  1e42,  1e43,  1e44,  1e45,  1e46,  1e47,
    1e48,  1e49,  1e50,  1e51,  1e52,  1e53,  1e54,  1e55,  1e56,  1e57,  1e58,  1e59,  1e60,  1e61,  1e62,  1e63,
    1e64,  1e65,  1e66,  1e67,  1e68,  1e69,  1e70,  1e71,  1e72,  1e73,  1e74,  1e75,  1e76,  1e77,  1e78,  1e79,
    1e80,  1e81,  1e82,  1e83,  1e84,  1e85,  1e86,  1e87,  1e88,  1e89,  1e90,  1e91,  1e92,  1e93,  1e94,  1e95,
    1e96,  1e97,  1e98,  1e99,  1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107, 1e108, 1e109, 1e110, 1e111,
    1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119, 1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127,
    1e128, 1e129, 1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139, 1e140, 1e141, 1e142, 1e143,
    1e144, 1e145, 1e146, 1e147, 1e148, 1e149, 1e150, 1e151, 1e152, 1e153, 1e154, 1e155, 1e156, 1e157, 1e158, 1e159,
    1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167, 1e168, 1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175,
    1e176, 1e177, 1e178, 1e179, 1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189, 1e190, 1e191,
    1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199, 1e200, 1e201, 1e202, 1e203, 1e204, 1e205, 1e206, 1e207,
    1e208, 1e209, 1e210, 1e211, 1e212, 1e213, 1e214, 1e215, 1e216, 1e217, 1e218, 1e219, 1e220, 1e221, 1e222, 1e223,
    1e224, 1e225, 1e226, 1e227, 1e228, 1e229, 1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239,
    1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249, 1e250, 1e251, 1e252, 1e253, 1e254, 1e255,
    1e256, 1e257, 1e258, 1e259, 1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266, 1e267, 1e268, 1e269, 1e270, 1e271,
    1e272, 1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279, 1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287,
    1e288, 1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299, 1e300, 1e301, 1e302, 1e303,
    1e304, 1e305, 1e306, 1e307, 1e308};

/* 2^1024 - 2^970 in decimal: the smallest value that rounds to infinity
 * (a tie, rounded to even). */
static const char overflow_midpoint[] =
    "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416"
    "692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959"
    "622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

#define MAX_EXACT_MANTISSA (UINT64_C(1) << 53)
#define MAX_KEPT_DIGITS 19 /* 10^19 - 1 < 2^64 */

/* x * 10^e for the fallback, e of any sign: at most three roundings
 * (x itself, the table entry, the product) while the result is normal. */
static double scale10(double x, int64_t e) {
  if (x == 0.0) return 0.0;
  if (e > 308) return x * pow10[308] * pow10[e - 308 > 308 ? 308 : e - 308]; /* inf unless x is tiny; refused */
  if (e >= 0) return x * pow10[e];
  if (e >= -308) return x / pow10[-e];
  /* Subnormal or zero territory: two divisions. */
  x /= pow10[308];
  e += 308;
  return e >= -308 ? x / pow10[-e] : 0.0;
}

int32_t cxmi_number_parse(double *out, const char *s, size_t len) {
  size_t i = 0, int_start, int_end, frac_start = 0, frac_end = 0;
  int negative = 0;
  uint64_t m = 0;
  int kept = 0;          /* significant digits folded into m */
  int64_t dropped = 0;   /* integer digits not folded into m (fallback) */
  int64_t frac_used = 0; /* fraction digits folded into m */
  int exact = 1;
  double v;

  if (out == NULL || s == NULL || len == 0) return CXM_E_VALUE;
  if (s[0] == '-') {
    negative = 1;
    i = 1;
  }
  int_start = i;
  while (i < len && s[i] >= '0' && s[i] <= '9') i++;
  int_end = i;
  if (int_end == int_start) return CXM_E_VALUE;
  if (i < len) {
    if (s[i] != '.') return CXM_E_VALUE;
    frac_start = ++i;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++;
    frac_end = i;
    if (frac_end == frac_start || i != len) return CXM_E_VALUE;
    /* Trailing fraction zeros change nothing: "4.000" is 4. */
    while (frac_end > frac_start && s[frac_end - 1] == '0') frac_end--;
  }

  for (i = int_start; i < int_end; i++) {
    unsigned digit = (unsigned)(s[i] - '0');
    if (kept == 0 && digit == 0) continue; /* leading zeros */
    if (kept < MAX_KEPT_DIGITS) {
      m = m * 10 + digit;
      kept++;
    } else {
      dropped++;
      if (digit != 0) exact = 0;
    }
  }
  for (i = frac_start; i < frac_end; i++) {
    unsigned digit = (unsigned)(s[i] - '0');
    if (kept == 0 && digit == 0) {
      frac_used++; /* leading zeros of 0.00x still scale */
      continue;
    }
    if (kept < MAX_KEPT_DIGITS) {
      m = m * 10 + digit;
      kept++;
      frac_used++;
    } else {
      exact = 0;
      break;
    }
  }

  if (exact && dropped == 0 && m < MAX_EXACT_MANTISSA && frac_used <= 22) {
    v = frac_used == 0 ? (double)m : (double)m / pow10[frac_used];
  } else {
    v = scale10((double)m, dropped - frac_used);
  }
  /* inf is the only non-finite outcome; v - v is NaN exactly then. The
   * fallback's roundings can overflow for a text just below the largest
   * double (DBL_MAX printed in full, 309 digits): every text below
   * 2^1024 - 2^970, the midpoint between DBL_MAX and 2^1024, rounds to
   * DBL_MAX, so the digits are compared with that midpoint exactly (a text
   * equal to it is a tie that rounds to even, 2^1024: refused). */
  if (v - v != 0.0) {
    size_t first = int_start;
    while (first < int_end && s[first] == '0') first++;
    if (int_end - first != sizeof overflow_midpoint - 1 ||
        memcmp(s + first, overflow_midpoint, sizeof overflow_midpoint - 1) >= 0)
      return CXM_E_VALUE;
    v = DBL_MAX;
  }
  if (negative && v != 0.0) v = -v;
  *out = v;
  return CXM_OK;
}

int cxmi_number_text_in(const char *s, size_t len, double lo, double hi, int whole) {
  size_t i = 0, int_end;
  int negative = 0, fraction = 0, nonzero = 0;
  double int_part;
  if (s == NULL || len == 0) return 0;
  if (s[0] == '-') i = negative = 1;
  for (int_end = i; int_end < len && s[int_end] != '.'; int_end++)
    if (s[int_end] != '0') nonzero = 1;
  for (i = int_end + 1; i < len; i++)
    if (s[i] != '0') fraction = 1;
  if (whole && fraction) return 0;
  /* A '-' before any nonzero digit: below 0, so below lo (never 0 itself:
   * "-0.0" is zero). */
  if (negative && (nonzero || fraction)) return 0;
  if (cxmi_number_parse(&int_part, s + negative, int_end - (size_t)negative) != CXM_OK) return 0;
  /* The integer part of a whole-numbered bound compares exactly: the text
   * is above hi when its integer part is, or equals hi with a fraction;
   * below lo when its integer part (its floor) is. */
  if (int_part > hi || (int_part == hi && fraction)) return 0;
  return int_part >= lo;
}
