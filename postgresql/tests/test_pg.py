#!/usr/bin/env python3
"""Tests of the PostgreSQL extension cxm against real servers (Meson suite
`postgresql`, docs/postgresql.md).

  test_pg.py single   one throwaway cluster: the bundled sample and a
                      generated million-row table, every aggregate against
                      `cxm report --json`, serially and with parallel query
                      forced, rollups, round trips, bad input, a fuzz of the
                      state bytes through SQL
  test_pg.py citus    a coordinator and two workers on 127.0.0.1 (Citus
                      built from ../shared/vendor/citus or CXM_CITUS_DIR):
                      distributed aggregates equal the single-node ones and
                      `cxm report`, planned as worker_partial_agg /
                      coord_combine_agg

Environment (set by postgresql/meson.build): CXM_SOURCE_ROOT,
CXM_BUILD_ROOT, CXM_PG_MODULE (the built cxm.so), CXM_CLI (the cxm command),
PG_CONFIG. The extension is installed into the server's own directories
(PostgreSQL 15 has no extension search path), so the tests run as root, and
the servers as the unprivileged user `postgres` (or CXM_PG_USER).
"""

import json
import math
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgcluster  # noqa: E402

SRC = os.environ.get("CXM_SOURCE_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BUILD = os.environ.get("CXM_BUILD_ROOT", os.path.join(SRC, "build"))
MODULE = os.environ.get("CXM_PG_MODULE", os.path.join(BUILD, "postgresql", "cxm.so"))
CLI = os.environ.get("CXM_CLI", os.path.join(BUILD, "src", "cli", "cxm"))
SAMPLE = os.path.join(SRC, "examples", "data", "sample_events.csv")
SKIP = 77

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


def say(*a):
    print(*a, flush=True)


EVENTS_DDL = """
CREATE TABLE {name} (
  id text, time timestamptz NOT NULL, customer text NOT NULL, kind text NOT NULL,
  value float8, channel text, stage text, segment text, ref text, dimension text);
"""

# The slice keys of `cxm report --json` (docs/cli.md): `unknown` for an
# empty channel or segment, UTC months.
KEYS = {
    "channel": "coalesce(nullif(channel, ''), 'unknown')",
    "segment": "coalesce(nullif(segment, ''), 'unknown')",
    "month": "to_char(time AT TIME ZONE 'UTC', 'YYYY-MM')",
    "overall": "'all'",
}

# Every survey aggregate of the extension, for one group.
AGGS = """
  cxm_nps_json(value::int) FILTER (WHERE kind = 'nps') AS nps,
  cxm_csat_json(value::int) FILTER (WHERE kind = 'csat') AS csat,
  cxm_ces_json(value::int) FILTER (WHERE kind = 'ces') AS ces,
  cxm_nps(value::int) FILTER (WHERE kind = 'nps') AS nps_score,
  cxm_csat(value::int) FILTER (WHERE kind = 'csat') AS csat_score,
  cxm_ces(value::int) FILTER (WHERE kind = 'ces') AS ces_score,
  cxm_nps_stats(value::int) FILTER (WHERE kind = 'nps') AS nps_stats,
  cxm_csat_stats(value::int) FILTER (WHERE kind = 'csat') AS csat_stats,
  cxm_ces_stats(value::int) FILTER (WHERE kind = 'ces') AS ces_stats,
  cxm_survey_json(cxm_survey_state(kind, value::int) FILTER (WHERE kind IN ('nps', 'csat', 'ces'))) AS state
"""


def slices_sql(table, dim):
    return ("SELECT coalesce(json_object_agg(k, to_json(q) ORDER BY k), '{}') FROM "
            "(SELECT %s AS k, %s FROM %s GROUP BY 1) q" % (KEYS[dim], AGGS, table))


def fetch_slices(cluster, table, dim, prefix=""):
    out = cluster.psql(prefix + slices_sql(table, dim)).strip()
    return json.loads(out.splitlines()[-1])


def report(csv_path):
    r = subprocess.run([CLI, "report", "--json", "--by", "channel,month,segment", csv_path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("cxm report failed: %s" % r.stderr)
    return json.loads(r.stdout)


def compare_slice(where, sql, rep):
    """One group's aggregates against one SLICE of `cxm report --json`:
    equal doubles, not close ones."""
    for kind in ("nps", "csat", "ces"):
        check(sql[kind] == rep[kind], "%s %s json: %r != report %r" % (where, kind, sql[kind], rep[kind]))
        check(sql["state"][kind] == rep[kind], "%s state %s: %r != report %r" % (where, kind, sql["state"][kind], rep[kind]))
    n, c, e = rep["nps"], rep["csat"], rep["ces"]
    check(sql["nps_score"] == (n["score"] if n else None), "%s cxm_nps %r" % (where, sql["nps_score"]))
    check(sql["csat_score"] == (c["score"] if c else None), "%s cxm_csat %r" % (where, sql["csat_score"]))
    check(sql["ces_score"] == (e["mean"] if e else None), "%s cxm_ces %r" % (where, sql["ces_score"]))
    if n:
        s = sql["nps_stats"]
        want = {"n": n["n"], "promoters": n["promoters"], "passives": n["passives"], "detractors": n["detractors"],
                "score": n["score"], "se": n["se"], "ci95_low": n["ci95"][0], "ci95_high": n["ci95"][1],
                "adjusted_low": n["ci95_adjusted"][0], "adjusted_high": n["ci95_adjusted"][1]}
        check(s == want, "%s cxm_nps_stats %r != %r" % (where, s, want))
    else:
        check(sql["nps_stats"] is None, "%s cxm_nps_stats not null" % where)
    if c:
        s = sql["csat_stats"]
        want = {"n": c["n"], "satisfied": c["satisfied"], "score": c["score"], "mean": c["mean"],
                "ci95_low": c["ci95"][0], "ci95_high": c["ci95"][1]}
        check(s == want, "%s cxm_csat_stats %r != %r" % (where, s, want))
    if e:
        s = sql["ces_stats"]
        lo, hi = (e["ci95"] or [None, None])
        want = {"n": e["n"], "mean": e["mean"], "ci95_low": lo, "ci95_high": hi, "easy_pct": e["easy_pct"],
                "high_effort_pct": e["high_effort_pct"], "net": e["net"]}
        got = {k: v for k, v in s.items() if k != "sd"}
        check(got == want, "%s cxm_ces_stats %r != %r" % (where, got, want))


def compare_with_report(cluster, table, rep, label, prefix=""):
    for dim in ("overall", "channel", "month", "segment"):
        got = fetch_slices(cluster, table, dim, prefix)
        want = {"all": rep["overall"]} if dim == "overall" else rep["slices"][dim]
        check(sorted(got) == sorted(want), "%s %s keys %s != report %s" % (label, dim, sorted(got)[:5], sorted(want)[:5]))
        for k in want:
            if k in got:
                compare_slice("%s %s=%s" % (label, dim, k), got[k], want[k])


def load_csv(cluster, table, path):
    """Loads an event CSV as `cxm report` records it: the first row of each
    event id (later ones are duplicates the store skips), with its file
    line in `line`."""
    raw = table + "_raw"
    cluster.psql(EVENTS_DDL.format(name=raw).replace("dimension text)", "dimension text, line bigserial)"))
    cluster.psql("\\copy %s (id, time, customer, kind, value, channel, stage, segment, ref, dimension) "
                 "FROM '%s' WITH (FORMAT csv, HEADER true)" % (raw, path))
    cluster.psql("CREATE TABLE %s AS SELECT id, time, customer, kind, value, channel, stage, segment, ref, dimension, "
                 "line FROM (SELECT *, row_number() OVER (PARTITION BY coalesce(nullif(id, ''), 'line ' || line) "
                 "ORDER BY line) AS nth FROM %s) r WHERE nth = 1; DROP TABLE %s" % (table, raw, raw))


# A deterministic generated table: `rows` events of 60 000 customers over
# 2025 in every survey kind and some purchases, channels and segments
# spread so that every group has thousands of answers.
GEN_SQL = """
CREATE TABLE {name} AS
SELECT 'g' || i AS id,
       timestamptz '2025-01-01 00:00:00+00' + ((h1 % 31536000) * interval '1 second') AS time,
       'c-' || (h2 % 60000) AS customer,
       (ARRAY['nps', 'nps', 'csat', 'ces', 'purchase', 'complaint'])[1 + h3 % 6] AS kind,
       CASE (h3 % 6) WHEN 0 THEN (h4 % 11)::float8 WHEN 1 THEN ((h4 % 11 + h2 % 3) % 11)::float8
                     WHEN 2 THEN (1 + h4 % 5)::float8 WHEN 3 THEN (1 + h4 % 7)::float8
                     WHEN 4 THEN (h4 % 50000) / 100.0 ELSE NULL END AS value,
       (ARRAY['email', 'phone', 'chat', 'web', 'store', 'social', 'app', 'kiosk', ''])[1 + h5 % 9] AS channel,
       ''::text AS stage,
       (ARRAY['consumer', 'smb', 'enterprise', ''])[1 + h2 % 4] AS segment,
       ''::text AS ref, ''::text AS dimension
FROM (SELECT i, abs(hashint8(i)::int8) AS h1, abs(hashint8(i + 7777777)::int8) AS h2,
             abs(hashint8(i + 15555555)::int8) AS h3, abs(hashint8(i + 23333333)::int8) AS h4,
             abs(hashint8(i + 31111111)::int8) AS h5
      FROM generate_series(1, {rows}) i) s;
"""

EXPORT_SQL = ("\\copy (SELECT id, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS time, customer, "
              "kind, value, channel, stage, segment, ref, dimension FROM {name} ORDER BY id) TO '{path}' "
              "WITH (FORMAT csv, HEADER true)")

PARALLEL = ("SET max_parallel_workers_per_gather = 4; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; "
            "SET min_parallel_table_scan_size = 0; SET force_parallel_mode = on; SET enable_partitionwise_aggregate = on; ")
SERIAL = "SET max_parallel_workers_per_gather = 0; "


def explain(cluster, sql, prefix, verbose=False):
    return cluster.psql(prefix + "EXPLAIN (ANALYZE, VERBOSE %s, COSTS false) %s" % ("true" if verbose else "false", sql))


def test_single():
    pgcluster.install_extension(MODULE)
    clusters = pgcluster.Clusters()
    c = clusters.new("single")
    c.start()
    try:
        run_single(c)
    except Exception:
        say(c.log()[-3000:])
        raise


def run_single(c):
    c.psql("CREATE EXTENSION cxm")
    tmp = tempfile.mkdtemp(prefix="cxm-pg-data-")
    try:
        # --- the bundled sample -------------------------------------------
        load_csv(c, "events", SAMPLE)
        rep = report(SAMPLE)
        rows = int(c.psql("SELECT count(*) FROM events"))
        check(rows == rep["input"]["events"], "sample rows %d != report events %d" % (rows, rep["input"]["events"]))
        compare_with_report(c, "events", rep, "sample serial", SERIAL)
        compare_with_report(c, "events", rep, "sample parallel", PARALLEL)
        say("sample: %d rows, serial and parallel equal cxm report (%d checks)" % (rows, checks))

        # --- a million generated rows -------------------------------------
        c.psql(GEN_SQL.format(name="big", rows=1000000))
        c.psql("ANALYZE big")
        path = os.path.join(tmp, "big.csv")
        c.psql(EXPORT_SQL.format(name="big", path=path))
        big = report(path)
        check(big["input"]["events"] == 1000000, "big: report read %d events" % big["input"]["events"])
        compare_with_report(c, "big", big, "million serial", SERIAL)
        compare_with_report(c, "big", big, "million parallel", PARALLEL)
        plan = explain(c, "SELECT channel, cxm_nps(value::int) FILTER (WHERE kind = 'nps'), "
                          "cxm_survey_state(kind, value::int) FILTER (WHERE kind IN ('nps','csat','ces')) "
                          "FROM big GROUP BY channel", PARALLEL)
        check("Partial" in plan and "Finalize" in plan, "parallel plan lacks Partial/Finalize Aggregate:\n" + plan)
        launched = [int(l.split(":")[1]) for l in plan.splitlines() if "Workers Launched" in l]
        check(launched and launched[0] >= 2, "parallel plan launched %r workers:\n%s" % (launched, plan))
        say("million rows: serial and parallel equal cxm report; plan:\n" +
            "\n".join(l for l in plan.splitlines() if "Aggregate" in l or "Workers" in l or "Gather" in l))

        # --- rollups of stored states -------------------------------------
        c.psql("CREATE TABLE rollup AS SELECT date_trunc('day', time AT TIME ZONE 'UTC') AS day, channel, segment, "
               "cxm_survey_state(kind, value::int) FILTER (WHERE kind IN ('nps','csat','ces')) AS state "
               "FROM big GROUP BY 1, 2, 3")
        for prefix, label in ((SERIAL, "serial"), (PARALLEL, "parallel")):
            got = json.loads(c.psql(prefix + "SELECT json_object_agg(k, cxm_survey_json(s)) FROM (SELECT "
                                    "coalesce(nullif(channel, ''), 'unknown') k, cxm_survey_merge(state) s "
                                    "FROM rollup GROUP BY 1) q").strip().splitlines()[-1])
            for k, slice_ in big["slices"]["channel"].items():
                check(got.get(k) == {x: slice_[x] for x in ("nps", "csat", "ces")},
                      "rollup %s channel %s differs" % (label, k))
        rollups = int(c.psql("SELECT count(*) FROM rollup"))
        say("rollup: %d daily states re-aggregated by channel equal cxm report" % rollups)

        # --- round trips ----------------------------------------------------
        c.psql("CREATE TABLE states AS SELECT channel, cxm_survey_state(kind, value::int) FILTER "
               "(WHERE kind IN ('nps','csat','ces')) AS s FROM big GROUP BY channel")
        n = c.psql("SELECT count(*) FILTER (WHERE s::text::cxm_survey_state::bytea = s::bytea "
                   "AND s::bytea::cxm_survey_state::bytea = s::bytea "
                   "AND cxm_survey_add(s, ('\\x43584d530117' || repeat('00', 23))::cxm_survey_state)::bytea = s::bytea) FROM states")
        check(int(n) == 9, "text/bytea round trips: %s of 9" % n)
        binfile = os.path.join(c.dir, "states.bin")
        c.psql("COPY states TO '%s' WITH (FORMAT binary)" % binfile)
        c.psql("CREATE TABLE states2 (LIKE states); COPY states2 FROM '%s' WITH (FORMAT binary)" % binfile)
        n = c.psql("SELECT count(*) FROM states a JOIN states2 b USING (channel) WHERE a.s::bytea = b.s::bytea")
        check(int(n) == 9, "binary COPY round trip: %s of 9" % n)
        # The by-hand example of docs/formats.md.
        ex = "\\x43584d530122" + "01" + "00" * 9 + "ac02" + "8001" + "000000" + "7f" + "00" * 6 + "80" * 9 + "01"
        rc, _, err = c.psql("SELECT cxm_survey_counts('%s'::cxm_survey_state, 'ces')" % ex, check=False)
        check(rc != 0 and "passes bigint" in err, "count 2^63 as bigint: %r" % err)
        out = c.psql("SELECT cxm_survey_counts('%s'::cxm_survey_state, k) FROM unnest(ARRAY['nps', 'csat']) k" % ex)
        check(out.split() == ["{1,0,0,0,0,0,0,0,0,0,300}", "{128,0,0,0,127}"], "formats.md example counts: %r" % out)
        # A serialised partial state crosses processes: parallel equals serial bytes.
        a = c.psql(SERIAL + "SELECT cxm_survey_state(kind, value::int) FILTER (WHERE kind IN ('nps','csat','ces')) FROM big")
        b = c.psql(PARALLEL + "SELECT cxm_survey_state(kind, value::int) FILTER (WHERE kind IN ('nps','csat','ces')) FROM big")
        check(a.strip() == b.strip() and a.startswith("\\x43584d5301"), "serial and parallel state bytes differ")

        # --- bad input --------------------------------------------------------
        test_bad_input(c)
        test_fuzz(c)
        test_experience_purchase(c, rep)
    finally:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)


def expect_error(c, sql, *needles):
    rc, _, err = c.psql(sql, check=False)
    check(rc != 0 and all(n in err for n in needles), "expected an error with %r from %s, got rc %d %r" % (needles, sql, rc, err))


def test_bad_input(c):
    expect_error(c, "SELECT cxm_nps(x) FROM (VALUES (9), (11)) t(x)", "value 11", "NPS scale 0..10")
    expect_error(c, "SELECT cxm_nps_stats(x) FROM (VALUES (-1)) t(x)", "value -1", "0..10")
    expect_error(c, "SELECT cxm_csat(x) FROM (VALUES (0)) t(x)", "value 0", "CSAT scale 1..5")
    expect_error(c, "SELECT cxm_csat_json(x) FROM (VALUES (6)) t(x)", "value 6", "1..5")
    expect_error(c, "SELECT cxm_ces(x) FROM (VALUES (8)) t(x)", "value 8", "CES scale 1..7")
    expect_error(c, "SELECT cxm_survey_state(k, v) FROM (VALUES ('nps', 12)) t(k, v)", "value 12", "0..10")
    expect_error(c, "SELECT cxm_survey_state(k, v) FROM (VALUES ('npz', 1)) t(k, v)", "unknown event kind", "npz")
    # every kind of docs/events.md without a survey answer is skipped, the
    # ones added after the first release too
    skipped = ["internal", "expectation", "perception", "contact_open", "contact_reply", "contact_resolve",
               "purchase", "complaint", "compliment", "churn", "contact_reopen", "contact_transfer", "followup",
               "survey_sent", "rating"]
    rows = ", ".join("('%s', 3)" % k for k in skipped)
    rc, out, err = c.psql("SELECT cxm_survey_counts(cxm_survey_state(k, v), 'nps') FROM (VALUES ('nps', 9), %s) t(k, v)"
                          % rows, check=False)
    check(rc == 0 and "{0,0,0,0,0,0,0,0,0,1,0}" in out, "other kinds skipped: rc %d %r %r" % (rc, out, err))
    expect_error(c, "SELECT '\\x00'::cxm_survey_state", "invalid survey state")
    expect_error(c, "SELECT '\\x43584d530217'::bytea::cxm_survey_state", "invalid survey state", "CXM_E_VERSION")
    expect_error(c, "SELECT cxm_survey_counts(('\\x43584d530117' || repeat('00', 23))::cxm_survey_state, 'x')",
                 "unknown survey kind")
    # NULLs are ignored; only NULLs give NULL (no answers, never 0).
    out = c.psql("SELECT cxm_nps(x) IS NULL, cxm_nps_stats(x) IS NULL, cxm_nps_json(x) IS NULL, "
                 "cxm_survey_state(k, x) FROM (VALUES (NULL::int, NULL::text), (NULL, 'nps')) t(x, k)").strip()
    check(out == "t|t|t|\\x43584d530117" + "00" * 23, "all-NULL input: %r" % out)
    out = c.psql("SELECT cxm_nps(x) FROM (VALUES (10), (NULL), (0), (NULL), (9)) t(x)").strip()
    check(out == "33.333333333333336", "NULLs ignored: %r" % out)
    out = c.psql("SELECT cxm_nps(x) FROM (VALUES (1)) t(x) WHERE false").strip()
    check(out == "", "no rows: %r" % out)
    # The comparison of two periods (docs/metrics.md): z test of NPS, two proportions for CSAT.
    out = c.psql("WITH s AS (SELECT cxm_survey_state('nps', x) FILTER (WHERE x < 100) a, "
                 "cxm_survey_state('nps', x % 100) FILTER (WHERE x >= 100) b FROM (VALUES (10), (10), (0), (9), "
                 "(107), (100), (106), (110)) t(x)) SELECT to_json(cxm_nps_compare(a, b)) FROM s").strip()
    r = json.loads(out)
    # first: 3 promoters, 1 detractor of 4: 50; second (10, 7, 0, 6): 1 promoter, 2 detractors of 4: -25.
    # se = 100 sqrt(sum (p+ + p- - (p+ - p-)^2) / n) over both (docs/metrics.md).
    se = 100 * math.sqrt((1 - 0.25) / 4 + (0.75 - 0.0625) / 4)
    check(r["first"] == 50 and r["second"] == -25 and r["diff"] == -75 and close(r["se"], se, 1e-12)
          and close(r["z"], -75 / se, 1e-12) and close(r["p"], math.erfc(75 / se / math.sqrt(2)), 1e-6),
          "nps compare %r" % r)


def test_fuzz(c):
    """Random bytes and mutated valid states through every SQL path that
    reads state bytes; each must be refused or accepted, never crash."""
    rng = random.Random(20261207)
    valid = [l.strip() for l in c.psql("SELECT s FROM states").splitlines() if l.strip()]
    cases = []
    for i in range(4000):
        if i % 2 == 0:
            b = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64)))
            if i % 4 == 0:
                b = b"CXMS" + b[4:]
        else:
            v = bytearray(bytes.fromhex(rng.choice(valid)[2:]))
            for _ in range(rng.randrange(1, 4)):
                op = rng.randrange(3)
                if op == 0 and v:
                    v[rng.randrange(len(v))] = rng.randrange(256)
                elif op == 1 and v:
                    del v[rng.randrange(len(v)):]
                else:
                    v += bytes([rng.randrange(256)])
            b = bytes(v)
        cases.append("\\x" + b.hex())
    arr = "ARRAY[" + ",".join("'%s'::bytea" % x for x in cases) + "]"
    sql = """
DO $$
DECLARE b bytea; ok int := 0; bad int := 0; s cxm_survey_state;
BEGIN
  FOREACH b IN ARRAY %s LOOP
    BEGIN
      s := b::cxm_survey_state;
      PERFORM cxm_nps_stats(s), cxm_csat_stats(s), cxm_ces_stats(s), cxm_survey_json(s);
      PERFORM cxm_survey_merge(x) FROM (VALUES (s), (s)) t(x);
      ok := ok + 1;
    EXCEPTION WHEN others THEN bad := bad + 1;
    END;
    BEGIN
      s := encode(b, 'hex')::cstring::text::cxm_survey_state;
    EXCEPTION WHEN others THEN NULL;
    END;
  END LOOP;
  RAISE NOTICE 'fuzz: % accepted, % refused', ok, bad;
END $$;
""".replace("%s", arr, 1)
    fd, path = tempfile.mkstemp(suffix=".sql", dir=c.dir)
    with os.fdopen(fd, "w") as f:
        f.write(sql)
    os.chmod(path, 0o644)
    r = subprocess.run([os.path.join(c.bindir, "psql"), "-X", "-q", "-h", c.dir, "-p", str(c.port), "-U", "postgres",
                        "-f", path], capture_output=True, text=True)
    os.unlink(path)
    check(r.returncode == 0 and "fuzz:" in r.stderr, "fuzz run failed: %r" % r.stderr[-500:])
    say(r.stderr.strip().replace("psql:", "").strip())
    # The readers of the other partial states (their DESERIALFUNCs) through
    # cxm_state_check, from valid seeds built here by their formats.
    import struct
    seeds = {
        "gap": b"CXMG\x01" + struct.pack("<QddddQQ", 2, 10.0, 50.0, 170.0, 150.0, 1, 0) + struct.pack("<d", 80.0),
        "rfm": b"CXMR\x01" + struct.pack("<qdQ", 20000, 604800.0, 2) + struct.pack("<qdqd", 19000, 5.0, 19010, 7.5),
        "fit": b"CXMF\x01" + struct.pack("<QQ", 1, 2) + struct.pack("<Qddd", 2, 3.0, 10.0, 5.0)
               + struct.pack("<Qddd", 0, 0.0, 4.0, float("nan")),
    }
    cases = []
    for kind, seed in seeds.items():
        cases.append((kind, seed))
        for i in range(1500):
            v = bytearray(seed) if i % 3 else bytearray(rng.randrange(256) for _ in range(rng.randrange(0, 80)))
            for _ in range(rng.randrange(0, 4)):
                op = rng.randrange(3)
                if op == 0 and v:
                    v[rng.randrange(len(v))] = rng.randrange(256)
                elif op == 1 and v:
                    del v[rng.randrange(len(v)):]
                else:
                    v += bytes([rng.randrange(256)])
            cases.append((kind, bytes(v)))
    arr = "ARRAY[" + ",".join("ROW('%s', '\\x%s'::bytea)::cxm_fuzz_case" % (k, b.hex()) for k, b in cases) + "]"
    c.psql("CREATE TYPE cxm_fuzz_case AS (kind text, bytes bytea)")
    out = c.script("""
DO $$
DECLARE f cxm_fuzz_case; ok int := 0; bad int := 0;
BEGIN
  FOREACH f IN ARRAY %s LOOP
    BEGIN
      PERFORM cxm_state_check(f.kind, f.bytes);
      ok := ok + 1;
    EXCEPTION WHEN others THEN bad := bad + 1;
    END;
  END LOOP;
  RAISE NOTICE 'state fuzz: % accepted, % refused', ok, bad;
END $$;
SELECT cxm_state_check(k, b) FROM (VALUES %s) t(k, b);
""".replace("%s", arr, 1).replace("%s", ",".join("('%s', '\\x%s'::bytea)" % (k, b.hex()) for k, b in seeds.items()), 1))
    check(out.split() == [str(len(b)) for b in seeds.values()], "valid seeds refused: %r" % out)
    alive = c.psql("SELECT 1").strip()
    log = c.log()
    check(alive == "1" and "terminated by signal" not in log and "server process" not in log,
          "server crashed during the fuzz:\n" + log[-2000:])


