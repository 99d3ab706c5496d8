/* The bounded string builder of messages; see strbuf.h. */
#include "common/strbuf.h"

#include "common/utf8.h"

#include <math.h>

void cxmi_sb_init(cxmi_sb *b, char *buf, size_t cap) {
  b->buf = buf;
  b->cap = cap;
  b->len = 0;
  buf[0] = '\0';
}

void cxmi_sb_putc(cxmi_sb *b, char c) {
  if (b->len + 1 < b->cap) {
    b->buf[b->len++] = c;
    b->buf[b->len] = '\0';
  }
}

void cxmi_sb_str(cxmi_sb *b, const char *s) {
  while (*s) cxmi_sb_putc(b, *s++);
}

void cxmi_sb_u64(cxmi_sb *b, uint64_t v) {
  char tmp[24];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) cxmi_sb_putc(b, tmp[--n]);
}

void cxmi_sb_i64(cxmi_sb *b, int64_t v) {
  if (v < 0) {
    cxmi_sb_putc(b, '-');
    cxmi_sb_u64(b, (uint64_t)0 - (uint64_t)v);
  } else {
    cxmi_sb_u64(b, (uint64_t)v);
  }
}

void cxmi_sb_double(cxmi_sb *b, double v) {
  double ip, frac;
  uint64_t f;
  int digits;
  if (isnan(v)) {
    cxmi_sb_str(b, "nan");
    return;
  }
  if (v < 0 || (v == 0 && signbit(v))) {
    cxmi_sb_putc(b, '-');
    v = -v;
  }
  if (isinf(v)) {
    cxmi_sb_str(b, "inf");
    return;
  }
  if (v >= 9007199254740992.0) { /* 2^53: print the integer part's magnitude */
    int e = 0;
    while (v >= 10) {
      v /= 10;
      e++;
    }
    cxmi_sb_u64(b, (uint64_t)v);
    cxmi_sb_str(b, "e+");
    cxmi_sb_u64(b, (uint64_t)e);
    return;
  }
  frac = modf(v, &ip);
  f = (uint64_t)llround(frac * 1e6);
  if (f == 1000000) { /* rounded up to the next integer */
    ip += 1;
    f = 0;
  }
  cxmi_sb_u64(b, (uint64_t)ip);
  if (f == 0) return;
  cxmi_sb_putc(b, '.');
  for (digits = 6; f % 10 == 0; digits--) f /= 10;
  {
    char tmp[8];
    int i;
    for (i = digits - 1; i >= 0; i--) {
      tmp[i] = (char)('0' + f % 10);
      f /= 10;
    }
    for (i = 0; i < digits; i++) cxmi_sb_putc(b, tmp[i]);
  }
}

void cxmi_sb_text(cxmi_sb *b, const uint8_t *p, size_t len, size_t max) {
  static const char hex[] = "0123456789abcdef";
  size_t i;
  if (len <= max && cxmi_text_check(p, len, NULL) == CXMI_TEXT_OK) {
    for (i = 0; i < len; i++) cxmi_sb_putc(b, (char)p[i]);
    return;
  }
  for (i = 0; i < len && i < max; i++) {
    if (p[i] >= 0x20 && p[i] < 0x7F) {
      cxmi_sb_putc(b, (char)p[i]);
    } else {
      cxmi_sb_putc(b, '\\');
      cxmi_sb_putc(b, 'x');
      cxmi_sb_putc(b, hex[p[i] >> 4]);
      cxmi_sb_putc(b, hex[p[i] & 15]);
    }
  }
  if (len > max) cxmi_sb_str(b, "...");
}

void cxmi_sb_quoted(cxmi_sb *b, const uint8_t *p, size_t len) {
  cxmi_sb_putc(b, '\'');
  cxmi_sb_text(b, p, len, CXMI_QUOTE_MAX);
  cxmi_sb_putc(b, '\'');
}
