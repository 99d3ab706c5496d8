/* Service operations in `cxm report` (see operations_out.h). */
#include "operations_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cli_operations_json(cli_json *j, const cxm_operations_result *r) {
  cli_json_keyz(j, "operations");
  cli_json_object_begin(j);
  cli_json_member_uint(j, "contacts", r->contacts);
  cli_json_member_uint(j, "resolved", r->resolved);
  cli_json_member_uint(j, "first_contact_resolved", r->first_contact_resolved);
  cli_json_member_uint(j, "reopened", r->reopened);
  cli_json_member_uint(j, "repeated", r->repeated);
  cli_json_member_uint(j, "switched", r->switched);
  cli_json_member_uint(j, "transfers", r->transfers);
  cli_json_member_number(j, "fcr_pct", r->fcr_pct);
  cli_json_member_number(j, "reopen_pct", r->reopen_pct);
  cli_json_member_number(j, "repeat_pct", r->repeat_pct);
  cli_json_member_number(j, "switch_pct", r->switch_pct);
  cli_json_member_number(j, "transfers_per_contact", r->transfers_per_contact);
  cli_json_member_number(j, "first_resolution_median_s", r->first_resolution_median_s);
  cli_json_member_number(j, "first_resolution_mean_s", r->first_resolution_mean_s);
  cli_json_member_number(j, "full_resolution_median_s", r->full_resolution_median_s);
  cli_json_member_number(j, "full_resolution_mean_s", r->full_resolution_mean_s);
  cli_json_member_number(j, "first_resolution_median_business_s", r->first_resolution_business_median_s);
  cli_json_member_number(j, "first_resolution_mean_business_s", r->first_resolution_business_mean_s);
  cli_json_member_number(j, "full_resolution_median_business_s", r->full_resolution_business_median_s);
  cli_json_member_number(j, "full_resolution_mean_business_s", r->full_resolution_business_mean_s);
  cli_json_object_end(j);
}

void cli_operations_table_header(cli_table *t, const char *first) {
  static const char *const names[] = {"contacts",       "resolved",     "FCR %",           "reopen %",
                                      "repeat %",       "switch %",     "transfers/c",     "1st res med",
                                      "1st res med bt", "full res med", "full res med bt", "full res mean bt"};
  size_t i;
  cli_table_cell(t, first);
  for (i = 0; i < sizeof names / sizeof names[0]; i++) cli_table_cell(t, names[i]);
}

static void cell_pct(cli_table *t, double v, int decimals) {
  if (isnan(v))
    cli_table_cell(t, "-");
  else
    cli_table_cellf(t, "%.*f", decimals, v);
}

static void cell_duration(cli_table *t, double seconds) {
  if (isnan(seconds))
    cli_table_cell(t, "-");
  else if (seconds < 3600)
    cli_table_cellf(t, "%.0fm", seconds / 60);
  else if (seconds < 2 * 86400)
    cli_table_cellf(t, "%.1fh", seconds / 3600);
  else
    cli_table_cellf(t, "%.1fd", seconds / 86400);
}

void cli_operations_table_row(cli_table *t, const char *key, const cxm_operations_result *r) {
  cli_table_cell(t, key);
  cli_table_cellf(t, "%llu", (unsigned long long)r->contacts);
  cli_table_cellf(t, "%llu", (unsigned long long)r->resolved);
  cell_pct(t, r->fcr_pct, 1);
  cell_pct(t, r->reopen_pct, 1);
  cell_pct(t, r->repeat_pct, 1);
  cell_pct(t, r->switch_pct, 1);
  cell_pct(t, r->transfers_per_contact, 2);
  cell_duration(t, r->first_resolution_median_s);
  cell_duration(t, r->first_resolution_business_median_s);
  cell_duration(t, r->full_resolution_median_s);
  cell_duration(t, r->full_resolution_business_median_s);
  cell_duration(t, r->full_resolution_business_mean_s);
}

