/* Sets of per-customer purchase summaries (include/cxm/purchase.h):
 * adding, loading summary CSVs, and building the fitting data. */
#include "purchase/rfm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/number.h"
#include "common/abi_check.h"

#define MAX_ID 128

typedef struct rfm_row {
  uint32_t x;
  uint32_t id_len;
  size_t id_off;
  double tx, T, m, xs, w;
} rfm_row;

struct cxm_rfm {
  cxmi_alloc alloc;
  rfm_row *rows;
  size_t n, cap;
  char *ids;
  size_t ids_len, ids_cap;
};

void cxm_rfm_customer_init(cxm_rfm_customer *c) {
  if (c == NULL) {
    return;
  }
  memset(c, 0, sizeof *c);
  c->size = sizeof *c;
  c->monetary = NAN;
  c->x_star = NAN;
  c->weight = 1.0;
}

int32_t cxm_rfm_new(cxm_rfm **out, const cxm_allocator *allocator) {
  cxmi_alloc a;
  if (out == NULL) {
    return CXM_E_ARG;
  }
  *out = NULL;
  int32_t rc = cxmi_alloc_init(&a, allocator);
  if (rc != CXM_OK) {
    return rc;
  }
  cxm_rfm *r = cxmi_calloc(&a, 1, sizeof *r);
  if (r == NULL) {
    return CXM_E_NOMEM;
  }
  r->alloc = a;
  r->alloc.bytes = sizeof *r;
  *out = r;
  return CXM_OK;
}

void cxm_rfm_free(cxm_rfm *rfm) {
  if (rfm == NULL) {
    return;
  }
  cxmi_alloc a = rfm->alloc;
  cxmi_free(&a, rfm->rows, rfm->cap * sizeof *rfm->rows);
  cxmi_free(&a, rfm->ids, rfm->ids_cap);
  cxmi_free(&a, rfm, sizeof *rfm);
}

int32_t cxmi_rfm_check(uint32_t x, double tx, double T, int allow_t0) {
  if (!isfinite(tx) || !isfinite(T) || !(tx >= 0.0) || !(T >= tx) || (!allow_t0 && !(T > 0.0)) ||
      (x == 0 && tx != 0.0)) {
    return CXM_E_VALUE;
  }
  return CXM_OK;
}

static int32_t check_customer(const cxm_rfm_customer *c) {
  if (c->id_len > MAX_ID) {
    return CXM_E_CUSTOMER;
  }
  if (c->id_len > 0 && c->id == NULL) {
    return CXM_E_ARG;
  }
  if (cxmi_rfm_check(c->x, c->t_x, c->T, 0) != CXM_OK) {
    return CXM_E_VALUE;
  }
  if (!isnan(c->monetary) && c->x > 0 && !(c->monetary > 0.0 && isfinite(c->monetary))) {
    return CXM_E_VALUE;
  }
  if (!isnan(c->x_star) && !(c->x_star >= 0.0 && c->x_star <= 9007199254740992.0 && floor(c->x_star) == c->x_star)) {
    return CXM_E_VALUE;
  }
  if (!(c->weight >= 1.0 && c->weight <= 9007199254740992.0 && floor(c->weight) == c->weight)) {
    return CXM_E_VALUE;
  }
  return CXM_OK;
}

static int32_t grow(cxm_rfm *r, size_t more_ids) {
  if (r->n == r->cap) {
    size_t ncap = r->cap == 0 ? 64 : r->cap * 2;
    if (ncap > SIZE_MAX / sizeof *r->rows) {
      return CXM_E_NOMEM;
    }
    rfm_row *nr = cxmi_realloc(&r->alloc, r->rows, r->cap * sizeof *r->rows, ncap * sizeof *r->rows);
    if (nr == NULL) {
      return CXM_E_NOMEM;
    }
    r->rows = nr;
    r->cap = ncap;
  }
  if (r->ids_len + more_ids > r->ids_cap) {
    size_t ncap = r->ids_cap == 0 ? 1024 : r->ids_cap;
    while (ncap < r->ids_len + more_ids) {
      ncap *= 2;
    }
    char *ni = cxmi_realloc(&r->alloc, r->ids, r->ids_cap, ncap);
    if (ni == NULL) {
      return CXM_E_NOMEM;
    }
    r->ids = ni;
    r->ids_cap = ncap;
  }
  return CXM_OK;
}

