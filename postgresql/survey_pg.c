/*
 * survey_pg.c: NPS, CSAT and CES as PostgreSQL aggregates over
 * cxm_survey_acc (include/cxm/survey.h), the cxm_survey_state type that
 * is both their transition state and the value of rollup tables, its
 * accessors and the two-period comparisons.
 *
 * cxm_survey_state is a fixed-length type holding a cxm_survey_acc as it
 * is in memory (23 counts), so the transition functions add an answer in
 * place at the cost of an increment. Its text and binary forms are the
 * portable survey-accumulator format of docs/formats.md (text: bytea's hex
 * form of those bytes): that is what travels between Citus nodes
 * (worker_partial_agg writes a partial state with the type's output
 * function, coord_combine_agg reads it with its input function) and what
 * pg_dump and COPY write. Citus cannot ship `internal` states, hence a
 * real type rather than `internal` with SERIALFUNC/DESERIALFUNC (which
 * only PostgreSQL's own parallel query would use). Within one server,
 * parallel workers hand the fixed-length value over as it is.
 *
 * Partial states merge with cxm_survey_acc_merge() (COMBINEFUNC), so a
 * parallel or distributed result equals the single-process one exactly:
 * the state is integer counts.
 */
#include "cxm_pg.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include <cxm.h>

#include <math.h>
#include <string.h>

/* ---- reading and writing the bytes ------------------------------------ */

/* Reads exactly one survey frame from `len` bytes, or raises ERROR naming
 * `fn`: the reader of every path (type input, receive, cast from bytea). */
static void survey_read(cxm_survey_acc *acc, const uint8_t *bytes, size_t len, const char *fn) {
  size_t consumed = 0;
  int32_t rc = cxm_survey_acc_deserialize(acc, bytes, len, &consumed);
  pgcxm_check(rc, fn, "invalid survey state bytes");
  if (consumed != len) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                    errmsg("%s: invalid survey state bytes: %zu bytes after the frame", fn, len - consumed)));
  }
}

static bytea *survey_write(const cxm_survey_acc *acc) {
  uint8_t buf[CXM_SURVEY_ACC_MAX_BYTES];
  size_t written = 0;
  pgcxm_check(cxm_survey_acc_serialize(buf, sizeof buf, &written, acc), "cxm", "serialising a survey state");
  return pgcxm_bytea(buf, written);
}

/* The state of argument 0, to be changed: in place when called as an
 * aggregate's transition or combine function (PostgreSQL allows it: the
 * old value is not used again), otherwise a copy; a new empty state for
 * NULL. */
static inline cxm_survey_acc *state_for_update(FunctionCallInfo fcinfo) {
  cxm_survey_acc *acc;
  if (PG_ARGISNULL(0)) {
    acc = (cxm_survey_acc *)palloc(sizeof *acc);
    cxm_survey_acc_init(acc);
  } else if (AggCheckCallContext(fcinfo, NULL)) {
    acc = (cxm_survey_acc *)PG_GETARG_POINTER(0);
  } else {
    acc = (cxm_survey_acc *)palloc(sizeof *acc);
    memcpy(acc, PG_GETARG_POINTER(0), sizeof *acc);
  }
  return acc;
}

/* ---- transition functions -------------------------------------------- */

static const char *const kind_scale[3] = {"the NPS scale 0..10", "the CSAT scale 1..5", "the CES scale 1..7"};

static void add_answer(cxm_survey_acc *acc, int32_t kind, int32 value, const char *fn) {
  int32_t rc = cxm_survey_acc_add(acc, kind, value, 1);
  if (rc == CXM_OK) {
    return; /* once per row: no call into cxm_pg.c on the way */
  }
  if (rc == CXM_E_VALUE) {
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                    errmsg("%s: value %d is outside %s", fn, (int)value, kind_scale[kind])));
  }
  pgcxm_check(rc, fn, "adding an answer");
}

/* Adds one answer; a NULL answer leaves the state as it is. */
static Datum survey_add(FunctionCallInfo fcinfo, int32_t kind, const char *fn) {
  if (PG_ARGISNULL(1)) {
    if (PG_ARGISNULL(0)) {
      PG_RETURN_NULL();
    }
    PG_RETURN_DATUM(PG_GETARG_DATUM(0));
  }
  cxm_survey_acc *acc = state_for_update(fcinfo);
  add_answer(acc, kind, PG_GETARG_INT32(1), fn);
  PG_RETURN_POINTER(acc);
}

