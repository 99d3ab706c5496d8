-- cxm 0.1: customer-experience metrics as PostgreSQL aggregates
-- (docs/postgresql.md). Every aggregate is PARALLEL SAFE with a combine
-- function. The survey and gap aggregates keep their accumulator in a real
-- type (cxm_survey_state, cxm_gap_state) whose text and binary forms are the
-- byte formats of docs/formats.md, so Citus can run them as
-- worker_partial_agg / coord_combine_agg; the list-shaped states of cxm_rfm
-- and cxm_fit are `internal`, with SERIALFUNC/DESERIALFUNC for parallel query.

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

-- ---- cxm_survey_state: the survey accumulator ---------------------------
-- The transition state of every survey aggregate and the value of rollup
-- tables: the 23 counts of a cxm_survey_acc. Its text form is bytea's hex
-- form of the survey-accumulator bytes of docs/formats.md, its binary form
-- those bytes; input, receive and the cast from bytea check them. The text
-- form is what Citus ships between nodes (it cannot ship `internal`).

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
  INTERNALLENGTH = 184, ALIGNMENT = double, STORAGE = plain);

CREATE FUNCTION cxm_survey_state_to_bytea(cxm_survey_state) RETURNS bytea
  AS 'MODULE_PATHNAME', 'pgcxm_survey_state_to_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_survey_state_from_bytea(bytea) RETURNS cxm_survey_state
  AS 'MODULE_PATHNAME', 'pgcxm_survey_state_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (cxm_survey_state AS bytea) WITH FUNCTION cxm_survey_state_to_bytea(cxm_survey_state);
CREATE CAST (bytea AS cxm_survey_state) WITH FUNCTION cxm_survey_state_from_bytea(bytea);

-- ---- survey aggregates -----------------------------------------------------
-- Every state starts empty (INITCOND) and the transition functions are
-- STRICT, so NULL answers are skipped without a call; the final functions
-- return NULL for a state without answers of their kind.

CREATE FUNCTION cxm_nps_trans(cxm_survey_state, int) RETURNS cxm_survey_state
  AS 'MODULE_PATHNAME', 'pgcxm_nps_trans' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_csat_trans(cxm_survey_state, int) RETURNS cxm_survey_state
  AS 'MODULE_PATHNAME', 'pgcxm_csat_trans' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_ces_trans(cxm_survey_state, int) RETURNS cxm_survey_state
  AS 'MODULE_PATHNAME', 'pgcxm_ces_trans' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_survey_trans(cxm_survey_state, text, int) RETURNS cxm_survey_state
  AS 'MODULE_PATHNAME', 'pgcxm_survey_trans' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_survey_combine(cxm_survey_state, cxm_survey_state) RETURNS cxm_survey_state
  AS 'MODULE_PATHNAME', 'pgcxm_survey_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The scores and results of a state: the final functions of the aggregates
-- below and the accessors of stored states.
CREATE FUNCTION cxm_nps(cxm_survey_state) RETURNS float8
  AS 'MODULE_PATHNAME', 'pgcxm_nps_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cxm_csat(cxm_survey_state) RETURNS float8
  AS 'MODULE_PATHNAME', 'pgcxm_csat_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cxm_ces(cxm_survey_state) RETURNS float8
  AS 'MODULE_PATHNAME', 'pgcxm_ces_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cxm_nps_stats(cxm_survey_state) RETURNS cxm_nps_result
  AS 'MODULE_PATHNAME', 'pgcxm_nps_stats_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cxm_csat_stats(cxm_survey_state) RETURNS cxm_csat_result
  AS 'MODULE_PATHNAME', 'pgcxm_csat_stats_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cxm_ces_stats(cxm_survey_state) RETURNS cxm_ces_result
  AS 'MODULE_PATHNAME', 'pgcxm_ces_stats_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cxm_nps_json(cxm_survey_state) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgcxm_nps_json_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cxm_csat_json(cxm_survey_state) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgcxm_csat_json_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cxm_ces_json(cxm_survey_state) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'pgcxm_ces_json_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- cxm_nps(score int): the NPS of the answers 0..10; NULL without answers.
CREATE AGGREGATE cxm_nps(int) (
  SFUNC = cxm_nps_trans, STYPE = cxm_survey_state, INITCOND = '\x43584d5301170000000000000000000000000000000000000000000000',
  FINALFUNC = cxm_nps,
  COMBINEFUNC = cxm_survey_combine, PARALLEL = SAFE);
