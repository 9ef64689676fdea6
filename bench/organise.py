#!/usr/bin/env python
"""The organiser workspace under gunicorn: the attendee list, and the CSV and XLSX exports.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/organise.py                 # 2,000-row list, 10,000-row exports
    .venv/bin/python bench/organise.py --smoke         # small and quick, end to end
    .venv/bin/python bench/organise.py --help

Steps: a fresh SQLite database in a temporary directory, ``migrate``, then (``manage.py shell``)
an organiser team with one member, an event with ``--list-rows`` registrations (9 in 10
confirmed, the rest on the waiting list) and one with ``--export-rows`` confirmed
registrations, both with three questions answered, and a session for the organiser (as
``Client.force_login`` makes it). Then:

1. **List**: gunicorn (``--workers`` sync workers) serves the bare view, the bare list and
   the attendee list with the organiser's session cookie, measured in interleaved rounds by
   bench/run.py's load generator: page 1 and the last page (waiting list, with ranks), and a
   pair of searches of the same shape (one word, so the same SQL): ``q=0`` (everyone: a full
   page of 50 rows) and ``q=00001`` (one confirmed person: 1 row). Two per-row figures, side
   by side: the **whole page's CPU ÷ its rows** (fixed costs included: what a 50-row page
   really costs per row), and the **marginal CPU per row**, (CPU of the 50-row search − CPU
   of the 1-row search) ÷ 49, with the 1-row page as the **fixed cost** of a page. The rows a
   page shows are counted in the benchmark data, not assumed.
2. **Exports**: for CSV and for XLSX, a fresh gunicorn with one sync worker. After a warm-up
   export (no rows: imports and caches), ``--exports`` sequential downloads of the big event,
   read in 64 kB pieces: seconds per export, MB/s, the worker's CPU per export and per row,
   and its resident memory (``/proc/<pid>/status``: VmRSS, and VmHWM, the peak) before and
   after.

Only 127.0.0.1 is contacted; gunicorn is always stopped; exit codes as bench/run.py (0 all
answers as expected, 1 some were not, 2 a setup step failed, 130 interrupted).
"""

import argparse
import datetime
import http.client
import json
import shlex
import shutil
import signal
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402  (needs ROOT on sys.path first)
    HOST,
    BenchError,
    Gunicorn,
    Target,
    django_env,
    fmt,
    machine_info,
    make_generator,
    manage,
    measure_mode,
    package_versions,
    proc_cpu_seconds,
)

ROW_BUDGET_MS = 0.2  # the design's "Quality" section: attendee lists, at most 0.2 ms of CPU per row
ROWS_PER_PAGE = 50  # registrations.views.organise.ATTENDEES_PER_PAGE
# A pair of searches of the same shape (one word of digits: one spelling, the same SQL). Last
# names are "Ödmark 00000", "Ödmark 00001", ...: "0" matches everyone (a full page), "00001"
# one person (confirmed, not checked in: a row like most of page 1's).
SEARCH_FULL = "q=0"
SEARCH_ONE = "q=00001"

