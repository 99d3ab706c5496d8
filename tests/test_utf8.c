/* Tests of UTF-8 validation and the control-character rule (src/common/utf8.c).
 *
 * Reference: a deliberately different validator written here (decode by
 * bit pattern, then re-encode and compare, so overlong forms fail by
 * construction), run exhaustively over every string of 1 to 3 bytes and a
 * large slice of 4-byte strings; plus hand cases from RFC 3629 section 4
 * and Markus Kuhn's UTF-8 decoder stress test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cxm.h"
#include "common/utf8.h"

static size_t encode(uint32_t cp, uint8_t *o) {
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

/* 0 invalid, 1 valid, 2 a control character; the first problem decides. */
static int reference(const uint8_t *s, size_t len, int utf8_only) {
  size_t i = 0;
  int control = 0;
  while (i < len) {
    size_t n, k;
    uint32_t cp;
    uint8_t again[4];
    if (s[i] < 0x80) {
      n = 1;
      cp = s[i];
    } else if ((s[i] & 0xE0) == 0xC0) {
      n = 2;
      cp = s[i] & 0x1Fu;
    } else if ((s[i] & 0xF0) == 0xE0) {
      n = 3;
      cp = s[i] & 0x0Fu;
    } else if ((s[i] & 0xF8) == 0xF0) {
      n = 4;
      cp = s[i] & 0x07u;
    } else {
      return 0;
    }
    if (len - i < n) return 0;
    for (k = 1; k < n; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    if (encode(cp, again) != n || memcmp(again, s + i, n) != 0) return 0; /* overlong */
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) control = 1;
    if (control && !utf8_only) return 2;
    i += n;
  }
  return control ? 2 : 1;
}

static void compare(const uint8_t *s, size_t len) {
  int ref = reference(s, len, 0);
  int ref_utf8 = reference(s, len, 1);
  int got = cxmi_text_check(s, len, NULL);
  int valid = cxmi_utf8_valid(s, len);
  int expect = ref == 0 ? CXMI_TEXT_INVALID : ref == 2 ? CXMI_TEXT_CONTROL : CXMI_TEXT_OK;
  if (got != expect || valid != (ref_utf8 != 0)) {
    print_error("bytes:");
    for (size_t i = 0; i < len; i++) print_error(" %02x", s[i]);
    print_error(" ref %d got %d valid %d\n", ref, got, valid);
  }
  assert_int_equal(got, expect);
  assert_int_equal(valid, ref_utf8 != 0);
}

static void test_exhaustive_short(void **state) {
  uint32_t x;
  uint8_t b[3];
  (void)state;
  for (x = 0; x < 256; x++) {
    b[0] = (uint8_t)x;
    compare(b, 1);
  }
  for (x = 0; x < 65536; x++) {
    b[0] = (uint8_t)(x >> 8);
    b[1] = (uint8_t)x;
    compare(b, 2);
  }
  for (x = 0; x < (1u << 24); x++) {
    b[0] = (uint8_t)(x >> 16);
    b[1] = (uint8_t)(x >> 8);
    b[2] = (uint8_t)x;
    compare(b, 3);
  }
}

