/* A progress line on standard error while a long input is read
 * (docs/cli.md, "Progress"): bytes, rows per second and, when the size is
 * known, the percentage and the time left. Only when standard error is a
 * terminal and --quiet was not given, and only once reading has taken
 * longer than a second (CXM_PROGRESS_AFTER_MS overrides the delay, for
 * tests). The line is erased before any diagnostic and at the end. */
#ifndef CXM_CLI_PROGRESS_H
#define CXM_CLI_PROGRESS_H

#include <stdint.h>

typedef struct cli_progress {
  int enabled;    /* a terminal, not --quiet */
  int shown;      /* the line is on the screen */
  char name[96];  /* the input's name, control characters as '?', cut */
  uint64_t total; /* its size, or 0 when unknown */
  double start;   /* monotonic seconds when reading began */
  double last;    /* when the line was last drawn */
  double after;   /* seconds before the line first appears */
} cli_progress;

/* Start tracking one input. */
void cli_progress_start(cli_progress *p, const char *name, uint64_t total, int quiet);

/* `bytes` of the input read so far, `rows` records. Draws at most four
 * times a second. */
void cli_progress_update(cli_progress *p, uint64_t bytes, uint64_t rows);

/* Erase the line, if shown (before a diagnostic, and at the end). */
void cli_progress_clear(cli_progress *p);

#endif
