/* `cxm retention`: reads event files into a store, takes the survival
 * rows (cxm_store_retention), fits a Kaplan-Meier curve per group and
 * compares the groups by the log-rank test; prints tables or JSON. */
#include "cmd_retention.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cxm.h"
#include "diag.h"
#include "hours.h"
#include "input.h"
#include "json.h"
#include "table.h"

static const char usage_text[] =
    "Usage: cxm retention [OPTIONS] FILE...\n"
    "\n"
    "Kaplan-Meier retention of the customers in event files (docs/retention.md).\n"
    "\n"
    "Options:\n"
    "  --from DATE      window opening, a UTC date (default: the first event's day)\n"
    "  --to DATE        window end, exclusive (default: the day after the last event)\n"
    "  --lapse DAYS     lost after DAYS without activity, 0..3660; 0: churn events only (default 90)\n"
    "  --origin WHICH   tenure (days since first activity; default) or window (days since --from)\n"
    "  --by nps         one curve per latest NPS category, with the log-rank test\n"
    "  --by effort      one curve for customers with a high-effort CES answer (1-3), one without\n"
    "  --by channel     one curve per channel of the customer's earliest event naming one\n"
    "  --by segment     one curve per segment of the customer's earliest event naming one\n"
    "  --by sla         one curve per SLA outcome of the customer's contacts: no contact,\n"
    "                   within SLA, SLA breached (first reply beyond --sla-target)\n"
    "  --tau DAYS       horizon of the restricted mean (default 365)\n"
    "  --cox            also a Cox model (Efron ties) of the loss hazard on time-varying\n"
    "                   experience: detractor, promoter, complaints, high effort\n"
    "  --cohorts        a monthly cohort table instead (cohort = month of first activity\n"
    "                   from --from's month; share of each cohort active per month since)\n"
    "  --hours SPEC     business hours of the SLA (default mon-fri=09:00-17:00)\n"
    "  --sla-target DUR first-reply target in business time: 8h (default), 30m, 1h30m\n"
    "  --utc-offset +HH:MM  UTC offset of the business hours (default +00:00)\n"
    "  --holidays FILE  business holidays, one YYYY-MM-DD a line\n"
    "  --json           JSON instead of tables (with every step of each curve)\n"
    "  --strict         stop at the first bad row\n"
    "  -h, --help       show this help\n";

/* --by */
enum { BY_NONE, BY_NPS, BY_EFFORT, BY_CHANNEL, BY_SEGMENT, BY_SLA };
static const char *const by_names[] = {"", "nps", "effort", "channel", "segment", "sla"};

typedef struct ret_args {
  int help, json, strict, by, cohorts, cox;
  cli_business business; /* --hours, --sla-target, --utc-offset, --holidays (hours.c) */
  int64_t from, to;
  int32_t lapse, origin;
  double tau;
  char **files;
  size_t file_count;
} ret_args;

static int parse_days(double *out, const char *s, double lo, double hi) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end != '\0' || !(v >= lo && v <= hi)) return -1;
  *out = v;
  return 0;
}

