"""The organiser's services (check-in, confirm, add, cancel) and the attendee list's queries."""

import datetime

import pytest
from allauth.account.models import EmailAddress

from registrations import queries, services
from registrations.models import AuditEntry, Registration
from tests.factories import NOW, make_event, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


# check_in ---------------------------------------------------------------------------------


def test_check_in_records_time_and_audit(event_a, organiser_a):
    registration = make_registration(event_a)
    services.check_in(registration, by=organiser_a)
    registration.refresh_from_db()
    assert registration.checked_in_at == NOW
    entry = AuditEntry.objects.get()
    assert (entry.event, entry.actor, entry.action, entry.registration) == (
        event_a,
        organiser_a,
        "checked_in",
        registration,
    )


def test_undo_clears_the_time_and_is_logged(event_a, organiser_a):
    registration = make_registration(event_a, checked_in_at=NOW)
    services.check_in(registration, by=organiser_a, undo=True)
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert AuditEntry.objects.get().action == "check_in_undone"


def test_repeating_a_check_in_or_an_undo_changes_nothing(event_a, organiser_a):
    registration = make_registration(event_a)
    services.check_in(registration, by=organiser_a, undo=True)
    services.check_in(registration, by=organiser_a)
    services.check_in(registration, by=organiser_a, now=NOW + datetime.timedelta(hours=1))
    registration.refresh_from_db()
    assert registration.checked_in_at == NOW  # the first check-in's time is kept
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize("status", ["waitlisted", "cancelled"])
def test_only_confirmed_people_are_checked_in(event_a, organiser_a, status):
    registration = make_registration(event_a, status=status)
    with pytest.raises(services.CheckInNotPossible):
        services.check_in(registration, by=organiser_a)
    assert not AuditEntry.objects.exists()


# confirm_waitlisted -----------------------------------------------------------------------


def test_confirming_with_a_free_seat_skips_nobody_elses_rank(event_a, organiser_a):
    first = make_registration(event_a, status="waitlisted", waitlist_position=1)
    second = make_registration(event_a, status="waitlisted", waitlist_position=2)
    third = make_registration(event_a, status="waitlisted", waitlist_position=3)
    services.confirm_waitlisted(second, by=organiser_a)
    second.refresh_from_db()
    assert second.status == "confirmed" and second.promoted_at == NOW
    # The others keep their queue numbers; the rank of the third moves up.
    assert queries.waitlist_rank(first) == 1 and queries.waitlist_rank(third) == 2


def test_confirming_in_a_full_event_needs_the_organisers_yes(event_a, organiser_a):
    for _seat in range(10):
        make_registration(event_a)
    registration = make_registration(event_a, status="waitlisted")
    with pytest.raises(services.OverCapacity):
        services.confirm_waitlisted(registration, by=organiser_a)
    registration.refresh_from_db()
    assert registration.status == "waitlisted" and not AuditEntry.objects.exists()
    services.confirm_waitlisted(registration, by=organiser_a, over_capacity=True)
    assert queries.attendance_counts(event_a)["confirmed"] == 11
    assert AuditEntry.objects.get().detail == "over capacity"


def test_confirming_someone_not_waiting_raises(event_a, organiser_a):
    with pytest.raises(services.NotWaitlisted):
        services.confirm_waitlisted(make_registration(event_a), by=organiser_a)


def test_nobody_is_confirmed_for_an_event_that_is_over(team_a, organiser_a):
    event = make_event(organiser=team_a, start=NOW - datetime.timedelta(days=1))
    registration = make_registration(event, status="waitlisted")
    with pytest.raises(services.RegistrationClosed):
        services.confirm_waitlisted(registration, by=organiser_a)


# add_participant --------------------------------------------------------------------------


