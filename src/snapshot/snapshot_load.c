/* Snapshot reader: checks the frame (magic, version, section tags, lengths,
 * CRC-32C), then every value's range and the cross-references between
 * sections, and rebuilds the store's hash indexes by inserting through the
 * tables' own reserve/commit functions (docs/snapshot.md). Nothing in the
 * input is trusted: a count is checked against the bytes that could hold
 * it before anything is allocated for it, and every index is range-checked
 * before use. On failure the partial store is freed. */
#include "snapshot/snapshot_internal.h"

#include "common/bytes.h"
#include "common/crc32c.h"
#include "common/hash.h"
#include "store/store_internal.h"

#include <math.h>
#include <string.h>

/* A bounded reader over one section's payload. Running out inside a
 * payload whose checksum matched is malformed content, not truncation. */
typedef struct rd {
  const uint8_t *p;
  size_t left;
  uint32_t version; /* the file's format version */
} rd;

#define TRY(expr)                  \
  do {                             \
    int32_t rc_ = (expr);          \
    if (rc_ != CXM_OK) return rc_; \
  } while (0)

static int32_t rd_bytes(rd *r, const uint8_t **bytes, size_t len) {
  if (len > r->left) return CXM_E_FORMAT;
  *bytes = r->p;
  r->p += len;
  r->left -= len;
  return CXM_OK;
}

static int32_t rd_u64(rd *r, uint64_t *v) {
  const uint8_t *b;
  TRY(rd_bytes(r, &b, 8));
  *v = cxmi_get_u64(b);
  return CXM_OK;
}

static int32_t rd_i64(rd *r, int64_t *v) {
  uint64_t u;
  TRY(rd_u64(r, &u));
  /* Two's complement without relying on the implementation-defined
   * conversion of a large unsigned value. */
  *v = u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
  return CXM_OK;
}

static int32_t rd_f64(rd *r, double *v) {
  uint64_t u;
  TRY(rd_u64(r, &u));
  memcpy(v, &u, sizeof *v);
  return CXM_OK;
}

/* One varint (bytes.h). */
static int32_t rd_leb(rd *r, uint64_t *v) {
  size_t used;
  TRY(cxmi_leb128_get(v, &used, r->p, r->left));
  r->p += used;
  r->left -= used;
  return CXM_OK;
}

/* A varint at most `max`. */
static int32_t rd_max(rd *r, uint64_t *v, uint64_t max) {
  TRY(rd_leb(r, v));
  return *v <= max ? CXM_OK : CXM_E_FORMAT;
}

static int32_t rd_u32(rd *r, uint32_t *v, uint32_t max) {
  uint64_t x;
  TRY(rd_max(r, &x, max));
  *v = (uint32_t)x;
  return CXM_OK;
}

static int32_t rd_code(rd *r, int32_t *v, int32_t max) {
  uint64_t x;
  TRY(rd_max(r, &x, (uint64_t)max));
  *v = (int32_t)x;
  return CXM_OK;
}

/* A count of items that take at least `min_bytes` each: more than the
 * payload could hold is malformed, and is refused before any allocation. */
static int32_t rd_count(rd *r, uint32_t *count, size_t min_bytes, uint32_t limit) {
  uint64_t x;
  TRY(rd_leb(r, &x));
  if (x > limit || x > r->left / min_bytes) return CXM_E_FORMAT;
  *count = (uint32_t)x;
  return CXM_OK;
}

static int valid_time(int64_t t) { return t >= CXM_TIME_MIN && t <= CXM_TIME_MAX; }
static int time_or_none(int64_t t) { return t == CXMI_NO_TIME || valid_time(t); }

/* ---- string tables ------------------------------------------------------- */

typedef int (*string_check)(const uint8_t *s, size_t len);

static int check_id(const uint8_t *s, size_t len) {
  (void)s;
  return len >= 1 && len <= CXM_MAX_ID_LEN;
}