def close(a, b, rel=1e-9):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


# Pairs of the perception gap (docs/experience.md) built in SQL: per ref,
# service = mean internal rating, experience = mean normalised customer
# rating, at the channel of the earliest internal rating (ties: file line).
GAP_SQL = """
WITH p AS (
  SELECT ref,
         avg(value) FILTER (WHERE kind = 'internal') AS service,
         avg(cxm_experience_score(kind, value)) FILTER (WHERE kind IN ('nps', 'csat', 'ces')) AS experience,
         (array_agg(coalesce(nullif(channel, ''), 'unknown') ORDER BY time, line)
            FILTER (WHERE kind = 'internal'))[1] AS channel
  FROM events WHERE ref <> '' GROUP BY ref)
SELECT json_object_agg(k, to_json(g)) FROM (
  SELECT 'all' AS k, cxm_gap(service, experience) AS g FROM p
  UNION ALL
  SELECT channel, cxm_gap(service, experience) FROM p
  WHERE service IS NOT NULL AND experience IS NOT NULL GROUP BY channel) q
"""

# Service levels: each contact (ref with a contact_open) at its earliest
# open's channel, its first reply the earliest at or after the open; met
# within 8 business hours, breached later, or unanswered and older than
# that (in business time) at the last event.
SERVICE_SQL = """
WITH o AS (
  SELECT ref, min(time) AS open,
         (array_agg(coalesce(nullif(channel, ''), 'unknown') ORDER BY time, line))[1] AS channel
  FROM events WHERE kind = 'contact_open' AND ref <> '' GROUP BY ref),
c AS (
  SELECT o.*, (SELECT min(time) FROM events e
               WHERE e.ref = o.ref AND e.kind = 'contact_reply' AND e.time >= o.open) AS reply
  FROM o),
s AS (
  SELECT channel, cxm_first_response(open, reply) AS fr,
         CASE WHEN reply IS NULL THEN cxm_first_response(open, (SELECT max(time) FROM events)) END AS age
  FROM c)
SELECT json_object_agg(k, json_build_object('contacts', n, 'met', met, 'breached', breached)) FROM (
  SELECT 'all' AS k, count(*) n, count(*) FILTER (WHERE fr <= 28800) met,
         count(*) FILTER (WHERE fr > 28800 OR age > 28800) breached FROM s
  UNION ALL
  SELECT channel, count(*), count(*) FILTER (WHERE fr <= 28800),
         count(*) FILTER (WHERE fr > 28800 OR age > 28800) FROM s GROUP BY channel) q
"""


