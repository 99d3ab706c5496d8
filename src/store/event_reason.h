/* Why the store refuses an event, in the reader's words: the sentence of
 * a rejected row (cxm/reader.h) and of cxm_store_record_ex()'s detail are
 * written here, once. */
#ifndef CXM_SRC_EVENT_REASON_H
#define CXM_SRC_EVENT_REASON_H

#include "cxm/event.h"
#include "common/strbuf.h"

/* The event field a status blames ("value"), or "*". */
const char *cxmi_event_column(int32_t status);

/* The value rule of a kind ("an integer 0..10"), NULL for kinds without a
 * value; must match docs/events.md. */
const char *cxmi_event_value_rule(int32_t kind);

/* Appends the sentence for event `e` refused with `status` ("value 11 for
 * kind nps is not an integer 0..10"). `value` is the value as written (the
 * reader's field text, `value_len` bytes), or NULL to write e->value. */
void cxmi_event_reason(cxmi_sb *b, const cxm_event *e, int32_t status, const uint8_t *value, size_t value_len);

#endif
