/* Tests of structs that grow (docs/api.md, "Structs that grow"): callers
 * built against an older and against a newer, zero-tailed layout both work
 * with this library; a newer caller that set a field the library does not
 * know, or a size below the first version, is CXM_E_SIZE; caller arrays
 * travel with their capacity (cxm_features_row_get, CXM_E_BUFFER). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "common/abi_check.h"
#include "cxm.h"

/* ---- the checker, on one struct in three versions ------------------------
 * The "library" below is built against version 2; a caller built against
 * version 1 (one field fewer) and one built against version 3 (one more)
 * both call it. */
typedef struct v1_opts {
  size_t size;
  int64_t a;
} v1_opts;
typedef struct v2_opts {
  size_t size;
  int64_t a;
  int64_t b; /* added in version 2; default 7 */
} v2_opts;
typedef struct v3_opts {
  size_t size;
  int64_t a;
  int64_t b;
  int64_t c; /* added in version 3: this library does not know it */
} v3_opts;
typedef struct v2_out {
  size_t size;
  int64_t x;
  int64_t y; /* added in version 2 */
} v2_out;
typedef struct v1_out {
  size_t size;
  int64_t x;
} v1_out;

#define V2_FIRST CXMI_SIZE_UPTO(v2_opts, a)

/* The library's function: reads options of any known version, writes a
 * result as large as the caller's struct allows. */
static int32_t lib_call(v2_out *out, const v2_opts *in) {
  v2_opts o = {sizeof o, 1, 7};
  v2_out r;
  if (!cxmi_size_ok(in, in->size, V2_FIRST, sizeof(v2_opts))) return CXM_E_SIZE;
  if (!cxmi_size_ok(out, out->size, CXMI_SIZE_UPTO(v2_out, x), sizeof(v2_out))) return CXM_E_SIZE;
  cxmi_struct_in(&o, in, sizeof o);
  r.size = sizeof r;
  r.x = o.a * 10;
  r.y = o.b * 10;
  cxmi_struct_out(out, &r, sizeof r);
  return CXM_OK;
}

static void test_older_caller(void **state) {
  (void)state;
  struct {
    v1_out out;
    int64_t canary;
  } o = {{sizeof(v1_out), 0}, 99};
  v1_opts in = {sizeof in, 3};
  assert_int_equal(lib_call((v2_out *)(void *)&o.out, (const v2_opts *)(const void *)&in), CXM_OK);
  assert_int_equal(o.out.x, 30);  /* its field read and its result written */
  assert_int_equal(o.canary, 99); /* nothing written past its struct */
  assert_int_equal(o.out.size, sizeof(v1_out));
}

static void test_newer_caller(void **state) {
  v3_opts in = {sizeof in, 3, 4, 0};
  struct {
    v2_out out;
    int64_t z; /* a version-3 result field */
  } o;
  (void)state;
  memset(&o, 0, sizeof o);
  o.out.size = sizeof o;
  assert_int_equal(lib_call(&o.out, (const v2_opts *)(const void *)&in), CXM_OK);
  assert_int_equal(o.out.x, 30);
  assert_int_equal(o.out.y, 40);
  assert_int_equal(o.z, 0); /* its zero tail stays zero */
  assert_int_equal(o.out.size, sizeof o);
  in.c = 5; /* a field this library would ignore */
  assert_int_equal(lib_call(&o.out, (const v2_opts *)(const void *)&in), CXM_E_SIZE);
}

static void test_bad_sizes(void **state) {
  v2_opts in = {sizeof in, 1, 2};
  v2_out out = {sizeof out, 0, 0};
  (void)state;
  in.size = V2_FIRST - 1;
  assert_int_equal(lib_call(&out, &in), CXM_E_SIZE);
  in.size = 0;
  assert_int_equal(lib_call(&out, &in), CXM_E_SIZE);
  in.size = sizeof in;
  out.size = sizeof(size_t);
  assert_int_equal(lib_call(&out, &in), CXM_E_SIZE);
  assert_false(cxmi_size_ok(&in, 2, 2, sizeof in)); /* never below the size field itself */
}

/* ---- the library's own structs ------------------------------------------ */

/* A public struct as a newer header would lay it out: ours plus a tail. */
#define NEWER(type)      \
  struct {               \
    type v;              \
    unsigned char t[24]; \
  }

static void record(cxm_store *s, const char *customer, int64_t t, int32_t kind, double value) {
  NEWER(cxm_event) e;
  memset(&e, 0, sizeof e);
  cxm_event_init(&e.v);
  e.v.size = sizeof e;
  e.v.customer = customer;
  e.v.customer_len = strlen(customer);
  e.v.time = t;
  e.v.kind = kind;
  e.v.has_value = 1;
  e.v.value = value;
  assert_int_equal(cxm_store_record(s, &e.v), CXM_OK);
  e.t[23] = 1;
  assert_int_equal(cxm_store_record(s, &e.v), CXM_E_SIZE);
  assert_int_equal(cxm_store_check(s, &e.v), CXM_E_SIZE);
}

