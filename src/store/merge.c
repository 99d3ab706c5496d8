/* Store merge (cxm_store_merge, see cxm/store.h): fold one store into
 * another so that the result equals one store fed both event streams in
 * turn.
 *
 * Atomicity follows store.c's reserve-then-commit, for many entries at a
 * time: a plan pass maps every customer, channel, segment, cell and ref of
 * `from` to its handle in `into` (existing, or the next new one) and checks
 * every limit and count; a reserve pass then grows each of `into`'s tables
 * to hold all the new entries (the capacity helpers live in
 * merge_reserve.c); only then does the commit pass change `into`, and it
 * cannot fail. */
#include "store/merge.h"

#include "common/compiler.h"
#include "common/hash.h"

#include <math.h>
#include <string.h>

/* Look-ups per prefetch round (as in store.c): the loads of a round's
 * slots overlap instead of missing the cache one after another. */
#define ROUND CXMI_PREFETCH_MAX

/* Read the next `count` strings of `src` at cursor `c` into `strs` and
 * `lens`, give their hashes and start loading their index slots in `dst`
 * (and for a dense `dst` the record a slot names). A hint only. */
static void prefetch_strings(uint64_t *hashes, const char **strs, size_t *lens, const cxmi_intern *dst,
                             const cxmi_intern *src, cxmi_intern_cursor *c, uint32_t count) {
  uint32_t k;
  for (k = 0; k < count; k++) {
    strs[k] = cxmi_intern_next(src, c, &lens[k]);
    hashes[k] = cxmi_hash_bytes(strs[k], lens[k]);
    cxmi_intern_prefetch_slot(dst, hashes[k]);
  }
  for (k = 0; k < count && !dst->set; k++) cxmi_intern_prefetch_record(dst, hashes[k]);
}

/* ---- plan ---------------------------------------------------------------- */

/* Map each string of `src` to its index in `dst`: existing ones keep
 * theirs, new ones get dst->count, dst->count + 1... in `src`'s order.
 * `map` may be NULL (only count). `plan` receives the number of new
 * strings and the arena blocks they will need. */
static void plan_intern(uint32_t *map, cxmi_merge_intern *plan, const cxmi_intern *dst, const cxmi_intern *src) {
  uint64_t hashes[ROUND];
  const char *strs[ROUND];
  size_t lens[ROUND];
  cxmi_intern_cursor c;
  uint32_t i;
  cxmi_merge_intern_begin(plan, dst);
  cxmi_intern_cursor_init(&c);
  for (i = 0; i < src->count; i++) {
    int64_t found;
    if (i % ROUND == 0)
      prefetch_strings(hashes, strs, lens, dst, src, &c, src->count - i < ROUND ? src->count - i : ROUND);
    found = cxmi_intern_find(dst, strs[i % ROUND], lens[i % ROUND], hashes[i % ROUND]);
    if (found >= 0) {
      if (map != NULL) map[i] = (uint32_t)found;
    } else {
      if (map != NULL) map[i] = dst->count + plan->added;
      cxmi_merge_intern_add(plan, lens[i % ROUND]);
    }
  }
}

/* Append the strings of `src` that `map` marks as new (all when NULL). */
static void commit_intern(cxmi_intern *dst, cxmi_merge_intern *plan, const cxmi_intern *src, const uint32_t *map) {
  uint64_t hashes[ROUND];
  const char *strs[ROUND];
  size_t lens[ROUND];
  cxmi_intern_cursor c;
  uint32_t i, base = dst->count;
  if (plan->added == 0) return;
  cxmi_intern_cursor_init(&c);
  for (i = 0; i < src->count; i++) {
    if (i % ROUND == 0) {
      uint32_t k, n = src->count - i < ROUND ? src->count - i : ROUND;
      for (k = 0; k < n; k++) {
        strs[k] = cxmi_intern_next(src, &c, &lens[k]);
        hashes[k] = cxmi_hash_bytes(strs[k], lens[k]);
        cxmi_intern_prefetch_slot(dst, hashes[k]);
      }
    }
    if (map != NULL && map[i] < base) continue;
    cxmi_merge_intern_commit(dst, plan, strs[i % ROUND], lens[i % ROUND], hashes[i % ROUND]);
  }
}

