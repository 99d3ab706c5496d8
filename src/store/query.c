/* Slice and group queries: sum the cells that a filter selects. Cells are
 * per (bucket, channel, stage, segment), so any window aligned to the
 * bucket is answered exactly. */
#include "store/slice.h"
#include "time/civil.h"
#include "store/groups_internal.h"

#include "cxm/query.h"
#include "cxm/time.h"
#include "common/hash.h"

#include <stdlib.h>
#include <string.h>

/* Add src into dst, saturating never: counts in one store cannot exceed
 * the store's event counter, which is itself checked. */
static void add_survey(cxm_survey_acc *dst, const cxm_survey_acc *src) {
  size_t i;
  for (i = 0; i < 11; i++) dst->nps.count[i] += src->nps.count[i];
  for (i = 0; i < 5; i++) dst->csat.count[i] += src->csat.count[i];
  for (i = 0; i < 7; i++) dst->ces.count[i] += src->ces.count[i];
}

int32_t cxm_store_survey(cxm_survey_acc *out, const cxm_store *store, const cxm_filter *filter) {
  cxm_filter all;
  cxm_survey_acc sum;
  uint32_t i;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  rc = cxmi_filter_resolve(&all, store, filter);
  if (rc != CXM_OK) return rc;
  filter = &all;
  memset(&sum, 0, sizeof sum);
  for (i = 0; i < store->cube.count; i++)
    if (cxmi_cell_selected(store, filter, &store->cube.cells[i])) add_survey(&sum, &store->cube.cells[i].survey);
  *out = sum;
  return CXM_OK;
}

/* ---- grouping ----------------------------------------------------------- */

/* A group under construction: an integer key (a code, or a UTC day for
 * month and week groupings) and its sum. */
typedef struct partial {
  int64_t key;
  cxm_survey_acc survey;
} partial;

typedef struct partial_map {
  partial *items;
  size_t count, cap;
  int64_t *slots; /* item index + 1; 0 = empty */
  size_t slot_cap;
} partial_map;

static void map_free(partial_map *m, cxmi_alloc *a) {
  cxmi_free(a, m->items, m->cap * sizeof *m->items);
  cxmi_free(a, m->slots, m->slot_cap * sizeof *m->slots);
}

static int32_t map_add(partial_map *m, cxmi_alloc *a, int64_t key, const cxm_survey_acc *survey) {
  size_t j;
  if (m->slot_cap == 0 || (m->count + 1) * 2 > m->slot_cap) {
    size_t cap = m->slot_cap == 0 ? 64 : m->slot_cap * 2, i;
    int64_t *slots = cxmi_calloc(a, cap, sizeof *slots);
    if (slots == NULL) return CXM_E_NOMEM;
    for (i = 0; i < m->count; i++) {
      for (j = cxmi_hash_u64((uint64_t)m->items[i].key) & (cap - 1); slots[j] != 0; j = (j + 1) & (cap - 1)) {
      }
      slots[j] = (int64_t)i + 1;
    }
    cxmi_free(a, m->slots, m->slot_cap * sizeof *m->slots);
    m->slots = slots;
    m->slot_cap = cap;
  }
  for (j = cxmi_hash_u64((uint64_t)key) & (m->slot_cap - 1); m->slots[j] != 0; j = (j + 1) & (m->slot_cap - 1)) {
    partial *p = &m->items[m->slots[j] - 1];
    if (p->key == key) {
      add_survey(&p->survey, survey);
      return CXM_OK;
    }
  }
  if (m->count == m->cap) {
    size_t cap = m->cap == 0 ? 16 : m->cap * 2;
    partial *items = cxmi_realloc(a, m->items, m->cap * sizeof *items, cap * sizeof *items);
    if (items == NULL) return CXM_E_NOMEM;
    m->items = items;
    m->cap = cap;
  }
  m->items[m->count].key = key;
  m->items[m->count].survey = *survey;
  m->slots[j] = (int64_t)(++m->count);
  return CXM_OK;
}

static int64_t partial_key(const cxm_store *s, const cxmi_cell *c, int32_t by) {
  switch (by) {
  case CXM_BY_CHANNEL: return c->key.channel;
  case CXM_BY_STAGE: return c->key.stage;
  case CXM_BY_SEGMENT: return c->key.segment;
  default: return c->key.bucket * s->bucket_seconds / 86400; /* UTC day */
  }
}

