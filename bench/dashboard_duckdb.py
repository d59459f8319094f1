"""DuckDB's side of the dashboard benchmark (bench/dashboard.rs).

Loads the raw rows the bench wrote (tallies.csv, reports.csv, places.csv in
DIR) into an in-memory DuckDB (not timed), then computes the same two
dashboard queries as vangnet on both bases, straight from those rows:

- provinces: monthly totals per province and metric, 2016-01 to 2025-12;
- national: the totals per metric of 2025 for the whole country.

Bases: `approved` adds approved report values; `live` adds, per facility,
metric and month, the value of a submitted or approved report, else the
sum of that month's tallies (a draft counts on neither), as vangnet's
rollups do. Each query runs once untimed, then RUNS times timed (execute
and fetch into Python). Prints one JSON object with the results and the
times in ms.

Usage: python dashboard_duckdb.py DIR RUNS
"""

import json
import sys
import time

import duckdb

LOAD = """
CREATE TABLE tallies AS SELECT * FROM read_csv('{dir}/tallies.csv', header = true,
    columns = {{'facility_id': 'INTEGER', 'at': 'TIMESTAMP', 'metric': 'VARCHAR', 'amount': 'INTEGER'}});
CREATE TABLE reports AS SELECT facility_id, CAST(period || '-01' AS DATE) AS month, status, metric, value
    FROM read_csv('{dir}/reports.csv', header = true,
    columns = {{'facility_id': 'INTEGER', 'period': 'VARCHAR', 'status': 'VARCHAR', 'metric': 'VARCHAR', 'value': 'BIGINT'}});
CREATE TABLE places AS SELECT * FROM read_csv('{dir}/places.csv', header = true,
    columns = {{'facility_id': 'INTEGER', 'municipality_code': 'VARCHAR', 'province_code': 'VARCHAR'}});
"""

# The cells of a basis between two months (a FROM clause's subquery):
# facility, metric, month, value.
CELLS = {
    "approved": """(SELECT facility_id, metric, month, value FROM reports
        WHERE status = 'approved' AND month >= DATE '{first}' AND month < DATE '{after}')""",
    "live": """(SELECT facility_id, metric, month, COALESCE(r.value, t.tallied) AS value
        FROM (SELECT facility_id, metric, CAST(date_trunc('month', "at") AS DATE) AS month,
                     SUM(amount) AS tallied
              FROM tallies WHERE "at" >= TIMESTAMP '{first}' AND "at" < TIMESTAMP '{after}'
              GROUP BY ALL) t
        FULL JOIN (SELECT facility_id, metric, month, value FROM reports
              WHERE status IN ('submitted', 'approved')
              AND month >= DATE '{first}' AND month < DATE '{after}') r
        USING (facility_id, metric, month))""",
}

PROVINCES = """SELECT p.province_code, c.metric, strftime(c.month, '%Y-%m'), SUM(c.value)
    FROM {cells} c JOIN places p USING (facility_id) GROUP BY ALL"""

NATIONAL = "SELECT c.metric, SUM(c.value) FROM {cells} c GROUP BY ALL"


def timed(con, sql, runs):
    con.execute(sql).fetchall()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = con.execute(sql).fetchall()
        times.append((time.perf_counter() - started) * 1000.0)
    return rows, times


def main():
    folder, runs = sys.argv[1], int(sys.argv[2])
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(LOAD.format(dir=folder))
    load = time.perf_counter() - started
    out = {
        "version": duckdb.__version__,
        "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
        "load_seconds": load,
        "tallies": con.execute("SELECT COUNT(*) FROM tallies").fetchone()[0],
        "values": con.execute("SELECT COUNT(*) FROM reports").fetchone()[0],
    }
    for basis, cells in CELLS.items():
        ten_years = cells.format(first="2016-01-01", after="2026-01-01")
        one_year = cells.format(first="2025-01-01", after="2026-01-01")
        provinces, provinces_ms = timed(con, PROVINCES.format(cells=ten_years), runs)
        national, national_ms = timed(con, NATIONAL.format(cells=one_year), runs)
        out[basis] = {
            "provinces": [[a, m, p, int(t)] for a, m, p, t in provinces],
            "provinces_ms": provinces_ms,
            "national": [[m, int(t)] for m, t in national],
            "national_ms": national_ms,
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
