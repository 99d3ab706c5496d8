/* `cxm covariates`: reads event files into a store, builds the purchase
 * summaries with the first-answer detractor covariate
 * (cxm_store_rfm_detractor), optionally joins the caller's numeric
 * covariates by customer id (--covariates CSV), and fits Pareto/NBD or
 * BG/NBD with them (cxm_covariate_model_fit): gammas, standard errors and
 * the likelihood-ratio test against the fit without covariates, as a table
 * or JSON (docs/cli.md, "cxm covariates"). */
#include "cmd_covariates.h"

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
    "Usage: cxm covariates [OPTIONS] FILE...\n"
    "\n"
    "Pareto/NBD or BG/NBD with time-invariant covariates (docs/purchase.md,\n"
    "\"Covariates\"): whether the customer's first survey answer was a\n"
    "detractor's, and any numeric covariates of --covariates; gammas, their\n"
    "standard errors and the likelihood-ratio test against the model without.\n"
    "\n"
    "Options:\n"
    "  --model M          pnbd (default), bgnbd or mbgnbd\n"
    "  --to DATE          end of observation, exclusive (a UTC midnight)\n"
    "  --time-unit UNIT   day or week (default): the unit of t_x and T\n"
    "  --covariates CSV   a header `customer,NAME...` and one row per buying\n"
    "                     customer: numeric covariates (at most 5)\n"
    "  --no-detractor     leave the detractor covariate out (needs --covariates)\n"
    "  --process P        both (default), purchase or dropout: where the\n"
    "                     covariates enter\n"
    "  --json             JSON instead of a table\n"
    "  --strict           stop at the first bad row\n"
    "  -h, --help         show this help\n";

typedef struct cov_args {
  int help, json, strict, no_detractor;
  int32_t kind;
  int64_t to;
  double unit;
  int process; /* 0 both, 1 purchase, 2 dropout */
  const char *csv;
  char **files;
  size_t file_count;
} cov_args;

static int parse_args(cov_args *a, int argc, char **argv) {
  static const char *const valued[] = {"--model", "--to", "--time-unit", "--covariates", "--process"};
  memset(a, 0, sizeof *a);
  a->kind = CXM_MODEL_PNBD;
  a->to = INT64_MAX;
  a->unit = 7.0 * 86400.0;
  a->files = calloc((size_t)(argc > 0 ? argc : 1), sizeof *a->files);
  if (a->files == NULL) {
    cli_diag(NULL, "out of memory");
    return CLI_EXIT_FAILURE;
  }
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i], *value;
    int which = -1;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      a->help = 1;
      continue;
    }
    if (strcmp(arg, "--json") == 0 || strcmp(arg, "--strict") == 0 || strcmp(arg, "--no-detractor") == 0) {
      *(arg[2] == 'j' ? &a->json : arg[2] == 's' ? &a->strict : &a->no_detractor) = 1;
      continue;
    }
    if (arg[0] != '-' || strcmp(arg, "-") == 0) {
      a->files[a->file_count++] = argv[i];
      continue;
    }
    if (cli_option_value("covariates", valued, 5, argc, argv, &i, &which, &value) != CLI_EXIT_OK) return CLI_EXIT_USAGE;
    if (which == 0) {
      if (strcmp(value, "pnbd") == 0)
        a->kind = CXM_MODEL_PNBD;
      else if (strcmp(value, "bgnbd") == 0)
        a->kind = CXM_MODEL_BGNBD;
      else if (strcmp(value, "mbgnbd") == 0)
        a->kind = CXM_MODEL_MBGNBD;
      else {
        cli_diag_usage("covariates", "--model takes pnbd, bgnbd or mbgnbd, not", value);
        return CLI_EXIT_USAGE;
      }
    } else if (which == 1) {
      if (cli_parse_midnight(&a->to, value) != 0) {
        cli_diag_usage("covariates", "--to takes a UTC midnight (1997-10-01), not", value);
        return CLI_EXIT_USAGE;
      }
    } else if (which == 2) {
      if (strcmp(value, "day") == 0)
        a->unit = 86400.0;
      else if (strcmp(value, "week") == 0)
        a->unit = 7.0 * 86400.0;
      else {
        cli_diag_usage("covariates", "--time-unit takes day or week, not", value);
        return CLI_EXIT_USAGE;
      }
    } else if (which == 3) {
      a->csv = value;
    } else {
      if (strcmp(value, "both") == 0)
        a->process = 0;
      else if (strcmp(value, "purchase") == 0)
        a->process = 1;
      else if (strcmp(value, "dropout") == 0)
        a->process = 2;
      else {
        cli_diag_usage("covariates", "--process takes both, purchase or dropout, not", value);
        return CLI_EXIT_USAGE;
      }
    }
  }
  if (!a->help && a->file_count == 0) {
    cli_diag_usage("covariates", "no input: give event FILEs", NULL);
    return CLI_EXIT_USAGE;
  }
  if (!a->help && a->no_detractor && a->csv == NULL) {
    cli_diag_usage("covariates", "--no-detractor leaves no covariate without --covariates", NULL);
    return CLI_EXIT_USAGE;
  }
  return CLI_EXIT_OK;
}

