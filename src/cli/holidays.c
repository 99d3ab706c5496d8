/* The business calendar of `cxm report` (see holidays.h). */
#include "holidays.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* A holidays file is a few hundred bytes; refuse anything absurd. */
#define MAX_HOLIDAYS_BYTES ((size_t)16 * 1024 * 1024)

static void diag_errno(const char *path, const char *what) {
  char msg[200];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  cli_diag(path, msg);
}

/* Read a whole (small) file; NULL on error, reported. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  size_t cap = 0;
  *len = 0;
  if (f == NULL) {
    diag_errno(path, "cannot open holidays file");
    return NULL;
  }
  for (;;) {
    size_t n;
    if (*len == cap) {
      char *grown;
      cap = cap == 0 ? 4096 : cap * 2;
      if (cap > MAX_HOLIDAYS_BYTES) {
        cli_diag(path, "holidays file larger than 16 MiB");
        break;
      }
      grown = realloc(text, cap);
      if (grown == NULL) {
        cli_diag(NULL, "out of memory");
        break;
      }
      text = grown;
    }
    n = fread(text + *len, 1, cap - *len, f);
    *len += n;
    if (n == 0) {
      if (ferror(f)) {
        diag_errno(path, "cannot read holidays file");
        break;
      }
      fclose(f);
      return text;
    }
  }
  fclose(f);
  free(text);
  return NULL;
}

int cli_calendar_load(cxm_calendar **out, int32_t utc_offset, const char *holidays_path) {
  cxm_calendar *cal = NULL;
  int32_t rc = cxm_calendar_new(&cal, NULL);
  *out = NULL;
  if (rc == CXM_OK) rc = cxm_calendar_set_offset(cal, utc_offset);
  if (rc != CXM_OK) {
    cli_diag(NULL, cxm_status_str(rc));
    cxm_calendar_free(cal);
    return -1;
  }
  if (holidays_path != NULL) {
    size_t len, bad_line = 0;
    char *text = slurp(holidays_path, &len);
    if (text == NULL) {
      cxm_calendar_free(cal);
      return -1;
    }
    rc = cxm_calendar_add_holidays_text(&bad_line, cal, text, len);
    free(text);
    if (rc != CXM_OK) {
      if (bad_line > 0)
        cli_diag_row(holidays_path, bad_line, "date", 0, "not a YYYY-MM-DD date");
      else
        cli_diag(holidays_path, cxm_status_str(rc));
      cxm_calendar_free(cal);
      return -1;
    }
  }
  *out = cal;
  return 0;
}
