"""Text typed by organisers (and participants) is shown as inert text on every page it reaches:
no script, no event handler, no javascript: link, entities shown as typed; the JSON-LD block
cannot be broken out of."""

import json
import re

import pytest
from django.urls import reverse

from events.models import MeetingPlace
from registrations import emails
from registrations.models import Question, Registration
from tests.security.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
BREAKOUT = "</script><script>alert(2)</script>"
LINK = '<a href="javascript:alert(3)">klicka</a>'
ENTITY = "Fika &amp; &lt;b&gt;"
PAYLOADS = (SCRIPT, IMG, BREAKOUT, LINK)
#: What must never appear unescaped in HTML.
DANGEROUS = ("<script>alert", "<img src=x", 'href="javascript:', "</script><script>")


@pytest.fixture
def hostile(world):
    event, place, team = world["event"], world["place"], world["team_a"]
    event.title = f"Möte {SCRIPT} {ENTITY}"
    event.summary = f"Kort {IMG} {BREAKOUT}"
    event.description = f"Rad ett {LINK}\nRad två {SCRIPT}\n\nStycke {ENTITY} javascript:alert(4)"
    event.save()
    MeetingPlace.objects.filter(pk=place.pk).update(name=f"Plats {IMG}", accessibility_notes=SCRIPT)
    team.name = f"Team {BREAKOUT}"
    team.save()
    Question.objects.filter(event=event).update(label=f"Fråga {SCRIPT}", help_text=IMG)
    Registration.objects.filter(pk=world["seat"].pk).update(organisation=f"Org {IMG}", dietary_needs=SCRIPT)
    participant = world["users"]["participant"]
    participant.first_name = f"Dana {SCRIPT}"
    participant.save()
    return world


def assert_inert(html, where):
    for dangerous in DANGEROUS:
        assert dangerous not in html, f"{dangerous!r} unescaped on {where}"


def test_the_event_page_escapes_everything(hostile):
    event = hostile["event"]
    for kind in ("anonymous", "participant", "organiser_a"):
        html = client_for(hostile, kind).get(event.get_absolute_url()).content.decode()
        assert_inert(html, f"the event page ({kind})")
        # Shown as typed: the entity stays an entity, the text is there (escaped).
        assert "Fika &amp;amp; &amp;lt;b&amp;gt;" in html
        assert "&lt;script&gt;alert(" in html
    # Line breaks are kept as paragraphs and <br>, added by the template (linebreaks).
    assert "<br>" in html and "<p>Stycke" in html


def test_the_json_ld_block_cannot_be_broken_out_of(hostile):
    html = client_for(hostile, "anonymous").get(hostile["event"].get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    block = blocks[0]
    assert "<" not in block and ">" not in block and "&" not in block.replace("\\u0026", "")
    assert "\\u003C/script\\u003E" in block
    data = json.loads(block)
    assert data["name"] == hostile["event"].title  # the JSON still says exactly what was typed
    assert data["organizer"]["name"] == hostile["team_a"].name


def test_lists_and_the_place_page_escape_everything(hostile):
    client = client_for(hostile, "anonymous")
    for url in (
        reverse("events:event_list"),
        reverse("events:event_list") + "?q=" + "<script>",
        reverse("events:place_list"),
        hostile["place"].get_absolute_url(),
        reverse("registrations:register", kwargs={"slug": hostile["event"].slug}),
    ):
        response = client.get(url)
        assert_inert(response.content.decode(), url)
    participant = client_for(hostile, "participant")
    for url in (reverse("registrations:my_registrations"), reverse("profile")):
        assert_inert(participant.get(url).content.decode(), url)


def test_a_new_participant_sees_the_questions_escaped(hostile):
    from tests.security.conftest import verified_user

    client = client_for(hostile, "anonymous")
    client.force_login(verified_user())
    response = client.get(reverse("registrations:register", kwargs={"slug": hostile["event"].slug}))
    html = response.content.decode()
    assert "Fråga &lt;script&gt;" in html
    assert_inert(html, "the registration form")


def test_the_workspace_escapes_everything(hostile):
    event = hostile["event"]
    client = client_for(hostile, "organiser_a")
    for name, args in (
        ("organise:dashboard", []),
        ("organise:attendees", [event.pk]),
        ("organise:door", [event.pk]),
        ("organise:print_list", [event.pk]),
        ("organise:event_edit", [event.pk]),
        ("organise:event_questions", [event.pk]),
        ("organise:message_create", [event.pk]),
        ("organise:place_list", []),
        ("organise:place_edit", [hostile["place"].pk]),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        assert_inert(response.content.decode(), name)


def test_e_mails_html_parts_escape_everything(hostile):
    seat = Registration.objects.select_related("event__place", "event__organiser", "user").get(pk=hostile["seat"].pk)
    for kind in (emails.CONFIRMED, emails.REMINDER, emails.CANCELLED):
        message = emails.build_message(seat, kind)
        (html,) = [alternative.content for alternative in message.alternatives]
        assert_inert(html, f"the {kind} e-mail")
        assert "\n" not in message.subject


def test_a_javascript_link_is_refused_as_a_website_or_meeting_link(hostile):
    client = client_for(hostile, "organiser_a")
    response = client.post(
        reverse("organise:place_create"),
        {"name": "Ny", "is_digital": "on", "website": "javascript:alert(1)//https://x.se"},
    )
    assert response.status_code == 400
    assert "website" in response.context["form"].errors
    event = hostile["event"]
    response = client.post(
        reverse("organise:event_edit", args=[event.pk]),
        {"title": "T", "summary": "S", "online_url": "javascript:alert(1)", "format": "hybrid"},
    )
    assert response.status_code == 400
    assert "online_url" in response.context["form"].errors