static int parse_args(ret_args *a, int argc, char **argv) {
  static const char *const valued[] = {"--from", "--to", "--lapse", "--origin", "--by", "--tau"};
  memset(a, 0, sizeof *a);
  a->from = INT64_MIN;
  a->to = INT64_MIN;
  a->lapse = 90;
  a->origin = CXM_RETENTION_TENURE;
  a->tau = 365;
  cli_business_init(&a->business);
  a->files = calloc((size_t)(argc > 0 ? argc : 1), sizeof *a->files);
  if (a->files == NULL) {
    cli_diag(NULL, "out of memory");
    return CLI_EXIT_FAILURE;
  }
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *value;
    int which = -1;
    double d;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      a->help = 1;
      continue;
    }
    if (strcmp(arg, "--cox") == 0) {
      a->cox = 1;
      continue;
    }
    if (strcmp(arg, "--cohorts") == 0) {
      a->cohorts = 1;
      continue;
    }
    if (strcmp(arg, "--json") == 0 || strcmp(arg, "--strict") == 0) {
      *(arg[2] == 'j' ? &a->json : &a->strict) = 1;
      continue;
    }
    if (arg[0] != '-' || strcmp(arg, "-") == 0) {
      a->files[a->file_count++] = argv[i];
      continue;
    }
    {
      const char *eq = strchr(arg, '=');
      size_t nlen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
      if (cli_business_is_option(arg, nlen)) {
        const char *v = eq != NULL ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (v == NULL) {
          cli_diag_usage("retention", "missing value after", arg);
          return CLI_EXIT_USAGE;
        }
        if (cli_business_apply(&a->business, "retention", arg, nlen, v) != 0) return CLI_EXIT_USAGE;
        continue;
      }
    }
    if (cli_option_value("retention", valued, 6, argc, argv, &i, &which, &value) != CLI_EXIT_OK) return CLI_EXIT_USAGE;
    switch (which) {
    case 0:
    case 1:
      if (cli_parse_midnight(which == 0 ? &a->from : &a->to, value) != 0) {
        cli_diag_usage("retention", "--from and --to take a UTC date (YYYY-MM-DD), not", value);
        return CLI_EXIT_USAGE;
      }
      break;
    case 2:
      if (parse_days(&d, value, 0, 3660) != 0 || d != floor(d)) {
        cli_diag_usage("retention", "--lapse takes a whole number of days, 0..3660, not", value);
        return CLI_EXIT_USAGE;
      }
      a->lapse = (int32_t)d;
      break;
    case 3:
      if (strcmp(value, "tenure") == 0)
        a->origin = CXM_RETENTION_TENURE;
      else if (strcmp(value, "window") == 0)
        a->origin = CXM_RETENTION_WINDOW;
      else {
        cli_diag_usage("retention", "--origin takes tenure or window, not", value);
        return CLI_EXIT_USAGE;
      }
      break;
    case 4: {
      int by = BY_NONE;
      for (int k = BY_NPS; k <= BY_SLA; k++)
        if (strcmp(value, by_names[k]) == 0) by = k;
      if (by == BY_NONE) {
        cli_diag_usage("retention", "--by takes nps, effort, channel, segment or sla, not", value);
        return CLI_EXIT_USAGE;
      }
      if (a->by != BY_NONE) {
        cli_diag_usage("retention", "--by takes one grouping, not two:", value);
        return CLI_EXIT_USAGE;
      }
      a->by = by;
      break;
    }
    default:
      if (parse_days(&a->tau, value, 1, 36600) != 0) {
        cli_diag_usage("retention", "--tau takes a number of days, 1..36600, not", value);
        return CLI_EXIT_USAGE;
      }
      break;
    }
  }
  if (!a->help && a->file_count == 0) {
    cli_diag_usage("retention", "no input: give event FILEs", NULL);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

static const char *const group_names[4] = {"no answer", "detractor", "passive", "promoter"};
static const char *const effort_names[2] = {"other effort", "high effort"};
static const double marks[4] = {30, 90, 180, 365};

typedef struct group {
  size_t n;
  uint64_t lost;
  double *entry, *time;
  uint8_t *event;
} group;

static void print_json_group(cli_json *j, const char *name, const group *g, const cxm_km *km, double tau) {
  double med, lo, hi, rmst, se, s;
  cli_json_object_begin(j);
  cli_json_keyz(j, "group");
  cli_json_stringz(j, name);
  cli_json_member_uint(j, "customers", g->n);
  cli_json_member_uint(j, "lost", g->lost);
  cxm_km_median(&med, &lo, &hi, km);
  cli_json_member_number(j, "median_days", med);
  cli_json_keyz(j, "median_interval");
  cli_json_interval(j, lo, hi);
  cxm_km_rmst(&rmst, &se, km, tau);
  cli_json_member_number(j, "rmst_days", rmst);
  cli_json_member_number(j, "rmst_se", se);
  cli_json_keyz(j, "survival_at");
  cli_json_object_begin(j);
  for (size_t m = 0; m < 4; m++) {
    char key[16];
    snprintf(key, sizeof key, "%g", marks[m]);
    cxm_km_survival_at(&s, km, marks[m]);
    cli_json_member_number(j, key, s);
  }
  cli_json_object_end(j);
  cli_json_keyz(j, "curve");
  cli_json_array_begin(j);
  for (size_t i = 0; i < cxm_km_steps(km); i++) {
    cxm_km_step st;
    st.size = sizeof st;
    cxm_km_step_get(&st, km, i);
    cli_json_object_begin(j);
    cli_json_member_number(j, "days", st.time);
    cli_json_member_uint(j, "at_risk", st.n_risk);
    cli_json_member_uint(j, "lost", st.n_event);
    cli_json_member_uint(j, "censored", st.n_censor);
    cli_json_member_number(j, "survival", st.surv);
    cli_json_member_number(j, "std_err", st.std_err);
    cli_json_keyz(j, "interval");
    cli_json_interval(j, st.lower, st.upper);
    cli_json_object_end(j);
  }
  cli_json_array_end(j);
  cli_json_object_end(j);
}

static void table_group(cli_table *t, const char *name, const group *g, const cxm_km *km, double tau) {
  double med, lo, hi, rmst, s;
  cxm_km_median(&med, &lo, &hi, km);
  cxm_km_rmst(&rmst, NULL, km, tau);
  cli_table_cell(t, name);
  cli_table_cellf(t, "%zu", g->n);
  cli_table_cellf(t, "%llu", (unsigned long long)g->lost);
  if (isnan(med))
    cli_table_cell(t, "not reached");
  else if (isnan(hi))
    cli_table_cellf(t, "%g [%g, -]", med, lo);
  else
    cli_table_cellf(t, "%g [%g, %g]", med, lo, hi);
  for (size_t m = 0; m < 4; m++) {
    cxm_km_survival_at(&s, km, marks[m]);
    cli_table_cellf(t, "%.1f%%", 100.0 * s);
  }
  cli_table_cellf(t, "%.1f", rmst);
}

static void civil_of(int64_t t, int64_t *y, int32_t *m, int32_t *d) {
  char buf[32];
  long long yy = 1970;
  int mm = 1, dd = 1;
  if (cxm_time_format(buf, sizeof buf, t) == CXM_OK) sscanf(buf, "%lld-%d-%d", &yy, &mm, &dd);
  *y = yy;
  *m = mm;
  *d = dd;
}

static int64_t month_midnight(int64_t y, int32_t m) {
  char buf[64];
  int64_t t = 0;
  snprintf(buf, sizeof buf, "%04lld-%02d-01T00:00:00Z", (long long)y, (int)m);
  (void)cxm_time_parse(&t, buf, strlen(buf));
  return t;
}

/* --cohorts: months from --from's month to --to's (the month after the
 * last event by default). */
static int print_cohorts(const cxm_store *store, int64_t from, int64_t to, int json) {
  cxm_cohorts *c = NULL;
  int64_t y0, y1;
  int32_t m0, m1, d;
  int64_t start, end;
  size_t count;
  uint64_t *active;
  int32_t rc;
  int status = CLI_EXIT_OK;
  /* widen to whole months */
  civil_of(from, &y0, &m0, &d);
  civil_of(to - 86400, &y1, &m1, &d);
  start = month_midnight(y0, m0);
  end = m1 == 12 ? month_midnight(y1 + 1, 1) : month_midnight(y1, m1 + 1);
  rc = cxm_store_cohorts(&c, store, start, end);
  if (rc != CXM_OK) {
    cli_diag("retention", cxm_status_str(rc));
    return rc == CXM_E_WINDOW ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
  }
  count = cxm_cohorts_count(c);
  active = calloc(count + 1, sizeof *active);
  if (active == NULL) {
    cxm_cohorts_free(c);
    cli_diag(NULL, "out of memory");
    return CLI_EXIT_FAILURE;
  }
  if (json) {
    cli_json j;
    cli_json_init(&j, stdout, 1);
    cli_json_object_begin(&j);
    cli_json_keyz(&j, "cohorts");
    cli_json_array_begin(&j);
    for (size_t i = 0; i < count; i++) {
      int64_t month;
      uint64_t size;
      size_t obs;
      char when[32];
      cxm_cohorts_get(&month, &size, active, &obs, count, c, i);
      cli_json_object_begin(&j);
      cli_json_keyz(&j, "month");
      cxm_time_format(when, sizeof when, month);
      cli_json_string(&j, when, 7);
      cli_json_member_uint(&j, "customers", size);
      cli_json_keyz(&j, "active");
      cli_json_array_begin(&j);
      for (size_t k = 0; k < obs; k++) cli_json_uint(&j, active[k]);
      cli_json_array_end(&j);
      cli_json_object_end(&j);
    }
    cli_json_array_end(&j);
    cli_json_object_end(&j);
    fputc('\n', stdout);
  } else {
    size_t cols = count < 13 ? count : 13;
    cli_table *t = cli_table_new(cols + 2);
    if (t == NULL) status = CLI_EXIT_FAILURE;
    for (size_t k = 0; t != NULL && k < cols + 2; k++) {
      if (k == 0)
        cli_table_cell(t, "cohort");
      else if (k == 1)
        cli_table_cell(t, "customers");
      else
        cli_table_cellf(t, "M%zu", k - 2);
    }
    for (size_t i = 0; t != NULL && i < count; i++) {
      int64_t month;
      uint64_t size;
      size_t obs;
      char when[32];
      cxm_cohorts_get(&month, &size, active, &obs, count, c, i);
      cxm_time_format(when, sizeof when, month);
      when[7] = '\0';
      cli_table_cell(t, when);
      cli_table_cellf(t, "%llu", (unsigned long long)size);
      for (size_t k = 0; k < cols; k++) {
        if (k >= obs || size == 0)
          cli_table_cell(t, "");
        else
          cli_table_cellf(t, "%.1f%%", 100.0 * (double)active[k] / (double)size);
      }
    }
    if (t != NULL) {
      cli_table_print(t, stdout, "Monthly cohorts: share of each cohort active in month k after its first (M0 = 100%)");
      cli_table_free(t);
    }
  }
  free(active);
  cxm_cohorts_free(c);
  return status;
}

static const char *const tv_names[CXM_TV_COUNT] = {"detractor", "promoter", "complaints", "high_effort"};

typedef struct cox_out {
  int ok;
  size_t p;
  int32_t which[CXM_TV_COUNT];
  cxm_cox_coef coef[CXM_TV_COUNT];
  cxm_cox_summary sum;
} cox_out;

/* Cox on the time-varying rows; covariates constant over every row are
 * left out (they carry no information). */
static int fit_cox(cox_out *res, const cxm_store *store, const cxm_retention_options *o) {
  cxm_tv_rows *tv = NULL;
  cxm_cox *fit = NULL;
  cxm_cox_options co;
  double *start = NULL, *stop = NULL, *x = NULL;
  uint8_t *ev = NULL;
  size_t n;
  int32_t rc;
  memset(res, 0, sizeof *res);
  rc = cxm_store_retention_tv(&tv, store, o);
  if (rc != CXM_OK) return rc;
  n = cxm_tv_rows_count(tv);
  start = calloc(n + 1, sizeof *start);
  stop = calloc(n + 1, sizeof *stop);
  ev = calloc(n + 1, 1);
  x = calloc((n + 1) * CXM_TV_COUNT, sizeof *x);
  rc = CXM_E_NOMEM;
  if (start != NULL && stop != NULL && ev != NULL && x != NULL) {
    double lo[CXM_TV_COUNT], hi[CXM_TV_COUNT];
    for (size_t j = 0; j < CXM_TV_COUNT; j++) lo[j] = INFINITY, hi[j] = -INFINITY;
    for (size_t i = 0; i < n; i++) {
      cxm_tv_row row;
      row.size = sizeof row;
      cxm_tv_row_get(&row, tv, i);
      for (size_t j = 0; j < CXM_TV_COUNT; j++) {
        lo[j] = fmin(lo[j], row.x[j]);
        hi[j] = fmax(hi[j], row.x[j]);
      }
    }
    for (size_t j = 0; j < CXM_TV_COUNT; j++)
      if (hi[j] > lo[j]) res->which[res->p++] = (int32_t)j;
    for (size_t i = 0; i < n; i++) {
      cxm_tv_row row;
      row.size = sizeof row;
      cxm_tv_row_get(&row, tv, i);
      start[i] = row.start;
      stop[i] = row.stop;
      ev[i] = (uint8_t)row.lost;
      for (size_t j = 0; j < res->p; j++) x[i * res->p + j] = row.x[res->which[j]];
    }
    cxm_cox_options_init(&co);
    co.ties = CXM_COX_EFRON;
    rc = res->p == 0 ? CXM_E_NO_DATA : cxm_cox_fit(&fit, NULL, start, stop, ev, x, n, res->p, &co);
    if (rc == CXM_OK) {
      for (size_t j = 0; j < res->p; j++) {
        res->coef[j].size = sizeof res->coef[j];
        cxm_cox_coef_get(&res->coef[j], fit, j);
      }
      res->sum.size = sizeof res->sum;
      cxm_cox_summary_get(&res->sum, fit);
      res->ok = 1;
    }
  }
  cxm_cox_free(fit);
  cxm_tv_rows_free(tv);
  free(start);
  free(stop);
  free(ev);
  free(x);
  return rc;
}

/* The groups of --by: `k` of them, each row's index in gid[], and each
 * group's name. */
typedef struct grouping {
  size_t k;
  int32_t *code; /* per group: its channel or segment code (--by channel, segment) */
  char **name;
} grouping;

static void grouping_free(grouping *gp) {
  for (size_t g = 0; g < gp->k; g++) free(gp->name[g]);
  free(gp->name);
  free(gp->code);
  memset(gp, 0, sizeof *gp);
}

static const char *const sla_names[3] = {"no contact", "within SLA", "SLA breached"};

/* The group of a row under --by (a channel or segment code before they
 * are made dense). */
static int32_t row_key(int by, const cxm_retention_row *r) {
  switch (by) {
  case BY_NPS: return r->nps;
  case BY_EFFORT: return r->high_effort;
  case BY_CHANNEL: return r->channel;
  case BY_SEGMENT: return r->segment;
  case BY_SLA: return r->sla;
  default: return 0;
  }
}

/* The groups of the rows: fixed for nps (4), effort (2) and sla (3); the
 * channels and segments that occur, in code order. gid[i] receives row
 * i's group. 0, or -1 when out of memory. */
static int make_groups(grouping *gp, int32_t *gid, int by, const cxm_retention *rows, const cxm_store *store) {
  size_t n = cxm_retention_count(rows), fixed = by == BY_NPS ? 4 : by == BY_EFFORT ? 2 : by == BY_SLA ? 3 : 0;
  memset(gp, 0, sizeof *gp);
  if (by == BY_NONE) return 0;
  gp->code = calloc(fixed > 0 ? fixed : n + 1, sizeof *gp->code);
  if (gp->code == NULL) return -1;
  if (fixed > 0) {
    gp->k = fixed;
    for (size_t g = 0; g < fixed; g++) gp->code[g] = (int32_t)g;
  } else {
    /* distinct codes, sorted: an insertion into a short list (channels and
     * segments are few) */
    for (size_t i = 0; i < n; i++) {
      cxm_retention_row r;
      size_t at;
      int32_t key;
      r.size = sizeof r;
      cxm_retention_row_get(&r, rows, i);
      key = row_key(by, &r);
      for (at = 0; at < gp->k && gp->code[at] < key; at++) continue;
      if (at < gp->k && gp->code[at] == key) continue;
      memmove(gp->code + at + 1, gp->code + at, (gp->k - at) * sizeof *gp->code);
      gp->code[at] = key;
      gp->k++;
    }
  }
  gp->name = calloc(gp->k + 1, sizeof *gp->name);
  if (gp->name == NULL) return -1;
  for (size_t g = 0; g < gp->k; g++) {
    const char *name = "";
    size_t len = 0;
    if (by == BY_NPS)
      name = group_names[g];
    else if (by == BY_EFFORT)
      name = effort_names[g];
    else if (by == BY_SLA)
      name = sla_names[g];
    else if (by == BY_CHANNEL)
      (void)cxm_store_channel_name(&name, &len, store, gp->code[g]);
    else
      (void)cxm_store_segment_name(&name, &len, store, gp->code[g]);
    if (len == 0) len = strlen(name);
    gp->name[g] = malloc(len + 1);
    if (gp->name[g] == NULL) return -1;
    memcpy(gp->name[g], name, len);
    gp->name[g][len] = '\0';
  }
  for (size_t i = 0; i < n; i++) {
    cxm_retention_row r;
    size_t lo = 0, hi = gp->k;
    int32_t key;
    r.size = sizeof r;
    cxm_retention_row_get(&r, rows, i);
    key = row_key(by, &r);
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (gp->code[mid] < key)
        lo = mid + 1;
      else
        hi = mid;
    }
    gid[i] = (int32_t)lo;
  }
  return 0;
}

