/* Tests of cxm_reader_* and cxm_store_ingest_file (src/ingest/reader.c), through
 * the public API. Expected results are worked out by hand from
 * docs/events.md, row by row; tests/data/reader/mixed.csv has one row per
 * bad-input rule (its expected log is below, line by line). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxm.h"
#include "store/store_internal.h"
#include "test_helpers.h"

/* ---- harness ----------------------------------------------------------- */

typedef struct result {
  char log[1 << 15]; /* "line:column:STATUS\n" per callback */
  size_t len;
  char reasons[1 << 15];
  size_t reasons_len;
  int32_t feed_rc; /* first non-OK feed status */
  int32_t finish_rc;
  cxm_reader_stats stats;
  cxm_store_stats store;
} result;

static void on_error(void *user, const cxm_row_error *e) {
  result *r = user;
  char buf[256];
  int n;
  assert_int_equal(e->size, sizeof *e);
  assert_non_null(e->column);
  assert_non_null(e->reason);
  assert_true(strlen(e->reason) > 0);
  n = snprintf(buf, sizeof buf, "%llu:%s:%s\n", (unsigned long long)e->line, e->column, cxm_status_name(e->status));
  assert_true(n > 0 && r->len + (size_t)n < sizeof r->log);
  memcpy(r->log + r->len, buf, (size_t)n + 1);
  r->len += (size_t)n;
  n = snprintf(buf, sizeof buf, "%s\n", e->reason);
  if (r->reasons_len + (size_t)n < sizeof r->reasons) {
    memcpy(r->reasons + r->reasons_len, buf, (size_t)n + 1);
    r->reasons_len += (size_t)n;
  }
}

/* Read `data` into `store` in chunks of `step` bytes (0: one chunk). */
static void ingest_into(result *r, cxm_store *store, const void *data, size_t len, size_t step,
                        const cxm_reader_options *base) {
  cxm_reader_options o;
  cxm_reader *reader = NULL;
  size_t p = 0;
  memset(r, 0, sizeof *r);
  if (base != NULL)
    o = *base;
  else
    cxm_reader_options_init(&o);
  o.on_error = on_error;
  o.user = r;
  assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_OK);
  if (step == 0) step = len > 0 ? len : 1;
  while (p < len) {
    size_t n = len - p < step ? len - p : step;
    int32_t rc = cxm_reader_feed(reader, (const uint8_t *)data + p, n);
    p += n;
    if (rc != CXM_OK) {
      r->feed_rc = rc;
      break;
    }
  }
  r->finish_rc = cxm_reader_finish(reader);
  r->stats.size = sizeof r->stats;
  assert_int_equal(cxm_reader_stats_get(&r->stats, reader), CXM_OK);
  r->store.size = sizeof r->store;
  assert_int_equal(cxm_store_stats_get(&r->store, store), CXM_OK);
  cxm_reader_free(reader);
}

static void ingest(result *r, const void *data, size_t len, size_t step, const cxm_reader_options *base) {
  cxm_store *store = NULL;
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  ingest_into(r, store, data, len, step, base);
  cxm_store_free(store);
}

static result *new_result(void) { return test_malloc(sizeof(result)); }

static void *read_fixture(const char *name, size_t *len) {
  const char *root = getenv("CXM_SOURCE_ROOT");
  char path[1024];
  FILE *fp;
  char *buf;
  long n;
  snprintf(path, sizeof path, "%s/tests/data/reader/%s", root ? root : "..", name);
  fp = fopen(path, "rb");
  assert_non_null(fp);
  assert_int_equal(fseek(fp, 0, SEEK_END), 0);
  n = ftell(fp);
  assert_true(n > 0);
  rewind(fp);
  buf = test_malloc((size_t)n);
  assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
  fclose(fp);
  *len = (size_t)n;
  return buf;
}

static void fixture_path(char *path, size_t cap, const char *name) {
  const char *root = getenv("CXM_SOURCE_ROOT");
  snprintf(path, cap, "%s/tests/data/reader/%s", root ? root : "..", name);
}

#define HEADER "time,customer,kind,value,channel,stage,segment,dimension,ref,id\n"

/* One header plus one data row: the row's single error line (or ""). */
static void one_row(const char *row, const char *want_log, uint64_t want_events) {
  char input[4096];
  result *r = new_result();
  snprintf(input, sizeof input, HEADER "%s\n", row);
  ingest(r, input, strlen(input), 0, NULL);
  if (strcmp(r->log, want_log) != 0) print_error("row: %s\nlog: %sreason: %s\n", row, r->log, r->reasons);
  assert_string_equal(r->log, want_log);
  assert_int_equal(r->stats.events, want_events);
  assert_int_equal(r->stats.rows, 1);
  assert_int_equal(r->stats.rejected, want_log[0] != '\0' ? 1 : 0);
  assert_int_equal(r->feed_rc, CXM_OK);
  assert_int_equal(r->finish_rc, CXM_OK);
  test_free(r);
}

/* ---- tests ------------------------------------------------------------- */

static void test_valid_rows(void **state) {
  static const char input[] = HEADER
      "2026-03-14T09:30:00Z,c-1,nps,9,email,purchase,enterprise,,,e1\n"
      "2026-03-14T09:31:00+01:00,c-2,nps,0,,,,,,\n"
      "1773480600,c-1,csat,5,web,,,,,\n"
      "2026-03-14 09:30:00.75Z,c-3,ces,7,app,,,,,\n"
      "2026-03-14T09:30:00Z,c-3,internal,87.5,,,,,r-9,\n"
      "2026-03-14T09:30:00Z,c-3,perception,3,,,,reliability,,\n"
      "2026-03-14T09:30:00Z,c-4,contact_resolve,,,,,,r-9,\n"
      "2026-03-14T09:30:00Z,c-4,purchase,0,,,,,,\n"
      "2026-03-14T09:30:00Z,c-4,complaint,,social,,,,,\n";
  result *r = new_result();
  cxm_store *store = NULL;
  cxm_survey_acc acc;
  (void)state;
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  ingest_into(r, store, input, strlen(input), 0, NULL);
  assert_string_equal(r->log, "");
  assert_int_equal(r->stats.rows, 9);
  assert_int_equal(r->stats.events, 9);
  assert_int_equal(r->stats.rejected, 0);
  assert_int_equal(r->stats.bytes, strlen(input));
  assert_int_equal(r->store.events, 9);
  assert_int_equal(r->store.customers, 4);
  /* The values arrived: NPS 9 and 0, CSAT 5, CES 7. */
  assert_int_equal(cxm_store_survey(&acc, store, NULL), CXM_OK);
  assert_int_equal(acc.nps.count[9], 1);
  assert_int_equal(acc.nps.count[0], 1);
  assert_int_equal(acc.csat.count[4], 1);
  assert_int_equal(acc.ces.count[6], 1);
  cxm_store_free(store);
  test_free(r);
}

