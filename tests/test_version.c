/* Tests of the version and status queries. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cxm.h"

static void test_version(void **state) {
  char buf[32];
  (void)state;
  assert_int_equal(cxm_version(), CXM_VERSION_NUMBER);
  assert_string_equal(cxm_version_string(), CXM_VERSION_STRING);
  snprintf(buf, sizeof buf, "%d.%d.%d", CXM_VERSION_MAJOR, CXM_VERSION_MINOR, CXM_VERSION_PATCH);
  assert_string_equal(buf, CXM_VERSION_STRING);
}

/* Every code from CXM_E_NOT_FILE to CXM_REPEATED_HEADER has its own name and
 * text; unknown codes get the fallback. */
static void test_status_strings(void **state) {
  int32_t i, j;
  (void)state;
  for (i = CXM_E_NOT_FILE; i <= CXM_REPEATED_HEADER; i++) {
    assert_string_not_equal(cxm_status_name(i), "CXM_UNKNOWN");
    assert_string_not_equal(cxm_status_str(i), "unknown status");
    for (j = CXM_E_NOT_FILE; j < i; j++) assert_string_not_equal(cxm_status_name(i), cxm_status_name(j));
  }
  assert_string_equal(cxm_status_name(CXM_E_VALUE), "CXM_E_VALUE");
  assert_string_equal(cxm_status_name(CXM_OK), "CXM_OK");
  assert_string_equal(cxm_status_name(12345), "CXM_UNKNOWN");
  assert_string_equal(cxm_status_str(-12345), "unknown status");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_version),
      cmocka_unit_test(test_status_strings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
