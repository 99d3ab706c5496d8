/* libFuzzer target: the timestamp functions of cxm/time.h.
 *
 * Properties (a violation traps):
 *   - cxm_time_parse agrees with an independent reference parser written
 *     here from the grammar in cxm/time.h (a different calendar algorithm:
 *     cumulative month tables and leap-year counts, not Hinnant's): same
 *     status, same value; `out` is untouched on error;
 *   - parse never reads past `len`: the input is parsed in place (libFuzzer
 *     and replay_main.c hand it in an exactly sized heap block), and so is
 *     every prefix of it, each copied to its own exactly sized block;
 *   - a parsed time formats (cxm_time_format) to text that both parsers read
 *     back as the same time, and every equivalent spelling of that text
 *     (separators `t` and space, `z`, `+00:00`, `-00:00`, a fraction, Unix
 *     seconds) parses to it too;
 *   - for any 64-bit time from the input's first 8 bytes: format and
 *     period keys succeed exactly within CXM_TIME_MIN..CXM_TIME_MAX, the
 *     text round-trips, the month key is the text's first 7 bytes and the
 *     ISO week key matches a reference computed from the civil date; small
 *     buffers and unknown groupings are refused.
 */
#include <stdio.h>

#include "cxm/event.h"
#include "cxm/query.h"
#include "cxm/time.h"
#include "fuzz_common.h"

/* ---- the reference ------------------------------------------------------ */

static int ref_digit(char c) { return c >= '0' && c <= '9'; }

static int ref_num(const char *s, size_t n, int64_t *v) {
  size_t i;
  *v = 0;
  for (i = 0; i < n; i++) {
    if (!ref_digit(s[i])) return 0;
    *v = *v * 10 + (s[i] - '0');
  }
  return 1;
}

static int ref_leap(int64_t y) { return y % 400 == 0 || (y % 4 == 0 && y % 100 != 0); }

/* Leap years in 1..y. */
static int64_t ref_leaps(int64_t y) { return y / 4 - y / 100 + y / 400; }

/* Days from 1970-01-01 to y-m-d (y >= 1). */
static int64_t ref_days(int64_t y, int64_t m, int64_t d) {
  static const int64_t before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  int64_t days = 365 * (y - 1970) + ref_leaps(y - 1) - ref_leaps(1969);
  days += before[m - 1] + (m > 2 && ref_leap(y)) + d - 1;
  return days;
}

static int64_t ref_month_days(int64_t y, int64_t m) {
  static const int64_t dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return dim[m - 1] + (m == 2 && ref_leap(y));
}

/* 1: parsed into *out; 0: CXM_E_TIME. */
static int ref_parse(int64_t *out, const char *s, size_t len) {
  int64_t y, mo, d, h, mi, sec, t, off = 0;
  size_t i;
  if (len == 0) return 0;
  /* Unix seconds or milliseconds: digits only, no more than the range allows. */
  for (i = 0; i < len && ref_digit(s[i]); i++) {
  }
  if (i == len) {
    int64_t v = 0;
    for (i = 0; i < len; i++) {
      v = v * 10 + (s[i] - '0');
      if (v > CXM_TIME_MAX * 1000 + 999) return 0;
    }
    /* Above the last second of 9999: epoch milliseconds, floored. */
    *out = v > CXM_TIME_MAX ? v / 1000 : v;
    return 1;
  }
  /* YYYY-MM-DD?HH:MM:SS */
  if (len < 20) return 0;
  if (!ref_num(s, 4, &y) || s[4] != '-' || !ref_num(s + 5, 2, &mo) || s[7] != '-' || !ref_num(s + 8, 2, &d)) return 0;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return 0;
  if (!ref_num(s + 11, 2, &h) || s[13] != ':' || !ref_num(s + 14, 2, &mi) || s[16] != ':' || !ref_num(s + 17, 2, &sec))
    return 0;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > ref_month_days(y, mo)) return 0;
  if (h > 23 || mi > 59 || sec > 60) return 0;
  i = 19;
  if (s[i] == '.') {
    size_t start = ++i;
    while (i < len && ref_digit(s[i])) i++;
    if (i == start) return 0;
  }
  if (i == len) return 0;
  if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
    off = 0;
  } else if ((s[i] == '+' || s[i] == '-') && i + 6 == len) {
    int64_t oh, om;
    if (!ref_num(s + i + 1, 2, &oh) || s[i + 3] != ':' || !ref_num(s + i + 4, 2, &om)) return 0;
    if (oh > 23 || om > 59) return 0;
    off = (oh * 60 + om) * 60;
    if (s[i] == '-') off = -off;
  } else {
    return 0;
  }
  /* Year 0000 is not a year of the grammar's range; any time it could
   * spell is before 1970 anyway. */
  t = ref_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
  if (t < CXM_TIME_MIN || t > CXM_TIME_MAX) return 0;
  *out = t;
  return 1;
}

