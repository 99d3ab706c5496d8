/* Snapshot writer: the store's logical content, canonically encoded
 * (docs/snapshot.md). Each section is encoded twice by the same code: once
 * to count its bytes (the frame states the length first), once to emit
 * them through a small buffer, so saving needs no memory proportional to
 * the store but one sorted copy of the customer days. */
#include "snapshot/snapshot_internal.h"

#include "common/bytes.h"
#include "common/crc32c.h"
#include "store/store_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const unsigned char cxmi_snapshot_magic[8] = {0x89, 'C', 'X', 'M', 'S', 'N', 'A', 'P'};

const char cxmi_snapshot_tags[CXMI_SEC_COUNT][5] = {"META", "CUST", "EVID", "CHAN", "SEGM", "CELL", "INTR",
                                                    "SERV", "CHRN", "DAYS", "LOOP", "STAT", "RATE", "FRST"};

#define SINK_BUFFER 4096

typedef struct sink {
  cxm_write_fn write; /* NULL: only count */
  void *opaque;
  int32_t rc;        /* the first nonzero status of `write`, then nothing more is written */
  uint64_t count;    /* bytes put since the last reset */
  uint64_t total;    /* bytes put in all */
  uint32_t crc;      /* CRC-32C of the current section's frame */
  uint32_t file_crc; /* CRC-32C of every byte written so far */
  size_t used;
  uint8_t buf[SINK_BUFFER];
} sink;

static void sink_flush(sink *s) {
  if (s->used > 0 && s->rc == 0) {
    int32_t rc = s->write(s->opaque, s->buf, s->used);
    if (rc != 0) s->rc = rc;
  }
  s->used = 0;
}

static void put(sink *s, const void *bytes, size_t len) {
  const uint8_t *p = bytes;
  s->count += len;
  s->total += len;
  if (s->write == NULL || s->rc != 0) return;
  s->crc = cxmi_crc32c(s->crc, p, len);
  s->file_crc = cxmi_crc32c(s->file_crc, p, len);
  while (len > 0) {
    size_t n = SINK_BUFFER - s->used < len ? SINK_BUFFER - s->used : len;
    memcpy(s->buf + s->used, p, n);
    s->used += n;
    p += n;
    len -= n;
    if (s->used == SINK_BUFFER) sink_flush(s);
  }
}

static void put_leb(sink *s, uint64_t v) {
  uint8_t b[CXMI_LEB128_MAX];
  put(s, b, cxmi_leb128_put(b, v));
}

static void put_u32(sink *s, uint32_t v) {
  uint8_t b[4];
  b[0] = (uint8_t)v;
  b[1] = (uint8_t)(v >> 8);
  b[2] = (uint8_t)(v >> 16);
  b[3] = (uint8_t)(v >> 24);
  put(s, b, 4);
}

static void put_u64(sink *s, uint64_t v) {
  uint8_t b[8];
  cxmi_put_u64(b, v);
  put(s, b, 8);
}

/* Two's complement, little-endian. */
static void put_i64(sink *s, int64_t v) { put_u64(s, (uint64_t)v); }

/* IEEE-754 binary64 bits, little-endian. */
static void put_f64(sink *s, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  put_u64(s, bits);
}

/* An int32 code the store keeps non-negative (channel, stage, segment...). */
static void put_code(sink *s, int32_t v) { put_leb(s, (uint64_t)(uint32_t)v); }

static void put_strings(sink *s, const cxmi_intern *t) {
  cxmi_intern_cursor c;
  const char *str;
  size_t len;
  put_leb(s, t->count);
  cxmi_intern_cursor_init(&c);
  while ((str = cxmi_intern_next(t, &c, &len)) != NULL) {
    put_leb(s, len);
    put(s, str, len);
  }
}

static void enc_meta(sink *s, const cxm_store *st) {
  put_i64(s, st->bucket_seconds);
  put_leb(s, st->events);
  put_leb(s, st->duplicates);
  put_i64(s, st->first);
  put_i64(s, st->last);
}

