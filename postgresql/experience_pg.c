/*
 * experience_pg.c: the perception gap as an aggregate over the library's
 * cxm_gap_acc (include/cxm/experience.h), and service levels in business
 * time (cxm_first_response over cxm/calendar.h).
 */
#include "cxm_pg.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/fmgrprotos.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include <cxm.h>

#include <math.h>
#include <string.h>

/* ---- the perception gap ------------------------------------------------ */

/* States of different top-box thresholds are never merged. */
typedef pgcxm_gap_state gap_state;

/* The bytes of a cxm_gap_state (its text and binary forms): the gap-accumulator frame of docs/formats.md (61
 * bytes), then the threshold as the 8 little-endian bytes of its binary64. */
#define GAP_STATE_BYTES (CXM_GAP_ACC_BYTES + 8)

static bytea *gap_write(const gap_state *s) {
  uint8_t buf[GAP_STATE_BYTES];
  size_t written = 0;
  pgcxm_check(cxm_gap_acc_serialize(buf, CXM_GAP_ACC_BYTES, &written, &s->acc), "cxm_gap", "serialising");
  uint64_t bits;
  memcpy(&bits, &s->top_box, sizeof bits);
  for (int i = 0; i < 8; i++) {
    buf[CXM_GAP_ACC_BYTES + i] = (uint8_t)(bits >> (8 * i));
  }
  return pgcxm_bytea(buf, GAP_STATE_BYTES);
}

void pgcxm_gap_read(gap_state *s, const uint8_t *bytes, size_t len, const char *fn) {
  size_t consumed = 0;
  pgcxm_check(cxm_gap_acc_deserialize(&s->acc, bytes, len, &consumed), fn, "invalid gap state bytes");
  if (consumed != CXM_GAP_ACC_BYTES || len != GAP_STATE_BYTES) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                    errmsg("%s: invalid gap state bytes: %zu bytes, expected %d", fn, len, GAP_STATE_BYTES)));
  }
  uint64_t bits = 0;
  for (int i = 0; i < 8; i++) {
    bits |= (uint64_t)bytes[CXM_GAP_ACC_BYTES + i] << (8 * i);
  }
  memcpy(&s->top_box, &bits, sizeof bits);
  if (!isfinite(s->top_box)) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                    errmsg("%s: invalid gap state bytes: the top-box threshold is not finite", fn)));
  }
}

static void check_score(double v, const char *fn, const char *what) {
  if (!(v >= 0.0 && v <= 100.0)) {
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                    errmsg("%s: %s score %g is outside 0..100", fn, what, v),
                    errhint("Normalise customer ratings first: NPS 10 v, CSAT 25 (v - 1), CES 100 (v - 1) / 6.")));
  }
}

/* The state of argument 0 to change: in place inside an aggregate, else a
 * copy. */
static gap_state *gap_for_update(FunctionCallInfo fcinfo) {
  if (AggCheckCallContext(fcinfo, NULL)) {
    return (gap_state *)PG_GETARG_POINTER(0);
  }
  gap_state *s = (gap_state *)palloc(sizeof *s);
  memcpy(s, PG_GETARG_POINTER(0), sizeof *s);
  return s;
}

/* cxm_gap(service, experience [, top_box]): one pair per row, both on the
 * 0..100 scale; a row with a NULL side is skipped. */
PG_FUNCTION_INFO_V1(pgcxm_gap_trans);
Datum pgcxm_gap_trans(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_gap";
  if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) {
    if (PG_ARGISNULL(0)) {
      PG_RETURN_NULL();
    }
    PG_RETURN_DATUM(PG_GETARG_DATUM(0));
  }
  double top_box = 80.0;
  if (PG_NARGS() > 3 && !PG_ARGISNULL(3)) {
    top_box = PG_GETARG_FLOAT8(3);
  }
  if (!isfinite(top_box)) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: top_box %g is not finite", fn, top_box)));
  }
  double service = PG_GETARG_FLOAT8(1);
  double experience = PG_GETARG_FLOAT8(2);
  check_score(service, fn, "service");
  check_score(experience, fn, "experience");
  gap_state *s;
  if (PG_ARGISNULL(0)) {
    s = (gap_state *)palloc(sizeof *s);
    cxm_gap_acc_init(&s->acc);
    s->top_box = top_box;
  } else {
    s = gap_for_update(fcinfo);
    if (s->top_box != top_box) {
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("%s: top_box changed from %g to %g within one group", fn, s->top_box, top_box)));
    }
  }
  pgcxm_check(cxm_gap_acc_add(&s->acc, service, experience, top_box), fn, "adding a pair");
  PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcxm_gap_combine);
