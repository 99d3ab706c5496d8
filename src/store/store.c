/* The event store: validation, interning, duplicate detection, and
 * folding each event into its cell (see cxm/store.h). Every mutation is
 * reserve-then-commit, so a failed call leaves the store as it was. */
#include "store/store_internal.h"

#include "common/abi_check.h"
#include "common/compiler.h"
#include "store/event_reason.h"
#include "common/hash.h"

#include <math.h>
#include <string.h>

void cxm_store_options_init(cxm_store_options *options) {
  if (options == NULL) return;
  memset(options, 0, sizeof *options);
  options->size = sizeof *options;
  options->allocator = NULL;
  options->bucket_seconds = 86400;
}

int32_t cxm_store_new(cxm_store **out, const cxm_store_options *options) {
  cxm_store_options o;
  cxmi_alloc alloc;
  cxm_store *s;
  int32_t rc;
  if (out == NULL) return CXM_E_ARG;
  *out = NULL; /* on any failure (docs/api.md) */
  cxm_store_options_init(&o);
  if (options != NULL) {
    if (!CXMI_STRUCT_OK(options, cxm_store_options)) return CXM_E_SIZE;
    cxmi_struct_in(&o, options, sizeof o);
  }
  if (o.bucket_seconds <= 0 || 86400 % o.bucket_seconds != 0) return CXM_E_OPTION;
  if ((o.omit & ~(CXM_OMIT_CUSTOMER_DAYS | CXM_OMIT_CUSTOMER_FIRSTS)) != 0) return CXM_E_OPTION;
  rc = cxmi_alloc_init(&alloc, o.allocator);
  if (rc != CXM_OK) return CXM_E_OPTION;
  s = cxmi_malloc(&alloc, sizeof *s);
  if (s == NULL) return CXM_E_NOMEM;
  memset(s, 0, sizeof *s);
  s->alloc = alloc;
  s->bucket_seconds = o.bucket_seconds;
  s->omit = o.omit;
  cxmi_intern_init(&s->customers, CXMI_MAX_CUSTOMERS);
  cxmi_intern_init_set(&s->event_ids, CXMI_MAX_EVENT_IDS);
  cxmi_intern_init(&s->channels, CXMI_MAX_CUSTOM_CHANNELS);
  cxmi_intern_init(&s->segments, CXMI_MAX_SEGMENTS);
  cxmi_cube_init(&s->cube);
  cxmi_interactions_init(&s->interactions);
  cxmi_loop_init(&s->loop);
  cxmi_ratings_init(&s->ratings);
  cxmi_keymap_init(&s->servqual_keys);
  cxmi_keymap_init(&s->churned);
  cxmi_daymap_init(&s->purchase_days);
  s->first = INT64_MAX;
  s->last = INT64_MIN;
  *out = s;
  return CXM_OK;
}

void cxm_store_free(cxm_store *store) {
  cxmi_alloc alloc;
  if (store == NULL) return;
  cxmi_intern_free(&store->customers, &store->alloc);
  cxmi_intern_free(&store->event_ids, &store->alloc);
  cxmi_intern_free(&store->channels, &store->alloc);
  cxmi_intern_free(&store->segments, &store->alloc);
  cxmi_cube_free(&store->cube, &store->alloc);
  cxmi_interactions_free(&store->interactions, &store->alloc);
  cxmi_loop_free(&store->loop, &store->alloc);
  cxmi_ratings_free(&store->ratings, &store->alloc);
  cxmi_keymap_free(&store->servqual_keys, &store->alloc);
  cxmi_free(&store->alloc, store->servqual, (size_t)store->servqual_cap * sizeof *store->servqual);
  cxmi_keymap_free(&store->churned, &store->alloc);
  cxmi_daymap_free(&store->purchase_days, &store->alloc);
  cxmi_free(&store->alloc, store->info, (size_t)store->info_cap * sizeof *store->info);
  alloc = store->alloc;
  cxmi_free(&alloc, store, sizeof *store);
}

cxmi_alloc *cxmi_store_alloc(cxm_store *store) { return &store->alloc; }

const cxm_allocator *cxmi_store_hooks(const cxm_store *store) { return &store->alloc.hooks; }

/* ---- interning ---------------------------------------------------------- */

/* Find or add `s` in `t`; `*created` tells which. */
static int32_t intern(uint32_t *index, cxm_store *store, cxmi_intern *t, const char *s, size_t len) {
  uint64_t h = cxmi_hash_bytes(s, len);
  int64_t found = cxmi_intern_find(t, s, len, h);
  int32_t rc;
  if (found >= 0) {
    *index = (uint32_t)found;
    return CXM_OK;
  }
  rc = cxmi_intern_reserve(t, &store->alloc, len);
  if (rc != CXM_OK) return rc;
  *index = cxmi_intern_commit(t, s, len, h);
  return CXM_OK;
}

static int valid_id(const char *id, size_t len) { return id != NULL && len >= 1 && len <= CXM_MAX_ID_LEN; }

