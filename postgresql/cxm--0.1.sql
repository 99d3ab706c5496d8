-- cxm 0.1: customer-experience metrics as PostgreSQL aggregates
-- (docs/postgresql.md). Every aggregate is PARALLEL SAFE with a combine
-- function; `internal` states travel between processes and nodes in the
-- byte formats of docs/formats.md.

\echo Use "CREATE EXTENSION cxm" to load this file. \quit

-- ---- result types -----------------------------------------------------

CREATE TYPE cxm_nps_result AS (
  n bigint, promoters bigint, passives bigint, detractors bigint,
  score float8, se float8, ci95_low float8, ci95_high float8,
  adjusted_low float8, adjusted_high float8);

CREATE TYPE cxm_csat_result AS (
  n bigint, satisfied bigint, score float8, mean float8,
  ci95_low float8, ci95_high float8);

CREATE TYPE cxm_ces_result AS (
  n bigint, mean float8, sd float8, ci95_low float8, ci95_high float8,
  easy_pct float8, high_effort_pct float8, net float8);

CREATE TYPE cxm_comparison AS (
  first float8, second float8, diff float8, se float8, z float8, p float8);

-- ---- survey aggregates over an internal cxm_survey_acc ------------------

CREATE FUNCTION cxm_nps_trans(internal, int) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_nps_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_csat_trans(internal, int) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_csat_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_ces_trans(internal, int) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_ces_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_survey_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_survey_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_survey_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'pgcxm_survey_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_survey_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_survey_deserial' LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION cxm_nps_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'pgcxm_nps_final' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_csat_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'pgcxm_csat_final' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_ces_final(internal) RETURNS float8
  AS 'MODULE_PATHNAME', 'pgcxm_ces_final' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_nps_stats_final(internal) RETURNS cxm_nps_result
  AS 'MODULE_PATHNAME', 'pgcxm_nps_stats_final' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_csat_stats_final(internal) RETURNS cxm_csat_result
  AS 'MODULE_PATHNAME', 'pgcxm_csat_stats_final' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_ces_stats_final(internal) RETURNS cxm_ces_result
  AS 'MODULE_PATHNAME', 'pgcxm_ces_stats_final' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_nps_json_final(internal) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgcxm_nps_json_final' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_csat_json_final(internal) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgcxm_csat_json_final' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_ces_json_final(internal) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgcxm_ces_json_final' LANGUAGE C PARALLEL SAFE;

-- cxm_nps(score int): the NPS of the answers 0..10, NULL without answers.
CREATE AGGREGATE cxm_nps(int) (
  SFUNC = cxm_nps_trans, STYPE = internal, SSPACE = 200,
  FINALFUNC = cxm_nps_final, COMBINEFUNC = cxm_survey_combine,
  SERIALFUNC = cxm_survey_serial, DESERIALFUNC = cxm_survey_deserial,
  PARALLEL = SAFE);
-- cxm_csat(answer int): top-two-box percent of the answers 1..5.
CREATE AGGREGATE cxm_csat(int) (
  SFUNC = cxm_csat_trans, STYPE = internal, SSPACE = 200,
  FINALFUNC = cxm_csat_final, COMBINEFUNC = cxm_survey_combine,
  SERIALFUNC = cxm_survey_serial, DESERIALFUNC = cxm_survey_deserial,
  PARALLEL = SAFE);