int32_t cxm_rfm_add(cxm_rfm *rfm, const cxm_rfm_customer *in) {
  cxm_rfm_customer local;
  if (rfm == NULL || in == NULL) {
    return CXM_E_ARG;
  }
  if (!CXMI_STRUCT_OK(in, cxm_rfm_customer)) {
    return CXM_E_SIZE;
  }
  /* A 0.1 caller's struct ends before `weight`: it keeps the default 1. */
  cxm_rfm_customer_init(&local);
  cxmi_struct_in(&local, in, sizeof local);
  const cxm_rfm_customer *c = &local;
  int32_t rc = check_customer(c);
  if (rc != CXM_OK) {
    return rc;
  }
  if (rfm->n >= UINT32_MAX) {
    return CXM_E_LIMIT;
  }
  rc = grow(rfm, c->id_len);
  if (rc != CXM_OK) {
    return rc;
  }
  rfm_row *row = &rfm->rows[rfm->n++];
  row->x = c->x;
  row->tx = c->t_x;
  row->T = c->T;
  row->m = c->x > 0 ? c->monetary : NAN;
  row->xs = c->x_star;
  row->w = c->weight;
  row->id_off = rfm->ids_len;
  row->id_len = (uint32_t)c->id_len;
  if (c->id_len > 0) {
    memcpy(rfm->ids + rfm->ids_len, c->id, c->id_len);
  }
  rfm->ids_len += c->id_len;
  return CXM_OK;
}

size_t cxm_rfm_count(const cxm_rfm *rfm) { return rfm == NULL ? 0 : rfm->n; }

int32_t cxm_rfm_get(cxm_rfm_customer *out, const cxm_rfm *rfm, size_t index) {
  cxm_rfm_customer local, *c = &local;
  if (out == NULL || rfm == NULL) {
    return CXM_E_ARG;
  }
  if (!CXMI_STRUCT_OK(out, cxm_rfm_customer)) {
    return CXM_E_SIZE;
  }
  if (index >= rfm->n) {
    return CXM_E_NOT_FOUND;
  }
  const rfm_row *row = &rfm->rows[index];
  cxm_rfm_customer_init(c);
  c->id = row->id_len > 0 ? rfm->ids + row->id_off : NULL;
  c->id_len = row->id_len;
  c->x = row->x;
  c->t_x = row->tx;
  c->T = row->T;
  c->monetary = row->m;
  c->x_star = row->xs;
  c->weight = row->w;
  cxmi_struct_out(out, c, sizeof *c);
  return CXM_OK;
}

size_t cxmi_rfm_size(const cxm_rfm *rfm) { return rfm->n; }

void cxmi_rfm_alloc(cxmi_alloc *out, const cxm_rfm *rfm) {
  *out = rfm->alloc;
  out->bytes = 0;
}

void cxmi_rfm_values(const cxm_rfm *rfm, size_t i, uint32_t *x, double *tx, double *T, double *m, double *x_star,
                     double *w) {
  const rfm_row *row = &rfm->rows[i];
  *w = row->w;
  *x = row->x;
  *tx = row->tx;
  *T = row->T;
  *m = row->m;
  *x_star = row->xs;
}

/* ---- summary CSV --------------------------------------------------------- */

enum { COL_ID, COL_X, COL_TX, COL_T, COL_M, COL_XS, COL_W, COL_COUNT };

typedef struct col_name {
  const char *name;
  int col;
} col_name;

static const col_name col_names[] = {
    {"ID", COL_ID},     {"id", COL_ID},      {"customer", COL_ID},      {"frequency", COL_X},
    {"x", COL_X},       {"recency", COL_TX}, {"t_x", COL_TX},           {"T", COL_T},
    {"T_cal", COL_T},   {"monetary", COL_M}, {"monetary_value", COL_M}, {"zbar", COL_M},
    {"m_x", COL_M},     {"x_star", COL_XS},  {"periods", COL_T},        {"n_periods", COL_T},
    {"weights", COL_W}, {"weight", COL_W},   {"count", COL_W},
};

#define MAX_FIELDS 64

/* Split [p, end) at commas into at most MAX_FIELDS fields; returns the
 * count, or MAX_FIELDS + 1 when there are more. */
static size_t split(const char *p, const char *end, const char **f, size_t *fl) {
  size_t n = 0;
  for (;;) {
    const char *c = memchr(p, ',', (size_t)(end - p));
    const char *e = c != NULL ? c : end;
    if (n == MAX_FIELDS) {
      return MAX_FIELDS + 1;
    }
    f[n] = p;
    fl[n] = (size_t)(e - p);
    n++;
    if (c == NULL) {
      return n;
    }
    p = c + 1;
  }
}

