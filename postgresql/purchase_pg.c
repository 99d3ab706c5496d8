/*
 * purchase_pg.c: purchase summaries per customer (cxm_rfm) and model fits
 * from a summary table (cxm_fit) over include/cxm/purchase.h, and
 * cxm_state_check(), which runs the reader of any partial state of the
 * extension on given bytes.
 *
 * Their states are lists (purchase days of one customer; summaries of
 * many), not fixed accumulators, so they have private byte formats, written
 * little-endian one byte at a time as docs/formats.md does, and checked
 * field by field when read.
 */
#include "cxm_pg.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include <cxm.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- little-endian bytes ------------------------------------------------ */

static void put_u64(StringInfo b, uint64_t v) {
  for (int i = 0; i < 8; i++) {
    appendStringInfoChar(b, (char)(uint8_t)(v >> (8 * i)));
  }
}

static void put_f64(StringInfo b, double d) {
  uint64_t v;
  memcpy(&v, &d, sizeof v);
  put_u64(b, v);
}

static uint64_t get_u64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) {
    v |= (uint64_t)p[i] << (8 * i);
  }
  return v;
}

static double get_f64(const uint8_t *p) {
  uint64_t v = get_u64(p);
  double d;
  memcpy(&d, &v, sizeof d);
  return d;
}

static bytea *finish_bytes(StringInfo b) {
  return pgcxm_bytea((const uint8_t *)b->data, (size_t)b->len);
}

static void bad_bytes(const char *fn, const char *why) {
  ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), errmsg("%s: invalid state bytes: %s", fn, why)));
}

static void check_header(const uint8_t *p, size_t len, const char magic[4], size_t fixed, const char *fn) {
  if (len < 5 || memcmp(p, magic, 4) != 0) {
    bad_bytes(fn, "wrong magic or too short");
  }
  if (p[4] != 1) {
    bad_bytes(fn, "unknown version");
  }
  if (len < fixed) {
    bad_bytes(fn, "truncated");
  }
}

/* ---- cxm_rfm: one customer's purchase summary --------------------------- */

#define SECONDS_PER_DAY INT64_C(86400)

typedef struct rfm_day {
  int64 day;     /* UTC day number since 1970 */
  double amount; /* the purchase's amount */
} rfm_day;

typedef struct rfm_state {
  int64 end_day;      /* the last day of observation: the day before `to` */
  double unit;        /* seconds per time unit of t_x and T */
  uint32 count, cap;  /* purchases held */
  rfm_day *days;      /* in the aggregate's context */
} rfm_state;

/* "CXMR", version 1, end_day (8), unit (8), count (8), then count entries
 * of day (8) and amount (8). */
#define RFM_FIXED 29

static void rfm_push(rfm_state *s, MemoryContext ctx, int64 day, double amount, const char *fn) {
  if (s->count == s->cap) {
    if (s->cap >= (uint32)(MaxAllocSize / sizeof(rfm_day) / 2)) {
      ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("%s: too many purchases for one customer", fn)));
    }
    uint32 cap = s->cap ? s->cap * 2 : 8;
    s->days = s->days ? (rfm_day *)repalloc(s->days, cap * sizeof(rfm_day))
                      : (rfm_day *)MemoryContextAlloc(ctx, cap * sizeof(rfm_day));
    s->cap = cap;
  }
  s->days[s->count].day = day;
  s->days[s->count].amount = amount;
  s->count++;
}

static int64 unix_seconds_of(TimestampTz t, const char *fn) {
  if (TIMESTAMP_NOT_FINITE(t)) {
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("%s: an infinite timestamp", fn)));
  }
  int64 us = t + (int64)(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
  int64 s = us / USECS_PER_SEC - (us % USECS_PER_SEC < 0 ? 1 : 0);
  if (s < CXM_TIME_MIN || s > CXM_TIME_MAX) {
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("%s: timestamp outside the years 1970..9999 that cxm handles", fn)));
  }
  return s;
}

/* cxm_rfm(time, amount, observation_end [, unit]): purchases of one
 * customer (GROUP BY customer). */