/* Temporary tables of one merge, in `into`'s allocator. */
typedef struct merge_maps {
  uint32_t *customer;   /* from's handle -> into's */
  uint32_t *channel;    /* from's custom channel index -> into's */
  uint32_t *segment;    /* from's segment index -> into's */
  uint32_t *cell;       /* from's cell -> into's */
  uint32_t *ref;        /* from's interaction -> into's */
  uint32_t *loop_ref;   /* from's survey-log ref -> into's */
  uint32_t *attribute;  /* from's attribute index -> into's */
  uint32_t *rating_ref; /* from's rating-log ref -> into's */
} merge_maps;

static uint32_t *map_alloc(int32_t *rc, cxmi_alloc *a, uint32_t n) {
  uint32_t *p;
  if (n == 0 || *rc != CXM_OK) return NULL;
  p = cxmi_malloc(a, (size_t)n * sizeof *p);
  if (p == NULL) *rc = CXM_E_NOMEM;
  return p;
}

static void maps_free(merge_maps *m, cxmi_alloc *a, const cxm_store *from) {
  cxmi_free(a, m->customer, (size_t)from->customers.count * sizeof *m->customer);
  cxmi_free(a, m->channel, (size_t)from->channels.count * sizeof *m->channel);
  cxmi_free(a, m->segment, (size_t)from->segments.count * sizeof *m->segment);
  cxmi_free(a, m->cell, (size_t)from->cube.count * sizeof *m->cell);
  cxmi_free(a, m->ref, (size_t)from->interactions.refs.count * sizeof *m->ref);
  cxmi_free(a, m->loop_ref, (size_t)from->loop.refs.count * sizeof *m->loop_ref);
  cxmi_free(a, m->attribute, (size_t)from->ratings.attributes.count * sizeof *m->attribute);
  cxmi_free(a, m->rating_ref, (size_t)from->ratings.refs.count * sizeof *m->rating_ref);
}

static int32_t map_channel(const merge_maps *m, int32_t channel) {
  return channel >= CXM_CHANNEL_FIRST_CUSTOM
             ? CXM_CHANNEL_FIRST_CUSTOM + (int32_t)m->channel[channel - CXM_CHANNEL_FIRST_CUSTOM]
             : channel;
}

static int32_t map_segment(const merge_maps *m, int32_t segment) {
  return segment > 0 ? 1 + (int32_t)m->segment[segment - 1] : segment;
}

static cxmi_cell_key map_cell_key(const merge_maps *m, const cxmi_cell_key *k) {
  cxmi_cell_key key;
  key.bucket = k->bucket;
  key.channel = map_channel(m, k->channel);
  key.stage = k->stage;
  key.segment = map_segment(m, k->segment);
  key.unused = 0;
  return key;
}

static uint64_t map_servqual_key(const merge_maps *m, uint64_t key) {
  uint32_t customer = (uint32_t)(key >> 32), cell = (uint32_t)(key >> 3) & (CXMI_MAX_CELLS - 1);
  return CXMI_SERVQUAL_KEY(m->customer[customer], m->cell[cell], key & 7u);
}

static uint64_t map_churn_key(const merge_maps *m, uint64_t key) {
  return CXMI_CHURN_KEY(m->customer[key >> 32], m->cell[(uint32_t)key]);
}

static uint64_t map_day_key(const merge_maps *m, uint64_t key) {
  return CXMI_PURCHASE_KEY(m->customer[key >> 32], (uint32_t)key);
}

/* Everything the reserve pass needs to know. */
typedef struct merge_plan {
  cxmi_merge_intern customers, event_ids, channels, segments, refs, loop_refs, attributes, rating_refs;
  uint32_t cells, servqual, churned, days;
  uint32_t early;   /* early entries of `from` (an upper bound of new ones) */
  uint32_t loop;    /* survey-log records of `from` */
  uint32_t ratings; /* rating-log records of `from` */
  int info;         /* `from` has a customer with a first channel or segment */
  uint32_t status;  /* status records (resolves, reopens, transfers) of `from` */
  int ids_whole;    /* the event ids move by slots and whole arena blocks (plan_event_ids) */
} merge_plan;

static int add_overflows_u64(uint64_t a, uint64_t b) { return a > UINT64_MAX - b; }
static int add_overflows_u32(uint32_t a, uint32_t b) { return a > UINT32_MAX - b; }