/* The caller's covariates: names and rows by customer id, sorted. */
#define CSV_MAX (CXM_COVARIATES_MAX - 1)
typedef struct csv_row {
  const char *id;
  size_t id_len;
  double v[CSV_MAX];
} csv_row;
typedef struct csv_table {
  char *text;
  char *names[CSV_MAX];
  size_t count, rows;
  csv_row *row;
} csv_table;

static int cmp_row(const void *x, const void *y) {
  const csv_row *p = x, *q = y;
  size_t n = p->id_len < q->id_len ? p->id_len : q->id_len;
  int c = memcmp(p->id, q->id, n);
  return c != 0 ? c : (p->id_len > q->id_len) - (p->id_len < q->id_len);
}

/* Splits the line at `s` (NUL-terminated, commas) into fields. */
static size_t split(char *s, char **field, size_t max) {
  size_t n = 0;
  for (;;) {
    if (n == max) return max + 1;
    field[n++] = s;
    char *c = strchr(s, ',');
    if (c == NULL) break;
    *c = '\0';
    s = c + 1;
  }
  return n;
}

static int read_csv(csv_table *t, const char *path) {
  FILE *f = fopen(path, "rb");
  long len;
  memset(t, 0, sizeof *t);
  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    if (f != NULL) fclose(f);
    cli_diag(path, "cannot be read");
    return CLI_EXIT_FAILURE;
  }
  t->text = malloc((size_t)len + 1);
  t->row = calloc((size_t)len / 2 + 1, sizeof *t->row);
  if (t->text == NULL || t->row == NULL || fread(t->text, 1, (size_t)len, f) != (size_t)len) {
    fclose(f);
    cli_diag(path, "cannot be read");
    return CLI_EXIT_FAILURE;
  }
  fclose(f);
  t->text[len] = '\0';
  char *line = t->text, *field[CSV_MAX + 2];
  uint64_t number = 0;
  while (line != NULL && *line != '\0') {
    char *next = strchr(line, '\n');
    if (next != NULL) *next++ = '\0';
    size_t l = strlen(line);
    if (l > 0 && line[l - 1] == '\r') line[--l] = '\0';
    number++;
    size_t n = split(line, field, CSV_MAX + 1);
    if (number == 1) {
      if (n < 2 || n > CSV_MAX + 1) {
        fprintf(stderr, "cxm covariates: %s: the header must name the customer column and 1 to %d covariates\n", path,
                CSV_MAX);
        return CLI_EXIT_FAILURE;
      }
      t->count = n - 1;
      for (size_t k = 0; k < t->count; k++) t->names[k] = field[k + 1];
    } else if (l > 0) {
      csv_row *r = &t->row[t->rows];
      if (n != t->count + 1) {
        fprintf(stderr, "cxm covariates: %s: line %llu: %zu fields, the header has %zu\n", path,
                (unsigned long long)number, n, t->count + 1);
        return CLI_EXIT_FAILURE;
      }
      r->id = field[0];
      r->id_len = strlen(field[0]);
      for (size_t k = 0; k < t->count; k++) {
        char *end;
        r->v[k] = strtod(field[k + 1], &end);
        if (end == field[k + 1] || *end != '\0' || !isfinite(r->v[k])) {
          fprintf(stderr, "cxm covariates: %s: line %llu: '%s' is not a finite number\n", path,
                  (unsigned long long)number, field[k + 1]);
          return CLI_EXIT_FAILURE;
        }
      }
      t->rows++;
    }
    line = next;
  }
  qsort(t->row, t->rows, sizeof *t->row, cmp_row);
  for (size_t i = 1; i < t->rows; i++) {
    if (cmp_row(&t->row[i - 1], &t->row[i]) == 0) {
      fprintf(stderr, "cxm covariates: %s: customer '%.*s' has two rows\n", path, (int)t->row[i].id_len, t->row[i].id);
      return CLI_EXIT_FAILURE;
    }
  }
  return CLI_EXIT_OK;
}

