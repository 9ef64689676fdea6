#!/usr/bin/env python
"""Throughput and latency of the portal's pages next to bare Django views, under gunicorn.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/run.py                 # full run: 2,000 events, cached and uncached
    .venv/bin/python bench/run.py --smoke         # a few requests per URL, end to end, quickly
    .venv/bin/python bench/run.py --help

Steps: a fresh SQLite database in a temporary directory (or --database-url), ``migrate``,
``seed_demo``, ``collectstatic`` into a temporary STATIC_ROOT, then gunicorn on a free
port of 127.0.0.1 with ``bench.settings``. Every URL is measured with the same load
generator and settings, in interleaved rounds, and the rounds are merged. This is done
once with the portal's cache (``cached``) and once with Django's DummyCache
(``nocache``, every request renders). gunicorn is always stopped at the end.

Load generator: ``wrk`` when installed (``apt-get install -y wrk``), otherwise a small
Python client (threads, http.client). Only 127.0.0.1 is ever contacted; every run is
bounded in requests and in seconds.
"""

import argparse
import collections
import contextlib
import dataclasses
import datetime
import http.client
import json
import math
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"
SEED_COMMAND = ROOT / "events" / "management" / "commands" / "seed_demo.py"
HOST = "127.0.0.1"  # the only address this script ever sends requests to
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

MODES = {
    "cached": "the portal's own cache (files in a temporary CACHE_DIR shared by the workers, as without REDIS_URL)",
    "nocache": "BENCH_DISABLE_CACHE=1: DummyCache, every request renders",
}

# Printed into the subprocess by ``manage.py shell -c``: which theme and event to request.
TARGETS_CODE = """
import json
from django.db.models import Count
from django.utils import timezone
from events.models import Event, MeetingPlace, Theme
from registrations.models import Registration
now = timezone.now()
upcoming = Event.objects.published().upcoming(now)
first = upcoming.order_by("start", "pk").first()
theme = (
    Theme.objects.filter(events__status=Event.Status.PUBLISHED, events__end__gt=now)
    .annotate(upcoming=Count("events"))
    .order_by("-upcoming", "slug")
    .first()
)
print("BENCH-TARGETS " + json.dumps({
    "events_total": Event.objects.count(),
    "events_upcoming_published": upcoming.count(),
    "themes": Theme.objects.count(),
    "places": MeetingPlace.objects.count(),
    "registrations": Registration.objects.count(),
    "event_slug": first.slug if first else None,
    "theme_slug": theme.slug if theme else None,
    "theme_upcoming_events": theme.upcoming if theme else 0,
}))
"""


class BenchError(Exception):
    """A step failed; the message says which and where its log is."""


# --------------------------------------------------------------------------- helpers


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def tail(path, lines=30):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(histogram, p):
    """Nearest-rank percentile of a sorted [(value, count), ...] histogram."""
    total = sum(count for _, count in histogram)
    if not total:
        return None
    rank = max(1, math.ceil(p / 100 * total))
    seen = 0
    for value, count in histogram:
        seen += count
        if seen >= rank:
            return value
    return histogram[-1][0]


def ms(microseconds):
    return None if microseconds is None else round(microseconds / 1000, 2)


def fmt(value, digits=1):
    return "–" if value is None else f"{value:,.{digits}f}"


# --------------------------------------------------------------------------- server


def proc_cpu_seconds(pid):
    """utime + stime of one process, in seconds (from /proc/<pid>/stat)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_cpu_seconds():
    """(busy, steal) CPU seconds of the whole machine, all cores, from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / CLOCK_TICKS, steal / CLOCK_TICKS


def child_pids(pid):
    pids = set()
    task_dir = Path(f"/proc/{pid}/task")
    try:
        for task in task_dir.iterdir():
            children = (task / "children").read_text().split()
            pids.update(int(child) for child in children)
    except OSError:
        pass
    if pids:
        return pids
    # Kernels without /proc/<pid>/task/<tid>/children: scan for the parent pid.
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.add(int(entry.name))
    return pids