/* Map the cells; check the counts that would overflow. */
static int32_t plan_cells(merge_plan *p, merge_maps *m, const cxm_store *into, const cxm_store *from) {
  uint32_t i;
  for (i = 0; i < from->cube.count; i++) {
    const cxmi_cell *src = &from->cube.cells[i];
    cxmi_cell_key key = map_cell_key(m, &src->key);
    int64_t at = cxmi_cube_find(&into->cube, &key, cxmi_cell_key_hash(&key));
    if (at >= 0) {
      const cxmi_cell *dst = &into->cube.cells[at];
      cxm_survey_acc trial = dst->survey;
      if (add_overflows_u64(dst->events, src->events) || add_overflows_u64(dst->complaints, src->complaints) ||
          add_overflows_u64(dst->compliments, src->compliments) || cxm_survey_acc_merge(&trial, &src->survey) != CXM_OK)
        return CXM_E_OVERFLOW;
      m->cell[i] = (uint32_t)at;
    } else {
      m->cell[i] = into->cube.count + p->cells++;
    }
  }
  if ((uint64_t)into->cube.count + p->cells > CXMI_MAX_CELLS) return CXM_E_LIMIT;
  return CXM_OK;
}

static uint32_t early_length(const cxmi_interactions *t, const cxmi_interaction *r) {
  uint32_t n = 0, at;
  for (at = r->early; at != 0; at = t->early[at - 1].next) n++;
  return n;
}

/* Whether a sum of doubles with `dst_n` terms in `into` and `src_n` in
 * `from` could differ from one store's in its last bits: one store adds
 * from's terms one by one to into's sum, a merge adds from's sum to it.
 * With one term (or none) on from's side the two are the same addition. */
static int sum_inexact(uint32_t dst_n, uint32_t src_n) { return dst_n >= 1 && src_n >= 2; }

static int32_t plan_interactions(merge_plan *p, const merge_maps *m, const cxm_store *into, const cxm_store *from,
                                 int exact) {
  uint32_t i;
  p->early = 0;
  for (i = 0; i < from->interactions.refs.count; i++) {
    const cxmi_interaction *src = &from->interactions.items[i];
    if (m->ref[i] < into->interactions.refs.count) {
      const cxmi_interaction *dst = &into->interactions.items[m->ref[i]];
      /* customer ratings add up exactly (cxmi_rating_sum_add); internal
       * ratings only when whole */
      if (exact && !(dst->whole & src->whole & CXMI_WHOLE_INTERNAL) && sum_inexact(dst->internal_n, src->internal_n))
        return CXM_E_CONFLICT;
      if (add_overflows_u32(dst->internal_n, src->internal_n) || add_overflows_u32(dst->rating_n, src->rating_n) ||
          add_overflows_u32(dst->reply_n, src->reply_n) || add_overflows_u32(dst->reopen_n, src->reopen_n) ||
          add_overflows_u32(dst->transfer_n, src->transfer_n))
        return CXM_E_OVERFLOW;
    }
    p->early += early_length(&from->interactions, src);
  }
  return CXM_OK;
}

static int32_t plan_side_tables(merge_plan *p, const merge_maps *m, const cxm_store *into, const cxm_store *from,
                                int exact) {
  uint32_t i;
  for (i = 0; i < from->servqual_keys.count; i++) {
    int64_t at = cxmi_keymap_find(&into->servqual_keys, map_servqual_key(m, from->servqual_keys.keys[i]));
    if (at >= 0) {
      const cxmi_servqual_answers *dst = &into->servqual[at], *src = &from->servqual[i];
      if (add_overflows_u32(dst->expectation_n, src->expectation_n) ||
          add_overflows_u32(dst->perception_n, src->perception_n) ||
          add_overflows_u64(dst->expectation_sum, src->expectation_sum) ||
          add_overflows_u64(dst->perception_sum, src->perception_sum))
        return CXM_E_OVERFLOW;
    } else {
      p->servqual++;
    }
  }
  for (i = 0; i < from->churned.count; i++)
    if (cxmi_keymap_find(&into->churned, map_churn_key(m, from->churned.keys[i])) < 0) p->churned++;
  /* Room for every day of `from`, new or not: a look-up per day costs more
   * than the table's spare room (customer days of shards of one stream
   * are mostly distinct anyway). */
  p->days = from->purchase_days.count;
  /* A day both stores bought on must keep a finite amount (a snapshot
   * holds nothing else): only a customer `into` already has can share a
   * day, and only a positive amount can overflow. */
  if (from->purchase_days.slots != NULL && into->purchase_days.slots != NULL) {
    for (i = 0; i <= from->purchase_days.slot_mask; i++) {
      const cxmi_day_slot *src = &from->purchase_days.slots[i], *dst;
      uint64_t key;
      int sum_check;
      if (src->key == 0) continue;
      sum_check = exact && src->purchases >= 2;
      if (!(src->amount > 0) && !sum_check) continue;
      key = map_day_key(m, src->key - 1);
      if ((key >> 32) >= into->customers.count) continue;
      dst = cxmi_daymap_slot(&into->purchase_days, key);
      if (dst->key == 0) continue;
      if (src->amount > 0 && !isfinite(dst->amount + src->amount)) return CXM_E_OVERFLOW;
      if (sum_check && sum_inexact(dst->purchases, src->purchases)) return CXM_E_CONFLICT;
    }
  }
  return CXM_OK;
}