void cli_loop_json(cli_json *j, const cxm_loop_result *r) {
  cli_json_keyz(j, "loop");
  cli_json_object_begin(j);
  cli_json_member_uint(j, "detractors", r->detractors);
  cli_json_member_uint(j, "followed", r->followed);
  cli_json_member_uint(j, "followed_in_target", r->followed_in_target);
  cli_json_member_number(j, "in_target_pct", r->in_target_pct);
  cli_json_member_number(j, "never_pct", r->never_pct);
  cli_json_member_number(j, "followup_median_business_s", r->followup_median_s);
  cli_json_member_number(j, "followup_p90_business_s", r->followup_p90_s);
  cli_json_member_uint(j, "followed_next", r->followed_next);
  cli_json_member_uint(j, "followed_recovered", r->followed_recovered);
  cli_json_member_uint(j, "unfollowed_next", r->unfollowed_next);
  cli_json_member_uint(j, "unfollowed_recovered", r->unfollowed_recovered);
  cli_json_member_number(j, "recovery_followed_pct", r->recovery_followed_pct);
  cli_json_member_number(j, "recovery_unfollowed_pct", r->recovery_unfollowed_pct);
  cli_json_member_number(j, "recovery_diff_pct", r->recovery_diff_pct);
  cli_json_keyz(j, "recovery_diff_ci95");
  cli_json_interval(j, r->recovery_diff_low_pct, r->recovery_diff_high_pct);
  cli_json_object_end(j);
  cli_json_keyz(j, "responses");
  cli_json_object_begin(j);
  cli_json_member_uint(j, "invitations", r->invitations);
  cli_json_member_uint(j, "answered", r->invitations_answered);
  cli_json_member_number(j, "response_pct", r->response_pct);
  cli_json_member_number(j, "nonresponse_pct", r->nonresponse_pct);
  cli_json_member_uint(j, "nps_answers", r->nps_answers);
  cli_json_member_uint(j, "nps_invited", r->nps_invited);
  cli_json_member_uint(j, "csat_answers", r->csat_answers);
  cli_json_member_uint(j, "csat_invited", r->csat_invited);
  cli_json_member_uint(j, "ces_answers", r->ces_answers);
  cli_json_member_uint(j, "ces_invited", r->ces_invited);
  cli_json_object_end(j);
}

void cli_loop_table_header(cli_table *t, const char *first) {
  static const char *const names[] = {"detractors",  "followed",   "never %",     "in target %",
                                      "fup med bt",  "fup p90 bt", "recov fol %", "recov not %",
                                      "diff 95% CI", "invites",    "resp %"};
  size_t i;
  cli_table_cell(t, first);
  for (i = 0; i < sizeof names / sizeof names[0]; i++) cli_table_cell(t, names[i]);
}

void cli_loop_table_row(cli_table *t, const char *key, const cxm_loop_result *r) {
  cli_table_cell(t, key);
  cli_table_cellf(t, "%llu", (unsigned long long)r->detractors);
  cli_table_cellf(t, "%llu", (unsigned long long)r->followed);
  cell_pct(t, r->never_pct, 1);
  cell_pct(t, r->in_target_pct, 1);
  cell_duration(t, r->followup_median_s);
  cell_duration(t, r->followup_p90_s);
  cell_pct(t, r->recovery_followed_pct, 1);
  cell_pct(t, r->recovery_unfollowed_pct, 1);
  if (isnan(r->recovery_diff_low_pct))
    cli_table_cell(t, "-");
  else
    cli_table_cellf(t, "%+.1f [%.1f, %.1f]", r->recovery_diff_pct, r->recovery_diff_low_pct, r->recovery_diff_high_pct);
  cli_table_cellf(t, "%llu", (unsigned long long)r->invitations);
  cell_pct(t, r->response_pct, 1);
}

int32_t cli_slices_of(cli_slices *s, const cxm_store *store, const int32_t *by, size_t by_count) {
  size_t d, k;
  int32_t rc = CXM_OK;
  memset(s, 0, sizeof *s);
  s->filters = malloc(sizeof *s->filters);
  if (s->filters == NULL) return CXM_E_NOMEM;
  cxm_filter_init(&s->filters[0]);
  s->count = 1;
  for (d = 0; d < by_count && rc == CXM_OK; d++) {
    cxm_groups *g = NULL;
    size_t count;
    cxm_filter *grown;
    rc = cxm_store_group(&g, store, NULL, by[d]);
    if (rc != CXM_OK) break;
    count = cxm_groups_count(g);
    s->start[d] = s->count;
    grown = realloc(s->filters, (s->count + count) * sizeof *s->filters);
    if (grown == NULL)
      rc = CXM_E_NOMEM;
    else
      s->filters = grown;
    for (k = 0; k < count && rc == CXM_OK; k++) rc = cxm_groups_filter(&s->filters[s->count + k], g, k);
    s->count += count;
    cxm_groups_free(g);
  }
  if (rc != CXM_OK) cli_slices_free(s);
  return rc;
}

