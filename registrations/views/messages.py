"""Messages from an event's team to its participants: compose, preview, send, follow the progress."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from events.models import Event
from events.permissions import get_event_or_404, organiser_required
from portal.htmx import wants_fragment
from registrations import emails, services
from registrations.forms import MessageForm
from registrations.models import Mailing, Registration

#: Earlier mailings listed on the compose page.
EARLIER_MAILINGS = 50


def _event(request, pk):
    return get_event_or_404(request.user, pk, Event.objects.select_related("organiser", "place"))


def audience_counts(event):
    """How many people each audience would reach now (one query)."""
    counts = Registration.objects.filter(event=event, user__isnull=False).aggregate(  # anonymised: nobody to write to
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
    )
    return {
        Mailing.Audience.CONFIRMED: counts["confirmed"],
        Mailing.Audience.WAITLISTED: counts["waitlisted"],
        Mailing.Audience.ALL: counts["confirmed"] + counts["waitlisted"],
    }


def preview_message(event, user, data):
    """The e-mail as its first recipient would get it (in their language), without sending it."""
    mailing = Mailing(
        event=event,
        sender=user,
        kind=Mailing.Kind.MESSAGE,
        audience=data["audience"],
        subject=data["subject"],
        body=data["body"],
        created_at=timezone.now(),
    )
    recipient = services.mailing_recipients(mailing).select_related("user").first()
    if recipient is None:
        return None
    recipient.event = event
    message = emails.mailing_message(mailing, recipient)
    return {"subject": message.subject, "body": message.body, "recipient": recipient.user}


@require_http_methods(["GET", "POST"])
@organiser_required
def message_create(request, pk):
    event = _event(request, pk)
    counts = audience_counts(event)
    status = 200
    preview = None
    if request.method == "POST":
        form = MessageForm(request.POST, counts=counts)
        if form.is_valid():
            if "send" in request.POST:
                mailing = services.start_mailing(
                    event,
                    by=request.user,
                    kind=Mailing.Kind.MESSAGE,
                    audience=form.cleaned_data["audience"],
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    form_token=form.cleaned_data["token"],
                )
                return redirect("organise:message_detail", pk=event.pk, mailing_pk=mailing.pk)
            preview = preview_message(event, request.user, form.cleaned_data)
        else:
            status = 400
    else:
        form = MessageForm(counts=counts)
    mailings = event.mailings.select_related("sender").order_by("-created_at", "-pk")[:EARLIER_MAILINGS]
    context = {
        "event": event,
        "form": form,
        "preview": preview,
        "preview_count": counts.get(form.cleaned_data.get("audience")) if preview else None,
        "counts": counts,
        "mailings": mailings,
        "tab": "messages",
        "section": "events",
        "nav": "organise",
    }
    return render(request, "organise/messages/message_form.html", context, status=status)


@require_GET
@vary_on_headers("HX-Request")
@organiser_required
def message_detail(request, pk, mailing_pk):
    event = _event(request, pk)
    # Looked up through the event: another team's mailing is a 404 like its event.
    mailing = get_object_or_404(Mailing.objects.filter(event=event).select_related("sender"), pk=mailing_pk)
    template = "organise/messages/message_detail.html"
    if wants_fragment(request):
        template += "#progress"
    context = {"event": event, "mailing": mailing, "tab": "messages", "section": "events", "nav": "organise"}
    return render(request, template, context)