-- cxm_csat(answer int): top-two-box percent of the answers 1..5.
CREATE AGGREGATE cxm_csat(int) (
  SFUNC = cxm_csat_trans, STYPE = cxm_survey_state, INITCOND = '\x43584d5301170000000000000000000000000000000000000000000000',
  FINALFUNC = cxm_csat,
  COMBINEFUNC = cxm_survey_combine, PARALLEL = SAFE);
-- cxm_ces(answer int): mean effort score of the answers 1..7.
CREATE AGGREGATE cxm_ces(int) (
  SFUNC = cxm_ces_trans, STYPE = cxm_survey_state, INITCOND = '\x43584d5301170000000000000000000000000000000000000000000000',
  FINALFUNC = cxm_ces,
  COMBINEFUNC = cxm_survey_combine, PARALLEL = SAFE);
CREATE AGGREGATE cxm_nps_stats(int) (
  SFUNC = cxm_nps_trans, STYPE = cxm_survey_state, INITCOND = '\x43584d5301170000000000000000000000000000000000000000000000',
  FINALFUNC = cxm_nps_stats,
  COMBINEFUNC = cxm_survey_combine, PARALLEL = SAFE);
CREATE AGGREGATE cxm_csat_stats(int) (
  SFUNC = cxm_csat_trans, STYPE = cxm_survey_state, INITCOND = '\x43584d5301170000000000000000000000000000000000000000000000',
  FINALFUNC = cxm_csat_stats,
  COMBINEFUNC = cxm_survey_combine, PARALLEL = SAFE);
CREATE AGGREGATE cxm_ces_stats(int) (
  SFUNC = cxm_ces_trans, STYPE = cxm_survey_state, INITCOND = '\x43584d5301170000000000000000000000000000000000000000000000',
  FINALFUNC = cxm_ces_stats,
  COMBINEFUNC = cxm_survey_combine, PARALLEL = SAFE);
CREATE AGGREGATE cxm_nps_json(int) (
  SFUNC = cxm_nps_trans, STYPE = cxm_survey_state, INITCOND = '\x43584d5301170000000000000000000000000000000000000000000000',
  FINALFUNC = cxm_nps_json,
  COMBINEFUNC = cxm_survey_combine, PARALLEL = SAFE);
CREATE AGGREGATE cxm_csat_json(int) (
  SFUNC = cxm_csat_trans, STYPE = cxm_survey_state, INITCOND = '\x43584d5301170000000000000000000000000000000000000000000000',
  FINALFUNC = cxm_csat_json,
  COMBINEFUNC = cxm_survey_combine, PARALLEL = SAFE);
CREATE AGGREGATE cxm_ces_json(int) (
  SFUNC = cxm_ces_trans, STYPE = cxm_survey_state, INITCOND = '\x43584d5301170000000000000000000000000000000000000000000000',
  FINALFUNC = cxm_ces_json,
  COMBINEFUNC = cxm_survey_combine, PARALLEL = SAFE);

-- cxm_survey_state(kind, value): the answers of kinds nps, csat and ces;
-- rows of the other event kinds are skipped, an unknown kind is an error.
-- Without any answer (or any row) it is the empty state, never NULL.
CREATE AGGREGATE cxm_survey_state(text, int) (
  SFUNC = cxm_survey_trans, STYPE = cxm_survey_state,
  INITCOND = '\x43584d5301170000000000000000000000000000000000000000000000',
  COMBINEFUNC = cxm_survey_combine, PARALLEL = SAFE);
-- cxm_survey_merge(state): the merge of stored states (rollups).
CREATE AGGREGATE cxm_survey_merge(cxm_survey_state) (
  SFUNC = cxm_survey_combine, STYPE = cxm_survey_state,
  COMBINEFUNC = cxm_survey_combine, PARALLEL = SAFE);

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

-- ---- the perception gap (docs/experience.md) ------------------------------

CREATE TYPE cxm_gap_result AS (
  pairs bigint, mean float8, se float8, ci95_low float8, ci95_high float8,
  service float8, experience float8, delivery_gap float8, blind_spot_pct float8,
  delivery_z float8, blind_spots bigint, reverse_spots bigint);