PG_FUNCTION_INFO_V1(pgcxm_nps_trans);
Datum pgcxm_nps_trans(PG_FUNCTION_ARGS) {
  return survey_add(fcinfo, CXM_KIND_NPS, "cxm_nps");
}

PG_FUNCTION_INFO_V1(pgcxm_csat_trans);
Datum pgcxm_csat_trans(PG_FUNCTION_ARGS) {
  return survey_add(fcinfo, CXM_KIND_CSAT, "cxm_csat");
}

PG_FUNCTION_INFO_V1(pgcxm_ces_trans);
Datum pgcxm_ces_trans(PG_FUNCTION_ARGS) {
  return survey_add(fcinfo, CXM_KIND_CES, "cxm_ces");
}

/* cxm_survey_state(kind text, value int): the answer goes to the
 * accumulator of its kind; other event kinds are skipped, an unknown kind
 * is an error. */
PG_FUNCTION_INFO_V1(pgcxm_survey_trans);
Datum pgcxm_survey_trans(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_survey_state";
  if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) {
    if (PG_ARGISNULL(0)) {
      PG_RETURN_NULL();
    }
    PG_RETURN_DATUM(PG_GETARG_DATUM(0));
  }
  text *kind_text = PG_GETARG_TEXT_PP(1);
  const char *k = VARDATA_ANY(kind_text);
  size_t klen = VARSIZE_ANY_EXHDR(kind_text);
  int32_t kind;
  /* Every kind of docs/events.md is known to the library's parser, so an
   * events table with kinds added later is still fed whole. */
  if (cxm_kind_parse(&kind, k, klen) != CXM_OK) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: unknown event kind \"%.*s\"", fn, (int)(klen > 64 ? 64 : klen), k),
                    errhint("Survey kinds are nps, csat and ces; the other kinds of docs/events.md are skipped.")));
  }
  if (kind != CXM_KIND_NPS && kind != CXM_KIND_CSAT && kind != CXM_KIND_CES) {
    if (PG_ARGISNULL(0)) {
      PG_RETURN_NULL();
    }
    PG_RETURN_DATUM(PG_GETARG_DATUM(0));
  }
  cxm_survey_acc *acc = state_for_update(fcinfo);
  add_answer(acc, kind, PG_GETARG_INT32(2), fn);
  PG_RETURN_POINTER(acc);
}

/* The COMBINEFUNC of every survey aggregate, and the transition function
 * of cxm_survey_merge(state): adds the second state into the first. */
PG_FUNCTION_INFO_V1(pgcxm_survey_combine);
Datum pgcxm_survey_combine(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(1)) {
    if (PG_ARGISNULL(0)) {
      PG_RETURN_NULL();
    }
    PG_RETURN_DATUM(PG_GETARG_DATUM(0));
  }
  cxm_survey_acc *a = state_for_update(fcinfo);
  const cxm_survey_acc *b = (const cxm_survey_acc *)PG_GETARG_POINTER(1);
  pgcxm_check(cxm_survey_acc_merge(a, b), "cxm survey combine", "merging states");
  PG_RETURN_POINTER(a);
}

/* ---- results ---------------------------------------------------------- */


static TupleDesc result_desc(FunctionCallInfo fcinfo) {
  TupleDesc desc;
  if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("cxm: function must return a composite type")));
  }
  return BlessTupleDesc(desc);
}

/* NULL when the kind has no answer, as `cxm report --json` writes null. */
static Datum nps_tuple(FunctionCallInfo fcinfo, const cxm_survey_acc *acc) {
  cxm_nps_result r;
  cxm_nps_compute(&r, &acc->nps);
  if (r.n == 0) {
    PG_RETURN_NULL();
  }
  TupleDesc desc = result_desc(fcinfo);
  Datum v[10];
  bool nul[10] = {false};
  v[0] = Int64GetDatum((int64)r.n);
  v[1] = Int64GetDatum((int64)r.promoters);
  v[2] = Int64GetDatum((int64)r.passives);
  v[3] = Int64GetDatum((int64)r.detractors);
  pgcxm_set_double(&v[4], &nul[4], r.score);
  pgcxm_set_double(&v[5], &nul[5], r.se);
  pgcxm_set_double(&v[6], &nul[6], r.ci95_low);
  pgcxm_set_double(&v[7], &nul[7], r.ci95_high);
  pgcxm_set_double(&v[8], &nul[8], r.adjusted_low);
  pgcxm_set_double(&v[9], &nul[9], r.adjusted_high);
  PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nul)));
}

