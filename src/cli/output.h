/* Standard output of the command: every write error is reported with its
 * reason and makes the exit status non-zero (docs/cli.md, "Exit status"). */
#ifndef CXM_CLI_OUTPUT_H
#define CXM_CLI_OUTPUT_H

/* Write TEXT to standard output, remembering the reason of the first failed
 * write for cli_stdout_close (a later flush may no longer know it). */
void cli_stdout_puts(const char *text);

/* Flush standard output. 0 when everything written so far reached it;
 * otherwise prints `cxm: standard output: cannot write: REASON` and
 * returns -1. */
int cli_stdout_close(void);

#endif