PG_FUNCTION_INFO_V1(pgcxm_rfm_trans);
Datum pgcxm_rfm_trans(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_rfm";
  MemoryContext ctx = pgcxm_agg_context(fcinfo, fn);
  rfm_state *s = PG_ARGISNULL(0) ? NULL : (rfm_state *)PG_GETARG_POINTER(0);
  if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) {
    if (s == NULL) {
      PG_RETURN_NULL();
    }
    PG_RETURN_POINTER(s);
  }
  if (PG_ARGISNULL(3)) {
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s: observation_end is NULL", fn)));
  }
  int64 to = unix_seconds_of(PG_GETARG_TIMESTAMPTZ(3), fn);
  if (to % SECONDS_PER_DAY != 0 || to <= 0) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: observation_end must be a UTC midnight (the end is exclusive)", fn)));
  }
  double unit = 7.0 * 86400.0;
  if (PG_NARGS() > 4 && !PG_ARGISNULL(4)) {
    Interval *iv = PG_GETARG_INTERVAL_P(4);
    unit = (double)iv->month * 30.0 * 86400.0 + (double)iv->day * 86400.0 + (double)iv->time / USECS_PER_SEC;
    if (!(unit > 0)) {
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: the time unit must be positive", fn)));
    }
  }
  double amount = PG_GETARG_FLOAT8(2);
  if (!(amount >= 0) || !isfinite(amount)) {
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                    errmsg("%s: purchase amount %g is not a finite number >= 0", fn, amount)));
  }
  int64 t = unix_seconds_of(PG_GETARG_TIMESTAMPTZ(1), fn);
  if (s == NULL) {
    s = (rfm_state *)MemoryContextAllocZero(ctx, sizeof *s);
    s->end_day = to / SECONDS_PER_DAY - 1;
    s->unit = unit;
  } else if (s->end_day != to / SECONDS_PER_DAY - 1 || s->unit != unit) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: observation_end and unit must be the same on every row of a group", fn)));
  }
  rfm_push(s, ctx, t / SECONDS_PER_DAY, amount, fn);
  PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcxm_rfm_combine);
Datum pgcxm_rfm_combine(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_rfm combine";
  MemoryContext ctx = pgcxm_agg_context(fcinfo, fn);
  rfm_state *a = PG_ARGISNULL(0) ? NULL : (rfm_state *)PG_GETARG_POINTER(0);
  rfm_state *b = PG_ARGISNULL(1) ? NULL : (rfm_state *)PG_GETARG_POINTER(1);
  if (b == NULL) {
    if (a == NULL) {
      PG_RETURN_NULL();
    }
    PG_RETURN_POINTER(a);
  }
  if (a == NULL) {
    a = (rfm_state *)MemoryContextAllocZero(ctx, sizeof *a);
    a->end_day = b->end_day;
    a->unit = b->unit;
  } else if (a->end_day != b->end_day || a->unit != b->unit) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: partial states of different observation ends or units", fn)));
  }
  for (uint32 i = 0; i < b->count; i++) {
    rfm_push(a, ctx, b->days[i].day, b->days[i].amount, fn);
  }
  PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(pgcxm_rfm_serial);
Datum pgcxm_rfm_serial(PG_FUNCTION_ARGS) {
  const rfm_state *s = (const rfm_state *)PG_GETARG_POINTER(0);
  StringInfoData b;
  initStringInfo(&b);
  appendBinaryStringInfo(&b, "CXMR\001", 5);
  put_u64(&b, (uint64_t)s->end_day);
  put_f64(&b, s->unit);
  put_u64(&b, s->count);
  for (uint32 i = 0; i < s->count; i++) {
    put_u64(&b, (uint64_t)s->days[i].day);
    put_f64(&b, s->days[i].amount);
  }
  PG_RETURN_BYTEA_P(finish_bytes(&b));
}

static void rfm_read(rfm_state *s, const uint8_t *p, size_t len, const char *fn) {
  check_header(p, len, "CXMR", RFM_FIXED, fn);
  int64 end_day = (int64)get_u64(p + 5);
  double unit = get_f64(p + 13);
  uint64_t count = get_u64(p + 21);
  if (end_day < 0 || end_day > CXM_TIME_MAX / SECONDS_PER_DAY || !(unit > 0) || !isfinite(unit)) {
    bad_bytes(fn, "observation end or unit out of range");
  }
  if (count > (len - RFM_FIXED) / 16 || len != RFM_FIXED + count * 16) {
    bad_bytes(fn, "length does not match the purchase count");
  }
  memset(s, 0, sizeof *s);
  s->end_day = end_day;
  s->unit = unit;
  s->count = s->cap = (uint32)count;
  s->days = count ? (rfm_day *)palloc(count * sizeof(rfm_day)) : NULL;
  for (uint64_t i = 0; i < count; i++) {
    const uint8_t *e = p + RFM_FIXED + 16 * i;
    s->days[i].day = (int64)get_u64(e);
    s->days[i].amount = get_f64(e + 8);
    if (s->days[i].day < 0 || s->days[i].day > CXM_TIME_MAX / SECONDS_PER_DAY || !(s->days[i].amount >= 0) ||
        !isfinite(s->days[i].amount)) {
      bad_bytes(fn, "a purchase day or amount out of range");
    }
  }
}

