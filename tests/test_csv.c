/* Tests of record framing and the CSV tokenizer (src/ingest/csv.c).
 *
 * Each test feeds bytes, splits every record inside the callback and logs
 * "line:status:field|field|..." lines; expected logs are worked out by hand
 * from RFC 4180. The chunking tests check that the log does not depend on
 * where the input is cut. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"
#include "test_helpers.h"

typedef struct collector {
  cxmi_csv *csv;
  char log[1 << 16];
  size_t len;
  const uint8_t *chunk; /* the chunk being fed, for zero-copy checks */
  size_t chunk_len;
  size_t in_place; /* unquoted fields that pointed into the chunk */
  size_t records;
  int no_lines; /* log records without their line numbers */
} collector;

static void put(collector *c, const char *s, size_t n) {
  assert_true(c->len + n < sizeof c->log);
  memcpy(c->log + c->len, s, n);
  c->len += n;
  c->log[c->len] = '\0';
}

static void puts_(collector *c, const char *s) { put(c, s, strlen(s)); }

static int32_t on_record(void *user, const cxmi_record *r) {
  collector *c = user;
  cxmi_field fields[16];
  size_t count = 0, bad = 0, i;
  char head[64];
  int32_t rc = CXM_OK;
  c->records++;
  if (r->status == CXM_OK) rc = cxmi_csv_split(c->csv, r, fields, 16, &count, &bad);
  if (c->no_lines)
    snprintf(head, sizeof head, "%d:", (int)(r->status != CXM_OK ? r->status : rc));
  else
    snprintf(head, sizeof head, "%llu:%d:", (unsigned long long)r->line, (int)(r->status != CXM_OK ? r->status : rc));
  puts_(c, head);
  if (r->status == CXM_OK && rc == CXM_OK) {
    for (i = 0; i < count && i < 16; i++) {
      if (i > 0) puts_(c, "|");
      put(c, (const char *)fields[i].p, fields[i].len < 64 ? fields[i].len : 64); /* long fields: a prefix */
      if (c->chunk != NULL && fields[i].p >= c->chunk && fields[i].p + fields[i].len <= c->chunk + c->chunk_len)
        c->in_place++;
    }
    if (count > 16) puts_(c, "|+");
  } else if (rc == CXM_E_QUOTE) {
    snprintf(head, sizeof head, "bad field %zu", bad);
    puts_(c, head);
  }
  puts_(c, "\n");
  return CXM_OK;
}

static cxmi_alloc alloc_;

/* Feed `s` in chunks of `step` bytes (0: whole), then finish. */
static void run(collector *c, const char *s, size_t len, size_t step, int quotes) {
  cxmi_csv csv;
  size_t p = 0;
  memset(c, 0, sizeof *c);
  assert_int_equal(cxmi_alloc_init(&alloc_, NULL), CXM_OK);
  cxmi_csv_init(&csv, &alloc_, quotes);
  c->csv = &csv;
  if (step == 0) step = len;
  while (p < len) {
    size_t n = len - p < step ? len - p : step;
    c->chunk = (const uint8_t *)s + p;
    c->chunk_len = n;
    assert_int_equal(cxmi_csv_feed(&csv, (const uint8_t *)s + p, n, on_record, c), CXM_OK);
    p += n;
  }
  c->chunk = NULL;
  assert_int_equal(cxmi_csv_finish(&csv, on_record, c), CXM_OK);
  /* Memory stays bounded by the longest record. */
  assert_true(csv.carry_cap <= CXM_READER_MAX_RECORD + 1);
  cxmi_csv_free(&csv);
  assert_int_equal(alloc_.bytes, 0);
}

/* As run(), logging records without line numbers. */
static void run_unnumbered(collector *c, const char *s, size_t len) {
  cxmi_csv csv;
  memset(c, 0, sizeof *c);
  c->no_lines = 1;
  assert_int_equal(cxmi_alloc_init(&alloc_, NULL), CXM_OK);
  cxmi_csv_init(&csv, &alloc_, 1);
  c->csv = &csv;
  assert_int_equal(cxmi_csv_feed(&csv, (const uint8_t *)s, len, on_record, c), CXM_OK);
  assert_int_equal(cxmi_csv_finish(&csv, on_record, c), CXM_OK);
  cxmi_csv_free(&csv);
  assert_int_equal(alloc_.bytes, 0);
}

