/*
 * cxm_pg.h: helpers shared by the files of the PostgreSQL extension
 * (docs/postgresql.md). Private to postgresql/.
 */
#ifndef CXM_PG_H
#define CXM_PG_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"

#include <cxm/experience.h>

#include <stddef.h>
#include <stdint.h>

/* The state of cxm_gap (experience_pg.c): the library's accumulator and the
 * top-box threshold its blind spots were counted with. */
typedef struct pgcxm_gap_state {
  cxm_gap_acc acc;
  double top_box;
} pgcxm_gap_state;

/* Reads the partial-state bytes of cxm_gap, or raises ERROR naming `fn`
 * (the DESERIALFUNC and cxm_state_check() use it). */
void pgcxm_gap_read(pgcxm_gap_state *s, const uint8_t *bytes, size_t len, const char *fn);

/* Raises ERROR for a library status other than CXM_OK, naming the SQL
 * function `fn` and the library's reason. */
void pgcxm_check(int32_t status, const char *fn, const char *what);

/* The aggregate's memory context; raises ERROR when called outside an
 * aggregate (these functions are only meant as aggregate support). */
MemoryContext pgcxm_agg_context(FunctionCallInfo fcinfo, const char *fn);

/* Appends a double as JSON: the shortest of %.15g, %.16g, %.17g that reads
 * back as the same double (as `cxm report --json` prints it), `null` for
 * NaN or an infinity. */
void pgcxm_json_double(StringInfo buf, double v);

/* A jsonb Datum from JSON text. */
Datum pgcxm_jsonb_from_text(const char *text);

/* A double as a Datum and its null flag: NaN and infinities are SQL NULL. */
void pgcxm_set_double(Datum *value, bool *isnull, double v);

/* A bytea of `len` bytes copied from `bytes`. */
bytea *pgcxm_bytea(const uint8_t *bytes, size_t len);

#endif
