/* `cxm plan` (see plan.h): parse the options, call the library's planner
 * (cxm_plan_sample_size, docs/metrics.md "Planning a sample size") and
 * print the answer as a line of text or a cxm-plan/1 JSON object. */
#include "cmd_plan.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cxm.h"
#include "diag.h"
#include "json.h"
#include "output.h"

static const char help_text[] =
    "Usage: cxm plan --metric nps|csat|ces --margin M [OPTIONS]\n"
    "\n"
    "The number of answers a survey needs so that the 95% margin of error of\n"
    "the metric is at most M: n0 = z^2 V / M^2 from the variance V of one answer,\n"
    "then the finite-population correction n = n0 / (1 + (n0 - 1) / N)\n"
    "(docs/metrics.md, \"Planning a sample size\"). Needs no event file.\n"
    "\n"
    "Options:\n"
    "  --metric NAME      nps, csat or ces (default nps)\n"
    "  --margin M         the wanted margin: NPS or CSAT points, CES scale points\n"
    "  --population N     the population surveyed (default: infinite)\n"
    "  --p-promoter P     NPS: expected promoter share 0..1 (default 0.5)\n"
    "  --p-detractor Q    NPS: expected detractor share 0..1 (default 0.5)\n"
    "  --p-satisfied P    CSAT: expected satisfied share 0..1 (default 0.5)\n"
    "  --sd S             CES: expected standard deviation of answers (default 3)\n"
    "  --json             print a cxm-plan/1 JSON object\n"
    "  -h, --help         show this help and exit\n"
    "  --version          show the version and exit\n"
    "\n"
    "Without the expected shares or sd the plan takes the worst case (the\n"
    "largest variance the metric can have), so the margin holds whatever the\n"
    "answers turn out to be.\n"
    "\n"
    "Exit status: 0 success; 2 for a usage error.\n";

static const char *const metric_names[] = {"nps", "csat", "ces"};

/* A finite decimal number; 0 on success. */
static int parse_number(double *out, const char *text) {
  char *end = NULL;
  errno = 0;
  double v = strtod(text, &end);
  if (*text == '\0' || end == NULL || *end != '\0' || errno != 0 || !isfinite(v)) return -1;
  *out = v;
  return 0;
}