static void print_json(const cxm_covariate_fit *f, const char *const *names, size_t groups_n, double detractors) {
  cli_json j;
  cli_json_init(&j, stdout, 1);
  cli_json_object_begin(&j);
  cli_json_keyz(&j, "format");
  cli_json_stringz(&j, "cxm-covariates/1");
  cli_json_keyz(&j, "model");
  cli_json_stringz(&j, cxm_model_name(f->kind));
  cli_json_member_uint(&j, "customers", f->customers);
  cli_json_member_number(&j, "detractors", detractors);
  cli_json_keyz(&j, "converged");
  cli_json_bool(&j, f->converged);
  cli_json_keyz(&j, "degenerate");
  cli_json_array_begin(&j);
  static const char *const why[4] = {"rate", "dropout", "spend", "hessian"};
  for (int b = 0; b < 4; b++)
    if (f->degenerate & (1u << b)) cli_json_stringz(&j, why[b]);
  cli_json_array_end(&j);
  cli_json_member_uint(&j, "iterations", (uint64_t)f->iterations);
  cli_json_keyz(&j, "params");
  cli_json_object_begin(&j);
  for (int k = 0; k < 4; k++) cli_json_member_number(&j, cxm_model_param_name(f->kind, k), f->param[k]);
  cli_json_object_end(&j);
  cli_json_keyz(&j, "se");
  cli_json_object_begin(&j);
  for (int k = 0; k < 4; k++) cli_json_member_number(&j, cxm_model_param_name(f->kind, k), f->se[k]);
  cli_json_object_end(&j);
  cli_json_keyz(&j, "covariates");
  cli_json_array_begin(&j);
  for (size_t c = 0; c < groups_n; c++) {
    cli_json_object_begin(&j);
    cli_json_keyz(&j, "name");
    cli_json_stringz(&j, names[c]);
    for (int p = 0; p < 2; p++) {
      uint32_t mask = p == 0 ? f->trans : f->life;
      const char *key = p == 0 ? "purchase" : "dropout";
      cli_json_keyz(&j, key);
      if (!(mask & (1u << c))) {
        cli_json_null(&j);
        continue;
      }
      double g = p == 0 ? f->gamma_trans[c] : f->gamma_life[c], se = p == 0 ? f->se_trans[c] : f->se_life[c];
      cli_json_object_begin(&j);
      cli_json_member_number(&j, "gamma", g);
      cli_json_member_number(&j, "se", se);
      cli_json_member_number(&j, "z", isnan(se) ? NAN : g / se);
      cli_json_object_end(&j);
    }
    cli_json_object_end(&j);
  }
  cli_json_array_end(&j);
  cli_json_member_number(&j, "loglik", f->loglik);
  cli_json_keyz(&j, "lr_test");
  cli_json_object_begin(&j);
  cli_json_member_number(&j, "null_loglik", f->null_loglik);
  cli_json_keyz(&j, "null_converged");
  cli_json_bool(&j, f->null_converged);
  cli_json_member_number(&j, "statistic", f->lr);
  cli_json_member_uint(&j, "df", (uint64_t)f->lr_df);
  cli_json_member_number(&j, "p", f->lr_p);
  cli_json_object_end(&j);
  cli_json_object_end(&j);
  fputc('\n', stdout);
}

