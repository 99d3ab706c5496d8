/* Tests of the JSON Lines record parser (src/ingest/jsonl.c). Expected values are
 * worked out by hand from RFC 8259; the UTF-8 of \u escapes was checked
 * with Python: "\U0001F600".encode() == b"\xf0\x9f\x98\x80". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cxm.h"
#include "ingest/jsonl.h"

static const char *const names[] = {"time", "customer", "kind", "value", "channel"};
#define NNAMES 5

static uint8_t scratch[4096];
static cxmi_json_value v[NNAMES];

static int32_t parse(const char *s, const char **why, int32_t *key) {
  return cxmi_jsonl_parse((const uint8_t *)s, strlen(s), names, NNAMES, v, scratch, why, key);
}

static void ok(const char *s) {
  const char *why = NULL;
  int32_t key = 7;
  int32_t rc = parse(s, &why, &key);
  if (rc != CXM_OK) print_error("'%s': %s\n", s, why);
  assert_int_equal(rc, CXM_OK);
}

static void bad(const char *s, int32_t want_key) {
  const char *why = NULL;
  int32_t key = 7;
  int32_t rc = parse(s, &why, &key);
  if (rc != CXM_E_SYNTAX) print_error("'%s' should be refused\n", s);
  assert_int_equal(rc, CXM_E_SYNTAX);
  assert_non_null(why);
  assert_int_equal(key, want_key);
}

static void is_string(int k, const char *want, size_t n) {
  assert_int_equal(v[k].type, CXMI_JSON_STRING);
  assert_int_equal(v[k].len, n);
  assert_memory_equal(v[k].p, want, n);
}

static void test_example(void **state) {
  (void)state;
  ok("{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":\"c-17\",\"kind\":\"nps\",\"value\":9,\"channel\":\"email\"}");
  is_string(0, "2026-03-14T09:30:00Z", 20);
  is_string(1, "c-17", 4);
  is_string(2, "nps", 3);
  assert_int_equal(v[3].type, CXMI_JSON_NUMBER);
  assert_int_equal(v[3].len, 1);
  assert_memory_equal(v[3].p, "9", 1);
  is_string(4, "email", 5);
}

static void test_shapes(void **state) {
  (void)state;
  /* Whitespace anywhere JSON allows it; members in any order; unknown
   * members of any type ignored; null is absent. */
  ok("  { \"kind\" : \"csat\" ,\t\"extra\": {\"a\": [1, 2, {\"b\": null}], \"c\": true}, \"time\": 1773480600,"
     " \"value\": -4.5e+2, \"channel\": null, \"z\": [] , \"y\": {}, \"f\": false }  ");
  is_string(2, "csat", 4);
  assert_int_equal(v[0].type, CXMI_JSON_NUMBER);
  assert_memory_equal(v[0].p, "1773480600", 10);
  assert_int_equal(v[3].type, CXMI_JSON_NUMBER);
  assert_int_equal(v[3].len, 7);
  assert_memory_equal(v[3].p, "-4.5e+2", 7);
  assert_int_equal(v[4].type, CXMI_JSON_ABSENT);
  assert_int_equal(v[1].type, CXMI_JSON_ABSENT);
  ok("{}");
  assert_int_equal(v[0].type, CXMI_JSON_ABSENT);
  /* Known member of another type: parsed, reported as OTHER. */
  ok("{\"customer\": true, \"kind\": [\"nps\"], \"time\": {}}");
  assert_int_equal(v[1].type, CXMI_JSON_OTHER);
  assert_int_equal(v[2].type, CXMI_JSON_OTHER);
  assert_int_equal(v[0].type, CXMI_JSON_OTHER);
}