static void test_four_bytes(void **state) {
  static const uint8_t thirds[] = {0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  uint32_t b0, b1, b3;
  size_t k;
  uint8_t b[4];
  (void)state;
  for (b0 = 0xE0; b0 <= 0xFF; b0++)
    for (b1 = 0; b1 < 256; b1++)
      for (k = 0; k < sizeof thirds; k++)
        for (b3 = 0; b3 < 256; b3++) {
          b[0] = (uint8_t)b0;
          b[1] = (uint8_t)b1;
          b[2] = thirds[k];
          b[3] = (uint8_t)b3;
          compare(b, 4);
        }
}

static void check(const char *s, int expect, size_t where) {
  size_t at = 9999;
  int got = cxmi_text_check((const uint8_t *)s, strlen(s), &at);
  if (got != expect) print_error("'%s': %d, expected %d\n", s, got, expect);
  assert_int_equal(got, expect);
  if (expect != CXMI_TEXT_OK) assert_int_equal(at, where);
}

static void test_hand_cases(void **state) {
  (void)state;
  check("", CXMI_TEXT_OK, 0);
  check("plain ascii id c-17", CXMI_TEXT_OK, 0);
  check("Zoë Ünal — 東京 😀", CXMI_TEXT_OK, 0);
  check("\xC2\xA0", CXMI_TEXT_OK, 0);                      /* U+00A0, first after C1 */
  check("\xC2\x80", CXMI_TEXT_CONTROL, 0);                 /* U+0080, C1 */
  check("ab\xC2\x9F", CXMI_TEXT_CONTROL, 2);               /* U+009F, C1 */
  check("\xED\x9F\xBF", CXMI_TEXT_OK, 0);                  /* U+D7FF */
  check("\xEE\x80\x80", CXMI_TEXT_OK, 0);                  /* U+E000 */
  check("\xEF\xBF\xBF", CXMI_TEXT_OK, 0);                  /* U+FFFF (noncharacter, still well-formed) */
  check("\xF4\x8F\xBF\xBF", CXMI_TEXT_OK, 0);              /* U+10FFFF */
  check("\xF0\x90\x80\x80", CXMI_TEXT_OK, 0);              /* U+10000 */
  check("x\xED\xA0\x80", CXMI_TEXT_INVALID, 1);            /* U+D800 surrogate */
  check("\xED\xBF\xBF", CXMI_TEXT_INVALID, 0);             /* U+DFFF surrogate */
  check("\xED\xA0\xBD\xED\xB8\x80", CXMI_TEXT_INVALID, 0); /* CESU-8 pair */
  check("\xF4\x90\x80\x80", CXMI_TEXT_INVALID, 0);         /* U+110000 */
  check("\xC0\xAF", CXMI_TEXT_INVALID, 0);                 /* overlong '/' */
  check("\xC1\xBF", CXMI_TEXT_INVALID, 0);
  check("\xE0\x80\xAF", CXMI_TEXT_INVALID, 0);
  check("\xE0\x9F\xBF", CXMI_TEXT_INVALID, 0);         /* overlong U+07FF */
  check("\xF0\x8F\xBF\xBF", CXMI_TEXT_INVALID, 0);     /* overlong U+FFFF */
  check("\xF8\x88\x80\x80\x80", CXMI_TEXT_INVALID, 0); /* 5-byte form */
  check("\xFE", CXMI_TEXT_INVALID, 0);
  check("abc\x80", CXMI_TEXT_INVALID, 3);     /* lone continuation */
  check("abc\xE2\x82", CXMI_TEXT_INVALID, 3); /* truncated at the end */
  check(
      "\xE2\x82"
      "abc",
      CXMI_TEXT_INVALID, 0);
  check("a\tb", CXMI_TEXT_CONTROL, 1);
  check("line\r", CXMI_TEXT_CONTROL, 4);
  check("line\n", CXMI_TEXT_CONTROL, 4);
  check("del\x7F", CXMI_TEXT_CONTROL, 3);
  check("~", CXMI_TEXT_OK, 0);
  check(" ", CXMI_TEXT_OK, 0);
  assert_int_equal(cxmi_text_check((const uint8_t *)"a\0b", 3, NULL), CXMI_TEXT_CONTROL);
  assert_int_equal(cxmi_text_check(NULL, 0, NULL), CXMI_TEXT_OK);
}

/* A bad byte at every position of strings of 1..40 bytes: the 8-byte
 * fast path must not skip any. */
static void test_every_position(void **state) {
  static const uint8_t bad[] = {0x00, 0x01, 0x09, 0x0A, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xFF};
  uint8_t s[40];
  size_t len, pos, k;
  (void)state;
  for (len = 1; len <= sizeof s; len++) {
    memset(s, 'a', len);
    assert_int_equal(cxmi_text_check(s, len, NULL), CXMI_TEXT_OK);
    for (pos = 0; pos < len; pos++)
      for (k = 0; k < sizeof bad; k++) {
        size_t at = 999;
        int expect = bad[k] < 0x20 || bad[k] == 0x7F ? CXMI_TEXT_CONTROL : CXMI_TEXT_INVALID;
        memset(s, 'a', len);
        s[pos] = bad[k];
        assert_int_equal(cxmi_text_check(s, len, &at), expect);
        assert_int_equal(at, pos);
        assert_int_equal(cxmi_utf8_valid(s, len), expect == CXMI_TEXT_CONTROL);
      }
    /* The whole-record shortcut agrees: one bad byte anywhere fails it. */
    for (pos = 0; pos < len; pos++)
      for (k = 0; k < 256; k++) {
        memset(s, 'a', len);
        s[pos] = (uint8_t)k;
        assert_int_equal(cxmi_printable_ascii(s, len), k >= 0x20 && k <= 0x7E);
      }
    /* Edges of the printable range everywhere. */
    memset(s, ' ', len);
    s[len - 1] = '~';
    assert_int_equal(cxmi_text_check(s, len, NULL), CXMI_TEXT_OK);
    assert_int_equal(cxmi_printable_ascii(s, len), 1);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hand_cases),
      cmocka_unit_test(test_every_position),
      cmocka_unit_test(test_exhaustive_short),
      cmocka_unit_test(test_four_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