static void expect(const char *input, const char *log) {
  collector *c = test_malloc(sizeof *c);
  run(c, input, strlen(input), 0, 1);
  if (strcmp(c->log, log) != 0) print_error("input:\n%s\ngot:\n%s\nexpected:\n%s\n", input, c->log, log);
  assert_string_equal(c->log, log);
  test_free(c);
}

static void test_basic(void **state) {
  (void)state;
  expect("a,b,c\n1,2,3\n", "1:0:a|b|c\n2:0:1|2|3\n");
  expect("a,b,c\r\n1,2,3\r\n", "1:0:a|b|c\n2:0:1|2|3\n");
  /* No line end at the end of input; a final '\r' alone is a line end too. */
  expect("a,b\n1,2", "1:0:a|b\n2:0:1|2\n");
  expect("a,b\r\n1,2\r", "1:0:a|b\n2:0:1|2\n");
  /* Empty fields, trailing comma. */
  expect(",\n,,\na,\n", "1:0:|\n2:0:||\n3:0:a|\n");
  /* A '\r' not before '\n' stays in the field (a control character the
   * reader refuses in known columns). */
  expect("a\rb,c\n", "1:0:a\rb|c\n");
  expect("", "");
}

static void test_blank_lines(void **state) {
  (void)state;
  /* Blank lines are skipped but still counted for line numbers. */
  expect("\n\na,b\n\n1,2\r\n\r\n3,4\n\n", "3:0:a|b\n5:0:1|2\n7:0:3|4\n");
  /* A line of spaces is not blank. */
  expect("a\n \n", "1:0:a\n2:0: \n");
}

static void test_quotes(void **state) {
  (void)state;
  expect("\"a,b\",c\n", "1:0:a,b|c\n");
  expect("\"say \"\"hi\"\"\",x\n", "1:0:say \"hi\"|x\n");
  expect("\"\",\"\"\"\"\n", "1:0:|\"\n");
  /* A quoted newline: the record spans lines 2-4; the next starts at 5. */
  expect("h1,h2\n\"one\ntwo\r\nthree\",x\nnext,y\n", "1:0:h1|h2\n2:0:one\ntwo\r\nthree|x\n5:0:next|y\n");
  /* Quoted field last, with CRLF. */
  expect("a,\"b\"\r\nc,\"d\"\"\"\r\n", "1:0:a|b\n2:0:c|d\"\n");
  /* Mixed quoted / unquoted. */
  expect("1,\"2\",3,\"4,4\",\n", "1:0:1|2|3|4,4|\n");
}

static void test_bad_quotes(void **state) {
  (void)state;
  /* Text after a closing quote: field 1 is malformed; the record ends at
   * the next line end outside quotes, so the following row is intact. */
  expect("a,\"b\"x,c\nd,e,f\n", "1:-27:bad field 1\n2:0:d|e|f\n");
  /* A quote inside an unquoted field. */
  expect("ab\"c,d\ne\n", "1:-27:bad field 0\n2:0:e\n");
  expect("x,ab\"\n", "1:-27:bad field 1\n");
  /* Unterminated quote at the end of input swallows the rest. */
  expect("a,b\n\"open,c\nd,e\n", "1:0:a|b\n2:-27:\n");
  /* Closing quote followed by '\r' then text. */
  expect("\"a\"\rb\n", "1:-27:bad field 0\n");
}

static void test_zero_copy(void **state) {
  collector *c = test_malloc(sizeof *c);
  const char *s = "a,b,c\n1,2,3\n\"q\",\"x\"\"y\"\n";
  (void)state;
  run(c, s, strlen(s), 0, 1);
  /* a b c 1 2 3 point into the chunk, and so does "q" (quoted, no escape);
   * only x"y is unescaped into scratch. */
  assert_int_equal(c->in_place, 7);
  assert_int_equal(c->records, 3);
  test_free(c);
}

static const char *const samples[] = {
    "time,customer,kind,value\n2026-03-14T09:30:00Z,c-1,nps,9\n",
    "\"a,b\",\"c\"\"d\",e\r\n\"multi\r\nline\",\"\",x\r\n\r\n\n1,2,3",
    "h\n\"never closed,\n1\n2\n",
    "a,\"b\"x,c\nd,e,f\r\ng,\"h\ni\",j\rk\r\n",
    "\n\r\n\"\"\r\n,\r\n\"\"\"\"\n",
    "x,y\r\n\"\r\n\",\"\"\r",
};

/* The same input cut into chunks of every size, and at every single
 * offset into two chunks, gives the same records. */
