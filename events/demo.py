"""Deterministic, realistic demo data. The same seed and anchor date give the same data."""

import datetime
import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events import demo_content as content
from events.cache import bump_catalogue_version
from events.models import Event, MeetingPlace, Organiser, OrganiserMembership, Theme
from registrations.models import CONSENT_VERSION, Question, Registration

BATCH = 1000


@dataclass
class SeedResult:
    events: int
    registrations: int
    participants: int


def clear_demo_data():
    """Remove the catalogue, registrations and every non-superuser account."""
    Registration.objects.all().delete()
    Event.objects.all().delete()
    MeetingPlace.objects.all().delete()
    Organiser.objects.all().delete()
    Theme.objects.all().delete()
    get_user_model().objects.all().delete()


def _local(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _create_users(rng, password, organiser_names, participant_count):
    User = get_user_model()
    hashed = make_password(password)  # one hash for all: hashing is deliberately slow
    users = [
        User(
            email="admin@example.org",
            first_name="Administratör",
            last_name="Demo",
            is_staff=True,
            is_superuser=True,
            password=hashed,
        )
    ]
    for slug, (first, last) in organiser_names:
        users.append(User(email=f"{slug}@example.org", first_name=first, last_name=last, password=hashed))
    for number in range(1, participant_count + 1):
        users.append(
            User(
                email=f"deltagare{number}@example.org",
                first_name=rng.choice(content.FIRST_NAMES),
                last_name=rng.choice(content.LAST_NAMES),
                organisation=rng.choice(content.ORGANISATIONS),
                password=hashed,
            )
        )
    User.objects.bulk_create(users, batch_size=BATCH)
    users = list(User.objects.order_by("pk"))
    # Demo accounts have verified addresses, so they can log in at once.
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users],
        batch_size=BATCH,
    )
    return users


def _create_catalogue():
    themes = Theme.objects.bulk_create(
        [Theme(slug=slug, name=name, name_en=name_en, description=text) for slug, name, name_en, text in content.THEMES]
    )
    organisers = Organiser.objects.bulk_create(
        [Organiser(slug=slug, name=name, email=email) for slug, name, email, _person in content.ORGANISERS]
    )
    places = [MeetingPlace(is_digital=True, **content.DIGITAL_PLACE)]
    for (
        slug,
        name,
        street,
        postal_code,
        city,
        municipality,
        lat,
        lon,
        step_free,
        loop,
        toilet,
        quiet,
        stop,
    ) in content.PLACES:
        places.append(
            MeetingPlace(
                slug=slug,
                name=name,
                street_address=street,
                postal_code=postal_code,
                city=city,
                municipality=municipality,
                latitude=lat,
                longitude=lon,
                step_free_access=step_free,
                hearing_loop=loop,
                accessible_toilet=toilet,
                quiet_room=quiet,
                public_transport_stop=stop,
                description=f"{name} är en av regionens mötesplatser för hållbar utveckling.",
            )
        )
    places = MeetingPlace.objects.bulk_create(places)
    return themes, organisers, places


def _build_events(rng, count, anchor, themes, organisers, places):
    digital, physical = places[0], places[1:]
    events, event_themes, slugs = [], [], set()
    now = timezone.now()
    for _index in range(count):
        theme = rng.choice(themes)
        topic = rng.choice(content.TOPICS[theme.slug])
        pattern, minutes, hours = rng.choice(content.EVENT_KINDS)
        # Spread over four months back and eight months ahead; no meetings at weekends.
        day = anchor + datetime.timedelta(days=rng.randint(-120, 240))
        if day.weekday() >= 5:
            day += datetime.timedelta(days=7 - day.weekday())
        start = _local(day, rng.choice(hours), rng.choice((0, 0, 30)))
        end = start + datetime.timedelta(minutes=minutes)
        roll = rng.random()
        event_format = (
            Event.Format.ONLINE if roll < 0.15 else Event.Format.HYBRID if roll < 0.35 else Event.Format.ON_SITE
        )
        if pattern.startswith("Webbinarium"):
            event_format = Event.Format.ONLINE
        place = digital if event_format == Event.Format.ONLINE else rng.choice(physical)
        municipality = place.municipality_name or "Västra Götaland"
        words = {"topic": topic, "topic_lower": topic[0].lower() + topic[1:]}
        title = pattern.format(**words)
        if event_format != Event.Format.ONLINE:
            title = f"{title} i {place.city}"
        slug = base = slugify(f"{title} {day:%Y-%m-%d}")[:200]
        suffix = 2
        while slug in slugs:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        slugs.add(slug)
        status_roll = rng.random()
        status = (
            Event.Status.DRAFT
            if status_roll < 0.05
            else Event.Status.CANCELLED
            if status_roll < 0.09
            else Event.Status.PUBLISHED
        )
        published_at = None if status == Event.Status.DRAFT else min(start - datetime.timedelta(days=30), now)
        paragraphs = rng.sample(content.DESCRIPTION_PARAGRAPHS, 3)
        event = Event(
            title=title,
            slug=slug,
            summary=rng.choice(content.SUMMARIES).format(**words),
            description="\n\n".join(p.format(municipality=municipality, **words) for p in paragraphs),
            organiser=rng.choice(organisers),
            place=place,
            format=event_format,
            online_url=f"https://meet.example.org/{slug[:40]}" if event_format != Event.Format.ON_SITE else "",
            start=start,
            end=end,
            capacity=None if rng.random() < 0.1 else rng.choice((15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200)),
            waitlist_enabled=rng.random() < 0.8,
            registration_closes=start - datetime.timedelta(days=rng.choice((0, 1, 2))) if rng.random() < 0.5 else None,
            status=status,
            sequence=rng.choice((0, 0, 0, 1, 2)) + (1 if status == Event.Status.CANCELLED else 0),
            published_at=published_at,
            cancelled_at=min(start - datetime.timedelta(days=3), now) if status == Event.Status.CANCELLED else None,
        )
        event.search_text = event.build_search_text()
        events.append(event)
        extra = rng.sample(themes, rng.choice((0, 0, 1, 1, 2)))
        event_themes.append({theme, *extra})
    return events, event_themes