/* ---- commit -------------------------------------------------------------- */

static void set_min(int64_t *at, int64_t t) {
  if (t < *at) *at = t;
}

/* Fold interaction `src` (of `from`) into `dst` (of `into`). `dst` was
 * either recorded by `into` or freshly initialised (no event at all).
 * Ties go to `dst`: its events came first, and interactions.c keeps the
 * first of equal times. */
static void merge_interaction(cxmi_interactions *t, cxmi_interaction *dst, const cxmi_interactions *from_t,
                              const cxmi_interaction *src, const merge_maps *m) {
  uint32_t at, pushed = 0, bit;
  /* A sum keeps its mark only when both sides have it (or one side has no
   * term). */
  bit = CXMI_WHOLE_INTERNAL;
  if (src->internal_n > 0 && (dst->internal_n == 0 || !(src->whole & bit)))
    dst->whole = (dst->whole & ~bit) | (src->whole & bit);
  dst->internal_sum += src->internal_sum;
  dst->internal_n += src->internal_n;
  /* exact (interactions.h): the sum one store keeps, however grouped */
  dst->rating_sum = cxmi_rating_sum_add(dst->rating_sum, src->rating_sum);
  dst->rating_n += src->rating_n;
  set_min(&dst->first_rating_time, src->first_rating_time);
  if (src->first_internal_time < dst->first_internal_time) {
    dst->first_internal_time = src->first_internal_time;
    dst->first_internal = src->first_internal;
    dst->internal_channel = map_channel(m, src->internal_channel);
    dst->internal_stage = src->internal_stage;
    dst->internal_segment = map_segment(m, src->internal_segment);
  }
  if (src->first_customer_rating_time < dst->first_customer_rating_time) {
    dst->first_customer_rating_time = src->first_customer_rating_time;
    dst->rating_customer = m->customer[src->rating_customer];
    dst->first_rating = src->first_rating;
  }
  if (src->open_time < dst->open_time) {
    dst->open_time = src->open_time;
    dst->open_channel = map_channel(m, src->open_channel);
    dst->open_stage = src->open_stage;
    dst->open_segment = map_segment(m, src->open_segment);
    dst->open_customer = m->customer[src->open_customer];
  }
  /* The first reply is the earliest reply at or after the earliest open,
   * wherever each was recorded: both sides' firsts, and the entries of
   * both early lists the merged open now covers. */
  set_min(&dst->reply_time, src->reply_time);
  set_min(&dst->resolve_time, src->resolve_time);
  set_min(&dst->first_time, src->first_time);
  if (src->last_resolve_time != CXMI_NO_TIME &&
      (dst->last_resolve_time == CXMI_NO_TIME || src->last_resolve_time > dst->last_resolve_time))
    dst->last_resolve_time = src->last_resolve_time;
  dst->reply_n += src->reply_n;
  dst->reopen_n += src->reopen_n;
  dst->transfer_n += src->transfer_n;
  if (dst->open_time != CXMI_NO_TIME) cxmi_interactions_absorb_early(t, dst, dst->open_time);
  for (at = src->early; at != 0; at = from_t->early[at - 1].next) {
    const cxmi_early *e = &from_t->early[at - 1];
    if (dst->open_time != CXMI_NO_TIME && e->time >= dst->open_time) {
      set_min(e->kind == CXM_KIND_CONTACT_REPLY ? &dst->reply_time : &dst->resolve_time, e->time);
    } else {
      cxmi_interactions_push_early(t, dst, e->kind, e->time);
      pushed++;
    }
  }
  /* A list runs from the latest arrival to the earliest. `from`'s list was
   * walked from its latest, so the pushed entries lie reversed at the
   * head: turn them round, to give the list one store would hold (the
   * order a snapshot writes). */
  if (pushed > 1) {
    uint32_t prev = 0, cur = dst->early, first = dst->early, k;
    for (k = 0; k < pushed; k++) {
      uint32_t next = t->early[cur - 1].next;
      t->early[cur - 1].next = prev;
      prev = cur;
      cur = next;
    }
    dst->early = prev;
    t->early[first - 1].next = cur;
  }
}