static void test_chunking(void **state) {
  size_t k, step, cut;
  collector *whole = test_malloc(sizeof *whole);
  collector *part = test_malloc(sizeof *part);
  (void)state;
  for (k = 0; k < sizeof samples / sizeof samples[0]; k++) {
    const char *s = samples[k];
    size_t len = strlen(s);
    run(whole, s, len, 0, 1);
    for (step = 1; step <= len; step++) {
      run(part, s, len, step, 1);
      assert_string_equal(part->log, whole->log);
    }
    for (cut = 0; cut <= len; cut++) {
      cxmi_csv csv;
      memset(part, 0, sizeof *part);
      assert_int_equal(cxmi_alloc_init(&alloc_, NULL), CXM_OK);
      cxmi_csv_init(&csv, &alloc_, 1);
      part->csv = &csv;
      assert_int_equal(cxmi_csv_feed(&csv, (const uint8_t *)s, cut, on_record, part), CXM_OK);
      assert_int_equal(cxmi_csv_feed(&csv, (const uint8_t *)s + cut, len - cut, on_record, part), CXM_OK);
      assert_int_equal(cxmi_csv_finish(&csv, on_record, part), CXM_OK);
      cxmi_csv_free(&csv);
      assert_string_equal(part->log, whole->log);
    }
    /* And JSON Lines framing too. */
    run(whole, s, len, 0, 0);
    for (step = 1; step <= len; step++) {
      run(part, s, len, step, 0);
      assert_string_equal(part->log, whole->log);
    }
  }
  test_free(whole);
  test_free(part);
}

static void test_plain_lines(void **state) {
  collector *c = test_malloc(sizeof *c);
  const char *s = "{\"a\":\"x,\\\"y\"}\r\n\n{\"b\":1}";
  (void)state;
  /* With quotes off (JSON Lines), every '\n' ends a record, quotes or not;
   * '\r' before it is dropped and blank lines are skipped. */
  run(c, "\"a\nb\"\n", 6, 0, 0);
  assert_string_equal(c->log, "1:0:\"a\n2:0:b\"\n");
  run(c, s, strlen(s), 0, 0);
  assert_string_equal(c->log, "1:0:{\"a\":\"x|\\\"y\"}\n3:0:{\"b\":1}\n");
  test_free(c);
}

/* A record longer than CXM_READER_MAX_RECORD is reported (CXM_E_LIMIT,
 * no data) and skipped without being buffered, whatever the chunking; the
 * records around it are intact. */
static void test_overlong(void **state) {
  size_t big = CXM_READER_MAX_RECORD + 10, len, steps[] = {0, 65536, 4093, 1000003};
  size_t k;
  char *s;
  collector *c = test_malloc(sizeof *c);
  (void)state;
  s = malloc(big + 64);
  if (s == NULL) abort(); /* not assert_non_null: GCC cannot see that it does not return */
  strcpy(s, "a,b\n");
  memset(s + 4, 'x', big);
  strcpy(s + 4 + big, "\n1,2\n");
  len = strlen(s);
  for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
    run(c, s, len, steps[k], 1);
    assert_string_equal(c->log, "1:0:a|b\n2:-25:\n3:0:1|2\n");
  }
  /* Exactly the maximum is fine, also with a CRLF line end. */
  s[4 + CXM_READER_MAX_RECORD] = '\r';
  s[4 + CXM_READER_MAX_RECORD + 1] = '\n';
  strcpy(s + 4 + CXM_READER_MAX_RECORD + 2, "1,2\n");
  len = strlen(s);
  for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
    run(c, s, len, steps[k], 1);
    assert_int_equal(c->records, 3);
    assert_true(strstr(c->log, "2:0:xxxx") != NULL);
  }
  /* One more byte is too long. */
  s[4 + CXM_READER_MAX_RECORD] = 'x';
  s[4 + CXM_READER_MAX_RECORD + 1] = '\n';
  for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
    run(c, s, len, steps[k], 1);
    assert_string_equal(c->log, "1:0:a|b\n2:-25:\n3:0:1|2\n");
  }
  /* A quoted field holding newlines that runs past the limit: the line
   * count still includes its newlines. */
  memset(s + 4, '\n', big);
  s[4] = '"';
  s[4 + big - 1] = '"';
  s[4 + big] = '\n';
  strcpy(s + 4 + big + 1, "1,2\n");
  len = strlen(s);
  for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
    char expect_log[64];
    run(c, s, len, steps[k], 1);
    snprintf(expect_log, sizeof expect_log, "1:0:a|b\n2:-25:\n%zu:0:1|2\n", (size_t)(2 + big - 1));
    assert_string_equal(c->log, expect_log);
  }
  free(s);
  test_free(c);
}

