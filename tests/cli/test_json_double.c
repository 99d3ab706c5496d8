/* cli_json_format_double() (src/cli/json.c) against the reference it must
 * match byte for byte: the first of %.15g, %.16g and %.17g that strtod()
 * reads back as the value (the only algorithm the command used before its
 * integer path, format_exact(), existed; written out again here, sharing
 * no code with json.c). Every double the command prints goes through it,
 * so a difference would change `cxm churn --json` and `cxm report --json`.
 *
 *   test_json_double [ITERATIONS [SEED]]
 *
 * ITERATIONS (default 1 000 000; meson test runs 150 000) doubles of each
 * random class below, plus the edge cases: uniformly random bit patterns;
 * random mantissas with
 * exponents across the integer path's range [1e-6, 1e15) and a little
 * beyond; decimals of 1 to 17 significant digits read by strtod and their
 * neighbours (values whose %.15g or %.16g reads back only just, or only
 * just not); decimals ending in 5 one digit past 15, 16 and 17 digits and
 * their neighbours (printf's ties and near-ties); powers of two and ten and
 * their neighbours; subnormals; DBL_MIN, DBL_MAX; values that round up to
 * the next power of ten; the %g layout's switches at 1e-4 and 10^p. Each
 * is printed with both signs. Exit status 0 when all agree and read back;
 * 1 with the first differences otherwise. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static uint64_t state;

static uint64_t next_u64(void) {
  /* splitmix64 */
  uint64_t z = (state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static double from_bits(uint64_t b) {
  double v;
  memcpy(&v, &b, sizeof v);
  return v;
}

static uint64_t to_bits(double v) {
  uint64_t b;
  memcpy(&b, &v, sizeof b);
  return b;
}

static void reference(char *buf, size_t cap, double v) {
  if (!isfinite(v)) {
    snprintf(buf, cap, "null");
    return;
  }
  for (int precision = 15; precision < 17; precision++) {
    snprintf(buf, cap, "%.*g", precision, v);
    if (strtod(buf, NULL) == v) return;
  }
  snprintf(buf, cap, "%.17g", v);
}

static unsigned long long checked, failures;

static void check(double v) {
  char got[CLI_JSON_NUMBER_SIZE], want[64];
  for (int sign = 0; sign < 2; sign++, v = -v) {
    checked++;
    cli_json_format_double(got, sizeof got, v);
    reference(want, sizeof want, v);
    /* Whole numbers: a third path of json.c, also %.15g's text. */
    if (strcmp(got, want) != 0 || (isfinite(v) && strtod(got, NULL) != v)) {
      if (++failures <= 20) fprintf(stderr, "bits 0x%016" PRIx64 ": got %s, printf %s\n", to_bits(v), got, want);
    }
  }
}

/* v and its n neighbours on either side. */
static void check_around(double v, int n) {
  double lo = v, hi = v;
  check(v);
  for (int i = 0; i < n; i++) {
    lo = nextafter(lo, -INFINITY);
    hi = nextafter(hi, INFINITY);
    check(lo);
    check(hi);
  }
}

/* A random decimal of `digits` significant digits with exponent e10,
 * optionally followed by a 5 (a tie one digit further), read by strtod. */
static double random_decimal(int digits, int e10, int tie) {
  char text[64];
  size_t k = 0;
  text[k++] = (char)('1' + next_u64() % 9);
  if (digits > 1 || tie) text[k++] = '.';
  for (int i = 1; i < digits; i++) text[k++] = (char)('0' + next_u64() % 10);
  if (tie) text[k++] = '5';
  snprintf(text + k, sizeof text - k, "e%d", e10);
  return strtod(text, NULL);
}

static void edge_cases(void) {
  check(0.0);
  check(DBL_MIN);
  check(DBL_MAX);
  check(DBL_TRUE_MIN);
  check(DBL_EPSILON);
  check(INFINITY);
  check(NAN);
  check_around(DBL_MIN, 3);
  check_around(DBL_MAX, 3);
  check_around(DBL_TRUE_MIN, 3);
  check_around(from_bits(0x000FFFFFFFFFFFFFu), 3);                                    /* largest subnormal */
  for (int i = 0; i < 10000; i++) check(from_bits(next_u64() & 0x000FFFFFFFFFFFFFu)); /* subnormals */
  for (int e = -1074; e <= 1023; e++) check_around(ldexp(1.0, e), 2);
  for (int e = -330; e <= 310; e++) {
    char text[32];
    snprintf(text, sizeof text, "1e%d", e);
    check_around(strtod(text, NULL), 4);
    /* just below a power of ten, where p digits round up to 10^p */
    for (int p = 14; p <= 18; p++) {
      char nines[48];
      memset(nines, '9', (size_t)p);
      snprintf(nines + p, sizeof nines - (size_t)p, "e%d", e - p);
      check_around(strtod(nines, NULL), 3);
    }
  }
  /* %g's layout: the switch to exponent form below 1e-4 and from 10^p on */
  static const double layout[] = {1e-4,
                                  9.99999999999999e-5,
                                  1e-5,
                                  1.5e-5,
                                  0.000123456789012345,
                                  0.00012345678901234567,
                                  1e14,
                                  1e15,
                                  1e16,
                                  1e17,
                                  999999999999999.9,
                                  123456789012345.67,
                                  0.1,
                                  0.2,
                                  0.3,
                                  1.0 / 3.0,
                                  2.0 / 3.0,
                                  3.141592653589793,
                                  2.718281828459045,
                                  0.5};
  for (size_t i = 0; i < sizeof layout / sizeof layout[0]; i++) check_around(layout[i], 8);
  /* whole numbers, including those the integer path leaves to printf */
  for (int i = 0; i <= 100000; i++) check_around((double)i, 1);
  for (int e = 0; e < 64; e++) check_around(ldexp(1.0, e) - 1.0, 2);
}

int main(int argc, char **argv) {
  unsigned long long iterations = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000u;
  uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 12;
  state = seed;
  edge_cases();
  for (unsigned long long i = 0; i < iterations; i++) {
    /* any bit pattern */
    check(from_bits(next_u64()));
    /* a random mantissa, |v| in about [2^-26, 2^53): 1e-8 .. 9e15 */
    uint64_t be = 1023 - 26 + next_u64() % 80;
    check(from_bits((be << 52) | (next_u64() & 0x000FFFFFFFFFFFFFu)));
    /* decimals of 1..17 digits and their neighbours; exponents mostly in
     * the integer path's range, sometimes anywhere */
    int digits = 1 + (int)(next_u64() % 17);
    int e10 = next_u64() % 8 == 0 ? (int)(next_u64() % 600) - 300 : (int)(next_u64() % 26) - 9;
    check_around(random_decimal(digits, e10, 0), 2);
    /* ties one digit past 15, 16 and 17 digits */
    check_around(random_decimal(15 + (int)(next_u64() % 3), e10, 1), 1);
  }
  printf("%llu doubles (seed %" PRIu64 "): %llu differ from printf's text\n", checked, seed, failures);
  return failures == 0 ? 0 : 1;
}
