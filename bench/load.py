#!/usr/bin/env python
"""Load test: logged-in participants browse, register and cancel on two app servers.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/load.py                          # 50 users for 60 s, PostgreSQL
    .venv/bin/python bench/load.py --redis-url redis://127.0.0.1:6379/0
    .venv/bin/python bench/load.py --users 10 --duration 10 # a quick end-to-end check
    .venv/bin/python bench/load.py --help

Steps:

1. A fresh PostgreSQL database ``loadtest_<pid>`` on 127.0.0.1 (or ``--database-url``, an
   empty database that is used as it is and not dropped), ``migrate``, ``seed_demo --events
   300 --registrations 2000 --seed 2``, ``collectstatic`` into a temporary directory, and
   three test events with small capacities (20 and 10 seats with a waiting list, 5 without).
2. Two gunicorn app servers (``portal.wsgi:application``, ``--workers 1 --threads 4`` each)
   on two free ports of 127.0.0.1, sharing the database (and Redis with ``--redis-url``).
3. ``--users`` simulated participants (deltagare1@example.org …), one thread each with its
   own cookies, log in through the real allauth form on a random server, then, after all
   have logged in, loop without think time for ``--duration`` seconds over a mix of event
   list, filters (full page and htmx), event pages, registering (form, then POST), my
   registrations and cancelling (form, then POST), alternating between the two servers.
4. Latency percentiles per kind of request, then invariants checked in the database:
   capacity never exceeded, unique waiting-list positions, nobody both confirmed and
   waitlisted, nobody waiting while a seat is free, ``promoted_at`` only on confirmed or
   cancelled registrations.
5. Both servers are stopped and the database is dropped at the end, always (also on a
   failure, Ctrl-C or SIGTERM), unless ``--keep``.

Exit codes: 0 every invariant held and every request got an expected answer (no 5xx, no
socket errors); 1 something did not; 2 a setup step failed; 130 interrupted.
Only 127.0.0.1 is ever contacted; every phase is bounded in time.
"""

import argparse
import collections
import contextlib
import datetime
import http.client
import http.cookies
import json
import math
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import sys
import tempfile
import threading
import time
import types
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402  (needs ROOT on sys.path first)
    CLOCK_TICKS,
    BenchError,
    Gunicorn,
    machine_cpu_seconds,
    machine_info,
    manage,
    package_versions,
)

HOST = "127.0.0.1"  # the only address this script ever sends requests to
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SETTINGS_MODULE = "bench.load_settings"

# Expected answers per kind of request; anything else counts as unexpected.
EXPECTED = {
    "login_form": {200},
    "login_post": {302},
    "home": {200, 302},  # / redirects to /events/
    "events": {200},
    "events_filter": {200},
    "events_filter_htmx": {200},
    "event": {200},
    "register_form": {200, 302, 409},  # 302: already registered; 409: registration closed
    "register_post": {302, 409},  # 302: registered or waitlisted; 409: full without a waiting list, or closed
    "my_registrations": {200},
    "cancel_form": {200, 409},  # 409: the event has already started (found via the fallback)
    "cancel_post": {302, 409},  # 409: the event has already started
}
KIND_ORDER = list(EXPECTED)
LOGIN_KINDS = {"login_form", "login_post", "home"}

# The mix of actions in the loop, as weights. One action is one to four requests.
ACTIONS = {
    "browse": 15,  # GET /events/ (a third of the time page 2-5)
    "filter": 10,  # GET /events/?theme=…&municipality=…
    "filter_htmx": 10,  # the same with HX-Request: true, as htmx sends it
    "event": 15,  # GET /events/<slug>/
    "register": 25,  # GET the form, POST it, follow the redirect to the event page
    "my_registrations": 10,  # GET /me/registrations/
    "cancel": 15,  # GET my registrations, GET the cancel form, POST it, follow the redirect
}

# Published, upcoming test events with small capacities: the waiting list and "full" paths.
TEST_EVENTS = [
    {"slug": "lasttest-20-platser-med-vantelista", "capacity": 20, "waitlist": True},
    {"slug": "lasttest-10-platser-med-vantelista", "capacity": 10, "waitlist": True},
    {"slug": "lasttest-5-platser-utan-vantelista", "capacity": 5, "waitlist": False},
]

PREPARE_CODE = """
import datetime, json
from django.db.models import Q
from django.utils import timezone
from events.models import Event, MeetingPlace, Organiser, Theme
from registrations.models import Registration
specs = json.loads(%(specs)r)
now = timezone.now()
organiser = Organiser.objects.order_by("pk").first()
place = MeetingPlace.objects.filter(is_digital=False).order_by("pk").first()
theme = Theme.objects.order_by("pk").first()
start = (now + datetime.timedelta(days=21)).replace(minute=0, second=0, microsecond=0)
for number, spec in enumerate(specs):
    event = Event.objects.create(
        title=f"Lasttest: {spec['capacity']} platser" + (" med väntelista" if spec["waitlist"] else " utan väntelista"),
        slug=spec["slug"],
        summary="Ett evenemang som lasttestet anmäler sig till och avbokar.",
        description="Skapat av bench/load.py.",
        organiser=organiser,
        place=place,
        format=Event.Format.ON_SITE,
        start=start + datetime.timedelta(hours=number),
        end=start + datetime.timedelta(hours=number + 2),
        capacity=spec["capacity"],
        waitlist_enabled=spec["waitlist"],
        status=Event.Status.PUBLISHED,
        published_at=now - datetime.timedelta(days=1),
    )
    event.themes.add(theme)
upcoming = Event.objects.published().upcoming(now).select_related("place")
open_slugs = [e.slug for e in upcoming.order_by("start", "pk") if e.registration_is_open(now)]
pairs = sorted(
    set(
        upcoming.filter(place__is_digital=False, themes__isnull=False)
        .values_list("themes__slug", "place__municipality")
        .distinct()
    )
)
print("LOADTEST-PREPARED " + json.dumps({
    "events_total": Event.objects.count(),
    "events_upcoming_published": upcoming.count(),
    "registrations": Registration.objects.count(),
    "event_slugs": [e.slug for e in upcoming.order_by("start", "pk")],
    "open_event_slugs": open_slugs,
    "filter_pairs": pairs,
}))
"""

