/* `cxm drivers`: reads event files into a store, takes one row per
 * customer (cxm_store_driver_rows) and runs the driver analysis
 * (cxm_drivers_fit); prints a table or JSON. */
#include "cmd_drivers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cxm.h"
#include "diag.h"
#include "input.h"
#include "json.h"
#include "table.h"

static const char usage_text[] =
    "Usage: cxm drivers [OPTIONS] FILE...\n"
    "\n"
    "Key drivers of the latest NPS answer among the SERVQUAL perception\n"
    "dimensions, one row per customer (docs/drivers.md).\n"
    "\n"
    "Options:\n"
    "  --outcome WHICH  nps (the 0-10 answer; default) or promoter (9-10 yes/no)\n"
    "  --bootstrap N    bootstrap replicates, 0..100000 (default 200)\n"
    "  --seed S         bootstrap seed (default 1)\n"
    "  --json           JSON instead of a table\n"
    "  --strict         stop at the first bad row\n"
    "  -h, --help       show this help\n";

static const char *const dim_names[CXM_DRIVERS_SERVQUAL] = {"tangibles", "reliability", "responsiveness", "assurance",
                                                            "empathy"};
static const char *const quadrant_names[5] = {"", "fix first", "strength", "maintain", "low priority"};

typedef struct drv_args {
  int help, json, strict;
  int32_t outcome, bootstrap;
  uint64_t seed;
  char **files;
  size_t file_count;
} drv_args;

