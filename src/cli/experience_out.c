/* Printing the service-vs-experience metrics of a slice (see
 * experience_out.h and docs/cli.md). */
#include "experience_out.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hours.h"

/* The name of a channel code of the store, as slices name it. */
static void json_channel(cli_json *j, const char *key, const cxm_store *store, int32_t channel) {
  const char *name;
  size_t len;
  cli_json_keyz(j, key);
  if (channel < 0 || cxm_store_channel_name(&name, &len, store, channel) != CXM_OK)
    cli_json_null(j);
  else
    cli_json_string(j, name, len);
}

int32_t cli_experience_compute(cli_experience *x, const cxm_store *store, const cxm_filter *filter,
                               const cxm_experience_options *options) {
  cxm_gap_acc gap;
  int32_t rc = cxm_store_gap(&gap, store, filter, options);
  if (rc == CXM_OK) rc = cxm_gap_compute(&x->gap, &gap);
  if (rc == CXM_OK) rc = cxm_store_servqual(&x->servqual, store, filter, options);
  if (rc == CXM_OK) rc = cxm_store_service(&x->service, store, filter, options);
  if (rc == CXM_OK) rc = cxm_store_service_business(&x->service_business, store, filter, options);
  if (rc == CXM_OK) rc = cxm_store_loyalty(&x->loyalty, store, filter);
  if (rc == CXM_OK) rc = cxm_store_consistency(&x->consistency, store, filter, options);
  return rc;
}

/* The same, read from a cxm_store_group_experience() result. */
static int32_t compute_group(cli_experience *x, const cxm_groups *groups, size_t index) {
  cxm_gap_acc gap;
  int32_t rc = cxm_groups_gap(&gap, groups, index);
  if (rc == CXM_OK) rc = cxm_gap_compute(&x->gap, &gap);
  if (rc == CXM_OK) rc = cxm_groups_servqual(&x->servqual, groups, index);
  if (rc == CXM_OK) rc = cxm_groups_service(&x->service, groups, index);
  if (rc == CXM_OK) rc = cxm_groups_service_business(&x->service_business, groups, index);
  if (rc == CXM_OK) rc = cxm_groups_loyalty(&x->loyalty, groups, index);
  if (rc == CXM_OK) rc = cxm_groups_consistency(&x->consistency, groups, index);
  return rc;
}

static int32_t json_metrics(cli_json *j, const cxm_store *store, const cli_experience *x, int32_t rc);

int32_t cli_experience_json_of(cli_json *j, const cxm_store *store, const cli_experience *x, int32_t rc) {
  return json_metrics(j, store, x, rc);
}

int32_t cli_experience_json_group(cli_json *j, const cxm_store *store, const cxm_groups *groups, size_t index) {
  cli_experience x;
  int32_t rc = compute_group(&x, groups, index);
  return json_metrics(j, store, &x, rc);
}