static void commit_interactions(cxm_store *into, merge_plan *p, const merge_maps *m, const cxm_store *from) {
  cxmi_interactions *t = &into->interactions;
  uint32_t i, base = t->refs.count;
  commit_intern(&t->refs, &p->refs, &from->interactions.refs, m->ref);
  for (i = base; i < t->refs.count; i++) cxmi_interaction_init(&t->items[i]);
  for (i = 0; i < from->interactions.refs.count; i++)
    merge_interaction(t, &t->items[m->ref[i]], &from->interactions, &from->interactions.items[i], m);
  /* The status list: `from`'s after `into`'s, as for the survey log. */
  for (i = 0; i < from->interactions.status_count; i++) {
    cxmi_status st = from->interactions.status[i];
    st.interaction = m->ref[st.interaction];
    t->status[t->status_count++] = st;
  }
}

/* The survey log: `from`'s records after `into`'s, as one store fed both
 * streams in turn would hold them. */
static void commit_loop(cxm_store *into, merge_plan *p, const merge_maps *m, const cxm_store *from) {
  uint32_t i;
  commit_intern(&into->loop.refs, &p->loop_refs, &from->loop.refs, m->loop_ref);
  for (i = 0; i < from->loop.count; i++) {
    cxmi_loop_event r = from->loop.items[i];
    r.customer = m->customer[r.customer];
    if (r.ref != 0) r.ref = (cxmi_loop_is_answer(r.kind) ? m->ref : m->loop_ref)[r.ref - 1] + 1;
    r.channel = map_channel(m, r.channel);
    r.segment = map_segment(m, r.segment);
    into->loop.items[into->loop.count++] = r;
  }
}

/* What each customer came through first: the earlier of both stores'
 * (ties: `into`'s, recorded first). */
static void commit_info(cxm_store *into, const merge_maps *m, const cxm_store *from) {
  uint32_t i;
  for (i = 0; i < from->info_count; i++) {
    const cxmi_customer_info *src = &from->info[i];
    if (src->channel != CXM_CHANNEL_UNKNOWN || src->segment != CXM_SEGMENT_UNKNOWN)
      cxmi_store_info_offer(into, m->customer[i], src->channel_time, map_channel(m, src->channel), src->segment_time,
                            map_segment(m, src->segment));
  }
}

/* The rating log, the same way. */
static void commit_ratings(cxm_store *into, merge_plan *p, const merge_maps *m, const cxm_store *from) {
  uint32_t i;
  commit_intern(&into->ratings.refs, &p->rating_refs, &from->ratings.refs, m->rating_ref);
  for (i = 0; i < from->ratings.count; i++) {
    cxmi_rating r = from->ratings.items[i];
    r.customer = m->customer[r.customer];
    if (r.ref != 0) r.ref = m->rating_ref[r.ref - 1] + 1;
    if (r.attribute > 0) r.attribute = 1 + (int32_t)m->attribute[r.attribute - 1];
    into->ratings.items[into->ratings.count++] = r;
  }
}

static void commit_cells(cxm_store *into, const merge_maps *m, const cxm_store *from) {
  uint32_t i;
  for (i = 0; i < from->cube.count; i++) {
    const cxmi_cell *src = &from->cube.cells[i];
    cxmi_cell *dst;
    if (m->cell[i] >= into->cube.count) {
      cxmi_cell_key key = map_cell_key(m, &src->key);
      (void)cxmi_cube_commit(&into->cube, &key, cxmi_cell_key_hash(&key));
    }
    dst = &into->cube.cells[m->cell[i]];
    dst->events += src->events;
    dst->complaints += src->complaints;
    dst->compliments += src->compliments;
    (void)cxm_survey_acc_merge(&dst->survey, &src->survey); /* checked in plan_cells */
  }
}

static uint16_t add16(uint16_t a, uint16_t b) {
  return (uint16_t)((uint32_t)a + b > UINT16_MAX ? UINT16_MAX : (uint32_t)a + b);
}

/* One NPS answer of a day: its value + 1 (0: none), second, and rank in
 * arrival among the candidates. */
typedef struct nps_answer {
  uint8_t value;
  int32_t at;
  int rank;
} nps_answer;

