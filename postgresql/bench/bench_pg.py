#!/usr/bin/env python3
"""Benchmark of the PostgreSQL extension (docs/postgresql.md, not run by CI):
cxm_nps(score) against the plain SQL count expression

    100.0 * (count(*) FILTER (WHERE score >= 9)
             - count(*) FILTER (WHERE score <= 6)) / count(*)

on ROWS rows (default 10 000 000), overall and grouped by channel, on one
server without and with parallel workers, and on a local Citus cluster
(coordinator + two workers on 127.0.0.1, rows distributed by customer).

The machine this runs on is usually shared, so single timings drift with
the load. Within one setup every query runs in one psql session (`\\timing`,
no start-up cost), once to warm up and then REPEAT rounds (default 7); a
round runs each query once, in the opposite order every other round, so the
aggregate and the expression it is compared with run next to each other
under the same load. The ratio of the two is taken within each round; the
table gives the median time, ns/row and the median ratio with its range
over the rounds.

Reference rows: `count(*)` (the scan alone) and two user-defined counts of
the column, `cxm_bench_count_builtin(int)` (transition: PostgreSQL's own
int8inc_any) and `cxm_bench_count_c(int)` (transition: the one-line C
function of bench_floor.c, compiled here). They show what any user-defined
aggregate costs per row whatever its transition does; on Citus that is
worker_partial_agg's own per-row work, the floor under cxm_nps(score).

  sudo python3 postgresql/bench/bench_pg.py [--rows N] [--repeat R] [--no-citus]

Needs root to install the extension into the server (as the tests do) and,
for the Citus rows, Citus installed (the `postgresql` test suite builds it).
Environment: CXM_PG_MODULE (default build/postgresql/cxm.so), CC (for
bench_floor.c; without a compiler its row is left out).
"""

import argparse
import datetime
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import pgcluster  # noqa: E402

SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
MODULE = os.environ.get("CXM_PG_MODULE", os.path.join(SRC, "build", "postgresql", "cxm.so"))

TABLE_SQL = """
CREATE TABLE {name} (customer bigint, channel text, score int);
INSERT INTO {name}
SELECT h % 1000000, (ARRAY['email', 'phone', 'chat', 'web', 'store', 'social', 'app', 'kiosk'])[1 + (h >> 20) % 8],
       ((h >> 8) % 11)::int
FROM (SELECT abs(hashint8(i)::int8) AS h FROM generate_series(1, {rows}) i) s;
"""

PLAIN = "100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*)"

# (name, SQL, name of the query its ratio is taken against)
QUERIES = [
    ("cxm_nps(score)", "SELECT cxm_nps(score) FROM {t}", "plain"),
    ("plain", "SELECT " + PLAIN + " FROM {t}", None),
    ("cxm_nps(score) GROUP BY channel", "SELECT channel, cxm_nps(score) FROM {t} GROUP BY channel", "plain grouped"),
    ("plain grouped", "SELECT channel, " + PLAIN + " FROM {t} GROUP BY channel", None),
    ("count(*)", "SELECT count(*) FROM {t}", "plain"),
    ("count, built-in transition", "SELECT cxm_bench_count_builtin(score) FROM {t}", "plain"),
    ("count, C transition", "SELECT cxm_bench_count_c(score) FROM {t}", "plain"),
]

LABELS = {
    "cxm_nps(score)": "`cxm_nps(score)`",
    "plain": "plain SQL count expression",
    "cxm_nps(score) GROUP BY channel": "`cxm_nps(score)` GROUP BY channel",
    "plain grouped": "plain SQL GROUP BY channel",
    "count(*)": "`count(*)` (the scan alone)",
    "count, built-in transition": "user-defined count, built-in transition",
    "count, C transition": "user-defined count, C transition",
}

REFERENCE_SQL = """
CREATE AGGREGATE cxm_bench_count_builtin(int) (
  SFUNC = int8inc_any, STYPE = int8, INITCOND = '0', COMBINEFUNC = int8pl, PARALLEL = SAFE);
"""
FLOOR_SQL = """
CREATE FUNCTION cxm_bench_count_trans(int8, int) RETURNS int8
  AS '$libdir/cxm_bench_floor', 'cxm_bench_count_trans' LANGUAGE C STRICT PARALLEL SAFE;
CREATE AGGREGATE cxm_bench_count_c(int) (
  SFUNC = cxm_bench_count_trans, STYPE = int8, INITCOND = '0', COMBINEFUNC = int8pl, PARALLEL = SAFE);
"""

SERIAL = "SET max_parallel_workers_per_gather = 0; SET jit = off;"
PARALLEL = ("SET max_parallel_workers_per_gather = {w}; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; "
            "SET min_parallel_table_scan_size = 0; SET jit = off;")


def install_floor():
    """Compiles bench_floor.c into the server's library directory; False
    when that cannot be done (no compiler)."""
    cc = os.environ.get("CC", "cc")
    out = os.path.join(pgcluster.pg_config("pkglibdir"), "cxm_bench_floor.so")
    argv = [cc, "-O2", "-fPIC", "-shared", "-I" + pgcluster.pg_config("includedir-server"),
            os.path.join(HERE, "bench_floor.c"), "-o", out]
    try:
        r = subprocess.run(argv, capture_output=True, text=True)
    except OSError as e:
        print("bench_floor.c not compiled (%s): its row is left out" % e, flush=True)
        return False
    if r.returncode != 0:
        print("bench_floor.c not compiled: its row is left out\n" + r.stderr, flush=True)
        return False
    os.chmod(out, 0o755)
    return True


