/* Events written as table rows, for tests that build small stores by hand.
 * Include after <cmocka.h> (the helpers assert). */
#ifndef CXM_TEST_SPECS_H
#define CXM_TEST_SPECS_H

#include <math.h>
#include <string.h>

#include "cxm.h"

typedef struct spec {
  const char *customer;
  int64_t time;
  int32_t kind;
  double value; /* NAN: none */
  int32_t channel;
  const char *ref;
  int32_t dimension;
} spec;

static inline void spec_record(cxm_store *s, const spec *x) {
  cxm_event e;
  cxm_event_init(&e);
  e.customer = x->customer;
  e.customer_len = strlen(x->customer);
  e.time = x->time;
  e.kind = x->kind;
  e.has_value = !isnan(x->value);
  e.value = isnan(x->value) ? 0 : x->value;
  e.channel = x->channel;
  e.dimension = x->dimension;
  if (x->ref != NULL) {
    e.ref = x->ref;
    e.ref_len = strlen(x->ref);
  }
  assert_int_equal(cxm_store_record(s, &e), CXM_OK);
}

/* A new store holding `events`, recorded in order or in reverse. */
static inline cxm_store *spec_store(const spec *events, size_t n, int reversed) {
  cxm_store *s;
  size_t i;
  assert_int_equal(cxm_store_new(&s, NULL), CXM_OK);
  for (i = 0; i < n; i++) spec_record(s, &events[reversed ? n - 1 - i : i]);
  return s;
}

#endif