int32_t cxm_store_customer(uint32_t *handle, cxm_store *store, const char *id, size_t len) {
  if (handle == NULL || store == NULL) return CXM_E_ARG;
  if (!valid_id(id, len)) return id == NULL && len > 0 ? CXM_E_ARG : CXM_E_CUSTOMER;
  return intern(handle, store, &store->customers, id, len);
}

int32_t cxm_store_find_customer(uint32_t *handle, const cxm_store *store, const char *id, size_t len) {
  int64_t found;
  if (handle == NULL || store == NULL) return CXM_E_ARG;
  if (!valid_id(id, len)) return id == NULL && len > 0 ? CXM_E_ARG : CXM_E_CUSTOMER;
  found = cxmi_intern_find(&store->customers, id, len, cxmi_hash_bytes(id, len));
  if (found < 0) return CXM_E_NOT_FOUND;
  *handle = (uint32_t)found;
  return CXM_OK;
}

int32_t cxm_store_customer_id(const char **id, size_t *len, const cxm_store *store, uint32_t handle) {
  if (id == NULL || len == NULL || store == NULL) return CXM_E_ARG;
  if (handle >= store->customers.count) return CXM_E_HANDLE;
  *id = cxmi_intern_str(&store->customers, handle, len);
  return CXM_OK;
}

/* A custom channel token matches [a-z0-9_-]{1,32}. */
static int valid_channel_token(const char *s, size_t len) {
  size_t i;
  if (len == 0 || len > CXM_MAX_CHANNEL_LEN) return 0;
  for (i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return 0;
  }
  return 1;
}

/* A channel token's code: a named channel's enum value, the empty token's
 * CXM_CHANNEL_UNKNOWN, or a custom token's interned index (`found` < 0 when
 * the store has not seen it). CXM_OK or CXM_E_CHANNEL. */
static int32_t channel_code(int32_t *named, int64_t *found, const cxm_store *store, const char *token, size_t len) {
  int32_t i;
  *named = -1;
  *found = -1;
  if (len == 0) {
    *named = CXM_CHANNEL_UNKNOWN;
    return CXM_OK;
  }
  if (!valid_channel_token(token, len)) return CXM_E_CHANNEL;
  /* "unknown" is the name of the empty channel; the other names are the
   * seven named channels. */
  for (i = 0; i < CXM_CHANNEL_FIRST_CUSTOM; i++) {
    const char *name = cxm_channel_name(i);
    if (strlen(name) == len && memcmp(name, token, len) == 0) {
      *named = i;
      return CXM_OK;
    }
  }
  *found = cxmi_intern_find(&store->channels, token, len, cxmi_hash_bytes(token, len));
  return CXM_OK;
}

int32_t cxm_store_channel(int32_t *channel, cxm_store *store, const char *token, size_t len) {
  int32_t named, rc;
  int64_t found;
  uint32_t index;
  if (channel == NULL || store == NULL || (token == NULL && len > 0)) return CXM_E_ARG;
  rc = channel_code(&named, &found, store, token, len);
  if (rc != CXM_OK) return rc;
  if (named >= 0) {
    *channel = named;
    return CXM_OK;
  }
  rc = intern(&index, store, &store->channels, token, len);
  if (rc != CXM_OK) return rc;
  *channel = CXM_CHANNEL_FIRST_CUSTOM + (int32_t)index;
  return CXM_OK;
}

int32_t cxm_store_find_channel(int32_t *channel, const cxm_store *store, const char *token, size_t len) {
  int32_t named, rc;
  int64_t found;
  if (channel == NULL || store == NULL || (token == NULL && len > 0)) return CXM_E_ARG;
  rc = channel_code(&named, &found, store, token, len);
  if (rc != CXM_OK) return rc;
  if (named >= 0) {
    *channel = named;
    return CXM_OK;
  }
  if (found < 0) return CXM_E_NOT_FOUND;
  *channel = CXM_CHANNEL_FIRST_CUSTOM + (int32_t)found;
  return CXM_OK;
}

static int has_control_byte(const char *s, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f) return 1;
  }
  return 0;
}

/* The empty label and "unknown", the name the store gives code 0 (as
 * "unknown" is the empty channel's name): one segment, so a name the
 * store prints always looks up the same segment (docs/events.md). */
static int is_unknown_segment(const char *label, size_t len) {
  return len == 0 || (len == 7 && memcmp(label, "unknown", 7) == 0);
}

int32_t cxm_store_segment(int32_t *segment, cxm_store *store, const char *label, size_t len) {
  uint32_t index;
  int32_t rc;
  if (segment == NULL || store == NULL || (label == NULL && len > 0)) return CXM_E_ARG;
  if (is_unknown_segment(label, len)) {
    *segment = CXM_SEGMENT_UNKNOWN;
    return CXM_OK;
  }
  if (len > CXM_MAX_SEGMENT_LEN || has_control_byte(label, len)) return CXM_E_SEGMENT;
  rc = intern(&index, store, &store->segments, label, len);
  if (rc != CXM_OK) return rc;
  *segment = 1 + (int32_t)index;
  return CXM_OK;
}