/* The five keys of `*x`, or nulls for a failed computation (`rc`). */
static int32_t json_metrics(cli_json *j, const cxm_store *store, const cli_experience *x, int32_t rc) {
  int32_t d;

  cli_json_keyz(j, "gap");
  if (rc != CXM_OK || x->gap.pairs == 0) {
    cli_json_null(j);
  } else {
    cli_json_object_begin(j);
    cli_json_member_uint(j, "pairs", x->gap.pairs);
    cli_json_member_number(j, "mean", x->gap.mean);
    cli_json_keyz(j, "ci95");
    cli_json_interval(j, x->gap.ci95_low, x->gap.ci95_high);
    cli_json_member_number(j, "service", x->gap.service);
    cli_json_member_number(j, "experience", x->gap.experience);
    cli_json_member_number(j, "delivery_gap", x->gap.delivery_gap);
    cli_json_member_number(j, "blind_spot_pct", x->gap.blind_spot_pct);
    cli_json_member_number(j, "delivery_z", x->gap.delivery_z);
    cli_json_member_number(j, "se", x->gap.se);
    cli_json_member_uint(j, "blind_spots", x->gap.blind_spots);
    cli_json_member_uint(j, "reverse_spots", x->gap.reverse_spots);
    cli_json_object_end(j);
  }

  cli_json_keyz(j, "servqual");
  if (rc != CXM_OK || isnan(x->servqual.score)) {
    cli_json_null(j);
  } else {
    cli_json_object_begin(j);
    for (d = 1; d < CXM_DIMENSION_COUNT; d++) cli_json_member_number(j, cxm_dimension_name(d), x->servqual.gap[d]);
    cli_json_member_number(j, "score", x->servqual.score);
    cli_json_object_end(j);
  }

  cli_json_keyz(j, "service");
  if (rc != CXM_OK || x->service.contacts == 0) {
    cli_json_null(j);
  } else {
    cli_json_object_begin(j);
    cli_json_member_uint(j, "contacts", x->service.contacts);
    cli_json_member_uint(j, "open", x->service.open);
    cli_json_member_number(j, "first_response_median_s", x->service.first_response_median_s);
    cli_json_member_number(j, "first_response_p90_s", x->service.first_response_p90_s);
    cli_json_member_number(j, "resolution_median_s", x->service.resolution_median_s);
    cli_json_member_number(j, "within_sla_pct", x->service.within_sla_pct);
    cli_json_member_number(j, "first_response_mean_s", x->service.first_response_mean_s);
    cli_json_member_number(j, "resolution_p90_s", x->service.resolution_p90_s);
    cli_json_member_number(j, "resolution_mean_s", x->service.resolution_mean_s);
    cli_json_member_uint(j, "replied", x->service.replied);
    cli_json_member_uint(j, "resolved", x->service.resolved);
    cli_json_member_uint(j, "met", x->service.met);
    cli_json_member_uint(j, "breached", x->service.breached);
    cli_json_member_number(j, "first_response_median_business_s", x->service_business.first_response_median_s);
    cli_json_member_number(j, "first_response_p90_business_s", x->service_business.first_response_p90_s);
    cli_json_member_number(j, "resolution_median_business_s", x->service_business.resolution_median_s);
    cli_json_member_number(j, "resolution_p90_business_s", x->service_business.resolution_p90_s);
    cli_json_object_end(j);
  }

  cli_json_keyz(j, "loyalty");
  if (rc != CXM_OK) {
    cli_json_null(j);
  } else {
    cli_json_object_begin(j);
    cli_json_member_uint(j, "complaints", x->loyalty.complaints);
    cli_json_member_uint(j, "compliments", x->loyalty.compliments);
    cli_json_member_number(j, "compliment_ratio", x->loyalty.compliment_ratio);
    cli_json_member_uint(j, "churned", x->loyalty.churned);
    cli_json_object_end(j);
  }

  cli_json_keyz(j, "consistency");
  if (rc != CXM_OK || x->consistency.channels == 0) {
    cli_json_null(j);
  } else {
    cli_json_object_begin(j);
    cli_json_member_uint(j, "channels", x->consistency.channels);
    cli_json_member_number(j, "sd", x->consistency.sd);
    cli_json_member_number(j, "mean", x->consistency.mean_of_means);
    json_channel(j, "weakest", store, x->consistency.weakest_channel);
    cli_json_member_number(j, "weakest_mean", x->consistency.weakest_mean);
    cli_json_object_end(j);
  }
  return rc;
}

/* "SLA % (8h)": the share within the business-time target. */
static void cell_sla_label(cli_table *t, int64_t sla_target_seconds) {
  char target[32];
  cli_business_format_duration(target, sizeof target, sla_target_seconds);
  cli_table_cellf(t, "SLA %% (%s)", target);
}

void cli_experience_table_header(cli_table *t, const char *first, int64_t sla_target_seconds) {
  static const char *const names[] = {"pairs",    "gap",      "gap 95% CI", "blind %",
                                      "SERVQUAL", "contacts", "open",       "1st resp"};
  size_t i;
  cli_table_cell(t, first);
  for (i = 0; i < sizeof names / sizeof names[0]; i++) cli_table_cell(t, names[i]);
  cell_sla_label(t, sla_target_seconds);
  cli_table_cell(t, "compl/+");
}

/* `decimals` places; `sign`: always show the sign (gaps). */
static void cell_number(cli_table *t, int decimals, int sign, double v) {
  if (isnan(v))
    cli_table_cell(t, "-");
  else if (sign)
    cli_table_cellf(t, "%+.*f", decimals, v);
  else
    cli_table_cellf(t, "%.*f", decimals, v);
}