static void test_public_structs_newer(void **state) {
  NEWER(cxm_store_options) so;
  NEWER(cxm_store_stats) st;
  NEWER(cxm_filter) fl;
  NEWER(cxm_reader_options) ro;
  NEWER(cxm_reader_stats) rs;
  cxm_store *s = NULL;
  cxm_reader *r = NULL;
  cxm_survey_acc acc, plain;
  (void)state;
  memset(&so, 0, sizeof so);
  cxm_store_options_init(&so.v);
  so.v.size = sizeof so;
  so.t[0] = 1;
  assert_int_equal(cxm_store_new(&s, &so.v), CXM_E_SIZE);
  so.t[0] = 0;
  so.v.size = offsetof(cxm_store_options, bucket_seconds) + sizeof so.v.bucket_seconds - 1; /* before 0.1's */
  assert_int_equal(cxm_store_new(&s, &so.v), CXM_E_SIZE);
  so.v.size = sizeof so;
  assert_int_equal(cxm_store_new(&s, &so.v), CXM_OK);

  record(s, "a", 86400, CXM_KIND_NPS, 10);
  record(s, "b", 86400, CXM_KIND_NPS, 3);

  memset(&st, 0, sizeof st);
  st.v.size = sizeof st;
  assert_int_equal(cxm_store_stats_get(&st.v, s), CXM_OK);
  assert_int_equal(st.v.events, 2);
  assert_int_equal(st.v.size, sizeof st);
  for (size_t i = 0; i < sizeof st.t; i++) assert_int_equal(st.t[i], 0);

  memset(&fl, 0, sizeof fl);
  cxm_filter_init(&fl.v);
  fl.v.size = sizeof fl;
  assert_int_equal(cxm_store_survey(&acc, s, &fl.v), CXM_OK);
  assert_int_equal(cxm_store_survey(&plain, s, NULL), CXM_OK);
  assert_memory_equal(&acc, &plain, sizeof acc);
  fl.t[5] = 2;
  assert_int_equal(cxm_store_survey(&acc, s, &fl.v), CXM_E_SIZE);

  memset(&ro, 0, sizeof ro);
  cxm_reader_options_init(&ro.v);
  ro.v.size = sizeof ro;
  assert_int_equal(cxm_reader_new(&r, s, &ro.v), CXM_OK);
  {
    static const char csv[] = "customer,time,kind,value\nc,1970-01-02T00:00:00Z,nps,9\n";
    assert_int_equal(cxm_reader_feed(r, (const uint8_t *)csv, sizeof csv - 1), CXM_OK);
  }
  assert_int_equal(cxm_reader_finish(r), CXM_OK);
  memset(&rs, 0, sizeof rs);
  rs.v.size = sizeof rs;
  assert_int_equal(cxm_reader_stats_get(&rs.v, r), CXM_OK);
  assert_int_equal(rs.v.size, sizeof rs);
  assert_int_equal(rs.v.events, 1);
  for (size_t i = 0; i < sizeof rs.t; i++) assert_int_equal(rs.t[i], 0);
  rs.t[0] = 1;
  assert_int_equal(cxm_reader_stats_get(&rs.v, r), CXM_E_SIZE);
  cxm_reader_free(r);
  ro.t[3] = 1;
  r = NULL;
  assert_int_equal(cxm_reader_new(&r, s, &ro.v), CXM_E_SIZE);
  assert_null(r);
  cxm_store_free(s);
}

/* ---- caller arrays with their capacity ---------------------------------- */

static void test_features_row_capacity(void **state) {
  cxm_store *s = NULL;
  cxm_features *f = NULL;
  cxm_feature_options fo;
  double v[CXM_FEATURE_COUNT + 2];
  uint32_t handle = 77;
  (void)state;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  record(s, "a", 86400, CXM_KIND_NPS, 2);
  cxm_feature_options_init(&fo);
  fo.cutoff = 10 * 86400;
  assert_int_equal(cxm_store_features(&f, s, &fo), CXM_OK);
  assert_int_equal(cxm_features_count(f), 1);

  for (size_t i = 0; i < sizeof v / sizeof *v; i++) v[i] = -1234.5;
  assert_int_equal(cxm_features_row_get(v, CXM_FEATURE_COUNT - 1, &handle, NULL, f, 0), CXM_E_BUFFER);
  assert_int_equal(cxm_features_row_get(v, 0, &handle, NULL, f, 0), CXM_E_BUFFER);
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) assert_true(v[i] == -1234.5); /* nothing written */
  assert_int_equal(handle, 77);

  assert_int_equal(cxm_features_row_get(v, sizeof v / sizeof *v, &handle, NULL, f, 0), CXM_OK);
  assert_int_equal(handle, 0);
  assert_true(v[CXM_FEATURE_DETRACTOR] == 1.0);
  assert_true(v[CXM_FEATURE_COUNT] == -1234.5); /* the spare capacity is left alone */
  assert_int_equal(cxm_features_row_get(v, CXM_FEATURE_COUNT, NULL, NULL, f, 1), CXM_E_NOT_FOUND);
  assert_int_equal(cxm_features_row_get(NULL, CXM_FEATURE_COUNT, NULL, NULL, f, 0), CXM_E_ARG);

  /* The 0.1 function writes the 13 values of 0.1, never more. */
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) v[i] = -1234.5;
  assert_int_equal(cxm_features_row(v, NULL, NULL, f, 0), CXM_OK);
  assert_true(v[12] != -1234.5);
  assert_true(v[13] == -1234.5);
  cxm_features_free(f);
  cxm_store_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_older_caller),
      cmocka_unit_test(test_newer_caller),
      cmocka_unit_test(test_bad_sizes),
      cmocka_unit_test(test_public_structs_newer),
      cmocka_unit_test(test_features_row_capacity),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