Datum pgcxm_gap_combine(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_gap combine";
  if (PG_ARGISNULL(1)) {
    if (PG_ARGISNULL(0)) {
      PG_RETURN_NULL();
    }
    PG_RETURN_DATUM(PG_GETARG_DATUM(0));
  }
  const gap_state *b = (const gap_state *)PG_GETARG_POINTER(1);
  if (PG_ARGISNULL(0)) {
    gap_state *a = (gap_state *)palloc(sizeof *a);
    *a = *b;
    PG_RETURN_POINTER(a);
  }
  gap_state *a = gap_for_update(fcinfo);
  if (a->top_box != b->top_box) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: partial states of top_box %g and %g cannot be merged", fn, a->top_box, b->top_box)));
  }
  pgcxm_check(cxm_gap_acc_merge(&a->acc, &b->acc), fn, "merging partial states");
  PG_RETURN_POINTER(a);
}

/* The cxm_gap_state type: text is bytea's hex form of the bytes above,
 * binary the bytes. */
PG_FUNCTION_INFO_V1(pgcxm_gap_state_in);
Datum pgcxm_gap_state_in(PG_FUNCTION_ARGS) {
  bytea *raw = DatumGetByteaPP(DirectFunctionCall1(byteain, PG_GETARG_DATUM(0)));
  gap_state *s = (gap_state *)palloc(sizeof *s);
  pgcxm_gap_read(s, (const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), "cxm_gap_state input");
  PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcxm_gap_state_out);
Datum pgcxm_gap_state_out(PG_FUNCTION_ARGS) {
  return DirectFunctionCall1(byteaout, PointerGetDatum(gap_write((const gap_state *)PG_GETARG_POINTER(0))));
}

PG_FUNCTION_INFO_V1(pgcxm_gap_state_recv);
Datum pgcxm_gap_state_recv(PG_FUNCTION_ARGS) {
  StringInfo buf = (StringInfo)PG_GETARG_POINTER(0);
  int len = buf->len - buf->cursor;
  const char *bytes = pq_getmsgbytes(buf, len);
  gap_state *s = (gap_state *)palloc(sizeof *s);
  pgcxm_gap_read(s, (const uint8_t *)bytes, (size_t)len, "cxm_gap_state receive");
  PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgcxm_gap_state_send);
Datum pgcxm_gap_state_send(PG_FUNCTION_ARGS) {
  bytea *b = gap_write((const gap_state *)PG_GETARG_POINTER(0));
  StringInfoData buf;
  pq_begintypsend(&buf);
  pq_sendbytes(&buf, VARDATA(b), (int)VARSIZE(b) - VARHDRSZ);
  PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(pgcxm_gap_final);
Datum pgcxm_gap_final(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0)) {
    PG_RETURN_NULL();
  }
  const gap_state *s = (const gap_state *)PG_GETARG_POINTER(0);
  cxm_gap_result r;
  pgcxm_check(cxm_gap_compute(&r, &s->acc), "cxm_gap", "computing");
  if (r.pairs == 0) {
    PG_RETURN_NULL();
  }
  TupleDesc desc;
  if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("cxm_gap: must return a composite type")));
  }
  desc = BlessTupleDesc(desc);
  Datum v[12];
  bool nul[12] = {false};
  v[0] = Int64GetDatum((int64)r.pairs);
  pgcxm_set_double(&v[1], &nul[1], r.mean);
  pgcxm_set_double(&v[2], &nul[2], r.se);
  pgcxm_set_double(&v[3], &nul[3], r.ci95_low);
  pgcxm_set_double(&v[4], &nul[4], r.ci95_high);
  pgcxm_set_double(&v[5], &nul[5], r.service);
  pgcxm_set_double(&v[6], &nul[6], r.experience);
  pgcxm_set_double(&v[7], &nul[7], r.delivery_gap);
  pgcxm_set_double(&v[8], &nul[8], r.blind_spot_pct);
  pgcxm_set_double(&v[9], &nul[9], r.delivery_z);
  v[10] = Int64GetDatum((int64)r.blind_spots);
  v[11] = Int64GetDatum((int64)r.reverse_spots);
  PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nul)));
}

/* ---- service levels in business time ----------------------------------- */

/* PostgreSQL timestamps count microseconds from 2000-01-01; the library
 * counts seconds from 1970 (whole seconds: durations are floored to the
 * second as the event format's times are). */
static int64_t unix_seconds(TimestampTz t, const char *fn) {
  if (TIMESTAMP_NOT_FINITE(t)) {
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("%s: an infinite timestamp", fn)));
  }
  int64 us = t + (int64)(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
  int64 s = us / USECS_PER_SEC;
  if (us % USECS_PER_SEC < 0) {
    s -= 1;
  }
  if (s < CXM_TIME_MIN || s > CXM_TIME_MAX) {
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("%s: timestamp outside the years 1970..9999 that cxm handles", fn)));
  }
  return s;
}