-- cxm_ces(answer int): mean effort score of the answers 1..7.
CREATE AGGREGATE cxm_ces(int) (
  SFUNC = cxm_ces_trans, STYPE = internal, SSPACE = 200,
  FINALFUNC = cxm_ces_final, COMBINEFUNC = cxm_survey_combine,
  SERIALFUNC = cxm_survey_serial, DESERIALFUNC = cxm_survey_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE cxm_nps_stats(int) (
  SFUNC = cxm_nps_trans, STYPE = internal, SSPACE = 200,
  FINALFUNC = cxm_nps_stats_final, COMBINEFUNC = cxm_survey_combine,
  SERIALFUNC = cxm_survey_serial, DESERIALFUNC = cxm_survey_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE cxm_csat_stats(int) (
  SFUNC = cxm_csat_trans, STYPE = internal, SSPACE = 200,
  FINALFUNC = cxm_csat_stats_final, COMBINEFUNC = cxm_survey_combine,
  SERIALFUNC = cxm_survey_serial, DESERIALFUNC = cxm_survey_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE cxm_ces_stats(int) (
  SFUNC = cxm_ces_trans, STYPE = internal, SSPACE = 200,
  FINALFUNC = cxm_ces_stats_final, COMBINEFUNC = cxm_survey_combine,
  SERIALFUNC = cxm_survey_serial, DESERIALFUNC = cxm_survey_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE cxm_nps_json(int) (
  SFUNC = cxm_nps_trans, STYPE = internal, SSPACE = 200,
  FINALFUNC = cxm_nps_json_final, COMBINEFUNC = cxm_survey_combine,
  SERIALFUNC = cxm_survey_serial, DESERIALFUNC = cxm_survey_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE cxm_csat_json(int) (
  SFUNC = cxm_csat_trans, STYPE = internal, SSPACE = 200,
  FINALFUNC = cxm_csat_json_final, COMBINEFUNC = cxm_survey_combine,
  SERIALFUNC = cxm_survey_serial, DESERIALFUNC = cxm_survey_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE cxm_ces_json(int) (
  SFUNC = cxm_ces_trans, STYPE = internal, SSPACE = 200,
  FINALFUNC = cxm_ces_json_final, COMBINEFUNC = cxm_survey_combine,
  SERIALFUNC = cxm_survey_serial, DESERIALFUNC = cxm_survey_deserial,
  PARALLEL = SAFE);

-- ---- cxm_survey_state: a survey accumulator stored in a table ------------
-- Its bytes are the survey-accumulator format of docs/formats.md; its text
-- form is bytea's hex form of those bytes. Input, receive and the cast from
-- bytea check them, so a stored state is always readable.

CREATE TYPE cxm_survey_state;
CREATE FUNCTION cxm_survey_state_in(cstring) RETURNS cxm_survey_state
  AS 'MODULE_PATHNAME', 'pgcxm_survey_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_survey_state_out(cxm_survey_state) RETURNS cstring
  AS 'MODULE_PATHNAME', 'pgcxm_survey_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_survey_state_recv(internal) RETURNS cxm_survey_state
  AS 'MODULE_PATHNAME', 'pgcxm_survey_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_survey_state_send(cxm_survey_state) RETURNS bytea
  AS 'MODULE_PATHNAME', 'pgcxm_survey_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE cxm_survey_state (
  INPUT = cxm_survey_state_in, OUTPUT = cxm_survey_state_out,
  RECEIVE = cxm_survey_state_recv, SEND = cxm_survey_state_send,
  INTERNALLENGTH = VARIABLE, STORAGE = main);

CREATE FUNCTION cxm_survey_state_from_bytea(bytea) RETURNS cxm_survey_state
  AS 'MODULE_PATHNAME', 'pgcxm_survey_state_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (cxm_survey_state AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS cxm_survey_state) WITH FUNCTION cxm_survey_state_from_bytea(bytea);

CREATE FUNCTION cxm_survey_trans(internal, text, int) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_survey_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_survey_merge_trans(internal, cxm_survey_state) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_survey_merge_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_survey_state_final(internal) RETURNS cxm_survey_state
  AS 'MODULE_PATHNAME', 'pgcxm_survey_state_final' LANGUAGE C PARALLEL SAFE;

-- cxm_survey_state(kind, value): the answers of kinds nps, csat and ces;
-- rows of the other event kinds are skipped, an unknown kind is an error.
CREATE AGGREGATE cxm_survey_state(text, int) (
  SFUNC = cxm_survey_trans, STYPE = internal, SSPACE = 200,
  FINALFUNC = cxm_survey_state_final, COMBINEFUNC = cxm_survey_combine,
  SERIALFUNC = cxm_survey_serial, DESERIALFUNC = cxm_survey_deserial,
  PARALLEL = SAFE);
-- cxm_survey_merge(state): the merge of stored states (rollups).
CREATE AGGREGATE cxm_survey_merge(cxm_survey_state) (
  SFUNC = cxm_survey_merge_trans, STYPE = internal, SSPACE = 200,
  FINALFUNC = cxm_survey_state_final, COMBINEFUNC = cxm_survey_combine,
  SERIALFUNC = cxm_survey_serial, DESERIALFUNC = cxm_survey_deserial,
  PARALLEL = SAFE);

CREATE FUNCTION cxm_nps(cxm_survey_state) RETURNS float8
  AS 'MODULE_PATHNAME', 'pgcxm_state_nps' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_csat(cxm_survey_state) RETURNS float8
  AS 'MODULE_PATHNAME', 'pgcxm_state_csat' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_ces(cxm_survey_state) RETURNS float8
  AS 'MODULE_PATHNAME', 'pgcxm_state_ces' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_nps_stats(cxm_survey_state) RETURNS cxm_nps_result
  AS 'MODULE_PATHNAME', 'pgcxm_state_nps_stats' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_csat_stats(cxm_survey_state) RETURNS cxm_csat_result
  AS 'MODULE_PATHNAME', 'pgcxm_state_csat_stats' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_ces_stats(cxm_survey_state) RETURNS cxm_ces_result
  AS 'MODULE_PATHNAME', 'pgcxm_state_ces_stats' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_survey_json(cxm_survey_state) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgcxm_state_json' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_survey_counts(cxm_survey_state, kind text) RETURNS bigint[]
  AS 'MODULE_PATHNAME', 'pgcxm_state_counts' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_survey_add(cxm_survey_state, cxm_survey_state) RETURNS cxm_survey_state
  AS 'MODULE_PATHNAME', 'pgcxm_state_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Two independent periods compared, second - first (docs/metrics.md).
CREATE FUNCTION cxm_nps_compare(first cxm_survey_state, second cxm_survey_state) RETURNS cxm_comparison
  AS 'MODULE_PATHNAME', 'pgcxm_nps_compare' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_csat_compare(first cxm_survey_state, second cxm_survey_state) RETURNS cxm_comparison
  AS 'MODULE_PATHNAME', 'pgcxm_csat_compare' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
