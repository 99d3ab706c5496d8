/* Tests of the event record defaults and the name tables. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cxm.h"

static void test_init_defaults(void **state) {
  cxm_event e;
  (void)state;
  memset(&e, 0x5a, sizeof e);
  cxm_event_init(&e);
  assert_int_equal(e.size, sizeof e);
  assert_int_equal(e.has_value, 0);
  assert_int_equal(e.channel, CXM_CHANNEL_UNKNOWN);
  assert_int_equal(e.stage, CXM_STAGE_NONE);
  assert_int_equal(e.segment, CXM_SEGMENT_UNKNOWN);
  assert_int_equal(e.dimension, CXM_DIMENSION_NONE);
  assert_null(e.ref);
  assert_int_equal(e.ref_len, 0);
  assert_null(e.id);
  assert_int_equal(e.id_len, 0);
  cxm_event_init(NULL);
}

/* Every kind name of events.md parses back to its code. */
static void test_kinds(void **state) {
  static const char *const names[] = {"nps",
                                      "csat",
                                      "ces",
                                      "internal",
                                      "expectation",
                                      "perception",
                                      "contact_open",
                                      "contact_reply",
                                      "contact_resolve",
                                      "purchase",
                                      "complaint",
                                      "compliment",
                                      "churn",
                                      [CXM_KIND_CONTACT_REOPEN] = "contact_reopen",
                                      [CXM_KIND_CONTACT_TRANSFER] = "contact_transfer",
                                      [CXM_KIND_FOLLOWUP] = "followup",
                                      [CXM_KIND_SURVEY_SENT] = "survey_sent",
                                      [CXM_KIND_RATING] = "rating"};
  int32_t k, i;
  (void)state;
  assert_int_equal(sizeof names / sizeof names[0], CXM_KIND_COUNT);
  for (i = 0; i < CXM_KIND_COUNT; i++) {
    assert_non_null(names[i]);
    assert_string_equal(cxm_kind_name(i), names[i]);
    assert_int_equal(cxm_kind_parse(&k, names[i], strlen(names[i])), CXM_OK);
    assert_int_equal(k, i);
  }
  assert_null(cxm_kind_name(CXM_KIND_COUNT));
  assert_null(cxm_kind_name(-1));
  assert_int_equal(cxm_kind_parse(&k, "NPS", 3), CXM_E_KIND);
  assert_int_equal(cxm_kind_parse(&k, "np", 2), CXM_E_KIND);
  assert_int_equal(cxm_kind_parse(&k, "npss", 4), CXM_E_KIND);
  assert_int_equal(cxm_kind_parse(&k, "", 0), CXM_E_KIND);
  assert_int_equal(cxm_kind_parse(NULL, "nps", 3), CXM_E_ARG);
  /* length, not NUL, ends the name */
  assert_int_equal(cxm_kind_parse(&k, "csatX", 4), CXM_OK);
  assert_int_equal(k, CXM_KIND_CSAT);
}

static void test_stages_dimensions_channels(void **state) {
  int32_t v;
  (void)state;
  assert_int_equal(cxm_stage_parse(&v, "", 0), CXM_OK);
  assert_int_equal(v, CXM_STAGE_NONE);
  assert_int_equal(cxm_stage_parse(&v, "advocacy", 8), CXM_OK);
  assert_int_equal(v, CXM_STAGE_ADVOCACY);
  assert_int_equal(cxm_stage_parse(&v, "awareness", 9), CXM_OK);
  assert_int_equal(v, CXM_STAGE_AWARENESS);
  assert_int_equal(cxm_stage_parse(&v, "none", 4), CXM_E_STAGE); /* a report label, not a stage */
  assert_int_equal(cxm_stage_parse(&v, "loyalty", 7), CXM_E_STAGE);
  assert_string_equal(cxm_stage_name(CXM_STAGE_NONE), "none");
  assert_string_equal(cxm_stage_name(CXM_STAGE_USE), "use");
  assert_null(cxm_stage_name(CXM_STAGE_COUNT));

  assert_int_equal(cxm_dimension_parse(&v, "empathy", 7), CXM_OK);
  assert_int_equal(v, CXM_DIMENSION_EMPATHY);
  assert_int_equal(cxm_dimension_parse(&v, "", 0), CXM_OK);
  assert_int_equal(v, CXM_DIMENSION_NONE);
  assert_int_equal(cxm_dimension_parse(&v, "speed", 5), CXM_E_DIMENSION);
  assert_string_equal(cxm_dimension_name(CXM_DIMENSION_TANGIBLES), "tangibles");
  assert_null(cxm_dimension_name(6));

  assert_string_equal(cxm_channel_name(CXM_CHANNEL_UNKNOWN), "unknown");
  assert_string_equal(cxm_channel_name(CXM_CHANNEL_SOCIAL), "social");
  assert_null(cxm_channel_name(CXM_CHANNEL_FIRST_CUSTOM));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_init_defaults),
      cmocka_unit_test(test_kinds),
      cmocka_unit_test(test_stages_dimensions_channels),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