static int32_t time_of_day(TimeADT t) {
  return (int32_t)(t / USECS_PER_SEC);
}

/* Builds the calendar of the arguments opens, closes, utc_offset, holidays
 * (arguments 2..5): Monday-Friday opens..closes local time. The caller
 * frees it. */
static cxm_calendar *calendar_from_args(FunctionCallInfo fcinfo, const char *fn) {
  int32_t open_s = 9 * 3600, close_s = 17 * 3600, offset_s = 0;
  if (!PG_ARGISNULL(2)) {
    open_s = time_of_day(PG_GETARG_TIMEADT(2));
  }
  if (!PG_ARGISNULL(3)) {
    close_s = time_of_day(PG_GETARG_TIMEADT(3)); /* '24:00' is 86400 */
  }
  if (!PG_ARGISNULL(4)) {
    Interval *iv = PG_GETARG_INTERVAL_P(4);
    if (iv->month != 0 || iv->day != 0 || iv->time % USECS_PER_SEC != 0 ||
        iv->time > (int64)CXM_CALENDAR_MAX_OFFSET * USECS_PER_SEC ||
        iv->time < -(int64)CXM_CALENDAR_MAX_OFFSET * USECS_PER_SEC) {
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("%s: utc_offset must be whole seconds within -18:00..+18:00", fn)));
    }
    offset_s = (int32_t)(iv->time / USECS_PER_SEC);
  }
  if (close_s < open_s) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: business hours close (%d s) before they open (%d s)", fn, close_s, open_s)));
  }
  cxm_calendar *cal = NULL;
  pgcxm_check(cxm_calendar_new(&cal, NULL), fn, "creating the calendar");
  int32_t rc = cxm_calendar_set_offset(cal, offset_s);
  for (int32_t d = CXM_MONDAY; rc == CXM_OK && d <= CXM_SUNDAY; d++) {
    bool weekday = d <= CXM_MONDAY + 4;
    rc = cxm_calendar_set_hours(cal, d, weekday ? open_s : 0, weekday ? close_s : 0);
  }
  if (rc == CXM_OK && PG_NARGS() > 5 && !PG_ARGISNULL(5)) {
    ArrayType *arr = PG_GETARG_ARRAYTYPE_P(5);
    Datum *elems;
    bool *nulls;
    int n;
    deconstruct_array(arr, DATEOID, sizeof(DateADT), true, TYPALIGN_INT, &elems, &nulls, &n);
    for (int i = 0; rc == CXM_OK && i < n; i++) {
      if (nulls[i]) {
        continue;
      }
      int y, m, dd;
      DateADT date = DatumGetDateADT(elems[i]);
      if (DATE_NOT_FINITE(date)) {
        continue;
      }
      j2date(date + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
      rc = cxm_calendar_add_holiday(cal, y, m, dd);
    }
  }
  if (rc != CXM_OK) {
    cxm_calendar_free(cal);
    pgcxm_check(rc, fn, "business hours");
  }
  return cal;
}

/* cxm_first_response(open, reply, opens, closes, utc_offset, holidays):
 * the business seconds from the open to the reply (docs/experience.md,
 * "Service levels"); NULL when there is no reply yet. */
PG_FUNCTION_INFO_V1(pgcxm_first_response);
Datum pgcxm_first_response(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_first_response";
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) {
    PG_RETURN_NULL();
  }
  int64_t open = unix_seconds(PG_GETARG_TIMESTAMPTZ(0), fn);
  int64_t reply = unix_seconds(PG_GETARG_TIMESTAMPTZ(1), fn);
  if (reply < open) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: the reply (%s) is before the open (%s)", fn,
                           timestamptz_to_str(PG_GETARG_TIMESTAMPTZ(1)), timestamptz_to_str(PG_GETARG_TIMESTAMPTZ(0))),
                    errhint("A first response is the earliest reply at or after the open.")));
  }
  cxm_calendar *cal = calendar_from_args(fcinfo, fn);
  int64_t out = 0;
  int32_t rc = cxm_calendar_business_seconds(&out, cal, open, reply);
  cxm_calendar_free(cal);
  pgcxm_check(rc, fn, "business seconds");
  PG_RETURN_INT64(out);
}

/* cxm--0.1.sql declares cxm_gap_state with INTERNALLENGTH = 64. */
StaticAssertDecl(sizeof(pgcxm_gap_state) == 64, "cxm_gap_state's INTERNALLENGTH in cxm--0.1.sql");