SETUP_CODE = """
import datetime, json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from events.models import Event, MeetingPlace, Organiser, OrganiserMembership
from registrations.models import Question, Registration
User = get_user_model()
spec = json.loads(%(spec)r)
now = timezone.now()
organiser = User.objects.create_user(
    email="arrangor@example.org", password=None, first_name="Alva", last_name="Arrangör"
)
team = Organiser.objects.create(name="Regional utveckling", slug="regional-utveckling")
OrganiserMembership.objects.create(organiser=team, user=organiser)
place = MeetingPlace.objects.create(
    name="Innovatum", slug="innovatum", street_address="Nohabgatan 18", postal_code="461 53",
    city="Trollhättan", municipality="trollhattan",
)
ORGS = ["Västtrafik", "Göteborgs Stad", "Högskolan Väst", "Borås Energi och Miljö", "Innovatum AB"]
DIETS = ["", "", "", "Vegetarisk", "Glutenfri", "Laktosfri; inga nötter"]

def make_event(slug, rows):
    start = (now + datetime.timedelta(days=21)).replace(minute=0, second=0, microsecond=0)
    event = Event.objects.create(
        title=f"Mötesplats cirkulär ekonomi ({rows} anmälda)", slug=slug,
        summary="Ett evenemang för benchmarken.", description="Skapat av bench/organise.py.",
        organiser=team, place=place, start=start, end=start + datetime.timedelta(hours=3),
        capacity=None, status=Event.Status.PUBLISHED, published_at=now - datetime.timedelta(days=1),
    )
    text = Question.objects.create(event=event, label="Vad vill du diskutera?", position=1)
    multi = Question.objects.create(
        event=event, label="Vilka pass?", kind=Question.Kind.MULTIPLE_CHOICE,
        choices="Förmiddag\\nEftermiddag\\nMiddag", position=2,
    )
    yes_no = Question.objects.create(event=event, label="Vill du ha intyg?", kind=Question.Kind.YES_NO, position=3)
    users = User.objects.bulk_create(
        [
            User(email=f"{slug}-{n}@example.org", first_name=["Åsa", "Örjan", "Märta", "Erik"][n %% 4],
                 last_name=f"Ödmark {n:05d}", password="!")
            for n in range(rows)
        ],
        batch_size=1000,
    )
    waiting_from = rows - rows * spec["waitlisted_share_per_mille"] // 1000
    registrations = []
    for n, user in enumerate(users):
        waiting = n >= waiting_from
        registrations.append(Registration(
            event=event, user=user,
            status=Registration.Status.WAITLISTED if waiting else Registration.Status.CONFIRMED,
            waitlist_position=n - waiting_from + 1 if waiting else None,
            organisation=ORGS[n %% len(ORGS)], dietary_needs=DIETS[n %% len(DIETS)],
            consent_at=now,
            checked_in_at=now if n %% 3 == 0 and not waiting else None,
            answers={text.key: "Återbruk i byggsektorn", multi.key: ["Förmiddag", "Middag"],
                     yes_no.key: "yes" if n %% 2 else "no"},
        ))
    Registration.objects.bulk_create(registrations, batch_size=1000)
    return event

list_event = make_event("attendee-list", spec["list_rows"])
export_event = make_event("export", spec["export_rows"])

from registrations.forms import AttendeeFilterForm
from registrations.queries import attendee_list

def rows_shown(query):
    # How many rows the list shows for this query string (pages of 50), filtered as the view does.
    from django.http import QueryDict
    params = QueryDict(query)
    total = attendee_list(list_event, AttendeeFilterForm(params).filters).count()
    page = int(params.get("page", 1))
    return max(0, min(50, total - (page - 1) * 50))

last_page = max(1, -(-spec["list_rows"] // 50))
queries = {
    "attendees": "", "attendees_last_page": f"page={last_page}",
    "attendees_search_full": spec["search_full"], "attendees_search_one": spec["search_one"],
}
client = Client()
client.force_login(organiser)
print("BENCH-ORGANISE " + json.dumps({
    "list_event": list_event.pk,
    "export_event": export_event.pk,
    "list_rows": spec["list_rows"],
    "export_rows": spec["export_rows"],
    "queries": queries,
    "rows_shown": {name: rows_shown(query) for name, query in queries.items()},
    "session_cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
}))
"""


def log(message):
    print(f"[organise {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def prepare(args, env, tmp):
    import re

    timings = {}
    _, timings["migrate_s"] = manage(env, tmp, "migrate", "--noinput", "-v", "0")
    _, timings["collectstatic_s"] = manage(env, tmp, "collectstatic", "--noinput", "-v", "0")
    spec = json.dumps(
        {
            "list_rows": args.list_rows,
            "export_rows": args.export_rows,
            "waitlisted_share_per_mille": 100,
            "search_full": SEARCH_FULL,
            "search_one": SEARCH_ONE,
        }
    )
    out, timings["seed_s"] = manage(env, tmp, "shell", "-c", SETUP_CODE % {"spec": spec}, label="shell -c <seed>")
    match = re.search(r"^BENCH-ORGANISE (\{.*\})$", out, re.MULTILINE)
    if not match:
        raise BenchError(f"the benchmark data could not be created:\n{out[-2000:]}")
    return timings, json.loads(match.group(1))


def worker_memory_kb(pid):
    """(VmRSS, VmHWM) of a process in kB, from /proc/<pid>/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values.get("VmRSS"), values.get("VmHWM")


def download(port, path, cookie, timeout):
    """GET a path and read the body in 64 kB pieces: (status, bytes, seconds, headers)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "sv"})
        response = connection.getresponse()
        size = 0
        while piece := response.read(65536):
            size += len(piece)
        return response.status, size, time.perf_counter() - started, dict(response.getheaders())
    finally:
        connection.close()