static void test_bad_rows(void **state) {
  char big[300], row[512];
  (void)state;
  one_row("2026-03-14T09:30:00Z,c-1,nps,9,,,,,,", "", 1);
  /* Required fields. */
  one_row(",c-1,nps,9,,,,,,", "2:time:CXM_E_TIME\n", 0);
  one_row("2026-03-14T09:30:00Z,,nps,9,,,,,,", "2:customer:CXM_E_CUSTOMER\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,,9,,,,,,", "2:kind:CXM_E_KIND\n", 0);
  /* Kind and value. */
  one_row("2026-03-14T09:30:00Z,c-1,NPS,9,,,,,,", "", 1); /* names of kinds ignore case */
  one_row("2026-03-14T09:30:00Z,c-1,nps,11,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,-1,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,9.5,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,9.0,,,,,,", "", 1);
  one_row("2026-03-14T09:30:00Z,c-1,nps,nine,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,9e0,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps, 9,,,,,,", "", 1); /* padding is trimmed */
  one_row("2026-03-14T09:30:00Z,c-1,nps,9 9,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,csat,0,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,ces,8,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,internal,100.5,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,internal,100,,,,,,", "", 1);
  one_row("2026-03-14T09:30:00Z,c-1,purchase,-0.01,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  /* Whole and in range on the text, not on the rounded double (issue 12). */
  one_row("2026-03-14T09:30:00Z,c-1,nps,8.99999999999999999999999999999,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,10.000000000000000000001,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,csat,0.99999999999999999999999,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,ces,7.0000000000000000000001,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,internal,100.000000000000000000001,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,internal,99.99999999999999999999999,,,,,,", "", 1);
  one_row("2026-03-14T09:30:00Z,c-1,purchase,-0.0000000000000000000000000000001,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,-0.000,,,,,,", "", 1);
  /* DBL_MAX written out is a number; a second one on that day is refused. */
  snprintf(row, sizeof row, "2026-03-14T09:30:00Z,c-1,purchase,%.0f,,,,,,", DBL_MAX);
  one_row(row, "", 1);
  one_row("2026-03-14T09:30:00Z,c-1,complaint,1,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,churn,0,,,,,,", "2:value:CXM_E_VALUE\n", 0);
  /* Time. */
  one_row("2026-02-30T09:30:00Z,c-1,nps,9,,,,,,", "2:time:CXM_E_TIME\n", 0);
  one_row("1969-12-31T23:59:59Z,c-1,nps,9,,,,,,", "2:time:CXM_E_TIME\n", 0);
  one_row("2026-03-14,c-1,nps,9,,,,,,", "2:time:CXM_E_TIME\n", 0);
  one_row("-5,c-1,nps,9,,,,,,", "2:time:CXM_E_TIME\n", 0);
  /* Channel, stage, segment, dimension, ref, id. */
  one_row("2026-03-14T09:30:00Z,c-1,nps,9,Email,,,,,", "", 1); /* channel names ignore case */
  one_row("2026-03-14T09:30:00Z,c-1,nps,9,E mail,,,,,", "2:channel:CXM_E_CHANNEL\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,9,my channel,,,,,", "2:channel:CXM_E_CHANNEL\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,9,abcdefghijklmnopqrstuvwxyz0123456,,,,,", "2:channel:CXM_E_CHANNEL\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,9,abcdefghijklmnopqrstuvwxyz012345,,,,,", "", 1);
  one_row("2026-03-14T09:30:00Z,c-1,nps,9,,shopping,,,,", "2:stage:CXM_E_STAGE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,9,,none,,,,", "2:stage:CXM_E_STAGE\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,expectation,5,,,,,,", "2:dimension:CXM_E_DIMENSION\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,expectation,5,,,,kindness,,", "2:dimension:CXM_E_DIMENSION\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,5,,,,empathy,,", "2:dimension:CXM_E_DIMENSION\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,expectation,5,,,,empathy,,", "", 1);
  one_row("2026-03-14T09:30:00Z,c-1,contact_open,,,,,,,", "2:ref:CXM_E_REF\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,contact_reply,5,,,,,r,", "2:value:CXM_E_VALUE\n", 0);
  /* Lengths: 128 bytes is the most for ids, 64 for segments. */
  memset(big, 'a', sizeof big);
  snprintf(row, sizeof row, "2026-03-14T09:30:00Z,%.128s,nps,9,,,,,,", big);
  one_row(row, "", 1);
  snprintf(row, sizeof row, "2026-03-14T09:30:00Z,%.129s,nps,9,,,,,,", big);
  one_row(row, "2:customer:CXM_E_CUSTOMER\n", 0);
  snprintf(row, sizeof row, "2026-03-14T09:30:00Z,c,contact_open,,,,,,%.128s,%.128s", big, big);
  one_row(row, "", 1);
  snprintf(row, sizeof row, "2026-03-14T09:30:00Z,c,contact_open,,,,,,%.129s,", big);
  one_row(row, "2:ref:CXM_E_REF\n", 0);
  snprintf(row, sizeof row, "2026-03-14T09:30:00Z,c,nps,1,,,,,,%.129s", big);
  one_row(row, "2:id:CXM_E_EVENT_ID\n", 0);
  snprintf(row, sizeof row, "2026-03-14T09:30:00Z,c,nps,1,,,%.64s,,,", big);
  one_row(row, "", 1);
  snprintf(row, sizeof row, "2026-03-14T09:30:00Z,c,nps,1,,,%.65s,,,", big);
  one_row(row, "2:segment:CXM_E_SEGMENT\n", 0);
  /* Encoding: control characters and invalid UTF-8 in known fields. */
  one_row("2026-03-14T09:30:00Z,c\t1,nps,9,,,,,,", "2:customer:CXM_E_ENCODING\n", 0);
  one_row("2026-03-14T09:30:00Z,\"c\n1\",nps,9,,,,,,", "2:customer:CXM_E_ENCODING\n", 0);
  one_row("2026-03-14T09:30:00Z,c\xc2\x85,nps,9,,,,,,", "2:customer:CXM_E_ENCODING\n", 0); /* C1 NEL */
  one_row("2026-03-14T09:30:00Z,c\xc0\xaf,nps,9,,,,,,", "2:customer:CXM_E_ENCODING\n", 0);
  one_row("2026-03-14T09:30:00Z,c,nps,9,,,seg\x7f,,,", "2:segment:CXM_E_ENCODING\n", 0);
  one_row("2026-03-14T09:30:00Z,c,nps,9,,,,,,\xed\xa0\x80", "2:id:CXM_E_ENCODING\n", 0);
  one_row("2026-03-14T09:30:00Z,Zoë Ünal 東京,nps,9,,,,,,", "", 1);
  /* Column count. */
  one_row("2026-03-14T09:30:00Z,c-1,nps,9", "2:channel:CXM_E_COLUMNS\n", 0);
  one_row("2026-03-14T09:30:00Z,c-1,nps,9,,,,,,,", "2:*:CXM_E_COLUMNS\n", 0);
  one_row("2026-03-14T09:30:00Z", "2:customer:CXM_E_COLUMNS\n", 0);
  /* Quoting. */
  one_row("2026-03-14T09:30:00Z,\"c-1\"x,nps,9,,,,,,", "2:customer:CXM_E_QUOTE\n", 0);
  one_row("2026-03-14T09:30:00Z,c\"1,nps,9,,,,,,", "2:customer:CXM_E_QUOTE\n", 0);
  one_row("\"2026-03-14T09:30:00Z\",\"c,1\",\"nps\",\"9\",\"\",\"\",\"\",\"\",\"\",\"\"", "", 1);
}

/* Two purchases of one customer on one day whose amounts add up beyond
 * DBL_MAX: the second row is refused with its reason, and the reason of a
 * row refused right after it is its own (a pending row's report used to
 * overwrite it). */
static void test_amount_overflow(void **state) {
  char input[2048];
  result *r = new_result();
  cxm_store *store = NULL;
  int n;
  (void)state;
  n = snprintf(input, sizeof input, HEADER "2026-03-14T09:30:00Z,c-1,purchase,%.0f,,,,,,\n", 1e308);
  n += snprintf(input + n, sizeof input - (size_t)n, "2026-03-14T10:30:00Z,c-1,purchase,%.0f,,,,,,\n", 1e308);
  n += snprintf(input + n, sizeof input - (size_t)n,
                "2026-03-14T10:30:00Z,c-1,nps,8.99999999999999999999999999999,,,,,,\n");
  n += snprintf(input + n, sizeof input - (size_t)n, "2026-03-15T10:30:00Z,c-1,purchase,%.0f,,,,,,\n", 1e308);
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  ingest_into(r, store, input, (size_t)n, 0, NULL);
  assert_string_equal(r->log, "3:value:CXM_E_OVERFLOW\n4:value:CXM_E_VALUE\n");
  assert_string_equal(r->reasons,
                      "the customer's purchases on this day would add up beyond the largest number\n"
                      "value 8.99999999999999999999999999999 for kind nps is not an integer 0..10\n");
  assert_int_equal(r->stats.events, 2);
  cxm_store_free(store);
  test_free(r);
}

static void test_reasons(void **state) {
  static const char input[] = HEADER
      "2026-03-14T09:30:00Z,c-1,nps,11,,,,,,\n"
      "2026-03-14T09:30:00Z,c-1,churn,2,,,,,,\n"
      "2026-03-14T09:30:00Z,c-1,bogus,2,,,,,,\n"
      "2026-03-14T09:30:00Z,c-1,nps,9\n";
  result *r = new_result();
  (void)state;
  ingest(r, input, strlen(input), 0, NULL);
  assert_string_equal(r->reasons,
                      "value 11 for kind nps is not an integer 0..10\n"
                      "kind churn takes no value, got '2'\n"
                      "unknown kind 'bogus'\n"
                      "row has 4 fields, the header has 10\n");
  test_free(r);
}

static void test_header(void **state) {
  result *r = new_result();
  static const char unknown[] = "kind,extra,time,customer,note\nnps,x,1773480600,c-1,y\n";
  static const char missing[] = "time,customer,value\n1773480600,c-1,9\n";
  static const char twice[] = "time,customer,kind,time\n";
  (void)state;
  /* Any order; unknown columns: one warning each, rows still recorded. */
  ingest(r, unknown, strlen(unknown), 0, NULL);
  assert_string_equal(r->log, "1:extra:CXM_UNKNOWN_COLUMN\n1:note:CXM_UNKNOWN_COLUMN\n2:value:CXM_E_VALUE\n");
  assert_int_equal(r->stats.warnings, 2);
  assert_int_equal(r->stats.events, 0); /* nps without a value */
  assert_int_equal(r->stats.rejected, 1);
  /* Missing required column: reported once, the reader stops. */
  ingest(r, missing, strlen(missing), 0, NULL);
  assert_string_equal(r->log, "1:kind:CXM_E_HEADER\n");
  assert_int_equal(r->feed_rc, CXM_E_HEADER);
  assert_int_equal(r->finish_rc, CXM_E_STATE);
  assert_int_equal(r->stats.rows, 0);
  /* The same, fed a byte at a time: still once. */
  ingest(r, missing, strlen(missing), 1, NULL);
  assert_string_equal(r->log, "1:kind:CXM_E_HEADER\n");
  /* A header without a line end is complete at finish. */
  ingest(r, missing, strlen("time,customer,value"), 0, NULL);
  assert_string_equal(r->log, "1:kind:CXM_E_HEADER\n");
  assert_int_equal(r->finish_rc, CXM_E_HEADER);
  ingest(r, twice, strlen(twice), 0, NULL);
  assert_string_equal(r->log, "1:time:CXM_E_HEADER\n");
  /* Empty input has no header. */
  ingest(r, "", 0, 0, NULL);
  assert_string_equal(r->log, "1:*:CXM_E_HEADER\n");
  assert_int_equal(r->finish_rc, CXM_E_HEADER);
  /* Blank lines before the header are skipped; the header keeps its line. */
  ingest(r, "\n\r\ntime,customer,kind\n1773480600,c,churn\n", 41, 0, NULL);
  assert_string_equal(r->log, "");
  assert_int_equal(r->stats.events, 1);
  /* Header names ignore case and padding; a near miss is named. */
  ingest(r, "Time, Customer ,KIND\n", 21, 0, NULL);
  assert_string_equal(r->log, "");
  assert_int_equal(r->finish_rc, CXM_OK);
  ingest(r, "tmie,customer,kind\n", 19, 0, NULL);
  assert_string_equal(r->log, "1:time:CXM_E_HEADER\n");
  assert_string_equal(r->reasons,
                      "required column 'time' is missing from the header (is 'tmie' meant to be 'time'?)\n");
  /* Header-only input is fine. */
  ingest(r, "time,customer,kind\r\n", 20, 0, NULL);
  assert_string_equal(r->log, "");
  assert_int_equal(r->finish_rc, CXM_OK);
  /* Malformed quoting in the header. */
  ingest(r, "time,\"customer,kind\n", 20, 0, NULL);
  assert_string_equal(r->log, "1:*:CXM_E_HEADER\n");
  /* A repeated unknown name is reported once (issue 12): 10 000 columns
   * named x, and y, x, y again; its fields are still ignored. */
  {
    static char wide[10000 * 2 + 64];
    size_t n = 0;
    int k;
    n += (size_t)snprintf(wide + n, sizeof wide - n, "time,customer,kind");
    for (k = 0; k < 10000; k++) n += (size_t)snprintf(wide + n, sizeof wide - n, ",x");
    n += (size_t)snprintf(wide + n, sizeof wide - n, ",y,x,y,xx\n");
    ingest(r, wide, n, 0, NULL);
    assert_string_equal(r->log, "1:x:CXM_UNKNOWN_COLUMN\n1:y:CXM_UNKNOWN_COLUMN\n1:xx:CXM_UNKNOWN_COLUMN\n");
    assert_int_equal(r->stats.warnings, 3);
    assert_int_equal(r->finish_rc, CXM_OK);
  }
  test_free(r);
}

static void test_bom(void **state) {
  static const char with_bom[] = "\xef\xbb\xbftime,customer,kind\n1773480600,c,churn\n";
  static const char half_bom[] = "\xef\xbbtime,customer,kind\n1773480600,c,churn\n";
  result *r = new_result();
  size_t step;
  (void)state;
  for (step = 0; step <= 4; step++) {
    ingest(r, with_bom, strlen(with_bom), step, NULL);
    assert_string_equal(r->log, "");
    assert_int_equal(r->stats.events, 1);
    assert_int_equal(r->stats.bytes, strlen(with_bom));
  }
  /* Not a whole BOM: the bytes are data, so the first column is not "time". */
  for (step = 0; step <= 3; step++) {
    ingest(r, half_bom, strlen(half_bom), step, NULL);
    assert_string_equal(r->log, "1:time:CXM_E_HEADER\n");
    assert_int_equal(r->feed_rc, CXM_E_HEADER);
  }
  /* Only the first BOM is skipped; input of just a BOM has no header. */
  ingest(r, "\xef\xbb\xbf", 3, 1, NULL);
  assert_string_equal(r->log, "1:*:CXM_E_HEADER\n");
  test_free(r);
}

static void test_mixed_file(void **state) {
  static const char want[] =
      "1:comment:CXM_UNKNOWN_COLUMN\n"
      "3:value:CXM_E_VALUE\n"
      "6:time:CXM_E_TIME\n"
      "7:kind:CXM_E_KIND\n"
      "8:customer:CXM_E_CUSTOMER\n"
      "9:value:CXM_E_VALUE\n"
      "10:value:CXM_E_VALUE\n"
      "11:value:CXM_E_VALUE\n"
      "12:dimension:CXM_E_DIMENSION\n"
      "14:ref:CXM_E_REF\n"
      "16:customer:CXM_E_ENCODING\n"
      "18:kind:CXM_E_ENCODING\n"
      "19:dimension:CXM_E_COLUMNS\n"
      "20:*:CXM_E_COLUMNS\n"
      "22:channel:CXM_E_CHANNEL\n"
      "23:stage:CXM_E_STAGE\n"
      "27:segment:CXM_E_SEGMENT\n"
      "29:time:CXM_E_TIME\n"
      "30:ref:CXM_E_QUOTE\n"
      "31:id:CXM_E_EVENT_ID\n"
      "33:*:CXM_E_QUOTE\n";
  size_t len, step, cut;
  char *data = read_fixture("mixed.csv", &len);
  result *whole = new_result(), *part = new_result();
  (void)state;
  ingest(whole, data, len, 0, NULL);
  if (strcmp(whole->log, want) != 0) print_error("%s\n%s", whole->log, whole->reasons);
  assert_string_equal(whole->log, want);
  assert_int_equal(whole->stats.rows, 29);
  assert_int_equal(whole->stats.events, 8);
  assert_int_equal(whole->stats.duplicates, 1);
  assert_int_equal(whole->stats.rejected, 20);
  assert_int_equal(whole->stats.warnings, 1);
  assert_int_equal(whole->stats.bytes, len);
  assert_int_equal(whole->store.events, 8);
  assert_int_equal(whole->store.customers, 8);
  /* Identical whatever the chunking: one byte at a time, several sizes,
   * and cut in two at every offset. */
  for (step = 1; step <= 97; step += (step < 8 ? 1 : 13)) {
    ingest(part, data, len, step, NULL);
    assert_string_equal(part->log, whole->log);
    assert_string_equal(part->reasons, whole->reasons);
    assert_memory_equal(&part->stats, &whole->stats, sizeof part->stats);
    assert_int_equal(part->store.cells, whole->store.cells);
    assert_int_equal(part->store.customers, whole->store.customers);
  }
  for (cut = 0; cut <= len; cut++) {
    cxm_store *store = NULL;
    cxm_reader *reader = NULL;
    cxm_reader_options o;
    memset(part, 0, sizeof *part);
    cxm_reader_options_init(&o);
    o.on_error = on_error;
    o.user = part;
    assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
    assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_OK);
    assert_int_equal(cxm_reader_feed(reader, (const uint8_t *)data, cut), CXM_OK);
    assert_int_equal(cxm_reader_feed(reader, (const uint8_t *)data + cut, len - cut), CXM_OK);
    assert_int_equal(cxm_reader_finish(reader), CXM_OK);
    part->stats.size = sizeof part->stats;
    assert_int_equal(cxm_reader_stats_get(&part->stats, reader), CXM_OK);
    assert_string_equal(part->log, whole->log);
    assert_memory_equal(&part->stats, &whole->stats, sizeof part->stats);
    cxm_reader_free(reader);
    cxm_store_free(store);
  }
  test_free(data);
  test_free(whole);
  test_free(part);
}

