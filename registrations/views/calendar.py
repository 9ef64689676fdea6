"""A participant's own calendar: the personal feed and the page that manages its address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from events import feeds
from events.calendar import vevent_lines
from events.models import Event, Theme
from portal.ratelimits import limit_feeds
from registrations import services
from registrations.models import FeedToken, Registration


def _personal_items(user, now):
    registrations = (
        Registration.objects.filter(user=user, event__end__gte=now - feeds.PAST_WINDOW)
        .exclude(event__status=Event.Status.DRAFT)
        .filter(
            Q(status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED])
            | Q(status=Registration.Status.CANCELLED, cancelled_at__gte=now - feeds.CANCELLED_KEPT)
        )
        .select_related("event__place", "event__organiser")
        .prefetch_related(Prefetch("event__themes", queryset=Theme.objects.order_by("name")))
        .order_by("event__start", "pk")
    )
    for registration in registrations:
        event = registration.event
        if event.is_cancelled or registration.status == Registration.Status.CANCELLED:
            status = "CANCELLED"
        elif registration.is_waitlisted:
            status = "TENTATIVE"  # on the waiting list: not a seat yet
        else:
            status = "CONFIRMED"
        online_url = event.online_url if status == "CONFIRMED" and event.is_online else None
        changed = max(filter(None, [event.updated_at, event.cancelled_at, registration.updated_at]))
        lines = vevent_lines(
            event,
            sequence=event.sequence + registration.ical_sequence,
            status=status,
            online_url=online_url,
            last_modified=changed,
        )
        yield lines, changed


@limit_feeds
@require_safe
def personal_feed(request, token):
    """One participant's registrations. The token is the only key: revoked or unknown is 404."""
    feed_token = get_object_or_404(FeedToken.objects.select_related("user"), token=token, revoked_at__isnull=True)
    user = feed_token.user

    def make():
        items = _personal_items(user, timezone.now())
        return feeds.build(
            items, name=_("My events – Mötesplatser"), description=_("Your registrations on Mötesplatser.")
        )

    return feeds.serve(request, ("personal", feed_token.pk), make, private=True)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_calendar(request):
    """Shows the personal feed's address; POST makes a new address or turns the feed off."""
    token = FeedToken.objects.filter(user=request.user, revoked_at__isnull=True).first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in {"create", "regenerate", "revoke"}:
            return render(request, "registrations/my_calendar.html", {"token": token, "nav": "me"}, status=400)
        services.new_feed_token(request.user, revoke_only=action == "revoke")
        messages.success(
            request,
            _("Your calendar feed is turned off. Calendars that subscribed to it stop updating.")
            if action == "revoke"
            else _("Your calendar feed has a new address. The old address no longer works."),
        )
        return redirect("registrations:my_calendar")
    context = {"token": token, "nav": "me"}
    if token:
        context["links"] = feeds.subscription_links(reverse("personal_feed", kwargs={"token": token.token}))
    return render(request, "registrations/my_calendar.html", context)