class Gunicorn:
    """One gunicorn master with its workers, on a free port of 127.0.0.1."""

    def __init__(self, env, args, log_path):
        self.env = env
        self.args = args
        self.log_path = log_path
        self.port = free_port()
        self.process = None
        self.workers = set()

    @property
    def base_url(self):
        return f"http://{HOST}:{self.port}"

    def start(self, timeout=60):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.args.workers),
            "--worker-class",
            self.args.worker_class,
            "--threads",
            str(self.args.threads),
            "--timeout",
            "120",
            "--no-control-socket",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ]
        log(f"starting gunicorn: {shlex.join(command[1:])}")
        with open(self.log_path, "ab") as log_file:
            # Own session: Ctrl-C reaches this script, which then stops gunicorn in order.
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}:\n{tail(self.log_path)}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        else:
            raise BenchError(f"/healthz did not answer 200 within {timeout} s:\n{tail(self.log_path)}")
        # Wait until every worker has booted, so that the CPU accounting sees them all.
        while len(child_pids(self.process.pid)) < self.args.workers and time.monotonic() < deadline:
            time.sleep(0.1)
        self.workers = child_pids(self.process.pid)
        log(f"gunicorn {self.process.pid} ready on {self.base_url} with workers {sorted(self.workers)}")

    def cpu_seconds(self):
        """CPU time of the master and its current workers; the worker set, to spot restarts."""
        pids = child_pids(self.process.pid)
        total = 0.0
        for pid in pids | {self.process.pid}:
            total += proc_cpu_seconds(pid) or 0.0
        return total, pids

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        pid = self.process.pid
        workers = child_pids(pid)
        log(f"stopping gunicorn {pid}")
        try:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            log(f"gunicorn {pid} did not stop in 20 s; killing it and its workers {sorted(workers)}")
            for worker in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker, signal.SIGKILL)
            self.process.kill()
            self.process.wait(timeout=10)


# --------------------------------------------------------------------------- load generators


class Result:
    """One measured run of one URL: counts, errors and a latency histogram in µs."""

    def __init__(self):
        self.requests = 0
        self.duration_s = 0.0
        self.bytes = 0
        self.non200 = 0
        self.cache_hits = 0
        self.cache_misses = 0
        self.errors = collections.Counter()  # connect, read, write, timeout
        self.histogram = collections.Counter()
        self.server_cpu_s = 0.0
        self.client_cpu_s = 0.0
        self.other_cpu_s = 0.0  # machine busy time that was neither server nor client
        self.steal_s = 0.0
        self.worker_restarts = 0
        self.round_rps = []

    @property
    def error_count(self):
        return self.non200 + sum(self.errors.values())

    def merge(self, other):
        self.requests += other.requests
        self.duration_s += other.duration_s
        self.bytes += other.bytes
        self.non200 += other.non200
        self.cache_hits += other.cache_hits
        self.cache_misses += other.cache_misses
        self.errors.update(other.errors)
        self.histogram.update(other.histogram)
        self.server_cpu_s += other.server_cpu_s
        self.client_cpu_s += other.client_cpu_s
        self.other_cpu_s += other.other_cpu_s
        self.steal_s += other.steal_s
        self.worker_restarts += other.worker_restarts
        if other.duration_s:
            self.round_rps.append(round(other.requests / other.duration_s, 1))

    def summary(self):
        hist = sorted(self.histogram.items())
        samples = sum(self.histogram.values())
        return {
            "requests": self.requests,
            "seconds": round(self.duration_s, 3),
            "rps": round(self.requests / self.duration_s, 1) if self.duration_s else None,
            "rps_per_round": self.round_rps,
            "latency_ms": {
                "p50": ms(percentile(hist, 50)),
                "p90": ms(percentile(hist, 90)),
                "p99": ms(percentile(hist, 99)),
                "mean": ms(sum(v * c for v, c in hist) / samples) if samples else None,
                "max": ms(hist[-1][0]) if hist else None,
                "samples": samples,
            },
            "errors": self.error_count,
            "errors_detail": {"non_200": self.non200, **dict(self.errors)},
            "bytes_per_response": round(self.bytes / self.requests) if self.requests else None,
            "cache_hits": self.cache_hits,
            "cache_misses": self.cache_misses,
            "server_cpu_ms_per_request": round(self.server_cpu_s * 1000 / self.requests, 3) if self.requests else None,
            "server_cpu_cores_busy": round(self.server_cpu_s / self.duration_s, 2) if self.duration_s else None,
            "client_cpu_ms_per_request": round(self.client_cpu_s * 1000 / self.requests, 3) if self.requests else None,
            "other_processes_cpu_cores": round(self.other_cpu_s / self.duration_s, 2) if self.duration_s else None,
            "steal_cpu_cores": round(self.steal_s / self.duration_s, 2) if self.duration_s else None,
            "worker_restarts": self.worker_restarts,
        }