CHECK_CODE = """
import json
from django.db.models import Count, F, Q
from events.models import Event
from registrations.models import Registration
C, W, X = Registration.Status.CONFIRMED, Registration.Status.WAITLISTED, Registration.Status.CANCELLED
events = Event.objects.annotate(
    confirmed=Count("registrations", filter=Q(registrations__status=C)),
    waitlisted=Count("registrations", filter=Q(registrations__status=W)),
)
def rows(queryset, *fields):
    return [dict(zip(fields, row)) for row in queryset.values_list(*fields)[:20]]
over = events.filter(capacity__isnull=False, confirmed__gt=F("capacity"))
dup_positions = (
    Registration.objects.filter(status=W).values("event_id", "waitlist_position")
    .annotate(n=Count("pk")).filter(n__gt=1).order_by()
)
both = (
    Registration.objects.exclude(status=X).values("event_id", "user_id")
    .annotate(c=Count("pk", filter=Q(status=C)), w=Count("pk", filter=Q(status=W)), n=Count("pk"))
    .filter(Q(c__gt=0, w__gt=0) | Q(n__gt=1)).order_by()
)
free_but_waiting = events.filter(waitlisted__gt=0).filter(Q(capacity__isnull=True) | Q(confirmed__lt=F("capacity")))
promoted_bad = Registration.objects.filter(promoted_at__isnull=False).exclude(status__in=[C, X])
position_bad = Registration.objects.filter(
    (Q(status=W) & Q(waitlist_position__isnull=True)) | (~Q(status=W) & Q(waitlist_position__isnull=False))
)
checks = {
    "capacity_never_exceeded": rows(over, "pk", "slug", "capacity", "confirmed"),
    "waitlist_positions_unique": list(dup_positions[:20]),
    "nobody_confirmed_and_waitlisted": list(both[:20]),
    "nobody_waiting_while_a_seat_is_free": rows(free_but_waiting, "pk", "slug", "capacity", "confirmed", "waitlisted"),
    "promoted_at_only_on_confirmed_or_cancelled": rows(promoted_bad, "pk", "event_id", "user_id", "status"),
    "waitlist_position_only_when_waitlisted": rows(position_bad, "pk", "event_id", "status", "waitlist_position"),
}
slugs = json.loads(%(slugs)r)
test_events = []
for event in events.filter(slug__in=slugs).order_by("pk"):
    regs = Registration.objects.filter(event=event)
    test_events.append({
        "slug": event.slug,
        "capacity": event.capacity,
        "waitlist": event.waitlist_enabled,
        "confirmed": event.confirmed,
        "waitlisted": event.waitlisted,
        "cancelled": regs.filter(status=X).count(),
        "promoted": regs.filter(promoted_at__isnull=False).count(),
        "promoted_and_confirmed": regs.filter(promoted_at__isnull=False, status=C).count(),
        "waitlist_positions": sorted(regs.filter(status=W).values_list("waitlist_position", flat=True)),
    })
totals = dict(Registration.objects.values_list("status").annotate(n=Count("pk")).order_by())
totals["promoted"] = Registration.objects.filter(promoted_at__isnull=False).count()
print("LOADTEST-CHECKS " + json.dumps({"checks": checks, "test_events": test_events, "registrations": totals}))
"""


SetupError = BenchError  # a setup step failed; the message says which


def log(message):
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- statistics


class Stats:
    """Latencies (ms) and answers per kind of request, of one user; merged at the end."""

    def __init__(self):
        self.latencies = collections.defaultdict(list)
        self.statuses = collections.defaultdict(collections.Counter)
        self.per_server = collections.Counter()
        self.outcomes = collections.Counter()
        self.reconnects = 0

    def add(self, kind, status, latency_ms, port):
        self.latencies[kind].append(latency_ms)
        self.statuses[kind][status] += 1
        self.per_server[port] += 1

    def merge(self, other):
        for kind, values in other.latencies.items():
            self.latencies[kind].extend(values)
        for kind, counter in other.statuses.items():
            self.statuses[kind].update(counter)
        self.per_server.update(other.per_server)
        self.outcomes.update(other.outcomes)
        self.reconnects += other.reconnects


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def summarise(stats, kinds, seconds):
    table = {}
    for kind in kinds:
        values = sorted(stats.latencies.get(kind, []))
        statuses = stats.statuses.get(kind, collections.Counter())
        expected = EXPECTED[kind]
        table[kind] = {
            "requests": len(values),
            "rps": round(len(values) / seconds, 2) if seconds else None,
            "p50_ms": percentile(values, 50),
            "p95_ms": percentile(values, 95),
            "p99_ms": percentile(values, 99),
            "mean_ms": round(sum(values) / len(values), 1) if values else None,
            "max_ms": values[-1] if values else None,
            "statuses": {str(k): v for k, v in sorted(statuses.items(), key=lambda item: str(item[0]))},
            "server_errors": sum(v for k, v in statuses.items() if isinstance(k, int) and k >= 500),
            "socket_errors": sum(v for k, v in statuses.items() if not isinstance(k, int)),
            "unexpected": sum(v for k, v in statuses.items() if isinstance(k, int) and k < 500 and k not in expected),
        }
    return table


# --------------------------------------------------------------------------- HTTP client

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')
CANCEL_RE = re.compile(r'href="(?:/[a-z]{2})?/me/registrations/(\d+)/cancel/"')
ROW_RE = re.compile(
    r'<li class="registration" id="registration-(\d+)">\s*<h3><a href="(?:/[a-z]{2})?/events/([^/"]+)/"'
    r'.*?<span class="(badge[^"]*)"',
    re.DOTALL,
)
# Badges of registrations that can still be cancelled: confirmed, waitlisted (not "cancelled
# by you", not "the event is cancelled").
ACTIVE_BADGES = {"badge badge--open", "badge badge--full"}


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def location(self):
        return self.headers.get("Location") or ""

    def text(self):
        return self.body.decode("utf-8", errors="replace")