int cli_retention_main(int argc, char **argv) {
  ret_args a;
  cxm_store *store = NULL;
  cxm_retention *rows = NULL;
  cxm_retention_options o;
  cxm_store_stats stats;
  cxm_calendar *calendar = NULL;
  cli_input totals;
  grouping gp;
  group *groups = NULL; /* groups[0..k): the --by groups; groups[k]: everyone */
  cxm_km **kms = NULL;
  int32_t *gid = NULL;
  size_t n, k = 0;
  int status = parse_args(&a, argc, argv), rc;
  memset(&gp, 0, sizeof gp);
  if (status != CLI_EXIT_OK || a.help) {
    if (a.help) fputs(usage_text, stdout);
    free(a.files);
    return status;
  }
  if (a.by == BY_SLA && cli_business_calendar(&calendar, &a.business) != 0) {
    status = CLI_EXIT_USAGE;
    goto done;
  }
  status = cli_read_store(&store, a.files, a.file_count, a.strict, &totals);
  if (status != CLI_EXIT_OK) goto done;
  stats.size = sizeof stats;
  cxm_store_stats_get(&stats, store);
  cxm_retention_options_init(&o);
  o.from = a.from != INT64_MIN ? a.from : stats.first - (stats.first % 86400 + 86400) % 86400;
  o.to = a.to != INT64_MIN ? a.to : stats.last - (stats.last % 86400 + 86400) % 86400 + 86400;
  o.lapse_days = a.lapse;
  o.origin = a.origin;
  o.sla_target_seconds = a.business.sla_target_seconds;
  o.calendar = calendar;
  if (stats.first == INT64_MAX) {
    cli_diag(NULL, "no events");
    status = CLI_EXIT_FAILURE;
    goto done;
  }
  if (a.cohorts) {
    status = print_cohorts(store, o.from, o.to, a.json);
    goto done;
  }
  rc = cxm_store_retention(&rows, store, &o);
  if (rc != CXM_OK) {
    cli_diag("retention", cxm_status_str(rc));
    status = rc == CXM_E_WINDOW ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    goto done;
  }
  n = cxm_retention_count(rows);
  gid = calloc(n + 1, sizeof *gid);
  if (gid == NULL || make_groups(&gp, gid, a.by, rows, store) != 0) {
    cli_diag(NULL, "out of memory");
    status = CLI_EXIT_FAILURE;
    goto done;
  }
  k = gp.k;
  groups = calloc(k + 1, sizeof *groups);
  kms = calloc(k + 1, sizeof *kms);
  if (groups == NULL || kms == NULL) {
    cli_diag(NULL, "out of memory");
    status = CLI_EXIT_FAILURE;
    goto done;
  }
  for (size_t g = 0; g <= k; g++) {
    groups[g].entry = calloc(n + 1, sizeof(double));
    groups[g].time = calloc(n + 1, sizeof(double));
    groups[g].event = calloc(n + 1, 1);
    if (groups[g].entry == NULL || groups[g].time == NULL || groups[g].event == NULL) {
      cli_diag(NULL, "out of memory");
      status = CLI_EXIT_FAILURE;
      goto done;
    }
  }
  /* groups[k]: everyone; groups[0..k): by --by */
  for (size_t i = 0; i < n; i++) {
    cxm_retention_row r;
    r.size = sizeof r;
    cxm_retention_row_get(&r, rows, i);
    for (int pass = 0; pass < (k > 0 ? 2 : 1); pass++) {
      group *g = &groups[pass == 0 ? k : (size_t)gid[i]];
      g->entry[g->n] = r.entry;
      g->time[g->n] = r.time;
      g->event[g->n] = (uint8_t)r.lost;
      g->lost += (uint64_t)r.lost;
      g->n++;
    }
  }
  for (size_t g = 0; g <= k; g++) {
    if (groups[g].n == 0) continue;
    rc = cxm_km_fit(&kms[g], NULL, groups[g].entry, groups[g].time, groups[g].event, groups[g].n, 0.95);
    if (rc != CXM_OK) {
      cli_diag("retention", cxm_status_str(rc));
      status = CLI_EXIT_FAILURE;
      goto done;
    }
  }
  {
    cox_out cx;
    int32_t cox_rc = CXM_OK;
    cxm_logrank lr;
    int have_lr = 0;
    char day[32];
    /* the order groups are shown in: everyone, then nps and effort from
     * the highest group down (as before), the others in code order */
    size_t *order = calloc(k + 1, sizeof *order);
    if (order == NULL) {
      cli_diag(NULL, "out of memory");
      status = CLI_EXIT_FAILURE;
      goto done;
    }
    order[0] = k;
    for (size_t g = 0; g < k; g++) order[g + 1] = a.by == BY_NPS || a.by == BY_EFFORT ? k - 1 - g : g;
    lr.size = sizeof lr;
    if (k >= 2 && n > 0)
      have_lr = cxm_logrank_test(&lr, NULL, NULL, NULL, groups[k].entry, groups[k].time, groups[k].event, gid, n,
                                 (int32_t)k) == CXM_OK;
    memset(&cx, 0, sizeof cx);
    if (a.cox) cox_rc = fit_cox(&cx, store, &o);
    if (a.cox && !cx.ok) cli_diag("retention --cox", cxm_status_str(cox_rc));
    if (a.json) {
      cli_json j;
      cli_json_init(&j, stdout, 1);
      cli_json_object_begin(&j);
      cli_json_keyz(&j, "from");
      cxm_time_format(day, sizeof day, o.from);
      cli_json_stringz(&j, day);
      cli_json_keyz(&j, "to");
      cxm_time_format(day, sizeof day, o.to);
      cli_json_stringz(&j, day);
      cli_json_keyz(&j, "origin");
      cli_json_stringz(&j, a.origin == CXM_RETENTION_TENURE ? "tenure" : "window");
      cli_json_member_uint(&j, "lapse_days", (uint64_t)a.lapse);
      cli_json_member_number(&j, "tau_days", a.tau);
      if (a.by == BY_SLA) {
        cli_json_keyz(&j, "settings");
        cli_business_json(&j, &a.business);
      }
      cli_json_keyz(&j, "groups");
      cli_json_array_begin(&j);
      for (size_t m = 0; m <= k; m++) {
        size_t g = order[m];
        if (kms[g] != NULL) print_json_group(&j, g == k ? "all" : gp.name[g], &groups[g], kms[g], a.tau);
      }
      cli_json_array_end(&j);
      cli_json_keyz(&j, "logrank");
      if (have_lr) {
        cli_json_object_begin(&j);
        cli_json_member_number(&j, "chisq", lr.chisq);
        cli_json_member_uint(&j, "df", (uint64_t)lr.df);
        cli_json_member_number(&j, "p", lr.p);
        cli_json_object_end(&j);
      } else {
        cli_json_null(&j);
      }
      if (a.cox) {
        cli_json_keyz(&j, "cox");
        if (cx.ok) {
          cli_json_object_begin(&j);
          cli_json_keyz(&j, "ties");
          cli_json_stringz(&j, "efron");
          cli_json_member_uint(&j, "rows", cx.sum.n);
          cli_json_member_uint(&j, "lost", cx.sum.events);
          cli_json_member_number(&j, "lr_chisq", cx.sum.lr_chisq);
          cli_json_member_number(&j, "lr_p", cx.sum.lr_p);
          cli_json_keyz(&j, "coefficients");
          cli_json_array_begin(&j);
          for (size_t c = 0; c < cx.p; c++) {
            cli_json_object_begin(&j);
            cli_json_keyz(&j, "covariate");
            cli_json_stringz(&j, tv_names[cx.which[c]]);
            cli_json_member_number(&j, "beta", cx.coef[c].beta);
            cli_json_member_number(&j, "se", cx.coef[c].se);
            cli_json_member_number(&j, "hazard_ratio", cx.coef[c].hr);
            cli_json_keyz(&j, "interval");
            cli_json_interval(&j, cx.coef[c].hr_lower, cx.coef[c].hr_upper);
            cli_json_member_number(&j, "p", cx.coef[c].p);
            cli_json_object_end(&j);
          }
          cli_json_array_end(&j);
          cli_json_object_end(&j);
        } else {
          cli_json_null(&j);
        }
      }
      cli_json_object_end(&j);
      fputc('\n', stdout);
    } else {
      cli_table *t = cli_table_new(9);
      char title[160];
      if (t == NULL) {
        free(order);
        status = CLI_EXIT_FAILURE;
        goto done;
      }
      cli_table_cell(t, "group");
      cli_table_cell(t, "customers");
      cli_table_cell(t, "lost");
      cli_table_cell(t, "median days [95%]");
      cli_table_cell(t, "S(30)");
      cli_table_cell(t, "S(90)");
      cli_table_cell(t, "S(180)");
      cli_table_cell(t, "S(365)");
      cli_table_cellf(t, "RMST(%g)", a.tau);
      for (size_t m = 0; m <= k; m++) {
        size_t g = order[m];
        if (kms[g] != NULL) table_group(t, g == k ? "all" : gp.name[g], &groups[g], kms[g], a.tau);
      }
      snprintf(title, sizeof title,
               "Retention (Kaplan-Meier, days since %s; lost: churn event or %d days without activity)",
               a.origin == CXM_RETENTION_TENURE ? "first activity" : "--from", (int)a.lapse);
      cli_table_print(t, stdout, title);
      cli_table_free(t);
      if (a.by == BY_SLA) {
        char line[256];
        cli_business_describe(line, sizeof line, &a.business);
        printf("%s\n", line);
      }
      if (have_lr) printf("\nlog-rank test: chi-square %.4f, %d df, p = %.4g\n", lr.chisq, (int)lr.df, lr.p);
      if (cx.ok) {
        cli_table *ct = cli_table_new(5);
        if (ct != NULL) {
          cli_table_cell(ct, "covariate");
          cli_table_cell(ct, "hazard ratio");
          cli_table_cell(ct, "95% interval");
          cli_table_cell(ct, "beta (se)");
          cli_table_cell(ct, "p");
          for (size_t c = 0; c < cx.p; c++) {
            cli_table_cell(ct, tv_names[cx.which[c]]);
            cli_table_cellf(ct, "%.3f", cx.coef[c].hr);
            cli_table_cellf(ct, "[%.3f, %.3f]", cx.coef[c].hr_lower, cx.coef[c].hr_upper);
            cli_table_cellf(ct, "%.4f (%.4f)", cx.coef[c].beta, cx.coef[c].se);
            cli_table_cellf(ct, "%.3g", cx.coef[c].p);
          }
          fputc('\n', stdout);
          cli_table_print(ct, stdout, "Cox proportional hazards of loss on time-varying experience (Efron ties)");
          cli_table_free(ct);
        }
      }
    }
    free(order);
  }
done:
  for (size_t g = 0; groups != NULL && g <= k; g++) {
    if (kms != NULL) cxm_km_free(kms[g]);
    free(groups[g].entry);
    free(groups[g].time);
    free(groups[g].event);
  }
  free(groups);
  free(kms);
  grouping_free(&gp);
  free(gid);
  cxm_retention_free(rows);
  cxm_calendar_free(calendar);
  cxm_store_free(store);
  free(a.files);
  return status;
}