/* The text key of a partial group. */
static int32_t key_text(char *buf, size_t cap, size_t *len, const cxm_store *s, int32_t by, int64_t key) {
  const char *name;
  int32_t rc;
  switch (by) {
  case CXM_BY_CHANNEL: rc = cxm_store_channel_name(&name, len, s, (int32_t)key); break;
  case CXM_BY_STAGE:
    name = cxm_stage_name((int32_t)key);
    *len = strlen(name);
    rc = CXM_OK;
    break;
  case CXM_BY_SEGMENT: rc = cxm_store_segment_name(&name, len, s, (int32_t)key); break;
  default:
    rc = cxm_time_period_key(buf, cap, key * 86400, by);
    *len = rc == CXM_OK ? strlen(buf) : 0;
    return rc;
  }
  if (rc != CXM_OK) return rc;
  if (*len >= cap) return CXM_E_BUFFER;
  memcpy(buf, name, *len);
  buf[*len] = '\0';
  return CXM_OK;
}

typedef struct keyed {
  char key[CXM_MAX_SEGMENT_LEN + 1];
  size_t len;
  const partial *p;
} keyed;

static int compare_keyed(const void *x, const void *y) {
  const keyed *a = x, *b = y;
  size_t n = a->len < b->len ? a->len : b->len;
  int c = memcmp(a->key, b->key, n);
  if (c != 0) return c;
  return a->len < b->len ? -1 : a->len > b->len;
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* The filter of one group: the caller's, narrowed to the group's channel,
 * stage or segment, or to its calendar month or ISO week (which starts on
 * the Monday: 1970-01-01, day 0, was a Thursday). */
static void group_filter(cxm_filter *out, const cxm_filter *f, int32_t by, int64_t key) {
  int64_t start, end, y;
  int32_t m, d;
  *out = *f;
  switch (by) {
  case CXM_BY_CHANNEL: out->channel = (int32_t)key; return;
  case CXM_BY_STAGE: out->stage = (int32_t)key; return;
  case CXM_BY_SEGMENT: out->segment = (int32_t)key; return;
  case CXM_BY_MONTH:
    cxmi_civil_from_days(key, &y, &m, &d);
    start = cxmi_days_from_civil(y, m, 1);
    end = m == 12 ? cxmi_days_from_civil(y + 1, 1, 1) : cxmi_days_from_civil(y, m + 1, 1);
    break;
  default:
    start = key - (key + 3) % 7;
    end = start + 7;
    break;
  }
  out->from = max64(f->from, start * 86400);
  out->to = min64(f->to, end * 86400);
}

void cxm_groups_free(cxm_groups *g) {
  cxmi_alloc a;
  if (g == NULL) return;
  cxmi_alloc_init(&a, &g->hooks);
  cxmi_free(&a, g->keys, g->cap * sizeof *g->keys);
  cxmi_free(&a, g->key_lens, g->cap * sizeof *g->key_lens);
  cxmi_free(&a, g->survey, g->cap * sizeof *g->survey);
  cxmi_free(&a, g->filters, g->cap * sizeof *g->filters);
  cxmi_free(&a, g->gap, g->exp_cap * sizeof *g->gap);
  cxmi_free(&a, g->servqual, g->exp_cap * sizeof *g->servqual);
  cxmi_free(&a, g->service, g->exp_cap * sizeof *g->service);
  cxmi_free(&a, g->service_business, g->exp_cap * sizeof *g->service_business);
  cxmi_free(&a, g->loyalty, g->exp_cap * sizeof *g->loyalty);
  cxmi_free(&a, g->consistency, g->exp_cap * sizeof *g->consistency);
  cxmi_free(&a, g, sizeof *g);
}

int32_t cxm_store_group(cxm_groups **out, const cxm_store *store, const cxm_filter *filter, int32_t by) {
  cxm_filter all;
  partial_map map;
  keyed *sorted = NULL;
  cxm_groups *g = NULL;
  cxmi_alloc a;
  size_t i, n = 0;
  int32_t rc;
  if (out == NULL) return CXM_E_ARG;
  *out = NULL; /* on any failure (docs/api.md) */
  if (store == NULL) return CXM_E_ARG;
  rc = cxmi_filter_resolve(&all, store, filter);
  if (rc != CXM_OK) return rc;
  filter = &all;
  if (by < 0 || by >= CXM_BY_COUNT) return CXM_E_BY;
  /* Results use the store's hooks but their own byte count: they are
   * independent of the store's lifetime. */
  cxmi_alloc_init(&a, &store->alloc.hooks);
  memset(&map, 0, sizeof map);
  for (i = 0; i < store->cube.count; i++) {
    const cxmi_cell *c = &store->cube.cells[i];
    if (!cxmi_cell_selected(store, filter, c)) continue;
    rc = map_add(&map, &a, partial_key(store, c, by), &c->survey);
    if (rc != CXM_OK) goto fail;
  }
  if (map.count > 0) {
    sorted = cxmi_calloc(&a, map.count, sizeof *sorted);
    if (sorted == NULL) goto nomem;
    for (i = 0; i < map.count; i++) {
      rc = key_text(sorted[i].key, sizeof sorted[i].key, &sorted[i].len, store, by, map.items[i].key);
      if (rc != CXM_OK) goto fail;
      sorted[i].p = &map.items[i];
    }
    qsort(sorted, map.count, sizeof *sorted, compare_keyed);
  }
  g = cxmi_calloc(&a, 1, sizeof *g);
  if (g == NULL) goto nomem;
  g->hooks = store->alloc.hooks;
  if (map.count > 0) {
    g->keys = cxmi_calloc(&a, map.count, sizeof *g->keys);
    g->key_lens = cxmi_calloc(&a, map.count, sizeof *g->key_lens);
    g->survey = cxmi_calloc(&a, map.count, sizeof *g->survey);
    g->filters = cxmi_calloc(&a, map.count, sizeof *g->filters);
    g->cap = map.count;
    if (g->keys == NULL || g->key_lens == NULL || g->survey == NULL || g->filters == NULL) goto nomem;
  }
  /* Days of one month (or week) arrive as separate partials: merge runs of
   * equal text keys. */
  for (i = 0; i < map.count; i++) {
    if (n > 0 && compare_keyed(&sorted[i], &sorted[i - 1]) == 0) {
      add_survey(&g->survey[n - 1], &sorted[i].p->survey);
      continue;
    }
    memcpy(g->keys[n], sorted[i].key, sorted[i].len + 1);
    g->key_lens[n] = sorted[i].len;
    g->survey[n] = sorted[i].p->survey;
    group_filter(&g->filters[n], filter, by, sorted[i].p->key);
    n++;
  }
  if (sorted != NULL) cxmi_free(&a, sorted, map.count * sizeof *sorted);
  map_free(&map, &a);
  g->count = n;
  *out = g;
  return CXM_OK;
nomem:
  rc = CXM_E_NOMEM;
fail:
  if (sorted != NULL) cxmi_free(&a, sorted, map.count * sizeof *sorted);
  map_free(&map, &a);
  cxm_groups_free(g);
  return rc;
}

const cxm_allocator *cxmi_groups_hooks(const cxm_groups *groups);
const cxm_allocator *cxmi_groups_hooks(const cxm_groups *groups) { return &groups->hooks; }

size_t cxm_groups_count(const cxm_groups *groups) { return groups == NULL ? 0 : groups->count; }

int32_t cxm_groups_key(const char **key, size_t *len, const cxm_groups *groups, size_t index) {
  if (key == NULL || len == NULL || groups == NULL) return CXM_E_ARG;
  if (index >= groups->count) return CXM_E_NOT_FOUND;
  *key = groups->keys[index];
  *len = groups->key_lens[index];
  return CXM_OK;
}

int32_t cxm_groups_filter(cxm_filter *out, const cxm_groups *groups, size_t index) {
  if (out == NULL || groups == NULL) return CXM_E_ARG;
  if (index >= groups->count) return CXM_E_NOT_FOUND;
  *out = groups->filters[index];
  return CXM_OK;
}

int32_t cxm_groups_survey(cxm_survey_acc *out, const cxm_groups *groups, size_t index) {
  if (out == NULL || groups == NULL) return CXM_E_ARG;
  if (index >= groups->count) return CXM_E_NOT_FOUND;
  *out = groups->survey[index];
  return CXM_OK;
}