void cli_slices_free(cli_slices *s) {
  free(s->filters);
  memset(s, 0, sizeof *s);
}

int32_t cli_operations_all(cxm_operations_result **out, cxm_loop_result **loops, const cli_slices *s,
                           const cxm_store *store, const cxm_operations_options *options,
                           const cxm_loop_options *loop_options) {
  cxm_operations_result *rs = malloc(s->count * sizeof *rs);
  cxm_loop_result *ls = malloc(s->count * sizeof *ls);
  size_t k;
  int32_t rc = rs != NULL && ls != NULL ? CXM_OK : CXM_E_NOMEM;
  *out = NULL;
  *loops = NULL;
  if (rc == CXM_OK) {
    for (k = 0; k < s->count; k++) {
      rs[k].size = sizeof rs[k];
      ls[k].size = sizeof ls[k];
    }
    rc = cxm_store_operations_each(rs, s->filters, s->count, store, options);
  }
  if (rc == CXM_OK) rc = cxm_store_loop_each(ls, s->filters, s->count, store, loop_options);
  if (rc != CXM_OK) {
    free(rs);
    free(ls);
    return rc;
  }
  *out = rs;
  *loops = ls;
  return CXM_OK;
}

int32_t cli_backlogs_query(cli_backlogs *b, const cxm_store *store, const cxm_filter *filters, size_t n,
                           const cxm_operations_options *options) {
  size_t total = 0, k;
  int32_t rc;
  memset(b, 0, sizeof *b);
  b->first = calloc(n > 0 ? n : 1, sizeof *b->first);
  b->count = calloc(n > 0 ? n : 1, sizeof *b->count);
  if (b->first == NULL || b->count == NULL) {
    cli_backlogs_free(b);
    return CXM_E_NOMEM;
  }
  rc = cxm_store_backlog_each(NULL, b->count, &total, 0, filters, n, store, options);
  if (rc == CXM_E_BUFFER) {
    b->days = malloc(total * sizeof *b->days);
    if (b->days == NULL) {
      rc = CXM_E_NOMEM;
    } else {
      for (k = 0; k < total; k++) b->days[k].size = sizeof b->days[k];
      rc = cxm_store_backlog_each(b->days, b->count, &total, total, filters, n, store, options);
    }
  }
  if (rc != CXM_OK) {
    cli_backlogs_free(b);
    return rc;
  }
  for (k = 0, total = 0; k < n; k++) {
    b->first[k] = total;
    total += b->count[k];
  }
  return CXM_OK;
}

void cli_backlogs_free(cli_backlogs *b) {
  free(b->days);
  free(b->first);
  free(b->count);
  memset(b, 0, sizeof *b);
}

/* The local date of a day, YYYY-MM-DD; "" outside the time range. */
static void local_date(char out[CXM_TIME_TEXT_SIZE], int64_t day, int32_t offset) {
  if (cxm_time_format(out, CXM_TIME_TEXT_SIZE, day + offset) != CXM_OK)
    out[0] = '\0';
  else
    out[10] = '\0';
}

/* The day with the most open contacts (the first such), and the mean. */
static size_t backlog_peak(double *mean, const cxm_backlog_day *days, size_t count) {
  size_t k, peak = 0;
  double sum = 0;
  for (k = 0; k < count; k++) {
    sum += (double)days[k].open;
    if (days[k].open > days[peak].open) peak = k;
  }
  *mean = count > 0 ? sum / (double)count : NAN;
  return peak;
}