static void test_no_trace(void **state) {
  /* Bad rows with a new channel, segment and customer leave nothing behind. */
  static const char input[] = HEADER
      "2026-03-14T09:30:00Z,ghost,nps,11,newchan,,newseg,,,\n"
      "2026-03-14T09:30:00Z,ghost2,nps,9,newchan,,newseg,,,x\n";
  result *r = new_result();
  cxm_store *store = NULL;
  cxm_reader_options o;
  uint32_t h;
  const char *name;
  size_t n;
  (void)state;
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  /* A window that excludes the second (valid) row. */
  cxm_reader_options_init(&o);
  o.from = 0;
  o.to = INT64_C(1773446400); /* 2026-03-14T00:00:00Z */
  ingest_into(r, store, input, strlen(input), 0, &o);
  assert_string_equal(r->log, "2:value:CXM_E_VALUE\n");
  assert_int_equal(r->stats.out_of_window, 1);
  assert_int_equal(r->stats.events, 0);
  assert_int_equal(cxm_store_find_customer(&h, store, "ghost", 5), CXM_E_NOT_FOUND);
  assert_int_equal(cxm_store_find_customer(&h, store, "ghost2", 6), CXM_E_NOT_FOUND);
  assert_int_equal(cxm_store_channel_name(&name, &n, store, CXM_CHANNEL_FIRST_CUSTOM), CXM_E_CHANNEL);
  assert_int_equal(cxm_store_segment_name(&name, &n, store, 1), CXM_E_SEGMENT);
  assert_int_equal(r->store.events, 0);
  /* Inside the window it is recorded, with its channel and segment. */
  cxm_reader_options_init(&o);
  o.from = INT64_C(1773446400);
  o.to = INT64_C(1773446400) + 86400;
  ingest_into(r, store, input, strlen(input), 0, &o);
  assert_int_equal(r->stats.events, 1);
  assert_int_equal(r->stats.out_of_window, 0);
  assert_int_equal(cxm_store_channel_name(&name, &n, store, CXM_CHANNEL_FIRST_CUSTOM), CXM_OK);
  assert_int_equal(n, 7);
  assert_memory_equal(name, "newchan", 7);
  assert_int_equal(cxm_store_segment_name(&name, &n, store, 1), CXM_OK);
  assert_memory_equal(name, "newseg", 6);
  cxm_store_free(store);
  test_free(r);
}

/* The rating kind: its dimension is a free attribute label, kept as
 * written, interned only for a good row inside the window; 1..7 whole;
 * the same in CSV and JSON Lines. */
