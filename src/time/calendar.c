/* Business calendars: opening hours per weekday, a fixed UTC offset and
 * holiday dates, and exact arithmetic in business time (docs/calendar.md).
 *
 * Everything is done on local seconds L = t + offset, split into a local
 * day number D = floor(L / 86400) (days since 1970-01-01, which was a
 * Thursday) and a second of the day s = L - 86400 D. The whole calendar
 * then reduces to one non-decreasing function
 *
 *   F(L) = G(D) + partial(D, s),
 *   G(D) = business seconds of the whole days before D (relative to day 0)
 *        = floor(D / 7) * week + prefix[D mod 7] - lost(D),
 *
 * where week is the business seconds of a week without holidays, prefix[r]
 * those of the first r days of a week that starts on a Thursday, and
 * lost(D) the business seconds that holidays before day D remove (a prefix
 * sum kept beside the sorted holiday list). The business seconds of
 * [t0, t1) are F(L1) - F(L0): two binary searches, whatever the span.
 *
 * The calendar arithmetic is Howard Hinnant's days_from_civil
 * ("chrono-Compatible Low-Level Date Algorithms",
 * http://howardhinnant.github.io/date_algorithms.html); no libc time
 * function is used, so nothing depends on the host's time zone. */
#include "cxm/calendar.h"

#include "time/civil.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "cxm/event.h"

#define DAY INT64_C(86400)

struct cxm_calendar {
  cxmi_alloc alloc;
  int32_t open[7]; /* index 0 = Monday */
  int32_t close[7];
  int32_t offset;    /* local = UTC + offset */
  int64_t week;      /* business seconds of a week without holidays */
  int64_t prefix[8]; /* prefix[r]: business seconds of days 0..r-1 (day 0 a Thursday) */
  int64_t *days;     /* sorted distinct holiday day numbers (local) */
  int64_t *lost;     /* lost[i]: business seconds removed by days[0..i-1]; count + 1 entries */
  size_t count;      /* holidays */
  size_t cap;        /* room in days; the block holds 2 * cap + 1 int64 */
};

/* ---- day arithmetic ----------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int valid_date(int64_t y, int64_t m, int64_t d) {
  static const int8_t dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t len;
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return 0;
  len = dim[m - 1];
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) len = 29;
  return d <= len;
}

/* Weekday index (Monday = 0) of day D; day 0 was a Thursday (3). */
static int weekday_of(int64_t day) { return (int)(day - 7 * floor_div(day, 7) + 3) % 7; }

static int64_t duration(const cxm_calendar *cal, int w) { return (int64_t)cal->close[w] - cal->open[w]; }

/* First index i with days[i] >= day. */
static size_t lower_bound(const cxm_calendar *cal, int64_t day) {
  size_t lo = 0, hi = cal->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cal->days[mid] < day)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Recompute what depends on the hours and the holidays. */
static void refresh(cxm_calendar *cal) {
  int64_t acc = 0;
  size_t i;
  cal->prefix[0] = 0;
  for (int r = 0; r < 7; r++) {
    acc += duration(cal, (r + 3) % 7);
    cal->prefix[r + 1] = acc;
  }
  cal->week = acc;
  if (cal->lost == NULL) return;
  cal->lost[0] = 0;
  for (i = 0; i < cal->count; i++) cal->lost[i + 1] = cal->lost[i] + duration(cal, weekday_of(cal->days[i]));
}

/* Business seconds of the whole days before `day` (relative to day 0);
 * *is_holiday tells whether `day` itself is one. */
static int64_t days_before(const cxm_calendar *cal, int64_t day, int *is_holiday) {
  int64_t q = floor_div(day, 7);
  int64_t r = day - 7 * q;
  size_t i = lower_bound(cal, day);
  int64_t lost = cal->count > 0 ? cal->lost[i] : 0;
  if (is_holiday != NULL) *is_holiday = i < cal->count && cal->days[i] == day;
  return q * cal->week + cal->prefix[r] - lost;
}

/* F(L): business seconds from local day 0 to local second L (any sign). */
static int64_t business_before(const cxm_calendar *cal, int64_t local) {
  int64_t day = floor_div(local, DAY);
  int64_t s = local - day * DAY;
  int holiday;
  int64_t g = days_before(cal, day, &holiday);
  int w = weekday_of(day);
  if (!holiday && s > cal->open[w]) g += (s < cal->close[w] ? s : cal->close[w]) - cal->open[w];
  return g;
}

