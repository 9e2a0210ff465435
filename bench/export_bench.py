#!/usr/bin/env python3
"""Measure Ferry's exports against sqlite3 and PostgreSQL's COPY.

For each backend and order count, the script seeds a fresh database with
`ferry seed` and starts `ferry serve` (release build). It times an export
in every format from the request to completion and reads the server's peak
resident memory (VmHWM, reset before each export through
/proc/PID/clear_refs). In the same run it times `sqlite3 -csv` and
`COPY (SELECT ...) TO STDOUT (FORMAT csv)` over the same rows and columns,
and writes the results to its own section of BENCHMARKS.md, keeping the
rest of the file.

Usage: python3 bench/export_bench.py [--orders 10000,1000000]
       [--backends sqlite,postgres] [--verify] [--output BENCHMARKS.md]
"""

import argparse
import csv
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from common import EMAIL, TITLE, FerryServer, machine, release_binary, run, section_markers, write_section

FORMATS = ["csv", "json", "ndjson", "xlsx"]
CSV_REPEATS = 3
SECTION = "export-bench"

SQLITE_QUERY = """SELECT o.order_number, strftime('%Y-%m-%dT%H:%M:%SZ', o.placed_at), o.status,
 c.email, c.name, printf('%.2f', o.subtotal_minor / 100.0), printf('%.2f', o.tax_minor / 100.0),
 printf('%.2f', o.total_minor / 100.0), o.currency
 FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.user_id = 1 ORDER BY o.id"""

POSTGRES_QUERY = """SELECT o.order_number, to_char(o.placed_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), o.status,
 c.email, c.name, (o.subtotal_minor / 100.0)::numeric(20,2), (o.tax_minor / 100.0)::numeric(20,2),
 (o.total_minor / 100.0)::numeric(20,2), o.currency
 FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.user_id = 1 ORDER BY o.id"""


class Ferry(FerryServer):
    """A seeded server that runs exports and the reference tools."""

    def __init__(self, binary, backend, orders, workdir):
        super().__init__(binary, backend, f"{backend}_{orders}", workdir)

    def prepare(self, orders):
        self.create_user()
        started = time.monotonic()
        run(self.args("seed", "--user", EMAIL, "--orders", str(orders)))
        return time.monotonic() - started

    def export(self, fmt):
        """Runs one export; returns (seconds, peak KiB, job)."""
        self.reset_peak_memory()
        started = time.monotonic()
        job = self.request("POST", "/api/exports", {"dataset": "orders", "format": fmt})
        while job["status"] not in ("completed", "failed", "cancelled"):
            time.sleep(0.02)
            job = self.request("GET", f"/api/exports/{job['id']}")
        seconds = time.monotonic() - started
        if job["status"] != "completed":
            raise RuntimeError(f"export failed: {job}")
        return seconds, self.peak_memory_kib(), job

    def download(self, job, path):
        with urllib.request.urlopen(self.url_for(job["downloadUrl"]), timeout=600) as response:
            with open(path, "wb") as out:
                shutil.copyfileobj(response, out)

    def reference_csv(self, out_path):
        """Times the reference tool over the same rows and columns."""
        if self.backend == "sqlite":
            command = ["sqlite3", "-csv", "-header", f"{self.data_dir}/ferry.db", SQLITE_QUERY]
            name = "sqlite3 -csv"
        else:
            command = ["psql", self.url, "-qc", f"COPY ({POSTGRES_QUERY}) TO STDOUT (FORMAT csv, HEADER)"]
            name = "COPY … TO STDOUT"
        started = time.monotonic()
        with open(out_path, "wb") as out:
            subprocess.run(command, stdout=out, check=True)
        return name, time.monotonic() - started


def verify(fmt, path, expected):
    """Parses the file with a standard reader and checks the row count."""
    if fmt == "csv":
        with open(path, newline="", encoding="utf-8") as handle:
            count = sum(1 for _ in csv.DictReader(handle))
    elif fmt == "json":
        with open(path, encoding="utf-8") as handle:
            count = len(json.load(handle))
    elif fmt == "ndjson":
        with open(path, encoding="utf-8") as handle:
            count = sum(1 for line in handle if json.loads(line))
    else:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        # Every sheet repeats the header row; count the data rows it holds.
        count = sum(sum(1 for _ in sheet.iter_rows(values_only=True)) - 1 for sheet in book.worksheets)
    if count != expected:
        raise RuntimeError(f"{fmt}: parsed {count} rows, expected {expected}")
    return count