static void test_rating(void **state) {
  static const char csv[] = HEADER
      "2026-03-14T09:30:00Z,c-1,rating,6,,,,Wait time,t-1,\n"
      "2026-03-14T09:31:00Z,c-1,RATING,2,,,,wait time,t-1,\n"
      "2026-03-14T09:32:00Z,c-2,rating,6.0,,,, Wait time ,,\n"
      "2026-03-14T09:33:00Z,c-2,rating,8,,,,Price,,\n"
      "2026-03-14T09:34:00Z,c-2,rating,,,,,Price,,\n"
      "2026-03-14T09:35:00Z,c-2,rating,3,,,,,,\n"
      "2026-03-14T09:36:00Z,c-2,rating,3.5,,,,Price,,\n"
      "2026-03-14T09:37:00Z,c-2,rating,3,,,,"
      "A label of sixty-five bytes: one more than an attribute may hold!,,\n"
      "2026-03-14T09:38:00Z,c-2,nps,3,,,,Price,,\n"
      "2026-03-14T09:39:00Z,c-2,rating,7,,,,empathy,,\n";
  static const char want[] =
      "5:value:CXM_E_VALUE\n"
      "6:value:CXM_E_VALUE\n"
      "7:dimension:CXM_E_DIMENSION\n"
      "8:value:CXM_E_VALUE\n"
      "9:dimension:CXM_E_DIMENSION\n"
      "10:dimension:CXM_E_DIMENSION\n";
  static const char reasons[] =
      "value 8 for kind rating is not an integer 1..7\n"
      "kind rating needs a value: an integer 1..7\n"
      "kind rating needs a dimension (the attribute rated)\n"
      "value 3.5 for kind rating is not an integer 1..7\n"
      "attribute (dimension) longer than 64 bytes\n"
      "unknown dimension 'Price'\n";
  static const char jsonl[] =
      "{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":\"c-1\",\"kind\":\"rating\",\"value\":6,"
      "\"dimension\":\"Wait time\",\"ref\":\"t-1\"}\n"
      "{\"time\":\"2026-03-14T09:31:00Z\",\"customer\":\"c-1\",\"kind\":\"rating\",\"value\":\"2\","
      "\"dimension\":\"wait time\",\"ref\":\"t-1\"}\n"
      "{\"time\":\"2026-03-14T09:32:00Z\",\"customer\":\"c-2\",\"kind\":\"rating\",\"value\":6,"
      "\"dimension\":\"Wait time\"}\n"
      "{\"time\":\"2026-03-14T09:39:00Z\",\"customer\":\"c-2\",\"kind\":\"rating\",\"value\":7,"
      "\"dimension\":\"empathy\"}\n";
  result *r = new_result();
  cxm_store *store = NULL, *json = NULL;
  cxm_reader_options o;
  const char *name;
  size_t n;
  int32_t code;
  (void)state;
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  /* outside the window: no attribute is learnt */
  cxm_reader_options_init(&o);
  o.to = INT64_C(1773446400);
  ingest_into(r, store, csv, strlen(csv), 0, &o);
  assert_string_equal(r->log, want);
  assert_int_equal(r->stats.events, 0);
  assert_int_equal(cxm_store_attribute_name(&name, &n, store, 1), CXM_E_DIMENSION);
  ingest_into(r, store, csv, strlen(csv), 7, NULL);
  if (strcmp(r->log, want) != 0) print_error("%s%s", r->log, r->reasons);
  assert_string_equal(r->log, want);
  assert_string_equal(r->reasons, reasons);
  assert_int_equal(r->stats.events, 4);
  /* labels as written (trimmed), case counts: three attributes, in order */
  assert_int_equal(cxm_store_attribute_name(&name, &n, store, 1), CXM_OK);
  assert_int_equal(n, 9);
  assert_memory_equal(name, "Wait time", 9);
  assert_int_equal(cxm_store_attribute_name(&name, &n, store, 2), CXM_OK);
  assert_memory_equal(name, "wait time", 9);
  assert_int_equal(cxm_store_attribute_name(&name, &n, store, 3), CXM_OK);
  assert_memory_equal(name, "empathy", 7);
  assert_int_equal(cxm_store_attribute_name(&name, &n, store, 4), CXM_E_DIMENSION);
  assert_int_equal(cxm_store_find_attribute(&code, store, "Price", 5), CXM_E_NOT_FOUND);
  /* the rating log: four ratings, one ref */
  assert_int_equal(store->ratings.count, 4);
  assert_int_equal(store->ratings.refs.count, 1);
  assert_int_equal(store->ratings.items[1].attribute, 2);
  assert_int_equal(store->ratings.items[1].value, 2);
  assert_int_equal(store->ratings.items[1].ref, 1);
  assert_int_equal(store->ratings.items[2].ref, 0);
  /* JSON Lines: the same store content */
  assert_int_equal(cxm_store_new(&json, NULL), CXM_OK);
  cxm_reader_options_init(&o);
  o.format = CXM_FORMAT_JSONL;
  ingest_into(r, json, jsonl, strlen(jsonl), 0, &o);
  assert_string_equal(r->log, "");
  assert_int_equal(json->ratings.count, 4);
  assert_memory_equal(json->ratings.items, store->ratings.items, 4 * sizeof *store->ratings.items);
  assert_int_equal(json->ratings.attributes.count, 3);
  cxm_store_free(json);
  cxm_store_free(store);
  test_free(r);
}

static void test_duplicates(void **state) {
  static const char input[] = HEADER
      "2026-03-14T09:30:00Z,c-1,nps,9,,,,,,e1\n"
      "2026-03-14T09:30:00Z,c-1,nps,9,,,,,,e2\n";
  result *r = new_result();
  cxm_store *store = NULL;
  (void)state;
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  ingest_into(r, store, input, strlen(input), 0, NULL);
  assert_int_equal(r->stats.events, 2);
  /* Re-ingesting the same file is harmless. */
  ingest_into(r, store, input, strlen(input), 0, NULL);
  assert_int_equal(r->stats.events, 0);
  assert_int_equal(r->stats.duplicates, 2);
  assert_int_equal(r->store.events, 2);
  assert_string_equal(r->log, "");
  cxm_store_free(store);
  test_free(r);
}

static void test_strict(void **state) {
  static const char input[] = HEADER
      "2026-03-14T09:30:00Z,c-1,nps,9,,,,,,\n"
      "2026-03-14T09:30:00Z,c-2,nps,99,,,,,,\n"
      "2026-03-14T09:30:00Z,c-3,nps,9,,,,,,\n";
  result *r = new_result();
  cxm_reader_options o;
  size_t step;
  (void)state;
  cxm_reader_options_init(&o);
  o.strict = 1;
  for (step = 0; step < 3; step++) {
    ingest(r, input, strlen(input), step, &o);
    assert_string_equal(r->log, "3:value:CXM_E_VALUE\n");
    assert_int_equal(r->feed_rc, CXM_E_ROW);
    assert_int_equal(r->finish_rc, CXM_E_STATE);
    assert_int_equal(r->stats.events, 1); /* the row before stays */
    assert_int_equal(r->store.events, 1);
    assert_int_equal(r->stats.rejected, 1);
  }
  /* Strict and the last row bad without a line end: finish reports it. */
  ingest(r, input, (size_t)(strchr(strchr(input + strlen(HEADER), '\n') + 1, '\n') - input), 0, &o);
  assert_string_equal(r->log, "3:value:CXM_E_VALUE\n");
  assert_int_equal(r->feed_rc, CXM_OK);
  assert_int_equal(r->finish_rc, CXM_E_ROW);
  test_free(r);
}

/* Rows are recorded in rounds of up to CXMI_PREFETCH_MAX (reader.c,
 * flush): with bad rows and duplicate ids among hundreds of good ones,
 * fed whole and in pieces of a few bytes, the reports come in line order
 * and every good row is recorded once; in strict mode every row before a
 * bad one deep in the file is recorded, and none after it. */
static void test_rows_in_rounds(void **state) {
  enum { ROWS = 300 };
  static const size_t steps[] = {0, 1, 7, 64};
  char *input = test_malloc(ROWS * 96 + 128), *want = test_malloc(ROWS * 32);
  size_t len, wlen = 0, good = 0, dups = 0, bads = 0, i, s;
  result *r = new_result();
  cxm_reader_options o;
  (void)state;
  len = (size_t)sprintf(input, HEADER);
  want[0] = '\0';
  for (i = 0; i < ROWS; i++) {
    int bad = i % 9 == 5, dup = !bad && i % 11 == 7 && (i - 3) % 9 != 5; /* row i - 3's id */
    len += (size_t)sprintf(input + len, "2026-03-14T09:%02zu:00Z,c-%zu,nps,%s,,,,,,e-%zu\n", i % 60, i % 37,
                           bad ? "99" : "9", dup ? i - 3 : i);
    if (bad) wlen += (size_t)sprintf(want + wlen, "%zu:value:CXM_E_VALUE\n", i + 2);
    bads += bad;
    dups += dup;
    good += !bad && !dup;
  }
  for (s = 0; s < sizeof steps / sizeof *steps; s++) {
    ingest(r, input, len, steps[s], NULL);
    assert_string_equal(r->log, want);
    assert_int_equal(r->feed_rc, CXM_OK);
    assert_int_equal(r->finish_rc, CXM_OK);
    assert_int_equal(r->stats.events, good);
    assert_int_equal(r->stats.duplicates, dups);
    assert_int_equal(r->stats.rejected, bads);
    assert_int_equal(r->store.events, good);
  }
  /* strict: one bad row, the 41st */
  len = (size_t)sprintf(input, HEADER);
  for (i = 0; i < ROWS; i++)
    len += (size_t)sprintf(input + len, "2026-03-14T09:%02zu:00Z,c-%zu,nps,%s,,,,,,e-%zu\n", i % 60, i % 37,
                           i == 40 ? "99" : "9", i);
  cxm_reader_options_init(&o);
  o.strict = 1;
  for (s = 0; s < sizeof steps / sizeof *steps; s++) {
    ingest(r, input, len, steps[s], &o);
    assert_string_equal(r->log, "42:value:CXM_E_VALUE\n");
    assert_int_equal(r->feed_rc, CXM_E_ROW);
    assert_int_equal(r->stats.events, 40);
    assert_int_equal(r->store.events, 40);
  }
  test_free(r);
  test_free(input);
  test_free(want);
}

static void test_overlong_record(void **state) {
  size_t big = CXM_READER_MAX_RECORD + 1, len;
  char *s = test_malloc(big + 256);
  result *r = new_result();
  (void)state;
  strcpy(s, HEADER "2026-03-14T09:30:00Z,c-1,nps,9,,,,,,\n2026-03-14T09:30:00Z,");
  len = strlen(s);
  memset(s + len, 'c', big);
  strcpy(s + len + big, ",nps,9,,,,,,\n2026-03-14T09:30:00Z,c-3,nps,9,,,,,,");
  len = strlen(s);
  ingest(r, s, len, 0, NULL);
  assert_string_equal(r->log, "3:*:CXM_E_LIMIT\n");
  assert_int_equal(r->stats.events, 2);
  ingest(r, s, len, 65536, NULL);
  assert_string_equal(r->log, "3:*:CXM_E_LIMIT\n");
  assert_int_equal(r->stats.events, 2);
  test_free(s);
  test_free(r);
}

