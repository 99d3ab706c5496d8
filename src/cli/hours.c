/* Business-time options of `cxm report` and `cxm churn` (see hours.h). */
#include "hours.h"

#include <stdio.h>
#include <string.h>

#include "args.h"
#include "diag.h"
#include "holidays.h"

static const char *const day_names[8] = {"", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};

void cli_business_init(cli_business *b) {
  int32_t d;
  memset(b, 0, sizeof *b);
  for (d = CXM_MONDAY; d <= CXM_SUNDAY; d++) {
    b->open[d] = d <= CXM_FRIDAY ? 9 * 3600 : 0;
    b->close[d] = d <= CXM_FRIDAY ? 17 * 3600 : 0;
  }
  b->sla_target_seconds = 8 * 3600;
}

static const char *const options[] = {"--hours", "--sla-target", "--utc-offset", "--holidays"};

int cli_business_is_option(const char *name, size_t len) {
  size_t i;
  for (i = 0; i < sizeof options / sizeof options[0]; i++) {
    if (strlen(options[i]) == len && memcmp(options[i], name, len) == 0) return 1;
  }
  return 0;
}

/* A weekday name of three letters at `p`: 1..7, or 0. */
static int32_t day_at(const char *p, size_t len) {
  int32_t d;
  if (len != 3) return 0;
  for (d = CXM_MONDAY; d <= CXM_SUNDAY; d++) {
    if (memcmp(day_names[d], p, 3) == 0) return d;
  }
  return 0;
}

/* `HH:MM` (00:00..24:00) at `p`: seconds after midnight, or -1. */
static int32_t clock_at(const char *p, size_t len) {
  int32_t h, m;
  if (len != 5 || p[2] != ':') return -1;
  if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[3] < '0' || p[3] > '5' || p[4] < '0' || p[4] > '9')
    return -1;
  h = (p[0] - '0') * 10 + (p[1] - '0');
  m = (p[3] - '0') * 10 + (p[4] - '0');
  if (h > 24 || (h == 24 && m != 0)) return -1;
  return h * 3600 + m * 60;
}

int cli_business_parse_hours(int32_t *open, int32_t *close, const char *text) {
  int32_t o[8], c[8];
  int named[8] = {0};
  const char *p = text;
  memset(o, 0, sizeof o);
  memset(c, 0, sizeof c);
  if (*p == '\0') return -1;
  for (;;) {
    const char *end = strchr(p, ',');
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    const char *eq = memchr(p, '=', len);
    const char *dash;
    int32_t first, last, d, from, to;
    if (eq == NULL) return -1;
    /* days: `mon` or `mon-fri` */
    dash = memchr(p, '-', (size_t)(eq - p));
    if (dash == NULL) {
      first = last = day_at(p, (size_t)(eq - p));
    } else {
      first = day_at(p, (size_t)(dash - p));
      last = day_at(dash + 1, (size_t)(eq - dash - 1));
    }
    if (first == 0 || last == 0 || last < first) return -1;
    /* hours: `HH:MM-HH:MM` or `closed` */
    {
      const char *v = eq + 1;
      size_t vlen = len - (size_t)(v - p);
      if (vlen == 6 && memcmp(v, "closed", 6) == 0) {
        from = to = 0;
      } else {
        if (vlen != 11 || v[5] != '-') return -1;
        from = clock_at(v, 5);
        to = clock_at(v + 6, 5);
        if (from < 0 || to < 0 || from >= to) return -1;
      }
    }
    for (d = first; d <= last; d++) {
      if (named[d]) return -1;
      named[d] = 1;
      o[d] = from;
      c[d] = to;
    }
    if (end == NULL) break;
    p = end + 1;
  }
  memcpy(open, o, sizeof o);
  memcpy(close, c, sizeof c);
  return 0;
}

int cli_business_parse_duration(int64_t *seconds, const char *text) {
  static const char units[] = "hms";
  static const int64_t scale[] = {3600, 60, 1};
  const char *p = text;
  int64_t total = 0;
  int next_unit = 0, any = 0;
  if (*p == '\0') return -1;
  while (*p != '\0') {
    int64_t n = 0;
    const char *u;
    if (*p < '0' || *p > '9') return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
      n = n * 10 + (*p - '0');
      if (n > CLI_MAX_SLA_TARGET) return -1;
    }
    if (*p == '\0') {
      /* bare seconds, only on their own */
      if (any) return -1;
      total = n;
      break;
    }
    u = strchr(units, *p);
    if (u == NULL || (int)(u - units) < next_unit) return -1;
    next_unit = (int)(u - units) + 1;
    total += n * scale[u - units];
    if (total > CLI_MAX_SLA_TARGET) return -1;
    any = 1;
    p++;
  }
  if (total <= 0 || total > CLI_MAX_SLA_TARGET) return -1;
  *seconds = total;
  return 0;
}