static Datum csat_tuple(FunctionCallInfo fcinfo, const cxm_survey_acc *acc) {
  cxm_csat_result r;
  cxm_csat_compute(&r, &acc->csat);
  if (r.n == 0) {
    PG_RETURN_NULL();
  }
  TupleDesc desc = result_desc(fcinfo);
  Datum v[6];
  bool nul[6] = {false};
  v[0] = Int64GetDatum((int64)r.n);
  v[1] = Int64GetDatum((int64)r.satisfied);
  pgcxm_set_double(&v[2], &nul[2], r.score);
  pgcxm_set_double(&v[3], &nul[3], r.mean);
  pgcxm_set_double(&v[4], &nul[4], r.ci95_low);
  pgcxm_set_double(&v[5], &nul[5], r.ci95_high);
  PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nul)));
}

static Datum ces_tuple(FunctionCallInfo fcinfo, const cxm_survey_acc *acc) {
  cxm_ces_result r;
  cxm_ces_compute(&r, &acc->ces);
  if (r.n == 0) {
    PG_RETURN_NULL();
  }
  TupleDesc desc = result_desc(fcinfo);
  Datum v[8];
  bool nul[8] = {false};
  v[0] = Int64GetDatum((int64)r.n);
  pgcxm_set_double(&v[1], &nul[1], r.mean);
  pgcxm_set_double(&v[2], &nul[2], r.sd);
  pgcxm_set_double(&v[3], &nul[3], r.ci95_low);
  pgcxm_set_double(&v[4], &nul[4], r.ci95_high);
  pgcxm_set_double(&v[5], &nul[5], r.easy_pct);
  pgcxm_set_double(&v[6], &nul[6], r.high_effort_pct);
  pgcxm_set_double(&v[7], &nul[7], r.net);
  PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nul)));
}

static void json_interval(StringInfo b, double lo, double hi) {
  if (isnan(lo) || isnan(hi)) {
    appendStringInfoString(b, "null");
    return;
  }
  appendStringInfoChar(b, '[');
  pgcxm_json_double(b, lo);
  appendStringInfoString(b, ", ");
  pgcxm_json_double(b, hi);
  appendStringInfoChar(b, ']');
}

static void json_member(StringInfo b, const char *key, double v) {
  appendStringInfo(b, ", \"%s\": ", key);
  pgcxm_json_double(b, v);
}

/* The objects of a `cxm report --json` SLICE (docs/cli.md), key for key. */
static void nps_json(StringInfo b, const cxm_survey_acc *acc) {
  cxm_nps_result r;
  cxm_nps_compute(&r, &acc->nps);
  if (r.n == 0) {
    appendStringInfoString(b, "null");
    return;
  }
  appendStringInfo(b, "{\"n\": " UINT64_FORMAT ", \"promoters\": " UINT64_FORMAT ", \"passives\": " UINT64_FORMAT
                      ", \"detractors\": " UINT64_FORMAT,
                   (uint64)r.n, (uint64)r.promoters, (uint64)r.passives, (uint64)r.detractors);
  json_member(b, "score", r.score);
  json_member(b, "se", r.se);
  appendStringInfoString(b, ", \"ci95\": ");
  json_interval(b, r.ci95_low, r.ci95_high);
  appendStringInfoString(b, ", \"ci95_adjusted\": ");
  json_interval(b, r.adjusted_low, r.adjusted_high);
  {
    /* Rocks's score interval, as cxm report prints it (same z). */
    double score_low = NAN, score_high = NAN;
    cxm_nps_score_interval(&score_low, &score_high, &acc->nps, 1.959964);
    appendStringInfoString(b, ", \"ci95_score\": ");
    json_interval(b, score_low, score_high);
  }
  appendStringInfoChar(b, '}');
}