/* Feed `zeros` zero bytes after `prefix` in 64 KiB chunks (a stream with
 * no line end), until the reader refuses a chunk; returns the bytes fed
 * when it did (0: it never did). */
static uint64_t feed_endless(result *r, const char *prefix, uint64_t zeros, int32_t format, int32_t *rc) {
  static uint8_t chunk[65536];
  cxm_reader_options o;
  cxm_reader *reader = NULL;
  cxm_store *store = NULL;
  uint64_t fed = 0;
  memset(r, 0, sizeof *r);
  cxm_reader_options_init(&o);
  o.format = format;
  o.on_error = on_error;
  o.user = r;
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_OK);
  *rc = cxm_reader_feed(reader, (const uint8_t *)prefix, strlen(prefix));
  assert_int_equal(*rc, CXM_OK);
  while (fed < zeros) {
    *rc = cxm_reader_feed(reader, chunk, sizeof chunk);
    fed += sizeof chunk;
    if (*rc != CXM_OK) break;
  }
  if (*rc == CXM_OK)
    fed = 0;
  else
    assert_int_equal(cxm_reader_feed(reader, chunk, 1), CXM_E_STATE); /* stopped */
  r->stats.size = sizeof r->stats;
  assert_int_equal(cxm_reader_stats_get(&r->stats, reader), CXM_OK);
  r->store.size = sizeof r->store;
  assert_int_equal(cxm_store_stats_get(&r->store, store), CXM_OK);
  cxm_reader_free(reader);
  cxm_store_free(store);
  return fed;
}

static void test_endless_line(void **state) {
  result *r = new_result();
  int32_t rc;
  uint64_t fed;
  (void)state;
  /* A header without a line end stops the reader once past the record
   * cap, not at a line end that never comes (`cxm report /dev/zero`). */
  fed = feed_endless(r, "", (uint64_t)1 << 30, CXM_FORMAT_CSV, &rc);
  assert_int_equal(rc, CXM_E_HEADER);
  assert_true(fed > CXM_READER_MAX_RECORD && fed <= CXM_READER_MAX_RECORD + 65536);
  assert_string_equal(r->log, "1:*:CXM_E_HEADER\n");
  assert_string_equal(r->reasons, "header row longer than 1048576 bytes\n");
  /* A data record past the cap is skipped to its line end... */
  fed = feed_endless(r, HEADER "2026-03-14T09:30:00Z,c-1,nps,9,,,,,,\n", CXM_READER_MAX_LINE / 2, CXM_FORMAT_CSV, &rc);
  assert_int_equal(fed, 0);
  assert_int_equal(rc, CXM_OK);
  assert_string_equal(r->log, "");
  /* ...for at most CXM_READER_MAX_LINE bytes: then the reader stops with
   * the row reported; the rows before it stay. */
  fed = feed_endless(r, HEADER "2026-03-14T09:30:00Z,c-1,nps,9,,,,,,\n", (uint64_t)1 << 30, CXM_FORMAT_CSV, &rc);
  assert_int_equal(rc, CXM_E_LIMIT);
  assert_true(fed > CXM_READER_MAX_LINE && fed <= CXM_READER_MAX_LINE + 65536);
  assert_string_equal(r->log, "3:*:CXM_E_LIMIT\n");
  assert_int_equal(r->stats.rows, 2);
  assert_int_equal(r->stats.rejected, 1);
  assert_int_equal(r->store.events, 1);
  /* The same record with its line end inside one fed chunk: the same
   * outcome, whatever the chunking. */
  {
    static const char head[] = HEADER "2026-03-14T09:30:00Z,c-1,nps,9,,,,,,\n";
    static const char tail[] = "\n2026-03-14T09:30:00Z,c-2,nps,9,,,,,,\n";
    size_t zeros = CXM_READER_MAX_LINE + 1, len = strlen(head) + zeros + strlen(tail);
    char *s = test_malloc(len);
    memcpy(s, head, strlen(head));
    memset(s + strlen(head), 0, zeros);
    memcpy(s + strlen(head) + zeros, tail, strlen(tail));
    ingest(r, s, len, 0, NULL);
    assert_string_equal(r->log, "3:*:CXM_E_LIMIT\n");
    assert_int_equal(r->feed_rc, CXM_E_LIMIT);
    assert_int_equal(r->stats.rows, 2);
    assert_int_equal(r->store.events, 1);
    /* one byte shorter: a bad row, skipped, and the row after it read */
    memcpy(s + strlen(head) + zeros - 1, tail, strlen(tail));
    ingest(r, s, len - 1, 0, NULL);
    assert_string_equal(r->log, "3:*:CXM_E_LIMIT\n");
    assert_int_equal(r->feed_rc, CXM_OK);
    assert_int_equal(r->store.events, 2);
    ingest(r, s, len - 1, 65536, NULL);
    assert_string_equal(r->log, "3:*:CXM_E_LIMIT\n");
    assert_int_equal(r->store.events, 2);
    test_free(s);
  }
  /* The same for JSON Lines (no header). */
  fed = feed_endless(r, "", (uint64_t)1 << 30, CXM_FORMAT_JSONL, &rc);
  assert_int_equal(rc, CXM_E_LIMIT);
  assert_true(fed > CXM_READER_MAX_LINE && fed <= CXM_READER_MAX_LINE + 65536);
  assert_string_equal(r->log, "1:*:CXM_E_LIMIT\n");
  test_free(r);
}

static void test_jsonl(void **state) {
  static const char input[] =
      "{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":\"c-17\",\"kind\":\"nps\",\"value\":9,\"channel\":\"email\"}\n"
      "{\"time\":1773480600,\"customer\":\"c-\\u00e9\",\"kind\":\"csat\",\"value\":\"4\",\"note\":{\"a\":[1]}}\r\n"
      "\n"
      "   \n"
      "{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":\"c-1\",\"kind\":\"churn\",\"value\":null,\"stage\":null}\n"
      "{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":\"c-1\",\"kind\":\"nps\",\"value\":1e1}\n"
      "{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":17,\"kind\":\"nps\",\"value\":1}\n"
      "{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":\"c-1\",\"kind\":\"nps\",\"value\":1,}\n"
      "[\"not an object\"]\n"
      "{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":\"c\\u0009d\",\"kind\":\"nps\",\"value\":1}\n"
      "{\"time\":1.5,\"customer\":\"c\",\"kind\":\"nps\",\"value\":1}\n"
      "{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":\"c\",\"kind\":\"nps\",\"value\":true}\n"
      "{\"customer\":\"c\",\"kind\":\"nps\",\"value\":1}\n"
      "{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":\"c\",\"kind\":\"nps\",\"kind\":\"csat\",\"value\":1}\n"
      "{\"time\":\"2026-03-14T09:30:00Z\",\"customer\":\"c-\\ud83d\\ude00\",\"kind\":\"ces\",\"value\":7.0}";
  static const char want[] =
      "6:value:CXM_E_VALUE\n"
      "7:customer:CXM_E_SYNTAX\n"
      "8:*:CXM_E_SYNTAX\n"
      "9:*:CXM_E_SYNTAX\n"
      "10:customer:CXM_E_ENCODING\n"
      "11:time:CXM_E_TIME\n"
      "12:value:CXM_E_SYNTAX\n"
      "13:time:CXM_E_TIME\n"
      "14:kind:CXM_E_SYNTAX\n";
  result *whole = new_result(), *part = new_result();
  cxm_reader_options o;
  size_t step;
  (void)state;
  cxm_reader_options_init(&o);
  o.format = CXM_FORMAT_JSONL;
  ingest(whole, input, strlen(input), 0, &o);
  if (strcmp(whole->log, want) != 0) print_error("%s%s", whole->log, whole->reasons);
  assert_string_equal(whole->log, want);
  assert_int_equal(whole->stats.rows, 13); /* blank and whitespace-only lines are skipped */
  assert_int_equal(whole->stats.events, 4);
  assert_int_equal(whole->stats.rejected, 9);
  assert_int_equal(whole->store.customers, 4);
  for (step = 1; step < 40; step += 3) {
    ingest(part, input, strlen(input), step, &o);
    assert_string_equal(part->log, whole->log);
    assert_memory_equal(&part->stats, &whole->stats, sizeof part->stats);
  }
  /* Empty JSON Lines input is fine (no header needed). */
  ingest(part, "", 0, 0, &o);
  assert_int_equal(part->finish_rc, CXM_OK);
  assert_string_equal(part->log, "");
  test_free(whole);
  test_free(part);
}

static void test_ingest_file(void **state) {
  char path[1024];
  cxm_store *store = NULL;
  cxm_reader_stats st;
  cxm_reader_options o;
  (void)state;
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  fixture_path(path, sizeof path, "mixed.csv");
  st.size = sizeof st;
  assert_int_equal(cxm_store_ingest_file(store, path, NULL, &st), CXM_OK);
  assert_int_equal(st.rows, 29);
  assert_int_equal(st.events, 8);
  assert_int_equal(st.rejected, 20);
  fixture_path(path, sizeof path, "events.jsonl");
  cxm_reader_options_init(&o);
  o.format = CXM_FORMAT_JSONL;
  assert_int_equal(cxm_store_ingest_file(store, path, &o, &st), CXM_OK);
  assert_int_equal(st.events, 3);
  assert_int_equal(st.rejected, 1);
  assert_int_equal(cxm_store_ingest_file(store, path, &o, NULL), CXM_OK);
  /* Strict mode's status comes back. */
  o.strict = 1;
  assert_int_equal(cxm_store_ingest_file(store, path, &o, &st), CXM_E_ROW);
  fixture_path(path, sizeof path, "does-not-exist.csv");
  assert_int_equal(cxm_store_ingest_file(store, path, NULL, &st), CXM_E_IO);
  /* A directory opens on POSIX but cannot be read. */
  fixture_path(path, sizeof path, "");
  assert_int_equal(cxm_store_ingest_file(store, path, NULL, NULL), CXM_E_IO);
  assert_int_equal(cxm_store_ingest_file(NULL, path, NULL, NULL), CXM_E_ARG);
  assert_int_equal(cxm_store_ingest_file(store, NULL, NULL, NULL), CXM_E_ARG);
  st.size = 3;
  assert_int_equal(cxm_store_ingest_file(store, path, NULL, &st), CXM_E_SIZE);
  cxm_store_free(store);
}