int32_t cxm_store_find_segment(int32_t *segment, const cxm_store *store, const char *label, size_t len) {
  int64_t found;
  if (segment == NULL || store == NULL || (label == NULL && len > 0)) return CXM_E_ARG;
  if (is_unknown_segment(label, len)) {
    *segment = CXM_SEGMENT_UNKNOWN;
    return CXM_OK;
  }
  if (len > CXM_MAX_SEGMENT_LEN || has_control_byte(label, len)) return CXM_E_SEGMENT;
  found = cxmi_intern_find(&store->segments, label, len, cxmi_hash_bytes(label, len));
  if (found < 0) return CXM_E_NOT_FOUND;
  *segment = 1 + (int32_t)found;
  return CXM_OK;
}

static int32_t attribute_label_ok(const char *label, size_t len) {
  return len >= 1 && len <= CXM_MAX_ATTRIBUTE_LEN && !has_control_byte(label, len);
}

int32_t cxm_store_attribute(int32_t *attribute, cxm_store *store, const char *label, size_t len) {
  uint32_t index;
  int32_t rc;
  if (attribute == NULL || store == NULL || (label == NULL && len > 0)) return CXM_E_ARG;
  if (!attribute_label_ok(label, len)) return CXM_E_DIMENSION;
  rc = intern(&index, store, &store->ratings.attributes, label, len);
  if (rc != CXM_OK) return rc;
  *attribute = 1 + (int32_t)index;
  return CXM_OK;
}

int32_t cxm_store_find_attribute(int32_t *attribute, const cxm_store *store, const char *label, size_t len) {
  int64_t found;
  if (attribute == NULL || store == NULL || (label == NULL && len > 0)) return CXM_E_ARG;
  if (!attribute_label_ok(label, len)) return CXM_E_DIMENSION;
  found = cxmi_intern_find(&store->ratings.attributes, label, len, cxmi_hash_bytes(label, len));
  if (found < 0) return CXM_E_NOT_FOUND;
  *attribute = 1 + (int32_t)found;
  return CXM_OK;
}

int32_t cxm_store_attribute_name(const char **name, size_t *len, const cxm_store *store, int32_t attribute) {
  if (name == NULL || len == NULL || store == NULL) return CXM_E_ARG;
  if (attribute < 1 || (uint32_t)(attribute - 1) >= store->ratings.attributes.count) return CXM_E_DIMENSION;
  *name = cxmi_intern_str(&store->ratings.attributes, (uint32_t)(attribute - 1), len);
  return CXM_OK;
}

int32_t cxm_store_channel_name(const char **name, size_t *len, const cxm_store *store, int32_t channel) {
  if (name == NULL || len == NULL || store == NULL) return CXM_E_ARG;
  if (channel >= 0 && channel < CXM_CHANNEL_FIRST_CUSTOM) {
    *name = cxm_channel_name(channel);
    *len = strlen(*name);
    return CXM_OK;
  }
  if (channel < 0 || (uint32_t)(channel - CXM_CHANNEL_FIRST_CUSTOM) >= store->channels.count) return CXM_E_CHANNEL;
  *name = cxmi_intern_str(&store->channels, (uint32_t)(channel - CXM_CHANNEL_FIRST_CUSTOM), len);
  return CXM_OK;
}

int32_t cxm_store_segment_name(const char **name, size_t *len, const cxm_store *store, int32_t segment) {
  if (name == NULL || len == NULL || store == NULL) return CXM_E_ARG;
  if (segment == CXM_SEGMENT_UNKNOWN) {
    *name = "unknown";
    *len = 7;
    return CXM_OK;
  }
  if (segment < 0 || (uint32_t)(segment - 1) >= store->segments.count) return CXM_E_SEGMENT;
  *name = cxmi_intern_str(&store->segments, (uint32_t)(segment - 1), len);
  return CXM_OK;
}

/* ---- validation --------------------------------------------------------- */

/* Whether `v` is an integer within [lo, hi]. */
static int integer_in(double v, double lo, double hi) { return v >= lo && v <= hi && v == floor(v); }

static int32_t check_value(const cxm_event *e) {
  double v = e->value;
  switch (e->kind) {
  case CXM_KIND_NPS: return e->has_value && integer_in(v, 0, 10) ? CXM_OK : CXM_E_VALUE;
  case CXM_KIND_CSAT: return e->has_value && integer_in(v, 1, 5) ? CXM_OK : CXM_E_VALUE;
  case CXM_KIND_CES:
  case CXM_KIND_EXPECTATION:
  case CXM_KIND_PERCEPTION:
  case CXM_KIND_RATING: return e->has_value && integer_in(v, 1, 7) ? CXM_OK : CXM_E_VALUE;
  case CXM_KIND_INTERNAL: return e->has_value && v >= 0 && v <= 100 ? CXM_OK : CXM_E_VALUE;
  case CXM_KIND_PURCHASE:
    /* isfinite, and the comparison rejects NaN. */
    return e->has_value && v >= 0 && isfinite(v) ? CXM_OK : CXM_E_VALUE;
  default: return e->has_value ? CXM_E_VALUE : CXM_OK;
  }
}

static int needs_ref(int32_t kind) {
  return kind == CXM_KIND_CONTACT_OPEN || kind == CXM_KIND_CONTACT_REPLY || kind == CXM_KIND_CONTACT_RESOLVE ||
         kind == CXM_KIND_CONTACT_REOPEN || kind == CXM_KIND_CONTACT_TRANSFER || kind == CXM_KIND_FOLLOWUP;
}