static void csat_json(StringInfo b, const cxm_survey_acc *acc) {
  cxm_csat_result r;
  cxm_csat_compute(&r, &acc->csat);
  if (r.n == 0) {
    appendStringInfoString(b, "null");
    return;
  }
  appendStringInfo(b, "{\"n\": " UINT64_FORMAT ", \"satisfied\": " UINT64_FORMAT, (uint64)r.n, (uint64)r.satisfied);
  json_member(b, "score", r.score);
  json_member(b, "mean", r.mean);
  appendStringInfoString(b, ", \"ci95\": ");
  json_interval(b, r.ci95_low, r.ci95_high);
  appendStringInfoChar(b, '}');
}

static void ces_json(StringInfo b, const cxm_survey_acc *acc) {
  cxm_ces_result r;
  cxm_ces_compute(&r, &acc->ces);
  if (r.n == 0) {
    appendStringInfoString(b, "null");
    return;
  }
  appendStringInfo(b, "{\"n\": " UINT64_FORMAT, (uint64)r.n);
  json_member(b, "mean", r.mean);
  appendStringInfoString(b, ", \"ci95\": ");
  json_interval(b, r.ci95_low, r.ci95_high);
  json_member(b, "easy_pct", r.easy_pct);
  json_member(b, "high_effort_pct", r.high_effort_pct);
  json_member(b, "net", r.net);
  appendStringInfoChar(b, '}');
}

typedef void (*json_fn)(StringInfo, const cxm_survey_acc *);

static Datum json_result(FunctionCallInfo fcinfo, const cxm_survey_acc *acc, json_fn f) {
  StringInfoData b;
  initStringInfo(&b);
  f(&b, acc);
  if (strcmp(b.data, "null") == 0) {
    PG_RETURN_NULL();
  }
  PG_RETURN_DATUM(pgcxm_jsonb_from_text(b.data));
}

/* The score of each kind: NPS, CSAT top-two-box percent, CES mean. */
enum { SCORE_NPS, SCORE_CSAT, SCORE_CES };

static Datum score_result(FunctionCallInfo fcinfo, const cxm_survey_acc *acc, int which) {
  double s;
  if (which == SCORE_NPS) {
    cxm_nps_result r;
    cxm_nps_compute(&r, &acc->nps);
    s = r.score;
  } else if (which == SCORE_CSAT) {
    cxm_csat_result r;
    cxm_csat_compute(&r, &acc->csat);
    s = r.score;
  } else {
    cxm_ces_result r;
    cxm_ces_compute(&r, &acc->ces);
    s = r.mean;
  }
  if (isnan(s)) {
    PG_RETURN_NULL();
  }
  PG_RETURN_FLOAT8(s);
}


/* Final functions: a NULL state (no row) gives NULL. */
#define STATE_OR_NULL()                                                                                                 \
  if (PG_ARGISNULL(0)) {                                                                                                \
    PG_RETURN_NULL();                                                                                                   \
  }                                                                                                                     \
  const cxm_survey_acc *acc = (const cxm_survey_acc *)PG_GETARG_POINTER(0)

/* The final functions of the aggregates and the accessors of a stored
 * state are the same functions. */
PG_FUNCTION_INFO_V1(pgcxm_nps_final);
Datum pgcxm_nps_final(PG_FUNCTION_ARGS) {
  STATE_OR_NULL();
  return score_result(fcinfo, acc, SCORE_NPS);
}

PG_FUNCTION_INFO_V1(pgcxm_csat_final);
Datum pgcxm_csat_final(PG_FUNCTION_ARGS) {
  STATE_OR_NULL();
  return score_result(fcinfo, acc, SCORE_CSAT);
}

PG_FUNCTION_INFO_V1(pgcxm_ces_final);
Datum pgcxm_ces_final(PG_FUNCTION_ARGS) {
  STATE_OR_NULL();
  return score_result(fcinfo, acc, SCORE_CES);
}

PG_FUNCTION_INFO_V1(pgcxm_nps_stats_final);
Datum pgcxm_nps_stats_final(PG_FUNCTION_ARGS) {
  STATE_OR_NULL();
  return nps_tuple(fcinfo, acc);
}

PG_FUNCTION_INFO_V1(pgcxm_csat_stats_final);
Datum pgcxm_csat_stats_final(PG_FUNCTION_ARGS) {
  STATE_OR_NULL();
  return csat_tuple(fcinfo, acc);
}

PG_FUNCTION_INFO_V1(pgcxm_ces_stats_final);
Datum pgcxm_ces_stats_final(PG_FUNCTION_ARGS) {
  STATE_OR_NULL();
  return ces_tuple(fcinfo, acc);
}

