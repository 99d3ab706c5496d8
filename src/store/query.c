/* Slice and group queries: sum the cells that a filter selects. Cells are
 * per (bucket, channel, stage, segment), so any window aligned to the
 * bucket is answered exactly. */
#include "store/slice.h"
#include "time/civil.h"
#include "experience/experience_internal.h"

#include "cxm/query.h"
#include "cxm/time.h"
#include "common/hash.h"

#include <stdlib.h>
#include <string.h>

struct cxm_groups {
  cxm_allocator hooks; /* copied, so groups may outlive the store */
  size_t count;        /* groups exposed */
  size_t cap;          /* groups allocated (partials before merging) */
  char (*keys)[CXM_MAX_SEGMENT_LEN + 1];
  size_t *key_lens;
  cxm_survey_acc *survey;
  cxm_filter *filters; /* per group: the caller's filter narrowed to the group */
  /* cxm_store_group_experience only (NULL otherwise): each group's
   * experience metrics, `exp_cap` entries each */
  size_t exp_cap;
  cxm_gap_acc *gap;
  cxm_servqual_result *servqual;
  cxm_service_result *service;
  cxm_service_result *service_business; /* durations in business seconds */
  cxm_loyalty_result *loyalty;
  cxm_consistency_result *consistency;
};

void cxm_filter_init(cxm_filter *filter) {
  if (filter == NULL) return;
  memset(filter, 0, sizeof *filter);
  filter->size = sizeof *filter;
  filter->from = INT64_MIN;
  filter->to = INT64_MAX;
  filter->channel = CXM_ANY;
  filter->stage = CXM_ANY;
  filter->segment = CXM_ANY;
}

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
    case CXM_BY_CHANNEL:
      rc = cxm_store_channel_name(&name, len, s, (int32_t)key);
      break;
    case CXM_BY_STAGE:
      name = cxm_stage_name((int32_t)key);
      *len = strlen(name);
      rc = CXM_OK;
      break;
    case CXM_BY_SEGMENT:
      rc = cxm_store_segment_name(&name, len, s, (int32_t)key);
      break;
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

/* ---- grouped experience queries ------------------------------------------ */

/* Every experience metric of every group, each by one pass over the store
 * (cxmi_group_*), instead of one pass per group. */
static int32_t group_experience(cxm_groups *g, const cxm_store *store, const cxm_filter *f, int32_t by,
                                const cxm_experience_options *o) {
  cxmi_grouping grouping;
  cxmi_alloc a;
  cxm_servqual_acc *servqual = NULL;
  cxm_loyalty_acc *loyalty = NULL;
  size_t k, cap = g->count > 0 ? g->count : 1; /* non-NULL arrays mark the experience as computed */
  int32_t rc;
  cxmi_alloc_init(&a, &store->alloc.hooks);
  g->exp_cap = cap;
  g->gap = cxmi_calloc(&a, cap, sizeof *g->gap);
  g->servqual = cxmi_calloc(&a, cap, sizeof *g->servqual);
  g->service = cxmi_calloc(&a, cap, sizeof *g->service);
  g->service_business = cxmi_calloc(&a, cap, sizeof *g->service_business);
  g->loyalty = cxmi_calloc(&a, cap, sizeof *g->loyalty);
  g->consistency = cxmi_calloc(&a, cap, sizeof *g->consistency);
  servqual = cxmi_calloc(&a, cap, sizeof *servqual);
  loyalty = cxmi_calloc(&a, cap, sizeof *loyalty);
  if (g->gap == NULL || g->servqual == NULL || g->service == NULL || g->service_business == NULL || g->loyalty == NULL || g->consistency == NULL ||
      servqual == NULL || loyalty == NULL) {
    rc = CXM_E_NOMEM;
    goto done;
  }
  rc = cxmi_grouping_init(&grouping, store, f, by, g->filters, g->count);
  if (rc != CXM_OK) goto done;
  rc = cxmi_group_gap(g->gap, &grouping, o);
  if (rc == CXM_OK) rc = cxmi_group_servqual_acc(servqual, &grouping);
  if (rc == CXM_OK) rc = cxmi_group_service(g->service, &grouping, o, 0);
  if (rc == CXM_OK) rc = cxmi_group_service(g->service_business, &grouping, o, 1);
  if (rc == CXM_OK) rc = cxmi_group_loyalty_acc(loyalty, &grouping);
  if (rc == CXM_OK) rc = cxmi_group_consistency(g->consistency, &grouping, o);
  for (k = 0; k < g->count && rc == CXM_OK; k++) {
    rc = cxm_servqual_compute(&g->servqual[k], &servqual[k], o->has_weights ? o->servqual_weights : NULL);
    if (rc == CXM_OK) rc = cxm_loyalty_compute(&g->loyalty[k], &loyalty[k]);
  }
  cxmi_grouping_free(&grouping);
done:
  cxmi_free(&a, servqual, cap * sizeof *servqual);
  cxmi_free(&a, loyalty, cap * sizeof *loyalty);
  return rc;
}

int32_t cxm_store_group_experience(cxm_groups **out, const cxm_store *store, const cxm_filter *filter, int32_t by,
                                   const cxm_experience_options *options) {
  cxm_filter f;
  cxm_experience_options o;
  cxm_groups *g = NULL;
  int32_t rc;
  if (out == NULL || store == NULL) return CXM_E_ARG;
  /* In the order of cxm_store_group(), then the options. */
  rc = cxmi_filter_resolve(&f, store, filter);
  if (rc != CXM_OK) return rc;
  if (by < 0 || by >= CXM_BY_COUNT) return CXM_E_BY;
  rc = cxmi_experience_options_resolve(&o, options);
  if (rc != CXM_OK) return rc;
  rc = cxm_store_group(&g, store, filter, by);
  if (rc != CXM_OK) return rc;
  rc = group_experience(g, store, &f, by, &o);
  if (rc != CXM_OK) {
    cxm_groups_free(g);
    return rc;
  }
  *out = g;
  return CXM_OK;
}

/* The checks every experience accessor makes. */
static int32_t experience_index(const void *out, const cxm_groups *groups, size_t index) {
  if (out == NULL || groups == NULL) return CXM_E_ARG;
  if (groups->gap == NULL) return CXM_E_STATE;
  if (index >= groups->count) return CXM_E_NOT_FOUND;
  return CXM_OK;
}

int32_t cxm_groups_gap(cxm_gap_acc *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->gap[index];
  return rc;
}

int32_t cxm_groups_servqual(cxm_servqual_result *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->servqual[index];
  return rc;
}

int32_t cxm_groups_service(cxm_service_result *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->service[index];
  return rc;
}

int32_t cxm_groups_service_business(cxm_service_result *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->service_business[index];
  return rc;
}

int32_t cxm_groups_loyalty(cxm_loyalty_result *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->loyalty[index];
  return rc;
}

int32_t cxm_groups_consistency(cxm_consistency_result *out, const cxm_groups *groups, size_t index) {
  int32_t rc = experience_index(out, groups, index);
  if (rc == CXM_OK) *out = groups->consistency[index];
  return rc;
}
