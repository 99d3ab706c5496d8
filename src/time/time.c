/* Timestamps: RFC 3339 / Unix-seconds parsing, formatting and period keys
 * (docs/events.md, "Timestamps").
 *
 * No libc time functions: timegm() is not standard C and gmtime() is not
 * thread-safe, and both depend on the platform's time_t. The calendar
 * arithmetic is Howard Hinnant's days_from_civil / civil_from_days
 * ("chrono-Compatible Low-Level Date Algorithms",
 * http://howardhinnant.github.io/date_algorithms.html), which is exact for
 * the proleptic Gregorian calendar over the whole range we accept. */
#include "cxm/time.h"

#include "time/civil.h"

#include "cxm/query.h"

#define SECONDS_PER_DAY INT64_C(86400)

/* Days since 1970-01-01 of the civil date y-m-d (m 1..12, d 1..31).
 * Hinnant, "days_from_civil". Valid for any year >= 0. */
int64_t cxmi_days_from_civil(int64_t y, int64_t m, int64_t d) {
  int64_t era, yoe, doy, doe;
  y -= m <= 2;
  /* y is -1 for January/February of year 0000, hence the floor division. */
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;                                   /* [0, 399] */
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
  return era * 146097 + doe - 719468;
}

/* Civil date of a day count since 1970-01-01 (z >= 0 here).
 * Hinnant, "civil_from_days". */