PG_FUNCTION_INFO_V1(pgcxm_nps_json_final);
Datum pgcxm_nps_json_final(PG_FUNCTION_ARGS) {
  STATE_OR_NULL();
  return json_result(fcinfo, acc, nps_json);
}

PG_FUNCTION_INFO_V1(pgcxm_csat_json_final);
Datum pgcxm_csat_json_final(PG_FUNCTION_ARGS) {
  STATE_OR_NULL();
  return json_result(fcinfo, acc, csat_json);
}

PG_FUNCTION_INFO_V1(pgcxm_ces_json_final);
Datum pgcxm_ces_json_final(PG_FUNCTION_ARGS) {
  STATE_OR_NULL();
  return json_result(fcinfo, acc, ces_json);
}

/* ---- the cxm_survey_state type ---------------------------------------- */

/* Text form: bytea's hex form of the format bytes ('\x43584d5301...'). */
PG_FUNCTION_INFO_V1(pgcxm_survey_state_in);
Datum pgcxm_survey_state_in(PG_FUNCTION_ARGS) {
  bytea *raw = DatumGetByteaPP(DirectFunctionCall1(byteain, PG_GETARG_DATUM(0)));
  cxm_survey_acc *acc = (cxm_survey_acc *)palloc(sizeof *acc);
  survey_read(acc, (const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), "cxm_survey_state input");
  PG_RETURN_POINTER(acc);
}

PG_FUNCTION_INFO_V1(pgcxm_survey_state_out);
Datum pgcxm_survey_state_out(PG_FUNCTION_ARGS) {
  return DirectFunctionCall1(byteaout, PointerGetDatum(survey_write((const cxm_survey_acc *)PG_GETARG_POINTER(0))));
}

/* Binary form: the format bytes themselves. */
PG_FUNCTION_INFO_V1(pgcxm_survey_state_recv);
Datum pgcxm_survey_state_recv(PG_FUNCTION_ARGS) {
  StringInfo buf = (StringInfo)PG_GETARG_POINTER(0);
  int len = buf->len - buf->cursor;
  const char *bytes = pq_getmsgbytes(buf, len);
  cxm_survey_acc *acc = (cxm_survey_acc *)palloc(sizeof *acc);
  survey_read(acc, (const uint8_t *)bytes, (size_t)len, "cxm_survey_state receive");
  PG_RETURN_POINTER(acc);
}

