/* `cxm report --compare PERIOD` (see compare.h). */
#include "compare.h"

#include <math.h>
#include <string.h>

#include "diag.h"
#include "table.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  int64_t era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The inverse (civil_from_days). */
static void civil_from_days(int64_t *y, int64_t *m, int64_t *d, int64_t z) {
  int64_t era, doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t cli_compare_month_start(int64_t t, int32_t delta) {
  int64_t y, m, d, months;
  civil_from_days(&y, &m, &d, floor_div(t, 86400));
  months = y * 12 + (m - 1) + delta;
  return days_from_civil(floor_div(months, 12), months - floor_div(months, 12) * 12 + 1, 1) * 86400;
}

void cli_compare_week(char *key, size_t cap, int64_t *monday, int64_t t) {
  int64_t day = floor_div(t, 86400);
  /* 1970-01-01 was a Thursday (ISO weekday 4): Monday is day - (day + 3) mod 7. */
  int64_t mon = day - (day + 3 - floor_div(day + 3, 7) * 7);
  int64_t thursday = mon + 3, y, m, d, jan1;
  civil_from_days(&y, &m, &d, thursday);
  jan1 = days_from_civil(y, 1, 1);
  snprintf(key, cap, "%04lld-W%02lld", (long long)y, (long long)((thursday - jan1) / 7 + 1));
  *monday = mon * 86400;
}

static void month_key(char *key, size_t cap, int64_t t) {
  int64_t y, m, d;
  civil_from_days(&y, &m, &d, floor_div(t, 86400));
  snprintf(key, cap, "%04lld-%02lld", (long long)y, (long long)m);
}

/* A window bound: YYYY-MM-DD or an RFC 3339 time / Unix seconds at a UTC midnight. */
static int parse_bound(int64_t *out, const char *p, size_t len) {
  char text[40];
  int64_t t;
  if (len == 0 || len >= sizeof text - 10) return -1;
  memcpy(text, p, len);
  text[len] = '\0';
  if (len == 10) memcpy(text + len, "T00:00:00Z", 11);
  if (cxm_time_parse(&t, text, strlen(text)) != CXM_OK || t % 86400 != 0) return -1;
  *out = t;
  return 0;
}

static void window_label(char *label, size_t cap, int64_t from, int64_t to) {
  char a[CXM_TIME_TEXT_SIZE], b[CXM_TIME_TEXT_SIZE];
  if (cxm_time_format(a, sizeof a, from) != CXM_OK || cxm_time_format(b, sizeof b, to) != CXM_OK) {
    snprintf(label, cap, "?");
    return;
  }
  a[10] = b[10] = '\0'; /* dates only: the bounds are midnights */
  snprintf(label, cap, "%s..%s", a, b);
}

int cli_compare_parse(cli_compare *c, const char *command, const char *text) {
  cli_compare parsed;
  memset(&parsed, 0, sizeof parsed);
  if (strcmp(text, "month") == 0) {
    parsed.kind = CLI_COMPARE_MONTH;
  } else if (strcmp(text, "week") == 0) {
    parsed.kind = CLI_COMPARE_WEEK;
  } else {
    const char *comma = strchr(text, ',');
    const char *parts[2] = {text, comma != NULL ? comma + 1 : NULL};
    size_t lens[2];
    int k;
    parsed.kind = CLI_COMPARE_WINDOWS;
    if (comma == NULL || strchr(comma + 1, ',') != NULL) goto bad;
    lens[0] = (size_t)(comma - text);
    lens[1] = strlen(comma + 1);
    for (k = 0; k < 2; k++) {
      const char *dots = NULL, *p;
      for (p = parts[k]; p + 1 < parts[k] + lens[k]; p++) {
        if (p[0] == '.' && p[1] == '.') {
          dots = p;
          break;
        }
      }
      if (dots == NULL || parse_bound(&parsed.from[k], parts[k], (size_t)(dots - parts[k])) != 0 ||
          parse_bound(&parsed.to[k], dots + 2, lens[k] - (size_t)(dots + 2 - parts[k])) != 0 ||
          parsed.from[k] >= parsed.to[k])
        goto bad;
      window_label(parsed.label[k], sizeof parsed.label[k], parsed.from[k], parsed.to[k]);
    }
  }
  *c = parsed;
  return 0;
bad:
  cli_diag_usage(command,
                 "--compare takes month, week or FROM..TO,FROM..TO (dates YYYY-MM-DD, each FROM before its TO), not",
                 text);
  return -1;
}

int cli_compare_resolve(cli_compare *c, int64_t last) {
  if (c->kind == CLI_COMPARE_WINDOWS) return 0;
  if (last == INT64_MIN) return -1;
  if (c->kind == CLI_COMPARE_MONTH) {
    c->from[1] = cli_compare_month_start(last, 0);
    c->to[1] = cli_compare_month_start(last, 1);
    c->from[0] = cli_compare_month_start(last, -1);
    c->to[0] = c->from[1];
    month_key(c->label[0], sizeof c->label[0], c->from[0]);
    month_key(c->label[1], sizeof c->label[1], c->from[1]);
  } else {
    int64_t monday;
    cli_compare_week(c->label[1], sizeof c->label[1], &monday, last);
    c->from[1] = monday;
    c->to[1] = monday + 7 * 86400;
    cli_compare_week(c->label[0], sizeof c->label[0], &c->from[0], monday - 86400);
    c->to[0] = monday;
  }
  return 0;
}

int32_t cli_compare_run(cli_compare_result *r, const cxm_store *store, const cli_compare *c) {
  int k;
  int32_t rc = CXM_OK;
  for (k = 0; k < 2 && rc == CXM_OK; k++) {
    cxm_filter f;
    cxm_filter_init(&f);
    f.from = c->from[k];
    f.to = c->to[k];
    rc = cxm_store_survey(&r->acc[k], store, &f);
  }
  for (k = 0; k < 2 && rc == CXM_OK; k++) {
    cxm_nps_result nps;
    cxm_csat_result csat;
    cxm_nps_compute(&nps, &r->acc[k].nps);
    cxm_csat_compute(&csat, &r->acc[k].csat);
    r->n[k][0] = nps.n;
    r->n[k][1] = csat.n;
  }
  if (rc == CXM_OK) rc = cxm_nps_compare(&r->nps, &r->acc[0].nps, &r->acc[1].nps);
  if (rc == CXM_OK) rc = cxm_csat_compare(&r->csat, &r->acc[0].csat, &r->acc[1].csat);
  return rc;
}

static void json_test(cli_json *j, const char *key, const cxm_comparison *t, uint64_t n0, uint64_t n1) {
  cli_json_keyz(j, key);
  cli_json_object_begin(j);
  cli_json_member_uint(j, "n_first", n0);
  cli_json_member_uint(j, "n_second", n1);
  cli_json_member_number(j, "first", t->first);
  cli_json_member_number(j, "second", t->second);
  cli_json_member_number(j, "diff", t->diff);
  cli_json_member_number(j, "se", t->se);
  cli_json_member_number(j, "z", t->z);
  cli_json_member_number(j, "p", t->p);
  cli_json_keyz(j, "significant");
  if (isnan(t->p))
    cli_json_null(j);
  else
    cli_json_bool(j, t->p < CLI_COMPARE_ALPHA);
  cli_json_object_end(j);
}

static void json_window(cli_json *j, const char *key, const cli_compare *c, int k) {
  char t[CXM_TIME_TEXT_SIZE];
  cli_json_keyz(j, key);
  cli_json_object_begin(j);
  cli_json_keyz(j, "label");
  cli_json_stringz(j, c->label[k]);
  cli_json_keyz(j, "from");
  if (cxm_time_format(t, sizeof t, c->from[k]) == CXM_OK)
    cli_json_stringz(j, t);
  else
    cli_json_null(j);
  cli_json_keyz(j, "to");
  if (cxm_time_format(t, sizeof t, c->to[k]) == CXM_OK)
    cli_json_stringz(j, t);
  else
    cli_json_null(j);
  cli_json_object_end(j);
}

void cli_compare_json(cli_json *j, const cli_compare *c, const cli_compare_result *r) {
  static const char *const kinds[] = {"", "month", "week", "windows"};
  cli_json_object_begin(j);
  cli_json_keyz(j, "period");
  cli_json_stringz(j, kinds[c->kind]);
  json_window(j, "first", c, 0);
  json_window(j, "second", c, 1);
  cli_json_member_number(j, "alpha", CLI_COMPARE_ALPHA);
  json_test(j, "nps", &r->nps, r->n[0][0], r->n[1][0]);
  json_test(j, "csat", &r->csat, r->n[0][1], r->n[1][1]);
  cli_json_object_end(j);
}

static void cell(cli_table *t, int decimals, int sign, double v) {
  if (isnan(v))
    cli_table_cell(t, "-");
  else if (sign)
    cli_table_cellf(t, "%+.*f", decimals, v);
  else
    cli_table_cellf(t, "%.*f", decimals, v);
}

static void table_test(cli_table *t, const char *name, const cxm_comparison *c, uint64_t n0, uint64_t n1) {
  cli_table_cell(t, name);
  cli_table_cellf(t, "%llu", (unsigned long long)n0);
  cell(t, 1, 0, c->first);
  cli_table_cellf(t, "%llu", (unsigned long long)n1);
  cell(t, 1, 0, c->second);
  cell(t, 1, 1, c->diff);
  cell(t, 2, 0, c->z);
  if (isnan(c->p))
    cli_table_cell(t, "-");
  else if (c->p < 0.0001)
    cli_table_cell(t, "<0.0001");
  else
    cli_table_cellf(t, "%.4f", c->p);
  cli_table_cell(t, isnan(c->p) ? "-" : c->p < CLI_COMPARE_ALPHA ? "yes" : "no");
}

int cli_compare_print(FILE *out, const cli_compare *c, const cli_compare_result *r) {
  static const char *const names[] = {"metric", "n 1st", "1st", "n 2nd", "2nd", "change", "z", "p", "p < 0.05"};
  char title[160];
  cli_table *t = cli_table_new(9);
  size_t i;
  int rc;
  if (t == NULL) return -1;
  for (i = 0; i < sizeof names / sizeof names[0]; i++) cli_table_cell(t, names[i]);
  table_test(t, "NPS", &r->nps, r->n[0][0], r->n[1][0]);
  table_test(t, "CSAT %", &r->csat, r->n[0][1], r->n[1][1]);
  snprintf(title, sizeof title, "\ncompared: 1st %s, 2nd %s (z tests of docs/metrics.md)", c->label[0], c->label[1]);
  rc = cli_table_print(t, out, title);
  cli_table_free(t);
  return rc;
}
