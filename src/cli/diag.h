/* Diagnostics on standard error, one line each.
 *
 * Row diagnostics have the shape of docs/cli.md, `FILE:LINE: column COLUMN:
 * reason`; other messages are `cxm: ...`. File names, column names and
 * reasons may hold any bytes (an unknown CSV column is not checked), so
 * control characters are written as `\xNN` and a message is always exactly
 * one line. */
#ifndef CXM_CLI_DIAG_H
#define CXM_CLI_DIAG_H

#include <stdint.h>

/* `FILE:LINE: column COLUMN: [warning: ]REASON` */
void cli_diag_row(const char *file, uint64_t line, const char *column, int warning, const char *reason);

/* `cxm: SUBJECT: MESSAGE`, or `cxm: MESSAGE` when subject is NULL. */
void cli_diag(const char *subject, const char *message);

/* `cxm COMMAND: WHAT[ 'ARG'] (see cxm COMMAND --help)`: a usage error. */
void cli_diag_usage(const char *command, const char *what, const char *arg);

#endif
