/* Sentences for refused events; see event_reason.h. */
#include "store/event_reason.h"

const char *cxmi_event_value_rule(int32_t kind) {
  switch (kind) {
  case CXM_KIND_NPS: return "an integer 0..10";
  case CXM_KIND_CSAT: return "an integer 1..5";
  case CXM_KIND_CES:
  case CXM_KIND_EXPECTATION:
  case CXM_KIND_PERCEPTION:
  case CXM_KIND_RATING: return "an integer 1..7";
  case CXM_KIND_INTERNAL: return "a number 0..100";
  case CXM_KIND_PURCHASE: return "a number >= 0";
  default: return NULL;
  }
}

const char *cxmi_event_column(int32_t status) {
  switch (status) {
  case CXM_E_CUSTOMER: return "customer";
  case CXM_E_TIME: return "time";
  case CXM_E_KIND: return "kind";
  case CXM_E_VALUE: return "value";
  case CXM_E_CHANNEL: return "channel";
  case CXM_E_STAGE: return "stage";
  case CXM_E_SEGMENT: return "segment";
  case CXM_E_DIMENSION: return "dimension";
  case CXM_E_REF: return "ref";
  case CXM_E_EVENT_ID: return "id";
  case CXM_E_OVERFLOW: return "value"; /* a purchase day's sum (docs/events.md) */
  default: return "*";
  }
}

static void put_value(cxmi_sb *b, const cxm_event *e, const uint8_t *value, size_t value_len, int quoted) {
  if (value != NULL && quoted)
    cxmi_sb_quoted(b, value, value_len);
  else if (value != NULL)
    cxmi_sb_text(b, value, value_len, CXMI_QUOTE_MAX);
  else
    cxmi_sb_double(b, e->value);
}

void cxmi_event_reason(cxmi_sb *b, const cxm_event *e, int32_t status, const uint8_t *value, size_t value_len) {
  const char *kind = cxm_kind_name(e->kind);
  const char *rule = cxmi_event_value_rule(e->kind);
  switch (status) {
  case CXM_E_CUSTOMER:
    cxmi_sb_str(b, e->customer_len == 0 ? "customer is empty" : "customer longer than 128 bytes");
    break;
  case CXM_E_VALUE:
    if (!e->has_value) {
      cxmi_sb_str(b, "kind ");
      cxmi_sb_str(b, kind);
      cxmi_sb_str(b, " needs a value: ");
      cxmi_sb_str(b, rule ? rule : "a number");
    } else if (rule == NULL) {
      cxmi_sb_str(b, "kind ");
      cxmi_sb_str(b, kind);
      cxmi_sb_str(b, " takes no value, got ");
      put_value(b, e, value, value_len, 1);
    } else {
      cxmi_sb_str(b, "value ");
      put_value(b, e, value, value_len, 0);
      cxmi_sb_str(b, " for kind ");
      cxmi_sb_str(b, kind);
      cxmi_sb_str(b, " is not ");
      cxmi_sb_str(b, rule);
    }
    break;
  case CXM_E_DIMENSION:
    if (e->kind == CXM_KIND_RATING && e->dimension != 0) {
      cxmi_sb_str(b, "unknown attribute ");
      cxmi_sb_i64(b, e->dimension);
      cxmi_sb_str(b, ": not one of this store's (cxm_store_attribute())");
      break;
    }
    if (e->kind == CXM_KIND_RATING) {
      cxmi_sb_str(b, "kind rating needs a dimension (the attribute rated)");
      break;
    }
    cxmi_sb_str(b, "kind ");
    cxmi_sb_str(b, kind);
    cxmi_sb_str(b, e->dimension == CXM_DIMENSION_NONE ? " needs a dimension" : " takes no dimension");
    break;
  case CXM_E_REF:
    if (e->ref_len > CXM_MAX_ID_LEN) {
      cxmi_sb_str(b, "ref longer than 128 bytes");
    } else {
      cxmi_sb_str(b, "kind ");
      cxmi_sb_str(b, kind);
      cxmi_sb_str(b, " needs a ref");
    }
    break;
  case CXM_E_EVENT_ID: cxmi_sb_str(b, "id longer than 128 bytes"); break;
  case CXM_E_TIME:
    cxmi_sb_str(b, "time ");
    cxmi_sb_i64(b, e->time);
    cxmi_sb_str(b, " is not Unix seconds within years 1970..9999");
    break;
  case CXM_E_KIND:
    cxmi_sb_str(b, "unknown kind ");
    cxmi_sb_i64(b, e->kind);
    break;
  case CXM_E_CHANNEL:
    cxmi_sb_str(b, "unknown channel ");
    cxmi_sb_i64(b, e->channel);
    cxmi_sb_str(b, ": not a named channel nor one of this store's (cxm_store_channel())");
    break;
  case CXM_E_STAGE:
    cxmi_sb_str(b, "unknown stage ");
    cxmi_sb_i64(b, e->stage);
    break;
  case CXM_E_SEGMENT:
    cxmi_sb_str(b, "unknown segment ");
    cxmi_sb_i64(b, e->segment);
    cxmi_sb_str(b, ": not 0 nor one of this store's (cxm_store_segment())");
    break;
  case CXM_E_LIMIT: cxmi_sb_str(b, "the store is full (customers, channels or segments)"); break;
  case CXM_E_OVERFLOW:
    if (e->kind == CXM_KIND_PURCHASE) {
      /* The day's sum must stay finite (docs/events.md). */
      cxmi_sb_str(b, "the customer's purchases on this day would add up beyond the largest number");
      break;
    }
    cxmi_sb_str(b, cxm_status_str(status));
    break;
  default: cxmi_sb_str(b, cxm_status_str(status)); break;
  }
}