int cli_plan_main(int argc, char **argv) {
  const char *command = argc > 0 ? argv[0] : "plan";
  cxm_plan_options o;
  cxm_plan_options_init(&o);
  int json = 0, have_margin = 0, have_shares = 0, have_sd = 0, have_sat = 0;
  double p_satisfied = 0.5;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
      cli_stdout_puts(help_text);
      return cli_stdout_close() != 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
    }
    if (strcmp(arg, "--version") == 0) {
      printf("cxm %s\n", cxm_version_string());
      return cli_stdout_close() != 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
    }
    if (strcmp(arg, "--json") == 0) {
      json = 1;
      continue;
    }
    static const char *const valued[] = {"--metric",      "--margin",      "--population", "--p-promoter",
                                         "--p-detractor", "--p-satisfied", "--sd"};
    int opt = -1;
    const char *value = NULL;
    for (int k = 0; k < (int)(sizeof valued / sizeof valued[0]); k++) {
      size_t len = strlen(valued[k]);
      if (strncmp(arg, valued[k], len) == 0 && (arg[len] == '\0' || arg[len] == '=')) {
        opt = k;
        if (arg[len] == '=') {
          value = arg + len + 1;
        } else if (i + 1 < argc) {
          value = argv[++i];
        } else {
          cli_diag_usage(command, "missing the value of", arg);
          return CLI_EXIT_USAGE;
        }
        break;
      }
    }
    if (opt < 0) {
      cli_diag_usage(command, arg[0] == '-' ? "unknown option" : "takes no file, not", arg);
      return CLI_EXIT_USAGE;
    }
    double v = 0.0;
    if (opt == 0) {
      int m = -1;
      for (int k = 0; k < 3; k++)
        if (strcmp(value, metric_names[k]) == 0) m = k;
      if (m < 0) {
        cli_diag_usage(command, "--metric takes nps, csat or ces, not", value);
        return CLI_EXIT_USAGE;
      }
      o.metric = m;
      continue;
    }
    if (parse_number(&v, value) != 0) {
      cli_diag_usage(command, "expected a number, not", value);
      return CLI_EXIT_USAGE;
    }
    switch (opt) {
    case 1:
      if (!(v > 0.0)) {
        cli_diag_usage(command, "--margin takes a number above 0, not", value);
        return CLI_EXIT_USAGE;
      }
      o.margin = v;
      have_margin = 1;
      break;
    case 2:
      if (!(v >= 1.0 && v <= 9007199254740992.0 && v == floor(v))) {
        cli_diag_usage(command, "--population takes a whole number 1..2^53, not", value);
        return CLI_EXIT_USAGE;
      }
      o.population = v;
      break;
    case 3:
    case 4:
    case 5:
      if (!(v >= 0.0 && v <= 1.0)) {
        cli_diag_usage(command, "a share is a number 0..1, not", value);
        return CLI_EXIT_USAGE;
      }
      if (opt == 3) o.p_promoter = v;
      if (opt == 4) o.p_detractor = v;
      if (opt == 5)
        p_satisfied = v, have_sat = 1;
      else
        have_shares |= opt == 3 ? 1 : 2;
      break;
    default:
      if (!(v >= 0.0)) {
        cli_diag_usage(command, "--sd takes a number 0 or above, not", value);
        return CLI_EXIT_USAGE;
      }
      o.sd = v;
      have_sd = 1;
      break;
    }
  }
  if (!have_margin) {
    cli_diag_usage(command, "needs --margin", "(see cxm plan --help)");
    return CLI_EXIT_USAGE;
  }
  /* An option that does not belong to the metric is a mistake worth telling. */
  if ((have_shares && o.metric != CXM_SLICE_NPS) || (have_sat && o.metric != CXM_SLICE_CSAT) ||
      (have_sd && o.metric != CXM_SLICE_CES)) {
    cli_diag_usage(command, "--p-promoter/--p-detractor are for nps, --p-satisfied for csat, --sd for ces; not for",
                   metric_names[o.metric]);
    return CLI_EXIT_USAGE;
  }
  if (o.metric == CXM_SLICE_NPS && have_shares && have_shares != 3) {
    cli_diag_usage(command, "--p-promoter and --p-detractor go together", "(give both)");
    return CLI_EXIT_USAGE;
  }
  if (o.metric == CXM_SLICE_NPS && o.p_promoter + o.p_detractor > 1.0 + 1e-12) {
    cli_diag_usage(command, "--p-promoter plus --p-detractor must be at most 1", "");
    return CLI_EXIT_USAGE;
  }
  if (o.metric == CXM_SLICE_CSAT) o.p_promoter = p_satisfied;
  uint64_t n = 0;
  double n0 = 0.0;
  int32_t rc = cxm_plan_sample_size(&n, &n0, &o);
  if (rc != CXM_OK) {
    cli_diag_usage(command, "the plan needs more than 2^53 answers; raise", "--margin");
    return CLI_EXIT_USAGE;
  }
  double variance = o.metric == CXM_SLICE_CES ? o.sd * o.sd
                    : o.metric == CXM_SLICE_CSAT
                        ? 1e4 * o.p_promoter * (1.0 - o.p_promoter)
                        : 1e4 * (o.p_promoter + o.p_detractor -
                                 (o.p_promoter - o.p_detractor) * (o.p_promoter - o.p_detractor));
  if (json) {
    cli_json j;
    cli_json_init(&j, stdout, 1);
    cli_json_object_begin(&j);
    cli_json_keyz(&j, "format");
    cli_json_stringz(&j, "cxm-plan/1");
    cli_json_keyz(&j, "metric");
    cli_json_stringz(&j, metric_names[o.metric]);
    cli_json_member_number(&j, "margin", o.margin);
    cli_json_member_number(&j, "z", o.z);
    cli_json_keyz(&j, "population");
    if (o.population > 0.0)
      cli_json_uint(&j, (uint64_t)o.population);
    else
      cli_json_null(&j);
    cli_json_member_number(&j, "variance", variance);
    cli_json_member_number(&j, "n_infinite", n0);
    cli_json_member_uint(&j, "n", n);
    cli_json_object_end(&j);
  } else {
    printf("%s margin %g: %llu answers", metric_names[o.metric], o.margin, (unsigned long long)n);
    if (o.population > 0.0)
      printf(" of a population of %.0f (%.1f before the finite-population correction)", o.population, n0);
    printf("\n");
  }
  return cli_stdout_close() != 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
