/* Aligned text tables (see table.h). */
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "unicode.h"

struct cli_table {
  size_t columns;
  char **cells; /* row-major, `count` of them */
  size_t count;
  size_t cap;
  int failed; /* a cell could not be stored: rows would be misaligned */
};

cli_table *cli_table_new(size_t columns) {
  cli_table *t;
  if (columns == 0) {
    return NULL;
  }
  t = calloc(1, sizeof *t);
  if (t != NULL) {
    t->columns = columns;
  }
  return t;
}

int cli_table_cell(cli_table *t, const char *text) {
  size_t len = strlen(text), at = 0, i;
  char *copy;
  if (t->failed) {
    return -1;
  }
  if (t->count == t->cap) {
    size_t new_cap = t->cap ? t->cap * 2 : 64;
    char **p = realloc(t->cells, new_cap * sizeof *p);
    if (p == NULL) {
      t->failed = 1;
      return -1;
    }
    t->cells = p;
    t->cap = new_cap;
  }
  /* Invisible format characters become escapes (unicode.h): a 2..4-byte
   * sequence takes at most 10 bytes, so 3 per byte is room enough. */
  copy = len < ((size_t)-1 - 1) / 3 ? malloc(3 * len + 1) : NULL;
  if (copy == NULL) {
    t->failed = 1;
    return -1;
  }
  for (i = 0; i < len;) {
    uint32_t cp;
    size_t n = cli_format_char(&cp, (const unsigned char *)text + i, len - i);
    if (n > 0) {
      at += cli_format_escape(copy + at, cp);
      i += n;
    } else {
      copy[at++] = text[i++];
    }
  }
  copy[at] = '\0';
  t->cells[t->count++] = copy;
  return 0;
}

int cli_table_cellf(cli_table *t, const char *format, ...) {
  char buf[128];
  va_list ap;
  va_start(ap, format);
  vsnprintf(buf, sizeof buf, format, ap);
  va_end(ap);
  return cli_table_cell(t, buf);
}

/* Characters a terminal shows for `s`: UTF-8 continuation bytes take no
 * column of their own. (Wide CJK characters are counted as one; a table of
 * such keys is slightly misaligned, never wrong.) */
static size_t display_width(const char *s) {
  size_t w = 0;
  for (; *s != '\0'; s++) {
    if (((unsigned char)*s & 0xC0) != 0x80) {
      w++;
    }
  }
  return w;
}

/* Write a cell, with control characters shown as '?' so a row stays one line. */
static void put_cell(FILE *out, const char *s) {
  for (; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;
    fputc(c < 0x20 || c == 0x7F ? '?' : c, out);
  }
}

static void pad(FILE *out, size_t n) {
  while (n-- > 0) {
    fputc(' ', out);
  }
}

int cli_table_print(const cli_table *t, FILE *out, const char *title) {
  size_t *width;
  size_t rows, r, c, total = 0;
  if (t == NULL || t->failed) {
    return -1;
  }
  width = calloc(t->columns, sizeof *width);
  if (width == NULL) {
    return -1;
  }
  if (title != NULL) {
    fprintf(out, "%s\n", title);
  }
  rows = t->count / t->columns;
  for (r = 0; r < rows; r++) {
    for (c = 0; c < t->columns; c++) {
      size_t w = display_width(t->cells[r * t->columns + c]);
      if (w > width[c]) {
        width[c] = w;
      }
    }
  }
  for (c = 0; c < t->columns; c++) {
    total += width[c] + (c > 0 ? 2 : 0);
  }
  for (r = 0; r < rows; r++) {
    for (c = 0; c < t->columns; c++) {
      const char *cell = t->cells[r * t->columns + c];
      size_t gap = width[c] - display_width(cell);
      if (c > 0) {
        pad(out, 2 + gap);
        put_cell(out, cell);
      } else {
        put_cell(out, cell);
        if (t->columns > 1) {
          pad(out, gap);
        }
      }
    }
    fputc('\n', out);
    if (r == 0) {
      size_t i;
      for (i = 0; i < total; i++) {
        fputc('-', out);
      }
      fputc('\n', out);
    }
  }
  free(width);
  return 0;
}

void cli_table_free(cli_table *t) {
  size_t i;
  if (t == NULL) {
    return;
  }
  for (i = 0; i < t->count; i++) {
    free(t->cells[i]);
  }
  free(t->cells);
  free(t);
}