def rounds(cluster, prefix, queries, repeat):
    """Runs the queries in one session: a warm-up, then `repeat` rounds in
    alternating order. Returns {name: [seconds per round]}."""
    lines = [prefix, "\\timing on"]
    order = []
    for r in range(-1, repeat):
        qs = queries if r % 2 == 0 else list(reversed(queries))
        for name, sql in qs:
            lines.append(sql + ";")
            order.append((r, name))
    out = cluster.script("\n".join(lines) + "\n")
    times = [float(x) / 1000.0 for x in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)]
    if len(times) != len(order):
        raise RuntimeError("expected %d timings, read %d:\n%s" % (len(order), len(times), out[-2000:]))
    per = {name: [] for name, _ in queries}
    for (r, name), t in zip(order, times):
        if r >= 0:
            per[name].append(t)
    return per


def bench(cluster, table, prefix, label, rows, repeat, names, out):
    queries = [(n, q.format(t=table)) for n, q, _ in QUERIES if n in names]
    per = rounds(cluster, prefix, queries, repeat)
    for n, _, against in QUERIES:
        if n not in names:
            continue
        t = statistics.median(per[n])
        ratio = None
        if against:
            rs = [a / b for a, b in zip(per[n], per[against])]
            ratio = (statistics.median(rs), min(rs), max(rs))
        out.append((label, n, t, t / rows * 1e9, ratio))
        print("%-34s %-40s %8.3f s %7.1f ns/row %s" % (label, LABELS[n], t, t / rows * 1e9,
              "" if ratio is None else "ratio %.2f [%.2f-%.2f]" % ratio), flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10000000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-citus", action="store_true")
    a = ap.parse_args()
    print("%s, %d cores, load average %s" % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                                             os.cpu_count(), loadavg()), flush=True)
    pgcluster.install_extension(MODULE)
    floor = install_floor()
    names = [n for n, _, _ in QUERIES if floor or n != "count, C transition"]
    clusters = pgcluster.Clusters(prefix="cxm-bench-")
    out = []
    conf = "shared_buffers = 2GB\nmax_parallel_workers_per_gather = 0\n"
    c = clusters.new("single", conf)
    c.start()
    c.psql("CREATE EXTENSION cxm")
    c.script(REFERENCE_SQL + (FLOOR_SQL if floor else ""))
    c.script(TABLE_SQL.format(name="events", rows=a.rows))
    c.psql("VACUUM ANALYZE events")
    a_nps = c.psql("SELECT cxm_nps(score) FROM events").strip()
    b_nps = c.psql("SELECT " + PLAIN + " FROM events").strip()
    print("check: cxm_nps %s, plain SQL %s" % (a_nps, b_nps), flush=True)
    bench(c, "events", SERIAL, "one server, no parallel workers", a.rows, a.repeat, names, out)
    bench(c, "events", PARALLEL.format(w=a.workers), "one server, %d parallel workers" % a.workers, a.rows,
          a.repeat, names, out)
    c.stop()
    if not a.no_citus:
        cconf = conf + "shared_preload_libraries = 'citus'\nmax_connections = 200\n"
        co = clusters.new("coordinator", cconf)
        ws = [clusters.new("worker%d" % i, cconf) for i in (1, 2)]
        for n in [co] + ws:
            n.start()
            n.psql("CREATE EXTENSION citus; CREATE EXTENSION cxm")
        co.psql("SELECT citus_set_coordinator_host('127.0.0.1', %d)" % co.port)
        for n in ws:
            co.psql("SELECT citus_add_node('127.0.0.1', %d)" % n.port)
        # Citus propagates the reference aggregates to the workers.
        co.script(REFERENCE_SQL + (FLOOR_SQL if floor else ""))
        co.psql("CREATE TABLE events (customer bigint, channel text, score int); "
                "SELECT create_distributed_table('events', 'customer')")
        co.script(TABLE_SQL.replace("CREATE TABLE {name} (customer bigint, channel text, score int);", "")
                  .format(name="events", rows=a.rows))
        co.psql("VACUUM ANALYZE events")
        c_nps = co.psql("SELECT cxm_nps(score) FROM events").strip()
        print("check on Citus: cxm_nps %s" % c_nps, flush=True)
        bench(co, "events", "SET jit = off;", "Citus, coordinator + 2 workers", a.rows, a.repeat, names, out)
    print()
    print("load average at the end %s; %d rounds" % (loadavg(), a.repeat))
    print()
    print("| setup | query | median s | ns/row | ratio to plain: median [range] |")
    print("|---|---|---:|---:|---:|")
    last = None
    for label, n, t, ns, ratio in out:
        print("| %s | %s | %.3f | %.0f | %s |" % ("" if label == last else label, LABELS[n], t, ns,
                                                "" if ratio is None else "%.2f [%.2f-%.2f]" % ratio))
        last = label
    clusters.cleanup()


if __name__ == "__main__":
    main()