int cli_business_apply(cli_business *b, const char *command, const char *name, size_t len, const char *value) {
  if (len == 7 && memcmp(name, "--hours", 7) == 0) {
    if (cli_business_parse_hours(b->open, b->close, value) != 0) {
      cli_diag_usage(command,
                     "--hours takes DAYS=HH:MM-HH:MM or DAYS=closed, comma-separated "
                     "(e.g. mon-fri=09:00-17:00,sat=10:00-14:00), each day once, not",
                     value);
      return -1;
    }
    return 0;
  }
  if (len == 12 && memcmp(name, "--sla-target", 12) == 0) {
    if (cli_business_parse_duration(&b->sla_target_seconds, value) != 0) {
      cli_diag_usage(command,
                     "--sla-target takes a business-time duration such as 8h, 30m, 1h30m or 90s (at most 8784h), not",
                     value);
      return -1;
    }
    return 0;
  }
  if (len == 12 && memcmp(name, "--utc-offset", 12) == 0) {
    if (cli_args_parse_utc_offset(&b->utc_offset, value) != 0) {
      cli_diag_usage(command, "--utc-offset takes +HH:MM or -HH:MM (at most 18:00), not", value);
      return -1;
    }
    return 0;
  }
  if (len == 10 && memcmp(name, "--holidays", 10) == 0) {
    b->holidays = value;
    return 0;
  }
  return -1;
}

int cli_business_calendar(cxm_calendar **out, cli_business *b) {
  cxm_calendar *cal = NULL;
  int32_t d;
  *out = NULL;
  if (cli_calendar_load(&cal, b->utc_offset, b->holidays) != 0) return -1;
  for (d = CXM_MONDAY; d <= CXM_SUNDAY; d++) {
    int32_t rc = cxm_calendar_set_hours(cal, d, b->open[d], b->close[d]);
    if (rc != CXM_OK) {
      cli_diag(NULL, cxm_status_str(rc));
      cxm_calendar_free(cal);
      return -1;
    }
  }
  b->holiday_count = cxm_calendar_holiday_count(cal);
  *out = cal;
  return 0;
}

static void format_clock(char *buf, size_t cap, int32_t s) {
  snprintf(buf, cap, "%02d:%02d", (int)(s / 3600), (int)(s % 3600 / 60));
}

static void format_offset(char *buf, size_t cap, int32_t offset) {
  int32_t a = offset < 0 ? -offset : offset;
  snprintf(buf, cap, "%c%02d:%02d", offset < 0 ? '-' : '+', (int)(a / 3600), (int)(a % 3600 / 60));
}

void cli_business_json(cli_json *j, const cli_business *b) {
  char text[16];
  int32_t d;
  cli_json_object_begin(j);
  format_offset(text, sizeof text, b->utc_offset);
  cli_json_keyz(j, "utc_offset");
  cli_json_stringz(j, text);
  cli_json_keyz(j, "hours");
  cli_json_object_begin(j);
  for (d = CXM_MONDAY; d <= CXM_SUNDAY; d++) {
    cli_json_keyz(j, day_names[d]);
    if (b->open[d] == b->close[d]) {
      cli_json_null(j);
    } else {
      char from[16], to[16], both[40];
      format_clock(from, sizeof from, b->open[d]);
      format_clock(to, sizeof to, b->close[d]);
      snprintf(both, sizeof both, "%s-%s", from, to);
      cli_json_stringz(j, both);
    }
  }
  cli_json_object_end(j);
  cli_json_member_uint(j, "holidays", b->holiday_count);
  cli_json_keyz(j, "sla_target_s");
  cli_json_int(j, b->sla_target_seconds);
  cli_json_object_end(j);
}

void cli_business_format_duration(char *buf, size_t cap, int64_t s) {
  int64_t h = s / 3600, m = s % 3600 / 60, sec = s % 60;
  if (sec != 0)
    snprintf(buf, cap, "%llds", (long long)s);
  else if (h > 0 && m > 0)
    snprintf(buf, cap, "%lldh%02lldm", (long long)h, (long long)m);
  else if (h > 0)
    snprintf(buf, cap, "%lldh", (long long)h);
  else
    snprintf(buf, cap, "%lldm", (long long)m);
}

void cli_business_describe(char *buf, size_t cap, const cli_business *b) {
  char offset[16], target[32];
  size_t used = 0;
  int32_t d = CXM_MONDAY;
  int any = 0;
  format_offset(offset, sizeof offset, b->utc_offset);
  cli_business_format_duration(target, sizeof target, b->sla_target_seconds);
  used += (size_t)snprintf(buf, cap, "business hours");
  /* runs of days with the same hours: mon-fri 09:00-17:00 */
  while (d <= CXM_SUNDAY && used < cap) {
    int32_t e = d;
    char from[16], to[16];
    if (b->open[d] == b->close[d]) {
      d++;
      continue;
    }
    while (e + 1 <= CXM_SUNDAY && b->open[e + 1] == b->open[d] && b->close[e + 1] == b->close[d]) e++;
    format_clock(from, sizeof from, b->open[d]);
    format_clock(to, sizeof to, b->close[d]);
    if (e == d)
      used += (size_t)snprintf(buf + used, cap - used, "%s %s %s-%s", any ? "," : "", day_names[d], from, to);
    else
      used += (size_t)snprintf(buf + used, cap - used, "%s %s-%s %s-%s", any ? "," : "", day_names[d], day_names[e],
                               from, to);
    any = 1;
    d = e + 1;
  }
  if (used < cap && !any) used += (size_t)snprintf(buf + used, cap - used, " none");
  if (used < cap)
    snprintf(buf + used, cap - used, " (UTC%s), %zu holiday%s; SLA: first reply within %s of business time", offset,
             b->holiday_count, b->holiday_count == 1 ? "" : "s", target);
}
