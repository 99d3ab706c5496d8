/*
 * cxm_pg.c: the module magic and the helpers of cxm_pg.h.
 */
#include "cxm_pg.h"

#include "utils/fmgrprotos.h"

#include <cxm.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

PG_MODULE_MAGIC;

void pgcxm_check(int32_t status, const char *fn, const char *what) {
  if (status == CXM_OK) {
    return;
  }
  int code = ERRCODE_DATA_EXCEPTION;
  switch (status) {
  case CXM_E_NOMEM:
    code = ERRCODE_OUT_OF_MEMORY;
    break;
  case CXM_E_VALUE:
  case CXM_E_OVERFLOW:
    code = ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
    break;
  case CXM_E_FORMAT:
  case CXM_E_VERSION:
  case CXM_E_TRUNCATED:
    code = ERRCODE_INVALID_BINARY_REPRESENTATION;
    break;
  case CXM_E_OPTION:
  case CXM_E_MODEL:
  case CXM_E_KIND:
  case CXM_E_TIME:
    code = ERRCODE_INVALID_PARAMETER_VALUE;
    break;
  default:
    break;
  }
  ereport(ERROR, (errcode(code), errmsg("%s: %s: %s (%s)", fn, what, cxm_status_str(status), cxm_status_name(status))));
}

MemoryContext pgcxm_agg_context(FunctionCallInfo fcinfo, const char *fn) {
  MemoryContext ctx = NULL;
  if (!AggCheckCallContext(fcinfo, &ctx) || ctx == NULL) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("%s: called outside an aggregate", fn)));
  }
  return ctx;
}

void pgcxm_json_double(StringInfo buf, double v) {
  if (!isfinite(v)) {
    appendStringInfoString(buf, "null");
    return;
  }
  char tmp[40];
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, v);
    if (strtod(tmp, NULL) == v) {
      break;
    }
  }
  appendStringInfoString(buf, tmp);
}

Datum pgcxm_jsonb_from_text(const char *text) {
  return DirectFunctionCall1(jsonb_in, CStringGetDatum(text));
}

void pgcxm_set_double(Datum *value, bool *isnull, double v) {
  if (isfinite(v)) {
    *value = Float8GetDatum(v);
    *isnull = false;
  } else {
    *value = (Datum)0;
    *isnull = true;
  }
}

bytea *pgcxm_bytea(const uint8_t *bytes, size_t len) {
  bytea *out = (bytea *)palloc(VARHDRSZ + len);
  SET_VARSIZE(out, VARHDRSZ + len);
  if (len > 0) {
    memcpy(VARDATA(out), bytes, len);
  }
  return out;
}
