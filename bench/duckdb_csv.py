"""Times DuckDB's CSV reader loading flow-log files into a table, for `cargo xtask bench-decode`.

    python duckdb_csv.py --runs N --threads T[,T...] FILE...

prints one JSON object per file and thread count: the time of every run in seconds and the
rows loaded. Each run is `CREATE OR REPLACE TABLE` from `read_csv` in an in-memory database,
the peer of flowlog decoding a file into its table. The file is read through the operating
system's page cache, which the first, untimed run warms.
"""

import argparse
import json
import time

import duckdb


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", default="1")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    for threads in [int(t) for t in args.threads.split(",")]:
        connection = duckdb.connect()
        connection.execute(f"SET threads = {threads}")
        for path in args.files:
            # The same reading as a person would write: space-separated, a header line,
            # `-` for a missing value, types sniffed by DuckDB.
            load = (
                "CREATE OR REPLACE TABLE flows AS SELECT * FROM "
                "read_csv(?, delim = ' ', header = true, nullstr = '-')"
            )
            connection.execute(load, [path])
            seconds = []
            for _ in range(args.runs):
                started = time.perf_counter()
                connection.execute(load, [path])
                seconds.append(time.perf_counter() - started)
            rows = connection.execute("SELECT count(*) FROM flows").fetchone()[0]
            columns = len(connection.execute("DESCRIBE flows").fetchall())
            connection.execute("DROP TABLE flows")
            print(
                json.dumps(
                    {
                        "file": path,
                        "threads": threads,
                        "rows": rows,
                        "columns": columns,
                        "seconds": seconds,
                        "duckdb": duckdb.__version__,
                    }
                ),
                flush=True,
            )
        connection.close()


if __name__ == "__main__":
    main()