static int32_t parse_whole(double *out, const char *s, size_t len, double max) {
  double v;
  if (cxmi_number_parse(&v, s, len) != CXM_OK || !(v >= 0.0) || v > max || floor(v) != v) {
    return CXM_E_VALUE;
  }
  *out = v;
  return CXM_OK;
}

static int32_t load_line(cxm_rfm *rfm, const int *map, size_t nf, const char **f, size_t *fl) {
  cxm_rfm_customer c;
  double v;
  cxm_rfm_customer_init(&c);
  for (size_t i = 0; i < nf; i++) {
    switch (map[i]) {
    case COL_ID:
      c.id = f[i];
      c.id_len = fl[i];
      if (fl[i] > MAX_ID) {
        return CXM_E_CUSTOMER;
      }
      break;
    case COL_X:
      if (parse_whole(&v, f[i], fl[i], 4294967295.0) != CXM_OK) {
        return CXM_E_VALUE;
      }
      c.x = (uint32_t)v;
      break;
    case COL_TX:
      if (cxmi_number_parse(&c.t_x, f[i], fl[i]) != CXM_OK) {
        return CXM_E_VALUE;
      }
      break;
    case COL_T:
      if (cxmi_number_parse(&c.T, f[i], fl[i]) != CXM_OK) {
        return CXM_E_VALUE;
      }
      break;
    case COL_M:
      if (cxmi_number_parse(&c.monetary, f[i], fl[i]) != CXM_OK) {
        return CXM_E_VALUE;
      }
      if (c.monetary == 0.0) {
        c.monetary = NAN; /* "0.00" marks no repeat purchase in the CDNOW files */
      }
      break;
    case COL_XS:
      if (parse_whole(&c.x_star, f[i], fl[i], 9007199254740992.0) != CXM_OK) {
        return CXM_E_VALUE;
      }
      break;
    case COL_W:
      if (parse_whole(&c.weight, f[i], fl[i], 9007199254740992.0) != CXM_OK) {
        return CXM_E_VALUE;
      }
      break;
    default: break;
    }
  }
  return cxm_rfm_add(rfm, &c);
}

int32_t cxm_rfm_load_csv(cxm_rfm *rfm, uint64_t *error_line, const char *bytes, size_t len) {
  const char *f[MAX_FIELDS];
  size_t fl[MAX_FIELDS];
  int map[MAX_FIELDS];
  int seen[COL_COUNT] = {0};
  if (error_line != NULL) {
    *error_line = 0;
  }
  if (rfm == NULL || (bytes == NULL && len > 0)) {
    return CXM_E_ARG;
  }
  size_t n0 = rfm->n, ids0 = rfm->ids_len;
  const char *p = bytes, *end = bytes + len;
  uint64_t line = 0;
  size_t ncols = 0;
  int32_t rc = CXM_OK;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl != NULL ? nl : end;
    const char *next = nl != NULL ? nl + 1 : end;
    if (le > p && le[-1] == '\r') {
      le--;
    }
    line++;
    if (line == 1) {
      ncols = split(p, le, f, fl);
      if (ncols > MAX_FIELDS) {
        rc = CXM_E_HEADER;
        break;
      }
      for (size_t i = 0; i < ncols; i++) {
        map[i] = -1;
        for (size_t k = 0; k < sizeof col_names / sizeof col_names[0]; k++) {
          if (strlen(col_names[k].name) == fl[i] && memcmp(col_names[k].name, f[i], fl[i]) == 0) {
            map[i] = col_names[k].col;
          }
        }
        if (map[i] >= 0 && seen[map[i]]++) {
          rc = CXM_E_HEADER;
        }
      }
      if (rc == CXM_OK && (!seen[COL_X] || !seen[COL_TX] || !seen[COL_T])) {
        rc = CXM_E_HEADER;
      }
      if (rc != CXM_OK) {
        break;
      }
    } else if (le > p) {
      size_t nf = split(p, le, f, fl);
      rc = nf != ncols ? CXM_E_COLUMNS : load_line(rfm, map, nf, f, fl);
      if (rc != CXM_OK) {
        break;
      }
    }
    p = next;
  }
  if (rc == CXM_OK && line == 0) {
    rc = CXM_E_HEADER;
    line = 1;
  }
  if (rc != CXM_OK) {
    rfm->n = n0;
    rfm->ids_len = ids0;
    if (error_line != NULL) {
      *error_line = line;
    }
  }
  return rc;
}