/* A duration in the largest unit that keeps it readable. */
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

/* A count, with `*` after it when it is below `min_n` (a small sample). */
void cli_cell_count(cli_table *t, uint64_t n, uint64_t min_n) {
  if (n > 0 && n < min_n)
    cli_table_cellf(t, "%llu*", (unsigned long long)n);
  else
    cli_table_cellf(t, "%llu", (unsigned long long)n);
}

static void table_row(cli_table *t, const char *key, const cli_experience *x, uint64_t min_n);

void cli_experience_table_row_of(cli_table *t, const char *key, const cli_experience *x, uint64_t min_n) {
  table_row(t, key, x, min_n);
}

int32_t cli_experience_table_row_group(cli_table *t, const char *key, const cxm_groups *groups, size_t index,
                                       uint64_t min_n) {
  cli_experience x;
  int32_t rc = compute_group(&x, groups, index);
  if (rc == CXM_OK) table_row(t, key, &x, min_n);
  return rc;
}

static void table_row(cli_table *t, const char *key, const cli_experience *x, uint64_t min_n) {
  cli_table_cell(t, key);
  cli_cell_count(t, x->gap.pairs, min_n);
  cell_number(t, 1, 1, x->gap.mean);
  /* A gap is a difference of two 0..100 scores: its t interval can pass
   * -100..100 with few pairs; the table cuts it there (JSON keeps it). */
  if (isnan(x->gap.ci95_low))
    cli_table_cell(t, "-");
  else
    cli_table_cellf(t, "[%.1f, %.1f]", fmax(x->gap.ci95_low, -100.0), fmin(x->gap.ci95_high, 100.0));
  cell_number(t, 1, 0, x->gap.blind_spot_pct);
  cell_number(t, 2, 1, x->servqual.score);
  cli_table_cellf(t, "%llu", (unsigned long long)x->service.contacts);
  cli_table_cellf(t, "%llu", (unsigned long long)x->service.open);
  cell_duration(t, x->service.first_response_median_s);
  cell_number(t, 1, 0, x->service.within_sla_pct);
  cli_table_cellf(t, "%llu/%llu", (unsigned long long)x->loyalty.complaints,
                  (unsigned long long)x->loyalty.compliments);
}

void cli_service_table_header(cli_table *t, const char *first, int64_t sla_target_seconds) {
  static const char *const names[] = {"contacts",    "open",      "resp med",     "resp med bt", "resp p90",
                                      "resp p90 bt", "resol med", "resol med bt", "resol p90",   "resol p90 bt"};
  size_t i;
  cli_table_cell(t, first);
  for (i = 0; i < sizeof names / sizeof names[0]; i++) cli_table_cell(t, names[i]);
  cell_sla_label(t, sla_target_seconds);
}

static void service_row(cli_table *t, const char *key, const cxm_service_result *w, const cxm_service_result *b) {
  cli_table_cell(t, key);
  cli_table_cellf(t, "%llu", (unsigned long long)w->contacts);
  cli_table_cellf(t, "%llu", (unsigned long long)w->open);
  cell_duration(t, w->first_response_median_s);
  cell_duration(t, b->first_response_median_s);
  cell_duration(t, w->first_response_p90_s);
  cell_duration(t, b->first_response_p90_s);
  cell_duration(t, w->resolution_median_s);
  cell_duration(t, b->resolution_median_s);
  cell_duration(t, w->resolution_p90_s);
  cell_duration(t, b->resolution_p90_s);
  cell_number(t, 1, 0, w->within_sla_pct);
}

void cli_service_table_row_of(cli_table *t, const char *key, const cli_experience *x) {
  service_row(t, key, &x->service, &x->service_business);
}

int32_t cli_service_table_row_group(cli_table *t, const char *key, const cxm_groups *groups, size_t index) {
  cxm_service_result w, b;
  int32_t rc = cxm_groups_service(&w, groups, index);
  if (rc == CXM_OK) rc = cxm_groups_service_business(&b, groups, index);
  if (rc == CXM_OK) service_row(t, key, &w, &b);
  return rc;
}