static int takes_dimension(int32_t kind) {
  return kind == CXM_KIND_EXPECTATION || kind == CXM_KIND_PERCEPTION || kind == CXM_KIND_RATING;
}

/* Every check but the customer id, in a fixed order so that the status of
 * an event with several faults is predictable: time, kind, value, channel,
 * stage, segment, dimension, ref, id. */
static int32_t check_fields(const cxm_store *store, const cxm_event *e, int attribute_pending) {
  int32_t rc;
  if (!CXMI_STRUCT_OK(e, cxm_event)) return CXM_E_SIZE;
  if (e->time < CXM_TIME_MIN || e->time > CXM_TIME_MAX) return CXM_E_TIME;
  if (e->kind < 0 || e->kind >= CXM_KIND_COUNT) return CXM_E_KIND;
  rc = check_value(e);
  if (rc != CXM_OK) return rc;
  if (e->channel < 0 || (e->channel >= CXM_CHANNEL_FIRST_CUSTOM &&
                         (uint32_t)(e->channel - CXM_CHANNEL_FIRST_CUSTOM) >= store->channels.count))
    return CXM_E_CHANNEL;
  if (e->stage < 0 || e->stage >= CXM_STAGE_COUNT) return CXM_E_STAGE;
  if (e->segment < 0 || (e->segment > 0 && (uint32_t)(e->segment - 1) >= store->segments.count)) return CXM_E_SEGMENT;
  if (e->kind == CXM_KIND_RATING) {
    /* a rating's dimension is an attribute code of this store */
    if (e->dimension == 0 ? !attribute_pending
                          : e->dimension < 0 || (uint32_t)(e->dimension - 1) >= store->ratings.attributes.count)
      return CXM_E_DIMENSION;
  } else {
    if (e->dimension < 0 || e->dimension >= CXM_DIMENSION_COUNT) return CXM_E_DIMENSION;
    if (takes_dimension(e->kind) != (e->dimension != CXM_DIMENSION_NONE)) return CXM_E_DIMENSION;
  }
  if (e->ref_len > CXM_MAX_ID_LEN || (e->ref == NULL && e->ref_len > 0)) return CXM_E_REF;
  if (needs_ref(e->kind) && e->ref_len == 0) return CXM_E_REF;
  if (e->id_len > CXM_MAX_ID_LEN || (e->id == NULL && e->id_len > 0)) return CXM_E_EVENT_ID;
  return CXM_OK;
}

int32_t cxmi_store_check_pending(const cxm_store *store, const cxm_event *event, int attribute_pending) {
  if (store == NULL || event == NULL) return CXM_E_ARG;
  if (CXMI_STRUCT_OK(event, cxm_event) && !valid_id(event->customer, event->customer_len)) return CXM_E_CUSTOMER;
  return check_fields(store, event, attribute_pending);
}

int32_t cxm_store_check(const cxm_store *store, const cxm_event *event) {
  return cxmi_store_check_pending(store, event, 0);
}

/* ---- what each customer came through first -------------------------------- */

int32_t cxmi_store_info_reserve(cxm_store *s, uint64_t count) {
  if (count > s->info_cap) {
    uint64_t cap = s->info_cap == 0 ? 64 : s->info_cap;
    cxmi_customer_info *p;
    while (cap < count) cap *= 2;
    if (cap > UINT32_MAX) cap = UINT32_MAX;
    if (count > cap) return CXM_E_NOMEM;
    p = cxmi_realloc(&s->alloc, s->info, (size_t)s->info_cap * sizeof *p, (size_t)cap * sizeof *p);
    if (p == NULL) return CXM_E_NOMEM;
    s->info = p;
    s->info_cap = (uint32_t)cap;
  }
  while (s->info_count < count) {
    cxmi_customer_info *c = &s->info[s->info_count++];
    c->channel_time = c->segment_time = INT64_MAX;
    c->channel = CXM_CHANNEL_UNKNOWN;
    c->segment = CXM_SEGMENT_UNKNOWN;
  }
  return CXM_OK;
}

void cxmi_store_info_offer(cxm_store *s, uint32_t customer, int64_t channel_time, int32_t channel, int64_t segment_time,
                           int32_t segment) {
  cxmi_customer_info *c = &s->info[customer];
  /* strictly earlier: of equal times the first recorded stays */
  if (channel != CXM_CHANNEL_UNKNOWN && channel_time < c->channel_time) {
    c->channel_time = channel_time;
    c->channel = channel;
  }
  if (segment != CXM_SEGMENT_UNKNOWN && segment_time < c->segment_time) {
    c->segment_time = segment_time;
    c->segment = segment;
  }
}

/* ---- recording ---------------------------------------------------------- */

/* Whether an event leaves a trace in its customer's day (cxmi_day_slot):
 * purchases and the customer's own touchpoints (survey answers, complaints,
 * compliments); contacts are kept per interaction. */
