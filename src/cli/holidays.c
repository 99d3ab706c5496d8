/* The --holidays file (see holidays.h). */
#include "holidays.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm/time.h"
#include "diag.h"

/* Longest line kept; a longer one is reported as not a date. */
#define LINE_CAP 64

/* 0 when `line` (len bytes) is exactly YYYY-MM-DD naming a real date in
 * 1970..9999; the library's RFC 3339 parser checks the calendar. */
static int parse_date(int64_t *day, const char *line, size_t len) {
  char text[32];
  size_t i;
  if (len != 10) {
    return -1;
  }
  for (i = 0; i < 10; i++) {
    int want_dash = i == 4 || i == 7;
    if (want_dash ? line[i] != '-' : (line[i] < '0' || line[i] > '9')) {
      return -1;
    }
  }
  memcpy(text, line, 10);
  memcpy(text + 10, "T00:00:00Z", 11);
  return cxm_time_parse(day, text, 20) == 0 ? 0 : -1;
}

static int push(cli_holidays *h, size_t *cap, int64_t day) {
  if (h->count == *cap) {
    size_t new_cap = *cap ? *cap * 2 : 16;
    int64_t *p = realloc(h->days, new_cap * sizeof *p);
    if (p == NULL) {
      return -1;
    }
    h->days = p;
    *cap = new_cap;
  }
  h->days[h->count++] = day;
  return 0;
}

int cli_holidays_load(cli_holidays *out, const char *path) {
  FILE *f;
  char line[LINE_CAP];
  size_t len = 0, cap = 0;
  uint64_t lineno = 1;
  int c, too_long = 0, status = 0;
  memset(out, 0, sizeof *out);
  f = fopen(path, "rb");
  if (f == NULL) {
    char msg[160];
    snprintf(msg, sizeof msg, "cannot open holidays file: %s", strerror(errno));
    cli_diag(path, msg);
    return -1;
  }
  for (;;) {
    c = fgetc(f);
    if (c != EOF && c != '\n') {
      if (len < LINE_CAP) {
        line[len++] = (char)c;
      } else {
        too_long = 1;
      }
      continue;
    }
    if (len > 0 && line[len - 1] == '\r' && !too_long) {
      len--;
    }
    if (len > 0 || too_long) {
      int64_t day;
      if (too_long || parse_date(&day, line, len) != 0) {
        cli_diag_row(path, lineno, "date", 0, "not a YYYY-MM-DD date in 1970..9999");
        status = -1;
        break;
      }
      if (push(out, &cap, day) != 0) {
        cli_diag(NULL, "out of memory");
        status = -1;
        break;
      }
    }
    if (c == EOF) {
      break;
    }
    len = 0;
    too_long = 0;
    lineno++;
  }
  if (status == 0 && ferror(f)) {
    char msg[160];
    snprintf(msg, sizeof msg, "cannot read holidays file: %s", strerror(errno));
    cli_diag(path, msg);
    status = -1;
  }
  fclose(f);
  if (status != 0) {
    cli_holidays_free(out);
  }
  return status;
}

void cli_holidays_free(cli_holidays *h) {
  free(h->days);
  h->days = NULL;
  h->count = 0;
}
