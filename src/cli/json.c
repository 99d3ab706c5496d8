/* Streaming JSON writer (see json.h). */
#include "json.h"

#include "unicode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cli_json_init(cli_json *j, FILE *out, int pretty) {
  memset(j, 0, sizeof *j);
  j->out = out;
  j->pretty = pretty;
}

static void newline_indent(cli_json *j) {
  int i;
  fputc('\n', j->out);
  for (i = 0; i < j->depth; i++) {
    fputs("  ", j->out);
  }
}

/* Separator and indentation before a value or key in the current container. */
static void before_item(cli_json *j) {
  if (j->after_key) {
    j->after_key = 0;
    return;
  }
  if (j->depth == 0) {
    return;
  }
  if (j->count[j->depth - 1] > 0) {
    fputc(',', j->out);
    if (j->pretty && j->kind[j->depth - 1] == '[') {
      fputc(' ', j->out);
    }
  }
  j->count[j->depth - 1]++;
  if (j->pretty && j->kind[j->depth - 1] == '{') {
    newline_indent(j);
  }
}

static void open_container(cli_json *j, char kind) {
  before_item(j);
  fputc(kind, j->out);
  if (j->depth < CLI_JSON_MAX_DEPTH) {
    j->kind[j->depth] = kind;
    j->count[j->depth] = 0;
    j->depth++;
  }
}

static void close_container(cli_json *j, char close) {
  int had_members;
  if (j->depth == 0) {
    return;
  }
  had_members = j->count[j->depth - 1] > 0;
  j->depth--;
  if (j->pretty && close == '}' && had_members) {
    newline_indent(j);
  }
  fputc(close, j->out);
  if (j->depth == 0) {
    fputc('\n', j->out);
  }
}

void cli_json_object_begin(cli_json *j) { open_container(j, '{'); }
void cli_json_object_end(cli_json *j) { close_container(j, '}'); }
void cli_json_array_begin(cli_json *j) { open_container(j, '['); }
void cli_json_array_end(cli_json *j) { close_container(j, ']'); }

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 when it is invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t len) {
  unsigned char c = s[0];
  size_t n, i;
  if (c < 0x80) {
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
  } else {
    return 0;
  }
  if (len < n) {
    return 0;
  }
  for (i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      return 0;
    }
  }
  if (c == 0xE0 && s[1] < 0xA0) {
    return 0; /* overlong */
  }
  if (c == 0xED && s[1] >= 0xA0) {
    return 0; /* surrogate */
  }
  if (c == 0xF0 && s[1] < 0x90) {
    return 0; /* overlong */
  }
  if (c == 0xF4 && s[1] >= 0x90) {
    return 0; /* above U+10FFFF */
  }
  return n;
}

static void write_string(FILE *out, const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;
  fputc('"', out);
  while (i < len) {
    unsigned char c = s[i];
    size_t n;
    /* A run of printable ASCII that needs no escape (ids, keys, labels:
     * nearly every byte), written at once rather than byte by byte; the
     * same bytes as the cases below write for it one at a time. */
    for (n = i; n < len && s[n] >= 0x20 && s[n] < 0x7F && s[n] != '"' && s[n] != '\\'; n++) {
    }
    if (n > i) {
      fwrite(s + i, 1, n - i, out);
      i = n;
      continue;
    }
    switch (c) {
    case '"':
      fputs("\\\"", out);
      i++;
      continue;
    case '\\':
      fputs("\\\\", out);
      i++;
      continue;
    case '\n':
      fputs("\\n", out);
      i++;
      continue;
    case '\r':
      fputs("\\r", out);
      i++;
      continue;
    case '\t':
      fputs("\\t", out);
      i++;
      continue;
    case '\b':
      fputs("\\b", out);
      i++;
      continue;
    case '\f':
      fputs("\\f", out);
      i++;
      continue;
    default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      fprintf(out, "\\u%04x", (unsigned)c);
      i++;
      continue;
    }
    {
      /* Invisible format characters as escapes (unicode.h): the same
       * string to a JSON reader, and a label cannot reverse a terminal
       * line. Above U+FFFF, as JSON's UTF-16 surrogate pair. */
      uint32_t cp;
      n = cli_format_char(&cp, s + i, len - i);
      if (n > 0) {
        if (cp > 0xFFFF)
          fprintf(out, "\\u%04x\\u%04x", (unsigned)(0xD800 + ((cp - 0x10000) >> 10)),
                  (unsigned)(0xDC00 + ((cp - 0x10000) & 0x3FF)));
        else
          fprintf(out, "\\u%04x", (unsigned)cp);
        i += n;
        continue;
      }
    }
    n = utf8_sequence(s + i, len - i);
    if (n == 0) {
      fputs("\\ufffd", out);
      i++;
      continue;
    }
    fwrite(s + i, 1, n, out);
    i += n;
  }
  fputc('"', out);
}

