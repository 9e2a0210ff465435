"""Helpers shared by the benchmark scripts: a Ferry server driven through
its binary, the machine's description, and the sections of BENCHMARKS.md.
"""

import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

EMAIL = "bench@example.test"
PASSWORD = "benchmark password"
POSTGRES_SERVER = os.environ.get("FERRY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
TITLE = "# Benchmarks"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command, input_text=None):
    result = subprocess.run(command, input=input_text, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr}")
    return result.stdout


def create_postgres_database(name):
    run(["psql", f"{POSTGRES_SERVER}/postgres", "-qc", f"CREATE DATABASE {name}"])
    return f"{POSTGRES_SERVER}/{name}"


def drop_postgres_database(name):
    run(["psql", f"{POSTGRES_SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


def release_binary(requested):
    """Returns the ferry binary to run: `requested`, or the release build."""
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    binary = requested or os.path.join(target, "release", "ferry")
    if not os.path.exists(binary):
        raise SystemExit(f"{binary} is missing; build it with `cargo build --release`")
    return binary


class FerryServer:
    """One data folder and database, driven through the ferry binary.

    `name` names the data folder and, on PostgreSQL, the database
    `ferry_bench_NAME_PID`, so it may contain only letters, digits and
    underscores.
    """

    def __init__(self, binary, backend, name, workdir):
        if not re.fullmatch(r"[a-z0-9_]+", name):
            raise ValueError(f"server name {name!r} must contain only a-z, 0-9 and _")
        self.binary = binary
        self.backend = backend
        self.data_dir = os.path.join(workdir, name)
        os.makedirs(self.data_dir)
        if backend == "postgres":
            self.database = f"ferry_bench_{name}_{os.getpid()}"
            self.url = create_postgres_database(self.database)
        else:
            self.database = None
            self.url = f"sqlite://{self.data_dir}/ferry.db"
        self.port = free_port()
        self.server = None
        self.token = None

    def args(self, *command):
        return [self.binary, "--data-dir", self.data_dir, "--database-url", self.url,
                "--bind", f"127.0.0.1:{self.port}", *command]

    def create_user(self):
        """Creates the benchmark account and keeps an API token for it."""
        run(self.args("user", "create", EMAIL), input_text=PASSWORD + "\n")
        self.token = run(self.args("token", "create", EMAIL)).strip()

    def log_path(self):
        return os.path.join(self.data_dir, "server.log")

    def start(self):
        log = open(self.log_path(), "w")
        self.server = subprocess.Popen(self.args("serve", "--workers", "1"), stderr=log, stdout=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url_for("/healthz"), timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("ferry serve did not start; see " + log.name)

    def stop(self):
        if self.server:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(timeout=60)
            self.server = None
        if self.database:
            drop_postgres_database(self.database)
            self.database = None

    def remove(self):
        """Stops the server, drops its database and deletes its data folder."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def url_for(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url_for(path), data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def reset_peak_memory(self):
        with open(f"/proc/{self.server.pid}/clear_refs", "w") as refs:
            refs.write("5")

    def peak_memory_kib(self):
        with open(f"/proc/{self.server.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmHWM in /proc status")


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        total_kib = int(info.readline().split()[1])
    return f"{os.cpu_count()} cores ({model}), {total_kib / 1024 / 1024:.0f} GiB memory, {platform.system()} {platform.release()}"


def section_markers(name):
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def write_section(output, name, lines, before_update=None):
    """Replaces the section `name` of the Markdown file `output` with `lines`.

    A section is the text between `<!-- NAME:start -->` and
    `<!-- NAME:end -->`, and the rest of the file is kept. A section the
    file lacks is added at its end, and a missing file is created with the
    page title. `before_update`, when given, receives the file's text and
    returns the text to update, so a script can remove an older, unmarked
    form of its section.
    """
    start, end = section_markers(name)
    try:
        with open(output, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        text = ""
    if before_update:
        text = before_update(text)
    block = "\n".join([start, *lines, end])

    first = text.find(start)
    last = text.find(end, first + len(start)) if first >= 0 else -1
    if first >= 0 and last >= 0:
        text = text[:first] + block + text[last + len(end):]
    else:
        if not text.strip():
            text = TITLE + "\n"
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(text)