PG_FUNCTION_INFO_V1(pgcxm_rfm_deserial);
Datum pgcxm_rfm_deserial(PG_FUNCTION_ARGS) {
  struct varlena *v = PG_GETARG_VARLENA_PP(0);
  rfm_state *s = (rfm_state *)palloc(sizeof *s);
  rfm_read(s, (const uint8_t *)VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), "cxm_rfm deserialise");
  PG_RETURN_POINTER(s);
}

static int rfm_day_cmp(const void *x, const void *y) {
  const rfm_day *a = (const rfm_day *)x, *b = (const rfm_day *)y;
  if (a->day != b->day) {
    return a->day < b->day ? -1 : 1;
  }
  return 0;
}

/* The summary as cxm_store_rfm() makes it (docs/purchase.md, "From
 * events"): purchases of one UTC day are one transaction, the first day is
 * the birth; x = purchase days - 1; t_x and T from the first purchase day
 * to the last purchase day and to the last day of observation; monetary is
 * the mean of the repeat days' totals. NULL for a customer with no
 * purchase before the end, or whose first purchase is on the last day. */
PG_FUNCTION_INFO_V1(pgcxm_rfm_final);
Datum pgcxm_rfm_final(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0)) {
    PG_RETURN_NULL();
  }
  rfm_state *s = (rfm_state *)PG_GETARG_POINTER(0);
  rfm_day *d = (rfm_day *)palloc((s->count ? s->count : 1) * sizeof(rfm_day));
  uint32 n = 0;
  for (uint32 i = 0; i < s->count; i++) {
    if (s->days[i].day <= s->end_day) {
      d[n++] = s->days[i];
    }
  }
  if (n == 0) {
    PG_RETURN_NULL();
  }
  /* Stable order of a day's purchases does not matter for the day's count;
   * their sum may differ from the library's in the last bit when the rows
   * come in another order. */
  qsort(d, n, sizeof *d, rfm_day_cmp);
  int64 first = d[0].day, last = d[n - 1].day;
  if (first == s->end_day) {
    PG_RETURN_NULL();
  }
  uint32 days = 0;
  double spend = 0, first_spend = 0;
  for (uint32 i = 0; i < n;) {
    double day_total = 0;
    uint32 j = i;
    for (; j < n && d[j].day == d[i].day; j++) {
      day_total += d[j].amount;
    }
    if (days == 0) {
      first_spend = day_total;
    }
    spend += day_total;
    days++;
    i = j;
  }
  double per_day = 86400.0 / s->unit;
  uint32 x = days - 1;
  double t_x = (double)(last - first) * per_day;
  double T = (double)(s->end_day - first) * per_day;
  double monetary = x > 0 && spend - first_spend > 0 ? (spend - first_spend) / x : NAN;

  TupleDesc desc;
  if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("cxm_rfm: must return a composite type")));
  }
  desc = BlessTupleDesc(desc);
  Datum v[4];
  bool nul[4] = {false};
  v[0] = Int32GetDatum((int32)x);
  v[1] = Float8GetDatum(t_x);
  v[2] = Float8GetDatum(T);
  pgcxm_set_double(&v[3], &nul[3], monetary);
  PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nul)));
}

/* ---- cxm_fit: a purchase model from a summary table ---------------------- */

typedef struct fit_row {
  uint32 x;
  double t_x, T, monetary;
} fit_row;

typedef struct fit_state {
  int32 kind;
  uint64 count, cap;
  fit_row *rows;
} fit_state;

/* "CXMF", version 1, kind (8), count (8), then count entries of x (8),
 * t_x, T and monetary (8 each, binary64). */
#define FIT_FIXED 21