def test_experience_purchase(c, rep):
    """The perception gap, service levels and purchase summaries of the
    sample against `cxm report --json` and `cxm churn --json`."""
    gaps = json.loads(c.psql(GAP_SQL).strip())
    want = {"all": rep["overall"]["gap"]}
    want.update({k: v["gap"] for k, v in rep["slices"]["channel"].items() if v["gap"]})
    check(sorted(gaps) == sorted(want), "gap keys %s != %s" % (sorted(gaps), sorted(want)))
    for k, w in want.items():
        g = gaps.get(k) or {}
        for f in ("pairs", "blind_spots", "reverse_spots"):
            check(g.get(f) == w[f], "gap %s %s: %r != report %r" % (k, f, g.get(f), w[f]))
        lo, hi = w["ci95"] or [None, None]
        for f, wv in (("mean", w["mean"]), ("se", w["se"]), ("service", w["service"]), ("experience", w["experience"]),
                      ("delivery_gap", w["delivery_gap"]), ("blind_spot_pct", w["blind_spot_pct"]),
                      ("delivery_z", w["delivery_z"]), ("ci95_low", lo), ("ci95_high", hi)):
            check(close(g.get(f), wv), "gap %s %s: %r != report %r" % (k, f, g.get(f), wv))
    # The same in parallel: the partial gap states merged (Chan et al.) equal
    # the serial ones up to rounding.
    par = json.loads(c.psql(PARALLEL + GAP_SQL).strip().splitlines()[-1])
    for k, g in gaps.items():
        p = par.get(k) or {}
        check(all(close(p.get(f), g[f]) if isinstance(g[f], float) else p.get(f) == g[f] for f in g),
              "gap %s parallel %r != serial %r" % (k, p, g))
    say("gap: %d pairs overall, %d channels, equal to cxm report (integers exactly, doubles within 1e-9)"
        % (want["all"]["pairs"], len(want) - 1))

    svc = json.loads(c.psql(SERVICE_SQL).strip())
    want = {"all": rep["overall"]["service"]}
    want.update({k: v["service"] for k, v in rep["slices"]["channel"].items() if v["service"]})
    check(sorted(svc) == sorted(want), "service keys %s != %s" % (sorted(svc), sorted(want)))
    for k, w in want.items():
        got = svc.get(k) or {}
        check(got == {"contacts": w["contacts"], "met": w["met"], "breached": w["breached"]},
              "service %s: %r != report contacts %d met %d breached %d" % (k, got, w["contacts"], w["met"], w["breached"]))
    say("service: %d contacts, met %d, breached %d with cxm_first_response, equal to cxm report"
        % (want["all"]["contacts"], want["all"]["met"], want["all"]["breached"]))

    # Purchase summaries and a BG/NBD fit against `cxm churn`.
    r = subprocess.run([CLI, "churn", "--json", "--model", "bgnbd", "--to", "2026-07-01", SAMPLE],
                       capture_output=True, text=True)
    check(r.returncode == 0, "cxm churn failed: %s" % r.stderr)
    churn = json.loads(r.stdout)
    want = {x["customer"]: x for x in churn["customers"] if x.get("T") is not None}
    got = json.loads(c.psql("SELECT json_object_agg(customer, to_json(r)) FROM (SELECT customer, "
                            "cxm_rfm(time, value, '2026-07-01Z') r FROM events WHERE kind = 'purchase' "
                            "GROUP BY customer) q WHERE (r).x IS NOT NULL").strip())
    # cxm churn lists the customers still at risk (not churned) of the ones it fits.
    check(set(want) <= set(got) and len(got) == churn["model"]["customers"],
          "rfm customers: %d, churn lists %d of %d" % (len(got), len(want), churn["model"]["customers"]))
    bad = [k for k in want if k in got and (got[k]["x"], got[k]["t_x"], got[k]["T"]) !=
           (want[k]["x"], want[k]["t_x"], want[k]["T"])]
    check(not bad, "rfm differs from cxm churn for %s" % bad[:5])
    fit = json.loads(c.psql("SELECT to_json(cxm_fit('bgnbd', (r).x, (r).t_x, (r).\"T\")) FROM (SELECT "
                            "cxm_rfm(time, value, '2026-07-01Z') r FROM events WHERE kind = 'purchase' "
                            "GROUP BY customer) q").strip())
    m = churn["model"]
    check(fit["customers"] == m["customers"], "fit customers %r != %r" % (fit["customers"], m["customers"]))
    for name, val in zip(fit["param_names"], fit["params"]):
        check(close(val, m[name], 1e-6), "bgnbd %s: %r != cxm churn %r" % (name, val, m[name]))
    check(close(fit["loglik"], m["loglik"], 1e-9), "loglik %r != %r" % (fit["loglik"], m["loglik"]))
    say("rfm: %d customers, the %d cxm churn lists equal; bgnbd fit %s equals it (params within 1e-6)"
        % (len(got), len(want), dict(zip(fit["param_names"], fit["params"]))))
    # The fit is the same in parallel (partial lists of summaries combined).
    fit2 = json.loads(c.psql(PARALLEL + "SELECT to_json(cxm_fit('bgnbd', (r).x, (r).t_x, (r).\"T\")) FROM (SELECT "
                             "cxm_rfm(time, value, '2026-07-01Z') r FROM events WHERE kind = 'purchase' "
                             "GROUP BY customer) q").strip().splitlines()[-1])
    check(all(close(a, b, 1e-6) for a, b in zip(fit["params"], fit2["params"])), "parallel fit %r" % fit2)
    # The list-shaped states (internal, SERIALFUNC/DESERIALFUNC) across
    # parallel workers (Partial Aggregate in the plans), serial against
    # parallel: purchase summaries over few large groups (a segment's
    # purchases as if one buyer's), and a fit of the sample's summaries
    # repeated 50 times (the same estimates, 20 000 rows to share out).
    rfm_sql = ("SELECT json_object_agg(segment, to_json(r)) FROM (SELECT segment, "
               "cxm_rfm(time, value, '2026-01-01Z') r FROM big WHERE kind = 'purchase' GROUP BY segment) q")
    a = json.loads(c.psql(SERIAL + rfm_sql).strip().splitlines()[-1])
    b = json.loads(c.psql(PARALLEL + rfm_sql).strip().splitlines()[-1])
    check(sorted(a) == sorted(b) and all((a[k]["x"], a[k]["t_x"], a[k]["T"]) == (b[k]["x"], b[k]["t_x"], b[k]["T"])
                                         and close(a[k]["monetary"], b[k]["monetary"], 1e-12) for k in a),
          "rfm serial %r != parallel %r" % (a, b))
    plan = explain(c, "SELECT segment, cxm_rfm(time, value, '2026-01-01Z') FROM big WHERE kind = 'purchase' "
                      "GROUP BY segment", PARALLEL)
    check("Partial" in plan, "rfm plan without a partial aggregate:\n" + plan)
    c.psql("CREATE TABLE summary AS SELECT (r).* FROM (SELECT cxm_rfm(time, value, '2026-07-01Z') r FROM events "
           "WHERE kind = 'purchase' GROUP BY customer) q CROSS JOIN generate_series(1, 50) WHERE (r).x IS NOT NULL")
    fit_sql = "SELECT to_json(cxm_fit('bgnbd', x, t_x, \"T\")) FROM summary"
    f1 = json.loads(c.psql(SERIAL + fit_sql).strip().splitlines()[-1])
    f2 = json.loads(c.psql(PARALLEL + fit_sql).strip().splitlines()[-1])
    plan = explain(c, fit_sql, PARALLEL)
    check("Partial Aggregate" in plan and f1["customers"] == f2["customers"] == 20000
          and all(close(x, y, 1e-6) and close(x, z, 1e-4) for x, y, z in zip(f1["params"], f2["params"], fit["params"])),
          "fit of the repeated summaries: serial %r, parallel %r, sample %r\n%s" % (f1, f2, fit["params"], plan))
    say("rfm by segment and a bgnbd fit of 20 000 summaries: parallel (partial states serialised) equals serial")
    p = float(c.psql("SELECT cxm_p_alive('bgnbd', ARRAY%r::float8[], 2, 10, 30)" % fit["params"]))
    check(0 < p <= 1, "p_alive %r" % p)

    expect_error(c, "SELECT cxm_gap(a, b) FROM (VALUES (101.0, 5.0)) t(a, b)", "service score 101", "0..100")
    expect_error(c, "SELECT cxm_first_response('2025-01-02Z', '2025-01-01Z')", "before the open")
    expect_error(c, "SELECT cxm_rfm(now(), 1, '2025-01-01 12:00Z')", "UTC midnight")
    expect_error(c, "SELECT cxm_fit('xyz', 1, 1, 2)", "unknown model")
    expect_error(c, "SELECT cxm_fit('bgnbd', 1, 3, 2)", "t_x = 3", "not valid")
    for kind in ("survey", "gap", "rfm", "fit"):
        expect_error(c, "SELECT cxm_state_check('%s', '\\x43584d')" % kind, "invalid")


