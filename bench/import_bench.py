#!/usr/bin/env python3
"""Measure Ferry's imports against `sqlite3 .import` and PostgreSQL's COPY.

For each order count the script generates orders files with a fixed seed,
as CSV, NDJSON and XLSX, once with every row valid and once with every 20th
row invalid (5%). For each backend, count, format and variant it creates a
new database and account, starts `ferry serve --workers 1` (release build),
uploads the file and imports it. It times the import from POST /api/imports
to the completed job, reads the server's peak resident memory (VmHWM, reset
through /proc/PID/clear_refs right before POST /api/imports), and checks
the job's counts against the generated rows. In the same run it times
`sqlite3 .import` and `COPY ... FROM STDIN (FORMAT csv)` of the valid CSV
into a new table with the same columns, and writes the results to its own
section of BENCHMARKS.md, keeping the rest of the file.

An import that fails or whose counts differ from the expected ones is
reported with its job JSON and the end of the server log. The script then
goes on with the other imports and exits with status 1 at the end.

Usage: python3 bench/import_bench.py [--rows 10000,1000000]
       [--backends sqlite,postgres] [--formats csv,ndjson,xlsx]
       [--output BENCHMARKS.md]
"""

import argparse
import csv
import datetime
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error

from common import (FerryServer, create_postgres_database, drop_postgres_database, machine,
                    release_binary, run, write_section)