static int32 model_kind(text *t, const char *fn) {
  char *name = text_to_cstring(t);
  for (int32 k = CXM_MODEL_BGNBD; k <= CXM_MODEL_GAMMA_GAMMA; k++) {
    if (strcmp(name, cxm_model_name(k)) == 0) {
      return k;
    }
  }
  ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                  errmsg("%s: unknown model \"%s\" (bgnbd, mbgnbd, pnbd or gg)", fn, name)));
  return 0;
}

static void fit_push(fit_state *s, MemoryContext ctx, const fit_row *r, const char *fn) {
  if (s->count == s->cap) {
    if (s->cap >= MaxAllocHugeSize / sizeof(fit_row) / 2) {
      ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("%s: too many customers", fn)));
    }
    uint64 cap = s->cap ? s->cap * 2 : 64;
    s->rows = s->rows ? (fit_row *)repalloc_huge(s->rows, cap * sizeof(fit_row))
                      : (fit_row *)MemoryContextAllocHuge(ctx, cap * sizeof(fit_row));
    s->cap = cap;
  }
  s->rows[s->count++] = *r;
}

/* cxm_fit(model, x, t_x, T [, monetary]): rows with a NULL summary field are
 * skipped; the values are checked by cxm_rfm_add() when the fit runs. */
PG_FUNCTION_INFO_V1(pgcxm_fit_trans);
Datum pgcxm_fit_trans(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_fit";
  MemoryContext ctx = pgcxm_agg_context(fcinfo, fn);
  fit_state *s = PG_ARGISNULL(0) ? NULL : (fit_state *)PG_GETARG_POINTER(0);
  if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4)) {
    if (s == NULL) {
      PG_RETURN_NULL();
    }
    PG_RETURN_POINTER(s);
  }
  if (s == NULL) {
    s = (fit_state *)MemoryContextAllocZero(ctx, sizeof *s);
    s->kind = model_kind(PG_GETARG_TEXT_PP(1), fn);
  }
  int32 x = PG_GETARG_INT32(2);
  if (x < 0) {
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("%s: x = %d is negative", fn, x)));
  }
  fit_row r = {(uint32)x, PG_GETARG_FLOAT8(3), PG_GETARG_FLOAT8(4), NAN};
  if (PG_NARGS() > 5 && !PG_ARGISNULL(5)) {
    r.monetary = PG_GETARG_FLOAT8(5);
  }
  fit_push(s, ctx, &r, fn);
  PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcxm_fit_combine);
Datum pgcxm_fit_combine(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_fit combine";
  MemoryContext ctx = pgcxm_agg_context(fcinfo, fn);
  fit_state *a = PG_ARGISNULL(0) ? NULL : (fit_state *)PG_GETARG_POINTER(0);
  fit_state *b = PG_ARGISNULL(1) ? NULL : (fit_state *)PG_GETARG_POINTER(1);
  if (b == NULL) {
    if (a == NULL) {
      PG_RETURN_NULL();
    }
    PG_RETURN_POINTER(a);
  }
  if (a == NULL) {
    a = (fit_state *)MemoryContextAllocZero(ctx, sizeof *a);
    a->kind = b->kind;
  } else if (a->kind != b->kind) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: partial states of different models", fn)));
  }
  for (uint64 i = 0; i < b->count; i++) {
    fit_push(a, ctx, &b->rows[i], fn);
  }
  PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(pgcxm_fit_serial);
Datum pgcxm_fit_serial(PG_FUNCTION_ARGS) {
  const fit_state *s = (const fit_state *)PG_GETARG_POINTER(0);
  if ((uint64)s->count > (MaxAllocSize - FIT_FIXED - VARHDRSZ) / 32) {
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("cxm_fit: a partial state of " UINT64_FORMAT " customers is too large to send", s->count)));
  }
  StringInfoData b;
  initStringInfo(&b);
  appendBinaryStringInfo(&b, "CXMF\001", 5);
  put_u64(&b, (uint64_t)s->kind);
  put_u64(&b, s->count);
  for (uint64 i = 0; i < s->count; i++) {
    put_u64(&b, s->rows[i].x);
    put_f64(&b, s->rows[i].t_x);
    put_f64(&b, s->rows[i].T);
    put_f64(&b, s->rows[i].monetary);
  }
  PG_RETURN_BYTEA_P(finish_bytes(&b));
}

