/* Event record defaults and the names of kinds, channels, stages and
 * SERVQUAL dimensions (docs/events.md). */
#include "cxm/event.h"

#include <string.h>

static const char *const kind_names[CXM_KIND_COUNT] = {
    "nps",        "csat",         "ces",           "internal",        "expectation",
    "perception", "contact_open", "contact_reply", "contact_resolve", "purchase",
    "complaint",  "compliment",   "churn",         "contact_reopen",  "contact_transfer",
    "followup",   "survey_sent",  "rating"};

static const char *const channel_names[CXM_CHANNEL_FIRST_CUSTOM] = {"unknown", "email", "phone",  "chat",
                                                                    "web",     "store", "social", "app"};

static const char *const stage_names[CXM_STAGE_COUNT] = {
    "none", "awareness", "discovery", "attraction", "interaction", "purchase", "use", "cultivation", "advocacy"};

static const char *const dimension_names[CXM_DIMENSION_COUNT] = {"none",           "tangibles", "reliability",
                                                                 "responsiveness", "assurance", "empathy"};

void cxm_event_init(cxm_event *event) {
  if (event == NULL) return;
  memset(event, 0, sizeof *event);
  event->size = sizeof *event;
  event->kind = CXM_KIND_NPS;
  event->channel = CXM_CHANNEL_UNKNOWN;
  event->stage = CXM_STAGE_NONE;
  event->segment = CXM_SEGMENT_UNKNOWN;
  event->dimension = CXM_DIMENSION_NONE;
}

/* Index of `name` in `names`, or -1. */
static int32_t lookup(const char *const *names, int32_t count, const char *name, size_t len) {
  int32_t i;
  for (i = 0; i < count; i++)
    if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) return i;
  return -1;
}

const char *cxm_kind_name(int32_t kind) { return kind >= 0 && kind < CXM_KIND_COUNT ? kind_names[kind] : NULL; }

int32_t cxm_kind_parse(int32_t *kind, const char *name, size_t len) {
  int32_t i;
  if (kind == NULL || (name == NULL && len > 0)) return CXM_E_ARG;
  i = lookup(kind_names, CXM_KIND_COUNT, name, len);
  if (i < 0) return CXM_E_KIND;
  *kind = i;
  return CXM_OK;
}

const char *cxm_channel_name(int32_t channel) {
  return channel >= 0 && channel < CXM_CHANNEL_FIRST_CUSTOM ? channel_names[channel] : NULL;
}

const char *cxm_stage_name(int32_t stage) { return stage >= 0 && stage < CXM_STAGE_COUNT ? stage_names[stage] : NULL; }

int32_t cxm_stage_parse(int32_t *stage, const char *name, size_t len) {
  int32_t i;
  if (stage == NULL || (name == NULL && len > 0)) return CXM_E_ARG;
  if (len == 0) {
    *stage = CXM_STAGE_NONE;
    return CXM_OK;
  }
  /* "none" is how reports name the empty stage, not a stage a row may carry. */
  i = lookup(stage_names + 1, CXM_STAGE_COUNT - 1, name, len);
  if (i < 0) return CXM_E_STAGE;
  *stage = i + 1;
  return CXM_OK;
}

const char *cxm_dimension_name(int32_t dimension) {
  return dimension >= 0 && dimension < CXM_DIMENSION_COUNT ? dimension_names[dimension] : NULL;
}

int32_t cxm_dimension_parse(int32_t *dimension, const char *name, size_t len) {
  int32_t i;
  if (dimension == NULL || (name == NULL && len > 0)) return CXM_E_ARG;
  if (len == 0) {
    *dimension = CXM_DIMENSION_NONE;
    return CXM_OK;
  }
  i = lookup(dimension_names + 1, CXM_DIMENSION_COUNT - 1, name, len);
  if (i < 0) return CXM_E_DIMENSION;
  *dimension = i + 1;
  return CXM_OK;
}
