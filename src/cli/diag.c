/* Diagnostics on standard error (see diag.h). */
#include "diag.h"

#include <stdio.h>

/* Write `text` with control characters (and DEL) escaped as \xNN. */
static void put_sanitized(const char *text) {
  const unsigned char *s = (const unsigned char *)text;
  for (; *s != '\0'; s++) {
    if (*s < 0x20 || *s == 0x7F) {
      fprintf(stderr, "\\x%02x", (unsigned)*s);
    } else {
      fputc(*s, stderr);
    }
  }
}

void cli_diag_row(const char *file, uint64_t line, const char *column, int warning, const char *reason) {
  put_sanitized(file);
  fprintf(stderr, ":%llu: column ", (unsigned long long)line);
  put_sanitized(column != NULL ? column : "*");
  fputs(": ", stderr);
  if (warning) {
    fputs("warning: ", stderr);
  }
  put_sanitized(reason != NULL ? reason : "bad row");
  fputc('\n', stderr);
}

void cli_diag(const char *subject, const char *message) {
  fputs("cxm: ", stderr);
  if (subject != NULL) {
    put_sanitized(subject);
    fputs(": ", stderr);
  }
  put_sanitized(message);
  fputc('\n', stderr);
}

void cli_diag_usage(const char *command, const char *what, const char *arg) {
  fputs("cxm ", stderr);
  put_sanitized(command);
  fputs(": ", stderr);
  put_sanitized(what);
  if (arg != NULL) {
    fputs(" '", stderr);
    put_sanitized(arg);
    fputc('\'', stderr);
  }
  fputs(" (see cxm ", stderr);
  put_sanitized(command);
  fputs(" --help)\n", stderr);
}