static int print_table(const cxm_covariate_fit *f, const char *const *names, size_t n, double unit) {
  cli_table *t = cli_table_new(5);
  char title[256];
  if (t == NULL) return CLI_EXIT_FAILURE;
  cli_table_cell(t, "covariate");
  cli_table_cell(t, "process");
  cli_table_cell(t, "gamma");
  cli_table_cell(t, "se");
  cli_table_cell(t, "z");
  for (size_t c = 0; c < n; c++) {
    for (int p = 0; p < 2; p++) {
      uint32_t mask = p == 0 ? f->trans : f->life;
      if (!(mask & (1u << c))) continue;
      double g = p == 0 ? f->gamma_trans[c] : f->gamma_life[c], se = p == 0 ? f->se_trans[c] : f->se_life[c];
      cli_table_cell(t, names[c]);
      cli_table_cell(t, p == 0 ? "purchase" : "dropout");
      cli_table_cellf(t, "%+.4f", g);
      if (isnan(se)) {
        cli_table_cell(t, "-");
        cli_table_cell(t, "-");
      } else {
        cli_table_cellf(t, "%.4f", se);
        cli_table_cellf(t, "%+.2f", g / se);
      }
    }
  }
  snprintf(title, sizeof title,
           "%s with covariates (%llu customers, t in %s): %s = %.4g, %s = %.4g, %s = %.4g, %s = %.4g",
           cxm_model_name(f->kind), (unsigned long long)f->customers, unit == 86400.0 ? "days" : "weeks",
           cxm_model_param_name(f->kind, 0), f->param[0], cxm_model_param_name(f->kind, 1), f->param[1],
           cxm_model_param_name(f->kind, 2), f->param[2], cxm_model_param_name(f->kind, 3), f->param[3]);
  cli_table_print(t, stdout, title);
  cli_table_free(t);
  if (isnan(f->lr))
    printf("\nlikelihood-ratio test: not available (a fit did not converge)\n");
  else
    printf(
        "\nlikelihood-ratio test against %s without covariates: LR = %.4f on %d df, p = %.4g "
        "(loglik %.4f vs %.4f)\n",
        cxm_model_name(f->kind), f->lr, (int)f->lr_df, f->lr_p, f->loglik, f->null_loglik);
  return CLI_EXIT_OK;
}

