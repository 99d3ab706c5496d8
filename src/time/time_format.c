/* Timestamps in export dialects; see time_format.h. No libc time or
 * locale function: the calendar arithmetic is civil.h's (Hinnant). */
#include "time/time_format.h"

#include <string.h>

#include "time/civil.h"
#include "cxm/event.h"
#include "cxm/time.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_leap(int32_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int32_t days_in_month(int32_t y, int32_t m) {
  static const int8_t dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

int cxmi_time_pattern_ok(const char *fmt) {
  int seen[128];
  const char *p;
  if (fmt == NULL || *fmt == '\0') return 0;
  memset(seen, 0, sizeof seen);
  for (p = fmt; *p != '\0'; p++) {
    if (*p != '%') continue;
    p++;
    switch (*p) {
    case 'Y':
    case 'm':
    case 'd':
    case 'H':
    case 'M':
    case 'S':
    case 'z':
      if (seen[(unsigned char)*p]++) return 0;
      break;
    case '%': break;
    default: return 0; /* an unknown directive, or a '%' at the end */
    }
  }
  if (!seen['Y'] || !seen['m'] || !seen['d']) return 0;
  if (seen['M'] && !seen['H']) return 0;
  if (seen['S'] && !seen['M']) return 0;
  return 1;
}

/* 1..`max` digits at s[*i..len) (exactly `max` when `exact`). */
static int take_digits(int32_t *v, const char *s, size_t len, size_t *i, int max, int exact) {
  int n = 0;
  *v = 0;
  while (*i < len && n < max && is_digit(s[*i])) {
    *v = *v * 10 + (s[*i] - '0');
    (*i)++;
    n++;
  }
  return n > 0 && (!exact || n == max);
}

/* A zone at s[*i..len): Z, z, +HH:MM, +HHMM or +HH. */
static int take_zone(int32_t *offset, const char *s, size_t len, size_t *i) {
  int32_t h, m = 0, sign;
  size_t at = *i;
  if (at < len && (s[at] == 'Z' || s[at] == 'z')) {
    *offset = 0;
    *i = at + 1;
    return 1;
  }
  if (at >= len || (s[at] != '+' && s[at] != '-')) return 0;
  sign = s[at] == '-' ? -1 : 1;
  at++;
  if (!take_digits(&h, s, len, &at, 2, 1) || h > 23) return 0;
  if (at < len && s[at] == ':') {
    at++;
    if (!take_digits(&m, s, len, &at, 2, 1)) return 0;
  } else if (at < len && is_digit(s[at])) {
    if (!take_digits(&m, s, len, &at, 2, 1)) return 0;
  }
  if (m > 59) return 0;
  *offset = sign * (h * 3600 + m * 60);
  *i = at;
  return 1;
}

/* The instant of a checked civil date-time at `offset`; -1 out of range. */
static int instant(int64_t *out, int32_t y, int32_t mo, int32_t d, int32_t h, int32_t mi, int32_t sec, int32_t offset) {
  int64_t t;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return -1;
  if (h > 23 || mi > 59 || sec > 60) return -1;
  t = cxmi_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec - offset;
  if (t < CXM_TIME_MIN || t > CXM_TIME_MAX) return -1;
  *out = t;
  return 0;
}

int cxmi_time_parse_pattern(int64_t *out, int32_t *why, const char *fmt, const char *s, size_t len, int assume,
                            int32_t offset) {
  int32_t y = -1, mo = -1, d = -1, h = 0, mi = 0, sec = 0, zone = 0;
  int has_zone = 0;
  size_t i = 0;
  const char *p;
  *why = CXMI_TIME_PATTERN;
  for (p = fmt; *p != '\0'; p++) {
    if (*p != '%' || p[1] == '%') {
      if (*p == '%') p++;
      if (i >= len || s[i] != *p) return -1;
      i++;
      continue;
    }
    p++;
    switch (*p) {
    case 'Y':
      if (!take_digits(&y, s, len, &i, 4, 1)) return -1;
      break;
    case 'm':
      if (!take_digits(&mo, s, len, &i, 2, 0)) return -1;
      break;
    case 'd':
      if (!take_digits(&d, s, len, &i, 2, 0)) return -1;
      break;
    case 'H':
      if (!take_digits(&h, s, len, &i, 2, 0)) return -1;
      break;
    case 'M':
      if (!take_digits(&mi, s, len, &i, 2, 0)) return -1;
      break;
    case 'S':
      if (!take_digits(&sec, s, len, &i, 2, 0)) return -1;
      /* A fraction is dropped, as in RFC 3339 times. */
      if (i + 1 < len && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1])) {
        i++;
        while (i < len && is_digit(s[i])) i++;
      }
      break;
    case 'z':
      /* An empty zone is allowed: the time is then zone-less. */
      if (i < len) {
        if (!take_zone(&zone, s, len, &i)) return -1;
        has_zone = 1;
      }
      break;
    default: return -1;
    }
  }
  if (i != len) return -1;
  if (!has_zone) {
    if (!assume) {
      *why = CXMI_TIME_NO_ZONE;
      return -1;
    }
    zone = offset;
  }
  *why = CXMI_TIME_BAD;
  return instant(out, y, mo, d, h, mi, sec, zone);
}

/* NN/NN/NNNN (with 1- or 2-digit parts), as US and European spreadsheets write dates. */
static int slash_date(const char *s, size_t len) {
  size_t i = 0;
  int32_t v;
  if (!take_digits(&v, s, len, &i, 2, 0) || i >= len || s[i++] != '/') return 0;
  if (!take_digits(&v, s, len, &i, 2, 0) || i >= len || s[i++] != '/') return 0;
  return take_digits(&v, s, len, &i, 4, 1);
}

int cxmi_time_parse_dialect(int64_t *out, int32_t *why, const char *s, size_t len, int assume, int32_t offset) {
  int32_t y, mo, d, h, mi, sec, zone = 0;
  size_t i = 0;
  if (cxm_time_parse(out, s, len) == CXM_OK) return 0;
  *why = slash_date(s, len) ? CXMI_TIME_US_DATE : CXMI_TIME_BAD;
  /* YYYY-MM-DD(T|t| )HH:MM:SS[.frac][zone]; strict field widths. */
  if (!take_digits(&y, s, len, &i, 4, 1) || i >= len || s[i++] != '-') return -1;
  if (!take_digits(&mo, s, len, &i, 2, 1) || i >= len || s[i++] != '-') return -1;
  if (!take_digits(&d, s, len, &i, 2, 1) || i >= len) return -1;
  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return -1;
  i++;
  if (!take_digits(&h, s, len, &i, 2, 1) || i >= len || s[i++] != ':') return -1;
  if (!take_digits(&mi, s, len, &i, 2, 1) || i >= len || s[i++] != ':') return -1;
  if (!take_digits(&sec, s, len, &i, 2, 1)) return -1;
  if (i < len && s[i] == '.') {
    i++;
    if (i >= len || !is_digit(s[i])) return -1;
    while (i < len && is_digit(s[i])) i++;
  }
  if (i == len) {
    if (!assume) {
      *why = CXMI_TIME_NO_ZONE;
      return -1;
    }
    zone = offset;
  } else if (!take_zone(&zone, s, len, &i) || i != len) {
    return -1;
  }
  return instant(out, y, mo, d, h, mi, sec, zone);
}