class Browser:
    """One simulated participant: own cookies, one keep-alive connection per server."""

    def __init__(self, ports, stats, timeout, client_ip=None):
        self.ports = ports
        self.stats = stats
        self.timeout = timeout
        self.client_ip = client_ip
        self.cookies = {}
        self.connections = {}
        self.turn = random.randrange(len(ports))

    def next_port(self):
        """Alternate between the servers, as a round-robin load balancer would."""
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        return port

    def close(self):
        for connection in self.connections.values():
            connection.close()
        self.connections.clear()

    def _store_cookies(self, message):
        for header in message.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie()
            try:
                jar.load(header)
            except http.cookies.CookieError:
                continue
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def request(self, kind, method, path, *, fields=None, headers=None, port=None):
        """One request, timed and recorded under ``kind``; returns a Response or None (socket error)."""
        port = port or self.next_port()
        all_headers = {
            "Host": f"{HOST}:{port}",
            "Accept": "text/html,application/xhtml+xml",
            "Accept-Language": "sv-SE,sv;q=0.9",
            "User-Agent": "motesplatser-loadtest/1 (bench/load.py)",
        }
        if self.client_ip:
            all_headers["X-Forwarded-For"] = self.client_ip
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers["Origin"] = f"http://{HOST}:{port}"
        all_headers.update(headers or {})
        started = time.perf_counter()
        response = None
        for attempt in (1, 2):
            connection = self.connections.get(port)
            reused = connection is not None and connection.sock is not None
            if connection is None:
                connection = self.connections[port] = http.client.HTTPConnection(HOST, port, timeout=self.timeout)
            try:
                connection.request(method, path, body=body, headers=all_headers)
                raw = connection.getresponse()
                data = raw.read()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                self.connections.pop(port, None)
                # A keep-alive connection the server closed meanwhile: retry once on a new
                # one, as browsers do. Time spent counts towards the request's latency.
                stale = isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError)
                if attempt == 1 and reused and stale:
                    self.stats.reconnects += 1
                    continue
                error = "timeout" if isinstance(exc, TimeoutError) else f"error:{type(exc).__name__}"
                self.stats.add(kind, error, round((time.perf_counter() - started) * 1000, 2), port)
                return None
            response = Response(raw.status, raw.headers, data)
            self._store_cookies(raw.headers)
            if raw.will_close:
                connection.close()
                self.connections.pop(port, None)
            break
        self.stats.add(kind, response.status, round((time.perf_counter() - started) * 1000, 2), port)
        return response


def csrf_token(response):
    match = CSRF_RE.search(response.text()) if response is not None else None
    return match.group(1) if match else None


def local_path(location):
    """The path of a redirect target (the servers answer with relative URLs)."""
    parsed = urllib.parse.urlsplit(location)
    if parsed.hostname not in (None, HOST):
        raise ValueError(f"refusing to follow a redirect off 127.0.0.1: {location}")
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


# --------------------------------------------------------------------------- simulated users