PG_FUNCTION_INFO_V1(pgcxm_survey_state_send);
Datum pgcxm_survey_state_send(PG_FUNCTION_ARGS) {
  bytea *b = survey_write((const cxm_survey_acc *)PG_GETARG_POINTER(0));
  StringInfoData buf;
  pq_begintypsend(&buf);
  pq_sendbytes(&buf, VARDATA(b), (int)VARSIZE(b) - VARHDRSZ);
  PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(pgcxm_survey_state_to_bytea);
Datum pgcxm_survey_state_to_bytea(PG_FUNCTION_ARGS) {
  PG_RETURN_BYTEA_P(survey_write((const cxm_survey_acc *)PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(pgcxm_survey_state_from_bytea);
Datum pgcxm_survey_state_from_bytea(PG_FUNCTION_ARGS) {
  bytea *raw = PG_GETARG_BYTEA_PP(0);
  cxm_survey_acc *acc = (cxm_survey_acc *)palloc(sizeof *acc);
  survey_read(acc, (const uint8_t *)VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw), "cxm_survey_state from bytea");
  PG_RETURN_POINTER(acc);
}

/* ---- more accessors of a stored state --------------------------------- */

/* The whole state as `{"nps": ..., "csat": ..., "ces": ...}`, the survey
 * part of a `cxm report --json` SLICE. */
PG_FUNCTION_INFO_V1(pgcxm_state_json);
Datum pgcxm_state_json(PG_FUNCTION_ARGS) {
  const cxm_survey_acc *acc = (const cxm_survey_acc *)PG_GETARG_POINTER(0);
  StringInfoData b;
  initStringInfo(&b);
  appendStringInfoString(&b, "{\"nps\": ");
  nps_json(&b, acc);
  appendStringInfoString(&b, ", \"csat\": ");
  csat_json(&b, acc);
  appendStringInfoString(&b, ", \"ces\": ");
  ces_json(&b, acc);
  appendStringInfoChar(&b, '}');
  PG_RETURN_DATUM(pgcxm_jsonb_from_text(b.data));
}

/* The counts per answer of one kind, as bigint[] (NPS 0..10, CSAT 1..5,
 * CES 1..7). */
PG_FUNCTION_INFO_V1(pgcxm_state_counts);
Datum pgcxm_state_counts(PG_FUNCTION_ARGS) {
  static const char fn[] = "cxm_survey_counts";
  const cxm_survey_acc *acc = (const cxm_survey_acc *)PG_GETARG_POINTER(0);
  char *kind = text_to_cstring(PG_GETARG_TEXT_PP(1));
  const uint64_t *c;
  int n;
  if (strcmp(kind, "nps") == 0) {
    c = acc->nps.count;
    n = 11;
  } else if (strcmp(kind, "csat") == 0) {
    c = acc->csat.count;
    n = 5;
  } else if (strcmp(kind, "ces") == 0) {
    c = acc->ces.count;
    n = 7;
  } else {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s: unknown survey kind \"%s\" (nps, csat or ces)", fn, kind)));
  }
  Datum d[11];
  for (int i = 0; i < n; i++) {
    if (c[i] > (uint64_t)PG_INT64_MAX) {
      ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("%s: a count passes bigint", fn)));
    }
    d[i] = Int64GetDatum((int64)c[i]);
  }
  PG_RETURN_ARRAYTYPE_P(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* cxm_survey_add(a, b): two states merged (the `+` of rollups). */
PG_FUNCTION_INFO_V1(pgcxm_state_add);
Datum pgcxm_state_add(PG_FUNCTION_ARGS) {
  cxm_survey_acc *a = (cxm_survey_acc *)palloc(sizeof *a);
  memcpy(a, PG_GETARG_POINTER(0), sizeof *a);
  pgcxm_check(cxm_survey_acc_merge(a, (const cxm_survey_acc *)PG_GETARG_POINTER(1)), "cxm_survey_add",
              "merging states");
  PG_RETURN_POINTER(a);
}

/* ---- two periods compared -------------------------------------------- */

static Datum comparison_tuple(FunctionCallInfo fcinfo, const cxm_comparison *c) {
  if (isnan(c->diff)) {
    PG_RETURN_NULL();
  }
  TupleDesc desc = result_desc(fcinfo);
  Datum v[6];
  bool nul[6] = {false};
  pgcxm_set_double(&v[0], &nul[0], c->first);
  pgcxm_set_double(&v[1], &nul[1], c->second);
  pgcxm_set_double(&v[2], &nul[2], c->diff);
  pgcxm_set_double(&v[3], &nul[3], c->se);
  pgcxm_set_double(&v[4], &nul[4], c->z);
  pgcxm_set_double(&v[5], &nul[5], c->p);
  PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nul)));
}

PG_FUNCTION_INFO_V1(pgcxm_nps_compare);
Datum pgcxm_nps_compare(PG_FUNCTION_ARGS) {
  const cxm_survey_acc *a = (const cxm_survey_acc *)PG_GETARG_POINTER(0);
  const cxm_survey_acc *b = (const cxm_survey_acc *)PG_GETARG_POINTER(1);
  cxm_comparison c;
  pgcxm_check(cxm_nps_compare(&c, &a->nps, &b->nps), "cxm_nps_compare", "comparing");
  return comparison_tuple(fcinfo, &c);
}

PG_FUNCTION_INFO_V1(pgcxm_csat_compare);
Datum pgcxm_csat_compare(PG_FUNCTION_ARGS) {
  const cxm_survey_acc *a = (const cxm_survey_acc *)PG_GETARG_POINTER(0);
  const cxm_survey_acc *b = (const cxm_survey_acc *)PG_GETARG_POINTER(1);
  cxm_comparison c;
  pgcxm_check(cxm_csat_compare(&c, &a->csat, &b->csat), "cxm_csat_compare", "comparing");
  return comparison_tuple(fcinfo, &c);
}

/* cxm--0.1.sql declares cxm_survey_state with INTERNALLENGTH = 184. */
StaticAssertDecl(sizeof(cxm_survey_acc) == 184, "cxm_survey_state's INTERNALLENGTH in cxm--0.1.sql");
