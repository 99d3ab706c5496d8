/* Time-varying experience covariates for the Cox model (cxm/retention.h):
 * the survival rows of cxm_store_retention() cut at each day a customer's
 * latest NPS category, complaint count or high-effort flag changes, read
 * from the per-(customer, day) activity map in key order (customer, then
 * day). */
#include "cxm/retention.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "store/store_internal.h"

#define DAY INT64_C(86400)

struct cxm_tv_rows {
  cxmi_alloc alloc;
  size_t count, cap;
  cxm_tv_row *rows;
};

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static int push(cxm_tv_rows *r, uint32_t handle, double start, double stop, int32_t lost, const double *x) {
  cxm_tv_row *row;
  if (r->count == r->cap) {
    size_t cap = r->cap == 0 ? 64 : r->cap * 2;
    cxm_tv_row *p = cxmi_realloc(&r->alloc, r->rows, r->cap * sizeof *p, cap * sizeof *p);
    if (p == NULL) return 0;
    r->rows = p;
    r->cap = cap;
  }
  row = &r->rows[r->count++];
  memset(row, 0, sizeof *row); /* no uninitialised padding reaches cxm_tv_row_get() */
  row->size = sizeof *row;
  row->handle = handle;
  row->start = start;
  row->stop = stop;
  row->lost = lost;
  memcpy(row->x, x, sizeof row->x);
  return 1;
}

int32_t cxm_store_retention_tv(cxm_tv_rows **out, const cxm_store *s, const cxm_retention_options *o) {
  cxm_retention *base = NULL;
  cxm_tv_rows *r;
  cxmi_alloc al;
  uint64_t *keys = NULL;
  const cxmi_day_slot *slot;
  size_t nk = 0, cap, k = 0;
  int32_t rc;
  if (out == NULL) return CXM_E_ARG;
  rc = cxm_store_retention(&base, s, o);
  if (rc != CXM_OK) return rc;
  al = s->alloc;
  cap = s->purchase_days.count;
  keys = cap > 0 ? cxmi_calloc(&al, cap, sizeof *keys) : NULL;
  r = cxmi_calloc(&al, 1, sizeof *r);
  if ((cap > 0 && keys == NULL) || r == NULL) {
    rc = CXM_E_NOMEM;
    goto fail;
  }
  r->alloc = al;
  for (uint64_t pos = 0; (slot = cxmi_daymap_next(&s->purchase_days, &pos)) != NULL;)
    if (nk < cap) keys[nk++] = slot->key;
  qsort(keys, nk, sizeof *keys, cmp_u64);
  for (size_t i = 0; i < cxm_retention_count(base); i++) {
    cxm_retention_row row;
    double x[CXM_TV_COUNT] = {0, 0, 0, 0}, seg = 0;
    int64_t origin;
    row.size = sizeof row;
    (void)cxm_retention_row_get(&row, base, i);
    origin = o->origin == CXM_RETENTION_WINDOW ? o->from / DAY : row.first / DAY;
    seg = row.entry;
    while (k < nk && ((keys[k] - 1) >> 32) < row.handle) k++;
    for (; k < nk && ((keys[k] - 1) >> 32) == row.handle; k++) {
      const cxmi_day_slot *d = cxmi_daymap_slot(&s->purchase_days, keys[k] - 1);
      int64_t day = (int64_t)(uint32_t)(keys[k] - 1);
      double nx[CXM_TV_COUNT], t = (double)(day + 1 - origin);
      if (d == NULL || d->key != keys[k] || day >= o->to / DAY) continue;
      memcpy(nx, x, sizeof nx);
      if (d->nps_last != 0) {
        int32_t v = d->nps_last - 1;
        nx[CXM_TV_DETRACTOR] = v <= 6;
        nx[CXM_TV_PROMOTER] = v >= 9;
      }
      nx[CXM_TV_COMPLAINTS] += d->complaints;
      if (d->high_effort > 0) nx[CXM_TV_HIGH_EFFORT] = 1;
      if (memcmp(nx, x, sizeof nx) == 0) continue;
      if (t > seg && t < row.time) {
        if (!push(r, row.handle, seg, t, 0, x)) {
          rc = CXM_E_NOMEM;
          goto fail;
        }
        seg = t;
      }
      memcpy(x, nx, sizeof x);
    }
    if (!push(r, row.handle, seg, row.time, row.lost, x)) {
      rc = CXM_E_NOMEM;
      goto fail;
    }
  }
  cxmi_free(&al, keys, cap * sizeof *keys);
  cxm_retention_free(base);
  *out = r;
  return CXM_OK;
fail:
  cxmi_free(&al, keys, cap * sizeof *keys);
  cxm_retention_free(base);
  if (r != NULL) {
    cxmi_free(&al, r->rows, r->cap * sizeof *r->rows);
    cxmi_free(&al, r, sizeof *r);
  }
  return rc;
}

size_t cxm_tv_rows_count(const cxm_tv_rows *r) { return r != NULL ? r->count : 0; }

int32_t cxm_tv_row_get(cxm_tv_row *row, const cxm_tv_rows *r, size_t index) {
  if (row == NULL || r == NULL) return CXM_E_ARG;
  if (row->size != sizeof *row) return CXM_E_SIZE;
  if (index >= r->count) return CXM_E_NOT_FOUND;
  *row = r->rows[index];
  return CXM_OK;
}

void cxm_tv_rows_free(cxm_tv_rows *r) {
  cxmi_alloc al;
  if (r == NULL) return;
  al = r->alloc;
  cxmi_free(&al, r->rows, r->cap * sizeof *r->rows);
  cxmi_free(&al, r, sizeof *r);
}