static int in_range(int64_t t) { return t >= CXM_TIME_MIN && t <= CXM_TIME_MAX; }

/* ---- life cycle and settings -------------------------------------------- */

int32_t cxm_calendar_new(cxm_calendar **out, const cxm_allocator *allocator) {
  cxmi_alloc a;
  cxm_calendar *cal;
  if (out == NULL) return CXM_E_ARG;
  *out = NULL; /* on any failure (docs/api.md) */
  if (cxmi_alloc_init(&a, allocator) != CXM_OK) return CXM_E_ARG;
  cal = cxmi_calloc(&a, 1, sizeof *cal);
  if (cal == NULL) return CXM_E_NOMEM;
  cal->alloc = a;
  for (int w = 0; w < 7; w++) {
    cal->open[w] = w < 5 ? 9 * 3600 : 0;
    cal->close[w] = w < 5 ? 17 * 3600 : 0;
  }
  refresh(cal);
  *out = cal;
  return CXM_OK;
}

void cxm_calendar_free(cxm_calendar *cal) {
  cxmi_alloc a;
  if (cal == NULL) return;
  a = cal->alloc;
  cxmi_free(&a, cal->days, (2 * cal->cap + 1) * sizeof(int64_t));
  cxmi_free(&a, cal, sizeof *cal);
}

int32_t cxm_calendar_set_hours(cxm_calendar *cal, int32_t weekday, int32_t open_seconds, int32_t close_seconds) {
  if (cal == NULL) return CXM_E_ARG;
  if (weekday < CXM_MONDAY || weekday > CXM_SUNDAY) return CXM_E_OPTION;
  if (open_seconds < 0 || close_seconds < open_seconds || close_seconds > CXM_CALENDAR_DAY_SECONDS) return CXM_E_OPTION;
  cal->open[weekday - 1] = open_seconds;
  cal->close[weekday - 1] = close_seconds;
  refresh(cal);
  return CXM_OK;
}

int32_t cxm_calendar_get_hours(int32_t *open_seconds, int32_t *close_seconds, const cxm_calendar *cal,
                               int32_t weekday) {
  if (open_seconds == NULL || close_seconds == NULL || cal == NULL) return CXM_E_ARG;
  if (weekday < CXM_MONDAY || weekday > CXM_SUNDAY) return CXM_E_OPTION;
  *open_seconds = cal->open[weekday - 1];
  *close_seconds = cal->close[weekday - 1];
  return CXM_OK;
}

int32_t cxm_calendar_set_offset(cxm_calendar *cal, int32_t offset_seconds) {
  if (cal == NULL) return CXM_E_ARG;
  if (offset_seconds < -CXM_CALENDAR_MAX_OFFSET || offset_seconds > CXM_CALENDAR_MAX_OFFSET) return CXM_E_OPTION;
  cal->offset = offset_seconds;
  return CXM_OK;
}

