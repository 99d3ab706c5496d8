/* Filter validation and selection; see slice.h. */
#include "slice.h"
#include "abi_check.h"

int32_t cxmi_filter_resolve(cxm_filter *out, const cxm_store *s, const cxm_filter *f) {
  if (f == NULL) {
    cxm_filter_init(out);
    return CXM_OK;
  }
  if (!CXMI_STRUCT_OK(f, cxm_filter)) return CXM_E_SIZE;
  if (f->from > f->to) return CXM_E_WINDOW;
  if (f->from != INT64_MIN && f->from % s->bucket_seconds != 0) return CXM_E_WINDOW;
  if (f->to != INT64_MAX && f->to % s->bucket_seconds != 0) return CXM_E_WINDOW;
  if (f->channel != CXM_ANY &&
      (f->channel < 0 || (f->channel >= CXM_CHANNEL_FIRST_CUSTOM &&
                          (uint32_t)(f->channel - CXM_CHANNEL_FIRST_CUSTOM) >= s->channels.count)))
    return CXM_E_CHANNEL;
  if (f->stage != CXM_ANY && (f->stage < 0 || f->stage >= CXM_STAGE_COUNT)) return CXM_E_STAGE;
  if (f->segment != CXM_ANY &&
      (f->segment < 0 || (f->segment > 0 && (uint32_t)(f->segment - 1) >= s->segments.count)))
    return CXM_E_SEGMENT;
  *out = *f;
  return CXM_OK;
}

int cxmi_cell_selected(const cxm_store *s, const cxm_filter *f, const cxmi_cell *c) {
  /* Comparing bucket indexes avoids multiplying (which could overflow for
   * open bounds). */
  if (f->from != INT64_MIN && c->key.bucket < f->from / s->bucket_seconds) return 0;
  if (f->to != INT64_MAX && c->key.bucket >= f->to / s->bucket_seconds) return 0;
  if (f->channel != CXM_ANY && c->key.channel != f->channel) return 0;
  if (f->stage != CXM_ANY && c->key.stage != f->stage) return 0;
  if (f->segment != CXM_ANY && c->key.segment != f->segment) return 0;
  return 1;
}

int cxmi_item_selected(const cxm_filter *f, int64_t time, int32_t channel, int32_t stage, int32_t segment) {
  return time >= f->from && time < f->to && (f->channel == CXM_ANY || f->channel == channel) &&
         (f->stage == CXM_ANY || f->stage == stage) && (f->segment == CXM_ANY || f->segment == segment);
}