def measure_export(kind, args, env, tmp, data):
    """One fresh single-worker gunicorn: warm up, read memory, export ``--exports`` times, read memory."""
    server = Gunicorn(
        env, types.SimpleNamespace(workers=1, worker_class="sync", threads=1), tmp / f"gunicorn-{kind}.log"
    )
    cookie = data["session_cookie"]
    path = f"/organise/events/{data['export_event']}/attendees.{kind}"
    try:
        server.start()
        (worker,) = server.workers
        # Warm-up: the same code path with no rows (imports, translations, templates, caches).
        status, _, _, _ = download(server.port, path + "?q=nobody-matches-this", cookie, args.timeout)
        if status != 200:
            raise BenchError(f"GET {path} answered {status}:\n{(tmp / f'gunicorn-{kind}.log').read_text()[-2000:]}")
        rss_before, hwm_before = worker_memory_kb(worker)
        # The attendee-list event (--list-rows rows): does the peak grow with the rows?
        small_path = f"/organise/events/{data['list_event']}/attendees.{kind}"
        status, _, _, _ = download(server.port, small_path, cookie, args.timeout)
        errors = status != 200
        _, hwm_small = worker_memory_kb(worker)
        cpu_before = proc_cpu_seconds(worker)
        runs = []
        for _ in range(args.exports):
            status, size, seconds, headers = download(server.port, path, cookie, args.timeout)
            errors += status != 200
            runs.append({"status": status, "bytes": size, "seconds": round(seconds, 4)})
        cpu_after = proc_cpu_seconds(worker)
        rss_after, hwm_after = worker_memory_kb(worker)
    finally:
        server.stop()
    seconds = [run["seconds"] for run in runs]
    size = runs[-1]["bytes"]
    cpu_per_export = (cpu_after - cpu_before) / len(runs)
    return {
        "path": path,
        "exports": len(runs),
        "errors": errors,
        "rows": data["export_rows"],
        "bytes": size,
        "content_type": headers.get("Content-Type"),
        "seconds_median": round(statistics.median(seconds), 3),
        "seconds_min": round(min(seconds), 3),
        "exports_per_s": round(1 / statistics.median(seconds), 2),
        "mb_per_s": round(size / 1e6 / statistics.median(seconds), 2),
        "server_cpu_s_per_export": round(cpu_per_export, 3),
        "server_cpu_us_per_row": round(cpu_per_export * 1e6 / data["export_rows"], 1),
        "worker_rss_kb_before": rss_before,
        "worker_hwm_kb_before": hwm_before,
        "worker_hwm_kb_after_small_export": hwm_small,
        "small_export_rows": data["list_rows"],
        "worker_rss_kb_after": rss_after,
        "worker_hwm_kb_after": hwm_after,
        "worker_hwm_growth_kb": hwm_after - hwm_before,
        "runs": runs,
    }