class WrkGenerator:
    name = "wrk"

    def __init__(self, executable, concurrency, timeout_s):
        self.executable = executable
        self.concurrency = concurrency
        self.timeout_s = timeout_s

    def version(self):
        out = subprocess.run([self.executable, "-v"], capture_output=True, text=True, check=False)
        first_line = (out.stdout + out.stderr).strip().splitlines()[0]
        return first_line.split(" Copyright")[0]

    def run(self, url, requests, max_seconds, target=None):
        # One wrk thread: the server needs the cores more than the client does.
        headers = [f"-H{name}: {value}" for name, value in (target.headers if target else {}).items()]
        command = [
            self.executable,
            "-t1",
            f"-c{self.concurrency}",
            f"-d{max(1, math.ceil(max_seconds))}s",
            f"--timeout={max(1, math.ceil(self.timeout_s))}s",
            *headers,
            "-s",
            str(WRK_SCRIPT),
            url,
            "--",
            str(requests),
            str(target.expected if target else 200),
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=max_seconds + self.timeout_s + 30, check=False
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        match = re.search(r"^BENCH-JSON (\{.*\})$", completed.stdout, re.MULTILINE)
        if completed.returncode != 0 or not match:
            raise BenchError(
                f"wrk failed ({completed.returncode}): {completed.stdout[-2000:]}{completed.stderr[-2000:]}"
            )
        data = json.loads(match.group(1))
        result = Result()
        result.requests = data["requests"]
        result.duration_s = data["duration_us"] / 1e6
        result.bytes = data["bytes"]
        result.non200 = data["non200"]
        result.cache_hits = data["cache_hits"]
        result.cache_misses = data["cache_misses"]
        result.errors.update({k: v for k, v in data["errors"].items() if k != "status" and v})
        result.histogram.update(dict(data["histogram_us"]))
        result.client_cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        if not data["ffi"]:
            log("warning: wrk's Lua has no FFI; runs last their full duration (--max-seconds)")
        return result


class PythonGenerator:
    """Fallback: `concurrency` threads, each with a keep-alive http.client connection.

    It shares the two cores with the server (and the GIL with itself), so absolute
    numbers are lower than with wrk; the comparison between URLs stays fair.
    """

    name = "python"

    def __init__(self, concurrency, timeout_s):
        self.concurrency = concurrency
        self.timeout_s = timeout_s

    def version(self):
        return f"python {platform.python_version()} http.client, {self.concurrency} threads"

    def run(self, url, requests, max_seconds, target=None):
        request_headers = {"Accept": "text/html", **(target.headers if target else {})}
        expected = target.expected if target else 200
        match = re.match(r"http://([^:/]+):(\d+)(/.*)$", url)
        host, port, path = match.group(1), int(match.group(2)), match.group(3)
        assert host == HOST, host
        lock = threading.Lock()
        issued = 0
        deadline = time.perf_counter() + max_seconds
        results = []

        def worker():
            nonlocal issued
            result = Result()
            conn = http.client.HTTPConnection(host, port, timeout=self.timeout_s)
            while True:
                with lock:
                    if issued >= requests or time.perf_counter() >= deadline:
                        break
                    issued += 1
                started = time.perf_counter()
                try:
                    conn.request("GET", path, headers=request_headers)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    kind = "timeout" if isinstance(exc, TimeoutError) else "read"
                    result.errors[kind] += 1
                    conn.close()
                    continue
                elapsed_us = int((time.perf_counter() - started) * 1e6)
                result.requests += 1
                result.bytes += len(body)
                result.histogram[elapsed_us] += 1
                if response.status != expected:
                    result.non200 += 1
                x_cache = response.getheader("X-Cache")
                result.cache_hits += x_cache == "hit"
                result.cache_misses += x_cache == "miss"
            conn.close()
            results.append(result)

        cpu_before = time.process_time()
        started = time.perf_counter()
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(self.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        total = Result()
        for result in results:
            total.merge(result)
        total.round_rps = []
        total.duration_s = time.perf_counter() - started
        total.client_cpu_s = time.process_time() - cpu_before
        return total


def make_generator(args):
    wrk = shutil.which("wrk")
    if args.generator in ("auto", "wrk") and wrk:
        return WrkGenerator(wrk, args.concurrency, args.timeout)
    if args.generator == "wrk":
        raise BenchError("wrk is not installed: apt-get install -y wrk (or use --generator python)")
    if args.generator == "auto":
        log("wrk not found; using the Python load generator. For better numbers: apt-get install -y wrk")
    return PythonGenerator(args.concurrency, args.timeout)


# --------------------------------------------------------------------------- the benchmark


def django_env(args, tmp):
    env = dict(os.environ)
    for name in (
        "DATABASE_URL",
        "SQLITE_PATH",
        "REDIS_URL",
        "BENCH_DISABLE_CACHE",
        "PUBLIC_CACHE_SECONDS",
        "CACHE_DIR",
    ):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        PORTAL_ENV="development",  # production would redirect plain HTTP to HTTPS
        DEBUG="0",
        BENCH_STATIC_ROOT=str(tmp / "static"),
        # A cache of its own: never share cached pages with a portal running from this folder.
        CACHE_DIR=str(tmp / "cache"),
        PYTHONUNBUFFERED="1",
        # A log line per request would measure the terminal, not the portal.
        LOG_REQUESTS="false",
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env["SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def manage(env, tmp, *arguments, label=None, timeout=1800):
    """Run a manage.py command, log it to tmp/manage.log; returns (stdout, seconds)."""
    log_path = tmp / "manage.log"
    command = [sys.executable, str(ROOT / "manage.py"), *arguments]
    if label is None:
        label = shlex.join(arguments if arguments[0] != "shell" else ("shell", "-c", "<read the benchmark targets>"))
    log(f"manage.py {label}")
    started = time.monotonic()
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    with open(log_path, "a") as log_file:
        log_file.write(f"$ {shlex.join(command[:4])}\n{completed.stdout}{completed.stderr}\n")
    if completed.returncode != 0:
        raise BenchError(
            f"manage.py {label} failed ({completed.returncode}):\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
    return completed.stdout, round(time.monotonic() - started, 2)


def prepare_database(args, env, tmp):
    if not SEED_COMMAND.exists():
        deadline = time.monotonic() + args.wait_for_seed
        log(f"waiting up to {args.wait_for_seed} s for {SEED_COMMAND.relative_to(ROOT)}")
        while not SEED_COMMAND.exists() and time.monotonic() < deadline:
            time.sleep(5)
        if not SEED_COMMAND.exists():
            raise BenchError(f"{SEED_COMMAND.relative_to(ROOT)} does not exist (yet)")
    timings = {}
    _, timings["migrate_s"] = manage(env, tmp, "migrate", "--noinput", "-v", "0")
    seed_out, timings["seed_s"] = manage(
        env,
        tmp,
        "seed_demo",
        "--events",
        str(args.events),
        "--registrations",
        str(args.registrations),
        "--seed",
        str(args.seed),
    )
    log(seed_out.strip().splitlines()[0] if seed_out.strip() else "seed_demo printed nothing")
    _, timings["collectstatic_s"] = manage(env, tmp, "collectstatic", "--noinput", "-v", "0")
    out, _ = manage(env, tmp, "shell", "-c", TARGETS_CODE)
    match = re.search(r"^BENCH-TARGETS (\{.*\})$", out, re.MULTILINE)
    if not match:
        raise BenchError(f"could not read the targets from the database:\n{out[-2000:]}")
    targets = json.loads(match.group(1))
    if not targets["event_slug"] or not targets["theme_slug"]:
        raise BenchError(f"the seeded database has no upcoming published event or no theme with one: {targets}")
    return timings, targets


@dataclasses.dataclass
class Target:
    """A URL to measure, with the request headers to send and the status to expect."""

    name: str
    path: str
    headers: dict = dataclasses.field(default_factory=dict)
    expected: int = 200


# Filled in from the feed's first response, so that the server answers 304.
ETAG_PLACEHOLDER = "{feed-etag}"


def url_list(targets):
    return [
        Target("bare", "/bench/bare/"),
        Target("events", "/events/"),
        Target("events_page_5", "/events/?page=5"),
        Target("events_theme", f"/events/?theme={targets['theme_slug']}"),
        Target("bare_list", "/bench/bare-list/"),
        Target("event_detail", f"/events/{targets['event_slug']}/"),
        Target("feed", "/feeds/events.ics"),
        Target("feed_gzip", "/feeds/events.ics", {"Accept-Encoding": "gzip"}),
        Target("feed_304", "/feeds/events.ics", {"If-None-Match": ETAG_PLACEHOLDER}, expected=304),
    ]


def check_urls(server, urls):
    """Every URL must answer 200 before it is measured; returns response sizes."""
    sizes, etag = {}, None
    for target in urls:
        if ETAG_PLACEHOLDER in target.headers.values():
            target.headers = {k: (etag if v == ETAG_PLACEHOLDER else v) for k, v in target.headers.items()}
        request = urllib.request.Request(server.base_url + target.path, headers=target.headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
                sizes[target.name] = len(body)
                if target.name == "feed":
                    etag = response.headers["ETag"]
        except urllib.error.HTTPError as exc:
            if exc.code != target.expected:
                raise BenchError(
                    f"GET {target.path} answered {exc.code}:\n{exc.read()[:2000].decode(errors='replace')}"
                ) from exc
            sizes[target.name] = 0
    return sizes


def measure_mode(mode, args, env, tmp, generator, urls):
    mode_env = dict(env)
    if mode == "nocache":
        mode_env["BENCH_DISABLE_CACHE"] = "1"
    server = Gunicorn(mode_env, args, tmp / f"gunicorn-{mode}.log")
    try:
        server.start()
        sizes = check_urls(server, urls)
        if args.warmup:
            log(f"[{mode}] warm-up: {args.warmup} requests per URL")
            for target in urls:
                generator.run(server.base_url + target.path, args.warmup, args.max_seconds, target)
        totals = {target.name: Result() for target in urls}
        per_round = math.ceil(args.requests / args.rounds)
        for round_index in range(args.rounds):
            # Rotate the order, so that no URL always follows the same neighbour.
            shift = round_index % len(urls)
            ordered = urls[shift:] + urls[:shift]
            line = []
            for target in ordered:
                name = target.name
                cpu_before, workers_before = server.cpu_seconds()
                machine_before, steal_before = machine_cpu_seconds()
                result = generator.run(server.base_url + target.path, per_round, args.max_seconds, target)
                machine_after, steal_after = machine_cpu_seconds()
                server_during, _ = server.cpu_seconds()
                time.sleep(args.settle)  # let requests abandoned by a stopped client finish
                cpu_after, workers_after = server.cpu_seconds()
                result.server_cpu_s = max(0.0, cpu_after - cpu_before)
                # Whatever else ran on the machine meanwhile (other programs, this script):
                # a high value means that the round was disturbed.
                result.other_cpu_s = max(
                    0.0, (machine_after - machine_before) - (server_during - cpu_before) - result.client_cpu_s
                )
                result.steal_s = steal_after - steal_before
                if workers_after != workers_before:
                    result.worker_restarts += 1
                totals[name].merge(result)
                rps = result.requests / result.duration_s if result.duration_s else 0
                line.append(f"{name} {rps:,.0f}/s")
            log(f"[{mode}] round {round_index + 1}/{args.rounds}: " + ", ".join(line))
    finally:
        server.stop()
    return {
        target.name: {
            "path": target.path,
            "headers": target.headers,
            "first_response_bytes": sizes.get(target.name),
            **totals[target.name].summary(),
        }
        for target in urls
    }


def cpu_ratio(rows, name):
    cpu, bare = rows[name]["server_cpu_ms_per_request"], rows["bare"]["server_cpu_ms_per_request"]
    return cpu / bare if cpu and bare else None


def markdown(mode, rows, urls):
    bare_rps = rows["bare"]["rps"]
    header = (
        f"**{mode}** – {MODES[mode]}\n\n"
        "| URL | requests | rps | rps ÷ bare | p50 ms | p90 ms | p99 ms | errors "
        "| server CPU ms/request | X-Cache hits |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for target in urls:
        row = rows[target.name]
        label = target.path + "".join(f" ({name})" for name in target.headers)
        ratio = row["rps"] / bare_rps if row["rps"] and bare_rps else None
        cached = row["cache_hits"] + row["cache_misses"]
        hits = f"{100 * row['cache_hits'] / cached:.0f} %" if cached else "–"
        lat = row["latency_ms"]
        lines.append(
            f"| `{label}` | {row['requests']:,} | {fmt(row['rps'])} | {fmt(ratio, 3)} | {fmt(lat['p50'], 2)} | "
            f"{fmt(lat['p90'], 2)} | {fmt(lat['p99'], 2)} | {row['errors']} | "
            f"{fmt(row['server_cpu_ms_per_request'], 2)} | {hits} |"
        )
    events_ratio = rows["events"]["rps"] / bare_rps if rows["events"]["rps"] and bare_rps else None
    other = [row["other_processes_cpu_cores"] or 0 for row in rows.values()]
    footer = (
        f"\n\n/events/ rps ÷ bare rps ({mode}): **{fmt(events_ratio, 3)}**; "
        f"/events/ CPU ÷ bare CPU: **{fmt(cpu_ratio(rows, 'events'), 1)}**. "
        f"Other processes on the machine used {fmt(min(other), 2)}–{fmt(max(other), 2)} cores during these runs.\n"
    )
    return header + "\n".join(lines) + footer


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, help="events to seed (default 2000)")
    parser.add_argument("--registrations", type=int, help="registrations to seed (default 3000)")
    parser.add_argument("--seed", type=int, default=1, help="seed_demo's random seed (default 1)")
    parser.add_argument(
        "--requests",
        type=int,
        help="measured requests per URL and mode, over all rounds (default 3000; 50 with --smoke)",
    )
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 5; 1 with --smoke)")
    parser.add_argument("--warmup", type=int, help="warm-up requests per URL and mode (default 200; 10 with --smoke)")
    parser.add_argument(
        "--concurrency", type=int, default=4, help="concurrent connections of the load generator (default 4)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (default 1)")
    parser.add_argument("--database-url", help="use this (empty) database instead of a fresh SQLite file")
    parser.add_argument("--redis-url", help="use Redis as the cache instead of the file cache")
    parser.add_argument(
        "--mode", choices=["both", *MODES], default="both", help="cache modes to measure (default both)"
    )
    parser.add_argument("--no-cache", action="store_const", dest="mode", const="nocache", help="same as --mode nocache")
    parser.add_argument(
        "--generator",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator (default: wrk if installed)",
    )
    parser.add_argument(
        "--max-seconds", type=float, default=60, help="time limit of one URL's run in one round (default 60)"
    )
    parser.add_argument("--timeout", type=float, default=10, help="request timeout in seconds (default 10)")
    parser.add_argument(
        "--settle", type=float, default=0.2, help="pause after each run before reading CPU times (default 0.2 s)"
    )
    parser.add_argument(
        "--wait-for-seed", type=float, default=0, help="seconds to wait for the seed_demo command to appear"
    )
    parser.add_argument("--json", type=Path, help="write the results as JSON to this path")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")
    parser.add_argument(
        "--smoke", action="store_true", help="50 requests per URL, 1 round: checks the whole script in about 15 s"
    )
    args = parser.parse_args(argv)
    defaults = {
        "events": (2000, 2000),
        "registrations": (3000, 3000),
        "requests": (3000, 50),
        "rounds": (5, 1),
        "warmup": (200, 10),
    }
    for name, (full, smoke) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, smoke if args.smoke else full)
    if args.requests < 1 or args.rounds < 1 or args.concurrency < 1 or args.workers < 1:
        parser.error("--requests, --rounds, --concurrency and --workers must be at least 1")
    return args


def machine_info():
    model = ""
    with contextlib.suppress(OSError, StopIteration):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        model = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def package_versions(env):
    code = "import django, gunicorn; print(django.get_version(), gunicorn.__version__)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    ).stdout.split()
    return {"django": out[0], "gunicorn": out[1]} if len(out) == 2 else {}


def main(argv=None):
    args = parse_args(argv)

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt  # the same clean stop as Ctrl-C

    signal.signal(signal.SIGTERM, on_sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    started = datetime.datetime.now(datetime.UTC)
    status = 2
    try:
        generator = make_generator(args)
        env = django_env(args, tmp)
        modes = list(MODES) if args.mode == "both" else [args.mode]
        log(f"temporary directory {tmp}; load generator {generator.version()}")
        timings, targets = prepare_database(args, env, tmp)
        log(f"database: {targets}")
        urls = url_list(targets)
        results = {}
        for mode in modes:
            results[mode] = measure_mode(mode, args, env, tmp, generator, urls)

        command = shlex.join([".venv/bin/python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])])
        report = {
            "date": started.isoformat(timespec="seconds"),
            "command": command,
            "machine": machine_info(),
            "versions": package_versions(env),
            "generator": generator.version(),
            "settings": {
                "events": args.events,
                "registrations": args.registrations,
                "seed": args.seed,
                "requests_per_url": args.requests,
                "rounds": args.rounds,
                "warmup": args.warmup,
                "concurrency": args.concurrency,
                "workers": args.workers,
                "worker_class": args.worker_class,
                "threads": args.threads,
                "database": "url" if args.database_url else "sqlite (temporary file)",
                "cache": "redis" if args.redis_url else "locmem",
            },
            "setup_seconds": timings,
            "database": targets,
            "results": results,
        }
        print(f"\n## Benchmark {started:%Y-%m-%d %H:%M} UTC\n")
        print(
            f"`{command}`  \n{report['machine']['cpus']} CPUs ({report['machine']['cpu_model']}), "
            f"Django {report['versions'].get('django', '?')}, gunicorn {report['versions'].get('gunicorn', '?')} "
            f"({args.workers} × {args.worker_class}), load generator: {generator.version()}, "
            f"{args.concurrency} connections, {args.rounds} interleaved rounds.  \n"
            f"Database: {targets['events_total']:,} events "
            f"({targets['events_upcoming_published']:,} upcoming and published), "
            f"{targets['registrations']:,} registrations.\n"
        )
        for mode in modes:
            print(markdown(mode, results[mode], urls))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
            log(f"results written to {args.json}")
        errors = sum(row["errors"] for rows in results.values() for row in rows.values())
        if errors:
            log(f"{errors} requests failed (non-200 answers or socket errors); see {tmp}/gunicorn-*.log")
        status = 1 if errors else 0
    except BenchError as exc:
        log(f"error: {exc}")
    except KeyboardInterrupt:
        log("interrupted")
        status = 130
    finally:
        if args.keep or status not in (0, 130):
            log(f"kept {tmp} (database and logs)")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