class User:
    def __init__(self, number, password, ports, targets, args, go, stop, stop_at):
        self.number = number
        self.email = f"deltagare{number}@example.org"
        self.password = password
        self.targets = targets
        self.args = args
        self.go = go
        self.stop = stop
        self.stop_at = stop_at
        self.rng = random.Random(args.seed * 100_003 + number)
        self.login_stats = Stats()
        self.stats = Stats()
        client_ip = f"10.77.{number // 250}.{number % 250 + 1}" if args.client_ip == "per-user" else None
        self.browser = Browser(ports, self.login_stats, args.timeout, client_ip)
        self.logged_in = False
        self.login_done = threading.Event()
        self.error = None
        self.cancel_links = []  # [(registration id, event slug or None)]
        self.links_missing = False  # the ids came from the rows, not from cancel links

    # ---- phase 1: log in once, through the real form

    def login(self, deadline):
        browser = self.browser
        port = self.rng.choice(browser.ports)  # a random server
        while time.monotonic() < deadline and not self.stop.is_set():
            form = browser.request("login_form", "GET", "/accounts/login/", port=port)
            token = csrf_token(form) if form is not None and form.status == 200 else None
            if token is None:
                return
            fields = {"login": self.email, "password": self.password, "csrfmiddlewaretoken": token}
            response = browser.request("login_post", "POST", "/accounts/login/", fields=fields, port=port)
            if response is None:
                return
            if response.status == 302 and "sessionid" in browser.cookies:
                self.logged_in = True
                browser.request("home", "GET", local_path(response.location) or "/")
                return
            if response.status == 429:  # allauth's rate limit: wait as a person would, then retry
                self.login_stats.outcomes["login_rate_limited"] += 1
                time.sleep(min(15.0, max(0.0, deadline - time.monotonic())))
                continue
            return

    # ---- phase 2: the mix

    def run(self, login_deadline):
        try:
            try:
                self.login(login_deadline)
            finally:
                self.login_done.set()
            if not self.logged_in:
                return
            self.go.wait()
            self.browser.stats = self.stats
            actions, weights = zip(*ACTIONS.items(), strict=True)
            while not self.stop.is_set() and time.monotonic() < self.stop_at:
                action = self.rng.choices(actions, weights)[0]
                getattr(self, f"do_{action}")()
                if self.args.think_time:
                    time.sleep(self.rng.uniform(0, 2 * self.args.think_time))
        except Exception as exc:  # a bug in this script must not hang the run
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.browser.close()

    def time_left(self):
        return not self.stop.is_set() and time.monotonic() < self.stop_at

    def follow(self, response, kind):
        if response is not None and response.status in (301, 302, 303) and response.location and self.time_left():
            return self.browser.request(kind, "GET", local_path(response.location))
        return None

    def do_browse(self):
        page = self.rng.choice((2, 3, 4, 5)) if self.rng.random() < 1 / 3 else None
        self.browser.request("events", "GET", f"/events/?page={page}" if page else "/events/")

    def _filter_query(self, htmx):
        theme, municipality = self.rng.choice(self.targets["filter_pairs"])
        if htmx:
            # htmx sends every field of the filter form, the empty ones too.
            params = [("q", ""), ("theme", theme), ("place", ""), ("municipality", municipality)]
            params += [("format", ""), ("from", ""), ("to", "")]
        else:
            params = [("theme", theme), ("municipality", municipality)]
        return "/events/?" + urllib.parse.urlencode(params)

    def do_filter(self):
        self.browser.request("events_filter", "GET", self._filter_query(htmx=False))

    def do_filter_htmx(self):
        path = self._filter_query(htmx=True)
        headers = {"HX-Request": "true", "HX-Current-URL": f"http://{HOST}/events/", "HX-Target": "results"}
        self.browser.request("events_filter_htmx", "GET", path, headers=headers)

    def do_event(self):
        slug = self.rng.choice(self.targets["event_slugs"])
        self.browser.request("event", "GET", f"/events/{slug}/")

    def do_register(self):
        if self.rng.random() < self.args.test_event_share or not self.targets["open_event_slugs"]:
            slug = self.rng.choice(self.targets["test_event_slugs"])
        else:
            slug = self.rng.choice(self.targets["open_event_slugs"])
        test_event = slug in self.targets["test_event_slugs"]
        path = f"/events/{slug}/register/"
        form = self.browser.request("register_form", "GET", path)
        if form is None:
            return
        if form.status == 302:
            self.stats.outcomes["register: already registered (form redirects)"] += 1
            self.follow(form, "event")
            return
        if form.status == 409:
            self.stats.outcomes["register: registration closed (form 409)"] += 1
            return
        token = csrf_token(form) if form.status == 200 else None
        if token is None or not self.time_left():
            return
        fields = {
            "organisation": "Lasttest AB",
            "dietary_needs": self.rng.choice(("", "", "Vegetarisk", "Glutenfri")),
            "accessibility_needs": self.rng.choice(("", "", "", "Hörslinga")),
            "sensitive_consent": "on",  # needed when the needs above are filled in (GDPR article 9)
            "consent": "on",
            "csrfmiddlewaretoken": token,
        }
        response = self.browser.request("register_post", "POST", path, fields=fields)
        if response is None:
            return
        where = "test event" if test_event else "seeded event"
        if response.status == 302:
            if local_path(response.location).rstrip("/").endswith(f"/events/{slug}"):
                self.stats.outcomes[f"register: accepted, {where} (302 to the event page)"] += 1
            else:
                self.stats.outcomes[f"register: 302 elsewhere: {response.location}"] += 1
            self.follow(response, "event")
        elif response.status == 409:
            self.stats.outcomes[f"register: refused, {where} (409 full or closed)"] += 1
        else:
            self.stats.outcomes[f"register: unexpected {response.status}"] += 1

    def parse_my_registrations(self, response):
        """The registrations this page offers to cancel: [(id, event slug)].

        The ids come from the page's links ``/me/registrations/<id>/cancel/``. With
        ``--cancel-fallback`` (the default), when the page shows no such link at all, the
        ids of the upcoming rows whose badge says confirmed or waitlisted are used instead
        (the portal omits the links for participants who have any past registration, see
        bench/README.md); such cancellations are counted apart.
        """
        self.cancel_links, self.links_missing = [], False
        if response is None or response.status != 200:
            return
        text = response.text()
        upcoming = text.split('id="past-heading"', 1)[0]
        rows = ROW_RE.findall(upcoming)
        slugs = {pk: slug for pk, slug, _badge in rows}
        self.cancel_links = [(pk, slugs.get(pk)) for pk in dict.fromkeys(CANCEL_RE.findall(text))]
        if not self.cancel_links and self.args.cancel_fallback:
            self.cancel_links = [(pk, slug) for pk, slug, badge in rows if badge in ACTIVE_BADGES]
            self.links_missing = bool(self.cancel_links)

    def do_my_registrations(self):
        self.parse_my_registrations(self.browser.request("my_registrations", "GET", "/me/registrations/"))

    def do_cancel(self):
        self.do_my_registrations()
        if not self.cancel_links:
            self.stats.outcomes["cancel: nothing to cancel"] += 1
            return
        on_test_events = [link for link in self.cancel_links if link[1] in self.targets["test_event_slugs"]]
        pool = on_test_events if on_test_events and self.rng.random() < self.args.test_event_share else None
        pk, slug = self.rng.choice(pool or self.cancel_links)
        links_missing = self.links_missing
        if not self.time_left():
            return
        path = f"/me/registrations/{pk}/cancel/"
        form = self.browser.request("cancel_form", "GET", path)
        token = csrf_token(form) if form is not None and form.status == 200 else None
        if token is None or not self.time_left():
            return
        response = self.browser.request("cancel_post", "POST", path, fields={"csrfmiddlewaretoken": token})
        if response is None:
            return
        where = "test event" if slug in self.targets["test_event_slugs"] else "seeded event"
        if links_missing:
            where += ", id from the row: the page showed no cancel link"
        if response.status == 302:
            self.stats.outcomes[f"cancel: cancelled, {where}"] += 1
            self.parse_my_registrations(self.follow(response, "my_registrations"))
        elif response.status == 409:
            self.stats.outcomes[f"cancel: refused, {where} (409 already started)"] += 1
        else:
            self.stats.outcomes[f"cancel: unexpected {response.status}"] += 1


# --------------------------------------------------------------------------- setup and teardown


