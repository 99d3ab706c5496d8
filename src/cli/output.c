/* Standard output's end (see output.h). */
#include "output.h"

#include <errno.h>
#include <stdio.h>

#include "input.h"

int cli_stdout_close(void) {
  int err;
  errno = 0;
  if (fflush(stdout) == 0 && !ferror(stdout)) return 0;
  /* A failed flush sets errno; an earlier failed write (ferror) may have
   * left it at 0, and then only "I/O error" is known. */
  err = errno != 0 ? errno : EIO;
  cli_diag_errno("standard output", "cannot write", err);
  return -1;
}