static void fit_read(fit_state *s, const uint8_t *p, size_t len, const char *fn) {
  check_header(p, len, "CXMF", FIT_FIXED, fn);
  uint64_t kind = get_u64(p + 5), count = get_u64(p + 13);
  if (kind < CXM_MODEL_BGNBD || kind > CXM_MODEL_GAMMA_GAMMA) {
    bad_bytes(fn, "unknown model");
  }
  if (count > (len - FIT_FIXED) / 32 || len != FIT_FIXED + count * 32) {
    bad_bytes(fn, "length does not match the customer count");
  }
  s->kind = (int32)kind;
  s->count = s->cap = count;
  s->rows = count ? (fit_row *)palloc_extended(count * sizeof(fit_row), MCXT_ALLOC_HUGE) : NULL;
  for (uint64_t i = 0; i < count; i++) {
    const uint8_t *e = p + FIT_FIXED + 32 * i;
    uint64_t x = get_u64(e);
    if (x > UINT32_MAX) {
      bad_bytes(fn, "x out of range");
    }
    s->rows[i].x = (uint32)x;
    s->rows[i].t_x = get_f64(e + 8);
    s->rows[i].T = get_f64(e + 16);
    s->rows[i].monetary = get_f64(e + 24);
  }
}

PG_FUNCTION_INFO_V1(pgcxm_fit_deserial);
Datum pgcxm_fit_deserial(PG_FUNCTION_ARGS) {
  struct varlena *v = PG_GETARG_VARLENA_PP(0);
  fit_state *s = (fit_state *)palloc(sizeof *s);
  fit_read(s, (const uint8_t *)VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), "cxm_fit deserialise");
  PG_RETURN_POINTER(s);
}

static Datum float_array(const double *d, int n) {
  Datum e[4];
  bool nul[4];
  int dims[1] = {n}, lbs[1] = {1};
  for (int i = 0; i < n; i++) {
    pgcxm_set_double(&e[i], &nul[i], d[i]);
  }
  return PointerGetDatum(construct_md_array(e, nul, 1, dims, lbs, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* The fit as cxm_fit_result: model, param_names, params, se, loglik,
 * converged, iterations, customers, distinct_triples. A fit that did not
 * converge is returned with converged = false (the best point reached),
 * as `cxm churn` prints it; other failures are errors. */
PG_FUNCTION_INFO_V1(pgcxm_fit_final);
Datum pgcxm_fit_final(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_fit";
  if (PG_ARGISNULL(0)) {
    PG_RETURN_NULL();
  }
  const fit_state *s = (const fit_state *)PG_GETARG_POINTER(0);
  cxm_rfm *rfm = NULL;
  pgcxm_check(cxm_rfm_new(&rfm, NULL), fn, "creating the summary set");
  int32_t rc = CXM_OK;
  uint64 bad = 0;
  for (uint64 i = 0; i < s->count && rc == CXM_OK; i++) {
    cxm_rfm_customer c;
    cxm_rfm_customer_init(&c);
    c.x = s->rows[i].x;
    c.t_x = s->rows[i].t_x;
    c.T = s->rows[i].T;
    c.monetary = s->rows[i].monetary;
    rc = cxm_rfm_add(rfm, &c);
    bad = i;
  }
  if (rc != CXM_OK) {
    fit_row r = s->rows[bad];
    cxm_rfm_free(rfm);
    if (rc == CXM_E_VALUE) {
      ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                      errmsg("%s: summary x = %u, t_x = %g, T = %g, monetary = %g is not valid", fn, r.x, r.t_x, r.T,
                             r.monetary),
                      errhint("Needs 0 <= t_x <= T, T > 0, t_x = 0 when x = 0, monetary > 0 or NULL.")));
    }
    pgcxm_check(rc, fn, "adding a customer");
  }
  cxm_model m;
  cxm_model_init(&m);
  rc = cxm_model_fit(&m, rfm, s->kind, NULL);
  cxm_rfm_free(rfm);
  if (rc != CXM_OK && rc != CXM_E_CONVERGE) {
    pgcxm_check(rc, fn, "fitting");
  }
  TupleDesc desc;
  if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("cxm_fit: must return a composite type")));
  }
  desc = BlessTupleDesc(desc);
  Datum names[4];
  for (int i = 0; i < m.param_count; i++) {
    names[i] = CStringGetTextDatum(cxm_model_param_name(m.kind, i));
  }
  Datum v[9];
  bool nul[9] = {false};
  v[0] = CStringGetTextDatum(cxm_model_name(m.kind));
  v[1] = PointerGetDatum(construct_array(names, m.param_count, TEXTOID, -1, false, TYPALIGN_INT));
  v[2] = float_array(m.param, m.param_count);
  v[3] = float_array(m.se, m.param_count);
  pgcxm_set_double(&v[4], &nul[4], m.loglik);
  v[5] = BoolGetDatum(m.converged != 0);
  v[6] = Int32GetDatum(m.iterations);
  v[7] = Int64GetDatum((int64)m.customers);
  v[8] = Int64GetDatum((int64)m.distinct);
  PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nul)));
}

