/* The --holidays file: one `YYYY-MM-DD` date a line (docs/cli.md). Blank
 * lines are allowed; `\r\n` line ends too. Business-hours service levels (a
 * later issue) will use the dates; for now the file is only validated. */
#ifndef CXM_CLI_HOLIDAYS_H
#define CXM_CLI_HOLIDAYS_H

#include <stddef.h>
#include <stdint.h>

typedef struct cli_holidays {
  int64_t *days; /* UTC midnight of each date, in file order */
  size_t count;
} cli_holidays;

/* Read and check `path`. Prints `PATH:LINE: column date: reason` (or a
 * `cxm: PATH: ...` line when the file cannot be read) and returns -1 on
 * error; 0 on success. Free with cli_holidays_free(). */
int cli_holidays_load(cli_holidays *out, const char *path);

void cli_holidays_free(cli_holidays *h);

#endif