def check_local_url(url, what):
    host = urllib.parse.urlsplit(url).hostname
    if host not in LOCAL_HOSTS:
        raise SetupError(f"{what} must point at 127.0.0.1, not {host!r}")


class Database:
    """A fresh database loadtest_<pid> on the PostgreSQL server of ``admin_url``; dropped at the end."""

    def __init__(self, admin_url, name):
        import psycopg

        self.psycopg = psycopg
        self.admin_url = admin_url
        self.name = name
        self.created = False
        parts = urllib.parse.urlsplit(admin_url)
        self.url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))

    def create(self):
        assert re.fullmatch(r"loadtest_[a-z0-9_]+", self.name), self.name
        with self.psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.created = True
        log(f"created database {self.name}")

    def drop(self):
        if not self.created:
            return
        with self.psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.created = False
        log(f"dropped database {self.name}")


def django_env(args, tmp, database_url, cache_prefix):
    env = dict(os.environ)
    for name in (
        "DATABASE_URL",
        "SQLITE_PATH",
        "REDIS_URL",
        "CACHE_DIR",
        "PUBLIC_CACHE_SECONDS",
        "BENCH_DISABLE_CACHE",
    ):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
        LOG_REQUESTS="false",  # a log line per request would measure the terminal
        PORTAL_ENV="development",  # production would redirect plain HTTP to HTTPS
        DEBUG="0",
        DATABASE_URL=database_url,
        CACHE_DIR=str(tmp / "cache"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOADTEST_STATIC_ROOT=str(tmp / "static"),
        LOADTEST_TRUSTED_PROXY_COUNT="1" if args.client_ip == "per-user" else "0",
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
        env["LOADTEST_CACHE_PREFIX"] = cache_prefix
    return env


def marked_json(output, marker):
    match = re.search(rf"^{marker} (\{{.*\}})$", output, re.MULTILINE)
    if not match:
        raise SetupError(f"no {marker} line in the output:\n{output[-2000:]}")
    return json.loads(match.group(1))


def prepare(args, env, tmp, password):
    timings = {}
    _, timings["migrate_s"] = manage(env, tmp, "migrate", "--noinput", "-v", "0")
    seed_args = ["--events", str(args.events), "--registrations", str(args.registrations), "--seed", str(args.seed)]
    out, timings["seed_s"] = manage(
        env,
        tmp,
        "seed_demo",
        *seed_args,
        "--password",
        password,
        label=f"seed_demo {shlex.join(seed_args)} --password …",
    )
    log(out.strip().splitlines()[0] if out.strip() else "seed_demo printed nothing")
    _, timings["collectstatic_s"] = manage(env, tmp, "collectstatic", "--noinput", "-v", "0")
    code = PREPARE_CODE % {"specs": json.dumps(TEST_EVENTS)}
    out, timings["test_events_s"] = manage(env, tmp, "shell", "-c", code, label="shell -c <create the test events>")
    targets = marked_json(out, "LOADTEST-PREPARED")
    targets["test_event_slugs"] = [spec["slug"] for spec in TEST_EVENTS]
    if not targets["filter_pairs"] or not targets["event_slugs"]:
        raise SetupError(f"the seeded database has no upcoming events to browse: {targets}")
    return timings, targets


def check_invariants(env, tmp):
    code = CHECK_CODE % {"slugs": json.dumps([spec["slug"] for spec in TEST_EVENTS])}
    out, _ = manage(env, tmp, "shell", "-c", code, label="shell -c <check the invariants>")
    return marked_json(out, "LOADTEST-CHECKS")


def delete_redis_keys(redis_url, prefix):
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=10)
    deleted = 0
    for number, key in enumerate(client.scan_iter(match=f"{prefix}:*", count=1000)):
        if number >= 1_000_000:
            break
        deleted += client.delete(key)
    client.close()
    log(f"deleted {deleted} Redis keys {prefix}:*")