static void json_date(cli_json *j, const cxm_backlog_day *d, int32_t offset) {
  char text[CXM_TIME_TEXT_SIZE];
  local_date(text, d->day, offset);
  if (text[0] == '\0')
    cli_json_null(j);
  else
    cli_json_stringz(j, text);
}

void cli_backlog_json(cli_json *j, const cxm_backlog_day *days, size_t count, int32_t offset, int series) {
  const cxm_backlog_day *last = count > 0 ? &days[count - 1] : NULL;
  double mean;
  size_t peak = backlog_peak(&mean, days, count), k;
  cli_json_keyz(j, "backlog");
  cli_json_object_begin(j);
  cli_json_member_uint(j, "days", count);
  cli_json_keyz(j, "first_day");
  if (count > 0)
    json_date(j, &days[0], offset);
  else
    cli_json_null(j);
  cli_json_keyz(j, "last_day");
  if (last != NULL)
    json_date(j, last, offset);
  else
    cli_json_null(j);
  cli_json_keyz(j, "open_end");
  if (last != NULL)
    cli_json_uint(j, last->open);
  else
    cli_json_null(j);
  cli_json_member_number(j, "age_median_end_s", last != NULL ? last->age_median_s : NAN);
  cli_json_member_number(j, "age_p90_end_s", last != NULL ? last->age_p90_s : NAN);
  cli_json_member_number(j, "age_median_end_business_s", last != NULL ? last->age_business_median_s : NAN);
  cli_json_member_number(j, "age_p90_end_business_s", last != NULL ? last->age_business_p90_s : NAN);
  cli_json_keyz(j, "open_peak");
  if (count > 0)
    cli_json_uint(j, days[peak].open);
  else
    cli_json_null(j);
  cli_json_keyz(j, "peak_day");
  if (count > 0)
    json_date(j, &days[peak], offset);
  else
    cli_json_null(j);
  cli_json_member_number(j, "open_mean", mean);
  if (series) {
    cli_json_keyz(j, "series");
    cli_json_array_begin(j);
    for (k = 0; k < count; k++) {
      cli_json_object_begin(j);
      cli_json_keyz(j, "day");
      json_date(j, &days[k], offset);
      cli_json_member_uint(j, "open", days[k].open);
      cli_json_member_number(j, "age_median_s", days[k].age_median_s);
      cli_json_member_number(j, "age_p90_s", days[k].age_p90_s);
      cli_json_member_number(j, "age_median_business_s", days[k].age_business_median_s);
      cli_json_member_number(j, "age_p90_business_s", days[k].age_business_p90_s);
      cli_json_object_end(j);
    }
    cli_json_array_end(j);
  }
  cli_json_object_end(j);
}

void cli_backlog_table_header(cli_table *t, const char *first) {
  static const char *const names[] = {"days",       "open at end", "age med",  "age p90",  "age med bt",
                                      "age p90 bt", "peak open",   "peak day", "mean open"};
  size_t i;
  cli_table_cell(t, first);
  for (i = 0; i < sizeof names / sizeof names[0]; i++) cli_table_cell(t, names[i]);
}

void cli_backlog_table_row(cli_table *t, const char *key, const cxm_backlog_day *days, size_t count, int32_t offset) {
  const cxm_backlog_day *last = count > 0 ? &days[count - 1] : NULL;
  char date[CXM_TIME_TEXT_SIZE];
  double mean;
  size_t peak = backlog_peak(&mean, days, count);
  cli_table_cell(t, key);
  cli_table_cellf(t, "%llu", (unsigned long long)count);
  if (last == NULL) {
    size_t i;
    for (i = 0; i < CLI_BACKLOG_COLUMNS - 2; i++) cli_table_cell(t, "-");
    return;
  }
  cli_table_cellf(t, "%llu", (unsigned long long)last->open);
  cell_duration(t, last->age_median_s);
  cell_duration(t, last->age_p90_s);
  cell_duration(t, last->age_business_median_s);
  cell_duration(t, last->age_business_p90_s);
  cli_table_cellf(t, "%llu", (unsigned long long)days[peak].open);
  local_date(date, days[peak].day, offset);
  cli_table_cell(t, date[0] != '\0' ? date : "-");
  cell_pct(t, mean, 1);
}
