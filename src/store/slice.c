/* Filters: their defaults, validation and selection; see slice.h. */
#include "store/slice.h"
#include "common/abi_check.h"

#include <stdlib.h>
#include <string.h>

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
  if (f->segment != CXM_ANY && (f->segment < 0 || (f->segment > 0 && (uint32_t)(f->segment - 1) >= s->segments.count)))
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

/* ---- groupings ---------------------------------------------------------- */

void cxmi_grouping_all(cxmi_grouping *g, const cxm_store *s, const cxm_filter *f) {
  memset(g, 0, sizeof *g);
  g->store = s;
  g->filter = *f;
  g->by = CXMI_BY_ALL;
  g->count = 1;
}

void cxmi_grouping_free(cxmi_grouping *g) {
  cxmi_free(&g->alloc, g->code_group, g->codes * sizeof *g->code_group);
  cxmi_free(&g->alloc, g->starts, g->count * sizeof *g->starts);
  cxmi_free(&g->alloc, g->ends, g->count * sizeof *g->ends);
  cxmi_free(&g->alloc, g->order, g->count * sizeof *g->order);
  g->code_group = NULL;
  g->starts = g->ends = NULL;
  g->order = NULL;
}

static int32_t group_code(const cxm_filter *f, int32_t by) {
  return by == CXM_BY_CHANNEL ? f->channel : by == CXM_BY_STAGE ? f->stage : f->segment;
}

/* For sorting the time windows: qsort has no context pointer, so the
 * windows travel with their group index. */
typedef struct window {
  int64_t start, end;
  uint32_t group;
} window;

static int compare_window(const void *x, const void *y) {
  const window *a = x, *b = y;
  return a->start < b->start ? -1 : a->start > b->start;
}

int32_t cxmi_grouping_init(cxmi_grouping *g, const cxm_store *s, const cxm_filter *f, int32_t by,
                           const cxm_filter *groups, size_t count) {
  size_t k;
  memset(g, 0, sizeof *g);
  g->store = s;
  g->filter = *f;
  g->by = by;
  g->count = count;
  cxmi_alloc_init(&g->alloc, &s->alloc.hooks);
  if (count == 0) return CXM_OK;
  if (by == CXM_BY_CHANNEL || by == CXM_BY_STAGE || by == CXM_BY_SEGMENT) {
    /* Codes are dense: the built-in and interned channels, the stages, the
     * empty segment and the interned ones. */
    g->codes = by == CXM_BY_CHANNEL ? (size_t)CXM_CHANNEL_FIRST_CUSTOM + s->channels.count
               : by == CXM_BY_STAGE ? (size_t)CXM_STAGE_COUNT
                                    : (size_t)s->segments.count + 1;
    g->code_group = cxmi_malloc(&g->alloc, g->codes * sizeof *g->code_group);
    if (g->code_group == NULL) {
      g->codes = 0;
      return CXM_E_NOMEM;
    }
    for (k = 0; k < g->codes; k++) g->code_group[k] = -1;
    for (k = 0; k < count; k++) {
      int32_t code = group_code(&groups[k], by);
      if (code >= 0 && (size_t)code < g->codes) g->code_group[code] = (int32_t)k;
    }
    return CXM_OK;
  }
  {
    window *w = cxmi_malloc(&g->alloc, count * sizeof *w);
    g->starts = cxmi_malloc(&g->alloc, count * sizeof *g->starts);
    g->ends = cxmi_malloc(&g->alloc, count * sizeof *g->ends);
    g->order = cxmi_malloc(&g->alloc, count * sizeof *g->order);
    if (w == NULL || g->starts == NULL || g->ends == NULL || g->order == NULL) {
      cxmi_free(&g->alloc, w, count * sizeof *w);
      cxmi_grouping_free(g);
      return CXM_E_NOMEM;
    }
    for (k = 0; k < count; k++) {
      w[k].start = groups[k].from;
      w[k].end = groups[k].to;
      w[k].group = (uint32_t)k;
    }
    qsort(w, count, sizeof *w, compare_window);
    for (k = 0; k < count; k++) {
      g->starts[k] = w[k].start;
      g->ends[k] = w[k].end;
      g->order[k] = w[k].group;
    }
    cxmi_free(&g->alloc, w, count * sizeof *w);
  }
  return CXM_OK;
}

/* The group of a selected cell or item by its attributes and time. */
static int64_t lookup(const cxmi_grouping *g, int64_t time, int32_t channel, int32_t stage, int32_t segment) {
  size_t lo, hi;
  int32_t code;
  switch (g->by) {
  case CXMI_BY_ALL: return 0;
  case CXM_BY_CHANNEL: code = channel; break;
  case CXM_BY_STAGE: code = stage; break;
  case CXM_BY_SEGMENT: code = segment; break;
  default:
    /* The last window starting at or before `time`, if it holds it. */
    lo = 0;
    hi = g->count;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (g->starts[mid] <= time)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo == 0 || time >= g->ends[lo - 1]) return -1;
    return g->order[lo - 1];
  }
  if (code < 0 || (size_t)code >= g->codes) return -1;
  return g->code_group[code];
}

int64_t cxmi_grouping_cell(const cxmi_grouping *g, const cxmi_cell *c) {
  if (!cxmi_cell_selected(g->store, &g->filter, c)) return -1;
  /* Group windows are whole UTC days, so bucket-aligned: a cell lies in
   * one when its start does (what cxmi_cell_selected checks per group). */
  return lookup(g, c->key.bucket * g->store->bucket_seconds, c->key.channel, c->key.stage, c->key.segment);
}

int64_t cxmi_grouping_item(const cxmi_grouping *g, int64_t time, int32_t channel, int32_t stage, int32_t segment) {
  if (!cxmi_item_selected(&g->filter, time, channel, stage, segment)) return -1;
  return lookup(g, time, channel, stage, segment);
}