void cli_json_key(cli_json *j, const char *key, size_t len) {
  before_item(j);
  write_string(j->out, key, len);
  fputs(j->pretty ? ": " : ":", j->out);
  j->after_key = 1;
}

void cli_json_keyz(cli_json *j, const char *key) { cli_json_key(j, key, strlen(key)); }

void cli_json_string(cli_json *j, const char *s, size_t len) {
  before_item(j);
  write_string(j->out, s, len);
}

void cli_json_stringz(cli_json *j, const char *s) { cli_json_string(j, s, strlen(s)); }

void cli_json_uint(cli_json *j, uint64_t v) {
  before_item(j);
  fprintf(j->out, "%llu", (unsigned long long)v);
}

void cli_json_int(cli_json *j, int64_t v) {
  before_item(j);
  fprintf(j->out, "%lld", (long long)v);
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 json_u128;

/* 10^k, 0 <= k <= 22, exactly. */
static json_u128 pow10_u128(int k) {
  static const uint64_t p[20] = {1u,
                                 10u,
                                 100u,
                                 1000u,
                                 10000u,
                                 100000u,
                                 1000000u,
                                 10000000u,
                                 100000000u,
                                 1000000000u,
                                 10000000000u,
                                 100000000000u,
                                 1000000000000u,
                                 10000000000000u,
                                 100000000000000u,
                                 1000000000000000u,
                                 10000000000000000u,
                                 100000000000000000u,
                                 1000000000000000000u,
                                 10000000000000000000u};
  return k < 20 ? (json_u128)p[k] : (json_u128)p[19] * p[k - 19];
}

/* What the loop of cli_json_format_double() below writes (the first of
 * %.15g, %.16g and %.17g that strtod() reads back as v), computed in
 * integers, for a normal |v| in [1e-6, 1e15), which is nearly every
 * number the command prints: v = m 2^-s exactly (m < 2^53, 1 <= s <= 72),
 * so v 10^k = m 10^k / 2^s with m 10^k < 2^127 for k <= 22. For each
 * precision p, the p significant digits are q = m 10^k / 2^s rounded to
 * nearest, ties to even (as glibc's printf rounds the exact value); q /
 * 10^k reads back as v when it lies within v's rounding interval: half a
 * unit in the last place on either side (a quarter below a power of two,
 * where the next double down is nearer), the bound itself included when m
 * is even (strtod rounds a tie to even). Then %g's layout: trailing zeros
 * dropped, exponent form below 1e-4 or from 10^p on. Returns -1, writing
 * nothing, for any other v. In this range no decimal of 16 digits or
 * fewer lies exactly on a bound of the interval (a midpoint between two
 * doubles has more than 17 significant digits), and the quarter below a
 * power of two changes no answer (every power of two and its neighbours
 * are among the test's cases); both rules are kept as the general ones.
 * tests/cli/test_json_double.c compares this with the printf loop over
 * millions of random and edge-case doubles. */
static int format_exact(char *buf, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  int be = (int)((bits >> 52) & 0x7ff);
  if (be == 0 || be == 0x7ff) return -1; /* zero, subnormal, not finite */
  uint64_t m = (bits & (((uint64_t)1 << 52) - 1)) | ((uint64_t)1 << 52);
  int s = 1075 - be; /* v = m 2^-s */
  int e2 = be - 1023;
  /* floor(e2 log10(2)), exact for |e2| < 1650 (Ryu's log10Pow2); the
   * decimal exponent is it or one more. */
  int e10 = (int)(((int32_t)e2 * 78913) >> 18);
  if (e10 < -6 || e10 > 14 || s < 1 || s > 72) return -1;
  json_u128 mask, n, q, rem, half;
  if (((json_u128)m * pow10_u128(16 - e10)) >> s >= pow10_u128(17)) e10++;
  if (e10 > 14) return -1;
  mask = ((json_u128)1 << s) - 1;
  half = (json_u128)1 << (s - 1);
  for (int p = 15; p <= 17; p++) {
    int k = p - 1 - e10;
    json_u128 scale = pow10_u128(k), diff;
    int up;
    n = (json_u128)m * scale;
    q = n >> s;
    rem = n & mask;
    up = rem > half || (rem == half && (q & 1) != 0);
    if (up) {
      q++;
      diff = ((json_u128)1 << s) - rem;
    } else {
      diff = rem;
    }
    if (p < 17) {
      /* Below v at a power of two (m = 2^52, a normal below it), the
       * interval's lower half is half as wide. */
      json_u128 twice = (!up && rem != 0 && m == ((uint64_t)1 << 52) && be > 1) ? 4 * diff : 2 * diff;
      if (!(twice < scale || (twice == scale && (m & 1) == 0))) continue;
    }
    /* q has p digits, or p + 1 (10^p) when rounding carried. */
    int x = e10;
    char digits[24];
    int nd = p;
    if (q == pow10_u128(p)) {
      q = pow10_u128(p - 1);
      x++;
    }
    uint64_t u = (uint64_t)q;
    for (int i = p - 1; i >= 0; i--) {
      digits[i] = (char)('0' + u % 10);
      u /= 10;
    }
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    char *o = buf;
    if (v < 0) *o++ = '-';
    if (x < -4 || x >= p) {
      *o++ = digits[0];
      if (nd > 1) {
        *o++ = '.';
        memcpy(o, digits + 1, (size_t)(nd - 1));
        o += nd - 1;
      }
      int ax = x < 0 ? -x : x;
      *o++ = 'e';
      *o++ = x < 0 ? '-' : '+';
      *o++ = (char)('0' + ax / 10);
      *o++ = (char)('0' + ax % 10);
    } else if (x >= 0) {
      for (int i = 0; i <= x; i++) *o++ = i < nd ? digits[i] : '0';
      if (nd > x + 1) {
        *o++ = '.';
        memcpy(o, digits + x + 1, (size_t)(nd - x - 1));
        o += nd - x - 1;
      }
    } else {
      *o++ = '0';
      *o++ = '.';
      for (int i = 0; i < -x - 1; i++) *o++ = '0';
      memcpy(o, digits, (size_t)nd);
      o += nd;
    }
    *o = '\0';
    return 0;
  }
  return -1; /* not reached: %.17g always reads back */
}
#else
static int format_exact(char *buf, double v) {
  (void)buf;
  (void)v;
  return -1;
}
#endif

int cli_json_format_double(char *buf, size_t cap, double v) {
  int precision;
  if (!isfinite(v)) {
    snprintf(buf, cap, "null");
    return -1;
  }
  /* A whole number below 1e15 (counts, zero features: a quarter of the
   * numbers of `cxm churn --json`) is what %.15g prints for it, its
   * digits, and reads back exactly: written directly, without printf and
   * strtod. -0.0 is left to printf ("-0"). */
  if (fabs(v) < 1e15 && v == (double)(int64_t)v && !(v == 0.0 && signbit(v))) {
    char digits[24];
    int64_t iv = (int64_t)v;
    uint64_t u = iv < 0 ? (uint64_t)0 - (uint64_t)iv : (uint64_t)iv;
    size_t n = 0, k = 0;
    do {
      digits[n++] = (char)('0' + u % 10);
      u /= 10;
    } while (u > 0);
    if (cap < n + 2) {
      snprintf(buf, cap, "%.15g", v);
      return 0;
    }
    if (iv < 0) buf[k++] = '-';
    while (n > 0) buf[k++] = digits[--n];
    buf[k] = '\0';
    return 0;
  }
  if (cap >= CLI_JSON_NUMBER_SIZE && format_exact(buf, v) == 0) return 0;
  /* The command never calls setlocale(), so printf and strtod use the C
   * locale's '.' here. %.17g always reads back exactly (IEEE 754 binary64
   * needs at most 17 significant digits). */
  for (precision = 15; precision < 17; precision++) {
    snprintf(buf, cap, "%.*g", precision, v);
    if (strtod(buf, NULL) == v) {
      return 0;
    }
  }
  snprintf(buf, cap, "%.17g", v);
  return 0;
}

void cli_json_double(cli_json *j, double v) {
  char buf[CLI_JSON_NUMBER_SIZE];
  before_item(j);
  cli_json_format_double(buf, sizeof buf, v);
  fputs(buf, j->out);
}

void cli_json_null(cli_json *j) {
  before_item(j);
  fputs("null", j->out);
}

void cli_json_bool(cli_json *j, int v) {
  before_item(j);
  fputs(v ? "true" : "false", j->out);
}

void cli_json_member_uint(cli_json *j, const char *key, uint64_t v) {
  cli_json_keyz(j, key);
  cli_json_uint(j, v);
}

void cli_json_member_number(cli_json *j, const char *key, double v) {
  cli_json_keyz(j, key);
  if (isnan(v))
    cli_json_null(j);
  else
    cli_json_double(j, v);
}

void cli_json_interval(cli_json *j, double low, double high) {
  if (isnan(low) || isnan(high)) {
    cli_json_null(j);
    return;
  }
  cli_json_array_begin(j);
  cli_json_double(j, low);
  cli_json_double(j, high);
  cli_json_array_end(j);
}