static int cxmi_day_event(const cxm_store *s, const cxm_event *e) {
  return (s->omit & CXM_OMIT_CUSTOMER_DAYS) == 0 &&
         (e->kind == CXM_KIND_PURCHASE || e->kind == CXM_KIND_NPS || e->kind == CXM_KIND_CSAT ||
          e->kind == CXM_KIND_CES || e->kind == CXM_KIND_COMPLAINT || e->kind == CXM_KIND_COMPLIMENT);
}

/* Whether an event may change its customer's first channel or segment. */
static int firsts_event(const cxm_store *s, const cxm_event *e) {
  return (s->omit & CXM_OMIT_CUSTOMER_FIRSTS) == 0 &&
         (e->channel != CXM_CHANNEL_UNKNOWN || e->segment != CXM_SEGMENT_UNKNOWN);
}

static uint16_t inc16(uint16_t v) { return v == UINT16_MAX ? v : (uint16_t)(v + 1); }

/* Fold an event into its customer's day. Of several NPS answers in one
 * day, the two latest are kept (ties: input order, the later one wins). */
static void record_day(cxmi_day_slot *d, const cxm_event *e) {
  int32_t at = (int32_t)(e->time % 86400);
  switch (e->kind) {
  case CXM_KIND_PURCHASE:
    d->amount += e->value;
    if (d->purchases < UINT32_MAX) d->purchases++;
    break;
  case CXM_KIND_COMPLAINT: d->complaints = inc16(d->complaints); break;
  case CXM_KIND_COMPLIMENT: d->compliments = inc16(d->compliments); break;
  case CXM_KIND_CES:
    if (e->value <= 3) d->high_effort = inc16(d->high_effort);
    break;
  case CXM_KIND_CSAT: break; /* a touchpoint: the slot itself records it */
  default:                   /* NPS */
    if (d->nps_last == 0 || at >= d->nps_last_at) {
      d->nps_prev = d->nps_last;
      d->nps_prev_at = d->nps_last_at;
      d->nps_last = (uint8_t)(e->value + 1);
      d->nps_last_at = at;
    } else if (d->nps_prev == 0 || at >= d->nps_prev_at) {
      d->nps_prev = (uint8_t)(e->value + 1);
      d->nps_prev_at = at;
    }
    break;
  }
}

/* What an event will do to the side tables, found while reserving. */
typedef struct side_plan {
  uint64_t ref_hash;
  int64_t interaction;  /* record index, -1 for a new ref */
  uint64_t key;         /* SERVQUAL or churn key */
  int64_t key_index;    /* -1 for a new key */
  int64_t loop_ref;     /* the survey log's ref index, -1 for a new ref or none */
  uint64_t loop_hash;   /* the ref's hash for the survey log */
  int64_t rating_ref;   /* the rating log's ref index, -1 for a new ref or none */
  uint64_t rating_hash; /* the ref's hash for the rating log */
} side_plan;

/* Reserve room in the side tables (interactions, SERVQUAL answers, churned
 * customers) for an event of `customer` in cell `cell`. */
static int32_t reserve_side_tables(cxm_store *s, const cxm_event *e, uint32_t customer, uint32_t cell,
                                   uint64_t ref_hash, side_plan *plan) {
  int32_t rc;
  memset(plan, 0, sizeof *plan);
  plan->interaction = -1;
  plan->key_index = -1;
  if (cxmi_interactions_wants(e)) {
    plan->ref_hash = ref_hash != 0 ? ref_hash : cxmi_hash_bytes(e->ref, e->ref_len);
    rc = cxmi_interactions_reserve(&plan->interaction, &s->interactions, &s->alloc, e, plan->ref_hash);
    if (rc != CXM_OK) return rc;
  }
  if (cxmi_loop_wants(e)) {
    plan->loop_hash = plan->ref_hash != 0 ? plan->ref_hash : ref_hash;
    rc = cxmi_loop_reserve(&plan->loop_ref, &plan->loop_hash, &s->loop, &s->alloc, e);
    if (rc != CXM_OK) return rc;
  }
  if (cxmi_ratings_wants(e)) {
    plan->rating_hash = plan->ref_hash != 0 ? plan->ref_hash : ref_hash;
    rc = cxmi_ratings_reserve(&plan->rating_ref, &plan->rating_hash, &s->ratings, &s->alloc, e);
    if (rc != CXM_OK) return rc;
  }
  if (e->kind == CXM_KIND_EXPECTATION || e->kind == CXM_KIND_PERCEPTION) {
    plan->key = CXMI_SERVQUAL_KEY(customer, cell, e->dimension);
    plan->key_index = cxmi_keymap_find(&s->servqual_keys, plan->key);
    if (plan->key_index >= 0) {
      const cxmi_servqual_answers *q = &s->servqual[plan->key_index];
      if ((e->kind == CXM_KIND_EXPECTATION ? q->expectation_n : q->perception_n) == UINT32_MAX) return CXM_E_OVERFLOW;
    } else {
      rc = cxmi_keymap_reserve(&s->servqual_keys, &s->alloc);
      if (rc != CXM_OK) return rc;
      if (s->servqual_keys.count == s->servqual_cap) {
        uint32_t cap = s->servqual_cap == 0 ? 16 : s->servqual_cap * 2;
        cxmi_servqual_answers *q = cxmi_realloc(&s->alloc, s->servqual, (size_t)s->servqual_cap * sizeof *q,
                                                (size_t)cap * sizeof *q);
        if (q == NULL) return CXM_E_NOMEM;
        s->servqual = q;
        s->servqual_cap = cap;
      }
    }
  }
  if (cxmi_day_event(s, e)) {
    plan->key = CXMI_PURCHASE_KEY(customer, e->time / 86400);
    /* Reserving may grow the table even when the day exists: harmless. */
    rc = cxmi_daymap_reserve(&s->purchase_days, &s->alloc);
    if (rc != CXM_OK) return rc;
  }
  if (e->kind == CXM_KIND_CHURN) {
    plan->key = CXMI_CHURN_KEY(customer, cell);
    plan->key_index = cxmi_keymap_find(&s->churned, plan->key);
    if (plan->key_index < 0) {
      rc = cxmi_keymap_reserve(&s->churned, &s->alloc);
      if (rc != CXM_OK) return rc;
    }
  }
  return CXM_OK;
}

