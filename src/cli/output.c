/* Standard output's end (see output.h). */
#include "output.h"

#include <errno.h>
#include <stdio.h>

#include "input.h"

/* The command's one stdout; a static of the command, not of the library. */
static int first_write_errno;

void cli_stdout_puts(const char *text) {
  errno = 0;
  if (fputs(text, stdout) == EOF && first_write_errno == 0) first_write_errno = errno;
}

int cli_stdout_close(void) {
  int err;
  errno = 0;
  if (fflush(stdout) == 0 && !ferror(stdout)) return 0;
  /* A failed flush sets errno; an earlier failed write (ferror) may have
   * left it at 0: then the reason cli_stdout_puts kept, else "I/O error". */
  err = errno != 0 ? errno : first_write_errno != 0 ? first_write_errno : EIO;
  cli_diag_errno("standard output", "cannot write", err);
  return -1;
}