-- cxm_gap_state: a cxm_gap_acc and its top-box threshold; text and binary
-- forms are the gap-accumulator bytes of docs/formats.md then the threshold
-- as 8 little-endian bytes of its binary64 (69 bytes).
CREATE TYPE cxm_gap_state;
CREATE FUNCTION cxm_gap_state_in(cstring) RETURNS cxm_gap_state
  AS 'MODULE_PATHNAME', 'pgcxm_gap_state_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_gap_state_out(cxm_gap_state) RETURNS cstring
  AS 'MODULE_PATHNAME', 'pgcxm_gap_state_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_gap_state_recv(internal) RETURNS cxm_gap_state
  AS 'MODULE_PATHNAME', 'pgcxm_gap_state_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_gap_state_send(cxm_gap_state) RETURNS bytea
  AS 'MODULE_PATHNAME', 'pgcxm_gap_state_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE cxm_gap_state (
  INPUT = cxm_gap_state_in, OUTPUT = cxm_gap_state_out,
  RECEIVE = cxm_gap_state_recv, SEND = cxm_gap_state_send,
  INTERNALLENGTH = 64, ALIGNMENT = double, STORAGE = plain);

CREATE FUNCTION cxm_gap_trans(cxm_gap_state, float8, float8) RETURNS cxm_gap_state
  AS 'MODULE_PATHNAME', 'pgcxm_gap_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_gap_trans(cxm_gap_state, float8, float8, float8) RETURNS cxm_gap_state
  AS 'MODULE_PATHNAME', 'pgcxm_gap_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_gap_combine(cxm_gap_state, cxm_gap_state) RETURNS cxm_gap_state
  AS 'MODULE_PATHNAME', 'pgcxm_gap_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- The perception gap of a stored state (and the aggregates' final function).
CREATE FUNCTION cxm_gap(cxm_gap_state) RETURNS cxm_gap_result
  AS 'MODULE_PATHNAME', 'pgcxm_gap_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- cxm_gap(service, experience [, top_box]): one row per interaction rated
-- by both sides, both scores on 0..100 (top box: above 80 by default).
CREATE AGGREGATE cxm_gap(service float8, experience float8) (
  SFUNC = cxm_gap_trans, STYPE = cxm_gap_state, FINALFUNC = cxm_gap,
  COMBINEFUNC = cxm_gap_combine, PARALLEL = SAFE);
CREATE AGGREGATE cxm_gap(service float8, experience float8, top_box float8) (
  SFUNC = cxm_gap_trans, STYPE = cxm_gap_state, FINALFUNC = cxm_gap,
  COMBINEFUNC = cxm_gap_combine, PARALLEL = SAFE);
-- The state itself, for rollups, and their merge.
CREATE AGGREGATE cxm_gap_state(service float8, experience float8) (
  SFUNC = cxm_gap_trans, STYPE = cxm_gap_state,
  COMBINEFUNC = cxm_gap_combine, PARALLEL = SAFE);
CREATE AGGREGATE cxm_gap_state(service float8, experience float8, top_box float8) (
  SFUNC = cxm_gap_trans, STYPE = cxm_gap_state,
  COMBINEFUNC = cxm_gap_combine, PARALLEL = SAFE);
CREATE AGGREGATE cxm_gap_merge(cxm_gap_state) (
  SFUNC = cxm_gap_combine, STYPE = cxm_gap_state,
  COMBINEFUNC = cxm_gap_combine, PARALLEL = SAFE);

-- cxm_experience_score(kind, value): a customer rating on the 0..100 scale
-- of the gap (NPS 10 v, CSAT 25 (v - 1), CES 100 (v - 1) / 6; internal as is).
CREATE FUNCTION cxm_experience_score(kind text, value float8) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE kind WHEN 'nps' THEN 10 * value WHEN 'csat' THEN 25 * (value - 1)
                   WHEN 'ces' THEN 100 * (value - 1) / 6 WHEN 'internal' THEN value END;

-- ---- service levels in business time -------------------------------------

-- Business seconds from a contact's open to its first reply, Monday-Friday
-- opens..closes at utc_offset, minus holidays; NULL without a reply.
CREATE FUNCTION cxm_first_response(open timestamptz, reply timestamptz,
    opens time DEFAULT '09:00', closes time DEFAULT '17:00',
    utc_offset interval DEFAULT '00:00', holidays date[] DEFAULT '{}')
  RETURNS bigint
  AS 'MODULE_PATHNAME', 'pgcxm_first_response' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- ---- purchase summaries and models (docs/purchase.md) ---------------------