/* ISO 8601 week of y-m-d by the ordinal-date rule:
 * week = (ordinal - weekday + 10) / 7, weekday 1 (Monday) .. 7. */
static void ref_iso_week(int64_t y, int64_t m, int64_t d, int64_t *iso_year, int64_t *week) {
  int64_t days = ref_days(y, m, d);
  int64_t weekday = ((days % 7) + 7 + 3) % 7 + 1; /* 1970-01-01: Thursday (4) */
  int64_t ordinal = days - ref_days(y, 1, 1) + 1;
  int64_t w = (ordinal - weekday + 10) / 7;
  *iso_year = y;
  if (w < 1) {
    /* The last week of the previous year: 52 or 53. */
    int64_t py = y - 1;
    int64_t jan1 = ((ref_days(py, 1, 1) % 7) + 7 + 3) % 7 + 1;
    *iso_year = py;
    w = (jan1 == 4 || (jan1 == 3 && ref_leap(py))) ? 53 : 52;
  } else if (w == 53) {
    int64_t jan1 = ((ref_days(y, 1, 1) % 7) + 7 + 3) % 7 + 1;
    if (!(jan1 == 4 || (jan1 == 3 && ref_leap(y)))) {
      *iso_year = y + 1;
      w = 1;
    }
  }
  *week = w;
}

/* ---- checks ------------------------------------------------------------- */

#define SENTINEL INT64_C(-0x5a5a5a5a5a5a5a5a)

/* Both parsers on `len` bytes at `s`; returns the library's status. */
static int32_t both(int64_t *t, const char *s, size_t len) {
  int64_t lib = SENTINEL, ref = SENTINEL;
  int32_t rc = cxm_time_parse(&lib, s, len);
  int ok = ref_parse(&ref, s, len);
  FUZZ_CHECK(rc == CXM_OK || rc == CXM_E_TIME);
  FUZZ_CHECK((rc == CXM_OK) == ok);
  if (ok) {
    FUZZ_CHECK(lib == ref && lib >= CXM_TIME_MIN && lib <= CXM_TIME_MAX);
  } else {
    FUZZ_CHECK(lib == SENTINEL);
  }
  *t = lib;
  return rc;
}

/* A spelling that must parse to t. */
static void same_time(const char *s, size_t len, int64_t t) {
  int64_t got;
  FUZZ_CHECK(both(&got, s, len) == CXM_OK && got == t);
}

