/* Diagnostics on standard error (see diag.h).
 *
 * Standard error is unbuffered, so each message is assembled in a line
 * buffer and written with one fwrite: a file of a million bad rows costs a
 * million writes, not one per character (which took minutes). */
#include "diag.h"

#include <stdio.h>
#include <string.h>

#include "unicode.h"

/* One message being assembled; flushed when full, so any length works. */
typedef struct line {
  char buf[1024];
  size_t len;
} line;

static void line_flush(line *l) {
  if (l->len > 0) {
    fwrite(l->buf, 1, l->len, stderr);
    l->len = 0;
  }
}

static void line_putc(line *l, char c) {
  if (l->len == sizeof l->buf) line_flush(l);
  l->buf[l->len++] = c;
}

static void line_puts(line *l, const char *s) {
  for (; *s != '\0'; s++) line_putc(l, *s);
}

/* Append `text` with control characters (and DEL) escaped as \xNN, and
 * invisible format characters as \uXXXX (unicode.h). */
static void line_sanitized(line *l, const char *text) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)text;
  size_t left = strlen(text);
  for (; *s != '\0'; s++, left--) {
    uint32_t cp;
    size_t n = cli_format_char(&cp, s, left);
    if (n > 0) {
      char esc[CLI_FORMAT_ESCAPE_MAX];
      size_t k, m = cli_format_escape(esc, cp);
      for (k = 0; k < m; k++) line_putc(l, esc[k]);
      s += n - 1;
      left -= n - 1;
    } else if (*s < 0x20 || *s == 0x7F) {
      line_putc(l, '\\');
      line_putc(l, 'x');
      line_putc(l, hex[*s >> 4]);
      line_putc(l, hex[*s & 0x0F]);
    } else {
      line_putc(l, (char)*s);
    }
  }
}

/* printf's %llu: integers have no locale-dependent form, so the command
 * needs no digit loop of its own (the library keeps one, in reader.c). */
static void line_u64(line *l, uint64_t v) {
  char tmp[24];
  snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
  line_puts(l, tmp);
}

void cli_diag_row(const char *file, uint64_t line_no, const char *column, int warning, const char *reason) {
  line l;
  l.len = 0;
  line_sanitized(&l, file);
  line_putc(&l, ':');
  line_u64(&l, line_no);
  line_puts(&l, ": column ");
  line_sanitized(&l, column != NULL ? column : "*");
  line_puts(&l, ": ");
  if (warning) {
    line_puts(&l, "warning: ");
  }
  line_sanitized(&l, reason != NULL ? reason : "bad row");
  line_putc(&l, '\n');
  line_flush(&l);
}

void cli_diag(const char *subject, const char *message) {
  line l;
  l.len = 0;
  line_puts(&l, "cxm: ");
  if (subject != NULL) {
    line_sanitized(&l, subject);
    line_puts(&l, ": ");
  }
  line_sanitized(&l, message);
  line_putc(&l, '\n');
  line_flush(&l);
}

void cli_diag_usage(const char *command, const char *what, const char *arg) {
  line l;
  l.len = 0;
  line_puts(&l, "cxm ");
  line_sanitized(&l, command);
  line_puts(&l, ": ");
  line_sanitized(&l, what);
  if (arg != NULL) {
    line_puts(&l, " '");
    line_sanitized(&l, arg);
    line_putc(&l, '\'');
  }
  line_puts(&l, " (see cxm ");
  line_sanitized(&l, command);
  line_puts(&l, " --help)\n");
  line_flush(&l);
}