def test_adding_an_unknown_address_invites_a_new_account(
    event_a, organiser_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.add_participant(
            event_a, email=" Ny@Example.org ", by=organiser_a, first_name="Ny", last_name="Östling"
        )
    user = registration.user
    assert user.email == "ny@example.org" and not user.has_usable_password()
    assert EmailAddress.objects.filter(user=user, verified=False, primary=True).exists()
    assert registration.consent_at is None and registration.added_by == organiser_a
    assert len(mailoutbox) == 1 and "/accounts/password/reset/key/" in mailoutbox[0].body


def test_adding_someone_invited_earlier_without_a_password_invites_again(
    event_a, team_a, organiser_a, mailoutbox, django_capture_on_commit_callbacks
):
    services.add_participant(make_event(organiser=team_a), email="ny@example.org", by=organiser_a)
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.add_participant(event_a, email="ny@example.org", by=organiser_a)
    assert "/accounts/password/reset/key/" in mailoutbox[-1].body
    assert AuditEntry.objects.get(registration=registration).detail == "invited"


def test_adding_someone_with_an_account_sends_no_password_link(
    event_a, organiser_a, participant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.add_participant(event_a, email=participant.email.upper(), by=organiser_a)
    assert registration.user == participant
    assert "/accounts/password/reset/key/" not in mailoutbox[0].body
    assert AuditEntry.objects.get().detail == ""


def test_adding_someone_who_cancelled_registers_them_again(event_a, organiser_a, participant):
    old = make_registration(event_a, participant, status="cancelled")
    registration = services.add_participant(event_a, email=participant.email, by=organiser_a)
    assert registration.pk == old.pk and registration.status == "confirmed"


def test_adding_someone_registered_raises(event_a, organiser_a, participant):
    make_registration(event_a, participant)
    with pytest.raises(services.AlreadyRegistered):
        services.add_participant(event_a, email=participant.email, by=organiser_a)


def test_adding_to_a_full_event(event_a, organiser_a):
    for _seat in range(10):
        make_registration(event_a)
    waiting = services.add_participant(event_a, email="a@example.org", by=organiser_a)
    assert waiting.status == "waitlisted" and waiting.waitlist_position == 1
    over = services.add_participant(event_a, email="b@example.org", by=organiser_a, over_capacity=True)
    assert over.status == "confirmed"
    event_a.waitlist_enabled = False
    event_a.save()
    with pytest.raises(services.OverCapacity):
        services.add_participant(event_a, email="c@example.org", by=organiser_a)


# cancel by an organiser -------------------------------------------------------------------


def test_organiser_cancel_promotes_the_first_in_line_and_is_logged(event_a, organiser_a):
    for _seat in range(9):
        make_registration(event_a)
    registration = make_registration(event_a)
    second = make_registration(event_a, status="waitlisted", waitlist_position=8)
    first = make_registration(event_a, status="waitlisted", waitlist_position=3)
    services.cancel(registration, by=organiser_a)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "confirmed" and second.status == "waitlisted"
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.registration) == ("cancelled", organiser_a, registration)


def test_organiser_can_cancel_after_the_start_but_not_after_the_end(team_a, organiser_a):
    started = make_event(organiser=team_a, start=NOW - datetime.timedelta(hours=1))
    services.cancel(make_registration(started), by=organiser_a)
    ended = make_event(organiser=team_a, start=NOW - datetime.timedelta(days=1))
    with pytest.raises(services.CancellationClosed):
        services.cancel(make_registration(ended), by=organiser_a)


# queries ----------------------------------------------------------------------------------


def test_attendee_list_orders_confirmed_then_queue_then_cancelled(event_a):
    cancelled = make_registration(event_a, make_user(last_name="Andersson"), status="cancelled")
    late = make_registration(event_a, make_user(last_name="Berg"), status="waitlisted", waitlist_position=7)
    early = make_registration(event_a, make_user(last_name="Öberg"), status="waitlisted", waitlist_position=2)
    zeta = make_registration(event_a, make_user(last_name="Zetterlund"))
    alfa = make_registration(event_a, make_user(last_name="Ahl"))
    rows = queries.add_waitlist_ranks(queries.attendee_list(event_a, {"status": "all"}))
    assert rows == [alfa, zeta, early, late, cancelled]
    assert [row.rank for row in rows] == [None, None, 1, 2, None]
    assert list(queries.attendee_list(event_a, {})) == [alfa, zeta, early, late]
    assert list(queries.attendee_list(event_a)) == [alfa, zeta, early, late]


def test_attendee_list_is_limited_to_the_event(event_a, event_b):
    mine = make_registration(event_a)
    make_registration(event_b)
    assert list(queries.attendee_list(event_a, {"status": "all"})) == [mine]


def test_attendee_list_search_matches_every_word_in_any_field(event_a):
    anna = make_registration(event_a, make_user(first_name="Anna", last_name="Åberg"), organisation="Härryda kommun")
    make_registration(event_a, make_user(first_name="Anna", last_name="Berg"), organisation="Borås Stad")
    assert list(queries.attendee_list(event_a, {"q": "anna HÄRRYDA"})) == [anna]
    assert list(queries.attendee_list(event_a, {"q": "åberg"})) == [anna]


def test_attendance_counts(event_a):
    make_registration(event_a, checked_in_at=NOW)
    make_registration(event_a)
    make_registration(event_a, status="waitlisted")
    make_registration(event_a, status="cancelled", checked_in_at=NOW)  # checked in, then cancelled: not counted
    counts = queries.attendance_counts(event_a)
    assert counts == {
        "confirmed": 2,
        "waitlisted": 1,
        "cancelled": 1,
        "checked_in": 1,
        "capacity": 10,
        "seats_left": 8,
        "is_full": False,
    }


def test_attendance_counts_when_unlimited_or_full(team_a):
    unlimited = make_event(organiser=team_a, capacity=None)
    make_registration(unlimited)
    assert queries.attendance_counts(unlimited)["seats_left"] is None
    assert queries.attendance_counts(unlimited)["is_full"] is False
    tiny = make_event(organiser=team_a, capacity=1)
    make_registration(tiny)
    assert queries.attendance_counts(tiny)["is_full"] is True
    assert queries.attendance_counts(tiny)["seats_left"] == 0


def test_audit_log_is_the_events_newest_first(event_a, event_b, organiser_a):
    older = AuditEntry.objects.create(event=event_a, actor=organiser_a, action="exported")
    newer = AuditEntry.objects.create(event=event_a, actor=organiser_a, action="printed")
    AuditEntry.objects.create(event=event_b, actor=organiser_a, action="printed")
    assert list(queries.audit_log(event_a)) == [newer, older]


def test_registration_status_values_are_known():
    assert set(queries.ATTENDEE_STATUSES) >= {choice.value for choice in Registration.Status}
