"""Capacity under concurrent requests, with one database connection per thread (PostgreSQL).

SELECT ... FOR UPDATE only means something on PostgreSQL; on SQLite these tests are skipped
with the reason shown. A control test shows the race that the lock prevents.
"""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from events.models import Event
from registrations import services
from registrations.models import Registration
from tests.factories import make_event, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (set DATABASE_URL)"),
]

ATTEMPTS = 200
SEATS = 50
# PostgreSQL allows 100 connections here; 40 threads keep well inside that.
THREADS = 40


def run_concurrently(function, arguments):
    """Call ``function`` for every argument from THREADS threads released at once."""
    barrier = threading.Barrier(min(THREADS, len(arguments)))

    def call(argument):
        try:
            with contextlib.suppress(threading.BrokenBarrierError):  # the last, smaller batch
                barrier.wait(timeout=10)
            return function(argument)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(call, arguments))


def test_200_simultaneous_registrations_for_50_seats():
    event = make_event(capacity=SEATS, waitlist_enabled=True)
    people = [make_user() for _ in range(ATTEMPTS)]
    results = run_concurrently(lambda person: services.register(person, event).status, people)

    assert results.count("confirmed") == SEATS
    assert results.count("waitlisted") == ATTEMPTS - SEATS
    confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    positions = sorted(
        event.registrations.filter(status=Registration.Status.WAITLISTED).values_list("waitlist_position", flat=True)
    )
    assert confirmed == SEATS
    assert positions == list(range(1, ATTEMPTS - SEATS + 1))


def test_simultaneous_cancellations_promote_each_waitlisted_person_at_most_once():
    event = make_event(capacity=SEATS, waitlist_enabled=True)
    registrations = [services.register(make_user(), event) for _ in range(SEATS + 60)]
    seats = [r for r in registrations if r.is_confirmed]
    waiting = [r for r in registrations if r.is_waitlisted]
    cancelled = seats[:40]
    run_concurrently(services.cancel, cancelled)

    confirmed = set(event.registrations.filter(status=Registration.Status.CONFIRMED).values_list("pk", flat=True))
    assert len(confirmed) == SEATS
    # Exactly the first 40 in the queue moved up, in order; the other 20 still wait.
    promoted = {r.pk for r in waiting[:40]}
    assert promoted <= confirmed
    still_waiting = event.registrations.filter(status=Registration.Status.WAITLISTED)
    assert {r.pk for r in still_waiting} == {r.pk for r in waiting[40:]}
    assert all(r.promoted_at is not None for r in event.registrations.filter(pk__in=promoted))


def test_control_without_the_lock_the_capacity_is_exceeded(monkeypatch):
    """The race is real: counting without the row lock lets too many people in."""
    event = make_event(capacity=5, waitlist_enabled=True)
    people = [make_user() for _ in range(THREADS)]
    monkeypatch.setattr(services, "_lock_event", lambda pk: type(event).objects.get(pk=pk))
    original_has_free_seat = services._has_free_seat

    def slow_has_free_seat(locked_event):
        free = original_has_free_seat(locked_event)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.05)")  # widen the window between count and insert
        return free

    monkeypatch.setattr(services, "_has_free_seat", slow_has_free_seat)

    def attempt(person):
        # Unlocked, two people may even collide on a waiting-list position.
        with contextlib.suppress(services.RegistrationError):
            services.register(person, event)

    run_concurrently(attempt, people)
    with transaction.atomic():
        assert event.registrations.filter(status=Registration.Status.CONFIRMED).count() > 5


def test_organisers_adding_people_while_the_public_registers_never_overbook():
    """Additions by an organiser take the same lock as registrations: the capacity holds."""
    event = make_event(capacity=20, waitlist_enabled=True)
    organiser = make_user()
    public = [make_user() for _ in range(40)]
    added = [f"tillagd{n}@example.org" for n in range(40)]

    def act(argument):
        if isinstance(argument, str):
            return services.add_participant(event, email=argument, by=organiser).status
        return services.register(argument, event).status

    results = run_concurrently(act, [item for pair in zip(public, added, strict=True) for item in pair])
    assert results.count("confirmed") == 20
    assert event.registrations.filter(status=Registration.Status.CONFIRMED).count() == 20
    positions = sorted(
        event.registrations.filter(status=Registration.Status.WAITLISTED).values_list("waitlist_position", flat=True)
    )
    assert positions == list(range(1, 61))


def test_organisers_confirming_from_the_waiting_list_at_once_take_a_free_seat_once():
    event = make_event(capacity=2, waitlist_enabled=True)
    for _ in range(12):
        services.register(make_user(), event)
    # One seat more, without handing it out yet: ten organisers race for it.
    Event.objects.filter(pk=event.pk).update(capacity=3)
    organiser = make_user()
    candidates = list(event.registrations.filter(status=Registration.Status.WAITLISTED))

    def confirm(registration):
        try:
            return services.confirm_waitlisted(registration, by=organiser).status
        except services.OverCapacity:
            return "refused"

    results = run_concurrently(confirm, candidates)
    assert results.count("confirmed") == 1
    assert results.count("refused") == len(candidates) - 1
    assert event.registrations.filter(status=Registration.Status.CONFIRMED).count() == 3
