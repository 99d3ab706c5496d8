/* `cxm covariates`: Pareto/NBD or BG/NBD with the first-answer detractor
 * covariate and the caller's numeric covariates (docs/cli.md,
 * docs/purchase.md "Covariates"). */
#ifndef CXM_CLI_COVARIATES_H
#define CXM_CLI_COVARIATES_H

int cli_covariates_main(int argc, char **argv);

#endif