def _create_questions(rng, events):
    """Questions for about a fifth of the events, keyed by the event's index."""
    chosen = {}
    for index, event in enumerate(events):
        if rng.random() < 0.2:
            label, kind, choices = rng.choice(content.QUESTIONS)
            chosen[index] = [Question(event=event, label=label, kind=kind, choices=choices)]
    Question.objects.bulk_create([question for questions in chosen.values() for question in questions])
    return chosen


def _build_registrations(rng, count, events, participants):
    """Registrations for published events; a tenth of events are popular and fill up."""
    open_events = [event for event in events if event.status != Event.Status.DRAFT]
    if not open_events or not participants or count <= 0:
        return []
    questions = _create_questions(rng, open_events)
    popular = set(rng.sample(range(len(open_events)), max(1, len(open_events) // 10)))
    weights = [8 if index in popular else 1 for index in range(len(open_events))]
    wanted = {}
    for event_index in rng.choices(range(len(open_events)), weights=weights, k=count):
        wanted[event_index] = wanted.get(event_index, 0) + 1
    registrations = []
    now = timezone.now()
    for event_index, number in sorted(wanted.items()):
        event = open_events[event_index]
        people = rng.sample(participants, min(number, len(participants)))
        position = 0
        for seat, person in enumerate(people):
            if event.capacity is not None and seat >= event.capacity:
                if not event.waitlist_enabled:
                    break
                position += 1
                status, waitlist_position = Registration.Status.WAITLISTED, position
            else:
                status, waitlist_position = Registration.Status.CONFIRMED, None
            registered = min(
                event.start - datetime.timedelta(days=rng.randint(1, 25), minutes=rng.randint(0, 600)),
                timezone.now(),
            )
            answers = {}
            for question in questions.get(event_index, ()):
                if question.kind == Question.Kind.SINGLE_CHOICE:
                    answers[question.key] = rng.choice(question.choice_list)
                elif question.kind == Question.Kind.YES_NO:
                    answers[question.key] = rng.random() < 0.7
                elif rng.random() < 0.3:
                    answers[question.key] = "Nya kontakter och konkreta exempel."
            diet = rng.choice(content.DIETARY_NEEDS) if rng.random() < 0.15 else ""
            # A few need accessibility (without a draw of its own: the rest of the data stays as it was).
            access = content.ACCESSIBILITY_NEEDS[seat % 2] if (event_index + seat) % 29 == 0 else ""
            # As after the retention rules: needs only for events that have not ended yet.
            if event.end < now:
                diet = access = ""
            registrations.append(
                Registration(
                    event=event,
                    user=person,
                    status=status,
                    waitlist_position=waitlist_position,
                    organisation=person.organisation,
                    dietary_needs=diet,
                    accessibility_needs=access,
                    sensitive_consent_at=registered if diet or access else None,
                    answers=answers,
                    consent_at=registered,
                    consent_version=CONSENT_VERSION,
                    checked_in_at=(
                        event.start
                        if event.end < timezone.now() and status == Registration.Status.CONFIRMED and rng.random() < 0.8
                        else None
                    ),
                )
            )
    return registrations


@transaction.atomic
def seed(*, events, registrations, seed, password, anchor=None):
    """Create demo themes, places, teams, accounts, events and registrations."""
    rng = random.Random(seed)
    anchor = anchor or timezone.localdate()
    themes, organisers, places = _create_catalogue()
    participant_count = max(20, min(2000, registrations // 4 or 20))
    users = _create_users(
        rng, password, [(slug, person) for slug, _n, _e, person in content.ORGANISERS], participant_count
    )
    organiser_users, participants = users[1 : 1 + len(organisers)], users[1 + len(organisers) :]
    OrganiserMembership.objects.bulk_create(
        [OrganiserMembership(organiser=team, user=user) for team, user in zip(organisers, organiser_users, strict=True)]
    )
    event_objects, event_themes = _build_events(rng, events, anchor, themes, organisers, places)
    Event.objects.bulk_create(event_objects, batch_size=BATCH)
    Through = Event.themes.through
    Through.objects.bulk_create(
        [
            Through(event=event, theme=theme)
            for event, chosen in zip(event_objects, event_themes, strict=True)
            for theme in chosen
        ],
        batch_size=BATCH,
    )
    registration_objects = _build_registrations(rng, registrations, event_objects, participants)
    Registration.objects.bulk_create(registration_objects, batch_size=BATCH)
    # created_at is set on insert; give registrations their realistic times for the charts.
    for registration in registration_objects:
        registration.created_at = registration.consent_at
    Registration.objects.bulk_update(registration_objects, ["created_at"], batch_size=BATCH)
    bump_catalogue_version()
    return SeedResult(
        events=len(event_objects), registrations=len(registration_objects), participants=len(participants)
    )