static void enc_cells(sink *s, const cxm_store *st) {
  uint32_t i;
  int k;
  put_leb(s, st->cube.count);
  for (i = 0; i < st->cube.count; i++) {
    const cxmi_cell *c = &st->cube.cells[i];
    put_i64(s, c->key.bucket);
    put_code(s, c->key.channel);
    put_code(s, c->key.stage);
    put_code(s, c->key.segment);
    put_leb(s, c->events);
    put_leb(s, c->complaints);
    put_leb(s, c->compliments);
    for (k = 0; k < 11; k++) put_leb(s, c->survey.nps.count[k]);
    for (k = 0; k < 5; k++) put_leb(s, c->survey.csat.count[k]);
    for (k = 0; k < 7; k++) put_leb(s, c->survey.ces.count[k]);
  }
}

static void enc_interactions(sink *s, const cxm_store *st) {
  const cxmi_interactions *t = &st->interactions;
  cxmi_intern_cursor cur;
  uint32_t i;
  put_leb(s, t->refs.count);
  cxmi_intern_cursor_init(&cur);
  for (i = 0; i < t->refs.count; i++) {
    const cxmi_interaction *r = &t->items[i];
    size_t len;
    const char *ref = cxmi_intern_next(&t->refs, &cur, &len);
    uint32_t link, n = 0;
    put_leb(s, len);
    put(s, ref, len);
    put_i64(s, r->first_rating_time);
    put_i64(s, r->first_internal_time);
    put_f64(s, r->internal_sum);
    put_f64(s, r->rating_sum);
    put_leb(s, r->internal_n);
    put_leb(s, r->rating_n);
    put_i64(s, r->first_customer_rating_time);
    put_leb(s, r->rating_customer);
    put_f64(s, r->first_internal);
    put_f64(s, r->first_rating);
    put_code(s, r->internal_channel);
    put_code(s, r->internal_stage);
    put_code(s, r->internal_segment);
    put_code(s, r->open_channel);
    put_code(s, r->open_stage);
    put_code(s, r->open_segment);
    put_leb(s, r->open_customer);
    put_i64(s, r->open_time);
    put_i64(s, r->reply_time);
    put_i64(s, r->resolve_time);
    put_i64(s, r->first_time);
    put_i64(s, r->last_resolve_time);
    put_leb(s, r->reply_n);
    put_leb(s, r->reopen_n);
    put_leb(s, r->transfer_n);
    /* The early list in list order (its array slots are history). The
     * list is acyclic and within early_count by construction. */
    for (link = r->early; link != 0; link = t->early[link - 1].next) n++;
    put_leb(s, n);
    for (link = r->early; link != 0; link = t->early[link - 1].next) {
      put_i64(s, t->early[link - 1].time);
      put_code(s, t->early[link - 1].kind);
    }
  }
}

static void enc_servqual(sink *s, const cxm_store *st) {
  uint32_t i;
  put_leb(s, st->servqual_keys.count);
  for (i = 0; i < st->servqual_keys.count; i++) {
    uint64_t key = st->servqual_keys.keys[i];
    const cxmi_servqual_answers *q = &st->servqual[i];
    put_leb(s, key >> 32);
    put_leb(s, (uint32_t)key >> 3);
    put_leb(s, key & 7u);
    put_leb(s, q->expectation_n);
    put_leb(s, q->perception_n);
    put_leb(s, q->expectation_sum);
    put_leb(s, q->perception_sum);
  }
}

static void enc_churned(sink *s, const cxm_store *st) {
  uint32_t i;
  put_leb(s, st->churned.count);
  for (i = 0; i < st->churned.count; i++) {
    put_leb(s, st->churned.keys[i] >> 32);
    put_leb(s, (uint32_t)st->churned.keys[i]);
  }
}

/* The customer days sorted by (customer, day): the table's slot order
 * depends on its capacity and insertion history, the sorted order not. */
