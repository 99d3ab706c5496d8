/* Invisible Unicode characters (see unicode.h). */
#include "unicode.h"

/* General category Cf, plus Zl (U+2028) and Zp (U+2029), from the Unicode
 * Character Database 15.1 (DerivedGeneralCategory.txt), in order. */
static const struct {
  uint32_t first, last;
} invisible[] = {
    {0xAD, 0xAD},       {0x600, 0x605},     {0x61C, 0x61C},     {0x6DD, 0x6DD},     {0x70F, 0x70F},
    {0x890, 0x891},     {0x8E2, 0x8E2},     {0x180E, 0x180E},   {0x200B, 0x200F},   {0x2028, 0x202E},
    {0x2060, 0x2064},   {0x2066, 0x206F},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD},
    {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001},
    {0xE0020, 0xE007F},
};

size_t cli_format_char(uint32_t *cp, const unsigned char *s, size_t len) {
  uint32_t c;
  size_t n, i;
  if (len == 0 || s[0] < 0xC2) return 0; /* ASCII, a stray continuation, or overlong */
  if (s[0] <= 0xDF) {
    n = 2;
    c = s[0] & 0x1Fu;
  } else if (s[0] <= 0xEF) {
    n = 3;
    c = s[0] & 0x0Fu;
  } else if (s[0] <= 0xF4) {
    n = 4;
    c = s[0] & 0x07u;
  } else {
    return 0;
  }
  if (len < n) return 0;
  for (i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    c = c << 6 | (s[i] & 0x3Fu);
  }
  /* overlong, surrogate or beyond U+10FFFF: not a character */
  if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  for (i = 0; i < sizeof invisible / sizeof invisible[0] && invisible[i].first <= c; i++) {
    if (c <= invisible[i].last) {
      *cp = c;
      return n;
    }
  }
  return 0;
}

size_t cli_format_escape(char *buf, uint32_t cp) {
  static const char hex[] = "0123456789abcdef";
  size_t digits = cp > 0xFFFF ? 8 : 4, i;
  buf[0] = '\\';
  buf[1] = cp > 0xFFFF ? 'U' : 'u';
  for (i = 0; i < digits; i++) buf[2 + i] = hex[(cp >> (4 * (digits - 1 - i))) & 0xF];
  return 2 + digits;
}