def cpu_by_command(names=("postgres", "redis-server")):
    """CPU seconds used so far by the processes of each command name.

    utime + stime of the live processes plus cutime + cstime (children that have exited,
    e.g. PostgreSQL backends closed after CONN_MAX_AGE, are added to the postmaster's).
    """
    totals = dict.fromkeys(names, 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        if name in totals:
            fields = raw.rsplit(")", 1)[1].split()
            totals[name] += sum(int(value) for value in fields[11:15]) / CLOCK_TICKS
    return totals


def wait_until_quiet(max_seconds, threshold=0.15, window=3.0):
    """Wait (at most max_seconds) until the machine's busy CPU over ``window`` s is below ``threshold`` cores.

    Returns the last measured busy cores: what else ran just before the test.
    """
    deadline = time.monotonic() + max_seconds
    while True:
        before = machine_cpu_seconds()[0]
        time.sleep(window)
        busy = (machine_cpu_seconds()[0] - before) / window
        if busy < threshold or time.monotonic() >= deadline:
            return round(busy, 2)
        log(f"the machine is busy ({busy:.2f} cores used by other processes); waiting")


def server_log_errors(paths):
    """Tracebacks and 5xx lines that Django logged in the servers' output."""
    found = []
    for path in paths:
        with contextlib.suppress(OSError):
            for line in Path(path).read_text(errors="replace").splitlines():
                if "Traceback" in line or " ERROR " in line or "Internal Server Error" in line:
                    found.append(f"{Path(path).name}: {line[:300]}")
    return found


# --------------------------------------------------------------------------- the run


def run_users(args, servers, targets, password):
    stop = threading.Event()
    go = threading.Event()
    login_deadline = time.monotonic() + args.login_timeout
    ports = [server.port for server in servers]
    # stop_at is set once everybody has logged in, before the start signal.
    users = [User(number, password, ports, targets, args, go, stop, math.inf) for number in range(1, args.users + 1)]
    threads = [threading.Thread(target=user.run, args=(login_deadline,), daemon=True) for user in users]
    log(f"{args.users} users log in (up to {args.login_timeout:.0f} s)")
    login_started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        for user in users:
            while not user.login_done.wait(0.2):
                pass
        login_seconds = time.monotonic() - login_started
        logged_in = sum(user.logged_in for user in users)
        log(
            f"{logged_in}/{args.users} logged in after {login_seconds:.1f} s; running the mix for {args.duration:.0f} s"
        )
        stop_at = time.monotonic() + args.duration
        for user in users:
            user.stop_at = stop_at
        cpu = {"client_before": time.process_time(), "machine_before": machine_cpu_seconds()[0]}
        cpu["servers_before"] = [server.cpu_seconds()[0] for server in servers]
        cpu["services_before"] = cpu_by_command()
        started = time.monotonic()
        go.set()
        hard_deadline = stop_at + args.timeout + 30
        for thread in threads:
            while thread.is_alive() and time.monotonic() < hard_deadline:
                thread.join(0.2)
        seconds = time.monotonic() - started
        if any(thread.is_alive() for thread in threads):
            log("some users were still busy after the time limit; their requests are abandoned")
            stop.set()
        cpu["client"] = time.process_time() - cpu["client_before"]
        cpu["machine"] = machine_cpu_seconds()[0] - cpu["machine_before"]
        cpu["services"] = {
            name: max(0.0, value - cpu["services_before"].get(name, 0.0)) for name, value in cpu_by_command().items()
        }
        cpu["servers"] = [
            server.cpu_seconds()[0] - before for server, before in zip(servers, cpu["servers_before"], strict=True)
        ]
    except KeyboardInterrupt:
        stop.set()
        go.set()  # users still waiting for the start see the stop and return
        for thread in threads:
            thread.join(2)
        raise
    login_stats, stats = Stats(), Stats()
    for user in users:
        login_stats.merge(user.login_stats)
        stats.merge(user.stats)
    errors = [f"user {user.number}: {user.error}" for user in users if user.error]
    return {
        "login_seconds": login_seconds,
        "logged_in": logged_in,
        "seconds": seconds,
        "login_stats": login_stats,
        "stats": stats,
        "cpu": cpu,
        "script_errors": errors,
    }


def fmt(value, digits=1):
    return "–" if value is None else f"{value:,.{digits}f}"


def markdown(report, table, login_table):
    lines = []
    s = report["settings"]
    lines.append(f"## Load test {report['date'][:16].replace('T', ' ')} UTC\n")
    lines.append(
        f"`{report['command']}`  \n"
        f"{report['machine']['cpus']} cores ({report['machine']['cpu_model']}), Python {report['machine']['python']}, "
        f"Django {report['versions'].get('django', '?')}, gunicorn {report['versions'].get('gunicorn', '?')}; "
        f"2 app servers × {s['workers']} worker × {s['threads']} threads (gthread), PostgreSQL, "
        f"cache: {s['cache']}; {s['users']} users, think time {s['think_time']} s, {s['duration']} s.  \n"
        f"Database: {report['database']['events_total']:,} events "
        f"({report['database']['events_upcoming_published']:,} upcoming and published), "
        f"{report['database']['registrations']:,} registrations before the run. "
        f"Setup {sum(report['setup_seconds'].values()):.1f} s, {report['total_seconds']:.0f} s until the checks.\n"
    )
    login = report["login"]
    lines.append(
        f"Login phase: {login['logged_in']}/{s['users']} users logged in through the form in "
        f"{login['seconds']:.1f} s.\n"
    )
    header = (
        "| request | count | per s | p50 ms | p95 ms | p99 ms | max ms | answers | 5xx | socket errors | unexpected |\n"
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"
    )
    for title, rows in (("Login phase", login_table), (f"Mix, {report['run']['seconds']:.0f} s", table)):
        lines.append(f"**{title}**\n\n{header}")
        for kind, row in rows.items():
            if not row["requests"]:
                continue
            answers = ", ".join(f"{k}: {v:,}" for k, v in row["statuses"].items())
            lines.append(
                f"| {kind} | {row['requests']:,} | {fmt(row['rps'])} | {fmt(row['p50_ms'])} | {fmt(row['p95_ms'])} | "
                f"{fmt(row['p99_ms'])} | {fmt(row['max_ms'])} | {answers} | {row['server_errors']} | "
                f"{row['socket_errors']} | {row['unexpected']} |"
            )
        lines.append("")
    run = report["run"]
    lines.append(
        f"Total: {run['requests']:,} requests in {run['seconds']:.1f} s = **{run['rps']:,.1f} requests/s**; "
        f"per server: {', '.join(f'{k}: {v:,}' for k, v in run['per_server'].items())}; "
        f"kept-alive connections reopened: {run['reconnects']:,}.  \n"
        f"CPU during the mix (cores): app servers {fmt(run['cpu_cores']['servers'], 2)} "
        f"({fmt(run['cpu_ms_per_request']['servers'], 1)} ms per request), PostgreSQL "
        f"{fmt(run['cpu_cores']['postgres'], 2)} ({fmt(run['cpu_ms_per_request']['postgres'], 1)} ms per request), "
        f"Redis {fmt(run['cpu_cores']['redis'], 2)}, load generator {fmt(run['cpu_cores']['client'], 2)}, "
        f"other processes and the kernel {fmt(run['cpu_cores']['other'], 2)}; machine "
        f"{fmt(run['cpu_cores']['machine'], 2)} of {report['machine']['cpus']}.\n"
    )
    target = report["target"]
    lines.append(
        f"Target: register POST p95 < {target['p95_ms']:.0f} ms at {s['users']} users: "
        f"**{'met' if target['met'] else 'not met'}** (p95 {fmt(target['measured_p95_ms'])} ms).\n"
    )
    lines.append("**Outcomes**\n\n| outcome | count |\n|---|---:|")
    for outcome, count in sorted(report["outcomes"].items()):
        lines.append(f"| {outcome} | {count:,} |")
    lines.append("")
    checks = report["invariants"]
    if checks:
        lines.append("**Invariants (database after the run)**\n\n| invariant | result |\n|---|---|")
        for name, violations in checks["checks"].items():
            result = "holds" if not violations else f"**VIOLATED**: {json.dumps(violations)[:400]}"
            lines.append(f"| {name.replace('_', ' ')} | {result} |")
        lines.append(
            "| no request answered 5xx | "
            + ("holds" if not report["server_errors"] else f"**VIOLATED**: {report['server_errors']} answers")
            + " |"
        )
        lines.append("\n**Test events after the run**\n")
        lines.append("| event | capacity | waiting list | confirmed | waitlisted | cancelled | with promoted_at |")
        lines.append("|---|---:|---|---:|---:|---:|---:|")
        for event in checks["test_events"]:
            lines.append(
                f"| `{event['slug']}` | {event['capacity']} | {'yes' if event['waitlist'] else 'no'} | "
                f"{event['confirmed']} | {event['waitlisted']} | {event['cancelled']} | {event['promoted']} |"
            )
        totals = checks["registrations"]
        lines.append(
            "\nAll registrations after the run: "
            + ", ".join(f"{name} {count:,}" for name, count in sorted(totals.items()))
            + ".\n"
        )
    lines.append(
        f"Result: **{'PASS' if report['passed'] else 'FAIL'}**"
        + ("" if report["passed"] else " – " + "; ".join(report["failures"]))
    )
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50, help="simulated participants (default 50, at most 500)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of the mix after login (default 60)")
    parser.add_argument(
        "--database-url",
        help="an empty PostgreSQL database on 127.0.0.1 to use instead of a fresh loadtest_<pid> (not dropped)",
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help=f"server (and maintenance database) where loadtest_<pid> is created (default {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or None, help="Redis for the cache (default $REDIS_URL)"
    )
    parser.add_argument("--json", type=Path, help="write the results as JSON to this path")
    parser.add_argument("--keep", action="store_true", help="keep the database and the temporary directory")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per server (default 1)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument("--think-time", type=float, default=0, help="mean pause between actions, s (default 0)")
    parser.add_argument("--target-p95-ms", type=float, default=300, help="target for register POST p95 (default 300)")
    parser.add_argument("--timeout", type=float, default=30, help="timeout of one request, s (default 30)")
    parser.add_argument("--login-timeout", type=float, default=180, help="time limit of the login phase (default 180)")
    parser.add_argument(
        "--client-ip",
        choices=["per-user", "shared"],
        default="per-user",
        help="per-user: each user sends its own X-Forwarded-For address and allauth trusts one proxy; "
        "shared: all users are 127.0.0.1 (allauth allows 30 logins a minute per address)",
    )
    parser.add_argument(
        "--test-event-share",
        type=float,
        default=0.7,
        help="share of registrations and cancellations aimed at the small test events (default 0.7)",
    )
    parser.add_argument(
        "--no-cancel-fallback",
        dest="cancel_fallback",
        action="store_false",
        help="cancel only through the page's cancel links (by default, when a page shows none, "
        "the ids of its upcoming confirmed or waitlisted rows are used)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        help="before the test, wait up to this many seconds until other processes use under 0.15 cores (default 0)",
    )
    parser.add_argument("--events", type=int, default=300, help="seed_demo --events (default 300)")
    parser.add_argument("--registrations", type=int, default=2000, help="seed_demo --registrations (default 2000)")
    parser.add_argument("--seed", type=int, default=2, help="seed_demo --seed, and the users' random seed (default 2)")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 500:
        parser.error("--users must be 1 to 500 (seed_demo creates 500 participants)")
    if not 0 < args.duration <= 3600:
        parser.error("--duration must be more than 0 and at most 3600 s")
    if not 1 <= args.workers <= 8 or not 1 <= args.threads <= 32:
        parser.error("--workers must be 1 to 8 and --threads 1 to 32")
    return args