def citus_dir():
    d = os.environ.get("CXM_CITUS_DIR")
    if d:
        return d
    return os.path.abspath(os.path.join(SRC, "..", "shared", "vendor", "citus"))


def ensure_citus():
    """Citus built and installed into the server; returns None or the reason
    it cannot be."""
    pkglib = pgcluster.pg_config("pkglibdir")
    if os.path.exists(os.path.join(pkglib, "citus.so")):
        return None
    script = os.path.join(citus_dir(), "build-citus.sh")
    if not os.path.exists(script):
        return "no Citus source: %s not found (set CXM_CITUS_DIR)" % script
    if os.getuid() != 0:
        return "Citus is not installed and installing it needs root"
    work = os.path.join(BUILD, "citus-cache")
    say("building Citus from %s into %s (2-3 minutes)" % (citus_dir(), work))
    r = subprocess.run(["sh", script, work], capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(os.path.join(pkglib, "citus.so")):
        return "building Citus failed: %s%s" % (r.stdout[-1500:], r.stderr[-1500:])
    return None


def test_citus():
    reason = ensure_citus()
    if reason:
        say("SKIP: " + reason)
        if os.environ.get("CI") or os.environ.get("CXM_REQUIRE_CITUS"):
            say("CI/CXM_REQUIRE_CITUS is set: a Citus test may not skip")
            return 1
        return SKIP
    pgcluster.install_extension(MODULE)
    clusters = pgcluster.Clusters(prefix="cxm-citus-")
    conf = "shared_preload_libraries = 'citus'\nmax_connections = 200\n"
    coord = clusters.new("coordinator", conf)
    workers = [clusters.new("worker%d" % i, conf) for i in (1, 2)]
    for n in [coord] + workers:
        n.start()
    try:
        run_citus(coord, workers)
    except Exception:
        for n in [coord] + workers:
            say(n.log()[-2000:])
        raise
    return 0


def run_citus(coord, workers):
    for n in workers:
        n.psql("CREATE EXTENSION citus; CREATE EXTENSION cxm")
    coord.psql("CREATE EXTENSION citus; CREATE EXTENSION cxm")
    coord.psql("SELECT citus_set_coordinator_host('127.0.0.1', %d)" % coord.port)
    for n in workers:
        coord.psql("SELECT citus_add_node('127.0.0.1', %d)" % n.port)
    nodes = coord.psql("SELECT count(*) FROM citus_get_active_worker_nodes()").strip()
    check(nodes == "2", "active workers: %s" % nodes)

    # The sample: distributed by customer, against cxm report.
    load_csv(coord, "events", SAMPLE)
    coord.psql("CREATE TABLE events_local AS SELECT * FROM events")
    coord.psql("SELECT create_distributed_table('events', 'customer')")
    rep = report(SAMPLE)
    compare_with_report(coord, "events", rep, "citus sample")
    shards = coord.psql("SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'events'::regclass")
    check(shards.strip() == "2", "events shards on %s workers" % shards.strip())

    # Generated rows: distributed against the same rows in a local table.
    coord.psql(GEN_SQL.format(name="big_local", rows=300000))
    coord.psql(EVENTS_DDL.format(name="big"))
    coord.psql("SELECT create_distributed_table('big', 'customer')")
    coord.psql("INSERT INTO big (id, time, customer, kind, value, channel, stage, segment, ref, dimension) "
               "SELECT id, time, customer, kind, value, channel, stage, segment, ref, dimension FROM big_local")
    for dim in ("overall", "channel", "month", "segment"):
        local = fetch_slices(coord, "big_local", dim, SERIAL)
        dist = fetch_slices(coord, "big", dim)
        check(local == dist and len(local) > 0, "citus %s: distributed != single node" % dim)
    say("citus: sample equals cxm report, 300 000 generated rows equal the single node, by channel, month, segment")

    # Rollup states built on the workers, merged on the coordinator.
    coord.psql("CREATE TABLE rollup (day timestamp, channel text, customer text, state cxm_survey_state)")
    coord.psql("SELECT create_distributed_table('rollup', 'customer')")
    coord.psql("INSERT INTO rollup SELECT date_trunc('day', time AT TIME ZONE 'UTC'), channel, customer, "
               "cxm_survey_state(kind, value::int) FILTER (WHERE kind IN ('nps','csat','ces')) FROM big GROUP BY 1, 2, 3")
    a = coord.psql("SELECT channel, cxm_survey_json(cxm_survey_merge(state)) FROM rollup GROUP BY 1 ORDER BY 1")
    b = coord.psql(SERIAL + "SELECT channel, cxm_survey_json(cxm_survey_state(kind, value::int) FILTER "
                   "(WHERE kind IN ('nps','csat','ces'))) FROM big_local GROUP BY 1 ORDER BY 1")
    check(a == b and a.strip() != "", "citus rollup merge != single node")

    # The perception gap of the sample's pairs, distributed by ref, against
    # the same pairs in a local table.
    coord.psql("CREATE TABLE pairs_local AS " + GAP_SQL.split("SELECT json_object_agg")[0].strip().replace("FROM events", "FROM events_local")
               + " SELECT * FROM p WHERE service IS NOT NULL AND experience IS NOT NULL")
    coord.psql("CREATE TABLE pairs AS SELECT * FROM pairs_local; SELECT create_distributed_table('pairs', 'ref')")
    gsql = ("SELECT json_object_agg(channel, to_json(g)) FROM (SELECT channel, cxm_gap(service, experience) g "
            "FROM {t} GROUP BY channel) q")
    local = json.loads(coord.psql(SERIAL + gsql.format(t="pairs_local")).strip().splitlines()[-1])
    dist = json.loads(coord.psql(gsql.format(t="pairs")).strip())
    check(sorted(local) == sorted(dist) and all(
        all(close(dist[k].get(f), v) if isinstance(v, float) else dist[k].get(f) == v for f, v in local[k].items())
        for k in local), "citus gap != single node")
    gplan = coord.psql("EXPLAIN (VERBOSE, COSTS false) " + gsql.format(t="pairs"))
    check("worker_partial_agg" in gplan and "coord_combine_agg" in gplan, "citus gap plan:\n" + gplan)
    say("citus: cxm_gap of %d pairs distributed by ref equals the single node" %
        int(coord.psql("SELECT count(*) FROM pairs")))

    plan = coord.psql("EXPLAIN (VERBOSE, COSTS false) SELECT channel, cxm_nps(value::int) FILTER (WHERE kind = 'nps'), "
                      "cxm_nps_stats(value::int) FILTER (WHERE kind = 'nps') FROM big GROUP BY channel")
    check("worker_partial_agg" in plan and "coord_combine_agg" in plan,
          "citus plan lacks worker_partial_agg / coord_combine_agg:\n" + plan)
    say("citus plan:\n" + "\n".join(l for l in plan.splitlines() if "_agg" in l)[:1500])


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "single"
    if os.environ.get("CXM_PG_SKIP"):
        say("SKIP: " + os.environ["CXM_PG_SKIP"])
        return SKIP
    if os.getuid() != 0 and not os.access(pgcluster.pg_config("pkglibdir"), os.W_OK):
        say("SKIP: installing the extension into %s needs root" % pgcluster.pg_config("pkglibdir"))
        return SKIP
    if mode == "single":
        test_single()
        rc = 0
    elif mode == "citus":
        rc = test_citus()
        if rc != 0:
            return rc
    else:
        say("usage: test_pg.py single|citus")
        return 2
    say("%d checks, %d failures" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
