/* `cxm churn`: fit a purchase model (BG/NBD, MBG/NBD, Pareto/NBD) and print
 * each customer's purchase-based churn risk, as tables or as the JSON of
 * docs/cli.md. This version reads per-customer summaries (--summary). */
#ifndef CXM_CLI_CHURN_H
#define CXM_CLI_CHURN_H

/* Run `cxm churn`; argv[0] is "churn". Returns the exit status. */
int cli_churn_main(int argc, char **argv);

#endif