/* A model from the name and parameters of a cxm_fit_result. */
static void model_from_args(cxm_model *m, FunctionCallInfo fcinfo, const char *fn) {
  cxm_model_init(m);
  m->kind = model_kind(PG_GETARG_TEXT_PP(0), fn);
  ArrayType *arr = PG_GETARG_ARRAYTYPE_P(1);
  Datum *e;
  bool *nul;
  int n;
  deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &e, &nul, &n);
  int want = m->kind == CXM_MODEL_GAMMA_GAMMA ? 3 : 4;
  if (n != want) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: %d parameters, the model has %d", fn, n, want)));
  }
  m->param_count = want;
  for (int i = 0; i < n; i++) {
    if (nul[i]) {
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: a NULL parameter", fn)));
    }
    m->param[i] = DatumGetFloat8(e[i]);
  }
}

/* cxm_p_alive(model, params, x, t_x, T). */
PG_FUNCTION_INFO_V1(pgcxm_p_alive);
Datum pgcxm_p_alive(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_p_alive";
  cxm_model m;
  model_from_args(&m, fcinfo, fn);
  int32 x = PG_GETARG_INT32(2);
  if (x < 0) {
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("%s: x = %d is negative", fn, x)));
  }
  double p = 0;
  pgcxm_check(cxm_model_p_alive(&p, &m, (uint32_t)x, PG_GETARG_FLOAT8(3), PG_GETARG_FLOAT8(4)), fn, "P(alive)");
  PG_RETURN_FLOAT8(p);
}

/* cxm_expected(model, params, t, x, t_x, T). */
PG_FUNCTION_INFO_V1(pgcxm_expected);
Datum pgcxm_expected(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_expected";
  cxm_model m;
  model_from_args(&m, fcinfo, fn);
  int32 x = PG_GETARG_INT32(3);
  if (x < 0) {
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("%s: x = %d is negative", fn, x)));
  }
  double e = 0;
  pgcxm_check(cxm_model_expected(&e, &m, PG_GETARG_FLOAT8(2), (uint32_t)x, PG_GETARG_FLOAT8(4), PG_GETARG_FLOAT8(5)),
              fn, "expected purchases");
  PG_RETURN_FLOAT8(e);
}

/* ---- cxm_state_check ---------------------------------------------------- */

/* cxm_state_check(kind, bytes): runs the DESERIALFUNC reader of a partial
 * state ('survey', 'gap', 'rfm', 'fit') on the bytes: their length when
 * they are valid, an error otherwise. For checking stored or shipped
 * states, and for fuzzing the readers through SQL. */
PG_FUNCTION_INFO_V1(pgcxm_state_check);
Datum pgcxm_state_check(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_state_check";
  char *kind = text_to_cstring(PG_GETARG_TEXT_PP(0));
  struct varlena *v = PG_GETARG_VARLENA_PP(1);
  const uint8_t *p = (const uint8_t *)VARDATA_ANY(v);
  size_t len = VARSIZE_ANY_EXHDR(v);
  if (strcmp(kind, "survey") == 0) {
    cxm_survey_acc acc;
    size_t consumed = 0;
    pgcxm_check(cxm_survey_acc_deserialize(&acc, p, len, &consumed), fn, "invalid survey state bytes");
    if (consumed != len) {
      bad_bytes(fn, "bytes after the frame");
    }
  } else if (strcmp(kind, "gap") == 0) {
    pgcxm_gap_state s;
    pgcxm_gap_read(&s, p, len, fn);
  } else if (strcmp(kind, "rfm") == 0) {
    rfm_state s;
    rfm_read(&s, p, len, fn);
  } else if (strcmp(kind, "fit") == 0) {
    fit_state s;
    fit_read(&s, p, len, fn);
  } else {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: unknown state kind \"%s\" (survey, gap, rfm or fit)", fn, kind)));
  }
  PG_RETURN_INT32((int32)len);
}