static void commit_side_tables(cxm_store *s, const cxm_event *e, uint32_t customer, const side_plan *plan) {
  if (cxmi_interactions_wants(e))
    cxmi_interactions_commit(&s->interactions, plan->interaction, e, plan->ref_hash, customer);
  /* An answer's ref is its interaction's: a new one was just appended. */
  if (cxmi_loop_wants(e))
    cxmi_loop_commit(&s->loop, plan->loop_ref, plan->loop_hash, e, customer,
                     plan->interaction >= 0 ? (uint32_t)plan->interaction : s->interactions.refs.count - 1);
  if (e->kind == CXM_KIND_EXPECTATION || e->kind == CXM_KIND_PERCEPTION) {
    cxmi_servqual_answers *q;
    int64_t at = plan->key_index;
    if (at < 0) {
      at = cxmi_keymap_commit(&s->servqual_keys, plan->key);
      memset(&s->servqual[at], 0, sizeof s->servqual[at]);
    }
    q = &s->servqual[at];
    if (e->kind == CXM_KIND_EXPECTATION) {
      q->expectation_n++;
      q->expectation_sum += (uint64_t)e->value;
    } else {
      q->perception_n++;
      q->perception_sum += (uint64_t)e->value;
    }
  }
  if (cxmi_ratings_wants(e)) cxmi_ratings_commit(&s->ratings, plan->rating_ref, plan->rating_hash, e, customer);
  if (e->kind == CXM_KIND_CHURN && plan->key_index < 0) (void)cxmi_keymap_commit(&s->churned, plan->key);
  if (cxmi_day_event(s, e)) record_day(cxmi_daymap_get(&s->purchase_days, plan->key), e);
}

/* Fold a validated event into the store. `customer_hash` and `customer_index`
 * describe the customer: index < 0 means "new, intern `event->customer`". */