def measure(binary, backend, orders, workdir, check):
    ferry = Ferry(binary, backend, orders, workdir)
    rows = []
    try:
        seeded = ferry.prepare(orders)
        print(f"{backend}: seeded {orders} orders in {seeded:.1f} s", flush=True)
        ferry.start()
        reference_out = os.path.join(ferry.data_dir, "reference.csv")
        timings = []
        for fmt in FORMATS:
            repeats = CSV_REPEATS if fmt == "csv" else 1
            runs = []
            for _ in range(repeats):
                runs.append(ferry.export(fmt))
                if fmt == "csv":
                    # Alternate with the reference tool, so that both see the
                    # same load on the machine.
                    name, seconds = ferry.reference_csv(reference_out)
                    timings.append(seconds)
            seconds = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            job = runs[-1][2]
            verified = ""
            if check:
                path = os.path.join(ferry.data_dir, f"export.{fmt}")
                ferry.download(job, path)
                verified = verify(fmt, path, orders)
                os.remove(path)
            rows.append({"backend": backend, "orders": orders, "format": fmt, "seconds": seconds,
                         "peak_mib": peak / 1024, "bytes": job["byteSize"], "verified": verified})
            print(f"{backend} {orders} {fmt}: {seconds:.2f} s, peak {peak / 1024:.1f} MiB", flush=True)
        os.remove(reference_out)
        rows.append({"backend": backend, "orders": orders, "format": "csv", "reference": name,
                     "seconds": statistics.median(timings)})
        print(f"{backend} {orders} {name}: {statistics.median(timings):.2f} s", flush=True)
    finally:
        ferry.stop()
    return rows


def report(results, command, output):
    lines = [
        "## Exports",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine()}. Run on {datetime.date.today().isoformat()}.",
        "",
        "Each export is of the `orders` dataset, from the request to the job's completion as seen by a",
        "client polling every 20 ms, through `ferry serve --workers 1` (release build). Peak memory is",
        "the server's VmHWM, reset before each export. CSV times are the median of three runs, each",
        "followed by a run of the reference tool over the same rows and columns.",
        "",
        "### Export times and memory",
        "",
        "| backend | orders | format | time (s) | rows/s | file size (MiB) | server peak memory (MiB) | rows parsed back |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    exports = [r for r in results if "reference" not in r]
    for r in exports:
        lines.append(f"| {r['backend']} | {r['orders']:,} | {r['format']} | {r['seconds']:.2f} | "
                     f"{r['orders'] / r['seconds']:,.0f} | {r['bytes'] / 1048576:.1f} | {r['peak_mib']:.1f} | "
                     f"{r['verified'] if r['verified'] != '' else 'not checked'} |")

    lines += ["", "### CSV against the reference tools", "",
              "| backend | orders | reference | reference time (s) | Ferry CSV time (s) | Ferry / reference |",
              "| --- | ---: | --- | ---: | ---: | ---: |"]
    for ref in (r for r in results if "reference" in r):
        ferry = next(r for r in exports if r["backend"] == ref["backend"] and r["orders"] == ref["orders"] and r["format"] == "csv")
        lines.append(f"| {ref['backend']} | {ref['orders']:,} | `{ref['reference']}` | {ref['seconds']:.2f} | "
                     f"{ferry['seconds']:.2f} | {ferry['seconds'] / ref['seconds']:.2f} |")

    sizes = sorted({r["orders"] for r in exports})
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        lines += ["", f"### Memory growth from {small:,} to {large:,} orders", "",
                  "| backend | format | peak at small (MiB) | peak at large (MiB) | growth (MiB) |",
                  "| --- | --- | ---: | ---: | ---: |"]
        for backend in sorted({r["backend"] for r in exports}):
            for fmt in FORMATS:
                a = next((r for r in exports if r["backend"] == backend and r["orders"] == small and r["format"] == fmt), None)
                b = next((r for r in exports if r["backend"] == backend and r["orders"] == large and r["format"] == fmt), None)
                if a and b:
                    lines.append(f"| {backend} | {fmt} | {a['peak_mib']:.1f} | {b['peak_mib']:.1f} | {b['peak_mib'] - a['peak_mib']:.1f} |")
    write_section(output, SECTION, lines, before_update=drop_unmarked_exports)


def drop_unmarked_exports(text):
    """Replaces export results that an earlier version of this script wrote
    without section markers with an empty section in the same place. Those
    results run from the line after the title to the first section of
    another script, or to the end of the file."""
    start, end = section_markers(SECTION)
    unmarked = TITLE + "\n\nCommand: `python3 bench/export_bench.py"
    if start in text or not text.startswith(unmarked):
        return text
    other_section = re.search(r"^<!-- [a-z-]+:start -->$", text, re.MULTILINE)
    rest = "\n\n" + text[other_section.start():] if other_section else "\n"
    return f"{TITLE}\n\n{start}\n{end}{rest}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", default="10000,1000000", help="comma-separated order counts")
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--binary", default=None, help="ferry binary (default: the release build)")
    parser.add_argument("--verify", action="store_true", help="parse every file back and count its rows")
    parser.add_argument("--output", default="BENCHMARKS.md")
    args = parser.parse_args()

    binary = release_binary(args.binary)

    results = []
    with tempfile.TemporaryDirectory(prefix="ferry-bench-") as workdir:
        for backend in args.backends.split(","):
            for orders in (int(n) for n in args.orders.split(",")):
                results += measure(binary, backend, orders, workdir, args.verify)
    report(results, "python3 " + " ".join(sys.argv), args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