/* Format t (in range) and check the text and its other spellings. */
static void check_text(int64_t t) {
  char text[CXM_TIME_TEXT_SIZE], alt[40], unix_text[24];
  int64_t y, m, d, iso_year, week;
  size_t n;
  FUZZ_CHECK(cxm_time_format(text, sizeof text, t) == CXM_OK);
  FUZZ_CHECK(strlen(text) == CXM_TIME_TEXT_SIZE - 1 && text[10] == 'T' && text[19] == 'Z');
  same_time(text, 20, t);

  memcpy(alt, text, 20);
  alt[10] = 't';
  alt[19] = 'z';
  same_time(alt, 20, t);
  alt[10] = ' ';
  same_time(alt, 20, t);
  memcpy(alt + 19, "+00:00", 6);
  same_time(alt, 25, t);
  memcpy(alt + 19, "-00:00", 6);
  same_time(alt, 25, t);
  memcpy(alt + 19, ".999999999Z", 11);
  same_time(alt, 30, t);
  n = (size_t)snprintf(unix_text, sizeof unix_text, "%lld", (long long)t);
  same_time(unix_text, n, t);

  /* Period keys: the month is the text's "YYYY-MM", the week the ISO week
   * of the civil date the text shows. */
  {
    char key[CXM_PERIOD_KEY_SIZE], want[CXM_PERIOD_KEY_SIZE];
    FUZZ_CHECK(cxm_time_period_key(key, sizeof key, t, CXM_BY_MONTH) == CXM_OK);
    FUZZ_CHECK(strlen(key) == 7 && memcmp(key, text, 7) == 0);
    FUZZ_CHECK(ref_num(text, 4, &y) && ref_num(text + 5, 2, &m) && ref_num(text + 8, 2, &d));
    ref_iso_week(y, m, d, &iso_year, &week);
    FUZZ_CHECK(iso_year >= 1970 && iso_year <= 9999 && week >= 1 && week <= 53);
    (void)snprintf(want, sizeof want, "%04lld-W%02lld", (long long)iso_year, (long long)week);
    FUZZ_CHECK(cxm_time_period_key(key, sizeof key, t, CXM_BY_WEEK) == CXM_OK);
    FUZZ_CHECK(strcmp(key, want) == 0);
    FUZZ_CHECK(cxm_time_period_key(key, CXM_PERIOD_KEY_SIZE - 1, t, CXM_BY_WEEK) == CXM_E_BUFFER);
  }
  FUZZ_CHECK(cxm_time_format(text, CXM_TIME_TEXT_SIZE - 1, t) == CXM_E_BUFFER);
}

/* Any 64-bit time. */
static void check_any_time(int64_t t) {
  char text[CXM_TIME_TEXT_SIZE], key[CXM_PERIOD_KEY_SIZE];
  int in_range = t >= CXM_TIME_MIN && t <= CXM_TIME_MAX;
  FUZZ_CHECK(cxm_time_period_key(key, sizeof key, t, CXM_BY_CHANNEL) == CXM_E_BY);
  if (in_range) {
    check_text(t);
  } else {
    FUZZ_CHECK(cxm_time_format(text, sizeof text, t) == CXM_E_TIME);
    FUZZ_CHECK(cxm_time_period_key(key, sizeof key, t, CXM_BY_MONTH) == CXM_E_TIME);
    FUZZ_CHECK(cxm_time_period_key(key, sizeof key, t, CXM_BY_WEEK) == CXM_E_TIME);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int64_t t;
  size_t k;

  /* The whole input, in place. */
  if (both(&t, (const char *)data, size) == CXM_OK) check_text(t);

  /* Every prefix of a short input, each at the end of its own block. */
  if (size <= 64) {
    for (k = 0; k < size; k++) {
      char *copy = malloc(k > 0 ? k : 1);
      if (copy == NULL) return 0;
      memcpy(copy, data, k);
      (void)both(&t, copy, k);
      free(copy);
    }
  }

  /* A time from the first 8 bytes, as is and folded into the range. */
  if (size >= 8) {
    uint64_t u = 0;
    for (k = 0; k < 8; k++) u = u << 8 | data[k];
    check_any_time((int64_t)u);
    check_any_time((int64_t)(u % (uint64_t)(CXM_TIME_MAX + 1)));
  }
  return 0;
}