static void test_many_fields(void **state) {
  (void)state;
  /* Fields beyond the caller's array are counted, not stored. */
  expect("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n", "1:0:1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|+\n");
}

/* cxm_csv_record_end cuts where the framer ends records: reading the
 * pieces it cuts one by one gives the records of the whole, on hand cases
 * and random inputs of quotes, separators and line ends. */
static void test_record_end(void **state) {
  static const char alphabet[] = "a,\"\n\r;";
  collector *whole = test_malloc(sizeof *whole);
  collector *part = test_malloc(sizeof *part);
  char *want = test_malloc(sizeof whole->log), *got = test_malloc(sizeof whole->log), *piece;
  size_t end = 0, i;
  uint64_t seed = 11;
  int k;
  (void)state;
  assert_int_equal(cxm_csv_record_end(&end, (const uint8_t *)"a,b\nc\n", 6, 0, ','), CXM_OK);
  assert_int_equal(end, 4);
  assert_int_equal(cxm_csv_record_end(&end, (const uint8_t *)"\"a\nb\",c\nd", 9, 0, ','), CXM_OK);
  assert_int_equal(end, 8); /* the quoted '\n' does not end it */
  assert_int_equal(cxm_csv_record_end(&end, (const uint8_t *)"a\"\nb", 4, 0, ','), CXM_OK);
  assert_int_equal(end, 3); /* a '"' inside an unquoted field opens nothing */
  assert_int_equal(cxm_csv_record_end(&end, (const uint8_t *)"\"open\n", 6, 0, ','), CXM_OK);
  assert_int_equal(end, 6); /* never closed: to the end */
  assert_int_equal(cxm_csv_record_end(&end, (const uint8_t *)"x;\"a\n\"\n", 7, 0, ';'), CXM_OK);
  assert_int_equal(end, 7);
  assert_int_equal(cxm_csv_record_end(&end, NULL, 0, 0, ','), CXM_OK);
  assert_int_equal(end, 0);
  end = 77;
  assert_int_equal(cxm_csv_record_end(NULL, (const uint8_t *)"a", 1, 0, ','), CXM_E_ARG);
  assert_int_equal(cxm_csv_record_end(&end, NULL, 1, 0, ','), CXM_E_ARG);
  assert_int_equal(cxm_csv_record_end(&end, (const uint8_t *)"a", 1, 2, ','), CXM_E_ARG);
  assert_int_equal(cxm_csv_record_end(&end, (const uint8_t *)"a", 1, 0, '"'), CXM_E_ARG);
  assert_int_equal(cxm_csv_record_end(&end, (const uint8_t *)"a", 1, 0, '\n'), CXM_E_ARG);
  assert_int_equal(end, 77);
  piece = test_malloc(64);
  for (k = 0; k < test_iterations(3000); k++) {
    char s[48];
    size_t len = (size_t)test_below(&seed, sizeof s), p = 0;
    for (i = 0; i < len; i++) s[i] = alphabet[test_below(&seed, sizeof alphabet - 1)];
    run_unnumbered(whole, s, len);
    strcpy(want, whole->log);
    got[0] = '\0';
    while (p < len) {
      size_t e = 0;
      assert_int_equal(cxm_csv_record_end(&e, (const uint8_t *)s, len, p, ','), CXM_OK);
      assert_true(e > p && e <= len);
      memcpy(piece, s + p, e - p);
      run_unnumbered(part, piece, e - p);
      assert_true(part->records <= 1); /* one record, or a blank line */
      strcat(got, part->log);
      p = e;
    }
    if (strcmp(got, want) != 0) print_error("input %zu bytes: whole\n%s\npieces\n%s\n", len, want, got);
    assert_string_equal(got, want);
  }
  test_free(piece);
  test_free(want);
  test_free(got);
  test_free(whole);
  test_free(part);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_basic),       cmocka_unit_test(test_blank_lines), cmocka_unit_test(test_quotes),
      cmocka_unit_test(test_bad_quotes),  cmocka_unit_test(test_zero_copy),   cmocka_unit_test(test_chunking),
      cmocka_unit_test(test_plain_lines), cmocka_unit_test(test_overlong),    cmocka_unit_test(test_many_fields),
      cmocka_unit_test(test_record_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