static int nps_later(const nps_answer *x, const nps_answer *y) {
  return x->at > y->at || (x->at == y->at && x->rank > y->rank);
}

/* The day keeps its two latest NPS answers by (second, arrival), the
 * later arrival winning ties (store.c's record_day): the two latest of
 * the four candidates, `from`'s arriving after `into`'s, and on each side
 * `last` after `prev` when their seconds are equal. */
static void merge_day_nps(cxmi_day_slot *dst, const cxmi_day_slot *src) {
  nps_answer c[4], first, second;
  int i;
  c[0].value = dst->nps_prev, c[0].at = dst->nps_prev_at, c[0].rank = 0;
  c[1].value = dst->nps_last, c[1].at = dst->nps_last_at, c[1].rank = 1;
  c[2].value = src->nps_prev, c[2].at = src->nps_prev_at, c[2].rank = 2;
  c[3].value = src->nps_last, c[3].at = src->nps_last_at, c[3].rank = 3;
  first.value = 0, first.at = 0, first.rank = -1;
  second = first;
  for (i = 0; i < 4; i++) {
    if (c[i].value == 0) continue;
    if (first.value == 0 || nps_later(&c[i], &first)) {
      second = first;
      first = c[i];
    } else if (second.value == 0 || nps_later(&c[i], &second)) {
      second = c[i];
    }
  }
  dst->nps_last = first.value;
  dst->nps_last_at = first.value != 0 ? first.at : 0;
  dst->nps_prev = second.value;
  dst->nps_prev_at = second.value != 0 ? second.at : 0;
}

static void commit_side_tables(cxm_store *into, const merge_maps *m, const cxm_store *from) {
  uint32_t i;
  for (i = 0; i < from->servqual_keys.count; i++) {
    uint64_t key = map_servqual_key(m, from->servqual_keys.keys[i]);
    const cxmi_servqual_answers *src = &from->servqual[i];
    cxmi_servqual_answers *dst;
    int64_t at = cxmi_keymap_find(&into->servqual_keys, key);
    if (at < 0) {
      at = cxmi_keymap_commit(&into->servqual_keys, key);
      memset(&into->servqual[at], 0, sizeof into->servqual[at]);
    }
    dst = &into->servqual[at];
    dst->expectation_n += src->expectation_n;
    dst->perception_n += src->perception_n;
    dst->expectation_sum += src->expectation_sum;
    dst->perception_sum += src->perception_sum;
  }
  for (i = 0; i < from->churned.count; i++) {
    uint64_t key = map_churn_key(m, from->churned.keys[i]);
    if (cxmi_keymap_find(&into->churned, key) < 0) (void)cxmi_keymap_commit(&into->churned, key);
  }
  if (from->purchase_days.slots == NULL) return;
  for (i = 0; i <= from->purchase_days.slot_mask; i++) {
    const cxmi_day_slot *src = &from->purchase_days.slots[i];
    cxmi_day_slot *dst;
    if (i % ROUND == 0) {
      uint32_t k;
      for (k = i; k < i + ROUND && k <= from->purchase_days.slot_mask; k++)
        if (from->purchase_days.slots[k].key != 0)
          PREFETCH(
              &into->purchase_days.slots[(uint32_t)cxmi_hash_u64(map_day_key(m, from->purchase_days.slots[k].key - 1)) &
                                         into->purchase_days.slot_mask]);
    }
    if (src->key == 0) continue;
    dst = cxmi_daymap_get(&into->purchase_days, map_day_key(m, src->key - 1));
    dst->amount += src->amount;
    dst->purchases = add_overflows_u32(dst->purchases, src->purchases) ? UINT32_MAX : dst->purchases + src->purchases;
    dst->complaints = add16(dst->complaints, src->complaints);
    dst->compliments = add16(dst->compliments, src->compliments);
    dst->high_effort = add16(dst->high_effort, src->high_effort);
    merge_day_nps(dst, src);
  }
}

/* ---- the merge ------------------------------------------------------------ */

/* A store skips a repeated event id, but a merge cannot take back an
 * event `into` already counted: any id in both is a conflict. While the
 * merged index carries each id's home slot in its hash bits (up to 2^28
 * slots), the ids are checked by `from`'s slots and added by copying its
 * arena blocks whole and moving its slots: no id is hashed again, and the
 * ids keep their order. Past that, id by id. */