static int32_t commit_event(cxm_store *s, const cxm_event *e, int64_t customer_index, uint64_t customer_hash,
                            uint64_t id_hash, uint64_t ref_hash) {
  cxmi_cell_key key;
  uint64_t key_hash = 0;
  int64_t cell = -1;
  int32_t rc, answer = -1;
  uint64_t *count = NULL;
  side_plan side;

  if (e->id_len > 0) {
    if (cxmi_intern_find(&s->event_ids, e->id, e->id_len, id_hash) >= 0) {
      s->duplicates++;
      return CXM_DUPLICATE;
    }
  }

  key.bucket = e->time / s->bucket_seconds;
  key.channel = e->channel;
  key.stage = e->stage;
  key.segment = e->segment;
  key.unused = 0;
  if (s->cube.count > 0 && cxmi_cell_key_equal(&s->cube.cells[s->last_cell].key, &key)) {
    cell = s->last_cell;
  } else {
    key_hash = cxmi_cell_key_hash(&key);
    cell = cxmi_cube_find(&s->cube, &key, key_hash);
  }

  /* Overflow is checked before anything changes. */
  switch (e->kind) {
  case CXM_KIND_NPS: answer = (int32_t)e->value; break;
  case CXM_KIND_CSAT: answer = (int32_t)e->value - 1; break;
  case CXM_KIND_CES: answer = (int32_t)e->value - 1; break;
  default: break;
  }
  if (cell >= 0) {
    cxmi_cell *c = &s->cube.cells[cell];
    if (c->events == UINT64_MAX) return CXM_E_OVERFLOW;
    if (answer >= 0) {
      count = e->kind == CXM_KIND_NPS    ? &c->survey.nps.count[answer]
              : e->kind == CXM_KIND_CSAT ? &c->survey.csat.count[answer]
                                         : &c->survey.ces.count[answer];
      if (*count == UINT64_MAX) return CXM_E_OVERFLOW;
    }
  } else if (s->cube.count >= CXMI_MAX_CELLS) {
    return CXM_E_LIMIT;
  }
  if (s->events == UINT64_MAX) return CXM_E_OVERFLOW;
  /* A day's purchase amount must stay a finite double (a snapshot cannot
   * hold anything else): two amounts near DBL_MAX on one day are refused
   * here, before anything changes. A new customer has no days yet. */
  if (e->kind == CXM_KIND_PURCHASE && customer_index >= 0 && s->purchase_days.slots != NULL) {
    const cxmi_day_slot *d = cxmi_daymap_slot(&s->purchase_days,
                                              CXMI_PURCHASE_KEY((uint32_t)customer_index, e->time / 86400));
    if (d->key != 0 && !isfinite(d->amount + e->value)) return CXM_E_OVERFLOW;
  }

  /* Reserve everything that may need memory, then commit: no failure after this point. */
  if (customer_index < 0) {
    rc = cxmi_intern_reserve(&s->customers, &s->alloc, e->customer_len);
    if (rc != CXM_OK) return rc;
  }
  if (e->id_len > 0) {
    rc = cxmi_intern_reserve(&s->event_ids, &s->alloc, e->id_len);
    if (rc != CXM_OK) return rc;
  }
  if (cell < 0) {
    rc = cxmi_cube_reserve(&s->cube, &s->alloc);
    if (rc != CXM_OK) return rc;
  }
  {
    /* The customer's handle and the cell's index are known before commit:
     * new ones are appended. */
    uint32_t customer = customer_index >= 0 ? (uint32_t)customer_index : s->customers.count;
    uint32_t cell_index = cell >= 0 ? (uint32_t)cell : s->cube.count;
    rc = reserve_side_tables(s, e, customer, cell_index, ref_hash, &side);
    if (rc != CXM_OK) return rc;
    if (firsts_event(s, e)) {
      rc = cxmi_store_info_reserve(s, (uint64_t)customer + 1);
      if (rc != CXM_OK) return rc;
    }

    if (customer_index < 0) (void)cxmi_intern_commit(&s->customers, e->customer, e->customer_len, customer_hash);
    if (e->id_len > 0) (void)cxmi_intern_commit(&s->event_ids, e->id, e->id_len, id_hash);
    if (cell < 0) cell = cxmi_cube_commit(&s->cube, &key, key_hash);
    commit_side_tables(s, e, customer, &side);
    if (firsts_event(s, e)) cxmi_store_info_offer(s, customer, e->time, e->channel, e->time, e->segment);
  }
  s->last_cell = (uint32_t)cell;
  {
    cxmi_cell *c = &s->cube.cells[cell];
    c->events++;
    if (answer >= 0) {
      count = e->kind == CXM_KIND_NPS    ? &c->survey.nps.count[answer]
              : e->kind == CXM_KIND_CSAT ? &c->survey.csat.count[answer]
                                         : &c->survey.ces.count[answer];
      (*count)++;
    }
    if (e->kind == CXM_KIND_COMPLAINT) c->complaints++;
    if (e->kind == CXM_KIND_COMPLIMENT) c->compliments++;
  }
  s->events++;
  if (e->time < s->first) s->first = e->time;
  if (e->time > s->last) s->last = e->time;
  return CXM_OK;
}

/* Hash of an id field, 0 when absent (a real hash of 0 only costs a
 * recomputation). */
static uint64_t id_hash_of(const char *id, size_t len) { return valid_id(id, len) ? cxmi_hash_bytes(id, len) : 0; }

int32_t cxmi_store_record_hashed(cxm_store *store, const cxm_event *event, const cxmi_event_hashes *hashes) {
  uint64_t h, ih;
  int32_t rc = cxm_store_check(store, event);
  if (rc != CXM_OK) return rc;
  h = hashes != NULL && hashes->customer != 0 ? hashes->customer
                                              : cxmi_hash_bytes(event->customer, event->customer_len);
  ih = hashes != NULL && hashes->id != 0 ? hashes->id : id_hash_of(event->id, event->id_len);
  /* A handle, once given, never changes: the one the prefetch found holds. */
  return commit_event(store, event,
                      hashes != NULL && hashes->customer_index >= 0
                          ? hashes->customer_index
                          : cxmi_intern_find(&store->customers, event->customer, event->customer_len, h),
                      h, ih, hashes != NULL ? hashes->ref : 0);
}

int32_t cxm_store_record(cxm_store *store, const cxm_event *event) {
  return cxmi_store_record_hashed(store, event, NULL);
}

void cxm_detail_init(cxm_detail *detail) {
  if (detail == NULL) return;
  memset(detail, 0, sizeof *detail);
  detail->size = sizeof *detail;
  detail->field = "*";
}

int32_t cxm_store_record_ex(cxm_store *store, const cxm_event *event, cxm_detail *detail) {
  cxm_detail d;
  cxmi_sb b;
  int32_t rc;
  if (detail != NULL && !CXMI_STRUCT_OK(detail, cxm_detail)) return CXM_E_SIZE;
  rc = cxm_store_record(store, event);
  if (detail == NULL) return rc;
  cxm_detail_init(&d);
  d.status = rc;
  cxmi_sb_init(&b, d.reason, sizeof d.reason);
  if (rc < 0) {
    if (event == NULL || store == NULL) {
      cxmi_sb_str(&b, store == NULL ? "store is NULL" : "event is NULL");
    } else if (rc == CXM_E_SIZE) {
      cxmi_sb_str(&b, "event->size is ");
      cxmi_sb_u64(&b, event->size);
      cxmi_sb_str(&b, ", not a cxm_event size this library knows (fill the event with cxm_event_init())");
    } else {
      cxmi_event_reason(&b, event, rc, NULL, 0);
      d.field = cxmi_event_column(rc);
    }
  }
  cxmi_struct_out(detail, &d, sizeof d);
  return rc;
}

