/* `cxm report`: read event files into one store and print the metrics of
 * docs/metrics.md as tables or as the JSON of docs/cli.md. */
#ifndef CXM_CLI_REPORT_H
#define CXM_CLI_REPORT_H

/* Run `cxm report`; argv[0] is "report". Returns the exit status. */
int cli_report_main(int argc, char **argv);

#endif
