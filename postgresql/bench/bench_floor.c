/*
 * bench_floor.c: the cheapest possible C-language transition function, for
 * postgresql/bench/bench_pg.py only (never installed by the build). The
 * benchmark declares `cxm_bench_count_c(int)`, a count whose transition is
 * this function, to measure what any user-defined aggregate with a C
 * transition function costs per row, independently of what the function
 * does: on Citus that is worker_partial_agg's own per-row work (it looks
 * up the aggregate and calls fmgr_info() on its transition function for
 * every row), the floor under cxm_nps(score) there.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(cxm_bench_count_trans);
Datum cxm_bench_count_trans(PG_FUNCTION_ARGS);
Datum cxm_bench_count_trans(PG_FUNCTION_ARGS) { PG_RETURN_INT64(PG_GETARG_INT64(0) + 1); }