static int32_t plan_event_ids(merge_plan *p, const cxm_store *into, const cxm_store *from) {
  const cxmi_intern *dst = &into->event_ids, *src = &from->event_ids;
  if (cxmi_intern_will_carry_home(dst, (uint64_t)dst->count + src->count)) {
    if (cxmi_intern_sets_meet(dst, src)) return CXM_E_CONFLICT;
    cxmi_merge_intern_begin(&p->event_ids, dst);
    p->event_ids.added = src->count;
    p->event_ids.blocks = src->count > 0 ? src->block_count : 0;
    p->ids_whole = 1;
    return CXM_OK;
  }
  plan_intern(NULL, &p->event_ids, dst, src);
  return p->event_ids.added == src->count ? CXM_OK : CXM_E_CONFLICT;
}

static int32_t plan_merge(merge_plan *p, merge_maps *m, cxm_store *into, const cxm_store *from, int exact) {
  int32_t rc = plan_event_ids(p, into, from);
  cxmi_alloc *a = &into->alloc;
  if (rc != CXM_OK) return rc;
  m->customer = map_alloc(&rc, a, from->customers.count);
  m->channel = map_alloc(&rc, a, from->channels.count);
  m->segment = map_alloc(&rc, a, from->segments.count);
  m->cell = map_alloc(&rc, a, from->cube.count);
  m->ref = map_alloc(&rc, a, from->interactions.refs.count);
  m->loop_ref = map_alloc(&rc, a, from->loop.refs.count);
  m->attribute = map_alloc(&rc, a, from->ratings.attributes.count);
  m->rating_ref = map_alloc(&rc, a, from->ratings.refs.count);
  if (rc != CXM_OK) return rc;
  plan_intern(m->customer, &p->customers, &into->customers, &from->customers);
  plan_intern(m->channel, &p->channels, &into->channels, &from->channels);
  plan_intern(m->segment, &p->segments, &into->segments, &from->segments);
  plan_intern(m->ref, &p->refs, &into->interactions.refs, &from->interactions.refs);
  plan_intern(m->loop_ref, &p->loop_refs, &into->loop.refs, &from->loop.refs);
  if ((uint64_t)into->loop.count + from->loop.count > UINT32_MAX) return CXM_E_LIMIT;
  if ((uint64_t)into->interactions.status_count + from->interactions.status_count > UINT32_MAX) return CXM_E_LIMIT;
  p->loop = from->loop.count;
  plan_intern(m->attribute, &p->attributes, &into->ratings.attributes, &from->ratings.attributes);
  if ((uint64_t)into->ratings.attributes.count + p->attributes.added > CXMI_MAX_ATTRIBUTES) return CXM_E_LIMIT;
  plan_intern(m->rating_ref, &p->rating_refs, &into->ratings.refs, &from->ratings.refs);
  if ((uint64_t)into->ratings.count + from->ratings.count > UINT32_MAX) return CXM_E_LIMIT;
  p->ratings = from->ratings.count;
  for (uint32_t i = 0; i < from->info_count && !p->info; i++)
    p->info = from->info[i].channel != CXM_CHANNEL_UNKNOWN || from->info[i].segment != CXM_SEGMENT_UNKNOWN;
  p->status = from->interactions.status_count;
  rc = plan_cells(p, m, into, from);
  if (rc != CXM_OK) return rc;
  rc = plan_interactions(p, m, into, from, exact);
  if (rc != CXM_OK) return rc;
  return plan_side_tables(p, m, into, from, exact);
}

/* Grow every table of `into` for the plan; on failure the tables hold what
 * they held (some with more room). */
