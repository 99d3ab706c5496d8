/* `cxm plan` (docs/cli.md, "Planning a sample"): the answers a survey needs
 * for a wanted margin of error, from cxm_plan_sample_size(). */
#ifndef CXM_CLI_PLAN_H
#define CXM_CLI_PLAN_H

/* Run `cxm plan`; argv[0] is "plan". Returns the exit status. */
int cli_plan_main(int argc, char **argv);

#endif