int32_t cxm_calendar_get_offset(int32_t *offset_seconds, const cxm_calendar *cal) {
  if (offset_seconds == NULL || cal == NULL) return CXM_E_ARG;
  *offset_seconds = cal->offset;
  return CXM_OK;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

int32_t cxm_calendar_parse_offset(int32_t *offset_seconds, const char *text, size_t len) {
  int32_t h, m, v;
  if (offset_seconds == NULL || (text == NULL && len > 0)) return CXM_E_ARG;
  if (len == 1 && (text[0] == 'Z' || text[0] == 'z')) {
    *offset_seconds = 0;
    return CXM_OK;
  }
  if (len != 6 || (text[0] != '+' && text[0] != '-') || !is_digit(text[1]) || !is_digit(text[2]) || text[3] != ':' ||
      !is_digit(text[4]) || !is_digit(text[5]))
    return CXM_E_OPTION;
  h = (text[1] - '0') * 10 + (text[2] - '0');
  m = (text[4] - '0') * 10 + (text[5] - '0');
  if (m > 59) return CXM_E_OPTION;
  v = h * 3600 + m * 60;
  if (v > CXM_CALENDAR_MAX_OFFSET) return CXM_E_OPTION;
  *offset_seconds = text[0] == '-' ? -v : v;
  return CXM_OK;
}

/* ---- holidays ----------------------------------------------------------- */

/* Replace the holiday list by `days` (sorted, distinct, n of them), in a
 * new block of capacity `cap` >= n. Nothing changes on failure. */
static int32_t install(cxm_calendar *cal, const int64_t *days, size_t n, size_t cap) {
  int64_t *block;
  if (cap > (SIZE_MAX / sizeof(int64_t) - 1) / 2) return CXM_E_NOMEM;
  block = cxmi_malloc(&cal->alloc, (2 * cap + 1) * sizeof(int64_t));
  if (block == NULL) return CXM_E_NOMEM;
  if (n > 0) memmove(block, days, n * sizeof(int64_t));
  cxmi_free(&cal->alloc, cal->days, (2 * cal->cap + 1) * sizeof(int64_t));
  cal->days = block;
  cal->lost = block + cap;
  cal->count = n;
  cal->cap = cap;
  refresh(cal);
  return CXM_OK;
}

int32_t cxm_calendar_add_holiday(cxm_calendar *cal, int32_t year, int32_t month, int32_t day) {
  int64_t d;
  size_t i;
  if (cal == NULL) return CXM_E_ARG;
  if (!valid_date(year, month, day)) return CXM_E_TIME;
  d = cxmi_days_from_civil(year, month, day);
  i = lower_bound(cal, d);
  if (i < cal->count && cal->days[i] == d) return CXM_OK;
  if (cal->count == cal->cap) {
    size_t cap = cal->cap < 8 ? 16 : cal->cap * 2;
    int32_t rc;
    if (cap < cal->cap) return CXM_E_NOMEM;
    rc = install(cal, cal->days, cal->count, cap);
    if (rc != CXM_OK) return rc;
  }
  memmove(cal->days + i + 1, cal->days + i, (cal->count - i) * sizeof(int64_t));
  cal->days[i] = d;
  cal->count++;
  refresh(cal);
  return CXM_OK;
}

size_t cxm_calendar_holiday_count(const cxm_calendar *cal) { return cal == NULL ? 0 : cal->count; }

/* Parse one line (without its LF). 1: a date in *day; 0: nothing on it;
 * -1: malformed. */
static int parse_line(int64_t *day, const char *p, size_t n) {
  size_t b = 0, e = n;
  int64_t y, m, d;
  if (e > 0 && p[e - 1] == '\r') e--;
  for (size_t i = 0; i < e; i++) {
    if (p[i] == '#') {
      e = i;
      break;
    }
  }
  while (b < e && (p[b] == ' ' || p[b] == '\t')) b++;
  while (e > b && (p[e - 1] == ' ' || p[e - 1] == '\t')) e--;
  if (b == e) return 0;
  p += b;
  if (e - b != 10 || p[4] != '-' || p[7] != '-') return -1;
  for (int i = 0; i < 10; i++) {
    if (i != 4 && i != 7 && !is_digit(p[i])) return -1;
  }
  y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
  m = (p[5] - '0') * 10 + (p[6] - '0');
  d = (p[8] - '0') * 10 + (p[9] - '0');
  if (!valid_date(y, m, d)) return -1;
  *day = cxmi_days_from_civil(y, m, d);
  return 1;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

int32_t cxm_calendar_add_holidays_text(size_t *bad_line, cxm_calendar *cal, const char *text, size_t len) {
  size_t pos, line, found = 0, k = 0, merged, i, j, tmp_bytes;
  int64_t *tmp, day;
  int32_t rc = CXM_OK;
  if (bad_line != NULL) *bad_line = 0;
  if (cal == NULL || (text == NULL && len > 0)) return CXM_E_ARG;
  /* A UTF-8 byte-order mark at the very start is skipped, as event files'
   * (editors on Windows write one). */
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    text += 3;
    len -= 3;
  }
  /* Pass 1: validate every line and count the dates. */
  for (pos = 0, line = 1; pos < len; line++) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl != NULL ? (size_t)(nl - text) : len;
    int r = parse_line(&day, text + pos, end - pos);
    if (r < 0) {
      if (bad_line != NULL) *bad_line = line;
      return CXM_E_TIME;
    }
    found += (size_t)r;
    pos = end + 1;
  }
  if (found == 0) return CXM_OK;
  /* Pass 2: collect, sort, merge with the present list into a new block. */
  if (found > SIZE_MAX / sizeof(int64_t) - cal->count) return CXM_E_NOMEM;
  tmp_bytes = (found + cal->count) * sizeof(int64_t);
  tmp = cxmi_malloc(&cal->alloc, tmp_bytes);
  if (tmp == NULL) return CXM_E_NOMEM;
  for (pos = 0; pos < len;) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl != NULL ? (size_t)(nl - text) : len;
    if (parse_line(&day, text + pos, end - pos) == 1) tmp[cal->count + k++] = day;
    pos = end + 1;
  }
  qsort(tmp + cal->count, found, sizeof(int64_t), cmp_i64);
  /* Merge the present holidays (sorted) and the new ones into tmp[0..). The
   * new ones sit at the end of tmp, so writing from the front never
   * overtakes an unread one. */
  i = 0;
  j = cal->count;
  merged = 0;
  while (i < cal->count || j < cal->count + found) {
    int64_t v;
    if (j >= cal->count + found || (i < cal->count && cal->days[i] <= tmp[j]))
      v = cal->days[i++];
    else
      v = tmp[j++];
    if (merged == 0 || tmp[merged - 1] != v) tmp[merged++] = v;
  }
  if (merged != cal->count) rc = install(cal, tmp, merged, merged);
  cxmi_free(&cal->alloc, tmp, tmp_bytes);
  return rc;
}