int32_t cxm_rfm_load_file(cxm_rfm *rfm, uint64_t *error_line, const char *path) {
  if (error_line != NULL) {
    *error_line = 0;
  }
  if (rfm == NULL || path == NULL) {
    return CXM_E_ARG;
  }
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    return CXM_E_IO;
  }
  size_t cap = 0, len = 0;
  char *buf = NULL;
  int32_t rc = CXM_OK;
  for (;;) {
    if (len == cap) {
      size_t ncap = cap == 0 ? (size_t)65536 : cap * 2;
      char *nb = ncap > cap ? cxmi_realloc(&rfm->alloc, buf, cap, ncap) : NULL;
      if (nb == NULL) {
        rc = CXM_E_NOMEM;
        break;
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) {
      if (ferror(f)) {
        rc = CXM_E_IO;
      }
      break;
    }
  }
  fclose(f);
  if (rc == CXM_OK) {
    rc = cxm_rfm_load_csv(rfm, error_line, buf, len);
  }
  cxmi_free(&rfm->alloc, buf, cap);
  return rc;
}

/* ---- fitting data ----------------------------------------------------- */

/* Distinct triples are found with a hash table (open addressing, linear
 * probing, load <= 1/2), in O(n), then put in the order of x by a counting
 * sort (or, for very sparse x, a sort of (x, index) pairs); equal x keep the
 * order of their first appearance, so the result is deterministic. With a
 * million customers this takes ~40 ms where qsort() of the triples took
 * ~220 ms. */

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* The bits of a double, with -0.0 read as +0.0 (they are equal triples). */
static uint64_t dbits(double v) {
  uint64_t u;
  v += 0.0;
  memcpy(&u, &v, sizeof u);
  return u;
}

typedef struct x_index {
  uint32_t x, index;
} x_index;

static int cmp_x_index(const void *pa, const void *pb) {
  const x_index *a = pa, *b = pb;
  if (a->x != b->x) {
    return a->x < b->x ? -1 : 1;
  }
  return a->index < b->index ? -1 : (a->index > b->index ? 1 : 0);
}

/* The distinct (t_x, T) pairs of the k triples (bits, as the triples),
 * kept only when there are at most k / 2 of them: else the per-pair
 * logarithms would save little. One allocation: the pair index per triple,
 * the hash slots, then the pairs and the likelihood's scratch. */
static int32_t find_pairs(cxmi_fitdata *fd) {
  cxmi_triples *t = &fd->triples;
  size_t k = t->n, cap = 16, np = 0;
  while (cap < 2 * k) {
    cap *= 2;
  }
  size_t size = (k + cap) * sizeof(uint32_t) + 5 * k * sizeof(double) + 16;
  char *blk = cxmi_malloc(&fd->alloc, size);
  if (blk == NULL) {
    return CXM_E_NOMEM;
  }
  double *ptx = (double *)(void *)blk, *pT = ptx + k, *work = pT + k;
  uint32_t *pidx = (uint32_t *)(void *)(work + 3 * k), *slot = pidx + k;
  memset(slot, 0, cap * sizeof *slot);
  for (size_t j = 0; j < k; j++) {
    uint64_t bt = dbits(t->T[j]), bx = dbits(t->tx[j]);
    size_t h = (size_t)(mix64(bt ^ mix64(bx)) & (cap - 1));
    for (;;) {
      uint32_t e = slot[h];
      if (e == 0) {
        slot[h] = (uint32_t)(np + 1);
        ptx[np] = t->tx[j];
        pT[np] = t->T[j];
        pidx[j] = (uint32_t)np++;
        break;
      }
      if (dbits(pT[e - 1]) == bt && dbits(ptx[e - 1]) == bx) {
        pidx[j] = e - 1;
        break;
      }
      h = (h + 1) & (cap - 1);
    }
  }
  if (2 * np > k) {
    cxmi_free(&fd->alloc, blk, size);
    return CXM_OK;
  }
  fd->pair_block = blk;
  fd->pair_block_size = size;
  t->pair = pidx;
  t->npairs = np;
  t->pair_tx = ptx;
  t->pair_T = pT;
  t->work = work;
  return CXM_OK;
}