static int32_t reserve_merge(merge_plan *p, cxm_store *into) {
  cxmi_alloc *a = &into->alloc;
  int32_t rc = cxmi_merge_intern_reserve(&p->customers, &into->customers, a);
  if (rc == CXM_OK) rc = cxmi_merge_intern_reserve(&p->event_ids, &into->event_ids, a);
  if (rc == CXM_OK) rc = cxmi_merge_intern_reserve(&p->channels, &into->channels, a);
  if (rc == CXM_OK) rc = cxmi_merge_intern_reserve(&p->segments, &into->segments, a);
  if (rc == CXM_OK) rc = cxmi_merge_intern_reserve(&p->refs, &into->interactions.refs, a);
  if (rc == CXM_OK) rc = cxmi_merge_interactions_reserve(&into->interactions, a, p->refs.added, p->early);
  if (rc == CXM_OK) rc = cxmi_interactions_grow_status(&into->interactions, a, p->status);
  if (rc == CXM_OK) rc = cxmi_merge_cube_reserve(&into->cube, a, p->cells);
  if (rc == CXM_OK) rc = cxmi_merge_keymap_reserve(&into->servqual_keys, a, p->servqual);
  if (rc == CXM_OK) rc = cxmi_merge_servqual_reserve(into, p->servqual);
  if (rc == CXM_OK) rc = cxmi_merge_keymap_reserve(&into->churned, a, p->churned);
  if (rc == CXM_OK) rc = cxmi_merge_daymap_reserve(&into->purchase_days, a, p->days);
  if (rc == CXM_OK) rc = cxmi_merge_intern_reserve(&p->loop_refs, &into->loop.refs, a);
  if (rc == CXM_OK) rc = cxmi_loop_grow(&into->loop, a, p->loop);
  if (rc == CXM_OK) rc = cxmi_merge_intern_reserve(&p->attributes, &into->ratings.attributes, a);
  if (rc == CXM_OK) rc = cxmi_merge_intern_reserve(&p->rating_refs, &into->ratings.refs, a);
  if (rc == CXM_OK) rc = cxmi_ratings_grow(&into->ratings, a, p->ratings);
  if (rc == CXM_OK && p->info) rc = cxmi_store_info_reserve(into, (uint64_t)into->customers.count + p->customers.added);
  return rc;
}

static int32_t merge(cxm_store *into, const cxm_store *from, int exact) {
  merge_plan p;
  merge_maps m;
  int32_t rc;
  if (into == NULL || from == NULL || into == from) return CXM_E_ARG;
  /* Different buckets cannot be summed; different omitted tables would
   * leave the merged store holding some customers' days and not others'. */
  if (into->bucket_seconds != from->bucket_seconds || into->omit != from->omit) return CXM_E_CONFLICT;
  if (add_overflows_u64(into->events, from->events) || add_overflows_u64(into->duplicates, from->duplicates))
    return CXM_E_OVERFLOW;
  memset(&p, 0, sizeof p);
  memset(&m, 0, sizeof m);
  rc = plan_merge(&p, &m, into, from, exact);
  if (rc == CXM_OK) rc = reserve_merge(&p, into);
  if (rc == CXM_OK) {
    /* No failure from here on. New customers, channels and segments come
     * first: the cells, interactions and side tables name them. */
    commit_intern(&into->customers, &p.customers, &from->customers, m.customer);
    if (!p.ids_whole) {
      commit_intern(&into->event_ids, &p.event_ids, &from->event_ids, NULL);
    } else if (p.event_ids.added > 0) {
      cxmi_intern_set_append(&into->event_ids, &from->event_ids, p.event_ids.fresh);
      p.event_ids.next = p.event_ids.blocks; /* all attached */
    }
    commit_intern(&into->channels, &p.channels, &from->channels, m.channel);
    commit_intern(&into->segments, &p.segments, &from->segments, m.segment);
    commit_intern(&into->ratings.attributes, &p.attributes, &from->ratings.attributes, m.attribute);
    commit_cells(into, &m, from);
    commit_interactions(into, &p, &m, from);
    commit_side_tables(into, &m, from);
    commit_loop(into, &p, &m, from);
    commit_ratings(into, &p, &m, from);
    commit_info(into, &m, from);
    if (from->cube.count > 0) into->last_cell = m.cell[from->last_cell];
    into->events += from->events;
    into->duplicates += from->duplicates;
    if (from->first < into->first) into->first = from->first;
    if (from->last > into->last) into->last = from->last;
  }
  cxmi_merge_intern_release(&p.customers, &into->customers, &into->alloc);
  cxmi_merge_intern_release(&p.event_ids, &into->event_ids, &into->alloc);
  cxmi_merge_intern_release(&p.channels, &into->channels, &into->alloc);
  cxmi_merge_intern_release(&p.segments, &into->segments, &into->alloc);
  cxmi_merge_intern_release(&p.refs, &into->interactions.refs, &into->alloc);
  cxmi_merge_intern_release(&p.loop_refs, &into->loop.refs, &into->alloc);
  cxmi_merge_intern_release(&p.attributes, &into->ratings.attributes, &into->alloc);
  cxmi_merge_intern_release(&p.rating_refs, &into->ratings.refs, &into->alloc);
  maps_free(&m, &into->alloc, from);
  return rc;
}

int32_t cxm_store_merge(cxm_store *into, const cxm_store *from) { return merge(into, from, 0); }

int32_t cxm_store_merge_exact(cxm_store *into, const cxm_store *from) { return merge(into, from, 1); }