/* ---- queries ------------------------------------------------------------ */

int32_t cxm_calendar_business_seconds(int64_t *out, const cxm_calendar *cal, int64_t t0, int64_t t1) {
  if (out == NULL || cal == NULL) return CXM_E_ARG;
  if (!in_range(t0) || !in_range(t1)) return CXM_E_TIME;
  if (t1 <= t0) {
    *out = 0;
    return CXM_OK;
  }
  *out = business_before(cal, t1 + cal->offset) - business_before(cal, t0 + cal->offset);
  return CXM_OK;
}

int32_t cxm_calendar_next_open(int64_t *out, const cxm_calendar *cal, int64_t t) {
  int64_t local, day, s, last_day;
  if (out == NULL || cal == NULL) return CXM_E_ARG;
  if (!in_range(t)) return CXM_E_TIME;
  if (cal->week == 0) return CXM_E_NOT_FOUND;
  local = t + cal->offset;
  day = floor_div(local, DAY);
  s = local - day * DAY;
  last_day = floor_div(CXM_TIME_MAX + cal->offset, DAY);
  /* Each day skipped is a closed weekday or a holiday, so this ends within
   * 7 + holidays days. */
  for (; day <= last_day; day++, s = 0) {
    int w = weekday_of(day);
    int holiday;
    if (duration(cal, w) == 0 || s >= cal->close[w]) continue;
    (void)days_before(cal, day, &holiday);
    if (holiday) continue;
    {
      int64_t u = day * DAY + (s > cal->open[w] ? s : cal->open[w]) - cal->offset;
      if (u > CXM_TIME_MAX) return CXM_E_NOT_FOUND;
      *out = u;
      return CXM_OK;
    }
  }
  return CXM_E_NOT_FOUND;
}

int32_t cxm_calendar_add_business(int64_t *out, const cxm_calendar *cal, int64_t t, int64_t seconds) {
  int64_t local, base, target, lo, hi, last_day, u;
  if (out == NULL || cal == NULL) return CXM_E_ARG;
  if (!in_range(t)) return CXM_E_TIME;
  if (seconds < 0) return CXM_E_VALUE;
  if (seconds == 0) {
    *out = t;
    return CXM_OK;
  }
  local = t + cal->offset;
  base = business_before(cal, local);
  last_day = floor_div(CXM_TIME_MAX + cal->offset, DAY);
  /* All the business seconds there are up to the end of the last day: the
   * comparison is written as a difference so that no sum can overflow. */
  if (seconds > days_before(cal, last_day + 1, NULL) - base) return CXM_E_NOT_FOUND;
  target = base + seconds;
  /* The day in which F reaches target: the smallest D with G(D + 1) >=
   * target. G(D) < target holds for every D before it and for the start
   * day (G(start) <= base < target), so that day has business seconds. */
  lo = floor_div(local, DAY);
  hi = last_day;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (days_before(cal, mid + 1, NULL) >= target)
      hi = mid;
    else
      lo = mid + 1;
  }
  u = lo * DAY + cal->open[weekday_of(lo)] + (target - days_before(cal, lo, NULL)) - cal->offset;
  if (u > CXM_TIME_MAX) return CXM_E_NOT_FOUND;
  *out = u;
  return CXM_OK;
}