static void enc_days(sink *s, const cxmi_day_slot *days, uint32_t count) {
  uint32_t i;
  put_leb(s, count);
  for (i = 0; i < count; i++) {
    const cxmi_day_slot *d = &days[i];
    uint64_t key = d->key - 1;
    put_leb(s, key >> 32);
    put_leb(s, (uint32_t)key);
    put_f64(s, d->amount);
    put_leb(s, d->purchases);
    put_leb(s, d->complaints);
    put_leb(s, d->compliments);
    put_leb(s, d->high_effort);
    put_leb(s, d->nps_last);
    put_leb(s, d->nps_prev);
    put_leb(s, (uint32_t)d->nps_last_at);
    put_leb(s, (uint32_t)d->nps_prev_at);
  }
}

/* The survey log: its refs, then its records in input order. */
static void enc_loop(sink *s, const cxm_store *st) {
  uint32_t i;
  put_strings(s, &st->loop.refs);
  put_leb(s, st->loop.count);
  for (i = 0; i < st->loop.count; i++) {
    const cxmi_loop_event *r = &st->loop.items[i];
    put_i64(s, r->time);
    put_leb(s, r->customer);
    put_leb(s, r->ref);
    put_code(s, r->kind);
    put_leb(s, r->value);
    put_code(s, r->channel);
    put_code(s, r->stage);
    put_code(s, r->segment);
  }
}

/* The contacts' resolves, reopens and transfers in input order. */
static void enc_status(sink *s, const cxm_store *st) {
  uint32_t i;
  put_leb(s, st->interactions.status_count);
  for (i = 0; i < st->interactions.status_count; i++) {
    const cxmi_status *r = &st->interactions.status[i];
    put_i64(s, r->time);
    put_leb(s, r->interaction);
    put_code(s, r->kind);
  }
}

/* The rating log: attribute labels, refs, then its records in input
 * order; a record's attribute is 2 * code for a rating and
 * 2 * dimension + 1 for a perception. */
static void enc_ratings(sink *s, const cxm_store *st) {
  uint32_t i;
  put_strings(s, &st->ratings.attributes);
  put_strings(s, &st->ratings.refs);
  put_leb(s, st->ratings.count);
  for (i = 0; i < st->ratings.count; i++) {
    const cxmi_rating *r = &st->ratings.items[i];
    put_leb(s, r->customer);
    put_leb(s, r->ref);
    put_leb(s, r->attribute > 0 ? (uint64_t)r->attribute << 1 : ((uint64_t)-r->attribute << 1) | 1u);
    put_leb(s, r->value);
  }
}

/* What each customer came through first, for every customer in handle
 * order: `varint` channel (0: none), its `i64` time when not 0, then the
 * same for the segment. */
static void enc_first(sink *s, const cxm_store *st) {
  uint32_t i;
  put_leb(s, st->customers.count);
  for (i = 0; i < st->customers.count; i++) {
    const cxmi_customer_info *c = i < st->info_count ? &st->info[i] : NULL;
    int32_t channel = c != NULL ? c->channel : CXM_CHANNEL_UNKNOWN, segment = c != NULL ? c->segment : 0;
    put_code(s, channel);
    if (channel != CXM_CHANNEL_UNKNOWN) put_i64(s, c->channel_time);
    put_code(s, segment);
    if (segment != CXM_SEGMENT_UNKNOWN) put_i64(s, c->segment_time);
  }
}

static void encode(sink *s, int section, const cxm_store *st, const cxmi_day_slot *days, uint32_t day_count) {
  switch (section) {
  case CXMI_SEC_META: enc_meta(s, st); break;
  case CXMI_SEC_CUSTOMERS: put_strings(s, &st->customers); break;
  case CXMI_SEC_EVENT_IDS: put_strings(s, &st->event_ids); break;
  case CXMI_SEC_CHANNELS: put_strings(s, &st->channels); break;
  case CXMI_SEC_SEGMENTS: put_strings(s, &st->segments); break;
  case CXMI_SEC_CELLS: enc_cells(s, st); break;
  case CXMI_SEC_INTERACTIONS: enc_interactions(s, st); break;
  case CXMI_SEC_SERVQUAL: enc_servqual(s, st); break;
  case CXMI_SEC_CHURNED: enc_churned(s, st); break;
  case CXMI_SEC_DAYS: enc_days(s, days, day_count); break;
  case CXMI_SEC_LOOP: enc_loop(s, st); break;
  case CXMI_SEC_STATUS: enc_status(s, st); break;
  case CXMI_SEC_RATINGS: enc_ratings(s, st); break;
  default: enc_first(s, st); break;
  }
}