static int check_channel(const uint8_t *s, size_t len) {
  size_t i;
  int32_t c;
  if (len == 0 || len > CXM_MAX_CHANNEL_LEN) return 0;
  for (i = 0; i < len; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-')) return 0;
  /* A named channel's token is never interned as a custom one. */
  for (c = 0; c < CXM_CHANNEL_FIRST_CUSTOM; c++) {
    const char *name = cxm_channel_name(c);
    if (strlen(name) == len && memcmp(name, s, len) == 0) return 0;
  }
  return 1;
}

static int check_segment(const uint8_t *s, size_t len) {
  size_t i;
  if (len == 0 || len > CXM_MAX_SEGMENT_LEN) return 0;
  for (i = 0; i < len; i++)
    if (s[i] < 0x20 || s[i] == 0x7f) return 0;
  /* "unknown" names code 0 and is never interned. */
  return !(len == 7 && memcmp(s, "unknown", 7) == 0);
}

/* One interned string, distinct from those before it. */
static int32_t rd_string_into(rd *r, cxmi_intern *t, cxmi_alloc *a, string_check check) {
  uint64_t len, h;
  const uint8_t *s;
  TRY(rd_max(r, &len, CXMI_INTERN_MAX_LEN));
  TRY(rd_bytes(r, &s, (size_t)len));
  if (!check(s, (size_t)len)) return CXM_E_FORMAT;
  h = cxmi_hash_bytes(s, (size_t)len);
  if (cxmi_intern_find(t, (const char *)s, (size_t)len, h) >= 0) return CXM_E_FORMAT;
  TRY(cxmi_intern_reserve(t, a, (size_t)len));
  (void)cxmi_intern_commit(t, (const char *)s, (size_t)len, h);
  return CXM_OK;
}

static int32_t rd_strings(rd *r, cxmi_intern *t, cxmi_alloc *a, string_check check, uint32_t limit) {
  uint32_t count, i;
  TRY(rd_count(r, &count, 2, limit)); /* a length byte and at least one byte */
  for (i = 0; i < count; i++) {
    int32_t rc = rd_string_into(r, t, a, check);
    /* The tables' own limits are the store's; hitting one here means the
     * count lied. */
    if (rc == CXM_E_LIMIT || rc == CXM_E_ARG) return CXM_E_FORMAT;
    if (rc != CXM_OK) return rc;
  }
  return CXM_OK;
}

/* ---- sections ------------------------------------------------------------ */

typedef struct meta {
  int64_t bucket_seconds, first, last;
  uint64_t events, duplicates;
} meta;

static int32_t rd_meta(rd *r, meta *m) {
  TRY(rd_i64(r, &m->bucket_seconds));
  TRY(rd_leb(r, &m->events));
  TRY(rd_leb(r, &m->duplicates));
  TRY(rd_i64(r, &m->first));
  TRY(rd_i64(r, &m->last));
  if (m->bucket_seconds <= 0 || 86400 % m->bucket_seconds != 0) return CXM_E_FORMAT;
  if (m->events == 0) {
    if (m->first != INT64_MAX || m->last != INT64_MIN) return CXM_E_FORMAT;
  } else if (!valid_time(m->first) || !valid_time(m->last) || m->first > m->last) {
    return CXM_E_FORMAT;
  }
  return CXM_OK;
}

static int valid_channel(const cxm_store *s, int32_t c) {
  return c < CXM_CHANNEL_FIRST_CUSTOM || (uint32_t)(c - CXM_CHANNEL_FIRST_CUSTOM) < s->channels.count;
}

static int valid_segment(const cxm_store *s, int32_t c) { return c == 0 || (uint32_t)(c - 1) < s->segments.count; }

/* Sum of `n` counts, CXM_E_FORMAT on overflow. */
static int32_t add_counts(uint64_t *sum, const uint64_t *v, int n) {
  int i;
  for (i = 0; i < n; i++) {
    if (v[i] > UINT64_MAX - *sum) return CXM_E_FORMAT;
    *sum += v[i];
  }
  return CXM_OK;
}

static int32_t rd_cells(rd *r, cxm_store *s, const meta *m) {
  uint32_t count, i;
  uint64_t events = 0;
  int64_t bucket_min = CXM_TIME_MIN / m->bucket_seconds, bucket_max = CXM_TIME_MAX / m->bucket_seconds;
  /* bucket (8) and 29 one-byte varints */
  TRY(rd_count(r, &count, 37, CXMI_MAX_CELLS));
  for (i = 0; i < count; i++) {
    cxmi_cell cell;
    uint64_t h, answers = 0;
    int k;
    memset(&cell, 0, sizeof cell);
    TRY(rd_i64(r, &cell.key.bucket));
    TRY(rd_code(r, &cell.key.channel, INT32_MAX));
    TRY(rd_code(r, &cell.key.stage, CXM_STAGE_COUNT - 1));
    TRY(rd_code(r, &cell.key.segment, INT32_MAX));
    TRY(rd_leb(r, &cell.events));
    TRY(rd_leb(r, &cell.complaints));
    TRY(rd_leb(r, &cell.compliments));
    for (k = 0; k < 11; k++) TRY(rd_leb(r, &cell.survey.nps.count[k]));
    for (k = 0; k < 5; k++) TRY(rd_leb(r, &cell.survey.csat.count[k]));
    for (k = 0; k < 7; k++) TRY(rd_leb(r, &cell.survey.ces.count[k]));
    if (cell.key.bucket < bucket_min || cell.key.bucket > bucket_max) return CXM_E_FORMAT;
    if (!valid_channel(s, cell.key.channel) || !valid_segment(s, cell.key.segment)) return CXM_E_FORMAT;
    /* A cell exists because an event went to it, and each event adds at
     * most one answer, complaint or compliment. */
    TRY(add_counts(&answers, cell.survey.nps.count, 11));
    TRY(add_counts(&answers, cell.survey.csat.count, 5));
    TRY(add_counts(&answers, cell.survey.ces.count, 7));
    TRY(add_counts(&answers, &cell.complaints, 1));
    TRY(add_counts(&answers, &cell.compliments, 1));
    if (cell.events == 0 || answers > cell.events) return CXM_E_FORMAT;
    TRY(add_counts(&events, &cell.events, 1));
    h = cxmi_cell_key_hash(&cell.key);
    if (cxmi_cube_find(&s->cube, &cell.key, h) >= 0) return CXM_E_FORMAT;
    TRY(cxmi_cube_reserve(&s->cube, &s->alloc));
    s->cube.cells[cxmi_cube_commit(&s->cube, &cell.key, h)] = cell;
  }
  /* Every recorded event went to exactly one cell. */
  if (events != m->events) return CXM_E_FORMAT;
  return CXM_OK;
}

/* A customer rating or internal rating on the 0..100 scale. */
static int in_0_100(double v) { return v >= 0 && v <= 100; }

static int is_zero_bits(double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  return bits == 0;
}

static int32_t rd_interaction(rd *r, cxm_store *s, cxmi_interaction *x, uint32_t *early_n) {
  TRY(rd_i64(r, &x->first_rating_time));
  TRY(rd_i64(r, &x->first_internal_time));
  TRY(rd_f64(r, &x->internal_sum));
  TRY(rd_f64(r, &x->rating_sum));
  TRY(rd_u32(r, &x->internal_n, UINT32_MAX));
  TRY(rd_u32(r, &x->rating_n, UINT32_MAX));
  TRY(rd_i64(r, &x->first_customer_rating_time));
  TRY(rd_u32(r, &x->rating_customer, UINT32_MAX));
  TRY(rd_f64(r, &x->first_internal));
  TRY(rd_f64(r, &x->first_rating));
  TRY(rd_code(r, &x->internal_channel, INT32_MAX));
  TRY(rd_code(r, &x->internal_stage, CXM_STAGE_COUNT - 1));
  TRY(rd_code(r, &x->internal_segment, INT32_MAX));
  TRY(rd_code(r, &x->open_channel, INT32_MAX));
  TRY(rd_code(r, &x->open_stage, CXM_STAGE_COUNT - 1));
  TRY(rd_code(r, &x->open_segment, INT32_MAX));
  TRY(rd_u32(r, &x->open_customer, UINT32_MAX));
  TRY(rd_i64(r, &x->open_time));
  TRY(rd_i64(r, &x->reply_time));
  TRY(rd_i64(r, &x->resolve_time));
  if (r->version >= 2) {
    TRY(rd_i64(r, &x->first_time));
    TRY(rd_i64(r, &x->last_resolve_time));
    TRY(rd_u32(r, &x->reply_n, UINT32_MAX));
    TRY(rd_u32(r, &x->reopen_n, UINT32_MAX));
    TRY(rd_u32(r, &x->transfer_n, UINT32_MAX));
    if (!time_or_none(x->first_time) || !time_or_none(x->last_resolve_time) ||
        (x->resolve_time != CXMI_NO_TIME &&
         (x->last_resolve_time == CXMI_NO_TIME || x->last_resolve_time < x->resolve_time)) ||
        (x->reply_time != CXMI_NO_TIME && x->reply_n == 0) || x->first_time > x->first_rating_time ||
        x->first_time > x->open_time)
      return CXM_E_FORMAT;
  } else {
    /* Version 1 kept no counts: rebuilt from what it kept (docs/snapshot.md). */
    x->first_time = x->first_rating_time < x->open_time ? x->first_rating_time : x->open_time;
    x->last_resolve_time = x->resolve_time;
    x->reply_n = x->reply_time != CXMI_NO_TIME;
  }
  TRY(rd_u32(r, early_n, UINT32_MAX));
  if (!time_or_none(x->first_rating_time) || !time_or_none(x->first_internal_time) ||
      !time_or_none(x->first_customer_rating_time) || !time_or_none(x->open_time) || !time_or_none(x->reply_time) ||
      !time_or_none(x->resolve_time))
    return CXM_E_FORMAT;
  /* What cxmi_interactions_commit() can produce, and nothing else. */
  if (x->first_rating_time !=
      (x->first_internal_time < x->first_customer_rating_time ? x->first_internal_time : x->first_customer_rating_time))
    return CXM_E_FORMAT;
  if ((x->internal_n == 0) != (x->first_internal_time == CXMI_NO_TIME)) return CXM_E_FORMAT;
  if (x->internal_n == 0) {
    if (!is_zero_bits(x->internal_sum) || !is_zero_bits(x->first_internal) || x->internal_channel != 0 ||
        x->internal_stage != 0 || x->internal_segment != 0)
      return CXM_E_FORMAT;
  } else if (!(x->internal_sum >= 0 && x->internal_sum <= 100.0 * x->internal_n) || !in_0_100(x->first_internal) ||
             !valid_channel(s, x->internal_channel) || !valid_segment(s, x->internal_segment)) {
    return CXM_E_FORMAT;
  }
  if ((x->rating_n == 0) != (x->first_customer_rating_time == CXMI_NO_TIME)) return CXM_E_FORMAT;
  if (x->rating_n == 0) {
    if (!is_zero_bits(x->rating_sum) || !is_zero_bits(x->first_rating) || x->rating_customer != 0) return CXM_E_FORMAT;
  } else if (!(x->rating_sum >= 0 && x->rating_sum <= 100.0 * x->rating_n) || !in_0_100(x->first_rating) ||
             x->rating_customer >= s->customers.count) {
    return CXM_E_FORMAT;
  }
  if (x->open_time == CXMI_NO_TIME) {
    if (x->open_channel != 0 || x->open_stage != 0 || x->open_segment != 0 || x->open_customer != 0 ||
        x->reply_time != CXMI_NO_TIME || x->resolve_time != CXMI_NO_TIME)
      return CXM_E_FORMAT;
  } else if (!valid_channel(s, x->open_channel) || !valid_segment(s, x->open_segment) ||
             x->open_customer >= s->customers.count ||
             (x->reply_time != CXMI_NO_TIME && x->reply_time < x->open_time) ||
             (x->resolve_time != CXMI_NO_TIME && x->resolve_time < x->open_time)) {
    return CXM_E_FORMAT;
  }
  return CXM_OK;
}

static int32_t grow_early(cxmi_interactions *t, cxmi_alloc *a) {
  uint32_t cap;
  cxmi_early *early;
  if (t->early_count < t->early_cap) return CXM_OK;
  if (t->early_cap >= UINT32_MAX / 2) return CXM_E_FORMAT;
  cap = t->early_cap == 0 ? 64 : t->early_cap * 2;
  early = cxmi_realloc(a, t->early, (size_t)t->early_cap * sizeof *early, (size_t)cap * sizeof *early);
  if (early == NULL) return CXM_E_NOMEM;
  t->early = early;
  t->early_cap = cap;
  return CXM_OK;
}

static int32_t rd_interactions(rd *r, cxm_store *s) {
  cxmi_interactions *t = &s->interactions;
  uint32_t count, i;
  /* a ref (2), 10 fixed fields (80) and 11 one-byte varints */
  TRY(rd_count(r, &count, 93, UINT32_C(0xFFFFFFF0)));
  if (count > 0) {
    t->items = cxmi_malloc(&s->alloc, (size_t)count * sizeof *t->items);
    if (t->items == NULL) return CXM_E_NOMEM;
    t->cap = count;
  }
  for (i = 0; i < count; i++) {
    cxmi_interaction x;
    uint32_t early_n, k;
    int32_t rc;
    memset(&x, 0, sizeof x);
    rc = rd_string_into(r, &t->refs, &s->alloc, check_id);
    if (rc == CXM_E_LIMIT || rc == CXM_E_ARG) return CXM_E_FORMAT;
    if (rc != CXM_OK) return rc;
    TRY(rd_interaction(r, s, &x, &early_n));
    /* Each early entry takes at least 9 bytes. */
    if (early_n > r->left / 9) return CXM_E_FORMAT;
    /* Entries are appended in list order: each links to the next. */
    for (k = 0; k < early_n; k++) {
      cxmi_early e;
      TRY(rd_i64(r, &e.time));
      TRY(rd_code(r, &e.kind, INT32_MAX));
      /* Only replies and resolutions before the earliest open wait here. */
      if (!valid_time(e.time) || (e.kind != CXM_KIND_CONTACT_REPLY && e.kind != CXM_KIND_CONTACT_RESOLVE) ||
          (x.open_time != CXMI_NO_TIME && e.time >= x.open_time))
        return CXM_E_FORMAT;
      if (r->version < 2) {
        if (e.time < x.first_time) x.first_time = e.time;
        if (e.kind == CXM_KIND_CONTACT_REPLY && x.reply_n < UINT32_MAX) x.reply_n++;
        if (e.kind == CXM_KIND_CONTACT_RESOLVE && (x.last_resolve_time == CXMI_NO_TIME || e.time > x.last_resolve_time))
          x.last_resolve_time = e.time;
      } else if (e.time < x.first_time || (e.kind == CXM_KIND_CONTACT_RESOLVE && e.time > x.last_resolve_time)) {
        return CXM_E_FORMAT;
      }
      TRY(grow_early(t, &s->alloc));
      e.next = 0;
      t->early[t->early_count] = e;
      if (k == 0)
        x.early = t->early_count + 1;
      else
        t->early[t->early_count - 1].next = t->early_count + 1;
      t->early_count++;
    }
    t->items[i] = x;
  }
  return CXM_OK;
}

static int32_t rd_servqual(rd *r, cxm_store *s) {
  uint32_t count, i;
  TRY(rd_count(r, &count, 7, UINT32_C(0x7FFFFFFF)));
  if (count > 0) {
    s->servqual = cxmi_malloc(&s->alloc, (size_t)count * sizeof *s->servqual);
    if (s->servqual == NULL) return CXM_E_NOMEM;
    s->servqual_cap = count;
  }
  for (i = 0; i < count; i++) {
    uint32_t customer, cell, dimension;
    cxmi_servqual_answers q;
    uint64_t key;
    TRY(rd_u32(r, &customer, UINT32_MAX));
    TRY(rd_u32(r, &cell, UINT32_MAX));
    TRY(rd_u32(r, &dimension, CXM_DIMENSION_COUNT - 1));
    TRY(rd_u32(r, &q.expectation_n, UINT32_MAX));
    TRY(rd_u32(r, &q.perception_n, UINT32_MAX));
    TRY(rd_leb(r, &q.expectation_sum));
    TRY(rd_leb(r, &q.perception_sum));
    if (customer >= s->customers.count || cell >= s->cube.count || dimension == CXM_DIMENSION_NONE) return CXM_E_FORMAT;
    /* Answers are 1..7. */
    if (q.expectation_n == 0 && q.perception_n == 0) return CXM_E_FORMAT;
    if (q.expectation_sum < q.expectation_n || q.expectation_sum > 7 * (uint64_t)q.expectation_n ||
        q.perception_sum < q.perception_n || q.perception_sum > 7 * (uint64_t)q.perception_n)
      return CXM_E_FORMAT;
    key = CXMI_SERVQUAL_KEY(customer, cell, dimension);
    if (cxmi_keymap_find(&s->servqual_keys, key) >= 0) return CXM_E_FORMAT;
    TRY(cxmi_keymap_reserve(&s->servqual_keys, &s->alloc));
    s->servqual[cxmi_keymap_commit(&s->servqual_keys, key)] = q;
  }
  return CXM_OK;
}

static int32_t rd_churned(rd *r, cxm_store *s) {
  uint32_t count, i;
  TRY(rd_count(r, &count, 2, UINT32_C(0x7FFFFFFF)));
  for (i = 0; i < count; i++) {
    uint32_t customer, cell;
    uint64_t key;
    TRY(rd_u32(r, &customer, UINT32_MAX));
    TRY(rd_u32(r, &cell, UINT32_MAX));
    if (customer >= s->customers.count || cell >= s->cube.count) return CXM_E_FORMAT;
    key = CXMI_CHURN_KEY(customer, cell);
    if (cxmi_keymap_find(&s->churned, key) >= 0) return CXM_E_FORMAT;
    TRY(cxmi_keymap_reserve(&s->churned, &s->alloc));
    (void)cxmi_keymap_commit(&s->churned, key);
  }
  return CXM_OK;
}

static int32_t rd_days(rd *r, cxm_store *s) {
  uint32_t count, i;
  uint64_t previous = 0;
  /* two varints, the amount (8) and 8 varints */
  TRY(rd_count(r, &count, 18, UINT32_C(0x7FFFFFFF)));
  for (i = 0; i < count; i++) {
    uint32_t customer, day, v[8];
    double amount;
    uint64_t key;
    cxmi_day_slot *d;
    int k;
    TRY(rd_u32(r, &customer, UINT32_MAX));
    TRY(rd_u32(r, &day, (uint32_t)(CXM_TIME_MAX / 86400)));
    TRY(rd_f64(r, &amount));
    TRY(rd_u32(r, &v[0], UINT32_MAX));
    for (k = 1; k < 4; k++) TRY(rd_u32(r, &v[k], UINT16_MAX));
    for (k = 4; k < 6; k++) TRY(rd_u32(r, &v[k], 11));
    for (k = 6; k < 8; k++) TRY(rd_u32(r, &v[k], 86399));
    if (customer >= s->customers.count || !(amount >= 0) || !isfinite(amount)) return CXM_E_FORMAT;
    /* Sorted and distinct, as the writer puts them. */
    key = CXMI_PURCHASE_KEY(customer, day);
    if (i > 0 && key <= previous) return CXM_E_FORMAT;
    previous = key;
    /* The two latest NPS answers: none, one (the previous slot empty, at
     * second 0), or two with the previous no later than the last. */
    if ((v[4] == 0 && (v[5] != 0 || v[6] != 0)) || (v[5] == 0 && v[7] != 0) || (v[5] != 0 && v[7] > v[6]))
      return CXM_E_FORMAT;
    if (v[0] == 0 && !is_zero_bits(amount)) return CXM_E_FORMAT;
    TRY(cxmi_daymap_reserve(&s->purchase_days, &s->alloc));
    d = cxmi_daymap_get(&s->purchase_days, key);
    d->amount = amount;
    d->purchases = v[0];
    d->complaints = (uint16_t)v[1];
    d->compliments = (uint16_t)v[2];
    d->high_effort = (uint16_t)v[3];
    d->nps_last = (uint8_t)v[4];
    d->nps_prev = (uint8_t)v[5];
    d->nps_last_at = (int32_t)v[6];
    d->nps_prev_at = (int32_t)v[7];
  }
  return CXM_OK;
}

/* ---- frame --------------------------------------------------------------- */

/* The next section's payload, its frame checked: the tag must be `tag`,
 * the length within the bytes left, the CRC-32C right. */
static int32_t next_section(rd *payload, rd *in, const char *tag) {
  uint64_t len;
  uint32_t crc;
  const uint8_t *frame = in->p;
  if (in->left < 12) return CXM_E_TRUNCATED;
  if (memcmp(frame, tag, 4) != 0) return CXM_E_FORMAT;
  len = cxmi_get_u64(frame + 4);
  if (len > in->left - 12 || in->left - 12 - len < 4) return CXM_E_TRUNCATED;
  crc = (uint32_t)frame[12 + len] | (uint32_t)frame[13 + len] << 8 | (uint32_t)frame[14 + len] << 16 |
        (uint32_t)frame[15 + len] << 24;
  if (cxmi_crc32c(0, frame, (size_t)(12 + len)) != crc) return CXM_E_CHECKSUM;
  in->p += 16 + len;
  in->left -= (size_t)(16 + len);
  payload->p = frame + 12;
  payload->left = (size_t)len;
  payload->version = in->version;
  return CXM_OK;
}

/* The survey log (version 3): what cxmi_loop_commit() can produce. */
static int32_t rd_loop(rd *r, cxm_store *s) {
  cxmi_loop *t = &s->loop;
  uint32_t count, i;
  TRY(rd_strings(r, &t->refs, &s->alloc, check_id, UINT32_C(0xFFFFFFF0)));
  /* a time (8) and six one-byte varints */
  TRY(rd_count(r, &count, 14, UINT32_MAX));
  TRY(cxmi_loop_grow(t, &s->alloc, count));
  for (i = 0; i < count; i++) {
    cxmi_loop_event x;
    int32_t kind, max;
    uint32_t value;
    memset(&x, 0, sizeof x);
    TRY(rd_i64(r, &x.time));
    TRY(rd_u32(r, &x.customer, UINT32_MAX));
    TRY(rd_u32(r, &x.ref, UINT32_MAX));
    TRY(rd_code(r, &kind, CXM_KIND_COUNT - 1));
    TRY(rd_u32(r, &value, 10));
    TRY(rd_code(r, &x.channel, INT32_MAX));
    TRY(rd_code(r, &max, CXM_STAGE_COUNT - 1));
    TRY(rd_code(r, &x.segment, INT32_MAX));
    x.stage = (uint8_t)max;
    max = kind == CXM_KIND_NPS ? 10 : kind == CXM_KIND_CSAT ? 5 : kind == CXM_KIND_CES ? 7 : 0;
    if (!valid_time(x.time) || x.customer >= s->customers.count || !valid_channel(s, x.channel) ||
        !valid_segment(s, x.segment) || (int32_t)value > max || (max > 0 && value < (kind != CXM_KIND_NPS)) ||
        (max == 0 && kind != CXM_KIND_FOLLOWUP && kind != CXM_KIND_SURVEY_SENT) ||
        (kind == CXM_KIND_FOLLOWUP && x.ref == 0) ||
        x.ref > (cxmi_loop_is_answer(kind) ? s->interactions.refs.count : t->refs.count))
      return CXM_E_FORMAT;
    x.kind = (uint8_t)kind;
    x.value = (uint8_t)value;
    t->items[t->count++] = x;
  }
  return CXM_OK;
}

/* The status list (version 4): what the store's resolves, reopens and
 * transfers can produce. */
static int32_t rd_status(rd *r, cxm_store *s) {
  cxmi_interactions *t = &s->interactions;
  uint32_t count, i;
  /* a time (8) and two one-byte varints */
  TRY(rd_count(r, &count, 10, UINT32_MAX));
  TRY(cxmi_interactions_grow_status(t, &s->alloc, count));
  for (i = 0; i < count; i++) {
    cxmi_status x;
    TRY(rd_i64(r, &x.time));
    TRY(rd_u32(r, &x.interaction, UINT32_MAX));
    TRY(rd_code(r, &x.kind, CXM_KIND_COUNT - 1));
    if (!valid_time(x.time) || x.interaction >= t->refs.count ||
        (x.kind != CXM_KIND_CONTACT_RESOLVE && x.kind != CXM_KIND_CONTACT_REOPEN &&
         x.kind != CXM_KIND_CONTACT_TRANSFER))
      return CXM_E_FORMAT;
    t->status[t->status_count++] = x;
  }
  return CXM_OK;
}

static int check_attribute(const uint8_t *s, size_t len) {
  size_t i;
  if (len == 0 || len > CXM_MAX_ATTRIBUTE_LEN) return 0;
  for (i = 0; i < len; i++)
    if (s[i] < 0x20 || s[i] == 0x7f) return 0;
  return 1;
}

/* The rating log (version 4): what cxmi_ratings_commit() can produce. */
static int32_t rd_ratings(rd *r, cxm_store *s) {
  cxmi_ratings *t = &s->ratings;
  uint32_t count, i;
  TRY(rd_strings(r, &t->attributes, &s->alloc, check_attribute, CXMI_MAX_ATTRIBUTES));
  TRY(rd_strings(r, &t->refs, &s->alloc, check_id, UINT32_C(0xFFFFFFF0)));
  /* four varints of at least a byte */
  TRY(rd_count(r, &count, 4, UINT32_MAX));
  TRY(cxmi_ratings_grow(t, &s->alloc, count));
  for (i = 0; i < count; i++) {
    cxmi_rating x;
    uint32_t attribute, value;
    memset(&x, 0, sizeof x);
    TRY(rd_u32(r, &x.customer, UINT32_MAX));
    TRY(rd_u32(r, &x.ref, UINT32_MAX));
    TRY(rd_u32(r, &attribute, UINT32_MAX));
    TRY(rd_u32(r, &value, 7));
    if (attribute & 1u) {
      /* a perception, which the log keeps only with a ref */
      if ((attribute >> 1) < 1 || (attribute >> 1) >= CXM_DIMENSION_COUNT || x.ref == 0) return CXM_E_FORMAT;
      x.attribute = -(int32_t)(attribute >> 1);
    } else {
      if ((attribute >> 1) < 1 || (attribute >> 1) > t->attributes.count) return CXM_E_FORMAT;
      x.attribute = (int32_t)(attribute >> 1);
    }
    if (x.customer >= s->customers.count || x.ref > t->refs.count || value < 1) return CXM_E_FORMAT;
    x.value = (uint8_t)value;
    t->items[t->count++] = x;
  }
  return CXM_OK;
}

/* What each customer came through first (version 4): one entry per
 * customer, as enc_first() writes them. */
static int32_t rd_first(rd *r, cxm_store *s) {
  uint32_t count, i;
  TRY(rd_count(r, &count, 2, UINT32_MAX));
  if (count != s->customers.count) return CXM_E_FORMAT;
  TRY(cxmi_store_info_reserve(s, count));
  for (i = 0; i < count; i++) {
    cxmi_customer_info *c = &s->info[i];
    TRY(rd_code(r, &c->channel, INT32_MAX));
    if (c->channel != CXM_CHANNEL_UNKNOWN) {
      TRY(rd_i64(r, &c->channel_time));
      if (!valid_channel(s, c->channel) || !valid_time(c->channel_time)) return CXM_E_FORMAT;
    }
    TRY(rd_code(r, &c->segment, INT32_MAX));
    if (c->segment != CXM_SEGMENT_UNKNOWN) {
      TRY(rd_i64(r, &c->segment_time));
      if (!valid_segment(s, c->segment) || !valid_time(c->segment_time)) return CXM_E_FORMAT;
    }
  }
  return CXM_OK;
}

/* Parse the payload of section `section` into the store. */
static int32_t rd_section(rd *r, int section, cxm_store *s, const meta *m) {
  switch (section) {
  case CXMI_SEC_CUSTOMERS: return rd_strings(r, &s->customers, &s->alloc, check_id, CXMI_MAX_CUSTOMERS);
  case CXMI_SEC_EVENT_IDS: return rd_strings(r, &s->event_ids, &s->alloc, check_id, CXMI_MAX_EVENT_IDS);
  case CXMI_SEC_CHANNELS: return rd_strings(r, &s->channels, &s->alloc, check_channel, CXMI_MAX_CUSTOM_CHANNELS);
  case CXMI_SEC_SEGMENTS: return rd_strings(r, &s->segments, &s->alloc, check_segment, CXMI_MAX_SEGMENTS);
  case CXMI_SEC_CELLS: return rd_cells(r, s, m);
  case CXMI_SEC_INTERACTIONS: return rd_interactions(r, s);
  case CXMI_SEC_SERVQUAL: return rd_servqual(r, s);
  case CXMI_SEC_CHURNED: return rd_churned(r, s);
  case CXMI_SEC_DAYS: return rd_days(r, s);
  case CXMI_SEC_LOOP: return rd_loop(r, s);
  case CXMI_SEC_STATUS: return rd_status(r, s);
  case CXMI_SEC_RATINGS: return rd_ratings(r, s);
  default: return rd_first(r, s);
  }
}

static int32_t load(cxm_store **out, const uint8_t *bytes, size_t len, const cxm_allocator *allocator) {
  rd in, payload;
  meta m;
  cxm_store_options options;
  cxm_store *s;
  int section;
  uint32_t version, flags;
  int32_t rc;
  in.p = bytes;
  in.left = len;
  in.version = 0;
  /* Magic first, so that other data is called foreign, not short. */
  if (memcmp(bytes, cxmi_snapshot_magic, len < 8 ? len : 8) != 0) return CXM_E_FORMAT;
  if (len < CXMI_SNAPSHOT_HEADER_BYTES) return CXM_E_TRUNCATED;
  version = (uint32_t)bytes[8] | (uint32_t)bytes[9] << 8 | (uint32_t)bytes[10] << 16 | (uint32_t)bytes[11] << 24;
  flags = (uint32_t)bytes[12] | (uint32_t)bytes[13] << 8 | (uint32_t)bytes[14] << 16 | (uint32_t)bytes[15] << 24;
  if (version > CXMI_SNAPSHOT_VERSION) return CXM_E_VERSION;
  if (version == 0 || flags != 0) return CXM_E_FORMAT;
  /* The whole file's length and checksum, before anything is parsed. */
  if (len < CXMI_SNAPSHOT_HEADER_BYTES + CXMI_SNAPSHOT_TRAILER_BYTES) return CXM_E_TRUNCATED;
  {
    const uint8_t *t = bytes + len - CXMI_SNAPSHOT_TRAILER_BYTES;
    uint64_t total = cxmi_get_u64(t + 4);
    uint32_t crc = (uint32_t)t[12] | (uint32_t)t[13] << 8 | (uint32_t)t[14] << 16 | (uint32_t)t[15] << 24;
    if (memcmp(t, CXMI_SNAPSHOT_TRAILER_TAG, 4) != 0 || total != (uint64_t)len) {
      /* No trailer at the end: the file was cut short, or has bytes after
       * its end. Which one is told by the sections below. */
    } else if (cxmi_crc32c(0, bytes, len - 4) != crc) {
      return CXM_E_CHECKSUM;
    }
  }
  in.p += CXMI_SNAPSHOT_HEADER_BYTES;
  in.left -= CXMI_SNAPSHOT_HEADER_BYTES;
  in.version = version;

  TRY(next_section(&payload, &in, cxmi_snapshot_tags[CXMI_SEC_META]));
  TRY(rd_meta(&payload, &m));
  if (payload.left != 0) return CXM_E_FORMAT;
  cxm_store_options_init(&options);
  options.allocator = allocator;
  options.bucket_seconds = m.bucket_seconds;
  rc = cxm_store_new(&s, &options);
  if (rc != CXM_OK) return rc == CXM_E_OPTION ? CXM_E_ARG : rc;
  s->events = m.events;
  s->duplicates = m.duplicates;
  s->first = m.first;
  s->last = m.last;
  for (section = CXMI_SEC_CUSTOMERS; section < CXMI_SEC_COUNT && rc == CXM_OK; section++) {
    /* Versions 1 and 2 end with the customer days: no survey log. */
    if (section == CXMI_SEC_LOOP && version < 3) break;
    /* Version 3 ends with the survey log: no status list, rating log or firsts. */
    if (section == CXMI_SEC_STATUS && version < 4) break;
    rc = next_section(&payload, &in, cxmi_snapshot_tags[section]);
    if (rc == CXM_OK) rc = rd_section(&payload, section, s, &m);
    if (rc == CXM_OK && payload.left != 0) rc = CXM_E_FORMAT;
  }
  if (rc == CXM_OK) {
    /* Then the trailer, which ends the bytes. */
    if (in.left < CXMI_SNAPSHOT_TRAILER_BYTES)
      rc = CXM_E_TRUNCATED;
    else if (in.left > CXMI_SNAPSHOT_TRAILER_BYTES)
      rc = CXM_E_FORMAT;
    else if (memcmp(in.p, CXMI_SNAPSHOT_TRAILER_TAG, 4) != 0 || cxmi_get_u64(in.p + 4) != len)
      rc = CXM_E_FORMAT;
  }
  if (rc != CXM_OK) {
    cxm_store_free(s);
    return rc;
  }
  /* The cell cache needs a cell; 0 is as good as any (it is checked). */
  s->last_cell = 0;
  *out = s;
  return CXM_OK;
}

int32_t cxm_store_load_bytes(cxm_store **out, const void *bytes, size_t len, const cxm_allocator *allocator) {
  int32_t rc;
  if (out == NULL) return CXM_E_ARG;
  *out = NULL;
  if (bytes == NULL && len > 0) return CXM_E_ARG;
  if (len == 0) return CXM_E_TRUNCATED;
  rc = load(out, bytes, len, allocator);
  if (rc != CXM_OK) *out = NULL;
  return rc;
}
