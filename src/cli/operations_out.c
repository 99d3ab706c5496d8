/* Service operations in `cxm report` (see operations_out.h). */
#include "operations_out.h"

#include <math.h>
#include <stdlib.h>

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

int32_t cli_operations_all(cxm_operations_result **out, size_t *start, const cxm_store *store, const int32_t *by,
                           size_t by_count, const cxm_operations_options *options) {
  cxm_filter *filters = NULL;
  cxm_operations_result *rs = NULL;
  size_t n = 1, d, k;
  int32_t rc = CXM_OK;
  *out = NULL;
  filters = malloc(sizeof *filters);
  if (filters == NULL) return CXM_E_NOMEM;
  cxm_filter_init(&filters[0]);
  for (d = 0; d < by_count && rc == CXM_OK; d++) {
    cxm_groups *g = NULL;
    size_t count;
    cxm_filter *grown;
    rc = cxm_store_group(&g, store, NULL, by[d]);
    if (rc != CXM_OK) break;
    count = cxm_groups_count(g);
    start[d] = n;
    grown = realloc(filters, (n + count) * sizeof *filters);
    if (grown == NULL)
      rc = CXM_E_NOMEM;
    else
      filters = grown;
    for (k = 0; k < count && rc == CXM_OK; k++) rc = cxm_groups_filter(&filters[n + k], g, k);
    n += count;
    cxm_groups_free(g);
  }
  if (rc == CXM_OK) {
    rs = malloc(n * sizeof *rs);
    if (rs == NULL) rc = CXM_E_NOMEM;
  }
  if (rc == CXM_OK) {
    for (k = 0; k < n; k++) rs[k].size = sizeof rs[k];
    rc = cxm_store_operations_each(rs, filters, n, store, options);
  }
  free(filters);
  if (rc != CXM_OK) {
    free(rs);
    return rc;
  }
  *out = rs;
  return CXM_OK;
}