static void test_api_edges(void **state) {
  cxm_store *store = NULL;
  cxm_reader *reader = NULL;
  cxm_reader_options o;
  cxm_reader_stats st;
  (void)state;
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  cxm_reader_options_init(NULL);
  cxm_reader_free(NULL);
  assert_int_equal(cxm_reader_new(NULL, store, NULL), CXM_E_ARG);
  assert_int_equal(cxm_reader_new(&reader, NULL, NULL), CXM_E_ARG);
  cxm_reader_options_init(&o);
  o.size = 8;
  assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_E_SIZE);
  cxm_reader_options_init(&o);
  o.format = 2;
  assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_E_OPTION);
  cxm_reader_options_init(&o);
  o.strict = 2;
  assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_E_OPTION);
  cxm_reader_options_init(&o);
  o.from = 10;
  o.to = 9;
  assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_E_OPTION);
  assert_int_equal(cxm_reader_new(&reader, store, NULL), CXM_OK);
  assert_int_equal(cxm_reader_feed(NULL, (const uint8_t *)"", 0), CXM_E_ARG);
  assert_int_equal(cxm_reader_feed(reader, NULL, 1), CXM_E_ARG);
  assert_int_equal(cxm_reader_feed(reader, NULL, 0), CXM_OK);
  assert_int_equal(cxm_reader_finish(NULL), CXM_E_ARG);
  st.size = 1;
  assert_int_equal(cxm_reader_stats_get(&st, reader), CXM_E_SIZE);
  assert_int_equal(cxm_reader_stats_get(NULL, reader), CXM_E_ARG);
  st.size = sizeof st;
  assert_int_equal(cxm_reader_stats_get(&st, NULL), CXM_E_ARG);
  assert_int_equal(cxm_reader_feed(reader, (const uint8_t *)"time,customer,kind\n", 19), CXM_OK);
  assert_int_equal(cxm_reader_finish(reader), CXM_OK);
  assert_int_equal(cxm_reader_finish(reader), CXM_E_STATE);
  assert_int_equal(cxm_reader_feed(reader, (const uint8_t *)"x", 1), CXM_E_STATE);
  cxm_reader_free(reader);
  /* A reader left unfinished frees cleanly (with a carried partial record). */
  assert_int_equal(cxm_reader_new(&reader, store, NULL), CXM_OK);
  assert_int_equal(cxm_reader_feed(reader, (const uint8_t *)"time,customer,kind\n1773480600,\"c", 33), CXM_OK);
  cxm_reader_free(reader);
  cxm_store_free(store);
}

/* An allocator that fails after a budget, to check every failure path
 * returns CXM_E_NOMEM (or succeeds) without leaks or crashes. */
typedef struct budget {
  long left;
  long live;
} budget;

static void *b_alloc(void *opaque, size_t size) {
  budget *b = opaque;
  void *p;
  if (b->left-- <= 0) return NULL;
  p = malloc(size);
  if (p) b->live++;
  return p;
}

static void *b_realloc(void *opaque, void *ptr, size_t old_size, size_t new_size) {
  budget *b = opaque;
  void *p;
  (void)old_size;
  if (b->left-- <= 0) return NULL;
  p = realloc(ptr, new_size);
  if (p && ptr == NULL) b->live++;
  return p;
}

static void b_free(void *opaque, void *ptr, size_t size) {
  budget *b = opaque;
  (void)size;
  b->live--;
  free(ptr);
}

static void test_out_of_memory(void **state) {
  size_t len;
  char *data = read_fixture("mixed.csv", &len);
  long n;
  int succeeded = 0;
  (void)state;
  for (n = 0; n < 400 && !succeeded; n++) {
    budget b = {n, 0};
    cxm_allocator hooks = {b_alloc, b_realloc, b_free, &b};
    cxm_store_options so;
    cxm_store *store = NULL;
    cxm_reader *reader = NULL;
    int32_t rc;
    cxm_store_options_init(&so);
    so.allocator = &hooks;
    if (cxm_store_new(&store, &so) != CXM_OK) continue;
    rc = cxm_reader_new(&reader, store, NULL);
    if (rc == CXM_OK) {
      size_t p;
      for (p = 0; p < len && rc == CXM_OK; p += 7)
        rc = cxm_reader_feed(reader, (const uint8_t *)data + p, len - p < 7 ? len - p : 7);
      if (rc == CXM_OK) rc = cxm_reader_finish(reader);
      if (rc == CXM_OK) succeeded = 1;
      cxm_reader_free(reader);
    }
    assert_true(rc == CXM_OK || rc == CXM_E_NOMEM);
    cxm_store_free(store);
    assert_int_equal(b.live, 0);
  }
  assert_true(succeeded);
  test_free(data);
}

/* Random inputs built from CSV-significant pieces (quotes, commas, CR, LF,
 * BOM bytes, bad UTF-8, valid rows): no crash or sanitizer report, and the
 * outcome does not depend on the chunking. The generator is a fixed LCG
 * (Knuth MMIX constants) so failures reproduce. */
static void test_random_inputs(void **state) {
  static const char *const pieces[] = {
      "\"",
      ",",
      "\r",
      "\n",
      "\r\n",
      "\"\"",
      "\xef\xbb\xbf",
      "\xff",
      "\xc3",
      "x",
      "nps",
      "9",
      "2026-03-14T09:30:00Z",
      "c-1",
      "time,customer,kind,value\n",
      "\n1773480600,c,nps,7\n",
      "email",
      "\t",
      "{\"time\":1773480600,\"customer\":\"c\",\"kind\":\"churn\"}\n",
      "\\u00e9",
      "{",
      "}",
      ":",
  };
  uint64_t seed = 42;
  char buf[512];
  int iter;
  result *whole = new_result(), *part = new_result();
  (void)state;
  for (iter = 0; iter < 400; iter++) {
    size_t len = 0, step;
    cxm_reader_options o;
    cxm_reader_options_init(&o);
    o.format = iter % 2 ? CXM_FORMAT_JSONL : CXM_FORMAT_CSV;
    if (iter % 4 < 2) {
      static const char head[] = "time,customer,kind,value\n";
      memcpy(buf, head, sizeof head - 1);
      len = sizeof head - 1;
    }
    while (len < 400) {
      const char *p;
      seed = seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
      p = pieces[(seed >> 33) % (sizeof pieces / sizeof pieces[0])];
      memcpy(buf + len, p, strlen(p));
      len += strlen(p);
    }
    ingest(whole, buf, len, 0, &o);
    for (step = 1; step <= 64; step *= 4) {
      ingest(part, buf, len, step, &o);
      assert_string_equal(part->log, whole->log);
      assert_int_equal(part->feed_rc, whole->feed_rc);
      assert_int_equal(part->finish_rc, whole->finish_rc);
      /* All counters but `bytes`: a reader that stops early has been fed
       * a chunking-dependent number of bytes. */
      assert_memory_equal(&part->stats, &whole->stats, offsetof(cxm_reader_stats, bytes));
    }
  }
  test_free(whole);
  test_free(part);
}

/* ---- dialects (docs/events.md, "Dialects"): one test per rule ---------- */

/* Ingest `data` with `o` (NULL: defaults), whole and one byte at a time;
 * both must agree. Leaves the whole reading in *r. */
static void ingest_both(result *r, const char *data, size_t len, const cxm_reader_options *o) {
  result *part = new_result();
  ingest(r, data, len, 0, o);
  ingest(part, data, len, 1, o);
  assert_string_equal(part->log, r->log);
  assert_string_equal(part->reasons, r->reasons);
  assert_memory_equal(&part->stats, &r->stats, sizeof part->stats);
  assert_int_equal(part->store.first, r->store.first);
  assert_int_equal(part->store.last, r->store.last);
  test_free(part);
}

static void test_dialect_separator(void **state) {
  static const char semi[] = "time;customer;kind;value\n2026-03-14T09:30:00Z;c-1;nps;9\n";
  static const char tab[] = "time\tcustomer\tkind\tvalue\n2026-03-14T09:30:00Z\tc-1\tnps\t9\n";
  static const char pipe[] = "\"time\"|\"customer\"|kind|value\n2026-03-14T09:30:00Z|\"c|1\"|nps|9\n";
  /* A comma inside a name does not beat the separator that finds names. */
  static const char mixed[] = "time;customer;kind;value;\"note, free\"\n2026-03-14T09:30:00Z;c-1;nps;9;a,b\n";
  result *r = new_result();
  cxm_reader_options o;
  (void)state;
  ingest_both(r, semi, strlen(semi), NULL);
  assert_string_equal(r->log, "");
  assert_int_equal(r->stats.events, 1);
  ingest_both(r, tab, strlen(tab), NULL);
  assert_string_equal(r->log, "");
  assert_int_equal(r->stats.events, 1);
  ingest_both(r, pipe, strlen(pipe), NULL);
  assert_string_equal(r->log, "");
  assert_int_equal(r->stats.events, 1);
  ingest_both(r, mixed, strlen(mixed), NULL);
  assert_string_equal(r->log, "1:note, free:CXM_UNKNOWN_COLUMN\n");
  assert_int_equal(r->stats.events, 1);
  /* Forced: a semicolon file read with ',' has one column. */
  cxm_reader_options_init(&o);
  o.delimiter = ',';
  ingest(r, semi, strlen(semi), 0, &o);
  assert_string_equal(r->log, "1:time:CXM_E_HEADER\n");
  o.delimiter = ';';
  ingest(r, semi, strlen(semi), 0, &o);
  assert_int_equal(r->stats.events, 1);
  /* No separator found: the message says so. */
  ingest(r, "time customer kind\n", 19, 0, NULL);
  assert_string_equal(r->reasons,
                      "required column 'time' is missing from the header (one column: no separator , ; tab | found)\n");
  test_free(r);
}