int cli_covariates_main(int argc, char **argv) {
  cov_args a;
  cxm_store *store = NULL;
  cxm_rfm *rfm = NULL;
  cli_input totals;
  csv_table tab;
  double *det = NULL, *cov = NULL;
  memset(&tab, 0, sizeof tab);
  int status = parse_args(&a, argc, argv);
  if (status != CLI_EXIT_OK || a.help) {
    if (a.help) fputs(usage_text, stdout);
    free(a.files);
    return status;
  }
  if (a.csv != NULL && (status = read_csv(&tab, a.csv)) != CLI_EXIT_OK) goto done;
  status = cli_read_store(&store, a.files, a.file_count, a.strict, &totals);
  if (status != CLI_EXIT_OK) goto done;
  cxm_store_stats st;
  memset(&st, 0, sizeof st);
  st.size = sizeof st;
  cxm_rfm_options o;
  cxm_rfm_options_init(&o);
  o.to = a.to;
  o.unit_seconds = a.unit;
  if (cxm_store_stats_get(&st, store) != CXM_OK || cxm_rfm_new(&rfm, NULL) != CXM_OK ||
      (det = calloc((size_t)st.customers + 1, sizeof *det)) == NULL) {
    cli_diag(NULL, "out of memory");
    status = CLI_EXIT_FAILURE;
    goto done;
  }
  int32_t rc = cxm_store_rfm_detractor(rfm, det, (size_t)st.customers + 1, store, &o);
  if (rc != CXM_OK) {
    cli_diag("covariates", cxm_status_str(rc));
    status = CLI_EXIT_FAILURE;
    goto done;
  }
  size_t n = cxm_rfm_count(rfm), k = (a.no_detractor ? 0 : 1) + tab.count;
  const char *names[CXM_COVARIATES_MAX];
  if (!a.no_detractor) names[0] = "first_answer_detractor";
  for (size_t c = 0; c < tab.count; c++) names[c + (a.no_detractor ? 0 : 1)] = tab.names[c];
  cov = calloc(n * k + 1, sizeof *cov);
  if (cov == NULL) {
    cli_diag(NULL, "out of memory");
    status = CLI_EXIT_FAILURE;
    goto done;
  }
  double detractors = 0.0;
  for (size_t i = 0; i < n; i++) {
    size_t c = 0;
    detractors += det[i];
    if (!a.no_detractor) cov[i * k + c++] = det[i];
    if (tab.count > 0) {
      cxm_rfm_customer rc_;
      csv_row key, *hit;
      cxm_rfm_customer_init(&rc_);
      (void)cxm_rfm_get(&rc_, rfm, i);
      key.id = rc_.id;
      key.id_len = rc_.id_len;
      hit = bsearch(&key, tab.row, tab.rows, sizeof *tab.row, cmp_row);
      if (hit == NULL) {
        fprintf(stderr, "cxm covariates: %s: no row for customer '%.*s'\n", a.csv, (int)rc_.id_len, rc_.id);
        status = CLI_EXIT_FAILURE;
        goto done;
      }
      for (size_t m = 0; m < tab.count; m++) cov[i * k + c++] = hit->v[m];
    }
  }
  cxm_covariate_fit f;
  cxm_covariate_fit_init(&f);
  f.kind = a.kind;
  f.count = (uint32_t)k;
  f.trans = a.process == 2 ? 0 : (1u << k) - 1;
  f.life = a.process == 1 ? 0 : (1u << k) - 1;
  rc = cxm_covariate_model_fit(&f, rfm, cov, n, NULL);
  if (rc != CXM_OK && rc != CXM_E_CONVERGE) {
    cli_diag("covariates", rc == CXM_E_NO_DATA ? "no customer made a repeat purchase" : cxm_status_str(rc));
    status = CLI_EXIT_FAILURE;
    goto done;
  }
  if (rc == CXM_E_CONVERGE) {
    static const char *const why[4] = {"rate", "dropout", "spend", "hessian"};
    char reasons[64] = "";
    for (int b = 0; b < 4; b++)
      if (f.degenerate & (1u << b)) {
        strcat(reasons, reasons[0] != '\0' ? ", " : "");
        strcat(reasons, why[b]);
      }
    if (f.degenerate != 0)
      fprintf(stderr,
              "cxm covariates: warning: the fit with covariates is degenerate (%s; docs/purchase.md, "
              "\"Degenerate fits\")\n",
              reasons);
    else
      fprintf(stderr, "cxm covariates: the fit %s did not converge; the estimates are the best point reached\n",
              f.null_converged ? "with covariates" : "without covariates");
    /* as cxm churn: a degenerate fit is printed and exits 0, a fit that did
     * not converge exits 1 after its output */
    if (f.degenerate == 0 || !f.null_converged) status = CLI_EXIT_FAILURE;
  }
  if (a.json)
    print_json(&f, names, k, detractors);
  else if (print_table(&f, names, k, a.unit) != CLI_EXIT_OK)
    status = CLI_EXIT_FAILURE;
  if (status == CLI_EXIT_OK && totals.verdict != CLI_EXIT_OK) status = totals.verdict;
done:
  free(cov);
  free(det);
  free(tab.text);
  free(tab.row);
  cxm_rfm_free(rfm);
  cxm_store_free(store);
  free(a.files);
  return status;
}
