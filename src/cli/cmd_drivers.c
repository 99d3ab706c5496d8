/* `cxm drivers`: reads event files into a store, takes one row per
 * customer or per interaction ref (cxm_store_driver_table), keeps the
 * attributes someone with an outcome answered, and runs the driver
 * analysis (cxm_drivers_fit); prints a table or JSON. */
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
    "Key drivers of the latest NPS answer among the attribute ratings (SERVQUAL\n"
    "perception dimensions and rating attributes), one row per customer or per\n"
    "interaction ref (docs/drivers.md).\n"
    "\n"
    "Options:\n"
    "  --outcome WHICH  nps (the 0-10 answer; default) or promoter (9-10 yes/no)\n"
    "  --by WHO         customer (default) or ref: whose answers form a row\n"
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
  int32_t outcome, bootstrap, respondent;
  uint64_t seed;
  char **files;
  size_t file_count;
} drv_args;

static int parse_args(drv_args *a, int argc, char **argv) {
  static const char *const valued[] = {"--outcome", "--bootstrap", "--seed", "--by"};
  memset(a, 0, sizeof *a);
  a->outcome = CXM_DRIVERS_NPS;
  a->respondent = CXM_DRIVERS_BY_CUSTOMER;
  a->bootstrap = CLI_DRIVERS_BOOTSTRAP;
  a->seed = CLI_DRIVERS_SEED;
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
    if (cli_option_value("drivers", valued, 4, argc, argv, &i, &which, &value) != CLI_EXIT_OK) return CLI_EXIT_USAGE;
    if (which == 3) {
      if (strcmp(value, "customer") == 0)
        a->respondent = CXM_DRIVERS_BY_CUSTOMER;
      else if (strcmp(value, "ref") == 0)
        a->respondent = CXM_DRIVERS_BY_REF;
      else {
        cli_diag_usage("drivers", "--by takes customer or ref, not", value);
        return CLI_EXIT_USAGE;
      }
    } else if (which == 0) {
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

const char *cli_drivers_column_name(char *buf, size_t cap, const cxm_store *store, size_t k) {
  const char *name;
  size_t len;
  if (k < CXM_DRIVERS_SERVQUAL) return dim_names[k];
  if (cxm_store_attribute_name(&name, &len, store, (int32_t)(k - CXM_DRIVERS_SERVQUAL + 1)) != CXM_OK) return "?";
  if (len >= cap) len = cap - 1;
  memcpy(buf, name, len);
  buf[len] = '\0';
  return buf;
}

const char *cli_drivers_quadrant_name(int32_t quadrant) {
  return quadrant >= 1 && quadrant <= 4 ? quadrant_names[quadrant] : "";
}

void cli_drivers_result_free(cli_drivers_result *r) {
  cxm_drivers_free(r->d);
  free(r->keep);
  r->d = NULL;
  r->keep = NULL;
}

int cli_drivers_run(cli_drivers_result *r, const cxm_store *store, int32_t outcome, int32_t respondent,
                    int32_t bootstrap, uint64_t seed) {
  cxm_drivers_options o;
  cxm_driver_table_options to;
  double *y = NULL, *x = NULL, *xs = NULL;
  size_t n = 0, cols = 0, p = 0;
  const char *who = respondent == CXM_DRIVERS_BY_REF ? "refs" : "customers";
  int status = 0;
  int32_t rc;
  memset(r, 0, sizeof *r);
  cxm_driver_table_options_init(&to);
  to.outcome = outcome;
  to.respondent = respondent;
  (void)cxm_store_driver_table(NULL, NULL, &n, &cols, store, &to, 0);
  y = calloc(n + 1, sizeof *y);
  x = calloc((n + 1) * cols, sizeof *x);
  xs = calloc((n + 1) * (cols < CXM_DRIVERS_MAX ? cols : CXM_DRIVERS_MAX), sizeof *xs);
  r->keep = calloc(cols + 1, sizeof *r->keep);
  if (y == NULL || x == NULL || xs == NULL || r->keep == NULL ||
      cxm_store_driver_table(y, x, &n, &cols, store, &to, n) != CXM_OK) {
    cli_diag(NULL, "out of memory");
    status = -1;
    goto done;
  }
  /* the attributes answered by a respondent with an outcome, in column order */
  for (size_t k = 0; k < cols; k++) {
    size_t i;
    for (i = 0; i < n; i++)
      if (!isnan(y[i]) && !isnan(x[i * cols + k])) break;
    if (i < n) r->keep[p++] = k;
  }
  r->p = p;
  if (p < 2 || p > CXM_DRIVERS_MAX) {
    snprintf(r->why, sizeof r->why,
             p < 2 ? "%zu attribute(s) answered by %s with an NPS answer: at least 2 are needed"
                   : "%zu attributes answered by %s with an NPS answer: at most 15 can be analysed",
             p, who);
    status = 1;
    goto done;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < p; k++) xs[i * p + k] = x[i * cols + r->keep[k]];
  cxm_drivers_options_init(&o);
  o.outcome = outcome == CXM_DRIVERS_PROMOTER ? CXM_DRIVERS_BINARY : CXM_DRIVERS_LINEAR;
  o.bootstrap = bootstrap;
  o.seed = seed;
  rc = cxm_drivers_fit(&r->d, NULL, y, xs, n, p, &o);
  if (rc == CXM_E_NOMEM) {
    cli_diag(NULL, "out of memory");
    status = -1;
  } else if (rc == CXM_E_NO_DATA) {
    snprintf(r->why, sizeof r->why, "too few %s with an NPS answer and an answer on each of the %zu attributes", who,
             p);
    status = 1;
  } else if (rc != CXM_OK) {
    snprintf(r->why, sizeof r->why, "%s", cxm_status_str(rc));
    status = 1;
  } else {
    r->sum.size = sizeof r->sum;
    cxm_drivers_summary_get(&r->sum, r->d);
  }
done:
  free(y);
  free(x);
  free(xs);
  if (status != 0) {
    cxm_drivers_free(r->d);
    r->d = NULL;
  }
  return status;
}

int cli_drivers_main(int argc, char **argv) {
  drv_args a;
  cxm_store *store = NULL;
  cxm_drivers *d = NULL;
  cxm_drivers_summary sum;
  cli_drivers_result res;
  cli_input totals;
  size_t p = 0, *keep = NULL;
  char label[CXM_MAX_ATTRIBUTE_LEN + 1];
  const char *who;
  int status = parse_args(&a, argc, argv);
  memset(&res, 0, sizeof res);
  if (status != CLI_EXIT_OK || a.help) {
    if (a.help) fputs(usage_text, stdout);
    free(a.files);
    return status;
  }
  who = a.respondent == CXM_DRIVERS_BY_REF ? "refs" : "customers";
  status = cli_read_store(&store, a.files, a.file_count, a.strict, &totals);
  if (status != CLI_EXIT_OK) goto done;
  switch (cli_drivers_run(&res, store, a.outcome, a.respondent, a.bootstrap, a.seed)) {
  case 0: break;
  case 1:
    cli_diag("drivers", res.why);
    status = CLI_EXIT_FAILURE;
    goto done;
  default: status = CLI_EXIT_FAILURE; goto done;
  }
  d = res.d;
  sum = res.sum;
  p = res.p;
  keep = res.keep;
  if (a.json) {
    cli_json j;
    cli_json_init(&j, stdout, 1);
    cli_json_object_begin(&j);
    cli_json_keyz(&j, "outcome");
    cli_json_stringz(&j, a.outcome == CXM_DRIVERS_PROMOTER ? "promoter" : "nps");
    cli_json_keyz(&j, "by");
    cli_json_stringz(&j, a.respondent == CXM_DRIVERS_BY_REF ? "ref" : "customer");
    cli_json_member_uint(&j, who, sum.n_rows);
    cli_json_member_uint(&j, "used", sum.n_used);
    cli_json_member_number(&j, "r2", sum.r2);
    cli_json_member_uint(&j, "bootstrap", (uint64_t)sum.bootstrap);
    cli_json_member_uint(&j, "bootstrap_used", (uint64_t)sum.bootstrap_ok);
    cli_json_member_uint(&j, "seed", a.seed);
    cli_json_keyz(&j, "drivers");
    cli_json_array_begin(&j);
    for (size_t k = 0; k < p; k++) {
      cxm_driver v;
      v.size = sizeof v;
      cxm_drivers_get(&v, d, k);
      cli_json_object_begin(&j);
      cli_json_keyz(&j, "attribute");
      cli_json_stringz(&j, cli_drivers_column_name(label, sizeof label, store, keep[k]));
      cli_json_keyz(&j, "kind");
      cli_json_stringz(&j, keep[k] < CXM_DRIVERS_SERVQUAL ? "perception" : "rating");
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
      cli_json_stringz(&j, cli_drivers_quadrant_name(v.quadrant));
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
    for (size_t k = 0; k < p; k++) {
      cxm_driver v;
      v.size = sizeof v;
      cxm_drivers_get(&v, d, k);
      cli_table_cell(t, cli_drivers_column_name(label, sizeof label, store, keep[k]));
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
      cli_table_cell(t, cli_drivers_quadrant_name(v.quadrant));
    }
    snprintf(title, sizeof title, "Key drivers of %s (%s; %llu of %llu %s, R2 = %.4f, %d bootstrap replicates)",
             a.outcome == CXM_DRIVERS_PROMOTER ? "promoter yes/no" : "the NPS answer",
             a.outcome == CXM_DRIVERS_PROMOTER ? "logistic relative weights" : "relative weights",
             (unsigned long long)sum.n_used, (unsigned long long)sum.n_rows, who, sum.r2, (int)sum.bootstrap_ok);
    cli_table_print(t, stdout, title);
    cli_table_free(t);
  }
done:
  cli_drivers_result_free(&res);
  cxm_store_free(store);
  free(a.files);
  return status;
}