static void test_dialect_header_names(void **state) {
  static const char input[] = " TIME ,Customer,Kind,Valeu,chanel\n2026-03-14T09:30:00Z,c,nps,9,web\n";
  result *r = new_result();
  (void)state;
  ingest_both(r, input, strlen(input), NULL);
  assert_string_equal(r->log, "1:Valeu:CXM_UNKNOWN_COLUMN\n1:chanel:CXM_UNKNOWN_COLUMN\n2:value:CXM_E_VALUE\n");
  assert_string_equal(r->reasons,
                      "unknown column 'Valeu' ignored (did you mean 'value'?)\n"
                      "unknown column 'chanel' ignored (did you mean 'channel'?)\n"
                      "kind nps needs a value: an integer 0..10\n");
  assert_int_equal(r->stats.events, 0); /* nps without its value column */
  /* A far name gets no hint; a known name twice, whatever its case, is an error. */
  ingest(r, "time,customer,kind,comment\n", 27, 0, NULL);
  assert_string_equal(r->reasons, "unknown column 'comment' ignored\n");
  ingest(r, "time,customer,kind,Time\n", 24, 0, NULL);
  assert_string_equal(r->log, "1:time:CXM_E_HEADER\n");
  test_free(r);
}

/* Segment labels on many rows (the reader remembers the last few labels
 * and their codes): more distinct labels than it remembers, interleaved,
 * one longer than it keeps, "unknown", and labels that differ only in
 * their last byte or their length. Every row gets the code the store
 * gives its label, as recording each row by hand does. */
static void test_segment_labels(void **state) {
  static const char *labels[] = {
      "consumer", "smb",   "enterprise", "unknown",
      "seg-a",    "seg-b", "seg-ab",     "a label longer than thirty-two bytes, still one segment"};
  enum { LABELS = sizeof labels / sizeof labels[0], ROWS = 3000 };
  static char text[ROWS * 120];
  size_t len = 0;
  uint64_t rng = 31;
  cxm_store *read = NULL, *hand = NULL;
  result *r = new_result();
  (void)state;
  assert_int_equal(cxm_store_new(&read, NULL), CXM_OK);
  assert_int_equal(cxm_store_new(&hand, NULL), CXM_OK);
  len += (size_t)snprintf(text + len, sizeof text - len, "time,customer,kind,value,segment\n");
  for (int i = 0; i < ROWS; i++) {
    /* runs of one label, then random ones */
    size_t k = i < 1000 ? (size_t)(i / 50) % LABELS : (size_t)test_below(&rng, LABELS);
    int value = (int)test_below(&rng, 11);
    cxm_event e;
    char customer[16];
    int n = snprintf(customer, sizeof customer, "c%d", i % 37);
    len += (size_t)snprintf(text + len, sizeof text - len, "%d,%s,nps,%d,\"%s\"\n", 1700000000 + i * 60, customer,
                            value, labels[k]);
    cxm_event_init(&e);
    e.customer = customer;
    e.customer_len = (size_t)n;
    e.time = 1700000000 + i * 60;
    e.kind = CXM_KIND_NPS;
    e.has_value = 1;
    e.value = value;
    assert_int_equal(cxm_store_segment(&e.segment, hand, labels[k], strlen(labels[k])), CXM_OK);
    assert_int_equal(cxm_store_record(hand, &e), CXM_OK);
  }
  ingest_into(r, read, text, len, 0, NULL);
  assert_string_equal(r->log, "");
  assert_int_equal(r->stats.events, ROWS);
  for (size_t k = 0; k < LABELS; k++) {
    cxm_filter f;
    cxm_survey_acc a, b;
    int32_t code_read, code_hand;
    assert_int_equal(cxm_store_find_segment(&code_read, read, labels[k], strlen(labels[k])), CXM_OK);
    assert_int_equal(cxm_store_find_segment(&code_hand, hand, labels[k], strlen(labels[k])), CXM_OK);
    assert_int_equal(code_read, code_hand);
    cxm_filter_init(&f);
    f.segment = code_read;
    assert_int_equal(cxm_store_survey(&a, read, &f), CXM_OK);
    assert_int_equal(cxm_store_survey(&b, hand, &f), CXM_OK);
    assert_memory_equal(&a, &b, sizeof a);
    assert_true(a.nps.count[0] + a.nps.count[5] + a.nps.count[10] > 0);
  }
  cxm_store_free(read);
  cxm_store_free(hand);
  test_free(r);
}

static void test_dialect_trim(void **state) {
  static const char input[] =
      "time,customer,kind,value,id\n"
      " 2026-03-14T09:30:00Z , c-7 ,nps, 9 , e1 \n"
      "2026-03-14T09:31:00Z,c-7,nps,9,e1\n";
  result *r = new_result();
  cxm_reader_options o;
  (void)state;
  /* Trimmed: one customer, and the second e1 is a duplicate. */
  ingest_both(r, input, strlen(input), NULL);
  assert_string_equal(r->log, "");
  assert_int_equal(r->stats.events, 1);
  assert_int_equal(r->stats.duplicates, 1);
  assert_int_equal(r->store.customers, 1);
  /* trim = 0: the spaces are data, so the padded time is refused. */
  cxm_reader_options_init(&o);
  o.trim = 0;
  ingest(r, input, strlen(input), 0, &o);
  assert_string_equal(r->log, "2:time:CXM_E_TIME\n");
  test_free(r);
}

static void test_dialect_names_case(void **state) {
  static const char input[] =
      "time,customer,kind,value,channel,stage,dimension\n"
      "2026-03-14T09:30:00Z,c-1,NPS,9,Email,Purchase,\n"
      "2026-03-14T09:30:00Z,c-2,Perception,5,My_Chan,,Empathy\n"
      "2026-03-14T09:30:00Z,c-3,nps,9,my_chan,,\n";
  result *r = new_result();
  cxm_store *store = NULL;
  int32_t code = -1, named = -1;
  (void)state;
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  ingest_into(r, store, input, strlen(input), 0, NULL);
  assert_string_equal(r->log, "");
  assert_int_equal(r->stats.events, 3);
  /* Custom channels are kept in lower case: My_Chan and my_chan are one. */
  assert_int_equal(cxm_store_find_channel(&code, store, "my_chan", 7), CXM_OK);
  assert_int_equal(cxm_store_find_channel(&named, store, "email", 5), CXM_OK);
  assert_int_equal(named, CXM_CHANNEL_EMAIL);
  assert_int_equal(cxm_store_find_channel(&code, store, "My_Chan", 7) == CXM_OK ? 1 : 0, 0);
  cxm_store_free(store);
  test_free(r);
}

static void test_dialect_decimal_comma(void **state) {
  static const char semi[] =
      "time;customer;kind;value\n"
      "2026-03-14T09:30:00Z;c-1;nps;9,0\n"
      "2026-03-14T09:30:00Z;c-2;nps;9,5\n"
      "2026-03-14T09:30:00Z;c-3;internal;55,25\n"
      "2026-03-14T09:30:00Z;c-4;internal;1,000.5\n";
  static const char comma[] = "time,customer,kind,value\n2026-03-14T09:30:00Z,c-1,nps,\"9,0\"\n";
  result *r = new_result();
  (void)state;
  ingest_both(r, semi, strlen(semi), NULL);
  /* 9,0 is 9; 9,5 is 9.5, not an NPS integer; 1,000.5 is no number. */
  assert_string_equal(r->log, "3:value:CXM_E_VALUE\n5:value:CXM_E_VALUE\n");
  assert_int_equal(r->stats.events, 2);
  /* In a comma-separated file a comma is never a decimal mark. */
  ingest(r, comma, strlen(comma), 0, NULL);
  assert_string_equal(r->log, "2:value:CXM_E_VALUE\n");
  test_free(r);
}

static void test_dialect_time_format(void **state) {
  static const char input[] =
      "time,customer,kind\n"
      "03/15/2026 10:00,c-1,churn\n"
      "3/5/2026 9:05,c-2,churn\n"
      "2026-03-15T10:00:00Z,c-3,churn\n";
  result *r = new_result();
  cxm_reader_options o;
  (void)state;
  cxm_reader_options_init(&o);
  o.time_format = "%m/%d/%Y %H:%M";
  o.assume_offset = 1;
  o.utc_offset = -5 * 3600; /* US Eastern, standard time */
  ingest_both(r, input, strlen(input), &o);
  assert_string_equal(r->log, "4:time:CXM_E_TIME\n");
  assert_string_equal(r->reasons,
                      "bad timestamp '2026-03-15T10:00:00Z': does not match the time format "
                      "'%m/%d/%Y %H:%M'\n");
  /* 2026-03-05T14:05:00Z and 2026-03-15T15:00:00Z (Python:
   * datetime(2026,3,5,14,5,tzinfo=timezone.utc).timestamp()). */
  assert_int_equal(r->store.first, INT64_C(1772719500));
  assert_int_equal(r->store.last, INT64_C(1773586800));
  /* Without an offset to assume, a pattern without %z is zone-less. */
  o.assume_offset = 0;
  ingest(r, input, strlen(input), 0, &o);
  assert_int_equal(r->stats.rejected, 3);
  /* %z: the zone from the text; a seconds fraction is dropped. */
  o.time_format = "%d.%m.%Y %H:%M:%S%z";
  ingest(r, "time,customer,kind\n15.03.2026 10:00:00.9+0100,c,churn\n", 54, 0, &o);
  assert_string_equal(r->log, "");
  assert_int_equal(r->store.first, INT64_C(1773565200));
  /* Unusable patterns are refused by cxm_reader_new. */
  {
    static const char *const bad[] = {"%Y-%m", "%Y-%m-%d %q", "%Y-%m-%d %", "%Y-%m-%d %M", "%Y%Y-%m-%d", ""};
    cxm_store *store = NULL;
    cxm_reader *reader = NULL;
    size_t i;
    assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      o.time_format = bad[i];
      assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_E_OPTION);
    }
    cxm_store_free(store);
  }
  test_free(r);
}