static int parse_args(drv_args *a, int argc, char **argv) {
  static const char *const valued[] = {"--outcome", "--bootstrap", "--seed"};
  memset(a, 0, sizeof *a);
  a->outcome = CXM_DRIVERS_NPS;
  a->bootstrap = 200;
  a->seed = 1;
  a->files = calloc((size_t)(argc > 0 ? argc : 1), sizeof *a->files);
  if (a->files == NULL) {
    cli_diag(NULL, "out of memory");
    return CLI_EXIT_FAILURE;
  }
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *value;
    int which = -1;
    uint64_t v;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      a->help = 1;
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
    if (cli_option_value("drivers", valued, 3, argc, argv, &i, &which, &value) != CLI_EXIT_OK) return CLI_EXIT_USAGE;
    if (which == 0) {
      if (strcmp(value, "nps") == 0)
        a->outcome = CXM_DRIVERS_NPS;
      else if (strcmp(value, "promoter") == 0)
        a->outcome = CXM_DRIVERS_PROMOTER;
      else {
        cli_diag_usage("drivers", "--outcome takes nps or promoter, not", value);
        return CLI_EXIT_USAGE;
      }
    } else if (which == 1) {
      if (cli_parse_u64(&v, value, 100000) != 0) {
        cli_diag_usage("drivers", "--bootstrap takes a whole number 0..100000, not", value);
        return CLI_EXIT_USAGE;
      }
      a->bootstrap = (int32_t)v;
    } else if (cli_parse_u64(&a->seed, value, UINT64_MAX) != 0) {
      cli_diag_usage("drivers", "--seed takes a whole number, not", value);
      return CLI_EXIT_USAGE;
    }
  }
  if (!a->help && a->file_count == 0) {
    cli_diag_usage("drivers", "no input: give event FILEs", NULL);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

int cli_drivers_main(int argc, char **argv) {
  drv_args a;
  cxm_store *store = NULL;
  cxm_drivers *d = NULL;
  cxm_drivers_options o;
  cxm_drivers_summary sum;
  cli_input totals;
  double *y = NULL, *x = NULL;
  size_t n = 0;
  int status = parse_args(&a, argc, argv);
  int32_t rc;
  if (status != CLI_EXIT_OK || a.help) {
    if (a.help) fputs(usage_text, stdout);
    free(a.files);
    return status;
  }
  status = cli_read_store(&store, a.files, a.file_count, a.strict, &totals);
  if (status != CLI_EXIT_OK) goto done;
  (void)cxm_store_driver_rows(NULL, NULL, &n, store, a.outcome, 0);
  y = calloc(n + 1, sizeof *y);
  x = calloc((n + 1) * CXM_DRIVERS_SERVQUAL, sizeof *x);
  if (y == NULL || x == NULL || cxm_store_driver_rows(y, x, &n, store, a.outcome, n) != CXM_OK) {
    cli_diag(NULL, "out of memory");
    status = CLI_EXIT_FAILURE;
    goto done;
  }
  cxm_drivers_options_init(&o);
  o.outcome = a.outcome == CXM_DRIVERS_PROMOTER ? CXM_DRIVERS_BINARY : CXM_DRIVERS_LINEAR;
  o.bootstrap = a.bootstrap;
  o.seed = a.seed;
  rc = cxm_drivers_fit(&d, NULL, y, x, n, CXM_DRIVERS_SERVQUAL, &o);
  if (rc != CXM_OK) {
    cli_diag("drivers", rc == CXM_E_NO_DATA ? "too few customers with an NPS answer and a perception answer on "
                                              "every SERVQUAL dimension"
                                            : cxm_status_str(rc));
    status = CLI_EXIT_FAILURE;
    goto done;
  }
  sum.size = sizeof sum;
  cxm_drivers_summary_get(&sum, d);
  if (a.json) {
    cli_json j;
    cli_json_init(&j, stdout, 1);
    cli_json_object_begin(&j);
    cli_json_keyz(&j, "outcome");
    cli_json_stringz(&j, a.outcome == CXM_DRIVERS_PROMOTER ? "promoter" : "nps");
    cli_json_member_uint(&j, "customers", sum.n_rows);
    cli_json_member_uint(&j, "used", sum.n_used);
    cli_json_member_number(&j, "r2", sum.r2);
    cli_json_member_uint(&j, "bootstrap", (uint64_t)sum.bootstrap);
    cli_json_member_uint(&j, "bootstrap_used", (uint64_t)sum.bootstrap_ok);
    cli_json_member_uint(&j, "seed", a.seed);
    cli_json_keyz(&j, "drivers");
    cli_json_array_begin(&j);
    for (size_t k = 0; k < CXM_DRIVERS_SERVQUAL; k++) {
      cxm_driver v;
      v.size = sizeof v;
      cxm_drivers_get(&v, d, k);
      cli_json_object_begin(&j);
      cli_json_keyz(&j, "attribute");
      cli_json_stringz(&j, dim_names[k]);
      cli_json_member_number(&j, "weight", v.weight);
      cli_json_member_number(&j, "share_percent", v.share);
      cli_json_member_number(&j, "shapley", v.shapley);
      cli_json_keyz(&j, "interval");
      cli_json_interval(&j, v.lower, v.upper);
      cli_json_keyz(&j, "vs_random_interval");
      cli_json_interval(&j, v.diff_lower, v.diff_upper);
      cli_json_keyz(&j, "covers_zero");
      cli_json_bool(&j, v.covers_zero);
      cli_json_member_number(&j, "mean_rating", v.mean_rating);
      cli_json_member_number(&j, "performance", v.performance);
      cli_json_keyz(&j, "quadrant");
      cli_json_stringz(&j, quadrant_names[v.quadrant]);
      cli_json_object_end(&j);
    }
    cli_json_array_end(&j);
    cli_json_object_end(&j);
    fputc('\n', stdout);
  } else {
    cli_table *t = cli_table_new(8);
    char title[200];
    if (t == NULL) {
      status = CLI_EXIT_FAILURE;
      goto done;
    }
    cli_table_cell(t, "attribute");
    cli_table_cell(t, "weight");
    cli_table_cell(t, "share");
    cli_table_cell(t, "Shapley");
    cli_table_cell(t, "95% interval");
    cli_table_cell(t, "vs noise");
    cli_table_cell(t, "performance");
    cli_table_cell(t, "quadrant");
    for (size_t k = 0; k < CXM_DRIVERS_SERVQUAL; k++) {
      cxm_driver v;
      v.size = sizeof v;
      cxm_drivers_get(&v, d, k);
      cli_table_cell(t, dim_names[k]);
      cli_table_cellf(t, "%.4f", v.weight);
      cli_table_cellf(t, "%.1f%%", v.share);
      if (isnan(v.shapley))
        cli_table_cell(t, "-");
      else
        cli_table_cellf(t, "%.4f", v.shapley);
      if (isnan(v.lower))
        cli_table_cell(t, "-");
      else
        cli_table_cellf(t, "[%.4f, %.4f]", v.lower, v.upper);
      cli_table_cell(t, sum.bootstrap_ok < 2 ? "-" : v.covers_zero ? "not distinct" : "driver");
      cli_table_cellf(t, "%.1f", v.performance);
      cli_table_cell(t, quadrant_names[v.quadrant]);
    }
    snprintf(title, sizeof title, "Key drivers of %s (%s; %llu of %llu customers, R2 = %.4f, %d bootstrap replicates)",
             a.outcome == CXM_DRIVERS_PROMOTER ? "promoter yes/no" : "the NPS answer",
             a.outcome == CXM_DRIVERS_PROMOTER ? "logistic relative weights" : "relative weights",
             (unsigned long long)sum.n_used, (unsigned long long)sum.n_rows, sum.r2, (int)sum.bootstrap_ok);
    cli_table_print(t, stdout, title);
    cli_table_free(t);
  }
done:
  cxm_drivers_free(d);
  free(y);
  free(x);
  cxm_store_free(store);
  free(a.files);
  return status;
}