static int compare_days(const void *x, const void *y) {
  uint64_t a = ((const cxmi_day_slot *)x)->key, b = ((const cxmi_day_slot *)y)->key;
  return a < b ? -1 : a > b;
}

int32_t cxm_store_save_to(const cxm_store *store, cxm_write_fn write, void *opaque) {
  cxmi_alloc a;
  cxmi_day_slot *days = NULL;
  uint32_t day_count = 0, i;
  sink *s;
  int section;
  int32_t rc;
  uint8_t header[CXMI_SNAPSHOT_HEADER_BYTES];
  if (store == NULL || write == NULL) return CXM_E_ARG;
  if (cxmi_store_keeps(store, CXM_OMIT_CUSTOMER_DAYS | CXM_OMIT_CUSTOMER_FIRSTS) != CXM_OK) return CXM_E_STATE;
  /* A private allocator over the store's hooks: the store's byte count
   * stays as it was. */
  (void)cxmi_alloc_init(&a, &store->alloc.hooks);
  s = cxmi_malloc(&a, sizeof *s);
  if (s == NULL) return CXM_E_NOMEM;
  if (store->purchase_days.count > 0) {
    days = cxmi_malloc(&a, (size_t)store->purchase_days.count * sizeof *days);
    if (days == NULL) {
      cxmi_free(&a, s, sizeof *s);
      return CXM_E_NOMEM;
    }
    for (i = 0; i <= store->purchase_days.slot_mask; i++)
      if (store->purchase_days.slots[i].key != 0) days[day_count++] = store->purchase_days.slots[i];
    /* Never write what the loader refuses: recording and merging keep
     * every day's amount finite, and this check makes sure of it before
     * the first byte goes out (a file save then keeps the previous file). */
    for (i = 0; i < day_count; i++) {
      if (!(days[i].amount >= 0) || !isfinite(days[i].amount)) {
        cxmi_free(&a, days, (size_t)store->purchase_days.count * sizeof *days);
        cxmi_free(&a, s, sizeof *s);
        return CXM_E_OVERFLOW;
      }
    }
    qsort(days, day_count, sizeof *days, compare_days);
  }
  memset(s, 0, offsetof(sink, buf));
  s->write = write;
  s->opaque = opaque;

  memcpy(header, cxmi_snapshot_magic, 8);
  header[8] = (uint8_t)CXMI_SNAPSHOT_VERSION;
  memset(header + 9, 0, sizeof header - 9); /* version's high bytes, then flags 0 */
  put(s, header, sizeof header);
  for (section = 0; section < CXMI_SEC_COUNT && s->rc == 0; section++) {
    sink counter;
    counter.write = NULL;
    counter.rc = 0;
    counter.count = 0;
    counter.total = 0;
    encode(&counter, section, store, days, day_count);
    s->crc = 0;
    put(s, cxmi_snapshot_tags[section], 4);
    put_u64(s, counter.count);
    s->count = 0;
    encode(s, section, store, days, day_count);
    /* The two passes run the same code over the same unchanged store. */
    put_u32(s, s->crc);
  }
  /* The trailer: its tag, the file's whole length (the trailer included),
   * and the CRC-32C of every byte before that CRC. */
  put(s, CXMI_SNAPSHOT_TRAILER_TAG, 4);
  put_u64(s, s->total + 8 + 4);
  put_u32(s, s->file_crc);
  sink_flush(s);
  rc = s->rc;
  cxmi_free(&a, days, (size_t)store->purchase_days.count * sizeof *days);
  cxmi_free(&a, s, sizeof *s);
  return rc;
}
