/* `cxm drivers`: key driver analysis of the SERVQUAL perception
 * dimensions on the latest NPS answer (docs/cli.md, docs/drivers.md). */
#ifndef CXM_CLI_DRIVERS_H
#define CXM_CLI_DRIVERS_H

int cli_drivers_main(int argc, char **argv);

#endif