void cxmi_civil_from_days(int64_t z, int64_t *y, int32_t *m, int32_t *d) {
  int64_t era, doe, yoe, doy, mp;
  z += 719468;
  era = z / 146097;                                            /* z >= 0 */
  doe = z - era * 146097;                                      /* [0, 146096] */
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
  mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
  *d = (int32_t)(doy - (153 * mp + 2) / 5 + 1);                /* [1, 31] */
  *m = (int32_t)(mp < 10 ? mp + 3 : mp - 9);                   /* [1, 12] */
  *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int32_t days_in_month(int64_t y, int32_t m) {
  static const int8_t dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* `n` digits at s as a number, or -1 when one is not a digit. */
static int32_t digits(const char *s, size_t n) {
  int32_t v = 0;
  size_t i;
  for (i = 0; i < n; i++) {
    if (!is_digit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* Unix seconds, or milliseconds: a value above CXM_TIME_MAX (the last
 * second of 9999) cannot be seconds, so it is read as milliseconds
 * (floor). Milliseconds from 1978-01-12T03:58:20.800Z on are recognised
 * this way; no value accepted as seconds changes meaning. */
static int32_t parse_unix(int64_t *out, const char *s, size_t len) {
  int64_t v = 0;
  size_t i;
  for (i = 0; i < len; i++) {
    if (!is_digit(s[i])) return CXM_E_TIME;
    v = v * 10 + (s[i] - '0');
    /* Stop before overflow: leading zeros are allowed, so check the value,
     * not the digit count. */
    if (v > CXM_TIME_MAX * 1000 + 999) return CXM_E_TIME;
  }
  if (v > CXM_TIME_MAX) v /= 1000;
  *out = v;
  return CXM_OK;
}

/* RFC 3339 section 5.6 "date-time":
 *   YYYY-MM-DD (T|t|' ') HH:MM:SS [.fraction] (Z|z|(+|-)HH:MM)
 * The space separator is the one RFC 3339 allows as a note ("for the sake
 * of readability"); spreadsheet exports write it. */
static int32_t parse_rfc3339(int64_t *out, const char *s, size_t len) {
  int32_t year, month, day, hour, minute, second;
  int64_t t, offset = 0;
  size_t i;

  if (len < 20) return CXM_E_TIME;
  year = digits(s, 4);
  month = digits(s + 5, 2);
  day = digits(s + 8, 2);
  hour = digits(s + 11, 2);
  minute = digits(s + 14, 2);
  second = digits(s + 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return CXM_E_TIME;
  if (s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':') return CXM_E_TIME;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return CXM_E_TIME;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return CXM_E_TIME;
  /* :60 is a leap second; we keep no leap-second table, so it is accepted
   * at any minute and counts as the next second (RFC 3339 5.7). */
  if (hour > 23 || minute > 59 || second > 60) return CXM_E_TIME;

  i = 19;
  if (s[i] == '.') {
    /* At least one digit; the fraction is dropped (floor toward the past
     * in local time, which is floor in UTC too since offsets are whole
     * minutes). */
    i++;
    if (i >= len || !is_digit(s[i])) return CXM_E_TIME;
    while (i < len && is_digit(s[i])) i++;
    if (i >= len) return CXM_E_TIME;
  }
  if (s[i] == 'Z' || s[i] == 'z') {
    if (i + 1 != len) return CXM_E_TIME;
  } else if (s[i] == '+' || s[i] == '-') {
    int32_t oh, om;
    /* "-00:00" (unknown local offset, RFC 3339 4.3) is read as UTC. */
    if (i + 6 != len || s[i + 3] != ':') return CXM_E_TIME;
    oh = digits(s + i + 1, 2);
    om = digits(s + i + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return CXM_E_TIME;
    offset = (int64_t)oh * 3600 + (int64_t)om * 60;
    if (s[i] == '-') offset = -offset;
  } else {
    return CXM_E_TIME;
  }

  t = cxmi_days_from_civil(year, month, day) * SECONDS_PER_DAY + (int64_t)hour * 3600 + (int64_t)minute * 60 + second -
      offset;
  if (t < CXM_TIME_MIN || t > CXM_TIME_MAX) return CXM_E_TIME;
  *out = t;
  return CXM_OK;
}

int32_t cxm_time_parse(int64_t *out, const char *text, size_t len) {
  if (out == NULL || (text == NULL && len > 0)) return CXM_E_ARG;
  if (len == 0) return CXM_E_TIME;
  /* An RFC 3339 time always has '-' at offset 4; Unix seconds are digits only. */
  if (len > 4 && text[4] == '-') return parse_rfc3339(out, text, len);
  return parse_unix(out, text, len);
}

static void put_digits(char *p, int64_t v, int n) {
  while (n-- > 0) {
    p[n] = (char)('0' + v % 10);
    v /= 10;
  }
}

int32_t cxm_time_format(char *buf, size_t cap, int64_t t) {
  int64_t days, secs, y;
  int32_t m, d;
  if (buf == NULL) return CXM_E_ARG;
  if (cap < CXM_TIME_TEXT_SIZE) return CXM_E_BUFFER;
  if (t < CXM_TIME_MIN || t > CXM_TIME_MAX) return CXM_E_TIME;
  days = t / SECONDS_PER_DAY;
  secs = t % SECONDS_PER_DAY;
  cxmi_civil_from_days(days, &y, &m, &d);
  put_digits(buf, y, 4);
  buf[4] = '-';
  put_digits(buf + 5, m, 2);
  buf[7] = '-';
  put_digits(buf + 8, d, 2);
  buf[10] = 'T';
  put_digits(buf + 11, secs / 3600, 2);
  buf[13] = ':';
  put_digits(buf + 14, secs / 60 % 60, 2);
  buf[16] = ':';
  put_digits(buf + 17, secs % 60, 2);
  buf[19] = 'Z';
  buf[20] = '\0';
  return CXM_OK;
}

int32_t cxm_time_period_key(char *buf, size_t cap, int64_t t, int32_t by) {
  int64_t days, y;
  int32_t m, d;
  if (buf == NULL) return CXM_E_ARG;
  if (by != CXM_BY_MONTH && by != CXM_BY_WEEK) return CXM_E_BY;
  if (cap < CXM_PERIOD_KEY_SIZE) return CXM_E_BUFFER;
  if (t < CXM_TIME_MIN || t > CXM_TIME_MAX) return CXM_E_TIME;
  days = t / SECONDS_PER_DAY;
  if (by == CXM_BY_MONTH) {
    cxmi_civil_from_days(days, &y, &m, &d);
    put_digits(buf, y, 4);
    buf[4] = '-';
    put_digits(buf + 5, m, 2);
    buf[7] = '\0';
    return CXM_OK;
  }
  {
    /* ISO 8601 week: weeks start on Monday and belong to the year holding
     * their Thursday, so the week of `days` is numbered by that Thursday's
     * day of the year. 1970-01-01 was a Thursday, so the weekday with
     * Monday = 0 is (days + 3) mod 7 (days >= 0 here). The Thursday is
     * never before day 0 (the week of 1970-01-01 has it) nor after
     * 9999-12-30 (9999-12-31 is a Friday). */
    int64_t wd = (days + 3) % 7;
    int64_t thursday = days - wd + 3;
    int64_t week;
    cxmi_civil_from_days(thursday, &y, &m, &d);
    week = (thursday - cxmi_days_from_civil(y, 1, 1)) / 7 + 1;
    put_digits(buf, y, 4);
    buf[4] = '-';
    buf[5] = 'W';
    put_digits(buf + 6, week, 2);
    buf[8] = '\0';
    return CXM_OK;
  }
}
