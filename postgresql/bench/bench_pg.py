#!/usr/bin/env python3
"""Benchmark of the PostgreSQL extension (docs/postgresql.md, not run by CI):
cxm_nps(score) against the plain SQL count expression

    100.0 * (count(*) FILTER (WHERE score >= 9)
             - count(*) FILTER (WHERE score <= 6)) / count(*)

on ROWS rows (default 10 000 000), overall and grouped by channel, on one
server without and with parallel workers, and on a local Citus cluster
(coordinator + two workers on 127.0.0.1, rows distributed by customer).
Each query runs REPEAT times (default 5) after one warm-up; the median wall
time and nanoseconds per row are printed as a Markdown table.

  sudo python3 postgresql/bench/bench_pg.py [--rows N] [--repeat R] [--no-citus]

Needs root to install the extension into the server (as the tests do) and,
for the Citus rows, Citus installed (the `postgresql` test suite builds it).
Environment: CXM_PG_MODULE (default build/postgresql/cxm.so).
"""

import argparse
import os
import statistics
import sys
import time

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

QUERIES = [
    ("cxm_nps(score)", "SELECT cxm_nps(score) FROM {t}"),
    ("plain SQL count expression",
     "SELECT 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*) FROM {t}"),
    ("cxm_nps(score) GROUP BY channel", "SELECT channel, cxm_nps(score) FROM {t} GROUP BY channel"),
    ("plain SQL GROUP BY channel",
     "SELECT channel, 100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*) "
     "FROM {t} GROUP BY channel"),
    ("count(*) (the scan alone)", "SELECT count(*) FROM {t}"),
]

SERIAL = "SET max_parallel_workers_per_gather = 0; SET jit = off; "
PARALLEL = ("SET max_parallel_workers_per_gather = {w}; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; "
            "SET min_parallel_table_scan_size = 0; SET jit = off; ")


def timed(cluster, sql, repeat):
    cluster.psql(sql)  # warm-up: caches and buffers
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        cluster.psql(sql)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench(cluster, table, prefix, label, rows, repeat, out):
    # psql's own start-up, measured and subtracted.
    base = timed(cluster, prefix + "SELECT 1", repeat)
    for name, q in QUERIES:
        t = max(timed(cluster, prefix + q.format(t=table), repeat) - base, 1e-9)
        out.append((label, name, t, t / rows * 1e9))
        print("%-34s %-34s %8.3f s %7.1f ns/row" % (label, name, t, t / rows * 1e9), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10000000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-citus", action="store_true")
    a = ap.parse_args()
    pgcluster.install_extension(MODULE)
    clusters = pgcluster.Clusters(prefix="cxm-bench-")
    out = []
    conf = "shared_buffers = 2GB\nmax_parallel_workers_per_gather = 0\n"
    c = clusters.new("single", conf)
    c.start()
    c.psql("CREATE EXTENSION cxm")
    c.script(TABLE_SQL.format(name="events", rows=a.rows))
    c.psql("VACUUM ANALYZE events")
    a_nps = c.psql("SELECT cxm_nps(score) FROM events").strip()
    b_nps = c.psql(QUERIES[1][1].format(t="events")).strip()
    print("check: cxm_nps %s, plain SQL %s" % (a_nps, b_nps), flush=True)
    bench(c, "events", SERIAL, "one server, no parallel workers", a.rows, a.repeat, out)
    bench(c, "events", PARALLEL.format(w=a.workers), "one server, %d parallel workers" % a.workers, a.rows,
          a.repeat, out)
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
        co.psql("CREATE TABLE events (customer bigint, channel text, score int); "
                "SELECT create_distributed_table('events', 'customer')")
        co.script(TABLE_SQL.replace("CREATE TABLE {name} (customer bigint, channel text, score int);", "")
                  .format(name="events", rows=a.rows))
        co.psql("VACUUM ANALYZE events")
        bench(co, "events", "SET jit = off; ", "Citus, coordinator + 2 workers", a.rows, a.repeat, out)
    print()
    print("| setup | query | median s | ns/row |")
    print("|---|---|---:|---:|")
    for label, name, t, ns in out:
        print("| %s | %s | %.3f | %.1f |" % (label, name, t, ns))
    clusters.cleanup()


if __name__ == "__main__":
    main()