FORMATS = ["csv", "ndjson", "xlsx"]
BACKENDS = ["sqlite", "postgres"]
VARIANTS = ["valid", "invalid"]
CONTENT_TYPES = {
    "csv": "text/csv",
    "ndjson": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BACKEND_TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
COLUMNS = ["order_number", "placed_at", "status", "customer_email", "customer_name",
           "subtotal", "tax", "total", "currency"]
# The same list as ORDER_STATUSES in src/datasets/filters.rs.
STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled", "refunded"]
SEED = 20240301
ORDERS_PER_CUSTOMER = 5
# Every INVALID_EVERY-th row of the invalid variant is invalid, so 5% of it.
INVALID_EVERY = 20
TAX_PERCENT = 21
FIRST_ORDER_AT = datetime.datetime(2024, 1, 1)
POLL_SECONDS = 0.05
SECTION = "import-bench"

# Targets: a CSV import at most this many times the reference tool's time,
# and peak memory at the largest count at most this much above the smallest.
REFERENCE_RATIO_TARGET = 4.0
MEMORY_GROWTH_TARGET_MIB = 64
TARGET_ROWS = 1_000_000
MEMORY_TARGET_FORMATS = ["csv", "ndjson"]

REFERENCE_SQLITE_TABLE = """CREATE TABLE orders_ref (order_number TEXT, placed_at TEXT, status TEXT,
 customer_email TEXT, customer_name TEXT, subtotal NUMERIC, tax NUMERIC, total NUMERIC, currency TEXT)"""
REFERENCE_POSTGRES_TABLE = """CREATE TABLE orders_ref (order_number text, placed_at timestamptz, status text,
 customer_email text, customer_name text, subtotal numeric(12,2), tax numeric(12,2), total numeric(12,2),
 currency char(3))"""
SQLITE_REFERENCE = "sqlite3 .import"
POSTGRES_REFERENCE = "COPY … FROM STDIN (FORMAT csv)"


class ImportFailed(RuntimeError):
    """An import job that failed or whose counts are not the expected ones."""


def amount(minor):
    return f"{minor // 100}.{minor % 100:02d}"


def generate_orders(count):
    """Yields `(index, fields)` for `count` orders, the same for every run.

    `fields` maps each column to its value: a string, except for
    `placed_at` (a datetime) and the amounts (integers in cents), which each
    writer formats itself.
    """
    rng = random.Random(SEED)
    customers = max(1, count // ORDERS_PER_CUSTOMER)
    for index in range(count):
        customer = rng.randrange(customers)
        subtotal = rng.randint(500, 99_999)
        tax = subtotal * TAX_PERCENT // 100
        yield index, {
            "order_number": f"ORD-{index + 1:07d}",
            "placed_at": FIRST_ORDER_AT + datetime.timedelta(seconds=index * 30 + rng.randrange(30)),
            "status": rng.choice(STATUSES),
            "customer_email": f"customer{customer:06d}@example.test",
            "customer_name": f"Customer {customer:06d}",
            "subtotal": subtotal,
            "tax": tax,
            "total": subtotal + tax,
            "currency": "EUR",
        }


def make_invalid(index, fields):
    """Breaks one field of the row, in turn the email, the status or the total."""
    broken = dict(fields)
    kind = (index // INVALID_EVERY) % 3
    if kind == 0:
        broken["customer_email"] = fields["customer_email"].replace("@", ".")
    elif kind == 1:
        broken["status"] = "lost"
    else:
        broken["total"] = fields["total"] + 1
    return broken


def is_invalid_row(index):
    return index % INVALID_EVERY == INVALID_EVERY - 1


def text_values(fields):
    values = dict(fields)
    values["placed_at"] = fields["placed_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
    for column in ("subtotal", "tax", "total"):
        values[column] = amount(fields[column])
    return values


def xlsx_values(fields):
    """Returns the row as a spreadsheet stores it: a date-time cell and number cells."""
    values = [fields[column] for column in COLUMNS]
    for column in ("subtotal", "tax", "total"):
        values[COLUMNS.index(column)] = fields[column] / 100
    return values


class OrderFiles:
    """The generated files of one order count, and the counts an import of
    each variant must report."""

    def __init__(self, folder, count, formats):
        self.folder = folder
        self.count = count
        self.formats = formats
        self.expected = {}

    def path(self, fmt, variant):
        return os.path.join(self.folder, f"orders-{self.count}-{variant}.{fmt}")

    def generate(self):
        import openpyxl

        os.makedirs(self.folder, exist_ok=True)
        # The reference tools read the valid CSV, so it is written even
        # when CSV imports are not measured.
        formats = sorted(set(self.formats) | {"csv"})
        handles, csv_writers, books, sheets = {}, {}, {}, {}
        for variant in VARIANTS:
            for fmt in formats:
                if fmt == "xlsx":
                    books[variant] = openpyxl.Workbook(write_only=True)
                    sheets[variant] = books[variant].create_sheet("orders")
                    sheets[variant].append(COLUMNS)
                    continue
                handles[fmt, variant] = open(self.path(fmt, variant), "w", newline="", encoding="utf-8")
                if fmt == "csv":
                    csv_writers[variant] = csv.writer(handles[fmt, variant])
                    csv_writers[variant].writerow(COLUMNS)

        customers = {variant: set() for variant in VARIANTS}
        invalid = 0
        for index, fields in generate_orders(self.count):
            rows = {"valid": fields, "invalid": fields}
            if is_invalid_row(index):
                rows["invalid"] = make_invalid(index, fields)
                invalid += 1
            else:
                customers["invalid"].add(fields["customer_email"])
            customers["valid"].add(fields["customer_email"])
            texts = {"valid": text_values(fields)}
            texts["invalid"] = texts["valid"] if rows["invalid"] is fields else text_values(rows["invalid"])
            for variant, row in rows.items():
                text = texts[variant]
                if variant in csv_writers:
                    csv_writers[variant].writerow([text[column] for column in COLUMNS])
                if ("ndjson", variant) in handles:
                    handles["ndjson", variant].write(json.dumps(text, separators=(",", ":")) + "\n")
                if variant in sheets:
                    sheets[variant].append(xlsx_values(row))

        for handle in handles.values():
            handle.close()
        for variant, book in books.items():
            book.save(self.path("xlsx", variant))
        self.expected = {
            "valid": {"totalRows": self.count, "imported": self.count, "failed": 0,
                      "customersCreated": len(customers["valid"])},
            "invalid": {"totalRows": self.count, "imported": self.count - invalid, "failed": invalid,
                        "customersCreated": len(customers["invalid"])},
        }


def error_body(error):
    """Returns the text of an HTTP error's response, for messages."""
    try:
        return error.read().decode("utf-8", "replace")
    except OSError:
        return ""


class ImportServer(FerryServer):
    """A server with a new account that uploads and imports files."""

    def upload(self, path, fmt):
        """Uploads `path` and returns (seconds, upload key)."""
        size = os.path.getsize(path)
        started = time.monotonic()
        address = self.request("POST", "/api/uploads", {
            "filename": "orders." + fmt, "size": size, "contentType": CONTENT_TYPES[fmt]})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600, blocksize=1 << 20)
        try:
            with open(path, "rb") as body:
                # http.client sends a file body in blocks, so the file is
                # never held in memory whole.
                connection.request("PUT", address["uploadUrl"], body=body, headers={
                    "Content-Type": CONTENT_TYPES[fmt], "Content-Length": str(size)})
                response = connection.getresponse()
                response_body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"PUT of {path} failed with status {response.status}: "
                               f"{response_body.decode('utf-8', 'replace')}")
        stored = json.loads(response_body)
        if stored["size"] != size:
            raise RuntimeError(f"the server stored {stored['size']} bytes of {path}, expected {size}")
        return time.monotonic() - started, address["uploadKey"]

    def run_import(self, upload_key, timeout):
        """Imports the upload and returns (seconds, peak KiB, job)."""
        self.reset_peak_memory()
        started = time.monotonic()
        job = self.request("POST", "/api/imports", {"dataset": "orders", "uploadKey": upload_key, "options": {}})
        while job["status"] not in ("completed", "failed", "cancelled"):
            if time.monotonic() - started > timeout:
                raise ImportFailed(f"the import did not finish within {timeout} s; last job JSON: {json.dumps(job)}")
            time.sleep(POLL_SECONDS)
            job = self.request("GET", f"/api/imports/{job['id']}")
        return time.monotonic() - started, self.peak_memory_kib(), job

    def log_tail(self, lines=20):
        try:
            with open(self.log_path(), encoding="utf-8", errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except OSError as error:
            return f"(server log not readable: {error})"


def check_counts(job, expected):
    """Raises ImportFailed unless the job completed with the expected counts."""
    if job["status"] != "completed":
        raise ImportFailed(f"the import ended as {job['status']} with error {job.get('error')!r}")
    wrong = [f"{name} is {job.get(name)!r}, expected {value}"
             for name, value in expected.items() if job.get(name) != value]
    if wrong:
        raise ImportFailed("the import completed with wrong counts: " + "; ".join(wrong))


def measure_import(binary, backend, files, fmt, variant, workdir, timeout):
    """Imports one file into a new database and returns the result row."""
    rows = files.count
    result = {"backend": backend, "rows": rows, "format": fmt, "variant": variant,
              "bytes": os.path.getsize(files.path(fmt, variant))}
    server = ImportServer(binary, backend, f"{backend}_{rows}_{fmt}_{variant}", workdir)
    job = None
    try:
        server.create_user()
        server.start()
        result["upload_seconds"], upload_key = server.upload(files.path(fmt, variant), fmt)
        result["seconds"], peak_kib, job = server.run_import(upload_key, timeout)
        result["peak_mib"] = peak_kib / 1024
        check_counts(job, files.expected[variant])
        result["imported"], result["failed"] = job["imported"], job["failed"]
        print(f"{backend} {rows} {fmt} {variant}: upload {result['upload_seconds']:.2f} s, "
              f"import {result['seconds']:.2f} s, peak {result['peak_mib']:.1f} MiB, "
              f"imported {job['imported']}, failed {job['failed']}", flush=True)
    except (ImportFailed, RuntimeError, OSError, urllib.error.URLError, KeyError, ValueError) as error:
        detail = error_body(error) if isinstance(error, urllib.error.HTTPError) else ""
        result["error"] = (f"{backend} {rows} {fmt} {variant}: {error} {detail}".strip()
                           + f"\njob JSON: {json.dumps(job)}\nend of the server log:\n{server.log_tail()}")
        print("IMPORT FAILED: " + result["error"], file=sys.stderr, flush=True)
    finally:
        server.remove()
    return result


def count_reference_rows(backend, target):
    if backend == "sqlite":
        output = run(["sqlite3", target, "SELECT count(*) FROM orders_ref"])
    else:
        output = run(["psql", target, "-Atqc", "SELECT count(*) FROM orders_ref"])
    return int(output.strip())


def time_reference(backend, csv_path, rows, workdir, repeats):
    """Loads the CSV with the backend's own tool `repeats` times, each into
    a new table, and returns the fastest time in seconds."""
    best = None
    database = None
    try:
        if backend == "postgres":
            database = f"ferry_bench_reference_{rows}_{os.getpid()}"
            target = create_postgres_database(database)
        for attempt in range(repeats):
            if backend == "sqlite":
                target = os.path.join(workdir, f"reference-{rows}-{attempt}.db")
                run(["sqlite3", target, REFERENCE_SQLITE_TABLE])
                command = ["sqlite3", target]
                script = f".mode csv\n.import --skip 1 {csv_path} orders_ref\n"
            else:
                run(["psql", target, "-qc", "DROP TABLE IF EXISTS orders_ref"])
                run(["psql", target, "-qc", REFERENCE_POSTGRES_TABLE])
                command = ["psql", target, "-v", "ON_ERROR_STOP=1", "-qc",
                           "COPY orders_ref FROM STDIN (FORMAT csv, HEADER true)"]
            started = time.monotonic()
            if backend == "sqlite":
                run(command, input_text=script)
            else:
                with open(csv_path, "rb") as source:
                    subprocess.run(command, stdin=source, check=True, capture_output=True)
            seconds = time.monotonic() - started
            loaded = count_reference_rows(backend, target)
            if loaded != rows:
                raise RuntimeError(f"{backend} reference tool loaded {loaded} rows of {csv_path}, expected {rows}")
            if backend == "sqlite":
                os.remove(target)
            best = seconds if best is None else min(best, seconds)
    finally:
        if database:
            drop_postgres_database(database)
    return best


FLOOR_STAGING_COLUMNS = ("order_number text, placed_at text, status text, customer_email text, "
                         "customer_name text, subtotal numeric, tax numeric, total numeric, currency text")

FLOOR_INSERTS = """INSERT INTO customers (user_id, email, name, created_at, updated_at)
 SELECT 1, customer_email, min(customer_name), '2024-01-01 00:00:00', '2024-01-01 00:00:00'
 FROM staging GROUP BY customer_email ON CONFLICT DO NOTHING;
INSERT INTO orders (user_id, order_number, customer_id, status, currency, subtotal_minor, tax_minor,
 total_minor, placed_at, created_at, updated_at)
 SELECT 1, s.order_number, c.id, s.status, s.currency, CAST(ROUND(s.subtotal * 100) AS BIGINT),
 CAST(ROUND(s.tax * 100) AS BIGINT), CAST(ROUND(s.total * 100) AS BIGINT), CAST(s.placed_at AS TIMESTAMP),
 CAST(s.placed_at AS TIMESTAMP), '2024-01-01 00:00:00'
 FROM staging s JOIN customers c ON c.user_id = 1 AND c.email = s.customer_email WHERE true
 ON CONFLICT (user_id, order_number) DO UPDATE SET status = excluded.status;
"""


def time_schema_floor(binary, backend, csv_path, rows, workdir):
    """Loads the CSV into Ferry's own customers and orders tables with one
    set-based statement each, after the backend's loader has put it in a
    staging table, and returns the seconds. This is the database's own cost
    for the keys, indexes and foreign keys of Ferry's schema, with no
    validation or chunking."""
    server = FerryServer(binary, backend, f"floor_{backend}_{rows}", workdir)
    try:
        server.create_user()
        if backend == "sqlite":
            target = server.url.removeprefix("sqlite://")
            script = (f"PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\nPRAGMA foreign_keys=ON;\n"
                      f"CREATE TEMP TABLE staging ({FLOOR_STAGING_COLUMNS});\n.mode csv\n"
                      f".import --skip 1 {csv_path} staging\n{FLOOR_INSERTS}")
            started = time.monotonic()
            run(["sqlite3", target], input_text=script)
        else:
            script = (f"CREATE TEMP TABLE staging ({FLOOR_STAGING_COLUMNS});\n"
                      f"\\copy staging FROM '{csv_path}' (FORMAT csv, HEADER true)\n{FLOOR_INSERTS}")
            started = time.monotonic()
            run(["psql", server.url, "-v", "ON_ERROR_STOP=1", "-q"], input_text=script)
        seconds = time.monotonic() - started
        query = "SELECT count(*) FROM orders"
        if backend == "sqlite":
            loaded = int(run(["sqlite3", target, query]).strip())
        else:
            loaded = int(run(["psql", server.url, "-Atqc", query]).strip())
        if loaded != rows:
            raise RuntimeError(f"the set-based load into Ferry's tables stored {loaded} orders, expected {rows}")
        return seconds
    finally:
        server.remove()


def reference_name(backend):
    return SQLITE_REFERENCE if backend == "sqlite" else POSTGRES_REFERENCE


def find(results, **criteria):
    return next((r for r in results if all(r.get(key) == value for key, value in criteria.items())), None)


def succeeded(result):
    return result is not None and "error" not in result


def format_result_row(r):
    size = f"{r['bytes'] / 1048576:.1f}"
    if "error" in r:
        return f"| {r['rows']:,} | {r['format']} | {r['variant']} | {size} | failed, see Errors | | | | | |"
    return (f"| {r['rows']:,} | {r['format']} | {r['variant']} | {size} | {r['upload_seconds']:.2f} | "
            f"{r['seconds']:.2f} | {r['rows'] / r['seconds']:,.0f} | {r['peak_mib']:.1f} | "
            f"{r['imported']:,} | {r['failed']:,} |")


def target_note(size):
    return "" if size == TARGET_ROWS else f" (measured at {size:,} rows; the target is set at {TARGET_ROWS:,})"


def verdict(passed):
    return "PASS" if passed else "FAIL"


def target_lines(imports, references, backends, formats, sizes):
    lines = []
    large = sizes[-1]
    for backend in backends:
        ferry = find(imports, backend=backend, rows=large, format="csv", variant="valid")
        reference = references.get((backend, large))
        label = f"CSV import of {large:,} valid orders on {backend}, at most {REFERENCE_RATIO_TARGET:.1f} × `{reference_name(backend)}`"
        if not succeeded(ferry) or reference is None:
            lines.append(f"- {label}: not measured in this run.")
            continue
        ratio = ferry["seconds"] / reference
        lines.append(f"- {label}: {ratio:.2f} ×, {verdict(ratio <= REFERENCE_RATIO_TARGET)}{target_note(large)}.")

    small = sizes[0]
    for backend in backends:
        for fmt in MEMORY_TARGET_FORMATS:
            label = (f"Peak memory importing {large:,} {fmt} rows on {backend} within "
                     f"{MEMORY_GROWTH_TARGET_MIB} MiB of the peak importing {small:,}")
            growths = []
            for variant in VARIANTS:
                small_run = find(imports, backend=backend, rows=small, format=fmt, variant=variant)
                large_run = find(imports, backend=backend, rows=large, format=fmt, variant=variant)
                if succeeded(small_run) and succeeded(large_run):
                    growths.append(large_run["peak_mib"] - small_run["peak_mib"])
            if len(sizes) < 2 or len(growths) < len(VARIANTS):
                lines.append(f"- {label}: not measured in this run.")
                continue
            worst = max(growths)
            lines.append(f"- {label}: largest growth {worst:.1f} MiB, "
                         f"{verdict(worst <= MEMORY_GROWTH_TARGET_MIB)}{target_note(large)}.")
    if "xlsx" in formats:
        lines.append("- XLSX peak memory: reported in the tables above, with no target. Beyond the "
                     "rows in flight it grows with the workbook's shared-strings table, which calamine "
                     "keeps in memory whole. openpyxl writes text as inline strings, so these files "
                     "have no such table; a workbook saved by Excel or LibreOffice keeps its text "
                     "there, and the peak then grows with the distinct text of the file.")
    return lines


def paragraph(text):
    return textwrap.wrap(text, width=100, break_long_words=False, break_on_hyphens=False)


def report(imports, references, floors, args, command):
    backends = args.backends
    sizes = args.rows
    lines = [
        "## Imports",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine()}. Run on {datetime.date.today().isoformat()}.",
        "",
        *paragraph(
            "Each import is of an `orders` file into a new database with a new account, through "
            "`ferry serve --workers 1` (release build). The files are generated with a fixed seed, "
            f"with one customer email for every {ORDERS_PER_CUSTOMER} orders. In the invalid variant "
            f"every {INVALID_EVERY}th row is invalid: in turn a bad email, an unknown status, or a "
            "total that is not subtotal plus tax. Upload time covers POST /api/uploads and the PUT of "
            "the file. Import time runs from POST /api/imports to the completed job, as seen by a "
            f"client polling every {POLL_SECONDS * 1000:.0f} ms, and rows/s counts every row of the "
            "file. Peak memory is the server's VmHWM, reset right before POST /api/imports. Each "
            "import ran once. Its total, imported, failed and created-customer counts matched the "
            "generated rows unless it is listed under Errors."),
    ]
    for backend in backends:
        lines += ["", f"### {BACKEND_TITLES[backend]}", "",
                  "| rows | format | variant | file size (MiB) | upload (s) | import (s) | rows/s "
                  "| server peak memory (MiB) | imported | failed |",
                  "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        lines += [format_result_row(r) for r in imports if r["backend"] == backend]

    lines += ["", "### CSV against the reference tools", "",
              *paragraph(
                  f"Reference times are the best of {args.reference_repeats} runs, each loading the "
                  "valid CSV into a new table with the same columns and no keys or indexes: "
                  "`sqlite3 DB` with `.mode csv` and `.import --skip 1`, and "
                  "`psql -c \"COPY orders_ref FROM STDIN (FORMAT csv, HEADER true)\"` with the file "
                  "on standard input."),
              "",
              "| backend | rows | reference | reference time (s) | Ferry CSV import (s) | Ferry / reference |",
              "| --- | ---: | --- | ---: | ---: | ---: |"]
    for (backend, rows), seconds in references.items():
        ferry = find(imports, backend=backend, rows=rows, format="csv", variant="valid")
        if succeeded(ferry):
            ferry_text, ratio = f"{ferry['seconds']:.2f}", f"{ferry['seconds'] / seconds:.2f}"
        else:
            ferry_text, ratio = "not measured", ""
        lines.append(f"| {backend} | {rows:,} | `{reference_name(backend)}` | {seconds:.2f} | {ferry_text} | {ratio} |")

    lines += ["", "### CSV against a set-based load into Ferry's own tables", "",
              *paragraph(
                  "For context, with no target: the database's loader puts the valid CSV in a "
                  "staging table, then one INSERT … SELECT fills Ferry's customers table and one "
                  "INSERT … SELECT … ON CONFLICT fills its orders table, with the same keys, "
                  "indexes and foreign keys that Ferry's import writes through. This is the cost "
                  "of the schema itself, without validation, error reports or chunks."),
              "",
              "| backend | rows | set-based load (s) | Ferry CSV import (s) | Ferry / set-based load |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for (backend, rows), seconds in floors.items():
        ferry = find(imports, backend=backend, rows=rows, format="csv", variant="valid")
        if succeeded(ferry):
            lines.append(f"| {backend} | {rows:,} | {seconds:.2f} | {ferry['seconds']:.2f} | "
                         f"{ferry['seconds'] / seconds:.2f} |")

    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        lines += ["", f"### Memory growth from {small:,} to {large:,} rows", "",
                  "| backend | format | variant | peak at small (MiB) | peak at large (MiB) | growth (MiB) |",
                  "| --- | --- | --- | ---: | ---: | ---: |"]
        for backend in backends:
            for fmt in args.formats:
                for variant in VARIANTS:
                    small_run = find(imports, backend=backend, rows=small, format=fmt, variant=variant)
                    large_run = find(imports, backend=backend, rows=large, format=fmt, variant=variant)
                    if succeeded(small_run) and succeeded(large_run):
                        growth = large_run["peak_mib"] - small_run["peak_mib"]
                        lines.append(f"| {backend} | {fmt} | {variant} | {small_run['peak_mib']:.1f} | "
                                     f"{large_run['peak_mib']:.1f} | {growth:.1f} |")

    lines += ["", "### Targets", ""] + target_lines(imports, references, backends, args.formats, sizes)

    errors = [r["error"] for r in imports if "error" in r]
    if errors:
        lines += ["", "### Errors", ""]
        for error in errors:
            lines += ["```", error.rstrip(), "```", ""]
        lines.pop()
    write_section(args.output, SECTION, lines)


def parse_list(text, allowed, option):
    items = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in items if item not in allowed]
    if unknown or not items:
        raise SystemExit(f"{option} {text!r} is invalid; use a comma-separated list of {', '.join(allowed)}")
    return [item for item in allowed if item in items]


def parse_sizes(text):
    try:
        sizes = sorted({int(item) for item in text.split(",")})
    except ValueError:
        raise SystemExit(f"--rows {text!r} is invalid; use comma-separated positive row counts such as 10000,1000000")
    if not sizes or sizes[0] < 1:
        raise SystemExit(f"--rows {text!r} is invalid; every row count must be at least 1")
    return sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="10000,1000000", help="comma-separated row counts (default: 10000,1000000)")
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--formats", default="csv,ndjson,xlsx", help="any of csv, ndjson and xlsx")
    parser.add_argument("--binary", default=None, help="ferry binary (default: the release build)")
    parser.add_argument("--reference-repeats", type=int, default=3,
                        help="runs of each reference tool, of which the fastest is reported (default: 3)")
    parser.add_argument("--timeout", type=float, default=7200,
                        help="seconds one import may take before it counts as failed (default: 7200)")
    parser.add_argument("--output", default="BENCHMARKS.md")
    args = parser.parse_args()
    args.rows = parse_sizes(args.rows)
    args.backends = parse_list(args.backends, BACKENDS, "--backends")
    args.formats = parse_list(args.formats, FORMATS, "--formats")
    if args.reference_repeats < 1:
        raise SystemExit("--reference-repeats must be at least 1")
    binary = release_binary(args.binary)

    imports, references, floors = [], {}, {}
    with tempfile.TemporaryDirectory(prefix="ferry-import-bench-") as workdir:
        for rows in args.rows:
            files = OrderFiles(os.path.join(workdir, f"files-{rows}"), rows, args.formats)
            started = time.monotonic()
            files.generate()
            print(f"generated {rows} rows in {time.monotonic() - started:.1f} s", flush=True)
            for backend in args.backends:
                seconds = time_reference(backend, files.path("csv", "valid"), rows, workdir, args.reference_repeats)
                references[backend, rows] = seconds
                print(f"{backend} {rows} {reference_name(backend)}: {seconds:.2f} s", flush=True)
                floors[backend, rows] = time_schema_floor(binary, backend, files.path("csv", "valid"), rows, workdir)
                print(f"{backend} {rows} set-based load into Ferry's tables: {floors[backend, rows]:.2f} s", flush=True)
                for fmt in args.formats:
                    for variant in VARIANTS:
                        imports.append(measure_import(binary, backend, files, fmt, variant, workdir, args.timeout))
            for fmt in set(args.formats) | {"csv"}:
                for variant in VARIANTS:
                    os.remove(files.path(fmt, variant))
    report(imports, references, floors, args, "python3 " + " ".join(sys.argv))
    print(f"wrote {args.output}")
    failures = sum(1 for r in imports if "error" in r)
    if failures:
        sys.exit(f"{failures} of {len(imports)} imports failed or had wrong counts; see the Errors in {args.output}")


if __name__ == "__main__":
    main()
