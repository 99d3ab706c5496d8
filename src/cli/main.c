/* The cxm command: dispatches to its subcommands (docs/cli.md). */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cxm/common.h"
#include "diag.h"
#include "output.h"
#include "cmd_report.h"
#include "cmd_churn.h"
#include "cmd_retention.h"
#include "cmd_covariates.h"
#include "cmd_drivers.h"
#include "cmd_ingest.h"
#include "cmd_plan.h"

static const char usage_text[] =
    "Usage: cxm COMMAND [OPTIONS] FILE...\n"
    "\n"
    "Customer-experience metrics from touchpoint event files.\n"
    "\n"
    "Commands:\n"
    "  report    NPS, CSAT, CES, perception gap, SERVQUAL, service levels, loyalty\n"
    "            and consistency, overall and per slice, as tables or JSON\n"
    "  churn     each customer's churn risk from purchases and experience (NPS,\n"
    "            effort, open contacts, SLA breaches, complaints, the gap), with\n"
    "            the factors driving it; or 1 - P(alive) of a --summary CSV\n"
    "  retention Kaplan-Meier retention curves, by latest NPS category (--by nps)\n"
    "  covariates Pareto/NBD or BG/NBD with experience covariates (first answer a\n"
    "            detractor's, your own): gammas, SEs, likelihood-ratio test\n"
    "  drivers   key drivers of NPS among the SERVQUAL perception dimensions\n"
    "  ingest    add event files to a saved store (--snapshot FILE)\n"
    "  plan      answers needed for a margin of error (--metric, --margin)\n"
    "\n"
    "Options:\n"
    "  -h, --help    show this help and exit\n"
    "  --version     show the version and exit\n"
    "\n"
    "Run 'cxm COMMAND --help' for a command's options.\n";

typedef struct subcommand {
  const char *name;
  int (*run)(int argc, char **argv);
} subcommand;

static const subcommand subcommands[] = {
    {"report", cli_report_main},         {"churn", cli_churn_main},   {"retention", cli_retention_main},
    {"drivers", cli_drivers_main},       {"ingest", cli_ingest_main}, {"plan", cli_plan_main},
    {"covariates", cli_covariates_main},
};

int main(int argc, char **argv) {
  size_t i;
  if (argc < 2) {
    fputs(usage_text, stderr);
    return CLI_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    cli_stdout_puts(usage_text);
    return cli_stdout_close() != 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("cxm %s\n", cxm_version_string());
    return cli_stdout_close() != 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
  }
  for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
    if (strcmp(argv[1], subcommands[i].name) == 0) {
      return subcommands[i].run(argc - 1, argv + 1);
    }
  }
  fputs("cxm: unknown command '", stderr);
  fputs(argv[1], stderr);
  fputs("' (see cxm --help)\n", stderr);
  return CLI_EXIT_USAGE;
}