static void test_escapes(void **state) {
  (void)state;
  ok("{\"customer\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\te\"}");
  is_string(1, "a\"b\\c/d\b\f\n\r\te", 13);
  /* \u escapes: 1, 2, 3 and 4-byte UTF-8 (the last from a surrogate pair). */
  ok("{\"customer\":\"\\u0041\\u00e9\\u6771\\ud83d\\ude00!\"}");
  is_string(1, "A\xC3\xA9\xE6\x9D\xB1\xF0\x9F\x98\x80!", 11);
  ok("{\"customer\":\"\\uD83D\\uDE00\"}"); /* upper-case hex */
  is_string(1, "\xF0\x9F\x98\x80", 4);
  ok("{\"customer\":\"\\u0000\"}"); /* NUL decodes; the reader refuses it as a control */
  is_string(1, "\0", 1);
  /* Raw UTF-8 passes through untouched. */
  ok("{\"customer\":\"Zo\xC3\xAB\"}");
  is_string(1, "Zo\xC3\xAB", 4);
  /* Several escaped strings share the scratch buffer without clobbering. */
  ok("{\"customer\":\"\\u0041x\",\"unknown\":\"\\u0042\",\"kind\":\"\\u0043y\"}");
  is_string(1, "Ax", 2);
  is_string(2, "Cy", 2);
  /* An escaped member name still matches. */
  ok("{\"\\u0074ime\":\"t\"}");
  is_string(0, "t", 1);
}

static void test_bad_json(void **state) {
  static const char *const cases[] = {
      "",
      "   ",
      "[]",
      "\"time\"",
      "{",
      "{\"time\"}",
      "{\"time\":}",
      "{\"time\":\"x\",}",
      "{\"time\":\"x\" \"kind\":\"y\"}",
      "{time:\"x\"}",
      "{'time':'x'}",
      "{\"time\":\"x\"}}",
      "{\"time\":\"x\"} {}",
      "{\"time\":\"unterminated}",
      "{\"time\":\"tab\there\"}",
      "{\"time\":\"\\x41\"}",
      "{\"time\":\"\\u12\"}",
      "{\"time\":\"\\u12G4\"}",
      "{\"time\":\"\\ud83d\"}",
      "{\"time\":\"\\ud83dx\"}",
      "{\"time\":\"\\ud83d\\u0041\"}",
      "{\"time\":\"\\ude00\"}",
      "{\"value\":01}",
      "{\"value\":1.}",
      "{\"value\":.5}",
      "{\"value\":+1}",
      "{\"value\":1e}",
      "{\"value\":-}",
      "{\"value\":NaN}",
      "{\"value\":Infinity}",
      "{\"value\":tru}",
      "{\"value\":nul}",
      "{\"x\":[1,2}",
      "{\"x\":[1,]}",
      "{\"x\":{\"a\"}}",
      "{\"x\":{\"a\":1,}}",
  };
  size_t i;
  (void)state;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) bad(cases[i], -1);
  /* A known member twice: the key is named. */
  bad("{\"kind\":\"nps\",\"kind\":\"csat\"}", 2);
  /* Unknown members may repeat. */
  ok("{\"x\":1,\"x\":2}");
}

static void test_depth(void **state) {
  char s[512];
  size_t i, n = 0;
  (void)state;
  /* Nesting up to the limit is skipped; beyond it is refused (no unbounded recursion). */
  n += (size_t)sprintf(s, "{\"x\":");
  for (i = 0; i < CXMI_JSON_MAX_DEPTH; i++) s[n++] = '[';
  for (i = 0; i < CXMI_JSON_MAX_DEPTH; i++) s[n++] = ']';
  strcpy(s + n, "}");
  ok(s);
  n = (size_t)sprintf(s, "{\"x\":");
  for (i = 0; i <= CXMI_JSON_MAX_DEPTH; i++) s[n++] = '[';
  for (i = 0; i <= CXMI_JSON_MAX_DEPTH; i++) s[n++] = ']';
  strcpy(s + n, "}");
  bad(s, -1);
}

/* Every prefix of a valid record is invalid, and none crashes (ASan). */
static void test_prefixes(void **state) {
  const char *full =
      "{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":\"c\\u00e9\",\"x\":[{\"y\":-1.5E-3}],\"value\":9}";
  size_t n, len = strlen(full);
  const char *why;
  int32_t key;
  (void)state;
  for (n = 0; n < len; n++) {
    uint8_t *copy = test_malloc(n > 0 ? n : 1); /* exact size: ASan sees any overread */
    memcpy(copy, full, n);
    assert_int_equal(cxmi_jsonl_parse(copy, n, names, NNAMES, v, scratch, &why, &key), CXM_E_SYNTAX);
    test_free(copy);
  }
  ok(full);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_example),  cmocka_unit_test(test_shapes), cmocka_unit_test(test_escapes),
      cmocka_unit_test(test_bad_json), cmocka_unit_test(test_depth),  cmocka_unit_test(test_prefixes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
