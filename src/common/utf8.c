/* UTF-8 validation and control-character check; see utf8.h.
 *
 * Event fields are mostly ASCII, so the loop tests 8 bytes at a time
 * ("SWAR") for "all printable ASCII" and drops to the byte decoder only on
 * a word that fails. The word tests are the classic bit tricks from Sean
 * Eron Anderson's "Bit Twiddling Hacks" ("Determine if a word has a byte
 * less than n", "... has a zero byte"): exact as a yes/no answer for the
 * whole word, which is all we use.
 *
 * The well-formedness table is RFC 3629 section 4 (Unicode 15, Table 3-7
 * "Well-Formed UTF-8 Byte Sequences"). C1 controls (U+0080..U+009F, bytes
 * C2 80..C2 9F) are refused like C0 controls: they are Unicode general
 * category Cc, never appear in legitimate ids or labels, and usually mean
 * Windows-1252 text was mis-decoded somewhere upstream. */
#include "common/utf8.h"

#include <string.h>

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Nonzero iff every byte of w is in 0x20..0x7E. */
static int word_printable_ascii(uint64_t w) {
  uint64_t below_space = (w - ONES * 0x20) & ~w & HIGHS; /* some byte < 0x20 */
  uint64_t x = w ^ (ONES * 0x7F);
  uint64_t del = (x - ONES) & ~x & HIGHS; /* some byte == 0x7F */
  return ((w & HIGHS) | below_space | del) == 0;
}

/* Length of the well-formed sequence at s[i] (1..4), or 0 if ill-formed.
 * *cp receives the code point. */
static size_t decode(const uint8_t *s, size_t len, size_t i, uint32_t *cp) {
  uint8_t b0 = s[i];
  size_t rest = len - i;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (rest < 2 || (s[i + 1] & 0xC0) != 0x80) return 0;
    *cp = ((uint32_t)(b0 & 0x1F) << 6) | (s[i + 1] & 0x3Fu);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    uint8_t lo = 0x80, hi = 0xBF;
    if (b0 == 0xE0) lo = 0xA0; /* overlong */
    if (b0 == 0xED) hi = 0x9F; /* surrogates */
    if (rest < 3 || s[i + 1] < lo || s[i + 1] > hi || (s[i + 2] & 0xC0) != 0x80) return 0;
    *cp = ((uint32_t)(b0 & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3Fu);
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    uint8_t lo = 0x80, hi = 0xBF;
    if (b0 == 0xF0) lo = 0x90; /* overlong */
    if (b0 == 0xF4) hi = 0x8F; /* above U+10FFFF */
    if (rest < 4 || s[i + 1] < lo || s[i + 1] > hi || (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80) return 0;
    *cp = ((uint32_t)(b0 & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) | ((uint32_t)(s[i + 2] & 0x3F) << 6) |
          (s[i + 3] & 0x3Fu);
    return 4;
  }
  return 0; /* 80..C1 (continuation or overlong lead), F5..FF */
}

static int is_control(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

static int check(const uint8_t *s, size_t len, size_t *where, int controls) {
  size_t i = 0;
  if (len > 0 && s == NULL) return CXMI_TEXT_INVALID;
  while (i < len) {
    uint32_t cp;
    size_t n;
    while (len - i >= 8) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (controls ? !word_printable_ascii(w) : (w & HIGHS) != 0) break;
      i += 8;
    }
    if (i >= len) break;
    if (s[i] >= 0x20 && s[i] < 0x7F) { /* printable ASCII: the short-field tail */
      i++;
      continue;
    }
    n = decode(s, len, i, &cp);
    if (n == 0) {
      if (where != NULL) *where = i;
      return CXMI_TEXT_INVALID;
    }
    if (controls && is_control(cp)) {
      if (where != NULL) *where = i;
      return CXMI_TEXT_CONTROL;
    }
    i += n;
  }
  return CXMI_TEXT_OK;
}

int cxmi_printable_ascii(const uint8_t *s, size_t len) {
  size_t i = 0;
  for (; len - i >= 8; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (!word_printable_ascii(w)) return 0;
  }
  for (; i < len; i++)
    if (s[i] < 0x20 || s[i] >= 0x7F) return 0;
  return 1;
}

int cxmi_utf8_valid(const uint8_t *s, size_t len) { return check(s, len, NULL, 0) == CXMI_TEXT_OK; }

int cxmi_text_check(const uint8_t *s, size_t len, size_t *where) { return check(s, len, where, 1); }

size_t cxmi_utf8_put(uint8_t *o, uint32_t cp) {
  if (cp < 0x80) {
    o[0] = (uint8_t)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (uint8_t)(0xC0 | (cp >> 6));
    o[1] = (uint8_t)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (uint8_t)(0xE0 | (cp >> 12));
    o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (uint8_t)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (uint8_t)(0xF0 | (cp >> 18));
  o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (uint8_t)(0x80 | (cp & 0x3F));
  return 4;
}
