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

-- ---- the perception gap (docs/experience.md) ------------------------------

CREATE TYPE cxm_gap_result AS (
  pairs bigint, mean float8, se float8, ci95_low float8, ci95_high float8,
  service float8, experience float8, delivery_gap float8, blind_spot_pct float8,
  delivery_z float8, blind_spots bigint, reverse_spots bigint);

CREATE FUNCTION cxm_gap_trans(internal, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_gap_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_gap_trans(internal, float8, float8, float8) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_gap_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_gap_combine(internal, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_gap_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cxm_gap_serial(internal) RETURNS bytea
  AS 'MODULE_PATHNAME', 'pgcxm_gap_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_gap_deserial(bytea, internal) RETURNS internal
  AS 'MODULE_PATHNAME', 'pgcxm_gap_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cxm_gap_final(internal) RETURNS cxm_gap_result
  AS 'MODULE_PATHNAME', 'pgcxm_gap_final' LANGUAGE C PARALLEL SAFE;

-- cxm_gap(service, experience [, top_box]): one row per interaction rated
-- by both sides, both scores on 0..100 (top box: above 80 by default).
CREATE AGGREGATE cxm_gap(service float8, experience float8) (
  SFUNC = cxm_gap_trans, STYPE = internal, SSPACE = 80,
  FINALFUNC = cxm_gap_final, COMBINEFUNC = cxm_gap_combine,
  SERIALFUNC = cxm_gap_serial, DESERIALFUNC = cxm_gap_deserial,
  PARALLEL = SAFE);
CREATE AGGREGATE cxm_gap(service float8, experience float8, top_box float8) (
  SFUNC = cxm_gap_trans, STYPE = internal, SSPACE = 80,
  FINALFUNC = cxm_gap_final, COMBINEFUNC = cxm_gap_combine,
  SERIALFUNC = cxm_gap_serial, DESERIALFUNC = cxm_gap_deserial,
  PARALLEL = SAFE);

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