CREATE TYPE cxm_rfm_result AS (x int, t_x float8, "T" float8, monetary float8);

CREATE FUNCTION cxm_rfm_trans(internal, timestamptz, float8, timestamptz) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_rfm_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_rfm_trans(internal, timestamptz, float8, timestamptz, interval) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_rfm_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_rfm_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_rfm_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_rfm_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'pgcxm_rfm_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_rfm_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_rfm_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_rfm_final(internal) RETURNS cxm_rfm_result
  AS 'MODULE_PATHNAME', 'pgcxm_rfm_final' LANGUAGE C PARALLEL SAFE;

-- cxm_rfm(purchased_at, amount, observation_end [, unit]): one customer's purchases
-- (GROUP BY customer) summarised as cxm_store_rfm() does; observation_end is
-- an exclusive UTC midnight, unit the time unit of t_x and T (7 days).
CREATE AGGREGATE cxm_rfm(purchased_at timestamptz, amount float8, observation_end timestamptz) (
  SFUNC = cxm_rfm_trans, STYPE = internal,
  FINALFUNC = cxm_rfm_final, COMBINEFUNC = cxm_rfm_combine,
  SERIALFUNC = cxm_rfm_serial, DESERIALFUNC = cxm_rfm_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE cxm_rfm(purchased_at timestamptz, amount float8, observation_end timestamptz, unit interval) (
  SFUNC = cxm_rfm_trans, STYPE = internal,
  FINALFUNC = cxm_rfm_final, COMBINEFUNC = cxm_rfm_combine,
  SERIALFUNC = cxm_rfm_serial, DESERIALFUNC = cxm_rfm_deserial,
  PARALLEL = SAFE);

CREATE TYPE cxm_fit_result AS (
  model text, param_names text[], params float8[], se float8[], loglik float8,
  converged boolean, iterations int, customers bigint, distinct_triples bigint);

CREATE FUNCTION cxm_fit_trans(internal, text, int, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_fit_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_fit_trans(internal, text, int, float8, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_fit_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_fit_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_fit_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_fit_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'pgcxm_fit_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_fit_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_fit_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_fit_final(internal) RETURNS cxm_fit_result
  AS 'MODULE_PATHNAME', 'pgcxm_fit_final' LANGUAGE C PARALLEL SAFE;

-- cxm_fit(model, x, t_x, T [, monetary]): a model ('bgnbd', 'mbgnbd',
-- 'pnbd'; 'gg' with monetary) fitted by maximum likelihood to a summary table.
CREATE AGGREGATE cxm_fit(model text, x int, t_x float8, "T" float8) (
  SFUNC = cxm_fit_trans, STYPE = internal,
  FINALFUNC = cxm_fit_final, COMBINEFUNC = cxm_fit_combine,
  SERIALFUNC = cxm_fit_serial, DESERIALFUNC = cxm_fit_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE cxm_fit(model text, x int, t_x float8, "T" float8, monetary float8) (
  SFUNC = cxm_fit_trans, STYPE = internal,
  FINALFUNC = cxm_fit_final, COMBINEFUNC = cxm_fit_combine,
  SERIALFUNC = cxm_fit_serial, DESERIALFUNC = cxm_fit_deserial,
  PARALLEL = SAFE);

-- P(alive) and expected purchases in (T, T + t] of a fitted model.
CREATE FUNCTION cxm_p_alive(model text, params float8[], x int, t_x float8, "T" float8) RETURNS float8
  AS 'MODULE_PATHNAME', 'pgcxm_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_expected(model text, params float8[], t float8, x int, t_x float8, "T" float8) RETURNS float8
  AS 'MODULE_PATHNAME', 'pgcxm_expected' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- checking state bytes -------------------------------------------------

-- The reader of a partial state ('survey', 'gap', 'rfm', 'fit') run on bytes:
-- their length when valid, an error otherwise.
CREATE FUNCTION cxm_state_check(kind text, bytes bytea) RETURNS int
  AS 'MODULE_PATHNAME', 'pgcxm_state_check' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