static void test_dialect_zone(void **state) {
  static const char input[] =
      "time,customer,kind\n"
      "2026-03-15 10:00:00,c-1,churn\n"
      "2026-03-15T10:00:00+0100,c-2,churn\n"
      "03/15/2026,c-3,churn\n";
  result *r = new_result();
  cxm_reader_options o;
  (void)state;
  ingest_both(r, input, strlen(input), NULL);
  /* Zone-less: refused with its own reason; +0100 is read; a US date is named. */
  assert_string_equal(r->log, "2:time:CXM_E_TIME\n4:time:CXM_E_TIME\n");
  assert_string_equal(r->reasons,
                      "timestamp '2026-03-15 10:00:00' has no time zone: write Z or an offset, or read it at an "
                      "assumed offset (cxm --tz or --assume-utc)\n"
                      "bad timestamp '03/15/2026': a NN/NN/YYYY date needs its pattern (cxm --time-format, e.g. "
                      "'%m/%d/%Y %H:%M')\n");
  assert_int_equal(r->store.first, INT64_C(1773565200)); /* 2026-03-15T09:00:00Z */
  cxm_reader_options_init(&o);
  o.assume_offset = 1;
  o.utc_offset = 2 * 3600;
  ingest(r, input, strlen(input), 0, &o);
  assert_int_equal(r->stats.events, 2);
  assert_int_equal(r->store.first, INT64_C(1773561600)); /* 2026-03-15T08:00:00Z */
  /* Offsets beyond 18 hours are refused. */
  {
    cxm_store *store = NULL;
    cxm_reader *reader = NULL;
    assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
    o.utc_offset = 18 * 3600 + 60;
    assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_E_OPTION);
    o.utc_offset = 0;
    o.assume_offset = 2;
    assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_E_OPTION);
    cxm_store_free(store);
  }
  test_free(r);
}

static void test_dialect_epoch_ms(void **state) {
  static const char input[] = "time,customer,kind\n1773480600123,c-1,churn\n1773480600,c-2,churn\n";
  static const char jsonl[] = "{\"time\":1773480600999,\"customer\":\"c\",\"kind\":\"churn\"}\n";
  result *r = new_result();
  cxm_reader_options o;
  (void)state;
  ingest_both(r, input, strlen(input), NULL);
  assert_string_equal(r->log, "");
  assert_int_equal(r->store.first, INT64_C(1773480600));
  assert_int_equal(r->store.last, INT64_C(1773480600));
  cxm_reader_options_init(&o);
  o.format = CXM_FORMAT_JSONL;
  ingest(r, jsonl, strlen(jsonl), 0, &o);
  assert_int_equal(r->store.first, INT64_C(1773480600));
  test_free(r);
}

/* `text` (ASCII) as UTF-16: `be` big-endian, `bom` with a byte-order mark. */
static size_t to_utf16(uint8_t *out, const char *text, int be, int bom) {
  size_t n = 0, i;
  if (bom) {
    out[n++] = be ? 0xFE : 0xFF;
    out[n++] = be ? 0xFF : 0xFE;
  }
  for (i = 0; text[i] != '\0'; i++) {
    out[n++] = be ? 0 : (uint8_t)text[i];
    out[n++] = be ? (uint8_t)text[i] : 0;
  }
  return n;
}

static void test_dialect_utf16(void **state) {
  static const char text[] = "time\tcustomer\tkind\r\n2026-03-14T09:30:00Z\tc-1\tchurn\r\n1773480600\tc-2\tchurn\r\n";
  uint8_t buf[512];
  result *r = new_result();
  int be, bom;
  size_t len;
  (void)state;
  for (be = 0; be <= 1; be++) {
    for (bom = 0; bom <= 1; bom++) {
      len = to_utf16(buf, text, be, bom);
      ingest_both(r, (const char *)buf, len, NULL);
      assert_string_equal(r->log, "");
      assert_int_equal(r->stats.events, 2);
      assert_int_equal(r->stats.bytes, len);
    }
  }
  /* A character outside the BMP (a surrogate pair) arrives whole; a lone
   * surrogate is invalid text in a known field. */
  {
    static const uint8_t pair[] = {
        0xFF, 0xFE, 't',  0,    'i', 0, 'm', 0, 'e', 0, ',', 0, 'c', 0, 'u', 0, 's',  0, 't', 0, 'o', 0,
        'm',  0,    'e',  0,    'r', 0, ',', 0, 'k', 0, 'i', 0, 'n', 0, 'd', 0, '\n', 0, '0', 0, ',', 0,
        0x3D, 0xD8, 0x00, 0xDE, ',', 0, 'c', 0, 'h', 0, 'u', 0, 'r', 0, 'n', 0, '\n', 0, '0', 0, ',', 0,
        0x3D, 0xD8, 'x',  0,    ',', 0, 'c', 0, 'h', 0, 'u', 0, 'r', 0, 'n', 0, '\n', 0};
    ingest_both(r, (const char *)pair, sizeof pair, NULL);
    assert_string_equal(r->log, "3:customer:CXM_E_ENCODING\n");
    assert_int_equal(r->stats.events, 1);
  }
  test_free(r);
}

static void test_dialect_repeated_header(void **state) {
  static const char input[] =
      "time,customer,kind\n"
      "1773480600,c-1,churn\n"
      "time,customer,kind\n"
      "1773480600,c-2,churn\n"
      "\xef\xbb\xbftime,customer,kind\r\n"
      "1773480600,c-3,churn\n"
      "Time,customer,kind\n";
  result *r = new_result();
  (void)state;
  ingest_both(r, input, strlen(input), NULL);
  /* Byte-identical copies (a byte-order mark and CRLF allowed) are skipped
   * with a notice; another spelling is an ordinary (bad) row. */
  assert_string_equal(r->log, "3:*:CXM_REPEATED_HEADER\n5:*:CXM_REPEATED_HEADER\n7:time:CXM_E_TIME\n");
  assert_int_equal(r->stats.rows, 4);
  assert_int_equal(r->stats.events, 3);
  assert_int_equal(r->stats.warnings, 2);
  test_free(r);
}

static void test_dialect_options_size(void **state) {
  cxm_store *store = NULL;
  cxm_reader *reader = NULL;
  cxm_reader_options o;
  result *r = new_result();
  (void)state;
  assert_int_equal(cxm_store_new(&store, NULL), CXM_OK);
  cxm_reader_options_init(&o);
  assert_int_equal(o.size, sizeof o);
  assert_int_equal(o.delimiter, 0);
  assert_int_equal(o.trim, 1);
  assert_int_equal(o.assume_offset, 0);
  assert_null(o.time_format);
  /* A caller of the first version: the new fields take their defaults,
   * whatever lies past its struct. */
  o.size = CXM_READER_OPTIONS_SIZE_0;
  o.delimiter = 99;
  o.trim = 7;
  assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_OK);
  cxm_reader_free(reader);
  /* A size between versions reads the fields it covers (docs/api.md,
   * "Structs that grow"): here the delimiter 99, refused; below the first
   * version it is no size of this struct. */
  o.size = CXM_READER_OPTIONS_SIZE_0 + 4;
  assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_E_OPTION);
  o.size = CXM_READER_OPTIONS_SIZE_0 - 1;
  assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_E_SIZE);
  cxm_reader_options_init(&o);
  o.delimiter = ':';
  assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_E_OPTION);
  o.delimiter = 0;
  o.trim = 2;
  assert_int_equal(cxm_reader_new(&reader, store, &o), CXM_E_OPTION);
  cxm_store_free(store);
  test_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_rows),
      cmocka_unit_test(test_bad_rows),
      cmocka_unit_test(test_reasons),
      cmocka_unit_test(test_amount_overflow),
      cmocka_unit_test(test_header),
      cmocka_unit_test(test_bom),
      cmocka_unit_test(test_mixed_file),
      cmocka_unit_test(test_no_trace),
      cmocka_unit_test(test_rating),
      cmocka_unit_test(test_duplicates),
      cmocka_unit_test(test_strict),
      cmocka_unit_test(test_rows_in_rounds),
      cmocka_unit_test(test_endless_line),
      cmocka_unit_test(test_overlong_record),
      cmocka_unit_test(test_jsonl),
      cmocka_unit_test(test_ingest_file),
      cmocka_unit_test(test_api_edges),
      cmocka_unit_test(test_out_of_memory),
      cmocka_unit_test(test_random_inputs),
      cmocka_unit_test(test_dialect_separator),
      cmocka_unit_test(test_dialect_header_names),
      cmocka_unit_test(test_segment_labels),
      cmocka_unit_test(test_dialect_trim),
      cmocka_unit_test(test_dialect_names_case),
      cmocka_unit_test(test_dialect_decimal_comma),
      cmocka_unit_test(test_dialect_time_format),
      cmocka_unit_test(test_dialect_zone),
      cmocka_unit_test(test_dialect_epoch_ms),
      cmocka_unit_test(test_dialect_utf16),
      cmocka_unit_test(test_dialect_repeated_header),
      cmocka_unit_test(test_dialect_options_size),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