def main(argv=None):
    args = parse_args(argv)

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt  # the same clean stop as Ctrl-C

    signal.signal(signal.SIGTERM, on_sigterm)
    started_at = datetime.datetime.now(datetime.UTC)
    started_monotonic = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="portal-load-"))
    database = None
    servers = []
    status = 2
    cache_prefix = f"loadtest_{os.getpid()}"
    redis_checked = False  # never contact a Redis that is not on 127.0.0.1, not even to clean up
    try:
        for url, what in ((args.database_url, "--database-url"), (args.postgres_url, "--postgres-url")):
            if url:
                check_local_url(url, what)
        if args.redis_url:
            check_local_url(args.redis_url, "--redis-url")
            redis_checked = True
        if args.database_url:
            database_url = args.database_url
        else:
            database = Database(args.postgres_url, f"loadtest_{os.getpid()}")
            database.create()
            database_url = database.url
        env = django_env(args, tmp, database_url, cache_prefix)
        password = secrets.token_urlsafe(12)
        log(f"temporary directory {tmp}")
        timings, targets = prepare(args, env, tmp, password)
        log(
            f"{targets['events_upcoming_published']} upcoming published events, "
            f"{len(targets['open_event_slugs'])} open for registration, {len(targets['filter_pairs'])} filter pairs"
        )

        gunicorn_args = types.SimpleNamespace(workers=args.workers, worker_class="gthread", threads=args.threads)
        ports = set()
        for name in ("a", "b"):
            server_env = dict(env)
            if not args.redis_url:
                # Without Redis each app server has its own file cache, as on two machines.
                server_env["CACHE_DIR"] = str(tmp / f"cache-{name}")
            server = Gunicorn(server_env, gunicorn_args, tmp / f"gunicorn-{name}.log")
            while server.port in ports:
                server.port = Gunicorn(server_env, gunicorn_args, server.log_path).port
            ports.add(server.port)
            servers.append(server)
            server.start()

        busy_before = wait_until_quiet(args.wait_quiet) if args.wait_quiet else None
        if busy_before is not None:
            log(f"other processes used {busy_before:.2f} cores just before the test")
        result = run_users(args, servers, targets, password)
        invariants = check_invariants(env, tmp)

        kinds_login = [kind for kind in KIND_ORDER if kind in LOGIN_KINDS]
        kinds_mix = [kind for kind in KIND_ORDER if kind not in LOGIN_KINDS]
        table = summarise(result["stats"], kinds_mix, result["seconds"])
        login_table = summarise(result["login_stats"], kinds_login, result["login_seconds"])
        if args.client_ip == "shared":
            login_table["login_post"]["unexpected"] -= int(login_table["login_post"]["statuses"].get("429", 0))
        all_rows = list(table.values()) + list(login_table.values())
        server_errors = sum(row["server_errors"] for row in all_rows)
        socket_errors = sum(row["socket_errors"] for row in all_rows)
        unexpected = sum(row["unexpected"] for row in all_rows)
        requests = sum(row["requests"] for row in table.values())
        seconds = result["seconds"]
        cpu = result["cpu"]
        servers_cpu = sum(cpu["servers"])
        register_p95 = table["register_post"]["p95_ms"]
        failures = []
        if server_errors:
            failures.append(f"{server_errors} answers were 5xx")
        if socket_errors:
            failures.append(f"{socket_errors} requests failed on the socket (connection error or timeout)")
        if unexpected:
            failures.append(f"{unexpected} answers had an unexpected status")
        violated = [name for name, rows in invariants["checks"].items() if rows]
        if violated:
            failures.append("invariants violated: " + ", ".join(violated))
        if result["logged_in"] < args.users:
            failures.append(f"only {result['logged_in']} of {args.users} users could log in")
        if result["script_errors"]:
            failures.append(f"{len(result['script_errors'])} users stopped on an error in this script")
        log_errors = server_log_errors(server.log_path for server in servers)
        if log_errors:
            failures.append(f"{len(log_errors)} error lines in the server logs")
        outcomes = result["stats"].outcomes + result["login_stats"].outcomes
        command = shlex.join([".venv/bin/python", "bench/load.py", *(argv if argv is not None else sys.argv[1:])])
        report = {
            "date": started_at.isoformat(timespec="seconds"),
            "total_seconds": round(time.monotonic() - started_monotonic, 1),
            "command": command,
            "machine": machine_info(),
            "versions": package_versions(env),
            "settings": {
                "users": args.users,
                "duration": args.duration,
                "think_time": args.think_time,
                "workers": args.workers,
                "threads": args.threads,
                "servers": 2,
                "cache": "Redis (shared)" if args.redis_url else "file cache, one per server",
                "client_ip": args.client_ip,
                "test_event_share": args.test_event_share,
                "seed_demo": {"events": args.events, "registrations": args.registrations, "seed": args.seed},
                "test_events": TEST_EVENTS,
                "action_weights": ACTIONS,
            },
            "setup_seconds": timings,
            "busy_cores_before": busy_before,
            "database": {k: v for k, v in targets.items() if not isinstance(v, list)},
            "login": {"seconds": round(result["login_seconds"], 2), "logged_in": result["logged_in"]},
            "login_requests": login_table,
            "requests": table,
            "run": {
                "seconds": round(seconds, 2),
                "requests": requests,
                "rps": round(requests / seconds, 2) if seconds else 0,
                "per_server": {str(k): v for k, v in sorted(result["stats"].per_server.items())},
                "reconnects": result["stats"].reconnects,
                "cpu_cores": {
                    "servers": round(servers_cpu / seconds, 2),
                    "servers_each": [round(value / seconds, 2) for value in cpu["servers"]],
                    "client": round(cpu["client"] / seconds, 2),
                    "machine": round(cpu["machine"] / seconds, 2),
                    "postgres": round(cpu["services"]["postgres"] / seconds, 2),
                    "redis": round(cpu["services"]["redis-server"] / seconds, 2),
                    "other": round(
                        max(0.0, cpu["machine"] - servers_cpu - cpu["client"] - sum(cpu["services"].values()))
                        / seconds,
                        2,
                    ),
                },
                "cpu_ms_per_request": {
                    "servers": round(servers_cpu * 1000 / requests, 2) if requests else None,
                    "postgres": round(cpu["services"]["postgres"] * 1000 / requests, 2) if requests else None,
                },
            },
            "outcomes": dict(sorted(outcomes.items())),
            "target": {
                "p95_ms": args.target_p95_ms,
                "measured_p95_ms": register_p95,
                "met": register_p95 is not None and register_p95 < args.target_p95_ms,
            },
            "invariants": invariants,
            "server_errors": server_errors,
            "server_log_errors": log_errors[:50],
            "script_errors": result["script_errors"][:50],
            "failures": failures,
            "passed": not failures,
        }
        print(markdown(report, table, login_table))
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
            log(f"results written to {args.json}")
        if failures:
            for line in log_errors[:20]:
                log(line)
        status = 0 if not failures else 1
    except SetupError as exc:
        log(f"error: {exc}")
    except KeyboardInterrupt:
        log("interrupted")
        status = 130
    finally:
        # Always: stop the servers, drop the database, remove the Redis keys and the files.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for server in servers:
            try:
                server.stop()
            except Exception as exc:
                log(f"could not stop gunicorn: {exc}")
        if args.keep:
            log(f"kept {tmp}" + (f" and database {database.name}" if database else ""))
        else:
            if database is not None:
                try:
                    database.drop()
                except Exception as exc:
                    log(f"could not drop database {database.name}: {exc}")
            if redis_checked:
                try:
                    delete_redis_keys(args.redis_url, cache_prefix)
                except Exception as exc:
                    log(f"could not delete the Redis keys {cache_prefix}:*: {exc}")
            if status in (0, 130) or not any(tmp.iterdir()):
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                log(f"kept {tmp} (server logs)")
    return status


if __name__ == "__main__":
    sys.exit(main())