int32_t cxmi_fitdata_build(cxmi_fitdata *fd, const cxm_rfm *rfm) {
  size_t n = rfm->n, ns = 0;
  memset(fd, 0, sizeof *fd);
  fd->alloc = rfm->alloc;
  for (size_t i = 0; i < n; i++) {
    ns += rfm->rows[i].x > 0 && !isnan(rfm->rows[i].m);
  }
  size_t cap = 16;
  while (cap < 2 * n) {
    if (cap > SIZE_MAX / 8) {
      return CXM_E_NOMEM;
    }
    cap *= 2;
  }
  /* doubles: tx, T, w (output), dtx, dT, dw (distinct), m, sw (spend);
   * uint32: x (output), dx (distinct), sx (spend), slot[cap] (hash table,
   * then the (x, index) pairs of the ordering). */
  size_t doubles = 6 * n + 2 * ns, words = 2 * n + ns + cap;
  if (n > SIZE_MAX / 64 || cap > SIZE_MAX / 64) {
    return CXM_E_NOMEM;
  }
  size_t size = doubles * sizeof(double) + words * sizeof(uint32_t) + 16;
  char *blk = cxmi_malloc(&fd->alloc, size);
  if (blk == NULL) {
    return CXM_E_NOMEM;
  }
  fd->block = blk;
  fd->block_size = size;
  double *tx = (double *)(void *)blk;
  double *T = tx + n, *w = T + n, *dtx = w + n, *dT = dtx + n, *dw = dT + n, *m = dw + n, *sw = m + ns;
  uint32_t *x = (uint32_t *)(void *)(sw + ns);
  uint32_t *dx = x + n, *sx = dx + n, *slot = sx + ns;
  memset(slot, 0, cap * sizeof *slot);
  size_t k = 0;
  uint32_t maxx = 0;
  double total = 0.0;
  for (size_t i = 0; i < n; i++) {
    const rfm_row *row = &rfm->rows[i];
    if (row->x > 0 && !isnan(row->m)) {
      sx[fd->spend.n] = row->x;
      m[fd->spend.n] = row->m;
      sw[fd->spend.n] = row->w;
      fd->spend.total += row->w;
      fd->spend.n++;
    }
    total += row->w;
    uint64_t bt = dbits(row->T), bx = dbits(row->tx);
    size_t h = (size_t)(mix64(bt ^ mix64(bx ^ mix64((uint64_t)row->x + 1))) & (cap - 1));
    for (;;) {
      uint32_t e = slot[h];
      if (e == 0) {
        slot[h] = (uint32_t)(k + 1);
        dx[k] = row->x;
        dtx[k] = row->tx + 0.0;
        dT[k] = row->T + 0.0;
        dw[k] = row->w;
        maxx = row->x > maxx ? row->x : maxx;
        k++;
        break;
      }
      if (dx[e - 1] == row->x && dbits(dT[e - 1]) == bt && dbits(dtx[e - 1]) == bx) {
        dw[e - 1] += row->w;
        break;
      }
      h = (h + 1) & (cap - 1);
    }
  }
  /* Order by x. slot[] is free now: it holds k <= cap / 2 pairs. */
  x_index *order = (x_index *)(void *)slot;
  uint32_t *cnt = NULL;
  size_t ncnt = (size_t)maxx + 2;
  if ((size_t)maxx < 4 * k + 1024) {
    cnt = cxmi_calloc(&fd->alloc, ncnt, sizeof *cnt);
  }
  if (cnt != NULL) {
    for (size_t i = 0; i < k; i++) {
      cnt[dx[i] + 1]++;
    }
    for (size_t v = 1; v < ncnt; v++) {
      cnt[v] += cnt[v - 1];
    }
    for (size_t i = 0; i < k; i++) {
      order[cnt[dx[i]]++].index = (uint32_t)i;
    }
    cxmi_free(&fd->alloc, cnt, ncnt * sizeof *cnt);
  } else {
    /* Sparse x (or no memory for the counts): sort the pairs. */
    for (size_t i = 0; i < k; i++) {
      order[i].x = dx[i];
      order[i].index = (uint32_t)i;
    }
    if (k > 0) {
      qsort(order, k, sizeof *order, cmp_x_index);
    }
  }
  for (size_t j = 0; j < k; j++) {
    uint32_t i = order[j].index;
    x[j] = dx[i];
    tx[j] = dtx[i];
    T[j] = dT[i];
    w[j] = dw[i];
  }
  fd->triples.n = k;
  fd->triples.x = x;
  fd->triples.tx = tx;
  fd->triples.T = T;
  fd->triples.w = w;
  fd->triples.total = total;
  fd->spend.x = sx;
  fd->spend.m = m;
  fd->spend.w = sw;
  if (find_pairs(fd) != CXM_OK) {
    cxmi_fitdata_free(fd);
    return CXM_E_NOMEM;
  }
  return CXM_OK;
}

void cxmi_fitdata_free(cxmi_fitdata *fd) {
  if (fd->block != NULL) {
    cxmi_free(&fd->alloc, fd->block, fd->block_size);
    fd->block = NULL;
  }
  if (fd->pair_block != NULL) {
    cxmi_free(&fd->alloc, fd->pair_block, fd->pair_block_size);
    fd->pair_block = NULL;
  }
}