def list_markdown(rows, urls, rows_shown):
    lines = [
        "| URL | requests | rps | p50 ms | p90 ms | errors | server CPU ms/request | rows shown | CPU ms/row |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for target in urls:
        row = rows[target.name]
        shown = rows_shown.get(target.name)
        cpu = row["server_cpu_ms_per_request"]
        per_row = cpu / shown if cpu and shown else None
        lines.append(
            f"| `{target.path}` | {row['requests']:,} | {fmt(row['rps'])} | {fmt(row['latency_ms']['p50'], 2)} | "
            f"{fmt(row['latency_ms']['p90'], 2)} | {row['errors']} | {fmt(cpu, 2)} | "
            f"{'–' if shown is None else shown} | {fmt(per_row, 3)} |"
        )
    return "\n".join(lines)


def per_row_summary(rows, rows_shown):
    """Whole page ÷ rows and the marginal cost of a row, from the same run.

    Marginal: (CPU of the full search page − CPU of the one-row search page) ÷ the difference
    in rows; the one-row page is the fixed cost of a page.
    """
    cpu = {name: row["server_cpu_ms_per_request"] for name, row in rows.items()}
    full, one = rows_shown["attendees_search_full"], rows_shown["attendees_search_one"]
    summary = {
        "budget_ms_per_row": ROW_BUDGET_MS,
        "fixed_ms_per_page": cpu["attendees_search_one"],
        "marginal_ms_per_row": None,
        "whole_page_ms_per_row": {
            name: round(cpu[name] / shown, 4) if cpu[name] and shown else None for name, shown in rows_shown.items()
        },
        "bare_ms_per_request": cpu["bare"],
        "bare_list_ms_per_request": cpu["bare_list"],
    }
    if full > one and cpu["attendees_search_full"] is not None and cpu["attendees_search_one"] is not None:
        difference = cpu["attendees_search_full"] - cpu["attendees_search_one"]
        summary["marginal_ms_per_row"] = round(difference / (full - one), 4)
    return summary


def summary_markdown(summary, rows_shown):
    full, one = rows_shown["attendees_search_full"], rows_shown["attendees_search_one"]
    whole = summary["whole_page_ms_per_row"]

    def verdict(value):
        return "–" if value is None else ("within" if value <= summary["budget_ms_per_row"] else "**over**")

    lines = [
        f"| per-row figure (budget {summary['budget_ms_per_row']} ms CPU/row) | CPU ms/row | budget |",
        "|---|---:|---|",
    ]
    for name, label in (
        ("attendees", "whole page ÷ rows: page 1"),
        ("attendees_last_page", "whole page ÷ rows: last page (waiting list)"),
        ("attendees_search_full", f"whole page ÷ rows: `{SEARCH_FULL}` ({full} rows)"),
    ):
        lines.append(f"| {label} | {fmt(whole[name], 3)} | {verdict(whole[name])} |")
    marginal = summary["marginal_ms_per_row"]
    lines.append(
        f"| marginal: (`{SEARCH_FULL}` − `{SEARCH_ONE}`) ÷ {full - one} | {fmt(marginal, 3)} | {verdict(marginal)} |"
    )
    lines.append("")
    lines.append(
        f"Fixed cost of a page (`{SEARCH_ONE}`, {one} row): {fmt(summary['fixed_ms_per_page'], 2)} ms; "
        f"in the same run the bare view cost {fmt(summary['bare_ms_per_request'], 2)} ms and the bare list "
        f"{fmt(summary['bare_list_ms_per_request'], 2)} ms per request."
    )
    return "\n".join(lines)


def export_markdown(exports):
    lines = [
        "| export | rows | size MB | s/export (median) | MB/s | server CPU s/export | CPU µs/row "
        "| worker RSS before → after MB | worker peak (VmHWM): warm → after the small export → after MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, row in exports.items():
        lines.append(
            f"| {kind.upper()} | {row['rows']:,} | {row['bytes'] / 1e6:.2f} | {row['seconds_median']:.3f} | "
            f"{row['mb_per_s']:.2f} | {row['server_cpu_s_per_export']:.3f} | {row['server_cpu_us_per_row']:.1f} | "
            f"{row['worker_rss_kb_before'] / 1024:.1f} → {row['worker_rss_kb_after'] / 1024:.1f} | "
            f"{row['worker_hwm_kb_before'] / 1024:.1f} → {row['worker_hwm_kb_after_small_export'] / 1024:.1f} "
            f"({row['small_export_rows']:,} rows) → {row['worker_hwm_kb_after'] / 1024:.1f} |"
        )
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--list-rows", type=int, help="registrations of the listed event (default 2000)")
    parser.add_argument("--export-rows", type=int, help="registrations of the exported event (default 10000)")
    parser.add_argument("--requests", type=int, help="measured requests per list URL (default 600)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3)")
    parser.add_argument("--warmup", type=int, help="warm-up requests per list URL (default 50)")
    parser.add_argument("--exports", type=int, help="downloads per export format (default 5)")
    parser.add_argument("--concurrency", type=int, default=4, help="connections of the load generator (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for the list (default 2)")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--max-seconds", type=float, default=60, help="time limit of one URL's run (default 60)")
    parser.add_argument("--timeout", type=float, default=60, help="request timeout in seconds (default 60)")
    parser.add_argument("--settle", type=float, default=0.2, help="pause before reading CPU times (default 0.2 s)")
    parser.add_argument("--json", type=Path, help="write the results as JSON to this path")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")
    parser.add_argument("--smoke", action="store_true", help="small data, few requests: the whole script quickly")
    parser.add_argument("--list-only", action="store_true", help="measure the attendee list only, not the exports")
    args = parser.parse_args(argv)
    defaults = {
        "list_rows": (2000, 300),
        "export_rows": (10000, 1000),
        "requests": (600, 20),
        "rounds": (3, 1),
        "warmup": (50, 3),
        "exports": (5, 1),
    }
    for name, (full, smoke) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, smoke if args.smoke else full)
    if min(args.list_rows, args.export_rows, args.requests, args.rounds, args.exports) < 1:
        parser.error("row counts, --requests, --rounds and --exports must be at least 1")
    # What bench/run.py's helpers expect.
    args.database_url = args.redis_url = None
    args.worker_class, args.threads = "sync", 1
    return args


def main(argv=None):
    args = parse_args(argv)

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-organise-"))
    started = datetime.datetime.now(datetime.UTC)
    status = 2
    try:
        generator = make_generator(args)
        env = django_env(args, tmp)
        log(f"temporary directory {tmp}; load generator {generator.version()}")
        timings, data = prepare(args, env, tmp)
        cookie = {"Cookie": data["session_cookie"]}
        list_path = f"/organise/events/{data['list_event']}/attendees/"
        urls = [Target("bare", "/bench/bare/"), Target("bare_list", "/bench/bare-list/")] + [
            Target(name, f"{list_path}?{query}" if query else list_path, dict(cookie))
            for name, query in data["queries"].items()
        ]
        rows_shown = data["rows_shown"]
        if rows_shown["attendees_search_one"] != 1 or rows_shown["attendees_search_full"] != min(
            ROWS_PER_PAGE, args.list_rows
        ):
            raise BenchError(f"the searches do not show 1 and a full page of rows: {rows_shown}")
        list_rows = measure_mode("list", args, env, tmp, generator, urls)
        summary = per_row_summary(list_rows, rows_shown)
        kinds = () if args.list_only else ("csv", "xlsx")
        exports = {kind: measure_export(kind, args, env, tmp, data) for kind in kinds}

        command = shlex.join([".venv/bin/python", "bench/organise.py", *(argv if argv is not None else sys.argv[1:])])
        report = {
            "date": started.isoformat(timespec="seconds"),
            "command": command,
            "machine": machine_info(),
            "versions": package_versions(env),
            "generator": generator.version(),
            "settings": {
                "list_rows": args.list_rows,
                "export_rows": args.export_rows,
                "requests_per_url": args.requests,
                "rounds": args.rounds,
                "warmup": args.warmup,
                "concurrency": args.concurrency,
                "workers": args.workers,
                "exports": args.exports,
            },
            "setup_seconds": timings,
            "list": {
                name: {**{k: v for k, v in row.items() if k != "headers"}, "rows_shown": rows_shown.get(name)}
                for name, row in list_rows.items()
            },
            "per_row": summary,
            "exports": exports,
        }
        print(f"\n## Organiser workspace benchmark {started:%Y-%m-%d %H:%M} UTC\n")
        print(
            f"`{command}`  \n{report['machine']['cpus']} CPUs ({report['machine']['cpu_model']}), "
            f"Django {report['versions'].get('django', '?')}, gunicorn {report['versions'].get('gunicorn', '?')}, "
            f"load generator: {generator.version()}.\n"
        )
        print(f"**Attendee list** ({args.list_rows:,} registrations, {args.workers} sync workers)\n")
        print(list_markdown(list_rows, urls, rows_shown))
        print()
        print(summary_markdown(summary, rows_shown))
        if exports:
            print(f"\n**Exports** ({args.export_rows:,} registrations, 1 sync worker, {args.exports} downloads each)\n")
            print(export_markdown(exports))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
            log(f"results written to {args.json}")
        errors = sum(row["errors"] for row in list_rows.values()) + sum(row["errors"] for row in exports.values())
        if errors:
            log(f"{errors} requests failed; see {tmp}/gunicorn-*.log")
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
