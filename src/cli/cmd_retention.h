/* `cxm retention`: Kaplan-Meier retention curves of the customers in event
 * files, overall or by latest NPS category, with the log-rank test
 * (docs/cli.md, docs/retention.md). */
#ifndef CXM_CLI_RETENTION_H
#define CXM_CLI_RETENTION_H

int cli_retention_main(int argc, char **argv);

#endif