void cxmi_store_prefetch(cxmi_event_hashes *hashes, const cxm_store *store, const cxm_event *events, size_t count) {
  size_t i;
  if (count > CXMI_PREFETCH_MAX) count = CXMI_PREFETCH_MAX;
  for (i = 0; i < count; i++) {
    const cxm_event *e = &events[i];
    hashes[i].customer = id_hash_of(e->customer, e->customer_len);
    hashes[i].customer_index = -1;
    cxmi_intern_prefetch_slot(&store->customers, hashes[i].customer);
    hashes[i].id = id_hash_of(e->id, e->id_len);
    if (hashes[i].id != 0) cxmi_intern_prefetch_slot(&store->event_ids, hashes[i].id);
    hashes[i].ref = valid_id(e->ref, e->ref_len) && cxmi_interactions_wants(e) ? cxmi_hash_bytes(e->ref, e->ref_len)
                                                                               : 0;
    if (hashes[i].ref != 0) cxmi_intern_prefetch_slot(&store->interactions.refs, hashes[i].ref);
  }
  /* Customers and refs are usually known: once their slots are cached,
   * start loading the records they name (event ids are usually new: a
   * slot whose tag differs is all their look-up reads). */
  for (i = 0; i < count; i++) {
    cxmi_intern_prefetch_record(&store->customers, hashes[i].customer);
    if (hashes[i].ref != 0) cxmi_intern_prefetch_record(&store->interactions.refs, hashes[i].ref);
  }
  /* Find the customers' handles (their lines are on the way now), which
   * recording then uses. A purchase or SERVQUAL answer looks up a key made
   * of the handle, and an event naming a channel or segment reads the
   * customer's firsts: start loading those too. */
  for (i = 0; i < count; i++) {
    const cxm_event *e = &events[i];
    int64_t customer;
    uint64_t key;
    int day, named;
    if (hashes[i].customer == 0) continue;
    customer = cxmi_intern_find(&store->customers, e->customer, e->customer_len, hashes[i].customer);
    hashes[i].customer_index = customer;
    day = cxmi_day_event(store, e);
    named = firsts_event(store, e);
    if (customer < 0 || (!day && !named)) continue;
    if (named && (uint64_t)customer < store->info_count) PREFETCH(&store->info[customer]);
    if (!day || e->time < CXM_TIME_MIN || e->time > CXM_TIME_MAX) continue;
    key = CXMI_PURCHASE_KEY(customer, e->time / 86400);
    if (store->purchase_days.slots != NULL)
      PREFETCH(&store->purchase_days.slots[(uint32_t)cxmi_hash_u64(key) & store->purchase_days.slot_mask]);
  }
}

int32_t cxm_store_record_batch(int32_t *statuses, cxm_store *store, const cxm_event *events, size_t count) {
  cxmi_event_hashes hashes[CXMI_PREFETCH_MAX];
  size_t base, i, n;
  if (store == NULL || (events == NULL && count > 0)) return CXM_E_ARG;
  /* Customer and event-id look-ups miss the cache at scale (two dependent
   * loads each: slot, then string). Starting them for a round of events
   * before using any overlaps those misses instead of paying them in turn;
   * the events are then recorded one by one, exactly as single calls. */
  for (base = 0; base < count; base += n) {
    n = count - base < CXMI_PREFETCH_MAX ? count - base : CXMI_PREFETCH_MAX;
    cxmi_store_prefetch(hashes, store, events + base, n);
    for (i = 0; i < n; i++) {
      int32_t rc = cxmi_store_record_hashed(store, &events[base + i], &hashes[i]);
      if (statuses != NULL) statuses[base + i] = rc;
    }
  }
  return CXM_OK;
}

int32_t cxm_store_record_for(cxm_store *store, uint32_t handle, const cxm_event *event) {
  int32_t rc;
  if (store == NULL || event == NULL) return CXM_E_ARG;
  if (handle >= store->customers.count) return CXM_E_HANDLE;
  rc = check_fields(store, event, 0);
  if (rc != CXM_OK) return rc;
  return commit_event(store, event, (int64_t)handle, 0, id_hash_of(event->id, event->id_len), 0);
}

int32_t cxm_store_stats_get(cxm_store_stats *stats, const cxm_store *store) {
  if (stats == NULL || store == NULL) return CXM_E_ARG;
  if (!CXMI_STRUCT_OK(stats, cxm_store_stats)) return CXM_E_SIZE;
  stats->events = store->events;
  stats->duplicates = store->duplicates;
  stats->customers = store->customers.count;
  stats->first = store->first;
  stats->last = store->last;
  stats->cells = store->cube.count;
  stats->memory_bytes = store->alloc.bytes;
  return CXM_OK;
}
